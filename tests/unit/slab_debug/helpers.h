// SPDX-License-Identifier: MIT
// Shared by the slub_debug tests: a machine with slub_debug= on kmalloc-64
// and test_cache, and helpers to find an object's slab and to read reports.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/test_util.h"
#include "kernel.h"
#include "kmem/machine.hpp"
#include "slab/slab.h"

namespace kmem_test {

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// "0x" and 16 hex digits: how the reports print an address.
inline std::string hex16(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%016lx",
                static_cast<unsigned long>(reinterpret_cast<uintptr_t>(p)));
  return buf;
}

class SlabDebugTest : public ::testing::Test {
 protected:
  virtual const char* cmdline() const {
    return "mem=256M cpus=2 slub_debug=FZPU,kmalloc-64,test_cache";
  }
  void SetUp() override {
    m_ = std::make_unique<Machine>(cmdline());
    m_->take_log();
  }
  void TearDown() override { m_.reset(); }

  Machine& m() { return *m_; }
  Kernel& k() { return m_->kernel(); }
  u64 bugs() { return k().bug_count(BUG_SLAB); }

  KmemCache* create(const char* name, unsigned size, slab_flags_t flags = 0) {
    KmemCache* s = k().kmem_cache_create(name, size, nullptr, flags);
    EXPECT_NE(s, nullptr) << name;
    return s;
  }
  Page* slab_of(const void* p) { return k().virt_to_page(p)->head(); }
  u8* slab_base(const void* p) { return static_cast<u8*>(k().page_to_virt_raw(slab_of(p))); }
  unsigned long offset_in_slab(const void* p) {
    return static_cast<unsigned long>(static_cast<const u8*>(p) - slab_base(p));
  }
  // The "[<what> overwritten] ..." line Linux prints for [from, to].
  std::string overwritten(const char* what, const void* from, const void* to, unsigned first,
                          unsigned expected) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "[%s overwritten] %s-%s @offset=%lu. First byte 0x%x instead of 0x%x", what,
                  hex16(from).c_str(), hex16(to).c_str(), offset_in_slab(from), first, expected);
    return buf;
  }
  std::string restoring(const char* cache, const char* what, const void* from, const void* to,
                        unsigned value) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "FIX %s: Restoring %s %s-%s=0x%x", cache, what,
                  hex16(from).c_str(), hex16(to).c_str(), value);
    return buf;
  }

  std::unique_ptr<Machine> m_;
};

}  // namespace kmem_test
