/* SPDX-License-Identifier: MIT */
/*
 * <linux/mempool.h>: memory pools, a reserve of pre-allocated elements that
 * guarantees forward progress under memory pressure (Linux 6.18's
 * mm/mempool.c).
 *
 *   mempool_t *pool = mempool_create(min_nr, alloc_fn, free_fn, pool_data);
 *   void *e = mempool_alloc(pool, GFP_NOIO);
 *   ...
 *   mempool_free(e, pool);
 *   mempool_destroy(pool);          (NULL is ignored)
 *
 * or an embedded pool: mempool_init(&pool, ...) / mempool_exit(&pool)
 * (a zero-filled mempool_t needs nothing else). Creation fills the reserve
 * with GFP_KERNEL -- max(1, min_nr) elements -- and fails (NULL, -ENOMEM)
 * if it cannot.
 *
 * mempool_alloc(pool, gfp) adds __GFP_NOMEMALLOC | __GFP_NORETRY |
 * __GFP_NOWARN; tries alloc_fn without __GFP_DIRECT_RECLAIM and __GFP_IO,
 * then takes a reserved element, then tries alloc_fn with the full mask,
 * and then, if gfp allows direct reclaim, sleeps until mempool_free()
 * refills the reserve (re-polling every 5 s) and starts over: a blocking
 * mempool_alloc() never returns NULL. Without __GFP_DIRECT_RECLAIM it
 * returns NULL when all of that fails. __GFP_ZERO is not supported (WARN).
 * mempool_alloc_preallocated() only takes from the reserve.
 * mempool_free(e, pool) puts e back in the reserve (waking sleepers) while
 * the reserve holds fewer than min_nr elements, else calls free_fn.
 * mempool_resize(pool, new_min_nr) grows or shrinks the reserve (may sleep).
 *
 * kmem checks one thing Linux does not: mempool_exit()/mempool_destroy()
 * with elements still handed out prints a WARNING (the reserve is freed
 * all the same). The pool's lock is a spinlock_t taken irqsave: a pool may
 * be used from interrupt handlers with GFP_ATOMIC.
 *
 * The usual callbacks: mempool_alloc_slab/mempool_free_slab (pool_data is a
 * struct kmem_cache *), mempool_kmalloc/mempool_kfree (pool_data is the
 * size), mempool_alloc_pages/mempool_free_pages (pool_data is the order;
 * the elements are struct page *), with the create and init helpers below.
 */
#ifndef KMEM_COMPAT_LINUX_MEMPOOL_H
#define KMEM_COMPAT_LINUX_MEMPOOL_H

#include <linux/compiler.h>
#include <linux/numa.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct kmem_cache;

typedef void *(mempool_alloc_t)(gfp_t gfp_mask, void *pool_data);
typedef void(mempool_free_t)(void *element, void *pool_data);

/* The wait queue of mempool_alloc() sleepers (kmem's). */
struct kmem_mempool_wait {
  unsigned int kmem_seq;
  unsigned int kmem_waiters;
};

/* The layout is the library's pool, checked when kmem is built. The
 * Linux members may be read; the kmem_ ones are private. */
typedef struct mempool_s {
  spinlock_t lock;
  int min_nr;      /* the reserve's target size */
  int curr_nr;     /* elements in the reserve */
  void **elements; /* the reserve */
  void *pool_data;
  mempool_alloc_t *alloc;
  mempool_free_t *free;
  struct kmem_mempool_wait wait;
  void *kmem_machine;
  long kmem_outstanding;
  unsigned int kmem_warned;
} mempool_t;

KMEM_C_BEGIN

int mempool_init_node(mempool_t *pool, int min_nr, mempool_alloc_t *alloc_fn,
                      mempool_free_t *free_fn, void *pool_data, gfp_t gfp_mask, int node_id);
int mempool_init(mempool_t *pool, int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
                 void *pool_data);
void mempool_exit(mempool_t *pool);
mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
                          void *pool_data);
mempool_t *mempool_create_node(int min_nr, mempool_alloc_t *alloc_fn, mempool_free_t *free_fn,
                               void *pool_data, gfp_t gfp_mask, int nid);
int mempool_resize(mempool_t *pool, int new_min_nr);
void mempool_destroy(mempool_t *pool);
void *mempool_alloc(mempool_t *pool, gfp_t gfp_mask);
void *mempool_alloc_preallocated(mempool_t *pool);
void mempool_free(void *element, mempool_t *pool);

void *mempool_alloc_slab(gfp_t gfp_mask, void *pool_data);
void mempool_free_slab(void *element, void *pool_data);
void *mempool_kmalloc(gfp_t gfp_mask, void *pool_data);
void mempool_kfree(void *element, void *pool_data);
void *mempool_alloc_pages(gfp_t gfp_mask, void *pool_data);
void mempool_free_pages(void *element, void *pool_data);

KMEM_C_END

static inline bool mempool_initialized(mempool_t *pool) { return pool->elements != NULL; }

static inline bool mempool_is_saturated(mempool_t *pool) {
  return *(volatile const int *)&pool->curr_nr >= pool->min_nr;
}

static inline int mempool_init_slab_pool(mempool_t *pool, int min_nr, struct kmem_cache *kc) {
  return mempool_init(pool, min_nr, mempool_alloc_slab, mempool_free_slab, (void *)kc);
}

static inline mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *kc) {
  return mempool_create(min_nr, mempool_alloc_slab, mempool_free_slab, (void *)kc);
}

static inline int mempool_init_kmalloc_pool(mempool_t *pool, int min_nr, size_t size) {
  return mempool_init(pool, min_nr, mempool_kmalloc, mempool_kfree, (void *)size);
}

static inline mempool_t *mempool_create_kmalloc_pool(int min_nr, size_t size) {
  return mempool_create(min_nr, mempool_kmalloc, mempool_kfree, (void *)size);
}

static inline int mempool_init_page_pool(mempool_t *pool, int min_nr, int order) {
  return mempool_init(pool, min_nr, mempool_alloc_pages, mempool_free_pages, (void *)(long)order);
}

static inline mempool_t *mempool_create_page_pool(int min_nr, int order) {
  return mempool_create(min_nr, mempool_alloc_pages, mempool_free_pages, (void *)(long)order);
}

#endif /* KMEM_COMPAT_LINUX_MEMPOOL_H */
