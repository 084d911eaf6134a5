// SPDX-License-Identifier: MIT
// dma_pool (mm/dmapool.c, 6.18) and dma_alloc_coherent: creation rules,
// alignment and boundary over many blocks, DMA addresses that are physical
// addresses in the zone the device's mask allows, the O(1) free stack, the
// debug poison and the misuse reports.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "helpers.h"

namespace kmem_test {
namespace {

class DmaPools : public MachineTest {
 protected:
  void SetUp() override {
    MachineTest::SetUp();
    mask_ = dma_bit_mask(32);
    dev_ = Device{"test-dev", &mask_, dma_bit_mask(32)};
  }
  // The zone of the page under a kernel address.
  ZoneType zone_of(const void* vaddr) { return k().page_zone(k().virt_to_page(vaddr))->idx; }

  u64 mask_ = 0;
  Device dev_{};
};

TEST_F(DmaPools, CreateFollowsLinuxRules) {
  EXPECT_EQ(dma_pool_create(k(), "p", nullptr, 64, 8, 0), nullptr) << "no device";
  EXPECT_EQ(dma_pool_create(k(), "p", &dev_, 64, 3, 0), nullptr) << "align not a power of two";
  EXPECT_EQ(dma_pool_create(k(), "p", &dev_, 0, 8, 0), nullptr) << "size 0";
  EXPECT_EQ(dma_pool_create(k(), "p", &dev_, size_t(1) << 31, 8, 0), nullptr) << "size > INT_MAX";
  EXPECT_EQ(dma_pool_create(k(), "p", &dev_, 64, 8, 32), nullptr) << "boundary < size";
  EXPECT_EQ(dma_pool_create(k(), "p", &dev_, 64, 8, 96), nullptr) << "boundary not a power of 2";

  struct Case {
    size_t size, align, boundary;
    unsigned want_size, want_allocation, want_boundary;
  } cases[] = {
      {1, 0, 0, 16, 4096, 4096},           // at least a DmaBlock; align 0 means 1
      {20, 32, 0, 32, 4096, 4096},         // rounded up to align
      {24, 8, 64, 24, 4096, 64},           // a boundary
      {100, 4, 1 << 20, 100, 4096, 4096},  // a boundary above the allocation is clamped
      {5000, 8, 0, 5000, 5000, 5000},      // a block larger than a page
      {4096, 4096, 4096, 4096, 4096, 4096},
  };
  for (const Case& c : cases) {
    DmaPool* pool = dma_pool_create(k(), "rules", &dev_, c.size, c.align, c.boundary);
    ASSERT_NE(pool, nullptr) << c.size << "/" << c.align << "/" << c.boundary;
    EXPECT_EQ(pool->size, c.want_size) << c.size;
    EXPECT_EQ(pool->allocation, c.want_allocation) << c.size;
    EXPECT_EQ(pool->boundary, c.want_boundary) << c.size;
    EXPECT_STREQ(pool->name, "rules");
    EXPECT_EQ(pool->nr_pages, 0u) << "pages come with the first allocation";
    dma_pool_destroy(pool);
  }
  // Long names are cut to 31 characters.
  DmaPool* pool = dma_pool_create(k(), "a-very-long-pool-name-0123456789-abcdef", &dev_, 8, 8, 0);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(std::strlen(pool->name), DMA_POOL_NAME_MAX - 1);
  dma_pool_destroy(pool);
  dma_pool_destroy(nullptr);
}

TEST_F(DmaPools, AlignmentAndBoundaryHoldOverManyBlocks) {
  const std::tuple<size_t, size_t, size_t> params[] = {
      {16, 16, 0},    {24, 8, 64},       {48, 16, 128}, {100, 4, 0},
      {100, 32, 512}, {200, 64, 1024},   {512, 512, 0}, {700, 8, 2048},
      {3000, 8, 0},   {1500, 256, 4096}, {40, 8, 4096}, {5000, 64, 0},
  };
  for (auto [size, align, boundary] : params) {
    SCOPED_TRACE(testing::Message()
                 << "size " << size << " align " << align << " boundary " << boundary);
    DmaPool* pool = dma_pool_create(k(), "props", &dev_, size, align, boundary);
    ASSERT_NE(pool, nullptr);
    const size_t bsize = pool->size;
    std::vector<std::pair<void*, dma_addr_t>> blocks;
    for (int i = 0; i < 600; ++i) {
      dma_addr_t dma = 0;
      void* v = dma_pool_alloc(pool, gfp::KERNEL, &dma);
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(v) % align, 0u);
      EXPECT_EQ(dma % align, 0u);
      EXPECT_EQ(k().virt_to_phys(v), dma) << "the DMA address is the physical address";
      if (boundary != 0) {
        EXPECT_EQ(dma / boundary, (dma + bsize - 1) / boundary) << "block crosses the boundary";
      }
      // Within one allocation (the default boundary), counted from its start.
      const u64 alloc_start = dma & ~u64((PAGE_SIZE << get_order(pool->allocation)) - 1);
      EXPECT_LE(dma + bsize, alloc_start + pool->allocation);
      std::memset(v, i & 0xff, bsize);
      blocks.emplace_back(v, dma);
    }
    // No two blocks overlap.
    std::sort(blocks.begin(), blocks.end());
    for (size_t i = 1; i < blocks.size(); ++i)
      EXPECT_LE(static_cast<u8*>(blocks[i - 1].first) + bsize, static_cast<u8*>(blocks[i].first));
    EXPECT_EQ(pool->nr_active, blocks.size());
    const size_t pages = pool->nr_pages;
    for (auto& [v, dma] : blocks) dma_pool_free(pool, v, dma);
    EXPECT_EQ(pool->nr_active, 0u);
    // The same number of blocks fits in the same pages again.
    std::vector<std::pair<void*, dma_addr_t>> again;
    for (size_t i = 0; i < blocks.size(); ++i) {
      dma_addr_t dma = 0;
      void* v = dma_pool_alloc(pool, gfp::ATOMIC, &dma);
      ASSERT_NE(v, nullptr);
      again.emplace_back(v, dma);
    }
    EXPECT_EQ(pool->nr_pages, pages);
    for (auto& [v, dma] : again) dma_pool_free(pool, v, dma);
    dma_pool_destroy(pool);
  }
  EXPECT_EQ(bad_frees(), 0u) << m().take_log();
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(DmaPools, BlocksPerPageMatchLinuxLayout) {
  // 4096 / 24 = 170 blocks without a boundary; with boundary 64 only two
  // 24-byte blocks fit per 64-byte window: 128 blocks a page.
  DmaPool* a = dma_pool_create(k(), "a", &dev_, 24, 8, 0);
  DmaPool* b = dma_pool_create(k(), "b", &dev_, 24, 8, 64);
  DmaPool* c = dma_pool_create(k(), "c", &dev_, 5000, 8, 0);
  dma_addr_t d;
  void* va = dma_pool_alloc(a, gfp::KERNEL, &d);
  void* vb = dma_pool_alloc(b, gfp::KERNEL, &d);
  void* vc = dma_pool_alloc(c, gfp::KERNEL, &d);
  EXPECT_EQ(a->nr_blocks, 170u);
  EXPECT_EQ(b->nr_blocks, 128u);
  EXPECT_EQ(c->nr_blocks, 1u);
  // Blocks of a fresh page come in address order, from its start.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(va) % PAGE_SIZE, 0u);
  dma_addr_t d2;
  void* va2 = dma_pool_alloc(a, gfp::KERNEL, &d2);
  EXPECT_EQ(static_cast<u8*>(va2), static_cast<u8*>(va) + 24);
  // The free stack is LIFO.
  dma_pool_free(a, va2, d2);
  dma_addr_t d3;
  EXPECT_EQ(dma_pool_alloc(a, gfp::KERNEL, &d3), va2);
  EXPECT_EQ(d3, d2);
  dma_pool_free(a, va2, d3);
  dma_pool_free(a, va, k().virt_to_phys(va));
  dma_pool_free(b, vb, k().virt_to_phys(vb));
  dma_pool_free(c, vc, k().virt_to_phys(vc));
  dma_pool_destroy(a);
  dma_pool_destroy(b);
  dma_pool_destroy(c);
  EXPECT_EQ(bad_frees(), 0u) << m().take_log();
}

TEST_F(DmaPools, PoisonAndZeroing) {
  DmaPool* pool = dma_pool_create(k(), "poison", &dev_, 64, 8, 0);
  dma_addr_t dma;
  auto* p = static_cast<u8*>(dma_pool_alloc(pool, gfp::KERNEL, &dma));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(p[i], POOL_POISON_ALLOCATED) << i;
  dma_pool_free(pool, p, dma);
  for (int i = int(sizeof(DmaBlock)); i < 64; ++i) EXPECT_EQ(p[i], POOL_POISON_FREED) << i;
  // The rest of the page is free-poisoned too.
  EXPECT_EQ(p[64 + 20], POOL_POISON_FREED);
  dma_addr_t dz;
  auto* z = static_cast<u8*>(dma_pool_zalloc(pool, gfp::KERNEL, &dz));
  EXPECT_EQ(z, p);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(z[i], 0) << i;
  dma_pool_free(pool, z, dz);
  dma_pool_destroy(pool);
  EXPECT_EQ(warns() + bad_frees(), 0u) << m().take_log();
}

TEST_F(DmaPools, DoubleFreeIsReportedAndIgnored) {
  DmaPool* pool = dma_pool_create(k(), "dbl", &dev_, 32, 8, 0);
  dma_addr_t a_dma, b_dma;
  void* a = dma_pool_alloc(pool, gfp::KERNEL, &a_dma);
  void* b = dma_pool_alloc(pool, gfp::KERNEL, &b_dma);
  dma_pool_free(pool, a, a_dma);
  EXPECT_EQ(bad_frees(), 0u);
  dma_pool_free(pool, a, a_dma);
  EXPECT_EQ(bad_frees(), 1u);
  char want[128];
  std::snprintf(want, sizeof want, "test-dev: dma_pool_free dbl, dma 0x%016llx already free",
                static_cast<unsigned long long>(a_dma));
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, want)) << log;
  EXPECT_EQ(pool->nr_active, 1u);
  // The stack is intact: a comes back once, then fresh blocks.
  dma_addr_t d1, d2;
  void* x = dma_pool_alloc(pool, gfp::KERNEL, &d1);
  void* y = dma_pool_alloc(pool, gfp::KERNEL, &d2);
  EXPECT_EQ(x, a);
  EXPECT_NE(y, a);
  EXPECT_NE(y, b);
  dma_pool_free(pool, x, d1);
  dma_pool_free(pool, y, d2);
  dma_pool_free(pool, b, b_dma);
  // A block that merely looks free (its bytes copied from a free block)
  // is not taken for a double free.
  dma_addr_t c_dma;
  auto* c = static_cast<u8*>(dma_pool_alloc(pool, gfp::KERNEL, &c_dma));
  std::memset(c, POOL_POISON_FREED, 32);
  reinterpret_cast<DmaBlock*>(c)->dma = c_dma;
  dma_pool_free(pool, c, c_dma);
  EXPECT_EQ(bad_frees(), 1u) << m().take_log();
  EXPECT_EQ(pool->nr_active, 0u);
  dma_pool_destroy(pool);
}

TEST_F(DmaPools, BadDmaAndBadVaddrAreReported) {
  DmaPool* pool = dma_pool_create(k(), "bad", &dev_, 64, 64, 0);
  dma_addr_t a_dma, b_dma;
  auto* a = static_cast<u8*>(dma_pool_alloc(pool, gfp::KERNEL, &a_dma));
  auto* b = static_cast<u8*>(dma_pool_alloc(pool, gfp::KERNEL, &b_dma));

  dma_pool_free(pool, a, a_dma + 64 * PAGE_SIZE * 1024);
  EXPECT_EQ(bad_frees(), 1u);
  EXPECT_TRUE(contains(m().take_log(), "test-dev: dma_pool_free bad, 0x"));

  dma_pool_free(pool, a, b_dma);  // a real block, the other one's address
  EXPECT_EQ(bad_frees(), 2u);
  EXPECT_TRUE(contains(m().take_log(), "(bad vaddr)/0x"));

  dma_pool_free(pool, a + 8, a_dma + 8);  // consistent, but inside a block
  EXPECT_EQ(bad_frees(), 3u);
  EXPECT_TRUE(contains(m().take_log(), "(bad vaddr)"));
  EXPECT_EQ(pool->nr_active, 2u);

  dma_pool_free(pool, a, a_dma);
  dma_pool_free(pool, b, b_dma);
  EXPECT_EQ(bad_frees(), 3u);
  dma_pool_destroy(pool);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(DmaPools, WriteAfterFreeIsReportedAtTheNextAlloc) {
  DmaPool* pool = dma_pool_create(k(), "uaf", &dev_, 64, 8, 0);
  dma_addr_t dma;
  auto* p = static_cast<u8*>(dma_pool_alloc(pool, gfp::KERNEL, &dma));
  dma_pool_free(pool, p, dma);
  p[40] = 0x42;  // use after free
  dma_addr_t again;
  EXPECT_EQ(dma_pool_alloc(pool, gfp::KERNEL, &again), p);
  EXPECT_EQ(warns(), 1u);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "test-dev: dma_pool_alloc uaf, 0x")) << log;
  EXPECT_TRUE(contains(log, "(corrupted)")) << log;
  EXPECT_TRUE(contains(log, "00000020: a7 a7 a7 a7 a7 a7 a7 a7 42 a7")) << log;
  dma_pool_free(pool, p, again);
  dma_pool_destroy(pool);
}

TEST_F(DmaPools, DestroyBusyReportsAndLeaksThePages) {
  DmaPool* pool = dma_pool_create(k(), "busy", &dev_, 128, 8, 0);
  dma_addr_t dma;
  void* v = dma_pool_alloc(pool, gfp::KERNEL, &dma);
  Page* page = k().virt_to_page(v);
  dma_pool_destroy(pool);
  EXPECT_EQ(warns(), 1u);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "test-dev: dma_pool_destroy busy busy")) << log;
  // The device may still be using the block: its page stays allocated.
  EXPECT_TRUE(k().block_is_allocated(page, 0));
  std::memset(v, 0, 128);
}

TEST_F(DmaPools, DestroyReturnsEveryPage) {
  DmaPool* pool = dma_pool_create(k(), "clean", &dev_, 1024, 8, 0);
  std::vector<std::pair<void*, dma_addr_t>> blocks;
  for (int i = 0; i < 40; ++i) {
    dma_addr_t dma;
    blocks.emplace_back(dma_pool_alloc(pool, gfp::KERNEL, &dma), dma);
  }
  EXPECT_EQ(pool->nr_pages, 10u);
  std::set<Page*> pages;
  for (auto& [v, dma] : blocks) {
    pages.insert(k().pfn_to_page(phys_pfn(dma)));
    dma_pool_free(pool, v, dma);
  }
  dma_pool_destroy(pool);
  k().drain_all_pages();
  for (Page* p : pages) EXPECT_FALSE(k().block_is_allocated(p, 0));
  EXPECT_EQ(warns() + bad_frees(), 0u) << m().take_log();
}

TEST_F(DmaPools, BlockingAllocInAtomicContextIsReported) {
  DmaPool* pool = dma_pool_create(k(), "ctx", &dev_, 64, 8, 0);
  KSpinlock lock{};
  unsigned long flags = spin_lock_irqsave(&lock);
  dma_addr_t d1, d2;
  void* ok = dma_pool_alloc(pool, gfp::ATOMIC, &d1);
  EXPECT_EQ(k().bug_count(BUG_ATOMIC_SLEEP), 0u);
  void* bad = dma_pool_alloc(pool, gfp::KERNEL, &d2);
  spin_unlock_irqrestore(&lock, flags);
  EXPECT_NE(ok, nullptr);
  EXPECT_NE(bad, nullptr);
  EXPECT_GE(k().bug_count(BUG_ATOMIC_SLEEP), 1u);
  dma_pool_free(pool, ok, d1);
  dma_pool_free(pool, bad, d2);
  dma_pool_destroy(pool);
  m().take_log();
}

TEST_F(DmaPools, ConcurrentAllocAndFree) {
  DmaPool* pool = dma_pool_create(k(), "mt", &dev_, 48, 16, 256);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<std::pair<u8*, dma_addr_t>> mine;
      for (int i = 0; i < 4000; ++i) {
        dma_addr_t dma;
        auto* v = static_cast<u8*>(dma_pool_alloc(pool, (i & 1) ? gfp::ATOMIC : gfp::KERNEL, &dma));
        ASSERT_NE(v, nullptr);
        v[16] = u8(t);
        mine.emplace_back(v, dma);
        if (mine.size() > 50 || (i % 13) == 0) {
          for (auto& [b, d] : mine) {
            EXPECT_EQ(b[16], u8(t)) << "a block handed to two threads";
            dma_pool_free(pool, b, d);
          }
          mine.clear();
        }
      }
      for (auto& [b, d] : mine) dma_pool_free(pool, b, d);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(pool->nr_active, 0u);
  // Every block is on the free stack exactly once.
  std::set<DmaBlock*> seen;
  for (DmaBlock* b = pool->next_block; b != nullptr; b = b->next_block)
    EXPECT_TRUE(seen.insert(b).second);
  EXPECT_EQ(seen.size(), pool->nr_blocks);
  dma_pool_destroy(pool);
  EXPECT_EQ(warns() + bad_frees(), 0u) << m().take_log();
}

// ---- coherent memory and zones ---------------------------------------------------------------

TEST_F(DmaPools, Isa24BitDeviceGetsZoneDma) {
  u64 mask = dma_bit_mask(24);
  Device isa{"isa", &mask, dma_bit_mask(24)};
  DmaPool* pool = dma_pool_create(k(), "isa", &isa, 256, 16, 0);
  ASSERT_NE(pool, nullptr);
  std::vector<std::pair<void*, dma_addr_t>> blocks;
  for (int i = 0; i < 100; ++i) {
    dma_addr_t dma;
    void* v = dma_pool_alloc(pool, gfp::KERNEL, &dma);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(dma, k().virt_to_phys(v));
    EXPECT_LT(dma + 256, 16 * SZ_1M);
    EXPECT_EQ(zone_of(v), ZONE_DMA);
    blocks.emplace_back(v, dma);
  }
  for (auto& [v, dma] : blocks) dma_pool_free(pool, v, dma);
  dma_pool_destroy(pool);

  // dma_alloc_coherent ignores the caller's zone bits and zeroes.
  dma_addr_t h;
  auto* buf = static_cast<u8*>(dma_alloc_coherent(k(), &isa, 3 * PAGE_SIZE, &h, gfp::KERNEL));
  ASSERT_NE(buf, nullptr);
  EXPECT_EQ(zone_of(buf), ZONE_DMA);
  EXPECT_EQ(h, k().virt_to_phys(buf));
  EXPECT_EQ(h % (4 * PAGE_SIZE), 0u) << "order-2 block";
  for (size_t i = 0; i < 3 * PAGE_SIZE; ++i) ASSERT_EQ(buf[i], 0);
  dma_free_coherent(k(), &isa, 3 * PAGE_SIZE, buf, h);
}

TEST_F(DmaPools, MaskZeroAndCompoundWarn) {
  Device none{"nomask", nullptr, 0};
  dma_addr_t h = 0;
  EXPECT_EQ(dma_alloc_coherent(k(), &none, 64, &h, gfp::KERNEL), nullptr);
  EXPECT_EQ(warns(), 1u);
  EXPECT_EQ(dma_alloc_coherent(k(), &dev_, 64, &h, gfp::KERNEL | gfp::COMP), nullptr);
  EXPECT_EQ(warns(), 2u);
  // A pool for such a device exists but cannot allocate.
  DmaPool* pool = dma_pool_create(k(), "nomask", &none, 64, 8, 0);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(dma_pool_alloc(pool, gfp::KERNEL, &h), nullptr);
  dma_pool_destroy(pool);
  m().take_log();
}

TEST_F(DmaPools, MaskSetters) {
  EXPECT_TRUE(dma_supported(k(), dma_bit_mask(24)));
  EXPECT_FALSE(dma_supported(k(), dma_bit_mask(20)));
  EXPECT_EQ(dma_set_mask(k(), &dev_, dma_bit_mask(28)), 0);
  EXPECT_EQ(mask_, dma_bit_mask(28));
  EXPECT_EQ(dma_set_coherent_mask(k(), &dev_, dma_bit_mask(16)), -DMA_EIO);
  EXPECT_EQ(dev_.coherent_dma_mask, dma_bit_mask(32));
  Device no_mask{"x", nullptr, 0};
  EXPECT_EQ(dma_set_mask(k(), &no_mask, dma_bit_mask(32)), -DMA_EIO);
}

class BigDmaMachine : public MachineTest {
 protected:
  const char* cmdline() const override { return "mem=6G cpus=2"; }
};

TEST_F(BigDmaMachine, MaskPicksTheZone) {
  u64 m32 = dma_bit_mask(32), m30 = dma_bit_mask(30), m64 = dma_bit_mask(64);
  Device d32{"d32", &m32, m32}, d30{"d30", &m30, m30}, d64{"d64", &m64, m64};
  std::vector<std::tuple<Device*, void*, dma_addr_t>> held;
  for (int i = 0; i < 64; ++i) {
    for (Device* d : {&d32, &d30, &d64}) {
      dma_addr_t h;
      void* v = dma_alloc_coherent(k(), d, 2 * PAGE_SIZE, &h, gfp::KERNEL | gfp::HIGHMEM);
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(h, k().virt_to_phys(v));
      EXPECT_LE(h + 2 * PAGE_SIZE - 1, d->coherent_dma_mask) << d->init_name;
      ZoneType z = k().page_zone(k().virt_to_page(v))->idx;
      if (d == &d32) {
        EXPECT_EQ(z, ZONE_DMA32);
      } else if (d == &d64) {
        EXPECT_EQ(z, ZONE_NORMAL) << "the highest zone first";
      } else {
        EXPECT_TRUE(z == ZONE_DMA32 || z == ZONE_DMA);
      }
      held.emplace_back(d, v, h);
    }
  }
  for (auto& [d, v, h] : held) dma_free_coherent(k(), d, 2 * PAGE_SIZE, v, h);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

class I386DmaMachine : public MachineTest {
 protected:
  const char* cmdline() const override { return "mem=1536M profile=i386 cpus=2"; }
};

TEST_F(I386DmaMachine, ThirtyTwoBitDeviceGetsLowmemWithoutDma32) {
  u64 m32 = dma_bit_mask(32);
  Device d32{"d32", &m32, m32};
  DmaPool* pool = dma_pool_create(k(), "i386", &d32, 512, 8, 0);
  std::vector<std::pair<void*, dma_addr_t>> blocks;
  for (int i = 0; i < 64; ++i) {
    dma_addr_t dma;
    void* v = dma_pool_alloc(pool, gfp::KERNEL, &dma);
    ASSERT_NE(v, nullptr);
    ZoneType z = k().page_zone(k().virt_to_page(v))->idx;
    EXPECT_TRUE(z == ZONE_NORMAL || z == ZONE_DMA) << int(z);
    EXPECT_EQ(dma, k().virt_to_phys(v));
    blocks.emplace_back(v, dma);
  }
  for (auto& [v, dma] : blocks) dma_pool_free(pool, v, dma);
  dma_pool_destroy(pool);
  EXPECT_EQ(warns() + bad_frees(), 0u) << m().take_log();
}

}  // namespace
}  // namespace kmem_test
