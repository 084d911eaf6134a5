// SPDX-License-Identifier: MIT
// The numbers in the reports agree with the allocator's own state.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "kernel.h"
#include "kmem/machine.hpp"
#include "report/report.h"
#include "report_test_util.h"

namespace kmem {
namespace {

using report_test::lines_of;

// "name value" files (vmstat) and "Label:   value kB" files (meminfo).
std::map<std::string, unsigned long long> parse_pairs(const std::string& text) {
  std::map<std::string, unsigned long long> out;
  for (const auto& l : lines_of(text)) {
    std::istringstream in(l);
    std::string name;
    unsigned long long v = 0;
    in >> name >> v;
    if (!name.empty() && name.back() == ':') name.pop_back();
    out[name] = v;
  }
  return out;
}

std::vector<Zone*> populated_zones(Kernel& k) {
  std::vector<Zone*> out;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      Zone& zone = k.node_data(nid)->zones[z];
      if (k.zone_configured(ZoneType(z)) && zone.populated()) out.push_back(&zone);
    }
  return out;
}

unsigned long sum_zone_stat(Kernel& k, ZoneStatItem i) {
  unsigned long sum = 0;
  for (Zone* z : populated_zones(k)) sum += report::zone_page_state(*z, i);
  return sum;
}

void expect_buddyinfo_matches(Machine& m) {
  Kernel& k = m.kernel();
  auto zones = populated_zones(k);
  auto l = lines_of(m.proc("buddyinfo"));
  ASSERT_EQ(l.size(), zones.size());
  for (size_t i = 0; i < zones.size(); ++i) {
    unsigned long nr_free[NR_PAGE_ORDERS];
    report::zone_nr_free(*zones[i], nr_free);
    std::istringstream in(l[i].substr(22));  // after "Node 0, zone   Normal "
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
      unsigned long v = ~0UL;
      in >> v;
      EXPECT_EQ(v, nr_free[o]) << zones[i]->name() << " order " << o;
    }
  }
}

TEST(ReportValues, BuddyinfoCountsAreNrFree) {
  Machine m("mem=1G cpus=2");
  expect_buddyinfo_matches(m);
  std::vector<Page*> held;
  for (unsigned o = 0; o <= 4; ++o)
    for (int i = 0; i < 3; ++i) held.push_back(m.alloc_pages(gfp::KERNEL, o));
  m.kernel().drain_all_pages();
  expect_buddyinfo_matches(m);
  unsigned idx = 0;
  for (unsigned o = 0; o <= 4; ++o)
    for (int i = 0; i < 3; ++i) m.free_pages(held[idx++], o);
}

TEST(ReportValues, PagetypeinfoSumsToBuddyinfo) {
  Machine m("mem=1G cpus=2");
  m.kernel().drain_all_pages();
  auto zones = populated_zones(m.kernel());
  auto l = lines_of(m.proc("pagetypeinfo"));
  // Rows after the header: MIGRATE_TYPES per populated zone.
  for (size_t zi = 0; zi < zones.size(); ++zi) {
    unsigned long nr_free[NR_PAGE_ORDERS];
    report::zone_nr_free(*zones[zi], nr_free);
    unsigned long sum[NR_PAGE_ORDERS] = {};
    for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) {
      const std::string& row = l[4 + zi * MIGRATE_TYPES + mt];
      std::istringstream in(row.substr(row.find("type ") + 18));
      for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
        unsigned long v = 0;
        in >> v;
        sum[o] += v;
      }
    }
    for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) EXPECT_EQ(sum[o], nr_free[o]) << "order " << o;
  }
}

TEST(ReportValues, PagetypeinfoBlockCountsCoverTheZone) {
  Machine m("mem=1G cpus=2");
  Kernel& k = m.kernel();
  auto zones = populated_zones(k);
  auto l = lines_of(m.proc("pagetypeinfo"));
  size_t first = l.size() - zones.size();
  for (size_t zi = 0; zi < zones.size(); ++zi) {
    std::istringstream in(l[first + zi].substr(22));
    unsigned long total = 0, v;
    while (in >> v) total += v;
    unsigned long blocks = (zones[zi]->spanned_pages + pageblock_nr_pages - 1) / pageblock_nr_pages;
    EXPECT_LE(total, blocks) << zones[zi]->name();
    EXPECT_GE(total, zones[zi]->present_pages / pageblock_nr_pages) << zones[zi]->name();
  }
}

TEST(ReportValues, MeminfoTotalsAreThePageCounts) {
  Machine m("mem=1G cpus=2");
  Kernel& k = m.kernel();
  auto v = parse_pairs(m.proc("meminfo"));
  EXPECT_EQ(v["MemTotal"], k.totalram_pages() * 4);
  EXPECT_EQ(v["MemFree"], k.global_free_pages() * 4);
  EXPECT_LE(v["MemAvailable"], v["MemFree"]);  // no page cache to add back
  EXPECT_GT(v["MemAvailable"], 0u);
  EXPECT_EQ(v["CommitLimit"], k.totalram_pages() * 50 / 100 * 4);  // overcommit_ratio 50
  EXPECT_EQ(v["VmallocTotal"], 34359738367ULL);
  EXPECT_EQ(v["Hugepagesize"], 2048u);
  // The direct map covers exactly the RAM ranges of memblock.memory.
  EXPECT_EQ(v["DirectMap4k"] + v["DirectMap2M"] + v["DirectMap1G"],
            k.memblock().memory.total() >> 10);
}

TEST(ReportValues, MeminfoI386SplitsLowAndHigh) {
  Machine m("profile=i386 mem=2G cpus=2");
  Kernel& k = m.kernel();
  auto v = parse_pairs(m.proc("meminfo"));
  EXPECT_EQ(v["HighTotal"] + v["LowTotal"], v["MemTotal"]);
  EXPECT_EQ(v["HighFree"] + v["LowFree"], v["MemFree"]);
  EXPECT_GT(v["HighTotal"], 0u);
  EXPECT_EQ(v["VmallocTotal"], 122880u);
  EXPECT_LE(v["DirectMap4k"] + v["DirectMap2M"], 896ULL * 1024);
  EXPECT_EQ(v["MemTotal"], k.totalram_pages() * 4);
}

TEST(ReportValues, VmstatCountersAreTheZoneAndEventSums) {
  Machine m("mem=1G cpus=2");
  Kernel& k = m.kernel();
  auto before = parse_pairs(m.proc("vmstat"));
  EXPECT_EQ(before["nr_free_pages"], sum_zone_stat(k, NR_FREE_PAGES));
  EXPECT_EQ(before["nr_memmap_boot_pages"], k.memmap_pages());
  EXPECT_GT(before["nr_dirty_threshold"], before["nr_dirty_background_threshold"]);
  Page* p = m.alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  auto after = parse_pairs(m.proc("vmstat"));
  unsigned long long pgalloc_before = 0, pgalloc_after = 0;
  for (const char* z : {"pgalloc_dma", "pgalloc_dma32", "pgalloc_normal", "pgalloc_movable"}) {
    pgalloc_before += before[z];
    pgalloc_after += after[z];
  }
  EXPECT_EQ(pgalloc_after, pgalloc_before + 1);
  m.free_pages(p, 0);
}

TEST(ReportValues, DirtyLimitsUseLinuxRatios) {
  Machine m("mem=1G cpus=2");
  Kernel& k = m.kernel();
  unsigned long bg, thresh;
  report::global_dirty_limits(k, &bg, &thresh);
  unsigned long free = report::global_zone_page_state(k, NR_FREE_PAGES);
  unsigned long avail = free - std::min(free, k.totalreserve_pages()) + 1;
  EXPECT_EQ(thresh, 819 * avail / 4096);  // 20 % as parts per 4096
  EXPECT_EQ(bg, 409 * avail / 4096);      // 10 %
}

TEST(ReportValues, ZoneinfoShowsEachZonesState) {
  Machine m("mem=1G cpus=3");
  Kernel& k = m.kernel();
  auto l = lines_of(m.proc("zoneinfo"));
  unsigned cpu_lines = 0, threshold_lines = 0;
  for (const auto& s : l) {
    cpu_lines += s.rfind("    cpu: ", 0) == 0;
    threshold_lines += s.rfind("  vm stats threshold: ", 0) == 0;
  }
  EXPECT_EQ(cpu_lines, populated_zones(k).size() * 3);
  EXPECT_EQ(threshold_lines, cpu_lines);
  // The DMA zone's block: free pages and managed pages as the zone has them.
  Zone& dma = k.node_data(0)->zones[ZONE_DMA];
  std::string text = m.proc("zoneinfo");
  EXPECT_NE(text.find("\n        managed  " + std::to_string(dma.managed()) + "\n"),
            std::string::npos);
  EXPECT_NE(text.find("\n  start_pfn:           " + std::to_string(dma.zone_start_pfn) + "\n"),
            std::string::npos);
  EXPECT_NE(text.find("\n  vm stats threshold: " +
                      std::to_string(report::normal_stat_threshold(dma.managed(), 3)) + "\n"),
            std::string::npos);
}

TEST(ReportValues, ExtfragOfAFreshMachine) {
  Machine m("mem=1G cpus=2");
  // Nearly all memory sits in order-10 blocks: every order is satisfiable,
  // so the fragmentation index is -1 and little memory is unusable.
  auto e = lines_of(m.proc("extfrag_index"));
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e.back().find("-1.000 -1.000 -1.000 "), std::string::npos) << e.back();
  auto u = lines_of(m.proc("unusable_index"));
  EXPECT_NE(u.back().find("0.000 "), std::string::npos) << u.back();
}

// Reports take zone and pcp locks; reading them while other threads
// allocate must neither deadlock nor disturb the counters.
TEST(ReportValues, ReportsRunAlongsideAllocations) {
  Machine m("mem=512M cpus=4");
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (unsigned cpu = 1; cpu < 3; ++cpu)
    workers.emplace_back([&, cpu] {
      Machine::bind_current_thread(cpu);
      while (!stop.load()) {
        Page* p = m.alloc_pages(gfp::KERNEL, cpu);
        if (p) m.free_pages(p, cpu);
      }
    });
  Machine::bind_current_thread(0);
  for (int i = 0; i < 50; ++i)
    for (const char* f : {"buddyinfo", "pagetypeinfo", "zoneinfo", "meminfo", "vmstat"})
      EXPECT_FALSE(m.proc(f).empty());
  stop = true;
  for (auto& t : workers) t.join();
}

}  // namespace
}  // namespace kmem
