// SPDX-License-Identifier: MIT
// kmalloc against Linux 6.18: the size classes (with kmalloc-96 and -192),
// ksize and kmalloc_size_roundup, alignment, ZERO_SIZE_PTR, large kmalloc
// from the page allocator, the DMA and reclaimable families, the
// "Unexpected gfp" fix-up, __GFP_ZERO, krealloc and kfree_sensitive.
#include <algorithm>

#include "helpers.h"

namespace kmem_test {
namespace {

using Kmalloc = SlabTest;

// Checks one family for every size 1..8192: the cache's name, ksize,
// kmalloc_size_roundup and the alignment of a run of objects.
void check_family(Kernel& k, gfp_t gfp, const char* prefix, ZoneType want_zone, bool check_zone) {
  for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; ++size) {
    const unsigned cls = linux_kmalloc_class(size);
    void* p = k.kmalloc(size, gfp);
    ASSERT_NE(p, nullptr) << size;
    KmemCache* s = k.virt_to_cache(p);
    ASSERT_NE(s, nullptr) << size;
    ASSERT_EQ(std::string(s->name), prefix + class_suffix(cls)) << "size " << size;
    ASSERT_EQ(k.kmalloc_slab(size, gfp), s) << size;
    ASSERT_EQ(k.ksize(p), cls) << "size " << size;
    if ((gfp & (gfp::DMA | gfp::RECLAIMABLE)) == 0) {
      ASSERT_EQ(k.kmalloc_size_roundup(size), cls) << size;
    }
    const unsigned align = pow2_divisor(cls) < 8 ? 8 : pow2_divisor(cls);
    ASSERT_EQ(addr(p) % align, 0u) << "size " << size << " class " << cls;
    if (check_zone) {
      Zone* z = k.page_zone(k.virt_to_page(p));
      ASSERT_NE(z, nullptr);
      ASSERT_EQ(z->idx, want_zone) << "size " << size;
    }
    k.kfree(p);
  }
}

TEST_F(Kmalloc, EverySizeFromItsClass) {
  check_family(k(), gfp::KERNEL, "kmalloc-", ZONE_NORMAL, false);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(bad_frees(), 0u);
}

TEST_F(Kmalloc, EverySizeDmaFamily) {
  // GFP_DMA: dma-kmalloc-* caches, whose slabs are in ZONE_DMA.
  check_family(k(), gfp::KERNEL | gfp::DMA, "dma-kmalloc-", ZONE_DMA, true);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Kmalloc, EverySizeReclaimableFamily) {
  check_family(k(), gfp::KERNEL | gfp::RECLAIMABLE, "kmalloc-rcl-", ZONE_NORMAL, false);
  // DMA wins over RECLAIMABLE (kmalloc_type).
  void* p = k().kmalloc(100, gfp::KERNEL | gfp::RECLAIMABLE | gfp::DMA);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(std::string(k().virt_to_cache(p)->name), "dma-kmalloc-128");
  k().kfree(p);
  // __GFP_ACCOUNT alone stays in the normal family (no kmalloc-cg-* without memcg).
  p = k().kmalloc(100, gfp::KERNEL_ACCOUNT);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(std::string(k().virt_to_cache(p)->name), "kmalloc-128");
  k().kfree(p);
}

TEST_F(Kmalloc, ManyObjectsKeepTheClassAlignment) {
  // Not only the first object: every object of a class, over more than a
  // slab's worth, is aligned to the largest power of two dividing the size.
  for (unsigned cls :
       {8u, 16u, 32u, 64u, 96u, 128u, 192u, 256u, 512u, 1024u, 2048u, 4096u, 8192u}) {
    std::vector<void*> objs;
    std::set<uintptr_t> seen;
    const unsigned align = pow2_divisor(cls);
    for (int i = 0; i < 300; ++i) {
      void* p = k().kmalloc(cls - (cls > 8 ? 1 : 0), gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(addr(p) % align, 0u) << "class " << cls;
      EXPECT_TRUE(seen.insert(addr(p)).second) << "object handed out twice";
      objs.push_back(p);
    }
    // Live objects never overlap.
    uintptr_t prev = 0;
    for (uintptr_t a : seen) {
      if (prev != 0) {
        EXPECT_GE(a - prev, cls) << "class " << cls;
      }
      prev = a;
    }
    for (void* p : objs) k().kfree(p);
  }
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Kmalloc, ZeroSizeAndNull) {
  const u64 bugs = bad_frees() + k().bug_count(BUG_SLAB) + k().bug_count(BUG_WARN);
  void* p = k().kmalloc(0, gfp::KERNEL);
  EXPECT_EQ(p, ZERO_SIZE_PTR);
  EXPECT_EQ(addr(p), 16u);
  EXPECT_EQ(k().ksize(nullptr), 0u);
  EXPECT_EQ(k().ksize(ZERO_SIZE_PTR), 0u);
  EXPECT_EQ(k().kmalloc_size_roundup(0), 0u);
  k().kfree(nullptr);
  k().kfree(ZERO_SIZE_PTR);
  k().kfree_sensitive(nullptr);
  k().kfree_sensitive(ZERO_SIZE_PTR);
  k().kmem_cache_destroy(nullptr);
  EXPECT_EQ(bad_frees() + k().bug_count(BUG_SLAB) + k().bug_count(BUG_WARN), bugs);
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(Kmalloc, LargeComesFromThePageAllocator) {
  const unsigned long before = free_pages();
  const long unrecl_before = meminfo_kb("SUnreclaim");
  for (size_t size : {size_t(8193), size_t(12288), size_t(16384), size_t(16385), size_t(100000),
                      size_t(1) << 20, (size_t(1) << 21) + 1, KMALLOC_MAX_SIZE}) {
    const size_t order = page_order_of(size);
    void* p = k().kmalloc(size, gfp::KERNEL);
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(addr(p) % PAGE_SIZE, 0u) << size;
    EXPECT_EQ(k().virt_to_cache(p), nullptr) << size;
    EXPECT_EQ(k().ksize(p), size_t(PAGE_SIZE) << order) << size;
    EXPECT_EQ(k().kmalloc_size_roundup(size), size_t(PAGE_SIZE) << order) << size;
    Page* page = k().virt_to_page(p);
    EXPECT_EQ(page->head(), page);
    EXPECT_TRUE(k().block_is_allocated(page, unsigned(order))) << size;
    if (order > 0) {
      EXPECT_TRUE(page->flags_relaxed() & PG_head) << size;  // __GFP_COMP
      EXPECT_EQ(page->order, order);
      EXPECT_EQ(k().virt_to_page(static_cast<u8*>(p) + (PAGE_SIZE << order) - 1)->head(), page);
    }
    // Accounted as unreclaimable slab memory while it lives.
    EXPECT_EQ(meminfo_kb("SUnreclaim") - unrecl_before, long((PAGE_SIZE << order) / 1024));
    std::memset(p, 0x5a, size);  // the whole request is usable
    // ksize() bytes may be used too.
    static_cast<u8*>(p)[k().ksize(p) - 1] = 1;
    k().kfree(p);
    EXPECT_EQ(meminfo_kb("SUnreclaim"), unrecl_before);
  }
  EXPECT_EQ(free_pages(), before);
  EXPECT_EQ(bad_frees(), 0u);
  EXPECT_TRUE(pages_ok(k()));
}

TEST_F(Kmalloc, AboveMaxSizeFailsWithWarning) {
  // KMALLOC_MAX_SIZE + 1 is order 11: the page allocator refuses with
  // WARN_ON_ONCE unless __GFP_NOWARN (first the quiet one: the WARN is once).
  EXPECT_EQ(k().kmalloc(KMALLOC_MAX_SIZE + 1, gfp::KERNEL | gfp::NOWARN), nullptr);
  std::string quiet = m().take_log();
  EXPECT_FALSE(contains(quiet, "WARNING")) << quiet;
  EXPECT_EQ(k().kmalloc(KMALLOC_MAX_SIZE + 1, gfp::KERNEL), nullptr);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "WARNING")) << log;
  EXPECT_EQ(k().kmalloc(size_t(64) << 20, gfp::KERNEL | gfp::NOWARN), nullptr);
  EXPECT_EQ(k().kmalloc_size_roundup(KMALLOC_MAX_SIZE + 1), KMALLOC_MAX_SIZE + 1);
  EXPECT_EQ(k().kmalloc_size_roundup(SIZE_MAX), SIZE_MAX);
  EXPECT_TRUE(pages_ok(k()));
}

TEST_F(Kmalloc, LargeDmaIsInZoneDma) {
  void* p = k().kmalloc(20000, gfp::KERNEL | gfp::DMA);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(k().page_zone(k().virt_to_page(p))->idx, ZONE_DMA);
  k().kfree(p);
}

// kmalloc with __GFP_DMA32 or __GFP_HIGHMEM: Linux strips the bits with
// kmalloc_fix_flags() when a new slab is needed, printing the invalid bits
// alone (%pGg names 0x4 GFP_DMA32): "Unexpected gfp: 0x4 (GFP_DMA32).
// Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!".
TEST_F(Kmalloc, Dma32IsFixedUpWithAWarning) {
  std::vector<void*> objs;
  // More than a few slabs of kmalloc-2k: at least one new slab.
  for (int i = 0; i < 200; ++i) {
    void* p = k().kmalloc(2000, gfp::KERNEL | gfp::DMA32);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(std::string(k().virt_to_cache(p)->name), "kmalloc-2k");
    objs.push_back(p);
  }
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log,
                       "Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 "
                       "(GFP_KERNEL). Fix your code!"))
      << log;
  EXPECT_GE(k().bug_count(BUG_WARN), 1u);
  for (void* p : objs) k().kfree(p);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Kmalloc, HighmemIsFixedUpWithAWarning) {
  std::vector<void*> objs;
  for (int i = 0; i < 200; ++i) {
    void* p = k().kmalloc(1000, gfp::KERNEL | gfp::HIGHMEM);
    ASSERT_NE(p, nullptr);
    objs.push_back(p);
  }
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log,
                       "Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 "
                       "(GFP_KERNEL). Fix your code!"))
      << log;
  for (void* p : objs) k().kfree(p);
}

TEST_F(Kmalloc, LargeKmallocFixesUpBadGfpToo) {
  // ___kmalloc_large_node() calls kmalloc_fix_flags() as well.
  void* p = k().kmalloc(3 * PAGE_SIZE, gfp::KERNEL | gfp::DMA32);
  ASSERT_NE(p, nullptr);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log,
                       "Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 "
                       "(GFP_KERNEL). Fix your code!"))
      << log;
  k().kfree(p);
}

class KmallocHighmem : public SlabTest {
  const char* cmdline() const override { return "mem=1G cpus=2 profile=i386"; }
};

TEST_F(KmallocHighmem, HighmemObjectsAreInLowmem) {
  // On i386, __GFP_HIGHMEM would put the slab out of the direct map: the bit
  // is stripped, every object is in a lowmem zone.
  ASSERT_TRUE(k().has_highmem());
  std::vector<void*> objs;
  for (int i = 0; i < 500; ++i) {
    void* p = k().kmalloc(512, gfp::KERNEL | gfp::HIGHMEM);
    ASSERT_NE(p, nullptr);
    EXPECT_NE(k().page_zone(k().virt_to_page(p))->idx, ZONE_HIGHMEM);
    std::memset(p, 0x11, 512);
    objs.push_back(p);
  }
  EXPECT_TRUE(contains(m().take_log(), "Fix your code!"));
  for (void* p : objs) k().kfree(p);
  EXPECT_TRUE(slab_ok(k()));
}

// ---- __GFP_ZERO ----------------------------------------------------------------------

TEST_F(Kmalloc, GfpZeroZeroesRecycledObjects) {
  for (unsigned cls : {8u, 64u, 96u, 192u, 256u, 1024u, 8192u}) {
    std::vector<void*> dirty;
    for (int i = 0; i < 100; ++i) {
      void* p = k().kmalloc(cls, gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      std::memset(p, 0xa7, cls);
      dirty.push_back(p);
    }
    std::set<void*> dirty_set(dirty.begin(), dirty.end());
    for (void* p : dirty) k().kfree(p);
    unsigned reused = 0;
    std::vector<void*> zeroed;
    for (int i = 0; i < 100; ++i) {
      // Smaller requests of the same class: the whole object is zeroed
      // (s->object_size), as Linux does without slub_debug.
      size_t req = cls > 8 ? cls - 7 : cls;
      auto* p = static_cast<u8*>(k().kmalloc(req, gfp::KERNEL | gfp::ZERO));
      ASSERT_NE(p, nullptr);
      reused += dirty_set.count(p);
      for (unsigned b = 0; b < cls; ++b)
        if (p[b] != 0) {
          ADD_FAILURE() << "class " << cls << " byte " << b << " is " << int(p[b]);
          break;
        }
      zeroed.push_back(p);
    }
    // At least the CPU's sheaf handed the dirtied objects back (LIFO): the
    // test really looked at dirtied memory. (Emptied slabs may have gone
    // back to the page allocator, dirty too.)
    EXPECT_GE(reused, 6u) << "class " << cls;
    for (void* p : zeroed) k().kfree(p);
  }
  // Large kmalloc with __GFP_ZERO.
  auto* big = static_cast<u8*>(k().kmalloc(40000, gfp::KERNEL));
  ASSERT_NE(big, nullptr);
  std::memset(big, 0xee, 40000);
  k().kfree(big);
  big = static_cast<u8*>(k().kmalloc(40000, gfp::KERNEL | gfp::ZERO));
  ASSERT_NE(big, nullptr);
  for (size_t i = 0; i < 40000; ++i)
    if (big[i] != 0) {
      ADD_FAILURE() << "large kmalloc byte " << i;
      break;
    }
  k().kfree(big);
}

TEST_F(Kmalloc, GfpZeroOnKmemCacheAlloc) {
  KmemCache* s = create("zero_test", 200, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  std::vector<void*> objs(300);
  for (void*& p : objs) {
    p = k().kmem_cache_alloc(s, gfp::KERNEL);
    ASSERT_NE(p, nullptr);
    std::memset(p, 0xff, 200);
  }
  for (void* p : objs) k().kmem_cache_free(s, p);
  for (void*& p : objs) {
    p = k().kmem_cache_alloc(s, gfp::KERNEL | gfp::ZERO);
    ASSERT_NE(p, nullptr);
    for (unsigned b = 0; b < 200; ++b) ASSERT_EQ(static_cast<u8*>(p)[b], 0) << b;
  }
  // Bulk with __GFP_ZERO.
  for (void* p : objs) std::memset(p, 0xff, 200);
  k().kmem_cache_free_bulk(s, objs.size(), objs.data());
  ASSERT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL | gfp::ZERO, objs.size(), objs.data()),
            int(objs.size()));
  for (void* p : objs)
    for (unsigned b = 0; b < 200; ++b) ASSERT_EQ(static_cast<u8*>(p)[b], 0) << b;
  k().kmem_cache_free_bulk(s, objs.size(), objs.data());
  k().kmem_cache_destroy(s);
  EXPECT_EQ(m().take_log(), "");
}

// ---- krealloc ---------------------------------------------------------------------------

TEST_F(Kmalloc, KreallocNullIsKmalloc) {
  void* p = k().krealloc(nullptr, 100, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  ASSERT_FALSE(zero_or_null_ptr(p));
  EXPECT_EQ(std::string(k().virt_to_cache(p)->name), "kmalloc-128");
  EXPECT_EQ(k().ksize(p), 128u);
  k().kfree(p);
  p = k().krealloc(ZERO_SIZE_PTR, 20000, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(k().ksize(p), 8 * PAGE_SIZE);  // order 3
  k().kfree(p);
}

TEST_F(Kmalloc, KreallocToZeroFrees) {
  void* p = k().kmalloc(100, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(k().krealloc(p, 0, gfp::KERNEL), ZERO_SIZE_PTR);
  // p went back to CPU 0's sheaf: the next kmalloc-128 object is p.
  void* q = k().kmalloc(120, gfp::KERNEL);
  EXPECT_EQ(q, p);
  k().kfree(q);
  // A large one goes back to the page allocator.
  const unsigned long before = free_pages();
  void* big = k().kmalloc(64 * 1024, gfp::KERNEL);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(k().krealloc(big, 0, gfp::KERNEL), ZERO_SIZE_PTR);
  EXPECT_EQ(free_pages(), before);
  EXPECT_EQ(k().krealloc(nullptr, 0, gfp::KERNEL), ZERO_SIZE_PTR);
  EXPECT_EQ(bad_frees(), 0u);
}

TEST_F(Kmalloc, KreallocWithinTheBucketKeepsThePointer) {
  auto* p = static_cast<u8*>(k().kmalloc(100, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 100; ++i) p[i] = u8(i);
  EXPECT_EQ(k().krealloc(p, 50, gfp::KERNEL), p);   // shrink
  EXPECT_EQ(k().krealloc(p, 128, gfp::KERNEL), p);  // grow up to ksize
  EXPECT_EQ(k().krealloc(p, 100, gfp::KERNEL), p);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], u8(i));
  // A large one too, within its pages.
  auto* big = static_cast<u8*>(k().kmalloc(9000, gfp::KERNEL));
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(k().krealloc(big, 3 * PAGE_SIZE, gfp::KERNEL), big);
  EXPECT_EQ(k().krealloc(big, 8193, gfp::KERNEL), big);
  k().kfree(big);
  k().kfree(p);
}

TEST_F(Kmalloc, KreallocGrowCopiesAndFreesTheOld) {
  auto* p = static_cast<u8*>(k().kmalloc(100, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 100; ++i) p[i] = u8(i * 7 + 1);
  auto* q = static_cast<u8*>(k().krealloc(p, 1000, gfp::KERNEL));
  ASSERT_NE(q, nullptr);
  ASSERT_NE(q, p);
  EXPECT_EQ(std::string(k().virt_to_cache(q)->name), "kmalloc-1k");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(q[i], u8(i * 7 + 1)) << i;
  // The old object was freed: it is the next kmalloc-128 object on this CPU.
  void* r = k().kmalloc(128, gfp::KERNEL);
  EXPECT_EQ(r, p);
  k().kfree(r);
  // Slab object -> large kmalloc -> larger large kmalloc.
  for (int i = 0; i < 1000; ++i) q[i] = u8(i ^ 0x5a);
  auto* big = static_cast<u8*>(k().krealloc(q, 50000, gfp::KERNEL));
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(k().virt_to_cache(big), nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(big[i], u8(i ^ 0x5a)) << i;
  auto* bigger = static_cast<u8*>(k().krealloc(big, 200000, gfp::KERNEL));
  ASSERT_NE(bigger, nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(bigger[i], u8(i ^ 0x5a)) << i;
  k().kfree(bigger);
  EXPECT_EQ(bad_frees(), 0u);
  EXPECT_TRUE(slab_ok(k()));
}

TEST_F(Kmalloc, KreallocFailureLeavesTheOldObject) {
  auto* p = static_cast<u8*>(k().kmalloc(64, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x3c, 64);
  EXPECT_EQ(k().krealloc(p, KMALLOC_MAX_SIZE + 1, gfp::KERNEL | gfp::NOWARN), nullptr);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(p[i], 0x3c);
  EXPECT_EQ(k().virt_to_cache(p), k().kmalloc_slab(64, gfp::KERNEL));
  k().kfree(p);
  EXPECT_EQ(bad_frees(), 0u);
}

TEST_F(Kmalloc, KreallocGfpZeroZeroesTheNewTail) {
  // Grow into a new object: everything past the old contents is zero.
  auto* p = static_cast<u8*>(k().kmalloc(100, gfp::KERNEL | gfp::ZERO));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x77, 100);
  // Dirty the kmalloc-1k objects the new one may come from.
  std::vector<void*> dirty;
  for (int i = 0; i < 20; ++i) {
    dirty.push_back(k().kmalloc(1024, gfp::KERNEL));
    std::memset(dirty.back(), 0xdd, 1024);
  }
  for (void* d : dirty) k().kfree(d);
  auto* q = static_cast<u8*>(k().krealloc(p, 1000, gfp::KERNEL | gfp::ZERO));
  ASSERT_NE(q, nullptr);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(q[i], 0x77) << i;
  for (int i = 100; i < 1024; ++i) ASSERT_EQ(q[i], 0) << i;
  k().kfree(q);
}

TEST_F(Kmalloc, KreallocGfpZeroInPlaceZeroesBeyondTheNewSize) {
  // __do_krealloc in place, without slub_debug (orig_size == object_size):
  // want_init_on_alloc zeroes [new_size, ks).
  auto* p = static_cast<u8*>(k().kmalloc(64, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0xff, 64);
  ASSERT_EQ(k().krealloc(p, 48, gfp::KERNEL | gfp::ZERO), p);
  for (int i = 0; i < 48; ++i) ASSERT_EQ(p[i], 0xff) << i;
  auto nonzero = [&] { return 16 - std::count(p + 48, p + 64, u8(0)); };
  EXPECT_EQ(nonzero(), 0) << "bytes [48, 64) were not zeroed";
  // Growing back within the bucket then reads zeroes, not the old bytes.
  ASSERT_EQ(k().krealloc(p, 64, gfp::KERNEL | gfp::ZERO), p);
  EXPECT_EQ(nonzero(), 0) << "old bytes reappear in [48, 64)";
  k().kfree(p);
}

TEST_F(Kmalloc, KreallocOfABadPointerIsReported) {
  auto* p = static_cast<u8*>(k().kmalloc(128, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  const u64 before = bad_frees() + k().bug_count(BUG_SLAB);
  EXPECT_EQ(k().krealloc(p + 8, 4096, gfp::KERNEL), nullptr);
  int local = 0;
  EXPECT_EQ(k().krealloc(&local, 4096, gfp::KERNEL), nullptr);
  EXPECT_EQ(bad_frees() + k().bug_count(BUG_SLAB), before + 2);
  k().kfree(p);
  EXPECT_TRUE(slab_ok(k()));
}

// ---- kfree_sensitive ---------------------------------------------------------------------

TEST_F(Kmalloc, KfreeSensitiveZeroesTheWholeBucket) {
  for (unsigned req : {5u, 100u, 150u, 3000u}) {
    const unsigned cls = linux_kmalloc_class(req);
    auto* p = static_cast<u8*>(k().kmalloc(req, gfp::KERNEL));
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(k().ksize(p), cls);
    std::memset(p, 0xaa, cls);  // the whole bucket, as ksize allows
    k().kfree_sensitive(p);
    // LIFO on CPU 0: the same object comes back, untouched since the free.
    auto* q = static_cast<u8*>(k().kmalloc(req, gfp::KERNEL));
    ASSERT_EQ(q, p) << req;
    for (unsigned b = 0; b < cls; ++b) ASSERT_EQ(q[b], 0) << "request " << req << " byte " << b;
    k().kfree(q);
  }
  // Large kmalloc: the pages are zeroed before they go back.
  auto* big = static_cast<u8*>(k().kmalloc(3 * PAGE_SIZE, gfp::KERNEL));
  ASSERT_NE(big, nullptr);
  std::memset(big, 0xaa, 4 * PAGE_SIZE);
  Page* page = k().virt_to_page(big);
  k().kfree_sensitive(big);
  EXPECT_FALSE(k().block_is_allocated(page, 2));
  auto* raw = static_cast<u8*>(k().page_to_virt_raw(page));
  for (size_t b = 0; b < 4 * PAGE_SIZE; b += 64) ASSERT_EQ(raw[b], 0) << b;
  EXPECT_EQ(bad_frees(), 0u);
}

}  // namespace
}  // namespace kmem_test
