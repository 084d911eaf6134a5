// SPDX-License-Identifier: MIT
// The firmware memory map: the first-MiB layout, the 3-4 GiB PCI hole, and
// memmap= ranges splitting RAM.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "boot/e820.h"

namespace {

using kmem::E820Table;
using kmem::E820Type;
using kmem::SZ_1G;
using kmem::SZ_1M;
using kmem::u64;

struct Range {
  u64 start, end;
  E820Type type;
  bool operator==(const Range&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Range& r) {
  return os << std::hex << "[0x" << r.start << "-0x" << r.end << ") "
            << kmem::e820_type_name(r.type) << std::dec;
}

std::vector<Range> build(const char* line) {
  kmem::Options o;
  kmem::CmdlineError err;
  EXPECT_TRUE(kmem::parse_cmdline(line, o, err)) << err.message;
  E820Table t;
  EXPECT_TRUE(t.build(o, err)) << line << ": " << err.message;
  std::vector<Range> out;
  for (unsigned i = 0; i < t.size(); ++i) out.push_back({t[i].addr, t[i].end(), t[i].type});
  // Always sorted and non-overlapping.
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LE(out[i - 1].end, out[i].start) << line;
  return out;
}

const Range kLowRam{0, 0x9fc00, E820Type::ram};
const Range kEbda{0x9fc00, 0xa0000, E820Type::reserved};
const Range kBios{0xf0000, 0x100000, E820Type::reserved};

TEST(E820, FirstMegabyteLayout16M) {
  std::vector<Range> expect{kLowRam, kEbda, kBios, {SZ_1M, 16 * SZ_1M, E820Type::ram}};
  EXPECT_EQ(build("mem=16M"), expect);
  kmem::Options o;
  kmem::CmdlineError err;
  ASSERT_TRUE(kmem::parse_cmdline("mem=16M", o, err));
  E820Table t;
  ASSERT_TRUE(t.build(o, err));
  EXPECT_EQ(t.ram_bytes(), 0x9fc00 + 15 * SZ_1M);
  EXPECT_EQ(t.max_ram_end(), 16 * SZ_1M);
}

TEST(E820, ThreeGigabytesStaysBelowTheHole) {
  std::vector<Range> expect{kLowRam, kEbda, kBios, {SZ_1M, 3 * SZ_1G, E820Type::ram}};
  EXPECT_EQ(build("mem=3G"), expect);
}

TEST(E820, PciHoleWithSixGigabytes) {
  std::vector<Range> expect{kLowRam,
                            kEbda,
                            kBios,
                            {SZ_1M, 3 * SZ_1G, E820Type::ram},
                            {4 * SZ_1G, 7 * SZ_1G, E820Type::ram}};
  EXPECT_EQ(build("mem=6G"), expect);
  kmem::Options o;
  kmem::CmdlineError err;
  ASSERT_TRUE(kmem::parse_cmdline("mem=6G", o, err));
  E820Table t;
  ASSERT_TRUE(t.build(o, err));
  EXPECT_EQ(t.max_ram_end(), 7 * SZ_1G);
  EXPECT_EQ(t.ram_bytes(), 0x9fc00 + (3 * SZ_1G - SZ_1M) + 3 * SZ_1G);
  char buf[2048];
  kmem::FixedSeq s(buf, sizeof buf);
  t.print(s.seq());
  std::string text = s.c_str();
  EXPECT_NE(text.find("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("BIOS-e820: [mem 0x0000000100000000-0x00000001bfffffff] usable\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n"),
            std::string::npos)
      << text;
}

TEST(E820, MemmapReservedSplitsRam) {
  std::vector<Range> expect{kLowRam,
                            kEbda,
                            kBios,
                            {SZ_1M, 256 * SZ_1M, E820Type::ram},
                            {256 * SZ_1M, 320 * SZ_1M, E820Type::reserved},
                            {320 * SZ_1M, SZ_1G, E820Type::ram}};
  EXPECT_EQ(build("mem=1G memmap=64M$256M"), expect);
}

TEST(E820, MemmapAtTheEndAndAboveFourGigabytes) {
  std::vector<Range> end{kLowRam,
                         kEbda,
                         kBios,
                         {SZ_1M, 960 * SZ_1M, E820Type::ram},
                         {960 * SZ_1M, SZ_1G, E820Type::reserved}};
  EXPECT_EQ(build("mem=1G memmap=64M$960M"), end);
  std::vector<Range> high{kLowRam,
                          kEbda,
                          kBios,
                          {SZ_1M, 3 * SZ_1G, E820Type::ram},
                          {4 * SZ_1G, 5 * SZ_1G, E820Type::ram},
                          {5 * SZ_1G, 5 * SZ_1G + 4 * SZ_1M, E820Type::acpi},
                          {5 * SZ_1G + 4 * SZ_1M, 7 * SZ_1G, E820Type::ram}};
  EXPECT_EQ(build("mem=6G memmap=4M#5G"), high);
}

TEST(E820, SeveralMemmaps) {
  std::vector<Range> expect{kLowRam,
                            kEbda,
                            kBios,
                            {SZ_1M, 32 * SZ_1M, E820Type::ram},
                            {32 * SZ_1M, 33 * SZ_1M, E820Type::reserved},
                            {33 * SZ_1M, 40 * SZ_1M, E820Type::ram},
                            {40 * SZ_1M, 48 * SZ_1M, E820Type::persistent},
                            {48 * SZ_1M, 64 * SZ_1M, E820Type::ram}};
  EXPECT_EQ(build("mem=64M memmap=1M$32M memmap=8M!40M"), expect);
}

TEST(E820, MemmapBeyondRamIsAnErrorNamingMemmap) {
  kmem::Options o;
  kmem::CmdlineError err;
  ASSERT_TRUE(kmem::parse_cmdline("mem=1G memmap=64M$1G", o, err));
  E820Table t;
  EXPECT_FALSE(t.build(o, err));
  EXPECT_NE(std::string(err.message).find("memmap="), std::string::npos) << err.message;
}

TEST(E820, ReservingNearlyEverythingFails) {
  kmem::Options o;
  kmem::CmdlineError err;
  ASSERT_TRUE(kmem::parse_cmdline("mem=16M memmap=12M$2M", o, err));
  E820Table t;
  EXPECT_FALSE(t.build(o, err));
  EXPECT_NE(err.message[0], '\0');
}

TEST(E820, TypeNames) {
  EXPECT_STREQ(kmem::e820_type_name(E820Type::ram), "usable");
  EXPECT_STREQ(kmem::e820_type_name(E820Type::reserved), "reserved");
  EXPECT_STREQ(kmem::e820_type_name(E820Type::acpi), "ACPI data");
}

}  // namespace
