// SPDX-License-Identifier: MIT
// spinlock_t (KSpinlock) and struct mutex (KMutex): real mutual exclusion
// between threads, and the effect of each lock form on the holder's context.
#include <vector>

#include "context_helpers.h"

namespace kmem_test {
namespace {

using Spinlock = ContextTest;

TEST_F(Spinlock, MutualExclusionAcrossThreads) {
  KSpinlock lock;
  long counter = 0;  // plain: only the lock keeps the increments whole
  constexpr int kThreads = 3, kRounds = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        spin_lock(&lock);
        long v = counter;
        if ((i & 255) == 0) std::this_thread::yield();  // widen the window
        counter = v + 1;
        spin_unlock(&lock);
      }
      EXPECT_EQ(preempt_count(), 0u);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, long(kThreads) * kRounds);
  EXPECT_FALSE(lock.raw.is_locked());
}

TEST_F(Spinlock, HoldingOneDisablesPreemption) {
  KSpinlock a, b;
  spin_lock(&a);
  EXPECT_EQ(preempt_count(), 1u);
  EXPECT_TRUE(in_atomic());
  EXPECT_TRUE(in_task());
  EXPECT_FALSE(irqs_disabled());
  EXPECT_EQ(current_ctx().spinlocks_held, 1u);
  spin_lock(&b);
  EXPECT_EQ(preempt_count(), 2u);
  EXPECT_EQ(current_ctx().spinlocks_held, 2u);
  spin_unlock(&b);
  spin_unlock(&a);
  EXPECT_EQ(preempt_count(), 0u);
  EXPECT_EQ(current_ctx().spinlocks_held, 0u);
}

TEST_F(Spinlock, TrylockFailsOnAHeldLockWithoutChangingTheCount) {
  KSpinlock lock;
  spin_lock(&lock);
  std::thread([&] {
    EXPECT_FALSE(spin_trylock(&lock));
    EXPECT_EQ(preempt_count(), 0u);
    EXPECT_EQ(current_ctx().spinlocks_held, 0u);
  }).join();
  spin_unlock(&lock);
  ASSERT_TRUE(spin_trylock(&lock));
  EXPECT_EQ(preempt_count(), 1u);
  spin_unlock(&lock);
}

TEST_F(Spinlock, BhFormDisablesBottomHalves) {
  KSpinlock lock;
  spin_lock_bh(&lock);
  EXPECT_EQ(preempt_count(), SOFTIRQ_DISABLE_OFFSET + 1);
  EXPECT_TRUE(in_softirq());
  EXPECT_FALSE(in_serving_softirq());
  spin_unlock_bh(&lock);
  EXPECT_EQ(preempt_count(), 0u);
}

TEST_F(Spinlock, IrqFormDisablesInterruptsAndUnlockEnablesThem) {
  KSpinlock lock;
  spin_lock_irq(&lock);
  EXPECT_TRUE(irqs_disabled());
  EXPECT_EQ(preempt_count(), 1u);
  spin_unlock_irq(&lock);
  EXPECT_FALSE(irqs_disabled());
  EXPECT_EQ(preempt_count(), 0u);
}

TEST_F(Spinlock, IrqsaveRestoresWhateverWasBefore) {
  KSpinlock lock;
  // Interrupts on before: off inside, on after.
  unsigned long flags = spin_lock_irqsave(&lock);
  EXPECT_TRUE(irqs_disabled());
  EXPECT_EQ(preempt_count(), 1u);
  spin_unlock_irqrestore(&lock, flags);
  EXPECT_FALSE(irqs_disabled());
  EXPECT_EQ(preempt_count(), 0u);
  // Interrupts off before: still off after.
  local_irq_disable();
  flags = spin_lock_irqsave(&lock);
  EXPECT_TRUE(irqs_disabled());
  spin_unlock_irqrestore(&lock, flags);
  EXPECT_TRUE(irqs_disabled());
  local_irq_enable();
}

using Mutex = ContextTest;

TEST_F(Mutex, MutualExclusionWithBlocking) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  KMutex mu;
  long counter = 0;
  constexpr int kThreads = 3, kRounds = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        mutex_lock(k, &mu);
        long v = counter;
        if ((i & 15) == 0) std::this_thread::yield();
        counter = v + 1;
        mutex_unlock(k, &mu);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, long(kThreads) * kRounds);
  EXPECT_FALSE(mutex_is_locked(&mu));
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);  // task context: no report
}

TEST_F(Mutex, AWaiterSleepsUntilUnlock) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  KMutex mu;
  mutex_lock(k, &mu);
  EXPECT_TRUE(mutex_is_locked(&mu));
  EXPECT_EQ(mu.owner.load(), thread_pid());
  EXPECT_EQ(preempt_count(), 0u);  // a mutex holder may sleep
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    EXPECT_FALSE(mutex_trylock(&mu));
    mutex_lock(k, &mu);
    got = true;
    mutex_unlock(k, &mu);
  });
  // The waiter marks the mutex contended (state 2) before it sleeps.
  ASSERT_TRUE(eventually([&] { return mu.state.load() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_FALSE(got.load()) << "mutex_lock returned while the mutex was held";
  mutex_unlock(k, &mu);
  waiter.join();
  EXPECT_TRUE(got.load());
  EXPECT_FALSE(mutex_is_locked(&mu));
  EXPECT_EQ(mu.owner.load(), 0);
}

}  // namespace
}  // namespace kmem_test
