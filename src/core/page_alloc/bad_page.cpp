// SPDX-License-Identifier: MIT
// Reports of misuse and failure in Linux's layouts: "BUG: Bad page state",
// "page allocation failure", and WARN_ON_ONCE for impossible orders.
#include "page_alloc/internal.h"

namespace kmem {

namespace {

void print_page_flags(Seq& s, const Kernel& k, const Page* p) {
  static constexpr struct {
    u32 bit;
    const char* name;
  } kNames[] = {
      {PG_reserved, "reserved"}, {PG_head, "head"}, {PG_movable, "lru"}, {PG_slab, "slab"}};
  s.print("flags: %#x(", p->flags);
  for (const auto& n : kNames)
    if (p->flags & n.bit) s.print("%s|", n.name);
  const Zone* z = k.page_zone(p);
  if (z) s.print("node=%d|zone=%d)\n", z->pgdat->node_id, int(z->idx));
  else s.puts("hole)\n");
  if (p->is_buddy()) s.print("page_type: buddy (order %u)\n", p->buddy_order);
  if (p->pcp) s.print("page_type: on a per-CPU list (order %u)\n", p->pcp_order);
}

}  // namespace

// The header of a WARNING/BUG report: "CPU: 0 UID: 0 PID: 1 Comm: swapper/0".
void print_cpu_line(Seq& s, const Kernel& k, const char* taint) {
  char comm[32];
  k.current_comm(comm, sizeof comm);
  s.print("CPU: %u UID: 0 PID: %d Comm: %s Tainted: %s (kmem)\n", k.current_cpu(), k.current_pid(),
          comm, taint);
}

// show_mem(): per zone free and watermarks, then the free blocks per order
// ("Node 0 Normal: 12*4kB (UM) 3*8kB (M) ... = 104kB").
void show_mem(Seq& s, Kernel& k) {
  s.puts("Mem-Info:\n");
  for (int n = 0; n < k.nr_node_ids(); ++n) {
    for (Zone& z : k.node_data(n)->zones) {
      if (!z.populated()) continue;
      s.print(
          "Node %d %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB "
          "present:%lukB managed:%lukB\n",
          n, z.name(), (unsigned long)z.free_pages() << 2, z.watermark_boost << 2,
          z.watermark[WMARK_MIN] << 2, z.watermark[WMARK_LOW] << 2, z.watermark[WMARK_HIGH] << 2,
          z.present_pages << 2, z.managed() << 2);
      s.print("lowmem_reserve[]:");
      for (int j = 0; j < MAX_NR_ZONES; ++j)
        if (k.zone_configured(ZoneType(j))) s.print(" %ld", z.lowmem_reserve[j]);
      s.putc('\n');
    }
  }
  for (int n = 0; n < k.nr_node_ids(); ++n) {
    for (Zone& z : k.node_data(n)->zones) {
      if (!z.populated()) continue;
      s.print("Node %d %s: ", n, z.name());
      unsigned long total = 0;
      SpinGuard g(z.lock);
      for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
        unsigned long nr = z.free_area[o].nr_free.load(std::memory_order_relaxed);
        total += nr << o;
        s.print("%lu*%lukB ", nr, 4UL << o);
        if (nr == 0) continue;
        static constexpr char kLetters[MIGRATE_TYPES] = {'U', 'M', 'E', 'H', 'I'};
        s.putc('(');
        for (unsigned mt = 0; mt < MIGRATE_TYPES; ++mt)
          if (!z.free_area[o].free_list[mt].empty()) s.putc(kLetters[mt]);
        s.puts(") ");
      }
      s.print("= %lukB\n", total << 2);
    }
  }
  s.print("%lu pages RAM\n%lu pages reserved\n", k.totalram_pages(), k.totalreserve_pages());
}

namespace {

void emit(Kernel& k, FixedSeq& fs, BugKind kind) {
  size_t n = fs.length();
  k.report_bug(kind, fs.c_str(), n);
}

}  // namespace

void Kernel::Internal::bad_page(Kernel& k, Page* p, const char* reason) {
  char buf[1536];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  char comm[32];
  k.current_comm(comm, sizeof comm);
  const pfn_t pfn = k.page_to_pfn(p);
  s.print("BUG: Bad page state in process %s  pfn:%05lx\n", comm, pfn);
  s.print("page: refcount:%d mapcount:0 mapping:0000000000000000 index:0x0 pfn:%#lx\n",
          p->ref_count(), pfn);
  print_page_flags(s, k, p);
  const auto* raw = reinterpret_cast<const unsigned long*>(p);
  s.print("raw: %016lx %016lx %016lx %016lx\nraw: %016lx %016lx %016lx %016lx\n", raw[0], raw[1],
          raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]);
  s.print("page dumped because: %s\n", reason);
  s.puts("Modules linked in:\n");
  print_cpu_line(s, k, "G    B");
  emit(k, fs, BUG_BAD_PAGE);
}

void Kernel::Internal::warn_alloc(Kernel& k, gfp_t gfp, unsigned order, const char* what) {
  // Linux's nopage_rs: at most one report per 10 seconds.
  const u64 now = k.ops_.now_ns ? k.ops_.now_ns(k.ops_.ctx) : 1;
  std::atomic<u64>& last = last_warn_alloc_ns(k);
  u64 prev = last.load(std::memory_order_relaxed);
  if (prev != 0 && now - prev < 10ULL * 1000000000ULL) return;
  // One thread wins the report for this interval.
  if (!last.compare_exchange_strong(prev, now == 0 ? 1 : now)) return;
  char buf[8192];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  char comm[32];
  k.current_comm(comm, sizeof comm);
  s.print("%s: page allocation failure: order:%u, mode:%#x(", comm, order, gfp);
  print_gfp(s, gfp);
  s.puts("), nodemask=(null)");
  if (what) s.print(": %s", what);
  s.puts(",cpuset=/,mems_allowed=");
  s.print(k.nr_node_ids() > 1 ? "0-%d\n" : "%d\n", k.nr_node_ids() - 1);
  print_cpu_line(s, k, "G");
  show_mem(s, k);
  k.log_text(LogLevel::warning, fs.c_str(), fs.length());
}

void Kernel::Internal::warn_once_order(Kernel& k, gfp_t gfp, unsigned order) {
  if (warned_order(k).fetch_add(1, std::memory_order_relaxed) != 0) return;
  char buf[512];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  s.puts("------------[ cut here ]------------\n");
  s.print("WARNING: CPU: %u PID: %d at mm/page_alloc.c:5089 __alloc_frozen_pages_noprof\n",
          k.current_cpu(), k.current_pid());
  s.print("order %u > MAX_PAGE_ORDER %u, gfp %#x\n", order, MAX_PAGE_ORDER, gfp);
  s.puts("Modules linked in:\n");
  print_cpu_line(s, k, "G        W");
  s.puts("---[ end trace 0000000000000000 ]---\n");
  emit(k, fs, BUG_WARN);
}

}  // namespace kmem
