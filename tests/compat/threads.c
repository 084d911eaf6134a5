/* SPDX-License-Identifier: MIT */
/*
 * Eight threads make their first C call at the same moment: one machine is
 * booted, and all of them allocate from it concurrently.
 */
#define _POSIX_C_SOURCE 200809L /* pthread barriers in strict C11 */
#include <pthread.h>
#include <stdint.h>

#include <linux/gfp.h>
#include <linux/mm.h>

#include "check.h"

enum { NTHREADS = 8, ROUNDS = 20000, LIVE = 32 };

static pthread_barrier_t start;
static struct kmem_machine *seen[NTHREADS];
static int errors[NTHREADS];

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  pthread_barrier_wait(&start);
  struct page *first = alloc_page(GFP_KERNEL);
  seen[id] = kmem_machine_current();
  if (first) __free_page(first);
  kmem_bind_cpu((unsigned)id % 4);

  struct page *live[LIVE] = {0};
  unsigned orders[LIVE] = {0};
  uint32_t rng = 0x9e3779b9u * (uint32_t)(id + 1);
  for (int r = 0; r < ROUNDS; r++) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    int slot = (int)(rng % LIVE);
    if (live[slot]) {
      unsigned char *va = page_address(live[slot]);
      if (va[0] != (unsigned char)id || va[(PAGE_SIZE << orders[slot]) - 1] != (unsigned char)id)
        errors[id]++;
      __free_pages(live[slot], orders[slot]);
      live[slot] = NULL;
    } else {
      orders[slot] = (rng >> 8) % 4;
      live[slot] = alloc_pages(r % 3 ? GFP_KERNEL : GFP_ATOMIC, orders[slot]);
      if (!live[slot]) {
        errors[id]++;
        continue;
      }
      unsigned char *va = page_address(live[slot]);
      va[0] = (unsigned char)id;
      va[(PAGE_SIZE << orders[slot]) - 1] = (unsigned char)id;
    }
  }
  for (int i = 0; i < LIVE; i++)
    if (live[i]) __free_pages(live[i], orders[i]);
  return NULL;
}

int main(void) {
  pthread_t t[NTHREADS];
  pthread_barrier_init(&start, NULL, NTHREADS);
  for (int i = 0; i < NTHREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
  for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  for (int i = 0; i < NTHREADS; i++) {
    CHECK(seen[i] != NULL && seen[i] == seen[0]);
    CHECK(errors[i] == 0);
  }
  return check_done("compat_threads");
}
