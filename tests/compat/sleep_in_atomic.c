/* SPDX-License-Identifier: MIT */
/*
 * The classic driver bug: a GFP_KERNEL allocation (which may sleep) under
 * a spinlock. The current machine prints Linux's "BUG: sleeping function
 * called from invalid context" report, counts KMEM_BUG_ATOMIC_SLEEP and
 * goes on (bug_action=report). GFP_ATOMIC in the same place is fine.
 * Run with KMEM_CMDLINE unset.
 */
#define _POSIX_C_SOURCE 200809L /* getpid() in strict C11 */
#include <string.h>
#include <unistd.h>

#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "check.h"

static DEFINE_SPINLOCK(dev_lock);
static DEFINE_MUTEX(dev_mutex);
static int might_sleep_line;

/* A handler that takes a mutex: may sleep, in hardirq context. */
static irqreturn_t bad_handler(int irq, void *dev_id) {
  (void)irq;
  (void)dev_id;
  mutex_lock(&dev_mutex);
  mutex_unlock(&dev_mutex);
  return IRQ_HANDLED;
}

int main(void) {
  char pid_line[64];
  /* The main thread's id is the process id. */
  snprintf(pid_line, sizeof pid_line, "non_block: 0, pid: %ld, name: ", (long)getpid());

  /* The bug. */
  spin_lock(&dev_lock);
  struct page *pg = alloc_pages(GFP_KERNEL, 0);
  spin_unlock(&dev_lock);
  CHECK(pg != NULL); /* it still allocates */
  if (pg) __free_pages(pg, 0);
  CHECK(kmem_bug_count(KMEM_BUG_ATOMIC_SLEEP) == 1);
  const char *log = take_log();
  CHECK(strstr(log,
               "BUG: sleeping function called from invalid context at "
               "include/linux/sched/mm.h:321\n"
               "in_atomic(): 1, irqs_disabled(): 0, ") != NULL);
  CHECK(strstr(log, pid_line) != NULL);
  CHECK(strstr(log, "preempt_count: 1, expected: 0\n") != NULL);
  CHECK(strstr(log, "1 lock held by ") != NULL);

  /* What the rule asks for instead. */
  spin_lock(&dev_lock);
  pg = alloc_pages(GFP_ATOMIC, 0);
  spin_unlock(&dev_lock);
  CHECK(pg != NULL);
  if (pg) __free_pages(pg, 0);
  CHECK(kmem_bug_count(KMEM_BUG_ATOMIC_SLEEP) == 1);

  /* A fresh machine (the report is printed at most once a second per
   * machine): might_sleep() with interrupts off names this file. */
  CHECK(kmem_machine_boot(NULL) == 0);
  unsigned long flags;
  spin_lock_irqsave(&dev_lock, flags);
  might_sleep_line = __LINE__ + 1;
  might_sleep();
  spin_unlock_irqrestore(&dev_lock, flags);
  CHECK(kmem_bug_count(KMEM_BUG_ATOMIC_SLEEP) == 1);
  char at[256];
  snprintf(at, sizeof at, "sleep_in_atomic.c:%d\nin_atomic(): 1, irqs_disabled(): 1, ",
           might_sleep_line);
  log = take_log();
  CHECK(strstr(log, at) != NULL);

  /* And a mutex in an interrupt handler, on another fresh machine. */
  CHECK(kmem_machine_boot(NULL) == 0);
  int dev;
  CHECK(request_irq(5, bad_handler, 0, "bad", &dev) == 0);
  CHECK(generic_handle_irq(5) == 0);
  CHECK(kmem_bug_count(KMEM_BUG_ATOMIC_SLEEP) == 1);
  log = take_log();
  CHECK(strstr(log, "invalid context at kernel/locking/mutex.c:") != NULL);
  CHECK(strstr(log, "preempt_count: 10000, expected: 0\n") != NULL);
  CHECK(strstr(log, " <IRQ>\n") != NULL);
  free_irq(5, &dev);

  if (check_failures) fputs(log, stderr);
  return check_done("compat_sleep_in_atomic");
}
