// SPDX-License-Identifier: MIT
// memblock: region merging and splitting, top-down allocation, alignment,
// node preference, free-range iteration, and never handing out address 0.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "boot/memblock.h"

namespace {

using kmem::Memblock;
using kmem::MemblockRegion;
using kmem::MemblockType;
using kmem::NUMA_NO_NODE;
using kmem::phys_addr_t;
using kmem::SZ_1M;

struct R {
  phys_addr_t base, end;
  int nid;
  bool operator==(const R&) const = default;
};
std::ostream& operator<<(std::ostream& os, const R& r) {
  return os << std::hex << "[0x" << r.base << "-0x" << r.end << ") nid " << std::dec << r.nid;
}

std::vector<R> regions(const MemblockType& t) {
  std::vector<R> out;
  for (unsigned i = 0; i < t.count(); ++i) out.push_back({t[i].base, t[i].end(), t[i].nid});
  return out;
}

std::vector<R> free_ranges(const Memblock& mb) {
  std::vector<R> out;
  kmem::u64 cursor = 0;
  MemblockRegion r;
  while (mb.next_free_range(cursor, &r)) {
    EXPECT_GT(r.size, 0u);
    out.push_back({r.base, r.end(), r.nid});
    if (out.size() > 1000) break;
  }
  return out;
}

TEST(MemblockType, AddMergesAdjacentSameNode) {
  MemblockType t;
  ASSERT_TRUE(t.add(0x1000, 0x1000, 0));
  ASSERT_TRUE(t.add(0x3000, 0x1000, 0));
  EXPECT_EQ(regions(t), (std::vector<R>{{0x1000, 0x2000, 0}, {0x3000, 0x4000, 0}}));
  ASSERT_TRUE(t.add(0x2000, 0x1000, 0));  // fills the gap: all three merge
  EXPECT_EQ(regions(t), (std::vector<R>{{0x1000, 0x4000, 0}}));
  EXPECT_EQ(t.total(), 0x3000u);
}

TEST(MemblockType, AddDoesNotMergeAcrossNodes) {
  MemblockType t;
  ASSERT_TRUE(t.add(0, 16 * SZ_1M, 0));
  ASSERT_TRUE(t.add(16 * SZ_1M, 16 * SZ_1M, 1));
  EXPECT_EQ(regions(t), (std::vector<R>{{0, 16 * SZ_1M, 0}, {16 * SZ_1M, 32 * SZ_1M, 1}}));
}

TEST(MemblockType, AddOverlappingAddsOnlyTheGaps) {
  MemblockType t;
  ASSERT_TRUE(t.add(0x10000, 0x10000, 0));
  ASSERT_TRUE(t.add(0x30000, 0x10000, 0));
  ASSERT_TRUE(t.add(0x8000, 0x40000, 0));
  EXPECT_EQ(regions(t), (std::vector<R>{{0x8000, 0x48000, 0}}));
  EXPECT_EQ(t.total(), 0x40000u);
  ASSERT_TRUE(t.add(0x9000, 0x1000, 0));  // fully covered: no change
  EXPECT_EQ(regions(t), (std::vector<R>{{0x8000, 0x48000, 0}}));
  ASSERT_TRUE(t.add(0, 0, 0));  // empty
  EXPECT_EQ(t.count(), 1u);
}

TEST(MemblockType, AddInsertsSortedOutOfOrder) {
  MemblockType t;
  ASSERT_TRUE(t.add(0x50000, 0x1000, 0));
  ASSERT_TRUE(t.add(0x10000, 0x1000, 0));
  ASSERT_TRUE(t.add(0x30000, 0x1000, 0));
  EXPECT_EQ(regions(t),
            (std::vector<R>{{0x10000, 0x11000, 0}, {0x30000, 0x31000, 0}, {0x50000, 0x51000, 0}}));
  EXPECT_TRUE(t.contains(0x30fff));
  EXPECT_FALSE(t.contains(0x31000));
  EXPECT_TRUE(t.overlaps(0x2f000, 0x2000));
  EXPECT_FALSE(t.overlaps(0x31000, 0x1f000));
}

TEST(MemblockType, RemoveSplitsTrimsAndDeletes) {
  MemblockType t;
  ASSERT_TRUE(t.add(0, 0x100000, 0));
  ASSERT_TRUE(t.remove(0x40000, 0x10000));  // middle: split
  EXPECT_EQ(regions(t), (std::vector<R>{{0, 0x40000, 0}, {0x50000, 0x100000, 0}}));
  ASSERT_TRUE(t.remove(0x38000, 0x20000));  // trims both neighbours
  EXPECT_EQ(regions(t), (std::vector<R>{{0, 0x38000, 0}, {0x58000, 0x100000, 0}}));
  ASSERT_TRUE(t.remove(0, 0x1000));        // head
  ASSERT_TRUE(t.remove(0xff000, 0x1000));  // tail
  EXPECT_EQ(regions(t), (std::vector<R>{{0x1000, 0x38000, 0}, {0x58000, 0xff000, 0}}));
  ASSERT_TRUE(t.remove(0, 0x200000));  // everything
  EXPECT_EQ(t.count(), 0u);
  ASSERT_TRUE(t.remove(0, 0x1000));  // nothing there
}

TEST(MemblockType, RemoveAcrossManyRegions) {
  MemblockType t;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(t.add(phys_addr_t(i) * 0x10000, 0x8000, 0));
  ASSERT_TRUE(t.remove(0x14000, 0x60000));  // [0x14000, 0x74000)
  EXPECT_EQ(regions(t), (std::vector<R>{{0x0, 0x8000, 0},
                                        {0x10000, 0x14000, 0},
                                        {0x74000, 0x78000, 0},
                                        {0x80000, 0x88000, 0},
                                        {0x90000, 0x98000, 0}}));
}

TEST(MemblockType, CapacityIsBounded) {
  auto t = std::make_unique<MemblockType>();
  for (unsigned i = 0; i < MemblockType::MAX_REGIONS; ++i)
    ASSERT_TRUE(t->add(phys_addr_t(i) * 0x2000, 0x1000, 0)) << i;
  EXPECT_FALSE(t->add(phys_addr_t(MemblockType::MAX_REGIONS) * 0x2000, 0x1000, 0));
  EXPECT_LE(t->count(), MemblockType::MAX_REGIONS);
}

// A machine-like layout: RAM [1M, 64M) on node 0.
std::unique_ptr<Memblock> simple(phys_addr_t end = 64 * SZ_1M) {
  auto mb = std::make_unique<Memblock>();
  EXPECT_TRUE(mb->add(SZ_1M, end - SZ_1M, 0));
  return mb;
}

TEST(Memblock, ReserveAndFreeRanges) {
  auto mb = simple();
  ASSERT_TRUE(mb->reserve(2 * SZ_1M, SZ_1M));
  ASSERT_TRUE(mb->reserve(10 * SZ_1M, SZ_1M));
  ASSERT_TRUE(mb->reserve(11 * SZ_1M, SZ_1M));  // merges with the previous one
  EXPECT_EQ(mb->reserved.count(), 2u);
  EXPECT_EQ(free_ranges(*mb),
            (std::vector<R>{
                {SZ_1M, 2 * SZ_1M, 0}, {3 * SZ_1M, 10 * SZ_1M, 0}, {12 * SZ_1M, 64 * SZ_1M, 0}}));
  ASSERT_TRUE(mb->phys_free(10 * SZ_1M, SZ_1M));
  EXPECT_EQ(free_ranges(*mb),
            (std::vector<R>{
                {SZ_1M, 2 * SZ_1M, 0}, {3 * SZ_1M, 11 * SZ_1M, 0}, {12 * SZ_1M, 64 * SZ_1M, 0}}));
}

TEST(Memblock, FreeRangesSkipReservedAtEdgesAndOutsideMemory) {
  auto mb = std::make_unique<Memblock>();
  ASSERT_TRUE(mb->add(0, 0x9f000, 0));
  ASSERT_TRUE(mb->add(SZ_1M, 15 * SZ_1M, 0));
  ASSERT_TRUE(mb->reserve(0, 0x1000));
  ASSERT_TRUE(mb->reserve(0x9e000, 0x10000));       // straddles the end of the first range
  ASSERT_TRUE(mb->reserve(15 * SZ_1M, 4 * SZ_1M));  // runs past the end of memory
  EXPECT_EQ(free_ranges(*mb), (std::vector<R>{{0x1000, 0x9e000, 0}, {SZ_1M, 15 * SZ_1M, 0}}));
}

TEST(Memblock, AllocIsTopDownAndReserves) {
  auto mb = simple();
  phys_addr_t a = mb->phys_alloc(4096, 4096);
  EXPECT_EQ(a, 64 * SZ_1M - 4096);
  phys_addr_t b = mb->phys_alloc(4096, 4096);
  EXPECT_EQ(b, 64 * SZ_1M - 8192);
  EXPECT_TRUE(mb->reserved.contains(a));
  EXPECT_TRUE(mb->reserved.contains(b));
  EXPECT_EQ(mb->reserved.count(), 1u);  // adjacent reservations merge
  // Sizes are rounded up to pages.
  phys_addr_t c = mb->phys_alloc(100, 0);
  EXPECT_EQ(c, 64 * SZ_1M - 3 * 4096);
  EXPECT_EQ(mb->reserved.total(), 3 * 4096u);
}

TEST(Memblock, AllocHonoursAlignment) {
  auto mb = simple();
  ASSERT_NE(mb->phys_alloc(4096, 4096), 0u);
  phys_addr_t a = mb->phys_alloc(4096, 2 * SZ_1M);
  EXPECT_EQ(a, 62 * SZ_1M);
  EXPECT_EQ(a % (2 * SZ_1M), 0u);
  phys_addr_t b = mb->phys_alloc(3 * SZ_1M, SZ_1M);
  EXPECT_EQ(b % SZ_1M, 0u);
  EXPECT_EQ(b, 59 * SZ_1M);
  for (phys_addr_t align :
       {phys_addr_t(4096), phys_addr_t(8192), phys_addr_t(65536), SZ_1M, 4 * SZ_1M}) {
    phys_addr_t p = mb->phys_alloc(12345, align);
    ASSERT_NE(p, 0u);
    EXPECT_EQ(p % align, 0u) << align;
  }
}

TEST(Memblock, AllocWithinRangeAndLimit) {
  auto mb = simple();
  phys_addr_t a = mb->phys_alloc_range(4096, 4096, 0, 16 * SZ_1M, NUMA_NO_NODE);
  EXPECT_EQ(a, 16 * SZ_1M - 4096);
  phys_addr_t b = mb->phys_alloc_range(4096, 4096, 8 * SZ_1M, 9 * SZ_1M, NUMA_NO_NODE);
  EXPECT_EQ(b, 9 * SZ_1M - 4096);
  EXPECT_EQ(mb->phys_alloc_range(2 * SZ_1M, 4096, 8 * SZ_1M, 9 * SZ_1M, NUMA_NO_NODE), 0u);
  mb->set_current_limit(32 * SZ_1M);
  EXPECT_EQ(mb->current_limit(), 32 * SZ_1M);
  EXPECT_EQ(mb->phys_alloc(4096, 4096), 32 * SZ_1M - 4096);
  // end beyond the limit is clamped to it
  EXPECT_EQ(mb->phys_alloc_range(4096, 4096, 0, 60 * SZ_1M, NUMA_NO_NODE), 32 * SZ_1M - 8192);
}

TEST(Memblock, AllocSkipsReservedAndFails) {
  auto mb = simple(4 * SZ_1M);  // [1M, 4M)
  ASSERT_TRUE(mb->reserve(2 * SZ_1M, 2 * SZ_1M));
  EXPECT_EQ(mb->phys_alloc(2 * SZ_1M, 4096), 0u);  // only 1M free
  EXPECT_EQ(mb->phys_alloc(SZ_1M, 4096), SZ_1M);
  EXPECT_EQ(mb->phys_alloc(4096, 4096), 0u);
  EXPECT_EQ(mb->phys_alloc(0, 4096), 0u);
}

TEST(Memblock, NodePreferenceAndFallback) {
  auto mb = std::make_unique<Memblock>();
  ASSERT_TRUE(mb->add(SZ_1M, 31 * SZ_1M, 0));
  ASSERT_TRUE(mb->add(32 * SZ_1M, 32 * SZ_1M, 1));
  EXPECT_EQ(mb->phys_alloc_range(4096, 4096, 0, 0, 0), 32 * SZ_1M - 4096);
  EXPECT_EQ(mb->phys_alloc_range(4096, 4096, 0, 0, 1), 64 * SZ_1M - 4096);
  EXPECT_EQ(mb->phys_alloc_range(4096, 4096, 0, 0, NUMA_NO_NODE), 64 * SZ_1M - 8192);
  // Node 0 cannot hold 40M: falls back to any node... and no node can either.
  EXPECT_EQ(mb->phys_alloc_range(40 * SZ_1M, 4096, 0, 0, 0), 0u);
  // Node 0 cannot hold 31M any more, node 1 can hold 20M.
  phys_addr_t big = mb->phys_alloc_range(20 * SZ_1M, 4096, 0, 0, 0);
  ASSERT_NE(big, 0u);
  EXPECT_LT(big, 32 * SZ_1M) << "node 0 still has room for 20M";
  phys_addr_t big2 = mb->phys_alloc_range(20 * SZ_1M, 4096, 0, 0, 0);
  ASSERT_NE(big2, 0u);
  EXPECT_GE(big2, 32 * SZ_1M) << "fallback to node 1";
}

TEST(Memblock, NeverReturnsAddressZero) {
  auto mb = std::make_unique<Memblock>();
  ASSERT_TRUE(mb->add(0, 4096, 0));  // only the page at 0
  EXPECT_EQ(mb->phys_alloc(4096, 4096), 0u);
  EXPECT_EQ(mb->reserved.count(), 0u);
  auto bu = std::make_unique<Memblock>();
  ASSERT_TRUE(bu->add(0, 64 * 1024, 0));
  bu->set_bottom_up(true);
  EXPECT_EQ(bu->phys_alloc(4096, 4096), 4096u);
  EXPECT_EQ(bu->phys_alloc(4096, 4096), 8192u);
  EXPECT_FALSE(bu->reserved.contains(0));
  // Exhausting the top-down allocator still never yields 0.
  auto td = std::make_unique<Memblock>();
  ASSERT_TRUE(td->add(0, 64 * 1024, 0));
  int n = 0;
  while (phys_addr_t p = td->phys_alloc(4096, 4096)) {
    EXPECT_NE(p, 0u);
    ++n;
    ASSERT_LT(n, 100);
  }
  EXPECT_EQ(n, 15);
}

TEST(Memblock, ClosedRefusesToAllocate) {
  auto mb = simple();
  mb->close();
  EXPECT_TRUE(mb->closed());
  EXPECT_EQ(mb->phys_alloc(4096, 4096), 0u);
}

TEST(Memblock, PrintLayout) {
  auto mb = simple();
  ASSERT_TRUE(mb->reserve(2 * SZ_1M, SZ_1M));
  char buf[512];
  kmem::FixedSeq s(buf, sizeof buf);
  Memblock::print(s.seq(), mb->memory);
  EXPECT_STREQ(s.c_str(), "   0: 0x0000000000100000..0x0000000003ffffff\n");
}

}  // namespace
