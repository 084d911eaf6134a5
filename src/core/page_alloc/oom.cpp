// SPDX-License-Identifier: MIT
// The OOM killer (mm/oom_kill.c): tasks and the pages charged to them, the
// OOM notifier chain, victim selection by badness, Linux's report, and the
// reaping of the victim's memory. The model and the lock order are in
// page_alloc/oom.h.
//
// What happens when an allocation runs out (out_of_memory, oom_lock_ held
// throughout):
//
//   notifiers --freed > 0--> return true (nobody is killed)
//   panic_on_oom --> dump_header, panic
//   select_bad_process: a victim still dying --> return true (wait for it)
//                       none eligible --> "no killable processes", false
//   oom_kill_process: report (rate-limited), mark TASK_OOM_VICTIM, count
//                     OOM_KILL, "Killed process", reap every charged block,
//                     TASK_DEAD, on_kill, wake the allocators --> true
#include <errno.h>

#include "page_alloc/internal.h"

namespace kmem {

namespace {

// DEFAULT_RATELIMIT_INTERVAL / _BURST: the OOM report's oom_rs.
constexpr u64 kOomRsIntervalNs = 5ULL * 1000000000ULL;
constexpr unsigned kOomRsBurst = 10;
constexpr size_t kReportBytes = 16384;

// Page counts in kB (Linux's K()).
unsigned long pages_kb(unsigned long pages) { return pages << (PAGE_SHIFT - 10); }

Task* task_of(ListHead* node) { return list_entry<Task, __builtin_offsetof(Task, node)>(node); }

// page->owner marks a block as charged to a task. Reads may race with the
// block's next owner once a kill freed it, hence atomic accesses.
void* page_owner(Page* p) {
  return std::atomic_ref<void*>(p->owner).load(std::memory_order_relaxed);
}
void set_page_owner(Page* p, void* o) {
  std::atomic_ref<void*>(p->owner).store(o, std::memory_order_relaxed);
}

// The machine whose out_of_memory() this thread is running: it holds that
// machine's oom_lock_, and the notifiers and on_kill it calls may come back
// into the task and notifier calls.
__thread const Kernel* tls_oom_lock_owner;

// Holds oom_lock_ unless this thread already does (see tls_oom_lock_owner).
class OomLockGuard {
 public:
  OomLockGuard(const Kernel& k, SpinLock& l) : l_(tls_oom_lock_owner == &k ? nullptr : &l) {
    if (l_ != nullptr) l_->lock();
  }
  ~OomLockGuard() {
    if (l_ != nullptr) l_->unlock();
  }
  OomLockGuard(const OomLockGuard&) = delete;
  OomLockGuard& operator=(const OomLockGuard&) = delete;

 private:
  SpinLock* l_;
};

// Marks this thread as the holder of k's oom_lock_ for a scope.
class OomLockOwner {
 public:
  explicit OomLockOwner(const Kernel& k) : outer_(tls_oom_lock_owner) { tls_oom_lock_owner = &k; }
  ~OomLockOwner() { tls_oom_lock_owner = outer_; }
  OomLockOwner(const OomLockOwner&) = delete;
  OomLockOwner& operator=(const OomLockOwner&) = delete;

 private:
  const Kernel* outer_;
};

void warn_task(Kernel& k, const char* fn, const char* fmt, ...) KMEM_PRINTF(3, 4);
void warn_task(Kernel& k, const char* fn, const char* fmt, ...) {
  char text[320];
  size_t n = format(text, sizeof text, "WARNING: CPU: %u PID: %d at mm/oom_kill.c:0 %s\n",
                    k.current_cpu(), k.current_pid(), fn);
  if (n < sizeof text) {
    va_list ap;
    va_start(ap, fmt);
    n += vformat(text + n, sizeof text - n, fmt, ap);
    va_end(ap);
  }
  if (n >= sizeof text) n = sizeof text - 1;
  k.report_bug(BUG_WARN, text, n);
}

// Takes every block charged to t off its list into out (t->lock held only
// while unlinking): from here on the caller alone frees them.
void detach_all(Task* t, ListHead& out) {
  out.init();
  SpinGuard g(t->lock);
  unsigned long nr = 0;
  while (!t->pages.empty()) {
    ListHead* l = t->pages.next;
    Page* p = lru_to_page(l);
    set_page_owner(p, nullptr);
    nr += 1UL << p->private_;
    l->del();
    out.add_tail(l);
  }
  t->rss.fetch_sub(nr, std::memory_order_relaxed);
}

// Frees the blocks detach_all() collected.
void free_detached(Kernel& k, ListHead& list) {
  while (!list.empty()) {
    ListHead* l = list.next;
    Page* p = lru_to_page(l);
    unsigned order = unsigned(p->private_);
    l->del();
    p->private_ = 0;
    k.free_pages(p, order);
  }
}

// __ratelimit(&oom_rs) over state guarded by oom_lock_.
bool oom_ratelimit(const Kernel& k, u64& begin, unsigned& printed) {
  const PlatformOps& ops = k.platform();
  const u64 now = ops.now_ns ? ops.now_ns(ops.ctx) : 0;
  if (begin == 0 || now - begin >= kOomRsIntervalNs) {
    begin = now == 0 ? 1 : now;
    printed = 0;
  }
  if (printed >= kOomRsBurst) return false;
  ++printed;
  return true;
}

// dump_stack() of the allocating thread, with the OOM path's frames.
void dump_stack(Seq& s, const Kernel& k, bool killing) {
  print_cpu_line(s, k, "G");
  s.puts("Call Trace:\n <TASK>\n dump_stack_lvl+0x0/0x0\n dump_header+0x0/0x0\n");
  if (killing) s.puts(" oom_kill_process+0x0/0x0\n");
  s.puts(
      " out_of_memory+0x0/0x0\n __alloc_pages_may_oom+0x0/0x0\n"
      " __alloc_pages_slowpath+0x0/0x0\n __alloc_frozen_pages_noprof+0x0/0x0\n </TASK>\n");
}

// dump_tasks(): every task with its memory, in pages.
void dump_tasks(Seq& s, ListHead& tasks) {
  s.puts("Tasks state (memory values in pages):\n");
  s.puts(
      "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes "
      "swapents oom_score_adj name\n");
  for (ListHead* n = tasks.next; n != &tasks; n = n->next) {
    const Task* t = task_of(n);
    const unsigned long rss = t->rss.load(std::memory_order_relaxed);
    s.print("[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5d %s\n", t->pid, 0, t->pid,
            rss, rss, rss, 0UL, 0UL, 0L, 0UL, t->oom_score_adj, t->comm);
  }
}

// dump_header(): who invoked the OOM killer, its stack, memory, the tasks.
void dump_header(Seq& s, Kernel& k, const OomControl& oc, ListHead& tasks, bool killing) {
  char comm[32];
  k.current_comm(comm, sizeof comm);
  const Task* cur = current_ctx().task;
  s.print("%s invoked oom-killer: gfp_mask=%#x(", comm, oc.gfp_mask);
  print_gfp(s, oc.gfp_mask);
  s.print("), order=%d, oom_score_adj=%d\n", oc.order, cur ? cur->oom_score_adj : 0);
  // kmem has no compaction.
  if (oc.order) s.puts("COMPACTION is disabled!!!\n");
  dump_stack(s, k, killing);
  show_mem(s, k);
  dump_tasks(s, tasks);
}

void print_mems_allowed(Seq& s, const Kernel& k) {
  if (k.nr_node_ids() > 1) s.print("mems_allowed=0-%d", k.nr_node_ids() - 1);
  else s.puts("mems_allowed=0");
}

// dump_oom_victim(): the one-line summary of the kill.
void dump_oom_victim(Seq& s, const Kernel& k, const Task* victim) {
  s.puts("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,");
  print_mems_allowed(s, k);
  s.print(",global_oom,task_memcg=/,task=%s,pid=%d,uid=0\n", victim->comm, victim->pid);
}

// select_bad_process(): the eligible task with the highest badness, the
// first found on ties. Returns false when a victim is still dying (Linux
// aborts the scan and waits for it).
bool select_bad_process(OomControl& oc, ListHead& tasks) {
  oc.chosen = nullptr;
  oc.chosen_points = OOM_BADNESS_INELIGIBLE;
  for (ListHead* n = tasks.next; n != &tasks; n = n->next) {
    Task* t = task_of(n);
    const u32 st = t->state.load(std::memory_order_acquire);
    if ((st & TASK_OOM_VICTIM) && !(st & TASK_DEAD)) {
      oc.chosen = nullptr;
      return false;
    }
    const long points = oom_badness(t, oc.totalpages);
    if (points == OOM_BADNESS_INELIGIBLE || points < oc.chosen_points) continue;
    if (oc.chosen != nullptr && points == oc.chosen_points) continue;
    oc.chosen = t;
    oc.chosen_points = points;
  }
  if (oc.chosen) oc.chosen_points = oc.chosen_points * 1000 / long(oc.totalpages);
  return true;
}

// blocking_notifier_call_chain(&oom_notify_list, 0, &freed): the pages
// the chain freed.
unsigned long call_oom_notifiers(NotifierBlock* nb) {
  unsigned long freed = 0;
  while (nb != nullptr) {
    NotifierBlock* next = nb->next;
    if (nb->notifier_call(nb, 0, &freed) & NOTIFY_STOP_MASK) break;
    nb = next;
  }
  return freed;
}

// __oom_reap_task_mm(): frees every block charged to the victim.
void oom_reap_task(Kernel& k, Task* victim) {
  ListHead blocks;
  detach_all(victim, blocks);
  free_detached(k, blocks);
  k.drain_all_pages();  // as after the notifiers
  victim->state.fetch_or(TASK_DEAD, std::memory_order_acq_rel);
  k.printk(LogLevel::info,
           "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:0kB, shmem-rss:0kB",
           victim->pid, victim->comm, pages_kb(victim->rss.load(std::memory_order_relaxed)));
}

// __oom_kill_process(): mark, count and tell (the line ends the report in
// fs), then reap, call on_kill and wake the allocators waiting for memory.
void oom_kill_process(Kernel& k, Task* victim, FixedSeq& fs) {
  victim->state.fetch_or(TASK_OOM_VICTIM, std::memory_order_acq_rel);
  k.count_vm_event(OOM_KILL);
  const unsigned long rss_kb = pages_kb(victim->rss.load(std::memory_order_relaxed));
  fs.seq().print(
      "Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:0kB, "
      "shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:%d\n",
      victim->pid, victim->comm, rss_kb, rss_kb, victim->oom_score_adj);
  k.log_text(LogLevel::err, fs.c_str(), fs.length());
  oom_reap_task(k, victim);
  // on_kill may end the task and release it: victim is not touched after.
  if (victim->on_kill != nullptr) victim->on_kill(victim, victim->kill_arg);
  k.wake_up_all(k.free_wait());
}

}  // namespace

long oom_badness(const Task* t, unsigned long totalpages) {
  if (t->oom_score_adj == OOM_SCORE_ADJ_MIN) return OOM_BADNESS_INELIGIBLE;
  // A reaped victim frees nothing more (MMF_OOM_SKIP).
  if (t->state.load(std::memory_order_relaxed) & TASK_DEAD) return OOM_BADNESS_INELIGIBLE;
  long points = long(t->rss.load(std::memory_order_relaxed));
  points += long(t->oom_score_adj) * long(totalpages / 1000);
  return points;
}

// ---- tasks ----------------------------------------------------------------------

void Kernel::task_init(Task* t, const char* comm, int oom_score_adj) {
  t->pid = next_task_pid_.fetch_add(1, std::memory_order_relaxed);
  if (oom_score_adj < OOM_SCORE_ADJ_MIN) oom_score_adj = OOM_SCORE_ADJ_MIN;
  if (oom_score_adj > OOM_SCORE_ADJ_MAX) oom_score_adj = OOM_SCORE_ADJ_MAX;
  t->oom_score_adj = oom_score_adj;
  format(t->comm, sizeof t->comm, "%s", comm != nullptr ? comm : "");
  t->state.store(0, std::memory_order_relaxed);
  t->rss.store(0, std::memory_order_relaxed);
  t->pages.init();
  OomLockGuard g(*this, oom_lock_);
  task_list_.add_tail(&t->node);
}

void Kernel::task_charge(Task* t, Page* page, unsigned order) {
  if (page == nullptr || !is_page(page) || page->ref_count() <= 0 || order > MAX_PAGE_ORDER) {
    warn_task(*this, "task_charge", "task %d (%s): %p is not an allocated block of order %u\n",
              t->pid, t->comm, (void*)page, order);
    return;
  }
  bool owned = page->flags_relaxed() & PG_slab;
  if (!owned) {
    SpinGuard g(t->lock);
    // Claimed and linked under t->lock: an uncharge that sees owner == t
    // finds the block on the list; a second charge elsewhere loses the race.
    void* expected = nullptr;
    owned = !std::atomic_ref<void*>(page->owner)
                 .compare_exchange_strong(expected, t, std::memory_order_relaxed);
    if (!owned) {
      page->private_ = order;
      t->pages.add_tail(&page->lru);
      t->rss.fetch_add(1UL << order, std::memory_order_relaxed);
    }
  }
  if (owned)
    warn_task(*this, "task_charge", "task %d (%s): pfn %#lx already has an owner\n", t->pid,
              t->comm, page_to_pfn(page));
}

bool Kernel::task_uncharge(Task* t, Page* page, unsigned order) {
  if (page == nullptr || !is_page(page)) {
    warn_task(*this, "task_uncharge", "task %d (%s): %p is not a page of this machine\n", t->pid,
              t->comm, (void*)page);
    return false;
  }
  unsigned charged;
  {
    SpinGuard g(t->lock);
    if (page_owner(page) != t) {
      charged = ~0u;
    } else {
      charged = unsigned(page->private_);
      set_page_owner(page, nullptr);
      page->private_ = 0;
      page->lru.del();
      t->rss.fetch_sub(1UL << charged, std::memory_order_relaxed);
    }
  }
  if (charged == ~0u) {
    // A kill reaped (and freed) it: expected. Otherwise it never was t's.
    if (!(t->state.load(std::memory_order_acquire) & TASK_OOM_VICTIM))
      warn_task(*this, "task_uncharge", "task %d (%s): pfn %#lx is not charged to it\n", t->pid,
                t->comm, page_to_pfn(page));
    return false;
  }
  if (charged != order)
    warn_task(*this, "task_uncharge", "task %d (%s): pfn %#lx charged with order %u, not %u\n",
              t->pid, t->comm, page_to_pfn(page), charged, order);
  return true;
}

void Kernel::task_exit(Task* t) {
  if (t->pages.next == nullptr) return;  // never initialised
  {
    OomLockGuard g(*this, oom_lock_);
    if (t->node.next != nullptr) t->node.del();
  }
  ListHead blocks;
  detach_all(t, blocks);
  free_detached(*this, blocks);
  if (current_ctx().task == t) current_ctx().task = nullptr;
}

// ---- the notifier chain -----------------------------------------------------------

int Kernel::register_oom_notifier(NotifierBlock* nb) {
  OomLockGuard g(*this, oom_lock_);
  NotifierBlock** pos = &oom_notifiers_;
  for (; *pos != nullptr; pos = &(*pos)->next) {
    if (*pos == nb) {
      warn_task(*this, "register_oom_notifier", "notifier callback %p already registered\n",
                (void*)nb);
      return -EEXIST;
    }
    if (nb->priority > (*pos)->priority) break;
  }
  nb->next = *pos;
  *pos = nb;
  return 0;
}

int Kernel::unregister_oom_notifier(NotifierBlock* nb) {
  OomLockGuard g(*this, oom_lock_);
  for (NotifierBlock** pos = &oom_notifiers_; *pos != nullptr; pos = &(*pos)->next) {
    if (*pos == nb) {
      *pos = nb->next;
      nb->next = nullptr;
      return 0;
    }
  }
  return -ENOENT;
}

// ---- out_of_memory ------------------------------------------------------------------

bool Kernel::out_of_memory(OomControl& oc) {
  SpinGuard g(oom_lock_);
  OomLockOwner owner(*this);
  if (call_oom_notifiers(oom_notifiers_) > 0) {
    // Got some memory back. kmem drains the per-CPU lists here: pages the
    // notifiers freed on this CPU would otherwise stay invisible to the
    // watermark checks of the retry.
    drain_all_pages();
    return true;
  }
  oc.totalpages = totalram_pages();
  if (oc.totalpages == 0) oc.totalpages = 1;
  char buf[kReportBytes];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  if (opts_.panic_on_oom) {
    // check_panic_on_oom(): every kmem OOM is CONSTRAINT_NONE.
    dump_header(s, *this, oc, task_list_, false);
    log_text(LogLevel::emerg, fs.c_str(), fs.length());
    panic("Out of memory: %s panic_on_oom is enabled",
          opts_.panic_on_oom == 2 ? "compulsory" : "system-wide");
  }
  if (!select_bad_process(oc, task_list_)) return true;  // a victim is on its way out
  const bool report = oom_ratelimit(*this, oom_rs_begin_ns_, oom_rs_printed_);
  if (oc.chosen == nullptr) {
    // Linux panics ("System is deadlocked on memory"); the caller waits
    // oom_wait_ms for memory freed by others, then fails the allocation.
    if (report) {
      dump_header(s, *this, oc, task_list_, false);
      s.puts("Out of memory and no killable processes...\n");
      log_text(LogLevel::warning, fs.c_str(), fs.length());
    }
    return false;
  }
  if (report) {
    dump_header(s, *this, oc, task_list_, true);
    dump_oom_victim(s, *this, oc.chosen);
  }
  oom_kill_process(*this, oc.chosen, fs);
  return true;
}

}  // namespace kmem
