/* SPDX-License-Identifier: MIT */
/*
 * <linux/spinlock.h>: spinlock_t, the lock that never sleeps.
 *
 * A spinlock_t is a real lock between threads (a waiter spins, then
 * yields) and it changes the caller's context as in Linux:
 *
 *   spin_lock(l) / spin_unlock(l)         preemption off while held
 *                                         (preempt_count() + 1): the holder
 *                                         is in_atomic() and may not sleep
 *   spin_lock_bh / spin_unlock_bh         also bottom halves off (tasklets
 *                                         scheduled meanwhile run at unlock)
 *   spin_lock_irq / spin_unlock_irq       also interrupts off; the unlock
 *                                         enables them whatever they were
 *   spin_lock_irqsave(l, flags)           interrupts off, the previous state
 *   spin_unlock_irqrestore(l, flags)      in flags (an unsigned long lvalue,
 *                                         assigned by the macro) and restored
 *                                         by the unlock
 *   spin_trylock(l)                       1 and locked, or 0 and unchanged
 *   spin_trylock_irqsave(l, flags)        the same with interrupts saved in
 *                                         flags and disabled on success
 *   spin_is_locked(l)                     1 if somebody holds it
 *   assert_spin_locked(l)                 BUG() unless somebody holds it
 *   spin_lock_init(l)                     makes l an unlocked lock
 *
 * A call that may sleep (a GFP_KERNEL allocation, mutex_lock()) while a
 * spinlock_t is held is reported: "BUG: sleeping function called from
 * invalid context". Unlocking a lock that is not locked is a WARNING and
 * changes nothing. Locks are not recursive: taking one the thread already
 * holds spins forever, as in Linux.
 */
#ifndef KMEM_COMPAT_LINUX_SPINLOCK_H
#define KMEM_COMPAT_LINUX_SPINLOCK_H

#include <linux/bottom_half.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

KMEM_C_BEGIN

void spin_lock_init(spinlock_t *lock);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
void spin_lock_bh(spinlock_t *lock);
void spin_unlock_bh(spinlock_t *lock);
void spin_lock_irq(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
int spin_is_locked(spinlock_t *lock);
/* What the macros below call. */
unsigned long kmem_spin_lock_irqsave(spinlock_t *lock);
int kmem_spin_trylock_irqsave(spinlock_t *lock, unsigned long *flags);

KMEM_C_END

#define spin_lock_irqsave(lock, flags)      \
  do {                                      \
    (flags) = kmem_spin_lock_irqsave(lock); \
  } while (0)
#define spin_trylock_irqsave(lock, flags) kmem_spin_trylock_irqsave((lock), &(flags))
#define assert_spin_locked(lock) BUG_ON(!spin_is_locked(lock))

#endif /* KMEM_COMPAT_LINUX_SPINLOCK_H */
