// SPDX-License-Identifier: MIT
// /proc/slabinfo against the file read on a real Linux 6.18 x86_64 machine
// with 2 CPUs (../shared/data/proc-6.18/slabinfo): the same two header
// lines, the same row format (every row re-printed with cache_show()'s
// format gives itself back), and for every kmalloc-*, kmalloc-rcl-* and
// dma-kmalloc-* cache both files list, the same <objsize>, <objperslab> and
// <pagesperslab>, in the same relative order. Also kmem's slab_stats view.
#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <regex>
#include <sstream>

#include "kmem/machine.hpp"
#include "report_test_util.h"

namespace kmem {
namespace {

using report_test::lines_of;
using report_test::read_golden;

constexpr const char* kLikeGolden = "mem=1G cpus=2";

struct Row {
  std::string name;
  unsigned long active_objs, num_objs;
  unsigned objsize, objperslab;
  int pagesperslab;
  unsigned limit, batchcount, shared;
  unsigned long active_slabs, num_slabs, sharedavail;
};

bool parse_row(const std::string& line, Row* r) {
  std::istringstream in(line);
  std::string tunables, colon1, slabdata, colon2;
  in >> r->name >> r->active_objs >> r->num_objs >> r->objsize >> r->objperslab >>
      r->pagesperslab >> colon1 >> tunables >> r->limit >> r->batchcount >> r->shared >> colon2 >>
      slabdata >> r->active_slabs >> r->num_slabs >> r->sharedavail;
  std::string rest;
  return in && !(in >> rest) && colon1 == ":" && tunables == "tunables" && colon2 == ":" &&
         slabdata == "slabdata";
}

// cache_show()'s format (mm/slab_common.c).
std::string reformat(const Row& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
                r.name.c_str(), r.active_objs, r.num_objs, r.objsize, r.objperslab, r.pagesperslab,
                r.limit, r.batchcount, r.shared, r.active_slabs, r.num_slabs, r.sharedavail);
  return buf;
}

std::vector<Row> rows_of(const std::string& text) {
  std::vector<Row> out;
  auto lines = lines_of(text);
  for (size_t i = 2; i < lines.size(); ++i) {
    Row r;
    EXPECT_TRUE(parse_row(lines[i], &r)) << "[" << lines[i] << "]";
    EXPECT_EQ(reformat(r), lines[i]);
    out.push_back(r);
  }
  return out;
}

bool is_kmalloc_name(const std::string& n) {
  return n.rfind("kmalloc-", 0) == 0 || n.rfind("dma-kmalloc-", 0) == 0;
}

TEST(Slabinfo, HeaderMatchesLinux) {
  Machine m(kLikeGolden);
  auto ours = lines_of(m.proc("slabinfo"));
  auto golden = lines_of(read_golden("slabinfo"));
  ASSERT_GE(ours.size(), 3u);
  ASSERT_GE(golden.size(), 3u);
  EXPECT_EQ(ours[0], "slabinfo - version: 2.1");
  EXPECT_EQ(ours[0], golden[0]);
  EXPECT_EQ(ours[1], golden[1]);
}

TEST(Slabinfo, RowsHaveLinuxFormat) {
  Machine m(kLikeGolden);
  std::string text = m.proc("slabinfo");
  EXPECT_EQ(text.back(), '\n');
  auto ours = rows_of(text);
  EXPECT_GE(ours.size(), 39u);
  rows_of(read_golden("slabinfo"));  // the golden rows pass the same check
  for (const Row& r : ours) {
    EXPECT_EQ(r.limit + r.batchcount + r.shared + r.sharedavail, 0u) << r.name;  // SLUB: zeros
    EXPECT_EQ(r.active_slabs, r.num_slabs) << r.name;
    EXPECT_LE(r.active_objs, r.num_objs) << r.name;
    EXPECT_EQ(r.num_objs, r.num_slabs * r.objperslab) << r.name;
  }
}

TEST(Slabinfo, KmallocGeometryMatchesLinux) {
  Machine m(kLikeGolden);
  auto ours = rows_of(m.proc("slabinfo"));
  auto golden = rows_of(read_golden("slabinfo"));
  std::map<std::string, size_t> golden_pos;
  for (size_t i = 0; i < golden.size(); ++i) golden_pos[golden[i].name] = i;
  int compared = 0;
  size_t last_pos = 0;
  for (const Row& r : ours) {
    if (!is_kmalloc_name(r.name)) continue;
    auto it = golden_pos.find(r.name);
    if (it == golden_pos.end()) continue;
    const Row& g = golden[it->second];
    EXPECT_EQ(r.objsize, g.objsize) << r.name;
    EXPECT_EQ(r.objperslab, g.objperslab) << r.name;
    EXPECT_EQ(r.pagesperslab, g.pagesperslab) << r.name;
    // Newest first, as Linux lists them: the same relative order.
    if (compared > 0) {
      EXPECT_GT(it->second, last_pos) << r.name;
    }
    last_pos = it->second;
    ++compared;
  }
  EXPECT_EQ(compared, 3 * 13);  // kmalloc-, kmalloc-rcl-, dma-kmalloc- x 13 sizes
}

TEST(Slabinfo, CountsFollowAllocations) {
  Machine m(kLikeGolden);
  auto find = [&](const std::string& name) {
    for (const Row& r : rows_of(m.proc("slabinfo")))
      if (r.name == name) return r;
    ADD_FAILURE() << "no row " << name;
    return Row{};
  };
  const Row before = find("kmalloc-256");
  std::vector<void*> objs;
  for (int i = 0; i < 100; ++i) objs.push_back(m.kmalloc(200, gfp::KERNEL));
  const Row during = find("kmalloc-256");
  EXPECT_GE(during.num_objs, before.num_objs + 100);
  EXPECT_GE(during.active_objs, before.active_objs + 100);
  EXPECT_GE(during.num_slabs, before.num_slabs + 100 / 16);
  for (void* p : objs) m.kfree(p);
  // Objects cached in sheaves count as active (SLUB's definition).
  const Row after = find("kmalloc-256");
  EXPECT_LE(after.active_objs, during.active_objs);
}

TEST(SlabStats, OneRowPerCacheWithItsCounters) {
  Machine m(kLikeGolden);
  Machine::bind_current_thread(0);
  void* p = m.kmalloc(64, gfp::KERNEL);
  m.kfree(p);
  p = m.kmalloc(64, gfp::KERNEL);
  m.kfree(p);
  const auto lines = lines_of(m.proc("slab_stats"));
  const auto info = lines_of(m.proc("slabinfo"));
  ASSERT_FALSE(lines.empty());
  const std::regex header(
      R"(# name +objects +active +objsize +slabs +partial +full +order +objperslab +sheaved +)"
      R"(alloc_fastpath +alloc_slowpath +free_fastpath +free_slowpath +sheaf_refill +sheaf_flush +)"
      R"(barn_get +barn_get_fail +barn_put +barn_put_fail +alloc_slab +free_slab +order_fallback)");
  EXPECT_TRUE(std::regex_match(lines[0], header)) << lines[0];
  ASSERT_EQ(lines.size(), info.size() - 1);  // the same caches, in the same order
  for (size_t i = 1; i < lines.size(); ++i) {
    // Every line has the header's width per column.
    EXPECT_EQ(lines[i].size(), lines[0].size()) << lines[i];
    std::istringstream in(lines[i]);
    std::string name;
    in >> name;
    EXPECT_EQ(name, info[i + 1].substr(0, info[i + 1].find(' ')));
    std::vector<unsigned long long> v;
    unsigned long long x;
    while (in >> x) v.push_back(x);
    ASSERT_EQ(v.size(), 9u + 13u) << lines[i];
    if (name == "kmalloc-64") {
      EXPECT_GE(v[9], 1u);   // alloc_fastpath: the second kmalloc came from the sheaf
      EXPECT_GE(v[11], 2u);  // free_fastpath
      EXPECT_EQ(v[7], 64u);  // objperslab
      EXPECT_EQ(v[6], 0u);   // order
    }
  }
}

TEST(SlabProcFiles, ListedForTheCli) {
  auto files = Machine::proc_files();
  EXPECT_NE(std::find(files.begin(), files.end(), "slabinfo"), files.end());
  EXPECT_NE(std::find(files.begin(), files.end(), "slab_stats"), files.end());
}

}  // namespace
}  // namespace kmem
