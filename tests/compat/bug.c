/* SPDX-License-Identifier: MIT */
/*
 * BUG_ON() ends the process with "kernel BUG at FILE:LINE!" (checked by
 * expect_exit.cmake: killed by SIGABRT, message on stderr). Reaching the end
 * is a failure.
 */
#include <stdio.h>

#include <linux/bug.h>
#include <linux/gfp.h>

int main(void) {
  struct page *p = alloc_page(GFP_KERNEL);
  BUG_ON(p == NULL || p != NULL);
  fprintf(stderr, "BUG_ON returned\n");
  return 0;
}
