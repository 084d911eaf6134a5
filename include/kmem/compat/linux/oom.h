/* SPDX-License-Identifier: MIT */
/*
 * <linux/oom.h>: the OOM killer's interface for drivers.
 *
 * When an allocation that may invoke the OOM killer (GFP_KERNEL and the
 * like, order <= PAGE_ALLOC_COSTLY_ORDER, without __GFP_NORETRY or
 * __GFP_RETRY_MAYFAIL) finds no memory after reclaim, the current machine
 * first calls its OOM notifiers:
 *
 *   nb->notifier_call(nb, 0, &freed)   add the number of pages you freed to
 *                                      *(unsigned long *)data
 *
 * If they freed anything, the allocation retries and nobody is killed.
 * Otherwise the task (see <kmem/task.h>) with the highest badness is killed:
 * its charged pages plus oom_score_adj thousandths of RAM; a task with
 * OOM_SCORE_ADJ_MIN is never chosen.
 *
 * Callbacks run with the machine's OOM lock held: they may free memory and
 * create or destroy tasks, and may unregister themselves (no other block);
 * they must not allocate with a mask that can reach the OOM killer.
 *
 *   register_oom_notifier(nb)     0, or -EEXIST (with a warning) if nb is
 *                                 already registered
 *   unregister_oom_notifier(nb)   0, or -ENOENT if nb is not registered
 */
#ifndef KMEM_COMPAT_LINUX_OOM_H
#define KMEM_COMPAT_LINUX_OOM_H

#include <linux/notifier.h>

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

#ifdef __cplusplus
extern "C" {
#endif

int register_oom_notifier(struct notifier_block *nb);
int unregister_oom_notifier(struct notifier_block *nb);

#ifdef __cplusplus
}
#endif

#endif /* KMEM_COMPAT_LINUX_OOM_H */
