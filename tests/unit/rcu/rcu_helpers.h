// SPDX-License-Identifier: MIT
// Helpers shared by the RCU tests (core level: Kernel, RcuHead, TaskContext).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <type_traits>

#include "common/test_util.h"
#include "kernel.h"
#include "kmem/machine.hpp"

namespace kmem_test {

// A small machine without kswapd: the only other thread is rcu_preempt.
inline constexpr const char* kRcuMachine = "mem=64M cpus=4 kswapd=0";

// Polls cond for up to about ten seconds.
template <typename Cond>
bool eventually(Cond&& cond) {
  for (int i = 0; i < 10000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

// cond stays false for ms milliseconds (something that must wait does).
template <typename Cond>
bool stays_false(Cond&& cond, int ms) {
  for (int i = 0; i < ms; ++i) {
    if (cond()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return !cond();
}

// A thread parked inside a read-side section of k until release().
class Reader {
 public:
  using Lock = void (Kernel::*)();
  explicit Reader(Kernel& k, Lock lock = &Kernel::rcu_read_lock,
                  Lock unlock = &Kernel::rcu_read_unlock, int bind_cpu = -1)
      : th_([this, &k, lock, unlock, bind_cpu] {
          if (bind_cpu >= 0) Machine::bind_current_thread(unsigned(bind_cpu));
          (k.*lock)();
          inside_.store(true);
          while (!release_.load()) std::this_thread::sleep_for(std::chrono::microseconds(200));
          (k.*unlock)();
          done_.store(true);
        }) {
    while (!inside_.load()) std::this_thread::yield();
  }
  ~Reader() {
    release();
    th_.join();
  }
  void release() { release_.store(true); }
  bool done() const { return done_.load(); }
  void join() {
    release();
    if (th_.joinable()) th_.join();
  }

 private:
  std::atomic<bool> inside_{false}, release_{false}, done_{false};
  std::thread th_;
};

// Runs fn in hardirq context on this thread, through interrupt line irq.
template <typename Fn>
void run_in_hardirq(Kernel& k, Fn&& fn, unsigned irq = 11) {
  static thread_local std::remove_reference_t<Fn>* current;
  current = &fn;
  ASSERT_EQ(k.request_irq(
                irq,
                [](int, void*) {
                  (*current)();
                  return int(IRQ_HANDLED);
                },
                0, "rcu-test", &fn),
            0);
  EXPECT_EQ(k.generic_handle_irq(irq), 0);
  EXPECT_STREQ(k.free_irq(irq, &fn), "rcu-test");
}

// Every test starts and must end on a thread in plain task context outside
// any read-side section.
class RcuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(preempt_count(), 0u);
    ASSERT_FALSE(rcu_read_lock_any_held());
  }
  void TearDown() override {
    TaskContext& c = current_ctx();
    EXPECT_EQ(c.preempt_count, 0u) << "the test left the thread atomic";
    EXPECT_EQ(c.irqs_disabled, 0u);
    EXPECT_EQ(c.rcu_depth[0] + c.rcu_depth[1] + c.rcu_depth[2], 0u)
        << "the test left a read-side section open";
    c.preempt_count = 0;
    c.irqs_disabled = 0;
    for (auto& d : c.rcu_depth) d = 0;
    for (auto& r : c.rcu_reader) r = {};
  }
};

}  // namespace kmem_test
