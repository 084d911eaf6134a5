// SPDX-License-Identifier: MIT
// Per-thread contexts: interrupt flag, bottom halves, hardirq/NMI entry,
// softirq (tasklet) execution, and the spinlock_t/mutex wrappers
// (kernel/softirq.c, kernel/locking/).
#include "context/context.h"

#include "context/irq.h"
#include "context/sync.h"
#include "kernel.h"

namespace kmem {

__thread TaskContext g_current_ctx;

namespace {

void deliver_pending_irqs() {
  TaskContext& c = current_ctx();
  // Each delivery may raise more; take them one at a time, oldest first.
  while (c.nr_pending_irqs > 0 && !c.irqs_disabled) {
    Kernel* k = c.pending_irq_kernel[0];
    u32 irq = c.pending_irq[0];
    for (u32 i = 1; i < c.nr_pending_irqs; ++i) {
      c.pending_irq_kernel[i - 1] = c.pending_irq_kernel[i];
      c.pending_irq[i - 1] = c.pending_irq[i];
    }
    --c.nr_pending_irqs;
    k->generic_handle_irq(irq);
  }
}

// Softirq work may run now: not in any interrupt, bottom halves and
// interrupts enabled.
bool softirq_allowed() {
  const TaskContext& c = current_ctx();
  return (c.preempt_count & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK)) == 0 && !c.irqs_disabled;
}

void run_tasklet(Tasklet* t) {
  // tasklet_trylock: a tasklet runs on one CPU at a time. Scheduled here
  // while another thread runs it, it waits for that run to end (Linux
  // requeues it and ksoftirqd comes back; here nothing would come back).
  // RUN is taken before the count is read, so that tasklet_disable() (count
  // up, then wait for RUN) either sees this run or is seen by it.
  while (t->state.fetch_or(TASKLET_STATE_RUN, std::memory_order_seq_cst) & TASKLET_STATE_RUN) {
    if (g_yield_hook) g_yield_hook();
  }
  if (t->count.load(std::memory_order_seq_cst) > 0) {
    // Disabled: requeue for a later pass, as tasklet_action_common does.
    t->state.fetch_and(~TASKLET_STATE_RUN, std::memory_order_release);
    t->next = nullptr;
    TaskContext& c = current_ctx();
    if (c.softirq_tail) c.softirq_tail->next = t;
    else c.softirq_head = t;
    c.softirq_tail = t;
    return;
  }
  t->state.fetch_and(~TASKLET_STATE_SCHED, std::memory_order_acq_rel);
  if (t->use_callback) t->callback(t);
  else t->func(t->data);
  t->state.fetch_and(~TASKLET_STATE_RUN, std::memory_order_release);
}

}  // namespace

void do_softirq() {
  if (!softirq_allowed()) return;
  TaskContext& c = current_ctx();
  // __do_softirq restarts a bounded number of times (MAX_SOFTIRQ_RESTART).
  for (int round = 0; round < 10 && c.softirq_head != nullptr; ++round) {
    Tasklet* list = c.softirq_head;
    c.softirq_head = c.softirq_tail = nullptr;
    c.preempt_count += SOFTIRQ_OFFSET;
    bool progress = false;
    while (list != nullptr) {
      Tasklet* t = list;
      list = t->next;
      bool disabled = t->count.load(std::memory_order_acquire) > 0;
      run_tasklet(t);
      progress |= !disabled;
    }
    c.preempt_count -= SOFTIRQ_OFFSET;
    if (!progress) break;  // only disabled tasklets left: leave them queued
  }
}

void local_irq_disable() { current_ctx().irqs_disabled = 1; }

void local_irq_enable() {
  TaskContext& c = current_ctx();
  c.irqs_disabled = 0;
  if (__builtin_expect(c.nr_pending_irqs != 0, 0)) deliver_pending_irqs();
  if (__builtin_expect(c.softirq_head != nullptr, 0)) do_softirq();
}

unsigned long local_irq_save() {
  TaskContext& c = current_ctx();
  unsigned long was = c.irqs_disabled;
  c.irqs_disabled = 1;
  return was;
}

void local_irq_restore(unsigned long flags) {
  if (flags) current_ctx().irqs_disabled = 1;
  else local_irq_enable();
}

void local_bh_disable() { current_ctx().preempt_count += SOFTIRQ_DISABLE_OFFSET; }

void local_bh_enable() {
  TaskContext& c = current_ctx();
  c.preempt_count -= SOFTIRQ_DISABLE_OFFSET;
  if (__builtin_expect(c.softirq_head != nullptr, 0)) do_softirq();
}

void irq_enter() { current_ctx().preempt_count += HARDIRQ_OFFSET; }

void irq_exit() {
  TaskContext& c = current_ctx();
  c.preempt_count -= HARDIRQ_OFFSET;
  if (c.softirq_head != nullptr &&
      (c.preempt_count & (HARDIRQ_MASK | SOFTIRQ_MASK | NMI_MASK)) == 0) {
    // irq_exit runs softirqs with interrupts enabled, then returns with them
    // off again; the handler's caller restores the interrupted state.
    u32 saved = c.irqs_disabled;
    c.irqs_disabled = 0;
    do_softirq();
    c.irqs_disabled = saved;
  }
}

void nmi_enter() { current_ctx().preempt_count += NMI_OFFSET + HARDIRQ_OFFSET; }
void nmi_exit() { current_ctx().preempt_count -= NMI_OFFSET + HARDIRQ_OFFSET; }

// ---- tasklets ---------------------------------------------------------------------

void tasklet_init(Tasklet* t, void (*func)(unsigned long), unsigned long data) {
  t->next = nullptr;
  t->state.store(0, std::memory_order_relaxed);
  t->count.store(0, std::memory_order_relaxed);
  t->use_callback = false;
  t->func = func;
  t->data = data;
}

void tasklet_setup(Tasklet* t, void (*callback)(Tasklet*)) {
  tasklet_init(t, nullptr, 0);
  t->use_callback = true;
  t->callback = callback;
}

void tasklet_schedule(Tasklet* t) {
  if (t->state.fetch_or(TASKLET_STATE_SCHED, std::memory_order_acq_rel) & TASKLET_STATE_SCHED)
    return;
  TaskContext& c = current_ctx();
  t->next = nullptr;
  if (c.softirq_tail) c.softirq_tail->next = t;
  else c.softirq_head = t;
  c.softirq_tail = t;
  // From task context with nothing masked, ksoftirqd would run it right away.
  if (softirq_allowed()) do_softirq();
}

void tasklet_disable(Tasklet* t) {
  t->count.fetch_add(1, std::memory_order_seq_cst);
  // tasklet_unlock_wait: let a running instance finish.
  while (t->state.load(std::memory_order_seq_cst) & TASKLET_STATE_RUN) {
    if (g_yield_hook) g_yield_hook();
  }
}

void tasklet_enable(Tasklet* t) {
  t->count.fetch_sub(1, std::memory_order_acq_rel);
  if (current_ctx().softirq_head != nullptr && softirq_allowed()) do_softirq();
}

void tasklet_kill(Tasklet* t) {
  while (t->state.load(std::memory_order_acquire) & (TASKLET_STATE_SCHED | TASKLET_STATE_RUN)) {
    // Queued on this thread: run it (the softirq would, soon).
    if (softirq_allowed() && current_ctx().softirq_head != nullptr) do_softirq();
    else if (g_yield_hook) g_yield_hook();
  }
}

// ---- spinlock_t --------------------------------------------------------------------

void spin_lock(KSpinlock* l) {
  preempt_disable();
  l->raw.lock();
  ++current_ctx().spinlocks_held;
}

bool spin_trylock(KSpinlock* l) {
  preempt_disable();
  if (l->raw.try_lock()) {
    ++current_ctx().spinlocks_held;
    return true;
  }
  preempt_enable();
  return false;
}

void spin_unlock(KSpinlock* l) {
  --current_ctx().spinlocks_held;
  l->raw.unlock();
  preempt_enable();
}

void spin_lock_bh(KSpinlock* l) {
  local_bh_disable();
  spin_lock(l);
}

void spin_unlock_bh(KSpinlock* l) {
  spin_unlock(l);
  local_bh_enable();
}

void spin_lock_irq(KSpinlock* l) {
  local_irq_disable();
  spin_lock(l);
}

void spin_unlock_irq(KSpinlock* l) {
  spin_unlock(l);
  local_irq_enable();
}

unsigned long spin_lock_irqsave(KSpinlock* l) {
  unsigned long flags = local_irq_save();
  spin_lock(l);
  return flags;
}

void spin_unlock_irqrestore(KSpinlock* l, unsigned long flags) {
  spin_unlock(l);
  local_irq_restore(flags);
}

// ---- mutex -------------------------------------------------------------------------

bool mutex_trylock(KMutex* m) {
  u32 expected = 0;
  if (!m->state.compare_exchange_strong(expected, 1, std::memory_order_acquire)) return false;
  return true;
}

void mutex_lock(Kernel& k, KMutex* m) {
  k.might_sleep("kernel/locking/mutex.c", 580);
  if (!mutex_trylock(m)) {
    // Drepper's three-state futex mutex.
    const PlatformOps& ops = k.platform();
    while (m->state.exchange(2, std::memory_order_acquire) != 0) ops.wait(ops.ctx, &m->state, 2, 0);
  }
  m->owner.store(k.current_pid(), std::memory_order_relaxed);
}

void mutex_unlock(Kernel& k, KMutex* m) {
  m->owner.store(0, std::memory_order_relaxed);
  if (m->state.exchange(0, std::memory_order_release) == 2) {
    const PlatformOps& ops = k.platform();
    ops.wake(ops.ctx, &m->state, 1);
  }
}

}  // namespace kmem
