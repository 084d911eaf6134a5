/* SPDX-License-Identifier: MIT */
/* get_page / put_page, compound pages, and __free_pages with a held ref. */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "check.h"

int main(void) {
  struct page *p = alloc_page(GFP_KERNEL);
  CHECK(p != NULL);
  if (p) {
    CHECK(page_count(p) == 1);
    get_page(p);
    CHECK(page_count(p) == 2);
    put_page(p);
    CHECK(page_count(p) == 1);
    put_page(p); /* last reference: freed */
    CHECK(page_count(p) == 0);
  }

  /* A compound page: tails share the head's count; put_page frees order 2. */
  struct page *c = alloc_pages(GFP_KERNEL | __GFP_COMP, 2);
  CHECK(c != NULL);
  if (c) {
    unsigned long pfn = page_to_pfn(c);
    struct page *tail = pfn_to_page(pfn + 3);
    CHECK(PageHead(c) && PageCompound(c) && !PageTail(c));
    CHECK(PageTail(tail) && PageCompound(tail) && !PageHead(tail));
    CHECK(compound_order(c) == 2);
    CHECK(compound_head(tail) == c);
    CHECK(page_count(tail) == 1);
    get_page(tail);
    CHECK(page_count(c) == 2);
    put_page(tail);
    CHECK(page_count(c) == 1);
    put_page(c);
    CHECK(page_count(c) == 0);
    CHECK_INVARIANTS();
  }

  /* lib/test_free_pages.c: a non-compound block whose head has an extra
   * reference. __free_pages frees the tail sub-blocks now, the head later. */
  for (int round = 0; round < 100; round++) {
    struct page *b = alloc_pages(GFP_KERNEL, 2);
    CHECK(b != NULL);
    if (!b) break;
    unsigned long pfn = page_to_pfn(b);
    get_page(b);
    __free_pages(b, 2);
    CHECK(page_count(b) == 1);
    for (unsigned long i = 1; i < 4; i++) CHECK(page_count(pfn_to_page(pfn + i)) == 0);
    put_page(b);
    CHECK(page_count(b) == 0);
  }
  CHECK_INVARIANTS();
  return check_done("compat_refcount");
}
