/* SPDX-License-Identifier: MIT */
/*
 * <linux/dma-mapping.h>: DMA masks and coherent memory, the way dma-direct
 * (no IOMMU, no bounce buffers) provides them: a DMA address is the
 * physical address.
 *
 *   DMA_BIT_MASK(n)                   the mask of an n-bit DMA address
 *   dma_set_mask(dev, mask)           0, or -EIO when the device has no
 *                                     dma_mask or the mask is below what the
 *                                     machine can serve (24 bits, or all
 *                                     memory on a smaller machine)
 *   dma_set_coherent_mask(dev, mask), dma_set_mask_and_coherent(dev, mask),
 *   dma_coerce_mask_and_coherent(dev, mask)   likewise
 *   dma_alloc_coherent(dev, size, &handle, gfp)
 *                                     zeroed, physically contiguous memory
 *                                     (2^get_order(size) pages) that the
 *                                     device can reach: from ZONE_DMA for a
 *                                     coherent mask of <= 24 bits, ZONE_DMA32
 *                                     for <= 32 bits (ZONE_NORMAL on i386),
 *                                     any lowmem zone above; retried in a
 *                                     lower zone when a page lands above the
 *                                     mask. handle = its physical address.
 *                                     The caller's zone modifiers are
 *                                     ignored; NULL on failure. A device
 *                                     with coherent_dma_mask 0, or
 *                                     __GFP_COMP, WARNs and gets NULL.
 *   dma_free_coherent(dev, size, cpu_addr, handle)
 *
 * There are no streaming mappings (dma_map_single and friends).
 */
#ifndef KMEM_COMPAT_LINUX_DMA_MAPPING_H
#define KMEM_COMPAT_LINUX_DMA_MAPPING_H

#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/types.h>

#define DMA_BIT_MASK(n) (((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)

KMEM_C_BEGIN

int dma_supported(struct device *dev, u64 mask);
int dma_set_mask(struct device *dev, u64 mask);
int dma_set_coherent_mask(struct device *dev, u64 mask);
int dma_set_mask_and_coherent(struct device *dev, u64 mask);
int dma_coerce_mask_and_coherent(struct device *dev, u64 mask);
void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *dma_handle, gfp_t gfp);
void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr, dma_addr_t dma_handle);

KMEM_C_END

static inline u64 dma_get_mask(struct device *dev) {
  if (dev->dma_mask && *dev->dma_mask) return *dev->dma_mask;
  return DMA_BIT_MASK(32);
}

#endif /* KMEM_COMPAT_LINUX_DMA_MAPPING_H */
