// SPDX-License-Identifier: MIT
// /proc/zoneinfo (zoneinfo_show_print in mm/vmstat.c). Every configured zone
// is printed, populated or not, because lowmem_reserve ("protection") covers
// all of them; an unpopulated zone stops after its protection tuple.
//
// Locking: the zone lock covers the watermark and size block; counters are
// atomics read without it; each CPU's pageset is read under its pcp lock,
// taken after the zone lock is dropped (pcp lock nests outside zone lock).
#include "report/report.h"

namespace kmem::report {

namespace {

bool is_first_populated(const Kernel& k, const Node& node, const Zone& zone) {
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    const Zone& cmp = node.zones[z];
    if (k.zone_configured(ZoneType(z)) && cmp.populated()) return &cmp == &zone;
  }
  return false;
}

void print_node_stats(Seq& out, const Node& node) {
  out.puts("\n  per-node stats");
  for (unsigned i = 0; i < NR_VM_NODE_STAT_ITEMS; ++i) {
    NodeStatItem item = NodeStatItem(i);
    unsigned long v = node_page_state(node, item);
    if (node_stat_print_in_thp(item)) v /= HPAGE_PMD_NR;
    out.print("\n      %-12s %lu", node_stat_name(item), v);
  }
}

// "pages free" through "protection: (...)". Protection has one entry per
// configured zone, in zone order (x86_64: DMA, DMA32, Normal, Movable, Device).
void print_zone_sizes(const Kernel& k, Seq& out, Zone& zone) {
  SpinGuard g(zone.lock);
  out.print("\n  pages free     %lu", zone_page_state(zone, NR_FREE_PAGES));
  out.print("\n        boost    %lu", zone.watermark_boost);
  out.print("\n        min      %lu", zone.wmark(WMARK_MIN));
  out.print("\n        low      %lu", zone.wmark(WMARK_LOW));
  out.print("\n        high     %lu", zone.wmark(WMARK_HIGH));
  out.print("\n        promo    %lu", zone.wmark(WMARK_PROMO));
  out.print("\n        spanned  %lu", zone.spanned_pages);
  out.print("\n        present  %lu", zone.present_pages);
  out.print("\n        managed  %lu", zone.managed());
  out.print("\n        cma      %lu", 0UL);  // no CMA in kmem
  const char* sep = "\n        protection: (";
  for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
    if (!k.zone_configured(ZoneType(z))) continue;
    out.print("%s%ld", sep, zone.lowmem_reserve[z]);
    sep = ", ";
  }
  out.putc(')');
}

void print_zone_counters(const Kernel& k, Seq& out, const Zone& zone) {
  for (unsigned i = 0; i < NR_VM_ZONE_STAT_ITEMS; ++i)
    out.print("\n      %-12s %lu", zone_stat_name(ZoneStatItem(i)),
              zone_page_state(zone, ZoneStatItem(i)));
  for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; ++i)
    out.print("\n      %-12s %llu", numa_stat_name(NumaStatItem(i)),
              (unsigned long long)k.zone_numa_stat(zone, NumaStatItem(i)));
}

void print_pagesets(Kernel& k, Seq& out, Zone& zone) {
  // Every CPU of a zone gets the same threshold: kmem does not lower it
  // under pressure the way Linux does while kswapd runs.
  int threshold = normal_stat_threshold(zone.managed(), k.nr_cpus());
  out.puts("\n  pagesets");
  for (unsigned cpu = 0; cpu < k.nr_cpus(); ++cpu) {
    PerCpuPages& pcp = zone.pcp[cpu];
    int count, high, batch, high_min, high_max;
    k.cpu_lock_remote(cpu);  // the CPU's owner changes count without a lock
    count = pcp.count, high = pcp.high, batch = pcp.batch;
    high_min = pcp.high_min, high_max = pcp.high_max;
    k.cpu_unlock_remote(cpu);
    out.print("\n    cpu: %u", cpu);
    out.print("\n              count:    %d", count);
    out.print("\n              high:     %d", high);
    out.print("\n              batch:    %d", batch);
    out.print("\n              high_min: %d", high_min);
    out.print("\n              high_max: %d", high_max);
    out.print("\n  vm stats threshold: %d", threshold);
  }
}

void print_zone(Kernel& k, Seq& out, const Node& node, Zone& zone) {
  out.print("Node %d, zone %8s", node.node_id, zone.name());
  if (is_first_populated(k, node, zone)) print_node_stats(out, node);
  print_zone_sizes(k, out, zone);
  if (!zone.populated() || zone.pcp == nullptr) {
    out.putc('\n');
    return;
  }
  print_zone_counters(k, out, zone);
  print_pagesets(k, out, zone);
  // kswapd gave up on the node after MAX_RECLAIM_RETRIES fruitless runs.
  out.print("\n  node_unreclaimable:  %u", k.node_unreclaimable(*zone.pgdat) ? 1u : 0u);
  out.print("\n  start_pfn:           %lu", zone.zone_start_pfn);
  out.putc('\n');
}

}  // namespace

void zoneinfo(Kernel& k, Seq& out) {
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    Node& node = *k.node_data(nid);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
      if (k.zone_configured(ZoneType(z))) print_zone(k, out, node, node.zones[z]);
  }
}

}  // namespace kmem::report
