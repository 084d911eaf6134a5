// SPDX-License-Identifier: MIT
// Helpers shared by the execution-context tests (core level: Kernel,
// TaskContext, KSpinlock, Tasklet).
#pragma once

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <type_traits>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace kmem_test {

using namespace kmem;
// Some system headers pull in include/kmem/compat/linux/types.h, whose global
// u64/u32/... would make the names from kmem ambiguous; these win over both.
using u32 = kmem::u32;
using u64 = kmem::u64;
using gfp_t = kmem::gfp_t;

// A small machine without kswapd, so that nothing but the test calls
// shrinkers or allocates.
inline constexpr const char* kSmall = "mem=64M cpus=2 kswapd=0";

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

inline size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// The calling thread's pid and name, as the reports print them (read here
// independently of the platform code that prints them).
inline int thread_pid() { return int(syscall(SYS_gettid)); }
inline std::string thread_comm() {
  char name[17] = {};
  prctl(PR_GET_NAME, name);
  return name;
}

// Every test starts and must end on a thread in plain task context; one
// that fails half-way must not poison the tests after it.
class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(preempt_count(), 0u);
    ASSERT_FALSE(irqs_disabled());
  }
  void TearDown() override {
    TaskContext& c = current_ctx();
    EXPECT_EQ(c.preempt_count, 0u) << "the test left the thread atomic";
    EXPECT_EQ(c.irqs_disabled, 0u) << "the test left interrupts off";
    EXPECT_EQ(c.spinlocks_held, 0u);
    EXPECT_EQ(c.flags & (PF_MEMALLOC | PF_MEMALLOC_NOFS | PF_MEMALLOC_NOIO | PF_MEMALLOC_PIN), 0u);
    c.preempt_count = 0;
    c.irqs_disabled = 0;
    c.spinlocks_held = 0;
    c.flags = 0;
    c.nr_pending_irqs = 0;
    c.softirq_head = c.softirq_tail = nullptr;
  }
};

// Runs fn in hardirq context on this thread, through interrupt line irq.
template <typename Fn>
void run_in_hardirq(Kernel& k, Fn&& fn, unsigned irq = 9) {
  static thread_local std::remove_reference_t<Fn>* current;
  current = &fn;
  ASSERT_EQ(k.request_irq(
                irq,
                [](int, void*) {
                  (*current)();
                  return int(IRQ_HANDLED);
                },
                0, "ctx-test", &fn),
            0);
  EXPECT_EQ(k.generic_handle_irq(irq), 0);
  EXPECT_STREQ(k.free_irq(irq, &fn), "ctx-test");
}

// Runs fn in softirq context on this thread: a tasklet scheduled from task
// context runs at once.
template <typename Fn>
void run_in_tasklet(Fn&& fn) {
  static thread_local std::remove_reference_t<Fn>* current;
  current = &fn;
  Tasklet t;
  tasklet_setup(&t, [](Tasklet*) { (*current)(); });
  tasklet_schedule(&t);
  tasklet_kill(&t);
}

// Polls cond for up to about ten seconds (a loaded CI machine is slow, a
// correct program gets there in microseconds).
template <typename Cond>
bool eventually(Cond&& cond) {
  for (int i = 0; i < 10000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

}  // namespace kmem_test
