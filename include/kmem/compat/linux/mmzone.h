/* SPDX-License-Identifier: MIT */
/*
 * <linux/mmzone.h>: buddy orders, pageblocks, zones and migratetypes.
 *
 * Deviation: enum zone_type lists every zone kmem knows, whatever the
 * machine's profile configures (x86_64: DMA, DMA32, Normal, Movable, Device;
 * i386: DMA, Normal, HighMem, Movable). Linux leaves the unconfigured ones
 * out of the enum, so the numbers here equal Linux x86-64's only up to
 * ZONE_NORMAL.
 */
#ifndef KMEM_COMPAT_LINUX_MMZONE_H
#define KMEM_COMPAT_LINUX_MMZONE_H

#include <linux/numa.h>
#include <linux/types.h>

/* Orders 0..MAX_PAGE_ORDER inclusive (4 KiB .. 4 MiB). */
#define MAX_PAGE_ORDER 10
#define MAX_ORDER_NR_PAGES (1 << MAX_PAGE_ORDER)
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)

/* Orders above this are "costly": the allocator tries less hard for them. */
#define PAGE_ALLOC_COSTLY_ORDER 3

/* Mobility is tracked per pageblock of 2^pageblock_order pages (2 MiB). */
#define pageblock_order 9
#define pageblock_nr_pages (1UL << pageblock_order)

enum migratetype {
  MIGRATE_UNMOVABLE,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_PCPTYPES, /* the number of types on the per-CPU lists */
  MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
  MIGRATE_ISOLATE,
  MIGRATE_TYPES
};

enum zone_type {
  ZONE_DMA,     /* below 16 MiB */
  ZONE_DMA32,   /* below 4 GiB (x86_64 profile) */
  ZONE_NORMAL,  /* the rest of the direct map */
  ZONE_HIGHMEM, /* above 896 MiB (i386 profile): no direct-map address */
  ZONE_MOVABLE, /* movable pages only (kernelcore= / movablecore=) */
  ZONE_DEVICE,  /* device memory (never populated here) */
  __MAX_NR_ZONES
};
#define MAX_NR_ZONES __MAX_NR_ZONES

#endif /* KMEM_COMPAT_LINUX_MMZONE_H */
