// SPDX-License-Identifier: MIT
// dma_pool (mm/dmapool.c, Linux 6.18) and the coherent allocation under it
// (dma_alloc_coherent through kernel/dma/direct.c's zone choice).
//
// A pool hands out blocks of one size from DmaPages of `allocation` bytes.
// Every free block of every page is on one LIFO stack (pool->next_block)
// whose links live in the free blocks themselves, with each block's DMA
// address next to the link; alloc and free are O(1) pops and pushes. Pages
// are never given back before dma_pool_destroy().
//
// Debugging is always on (Linux: CONFIG_SLUB_DEBUG_ON): new pages are
// poisoned with POOL_POISON_FREED, a block leaving the pool is checked for
// that poison and then filled with POOL_POISON_ALLOCATED, a block coming back
// is checked (its page, its address, not already free) and poisoned again.
// The double-free check walks the free stack, as Linux does, but only for a
// block that looks free (its link slot holds its own DMA address and its
// poison is intact), so frees stay O(1).
//
// Lock: pool->lock (spinlock_t, irqsave) guards the stack, the page list and
// the counters. It is dropped around the page allocation (which may sleep)
// and is never held while printing a report.
#include <new>

#include "base/bits.h"
#include "base/format.h"
#include "base/string.h"
#include "kernel.h"
#include "mempool/mempool.h"

namespace kmem {

namespace {

constexpr size_t INT_MAX_SIZE = 0x7fffffff;

// dev_err(): "<device>: <message>". Linux prefixes the driver (or bus) name
// too; kmem's struct device has neither.
const char* dev_name(const Device* dev) {
  return dev != nullptr && dev->init_name != nullptr ? dev->init_name : "(null)";
}

void report(Kernel& k, BugKind kind, const char* text, size_t n, size_t cap) {
  if (n >= cap) n = cap - 1;
  k.report_bug(kind, text, n);
}

void warn_dma(Kernel& k, const char* fn, const char* msg) {
  char text[320];
  size_t n = format(text, sizeof text,
                    "------------[ cut here ]------------\n"
                    "WARNING: CPU: %u PID: %d at kernel/dma/mapping.c:0 %s+0x0/0x0\n%s",
                    k.current_cpu(), k.current_pid(), fn, msg);
  report(k, BUG_WARN, text, n, sizeof text);
}

// print_hex_dump(KERN_ERR, "", DUMP_PREFIX_OFFSET, 16, 1, data, len, true)
// into seq.
void hex_dump(Seq& seq, const u8* data, size_t len) {
  static const char hex[] = "0123456789abcdef";
  for (size_t row = 0; row < len; row += 16) {
    char line[96];
    size_t lx = 0;
    size_t n = len - row < 16 ? len - row : 16;
    for (size_t j = 0; j < n; ++j) {
      line[lx++] = hex[data[row + j] >> 4];
      line[lx++] = hex[data[row + j] & 15];
      line[lx++] = ' ';
    }
    if (n > 0) --lx;
    while (lx < 49) line[lx++] = ' ';
    for (size_t j = 0; j < n; ++j) {
      u8 c = data[row + j];
      line[lx++] = c >= 0x20 && c < 0x7f ? char(c) : '.';
    }
    line[lx] = '\0';
    seq.print("%08zx: %s\n", row, line);
  }
}

// Bytes of a corrupted block shown in its report (Linux dumps the whole
// block; a report here is one bounded buffer).
constexpr size_t MAX_DUMP = 256;

bool dma_coherent_ok(phys_addr_t phys, size_t size, u64 limit) { return phys + size - 1 <= limit; }

}  // namespace

// ---- coherent memory ------------------------------------------------------------------------

void* dma_alloc_coherent(Kernel& k, Device* dev, size_t size, dma_addr_t* handle, gfp_t gfp) {
  if (dev == nullptr) {
    warn_dma(k, "dma_alloc_attrs", "dma_alloc_coherent() without a device\n");
    return nullptr;
  }
  const u64 limit = dev->coherent_dma_mask;
  if (limit == 0) {
    // WARN_ON_ONCE(!dev->coherent_dma_mask); dma-direct then finds no
    // memory below a limit of 0.
    warn_dma(k, "dma_alloc_attrs", "");
    return nullptr;
  }
  if (gfp & gfp::COMP) {
    // DMA memory never turns back into a page pointer: no compound pages.
    warn_dma(k, "dma_alloc_attrs", "");
    return nullptr;
  }
  if (size == 0) return nullptr;
  // The implementation picks the zone: the caller's zone bits go, and the
  // memory is zeroed below in any case.
  gfp &= ~(gfp::DMA | gfp::DMA32 | gfp::HIGHMEM | gfp::ZERO);
  size = align_up(size, PAGE_SIZE);
  const unsigned order = get_order(size);

  // dma_direct_optimal_gfp_mask(): the zone the mask falls into first
  // (ZONE_DMA is below 16 MiB in both profiles; __GFP_DMA32 means
  // ZONE_NORMAL on a profile without ZONE_DMA32, as in Linux).
  if (limit <= dma_bit_mask(24)) gfp |= gfp::DMA;
  else if (limit <= dma_bit_mask(32)) gfp |= gfp::DMA32;

  Page* page = nullptr;
  for (;;) {
    page = k.alloc_pages(gfp, order, NUMA_NO_NODE);
    if (page == nullptr || dma_coherent_ok(k.page_to_phys(page), size, limit)) break;
    // The page is not addressable by the device: fall back to a lower zone.
    k.free_pages(page, order);
    page = nullptr;
    if (k.has_dma32() && limit < ~0ULL && !(gfp & (gfp::DMA32 | gfp::DMA))) {
      gfp |= gfp::DMA32;
      continue;
    }
    if (!(gfp & gfp::DMA)) {
      gfp = (gfp & ~gfp::DMA32) | gfp::DMA;
      continue;
    }
    break;
  }
  if (page == nullptr) return nullptr;
  void* vaddr = k.page_address(page);
  mem_set(vaddr, 0, size);
  *handle = k.page_to_phys(page);
  return vaddr;
}

void dma_free_coherent(Kernel& k, Device* /*dev*/, size_t size, void* vaddr, dma_addr_t handle) {
  if (vaddr == nullptr) return;
  // dma-direct finds the page from the DMA address.
  const pfn_t pfn = phys_pfn(handle);
  if (!k.pfn_valid(pfn)) {
    char text[192];
    size_t n =
        format(text, sizeof text, "dma_free_coherent: %p/0x%016llx is not coherent DMA memory\n",
               vaddr, static_cast<unsigned long long>(handle));
    report(k, BUG_BAD_FREE, text, n, sizeof text);
    return;
  }
  k.free_pages(k.pfn_to_page(pfn), get_order(align_up(size, PAGE_SIZE)));
}

bool dma_supported(const Kernel& k, u64 mask) {
  if (mask >= dma_bit_mask(32)) return true;
  u64 min_mask = u64(k.max_pfn() - 1) << PAGE_SHIFT;
  if (min_mask > dma_bit_mask(24)) min_mask = dma_bit_mask(24);
  return mask >= min_mask;
}

int dma_set_mask(const Kernel& k, Device* dev, u64 mask) {
  if (dev->dma_mask == nullptr || !dma_supported(k, mask)) return -DMA_EIO;
  *dev->dma_mask = mask;
  return 0;
}

int dma_set_coherent_mask(const Kernel& k, Device* dev, u64 mask) {
  if (!dma_supported(k, mask)) return -DMA_EIO;
  dev->coherent_dma_mask = mask;
  return 0;
}

// ---- pools ----------------------------------------------------------------------------------

DmaPool* dma_pool_create_node(Kernel& k, const char* name, Device* dev, size_t size, size_t align,
                              size_t boundary, int nid) {
  if (dev == nullptr) return nullptr;
  if (align == 0) align = 1;
  else if (!is_power_of_2(align)) return nullptr;
  if (size == 0 || size > INT_MAX_SIZE) return nullptr;
  if (size < sizeof(DmaBlock)) size = sizeof(DmaBlock);
  size = align_up(size, align);
  // Linux keeps the rounded size in an unsigned int; refuse what would wrap.
  if (size > INT_MAX_SIZE) return nullptr;
  const size_t allocation = size > PAGE_SIZE ? size : PAGE_SIZE;
  if (boundary == 0) boundary = allocation;
  else if (boundary < size || !is_power_of_2(boundary)) return nullptr;
  if (boundary > allocation) boundary = allocation;

  void* mem = k.kmalloc_node(sizeof(DmaPool), gfp::KERNEL | gfp::ZERO, nid);
  if (mem == nullptr) return nullptr;
  auto* pool = ::new (mem) DmaPool();
  str_copy(pool->name, sizeof pool->name, name != nullptr ? name : "",
           name != nullptr ? str_len(name) : 0);
  pool->dev = dev;
  pool->page_list.init();
  pool->next_block = nullptr;
  pool->nr_blocks = pool->nr_active = pool->nr_pages = 0;
  pool->size = unsigned(size);
  pool->allocation = unsigned(allocation);
  pool->boundary = unsigned(boundary);
  pool->node = nid;
  pool->kernel = &k;
  return pool;
}

DmaPool* dma_pool_create(Kernel& k, const char* name, Device* dev, size_t size, size_t align,
                         size_t boundary) {
  return dma_pool_create_node(k, name, dev, size, align, boundary, NUMA_NO_NODE);
}

void dma_pool_destroy(DmaPool* pool) {
  if (pool == nullptr) return;
  Kernel& k = *pool->kernel;
  const bool busy = pool->nr_active != 0;
  if (busy) {
    // Blocks may still be in use by the device: leak every page.
    char text[160];
    size_t n = format(text, sizeof text, "%s: dma_pool_destroy %s busy\n", dev_name(pool->dev),
                      pool->name);
    report(k, BUG_WARN, text, n, sizeof text);
  }
  while (!pool->page_list.empty()) {
    DmaPage* page = list_entry<DmaPage, offsetof(DmaPage, page_list)>(pool->page_list.next);
    if (!busy) dma_free_coherent(k, pool->dev, pool->allocation, page->vaddr, page->dma);
    page->page_list.del();
    k.kfree(page);
  }
  k.kfree(pool);
}

namespace {

// pool_initialise_page(): poisons the page and threads its blocks onto the
// front of the free stack in address order; blocks that would cross a
// boundary start at the boundary instead. Called with the lock held.
void initialise_page(DmaPool* pool, DmaPage* page) {
  mem_set(page->vaddr, POOL_POISON_FREED, pool->allocation);
  unsigned next_boundary = pool->boundary, offset = 0;
  DmaBlock *first = nullptr, *last = nullptr;
  while (offset + pool->size <= pool->allocation) {
    if (offset + pool->size > next_boundary) {
      offset = next_boundary;
      next_boundary += pool->boundary;
      continue;
    }
    auto* block = reinterpret_cast<DmaBlock*>(static_cast<u8*>(page->vaddr) + offset);
    block->dma = page->dma + offset;
    block->next_block = nullptr;
    if (last != nullptr) last->next_block = block;
    else first = block;
    last = block;
    offset += pool->size;
    pool->nr_blocks++;
  }
  last->next_block = pool->next_block;  // a page holds at least one block
  pool->next_block = first;
  pool->page_list.add(&page->page_list);
  pool->nr_pages++;
}

DmaBlock* block_pop(DmaPool* pool) {
  DmaBlock* block = pool->next_block;
  if (block != nullptr) {
    pool->next_block = block->next_block;
    pool->nr_active++;
  }
  return block;
}

void block_push(DmaPool* pool, DmaBlock* block, dma_addr_t dma) {
  block->dma = dma;
  block->next_block = pool->next_block;
  pool->next_block = block;
}

// pool_alloc_page(): the header from kmalloc, the memory from
// dma_alloc_coherent, both with the caller's mask. No lock held.
DmaPage* alloc_page(DmaPool* pool, gfp_t gfp) {
  Kernel& k = *pool->kernel;
  auto* page = static_cast<DmaPage*>(k.kmalloc_node(sizeof(DmaPage), gfp, pool->node));
  if (page == nullptr) return nullptr;
  page->vaddr = dma_alloc_coherent(k, pool->dev, pool->allocation, &page->dma, gfp);
  if (page->vaddr == nullptr) {
    k.kfree(page);
    return nullptr;
  }
  return page;
}

// pool_check_block(): a block leaving the pool must still carry the free
// poison past its link; then it gets the allocated poison (or zeroes).
void check_block(DmaPool* pool, DmaBlock* block, gfp_t gfp) {
  const u8* data = reinterpret_cast<const u8*>(block);
  for (unsigned i = sizeof(DmaBlock); i < pool->size; ++i) {
    if (data[i] == POOL_POISON_FREED) continue;
    char text[2048];
    FixedSeq fs(text, sizeof text);
    fs.seq().print("%s: dma_pool_alloc %s, %p (corrupted)\n", dev_name(pool->dev), pool->name,
                   static_cast<const void*>(block));
    hex_dump(fs.seq(), data, pool->size < MAX_DUMP ? pool->size : MAX_DUMP);
    report(*pool->kernel, BUG_WARN, fs.c_str(), fs.length(), sizeof text);
    break;
  }
  if (!(gfp & gfp::ZERO)) mem_set(block, POOL_POISON_ALLOCATED, pool->size);
}

DmaPage* find_page(DmaPool* pool, dma_addr_t dma) {
  for (ListHead* l = pool->page_list.next; l != &pool->page_list; l = l->next) {
    DmaPage* page = list_entry<DmaPage, offsetof(DmaPage, page_list)>(l);
    if (dma >= page->dma && dma - page->dma < pool->allocation) return page;
  }
  return nullptr;
}

// Whether offset is where initialise_page() put a block.
bool is_block_start(const DmaPool* pool, size_t offset) {
  size_t in_window = offset % pool->boundary;
  return in_window % pool->size == 0 && in_window + pool->size <= pool->boundary &&
         offset + pool->size <= pool->allocation;
}

// Whether the block at vaddr carries what a free block carries: its own DMA
// address after the link, and the free poison after that.
bool looks_free(const DmaPool* pool, const void* vaddr, dma_addr_t dma) {
  const auto* block = static_cast<const DmaBlock*>(vaddr);
  if (block->dma != dma) return false;
  const u8* data = static_cast<const u8*>(vaddr);
  for (unsigned i = sizeof(DmaBlock); i < pool->size; ++i)
    if (data[i] != POOL_POISON_FREED) return false;
  return true;
}

bool on_free_stack(const DmaPool* pool, const void* vaddr) {
  for (const DmaBlock* b = pool->next_block; b != nullptr; b = b->next_block)
    if (b == vaddr) return true;
  return false;
}

enum class FreeError { none, bad_dma, bad_vaddr, already_free };

// pool_block_err() with kmem's vaddr check. Lock held.
FreeError block_err(DmaPool* pool, void* vaddr, dma_addr_t dma) {
  DmaPage* page = find_page(pool, dma);
  if (page == nullptr) return FreeError::bad_dma;
  const size_t offset = size_t(dma - page->dma);
  if (vaddr != static_cast<u8*>(page->vaddr) + offset || !is_block_start(pool, offset))
    return FreeError::bad_vaddr;
  if (looks_free(pool, vaddr, dma) && on_free_stack(pool, vaddr)) return FreeError::already_free;
  mem_set(vaddr, POOL_POISON_FREED, pool->size);
  return FreeError::none;
}

}  // namespace

void* dma_pool_alloc(DmaPool* pool, gfp_t gfp, dma_addr_t* handle) {
  Kernel& k = *pool->kernel;
  if (gfpflags_allow_blocking(gfp)) k.might_sleep("include/linux/sched/mm.h", 321);

  unsigned long flags = spin_lock_irqsave(&pool->lock);
  DmaBlock* block = block_pop(pool);
  if (block == nullptr) {
    // The page allocation may sleep: not under the lock.
    spin_unlock_irqrestore(&pool->lock, flags);
    DmaPage* page = alloc_page(pool, gfp & ~gfp::ZERO);
    if (page == nullptr) return nullptr;
    flags = spin_lock_irqsave(&pool->lock);
    initialise_page(pool, page);
    block = block_pop(pool);
  }
  spin_unlock_irqrestore(&pool->lock, flags);

  *handle = block->dma;
  check_block(pool, block, gfp);
  if (gfp & gfp::ZERO) mem_set(block, 0, pool->size);
  return block;
}

void* dma_pool_zalloc(DmaPool* pool, gfp_t gfp, dma_addr_t* handle) {
  return dma_pool_alloc(pool, gfp | gfp::ZERO, handle);
}

void dma_pool_free(DmaPool* pool, void* vaddr, dma_addr_t dma) {
  unsigned long flags = spin_lock_irqsave(&pool->lock);
  FreeError err = block_err(pool, vaddr, dma);
  if (err == FreeError::none) {
    block_push(pool, static_cast<DmaBlock*>(vaddr), dma);
    pool->nr_active--;
  }
  spin_unlock_irqrestore(&pool->lock, flags);
  if (err == FreeError::none) return;

  char text[256];
  size_t n = 0;
  const auto dma_ull = static_cast<unsigned long long>(dma);
  switch (err) {
    case FreeError::bad_dma:
      n = format(text, sizeof text, "%s: dma_pool_free %s, %p/0x%016llx (bad dma)\n",
                 dev_name(pool->dev), pool->name, vaddr, dma_ull);
      break;
    case FreeError::bad_vaddr:
      n = format(text, sizeof text, "%s: dma_pool_free %s, %p (bad vaddr)/0x%016llx\n",
                 dev_name(pool->dev), pool->name, vaddr, dma_ull);
      break;
    case FreeError::already_free:
    case FreeError::none:
      n = format(text, sizeof text, "%s: dma_pool_free %s, dma 0x%016llx already free\n",
                 dev_name(pool->dev), pool->name, dma_ull);
      break;
  }
  report(*pool->kernel, BUG_BAD_FREE, text, n, sizeof text);
}

}  // namespace kmem
