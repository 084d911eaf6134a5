// SPDX-License-Identifier: MIT
// The machine's side of execution contexts: the might_sleep report, the
// interrupt lines, sleeping on wait events (kernel/sched/core.c
// __might_resched, kernel/irq/manage.c, kernel/sched/wait.c).
#include <errno.h>

#include "base/format.h"
#include "base/string.h"
#include "kernel.h"

namespace kmem {

void Kernel::current_comm(char* buf, size_t n) const {
  const Task* t = current_ctx().task;
  if (t == nullptr) {
    ops_.current_comm(ops_.ctx, buf, n);
    return;
  }
  format(buf, n, "%s", t->comm);
}

void Kernel::report_atomic_sleep(const char* file, int line) {
  if (!system_scheduling_) return;  // early boot (the first C call may come under a lock)
  bugs_[BUG_ATOMIC_SLEEP].fetch_add(1, std::memory_order_relaxed);
  if (opts_.bug_action == BugAction::count) return;
  // Linux prints at most one report per second (prev_jiffy + HZ).
  const u64 now = ops_.now_ns ? ops_.now_ns(ops_.ctx) : 1;
  u64 prev = last_atomic_sleep_ns_.load(std::memory_order_relaxed);
  if (prev != 0 && now - prev < 1000000000ULL) {
    if (opts_.bug_action != BugAction::panic) return;
  } else if (!last_atomic_sleep_ns_.compare_exchange_strong(prev, now == 0 ? 1 : now) &&
             opts_.bug_action != BugAction::panic) {
    return;
  }
  const TaskContext& c = current_ctx();
  char comm[32];
  current_comm(comm, sizeof comm);
  char buf[768];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  s.print("BUG: sleeping function called from invalid context at %s:%d\n", file, line);
  s.print("in_atomic(): %d, irqs_disabled(): %d, non_block: %d, pid: %d, name: %s\n",
          c.preempt_count != 0 ? 1 : 0, c.irqs_disabled ? 1 : 0, 0, current_pid(), comm);
  s.print("preempt_count: %x, expected: %x\n", c.preempt_count, 0u);
  s.print("RCU nest depth: %u, expected: %u\n", c.rcu_depth[0], 0u);
  if (c.spinlocks_held)
    s.print("%u lock%s held by %s/%d.\n", c.spinlocks_held, c.spinlocks_held == 1 ? "" : "s", comm,
            current_pid());
  s.print("CPU: %u UID: 0 PID: %d Comm: %s Tainted: G        W           6.18.0-kmem #1\n",
          current_cpu(), current_pid(), comm);
  s.puts("Call Trace:\n");
  s.puts(in_nmi()               ? " <NMI>\n"
         : in_hardirq()         ? " <IRQ>\n"
         : in_serving_softirq() ? " <SOFTIRQ>\n"
                                : " <TASK>\n");
  s.print("  __might_resched+0x0/0x0 (%s:%d)\n", file, line);
  s.puts(in_nmi()               ? " </NMI>\n"
         : in_hardirq()         ? " </IRQ>\n"
         : in_serving_softirq() ? " </SOFTIRQ>\n"
                                : " </TASK>\n");
  log_text(LogLevel::err, fs.c_str(), fs.length());
  if (opts_.bug_action == BugAction::panic)
    panic("bug_action=panic\n%.*s", int(fs.length()), fs.c_str());
}

// ---- interrupt lines ------------------------------------------------------------

int Kernel::request_irq(unsigned irq, irq_handler_t handler, unsigned long flags, const char* name,
                        void* dev_id) {
  if (irq >= NR_IRQS || handler == nullptr) return -EINVAL;
  if ((flags & IRQF_SHARED) && dev_id == nullptr) return -EINVAL;  // as Linux
  IrqDesc& d = irq_desc_[irq];
  SpinGuard g(d.lock);
  if (d.nr_actions > 0) {
    bool all_shared = flags & IRQF_SHARED;
    for (unsigned i = 0; i < d.nr_actions; ++i)
      all_shared &= (d.action[i].flags & IRQF_SHARED) != 0;
    if (!all_shared || d.nr_actions == IRQ_MAX_SHARED) return -EBUSY;
  }
  d.action[d.nr_actions++] = IrqAction{handler, dev_id, name, flags};
  return 0;
}

const char* Kernel::free_irq(unsigned irq, void* dev_id) {
  if (irq >= NR_IRQS) return nullptr;
  IrqDesc& d = irq_desc_[irq];
  const char* name = nullptr;
  {
    SpinGuard g(d.lock);
    for (unsigned i = 0; i < d.nr_actions; ++i) {
      if (d.action[i].dev_id != dev_id) continue;
      name = d.action[i].name;
      for (unsigned j = i + 1; j < d.nr_actions; ++j) d.action[j - 1] = d.action[j];
      --d.nr_actions;
      break;
    }
  }
  if (name == nullptr) {
    char text[128];
    size_t n = format(text, sizeof text, "WARNING: Trying to free already-free IRQ %u\n", irq);
    report_bug(BUG_WARN, text, n);
    return nullptr;
  }
  // synchronize_irq: a handler still running on another CPU finishes first.
  while (d.in_progress.load(std::memory_order_acquire) != 0) {
    if (g_yield_hook) g_yield_hook();
  }
  return name;
}

int Kernel::generic_handle_irq(unsigned irq) {
  if (irq >= NR_IRQS) return -EINVAL;
  IrqDesc& d = irq_desc_[irq];
  TaskContext& c = current_ctx();
  IrqAction actions[IRQ_MAX_SHARED];
  unsigned n;
  {
    SpinGuard g(d.lock);
    n = d.nr_actions;
    if (n == 0) return -EINVAL;
    if (c.irqs_disabled) {
      // The CPU has interrupts masked: the line stays pending until enabled.
      if (c.nr_pending_irqs == MAX_PENDING_IRQS) return -EBUSY;
      c.pending_irq_kernel[c.nr_pending_irqs] = this;
      c.pending_irq[c.nr_pending_irqs++] = irq;
      return 0;
    }
    for (unsigned i = 0; i < n; ++i) actions[i] = d.action[i];
    d.in_progress.fetch_add(1, std::memory_order_relaxed);
  }
  irq_enter();
  c.irqs_disabled = 1;
  bool handled = false;
  for (unsigned i = 0; i < n; ++i)
    handled |= actions[i].handler(int(irq), actions[i].dev_id) != IRQ_NONE;
  d.count.fetch_add(1, std::memory_order_relaxed);
  if (!handled) d.unhandled.fetch_add(1, std::memory_order_relaxed);
  d.in_progress.fetch_sub(1, std::memory_order_release);
  irq_exit();
  // Back to the interrupted context, which had interrupts enabled; deliver
  // whatever the handler raised meanwhile.
  local_irq_enable();
  return 0;
}

// ---- wait events ----------------------------------------------------------------

u32 Kernel::prepare_to_wait(WaitEvent& w) {
  w.waiters.fetch_add(1, std::memory_order_seq_cst);
  // Wakers read `waiters` with a plain load after their change (a free):
  // the heavy barrier orders that load after our increment, so either they
  // see us or we see their change when we re-check the condition.
  if (ops_.heavy_barrier == nullptr || !ops_.heavy_barrier(ops_.ctx))
    std::atomic_thread_fence(std::memory_order_seq_cst);
  return w.seq.load(std::memory_order_acquire);
}

void Kernel::wait_event(WaitEvent& w, u32 seen, u64 timeout_ns) {
  if (w.seq.load(std::memory_order_acquire) != seen) return;
  ops_.wait(ops_.ctx, &w.seq, seen, timeout_ns);
}

void Kernel::wake_up_slow(WaitEvent& w) {
  w.seq.fetch_add(1, std::memory_order_release);
  ops_.wake(ops_.ctx, &w.seq, 1 << 30);
}

}  // namespace kmem
