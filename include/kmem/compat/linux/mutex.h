/* SPDX-License-Identifier: MIT */
/*
 * <linux/mutex.h>: struct mutex, the lock whose waiters sleep.
 *
 *   DEFINE_MUTEX(name)       a struct mutex, unlocked (a zero-filled one is
 *                            unlocked too)
 *   mutex_init(m)            makes m an unlocked mutex
 *   mutex_lock(m)            takes m, sleeping (a futex wait) while another
 *                            thread holds it. It may sleep, so it is a
 *                            might_sleep() point: called in atomic context
 *                            (under a spinlock_t, with interrupts off, in an
 *                            interrupt handler or a tasklet) it prints "BUG:
 *                            sleeping function called from invalid context
 *                            at kernel/locking/mutex.c:..." (and still locks)
 *   mutex_lock_interruptible(m), mutex_lock_killable(m)
 *                            the same; always 0 (there are no signals)
 *   mutex_trylock(m)         1 and locked, or 0; never sleeps
 *   mutex_unlock(m)          releases m and wakes one waiter
 *   mutex_is_locked(m)       true if somebody holds m
 *   mutex_destroy(m)         nothing to do
 *
 * Not recursive. The members are kmem's; the layout is the library's mutex,
 * checked when kmem is built.
 */
#ifndef KMEM_COMPAT_LINUX_MUTEX_H
#define KMEM_COMPAT_LINUX_MUTEX_H

#include <linux/compiler.h>
#include <linux/types.h>

struct mutex {
  unsigned int kmem_state; /* 0 unlocked, 1 locked, 2 locked with waiters */
  int kmem_owner;          /* the holder's pid, for debugging */
};

#define __MUTEX_INITIALIZER(lockname) \
  { 0, 0 }
#define DEFINE_MUTEX(mutexname) struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

KMEM_C_BEGIN

void mutex_init(struct mutex *lock);
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
int mutex_lock_interruptible(struct mutex *lock);
int mutex_lock_killable(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
bool mutex_is_locked(struct mutex *lock);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_MUTEX_H */
