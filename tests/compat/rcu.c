/* SPDX-License-Identifier: MIT */
/*
 * A driver's routing table under RCU, written against <linux/rcupdate.h>:
 * readers look entries up inside rcu_read_lock() (on other threads and in
 * an interrupt handler), the updater replaces them with rcu_assign_pointer()
 * and retires the old ones with call_rcu() (from the interrupt handler too)
 * and synchronize_rcu(). Then the misuse a lockdep kernel reports:
 * synchronize_rcu() inside a read-side section and an unbalanced unlock.
 * Run with KMEM_CMDLINE unset.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads and nanosleep in strict C11 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include <linux/bottom_half.h>
#include <linux/interrupt.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>

#if defined(__has_include)
#if __has_include(<linux/slab.h>)
#include <linux/slab.h>
#define HAVE_KMALLOC 1
#endif
#endif

#include "check.h"

enum { NET_IRQ = 23, ROUTES = 4 };

struct route {
  unsigned int dest;
  unsigned int gateway;
  unsigned int magic; /* ROUTE_LIVE until retired */
  struct rcu_head rcu;
};

#define ROUTE_LIVE 0x52544521u
#define ROUTE_DEAD 0x6b6b6b6bu

static struct route pool[64];
static atomic_int pool_next;
static struct route __rcu *table[ROUTES];
static atomic_int retired, bad_reads, bad_cb_ctx;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static struct route *new_route(unsigned int dest, unsigned int gw) {
  struct route *r = &pool[atomic_fetch_add(&pool_next, 1) % 64];
  r->dest = dest;
  r->gateway = gw;
  r->magic = ROUTE_LIVE;
  return r;
}

/* The callback: after a grace period, in softirq context. */
static void route_free_rcu(struct rcu_head *head) {
  struct route *r = (struct route *)((char *)head - offsetof(struct route, rcu));
  if (!in_serving_softirq() || in_hardirq() || irqs_disabled()) atomic_fetch_add(&bad_cb_ctx, 1);
  r->magic = ROUTE_DEAD;
  atomic_fetch_add(&retired, 1);
}

static unsigned int lookup(unsigned int dest) {
  unsigned int gw = 0;
  rcu_read_lock();
  struct route *r = rcu_dereference(table[dest % ROUTES]);
  if (r) {
    if (r->magic != ROUTE_LIVE) atomic_fetch_add(&bad_reads, 1);
    gw = r->gateway;
  }
  rcu_read_unlock();
  return gw;
}

/* The interrupt handler reads the table and retires an entry. */
static struct route *irq_victim;
static irqreturn_t net_interrupt(int irq, void *dev_id) {
  (void)irq;
  (void)dev_id;
  lookup(1);
  if (irq_victim) call_rcu(&irq_victim->rcu, route_free_rcu);
  irq_victim = NULL;
  return IRQ_HANDLED;
}

/* A reader that stays inside its section until told to leave. */
static atomic_int reader_inside, reader_release;
static void *slow_reader(void *arg) {
  (void)arg;
  rcu_read_lock();
  struct route *r = rcu_dereference(table[0]);
  atomic_store(&reader_inside, 1);
  while (!atomic_load(&reader_release)) sleep_ms(1);
  if (r && r->magic != ROUTE_LIVE) atomic_fetch_add(&bad_reads, 1);
  rcu_read_unlock();
  return NULL;
}

static atomic_int sync_done;
static void *syncer(void *arg) {
  (void)arg;
  synchronize_rcu();
  atomic_store(&sync_done, 1);
  return NULL;
}

static void test_pointers_and_nesting(void) {
  CHECK(sizeof(struct rcu_head) == 2 * sizeof(void *));
  for (unsigned int i = 0; i < ROUTES; i++) RCU_INIT_POINTER(table[i], new_route(i, 100 + i));
  CHECK(!rcu_read_lock_held());
  rcu_read_lock();
  rcu_read_lock();
  CHECK(rcu_read_lock_held() && rcu_preempt_depth() == 2);
  CHECK(preempt_count() == 0); /* PREEMPT_RCU: the section is preemptible */
  CHECK(rcu_dereference(table[2])->gateway == 102);
  rcu_read_unlock();
  CHECK(rcu_read_lock_held());
  rcu_read_unlock();
  CHECK(!rcu_read_lock_held() && !rcu_read_lock_any_held());

  rcu_read_lock_bh();
  CHECK(in_softirq() && rcu_read_lock_bh_held() && !rcu_read_lock_held());
  rcu_read_unlock_bh();
  rcu_read_lock_sched();
  CHECK(preempt_count() == 1 && rcu_read_lock_sched_held());
  rcu_read_unlock_sched();
  CHECK(preempt_count() == 0);

  CHECK(rcu_access_pointer(table[1]) != NULL);
  struct route *old = rcu_replace_pointer(table[1], new_route(1, 201), 1);
  CHECK(old->gateway == 101);
  CHECK(rcu_dereference_protected(table[1], 1)->gateway == 201);
  synchronize_rcu();
  old->magic = ROUTE_DEAD;
  CHECK(lookup(1) == 201);
}

static void test_grace_period_waits(void) {
  pthread_t rd, sy;
  CHECK(pthread_create(&rd, NULL, slow_reader, NULL) == 0);
  while (!atomic_load(&reader_inside)) sleep_ms(1);
  /* Unpublish table[0]; the reader still holds it. */
  struct route *old = rcu_dereference_protected(table[0], 1);
  rcu_assign_pointer(table[0], new_route(0, 300));
  CHECK(pthread_create(&sy, NULL, syncer, NULL) == 0);
  sleep_ms(100);
  CHECK(!atomic_load(&sync_done)); /* the grace period waits for the reader */
  atomic_store(&reader_release, 1);
  pthread_join(sy, NULL);
  pthread_join(rd, NULL);
  CHECK(atomic_load(&sync_done));
  old->magic = ROUTE_DEAD; /* nobody can see it now */

  unsigned long cookie = get_state_synchronize_rcu();
  CHECK(!poll_state_synchronize_rcu(cookie));
  cond_synchronize_rcu(cookie);
  CHECK(poll_state_synchronize_rcu(cookie));
}

static void test_callbacks(void) {
  int before = atomic_load(&retired);
  struct route *old = rcu_dereference_protected(table[2], 1);
  rcu_assign_pointer(table[2], new_route(2, 402));
  call_rcu(&old->rcu, route_free_rcu);
  /* From an interrupt handler too: call_rcu() never sleeps. */
  CHECK(request_irq(NET_IRQ, net_interrupt, 0, "net0", &pool) == 0);
  irq_victim = rcu_dereference_protected(table[3], 1);
  rcu_assign_pointer(table[3], new_route(3, 403));
  CHECK(generic_handle_irq(NET_IRQ) == 0);
  free_irq(NET_IRQ, &pool);
  rcu_barrier();
  CHECK(atomic_load(&retired) == before + 2);
  CHECK(old->magic == ROUTE_DEAD);
  CHECK(atomic_load(&bad_cb_ctx) == 0);
  CHECK(kmem_bug_count(KMEM_BUG_ATOMIC_SLEEP) == 0);

  /* kfree_rcu of nothing is nothing. */
  struct route *none = NULL;
  kfree_rcu(none, rcu);
  kfree_rcu_mightsleep(none);
#ifdef HAVE_KMALLOC
  struct route *r = kmalloc(sizeof(*r), GFP_KERNEL);
  CHECK(r != NULL);
  if (r) kfree_rcu(r, rcu);
  void *p = kmalloc(32, GFP_KERNEL);
  CHECK(p != NULL);
  kfree_rcu_mightsleep(p);
#endif
  kvfree_rcu_barrier();
}

static void test_misuse_reports(void) {
  unsigned long warns = kmem_bug_count(KMEM_BUG_WARN);
  take_log();
  rcu_read_lock();
  synchronize_rcu(); /* reported, returns at once */
  rcu_read_unlock();
  const char *log = take_log();
  CHECK(strstr(log, "WARNING: suspicious RCU usage") != NULL);
  CHECK(strstr(log, "Illegal synchronize_rcu() in RCU read-side critical section!") != NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns + 1);

  rcu_read_unlock(); /* without a lock */
  log = take_log();
  CHECK(strstr(log, "WARNING: bad unlock balance detected!") != NULL);
  CHECK(strstr(log, "(rcu_read_lock)") != NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns + 2);
  CHECK(!rcu_read_lock_held());
}

int main(void) {
  test_pointers_and_nesting();
  test_grace_period_waits();
  test_callbacks();
  test_misuse_reports();
  for (unsigned int i = 0; i < 200; i++) lookup(i);
  CHECK(atomic_load(&bad_reads) == 0);
  return check_done("compat_rcu");
}
