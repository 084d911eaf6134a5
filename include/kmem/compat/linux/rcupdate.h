/* SPDX-License-Identifier: MIT */
/*
 * <linux/rcupdate.h>: read-copy update on the current machine.
 *
 *   rcu_read_lock(), rcu_read_unlock()
 *                     a read-side critical section: nestable, any context
 *                     (task, softirq, hardirq), never sleeps, and on a thread
 *                     that owns its CPU slot no locked instruction. As with
 *                     PREEMPT_RCU it leaves preempt_count() alone; it must
 *                     not sleep all the same. An unlock without a lock is
 *                     lockdep's "WARNING: bad unlock balance detected!"
 *   rcu_read_lock_bh(), rcu_read_unlock_bh()
 *                     the same plus local_bh_disable()/local_bh_enable()
 *   rcu_read_lock_sched(), rcu_read_unlock_sched()
 *                     the same plus preempt_disable()/preempt_enable()
 *   rcu_read_lock_held(), _bh_held(), _sched_held(), _any_held()
 *                     lockdep's view of the calling thread (the _bh form is
 *                     also true in softirq context or with interrupts off, the
 *                     _sched and _any forms in any atomic context)
 *   rcu_dereference(p), rcu_assign_pointer(p, v), RCU_INIT_POINTER(p, v),
 *   rcu_access_pointer(p), rcu_dereference_protected(p, c), ...
 *                     the pointer accessors: an acquire load, a release store
 *   synchronize_rcu() waits until every read-side section that began before
 *                     it has ended (a grace period). It may sleep: a
 *                     might_sleep() point. Called inside a read-side section
 *                     it prints lockdep's "WARNING: suspicious RCU usage ...
 *                     Illegal synchronize_rcu() in RCU read-side critical
 *                     section!" and returns at once
 *   call_rcu(head, func)
 *                     func(head) runs after a grace period, on the machine's
 *                     rcu_preempt thread in softirq context; callable in any
 *                     context, never sleeps, never allocates
 *   rcu_barrier()     waits until every callback queued before it has run
 *   kfree_rcu(ptr, rhf), kvfree_rcu(ptr, rhf)
 *                     kfree(ptr) after a grace period; rhf names the struct
 *                     rcu_head member of *ptr (within its first 4096 bytes);
 *                     any context, ptr may be NULL
 *   kfree_rcu_mightsleep(ptr), kvfree_rcu_mightsleep(ptr)
 *                     without an rcu_head: may sleep (synchronize_rcu(),
 *                     then kfree)
 *   kvfree_rcu_barrier()
 *                     waits until every kfree_rcu() queued before it is done
 *   get_state_synchronize_rcu(), poll_state_synchronize_rcu(s),
 *   cond_synchronize_rcu(s)
 *                     polled grace periods (the cookie is rcu_state.gp_seq's)
 *
 * Every machine has its own RCU: a grace period waits for the sections of
 * its own machine. A grace period only runs when something waits for one
 * (a callback, synchronize_rcu()); plain preempt_disable() or interrupts off
 * are not read-side sections here (see docs/deviations.md).
 */
#ifndef KMEM_COMPAT_LINUX_RCUPDATE_H
#define KMEM_COMPAT_LINUX_RCUPDATE_H

#include <stddef.h>

#include <linux/compiler.h>
#include <linux/types.h>

/* struct rcu_head (include/linux/types.h): 16 bytes, the library's RcuHead. */
#ifndef KMEM_HAVE_CALLBACK_HEAD
#define KMEM_HAVE_CALLBACK_HEAD 1
struct callback_head {
  struct callback_head *next;
  void (*func)(struct callback_head *head);
};
#define rcu_head callback_head
typedef void (*rcu_callback_t)(struct rcu_head *head);
#endif

/* Sparse's address-space marker: no meaning to a compiler. */
#ifndef __rcu
#define __rcu
#endif

/* ---- pointer accessors ---- */
#define rcu_dereference_raw(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference(p) rcu_dereference_raw(p)
#define rcu_dereference_bh(p) rcu_dereference_raw(p)
#define rcu_dereference_sched(p) rcu_dereference_raw(p)
#define rcu_dereference_check(p, c) ((void)sizeof(!(c)), rcu_dereference_raw(p))
#define rcu_dereference_bh_check(p, c) rcu_dereference_check(p, c)
#define rcu_dereference_sched_check(p, c) rcu_dereference_check(p, c)
#define rcu_dereference_raw_check(p) rcu_dereference_raw(p)
/* Update side, with the lock that keeps p from changing held. */
#define rcu_dereference_protected(p, c) ((void)sizeof(!(c)), (p))
#define rcu_access_pointer(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (__typeof__(p))(v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) __atomic_store_n(&(p), (__typeof__(p))(v), __ATOMIC_RELAXED)
#define RCU_INITIALIZER(v) (v)
#define RCU_POINTER_INITIALIZER(p, v) .p = RCU_INITIALIZER(v)
#define rcu_pointer_handoff(p) (p)
#define rcu_replace_pointer(rcu_ptr, ptr, c)                                    \
  __extension__({                                                               \
    __typeof__(ptr) __kmem_rcu_old = rcu_dereference_protected((rcu_ptr), (c)); \
    rcu_assign_pointer((rcu_ptr), (ptr));                                       \
    __kmem_rcu_old;                                                             \
  })

/* ---- kfree_rcu ---- */
#ifdef __cplusplus
#define KMEM_RCU_OFFSET_OK(off) static_assert((off) < 4096, "rcu_head beyond 4096 bytes")
#else
#define KMEM_RCU_OFFSET_OK(off) _Static_assert((off) < 4096, "rcu_head beyond 4096 bytes")
#endif
#define kvfree_rcu_arg_2(ptr, rhf)                                                     \
  do {                                                                                 \
    __typeof__(ptr) __kmem_rcu_p = (ptr);                                              \
    KMEM_RCU_OFFSET_OK(offsetof(__typeof__(*(ptr)), rhf));                             \
    if (__kmem_rcu_p) kvfree_call_rcu(&((__kmem_rcu_p)->rhf), (void *)(__kmem_rcu_p)); \
  } while (0)
#define kvfree_rcu_arg_1(ptr)                                        \
  do {                                                               \
    __typeof__(ptr) __kmem_rcu_p = (ptr);                            \
    if (__kmem_rcu_p) kvfree_call_rcu(NULL, (void *)(__kmem_rcu_p)); \
  } while (0)
#define kfree_rcu(ptr, rhf) kvfree_rcu_arg_2(ptr, rhf)
#define kvfree_rcu(ptr, rhf) kvfree_rcu_arg_2(ptr, rhf)
#define kfree_rcu_mightsleep(ptr) kvfree_rcu_arg_1(ptr)
#define kvfree_rcu_mightsleep(ptr) kvfree_rcu_arg_1(ptr)

KMEM_C_BEGIN

void rcu_read_lock(void);
void rcu_read_unlock(void);
void rcu_read_lock_bh(void);
void rcu_read_unlock_bh(void);
void rcu_read_lock_sched(void);
void rcu_read_unlock_sched(void);
int rcu_read_lock_held(void);
int rcu_read_lock_bh_held(void);
int rcu_read_lock_sched_held(void);
int rcu_read_lock_any_held(void);
/* The calling thread's rcu_read_lock() nesting. */
int rcu_preempt_depth(void);

void synchronize_rcu(void);
void synchronize_rcu_expedited(void);
void call_rcu(struct rcu_head *head, rcu_callback_t func);
void call_rcu_hurry(struct rcu_head *head, rcu_callback_t func);
void rcu_barrier(void);
void kvfree_call_rcu(struct rcu_head *head, void *ptr);
void kvfree_rcu_barrier(void);
unsigned long get_state_synchronize_rcu(void);
bool poll_state_synchronize_rcu(unsigned long oldstate);
void cond_synchronize_rcu(unsigned long oldstate);

KMEM_C_END

/* Debug-objects hooks (CONFIG_DEBUG_OBJECTS_RCU_HEAD): nothing to do. */
static inline void init_rcu_head(struct rcu_head *head) { (void)head; }
static inline void destroy_rcu_head(struct rcu_head *head) { (void)head; }
static inline void init_rcu_head_on_stack(struct rcu_head *head) { (void)head; }
static inline void destroy_rcu_head_on_stack(struct rcu_head *head) { (void)head; }

#endif /* KMEM_COMPAT_LINUX_RCUPDATE_H */
