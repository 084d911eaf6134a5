// SPDX-License-Identifier: MIT
// Execution contexts: what Linux keeps in preempt_count, the irq flags and
// task_struct->flags, per thread of the process (a thread is a CPU running
// one task at a time). From it the core answers in_interrupt(), in_atomic(),
// irqs_disabled(), applies the memalloc scopes to every allocation
// (current_gfp_context) and reports a call that may sleep made where it must
// not ("BUG: sleeping function called from invalid context").
//
// The state is a plain thread-local struct, not per machine: a thread that
// holds a spinlock of one machine is atomic for all of them. Reading it is
// one TLS access; the allocation fast path reads two words of it.
//
// preempt_count layout (include/linux/preempt.h):
//   bits  0-7  preemption disable depth (PREEMPT_MASK)
//   bits  8-15 softirq: bit 8 = serving a softirq, +2 per local_bh_disable
//   bits 16-19 hardirq nesting
//   bits 20-23 NMI nesting
#pragma once

#include "base/types.h"
#include "page_alloc/gfp.h"

namespace kmem {

class Kernel;
struct Task;
struct Tasklet;

inline constexpr u32 PREEMPT_OFFSET = 1u;
inline constexpr u32 SOFTIRQ_OFFSET = 1u << 8;
inline constexpr u32 SOFTIRQ_DISABLE_OFFSET = 2u << 8;
inline constexpr u32 HARDIRQ_OFFSET = 1u << 16;
inline constexpr u32 NMI_OFFSET = 1u << 20;
inline constexpr u32 PREEMPT_MASK = 0xffu;
inline constexpr u32 SOFTIRQ_MASK = 0xff00u;
inline constexpr u32 HARDIRQ_MASK = 0xf0000u;
inline constexpr u32 NMI_MASK = 0xf00000u;

// task_struct->flags bits kmem uses (include/linux/sched.h, 6.18 values).
enum : u32 {
  PF_MEMALLOC = 0x00000800,       // reclaim itself: all reserves, no recursion
  PF_KSWAPD = 0x00020000,         // the kswapd thread
  PF_MEMALLOC_NOFS = 0x00040000,  // memalloc_nofs_save() scope
  PF_MEMALLOC_NOIO = 0x00080000,  // memalloc_noio_save() scope
  PF_KTHREAD = 0x00200000,        // a kernel thread
  PF_MEMALLOC_PIN = 0x10000000,   // memalloc_pin_save(): no ZONE_MOVABLE
};

// The calling thread's CPU slot, and whether it owns it exclusively
// (Kernel::this_cpu()).
struct CpuRef {
  unsigned cpu;
  bool exclusive;
  // exclusive, and the machine runs its CPU slots in the asymmetric mode
  // (Kernel::cpu_enter): the owner enters with plain stores. Worked out
  // once per thread so that the fast paths test one bit.
  bool fast;
};
struct CpuSlot;  // kernel.h

// Pages freed while a reclaimer runs are credited to it (current->reclaim_state).
struct ReclaimState {
  unsigned long reclaimed;
};

inline constexpr unsigned MAX_PENDING_IRQS = 16;
inline constexpr unsigned MAX_KMAP_LOCAL = 16;  // KM_MAX_IDX

// The per-thread context. Plain data, zero-initialised per thread.
struct TaskContext {
  // The three words atomic_context() reads, first and together (one 8-byte
  // and one 4-byte load).
  u32 preempt_count;
  u32 irqs_disabled;  // local_irq_disable() state (0/1)
  // RCU read side (rcu/rcu.h): nesting per flavour (rcu, bh, sched).
  u32 rcu_depth[3];
  u32 flags;           // PF_*
  u32 spinlocks_held;  // spin_lock()s not yet released
  ReclaimState* reclaim_state;
  Task* task;             // the killable task this thread runs as (OOM), or null
  Tasklet* softirq_head;  // tasklets scheduled on this CPU, run in softirq context
  Tasklet* softirq_tail;
  // Interrupts raised while this thread had them disabled, delivered when
  // they are enabled again.
  Kernel* pending_irq_kernel[MAX_PENDING_IRQS];
  u32 pending_irq[MAX_PENDING_IRQS];
  u32 nr_pending_irqs;
  u32 kmap_local_depth;  // kmap_local_page() stack (highmem)
  u32 kmap_local_slot[MAX_KMAP_LOCAL];
  u64 might_sleep_last_ns;
  // For each machine whose RCU reader counters this thread holds (up to
  // four at once): its RcuState, the nesting there and the counter index taken.
  struct RcuReaderSlot {
    const void* state;
    u32 depth;
    u32 idx;
  } rcu_reader[4];
  // Kernel::this_cpu()'s cache: the CPU word the platform gave this thread
  // for the machine with boot id cpu_cache_uid (0: none). The platform
  // clears it when it rebinds the thread.
  u64 cpu_cache_uid;
  CpuRef cpu_cache;
  CpuSlot* cpu_fast_slot;  // cpu_cache's slot when cpu_cache.fast, else null
};

extern __thread TaskContext g_current_ctx;

inline TaskContext& current_ctx() {
#ifdef KMEM_SANITIZED
  // Under -fsanitize=null GCC checks the TLS address as if it were a
  // pointer it computed and reports a false "null pointer" in PIE
  // executables; the empty asm hides it. Not in normal builds: it stops the
  // compiler from hoisting the TLS address (0.5 -> 1.5 ns per check).
  TaskContext* c = &g_current_ctx;
  __asm__("" : "+r"(c));
  return *c;
#else
  return g_current_ctx;
#endif
}

// ---- queries (include/linux/preempt.h, irqflags.h) ------------------------------
inline u32 preempt_count() { return current_ctx().preempt_count; }
inline u32 hardirq_count() { return preempt_count() & HARDIRQ_MASK; }
inline u32 softirq_count() { return preempt_count() & SOFTIRQ_MASK; }
inline u32 irq_count() { return preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK); }
inline bool in_nmi() { return preempt_count() & NMI_MASK; }
inline bool in_hardirq() { return hardirq_count() != 0; }
// True while serving a softirq or with bottom halves disabled (Linux's in_softirq()).
inline bool in_softirq() { return softirq_count() != 0; }
inline bool in_serving_softirq() { return softirq_count() & SOFTIRQ_OFFSET; }
inline bool in_interrupt() { return irq_count() != 0; }
inline bool in_task() { return !(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)); }
inline bool in_atomic() { return preempt_count() != 0; }
inline bool irqs_disabled() { return current_ctx().irqs_disabled != 0; }
// May the caller sleep here? (What might_sleep() checks.)
// Where might_sleep() must not be called: preemption or interrupts off, or
// inside rcu_read_lock() (PREEMPT_RCU's check of rcu_preempt_depth()).
inline bool atomic_context() {
  const TaskContext& c = current_ctx();
  static_assert(__builtin_offsetof(TaskContext, irqs_disabled) == 4 &&
                __builtin_offsetof(TaskContext, rcu_depth) == 8);
  u64 preempt_and_irqs;
  __builtin_memcpy(&preempt_and_irqs, &c.preempt_count, sizeof preempt_and_irqs);
  return (preempt_and_irqs | c.rcu_depth[0]) != 0;
}

// ---- preemption -----------------------------------------------------------------
inline void preempt_disable() { current_ctx().preempt_count += PREEMPT_OFFSET; }
// Unbalanced enables are reported by the caller's machine (see preempt_enable_checked).
inline void preempt_enable() { current_ctx().preempt_count -= PREEMPT_OFFSET; }

// ---- memalloc scopes (include/linux/sched/mm.h) ---------------------------------
// Each save returns the previous state of its flag for the matching restore.
inline unsigned memalloc_flags_save(u32 f) {
  TaskContext& c = current_ctx();
  unsigned old = c.flags & f;
  c.flags |= f;
  return old;
}
inline void memalloc_flags_restore(u32 f, unsigned old) {
  TaskContext& c = current_ctx();
  c.flags = (c.flags & ~f) | old;
}
inline unsigned memalloc_nofs_save() { return memalloc_flags_save(PF_MEMALLOC_NOFS); }
inline void memalloc_nofs_restore(unsigned f) { memalloc_flags_restore(PF_MEMALLOC_NOFS, f); }
inline unsigned memalloc_noio_save() { return memalloc_flags_save(PF_MEMALLOC_NOIO); }
inline void memalloc_noio_restore(unsigned f) { memalloc_flags_restore(PF_MEMALLOC_NOIO, f); }
inline unsigned memalloc_noreclaim_save() { return memalloc_flags_save(PF_MEMALLOC); }
inline void memalloc_noreclaim_restore(unsigned f) { memalloc_flags_restore(PF_MEMALLOC, f); }
inline unsigned memalloc_pin_save() { return memalloc_flags_save(PF_MEMALLOC_PIN); }
inline void memalloc_pin_restore(unsigned f) { memalloc_flags_restore(PF_MEMALLOC_PIN, f); }

// current_gfp_context: the scopes applied to a mask. NOIO strips IO and FS,
// NOFS strips FS, PIN strips MOVABLE.
inline gfp_t gfp_context_of(u32 pflags, gfp_t gfp) {
  if (__builtin_expect(pflags & (PF_MEMALLOC_NOIO | PF_MEMALLOC_NOFS | PF_MEMALLOC_PIN), 0)) {
    if (pflags & PF_MEMALLOC_NOIO) gfp &= ~(gfp::IO | gfp::FS);
    else if (pflags & PF_MEMALLOC_NOFS) gfp &= ~gfp::FS;
    if (pflags & PF_MEMALLOC_PIN) gfp &= ~gfp::MOVABLE;
  }
  return gfp;
}
inline gfp_t current_gfp_context(gfp_t gfp) { return gfp_context_of(current_ctx().flags, gfp); }

// ---- interrupts (context/irq.cpp) -----------------------------------------------
// local_irq_*: this thread's interrupt flag. Interrupts raised on a thread
// with them disabled are held and delivered when they are enabled again.
void local_irq_disable();
void local_irq_enable();
unsigned long local_irq_save();
void local_irq_restore(unsigned long flags);
// Bottom halves: local_bh_enable() runs tasklets that became pending.
void local_bh_disable();
void local_bh_enable();
// Hardirq and NMI entry/exit, as the arch code brackets a handler.
void irq_enter();
void irq_exit();
void nmi_enter();
void nmi_exit();
// Runs this thread's pending tasklets in softirq context, if allowed now.
void do_softirq();

}  // namespace kmem
