// SPDX-License-Identifier: MIT
// Counter reads and derived values shared by the report files: clamped
// counter sums, the vmstat drift threshold, the dirty limits and the direct
// map's page-size split.
#include "base/bits.h"
#include "report/report.h"

namespace kmem::report {

namespace {

unsigned long clamp_positive(long v) { return v < 0 ? 0 : (unsigned long)v; }

// fls(): 1-based index of the highest set bit, 0 for 0.
int fls(unsigned long x) { return x == 0 ? 0 : int(ilog2(x)) + 1; }

}  // namespace

unsigned long zone_page_state(const Zone& z, ZoneStatItem i) {
  return clamp_positive(z.vm_stat[i].load(std::memory_order_relaxed));
}

unsigned long node_page_state(const Node& n, NodeStatItem i) {
  return clamp_positive(n.vm_stat[i].load(std::memory_order_relaxed));
}

// Sums the raw values and clamps once at the end, as Linux's global counter
// (which is the sum of the per-zone ones) does.
unsigned long global_zone_page_state(const Kernel& k, ZoneStatItem i) {
  long sum = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
      if (k.zone_configured(ZoneType(z)))
        sum += k.node_data(nid)->zones[z].vm_stat[i].load(std::memory_order_relaxed);
  return clamp_positive(sum);
}

unsigned long global_node_page_state(const Kernel& k, NodeStatItem i) {
  long sum = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    sum += k.node_data(nid)->vm_stat[i].load(std::memory_order_relaxed);
  return clamp_positive(sum);
}

u64 global_numa_event_state(const Kernel& k, NumaStatItem i) {
  u64 sum = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
      if (k.zone_configured(ZoneType(z))) sum += k.zone_numa_stat(k.node_data(nid)->zones[z], i);
  return sum;
}

bool node_stat_print_in_thp(NodeStatItem i) {
  switch (i) {
    case NR_ANON_TRANSPARENT_HUGEPAGES:
    case NR_SHMEM_HUGEPAGES:
    case NR_SHMEM_PMDMAPPED:
    case NR_FILE_HUGEPAGES:
    case NR_FILE_PMDMAPPED: return true;
    default: return false;
  }
}

// Grows with the log of the CPU count (more CPUs, more contention on the
// shared counter) and with the log of the zone size in 128 MiB units (a
// bigger zone tolerates more drift); Linux caps it at 125 because the
// per-CPU deltas are s8.
int normal_stat_threshold(unsigned long managed_pages, unsigned nr_cpus) {
  unsigned long mem_128m = managed_pages >> (27 - PAGE_SHIFT);
  int threshold = 2 * fls(nr_cpus) * (1 + fls(mem_128m));
  return threshold < 125 ? threshold : 125;
}

namespace {

// Free and file pages of the HighMem zones above their high watermarks:
// Linux keeps them out of the dirtyable memory (vm_highmem_is_dirtyable = 0)
// so that lowmem-only metadata writeback is not swamped.
unsigned long highmem_dirtyable(const Kernel& k, unsigned long total) {
  if (!k.has_highmem()) return 0;
  unsigned long x = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    const Zone& z = k.node_data(nid)->zones[ZONE_HIGHMEM];
    unsigned long free = zone_page_state(z, NR_FREE_PAGES);
    unsigned long high = z.wmark(WMARK_HIGH);
    x += free - (free < high ? free : high);
    x += zone_page_state(z, NR_ZONE_INACTIVE_FILE) + zone_page_state(z, NR_ZONE_ACTIVE_FILE);
  }
  return x < total ? x : total;
}

// global_dirtyable_memory(): free pages above the reserves plus the file LRU.
unsigned long global_dirtyable_memory(const Kernel& k) {
  unsigned long x = global_zone_page_state(k, NR_FREE_PAGES);
  unsigned long reserve = k.totalreserve_pages();
  x -= x < reserve ? x : reserve;
  x += global_node_page_state(k, NR_INACTIVE_FILE) + global_node_page_state(k, NR_ACTIVE_FILE);
  x -= highmem_dirtyable(k, x);
  return x + 1;  // never 0
}

}  // namespace

void global_dirty_limits(const Kernel& k, unsigned long* bg_thresh, unsigned long* thresh) {
  constexpr unsigned long kDirtyRatio = 20, kBackgroundRatio = 10;
  // Linux turns the percentages into parts per PAGE_SIZE first, and keeps
  // that rounding: it shows in the printed values (819/4096, not 1/5).
  constexpr unsigned long ratio = kDirtyRatio * PAGE_SIZE / 100;
  constexpr unsigned long bg_ratio = kBackgroundRatio * PAGE_SIZE / 100;
  unsigned long avail = global_dirtyable_memory(k);
  unsigned long t = ratio * avail / PAGE_SIZE;
  unsigned long bg = bg_ratio * avail / PAGE_SIZE;
  if (bg > t) bg = t;
  if (t != 0 && bg >= t) bg = t / 2;
  *thresh = t;
  *bg_thresh = bg;
}

void direct_map_split(phys_addr_t base, phys_addr_t end, bool gbpages, DirectMapSplit* acc) {
  constexpr u64 k2M = 2 * SZ_1M;
  if (end <= base) return;
  // [base, end) in up to five pieces: 4k | 2M | 1G | 2M | 4k. A range that
  // never reaches a boundary stays in the smaller size.
  auto piece = [&](u64 align, u64* small) {
    u64 up = align_up(base, align);
    if (up > end) up = end;
    *small += up - base;
    base = up;
  };
  piece(k2M, &acc->bytes_4k);
  if (gbpages) piece(SZ_1G, &acc->bytes_2m);
  u64 big_end = gbpages ? align_down(end, SZ_1G) : base;
  if (big_end > base) {
    acc->bytes_1g += big_end - base;
    base = big_end;
  }
  u64 mid_end = align_down(end, k2M);
  if (mid_end > base) {
    acc->bytes_2m += mid_end - base;
    base = mid_end;
  }
  acc->bytes_4k += end - base;
}

}  // namespace kmem::report
