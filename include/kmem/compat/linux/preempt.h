/* SPDX-License-Identifier: MIT */
/*
 * <linux/preempt.h>: the calling thread's preemption counter and the
 * context predicates read from it.
 *
 * In kmem a thread is a CPU running one task at a time; each thread has its
 * own counter, laid out as Linux's preempt_count:
 *
 *   bits  0-7   PREEMPT_MASK   preempt_disable() depth (spin_lock() adds one)
 *   bits  8-15  SOFTIRQ_MASK   SOFTIRQ_OFFSET (bit 8) while a tasklet runs;
 *                              local_bh_disable() adds SOFTIRQ_DISABLE_OFFSET
 *   bits 16-19  HARDIRQ_MASK   hardirq nesting: an interrupt handler runs
 *                              (generic_handle_irq(), irq_enter())
 *   bits 20-23  NMI_MASK       NMI nesting (nmi_enter())
 *
 *   preempt_disable()       +1; preempt_enable() -1 (an enable without a
 *                           disable is a WARNING and changes nothing)
 *   preempt_count()         the whole counter
 *   in_nmi()                in an NMI handler
 *   in_hardirq(), in_irq()  in an interrupt handler (or an NMI)
 *   in_serving_softirq()    running a tasklet
 *   in_softirq()            running a tasklet, or bottom halves disabled
 *   in_interrupt()          any of the three: hardirq, softirq or NMI
 *   in_task()               task context (bottom halves may be disabled)
 *   in_atomic()             preempt_count() != 0: the caller may not sleep
 *
 * A call that may sleep (a GFP_KERNEL allocation, mutex_lock(),
 * might_sleep()) made while in_atomic() or irqs_disabled() prints
 * "BUG: sleeping function called from invalid context" and counts
 * KMEM_BUG_ATOMIC_SLEEP (see <linux/kernel.h>).
 *
 * The state belongs to the thread, not to a machine. Unlike Linux's macros,
 * the predicates are functions (so that they do not capture the names of
 * C++ code that includes this header); the masks are macros as in Linux.
 */
#ifndef KMEM_COMPAT_LINUX_PREEMPT_H
#define KMEM_COMPAT_LINUX_PREEMPT_H

#include <linux/compiler.h>
#include <linux/types.h>

#define PREEMPT_BITS 8
#define SOFTIRQ_BITS 8
#define HARDIRQ_BITS 4
#define NMI_BITS 4

#define PREEMPT_SHIFT 0
#define SOFTIRQ_SHIFT (PREEMPT_SHIFT + PREEMPT_BITS)
#define HARDIRQ_SHIFT (SOFTIRQ_SHIFT + SOFTIRQ_BITS)
#define NMI_SHIFT (HARDIRQ_SHIFT + HARDIRQ_BITS)

#define __IRQ_MASK(x) ((1UL << (x)) - 1)

#define PREEMPT_MASK (__IRQ_MASK(PREEMPT_BITS) << PREEMPT_SHIFT)
#define SOFTIRQ_MASK (__IRQ_MASK(SOFTIRQ_BITS) << SOFTIRQ_SHIFT)
#define HARDIRQ_MASK (__IRQ_MASK(HARDIRQ_BITS) << HARDIRQ_SHIFT)
#define NMI_MASK (__IRQ_MASK(NMI_BITS) << NMI_SHIFT)

#define PREEMPT_OFFSET (1UL << PREEMPT_SHIFT)
#define SOFTIRQ_OFFSET (1UL << SOFTIRQ_SHIFT)
#define HARDIRQ_OFFSET (1UL << HARDIRQ_SHIFT)
#define NMI_OFFSET (1UL << NMI_SHIFT)

/* local_bh_disable() adds twice SOFTIRQ_OFFSET, so that bit 8 alone says
 * "serving a softirq". */
#define SOFTIRQ_DISABLE_OFFSET (2 * SOFTIRQ_OFFSET)
#define PREEMPT_DISABLE_OFFSET PREEMPT_OFFSET

KMEM_C_BEGIN

void preempt_disable(void);
void preempt_enable(void);
/* There is no scheduler to preempt to: the same as preempt_enable(). */
void preempt_enable_no_resched(void);
int preempt_count(void);

unsigned long hardirq_count(void); /* preempt_count() & HARDIRQ_MASK */
unsigned long softirq_count(void); /* preempt_count() & SOFTIRQ_MASK */
unsigned long irq_count(void);     /* ... & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK) */

bool in_nmi(void);
bool in_hardirq(void);
bool in_irq(void); /* the old name of in_hardirq() */
bool in_softirq(void);
bool in_serving_softirq(void);
bool in_interrupt(void);
bool in_task(void);
bool in_atomic(void);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_PREEMPT_H */
