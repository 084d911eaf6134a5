// SPDX-License-Identifier: MIT
// Zone layout per profile, the reserved first MiB, zone modifiers and their
// physical limits, the GFP_ZONE_TABLE and migratetype selection.
#include <set>

#include "helpers.h"

namespace kmem_test {
namespace {

constexpr pfn_t k16M = pfn_t(16 * SZ_1M >> PAGE_SHIFT);
constexpr pfn_t k4G = pfn_t(4 * SZ_1G >> PAGE_SHIFT);
constexpr pfn_t k896M = pfn_t(896 * SZ_1M >> PAGE_SHIFT);

// Pages memblock left free (memory minus reserved) within [start, end).
unsigned long memblock_free_pages_in(const Kernel& k, pfn_t start, pfn_t end) {
  unsigned long n = 0;
  u64 cursor = 0;
  MemblockRegion r;
  while (k.memblock().next_free_range(cursor, &r)) {
    pfn_t s = pfn_up(r.base), e = pfn_down(r.end());
    if (s < start) s = start;
    if (e > end) e = end;
    if (e > s) n += e - s;
  }
  return n;
}

TEST(Zones, X86_64SixGigabytes) {
  Machine m("mem=6G cpus=2");
  Kernel& k = m.kernel();
  EXPECT_TRUE(k.zone_configured(ZONE_DMA));
  EXPECT_TRUE(k.zone_configured(ZONE_DMA32));
  EXPECT_TRUE(k.zone_configured(ZONE_NORMAL));
  EXPECT_FALSE(k.zone_configured(ZONE_HIGHMEM));
  EXPECT_TRUE(k.has_dma32());
  EXPECT_FALSE(k.has_highmem());
  Zone& dma = zone(k, ZONE_DMA);
  Zone& dma32 = zone(k, ZONE_DMA32);
  Zone& normal = zone(k, ZONE_NORMAL);
  EXPECT_LE(dma.zone_end_pfn(), k16M);
  EXPECT_GE(dma32.zone_start_pfn, k16M);
  EXPECT_LE(dma32.zone_end_pfn(), k4G);
  EXPECT_EQ(normal.zone_start_pfn, k4G);
  EXPECT_EQ(normal.zone_end_pfn(), pfn_t(7 * SZ_1G >> PAGE_SHIFT));
  EXPECT_EQ(normal.present_pages, pfn_t(3 * SZ_1G >> PAGE_SHIFT));
  EXPECT_EQ(dma32.present_pages, pfn_t((3 * SZ_1G - 16 * SZ_1M) >> PAGE_SHIFT));
  EXPECT_TRUE(dma.populated() && dma32.populated() && normal.populated());
  // Each zone's managed pages are exactly what memblock left free in its span.
  for (ZoneType z : {ZONE_DMA, ZONE_DMA32, ZONE_NORMAL}) {
    Zone& zz = zone(k, z);
    EXPECT_EQ(zz.managed(), memblock_free_pages_in(k, zz.zone_start_pfn, zz.zone_end_pfn()))
        << zz.name();
    EXPECT_LE(zz.managed(), zz.present_pages);
    EXPECT_LE(zz.present_pages, zz.spanned_pages);
  }
  EXPECT_STREQ(dma.name(), "DMA");
  EXPECT_STREQ(dma32.name(), "DMA32");
  EXPECT_STREQ(normal.name(), "Normal");
  // page_zone and pfn_zone agree with the spans; the PCI hole has no zone.
  EXPECT_EQ(k.pfn_zone(k16M + 5), &dma32);
  EXPECT_EQ(k.pfn_zone(k4G + 5), &normal);
  EXPECT_EQ(k.pfn_zone(pfn_t(3 * SZ_1G >> PAGE_SHIFT) + 100), nullptr);
  EXPECT_TRUE(invariants_ok(k));
}

TEST(Zones, X86_64OneGigabyteHasNoNormalPages) {
  Machine m("mem=1G cpus=2");
  Kernel& k = m.kernel();
  EXPECT_FALSE(zone(k, ZONE_NORMAL).populated());
  EXPECT_TRUE(zone(k, ZONE_DMA32).populated());
  // GFP_KERNEL falls back from Normal to DMA32.
  Page* p = k.alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(in_zone(k, p, ZONE_DMA32));
  k.free_pages(p, 0);
}

TEST(Zones, I386TwoGigabytes) {
  Machine m("mem=2G cpus=2 profile=i386");
  Kernel& k = m.kernel();
  EXPECT_TRUE(k.zone_configured(ZONE_DMA));
  EXPECT_FALSE(k.zone_configured(ZONE_DMA32));
  EXPECT_TRUE(k.zone_configured(ZONE_NORMAL));
  EXPECT_TRUE(k.zone_configured(ZONE_HIGHMEM));
  EXPECT_TRUE(k.has_highmem());
  Zone& dma = zone(k, ZONE_DMA);
  Zone& normal = zone(k, ZONE_NORMAL);
  Zone& high = zone(k, ZONE_HIGHMEM);
  EXPECT_LE(dma.zone_end_pfn(), k16M);
  EXPECT_GE(normal.zone_start_pfn, k16M);
  EXPECT_LE(normal.zone_end_pfn(), k896M);
  EXPECT_GT(normal.zone_end_pfn(), k896M - 8192) << "lowmem should reach close to 896 MiB";
  EXPECT_EQ(high.zone_start_pfn, normal.zone_end_pfn());
  EXPECT_EQ(high.zone_end_pfn(), pfn_t(2 * SZ_1G >> PAGE_SHIFT));
  EXPECT_TRUE(high.populated());
  EXPECT_STREQ(high.name(), "HighMem");

  // A HighMem page has no permanent kernel address; lowmem pages do.
  Page* hp = k.alloc_pages(gfp::HIGHUSER, 0);
  ASSERT_NE(hp, nullptr);
  EXPECT_TRUE(in_zone(k, hp, ZONE_HIGHMEM));
  EXPECT_EQ(k.page_address(hp), nullptr);
  EXPECT_NE(k.page_to_virt_raw(hp), nullptr);
  Page* lp = k.alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(lp, nullptr);
  EXPECT_TRUE(in_zone(k, lp, ZONE_NORMAL));
  ASSERT_NE(k.page_address(lp), nullptr);
  EXPECT_EQ(k.virt_to_phys(k.page_address(lp)), k.page_to_phys(lp));
  // __get_free_pages strips __GFP_HIGHMEM: the page is addressable.
  unsigned long addr = k.get_free_pages(gfp::HIGHUSER, 0);
  ASSERT_NE(addr, 0u);
  EXPECT_LT(k.virt_to_phys(reinterpret_cast<void*>(addr)), pfn_phys(k896M));
  k.free_pages_addr(addr, 0);
  k.free_pages(hp, 0);
  k.free_pages(lp, 0);
  EXPECT_TRUE(invariants_ok(k));
}

TEST(Zones, FirstMegabyteNeverAllocated) {
  for (const char* line : {"mem=16M cpus=1", "mem=16M cpus=1 pcp=0"}) {
    Machine m(line);
    Kernel& k = m.kernel();
    Zone& dma = zone(k, ZONE_DMA);
    // With mem=16M memblock's own allocations come from DMA too.
    EXPECT_EQ(dma.managed(), memblock_free_pages_in(k, 0, k16M)) << line;
    EXPECT_EQ(memblock_free_pages_in(k, 0, 256), 0u) << "the first MiB is reserved";
    std::vector<Page*> pages;
    while (Page* p = k.alloc_pages(gfp::KERNEL | gfp::NOWARN | gfp::HIGH, 0)) {
      EXPECT_GE(k.page_to_pfn(p), 256u) << line;
      pages.push_back(p);
    }
    EXPECT_GT(pages.size(), 3000u);
    for (Page* p : pages) k.free_pages(p, 0);
    EXPECT_TRUE(invariants_ok(k));
  }
}

TEST(Zones, DmaZoneManagesFifteenMegabytesOnLargerMachines) {
  for (const char* line : {"mem=64M cpus=2", "mem=1G cpus=2", "mem=6G cpus=2"}) {
    Machine m(line);
    EXPECT_EQ(zone(m.kernel(), ZONE_DMA).managed(), 3840u) << line;
  }
}

TEST(Zones, DmaAndDma32PhysicalLimits) {
  Machine m("mem=6G cpus=2");
  Kernel& k = m.kernel();
  std::vector<std::pair<Page*, unsigned>> held;
  for (unsigned order : {0u, 1u, 3u, 5u}) {
    for (int i = 0; i < 20; ++i) {
      Page* d = k.alloc_pages(gfp::KERNEL | gfp::DMA, order);
      ASSERT_NE(d, nullptr);
      EXPECT_LT(k.page_to_phys(d) + (PAGE_SIZE << order), 16 * SZ_1M + 1);
      EXPECT_TRUE(in_zone(k, d, ZONE_DMA));
      held.push_back({d, order});
      Page* d32 = k.alloc_pages(gfp::KERNEL | gfp::DMA32, order);
      ASSERT_NE(d32, nullptr);
      EXPECT_LE(k.page_to_phys(d32) + (PAGE_SIZE << order), 4 * SZ_1G);
      EXPECT_TRUE(in_zone(k, d32, ZONE_DMA32));
      held.push_back({d32, order});
      Page* n = k.alloc_pages(gfp::KERNEL, order);
      ASSERT_NE(n, nullptr);
      EXPECT_TRUE(in_zone(k, n, ZONE_NORMAL)) << "GFP_KERNEL prefers Normal";
      held.push_back({n, order});
    }
  }
  for (auto [p, o] : held) k.free_pages(p, o);
  // Exhaust DMA: every page handed out for GFP_DMA lies below 16 MiB, and the
  // allocation then fails instead of falling back upwards.
  std::vector<Page*> dma;
  while (Page* p = k.alloc_pages(gfp::KERNEL | gfp::DMA | gfp::NOWARN, 0)) {
    ASSERT_LT(k.page_to_pfn(p), k16M);
    dma.push_back(p);
    ASSERT_LT(dma.size(), 4096u);
  }
  EXPECT_GT(dma.size(), 3000u);
  for (Page* p : dma) k.free_pages(p, 0);
  EXPECT_TRUE(invariants_ok(k));
}

TEST(GfpZone, X86_64Table) {
  const bool dma32 = true, high = false;
  EXPECT_EQ(gfp_zone(0, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::KERNEL, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::DMA, dma32, high), ZONE_DMA);
  EXPECT_EQ(gfp_zone(gfp::HIGHMEM, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::DMA32, dma32, high), ZONE_DMA32);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE | gfp::DMA, dma32, high), ZONE_DMA);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE | gfp::HIGHMEM, dma32, high), ZONE_MOVABLE);
  EXPECT_EQ(gfp_zone(gfp::HIGHUSER_MOVABLE, dma32, high), ZONE_MOVABLE);
  EXPECT_EQ(gfp_zone(gfp::HIGHUSER, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE | gfp::DMA32, dma32, high), ZONE_DMA32);
  EXPECT_EQ(gfp_zone(gfp::KERNEL | gfp::DMA32 | gfp::RECLAIMABLE | gfp::ZERO, dma32, high),
            ZONE_DMA32);
}

TEST(GfpZone, I386Table) {
  const bool dma32 = false, high = true;
  EXPECT_EQ(gfp_zone(0, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::DMA, dma32, high), ZONE_DMA);
  EXPECT_EQ(gfp_zone(gfp::HIGHMEM, dma32, high), ZONE_HIGHMEM);
  EXPECT_EQ(gfp_zone(gfp::HIGHUSER, dma32, high), ZONE_HIGHMEM);
  EXPECT_EQ(gfp_zone(gfp::DMA32, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE, dma32, high), ZONE_NORMAL);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE | gfp::DMA, dma32, high), ZONE_DMA);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE | gfp::HIGHMEM, dma32, high), ZONE_MOVABLE);
  EXPECT_EQ(gfp_zone(gfp::MOVABLE | gfp::DMA32, dma32, high), ZONE_NORMAL);
}

TEST(GfpZone, BadCombinations) {
  for (bool dma32 : {false, true}) {
    for (bool high : {false, true}) {
      for (gfp_t bad : {gfp::DMA | gfp::HIGHMEM, gfp::DMA | gfp::DMA32, gfp::DMA32 | gfp::HIGHMEM,
                        gfp::DMA | gfp::DMA32 | gfp::HIGHMEM}) {
        EXPECT_EQ(gfp_zone(bad, dma32, high), MAX_NR_ZONES) << std::hex << bad;
        EXPECT_EQ(gfp_zone(bad | gfp::MOVABLE, dma32, high), MAX_NR_ZONES) << std::hex << bad;
      }
    }
  }
}

TEST(GfpZone, EveryZoneModifierCombinationIsClassified) {
  // Exactly the legal 8 of the 16 combinations of the four zone bits.
  int legal = 0;
  for (gfp_t bits = 0; bits < 16; ++bits)
    if (gfp_zone(bits, true, false) != MAX_NR_ZONES) ++legal;
  EXPECT_EQ(legal, 8);
}

TEST(Migratetype, FromGfp) {
  EXPECT_EQ(gfp_migratetype(gfp::KERNEL, true), MIGRATE_UNMOVABLE);
  EXPECT_EQ(gfp_migratetype(gfp::ATOMIC, true), MIGRATE_UNMOVABLE);
  EXPECT_EQ(gfp_migratetype(gfp::HIGHUSER_MOVABLE, true), MIGRATE_MOVABLE);
  EXPECT_EQ(gfp_migratetype(gfp::KERNEL | gfp::MOVABLE, true), MIGRATE_MOVABLE);
  EXPECT_EQ(gfp_migratetype(gfp::KERNEL | gfp::RECLAIMABLE, true), MIGRATE_RECLAIMABLE);
  EXPECT_EQ(gfp_migratetype(gfp::HIGHUSER_MOVABLE, false), MIGRATE_UNMOVABLE);
  EXPECT_EQ(gfp_migratetype(gfp::KERNEL | gfp::RECLAIMABLE, false), MIGRATE_UNMOVABLE);
  EXPECT_STREQ(migratetype_name(MIGRATE_UNMOVABLE), "Unmovable");
  EXPECT_STREQ(migratetype_name(MIGRATE_MOVABLE), "Movable");
  EXPECT_STREQ(migratetype_name(MIGRATE_RECLAIMABLE), "Reclaimable");
  EXPECT_STREQ(migratetype_name(MIGRATE_HIGHATOMIC), "HighAtomic");
}

TEST(Migratetype, PageblocksFollowTheRequest) {
  for (const char* line : {"mem=256M cpus=1", "mem=256M cpus=1 pcp=0"}) {
    Machine m(line);
    Kernel& k = m.kernel();
    EXPECT_TRUE(k.mobility_grouping());
    struct Want {
      gfp_t gfp;
      MigrateType mt;
    };
    std::vector<std::pair<Page*, unsigned>> held;
    for (Want w :
         {Want{gfp::HIGHUSER_MOVABLE, MIGRATE_MOVABLE}, Want{gfp::KERNEL, MIGRATE_UNMOVABLE},
          Want{gfp::KERNEL | gfp::RECLAIMABLE, MIGRATE_RECLAIMABLE}}) {
      for (unsigned order : {0u, 2u, 4u, 9u}) {
        Page* p = k.alloc_pages(w.gfp, order);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(k.pageblock_migratetype(k.page_to_pfn(p)), w.mt)
            << line << " gfp " << std::hex << w.gfp << std::dec << " order " << order;
        held.push_back({p, order});
      }
    }
    for (auto [p, o] : held) k.free_pages(p, o);
    EXPECT_TRUE(invariants_ok(k));
  }
  Machine off("mem=256M cpus=1 mobility_grouping=0");
  EXPECT_FALSE(off.kernel().mobility_grouping());
  Page* p = off.kernel().alloc_pages(gfp::HIGHUSER_MOVABLE, 0);
  ASSERT_NE(p, nullptr);
  off.kernel().free_pages(p, 0);
  EXPECT_TRUE(invariants_ok(off.kernel()));
}

}  // namespace
}  // namespace kmem_test
