// SPDX-License-Identifier: MIT
// Linux's own slab debug test (lib/tests/slub_kunit.c) on kmem: the same
// caches, the same corruptions, and the same error counts (slab_errors,
// which kmem's validate returns).
#include "helpers.h"

namespace kmem_test {
namespace {

class SlubKunit : public SlabDebugTest {
  const char* cmdline() const override { return "mem=256M cpus=2"; }

 protected:
  KmemCache* test_cache(const char* name, unsigned size, slab_flags_t flags) {
    return create(name, size, flags | SLAB_NO_USER_FLAGS);
  }
};

TEST_F(SlubKunit, ClobberZone) {
  KmemCache* s = test_cache("TestSlub_RZ_alloc", 64, SLAB_RED_ZONE);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  p[64] = 0x12;
  EXPECT_EQ(k().slab_validate(s), 2u) << m().take_log();
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bugs(), 1u) << m().take_log();
}

TEST_F(SlubKunit, NextPointer) {
  KmemCache* s = test_cache("TestSlub_next_ptr_free", 64, SLAB_POISON);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  k().kmem_cache_free(s, p);
  auto* ptr_addr = reinterpret_cast<unsigned long*>(p + s->offset);
  const unsigned long tmp = *ptr_addr;
  p[s->offset] = u8(~p[s->offset]);
  // The corrupted free chain, the wrong count of objects in use, its fix.
  EXPECT_EQ(k().slab_validate(s), 3u);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "BUG TestSlub_next_ptr_free (Not tainted): Freechain corrupt\n"))
      << log;
  EXPECT_TRUE(contains(log, "): Wrong object count. Counter is 0 but counted were ")) << log;
  EXPECT_TRUE(contains(log, "FIX TestSlub_next_ptr_free: Object count adjusted\n")) << log;
  // Repaired pointer: the count is wrong again, the other way.
  *ptr_addr = tmp;
  EXPECT_EQ(k().slab_validate(s), 2u);
  log = m().take_log();
  EXPECT_TRUE(contains(log, "but counted were 0\n")) << log;
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  char msg[512];
  EXPECT_TRUE(k().slab_check_invariants(msg, sizeof msg)) << msg;
  k().kmem_cache_destroy(s);
}

TEST_F(SlubKunit, FirstWord) {
  KmemCache* s = test_cache("TestSlub_1th_word_free", 64, SLAB_POISON);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  k().kmem_cache_free(s, p);
  *p = 0x78;
  EXPECT_EQ(k().slab_validate(s), 2u);
  EXPECT_TRUE(contains(m().take_log(), "[Poison overwritten] " + hex16(p)));
  k().kmem_cache_destroy(s);
}

TEST_F(SlubKunit, Clobber50thByte) {
  KmemCache* s = test_cache("TestSlub_50th_word_free", 64, SLAB_POISON);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  k().kmem_cache_free(s, p);
  p[50] = 0x9a;
  EXPECT_EQ(k().slab_validate(s), 2u);
  EXPECT_TRUE(contains(m().take_log(), overwritten("Poison", p + 50, p + 50, 0x9a, 0x6b)));
  k().kmem_cache_destroy(s);
}

TEST_F(SlubKunit, ClobberRedzoneFree) {
  KmemCache* s = test_cache("TestSlub_RZ_free", 64, SLAB_RED_ZONE);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  k().kmem_cache_free(s, p);
  p[64] = 0xab;
  EXPECT_EQ(k().slab_validate(s), 2u);
  EXPECT_TRUE(contains(m().take_log(), overwritten("Right Redzone", p + 64, p + 64, 0xab, 0xbb)));
  k().kmem_cache_destroy(s);
}

TEST_F(SlubKunit, KmallocRedzoneAccess) {
  KmemCache* s =
      test_cache("TestSlub_RZ_kmalloc", 32, SLAB_KMALLOC | SLAB_STORE_USER | SLAB_RED_ZONE);
  auto* p = static_cast<u8*>(
      k().slab_alloc(s, gfp::KERNEL, NUMA_NO_NODE, __builtin_return_address(0), 18));
  ASSERT_NE(p, nullptr);
  p[18] = 0xab;
  p[19] = 0xab;
  EXPECT_EQ(k().slab_validate(s), 2u);
  EXPECT_TRUE(contains(m().take_log(), overwritten("kmalloc Redzone", p + 18, p + 19, 0xab, 0xcc)));
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bugs(), 1u) << m().take_log();
}

TEST_F(SlubKunit, LeakDestroy) {
  KmemCache* s = test_cache("TestSlub_leak_destroy", 64, SLAB_NO_MERGE);
  void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k().kmem_cache_destroy(s);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "BUG TestSlub_leak_destroy (")) << log;
  EXPECT_TRUE(contains(log, "Object " + hex16(p) + " @offset=")) << log;
}

TEST_F(SlubKunit, KreallocRedzoneZeroing) {
  KmemCache* s =
      test_cache("TestSlub_krealloc", 64, SLAB_KMALLOC | SLAB_STORE_USER | SLAB_RED_ZONE);
  auto* p = static_cast<u8*>(
      k().slab_alloc(s, gfp::KERNEL, NUMA_NO_NODE, __builtin_return_address(0), 48));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0xff, 48);
  // Shrink.
  p = static_cast<u8*>(k().krealloc(p, 40, gfp::KERNEL | gfp::ZERO));
  for (int i = 40; i < 64; ++i) EXPECT_EQ(p[i], SLUB_RED_ACTIVE) << i;
  // Grow within the same object.
  p = static_cast<u8*>(k().krealloc(p, 56, gfp::KERNEL | gfp::ZERO));
  for (int i = 40; i < 56; ++i) EXPECT_EQ(p[i], 0) << i;
  for (int i = 56; i < 64; ++i) EXPECT_EQ(p[i], SLUB_RED_ACTIVE) << i;
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  std::memset(p, 0xff, 56);
  // Grow into a bigger kmalloc object.
  p = static_cast<u8*>(k().krealloc(p, 112, gfp::KERNEL | gfp::ZERO));
  for (int i = 0; i < 56; ++i) EXPECT_EQ(p[i], 0xff) << i;
  for (int i = 56; i < 112; ++i) EXPECT_EQ(p[i], 0) << i;
  k().kfree(p);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
}

}  // namespace
}  // namespace kmem_test
