/* Plain C against the installed Linux-compatible headers. */
#include <stdio.h>
#include <string.h>

#include <linux/gfp.h>

int main(void) {
  unsigned long addr = __get_free_pages(GFP_KERNEL, 1);
  struct page* page;
  if (!addr) {
    fprintf(stderr, "consumer_c: __get_free_pages failed\n");
    return 1;
  }
  memset((void*)addr, 0xa5, 2 * 4096);
  free_pages(addr, 1);

  page = alloc_pages(GFP_KERNEL, 0);
  if (!page) {
    fprintf(stderr, "consumer_c: alloc_pages failed\n");
    return 1;
  }
  __free_pages(page, 0);
  printf("consumer_c: ok\n");
  return 0;
}
