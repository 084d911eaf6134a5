/* SPDX-License-Identifier: MIT */
/*
 * <linux/dmapool.h>: pools of small coherent DMA blocks of one size, carved
 * from dma_alloc_coherent() allocations of max(size, PAGE_SIZE) bytes
 * (Linux 6.18's mm/dmapool.c).
 *
 *   pool = dma_pool_create("name", dev, size, align, boundary);
 *   buf = dma_pool_alloc(pool, GFP_KERNEL, &dma);   (or dma_pool_zalloc)
 *   ...
 *   dma_pool_free(pool, buf, dma);
 *   dma_pool_destroy(pool);
 *
 * dma_pool_create() returns NULL for a NULL dev, an align that is not a
 * power of two (0 means 1), size 0 or above INT_MAX, or a boundary that is
 * not a power of two or is smaller than the block size. Blocks are at least
 * 16 bytes and a multiple of align; with a boundary (0: none), no block
 * crosses a multiple of it. dma is the block's physical address; the memory
 * lies where dev->coherent_dma_mask allows (see <linux/dma-mapping.h>).
 * Blocks are O(1) pops from one free stack kept inside the free blocks;
 * pages go back to the page allocator only in dma_pool_destroy().
 *
 * Debugging is always on (Linux's CONFIG_SLUB_DEBUG_ON behaviour): free
 * blocks are poisoned 0xa7 (POOL_POISON_FREED) and new ones 0xa9
 * (POOL_POISON_ALLOCATED) unless zeroed; the reports are
 *
 *   "<dev>: dma_pool_free <pool>, <vaddr>/<dma> (bad dma)"    dma not in the pool
 *   "<dev>: dma_pool_free <pool>, <vaddr> (bad vaddr)/<dma>"  vaddr does not
 *                                        match dma or is not a block start
 *   "<dev>: dma_pool_free <pool>, dma <dma> already free"     double free
 *   "<dev>: dma_pool_alloc <pool>, <vaddr> (corrupted)" + hex dump
 *                                        a free block was written to
 *   "<dev>: dma_pool_destroy <pool> busy"  blocks still allocated: every
 *                                        page of the pool is leaked
 *
 * and a bad free is ignored. dma_pool_alloc() with a mask that may sleep is
 * a might_sleep() point. struct dma_pool is opaque.
 */
#ifndef KMEM_COMPAT_LINUX_DMAPOOL_H
#define KMEM_COMPAT_LINUX_DMAPOOL_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/numa.h>
#include <linux/types.h>

struct dma_pool;

KMEM_C_BEGIN

struct dma_pool *dma_pool_create_node(const char *name, struct device *dev, size_t size,
                                      size_t align, size_t boundary, int node);
struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
                                 size_t boundary);
void dma_pool_destroy(struct dma_pool *pool);
void *dma_pool_alloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle);
void *dma_pool_zalloc(struct dma_pool *pool, gfp_t mem_flags, dma_addr_t *handle);
void dma_pool_free(struct dma_pool *pool, void *vaddr, dma_addr_t dma);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_DMAPOOL_H */
