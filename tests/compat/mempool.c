/* SPDX-License-Identifier: MIT */
/*
 * <linux/mempool.h> the way a block driver uses it: a slab-backed pool for
 * its request structures, a kmalloc pool embedded in a device structure, a
 * page pool, a custom allocator, GFP_NOIO allocations that fall back to the
 * reserve, and a second thread sleeping in mempool_alloc() until the first
 * returns an element.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads and nanosleep in strict C11 */
#include <linux/gfp.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <pthread.h>
#include <time.h>

#include "check.h"

struct request {
  int tag;
  char payload[120];
};

/* A backing allocator that can be switched off, as memory pressure would. */
static int backing_fails;
static int backing_allocs, backing_frees;

static void *backing_alloc(gfp_t gfp, void *pool_data) {
  if (backing_fails) return NULL;
  backing_allocs++;
  return kmalloc((size_t)pool_data, gfp);
}

static void backing_free(void *element, void *pool_data) {
  (void)pool_data;
  backing_frees++;
  kfree(element);
}

struct waiter {
  mempool_t *pool;
  void *got;
  volatile int done;
};

static void *waiter_main(void *arg) {
  struct waiter *w = arg;
  w->got = mempool_alloc(w->pool, GFP_KERNEL);
  w->done = 1;
  return NULL;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

struct my_device {
  mempool_t cmd_pool; /* embedded, as in struct bio_set */
  int id;
};

int main(void) {
  if (kmem_machine_boot("mem=256M cpus=2") != 0) {
    fprintf(stderr, "boot: %s\n", kmem_last_error());
    return 1;
  }
  take_log();

  /* A slab-backed pool. */
  struct kmem_cache *rq_cache = KMEM_CACHE(request, 0);
  CHECK(rq_cache != NULL);
  mempool_t *rq_pool = mempool_create_slab_pool(16, rq_cache);
  CHECK(rq_pool != NULL);
  if (!rq_pool) return 1;
  CHECK(rq_pool->min_nr == 16 && rq_pool->curr_nr == 16);
  CHECK(mempool_is_saturated(rq_pool));
  struct request *rqs[64];
  for (int i = 0; i < 64; i++) {
    rqs[i] = mempool_alloc(rq_pool, GFP_NOIO);
    CHECK(rqs[i] != NULL);
    rqs[i]->tag = i;
  }
  CHECK(rq_pool->curr_nr == 16); /* the slab allocator served them */
  for (int i = 0; i < 64; i++) {
    CHECK(rqs[i]->tag == i);
    mempool_free(rqs[i], rq_pool);
  }
  mempool_destroy(rq_pool);
  kmem_cache_destroy(rq_cache);

  /* An embedded kmalloc pool. */
  static struct my_device dev; /* zero-filled */
  CHECK(!mempool_initialized(&dev.cmd_pool));
  CHECK(mempool_init_kmalloc_pool(&dev.cmd_pool, 4, 512) == 0);
  void *cmd = mempool_alloc(&dev.cmd_pool, GFP_ATOMIC);
  CHECK(cmd != NULL && ksize(cmd) >= 512);
  mempool_free(cmd, &dev.cmd_pool);
  mempool_exit(&dev.cmd_pool);
  CHECK(!mempool_initialized(&dev.cmd_pool));

  /* A page pool: the elements are struct page *. */
  mempool_t *page_pool = mempool_create_page_pool(2, 1);
  CHECK(page_pool != NULL);
  struct page *pg = mempool_alloc(page_pool, GFP_KERNEL);
  CHECK(pg != NULL);
  if (pg) {
    memset(page_address(pg), 0x77, 2 * PAGE_SIZE);
    mempool_free(pg, page_pool);
  }
  mempool_destroy(page_pool);

  /* A custom allocator that fails: the reserve carries on. */
  mempool_t *pool = mempool_create(3, backing_alloc, backing_free, (void *)(size_t)96);
  CHECK(pool != NULL);
  if (!pool) return 1;
  CHECK(backing_allocs == 3);
  backing_fails = 1;
  void *held[3];
  for (int i = 0; i < 3; i++) {
    held[i] = mempool_alloc(pool, GFP_NOIO);
    CHECK(held[i] != NULL);
  }
  CHECK(pool->curr_nr == 0);
  CHECK(mempool_alloc(pool, GFP_ATOMIC) == NULL);
  CHECK(mempool_alloc(pool, GFP_NOWAIT) == NULL);
  CHECK(mempool_alloc_preallocated(pool) == NULL);

  /* GFP_KERNEL sleeps until an element comes back; never NULL. */
  struct waiter w = {pool, NULL, 0};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, waiter_main, &w) == 0);
  sleep_ms(100);
  CHECK(!w.done);
  mempool_free(held[0], pool);
  pthread_join(t, NULL);
  CHECK(w.got == held[0]);
  held[0] = w.got;

  /* Frees refill up to min_nr, then go to the allocator. */
  backing_fails = 0;
  for (int i = 0; i < 3; i++) mempool_free(held[i], pool);
  CHECK(pool->curr_nr == 3 && backing_frees == 0);
  void *extra = mempool_alloc(pool, GFP_KERNEL); /* from the allocator again */
  mempool_free(extra, pool);
  CHECK(backing_frees == 1);

  /* Resizing. */
  CHECK(mempool_resize(pool, 8) == 0);
  CHECK(pool->min_nr == 8 && pool->curr_nr == 8);
  CHECK(mempool_resize(pool, 2) == 0);
  CHECK(pool->min_nr == 2 && pool->curr_nr == 2);
  mempool_destroy(pool);
  CHECK(backing_allocs == backing_frees);
  mempool_destroy(NULL);

  /* Destroying a pool with an element still out WARNs. */
  unsigned long warns = kmem_bug_count(KMEM_BUG_WARN);
  mempool_t *leaky = mempool_create_kmalloc_pool(1, 32);
  void *leaked = mempool_alloc(leaky, GFP_KERNEL);
  mempool_destroy(leaky);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns + 1);
  CHECK(strstr(take_log(), "still allocated") != NULL);
  kfree(leaked);

  return check_done("compat_mempool");
}
