// SPDX-License-Identifier: MIT
// Bit and integer helpers (include/linux/log2.h, include/linux/math.h).
#pragma once

#include "base/types.h"

namespace kmem {

constexpr bool is_power_of_2(u64 n) { return n != 0 && (n & (n - 1)) == 0; }

// Floor of log2; ilog2(0) is undefined, as in Linux.
constexpr unsigned ilog2(u64 n) { return 63u - unsigned(__builtin_clzll(n)); }

constexpr u64 rounddown_pow_of_two(u64 n) { return 1ULL << ilog2(n); }
constexpr u64 roundup_pow_of_two(u64 n) { return n <= 1 ? 1 : 1ULL << (ilog2(n - 1) + 1); }

constexpr u64 align_up(u64 x, u64 a) { return (x + a - 1) & ~(a - 1); }
constexpr u64 align_down(u64 x, u64 a) { return x & ~(a - 1); }
constexpr bool is_aligned(u64 x, u64 a) { return (x & (a - 1)) == 0; }

template <typename T>
constexpr T min_t(T a, T b) {
  return a < b ? a : b;
}
template <typename T>
constexpr T max_t(T a, T b) {
  return a > b ? a : b;
}
template <typename T>
constexpr T clamp_t(T v, T lo, T hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// Integer square root, the same result as Linux's int_sqrt().
constexpr u64 int_sqrt(u64 x) {
  if (x < 2) return x;
  u64 r = 0;
  u64 bit = 1ULL << (ilog2(x) & ~1u);
  while (bit != 0) {
    if (x >= r + bit) {
      x -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return r;
}

// get_order(size): the smallest order whose block holds size bytes.
constexpr unsigned get_order(u64 size) {
  if (size <= PAGE_SIZE) return 0;
  return ilog2((size - 1) >> PAGE_SHIFT) + 1;
}

static_assert(int_sqrt(16) == 4 && int_sqrt(17) == 4 && int_sqrt(79065600) == 8891);
static_assert(get_order(1) == 0 && get_order(4097) == 1 && get_order(4UL << 20) == 10);

}  // namespace kmem
