// SPDX-License-Identifier: MIT
// parse_cmdline() and parse_size(): every option, memparse suffixes, and
// error messages that name the option at fault.
#include <gtest/gtest.h>

#include <string>

#include "boot/options.h"

namespace {

using kmem::CmdlineError;
using kmem::Options;
using kmem::SZ_1G;
using kmem::SZ_1K;
using kmem::SZ_1M;
using kmem::u64;

Options parse_ok(const char* line) {
  Options o;
  CmdlineError err;
  EXPECT_TRUE(kmem::parse_cmdline(line, o, err)) << line << ": " << err.message;
  return o;
}

// Parses a line that must fail; returns the message.
std::string parse_err(const char* line) {
  Options o;
  o.cpus = 77;  // a failed parse must leave the output untouched
  CmdlineError err;
  EXPECT_FALSE(kmem::parse_cmdline(line, o, err)) << line;
  EXPECT_EQ(o.cpus, 77u) << line;
  EXPECT_NE(err.message[0], '\0') << line;
  return err.message;
}

u64 size_of(const char* s) {
  u64 v = 0;
  EXPECT_TRUE(kmem::parse_size(s, std::char_traits<char>::length(s), v)) << s;
  return v;
}

TEST(ParseSize, MemparseSuffixes) {
  EXPECT_EQ(size_of("0"), 0u);
  EXPECT_EQ(size_of("4096"), 4096u);
  EXPECT_EQ(size_of("64k"), 64 * SZ_1K);
  EXPECT_EQ(size_of("64K"), 64 * SZ_1K);
  EXPECT_EQ(size_of("512M"), 512 * SZ_1M);
  EXPECT_EQ(size_of("512m"), 512 * SZ_1M);
  EXPECT_EQ(size_of("4G"), 4 * SZ_1G);
  EXPECT_EQ(size_of("4g"), 4 * SZ_1G);
  EXPECT_EQ(size_of("2T"), 2ULL << 40);
  EXPECT_EQ(size_of("1P"), 1ULL << 50);
  EXPECT_EQ(size_of("0x1000"), 0x1000u);
  EXPECT_EQ(size_of("0X10M"), 16 * SZ_1M);
  EXPECT_EQ(size_of("0xfffff"), 0xfffffu);
}

TEST(ParseSize, Rejects) {
  u64 v = 12345;
  for (const char* bad :
       {"", "M", "12Q", "1.5G", "-1", "0x", "G4", "18446744073709551616", "16777216T", " 1"}) {
    EXPECT_FALSE(kmem::parse_size(bad, std::char_traits<char>::length(bad), v)) << bad;
  }
  EXPECT_EQ(v, 12345u);
  // The length bounds the parse: "64M" of "64Mxyz".
  EXPECT_TRUE(kmem::parse_size("64Mxyz", 3, v));
  EXPECT_EQ(v, 64 * SZ_1M);
}

TEST(ParseCmdline, Defaults) {
  Options o = parse_ok("");
  EXPECT_EQ(o.mem, SZ_1G);
  EXPECT_EQ(o.cpus, 4u);
  EXPECT_EQ(o.numa, 1u);
  EXPECT_EQ(o.profile, kmem::Profile::x86_64);
  EXPECT_EQ(o.nr_memmap, 0u);
  EXPECT_EQ(o.min_free_kbytes, 0u);
  EXPECT_EQ(o.watermark_scale_factor, 10u);
  EXPECT_TRUE(o.mobility_grouping);
  EXPECT_TRUE(o.pcp);
  EXPECT_EQ(o.bug_action, kmem::BugAction::report);
  Options n;
  CmdlineError err;
  EXPECT_TRUE(kmem::parse_cmdline(nullptr, n, err));
  EXPECT_TRUE(kmem::parse_cmdline("   \t  ", n, err));
}

TEST(ParseCmdline, EveryOption) {
  Options o = parse_ok(
      "mem=2G cpus=8 numa=2 profile=i386 memmap=64M$256M min_free_kbytes=8192 "
      "watermark_scale_factor=100 mobility_grouping=0 pcp=off bug_action=panic");
  EXPECT_EQ(o.mem, 2 * SZ_1G);
  EXPECT_EQ(o.cpus, 8u);
  EXPECT_EQ(o.numa, 2u);
  EXPECT_EQ(o.profile, kmem::Profile::i386);
  ASSERT_EQ(o.nr_memmap, 1u);
  EXPECT_EQ(o.memmap[0].size, 64 * SZ_1M);
  EXPECT_EQ(o.memmap[0].start, 256 * SZ_1M);
  EXPECT_EQ(o.memmap[0].type, kmem::E820Type::reserved);
  EXPECT_EQ(o.min_free_kbytes, 8192u);
  EXPECT_EQ(o.watermark_scale_factor, 100u);
  EXPECT_FALSE(o.mobility_grouping);
  EXPECT_FALSE(o.pcp);
  EXPECT_EQ(o.bug_action, kmem::BugAction::panic);
}

TEST(ParseCmdline, BoolSpellings) {
  for (const char* yes : {"1", "y", "Y", "yes", "on", "true"}) {
    std::string line = std::string("pcp=0 pcp=") + yes;
    EXPECT_TRUE(parse_ok(line.c_str()).pcp) << yes;
  }
  for (const char* no : {"0", "n", "N", "no", "off", "false"}) {
    std::string line = std::string("mobility_grouping=") + no;
    EXPECT_FALSE(parse_ok(line.c_str()).mobility_grouping) << no;
  }
}

TEST(ParseCmdline, OtherEnumsAndLaterWins) {
  EXPECT_EQ(parse_ok("bug_action=count").bug_action, kmem::BugAction::count);
  EXPECT_EQ(parse_ok("bug_action=panic bug_action=report").bug_action, kmem::BugAction::report);
  EXPECT_EQ(parse_ok("profile=i386 profile=x86_64").profile, kmem::Profile::x86_64);
  EXPECT_EQ(parse_ok("mem=1G mem=64M").mem, 64 * SZ_1M);
  EXPECT_EQ(parse_ok("mem=0x4000000").mem, 64 * SZ_1M);
  EXPECT_EQ(parse_ok("cpus=256").cpus, 256u);
  EXPECT_EQ(parse_ok("cpus=32 numa=32").numa, 32u);
  EXPECT_EQ(parse_ok("  mem=16M\tcpus=1  ").mem, 16 * SZ_1M);
}

TEST(ParseCmdline, MemmapForms) {
  Options o = parse_ok("mem=1G memmap=64M$256M memmap=4K#0x1000000 memmap=1M!512M");
  ASSERT_EQ(o.nr_memmap, 3u);
  EXPECT_EQ(o.memmap[0].type, kmem::E820Type::reserved);
  EXPECT_EQ(o.memmap[1].start, 0x1000000u);
  EXPECT_EQ(o.memmap[1].size, 4 * SZ_1K);
  EXPECT_EQ(o.memmap[1].type, kmem::E820Type::acpi);
  EXPECT_EQ(o.memmap[2].start, 512 * SZ_1M);
  EXPECT_EQ(o.memmap[2].size, SZ_1M);
  EXPECT_EQ(o.memmap[2].type, kmem::E820Type::persistent);
}

TEST(ParseCmdline, RepeatedMemmapUpToTheLimit) {
  std::string line;
  for (unsigned i = 0; i < kmem::MAX_MEMMAP_ENTRIES; ++i)
    line += "memmap=1M$" + std::to_string(100 + 2 * i) + "M ";
  Options o = parse_ok(line.c_str());
  ASSERT_EQ(o.nr_memmap, kmem::MAX_MEMMAP_ENTRIES);
  for (unsigned i = 0; i < kmem::MAX_MEMMAP_ENTRIES; ++i)
    EXPECT_EQ(o.memmap[i].start, (100 + 2 * i) * SZ_1M);
  line += "memmap=1M$900M";
  std::string msg = parse_err(line.c_str());
  EXPECT_NE(msg.find("memmap"), std::string::npos) << msg;
}

TEST(ParseCmdline, ErrorsNameTheOption) {
  struct Case {
    const char* line;
    const char* must_contain;
  };
  const Case cases[] = {
      {"foo=1", "foo"},
      {"mem=1G frobnicate", "frobnicate"},
      {"mem=abc", "mem=abc"},
      {"mem=12X", "mem=12X"},
      {"mem=8M", "mem=8M"},      // below 16M
      {"mem=128T", "mem=128T"},  // above 64T
      {"mem=", "mem"},
      {"mem", "mem"},
      {"cpus=0", "cpus=0"},
      {"cpus=257", "cpus=257"},
      {"cpus=four", "cpus=four"},
      {"numa=0", "numa=0"},
      {"numa=33", "numa=33"},
      {"cpus=2 numa=4", "numa=4"},
      {"profile=arm64", "profile=arm64"},
      {"memmap=64M", "memmap=64M"},
      {"memmap=$256M", "memmap"},
      {"memmap=0$256M", "memmap"},
      {"memmap=64Q$256M", "memmap"},
      {"watermark_scale_factor=0", "watermark_scale_factor=0"},
      {"watermark_scale_factor=3001", "watermark_scale_factor=3001"},
      {"min_free_kbytes=-5", "min_free_kbytes"},
      {"pcp=maybe", "pcp=maybe"},
      {"mobility_grouping=2", "mobility_grouping=2"},
      {"bug_action=explode", "bug_action=explode"},
      {"=5", "=5"},
  };
  for (const Case& c : cases) {
    std::string msg = parse_err(c.line);
    EXPECT_NE(msg.find(c.must_contain), std::string::npos)
        << "line '" << c.line << "' gave '" << msg << "'";
  }
  std::string range = parse_err("cpus=0");
  EXPECT_NE(range.find("out of range"), std::string::npos) << range;
  std::string unknown = parse_err("foo=1");
  EXPECT_NE(unknown.find("unknown option"), std::string::npos) << unknown;
}

TEST(ParseCmdline, FailureKeepsEarlierValuesOut) {
  Options o;
  CmdlineError err;
  EXPECT_FALSE(kmem::parse_cmdline("mem=2G cpus=0", o, err));
  EXPECT_EQ(o.mem, SZ_1G);  // nothing applied
}

TEST(ParseCmdline, PrintRoundTrips) {
  Options o = parse_ok(
      "mem=2G cpus=8 memmap=64M$256M pcp=0 mobility_grouping=0 bug_action=count "
      "min_free_kbytes=1024 watermark_scale_factor=50");
  char buf[512];
  kmem::FixedSeq s(buf, sizeof buf);
  kmem::print_cmdline(s.seq(), o);
  Options again = parse_ok(s.c_str());
  EXPECT_EQ(again.mem, o.mem);
  EXPECT_EQ(again.cpus, o.cpus);
  ASSERT_EQ(again.nr_memmap, 1u);
  EXPECT_EQ(again.memmap[0].start, o.memmap[0].start);
  EXPECT_EQ(again.memmap[0].size, o.memmap[0].size);
  EXPECT_EQ(again.pcp, false);
  EXPECT_EQ(again.mobility_grouping, false);
  EXPECT_EQ(again.bug_action, kmem::BugAction::count);
  EXPECT_EQ(again.min_free_kbytes, 1024u);
  EXPECT_EQ(again.watermark_scale_factor, 50u);
}

TEST(ParseCmdline, DescribeListsEveryOption) {
  static char buf[16384];
  kmem::FixedSeq s(buf, sizeof buf);
  kmem::describe_options(s.seq(), true);
  std::string text = s.c_str();
  for (const char* name : {"mem=", "cpus=", "numa=", "profile=", "memmap=", "min_free_kbytes=",
                           "watermark_scale_factor=", "mobility_grouping=", "pcp=", "bug_action="})
    EXPECT_NE(text.find(std::string("`") + name), std::string::npos) << name;
}

}  // namespace
