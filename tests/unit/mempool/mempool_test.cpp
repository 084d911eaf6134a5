// SPDX-License-Identifier: MIT
// mempool (mm/mempool.c, 6.18): the reserve filled at creation, the order
// mempool_alloc() tries things in and the masks it uses, the fall back to the
// reserve when the allocator fails, GFP_ATOMIC failing and GFP_KERNEL
// sleeping until an element comes back, mempool_free() refilling, resize,
// the slab/kmalloc/page helpers, and kmem's leak WARN.
#include <algorithm>
#include <set>

#include "helpers.h"

namespace kmem_test {
namespace {

using Mempools = MachineTest;

constexpr gfp_t kAdded = gfp::NOMEMALLOC | gfp::NORETRY | gfp::NOWARN;

Mempool* create(Kernel& k, int min_nr, TestAllocator& a) {
  return mempool_create(k, min_nr, TestAllocator::alloc, TestAllocator::free, &a);
}

// Takes every reserved element with the allocator failing.
std::vector<void*> drain_reserve(Mempool* pool, TestAllocator& a) {
  a.fail = true;
  std::vector<void*> out;
  while (pool->curr_nr > 0) out.push_back(mempool_alloc(pool, gfp::ATOMIC));
  a.fail = false;
  return out;
}

TEST_F(Mempools, CreateFillsTheReserveWithGfpKernel) {
  Mempool* pool = create(k(), 4, alloc_);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->min_nr, 4);
  EXPECT_EQ(pool->curr_nr, 4);
  EXPECT_TRUE(mempool_initialized(pool));
  EXPECT_TRUE(mempool_is_saturated(pool));
  EXPECT_EQ(alloc_.allocs.load(), 4);
  for (gfp_t g : alloc_.take_masks()) EXPECT_EQ(g, gfp::KERNEL);
  std::set<void*> distinct(pool->elements, pool->elements + 4);
  EXPECT_EQ(distinct.size(), 4u);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.frees.load(), 4);
  EXPECT_EQ(alloc_.live(), 0);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(Mempools, CreateNodeUsesTheGivenMask) {
  Mempool* pool =
      mempool_create_node(k(), 2, TestAllocator::alloc, TestAllocator::free, &alloc_, gfp::NOIO, 0);
  ASSERT_NE(pool, nullptr);
  for (gfp_t g : alloc_.take_masks()) EXPECT_EQ(g, gfp::NOIO);
  mempool_destroy(pool);
}

TEST_F(Mempools, ZeroMinimumPoolKeepsOneElement) {
  Mempool* pool = create(k(), 0, alloc_);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->min_nr, 0);
  EXPECT_EQ(pool->curr_nr, 1);
  // Its element serves a failing allocator, and a free refills the slot.
  alloc_.fail = true;
  void* e = mempool_alloc(pool, gfp::ATOMIC);
  EXPECT_NE(e, nullptr);
  EXPECT_EQ(pool->curr_nr, 0);
  EXPECT_EQ(mempool_alloc(pool, gfp::ATOMIC), nullptr);
  mempool_free(e, pool);
  EXPECT_EQ(pool->curr_nr, 1);
  alloc_.fail = false;
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, CreateFailsAndCleansUpWhenTheReserveCannotBeFilled) {
  struct FailThird {
    Kernel* k;
    int calls = 0;
    int frees = 0;
    static void* alloc(gfp_t, void* d) {
      auto* f = static_cast<FailThird*>(d);
      return ++f->calls == 3 ? nullptr : f->k->kmalloc(32, gfp::KERNEL);
    }
    static void free(void* e, void* d) {
      auto* f = static_cast<FailThird*>(d);
      ++f->frees;
      f->k->kfree(e);
    }
  } f{&k()};
  EXPECT_EQ(mempool_create(k(), 5, FailThird::alloc, FailThird::free, &f), nullptr);
  EXPECT_EQ(f.calls, 3);
  EXPECT_EQ(f.frees, 2);

  Mempool embedded{};
  f.calls = f.frees = 0;
  EXPECT_EQ(mempool_init(k(), &embedded, 5, FailThird::alloc, FailThird::free, &f),
            -MEMPOOL_ENOMEM);
  EXPECT_EQ(f.frees, 2);
  EXPECT_FALSE(mempool_initialized(&embedded));
  mempool_exit(&embedded);  // harmless after a failed init
}

TEST_F(Mempools, AllocAsksTheAllocatorFirstWithoutReclaimOrIo) {
  Mempool* pool = create(k(), 2, alloc_);
  ASSERT_NE(pool, nullptr);
  alloc_.take_masks();
  void* e = mempool_alloc(pool, gfp::KERNEL);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(pool->curr_nr, 2) << "the reserve is not touched while the allocator works";
  std::vector<gfp_t> masks = alloc_.take_masks();
  ASSERT_EQ(masks.size(), 1u);
  EXPECT_EQ(masks[0], (gfp::KERNEL | kAdded) & ~(gfp::DIRECT_RECLAIM | gfp::IO));
  // The reserve is full: the element goes back to the allocator.
  mempool_free(e, pool);
  EXPECT_EQ(pool->curr_nr, 2);
  EXPECT_EQ(alloc_.frees.load(), 1);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, FailingAllocatorFallsBackToTheReserveLifo) {
  Mempool* pool = create(k(), 3, alloc_);
  ASSERT_NE(pool, nullptr);
  std::vector<void*> reserved(pool->elements, pool->elements + 3);
  alloc_.fail = true;
  alloc_.take_masks();
  void* a = mempool_alloc(pool, gfp::KERNEL);
  EXPECT_EQ(a, reserved[2]);
  EXPECT_EQ(pool->curr_nr, 2);
  EXPECT_FALSE(mempool_is_saturated(pool));
  // One allocator call (without reclaim) before the reserve was used.
  EXPECT_EQ(alloc_.take_masks().size(), 1u);
  void* b = mempool_alloc(pool, gfp::NOIO);
  void* c = mempool_alloc(pool, gfp::ATOMIC);
  EXPECT_EQ(b, reserved[1]);
  EXPECT_EQ(c, reserved[0]);
  EXPECT_EQ(pool->curr_nr, 0);
  // Frees refill the reserve up to min_nr, then go to the allocator.
  alloc_.fail = false;
  mempool_free(c, pool);
  mempool_free(b, pool);
  mempool_free(a, pool);
  EXPECT_EQ(pool->curr_nr, 3);
  EXPECT_EQ(alloc_.frees.load(), 0);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, EmptyReserveRetriesAtOnceWithTheFullMask) {
  Mempool* pool = create(k(), 1, alloc_);
  ASSERT_NE(pool, nullptr);
  std::vector<void*> held = drain_reserve(pool, alloc_);
  alloc_.fail_without_reclaim = true;
  alloc_.take_masks();
  void* e = mempool_alloc(pool, gfp::NOFS);
  ASSERT_NE(e, nullptr);
  std::vector<gfp_t> masks = alloc_.take_masks();
  ASSERT_EQ(masks.size(), 2u);
  EXPECT_EQ(masks[0], (gfp::NOFS | kAdded) & ~(gfp::DIRECT_RECLAIM | gfp::IO));
  EXPECT_EQ(masks[1], gfp::NOFS | kAdded);
  mempool_free(e, pool);  // refills the reserve
  EXPECT_EQ(pool->curr_nr, 1);
  for (void* h : held) mempool_free(h, pool);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, AtomicWithEmptyReserveAndFailingAllocatorReturnsNull) {
  Mempool* pool = create(k(), 2, alloc_);
  ASSERT_NE(pool, nullptr);
  std::vector<void*> held = drain_reserve(pool, alloc_);
  alloc_.fail = true;
  alloc_.take_masks();
  EXPECT_EQ(mempool_alloc(pool, gfp::ATOMIC), nullptr);
  // GFP_ATOMIC has neither __GFP_DIRECT_RECLAIM nor __GFP_IO: one round only.
  EXPECT_EQ(alloc_.take_masks().size(), 1u);
  EXPECT_EQ(mempool_alloc(pool, gfp::NOWAIT), nullptr);
  EXPECT_EQ(mempool_alloc_preallocated(pool), nullptr);
  alloc_.fail = false;
  for (void* h : held) mempool_free(h, pool);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(Mempools, PreallocatedOnlyUsesTheReserve) {
  Mempool* pool = create(k(), 2, alloc_);
  ASSERT_NE(pool, nullptr);
  alloc_.take_masks();
  void* a = mempool_alloc_preallocated(pool);
  void* b = mempool_alloc_preallocated(pool);
  EXPECT_NE(a, nullptr);
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(mempool_alloc_preallocated(pool), nullptr);
  EXPECT_TRUE(alloc_.take_masks().empty());
  mempool_free(a, pool);
  mempool_free(b, pool);
  EXPECT_EQ(pool->curr_nr, 2);
  mempool_destroy(pool);
}

TEST_F(Mempools, BlockingAllocWaitsForAFreeAndNeverReturnsNull) {
  Mempool* pool = create(k(), 2, alloc_);
  ASSERT_NE(pool, nullptr);
  std::vector<void*> held = drain_reserve(pool, alloc_);
  alloc_.fail = true;

  std::atomic<bool> done{false};
  std::atomic<void*> got{nullptr};
  const auto start = std::chrono::steady_clock::now();
  std::thread waiter([&] {
    got = mempool_alloc(pool, gfp::KERNEL);
    done = true;
  });
  // It sleeps on the pool: no element, and the allocator keeps failing.
  EXPECT_TRUE(wait_until([&] { return pool->wait.waiters.load() > 0; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(done.load());
  mempool_free(held[0], pool);  // refills the reserve and wakes it
  waiter.join();
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.load(), held[0]);
  EXPECT_LT(waited, std::chrono::seconds(4)) << "woken by the free, not by the 5 s timeout";
  EXPECT_EQ(pool->wait.waiters.load(), 0u);

  alloc_.fail = false;
  mempool_free(got.load(), pool);
  mempool_free(held[1], pool);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, SleepersAreWokenOneElementEach) {
  Mempool* pool = create(k(), 3, alloc_);
  ASSERT_NE(pool, nullptr);
  std::vector<void*> held = drain_reserve(pool, alloc_);
  alloc_.fail = true;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<void*> got;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&] {
      void* e = mempool_alloc(pool, gfp::NOIO);
      std::lock_guard<std::mutex> g(mu);
      got.push_back(e);
    });
  EXPECT_TRUE(wait_until([&] { return pool->wait.waiters.load() == 3; }));
  for (void* h : held) mempool_free(h, pool);
  for (auto& t : threads) t.join();
  std::sort(got.begin(), got.end());
  std::sort(held.begin(), held.end());
  EXPECT_EQ(got, held);
  alloc_.fail = false;
  for (void* e : got) mempool_free(e, pool);
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, BlockingAllocInAtomicContextIsReported) {
  Mempool* pool = create(k(), 1, alloc_);
  ASSERT_NE(pool, nullptr);
  KSpinlock lock{};
  unsigned long flags = spin_lock_irqsave(&lock);
  void* atomic_ok = mempool_alloc(pool, gfp::ATOMIC);
  EXPECT_EQ(k().bug_count(BUG_ATOMIC_SLEEP), 0u);
  void* bad = mempool_alloc(pool, gfp::KERNEL);  // the allocator works: no sleep
  spin_unlock_irqrestore(&lock, flags);
  EXPECT_NE(atomic_ok, nullptr);
  EXPECT_NE(bad, nullptr);
  EXPECT_GE(k().bug_count(BUG_ATOMIC_SLEEP), 1u);
  EXPECT_TRUE(contains(m().take_log(), "sleeping function called from invalid context"));
  mempool_free(atomic_ok, pool);
  mempool_free(bad, pool);
  mempool_destroy(pool);
}

TEST_F(Mempools, ResizeGrowsAndShrinksTheReserve) {
  Mempool* pool = create(k(), 2, alloc_);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(mempool_resize(pool, 6), 0);
  EXPECT_EQ(pool->min_nr, 6);
  EXPECT_EQ(pool->curr_nr, 6);
  EXPECT_EQ(alloc_.allocs.load(), 6);
  std::set<void*> distinct(pool->elements, pool->elements + 6);
  EXPECT_EQ(distinct.size(), 6u);

  EXPECT_EQ(mempool_resize(pool, 1), 0);
  EXPECT_EQ(pool->min_nr, 1);
  EXPECT_EQ(pool->curr_nr, 1);
  EXPECT_EQ(alloc_.frees.load(), 5);

  // Growing with the allocator failing keeps the new minimum; frees refill.
  void* out = mempool_alloc(pool, gfp::KERNEL);
  alloc_.fail = true;
  EXPECT_EQ(mempool_resize(pool, 3), 0);
  EXPECT_EQ(pool->min_nr, 3);
  EXPECT_EQ(pool->curr_nr, 1);
  alloc_.fail = false;
  mempool_free(out, pool);
  EXPECT_EQ(pool->curr_nr, 2);

  // Shrinking with elements out: min_nr drops, nothing to free.
  std::vector<void*> held = drain_reserve(pool, alloc_);
  const int frees = alloc_.frees.load();
  EXPECT_EQ(mempool_resize(pool, 1), 0);
  EXPECT_EQ(pool->min_nr, 1);
  EXPECT_EQ(alloc_.frees.load(), frees);
  for (void* h : held) mempool_free(h, pool);
  EXPECT_EQ(pool->curr_nr, 1);

  EXPECT_EQ(mempool_resize(pool, 0), -MEMPOOL_EINVAL);
  EXPECT_TRUE(contains(m().take_log(), "kernel BUG at mm/mempool.c"));
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
}

TEST_F(Mempools, GfpZeroWarnsOncePerPool) {
  Mempool* pool = create(k(), 1, alloc_);
  ASSERT_NE(pool, nullptr);
  const u64 before = warns();
  void* a = mempool_alloc(pool, gfp::KERNEL | gfp::ZERO);
  void* b = mempool_alloc(pool, gfp::KERNEL | gfp::ZERO);
  EXPECT_EQ(warns(), before + 1);
  EXPECT_TRUE(contains(m().take_log(), "mempool_alloc_noprof"));
  mempool_free(a, pool);
  mempool_free(b, pool);
  mempool_destroy(pool);
}

TEST_F(Mempools, DestroyWithElementsOutWarns) {
  Mempool* pool = create(k(), 2, alloc_);
  ASSERT_NE(pool, nullptr);
  void* a = mempool_alloc(pool, gfp::KERNEL);
  void* b = mempool_alloc(pool, gfp::KERNEL);
  const u64 before = warns();
  mempool_destroy(pool);
  EXPECT_EQ(warns(), before + 1);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "2 element(s) still allocated")) << log;
  // The reserve itself was freed; the two elements are the caller's leak.
  EXPECT_EQ(alloc_.live(), 2);
  TestAllocator::free(a, &alloc_);
  TestAllocator::free(b, &alloc_);
  mempool_destroy(nullptr);
}

TEST_F(Mempools, EmbeddedPoolInitAndExit) {
  Mempool pool{};
  mempool_exit(&pool);  // zero-filled, never initialised: nothing to do
  ASSERT_EQ(mempool_init(k(), &pool, 3, TestAllocator::alloc, TestAllocator::free, &alloc_), 0);
  EXPECT_EQ(pool.curr_nr, 3);
  void* e = mempool_alloc(&pool, gfp::KERNEL);
  mempool_free(e, &pool);
  mempool_exit(&pool);
  EXPECT_FALSE(mempool_initialized(&pool));
  EXPECT_EQ(alloc_.live(), 0);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(Mempools, SlabPool) {
  KmemCache* cache = k().kmem_cache_create("mempool_test_obj", 200, nullptr, 0);
  ASSERT_NE(cache, nullptr);
  Mempool* pool = mempool_create_slab_pool(k(), 4, cache);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->curr_nr, 4);
  std::vector<void*> got;
  for (int i = 0; i < 50; ++i) {
    void* e = mempool_alloc(pool, gfp::KERNEL);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(k().virt_to_cache(e), cache);
    std::memset(e, 0x5c, 200);
    got.push_back(e);
  }
  for (void* e : got) mempool_free(e, pool);
  mempool_destroy(pool);
  k().kmem_cache_destroy(cache);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(Mempools, KmallocPool) {
  Mempool embedded{};
  ASSERT_EQ(mempool_init_kmalloc_pool(k(), &embedded, 2, 300), 0);
  Mempool* pool = mempool_create_kmalloc_pool(k(), 3, 100);
  ASSERT_NE(pool, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_GE(k().ksize(pool->elements[i]), 100u);
  void* e = mempool_alloc(pool, gfp::KERNEL);
  ASSERT_NE(e, nullptr);
  EXPECT_GE(k().ksize(e), 100u);
  void* f = mempool_alloc(&embedded, gfp::ATOMIC);
  EXPECT_GE(k().ksize(f), 300u);
  mempool_free(f, &embedded);
  mempool_free(e, pool);
  mempool_destroy(pool);
  mempool_exit(&embedded);
  // Without a pool calling them, the helpers have no machine.
  EXPECT_EQ(mempool_kmalloc(gfp::KERNEL, reinterpret_cast<void*>(size_t(8))), nullptr);
  EXPECT_EQ(mempool_callback_kernel(), nullptr);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(Mempools, PagePool) {
  Mempool* pool = mempool_create_page_pool(k(), 2, 1);
  ASSERT_NE(pool, nullptr);
  auto* p = static_cast<Page*>(mempool_alloc(pool, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(k().is_page(p));
  EXPECT_TRUE(k().block_is_allocated(p, 1));
  std::memset(k().page_address(p), 0x11, 2 * PAGE_SIZE);
  mempool_free(p, pool);
  Mempool embedded{};
  ASSERT_EQ(mempool_init_page_pool(k(), &embedded, 1, 0), 0);
  mempool_exit(&embedded);
  mempool_destroy(pool);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_F(Mempools, ConcurrentAllocAndFreeKeepEveryElementOnce) {
  Mempool* pool = create(k(), 8, alloc_);
  ASSERT_NE(pool, nullptr);
  std::atomic<bool> stop{false};
  // The allocator flips between working and failing while threads churn.
  std::thread flipper([&] {
    for (int i = 0; !stop.load(); ++i) {
      alloc_.fail = (i % 3) != 0;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    alloc_.fail = false;
  });
  std::vector<std::thread> threads;
  std::atomic<int> nulls{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      // Blocking threads hold nothing while they allocate (a thread that
      // sleeps in mempool_alloc() holding elements can wait for itself, in
      // Linux too); atomic ones hold up to four.
      const bool blocking = (t & 1) == 0;
      std::vector<void*> mine;
      for (int i = 0; i < 3000; ++i) {
        if (blocking) {
          for (void* e : mine) mempool_free(e, pool);
          mine.clear();
        }
        void* e = mempool_alloc(pool, blocking ? gfp::KERNEL : gfp::ATOMIC);
        if (e == nullptr) {
          nulls.fetch_add(1);
          EXPECT_FALSE(blocking) << "a blocking mempool_alloc returned NULL";
        } else {
          *static_cast<int*>(e) = t;
          mine.push_back(e);
        }
        if (mine.size() > 3 || (i % 7) == 0) {
          while (!mine.empty()) {
            EXPECT_EQ(*static_cast<int*>(mine.back()), t);
            mempool_free(mine.back(), pool);
            mine.pop_back();
          }
        }
      }
      for (void* e : mine) mempool_free(e, pool);
    });
  for (auto& t : threads) t.join();
  stop = true;
  flipper.join();
  EXPECT_LE(pool->curr_nr, pool->min_nr);
  EXPECT_EQ(pool->outstanding.load(), 0);
  std::set<void*> distinct(pool->elements, pool->elements + pool->curr_nr);
  EXPECT_EQ(distinct.size(), size_t(pool->curr_nr));
  mempool_destroy(pool);
  EXPECT_EQ(alloc_.live(), 0);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

// ---- a page pool on a machine out of memory -----------------------------------------------

class TinyMachine : public MachineTest {
 protected:
  // kswapd=0: nothing frees memory behind the test's back.
  const char* cmdline() const override { return "mem=32M cpus=2 kswapd=0"; }

  // Order-0 pages until the allocator refuses, per-CPU lists drained.
  void exhaust() {
    for (int round = 0; round < 2; ++round) {
      while (Page* p = k().alloc_pages(gfp::KERNEL | gfp::NORETRY | gfp::NOWARN, 0))
        held_.push_back(p);
      k().drain_all_pages();
    }
  }
  void release() {
    for (Page* p : held_) k().free_pages(p, 0);
    held_.clear();
  }
  void TearDown() override {
    release();
    MachineTest::TearDown();
  }
  std::vector<Page*> held_;
};

TEST_F(TinyMachine, PagePoolServesFromTheReserveWhenMemoryIsGone) {
  Mempool* pool = mempool_create_page_pool(k(), 4, 0);
  ASSERT_NE(pool, nullptr);
  std::set<void*> reserved(pool->elements, pool->elements + 4);
  exhaust();
  ASSERT_GT(held_.size(), 1000u);
  ASSERT_EQ(k().alloc_pages(gfp::NOWAIT | gfp::NOWARN, 0), nullptr);
  m().take_log();

  std::vector<void*> got;
  for (int i = 0; i < 4; ++i) {
    void* e = mempool_alloc(pool, gfp::KERNEL);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(reserved.count(e), 1u) << "element " << i << " did not come from the reserve";
    got.push_back(e);
  }
  EXPECT_EQ(pool->curr_nr, 0);
  // (GFP_ATOMIC could still succeed: __GFP_HIGH digs below the min watermark.)
  EXPECT_EQ(mempool_alloc(pool, gfp::NOWAIT), nullptr);

  // GFP_KERNEL now sleeps until an element comes back.
  std::atomic<void*> late{nullptr};
  std::thread waiter([&] { late = mempool_alloc(pool, gfp::KERNEL); });
  EXPECT_TRUE(wait_until([&] { return pool->wait.waiters.load() > 0; }));
  EXPECT_EQ(late.load(), nullptr);
  mempool_free(got.back(), pool);
  waiter.join();
  EXPECT_EQ(late.load(), got.back());
  got.back() = late.load();

  // No "page allocation failure" noise: mempool adds __GFP_NOWARN.
  EXPECT_FALSE(contains(m().take_log(), "page allocation failure"));
  release();
  for (void* e : got) mempool_free(e, pool);
  EXPECT_EQ(pool->curr_nr, 4);
  mempool_destroy(pool);
}

}  // namespace
}  // namespace kmem_test
