// SPDX-License-Identifier: MIT
// RCU: the grace-period engine, the callback queue and its thread, and the
// Kernel methods over them (kernel/rcu/tree.c, kernel/rcu/update.c,
// mm/slab_common.c kvfree_call_rcu). The design is in rcu.h.
//
// Lock order: cb_lock_ (one batch of callbacks at a time, held while the
// batch runs) -> gp_lock_ (one grace period at a time). Readers and
// call_rcu() take neither.
#include "rcu/rcu.h"

#include <stdarg.h>

#include "base/format.h"
#include "kernel.h"

namespace kmem {

namespace {

constexpr const char* kFile = "src/core/rcu/rcu.cpp";
constexpr const char* kFlavorLock[NR_RCU_FLAVORS] = {"rcu_read_lock", "rcu_read_lock_bh",
                                                     "rcu_read_lock_sched"};
constexpr const char* kFlavorUnlock[NR_RCU_FLAVORS] = {"rcu_read_unlock", "rcu_read_unlock_bh",
                                                       "rcu_read_unlock_sched"};
constexpr u64 kNsPerJiffy = 4000000;  // HZ=250

// What synchronize_rcu() and rcu_barrier() wait for: a callback that says so.
struct RcuWaiter {
  RcuHead head;
  std::atomic<u32> done;
  Kernel* k;
  WaitEvent* wq;
};

void wakeme_after_rcu(RcuHead* head) {
  auto* w = reinterpret_cast<RcuWaiter*>(head);
  // The waiter may return (and its frame go) once done is set: read first.
  Kernel* k = w->k;
  WaitEvent* wq = w->wq;
  w->done.store(1, std::memory_order_release);
  k->wake_up_all(*wq);
}

void rcu_gp_main(void* arg) { static_cast<RcuState*>(arg)->gp_kthread(); }

// The lockdep-style header shared by the RCU reports.
void lockdep_header(Seq& s, const char* title, const char* rule) {
  s.puts("\n");
  for (size_t i = 0; title[i]; ++i) s.putc('=');
  s.print("\n%s\n6.18.0-kmem #1 Not tainted\n", title);
  for (size_t i = 0; title[i]; ++i) s.putc('-');
  s.print("\n%s\n", rule);
}

// "N locks held by comm/pid:" with one line per rcu_read_lock*() nesting level.
void print_held(Seq& s, const char* comm, int pid) {
  const TaskContext& c = current_ctx();
  const u32 n = c.rcu_depth[0] + c.rcu_depth[1] + c.rcu_depth[2];
  if (n == 0) {
    s.print("no locks held by %s/%d.\n", comm, pid);
    return;
  }
  s.print("%u lock%s held by %s/%d:\n", n, n == 1 ? "" : "s", comm, pid);
  unsigned shown = 0;
  for (unsigned f = 0; f < NR_RCU_FLAVORS; ++f) {
    for (u32 i = 0; i < c.rcu_depth[f] && shown < 8; ++i, ++shown)
      s.print(" #%u: (%s){....}-{1:3}, at: %s+0x0/0x0\n", shown, kFlavorLock[f], kFlavorLock[f]);
  }
  if (shown < n) s.print(" ... and %u more\n", n - shown);
}

void print_backtrace(Seq& s, Kernel& k, const char* comm, const char* fn) {
  s.puts("\nstack backtrace:\n");
  s.print("CPU: %u UID: 0 PID: %d Comm: %s Not tainted 6.18.0-kmem #1\n", k.current_cpu(),
          k.current_pid(), comm);
  s.print("Call Trace:\n <TASK>\n  lockdep_rcu_suspicious+0x0/0x0\n  %s+0x0/0x0\n </TASK>\n", fn);
}

// WARN(1, fmt): the message, then the place.
void rcu_warn(Kernel& k, int line, const char* fn, const char* fmt, ...) KMEM_PRINTF(4, 5);
void rcu_warn(Kernel& k, int line, const char* fn, const char* fmt, ...) {
  char buf[512];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  char comm[32];
  k.current_comm(comm, sizeof comm);
  s.puts("------------[ cut here ]------------\n");
  va_list ap;
  va_start(ap, fmt);
  s.vprint(fmt, ap);
  va_end(ap);
  s.print("\nWARNING: CPU: %u PID: %d at %s:%d %s\n", k.current_cpu(), k.current_pid(), kFile, line,
          fn);
  s.print("CPU: %u UID: 0 PID: %d Comm: %s Tainted: G        W (kmem)\n", k.current_cpu(),
          k.current_pid(), comm);
  s.puts("---[ end trace 0000000000000000 ]---\n");
  k.report_bug(BUG_WARN, fs.c_str(), fs.length());
}

}  // namespace

// ---- setup and shutdown ----------------------------------------------------------------

void RcuState::init(Kernel* k, const PlatformOps* ops, bool asymmetric, unsigned nr_cpus) {
  ops_ = ops;
  asymmetric_ = asymmetric;
  nr_cpus_ = nr_cpus == 0 ? 1 : (nr_cpus > unsigned(NR_CPUS) ? unsigned(NR_CPUS) : nr_cpus);
  k_ = k;
}

void RcuState::start() {
  if (k_ == nullptr || thread_ != nullptr || ops_->start_thread == nullptr) return;
  stop_.store(false, std::memory_order_relaxed);
  thread_running_.store(true, std::memory_order_release);
  thread_ = ops_->start_thread(ops_->ctx, &rcu_gp_main, this, "rcu_preempt");
  if (thread_ == nullptr) {
    thread_running_.store(false, std::memory_order_release);
    k_->printk(LogLevel::err, "rcu: failed to start the rcu_preempt kthread");
  }
}

void RcuState::shutdown() {
  if (k_ == nullptr) return;
  if (thread_ != nullptr) {
    barrier();  // the thread runs every callback queued so far
    stop_.store(true, std::memory_order_release);
    k_->wake_up_slow(gp_wait_);
    ops_->join_thread(ops_->ctx, thread_);
    thread_ = nullptr;
    thread_running_.store(false, std::memory_order_release);
    k_->wake_up_slow(sync_wait_);  // a waiter the thread missed processes for itself
  }
  while (process_batch()) {
  }
}

// ---- read side: the slots beyond the first ---------------------------------------------

void RcuState::read_lock_slot(TaskContext& c) {
  for (auto& r : c.rcu_reader) {
    if (r.state == this && r.depth != 0) {
      ++r.depth;
      return;
    }
  }
  for (auto& r : c.rcu_reader) {
    if (r.depth == 0) {
      r.state = this;
      r.depth = 1;
      const CpuRef cpu = k_->this_cpu();
      r.idx = counter_enter(cpu.cpu, cpu.exclusive);
      return;
    }
  }
  // Every slot is held by another machine: the section goes uncounted.
  --c.rcu_depth[RCU_FLAVOR_RCU];
  rcu_warn(*k_, __LINE__, "rcu_read_lock",
           "rcu_read_lock(): this thread is in read-side sections of %u other machines; "
           "this section is not protected",
           RCU_READER_SLOTS);
}

bool RcuState::read_unlock_slot(TaskContext& c, RcuFlavor f) {
  if (c.rcu_depth[f] == 0) return false;
  for (auto& r : c.rcu_reader) {
    if (r.state == this && r.depth != 0) {
      --c.rcu_depth[f];
      if (--r.depth == 0) {
        const CpuRef cpu = k_->this_cpu();
        counter_exit(cpu.cpu, cpu.exclusive, r.idx);
      }
      return true;
    }
  }
  return false;
}

u32 RcuState::reader_depth() const {
  for (const auto& r : current_ctx().rcu_reader)
    if (r.state == this && r.depth != 0) return r.depth;
  return 0;
}

void RcuState::wake_drain() { k_->wake_up_slow(drain_wait_); }

// ---- grace periods ------------------------------------------------------------------------

void RcuState::full_barrier() const {
  if (asymmetric_ && ops_->heavy_barrier(ops_->ctx)) return;
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

bool RcuState::readers_gone(u32 idx) const {
  unsigned long unlocks = 0, locks = 0;
  for (unsigned c = 0; c < nr_cpus_; ++c)
    unlocks += cpu_[c].unlock[idx].load(std::memory_order_acquire) +
               cpu_[c].shared_unlock[idx].load(std::memory_order_acquire);
  // Every reader either did its lock increment before this point (and the
  // sum below sees it) or sees everything this thread saw before it.
  full_barrier();
  for (unsigned c = 0; c < nr_cpus_; ++c)
    locks += cpu_[c].lock[idx].load(std::memory_order_relaxed) +
             cpu_[c].shared_lock[idx].load(std::memory_order_relaxed);
  return locks == unlocks;
}

void RcuState::drain(u32 idx, u64 gp_start_ns) {
  bool stalled = false;
  while (!readers_gone(idx)) {
    // An outermost unlock wakes us: it reads drain_wait_.waiters after its
    // increment, and prepare_to_wait's heavy barrier orders our increment
    // of it before the re-check.
    const u32 seen = k_->prepare_to_wait(drain_wait_);
    if (readers_gone(idx)) {
      k_->finish_wait(drain_wait_);
      break;
    }
    k_->wait_event(drain_wait_, seen, RCU_STALL_TIMEOUT_NS);
    k_->finish_wait(drain_wait_);
    const u64 waited = ops_->now_ns(ops_->ctx) - gp_start_ns;
    if (!stalled && waited >= RCU_STALL_TIMEOUT_NS) {
      stalled = true;
      report_stall(waited, idx);
    }
  }
}

void RcuState::run_gp() {
  lock(gp_lock_);
  const u64 start = ops_->now_ns(ops_->ctx);
  unsigned long seq = gp_seq_.load(std::memory_order_relaxed);
  gp_seq_.store(seq + 1, std::memory_order_relaxed);  // phase 1
  const u32 cur = idx_.load(std::memory_order_relaxed);
  drain((cur & 1) ^ 1, start);  // readers that took the index before the last flip
  idx_.store(cur + 1, std::memory_order_relaxed);
  gp_seq_.store(seq + 2, std::memory_order_release);  // phase 2, after the flip
  drain(cur & 1, start);
  gp_seq_.store((seq | RCU_SEQ_STATE_MASK) + 1, std::memory_order_release);
  gp_completed_.fetch_add(1, std::memory_order_relaxed);
  unlock(gp_lock_);
}

unsigned long RcuState::get_state() const {
  // rcu_seq_snap: the end of the first grace period that starts after now.
  const unsigned long s = gp_seq_.load(std::memory_order_acquire);
  return (s + 2 * RCU_SEQ_STATE_MASK + 1) & ~RCU_SEQ_STATE_MASK;
}

bool RcuState::poll_state(unsigned long oldstate) const {
  const unsigned long s = gp_seq_.load(std::memory_order_acquire);
  return long(s - oldstate) >= 0;
}

// ---- callbacks --------------------------------------------------------------------------

void RcuState::push(RcuHead* head) {
  outstanding_.fetch_add(1, std::memory_order_relaxed);
  queued_.fetch_add(1, std::memory_order_relaxed);
  RcuHead* old = pending_.load(std::memory_order_relaxed);
  do {
    head->next = old;
  } while (!pending_.compare_exchange_weak(old, head, std::memory_order_seq_cst,
                                           std::memory_order_relaxed));
  // The thread sleeps only on an empty queue; the first callback wakes it.
  if (old == nullptr && k_ != nullptr) k_->wake_up_all(gp_wait_);
}

void RcuState::call(RcuHead* head, rcu_callback_t func) {
  if (head == nullptr || func == nullptr ||
      reinterpret_cast<uintptr_t>(head) % alignof(RcuHead) != 0 ||
      reinterpret_cast<uintptr_t>(func) < RCU_KVFREE_OFFSET_LIMIT) {
    if (k_ == nullptr) return;
    rcu_warn(*k_, __LINE__, "__call_rcu_common", "call_rcu(%p, %p): bad rcu_head or function",
             static_cast<void*>(head), reinterpret_cast<void*>(func));
    return;
  }
  head->func = func;
  push(head);
}

void RcuState::kvfree_call(RcuHead* head, void* ptr) {
  if (ptr == nullptr) return;
  if (head == nullptr) {
    // kvfree_rcu_mightsleep(): no rcu_head to queue; wait here instead.
    k_->might_sleep(kFile, __LINE__);
    if (synchronize()) k_->kfree(ptr);
    return;  // (an illegal call inside a read-side section leaks the object)
  }
  const uintptr_t off = reinterpret_cast<uintptr_t>(head) - reinterpret_cast<uintptr_t>(ptr);
  if (off >= RCU_KVFREE_OFFSET_LIMIT || off % alignof(RcuHead) != 0) {
    rcu_warn(*k_, __LINE__, "kvfree_call_rcu",
             "kvfree_call_rcu(%p, %p): the rcu_head is not in the object's first %u bytes; "
             "object leaked",
             static_cast<void*>(head), ptr, unsigned(RCU_KVFREE_OFFSET_LIMIT));
    return;
  }
  head->func = reinterpret_cast<rcu_callback_t>(off);
  push(head);
}

bool RcuState::process_batch() {
  lock(cb_lock_);
  RcuHead* list = pending_.exchange(nullptr, std::memory_order_acquire);
  if (list == nullptr) {
    unlock(cb_lock_);
    return false;
  }
  RcuHead* fifo = nullptr;  // the stack is newest first
  while (list != nullptr) {
    RcuHead* next = list->next;
    list->next = fifo;
    fifo = list;
    list = next;
  }
  run_gp();
  invoke(fifo);
  batches_.fetch_add(1, std::memory_order_relaxed);
  unlock(cb_lock_);
  return true;
}

void RcuState::invoke(RcuHead* list) {
  TaskContext& c = current_ctx();
  invoker_.store(&c, std::memory_order_relaxed);
  c.preempt_count += SOFTIRQ_OFFSET;  // rcu_core() runs as RCU_SOFTIRQ
  while (list != nullptr) {
    RcuHead* h = list;
    list = h->next;  // the callback may free h
    const rcu_callback_t f = h->func;
    const uintptr_t off = reinterpret_cast<uintptr_t>(f);
    if (off < RCU_KVFREE_OFFSET_LIMIT) {
      k_->kfree(reinterpret_cast<char*>(h) - off);
      kvfree_invoked_.fetch_add(1, std::memory_order_relaxed);
    } else if (f == &wakeme_after_rcu) {
      // Counted first: its waiter reads the statistics as soon as it wakes.
      invoked_.fetch_add(1, std::memory_order_relaxed);
      outstanding_.fetch_sub(1, std::memory_order_release);
      f(h);
      continue;
    } else {
      f(h);
    }
    invoked_.fetch_add(1, std::memory_order_relaxed);
    outstanding_.fetch_sub(1, std::memory_order_release);
  }
  c.preempt_count -= SOFTIRQ_OFFSET;
  invoker_.store(nullptr, std::memory_order_relaxed);
  if (c.softirq_head != nullptr) do_softirq();  // tasklets the callbacks scheduled
}

void RcuState::gp_kthread() {
  current_ctx().flags |= PF_KTHREAD;
  for (;;) {
    if (pending_.load(std::memory_order_acquire) != nullptr) {
      process_batch();
      continue;
    }
    if (stop_.load(std::memory_order_acquire)) break;
    const u32 seen = k_->prepare_to_wait(gp_wait_);
    if (pending_.load(std::memory_order_acquire) == nullptr &&
        !stop_.load(std::memory_order_acquire))
      k_->wait_event(gp_wait_, seen, 0);
    k_->finish_wait(gp_wait_);
  }
}

void RcuState::wait_for(const std::atomic<u32>& done) {
  for (;;) {
    if (done.load(std::memory_order_acquire)) return;
    if (!thread_running()) {
      process_batch();  // no thread: this caller moves the queue
      continue;
    }
    const u32 seen = k_->prepare_to_wait(sync_wait_);
    if (!done.load(std::memory_order_acquire) && thread_running())
      k_->wait_event(sync_wait_, seen, 0);
    k_->finish_wait(sync_wait_);
  }
}

bool RcuState::synchronize() {
  if (k_ == nullptr) return true;  // not booted: no reader can exist
  const TaskContext& c = current_ctx();
  if (c.rcu_depth[0] | c.rcu_depth[1] | c.rcu_depth[2]) {
    report_illegal("synchronize_rcu");
    return false;  // waiting for ourselves would never end
  }
  if (invoker_.load(std::memory_order_relaxed) == &c) {
    run_gp();  // from a callback: the batch's own queue cannot move
    return true;
  }
  RcuWaiter w{{nullptr, nullptr}, {0}, k_, &sync_wait_};
  w.head.func = &wakeme_after_rcu;
  push(&w.head);
  wait_for(w.done);
  return true;
}

void RcuState::barrier() {
  if (k_ == nullptr) return;
  const TaskContext& c = current_ctx();
  if (invoker_.load(std::memory_order_relaxed) == &c) {
    rcu_warn(*k_, __LINE__, "rcu_barrier", "rcu_barrier() called from an RCU callback");
    return;
  }
  if (c.rcu_depth[0] | c.rcu_depth[1] | c.rcu_depth[2]) {
    report_illegal("rcu_barrier");
    return;
  }
  if (outstanding_.load(std::memory_order_acquire) == 0) return;
  // Queued behind every callback queued before this call; batches run in order.
  RcuWaiter w{{nullptr, nullptr}, {0}, k_, &sync_wait_};
  w.head.func = &wakeme_after_rcu;
  push(&w.head);
  wait_for(w.done);
}

RcuStats RcuState::stats() const {
  RcuStats s{};
  s.gp_seq = gp_seq_.load(std::memory_order_acquire);
  s.gp_completed = gp_completed_.load(std::memory_order_relaxed);
  s.cbs_queued = queued_.load(std::memory_order_relaxed);
  s.cbs_invoked = invoked_.load(std::memory_order_relaxed);
  s.kvfree_invoked = kvfree_invoked_.load(std::memory_order_relaxed);
  s.cbs_outstanding = outstanding_.load(std::memory_order_relaxed);
  s.stalls = stalls_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  return s;
}

// ---- reports ------------------------------------------------------------------------------

void RcuState::report_illegal(const char* what) {
  char buf[1024];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  char comm[32];
  k_->current_comm(comm, sizeof comm);
  char rule[128];
  format(rule, sizeof rule, "%s:%d Illegal %s() in RCU read-side critical section!", kFile,
         __LINE__, what);
  lockdep_header(s, "WARNING: suspicious RCU usage", rule);
  s.puts("\nother info that might help us debug this:\n\n\n");
  s.puts("rcu_scheduler_active = 2, debug_locks = 1\n");
  print_held(s, comm, k_->current_pid());
  print_backtrace(s, *k_, comm, what);
  k_->report_bug(BUG_WARN, fs.c_str(), fs.length());
}

void Kernel::rcu_unlock_imbalance(RcuFlavor f) {
  char buf[1024];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  char comm[32];
  current_comm(comm, sizeof comm);
  char rule[160];
  format(rule, sizeof rule,
         "%s/%d is trying to release lock (%s) at:\n[<0000000000000000>] %s+0x0/0x0", comm,
         current_pid(), kFlavorLock[f], kFlavorUnlock[f]);
  lockdep_header(s, "WARNING: bad unlock balance detected!", rule);
  s.puts("but there are no more locks to release!\n");
  s.puts("\nother info that might help us debug this:\n");
  print_held(s, comm, current_pid());
  print_backtrace(s, *this, comm, kFlavorUnlock[f]);
  report_bug(BUG_WARN, fs.c_str(), fs.length());
}

void RcuState::report_stall(u64 waited_ns, u32 idx) {
  stalls_.fetch_add(1, std::memory_order_relaxed);
  long readers = 0;
  for (unsigned c = 0; c < nr_cpus_; ++c)
    readers += long(cpu_[c].lock[idx].load(std::memory_order_relaxed) +
                    cpu_[c].shared_lock[idx].load(std::memory_order_relaxed) -
                    cpu_[c].unlock[idx].load(std::memory_order_relaxed) -
                    cpu_[c].shared_unlock[idx].load(std::memory_order_relaxed));
  k_->printk(LogLevel::err,
             "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
             "rcu: \t%ld reader(s) still in read-side critical sections\n"
             "\t(detected by %u, t=%lu jiffies, g=%ld, q=%lu ncpus=%u)",
             readers, k_->current_cpu(), (unsigned long)(waited_ns / kNsPerJiffy),
             long(gp_seq_.load(std::memory_order_relaxed)),
             (unsigned long)outstanding_.load(std::memory_order_relaxed), nr_cpus_);
}

// ---- the writer-side mutex ---------------------------------------------------------------

void RcuState::lock(RcuMutex& m) {
  u32 c = 0;
  if (m.state.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
  if (c != 2) c = m.state.exchange(2, std::memory_order_acquire);
  while (c != 0) {
    ops_->wait(ops_->ctx, &m.state, 2, 0);
    c = m.state.exchange(2, std::memory_order_acquire);
  }
}

void RcuState::unlock(RcuMutex& m) {
  if (m.state.exchange(0, std::memory_order_release) == 2) ops_->wake(ops_->ctx, &m.state, 1);
}

// ---- Kernel ---------------------------------------------------------------------------------

void Kernel::rcu_start() {
  rcu_.init(this, &ops_, asymmetric_, nr_cpus());
  rcu_.start();
}

void Kernel::rcu_shutdown() { rcu_.shutdown(); }

void Kernel::rcu_read_lock_bh() {
  local_bh_disable();
  rcu_.read_lock(*this, RCU_FLAVOR_BH);
}

void Kernel::rcu_read_unlock_bh() {
  if (!rcu_.read_unlock(*this, RCU_FLAVOR_BH)) {
    rcu_unlock_imbalance(RCU_FLAVOR_BH);
    return;
  }
  local_bh_enable();
}

void Kernel::rcu_read_lock_sched() {
  preempt_disable();
  rcu_.read_lock(*this, RCU_FLAVOR_SCHED);
}

void Kernel::rcu_read_unlock_sched() {
  if (!rcu_.read_unlock(*this, RCU_FLAVOR_SCHED)) {
    rcu_unlock_imbalance(RCU_FLAVOR_SCHED);
    return;
  }
  preempt_enable();
}

void Kernel::synchronize_rcu() {
  might_sleep(kFile, __LINE__);
  rcu_.synchronize();
}

void Kernel::call_rcu(RcuHead* head, rcu_callback_t func) { rcu_.call(head, func); }

void Kernel::rcu_barrier() {
  might_sleep(kFile, __LINE__);
  rcu_.barrier();
}

void Kernel::kvfree_call_rcu(RcuHead* head, void* ptr) { rcu_.kvfree_call(head, ptr); }

void Kernel::cond_synchronize_rcu(unsigned long oldstate) {
  if (!rcu_.poll_state(oldstate)) synchronize_rcu();
}

}  // namespace kmem
