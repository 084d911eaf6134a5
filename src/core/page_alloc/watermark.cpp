// SPDX-License-Identifier: MIT
// Watermarks, lowmem_reserve and per-CPU list limits (mm/page_alloc.c:
// calculate_min_free_kbytes, __setup_per_zone_wmarks,
// setup_per_zone_lowmem_reserve, zone_batchsize, zone_highsize), and the
// watermark check every allocation makes.
#include "page_alloc/internal.h"

namespace kmem {

namespace {

// sysctl_lowmem_reserve_ratio defaults, by zone index.
constexpr long kLowmemReserveRatio[MAX_NR_ZONES] = {256, 256, 32, 0, 0, 0};
constexpr unsigned long kSwapClusterMax = 32;
constexpr int kMinPercpuPagelistHighFraction = 8;

bool is_lowmem_zone(ZoneType z) {
  return z != ZONE_HIGHMEM && z != ZONE_MOVABLE && z != ZONE_DEVICE;
}

template <typename Fn>
void for_each_zone(Kernel& k, Fn&& fn) {
  for (int n = 0; n < k.nr_node_ids(); ++n)
    for (Zone& z : k.node_data(n)->zones) fn(z);
}

// nr_free_buffer_pages(): managed pages of the zones GFP_USER may use, less
// their high watermarks (zero at boot).
unsigned long lowmem_pages_for_buffers(Kernel& k) {
  unsigned long pages = 0;
  for_each_zone(k, [&](Zone& z) {
    if (z.idx <= ZONE_NORMAL && z.managed() > z.watermark[WMARK_HIGH])
      pages += z.managed() - z.watermark[WMARK_HIGH];
  });
  return pages;
}

void setup_lowmem_reserve(Kernel& k) {
  for (int n = 0; n < k.nr_node_ids(); ++n) {
    Node* node = k.node_data(n);
    for (int i = 0; i < MAX_NR_ZONES; ++i) {
      Zone& z = node->zones[i];
      long ratio = kLowmemReserveRatio[i];
      bool clear = ratio == 0 || z.managed() == 0;
      unsigned long upper = 0;
      for (int j = 0; j < MAX_NR_ZONES; ++j) {
        if (j <= i) {
          z.lowmem_reserve[j] = 0;
          continue;
        }
        upper += node->zones[j].managed();
        z.lowmem_reserve[j] = clear ? 0 : long(upper / (unsigned long)ratio);
      }
    }
  }
}

// calculate_totalreserve_pages(): per zone the largest lowmem_reserve plus
// the high watermark, capped at managed pages.
unsigned long total_reserve(Kernel& k) {
  unsigned long total = 0;
  for_each_zone(k, [&](Zone& z) {
    long max = 0;
    for (int j = z.idx; j < MAX_NR_ZONES; ++j) max = max_t(max, z.lowmem_reserve[j]);
    unsigned long m = (unsigned long)max + z.watermark[WMARK_HIGH];
    total += min_t(m, z.managed());
  });
  return total;
}

int zone_batchsize(const Zone& z) {
  long batch = long(min_t<unsigned long>(z.managed() >> 10, SZ_1M / PAGE_SIZE));
  batch /= 4;
  if (batch < 1) batch = 1;
  // 2^n - 1: a power of two was found to alias badly in caches.
  return int(rounddown_pow_of_two(u64(batch + batch / 2))) - 1;
}

int zone_highsize(const Kernel& k, const Zone& z, int batch, int high_fraction) {
  unsigned long total = high_fraction == 0 ? z.watermark[WMARK_LOW] : z.managed() / high_fraction;
  int cpus = 0;
  for (unsigned c = 0; c < k.nr_cpus(); ++c) cpus += k.cpu_to_node(c) == z.pgdat->node_id;
  if (cpus == 0) cpus = int(k.nr_cpus());
  long high = long(total / unsigned(cpus));
  return int(max_t<long>(high, long(batch) << 2));
}

}  // namespace

void Kernel::Internal::setup_per_zone_wmarks(Kernel& k) {
  unsigned long& mfk = min_free_kbytes(k);
  if (k.opts_.min_free_kbytes != 0) {
    mfk = (unsigned long)k.opts_.min_free_kbytes;
  } else {
    unsigned long lowmem_kb = lowmem_pages_for_buffers(k) * (PAGE_SIZE >> 10);
    mfk = clamp_t<unsigned long>((unsigned long)int_sqrt(u64(lowmem_kb) * 16), 128, 262144);
  }
  const unsigned long pages_min = mfk >> (PAGE_SHIFT - 10);
  unsigned long lowmem_pages = 0;
  for_each_zone(k, [&](Zone& z) {
    if (is_lowmem_zone(z.idx)) lowmem_pages += z.managed();
  });
  for_each_zone(k, [&](Zone& z) {
    const unsigned long managed = z.managed();
    u64 tmp = lowmem_pages ? u64(pages_min) * managed / lowmem_pages : 0;
    if (!is_lowmem_zone(z.idx)) {
      // HighMem and Movable get a small fixed min: allocations that may use
      // them can always fall back to lowmem.
      z.watermark[WMARK_MIN] = clamp_t<unsigned long>(managed / 1024, kSwapClusterMax, 128);
    } else {
      z.watermark[WMARK_MIN] = (unsigned long)tmp;
    }
    tmp = max_t<u64>(tmp >> 2, u64(managed) * k.opts_.watermark_scale_factor / 10000);
    z.watermark_boost = 0;
    z.watermark[WMARK_LOW] = z.watermark[WMARK_MIN] + (unsigned long)tmp;
    z.watermark[WMARK_HIGH] = z.watermark[WMARK_LOW] + (unsigned long)tmp;
    z.watermark[WMARK_PROMO] = z.watermark[WMARK_HIGH] + (unsigned long)tmp;
  });
  setup_lowmem_reserve(k);
  totalreserve(k) = total_reserve(k);
}

void Kernel::Internal::setup_pcp_limits(Kernel& k) {
  for_each_zone(k, [&](Zone& z) {
    if (z.pcp == nullptr) return;
    int batch = max_t(1, zone_batchsize(z));
    int high_min = zone_highsize(k, z, batch, 0);
    int high_max = zone_highsize(k, z, batch, kMinPercpuPagelistHighFraction);
    for (unsigned c = 0; c < k.nr_cpus(); ++c) {
      PerCpuPages& pcp = z.pcp[c];
      pcp.batch = batch;
      pcp.high_min = high_min;
      pcp.high_max = high_max;
      // kmem keeps high at high_min; Linux >= 6.7 tunes it between the two.
      pcp.high = k.opts_.pcp ? high_min : 0;
    }
  });
}

namespace {

long unusable_free(const Zone& z, unsigned order, unsigned alloc_flags) {
  long unusable = (1L << order) - 1;
  // Only callers with reserve rights may use the high-atomic reserve.
  if (!(alloc_flags & ALLOC_RESERVES))
    unusable += long(z.nr_reserved_highatomic.load(std::memory_order_relaxed));
  return unusable;
}

}  // namespace

// __zone_watermark_ok: can the zone give 2^order pages and stay above mark,
// given the caller's rights to dig into the reserve below it?
bool Kernel::Internal::zone_watermark_ok(const Zone& z, unsigned order, unsigned long mark,
                                         ZoneType highest, unsigned alloc_flags, long free_pages) {
  long min = long(mark);
  free_pages -= unusable_free(z, order, alloc_flags);
  if (alloc_flags & ALLOC_RESERVES) {
    if (alloc_flags & ALLOC_MIN_RESERVE) {
      min -= min / 2;                                     // __GFP_HIGH: half the reserve
      if (alloc_flags & ALLOC_NON_BLOCK) min -= min / 4;  // GFP_ATOMIC: 62.5 % of it
    }
    if (alloc_flags & ALLOC_OOM) min -= min / 2;
  }
  if (free_pages <= min + z.lowmem_reserve[highest]) return false;
  if (order == 0) return true;
  // Enough free pages, but is there a block of at least this order?
  for (unsigned o = order; o < NR_PAGE_ORDERS; ++o) {
    const FreeArea& a = z.free_area[o];
    if (a.nr_free.load(std::memory_order_relaxed) == 0) continue;
    for (unsigned mt = 0; mt < MIGRATE_PCPTYPES; ++mt)
      if (a.nr_free_mt[mt].load(std::memory_order_relaxed) != 0) return true;
    if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
        a.nr_free_mt[MIGRATE_HIGHATOMIC].load(std::memory_order_relaxed) != 0)
      return true;
  }
  return false;
}

bool Kernel::Internal::zone_watermark_fast(const Zone& z, unsigned order, unsigned long mark,
                                           ZoneType highest, unsigned alloc_flags, gfp_t gfp) {
  long free_pages = z.free_pages();
  if (order == 0) {
    long usable = free_pages;
    long reserved = unusable_free(z, 0, alloc_flags);
    usable -= min_t(usable, reserved);
    if (usable > long(mark) + z.lowmem_reserve[highest]) return true;
  }
  if (zone_watermark_ok(z, order, mark, highest, alloc_flags, free_pages)) return true;
  // A boosted watermark must not fail a __GFP_HIGH order-0 request at min.
  if (order == 0 && (alloc_flags & ALLOC_MIN_RESERVE) && z.watermark_boost &&
      (alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN)
    return zone_watermark_ok(z, order, z.watermark[WMARK_MIN], highest, alloc_flags, free_pages);
  return false;
}

}  // namespace kmem
