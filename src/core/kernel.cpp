// SPDX-License-Identifier: MIT
// Boot: from the command line's options to a running page allocator.
#include "kernel.h"

#include <new>

#include "page_alloc/internal.h"

namespace kmem {

namespace {

constexpr pfn_t kNodeAlignPages = 1UL << MAX_PAGE_ORDER;  // node boundaries on 4 MiB
constexpr u8 kHoleZone = 7;

// Zone limits of a profile, as physical addresses (0 = no upper limit).
struct ZoneLimit {
  ZoneType zone;
  u64 end;
};

unsigned profile_zones(Profile p, ZoneLimit out[4]) {
  if (p == Profile::i386) {
    out[0] = {ZONE_DMA, 16 * SZ_1M};
    out[1] = {ZONE_NORMAL, 896 * SZ_1M};
    out[2] = {ZONE_HIGHMEM, 0};
    return 3;
  }
  out[0] = {ZONE_DMA, 16 * SZ_1M};
  out[1] = {ZONE_DMA32, 4 * SZ_1G};
  out[2] = {ZONE_NORMAL, 0};
  return 3;
}

}  // namespace

Kernel::~Kernel() {
  shutdown();
  highmem_.release(*this);
  if (direct_map_ != nullptr && ops_.unmap_physical != nullptr)
    ops_.unmap_physical(ops_.ctx, direct_map_, direct_map_bytes_);
}

namespace {
std::atomic<u64> g_next_kernel_uid{1};
}  // namespace

CpuRef Kernel::this_cpu_slow() const {
  const unsigned w = ops_.current_cpu(ops_.ctx);
  const bool exclusive = (w & CPU_SHARED) == 0;
  const CpuRef c{w & ~CPU_SHARED, exclusive, exclusive && asymmetric_};
  if (uid_ != 0) {  // cached only once booted
    TaskContext& t = current_ctx();
    t.cpu_cache = c;
    t.cpu_fast_slot = c.fast ? &cpu_slots_[c.cpu] : nullptr;
    t.cpu_cache_uid = uid_;
  }
  return c;
}

CpuSlot* Kernel::fast_slot_slow() const {
  const CpuRef c = this_cpu_slow();
  return c.fast ? &cpu_slots_[c.cpu] : nullptr;
}

bool Kernel::boot(const Options& opts, const PlatformOps& ops, CmdlineError& err) {
  MM_CHECK(!booted_, "a Kernel boots once");
  opts_ = opts;
  ops_ = ops;
  task_list_.init();
  grouping_ = opts.mobility_grouping;
  zone_configured_[ZONE_DMA] = zone_configured_[ZONE_NORMAL] = zone_configured_[ZONE_MOVABLE] =
      true;
  if (opts.profile == Profile::i386) {
    zone_configured_[ZONE_HIGHMEM] = true;
  } else {
    zone_configured_[ZONE_DMA32] = true;
    zone_configured_[ZONE_DEVICE] = true;
  }
  for (gfp_t bits = 0; bits < 16; ++bits)
    gfp_zone_table_[bits] = gfp_zone(bits, has_dma32(), has_highmem());
  if (!boot_layout(err) || !boot_nodes(err)) return false;
  boot_zones();
  build_zonelists();
  free_all_to_buddy();
  memblock_.close();
  setup_watermarks();
  setup_pcp();
  if (has_highmem()) highmem_.init(*this, max_low_pfn_);
  booted_ = true;
  uid_ = g_next_kernel_uid.fetch_add(1, std::memory_order_relaxed);
  kmem_cache_init();
  drain_all_pages();
  boot_free_pages_ = global_free_pages();
  start_kswapd();
  system_scheduling_ = true;
  rcu_start();
  Internal::print_boot_summary(*this);
  return true;
}

// e820 -> memblock, node split, and the direct map.
bool Kernel::boot_layout(CmdlineError& err) {
  if (!e820_.build(opts_, err)) return false;
  max_pfn_ = phys_pfn(e820_.max_ram_end());
  max_low_pfn_ = max_pfn_;
  if (opts_.profile == Profile::i386) max_low_pfn_ = min_t<pfn_t>(max_pfn_, phys_pfn(896 * SZ_1M));

  // Split RAM evenly between nodes: node i ends where the running count of
  // RAM pages reaches i+1 shares, rounded to the nearest 4 MiB (so a max-order block
  // never spans two nodes). A boundary may fall in a hole.
  u64 total_pages = 0;
  for (unsigned i = 0; i < e820_.size(); ++i)
    if (e820_[i].type == E820Type::ram) total_pages += e820_[i].size >> PAGE_SHIFT;
  nr_nodes_ = int(opts_.numa);
  pfn_t prev = 0;
  for (int n = 0; n + 1 < nr_nodes_; ++n) {
    u64 target = total_pages * u64(n + 1) / u64(nr_nodes_), seen = 0;
    pfn_t at = max_pfn_;
    for (unsigned i = 0; i < e820_.size(); ++i) {
      if (e820_[i].type != E820Type::ram) continue;
      pfn_t s = pfn_up(e820_[i].addr), e = pfn_down(e820_[i].end());
      if (seen + (e - s) >= target) {
        at = s + pfn_t(target - seen);
        break;
      }
      seen += e - s;
    }
    pfn_t boundary = max_t<pfn_t>(pfn_t(align_down(at + kNodeAlignPages / 2, kNodeAlignPages)),
                                  prev + kNodeAlignPages);
    if (boundary >= max_pfn_) {
      format(err.message, sizeof err.message, "numa=%d: too little memory to give every node 4 MiB",
             nr_nodes_);
      return false;
    }
    node_end_pfn_[n] = prev = boundary;
  }
  node_end_pfn_[nr_nodes_ - 1] = max_pfn_;

  // memblock.memory: each RAM range, page aligned, split at node boundaries.
  for (unsigned i = 0; i < e820_.size(); ++i) {
    const E820Entry& e = e820_[i];
    if (e.type != E820Type::ram) continue;
    pfn_t pfn = pfn_up(e.addr), end = pfn_down(e.end());
    for (int n = 0; n < nr_nodes_ && pfn < end; ++n) {
      pfn_t stop = min_t(end, node_end_pfn_[n]);
      if (stop <= pfn) continue;
      if (!memblock_.add(pfn_phys(pfn), pfn_phys(stop - pfn), n)) {
        format(err.message, sizeof err.message, "memory map has too many ranges");
        return false;
      }
      pfn = stop;
    }
  }
  // Like a PC: the first MiB (real-mode trampoline, BIOS data) is never handed out.
  (void)memblock_.reserve(0, SZ_1M);
  memblock_.set_current_limit(pfn_phys(max_low_pfn_));

  direct_map_bytes_ = pfn_phys(max_pfn_);
  direct_map_ = static_cast<u8*>(ops_.map_physical(ops_.ctx, direct_map_bytes_));
  if (direct_map_ == nullptr) {
    format(err.message, sizeof err.message, "cannot map %llu MiB of physical memory",
           (unsigned long long)(direct_map_bytes_ >> 20));
    return false;
  }
  return true;
}

// Node data, mem_map, pageblock bits and per-CPU arrays, all from memblock.
bool Kernel::boot_nodes(CmdlineError& err) {
  const size_t memmap_bytes = max_pfn_ * sizeof(Page);
  mem_map_ = static_cast<Page*>(memblock_alloc_raw(memmap_bytes, PAGE_SIZE));
  nr_pageblocks_ = (max_pfn_ + pageblock_nr_pages - 1) >> pageblock_order;
  pb_zone_node_ = static_cast<u8*>(memblock_alloc(nr_pageblocks_, 64));
  pb_mt_ = static_cast<std::atomic<u8>*>(memblock_alloc(nr_pageblocks_, 64));
  check_bitmap_ = static_cast<u8*>(memblock_alloc((max_pfn_ + 7) / 8, 64));
  vm_events_ = static_cast<VmEventState*>(memblock_alloc(sizeof(VmEventState) * nr_cpus(), 64));
  cpu_slots_ = static_cast<CpuSlot*>(memblock_alloc(sizeof(CpuSlot) * nr_cpus(), 64));
  if (!mem_map_ || !pb_zone_node_ || !pb_mt_ || !check_bitmap_ || !vm_events_ || !cpu_slots_) {
    format(err.message, sizeof err.message, "memblock: out of boot memory for the memory map");
    return false;
  }
  memmap_pages_ = (memmap_bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
  for (unsigned c = 0; c < nr_cpus(); ++c) {
    ::new (&vm_events_[c]) VmEventState();
    ::new (&cpu_slots_[c]) CpuSlot();
    cpu_slots_[c].cpu = c;
    cpu_slots_[c].cache_cpu_offset = u32(slab_cache_cpu_offset(c));
  }
  if (ops_.set_nr_cpus) ops_.set_nr_cpus(ops_.ctx, nr_cpus());
  asymmetric_ = ops_.heavy_barrier != nullptr && ops_.heavy_barrier(ops_.ctx);
  for (unsigned long i = 0; i < nr_pageblocks_; ++i) pb_zone_node_[i] = kHoleZone;
  for (int n = 0; n < nr_nodes_; ++n) {
    void* p = memblock_alloc_node(sizeof(Node), 64, n);
    if (p == nullptr) {
      format(err.message, sizeof err.message, "memblock: out of boot memory for node %d", n);
      return false;
    }
    nodes_[n] = ::new (p) Node();
    nodes_[n]->node_id = n;
  }
  for (unsigned c = 0; c < nr_cpus(); ++c) cpu_node_[c] = int(u64(c) * opts_.numa / opts_.cpus);
  return true;
}

// Zone spans per node; pageblock info; per-CPU page arrays.
void Kernel::boot_zones() {
  ZoneLimit limits[4];
  unsigned nr_limits = profile_zones(opts_.profile, limits);
  for (int n = 0; n < nr_nodes_; ++n) {
    Node* node = nodes_[n];
    pfn_t node_start = n == 0 ? 0 : node_end_pfn_[n - 1];
    pfn_t node_end = node_end_pfn_[n];
    pfn_t zone_lo = 0;
    for (unsigned zi = 0; zi < MAX_NR_ZONES; ++zi) {
      Zone& z = node->zones[zi];
      z.idx = ZoneType(zi);
      z.pgdat = node;
      z.configured = zone_configured_[zi];
      for (FreeArea& a : z.free_area)
        for (ListHead& l : a.free_list) l.init();
    }
    for (unsigned li = 0; li < nr_limits; ++li) {
      pfn_t zone_hi = limits[li].end ? phys_pfn(limits[li].end) : max_pfn_;
      pfn_t s = max_t(zone_lo, node_start), e = min_t(zone_hi, node_end);
      zone_lo = zone_hi;
      if (s >= e) continue;
      Internal::init_zone_span(*this, node->zones[limits[li].zone], n, s, e);
    }
    Internal::init_node_span(*this, *node, node_start, node_end);
  }
}

void Kernel::build_zonelists() {
  for (int n = 0; n < nr_nodes_; ++n) {
    Node* node = nodes_[n];
    unsigned k = 0, t = 0;
    // This node first, then the others by distance (all remote nodes are at
    // the same distance here), each from the highest zone down.
    for (int step = 0; step < nr_nodes_; ++step) {
      Node* other = nodes_[(n + step) % nr_nodes_];
      for (int zi = MAX_NR_ZONES - 1; zi >= 0; --zi) {
        Zone* z = &other->zones[zi];
        if (z->present_pages == 0) continue;
        node->zonelist[k++] = z;
        if (step == 0) node->zonelist_thisnode[t++] = z;
      }
    }
    node->zonelist[k] = nullptr;
    node->zonelist_thisnode[t] = nullptr;
  }
}

void Kernel::free_all_to_buddy() { Internal::memblock_free_all(*this); }
void Kernel::setup_watermarks() { Internal::setup_per_zone_wmarks(*this); }
void Kernel::setup_pcp() { Internal::setup_pcp_limits(*this); }

void Kernel::cpu_lock_remote(unsigned cpu) {
  CpuSlot& s = cpu_slots_[cpu];
  s.lock.lock();
  if (!asymmetric_) return;
  ops_.heavy_barrier(ops_.ctx);
  while (s.busy.load(std::memory_order_acquire) != 0) cpu_relax();
}

void Kernel::cpu_lock_remote_all() {
  for (unsigned c = 0; c < nr_cpus(); ++c) cpu_slots_[c].lock.lock();
  if (!asymmetric_) return;
  ops_.heavy_barrier(ops_.ctx);
  for (unsigned c = 0; c < nr_cpus(); ++c)
    while (cpu_slots_[c].busy.load(std::memory_order_acquire) != 0) cpu_relax();
}

// ---- memblock wrappers ------------------------------------------------------

void* Kernel::memblock_alloc_raw(size_t size, size_t align) {
  return memblock_alloc_node_raw_impl(size, align, NUMA_NO_NODE);
}

void* Kernel::memblock_alloc(size_t size, size_t align) {
  return memblock_alloc_node(size, align, NUMA_NO_NODE);
}

void* Kernel::memblock_alloc_node(size_t size, size_t align, int nid) {
  void* p = memblock_alloc_node_raw_impl(size, align, nid);
  if (p != nullptr) mem_set(p, 0, size);
  return p;
}

void* Kernel::memblock_alloc_node_raw_impl(size_t size, size_t align, int nid) {
  if (memblock_.closed()) {
    printk(LogLevel::warning,
           "memblock: allocation of %zu bytes after boot refused (use the page allocator)", size);
    return nullptr;
  }
  phys_addr_t pa = memblock_.phys_alloc_range(size, align, 0, 0, nid);
  return pa == 0 ? nullptr : direct_map_ + pa;
}

// ---- address translation and topology ----------------------------------------

void* Kernel::page_address(const Page* p) const {
  pfn_t pfn = page_to_pfn(p);
  return pfn < max_low_pfn_ ? direct_map_ + pfn_phys(pfn) : highmem_.page_address(p);
}

bool Kernel::virt_addr_valid(const void* v) const {
  auto a = reinterpret_cast<uintptr_t>(v), base = reinterpret_cast<uintptr_t>(direct_map_);
  return a >= base && a < base + pfn_phys(max_low_pfn_) &&
         memblock_.memory.contains(phys_addr_t(a - base));
}

// ---- statistics ------------------------------------------------------------------

u64 Kernel::sum_vm_event(VmEventItem i) const {
  u64 s = 0;
  for (unsigned c = 0; c < nr_cpus(); ++c) s += vm_events_[c].event[i].get();
  return s;
}

u64 Kernel::sum_zone_event(VmZoneEventItem i, ZoneType z) const {
  u64 s = 0;
  for (unsigned c = 0; c < nr_cpus(); ++c) s += vm_events_[c].zone_event[i][z].get();
  return s;
}

u64 Kernel::zone_numa_stat(const Zone& z, NumaStatItem i) const {
  if (z.pcp == nullptr) return 0;
  u64 s = 0;
  for (unsigned c = 0; c < nr_cpus(); ++c) s += z.pcp[c].numa_event[i].get();
  return s;
}

unsigned long Kernel::totalram_pages() const {
  unsigned long t = 0;
  for (int n = 0; n < nr_nodes_; ++n)
    for (const Zone& z : nodes_[n]->zones) t += z.managed();
  return t;
}

unsigned long Kernel::global_free_pages() const {
  long t = 0;
  for (int n = 0; n < nr_nodes_; ++n)
    for (const Zone& z : nodes_[n]->zones) t += z.free_pages();
  return t < 0 ? 0 : (unsigned long)t;
}

// ---- console ---------------------------------------------------------------------

void Kernel::log_text(LogLevel lvl, const char* text, size_t len) const {
  if (ops_.log != nullptr) ops_.log(ops_.ctx, lvl, text, len);
}

void Kernel::printk(LogLevel lvl, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  size_t n = vformat(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_text(lvl, buf, n < sizeof buf ? n : sizeof buf - 1);
}

void Kernel::report_bug(BugKind kind, const char* text, size_t len) {
  bugs_[kind].fetch_add(1, std::memory_order_relaxed);
  if (opts_.bug_action == BugAction::count) return;
  log_text(LogLevel::alert, text, len);
  if (opts_.bug_action == BugAction::panic) panic("bug_action=panic\n%.*s", int(len), text);
}

}  // namespace kmem
