// SPDX-License-Identifier: MIT
// <linux/mempool.h>, <linux/dmapool.h> and <linux/dma-mapping.h> on the
// current machine (src/core/mempool/). mempool_t, struct device and the
// callback types are the core's Mempool, Device and mempool_alloc_t seen
// through C declarations of the same layout (checked below); struct
// dma_pool is the core's DmaPool, opaque to C.
#include <cstddef>

#include "capi/current.h"
#include "mempool/mempool.h"

#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/mempool.h>

static_assert(sizeof(mempool_t) == sizeof(kmem::Mempool) &&
              alignof(mempool_t) == alignof(kmem::Mempool));
static_assert(offsetof(mempool_t, lock) == offsetof(kmem::Mempool, lock) &&
              offsetof(mempool_t, min_nr) == offsetof(kmem::Mempool, min_nr) &&
              offsetof(mempool_t, curr_nr) == offsetof(kmem::Mempool, curr_nr) &&
              offsetof(mempool_t, elements) == offsetof(kmem::Mempool, elements) &&
              offsetof(mempool_t, pool_data) == offsetof(kmem::Mempool, pool_data) &&
              offsetof(mempool_t, alloc) == offsetof(kmem::Mempool, alloc) &&
              offsetof(mempool_t, free) == offsetof(kmem::Mempool, free) &&
              offsetof(mempool_t, wait) == offsetof(kmem::Mempool, wait) &&
              offsetof(mempool_t, kmem_machine) == offsetof(kmem::Mempool, kernel) &&
              offsetof(mempool_t, kmem_outstanding) == offsetof(kmem::Mempool, outstanding) &&
              offsetof(mempool_t, kmem_warned) == offsetof(kmem::Mempool, warned));
static_assert(sizeof(struct device) == sizeof(kmem::Device) &&
              alignof(struct device) == alignof(kmem::Device));
static_assert(offsetof(struct device, init_name) == offsetof(kmem::Device, init_name) &&
              offsetof(struct device, dma_mask) == offsetof(kmem::Device, dma_mask) &&
              offsetof(struct device, coherent_dma_mask) ==
                  offsetof(kmem::Device, coherent_dma_mask));
static_assert(sizeof(dma_addr_t) == sizeof(kmem::dma_addr_t));
static_assert(DMA_BIT_MASK(24) == kmem::dma_bit_mask(24) &&
              DMA_BIT_MASK(64) == kmem::dma_bit_mask(64));

namespace {

using kmem::capi::current_kernel;

inline kmem::Mempool* to_core(mempool_t* pool) { return reinterpret_cast<kmem::Mempool*>(pool); }
inline mempool_t* to_c(kmem::Mempool* pool) { return reinterpret_cast<mempool_t*>(pool); }
inline kmem::mempool_alloc_t* to_core(mempool_alloc_t* fn) {
  return reinterpret_cast<kmem::mempool_alloc_t*>(fn);
}
inline kmem::mempool_free_t* to_core(mempool_free_t* fn) {
  return reinterpret_cast<kmem::mempool_free_t*>(fn);
}
inline kmem::Device* to_core(struct device* dev) { return reinterpret_cast<kmem::Device*>(dev); }
inline kmem::DmaPool* to_core(struct dma_pool* pool) {
  return reinterpret_cast<kmem::DmaPool*>(pool);
}
inline struct dma_pool* to_c(kmem::DmaPool* pool) {
  return reinterpret_cast<struct dma_pool*>(pool);
}

// The machine of the pool calling a callback, else the current one.
inline kmem::Kernel& callback_kernel() {
  kmem::Kernel* k = kmem::mempool_callback_kernel();
  return k != nullptr ? *k : current_kernel();
}

}  // namespace

extern "C" {

// ---- mempool ------------------------------------------------------------------------------

int mempool_init_node(mempool_t* pool, int min_nr, mempool_alloc_t* alloc_fn,
                      mempool_free_t* free_fn, void* pool_data, gfp_t gfp_mask, int node_id) {
  return kmem::mempool_init_node(current_kernel(), to_core(pool), min_nr, to_core(alloc_fn),
                                 to_core(free_fn), pool_data, gfp_mask, node_id);
}

int mempool_init(mempool_t* pool, int min_nr, mempool_alloc_t* alloc_fn, mempool_free_t* free_fn,
                 void* pool_data) {
  return mempool_init_node(pool, min_nr, alloc_fn, free_fn, pool_data, kmem::gfp::KERNEL,
                           NUMA_NO_NODE);
}

void mempool_exit(mempool_t* pool) { kmem::mempool_exit(to_core(pool)); }

mempool_t* mempool_create_node(int min_nr, mempool_alloc_t* alloc_fn, mempool_free_t* free_fn,
                               void* pool_data, gfp_t gfp_mask, int nid) {
  return to_c(kmem::mempool_create_node(current_kernel(), min_nr, to_core(alloc_fn),
                                        to_core(free_fn), pool_data, gfp_mask, nid));
}

mempool_t* mempool_create(int min_nr, mempool_alloc_t* alloc_fn, mempool_free_t* free_fn,
                          void* pool_data) {
  return mempool_create_node(min_nr, alloc_fn, free_fn, pool_data, kmem::gfp::KERNEL, NUMA_NO_NODE);
}

int mempool_resize(mempool_t* pool, int new_min_nr) {
  return kmem::mempool_resize(to_core(pool), new_min_nr);
}

void mempool_destroy(mempool_t* pool) { kmem::mempool_destroy(to_core(pool)); }

void* mempool_alloc(mempool_t* pool, gfp_t gfp_mask) {
  return kmem::mempool_alloc(to_core(pool), gfp_mask);
}

void* mempool_alloc_preallocated(mempool_t* pool) {
  return kmem::mempool_alloc_preallocated(to_core(pool));
}

void mempool_free(void* element, mempool_t* pool) { kmem::mempool_free(element, to_core(pool)); }

void* mempool_alloc_slab(gfp_t gfp_mask, void* pool_data) {
  return kmem::mempool_alloc_slab(gfp_mask, pool_data);
}

void mempool_free_slab(void* element, void* pool_data) {
  kmem::mempool_free_slab(element, pool_data);
}

void* mempool_kmalloc(gfp_t gfp_mask, void* pool_data) {
  return callback_kernel().kmalloc(reinterpret_cast<size_t>(pool_data), gfp_mask);
}

void mempool_kfree(void* element, void* /*pool_data*/) { callback_kernel().kfree(element); }

void* mempool_alloc_pages(gfp_t gfp_mask, void* pool_data) {
  return callback_kernel().alloc_pages(gfp_mask, unsigned(reinterpret_cast<uintptr_t>(pool_data)));
}

void mempool_free_pages(void* element, void* pool_data) {
  callback_kernel().free_pages(static_cast<kmem::Page*>(element),
                               unsigned(reinterpret_cast<uintptr_t>(pool_data)));
}

// ---- DMA masks and coherent memory ----------------------------------------------------------

int dma_supported(struct device* /*dev*/, u64 mask) {
  return kmem::dma_supported(current_kernel(), mask) ? 1 : 0;
}

int dma_set_mask(struct device* dev, u64 mask) {
  return kmem::dma_set_mask(current_kernel(), to_core(dev), mask);
}

int dma_set_coherent_mask(struct device* dev, u64 mask) {
  return kmem::dma_set_coherent_mask(current_kernel(), to_core(dev), mask);
}

int dma_set_mask_and_coherent(struct device* dev, u64 mask) {
  int rc = dma_set_mask(dev, mask);
  if (rc == 0) dma_set_coherent_mask(dev, mask);
  return rc;
}

int dma_coerce_mask_and_coherent(struct device* dev, u64 mask) {
  dev->dma_mask = &dev->coherent_dma_mask;
  return dma_set_mask_and_coherent(dev, mask);
}

void* dma_alloc_coherent(struct device* dev, size_t size, dma_addr_t* dma_handle, gfp_t gfp) {
  return kmem::dma_alloc_coherent(current_kernel(), to_core(dev), size, dma_handle, gfp);
}

void dma_free_coherent(struct device* dev, size_t size, void* cpu_addr, dma_addr_t dma_handle) {
  kmem::dma_free_coherent(current_kernel(), to_core(dev), size, cpu_addr, dma_handle);
}

// ---- dma_pool -------------------------------------------------------------------------------

struct dma_pool* dma_pool_create_node(const char* name, struct device* dev, size_t size,
                                      size_t align, size_t boundary, int node) {
  return to_c(kmem::dma_pool_create_node(current_kernel(), name, to_core(dev), size, align,
                                         boundary, node));
}

struct dma_pool* dma_pool_create(const char* name, struct device* dev, size_t size, size_t align,
                                 size_t boundary) {
  return dma_pool_create_node(name, dev, size, align, boundary, NUMA_NO_NODE);
}

void dma_pool_destroy(struct dma_pool* pool) { kmem::dma_pool_destroy(to_core(pool)); }

void* dma_pool_alloc(struct dma_pool* pool, gfp_t mem_flags, dma_addr_t* handle) {
  return kmem::dma_pool_alloc(to_core(pool), mem_flags, handle);
}

void* dma_pool_zalloc(struct dma_pool* pool, gfp_t mem_flags, dma_addr_t* handle) {
  return kmem::dma_pool_zalloc(to_core(pool), mem_flags, handle);
}

void dma_pool_free(struct dma_pool* pool, void* vaddr, dma_addr_t dma) {
  kmem::dma_pool_free(to_core(pool), vaddr, dma);
}

}  // extern "C"
