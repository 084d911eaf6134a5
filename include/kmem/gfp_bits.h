/* SPDX-License-Identifier: MIT */
/*
 * GFP bit values of Linux 6.18 (include/linux/gfp_types.h), shared by every
 * layer of kmem: the core, the C++ API and the Linux-compatible C headers.
 * Plain C, constants only.
 *
 * Zone modifiers (which zones an allocation may come from, see gfp_zone()):
 *   DMA       0x01  ZONE_DMA (below 16 MiB)
 *   HIGHMEM   0x02  ZONE_HIGHMEM allowed (i386 profile)
 *   DMA32     0x04  ZONE_DMA32 (below 4 GiB)
 *   MOVABLE   0x08  movable page; with HIGHMEM it may come from ZONE_MOVABLE
 * Mobility hint (which free lists, see gfp_migratetype()):
 *   RECLAIMABLE 0x10 reclaimable through a shrinker (MOVABLE doubles as one)
 * Watermark modifiers:
 *   HIGH      0x20  high priority: may use half of the min reserve
 *   MEMALLOC  0x20000 may use all reserves; NOMEMALLOC 0x80000 may use none
 * Reclaim modifiers:
 *   IO 0x40, FS 0x80, DIRECT_RECLAIM 0x400 (may sleep), KSWAPD_RECLAIM 0x800,
 *   WRITE 0x1000, NOWARN 0x2000, RETRY_MAYFAIL 0x4000, NOFAIL 0x8000,
 *   NORETRY 0x10000
 * Action modifiers:
 *   ZERO 0x100, COMP 0x40000, HARDWALL 0x100000, THISNODE 0x200000,
 *   ACCOUNT 0x400000, ZEROTAGS 0x800000
 * Bit 9 (0x200) was __GFP_ATOMIC until Linux 6.3 and is unused.
 *
 * Linux 6.18 numbers the bits with an enum, and four flags only get a bit
 * when their option is configured: __GFP_SKIP_ZERO and __GFP_SKIP_KASAN
 * (CONFIG_KASAN_HW_TAGS), __GFP_NOLOCKDEP (CONFIG_LOCKDEP) and
 * __GFP_NO_OBJ_EXT (CONFIG_SLAB_OBJ_EXT, i.e. memcg or allocation
 * profiling). kmem has none of these, so it takes the values of a kernel
 * built without them: the four flags are 0, the last real bit is ZEROTAGS
 * (23) and __GFP_BITS_SHIFT is 24. A configured flag takes the next free
 * bit in the order SKIP_ZERO, SKIP_KASAN, NOLOCKDEP, NO_OBJ_EXT: a
 * distribution kernel with memcg has __GFP_NO_OBJ_EXT at 0x1000000, a
 * LOCKDEP kernel __GFP_NOLOCKDEP there. kmem prints such a bit as a bare
 * 0x1000000, as Linux prints a bit it has no name for.
 */
#ifndef KMEM_GFP_BITS_H
#define KMEM_GFP_BITS_H

#define KMEM_GFP_DMA 0x01u
#define KMEM_GFP_HIGHMEM 0x02u
#define KMEM_GFP_DMA32 0x04u
#define KMEM_GFP_MOVABLE 0x08u
#define KMEM_GFP_RECLAIMABLE 0x10u
#define KMEM_GFP_HIGH 0x20u
#define KMEM_GFP_IO 0x40u
#define KMEM_GFP_FS 0x80u
#define KMEM_GFP_ZERO 0x100u
#define KMEM_GFP_DIRECT_RECLAIM 0x400u
#define KMEM_GFP_KSWAPD_RECLAIM 0x800u
#define KMEM_GFP_WRITE 0x1000u
#define KMEM_GFP_NOWARN 0x2000u
#define KMEM_GFP_RETRY_MAYFAIL 0x4000u
#define KMEM_GFP_NOFAIL 0x8000u
#define KMEM_GFP_NORETRY 0x10000u
#define KMEM_GFP_MEMALLOC 0x20000u
#define KMEM_GFP_COMP 0x40000u
#define KMEM_GFP_NOMEMALLOC 0x80000u
#define KMEM_GFP_HARDWALL 0x100000u
#define KMEM_GFP_THISNODE 0x200000u
#define KMEM_GFP_ACCOUNT 0x400000u
#define KMEM_GFP_ZEROTAGS 0x800000u

/* Configuration-dependent flags: 0, as without their options (see above). */
#define KMEM_GFP_SKIP_ZERO 0u
#define KMEM_GFP_SKIP_KASAN 0u
#define KMEM_GFP_NOLOCKDEP 0u
#define KMEM_GFP_NO_OBJ_EXT 0u

/* Room for the flags above (__GFP_BITS_SHIFT, __GFP_BITS_MASK). */
#define KMEM_GFP_BITS_SHIFT 24
#define KMEM_GFP_BITS_MASK ((1u << KMEM_GFP_BITS_SHIFT) - 1)

#define KMEM_GFP_RECLAIM (KMEM_GFP_DIRECT_RECLAIM | KMEM_GFP_KSWAPD_RECLAIM)
#define KMEM_GFP_ZONEMASK (KMEM_GFP_DMA | KMEM_GFP_HIGHMEM | KMEM_GFP_DMA32 | KMEM_GFP_MOVABLE)

/* Composite masks. */
#define KMEM_GFP_ATOMIC_MASK (KMEM_GFP_HIGH | KMEM_GFP_KSWAPD_RECLAIM)
#define KMEM_GFP_KERNEL_MASK (KMEM_GFP_RECLAIM | KMEM_GFP_IO | KMEM_GFP_FS)
#define KMEM_GFP_KERNEL_ACCOUNT_MASK (KMEM_GFP_KERNEL_MASK | KMEM_GFP_ACCOUNT)
#define KMEM_GFP_NOWAIT_MASK (KMEM_GFP_KSWAPD_RECLAIM | KMEM_GFP_NOWARN)
#define KMEM_GFP_NOIO_MASK (KMEM_GFP_RECLAIM)
#define KMEM_GFP_NOFS_MASK (KMEM_GFP_RECLAIM | KMEM_GFP_IO)
#define KMEM_GFP_USER_MASK (KMEM_GFP_RECLAIM | KMEM_GFP_IO | KMEM_GFP_FS | KMEM_GFP_HARDWALL)
#define KMEM_GFP_HIGHUSER_MASK (KMEM_GFP_USER_MASK | KMEM_GFP_HIGHMEM)
#define KMEM_GFP_HIGHUSER_MOVABLE_MASK \
  (KMEM_GFP_HIGHUSER_MASK | KMEM_GFP_MOVABLE | KMEM_GFP_SKIP_KASAN)
#define KMEM_GFP_TRANSHUGE_LIGHT_MASK                                                         \
  ((KMEM_GFP_HIGHUSER_MOVABLE_MASK | KMEM_GFP_COMP | KMEM_GFP_NOMEMALLOC | KMEM_GFP_NOWARN) & \
   ~KMEM_GFP_RECLAIM)
#define KMEM_GFP_TRANSHUGE_MASK (KMEM_GFP_TRANSHUGE_LIGHT_MASK | KMEM_GFP_DIRECT_RECLAIM)

/*
 * The page allocator's internal masks (mm/internal.h and include/linux/gfp.h
 * in Linux 6.18). These keep their Linux names with _MASK, so
 * KMEM_GFP_RECLAIM_MASK is GFP_RECLAIM_MASK, not __GFP_RECLAIM.
 */
/* GFP_RECLAIM_MASK: the flags that only steer reclaim and watermarks. */
#define KMEM_GFP_RECLAIM_MASK                                                        \
  (KMEM_GFP_RECLAIM | KMEM_GFP_HIGH | KMEM_GFP_IO | KMEM_GFP_FS | KMEM_GFP_NOWARN |  \
   KMEM_GFP_RETRY_MAYFAIL | KMEM_GFP_NOFAIL | KMEM_GFP_NORETRY | KMEM_GFP_MEMALLOC | \
   KMEM_GFP_NOMEMALLOC | KMEM_GFP_NOLOCKDEP)
/* GFP_BOOT_MASK: what early boot allows (no reclaim, no I/O, no FS). */
#define KMEM_GFP_BOOT_MASK (KMEM_GFP_BITS_MASK & ~(KMEM_GFP_RECLAIM | KMEM_GFP_IO | KMEM_GFP_FS))
/* GFP_CONSTRAINT_MASK: cpuset and node placement constraints. */
#define KMEM_GFP_CONSTRAINT_MASK (KMEM_GFP_HARDWALL | KMEM_GFP_THISNODE)
/* GFP_SLAB_BUG_MASK: never valid for a slab allocation. */
#define KMEM_GFP_SLAB_BUG_MASK (KMEM_GFP_DMA32 | KMEM_GFP_HIGHMEM | ~KMEM_GFP_BITS_MASK)
/* GFP_MOVABLE_MASK, GFP_MOVABLE_SHIFT: the mobility bits and where they sit. */
#define KMEM_GFP_MOVABLE_MASK (KMEM_GFP_RECLAIMABLE | KMEM_GFP_MOVABLE)
#define KMEM_GFP_MOVABLE_SHIFT 3

#endif /* KMEM_GFP_BITS_H */
