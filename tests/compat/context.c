/* SPDX-License-Identifier: MIT */
/*
 * A network driver written against the Linux headers, using execution
 * contexts the way drivers do: a receive interrupt handler that allocates
 * with GFP_ATOMIC and defers the rest to a tasklet, a spinlock shared by
 * both (spin_lock_irqsave), a mutex around configuration, a NOFS scope,
 * and a shrinker over the driver's buffer pool. A correct driver gets no
 * report. Run with KMEM_CMDLINE unset.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads in strict C11 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>

#include "check.h"

enum { RX_IRQ = 17, RING = 64, POOL = 256 };

struct rx_dev {
  const char *name;
  spinlock_t lock; /* ring, stats: shared with the handler */
  struct page *ring[RING];
  unsigned int ring_len;
  unsigned long irqs, delivered, dropped;
  struct tasklet_struct rx_tasklet;
  int bad_handler_ctx, bad_tasklet_ctx;
};

static DEFINE_MUTEX(config_mutex); /* serialises configuration changes */
static int mtu = 1500;

/* Hardirq: grab a buffer (atomically), queue it, let the tasklet finish. */
static irqreturn_t rx_interrupt(int irq, void *dev_id) {
  struct rx_dev *dev = dev_id;
  unsigned long flags;
  struct page *pg;

  if (irq != RX_IRQ || !in_hardirq() || !in_interrupt() || in_task() || !irqs_disabled() ||
      hardirq_count() != HARDIRQ_OFFSET)
    dev->bad_handler_ctx++;
  pg = alloc_pages(GFP_ATOMIC, 0);
  spin_lock_irqsave(&dev->lock, flags);
  dev->irqs++;
  if (pg && dev->ring_len < RING) {
    dev->ring[dev->ring_len++] = pg;
    pg = NULL;
  } else {
    dev->dropped++;
  }
  spin_unlock_irqrestore(&dev->lock, flags);
  if (pg) __free_pages(pg, 0);
  tasklet_schedule(&dev->rx_tasklet);
  return IRQ_HANDLED;
}

/* Softirq: hand the queued buffers up the stack (here: free them). */
static void rx_action(struct tasklet_struct *t) {
  struct rx_dev *dev = from_tasklet(dev, t, rx_tasklet);
  struct page *batch[RING];
  unsigned int n, i;
  unsigned long flags;

  if (!in_serving_softirq() || !in_softirq() || in_hardirq() || in_task() || irqs_disabled())
    dev->bad_tasklet_ctx++;
  spin_lock_irqsave(&dev->lock, flags);
  n = dev->ring_len;
  for (i = 0; i < n; i++) batch[i] = dev->ring[i];
  dev->ring_len = 0;
  dev->delivered += n;
  spin_unlock_irqrestore(&dev->lock, flags);
  for (i = 0; i < n; i++) __free_pages(batch[i], 0);
}

/* A second device on the same line, which did not raise it. */
static int other_calls;
static irqreturn_t other_interrupt(int irq, void *dev_id) {
  (void)irq;
  (void)dev_id;
  other_calls++;
  return IRQ_NONE;
}

/* ---- the buffer pool and its shrinker ---- */
static struct page *pool[POOL];
static unsigned int pool_len;
static DEFINE_SPINLOCK(pool_lock);

static unsigned long pool_count(struct shrinker *s, struct shrink_control *sc) {
  (void)s;
  (void)sc;
  return pool_len ? pool_len : SHRINK_EMPTY;
}

static unsigned long pool_scan(struct shrinker *s, struct shrink_control *sc) {
  unsigned long freed = 0;
  int *calls = s->private_data;
  (*calls)++;
  spin_lock(&pool_lock);
  while (freed < sc->nr_to_scan && pool_len > 0) {
    __free_pages(pool[--pool_len], 0);
    freed++;
  }
  spin_unlock(&pool_lock);
  return freed;
}

static atomic_int config_tried;

static void *config_thread(void *arg) {
  int *got = arg;
  /* Held by main (which waits for this trylock): trylock fails, lock waits. */
  *got = mutex_trylock(&config_mutex);
  if (*got) mutex_unlock(&config_mutex);
  atomic_store(&config_tried, 1);
  mutex_lock(&config_mutex);
  mtu = 9000;
  mutex_unlock(&config_mutex);
  return NULL;
}

static DECLARE_TASKLET(hello_tasklet, NULL);
static int hello_runs;
static void hello(struct tasklet_struct *t) {
  (void)t;
  hello_runs++;
}

static int stray_runs;
static void stray_tasklet(struct tasklet_struct *t) {
  (void)t;
  local_bh_enable(); /* a bug: bottom halves were not disabled here */
  stray_runs += in_serving_softirq();
}

static unsigned long old_style_data;
static void old_style(unsigned long data) { old_style_data = data; }

int main(void) {
  struct rx_dev dev = {.name = "eth0"};
  int other_dev;
  unsigned long flags;

  CHECK(SOFTIRQ_OFFSET == 0x100 && HARDIRQ_OFFSET == 0x10000 && NMI_OFFSET == 0x100000);
  CHECK(PREEMPT_MASK == 0xff && SOFTIRQ_DISABLE_OFFSET == 0x200);
  CHECK(in_task() && !in_atomic() && preempt_count() == 0 && !irqs_disabled());

  /* ---- interrupts and the tasklet ---- */
  spin_lock_init(&dev.lock);
  tasklet_setup(&dev.rx_tasklet, rx_action);
  CHECK(request_irq(RX_IRQ, rx_interrupt, IRQF_SHARED, "eth0-rx", &dev) == 0);
  CHECK(request_irq(RX_IRQ, other_interrupt, IRQF_SHARED, "other", &other_dev) == 0);
  CHECK(request_irq(RX_IRQ, other_interrupt, 0, "greedy", &other_dev) == -EBUSY);
  CHECK(request_irq(NR_IRQS, rx_interrupt, 0, "bad", &dev) == -EINVAL);

  for (int i = 0; i < 10; i++) CHECK(generic_handle_irq(RX_IRQ) == 0);
  CHECK(dev.irqs == 10 && dev.delivered == 10 && dev.dropped == 0 && dev.ring_len == 0);
  CHECK(other_calls == 10);
  CHECK(dev.bad_handler_ctx == 0 && dev.bad_tasklet_ctx == 0);

  /* With interrupts off the device's interrupts wait. */
  local_irq_save(flags);
  CHECK(irqs_disabled() && !irqs_disabled_flags(flags));
  for (int i = 0; i < 3; i++) CHECK(generic_handle_irq(RX_IRQ) == 0);
  CHECK(dev.irqs == 10);
  local_irq_restore(flags);
  CHECK(!irqs_disabled());
  CHECK(dev.irqs == 13 && dev.delivered == 13);

  /* In a bottom-half section the handler runs but the tasklet waits. */
  local_bh_disable();
  CHECK(in_softirq() && !in_serving_softirq() && in_atomic());
  CHECK(generic_handle_irq(RX_IRQ) == 0);
  CHECK(dev.irqs == 14 && dev.delivered == 13 && dev.ring_len == 1);
  local_bh_enable();
  CHECK(dev.delivered == 14 && dev.ring_len == 0);

  /* Disabled, the tasklet keeps its work until enabled. */
  tasklet_disable(&dev.rx_tasklet);
  CHECK(generic_handle_irq(RX_IRQ) == 0);
  CHECK(dev.delivered == 14);
  tasklet_enable(&dev.rx_tasklet);
  CHECK(dev.delivered == 15);
  CHECK(dev.bad_handler_ctx == 0 && dev.bad_tasklet_ctx == 0);

  CHECK(strcmp(free_irq(RX_IRQ, &other_dev), "other") == 0);
  CHECK(strcmp(free_irq(RX_IRQ, &dev), "eth0-rx") == 0);
  CHECK(generic_handle_irq(RX_IRQ) == -EINVAL);
  tasklet_kill(&dev.rx_tasklet);

  /* Static and old-style tasklets. */
  hello_tasklet.callback = hello;
  tasklet_schedule(&hello_tasklet);
  tasklet_hi_schedule(&hello_tasklet);
  CHECK(hello_runs == 2);
  struct tasklet_struct old;
  tasklet_init(&old, old_style, 42);
  tasklet_schedule(&old);
  CHECK(old_style_data == 42);

  /* ---- locks ---- */
  DEFINE_SPINLOCK(local_lock);
  CHECK(!spin_is_locked(&local_lock));
  spin_lock(&local_lock);
  assert_spin_locked(&local_lock);
  CHECK(in_atomic() && preempt_count() == 1 && !spin_trylock(&local_lock));
  spin_unlock(&local_lock);
  spin_lock_irq(&local_lock);
  CHECK(irqs_disabled());
  spin_unlock_irq(&local_lock);
  spin_lock_bh(&local_lock);
  CHECK(preempt_count() == (int)(SOFTIRQ_DISABLE_OFFSET + 1));
  spin_unlock_bh(&local_lock);
  CHECK(spin_trylock_irqsave(&local_lock, flags));
  CHECK(irqs_disabled());
  spin_unlock_irqrestore(&local_lock, flags);
  CHECK(!irqs_disabled() && preempt_count() == 0);

  mutex_lock(&config_mutex);
  CHECK(mutex_is_locked(&config_mutex));
  pthread_t th;
  int got = -1;
  CHECK(pthread_create(&th, NULL, config_thread, &got) == 0);
  might_sleep(); /* a mutex holder may sleep */
  while (!atomic_load(&config_tried)) CHECK(cond_resched() == 1);
  mutex_unlock(&config_mutex);
  pthread_join(th, NULL);
  CHECK(got == 0 && mtu == 9000 && !mutex_is_locked(&config_mutex));

  /* ---- a filesystem path: NOFS scope ---- */
  unsigned int nofs = memalloc_nofs_save();
  CHECK(current_gfp_context(GFP_KERNEL) == GFP_NOFS);
  unsigned int noio = memalloc_noio_save();
  CHECK(current_gfp_context(GFP_KERNEL) == GFP_NOIO);
  memalloc_noio_restore(noio);
  struct page *pg = alloc_pages(GFP_KERNEL, 0);
  CHECK(pg != NULL);
  if (pg) __free_pages(pg, 0);
  memalloc_nofs_restore(nofs);
  CHECK(current_gfp_context(GFP_KERNEL) == GFP_KERNEL);
  might_alloc(GFP_KERNEL);

  /* ---- the pool's shrinker ---- */
  for (pool_len = 0; pool_len < POOL; pool_len++) {
    pool[pool_len] = alloc_pages(GFP_KERNEL, 0);
    if (!pool[pool_len]) break;
  }
  CHECK(pool_len == POOL);
  int scans = 0;
  struct shrinker *s = shrinker_alloc(0, "%s-pool", dev.name);
  CHECK(s != NULL);
  if (s) {
    CHECK(s->seeks == DEFAULT_SEEKS && s->batch == 0);
    s->count_objects = pool_count;
    s->scan_objects = pool_scan;
    s->private_data = &scans;
    shrinker_register(s);
    CHECK(kmem_drop_slab() == POOL);
    CHECK(pool_len == 0 && scans > 0);
    shrinker_free(s);
  }
  shrinker_free(NULL);

  /* A correct driver: no report of any kind. */
  CHECK(kmem_bug_count(KMEM_BUG_ATOMIC_SLEEP) == 0);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 0);
  CHECK(strstr(take_log(), "BUG:") == NULL);
  CHECK(preempt_count() == 0 && !irqs_disabled());

  /* Unbalanced calls are reported and leave the context as it was. */
  preempt_enable();
  local_bh_enable();
  irq_exit();
  nmi_exit();
  CHECK(preempt_count() == 0 && in_task());
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 4);
  const char *log = take_log();
  CHECK(strstr(log, "DEBUG_LOCKS_WARN_ON(val > preempt_count())") != NULL);
  spin_unlock(&local_lock);
  CHECK(preempt_count() == 0 && kmem_bug_count(KMEM_BUG_WARN) == 5);
  CHECK(strstr(take_log(), "BUG: spinlock already unlocked on CPU#") != NULL);
  mutex_unlock(&config_mutex);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 6 && !mutex_is_locked(&config_mutex));
  /* In a tasklet, local_bh_enable() without local_bh_disable() too. */
  struct tasklet_struct stray;
  tasklet_setup(&stray, stray_tasklet);
  tasklet_disable_nosync(&stray);
  tasklet_schedule(&stray);
  CHECK(stray_runs == 0);
  tasklet_enable(&stray);
  CHECK(stray_runs == 1 && kmem_bug_count(KMEM_BUG_WARN) == 7);
  CHECK(preempt_count() == 0);
  return check_done("compat_context");
}
