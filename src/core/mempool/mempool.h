// SPDX-License-Identifier: MIT
// Memory pools (mm/mempool.c) and DMA pools (mm/dmapool.c) with Linux 6.18's
// semantics, as free functions over a Kernel.
//
// mempool: a reserve of min_nr pre-allocated elements that guarantees
// forward progress. mempool_alloc() asks the backing allocator first (without
// direct reclaim and I/O), then takes a reserved element, then asks the
// allocator again with the caller's full mask, and finally -- if the mask
// allows blocking -- sleeps until mempool_free() returns an element, and
// loops: a blocking mempool_alloc() never returns nullptr.
//
// dma_pool: small coherent DMA blocks of one size carved from
// dma_alloc_coherent() allocations of max(size, PAGE_SIZE) bytes; blocks never
// cross the pool's boundary. Free blocks form one LIFO stack linked inside
// the blocks across all pages (Linux >= 6.4); pages are only returned to the
// page allocator by dma_pool_destroy().
//
// Locks: Mempool::lock and DmaPool::lock are spinlock_t taken with
// spin_lock_irqsave (usable from interrupt handlers). Neither is held while
// calling the backing allocator, a pool's alloc/free callbacks, or the page
// allocator. Each is innermost to its pool: callers may hold anything.
#pragma once

#include <atomic>

#include "base/base.h"
#include "base/list.h"
#include "context/sync.h"
#include "page_alloc/gfp.h"

namespace kmem {

class Kernel;
struct KmemCache;
struct Page;

// ---- mempool --------------------------------------------------------------------------

// include/linux/mempool.h's callback types: the element allocator and its
// release. pool_data is the pool's, given at creation.
using mempool_alloc_t = void*(gfp_t gfp_mask, void* pool_data);
using mempool_free_t = void(void* element, void* pool_data);

// mempool_t. The layout is the C API's mempool_t as well (the Linux members
// first, then kmem's), checked in src/capi/mempool.cpp.
struct Mempool {
  KSpinlock lock;
  int min_nr;       // elements the reserve should hold
  int curr_nr;      // elements in the reserve; read without the lock (atomically)
  void** elements;  // the reserve, a stack of max(1, min_nr) slots
  void* pool_data;
  mempool_alloc_t* alloc;
  mempool_free_t* free;
  WaitEvent wait;  // mempool_alloc() sleepers, woken by mempool_free()
  // kmem's: the machine, the elements handed out and not returned (for the
  // leak WARN at mempool_exit), and WARN_ON_ONCE state.
  Kernel* kernel;
  std::atomic<long> outstanding;
  std::atomic<u32> warned;
};

// ENOMEM and EINVAL: the functions return their negatives, as Linux does.
inline constexpr int MEMPOOL_ENOMEM = 12;
inline constexpr int MEMPOOL_EINVAL = 22;

// mempool_init_node(): sets up an embedded pool and fills its reserve with
// gfp (max(1, min_nr) elements: a zero-minimum pool keeps one). 0, or
// -ENOMEM with the pool torn down. mempool_init() uses GFP_KERNEL and no node.
int mempool_init_node(Kernel& k, Mempool* pool, int min_nr, mempool_alloc_t* alloc_fn,
                      mempool_free_t* free_fn, void* pool_data, gfp_t gfp, int nid);
int mempool_init(Kernel& k, Mempool* pool, int min_nr, mempool_alloc_t* alloc_fn,
                 mempool_free_t* free_fn, void* pool_data);
// Frees the reserve and the element array of an embedded pool (one that was
// never initialised, or already exited, is fine). Elements still handed out
// are a caller bug: reported as a WARN (kmem's check; Linux has none).
void mempool_exit(Mempool* pool);
// A pool allocated with kmalloc; nullptr when that or filling the reserve fails.
Mempool* mempool_create_node(Kernel& k, int min_nr, mempool_alloc_t* alloc_fn,
                             mempool_free_t* free_fn, void* pool_data, gfp_t gfp, int nid);
Mempool* mempool_create(Kernel& k, int min_nr, mempool_alloc_t* alloc_fn, mempool_free_t* free_fn,
                        void* pool_data);
// mempool_exit() and frees the pool; nullptr is ignored.
void mempool_destroy(Mempool* pool);
// Grows or shrinks the reserve to new_min_nr (> 0; otherwise "kernel BUG"
// is reported and -EINVAL returned). Growing may sleep and fills the reserve
// with GFP_KERNEL as far as it can: 0, or -ENOMEM when the new element array
// could not be allocated.
int mempool_resize(Mempool* pool, int new_min_nr);
// An element, or nullptr -- never nullptr when gfp allows direct reclaim.
// __GFP_ZERO is not supported (a WARN, once per pool).
void* mempool_alloc(Mempool* pool, gfp_t gfp);
// An element from the reserve only, or nullptr; never sleeps.
void* mempool_alloc_preallocated(Mempool* pool);
// Refills the reserve if it is below min_nr (waking sleepers), else frees
// element with the pool's free callback. nullptr is ignored.
void mempool_free(void* element, Mempool* pool);

inline bool mempool_initialized(const Mempool* pool) { return pool->elements != nullptr; }
inline bool mempool_is_saturated(const Mempool* pool) {
  return __atomic_load_n(&pool->curr_nr, __ATOMIC_RELAXED) >= pool->min_nr;
}

// The usual callbacks. slab: pool_data is the KmemCache*. kmalloc:
// pool_data is the size. pages: pool_data is the order; elements are Page*.
// The kmalloc and page helpers find their machine through the pool that
// calls them (mempool_callback_kernel()): called on their own they have
// none, and fail (alloc) or leak (free).
void* mempool_alloc_slab(gfp_t gfp, void* pool_data);
void mempool_free_slab(void* element, void* pool_data);
void* mempool_kmalloc(gfp_t gfp, void* pool_data);
void mempool_kfree(void* element, void* pool_data);
void* mempool_alloc_pages(gfp_t gfp, void* pool_data);
void mempool_free_pages(void* element, void* pool_data);
// The machine of the pool whose callback runs on this thread, else nullptr.
Kernel* mempool_callback_kernel();

Mempool* mempool_create_slab_pool(Kernel& k, int min_nr, KmemCache* cache);
Mempool* mempool_create_kmalloc_pool(Kernel& k, int min_nr, size_t size);
Mempool* mempool_create_page_pool(Kernel& k, int min_nr, unsigned order);
int mempool_init_slab_pool(Kernel& k, Mempool* pool, int min_nr, KmemCache* cache);
int mempool_init_kmalloc_pool(Kernel& k, Mempool* pool, int min_nr, size_t size);
int mempool_init_page_pool(Kernel& k, Mempool* pool, int min_nr, unsigned order);

// ---- DMA: devices and coherent memory ------------------------------------------------------

using dma_addr_t = u64;  // a bus address; here the physical address

inline constexpr u64 dma_bit_mask(unsigned n) { return n >= 64 ? ~0ULL : (1ULL << n) - 1; }

// The part of struct device the DMA API reads. The layout is the C API's
// struct device as well (checked in src/capi/mempool.cpp).
struct Device {
  const char* init_name;  // dev_name()
  u64* dma_mask;          // streaming DMA mask (unused by coherent memory)
  u64 coherent_dma_mask;  // dma_alloc_coherent() memory ends below it (0: it WARNs
                          // and fails, as Linux's dma-direct does)
};

// dma_alloc_coherent(): zeroed, physically contiguous memory of at least size
// bytes (2^get_order(size) pages) below the device's coherent_dma_mask, from
// the zone that mask allows (<= 24 bits: ZONE_DMA; <= 32 bits: ZONE_DMA32,
// or ZONE_NORMAL where the profile has no DMA32; else any lowmem zone), with
// Linux's fallback to a lower zone when a page lands above the mask. The
// caller's zone modifiers are ignored, __GFP_ZERO is implied. *handle is the
// bus address (the physical address). nullptr on failure.
void* dma_alloc_coherent(Kernel& k, Device* dev, size_t size, dma_addr_t* handle, gfp_t gfp);
void dma_free_coherent(Kernel& k, Device* dev, size_t size, void* vaddr, dma_addr_t handle);
// dma-direct's dma_supported(): masks of 32 bits and more always; smaller
// ones down to ZONE_DMA's 24 bits (or all memory, on a smaller machine).
bool dma_supported(const Kernel& k, u64 mask);
// 0, or -EIO (unsupported mask; for dma_set_mask also a device without
// dma_mask), as Linux.
int dma_set_mask(const Kernel& k, Device* dev, u64 mask);
int dma_set_coherent_mask(const Kernel& k, Device* dev, u64 mask);
inline constexpr int DMA_EIO = 5;

// ---- dma_pool -----------------------------------------------------------------------------

// Linux's include/linux/poison.h values.
inline constexpr u8 POOL_POISON_FREED = 0xa7;
inline constexpr u8 POOL_POISON_ALLOCATED = 0xa9;

// A free block: the stack link and the block's own DMA address, stored in
// the block's first bytes (so blocks are at least 16 bytes).
// Packed: blocks sit at multiples of the pool's size, which the caller's
// alignment (as little as 1) need not make 8-byte aligned.
struct [[gnu::packed]] DmaBlock {
  DmaBlock* next_block;
  dma_addr_t dma;
};

// One dma_alloc_coherent() allocation of the pool (struct dma_page).
struct DmaPage {
  ListHead page_list;
  void* vaddr;
  dma_addr_t dma;
};

inline constexpr unsigned DMA_POOL_NAME_MAX = 32;

// struct dma_pool.
struct DmaPool {
  ListHead page_list;  // DmaPages, newest first
  KSpinlock lock;
  DmaBlock* next_block;  // the free stack
  size_t nr_blocks;      // blocks in all pages
  size_t nr_active;      // blocks handed out
  size_t nr_pages;
  Device* dev;
  unsigned size;        // block size (>= 16, a multiple of align)
  unsigned allocation;  // bytes per DmaPage: max(size, PAGE_SIZE)
  unsigned boundary;    // blocks never cross a multiple of this
  int node;
  char name[DMA_POOL_NAME_MAX];
  Kernel* kernel;
};

// dma_pool_create_node(): nullptr for a null dev, align not a power of two
// (0 means 1), size 0 or above INT_MAX, or a boundary that is not a power of
// two or is smaller than the (rounded-up) size. size is raised to 16 and
// rounded up to align; boundary 0 means the allocation size, and a larger
// one is clamped to it. dma_pool_create() has no node.
DmaPool* dma_pool_create_node(Kernel& k, const char* name, Device* dev, size_t size, size_t align,
                              size_t boundary, int nid);
DmaPool* dma_pool_create(Kernel& k, const char* name, Device* dev, size_t size, size_t align,
                         size_t boundary);
// Frees the pool and its pages. With blocks still handed out it prints
// "<dev>: dma_pool_destroy <name> busy" and leaks every page (Linux 6.18).
// nullptr is ignored.
void dma_pool_destroy(DmaPool* pool);
// A block and its bus address in *handle, or nullptr. Blocks come poisoned
// with POOL_POISON_ALLOCATED (zeroed with __GFP_ZERO); a free block whose
// poison changed is reported "(corrupted)" with a hex dump.
void* dma_pool_alloc(DmaPool* pool, gfp_t gfp, dma_addr_t* handle);
void* dma_pool_zalloc(DmaPool* pool, gfp_t gfp, dma_addr_t* handle);
// Returns a block. A dma outside the pool ("bad dma"), a vaddr that does not
// match dma or is not a block start ("bad vaddr"), or a block already free
// ("already free") is reported (BUG_BAD_FREE) and ignored.
void dma_pool_free(DmaPool* pool, void* vaddr, dma_addr_t dma);

}  // namespace kmem
