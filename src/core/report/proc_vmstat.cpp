// SPDX-License-Identifier: MIT
// /proc/vmstat: "name value" per counter, in vmstat.def's order, which is
// Linux 6.18's: zone stats (summed), NUMA events, node stats (summed), the
// global writeback/memmap values, then the event counters -- with each
// per-zone event expanded to name_<zone> for every configured zone.
//
// Locking: none; every value is an atomic counter or derived from them.
#include "report/report.h"

namespace kmem::report {

namespace {

enum class Kind : u8 { zone, numa, node, wb, event, zone_event };

struct Entry {
  Kind kind;
  u16 item;
  const char* name;
};

// The whole file's order, straight from the .def (all six kinds in one pass).
constexpr Entry kEntries[] = {
#define KMEM_ZONE_STAT(e, n) {Kind::zone, e, n},
#define KMEM_NUMA_STAT(e, n) {Kind::numa, e, n},
#define KMEM_NODE_STAT(e, n) {Kind::node, e, n},
#define KMEM_WB_STAT(e, n) {Kind::wb, e, n},
#define KMEM_VM_EVENT(e, n) {Kind::event, e, n},
#define KMEM_VM_ZONE_EVENT(e, n) {Kind::zone_event, e, n},
#include "page_alloc/vmstat.def"
#undef KMEM_ZONE_STAT
#undef KMEM_NUMA_STAT
#undef KMEM_NODE_STAT
#undef KMEM_WB_STAT
#undef KMEM_VM_EVENT
#undef KMEM_VM_ZONE_EVENT
};

// Suffixes of Linux's TEXTS_FOR_ZONES(): note "high", not "highmem".
constexpr const char* kZoneSuffix[MAX_NR_ZONES] = {"dma",  "dma32",   "normal",
                                                   "high", "movable", "device"};

u64 wb_value(const Kernel& k, WbStatItem i) {
  unsigned long bg, thresh;
  switch (i) {
    case NR_DIRTY_THRESHOLD: global_dirty_limits(k, &bg, &thresh); return thresh;
    case NR_DIRTY_BACKGROUND_THRESHOLD: global_dirty_limits(k, &bg, &thresh); return bg;
    case NR_MEMMAP_PAGES:
      return 0;  // memmap allocated from the buddy allocator (memory hotplug only)
    case NR_MEMMAP_BOOT_PAGES: return k.memmap_pages();
    default: return 0;
  }
}

u64 node_value(const Kernel& k, NodeStatItem i) {
  u64 v = global_node_page_state(k, i);
  return node_stat_print_in_thp(i) ? v / HPAGE_PMD_NR : v;
}

u64 event_value(const Kernel& k, VmEventItem i) {
  u64 v = k.sum_vm_event(i);
  // Linux counts page-in/out in 512-byte sectors and prints KiB.
  return (i == PGPGIN || i == PGPGOUT) ? v / 2 : v;
}

u64 entry_value(const Kernel& k, const Entry& e) {
  switch (e.kind) {
    case Kind::zone: return global_zone_page_state(k, ZoneStatItem(e.item));
    case Kind::numa: return global_numa_event_state(k, NumaStatItem(e.item));
    case Kind::node: return node_value(k, NodeStatItem(e.item));
    case Kind::wb: return wb_value(k, WbStatItem(e.item));
    case Kind::event: return event_value(k, VmEventItem(e.item));
    case Kind::zone_event: return 0;  // expanded per zone by the caller
  }
  return 0;
}

void print_value(Seq& out, const char* name, u64 v) {
  out.print("%s %llu\n", name, (unsigned long long)v);
}

}  // namespace

void vmstat(Kernel& k, Seq& out) {
  for (const Entry& e : kEntries) {
    if (e.kind != Kind::zone_event) {
      print_value(out, e.name, entry_value(k, e));
      continue;
    }
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      if (!k.zone_configured(ZoneType(z))) continue;
      out.print("%s_%s %llu\n", e.name, kZoneSuffix[z],
                (unsigned long long)k.sum_zone_event(VmZoneEventItem(e.item), ZoneType(z)));
    }
  }
}

}  // namespace kmem::report
