// SPDX-License-Identifier: MIT
// The buddy system proper: free lists per order and migratetype, merging on
// free, splitting on allocation, and the anti-fragmentation fallbacks
// (mm/page_alloc.c: __free_one_page, expand, __rmqueue_smallest,
// __rmqueue_claim, __rmqueue_steal, try_to_claim_block).
//
// Every function here runs with zone->lock held.
#include "page_alloc/internal.h"

namespace kmem {

namespace {

// Which lists a type may borrow from when its own are empty, best first.
constexpr MigrateType kFallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
    /* UNMOVABLE   */ {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},
    /* MOVABLE     */ {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},
    /* RECLAIMABLE */ {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},
};

Page* first_free(Zone& z, unsigned order, MigrateType mt) {
  ListHead& l = z.free_area[order].free_list[mt];
  return l.empty() ? nullptr : lru_to_page(l.next);
}

// Both descriptors belong to the same zone (the buddy may lie across a zone
// or node boundary, or in a hole).
bool same_zone(Kernel& k, pfn_t a, pfn_t b) {
  if (b >= k.max_pfn()) return false;
  u8* info = Kernel::Internal::pb_zone_node(k);
  return info[a >> pageblock_order] == info[b >> pageblock_order];
}

bool page_is_buddy(Kernel& k, pfn_t pfn, Page* buddy, pfn_t buddy_pfn, unsigned order) {
  return same_zone(k, pfn, buddy_pfn) && buddy->is_buddy() && buddy->buddy_order == order;
}

// Splits a block of order high down to order low, putting the upper halves on
// the free lists (expand()):
//
//   order 3 block, want order 1:   [ A A | B B | C C C C ]
//                                    ^ret  ^o1    ^o2 back on the lists
unsigned long expand(Zone& z, Page* page, unsigned low, unsigned high, MigrateType mt) {
  unsigned long size = 1UL << high, added = 0;
  while (high > low) {
    --high;
    size >>= 1;
    Kernel::Internal::add_to_free_list(z, page + size, high, mt, false);
    added += size;
  }
  return added;
}

void page_del_and_expand(Zone& z, Page* page, unsigned low, unsigned high, MigrateType mt) {
  Kernel::Internal::del_from_free_list(z, page, high, mt);
  long nr = long(1UL << high) - long(expand(z, page, low, high, mt));
  Kernel::Internal::account_freepages(z, -nr, mt);
}

// Moves the free blocks of the pageblock at start_pfn from one type's lists to
// another's and retypes the block. Fails (-1) if the block is not wholly
// inside the zone. *movable counts allocated movable pages found on the way.
long move_freepages_block(Kernel& k, Zone& z, pfn_t start_pfn, MigrateType from, MigrateType to,
                          long* movable) {
  pfn_t end = start_pfn + pageblock_nr_pages;
  if (start_pfn < z.zone_start_pfn || end > z.zone_end_pfn()) return -1;
  long moved = 0;
  if (movable) *movable = 0;
  for (pfn_t pfn = start_pfn; pfn < end;) {
    Page* p = k.pfn_to_page(pfn);
    if (p->is_buddy()) {
      unsigned o = p->buddy_order;
      if (from != to) {
        Kernel::Internal::del_from_free_list(z, p, o, from);
        Kernel::Internal::add_to_free_list(z, p, o, to, true);
        Kernel::Internal::account_freepages(z, -long(1UL << o), from);
        Kernel::Internal::account_freepages(z, long(1UL << o), to);
      }
      moved += long(1UL << o);
      pfn += 1UL << o;
      continue;
    }
    // A peek at a page another thread owns, as Linux's PageLRU test is.
    if (movable && (p->flags_relaxed() & PG_movable)) ++*movable;
    ++pfn;
  }
  Kernel::Internal::set_pageblock_migratetype(k, start_pfn, to);
  return moved;
}

bool should_try_claim_block(Kernel& k, unsigned order, MigrateType start_mt) {
  if (order >= pageblock_order / 2) return true;  // likely more free pages in the block
  // Unmovable and reclaimable pages pollute a movable block for good: take
  // the whole block rather than scatter them.
  if (start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE) return true;
  return !k.mobility_grouping();
}

// find_suitable_fallback: the first fallback type with a free block of this
// order; -1 if none; -2 if claiming was asked for but is not worth it.
int find_suitable_fallback(Kernel& k, Zone& z, unsigned order, MigrateType mt, bool claimable) {
  if (claimable && !should_try_claim_block(k, order, mt)) return -2;
  if (z.free_area[order].nr_free.load(std::memory_order_relaxed) == 0) return -1;
  for (MigrateType f : kFallbacks[mt])
    if (!z.free_area[order].free_list[f].empty()) return f;
  return -1;
}

void change_pageblock_range(Kernel& k, pfn_t pfn, unsigned order, MigrateType mt) {
  for (pfn_t p = pfn; p < pfn + (1UL << order); p += pageblock_nr_pages)
    Kernel::Internal::set_pageblock_migratetype(k, p, mt);
}

// try_to_claim_block: the found block is of another type; take over its
// whole pageblock if enough of it is free or compatible, then allocate.
Page* try_to_claim_block(Kernel& k, Zone& z, Page* page, unsigned current_order, unsigned order,
                         MigrateType start_mt, MigrateType block_mt) {
  pfn_t pfn = k.page_to_pfn(page);
  if (current_order >= pageblock_order) {
    Kernel::Internal::del_from_free_list(z, page, current_order, block_mt);
    change_pageblock_range(k, pfn, current_order, start_mt);
    unsigned long added = expand(z, page, order, current_order, start_mt);
    Kernel::Internal::account_freepages(z, -long(1UL << current_order), block_mt);
    Kernel::Internal::account_freepages(z, long(added), start_mt);
    return page;
  }
  pfn_t start = align_down(pfn, pageblock_nr_pages);
  long movable = 0;
  // Count first without moving: move_freepages_block with from == to only counts.
  long free_pages = move_freepages_block(k, z, start, block_mt, block_mt, &movable);
  if (free_pages < 0) return nullptr;
  long alike;
  if (start_mt == MIGRATE_MOVABLE) alike = movable;
  else if (block_mt == MIGRATE_MOVABLE) alike = long(pageblock_nr_pages) - (free_pages + movable);
  else alike = 0;
  if (free_pages + alike >= long(1UL << (pageblock_order - 1)) || !k.mobility_grouping()) {
    move_freepages_block(k, z, start, block_mt, start_mt, nullptr);
    return Kernel::Internal::rmqueue_smallest(k, z, order, start_mt);
  }
  return nullptr;
}

// __rmqueue_claim: take the largest block of a fallback type, claiming its
// pageblock where worthwhile. ALLOC_NOFRAGMENT only accepts whole pageblocks.
Page* rmqueue_claim(Kernel& k, Zone& z, unsigned order, MigrateType mt, unsigned alloc_flags) {
  unsigned min_order = order;
  if (order < pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT)) min_order = pageblock_order;
  for (int cur = MAX_PAGE_ORDER; cur >= int(min_order); --cur) {
    int f = find_suitable_fallback(k, z, unsigned(cur), mt, true);
    if (f == -1) continue;
    if (f == -2) break;  // too small to be worth claiming; the steal path may take it
    Page* page = first_free(z, unsigned(cur), MigrateType(f));
    Page* got = try_to_claim_block(k, z, page, unsigned(cur), order, mt, MigrateType(f));
    if (got) return got;
  }
  return nullptr;
}

// __rmqueue_steal: borrow the smallest fallback block without retyping it.
Page* rmqueue_steal(Kernel& k, Zone& z, unsigned order, MigrateType mt) {
  for (unsigned cur = order; cur < NR_PAGE_ORDERS; ++cur) {
    int f = find_suitable_fallback(k, z, cur, mt, false);
    if (f < 0) continue;
    Page* page = first_free(z, cur, MigrateType(f));
    page_del_and_expand(z, page, order, cur, MigrateType(f));
    return page;
  }
  return nullptr;
}

}  // namespace

void Kernel::Internal::set_pageblock_migratetype(Kernel& k, pfn_t pfn, MigrateType mt) {
  if (!k.grouping_ && mt < MIGRATE_PCPTYPES) mt = MIGRATE_UNMOVABLE;
  k.pb_mt_[pfn >> pageblock_order].store(mt, std::memory_order_relaxed);
}

void Kernel::Internal::account_freepages(Zone& z, long nr, MigrateType mt) {
  if (mt == MIGRATE_ISOLATE) return;  // isolated pages are not allocatable
  locked_add(z.vm_stat[NR_FREE_PAGES], nr);
}

void Kernel::Internal::add_to_free_list(Zone& z, Page* p, unsigned order, MigrateType mt,
                                        bool tail) {
  FreeArea& a = z.free_area[order];
  p->state = PS_BUDDY;
  p->buddy_order = u8(order);
  if (tail) a.free_list[mt].add_tail(&p->lru);
  else a.free_list[mt].add(&p->lru);
  locked_add(a.nr_free, 1);
  locked_add(a.nr_free_mt[mt], 1);
  if (order >= pageblock_order && mt != MIGRATE_ISOLATE)
    locked_add(z.vm_stat[NR_FREE_PAGES_BLOCKS], long(1UL << order));
}

void Kernel::Internal::del_from_free_list(Zone& z, Page* p, unsigned order, MigrateType mt) {
  FreeArea& a = z.free_area[order];
  MM_ASSERT(p->is_buddy() && p->buddy_order == order, "page %p not a free block of order %u",
            (void*)p, order);
  p->lru.del();
  p->state = 0;
  p->buddy_order = 0;
  locked_add(a.nr_free, -1);
  locked_add(a.nr_free_mt[mt], -1);
  if (order >= pageblock_order && mt != MIGRATE_ISOLATE)
    locked_add(z.vm_stat[NR_FREE_PAGES_BLOCKS], -long(1UL << order));
}

// __free_one_page: merge with free buddies while possible, then list the
// result. Buddy of pfn at order o is pfn ^ (1 << o):
//
//   order 0:  [p][b]            order 1:  [p p][b b]          merged: [p p p p]
void Kernel::Internal::free_one_page_locked(Kernel& k, Zone& z, Page* page, pfn_t pfn,
                                            unsigned order, MigrateType mt) {
  account_freepages(z, long(1UL << order), mt);
  while (order < MAX_PAGE_ORDER) {
    pfn_t buddy_pfn = pfn ^ (1UL << order);
    Page* buddy = page + (long(buddy_pfn) - long(pfn));
    if (!page_is_buddy(k, pfn, buddy, buddy_pfn, order)) break;
    MigrateType buddy_mt = mt;
    if (order >= pageblock_order) {
      // Across pageblocks: never merge an isolated or high-atomic block into
      // an ordinary one, or the reserve accounting would leak.
      buddy_mt = k.pageblock_migratetype(buddy_pfn);
      if (mt != buddy_mt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
        break;
    }
    del_from_free_list(z, buddy, order, buddy_mt);
    if (buddy_mt != mt) change_pageblock_range(k, buddy_pfn, order, mt);
    pfn_t combined = buddy_pfn & pfn;
    page += long(combined) - long(pfn);
    pfn = combined;
    ++order;
  }
  // If the next-larger buddy is free, this block will likely merge soon:
  // queue it at the tail so that it is reused last.
  bool tail = false;
  if (order < MAX_PAGE_ORDER - 1) {
    pfn_t higher = (pfn & ~((2UL << order) - 1)) ^ (2UL << order);
    tail = higher < k.max_pfn() && same_zone(k, pfn, higher) && k.pfn_to_page(higher)->is_buddy();
  }
  add_to_free_list(z, page, order, mt, tail);
}

Page* Kernel::Internal::rmqueue_smallest(Kernel& k, Zone& z, unsigned order, MigrateType mt) {
  for (unsigned cur = order; cur < NR_PAGE_ORDERS; ++cur) {
    Page* page = first_free(z, cur, mt);
    if (page == nullptr) continue;
    page_del_and_expand(z, page, order, cur, mt);
    return page;
  }
  return nullptr;
}

// __rmqueue: own type first, then claim a fallback block, then steal.
Page* Kernel::Internal::rmqueue(Kernel& k, Zone& z, unsigned order, MigrateType mt,
                                unsigned alloc_flags, RmqueueMode& mode) {
  Page* page;
  switch (mode) {
    case RmqueueMode::normal:
      if ((page = rmqueue_smallest(k, z, order, mt))) return page;
      [[fallthrough]];
    case RmqueueMode::claim:
      if ((page = rmqueue_claim(k, z, order, mt, alloc_flags))) {
        mode = RmqueueMode::normal;  // the preferred lists are replenished
        return page;
      }
      [[fallthrough]];
    case RmqueueMode::steal:
      if (!(alloc_flags & ALLOC_NOFRAGMENT) && (page = rmqueue_steal(k, z, order, mt))) {
        mode = RmqueueMode::steal;
        return page;
      }
  }
  return nullptr;
}

// After a non-blocking high-order allocation succeeds, set its pageblock
// aside for later ones (at most ~1 % of the zone).
void Kernel::Internal::reserve_highatomic_pageblock(Kernel& k, Page* page, unsigned order,
                                                    Zone& z) {
  const unsigned long max_managed = align_up(z.managed() / 100, pageblock_nr_pages);
  if (z.nr_reserved_highatomic.load(std::memory_order_relaxed) >= max_managed) return;
  SpinGuard g(z.lock);
  if (z.nr_reserved_highatomic.load(std::memory_order_relaxed) >= max_managed) return;
  pfn_t pfn = k.page_to_pfn(page);
  MigrateType mt = k.pageblock_migratetype(pfn);
  if (!migratetype_is_mergeable(mt)) return;
  if (order < pageblock_order) {
    if (move_freepages_block(k, z, align_down(pfn, pageblock_nr_pages), mt, MIGRATE_HIGHATOMIC,
                             nullptr) < 0)
      return;
    locked_add(z.nr_reserved_highatomic, pageblock_nr_pages);
  } else {
    change_pageblock_range(k, pfn, order, MIGRATE_HIGHATOMIC);
    locked_add(z.nr_reserved_highatomic, 1UL << order);
  }
}

// unreserve_highatomic_pageblock: before reclaim gives up (or OOM), hand a
// high-atomic reserve pageblock back to the allocating migratetype. Unless
// forced, one pageblock per zone stays reserved.
bool Kernel::Internal::unreserve_highatomic_pageblock(Kernel& k, Zone** zonelist, ZoneType highest,
                                                      MigrateType to, bool force) {
  for (Zone** zp = zonelist; *zp; ++zp) {
    Zone& z = **zp;
    if (z.idx > highest || !z.populated()) continue;
    if (!force && z.nr_reserved_highatomic.load(std::memory_order_relaxed) <= pageblock_nr_pages)
      continue;
    SpinGuard g(z.lock);
    for (unsigned order = 0; order < NR_PAGE_ORDERS; ++order) {
      Page* page = first_free(z, order, MIGRATE_HIGHATOMIC);
      if (page == nullptr) continue;
      unsigned long size = max_t(pageblock_nr_pages, 1UL << order);
      unsigned long reserved = z.nr_reserved_highatomic.load(std::memory_order_relaxed);
      if (size > reserved) size = reserved;
      z.nr_reserved_highatomic.store(reserved - size, std::memory_order_relaxed);
      const pfn_t pfn = k.page_to_pfn(page);
      long moved;
      if (order < pageblock_order) {
        moved = move_freepages_block(k, z, align_down(pfn, pageblock_nr_pages), MIGRATE_HIGHATOMIC,
                                     to, nullptr);
      } else {
        del_from_free_list(z, page, order, MIGRATE_HIGHATOMIC);
        add_to_free_list(z, page, order, to, false);
        account_freepages(z, -long(1UL << order), MIGRATE_HIGHATOMIC);
        account_freepages(z, long(1UL << order), to);
        change_pageblock_range(k, pfn, order, to);
        moved = 1;
      }
      if (moved > 0) return true;
    }
  }
  return false;
}

}  // namespace kmem
