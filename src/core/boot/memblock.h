// SPDX-License-Identifier: MIT
// memblock: the boot-time allocator (mm/memblock.c). Two sorted arrays of
// physical ranges -- what memory exists (memory) and what of it is in use
// (reserved). Allocation is top-down below current_limit. Whatever memblock
// hands out is never given back to the page allocator: memblock_free_all()
// passes only the ranges that are memory and not reserved.
//
// Locking: none. memblock runs single-threaded during boot, before any other
// CPU can allocate; after free_all() it refuses to allocate.
#pragma once

#include "base/format.h"
#include "base/types.h"

namespace kmem {

struct MemblockRegion {
  phys_addr_t base;
  phys_addr_t size;
  int nid;
  phys_addr_t end() const { return base + size; }
};

class MemblockType {
 public:
  static constexpr unsigned MAX_REGIONS = 128;  // INIT_MEMBLOCK_REGIONS, never grown
  unsigned count() const { return cnt_; }
  const MemblockRegion& operator[](unsigned i) const { return regions_[i]; }
  phys_addr_t total() const;
  // Adds [base, base+size), merging with neighbours of the same node.
  [[nodiscard]] bool add(phys_addr_t base, phys_addr_t size, int nid);
  // Removes [base, base+size) from every region, splitting as needed.
  [[nodiscard]] bool remove(phys_addr_t base, phys_addr_t size);
  bool overlaps(phys_addr_t base, phys_addr_t size) const;
  bool contains(phys_addr_t addr) const;

 private:
  bool insert_at(unsigned i, MemblockRegion r);
  void merge();
  MemblockRegion regions_[MAX_REGIONS];
  unsigned cnt_ = 0;
};

class Memblock {
 public:
  MemblockType memory;
  MemblockType reserved;

  [[nodiscard]] bool add(phys_addr_t base, phys_addr_t size, int nid) {
    return memory.add(base, size, nid);
  }
  [[nodiscard]] bool reserve(phys_addr_t base, phys_addr_t size) {
    return reserved.add(base, size, NUMA_NO_NODE);
  }
  // memblock_phys_free: un-reserve a range handed out earlier.
  [[nodiscard]] bool phys_free(phys_addr_t base, phys_addr_t size) {
    return reserved.remove(base, size);
  }

  // memblock_phys_alloc_range / _try_nid: highest free range of size bytes
  // aligned to align within [start, end) (end 0 = current_limit), on nid if
  // nid >= 0 and such memory exists, else on any node. Returns 0 on failure.
  phys_addr_t phys_alloc_range(phys_addr_t size, phys_addr_t align, phys_addr_t start,
                               phys_addr_t end, int nid);
  phys_addr_t phys_alloc(phys_addr_t size, phys_addr_t align) {
    return phys_alloc_range(size, align, 0, 0, NUMA_NO_NODE);
  }

  // Iterates the free ranges (memory minus reserved) in address order:
  // for (u64 i = 0; next_free_range(i, &r);) ...
  bool next_free_range(u64& cursor, MemblockRegion* out) const;

  void set_current_limit(phys_addr_t limit) { current_limit_ = limit; }
  phys_addr_t current_limit() const { return current_limit_; }
  void set_bottom_up(bool b) { bottom_up_ = b; }

  // After the page allocator takes over, memblock allocations fail.
  void close() { closed_ = true; }
  bool closed() const { return closed_; }

  // /sys/kernel/debug/memblock/{memory,reserved} layout: "   0: 0x...-0x..."
  static void print(Seq& out, const MemblockType& t);

 private:
  phys_addr_t find_in_range(phys_addr_t size, phys_addr_t align, phys_addr_t start, phys_addr_t end,
                            int nid) const;
  phys_addr_t current_limit_ = ~phys_addr_t(0);
  bool bottom_up_ = false;
  bool closed_ = false;
};

}  // namespace kmem
