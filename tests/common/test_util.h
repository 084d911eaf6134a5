// SPDX-License-Identifier: MIT
// What every unit-test directory's helpers start from: the kmem names in
// kmem_test, log matching and the invariant checks as gtest assertions.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace kmem_test {

using namespace kmem;
// Some system headers pull in include/kmem/compat/linux/types.h, whose global
// u64/u32/... would make the names from kmem ambiguous; these win over both.
using u8 = kmem::u8;
using u16 = kmem::u16;
using u32 = kmem::u32;
using u64 = kmem::u64;
using gfp_t = kmem::gfp_t;

inline bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The page allocator's invariants (free lists, pcp lists, counters).
inline ::testing::AssertionResult invariants_ok(Kernel& k) {
  char msg[1024] = {};
  if (k.check_invariants(msg, sizeof msg)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "check_invariants: " << msg;
}

// The slab layer's invariants (every slab's freelist and the node counters).
inline ::testing::AssertionResult slab_invariants_ok(Kernel& k) {
  char msg[512] = {};
  if (k.slab_check_invariants(msg, sizeof msg)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "slab_check_invariants: " << msg;
}

}  // namespace kmem_test
