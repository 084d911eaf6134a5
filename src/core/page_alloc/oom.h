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
#pragma once

#include <atomic>

#include "base/list.h"
#include "base/spinlock.h"
#include "base/types.h"
#include "page_alloc/gfp.h"

namespace kmem {

struct Page;
class Kernel;

inline constexpr int OOM_SCORE_ADJ_MIN = -1000;
inline constexpr int OOM_SCORE_ADJ_MAX = 1000;

enum : u32 {
  TASK_OOM_VICTIM = 1u << 0,  // chosen by the OOM killer (TIF_MEMDIE)
  TASK_DEAD = 1u << 1,        // its memory has been reaped
};

struct Task {
  int pid;
  int oom_score_adj;
  char comm[16];
  std::atomic<u32> state;
  std::atomic<unsigned long> rss;  // pages charged, in pages
  SpinLock lock;                   // guards pages
  ListHead pages;                  // charged blocks, linked through page->lru
  ListHead node;                   // on the machine's task list
  void (*on_kill)(Task*, void*);   // called once, after the task was reaped
  void* kill_arg;
};

// struct notifier_block for the OOM chain: notifier_call(nb, 0, &freed)
// adds the number of pages it freed to *(unsigned long*)data.
struct NotifierBlock {
  int (*notifier_call)(NotifierBlock* nb, unsigned long action, void* data);
  NotifierBlock* next;
  int priority;
};

// struct oom_control
struct OomControl {
  gfp_t gfp_mask;
  int order;
  int nid;                  // preferred node
  unsigned long totalpages;
  Task* chosen;
  long chosen_points;
};

}  // namespace kmem
