/* SPDX-License-Identifier: MIT */
/* split_page: an order-3 block becomes 8 order-0 pages, freed one by one. */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "check.h"

int main(void) {
  struct page *p = alloc_pages(GFP_KERNEL, 3);
  CHECK(p != NULL);
  if (!p) return check_done("compat_split");
  unsigned long pfn = page_to_pfn(p);
  CHECK(page_count(p) == 1);
  CHECK(page_count(pfn_to_page(pfn + 1)) == 0); /* tail of a non-compound block */
  CHECK(!PageCompound(p));

  split_page(p, 3);
  for (unsigned long i = 0; i < 8; i++) {
    struct page *q = pfn_to_page(pfn + i);
    CHECK(page_count(q) == 1);
    CHECK(compound_order(q) == 0);
    memset(page_address(q), (int)i, PAGE_SIZE);
  }
  /* Free out of order: odd pages first, then even. */
  for (unsigned long i = 1; i < 8; i += 2) __free_page(pfn_to_page(pfn + i));
  CHECK_INVARIANTS();
  for (unsigned long i = 0; i < 8; i += 2) __free_page(pfn_to_page(pfn + i));
  for (unsigned long i = 0; i < 8; i++) CHECK(page_count(pfn_to_page(pfn + i)) == 0);

  /* Split the direct-map way: __get_free_pages + split_page + free_page. */
  unsigned long addr = __get_free_pages(GFP_KERNEL, 2);
  CHECK(addr != 0);
  if (addr) {
    split_page(virt_to_page(addr), 2);
    for (int i = 3; i >= 0; i--) free_page(addr + (unsigned long)i * PAGE_SIZE);
  }
  return check_done("compat_split");
}
