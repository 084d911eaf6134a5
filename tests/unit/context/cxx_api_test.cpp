// SPDX-License-Identifier: MIT
// The public C++ API of contexts (kmem/context.hpp) and the "interrupts and
// reclaim" part of kmem::Machine, used the way an application would: only
// public headers here, no core ones.
#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kmem/context.hpp"
#include "kmem/kmem.h"
#include "kmem/machine.hpp"

namespace {

using kmem::Machine;
namespace gfp = kmem::gfp;

constexpr const char* kSmall = "mem=64M cpus=2 kswapd=0";

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

class CxxApi : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_EQ(kmem::preempt_count(), 0u);
    EXPECT_FALSE(kmem::irqs_disabled());
  }
};

TEST_F(CxxApi, PredicatesAndScopes) {
  EXPECT_TRUE(kmem::in_task());
  EXPECT_FALSE(kmem::in_atomic());
  {
    kmem::PreemptOff p;
    EXPECT_EQ(kmem::preempt_count(), 1u);
    EXPECT_TRUE(kmem::in_atomic());
    {
      kmem::BhOff bh;
      EXPECT_EQ(kmem::preempt_count(), 0x201u);
      EXPECT_TRUE(kmem::in_softirq());
      EXPECT_FALSE(kmem::in_serving_softirq());
      EXPECT_TRUE(kmem::in_interrupt());
    }
    kmem::IrqsOff irqs;
    EXPECT_TRUE(kmem::irqs_disabled());
  }
  EXPECT_EQ(kmem::preempt_count(), 0u);
  kmem::irq_enter();
  EXPECT_TRUE(kmem::in_hardirq() && kmem::in_irq() && !kmem::in_task());
  kmem::irq_exit();
  kmem::nmi_enter();
  EXPECT_TRUE(kmem::in_nmi());
  EXPECT_EQ(kmem::preempt_count(), 0x110000u);
  kmem::nmi_exit();
}

TEST_F(CxxApi, UnbalancedEnablesAreIgnored) {
  kmem::preempt_enable();
  kmem::local_bh_enable();
  kmem::irq_exit();
  kmem::nmi_exit();
  EXPECT_EQ(kmem::preempt_count(), 0u);
  EXPECT_TRUE(kmem::in_task());
}

TEST_F(CxxApi, IrqsaveRestoresThePreviousState) {
  unsigned long outer = kmem::local_irq_save();
  unsigned long inner = kmem::local_irq_save();
  kmem::local_irq_restore(inner);
  EXPECT_TRUE(kmem::irqs_disabled());
  kmem::local_irq_restore(outer);
  EXPECT_FALSE(kmem::irqs_disabled());
}

TEST_F(CxxApi, MemallocScopes) {
  EXPECT_EQ(kmem::current_gfp_context(gfp::KERNEL), gfp::KERNEL);
  {
    kmem::NofsScope nofs;
    EXPECT_EQ(kmem::current_gfp_context(gfp::KERNEL), gfp::NOFS);
    {
      kmem::NoioScope noio;
      EXPECT_EQ(kmem::current_gfp_context(gfp::KERNEL), gfp::NOIO);
    }
    EXPECT_EQ(kmem::current_gfp_context(gfp::KERNEL), gfp::NOFS);
    kmem::PinScope pin;
    EXPECT_EQ(kmem::current_gfp_context(gfp::HIGHUSER_MOVABLE), gfp::HIGHUSER & ~gfp::FS);
  }
  EXPECT_EQ(kmem::current_gfp_context(gfp::HIGHUSER_MOVABLE), gfp::HIGHUSER_MOVABLE);
  kmem::NoreclaimScope noreclaim;
}

TEST_F(CxxApi, SpinlockWithStdLockGuard) {
  kmem::spinlock lock;
  long counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        std::lock_guard<kmem::spinlock> g(lock);
        EXPECT_TRUE(kmem::in_atomic());
        ++counter;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 30000);
  EXPECT_FALSE(lock.is_locked());
  unsigned long flags = lock.lock_irqsave();
  EXPECT_TRUE(kmem::irqs_disabled() && lock.is_locked() && !lock.try_lock());
  lock.unlock_irqrestore(flags);
  EXPECT_FALSE(kmem::irqs_disabled());
  lock.unlock();  // not locked: ignored
  EXPECT_EQ(kmem::preempt_count(), 0u);
}

TEST_F(CxxApi, MutexAndMightSleep) {
  Machine m(kSmall);
  m.take_log();
  kmem::mutex mu(m);
  {
    std::lock_guard<kmem::mutex> g(mu);
    EXPECT_TRUE(mu.is_locked());
    kmem::might_sleep(m);  // a mutex holder may sleep
  }
  EXPECT_EQ(m.bug_count(KMEM_BUG_ATOMIC_SLEEP), 0u);
  kmem::spinlock lock;
  {
    std::lock_guard<kmem::spinlock> g(lock);
    mu.lock();  // may sleep, under a spinlock
    mu.unlock();
  }
  EXPECT_EQ(m.bug_count(KMEM_BUG_ATOMIC_SLEEP), 1u);
  std::string log = m.take_log();
  EXPECT_TRUE(contains(log, "invalid context at kernel/locking/mutex.c:")) << log;
  // might_sleep() names the caller's file.
  Machine m2(kSmall);
  m2.take_log();
  {
    kmem::IrqsOff irqs;
    kmem::might_sleep(m2);
    EXPECT_FALSE(kmem::cond_resched(m2));
  }
  EXPECT_TRUE(kmem::cond_resched(m2));
  EXPECT_EQ(m2.bug_count(KMEM_BUG_ATOMIC_SLEEP), 2u);
  log = m2.take_log();
  EXPECT_TRUE(contains(log, "cxx_api_test.cpp:")) << log;
  EXPECT_TRUE(contains(log, "in_atomic(): 0, irqs_disabled(): 1")) << log;
  // Unlocking an unlocked mutex is a warning, nothing more.
  mu.unlock();
  EXPECT_EQ(m.bug_count(KMEM_BUG_WARN), 1u);
  EXPECT_TRUE(contains(m.take_log(), "DEBUG_LOCKS_WARN_ON"));
}

TEST_F(CxxApi, InterruptsAndTasklets) {
  Machine m(kSmall);
  static std::vector<std::string> events;
  events.clear();
  static kmem::tasklet* bh;
  kmem::tasklet t([] {
    events.push_back(std::string("tasklet:") + (kmem::in_serving_softirq() ? "softirq" : "?"));
  });
  bh = &t;
  auto handler = [](int irq, void* dev) -> int {
    events.push_back("irq" + std::to_string(irq) + ":" + static_cast<const char*>(dev) +
                     (kmem::in_hardirq() && kmem::irqs_disabled() ? ":hardirq" : ":?"));
    bh->schedule();
    return 1;
  };
  char a[] = "a", b[] = "b";
  ASSERT_EQ(m.request_irq(14, handler, Machine::kIrqShared, "dev-a", a), 0);
  ASSERT_EQ(m.request_irq(14, handler, Machine::kIrqShared, "dev-b", b), 0);
  EXPECT_EQ(m.request_irq(14, handler, 0, "dev-c", a), -16 /* -EBUSY */);
  EXPECT_EQ(m.generic_handle_irq(14), 0);
  // Both handlers, then the tasklet once (scheduled twice before it ran).
  EXPECT_EQ(events,
            (std::vector<std::string>{"irq14:a:hardirq", "irq14:b:hardirq", "tasklet:softirq"}));
  events.clear();
  {
    kmem::IrqsOff irqs;
    EXPECT_EQ(m.generic_handle_irq(14), 0);
    EXPECT_TRUE(events.empty());
  }
  EXPECT_EQ(events.size(), 3u);
  EXPECT_STREQ(m.free_irq(14, a), "dev-a");
  EXPECT_STREQ(m.free_irq(14, b), "dev-b");
  m.take_log();
  EXPECT_EQ(m.free_irq(14, b), nullptr);
  EXPECT_EQ(m.bug_count(KMEM_BUG_WARN), 1u);
  EXPECT_TRUE(contains(m.take_log(), "Trying to free already-free IRQ 14"));
  // Disabled, the tasklet waits.
  events.clear();
  t.disable();
  t.schedule();
  EXPECT_TRUE(t.scheduled());
  EXPECT_TRUE(events.empty());
  t.enable();
  EXPECT_EQ(events, std::vector<std::string>{"tasklet:softirq"});
  EXPECT_FALSE(t.scheduled());
}

TEST_F(CxxApi, ShrinkersAndDropSlab) {
  Machine m("mem=64M cpus=1 kswapd=0 oom_wait_ms=0");
  std::mutex mu;
  std::vector<kmem::Page*> cache;
  for (int i = 0; i < 500; ++i) cache.push_back(m.alloc_pages(gfp::KERNEL, 0));
  int count_calls = 0;
  const int id = m.register_shrinker(
      "my-cache",
      [&](const Machine::ShrinkRequest& req) -> unsigned long {
        std::lock_guard<std::mutex> g(mu);
        ++count_calls;
        EXPECT_EQ(req.nid, 0);
        return cache.empty() ? Machine::kShrinkEmpty : cache.size();
      },
      [&](Machine::ShrinkRequest& req) -> unsigned long {
        std::lock_guard<std::mutex> g(mu);
        unsigned long freed = 0;
        for (; freed < req.nr_to_scan && !cache.empty(); ++freed) {
          m.free_pages(cache.back(), 0);
          cache.pop_back();
        }
        return freed;
      });
  ASSERT_GT(id, 0);
  EXPECT_EQ(m.drop_slab(), 500u);
  EXPECT_TRUE(cache.empty());
  EXPECT_GT(count_calls, 0);
  m.unregister_shrinker(id);
  m.unregister_shrinker(id);  // unknown now: ignored
  count_calls = 0;
  EXPECT_EQ(m.drop_slab(), 0u);
  EXPECT_EQ(count_calls, 0);
}

TEST_F(CxxApi, FilesystemShrinkerAndNofsScope) {
  Machine m("mem=64M cpus=1 kswapd=0 oom_wait_ms=0");
  std::vector<kmem::Page*> fs_pages;
  for (int i = 0; i < 1000; ++i) fs_pages.push_back(m.alloc_pages(gfp::KERNEL, 0));
  std::atomic<int> fs_calls{0};
  const int id = m.register_shrinker(
      "fs",
      [&](const Machine::ShrinkRequest&) -> unsigned long {
        ++fs_calls;
        return fs_pages.size();
      },
      [&](Machine::ShrinkRequest& req) -> unsigned long {
        unsigned long n = 0;
        for (; n < req.nr_to_scan && !fs_pages.empty(); ++n) {
          m.free_pages(fs_pages.back(), 0);
          fs_pages.pop_back();
        }
        return n;
      },
      Machine::kShrinkerFs);
  std::vector<kmem::Page*> held;
  while (kmem::Page* p = m.alloc_pages(gfp::NOWAIT | gfp::NOWARN, 0)) held.push_back(p);
  {
    kmem::NofsScope nofs;
    EXPECT_EQ(m.alloc_pages(gfp::KERNEL | gfp::NORETRY | gfp::NOWARN, 0), nullptr);
  }
  EXPECT_EQ(fs_calls.load(), 0);
  kmem::Page* p = m.alloc_pages(gfp::KERNEL | gfp::NORETRY, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_GT(fs_calls.load(), 0);
  held.push_back(p);
  for (kmem::Page* q : held) m.free_pages(q, 0);
  m.unregister_shrinker(id);
  for (kmem::Page* q : fs_pages) m.free_pages(q, 0);
}

}  // namespace
