// SPDX-License-Identifier: MIT
// Multi-threaded page allocator stress: four threads, each bound to its own
// CPU slot, run seeded random alloc/free mixes (orders 0..10, every mobility
// type). Every so often the threads stop at a barrier and one of them checks
// the allocator's invariants and every live block. A second variant passes
// blocks between threads through a locked exchange, so that pages are freed
// by a CPU other than the one that allocated them (remote pcp frees).
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace kmem_test {
namespace {

using namespace kmem;
using u64 = kmem::u64;  // wins over the compat headers' global u64
using gfp_t = kmem::gfp_t;

constexpr unsigned kThreads = 4;
// Operations per thread per round, and rounds. The checked flavour runs its
// MM_EXPENSIVE walks inside the allocator, so it does a fraction of the work.
constexpr int kRounds = kChecked ? 10 : 40;
constexpr int kOpsPerRound = kChecked ? 2000 : 12500;

struct Block {
  Page* page;
  unsigned order;
  u64 tag;
};

class Stress {
 public:
  Stress(const char* cmdline, bool exchange) : m_(cmdline), exchange_(exchange) {
    m_.take_log();
    k().drain_all_pages();
    boot_free_ = k().global_free_pages();
    per_thread_limit_ = k().totalram_pages() / (2 * kThreads);
  }
  Kernel& k() { return m_.kernel(); }

  void run(u64 seed) {
    std::barrier sync(kThreads);
    std::vector<std::thread> threads;
    auto t0 = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < kThreads; ++t)
      threads.emplace_back([this, t, seed, &sync] { worker(t, seed + t, sync); });
    for (auto& th : threads) th.join();
    secs_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // Whatever is left in the exchange is freed here, by yet another CPU.
    Machine::bind_current_thread(0);
    for (const Block& b : exchange_pool_) free_checked(b);
    exchange_pool_.clear();
    k().drain_all_pages();
    EXPECT_EQ(k().global_free_pages(), boot_free_) << "seed " << seed;
    char msg[1024] = {};
    EXPECT_TRUE(k().check_invariants(msg, sizeof msg)) << msg;
    EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
    EXPECT_EQ(k().bug_count(BUG_BAD_FREE), 0u);
    std::string log = m_.take_log();
    EXPECT_EQ(log.find("BUG"), std::string::npos) << log;
    std::printf(
        "%s%s: %llu ops (%llu allocs, %llu failed, %llu remote frees) in %.2f s, %.0f ns/op\n",
        m_.cmdline().c_str(), exchange_ ? " +exchange" : "", (unsigned long long)ops_.load(),
        (unsigned long long)allocs_.load(), (unsigned long long)failures_.load(),
        (unsigned long long)remote_frees_.load(), secs_, secs_ * 1e9 / double(ops_.load()));
    EXPECT_EQ(errors_.load(), 0u);
  }

 private:
  static u64 make_tag(unsigned thread, u64 serial, pfn_t pfn) {
    return (u64(thread) << 56) ^ (serial << 24) ^ pfn ^ 0x5a5a5a5a5a5a5a5aull;
  }
  u64* words(const Block& b, u64** last) {
    auto* base = static_cast<u8*>(k().page_to_virt_raw(b.page));
    *last = reinterpret_cast<u64*>(base + (PAGE_SIZE << b.order) - sizeof(u64));
    return reinterpret_cast<u64*>(base);
  }
  void write_tag(const Block& b) {
    u64* last;
    u64* first = words(b, &last);
    *first = b.tag;
    *last = ~b.tag;
  }
  bool verify(const Block& b, const char* when) {
    u64* last;
    u64* first = words(b, &last);
    bool ok = true;
    if (*first != b.tag || *last != ~b.tag) {
      ADD_FAILURE() << when << ": tag of block pfn " << k().page_to_pfn(b.page) << " order "
                    << b.order << " damaged";
      ok = false;
    }
    if (!k().block_is_allocated(b.page, b.order)) {
      ADD_FAILURE() << when << ": block pfn " << k().page_to_pfn(b.page) << " order " << b.order
                    << " is on a free list";
      ok = false;
    }
    if (!ok) errors_.fetch_add(1);
    return ok;
  }
  void free_checked(const Block& b) {
    if (errors_.load() < 10) verify(b, "free");
    k().free_pages(b.page, b.order);
  }

  static gfp_t pick_gfp(std::mt19937_64& rng) {
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2: return gfp::HIGHUSER_MOVABLE;
      case 3:
      case 4: return gfp::KERNEL;
      case 5: return gfp::KERNEL | gfp::RECLAIMABLE;
      case 6: return gfp::ATOMIC;
      default: return gfp::NOWAIT;
    }
  }
  static unsigned pick_order(std::mt19937_64& rng) {
    unsigned r = unsigned(rng() % 1000);
    if (r < 600) return 0;
    if (r < 900) return 1 + unsigned(rng() % 3);
    if (r < 995) return 4 + unsigned(rng() % 5);
    return 9 + unsigned(rng() % 2);
  }

  // Stops the world: every thread waits; thread 0 checks everything.
  void checkpoint(unsigned t, std::barrier<>& sync) {
    sync.arrive_and_wait();
    if (t == 0) {
      char msg[1024] = {};
      if (!k().check_invariants(msg, sizeof msg)) {
        ADD_FAILURE() << "check_invariants: " << msg;
        errors_.fetch_add(1);
      }
      for (unsigned i = 0; i < kThreads && errors_.load() < 10; ++i)
        for (const Block& b : held_[i]) verify(b, "checkpoint");
      std::lock_guard<std::mutex> g(exchange_mu_);
      for (const Block& b : exchange_pool_)
        if (errors_.load() < 10) verify(b, "checkpoint (exchange)");
    }
    sync.arrive_and_wait();
  }

  void worker(unsigned t, u64 seed, std::barrier<>& sync) {
    Machine::bind_current_thread(t);
    std::mt19937_64 rng(seed);
    std::vector<Block>& held = held_[t];
    unsigned long held_pages = 0;
    u64 serial = 0, ops = 0, allocs = 0, failures = 0, remote = 0;
    for (int round = 0; round < kRounds; ++round) {
      for (int i = 0; i < kOpsPerRound && errors_.load() == 0; ++i, ++ops) {
        bool full = held_pages > per_thread_limit_;
        if (held.empty() || (!full && rng() % 100 < 52)) {
          unsigned order = pick_order(rng);
          Page* p = k().alloc_pages(pick_gfp(rng) | gfp::NOWARN, order);
          if (p == nullptr) {
            ++failures;
            continue;
          }
          ++allocs;
          Block b{p, order, make_tag(t, ++serial, k().page_to_pfn(p))};
          write_tag(b);
          if (exchange_ && rng() % 4 == 0) {
            std::lock_guard<std::mutex> g(exchange_mu_);
            exchange_pool_.push_back(b);
          } else {
            held.push_back(b);
            held_pages += 1ul << order;
          }
        } else {
          if (exchange_ && rng() % 3 == 0) {
            Block b{};
            {
              std::lock_guard<std::mutex> g(exchange_mu_);
              if (!exchange_pool_.empty()) {
                size_t j = rng() % exchange_pool_.size();
                b = exchange_pool_[j];
                exchange_pool_[j] = exchange_pool_.back();
                exchange_pool_.pop_back();
              }
            }
            if (b.page != nullptr) {
              free_checked(b);
              ++remote;
              continue;
            }
          }
          size_t j = rng() % held.size();
          Block b = held[j];
          held[j] = held.back();
          held.pop_back();
          held_pages -= 1ul << b.order;
          free_checked(b);
        }
      }
      if (round % 4 == 3) k().drain_local_pages();
      checkpoint(t, sync);
    }
    for (const Block& b : held) free_checked(b);
    held.clear();
    ops_ += ops;
    allocs_ += allocs;
    failures_ += failures;
    remote_frees_ += remote;
  }

  Machine m_;
  bool exchange_;
  unsigned long boot_free_ = 0;
  unsigned long per_thread_limit_ = 0;
  std::vector<Block> held_[kThreads];
  std::mutex exchange_mu_;
  std::vector<Block> exchange_pool_;
  std::atomic<u64> ops_{0}, allocs_{0}, failures_{0}, remote_frees_{0}, errors_{0};
  double secs_ = 0;
};

TEST(PageAllocStress, FourThreadsOwnCpus) {
  Stress s("mem=256M cpus=4", false);
  s.run(1000);
}

TEST(PageAllocStress, FourThreadsExchangeBlocks) {
  Stress s("mem=256M cpus=4", true);
  s.run(2000);
}

TEST(PageAllocStress, FourThreadsNoPcp) {
  Stress s("mem=256M cpus=4 pcp=0", true);
  s.run(3000);
}

TEST(PageAllocStress, TightMemory) {
  // 32 MiB shared by four threads: allocations fail often, watermarks and the
  // fallback paths get exercised.
  Stress s("mem=32M cpus=4", true);
  s.run(4000);
}

TEST(PageAllocStress, TwoNodes) {
  Stress s("mem=512M cpus=4 numa=2", true);
  s.run(5000);
}

}  // namespace
}  // namespace kmem_test
