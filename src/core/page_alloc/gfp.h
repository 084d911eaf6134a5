// SPDX-License-Identifier: MIT
// GFP flags in the core: the bit constants, zone and migratetype selection,
// and the %pGg-style printer.
#pragma once

#include "base/format.h"
#include "base/types.h"
#include "kmem/gfp.hpp"

namespace kmem {

// The gfp:: constants live in the public kmem/gfp.hpp, shared with the C++ API.

// Zone indices. Every slot exists in the arrays; a profile configures a subset
// (x86_64: DMA, DMA32, Normal, Movable, Device; i386: DMA, Normal, HighMem,
// Movable), and reports print the configured ones in this order.
enum ZoneType : u8 {
  ZONE_DMA = 0,
  ZONE_DMA32,
  ZONE_NORMAL,
  ZONE_HIGHMEM,
  ZONE_MOVABLE,
  ZONE_DEVICE,
  MAX_NR_ZONES
};

enum MigrateType : u8 {
  MIGRATE_UNMOVABLE = 0,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
  MIGRATE_ISOLATE,
  MIGRATE_TYPES
};

const char* zone_name(ZoneType z);
const char* migratetype_name(MigrateType mt);  // "Unmovable", ... as in pagetypeinfo

inline bool gfpflags_allow_blocking(gfp_t g) { return g & gfp::DIRECT_RECLAIM; }

// gfp_migratetype(): (MOVABLE|RECLAIMABLE) >> 3 -> UNMOVABLE, MOVABLE, RECLAIMABLE.
inline MigrateType gfp_migratetype(gfp_t g, bool grouping_enabled) {
  if (!grouping_enabled) return MIGRATE_UNMOVABLE;
  return MigrateType((g & (gfp::MOVABLE | gfp::RECLAIMABLE)) >> 3);
}

// gfp_zone(): the highest zone an allocation may use, from GFP_ZONE_TABLE.
// has_dma32/has_highmem say whether the profile configures those zones; a
// missing zone degrades to ZONE_NORMAL as in Linux. Returns MAX_NR_ZONES for
// an illegal combination (GFP_ZONE_BAD).
ZoneType gfp_zone(gfp_t g, bool has_dma32, bool has_highmem);

// Prints a mask exactly as Linux 6.18's %pGg does: composite names first,
// then single bits in bit order, bits without a name as one hex number at
// the end: 0x52dc0 is "GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN|__GFP_NORETRY|
// __GFP_COMP", 0x1000200 is "0x1000200", and 0 is "" (nothing).
void print_gfp(Seq& out, gfp_t g);
// The same into buf, NUL-terminated and truncated to fit n; returns the
// length written.
size_t format_gfp(char* buf, size_t n, gfp_t g);

}  // namespace kmem
