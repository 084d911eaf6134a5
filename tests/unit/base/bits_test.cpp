// SPDX-License-Identifier: MIT
// include/linux/log2.h and math.h helpers against straightforward references.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/bits.h"

namespace {

using kmem::u64;

u64 ref_ilog2(u64 n) {
  u64 r = 0;
  while (n >>= 1) ++r;
  return r;
}

// floor(sqrt(x)) exactly, corrected around the double estimate.
u64 ref_isqrt(u64 x) {
  u64 r = u64(std::sqrt(double(x)));
  while (r > 0 && (unsigned __int128)r * r > x) --r;
  while ((unsigned __int128)(r + 1) * (r + 1) <= x) ++r;
  return r;
}

TEST(Bits, Ilog2EveryPowerAndNeighbours) {
  for (unsigned s = 0; s < 64; ++s) {
    u64 p = 1ULL << s;
    EXPECT_EQ(kmem::ilog2(p), s);
    if (p > 2) {
      EXPECT_EQ(kmem::ilog2(p - 1), s - 1);
    }
    if (s < 63) {
      EXPECT_EQ(kmem::ilog2(p + 1), p + 1 == 2 ? 1u : s);
    }
    EXPECT_TRUE(kmem::is_power_of_2(p));
    if (p > 2) {
      EXPECT_FALSE(kmem::is_power_of_2(p + 1));
    }
  }
  EXPECT_FALSE(kmem::is_power_of_2(0));
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100000; ++i) {
    u64 v = rng() >> (rng() % 64);
    if (v == 0) continue;
    ASSERT_EQ(kmem::ilog2(v), ref_ilog2(v)) << v;
  }
}

TEST(Bits, IntSqrtSmallRangeExhaustive) {
  for (u64 x = 0; x < 2000000; ++x) ASSERT_EQ(kmem::int_sqrt(x), ref_isqrt(x)) << x;
}

TEST(Bits, IntSqrtLargeValues) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    u64 x = rng() >> (rng() % 64);
    ASSERT_EQ(kmem::int_sqrt(x), ref_isqrt(x)) << x;
  }
  for (u64 r : {1ULL, 2ULL, 3ULL, 1000ULL, 65535ULL, 65536ULL, 4294967295ULL}) {
    ASSERT_EQ(kmem::int_sqrt(r * r), r);
    ASSERT_EQ(kmem::int_sqrt(r * r - 1), r - 1);
    ASSERT_EQ(kmem::int_sqrt(r * r + 1), r);
  }
  EXPECT_EQ(kmem::int_sqrt(~0ULL), 4294967295ULL);
  // min_free_kbytes for 1 GiB of lowmem: int_sqrt(1048576 * 16) = 4096.
  EXPECT_EQ(kmem::int_sqrt(1048576ULL * 16), 4096u);
}

TEST(Bits, GetOrder) {
  EXPECT_EQ(kmem::get_order(0), 0u);
  EXPECT_EQ(kmem::get_order(1), 0u);
  EXPECT_EQ(kmem::get_order(4096), 0u);
  EXPECT_EQ(kmem::get_order(4097), 1u);
  EXPECT_EQ(kmem::get_order(8192), 1u);
  EXPECT_EQ(kmem::get_order(8193), 2u);
  for (unsigned o = 0; o <= 20; ++o) {
    u64 sz = kmem::PAGE_SIZE << o;
    EXPECT_EQ(kmem::get_order(sz), o);
    EXPECT_EQ(kmem::get_order(sz + 1), o + 1);
    if (o > 0) {
      EXPECT_EQ(kmem::get_order(sz - 1), o);
    }
  }
  for (u64 sz = 1; sz < (1ULL << 24); sz = sz * 3 / 2 + 1) {
    unsigned o = kmem::get_order(sz);
    EXPECT_GE(kmem::PAGE_SIZE << o, sz);
    if (o > 0) {
      EXPECT_LT(kmem::PAGE_SIZE << (o - 1), sz);
    }
  }
}

TEST(Bits, PowerOfTwoRounding) {
  EXPECT_EQ(kmem::rounddown_pow_of_two(1), 1u);
  EXPECT_EQ(kmem::rounddown_pow_of_two(2), 2u);
  EXPECT_EQ(kmem::rounddown_pow_of_two(3), 2u);
  EXPECT_EQ(kmem::rounddown_pow_of_two(96), 64u);
  EXPECT_EQ(kmem::rounddown_pow_of_two(127), 64u);
  EXPECT_EQ(kmem::rounddown_pow_of_two(128), 128u);
  EXPECT_EQ(kmem::roundup_pow_of_two(0), 1u);
  EXPECT_EQ(kmem::roundup_pow_of_two(1), 1u);
  EXPECT_EQ(kmem::roundup_pow_of_two(3), 4u);
  EXPECT_EQ(kmem::roundup_pow_of_two(96), 128u);
  EXPECT_EQ(kmem::roundup_pow_of_two(128), 128u);
  for (u64 v = 1; v < 100000; ++v) {
    u64 d = kmem::rounddown_pow_of_two(v), u = kmem::roundup_pow_of_two(v);
    ASSERT_TRUE(kmem::is_power_of_2(d) && kmem::is_power_of_2(u));
    ASSERT_LE(d, v);
    ASSERT_GT(d * 2, v);
    ASSERT_GE(u, v);
    ASSERT_LT(u / 2, v);
  }
}

TEST(Bits, Alignment) {
  EXPECT_EQ(kmem::align_up(0, 4096), 0u);
  EXPECT_EQ(kmem::align_up(1, 4096), 4096u);
  EXPECT_EQ(kmem::align_up(4096, 4096), 4096u);
  EXPECT_EQ(kmem::align_down(4095, 4096), 0u);
  EXPECT_EQ(kmem::align_down(8191, 4096), 4096u);
  EXPECT_TRUE(kmem::is_aligned(1ULL << 21, 1ULL << 21));
  EXPECT_FALSE(kmem::is_aligned((1ULL << 21) + 4096, 1ULL << 21));
  EXPECT_EQ(kmem::clamp_t<u64>(5, 128, 262144), 128u);
  EXPECT_EQ(kmem::clamp_t<u64>(300000, 128, 262144), 262144u);
  EXPECT_EQ(kmem::clamp_t<u64>(4096, 128, 262144), 4096u);
  EXPECT_EQ(kmem::min_t<int>(3, -1), -1);
  EXPECT_EQ(kmem::max_t<int>(3, -1), 3);
}

TEST(Bits, PfnConversions) {
  EXPECT_EQ(kmem::pfn_phys(256), 1ULL << 20);
  EXPECT_EQ(kmem::phys_pfn((1ULL << 20) + 4095), 256u);
  EXPECT_EQ(kmem::pfn_up((1ULL << 20) + 1), 257u);
  EXPECT_EQ(kmem::pfn_down((1ULL << 20) + 1), 256u);
}

}  // namespace
