// SPDX-License-Identifier: MIT
// Shared by the HighMem tests: an i386 machine with 640 MiB of HighMem, and
// small helpers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace kmem_test {

using namespace kmem;
// Some system headers pull in include/kmem/compat/linux/types.h, whose global
// u64/u32/... would make the names from kmem ambiguous; these win over both.
using u8 = kmem::u8;
using u32 = kmem::u32;
using u64 = kmem::u64;
using gfp_t = kmem::gfp_t;

inline constexpr pfn_t k16M = pfn_t(16 * SZ_1M >> PAGE_SHIFT);
inline constexpr pfn_t k896M = pfn_t(896 * SZ_1M >> PAGE_SHIFT);

inline bool contains(const std::string& hay, const char* needle) {
  return hay.find(needle) != std::string::npos;
}

// Polls cond every millisecond for at most `limit`; true once it holds.
template <typename Cond>
bool wait_until(Cond cond, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

inline ::testing::AssertionResult invariants_ok(Kernel& k) {
  char msg[1024] = {};
  if (k.check_invariants(msg, sizeof msg)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "check_invariants: " << msg;
}

// A machine of the i386 profile: DMA < 16 MiB, Normal < 896 MiB, 640 MiB
// of HighMem above.
class HighmemTest : public ::testing::Test {
 protected:
  static constexpr const char* kCmdline = "mem=1536M profile=i386 cpus=2";

  void SetUp() override {
    clean_context();
    m_ = std::make_unique<Machine>(kCmdline);
    m_->take_log();
  }
  void TearDown() override {
    if (m_)
      for (Page* p : owned_) m_->free_pages(p, 0);
    owned_.clear();
    // A failed test must not leave this thread's kmap_local stack or
    // preemption count to the next one.
    clean_context();
  }
  static void clean_context() {
    current_ctx().kmap_local_depth = 0;
    current_ctx().preempt_count = 0;
  }

  Kernel& k() { return m_->kernel(); }
  Machine& m() { return *m_; }
  HighmemState& hm() { return k().highmem(); }

  // n HighMem pages, freed by TearDown.
  std::vector<Page*> alloc_high(size_t n) {
    std::vector<Page*> out;
    for (size_t i = 0; i < n; ++i) {
      Page* p = m_->alloc_pages(gfp::HIGHUSER, 0);
      if (p == nullptr) {
        ADD_FAILURE() << "GFP_HIGHUSER allocation " << i << " failed";
        break;
      }
      EXPECT_GE(k().page_to_pfn(p), k896M);
      out.push_back(p);
      owned_.push_back(p);
    }
    return out;
  }
  u64 warns() { return k().bug_count(BUG_WARN); }

  std::unique_ptr<Machine> m_;
  std::vector<Page*> owned_;
};

}  // namespace kmem_test
