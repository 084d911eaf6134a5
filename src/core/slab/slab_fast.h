// SPDX-License-Identifier: MIT
// The slab fast paths, inline so that kmalloc/kfree and
// kmem_cache_alloc/free compile into their callers: find the CPU's slot (one
// TLS compare and load), enter it (a plain store and a load), pop or push the
// main sheaf, leave (a plain store). Everything else is in slub.cpp; a
// thread that shares its slot, or a machine without the asymmetric mode,
// goes there at once. A debug cache (bypass_sheaves) never gets a sheaf: its
// main sheaf stays the machine's empty one (size and capacity 0), so both
// fast paths fall through to slub.cpp without testing the flag.
// Included at the end of kernel.h.
#pragma once

namespace kmem {

// cache_cpu(s, slot->cpu), with the offset the slot keeps.
inline CacheCpu& slot_cache_cpu(KmemCache* s, const CpuSlot* slot) {
  return *reinterpret_cast<CacheCpu*>(reinterpret_cast<u8*>(s) + slot->cache_cpu_offset);
}

[[gnu::always_inline]] inline void* Kernel::slab_alloc(KmemCache* s, gfp_t gfp, int nid,
                                                       const void* caller, unsigned orig_size) {
  if (gfp & gfp::DIRECT_RECLAIM) might_sleep("include/linux/sched/mm.h", 321);
  CpuSlot* slot = fast_slot();
  if (__builtin_expect(slot != nullptr && nid == NUMA_NO_NODE, 1)) {
    if (__builtin_expect(cpu_enter_fast(slot), 1)) {
      const unsigned cpu = slot->cpu;
      CacheCpu& pc = slot_cache_cpu(s, slot);
      Sheaf* m = pc.main;
      const u64 word = m->size;
      const u64 size = word & SHEAF_SIZE_MASK;
      if (__builtin_expect(size != 0, 1)) {
        void* obj = m->objects[size - 1];
        m->size = word + SHEAF_OP - 1;  // one object less, one operation more (slab.h)
        cpu_leave_fast(slot);
        if (__builtin_expect(gfp & gfp::ZERO, 0)) __builtin_memset(obj, 0, s->object_size);
        return obj;
      }
      return slab_alloc_slow(s, gfp, nid, caller, orig_size, CpuRef{cpu, true, true}, true);
    }
  }
  return slab_alloc_slow(s, gfp, nid, caller, orig_size, this_cpu(), false);
}

[[gnu::always_inline]] inline void* Kernel::kmalloc_impl(size_t size, gfp_t gfp, int nid,
                                                         const void* caller) {
  if (__builtin_expect(size - 1 < KMALLOC_MAX_CACHE_SIZE, 1))
    return slab_alloc(slab_.kmalloc_caches[kmalloc_type(gfp)][kmalloc_index(size)], gfp, nid,
                      caller, unsigned(size));
  return kmalloc_slow(size, gfp, nid);
}

// obj is in page, some page of a slab of s.
[[gnu::always_inline]] inline void Kernel::slab_free_fast(KmemCache* s, Page* page, void* obj) {
  const uintptr_t mask = s->free_mask;
  bool bad;
  if (__builtin_expect(mask != 0, 1)) bad = (reinterpret_cast<uintptr_t>(obj) & mask) != 0;
  else bad = !slab_object_ok(s, page->head(), obj);
  if (__builtin_expect(bad, 0)) {
    slab_free_slow(s, page->head(), obj, CpuRef{0, false, false}, false);  // reports
    return;
  }
  CpuSlot* slot = fast_slot();
  if (__builtin_expect(slot != nullptr, 1) &&
      (__builtin_expect(nr_nodes_ == 1, 1) || int(page->slab_nid) == cpu_to_node(slot->cpu)) &&
      __builtin_expect(cpu_enter_fast(slot), 1)) {
    const unsigned cpu = slot->cpu;
    CacheCpu& pc = slot_cache_cpu(s, slot);
    Sheaf* m = pc.main;
    const u64 word = m->size;
    const u64 size = word & SHEAF_SIZE_MASK;
    // CONFIG_SLAB_FREELIST_HARDENED's naive double-free check, against the
    // object freed last on this CPU (sheaf_top() of an empty sheaf is never
    // an object).
    if (__builtin_expect(size < m->capacity && sheaf_top(m, size) != obj, 1)) {
      m->objects[size] = obj;
      m->size = word + SHEAF_OP + 1;  // one object more, one operation more (slab.h)
      cpu_leave_fast(slot);
      return;
    }
    slab_free_slow(s, page->head(), obj, CpuRef{cpu, true, true}, true);
    return;
  }
  slab_free_slow(s, page->head(), obj, this_cpu(), false);
}

[[gnu::always_inline]] inline void Kernel::kmem_cache_free(KmemCache* s, void* obj) {
  u64 off = u64(static_cast<u8*>(obj) - direct_map_);
  if (__builtin_expect(off < direct_map_bytes_, 1)) {
    Page* page = mem_map_ + (off >> PAGE_SHIFT);
    // Every page of a slab has PG_slab, the cache and the node (slab.h).
    if (__builtin_expect((page->flags_relaxed() & PG_slab) && page->owner == s, 1)) {
      slab_free_fast(s, page, obj);
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
      slab_free_fast(static_cast<KmemCache*>(page->owner), page, const_cast<void*>(p));
      return;
    }
  }
  kfree_slow(p);
}

}  // namespace kmem
