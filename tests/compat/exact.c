/* SPDX-License-Identifier: MIT */
/* alloc_pages_exact: the tail of the power-of-two block goes back at once. */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "check.h"

int main(void) {
  const size_t size = 5 * PAGE_SIZE;
  char *p = alloc_pages_exact(size, GFP_KERNEL);
  CHECK(p != NULL);
  if (p) {
    CHECK(PAGE_ALIGNED(p));
    memset(p, 0x5a, size);
    /* 5 pages of an order-3 block kept, each with its own reference; the
     * other 3 are free again. */
    for (int i = 0; i < 5; i++) CHECK(page_count(virt_to_page(p + i * PAGE_SIZE)) == 1);
    for (int i = 5; i < 8; i++) CHECK(page_count(virt_to_page(p + i * PAGE_SIZE)) == 0);
    CHECK_INVARIANTS();
    free_pages_exact(p, size);
    for (int i = 0; i < 5; i++) CHECK(page_count(virt_to_page(p + i * PAGE_SIZE)) == 0);
  }

  /* Zeroed, and a size that is not a multiple of the page size. */
  unsigned char *z = alloc_pages_exact(3 * PAGE_SIZE + 10, GFP_KERNEL | __GFP_ZERO);
  CHECK(z != NULL);
  if (z) {
    for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
      if (z[i] != 0) {
        CHECK(z[i] == 0);
        break;
      }
    free_pages_exact(z, 3 * PAGE_SIZE + 10);
  }

  void *one = alloc_pages_exact(1, GFP_KERNEL);
  CHECK(one != NULL);
  if (one) {
    CHECK(page_count(virt_to_page(one)) == 1);
    free_pages_exact(one, 1);
  }
  free_pages_exact(NULL, 0);
  return check_done("compat_exact");
}
