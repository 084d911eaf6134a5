/* SPDX-License-Identifier: MIT */
/*
 * <linux/irqflags.h>: the calling thread's interrupt flag.
 *
 * Each thread (a CPU) has interrupts enabled or disabled. An interrupt
 * raised with generic_handle_irq() on a thread that has them disabled is
 * held, and its handlers run when the thread enables them again; tasklets
 * that became pending run then too.
 *
 *   local_irq_disable()          disables interrupts on this thread
 *   local_irq_enable()           enables them: held interrupts are delivered
 *   local_irq_save(flags)        disables them and stores the previous state
 *                                in flags (an unsigned long lvalue, as in
 *                                Linux: a macro that assigns)
 *   local_irq_restore(flags)     returns to the state saved in flags
 *   local_save_flags(flags)      stores the current state without a change
 *   irqs_disabled()              true while disabled
 *   irqs_disabled_flags(flags)   true if flags was saved with them disabled
 *
 * flags is opaque: only pass it back to local_irq_restore() or
 * irqs_disabled_flags(). A call that may sleep with interrupts disabled is
 * reported ("BUG: sleeping function called from invalid context").
 */
#ifndef KMEM_COMPAT_LINUX_IRQFLAGS_H
#define KMEM_COMPAT_LINUX_IRQFLAGS_H

#include <linux/compiler.h>
#include <linux/types.h>

KMEM_C_BEGIN

void local_irq_disable(void);
void local_irq_enable(void);
void local_irq_restore(unsigned long flags);
bool irqs_disabled(void);
/* What the macros below call. */
unsigned long kmem_local_irq_save(void);
unsigned long kmem_local_save_flags(void);

KMEM_C_END

#define local_irq_save(flags)        \
  do {                               \
    (flags) = kmem_local_irq_save(); \
  } while (0)
#define local_save_flags(flags)        \
  do {                                 \
    (flags) = kmem_local_save_flags(); \
  } while (0)

static inline bool irqs_disabled_flags(unsigned long flags) { return flags != 0; }

#endif /* KMEM_COMPAT_LINUX_IRQFLAGS_H */
