// SPDX-License-Identifier: MIT
#include "page_alloc/gfp.h"

namespace kmem {

const char* zone_name(ZoneType z) {
  static constexpr const char* names[MAX_NR_ZONES] = {"DMA",     "DMA32",   "Normal",
                                                      "HighMem", "Movable", "Device"};
  return z < MAX_NR_ZONES ? names[z] : "?";
}

const char* migratetype_name(MigrateType mt) {
  static constexpr const char* names[MIGRATE_TYPES] = {"Unmovable", "Movable", "Reclaimable",
                                                       "HighAtomic", "Isolate"};
  return mt < MIGRATE_TYPES ? names[mt] : "?";
}

// GFP_ZONE_TABLE (include/linux/gfp.h): the four zone modifier bits index a
// table of highest usable zones. A zone the profile lacks degrades to Normal
// (OPT_ZONE_DMA32, OPT_ZONE_HIGHMEM). Linux's table holds 0 (ZONE_DMA) for
// the combinations GFP_ZONE_BAD lists and only a CONFIG_DEBUG_VM kernel
// stops on them; kmem answers MAX_NR_ZONES, and alloc_pages fails with a
// report.
ZoneType gfp_zone(gfp_t g, bool has_dma32, bool has_highmem) {
  const unsigned bits = g & gfp::ZONEMASK;
  constexpr ZoneType BAD = MAX_NR_ZONES;
  const ZoneType highmem = has_highmem ? ZONE_HIGHMEM : ZONE_NORMAL;
  const ZoneType dma32 = has_dma32 ? ZONE_DMA32 : ZONE_NORMAL;
  const ZoneType table[16] = {
      /* 0                      */ ZONE_NORMAL,
      /* DMA                    */ ZONE_DMA,
      /* HIGHMEM                */ highmem,
      /* DMA|HIGHMEM            */ BAD,
      /* DMA32                  */ dma32,
      /* DMA|DMA32              */ BAD,
      /* DMA32|HIGHMEM          */ BAD,
      /* DMA|DMA32|HIGHMEM      */ BAD,
      /* MOVABLE                */ ZONE_NORMAL,
      /* MOVABLE|DMA            */ ZONE_DMA,
      /* MOVABLE|HIGHMEM        */ ZONE_MOVABLE,
      /* MOVABLE|DMA|HIGHMEM    */ BAD,
      /* MOVABLE|DMA32          */ dma32,
      /* MOVABLE|DMA|DMA32      */ BAD,
      /* MOVABLE|DMA32|HIGHMEM  */ BAD,
      /* all four               */ BAD,
  };
  return table[bits];
}

namespace {

struct FlagName {
  gfp_t mask;
  const char* name;
};

// gfpflag_names of Linux 6.18 (include/trace/events/mmflags.h), in its
// order: the composites with the most bits first, so that a mask prints as
// GFP_KERNEL|__GFP_NOWARN rather than as its single bits; then
// __GFP_RECLAIM; then every bit in bit order (TRACE_GFP_FLAGS, since Linux
// 6.15; before that the bits had an order of their own, e.g. __GFP_COMP
// before __GFP_ZERO). The bits of a flag that is 0 here (__GFP_NOLOCKDEP,
// ...) are left out, as Linux leaves them out when unconfigured: a 0 mask
// would match every value. Some entries can never print -- GFP_DMA takes
// the DMA bit before __GFP_DMA is reached, GFP_NOIO takes both reclaim bits
// before __GFP_RECLAIM -- but they stay, to keep Linux's table whole.
constexpr FlagName kGfpNames[] = {
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
    {gfp::RECLAIM, "__GFP_RECLAIM"},
    {gfp::DMA, "__GFP_DMA"},
    {gfp::HIGHMEM, "__GFP_HIGHMEM"},
    {gfp::DMA32, "__GFP_DMA32"},
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
};

constexpr bool every_name_has_bits() {
  for (const FlagName& f : kGfpNames)
    if (f.mask == 0) return false;
  return true;
}
static_assert(every_name_has_bits(), "a 0 mask would match, and print, for every value");

}  // namespace

// format_flags() of lib/vsprintf.c: take each name whose bits are all still
// set, clear them, separate with '|', and print what no name covers as
// 0x... at the end. 0 prints nothing: "mode:0x0()" in a Linux report.
void print_gfp(Seq& out, gfp_t g) {
  for (const FlagName& f : kGfpNames) {
    if (g == 0) return;
    if ((g & f.mask) != f.mask) continue;
    out.puts(f.name);
    g &= ~f.mask;
    if (g != 0) out.putc('|');
  }
  if (g != 0) out.print("%#x", g);
}

size_t format_gfp(char* buf, size_t n, gfp_t g) {
  FixedSeq s(buf, n);
  print_gfp(s.seq(), g);
  return s.length();
}

}  // namespace kmem
