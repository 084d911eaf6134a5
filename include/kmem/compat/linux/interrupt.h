/* SPDX-License-Identifier: MIT */
/*
 * <linux/interrupt.h>: interrupt handlers and tasklets.
 *
 * The current machine has NR_IRQS interrupt lines. There is no hardware
 * behind them: generic_handle_irq(irq) raises irq on the calling thread
 * (the CPU), which runs the line's handlers at once, in hardirq context
 * (in_hardirq(), preempt_count() += HARDIRQ_OFFSET) with interrupts
 * disabled, and then, as irq_exit() does, the tasklets they scheduled, in
 * softirq context. If the thread has interrupts disabled, the interrupt is
 * held until it enables them.
 *
 *   request_irq(irq, handler, flags, name, dev)
 *                    attaches handler(irq, dev) to the line: 0, -EINVAL
 *                    (irq >= NR_IRQS, no handler, or IRQF_SHARED with a
 *                    NULL dev) or -EBUSY (the line is taken and not every
 *                    handler on it, this one included, asked for
 *                    IRQF_SHARED; at most 4 share a line)
 *   free_irq(irq, dev)
 *                    detaches the handler registered with dev, after any
 *                    run of it in progress on another thread, and returns
 *                    the name given to request_irq(); a handler that is not
 *                    there gives a WARNING ("Trying to free already-free
 *                    IRQ") and NULL
 *   generic_handle_irq(irq)
 *                    raises irq as above: 0, or -EINVAL if it has no handler
 *
 * A handler returns IRQ_HANDLED if its device raised the interrupt,
 * IRQ_NONE otherwise. It runs in atomic context: it must allocate with
 * GFP_ATOMIC; a GFP_KERNEL allocation there is reported ("BUG: sleeping
 * function called from invalid context").
 *
 * Tasklets are deferred work that runs in softirq context (in_softirq(),
 * in_serving_softirq()), on the thread that scheduled it: when a handler
 * returns (irq_exit()), when local_bh_enable() or spin_unlock_bh() enables
 * bottom halves, or, scheduled from task context with bottom halves and
 * interrupts enabled, at once (Linux's ksoftirqd would soon).
 *
 *   DECLARE_TASKLET(name, callback)           a tasklet calling
 *   tasklet_setup(t, callback)                callback(t); from_tasklet()
 *                                             finds the enclosing structure
 *   DECLARE_TASKLET_DISABLED(name, callback)  the same, disabled
 *   tasklet_init(t, func, data)               the old form: func(data)
 *   tasklet_schedule(t)       queues t unless it is queued already: one
 *                             run per schedule, however many schedules come
 *                             before it runs
 *   tasklet_hi_schedule(t)    the same (there is one priority)
 *   tasklet_disable(t)        t stays queued and does not run until the
 *                             matching tasklet_enable(); waits for a run in
 *                             progress (tasklet_disable_nosync() does not)
 *   tasklet_enable(t)         runs it now if it became pending meanwhile
 *   tasklet_kill(t)           waits until t is neither queued nor running
 *                             (never call it from t itself, or for a
 *                             disabled tasklet that is queued)
 *
 * A tasklet never runs on two threads at once: scheduled on one while it
 * runs on another, it runs again after that run ends.
 */
#ifndef KMEM_COMPAT_LINUX_INTERRUPT_H
#define KMEM_COMPAT_LINUX_INTERRUPT_H

#include <stddef.h>

#include <linux/bottom_half.h>
#include <linux/compiler.h>
#include <linux/hardirq.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/types.h>

#define NR_IRQS 256

/* What a handler returns. */
enum irqreturn {
  IRQ_NONE = (0 << 0),       /* not my device */
  IRQ_HANDLED = (1 << 0),    /* handled */
  IRQ_WAKE_THREAD = (1 << 1) /* handled; counts as IRQ_HANDLED (no threads) */
};
typedef enum irqreturn irqreturn_t;
#define IRQ_RETVAL(x) ((x) ? IRQ_HANDLED : IRQ_NONE)

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

/* request_irq() flags. */
#define IRQF_SHARED 0x00000080 /* the line may be shared with other handlers */

KMEM_C_BEGIN

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name,
                void *dev);
const void *free_irq(unsigned int irq, void *dev_id);
int generic_handle_irq(unsigned int irq);

KMEM_C_END

/* Bits of tasklet_struct.state (bit numbers, as in Linux). */
enum { TASKLET_STATE_SCHED, TASKLET_STATE_RUN };

/* The layout is the library's tasklet (checked when kmem is built). The
 * union lists callback first so that DECLARE_TASKLET can initialise it in
 * order, in C and in C++. */
struct tasklet_struct {
  struct tasklet_struct *next; /* on the scheduling thread's queue */
  unsigned long state;         /* TASKLET_STATE_* bits */
  atomic_t count;              /* > 0: disabled */
  bool use_callback;           /* callback(t), not func(data) */
  union {
    void (*callback)(struct tasklet_struct *t);
    void (*func)(unsigned long data);
  };
  unsigned long data;
};

#define DECLARE_TASKLET(name, _callback) \
  struct tasklet_struct name = {NULL, 0, ATOMIC_INIT(0), true, {_callback}, 0}
#define DECLARE_TASKLET_DISABLED(name, _callback) \
  struct tasklet_struct name = {NULL, 0, ATOMIC_INIT(1), true, {_callback}, 0}

/* The structure whose member tasklet_fieldname is callback_tasklet (var
 * only gives the type). */
#define from_tasklet(var, callback_tasklet, tasklet_fieldname) \
  container_of(callback_tasklet, __typeof__(*var), tasklet_fieldname)

KMEM_C_BEGIN

void tasklet_init(struct tasklet_struct *t, void (*func)(unsigned long), unsigned long data);
void tasklet_setup(struct tasklet_struct *t, void (*callback)(struct tasklet_struct *));
void tasklet_schedule(struct tasklet_struct *t);
void tasklet_hi_schedule(struct tasklet_struct *t);
void tasklet_disable_nosync(struct tasklet_struct *t);
void tasklet_disable(struct tasklet_struct *t);
void tasklet_enable(struct tasklet_struct *t);
void tasklet_kill(struct tasklet_struct *t);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_INTERRUPT_H */
