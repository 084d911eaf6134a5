/* SPDX-License-Identifier: MIT */
/*
 * <linux/hardirq.h>: entering and leaving interrupt context by hand.
 *
 * generic_handle_irq() (<linux/interrupt.h>) brackets the handlers it runs
 * with these; code that stands in for an architecture's entry path (a
 * simulated device, a test) may call them itself:
 *
 *   irq_enter()   the calling thread is in hardirq context: preempt_count()
 *                 += HARDIRQ_OFFSET, in_hardirq() and in_interrupt() hold
 *   irq_exit()    leaves it; when that returns the thread to task context
 *                 (no softirq, hardirq or NMI left and bottom halves
 *                 enabled), the tasklets scheduled meanwhile run now, in
 *                 softirq context, as Linux's irq_exit() runs softirqs
 *   nmi_enter()   NMI context: += NMI_OFFSET + HARDIRQ_OFFSET (in_nmi())
 *   nmi_exit()    leaves it
 *
 * Unlike an interrupt raised through generic_handle_irq(), irq_enter()
 * does not disable interrupts: call local_irq_disable() first to model
 * the hardware doing so. Calls must pair up on one thread.
 */
#ifndef KMEM_COMPAT_LINUX_HARDIRQ_H
#define KMEM_COMPAT_LINUX_HARDIRQ_H

#include <linux/compiler.h>
#include <linux/preempt.h>

KMEM_C_BEGIN

void irq_enter(void);
void irq_exit(void);
void nmi_enter(void);
void nmi_exit(void);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_HARDIRQ_H */
