// SPDX-License-Identifier: MIT
// The OOM killer (mm/oom_kill.c): when reclaim cannot free enough, pick the
// task whose death frees most memory and kill it.
//
// kmem models processes as Tasks: a name, a pid, an oom_score_adj and the
// pages charged to it (its "rss"). A thread may run as a task
// (current_ctx().task); allocations of an OOM victim get the ALLOC_OOM
// reserve share, as Linux's tsk_is_oom_victim() does. Killing a task frees
// every page charged to it (what the oom_reaper does) and calls its kill
// callback so that whoever drives the task can stop it.
//
// Before killing, out_of_memory() calls the OOM notifier chain
// (register_oom_notifier); if a notifier frees something, nobody is killed.
//
// Locks (outer first):
//   oom_kill_lock_  one out_of_memory() at a time (Linux's oom_lock); the
//                   page allocator takes it with a trylock
//   oom_lock_       the task list, the notifier chain, the report's rate
//                   limit; held for the whole of out_of_memory(), so the
//                   notifiers and on_kill run under it (the task and
//                   notifier calls they make know, and do not take it again)
//   Task::lock      the task's pages list and page->owner/private_ of the
//                   pages on it
//
// Who frees a charged block: exactly one of task_uncharge() (which hands it
// back to the caller), task_exit() and the OOM reaper. Each takes the block
// off the task's list under Task::lock before freeing it; page->owner == t
// says the block is still on t's list.
#pragma once

#include <atomic>

#include "base/list.h"
#include "base/spinlock.h"
#include "base/types.h"
#include "page_alloc/gfp.h"

namespace kmem {

struct Page;
class Kernel;

inline constexpr int OOM_SCORE_ADJ_MIN = -1000;  // never killed
inline constexpr int OOM_SCORE_ADJ_MAX = 1000;

// oom_badness() of a task that may not be chosen.
inline constexpr long OOM_BADNESS_INELIGIBLE = -__LONG_MAX__ - 1;  // LONG_MIN

enum : u32 {
  TASK_OOM_VICTIM = 1u << 0,  // chosen by the OOM killer (TIF_MEMDIE)
  TASK_DEAD = 1u << 1,        // its memory has been reaped
};

// A killable task. Its owner zero-initialises it (Task t{}), may set
// on_kill and kill_arg, then calls Kernel::task_init(); the Task must stay
// in place until Kernel::task_exit() returns.
struct Task {
  int pid;
  int oom_score_adj;
  char comm[16];
  std::atomic<u32> state;
  std::atomic<unsigned long> rss;  // pages charged, in pages
  SpinLock lock;                   // guards pages
  ListHead pages;                  // charged blocks, linked through page->lru
  ListHead node;                   // on the machine's task list
  // Called once, after the task was reaped, on the thread that ran the OOM
  // killer with oom_lock_ held: it should only tell whoever drives the task
  // to stop (set a flag, wake a thread). It may create and exit tasks (t
  // included, which it may then release); it must not allocate.
  void (*on_kill)(Task*, void*);
  void* kill_arg;
};

// oom_badness(): the task's charged pages plus oom_score_adj in thousandths
// of totalpages; OOM_BADNESS_INELIGIBLE for OOM_SCORE_ADJ_MIN and for a
// task already reaped.
long oom_badness(const Task* t, unsigned long totalpages);

// struct notifier_block for the OOM chain: notifier_call(nb, 0, &freed)
// adds the number of pages it freed to *(unsigned long*)data. The chain is
// called highest priority first; a return value with NOTIFY_STOP_MASK set
// ends the walk. A callback runs under the machine's oom_lock_: it may free
// memory and create or exit tasks; it may unregister itself but no other
// block, and must not allocate with a mask that can reach the OOM killer.
struct NotifierBlock {
  int (*notifier_call)(NotifierBlock* nb, unsigned long action, void* data);
  NotifierBlock* next;
  int priority;
};

inline constexpr int NOTIFY_DONE = 0x0000;
inline constexpr int NOTIFY_OK = 0x0001;
inline constexpr int NOTIFY_STOP_MASK = 0x8000;

// struct oom_control
struct OomControl {
  gfp_t gfp_mask;
  int order;
  int nid;  // preferred node
  unsigned long totalpages;
  Task* chosen;
  long chosen_points;
};

}  // namespace kmem
