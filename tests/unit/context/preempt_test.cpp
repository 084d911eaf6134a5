// SPDX-License-Identifier: MIT
// preempt_count and the context predicates (include/linux/preempt.h) in
// every context a thread can be in: task, bottom halves disabled, softirq
// (a tasklet), hardirq (a handler run by generic_handle_irq), NMI.
#include "context_helpers.h"

namespace kmem_test {
namespace {

// Everything the predicates say, at one moment.
struct Snapshot {
  u32 count;
  bool nmi, hardirq, softirq, serving_softirq, interrupt, task, atomic, irqs_off;

  static Snapshot now() {
    return {preempt_count(), in_nmi(),  in_hardirq(), in_softirq(),   in_serving_softirq(),
            in_interrupt(),  in_task(), in_atomic(),  irqs_disabled()};
  }
  bool operator==(const Snapshot&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Snapshot& s) {
  return os << std::hex << "{count 0x" << s.count << std::dec << " nmi " << s.nmi << " hardirq "
            << s.hardirq << " softirq " << s.softirq << " serving " << s.serving_softirq
            << " interrupt " << s.interrupt << " task " << s.task << " atomic " << s.atomic
            << " irqs_off " << s.irqs_off << "}";
}

using PreemptCount = ContextTest;

TEST_F(PreemptCount, LayoutIsLinuxs) {
  EXPECT_EQ(PREEMPT_OFFSET, 0x1u);
  EXPECT_EQ(SOFTIRQ_OFFSET, 0x100u);
  EXPECT_EQ(SOFTIRQ_DISABLE_OFFSET, 0x200u);
  EXPECT_EQ(HARDIRQ_OFFSET, 0x10000u);
  EXPECT_EQ(NMI_OFFSET, 0x100000u);
  EXPECT_EQ(PREEMPT_MASK, 0xffu);
  EXPECT_EQ(SOFTIRQ_MASK, 0xff00u);
  EXPECT_EQ(HARDIRQ_MASK, 0xf0000u);
  EXPECT_EQ(NMI_MASK, 0xf00000u);
}

TEST_F(PreemptCount, EachLevelAddsItsOffsetAndUnwinds) {
  preempt_disable();
  preempt_disable();
  EXPECT_EQ(preempt_count(), 2u);
  local_bh_disable();
  EXPECT_EQ(preempt_count(), 0x202u);
  irq_enter();
  EXPECT_EQ(preempt_count(), 0x10202u);
  EXPECT_EQ(hardirq_count(), 0x10000u);
  EXPECT_EQ(softirq_count(), 0x200u);
  EXPECT_EQ(irq_count(), 0x10200u);
  irq_enter();  // nested interrupt
  EXPECT_EQ(hardirq_count(), 0x20000u);
  nmi_enter();
  EXPECT_EQ(preempt_count(), 0x130202u);  // NMI_OFFSET + HARDIRQ_OFFSET
  EXPECT_TRUE(in_nmi());
  nmi_exit();
  irq_exit();
  irq_exit();
  EXPECT_EQ(preempt_count(), 0x202u);
  local_bh_enable();
  EXPECT_EQ(preempt_count(), 2u);
  preempt_enable();
  preempt_enable();
  EXPECT_EQ(preempt_count(), 0u);
  EXPECT_FALSE(in_atomic());
}

TEST_F(PreemptCount, TaskContext) {
  EXPECT_EQ(Snapshot::now(), (Snapshot{0, false, false, false, false, false, true, false, false}));
  preempt_disable();
  // Preemption off is atomic but still task context.
  EXPECT_EQ(Snapshot::now(), (Snapshot{1, false, false, false, false, false, true, true, false}));
  preempt_enable();
  local_irq_disable();
  // Interrupts off: not in_atomic() (preempt_count is 0), yet may not sleep.
  EXPECT_EQ(Snapshot::now(), (Snapshot{0, false, false, false, false, false, true, false, true}));
  EXPECT_TRUE(atomic_context());
  local_irq_enable();
  EXPECT_FALSE(atomic_context());
}

TEST_F(PreemptCount, BottomHalvesDisabled) {
  local_bh_disable();
  // Linux's in_softirq() and in_interrupt() include bh-disabled sections;
  // in_serving_softirq() does not, and it is still task context.
  EXPECT_EQ(Snapshot::now(), (Snapshot{0x200, false, false, true, false, true, true, true, false}));
  local_bh_disable();
  EXPECT_EQ(preempt_count(), 0x400u);
  local_bh_enable();
  local_bh_enable();
}

TEST_F(PreemptCount, SoftirqInsideATasklet) {
  Snapshot seen{};
  run_in_tasklet([&] { seen = Snapshot::now(); });
  EXPECT_EQ(seen, (Snapshot{0x100, false, false, true, true, true, false, true, false}));
  EXPECT_EQ(Snapshot::now(), (Snapshot{0, false, false, false, false, false, true, false, false}));
}

TEST_F(PreemptCount, HardirqInsideAHandler) {
  Machine m(kSmall);
  Snapshot seen{};
  run_in_hardirq(m.kernel(), [&] { seen = Snapshot::now(); });
  // The CPU runs handlers with interrupts off.
  EXPECT_EQ(seen, (Snapshot{0x10000, false, true, false, false, true, false, true, true}));
  EXPECT_EQ(Snapshot::now(), (Snapshot{0, false, false, false, false, false, true, false, false}));
}

TEST_F(PreemptCount, HandlerInterruptingBottomHalvesAndSpinlocks) {
  Machine m(kSmall);
  KSpinlock lock;
  Snapshot seen{};
  local_bh_disable();
  spin_lock(&lock);
  run_in_hardirq(m.kernel(), [&] { seen = Snapshot::now(); });
  spin_unlock(&lock);
  local_bh_enable();
  EXPECT_EQ(seen, (Snapshot{0x10201, false, true, true, false, true, false, true, true}));
}

TEST_F(PreemptCount, InterruptDuringATasklet) {
  // A tasklet runs with interrupts enabled: a handler may interrupt it.
  Machine m(kSmall);
  Snapshot seen{};
  run_in_tasklet([&] { run_in_hardirq(m.kernel(), [&] { seen = Snapshot::now(); }); });
  EXPECT_EQ(seen, (Snapshot{0x10100, false, true, true, true, true, false, true, true}));
}

TEST_F(PreemptCount, Nmi) {
  nmi_enter();
  EXPECT_EQ(Snapshot::now(),
            (Snapshot{0x110000, true, true, false, false, true, false, true, false}));
  nmi_exit();
  EXPECT_EQ(preempt_count(), 0u);
}

TEST_F(PreemptCount, TheStateBelongsToTheThread) {
  preempt_disable();
  local_irq_disable();
  Snapshot other{};
  std::thread([&] { other = Snapshot::now(); }).join();
  EXPECT_EQ(other, (Snapshot{0, false, false, false, false, false, true, false, false}));
  local_irq_enable();
  preempt_enable();
}

}  // namespace
}  // namespace kmem_test
