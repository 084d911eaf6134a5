/* SPDX-License-Identifier: MIT */
/* Address translation: page <-> pfn <-> physical <-> direct-map virtual. */
#include <asm/io.h>
#include <asm/page.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include "check.h"

int main(void) {
  struct page *pg = alloc_page(GFP_KERNEL);
  CHECK(pg != NULL);
  if (!pg) return check_done("compat_translate");

  void *va = page_address(pg);
  CHECK(va != NULL);
  CHECK(PAGE_ALIGNED(va));
  CHECK(virt_to_page(va) == pg);
  CHECK(virt_to_page((unsigned long)va) == pg);
  CHECK(virt_to_page((char *)va + PAGE_SIZE - 1) == pg);
  CHECK(page_to_virt(pg) == va);

  unsigned long pfn = page_to_pfn(pg);
  CHECK(pfn_valid(pfn));
  CHECK(pfn_to_page(pfn) == pg);
  CHECK(virt_to_phys(va) == PFN_PHYS(pfn));
  CHECK(PHYS_PFN(virt_to_phys(va)) == pfn);
  CHECK(page_to_phys(pg) == PFN_PHYS(pfn));
  CHECK(phys_to_virt(virt_to_phys(va)) == va);
  CHECK(__va(__pa(va)) == va);
  CHECK(__pa((unsigned long)va + 123) == PFN_PHYS(pfn) + 123);
  CHECK(pfn_to_kaddr(pfn) == va);
  CHECK(virt_addr_valid(va));
  int on_stack = 0;
  CHECK(!virt_addr_valid(&on_stack));
  CHECK(!pfn_valid(~0UL >> PAGE_SHIFT));
  __free_page(pg);

  /* Every page of a block translates on its own. */
  struct page *blk = alloc_pages(GFP_KERNEL, 3);
  CHECK(blk != NULL);
  if (blk) {
    unsigned long base = page_to_pfn(blk);
    char *bva = page_address(blk);
    for (unsigned long i = 0; i < 8; i++) {
      struct page *sub = pfn_to_page(base + i);
      CHECK(page_to_pfn(sub) == base + i);
      CHECK(page_address(sub) == bva + i * PAGE_SIZE);
      CHECK(virt_to_page(bva + i * PAGE_SIZE) == sub);
    }
    __free_pages(blk, 3);
  }

  /* PAGE_ALIGN and friends keep the type. */
  CHECK(PAGE_ALIGN(1UL) == PAGE_SIZE && PAGE_ALIGN(PAGE_SIZE) == PAGE_SIZE);
  CHECK(PAGE_ALIGN_DOWN(PAGE_SIZE + 5) == PAGE_SIZE);
  CHECK(PFN_UP(PAGE_SIZE + 1) == 2 && PFN_DOWN(PAGE_SIZE + 1) == 1);
  CHECK(PAGE_MASK == ~(PAGE_SIZE - 1) && PAGE_SHIFT == 12 && PAGE_SIZE == 4096);
  return check_done("compat_translate");
}
