// SPDX-License-Identifier: MIT
// The OOM killer's C API: <linux/oom.h> (the notifier chain) and
// <kmem/task.h> (killable tasks). struct notifier_block is passed to the
// core as a kmem::NotifierBlock (same layout, checked below); a kmem_task
// wraps a kmem::Task with the machine it belongs to and its C callback.
#include <cerrno>
#include <cstddef>
#include <new>

#include "capi/current.h"

#include <kmem/task.h>
#include <linux/oom.h>

namespace kmem::capi {

// ---- the C headers agree with the core --------------------------------------------
static_assert(sizeof(struct notifier_block) == sizeof(kmem::NotifierBlock));
static_assert(alignof(struct notifier_block) == alignof(kmem::NotifierBlock));
static_assert(offsetof(struct notifier_block, notifier_call) ==
              offsetof(kmem::NotifierBlock, notifier_call));
static_assert(offsetof(struct notifier_block, next) == offsetof(kmem::NotifierBlock, next));
static_assert(offsetof(struct notifier_block, priority) == offsetof(kmem::NotifierBlock, priority));
static_assert(OOM_SCORE_ADJ_MIN == -1000 && OOM_SCORE_ADJ_MAX == 1000);

namespace {

inline kmem::NotifierBlock* to_core(struct notifier_block* nb) {
  return reinterpret_cast<kmem::NotifierBlock*>(nb);
}

}  // namespace

}  // namespace kmem::capi

// A task of the C API. task comes first: the core's Task* is the wrapper's.
struct kmem_task {
  kmem::Task task;
  kmem::Kernel* kernel;  // the machine current at creation
  std::atomic<kmem_task_kill_fn> fn{nullptr};
  std::atomic<void*> arg{nullptr};
};

namespace kmem::capi {
namespace {

static_assert(offsetof(struct kmem_task, task) == 0);

inline struct kmem_task* wrapper_of(kmem::Task* t) {
  return reinterpret_cast<struct kmem_task*>(t);
}
inline kmem::Page* to_page(struct page* p) { return reinterpret_cast<kmem::Page*>(p); }

// The core's on_kill: calls the task's C callback, if one is set. The
// callback may destroy the task, so nothing is read after it.
void kill_trampoline(kmem::Task* t, void*) {
  struct kmem_task* w = wrapper_of(t);
  kmem_task_kill_fn fn = w->fn.load(std::memory_order_acquire);
  void* arg = w->arg.load(std::memory_order_relaxed);
  if (fn != nullptr) fn(w, arg);
}

}  // namespace
}  // namespace kmem::capi

using kmem::capi::current_kernel;

extern "C" {

// ---- linux/oom.h ----------------------------------------------------------------

int register_oom_notifier(struct notifier_block* nb) {
  return current_kernel().register_oom_notifier(kmem::capi::to_core(nb));
}

int unregister_oom_notifier(struct notifier_block* nb) {
  return current_kernel().unregister_oom_notifier(kmem::capi::to_core(nb));
}

// ---- kmem/task.h ----------------------------------------------------------------

struct kmem_task* kmem_task_create(const char* comm, int oom_score_adj) {
  kmem::Kernel& k = current_kernel();
  auto* w = new (std::nothrow) kmem_task{};
  if (w == nullptr) return nullptr;
  w->kernel = &k;
  w->task.on_kill = &kmem::capi::kill_trampoline;
  k.task_init(&w->task, comm, oom_score_adj);
  return w;
}

void kmem_task_set_kill_callback(struct kmem_task* task, kmem_task_kill_fn fn, void* arg) {
  task->arg.store(arg, std::memory_order_relaxed);
  task->fn.store(fn, std::memory_order_release);
}

void kmem_task_destroy(struct kmem_task* task) {
  if (task == nullptr) return;
  task->kernel->task_exit(&task->task);
  delete task;
}

struct page* kmem_task_alloc_pages(struct kmem_task* task, gfp_t gfp, unsigned int order) {
  kmem::Page* p = task->kernel->alloc_pages(gfp, order);
  if (p != nullptr) task->kernel->task_charge(&task->task, p, order);
  return reinterpret_cast<struct page*>(p);
}

void kmem_task_free_pages(struct kmem_task* task, struct page* page, unsigned int order) {
  kmem::Page* p = kmem::capi::to_page(page);
  if (task->kernel->task_uncharge(&task->task, p, order)) task->kernel->free_pages(p, order);
}

void kmem_task_charge(struct kmem_task* task, struct page* page, unsigned int order) {
  task->kernel->task_charge(&task->task, kmem::capi::to_page(page), order);
}

int kmem_task_uncharge(struct kmem_task* task, struct page* page, unsigned int order) {
  return task->kernel->task_uncharge(&task->task, kmem::capi::to_page(page), order) ? 0 : -ENOENT;
}

void kmem_task_attach(struct kmem_task* task) {
  kmem::current_ctx().task = task != nullptr ? &task->task : nullptr;
}

void kmem_task_detach(void) { kmem::current_ctx().task = nullptr; }

int kmem_task_killed(const struct kmem_task* task) {
  return (task->task.state.load(std::memory_order_acquire) & kmem::TASK_OOM_VICTIM) ? 1 : 0;
}

unsigned long kmem_task_rss(const struct kmem_task* task) {
  return task->task.rss.load(std::memory_order_relaxed);
}

int kmem_task_pid(const struct kmem_task* task) { return task->task.pid; }

}  // extern "C"
