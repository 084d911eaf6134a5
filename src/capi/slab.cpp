// SPDX-License-Identifier: MIT
// The slab layer's C API: <linux/slab.h> (caches, the kmalloc and kvmalloc
// families) and the kmalloc-backed helpers of <linux/string.h>. Each
// function is one call into the current machine's Kernel; kmalloc() and
// kfree() compile into the core's inline fast paths with nothing between.
//
// Call sites: the core records __builtin_return_address of the function it
// is inlined into, which here is the C caller's return address, as _RET_IP_
// in Linux. The string helpers pass their own caller (kmalloc_track_caller).
//
// Misuse that would crash Linux (a NULL cache, a node the machine lacks)
// is a WARNING and a failed allocation here.
#include <climits>
#include <cstddef>
#include <cstring>

#include "capi/current.h"

// Core constants, captured before the compat headers turn their names into
// macros.
namespace kmem::capi::slab_core {
inline constexpr u32 kFlags[] = {SLAB_CONSISTENCY_CHECKS,
                                 SLAB_RED_ZONE,
                                 SLAB_POISON,
                                 SLAB_KMALLOC,
                                 SLAB_HWCACHE_ALIGN,
                                 SLAB_CACHE_DMA,
                                 SLAB_CACHE_DMA32,
                                 SLAB_STORE_USER,
                                 SLAB_PANIC,
                                 SLAB_TYPESAFE_BY_RCU,
                                 SLAB_TRACE,
                                 SLAB_DEBUG_OBJECTS,
                                 SLAB_NOLEAKTRACE,
                                 SLAB_NO_MERGE,
                                 SLAB_FAILSLAB,
                                 SLAB_ACCOUNT,
                                 SLAB_KASAN,
                                 SLAB_NO_USER_FLAGS,
                                 SLAB_RECLAIM_ACCOUNT,
                                 SLAB_TEMPORARY};
inline constexpr size_t kKmallocMaxSize = KMALLOC_MAX_SIZE;
inline constexpr size_t kKmallocMaxCacheSize = KMALLOC_MAX_CACHE_SIZE;
inline constexpr size_t kKmallocMinSize = KMALLOC_MIN_SIZE;
inline constexpr unsigned kKmallocShiftLow = KMALLOC_SHIFT_LOW;
inline constexpr unsigned kKmallocShiftHigh = KMALLOC_SHIFT_HIGH;
}  // namespace kmem::capi::slab_core

#include <linux/bug.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

namespace kmem::capi {
namespace {

namespace core = slab_core;

// ---- the C header agrees with the core ------------------------------------------------
static_assert(SLAB_CONSISTENCY_CHECKS == core::kFlags[0] && SLAB_RED_ZONE == core::kFlags[1] &&
              SLAB_POISON == core::kFlags[2] && SLAB_KMALLOC == core::kFlags[3] &&
              SLAB_HWCACHE_ALIGN == core::kFlags[4] && SLAB_CACHE_DMA == core::kFlags[5] &&
              SLAB_CACHE_DMA32 == core::kFlags[6] && SLAB_STORE_USER == core::kFlags[7] &&
              SLAB_PANIC == core::kFlags[8] && SLAB_TYPESAFE_BY_RCU == core::kFlags[9] &&
              SLAB_TRACE == core::kFlags[10] && SLAB_DEBUG_OBJECTS == core::kFlags[11] &&
              SLAB_NOLEAKTRACE == core::kFlags[12] && SLAB_NO_MERGE == core::kFlags[13] &&
              SLAB_FAILSLAB == core::kFlags[14] && SLAB_ACCOUNT == core::kFlags[15] &&
              SLAB_KASAN == core::kFlags[16] && SLAB_NO_USER_FLAGS == core::kFlags[17] &&
              SLAB_RECLAIM_ACCOUNT == core::kFlags[18] && SLAB_TEMPORARY == core::kFlags[19]);
static_assert(KMALLOC_MAX_SIZE == core::kKmallocMaxSize &&
              KMALLOC_MAX_CACHE_SIZE == core::kKmallocMaxCacheSize &&
              KMALLOC_MIN_SIZE == core::kKmallocMinSize &&
              KMALLOC_SHIFT_LOW == core::kKmallocShiftLow &&
              KMALLOC_SHIFT_HIGH == core::kKmallocShiftHigh);
static_assert(sizeof(slab_flags_t) == sizeof(kmem::slab_flags_t));
// struct kmem_cache_args is the core's KmemCacheArgs.
static_assert(sizeof(struct kmem_cache_args) == sizeof(KmemCacheArgs) &&
              alignof(struct kmem_cache_args) == alignof(KmemCacheArgs));
static_assert(offsetof(struct kmem_cache_args, align) == offsetof(KmemCacheArgs, align) &&
              offsetof(struct kmem_cache_args, useroffset) == offsetof(KmemCacheArgs, useroffset) &&
              offsetof(struct kmem_cache_args, usersize) == offsetof(KmemCacheArgs, usersize) &&
              offsetof(struct kmem_cache_args, freeptr_offset) ==
                  offsetof(KmemCacheArgs, freeptr_offset) &&
              offsetof(struct kmem_cache_args, use_freeptr_offset) ==
                  offsetof(KmemCacheArgs, use_freeptr_offset) &&
              offsetof(struct kmem_cache_args, ctor) == offsetof(KmemCacheArgs, ctor) &&
              offsetof(struct kmem_cache_args, sheaf_capacity) ==
                  offsetof(KmemCacheArgs, sheaf_capacity));

inline KmemCache* to_core(struct kmem_cache* s) { return reinterpret_cast<KmemCache*>(s); }
inline struct kmem_cache* to_c(KmemCache* s) { return reinterpret_cast<struct kmem_cache*>(s); }

// A cache argument that Linux would dereference blindly.
[[gnu::cold, gnu::noinline]] void warn_null_cache(const char* fn) {
  kmem_warn_fmt(__FILE__, __LINE__, fn, "%s: NULL cache\n", fn);
}

// nid is NUMA_NO_NODE or a node of k; otherwise a WARNING.
inline bool node_ok(Kernel& k, int nid, const char* fn) {
  if (__builtin_expect(nid == NUMA_NO_NODE || (nid >= 0 && nid < k.nr_node_ids()), 1)) return true;
  kmem_warn_fmt(__FILE__, __LINE__, fn, "%s: invalid node %d (machine has %d)\n", fn, nid,
                k.nr_node_ids());
  return false;
}

// kmalloc_gfp_adjust() (mm/slub.c, 6.18): above a page the kmalloc attempt
// of kvmalloc must not be disruptive -- no warning, no direct reclaim unless
// the caller prefers contiguous memory (__GFP_RETRY_MAYFAIL), and no
// __GFP_NOFAIL, which the fallback provides.
inline gfp_t kmalloc_gfp_adjust(gfp_t flags, size_t size) {
  if (size > PAGE_SIZE) {
    flags |= __GFP_NOWARN;
    if (!(flags & __GFP_RETRY_MAYFAIL)) flags &= ~__GFP_DIRECT_RECLAIM;
    flags &= ~__GFP_NOFAIL;
  }
  return flags;
}

// __kvmalloc_node_noprof(). Linux falls back to vmalloc; kmem has no
// vmalloc yet (docs/deviations.md), so the fallback is a second kmalloc
// with the caller's own flags: it reclaims, warns and honours __GFP_NOFAIL
// as the vmalloc call would, but needs physically contiguous memory and
// stops at KMALLOC_MAX_SIZE.
void* kvmalloc_impl(Kernel& k, size_t size, gfp_t flags, int node, const void* caller) {
  void* ret = k.kmalloc_impl(size, kmalloc_gfp_adjust(flags, size), node, caller);
  if (ret != nullptr || size <= PAGE_SIZE) return ret;
  if (size > size_t(INT_MAX)) {  // "Don't even allow crazy sizes"
    if (!(flags & __GFP_NOWARN)) kmem_warn_once(__FILE__, __LINE__, "__kvmalloc_node_noprof");
    return nullptr;
  }
  if (size > KMALLOC_MAX_SIZE) return nullptr;  // vmalloc's territory
  return k.kmalloc_impl(size, flags, node, caller);
}

inline void memzero_explicit(void* p, size_t n) {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

}  // namespace
}  // namespace kmem::capi

using kmem::capi::current_kernel;
using kmem::capi::to_c;
using kmem::capi::to_core;

#define KMEM_CALLER __builtin_return_address(0)

extern "C" {

// ---- caches -------------------------------------------------------------------------

struct kmem_cache* __kmem_cache_create_args(const char* name, unsigned int object_size,
                                            struct kmem_cache_args* args, slab_flags_t flags) {
  return to_c(current_kernel().kmem_cache_create(
      name, object_size, reinterpret_cast<const kmem::KmemCacheArgs*>(args), flags));
}

struct kmem_cache* __kmem_cache_create(const char* name, unsigned int size, unsigned int align,
                                       slab_flags_t flags, void (*ctor)(void*)) {
  kmem::KmemCacheArgs args{};
  args.align = align;
  args.ctor = ctor;
  return to_c(current_kernel().kmem_cache_create(name, size, &args, flags));
}

struct kmem_cache* kmem_cache_create_usercopy(const char* name, unsigned int size,
                                              unsigned int align, slab_flags_t flags,
                                              unsigned int useroffset, unsigned int usersize,
                                              void (*ctor)(void*)) {
  kmem::KmemCacheArgs args{};
  args.align = align;
  args.ctor = ctor;
  args.useroffset = useroffset;
  args.usersize = usersize;
  return to_c(current_kernel().kmem_cache_create(name, size, &args, flags));
}

void kmem_cache_destroy(struct kmem_cache* s) { current_kernel().kmem_cache_destroy(to_core(s)); }

int kmem_cache_shrink(struct kmem_cache* s) {
  if (__builtin_expect(s == nullptr, 0)) {
    kmem::capi::warn_null_cache("kmem_cache_shrink");
    return 0;
  }
  return current_kernel().kmem_cache_shrink(to_core(s));
}

void* kmem_cache_alloc(struct kmem_cache* s, gfp_t flags) {
  if (__builtin_expect(s == nullptr, 0)) {
    kmem::capi::warn_null_cache("kmem_cache_alloc");
    return nullptr;
  }
  return current_kernel().kmem_cache_alloc(to_core(s), flags);
}

void* kmem_cache_alloc_node(struct kmem_cache* s, gfp_t flags, int node) {
  kmem::Kernel& k = current_kernel();
  if (__builtin_expect(s == nullptr, 0)) {
    kmem::capi::warn_null_cache("kmem_cache_alloc_node");
    return nullptr;
  }
  if (!kmem::capi::node_ok(k, node, "kmem_cache_alloc_node")) return nullptr;
  return k.kmem_cache_alloc_node(to_core(s), flags, node);
}

void kmem_cache_free(struct kmem_cache* s, void* objp) {
  current_kernel().kmem_cache_free(to_core(s), objp);
}

int kmem_cache_alloc_bulk(struct kmem_cache* s, gfp_t flags, size_t size, void** p) {
  if (__builtin_expect(s == nullptr, 0)) {
    kmem::capi::warn_null_cache("kmem_cache_alloc_bulk");
    return 0;
  }
  return current_kernel().kmem_cache_alloc_bulk(to_core(s), flags, size, p);
}

void kmem_cache_free_bulk(struct kmem_cache* s, size_t size, void** p) {
  current_kernel().kmem_cache_free_bulk(to_core(s), size, p);
}

unsigned int kmem_cache_size(struct kmem_cache* s) {
  if (__builtin_expect(s == nullptr, 0)) {
    kmem::capi::warn_null_cache("kmem_cache_size");
    return 0;
  }
  return current_kernel().kmem_cache_size(to_core(s));
}

// ---- kmalloc ------------------------------------------------------------------------------

void* kmalloc(size_t size, gfp_t flags) {
  return current_kernel().kmalloc_impl(size, flags, NUMA_NO_NODE, KMEM_CALLER);
}

void* kmalloc_node(size_t size, gfp_t flags, int node) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kmalloc_node")) return nullptr;
  return k.kmalloc_impl(size, flags, node, KMEM_CALLER);
}

void* kzalloc(size_t size, gfp_t flags) {
  return current_kernel().kmalloc_impl(size, flags | __GFP_ZERO, NUMA_NO_NODE, KMEM_CALLER);
}

void* kzalloc_node(size_t size, gfp_t flags, int node) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kzalloc_node")) return nullptr;
  return k.kmalloc_impl(size, flags | __GFP_ZERO, node, KMEM_CALLER);
}

void* kmalloc_array(size_t n, size_t size, gfp_t flags) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  return current_kernel().kmalloc_impl(bytes, flags, NUMA_NO_NODE, KMEM_CALLER);
}

void* kmalloc_array_node(size_t n, size_t size, gfp_t flags, int node) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kmalloc_array_node")) return nullptr;
  return k.kmalloc_impl(bytes, flags, node, KMEM_CALLER);
}

void* kcalloc(size_t n, size_t size, gfp_t flags) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  return current_kernel().kmalloc_impl(bytes, flags | __GFP_ZERO, NUMA_NO_NODE, KMEM_CALLER);
}

void* kcalloc_node(size_t n, size_t size, gfp_t flags, int node) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kcalloc_node")) return nullptr;
  return k.kmalloc_impl(bytes, flags | __GFP_ZERO, node, KMEM_CALLER);
}

void* krealloc(const void* objp, size_t new_size, gfp_t flags) {
  return current_kernel().krealloc(objp, new_size, flags);
}

void* krealloc_array(void* p, size_t new_n, size_t new_size, gfp_t flags) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(new_n, new_size, &bytes), 0)) return nullptr;
  return current_kernel().krealloc(p, bytes, flags);
}

void kfree(const void* objp) { current_kernel().kfree(objp); }

void kfree_sensitive(const void* objp) { current_kernel().kfree_sensitive(objp); }

size_t ksize(const void* objp) { return current_kernel().ksize(objp); }

size_t kmalloc_size_roundup(size_t size) { return current_kernel().kmalloc_size_roundup(size); }

void* __kmalloc_node_track_caller(size_t size, gfp_t flags, int node, unsigned long caller) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kmalloc_node_track_caller")) return nullptr;
  return k.kmalloc_impl(size, flags, node, reinterpret_cast<const void*>(caller));
}

// ---- kvmalloc -----------------------------------------------------------------------------

void* kvmalloc_node(size_t size, gfp_t flags, int node) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kvmalloc_node")) return nullptr;
  return kmem::capi::kvmalloc_impl(k, size, flags, node, KMEM_CALLER);
}

void* kvmalloc(size_t size, gfp_t flags) {
  return kmem::capi::kvmalloc_impl(current_kernel(), size, flags, NUMA_NO_NODE, KMEM_CALLER);
}

void* kvzalloc(size_t size, gfp_t flags) {
  return kmem::capi::kvmalloc_impl(current_kernel(), size, flags | __GFP_ZERO, NUMA_NO_NODE,
                                   KMEM_CALLER);
}

void* kvzalloc_node(size_t size, gfp_t flags, int node) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kvzalloc_node")) return nullptr;
  return kmem::capi::kvmalloc_impl(k, size, flags | __GFP_ZERO, node, KMEM_CALLER);
}

void* kvmalloc_array(size_t n, size_t size, gfp_t flags) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  return kmem::capi::kvmalloc_impl(current_kernel(), bytes, flags, NUMA_NO_NODE, KMEM_CALLER);
}

void* kvmalloc_array_node(size_t n, size_t size, gfp_t flags, int node) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kvmalloc_array_node")) return nullptr;
  return kmem::capi::kvmalloc_impl(k, bytes, flags, node, KMEM_CALLER);
}

void* kvcalloc(size_t n, size_t size, gfp_t flags) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  return kmem::capi::kvmalloc_impl(current_kernel(), bytes, flags | __GFP_ZERO, NUMA_NO_NODE,
                                   KMEM_CALLER);
}

void* kvcalloc_node(size_t n, size_t size, gfp_t flags, int node) {
  size_t bytes;
  if (__builtin_expect(check_mul_overflow(n, size, &bytes), 0)) return nullptr;
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, node, "kvcalloc_node")) return nullptr;
  return kmem::capi::kvmalloc_impl(k, bytes, flags | __GFP_ZERO, node, KMEM_CALLER);
}

// kvrealloc_node_align_noprof() without the vmalloc branch: krealloc with
// kvmalloc's gentle flags, then a fresh kvmalloc and a copy of the old
// bucket.
void* kvrealloc(const void* p, size_t size, gfp_t flags) {
  kmem::Kernel& k = current_kernel();
  void* n = k.krealloc(p, size, kmem::capi::kmalloc_gfp_adjust(flags, size));
  if (n != nullptr) return n;
  const size_t old = k.ksize(p);
  // krealloc() has reported a pointer that is not a kmalloc object: no copy.
  if (!ZERO_OR_NULL_PTR(p) && old == 0) return nullptr;
  n = kmem::capi::kvmalloc_impl(k, size, flags, NUMA_NO_NODE, KMEM_CALLER);
  if (n == nullptr) return nullptr;
  if (!ZERO_OR_NULL_PTR(p)) {
    std::memcpy(n, p, old < size ? old : size);
    k.kfree(p);
  }
  return n;
}

void kvfree(const void* addr) { current_kernel().kfree(addr); }

void kvfree_sensitive(const void* addr, size_t len) {
  if (__builtin_expect(!ZERO_OR_NULL_PTR(addr), 1)) {
    kmem::capi::memzero_explicit(const_cast<void*>(addr), len);
    current_kernel().kfree(addr);
  }
}

// ---- <linux/string.h> ---------------------------------------------------------------------

void* kmemdup(const void* src, size_t len, gfp_t gfp) {
  void* p = current_kernel().kmalloc_impl(len, gfp, NUMA_NO_NODE, KMEM_CALLER);
  if (p != nullptr && len != 0) std::memcpy(p, src, len);
  return p;
}

void* kmemdup_array(const void* src, size_t count, size_t element_size, gfp_t gfp) {
  const size_t len = size_mul(element_size, count);
  void* p = current_kernel().kmalloc_impl(len, gfp, NUMA_NO_NODE, KMEM_CALLER);
  if (p != nullptr && len != 0) std::memcpy(p, src, len);
  return p;
}

char* kmemdup_nul(const char* s, size_t len, gfp_t gfp) {
  if (s == nullptr || len == SIZE_MAX) return nullptr;
  auto* buf =
      static_cast<char*>(current_kernel().kmalloc_impl(len + 1, gfp, NUMA_NO_NODE, KMEM_CALLER));
  if (buf != nullptr) {
    std::memcpy(buf, s, len);
    buf[len] = '\0';
  }
  return buf;
}

char* kstrdup(const char* s, gfp_t gfp) {
  if (s == nullptr) return nullptr;
  const size_t len = std::strlen(s) + 1;
  auto* buf =
      static_cast<char*>(current_kernel().kmalloc_impl(len, gfp, NUMA_NO_NODE, KMEM_CALLER));
  if (buf != nullptr) {
    std::memcpy(buf, s, len);
    buf[len - 1] = '\0';  // s may have grown meanwhile
  }
  return buf;
}

char* kstrndup(const char* s, size_t max, gfp_t gfp) {
  if (s == nullptr) return nullptr;
  const size_t len = strnlen(s, max);
  auto* buf =
      static_cast<char*>(current_kernel().kmalloc_impl(len + 1, gfp, NUMA_NO_NODE, KMEM_CALLER));
  if (buf != nullptr) {
    std::memcpy(buf, s, len);
    buf[len] = '\0';
  }
  return buf;
}

// Linux returns s itself when it lies in the kernel's .rodata. A hosted
// process has no such test that holds for every string a caller may pass
// (literals, other libraries' constants, mapped files), so kmem always
// copies (docs/deviations.md).
const char* kstrdup_const(const char* s, gfp_t gfp) {
  if (s == nullptr) return nullptr;
  const size_t len = std::strlen(s) + 1;
  auto* buf =
      static_cast<char*>(current_kernel().kmalloc_impl(len, gfp, NUMA_NO_NODE, KMEM_CALLER));
  if (buf != nullptr) {
    std::memcpy(buf, s, len);
    buf[len - 1] = '\0';
  }
  return buf;
}

// Frees x when it is memory of the machine (kfree() reports one that is not
// a kmalloc object); any other pointer stands for a string kstrdup_const()
// would have returned as is, and is left alone.
void kfree_const(const void* x) {
  kmem::Kernel& k = current_kernel();
  if (!ZERO_OR_NULL_PTR(x) && k.virt_addr_valid(x)) k.kfree(x);
}

}  // extern "C"
