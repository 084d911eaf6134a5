// SPDX-License-Identifier: MIT
// Interrupt lines and tasklets (kernel/irq/, kernel/softirq.c).
//
// A machine has NR_IRQS lines. request_irq() attaches a handler (several
// with IRQF_SHARED); generic_handle_irq() runs the line's handlers on the
// calling thread in hardirq context, with interrupts off, then runs the
// softirq work that became pending, as irq_exit() does. A thread that has
// interrupts disabled holds the interrupt until it enables them again.
//
// Tasklets run in softirq context on the thread (CPU) that scheduled them:
// at irq_exit(), at local_bh_enable(), or at once when scheduled from task
// context with bottom halves and interrupts enabled (standing in for
// ksoftirqd).
#pragma once

#include <atomic>

#include "base/spinlock.h"
#include "base/types.h"

namespace kmem {

inline constexpr unsigned NR_IRQS = 256;
inline constexpr unsigned IRQ_MAX_SHARED = 4;

enum : int { IRQ_NONE = 0, IRQ_HANDLED = 1, IRQ_WAKE_THREAD = 2 };
enum : unsigned long { IRQF_SHARED = 0x00000080 };

using irq_handler_t = int (*)(int irq, void* dev_id);

struct IrqAction {
  irq_handler_t handler;
  void* dev_id;
  const char* name;
  unsigned long flags;
};

struct IrqDesc {
  SpinLock lock;
  unsigned nr_actions = 0;
  IrqAction action[IRQ_MAX_SHARED] = {};
  std::atomic<u32> in_progress{0};  // handlers running (synchronize_irq waits)
  std::atomic<u64> count{0};        // interrupts handled (/proc/interrupts)
  std::atomic<u64> unhandled{0};    // raised with every handler saying IRQ_NONE
};

// struct tasklet_struct; the C header declares the same layout.
enum : unsigned long { TASKLET_STATE_SCHED = 1ul << 0, TASKLET_STATE_RUN = 1ul << 1 };

struct Tasklet {
  Tasklet* next;
  std::atomic<unsigned long> state;
  std::atomic<int> count;  // > 0: disabled
  bool use_callback;
  union {
    void (*func)(unsigned long);
    void (*callback)(Tasklet*);
  };
  unsigned long data;
};

void tasklet_init(Tasklet* t, void (*func)(unsigned long), unsigned long data);
void tasklet_setup(Tasklet* t, void (*callback)(Tasklet*));
// Queues t on this CPU unless it is already queued.
void tasklet_schedule(Tasklet* t);
inline void tasklet_hi_schedule(Tasklet* t) { tasklet_schedule(t); }
void tasklet_disable(Tasklet* t);
void tasklet_enable(Tasklet* t);
// Waits until t is neither scheduled nor running (must not be called from it).
void tasklet_kill(Tasklet* t);

}  // namespace kmem
