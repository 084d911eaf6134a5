// SPDX-License-Identifier: MIT
// Slab caches for C++ users of kmem: the SLAB_* flags as kmem::slab::*
// (Linux 6.18's values, Linux's name without the SLAB_ prefix) and
// kmem::Cache<T>, a typed cache that lives as long as the object:
//
//   struct Inode { unsigned long ino; char name[32]; };
//   kmem::Machine m("mem=256M cpus=2");
//   {
//     kmem::Cache<Inode> inodes(m, kmem::slab::HWCACHE_ALIGN);  // "Inode"
//     Inode* i = inodes.alloc(kmem::gfp::KERNEL);                // raw storage
//     inodes.free(i);
//     Inode* j = inodes.create(kmem::gfp::KERNEL, Inode{7, "x"});  // constructed
//     inodes.destroy(j);                                           // ~Inode, free
//   }                                                              // cache destroyed
//
// As KMEM_CACHE(struct, flags) does, the cache is named after the type (its
// unqualified name; template arguments kept, spaces dropped) with the type's
// size and alignment; a name may be given instead. Like any kmem_cache it
// may be merged with a compatible cache and then appears under that one's
// name in /proc/slabinfo. Objects still allocated when the Cache goes are
// reported by the machine and the cache is leaked, as Linux does. A Cache
// must not outlive its Machine.
#pragma once

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "kmem/gfp.hpp"
#include "kmem/machine.hpp"

namespace kmem {

namespace slab {
// Cache flags (enum _slab_flag_bits of Linux 6.18 as a distribution kernel
// configures it; docs/slab.md).
inline constexpr std::uint32_t CONSISTENCY_CHECKS = 1u << 0;  // slub_debug F
inline constexpr std::uint32_t RED_ZONE = 1u << 1;            // slub_debug Z
inline constexpr std::uint32_t POISON = 1u << 2;              // slub_debug P
inline constexpr std::uint32_t HWCACHE_ALIGN = 1u << 4;       // cache-line aligned objects
inline constexpr std::uint32_t CACHE_DMA = 1u << 5;           // slabs from ZONE_DMA
inline constexpr std::uint32_t CACHE_DMA32 = 1u << 6;         // slabs from ZONE_DMA32
inline constexpr std::uint32_t STORE_USER = 1u << 7;          // slub_debug U
inline constexpr std::uint32_t PANIC = 1u << 8;               // panic if creation fails
inline constexpr std::uint32_t TYPESAFE_BY_RCU = 1u << 9;     // slabs freed after a grace period
inline constexpr std::uint32_t TRACE = 1u << 10;              // slub_debug T
inline constexpr std::uint32_t DEBUG_OBJECTS = 0;             // CONFIG_DEBUG_OBJECTS off
inline constexpr std::uint32_t NOLEAKTRACE = 1u << 11;
inline constexpr std::uint32_t NO_MERGE = 1u << 12;
inline constexpr std::uint32_t FAILSLAB = 1u << 13;  // slub_debug A
inline constexpr std::uint32_t ACCOUNT = 1u << 14;
inline constexpr std::uint32_t NO_USER_FLAGS = 1u << 15;
inline constexpr std::uint32_t SKIP_KFENCE = 1u << 16;
inline constexpr std::uint32_t RECLAIM_ACCOUNT = 1u << 17;  // reclaimable (SReclaimable)
inline constexpr std::uint32_t TEMPORARY = RECLAIM_ACCOUNT;

// The name KMEM_CACHE would give T: its unqualified name, without spaces.
template <typename T>
std::string type_cache_name() {
#if defined(__clang__) || defined(__GNUC__)
  std::string_view f = __PRETTY_FUNCTION__;  // "... [with T = ns::Foo; ...]" or "[T = ns::Foo]"
  const std::size_t at = f.find("T = ");
  std::string_view t = at == std::string_view::npos ? std::string_view("object") : f.substr(at + 4);
  // The type ends at the first ';' or ']' outside template brackets.
  int depth = 0;
  std::size_t end = 0, last_scope = 0;
  for (; end < t.size(); ++end) {
    const char c = t[end];
    if (c == '<') ++depth;
    else if (c == '>') --depth;
    else if (depth == 0 && (c == ';' || c == ']')) break;
    else if (depth == 0 && c == ':' && end + 1 < t.size() && t[end + 1] == ':')
      last_scope = end + 2;
  }
  t = t.substr(last_scope, end - last_scope);
  std::string name;
  for (char c : t)
    if (c != ' ') name += c;
  return name;
#else
  return "object";
#endif
}
}  // namespace slab

template <typename T>
class Cache {
 public:
  // Creates the cache (Machine::kmem_cache_create); throws std::runtime_error
  // if the machine refuses it.
  explicit Cache(Machine& m, std::uint32_t flags = 0, std::string_view name = {},
                 void (*ctor)(void*) = nullptr)
      : m_(&m) {
    std::string n = name.empty() ? slab::type_cache_name<T>() : std::string(name);
    s_ = m.kmem_cache_create(n, unsigned(sizeof(T)), unsigned(alignof(T)), flags, ctor);
    if (s_ == nullptr) throw std::runtime_error("kmem: cannot create slab cache '" + n + "'");
  }
  ~Cache() {
    if (s_ != nullptr) m_->kmem_cache_destroy(s_);
  }
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;
  Cache(Cache&& o) noexcept : m_(o.m_), s_(std::exchange(o.s_, nullptr)) {}
  Cache& operator=(Cache&& o) noexcept {
    if (this != &o) {
      if (s_ != nullptr) m_->kmem_cache_destroy(s_);
      m_ = o.m_;
      s_ = std::exchange(o.s_, nullptr);
    }
    return *this;
  }

  // Storage for one T (not constructed; zeroed with gfp::ZERO, set up by the
  // cache's ctor, if any, when its slab was made); nullptr on failure.
  T* alloc(gfp_t gfp = gfp::KERNEL, int nid = -1) {
    return static_cast<T*>(m_->kmem_cache_alloc(s_, gfp, nid));
  }
  void free(T* p) { m_->kmem_cache_free(s_, p); }

  // A T constructed in the cache from args; nullptr if there is no memory.
  template <typename... Args>
  T* create(gfp_t gfp, Args&&... args) {
    void* p = m_->kmem_cache_alloc(s_, gfp);
    if (p == nullptr) return nullptr;
    try {
      return ::new (p) T(std::forward<Args>(args)...);
    } catch (...) {
      m_->kmem_cache_free(s_, p);
      throw;
    }
  }
  // ~T, then the object goes back to the cache. nullptr is ignored.
  void destroy(T* p) {
    if (p == nullptr) return;
    p->~T();
    m_->kmem_cache_free(s_, p);
  }

  // Frees the cache's empty slabs; 0 when none is left.
  int shrink() { return m_->kmem_cache_shrink(s_); }
  // slub_debug validation of every slab; the number of errors found.
  unsigned long validate() { return m_->slab_validate(s_); }
  KmemCache* get() const { return s_; }
  Machine& machine() const { return *m_; }

 private:
  Machine* m_;
  KmemCache* s_ = nullptr;
};

}  // namespace kmem
