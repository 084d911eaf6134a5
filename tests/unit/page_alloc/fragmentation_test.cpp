// SPDX-License-Identifier: MIT
// Anti-fragmentation: the same churn (movable-heavy, with long-lived unmovable
// pages sprinkled in) on a machine with mobility grouping and one without.
// Grouping keeps the unmovable pages in few pageblocks, so once the movable
// pages are gone more free memory is usable for order-9 requests: its
// unusable index (mm/vmstat.c, /sys/kernel/debug/extfrag/unusable_index)
// must not be higher.
#include <cstdio>
#include <random>

#include "helpers.h"
#include "report/report.h"

namespace kmem_test {
namespace {

// unusable_free_index() recomputed from nr_free: the fraction of free memory,
// x1000, that lies in blocks smaller than 2^order pages.
int unusable_index_x1000(const unsigned long nr_free[NR_PAGE_ORDERS], unsigned order) {
  u64 free_pages = 0, suitable = 0;
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
    free_pages += u64(nr_free[o]) << o;
    if (o >= order) suitable += u64(nr_free[o]) << (o - order);
  }
  if (free_pages == 0) return 1000;
  return int((free_pages - (suitable << order)) * 1000 / free_pages);
}

struct FragResult {
  int index_x1000;  // over all populated zones' free lists together
  unsigned long free_pages;
  unsigned long order9_blocks;
};

FragResult churn(const char* cmdline, u64 seed) {
  Machine m(cmdline);
  Kernel& k = m.kernel();
  std::mt19937_64 rng(seed);
  struct Held {
    Page* p;
    unsigned order;
  };
  std::vector<Held> movable, pinned;
  const unsigned long total = k.totalram_pages();
  unsigned long movable_pages = 0;
  for (int round = 0; round < 12; ++round) {
    // Fill up to 70% with movable blocks; one long-lived unmovable (or
    // reclaimable) page per 24 movable allocations.
    int n = 0;
    while (movable_pages + pinned.size() < total * 7 / 10) {
      unsigned order = rng() % 8 == 0 ? unsigned(rng() % 4) : 0;
      Page* p = k.alloc_pages(gfp::HIGHUSER_MOVABLE | gfp::NOWARN, order);
      if (p == nullptr) break;
      movable.push_back({p, order});
      movable_pages += 1ul << order;
      if (++n % 24 == 0) {
        gfp_t g = rng() % 4 == 0 ? gfp::KERNEL | gfp::RECLAIMABLE : gfp::KERNEL;
        if (Page* u = k.alloc_pages(g | gfp::NOWARN, 0)) pinned.push_back({u, 0});
      }
    }
    // Free a random half of the movable blocks.
    for (size_t i = 0; i < movable.size();) {
      if (rng() % 2) {
        k.free_pages(movable[i].p, movable[i].order);
        movable_pages -= 1ul << movable[i].order;
        movable[i] = movable.back();
        movable.pop_back();
      } else {
        ++i;
      }
    }
    EXPECT_TRUE(invariants_ok(k)) << cmdline << " round " << round;
  }
  for (Held h : movable) k.free_pages(h.p, h.order);
  k.drain_all_pages();
  EXPECT_TRUE(invariants_ok(k));

  unsigned long nr_free[NR_PAGE_ORDERS] = {};
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    Zone& zz = zone(k, ZoneType(z));
    if (!zz.populated()) continue;
    unsigned long zf[NR_PAGE_ORDERS];
    report::zone_nr_free(zz, zf);
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
      EXPECT_EQ(zf[o], zz.free_area[o].nr_free.load());
      nr_free[o] += zf[o];
    }
  }
  FragResult r{};
  r.index_x1000 = unusable_index_x1000(nr_free, pageblock_order);
  // The report layer's implementation must agree with the formula.
  report::ContigPageInfo info{};
  report::fill_contig_page_info(nr_free, pageblock_order, &info);
  EXPECT_EQ(report::unusable_free_index(pageblock_order, info), r.index_x1000);
  r.free_pages = info.free_pages;
  r.order9_blocks = nr_free[9] + 2 * nr_free[10];
  std::printf(
      "%-45s pinned %zu pages, free %lu pages, order>=9 blocks %lu, unusable_index(9) %d.%03d\n",
      cmdline, pinned.size(), r.free_pages, r.order9_blocks, r.index_x1000 / 1000,
      r.index_x1000 % 1000);
  std::printf("%s", m.proc("unusable_index").c_str());
  for (Held h : pinned) k.free_pages(h.p, h.order);
  return r;
}

TEST(Fragmentation, UnusableIndexFormula) {
  unsigned long none[NR_PAGE_ORDERS] = {};
  EXPECT_EQ(unusable_index_x1000(none, 9), 1000);
  unsigned long only_small[NR_PAGE_ORDERS] = {100, 50, 10};
  EXPECT_EQ(unusable_index_x1000(only_small, 9), 1000);
  unsigned long only_big[NR_PAGE_ORDERS] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2};
  EXPECT_EQ(unusable_index_x1000(only_big, 9), 0);
  // 512 free pages as one order-9 block + 512 order-0 pages: half unusable.
  unsigned long half[NR_PAGE_ORDERS] = {512, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  EXPECT_EQ(unusable_index_x1000(half, 9), 500);
  for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
    unsigned long mix[NR_PAGE_ORDERS] = {7, 3, 5, 1, 0, 2, 0, 0, 1, 0, 1};
    report::ContigPageInfo info{};
    report::fill_contig_page_info(mix, order, &info);
    EXPECT_EQ(report::unusable_free_index(order, info), unusable_index_x1000(mix, order)) << order;
  }
}

TEST(Fragmentation, MobilityGroupingLowersUnusableIndex) {
  FragResult grouped = churn("mem=256M cpus=1 mobility_grouping=1", 42);
  FragResult flat = churn("mem=256M cpus=1 mobility_grouping=0", 42);
  std::printf("unusable_index(order 9): mobility_grouping=1 %d.%03d, mobility_grouping=0 %d.%03d\n",
              grouped.index_x1000 / 1000, grouped.index_x1000 % 1000, flat.index_x1000 / 1000,
              flat.index_x1000 % 1000);
  EXPECT_LE(grouped.index_x1000, flat.index_x1000);
  EXPECT_GE(grouped.order9_blocks, flat.order9_blocks);
}

}  // namespace
}  // namespace kmem_test
