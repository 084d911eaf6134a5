/* SPDX-License-Identifier: MIT */
/*
 * <linux/bottom_half.h>: keeping softirqs (tasklets) off the calling
 * thread.
 *
 *   local_bh_disable()   preempt_count() += SOFTIRQ_DISABLE_OFFSET: tasklets
 *                        scheduled on this thread wait; in_softirq() and
 *                        in_atomic() hold
 *   local_bh_enable()    undoes one local_bh_disable(); when bottom halves
 *                        are enabled again the pending tasklets run now (an
 *                        enable without a disable is a WARNING and changes
 *                        nothing)
 *
 * Nestable; calls must pair up on one thread.
 */
#ifndef KMEM_COMPAT_LINUX_BOTTOM_HALF_H
#define KMEM_COMPAT_LINUX_BOTTOM_HALF_H

#include <linux/compiler.h>

KMEM_C_BEGIN

void local_bh_disable(void);
void local_bh_enable(void);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_BOTTOM_HALF_H */
