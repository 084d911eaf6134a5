// SPDX-License-Identifier: MIT
// RCU for the threads of one machine (include/linux/rcupdate.h, kernel/rcu/):
// read-side sections, grace periods, callbacks and kfree_rcu.
//
// Readers. A read-side section counts itself on the machine's per-CPU
// counters (the CPU slot from Kernel::this_cpu()), SRCU-style: two pairs of monotonic counters (lock[idx],
// unlock[idx]) per CPU slot, idx being the low bit of a grace-period index
// that writers flip. Only the outermost rcu_read_lock() of a thread touches
// them; it records idx in the thread's TaskContext (rcu_reader[]), nested
// ones only count. The unlock may land on another CPU's counters: only the
// sums matter.
//   - A thread that owns its CPU slot exclusively increments with a relaxed
//     load and store (no locked instruction, no fence); nobody else writes
//     those counters. The unlock store has release order.
//   - A thread that shares a slot (CpuRef.exclusive false, or a thread with
//     no slot: the rcu_preempt thread, kswapd) uses atomic fetch_add on a
//     second set of counters of the slot.
//   - Without the platform's heavy barrier (membarrier) every reader uses
//     fetch_add and a full fence.
//
// Writers. readers_gone(idx) sums unlock[idx] (acquire), issues the heavy
// barrier, then sums lock[idx]; equal sums mean no section counted under
// idx is still running. The heavy barrier stands in for the full barrier
// the readers do not execute: a reader whose lock increment the writer did
// not see has, from the barrier on, seen every store the writer made
// before it, so it cannot reach what the grace period protects. A unlock the
// writer saw was released after the section's accesses. A grace period
// (run_gp, one at a time under gp_lock) drains the inactive index (late
// readers of the previous flip), flips, and drains the index the readers
// used until then. A writer waiting for a drain sleeps on drain_wait; an
// outermost unlock wakes it (one relaxed load when nobody waits).
//
// Callbacks. call_rcu() pushes onto a lock-free stack (one compare-and-swap:
// callable in any context, never sleeps, allocates nothing) and wakes the
// machine's "rcu_preempt" thread when the stack was empty. The thread takes
// the whole stack, runs one grace period for it and invokes the batch in
// queue order with SOFTIRQ_OFFSET in its preempt_count (RCU_SOFTIRQ). Later
// callbacks wait for the next grace period. synchronize_rcu() queues a
// callback that wakes it (wait_rcu_gp); rcu_barrier() queues one behind
// every earlier callback and waits for it (or returns at once when nothing
// is outstanding). kvfree_call_rcu() queues the object with the offset of
// its rcu_head in place of a function (below 4096, as Linux once encoded
// kfree_rcu), and the batch kfree()s it.
//
// Without a thread (the platform has no start_thread, or after shutdown),
// synchronize_rcu(), rcu_barrier() and shutdown process the queue on the
// calling thread.
//
// Lock order: cb_lock (one batch at a time, held while it runs) -> gp_lock
// (one grace period at a time). A callback that calls synchronize_rcu() gets
// a bare grace period (gp_lock only); one that calls rcu_barrier() is
// reported, as is either call inside a read-side section (it would wait for
// itself): both return without waiting.
#pragma once

#include <atomic>

#include "base/types.h"
#include "context/context.h"
#include "context/sync.h"
#include "platform.h"

namespace kmem {

class Kernel;

// struct rcu_head / struct callback_head (include/linux/types.h).
struct RcuHead {
  RcuHead* next;
  void (*func)(RcuHead* head);
};
using rcu_callback_t = void (*)(RcuHead* head);
static_assert(sizeof(RcuHead) == 16 && alignof(RcuHead) == alignof(void*));

enum RcuFlavor : unsigned { RCU_FLAVOR_RCU, RCU_FLAVOR_BH, RCU_FLAVOR_SCHED, NR_RCU_FLAVORS };

inline constexpr unsigned RCU_READER_SLOTS = 4;  // machines one thread can read at once
// kvfree_call_rcu: a "function" below this is the rcu_head's offset in the
// object to kfree (__is_kvfree_rcu_offset).
inline constexpr uintptr_t RCU_KVFREE_OFFSET_LIMIT = 4096;
// CONFIG_RCU_CPU_STALL_TIMEOUT: a grace period waiting this long prints a stall warning.
inline constexpr u64 RCU_STALL_TIMEOUT_NS = 21ull * 1000000000ull;

// The grace-period sequence (rcu_state.gp_seq): completed grace periods in
// the upper bits, the running one's phase in the low two (0 idle, 1 and 2:
// draining the first and the second index).
inline constexpr unsigned long RCU_SEQ_STATE_MASK = 3;

struct RcuStats {
  unsigned long gp_seq;
  u64 gp_completed;     // grace periods completed
  u64 cbs_queued;       // call_rcu() and kvfree_call_rcu() calls
  u64 cbs_invoked;      // callbacks invoked (kfree_rcu objects included)
  u64 kvfree_invoked;   // objects kfree()d by kvfree_call_rcu
  u64 cbs_outstanding;  // queued, not yet invoked
  u64 stalls;           // stall warnings printed
  u64 batches;          // batches of callbacks processed
};

// Per CPU slot, 128 bytes: the owner's counters on one cache line, the
// sharers' on the next.
struct alignas(64) RcuCpuCounters {
  std::atomic<unsigned long> lock[2];
  std::atomic<unsigned long> unlock[2];
  alignas(64) std::atomic<unsigned long> shared_lock[2];
  std::atomic<unsigned long> shared_unlock[2];
};

// The sleeping lock of the writer side (a futex mutex: 0 free, 1 held, 2
// held with waiters); never taken by readers or call_rcu().
struct RcuMutex {
  std::atomic<u32> state{0};
};

class RcuState {
 public:
  // Called by boot with the machine's platform; start() launches the thread.
  void init(Kernel* k, const PlatformOps* ops, bool asymmetric, unsigned nr_cpus);
  void start();
  // rcu_barrier(), then stops the thread. Idempotent.
  void shutdown();

  // ---- read side ----------------------------------------------------------------
  // K is Kernel (complete where these are instantiated); only the outermost
  // lock and unlock ask it for the calling thread's CPU slot.
  template <typename K>
  void read_lock(const K& k, RcuFlavor f) {
    TaskContext& c = current_ctx();
    ++c.rcu_depth[f];
    TaskContext::RcuReaderSlot& r = c.rcu_reader[0];
    if (__builtin_expect(r.state == this, 1)) {
      if (r.depth++ == 0) {
        const auto cpu = k.this_cpu();
        r.idx = counter_enter(cpu.cpu, cpu.exclusive);
      }
      return;
    }
    read_lock_slot(c);
  }
  // False when the thread holds no section of flavour f here (the caller reports).
  template <typename K>
  bool read_unlock(const K& k, RcuFlavor f) {
    TaskContext& c = current_ctx();
    TaskContext::RcuReaderSlot& r = c.rcu_reader[0];
    if (__builtin_expect(r.state == this && r.depth != 0 && c.rcu_depth[f] != 0, 1)) {
      --c.rcu_depth[f];
      if (--r.depth == 0) {
        const auto cpu = k.this_cpu();
        counter_exit(cpu.cpu, cpu.exclusive, r.idx);
      }
      return true;
    }
    return read_unlock_slot(c, f);
  }
  // The calling thread's nesting in this machine's read-side sections.
  u32 reader_depth() const;

  // ---- update side ----------------------------------------------------------------
  // False (after a report) when called inside a read-side section.
  bool synchronize();
  void call(RcuHead* head, rcu_callback_t func);
  void barrier();
  void kvfree_call(RcuHead* head, void* ptr);
  unsigned long get_state() const;
  bool poll_state(unsigned long oldstate) const;
  RcuStats stats() const;
  bool thread_running() const { return thread_running_.load(std::memory_order_acquire); }

  // ---- internals (rcu.cpp) ---------------------------------------------------------
  void gp_kthread();

 private:
  // Counts the outermost lock of a section on cpu's counters; returns the index.
  u32 counter_enter(unsigned cpu, bool exclusive) {
    const u32 idx = idx_.load(std::memory_order_relaxed) & 1;
    RcuCpuCounters& pc = cpu_[cpu];
    if (__builtin_expect(asymmetric_ && exclusive, 1)) {
      pc.lock[idx].store(pc.lock[idx].load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
      std::atomic_signal_fence(std::memory_order_seq_cst);  // the section stays after it
    } else {
      pc.shared_lock[idx].fetch_add(1, std::memory_order_seq_cst);
      if (!asymmetric_) std::atomic_thread_fence(std::memory_order_seq_cst);
    }
    return idx;
  }
  void counter_exit(unsigned cpu, bool exclusive, u32 idx) {
    RcuCpuCounters& pc = cpu_[cpu];
    if (__builtin_expect(asymmetric_ && exclusive, 1)) {
      std::atomic_signal_fence(std::memory_order_seq_cst);
      pc.unlock[idx].store(pc.unlock[idx].load(std::memory_order_relaxed) + 1,
                           std::memory_order_release);
      std::atomic_signal_fence(std::memory_order_seq_cst);  // see drain()
    } else {
      pc.shared_unlock[idx].fetch_add(1, std::memory_order_seq_cst);
      if (!asymmetric_) std::atomic_thread_fence(std::memory_order_seq_cst);
    }
    if (__builtin_expect(drain_wait_.waiters.load(std::memory_order_relaxed) != 0, 0)) wake_drain();
  }
  void read_lock_slot(TaskContext& c);
  bool read_unlock_slot(TaskContext& c, RcuFlavor f);
  void wake_drain();
  void full_barrier() const;
  bool readers_gone(u32 idx) const;
  void drain(u32 idx, u64 gp_start_ns);
  void run_gp();
  void push(RcuHead* head);
  bool process_batch();
  void invoke(RcuHead* list);
  void wait_for(const std::atomic<u32>& done);
  void report_illegal(const char* what);
  void report_stall(u64 waited_ns, u32 idx);
  void lock(RcuMutex& m);
  void unlock(RcuMutex& m);

  Kernel* k_ = nullptr;
  const PlatformOps* ops_ = nullptr;
  bool asymmetric_ = false;
  unsigned nr_cpus_ = 1;

  // Read-mostly: the index readers count under, flipped once per grace period.
  alignas(64) std::atomic<u32> idx_{0};
  WaitEvent drain_wait_;  // a writer waiting for readers to drain

  alignas(64) std::atomic<RcuHead*> pending_{nullptr};  // newest first
  std::atomic<u64> outstanding_{0};
  std::atomic<u64> queued_{0};
  WaitEvent gp_wait_;    // the thread waiting for callbacks
  WaitEvent sync_wait_;  // synchronize_rcu() / rcu_barrier() callers

  alignas(64) RcuMutex cb_lock_;
  RcuMutex gp_lock_;
  std::atomic<const TaskContext*> invoker_{nullptr};  // the thread running a batch
  std::atomic<unsigned long> gp_seq_{0};
  std::atomic<u64> gp_completed_{0};
  std::atomic<u64> invoked_{0};
  std::atomic<u64> kvfree_invoked_{0};
  std::atomic<u64> stalls_{0};
  std::atomic<u64> batches_{0};

  void* thread_ = nullptr;
  std::atomic<bool> thread_running_{false};
  std::atomic<bool> stop_{false};

  RcuCpuCounters cpu_[NR_CPUS];
};

// ---- per-thread queries (lockdep's view, include/linux/rcupdate.h) ----------------
inline bool rcu_read_lock_held() { return current_ctx().rcu_depth[RCU_FLAVOR_RCU] != 0; }
// In a _bh section, or anything that keeps softirqs off.
inline bool rcu_read_lock_bh_held() {
  return current_ctx().rcu_depth[RCU_FLAVOR_BH] != 0 || in_softirq() || irqs_disabled();
}
// In a _sched section, or anything that disables preemption.
inline bool rcu_read_lock_sched_held() {
  return current_ctx().rcu_depth[RCU_FLAVOR_SCHED] != 0 || atomic_context();
}
inline bool rcu_read_lock_any_held() {
  const TaskContext& c = current_ctx();
  return (c.rcu_depth[0] | c.rcu_depth[1] | c.rcu_depth[2]) != 0 || atomic_context();
}
// The calling thread's rcu_read_lock() nesting (rcu_preempt_depth()).
inline int rcu_preempt_depth() { return int(current_ctx().rcu_depth[RCU_FLAVOR_RCU]); }

}  // namespace kmem
