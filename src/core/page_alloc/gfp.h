// SPDX-License-Identifier: MIT
// GFP flags in the core: the bit constants, zone and migratetype selection,
// and the %pGg-style printer.
#pragma once

#include "base/format.h"
#include "base/types.h"
#include "kmem/gfp_bits.h"

namespace kmem {

namespace gfp {
inline constexpr gfp_t DMA = KMEM_GFP_DMA;
inline constexpr gfp_t HIGHMEM = KMEM_GFP_HIGHMEM;
inline constexpr gfp_t DMA32 = KMEM_GFP_DMA32;
inline constexpr gfp_t MOVABLE = KMEM_GFP_MOVABLE;
inline constexpr gfp_t RECLAIMABLE = KMEM_GFP_RECLAIMABLE;
inline constexpr gfp_t HIGH = KMEM_GFP_HIGH;
inline constexpr gfp_t IO = KMEM_GFP_IO;
inline constexpr gfp_t FS = KMEM_GFP_FS;
inline constexpr gfp_t ZERO = KMEM_GFP_ZERO;
inline constexpr gfp_t DIRECT_RECLAIM = KMEM_GFP_DIRECT_RECLAIM;
inline constexpr gfp_t KSWAPD_RECLAIM = KMEM_GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t WRITE = KMEM_GFP_WRITE;
inline constexpr gfp_t NOWARN = KMEM_GFP_NOWARN;
inline constexpr gfp_t RETRY_MAYFAIL = KMEM_GFP_RETRY_MAYFAIL;
inline constexpr gfp_t NOFAIL = KMEM_GFP_NOFAIL;
inline constexpr gfp_t NORETRY = KMEM_GFP_NORETRY;
inline constexpr gfp_t MEMALLOC = KMEM_GFP_MEMALLOC;
inline constexpr gfp_t COMP = KMEM_GFP_COMP;
inline constexpr gfp_t NOMEMALLOC = KMEM_GFP_NOMEMALLOC;
inline constexpr gfp_t HARDWALL = KMEM_GFP_HARDWALL;
inline constexpr gfp_t THISNODE = KMEM_GFP_THISNODE;
inline constexpr gfp_t ACCOUNT = KMEM_GFP_ACCOUNT;
inline constexpr gfp_t ZEROTAGS = KMEM_GFP_ZEROTAGS;
inline constexpr gfp_t RECLAIM = KMEM_GFP_RECLAIM;
inline constexpr gfp_t ZONEMASK = KMEM_GFP_ZONEMASK;

inline constexpr gfp_t ATOMIC = KMEM_GFP_ATOMIC_MASK;
inline constexpr gfp_t KERNEL = KMEM_GFP_KERNEL_MASK;
inline constexpr gfp_t KERNEL_ACCOUNT = KMEM_GFP_KERNEL_ACCOUNT_MASK;
inline constexpr gfp_t NOWAIT = KMEM_GFP_NOWAIT_MASK;
inline constexpr gfp_t NOIO = KMEM_GFP_NOIO_MASK;
inline constexpr gfp_t NOFS = KMEM_GFP_NOFS_MASK;
inline constexpr gfp_t USER = KMEM_GFP_USER_MASK;
inline constexpr gfp_t HIGHUSER = KMEM_GFP_HIGHUSER_MASK;
inline constexpr gfp_t HIGHUSER_MOVABLE = KMEM_GFP_HIGHUSER_MOVABLE_MASK;
inline constexpr gfp_t TRANSHUGE_LIGHT = KMEM_GFP_TRANSHUGE_LIGHT_MASK;
inline constexpr gfp_t TRANSHUGE = KMEM_GFP_TRANSHUGE_MASK;
}  // namespace gfp

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

// Prints a mask the way %pGg does: "GFP_KERNEL|__GFP_NOWARN|0x..".
void print_gfp(Seq& out, gfp_t g);
size_t format_gfp(char* buf, size_t n, gfp_t g);

}  // namespace kmem
