// SPDX-License-Identifier: MIT
// The allocation and free paths: __alloc_pages, get_page_from_freelist, the
// per-CPU lists (rmqueue_pcplist, free_frozen_page_commit) and the API around
// them (mm/page_alloc.c, include/linux/gfp.h).
//
// Lock order: pcp->lock (trylock) -> zone->lock. See zone.h.
#include "page_alloc/internal.h"

namespace kmem {

using I = Kernel::Internal;

namespace {

bool pcp_order(unsigned order) { return order <= PAGE_ALLOC_COSTLY_ORDER; }

inline constexpr int MAX_RECLAIM_RETRIES = 16;
inline constexpr u64 JIFFY_NS = 4000000;  // HZ=250
inline constexpr u64 RECLAIM_THROTTLE_NS = 2 * JIFFY_NS;

// nr_pcp_alloc: how many blocks to bring from the buddy into an empty list.
int nr_pcp_alloc(const PerCpuPages& pcp, unsigned order) {
  int batch = pcp.batch;
  if (order > 0) batch = max_t(batch >> order, 2);
  return batch;
}

// rmqueue_bulk: count blocks of one order onto a pcp list, one zone lock hold.
int rmqueue_bulk(Kernel& k, Zone& z, unsigned order, int count, ListHead* list, MigrateType mt,
                 unsigned alloc_flags) {
  SpinGuard g(z.lock);
  RmqueueMode mode = RmqueueMode::normal;
  int i = 0;
  for (; i < count; ++i) {
    Page* p = I::rmqueue(k, z, order, mt, alloc_flags, mode);
    if (p == nullptr) break;
    p->pcp = 1;
    p->pcp_order = u8(order);
    list->add_tail(&p->lru);
  }
  return i;
}

Page* rmqueue_pcplist(Kernel& k, CpuRef cpu, Zone& z, unsigned order, MigrateType mt,
                      unsigned alloc_flags) {
  if (!k.cpu_enter(cpu)) return nullptr;  // not ours, or a remote drain is inside: use the buddy
  PerCpuPages& pcp = z.pcp[cpu.cpu];
  ListHead* list = &pcp.lists[order_to_pindex(mt, order)];
  if (list->empty()) {
    int got = rmqueue_bulk(k, z, order, nr_pcp_alloc(pcp, order), list, mt, alloc_flags);
    pcp.count += got << order;
  }
  Page* page = nullptr;
  if (!list->empty()) {
    page = lru_to_page(list->next);
    page->lru.del();
    page->pcp = 0;
    page->pcp_order = 0;
    pcp.count -= 1 << order;
  }
  k.cpu_leave(cpu);
  return page;
}

Page* rmqueue_buddy(Kernel& k, Zone& z, unsigned order, MigrateType mt, unsigned alloc_flags) {
  SpinGuard g(z.lock);
  Page* page = nullptr;
  if (alloc_flags & ALLOC_HIGHATOMIC) page = I::rmqueue_smallest(k, z, order, MIGRATE_HIGHATOMIC);
  if (page == nullptr) {
    RmqueueMode mode = RmqueueMode::normal;
    page = I::rmqueue(k, z, order, mt, alloc_flags, mode);
    // Failing now is worse than failing a future high-order atomic request:
    // let OOM handling and non-blocking callers into the reserve.
    if (page == nullptr && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
      page = I::rmqueue_smallest(k, z, order, MIGRATE_HIGHATOMIC);
  }
  return page;
}

Page* rmqueue(Kernel& k, CpuRef cpu, Zone& z, unsigned order, MigrateType mt,
              unsigned alloc_flags) {
  if (pcp_order(order) && k.options().pcp) {
    if (Page* p = rmqueue_pcplist(k, cpu, z, order, mt, alloc_flags)) return p;
  }
  return rmqueue_buddy(k, z, order, mt, alloc_flags);
}

void zone_statistics(Kernel& k, unsigned cpu, Zone& preferred, Zone& z, unsigned long nr) {
  PerCpuPages& pcp = z.pcp[cpu];
  if (z.pgdat == preferred.pgdat) {
    pcp.numa_event[NUMA_HIT].add(nr);
  } else {
    pcp.numa_event[NUMA_MISS].add(nr);
    if (preferred.pcp) preferred.pcp[cpu].numa_event[NUMA_FOREIGN].add(nr);
  }
  pcp.numa_event[z.pgdat->node_id == k.cpu_to_node(cpu) ? NUMA_LOCAL : NUMA_OTHER].add(nr);
}

// prep_new_page: a block just taken from the lists becomes an allocation.
// Returns false (after a report) if the block's descriptors were corrupted
// while free; the caller then leaks it and retries, as Linux does.
bool prep_new_page(Kernel& k, Page* page, unsigned order, gfp_t gfp) {
  if ((page->flags & PAGE_FLAGS_CHECK_AT_FREE) || page->is_free() || page->ref_count() != 0) {
    I::bad_page(k, page, "nonzero _refcount or flags on a free page");
    return false;
  }
  page->set_ref_count(1);
  page->order = u8(order);
  const bool compound = (gfp & gfp::COMP) && order > 0;
  page->set_flags(((gfp & gfp::MOVABLE) ? u32(PG_movable) : 0u) | (compound ? u32(PG_head) : 0u));
  if (gfp & gfp::ZERO) mem_set(k.page_to_virt_raw(page), 0, PAGE_SIZE << order);
  if (compound) {
    const uintptr_t tag = reinterpret_cast<uintptr_t>(page) | 1;
    for (unsigned long i = 1; i < (1UL << order); ++i) page[i].compound_head = tag;
  }
  return true;
}

unsigned alloc_flags_nofragment(Kernel& k, Zone* preferred, gfp_t gfp) {
  unsigned flags = gfp & gfp::KSWAPD_RECLAIM;
  if (preferred == nullptr || preferred->idx != ZONE_NORMAL || !k.has_dma32()) return flags;
  // Avoid fragmenting Normal while this node still has DMA32 to fall back on.
  if (k.nr_node_ids() > 1 && !preferred->pgdat->zones[ZONE_DMA32].populated()) return flags;
  return flags | ALLOC_NOFRAGMENT;
}

Zone* first_zone(const AllocContext& ac) {
  for (Zone** z = ac.zonelist; *z; ++z)
    if ((*z)->idx <= ac.highest_zoneidx) return *z;
  return nullptr;
}

Page* get_page_from_freelist(Kernel& k, gfp_t gfp, unsigned order, unsigned alloc_flags,
                             const AllocContext& ac) {
  const CpuRef cpu = ac.cpu;
  Zone* preferred = ac.preferred_zone;
  if (preferred == nullptr) return nullptr;
retry:
  for (Zone** zp = ac.zonelist; *zp; ++zp) {
    Zone& z = **zp;
    if (z.idx > ac.highest_zoneidx || !z.populated()) continue;
    if ((alloc_flags & ALLOC_NOFRAGMENT) && k.nr_node_ids() > 1 && z.pgdat != preferred->pgdat) {
      // Falling back to a remote node is worse than fragmenting locally.
      alloc_flags &= ~ALLOC_NOFRAGMENT;
      goto retry;
    }
    if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
      unsigned long mark = z.wmark(ZoneWatermark(alloc_flags & ALLOC_WMARK_MASK));
      if (!I::zone_watermark_fast(z, order, mark, ac.highest_zoneidx, alloc_flags, gfp)) continue;
    }
    for (;;) {
      Page* page = rmqueue(k, cpu, z, order, ac.migratetype, alloc_flags);
      if (page == nullptr) break;
      if (!prep_new_page(k, page, order, gfp)) continue;  // leaked after its report
      k.count_zone_event(cpu.cpu, PGALLOC, z.idx, 1UL << order);
      zone_statistics(k, cpu.cpu, *preferred, z, 1UL << order);
      if ((alloc_flags & ALLOC_HIGHATOMIC) && order > 0)
        I::reserve_highatomic_pageblock(k, page, order, z);
      return page;
    }
  }
  if (alloc_flags & ALLOC_NOFRAGMENT) {
    alloc_flags &= ~ALLOC_NOFRAGMENT;
    goto retry;
  }
  return nullptr;
}

// gfp_to_alloc_flags: the slow path's rights below the min watermark.
unsigned gfp_to_alloc_flags(gfp_t gfp, unsigned order) {
  unsigned flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  flags |= gfp & (gfp::HIGH | gfp::KSWAPD_RECLAIM);  // ALLOC_MIN_RESERVE, ALLOC_KSWAPD
  if (!(gfp & gfp::DIRECT_RECLAIM)) {
    if (!(gfp & gfp::NOMEMALLOC)) {
      flags |= ALLOC_NON_BLOCK;
      // The high-atomic reserve is for __GFP_HIGH callers only (v6.10+).
      if (order > 0 && (flags & ALLOC_MIN_RESERVE)) flags |= ALLOC_HIGHATOMIC;
    }
    if (flags & ALLOC_MIN_RESERVE) flags &= ~ALLOC_CPUSET;
  }
  return flags;
}

// __gfp_pfmemalloc_flags: all reserves for __GFP_MEMALLOC and for reclaim
// itself (PF_MEMALLOC, outside interrupts or serving a softirq), the OOM
// share for an OOM victim's task context.
unsigned gfp_pfmemalloc_flags(Kernel& k, gfp_t gfp) {
  if (gfp & gfp::NOMEMALLOC) return 0;
  if (gfp & gfp::MEMALLOC) return ALLOC_NO_WATERMARKS;
  const TaskContext& c = current_ctx();
  if (in_serving_softirq() && (c.flags & PF_MEMALLOC)) return ALLOC_NO_WATERMARKS;
  if (!in_interrupt()) {
    if (c.flags & PF_MEMALLOC) return ALLOC_NO_WATERMARKS;
    if (k.task_is_oom_victim(c.task)) return ALLOC_OOM;
  }
  return 0;
}

void wake_all_kswapds(Kernel& k, unsigned order, gfp_t gfp, const AllocContext& ac) {
  const Node* last = nullptr;
  for (Zone** zp = ac.zonelist; *zp; ++zp) {
    Zone& z = **zp;
    if (z.idx > ac.highest_zoneidx || z.pgdat == last) continue;
    last = z.pgdat;
    k.wakeup_kswapd(z, gfp, order, ac.highest_zoneidx);
  }
}

// Would some zone of the zonelist give 2^order pages at its min watermark,
// with free_pages counted as what it has now?
bool any_zone_meets_min(const AllocContext& ac, unsigned order, unsigned alloc_flags) {
  for (Zone** zp = ac.zonelist; *zp; ++zp) {
    Zone& z = **zp;
    if (z.idx > ac.highest_zoneidx || !z.populated()) continue;
    if (I::zone_watermark_ok(z, order, z.wmark(WMARK_MIN), ac.highest_zoneidx, alloc_flags,
                             z.free_pages()))
      return true;
  }
  return false;
}

// Sleeps until another thread frees memory or timeout_ns passes, then pulls
// freed pages off every CPU's lists. True if something was freed meanwhile.
bool wait_for_free_memory(Kernel& k, unsigned order, unsigned alloc_flags, const AllocContext& ac,
                          u64 timeout_ns) {
  WaitEvent& w = k.free_wait();
  const u32 seen = k.prepare_to_wait(w);
  // Re-check after registering: a free that raced with us is not missed.
  bool freed = any_zone_meets_min(ac, order, alloc_flags);
  if (!freed) {
    k.wait_event(w, seen, timeout_ns);
    freed = w.seq.load(std::memory_order_acquire) != seen;
  }
  k.finish_wait(w);
  if (freed) k.drain_all_pages();
  return freed;
}

// __alloc_pages_direct_reclaim
Page* alloc_pages_direct_reclaim(Kernel& k, gfp_t gfp, unsigned order, unsigned alloc_flags,
                                 const AllocContext& ac, unsigned long& progress) {
  progress = I::try_to_free_pages(k, gfp, order, ac);
  if (progress == 0) return nullptr;
  Page* page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
  if (page == nullptr) {
    // Freed pages may sit on per-CPU lists or in the high-atomic reserve.
    I::unreserve_highatomic_pageblock(k, ac.zonelist, ac.highest_zoneidx, ac.migratetype, false);
    k.drain_all_pages();
    page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
  }
  return page;
}

// should_reclaim_retry: keep going while reclaim makes progress, up to
// MAX_RECLAIM_RETRIES passes without, and only while some zone could meet
// its min watermark with the reclaimable pages counted as free. A pass
// without progress waits (reclaim_throttle) for memory freed elsewhere.
bool should_reclaim_retry(Kernel& k, unsigned order, const AllocContext& ac, unsigned alloc_flags,
                          bool did_some_progress, int& no_progress_loops) {
  if (did_some_progress && order <= PAGE_ALLOC_COSTLY_ORDER) no_progress_loops = 0;
  else ++no_progress_loops;
  bool ret = false;
  if (no_progress_loops <= MAX_RECLAIM_RETRIES) {
    // No LRU in kmem: nothing is reclaimable beyond what shrinkers free, so
    // "available" is the free pages alone.
    ret = any_zone_meets_min(ac, order, alloc_flags);
    if (!ret && !did_some_progress) {
      // reclaim_throttle(VMSCAN_THROTTLE_NOPROGRESS): two jiffies (HZ=250),
      // cut short by a free; then try again if that brought memory back.
      ret = wait_for_free_memory(k, order, alloc_flags, ac, RECLAIM_THROTTLE_NS);
    }
  }
  // Before OOM, exhaust the high-atomic reserve.
  if (!ret)
    return I::unreserve_highatomic_pageblock(k, ac.zonelist, ac.highest_zoneidx, ac.migratetype,
                                             true);
  return ret;
}

// __alloc_pages_may_oom. progress = 1 when the OOM killer freed memory.
Page* alloc_pages_may_oom(Kernel& k, gfp_t gfp, unsigned order, const AllocContext& ac,
                          unsigned long& progress, bool& nothing_to_kill) {
  progress = 0;
  nothing_to_kill = false;
  SpinLock& oom_lock = I::oom_kill_lock(k);
  if (!oom_lock.try_lock()) {
    // Someone else is killing: wait a jiffy and retry.
    progress = 1;
    wait_for_free_memory(k, order, ALLOC_WMARK_MIN, ac, JIFFY_NS);
    return nullptr;
  }
  Page* page = nullptr;
  // One more try at a high watermark, to catch a parallel kill.
  page = get_page_from_freelist(k, (gfp | gfp::HARDWALL) & ~gfp::DIRECT_RECLAIM, order,
                                ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
  const bool skip = order > PAGE_ALLOC_COSTLY_ORDER ||  // the OOM killer will not help
                    (gfp & (gfp::RETRY_MAYFAIL | gfp::THISNODE)) ||
                    ac.highest_zoneidx < ZONE_NORMAL;  // nor kill for lowmem
  if (page == nullptr && !skip) {
    if (!(gfp & gfp::FS)) {
      // out_of_memory() does not compensate for IO-less reclaim: Linux
      // reports progress and lets a NOFS/NOIO caller loop. kmem waits for
      // memory freed by others instead (see the caller).
      nothing_to_kill = true;
    } else {
      OomControl oc{gfp, int(order), ac.preferred_node->node_id, 0, nullptr, 0};
      if (k.out_of_memory(oc)) {
        progress = 1;
        if (gfp & gfp::NOFAIL)
          page = get_page_from_freelist(k, gfp, order, ALLOC_NO_WATERMARKS, ac);
      } else {
        nothing_to_kill = true;
      }
    }
  }
  oom_lock.unlock();
  return page;
}

void warn_nofail(Kernel& k, const char* why) {
  char text[160];
  size_t n = format(text, sizeof text,
                    "WARNING: CPU: %u PID: %d at mm/page_alloc.c:4598 __alloc_pages_slowpath\n"
                    "__GFP_NOFAIL %s\n",
                    k.current_cpu(), k.current_pid(), why);
  k.report_bug(BUG_WARN, text, n);
}

// __alloc_pages_slowpath (Linux 6.18), without compaction (kmem has none):
// wake kswapd, retry at min with the caller's reserve rights, then -- if
// the caller may sleep -- direct reclaim, Linux's retry rules, and the OOM
// killer; __GFP_NOFAIL loops until it gets memory.
Page* alloc_pages_slowpath(Kernel& k, gfp_t gfp, unsigned order, const AllocContext& ac) {
  const bool can_direct_reclaim = gfp & gfp::DIRECT_RECLAIM;
  const bool nofail = gfp & gfp::NOFAIL;
  const bool costly = order > PAGE_ALLOC_COSTLY_ORDER;
  const TaskContext& cur = current_ctx();
  if (nofail) {
    if (order > 1) warn_nofail(k, "with order > 1");
    if (!can_direct_reclaim) warn_nofail(k, "without __GFP_DIRECT_RECLAIM");
    if (cur.flags & PF_MEMALLOC) warn_nofail(k, "from PF_MEMALLOC context");
  }
  int no_progress_loops = 0;
  unsigned long did_some_progress = 0;
  unsigned alloc_flags = gfp_to_alloc_flags(gfp, order);
  if (alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(k, order, gfp, ac);
  Page* page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
  if (page) return page;
  // Linux tries direct compaction here; a costly __GFP_NORETRY request
  // gives up when compaction is skipped, which it always is in kmem.
  if (can_direct_reclaim && costly && (gfp & gfp::NORETRY) && !gfp_pfmemalloc_flags(k, gfp))
    goto nopage;

retry:
  if (alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(k, order, gfp, ac);
  if (unsigned reserve = gfp_pfmemalloc_flags(k, gfp))
    alloc_flags = reserve | (alloc_flags & ALLOC_KSWAPD);
  page = get_page_from_freelist(k, gfp, order, alloc_flags, ac);
  if (page) return page;
  if (!can_direct_reclaim) goto nopage;
  if (cur.flags & PF_MEMALLOC) goto nopage;  // no recursion into reclaim
  page = alloc_pages_direct_reclaim(k, gfp, order, alloc_flags, ac, did_some_progress);
  if (page) return page;
  if (gfp & gfp::NORETRY) goto nopage;
  if (costly && !(gfp & gfp::RETRY_MAYFAIL)) goto nopage;
  if (should_reclaim_retry(k, order, ac, alloc_flags, did_some_progress > 0, no_progress_loops))
    goto retry;
  {
    bool nothing_to_kill = false;
    page = alloc_pages_may_oom(k, gfp, order, ac, did_some_progress, nothing_to_kill);
    if (page) return page;
    // An OOM victim that has used its share of the reserves fails.
    if (k.task_is_oom_victim(cur.task) && ((alloc_flags & ALLOC_OOM) || (gfp & gfp::NOMEMALLOC)))
      goto nopage;
    if (did_some_progress) {
      no_progress_loops = 0;
      goto retry;
    }
    if (nothing_to_kill) {
      // Linux panics here ("System is deadlocked on memory"). kmem sleeps
      // oom_wait_ms for another thread to free memory, then fails.
      const u64 wait_ns = k.options().oom_wait_ms * 1000000ULL;
      if (wait_ns && wait_for_free_memory(k, order, alloc_flags, ac, wait_ns)) {
        no_progress_loops = 0;
        goto retry;
      }
    }
  }
nopage:
  // A __GFP_NOFAIL caller that cannot block fails after its warning, as in
  // Linux 6.18; one that can block never does.
  if (nofail && can_direct_reclaim) {
    // Help a caller that cannot fail with a share of the min reserve, then
    // wait for memory and go round again: it never returns NULL.
    page = get_page_from_freelist(k, gfp, order, ALLOC_MIN_RESERVE | ALLOC_WMARK_MIN, ac);
    if (page) return page;
    wait_for_free_memory(k, order, alloc_flags, ac, RECLAIM_THROTTLE_NS);
    goto retry;
  }
  return nullptr;
}

}  // namespace

Page* Kernel::alloc_pages(gfp_t gfp, unsigned order, int nid) {
  // prepare_alloc_pages: the caller's memalloc scopes, then might_alloc().
  const TaskContext& cur = current_ctx();
  gfp = gfp_context_of(cur.flags, gfp);
  if (__builtin_expect((cur.preempt_count | cur.irqs_disabled) != 0, 0) &&
      (gfp & gfp::DIRECT_RECLAIM))
    might_sleep("include/linux/sched/mm.h", 321);
  if (order > MAX_PAGE_ORDER) {
    if (!(gfp & gfp::NOWARN)) I::warn_once_order(*this, gfp, order);
    return nullptr;
  }
  AllocContext ac;
  ac.cpu = this_cpu();
  ac.highest_zoneidx = gfp_zone_of(gfp);
  if (ac.highest_zoneidx == MAX_NR_ZONES) {
    I::warn_alloc(*this, gfp, order, "invalid zone modifier combination");
    return nullptr;
  }
  if (nid == NUMA_NO_NODE) nid = cpu_to_node(ac.cpu.cpu);
  if (nid < 0 || nid >= nr_nodes_) {
    I::warn_alloc(*this, gfp, order, "invalid node id");
    return nullptr;
  }
  ac.preferred_node = nodes_[nid];
  ac.zonelist =
      (gfp & gfp::THISNODE) ? ac.preferred_node->zonelist_thisnode : ac.preferred_node->zonelist;
  if (__builtin_expect(
          (gfp & (gfp::MOVABLE | gfp::RECLAIMABLE)) == (gfp::MOVABLE | gfp::RECLAIMABLE), 0)) {
    // VM_WARN_ON in gfp_migratetype(): the two mobility hints exclude each other.
    char text[160];
    size_t n = format(text, sizeof text,
                      "WARNING: gfp_migratetype: __GFP_MOVABLE|__GFP_RECLAIMABLE in mode %#x; "
                      "treated as movable\n",
                      gfp);
    report_bug(BUG_WARN, text, n);
    gfp &= ~gfp::RECLAIMABLE;
  }
  ac.migratetype = gfp_migratetype(gfp, grouping_);
  ac.preferred_zone = first_zone(ac);
  unsigned alloc_flags = ALLOC_WMARK_LOW | alloc_flags_nofragment(*this, ac.preferred_zone, gfp);
  Page* page = get_page_from_freelist(*this, gfp, order, alloc_flags, ac);
  if (page == nullptr) page = alloc_pages_slowpath(*this, gfp, order, ac);
  if (page == nullptr) {
    alloc_failures_.fetch_add(1, std::memory_order_relaxed);
    if (!(gfp & gfp::NOWARN)) I::warn_alloc(*this, gfp, order, nullptr);
  }
  return page;
}

// ---- free -----------------------------------------------------------------------

namespace {

// free_pages_prepare: checks that the block may be freed and resets its
// descriptors. False (after a report) means the block must not be freed.
bool free_pages_prepare(Kernel& k, unsigned cpu, Page* page, unsigned order) {
  if ((page->flags & PAGE_FLAGS_CHECK_AT_FREE) || page->is_free()) {
    I::bad_page(k, page, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
    return false;
  }
  if (page->order != order) {
    char why[96];
    format(why, sizeof why, "freed with order %u, allocated with order %u", order, page->order);
    I::bad_page(k, page, why);
    return false;
  }
  if (page->flags & PG_head) {
    const uintptr_t tag = reinterpret_cast<uintptr_t>(page) | 1;
    for (unsigned long i = 1; i < (1UL << order); ++i) {
      if (page[i].compound_head != tag) {
        I::bad_page(k, page + i, "corrupted compound_head in tail page");
        return false;
      }
      page[i].compound_head = 0;
    }
  }
  page->set_flags(0);
  page->order = 0;
  // Owners such as OOM tasks may peek at a block's owner after it was freed
  // under them (an uncharge racing with a kill): a relaxed atomic store.
  std::atomic_ref<void*>(page->owner).store(nullptr, std::memory_order_relaxed);
  page->private_ = 0;
  k.count_vm_event(cpu, PGFREE, 1UL << order);
  if (ReclaimState* rs = current_ctx().reclaim_state) rs->reclaimed += 1UL << order;
  return true;
}

void free_one_page(Kernel& k, Zone& z, Page* page, pfn_t pfn, unsigned order) {
  SpinGuard g(z.lock);
  I::free_one_page_locked(k, z, page, pfn, order, k.pageblock_migratetype(pfn));
}

// free_frozen_page_commit: onto this CPU's list; spill a batch when full.
bool free_to_pcp(Kernel& k, CpuRef cpu, Zone& z, Page* page, pfn_t pfn, unsigned order) {
  MigrateType mt = k.pageblock_migratetype(pfn);
  if (mt >= MIGRATE_PCPTYPES) {
    if (mt == MIGRATE_ISOLATE) return false;
    mt = MIGRATE_MOVABLE;  // high-atomic pages ride the movable list back
  }
  if (!k.cpu_enter(cpu)) return false;
  PerCpuPages& pcp = z.pcp[cpu.cpu];
  page->pcp = 1;
  page->pcp_order = u8(order);
  pcp.lists[order_to_pindex(mt, order)].add(&page->lru);
  pcp.count += 1 << order;
  if (pcp.count >= pcp.high) I::free_pcppages_bulk(k, z, pcp.batch, pcp);
  k.cpu_leave(cpu);
  return true;
}

void free_frozen_pages(Kernel& k, Zone& z, Page* page, unsigned order) {
  const CpuRef cpu = k.this_cpu();
  if (!free_pages_prepare(k, cpu.cpu, page, order)) return;
  pfn_t pfn = k.page_to_pfn(page);
  if (pcp_order(order) && k.options().pcp && free_to_pcp(k, cpu, z, page, pfn, order)) return;
  free_one_page(k, z, page, pfn, order);
}

// put_page_testzero: drop a reference, true if it was the last. Holding the
// only reference, nobody else may take one, so a plain store suffices and
// the common case needs no locked instruction.
bool put_page_testzero(Page* page) {
  if (page->ref_count() == 1) {
    page->set_ref_count(0);
    return true;
  }
  return page->ref().fetch_sub(1, std::memory_order_acq_rel) == 1;
}

// The zone of a page that may be freed, or nullptr after a report.
Zone* check_free_target(Kernel& k, Page* page, const char* what) {
  Zone* z = page != nullptr && k.is_page(page) ? k.page_zone(page) : nullptr;
  if (z == nullptr) {
    char text[160];
    size_t n =
        format(text, sizeof text, "BUG: %s: %p is not a page of this machine\n", what, (void*)page);
    k.report_bug(BUG_BAD_FREE, text, n);
    return nullptr;
  }
  if (page->ref_count() <= 0) {
    I::bad_page(k, page,
                page->is_free() ? "page already free (double free)"
                                : "_refcount is zero (double free or free of an unallocated page)");
    return nullptr;
  }
  return z;
}

}  // namespace

void Kernel::Internal::free_pcppages_bulk(Kernel& k, Zone& z, int count, PerCpuPages& pcp) {
  SpinGuard g(z.lock);
  unsigned pindex = 0;
  while (count > 0 && pcp.count > 0) {
    ListHead* list = &pcp.lists[pindex];
    pindex = (pindex + 1) % NR_PCP_LISTS;
    if (list->empty()) continue;
    Page* page = lru_to_page(list->prev);  // the coldest page
    page->lru.del();
    unsigned order = page->pcp_order;
    page->pcp = 0;
    page->pcp_order = 0;
    count -= 1 << order;
    pcp.count -= 1 << order;
    pfn_t pfn = k.page_to_pfn(page);
    free_one_page_locked(k, z, page, pfn, order, k.pageblock_migratetype(pfn));
  }
}

void Kernel::Internal::drain_pcp(Kernel& k, Zone& z, PerCpuPages& pcp) {
  if (pcp.count > 0) free_pcppages_bulk(k, z, pcp.count, pcp);
}

void Kernel::free_pages(Page* page, unsigned order) {
  Zone* z = check_free_target(*this, page, "__free_pages");
  if (z == nullptr) return;
  if (order > MAX_PAGE_ORDER) {
    I::bad_page(*this, page, "freed with order > MAX_PAGE_ORDER");
    return;
  }
  const bool head = page->flags & PG_head;
  if (put_page_testzero(page)) {
    free_frozen_pages(*this, *z, page, order);
    wake_up_all(free_wait_);
  } else if (!head) {
    // Someone else still holds the first page of a non-compound block: free
    // the rest now and leave the first page to its last put_page().
    while (order-- > 0) {
      Page* sub = page + (1UL << order);
      sub->order = u8(order);
      free_frozen_pages(*this, *z, sub, order);
    }
    page->order = 0;
  }
}

void Kernel::put_page(Page* page) {
  // A reference to any page of a compound page is a reference to its head.
  Page* head = is_page(page) ? page->head() : page;
  Zone* z = check_free_target(*this, head, "put_page");
  if (z == nullptr) return;
  unsigned order = (head->flags & PG_head) ? head->order : 0;
  if (put_page_testzero(head)) {
    free_frozen_pages(*this, *z, head, order);
    wake_up_all(free_wait_);
  }
}

void Kernel::get_page(Page* page) {
  Page* head = page->head();
  if (head->ref_count() <= 0) {
    I::bad_page(*this, head, "get_page on a page with _refcount 0");
    return;
  }
  head->ref().fetch_add(1, std::memory_order_relaxed);
}

void Kernel::split_page(Page* page, unsigned order) {
  if (page->flags & PG_head) {
    I::bad_page(*this, page, "split_page of a compound page");
    return;
  }
  for (unsigned long i = 0; i < (1UL << order); ++i) {
    page[i].order = 0;
    page[i].set_flags(page->flags & PG_movable);
    if (i) page[i].set_ref_count(1);
  }
}

namespace {

void drain_cpu_locked(Kernel& k, unsigned cpu) {
  for (int n = 0; n < k.nr_node_ids(); ++n)
    for (Zone& z : k.node_data(n)->zones)
      if (z.pcp) I::drain_pcp(k, z, z.pcp[cpu]);
}

}  // namespace

void Kernel::drain_local_pages() {
  unsigned cpu = current_cpu();
  cpu_lock_remote(cpu);
  drain_cpu_locked(*this, cpu);
  cpu_unlock_remote(cpu);
}

void Kernel::drain_all_pages() {
  cpu_lock_remote_all();
  for (unsigned c = 0; c < nr_cpus(); ++c) {
    drain_cpu_locked(*this, c);
    cpu_unlock_remote(c);
  }
}

// ---- address-based API -------------------------------------------------------------

unsigned long Kernel::get_free_pages(gfp_t gfp, unsigned order) {
  Page* page = alloc_pages(gfp & ~gfp::HIGHMEM, order);
  return page ? reinterpret_cast<unsigned long>(page_address(page)) : 0;
}

void Kernel::free_pages_addr(unsigned long addr, unsigned order) {
  if (addr == 0) return;
  const void* v = reinterpret_cast<const void*>(addr);
  if (!virt_addr_valid(v)) {
    char text[160];
    size_t n =
        format(text, sizeof text, "BUG: free_pages: 0x%lx is not a direct-map address\n", addr);
    report_bug(BUG_BAD_FREE, text, n);
    return;
  }
  free_pages(virt_to_page(v), order);
}

void* Kernel::alloc_pages_exact(size_t size, gfp_t gfp, int nid) {
  if (size == 0) return nullptr;
  unsigned order = get_order(size);
  if (gfp & (gfp::COMP | gfp::HIGHMEM)) {
    printk(LogLevel::warning,
           "WARNING: alloc_pages_exact: __GFP_COMP and __GFP_HIGHMEM are not allowed");
    gfp &= ~(gfp::COMP | gfp::HIGHMEM);
  }
  Page* page = alloc_pages(gfp, order, nid);
  if (page == nullptr) return nullptr;
  split_page(page, order);
  const unsigned long used = align_up(size, PAGE_SIZE) >> PAGE_SHIFT;
  for (unsigned long i = used; i < (1UL << order); ++i) free_pages(page + i, 0);
  return page_address(page);
}

void Kernel::free_pages_exact(void* virt, size_t size) {
  if (virt == nullptr) return;
  const unsigned long n = align_up(size, PAGE_SIZE) >> PAGE_SHIFT;
  auto addr = reinterpret_cast<unsigned long>(virt);
  for (unsigned long i = 0; i < n; ++i) free_pages_addr(addr + i * PAGE_SIZE, 0);
}

}  // namespace kmem
