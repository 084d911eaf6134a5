/* SPDX-License-Identifier: MIT */
/*
 * <kmem/task.h>: killable tasks for the OOM killer (C API).
 *
 * kmem has no processes of its own. A task stands for one: a name, a pid,
 * an oom_score_adj, and the pages charged to it (its rss). When memory runs
 * out, the OOM killer (<linux/oom.h>) kills the task with the highest
 * badness: it prints Linux's "Out of memory: Killed process" report, frees
 * every page charged to the task, marks it killed and calls its kill
 * callback once.
 *
 * A task belongs to the machine that was current when it was created; it
 * must be destroyed before that machine is.
 *
 *   kmem_task_create(comm, adj)     a new task (comm truncated to 15
 *                                   characters, adj clamped to
 *                                   [OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX]);
 *                                   NULL if out of host memory
 *   kmem_task_set_kill_callback(t, fn, arg)
 *                                   fn(t, arg) runs once when t is killed, on
 *                                   the thread whose allocation ran the OOM
 *                                   killer, with the machine's OOM lock held:
 *                                   it should only tell whoever drives t to
 *                                   stop. It may create and destroy tasks
 *                                   (t included); it must not allocate.
 *   kmem_task_destroy(t)            frees what is still charged to t and
 *                                   releases it (NULL is ignored)
 *   kmem_task_alloc_pages(t, gfp, order)
 *                                   alloc_pages() charged to t, or NULL
 *   kmem_task_free_pages(t, page, order)
 *                                   uncharges and frees such a block; does
 *                                   nothing if a kill already freed it
 *   kmem_task_charge(t, page, order)
 *                                   charges an allocated block to t: t owns
 *                                   it now, a kill frees it
 *   kmem_task_uncharge(t, page, order)
 *                                   gives a charged block back to the
 *                                   caller: 0, or -ENOENT if it is no longer
 *                                   charged to t (a kill freed it: do not
 *                                   free it again)
 *   kmem_task_attach(t)             the calling thread runs as t until
 *                                   kmem_task_detach(): reports name t, and
 *                                   once t is killed its allocations may use
 *                                   the OOM reserve (Linux's TIF_MEMDIE)
 *   kmem_task_killed(t)             1 once the OOM killer chose t
 *   kmem_task_rss(t)                pages charged to t
 *   kmem_task_pid(t)                t's pid
 *
 * Every function may be called from any thread.
 */
#ifndef KMEM_TASK_H
#define KMEM_TASK_H

#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kmem_task;
struct page;

typedef void (*kmem_task_kill_fn)(struct kmem_task* task, void* arg);

struct kmem_task* kmem_task_create(const char* comm, int oom_score_adj);
void kmem_task_set_kill_callback(struct kmem_task* task, kmem_task_kill_fn fn, void* arg);
void kmem_task_destroy(struct kmem_task* task);

struct page* kmem_task_alloc_pages(struct kmem_task* task, gfp_t gfp, unsigned int order);
void kmem_task_free_pages(struct kmem_task* task, struct page* page, unsigned int order);
void kmem_task_charge(struct kmem_task* task, struct page* page, unsigned int order);
int kmem_task_uncharge(struct kmem_task* task, struct page* page, unsigned int order);

void kmem_task_attach(struct kmem_task* task);
void kmem_task_detach(void);

int kmem_task_killed(const struct kmem_task* task);
unsigned long kmem_task_rss(const struct kmem_task* task);
int kmem_task_pid(const struct kmem_task* task);

#ifdef __cplusplus
}
#endif

#endif /* KMEM_TASK_H */
