// SPDX-License-Identifier: MIT
// Shared by the slab and kmalloc tests: a machine whose test thread owns CPU
// slot 0 (so the per-CPU sheaves hand objects back LIFO), invariant and log
// helpers, and Linux's kmalloc size classes computed independently of the
// implementation.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/test_util.h"
#include "kernel.h"
#include "kmem/machine.hpp"
#include "slab/internal.h"
#include "slab/slab.h"

namespace kmem_test {

inline ::testing::AssertionResult slab_ok(Kernel& k) { return slab_invariants_ok(k); }

inline unsigned count_of(const std::string& hay, const std::string& needle) {
  unsigned n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

inline ::testing::AssertionResult pages_ok(Kernel& k) {
  char msg[1024] = {};
  if (k.check_invariants(msg, sizeof msg)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "check_invariants: " << msg;
}

// Linux's kmalloc bucket for size (1..8192): 8, 16, 32, 64, 96, 128, 192,
// 256, 512, ... 8192 (__kmalloc_index with KMALLOC_MIN_SIZE 8).
inline unsigned linux_kmalloc_class(size_t size) {
  if (size <= 8) return 8;
  if (size <= 16) return 16;
  if (size <= 32) return 32;
  if (size <= 64) return 64;
  if (size <= 96) return 96;
  if (size <= 128) return 128;
  if (size <= 192) return 192;
  unsigned c = 256;
  while (c < size) c <<= 1;
  return c;
}

// "8", "96", "1k", "8k": the suffix of the cache names (kmalloc_info[]).
inline std::string class_suffix(unsigned cls) {
  return cls < 1024 ? std::to_string(cls) : std::to_string(cls / 1024) + "k";
}

// The largest power of two dividing n.
inline unsigned pow2_divisor(unsigned n) { return n & (~n + 1); }

inline size_t page_order_of(size_t size) {
  size_t order = 0;
  while ((size_t(PAGE_SIZE) << order) < size) ++order;
  return order;
}

inline uintptr_t addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// Runs fn on a new thread bound to CPU slot cpu and waits for it.
inline void on_cpu(unsigned cpu, const std::function<void()>& fn) {
  std::thread t([&] {
    Machine::bind_current_thread(cpu);
    fn();
  });
  t.join();
}

class SlabTest : public ::testing::Test {
 protected:
  virtual const char* cmdline() const { return "mem=256M cpus=2"; }
  void SetUp() override {
    // The test thread runs on CPU 0 and owns it: frees and allocations go
    // through CPU 0's sheaves, LIFO.
    Machine::bind_current_thread(0);
    m_ = std::make_unique<Machine>(cmdline());
    m_->take_log();
    ASSERT_TRUE(k().this_cpu().exclusive);
    ASSERT_EQ(k().this_cpu().cpu, 0u);
  }
  void TearDown() override { m_.reset(); }

  Machine& m() { return *m_; }
  Kernel& k() { return m_->kernel(); }

  KmemCache* create(const char* name, unsigned size, slab_flags_t flags = 0,
                    const KmemCacheArgs* args = nullptr) {
    KmemCache* s = k().kmem_cache_create(name, size, args, flags);
    EXPECT_NE(s, nullptr) << name;
    return s;
  }
  SlabInfo info(const KmemCache* s) {
    SlabInfo i;
    k().slab_info(s, i);
    return i;
  }
  Page* slab_of(const void* p) { return k().virt_to_page(p)->head(); }
  // Free pages in the buddy allocator with the per-CPU lists drained.
  unsigned long free_pages() {
    k().drain_all_pages();
    return k().global_free_pages();
  }
  u64 bad_frees() { return k().bug_count(BUG_BAD_FREE); }
  // Slab pages without the sheaf pool: the pool carves pages into sheaves
  // and never gives them back (slab.h), so it may grow by a page while a
  // test runs; everything else the slab layer holds must go back.
  unsigned long sheaf_pages() {
    SlabState& st = SlabOps::state(k());
    st.sheaf_lock.lock();
    unsigned long n = st.sheaf_pages;
    st.sheaf_lock.unlock();
    return n;
  }
  unsigned long slab_pages_net() { return k().slab_pages() - sheaf_pages(); }
  // Free pages as if the sheaf pool's pages had not been taken.
  unsigned long free_pages_net() { return free_pages() + sheaf_pages(); }
  // A value of /proc/meminfo, in kB.
  long meminfo_kb(const char* field) {
    std::string text = m().proc("meminfo");
    std::string key = std::string(field) + ":";
    size_t at = text.find(key);
    if (at == std::string::npos) return -1;
    return std::strtol(text.c_str() + at + key.size(), nullptr, 10);
  }

  std::unique_ptr<Machine> m_;
};

}  // namespace kmem_test
