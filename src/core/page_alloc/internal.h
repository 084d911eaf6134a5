// SPDX-License-Identifier: MIT
// Internals of the page allocator shared by its translation units
// (kernel.cpp, page_alloc/*.cpp). Not part of any public interface.
#pragma once

#include "kernel.h"

namespace kmem {

// How __rmqueue searched last time, so that rmqueue_bulk does not repeat a
// fruitless search for every page of a batch (enum rmqueue_mode).
enum class RmqueueMode { normal, claim, steal };

struct AllocContext {
  CpuRef cpu;
  Node* preferred_node;
  Zone* preferred_zone;  // first usable zone of the zonelist (ac->preferred_zoneref)
  Zone** zonelist;
  ZoneType highest_zoneidx;
  MigrateType migratetype;
};

struct Kernel::Internal {
  // ---- boot (page_alloc/init.cpp) ----
  static void init_zone_span(Kernel& k, Zone& z, int nid, pfn_t start, pfn_t end);
  static void init_node_span(Kernel& k, Node& n, pfn_t start, pfn_t end);
  static void memblock_free_all(Kernel& k);
  static void print_boot_summary(Kernel& k);

  // ---- watermarks and pcp limits (page_alloc/watermark.cpp) ----
  static void setup_per_zone_wmarks(Kernel& k);
  static void setup_pcp_limits(Kernel& k);
  static bool zone_watermark_ok(const Zone& z, unsigned order, unsigned long mark, ZoneType highest,
                                unsigned alloc_flags, long free_pages);
  static bool zone_watermark_fast(const Zone& z, unsigned order, unsigned long mark,
                                  ZoneType highest, unsigned alloc_flags, gfp_t gfp);

  // ---- buddy lists, zone->lock held (page_alloc/buddy.cpp) ----
  static void set_pageblock_migratetype(Kernel& k, pfn_t pfn, MigrateType mt);
  static void add_to_free_list(Zone& z, Page* p, unsigned order, MigrateType mt, bool tail);
  static void del_from_free_list(Zone& z, Page* p, unsigned order, MigrateType mt);
  static void account_freepages(Zone& z, long nr, MigrateType mt);
  static void free_one_page_locked(Kernel& k, Zone& z, Page* p, pfn_t pfn, unsigned order,
                                   MigrateType mt);
  static Page* rmqueue_smallest(Kernel& k, Zone& z, unsigned order, MigrateType mt);
  static Page* rmqueue(Kernel& k, Zone& z, unsigned order, MigrateType mt, unsigned alloc_flags,
                       RmqueueMode& mode);
  static void reserve_highatomic_pageblock(Kernel& k, Page* p, unsigned order, Zone& z);
  static bool unreserve_highatomic_pageblock(Kernel& k, Zone** zonelist, ZoneType highest,
                                             MigrateType to, bool force);

  // ---- reclaim (page_alloc/vmscan.cpp) ----
  // try_to_free_pages: direct reclaim for an allocation; the pages freed.
  static unsigned long try_to_free_pages(Kernel& k, gfp_t gfp, unsigned order,
                                         const AllocContext& ac);
  // pgdat_balanced: some zone up to highest meets its high watermark for order.
  static bool pgdat_balanced(Kernel& k, Node& n, unsigned order, ZoneType highest);

  // ---- allocation and free (page_alloc/page_alloc.cpp) ----
  static void free_pcppages_bulk(Kernel& k, Zone& z, int count, PerCpuPages& pcp);
  static void drain_pcp(Kernel& k, Zone& z, PerCpuPages& pcp);

  // ---- reports of misuse (page_alloc/bad_page.cpp) ----
  static void bad_page(Kernel& k, Page* p, const char* reason);
  static void warn_alloc(Kernel& k, gfp_t gfp, unsigned order, const char* what);
  static void warn_once_order(Kernel& k, gfp_t gfp, unsigned order);

  // Accessors for private state.
  static u8* pb_zone_node(Kernel& k) { return k.pb_zone_node_; }
  static std::atomic<u8>* pb_mt(Kernel& k) { return k.pb_mt_; }
  static u8* check_bitmap(Kernel& k) { return k.check_bitmap_; }
  static SpinLock& check_lock(Kernel& k) { return k.check_lock_; }
  static SpinLock& oom_kill_lock(Kernel& k) { return k.oom_kill_lock_; }
  static pfn_t max_low_pfn(const Kernel& k) { return k.max_low_pfn_; }
  static unsigned long& min_free_kbytes(Kernel& k) { return k.min_free_kbytes_; }
  static unsigned long& totalreserve(Kernel& k) { return k.totalreserve_pages_; }
  static std::atomic<u64>& alloc_failures(Kernel& k) { return k.alloc_failures_; }
  static std::atomic<u64>& warned_order(Kernel& k) { return k.warned_order_once_; }
  static std::atomic<u64>& last_warn_alloc_ns(Kernel& k) { return k.last_warn_alloc_ns_; }
};

// Pieces of the reports shared by bad_page.cpp and oom.cpp (defined in
// bad_page.cpp): the "CPU: ... Comm: ..." line of dump_stack(), and
// show_mem()'s per-zone free memory and free blocks per order.
void print_cpu_line(Seq& s, const Kernel& k, const char* taint);
void show_mem(Seq& s, Kernel& k);

inline bool migratetype_is_mergeable(MigrateType mt) { return mt < MIGRATE_PCPTYPES; }

// Relaxed read-modify-write for a counter whose writers all hold one lock.
template <typename T, typename D>
inline void locked_add(std::atomic<T>& a, D d) {
  a.store(T(a.load(std::memory_order_relaxed) + T(d)), std::memory_order_relaxed);
}

}  // namespace kmem
