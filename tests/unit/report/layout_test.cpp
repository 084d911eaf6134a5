// SPDX-License-Identifier: MIT
// Golden layout tests: each /proc file of a booted machine has the labels,
// order, column widths and field counts of the same file read on a real
// Linux 6.18 x86_64 machine (../shared/data/proc-6.18). The machine is
// chosen to match that one's shape: 2 CPUs and memory above 4 GiB, so DMA,
// DMA32 and Normal are populated and Movable and Device are empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "kmem/machine.hpp"
#include "report_test_util.h"

namespace kmem {
namespace {

using report_test::first_word;
using report_test::label;
using report_test::lines_of;
using report_test::read_golden;
using report_test::shape;

constexpr const char* kLikeGolden = "mem=6G cpus=2";

std::vector<std::string> shapes(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text)) out.push_back(shape(l));
  return out;
}

std::vector<std::string> labels(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text)) out.push_back(label(l));
  return out;
}

std::vector<std::string> first_words(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text)) out.push_back(first_word(l));
  return out;
}

TEST(ReportLayout, GoldenFilesArePresent) {
  for (const char* f : {"buddyinfo", "pagetypeinfo", "zoneinfo", "meminfo", "vmstat"})
    EXPECT_FALSE(read_golden(f).empty()) << f;
}

TEST(ReportLayout, BuddyinfoMatchesLinux) {
  Machine m(kLikeGolden);
  std::string ours = m.proc("buddyinfo");
  EXPECT_EQ(shapes(ours), shapes(read_golden("buddyinfo")));
  const std::regex row(R"(Node \d+, zone [ A-Za-z0-9]{8} ( {0,5}\d+ ){11})");
  for (const auto& l : lines_of(ours)) EXPECT_TRUE(std::regex_match(l, row)) << "[" << l << "]";
}

TEST(ReportLayout, PagetypeinfoMatchesLinux) {
  Machine m(kLikeGolden);
  std::string ours = m.proc("pagetypeinfo");
  std::string golden = read_golden("pagetypeinfo");
  // Header lines are identical byte for byte, numbers included.
  auto ol = lines_of(ours), gl = lines_of(golden);
  ASSERT_GE(ol.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(ol[i], gl[i]) << "line " << i;
  EXPECT_EQ(shapes(ours), shapes(golden));
  auto it = std::find(ol.begin(), ol.end(),
                      std::string("Number of blocks type     Unmovable      Movable  Reclaimable   "
                                  "HighAtomic      Isolate "));
  EXPECT_NE(it, ol.end());
}

TEST(ReportLayout, ZoneinfoLabelSequenceMatchesLinux) {
  Machine m(kLikeGolden);
  std::string ours = m.proc("zoneinfo");
  auto ol = labels(ours), gl = labels(read_golden("zoneinfo"));
  ASSERT_EQ(ol.size(), gl.size());
  for (size_t i = 0; i < ol.size(); ++i) EXPECT_EQ(ol[i], gl[i]) << "line " << i + 1;
  EXPECT_EQ(ours.back(), '\n');
}

TEST(ReportLayout, ZoneinfoEmptyZonesStopAfterProtection) {
  Machine m(kLikeGolden);
  auto l = lines_of(m.proc("zoneinfo"));
  auto movable = std::find(l.begin(), l.end(), std::string("Node 0, zone  Movable"));
  ASSERT_NE(movable, l.end());
  ASSERT_LT(movable + 11, l.end());
  EXPECT_EQ(movable[11].rfind("        protection: (", 0), 0u);
  EXPECT_EQ(movable[12], "Node 0, zone   Device");
}

TEST(ReportLayout, MeminfoMatchesLinux) {
  Machine m(kLikeGolden);
  std::string ours = m.proc("meminfo");
  EXPECT_EQ(first_words(ours), first_words(read_golden("meminfo")));
  // Values below 10^8 kB keep every line's width, so the shapes agree too.
  EXPECT_EQ(shapes(ours), shapes(read_golden("meminfo")));
}

TEST(ReportLayout, VmstatNamesMatchLinux) {
  Machine m(kLikeGolden);
  std::string ours = m.proc("vmstat");
  EXPECT_EQ(first_words(ours), first_words(read_golden("vmstat")));
  const std::regex row(R"([a-z0-9_]+ \d+)");
  for (const auto& l : lines_of(ours)) EXPECT_TRUE(std::regex_match(l, row)) << "[" << l << "]";
}

TEST(ReportLayout, ExtfragFilesHaveLinuxRows) {
  Machine m(kLikeGolden);
  auto u = lines_of(m.proc("unusable_index"));
  auto e = lines_of(m.proc("extfrag_index"));
  auto b = lines_of(m.proc("buddyinfo"));
  ASSERT_EQ(u.size(), b.size());
  ASSERT_EQ(e.size(), b.size());
  const std::regex urow(R"(Node \d+, zone [ A-Za-z0-9]{8} (\d\.\d{3} ){11})");
  const std::regex erow(R"(Node \d+, zone [ A-Za-z0-9]{8} ((-1| \d)\.\d{3} ){11})");
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_TRUE(std::regex_match(u[i], urow)) << "[" << u[i] << "]";
    EXPECT_TRUE(std::regex_match(e[i], erow)) << "[" << e[i] << "]";
    EXPECT_EQ(u[i].substr(0, 22), b[i].substr(0, 22));  // same zones, same order
  }
}

// ---- the i386 profile: the same files with its zones ------------------------

std::vector<std::string> without_zone_events(const std::vector<std::string>& names) {
  static const std::regex zone_event(R"((pgalloc|allocstall|pgskip)_.*)");
  std::vector<std::string> out;
  for (const auto& n : names)
    if (!std::regex_match(n, zone_event)) out.push_back(n);
  return out;
}

TEST(ReportLayout, VmstatI386ExpandsItsOwnZones) {
  Machine m("profile=i386 mem=2G cpus=2");
  auto ours = first_words(m.proc("vmstat"));
  EXPECT_EQ(without_zone_events(ours), without_zone_events(first_words(read_golden("vmstat"))));
  auto first = std::find(ours.begin(), ours.end(), std::string("pgalloc_dma"));
  ASSERT_NE(first, ours.end());
  EXPECT_EQ(first[1], "pgalloc_normal");
  EXPECT_EQ(first[2], "pgalloc_high");
  EXPECT_EQ(first[3], "pgalloc_movable");
  EXPECT_EQ(std::count(ours.begin(), ours.end(), std::string("pgalloc_dma32")), 0);
}

TEST(ReportLayout, MeminfoI386HasHighmemAndNoGigabytePages) {
  Machine m("profile=i386 mem=2G cpus=2");
  auto ours = first_words(m.proc("meminfo"));
  auto golden = first_words(read_golden("meminfo"));
  auto at = std::find(golden.begin(), golden.end(), std::string("Mlocked")) + 1;
  golden.insert(at, {"HighTotal", "HighFree", "LowTotal", "LowFree"});
  golden.erase(std::find(golden.begin(), golden.end(), std::string("DirectMap1G")));
  EXPECT_EQ(ours, golden);
}

TEST(ReportLayout, ZoneinfoI386ProtectionCoversItsZones) {
  Machine m("profile=i386 mem=2G cpus=2");
  auto l = lines_of(m.proc("zoneinfo"));
  int zones = 0;
  for (const auto& s : l) {
    if (s.rfind("Node ", 0) == 0) ++zones;
    if (s.rfind("        protection: (", 0) == 0) {
      EXPECT_EQ(std::count(s.begin(), s.end(), ','), 3) << s;  // DMA Normal HighMem Movable
    }
  }
  EXPECT_EQ(zones, 4);
}

}  // namespace
}  // namespace kmem
