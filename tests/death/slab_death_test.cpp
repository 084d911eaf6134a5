// SPDX-License-Identifier: MIT
// With bug_action=panic a detected slab misuse (double free, kfree of a
// pointer kmalloc did not return, the wrong cache) prints its report and
// aborts. Each case runs in a forked child (GoogleTest death tests).
#include <gtest/gtest.h>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

using kmem::Machine;
namespace gfp = kmem::gfp;

constexpr const char* kPanic = "mem=64M cpus=1 bug_action=panic";

class SlabDeath : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

void cache_double_free() {
  Machine m(kPanic);
  m.set_console_echo(true);  // the report goes to stderr, where the test looks
  kmem::Kernel& k = m.kernel();
  kmem::KmemCache* s = k.kmem_cache_create("death_cache", 64, nullptr, kmem::SLAB_NO_MERGE);
  if (s == nullptr) return;
  void* p = k.kmem_cache_alloc(s, gfp::KERNEL);
  k.kmem_cache_free(s, p);
  k.kmem_cache_free(s, p);
}

void kmalloc_double_free() {
  Machine m(kPanic);
  m.set_console_echo(true);
  void* p = m.kernel().kmalloc(100, gfp::KERNEL);
  m.kernel().kfree(p);
  m.kernel().kfree(p);
}

void kfree_stack_address() {
  Machine m(kPanic);
  m.set_console_echo(true);
  int local = 0;
  m.kernel().kfree(&local);
}

void kfree_page_allocator_page() {
  Machine m(kPanic);
  m.set_console_echo(true);
  kmem::Page* pg = m.alloc_pages(gfp::KERNEL, 0);
  m.kernel().kfree(m.page_address(pg));
}

void kfree_inside_object() {
  Machine m(kPanic);
  m.set_console_echo(true);
  auto* p = static_cast<char*>(m.kernel().kmalloc(128, gfp::KERNEL));
  m.kernel().kfree(p + 8);
}

void wrong_cache() {
  Machine m(kPanic);
  m.set_console_echo(true);
  kmem::Kernel& k = m.kernel();
  kmem::KmemCache* a = k.kmem_cache_create("death_a", 64, nullptr, kmem::SLAB_NO_MERGE);
  kmem::KmemCache* b = k.kmem_cache_create("death_b", 64, nullptr, kmem::SLAB_NO_MERGE);
  if (a == nullptr || b == nullptr) return;
  k.kmem_cache_free(b, k.kmem_cache_alloc(a, gfp::KERNEL));
}

TEST_F(SlabDeath, CacheDoubleFree) {
  EXPECT_DEATH(cache_double_free(), "double free of object 0x[0-9a-f]+");
}

TEST_F(SlabDeath, KmallocDoubleFree) {
  EXPECT_DEATH(kmalloc_double_free(), "slab kmalloc-128: double free");
}

TEST_F(SlabDeath, KfreeOfAStackAddress) {
  EXPECT_DEATH(kfree_stack_address(), "kfree\\(0x[0-9a-f]+\\): address outside the direct map");
}

TEST_F(SlabDeath, KfreeOfAPageAllocatorPage) {
  EXPECT_DEATH(kfree_page_allocator_page(), "Not a kmalloc allocation");
}

TEST_F(SlabDeath, KfreeInsideAnObject) {
  EXPECT_DEATH(kfree_inside_object(), "Invalid object pointer 0x[0-9a-f]+");
}

TEST_F(SlabDeath, WrongCache) {
  EXPECT_DEATH(wrong_cache(), "Wrong slab cache. death_b but object is from death_a");
}

TEST_F(SlabDeath, CorrectUseDoesNotDie) {
  Machine m(kPanic);
  kmem::Kernel& k = m.kernel();
  void* p = k.kmalloc(100, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k.kfree(p);
  k.kfree(nullptr);
  k.kfree(kmem::ZERO_SIZE_PTR);
  kmem::KmemCache* s = k.kmem_cache_create("alive", 64, nullptr, 0);
  ASSERT_NE(s, nullptr);
  void* o = k.kmem_cache_alloc(s, gfp::KERNEL);
  k.kmem_cache_free(s, o);
  k.kmem_cache_destroy(s);
  EXPECT_EQ(k.bug_count(kmem::BUG_BAD_FREE), 0u);
}

TEST(SlabDeathReport, ReportActionSurvivesADoubleFree) {
  // The same misuse with the default bug_action=report prints and goes on.
  Machine m("mem=64M cpus=1");
  void* p = m.kernel().kmalloc(100, gfp::KERNEL);
  m.kernel().kfree(p);
  m.kernel().kfree(p);
  EXPECT_NE(m.take_log().find("double free"), std::string::npos);
  EXPECT_EQ(m.kernel().bug_count(kmem::BUG_BAD_FREE), 1u);
}

}  // namespace
