// SPDX-License-Identifier: MIT
// Misuse is reported the way lockdep and RCU debugging report it, and never
// deadlocks or crashes: synchronize_rcu() and rcu_barrier() inside a
// read-side section, an unlock without a lock, rcu_barrier() or
// synchronize_rcu() from a callback, bad call_rcu()/kvfree_call_rcu()
// arguments.
#include "rcu_helpers.h"

namespace kmem_test {
namespace {

using Misuse = RcuTest;

TEST_F(Misuse, SynchronizeRcuInsideAReadSectionReportsAndReturns) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  m.take_log();
  k.rcu_read_lock();
  k.rcu_read_lock();
  const u64 gps = k.rcu_stats().gp_completed;
  k.synchronize_rcu();  // would wait for itself forever
  EXPECT_EQ(k.rcu_stats().gp_completed, gps);
  k.rcu_read_unlock();
  k.rcu_read_unlock();
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, "=============================\nWARNING: suspicious RCU usage\n"))
      << log;
  EXPECT_TRUE(contains(log, "Illegal synchronize_rcu() in RCU read-side critical section!")) << log;
  EXPECT_TRUE(contains(log, "rcu_scheduler_active = 2, debug_locks = 1\n2 locks held by ")) << log;
  EXPECT_TRUE(contains(log, " #0: (rcu_read_lock){....}-{1:3}")) << log;
  EXPECT_TRUE(contains(log, " #1: (rcu_read_lock){....}-{1:3}")) << log;
  EXPECT_EQ(k.bug_count(BUG_WARN), 1u);
  // PREEMPT_RCU's __might_resched also reports the sleep inside the section.
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
  EXPECT_TRUE(contains(log, "RCU nest depth: 2, expected: 0\n")) << log;
  k.synchronize_rcu();  // legal again
  EXPECT_EQ(k.bug_count(BUG_WARN), 1u);
}

TEST_F(Misuse, SleepingInsideAReadSectionIsReported) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  m.take_log();
  k.rcu_read_lock();
  void* p = k.kmalloc(64, gfp::KERNEL);  // may sleep: a bug under rcu_read_lock()
  k.rcu_read_unlock();
  k.kfree(p);
  const std::string log = m.take_log();
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
  EXPECT_TRUE(contains(log, "BUG: sleeping function called from invalid context")) << log;
  EXPECT_TRUE(contains(log, "in_atomic(): 0, irqs_disabled(): 0")) << log;
  EXPECT_TRUE(contains(log, "RCU nest depth: 1, expected: 0\n")) << log;
  void* q = k.kmalloc(64, gfp::ATOMIC);  // fine
  k.rcu_read_lock();
  k.kfree(q);
  k.rcu_read_unlock();
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
}

TEST_F(Misuse, SynchronizeRcuInsideABhSectionAlsoSleepsInAtomic) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  m.take_log();
  k.rcu_read_lock_bh();
  k.synchronize_rcu();
  k.rcu_read_unlock_bh();
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, "BUG: sleeping function called from invalid context")) << log;
  EXPECT_TRUE(contains(log, "Illegal synchronize_rcu() in RCU read-side critical section!")) << log;
  EXPECT_TRUE(contains(log, "(rcu_read_lock_bh)")) << log;
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
  EXPECT_EQ(k.bug_count(BUG_WARN), 1u);
}

TEST_F(Misuse, RcuBarrierInsideAReadSectionReportsAndReturns) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  RcuHead h;
  k.call_rcu(&h, [](RcuHead*) {});
  m.take_log();
  k.rcu_read_lock();
  k.rcu_barrier();
  k.rcu_read_unlock();
  EXPECT_TRUE(contains(m.take_log(), "Illegal rcu_barrier() in RCU read-side critical section!"));
  k.rcu_barrier();
  EXPECT_EQ(k.rcu_stats().cbs_outstanding, 0u);
}

TEST_F(Misuse, UnlockWithoutLockIsABadUnlockBalance) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  m.take_log();
  k.rcu_read_unlock();
  std::string log = m.take_log();
  EXPECT_TRUE(contains(log,
                       "=====================================\n"
                       "WARNING: bad unlock balance detected!\n"))
      << log;
  EXPECT_TRUE(contains(log, "is trying to release lock (rcu_read_lock) at:")) << log;
  EXPECT_TRUE(contains(log, "but there are no more locks to release!")) << log;
  EXPECT_EQ(k.bug_count(BUG_WARN), 1u);
  EXPECT_EQ(rcu_preempt_depth(), 0);
  // The _bh and _sched forms leave the context alone when unbalanced.
  k.rcu_read_unlock_bh();
  k.rcu_read_unlock_sched();
  EXPECT_EQ(preempt_count(), 0u);
  log = m.take_log();
  EXPECT_TRUE(contains(log, "(rcu_read_lock_bh)")) << log;
  EXPECT_TRUE(contains(log, "(rcu_read_lock_sched)")) << log;
  EXPECT_EQ(k.bug_count(BUG_WARN), 3u);
  // A _bh section closed with the plain unlock: the wrong lock.
  k.rcu_read_lock_bh();
  k.rcu_read_unlock();
  k.rcu_read_unlock_bh();
  EXPECT_EQ(k.bug_count(BUG_WARN), 4u);
  EXPECT_FALSE(rcu_read_lock_any_held());
  k.synchronize_rcu();  // the counters stayed balanced
}

TEST_F(Misuse, RcuBarrierFromACallbackIsReportedNotADeadlock) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  struct Cb {
    RcuHead head;
    Kernel* k;
    std::atomic<bool> ran{false};
  } cb{{nullptr, nullptr}, &k};
  m.take_log();
  k.call_rcu(&cb.head, [](RcuHead* h) {
    auto* c = reinterpret_cast<Cb*>(h);
    c->k->rcu_barrier();
    c->ran.store(true);
  });
  k.rcu_barrier();
  EXPECT_TRUE(cb.ran.load());
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, "rcu_barrier() called from an RCU callback")) << log;
  // ... and rcu_barrier() may sleep: in softirq context that is reported too.
  EXPECT_TRUE(contains(log, "BUG: sleeping function called from invalid context")) << log;
}

TEST_F(Misuse, SynchronizeRcuFromACallbackStillWaitsForReaders) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  struct Cb {
    RcuHead head;
    Kernel* k;
    std::atomic<bool> ran{false};
  } cb{{nullptr, nullptr}, &k};
  k.call_rcu(&cb.head, [](RcuHead* h) {
    auto* c = reinterpret_cast<Cb*>(h);
    c->k->synchronize_rcu();
    c->ran.store(true);
  });
  k.rcu_barrier();
  EXPECT_TRUE(cb.ran.load());
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u) << "synchronize_rcu() in softirq context";
}

TEST_F(Misuse, BadArgumentsAreWarnings) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  m.take_log();
  RcuHead h;
  k.call_rcu(nullptr, [](RcuHead*) {});
  k.call_rcu(&h, nullptr);
  EXPECT_EQ(k.bug_count(BUG_WARN), 2u);
  EXPECT_TRUE(contains(m.take_log(), "call_rcu("));
  // The rcu_head must lie in the object's first 4096 bytes.
  alignas(16) static char big[8192];
  k.kvfree_call_rcu(reinterpret_cast<RcuHead*>(big + 4096), big);
  EXPECT_EQ(k.bug_count(BUG_WARN), 3u);
  EXPECT_TRUE(contains(m.take_log(), "object leaked"));
  k.rcu_barrier();
  EXPECT_EQ(k.rcu_stats().cbs_outstanding, 0u);
}

}  // namespace
}  // namespace kmem_test
