// SPDX-License-Identifier: MIT
// kmem_cache_* against Linux 6.18: slab geometry (checked against a real
// 6.18 /proc/slabinfo captured on a 2-CPU machine), alignment, constructors,
// merging, destroy with live objects, shrink, SLAB_CACHE_DMA,
// SLAB_RECLAIM_ACCOUNT and SLAB_TYPESAFE_BY_RCU.
#include <atomic>
#include <fstream>
#include <sstream>

#include "helpers.h"

namespace kmem_test {
namespace {

using Cache = SlabTest;

struct SlabinfoRow {
  std::string name;
  unsigned objsize, objperslab, pagesperslab;
};

std::vector<SlabinfoRow> read_slabinfo() {
  std::vector<SlabinfoRow> rows;
  std::ifstream in(std::string(KMEM_SHARED_DATA) + "/proc-6.18/slabinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("slabinfo", 0) == 0) continue;
    std::istringstream ls(line);
    SlabinfoRow r;
    unsigned long active, num;
    if (ls >> r.name >> active >> num >> r.objsize >> r.objperslab >> r.pagesperslab)
      rows.push_back(r);
  }
  return rows;
}

TEST_F(Cache, KmallocGeometryMatchesLinux) {
  // The kmalloc rows of a Linux 6.18 machine with 2 CPUs: objects per slab
  // and pages per slab of every kmalloc-*, kmalloc-rcl-* and dma-kmalloc-*.
  std::vector<SlabinfoRow> rows = read_slabinfo();
  ASSERT_GT(rows.size(), 100u) << "cannot read " << KMEM_SHARED_DATA << "/proc-6.18/slabinfo";
  unsigned checked = 0;
  for (const SlabinfoRow& r : rows) {
    const bool kmalloc = r.name.rfind("kmalloc-", 0) == 0 || r.name.rfind("dma-kmalloc-", 0) == 0;
    if (!kmalloc || r.name.rfind("kmalloc-cg-", 0) == 0) continue;
    KmemCache* s = k().find_cache(r.name.c_str());
    ASSERT_NE(s, nullptr) << r.name;
    SlabInfo i = info(s);
    EXPECT_EQ(i.objsize, r.objsize) << r.name;
    EXPECT_EQ(i.objperslab, r.objperslab) << r.name;
    EXPECT_EQ(i.pagesperslab, r.pagesperslab) << r.name;
    ++checked;
  }
  EXPECT_EQ(checked, 39u);  // 13 sizes x 3 families
}

TEST_F(Cache, CreatedCacheGeometryMatchesLinux) {
  // A cache created with the row's object size gets the row's geometry: for
  // the kmalloc sizes 8..8192 and for every other cache in the capture.
  std::vector<SlabinfoRow> rows = read_slabinfo();
  ASSERT_GT(rows.size(), 100u);
  unsigned checked = 0, kmalloc_sizes = 0;
  std::set<unsigned> sizes_done;
  for (const SlabinfoRow& r : rows) {
    if (r.objsize > KMALLOC_MAX_SIZE || !sizes_done.insert(r.objsize).second) continue;
    std::string name = "geo-" + std::to_string(r.objsize);
    KmemCache* s = create(name.c_str(), r.objsize, SLAB_NO_MERGE);
    ASSERT_NE(s, nullptr);
    SlabInfo i = info(s);
    EXPECT_EQ(i.objsize, r.objsize) << r.name;
    EXPECT_EQ(i.objperslab, r.objperslab) << r.name << " size " << r.objsize;
    EXPECT_EQ(i.pagesperslab, r.pagesperslab) << r.name << " size " << r.objsize;
    // A real slab has that many objects.
    std::vector<void*> objs;
    for (unsigned n = 0; n < r.objperslab; ++n) {
      void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      objs.push_back(p);
    }
    EXPECT_EQ(info(s).num_objs % r.objperslab, 0u) << r.name;
    for (void* p : objs) k().kmem_cache_free(s, p);
    k().kmem_cache_destroy(s);
    ++checked;
    if (linux_kmalloc_class(r.objsize) == r.objsize && r.objsize <= 8192) ++kmalloc_sizes;
  }
  EXPECT_GE(checked, 60u);
  EXPECT_EQ(kmalloc_sizes, 13u);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(Cache, HwcacheAlignHalvesForSmallObjects) {
  // SLAB_HWCACHE_ALIGN: the cache line (64), halved while the object fits
  // in half of it, at least 8.
  const std::pair<unsigned, unsigned> cases[] = {{8, 8},   {12, 16},  {16, 16},  {17, 32},
                                                 {24, 32}, {32, 32},  {33, 64},  {48, 64},
                                                 {64, 64}, {100, 64}, {200, 64}, {1000, 64}};
  for (auto [size, want] : cases) {
    std::string name = "hw-" + std::to_string(size);
    KmemCache* s = create(name.c_str(), size, SLAB_HWCACHE_ALIGN | SLAB_NO_MERGE);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->align, want) << size;
    EXPECT_EQ(s->size % want, 0u) << size;
    EXPECT_EQ(s->size, (size + want - 1) / want * want) << size;
    std::vector<void*> objs;
    for (int i = 0; i < 100; ++i) {
      void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(addr(p) % want, 0u) << size;
      objs.push_back(p);
    }
    for (void* p : objs) k().kmem_cache_free(s, p);
    k().kmem_cache_destroy(s);
  }
}

TEST_F(Cache, ExplicitAlign) {
  const std::pair<unsigned, unsigned> cases[] = {{40, 128}, {300, 256}, {8, 16}, {5000, 512}};
  for (auto [size, align] : cases) {
    KmemCacheArgs args{};
    args.align = align;
    std::string name = "al-" + std::to_string(size);
    KmemCache* s = create(name.c_str(), size, SLAB_NO_MERGE, &args);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->align, align);
    EXPECT_EQ(s->size, (size + align - 1) / align * align);
    std::vector<void*> objs;
    for (int i = 0; i < 60; ++i) {
      void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(addr(p) % align, 0u) << size << "/" << align;
      objs.push_back(p);
    }
    for (void* p : objs) k().kmem_cache_free(s, p);
    k().kmem_cache_destroy(s);
  }
  // An align below 8 still gives 8 (arch_slab_minalign, sizeof(void*)).
  KmemCacheArgs args{};
  args.align = 2;
  KmemCache* s = create("al-small", 13, SLAB_NO_MERGE, &args);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->align, 8u);
  EXPECT_EQ(s->size, 16u);
  k().kmem_cache_destroy(s);
}

std::atomic<unsigned> g_ctor_calls{0};
constexpr unsigned kCtorSize = 200;
void test_ctor(void* obj) {
  g_ctor_calls.fetch_add(1);
  std::memset(obj, 0xc7, kCtorSize);
}

TEST_F(Cache, CtorRunsOncePerObjectWhenASlabIsMade) {
  g_ctor_calls = 0;
  KmemCacheArgs args{};
  args.ctor = test_ctor;
  KmemCache* s = create("ctor_test", kCtorSize, 0, &args);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(g_ctor_calls.load(), 0u);  // no slab yet
  const unsigned per_slab = info(s).objperslab;
  ASSERT_GT(per_slab, 1u);
  // The free pointer is outside the object: it must not clobber the
  // constructed state.
  EXPECT_GE(s->offset, s->object_size);

  std::vector<void*> objs;
  void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  objs.push_back(p);
  EXPECT_EQ(g_ctor_calls.load(), per_slab);  // the whole first slab
  while (objs.size() < per_slab) objs.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
  for (void* o : objs) {
    ASSERT_NE(o, nullptr);
    for (unsigned b = 0; b < kCtorSize; ++b) ASSERT_EQ(static_cast<u8*>(o)[b], 0xc7);
  }
  EXPECT_EQ(info(s).num_slabs, 1u);
  EXPECT_EQ(g_ctor_calls.load(), per_slab);
  // Free and allocate again: no constructor call.
  for (void* o : objs) k().kmem_cache_free(s, o);
  for (void*& o : objs) o = k().kmem_cache_alloc(s, gfp::KERNEL);
  EXPECT_EQ(g_ctor_calls.load(), per_slab);
  // One more object than a slab holds: a second slab, per_slab more calls.
  objs.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(objs.back(), nullptr);
  EXPECT_EQ(g_ctor_calls.load(), 2 * per_slab);
  // Objects freed to their slab (through the shrink's sheaf flush) keep
  // their constructed state: the freelist link lives outside them.
  void* keep = objs[0];
  for (size_t i = 1; i < objs.size(); ++i) k().kmem_cache_free(s, objs[i]);
  k().kmem_cache_shrink(s);
  EXPECT_EQ(info(s).num_slabs, 1u);
  objs.assign(1, keep);
  while (objs.size() < per_slab) {
    void* o = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(o, nullptr);
    for (unsigned b = 0; b < kCtorSize; ++b) ASSERT_EQ(static_cast<u8*>(o)[b], 0xc7);
    objs.push_back(o);
  }
  // Refilled from the remaining slab: no new slab, no constructor call.
  EXPECT_EQ(g_ctor_calls.load(), 2 * per_slab);
  EXPECT_EQ(info(s).num_slabs, 1u);
  for (void* o : objs) k().kmem_cache_free(s, o);
  k().kmem_cache_destroy(s);
}

TEST_F(Cache, CtorCachesNeverMerge) {
  KmemCacheArgs args{};
  args.ctor = test_ctor;
  KmemCache* plain = create("plain_200", kCtorSize);
  KmemCache* a = create("ctor_a", kCtorSize, 0, &args);
  KmemCache* b = create("ctor_b", kCtorSize, 0, &args);
  ASSERT_TRUE(plain && a && b);
  EXPECT_NE(a, b);
  EXPECT_NE(a, plain);
  EXPECT_NE(b, plain);
  EXPECT_EQ(a->refcount, 1);
  EXPECT_EQ(b->refcount, 1);
  // And a plain cache does not merge into a ctor cache either.
  KmemCache* plain2 = create("plain_200b", kCtorSize);
  EXPECT_NE(plain2, a);
  EXPECT_NE(plain2, b);
  for (KmemCache* s : {plain2, b, a, plain}) k().kmem_cache_destroy(s);
}

// ---- merging -----------------------------------------------------------------------------

TEST_F(Cache, CompatibleCachesMerge) {
  KmemCache* a = create("merge_a", 72);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(std::string(a->name), "merge_a");
  EXPECT_EQ(a->refcount, 1);
  // Same stride after rounding to 8: an alias of a, refcounted.
  KmemCache* b = create("merge_b", 70);
  EXPECT_EQ(b, a);
  EXPECT_EQ(a->refcount, 2);
  void* p = k().kmem_cache_alloc(b, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(k().virt_to_cache(p), a);
  k().kmem_cache_free(b, p);
  // Destroying an alias drops a reference; the cache keeps working.
  k().kmem_cache_destroy(b);
  EXPECT_EQ(a->refcount, 1);
  p = k().kmem_cache_alloc(a, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k().kmem_cache_free(a, p);
  EXPECT_NE(k().find_cache("merge_a"), nullptr);
  // SLAB_HWCACHE_ALIGN caches of 100 and 120 bytes both become 128.
  KmemCache* h1 = create("hw_100", 100, SLAB_HWCACHE_ALIGN);
  KmemCache* h2 = create("hw_120", 120, SLAB_HWCACHE_ALIGN);
  EXPECT_EQ(h1, h2);
  k().kmem_cache_destroy(h2);
  k().kmem_cache_destroy(h1);
  k().kmem_cache_destroy(a);
  EXPECT_EQ(k().find_cache("merge_a"), nullptr);
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(Cache, IncompatibleCachesDoNotMerge) {
  KmemCache* a = create("base_72", 72);
  ASSERT_NE(a, nullptr);
  std::vector<KmemCache*> others;
  others.push_back(create("nomerge_72", 72, SLAB_NO_MERGE));
  others.push_back(create("rcl_72", 72, SLAB_RECLAIM_ACCOUNT));
  others.push_back(create("dma_72", 72, SLAB_CACHE_DMA));
  others.push_back(create("rcu_72", 72, SLAB_TYPESAFE_BY_RCU));
  others.push_back(create("small_64", 64));  // 8 bytes smaller: too much waste
  KmemCacheArgs user{};
  user.useroffset = 0;
  user.usersize = 16;
  others.push_back(create("user_72", 72, 0, &user));
  for (KmemCache* o : others) {
    ASSERT_NE(o, nullptr);
    EXPECT_NE(o, a) << o->name;
    EXPECT_EQ(o->refcount, 1) << o->name;
  }
  EXPECT_EQ(a->refcount, 1);
  // A later mergeable cache goes to the oldest compatible one, never to
  // the SLAB_NO_MERGE cache.
  KmemCache* c = create("later_72", 72);
  EXPECT_EQ(c, a);
  // Same SLAB_RECLAIM_ACCOUNT: merges with rcl_72.
  KmemCache* r = create("rcl_72b", 68, SLAB_RECLAIM_ACCOUNT);
  EXPECT_EQ(r, others[1]);
  k().kmem_cache_destroy(r);
  k().kmem_cache_destroy(c);
  for (KmemCache* o : others) k().kmem_cache_destroy(o);
  k().kmem_cache_destroy(a);
}

class CacheNoMerge : public SlabTest {
  const char* cmdline() const override { return "mem=256M cpus=2 slab_nomerge"; }
};

TEST_F(CacheNoMerge, SlabNomergeKeepsCachesApart) {
  KmemCache* a = create("nm_a", 72);
  KmemCache* b = create("nm_b", 72);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a, b);
  EXPECT_EQ(a->refcount, 1);
  EXPECT_EQ(b->refcount, 1);
  EXPECT_EQ(std::string(b->name), "nm_b");
  k().kmem_cache_destroy(b);
  k().kmem_cache_destroy(a);
}

// ---- destroy and shrink -----------------------------------------------------------------

TEST_F(Cache, DestroyWithLiveObjectsReportsAndLeaks) {
  KmemCache* s = create("leaky", 100);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(std::string(s->name), "leaky");
  void* objs[3];
  for (void*& p : objs) {
    p = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(p, nullptr);
  }
  k().kmem_cache_destroy(s);
  std::string log = m().take_log();
  // 6.18's list_slab_objects(): "BUG <cache> (<taint>): Objects remaining on
  // __kmem_cache_shutdown()" (older kernels said "remaining in <cache> on"),
  // then one "Object 0x... @offset=" line per leaked object.
  EXPECT_TRUE(contains(log, "BUG leaky (")) << log;
  EXPECT_TRUE(contains(log, "): Objects remaining on __kmem_cache_shutdown()")) << log;
  EXPECT_EQ(count_of(log, "\nObject 0x"), 3u) << log;
  EXPECT_TRUE(contains(log, "kmem_cache_destroy leaky: Slab cache still has objects")) << log;
  // Unlisted (Linux list_del()s it either way), not in /proc/slabinfo.
  EXPECT_EQ(k().find_cache("leaky"), nullptr);
  EXPECT_FALSE(contains(m().proc("slabinfo"), "\nleaky ")) << m().proc("slabinfo");
  // A new compatible cache does not merge into the leaked one.
  KmemCache* t = create("after_leak", 100);
  ASSERT_NE(t, nullptr);
  EXPECT_NE(t, s);
  std::vector<void*> more;
  for (int i = 0; i < 500; ++i) {
    void* p = k().kmem_cache_alloc(t, gfp::KERNEL);
    ASSERT_NE(p, nullptr);
    EXPECT_NE(k().virt_to_cache(p), s);
    more.push_back(p);
  }
  for (void* p : more) k().kmem_cache_free(t, p);
  k().kmem_cache_destroy(t);
  void* km = k().kmalloc(100, gfp::KERNEL);
  ASSERT_NE(km, nullptr);
  k().kfree(km);
  // The leaked cache's objects can still be freed without a report.
  const u64 bugs = bad_frees() + k().bug_count(BUG_SLAB);
  for (void* p : objs) k().kmem_cache_free(s, p);
  EXPECT_EQ(bad_frees() + k().bug_count(BUG_SLAB), bugs);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(Cache, ShrinkReturnsPages) {
  KmemCache* s = create("shrink_me", 256, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  const unsigned long slab_before = slab_pages_net();
  const unsigned long free_before = free_pages_net();
  std::vector<void*> objs;
  for (int i = 0; i < 1000; ++i) {
    void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(p, nullptr);
    objs.push_back(p);
  }
  SlabInfo full = info(s);
  EXPECT_GE(full.num_slabs, 1000u / full.objperslab);
  EXPECT_GE(slab_pages_net() - slab_before, full.num_slabs * full.pagesperslab);
  EXPECT_LT(free_pages_net(), free_before);
  // With one object live, shrink frees what it can and says 1.
  for (size_t i = 1; i < objs.size(); ++i) k().kmem_cache_free(s, objs[i]);
  EXPECT_EQ(k().kmem_cache_shrink(s), 1);
  EXPECT_EQ(info(s).num_slabs, 1u);
  EXPECT_TRUE(slab_ok(k()));
  k().kmem_cache_free(s, objs[0]);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  SlabInfo empty = info(s);
  EXPECT_EQ(empty.num_slabs, 0u);
  EXPECT_EQ(empty.num_objs, 0u);
  EXPECT_EQ(slab_pages_net(), slab_before);
  EXPECT_EQ(free_pages_net(), free_before);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_TRUE(pages_ok(k()));
  k().kmem_cache_destroy(s);
}

TEST_F(Cache, DestroyReturnsEverything) {
  // Warm-up: the KmemCache itself comes from the kmem_cache cache, whose
  // slab stays; the second create reuses the first one's object.
  k().kmem_cache_destroy(create("warm_up", 512, SLAB_NO_MERGE));
  const unsigned long slab_before = slab_pages_net();
  const unsigned long free_before = free_pages_net();
  for (int round = 0; round < 3; ++round) {
    KmemCache* s = create("short_lived", 512, SLAB_NO_MERGE);
    ASSERT_NE(s, nullptr);
    std::vector<void*> objs(700);
    ASSERT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL, objs.size(), objs.data()), 700);
    for (void* p : objs) k().kmem_cache_free(s, p);
    k().kmem_cache_destroy(s);
  }
  EXPECT_EQ(slab_pages_net(), slab_before);
  EXPECT_EQ(free_pages_net(), free_before);
  EXPECT_EQ(m().take_log(), "");
}

// ---- zones and accounting -------------------------------------------------------------------

TEST_F(Cache, CacheDmaSlabsAreInZoneDma) {
  KmemCache* s = create("dma_cache", 256, SLAB_CACHE_DMA);
  ASSERT_NE(s, nullptr);
  std::vector<void*> objs;
  for (int i = 0; i < 300; ++i) {
    void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(k().page_zone(k().virt_to_page(p))->idx, ZONE_DMA);
    objs.push_back(p);
  }
  for (void* p : objs) k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

TEST_F(Cache, ReclaimAccountCountsAsSReclaimable) {
  const long recl_before = meminfo_kb("SReclaimable");
  ASSERT_GE(recl_before, 0);
  KmemCache* s = create("rcl_cache", 512, SLAB_RECLAIM_ACCOUNT);
  ASSERT_NE(s, nullptr);
  std::vector<void*> objs;
  for (int i = 0; i < 512; ++i) {
    void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(p, nullptr);
    objs.push_back(p);
  }
  SlabInfo i = info(s);
  ASSERT_GT(i.num_slabs, 0u);
  EXPECT_EQ(meminfo_kb("SReclaimable") - recl_before,
            long(i.num_slabs * i.pagesperslab * (PAGE_SIZE / 1024)));
  // The slab pages were allocated as reclaimable: their pageblocks are.
  EXPECT_EQ(k().pageblock_migratetype(k().page_to_pfn(k().virt_to_page(objs[0]))),
            MIGRATE_RECLAIMABLE);
  for (void* p : objs) k().kmem_cache_free(s, p);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  EXPECT_EQ(meminfo_kb("SReclaimable"), recl_before);
  k().kmem_cache_destroy(s);
  // kmalloc-rcl-* is accounted the same way.
  std::vector<void*> rcl;
  for (int n = 0; n < 256; ++n) rcl.push_back(k().kmalloc(1024, gfp::KERNEL | gfp::RECLAIMABLE));
  EXPECT_GT(meminfo_kb("SReclaimable"), recl_before);
  for (void* p : rcl) k().kfree(p);
}

// ---- SLAB_TYPESAFE_BY_RCU --------------------------------------------------------------------

TEST_F(Cache, TypesafeByRcuFreesSlabPagesAfterAGracePeriod) {
  KmemCache* s = create("rcu_typesafe", 128, SLAB_TYPESAFE_BY_RCU);
  ASSERT_NE(s, nullptr);
  EXPECT_GE(s->offset, s->object_size);  // free pointer outside the object
  std::vector<u8*> objs;
  for (int i = 0; i < 200; ++i) {
    auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
    ASSERT_NE(p, nullptr);
    std::memset(p, 0x42, 128);
    objs.push_back(p);
  }
  const unsigned long slabs = info(s).num_slabs;
  const unsigned long pages_held = slab_pages_net();
  // A reader inside rcu_read_lock() may still look at any object: the
  // slab pages must not go back before it leaves.
  k().rcu_read_lock();
  for (u8* p : objs) k().kmem_cache_free(s, p);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  EXPECT_EQ(info(s).num_slabs, 0u);
  EXPECT_EQ(slab_pages_net(), pages_held);
  for (u8* p : objs) {
    ASSERT_EQ(k().virt_to_cache(p), s);                   // still a slab page of s
    for (int b = 0; b < 128; ++b) ASSERT_EQ(p[b], 0x42);  // and the object intact
  }
  k().rcu_read_unlock();
  k().rcu_barrier();
  EXPECT_EQ(pages_held - slab_pages_net(), slabs * info(s).pagesperslab);
  EXPECT_EQ(k().virt_to_cache(objs[0]), nullptr);
  EXPECT_TRUE(pages_ok(k()));
  k().kmem_cache_destroy(s);
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(Cache, TypesafeByRcuReusesObjectsAtOnce) {
  // Objects (not pages) are reused immediately: readers must re-check.
  KmemCache* s = create("rcu_reuse", 64, SLAB_TYPESAFE_BY_RCU);
  ASSERT_NE(s, nullptr);
  k().rcu_read_lock();
  void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k().kmem_cache_free(s, p);
  EXPECT_EQ(k().kmem_cache_alloc(s, gfp::KERNEL), p);
  k().rcu_read_unlock();
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
  EXPECT_TRUE(pages_ok(k()));
}

}  // namespace
}  // namespace kmem_test
