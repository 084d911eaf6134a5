// SPDX-License-Identifier: MIT
// The GFP flags of Linux 6.18: every value, the %pGg printer against masks
// taken from real Linux reports, GFP_ZONE_TABLE rebuilt from Linux's own
// formula, and gfp_migratetype's four cases. (The zone table entry by entry
// and the zone limits are in tests/unit/page_alloc/zones_test.cpp; what each
// flag does to an allocation is in tests/unit/reclaim/gfp_contract_test.cpp.)
#include <gtest/gtest.h>

#include <cstdio>
#include <iterator>
#include <string>

#include "kernel.h"
#include "kmem/machine.hpp"
#include "page_alloc/gfp.h"

namespace {

using kmem::gfp_t;
namespace gfp = kmem::gfp;

std::string pgg(gfp_t g) {
  char buf[512];
  size_t n = kmem::format_gfp(buf, sizeof buf, g);
  EXPECT_EQ(n, std::string(buf).size());
  return buf;
}

struct Value {
  const char* linux_name;
  gfp_t kmem_value;
  gfp_t linux_value;  // include/linux/gfp_types.h and mm/internal.h, 6.18
};

// Every flag, composite and internal mask against the number Linux 6.18
// gives it (a kernel without KASAN_HW_TAGS, LOCKDEP and SLAB_OBJ_EXT).
TEST(GfpValues, EveryFlagHasItsLinux618Value) {
  const Value values[] = {
      {"__GFP_DMA", gfp::DMA, 0x01},
      {"__GFP_HIGHMEM", gfp::HIGHMEM, 0x02},
      {"__GFP_DMA32", gfp::DMA32, 0x04},
      {"__GFP_MOVABLE", gfp::MOVABLE, 0x08},
      {"__GFP_RECLAIMABLE", gfp::RECLAIMABLE, 0x10},
      {"__GFP_HIGH", gfp::HIGH, 0x20},
      {"__GFP_IO", gfp::IO, 0x40},
      {"__GFP_FS", gfp::FS, 0x80},
      {"__GFP_ZERO", gfp::ZERO, 0x100},
      {"__GFP_DIRECT_RECLAIM", gfp::DIRECT_RECLAIM, 0x400},
      {"__GFP_KSWAPD_RECLAIM", gfp::KSWAPD_RECLAIM, 0x800},
      {"__GFP_WRITE", gfp::WRITE, 0x1000},
      {"__GFP_NOWARN", gfp::NOWARN, 0x2000},
      {"__GFP_RETRY_MAYFAIL", gfp::RETRY_MAYFAIL, 0x4000},
      {"__GFP_NOFAIL", gfp::NOFAIL, 0x8000},
      {"__GFP_NORETRY", gfp::NORETRY, 0x10000},
      {"__GFP_MEMALLOC", gfp::MEMALLOC, 0x20000},
      {"__GFP_COMP", gfp::COMP, 0x40000},
      {"__GFP_NOMEMALLOC", gfp::NOMEMALLOC, 0x80000},
      {"__GFP_HARDWALL", gfp::HARDWALL, 0x100000},
      {"__GFP_THISNODE", gfp::THISNODE, 0x200000},
      {"__GFP_ACCOUNT", gfp::ACCOUNT, 0x400000},
      {"__GFP_ZEROTAGS", gfp::ZEROTAGS, 0x800000},
      {"__GFP_SKIP_ZERO", gfp::SKIP_ZERO, 0},
      {"__GFP_SKIP_KASAN", gfp::SKIP_KASAN, 0},
      {"__GFP_NOLOCKDEP", gfp::NOLOCKDEP, 0},
      {"__GFP_NO_OBJ_EXT", gfp::NO_OBJ_EXT, 0},
      {"__GFP_RECLAIM", gfp::RECLAIM, 0xc00},
      {"GFP_ZONEMASK", gfp::ZONEMASK, 0x0f},
      {"__GFP_BITS_MASK", gfp::BITS_MASK, 0xffffff},
      {"GFP_ATOMIC", gfp::ATOMIC, 0x820},
      {"GFP_KERNEL", gfp::KERNEL, 0xcc0},
      {"GFP_KERNEL_ACCOUNT", gfp::KERNEL_ACCOUNT, 0x400cc0},
      {"GFP_NOWAIT", gfp::NOWAIT, 0x2800},
      {"GFP_NOIO", gfp::NOIO, 0xc00},
      {"GFP_NOFS", gfp::NOFS, 0xc40},
      {"GFP_USER", gfp::USER, 0x100cc0},
      {"GFP_HIGHUSER", gfp::HIGHUSER, 0x100cc2},
      {"GFP_HIGHUSER_MOVABLE", gfp::HIGHUSER_MOVABLE, 0x100cca},
      {"GFP_TRANSHUGE_LIGHT", gfp::TRANSHUGE_LIGHT, 0x1c20ca},
      {"GFP_TRANSHUGE", gfp::TRANSHUGE, 0x1c24ca},
      {"GFP_RECLAIM_MASK", gfp::RECLAIM_MASK, 0xbece0},
      {"GFP_BOOT_MASK", gfp::BOOT_MASK, 0xfff33f},
      {"GFP_CONSTRAINT_MASK", gfp::CONSTRAINT_MASK, 0x300000},
      {"GFP_SLAB_BUG_MASK", gfp::SLAB_BUG_MASK, 0xff000006},
      {"GFP_MOVABLE_MASK", gfp::MOVABLE_MASK, 0x18},
  };
  for (const Value& v : values)
    EXPECT_EQ(v.kmem_value, v.linux_value) << v.linux_name << std::hex << " is 0x" << v.kmem_value;
  EXPECT_EQ(gfp::BITS_SHIFT, 24u);
  EXPECT_EQ(gfp::MOVABLE_SHIFT, 3u);
}

struct Printed {
  gfp_t mask;
  const char* text;  // what Linux 6.18's %pGg prints
};

void expect_prints(const Printed* cases, size_t n) {
  for (size_t i = 0; i < n; ++i)
    EXPECT_EQ(pgg(cases[i].mask), cases[i].text) << std::hex << "mask 0x" << cases[i].mask;
}

// Each composite alone prints as its own name: gfpflag_names lists them
// before the bits, the biggest first.
TEST(GfpPrinter, EveryCompositeName) {
  const Printed cases[] = {
      {gfp::TRANSHUGE, "GFP_TRANSHUGE"},
      {gfp::TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT"},
      {gfp::HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE"},
      {gfp::HIGHUSER, "GFP_HIGHUSER"},
      {gfp::USER, "GFP_USER"},
      {gfp::KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT"},
      {gfp::KERNEL, "GFP_KERNEL"},
      {gfp::NOFS, "GFP_NOFS"},
      {gfp::ATOMIC, "GFP_ATOMIC"},
      {gfp::NOIO, "GFP_NOIO"},
      {gfp::NOWAIT, "GFP_NOWAIT"},
      {gfp::DMA, "GFP_DMA"},
      {gfp::DMA32, "GFP_DMA32"},
      // __GFP_RECLAIM is in the table but GFP_NOIO, the same bits, comes first.
      {gfp::RECLAIM, "GFP_NOIO"},
      // mmflags.h's own example: GFP_KERNEL before GFP_USER would print
      // GFP_KERNEL|__GFP_HARDWALL.
      {gfp::KERNEL | gfp::HARDWALL, "GFP_USER"},
  };
  expect_prints(cases, std::size(cases));
}

// Each bit that no composite takes prints as its __GFP_ name.
TEST(GfpPrinter, EveryBitName) {
  const Printed cases[] = {
      {gfp::HIGHMEM, "__GFP_HIGHMEM"},
      {gfp::MOVABLE, "__GFP_MOVABLE"},
      {gfp::RECLAIMABLE, "__GFP_RECLAIMABLE"},
      {gfp::HIGH, "__GFP_HIGH"},
      {gfp::IO, "__GFP_IO"},
      {gfp::FS, "__GFP_FS"},
      {gfp::ZERO, "__GFP_ZERO"},
      {gfp::DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM"},
      {gfp::KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM"},
      {gfp::WRITE, "__GFP_WRITE"},
      {gfp::NOWARN, "__GFP_NOWARN"},
      {gfp::RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL"},
      {gfp::NOFAIL, "__GFP_NOFAIL"},
      {gfp::NORETRY, "__GFP_NORETRY"},
      {gfp::MEMALLOC, "__GFP_MEMALLOC"},
      {gfp::COMP, "__GFP_COMP"},
      {gfp::NOMEMALLOC, "__GFP_NOMEMALLOC"},
      {gfp::HARDWALL, "__GFP_HARDWALL"},
      {gfp::THISNODE, "__GFP_THISNODE"},
      {gfp::ACCOUNT, "__GFP_ACCOUNT"},
      {gfp::ZEROTAGS, "__GFP_ZEROTAGS"},
      // The DMA bits print under their composite names.
      {gfp::DMA, "GFP_DMA"},
      {gfp::DMA32, "GFP_DMA32"},
  };
  expect_prints(cases, std::size(cases));
}

// One name per named bit, a bare hex number for the others: bit 9 (the old
// __GFP_ATOMIC) and every bit from __GFP_BITS_SHIFT up.
TEST(GfpPrinter, EverySingleBitPrintsOneToken) {
  for (unsigned bit = 0; bit < 32; ++bit) {
    const gfp_t g = 1u << bit;
    const std::string text = pgg(g);
    EXPECT_EQ(text.find('|'), std::string::npos) << text;
    const bool named = bit != 9 && bit < gfp::BITS_SHIFT;
    if (named) {
      EXPECT_TRUE(text.rfind("GFP_", 0) == 0 || text.rfind("__GFP_", 0) == 0) << text;
    } else {
      char hex[16];
      std::snprintf(hex, sizeof hex, "%#x", g);
      EXPECT_EQ(text, hex);
    }
  }
}

// Masks as they appear in Linux failure and OOM reports, printed as 6.18
// prints them. Since Linux 6.15 (commit "tracing: gfp: Remove duplication
// of recording GFP flags") the single bits follow bit order, so __GFP_ZERO
// comes before __GFP_NOWARN and __GFP_COMP; older kernels printed
// GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_ZERO for 0x52dc0.
TEST(GfpPrinter, RealMasksFromLinuxReports) {
  const Printed cases[] = {
      {0xcc0, "GFP_KERNEL"},
      {0x820, "GFP_ATOMIC"},
      {0x2800, "GFP_NOWAIT"},  // GFP_NOWAIT has included __GFP_NOWARN since 6.8
      {0x100cca, "GFP_HIGHUSER_MOVABLE"},
      {0x140cca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP"},
      // "cc1plus invoked oom-killer" on a 6.18.41 kernel.
      {0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP"},
      {0x400dc0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO"},
      {0x52dc0, "GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP"},
      // vmalloc_fix_flags() "Fixing up to gfp: 0x2dc0 (...)", November 2025.
      {0x2dc0, "GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN"},
      {0xdc0, "GFP_KERNEL|__GFP_ZERO"},
      {0xc40, "GFP_NOFS"},
      // trace-cmd output after the 6.15 change (Steven Rostedt's before/after).
      {0x148c48, "GFP_NOFS|__GFP_MOVABLE|__GFP_NOFAIL|__GFP_COMP|__GFP_HARDWALL"},
      {0x508d48, "GFP_NOFS|__GFP_MOVABLE|__GFP_ZERO|__GFP_NOFAIL|__GFP_HARDWALL|__GFP_ACCOUNT"},
      {0x52810, "GFP_NOWAIT|__GFP_RECLAIMABLE|__GFP_NORETRY|__GFP_COMP"},
      {0x482cc0, "GFP_KERNEL_ACCOUNT|__GFP_NOWARN|__GFP_NOMEMALLOC"},
      {0x141cca, "GFP_HIGHUSER_MOVABLE|__GFP_WRITE|__GFP_COMP"},
      {0xd2050,
       "__GFP_RECLAIMABLE|__GFP_IO|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC"},
      {0xd2820, "GFP_ATOMIC|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC"},
      {0x500cc2, "GFP_HIGHUSER|__GFP_ACCOUNT"},
      // A LOCKDEP kernel's "0x1000000 (__GFP_NOLOCKDEP)": no such bit here.
      {0x1000000, "0x1000000"},
  };
  expect_prints(cases, std::size(cases));
}

// lib/tests/printf_kunit.c's %pGg cases, 0, and leftovers after names.
TEST(GfpPrinter, LinuxSelfTestCasesZeroAndLeftovers) {
  const Printed cases[] = {
      {gfp::TRANSHUGE, "GFP_TRANSHUGE"},
      {gfp::ATOMIC | gfp::DMA, "GFP_ATOMIC|GFP_DMA"},
      {gfp::HIGH, "__GFP_HIGH"},
      {~gfp::BITS_MASK, "0xff000000"},
      {gfp::HIGH | ~gfp::BITS_MASK, "__GFP_HIGH|0xff000000"},
      // format_flags prints nothing for 0: "mode:0x0()" in a report.
      {0, ""},
      {0x200, "0x200"},
      {gfp::KERNEL | 0x200, "GFP_KERNEL|0x200"},
      {gfp::ATOMIC | gfp::DMA32, "GFP_ATOMIC|GFP_DMA32"},
      {gfp::IO | gfp::FS | gfp::DIRECT_RECLAIM, "__GFP_IO|__GFP_FS|__GFP_DIRECT_RECLAIM"},
      {gfp::KERNEL & ~gfp::DIRECT_RECLAIM, "__GFP_IO|__GFP_FS|__GFP_KSWAPD_RECLAIM"},
      {0xffffffffu,
       "GFP_TRANSHUGE|GFP_ATOMIC|GFP_DMA|GFP_DMA32|__GFP_RECLAIMABLE|__GFP_ZERO|__GFP_WRITE|"
       "__GFP_RETRY_MAYFAIL|__GFP_NOFAIL|__GFP_NORETRY|__GFP_MEMALLOC|__GFP_THISNODE|"
       "__GFP_ACCOUNT|__GFP_ZEROTAGS|0xff000200"},
  };
  expect_prints(cases, std::size(cases));
}

TEST(GfpPrinter, TruncatesToTheBuffer) {
  char buf[11];
  size_t n = kmem::format_gfp(buf, sizeof buf, gfp::KERNEL | gfp::NOWARN);
  EXPECT_EQ(n, 10u);
  EXPECT_STREQ(buf, "GFP_KERNEL");
  char one[1] = {'x'};
  EXPECT_EQ(kmem::format_gfp(one, sizeof one, gfp::KERNEL), 0u);
  EXPECT_EQ(one[0], '\0');
}

// The printer inside a real report: an allocation that asks for two zones
// fails with Linux's warn_alloc() text.
TEST(GfpPrinter, AllocationFailureReportNamesTheMask) {
  kmem::Machine m("mem=64M cpus=1 kswapd=0");
  m.take_log();
  EXPECT_EQ(m.alloc_pages(gfp::KERNEL | gfp::DMA | gfp::DMA32, 0), nullptr);
  const std::string log = m.take_log();
  EXPECT_NE(log.find("page allocation failure: order:0, mode:0xcc5(GFP_KERNEL|GFP_DMA|GFP_DMA32)"),
            std::string::npos)
      << log;
}

// GFP_ZONE_TABLE and GFP_ZONE_BAD built the way include/linux/gfp.h builds
// them (GFP_ZONES_SHIFT bits per entry, indexed by the four zone bits), for
// a kernel with and without CONFIG_ZONE_DMA32 and CONFIG_HIGHMEM. kmem's
// gfp_zone() must agree on all 16 combinations, answering MAX_NR_ZONES
// where Linux's VM_BUG_ON would fire.
TEST(GfpZone, MatchesLinuxZoneTableFormula) {
  constexpr unsigned kShift = 3;  // ZONES_SHIFT for six zones
  for (bool dma32 : {true, false}) {
    for (bool highmem : {false, true}) {
      using ull = unsigned long long;
      const ull normal = kmem::ZONE_NORMAL, movable = kmem::ZONE_MOVABLE;
      const ull opt_dma = kmem::ZONE_DMA;
      const ull opt_dma32 = dma32 ? kmem::ZONE_DMA32 : kmem::ZONE_NORMAL;
      const ull opt_highmem = highmem ? kmem::ZONE_HIGHMEM : kmem::ZONE_NORMAL;
      const unsigned D = gfp::DMA, H = gfp::HIGHMEM, D32 = gfp::DMA32, M = gfp::MOVABLE;
      const ull table = (normal << 0 * kShift) | (opt_dma << D * kShift) |
                        (opt_highmem << H * kShift) | (opt_dma32 << D32 * kShift) |
                        (normal << M * kShift) | (opt_dma << (M | D) * kShift) |
                        (movable << (M | H) * kShift) | (opt_dma32 << (M | D32) * kShift);
      const unsigned bad = 1u << (D | H) | 1u << (D | D32) | 1u << (D32 | H) | 1u << (D | D32 | H) |
                           1u << (M | H | D) | 1u << (M | D32 | D) | 1u << (M | D32 | H) |
                           1u << (M | D32 | D | H);
      for (gfp_t bits = 0; bits < 16; ++bits) {
        const auto want =
            (bad >> bits) & 1 ? kmem::MAX_NR_ZONES : kmem::ZoneType((table >> (bits * kShift)) & 7);
        EXPECT_EQ(kmem::gfp_zone(bits, dma32, highmem), want)
            << "bits " << bits << " dma32 " << dma32 << " highmem " << highmem;
        // Only the four zone bits count.
        EXPECT_EQ(kmem::gfp_zone(bits | gfp::KERNEL | gfp::RECLAIMABLE, dma32, highmem), want);
      }
    }
  }
}

// (MOVABLE|RECLAIMABLE) >> GFP_MOVABLE_SHIFT, including the combination
// Linux warns about, which lands on MIGRATE_HIGHATOMIC as its
// BUILD_BUG_ON requires.
TEST(GfpMigratetype, AllFourMobilityCombinations) {
  EXPECT_EQ(kmem::gfp_migratetype(0, true), kmem::MIGRATE_UNMOVABLE);
  EXPECT_EQ(kmem::gfp_migratetype(gfp::MOVABLE, true), kmem::MIGRATE_MOVABLE);
  EXPECT_EQ(kmem::gfp_migratetype(gfp::RECLAIMABLE, true), kmem::MIGRATE_RECLAIMABLE);
  EXPECT_EQ(kmem::gfp_migratetype(gfp::MOVABLE_MASK, true), kmem::MIGRATE_HIGHATOMIC);
  for (gfp_t g : {gfp_t(0), gfp::MOVABLE, gfp::RECLAIMABLE, gfp::MOVABLE_MASK})
    EXPECT_EQ(kmem::gfp_migratetype(g | gfp::KERNEL | gfp::ZERO | gfp::DMA32, true),
              kmem::gfp_migratetype(g, true));
}

}  // namespace
