// SPDX-License-Identifier: MIT
// Counter names (vmstat_text[] in Linux), generated from vmstat.def so that
// the enums, the names and the /proc/vmstat order can never drift apart.
#include "page_alloc/vmstat.h"

namespace kmem {

namespace {

// One table per enum; each has exactly the enum's item count, which the
// static_asserts pin down (a name missing from a table would be a compile
// error, not a silent shift of every later name).
constexpr const char* kZoneStatNames[] = {
#define KMEM_ZONE_STAT(e, n) n,
#include "page_alloc/vmstat.def"
#undef KMEM_ZONE_STAT
};
constexpr const char* kNumaStatNames[] = {
#define KMEM_NUMA_STAT(e, n) n,
#include "page_alloc/vmstat.def"
#undef KMEM_NUMA_STAT
};
constexpr const char* kNodeStatNames[] = {
#define KMEM_NODE_STAT(e, n) n,
#include "page_alloc/vmstat.def"
#undef KMEM_NODE_STAT
};
constexpr const char* kWbStatNames[] = {
#define KMEM_WB_STAT(e, n) n,
#include "page_alloc/vmstat.def"
#undef KMEM_WB_STAT
};
constexpr const char* kVmEventNames[] = {
#define KMEM_VM_EVENT(e, n) n,
#include "page_alloc/vmstat.def"
#undef KMEM_VM_EVENT
};
constexpr const char* kVmZoneEventNames[] = {
#define KMEM_VM_ZONE_EVENT(e, n) n,
#include "page_alloc/vmstat.def"
#undef KMEM_VM_ZONE_EVENT
};

static_assert(sizeof(kZoneStatNames) / sizeof(char*) == NR_VM_ZONE_STAT_ITEMS);
static_assert(sizeof(kNumaStatNames) / sizeof(char*) == NR_VM_NUMA_EVENT_ITEMS);
static_assert(sizeof(kNodeStatNames) / sizeof(char*) == NR_VM_NODE_STAT_ITEMS);
static_assert(sizeof(kWbStatNames) / sizeof(char*) == NR_VM_WB_STAT_ITEMS);
static_assert(sizeof(kVmEventNames) / sizeof(char*) == NR_VM_EVENT_ITEMS);
static_assert(sizeof(kVmZoneEventNames) / sizeof(char*) == NR_VM_ZONE_EVENT_ITEMS);

template <unsigned N>
const char* lookup(const char* const (&names)[N], unsigned i) {
  return i < N ? names[i] : "?";
}

}  // namespace

const char* zone_stat_name(ZoneStatItem i) { return lookup(kZoneStatNames, i); }
const char* numa_stat_name(NumaStatItem i) { return lookup(kNumaStatNames, i); }
const char* node_stat_name(NodeStatItem i) { return lookup(kNodeStatNames, i); }
const char* wb_stat_name(WbStatItem i) { return lookup(kWbStatNames, i); }
const char* vm_event_name(VmEventItem i) { return lookup(kVmEventNames, i); }
const char* vm_zone_event_name(VmZoneEventItem i) { return lookup(kVmZoneEventNames, i); }

}  // namespace kmem
