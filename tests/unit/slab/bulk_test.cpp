// SPDX-License-Identifier: MIT
// kmem_cache_alloc_bulk / kmem_cache_free_bulk / kfree_bulk: distinct
// objects, all or nothing on failure, mixed caches in kfree_bulk.
#include "helpers.h"

namespace kmem_test {
namespace {

using Bulk = SlabTest;

TEST_F(Bulk, AllocReturnsDistinctObjects) {
  KmemCache* s = create("bulk_cache", 96, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  for (size_t n : {size_t(1), size_t(7), size_t(62), size_t(63), size_t(500), size_t(3000)}) {
    std::vector<void*> p(n, nullptr);
    ASSERT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL, n, p.data()), int(n)) << n;
    std::set<void*> seen;
    for (void* o : p) {
      ASSERT_NE(o, nullptr);
      EXPECT_TRUE(seen.insert(o).second) << "duplicate in a bulk of " << n;
      EXPECT_EQ(k().virt_to_cache(o), s);
      Page* slab = slab_of(o);
      EXPECT_TRUE(k().slab_object_ok(s, slab, o));
      std::memset(o, 0x3d, 96);  // every object usable
    }
    EXPECT_TRUE(slab_ok(k())) << n;
    k().kmem_cache_free_bulk(s, n, p.data());
    EXPECT_TRUE(slab_ok(k())) << n;
  }
  // Bulk and single allocations never hand out the same object twice.
  std::vector<void*> a(200);
  ASSERT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL, a.size(), a.data()), 200);
  std::set<void*> live(a.begin(), a.end());
  for (int i = 0; i < 200; ++i) {
    void* o = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(o, nullptr);
    EXPECT_TRUE(live.insert(o).second);
    a.push_back(o);
  }
  k().kmem_cache_free_bulk(s, a.size(), a.data());
  EXPECT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL, 0, a.data()), 0);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bad_frees(), 0u);
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(Bulk, FreeBulkReturnsEverything) {
  KmemCache* s = create("bulk_free", 512, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  const unsigned long slab_before = slab_pages_net();
  std::vector<void*> p(1000);
  ASSERT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL, p.size(), p.data()), 1000);
  EXPECT_GT(slab_pages_net(), slab_before);
  // Freed in an interleaved order (objects of many slabs mixed).
  std::vector<void*> shuffled;
  for (size_t i = 0; i < p.size(); i += 2) shuffled.push_back(p[i]);
  for (size_t i = 1; i < p.size(); i += 2) shuffled.push_back(p[i]);
  k().kmem_cache_free_bulk(s, shuffled.size(), shuffled.data());
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  EXPECT_EQ(slab_pages_net(), slab_before);
  k().kmem_cache_destroy(s);
}

TEST_F(Bulk, KfreeBulkMixesCachesAndLargeKmalloc) {
  const size_t sizes[] = {8, 24, 96, 100, 192, 700, 4000, 8192, 9000, 70000};
  auto shrink_all = [&] {
    for (size_t sz : sizes)
      if (KmemCache* s = k().kmalloc_slab(sz, gfp::KERNEL)) k().kmem_cache_shrink(s);
  };
  shrink_all();  // empty slabs from boot go first, so that the count compares
  const unsigned long free_before = free_pages_net();
  std::vector<void*> p;
  for (int round = 0; round < 30; ++round)
    for (size_t sz : sizes) {
      void* o = k().kmalloc(sz, gfp::KERNEL);
      ASSERT_NE(o, nullptr);
      p.push_back(o);
    }
  p.push_back(nullptr);  // ignored, as kfree(NULL)
  p.push_back(ZERO_SIZE_PTR);
  k().kmem_cache_free_bulk(nullptr, p.size(), p.data());
  EXPECT_EQ(bad_frees(), 0u);
  EXPECT_EQ(k().bug_count(BUG_SLAB), 0u);
  EXPECT_TRUE(slab_ok(k()));
  // Every object went back: after shrinking the kmalloc caches the free
  // page count is what it was.
  shrink_all();
  EXPECT_EQ(free_pages_net(), free_before);
  EXPECT_EQ(m().take_log(), "");
}

class BulkTiny : public SlabTest {
  // Small, and no kswapd: nothing frees memory behind the test's back.
  const char* cmdline() const override { return "mem=32M cpus=2 kswapd=0"; }
};

TEST_F(BulkTiny, AllocBulkIsAllOrNothing) {
  KmemCache* s = create("bulk_tiny", 256, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  // Take every page GFP_ATOMIC can get, then give a few back: some slabs
  // can be made, not enough for the request.
  std::vector<Page*> hog;
  while (Page* pg = k().alloc_pages(gfp::HIGH | gfp::NOWARN, 0)) hog.push_back(pg);
  ASSERT_GT(hog.size(), 1000u);
  for (int i = 0; i < 40; ++i) {
    k().free_pages(hog.back(), 0);
    hog.pop_back();
  }
  m().take_log();
  const unsigned long free_before = free_pages_net();
  const SlabInfo before = info(s);
  std::vector<void*> p(20000, nullptr);  // ~1250 pages of objects
  EXPECT_EQ(k().kmem_cache_alloc_bulk(s, gfp::ATOMIC | gfp::NOWARN, p.size(), p.data()), 0);
  EXPECT_TRUE(slab_ok(k()));
  // It got part of the way (new slabs were made) before giving up.
  EXPECT_GT(info(s).stat[ALLOC_SLAB], before.stat[ALLOC_SLAB]);
  // Nothing is left allocated: the cache shrinks to nothing and every page
  // taken for the partial attempt is back. (Before the shrink the objects
  // given back may sit in the barn's sheaves, which slabinfo counts as
  // active, as SLUB's does for per-CPU caches.)
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  SlabInfo after = info(s);
  EXPECT_EQ(after.active_objs, 0u) << "objects of a failed bulk stayed allocated";
  EXPECT_EQ(info(s).num_slabs, before.num_slabs);
  EXPECT_EQ(free_pages_net(), free_before);
  // A bulk that fits still works.
  std::vector<void*> q(16);
  EXPECT_EQ(k().kmem_cache_alloc_bulk(s, gfp::ATOMIC, q.size(), q.data()), 16);
  k().kmem_cache_free_bulk(s, q.size(), q.data());
  for (Page* pg : hog) k().free_pages(pg, 0);
  // With memory exhausted, even one object cannot be had.
  hog.clear();
  k().kmem_cache_shrink(s);
  while (Page* pg = k().alloc_pages(gfp::HIGH | gfp::NOWARN, 0)) hog.push_back(pg);
  EXPECT_EQ(k().kmem_cache_alloc_bulk(s, gfp::ATOMIC | gfp::NOWARN, 4, p.data()), 0);
  EXPECT_EQ(k().kmem_cache_alloc(s, gfp::ATOMIC | gfp::NOWARN), nullptr);
  for (Page* pg : hog) k().free_pages(pg, 0);
  k().kmem_cache_destroy(s);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_TRUE(pages_ok(k()));
}

TEST_F(BulkTiny, FailedAllocWarnsUnlessNowarn) {
  KmemCache* s = create("warn_tiny", 1024, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  std::vector<Page*> hog;
  while (Page* pg = k().alloc_pages(gfp::HIGH | gfp::NOWARN, 0)) hog.push_back(pg);
  m().take_log();
  EXPECT_EQ(k().kmem_cache_alloc(s, gfp::ATOMIC | gfp::NOWARN), nullptr);
  std::string quiet = m().take_log();
  EXPECT_FALSE(contains(quiet, "SLUB: Unable to allocate memory")) << quiet;
  EXPECT_EQ(k().kmem_cache_alloc(s, gfp::ATOMIC), nullptr);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "SLUB: Unable to allocate memory on CPU 0 (of node 0) on node -1"))
      << log;
  EXPECT_TRUE(contains(log, "cache: warn_tiny, object size: 1024, buffer size: 1024")) << log;
  for (Page* pg : hog) k().free_pages(pg, 0);
  k().kmem_cache_destroy(s);
}

}  // namespace
}  // namespace kmem_test
