/* SPDX-License-Identifier: MIT */
/*
 * <linux/spinlock_types.h>: spinlock_t and its static initialiser.
 *
 *   DEFINE_SPINLOCK(name)               a spinlock_t, unlocked
 *   spinlock_t l = __SPIN_LOCK_UNLOCKED(l);
 *
 * A zero-filled spinlock_t is unlocked too (kzalloc'ed structures may
 * embed one). The member is kmem's: use the <linux/spinlock.h> functions.
 * The layout is the library's spinlock (one byte), checked when kmem is
 * built.
 */
#ifndef KMEM_COMPAT_LINUX_SPINLOCK_TYPES_H
#define KMEM_COMPAT_LINUX_SPINLOCK_TYPES_H

typedef struct spinlock {
  unsigned char kmem_locked; /* 0 unlocked, 1 locked */
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(lockname) \
  { 0 }
#define DEFINE_SPINLOCK(x) spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

#endif /* KMEM_COMPAT_LINUX_SPINLOCK_TYPES_H */
