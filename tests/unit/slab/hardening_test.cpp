// SPDX-License-Identifier: MIT
// Hardening without slub_debug (CONFIG_SLAB_FREELIST_HARDENED and
// CONFIG_SLAB_FREELIST_RANDOM in Linux, and kmem's reports of bad frees):
// immediate double frees, invalid pointers, the wrong cache, obfuscated
// freelist pointers and randomised freelists. A detected misuse is
// reported and leaves the allocator intact.
#include <algorithm>
#include <random>
#include <vector>

#include "helpers.h"

namespace kmem_test {
namespace {

using Hardening = SlabTest;

TEST_F(Hardening, ImmediateDoubleFreeIsReportedAndHarmless) {
  KmemCache* s = create("df_cache", 64, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  void* keep = k().kmem_cache_alloc(s, gfp::KERNEL);
  void* a = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_TRUE(keep && a);
  k().kmem_cache_free(s, a);
  k().kmem_cache_free(s, a);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "double free")) << log;
  EXPECT_EQ(bad_frees(), 1u);
  // Not corrupted: a is free once; the next two allocations differ.
  void* x = k().kmem_cache_alloc(s, gfp::KERNEL);
  void* y = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_TRUE(x && y);
  EXPECT_NE(x, y);
  EXPECT_TRUE(x == a || y == a);
  EXPECT_TRUE(slab_ok(k()));
  for (void* o : {x, y, keep}) k().kmem_cache_free(s, o);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(bad_frees(), 1u);
  k().kmem_cache_destroy(s);
}

TEST_F(Hardening, ImmediateDoubleKfreeIsReported) {
  void* a = k().kmalloc(200, gfp::KERNEL);
  ASSERT_NE(a, nullptr);
  k().kfree(a);
  k().kfree(a);
  EXPECT_TRUE(contains(m().take_log(), "double free"));
  EXPECT_EQ(bad_frees(), 1u);
  void* x = k().kmalloc(200, gfp::KERNEL);
  void* y = k().kmalloc(200, gfp::KERNEL);
  EXPECT_NE(x, y);
  k().kfree(x);
  k().kfree(y);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Hardening, DoubleFreeCaughtWhateverTheSheafFill) {
  // Every fill level of the CPU's sheaf, including full (the free goes to
  // the slow path) and just emptied into the barn.
  KmemCache* s = create("df_levels", 32, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  for (unsigned n = 1; n <= 200; ++n) {
    std::vector<void*> objs(n);
    for (void*& o : objs) {
      o = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(o, nullptr);
    }
    for (void* o : objs) k().kmem_cache_free(s, o);
    k().kmem_cache_free(s, objs.back());
    ASSERT_EQ(bad_frees(), n) << "double free not detected after " << n << " frees";
    ASSERT_TRUE(slab_ok(k())) << n;
  }
  // Nothing was freed twice: two rounds of allocations never overlap.
  std::vector<void*> all(500);
  std::set<void*> uniq;
  for (void*& o : all) {
    o = k().kmem_cache_alloc(s, gfp::KERNEL);
    EXPECT_TRUE(uniq.insert(o).second);
  }
  for (void* o : all) k().kmem_cache_free(s, o);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  k().kmem_cache_destroy(s);
  m().take_log();
}

TEST_F(Hardening, DoubleFreeOnTheSharedPath) {
  // A thread that owns no CPU slot frees to the slab directly: the object
  // is then the slab's freelist head, and Linux's set_freepointer() check
  // (object == fp) catches a second free of it.
  KmemCache* s = create("df_shared", 64, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  on_cpu(0, [&] {
    ASSERT_FALSE(k().this_cpu().exclusive);
    std::vector<void*> keep;
    for (int i = 0; i < 10; ++i) keep.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
    void* a = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(a, nullptr);
    k().kmem_cache_free(s, a);
    k().kmem_cache_free(s, a);
    EXPECT_EQ(bad_frees(), 1u);
    EXPECT_TRUE(slab_ok(k()));
    void* x = k().kmem_cache_alloc(s, gfp::KERNEL);
    void* y = k().kmem_cache_alloc(s, gfp::KERNEL);
    EXPECT_NE(x, y);
    if (x != y) {
      k().kmem_cache_free(s, x);
      k().kmem_cache_free(s, y);
    }
    for (void* o : keep) k().kmem_cache_free(s, o);
  });
  EXPECT_TRUE(contains(m().take_log(), "double free"));
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Hardening, KfreeOfAStackAddress) {
  int local[4] = {1, 2, 3, 4};
  const u64 before = bad_frees();
  k().kfree(&local[1]);
  EXPECT_EQ(bad_frees(), before + 1);
  std::string log = m().take_log();
  char want[64];
  std::snprintf(want, sizeof want, "kfree(0x%lx)", static_cast<unsigned long>(addr(&local[1])));
  EXPECT_TRUE(contains(log, want)) << log;
  EXPECT_EQ(local[1], 2);
  void* p = k().kmalloc(64, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k().kfree(p);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Hardening, KfreeInsideAnObject) {
  auto* p = static_cast<u8*>(k().kmalloc(128, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x21, 128);
  k().kfree(p + 8);
  std::string log = m().take_log();
  EXPECT_EQ(bad_frees(), 1u) << log;
  EXPECT_TRUE(contains(log, "Invalid object pointer")) << log;
  EXPECT_TRUE(slab_ok(k()));
  // The bogus pointer never comes back, p is still allocated.
  std::vector<void*> objs;
  for (int i = 0; i < 300; ++i) {
    void* o = k().kmalloc(128, gfp::KERNEL);
    ASSERT_NE(o, nullptr);
    ASSERT_NE(o, p + 8);
    ASSERT_NE(o, p);
    ASSERT_EQ(addr(o) % 128, 0u);
    objs.push_back(o);
  }
  for (int i = 0; i < 128; ++i) ASSERT_EQ(p[i], 0x21);
  for (void* o : objs) k().kfree(o);
  k().kfree(p);
  EXPECT_EQ(bad_frees(), 1u);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Hardening, KfreeOfAPageAllocatorPage) {
  for (unsigned order : {0u, 2u}) {
    Page* pg = k().alloc_pages(gfp::KERNEL, order);
    ASSERT_NE(pg, nullptr);
    auto* va = static_cast<u8*>(k().page_address(pg));
    const u64 before = bad_frees();
    k().kfree(va);
    k().kfree(va + PAGE_SIZE / 2);
    EXPECT_EQ(bad_frees(), before + 2) << "order " << order;
    EXPECT_TRUE(contains(m().take_log(), "Not a kmalloc allocation"));
    // Still the caller's: allocated, and freed normally without a report.
    EXPECT_TRUE(k().block_is_allocated(pg, order));
    k().free_pages(pg, order);
    EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
    EXPECT_TRUE(pages_ok(k()));
  }
}

TEST_F(Hardening, BadFreesOfLargeKmalloc) {
  auto* big = static_cast<u8*>(k().kmalloc(20000, gfp::KERNEL));
  ASSERT_NE(big, nullptr);
  Page* head = k().virt_to_page(big);
  k().kfree(big + PAGE_SIZE);  // inside, not the start
  EXPECT_EQ(bad_frees(), 1u);
  EXPECT_TRUE(k().block_is_allocated(head, 3));
  k().kfree(big);
  EXPECT_EQ(bad_frees(), 1u);
  EXPECT_FALSE(k().block_is_allocated(head, 3));
  // A second kfree of the freed pages: no longer a large kmalloc.
  k().kfree(big);
  EXPECT_EQ(bad_frees(), 2u);
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_TRUE(pages_ok(k()));
  m().take_log();
}

TEST_F(Hardening, KmemCacheFreeOfANonSlabObject) {
  KmemCache* s = create("nonslab", 64, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  int local = 0;
  k().kmem_cache_free(s, &local);
  void* big = k().kmalloc(3 * PAGE_SIZE, gfp::KERNEL);
  k().kmem_cache_free(s, big);
  EXPECT_EQ(bad_frees(), 2u);
  EXPECT_EQ(k().ksize(big), 4 * PAGE_SIZE);  // untouched
  k().kfree(big);
  k().kmem_cache_destroy(s);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Hardening, WrongCacheIsReportedAndFreedToTheRightOne) {
  KmemCache* a = create("wc_a", 64, SLAB_NO_MERGE);
  KmemCache* b = create("wc_b", 64, SLAB_NO_MERGE);
  ASSERT_TRUE(a && b);
  void* o = k().kmem_cache_alloc(a, gfp::KERNEL);
  ASSERT_NE(o, nullptr);
  void* from_b = k().kmem_cache_alloc(b, gfp::KERNEL);
  k().kmem_cache_free(b, o);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "kmem_cache_free: Wrong slab cache. wc_b but object is from wc_a"))
      << log;
  EXPECT_EQ(bad_frees(), 1u);
  EXPECT_TRUE(slab_ok(k()));
  // cache_from_obj() freed it to its real cache: a hands it out again, b never.
  for (int i = 0; i < 100; ++i) {
    void* x = k().kmem_cache_alloc(b, gfp::KERNEL);
    ASSERT_NE(x, o);
    k().kmem_cache_free(b, x);
  }
  EXPECT_EQ(k().kmem_cache_alloc(a, gfp::KERNEL), o);
  k().kmem_cache_free(a, o);
  k().kmem_cache_free(b, from_b);
  EXPECT_EQ(k().kmem_cache_shrink(a), 0);
  EXPECT_EQ(k().kmem_cache_shrink(b), 0);
  k().kmem_cache_destroy(b);
  k().kmem_cache_destroy(a);
  EXPECT_EQ(bad_frees(), 1u);
}

TEST_F(Hardening, FreePointerInTheMiddleOfTheObject) {
  // calculate_sizes(): ALIGN_DOWN(object_size / 2, sizeof(void *)) since 5.7.
  for (unsigned size : {8u, 24u, 64u, 100u, 1000u}) {
    std::string name = "fp-" + std::to_string(size);
    KmemCache* s = create(name.c_str(), size, SLAB_NO_MERGE);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->offset, size / 2 / 8 * 8) << size;
    k().kmem_cache_destroy(s);
  }
  EXPECT_EQ(k().kmalloc_slab(96, gfp::KERNEL)->offset, 48u);
}

TEST_F(Hardening, FreelistPointersAreObfuscated) {
  KmemCache* s = create("obf", 64, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  const unsigned per_slab = info(s).objperslab;
  ASSERT_GE(per_slab, 32u);
  std::vector<void*> objs;
  for (unsigned i = 0; i < per_slab; ++i) objs.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
  // Keep one object of the first slab; everything else goes back to the
  // slabs (the shrink flushes the sheaves), the others are discarded.
  void* keep = objs[0];
  Page* slab = slab_of(keep);
  for (size_t i = 1; i < objs.size(); ++i) k().kmem_cache_free(s, objs[i]);
  EXPECT_EQ(k().kmem_cache_shrink(s), 1);
  ASSERT_EQ(info(s).num_slabs, 1u);
  ASSERT_TRUE(slab->flags_relaxed() & PG_slab);
  const uintptr_t base = addr(k().page_to_virt_raw(slab));
  const uintptr_t end = base + (PAGE_SIZE << slab->order);
  const unsigned objects = slab_objects(slab);
  unsigned free_seen = 0, plain = 0, zero = 0;
  std::set<uintptr_t> words;
  for (unsigned i = 0; i < objects; ++i) {
    const uintptr_t obj = base + size_t(i) * s->size;
    if (obj == addr(keep)) continue;
    ++free_seen;
    const uintptr_t w = *reinterpret_cast<const uintptr_t*>(obj + s->offset);
    if (w >= base && w < end) ++plain;
    if (w == 0) ++zero;
    words.insert(w);
  }
  EXPECT_EQ(free_seen, objects - 1);
  EXPECT_EQ(plain, 0u) << "free objects hold plain pointers into their slab";
  EXPECT_EQ(zero, 0u) << "the list's end is a plain NULL";
  EXPECT_EQ(words.size(), free_seen);  // every stored link differs
  // Decoded, the links form one list through every free object.
  std::set<void*> listed;
  for (void* p = slab_freelist(slab); p != nullptr; p = get_freepointer(s, p)) {
    ASSERT_TRUE(listed.insert(p).second) << "cycle";
    ASSERT_GE(addr(p), base);
    ASSERT_LT(addr(p), end);
    ASSERT_LE(listed.size(), objects);
  }
  EXPECT_EQ(listed.size(), objects - 1);
  EXPECT_EQ(listed.count(keep), 0u);
  k().kmem_cache_free(s, keep);
  k().kmem_cache_destroy(s);
}

TEST_F(Hardening, NewSlabsHandOutObjectsInRandomOrder) {
  // CONFIG_SLAB_FREELIST_RANDOM: the first objects of a new slab do not
  // come in address order, and caches do not share one order.
  constexpr int kCaches = 8;
  std::vector<std::vector<long>> orders;
  int in_address_order = 0;
  for (int c = 0; c < kCaches; ++c) {
    std::string name = "rand-" + std::to_string(c);
    KmemCache* s = create(name.c_str(), 128, SLAB_NO_MERGE);
    ASSERT_NE(s, nullptr);
    std::vector<void*> objs;
    std::vector<long> idx;
    for (int i = 0; i < 16; ++i) {
      void* o = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(o, nullptr);
      objs.push_back(o);
      Page* slab = slab_of(o);
      ASSERT_EQ(slab, slab_of(objs[0])) << "the first 16 objects span slabs";
      idx.push_back(long((addr(o) - addr(k().page_to_virt_raw(slab))) / s->size));
    }
    const bool up = std::is_sorted(idx.begin(), idx.end());
    const bool down = std::is_sorted(idx.rbegin(), idx.rend());
    if (up || down) ++in_address_order;
    orders.push_back(idx);
    for (void* o : objs) k().kmem_cache_free(s, o);
    k().kmem_cache_destroy(s);
  }
  EXPECT_LE(in_address_order, 3) << "most new slabs hand out objects in address order";
  std::set<std::vector<long>> distinct(orders.begin(), orders.end());
  EXPECT_GE(distinct.size(), 4u) << "caches share one object order";
}

// kfree's object check has two forms (slab.h, KmemCache::free_mask): one AND
// for caches whose slabs are filled exactly by a power-of-two stride, the
// full offset check for the rest. Every kmalloc class, a left red zone, an
// odd user size and a slab of order > 0: each object start is accepted and
// nothing else is.
TEST_F(Hardening, ObjectCheckOfEveryGeometry) {
  struct Case {
    const char* name;
    unsigned size;
    slab_flags_t flags;
    bool exact;
  };
  const Case cases[] = {
      {"geo-8", 8, SLAB_NO_MERGE, true},     {"geo-64", 64, SLAB_NO_MERGE, true},
      {"geo-96", 96, SLAB_NO_MERGE, false},  {"geo-192", 192, SLAB_NO_MERGE, false},
      {"geo-2k", 2048, SLAB_NO_MERGE, true}, {"geo-8k", 8192, SLAB_NO_MERGE, true},
      {"geo-40", 40, SLAB_NO_MERGE, false},  {"geo-700", 700, SLAB_NO_MERGE, false},
      {"geo-rz", 64, SLAB_RED_ZONE, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    KmemCache* s = create(c.name, c.size, c.flags);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->free_mask != 0, c.exact) << "size " << s->size << " order " << s->order;
    std::vector<u8*> objs;
    for (unsigned i = 0; i < 3 * s->objects; ++i) {
      auto* o = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
      ASSERT_NE(o, nullptr);
      objs.push_back(o);
    }
    u64 expected = bad_frees();
    // Offsets that are never an object start: one byte and one word in, and
    // the middle and the last byte of the object.
    for (unsigned off : {1u, 8u, c.size / 2, c.size - 1}) {
      if (off % s->size == 0) continue;  // 8 is the next object of geo-8
      for (size_t i = 0; i < objs.size(); i += 7) {
        k().kmem_cache_free(s, objs[i] + off);
        ++expected;
        ASSERT_EQ(bad_frees(), expected) << "offset " << off << " of object " << i;
      }
    }
    m().take_log();
    ASSERT_TRUE(slab_ok(k()));
    for (u8* o : objs) k().kmem_cache_free(s, o);
    EXPECT_EQ(bad_frees(), expected) << "a real object start was rejected";
    EXPECT_TRUE(slab_ok(k()));
    k().kmem_cache_destroy(s);
  }
  m().take_log();
}

// A debug cache never takes the sheaves, although the inline fast paths do
// not test for it (slab_fast.h): the empty main sheaf sends every object
// through the slab path, where slub_debug's checks run.
TEST_F(Hardening, DebugCacheBypassesTheSheaves) {
  KmemCache* s = create("dbg-bypass", 64, SLAB_RED_ZONE | SLAB_POISON);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->bypass_sheaves);
  std::vector<void*> objs;
  for (int i = 0; i < 200; ++i) objs.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
  for (void* o : objs) k().kmem_cache_free(s, o);
  const CacheCpu& pc = cache_cpu(s, 0);
  EXPECT_EQ(pc.main->capacity, 0u);
  EXPECT_EQ(pc.spare, nullptr);
  EXPECT_EQ(pc.stat[ALLOC_FASTPATH].get(), 0u);
  EXPECT_EQ(pc.stat[FREE_FASTPATH].get(), 0u);
  EXPECT_TRUE(slab_ok(k()));
  k().kmem_cache_destroy(s);
  EXPECT_EQ(m().take_log(), "");
}

// The fast paths count in the main sheaf's size word (slab.h) and the counts
// reach the cache's statistics when a slot is entered on a slow path or when
// slabinfo takes stock: every single alloc and free is counted exactly once,
// however the sheaves were swapped, traded and flushed in between.
TEST_F(Hardening, FastPathCountsAreConserved) {
  KmemCache* s = create("stat-conserve", 64, 0);
  ASSERT_NE(s, nullptr);
  std::mt19937 rng(11);
  std::vector<void*> live;
  u64 allocs = 0, frees = 0;
  for (int i = 0; i < 20000; ++i) {
    if (live.empty() || (live.size() < 700 && rng() % 100 < 52)) {
      void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      live.push_back(p);
      ++allocs;
    } else {
      size_t j = rng() % 4 == 0 ? rng() % live.size() : live.size() - 1;
      k().kmem_cache_free(s, live[j]);
      live[j] = live.back();
      live.pop_back();
      ++frees;
    }
    if (i % 5000 == 4999) {
      SlabInfo in;
      k().slab_info(s, in);
      ASSERT_EQ(in.stat[ALLOC_FASTPATH] + in.stat[ALLOC_SLOWPATH], allocs) << "after op " << i;
      ASSERT_EQ(in.stat[FREE_FASTPATH] + in.stat[FREE_SLOWPATH], frees) << "after op " << i;
      ASSERT_TRUE(slab_ok(k()));
    }
  }
  for (void* p : live) k().kmem_cache_free(s, p);
  frees += live.size();
  k().kmem_cache_shrink(s);
  SlabInfo in;
  k().slab_info(s, in);
  EXPECT_EQ(in.stat[ALLOC_FASTPATH] + in.stat[ALLOC_SLOWPATH], allocs);
  EXPECT_EQ(in.stat[FREE_FASTPATH] + in.stat[FREE_SLOWPATH], frees);
  EXPECT_GT(in.stat[ALLOC_FASTPATH], allocs / 2);
  EXPECT_GT(in.stat[FREE_FASTPATH], frees / 2);
  EXPECT_GT(in.stat[ALLOC_SLOWPATH], 0u);
  EXPECT_TRUE(slab_ok(k()));
  k().kmem_cache_destroy(s);
  EXPECT_EQ(m().take_log(), "");
}

}  // namespace
}  // namespace kmem_test
