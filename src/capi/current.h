// SPDX-License-Identifier: MIT
// The process's current machine, shared by the C API's translation units.
//
// Fast path: every C call does one acquire load of g_kernel (a plain load on
// x86-64) and a predictable branch. The slow path boots the default machine
// from KMEM_CMDLINE under g_boot_mu; a second thread arriving meanwhile waits
// on the mutex and then sees the machine the first one booted.
//
// g_machine and g_kernel change together, under g_boot_mu, only in
// boot_default(), kmem_machine_boot() and kmem_machine_shutdown(). The last
// two must not race with other C calls (documented in kmem/kmem.h), so a
// reader never sees a machine being destroyed.
//
// Include this before any compat header: it pulls in the core, whose
// constants (PAGE_SIZE, MAX_PAGE_ORDER, ...) the compat headers define as
// macros.
#pragma once

#include <atomic>
#include <mutex>

#include "kernel.h"
#include "kmem/machine.hpp"
#include "page_alloc/page.h"

namespace kmem::capi {

extern constinit std::atomic<Kernel*> g_kernel;
extern constinit std::atomic<Machine*> g_machine;
extern constinit std::mutex g_boot_mu;

// Boots the default machine if there is none; exits(2) if KMEM_CMDLINE is bad.
[[gnu::cold, gnu::noinline]] Kernel& boot_default();

inline Kernel& current_kernel() {
  Kernel* k = g_kernel.load(std::memory_order_acquire);
  if (__builtin_expect(k != nullptr, 1)) return *k;
  return boot_default();
}

inline Machine& current_machine() {
  current_kernel();
  return *g_machine.load(std::memory_order_acquire);
}

// Ends the calling thread's unfinished printk() line (capi/printk.cpp).
void flush_pending_line();

}  // namespace kmem::capi
