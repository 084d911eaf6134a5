// SPDX-License-Identifier: MIT
// Reclaim (mm/vmscan.c, mm/shrinker.c): the shrinker registry,
// do_shrink_slab's arithmetic, kswapd (one thread per node, woken at the low
// watermark, reclaiming until a zone is back above its high watermark) and
// direct reclaim for allocations that may sleep.
//
// kmem has no page cache or anonymous LRU, so reclaim is what shrink_slab
// does in Linux: ask the registered shrinkers. Progress is measured in pages
// actually freed while the reclaimer runs (current->reclaim_state).
#include <new>

#include "base/format.h"
#include "page_alloc/internal.h"

namespace kmem {

using I = Kernel::Internal;

static_assert(MAX_NUMNODES <= 64, "Shrinker::nr_deferred has one slot per node");

namespace {

inline constexpr unsigned long SWAP_CLUSTER_MAX = 32;
inline constexpr int MAX_RECLAIM_RETRIES = 16;

bool try_get(Shrinker* s) {
  int r = s->refcount.load(std::memory_order_relaxed);
  while (r > 0)
    if (s->refcount.compare_exchange_weak(r, r + 1, std::memory_order_acquire)) return true;
  return false;
}

void put(Shrinker* s) { s->refcount.fetch_sub(1, std::memory_order_release); }

// do_shrink_slab: scan a share of what the shrinker says it could free.
unsigned long do_shrink_slab(Kernel& k, ShrinkControl& sc, Shrinker& s, int priority) {
  unsigned long freeable = s.count_objects(&s, &sc);
  if (freeable == 0 || freeable == SHRINK_EMPTY) return freeable;
  const long batch_size = s.batch ? s.batch : SHRINK_BATCH;
  std::atomic<long>& deferred = s.nr_deferred[sc.nid];
  long nr = deferred.exchange(0, std::memory_order_relaxed);
  unsigned long delta;
  if (s.seeks) {
    delta = (freeable >> priority) * 4;
    delta /= unsigned(s.seeks);
  } else {
    delta = freeable / 2;  // objects that cost nothing to recreate
  }
  unsigned long total_scan = (unsigned long)(nr >> priority) + delta;
  if (total_scan > 2 * freeable) total_scan = 2 * freeable;

  unsigned long freed = 0, scanned = 0;
  while (total_scan >= (unsigned long)batch_size || total_scan >= freeable) {
    unsigned long nr_to_scan = min_t(total_scan, (unsigned long)batch_size);
    sc.nr_to_scan = nr_to_scan;
    sc.nr_scanned = nr_to_scan;
    unsigned long ret = s.scan_objects(&s, &sc);
    if (ret == SHRINK_STOP) break;
    freed += ret;
    k.count_vm_event(SLABS_SCANNED, sc.nr_scanned);
    if (sc.nr_scanned == 0) break;  // a shrinker that scans nothing would loop
    total_scan -= min_t(total_scan, sc.nr_scanned);
    scanned += sc.nr_scanned;
  }
  // Work not done is carried to the next call, at most twice what is freeable.
  long next = long(nr) + long(delta) - long(scanned);
  if (next < 0) next = 0;
  if ((unsigned long)next > 2 * freeable) next = long(2 * freeable);
  deferred.fetch_add(next, std::memory_order_relaxed);
  return freed;
}

}  // namespace

Shrinker* Kernel::shrinker_alloc(unsigned flags, const char* name) {
  SpinGuard g(shrinker_lock_);
  for (unsigned i = 0; i < MAX_SHRINKERS; ++i) {
    if (shrinker_used_[i]) continue;
    shrinker_used_[i] = true;
    Shrinker* s = ::new (&shrinker_pool_[i]) Shrinker();
    s->flags = (flags & ~SHRINKER_REGISTERED) | SHRINKER_ALLOCATED;
    s->seeks = DEFAULT_SEEKS;
    format(s->name, sizeof s->name, "%s", name ? name : "");
    return s;
  }
  return nullptr;
}

void Kernel::shrinker_register(Shrinker* s) {
  if (s == nullptr) return;
  SpinGuard g(shrinker_lock_);
  if (s->flags & SHRINKER_REGISTERED) return;
  s->refcount.store(1, std::memory_order_release);  // the registration's reference
  s->flags |= SHRINKER_REGISTERED;
}

void Kernel::shrinker_free(Shrinker* s) {
  if (s == nullptr) return;
  bool registered;
  {
    SpinGuard g(shrinker_lock_);
    registered = s->flags & SHRINKER_REGISTERED;
    s->flags &= ~SHRINKER_REGISTERED;
  }
  if (registered) put(s);
  // Reclaim may be inside count/scan on another thread: wait for it.
  while (s->refcount.load(std::memory_order_acquire) != 0) {
    if (g_yield_hook) g_yield_hook();
  }
  SpinGuard g(shrinker_lock_);
  shrinker_used_[s - shrinker_pool_] = false;
}

unsigned long Kernel::shrink_slab(gfp_t gfp, int nid, int priority) {
  unsigned long freed = 0;
  for (unsigned i = 0; i < MAX_SHRINKERS; ++i) {
    Shrinker* s = &shrinker_pool_[i];
    {
      SpinGuard g(shrinker_lock_);
      if (!shrinker_used_[i] || !(s->flags & SHRINKER_REGISTERED)) continue;
      if (!try_get(s)) continue;
    }
    // A filesystem cache may not be entered by reclaim that must not recurse
    // into filesystems.
    if (!(s->flags & SHRINKER_FS) || (gfp & gfp::FS)) {
      ShrinkControl sc{gfp, (s->flags & SHRINKER_NUMA_AWARE) ? nid : 0, 0, 0, nullptr};
      unsigned long ret = do_shrink_slab(*this, sc, *s, priority);
      if (ret != SHRINK_EMPTY) freed += ret;
    }
    put(s);
  }
  return freed;
}

unsigned long Kernel::drop_slab() {
  count_vm_event(DROP_SLAB);
  unsigned long total = 0, freed;
  int shift = 0;
  do {
    freed = 0;
    for (int nid = 0; nid < nr_nodes_; ++nid) freed += shrink_slab(gfp::KERNEL, nid, 0);
    total += freed;
  } while ((freed >> shift++) > 1);
  return total;
}

bool Kernel::node_unreclaimable(const Node& n) const {
  return n.kswapd_failures.load(std::memory_order_relaxed) >= MAX_RECLAIM_RETRIES;
}

// ---- direct reclaim ---------------------------------------------------------------

unsigned long Kernel::Internal::try_to_free_pages(Kernel& k, gfp_t gfp, unsigned order,
                                                  const AllocContext& ac) {
  (void)order;
  TaskContext& c = current_ctx();
  ReclaimState rs{0};
  ReclaimState* outer = c.reclaim_state;
  c.reclaim_state = &rs;
  const unsigned noreclaim = memalloc_noreclaim_save();
  k.count_zone_event(k.current_cpu(), ALLOCSTALL, ac.highest_zoneidx, 1);
  // do_try_to_free_pages: from gentle to thorough until SWAP_CLUSTER_MAX
  // pages came back, each node of the zonelist once per priority.
  for (int priority = DEF_PRIORITY; priority >= 0; --priority) {
    const Node* last = nullptr;
    for (Zone** zp = ac.zonelist; *zp; ++zp) {
      const Zone& z = **zp;
      if (z.idx > ac.highest_zoneidx || z.pgdat == last) continue;
      last = z.pgdat;
      k.shrink_slab(gfp, z.pgdat->node_id, priority);
    }
    if (rs.reclaimed >= SWAP_CLUSTER_MAX) break;
  }
  memalloc_noreclaim_restore(noreclaim);
  c.reclaim_state = outer;
  if (outer) outer->reclaimed += rs.reclaimed;
  if (rs.reclaimed) {
    for (Zone** zp = ac.zonelist; *zp; ++zp) (*zp)->pgdat->kswapd_failures.store(0);
  }
  return rs.reclaimed;
}

// ---- kswapd ------------------------------------------------------------------------

bool Kernel::Internal::pgdat_balanced(Kernel& k, Node& n, unsigned order, ZoneType highest) {
  (void)k;
  bool any = false;
  for (int i = 0; i <= int(highest); ++i) {
    Zone& z = n.zones[i];
    if (!z.populated()) continue;
    any = true;
    if (zone_watermark_ok(z, order, z.wmark(WMARK_HIGH), highest, 0, z.free_pages())) return true;
  }
  return !any;  // nothing to balance
}

namespace {

// balance_pgdat: shrink at rising priority until the node is balanced.
void balance_pgdat(Kernel& k, Node& n, unsigned order, ZoneType highest) {
  ReclaimState& rs = *current_ctx().reclaim_state;
  rs.reclaimed = 0;
  k.count_vm_event(PAGEOUTRUN);
  unsigned long nr_to_reclaim = 0;
  for (int i = 0; i <= int(highest); ++i) {
    Zone& z = n.zones[i];
    if (z.populated()) nr_to_reclaim += max_t(z.wmark(WMARK_HIGH), SWAP_CLUSTER_MAX);
  }
  for (int priority = DEF_PRIORITY; priority >= 1;) {
    if (I::pgdat_balanced(k, n, order, highest)) break;
    const unsigned long before = rs.reclaimed;
    k.shrink_slab(gfp::KERNEL, n.node_id, priority);
    if (n.kswapd_stop.load(std::memory_order_relaxed)) break;
    const unsigned long got = rs.reclaimed - before;
    // Linux raises the priority unless this pass reclaimed a full target.
    if (got < nr_to_reclaim) --priority;
  }
  if (rs.reclaimed == 0) n.kswapd_failures.fetch_add(1, std::memory_order_relaxed);
  else n.kswapd_failures.store(0, std::memory_order_relaxed);
  // Allocators sleeping for memory re-check now.
  if (rs.reclaimed) k.wake_up_all(k.free_wait());
}

void kswapd_main(void* arg) {
  Node& n = *static_cast<Node*>(arg);
  Kernel& k = *n.kernel;
  TaskContext& c = current_ctx();
  c.flags |= PF_MEMALLOC | PF_KSWAPD | PF_KTHREAD;
  ReclaimState rs{0};
  c.reclaim_state = &rs;
  while (!n.kswapd_stop.load(std::memory_order_acquire)) {
    const u32 seen = k.prepare_to_wait(n.kswapd_wait);
    int highest = n.kswapd_highest_zoneidx.exchange(MAX_NR_ZONES, std::memory_order_acq_rel);
    int order = n.kswapd_order.exchange(0, std::memory_order_acq_rel);
    if (highest == MAX_NR_ZONES && !n.kswapd_stop.load(std::memory_order_acquire)) {
      n.kswapd_sleeping.store(true, std::memory_order_relaxed);
      k.wait_event(n.kswapd_wait, seen, 0);
      n.kswapd_sleeping.store(false, std::memory_order_relaxed);
      k.finish_wait(n.kswapd_wait);
      continue;
    }
    k.finish_wait(n.kswapd_wait);
    if (highest == MAX_NR_ZONES) break;
    balance_pgdat(k, n, unsigned(order), ZoneType(highest));
  }
  c.reclaim_state = nullptr;
}

}  // namespace

void Kernel::wakeup_kswapd(Zone& z, gfp_t gfp, unsigned order, ZoneType highest) {
  (void)gfp;
  if (!z.populated()) return;
  Node& n = *z.pgdat;
  if (n.kswapd_thread == nullptr) return;
  int cur = n.kswapd_highest_zoneidx.load(std::memory_order_relaxed);
  if (cur == MAX_NR_ZONES || cur < int(highest))
    n.kswapd_highest_zoneidx.store(int(highest), std::memory_order_relaxed);
  if (n.kswapd_order.load(std::memory_order_relaxed) < int(order))
    n.kswapd_order.store(int(order), std::memory_order_relaxed);
  // A hopeless node is left to direct reclaim; a balanced one needs nothing.
  if (node_unreclaimable(n) || I::pgdat_balanced(*this, n, order, highest)) return;
  wake_up_all(n.kswapd_wait);
}

void Kernel::start_kswapd() {
  for (int nid = 0; nid < nr_nodes_; ++nid) {
    Node& n = *nodes_[nid];
    n.kernel = this;
    n.kswapd_highest_zoneidx.store(MAX_NR_ZONES, std::memory_order_relaxed);
    if (!opts_.kswapd || ops_.start_thread == nullptr) continue;
    char name[16];
    format(name, sizeof name, "kswapd%d", nid);
    n.kswapd_thread = ops_.start_thread(ops_.ctx, &kswapd_main, &n, name);
    if (n.kswapd_thread == nullptr) printk(LogLevel::err, "Failed to start kswapd on node %d", nid);
  }
  kswapd_running_ = true;
}

void Kernel::shutdown() {
  rcu_shutdown();  // pending callbacks run first
  if (!kswapd_running_) return;
  kswapd_running_ = false;
  for (int nid = 0; nid < nr_nodes_; ++nid) {
    Node& n = *nodes_[nid];
    if (n.kswapd_thread == nullptr) continue;
    n.kswapd_stop.store(true, std::memory_order_release);
    wake_up_slow(n.kswapd_wait);
    ops_.join_thread(ops_.ctx, n.kswapd_thread);
    n.kswapd_thread = nullptr;
  }
}

}  // namespace kmem
