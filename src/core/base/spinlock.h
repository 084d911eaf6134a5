// SPDX-License-Identifier: MIT
// A test-and-test-and-set spinlock with a trylock, the lock the core uses for
// zone->lock, the per-CPU page lists and memblock. It never sleeps; a waiter
// spins with the CPU's pause hint and, after a while, yields through the
// platform hook (a hosted thread may share its core with the lock holder).
#pragma once

#include <atomic>

#include "base/types.h"

namespace kmem {

using YieldHook = void (*)();
extern constinit YieldHook g_yield_hook;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

class SpinLock {
 public:
  constexpr SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  bool try_lock() {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void lock() {
    if (try_lock()) return;
    lock_slow();
  }
  void unlock() { locked_.store(false, std::memory_order_release); }
  bool is_locked() const { return locked_.load(std::memory_order_relaxed); }
  // The owner side of an asymmetric handshake reads the lock with acquire so
  // that a remote holder's writes happen-before the owner's next access.
  bool is_locked_acquire() const { return locked_.load(std::memory_order_acquire); }

 private:
  void lock_slow() {
    for (unsigned spins = 0;; ++spins) {
      while (locked_.load(std::memory_order_relaxed)) {
        cpu_relax();
        if (++spins >= 128 && g_yield_hook != nullptr) {
          g_yield_hook();
          spins = 0;
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }
  std::atomic<bool> locked_{false};
};

// Scoped holder, the shape of guard(spinlock)(&l) in Linux.
class SpinGuard {
 public:
  explicit SpinGuard(SpinLock& l) : l_(l) { l_.lock(); }
  ~SpinGuard() { l_.unlock(); }
  SpinGuard(const SpinGuard&) = delete;
  SpinGuard& operator=(const SpinGuard&) = delete;

 private:
  SpinLock& l_;
};

}  // namespace kmem
