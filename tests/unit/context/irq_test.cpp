// SPDX-License-Identifier: MIT
// Interrupt lines (kernel/irq/manage.c): request_irq / free_irq /
// generic_handle_irq, shared lines, interrupts held while a thread has them
// disabled and delivered when it enables them.
#include <errno.h>

#include <vector>

#include "context_helpers.h"

namespace kmem_test {
namespace {

// What handlers saw, in order.
struct Log {
  std::vector<std::string> events;
  void add(std::string e) { events.push_back(std::move(e)); }
};

struct Device {
  Log* log;
  std::string name;
  int result = IRQ_HANDLED;
  int calls = 0;
  bool saw_hardirq = false, saw_irqs_off = false;
};

int device_handler(int irq, void* dev_id) {
  auto* d = static_cast<Device*>(dev_id);
  ++d->calls;
  d->saw_hardirq = in_hardirq() && preempt_count() == HARDIRQ_OFFSET;
  d->saw_irqs_off = irqs_disabled();
  if (d->log) d->log->add(d->name + "@" + std::to_string(irq));
  return d->result;
}

using Irq = ContextTest;

TEST_F(Irq, HandlerRunsInHardirqContextWithInterruptsOff) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Device dev{nullptr, "eth0"};
  ASSERT_EQ(k.request_irq(10, device_handler, 0, "eth0", &dev), 0);
  EXPECT_EQ(k.generic_handle_irq(10), 0);
  EXPECT_EQ(dev.calls, 1);
  EXPECT_TRUE(dev.saw_hardirq);
  EXPECT_TRUE(dev.saw_irqs_off);
  EXPECT_FALSE(irqs_disabled());
  EXPECT_EQ(k.irq_desc(10).count.load(), 1u);
  EXPECT_EQ(k.irq_desc(10).unhandled.load(), 0u);
  // A handler that says IRQ_NONE is counted as unhandled.
  dev.result = IRQ_NONE;
  EXPECT_EQ(k.generic_handle_irq(10), 0);
  EXPECT_EQ(k.irq_desc(10).count.load(), 2u);
  EXPECT_EQ(k.irq_desc(10).unhandled.load(), 1u);
  EXPECT_STREQ(k.free_irq(10, &dev), "eth0");
}

TEST_F(Irq, RaisedWhileDisabledIsDeliveredAtEnable) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Log log;
  Device a{&log, "a"}, b{&log, "b"};
  ASSERT_EQ(k.request_irq(3, device_handler, 0, "a", &a), 0);
  ASSERT_EQ(k.request_irq(5, device_handler, 0, "b", &b), 0);
  local_irq_disable();
  EXPECT_EQ(k.generic_handle_irq(5), 0);
  EXPECT_EQ(k.generic_handle_irq(3), 0);
  EXPECT_EQ(k.generic_handle_irq(5), 0);
  EXPECT_TRUE(log.events.empty()) << "a handler ran with interrupts disabled";
  local_irq_enable();
  // All three, in the order they were raised, each in hardirq context.
  EXPECT_EQ(log.events, (std::vector<std::string>{"b@5", "a@3", "b@5"}));
  EXPECT_TRUE(a.saw_hardirq && b.saw_hardirq && a.saw_irqs_off);
  EXPECT_FALSE(irqs_disabled());
  k.free_irq(3, &a);
  k.free_irq(5, &b);
}

TEST_F(Irq, RaisedWhileDisabledIsDeliveredAtTheOutermostRestore) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Device dev{nullptr, "d"};
  ASSERT_EQ(k.request_irq(4, device_handler, 0, "d", &dev), 0);
  unsigned long outer = local_irq_save();
  EXPECT_EQ(outer, 0u);
  unsigned long inner = local_irq_save();
  EXPECT_NE(inner, 0u);
  EXPECT_EQ(k.generic_handle_irq(4), 0);
  local_irq_restore(inner);  // still disabled: the outer section goes on
  EXPECT_TRUE(irqs_disabled());
  EXPECT_EQ(dev.calls, 0);
  local_irq_restore(outer);
  EXPECT_FALSE(irqs_disabled());
  EXPECT_EQ(dev.calls, 1);
  k.free_irq(4, &dev);
}

TEST_F(Irq, RaisedUnderSpinLockIrqsaveIsDeliveredAtUnlock) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Device dev{nullptr, "d"};
  ASSERT_EQ(k.request_irq(6, device_handler, 0, "d", &dev), 0);
  KSpinlock lock;
  unsigned long flags = spin_lock_irqsave(&lock);
  EXPECT_EQ(k.generic_handle_irq(6), 0);
  EXPECT_EQ(dev.calls, 0);
  spin_unlock_irqrestore(&lock, flags);
  EXPECT_EQ(dev.calls, 1);
  k.free_irq(6, &dev);
}

TEST_F(Irq, SharedLineRunsEveryHandler) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Log log;
  Device a{&log, "a"}, b{&log, "b"}, c{&log, "c"};
  ASSERT_EQ(k.request_irq(11, device_handler, IRQF_SHARED, "a", &a), 0);
  ASSERT_EQ(k.request_irq(11, device_handler, IRQF_SHARED, "b", &b), 0);
  // One that does not agree to share is refused.
  EXPECT_EQ(k.request_irq(11, device_handler, 0, "c", &c), -EBUSY);
  a.result = IRQ_NONE;  // not a's device
  EXPECT_EQ(k.generic_handle_irq(11), 0);
  EXPECT_EQ(log.events, (std::vector<std::string>{"a@11", "b@11"}));
  EXPECT_EQ(k.irq_desc(11).unhandled.load(), 0u);  // b handled it
  // Freeing one leaves the other.
  EXPECT_STREQ(k.free_irq(11, &a), "a");
  log.events.clear();
  EXPECT_EQ(k.generic_handle_irq(11), 0);
  EXPECT_EQ(log.events, (std::vector<std::string>{"b@11"}));
  EXPECT_STREQ(k.free_irq(11, &b), "b");
  EXPECT_EQ(k.bug_count(BUG_WARN), 0u);
}

TEST_F(Irq, UnsharedLineIsBusy) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Device a{nullptr, "a"}, b{nullptr, "b"};
  ASSERT_EQ(k.request_irq(12, device_handler, 0, "a", &a), 0);
  EXPECT_EQ(k.request_irq(12, device_handler, IRQF_SHARED, "b", &b), -EBUSY);
  EXPECT_EQ(k.request_irq(12, device_handler, 0, "b", &b), -EBUSY);
  EXPECT_EQ(k.generic_handle_irq(12), 0);
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.calls, 0);
  k.free_irq(12, &a);
}

TEST_F(Irq, BadRequestsAreRefused) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Device a{nullptr, "a"};
  EXPECT_EQ(k.request_irq(NR_IRQS, device_handler, 0, "a", &a), -EINVAL);
  EXPECT_EQ(k.request_irq(1, nullptr, 0, "a", &a), -EINVAL);
  // A shared handler must be identifiable by its dev_id.
  EXPECT_EQ(k.request_irq(1, device_handler, IRQF_SHARED, "a", nullptr), -EINVAL);
  EXPECT_EQ(k.generic_handle_irq(1), -EINVAL);  // no handler
  EXPECT_EQ(k.generic_handle_irq(NR_IRQS), -EINVAL);
}

TEST_F(Irq, FreeIrqReturnsTheNameAndASecondFreeWarns) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  Device dev{nullptr, "d"};
  ASSERT_EQ(k.request_irq(7, device_handler, 0, "my-device", &dev), 0);
  m.take_log();
  EXPECT_STREQ(k.free_irq(7, &dev), "my-device");
  EXPECT_EQ(k.bug_count(BUG_WARN), 0u);
  EXPECT_EQ(k.generic_handle_irq(7), -EINVAL);
  EXPECT_EQ(k.free_irq(7, &dev), nullptr);
  EXPECT_EQ(k.bug_count(BUG_WARN), 1u);
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log, "Trying to free already-free IRQ 7")) << log;
  EXPECT_EQ(dev.calls, 0);
}

TEST_F(Irq, FreeIrqWaitsForAHandlerRunningOnAnotherThread) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  static std::atomic<bool> inside, release;
  inside = false;
  release = false;
  auto slow = [](int, void*) {
    inside = true;
    while (!release) std::this_thread::yield();
    return int(IRQ_HANDLED);
  };
  int token;
  ASSERT_EQ(k.request_irq(8, slow, 0, "slow", &token), 0);
  std::thread cpu1([&] { k.generic_handle_irq(8); });
  ASSERT_TRUE(eventually([] { return inside.load(); }));
  std::atomic<bool> freed{false};
  std::thread freer([&] {
    EXPECT_STREQ(k.free_irq(8, &token), "slow");
    freed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(freed.load()) << "free_irq returned while the handler still ran";
  release = true;
  cpu1.join();
  freer.join();
  EXPECT_TRUE(freed.load());
}

TEST_F(Irq, HandlerRaisingAnotherInterruptGetsItAfterItReturns) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  static Kernel* kp;
  static Log* lp;
  Log log;
  kp = &k;
  lp = &log;
  auto outer = [](int, void*) {
    lp->add("outer-begin");
    kp->generic_handle_irq(21);  // interrupts are off in a handler: held
    lp->add("outer-end");
    return int(IRQ_HANDLED);
  };
  auto inner = [](int, void*) {
    lp->add(preempt_count() == HARDIRQ_OFFSET ? "inner" : "inner-nested");
    return int(IRQ_HANDLED);
  };
  int t1, t2;
  ASSERT_EQ(k.request_irq(20, outer, 0, "outer", &t1), 0);
  ASSERT_EQ(k.request_irq(21, inner, 0, "inner", &t2), 0);
  EXPECT_EQ(k.generic_handle_irq(20), 0);
  EXPECT_EQ(log.events, (std::vector<std::string>{"outer-begin", "outer-end", "inner"}));
  k.free_irq(20, &t1);
  k.free_irq(21, &t2);
}

}  // namespace
}  // namespace kmem_test
