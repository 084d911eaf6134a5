// SPDX-License-Identifier: MIT
// Shared by the mempool and dma_pool tests: a machine per test, a backing
// allocator the test controls, and small helpers.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/test_util.h"
#include "kernel.h"
#include "kmem/machine.hpp"
#include "mempool/mempool.h"

namespace kmem_test {

using dma_addr_t = kmem::dma_addr_t;

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

// A backing allocator for mempools that the test switches between working
// and failing, recording every mask it was called with. Elements are
// kmalloc'ed 64-byte objects of the machine.
struct TestAllocator {
  Kernel* k = nullptr;
  std::atomic<bool> fail{false};
  // Fails only masks without __GFP_DIRECT_RECLAIM (the mempool's first round).
  std::atomic<bool> fail_without_reclaim{false};
  std::atomic<int> allocs{0};
  std::atomic<int> frees{0};
  std::mutex mu;
  std::vector<gfp_t> masks;

  static void* alloc(gfp_t gfp, void* data) {
    auto* a = static_cast<TestAllocator*>(data);
    {
      std::lock_guard<std::mutex> g(a->mu);
      a->masks.push_back(gfp);
    }
    if (a->fail.load()) return nullptr;
    if (a->fail_without_reclaim.load() && !(gfp & gfp::DIRECT_RECLAIM)) return nullptr;
    void* p = a->k->kmalloc(64, gfp);
    if (p != nullptr) a->allocs.fetch_add(1);
    return p;
  }
  static void free(void* element, void* data) {
    auto* a = static_cast<TestAllocator*>(data);
    a->frees.fetch_add(1);
    a->k->kfree(element);
  }
  std::vector<gfp_t> take_masks() {
    std::lock_guard<std::mutex> g(mu);
    std::vector<gfp_t> out;
    out.swap(masks);
    return out;
  }
  int live() const { return allocs.load() - frees.load(); }
};

class MachineTest : public ::testing::Test {
 protected:
  virtual const char* cmdline() const { return "mem=256M cpus=2"; }
  void SetUp() override {
    m_ = std::make_unique<Machine>(cmdline());
    m_->take_log();
    alloc_.k = &k();
  }
  void TearDown() override {
    if (m_) {
      EXPECT_TRUE(invariants_ok(k()));
    }
  }
  Kernel& k() { return m_->kernel(); }
  Machine& m() { return *m_; }
  u64 warns() { return k().bug_count(BUG_WARN); }
  u64 bad_frees() { return k().bug_count(BUG_BAD_FREE); }

  std::unique_ptr<Machine> m_;
  TestAllocator alloc_;
};

}  // namespace kmem_test
