// SPDX-License-Identifier: MIT
// The locks kernel code uses, with their effect on the context:
//
//   spinlock_t (KSpinlock)  spin_lock() disables preemption, _bh bottom
//                           halves, _irq/_irqsave interrupts; never sleeps
//   mutex (KMutex)          may sleep: mutex_lock() is a might_sleep() point
//   WaitEvent               a sequence word to sleep on until something
//                           changes (memory freed, kswapd woken)
//
// Sleeping goes through the platform's wait/wake (futex in the hosted
// platform), so these take the machine whose platform to use.
#pragma once

#include <atomic>

#include "base/spinlock.h"
#include "base/types.h"

namespace kmem {

class Kernel;

struct KSpinlock {
  SpinLock raw;
};

void spin_lock(KSpinlock* l);
bool spin_trylock(KSpinlock* l);
void spin_unlock(KSpinlock* l);
void spin_lock_bh(KSpinlock* l);
void spin_unlock_bh(KSpinlock* l);
void spin_lock_irq(KSpinlock* l);
void spin_unlock_irq(KSpinlock* l);
unsigned long spin_lock_irqsave(KSpinlock* l);
void spin_unlock_irqrestore(KSpinlock* l, unsigned long flags);

struct KMutex {
  std::atomic<u32> state{0};  // 0 unlocked, 1 locked, 2 locked with waiters
  std::atomic<int> owner{0};  // pid of the holder (debugging)
};

void mutex_lock(Kernel& k, KMutex* m);
bool mutex_trylock(KMutex* m);
void mutex_unlock(Kernel& k, KMutex* m);
inline bool mutex_is_locked(const KMutex* m) {
  return m->state.load(std::memory_order_relaxed) != 0;
}

// Sleep until the sequence moves past `seen` (or a timeout). Wakers bump the
// sequence only when someone waits, so the waking side costs one relaxed
// load when nobody sleeps.
struct WaitEvent {
  std::atomic<u32> seq{0};
  std::atomic<u32> waiters{0};
};

}  // namespace kmem
