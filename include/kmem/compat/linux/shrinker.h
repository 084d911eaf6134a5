/* SPDX-License-Identifier: MIT */
/*
 * <linux/shrinker.h>: callbacks through which a cache gives memory back
 * under pressure.
 *
 * kmem has no page cache: reclaim (kswapd, direct reclaim of a blocking
 * allocation, kmem_drop_slab()) is the registered shrinkers. For each, it
 * asks count_objects() how many objects could be freed, then calls
 * scan_objects() in batches for a share of them, Linux's do_shrink_slab():
 *
 *   delta = (freeable >> priority) * 4 / seeks   (freeable / 2 if seeks is 0)
 *   scan  = min(delta + (deferred >> priority), 2 * freeable)
 *   batches of `batch` (0: 128) objects while scan >= batch or scan >= freeable
 *   deferred += delta - scanned   (the work not done, at most 2 * freeable)
 *
 * with priority 12 for a gentle pass down to 0 for "everything". Memory the
 * callbacks free while reclaim runs is what reclaim counts as progress.
 *
 *   struct shrinker *s = shrinker_alloc(flags, "name-%d", id);
 *   s->count_objects = my_count;   returns the freeable objects, 0 or
 *                                  SHRINK_EMPTY when there are none
 *   s->scan_objects = my_scan;     frees up to sc->nr_to_scan objects and
 *                                  returns how many it freed, or SHRINK_STOP
 *                                  to end this pass (it may lower
 *                                  sc->nr_scanned to what it looked at)
 *   s->private_data = my_cache;    (and batch, seeks: defaults 0, DEFAULT_SEEKS)
 *   shrinker_register(s);
 *   ...
 *   shrinker_free(s);              unregisters, waits for callbacks running
 *                                  on other threads, releases s (NULL is
 *                                  ignored)
 *
 * shrinker_alloc() formats the name (at most 31 characters kept) and
 * returns NULL when the machine's 128 shrinkers are in use. Flags:
 * SHRINKER_NUMA_AWARE (called per node, sc->nid set; otherwise nid is 0)
 * and kmem's SHRINKER_FS: a filesystem cache, which reclaim whose mask lacks
 * __GFP_FS (GFP_NOFS, a memalloc_nofs_save() scope) does not call at all.
 * Callbacks run on the reclaiming thread, which may be kswapd's; they must
 * not sleep on what an allocation in progress holds.
 */
#ifndef KMEM_COMPAT_LINUX_SHRINKER_H
#define KMEM_COMPAT_LINUX_SHRINKER_H

#include <linux/compiler.h>
#include <linux/types.h>

struct mem_cgroup;

/* What a pass asks of one shrinker. */
struct shrink_control {
  gfp_t gfp_mask;           /* the reclaiming allocation's mask */
  int nid;                  /* the node (0 unless SHRINKER_NUMA_AWARE) */
  unsigned long nr_to_scan; /* objects to scan in this call */
  unsigned long nr_scanned; /* objects scanned; = nr_to_scan unless lowered */
  struct mem_cgroup *memcg; /* always NULL */
};

#define SHRINK_STOP (~0UL)
#define SHRINK_EMPTY (~0UL - 1)
#define DEFAULT_SEEKS 2

/* shrinker_alloc() flags (SHRINKER_REGISTERED and _ALLOCATED are state). */
#define SHRINKER_REGISTERED (1U << 0)
#define SHRINKER_ALLOCATED (1U << 1)
#define SHRINKER_MEMCG_AWARE (1U << 2)
#define SHRINKER_NUMA_AWARE (1U << 3)
#define SHRINKER_NONSLAB (1U << 4)
#define SHRINKER_FS (1U << 8) /* kmem: not called without __GFP_FS */

/* Words of the library's private state after the public members. */
#define KMEM_SHRINKER_PRIVATE_WORDS 69

struct shrinker {
  unsigned long (*count_objects)(struct shrinker *, struct shrink_control *sc);
  unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *sc);
  long batch;         /* objects per scan_objects() call; 0 = 128 */
  int seeks;          /* cost to recreate an object; 0 = scan half of it */
  unsigned flags;     /* SHRINKER_* */
  void *private_data; /* the owner's */
  /* kmem's: references, deferred work per node, name. Do not touch. */
  unsigned long kmem_private[KMEM_SHRINKER_PRIVATE_WORDS];
};

KMEM_C_BEGIN

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...) __printf(2, 3);
void shrinker_register(struct shrinker *shrinker);
void shrinker_free(struct shrinker *shrinker);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_SHRINKER_H */
