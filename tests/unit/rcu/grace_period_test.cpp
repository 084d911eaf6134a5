// SPDX-License-Identifier: MIT
// Grace periods (kernel/rcu/tree.c synchronize_rcu): a grace period waits
// for every read-side section that began before it -- on a thread that owns
// its CPU slot, on one that shares it, nested, _bh and _sched flavours --
// and not for sections that begin after it flipped the index; the read-side
// state of the calling thread; polled grace periods; machines independent.
#include <vector>

#include "rcu_helpers.h"

namespace kmem_test {
namespace {

using GracePeriod = RcuTest;

// Runs synchronize_rcu() on its own thread; done() says when it returned.
class Syncer {
 public:
  explicit Syncer(Kernel& k)
      : th_([this, &k] {
          k.synchronize_rcu();
          done_.store(true);
        }) {}
  ~Syncer() { th_.join(); }
  bool done() const { return done_.load(); }

 private:
  std::atomic<bool> done_{false};
  std::thread th_;
};

TEST_F(GracePeriod, WithoutReadersCompletes) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  const RcuStats before = k.rcu_stats();
  for (int i = 0; i < 50; ++i) k.synchronize_rcu();
  const RcuStats after = k.rcu_stats();
  EXPECT_GE(after.gp_completed - before.gp_completed, 50u);
  EXPECT_EQ(after.gp_seq & RCU_SEQ_STATE_MASK, 0u) << "idle between grace periods";
  EXPECT_EQ(k.bug_count(BUG_WARN), 0u);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);
}

TEST_F(GracePeriod, WaitsForAReaderOnAnotherThread) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Reader r(k);
  Syncer s(k);
  EXPECT_TRUE(stays_false([&] { return s.done(); }, 100)) << "did not wait for the reader";
  r.release();
  EXPECT_TRUE(eventually([&] { return s.done(); }));
  EXPECT_TRUE(r.done());
}

// Two threads bound to one CPU slot: the second shares it and counts on the
// slot's atomic counters.
TEST_F(GracePeriod, WaitsForReadersThatShareACpuSlot) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Reader owner(k, &Kernel::rcu_read_lock, &Kernel::rcu_read_unlock, 2);
  Reader sharer(k, &Kernel::rcu_read_lock, &Kernel::rcu_read_unlock, 2);
  Syncer s(k);
  EXPECT_TRUE(stays_false([&] { return s.done(); }, 50));
  owner.release();
  EXPECT_TRUE(eventually([&] { return owner.done(); }));
  EXPECT_TRUE(stays_false([&] { return s.done(); }, 50)) << "did not wait for the sharer";
  sharer.release();
  EXPECT_TRUE(eventually([&] { return s.done(); }));
}

TEST_F(GracePeriod, DoesNotWaitForReadersThatStartAfterItFlipped) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  Reader early(k);
  Syncer s(k);
  // Phase 2: the index has flipped and the grace period waits for early.
  ASSERT_TRUE(eventually([&] { return (k.rcu_stats().gp_seq & RCU_SEQ_STATE_MASK) == 2; }));
  Reader late(k);
  early.release();
  EXPECT_TRUE(eventually([&] { return s.done(); })) << "waited for a reader that came later";
  EXPECT_FALSE(late.done());
  late.release();
}

TEST_F(GracePeriod, NestedSectionsEndAtTheOutermostUnlock) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  std::atomic<int> step{0};
  std::atomic<bool> go{false};
  std::thread reader([&] {
    k.rcu_read_lock();
    k.rcu_read_lock();
    k.rcu_read_lock();
    EXPECT_TRUE(rcu_read_lock_held());
    EXPECT_EQ(rcu_preempt_depth(), 3);
    EXPECT_EQ(k.rcu().reader_depth(), 3u);
    EXPECT_EQ(preempt_count(), 0u) << "rcu_read_lock() is preemptible (PREEMPT_RCU)";
    k.rcu_read_unlock();
    k.rcu_read_unlock();
    EXPECT_TRUE(rcu_read_lock_held());
    step.store(1);
    while (!go.load()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    k.rcu_read_unlock();
    EXPECT_FALSE(rcu_read_lock_held());
    EXPECT_EQ(k.rcu().reader_depth(), 0u);
    step.store(2);
  });
  ASSERT_TRUE(eventually([&] { return step.load() == 1; }));
  {
    Syncer s(k);
    EXPECT_TRUE(stays_false([&] { return s.done(); }, 50)) << "an inner unlock ended the section";
    go.store(true);
    EXPECT_TRUE(eventually([&] { return s.done(); }));
  }
  reader.join();
  EXPECT_EQ(k.bug_count(BUG_WARN), 0u);
}

TEST_F(GracePeriod, BhAndSchedFlavoursAreReadersTooAndMaskTheContext) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  k.rcu_read_lock_bh();
  EXPECT_EQ(preempt_count(), SOFTIRQ_DISABLE_OFFSET);
  EXPECT_TRUE(rcu_read_lock_bh_held());
  EXPECT_FALSE(rcu_read_lock_held());
  EXPECT_TRUE(rcu_read_lock_any_held());
  k.rcu_read_lock_sched();
  EXPECT_EQ(preempt_count(), SOFTIRQ_DISABLE_OFFSET + PREEMPT_OFFSET);
  EXPECT_TRUE(rcu_read_lock_sched_held());
  EXPECT_EQ(k.rcu().reader_depth(), 2u);
  k.rcu_read_unlock_sched();
  EXPECT_EQ(preempt_count(), SOFTIRQ_DISABLE_OFFSET);
  k.rcu_read_unlock_bh();
  EXPECT_EQ(preempt_count(), 0u);
  EXPECT_FALSE(rcu_read_lock_any_held());

  for (auto [lock, unlock] :
       {std::pair{&Kernel::rcu_read_lock_bh, &Kernel::rcu_read_unlock_bh},
        std::pair{&Kernel::rcu_read_lock_sched, &Kernel::rcu_read_unlock_sched}}) {
    Reader r(k, lock, unlock);
    Syncer s(k);
    EXPECT_TRUE(stays_false([&] { return s.done(); }, 50));
    r.release();
    EXPECT_TRUE(eventually([&] { return s.done(); }));
  }
}

TEST_F(GracePeriod, ReadersInInterruptContextNest) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  k.rcu_read_lock();
  u32 depth_in_irq = 0;
  run_in_hardirq(k, [&] {
    k.rcu_read_lock();
    depth_in_irq = k.rcu().reader_depth();
    k.rcu_read_unlock();
  });
  EXPECT_EQ(depth_in_irq, 2u);
  EXPECT_EQ(k.rcu().reader_depth(), 1u);
  k.rcu_read_unlock();
  k.synchronize_rcu();  // nothing left open
  EXPECT_EQ(k.bug_count(BUG_WARN), 0u);
}

TEST_F(GracePeriod, PolledGracePeriods) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  const unsigned long cookie = k.get_state_synchronize_rcu();
  EXPECT_FALSE(k.poll_state_synchronize_rcu(cookie));
  k.synchronize_rcu();
  EXPECT_TRUE(k.poll_state_synchronize_rcu(cookie));
  const u64 gps = k.rcu_stats().gp_completed;
  k.cond_synchronize_rcu(cookie);  // already elapsed: no new grace period
  EXPECT_EQ(k.rcu_stats().gp_completed, gps);
  const unsigned long next = k.get_state_synchronize_rcu();
  k.cond_synchronize_rcu(next);
  EXPECT_TRUE(k.poll_state_synchronize_rcu(next));
}

TEST_F(GracePeriod, MachinesAreIndependent) {
  Machine a(kRcuMachine), b(kRcuMachine);
  Kernel& ka = a.kernel();
  Kernel& kb = b.kernel();
  {
    Reader r(ka);  // a reader of machine a does not hold up machine b
    kb.synchronize_rcu();
    EXPECT_FALSE(r.done());
  }
  // One thread inside sections of both machines at once.
  std::atomic<int> step{0};
  std::atomic<bool> go{false};
  std::thread t([&] {
    ka.rcu_read_lock();
    kb.rcu_read_lock();
    ka.rcu_read_lock();
    EXPECT_EQ(ka.rcu().reader_depth(), 2u);
    EXPECT_EQ(kb.rcu().reader_depth(), 1u);
    ka.rcu_read_unlock();
    ka.rcu_read_unlock();  // a's section ends; b's goes on
    step.store(1);
    while (!go.load()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    kb.rcu_read_unlock();
  });
  ASSERT_TRUE(eventually([&] { return step.load() == 1; }));
  ka.synchronize_rcu();
  {
    Syncer s(kb);
    EXPECT_TRUE(stays_false([&] { return s.done(); }, 50));
    go.store(true);
    EXPECT_TRUE(eventually([&] { return s.done(); }));
  }
  t.join();
  EXPECT_EQ(ka.bug_count(BUG_WARN) + kb.bug_count(BUG_WARN), 0u);
}

TEST_F(GracePeriod, ConcurrentSynchronizersShareGracePeriods) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  const u64 before = k.rcu_stats().gp_completed;
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] {
      for (int j = 0; j < 20; ++j) k.synchronize_rcu();
    });
  for (auto& t : ts) t.join();
  const u64 gps = k.rcu_stats().gp_completed - before;
  EXPECT_GE(gps, 20u);
  EXPECT_LE(gps, 160u);
}

}  // namespace
}  // namespace kmem_test
