// SPDX-License-Identifier: MIT
// /proc/meminfo (fs/proc/meminfo.c, hugetlb_report_meminfo,
// arch_report_meminfo on x86), with Linux 6.18's line list for a kernel
// without CMA, memory-failure or shadow call stacks. Lines for what kmem
// does not model (page cache, swap, zswap, user mappings) print 0.
//
// Every line is a 16-column label then an 8-wide value in KiB (show_val_kb);
// a wider value just pushes " kB" right, as in Linux.
//
// Units of the node counters read here: pages, except nr_kernel_stack (KiB,
// Linux's NR_KERNEL_STACK_KB).
//
// Locking: none; every value is an atomic counter or fixed after boot.
#include "base/bits.h"
#include "report/report.h"

namespace kmem::report {

namespace {

constexpr unsigned kPageKbShift = PAGE_SHIFT - 10;

// VMALLOC_TOTAL >> 10. x86_64 (4-level paging): VMALLOC_END - VMALLOC_START
// is 32 TiB - 1 byte, hence 2^35 - 1 KiB. i386: 896 MiB of lowmem leave
// 120 MiB of vmalloc space below the kmap and fixmap areas.
constexpr u64 kVmallocTotalKb64 = 34359738367ULL;
constexpr u64 kVmallocTotalKb32 = 122880ULL;

void show_val_kb(Seq& out, const char* label, unsigned long pages) {
  out.print("%-16s%8lu kB\n", label, pages << kPageKbShift);
}

void show_kb(Seq& out, const char* label, u64 kb) {
  out.print("%-16s%8llu kB\n", label, (unsigned long long)kb);
}

unsigned long node_pages(const Kernel& k, NodeStatItem i) { return global_node_page_state(k, i); }

// Sum of every configured zone's low watermark (boost included).
unsigned long total_low_wmark(const Kernel& k) {
  unsigned long sum = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z)
      if (k.zone_configured(ZoneType(z))) sum += k.node_data(nid)->zones[z].wmark(WMARK_LOW);
  return sum;
}

// Half of a reclaimable amount, at most the low watermarks, is assumed to
// be needed to keep the system running, so it is not counted as available.
long usable_part(unsigned long pages, unsigned long wmark_low) {
  unsigned long keep = pages / 2 < wmark_low ? pages / 2 : wmark_low;
  return long(pages - keep);
}

// si_mem_available(): free pages above the reserves, plus the part of the
// page cache and reclaimable kernel memory that could be freed without
// pushing the system into swapping.
unsigned long mem_available(const Kernel& k) {
  unsigned long wmark_low = total_low_wmark(k);
  long avail = long(global_zone_page_state(k, NR_FREE_PAGES)) - long(k.totalreserve_pages());
  avail += usable_part(node_pages(k, NR_ACTIVE_FILE) + node_pages(k, NR_INACTIVE_FILE), wmark_low);
  avail += usable_part(
      node_pages(k, NR_SLAB_RECLAIMABLE) + node_pages(k, NR_KERNEL_MISC_RECLAIMABLE), wmark_low);
  return avail < 0 ? 0 : (unsigned long)avail;
}

// Managed and free pages of the HighMem zones (si_meminfo's totalhigh/freehigh).
void highmem_pages(const Kernel& k, unsigned long* total, unsigned long* free) {
  *total = *free = 0;
  if (!k.has_highmem()) return;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    const Zone& z = k.node_data(nid)->zones[ZONE_HIGHMEM];
    *total += z.managed();
    *free += zone_page_state(z, NR_FREE_PAGES);
  }
}

void print_lru_lines(const Kernel& k, Seq& out) {
  unsigned long aa = node_pages(k, NR_ACTIVE_ANON), ia = node_pages(k, NR_INACTIVE_ANON);
  unsigned long af = node_pages(k, NR_ACTIVE_FILE), inf = node_pages(k, NR_INACTIVE_FILE);
  show_val_kb(out, "Active:", aa + af);
  show_val_kb(out, "Inactive:", ia + inf);
  show_val_kb(out, "Active(anon):", aa);
  show_val_kb(out, "Inactive(anon):", ia);
  show_val_kb(out, "Active(file):", af);
  show_val_kb(out, "Inactive(file):", inf);
  show_val_kb(out, "Unevictable:", node_pages(k, NR_UNEVICTABLE));
  show_val_kb(out, "Mlocked:", global_zone_page_state(k, NR_MLOCK));
}

void print_memory_lines(const Kernel& k, Seq& out) {
  unsigned long free = k.global_free_pages();
  show_val_kb(out, "MemTotal:", k.totalram_pages());
  show_val_kb(out, "MemFree:", free);
  show_val_kb(out, "MemAvailable:", mem_available(k));
  show_val_kb(out, "Buffers:", 0);
  // Cached excludes the swap cache and buffers, which kmem has none of.
  unsigned long file = node_pages(k, NR_FILE_PAGES), swapcached = node_pages(k, NR_SWAPCACHED);
  show_val_kb(out, "Cached:", file > swapcached ? file - swapcached : 0);
  show_val_kb(out, "SwapCached:", swapcached);
  print_lru_lines(k, out);
  if (k.has_highmem()) {
    unsigned long high_total, high_free;
    highmem_pages(k, &high_total, &high_free);
    show_val_kb(out, "HighTotal:", high_total);
    show_val_kb(out, "HighFree:", high_free);
    show_val_kb(out, "LowTotal:", k.totalram_pages() - high_total);
    show_val_kb(out, "LowFree:", free > high_free ? free - high_free : 0);
  }
}

void print_kernel_lines(const Kernel& k, Seq& out) {
  unsigned long srecl = node_pages(k, NR_SLAB_RECLAIMABLE);
  unsigned long sunrecl = node_pages(k, NR_SLAB_UNRECLAIMABLE);
  show_val_kb(out, "SwapTotal:", 0);
  show_val_kb(out, "SwapFree:", 0);
  show_val_kb(out, "Zswap:", 0);
  show_val_kb(out, "Zswapped:", 0);
  show_val_kb(out, "Dirty:", node_pages(k, NR_DIRTY));
  show_val_kb(out, "Writeback:", node_pages(k, NR_WRITEBACK));
  show_val_kb(out, "AnonPages:", node_pages(k, NR_ANON_PAGES));
  show_val_kb(out, "Mapped:", node_pages(k, NR_MAPPED));
  show_val_kb(out, "Shmem:", node_pages(k, NR_SHMEM));
  show_val_kb(out, "KReclaimable:", srecl + node_pages(k, NR_KERNEL_MISC_RECLAIMABLE));
  show_val_kb(out, "Slab:", srecl + sunrecl);
  show_val_kb(out, "SReclaimable:", srecl);
  show_val_kb(out, "SUnreclaim:", sunrecl);
  show_kb(out, "KernelStack:", node_pages(k, NR_KERNEL_STACK));  // already KiB
  show_val_kb(out, "PageTables:", node_pages(k, NR_PAGE_TABLE_PAGES));
  show_val_kb(out, "SecPageTables:", node_pages(k, NR_SEC_PAGE_TABLE_PAGES));
  show_val_kb(out, "NFS_Unstable:", 0);
  show_val_kb(out, "Bounce:", 0);
  show_val_kb(out, "WritebackTmp:", 0);
}

// vm_commit_limit() with overcommit_ratio 50, no swap and no hugetlb pool;
// nothing in kmem commits user address space.
void print_commit_lines(const Kernel& k, Seq& out) {
  show_val_kb(out, "CommitLimit:", k.totalram_pages() * 50 / 100);
  show_val_kb(out, "Committed_AS:", 0);
  bool x86_64 = k.options().profile == Profile::x86_64;
  show_kb(out, "VmallocTotal:", x86_64 ? kVmallocTotalKb64 : kVmallocTotalKb32);
  show_val_kb(out, "VmallocUsed:", 0);  // until the vmalloc layer reports its pages
  show_val_kb(out, "VmallocChunk:", 0);
  show_val_kb(out, "Percpu:", 0);
}

void print_huge_lines(const Kernel& k, Seq& out) {
  // The THP counters count pages; the lines are in KiB.
  show_val_kb(out, "AnonHugePages:", node_pages(k, NR_ANON_TRANSPARENT_HUGEPAGES));
  show_val_kb(out, "ShmemHugePages:", node_pages(k, NR_SHMEM_HUGEPAGES));
  show_val_kb(out, "ShmemPmdMapped:", node_pages(k, NR_SHMEM_PMDMAPPED));
  show_val_kb(out, "FileHugePages:", node_pages(k, NR_FILE_HUGEPAGES));
  show_val_kb(out, "FilePmdMapped:", node_pages(k, NR_FILE_PMDMAPPED));
  show_val_kb(out, "Balloon:", node_pages(k, NR_BALLOON_PAGES));
  // hugetlb_report_meminfo(): counts of the default (2 MiB) pool, no unit.
  out.print("HugePages_Total:   %5lu\n", 0UL);
  out.print("HugePages_Free:    %5lu\n", 0UL);
  out.print("HugePages_Rsvd:    %5lu\n", 0UL);
  out.print("HugePages_Surp:    %5lu\n", 0UL);
  show_kb(out, "Hugepagesize:", HPAGE_PMD_NR << kPageKbShift);
  show_val_kb(out, "Hugetlb:", node_pages(k, NR_HUGETLB));
}

// End of the direct-mapped memory: everything on x86_64, lowmem on i386
// (the end of the highest non-HighMem zone).
phys_addr_t direct_map_limit(const Kernel& k) {
  if (!k.has_highmem()) return ~phys_addr_t(0);
  pfn_t end = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    for (unsigned z = 0; z < ZONE_HIGHMEM; ++z) {
      const Zone& zone = k.node_data(nid)->zones[z];
      if (zone.spanned_pages != 0 && zone.zone_end_pfn() > end) end = zone.zone_end_pfn();
    }
  return pfn_phys(end);
}

// arch_report_meminfo(): the direct map's page sizes, as x86 would have
// mapped each memblock.memory range. i386 here is a PAE kernel (the profile
// allows RAM above 4 GiB), so its large pages are 2 MiB and it has no 1 GiB
// pages.
void print_direct_map(const Kernel& k, Seq& out) {
  bool gbpages = k.options().profile == Profile::x86_64;
  phys_addr_t limit = direct_map_limit(k);
  DirectMapSplit split = {};
  const MemblockType& mem = k.memblock().memory;
  for (unsigned i = 0; i < mem.count(); ++i) {
    phys_addr_t end = mem[i].end() < limit ? mem[i].end() : limit;
    direct_map_split(mem[i].base, end, gbpages, &split);
  }
  show_kb(out, "DirectMap4k:", split.bytes_4k >> 10);
  show_kb(out, "DirectMap2M:", split.bytes_2m >> 10);
  if (gbpages) show_kb(out, "DirectMap1G:", split.bytes_1g >> 10);
}

}  // namespace

void meminfo(Kernel& k, Seq& out) {
  print_memory_lines(k, out);
  print_kernel_lines(k, out);
  print_commit_lines(k, out);
  print_huge_lines(k, out);
  print_direct_map(k, out);
}

}  // namespace kmem::report
