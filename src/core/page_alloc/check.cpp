// SPDX-License-Identifier: MIT
// The page allocator's invariant checker. It takes every pcp lock and then
// every zone lock (the documented lock order), but allocation owners write
// their pages' descriptors without locks, so callers run it while no other
// thread allocates or frees (tests stop the world at a barrier first).
#include "page_alloc/internal.h"

namespace kmem {

namespace {

struct Checker {
  Kernel& k;
  char* msg;
  size_t n;
  u8* bits;
  bool ok = true;

  bool fail(const char* fmt, ...) KMEM_PRINTF(2, 3) {
    if (!ok) return false;
    ok = false;
    va_list ap;
    va_start(ap, fmt);
    if (n) vformat(msg, n, fmt, ap);
    va_end(ap);
    return false;
  }

  // Marks [pfn, pfn + nr) as seen; fails on a pfn already seen.
  bool mark(pfn_t pfn, unsigned long nr, const char* what) {
    for (unsigned long i = 0; i < nr; ++i) {
      pfn_t p = pfn + i;
      u8 bit = u8(1u << (p & 7));
      if (bits[p >> 3] & bit)
        return fail("%s at pfn %#lx overlaps another free block or pcp page", what, p);
      bits[p >> 3] |= bit;
    }
    return true;
  }

  bool check_block(Zone& z, Page* p, unsigned order, MigrateType mt) {
    pfn_t pfn = k.page_to_pfn(p);
    if (!p->is_buddy() || p->buddy_order != order)
      return fail("%s zone: pfn %#lx on the order-%u list has state %u order %u", z.name(), pfn,
                  order, p->state, p->buddy_order);
    if (pfn & ((1UL << order) - 1))
      return fail("free block pfn %#lx misaligned for order %u", pfn, order);
    if (pfn < z.zone_start_pfn || pfn + (1UL << order) > z.zone_end_pfn() || k.pfn_zone(pfn) != &z)
      return fail("free block pfn %#lx order %u outside zone %s", pfn, order, z.name());
    if (p->ref_count() != 0)
      return fail("free block pfn %#lx has refcount %d", pfn, p->ref_count());
    for (pfn_t b = pfn; b < pfn + (1UL << order); b += pageblock_nr_pages)
      if (k.pageblock_migratetype(b) != mt)
        return fail("free block pfn %#lx on the %s list lies in a %s pageblock", pfn,
                    migratetype_name(mt), migratetype_name(k.pageblock_migratetype(b)));
    for (unsigned long i = 1; i < (1UL << order); ++i)
      if (p[i].flags != 0 || p[i].is_free() || p[i].ref_count() != 0 || p[i].compound_head != 0)
        return fail("tail page pfn %#lx of free block %#lx is not clean", pfn + i, pfn);
    if (order < MAX_PAGE_ORDER) {
      pfn_t bp = pfn ^ (1UL << order);
      Page* b = k.pfn_to_page(bp);
      if (bp < k.max_pfn() && k.pfn_zone(bp) == &z && b->is_buddy() && b->buddy_order == order &&
          (order < pageblock_order ||
           (migratetype_is_mergeable(mt) && migratetype_is_mergeable(k.pageblock_migratetype(bp)))))
        return fail("free buddies %#lx and %#lx of order %u were not merged", pfn, bp, order);
    }
    return mark(pfn, 1UL << order, "free block");
  }

  void check_free_lists(Zone& z) {
    long free_pages = 0, block_pages = 0;
    for (unsigned o = 0; o < NR_PAGE_ORDERS && ok; ++o) {
      unsigned long total = 0;
      for (unsigned mt = 0; mt < MIGRATE_TYPES && ok; ++mt) {
        unsigned long count = 0;
        ListHead& l = z.free_area[o].free_list[mt];
        for (ListHead* e = l.next; e != &l && ok; e = e->next, ++count)
          check_block(z, lru_to_page(e), o, MigrateType(mt));
        if (ok && count != z.free_area[o].nr_free_mt[mt].load())
          fail("%s order %u %s: %lu blocks listed, counter says %lu", z.name(), o,
               migratetype_name(MigrateType(mt)), count, z.free_area[o].nr_free_mt[mt].load());
        total += count;
        if (mt != MIGRATE_ISOLATE) {
          free_pages += long(count << o);
          if (o >= pageblock_order) block_pages += long(count << o);
        }
      }
      if (ok && total != z.free_area[o].nr_free.load())
        fail("%s order %u: %lu blocks listed, nr_free says %lu", z.name(), o, total,
             z.free_area[o].nr_free.load());
    }
    if (ok && free_pages != z.vm_stat[NR_FREE_PAGES].load())
      fail("%s: %ld pages on free lists, NR_FREE_PAGES says %ld", z.name(), free_pages,
           z.vm_stat[NR_FREE_PAGES].load());
    if (ok && block_pages != z.vm_stat[NR_FREE_PAGES_BLOCKS].load())
      fail("%s: %ld pages in free pageblocks, NR_FREE_PAGES_BLOCKS says %ld", z.name(), block_pages,
           z.vm_stat[NR_FREE_PAGES_BLOCKS].load());
  }

  void check_pcp(Zone& z) {
    for (unsigned c = 0; c < k.nr_cpus() && ok; ++c) {
      PerCpuPages& pcp = z.pcp[c];
      long pages = 0;
      for (unsigned i = 0; i < NR_PCP_LISTS && ok; ++i) {
        const unsigned order = i / MIGRATE_PCPTYPES;
        for (ListHead* e = pcp.lists[i].next; e != &pcp.lists[i] && ok; e = e->next) {
          Page* p = lru_to_page(e);
          pfn_t pfn = k.page_to_pfn(p);
          if (p->pcp != 1 || p->pcp_order != order || p->ref_count() != 0 || k.pfn_zone(pfn) != &z)
            fail("cpu %u %s pcp list %u: bad page pfn %#lx (pcp %u order %u ref %d)", c, z.name(),
                 i, pfn, p->pcp, p->pcp_order, p->ref_count());
          else mark(pfn, 1UL << order, "pcp page");
          pages += long(1UL << order);
        }
      }
      if (ok && pages != pcp.count)
        fail("cpu %u %s: %ld pages on pcp lists, count says %d", c, z.name(), pages, pcp.count);
    }
  }

  // managed = memory in the zone that memblock did not keep.
  void check_managed(Zone& z) {
    unsigned long expect = 0;
    u64 cursor = 0;
    MemblockRegion r;
    while (k.memblock().next_free_range(cursor, &r)) {
      pfn_t s = max_t(pfn_up(r.base), z.zone_start_pfn);
      pfn_t e = min_t(pfn_down(r.end()), z.zone_end_pfn());
      if (e > s) expect += e - s;
    }
    if (expect != z.managed())
      fail("%s: managed_pages %lu, but memblock left %lu pages free", z.name(), z.managed(),
           expect);
    if (z.free_pages() < 0 || (unsigned long)z.free_pages() > z.managed())
      fail("%s: %ld free pages of %lu managed", z.name(), z.free_pages(), z.managed());
  }
};

template <typename Fn>
void for_each_populated(Kernel& k, Fn&& fn) {
  for (int n = 0; n < k.nr_node_ids(); ++n)
    for (Zone& z : k.node_data(n)->zones)
      if (z.pcp != nullptr) fn(z);
}

void lock_all(Kernel& k) {
  k.cpu_lock_remote_all();
  for_each_populated(k, [](Zone& z) { z.lock.lock(); });
}

void unlock_all(Kernel& k) {
  for_each_populated(k, [](Zone& z) { z.lock.unlock(); });
  for (unsigned c = 0; c < k.nr_cpus(); ++c) k.cpu_unlock_remote(c);
}

// Is pfn covered by a free buddy block or a pcp block? Blocks are naturally
// aligned, so the only candidate heads are pfn rounded down to each order.
bool pfn_is_free(Kernel& k, pfn_t pfn) {
  for (unsigned o = 0; o < NR_PAGE_ORDERS; ++o) {
    const Page* h = k.pfn_to_page(pfn & ~((1UL << o) - 1));
    if ((h->is_buddy() && h->buddy_order == o) || (h->pcp && h->pcp_order == o)) return true;
  }
  return false;
}

}  // namespace

bool Kernel::check_invariants(char* msg, size_t n) {
  if (n) msg[0] = '\0';
  SpinGuard g(check_lock_);
  lock_all(*this);
  Checker c{*this, msg, n, check_bitmap_};
  mem_set(check_bitmap_, 0, (max_pfn_ + 7) / 8);
  for_each_populated(*this, [&](Zone& z) {
    if (!c.ok) return;
    c.check_free_lists(z);
    if (c.ok) c.check_pcp(z);
    if (c.ok) c.check_managed(z);
  });
  unlock_all(*this);
  return c.ok;
}

bool Kernel::block_is_allocated(const Page* page, unsigned order) {
  SpinGuard g(check_lock_);
  lock_all(*this);
  bool ok = page->ref_count() > 0 && !page->is_free() && !(page->flags & PG_reserved);
  pfn_t pfn = page_to_pfn(page);
  for (unsigned long i = 0; ok && i < (1UL << order); ++i) ok = !pfn_is_free(*this, pfn + i);
  unlock_all(*this);
  return ok;
}

}  // namespace kmem
