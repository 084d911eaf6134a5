// SPDX-License-Identifier: MIT
// The sleep-in-atomic check (kernel/sched/core.c __might_resched): a
// blocking allocation or mutex_lock() in hardirq, softirq, NMI, under a
// spinlock, with preemption, bottom halves or interrupts off prints Linux's
// report; the non-blocking masks never do; the rate limit, bug_action=count
// and debug_atomic_sleep=0.
#include <functional>

#include "context_helpers.h"

namespace kmem_test {
namespace {

// Each runs f in one kind of atomic context on the calling thread.
void in_hardirq_ctx(Kernel& k, const std::function<void()>& f) {
  run_in_hardirq(k, [&] { f(); });
}
void in_tasklet_ctx(Kernel&, const std::function<void()>& f) {
  run_in_tasklet([&] { f(); });
}
void in_nmi_ctx(Kernel&, const std::function<void()>& f) {
  nmi_enter();
  f();
  nmi_exit();
}
void under_spinlock(Kernel&, const std::function<void()>& f) {
  KSpinlock lock;
  spin_lock(&lock);
  f();
  spin_unlock(&lock);
}
void with_irqs_off(Kernel&, const std::function<void()>& f) {
  unsigned long flags = local_irq_save();
  f();
  local_irq_restore(flags);
}
void with_bh_off(Kernel&, const std::function<void()>& f) {
  local_bh_disable();
  f();
  local_bh_enable();
}
void with_preempt_off(Kernel&, const std::function<void()>& f) {
  preempt_disable();
  f();
  preempt_enable();
}

void alloc_one(Kernel& k, gfp_t gfp) {
  Page* p = k.alloc_pages(gfp, 0);
  EXPECT_NE(p, nullptr);  // the allocation itself succeeds; it was only asked for wrongly
  if (p) k.free_pages(p, 0);
}

// The three lines every report starts with, for the calling thread.
std::string header(const char* file_line, int in_atomic, int irqs_off, const char* count) {
  return std::string("BUG: sleeping function called from invalid context at ") + file_line + "\n" +
         "in_atomic(): " + std::to_string(in_atomic) +
         ", irqs_disabled(): " + std::to_string(irqs_off) +
         ", non_block: 0, pid: " + std::to_string(thread_pid()) + ", name: " + thread_comm() +
         "\n" + "preempt_count: " + count + ", expected: 0\n";
}

constexpr const char* kAllocSite = "include/linux/sched/mm.h:321";

struct Case {
  const char* name;
  void (*enter)(Kernel&, const std::function<void()>&);
  int in_atomic, irqs_off;
  const char* count;
  const char* trace;  // the Call Trace's context marker
};

// Names the case in test listings (instead of its bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class AtomicSleepReport : public ContextTest, public ::testing::WithParamInterface<Case> {};

TEST_P(AtomicSleepReport, GfpKernelAllocationPrintsLinuxsReport) {
  const Case& c = GetParam();
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  c.enter(k, [&] { alloc_one(k, gfp::KERNEL); });
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, header(kAllocSite, c.in_atomic, c.irqs_off, c.count))) << log;
  EXPECT_TRUE(contains(log, std::string("Call Trace:\n ") + c.trace + "\n")) << log;
  EXPECT_EQ(count_of(log, "BUG: sleeping function"), 1u) << log;
}

TEST_P(AtomicSleepReport, NonBlockingMasksAreWhatTheRuleAsksFor) {
  const Case& c = GetParam();
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  c.enter(k, [&] {
    alloc_one(k, gfp::ATOMIC);
    alloc_one(k, gfp::NOWAIT);
    alloc_one(k, gfp::ATOMIC | gfp::ZERO | gfp::NOWARN);
  });
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);
  const std::string log = m.take_log();
  EXPECT_FALSE(contains(log, "BUG:")) << log;
}

TEST_P(AtomicSleepReport, MutexLockIsAMightSleepPoint) {
  const Case& c = GetParam();
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  KMutex mu;
  c.enter(k, [&] {
    mutex_lock(k, &mu);
    mutex_unlock(k, &mu);
  });
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, header("kernel/locking/mutex.c:580", c.in_atomic, c.irqs_off, c.count)))
      << log;
}

INSTANTIATE_TEST_SUITE_P(
    Contexts, AtomicSleepReport,
    ::testing::Values(Case{"hardirq", in_hardirq_ctx, 1, 1, "10000", "<IRQ>"},
                      Case{"softirq", in_tasklet_ctx, 1, 0, "100", "<SOFTIRQ>"},
                      Case{"nmi", in_nmi_ctx, 1, 0, "110000", "<NMI>"},
                      Case{"spinlock", under_spinlock, 1, 0, "1", "<TASK>"},
                      Case{"irqs_off", with_irqs_off, 0, 1, "0", "<TASK>"},
                      Case{"bh_off", with_bh_off, 1, 0, "200", "<TASK>"},
                      Case{"preempt_off", with_preempt_off, 1, 0, "1", "<TASK>"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

using MightSleep = ContextTest;

TEST_F(MightSleep, UnderASpinlockTheReportNamesTheLocksHeld) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  KSpinlock a, b;
  spin_lock(&a);
  spin_lock(&b);
  k.might_sleep("drivers/net/foo.c", 123);
  spin_unlock(&b);
  spin_unlock(&a);
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, header("drivers/net/foo.c:123", 1, 0, "2"))) << log;
  EXPECT_TRUE(
      contains(log, "2 locks held by " + thread_comm() + "/" + std::to_string(thread_pid())))
      << log;
}

TEST_F(MightSleep, TaskContextIsFine) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  alloc_one(k, gfp::KERNEL);
  alloc_one(k, gfp::NOFS);
  k.might_sleep("x.c", 1);
  KMutex mu;
  mutex_lock(k, &mu);
  mutex_unlock(k, &mu);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);
  EXPECT_FALSE(contains(m.take_log(), "BUG:"));
}

TEST_F(MightSleep, EveryOccurrenceIsCountedButOnlyOneReportASecondPrinted) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  constexpr int kTimes = 50;
  const auto start = std::chrono::steady_clock::now();
  KSpinlock lock;
  for (int i = 0; i < kTimes; ++i) {
    spin_lock(&lock);
    alloc_one(k, gfp::KERNEL);
    spin_unlock(&lock);
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), u64(kTimes));
  const size_t printed = count_of(m.take_log(), "BUG: sleeping function");
  EXPECT_GE(printed, 1u);
  // Normally 1; a machine stalled for seconds may print one more per second.
  EXPECT_LE(printed, size_t(1 + seconds + 1));
}

TEST_F(MightSleep, BugActionCountPrintsNothing) {
  Machine m("mem=64M cpus=1 kswapd=0 bug_action=count");
  Kernel& k = m.kernel();
  m.take_log();
  run_in_hardirq(k, [&] { alloc_one(k, gfp::KERNEL); });
  with_irqs_off(k, [&] { alloc_one(k, gfp::KERNEL); });
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 2u);
  EXPECT_FALSE(contains(m.take_log(), "BUG:"));
}

TEST_F(MightSleep, DebugAtomicSleepOffDisablesTheCheck) {
  Machine m("mem=64M cpus=1 kswapd=0 debug_atomic_sleep=0");
  Kernel& k = m.kernel();
  m.take_log();
  run_in_hardirq(k, [&] { alloc_one(k, gfp::KERNEL); });
  under_spinlock(k, [&] { k.might_sleep("x.c", 1); });
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);
  EXPECT_FALSE(contains(m.take_log(), "BUG:"));
}

TEST_F(MightSleep, TheRateLimitIsPerMachine) {
  Machine a(kSmall), b(kSmall);
  a.take_log();
  b.take_log();
  under_spinlock(a.kernel(), [&] { a.kernel().might_sleep("a.c", 1); });
  under_spinlock(b.kernel(), [&] { b.kernel().might_sleep("b.c", 2); });
  EXPECT_TRUE(contains(a.take_log(), "invalid context at a.c:1"));
  EXPECT_TRUE(contains(b.take_log(), "invalid context at b.c:2"));
}

TEST_F(MightSleep, AReportNamesTheReportingThread) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  m.take_log();
  std::string expect;
  std::thread([&] {
    prctl(PR_SET_NAME, "irq/42-eth0");
    expect = header(kAllocSite, 1, 1, "10000");
    run_in_hardirq(k, [&] { alloc_one(k, gfp::KERNEL); });
  }).join();
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, expect)) << log;
  EXPECT_TRUE(contains(log, "name: irq/42-eth0\n")) << log;
}

}  // namespace
}  // namespace kmem_test
