// SPDX-License-Identifier: MIT
// With bug_action=panic a detected page misuse prints its report and aborts.
// Each case runs in a forked child (GoogleTest death tests).
#include <gtest/gtest.h>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

using kmem::Machine;
using kmem::Page;
namespace gfp = kmem::gfp;

class PageAllocDeath : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

void double_free(const char* cmdline, unsigned order) {
  Machine m(cmdline);
  m.set_console_echo(true);  // the report goes to stderr, where the test looks
  Page* p = m.alloc_pages(gfp::KERNEL, order);
  if (p == nullptr) return;
  m.free_pages(p, order);
  m.free_pages(p, order);
}

void wrong_order_free(const char* cmdline, unsigned alloc_order, unsigned free_order) {
  Machine m(cmdline);
  m.set_console_echo(true);
  Page* p = m.alloc_pages(gfp::KERNEL, alloc_order);
  if (p == nullptr) return;
  m.free_pages(p, free_order);
}

TEST_P(PageAllocDeath, DoubleFreeOrder0) {
  EXPECT_DEATH(double_free(GetParam(), 0), "BUG: Bad page state");
}

TEST_P(PageAllocDeath, DoubleFreeOrder3) {
  EXPECT_DEATH(double_free(GetParam(), 3), "BUG: Bad page state");
}

TEST_P(PageAllocDeath, DoubleFreeOrder6) {
  EXPECT_DEATH(double_free(GetParam(), 6), "BUG: Bad page state");
}

TEST_P(PageAllocDeath, WrongOrderFreeSmaller) {
  EXPECT_DEATH(wrong_order_free(GetParam(), 2, 0), "BUG");
}

TEST_P(PageAllocDeath, WrongOrderFreeLarger) {
  EXPECT_DEATH(wrong_order_free(GetParam(), 1, 4), "BUG");
}

TEST_P(PageAllocDeath, CorrectUseDoesNotDie) {
  Machine m{std::string(GetParam())};
  Page* p = m.alloc_pages(gfp::KERNEL, 3);
  ASSERT_NE(p, nullptr);
  m.free_pages(p, 3);
  EXPECT_EQ(m.kernel().bug_count(kmem::BUG_BAD_PAGE), 0u);
}

INSTANTIATE_TEST_SUITE_P(Cmdlines, PageAllocDeath,
                         ::testing::Values("mem=64M cpus=1 bug_action=panic",
                                           "mem=64M cpus=1 pcp=0 bug_action=panic"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.index == 0 ? "pcp" : "nopcp");
                         });

TEST(PageAllocDeathReport, ReportActionSurvives) {
  // The same misuse with the default bug_action=report prints and goes on.
  Machine m("mem=64M cpus=1");
  Page* p = m.alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  m.free_pages(p, 0);
  m.free_pages(p, 0);
  EXPECT_NE(m.take_log().find("BUG: Bad page state"), std::string::npos);
  EXPECT_EQ(m.kernel().bug_count(kmem::BUG_BAD_PAGE), 1u);
}

TEST(PageAllocDeathReport, CountActionIsSilent) {
  Machine m("mem=64M cpus=1 bug_action=count");
  Page* p = m.alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  m.free_pages(p, 0);
  m.free_pages(p, 0);
  EXPECT_EQ(m.take_log().find("BUG: Bad page state"), std::string::npos);
  EXPECT_EQ(m.kernel().bug_count(kmem::BUG_BAD_PAGE), 1u);
}

}  // namespace
