/* SPDX-License-Identifier: MIT */
/*
 * <linux/gfp_types.h>: the GFP ("get free pages") flags of Linux 6.18.
 *
 * The numeric values come from <kmem/gfp_bits.h>, the single definition that
 * the library's core uses too; this header only gives them their Linux
 * names. Values are not ABI in Linux (they moved between releases); code
 * should use the names. What each flag means:
 *
 * Zone modifiers -- the highest zone the pages may come from (gfp_zone()):
 *   __GFP_DMA            ZONE_DMA, below 16 MiB
 *   __GFP_HIGHMEM        ZONE_HIGHMEM allowed (i386 profile; no direct map)
 *   __GFP_DMA32          ZONE_DMA32, below 4 GiB
 *   __GFP_MOVABLE        movable; with __GFP_HIGHMEM, ZONE_MOVABLE allowed.
 *                        Also a mobility hint.
 * Mobility hint (which free lists, gfp_migratetype()):
 *   __GFP_RECLAIMABLE    freeable through a shrinker
 * Watermark modifiers:
 *   __GFP_HIGH           high priority: may use part of the min reserve
 *   __GFP_MEMALLOC       may use all reserves (reclaim itself; use sparingly)
 *   __GFP_NOMEMALLOC     may use no emergency reserve; beats __GFP_MEMALLOC
 * Reclaim modifiers:
 *   __GFP_IO             may start physical I/O
 *   __GFP_FS             may call into a filesystem
 *   __GFP_DIRECT_RECLAIM may enter direct reclaim, i.e. may sleep
 *   __GFP_KSWAPD_RECLAIM wake kswapd at the low watermark
 *   __GFP_RECLAIM        both of the above
 *   __GFP_WRITE          the caller will dirty the page
 *   __GFP_NOWARN         no allocation-failure report
 *   __GFP_RETRY_MAYFAIL  retry hard, costly orders included, but may fail
 *   __GFP_NOFAIL         never fail (retry forever); needs a sleepable context
 *   __GFP_NORETRY        one light attempt at reclaim, then fail
 * Action modifiers:
 *   __GFP_ZERO           return zeroed memory
 *   __GFP_COMP           compound page metadata (head + tails)
 *   __GFP_HARDWALL       enforce the cpuset (accepted, no cpusets here)
 *   __GFP_THISNODE       only the requested node, no fallback
 *   __GFP_ACCOUNT        charge to the memory cgroup (accepted, no memcg here)
 *   __GFP_ZEROTAGS       zero memory tags too (HW-tags KASAN; no effect here)
 * Configuration-dependent flags are 0 here, as in a kernel built without
 * the option: __GFP_SKIP_ZERO and __GFP_SKIP_KASAN (CONFIG_KASAN_HW_TAGS),
 * __GFP_NOLOCKDEP (CONFIG_LOCKDEP), __GFP_NO_OBJ_EXT (CONFIG_SLAB_OBJ_EXT,
 * which memcg or allocation profiling select). They have no ___GFP_*_BIT,
 * ___GFP_LAST_BIT follows ___GFP_ZEROTAGS_BIT and __GFP_BITS_SHIFT is 24.
 * Bit 9 was __GFP_ATOMIC until Linux 6.3 and is unused.
 *
 * Composite masks, for the context a caller is in:
 *   GFP_ATOMIC      cannot sleep, must succeed: may use the atomic reserve
 *   GFP_KERNEL      normal process context, may sleep
 *   GFP_KERNEL_ACCOUNT  GFP_KERNEL charged to the memory cgroup
 *   GFP_NOWAIT      cannot sleep, may fail (and does not warn)
 *   GFP_NOIO        may sleep but start no I/O
 *   GFP_NOFS        may sleep but not recurse into a filesystem
 *   GFP_USER        user-related kernel allocation
 *   GFP_DMA, GFP_DMA32  the zone modifiers under their composite names
 *   GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE  user pages, highmem allowed
 *   GFP_TRANSHUGE_LIGHT, GFP_TRANSHUGE  transparent huge pages
 *
 * The page allocator's own masks, which Linux keeps in mm/internal.h, are
 * here too (for code ported from mm/): GFP_RECLAIM_MASK, GFP_BOOT_MASK,
 * GFP_CONSTRAINT_MASK, GFP_SLAB_BUG_MASK. GFP_MOVABLE_MASK and
 * GFP_MOVABLE_SHIFT are in <linux/gfp.h>.
 *
 * docs/gfp.md says what kmem does with each flag.
 */
#ifndef KMEM_COMPAT_LINUX_GFP_TYPES_H
#define KMEM_COMPAT_LINUX_GFP_TYPES_H

#include <kmem/gfp_bits.h>
#include <linux/types.h>

/* Bit numbers (Linux >= 6.10 names them in an enum). */
enum {
  ___GFP_DMA_BIT = 0,
  ___GFP_HIGHMEM_BIT = 1,
  ___GFP_DMA32_BIT = 2,
  ___GFP_MOVABLE_BIT = 3,
  ___GFP_RECLAIMABLE_BIT = 4,
  ___GFP_HIGH_BIT = 5,
  ___GFP_IO_BIT = 6,
  ___GFP_FS_BIT = 7,
  ___GFP_ZERO_BIT = 8,
  ___GFP_UNUSED_BIT = 9,
  ___GFP_DIRECT_RECLAIM_BIT = 10,
  ___GFP_KSWAPD_RECLAIM_BIT = 11,
  ___GFP_WRITE_BIT = 12,
  ___GFP_NOWARN_BIT = 13,
  ___GFP_RETRY_MAYFAIL_BIT = 14,
  ___GFP_NOFAIL_BIT = 15,
  ___GFP_NORETRY_BIT = 16,
  ___GFP_MEMALLOC_BIT = 17,
  ___GFP_COMP_BIT = 18,
  ___GFP_NOMEMALLOC_BIT = 19,
  ___GFP_HARDWALL_BIT = 20,
  ___GFP_THISNODE_BIT = 21,
  ___GFP_ACCOUNT_BIT = 22,
  ___GFP_ZEROTAGS_BIT = 23,
  ___GFP_LAST_BIT = KMEM_GFP_BITS_SHIFT
};

/* Plain integer masks. Use the __GFP_* names below. */
#define ___GFP_DMA KMEM_GFP_DMA
#define ___GFP_HIGHMEM KMEM_GFP_HIGHMEM
#define ___GFP_DMA32 KMEM_GFP_DMA32
#define ___GFP_MOVABLE KMEM_GFP_MOVABLE
#define ___GFP_RECLAIMABLE KMEM_GFP_RECLAIMABLE
#define ___GFP_HIGH KMEM_GFP_HIGH
#define ___GFP_IO KMEM_GFP_IO
#define ___GFP_FS KMEM_GFP_FS
#define ___GFP_ZERO KMEM_GFP_ZERO
#define ___GFP_DIRECT_RECLAIM KMEM_GFP_DIRECT_RECLAIM
#define ___GFP_KSWAPD_RECLAIM KMEM_GFP_KSWAPD_RECLAIM
#define ___GFP_WRITE KMEM_GFP_WRITE
#define ___GFP_NOWARN KMEM_GFP_NOWARN
#define ___GFP_RETRY_MAYFAIL KMEM_GFP_RETRY_MAYFAIL
#define ___GFP_NOFAIL KMEM_GFP_NOFAIL
#define ___GFP_NORETRY KMEM_GFP_NORETRY
#define ___GFP_MEMALLOC KMEM_GFP_MEMALLOC
#define ___GFP_COMP KMEM_GFP_COMP
#define ___GFP_NOMEMALLOC KMEM_GFP_NOMEMALLOC
#define ___GFP_HARDWALL KMEM_GFP_HARDWALL
#define ___GFP_THISNODE KMEM_GFP_THISNODE
#define ___GFP_ACCOUNT KMEM_GFP_ACCOUNT
#define ___GFP_ZEROTAGS KMEM_GFP_ZEROTAGS
#define ___GFP_SKIP_ZERO 0u
#define ___GFP_SKIP_KASAN 0u
#define ___GFP_NOLOCKDEP 0u
#define ___GFP_NO_OBJ_EXT 0u

/* Zone modifiers. */
#define __GFP_DMA ((__force gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM ((__force gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32 ((__force gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE ((__force gfp_t)___GFP_MOVABLE)
#define GFP_ZONEMASK (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)

/* Page mobility and placement hints. */
#define __GFP_RECLAIMABLE ((__force gfp_t)___GFP_RECLAIMABLE)
#define __GFP_WRITE ((__force gfp_t)___GFP_WRITE)
#define __GFP_HARDWALL ((__force gfp_t)___GFP_HARDWALL)
#define __GFP_THISNODE ((__force gfp_t)___GFP_THISNODE)
#define __GFP_ACCOUNT ((__force gfp_t)___GFP_ACCOUNT)
#define __GFP_NO_OBJ_EXT ((__force gfp_t)___GFP_NO_OBJ_EXT)

/* Watermark modifiers. */
#define __GFP_HIGH ((__force gfp_t)___GFP_HIGH)
#define __GFP_MEMALLOC ((__force gfp_t)___GFP_MEMALLOC)
#define __GFP_NOMEMALLOC ((__force gfp_t)___GFP_NOMEMALLOC)

/* Reclaim modifiers. */
#define __GFP_IO ((__force gfp_t)___GFP_IO)
#define __GFP_FS ((__force gfp_t)___GFP_FS)
#define __GFP_DIRECT_RECLAIM ((__force gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM ((__force gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM ((__force gfp_t)(___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM))
#define __GFP_RETRY_MAYFAIL ((__force gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL ((__force gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY ((__force gfp_t)___GFP_NORETRY)

/* Action modifiers. */
#define __GFP_NOWARN ((__force gfp_t)___GFP_NOWARN)
#define __GFP_COMP ((__force gfp_t)___GFP_COMP)
#define __GFP_ZERO ((__force gfp_t)___GFP_ZERO)
#define __GFP_ZEROTAGS ((__force gfp_t)___GFP_ZEROTAGS)
#define __GFP_SKIP_ZERO ((__force gfp_t)___GFP_SKIP_ZERO)
#define __GFP_SKIP_KASAN ((__force gfp_t)___GFP_SKIP_KASAN)
#define __GFP_NOLOCKDEP ((__force gfp_t)___GFP_NOLOCKDEP)

/* Room for the flags above. */
#define __GFP_BITS_SHIFT ___GFP_LAST_BIT
#define __GFP_BITS_MASK ((__force gfp_t)((1u << __GFP_BITS_SHIFT) - 1))

/* Composite masks. */
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN)
#define GFP_TRANSHUGE_LIGHT \
  ((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

/* The allocator's internal masks (mm/internal.h in Linux). */
/* The flags that only affect reclaim and watermark checks. */
#define GFP_RECLAIM_MASK                                                                   \
  (__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
   __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_NOLOCKDEP)
/* What early boot allows: no reclaim, no I/O, no filesystem. */
#define GFP_BOOT_MASK (__GFP_BITS_MASK & ~(__GFP_RECLAIM | __GFP_IO | __GFP_FS))
/* Cpuset and node placement constraints. */
#define GFP_CONSTRAINT_MASK (__GFP_HARDWALL | __GFP_THISNODE)
/* Never valid for a slab allocation. */
#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)

#endif /* KMEM_COMPAT_LINUX_GFP_TYPES_H */
