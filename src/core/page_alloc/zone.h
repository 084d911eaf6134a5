// SPDX-License-Identifier: MIT
// Zones, nodes, free areas and per-CPU page lists (include/linux/mmzone.h).
//
// Lock order (outermost first):
//   CpuSlot (kernel.h) (per-CPU entry; a busy slot falls back to the buddy)
//     Zone::lock       (free_area lists, nr_free, pageblock migratetypes,
//                       nr_reserved_highatomic)
// No code takes two zone locks, or two pcp locks, at once -- except the
// invariant checker, which takes every zone lock in zone order.
#pragma once

#include <atomic>

#include "base/list.h"
#include "base/spinlock.h"
#include "context/sync.h"
#include "page_alloc/gfp.h"
#include "page_alloc/page.h"
#include "page_alloc/vmstat.h"

namespace kmem {

enum ZoneWatermark : unsigned { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

// Per-CPU page lists: NR_PCP_LISTS = MIGRATE_PCPTYPES x orders 0..COSTLY.
inline constexpr unsigned NR_PCP_LISTS = MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1);
constexpr unsigned order_to_pindex(MigrateType mt, unsigned order) {
  return MIGRATE_PCPTYPES * order + mt;
}

// One order's free lists. Written under the zone lock; the counters are
// atomics because the watermark check reads them without it (as Linux does).
struct FreeArea {
  ListHead free_list[MIGRATE_TYPES];
  std::atomic<unsigned long> nr_free;                    // blocks of this order, all types
  std::atomic<unsigned long> nr_free_mt[MIGRATE_TYPES];  // blocks per type
};

// Guarded by the CPU's CpuSlot (kernel.h): its owner enters without atomics,
// anyone else locks the slot remotely.
struct alignas(64) PerCpuPages {
  int count;  // pages (not blocks) on all lists
  int high;   // free a batch to the buddy when count reaches high
  int high_min;
  int high_max;
  int batch;  // pages moved to or from the buddy at once
  ListHead lists[NR_PCP_LISTS];
  // NUMA allocation events of this zone counted on this CPU (zone_statistics).
  EventCounter numa_event[NR_VM_NUMA_EVENT_ITEMS];
};

struct Node;

struct Zone {
  // Read-mostly after boot.
  unsigned long watermark[NR_WMARK];
  unsigned long watermark_boost;
  long lowmem_reserve[MAX_NR_ZONES];  // "protection" in zoneinfo
  Node* pgdat;
  PerCpuPages* pcp;  // [nr_cpus], from memblock; null while unpopulated
  ZoneType idx;
  bool configured;  // exists in this profile's kernel (printed in reports)
  pfn_t zone_start_pfn;
  unsigned long spanned_pages;
  unsigned long present_pages;
  std::atomic<long> managed_pages;
  std::atomic<unsigned long> nr_reserved_highatomic;  // written under lock

  alignas(64) SpinLock lock;
  FreeArea free_area[NR_PAGE_ORDERS];

  alignas(64) std::atomic<long> vm_stat[NR_VM_ZONE_STAT_ITEMS];

  bool populated() const { return managed_pages.load(std::memory_order_relaxed) > 0; }
  pfn_t zone_end_pfn() const { return zone_start_pfn + spanned_pages; }
  bool spans(pfn_t pfn) const { return pfn >= zone_start_pfn && pfn < zone_end_pfn(); }
  unsigned long managed() const {
    return (unsigned long)managed_pages.load(std::memory_order_relaxed);
  }
  unsigned long wmark(ZoneWatermark w) const { return watermark[w] + watermark_boost; }
  long free_pages() const { return vm_stat[NR_FREE_PAGES].load(std::memory_order_relaxed); }
  const char* name() const { return zone_name(idx); }
};

struct Node {
  int node_id;
  pfn_t node_start_pfn;
  unsigned long node_spanned_pages;
  unsigned long node_present_pages;
  Zone zones[MAX_NR_ZONES];
  // ZONELIST_FALLBACK: every populated zone of every node, this node first
  // (Normal, DMA32, DMA), then others by distance. Null-terminated.
  Zone* zonelist[MAX_NUMNODES * MAX_NR_ZONES + 1];
  Zone* zonelist_thisnode[MAX_NR_ZONES + 1];  // ZONELIST_NOFALLBACK
  std::atomic<long> vm_stat[NR_VM_NODE_STAT_ITEMS];

  // kswapd (page_alloc/vmscan.cpp).
  WaitEvent kswapd_wait;
  std::atomic<int> kswapd_order;
  std::atomic<int> kswapd_highest_zoneidx;  // MAX_NR_ZONES: no request pending
  std::atomic<int> kswapd_failures;         // balance runs that reclaimed nothing
  std::atomic<bool> kswapd_stop;
  std::atomic<bool> kswapd_sleeping;
  void* kswapd_thread;
  class Kernel* kernel;
};

// Per-CPU event counters (vm_event_states), one per CPU slot.
struct alignas(64) VmEventState {
  EventCounter event[NR_VM_EVENT_ITEMS];
  EventCounter zone_event[NR_VM_ZONE_EVENT_ITEMS][MAX_NR_ZONES];
};

// alloc_flags (mm/internal.h, Linux >= 6.3 names and values).
enum AllocFlags : unsigned {
  ALLOC_WMARK_MIN = WMARK_MIN,
  ALLOC_WMARK_LOW = WMARK_LOW,
  ALLOC_WMARK_HIGH = WMARK_HIGH,
  ALLOC_NO_WATERMARKS = 0x04,
  ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1,
  ALLOC_OOM = 0x08,
  ALLOC_NON_BLOCK = 0x10,
  ALLOC_MIN_RESERVE = 0x20,
  ALLOC_CPUSET = 0x40,
  ALLOC_CMA = 0x80,
  ALLOC_NOFRAGMENT = 0x100,
  ALLOC_HIGHATOMIC = 0x200,
  ALLOC_KSWAPD = 0x800,
  ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM,
};
static_assert(unsigned(ALLOC_KSWAPD) == KMEM_GFP_KSWAPD_RECLAIM,
              "copied straight from the gfp mask");
static_assert(unsigned(ALLOC_MIN_RESERVE) == KMEM_GFP_HIGH, "copied straight from the gfp mask");

}  // namespace kmem
