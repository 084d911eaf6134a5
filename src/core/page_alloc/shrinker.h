// SPDX-License-Identifier: MIT
// Shrinkers (include/linux/shrinker.h, mm/shrinker.c): callbacks through
// which caches outside the page allocator give memory back under pressure.
// Reclaim (kswapd and direct reclaim, page_alloc/vmscan.cpp) asks each
// registered shrinker how many objects it could free (count_objects) and
// then to free a share of them (scan_objects), Linux's do_shrink_slab
// arithmetic: freeable >> priority, times 4 / seeks, in batches, with work
// it could not do deferred to the next call.
//
// Pages freed while a reclaimer runs are credited to it through
// current->reclaim_state, which is how reclaim knows it made progress.
#pragma once

#include <atomic>

#include "base/types.h"
#include "page_alloc/gfp.h"

namespace kmem {

inline constexpr unsigned long SHRINK_STOP = ~0UL;
inline constexpr unsigned long SHRINK_EMPTY = ~0UL - 1;
inline constexpr int DEFAULT_SEEKS = 2;
inline constexpr long SHRINK_BATCH = 128;
inline constexpr int DEF_PRIORITY = 12;
inline constexpr unsigned MAX_SHRINKERS = 128;  // per machine, until kmalloc exists

enum : unsigned {
  SHRINKER_REGISTERED = 1u << 0,
  SHRINKER_ALLOCATED = 1u << 1,
  SHRINKER_MEMCG_AWARE = 1u << 2,
  SHRINKER_NUMA_AWARE = 1u << 3,
  SHRINKER_NONSLAB = 1u << 4,
  // (kmem) A filesystem cache: reclaim whose mask lacks __GFP_FS (GFP_NOFS,
  // a memalloc_nofs_save() scope) does not call it. Linux leaves this test
  // to the shrinker (super_cache_scan returns SHRINK_STOP).
  SHRINKER_FS = 1u << 8,
};

struct ShrinkControl {
  gfp_t gfp_mask;
  int nid;
  unsigned long nr_to_scan;  // objects to scan in this call
  unsigned long nr_scanned;  // objects scanned (the shrinker may lower it)
  void* memcg;
};

struct Shrinker {
  // Public part (the C header's struct shrinker has the same layout).
  unsigned long (*count_objects)(Shrinker*, ShrinkControl*);
  unsigned long (*scan_objects)(Shrinker*, ShrinkControl*);
  long batch;  // objects per scan_objects call; 0 = SHRINK_BATCH
  int seeks;   // cost to recreate an object; 0 = scan half of what is freeable
  unsigned flags;
  void* private_data;
  // Reclaim's.
  std::atomic<int> refcount;  // callers inside count/scan, + 1 while registered
  std::atomic<long> nr_deferred[64];
  char name[32];
};

}  // namespace kmem
