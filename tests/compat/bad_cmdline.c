/* SPDX-License-Identifier: MIT */
/*
 * Run with a KMEM_CMDLINE that does not boot: the first C call must print
 * "kmem: KMEM_CMDLINE: <reason>" and exit with status 2 (checked by
 * expect_exit.cmake). Reaching the end is a failure.
 */
#include <stdio.h>

#include <linux/gfp.h>

int main(void) {
  struct page *p = alloc_page(GFP_KERNEL);
  fprintf(stderr, "alloc_page returned %p instead of exiting\n", (void *)p);
  return 0;
}
