// SPDX-License-Identifier: MIT
// Objects crossing CPUs: allocated on CPU 0, freed on CPU 1 (and the other
// way, at the same time), reuse of remote frees by the freeing CPU, the
// shared path of a thread that owns no CPU slot; the slab lists stay
// consistent and shrinking gives every page back.
#include <atomic>
#include <mutex>

#include "helpers.h"

namespace kmem_test {
namespace {

using CrossCpu = SlabTest;

TEST_F(CrossCpu, AllocOnZeroFreeOnOne) {
  KmemCache* s = create("xcpu", 128, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  const unsigned long slab_before = slab_pages_net();
  std::vector<u64*> objs;
  for (u64 i = 0; i < 500; ++i) {
    auto* o = static_cast<u64*>(k().kmem_cache_alloc(s, gfp::KERNEL));
    ASSERT_NE(o, nullptr);
    o[0] = i ^ 0xabcdef;
    o[15] = ~i;
    objs.push_back(o);
  }
  const unsigned long slabs = info(s).num_slabs;
  on_cpu(1, [&] {
    ASSERT_EQ(k().this_cpu().cpu, 1u);
    ASSERT_TRUE(k().this_cpu().exclusive);
    for (u64 i = 0; i < objs.size(); ++i) {
      ASSERT_EQ(objs[i][0], i ^ 0xabcdef);
      ASSERT_EQ(objs[i][15], ~i);
      k().kmem_cache_free(s, objs[i]);
    }
    EXPECT_TRUE(slab_ok(k()));
    // CPU 1 reuses what it freed: its sheaves hand the last frees back.
    std::set<void*> freed(objs.begin(), objs.end());
    std::vector<void*> again;
    for (int i = 0; i < 50; ++i) {
      void* o = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(o, nullptr);
      EXPECT_TRUE(freed.count(o)) << "CPU 1 got an object it did not free";
      again.push_back(o);
    }
    // LIFO: the first one back is the last one freed.
    EXPECT_EQ(again[0], objs.back());
    for (void* o : again) k().kmem_cache_free(s, o);
  });
  EXPECT_TRUE(slab_ok(k()));
  // No new slab was needed for CPU 1's allocations.
  EXPECT_EQ(info(s).num_slabs, slabs);
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  EXPECT_EQ(info(s).num_slabs, 0u);
  EXPECT_EQ(slab_pages_net(), slab_before);
  EXPECT_TRUE(slab_ok(k()));
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bad_frees(), 0u);
  EXPECT_EQ(m().take_log(), "");
}

TEST_F(CrossCpu, KmallocOnZeroKfreeOnOne) {
  const size_t sizes[] = {8, 40, 96, 150, 256, 1000, 3000, 8000, 20000};
  for (size_t sz : sizes)
    if (KmemCache* s = k().kmalloc_slab(sz, gfp::KERNEL)) k().kmem_cache_shrink(s);
  const unsigned long free_before = free_pages_net();
  std::vector<void*> objs;
  for (int round = 0; round < 40; ++round)
    for (size_t sz : sizes) {
      void* o = k().kmalloc(sz, gfp::KERNEL);
      ASSERT_NE(o, nullptr);
      std::memset(o, 0x6e, sz);
      objs.push_back(o);
    }
  on_cpu(1, [&] {
    for (void* o : objs) k().kfree(o);
  });
  EXPECT_TRUE(slab_ok(k()));
  for (size_t sz : sizes)
    if (KmemCache* s = k().kmalloc_slab(sz, gfp::KERNEL)) k().kmem_cache_shrink(s);
  EXPECT_EQ(free_pages_net(), free_before);
  EXPECT_EQ(bad_frees(), 0u);
}

TEST_F(CrossCpu, BothWaysAtOnce) {
  // Two threads on CPUs 0 and 1 each allocate, hand half of their objects
  // to the other through a locked queue and free what they receive.
  KmemCache* s = create("pingpong", 192, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  const unsigned long slab_before = slab_pages_net();
  std::mutex mu;
  std::vector<u64*> to[2];
  std::atomic<int> done{0};
  std::atomic<u64> errors{0};
  auto worker = [&](unsigned cpu) {
    Machine::bind_current_thread(cpu);
    if (!k().this_cpu().exclusive || k().this_cpu().cpu != cpu) errors.fetch_add(1);
    std::vector<u64*> mine;
    u64 serial = u64(cpu) << 40;
    for (int i = 0; i < 20000; ++i) {
      if (i % 3 != 2) {
        auto* o = static_cast<u64*>(k().kmem_cache_alloc(s, gfp::KERNEL));
        if (o == nullptr) {
          errors.fetch_add(1);
          continue;
        }
        o[0] = ++serial;
        o[1] = ~serial;
        if (i % 2) {
          std::lock_guard<std::mutex> g(mu);
          to[cpu ^ 1].push_back(o);
        } else {
          mine.push_back(o);
        }
      } else {
        std::vector<u64*> got;
        {
          std::lock_guard<std::mutex> g(mu);
          got.swap(to[cpu]);
        }
        got.insert(got.end(), mine.begin(), mine.end());
        mine.clear();
        for (u64* o : got) {
          if (o[1] != ~o[0]) errors.fetch_add(1);
          o[1] = 0;
          k().kmem_cache_free(s, o);
        }
      }
    }
    for (u64* o : mine) k().kmem_cache_free(s, o);
    done.fetch_add(1);
  };
  // The test thread owns CPU 0: rebinding it releases the slot (it claims
  // a slot again only when it next calls into the machine, after the join).
  Machine::bind_current_thread(1);
  std::thread t0(worker, 0u), t1(worker, 1u);
  t0.join();
  t1.join();
  Machine::bind_current_thread(0);
  for (auto& q : to)
    for (u64* o : q) {
      EXPECT_EQ(o[1], ~o[0]);
      k().kmem_cache_free(s, o);
    }
  EXPECT_EQ(errors.load(), 0u);
  EXPECT_EQ(done.load(), 2);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  EXPECT_EQ(slab_pages_net(), slab_before);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bad_frees(), 0u);
}

TEST_F(CrossCpu, ThreadWithoutASlotUsesTheSharedPath) {
  // The test thread owns CPU 0; a second thread bound to CPU 0 cannot own
  // it and works on the slabs directly (or, without membarrier, through the
  // slot's lock): the objects are the same, the lists stay consistent.
  KmemCache* s = create("shared_path", 64, SLAB_NO_MERGE);
  ASSERT_NE(s, nullptr);
  std::vector<void*> from_owner;
  for (int i = 0; i < 300; ++i) from_owner.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
  std::vector<void*> from_shared;
  on_cpu(0, [&] {
    EXPECT_FALSE(k().this_cpu().exclusive);
    for (void* o : from_owner) k().kmem_cache_free(s, o);
    for (int i = 0; i < 300; ++i) {
      void* o = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(o, nullptr);
      std::memset(o, 0x99, 64);
      from_shared.push_back(o);
    }
    EXPECT_TRUE(slab_ok(k()));
  });
  std::set<void*> uniq(from_shared.begin(), from_shared.end());
  EXPECT_EQ(uniq.size(), from_shared.size());
  for (void* o : from_shared) k().kmem_cache_free(s, o);
  EXPECT_TRUE(slab_ok(k()));
  EXPECT_EQ(k().kmem_cache_shrink(s), 0);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bad_frees(), 0u);
}

}  // namespace
}  // namespace kmem_test
