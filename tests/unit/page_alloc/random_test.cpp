// SPDX-License-Identifier: MIT
// A seeded random walk over the page allocator API on one thread, with
// check_invariants() after every step. Each live block carries a tag (its pfn
// and a serial) at both ends, verified when it is freed: a block handed out
// twice, or memory written by the allocator, shows up as a bad tag.
#include <chrono>
#include <cstring>
#include <random>

#include "helpers.h"

namespace kmem_test {
namespace {

struct Block {
  Page* page;
  unsigned order;
  bool compound;
  u64 serial;
};

constexpr u64 kMagic = 0x6b6d656d00000000ull;  // "kmem"

class RandomWalk : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    m_ = std::make_unique<Machine>(GetParam());
    m_->take_log();
    Machine::bind_current_thread(0);
  }
  void TearDown() override { Machine::bind_current_thread(0); }
  Kernel& k() { return m_->kernel(); }

  u64* tag_words(const Block& b, u64** last) {
    auto* base = static_cast<u8*>(k().page_to_virt_raw(b.page));
    *last = reinterpret_cast<u64*>(base + (PAGE_SIZE << b.order) - sizeof(u64));
    return reinterpret_cast<u64*>(base);
  }
  void tag(const Block& b) {
    u64* last;
    u64* first = tag_words(b, &last);
    *first = kMagic ^ (b.serial << 20) ^ k().page_to_pfn(b.page);
    *last = ~*first;
  }
  ::testing::AssertionResult tag_ok(const Block& b) {
    u64* last;
    u64* first = tag_words(b, &last);
    u64 want = kMagic ^ (b.serial << 20) ^ k().page_to_pfn(b.page);
    if (*first == want && *last == ~want) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "block pfn " << k().page_to_pfn(b.page) << " order "
                                         << b.order << " serial " << b.serial << " tag damaged";
  }

  std::unique_ptr<Machine> m_;
};

gfp_t random_gfp(std::mt19937_64& rng, bool has_dma32) {
  static constexpr gfp_t kGfps[] = {
      gfp::KERNEL,
      gfp::KERNEL,
      gfp::HIGHUSER_MOVABLE,
      gfp::HIGHUSER_MOVABLE,
      gfp::HIGHUSER_MOVABLE,
      gfp::KERNEL | gfp::RECLAIMABLE,
      gfp::ATOMIC,
      gfp::NOWAIT,
      gfp::KERNEL | gfp::ZERO,
      gfp::KERNEL | gfp::DMA,
      gfp::KERNEL | gfp::DMA32,
      gfp::KERNEL | gfp::HIGH,
  };
  gfp_t g = kGfps[rng() % (sizeof kGfps / sizeof kGfps[0])];
  if (!has_dma32 && (g & gfp::DMA32)) g = gfp::KERNEL;
  return g | gfp::NOWARN;
}

unsigned random_order(std::mt19937_64& rng) {
  unsigned r = unsigned(rng() % 100);
  if (r < 50) return 0;
  if (r < 80) return 1 + unsigned(rng() % 3);  // 1..3, pcp orders
  if (r < 95) return 4 + unsigned(rng() % 5);  // 4..8
  return 9 + unsigned(rng() % 2);              // 9..10
}

TEST_P(RandomWalk, InvariantsHoldAfterEveryStep) {
  const u64 seed = 0x5eed0000u + std::hash<std::string>{}(GetParam()) % 1000;
  std::mt19937_64 rng(seed);
  // 200k steps on the default machine, 100k on the variants (each step runs
  // a full invariant walk; the checked flavour also walks inside the allocator).
  const bool variant = std::string(GetParam()) != "mem=64M cpus=2";
  const int kOps = (kChecked ? 50000 : 200000) / (variant ? 2 : 1);
  const unsigned long total = k().totalram_pages();
  k().drain_all_pages();
  const unsigned long boot_free = k().global_free_pages();
  std::vector<Block> held;
  unsigned long held_pages = 0;
  u64 serial = 0, allocs = 0, failures = 0, frees = 0;
  auto t0 = std::chrono::steady_clock::now();

  auto free_block = [&](size_t i) {
    Block b = held[i];
    ASSERT_TRUE(k().block_is_allocated(b.page, b.order));
    ASSERT_TRUE(tag_ok(b));
    held[i] = held.back();
    held.pop_back();
    held_pages -= 1ul << b.order;
    unsigned action = unsigned(rng() % 10);
    if (action == 0 && b.order > 0 && !b.compound) {
      // split_page, then free the pieces one by one
      k().split_page(b.page, b.order);
      for (unsigned j = 0; j < (1u << b.order); ++j) k().free_pages(b.page + j, 0);
    } else if (action == 1 && (b.compound || b.order == 0)) {
      // put_page frees a compound page whole; a non-compound page only as
      // order 0, as in Linux, so other blocks take the next branch.
      k().get_page(b.page);
      k().put_page(b.page);
      k().put_page(b.page);
    } else if (action == 1) {
      // A speculative reference on the head of a non-compound block:
      // __free_pages frees the tails at once, put_page the head later.
      k().get_page(b.page);
      k().free_pages(b.page, b.order);
      k().put_page(b.page);
    } else {
      k().free_pages(b.page, b.order);
    }
    ++frees;
  };

  for (int step = 0; step < kOps; ++step) {
    if (rng() % 64 == 0) Machine::bind_current_thread(unsigned(rng() % k().nr_cpus()));
    const bool pressure = held_pages > total * 6 / 10;
    unsigned r = unsigned(rng() % 100);
    if (held.empty() || r < (pressure ? 30u : 55u)) {
      gfp_t g = random_gfp(rng, k().has_dma32());
      unsigned order = random_order(rng);
      bool comp = order > 0 && rng() % 4 == 0;
      if (comp) g |= gfp::COMP;
      Page* p = k().alloc_pages(g, order);
      if (p == nullptr) {
        ++failures;
      } else {
        ++allocs;
        ASSERT_EQ(k().page_to_pfn(p) % (1ul << order), 0u);
        ASSERT_TRUE(k().block_is_allocated(p, order));
        if (g & gfp::DMA) {
          ASSERT_LT(k().page_to_phys(p), 16 * SZ_1M);
        }
        if (g & gfp::DMA32) {
          ASSERT_LT(k().page_to_phys(p), 4 * SZ_1G);
        }
        if (g & gfp::ZERO) {
          const u64* w = static_cast<const u64*>(k().page_to_virt_raw(p));
          const size_t words = (PAGE_SIZE << order) / sizeof(u64);
          for (size_t i : {size_t(0), size_t(1), words / 2, words - 1}) ASSERT_EQ(w[i], 0u) << i;
        }
        if (comp) {
          ASSERT_TRUE(p->flags & PG_head);
          ASSERT_EQ(p[(1u << order) - 1].head(), p);
        }
        Block b{p, order, comp, ++serial};
        tag(b);
        held.push_back(b);
        held_pages += 1ul << order;
      }
    } else if (r < 97) {
      free_block(size_t(rng() % held.size()));
      if (HasFatalFailure()) return;
    } else if (r < 98) {
      k().drain_all_pages();
    } else {
      size_t bytes = size_t(1 + rng() % 40) * PAGE_SIZE - size_t(rng() % PAGE_SIZE);
      void* v = k().alloc_pages_exact(bytes, gfp::KERNEL | gfp::NOWARN);
      if (v != nullptr) {
        std::memset(v, 0x77, bytes);
        k().free_pages_exact(v, bytes);
      }
    }
    ASSERT_TRUE(invariants_ok(k())) << "seed " << seed << " step " << step;
  }
  while (!held.empty()) {
    free_block(held.size() - 1);
    if (HasFatalFailure()) return;
  }
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), boot_free) << "seed " << seed;
  EXPECT_TRUE(invariants_ok(k()));
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_EQ(k().bug_count(BUG_BAD_FREE), 0u);
  std::string log = m_->take_log();
  EXPECT_FALSE(contains(log, "BUG")) << log;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %d steps, %llu allocs, %llu failures, %llu frees, %.2f s\n", GetParam(), kOps,
              (unsigned long long)allocs, (unsigned long long)failures, (unsigned long long)frees,
              secs);
  EXPECT_GT(allocs, u64(kOps) / 3);
}

INSTANTIATE_TEST_SUITE_P(Cmdlines, RandomWalk,
                         ::testing::Values("mem=64M cpus=2", "mem=64M cpus=2 pcp=0",
                                           "mem=64M cpus=2 mobility_grouping=0",
                                           "mem=64M cpus=1 profile=i386"),
                         cmdline_test_name);

}  // namespace
}  // namespace kmem_test
