// SPDX-License-Identifier: MIT
// Counter enums generated from vmstat.def.
#pragma once

#include <atomic>

#include "base/types.h"

namespace kmem {

enum ZoneStatItem : unsigned {
#define KMEM_ZONE_STAT(e, n) e,
#include "page_alloc/vmstat.def"
#undef KMEM_ZONE_STAT
  NR_VM_ZONE_STAT_ITEMS
};
enum NumaStatItem : unsigned {
#define KMEM_NUMA_STAT(e, n) e,
#include "page_alloc/vmstat.def"
#undef KMEM_NUMA_STAT
  NR_VM_NUMA_EVENT_ITEMS
};
enum NodeStatItem : unsigned {
#define KMEM_NODE_STAT(e, n) e,
#include "page_alloc/vmstat.def"
#undef KMEM_NODE_STAT
  NR_VM_NODE_STAT_ITEMS
};
enum WbStatItem : unsigned {
#define KMEM_WB_STAT(e, n) e,
#include "page_alloc/vmstat.def"
#undef KMEM_WB_STAT
  NR_VM_WB_STAT_ITEMS
};
enum VmEventItem : unsigned {
#define KMEM_VM_EVENT(e, n) e,
#include "page_alloc/vmstat.def"
#undef KMEM_VM_EVENT
  NR_VM_EVENT_ITEMS
};
enum VmZoneEventItem : unsigned {
#define KMEM_VM_ZONE_EVENT(e, n) e,
#include "page_alloc/vmstat.def"
#undef KMEM_VM_ZONE_EVENT
  NR_VM_ZONE_EVENT_ITEMS
};

const char* zone_stat_name(ZoneStatItem i);
const char* numa_stat_name(NumaStatItem i);
const char* node_stat_name(NodeStatItem i);
const char* wb_stat_name(WbStatItem i);
const char* vm_event_name(VmEventItem i);
const char* vm_zone_event_name(VmZoneEventItem i);

// A counter bumped on a fast path by the one thread that owns its CPU slot.
// Increments are a relaxed load and store, not a locked read-modify-write:
// if two threads share one slot an increment may be lost, as a statistic
// may; nothing else reads these as exact.
struct EventCounter {
  std::atomic<u64> v{0};
  void add(u64 d) { v.store(v.load(std::memory_order_relaxed) + d, std::memory_order_relaxed); }
  u64 get() const { return v.load(std::memory_order_relaxed); }
};

}  // namespace kmem
