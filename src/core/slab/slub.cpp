// SPDX-License-Identifier: MIT
// SLUB: slab caches, slabs, per-node lists, per-CPU sheaves and the barn.
// The design, layout and lock order are described in slab.h; docs/slab.md
// explains the choice of sheaves over the classic lockless freelist.
//
// The alloc fast path (slab_alloc): enter this CPU's slot, pop the main
// sheaf, leave. The free fast path (kmem_cache_free): find the slab from
// the address (mem_map arithmetic), check the pointer, enter, push, leave.
// Everything else is the slow path:
//
//   alloc: main empty -> swap with a non-empty spare -> trade the empty
//          main for a full sheaf from the node's barn -> refill a sheaf
//          from the slabs (partial list, then a new slab from the page
//          allocator; the only step that may sleep, done outside the slot).
//   free:  main full -> swap with an empty spare -> trade the full main for
//          an empty sheaf at the barn -> flush PCS_BATCH_MAX objects to
//          their slabs.
//
// Threads that do not own a CPU slot (more threads than CPUs) and debug
// caches skip the sheaves and work on the slabs under list_lock.
#include <new>

#include "base/bits.h"
#include "base/string.h"
#include "context/context.h"
#include "slab/internal.h"

#if __has_include("rcu/rcu.h")
#include "rcu/rcu.h"
#define KMEM_HAVE_RCU 1
#endif

namespace kmem {

namespace {

using I = SlabOps;

inline constexpr unsigned long MIN_PARTIAL = 5;
inline constexpr unsigned long MAX_PARTIAL = 10;
inline constexpr unsigned MAX_OBJS_PER_PAGE = 32767;
inline constexpr unsigned CACHE_LINE = 64;

u64 splitmix(std::atomic<u64>& seed) {
  u64 z = seed.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Sheaf* empty_sheaf(Kernel& k) { return reinterpret_cast<Sheaf*>(I::state(k).empty_sheaf_storage); }
bool is_empty_sheaf(Kernel& k, const Sheaf* sh) {
  return sh == reinterpret_cast<const Sheaf*>(I::state(k).empty_sheaf_storage);
}

void stat(KmemCache* s, unsigned cpu, SlabStatItem i, u64 d = 1) { s->cpu[cpu].stat[i].add(d); }

// ---- fast-path statistics (slab.h, Sheaf::size) -------------------------------------------
// The inline paths count their operations in the high bits of main's size.
// Whoever enters the CPU's sheaves from outside them (the slow paths, a
// remote drain, the invariant checker, slab_info) first takes stock: pops and
// pushes since the last stock come out of the op count and the size change,
//   pops + pushes = ops,   pushes - pops = size - stock_size,
// and go into the statistics; main's size is left a plain number. Before
// leaving, settle() records main's size as the new stock. In between, the
// code may change main (its size or which sheaf it is) freely.

void take_stock(Kernel& k, CacheCpu& pc) {
  Sheaf* m = pc.main;
  if (is_empty_sheaf(k, m)) return;  // never written: ops and size stay 0
  const u64 word = m->size;
  const u64 ops = word >> 16, size = word & SHEAF_SIZE_MASK;
  if (ops == 0) return;
  const u64 pushes = (ops + size - pc.stock_size) / 2;
  pc.stat[ALLOC_FASTPATH].add(ops - pushes);
  pc.stat[FREE_FASTPATH].add(pushes);
  m->size = size;
  pc.stock_size = size;
}

void settle(Kernel& k, CacheCpu& pc) {
  MM_ASSERT(is_empty_sheaf(k, pc.main) || (pc.main->size >> 16) == 0, "settle with ops pending");
  pc.stock_size = pc.main->size;
}

// cpu_enter/cpu_leave for the sheaves of s, with the stock taken and settled.
bool pcs_enter(Kernel& k, KmemCache* s, CpuRef c) {
  if (!k.cpu_enter(c)) return false;
  take_stock(k, s->cpu[c.cpu]);
  return true;
}
void pcs_leave(Kernel& k, KmemCache* s, CpuRef c) {
  settle(k, s->cpu[c.cpu]);
  k.cpu_leave(c);
}
// The same for a remote CPU (cpu_lock_remote).
void pcs_lock_remote(Kernel& k, KmemCache* s, unsigned cpu) {
  k.cpu_lock_remote(cpu);
  take_stock(k, s->cpu[cpu]);
}
void pcs_unlock_remote(Kernel& k, KmemCache* s, unsigned cpu) {
  settle(k, s->cpu[cpu]);
  k.cpu_unlock_remote(cpu);
}

// An empty sheaf goes onto the barn's empty list while it has room; the
// caller frees what is returned (after dropping barn_lock).
Sheaf* barn_put_empty_locked(CacheNode* n, Sheaf* sh) {
  if (n->nr_barn_empty >= MAX_BARN_SHEAVES) return sh;
  sh->next = n->barn_empty;
  n->barn_empty = sh;
  ++n->nr_barn_empty;
  return nullptr;
}

// ---- slab page counters ------------------------------------------------------------------

void set_counters(Page* slab, unsigned inuse, unsigned on_list) {
  slab->spare1 = uintptr_t(inuse) | (uintptr_t(on_list) << 32);
}
void set_inuse(Page* slab, unsigned inuse) { set_counters(slab, inuse, slab_on_list(slab)); }
void set_on_list(Page* slab, unsigned on) { set_counters(slab, slab_inuse(slab), on); }
void* slab_base(Kernel& k, Page* slab) { return k.page_to_virt_raw(slab); }
int slab_nid(Kernel&, const Page* slab) { return slab->slab_nid; }

// ---- the sheaf pool: SHEAF_BYTES chunks carved from pages, never returned ---------------

Sheaf* sheaf_alloc(Kernel& k, unsigned capacity, gfp_t gfp) {
  SlabState& st = I::state(k);
  st.sheaf_lock.lock();
  Sheaf* sh = st.sheaf_free;
  if (sh != nullptr) st.sheaf_free = sh->next;
  st.sheaf_lock.unlock();
  if (sh == nullptr) {
    // Never blocks: a sheaf is an optimisation, the caller copes without.
    Page* page = k.alloc_pages((gfp & ~gfp::RECLAIM_MASK) | gfp::NOWARN | gfp::KSWAPD_RECLAIM, 0);
    if (page == nullptr) return nullptr;
    u8* base = static_cast<u8*>(k.page_to_virt_raw(page));
    k.page_zone(page)->pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE].fetch_add(1,
                                                                       std::memory_order_relaxed);
    st.sheaf_lock.lock();
    ++st.sheaf_pages;
    for (unsigned off = SHEAF_BYTES; off < PAGE_SIZE; off += SHEAF_BYTES) {
      Sheaf* c = reinterpret_cast<Sheaf*>(base + off);
      c->next = st.sheaf_free;
      st.sheaf_free = c;
    }
    st.sheaf_lock.unlock();
    sh = reinterpret_cast<Sheaf*>(base);
  }
  sh->size = 0;
  sh->capacity = capacity;
  sh->zero_ = 0;
  sh->next = nullptr;
  return sh;
}

void sheaf_free(Kernel& k, Sheaf* sh) {
  if (sh == nullptr || is_empty_sheaf(k, sh)) return;
  SlabState& st = I::state(k);
  st.sheaf_lock.lock();
  sh->next = st.sheaf_free;
  st.sheaf_free = sh;
  st.sheaf_lock.unlock();
}

// ---- cache geometry (calculate_alignment, calculate_sizes, calculate_order) -------------

unsigned calculate_alignment(slab_flags_t flags, unsigned align, unsigned size) {
  if (flags & SLAB_HWCACHE_ALIGN) {
    unsigned ralign = CACHE_LINE;
    while (size <= ralign / 2) ralign /= 2;
    align = max_t(align, ralign);
  }
  align = max_t(align, 8u);  // arch_slab_minalign()
  return unsigned(align_up(align, sizeof(void*)));
}

unsigned order_objects(unsigned order, unsigned size) {
  return unsigned((PAGE_SIZE << order) / size);
}

unsigned calc_slab_order(unsigned size, unsigned min_order, unsigned max_order, unsigned fract) {
  unsigned order;
  for (order = min_order; order <= max_order; ++order) {
    unsigned long slab_size = PAGE_SIZE << order;
    if (slab_size % size <= slab_size / fract) break;
  }
  return order;
}

int calculate_order(const Kernel& k, unsigned size) {
  const unsigned max_order = unsigned(k.options().slub_max_order);
  const unsigned min_order_opt = unsigned(k.options().slub_min_order);
  unsigned min_objects = I::state(k).min_objects;
  unsigned max_objects = max_t(order_objects(max_order, size), 1u);
  min_objects = min_t(min_objects, max_objects);
  unsigned min_order = max_t(min_order_opt, get_order(u64(min_objects) * size));
  if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
    return int(get_order(u64(size) * MAX_OBJS_PER_PAGE)) - 1;
  for (unsigned fraction = 16; fraction > 1; fraction /= 2) {
    unsigned order = calc_slab_order(size, min_order, max_order, fraction);
    if (order <= max_order) return int(order);
  }
  unsigned order = get_order(size);
  return order <= MAX_PAGE_ORDER ? int(order) : -1;
}

// Fills in the layout of s (slab.h's picture). False if no slab can hold one object.
bool calculate_sizes(const Kernel& k, KmemCache* s, const KmemCacheArgs* args) {
  const slab_flags_t flags = s->flags;
  unsigned size = unsigned(align_up(s->object_size, sizeof(void*)));
  if ((flags & SLAB_POISON) && !(flags & SLAB_TYPESAFE_BY_RCU) && s->ctor == nullptr)
    s->flags |= SLAB_OBJECT_POISON;
  else s->flags &= ~SLAB_OBJECT_POISON;
  if ((flags & SLAB_RED_ZONE) && size == s->object_size) size += sizeof(void*);
  s->inuse = size;
  const bool kmalloc_orig =
      (flags & SLAB_KMALLOC) && (flags & SLAB_STORE_USER) && (flags & SLAB_RED_ZONE);
  const bool use_freeptr = args != nullptr && args->use_freeptr_offset;
  if (((flags & SLAB_TYPESAFE_BY_RCU) && !use_freeptr) || (flags & SLAB_POISON) ||
      s->ctor != nullptr ||
      ((flags & SLAB_RED_ZONE) && (s->object_size < sizeof(void*) || kmalloc_orig))) {
    s->offset = size;
    size += sizeof(void*);
  } else if (use_freeptr) {
    s->offset = args->freeptr_offset;
  } else {
    s->offset = unsigned(align_down(s->object_size / 2, sizeof(void*)));
  }
  if (flags & SLAB_STORE_USER) {
    size += 2 * unsigned(sizeof(SlabTrack));
    if (flags & SLAB_KMALLOC) size += sizeof(unsigned long);  // word-aligned metadata (6.18)
  }
  s->red_left_pad = 0;
  if (flags & SLAB_RED_ZONE) {
    size += sizeof(void*);
    s->red_left_pad = unsigned(align_up(sizeof(void*), s->align));
    size += s->red_left_pad;
  }
  size = unsigned(align_up(size, s->align));
  s->size = size;
  s->reciprocal_size = u32(((1ULL << 32) + size - 1) / size);
  int order = calculate_order(k, size);
  if (order < 0) return false;
  s->order = unsigned(order);
  s->objects = order_objects(s->order, size);
  s->min_order = get_order(size);
  s->min_objects = order_objects(s->min_order, size);
  s->allocflags = gfp::COMP;
  if (flags & SLAB_CACHE_DMA) s->allocflags |= gfp::DMA;
  if (flags & SLAB_CACHE_DMA32) s->allocflags |= gfp::DMA32;
  if (flags & SLAB_RECLAIM_ACCOUNT) s->allocflags |= gfp::RECLAIMABLE;
  s->min_partial = clamp_t<unsigned long>(ilog2(size) / 2, MIN_PARTIAL, MAX_PARTIAL);
  // Slab pages are naturally aligned buddy blocks in a direct map aligned to
  // 1 GiB, so with a power-of-two stride filling both slab orders exactly,
  // an address is an object start iff it is size-aligned.
  const bool exact = (size & (size - 1)) == 0 && s->red_left_pad == 0 &&
                     size_t(s->objects) * size == PAGE_SIZE << s->order &&
                     size_t(s->min_objects) * size == PAGE_SIZE << s->min_order;
  s->free_mask = exact ? size - 1 : 0;
  return s->objects != 0;
}

unsigned default_sheaf_capacity(unsigned size) {
  // 7.0's defaults (60/26/12/4 by object size) rounded up to fill the chunk
  // as calculate_sheaf_capacity rounds up to a kmalloc bucket.
  if (size < 256) return SHEAF_MAX_CAPACITY;  // 61
  if (size < 1024) return 30;
  if (size < PAGE_SIZE) return 14;
  return 6;
}

size_t cache_bytes(const Kernel& k) {
  return align_up(sizeof(KmemCache), CACHE_LINE) + k.nr_cpus() * sizeof(CacheCpu) +
         size_t(k.nr_node_ids()) * align_up(sizeof(CacheNode), CACHE_LINE);
}

void init_cache_struct(Kernel& k, KmemCache* s, void* mem) {
  u8* p = static_cast<u8*>(mem) + CACHE_CPU_OFFSET;
  s->cpu = reinterpret_cast<CacheCpu*>(p);
  MM_ASSERT(&cache_cpu(s, 0) == s->cpu);
  for (unsigned c = 0; c < k.nr_cpus(); ++c) {
    CacheCpu* pc = new (&s->cpu[c]) CacheCpu();
    pc->main = empty_sheaf(k);
    pc->spare = nullptr;
  }
  p += k.nr_cpus() * sizeof(CacheCpu);
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    CacheNode* n = new (p) CacheNode();
    n->partial.init();
    n->full.init();
    s->node[nid] = n;
    p += align_up(sizeof(CacheNode), CACHE_LINE);
  }
}

// ---- slabs ------------------------------------------------------------------------------

unsigned gcd(unsigned a, unsigned b) {
  while (b != 0) {
    unsigned t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// Threads a new slab's free objects in a shuffled order: a random start
// and a random stride coprime to the object count visit every index once
// (kmem's stand-in for CONFIG_SLAB_FREELIST_RANDOM's precomputed sequence).
void thread_freelist(Kernel& k, KmemCache* s, Page* slab, u8* base, unsigned objects) {
  u64 r = splitmix(I::state(k).seed);
  unsigned start = unsigned(r % objects);
  unsigned stride = 1;
  if (objects > 2) {
    stride = unsigned((r >> 32) % (objects - 1)) + 1;
    while (gcd(stride, objects) != 1) stride = stride % (objects - 1) + 1;
  }
  void* first = nullptr;
  void* prev = nullptr;
  unsigned idx = start;
  for (unsigned i = 0; i < objects; ++i) {
    void* obj = base + size_t(idx) * s->size + s->red_left_pad;
    if (prev == nullptr) first = obj;
    else set_freepointer(s, prev, obj);
    prev = obj;
    idx += stride;
    if (idx >= objects) idx -= objects;
  }
  set_freepointer(s, prev, nullptr);
  slab->private_ = reinterpret_cast<uintptr_t>(first);
}

// allocate_slab + new_slab: a slab of s from the page allocator with the
// caller's reclaim flags and the cache's zone and migratetype, objects
// constructed and threaded. Called with no lock held; may sleep.
Page* new_slab(Kernel& k, KmemCache* s, gfp_t gfp, int nid, unsigned cpu) {
  if (gfp & gfp::SLAB_BUG_MASK) gfp = I::kmalloc_fix_flags(k, gfp);
  if (s->ctor != nullptr && (gfp & gfp::ZERO) &&
      !I::state(k).warned_ctor_zero.exchange(true, std::memory_order_relaxed)) {
    char buf[256];
    size_t n = format(buf, sizeof buf,
                      "------------[ cut here ]------------\n"
                      "WARNING: CPU: %u PID: %d at mm/slub.c:2637 new_slab+0x0/0x0\n"
                      "__GFP_ZERO allocation from cache %s, which has a constructor\n",
                      k.current_cpu(), k.current_pid(), s->name);
    k.report_bug(BUG_WARN, buf, n);
  }
  gfp &= gfp::RECLAIM_MASK | gfp::CONSTRAINT_MASK;
  gfp_t try_gfp = (gfp | gfp::NOWARN | gfp::NORETRY) & ~gfp::NOFAIL;
  if ((try_gfp & gfp::DIRECT_RECLAIM) && s->order > s->min_order)
    try_gfp = (try_gfp | gfp::NOMEMALLOC) & ~gfp::RECLAIM;
  unsigned order = s->order, objects = s->objects;
  Page* page = k.alloc_pages(try_gfp | s->allocflags, order, nid);
  if (page == nullptr && s->order != s->min_order) {
    order = s->min_order;
    objects = s->min_objects;
    page = k.alloc_pages(gfp | s->allocflags, order, nid);
    if (page != nullptr) stat(s, cpu, ORDER_FALLBACK);
  }
  if (page == nullptr) return nullptr;
  page->set_flags(page->flags_relaxed() | PG_slab);
  page->owner = s;
  // Tail pages carry PG_slab and the cache too, so that kfree() finds the
  // cache without going through the head page first (the head is still
  // where the slab's state lives).
  // The node too: the free fast path compares it with the CPU's.
  const u8 nid_of_slab = u8(k.page_zone(page)->pgdat->node_id);
  for (unsigned long i = 1; i < (1UL << order); ++i) {
    page[i].set_flags(PG_slab);
    page[i].owner = s;
    page[i].slab_nid = nid_of_slab;
  }
  page->lru.init();
  page->slab_nid = nid_of_slab;
  page->slab_objects = u16(objects);
  set_counters(page, 0, SLAB_ON_NONE);
  page->order = u8(order);
  u8* base = static_cast<u8*>(slab_base(k, page));
  if (s->flags & SLAB_DEBUG_FLAGS) slab_debug_init_slab(k, s, page, base);
  if (s->ctor != nullptr)
    for (unsigned i = 0; i < objects; ++i) s->ctor(base + size_t(i) * s->size + s->red_left_pad);
  thread_freelist(k, s, page, base, objects);
  Node* node = k.page_zone(page)->pgdat;
  node->vm_stat[(s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE]
      .fetch_add(long(1) << order, std::memory_order_relaxed);
  stat(s, cpu, ALLOC_SLAB);
  return page;
}

void free_slab_pages(Kernel& k, KmemCache* s, Page* slab) {
  const unsigned order = slab->order;
  Node* node = k.page_zone(slab)->pgdat;
  node->vm_stat[(s->flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE]
      .fetch_sub(long(1) << order, std::memory_order_relaxed);
  slab->set_flags(slab->flags_relaxed() & ~PG_slab);
  for (unsigned long i = 1; i < (1UL << order); ++i) {
    slab[i].set_flags(0);
    slab[i].owner = nullptr;
    slab[i].slab_nid = 0;
  }
  slab->private_ = 0;
  slab->spare1 = 0;
  slab->slab_nid = 0;
  slab->slab_objects = 0;
  k.free_pages(slab, order);
}

#ifdef KMEM_HAVE_RCU
void rcu_free_slab(RcuHead* head) {
  Page* slab = reinterpret_cast<Page*>(reinterpret_cast<u8*>(head) - __builtin_offsetof(Page, lru));
  KmemCache* s = slab_cache(slab);
  free_slab_pages(*s->kernel, s, slab);
}
#endif

// discard_slab: the slab is off every list and empty. SLAB_TYPESAFE_BY_RCU
// slabs go back only after a grace period (lockless readers may still look
// at their objects).
void discard_slab(Kernel& k, KmemCache* s, Page* slab) {
  stat(s, k.current_cpu(), FREE_SLAB);
#ifdef KMEM_HAVE_RCU
  if (s->flags & SLAB_TYPESAFE_BY_RCU) {
    static_assert(sizeof(RcuHead) <= sizeof(ListHead));
    k.call_rcu(reinterpret_cast<RcuHead*>(&slab->lru), rcu_free_slab);
    return;
  }
#endif
  free_slab_pages(k, s, slab);
}

void list_move_to(CacheNode* n, Page* slab, unsigned to) {
  unsigned from = slab_on_list(slab);
  if (from == to) return;
  if (from != SLAB_ON_NONE) {
    slab->lru.del();
    if (from == SLAB_ON_PARTIAL) --n->nr_partial;
    else --n->nr_full;
  }
  if (to == SLAB_ON_PARTIAL) {
    n->partial.add_tail(&slab->lru);
    ++n->nr_partial;
  } else if (to == SLAB_ON_FULL) {
    n->full.add(&slab->lru);
    ++n->nr_full;
  }
  set_on_list(slab, to);
}

// Takes objects from slab's freelist into out; under n->list_lock.
unsigned take_from_slab(Kernel& k, KmemCache* s, CacheNode* n, Page* slab, void** out,
                        unsigned want, uintptr_t caller, unsigned orig_size) {
  unsigned got = 0;
  void* obj = slab_freelist(slab);
  unsigned inuse = slab_inuse(slab);
  const bool debug = s->flags & SLAB_DEBUG_FLAGS;
  while (obj != nullptr && got < want) {
    void* next = get_freepointer(s, obj);
    if (debug && !slab_debug_alloc(k, s, slab, obj, caller, orig_size)) {
      // Corrupt: Linux marks every object used so the slab is never
      // touched again ("Marking all objects used").
      n->free_objects -= slab_objects(slab) - inuse;
      inuse = slab_objects(slab);
      obj = nullptr;
      break;
    }
    out[got++] = obj;
    ++inuse;
    obj = next;
  }
  slab->private_ = reinterpret_cast<uintptr_t>(obj);
  set_inuse(slab, inuse);
  n->free_objects -= got;
  list_move_to(n, slab, obj == nullptr ? SLAB_ON_FULL : SLAB_ON_PARTIAL);
  return got;
}

void report_double_free(Kernel& k, KmemCache* s, const void* obj) {
  char buf[512];
  size_t n = format(buf, sizeof buf,
                    "kernel BUG at mm/slub.c:450!\n"
                    "Oops: invalid opcode: 0000 [#1] SMP NOPTI\n"
                    "slab %s: double free of object 0x%lx detected (it is the object freed last "
                    "on CPU %u: CONFIG_SLAB_FREELIST_HARDENED's naive check)\n",
                    s->name, reinterpret_cast<unsigned long>(obj), k.current_cpu());
  k.report_bug(BUG_BAD_FREE, buf, n);
}

int local_node(Kernel& k) { return k.cpu_to_node(k.current_cpu()); }

// SLUB: Unable to allocate memory (slab_out_of_memory), rate limited.
void slab_out_of_memory(Kernel& k, KmemCache* s, gfp_t gfp, int nid) {
  if (gfp & gfp::NOWARN) return;
  SlabState& st = I::state(k);
  u64 now = k.platform().now_ns(k.platform().ctx);
  u64 last = st.last_nomem_warn_ns.load(std::memory_order_relaxed);
  if (last != 0 && now - last < 5'000'000'000ULL) return;
  if (!st.last_nomem_warn_ns.compare_exchange_strong(last, now)) return;
  char g[160];
  format_gfp(g, sizeof g, gfp);
  k.printk(LogLevel::warning,
           "SLUB: Unable to allocate memory on CPU %u (of node %d) on node %d, gfp=%#x(%s)",
           k.current_cpu(), local_node(k), nid, gfp, g);
  k.printk(LogLevel::warning,
           "  cache: %s, object size: %u, buffer size: %u, default order: %u, "
           "min order: %u",
           s->name, s->object_size, s->size, s->order, s->min_order);
  for (int i = 0; i < k.nr_node_ids(); ++i) {
    CacheNode* n = s->node[i];
    n->list_lock.lock();
    unsigned long slabs = n->nr_slabs, objs = n->total_objects, free = n->free_objects;
    n->list_lock.unlock();
    k.printk(LogLevel::warning, "  node %d: slabs: %lu, objs: %lu, free: %lu", i, slabs, objs,
             free);
  }
}

}  // namespace

unsigned SlabOps::refill_objects(Kernel& k, KmemCache* s, void** out, unsigned want, gfp_t gfp,
                                 int nid, uintptr_t caller, unsigned orig_size) {
  const int home = nid == NUMA_NO_NODE ? local_node(k) : nid;
  unsigned got = 0;
  // Partial slabs of the home node, then (unless __GFP_THISNODE or a node
  // was asked for) of the others, as get_any_partial does.
  for (int i = 0; i < k.nr_node_ids() && got < want; ++i) {
    int node_id = (home + i) % k.nr_node_ids();
    if (i > 0 && (nid != NUMA_NO_NODE || (gfp & gfp::THISNODE))) break;
    CacheNode* n = s->node[node_id];
    n->list_lock.lock();
    while (got < want && !n->partial.empty()) {
      Page* slab = lru_to_page(n->partial.next);
      got += take_from_slab(k, s, n, slab, out + got, want - got, caller, orig_size);
    }
    n->list_lock.unlock();
    if (i == 0 && got > 0) break;  // a partial fill from the home node is enough
  }
  if (got > 0) return got;
  Page* slab = new_slab(k, s, gfp, nid, k.current_cpu());
  if (slab == nullptr) {
    slab_out_of_memory(k, s, gfp, nid);
    return 0;
  }
  CacheNode* n = s->node[slab_nid(k, slab)];
  n->list_lock.lock();
  ++n->nr_slabs;
  n->total_objects += slab_objects(slab);
  n->free_objects += slab_objects(slab);
  got = take_from_slab(k, s, n, slab, out, want, caller, orig_size);
  n->list_lock.unlock();
  return got;
}

void SlabOps::free_to_slabs(Kernel& k, KmemCache* s, void** objs, unsigned count,
                            uintptr_t caller) {
  CacheNode* locked = nullptr;
  Page* discard = nullptr;  // singly linked through lru.next
  const bool debug = s->flags & SLAB_DEBUG_FLAGS;
  for (unsigned i = 0; i < count; ++i) {
    void* obj = objs[i];
    Page* slab = k.virt_to_page(obj)->head();
    CacheNode* n = s->node[slab_nid(k, slab)];
    if (n != locked) {
      if (locked != nullptr) locked->list_lock.unlock();
      n->list_lock.lock();
      locked = n;
    }
    if (debug && !slab_debug_free(k, s, slab, obj, caller)) continue;
    if (__builtin_expect(obj == slab_freelist(slab), 0)) {
      // set_freepointer's naive check: freeing the slab's first free object.
      locked->list_lock.unlock();
      locked = nullptr;
      report_double_free(k, s, obj);
      continue;
    }
    set_freepointer(s, obj, slab_freelist(slab));
    slab->private_ = reinterpret_cast<uintptr_t>(obj);
    unsigned inuse = slab_inuse(slab) - 1;
    set_inuse(slab, inuse);
    ++n->free_objects;
    if (inuse == 0 && n->nr_partial >= s->min_partial) {
      // slab_empty: hand the pages back.
      list_move_to(n, slab, SLAB_ON_NONE);
      --n->nr_slabs;
      n->total_objects -= slab_objects(slab);
      n->free_objects -= slab_objects(slab);
      slab->lru.next = reinterpret_cast<ListHead*>(discard);
      discard = slab;
    } else if (slab_on_list(slab) != SLAB_ON_PARTIAL) {
      list_move_to(n, slab, SLAB_ON_PARTIAL);
    }
  }
  if (locked != nullptr) locked->list_lock.unlock();
  while (discard != nullptr) {
    Page* next = reinterpret_cast<Page*>(discard->lru.next);
    discard->lru.init();
    discard_slab(k, s, discard);
    discard = next;
  }
}

// ---- allocation ------------------------------------------------------------------------

namespace {

// __GFP_ZERO's extent (slab_post_alloc_hook): a debug kmalloc cache keeps
// the bytes beyond the request as its kmalloc red zone.
unsigned zero_size(const KmemCache* s, unsigned orig_size) {
  if ((s->flags & SLAB_KMALLOC) && (s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE)) && orig_size)
    return orig_size;
  return s->object_size;
}

// The slow path of an allocation from a CPU that owns its slot: called
// inside the slot with main empty; returns outside it.
void* alloc_from_pcs_slow(Kernel& k, KmemCache* s, CpuRef c, gfp_t gfp, uintptr_t caller) {
  CacheCpu& pc = s->cpu[c.cpu];
  stat(s, c.cpu, ALLOC_SLOWPATH);
  Sheaf* spare = pc.spare;
  if (spare != nullptr && spare->size > 0) {
    // main may be the placeholder (no sheaf yet, or another thread sharing
    // the slot in the locked mode is refilling it): never make it the spare,
    // or a later free would write into the placeholder.
    pc.spare = is_empty_sheaf(k, pc.main) ? nullptr : pc.main;
    pc.main = spare;
    void* obj = spare->objects[--spare->size];
    pcs_leave(k, s, c);
    return obj;
  }
  // The barn of this CPU's node.
  CacheNode* n = s->node[k.cpu_to_node(c.cpu)];
  {
    n->barn_lock.lock();
    Sheaf* full = n->barn_full;
    if (full != nullptr) {
      n->barn_full = full->next;
      --n->nr_barn_full;
      Sheaf* old = pc.main;  // empty
      Sheaf* to_free = nullptr;
      if (!is_empty_sheaf(k, old)) {
        if (pc.spare == nullptr) pc.spare = old;
        else to_free = barn_put_empty_locked(n, old);
      }
      n->barn_lock.unlock();
      pc.main = full;
      void* obj = full->objects[--full->size];
      stat(s, c.cpu, BARN_GET);
      pcs_leave(k, s, c);
      sheaf_free(k, to_free);
      return obj;
    }
    n->barn_lock.unlock();
  }
  stat(s, c.cpu, BARN_GET_FAIL);
  // Refill: take the main sheaf out of the CPU (an empty placeholder stands
  // in), fill it from the slabs without the slot, then put it back.
  Sheaf* sh = pc.main;
  pc.main = empty_sheaf(k);
  pcs_leave(k, s, c);
  if (is_empty_sheaf(k, sh)) {
    sh = sheaf_alloc(k, s->sheaf_capacity, gfp);
    if (sh == nullptr) {
      void* obj = nullptr;
      return I::refill_objects(k, s, &obj, 1, gfp, NUMA_NO_NODE, caller, s->object_size) ? obj
                                                                                         : nullptr;
    }
  }
  unsigned got =
      I::refill_objects(k, s, sh->objects, sh->capacity, gfp, NUMA_NO_NODE, caller, s->object_size);
  stat(s, c.cpu, SHEAF_REFILL);
  if (got == 0) {
    sh->size = 0;
    if (pcs_enter(k, s, c)) {
      if (is_empty_sheaf(k, pc.main)) pc.main = sh, sh = nullptr;
      pcs_leave(k, s, c);
    }
    sheaf_free(k, sh);
    return nullptr;
  }
  sh->size = got;
  void* obj = sh->objects[--sh->size];
  if (pcs_enter(k, s, c)) {
    if (is_empty_sheaf(k, pc.main)) {
      pc.main = sh;
      sh = nullptr;
    }
    pcs_leave(k, s, c);
  }
  if (sh != nullptr) {  // a remote drain got in: give the objects back
    I::free_to_slabs(k, s, sh->objects, sh->size, caller);
    sheaf_free(k, sh);
  }
  return obj;
}

}  // namespace

void* Kernel::slab_alloc_slow(KmemCache* s, gfp_t gfp, int nid, const void* caller,
                              unsigned orig_size, CpuRef c, bool entered) {
  if (gfpflags_allow_blocking(gfp)) gfp = current_gfp_context(gfp);
  void* obj = nullptr;
  if (entered) take_stock(*this, s->cpu[c.cpu]);
  if (entered && s->bypass_sheaves) {  // the inline path does not test it
    pcs_leave(*this, s, c);
    entered = false;
  }
  if (entered) {
    obj = alloc_from_pcs_slow(*this, s, c, gfp, reinterpret_cast<uintptr_t>(caller));
  } else if (!s->bypass_sheaves && (nid == NUMA_NO_NODE || nid == cpu_to_node(c.cpu)) &&
             pcs_enter(*this, s, c)) {
    // No node, or this CPU's, and the inline path could not enter (a node
    // was asked for, the thread has no fast slot or a remote CPU was inside):
    // the sheaves serve it.
    CacheCpu& pc = s->cpu[c.cpu];
    Sheaf* m = pc.main;
    if (m->size != 0) {
      obj = m->objects[--m->size];
      pc.stat[ALLOC_FASTPATH].add(1);
      pcs_leave(*this, s, c);
    } else {
      obj = alloc_from_pcs_slow(*this, s, c, gfp, reinterpret_cast<uintptr_t>(caller));
    }
  } else {
    stat(s, c.cpu, ALLOC_SLOWPATH);
    if (!I::refill_objects(*this, s, &obj, 1, gfp, nid, reinterpret_cast<uintptr_t>(caller),
                           orig_size ? orig_size : s->object_size))
      obj = nullptr;
  }
  if (__builtin_expect(obj != nullptr && (gfp & gfp::ZERO), 0))
    mem_set(obj, 0, zero_size(s, orig_size));
  return obj;
}

// ---- free -------------------------------------------------------------------------------

// kmalloc_fix_flags: slab memory never takes __GFP_DMA32, __GFP_HIGHMEM or
// unknown bits.
gfp_t SlabOps::kmalloc_fix_flags(Kernel& k, gfp_t gfp) {
  const gfp_t invalid = gfp & gfp::SLAB_BUG_MASK;
  const gfp_t fixed = gfp & ~gfp::SLAB_BUG_MASK;
  char a[160], b[160];
  format_gfp(a, sizeof a, invalid);
  format_gfp(b, sizeof b, fixed);
  char comm[32];
  k.current_comm(comm, sizeof comm);
  char buf[640];
  size_t n = format(buf, sizeof buf,
                    "Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!\n"
                    "CPU: %u UID: 0 PID: %d Comm: %s Not tainted 6.18.0-kmem #1\n"
                    "Call Trace:\n <TASK>\n  dump_stack_lvl+0x0/0x0\n  kmalloc_fix_flags+0x0/0x0\n"
                    " </TASK>\n",
                    invalid, a, fixed, b, k.current_cpu(), k.current_pid(), comm);
  k.report_bug(BUG_WARN, buf, n);
  return fixed;
}

void SlabOps::report_invalid_free(Kernel& k, const void* p, const char* why) {
  char buf[512];
  size_t n = format(buf, sizeof buf,
                    "------------[ cut here ]------------\n"
                    "WARNING: CPU: %u PID: %d at mm/slub.c:4694 kfree+0x0/0x0\n"
                    "kfree(0x%lx): %s\n"
                    "---[ end trace 0000000000000000 ]---\n",
                    k.current_cpu(), k.current_pid(), reinterpret_cast<unsigned long>(p), why);
  k.report_bug(BUG_BAD_FREE, buf, n);
}

bool SlabOps::check_object_pointer(Kernel& k, KmemCache* s, Page* slab, const void* obj) {
  if (__builtin_expect(k.slab_object_ok(s, slab, obj), 1)) return true;
  if (s->flags & SLAB_CONSISTENCY_CHECKS) {  // slub_debug=F: Linux's own report
    slab_err(k, s, slab, "Invalid object pointer 0x%016lx", reinterpret_cast<unsigned long>(obj));
    return false;
  }
  // Without debugging Linux would corrupt the freelist; kmem refuses the free.
  char buf[384];
  size_t n = format(buf, sizeof buf,
                    "------------[ cut here ]------------\n"
                    "WARNING: CPU: %u PID: %d at mm/slub.c:4694 kfree+0x0/0x0\n"
                    "slab %s: Invalid object pointer 0x%016lx (not the start of an object; "
                    "objects are %u bytes apart): the free is ignored\n"
                    "---[ end trace 0000000000000000 ]---\n",
                    k.current_cpu(), k.current_pid(), s->name, reinterpret_cast<unsigned long>(obj),
                    s->size);
  k.report_bug(BUG_BAD_FREE, buf, n);
  return false;
}

namespace {

// Outside the slot, with the CPU's main sheaf the empty placeholder: a new
// sheaf from the pool (never blocks) becomes main holding obj; without one
// (or when a remote drain got in) obj goes straight to its slab.
void free_into_new_main(Kernel& k, KmemCache* s, CpuRef c, void* obj) {
  CacheCpu& pc = s->cpu[c.cpu];
  Sheaf* sh = sheaf_alloc(k, s->sheaf_capacity, gfp::NOWAIT);
  if (sh != nullptr && pcs_enter(k, s, c)) {
    if (is_empty_sheaf(k, pc.main)) {
      sh->objects[sh->size++] = obj;
      pc.main = sh;
      pcs_leave(k, s, c);
      return;
    }
    pcs_leave(k, s, c);
  }
  sheaf_free(k, sh);
  I::free_to_slabs(k, s, &obj, 1, 0);
}

// Free slow path inside the slot with main full; returns outside it.
void free_to_pcs_slow(Kernel& k, KmemCache* s, CpuRef c, void* obj) {
  CacheCpu& pc = s->cpu[c.cpu];
  stat(s, c.cpu, FREE_SLOWPATH);
  Sheaf* m = pc.main;
  if (is_empty_sheaf(k, m)) {  // no sheaf yet
    pcs_leave(k, s, c);
    free_into_new_main(k, s, c, obj);
    return;
  }
  Sheaf* spare = pc.spare;
  if (spare != nullptr && spare->size == 0) {
    pc.spare = m;
    pc.main = spare;
    spare->objects[spare->size++] = obj;
    pcs_leave(k, s, c);
    return;
  }
  CacheNode* n = s->node[k.cpu_to_node(c.cpu)];
  n->barn_lock.lock();
  if (n->nr_barn_full < MAX_BARN_SHEAVES) {
    Sheaf* empty = n->barn_empty;
    if (empty != nullptr) {
      n->barn_empty = empty->next;
      --n->nr_barn_empty;
    } else if (spare == nullptr || spare->size == spare->capacity) {
      // Trade main for the spare's place; a new empty comes from the pool.
      empty = nullptr;
    }
    m->next = n->barn_full;
    n->barn_full = m;
    ++n->nr_barn_full;
    n->barn_lock.unlock();
    stat(s, c.cpu, BARN_PUT);
    if (empty == nullptr) {
      pc.main = empty_sheaf(k);
      pcs_leave(k, s, c);
      free_into_new_main(k, s, c, obj);
      return;
    }
    empty->size = 0;
    empty->capacity = s->sheaf_capacity;
    empty->objects[empty->size++] = obj;
    pc.main = empty;
    pcs_leave(k, s, c);
    return;
  }
  n->barn_lock.unlock();
  stat(s, c.cpu, BARN_PUT_FAIL);
  // Flush a batch from main to the slabs, outside the slot.
  void* batch[PCS_BATCH_MAX + 1];
  unsigned nb = min_t(unsigned(PCS_BATCH_MAX), unsigned(m->size));
  m->size -= nb;
  mem_copy(batch, m->objects + m->size, nb * sizeof(void*));
  m->objects[m->size++] = obj;
  pcs_leave(k, s, c);
  stat(s, c.cpu, SHEAF_FLUSH, nb);
  I::free_to_slabs(k, s, batch, nb, 0);
}

}  // namespace

namespace {

void report_wrong_cache(Kernel& k, const KmemCache* s, const KmemCache* real) {
  char buf[256];
  size_t n = format(buf, sizeof buf,
                    "------------[ cut here ]------------\n"
                    "kmem_cache_free: Wrong slab cache. %s but object is from %s\n"
                    "WARNING: CPU: %u PID: %d at mm/slub.c:4606 kmem_cache_free+0x0/0x0\n",
                    s ? s->name : "(null)", real->name, k.current_cpu(), k.current_pid());
  k.report_bug(BUG_BAD_FREE, buf, n);
}

}  // namespace

void Kernel::slab_free_slow(KmemCache* s, Page* slab, void* obj, CpuRef c, bool entered) {
  if (!slab_object_ok(s, slab, obj)) {
    I::check_object_pointer(*this, s, slab, obj);  // reports
    return;
  }
  if (entered) take_stock(*this, s->cpu[c.cpu]);
  if (entered && s->bypass_sheaves) {  // the inline path does not test it
    pcs_leave(*this, s, c);
    entered = false;
  }
  // Not entered by the inline path: a thread without a fast slot (a shared
  // slot, or the locked mode) still uses the sheaves when it can enter.
  if (!entered && !s->bypass_sheaves &&
      (nr_nodes_ == 1 || int(slab->slab_nid) == cpu_to_node(c.cpu)) && pcs_enter(*this, s, c))
    entered = true;
  if (entered) {
    CacheCpu& pc = s->cpu[c.cpu];
    Sheaf* m = pc.main;
    if (m->size != 0 && m->objects[m->size - 1] == obj) {
      pcs_leave(*this, s, c);
      report_double_free(*this, s, obj);
      return;
    }
    if (m->size < m->capacity) {
      m->objects[m->size++] = obj;
      pc.stat[FREE_FASTPATH].add(1);
      pcs_leave(*this, s, c);
      return;
    }
    free_to_pcs_slow(*this, s, c, obj);
    return;
  }
  stat(s, c.cpu, FREE_SLOWPATH);
  I::free_to_slabs(*this, s, &obj, 1, reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
}

void Kernel::kmem_cache_free_slow(KmemCache* s, void* obj) {
  if (obj == nullptr) return;
  Page* slab = I::virt_to_slab(*this, obj);
  if (slab == nullptr) {
    I::report_invalid_free(*this, obj, "kmem_cache_free of an object that is not in a slab");
    return;
  }
  KmemCache* real = slab_cache(slab);
  if (real != s) report_wrong_cache(*this, s, real);
  slab_free_fast(real, slab, obj);
}

void Kernel::kfree_slow(const void* p) {
  if (zero_or_null_ptr(p)) return;
  Page* head = I::virt_to_head_page(*this, p);
  if (head == nullptr) {
    I::report_invalid_free(*this, p, "address outside the direct map (stack, vmalloc, static?)");
    return;
  }
  if (head->flags_relaxed() & PG_slab) {
    slab_free_fast(slab_cache(head), head, const_cast<void*>(p));
    return;
  }
  I::large_kmalloc_free(*this, head, p);
}

// ---- bulk -------------------------------------------------------------------------------

namespace {

// Takes up to want objects out of the node's full barn sheaves; returns
// how many. Emptied sheaves go back to the barn's empty list.
size_t barn_take_objects(Kernel& k, KmemCache* s, int nid, void** out, size_t want) {
  CacheNode* n = s->node[nid];
  size_t got = 0;
  while (got < want) {
    n->barn_lock.lock();
    Sheaf* full = n->barn_full;
    if (full == nullptr) {
      n->barn_lock.unlock();
      break;
    }
    size_t take = min_t(size_t(full->size), want - got);
    full->size -= unsigned(take);
    mem_copy(out + got, full->objects + full->size, take * sizeof(void*));
    got += take;
    Sheaf* to_free = nullptr;
    if (full->size == 0) {
      n->barn_full = full->next;
      --n->nr_barn_full;
      to_free = barn_put_empty_locked(n, full);
    }
    n->barn_lock.unlock();
    sheaf_free(k, to_free);
  }
  return got;
}

// Puts whole sheaves of objects (all of s, on node nid) into the node's
// barn while it has room; returns how many objects went in.
size_t barn_put_objects(Kernel& k, KmemCache* s, int nid, void** objs, size_t n) {
  CacheNode* node = s->node[nid];
  const unsigned cap = s->sheaf_capacity;
  size_t put = 0;
  while (n - put >= cap) {
    node->barn_lock.lock();
    if (node->nr_barn_full >= MAX_BARN_SHEAVES) {
      node->barn_lock.unlock();
      break;
    }
    Sheaf* sh = node->barn_empty;
    if (sh != nullptr) {
      node->barn_empty = sh->next;
      --node->nr_barn_empty;
    }
    node->barn_lock.unlock();
    if (sh == nullptr && (sh = sheaf_alloc(k, cap, gfp::NOWAIT)) == nullptr) break;
    sh->capacity = cap;
    sh->size = cap;
    mem_copy(sh->objects, objs + put, cap * sizeof(void*));
    node->barn_lock.lock();
    if (node->nr_barn_full < MAX_BARN_SHEAVES) {
      sh->next = node->barn_full;
      node->barn_full = sh;
      ++node->nr_barn_full;
      node->barn_lock.unlock();
      put += cap;
      continue;
    }
    node->barn_lock.unlock();  // another CPU filled the barn meanwhile
    sheaf_free(k, sh);
    break;
  }
  return put;
}

}  // namespace

int Kernel::kmem_cache_alloc_bulk(KmemCache* s, gfp_t gfp, size_t count, void** p) {
  if (count == 0) return 0;
  if (gfpflags_allow_blocking(gfp)) {
    gfp = current_gfp_context(gfp);
    might_sleep("include/linux/sched/mm.h", 321);
  }
  size_t i = 0;
  const CpuRef c = this_cpu();
  if (!s->bypass_sheaves && pcs_enter(*this, s, c)) {
    CacheCpu& pc = s->cpu[c.cpu];
    for (Sheaf* sh : {pc.main, pc.spare}) {
      // (Never writes the shared empty placeholder: size 0 is skipped.)
      if (sh == nullptr || i == count || sh->size == 0) continue;
      size_t take = min_t(size_t(sh->size), count - i);
      sh->size -= unsigned(take);
      mem_copy(p + i, sh->objects + sh->size, take * sizeof(void*));
      i += take;
    }
    pc.stat[ALLOC_FASTPATH].add(i);
    pcs_leave(*this, s, c);
  }
  // Then whole full sheaves from this node's barn: a copy of pointers each.
  if (!s->bypass_sheaves && i < count)
    i += barn_take_objects(*this, s, cpu_to_node(c.cpu), p + i, count - i);
  const uintptr_t caller = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  while (i < count) {
    unsigned want = unsigned(min_t(count - i, size_t(1) << 20));
    unsigned got =
        I::refill_objects(*this, s, p + i, want, gfp, NUMA_NO_NODE, caller, s->object_size);
    if (got == 0) {
      kmem_cache_free_bulk(s, i, p);
      return 0;
    }
    stat(s, c.cpu, ALLOC_SLOWPATH, got);
    i += got;
  }
  if (gfp & gfp::ZERO)
    for (size_t j = 0; j < count; ++j) mem_set(p[j], 0, zero_size(s, 0));
  return int(count);
}

void Kernel::kmem_cache_free_bulk(KmemCache* s, size_t count, void** p) {
  // Objects are grouped by cache (kfree_bulk passes s = nullptr); runs of
  // one cache go to the sheaves, then to the slabs in one locked pass.
  size_t i = 0;
  while (i < count) {
    void* obj = p[i];
    if (zero_or_null_ptr(obj)) {
      ++i;
      continue;
    }
    Page* slab = I::virt_to_slab(*this, obj);
    if (slab == nullptr) {
      if (s == nullptr) kfree(obj);  // kfree_bulk of a large kmalloc
      else I::report_invalid_free(*this, obj, "kmem_cache_free_bulk of a non-slab object");
      ++i;
      continue;
    }
    KmemCache* cache = slab_cache(slab);
    if (s != nullptr && cache != s) {
      kmem_cache_free(s, obj);  // reports the mismatch
      ++i;
      continue;
    }
    size_t j = i;
    while (j < count && !zero_or_null_ptr(p[j])) {
      Page* sj = I::virt_to_slab(*this, p[j]);
      if (sj == nullptr || slab_cache(sj) != cache || !slab_object_ok(cache, sj, p[j])) break;
      ++j;
    }
    if (j == i) {                                        // the first one is not an object start
      I::check_object_pointer(*this, cache, slab, obj);  // reports
      ++i;
      continue;
    }
    size_t n = j - i;
    const CpuRef c = this_cpu();
    if (!cache->bypass_sheaves && pcs_enter(*this, cache, c)) {
      Sheaf* m = cache->cpu[c.cpu].main;
      size_t put = min_t(size_t(m->capacity - m->size), n);
      if (put != 0) {  // (the empty placeholder has capacity 0: never written)
        mem_copy(m->objects + m->size, p + i, put * sizeof(void*));
        m->size += unsigned(put);
      }
      cache->cpu[c.cpu].stat[FREE_FASTPATH].add(put);
      pcs_leave(*this, cache, c);
      i += put;
      n -= put;
    }
    if (n > 0 && !cache->bypass_sheaves && nr_node_ids() == 1) {
      size_t put = barn_put_objects(*this, cache, 0, p + i, n);
      stat(cache, c.cpu, BARN_PUT, put / cache->sheaf_capacity);
      i += put;
      n -= put;
    }
    if (n > 0) {
      stat(cache, c.cpu, FREE_SLOWPATH, n);
      I::free_to_slabs(*this, cache, p + i, unsigned(n),
                       reinterpret_cast<uintptr_t>(__builtin_return_address(0)));
      i += n;
    }
  }
}

// ---- flushing, shrinking, destroying ---------------------------------------------------

namespace {

void flush_sheaf_to_slabs(Kernel& k, KmemCache* s, Sheaf* sh) {
  if (sh == nullptr || is_empty_sheaf(k, sh) || sh->size == 0) return;
  I::free_to_slabs(k, s, sh->objects, sh->size, 0);
  sh->size = 0;
}

// Empties every CPU's sheaves of s and the barns into the slabs.
void flush_all_sheaves(Kernel& k, KmemCache* s) {
  for (unsigned cpu = 0; cpu < k.nr_cpus(); ++cpu) {
    pcs_lock_remote(k, s, cpu);
    CacheCpu& pc = s->cpu[cpu];
    Sheaf* main = pc.main;
    Sheaf* spare = pc.spare;
    pc.main = empty_sheaf(k);
    pc.spare = nullptr;
    pcs_unlock_remote(k, s, cpu);
    flush_sheaf_to_slabs(k, s, main);
    flush_sheaf_to_slabs(k, s, spare);
    sheaf_free(k, main);
    sheaf_free(k, spare);
  }
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    n->barn_lock.lock();
    Sheaf* full = n->barn_full;
    Sheaf* empty = n->barn_empty;
    n->barn_full = n->barn_empty = nullptr;
    n->nr_barn_full = n->nr_barn_empty = 0;
    n->barn_lock.unlock();
    while (full != nullptr) {
      Sheaf* next = full->next;
      flush_sheaf_to_slabs(k, s, full);
      sheaf_free(k, full);
      full = next;
    }
    while (empty != nullptr) {
      Sheaf* next = empty->next;
      sheaf_free(k, empty);
      empty = next;
    }
  }
}

// Frees every empty slab on the partial lists; returns the slabs left.
unsigned long discard_empty_slabs(Kernel& k, KmemCache* s) {
  unsigned long left = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    Page* discard = nullptr;
    n->list_lock.lock();
    for (ListHead* l = n->partial.next; l != &n->partial;) {
      Page* slab = lru_to_page(l);
      l = l->next;
      if (slab_inuse(slab) != 0) continue;
      list_move_to(n, slab, SLAB_ON_NONE);
      --n->nr_slabs;
      n->total_objects -= slab_objects(slab);
      n->free_objects -= slab_objects(slab);
      slab->lru.next = reinterpret_cast<ListHead*>(discard);
      discard = slab;
    }
    left += n->nr_slabs;
    n->list_lock.unlock();
    while (discard != nullptr) {
      Page* next = reinterpret_cast<Page*>(discard->lru.next);
      discard->lru.init();
      discard_slab(k, s, discard);
      discard = next;
    }
  }
  return left;
}

}  // namespace

int Kernel::kmem_cache_shrink(KmemCache* s) {
  if (s == nullptr) return 0;
  flush_all_sheaves(*this, s);
  return discard_empty_slabs(*this, s) == 0 ? 0 : 1;
}

// ---- cache creation ---------------------------------------------------------------------

KmemCache* SlabOps::create_cache(Kernel& k, const char* name, unsigned size, unsigned align,
                                 slab_flags_t flags, const KmemCacheArgs* args) {
  SlabState& st = state(k);
  void* mem;
  if (st.kmem_cache == nullptr) {  // the bootstrap cache itself
    mem = k.alloc_pages_exact(cache_bytes(k), gfp::KERNEL | gfp::ZERO);
    if (mem != nullptr)
      k.page_zone(k.virt_to_page(mem))
          ->pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE]
          .fetch_add(long(pfn_up(cache_bytes(k))), std::memory_order_relaxed);
  } else {
    mem = k.slab_alloc(st.kmem_cache, gfp::KERNEL | gfp::ZERO, NUMA_NO_NODE,
                       __builtin_return_address(0), 0);
  }
  if (mem == nullptr) return nullptr;
  KmemCache* s = new (mem) KmemCache();
  s->kernel = &k;
  str_copy(s->name, sizeof s->name, name, str_len(name));
  s->object_size = size;
  s->flags = flags;
  s->ctor = args ? args->ctor : nullptr;
  s->useroffset = args ? args->useroffset : 0;
  s->usersize = args ? args->usersize : 0;
  s->align = calculate_alignment(flags, align, size);
  s->random = uintptr_t(splitmix(st.seed));
  s->refcount = 1;
  bool ok = calculate_sizes(k, s, args);
  // slub_debug=O: debugging must not raise the cache's minimum slab order.
  if (ok && (s->flags & SLAB_DEBUG_FLAGS) && slab_debug_higher_order_disabled(k) &&
      get_order(s->size) > get_order(s->object_size)) {
    s->flags &= ~(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER);
    ok = calculate_sizes(k, s, args);
  }
  if (!ok) {
    if (st.kmem_cache == nullptr) k.free_pages_exact(mem, cache_bytes(k));
    else k.kmem_cache_free(st.kmem_cache, mem);
    return nullptr;
  }
  s->bypass_sheaves = (s->flags & SLAB_DEBUG_FLAGS) != 0;
  s->sheaf_capacity = args && args->sheaf_capacity ? min_t(args->sheaf_capacity, SHEAF_MAX_CAPACITY)
                                                   : default_sheaf_capacity(s->size);
  init_cache_struct(k, s, mem);
  return s;
}

namespace {

// find_mergeable: an existing cache that can serve this one too.
KmemCache* find_mergeable(Kernel& k, unsigned size, unsigned align, slab_flags_t flags,
                          const KmemCacheArgs* args) {
  if (k.options().slab_nomerge) return nullptr;
  if (args != nullptr && (args->ctor != nullptr || args->usersize != 0 || args->use_freeptr_offset))
    return nullptr;
  if (flags & SLAB_NEVER_MERGE) return nullptr;
  size = unsigned(align_up(size, sizeof(void*)));
  align = calculate_alignment(flags, align, size);
  size = unsigned(align_up(size, align));
  SlabState& st = I::state(k);
  // Linux walks slab_caches in reverse: the oldest compatible cache wins.
  for (ListHead* l = st.caches.prev; l != &st.caches; l = l->prev) {
    KmemCache* s = reinterpret_cast<KmemCache*>(reinterpret_cast<u8*>(l) -
                                                __builtin_offsetof(KmemCache, list));
    if ((s->flags & SLAB_NEVER_MERGE) || s->ctor != nullptr || s->usersize != 0 || s->leaked)
      continue;
    if (s->flags & SLAB_DEBUG_FLAGS) continue;
    if (size > s->size) continue;
    if ((flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME)) continue;
    if ((s->size & ~(align - 1)) != s->size) continue;
    if (s->size - size >= sizeof(void*)) continue;
    return s;
  }
  return nullptr;
}

KmemCache* cache_from_list(ListHead* l) {
  return reinterpret_cast<KmemCache*>(reinterpret_cast<u8*>(l) -
                                      __builtin_offsetof(KmemCache, list));
}

}  // namespace

KmemCache* Kernel::kmem_cache_create(const char* name, unsigned size, const KmemCacheArgs* args,
                                     slab_flags_t flags) {
  int err = 0;
  KmemCache* s = nullptr;
  SlabState& st = slab_;
  might_sleep("mm/slab_common.c", 311);
  if (name == nullptr || in_interrupt() || size < 1 || size > KMALLOC_MAX_SIZE) {
    printk(LogLevel::err, "kmem_cache_create(%s) integrity check failed", name ? name : "(null)");
    err = -22;  // -EINVAL
  } else if (flags & ~SLAB_CREATE_MASK) {
    err = -22;
  } else if (args != nullptr && args->use_freeptr_offset &&
             (args->freeptr_offset >= size || (args->freeptr_offset % sizeof(void*)) != 0 ||
              !(flags & SLAB_TYPESAFE_BY_RCU))) {
    err = -22;
  } else if (args != nullptr && args->usersize != 0 &&
             (args->useroffset > size || args->usersize > size - args->useroffset)) {
    printk(LogLevel::warning, "WARNING: kmem_cache_create(%s): bad usercopy region", name);
    err = -22;
  }
  if (err == 0) {
    if (!(flags & SLAB_NO_USER_FLAGS)) {
      slab_flags_t dbg = slab_debug_flags_for(*this, name);
      if (flags & SLAB_NOLEAKTRACE) dbg &= ~SLAB_STORE_USER;  // as kmem_cache_flags()
      flags |= dbg;
    }
    const unsigned align = args ? args->align : 0;
    st.caches_lock.lock();
    for (ListHead* l = st.caches.next; l != &st.caches; l = l->next)
      if (str_eq(cache_from_list(l)->name, name))
        printk(LogLevel::warning, "kmem_cache of name '%s' already exists", name);
    s = find_mergeable(*this, size, align, flags, args);
    if (s != nullptr) {
      ++s->refcount;
      s->object_size = max_t(s->object_size, size);
    }
    st.caches_lock.unlock();
    if (s == nullptr) {
      s = I::create_cache(*this, name, size, align, flags, args);
      if (s == nullptr) {
        err = -12;  // -ENOMEM
      } else {
        st.caches_lock.lock();
        st.caches.add(&s->list);
        st.caches_lock.unlock();
      }
    }
  }
  if (err != 0) {
    if (flags & SLAB_PANIC)
      panic("%s: Failed to create slab '%s'. Error %d", "__kmem_cache_create_args",
            name ? name : "(null)", err);
    printk(LogLevel::warning, "__kmem_cache_create_args(%s) failed with error %d",
           name ? name : "(null)", err);
    return nullptr;
  }
  return s;
}

void Kernel::kmem_cache_destroy(KmemCache* s) {
  if (s == nullptr) return;
  might_sleep("mm/slab_common.c", 510);
#ifdef KMEM_HAVE_RCU
  kvfree_rcu_barrier();
  if (s->flags & SLAB_TYPESAFE_BY_RCU) rcu_barrier();
#endif
  SlabState& st = slab_;
  st.caches_lock.lock();
  if (--s->refcount > 0) {
    st.caches_lock.unlock();
    return;
  }
  s->list.del();
  s->list.init();
  st.caches_lock.unlock();
  flush_all_sheaves(*this, s);
  unsigned long left = discard_empty_slabs(*this, s);
  if (left != 0) {
    // __kmem_cache_shutdown failed: report each slab with objects, leak the cache.
    for (int nid = 0; nid < nr_node_ids(); ++nid) {
      CacheNode* n = s->node[nid];
      n->list_lock.lock();
      for (ListHead* head : {&n->partial, &n->full})
        for (ListHead* l = head->next; l != head; l = l->next) {
          slab_report_leaked_objects(*this, s, lru_to_page(l));
        }
      n->list_lock.unlock();
    }
    char buf[256];
    size_t len = format(buf, sizeof buf,
                        "------------[ cut here ]------------\n"
                        "kmem_cache_destroy %s: Slab cache still has objects when called from "
                        "0x%lx\nWARNING: CPU: %u PID: %d at mm/slab_common.c:528 "
                        "kmem_cache_destroy+0x0/0x0\n",
                        s->name, reinterpret_cast<unsigned long>(__builtin_return_address(0)),
                        current_cpu(), current_pid());
    report_bug(BUG_WARN, buf, len);
    s->leaked = true;
    return;
  }
#ifdef KMEM_HAVE_RCU
  if (s->flags & SLAB_TYPESAFE_BY_RCU) rcu_barrier();  // slabs queued by the discard above
#endif
  kmem_cache_free(st.kmem_cache, s);
}

// ---- lookups and statistics ---------------------------------------------------------------

KmemCache* Kernel::virt_to_cache(const void* p) const {
  Page* slab = I::virt_to_slab(*this, p);
  return slab ? slab_cache(slab) : nullptr;
}

KmemCache* Kernel::find_cache(const char* name) {
  KmemCache* found = nullptr;
  slab_.caches_lock.lock();
  for (ListHead* l = slab_.caches.next; l != &slab_.caches && !found; l = l->next)
    if (str_eq(cache_from_list(l)->name, name)) found = cache_from_list(l);
  slab_.caches_lock.unlock();
  return found;
}

void Kernel::for_each_cache(void (*fn)(KmemCache* s, void* arg), void* arg) {
  slab_.caches_lock.lock();
  for (ListHead* l = slab_.caches.next; l != &slab_.caches; l = l->next)
    fn(cache_from_list(l), arg);
  slab_.caches_lock.unlock();
}

void Kernel::slab_info(const KmemCache* s, SlabInfo& out) {
  out = SlabInfo{};
  for (int nid = 0; nid < nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    n->list_lock.lock();
    out.num_slabs += n->nr_slabs;
    out.num_objs += n->total_objects;
    out.nr_partial += n->nr_partial;
    out.nr_full += n->nr_full;
    // SLUB's "active": everything but the free objects of the node partial lists.
    unsigned long partial_free = 0;
    for (ListHead* l = n->partial.next; l != &n->partial; l = l->next) {
      Page* slab = lru_to_page(l);
      partial_free += slab_objects(slab) - slab_inuse(slab);
    }
    out.active_objs += n->total_objects - partial_free;
    n->list_lock.unlock();
    n->barn_lock.lock();
    for (Sheaf* sh = n->barn_full; sh; sh = sh->next) out.objects_in_sheaves += sh->size;
    n->barn_lock.unlock();
  }
  for (unsigned cpu = 0; cpu < nr_cpus(); ++cpu) {
    // The slot is taken so that the fast paths' counts since the last stock
    // are in (take_stock()).
    KmemCache* ms = const_cast<KmemCache*>(s);
    pcs_lock_remote(*this, ms, cpu);
    const CacheCpu& pc = s->cpu[cpu];
    for (unsigned i = 0; i < NR_SLAB_STAT_ITEMS; ++i) out.stat[i] += pc.stat[i].get();
    pcs_unlock_remote(*this, ms, cpu);
  }
  out.active_slabs = out.num_slabs;
  out.objsize = s->size;
  out.objperslab = s->objects;
  out.pagesperslab = 1u << s->order;
}

unsigned long Kernel::slab_pages() const {
  unsigned long pages = 0;
  for (int nid = 0; nid < nr_node_ids(); ++nid)
    pages += node_data(nid)->vm_stat[NR_SLAB_RECLAIMABLE].load(std::memory_order_relaxed) +
             node_data(nid)->vm_stat[NR_SLAB_UNRECLAIMABLE].load(std::memory_order_relaxed);
  return pages;
}

unsigned long Kernel::slab_validate(KmemCache* s) {
  flush_all_sheaves(*this, s);
  return slab_debug_validate(*this, s);
}

// ---- invariants ------------------------------------------------------------------------------

namespace {

struct CheckCtx {
  Kernel* k;
  char* msg;
  size_t n;
  bool ok;
};

bool fail(CheckCtx& c, const KmemCache* s, const char* what, unsigned long a, unsigned long b) {
  if (c.ok) format(c.msg, c.n, "%s: %s (%lu vs %lu)", s->name, what, a, b);
  c.ok = false;
  return false;
}

// Walks one slab's freelist: every link a valid object of the slab, no
// cycle, count = objects - inuse.
bool check_slab(CheckCtx& c, KmemCache* s, Page* slab) {
  Kernel& k = *c.k;
  if (!(slab->flags_relaxed() & PG_slab) || slab_cache(slab) != s)
    return fail(c, s, "slab page not owned by the cache", 0, 0);
  const unsigned objects = slab_objects(slab);
  unsigned free = 0;
  for (void* p = slab_freelist(slab); p != nullptr; p = get_freepointer(s, p)) {
    Page* owner = I::virt_to_slab(k, p);
    if (owner != slab) return fail(c, s, "freelist leaves its slab", free, objects);
    u8* base = static_cast<u8*>(slab_base(k, slab)) + s->red_left_pad;
    unsigned idx = obj_to_index(s, base, p);
    if (idx >= objects || base + size_t(idx) * s->size != p)
      return fail(c, s, "freelist entry not an object start", idx, objects);
    if (++free > objects) return fail(c, s, "freelist cycle", free, objects);
  }
  if (free != objects - slab_inuse(slab))
    return fail(c, s, "free count differs from objects - inuse", free, objects - slab_inuse(slab));
  return true;
}

// obj, found in a sheaf of s: an object start of a slab of s, counted as in
// use there (not on the slab's freelist).
bool check_sheaf_object(CheckCtx& c, KmemCache* s, void* obj) {
  Kernel& k = *c.k;
  Page* slab = I::virt_to_slab(k, obj);
  if (slab == nullptr || slab_cache(slab) != s)
    return fail(c, s, "sheaf object not in a slab of the cache", 0, 0);
  if (!k.slab_object_ok(s, slab, obj)) return fail(c, s, "sheaf object not an object start", 0, 0);
  CacheNode* n = s->node[slab_nid(k, slab)];
  n->list_lock.lock();  // lock order: CPU slot -> barn_lock -> list_lock
  unsigned walked = 0;
  bool on_freelist = false;
  for (void* p = slab_freelist(slab); p != nullptr && walked <= slab_objects(slab);
       p = get_freepointer(s, p), ++walked)
    if (p == obj) on_freelist = true;
  n->list_lock.unlock();
  if (on_freelist) return fail(c, s, "sheaf object also on its slab's freelist", walked, 0);
  return true;
}

bool check_sheaf(CheckCtx& c, KmemCache* s, const Sheaf* sh, const char* where) {
  if (is_empty_sheaf(*c.k, sh)) return fail(c, s, where, 0, 0);
  if (sh->size > sh->capacity || sh->capacity > SHEAF_MAX_CAPACITY)
    return fail(c, s, "sheaf size above its capacity", sh->size, sh->capacity);
  for (u32 i = 0; i < sh->size && c.ok; ++i) check_sheaf_object(c, s, sh->objects[i]);
  return c.ok;
}

// The CPUs' sheaves and the barns, with every CPU slot and barn held: a
// spare or barn sheaf is never the placeholder, and every object in a sheaf
// is a live-for-the-slab object start of the cache.
void check_sheaves(CheckCtx& c, KmemCache* s) {
  Kernel& k = *c.k;
  k.cpu_lock_remote_all();
  for (unsigned cpu = 0; cpu < k.nr_cpus(); ++cpu) take_stock(k, s->cpu[cpu]);
  for (unsigned cpu = 0; cpu < k.nr_cpus() && c.ok; ++cpu) {
    const CacheCpu& pc = s->cpu[cpu];
    if (s->bypass_sheaves && (!is_empty_sheaf(k, pc.main) || pc.spare != nullptr))
      fail(c, s, "a debug cache holds sheaves", cpu, 0);
    if (!is_empty_sheaf(k, pc.main)) check_sheaf(c, s, pc.main, "main sheaf");
    if (pc.spare != nullptr && c.ok) check_sheaf(c, s, pc.spare, "spare sheaf is the placeholder");
  }
  for (int nid = 0; nid < k.nr_node_ids() && c.ok; ++nid) {
    CacheNode* n = s->node[nid];
    n->barn_lock.lock();
    unsigned full = 0, empty = 0;
    for (const Sheaf* sh = n->barn_full; sh != nullptr && c.ok; sh = sh->next, ++full)
      check_sheaf(c, s, sh, "barn sheaf is the placeholder");
    for (const Sheaf* sh = n->barn_empty; sh != nullptr && c.ok; sh = sh->next, ++empty)
      if (is_empty_sheaf(k, sh) || sh->size != 0) fail(c, s, "empty barn sheaf", sh->size, 0);
    if (c.ok && full != n->nr_barn_full) fail(c, s, "nr_barn_full", full, n->nr_barn_full);
    if (c.ok && empty != n->nr_barn_empty) fail(c, s, "nr_barn_empty", empty, n->nr_barn_empty);
    n->barn_lock.unlock();
  }
  for (unsigned cpu = 0; cpu < k.nr_cpus(); ++cpu) pcs_unlock_remote(k, s, cpu);
}

void check_cache(KmemCache* s, void* arg) {
  CheckCtx& c = *static_cast<CheckCtx*>(arg);
  if (!c.ok) return;
  check_sheaves(c, s);
  if (!c.ok) return;
  for (int nid = 0; nid < c.k->nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    n->list_lock.lock();
    unsigned long slabs = 0, partial = 0, full = 0, total = 0, free = 0;
    for (ListHead* l = n->partial.next; l != &n->partial && c.ok; l = l->next) {
      Page* slab = lru_to_page(l);
      ++partial;
      if (slab_on_list(slab) != SLAB_ON_PARTIAL || slab_freelist(slab) == nullptr)
        fail(c, s, "partial slab without free objects or wrong state", slab_inuse(slab), 0);
      check_slab(c, s, slab);
      total += slab_objects(slab);
      free += slab_objects(slab) - slab_inuse(slab);
    }
    for (ListHead* l = n->full.next; l != &n->full && c.ok; l = l->next) {
      Page* slab = lru_to_page(l);
      ++full;
      if (slab_on_list(slab) != SLAB_ON_FULL || slab_freelist(slab) != nullptr)
        fail(c, s, "full slab with free objects or wrong state", slab_inuse(slab), 0);
      check_slab(c, s, slab);
      total += slab_objects(slab);
    }
    slabs = partial + full;
    if (c.ok && partial != n->nr_partial) fail(c, s, "nr_partial", partial, n->nr_partial);
    if (c.ok && full != n->nr_full) fail(c, s, "nr_full", full, n->nr_full);
    if (c.ok && slabs != n->nr_slabs) fail(c, s, "nr_slabs", slabs, n->nr_slabs);
    if (c.ok && total != n->total_objects) fail(c, s, "total_objects", total, n->total_objects);
    if (c.ok && free != n->free_objects) fail(c, s, "free_objects", free, n->free_objects);
    n->list_lock.unlock();
  }
}

}  // namespace

bool Kernel::slab_check_invariants(char* msg, size_t n) {
  CheckCtx c{this, msg, n, true};
  const Sheaf* es = empty_sheaf(*this);
  if (es->size != 0 || es->capacity != 0 || es->zero_ != 0) {
    format(msg, n, "the empty placeholder sheaf was written (size %llu, capacity %u)",
           static_cast<unsigned long long>(es->size), es->capacity);
    return false;
  }
  for_each_cache(check_cache, &c);
  if (c.ok && n > 0) msg[0] = 0;
  return c.ok;
}

// ---- the slab shrinker and boot ---------------------------------------------------------

namespace {

void count_cache(KmemCache* s, void* arg) {
  auto* sum = static_cast<unsigned long*>(arg);
  for (int nid = 0; nid < s->kernel->nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    n->barn_lock.lock();
    *sum += n->nr_barn_full;
    n->barn_lock.unlock();
    n->list_lock.lock();
    for (ListHead* l = n->partial.next; l != &n->partial; l = l->next)
      if (slab_inuse(lru_to_page(l)) == 0) ++*sum;
    n->list_lock.unlock();
  }
}

unsigned long slab_shrink_count(Shrinker* sh, ShrinkControl*) {
  Kernel& k = *static_cast<Kernel*>(sh->private_data);
  unsigned long sum = 0;
  k.for_each_cache(count_cache, &sum);
  return sum;
}

void shrink_barns(KmemCache* s, void*) {
  // Barn sheaves only: the CPUs' own sheaves stay warm.
  Kernel& k = *s->kernel;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    n->barn_lock.lock();
    Sheaf* full = n->barn_full;
    n->barn_full = nullptr;
    n->nr_barn_full = 0;
    n->barn_lock.unlock();
    while (full != nullptr) {
      Sheaf* next = full->next;
      flush_sheaf_to_slabs(k, s, full);
      sheaf_free(k, full);
      full = next;
    }
  }
  discard_empty_slabs(k, s);
}

// The slab layer's shrinker: full barn sheaves go back to their slabs and
// empty slabs (beyond none: a shrinker asks for everything it can get)
// back to the page allocator. Returns pages freed.
unsigned long slab_shrink_scan(Shrinker* sh, ShrinkControl*) {
  Kernel& k = *static_cast<Kernel*>(sh->private_data);
  unsigned long before = k.slab_pages();
  k.for_each_cache(shrink_barns, nullptr);
  unsigned long after = k.slab_pages();
  return before > after ? before - after : 0;
}

}  // namespace

void Kernel::kmem_cache_init() {
  SlabState& st = slab_;
  st.caches.init();
  auto* es = reinterpret_cast<Sheaf*>(st.empty_sheaf_storage);
  es->size = 0;
  es->capacity = es->zero_ = 0;
  es->next = nullptr;
  st.seed.store(ops_.now_ns(ops_.ctx) ^ reinterpret_cast<uintptr_t>(this),
                std::memory_order_relaxed);
  unsigned cpus = nr_cpus();
  st.min_objects = opts_.slub_min_objects
                       ? unsigned(opts_.slub_min_objects)
                       : 4 * (unsigned(cpus <= 1 ? 1 : 64 - __builtin_clzll(cpus)) + 1);
  slab_debug_boot_report(*this);
  st.kmem_cache = I::create_cache(*this, "kmem_cache", unsigned(cache_bytes(*this)), CACHE_LINE,
                                  SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_NO_MERGE, nullptr);
  MM_CHECK(st.kmem_cache != nullptr, "cannot create the kmem_cache cache");
  st.caches.add(&st.kmem_cache->list);
  I::kmalloc_init(*this);
  st.shrinker = shrinker_alloc(0, "slab");
  if (st.shrinker != nullptr) {
    st.shrinker->count_objects = slab_shrink_count;
    st.shrinker->scan_objects = slab_shrink_scan;
    st.shrinker->private_data = this;
    shrinker_register(st.shrinker);
  }
  st.up = true;
}

void Kernel::kmem_cache_exit() {}

}  // namespace kmem
