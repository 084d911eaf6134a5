/* SPDX-License-Identifier: MIT */
/* Orders: 0..MAX_PAGE_ORDER work and are naturally aligned; beyond fails. */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>

#include "check.h"

int main(void) {
  CHECK(MAX_PAGE_ORDER == 10 && NR_PAGE_ORDERS == 11 && PAGE_ALLOC_COSTLY_ORDER == 3);
  CHECK(pageblock_order == 9 && pageblock_nr_pages == 512);
  CHECK(get_order(1) == 0 && get_order(PAGE_SIZE) == 0 && get_order(PAGE_SIZE + 1) == 1);
  CHECK(get_order(5 * PAGE_SIZE) == 3 && get_order(4UL << 20) == 10);
  CHECK(get_order((4UL << 20) + 1) == 11);

  take_log();
  /* Too large, quietly. */
  struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1);
  CHECK(p == NULL);
  const char *log = take_log();
  CHECK(strstr(log, "WARNING") == NULL);
  CHECK(strstr(log, "page allocation failure") == NULL);

  /* Too large: NULL and a warning. */
  p = alloc_pages(GFP_KERNEL, 11);
  CHECK(p == NULL);
  log = take_log();
  if (!strstr(log, "WARNING"))
    fprintf(stderr, "console after alloc_pages(GFP_KERNEL, 11):\n%s\n", log);
  CHECK(strstr(log, "WARNING") != NULL);
  CHECK(__get_free_pages(GFP_KERNEL | __GFP_NOWARN, 12) == 0);
  CHECK(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 20) == NULL);

  for (unsigned order = 0; order <= MAX_PAGE_ORDER; order++) {
    struct page *pg = alloc_pages(GFP_KERNEL, order);
    CHECK(pg != NULL);
    if (!pg) continue;
    CHECK(page_to_pfn(pg) % (1UL << order) == 0);
    CHECK(page_count(pg) == 1);
    memset(page_address(pg), (int)order, PAGE_SIZE << order);
    __free_pages(pg, order);
  }
  return check_done("compat_orders");
}
