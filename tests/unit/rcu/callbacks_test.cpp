// SPDX-License-Identifier: MIT
// Callbacks (call_rcu, rcu_barrier, kvfree_call_rcu): they run after a grace
// period, on the machine's rcu_preempt thread in softirq context, in queue
// order, batched (one grace period for every callback queued before it
// started); call_rcu() works from hardirq, NMI and irqs-off context without
// sleeping; rcu_barrier() waits for everything queued before it; shutdown
// runs what is pending; kfree_rcu frees after a grace period.
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <mutex>
#include <vector>

#include "rcu_helpers.h"

namespace kmem_test {
namespace {

using Callbacks = RcuTest;

// A callback that records where and how it ran.
struct Probe {
  RcuHead head;
  std::atomic<int> runs{0};
  u32 preempt_seen = ~0u;
  bool irqs_off_seen = true;
  bool softirq_seen = false;
  u32 flags_seen = 0;
  int tid = 0;
  std::string comm;

  static void cb(RcuHead* h) {
    auto* p = reinterpret_cast<Probe*>(h);
    p->preempt_seen = preempt_count();
    p->irqs_off_seen = irqs_disabled();
    p->softirq_seen = in_serving_softirq();
    p->flags_seen = current_ctx().flags;
    p->tid = int(syscall(SYS_gettid));
    char name[17] = {};
    prctl(PR_GET_NAME, name);
    p->comm = name;
    p->runs.fetch_add(1);
  }
};

// Callbacks that append their id to a shared log.
struct Logged {
  RcuHead head;
  int id;
  std::vector<int>* log;
  static void cb(RcuHead* h) {
    auto* l = reinterpret_cast<Logged*>(h);
    l->log->push_back(l->id);
  }
};

std::atomic<int> g_counted{0};

// Each run queues itself again until left reaches zero.
struct Chain {
  RcuHead head;
  Kernel* k;
  int left;
  std::atomic<int> runs;
  static void step(RcuHead* h) {
    auto* ch = reinterpret_cast<Chain*>(h);
    ch->runs.fetch_add(1);
    if (--ch->left > 0) ch->k->call_rcu(&ch->head, &Chain::step);
  }
};
void count_cb(RcuHead*) { g_counted.fetch_add(1); }

TEST_F(Callbacks, RunAfterAGracePeriodOnTheRcuThreadInSoftirqContext) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Probe p;
  const u64 gps = k.rcu_stats().gp_completed;
  k.call_rcu(&p.head, &Probe::cb);
  k.rcu_barrier();
  ASSERT_EQ(p.runs.load(), 1);
  EXPECT_EQ(p.preempt_seen, SOFTIRQ_OFFSET);
  EXPECT_TRUE(p.softirq_seen);
  EXPECT_FALSE(p.irqs_off_seen);
  EXPECT_TRUE(p.flags_seen & PF_KTHREAD);
  EXPECT_NE(p.tid, int(syscall(SYS_gettid)));
  EXPECT_EQ(p.comm, "rcu_preempt");
  EXPECT_GE(k.rcu_stats().gp_completed, gps + 1);
  EXPECT_EQ(k.rcu_stats().cbs_outstanding, 0u);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP) + k.bug_count(BUG_WARN), 0u);
}

TEST_F(Callbacks, WaitForReadersThatBeganBeforeThem) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Probe p;
  {
    Reader r(k);
    k.call_rcu(&p.head, &Probe::cb);
    EXPECT_TRUE(stays_false([&] { return p.runs.load() != 0; }, 100))
        << "a callback ran while a reader that preceded it was inside";
    r.release();
    EXPECT_TRUE(eventually([&] { return p.runs.load() == 1; }));
  }
}

TEST_F(Callbacks, RunInQueueOrderInBatches) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  std::vector<int> log;
  constexpr int kN = 100;
  std::vector<Logged> cbs(kN);
  for (int i = 0; i < kN; ++i) cbs[size_t(i)] = Logged{{nullptr, nullptr}, i, &log};
  const RcuStats before = k.rcu_stats();
  {
    // The first callback's grace period waits for r; the rest queue behind it.
    Reader r(k);
    k.call_rcu(&cbs[0].head, &Logged::cb);
    ASSERT_TRUE(eventually([&] { return (k.rcu_stats().gp_seq & RCU_SEQ_STATE_MASK) != 0; }));
    for (int i = 1; i < kN; ++i) k.call_rcu(&cbs[size_t(i)].head, &Logged::cb);
    r.release();
  }
  k.rcu_barrier();
  ASSERT_EQ(log.size(), size_t(kN));
  for (int i = 0; i < kN; ++i) EXPECT_EQ(log[size_t(i)], i);
  const RcuStats after = k.rcu_stats();
  // One grace period for the first, one for the 99 others (and possibly one
  // more for rcu_barrier's own callback).
  EXPECT_LE(after.gp_completed - before.gp_completed, 3u);
  EXPECT_EQ(after.cbs_invoked - before.cbs_invoked, after.cbs_queued - before.cbs_queued);
}

TEST_F(Callbacks, BarrierWaitsForEveryEarlierCallbackFromEveryThread) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  g_counted.store(0);
  constexpr int kThreads = 4, kEach = 500;
  std::vector<std::unique_ptr<RcuHead[]>> heads;
  for (int t = 0; t < kThreads; ++t) heads.emplace_back(new RcuHead[kEach]);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) k.call_rcu(&heads[size_t(t)][i], count_cb);
    });
  for (auto& t : ts) t.join();
  k.rcu_barrier();
  EXPECT_EQ(g_counted.load(), kThreads * kEach);
  EXPECT_EQ(k.rcu_stats().cbs_outstanding, 0u);
  // Nothing outstanding: rcu_barrier() returns without a grace period.
  const u64 gps = k.rcu_stats().gp_completed;
  k.rcu_barrier();
  k.kvfree_rcu_barrier();
  EXPECT_EQ(k.rcu_stats().gp_completed, gps);
}

TEST_F(Callbacks, CallRcuFromHardirqNmiAndIrqsOffNeverSleeps) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Probe from_irq, from_nmi, irqs_off, under_lock;
  run_in_hardirq(k, [&] {
    EXPECT_TRUE(in_hardirq());
    k.call_rcu(&from_irq.head, &Probe::cb);
  });
  nmi_enter();
  k.call_rcu(&from_nmi.head, &Probe::cb);
  nmi_exit();
  unsigned long flags = local_irq_save();
  k.call_rcu(&irqs_off.head, &Probe::cb);
  local_irq_restore(flags);
  KSpinlock lock;
  spin_lock(&lock);
  k.call_rcu(&under_lock.head, &Probe::cb);
  spin_unlock(&lock);
  k.rcu_barrier();
  for (Probe* p : {&from_irq, &from_nmi, &irqs_off, &under_lock}) {
    EXPECT_EQ(p->runs.load(), 1);
    EXPECT_EQ(p->preempt_seen, SOFTIRQ_OFFSET);
  }
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u) << m.take_log();
}

TEST_F(Callbacks, ACallbackMayQueueAnother) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Chain c{{nullptr, nullptr}, &k, 5, {0}};
  k.call_rcu(&c.head, &Chain::step);
  EXPECT_TRUE(eventually([&] { return c.runs.load() == 5; }));
  k.rcu_barrier();
  EXPECT_EQ(c.runs.load(), 5);
}

TEST_F(Callbacks, TaskletsScheduledByACallbackRun) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  static std::atomic<int> tasklet_runs;
  tasklet_runs.store(0);
  struct WithTasklet {
    RcuHead head;
    Tasklet t;
  } w{};
  tasklet_setup(&w.t, [](Tasklet*) { tasklet_runs.fetch_add(1); });
  k.call_rcu(&w.head, [](RcuHead* h) {
    auto* wt = reinterpret_cast<WithTasklet*>(h);
    tasklet_schedule(&wt->t);  // in softirq context: runs after the batch
  });
  k.rcu_barrier();
  EXPECT_TRUE(eventually([&] { return tasklet_runs.load() == 1; }));
}

TEST_F(Callbacks, ShutdownRunsPendingCallbacksAndIsIdempotent) {
  g_counted.store(0);
  RcuHead heads[64];
  {
    Machine m(kRcuMachine);
    Kernel& k = m.kernel();
    for (auto& h : heads) k.call_rcu(&h, count_cb);
    k.shutdown();
    EXPECT_EQ(g_counted.load(), 64);
    EXPECT_FALSE(k.rcu().thread_running());
    k.shutdown();
    // After shutdown: callbacks still run, moved by rcu_barrier() on this
    // thread, still in softirq context.
    Probe p;
    k.call_rcu(&p.head, &Probe::cb);
    k.rcu_barrier();
    EXPECT_EQ(p.runs.load(), 1);
    EXPECT_EQ(p.preempt_seen, SOFTIRQ_OFFSET);
    EXPECT_EQ(p.tid, int(syscall(SYS_gettid)));
    k.synchronize_rcu();
    for (int i = 0; i < 8; ++i) k.call_rcu(&heads[i], count_cb);
  }  // the destructor runs the last eight
  EXPECT_EQ(g_counted.load(), 72);
}

TEST_F(Callbacks, MachinesComeAndGoQuickly) {
  g_counted.store(0);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    Machine m(kRcuMachine);
    RcuHead h;
    m.kernel().call_rcu(&h, count_cb);
    m.kernel().synchronize_rcu();
  }  // each destructor waits for its callback
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(g_counted.load(), 20);
  EXPECT_LT(took, std::chrono::seconds(10));
}

// kfree_rcu(ptr, rhf): the object goes back to kmalloc after a grace period.
struct Obj {
  u64 payload[3];
  RcuHead rh;
};

TEST_F(Callbacks, KfreeRcuFreesAfterAGracePeriod) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  auto* o = static_cast<Obj*>(k.kmalloc(sizeof(Obj), gfp::KERNEL));
  ASSERT_NE(o, nullptr);
  o->payload[0] = 42;
  const RcuStats before = k.rcu_stats();
  {
    Reader r(k);
    k.kvfree_call_rcu(&o->rh, o);
    EXPECT_TRUE(
        stays_false([&] { return k.rcu_stats().kvfree_invoked != before.kvfree_invoked; }, 50));
    EXPECT_EQ(o->payload[0], 42u) << "freed while a reader was inside";
  }
  k.kvfree_rcu_barrier();
  EXPECT_EQ(k.rcu_stats().kvfree_invoked, before.kvfree_invoked + 1);
  // The head first in the object (offset 0), from an interrupt handler.
  auto* h = static_cast<RcuHead*>(k.kmalloc(64, gfp::ATOMIC));
  ASSERT_NE(h, nullptr);
  run_in_hardirq(k, [&] { k.kvfree_call_rcu(h, h); });
  k.kvfree_call_rcu(nullptr, nullptr);  // ignored
  k.kvfree_rcu_barrier();
  EXPECT_EQ(k.rcu_stats().kvfree_invoked, before.kvfree_invoked + 2);
  EXPECT_EQ(k.bug_count(BUG_WARN) + k.bug_count(BUG_BAD_FREE), 0u) << m.take_log();
}

// kfree_rcu_mightsleep(ptr): no rcu_head; waits for a grace period right away.
TEST_F(Callbacks, KfreeRcuMightsleepWaitsThenFrees) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  auto* p = static_cast<u64*>(k.kmalloc(100, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  p[1] = 7;
  const RcuStats before = k.rcu_stats();
  k.kvfree_call_rcu(nullptr, p);
  const RcuStats after = k.rcu_stats();
  EXPECT_GT(after.gp_completed, before.gp_completed);
  EXPECT_EQ(after.kvfree_invoked, before.kvfree_invoked) << "not through the queue";
  EXPECT_EQ(k.bug_count(BUG_BAD_FREE), 0u);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);
}

}  // namespace
}  // namespace kmem_test
