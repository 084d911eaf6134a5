// SPDX-License-Identifier: MIT
// Multi-threaded slab stress: threads bound to their own CPU slots plus one
// thread that owns no slot (the shared path) run seeded random mixes of
// kmalloc/kfree (every class and large), cache alloc/free and bulk
// alloc/free over several caches. Almost half of the objects are handed to
// other threads through a locked exchange, so that about a third of the
// frees are cross-CPU. Every object carries a unique id and canaries, checked when it
// is freed: an object handed out twice or corrupted is caught. At the end
// everything is freed, the slab lists are checked, every cache is shrunk
// and the slab layer holds exactly the pages it held at the start.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "kernel.h"
#include "kmem/machine.hpp"
#include "slab/internal.h"

namespace kmem_test {
namespace {

using namespace kmem;
using u8 = kmem::u8;
using u64 = kmem::u64;  // wins over the compat headers' global u64
using gfp_t = kmem::gfp_t;

constexpr u64 kCanary = 0x5ab1e5ca1ab1e5edULL;
constexpr u64 kFreed = 0xdeadf00ddeadf00dULL;
// The checked flavour runs MM_EXPENSIVE walks inside the allocator.
constexpr int kOpsPerThread = kChecked ? 300000 : 600000;
constexpr size_t kMaxLivePerThread = 3000;

struct Obj {
  void* p;
  u32 size;   // bytes owned by the test (the request or the object size)
  u16 cache;  // index into caches_, or kKmalloc
  u16 owner;  // the thread that allocated it
  u64 id;
};
constexpr u16 kKmalloc = 0xffff;

class SlabStress {
 public:
  SlabStress(const char* cmdline, unsigned bound) : m_(cmdline), bound_(bound) {
    m_.take_log();
    Machine::bind_current_thread(0);
    const unsigned sizes[] = {16, 96, 256, 1000, 3000};
    const slab_flags_t flags[] = {0, SLAB_CACHE_DMA, SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT, 0};
    for (unsigned i = 0; i < 5; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "stress-%u", sizes[i]);
      KmemCache* s = k().kmem_cache_create(name, sizes[i], nullptr, flags[i] | SLAB_NO_MERGE);
      EXPECT_NE(s, nullptr);
      caches_.push_back(s);
    }
    shrink_all();
    slab_start_ = slab_pages_net();
  }
  ~SlabStress() {
    Machine::bind_current_thread(0);
    for (KmemCache* s : caches_) k().kmem_cache_destroy(s);
  }
  Kernel& k() { return m_.kernel(); }

  void run(u64 seed) {
    const unsigned nthreads = bound_ + 1;  // the last one shares a slot
    std::vector<std::thread> threads;
    auto t0 = std::chrono::steady_clock::now();
    // The test thread gives CPU 0 up while the workers run.
    Machine::bind_current_thread(1);
    for (unsigned t = 0; t < nthreads; ++t)
      threads.emplace_back([this, t, seed] { worker(t, seed * 7919 + t); });
    for (auto& th : threads) th.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    Machine::bind_current_thread(0);

    // What is left in the exchange is freed here, by yet another thread.
    for (const Obj& o : exchange_) check_and_free(o);
    exchange_.clear();
    char msg[1024] = {};
    EXPECT_TRUE(k().slab_check_invariants(msg, sizeof msg)) << msg;
    shrink_all();
    for (KmemCache* s : caches_) {
      SlabInfo i;
      k().slab_info(s, i);
      EXPECT_EQ(i.num_slabs, 0u) << s->name;
    }
    EXPECT_EQ(slab_pages_net(), slab_start_) << "slab pages leaked (seed " << seed << ")";
    EXPECT_TRUE(k().slab_check_invariants(msg, sizeof msg)) << msg;
    EXPECT_TRUE(k().check_invariants(msg, sizeof msg)) << msg;
    EXPECT_EQ(k().bug_count(BUG_BAD_FREE), 0u);
    EXPECT_EQ(k().bug_count(BUG_SLAB), 0u);
    std::string log = m_.take_log();
    EXPECT_EQ(log.find("BUG"), std::string::npos) << log;
    EXPECT_EQ(errors_.load(), 0u);
    EXPECT_EQ(shared_path_threads_.load(), 1u);
    const u64 frees = frees_.load(), remote = remote_frees_.load();
    // How many frees cross CPUs depends on how the host schedules the
    // threads (on two cores one of three threads is often off-CPU): about a
    // third when they overlap well, CI has seen 24.8%. A tenth still proves
    // the cross-CPU paths ran, without making the test flaky.
    EXPECT_GT(remote * 100, frees * 10) << "too few cross-CPU frees";
    std::printf(
        "%s: %u threads, %llu ops, %llu frees (%llu cross-CPU), %llu failed allocs in "
        "%.2f s\n",
        m_.cmdline().c_str(), nthreads, (unsigned long long)ops_.load(), (unsigned long long)frees,
        (unsigned long long)remote, (unsigned long long)alloc_failures_.load(), secs);
  }

 private:
  unsigned long slab_pages_net() {
    SlabState& st = SlabOps::state(k());
    st.sheaf_lock.lock();
    unsigned long sheaves = st.sheaf_pages;
    st.sheaf_lock.unlock();
    return k().slab_pages() - sheaves;
  }
  void shrink_all() {
    for (KmemCache* s : caches_) k().kmem_cache_shrink(s);
    for (gfp_t g : {gfp::KERNEL, gfp::KERNEL | gfp::RECLAIMABLE, gfp::KERNEL | gfp::DMA})
      for (size_t sz : {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192})
        k().kmem_cache_shrink(k().kmalloc_slab(sz, g));
  }

  static u64* tail_of(const Obj& o) {
    return reinterpret_cast<u64*>(static_cast<u8*>(o.p) + (o.size & ~7u) - 8);
  }
  static void stamp(const Obj& o) {
    auto* w = static_cast<u64*>(o.p);
    w[0] = o.id;
    w[1] = o.id ^ kCanary;
    if (o.size >= 32) *tail_of(o) = ~o.id;
  }
  void check_and_free(const Obj& o) {
    auto* w = static_cast<u64*>(o.p);
    if (w[0] != o.id || w[1] != (o.id ^ kCanary) || (o.size >= 32 && *tail_of(o) != ~o.id)) {
      if (errors_.fetch_add(1) < 5)
        ADD_FAILURE() << "object " << o.p << " id " << o.id << " (size " << o.size
                      << ") corrupted or handed out twice: " << std::hex << w[0] << " " << w[1];
    }
    w[0] = kFreed;  // a second holder of this object would see this
    w[1] = kFreed;
    if (o.cache == kKmalloc) k().kfree(o.p);
    else k().kmem_cache_free(caches_[o.cache], o.p);
  }

  void worker(unsigned t, u64 seed) {
    const bool shared = t == bound_;
    if (shared) {
      // Bind to a slot the others own, once they own it.
      while (claimed_.load() < bound_) std::this_thread::yield();
      Machine::bind_current_thread(0);
    } else {
      Machine::bind_current_thread(t);
    }
    const CpuRef c = k().this_cpu();
    if (shared) {
      if (!c.exclusive) shared_path_threads_.fetch_add(1);
    } else {
      if (!c.exclusive || c.cpu != t) {
        errors_.fetch_add(1);
        ADD_FAILURE() << "thread " << t << " does not own its CPU";
      }
      claimed_.fetch_add(1);
    }
    std::mt19937_64 rng(seed);
    std::vector<Obj> held;
    u64 serial = 0, ops = 0, frees = 0, remote = 0, failures = 0;
    auto next_id = [&] { return (u64(t + 1) << 48) | ++serial; };
    auto keep = [&](const Obj& o) {
      stamp(o);
      if (rng() % 100 < 60) {
        std::lock_guard<std::mutex> g(mu_);
        exchange_.push_back(o);
        exchange_size_.store(exchange_.size(), std::memory_order_relaxed);
      } else {
        held.push_back(o);
      }
    };
    auto free_one = [&](const Obj& o) {
      check_and_free(o);
      ++frees;
      if (o.owner != t) ++remote;
    };
    for (int i = 0; i < kOpsPerThread && errors_.load() == 0; ++i, ++ops) {
      // Allocate about as often as free, while this thread holds less than
      // its share; the exchange is drained first when it grows.
      const bool alloc = held.empty() || (held.size() < kMaxLivePerThread && rng() % 100 < 50);
      const unsigned r = unsigned(rng() % 100);
      if (alloc && r < 45) {  // kmalloc, every class, now and then large
        size_t sz = 16 + rng() % (rng() % 8 == 0 ? 8192 - 16 : 512);
        if (rng() % 200 == 0) sz = 8193 + rng() % 60000;
        void* p = k().kmalloc(sz, gfp::KERNEL | (rng() % 8 == 0 ? gfp::RECLAIMABLE : 0));
        if (p == nullptr) {
          ++failures;
          continue;
        }
        keep(Obj{p, u32(sz), kKmalloc, u16(t), next_id()});
      } else if (alloc && r < 90) {  // cache alloc
        u16 ci = u16(rng() % caches_.size());
        void* p = k().kmem_cache_alloc(caches_[ci], gfp::KERNEL);
        if (p == nullptr) {
          ++failures;
          continue;
        }
        keep(Obj{p, caches_[ci]->object_size, ci, u16(t), next_id()});
      } else if (alloc) {  // bulk alloc
        u16 ci = u16(rng() % caches_.size());
        void* p[16];
        size_t n = 1 + rng() % 16;
        if (k().kmem_cache_alloc_bulk(caches_[ci], gfp::KERNEL, n, p) != int(n)) {
          ++failures;
          continue;
        }
        for (size_t j = 0; j < n; ++j)
          keep(Obj{p[j], caches_[ci]->object_size, ci, u16(t), next_id()});
      } else if (r < 90) {  // free one: from the exchange (mostly others') or our own
        Obj o{};
        if (rng() % 100 < 50 || exchange_size_.load(std::memory_order_relaxed) > 4000) {
          std::lock_guard<std::mutex> g(mu_);
          if (!exchange_.empty()) {
            size_t j = rng() % exchange_.size();
            o = exchange_[j];
            exchange_[j] = exchange_.back();
            exchange_.pop_back();
            exchange_size_.store(exchange_.size(), std::memory_order_relaxed);
          }
        }
        if (o.p == nullptr && !held.empty()) {
          size_t j = rng() % held.size();
          o = held[j];
          held[j] = held.back();
          held.pop_back();
        }
        if (o.p != nullptr) free_one(o);
      } else {  // bulk free of our own objects of one cache
        u16 ci = u16(rng() % caches_.size());
        void* batch[16];
        size_t n = 0;
        for (size_t j = 0; j < held.size() && n < 16;) {
          if (held[j].cache != ci) {
            ++j;
            continue;
          }
          const Obj& o = held[j];
          auto* w = static_cast<u64*>(o.p);
          if (w[0] != o.id || w[1] != (o.id ^ kCanary)) {
            errors_.fetch_add(1);
            ADD_FAILURE() << "bulk: object " << o.p << " id " << o.id << " corrupted";
          }
          w[0] = w[1] = kFreed;
          batch[n++] = o.p;
          held[j] = held.back();
          held.pop_back();
        }
        k().kmem_cache_free_bulk(caches_[ci], n, batch);
        frees += n;
      }
      if (t == 0 && i % 20000 == 19999) {
        char msg[512];
        if (!k().slab_check_invariants(msg, sizeof msg)) {
          errors_.fetch_add(1);
          ADD_FAILURE() << "mid-run: " << msg;
        }
      }
    }
    for (const Obj& o : held) free_one(o);
    ops_ += ops;
    frees_ += frees;
    remote_frees_ += remote;
    alloc_failures_ += failures;
  }

  Machine m_;
  unsigned bound_;
  std::vector<KmemCache*> caches_;
  unsigned long slab_start_ = 0;
  std::mutex mu_;
  std::vector<Obj> exchange_;
  std::atomic<unsigned> claimed_{0}, shared_path_threads_{0};
  std::atomic<size_t> exchange_size_{0};
  std::atomic<u64> ops_{0}, frees_{0}, remote_frees_{0}, alloc_failures_{0}, errors_{0};
};

TEST(SlabStress, TwoCpusAndASharedThread) {
  SlabStress s("mem=256M cpus=2", 2);
  s.run(1);
}

TEST(SlabStress, FourCpusAndASharedThread) {
  SlabStress s("mem=512M cpus=4", 4);
  s.run(2);
}

TEST(SlabStress, TwoNodes) {
  // Remote-node frees bypass the sheaves and go straight to their slabs.
  SlabStress s("mem=512M cpus=2 numa=2", 2);
  s.run(3);
}

}  // namespace
}  // namespace kmem_test
