/* SPDX-License-Identifier: MIT */
/*
 * <linux/highmem.h> the way a driver uses it, on an i386 machine with
 * HighMem: a GFP_HIGHUSER page has no page_address() until it is kmapped;
 * kmap(), kmap_local_page(), kmap_atomic() and the copy helpers all reach
 * the same bytes; misuse is reported, not fatal.
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "check.h"

static void fill(struct page *page, unsigned char c) {
  void *va = kmap_local_page(page);
  memset(va, c, PAGE_SIZE);
  kunmap_local(va);
}

int main(void) {
  if (kmem_machine_boot("mem=1536M profile=i386 cpus=2") != 0) {
    fprintf(stderr, "boot: %s\n", kmem_last_error());
    return 1;
  }
  take_log();

  struct page *high = alloc_page(GFP_HIGHUSER);
  struct page *high2 = alloc_page(GFP_HIGHUSER);
  struct page *low = alloc_page(GFP_KERNEL);
  CHECK(high && high2 && low);
  if (!high || !high2 || !low) return 1;
  CHECK(PageHighMem(high));
  CHECK(page_zonenum(high) == ZONE_HIGHMEM && is_highmem_idx(page_zonenum(high)));
  CHECK(page_to_phys(high) >= 896 * SZ_1M);
  CHECK(page_address(high) == NULL);
  CHECK(!PageHighMem(low) && page_address(low) != NULL);
  CHECK(totalhigh_pages() > 0 && nr_free_highpages() > 0);
  CHECK(nr_free_highpages() <= totalhigh_pages());

  /* kmap(): a persistent address, shared, visible through page_address(). */
  char *a = kmap(high);
  CHECK(a != NULL);
  CHECK(page_address(high) == a);
  CHECK(kmap(high) == a);
  CHECK(kmap_to_page(a + 10) == high);
  strcpy(a, "through kmap");
  kunmap(high);

  /* kmap_local_page(): the same bytes at a thread-local address. */
  char *l = kmap_local_page(high);
  CHECK(l != NULL && l != a);
  CHECK(strcmp(l, "through kmap") == 0);
  kunmap_local(l);
  kunmap(high);

  /* kmap_atomic(): the same with preemption off. */
  char *at = kmap_atomic(high);
  CHECK(strcmp(at, "through kmap") == 0);
  kunmap_atomic(at);

  /* The copy helpers. */
  char buf[32] = {0};
  memcpy_to_page(high, 100, "hello", 6);
  memcpy_from_page(buf, high, 100, 6);
  CHECK(strcmp(buf, "hello") == 0);
  copy_highpage(high2, high);
  memcpy_from_page(buf, high2, 0, 13);
  CHECK(strcmp(buf, "through kmap") == 0);
  memcpy_page(low, 8, high2, 100, 6);
  CHECK(strcmp((char *)page_address(low) + 8, "hello") == 0);
  memzero_page(high2, 100, 6);
  memcpy_from_page(buf, high2, 100, 1);
  CHECK(buf[0] == 0);
  fill(high2, 0xab);
  clear_highpage(high2);
  {
    unsigned char *p = kmap_local_page(high2);
    int nonzero = 0;
    for (unsigned i = 0; i < PAGE_SIZE; i++) nonzero += p[i] != 0;
    kunmap_local(p);
    CHECK(nonzero == 0);
  }
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 0);

  /* A kmapped page that nobody uses keeps its address until a flush. */
  kmap_flush_unused();
  CHECK(page_address(high) == NULL);

  /* Misuse: reported, the program goes on. */
  kunmap(high);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 1);
  CHECK(strstr(take_log(), "kernel BUG at mm/highmem.c:370!") != NULL);
  memcpy_to_page(high, PAGE_SIZE - 2, "xyz", 4);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 2);
  void *x = kmap_local_page(high);
  void *y = kmap_local_page(high2);
  kunmap_local(x); /* y is still above it */
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 3);
  kunmap_local(y);
  take_log();

  __free_page(high);
  __free_page(high2);
  __free_page(low);
  int rc = check_done("compat_highmem");
  kmem_machine_shutdown();
  return rc;
}
