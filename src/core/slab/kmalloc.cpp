// SPDX-License-Identifier: MIT
// The kmalloc family over the size-class caches (mm/slab_common.c,
// mm/slub.c, mm/util.c in Linux 6.18).
//
// Three cache families of 13 sizes each: kmalloc-8 .. kmalloc-8k (with 96
// and 192), kmalloc-rcl-* for __GFP_RECLAIMABLE and dma-kmalloc-* for
// __GFP_DMA. Above 8 KiB a kmalloc is a compound page block from the page
// allocator ("large kmalloc"), up to KMALLOC_MAX_SIZE (order 10).
#include "base/bits.h"
#include "base/string.h"
#include "slab/internal.h"

namespace kmem {

namespace {

using I = SlabOps;

const char* const kSizeNames[NR_KMALLOC_INDEX] = {nullptr, "96",  "192", "8",  "16", "32", "64",
                                                  "128",   "256", "512", "1k", "2k", "4k", "8k"};

// The kmalloc request size a debug cache remembers (SLAB_KMALLOC with
// SLAB_STORE_USER: slub_debug_orig_size), else the object size. The slot
// follows the two tracks; the value is an unsigned in a word-sized slot.
bool orig_size_tracked(const KmemCache* s) {
  return (s->flags & (SLAB_KMALLOC | SLAB_STORE_USER)) == (SLAB_KMALLOC | SLAB_STORE_USER);
}
unsigned get_orig_size(const KmemCache* s, void* obj) {
  if (!orig_size_tracked(s)) return s->object_size;
  return *reinterpret_cast<unsigned*>(get_track(s, obj, 2));
}
void set_orig_size(const KmemCache* s, void* obj, unsigned size) {
  if (orig_size_tracked(s)) *reinterpret_cast<unsigned*>(get_track(s, obj, 2)) = size;
}

void* kmalloc_large(Kernel& k, size_t size, gfp_t gfp, int nid) {
  const unsigned order = get_order(size);
  if (gfp & gfp::SLAB_BUG_MASK) gfp = SlabOps::kmalloc_fix_flags(k, gfp);
  Page* page = k.alloc_pages(gfp | gfp::COMP, order, nid);
  if (page == nullptr) return nullptr;
  page->set_flags(page->flags_relaxed() | PG_large_kmalloc);
  k.page_zone(page)->pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE].fetch_add(long(1) << order,
                                                                     std::memory_order_relaxed);
  return k.page_to_virt_raw(page);
}

}  // namespace

void SlabOps::kmalloc_init(Kernel& k) {
  SlabState& st = state(k);
  static const char* const prefix[NR_KMALLOC_TYPES] = {"kmalloc-", "kmalloc-rcl-", "dma-kmalloc-"};
  static const slab_flags_t type_flags[NR_KMALLOC_TYPES] = {
      SLAB_NO_MERGE,  // KMALLOC_NORMAL is never merged with CONFIG_MEMCG
      SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA};
  // Linux's order: per type, kmalloc-96 and -192 first, then 8 .. 8k.
  static const unsigned order[NR_KMALLOC_INDEX - 1] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
  for (unsigned t = 0; t < NR_KMALLOC_TYPES; ++t) {
    for (unsigned idx : order) {
      char name[SLAB_NAME_MAX];
      format(name, sizeof name, "%s%s", prefix[t], kSizeNames[idx]);
      const unsigned size = unsigned(kmalloc_index_size(idx));
      // kmalloc objects are aligned to the largest power of two dividing the size.
      const unsigned align = 1u << __builtin_ctz(size);
      slab_flags_t flags = SLAB_KMALLOC | type_flags[t] | slab_debug_flags_for(k, name);
      KmemCache* s = create_cache(k, name, size, align, flags, nullptr);
      MM_CHECK(s != nullptr, "kmalloc cache creation failed at boot");
      st.caches.add(&s->list);
      st.kmalloc_caches[t][idx] = s;
    }
  }
}

KmemCache* Kernel::kmalloc_slab(size_t size, gfp_t gfp) const {
  if (size == 0 || size > KMALLOC_MAX_CACHE_SIZE) return nullptr;
  return slab_.kmalloc_caches[kmalloc_type(gfp)][kmalloc_index(size)];
}

void* Kernel::kmalloc_slow(size_t size, gfp_t gfp, int nid) {
  if (size == 0) return ZERO_SIZE_PTR;
  if (gfpflags_allow_blocking(gfp)) might_sleep("include/linux/sched/mm.h", 321);
  return kmalloc_large(*this, size, gfp, nid);
}

void SlabOps::large_kmalloc_free(Kernel& k, Page* head, const void* p) {
  if (!(head->flags_relaxed() & PG_large_kmalloc) || k.page_to_virt_raw(head) != p) {
    report_invalid_free(k, p,
                        (head->flags_relaxed() & PG_large_kmalloc)
                            ? "pointer inside a large kmalloc, not its start"
                            : "Not a kmalloc allocation (not a slab object or a large kmalloc)");
    return;
  }
  const unsigned order = (head->flags_relaxed() & PG_head) ? head->order : 0;
  head->set_flags(head->flags_relaxed() & ~PG_large_kmalloc);
  k.page_zone(head)->pgdat->vm_stat[NR_SLAB_UNRECLAIMABLE].fetch_sub(long(1) << order,
                                                                     std::memory_order_relaxed);
  k.free_pages(head, order);
}

size_t Kernel::ksize(const void* p) {
  if (zero_or_null_ptr(p)) return 0;
  Page* head = I::virt_to_head_page(*this, p);
  if (head == nullptr) return 0;
  if (head->flags_relaxed() & PG_slab) {
    const KmemCache* s = slab_cache(head);
    // The caller may now use the whole bucket: a debug kmalloc cache stops
    // checking the bytes past the request (skip_orig_size_check).
    if (slab_object_ok(s, head, p)) set_orig_size(s, const_cast<void*>(p), s->object_size);
    // slab_ksize(): the whole slot unless debugging bytes follow the object.
    if (s->flags & (SLAB_RED_ZONE | SLAB_POISON)) return s->object_size;
    if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_STORE_USER)) return s->inuse;
    return s->size;
  }
  if ((head->flags_relaxed() & PG_large_kmalloc) && page_to_virt_raw(head) == p)
    return PAGE_SIZE << ((head->flags_relaxed() & PG_head) ? head->order : 0);
  return 0;
}

size_t Kernel::kmalloc_size_roundup(size_t size) const {
  if (size != 0 && size <= KMALLOC_MAX_CACHE_SIZE)
    return slab_.kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(size)]->object_size;
  if (size > KMALLOC_MAX_CACHE_SIZE && size <= KMALLOC_MAX_SIZE)
    return PAGE_SIZE << get_order(size);
  return size;
}

void* Kernel::krealloc(const void* p, size_t new_size, gfp_t gfp) {
  if (new_size == 0) {
    kfree(p);
    return ZERO_SIZE_PTR;
  }
  size_t ks = 0, orig = 0;
  KmemCache* s = nullptr;
  if (!zero_or_null_ptr(p)) {
    Page* head = I::virt_to_head_page(*this, p);
    if (head != nullptr && (head->flags_relaxed() & PG_slab)) {
      s = slab_cache(head);
      if (!I::check_object_pointer(*this, s, head, p)) return nullptr;
      ks = s->object_size;
      orig = get_orig_size(s, const_cast<void*>(p));
    } else if (head != nullptr && (head->flags_relaxed() & PG_large_kmalloc) &&
               page_to_virt_raw(head) == p) {
      ks = orig = ksize(p);
    } else {
      I::report_invalid_free(*this, p, "krealloc of a pointer kmalloc did not return");
      return nullptr;
    }
    if (new_size <= ks) {
      // Fits: keep the object; zero the tail beyond the old request.
      if (gfp & gfp::ZERO) {
        u8* b = static_cast<u8*>(const_cast<void*>(p));
        if (orig && orig < new_size) mem_set(b + orig, 0, new_size - orig);
        else mem_set(b + new_size, 0, ks - new_size);
      }
      if (s != nullptr && orig != s->object_size) {
        set_orig_size(s, const_cast<void*>(p), unsigned(new_size));
        if ((s->flags & SLAB_RED_ZONE) && new_size < ks)
          mem_set(static_cast<u8*>(const_cast<void*>(p)) + new_size, SLUB_RED_ACTIVE,
                  ks - new_size);
      }
      return const_cast<void*>(p);
    }
  }
  void* ret = kmalloc_impl(new_size, gfp, NUMA_NO_NODE, __builtin_return_address(0));
  if (ret != nullptr && !zero_or_null_ptr(p)) {
    mem_copy(ret, p, orig ? orig : ks);
    kfree(p);
  }
  return ret;
}

void Kernel::kfree_sensitive(const void* p) {
  size_t ks = ksize(p);
  if (ks != 0) {
    mem_set(const_cast<void*>(p), 0, ks);
    __asm__ __volatile__("" : : "r"(p) : "memory");  // memzero_explicit
  }
  kfree(p);
}

}  // namespace kmem
