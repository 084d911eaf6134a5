// SPDX-License-Identifier: MIT
// Free-list views: /proc/buddyinfo, /proc/pagetypeinfo and the debugfs
// extfrag files (unusable_index, extfrag_index), as mm/vmstat.c prints them.
//
// Locking: each zone's lock is held while its free lists or nr_free are read,
// one zone at a time, never with any other lock held.
#include "report/report.h"

namespace kmem::report {

namespace {

// Linux stops counting a free list at this length: the walk runs under the
// zone lock, and an approximate count of a huge list is good enough. Such a
// count prints with a '>' in front.
constexpr unsigned long kFreeListCountCap = 100000;

// Calls fn(node, zone) for each populated zone, in node then zone order.
template <typename Fn>
void for_each_populated_zone(Kernel& k, Fn fn) {
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    Node* node = k.node_data(nid);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      Zone& zone = node->zones[z];
      if (k.zone_configured(ZoneType(z)) && zone.populated()) fn(*node, zone);
    }
  }
}

bool node_has_memory(const Kernel& k, const Node& node) {
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
    if (k.zone_configured(ZoneType(z)) && node.zones[z].populated()) return true;
  return false;
}

void print_zone_prefix(Seq& out, const Node& node, const Zone& zone) {
  out.print("Node %d, zone %8s ", node.node_id, zone.name());
}

// ---- pagetypeinfo pieces --------------------------------------------------

void print_free_counts(Seq& out, const Node& node, Zone& zone) {
  SpinGuard g(zone.lock);
  for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) {
    out.print("Node %4d, zone %8s, type %12s ", node.node_id, zone.name(),
              migratetype_name(MigrateType(mt)));
    for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
      // Linux walks the list and stops at kFreeListCountCap; the per-type
      // counter gives the same number without a long walk under the lock.
      unsigned long n = zone.free_area[order].nr_free_mt[mt].load(std::memory_order_relaxed);
      if (n > kFreeListCountCap) n = kFreeListCountCap;
      out.print("%s%6lu ", n >= kFreeListCountCap ? ">" : "", n);
    }
    out.putc('\n');
  }
}

// Pageblocks are counted from zone_start_pfn in steps of a pageblock, as
// Linux does (so a zone starting at pfn 1 samples pfns 1, 513, ...).
void print_block_counts(Kernel& k, Seq& out, const Node& node, Zone& zone) {
  unsigned long count[MIGRATE_TYPES] = {};
  {
    SpinGuard g(zone.lock);  // pageblock migratetypes change under it
    for (pfn_t pfn = zone.zone_start_pfn; pfn < zone.zone_end_pfn(); pfn += pageblock_nr_pages) {
      if (!k.pfn_valid(pfn) || k.pfn_zone(pfn) != &zone) continue;
      MigrateType mt = k.pageblock_migratetype(pfn);
      if (mt < MIGRATE_TYPES) ++count[mt];
    }
  }
  print_zone_prefix(out, node, zone);
  for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt) out.print("%12lu ", count[mt]);
  out.putc('\n');
}

void print_pagetypeinfo_node(Kernel& k, Seq& out, const Node& node) {
  out.print("Page block order: %u\n", pageblock_order);
  out.print("Pages per block:  %lu\n", pageblock_nr_pages);
  out.putc('\n');
  out.print("%-43s ", "Free pages count per migrate type at order");
  for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) out.print("%6u ", order);
  out.putc('\n');
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    Zone& zone = k.node_data(node.node_id)->zones[z];
    if (k.zone_configured(ZoneType(z)) && zone.populated()) print_free_counts(out, node, zone);
  }
  out.print("\n%-23s", "Number of blocks type ");
  for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt)
    out.print("%12s ", migratetype_name(MigrateType(mt)));
  out.putc('\n');
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    Zone& zone = k.node_data(node.node_id)->zones[z];
    if (k.zone_configured(ZoneType(z)) && zone.populated()) print_block_counts(k, out, node, zone);
  }
}

// Prints a x1000 fixed-point index the way Linux does: quotient and
// remainder (so -1000 prints "-1.000"); extfrag_index pads to two columns
// because its values can be -1.
void print_index(Seq& out, int index, bool two_columns) {
  if (two_columns) out.print("%2d.%03d ", index / 1000, index % 1000);
  else out.print("%d.%03d ", index / 1000, index % 1000);
}

}  // namespace

// ---- /proc/buddyinfo -------------------------------------------------------

void zone_nr_free(Zone& z, unsigned long out[NR_PAGE_ORDERS]) {
  SpinGuard g(z.lock);
  for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order)
    out[order] = z.free_area[order].nr_free.load(std::memory_order_relaxed);
}

void buddyinfo(Kernel& k, Seq& out) {
  for_each_populated_zone(k, [&](Node& node, Zone& zone) {
    unsigned long nr_free[NR_PAGE_ORDERS];
    zone_nr_free(zone, nr_free);
    print_zone_prefix(out, node, zone);
    for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) out.print("%6lu ", nr_free[order]);
    out.putc('\n');
  });
}

// ---- /proc/pagetypeinfo ------------------------------------------------------

void pagetypeinfo(Kernel& k, Seq& out) {
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    const Node& node = *k.node_data(nid);
    if (node_has_memory(k, node)) print_pagetypeinfo_node(k, out, node);  // memoryless: nothing
  }
}

// ---- fragmentation indices ------------------------------------------------

void fill_contig_page_info(const unsigned long nr_free[NR_PAGE_ORDERS], unsigned order,
                           ContigPageInfo* info) {
  info->free_pages = 0;
  info->free_blocks_total = 0;
  info->free_blocks_suitable = 0;
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
    info->free_blocks_total += nr_free[o];
    info->free_pages += nr_free[o] << o;
    // A free block of order o >= order holds 2^(o - order) requests.
    if (o >= order) info->free_blocks_suitable += nr_free[o] << (o - order);
  }
}

int unusable_free_index(unsigned order, const ContigPageInfo& info) {
  if (info.free_pages == 0) return 1000;  // no free memory: all of it is "unusable"
  u64 unusable = info.free_pages - (info.free_blocks_suitable << order);
  return int(unusable * 1000ULL / info.free_pages);
}

int fragmentation_index(unsigned order, const ContigPageInfo& info) {
  if (order > MAX_PAGE_ORDER || info.free_blocks_total == 0) return 0;
  // The index only means something for a request that would fail.
  if (info.free_blocks_suitable != 0) return -1000;
  u64 requests = info.free_pages * 1000ULL >> order;  // free memory in requests, x1000
  return int(1000 - (1000 + requests) / info.free_blocks_total);
}

namespace {

// One row per populated zone, one index per order: the shared shape of the
// two debugfs extfrag files.
void print_index_file(Kernel& k, Seq& out, int (*index)(unsigned, const ContigPageInfo&),
                      bool signed_format) {
  for_each_populated_zone(k, [&](Node& node, Zone& zone) {
    unsigned long nr_free[NR_PAGE_ORDERS];
    zone_nr_free(zone, nr_free);
    print_zone_prefix(out, node, zone);
    for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
      ContigPageInfo info;
      fill_contig_page_info(nr_free, order, &info);
      print_index(out, index(order, info), signed_format);
    }
    out.putc('\n');
  });
}

}  // namespace

void unusable_index(Kernel& k, Seq& out) { print_index_file(k, out, unusable_free_index, false); }

void extfrag_index(Kernel& k, Seq& out) { print_index_file(k, out, fragmentation_index, true); }

}  // namespace kmem::report
