// SPDX-License-Identifier: MIT
// Tasklets (kernel/softirq.c): one run per schedule, in softirq context, on
// the scheduling thread -- at irq_exit when scheduled from a handler, at
// local_bh_enable when scheduled with bottom halves off, at once from plain
// task context -- disabled ones waiting for tasklet_enable, tasklet_kill,
// and never two runs of one tasklet at a time.
#include <algorithm>
#include <vector>

#include "context_helpers.h"

namespace kmem_test {
namespace {

// A tasklet that records each run and the context it ran in.
struct Probe {
  Tasklet t;
  std::atomic<int> runs{0};
  u32 count_seen = ~0u;
  bool irqs_off_seen = true;
  std::vector<std::string>* log = nullptr;

  Probe() {
    tasklet_setup(&t, [](Tasklet* tt) {
      // from_tasklet(): the tasklet is the first member.
      auto* p = reinterpret_cast<Probe*>(tt);
      p->count_seen = preempt_count();
      p->irqs_off_seen = irqs_disabled();
      if (p->log) p->log->push_back("tasklet");
      p->runs.fetch_add(1);
    });
  }
  bool ran_in_softirq() const { return count_seen == SOFTIRQ_OFFSET && !irqs_off_seen; }
};

using Tasklets = ContextTest;

TEST_F(Tasklets, FromTaskContextRunsAtOnceInSoftirqContext) {
  Probe p;
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 1);
  EXPECT_TRUE(p.ran_in_softirq()) << std::hex << p.count_seen;
  EXPECT_EQ(p.t.state.load(), 0u);  // neither queued nor running
  tasklet_hi_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 2);
}

TEST_F(Tasklets, OldStyleFuncGetsItsData) {
  static unsigned long got;
  got = 0;
  Tasklet t;
  tasklet_init(
      &t, [](unsigned long data) { got = data; }, 0xfeedUL);
  tasklet_schedule(&t);
  EXPECT_EQ(got, 0xfeedUL);
}

TEST_F(Tasklets, SchedulesBeforeARunCollapseIntoOne) {
  Probe p;
  local_bh_disable();
  tasklet_schedule(&p.t);
  tasklet_schedule(&p.t);
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 0) << "ran with bottom halves disabled";
  EXPECT_TRUE(p.t.state.load() & TASKLET_STATE_SCHED);
  local_bh_enable();
  EXPECT_EQ(p.runs.load(), 1);
  EXPECT_TRUE(p.ran_in_softirq());
}

TEST_F(Tasklets, NestedBottomHalfSectionsRunItAtTheOutermostEnable) {
  Probe p;
  local_bh_disable();
  local_bh_disable();
  tasklet_schedule(&p.t);
  local_bh_enable();
  EXPECT_EQ(p.runs.load(), 0);
  local_bh_enable();
  EXPECT_EQ(p.runs.load(), 1);
}

TEST_F(Tasklets, UnderSpinLockBhItRunsAtUnlock) {
  Probe p;
  KSpinlock lock;
  spin_lock_bh(&lock);
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 0);
  spin_unlock_bh(&lock);
  EXPECT_EQ(p.runs.load(), 1);
}

TEST_F(Tasklets, WithInterruptsOffItRunsWhenTheyComeBack) {
  Probe p;
  local_irq_disable();
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 0);
  local_irq_enable();
  EXPECT_EQ(p.runs.load(), 1);
  EXPECT_TRUE(p.ran_in_softirq());
}

TEST_F(Tasklets, ScheduledFromAHandlerRunsAtIrqExit) {
  Machine m(kSmall);
  std::vector<std::string> log;
  Probe p;
  p.log = &log;
  run_in_hardirq(m.kernel(), [&] {
    log.push_back("handler-begin");
    tasklet_schedule(&p.t);
    log.push_back(p.runs.load() == 0 ? "handler-end" : "ran-inside-handler");
  });
  EXPECT_EQ(log, (std::vector<std::string>{"handler-begin", "handler-end", "tasklet"}));
  // After the handler, with interrupts enabled again, not in hardirq.
  EXPECT_TRUE(p.ran_in_softirq()) << std::hex << p.count_seen;
}

TEST_F(Tasklets, HandlerInterruptingABottomHalfSectionLeavesItForLocalBhEnable) {
  Machine m(kSmall);
  Probe p;
  local_bh_disable();
  run_in_hardirq(m.kernel(), [&] { tasklet_schedule(&p.t); });
  EXPECT_EQ(p.runs.load(), 0) << "irq_exit ran a softirq inside a bh-disabled section";
  local_bh_enable();
  EXPECT_EQ(p.runs.load(), 1);
  EXPECT_TRUE(p.ran_in_softirq());
}

TEST_F(Tasklets, IrqEnterExitByHandRunsItAtIrqExit) {
  Probe p;
  local_irq_disable();
  irq_enter();
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 0);
  irq_exit();
  EXPECT_EQ(p.runs.load(), 1);
  EXPECT_TRUE(irqs_disabled()) << "irq_exit must return with interrupts as they were";
  local_irq_enable();
}

TEST_F(Tasklets, ATaskletSchedulingItselfRunsAgainNotRecursively) {
  static Tasklet t;
  static int runs, depth, max_depth;
  runs = depth = max_depth = 0;
  tasklet_setup(&t, [](Tasklet* self) {
    ++depth;
    max_depth = std::max(max_depth, depth);
    if (++runs < 3) tasklet_schedule(self);
    --depth;
  });
  tasklet_schedule(&t);
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(max_depth, 1);
}

TEST_F(Tasklets, DisabledTaskletWaitsForEnable) {
  Probe p;
  tasklet_disable(&p.t);
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 0);
  // Softirqs run meanwhile leave it queued.
  local_bh_disable();
  local_bh_enable();
  Probe other;
  tasklet_schedule(&other.t);
  EXPECT_EQ(other.runs.load(), 1);
  EXPECT_EQ(p.runs.load(), 0);
  EXPECT_TRUE(p.t.state.load() & TASKLET_STATE_SCHED);
  // Nested disables need as many enables.
  tasklet_disable(&p.t);
  tasklet_enable(&p.t);
  EXPECT_EQ(p.runs.load(), 0);
  tasklet_enable(&p.t);
  EXPECT_EQ(p.runs.load(), 1);
  EXPECT_TRUE(p.ran_in_softirq());
}

TEST_F(Tasklets, DisabledFromTheStartLikeDeclareTaskletDisabled) {
  Probe p;
  p.t.count.store(1);
  tasklet_schedule(&p.t);
  EXPECT_EQ(p.runs.load(), 0);
  tasklet_enable(&p.t);
  EXPECT_EQ(p.runs.load(), 1);
}

TEST_F(Tasklets, KillOfAnIdleTaskletReturnsAtOnce) {
  Probe p;
  tasklet_kill(&p.t);
  tasklet_schedule(&p.t);
  tasklet_kill(&p.t);
  EXPECT_EQ(p.runs.load(), 1);
}

// The other thread's side of the kill and concurrency tests.
struct Gate {
  std::atomic<bool> inside{false}, release{false};
  std::atomic<int> concurrent{0}, max_concurrent{0};
  void enter() {
    int now = concurrent.fetch_add(1) + 1;
    int seen = max_concurrent.load();
    while (now > seen && !max_concurrent.compare_exchange_weak(seen, now)) {
    }
    inside = true;
  }
  void wait_release() {
    while (!release) std::this_thread::yield();
  }
  void leave() { concurrent.fetch_sub(1); }
};

struct GatedTasklet {
  Tasklet t;
  Gate gate;
  std::atomic<int> runs{0};
  GatedTasklet() {
    tasklet_setup(&t, [](Tasklet* tt) {
      auto* g = reinterpret_cast<GatedTasklet*>(tt);
      g->gate.enter();
      g->gate.wait_release();
      g->runs.fetch_add(1);
      g->gate.leave();
    });
  }
};

TEST_F(Tasklets, KillWaitsForARunOnAnotherThread) {
  GatedTasklet g;
  std::thread cpu1([&] { tasklet_schedule(&g.t); });
  ASSERT_TRUE(eventually([&] { return g.gate.inside.load(); }));
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    tasklet_kill(&g.t);
    killed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(killed.load()) << "tasklet_kill returned while the tasklet ran";
  g.gate.release = true;
  cpu1.join();
  killer.join();
  EXPECT_TRUE(killed.load());
  EXPECT_EQ(g.runs.load(), 1);
}

TEST_F(Tasklets, KillWaitsForATaskletQueuedOnAnotherThread) {
  Probe p;
  std::atomic<bool> queued{false}, go{false};
  std::thread cpu1([&] {
    local_bh_disable();
    tasklet_schedule(&p.t);
    queued = true;
    while (!go) std::this_thread::yield();
    local_bh_enable();  // runs it, here on cpu1
  });
  ASSERT_TRUE(eventually([&] { return queued.load(); }));
  std::atomic<bool> killed{false};
  std::thread killer([&] {
    tasklet_kill(&p.t);
    killed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(killed.load()) << "tasklet_kill returned while the tasklet was queued";
  EXPECT_EQ(p.runs.load(), 0);
  go = true;
  cpu1.join();
  killer.join();
  EXPECT_TRUE(killed.load());
  EXPECT_EQ(p.runs.load(), 1);
}

TEST_F(Tasklets, DisableWaitsForARunInProgress) {
  GatedTasklet g;
  std::thread cpu1([&] { tasklet_schedule(&g.t); });
  ASSERT_TRUE(eventually([&] { return g.gate.inside.load(); }));
  std::atomic<bool> disabled{false};
  std::thread disabler([&] {
    tasklet_disable(&g.t);
    disabled = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(disabled.load()) << "tasklet_disable returned while the tasklet ran";
  g.gate.release = true;
  cpu1.join();
  disabler.join();
  EXPECT_TRUE(disabled.load());
  tasklet_enable(&g.t);
}

TEST_F(Tasklets, NeverRunsOnTwoThreadsAtOnce) {
  GatedTasklet g;
  std::thread cpu1([&] { tasklet_schedule(&g.t); });
  ASSERT_TRUE(eventually([&] { return g.gate.inside.load(); }));
  // The run on cpu1 has taken the tasklet off its queue: it may be scheduled
  // again, here. It must not run until cpu1's run is over.
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    g.gate.release = true;
  });
  tasklet_schedule(&g.t);
  cpu1.join();
  opener.join();
  EXPECT_EQ(g.runs.load(), 2);
  EXPECT_EQ(g.gate.max_concurrent.load(), 1);
}

}  // namespace
}  // namespace kmem_test
