// SPDX-License-Identifier: MIT
// Internals shared by the slab layer's translation units (slub.cpp,
// kmalloc.cpp): Kernel's private slab state and the slab-level operations.
#pragma once

#include "kernel.h"
#include "slab/slab.h"

namespace kmem {

struct SlabOps {
  static SlabState& state(Kernel& k) { return k.slab_; }
  static const SlabState& state(const Kernel& k) { return k.slab_; }
  static u8* direct_map(const Kernel& k) { return k.direct_map_; }
  static u64 direct_map_bytes(const Kernel& k) { return k.direct_map_bytes_; }
  static std::atomic<u64>* bugs(Kernel& k) { return k.bugs_; }

  // The slab head page of p, or nullptr when p is not in a slab (outside
  // the direct map, a free page, a page of another owner).
  static Page* virt_to_slab(const Kernel& k, const void* p) {
    u64 off = u64(static_cast<const u8*>(p) - k.direct_map_);
    if (off >= k.direct_map_bytes_) return nullptr;
    pfn_t pfn = phys_pfn(off);
    if (pfn >= k.max_pfn_) return nullptr;
    Page* page = k.mem_map_ + pfn;
    Page* head = page->head();
    return (head->flags_relaxed() & PG_slab) ? head : nullptr;
  }
  // The head page of p's block when p is in the direct map, else nullptr.
  static Page* virt_to_head_page(const Kernel& k, const void* p) {
    u64 off = u64(static_cast<const u8*>(p) - k.direct_map_);
    if (off >= k.direct_map_bytes_) return nullptr;
    pfn_t pfn = phys_pfn(off);
    if (pfn >= k.max_pfn_) return nullptr;
    return (k.mem_map_ + pfn)->head();
  }

  // Frees objs[0..n) of s (all from s) to their slabs, node by node.
  static void free_to_slabs(Kernel& k, KmemCache* s, void** objs, unsigned n, uintptr_t caller);
  // Takes up to want objects of s from slabs (allocating one if none is
  // partial); returns how many (0: out of memory).
  static unsigned refill_objects(Kernel& k, KmemCache* s, void** out, unsigned want, gfp_t gfp,
                                 int nid, uintptr_t caller, unsigned orig_size);
  // Creates a cache (no merging) at the list head; nullptr on failure.
  static KmemCache* create_cache(Kernel& k, const char* name, unsigned size, unsigned align,
                                 slab_flags_t flags, const KmemCacheArgs* args);
  // Validates a pointer handed to kfree/kmem_cache_free for s; reports and
  // returns false when it is not the start of an object of that slab.
  static bool check_object_pointer(Kernel& k, KmemCache* s, Page* slab, const void* obj);
  static void report_invalid_free(Kernel& k, const void* p, const char* why);
  static gfp_t kmalloc_fix_flags(Kernel& k, gfp_t gfp);
  static void kmalloc_init(Kernel& k);
  static void large_kmalloc_free(Kernel& k, Page* head, const void* p);
};

inline size_t kmalloc_index_size(unsigned idx) {
  return idx == 1 ? 96 : idx == 2 ? 192 : size_t(1) << idx;
}

}  // namespace kmem
