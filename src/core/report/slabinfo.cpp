// SPDX-License-Identifier: MIT
// Slab cache views: /proc/slabinfo (version 2.1, as mm/slab_common.c prints
// it for SLUB) and kmem's own slab_stats, a per-cache table of list sizes
// and the sheaf fast/slow path counters (CONFIG_SLUB_STATS' names).
//
// Both walk the cache list with Kernel::for_each_cache, which holds the
// cache list lock (Linux's slab_mutex) for the whole walk; Kernel::slab_info
// takes each node's list_lock and barn_lock in turn, never both, and no
// CPU slot. Caches come newest first, as Linux's slab_caches list.
#include "report/report.h"

namespace kmem::report {

namespace {

// The SlabStatItem columns of slab_stats, in enum order.
constexpr const char* kStatNames[NR_SLAB_STAT_ITEMS] = {
    "alloc_fastpath", "alloc_slowpath", "free_fastpath", "free_slowpath", "sheaf_refill",
    "sheaf_flush",    "barn_get",       "barn_get_fail", "barn_put",      "barn_put_fail",
    "alloc_slab",     "free_slab",      "order_fallback"};
static_assert(sizeof(kStatNames) / sizeof(kStatNames[0]) == NR_SLAB_STAT_ITEMS);

// Counters get at least this many columns, so that big counts stay aligned.
constexpr int kMinStatWidth = 12;

int stat_width(unsigned i) {
  int n = 0;
  while (kStatNames[i][n] != '\0') ++n;
  return n > kMinStatWidth ? n : kMinStatWidth;
}

struct Walk {
  Kernel* k;
  Seq* out;
  bool first;
};

void print_slabinfo_header(Seq& out) {
  out.puts("slabinfo - version: 2.1\n");
  out.puts("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>");
  out.puts(" : tunables <limit> <batchcount> <sharedfactor>");
  out.puts(" : slabdata <active_slabs> <num_slabs> <sharedavail>");
  out.putc('\n');
}

// cache_show(): SLUB has no tunables and no shared array (zeros).
void slabinfo_row(KmemCache* s, void* arg) {
  Walk& w = *static_cast<Walk*>(arg);
  if (w.first) {  // Linux prints the header with the first cache
    print_slabinfo_header(*w.out);
    w.first = false;
  }
  SlabInfo info;
  w.k->slab_info(s, info);
  w.out->print("%-17s %6lu %6lu %6u %4u %4d", s->name, info.active_objs, info.num_objs,
               info.objsize, info.objperslab, int(info.pagesperslab));
  w.out->print(" : tunables %4u %4u %4u", 0u, 0u, 0u);
  w.out->print(" : slabdata %6lu %6lu %6lu", info.active_slabs, info.num_slabs, 0ul);
  w.out->putc('\n');
}

void print_slab_stats_header(Seq& out) {
  out.print("%-17s %8s %8s %7s %8s %8s %8s %5s %10s %8s", "# name", "objects", "active", "objsize",
            "slabs", "partial", "full", "order", "objperslab", "sheaved");
  for (unsigned i = 0; i < NR_SLAB_STAT_ITEMS; ++i) out.print(" %*s", stat_width(i), kStatNames[i]);
  out.putc('\n');
}

void slab_stats_row(KmemCache* s, void* arg) {
  Walk& w = *static_cast<Walk*>(arg);
  SlabInfo info;
  w.k->slab_info(s, info);
  unsigned order = 0;
  while ((1u << order) < info.pagesperslab) ++order;
  w.out->print("%-17s %8lu %8lu %7u %8lu %8lu %8lu %5u %10u %8lu", s->name, info.num_objs,
               info.active_objs, info.objsize, info.num_slabs, info.nr_partial, info.nr_full, order,
               info.objperslab, info.objects_in_sheaves);
  for (unsigned i = 0; i < NR_SLAB_STAT_ITEMS; ++i)
    w.out->print(" %*llu", stat_width(i), static_cast<unsigned long long>(info.stat[i]));
  w.out->putc('\n');
}

}  // namespace

void slabinfo(Kernel& k, Seq& out) {
  Walk w{&k, &out, true};
  k.for_each_cache(slabinfo_row, &w);
}

void slab_stats(Kernel& k, Seq& out) {
  print_slab_stats_header(out);
  Walk w{&k, &out, false};
  k.for_each_cache(slab_stats_row, &w);
}

}  // namespace kmem::report
