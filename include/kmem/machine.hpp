// SPDX-License-Identifier: MIT
// kmem::Machine -- one simulated machine in this process: its physical memory
// (a memfd), its page descriptors, zones and allocators. Several machines may
// live side by side; each is independent.
//
//   auto m = kmem::Machine::create("mem=2G cpus=4 numa=2");
//   kmem::Page* p = m->alloc_pages(kmem::gfp::KERNEL, 2);
//   std::memset(m->page_address(p), 0, 4 * 4096);
//   m->free_pages(p, 2);
//   std::cout << m->proc("buddyinfo");
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kmem/gfp.hpp"

namespace kmem {

class Kernel;
struct Page;
struct Task;
struct KmemCache;  // a slab cache (the core's; only pointers are handed out)

// Thrown by the Machine constructor for a command line that does not boot.
class BootError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Machine {
 public:
  // Boots a machine from a kernel command line ("" = defaults: mem=1G cpus=4).
  // Throws BootError naming the bad option.
  explicit Machine(std::string_view cmdline = {});
  // Same, without exceptions: nullptr and *error on failure.
  static std::unique_ptr<Machine> create(std::string_view cmdline, std::string* error = nullptr);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // The freestanding core behind this machine (white-box access).
  Kernel& kernel();
  const Kernel& kernel() const;
  std::string cmdline() const;

  // ---- page allocator (Linux names and semantics) ----
  Page* alloc_pages(gfp_t gfp, unsigned order, int nid = -1);
  void free_pages(Page* page, unsigned order);
  unsigned long get_free_pages(gfp_t gfp, unsigned order);
  unsigned long get_zeroed_page(gfp_t gfp);
  void free_pages(unsigned long addr, unsigned order);
  void* alloc_pages_exact(std::size_t size, gfp_t gfp);
  void free_pages_exact(void* virt, std::size_t size);
  void* page_address(const Page* page) const;
  Page* virt_to_page(const void* addr) const;
  unsigned long page_to_pfn(const Page* page) const;
  Page* pfn_to_page(unsigned long pfn) const;
  std::uint64_t virt_to_phys(const void* addr) const;
  void* phys_to_virt(std::uint64_t phys) const;

  // ---- HighMem (i386 profile; <linux/highmem.h>) ----
  // kmap: a mapping of any page, valid on every thread until kunmap(page)
  // (may sleep for a slot). kmap_local_page: a mapping valid on this thread
  // until kunmap_local(addr), undone in reverse order. Lowmem pages get
  // their page_address() and take no slot.
  void* kmap(Page* page);
  void kunmap(Page* page);
  void* kmap_local_page(Page* page);
  void kunmap_local(const void* addr);

  // ---- slab caches and kmalloc (<linux/slab.h>; kmem/slab.hpp has Cache<T>) ----
  // Linux 6.18 semantics (docs/slab.md): kmalloc(0) is ZERO_SIZE_PTR (16),
  // kfree(nullptr) and kfree(ZERO_SIZE_PTR) do nothing, bad pointers are
  // reported, never followed. nid -1: any node. kmem_cache_create returns
  // nullptr on failure (flags: kmem::slab::* in kmem/slab.hpp, align 0:
  // default); a cache may be merged with a compatible one.
  // kmem_cache_alloc_bulk is all or nothing (n or 0). slab_validate runs
  // slub_debug's validation over the cache and returns the errors found;
  // slab_check_invariants checks every cache's counters and lists (false
  // with the reason in *why).
  void* kmalloc(std::size_t size, gfp_t gfp, int nid = -1);
  void* kzalloc(std::size_t size, gfp_t gfp, int nid = -1);
  void kfree(const void* p);
  void* krealloc(const void* p, std::size_t new_size, gfp_t gfp);
  std::size_t ksize(const void* p);
  KmemCache* kmem_cache_create(std::string_view name, unsigned size, unsigned align = 0,
                               std::uint32_t flags = 0, void (*ctor)(void*) = nullptr);
  void kmem_cache_destroy(KmemCache* s);
  int kmem_cache_shrink(KmemCache* s);
  void* kmem_cache_alloc(KmemCache* s, gfp_t gfp, int nid = -1);
  void kmem_cache_free(KmemCache* s, void* obj);
  int kmem_cache_alloc_bulk(KmemCache* s, gfp_t gfp, std::size_t n, void** p);
  void kmem_cache_free_bulk(KmemCache* s, std::size_t n, void** p);
  unsigned long slab_validate(KmemCache* s);
  bool slab_check_invariants(std::string* why = nullptr);

  // ---- reports ----
  // The text of a /proc or debugfs file: "buddyinfo", "pagetypeinfo",
  // "zoneinfo", "meminfo", "vmstat", "slabinfo", "unusable_index",
  // "extfrag_index", "e820", "memblock/memory", "memblock/reserved", and
  // kmem's own "slab_stats" (docs/proc.md). Throws std::invalid_argument
  // for an unknown name.
  std::string proc(std::string_view name) const;
  static std::vector<std::string> proc_files();

  // ---- console ----
  // Everything the kernel printed since the last call (reports, warnings).
  std::string take_log();
  // Also write console output to stderr as it happens (default: off unless
  // the environment variable KMEM_CONSOLE=1).
  void set_console_echo(bool on);

  // ---- CPUs ----
  // Binds the calling thread to CPU slot cpu (per thread, for every machine).
  static void bind_current_thread(unsigned cpu);

  // ---- OOM tasks (the OOM killer's candidates; src/core/page_alloc/oom.h) ----
  // A task is a killable process: a name (up to 15 characters), an
  // oom_score_adj clamped to [-1000, 1000], and the pages charged to it.
  // When an allocation that may use the OOM killer finds no memory, the task
  // with the highest badness (charged pages + oom_score_adj * RAM pages /
  // 1000; -1000 never) is killed: its charged pages are freed, it is marked
  // killed, and on_kill(task, arg) runs once on the allocating thread (it
  // should only tell whoever drives the task to stop; it may create and
  // destroy tasks, this one included, but must not allocate).
  using TaskKillFn = void (*)(Task* task, void* arg);
  Task* create_task(std::string_view name, int oom_score_adj = 0, TaskKillFn on_kill = nullptr,
                    void* arg = nullptr);
  // Frees the pages still charged to the task and releases it.
  void destroy_task(Task* task);
  // alloc_pages() charged to task (nullptr on failure); task_free_pages()
  // uncharges and frees it, or does nothing if a kill already freed it.
  Page* task_alloc_pages(Task* task, gfp_t gfp, unsigned order);
  void task_free_pages(Task* task, Page* page, unsigned order);
  static bool task_killed(const Task* task);
  static unsigned long task_rss(const Task* task);  // pages charged
  static int task_pid(const Task* task);
  // The calling thread runs as task until detach_task() (reports name it; a
  // killed task's allocations may dip into the OOM reserve).
  static void attach_task(Task* task);
  static void detach_task();

  // ---- interrupts and reclaim (src/core/context/irq.h, page_alloc/shrinker.h) ----
  // Interrupt lines 0..255. request_irq() attaches handler(irq, dev_id):
  // 0, -EINVAL (bad line, no handler, kIrqShared with a null dev_id) or
  // -EBUSY (taken, and not every handler on it asked for kIrqShared; at
  // most 4 share a line). free_irq() detaches dev_id's handler, after a run
  // of it in progress elsewhere, and returns request_irq()'s name (nullptr
  // and a WARNING if there is none). generic_handle_irq() raises irq on the
  // calling thread: the handlers run at once in hardirq context with
  // interrupts off (held until the thread enables them, if it has them
  // off), then the tasklets they scheduled; -EINVAL if it has no handler.
  // A handler returns 1 (IRQ_HANDLED) or 0 (IRQ_NONE). See kmem/context.hpp.
  using IrqHandler = int (*)(int irq, void* dev_id);
  static constexpr unsigned long kIrqShared = 0x80;  // IRQF_SHARED
  int request_irq(unsigned irq, IrqHandler handler, unsigned long flags, const char* name,
                  void* dev_id);
  const char* free_irq(unsigned irq, void* dev_id);
  int generic_handle_irq(unsigned irq);

  // Shrinkers: what reclaim (kswapd, direct reclaim, drop_slab()) calls to
  // shrink caches, with Linux's do_shrink_slab() arithmetic (see
  // <linux/shrinker.h>). count returns the freeable objects (0 or
  // kShrinkEmpty: none); scan frees up to req.nr_to_scan of them and returns
  // how many (kShrinkStop: stop this pass), lowering req.nr_scanned if it
  // looked at fewer. They run on the reclaiming thread (the allocating one,
  // or kswapd) and must not throw. flags: kShrinkerNumaAware (called per
  // node with req.nid) and kShrinkerFs (not called by reclaim without
  // __GFP_FS: GFP_NOFS, a NofsScope). register_shrinker() returns an id for
  // unregister_shrinker(), or -1 when the machine's 128 shrinkers are in
  // use; unregister_shrinker() waits for callbacks in progress (unknown ids
  // are ignored).
  struct ShrinkRequest {
    gfp_t gfp_mask;
    int nid;
    unsigned long nr_to_scan;
    unsigned long nr_scanned;
  };
  using ShrinkCount = std::function<unsigned long(const ShrinkRequest& req)>;
  using ShrinkScan = std::function<unsigned long(ShrinkRequest& req)>;
  static constexpr unsigned long kShrinkStop = ~0UL;       // SHRINK_STOP
  static constexpr unsigned long kShrinkEmpty = ~0UL - 1;  // SHRINK_EMPTY
  static constexpr unsigned kShrinkerNumaAware = 1u << 3;  // SHRINKER_NUMA_AWARE
  static constexpr unsigned kShrinkerFs = 1u << 8;         // SHRINKER_FS (kmem's)
  int register_shrinker(std::string_view name, ShrinkCount count, ShrinkScan scan,
                        unsigned flags = 0, int seeks = 2, long batch = 0);
  void unregister_shrinker(int id);
  // echo 2 > /proc/sys/vm/drop_caches: shrink until (almost) nothing more
  // goes; returns the objects freed.
  unsigned long drop_slab();
  // Misuse detected so far, by kind: a kmem_bug_kind of <kmem/kmem.h>
  // (KMEM_BUG_BAD_PAGE, KMEM_BUG_BAD_FREE, KMEM_BUG_WARN,
  // KMEM_BUG_ATOMIC_SLEEP). 0 for an unknown kind.
  std::uint64_t bug_count(unsigned kind) const;
  // ---- end of interrupts and reclaim ----

  struct Impl;

 private:
  explicit Machine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kmem
