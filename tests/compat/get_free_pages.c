/* SPDX-License-Identifier: MIT */
/* __get_free_pages / get_zeroed_page / free_pages, the way a driver uses them. */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>

#include "check.h"

static int all_bytes(const unsigned char *p, size_t n, unsigned char v) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != v) return 0;
  return 1;
}

int main(void) {
  /* An order-2 block: 16 KiB, naturally aligned in physical memory. */
  unsigned long addr = __get_free_pages(GFP_KERNEL, 2);
  CHECK(addr != 0);
  if (addr) {
    CHECK(virt_to_phys((void *)addr) % (4 * PAGE_SIZE) == 0);
    memset((void *)addr, 0xa5, 4 * PAGE_SIZE);
    CHECK(all_bytes((const unsigned char *)addr, 4 * PAGE_SIZE, 0xa5));
    free_pages(addr, 2);
  }
  free_pages(0, 3); /* ignored, as in Linux */
  free_page(0);

  /* A dirtied page comes back zeroed from get_zeroed_page(). */
  unsigned long dirty = __get_free_page(GFP_KERNEL);
  CHECK(dirty != 0);
  if (dirty) {
    memset((void *)dirty, 0xff, PAGE_SIZE);
    free_page(dirty);
  }
  for (int i = 0; i < 16; i++) {
    unsigned long z = get_zeroed_page(GFP_KERNEL);
    CHECK(z != 0);
    if (!z) break;
    CHECK(all_bytes((const unsigned char *)z, PAGE_SIZE, 0));
    memset((void *)z, 0xee, PAGE_SIZE);
    free_page(z);
  }

  /* __GFP_ZERO on a high-order block. */
  struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, 3);
  CHECK(pg != NULL);
  if (pg) {
    CHECK(all_bytes(page_address(pg), 8 * PAGE_SIZE, 0));
    __free_pages(pg, 3);
  }

  /* Many live blocks at once: disjoint, each keeps its own contents. */
  enum { N = 64 };
  unsigned long blocks[N];
  for (int i = 0; i < N; i++) {
    blocks[i] = __get_free_pages(i % 2 ? GFP_ATOMIC : GFP_KERNEL, (unsigned)(i % 4));
    CHECK(blocks[i] != 0);
    if (blocks[i]) memset((void *)blocks[i], i + 1, PAGE_SIZE << (i % 4));
  }
  for (int i = 0; i < N; i++)
    if (blocks[i])
      CHECK(all_bytes((const unsigned char *)blocks[i], PAGE_SIZE << (i % 4),
                      (unsigned char)(i + 1)));
  for (int i = 0; i < N; i++) free_pages(blocks[i], (unsigned)(i % 4));

  return check_done("compat_get_free_pages");
}
