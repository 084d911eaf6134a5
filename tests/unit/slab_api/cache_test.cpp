// SPDX-License-Identifier: MIT
// The slab layer's C++ API: kmem::Cache<T> (kmem/slab.hpp) as an RAII
// typed cache, and Machine's kmalloc family and kmem_cache_* calls, seen
// through /proc/slabinfo and the slab invariants.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kmem/machine.hpp"
#include "kmem/slab.hpp"

namespace kmem {
namespace {

constexpr const char* kCmdline = "mem=256M cpus=2";

struct Inode {
  unsigned long ino;
  char name[40];
};

struct alignas(64) Aligned {
  char bytes[72];
};

template <typename T, int N>
struct Box {
  T items[N];
};

namespace inner {
struct Nested {
  int x[11];
};
}  // namespace inner

struct Counted {
  static inline int live = 0;
  int value;
  explicit Counted(int v) : value(v) { ++live; }
  ~Counted() { --live; }
};

// The slabinfo row of cache name, or "" if it is not listed.
std::string slabinfo_row(Machine& m, const std::string& name) {
  std::string text = m.proc("slabinfo");
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return "";
  size_t end = text.find('\n', at + 1);
  return text.substr(at + 1, end - at - 1);
}

void expect_invariants(Machine& m) {
  std::string why;
  EXPECT_TRUE(m.slab_check_invariants(&why)) << why;
}

TEST(SlabCacheName, IsTheUnqualifiedTypeName) {
  EXPECT_EQ(slab::type_cache_name<Inode>(), "Inode");
  EXPECT_EQ(slab::type_cache_name<inner::Nested>(), "Nested");
  EXPECT_EQ((slab::type_cache_name<Box<int, 3>>()), "Box<int,3>");
}

TEST(SlabCache, CreatesOnConstructionAndDestroysOnDestruction) {
  Machine m(kCmdline);
  {
    Cache<Inode> inodes(m, slab::NO_MERGE);
    ASSERT_NE(inodes.get(), nullptr);
    EXPECT_NE(slabinfo_row(m, "Inode"), "");
    Inode* i = inodes.alloc(gfp::KERNEL);
    ASSERT_NE(i, nullptr);
    i->ino = 42;
    std::strcpy(i->name, "vmlinuz");
    EXPECT_NE(slabinfo_row(m, "Inode"), "");
    inodes.free(i);
    expect_invariants(m);
  }
  EXPECT_EQ(slabinfo_row(m, "Inode"), "");
  expect_invariants(m);
  EXPECT_EQ(m.take_log().find("still has objects"), std::string::npos);
}

TEST(SlabCache, HonoursTheTypesSizeAndAlignment) {
  Machine m(kCmdline);
  Cache<Aligned> c(m);
  std::vector<Aligned*> objs;
  for (int i = 0; i < 50; ++i) {
    Aligned* a = c.alloc(gfp::KERNEL | gfp::ZERO);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
    for (char b : a->bytes) EXPECT_EQ(b, 0);
    std::memset(a->bytes, i, sizeof a->bytes);
    objs.push_back(a);
  }
  for (int i = 0; i < 50; ++i)
    for (char b : objs[i]->bytes) ASSERT_EQ(b, char(i));  // no two objects overlap
  for (Aligned* a : objs) c.free(a);
  EXPECT_EQ(m.ksize(nullptr), 0u);
  expect_invariants(m);
}

TEST(SlabCache, CreateAndDestroyRunConstructorsAndDestructors) {
  Machine m(kCmdline);
  Cache<Counted> c(m, 0, "counted");
  EXPECT_NE(slabinfo_row(m, "counted"), "");
  Counted* a = c.create(gfp::KERNEL, 7);
  Counted* b = c.create(gfp::KERNEL, 8);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Counted::live, 2);
  EXPECT_EQ(a->value + b->value, 15);
  c.destroy(a);
  c.destroy(b);
  c.destroy(nullptr);
  EXPECT_EQ(Counted::live, 0);
  EXPECT_EQ(c.validate(), 0u);
  EXPECT_EQ(c.shrink(), 0);
}

TEST(SlabCache, MovesOwnership) {
  Machine m(kCmdline);
  Cache<inner::Nested> a(m, slab::NO_MERGE);
  KmemCache* s = a.get();
  Cache<inner::Nested> b(std::move(a));
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(b.get(), s);
  inner::Nested* n = b.alloc();
  ASSERT_NE(n, nullptr);
  b.free(n);
}

TEST(SlabCache, ConstructorRunsWhenASlabIsMade) {
  Machine m(kCmdline);
  static int calls;
  calls = 0;
  Cache<Inode> c(m, 0, "inode_ctor", [](void* p) {
    static_cast<Inode*>(p)->ino = 0xfeed;
    ++calls;
  });
  Inode* i = c.alloc();
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->ino, 0xfeedu);
  EXPECT_GE(calls, 1);
  c.free(i);
}

TEST(SlabCache, DestroyWithLiveObjectsIsReported) {
  Machine m(kCmdline);
  m.take_log();
  {
    Cache<Inode> c(m, slab::NO_MERGE, "leaky");
    ASSERT_NE(c.alloc(), nullptr);
  }
  std::string log = m.take_log();
  EXPECT_NE(log.find("BUG leaky ("), std::string::npos) << log;
  EXPECT_NE(log.find("Objects remaining"), std::string::npos) << log;
  EXPECT_NE(log.find("kmem_cache_destroy leaky: Slab cache still has objects"), std::string::npos)
      << log;
  EXPECT_EQ(slabinfo_row(m, "leaky"), "");  // unlisted (and leaked)
}

TEST(SlabCache, BadCreationThrows) {
  Machine m(kCmdline);
  struct Huge {
    char b[8 << 20];
  };
  EXPECT_THROW((Cache<Huge>(m)), std::runtime_error);
}

TEST(MachineSlab, KmallocFamily) {
  Machine m(kCmdline);
  EXPECT_EQ(m.kmalloc(0, gfp::KERNEL), reinterpret_cast<void*>(16));
  m.kfree(nullptr);
  m.kfree(reinterpret_cast<void*>(16));
  char* p = static_cast<char*>(m.kmalloc(100, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(m.ksize(p), 128u);
  std::memcpy(p, "kmem", 5);
  char* q = static_cast<char*>(m.krealloc(p, 120, gfp::KERNEL));
  EXPECT_EQ(q, p);
  q = static_cast<char*>(m.krealloc(q, 5000, gfp::KERNEL));
  ASSERT_NE(q, nullptr);
  EXPECT_STREQ(q, "kmem");
  EXPECT_EQ(m.ksize(q), 8192u);
  EXPECT_EQ(m.krealloc(q, 0, gfp::KERNEL), reinterpret_cast<void*>(16));
  auto* z = static_cast<unsigned char*>(m.kzalloc(3000, gfp::KERNEL, 0));
  ASSERT_NE(z, nullptr);
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(z[i], 0);
  m.kfree(z);
  void* big = m.kmalloc(1 << 20, gfp::KERNEL);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(m.ksize(big), 1u << 20);
  m.kfree(big);
  EXPECT_THROW(m.kmalloc(8, gfp::KERNEL, 5), std::invalid_argument);
  expect_invariants(m);
}

TEST(MachineSlab, CachesAndBulk) {
  Machine m(kCmdline);
  KmemCache* s = m.kmem_cache_create("bulk_cache", 72, 8, slab::HWCACHE_ALIGN | slab::NO_MERGE);
  ASSERT_NE(s, nullptr);
  std::vector<void*> objs(300);
  ASSERT_EQ(m.kmem_cache_alloc_bulk(s, gfp::KERNEL, objs.size(), objs.data()), 300);
  for (void* o : objs) EXPECT_EQ(reinterpret_cast<uintptr_t>(o) % 64, 0u);
  std::string row = slabinfo_row(m, "bulk_cache");
  ASSERT_NE(row, "");
  unsigned long active = 0, total = 0;
  ASSERT_EQ(std::sscanf(row.c_str(), "bulk_cache %lu %lu", &active, &total), 2);
  EXPECT_GE(active, 300u);
  EXPECT_GE(total, active);
  expect_invariants(m);
  m.kmem_cache_free_bulk(s, objs.size(), objs.data());
  void* one = m.kmem_cache_alloc(s, gfp::KERNEL, 0);
  ASSERT_NE(one, nullptr);
  m.kmem_cache_free(s, one);
  EXPECT_EQ(m.kmem_cache_shrink(s), 0);
  EXPECT_EQ(m.slab_validate(s), 0u);
  expect_invariants(m);
  m.kmem_cache_destroy(s);
  m.kmem_cache_destroy(nullptr);
  EXPECT_THROW(m.kmem_cache_alloc(nullptr, gfp::KERNEL), std::invalid_argument);
  EXPECT_EQ(m.kmem_cache_create("", 0), nullptr);  // size 0: integrity check fails
}

TEST(MachineSlab, SlabinfoThroughProc) {
  Machine m(kCmdline);
  std::string text = m.proc("slabinfo");
  EXPECT_EQ(text.rfind("slabinfo - version: 2.1\n# name ", 0), 0u);
  EXPECT_NE(text.find("\nkmalloc-1k "), std::string::npos);
  std::string stats = m.proc("slab_stats");
  EXPECT_EQ(stats.rfind("# name ", 0), 0u);
  EXPECT_NE(stats.find("\nkmalloc-1k "), std::string::npos);
}

}  // namespace
}  // namespace kmem
