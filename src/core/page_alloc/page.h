// SPDX-License-Identifier: MIT
// struct page: one 64-byte descriptor per page frame (the mem_map array,
// taken from memblock at boot).
//
// An all-zero descriptor is valid and means "not free, no owner": the hosted
// platform's physical memory reads as zeroes, so booting a 16 GiB machine
// writes only the descriptors of the free blocks' head pages and of reserved
// pages, never the whole array (Linux gets the same effect with deferred
// struct page init).
//
// Who may write which field -- the split that keeps neighbours' reads free of
// races (Linux keeps PageBuddy in page_type, apart from page->flags, for the
// same reason):
//
//   state, buddy_order  the buddy allocator's: written only under zone->lock.
//                       Free and merge read them on neighbouring pages.
//   pcp, pcp_order      the per-CPU lists': written inside the CPU slot that
//                       holds the page (and under zone->lock when moving it).
//   flags, order,       the owner's, while the page is allocated; the
//   compound_head, ...  allocator writes them only while the page is its own.
//                       flags is stored and loaded atomically (relaxed): the
//                       anti-fragmentation heuristics peek at PG_movable of
//                       pages other threads own.
//
// States of a page frame:
//
//   free, head of a buddy block   state PS_BUDDY; buddy_order = block order;
//                                  lru on zone->free_area[order].free_list[mt]
//   free, inside a buddy block    all zero
//   on a per-CPU list             pcp = 1; pcp_order; lru on pcp->lists[]
//   allocated, head               refcount >= 1; order = order allocated with
//                                  (checked at free); PG_head if compound
//   allocated, tail of compound   compound_head = head | 1
//   allocated, tail, not compound all zero (refcount 0)
//   reserved (memblock)           PG_reserved, never freed
//
// Layout (bytes):  0 flags | 4 refcount | 8 order | 9 state | 10 buddy_order
//                 11 pcp | 12 pcp_order | 13 slab_nid | 14 slab_objects | 16 lru
//                 32 compound_head
//                 40 private_ | 48 owner | 56 spare (for the slab layer)
#pragma once

#include <atomic>

#include "base/list.h"
#include "base/types.h"

namespace kmem {

enum PageFlags : u32 {
  PG_reserved = 1u << 0,       // memblock-reserved or hole; never on a free list
  PG_head = 1u << 3,           // head of a compound page (__GFP_COMP)
  PG_movable = 1u << 4,        // allocated with __GFP_MOVABLE (stands in for PG_lru)
  PG_slab = 1u << 5,           // owned by the slab allocator
  PG_large_kmalloc = 1u << 6,  // a kmalloc() above KMALLOC_MAX_CACHE_SIZE (PGTY_large_kmalloc)
};

// Flags that must be clear when a page is freed (PAGE_FLAGS_CHECK_AT_FREE).
inline constexpr u32 PAGE_FLAGS_CHECK_AT_FREE = PG_reserved | PG_slab | PG_large_kmalloc;

// The buddy allocator's view of a page (Page::state).
enum PageState : u8 {
  PS_BUDDY = 1,  // head of a free block on a buddy free list
};

struct Page {
  u32 flags;
  s32 refcount_;     // _refcount; only through the atomic accessors below
  u8 order;          // owner's: the order allocated with
  u8 state;          // buddy's: PS_BUDDY or 0
  u8 buddy_order;    // buddy's: order of the free block while PS_BUDDY
  u8 pcp;            // per-CPU lists': 1 while on a pcp list
  u8 pcp_order;      // per-CPU lists': the block's order while there
  u8 slab_nid;       // slab layer: the slab's node (immutable while a slab)
  u16 slab_objects;  // slab layer: objects in the slab (immutable while a slab)
  ListHead lru;
  uintptr_t compound_head;  // tail pages: head | 1
  uintptr_t private_;
  void* owner;  // slab cache or other owner
  uintptr_t spare1;

  std::atomic_ref<s32> ref() { return std::atomic_ref<s32>(refcount_); }
  s32 ref_count() const {
    return std::atomic_ref<s32>(const_cast<s32&>(refcount_)).load(std::memory_order_relaxed);
  }
  void set_ref_count(s32 v) { ref().store(v, std::memory_order_relaxed); }

  bool is_buddy() const { return state == PS_BUDDY; }
  // On a free list or a pcp list. Only meaningful to the page's owner or
  // with the zone lock and the CPU slots held.
  bool is_free() const { return state != 0 || pcp != 0; }

  u32 flags_relaxed() const {
    return std::atomic_ref<u32>(const_cast<u32&>(flags)).load(std::memory_order_relaxed);
  }
  void set_flags(u32 f) { std::atomic_ref<u32>(flags).store(f, std::memory_order_relaxed); }
  bool is_tail() const { return compound_head & 1; }
  Page* head() { return is_tail() ? reinterpret_cast<Page*>(compound_head - 1) : this; }
};

static_assert(sizeof(Page) == 64, "struct page must stay 64 bytes");
static_assert(__builtin_offsetof(Page, lru) == 16);

inline Page* lru_to_page(ListHead* l) {
  return reinterpret_cast<Page*>(reinterpret_cast<char*>(l) - __builtin_offsetof(Page, lru));
}

}  // namespace kmem
