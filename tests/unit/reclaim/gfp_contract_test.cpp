// SPDX-License-Identifier: MIT
// The GFP contract end to end: who may dig how deep into the reserves, who
// may sleep, what reclaim and kswapd do, and the retry rules
// (mm/page_alloc.c __alloc_pages_slowpath, mm/vmscan.c).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "../page_alloc/helpers.h"
#include "page_alloc/internal.h"

namespace kmem_test {
namespace {

using std::chrono::milliseconds;

// Every page the machine will give to mask (no warnings), order 0.
std::vector<Page*> fill(Kernel& k, gfp_t mask) {
  std::vector<Page*> held;
  while (Page* p = k.alloc_pages(mask | gfp::NOWARN, 0)) held.push_back(p);
  return held;
}

void release(Kernel& k, std::vector<Page*>& held) {
  for (Page* p : held) k.free_pages(p, 0);
  held.clear();
}

// The reserve left below a zone's min watermark for a request with these
// alloc flags (__zone_watermark_ok's arithmetic, written out independently).
long reserve_floor(const Zone& z, bool high, bool non_block) {
  long min = long(z.watermark[WMARK_MIN]);
  if (high) {
    min -= min / 2;
    if (non_block) min -= min / 4;
  }
  return min + long(z.lowmem_reserve[ZONE_NORMAL]);
}

// Runs fn in hardirq context on this thread, through a real interrupt line.
template <typename Fn>
void run_in_hardirq(Kernel& k, Fn fn) {
  static Fn* current;
  current = &fn;
  ASSERT_EQ(k.request_irq(
                11,
                [](int, void*) {
                  (*current)();
                  return int(IRQ_HANDLED);
                },
                0, "test-irq", &fn),
            0);
  ASSERT_EQ(k.generic_handle_irq(11), 0);
  EXPECT_STREQ(k.free_irq(11, &fn), "test-irq");
}

// pcp=0: every order-0 page comes straight from the buddy lists, so the
// watermark check sees each page and the counts are exact.
TEST(GfpContract, AtomicInHardirqDigsExactlyItsShareOfTheMinReserve) {
  Machine m("mem=64M cpus=1 pcp=0 kswapd=0");
  Kernel& k = m.kernel();
  Zone& dma32 = zone(k, ZONE_DMA32);
  Zone& dma = zone(k, ZONE_DMA);

  // GFP_NOWAIT may not go below min (+ lowmem_reserve for a Normal request).
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  EXPECT_EQ(dma32.free_pages(), reserve_floor(dma32, false, false));
  EXPECT_EQ(dma.free_pages(), reserve_floor(dma, false, false));
  EXPECT_EQ(k.alloc_pages(gfp::NOWAIT | gfp::NOWARN, 0), nullptr);

  // GFP_ATOMIC (__GFP_HIGH, non-blocking) from an interrupt handler takes
  // 62.5 % of the min reserve of each zone, and not a page more.
  const long expect = (dma32.free_pages() - reserve_floor(dma32, true, true)) +
                      (dma.free_pages() - reserve_floor(dma, true, true));
  ASSERT_GT(expect, 0);
  long got = 0;
  std::vector<Page*> atomic_pages;
  run_in_hardirq(k, [&] {
    EXPECT_TRUE(in_hardirq());
    atomic_pages = fill(k, gfp::ATOMIC);
    got = long(atomic_pages.size());
  });
  EXPECT_EQ(got, expect);
  EXPECT_EQ(dma32.free_pages(), reserve_floor(dma32, true, true));
  EXPECT_EQ(dma.free_pages(), reserve_floor(dma, true, true));
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 0u);

  // __GFP_MEMALLOC may take everything; __GFP_NOMEMALLOC cancels it.
  EXPECT_EQ(k.alloc_pages(gfp::ATOMIC | gfp::NOMEMALLOC | gfp::NOWARN, 0), nullptr);
  Page* emergency = k.alloc_pages(gfp::ATOMIC | gfp::MEMALLOC, 0);
  EXPECT_NE(emergency, nullptr);
  if (emergency) k.free_pages(emergency, 0);
  release(k, atomic_pages);
  release(k, held);
  EXPECT_TRUE(invariants_ok(k));
}

TEST(GfpContract, HighWithoutNonBlockGetsHalfTheReserve) {
  Machine m("mem=64M cpus=1 pcp=0 kswapd=0 oom_wait_ms=0");
  Kernel& k = m.kernel();
  Zone& dma32 = zone(k, ZONE_DMA32);
  Zone& dma = zone(k, ZONE_DMA);
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  // GFP_KERNEL | __GFP_HIGH | __GFP_NORETRY: may block, so no ALLOC_NON_BLOCK.
  std::vector<Page*> high = fill(k, gfp::KERNEL | gfp::HIGH | gfp::NORETRY);
  EXPECT_EQ(dma32.free_pages(), reserve_floor(dma32, true, false));
  EXPECT_EQ(dma.free_pages(), reserve_floor(dma, true, false));
  release(k, high);
  release(k, held);
}

TEST(GfpContract, BlockingAllocationInAtomicContextIsReported) {
  Machine m("mem=64M cpus=1 kswapd=0");
  Kernel& k = m.kernel();
  run_in_hardirq(k, [&] {
    Page* p = k.alloc_pages(gfp::KERNEL, 0);  // succeeds, but may not be asked for here
    EXPECT_NE(p, nullptr);
    if (p) k.free_pages(p, 0);
  });
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
  const std::string log = m.take_log();
  EXPECT_TRUE(contains(log,
                       "BUG: sleeping function called from invalid context at "
                       "include/linux/sched/mm.h:321\n"))
      << log;
  EXPECT_TRUE(contains(log, "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: ")) << log;
  EXPECT_TRUE(contains(log, "preempt_count: 10000, expected: 0\n")) << log;

  KSpinlock lock;
  spin_lock(&lock);
  Page* p = k.alloc_pages(gfp::KERNEL, 0);
  spin_unlock(&lock);
  if (p) k.free_pages(p, 0);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 2u);
  // GFP_ATOMIC under the same lock is what the rule asks for.
  spin_lock(&lock);
  p = k.alloc_pages(gfp::ATOMIC, 0);
  spin_unlock(&lock);
  if (p) k.free_pages(p, 0);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 2u);
}

// Waits (bounded) until some thread sleeps for free memory.
bool wait_for_sleeper(Kernel& k) {
  for (int i = 0; i < 20000; ++i) {
    if (k.free_wait().waiters.load() > 0) return true;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return false;
}

TEST(GfpContract, GfpKernelSleepsUntilAnotherThreadFrees) {
  Machine m("mem=64M cpus=2 kswapd=0 oom_wait_ms=20000");
  Kernel& k = m.kernel();
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  std::atomic<bool> done{false};
  std::atomic<Page*> got{nullptr};
  std::thread waiter([&] {
    got = k.alloc_pages(gfp::KERNEL, 0);
    done = true;
  });
  ASSERT_TRUE(wait_for_sleeper(k));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(done.load()) << "GFP_KERNEL returned while memory was exhausted";
  // Free a few pages from this thread (onto its own per-CPU list): the
  // sleeper wakes, drains and gets one.
  for (int i = 0; i < 4; ++i) {
    k.free_pages(held.back(), 0);
    held.pop_back();
  }
  waiter.join();
  EXPECT_TRUE(done.load());
  ASSERT_NE(got.load(), nullptr);
  k.free_pages(got.load(), 0);
  EXPECT_GE(k.sum_zone_event(ALLOCSTALL, ZONE_NORMAL), 1u);
  release(k, held);
}

TEST(GfpContract, NofailNeverReturnsNull) {
  Machine m("mem=64M cpus=2 kswapd=0 oom_wait_ms=0");
  Kernel& k = m.kernel();
  // __GFP_NOFAIL may use half the min reserve (ALLOC_MIN_RESERVE) as a last
  // resort; GFP_ATOMIC's 62.5 % goes deeper, so take that too.
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  std::vector<Page*> deeper = fill(k, gfp::ATOMIC);
  held.insert(held.end(), deeper.begin(), deeper.end());
  std::atomic<Page*> got{nullptr};
  std::thread waiter([&] { got = k.alloc_pages(gfp::KERNEL | gfp::NOFAIL, 0); });
  ASSERT_TRUE(wait_for_sleeper(k));
  // With oom_wait_ms=0 a plain GFP_KERNEL request would have failed by now;
  // __GFP_NOFAIL keeps going round until memory comes back.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(got.load(), nullptr);
  // Give back what GFP_ATOMIC took and one more: NOFAIL's half is there again.
  for (size_t i = 0; i <= deeper.size(); ++i) {
    k.free_pages(held.back(), 0);
    held.pop_back();
  }
  waiter.join();
  ASSERT_NE(got.load(), nullptr);
  k.free_pages(got.load(), 0);
  release(k, held);
}

TEST(GfpContract, NoretryFailsAfterOneReclaimAttemptWithoutOom) {
  Machine m("mem=64M cpus=1 kswapd=0 oom_wait_ms=0");
  Kernel& k = m.kernel();
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  m.take_log();
  const u64 stalls = k.sum_zone_event(ALLOCSTALL, ZONE_NORMAL);
  EXPECT_EQ(k.alloc_pages(gfp::KERNEL | gfp::NORETRY, 0), nullptr);
  EXPECT_EQ(k.sum_zone_event(ALLOCSTALL, ZONE_NORMAL), stalls + 1);
  const std::string log = m.take_log();
  EXPECT_TRUE(
      contains(log, "page allocation failure: order:0, mode:0x10cc0(GFP_KERNEL|__GFP_NORETRY)"))
      << log;
  EXPECT_FALSE(contains(log, "oom")) << log;
  release(k, held);
}

TEST(GfpContract, CostlyOrdersGiveUpWithoutRetryMayfail) {
  Machine m("mem=64M cpus=1 kswapd=0 oom_wait_ms=0");
  Kernel& k = m.kernel();
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  const u64 stalls = k.sum_zone_event(ALLOCSTALL, ZONE_NORMAL);
  EXPECT_EQ(k.alloc_pages(gfp::KERNEL | gfp::NOWARN, 4), nullptr);
  EXPECT_EQ(k.sum_zone_event(ALLOCSTALL, ZONE_NORMAL), stalls + 1);
  release(k, held);
}

// A cache of pages that a shrinker gives back, one object = one page.
struct PageCache {
  Kernel* k;
  std::mutex mu;
  std::vector<Page*> pages;
  std::atomic<int> count_calls{0}, scan_calls{0};
  Shrinker* shrinker = nullptr;

  PageCache(Kernel& kk, unsigned flags, const char* name, size_t n) : k(&kk) {
    for (size_t i = 0; i < n; ++i)
      pages.push_back(k->alloc_pages(gfp::KERNEL | gfp::RECLAIMABLE, 0));
    shrinker = k->shrinker_alloc(flags, name);
    shrinker->private_data = this;
    shrinker->count_objects = [](Shrinker* s, ShrinkControl*) -> unsigned long {
      auto* c = static_cast<PageCache*>(s->private_data);
      ++c->count_calls;
      std::lock_guard<std::mutex> g(c->mu);
      return c->pages.empty() ? SHRINK_EMPTY : c->pages.size();
    };
    shrinker->scan_objects = [](Shrinker* s, ShrinkControl* sc) -> unsigned long {
      auto* c = static_cast<PageCache*>(s->private_data);
      ++c->scan_calls;
      std::lock_guard<std::mutex> g(c->mu);
      unsigned long freed = 0;
      while (freed < sc->nr_to_scan && !c->pages.empty()) {
        c->k->free_pages(c->pages.back(), 0);
        c->pages.pop_back();
        ++freed;
      }
      return freed;
    };
    k->shrinker_register(shrinker);
  }
  ~PageCache() {
    k->shrinker_free(shrinker);
    for (Page* p : pages) k->free_pages(p, 0);
  }
  size_t size() {
    std::lock_guard<std::mutex> g(mu);
    return pages.size();
  }
};

TEST(GfpContract, DirectReclaimFreesThroughShrinkersAndNofsKeepsFilesystemsOut) {
  Machine m("mem=64M cpus=1 kswapd=0 oom_wait_ms=0");
  Kernel& k = m.kernel();
  PageCache fs(k, SHRINKER_FS, "fs-cache", 1000);
  std::vector<Page*> held = fill(k, gfp::NOWAIT);

  // GFP_NOFS: reclaim may not enter the filesystem cache.
  EXPECT_EQ(k.alloc_pages(gfp::NOFS | gfp::NORETRY | gfp::NOWARN, 0), nullptr);
  EXPECT_EQ(fs.count_calls.load(), 0);
  // Neither may GFP_KERNEL inside a memalloc_nofs_save() scope.
  unsigned scope = memalloc_nofs_save();
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::NOFS);
  EXPECT_EQ(k.alloc_pages(gfp::KERNEL | gfp::NORETRY | gfp::NOWARN, 0), nullptr);
  memalloc_nofs_restore(scope);
  EXPECT_EQ(fs.count_calls.load(), 0);
  EXPECT_EQ(fs.size(), 1000u);

  // Outside the scope, direct reclaim shrinks the cache and succeeds.
  Page* p = k.alloc_pages(gfp::KERNEL | gfp::NORETRY, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_GT(fs.scan_calls.load(), 0);
  EXPECT_LT(fs.size(), 1000u);
  EXPECT_GT(k.sum_vm_event(SLABS_SCANNED), 0u);
  k.free_pages(p, 0);
  release(k, held);
}

TEST(GfpContract, KswapdRestoresTheHighWatermark) {
  Machine m("mem=64M cpus=2");
  Kernel& k = m.kernel();
  Node& node = *k.node_data(0);
  PageCache cache(k, 0, "cache", 4000);
  // Fill without waking anyone (no reclaim bits), then one GFP_NOWAIT
  // allocation finds the low watermark broken and wakes kswapd.
  std::vector<Page*> held = fill(k, 0);
  EXPECT_FALSE(Kernel::Internal::pgdat_balanced(k, node, 0, ZONE_NORMAL));
  Page* p = k.alloc_pages(gfp::NOWAIT | gfp::NOWARN, 0);
  if (p) held.push_back(p);
  bool balanced = false;
  for (int i = 0; i < 10000 && !balanced; ++i) {
    balanced = Kernel::Internal::pgdat_balanced(k, node, 0, ZONE_NORMAL);
    if (!balanced) std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_TRUE(balanced);
  EXPECT_GE(k.sum_vm_event(PAGEOUTRUN), 1u);
  EXPECT_LT(cache.size(), 4000u);
  // Some zone is back at its high watermark (+ the Normal request's lowmem_reserve).
  bool above_high = false;
  for (ZoneType z : {ZONE_DMA, ZONE_DMA32}) {
    Zone& zz = zone(k, z);
    above_high |= zz.free_pages() > long(zz.wmark(WMARK_HIGH) + zz.lowmem_reserve[ZONE_NORMAL]);
  }
  EXPECT_TRUE(above_high);
  release(k, held);
}

TEST(GfpContract, ZoneModifiersKeepTheirAddressLimitsUnderPressure) {
  Machine m("mem=6G cpus=1 kswapd=0");
  Kernel& k = m.kernel();
  // Use up Normal and DMA32 first: DMA requests must still come from < 16 MiB.
  std::vector<Page*> held = fill(k, gfp::NOWAIT | gfp::DMA32);
  for (int i = 0; i < 100; ++i) {
    Page* p = k.alloc_pages(gfp::ATOMIC | gfp::DMA, 0);
    ASSERT_NE(p, nullptr);
    EXPECT_LT(k.page_to_phys(p), 16ULL << 20);
    held.push_back(p);
  }
  for (Page* p : held) {
    if (k.page_zone(p)->idx != ZONE_DMA) {
      EXPECT_LT(k.page_to_phys(p), 4ULL << 30);
    }
  }
  release(k, held);
}

TEST(GfpContract, MovableAndReclaimableTogetherIsWarnedAndTreatedAsMovable) {
  Machine m("mem=64M cpus=1 kswapd=0");
  Kernel& k = m.kernel();
  Page* p = k.alloc_pages(gfp::KERNEL | gfp::MOVABLE | gfp::RECLAIMABLE, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(k.bug_count(BUG_WARN), 1u);
  EXPECT_TRUE(contains(m.take_log(), "__GFP_MOVABLE|__GFP_RECLAIMABLE"));
  k.free_pages(p, 0);
  EXPECT_TRUE(invariants_ok(k));
}

TEST(GfpContract, NofailThatCannotBlockWarnsAndFails) {
  Machine m("mem=64M cpus=1 kswapd=0");
  Kernel& k = m.kernel();
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  std::vector<Page*> deeper = fill(k, gfp::ATOMIC);
  EXPECT_EQ(k.alloc_pages(gfp::ATOMIC | gfp::NOFAIL | gfp::NOWARN, 0), nullptr);
  EXPECT_TRUE(contains(m.take_log(), "__GFP_NOFAIL without __GFP_DIRECT_RECLAIM"));
  release(k, deeper);
  release(k, held);
}

TEST(GfpContract, OnlyHighPriorityAtomicRequestsReserveHighAtomicPageblocks) {
  // The reserve is taken in the slow path only, so work between min and low.
  Machine m("mem=64M cpus=1 pcp=0 kswapd=0");
  Kernel& k = m.kernel();
  std::vector<Page*> held = fill(k, gfp::NOWAIT);
  for (int i = 0; i < 64; ++i) {
    k.free_pages(held.back(), 0);
    held.pop_back();
  }
  auto reserved = [&] {
    return zone(k, ZONE_DMA32).nr_reserved_highatomic.load() +
           zone(k, ZONE_DMA).nr_reserved_highatomic.load();
  };
  Page* p = k.alloc_pages(gfp::NOWAIT, 2);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reserved(), 0u);
  Page* q = k.alloc_pages(gfp::ATOMIC, 2);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(reserved(), pageblock_nr_pages);
  k.free_pages(p, 2);
  k.free_pages(q, 2);
  release(k, held);
}

}  // namespace
}  // namespace kmem_test
