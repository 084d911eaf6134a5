// SPDX-License-Identifier: MIT
// Small helpers shared by the page allocator tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
using s32 = kmem::s32;
using s64 = kmem::s64;
using gfp_t = kmem::gfp_t;

inline ::testing::AssertionResult invariants_ok(Kernel& k) {
  char msg[1024] = {};
  if (k.check_invariants(msg, sizeof msg)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "check_invariants: " << msg;
}

inline Zone& zone(Kernel& k, ZoneType z, int nid = 0) { return k.node_data(nid)->zones[z]; }

// nr_free of every zone of every node and order, read under no lock (callers
// are single-threaded).
inline std::vector<unsigned long> nr_free_snapshot(Kernel& k) {
  std::vector<unsigned long> out;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
      for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o)
        out.push_back(k.node_data(nid)->zones[z].free_area[o].nr_free.load());
  return out;
}

inline bool in_zone(Kernel& k, const Page* p, ZoneType z) {
  Zone* zz = k.page_zone(p);
  return zz != nullptr && zz->idx == z;
}

inline bool contains(const std::string& hay, const char* needle) {
  return hay.find(needle) != std::string::npos;
}

// A GoogleTest parameter name from a command line: "mem=64M cpus=2" -> "mem_64M_cpus_2".
inline std::string cmdline_test_name(const ::testing::TestParamInfo<const char*>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

}  // namespace kmem_test
