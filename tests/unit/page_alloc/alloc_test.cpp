// SPDX-License-Identifier: MIT
// The buddy allocator's API: orders and alignment, the order limit,
// __GFP_ZERO, __GFP_COMP, split_page, alloc_pages_exact, references, merging
// back to the boot state, and misuse reports.
#include <cstring>
#include <set>

#include "helpers.h"

namespace kmem_test {
namespace {

class PageAlloc : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    m_ = std::make_unique<Machine>(GetParam());
    m_->take_log();
  }
  Kernel& k() { return m_->kernel(); }
  std::unique_ptr<Machine> m_;
};

TEST_P(PageAlloc, EveryOrderIsNaturallyAligned) {
  // Four blocks of each order and mobility would need 200 MiB: the blocks of
  // orders >= 7 are taken once, checked, and given back before the next order.
  const bool small = k().totalram_pages() < (64 * SZ_1M >> PAGE_SHIFT) - 4096;
  std::vector<std::pair<Page*, unsigned>> held;
  std::set<pfn_t> seen;  // no two live blocks overlap
  for (unsigned order = 0; order <= MAX_PAGE_ORDER; ++order) {
    std::vector<std::pair<Page*, unsigned>> this_order;
    for (int i = 0; i < (small || order >= 7 ? 1 : 4); ++i) {
      for (gfp_t g : {gfp::KERNEL, gfp::HIGHUSER_MOVABLE, gfp::KERNEL | gfp::RECLAIMABLE}) {
        Page* p = k().alloc_pages(g | gfp::NOWARN, order);
        // 16 MiB has two or three whole 4 MiB blocks, which the first
        // unmovable and reclaimable requests claim: the top orders may fail.
        if (p == nullptr && small && order >= 9) continue;
        ASSERT_NE(p, nullptr) << "order " << order;
        pfn_t pfn = k().page_to_pfn(p);
        EXPECT_EQ(pfn % (1UL << order), 0u) << "order " << order << " pfn " << pfn;
        EXPECT_TRUE(k().block_is_allocated(p, order));
        EXPECT_GE(p->ref_count(), 1);
        for (pfn_t j = 0; j < (1UL << order); ++j)
          EXPECT_TRUE(seen.insert(pfn + j).second) << pfn + j;
        // The whole block is usable memory.
        auto* va = static_cast<unsigned char*>(k().page_address(p));
        ASSERT_NE(va, nullptr);
        va[0] = 1;
        va[(PAGE_SIZE << order) - 1] = 2;
        this_order.push_back({p, order});
      }
    }
    EXPECT_TRUE(invariants_ok(k())) << "order " << order;
    for (auto po : this_order) {
      if (order >= 7) {
        pfn_t pfn = k().page_to_pfn(po.first);
        for (pfn_t j = 0; j < (1UL << order); ++j) seen.erase(pfn + j);
        k().free_pages(po.first, po.second);
      } else {
        held.push_back(po);
      }
    }
  }
  EXPECT_TRUE(invariants_ok(k()));
  for (auto [p, o] : held) k().free_pages(p, o);
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), k().boot_free_pages());
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, OrderAboveMaxFailsWithWarning) {
  EXPECT_EQ(k().alloc_pages(gfp::KERNEL | gfp::NOWARN, MAX_PAGE_ORDER + 1), nullptr);
  std::string quiet = m_->take_log();
  EXPECT_FALSE(contains(quiet, "WARNING")) << quiet;
  EXPECT_EQ(k().alloc_pages(gfp::KERNEL, MAX_PAGE_ORDER + 1), nullptr);
  std::string log = m_->take_log();
  EXPECT_TRUE(contains(log, "WARNING")) << log;
  EXPECT_EQ(k().get_free_pages(gfp::KERNEL | gfp::NOWARN, 12), 0u);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, GfpZeroClearsDirtyPages) {
  for (unsigned order : {0u, 1u, 3u, 4u, 9u}) {
    size_t bytes = PAGE_SIZE << order;
    // Dirty a batch of blocks and free them; with LIFO lists the next
    // allocations reuse exactly these.
    std::vector<Page*> dirty;
    for (int i = 0; i < (order >= 9 ? 2 : 8); ++i) {
      Page* p = k().alloc_pages(gfp::KERNEL, order);
      ASSERT_NE(p, nullptr) << "order " << order;
      std::memset(k().page_address(p), 0xA5, bytes);
      dirty.push_back(p);
    }
    std::set<Page*> dirty_set(dirty.begin(), dirty.end());
    for (Page* p : dirty) k().free_pages(p, order);
    int reused = 0;
    std::vector<Page*> clean;
    for (size_t i = 0; i < dirty.size(); ++i) {
      Page* p = k().alloc_pages(gfp::KERNEL | gfp::ZERO, order);
      ASSERT_NE(p, nullptr);
      reused += dirty_set.count(p);
      auto* va = static_cast<const unsigned char*>(k().page_address(p));
      size_t nonzero = 0;
      for (size_t b = 0; b < bytes; ++b) nonzero += va[b] != 0;
      EXPECT_EQ(nonzero, 0u) << "order " << order;
      clean.push_back(p);
    }
    EXPECT_GT(reused, 0) << "order " << order << ": test did not reuse a dirty block";
    for (Page* p : clean) k().free_pages(p, order);
  }
  unsigned long addr = m_->get_zeroed_page(gfp::KERNEL);
  ASSERT_NE(addr, 0u);
  for (size_t b = 0; b < PAGE_SIZE; ++b) ASSERT_EQ(reinterpret_cast<unsigned char*>(addr)[b], 0);
  m_->free_pages(addr, 0);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, CompoundHeadAndTails) {
  for (unsigned order : {1u, 2u, 3u, 5u, 9u, 10u}) {
    Page* head = k().alloc_pages(gfp::KERNEL | gfp::COMP, order);
    ASSERT_NE(head, nullptr);
    EXPECT_TRUE(head->flags & PG_head) << order;
    EXPECT_FALSE(head->is_tail());
    EXPECT_EQ(head->head(), head);
    for (unsigned i = 1; i < (1u << order); ++i) {
      Page* t = head + i;
      ASSERT_TRUE(t->is_tail()) << "order " << order << " tail " << i;
      ASSERT_EQ(t->head(), head);
    }
    k().free_pages(head, order);
    EXPECT_TRUE(invariants_ok(k()));
  }
  // put_page on a compound head frees the block with its own order.
  Page* head = k().alloc_pages(gfp::KERNEL | gfp::COMP, 3);
  ASSERT_NE(head, nullptr);
  k().get_page(head);
  k().put_page(head);
  EXPECT_TRUE(k().block_is_allocated(head, 3));
  k().put_page(head);
  EXPECT_FALSE(k().block_is_allocated(head, 0));
  // A non-compound high-order page is not a head and has no tails.
  Page* plain = k().alloc_pages(gfp::KERNEL, 3);
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->flags & PG_head);
  for (unsigned i = 1; i < 8; ++i) EXPECT_FALSE(plain[i].is_tail());
  k().free_pages(plain, 3);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, SplitPage) {
  k().drain_all_pages();
  unsigned long before = k().global_free_pages();
  Page* p = k().alloc_pages(gfp::KERNEL, 4);
  ASSERT_NE(p, nullptr);
  k().split_page(p, 4);
  for (unsigned i = 0; i < 16; ++i) {
    EXPECT_EQ(p[i].ref_count(), 1) << i;
    EXPECT_TRUE(k().block_is_allocated(p + i, 0));
  }
  // Free the odd pages, keep the even ones: each is an independent page now.
  for (unsigned i = 1; i < 16; i += 2) k().free_pages(p + i, 0);
  for (unsigned i = 0; i < 16; i += 2) EXPECT_TRUE(k().block_is_allocated(p + i, 0));
  for (unsigned i = 1; i < 16; i += 2) EXPECT_FALSE(k().block_is_allocated(p + i, 0));
  EXPECT_TRUE(invariants_ok(k()));
  // The former head is an order-0 page too: free_pages(p, 0) is correct use.
  k().free_pages(p, 0);
  EXPECT_FALSE(k().block_is_allocated(p, 0));
  EXPECT_TRUE(k().block_is_allocated(p + 2, 0));
  for (unsigned i = 2; i < 16; i += 2) k().put_page(p + i);
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_EQ(k().bug_count(BUG_BAD_FREE), 0u);
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), before);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, AllocPagesExactFreesTheTail) {
  for (size_t npages : {1ul, 3ul, 5ul, 7ul, 9ul, 100ul, 513ul}) {
    k().drain_all_pages();
    unsigned long before = k().global_free_pages();
    size_t size = npages * PAGE_SIZE - 100;  // a partial last page still counts
    void* v = k().alloc_pages_exact(size, gfp::KERNEL);
    ASSERT_NE(v, nullptr) << npages;
    unsigned order = get_order(size);
    EXPECT_EQ(k().virt_to_phys(v) % (PAGE_SIZE << order), 0u) << "aligned to the order";
    std::memset(v, 0x5A, size);
    k().drain_all_pages();
    EXPECT_EQ(before - k().global_free_pages(), npages) << npages;
    Page* first = k().virt_to_page(v);
    for (size_t i = 0; i < npages; ++i) EXPECT_TRUE(k().block_is_allocated(first + i, 0));
    if ((1ul << order) > npages) {
      EXPECT_FALSE(k().block_is_allocated(first + npages, 0));
    }
    k().free_pages_exact(v, size);
    k().drain_all_pages();
    EXPECT_EQ(k().global_free_pages(), before) << npages;
  }
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, GetPagePutPage) {
  Page* p = k().alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->ref_count(), 1);
  k().get_page(p);
  k().get_page(p);
  EXPECT_EQ(p->ref_count(), 3);
  k().put_page(p);
  k().free_pages(p, 0);  // __free_pages drops one reference too
  EXPECT_EQ(p->ref_count(), 1);
  EXPECT_TRUE(k().block_is_allocated(p, 0));
  k().put_page(p);
  EXPECT_FALSE(k().block_is_allocated(p, 0));
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, FreeWithExtraReferenceFreesTailsFirst) {
  // lib/test_free_pages.c: a speculative reference on the head of a
  // non-compound block; __free_pages frees the tails now and the head later.
  k().drain_all_pages();
  unsigned long before = k().global_free_pages();
  Page* p = k().alloc_pages(gfp::KERNEL, 3);
  ASSERT_NE(p, nullptr);
  k().get_page(p);
  k().free_pages(p, 3);
  EXPECT_TRUE(k().block_is_allocated(p, 0));
  for (unsigned i = 1; i < 8; ++i) EXPECT_FALSE(k().block_is_allocated(p + i, 0)) << i;
  EXPECT_TRUE(invariants_ok(k()));
  k().put_page(p);
  EXPECT_FALSE(k().block_is_allocated(p, 0));
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), before);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, GetFreePagesAddressHelpers) {
  unsigned long a = k().get_free_pages(gfp::KERNEL, 2);
  ASSERT_NE(a, 0u);
  Page* p = k().virt_to_page(reinterpret_cast<void*>(a));
  EXPECT_EQ(k().page_address(p), reinterpret_cast<void*>(a));
  EXPECT_TRUE(k().block_is_allocated(p, 2));
  EXPECT_TRUE(k().virt_addr_valid(reinterpret_cast<void*>(a)));
  EXPECT_EQ(k().pfn_to_page(k().page_to_pfn(p)), p);
  EXPECT_EQ(k().phys_to_virt(k().page_to_phys(p)), reinterpret_cast<void*>(a));
  k().free_pages_addr(a, 2);
  k().free_pages_addr(0, 3);  // ignored, as free_pages(0, n) in Linux
  EXPECT_FALSE(k().block_is_allocated(p, 0));
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, DrainAllPagesEmptiesPcpLists) {
  std::vector<Page*> pages;
  for (int i = 0; i < 500; ++i) pages.push_back(k().alloc_pages(gfp::KERNEL, i % 4 == 3 ? 2 : 0));
  for (int i = 0; i < 500; ++i) k().free_pages(pages[size_t(i)], i % 4 == 3 ? 2 : 0);
  k().drain_all_pages();
  for (int nid = 0; nid < k().nr_node_ids(); ++nid) {
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      Zone& zz = k().node_data(nid)->zones[z];
      if (!zz.populated() || zz.pcp == nullptr) continue;
      for (unsigned cpu = 0; cpu < k().nr_cpus(); ++cpu) {
        EXPECT_EQ(zz.pcp[cpu].count, 0) << zz.name() << " cpu " << cpu;
        for (unsigned l = 0; l < NR_PCP_LISTS; ++l) EXPECT_TRUE(zz.pcp[cpu].lists[l].empty());
      }
    }
  }
  EXPECT_EQ(k().global_free_pages(), k().boot_free_pages());
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, FreeingEverythingMergesBackToTheBootState) {
  const std::vector<unsigned long> boot_free = nr_free_snapshot(k());
  const std::string boot_buddyinfo = m_->proc("buddyinfo");
  const unsigned long boot_pages = k().global_free_pages();
  std::vector<std::pair<Page*, unsigned>> held;
  unsigned seed = 12345;
  auto rnd = [&] { return seed = seed * 1103515245u + 12345u, seed >> 8; };
  for (int i = 0; i < 3000; ++i) {
    unsigned order = rnd() % 7 == 0 ? rnd() % (MAX_PAGE_ORDER + 1) : rnd() % 4;
    gfp_t g = rnd() % 3 == 0 ? gfp::HIGHUSER_MOVABLE
              : rnd() % 2    ? gfp::KERNEL
                             : gfp::KERNEL | gfp::RECLAIMABLE;
    Page* p = k().alloc_pages(g | gfp::NORETRY | gfp::NOWARN, order);
    if (p) held.push_back({p, order});
    if (!held.empty() && rnd() % 3 == 0) {
      size_t j = rnd() % held.size();
      k().free_pages(held[j].first, held[j].second);
      held[j] = held.back();
      held.pop_back();
    }
  }
  EXPECT_NE(nr_free_snapshot(k()), boot_free);
  for (auto [p, o] : held) k().free_pages(p, o);
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), boot_pages);
  EXPECT_EQ(nr_free_snapshot(k()), boot_free);
  EXPECT_EQ(m_->proc("buddyinfo"), boot_buddyinfo);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, DoubleFreeIsReportedWithoutCorruption) {
  for (unsigned order : {0u, 3u, 5u}) {
    u64 bugs = k().bug_count(BUG_BAD_PAGE);
    Page* p = k().alloc_pages(gfp::KERNEL, order);
    ASSERT_NE(p, nullptr);
    k().free_pages(p, order);
    m_->take_log();
    k().free_pages(p, order);
    std::string log = m_->take_log();
    EXPECT_TRUE(contains(log, "BUG: Bad page state")) << "order " << order << ":\n" << log;
    EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), bugs + 1) << "order " << order;
    EXPECT_TRUE(invariants_ok(k())) << "order " << order;
  }
  // Nothing was freed twice: draining every page hands out distinct pages.
  std::set<Page*> all;
  while (Page* p = k().alloc_pages(gfp::KERNEL | gfp::NOWARN | gfp::HIGH, 0)) {
    ASSERT_TRUE(all.insert(p).second) << "page handed out twice: pfn " << k().page_to_pfn(p);
  }
  EXPECT_TRUE(invariants_ok(k()));
  for (Page* p : all) k().free_pages(p, 0);
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), k().boot_free_pages());
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, WrongOrderFreeIsReported) {
  for (auto [alloc_order, free_order] : {std::pair{2u, 0u}, std::pair{0u, 2u}, std::pair{4u, 5u}}) {
    u64 bugs = k().bug_count(BUG_BAD_PAGE) + k().bug_count(BUG_BAD_FREE);
    Page* p = k().alloc_pages(gfp::KERNEL, alloc_order);
    ASSERT_NE(p, nullptr);
    m_->take_log();
    k().free_pages(p, free_order);
    std::string log = m_->take_log();
    EXPECT_TRUE(contains(log, "BUG")) << alloc_order << "->" << free_order << ":\n" << log;
    EXPECT_GT(k().bug_count(BUG_BAD_PAGE) + k().bug_count(BUG_BAD_FREE), bugs);
    EXPECT_TRUE(invariants_ok(k()));
  }
  // Allocation still works afterwards, and hands out no page twice.
  std::set<Page*> all;
  while (Page* p = k().alloc_pages(gfp::KERNEL | gfp::NOWARN | gfp::HIGH, 0))
    ASSERT_TRUE(all.insert(p).second) << "page handed out twice: pfn " << k().page_to_pfn(p);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_P(PageAlloc, ExhaustionFailsCleanlyAndCountsFailures) {
  std::vector<Page*> pages;
  while (Page* p = k().alloc_pages(gfp::KERNEL | gfp::NOWARN, 0)) pages.push_back(p);
  u64 failures = k().alloc_failures();
  EXPECT_GT(failures, 0u);
  EXPECT_EQ(k().alloc_pages(gfp::KERNEL | gfp::NOWARN, 0), nullptr);
  EXPECT_GT(k().alloc_failures(), failures);
  std::string log = m_->take_log();
  EXPECT_FALSE(contains(log, "page allocation failure")) << "NOWARN must be quiet";
  // The min watermark keeps a reserve: GFP_ATOMIC may dig into it.
  Page* atomic = k().alloc_pages(gfp::ATOMIC | gfp::NOWARN, 0);
  EXPECT_NE(atomic, nullptr);
  if (atomic) pages.push_back(atomic);
  EXPECT_TRUE(invariants_ok(k()));
  for (Page* p : pages) k().free_pages(p, 0);
  k().drain_all_pages();
  EXPECT_EQ(k().global_free_pages(), k().boot_free_pages());
  EXPECT_TRUE(invariants_ok(k()));
}

INSTANTIATE_TEST_SUITE_P(Cmdlines, PageAlloc,
                         ::testing::Values("mem=64M cpus=2", "mem=64M cpus=2 pcp=0",
                                           "mem=16M cpus=1", "mem=64M cpus=2 mobility_grouping=0"),
                         cmdline_test_name);

}  // namespace
}  // namespace kmem_test
