/* SPDX-License-Identifier: MIT */
/*
 * <linux/notifier.h>: callback chains (struct notifier_block).
 *
 * kmem has one chain, the OOM notifiers (<linux/oom.h>). A chain is kept
 * sorted by priority, highest first; blocks of equal priority run in the
 * order they were registered. A callback's return value with
 * NOTIFY_STOP_MASK set ends the walk.
 *
 * The layout matches the library's own notifier block (checked when the
 * library is built): the library links registered blocks through next.
 */
#ifndef KMEM_COMPAT_LINUX_NOTIFIER_H
#define KMEM_COMPAT_LINUX_NOTIFIER_H

struct notifier_block;

typedef int (*notifier_fn_t)(struct notifier_block *nb, unsigned long action, void *data);

struct notifier_block {
  notifier_fn_t notifier_call;
  struct notifier_block *next; /* the chain's; set by registration */
  int priority;                /* higher runs earlier */
};

#define NOTIFY_DONE 0x0000      /* don't care */
#define NOTIFY_OK 0x0001        /* suits me */
#define NOTIFY_STOP_MASK 0x8000 /* don't call further */
#define NOTIFY_BAD (NOTIFY_STOP_MASK | 0x0002)
#define NOTIFY_STOP (NOTIFY_OK | NOTIFY_STOP_MASK)

#endif /* KMEM_COMPAT_LINUX_NOTIFIER_H */
