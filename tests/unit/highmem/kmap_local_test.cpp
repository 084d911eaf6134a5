// SPDX-License-Identifier: MIT
// kmap_local_page()/kunmap_local(): the per-thread LIFO stack of 16 slots,
// the reports of its misuse, the cached slot mappings, and threads mapping
// at once.
#include <algorithm>
#include <atomic>
#include <random>

#include "helpers.h"

namespace kmem_test {
namespace {

using KmapLocal = HighmemTest;

TEST_F(KmapLocal, NestsSixteenDeep) {
  std::vector<Page*> pages = alloc_high(MAX_KMAP_LOCAL + 1);
  ASSERT_EQ(pages.size(), MAX_KMAP_LOCAL + 1);
  std::vector<unsigned char*> va;
  for (unsigned i = 0; i < MAX_KMAP_LOCAL; ++i) {
    auto* a = static_cast<unsigned char*>(m().kmap_local_page(pages[i]));
    ASSERT_TRUE(hm().is_kmap_local_addr(a)) << i;
    EXPECT_EQ(current_ctx().kmap_local_depth, i + 1);
    a[0] = static_cast<unsigned char>(i + 1);
    va.push_back(a);
  }
  EXPECT_EQ(hm().nr_local_in_use(), MAX_KMAP_LOCAL);
  std::vector<unsigned char*> sorted = va;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end()) << "one slot per mapping";
  // All sixteen are live at once.
  for (unsigned i = 0; i < MAX_KMAP_LOCAL; ++i) {
    EXPECT_EQ(va[i][0], i + 1);
    EXPECT_EQ(static_cast<unsigned char*>(k().page_to_virt_raw(pages[i]))[0], i + 1);
  }
  EXPECT_EQ(warns(), 0u);

  // The seventeenth: Linux BUGs; here a report and a usable address.
  auto* extra = static_cast<unsigned char*>(m().kmap_local_page(pages[MAX_KMAP_LOCAL]));
  ASSERT_NE(extra, nullptr);
  extra[0] = 0x99;
  EXPECT_EQ(static_cast<unsigned char*>(k().page_to_virt_raw(pages[MAX_KMAP_LOCAL]))[0], 0x99);
  EXPECT_EQ(warns(), 1u);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "kernel BUG at mm/highmem.c:479!")) << log;
  EXPECT_EQ(current_ctx().kmap_local_depth, MAX_KMAP_LOCAL);
  m().kunmap_local(extra);  // nothing was pushed for it
  EXPECT_EQ(current_ctx().kmap_local_depth, MAX_KMAP_LOCAL);

  for (unsigned i = MAX_KMAP_LOCAL; i-- > 0;) m().kunmap_local(va[i]);
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);
  EXPECT_EQ(hm().nr_local_in_use(), 0u);
  EXPECT_EQ(warns(), 1u) << m().take_log();
}

TEST_F(KmapLocal, OutOfOrderUnmapWarnsOnce) {
  std::vector<Page*> pages = alloc_high(3);
  void* a = m().kmap_local_page(pages[0]);
  void* b = m().kmap_local_page(pages[1]);
  void* c = m().kmap_local_page(pages[2]);
  m().kunmap_local(a);  // b and c are above it
  EXPECT_EQ(warns(), 1u);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "WARNING: CPU:")) << log;
  EXPECT_TRUE(contains(log, "at mm/highmem.c:622 kunmap_local_indexed")) << log;
  EXPECT_TRUE(contains(log, "not the last kmap_local_page()")) << log;
  // The stack stays usable: b and c are still mapped and unmap cleanly.
  EXPECT_EQ(current_ctx().kmap_local_depth, 2u);
  EXPECT_EQ(hm().nr_local_in_use(), 2u);
  m().kunmap_local(b);  // out of order again: WARN_ON_ONCE stays quiet
  m().kunmap_local(c);
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);
  EXPECT_EQ(hm().nr_local_in_use(), 0u);
  EXPECT_EQ(warns(), 1u);
}

TEST_F(KmapLocal, UnmapWithNothingMappedIsReported) {
  Page* p = alloc_high(1)[0];
  void* a = m().kmap_local_page(p);
  m().kunmap_local(a);
  m().kunmap_local(a);  // again
  EXPECT_EQ(warns(), 1u);
  EXPECT_TRUE(contains(m().take_log(), "kernel BUG at mm/highmem.c:491!"));
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);

  int on_stack = 0;
  m().kunmap_local(&on_stack);  // not a kernel address at all
  EXPECT_EQ(warns(), 2u);
  EXPECT_TRUE(contains(m().take_log(), "at mm/highmem.c:616"));
}

TEST_F(KmapLocal, SlotKeepsItsMappingForTheSamePage) {
  std::vector<Page*> pages = alloc_high(2);
  void* a = m().kmap_local_page(pages[0]);
  m().kunmap_local(a);
  const u64 maps = hm().nr_local_maps();
  // Same thread, same depth: the same slot, already mapping the page.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(m().kmap_local_page(pages[0]), a);
    m().kunmap_local(a);
  }
  EXPECT_EQ(hm().nr_local_maps(), maps) << "no remap for the page the slot maps";
  // Another page in that slot is mapped afresh and shows its own bytes.
  static_cast<unsigned char*>(k().page_to_virt_raw(pages[1]))[0] = 0x42;
  auto* b = static_cast<unsigned char*>(m().kmap_local_page(pages[1]));
  EXPECT_EQ(b[0], 0x42);
  m().kunmap_local(b);
  EXPECT_EQ(hm().nr_local_maps(), maps + 1);
}

// Lowmem pages in the stack take no slot and need no unmap order.
TEST_F(KmapLocal, LowmemAndHighmemMixed) {
  Page* low = m().alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(low, nullptr);
  owned_.push_back(low);
  Page* high = alloc_high(1)[0];
  void* h = m().kmap_local_page(high);
  void* l = m().kmap_local_page(low);
  EXPECT_EQ(l, m().page_address(low));
  EXPECT_EQ(current_ctx().kmap_local_depth, 1u);
  m().kunmap_local(h);
  m().kunmap_local(l);
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

// Threads map shared pages with kmap() and their own stacks with
// kmap_local_page() at once; every mapping shows the right page.
TEST_F(KmapLocal, ThreadsMapConcurrently) {
  constexpr unsigned kPages = 64, kThreads = 4, kRounds = 3000;
  std::vector<Page*> pages = alloc_high(kPages);
  ASSERT_EQ(pages.size(), kPages);
  for (unsigned i = 0; i < kPages; ++i) {
    pfn_t pfn = k().page_to_pfn(pages[i]);
    std::memcpy(k().page_to_virt_raw(pages[i]), &pfn, sizeof pfn);
  }
  std::atomic<unsigned> errors{0}, depth_errors{0};
  auto worker = [&](unsigned id) {
    std::mt19937 rng(1234 + id);
    auto check = [&](const void* va, Page* p) {
      pfn_t v;
      std::memcpy(&v, va, sizeof v);
      if (v != k().page_to_pfn(p)) errors.fetch_add(1);
    };
    for (unsigned r = 0; r < kRounds; ++r) {
      Page* a = pages[rng() % kPages];
      Page* b = pages[rng() % kPages];
      Page* c = pages[rng() % kPages];
      void* va = m().kmap(a);
      void* vb = m().kmap_local_page(b);
      void* vc = m().kmap_local_page(c);
      check(va, a);
      check(vb, b);
      check(vc, c);
      m().kunmap_local(vc);
      m().kunmap_local(vb);
      m().kunmap(a);
    }
    if (current_ctx().kmap_local_depth != 0) depth_errors.fetch_add(1);
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0u);
  EXPECT_EQ(depth_errors.load(), 0u);
  EXPECT_EQ(hm().nr_pkmap_in_use(), 0u);
  EXPECT_EQ(hm().nr_local_in_use(), 0u);
  EXPECT_EQ(warns(), 0u) << m().take_log();
  EXPECT_TRUE(invariants_ok(k()));
}

}  // namespace
}  // namespace kmem_test
