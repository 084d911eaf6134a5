// SPDX-License-Identifier: MIT
// Zone and node set-up at boot, and the hand-over from memblock to the buddy
// allocator (memblock_free_all).
#include <new>

#include "page_alloc/internal.h"

namespace kmem {

namespace {

// Pages of memblock.memory inside [start, end), and the first and last of them.
unsigned long memory_pages_in(const Memblock& mb, pfn_t start, pfn_t end, pfn_t* first,
                              pfn_t* last) {
  unsigned long n = 0;
  *first = end;
  *last = start;
  for (unsigned i = 0; i < mb.memory.count(); ++i) {
    pfn_t s = max_t(pfn_up(mb.memory[i].base), start);
    pfn_t e = min_t(pfn_down(mb.memory[i].end()), end);
    if (s >= e) continue;
    n += e - s;
    *first = min_t(*first, s);
    *last = max_t(*last, e);
  }
  return n;
}

}  // namespace

void Kernel::Internal::init_zone_span(Kernel& k, Zone& z, int nid, pfn_t start, pfn_t end) {
  pfn_t first, last;
  z.present_pages = memory_pages_in(k.memblock_, start, end, &first, &last);
  if (z.present_pages == 0) {
    z.zone_start_pfn = start;
    return;
  }
  z.zone_start_pfn = first;
  z.spanned_pages = last - first;
  const MigrateType mt = k.grouping_ ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
  for (pfn_t pb = first >> pageblock_order; pb <= (last - 1) >> pageblock_order; ++pb) {
    k.pb_zone_node_[pb] = u8(z.idx | (nid << 3));
    k.pb_mt_[pb].store(mt, std::memory_order_relaxed);
  }
  void* mem = k.memblock_alloc_node(sizeof(PerCpuPages) * k.nr_cpus(), 64, nid);
  MM_CHECK(mem != nullptr, "no boot memory for the per-CPU page lists of node %d", nid);
  z.pcp = static_cast<PerCpuPages*>(mem);
  for (unsigned c = 0; c < k.nr_cpus(); ++c) {
    PerCpuPages* pcp = ::new (&z.pcp[c]) PerCpuPages();
    for (ListHead& l : pcp->lists) l.init();
  }
}

void Kernel::Internal::init_node_span(Kernel& k, Node& n, pfn_t start, pfn_t end) {
  pfn_t first, last;
  n.node_present_pages = memory_pages_in(k.memblock_, start, end, &first, &last);
  n.node_start_pfn = n.node_present_pages ? first : start;
  n.node_spanned_pages = n.node_present_pages ? last - first : 0;
}

// Every range that is memory and not reserved goes to the buddy allocator in
// the largest naturally aligned blocks; adjacent blocks merge on the way in.
// Reserved pages get PG_reserved; nothing else in mem_map is written.
void Kernel::Internal::memblock_free_all(Kernel& k) {
  u64 cursor = 0;
  MemblockRegion r;
  while (k.memblock_.next_free_range(cursor, &r)) {
    pfn_t pfn = pfn_up(r.base), end = min_t(pfn_down(r.end()), k.max_pfn_);
    while (pfn < end) {
      unsigned order = MAX_PAGE_ORDER;
      if (pfn != 0) order = min_t(order, unsigned(__builtin_ctzl(pfn)));
      order = min_t(order, ilog2(end - pfn));
      Zone* z = k.pfn_zone(pfn);
      MM_CHECK(z != nullptr, "free memory at pfn %lx outside every zone", pfn);
      SpinGuard g(z->lock);
      z->managed_pages.fetch_add(long(1) << order, std::memory_order_relaxed);
      free_one_page_locked(k, *z, k.pfn_to_page(pfn), pfn, order, k.pageblock_migratetype(pfn));
      pfn += 1UL << order;
    }
  }
  for (unsigned i = 0; i < k.memblock_.reserved.count(); ++i) {
    const MemblockRegion& rr = k.memblock_.reserved[i];
    pfn_t end = min_t(pfn_up(rr.end()), k.max_pfn_);
    for (pfn_t pfn = pfn_down(rr.base); pfn < end; ++pfn)
      if (k.memblock_.memory.contains(pfn_phys(pfn))) k.pfn_to_page(pfn)->flags |= PG_reserved;
  }
}

void Kernel::Internal::print_boot_summary(Kernel& k) {
  char line[160];
  FixedSeq text(line, sizeof line);
  print_cmdline(text.seq(), k.opts_);
  k.printk(LogLevel::notice, "Kernel command line: %s", text.c_str());
  k.printk(LogLevel::info, "Zone ranges:");
  for (int zi = 0; zi < MAX_NR_ZONES; ++zi) {
    if (!k.zone_configured_[zi] || zi == ZONE_MOVABLE || zi == ZONE_DEVICE) continue;
    pfn_t lo = ~0UL, hi = 0;
    for (int n = 0; n < k.nr_nodes_; ++n) {
      const Zone& z = k.nodes_[n]->zones[zi];
      if (z.present_pages == 0) continue;
      lo = min_t(lo, z.zone_start_pfn);
      hi = max_t(hi, z.zone_end_pfn());
    }
    if (hi == 0) k.printk(LogLevel::info, "  %-8s empty", zone_name(ZoneType(zi)));
    else
      k.printk(LogLevel::info, "  %-8s [mem 0x%016llx-0x%016llx]", zone_name(ZoneType(zi)),
               (unsigned long long)pfn_phys(lo), (unsigned long long)(pfn_phys(hi) - 1));
  }
  k.printk(LogLevel::info, "Early memory node ranges");
  for (unsigned i = 0; i < k.memblock_.memory.count(); ++i) {
    const MemblockRegion& r = k.memblock_.memory[i];
    k.printk(LogLevel::info, "  node %3d: [mem 0x%016llx-0x%016llx]", r.nid,
             (unsigned long long)r.base, (unsigned long long)(r.end() - 1));
  }
  unsigned long total = k.totalram_pages();
  k.printk(LogLevel::info, "Built %d zonelists, mobility grouping %s.  Total pages: %lu",
           k.nr_nodes_, k.grouping_ ? "on" : "off", total);
  unsigned long physpages = 0;
  for (int n = 0; n < k.nr_nodes_; ++n) physpages += k.nodes_[n]->node_present_pages;
  k.printk(LogLevel::info, "Memory: %luK/%luK available (%luK reserved)", total << 2,
           physpages << 2, (physpages - total) << 2);
}

}  // namespace kmem
