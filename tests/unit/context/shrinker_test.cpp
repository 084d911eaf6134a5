// SPDX-License-Identifier: MIT
// Shrinkers (mm/shrinker.c, mm/vmscan.c do_shrink_slab): the scan
// arithmetic with its batches and deferred work, SHRINK_STOP and
// SHRINK_EMPTY, SHRINKER_FS under GFP_NOFS and NOFS scopes, NUMA-aware
// calls, shrinker_free waiting for a callback in progress, drop_slab.
#include <algorithm>
#include <mutex>
#include <vector>

#include "context_helpers.h"

namespace kmem_test {
namespace {

// A cache of `objects` virtual objects (no memory behind them) that
// records every call reclaim makes.
struct FakeCache {
  Kernel& k;
  Shrinker* s;
  unsigned long objects;
  std::vector<unsigned long> scans;  // nr_to_scan of each scan_objects call
  std::vector<int> nids;             // sc->nid of each count_objects call
  int count_calls = 0;
  bool stop = false;                   // scan_objects says SHRINK_STOP
  unsigned long scanned_per_call = 0;  // lower sc->nr_scanned to this (0: leave it)

  FakeCache(Kernel& kk, unsigned long n, unsigned flags = 0, const char* name = "fake")
      : k(kk), objects(n) {
    s = k.shrinker_alloc(flags, name);
    EXPECT_NE(s, nullptr);
    s->private_data = this;
    s->count_objects = [](Shrinker* sh, ShrinkControl* sc) -> unsigned long {
      auto* c = static_cast<FakeCache*>(sh->private_data);
      ++c->count_calls;
      c->nids.push_back(sc->nid);
      return c->objects;
    };
    s->scan_objects = [](Shrinker* sh, ShrinkControl* sc) -> unsigned long {
      auto* c = static_cast<FakeCache*>(sh->private_data);
      c->scans.push_back(sc->nr_to_scan);
      if (c->stop) return SHRINK_STOP;
      if (c->scanned_per_call) sc->nr_scanned = c->scanned_per_call;
      unsigned long freed = std::min(sc->nr_scanned, c->objects);
      c->objects -= freed;
      return freed;
    };
  }
  void enable() { k.shrinker_register(s); }
  ~FakeCache() { k.shrinker_free(s); }
  long deferred(int nid = 0) const { return s->nr_deferred[nid].load(); }
};

std::vector<unsigned long> batches(size_t n, unsigned long each) {
  return std::vector<unsigned long>(n, each);
}

using Shrinkers = ContextTest;

TEST_F(Shrinkers, AllocatedButNotRegisteredIsNotCalled) {
  Machine m(kSmall);
  FakeCache c(m.kernel(), 1000);
  EXPECT_EQ(m.kernel().shrink_slab(gfp::KERNEL, 0, 0), 0u);
  EXPECT_EQ(c.count_calls, 0);
}

TEST_F(Shrinkers, GentlePriorityLeavesASmallCacheAlone) {
  Machine m(kSmall);
  FakeCache c(m.kernel(), 1000);
  c.enable();
  // (1000 >> 12) * 4 / 2 = 0 objects to scan.
  EXPECT_EQ(m.kernel().shrink_slab(gfp::KERNEL, 0, DEF_PRIORITY), 0u);
  EXPECT_EQ(c.count_calls, 1);
  EXPECT_TRUE(c.scans.empty());
  EXPECT_EQ(c.deferred(), 0);
}

TEST_F(Shrinkers, PriorityTwelveScansFullBatchesAndDefersTheRest) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache c(k, 1000000);
  c.enable();
  // delta = (1000000 >> 12) * 4 / 2 = 488: three batches of 128, 104 left
  // over (less than a batch and than the cache) is deferred.
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 12), 384u);
  EXPECT_EQ(c.scans, batches(3, 128));
  EXPECT_EQ(c.deferred(), 104);
  // Next pass: 104 >> 12 = 0 of the deferred work is added, the same delta,
  // and what is left over accumulates.
  c.scans.clear();
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 12), 384u);
  EXPECT_EQ(c.scans, batches(3, 128));
  EXPECT_EQ(c.deferred(), 208);
  EXPECT_EQ(c.objects, 1000000u - 768);
}

TEST_F(Shrinkers, PriorityZeroScansEverything) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache c(k, 1000);
  c.enable();
  const u64 scanned_before = k.sum_vm_event(SLABS_SCANNED);
  // delta = 1000 * 4 / 2 = 2000 (capped at 2 * freeable): 15 batches, the
  // last 80 deferred.
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 0), 1000u);
  EXPECT_EQ(c.objects, 0u);
  EXPECT_EQ(c.scans, batches(15, 128));
  EXPECT_EQ(c.deferred(), 80);
  EXPECT_EQ(k.sum_vm_event(SLABS_SCANNED) - scanned_before, 15u * 128);
  // An empty cache is not scanned and its deferred work stays.
  c.scans.clear();
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 0), 0u);
  EXPECT_TRUE(c.scans.empty());
  EXPECT_EQ(c.deferred(), 80);
}

TEST_F(Shrinkers, DeferredWorkIsCarriedIntoTheNextCall) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache c(k, 1000);
  c.s->seeks = 16;  // expensive objects: a quarter of what is freeable
  c.enable();
  // delta = 1000 * 4 / 16 = 250: one batch, 122 deferred.
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 0), 128u);
  EXPECT_EQ(c.deferred(), 122);
  // delta = 872 * 4 / 16 = 218, plus the 122 deferred: 340, two batches.
  // Without the carry it would have been one.
  c.scans.clear();
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 0), 256u);
  EXPECT_EQ(c.scans, batches(2, 128));
  EXPECT_EQ(c.deferred(), 122 + 218 - 256);
}

TEST_F(Shrinkers, BatchAndSeeksZero) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache a(k, 1000, 0, "batched");
  a.s->batch = 100;
  a.enable();
  FakeCache b(k, 1000, 0, "cheap");
  b.s->seeks = 0;  // freeable / 2 whatever the priority
  b.enable();
  k.shrink_slab(gfp::KERNEL, 0, 0);
  EXPECT_EQ(a.scans, batches(20, 100));  // 2000 in batches of 100
  EXPECT_EQ(a.deferred(), 0);
  EXPECT_EQ(b.scans, batches(3, 128));  // 500: three batches, 116 deferred
  EXPECT_EQ(b.deferred(), 116);
}

TEST_F(Shrinkers, AShrinkerMayScanFewerThanAsked) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache c(k, 1000);
  c.scanned_per_call = 64;
  c.enable();
  const u64 before = k.sum_vm_event(SLABS_SCANNED);
  k.shrink_slab(gfp::KERNEL, 0, 0);
  // 2000 to scan, 64 at a time, while at least a batch (128) is left.
  EXPECT_EQ(c.scans.size(), 30u);
  EXPECT_EQ(k.sum_vm_event(SLABS_SCANNED) - before, 30u * 64);
  EXPECT_EQ(c.deferred(), 2000 - 30 * 64);
}

TEST_F(Shrinkers, ShrinkStopEndsThePassAndDefersTheWork) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache c(k, 1000);
  c.stop = true;
  c.enable();
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 0), 0u);
  EXPECT_EQ(c.scans.size(), 1u);
  EXPECT_EQ(c.objects, 1000u);
  EXPECT_EQ(c.deferred(), 2000);  // nothing scanned: all of delta, capped at 2 * 1000
}

TEST_F(Shrinkers, ShrinkEmptyMeansNothingToDo) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache c(k, 0);
  c.s->count_objects = [](Shrinker*, ShrinkControl*) { return SHRINK_EMPTY; };
  c.enable();
  EXPECT_EQ(k.shrink_slab(gfp::KERNEL, 0, 0), 0u);
  EXPECT_TRUE(c.scans.empty());
  EXPECT_EQ(c.deferred(), 0);
}

TEST_F(Shrinkers, FilesystemShrinkerIsLeftOutOfNofsReclaim) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  FakeCache fs(k, 1000, SHRINKER_FS, "fs");
  FakeCache plain(k, 1000, 0, "plain");
  fs.enable();
  plain.enable();
  k.shrink_slab(gfp::NOFS, 0, 0);
  k.shrink_slab(gfp::NOIO, 0, 0);
  EXPECT_EQ(fs.count_calls, 0);
  EXPECT_EQ(plain.count_calls, 2);
  k.shrink_slab(gfp::KERNEL, 0, 0);
  EXPECT_EQ(fs.count_calls, 1);
  EXPECT_EQ(fs.objects, 0u);
}

// A cache of real pages, one object = one page, that gives them back.
struct PageCache {
  Kernel& k;
  std::mutex mu;
  std::vector<Page*> pages;
  std::atomic<int> count_calls{0};
  Shrinker* s;

  PageCache(Kernel& kk, size_t n, unsigned flags, const char* name) : k(kk) {
    for (size_t i = 0; i < n; ++i) {
      Page* p = k.alloc_pages(gfp::KERNEL | gfp::RECLAIMABLE, 0);
      EXPECT_NE(p, nullptr);
      if (p) pages.push_back(p);
    }
    s = k.shrinker_alloc(flags, name);
    s->private_data = this;
    s->count_objects = [](Shrinker* sh, ShrinkControl*) -> unsigned long {
      auto* c = static_cast<PageCache*>(sh->private_data);
      ++c->count_calls;
      std::lock_guard<std::mutex> g(c->mu);
      return c->pages.empty() ? SHRINK_EMPTY : c->pages.size();
    };
    s->scan_objects = [](Shrinker* sh, ShrinkControl* sc) -> unsigned long {
      auto* c = static_cast<PageCache*>(sh->private_data);
      std::lock_guard<std::mutex> g(c->mu);
      unsigned long freed = 0;
      for (; freed < sc->nr_to_scan && !c->pages.empty(); ++freed) {
        c->k.free_pages(c->pages.back(), 0);
        c->pages.pop_back();
      }
      return freed;
    };
    k.shrinker_register(s);
  }
  ~PageCache() {
    k.shrinker_free(s);
    for (Page* p : pages) k.free_pages(p, 0);
  }
  size_t size() {
    std::lock_guard<std::mutex> g(mu);
    return pages.size();
  }
};

TEST_F(Shrinkers, DirectReclaimInANofsScopeLeavesTheFilesystemAlone) {
  Machine m("mem=64M cpus=1 kswapd=0 oom_wait_ms=0");
  Kernel& k = m.kernel();
  PageCache fs(k, 1000, SHRINKER_FS, "fs-cache");
  PageCache plain(k, 1000, 0, "plain-cache");
  std::vector<Page*> held;
  while (Page* p = k.alloc_pages(gfp::NOWAIT | gfp::NOWARN, 0)) held.push_back(p);

  unsigned scope = memalloc_nofs_save();
  Page* p = k.alloc_pages(gfp::KERNEL | gfp::NORETRY, 0);  // direct reclaim
  memalloc_nofs_restore(scope);
  ASSERT_NE(p, nullptr) << "the plain cache could have given memory back";
  held.push_back(p);
  EXPECT_EQ(fs.count_calls.load(), 0) << "NOFS reclaim entered a filesystem shrinker";
  EXPECT_EQ(fs.size(), 1000u);
  EXPECT_LT(plain.size(), 1000u);

  // Outside the scope the same allocation may enter the filesystem.
  while (Page* q = k.alloc_pages(gfp::NOWAIT | gfp::NOWARN, 0)) held.push_back(q);
  p = k.alloc_pages(gfp::KERNEL | gfp::NORETRY, 0);
  ASSERT_NE(p, nullptr);
  held.push_back(p);
  EXPECT_GT(fs.count_calls.load(), 0);
  for (Page* q : held) k.free_pages(q, 0);
}

TEST_F(Shrinkers, NumaAwareShrinkersSeeTheNode) {
  Machine m("mem=128M numa=2 cpus=2 kswapd=0");
  Kernel& k = m.kernel();
  ASSERT_EQ(k.nr_node_ids(), 2);
  FakeCache aware(k, 1000, SHRINKER_NUMA_AWARE, "aware");
  FakeCache plain(k, 1000, 0, "plain");
  aware.enable();
  plain.enable();
  aware.stop = plain.stop = true;  // leave the objects, keep the deferred work
  k.shrink_slab(gfp::KERNEL, 1, 0);
  EXPECT_EQ(aware.nids, std::vector<int>{1});
  EXPECT_EQ(plain.nids, std::vector<int>{0});
  EXPECT_EQ(aware.deferred(1), 2000);  // deferred work is kept per node
  EXPECT_EQ(aware.deferred(0), 0);
  EXPECT_EQ(plain.deferred(0), 2000);
}

TEST_F(Shrinkers, ShrinkerFreeWaitsForAScanInProgress) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  static std::atomic<bool> inside, release;
  inside = false;
  release = false;
  Shrinker* s = k.shrinker_alloc(0, "slow");
  s->count_objects = [](Shrinker*, ShrinkControl*) -> unsigned long { return 1000; };
  s->scan_objects = [](Shrinker*, ShrinkControl*) -> unsigned long {
    inside = true;
    while (!release) std::this_thread::yield();
    return SHRINK_STOP;
  };
  k.shrinker_register(s);
  std::thread reclaimer([&] { k.shrink_slab(gfp::KERNEL, 0, 0); });
  ASSERT_TRUE(eventually([] { return inside.load(); }));
  std::atomic<bool> freed{false};
  std::thread freer([&] {
    k.shrinker_free(s);
    freed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(freed.load()) << "shrinker_free returned while scan_objects ran";
  release = true;
  reclaimer.join();
  freer.join();
  EXPECT_TRUE(freed.load());
  // Gone: the next pass calls nothing.
  inside = false;
  k.shrink_slab(gfp::KERNEL, 0, 0);
  EXPECT_FALSE(inside.load());
}

TEST_F(Shrinkers, DropSlabEmptiesACache) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  k.drain_all_pages();
  const unsigned long free_before = k.global_free_pages();
  PageCache cache(k, 300, 0, "dentry");
  ASSERT_EQ(cache.size(), 300u);
  const u64 drops = k.sum_vm_event(DROP_SLAB);
  EXPECT_EQ(k.drop_slab(), 300u);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(k.sum_vm_event(DROP_SLAB), drops + 1);
  k.drain_all_pages();
  EXPECT_EQ(k.global_free_pages(), free_before);
  EXPECT_EQ(k.drop_slab(), 0u);  // nothing left
}

TEST_F(Shrinkers, TheMachineHasAFixedNumberOfShrinkers) {
  Machine m(kSmall);
  Kernel& k = m.kernel();
  std::vector<Shrinker*> all;
  while (Shrinker* s = k.shrinker_alloc(0, "many")) {
    all.push_back(s);
    ASSERT_LE(all.size(), MAX_SHRINKERS);
  }
  // (The machine's own caches may hold some of them.)
  EXPECT_GT(all.size(), MAX_SHRINKERS / 2);
  EXPECT_EQ(k.shrinker_alloc(0, "one-more"), nullptr);
  k.shrinker_free(all.back());
  all.pop_back();
  Shrinker* again = k.shrinker_alloc(0, "again");
  ASSERT_NE(again, nullptr);
  EXPECT_STREQ(again->name, "again");
  EXPECT_EQ(again->seeks, DEFAULT_SEEKS);
  all.push_back(again);
  for (Shrinker* s : all) k.shrinker_free(s);
  k.shrinker_free(nullptr);  // ignored
}

}  // namespace
}  // namespace kmem_test
