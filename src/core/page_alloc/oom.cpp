// SPDX-License-Identifier: MIT
// The OOM killer (mm/oom_kill.c). Being written; see page_alloc/oom.h.
#include "page_alloc/internal.h"

namespace kmem {

void Kernel::task_init(Task* t, const char* comm, int oom_score_adj) {
  t->pid = next_task_pid_.fetch_add(1);
  t->oom_score_adj = oom_score_adj;
  format(t->comm, sizeof t->comm, "%s", comm);
  t->pages.init();
}
void Kernel::task_charge(Task*, Page*, unsigned) {}
void Kernel::task_uncharge(Task*, Page*, unsigned) {}
void Kernel::task_exit(Task*) {}
void Kernel::register_oom_notifier(NotifierBlock*) {}
void Kernel::unregister_oom_notifier(NotifierBlock*) {}
bool Kernel::out_of_memory(OomControl&) { return false; }

}  // namespace kmem
