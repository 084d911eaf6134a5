// SPDX-License-Identifier: MIT
// The slab fast paths, inline so that kmalloc/kfree and
// kmem_cache_alloc/free compile into their callers: find the CPU (one TLS
// compare), enter its slot (a plain store and a load), pop or push the main
// sheaf, leave (a plain store). Everything else is in slub.cpp.
// Included at the end of kernel.h.
#pragma once

namespace kmem {

[[gnu::always_inline]] inline void* Kernel::slab_alloc(KmemCache* s, gfp_t gfp, int nid,
                                                       const void* caller, unsigned orig_size) {
  if (gfp & gfp::DIRECT_RECLAIM) might_sleep("include/linux/sched/mm.h", 321);
  const CpuRef c = this_cpu();
  if (__builtin_expect(!s->bypass_sheaves && nid == NUMA_NO_NODE, 1)) {
    if (__builtin_expect(cpu_enter(c), 1)) {
      CacheCpu& pc = cache_cpu(s, c.cpu);
      Sheaf* m = pc.main;
      const u32 size = m->size;
      if (__builtin_expect(size != 0, 1)) {
        void* obj = m->objects[size - 1];
        m->size = size - 1;
        pc.stat[ALLOC_FASTPATH].add(1);
        cpu_leave(c);
        if (__builtin_expect(gfp & gfp::ZERO, 0)) __builtin_memset(obj, 0, s->object_size);
        return obj;
      }
      return slab_alloc_slow(s, gfp, nid, caller, orig_size, c, true);
    }
  }
  return slab_alloc_slow(s, gfp, nid, caller, orig_size, c, false);
}

[[gnu::always_inline]] inline void* Kernel::kmalloc_impl(size_t size, gfp_t gfp, int nid,
                                                         const void* caller) {
  if (__builtin_expect(size - 1 < KMALLOC_MAX_CACHE_SIZE, 1))
    return slab_alloc(slab_.kmalloc_caches[kmalloc_type(gfp)][kmalloc_index(size)], gfp, nid,
                      caller, unsigned(size));
  return kmalloc_slow(size, gfp, nid);
}

// slab_free: obj is in slab, a slab of s.
[[gnu::always_inline]] inline void Kernel::slab_free_fast(KmemCache* s, Page* slab, void* obj) {
  if (__builtin_expect(!slab_object_ok(s, slab, obj), 0)) {
    slab_free_slow(s, slab, obj, CpuRef{0, false}, false);  // reports
    return;
  }
  const CpuRef c = this_cpu();
  if (__builtin_expect(!s->bypass_sheaves, 1) &&
      (nr_nodes_ == 1 || int(slab->slab_nid) == cpu_to_node(c.cpu)) &&
      __builtin_expect(cpu_enter(c), 1)) {
    CacheCpu& pc = cache_cpu(s, c.cpu);
    Sheaf* m = pc.main;
    const u32 size = m->size;
    // CONFIG_SLAB_FREELIST_HARDENED's naive double-free check, against the
    // object freed last on this CPU.
    if (__builtin_expect(size < m->capacity && (size == 0 || m->objects[size - 1] != obj), 1)) {
      m->objects[size] = obj;
      m->size = size + 1;
      pc.stat[FREE_FASTPATH].add(1);
      cpu_leave(c);
      return;
    }
    slab_free_slow(s, slab, obj, c, true);
    return;
  }
  slab_free_slow(s, slab, obj, c, false);
}

[[gnu::always_inline]] inline void Kernel::kmem_cache_free(KmemCache* s, void* obj) {
  u64 off = u64(static_cast<u8*>(obj) - direct_map_);
  if (__builtin_expect(off < direct_map_bytes_, 1)) {
    Page* page = mem_map_ + (off >> PAGE_SHIFT);
    // Every page of a slab has PG_slab and the cache (slab.h).
    if (__builtin_expect((page->flags_relaxed() & PG_slab) && page->owner == s, 1)) {
      slab_free_fast(s, page->head(), obj);
      return;
    }
  }
  kmem_cache_free_slow(s, obj);
}

[[gnu::always_inline]] inline void Kernel::kfree(const void* p) {
  u64 off = u64(static_cast<const u8*>(p) - direct_map_);
  if (__builtin_expect(off < direct_map_bytes_, 1)) {
    Page* page = mem_map_ + (off >> PAGE_SHIFT);
    if (__builtin_expect(page->flags_relaxed() & PG_slab, 1)) {
      slab_free_fast(static_cast<KmemCache*>(page->owner), page->head(), const_cast<void*>(p));
      return;
    }
  }
  kfree_slow(p);
}

}  // namespace kmem
