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
// States of a page frame and the fields that describe them:
//
//   free, head of a buddy block   PG_buddy; order = block order; lru on
//                                  zone->free_area[order].free_list[mt]
//   free, inside a buddy block    all zero
//   on a per-CPU list             PG_pcp; order; pcp_mt; lru on pcp->lists[]
//   allocated, head               refcount >= 1; order = order allocated with
//                                  (checked at free); PG_head if compound
//   allocated, tail of compound   compound_head = head | 1
//   allocated, tail, not compound all zero (refcount 0)
//   reserved (memblock)           PG_reserved, never freed
//
// Layout (bytes):  0 flags | 4 refcount | 8 order | 9 pcp_mt | 10..15 spare
//                 16 lru (next, prev) | 32 compound_head | 40 private_
//                 48 owner | 56 spare (reserved for the slab layer)
#pragma once

#include <atomic>

#include "base/list.h"
#include "base/types.h"

namespace kmem {

enum PageFlags : u32 {
  PG_reserved = 1u << 0,  // memblock-reserved or hole; never on a free list
  PG_buddy = 1u << 1,     // head of a free block on a buddy free list
  PG_pcp = 1u << 2,       // on a per-CPU page list
  PG_head = 1u << 3,      // head of a compound page (__GFP_COMP)
  PG_movable = 1u << 4,   // allocated with __GFP_MOVABLE (stands in for PG_lru)
  PG_slab = 1u << 5,      // owned by the slab allocator
  PG_highmem = 1u << 6,   // in ZONE_HIGHMEM: no permanent direct-map address
};

// Flags that must be clear when a page is freed (PAGE_FLAGS_CHECK_AT_FREE).
inline constexpr u32 PAGE_FLAGS_CHECK_AT_FREE = PG_reserved | PG_buddy | PG_pcp | PG_slab;

struct Page {
  u32 flags;
  s32 refcount_;  // _refcount; only through the atomic accessors below
  u8 order;
  u8 pcp_mt;
  u8 spare0[6];
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

  bool is_buddy() const { return flags & PG_buddy; }
  bool is_tail() const { return compound_head & 1; }
  Page* head() { return is_tail() ? reinterpret_cast<Page*>(compound_head - 1) : this; }
};

static_assert(sizeof(Page) == 64, "struct page must stay 64 bytes");
static_assert(__builtin_offsetof(Page, lru) == 16);

inline Page* lru_to_page(ListHead* l) {
  return reinterpret_cast<Page*>(reinterpret_cast<char*>(l) - __builtin_offsetof(Page, lru));
}

}  // namespace kmem
