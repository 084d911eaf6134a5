// SPDX-License-Identifier: MIT
#include "boot/memblock.h"

#include "base/bits.h"

namespace kmem {

phys_addr_t MemblockType::total() const {
  phys_addr_t t = 0;
  for (unsigned i = 0; i < cnt_; ++i) t += regions_[i].size;
  return t;
}

bool MemblockType::insert_at(unsigned i, MemblockRegion r) {
  if (cnt_ == MAX_REGIONS) return false;
  for (unsigned j = cnt_; j > i; --j) regions_[j] = regions_[j - 1];
  regions_[i] = r;
  ++cnt_;
  return true;
}

void MemblockType::merge() {
  unsigned w = 0;
  for (unsigned i = 0; i < cnt_; ++i) {
    if (w > 0 && regions_[w - 1].end() == regions_[i].base &&
        regions_[w - 1].nid == regions_[i].nid)
      regions_[w - 1].size += regions_[i].size;
    else regions_[w++] = regions_[i];
  }
  cnt_ = w;
}

// Adding a range that overlaps existing ones adds only the uncovered parts:
//
//   existing:   [----A----)        [---B---)
//   new:             [-------------------------)
//   inserted:             [--gap--)        [---)
bool MemblockType::add(phys_addr_t base, phys_addr_t size, int nid) {
  if (size == 0) return true;
  phys_addr_t end = base + size;
  if (end < base) return false;
  unsigned i = 0;
  while (base < end) {
    while (i < cnt_ && regions_[i].end() <= base) ++i;
    phys_addr_t piece_end = end;
    if (i < cnt_ && regions_[i].base <= base) {  // covered: skip past region i
      base = regions_[i].end();
      continue;
    }
    if (i < cnt_ && regions_[i].base < piece_end) piece_end = regions_[i].base;
    if (!insert_at(i, MemblockRegion{base, piece_end - base, nid})) return false;
    base = piece_end;
  }
  merge();
  return true;
}

bool MemblockType::remove(phys_addr_t base, phys_addr_t size) {
  phys_addr_t end = base + size;
  for (unsigned i = 0; i < cnt_; ++i) {
    MemblockRegion r = regions_[i];
    if (r.end() <= base || r.base >= end) continue;
    if (r.base < base && r.end() > end) {  // split in two
      regions_[i].size = base - r.base;
      if (!insert_at(i + 1, MemblockRegion{end, r.end() - end, r.nid})) return false;
      return true;
    }
    if (r.base < base) {
      regions_[i].size = base - r.base;
    } else if (r.end() > end) {
      regions_[i].base = end;
      regions_[i].size = r.end() - end;
    } else {
      for (unsigned j = i; j + 1 < cnt_; ++j) regions_[j] = regions_[j + 1];
      --cnt_;
      --i;
    }
  }
  return true;
}

bool MemblockType::overlaps(phys_addr_t base, phys_addr_t size) const {
  for (unsigned i = 0; i < cnt_; ++i)
    if (regions_[i].base < base + size && base < regions_[i].end()) return true;
  return false;
}

bool MemblockType::contains(phys_addr_t addr) const {
  for (unsigned i = 0; i < cnt_; ++i)
    if (regions_[i].base <= addr && addr < regions_[i].end()) return true;
  return false;
}

bool Memblock::next_free_range(u64& cursor, MemblockRegion* out) const {
  // cursor encodes the next physical address to look at.
  phys_addr_t pos = cursor;
  for (unsigned i = 0; i < memory.count(); ++i) {
    const MemblockRegion& m = memory[i];
    if (m.end() <= pos) continue;
    phys_addr_t s = pos > m.base ? pos : m.base;
    while (s < m.end()) {
      // Skip reserved ranges covering s; find the next reserved start after s.
      phys_addr_t next_rsv = m.end();
      bool covered = false;
      for (unsigned j = 0; j < reserved.count(); ++j) {
        const MemblockRegion& r = reserved[j];
        if (r.base <= s && s < r.end()) {
          s = r.end();
          covered = true;
          break;
        }
        if (r.base > s && r.base < next_rsv) next_rsv = r.base;
      }
      if (covered) continue;
      *out = MemblockRegion{s, next_rsv - s, m.nid};
      cursor = next_rsv;
      return true;
    }
  }
  return false;
}

phys_addr_t Memblock::find_in_range(phys_addr_t size, phys_addr_t align, phys_addr_t start,
                                    phys_addr_t end, int nid) const {
  phys_addr_t best = 0;
  bool found = false;
  u64 cursor = 0;
  MemblockRegion r;
  while (next_free_range(cursor, &r)) {
    if (nid != NUMA_NO_NODE && r.nid != nid) continue;
    phys_addr_t lo = max_t(r.base, start);
    phys_addr_t hi = min_t(r.end(), end);
    if (hi <= lo || hi - lo < size) continue;
    phys_addr_t cand = bottom_up_ ? align_up(lo, align) : align_down(hi - size, align);
    if (cand < lo || cand + size > hi) continue;
    if (bottom_up_) return cand;  // free ranges come in address order
    best = cand;
    found = true;
  }
  return found ? best : 0;
}

phys_addr_t Memblock::phys_alloc_range(phys_addr_t size, phys_addr_t align, phys_addr_t start,
                                       phys_addr_t end, int nid) {
  if (closed_ || size == 0) return 0;
  if (align == 0) align = PAGE_SIZE;
  size = align_up(size, PAGE_SIZE);
  if (end == 0 || end > current_limit_) end = current_limit_;
  // Physical address 0 is a real frame but also the failure value; never hand it out.
  if (start < PAGE_SIZE) start = PAGE_SIZE;
  phys_addr_t pa = find_in_range(size, align, start, end, nid);
  if (pa == 0 && nid != NUMA_NO_NODE) pa = find_in_range(size, align, start, end, NUMA_NO_NODE);
  if (pa == 0) return 0;
  if (!reserve(pa, size)) return 0;
  return pa;
}

void Memblock::print(Seq& out, const MemblockType& t) {
  for (unsigned i = 0; i < t.count(); ++i)
    out.print("%4u: 0x%016llx..0x%016llx\n", i, (unsigned long long)t[i].base,
              (unsigned long long)(t[i].end() - 1));
}

}  // namespace kmem
