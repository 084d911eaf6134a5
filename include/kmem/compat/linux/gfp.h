/* SPDX-License-Identifier: MIT */
/*
 * <linux/gfp.h>: the page (buddy) allocator.
 *
 * Every function works on the process's current kmem machine (see
 * <kmem/kmem.h>); the first call boots one configured from the environment
 * variable KMEM_CMDLINE. Semantics are Linux 6.18's:
 *
 *   alloc_pages(gfp, order)        2^order physically contiguous pages, or
 *                                  NULL. order > MAX_PAGE_ORDER fails with a
 *                                  warning (none with __GFP_NOWARN).
 *   alloc_pages_node(nid, ...)     the same from node nid first (NUMA_NO_NODE:
 *                                  the calling CPU's node)
 *   __free_pages(page, order)      drops a reference; the block is freed when
 *                                  the last one goes. order must be the one
 *                                  allocated with.
 *   __get_free_pages(gfp, order)   the direct-map address of the block (never
 *                                  highmem), 0 on failure
 *   get_zeroed_page(gfp)           one zeroed page's address
 *   free_pages(addr, order)        frees by address; addr 0 is ignored
 *   alloc_pages_exact(size, gfp)   exactly PAGE_ALIGN(size) bytes of
 *                                  contiguous pages (the tail of the
 *                                  power-of-two block is given back);
 *                                  free_pages_exact(addr, size) frees them
 *
 * Context rules are the kernel's: a gfp mask with __GFP_DIRECT_RECLAIM
 * (GFP_KERNEL) may sleep and must not be used in atomic context; GFP_ATOMIC
 * and GFP_NOWAIT never sleep.
 */
#ifndef KMEM_COMPAT_LINUX_GFP_H
#define KMEM_COMPAT_LINUX_GFP_H

#include <linux/compiler.h>
#include <linux/gfp_types.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/topology.h>
#include <linux/types.h>

/* The mobility bits and where they sit (gfp_migratetype()). */
#define GFP_MOVABLE_MASK (__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT 3

/* True if the mask allows the allocator to sleep (direct reclaim). */
static inline bool gfpflags_allow_blocking(const gfp_t gfp_flags) {
  return !!(gfp_flags & __GFP_DIRECT_RECLAIM);
}

/* True if the mask allows both I/O and filesystem recursion. */
static inline bool gfp_has_io_fs(gfp_t gfp) {
  return (gfp & (__GFP_IO | __GFP_FS)) == (__GFP_IO | __GFP_FS);
}

KMEM_C_BEGIN

/* The highest zone an allocation with these flags may use, on the current
 * machine (a missing DMA32 or HighMem zone degrades to ZONE_NORMAL).
 * MAX_NR_ZONES for an illegal combination such as __GFP_DMA | __GFP_DMA32. */
enum zone_type gfp_zone(gfp_t flags);
/* The free lists an allocation uses: MIGRATE_UNMOVABLE, _MOVABLE or
 * _RECLAIMABLE (always UNMOVABLE when mobility grouping is off). */
int gfp_migratetype(gfp_t flags);

struct page *alloc_pages(gfp_t gfp, unsigned int order);
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
/* Like alloc_pages_node() but nid must be a node of the machine. */
struct page *__alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
/* Fills the NULL slots of page_array[0..nr_pages) with order-0 pages; returns
 * how many slots are filled (those already filled included). */
unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr_pages, struct page **page_array);
unsigned long alloc_pages_bulk_node(gfp_t gfp, int nid, unsigned long nr_pages,
                                    struct page **page_array);
void __free_pages(struct page *page, unsigned int order);

unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);

void *alloc_pages_exact(size_t size, gfp_t gfp);
void *alloc_pages_exact_nid(int nid, size_t size, gfp_t gfp);
void free_pages_exact(void *virt, size_t size);

KMEM_C_END

#define alloc_page(gfp_mask) alloc_pages(gfp_mask, 0)
#define __free_page(page) __free_pages((page), 0)
#define __get_free_page(gfp_mask) __get_free_pages((gfp_mask), 0)
#define __get_dma_pages(gfp_mask, order) __get_free_pages((gfp_mask) | GFP_DMA, (order))
#define free_page(addr) free_pages((addr), 0)

#endif /* KMEM_COMPAT_LINUX_GFP_H */
