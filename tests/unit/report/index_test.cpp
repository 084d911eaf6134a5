// SPDX-License-Identifier: MIT
// The arithmetic behind the reports, on hand-made inputs whose answers are
// worked out in the comments: fragmentation indices, the vmstat threshold
// and the direct map split.
#include <gtest/gtest.h>

#include "report/report.h"

namespace kmem::report {
namespace {

struct Free {
  unsigned long n[NR_PAGE_ORDERS] = {};
};

ContigPageInfo info_for(const Free& f, unsigned order) {
  ContigPageInfo info;
  fill_contig_page_info(f.n, order, &info);
  return info;
}

TEST(ContigPageInfo, CountsPagesBlocksAndSuitableBlocks) {
  Free f;
  f.n[0] = 3;
  f.n[2] = 2;
  f.n[5] = 1;
  ContigPageInfo i = info_for(f, 1);
  EXPECT_EQ(i.free_pages, 3u + 8u + 32u);
  EXPECT_EQ(i.free_blocks_total, 6u);
  EXPECT_EQ(i.free_blocks_suitable, 2u * 2 + 1u * 16);  // order-1 pieces in 2^2 and 2^5
}

TEST(UnusableIndex, NoFreeMemoryIsFullyUnusable) {
  Free f;
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o)
    EXPECT_EQ(unusable_free_index(o, info_for(f, o)), 1000);
}

TEST(UnusableIndex, FractionOfFreePagesTooSmall) {
  Free f;
  f.n[0] = 4;  // 4 pages in singles
  f.n[2] = 1;  // 4 pages in one order-2 block
  EXPECT_EQ(unusable_free_index(0, info_for(f, 0)), 0);
  EXPECT_EQ(unusable_free_index(1, info_for(f, 1)), 500);   // (8 - 2*2) / 8
  EXPECT_EQ(unusable_free_index(2, info_for(f, 2)), 500);   // (8 - 1*4) / 8
  EXPECT_EQ(unusable_free_index(3, info_for(f, 3)), 1000);  // nothing of order 3
}

TEST(UnusableIndex, RoundsDown) {
  Free f;
  f.n[0] = 1;
  f.n[1] = 1;  // 3 free pages, one of them usable for order 1 twice over
  EXPECT_EQ(unusable_free_index(1, info_for(f, 1)), 333);  // (3 - 2) / 3
}

TEST(FragmentationIndex, ZeroWithoutFreeBlocks) {
  Free f;
  EXPECT_EQ(fragmentation_index(3, info_for(f, 3)), 0);
}

TEST(FragmentationIndex, MinusOneWhenTheRequestWouldSucceed) {
  Free f;
  f.n[4] = 1;
  EXPECT_EQ(fragmentation_index(0, info_for(f, 0)), -1000);
  EXPECT_EQ(fragmentation_index(4, info_for(f, 4)), -1000);
}

TEST(FragmentationIndex, TendsToOneWhenFreeMemoryIsScattered) {
  Free f;
  f.n[0] = 10;
  // 1000 - (1000 + 10*1000/2) / 10 = 1000 - 600
  EXPECT_EQ(fragmentation_index(1, info_for(f, 1)), 400);
  // 1000 - (1000 + 10*1000/4) / 10 = 1000 - 350
  EXPECT_EQ(fragmentation_index(2, info_for(f, 2)), 650);
  f.n[0] = 4;
  f.n[2] = 1;
  // 8 free pages in 5 blocks; order 3: 1000 - (1000 + 8000/8) / 5 = 600
  EXPECT_EQ(fragmentation_index(3, info_for(f, 3)), 600);
}

TEST(FragmentationIndex, NearZeroWhenMemoryIsJustShort) {
  Free f;
  f.n[9] = 1;  // half of an order-10 request, in one block
  // 1000 - (1000 + 512*1000/1024) / 1 = 1000 - 1500 -> negative: lack of memory
  EXPECT_EQ(fragmentation_index(10, info_for(f, 10)), -500);
}

TEST(FragmentationIndex, RejectsOrdersAboveTheMaximum) {
  Free f;
  f.n[0] = 1;
  EXPECT_EQ(fragmentation_index(MAX_PAGE_ORDER + 1, info_for(f, 0)), 0);
}

// Values from the golden zoneinfo (2 CPUs) and the table in mm/vmstat.c.
TEST(StatThreshold, MatchesLinux) {
  EXPECT_EQ(normal_stat_threshold(3840, 2), 4);     // DMA: < 128 MiB
  EXPECT_EQ(normal_stat_threshold(772808, 2), 24);  // DMA32: ~3 GiB
  EXPECT_EQ(normal_stat_threshold(458752, 2), 20);  // Normal: 1.75 GiB
  EXPECT_EQ(normal_stat_threshold(0, 1), 2);
  EXPECT_EQ(normal_stat_threshold(230400, 16), 40);        // 900 MiB, 16 CPUs: 2*5*(1+3)
  EXPECT_EQ(normal_stat_threshold(1UL << 23, 1024), 125);  // capped
}

TEST(DirectMapSplit, AlignedRangeUsesTheLargestPages) {
  DirectMapSplit s = {};
  direct_map_split(0, 6 * SZ_1G, true, &s);
  EXPECT_EQ(s.bytes_4k, 0u);
  EXPECT_EQ(s.bytes_2m, 0u);
  EXPECT_EQ(s.bytes_1g, 6 * SZ_1G);
}

TEST(DirectMapSplit, UnalignedEdgesStepDown) {
  DirectMapSplit s = {};
  direct_map_split(SZ_1M, 3 * SZ_1G + 3 * SZ_1M + 4096, true, &s);
  EXPECT_EQ(s.bytes_4k, SZ_1M + SZ_1M + 4096);             // 1M..2M, and the tail past 3G+2M
  EXPECT_EQ(s.bytes_2m, (SZ_1G - 2 * SZ_1M) + 2 * SZ_1M);  // 2M..1G, 3G..3G+2M
  EXPECT_EQ(s.bytes_1g, 2 * SZ_1G);
  EXPECT_EQ(s.bytes_4k + s.bytes_2m + s.bytes_1g, 3 * SZ_1G + 2 * SZ_1M + 4096);
}

TEST(DirectMapSplit, SmallRangeStaysInSmallPages) {
  DirectMapSplit s = {};
  direct_map_split(0x1000, 0x9f000, true, &s);
  EXPECT_EQ(s.bytes_4k, 0x9e000u);
  EXPECT_EQ(s.bytes_2m + s.bytes_1g, 0u);
}

TEST(DirectMapSplit, WithoutGigabytePages) {
  DirectMapSplit s = {};
  direct_map_split(0, 896 * SZ_1M, false, &s);
  EXPECT_EQ(s.bytes_2m, 896 * SZ_1M);
  EXPECT_EQ(s.bytes_1g, 0u);
  direct_map_split(5 * SZ_1G, 5 * SZ_1G, false, &s);  // empty: no change
  EXPECT_EQ(s.bytes_4k, 0u);
}

}  // namespace
}  // namespace kmem::report
