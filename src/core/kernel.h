// SPDX-License-Identifier: MIT
// Kernel: one simulated machine's memory-management state -- what Linux keeps
// in globals (memblock, mem_map, NODE_DATA(), the zones, vm events) gathered
// in one object so that several machines can live in one process.
//
// A Kernel is constructed empty and boot() brings it up, in Linux's order:
//
//   e820 map -> memblock.memory/.reserved -> node split -> direct map
//   -> mem_map, node data, pageblock bits, pcp arrays (all from memblock)
//   -> zone spans, managed pages, zonelists
//   -> memblock_free_all(): free ranges into the buddy allocator
//   -> watermarks, lowmem_reserve, pcp batch/high
//
// Nothing here uses the heap: the Kernel object itself is owned by the
// platform layer, and everything sized at run time comes from memblock.
#pragma once

#include <atomic>

#include "base/base.h"
#include "boot/e820.h"
#include "boot/memblock.h"
#include "boot/options.h"
#include "context/context.h"
#include "context/irq.h"
#include "context/sync.h"
#include "highmem/highmem.h"
#include "page_alloc/oom.h"
#include "page_alloc/shrinker.h"
#include "page_alloc/zone.h"
#include "platform.h"
#include "rcu/rcu.h"
#include "slab/slab.h"

namespace kmem {

// The calling thread's CPU slot, and whether it owns it exclusively.

// Per-CPU entry state guarding that CPU's per-CPU data (pcp lists, and later
// slab sheaves). Two protocols, chosen at boot:
//
// asymmetric (the platform has heavy_barrier):
//   owner:  busy = 1; compiler fence; if (lock held) back off; ...; busy = 0
//   remote: lock; heavy_barrier(); wait until busy == 0; ...; unlock
//   The owner's path has no atomic read-modify-write and no fence: the
//   remote's heavy barrier orders the owner's store of busy before the
//   owner's read of the lock (a Dekker handshake with one heavy side).
//   Threads that do not own the slot never enter it; they use the shared
//   structures (the buddy lists under zone->lock) instead.
// locked (no heavy barrier): everyone uses lock.try_lock() / lock(), as
//   Linux's pcp spinlock does.
//
// busy sits 32 bytes into the slot: memblock hands the slot array out at a
// page boundary, and the slab layer's sheaves sit at 512-byte boundaries with
// their size word 8 bytes in. With busy at offset 0, the fast path's store of
// busy and its load of the sheaf's size fell in the same 16 bytes of a page
// whenever the main sheaf was the first of its page, and the CPU treated the
// load as depending on the store (4K aliasing): a kmem_cache pair measured
// 5.2 ns instead of 4.1 in one case of eight.
struct alignas(64) CpuSlot {
  u8 pad_[32];
  std::atomic<u32> busy{0};
  SpinLock lock;
  unsigned cpu = 0;  // this slot's CPU (immutable after boot)
  // Where this CPU's CacheCpu sits from a KmemCache's address
  // (slab.h, cache_cpu()), for the slab fast paths.
  u32 cache_cpu_offset = 0;
};

// Kinds of detected misuse, counted per machine (readable by tests).
enum BugKind : unsigned {
  BUG_BAD_PAGE,
  BUG_BAD_FREE,
  BUG_WARN,
  BUG_ATOMIC_SLEEP,  // "sleeping function called from invalid context"
  BUG_SLAB,          // slub_debug: "BUG <cache> (...): <reason>" reports
  NR_BUG_KINDS
};

class Kernel {
 public:
  Kernel() = default;
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;
  ~Kernel();

  // Boots the machine. On failure returns false with the reason in err and
  // leaves the object unusable (but destructible).
  [[nodiscard]] bool boot(const Options& opts, const PlatformOps& ops, CmdlineError& err);
  bool booted() const { return booted_; }
  // Stops the machine's own threads (kswapd). Idempotent; the destructor
  // calls it, but the platform must call it while its threads can still run.
  void shutdown();

  // ---- page allocator (page_alloc/page_alloc.cpp) -------------------------
  // __alloc_pages: 2^order contiguous pages or nullptr. nid = NUMA_NO_NODE
  // means the calling CPU's node.
  Page* alloc_pages(gfp_t gfp, unsigned order, int nid = NUMA_NO_NODE);
  // __free_pages: drops one reference; frees the block when it reaches zero.
  void free_pages(Page* page, unsigned order);
  // Direct-map address helpers (__get_free_pages / free_pages). 0 on failure.
  unsigned long get_free_pages(gfp_t gfp, unsigned order);
  void free_pages_addr(unsigned long addr, unsigned order);
  void* alloc_pages_exact(size_t size, gfp_t gfp, int nid = NUMA_NO_NODE);
  void free_pages_exact(void* virt, size_t size);
  // Splits a non-compound order-n allocation into 2^n order-0 pages.
  void split_page(Page* page, unsigned order);
  void get_page(Page* page);
  // Drops a reference to the page (the head, for a compound page); at zero
  // frees it with the compound order, or as order 0 for a plain page, as
  // Linux does (so put_page of a plain high-order block is a bad free).
  void put_page(Page* page);
  // Returns every page on this CPU's (or all CPUs') per-CPU lists to the buddy.
  void drain_local_pages();
  void drain_all_pages();

  // ---- slab caches and kmalloc (slab/slub.cpp, slab/kmalloc.cpp) -----------
  // kmem_cache_create: a cache, an alias of a mergeable one, or nullptr
  // (with Linux's message; SLAB_PANIC panics). args may be null.
  KmemCache* kmem_cache_create(const char* name, unsigned size, const KmemCacheArgs* args,
                               slab_flags_t flags);
  // Drops a reference; the last one frees the cache. Live objects are
  // reported and the cache is leaked, as Linux does. nullptr is ignored.
  void kmem_cache_destroy(KmemCache* s);
  // Flushes the per-CPU sheaves and the barn, frees empty slabs; 0 when
  // no slab is left.
  int kmem_cache_shrink(KmemCache* s);
  [[gnu::always_inline]] void* kmem_cache_alloc(KmemCache* s, gfp_t gfp) {
    return slab_alloc(s, gfp, NUMA_NO_NODE, __builtin_return_address(0), 0);
  }
  void* kmem_cache_alloc_node(KmemCache* s, gfp_t gfp, int nid) {
    return slab_alloc(s, gfp, nid, __builtin_return_address(0), 0);
  }
  inline void kmem_cache_free(KmemCache* s, void* obj);  // slab/slab_fast.h
  // All or nothing: n, or 0 with nothing allocated.
  int kmem_cache_alloc_bulk(KmemCache* s, gfp_t gfp, size_t n, void** p);
  // s may be null: each object's own cache (kfree_bulk).
  void kmem_cache_free_bulk(KmemCache* s, size_t n, void** p);
  unsigned kmem_cache_size(const KmemCache* s) const { return s->object_size; }
  KmemCache* find_cache(const char* name);
  // Calls fn for every listed cache, under the cache list lock.
  void for_each_cache(void (*fn)(KmemCache* s, void* arg), void* arg);
  void slab_info(const KmemCache* s, SlabInfo& out);
  // The cache kmalloc uses for size with gfp (nullptr above 8 KiB or 0).
  KmemCache* kmalloc_slab(size_t size, gfp_t gfp) const;
  [[gnu::always_inline]] void* kmalloc(size_t size, gfp_t gfp) {
    return kmalloc_impl(size, gfp, NUMA_NO_NODE, __builtin_return_address(0));
  }
  void* kmalloc_node(size_t size, gfp_t gfp, int nid) {
    return kmalloc_impl(size, gfp, nid, __builtin_return_address(0));
  }
  inline void* kmalloc_impl(size_t size, gfp_t gfp, int nid, const void* caller);  // slab_fast.h
  void* kmalloc_slow(size_t size, gfp_t gfp, int nid);  // 0 and above KMALLOC_MAX_CACHE_SIZE
  inline void kfree(const void* p);                     // slab/slab_fast.h
  // Usable size of the object's bucket; 0 for null, ZERO_SIZE_PTR or a
  // pointer that is not the start of a live kmalloc object.
  size_t ksize(const void* p);
  void* krealloc(const void* p, size_t new_size, gfp_t gfp);
  void kfree_sensitive(const void* p);
  // kmalloc_size_roundup: the bucket size kmalloc would use.
  size_t kmalloc_size_roundup(size_t size) const;
  // Whether p is a slab object (kmem_valid_obj) and which cache it is in.
  KmemCache* virt_to_cache(const void* p) const;
  // Every cache, every slab: counters equal to the freelists; every sheaf
  // (the CPUs' and the barns') holds object starts of its cache that are not
  // on a freelist; the shared placeholder sheaf is never written. Takes every
  // CPU slot. Returns false with the reason in msg.
  bool slab_check_invariants(char* msg, size_t n);
  unsigned long slab_validate(KmemCache* s);  // slub_debug validate
  // Pages held by the slab layer (SReclaimable + SUnreclaim).
  unsigned long slab_pages() const;
  // The fast paths are inline (slab/slab_fast.h); the rest is in slub.cpp.
  inline void* slab_alloc(KmemCache* s, gfp_t gfp, int nid, const void* caller, unsigned orig_size);
  void* slab_alloc_slow(KmemCache* s, gfp_t gfp, int nid, const void* caller, unsigned orig_size,
                        CpuRef c, bool entered);
  // obj is checked to be an object of slab (a slab of s); entered: inside
  // the CPU slot with the main sheaf full.
  void slab_free_slow(KmemCache* s, Page* slab, void* obj, CpuRef c, bool entered);
  void kfree_slow(const void* p);
  inline void slab_free_fast(KmemCache* s, Page* page, void* obj);  // page: any page of the slab
  void kmem_cache_free_slow(KmemCache* s, void* obj);
  // obj is an object start of slab: its offset from the first object is a
  // multiple of the stride below objects * stride (a pointer below the first
  // object wraps to a huge offset, which no multiple matches).
  bool slab_object_ok(const KmemCache* s, const Page* slab, const void* obj) const {
    const u64 off = u64(static_cast<const u8*>(obj) - direct_map_) -
                    (u64(slab - mem_map_) << PAGE_SHIFT) - s->red_left_pad;
    const unsigned idx = unsigned((off * s->reciprocal_size) >> 32);
    return idx < slab_objects(slab) && u64(idx) * s->size == off;
  }

  // ---- RCU (rcu/rcu.cpp) ----------------------------------------------------
  // Read-side sections nest and may be entered in any context; _bh and
  // _sched also disable bottom halves / preemption. synchronize_rcu() waits
  // for every section begun before it (reported, and no wait, inside one).
  // call_rcu() never sleeps; func(head) runs after a grace period on the
  // machine's rcu_preempt thread, in softirq context. rcu_barrier() waits
  // for every callback queued before it. kvfree_call_rcu(head, ptr) kfree()s
  // ptr after a grace period (head == nullptr: may sleep, kfree_rcu_mightsleep).
  void rcu_read_lock() { rcu_.read_lock(*this, RCU_FLAVOR_RCU); }
  void rcu_read_unlock() {
    if (__builtin_expect(!rcu_.read_unlock(*this, RCU_FLAVOR_RCU), 0))
      rcu_unlock_imbalance(RCU_FLAVOR_RCU);
  }
  void rcu_read_lock_bh();
  void rcu_read_unlock_bh();
  void rcu_read_lock_sched();
  void rcu_read_unlock_sched();
  void rcu_unlock_imbalance(RcuFlavor f);  // lockdep's "bad unlock balance"
  void synchronize_rcu();
  void synchronize_rcu_expedited() { synchronize_rcu(); }
  void call_rcu(RcuHead* head, rcu_callback_t func);
  void rcu_barrier();
  void kvfree_call_rcu(RcuHead* head, void* ptr);
  void kvfree_rcu_barrier() { rcu_barrier(); }
  unsigned long get_state_synchronize_rcu() const { return rcu_.get_state(); }
  bool poll_state_synchronize_rcu(unsigned long oldstate) const {
    return rcu_.poll_state(oldstate);
  }
  void cond_synchronize_rcu(unsigned long oldstate);
  RcuStats rcu_stats() const { return rcu_.stats(); }
  RcuState& rcu() { return rcu_; }
  void rcu_start();     // end of boot()
  void rcu_shutdown();  // shutdown(): runs every pending callback, stops the thread

  // ---- contexts (context/, kernel.cpp) -------------------------------------
  // might_sleep(): a call that may sleep. In atomic context (preempt_count
  // != 0 or interrupts off) it prints Linux's "BUG: sleeping function called
  // from invalid context at file:line" report, at most once a second, and
  // counts BUG_ATOMIC_SLEEP every time (debug_atomic_sleep=0: nothing).
  void might_sleep(const char* file, int line) {
    if (__builtin_expect(atomic_context(), 0) && opts_.debug_atomic_sleep)
      report_atomic_sleep(file, line);
  }
  void report_atomic_sleep(const char* file, int line);
  // Interrupt lines (context/irq.h). request_irq: 0, -EINVAL (bad line or
  // handler), -EBUSY (taken and not both IRQF_SHARED). free_irq returns the
  // name given to request_irq, nullptr if dev_id has no handler on irq.
  int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags, const char* name,
                  void* dev_id);
  const char* free_irq(unsigned irq, void* dev_id);
  // Runs irq's handlers on this thread in hardirq context (held until
  // interrupts are enabled if this thread has them off). -EINVAL if none.
  int generic_handle_irq(unsigned irq);
  const IrqDesc& irq_desc(unsigned irq) const { return irq_desc_[irq]; }
  // Sleeping on a WaitEvent: prepare_to_wait() registers the caller and
  // returns the sequence to pass to wait_event() after re-checking the
  // condition; finish_wait() unregisters. wake_up_all() is cheap when
  // nobody waits.
  u32 prepare_to_wait(WaitEvent& w);
  void wait_event(WaitEvent& w, u32 seen, u64 timeout_ns);
  void finish_wait(WaitEvent& w) { w.waiters.fetch_sub(1, std::memory_order_relaxed); }
  void wake_up_all(WaitEvent& w) {
    std::atomic_signal_fence(std::memory_order_seq_cst);  // see prepare_to_wait()
    if (__builtin_expect(w.waiters.load(std::memory_order_relaxed) != 0, 0)) wake_up_slow(w);
  }
  void wake_up_slow(WaitEvent& w);

  // ---- reclaim (page_alloc/vmscan.cpp) ------------------------------------
  // shrinker_alloc: a zeroed shrinker named name (nullptr when the
  // machine's MAX_SHRINKERS are in use); shrinker_register makes reclaim
  // call it; shrinker_free unregisters, waits for calls in progress and
  // releases it (nullptr is ignored).
  Shrinker* shrinker_alloc(unsigned flags, const char* name);
  void shrinker_register(Shrinker* s);
  void shrinker_free(Shrinker* s);
  // One pass over the shrinkers for node nid at a reclaim priority (12 =
  // gentle .. 0 = everything); returns the objects they freed.
  unsigned long shrink_slab(gfp_t gfp, int nid, int priority);
  // echo 2 > /proc/sys/vm/drop_caches: shrink until nothing more goes.
  unsigned long drop_slab();
  // Wakes node's kswapd for an allocation of order that found zones up to
  // highest below their low watermark.
  void wakeup_kswapd(Zone& z, gfp_t gfp, unsigned order, ZoneType highest);
  // The sequence allocators sleep on until memory is freed.
  WaitEvent& free_wait() { return free_wait_; }
  bool node_unreclaimable(const Node& n) const;

  // ---- the OOM killer (page_alloc/oom.cpp) -----------------------------------
  // Tasks: init gives t a pid and puts it on the machine's task list;
  // charge/uncharge move an allocated block onto/off its pages (the task
  // then owns the block: a kill frees it); exit frees whatever is left
  // charged and takes t off the list. uncharge returns false when the block
  // is no longer charged to t (a kill reaped it): the caller must not free
  // it. The notifier calls return 0, -EEXIST or -ENOENT (see oom.h).
  void task_init(Task* t, const char* comm, int oom_score_adj);
  void task_charge(Task* t, Page* page, unsigned order);
  [[nodiscard]] bool task_uncharge(Task* t, Page* page, unsigned order);
  void task_exit(Task* t);
  int register_oom_notifier(NotifierBlock* nb);
  int unregister_oom_notifier(NotifierBlock* nb);
  // out_of_memory: notifiers first, then the badness-based kill with
  // Linux's report. True if memory was freed (or a victim is dying).
  bool out_of_memory(OomControl& oc);
  bool task_is_oom_victim(const Task* t) const {
    return t && (t->state.load(std::memory_order_relaxed) & TASK_OOM_VICTIM);
  }

  // ---- HighMem (highmem/highmem.cpp) ---------------------------------------------
  // kmap: a lowmem page's direct-map address; a HighMem page's slot in the
  // PKMAP window, shared and refcounted (may sleep for a free slot).
  // kmap_local_page: a HighMem page's slot on this thread's LIFO stack (at
  // most 16, never sleeps); lowmem pages need none. Misuse is reported.
  void* kmap(Page* page);
  void kunmap(Page* page);
  void* kmap_local_page(Page* page);
  void kunmap_local(const void* addr);
  HighmemState& highmem() { return highmem_; }
  const HighmemState& highmem() const { return highmem_; }

  // ---- address translation ------------------------------------------------
  pfn_t max_pfn() const { return max_pfn_; }
  bool pfn_valid(pfn_t pfn) const { return pfn < max_pfn_; }
  Page* pfn_to_page(pfn_t pfn) const { return mem_map_ + pfn; }
  pfn_t page_to_pfn(const Page* p) const { return pfn_t(p - mem_map_); }
  // Points at a descriptor in mem_map.
  bool is_page(const void* p) const {
    auto a = reinterpret_cast<uintptr_t>(p), base = reinterpret_cast<uintptr_t>(mem_map_);
    return a - base < max_pfn_ * sizeof(Page) && (a - base) % sizeof(Page) == 0;
  }
  phys_addr_t page_to_phys(const Page* p) const { return pfn_phys(page_to_pfn(p)); }
  // Kernel virtual address of a lowmem page; for a HighMem page its kmap()
  // address while a PKMAP slot maps it, else nullptr.
  void* page_address(const Page* p) const;
  // The direct-map address of any page, HighMem too (for the core's own use).
  void* page_to_virt_raw(const Page* p) const { return direct_map_ + page_to_phys(p); }
  void* phys_to_virt(phys_addr_t pa) const { return direct_map_ + pa; }
  phys_addr_t virt_to_phys(const void* v) const {
    return phys_addr_t(static_cast<const u8*>(v) - direct_map_);
  }
  bool virt_addr_valid(const void* v) const;
  Page* virt_to_page(const void* v) const { return pfn_to_page(phys_pfn(virt_to_phys(v))); }
  u8* direct_map() const { return direct_map_; }

  // ---- topology -------------------------------------------------------------
  const Options& options() const { return opts_; }
  int nr_node_ids() const { return nr_nodes_; }
  Node* node_data(int nid) const { return nodes_[nid]; }
  unsigned nr_cpus() const { return unsigned(opts_.cpus); }
  int cpu_to_node(unsigned cpu) const { return cpu_node_[cpu]; }
  unsigned current_cpu() const { return this_cpu().cpu; }
  // The calling thread's CPU slot: one TLS compare on the fast path (the
  // platform is asked once per thread and machine).
  CpuRef this_cpu() const {
    const TaskContext& t = current_ctx();
    if (__builtin_expect(t.cpu_cache_uid == uid_, 1)) return t.cpu_cache;
    return this_cpu_slow();
  }
  CpuRef this_cpu_slow() const;
  // Enter/leave this CPU's per-CPU data from the running thread. enter fails
  // (and the caller takes its shared slow path) when the thread does not own
  // the slot or a remote CPU is inside it.
  bool cpu_enter(CpuRef c) {
    if (__builtin_expect(!c.fast, 0)) return !asymmetric_ && cpu_slots_[c.cpu].lock.try_lock();
    return cpu_enter_fast(&cpu_slots_[c.cpu]);
  }
  void cpu_leave(CpuRef c) {
    if (__builtin_expect(c.fast, 1)) cpu_leave_fast(&cpu_slots_[c.cpu]);
    else cpu_slots_[c.cpu].lock.unlock();
  }
  // The fast paths' form: the calling thread's slot if it owns it in the
  // asymmetric mode (CpuRef::fast), else null; enter and leave that slot
  // (enter fails while a remote CPU holds it). CpuRef{slot->cpu, true, true}
  // is the same entry for the slow paths.
  CpuSlot* fast_slot() const {
    const TaskContext& t = current_ctx();
    if (__builtin_expect(t.cpu_cache_uid == uid_, 1)) return t.cpu_fast_slot;
    return fast_slot_slow();
  }
  CpuSlot* fast_slot_slow() const;
  static bool cpu_enter_fast(CpuSlot* s) {
    s->busy.store(1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (__builtin_expect(s->lock.is_locked_acquire(), 0)) {
      s->busy.store(0, std::memory_order_release);
      return false;
    }
    return true;
  }
  static void cpu_leave_fast(CpuSlot* s) { s->busy.store(0, std::memory_order_release); }
  // Exclusive access to any CPU's per-CPU data, from any thread (drains,
  // the invariant checker). Slow: a heavy barrier in the asymmetric mode.
  void cpu_lock_remote(unsigned cpu);
  // All CPUs at once, with one heavy barrier; released with cpu_unlock_remote each.
  void cpu_lock_remote_all();
  void cpu_unlock_remote(unsigned cpu) { cpu_slots_[cpu].lock.unlock(); }
  bool asymmetric_cpu_entry() const { return asymmetric_; }
  int numa_node_id() const { return cpu_to_node(current_cpu()); }
  Zone* page_zone(const Page* p) const { return pfn_zone(page_to_pfn(p)); }
  // nullptr in a hole or beyond the last page frame.
  Zone* pfn_zone(pfn_t pfn) const {
    if (pfn >= max_pfn_) return nullptr;
    u8 b = pb_zone_node_[pfn >> pageblock_order];
    return (b & 7) == 7 ? nullptr : &nodes_[b >> 3]->zones[b & 7];
  }
  // gfp_zone() for this machine's profile, from a table built at boot.
  ZoneType gfp_zone_of(gfp_t gfp) const { return gfp_zone_table_[gfp & gfp::ZONEMASK]; }
  bool zone_configured(ZoneType z) const { return zone_configured_[z]; }
  bool has_dma32() const { return zone_configured_[ZONE_DMA32]; }
  bool has_highmem() const { return zone_configured_[ZONE_HIGHMEM]; }
  MigrateType pageblock_migratetype(pfn_t pfn) const {
    return MigrateType(pb_mt_[pfn >> pageblock_order].load(std::memory_order_relaxed));
  }
  bool mobility_grouping() const { return grouping_; }

  // ---- boot memory ----------------------------------------------------------
  const E820Table& e820() const { return e820_; }
  Memblock& memblock() { return memblock_; }
  const Memblock& memblock() const { return memblock_; }
  // memblock_alloc (zeroed) / memblock_alloc_raw: virtual address or nullptr.
  // After boot these fail with a warning, as in Linux once slab is up.
  void* memblock_alloc(size_t size, size_t align);
  void* memblock_alloc_raw(size_t size, size_t align);
  void* memblock_alloc_node(size_t size, size_t align, int nid);

  // ---- statistics -------------------------------------------------------------
  u64 sum_vm_event(VmEventItem i) const;
  u64 sum_zone_event(VmZoneEventItem i, ZoneType z) const;
  // numa_hit, numa_miss, ... of one zone, summed over its per-CPU counters.
  u64 zone_numa_stat(const Zone& z, NumaStatItem i) const;
  void count_vm_event(VmEventItem i, u64 d = 1) { count_vm_event(current_cpu(), i, d); }
  void count_vm_event(unsigned cpu, VmEventItem i, u64 d) { vm_events_[cpu].event[i].add(d); }
  void count_zone_event(unsigned cpu, VmZoneEventItem i, ZoneType z, u64 d) {
    vm_events_[cpu].zone_event[i][z].add(d);
  }
  unsigned long totalram_pages() const;  // managed pages of all zones
  unsigned long global_free_pages() const;
  unsigned long totalreserve_pages() const { return totalreserve_pages_; }
  unsigned long min_free_kbytes() const { return min_free_kbytes_; }
  unsigned long memmap_pages() const { return memmap_pages_; }
  // Free pages when boot() returned: all managed memory but what the slab
  // layer's boot caches took (the per-CPU lists drained).
  unsigned long boot_free_pages() const { return boot_free_pages_; }
  u64 alloc_failures() const { return alloc_failures_.load(std::memory_order_relaxed); }
  u64 bug_count(BugKind k) const { return bugs_[k].load(std::memory_order_relaxed); }

  // ---- console and misuse reports ---------------------------------------------
  void printk(LogLevel lvl, const char* fmt, ...) KMEM_PRINTF(3, 4);
  void log_text(LogLevel lvl, const char* text, size_t len) const;
  // Counts a detected misuse and prints its report (already formatted in
  // text) according to bug_action=; panics when that says so.
  void report_bug(BugKind kind, const char* text, size_t len);
  // The running task's name and pid: the Task the thread runs as, if any,
  // else the thread's own.
  void current_comm(char* buf, size_t n) const;
  int current_pid() const {
    const Task* t = current_ctx().task;
    return t ? t->pid : ops_.current_pid(ops_.ctx);
  }
  const PlatformOps& platform() const { return ops_; }

  // ---- invariants ------------------------------------------------------------
  // Walks every zone under its lock: each free block on exactly one list with
  // the right order, alignment, zone and migratetype; no block overlapping
  // another or a pcp page; counters equal to the lists; totals consistent.
  // Returns true when all hold; otherwise writes what failed into msg.
  bool check_invariants(char* msg, size_t n);
  // True if no page of [page, page + 2^order) is on a free list or pcp list.
  bool block_is_allocated(const Page* page, unsigned order);

  // ---- internals shared by the page_alloc translation units -------------------
  struct Internal;
  friend struct Internal;

 private:
  void* memblock_alloc_node_raw_impl(size_t size, size_t align, int nid);
  bool boot_layout(CmdlineError& err);
  bool boot_nodes(CmdlineError& err);
  void boot_zones();
  void build_zonelists();
  void free_all_to_buddy();
  void setup_watermarks();
  void setup_pcp();
  void start_kswapd();

  Options opts_{};
  PlatformOps ops_{};
  E820Table e820_{};
  Memblock memblock_{};
  bool booted_ = false;
  // system_state >= SYSTEM_SCHEDULING: boot() has returned. Before that
  // might_sleep() stays silent, as Linux's __might_sleep is during early boot.
  bool system_scheduling_ = false;
  u64 uid_ = 0;  // unique per booted machine in this process (this_cpu's cache key)
  bool grouping_ = true;
  bool zone_configured_[MAX_NR_ZONES] = {};

  u8* direct_map_ = nullptr;
  u64 direct_map_bytes_ = 0;
  Page* mem_map_ = nullptr;
  pfn_t max_pfn_ = 0;
  pfn_t max_low_pfn_ = 0;  // end of the direct-mapped lowmem (i386: 896 MiB)
  unsigned long memmap_pages_ = 0;
  unsigned long boot_free_pages_ = 0;

  // Per pageblock: bits 0-2 zone index (7 = hole), bits 3-7 node id.
  u8* pb_zone_node_ = nullptr;
  std::atomic<u8>* pb_mt_ = nullptr;  // migratetype, under the zone lock
  unsigned long nr_pageblocks_ = 0;

  int nr_nodes_ = 0;
  Node* nodes_[MAX_NUMNODES] = {};
  pfn_t node_end_pfn_[MAX_NUMNODES] = {};
  int cpu_node_[NR_CPUS] = {};
  VmEventState* vm_events_ = nullptr;
  CpuSlot* cpu_slots_ = nullptr;
  ZoneType gfp_zone_table_[16] = {};
  bool asymmetric_ = false;

  unsigned long min_free_kbytes_ = 0;
  unsigned long totalreserve_pages_ = 0;
  std::atomic<u64> alloc_failures_{0};
  std::atomic<u64> bugs_[NR_BUG_KINDS] = {};
  IrqDesc irq_desc_[NR_IRQS];
  std::atomic<u64> last_atomic_sleep_ns_{0};  // the might_sleep report's rate limit
  WaitEvent free_wait_;

  // Reclaim (page_alloc/vmscan.cpp).
  SpinLock shrinker_lock_;
  Shrinker shrinker_pool_[MAX_SHRINKERS] = {};
  bool shrinker_used_[MAX_SHRINKERS] = {};
  bool kswapd_running_ = false;

  // OOM (page_alloc/oom.cpp).
  SpinLock oom_lock_;  // task list, notifier chain
  ListHead task_list_;
  NotifierBlock* oom_notifiers_ = nullptr;
  std::atomic<int> next_task_pid_{1000};
  SpinLock oom_kill_lock_;   // one OOM kill at a time (oom_lock)
  u64 oom_rs_begin_ns_ = 0;  // oom_rs: report rate limit, under oom_lock_
  unsigned oom_rs_printed_ = 0;

  HighmemState highmem_;  // kmap windows (highmem/highmem.cpp)
  RcuState rcu_;          // read-side counters, callbacks, rcu_preempt (rcu/rcu.cpp)

  // The slab layer (slab/).
  SlabState slab_{};
  void kmem_cache_init();
  void kmem_cache_exit();
  friend struct SlabOps;

  u8* check_bitmap_ = nullptr;              // one bit per pfn, for check_invariants()
  std::atomic<u64> warned_order_once_{0};   // WARN_ON_ONCE for order > MAX_PAGE_ORDER
  std::atomic<u64> last_warn_alloc_ns_{0};  // warn_alloc's rate limit
  SpinLock check_lock_;
};

}  // namespace kmem

#include "slab/slab_fast.h"
