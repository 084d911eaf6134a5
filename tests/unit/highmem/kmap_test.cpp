// SPDX-License-Identifier: MIT
// kmap()/kunmap(): the zones of the i386 profile, the PKMAP window's
// refcounts, page_address() of kmapped pages, slot reuse and flushing,
// sleeping for a slot, and the reports of misuse.
#include <algorithm>
#include <atomic>

#include "helpers.h"

namespace kmem_test {
namespace {

using Kmap = HighmemTest;

TEST_F(Kmap, I386ZonesByPhysicalAddress) {
  ASSERT_TRUE(k().has_highmem());
  EXPECT_TRUE(hm().windows_reserved());
  std::vector<Page*> got;
  for (int i = 0; i < 16; ++i) {
    Page* dma = m().alloc_pages(gfp::KERNEL | gfp::DMA, 0);
    Page* normal = m().alloc_pages(gfp::KERNEL, 0);
    Page* high = m().alloc_pages(gfp::HIGHUSER, 0);
    ASSERT_TRUE(dma && normal && high);
    got.insert(got.end(), {dma, normal, high});

    EXPECT_LT(k().page_to_phys(dma), 16 * SZ_1M);
    EXPECT_EQ(k().page_zone(dma)->idx, ZONE_DMA);
    EXPECT_EQ(m().page_address(dma), k().page_to_virt_raw(dma));

    EXPECT_GE(k().page_to_phys(normal), 16 * SZ_1M);
    EXPECT_LT(k().page_to_phys(normal), 896 * SZ_1M);
    EXPECT_EQ(k().page_zone(normal)->idx, ZONE_NORMAL);
    EXPECT_EQ(m().page_address(normal), k().page_to_virt_raw(normal));

    EXPECT_GE(k().page_to_phys(high), 896 * SZ_1M);
    EXPECT_EQ(k().page_zone(high)->idx, ZONE_HIGHMEM);
    EXPECT_TRUE(hm().page_is_highmem(k(), high));
    EXPECT_EQ(m().page_address(high), nullptr) << "HighMem has no permanent address";
  }
  for (Page* p : got) m().free_pages(p, 0);
}

TEST_F(Kmap, LowmemPageNeedsNoSlot) {
  Page* p = m().alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(m().kmap(p), m().page_address(p));
  EXPECT_EQ(m().kmap_local_page(p), m().page_address(p));
  m().kunmap_local(m().page_address(p));
  m().kunmap(p);
  EXPECT_EQ(hm().nr_pkmap_in_use(), 0u);
  EXPECT_EQ(hm().nr_pkmap_maps(), 0u);
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);
  EXPECT_EQ(warns(), 0u);
  m().free_pages(p, 0);
}

TEST_F(Kmap, MapsHighPageAndAliasesTheDirectMap) {
  Page* p = alloc_high(1)[0];
  auto* va = static_cast<unsigned char*>(m().kmap(p));
  ASSERT_NE(va, nullptr);
  EXPECT_TRUE(hm().is_kmap_addr(va));
  EXPECT_NE(static_cast<void*>(va), k().page_to_virt_raw(p));
  EXPECT_EQ(hm().pkmap_count_at(va), 2) << "one user";
  EXPECT_EQ(m().page_address(p), va) << "page_address() of a kmapped HighMem page";
  EXPECT_EQ(hm().kmap_to_page(k(), va + 100), p);

  // The same physical page: a write through one address shows through the others.
  std::memset(va, 0x5a, PAGE_SIZE);
  auto* raw = static_cast<unsigned char*>(k().page_to_virt_raw(p));
  EXPECT_EQ(raw[0], 0x5a);
  EXPECT_EQ(raw[PAGE_SIZE - 1], 0x5a);
  raw[17] = 0xc3;
  EXPECT_EQ(va[17], 0xc3);

  // A second kmap() of the page shares the slot and counts a user.
  EXPECT_EQ(m().kmap(p), va);
  EXPECT_EQ(hm().pkmap_count_at(va), 3);
  EXPECT_EQ(hm().nr_pkmap_in_use(), 1u);

  // kmap_local_page() of it: another address, the same bytes.
  auto* local = static_cast<unsigned char*>(m().kmap_local_page(p));
  ASSERT_NE(local, nullptr);
  EXPECT_TRUE(hm().is_kmap_local_addr(local));
  EXPECT_NE(local, va);
  EXPECT_EQ(local[0], 0x5a);
  EXPECT_EQ(local[17], 0xc3);
  local[18] = 0x3c;
  EXPECT_EQ(va[18], 0x3c);
  EXPECT_EQ(hm().kmap_to_page(k(), local), p);
  m().kunmap_local(local + 5);  // any address inside the page will do
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);

  m().kunmap(p);
  EXPECT_EQ(hm().pkmap_count_at(va), 2);
  m().kunmap(p);
  // Unused but not flushed: still mapped, still the page's address.
  EXPECT_EQ(hm().pkmap_count_at(va), 1);
  EXPECT_EQ(m().page_address(p), va);
  EXPECT_EQ(hm().nr_pkmap_in_use(), 0u);
  // A kmap() now takes the same slot back without mapping again.
  const u64 maps = hm().nr_pkmap_maps();
  EXPECT_EQ(m().kmap(p), va);
  EXPECT_EQ(hm().nr_pkmap_maps(), maps);
  m().kunmap(p);

  m().kunmap_local(nullptr);  // reported below; must not disturb anything
  k().highmem().kmap_flush_unused(k());
  EXPECT_EQ(hm().pkmap_count_at(va), 0);
  EXPECT_EQ(m().page_address(p), nullptr) << "flushed: no address again";
  EXPECT_EQ(warns(), 1u) << m().take_log();
}

TEST_F(Kmap, SlotsAreReusedAfterTheCursorWraps) {
  std::vector<Page*> pages = alloc_high(2 * LAST_PKMAP);
  ASSERT_EQ(pages.size(), 2 * LAST_PKMAP);
  std::vector<void*> first;
  for (unsigned i = 0; i < LAST_PKMAP; ++i) {
    void* va = m().kmap(pages[i]);
    ASSERT_TRUE(hm().is_kmap_addr(va)) << i;
    std::memcpy(va, &i, sizeof i);
    first.push_back(va);
  }
  EXPECT_EQ(hm().nr_pkmap_in_use(), LAST_PKMAP);
  std::vector<void*> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end()) << "one slot per page";
  for (unsigned i = 0; i < LAST_PKMAP; ++i) m().kunmap(pages[i]);
  EXPECT_EQ(hm().nr_pkmap_in_use(), 0u);

  // Every slot is unused but still mapped; new pages get them after a flush.
  const u64 flushes = hm().nr_pkmap_flushes();
  for (unsigned i = LAST_PKMAP; i < 2 * LAST_PKMAP; ++i) {
    void* va = m().kmap(pages[i]);
    ASSERT_TRUE(hm().is_kmap_addr(va)) << i;
    std::memcpy(va, &i, sizeof i);
  }
  EXPECT_GT(hm().nr_pkmap_flushes(), flushes);
  EXPECT_EQ(hm().nr_pkmap_in_use(), LAST_PKMAP);
  for (unsigned i = 0; i < 2 * LAST_PKMAP; ++i) {
    unsigned v;
    std::memcpy(&v, k().page_to_virt_raw(pages[i]), sizeof v);
    EXPECT_EQ(v, i) << "the bytes written through a kmap() are the page's";
    if (i < LAST_PKMAP) EXPECT_EQ(m().page_address(pages[i]), nullptr) << i;
    else EXPECT_TRUE(hm().is_kmap_addr(m().page_address(pages[i]))) << i;
  }
  for (unsigned i = LAST_PKMAP; i < 2 * LAST_PKMAP; ++i) m().kunmap(pages[i]);
  EXPECT_EQ(warns(), 0u) << m().take_log();
  EXPECT_TRUE(invariants_ok(k()));
}

// With every slot in use, kmap() sleeps until a kunmap() on another thread
// leaves a slot unused; the sleeper then gets exactly that slot.
TEST_F(Kmap, SleepsForASlotUntilAKunmap) {
  std::vector<Page*> pages = alloc_high(LAST_PKMAP + 1);
  ASSERT_EQ(pages.size(), LAST_PKMAP + 1);
  std::vector<void*> va;
  for (unsigned i = 0; i < LAST_PKMAP; ++i) va.push_back(m().kmap(pages[i]));
  ASSERT_EQ(hm().nr_pkmap_in_use(), LAST_PKMAP);

  std::atomic<void*> got{nullptr};
  std::atomic<bool> done{false};
  Page* last = pages[LAST_PKMAP];
  std::thread sleeper([&] {
    got = m().kmap(last);
    done = true;
  });
  const bool slept = wait_until([&] { return hm().nr_pkmap_waiters() > 0; });
  EXPECT_TRUE(slept) << "kmap() should wait for a free slot";
  EXPECT_FALSE(done.load()) << "kmap() returned with no free slot";

  constexpr unsigned kVictim = 7;
  m().kunmap(pages[kVictim]);
  if (!wait_until([&] { return done.load(); })) {
    // The sleeper may never wake: leave it, and its machine, behind.
    sleeper.detach();
    (void)m_.release();
    owned_.clear();
    FAIL() << "kunmap() did not wake the sleeper";
  }
  sleeper.join();
  EXPECT_EQ(got.load(), va[kVictim]) << "the only slot that became unused";
  EXPECT_EQ(m().page_address(pages[kVictim]), nullptr) << "flushed to make room";
  EXPECT_EQ(m().page_address(last), got.load());
  EXPECT_EQ(hm().nr_pkmap_waiters(), 0u);
  std::memset(got.load(), 0x77, 8);
  EXPECT_EQ(static_cast<unsigned char*>(k().page_to_virt_raw(last))[7], 0x77);

  m().kunmap(last);
  for (unsigned i = 0; i < LAST_PKMAP; ++i)
    if (i != kVictim) m().kunmap(pages[i]);
  EXPECT_EQ(hm().nr_pkmap_in_use(), 0u);
  EXPECT_EQ(warns(), 0u) << m().take_log();
}

TEST_F(Kmap, KunmapOfAPageNotKmappedIsReported) {
  Page* p = alloc_high(1)[0];
  m().kunmap(p);
  std::string log = m().take_log();
  EXPECT_EQ(warns(), 1u);
  EXPECT_TRUE(contains(log, "kernel BUG at mm/highmem.c:370!")) << log;
  EXPECT_TRUE(contains(log, "is not mapped by kmap()")) << log;

  // One kunmap() too many while the slot is still mapped (count 1).
  void* va = m().kmap(p);
  m().kunmap(p);
  m().kunmap(p);
  log = m().take_log();
  EXPECT_EQ(warns(), 2u);
  EXPECT_TRUE(contains(log, "kernel BUG at mm/highmem.c:380!")) << log;
  EXPECT_EQ(hm().pkmap_count_at(va), 1) << "the count never reaches 0 without a flush";
  // The machine goes on: the page maps again.
  EXPECT_EQ(m().kmap(p), va);
  m().kunmap(p);
  EXPECT_EQ(warns(), 2u);
}

TEST_F(Kmap, MightSleepInAtomicContext) {
  Page* p = alloc_high(1)[0];
  preempt_disable();
  void* va = m().kmap(p);
  preempt_enable();
  EXPECT_NE(va, nullptr);
  EXPECT_EQ(k().bug_count(BUG_ATOMIC_SLEEP), 1u);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log,
                       "BUG: sleeping function called from invalid context at "
                       "include/linux/highmem-internal.h:44"))
      << log;
  m().kunmap(p);
  EXPECT_EQ(k().bug_count(BUG_ATOMIC_SLEEP), 1u) << "kunmap() outside atomic context";
}

TEST_F(Kmap, NotAPageIsReported) {
  int x = 0;
  EXPECT_EQ(m().kmap(reinterpret_cast<Page*>(&x)), nullptr);
  m().kunmap(reinterpret_cast<Page*>(&x));
  EXPECT_EQ(warns(), 2u);
  EXPECT_TRUE(contains(m().take_log(), "not a struct page of this machine"));
}

// Writes through a kmap() reach the page; __GFP_ZERO on HighMem clears it
// (through the core's alias, as HighMem has no page_address()).
TEST_F(Kmap, GfpZeroClearsHighmemPages) {
  std::vector<Page*> dirty;
  for (int i = 0; i < 32; ++i) {
    Page* p = m().alloc_pages(gfp::HIGHUSER, 0);
    ASSERT_NE(p, nullptr);
    void* va = m().kmap(p);
    std::memset(va, 0xee, PAGE_SIZE);
    m().kunmap(p);
    dirty.push_back(p);
  }
  for (Page* p : dirty) m().free_pages(p, 0);
  unsigned reused = 0;
  for (int i = 0; i < 32; ++i) {
    Page* p = m().alloc_pages(gfp::HIGHUSER | gfp::ZERO, 0);
    ASSERT_NE(p, nullptr);
    owned_.push_back(p);
    reused += std::find(dirty.begin(), dirty.end(), p) != dirty.end();
    auto* va = static_cast<unsigned char*>(m().kmap_local_page(p));
    unsigned nonzero = 0;
    for (unsigned b = 0; b < PAGE_SIZE; ++b) nonzero += va[b] != 0;
    m().kunmap_local(va);
    EXPECT_EQ(nonzero, 0u) << "page " << i;
  }
  // The per-CPU list hands the freed pages back first: the zeroing was real.
  EXPECT_GT(reused, 0u);
}

// Destroying a machine with pages still mapped releases the windows.
TEST_F(Kmap, MachineGoesAwayWithMappingsLive) {
  std::vector<Page*> pages = alloc_high(4);
  for (Page* p : pages) m().kmap(p);
  void* local = m().kmap_local_page(pages[0]);
  EXPECT_NE(local, nullptr);
  owned_.clear();
  m_.reset();
  clean_context();
  m_ = std::make_unique<Machine>(kCmdline);
  Page* p = alloc_high(1)[0];
  void* va = m().kmap(p);
  EXPECT_NE(va, nullptr);
  m().kunmap(p);
}

TEST(KmapX86_64, EveryPageIsLowmem) {
  Machine m("mem=256M cpus=2");
  m.take_log();
  Kernel& k = m.kernel();
  EXPECT_FALSE(k.has_highmem());
  EXPECT_FALSE(k.highmem().windows_reserved());
  for (gfp_t g : {gfp::KERNEL, gfp::HIGHUSER, gfp::KERNEL | gfp::DMA}) {
    Page* p = m.alloc_pages(g, 0);
    ASSERT_NE(p, nullptr);
    void* addr = m.page_address(p);
    ASSERT_NE(addr, nullptr);
    EXPECT_EQ(m.kmap(p), addr);
    EXPECT_EQ(m.kmap_local_page(p), addr);
    m.kunmap_local(addr);
    m.kunmap(p);
    m.free_pages(p, 0);
  }
  EXPECT_EQ(current_ctx().kmap_local_depth, 0u);
  EXPECT_EQ(k.bug_count(BUG_WARN), 0u) << m.take_log();
}

}  // namespace
}  // namespace kmem_test
