// SPDX-License-Identifier: MIT
// Watermarks, lowmem_reserve, totalreserve_pages and pcp batch/high, each
// recomputed here from the zones' managed pages with Linux's formulas
// (calculate_min_free_kbytes, __setup_per_zone_wmarks,
// setup_per_zone_lowmem_reserve, calculate_totalreserve_pages,
// zone_batchsize, zone_highsize) and compared with what the kernel set up.
#include <cstdio>

#include "helpers.h"

namespace kmem_test {
namespace {

struct ZoneExpect {
  unsigned long wmark[NR_WMARK];
  long lowmem_reserve[MAX_NR_ZONES];
  int batch, high_min, high_max;
};

u64 mult_frac(u64 x, u64 n, u64 d) { return (x / d) * n + ((x % d) * n) / d; }

bool is_lowmem_zone(unsigned z) { return z != ZONE_HIGHMEM && z != ZONE_MOVABLE; }

unsigned long expected_min_free_kbytes(Kernel& k) {
  if (k.options().min_free_kbytes != 0) return (unsigned long)k.options().min_free_kbytes;
  u64 lowmem_pages = 0;  // nr_free_buffer_pages(): zones up to Normal, before any watermark
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z <= ZONE_NORMAL; ++z)
      lowmem_pages += k.node_data(nid)->zones[z].managed();
  u64 kb = lowmem_pages * (PAGE_SIZE >> 10);
  u64 v = int_sqrt(kb * 16);
  return (unsigned long)clamp_t<u64>(v, 128, 262144);
}

// Expectations for every zone of node nid.
std::vector<ZoneExpect> expected(Kernel& k, int nid) {
  static constexpr int kRatio[MAX_NR_ZONES] = {256, 256, 32, 0, 0, 0};
  const u64 pages_min = expected_min_free_kbytes(k) >> (PAGE_SHIFT - 10);
  const u64 wsf = k.options().watermark_scale_factor;
  u64 lowmem_pages = 0;
  for (int n = 0; n < k.nr_node_ids(); ++n)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
      if (is_lowmem_zone(z)) lowmem_pages += k.node_data(n)->zones[z].managed();
  unsigned ncpus = 0;
  for (unsigned c = 0; c < k.nr_cpus(); ++c) ncpus += k.cpu_to_node(c) == nid;

  std::vector<ZoneExpect> out(MAX_NR_ZONES);
  Node* node = k.node_data(nid);
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    ZoneExpect& e = out[z];
    const u64 managed = node->zones[z].managed();
    u64 tmp = lowmem_pages ? pages_min * managed / lowmem_pages : 0;
    if (!is_lowmem_zone(z))
      e.wmark[WMARK_MIN] = (unsigned long)clamp_t<u64>(managed / 1024, 32, 128);
    else e.wmark[WMARK_MIN] = (unsigned long)tmp;
    u64 delta = max_t<u64>(tmp >> 2, mult_frac(managed, wsf, 10000));
    e.wmark[WMARK_LOW] = (unsigned long)(e.wmark[WMARK_MIN] + delta);
    e.wmark[WMARK_HIGH] = (unsigned long)(e.wmark[WMARK_LOW] + delta);
    e.wmark[WMARK_PROMO] = (unsigned long)(e.wmark[WMARK_HIGH] + delta);

    u64 upper = 0;
    for (unsigned j = 0; j < MAX_NR_ZONES; ++j) e.lowmem_reserve[j] = 0;
    for (unsigned j = z + 1; j < MAX_NR_ZONES; ++j) {
      upper += node->zones[j].managed();
      bool clear = kRatio[z] == 0 || managed == 0;
      e.lowmem_reserve[j] = clear ? 0 : long(upper / u64(kRatio[z]));
    }

    long b = long(min_t<u64>(managed >> 10, SZ_1M / PAGE_SIZE)) / 4;
    if (b < 1) b = 1;
    long batch = long(rounddown_pow_of_two(u64(b + b / 2))) - 1;
    e.batch = int(max_t<long>(1, batch));
    e.high_min = int(max_t<long>(long(e.wmark[WMARK_LOW] / ncpus), long(e.batch) << 2));
    e.high_max = int(max_t<long>(long(managed / 8 / ncpus), long(e.batch) << 2));
  }
  return out;
}

class Watermarks : public ::testing::TestWithParam<const char*> {};

TEST_P(Watermarks, MatchLinuxFormulas) {
  Machine m(GetParam());
  Kernel& k = m.kernel();
  EXPECT_EQ(k.min_free_kbytes(), expected_min_free_kbytes(k));
  unsigned long totalreserve = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    std::vector<ZoneExpect> want = expected(k, nid);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      Zone& zz = k.node_data(nid)->zones[z];
      if (!zz.populated()) continue;
      const ZoneExpect& e = want[z];
      SCOPED_TRACE(std::string(GetParam()) + " node " + std::to_string(nid) + " zone " + zz.name());
      EXPECT_EQ(zz.watermark[WMARK_MIN], e.wmark[WMARK_MIN]);
      EXPECT_EQ(zz.watermark[WMARK_LOW], e.wmark[WMARK_LOW]);
      EXPECT_EQ(zz.watermark[WMARK_HIGH], e.wmark[WMARK_HIGH]);
      EXPECT_EQ(zz.watermark[WMARK_PROMO], e.wmark[WMARK_PROMO]);
      EXPECT_EQ(zz.watermark_boost, 0u);
      for (unsigned j = 0; j < MAX_NR_ZONES; ++j)
        EXPECT_EQ(zz.lowmem_reserve[j], e.lowmem_reserve[j]) << "lowmem_reserve[" << j << "]";
      if (k.options().pcp) {
        ASSERT_NE(zz.pcp, nullptr);
        for (unsigned cpu = 0; cpu < k.nr_cpus(); ++cpu) {
          EXPECT_EQ(zz.pcp[cpu].batch, e.batch) << "cpu " << cpu;
          if (k.cpu_to_node(cpu) != nid) continue;
          EXPECT_EQ(zz.pcp[cpu].high_min, e.high_min) << "cpu " << cpu;
          EXPECT_EQ(zz.pcp[cpu].high_max, e.high_max) << "cpu " << cpu;
          EXPECT_GE(zz.pcp[cpu].high, zz.pcp[cpu].high_min);
          EXPECT_LE(zz.pcp[cpu].high, zz.pcp[cpu].high_max);
        }
      }
      // calculate_totalreserve_pages()
      long max = 0;
      for (unsigned j = z; j < MAX_NR_ZONES; ++j) max = max_t(max, zz.lowmem_reserve[j]);
      max += long(zz.watermark[WMARK_HIGH]);
      if (max > long(zz.managed())) max = long(zz.managed());
      totalreserve += (unsigned long)max;
      std::printf("%-28s node %d %-7s managed %7lu min %5lu low %5lu high %5lu  reserve",
                  GetParam(), nid, zz.name(), zz.managed(), zz.watermark[0], zz.watermark[1],
                  zz.watermark[2]);
      for (unsigned j = 0; j < MAX_NR_ZONES; ++j) std::printf(" %ld", zz.lowmem_reserve[j]);
      if (k.options().pcp)
        std::printf("  batch %d high_min %d high_max %d", zz.pcp[0].batch, zz.pcp[0].high_min,
                    zz.pcp[0].high_max);
      std::printf("\n");
    }
  }
  EXPECT_EQ(k.totalreserve_pages(), totalreserve);
}

INSTANTIATE_TEST_SUITE_P(Cmdlines, Watermarks,
                         ::testing::Values("mem=1G cpus=2", "mem=1G cpus=4", "mem=16M cpus=1",
                                           "mem=6G cpus=4", "mem=2G cpus=2 profile=i386",
                                           "mem=1G cpus=2 min_free_kbytes=8192",
                                           "mem=1G cpus=2 watermark_scale_factor=200",
                                           "mem=8G cpus=4 numa=2", "mem=16G cpus=8"));

TEST(Watermarks, OneGigabyteConcreteValues) {
  // Cross-check the formulas with the numbers a 1 GiB x86_64 machine gives:
  // two zones, batch 63 on DMA32 and 1 on DMA.
  Machine m("mem=1G cpus=2");
  Kernel& k = m.kernel();
  Zone& dma = zone(k, ZONE_DMA);
  Zone& dma32 = zone(k, ZONE_DMA32);
  EXPECT_EQ(dma.managed(), 3840u);
  EXPECT_EQ(dma32.pcp[0].batch, 63);
  EXPECT_EQ(dma.pcp[0].batch, 1);
  // lowmem about 1 GiB -> min_free_kbytes about int_sqrt(16 GiB in KiB) = 4096.
  EXPECT_GT(k.min_free_kbytes(), 3900u);
  EXPECT_LE(k.min_free_kbytes(), 4096u);
  EXPECT_EQ(dma.lowmem_reserve[ZONE_DMA32], long(dma32.managed() / 256));
  EXPECT_EQ(dma.lowmem_reserve[ZONE_NORMAL], long(dma32.managed() / 256));
  EXPECT_EQ(dma32.lowmem_reserve[ZONE_NORMAL], 0);
  EXPECT_LE(k.min_free_kbytes() / 4 - dma.watermark[WMARK_MIN] - dma32.watermark[WMARK_MIN], 2u)
      << "the split loses at most one page per zone to rounding";
}

}  // namespace
}  // namespace kmem_test
