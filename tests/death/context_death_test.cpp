// SPDX-License-Identifier: MIT
// With bug_action=panic a sleep in atomic context prints its report and
// aborts; with the default bug_action=report the same code goes on. Each
// case runs in a forked child (GoogleTest death tests).
#include <gtest/gtest.h>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

using kmem::Machine;
namespace gfp = kmem::gfp;

constexpr const char* kPanic = "mem=64M cpus=1 kswapd=0 bug_action=panic";

class ContextDeath : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

void gfp_kernel_under_spinlock(const char* cmdline) {
  Machine m(cmdline);
  m.set_console_echo(true);  // the report goes to stderr, where the test looks
  kmem::KSpinlock lock;
  kmem::spin_lock(&lock);
  kmem::Page* p = m.alloc_pages(gfp::KERNEL, 0);
  kmem::spin_unlock(&lock);
  if (p) m.free_pages(p, 0);
}

void mutex_in_handler(const char* cmdline) {
  Machine m(cmdline);
  m.set_console_echo(true);
  static kmem::KMutex mu;
  static kmem::Kernel* k;
  k = &m.kernel();
  auto handler = [](int, void*) {
    kmem::mutex_lock(*k, &mu);
    kmem::mutex_unlock(*k, &mu);
    return int(kmem::IRQ_HANDLED);
  };
  int dev;
  if (m.request_irq(3, handler, 0, "dev", &dev) != 0) return;
  m.generic_handle_irq(3);
}

TEST_F(ContextDeath, GfpKernelUnderSpinlockPanics) {
  EXPECT_DEATH(gfp_kernel_under_spinlock(kPanic),
               "BUG: sleeping function called from invalid context at "
               "include/linux/sched/mm.h:321\n"
               "in_atomic\\(\\): 1, irqs_disabled\\(\\): 0, non_block: 0, pid: [0-9]+, name: ");
}

TEST_F(ContextDeath, MutexInAnInterruptHandlerPanics) {
  EXPECT_DEATH(mutex_in_handler(kPanic),
               "invalid context at kernel/locking/mutex.c:[0-9]+\n.*\n"
               "preempt_count: 10000, expected: 0");
}

TEST_F(ContextDeath, PanicIsNotRateLimited) {
  // The second report within a second would be suppressed by the rate
  // limit; with bug_action=panic the first already ends the program.
  EXPECT_DEATH(
      {
        Machine m(kPanic);
        m.set_console_echo(true);
        kmem::preempt_disable();
        m.kernel().might_sleep("first.c", 1);
      },
      "invalid context at first.c:1");
}

TEST_F(ContextDeath, ReportActionSurvives) {
  // The same bug with the default bug_action=report prints and goes on.
  Machine m("mem=64M cpus=1 kswapd=0");
  kmem::KSpinlock lock;
  kmem::spin_lock(&lock);
  kmem::Page* p = m.alloc_pages(gfp::KERNEL, 0);
  kmem::spin_unlock(&lock);
  ASSERT_NE(p, nullptr);
  m.free_pages(p, 0);
  EXPECT_EQ(m.bug_count(kmem::BUG_ATOMIC_SLEEP), 1u);
  EXPECT_NE(m.take_log().find("BUG: sleeping function called from invalid context"),
            std::string::npos);
}

}  // namespace
