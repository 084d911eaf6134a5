// SPDX-License-Identifier: MIT
// A seeded random mix of kmalloc (every size class and large), kfree,
// krealloc, cache alloc/free, bulk alloc/free and shrink on one thread,
// with the slab layer's invariants checked after every step and every live
// object stamped (id at both ends) and verified when freed.
#include <algorithm>
#include <random>

#include "helpers.h"

namespace kmem_test {
namespace {

constexpr int kOps = 100000;
constexpr size_t kMaxLive = 1500;

struct Obj {
  void* p;
  size_t size;   // bytes stamped (the request)
  KmemCache* s;  // nullptr: kmalloc
  u64 id;
};

class RandomSlab : public SlabTest {
 protected:
  void stamp(Obj& o) {
    auto* b = static_cast<u8*>(o.p);
    std::memcpy(b, &o.id, std::min(o.size, sizeof o.id));
    if (o.size >= 2 * sizeof(u64)) {
      u64 tail = ~o.id;
      std::memcpy(b + o.size - sizeof tail, &tail, sizeof tail);
    }
  }
  bool intact(const Obj& o) {
    const auto* b = static_cast<const u8*>(o.p);
    u64 head = 0;
    std::memcpy(&head, b, std::min(o.size, sizeof head));
    u64 want = o.id;
    if (o.size < sizeof want) want &= (u64(1) << (8 * o.size)) - 1;
    if (head != want) return false;
    if (o.size >= 2 * sizeof(u64)) {
      u64 tail;
      std::memcpy(&tail, b + o.size - sizeof tail, sizeof tail);
      if (tail != ~o.id) return false;
    }
    return true;
  }
  size_t pick_size(std::mt19937_64& rng) {
    unsigned r = unsigned(rng() % 1000);
    if (r < 500) return 1 + rng() % 256;
    if (r < 850) return 257 + rng() % 1800;
    if (r < 990) return 2049 + rng() % 6144;
    return 8193 + rng() % (64 * 1024);
  }
};

TEST_F(RandomSlab, InvariantsHoldAfterEveryStep) {
  std::mt19937_64 rng(20240604);
  KmemCacheArgs hw{};
  KmemCache* caches[] = {create("rnd_24", 24, SLAB_NO_MERGE),
                         create("rnd_200", 200, SLAB_NO_MERGE | SLAB_RECLAIM_ACCOUNT),
                         create("rnd_700", 700, SLAB_HWCACHE_ALIGN | SLAB_NO_MERGE, &hw)};
  for (KmemCache* s : caches) ASSERT_NE(s, nullptr);
  auto shrink_everything = [&] {
    for (KmemCache* s : caches) k().kmem_cache_shrink(s);
    for (gfp_t g : {gfp::KERNEL, gfp::KERNEL | gfp::RECLAIMABLE, gfp::KERNEL | gfp::DMA})
      for (size_t sz : {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192})
        k().kmem_cache_shrink(k().kmalloc_slab(sz, g));
  };
  shrink_everything();
  const unsigned long slab_start = slab_pages_net();

  std::vector<Obj> live;
  u64 next_id = 1;
  u64 counts[8] = {};
  auto take = [&](size_t j) {
    Obj o = live[j];
    live[j] = live.back();
    live.pop_back();
    return o;
  };
  auto check_and_free = [&](const Obj& o) {
    EXPECT_TRUE(intact(o)) << "object " << o.id << " corrupted or handed out twice";
    if (o.s) k().kmem_cache_free(o.s, o.p);
    else k().kfree(o.p);
  };
  char msg[512];
  for (int op = 0; op < kOps; ++op) {
    const bool full = live.size() >= kMaxLive;
    unsigned r = unsigned(rng() % 100);
    if (full && r < 50) r += 50;  // too many live: free instead
    if (live.empty() && r >= 50) r = 0;
    if (r < 30) {  // kmalloc
      size_t sz = pick_size(rng);
      gfp_t g = gfp::KERNEL;
      if (rng() % 10 == 0) g |= gfp::RECLAIMABLE;
      if (rng() % 50 == 0) g |= gfp::DMA;
      void* p = k().kmalloc(sz, g);
      ASSERT_NE(p, nullptr) << "op " << op;
      ASSERT_GE(k().ksize(p), sz);
      Obj o{p, sz, nullptr, next_id++};
      stamp(o);
      live.push_back(o);
      ++counts[0];
    } else if (r < 48) {  // cache alloc
      KmemCache* s = caches[rng() % 3];
      void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
      ASSERT_NE(p, nullptr);
      Obj o{p, s->object_size, s, next_id++};
      stamp(o);
      live.push_back(o);
      ++counts[1];
    } else if (r < 50) {  // bulk alloc
      KmemCache* s = caches[rng() % 3];
      size_t n = 1 + rng() % 40;
      std::vector<void*> p(n);
      ASSERT_EQ(k().kmem_cache_alloc_bulk(s, gfp::KERNEL, n, p.data()), int(n));
      for (void* q : p) {
        Obj o{q, s->object_size, s, next_id++};
        stamp(o);
        live.push_back(o);
      }
      ++counts[2];
    } else if (r < 90) {  // free one
      check_and_free(take(rng() % live.size()));
      ++counts[3];
    } else if (r < 95) {  // bulk free: one cache, or kfree_bulk of kmalloc objects
      const bool kmalloc_bulk = rng() % 2;
      KmemCache* s = caches[rng() % 3];
      std::vector<void*> batch;
      for (size_t tries = 0; tries < 60 && !live.empty() && batch.size() < 30; ++tries) {
        size_t j = rng() % live.size();
        if (kmalloc_bulk ? live[j].s != nullptr : live[j].s != s) continue;
        Obj o = take(j);
        EXPECT_TRUE(intact(o));
        batch.push_back(o.p);
      }
      k().kmem_cache_free_bulk(kmalloc_bulk ? nullptr : s, batch.size(), batch.data());
      ++counts[4];
    } else if (r < 98) {  // krealloc a kmalloc object
      size_t j = rng() % live.size();
      if (live[j].s != nullptr) continue;
      Obj o = take(j);
      EXPECT_TRUE(intact(o));
      const size_t nsz = pick_size(rng);
      u8 prefix[64];
      const size_t keep = std::min({o.size, nsz, sizeof prefix});
      std::memcpy(prefix, o.p, keep);
      void* q = k().krealloc(o.p, nsz, gfp::KERNEL);
      ASSERT_NE(q, nullptr);
      // The prefix both sizes share survives the move.
      EXPECT_EQ(std::memcmp(prefix, q, keep), 0) << "krealloc lost the contents";
      Obj n{q, nsz, nullptr, next_id++};
      stamp(n);
      live.push_back(n);
      ++counts[5];
    } else {  // shrink one cache
      if (rng() % 2) k().kmem_cache_shrink(caches[rng() % 3]);
      else k().kmem_cache_shrink(k().kmalloc_slab(pick_size(rng) % 8192 + 1, gfp::KERNEL));
      ++counts[6];
    }
    if (!k().slab_check_invariants(msg, sizeof msg)) {
      ADD_FAILURE() << "op " << op << ": " << msg;
      break;
    }
  }
  for (const Obj& o : live) check_and_free(o);
  live.clear();
  EXPECT_TRUE(slab_ok(k()));
  shrink_everything();
  EXPECT_EQ(slab_pages_net(), slab_start);
  for (KmemCache* s : caches) {
    EXPECT_EQ(info(s).num_slabs, 0u) << s->name;
    k().kmem_cache_destroy(s);
  }
  EXPECT_EQ(bad_frees(), 0u);
  EXPECT_EQ(k().bug_count(BUG_SLAB), 0u);
  EXPECT_EQ(m().take_log(), "");
  for (int i = 0; i < 7; ++i) EXPECT_GT(counts[i], 0u) << "operation kind " << i << " never ran";
}

}  // namespace
}  // namespace kmem_test
