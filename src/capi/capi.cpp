// SPDX-License-Identifier: MIT
// The Linux-compatible C API: the current machine (kmem/kmem.h) and the page
// allocator (<linux/gfp.h>, <linux/mm.h>, <asm/page.h>, <linux/memblock.h>,
// <linux/topology.h>). Each function is a thin call into the current
// machine's Kernel; argument checks that Linux makes with VM_BUG_ON (a node
// the machine lacks) become a WARN and a failed allocation here.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "capi/current.h"

// Core constants, captured before the compat headers turn their names into
// macros.
namespace kmem::capi {
namespace core {
inline constexpr unsigned kMaxPageOrder = MAX_PAGE_ORDER;
inline constexpr unsigned kCostlyOrder = PAGE_ALLOC_COSTLY_ORDER;
inline constexpr unsigned kPageblockOrder = pageblock_order;
inline constexpr unsigned kPageShift = PAGE_SHIFT;
inline constexpr int kNumaNoNode = NUMA_NO_NODE;
inline constexpr int kMaxNumnodes = MAX_NUMNODES;
inline constexpr int kNrCpus = NR_CPUS;
inline constexpr int kMaxNrZones = MAX_NR_ZONES;
}  // namespace core
}  // namespace kmem::capi

#include <kmem/kmem.h>
#include <linux/bug.h>
#include <linux/gfp.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/topology.h>

namespace kmem::capi {

// ---- the C headers agree with the core --------------------------------------
static_assert(MAX_PAGE_ORDER == core::kMaxPageOrder);
static_assert(PAGE_ALLOC_COSTLY_ORDER == core::kCostlyOrder);
static_assert(pageblock_order == core::kPageblockOrder);
static_assert(PAGE_SHIFT == core::kPageShift);
static_assert(NUMA_NO_NODE == core::kNumaNoNode);
static_assert(MAX_NUMNODES == core::kMaxNumnodes);
static_assert(int(::ZONE_DMA) == int(kmem::ZONE_DMA) &&
              int(::ZONE_DMA32) == int(kmem::ZONE_DMA32) &&
              int(::ZONE_NORMAL) == int(kmem::ZONE_NORMAL) &&
              int(::ZONE_HIGHMEM) == int(kmem::ZONE_HIGHMEM) &&
              int(::ZONE_MOVABLE) == int(kmem::ZONE_MOVABLE) &&
              int(::ZONE_DEVICE) == int(kmem::ZONE_DEVICE) &&
              int(::MAX_NR_ZONES) == core::kMaxNrZones);
static_assert(int(::MIGRATE_UNMOVABLE) == int(kmem::MIGRATE_UNMOVABLE) &&
              int(::MIGRATE_MOVABLE) == int(kmem::MIGRATE_MOVABLE) &&
              int(::MIGRATE_RECLAIMABLE) == int(kmem::MIGRATE_RECLAIMABLE) &&
              int(::MIGRATE_HIGHATOMIC) == int(kmem::MIGRATE_HIGHATOMIC) &&
              int(::MIGRATE_ISOLATE) == int(kmem::MIGRATE_ISOLATE) &&
              int(::MIGRATE_TYPES) == int(kmem::MIGRATE_TYPES));
static_assert(int(KMEM_BUG_BAD_PAGE) == int(kmem::BUG_BAD_PAGE) &&
              int(KMEM_BUG_BAD_FREE) == int(kmem::BUG_BAD_FREE) &&
              int(KMEM_BUG_WARN) == int(kmem::BUG_WARN) &&
              int(KMEM_BUG_ATOMIC_SLEEP) == int(kmem::BUG_ATOMIC_SLEEP) &&
              int(KMEM_BUG_SLAB) == int(kmem::BUG_SLAB));
// Every named bit sits where its enum says.
static_assert(
    (1u << ___GFP_DMA_BIT) == ___GFP_DMA && (1u << ___GFP_HIGHMEM_BIT) == ___GFP_HIGHMEM &&
    (1u << ___GFP_DMA32_BIT) == ___GFP_DMA32 && (1u << ___GFP_MOVABLE_BIT) == ___GFP_MOVABLE &&
    (1u << ___GFP_RECLAIMABLE_BIT) == ___GFP_RECLAIMABLE &&
    (1u << ___GFP_HIGH_BIT) == ___GFP_HIGH && (1u << ___GFP_IO_BIT) == ___GFP_IO &&
    (1u << ___GFP_FS_BIT) == ___GFP_FS && (1u << ___GFP_ZERO_BIT) == ___GFP_ZERO &&
    (1u << ___GFP_DIRECT_RECLAIM_BIT) == ___GFP_DIRECT_RECLAIM &&
    (1u << ___GFP_KSWAPD_RECLAIM_BIT) == ___GFP_KSWAPD_RECLAIM &&
    (1u << ___GFP_WRITE_BIT) == ___GFP_WRITE && (1u << ___GFP_NOWARN_BIT) == ___GFP_NOWARN &&
    (1u << ___GFP_RETRY_MAYFAIL_BIT) == ___GFP_RETRY_MAYFAIL &&
    (1u << ___GFP_NOFAIL_BIT) == ___GFP_NOFAIL && (1u << ___GFP_NORETRY_BIT) == ___GFP_NORETRY &&
    (1u << ___GFP_MEMALLOC_BIT) == ___GFP_MEMALLOC && (1u << ___GFP_COMP_BIT) == ___GFP_COMP &&
    (1u << ___GFP_NOMEMALLOC_BIT) == ___GFP_NOMEMALLOC &&
    (1u << ___GFP_HARDWALL_BIT) == ___GFP_HARDWALL &&
    (1u << ___GFP_THISNODE_BIT) == ___GFP_THISNODE &&
    (1u << ___GFP_ACCOUNT_BIT) == ___GFP_ACCOUNT &&
    (1u << ___GFP_ZEROTAGS_BIT) == ___GFP_ZEROTAGS && ___GFP_ZEROTAGS_BIT + 1 == ___GFP_LAST_BIT);
// The composite masks of Linux 6.18 (values from its gfp_types.h).
static_assert(GFP_ATOMIC == 0x820 && GFP_KERNEL == 0xcc0 && GFP_KERNEL_ACCOUNT == 0x400cc0 &&
              GFP_NOWAIT == 0x2800 && GFP_NOIO == 0xc00 && GFP_NOFS == 0xc40 &&
              GFP_USER == 0x100cc0 && GFP_HIGHUSER == 0x100cc2 &&
              GFP_HIGHUSER_MOVABLE == 0x100cca && GFP_TRANSHUGE_LIGHT == 0x1c20ca &&
              GFP_TRANSHUGE == 0x1c24ca);
static_assert(GFP_DMA == 0x1 && GFP_DMA32 == 0x4 && GFP_ZONEMASK == 0xf && __GFP_RECLAIM == 0xc00 &&
              ___GFP_UNUSED_BIT == 9 && ___GFP_ZEROTAGS_BIT == 23);
// Without KASAN_HW_TAGS, LOCKDEP and SLAB_OBJ_EXT: four flags are 0, 24 bits.
static_assert(__GFP_SKIP_ZERO == 0 && __GFP_SKIP_KASAN == 0 && __GFP_NOLOCKDEP == 0 &&
              __GFP_NO_OBJ_EXT == 0 && __GFP_BITS_SHIFT == 24 && __GFP_BITS_MASK == 0xffffff);
// mm/internal.h and gfp.h's internal masks, and the C++ names for the same values.
static_assert(GFP_RECLAIM_MASK == 0xbece0 && GFP_BOOT_MASK == 0xfff33f &&
              GFP_CONSTRAINT_MASK == 0x300000 && GFP_SLAB_BUG_MASK == 0xff000006u &&
              GFP_MOVABLE_MASK == 0x18 && GFP_MOVABLE_SHIFT == 3);
static_assert(kmem::gfp::RECLAIM_MASK == GFP_RECLAIM_MASK &&
              kmem::gfp::BOOT_MASK == GFP_BOOT_MASK &&
              kmem::gfp::CONSTRAINT_MASK == GFP_CONSTRAINT_MASK &&
              kmem::gfp::SLAB_BUG_MASK == GFP_SLAB_BUG_MASK &&
              kmem::gfp::MOVABLE_MASK == GFP_MOVABLE_MASK &&
              kmem::gfp::BITS_MASK == __GFP_BITS_MASK && kmem::gfp::NOWAIT == GFP_NOWAIT &&
              kmem::gfp::HIGHUSER_MOVABLE == GFP_HIGHUSER_MOVABLE);
static_assert(sizeof(phys_addr_t) == sizeof(kmem::phys_addr_t));

// ---- the current machine ----------------------------------------------------------

constinit std::atomic<Kernel*> g_kernel{nullptr};
constinit std::atomic<Machine*> g_machine{nullptr};
constinit std::mutex g_boot_mu;

namespace {

constexpr const char* kDefaultCmdline = "mem=1G cpus=4";
thread_local std::string t_last_error;

std::string default_cmdline() {
  const char* env = std::getenv("KMEM_CMDLINE");
  return env != nullptr ? env : kDefaultCmdline;
}

// Machine::create, with exceptions turned into an error message.
std::unique_ptr<Machine> create_machine(const std::string& cmdline, std::string* err) {
  try {
    return Machine::create(cmdline, err);
  } catch (const std::exception& e) {
    *err = e.what();
  } catch (...) {
    *err = "unknown error";
  }
  return nullptr;
}

// Installs m as the current machine; returns the previous one. Needs g_boot_mu.
Machine* install_locked(Machine* m) {
  Machine* old = g_machine.exchange(m, std::memory_order_acq_rel);
  g_kernel.store(m != nullptr ? &m->kernel() : nullptr, std::memory_order_release);
  return old;
}

// Copies text into buf like snprintf and returns its full length.
long copy_out(const std::string& text, char* buf, size_t len) {
  if (buf != nullptr && len > 0) {
    size_t n = text.size() < len - 1 ? text.size() : len - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
  }
  return long(text.size());
}

inline Page* to_page(struct page* p) { return reinterpret_cast<Page*>(p); }
inline const Page* to_page(const struct page* p) { return reinterpret_cast<const Page*>(p); }
inline struct page* to_c(Page* p) { return reinterpret_cast<struct page*>(p); }

// nid is a node of k, or (when any_ok) NUMA_NO_NODE; otherwise WARNs.
bool node_ok(Kernel& k, int nid, bool any_ok, const char* fn) {
  if (nid == NUMA_NO_NODE ? any_ok : (nid >= 0 && nid < k.nr_node_ids())) return true;
  kmem_warn_fmt(__FILE__, __LINE__, fn, "%s: invalid node %d (machine has %d)\n", fn, nid,
                k.nr_node_ids());
  return false;
}

}  // namespace

Kernel& boot_default() {
  std::string err;
  {
    std::lock_guard<std::mutex> g(g_boot_mu);
    if (Kernel* k = g_kernel.load(std::memory_order_acquire)) return *k;
    std::unique_ptr<Machine> m = create_machine(default_cmdline(), &err);
    if (m) {
      // Never destroyed unless the program calls kmem_machine_shutdown():
      // threads may still allocate while the process exits.
      install_locked(m.release());
      return *g_kernel.load(std::memory_order_relaxed);
    }
  }
  std::fprintf(stderr, "kmem: KMEM_CMDLINE: %s\n", err.c_str());
  std::fflush(stderr);
  std::exit(2);
}

}  // namespace kmem::capi

using kmem::capi::current_kernel;
using kmem::capi::current_machine;
using kmem::capi::to_c;
using kmem::capi::to_page;

extern "C" {

// ---- kmem/kmem.h ----------------------------------------------------------------

int kmem_machine_boot(const char* cmdline) {
  using namespace kmem::capi;
  t_last_error.clear();
  std::string err;
  std::unique_ptr<kmem::Machine> m =
      create_machine(cmdline != nullptr ? std::string(cmdline) : default_cmdline(), &err);
  if (!m) {
    t_last_error = err.empty() ? "cannot boot" : err;
    return -EINVAL;
  }
  flush_pending_line();
  kmem::Machine* old;
  {
    std::lock_guard<std::mutex> g(g_boot_mu);
    old = install_locked(m.release());
  }
  delete old;
  return 0;
}

struct kmem_machine* kmem_machine_current(void) {
  return reinterpret_cast<struct kmem_machine*>(&current_machine());
}

void kmem_machine_shutdown(void) {
  using namespace kmem::capi;
  if (g_kernel.load(std::memory_order_acquire) != nullptr) flush_pending_line();
  kmem::Machine* old;
  {
    std::lock_guard<std::mutex> g(g_boot_mu);
    old = install_locked(nullptr);
  }
  delete old;
}

const char* kmem_last_error(void) { return kmem::capi::t_last_error.c_str(); }

long kmem_proc_read(const char* name, char* buf, size_t len) {
  using namespace kmem::capi;
  t_last_error.clear();
  try {
    return copy_out(current_machine().proc(name != nullptr ? name : ""), buf, len);
  } catch (const std::invalid_argument& e) {
    t_last_error = e.what();
    return -ENOENT;
  } catch (const std::exception& e) {
    t_last_error = e.what();
    return -ENOMEM;
  }
}

long kmem_log_read(char* buf, size_t len) {
  using namespace kmem::capi;
  t_last_error.clear();
  kmem::Machine& m = current_machine();
  flush_pending_line();
  try {
    return copy_out(m.take_log(), buf, len);
  } catch (const std::exception& e) {
    t_last_error = e.what();
    return -ENOMEM;
  }
}

void kmem_console_echo(int on) { current_machine().set_console_echo(on != 0); }

int kmem_bind_cpu(unsigned int cpu) {
  using namespace kmem::capi;
  t_last_error.clear();
  kmem::Kernel* k = g_kernel.load(std::memory_order_acquire);
  unsigned limit = k != nullptr ? k->nr_cpus() : unsigned(core::kNrCpus);
  if (cpu >= limit) {
    t_last_error = "kmem_bind_cpu: cpu " + std::to_string(cpu) + " out of range (machine has " +
                   std::to_string(limit) + ")";
    return -EINVAL;
  }
  kmem::Machine::bind_current_thread(cpu);
  return 0;
}

unsigned long kmem_bug_count(enum kmem_bug_kind kind) {
  if (unsigned(kind) >= kmem::NR_BUG_KINDS) return 0;
  return (unsigned long)current_kernel().bug_count(kmem::BugKind(kind));
}

int kmem_check_invariants(char* msg, size_t len) {
  char scratch[1];
  if (msg == nullptr || len == 0) {
    msg = scratch;
    len = sizeof scratch;
  }
  msg[0] = '\0';
  return current_kernel().check_invariants(msg, len) ? 1 : 0;
}

// ---- linux/gfp.h ------------------------------------------------------------------

enum zone_type gfp_zone(gfp_t flags) {
  kmem::Kernel& k = current_kernel();
  return static_cast<enum zone_type>(kmem::gfp_zone(flags, k.has_dma32(), k.has_highmem()));
}

int gfp_migratetype(gfp_t flags) {
  return int(kmem::gfp_migratetype(flags, current_kernel().mobility_grouping()));
}

struct page* alloc_pages(gfp_t gfp, unsigned int order) {
  return to_c(current_kernel().alloc_pages(gfp, order));
}

struct page* alloc_pages_node(int nid, gfp_t gfp, unsigned int order) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, nid, true, "alloc_pages_node")) return nullptr;
  return to_c(k.alloc_pages(gfp, order, nid));
}

struct page* __alloc_pages_node(int nid, gfp_t gfp, unsigned int order) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, nid, false, "__alloc_pages_node")) return nullptr;
  return to_c(k.alloc_pages(gfp, order, nid));
}

unsigned long alloc_pages_bulk_node(gfp_t gfp, int nid, unsigned long nr_pages,
                                    struct page** page_array) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, nid, true, "alloc_pages_bulk_node")) return 0;
  unsigned long i = 0;
  for (; i < nr_pages; i++) {
    if (page_array[i] != nullptr) continue;
    page_array[i] = to_c(k.alloc_pages(gfp, 0, nid));
    if (page_array[i] == nullptr) break;
  }
  return i;
}

unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr_pages, struct page** page_array) {
  return alloc_pages_bulk_node(gfp, NUMA_NO_NODE, nr_pages, page_array);
}

void __free_pages(struct page* page, unsigned int order) {
  current_kernel().free_pages(to_page(page), order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order) {
  return current_kernel().get_free_pages(gfp, order);
}

unsigned long get_zeroed_page(gfp_t gfp) {
  return current_kernel().get_free_pages(gfp | __GFP_ZERO, 0);
}

void free_pages(unsigned long addr, unsigned int order) {
  if (addr != 0) current_kernel().free_pages_addr(addr, order);
}

void* alloc_pages_exact(size_t size, gfp_t gfp) {
  return current_kernel().alloc_pages_exact(size, gfp);
}

void* alloc_pages_exact_nid(int nid, size_t size, gfp_t gfp) {
  kmem::Kernel& k = current_kernel();
  if (!kmem::capi::node_ok(k, nid, true, "alloc_pages_exact_nid")) return nullptr;
  return k.alloc_pages_exact(size, gfp, nid);
}

void free_pages_exact(void* virt, size_t size) {
  if (virt != nullptr) current_kernel().free_pages_exact(virt, size);
}

// ---- asm/page.h, asm/io.h ---------------------------------------------------------

phys_addr_t virt_to_phys(const volatile void* address) {
  return current_kernel().virt_to_phys(const_cast<const void*>(address));
}

void* phys_to_virt(phys_addr_t address) { return current_kernel().phys_to_virt(address); }

struct page* pfn_to_page(unsigned long pfn) {
  return to_c(current_kernel().pfn_to_page(pfn));
}

unsigned long page_to_pfn(const struct page* page) {
  return current_kernel().page_to_pfn(to_page(page));
}

int pfn_valid(unsigned long pfn) { return current_kernel().pfn_valid(pfn) ? 1 : 0; }

struct page* kmem_virt_to_page(const volatile void* kaddr) {
  return to_c(current_kernel().virt_to_page(const_cast<const void*>(kaddr)));
}

bool kmem_virt_addr_valid(const volatile void* kaddr) {
  return current_kernel().virt_addr_valid(const_cast<const void*>(kaddr));
}

// ---- linux/mm.h ---------------------------------------------------------------------

void* page_address(const struct page* page) { return current_kernel().page_address(to_page(page)); }

void get_page(struct page* page) { current_kernel().get_page(to_page(page)); }

void put_page(struct page* page) { current_kernel().put_page(to_page(page)); }

int page_count(const struct page* page) {
  return const_cast<kmem::Page*>(to_page(page))->head()->ref_count();
}

int page_ref_count(const struct page* page) { return to_page(page)->ref_count(); }

void split_page(struct page* page, unsigned int order) {
  current_kernel().split_page(to_page(page), order);
}

struct page* compound_head(const struct page* page) {
  return to_c(const_cast<kmem::Page*>(to_page(page))->head());
}

unsigned int compound_order(const struct page* page) {
  const kmem::Page* p = to_page(page);
  return (p->flags & kmem::PG_head) ? p->order : 0;
}

bool PageHead(const struct page* page) { return to_page(page)->flags & kmem::PG_head; }
bool PageTail(const struct page* page) { return to_page(page)->is_tail(); }
bool PageCompound(const struct page* page) { return PageHead(page) || PageTail(page); }
bool PageReserved(const struct page* page) { return to_page(page)->flags & kmem::PG_reserved; }

bool PageHighMem(const struct page* page) {
  const kmem::Zone* z = current_kernel().page_zone(to_page(page));
  return z != nullptr && z->idx == kmem::ZONE_HIGHMEM;
}

int page_to_nid(const struct page* page) {
  const kmem::Zone* z = current_kernel().page_zone(to_page(page));
  return z != nullptr ? z->pgdat->node_id : NUMA_NO_NODE;
}

enum zone_type page_zonenum(const struct page* page) {
  const kmem::Zone* z = current_kernel().page_zone(to_page(page));
  return z != nullptr ? static_cast<enum zone_type>(z->idx) : MAX_NR_ZONES;
}

unsigned long totalram_pages(void) { return current_kernel().totalram_pages(); }

// ---- linux/topology.h -------------------------------------------------------------

int numa_node_id(void) { return current_kernel().numa_node_id(); }

int numa_mem_id(void) { return current_kernel().numa_node_id(); }

int cpu_to_node(int cpu) {
  kmem::Kernel& k = current_kernel();
  if (cpu < 0 || unsigned(cpu) >= k.nr_cpus()) return NUMA_NO_NODE;
  return k.cpu_to_node(unsigned(cpu));
}

// ---- linux/memblock.h -------------------------------------------------------------

void* memblock_alloc(phys_addr_t size, phys_addr_t align) {
  return current_kernel().memblock_alloc(size, align);
}

void* memblock_alloc_raw(phys_addr_t size, phys_addr_t align) {
  return current_kernel().memblock_alloc_raw(size, align);
}

void* memblock_alloc_node(phys_addr_t size, phys_addr_t align, int nid) {
  return current_kernel().memblock_alloc_node(size, align, nid);
}

}  // extern "C"
