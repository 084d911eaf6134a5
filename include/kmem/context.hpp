// SPDX-License-Identifier: MIT
// kmem/context.hpp -- execution contexts for C++ code: the calling thread's
// preemption counter, interrupt flag and bottom halves, memory-allocation
// scopes, spinlocks, mutexes and tasklets, with Linux's names and rules
// (<linux/preempt.h>, <linux/irqflags.h>, <linux/spinlock.h>, ...).
//
// In kmem a thread is a CPU running one task at a time. Its context is
// per thread and shared by every machine in the process:
//
//   preempt_count() bits  0-7   preempt_disable() depth (spinlock::lock() adds 1)
//                   bits  8-15  0x100 while a tasklet runs; local_bh_disable() adds 0x200
//                   bits 16-19  hardirq nesting (an interrupt handler runs)
//                   bits 20-23  NMI nesting
//
// A call that may sleep -- an allocation whose gfp mask has
// __GFP_DIRECT_RECLAIM (gfp::KERNEL, gfp::NOFS, ...), mutex::lock(),
// might_sleep() -- made while in_atomic() or irqs_disabled() prints Linux's
// report on the machine's console and counts it:
//
//   BUG: sleeping function called from invalid context at include/linux/sched/mm.h:321
//   in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 4242, name: worker
//   preempt_count: 1, expected: 0
//
//   {
//     kmem::spinlock lock;          // usable with std::lock_guard
//     kmem::IrqsOff irqs;           // local_irq_save() .. local_irq_restore()
//     std::lock_guard g(lock);
//     m.alloc_pages(kmem::gfp::ATOMIC, 0);   // fine: never sleeps
//   }
//   {
//     kmem::NofsScope nofs;         // memalloc_nofs_save() .. restore()
//     m.alloc_pages(kmem::gfp::KERNEL, 0);   // behaves as gfp::NOFS
//   }
//
// The Linux compat headers (<linux/irqflags.h>, <linux/kernel.h>, ...) give
// the C API of the same operations; some of its names are macros
// (local_irq_save(flags), might_sleep()), so a translation unit uses one
// or the other. The functions live in an inline namespace: they are
// kmem::preempt_disable() and so on, distinct from the library core's own
// inline helpers of the same names (which only white-box code sees).
#pragma once

#include <atomic>
#include <functional>

#include "kmem/gfp.hpp"

#if defined(local_irq_save) || defined(might_sleep) || defined(cond_resched) || \
    defined(spin_lock_irqsave)
// Their macros would break the declarations below.
#error "<kmem/context.hpp> cannot share a translation unit with the Linux compat headers"
#endif

namespace kmem {

class Machine;

inline namespace api {

// ---- preemption and context (include/linux/preempt.h) ---------------------------
// An enable, irq_exit() or nmi_exit() without its matching call is ignored
// (the counter is left as it is).
void preempt_disable() noexcept;
void preempt_enable() noexcept;
unsigned preempt_count() noexcept;
bool in_nmi() noexcept;
bool in_hardirq() noexcept;  // an interrupt handler (or an NMI) runs
inline bool in_irq() noexcept { return in_hardirq(); }
bool in_softirq() noexcept;          // a tasklet runs, or bottom halves are off
bool in_serving_softirq() noexcept;  // a tasklet runs
bool in_interrupt() noexcept;        // hardirq, softirq or NMI
bool in_task() noexcept;             // none of hardirq, serving softirq, NMI
bool in_atomic() noexcept;           // preempt_count() != 0: may not sleep

// ---- interrupts and bottom halves (irqflags.h, bottom_half.h, hardirq.h) --------
// Interrupts raised on a thread with them disabled (Machine::generic_handle_irq)
// run when it enables them; tasklets pending on the thread run when bottom
// halves and interrupts are both enabled again.
void local_irq_disable() noexcept;
void local_irq_enable() noexcept;
// Disables interrupts; returns the previous state for local_irq_restore().
[[nodiscard]] unsigned long local_irq_save() noexcept;
void local_irq_restore(unsigned long flags) noexcept;
bool irqs_disabled() noexcept;
void local_bh_disable() noexcept;
void local_bh_enable() noexcept;
// Hardirq and NMI context by hand (what Machine::generic_handle_irq does
// around the handlers, without disabling interrupts). irq_exit() runs the
// tasklets that became pending when it returns the thread to task context.
void irq_enter() noexcept;
void irq_exit() noexcept;
void nmi_enter() noexcept;
void nmi_exit() noexcept;

// ---- memory-allocation scopes (include/linux/sched/mm.h) -------------------------
// Every allocation the thread makes inside a scope is changed, whatever mask
// the callee passes: NOFS drops __GFP_FS, NOIO drops __GFP_IO and __GFP_FS,
// PIN drops __GFP_MOVABLE, NORECLAIM marks the thread as reclaim itself
// (PF_MEMALLOC: every reserve, no recursion into reclaim). Each save returns
// the previous state for its restore, so scopes nest.
[[nodiscard]] unsigned memalloc_nofs_save() noexcept;
void memalloc_nofs_restore(unsigned flags) noexcept;
[[nodiscard]] unsigned memalloc_noio_save() noexcept;
void memalloc_noio_restore(unsigned flags) noexcept;
[[nodiscard]] unsigned memalloc_noreclaim_save() noexcept;
void memalloc_noreclaim_restore(unsigned flags) noexcept;
[[nodiscard]] unsigned memalloc_pin_save() noexcept;
void memalloc_pin_restore(unsigned flags) noexcept;
// gfp as the scopes now in force change it.
gfp_t current_gfp_context(gfp_t gfp) noexcept;

// ---- sleeping (include/linux/kernel.h, sched.h) -----------------------------------
// A place that may sleep: in atomic context m reports it (at most once a
// second; counted every time) naming the caller's file and line.
// cond_resched() also yields the thread, unless atomic; it returns whether
// it did. (__builtin_FILE/LINE rather than std::source_location, which
// Clang 14 with libstdc++ 12 lacks.)
void might_sleep(Machine& m, const char* file = __builtin_FILE(), int line = __builtin_LINE());
bool cond_resched(Machine& m, const char* file = __builtin_FILE(), int line = __builtin_LINE());

// ---- scopes -------------------------------------------------------------------------
// RAII forms of the pairs above. Not copyable; end on the thread that began them.
class PreemptOff {
 public:
  PreemptOff() noexcept { preempt_disable(); }
  ~PreemptOff() { preempt_enable(); }
  PreemptOff(const PreemptOff&) = delete;
  PreemptOff& operator=(const PreemptOff&) = delete;
};

class IrqsOff {  // local_irq_save() .. local_irq_restore()
 public:
  IrqsOff() noexcept : flags_(local_irq_save()) {}
  ~IrqsOff() { local_irq_restore(flags_); }
  IrqsOff(const IrqsOff&) = delete;
  IrqsOff& operator=(const IrqsOff&) = delete;

 private:
  unsigned long flags_;
};

class BhOff {  // local_bh_disable() .. local_bh_enable()
 public:
  BhOff() noexcept { local_bh_disable(); }
  ~BhOff() { local_bh_enable(); }
  BhOff(const BhOff&) = delete;
  BhOff& operator=(const BhOff&) = delete;
};

template <unsigned (*Save)() noexcept, void (*Restore)(unsigned) noexcept>
class MemallocScope {
 public:
  MemallocScope() noexcept : saved_(Save()) {}
  ~MemallocScope() { Restore(saved_); }
  MemallocScope(const MemallocScope&) = delete;
  MemallocScope& operator=(const MemallocScope&) = delete;

 private:
  unsigned saved_;
};
using NofsScope = MemallocScope<memalloc_nofs_save, memalloc_nofs_restore>;
using NoioScope = MemallocScope<memalloc_noio_save, memalloc_noio_restore>;
using NoreclaimScope = MemallocScope<memalloc_noreclaim_save, memalloc_noreclaim_restore>;
using PinScope = MemallocScope<memalloc_pin_save, memalloc_pin_restore>;

// ---- spinlock_t -----------------------------------------------------------------------
// A lock between threads that never sleeps (waiters spin, then yield).
// Holding it disables preemption: the holder is in_atomic(). The _bh forms
// also disable bottom halves, _irq/_irqsave interrupts. Not recursive.
// unlock() of a lock nobody holds is ignored. Meets BasicLockable and
// Lockable (std::lock_guard, std::unique_lock).
class spinlock {
 public:
  constexpr spinlock() noexcept = default;
  spinlock(const spinlock&) = delete;
  spinlock& operator=(const spinlock&) = delete;

  void lock() noexcept;
  bool try_lock() noexcept;
  void unlock() noexcept;
  void lock_bh() noexcept;
  void unlock_bh() noexcept;
  void lock_irq() noexcept;
  void unlock_irq() noexcept;  // enables interrupts, whatever they were
  [[nodiscard]] unsigned long lock_irqsave() noexcept;
  void unlock_irqrestore(unsigned long flags) noexcept;
  bool is_locked() const noexcept { return locked_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> locked_{false};  // the library's spinlock (layout checked)
};

// ---- mutex ------------------------------------------------------------------------------
// A sleeping lock of machine m (waiters sleep on a futex). lock() may sleep,
// so it is a might_sleep() point: called in atomic context, m reports it
// (and the lock is still taken). unlock() of an unlocked mutex is a WARNING
// on m and changes nothing. Meets Lockable.
class mutex {
 public:
  explicit mutex(Machine& m) noexcept : machine_(&m) {}
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;

  void lock() noexcept;  // reported as kernel/locking/mutex.c, like Linux's
  bool try_lock() noexcept;
  void unlock() noexcept;
  bool is_locked() const noexcept { return state_.load(std::memory_order_relaxed) != 0; }

 private:
  // The library's mutex (layout checked), then the machine.
  std::atomic<unsigned> state_{0};
  std::atomic<int> owner_{0};
  Machine* machine_;
};

// ---- tasklets ---------------------------------------------------------------------------
// Deferred work run in softirq context (in_serving_softirq()) on the thread
// that scheduled it: when an interrupt handler returns, when bottom halves
// are enabled again, or at once if scheduled from task context with bottom
// halves and interrupts enabled. One run per schedule however many schedules
// come before it runs; never two runs at once. The destructor kills it
// (waits until it is neither queued nor running).
class tasklet {
 public:
  explicit tasklet(std::function<void()> fn);
  ~tasklet();
  tasklet(const tasklet&) = delete;
  tasklet& operator=(const tasklet&) = delete;

  void schedule() noexcept;
  void hi_schedule() noexcept { schedule(); }
  // Disabled, it stays queued without running until the matching enable();
  // disable() waits for a run in progress on another thread.
  void disable() noexcept;
  void enable() noexcept;
  // Waits until it is neither queued nor running. Never from its own
  // function, nor while it is disabled and queued.
  void kill() noexcept;
  bool scheduled() const noexcept;

 private:
  static void run(unsigned long self);
  alignas(8) unsigned char core_[40];  // the library's tasklet (size checked)
  std::function<void()> fn_;
};

}  // namespace api
}  // namespace kmem
