/* SPDX-License-Identifier: MIT */
/*
 * Zone modifiers on a machine with memory above 4 GiB (run with
 * KMEM_CMDLINE="mem=6G cpus=4"): GFP_DMA below 16 MiB, GFP_DMA32 below
 * 4 GiB, GFP_KERNEL from ZONE_NORMAL.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sizes.h>

#include "check.h"

int main(void) {
  /* An ISA-style buffer. */
  unsigned long dma = __get_dma_pages(GFP_KERNEL, 1);
  CHECK(dma != 0);
  if (dma) {
    CHECK(virt_to_phys((void *)dma) + 2 * PAGE_SIZE <= SZ_16M);
    CHECK(page_zonenum(virt_to_page(dma)) == ZONE_DMA);
    memset((void *)dma, 0x11, 2 * PAGE_SIZE);
    free_pages(dma, 1);
  }

  /* 32-bit DMA: every page below 4 GiB. */
  struct page *pages[64];
  for (int i = 0; i < 64; i++) {
    pages[i] = alloc_pages(GFP_KERNEL | GFP_DMA32, 0);
    CHECK(pages[i] != NULL);
    if (!pages[i]) continue;
    CHECK(page_to_phys(pages[i]) < SZ_4G);
    CHECK(page_zonenum(pages[i]) == ZONE_DMA32 || page_zonenum(pages[i]) == ZONE_DMA);
  }
  for (int i = 0; i < 64; i++)
    if (pages[i]) __free_page(pages[i]);

  /* GFP_KERNEL prefers ZONE_NORMAL, which lies above 4 GiB here. */
  struct page *normal = alloc_page(GFP_KERNEL);
  CHECK(normal != NULL);
  if (normal) {
    CHECK(page_zonenum(normal) == ZONE_NORMAL);
    CHECK(page_to_phys(normal) >= SZ_4G);
    CHECK(page_to_nid(normal) == 0);
    __free_page(normal);
  }

  /* gfp_zone() and gfp_migratetype() as Linux x86-64 computes them. */
  CHECK(gfp_zone(GFP_KERNEL) == ZONE_NORMAL);
  CHECK(gfp_zone(GFP_DMA) == ZONE_DMA);
  CHECK(gfp_zone(GFP_KERNEL | GFP_DMA32) == ZONE_DMA32);
  CHECK(gfp_zone(GFP_HIGHUSER) == ZONE_NORMAL); /* no HighMem on x86_64 */
  CHECK(gfp_migratetype(GFP_KERNEL) == MIGRATE_UNMOVABLE);
  CHECK(gfp_migratetype(GFP_HIGHUSER_MOVABLE) == MIGRATE_MOVABLE);
  CHECK(gfp_migratetype(GFP_KERNEL | __GFP_RECLAIMABLE) == MIGRATE_RECLAIMABLE);
  CHECK(gfpflags_allow_blocking(GFP_KERNEL));
  CHECK(!gfpflags_allow_blocking(GFP_ATOMIC));
  CHECK(!gfpflags_allow_blocking(GFP_NOWAIT));

  return check_done("compat_zones");
}
