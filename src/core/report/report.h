// SPDX-License-Identifier: MIT
// procfs- and debugfs-format text views of a machine, byte for byte in Linux
// 6.18's layouts (compare with ../shared/data/proc-6.18). Each function writes
// one whole file into out. They lock each zone while reading its free lists,
// as Linux does, and never allocate.
#pragma once

#include "base/format.h"
#include "kernel.h"

namespace kmem::report {

void buddyinfo(Kernel& k, Seq& out);     // /proc/buddyinfo
void pagetypeinfo(Kernel& k, Seq& out);  // /proc/pagetypeinfo
void zoneinfo(Kernel& k, Seq& out);      // /proc/zoneinfo
void meminfo(Kernel& k, Seq& out);       // /proc/meminfo
void vmstat(Kernel& k, Seq& out);        // /proc/vmstat
void slabinfo(Kernel& k, Seq& out);      // /proc/slabinfo (version 2.1)
// kmem's own per-cache table (not a Linux file): list sizes, objects in the
// barns' sheaves and the fast/slow path counters (docs/proc.md).
void slab_stats(Kernel& k, Seq& out);
void unusable_index(Kernel& k, Seq& out);  // /sys/kernel/debug/extfrag/unusable_index
void extfrag_index(Kernel& k, Seq& out);   // /sys/kernel/debug/extfrag/extfrag_index

// fill_contig_page_info() and the two indices (mm/vmstat.c), x1000 integers.
struct ContigPageInfo {
  unsigned long free_pages;
  unsigned long free_blocks_total;
  unsigned long free_blocks_suitable;
};
void fill_contig_page_info(const unsigned long nr_free[NR_PAGE_ORDERS], unsigned order,
                           ContigPageInfo* info);
int unusable_free_index(unsigned order, const ContigPageInfo& info);
int fragmentation_index(unsigned order, const ContigPageInfo& info);
// Snapshot of a zone's nr_free per order, taken under the zone lock.
void zone_nr_free(Zone& z, unsigned long out[NR_PAGE_ORDERS]);

// ---- helpers shared by the report files (and white-box tests) -------------
// Counter reads as Linux does them: a transiently negative per-zone or
// per-node value (counters are updated without a common lock) reads as 0.
unsigned long zone_page_state(const Zone& z, ZoneStatItem i);
unsigned long node_page_state(const Node& n, NodeStatItem i);
// Sums over every configured zone / every node of the machine.
unsigned long global_zone_page_state(const Kernel& k, ZoneStatItem i);
unsigned long global_node_page_state(const Kernel& k, NodeStatItem i);
u64 global_numa_event_state(const Kernel& k, NumaStatItem i);
// Node stats that /proc prints in huge pages rather than pages
// (vmstat_item_print_in_thp): nr_anon_transparent_hugepages and friends.
bool node_stat_print_in_thp(NodeStatItem i);
inline constexpr unsigned long HPAGE_PMD_NR = 512;  // 2 MiB / 4 KiB

// calculate_normal_threshold() (mm/vmstat.c): how far a per-CPU counter
// delta may drift before it is folded, from the zone size and CPU count.
int normal_stat_threshold(unsigned long managed_pages, unsigned nr_cpus);

// global_dirty_limits() with Linux's default vm.dirty_ratio (20) and
// vm.dirty_background_ratio (10), in pages.
void global_dirty_limits(const Kernel& k, unsigned long* bg_thresh, unsigned long* thresh);

// How x86 would map [base, end) in the direct map: 4 KiB pages up to the
// first 2 MiB boundary, 2 MiB pages up to the first 1 GiB boundary, 1 GiB
// pages (only if gbpages) through the middle, and back down at the end.
// Adds the byte counts to *acc.
struct DirectMapSplit {
  u64 bytes_4k;
  u64 bytes_2m;
  u64 bytes_1g;
};
void direct_map_split(phys_addr_t base, phys_addr_t end, bool gbpages, DirectMapSplit* acc);

}  // namespace kmem::report
