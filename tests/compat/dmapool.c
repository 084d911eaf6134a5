/* SPDX-License-Identifier: MIT */
/*
 * <linux/dmapool.h> and <linux/dma-mapping.h> the way a driver uses them:
 * an ISA-style device with a 24-bit DMA mask gets descriptor blocks from
 * ZONE_DMA, a PCI-style device's pool keeps its 64-byte descriptors from
 * crossing 4 KiB boundaries, and the misuse the pool's debug checks catch
 * (double free, a vaddr/dma mismatch, destroying a busy pool) is reported
 * without crashing.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>

#include <errno.h>

#include "check.h"

#define NBLOCKS 300

int main(void) {
  if (kmem_machine_boot("mem=512M cpus=2") != 0) {
    fprintf(stderr, "boot: %s\n", kmem_last_error());
    return 1;
  }
  take_log();

  /* An ISA device: 24-bit DMA. */
  struct device isa = {.init_name = "isa0"};
  CHECK(dma_set_mask_and_coherent(&isa, DMA_BIT_MASK(24)) == -EIO); /* no dma_mask */
  CHECK(dma_coerce_mask_and_coherent(&isa, DMA_BIT_MASK(24)) == 0);
  CHECK(isa.coherent_dma_mask == DMA_BIT_MASK(24) && *isa.dma_mask == DMA_BIT_MASK(24));
  CHECK(dma_set_mask(&isa, DMA_BIT_MASK(20)) == -EIO); /* below ZONE_DMA */

  struct dma_pool *isa_pool = dma_pool_create("isa-desc", &isa, 32, 16, 0);
  CHECK(isa_pool != NULL);
  if (!isa_pool) return 1;
  void *blk[NBLOCKS];
  dma_addr_t dma[NBLOCKS];
  for (int i = 0; i < NBLOCKS; i++) {
    blk[i] = dma_pool_alloc(isa_pool, GFP_KERNEL, &dma[i]);
    CHECK(blk[i] != NULL);
    if (!blk[i]) return 1;
    CHECK(((uintptr_t)blk[i] & 15) == 0);
    CHECK(dma[i] == virt_to_phys(blk[i]));
    CHECK(dma[i] + 32 <= DMA_BIT_MASK(24) + 1);
    CHECK(page_zonenum(virt_to_page(blk[i])) == ZONE_DMA);
  }
  /* Blocks come poisoned (0xa9) unless zeroed. */
  CHECK(((unsigned char *)blk[0])[5] == 0xa9);
  for (int i = 0; i < NBLOCKS; i++) dma_pool_free(isa_pool, blk[i], dma[i]);
  dma_addr_t zdma;
  unsigned char *z = dma_pool_zalloc(isa_pool, GFP_ATOMIC, &zdma);
  CHECK(z != NULL && z[0] == 0 && z[31] == 0);
  dma_pool_free(isa_pool, z, zdma);
  dma_pool_destroy(isa_pool);

  /* Coherent buffers directly. */
  dma_addr_t ring_dma;
  unsigned char *ring = dma_alloc_coherent(&isa, 10000, &ring_dma, GFP_KERNEL);
  CHECK(ring != NULL && ring_dma == virt_to_phys(ring) && ring_dma + 10000 <= (16u << 20));
  CHECK(ring && ring[0] == 0 && ring[9999] == 0);
  dma_free_coherent(&isa, 10000, ring, ring_dma);

  /* A PCI device: 64-byte descriptors that must not cross 4 KiB. */
  static u64 pci_mask;
  struct device pci = {.init_name = "0000:00:1f.2", .dma_mask = &pci_mask};
  CHECK(dma_set_mask_and_coherent(&pci, DMA_BIT_MASK(64)) == 0);
  struct dma_pool *prd = dma_pool_create("prd", &pci, 48, 64, 4096);
  CHECK(prd != NULL);
  if (!prd) return 1;
  for (int i = 0; i < NBLOCKS; i++) {
    blk[i] = dma_pool_alloc(prd, GFP_KERNEL, &dma[i]);
    CHECK(blk[i] != NULL && (dma[i] & 63) == 0);
    CHECK(dma[i] / 4096 == (dma[i] + 47) / 4096);
  }
  for (int i = 0; i < NBLOCKS; i++) dma_pool_free(prd, blk[i], dma[i]);

  /* Misuse: reported, counted, ignored. */
  unsigned long bad = kmem_bug_count(KMEM_BUG_BAD_FREE);
  dma_addr_t a_dma, b_dma;
  void *a = dma_pool_alloc(prd, GFP_KERNEL, &a_dma);
  void *b = dma_pool_alloc(prd, GFP_KERNEL, &b_dma);
  dma_pool_free(prd, a, a_dma);
  dma_pool_free(prd, a, a_dma); /* double free */
  CHECK(kmem_bug_count(KMEM_BUG_BAD_FREE) == bad + 1);
  CHECK(strstr(take_log(), "0000:00:1f.2: dma_pool_free prd, dma 0x") != NULL);
  dma_pool_free(prd, b, a_dma); /* the wrong handle */
  CHECK(kmem_bug_count(KMEM_BUG_BAD_FREE) == bad + 2);
  CHECK(strstr(take_log(), "(bad vaddr)") != NULL);

  /* Destroying a pool with b still out: reported, its pages leaked. */
  unsigned long warns = kmem_bug_count(KMEM_BUG_WARN);
  dma_pool_destroy(prd);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns + 1);
  CHECK(strstr(take_log(), "dma_pool_destroy prd busy") != NULL);

  /* Creation rules. */
  CHECK(dma_pool_create("x", NULL, 64, 8, 0) == NULL);
  CHECK(dma_pool_create("x", &pci, 64, 24, 0) == NULL);
  CHECK(dma_pool_create("x", &pci, 64, 8, 32) == NULL);
  dma_pool_destroy(NULL);

  return check_done("compat_dmapool");
}
