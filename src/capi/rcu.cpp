// SPDX-License-Identifier: MIT
// <linux/rcupdate.h>: RCU on the current machine (src/core/rcu/). struct
// rcu_head is the core's RcuHead seen through a C declaration of the same
// layout (checked below); every call forwards.
#include <cstddef>

#include "capi/current.h"

#include <linux/rcupdate.h>

static_assert(sizeof(struct rcu_head) == sizeof(kmem::RcuHead) &&
              alignof(struct rcu_head) == alignof(kmem::RcuHead));
static_assert(offsetof(struct rcu_head, next) == offsetof(kmem::RcuHead, next) &&
              offsetof(struct rcu_head, func) == offsetof(kmem::RcuHead, func));

namespace {

inline kmem::RcuHead* to_core(struct rcu_head* head) {
  return reinterpret_cast<kmem::RcuHead*>(head);
}

inline kmem::rcu_callback_t to_core(rcu_callback_t func) {
  return reinterpret_cast<kmem::rcu_callback_t>(func);
}

// The macros compile as C++ too (never called).
struct MacroProbe {
  int value;
  struct rcu_head rcu;
};
[[maybe_unused]] void macro_probe(MacroProbe* __rcu* slot, MacroProbe* next) {
  MacroProbe* old = rcu_replace_pointer(*slot, next, true);
  rcu_assign_pointer(*slot, rcu_dereference(*slot));
  RCU_INIT_POINTER(*slot, nullptr);
  if (rcu_access_pointer(*slot) == nullptr) kfree_rcu(old, rcu);
  kfree_rcu_mightsleep(rcu_dereference_protected(*slot, old != nullptr));
}

}  // namespace

using kmem::capi::current_kernel;

extern "C" {

void rcu_read_lock(void) { current_kernel().rcu_read_lock(); }
void rcu_read_unlock(void) { current_kernel().rcu_read_unlock(); }
void rcu_read_lock_bh(void) { current_kernel().rcu_read_lock_bh(); }
void rcu_read_unlock_bh(void) { current_kernel().rcu_read_unlock_bh(); }
void rcu_read_lock_sched(void) { current_kernel().rcu_read_lock_sched(); }
void rcu_read_unlock_sched(void) { current_kernel().rcu_read_unlock_sched(); }

int rcu_read_lock_held(void) { return kmem::rcu_read_lock_held(); }
int rcu_read_lock_bh_held(void) { return kmem::rcu_read_lock_bh_held(); }
int rcu_read_lock_sched_held(void) { return kmem::rcu_read_lock_sched_held(); }
int rcu_read_lock_any_held(void) { return kmem::rcu_read_lock_any_held(); }
int rcu_preempt_depth(void) { return kmem::rcu_preempt_depth(); }

void synchronize_rcu(void) { current_kernel().synchronize_rcu(); }
void synchronize_rcu_expedited(void) { current_kernel().synchronize_rcu_expedited(); }

void call_rcu(struct rcu_head* head, rcu_callback_t func) {
  current_kernel().call_rcu(to_core(head), to_core(func));
}

// RCU_LAZY is not modelled: every callback is a hurried one.
void call_rcu_hurry(struct rcu_head* head, rcu_callback_t func) { call_rcu(head, func); }

void rcu_barrier(void) { current_kernel().rcu_barrier(); }

void kvfree_call_rcu(struct rcu_head* head, void* ptr) {
  current_kernel().kvfree_call_rcu(to_core(head), ptr);
}

void kvfree_rcu_barrier(void) { current_kernel().kvfree_rcu_barrier(); }

unsigned long get_state_synchronize_rcu(void) {
  return current_kernel().get_state_synchronize_rcu();
}

bool poll_state_synchronize_rcu(unsigned long oldstate) {
  return current_kernel().poll_state_synchronize_rcu(oldstate);
}

void cond_synchronize_rcu(unsigned long oldstate) {
  current_kernel().cond_synchronize_rcu(oldstate);
}

}  // extern "C"
