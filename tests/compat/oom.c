/* SPDX-License-Identifier: MIT */
/*
 * The OOM killer through the C API, the way a driver and a process manager
 * use it: tasks own pages (<kmem/task.h>), an OOM notifier (<linux/oom.h>)
 * gives memory back first, and when it has nothing left a GFP_KERNEL
 * allocation kills the biggest task and succeeds.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdint.h>

#include <kmem/task.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/oom.h>

#include "check.h"

/* Filling allocations never reach the OOM killer and never warn. */
#define FILL_GFP (GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN)

enum { BALLOON_PAGES = 128 };

static struct page *balloon[BALLOON_PAGES];
static int balloon_left;
static int notifier_calls;

static int balloon_deflate(struct notifier_block *nb, unsigned long action, void *data) {
  unsigned long *freed = data;
  (void)nb;
  (void)action;
  notifier_calls++;
  for (int i = 0; i < 16 && balloon_left > 0; i++) {
    __free_page(balloon[--balloon_left]);
    *freed += 1;
  }
  return NOTIFY_OK;
}

static struct notifier_block balloon_nb = {.notifier_call = balloon_deflate, .priority = 0};

static int kills;
static struct kmem_task *killed_task;
static void *killed_arg;

static void on_kill(struct kmem_task *task, void *arg) {
  kills++;
  killed_task = task;
  killed_arg = arg;
}

static void *alloc_kernel_page(void *out) {
  *(struct page **)out = alloc_page(GFP_KERNEL);
  return NULL;
}

/* A GFP_KERNEL page from another thread (the allocation sleeps and retries
 * before it reaches the OOM killer). */
static struct page *alloc_from_thread(void) {
  struct page *page = NULL;
  pthread_t th;
  if (pthread_create(&th, NULL, alloc_kernel_page, &page) != 0) return NULL;
  pthread_join(th, NULL);
  return page;
}

static unsigned long charge_until_full(struct kmem_task *t, unsigned long max) {
  unsigned long n = 0;
  while (n < max && kmem_task_alloc_pages(t, FILL_GFP, 0) != NULL) n++;
  return n;
}

int main(void) {
  CHECK(kmem_machine_boot("mem=64M cpus=2 oom_wait_ms=0") == 0);
  take_log();

  struct kmem_task *small = kmem_task_create("small", 0);
  struct kmem_task *big = kmem_task_create("big", 0);
  struct kmem_task *immune = kmem_task_create("immune", OOM_SCORE_ADJ_MIN);
  CHECK(small && big && immune);
  kmem_task_set_kill_callback(small, on_kill, small);
  kmem_task_set_kill_callback(big, on_kill, big);
  kmem_task_set_kill_callback(immune, on_kill, immune);
  CHECK(kmem_task_pid(big) == kmem_task_pid(small) + 1);

  /* Charges and uncharges. */
  struct page *p = kmem_task_alloc_pages(small, GFP_KERNEL, 2);
  CHECK(p != NULL && kmem_task_rss(small) == 4);
  CHECK(kmem_task_uncharge(small, p, 2) == 0);
  CHECK(kmem_task_rss(small) == 0);
  kmem_task_charge(small, p, 2);
  CHECK(kmem_task_rss(small) == 4);
  kmem_task_free_pages(small, p, 2);
  CHECK(kmem_task_rss(small) == 0);

  /* The notifier chain. */
  CHECK(register_oom_notifier(&balloon_nb) == 0);
  CHECK(register_oom_notifier(&balloon_nb) == -EEXIST);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == 1);
  for (balloon_left = 0; balloon_left < BALLOON_PAGES; balloon_left++)
    balloon[balloon_left] = alloc_page(GFP_KERNEL);

  CHECK(charge_until_full(small, 64) == 64);
  CHECK(charge_until_full(immune, 256) == 256);
  unsigned long charged = charge_until_full(big, ~0UL);
  CHECK(charged > 8000);

  /* First the balloon gives memory back: nobody is killed. */
  struct page *q = alloc_from_thread();
  CHECK(q != NULL);
  CHECK(notifier_calls >= 1);
  CHECK(kills == 0 && !kmem_task_killed(big));
  const char *log = take_log();
  CHECK(strstr(log, "invoked oom-killer") == NULL);

  /* With the balloon empty, the biggest killable task goes. */
  while (balloon_left > 0) __free_page(balloon[--balloon_left]);
  while (alloc_pages(FILL_GFP, 0) != NULL) {
  } /* leaked on purpose: the machine is shut down below */
  struct page *r = alloc_from_thread();
  CHECK(r != NULL);
  CHECK(kills == 1 && killed_task == big && killed_arg == big);
  CHECK(kmem_task_killed(big) && kmem_task_rss(big) == 0);
  CHECK(!kmem_task_killed(small) && kmem_task_rss(small) == 64);
  CHECK(!kmem_task_killed(immune) && kmem_task_rss(immune) == 256);
  log = take_log();
  CHECK(strstr(log, "invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0") != NULL);
  char killed[96];
  snprintf(killed, sizeof killed, "Out of memory: Killed process %d (big) ", kmem_task_pid(big));
  CHECK(strstr(log, killed) != NULL);
  char vmstat[16384];
  CHECK(kmem_proc_read("vmstat", vmstat, sizeof vmstat) > 0);
  CHECK(strstr(vmstat, "\noom_kill 1\n") != NULL);

  /* A killed task's pages are gone: uncharging one is refused quietly. */
  unsigned long warns = kmem_bug_count(KMEM_BUG_WARN);
  CHECK(kmem_task_uncharge(big, r, 0) == -ENOENT);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns);

  CHECK(unregister_oom_notifier(&balloon_nb) == 0);
  CHECK(unregister_oom_notifier(&balloon_nb) == -ENOENT);
  __free_page(q);
  __free_page(r);
  kmem_task_destroy(big);
  kmem_task_destroy(small);
  kmem_task_destroy(immune);
  int rc = check_done("compat_oom");
  kmem_machine_shutdown();
  return rc;
}
