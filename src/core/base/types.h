// SPDX-License-Identifier: MIT
// Fixed-width types and the kernel's basic scalar vocabulary.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kmem {

// The same types as Linux's (asm-generic/int-ll64.h) and as the compat
// <linux/types.h>, so that code seeing both never finds two different u64s.
using u8 = unsigned char;
using u16 = unsigned short;
using u32 = unsigned int;
using u64 = unsigned long long;
using s32 = int;
using s64 = long long;

using gfp_t = unsigned int;   // GFP mask; bit values follow Linux 6.18 (kmem/gfp_bits.h)
using phys_addr_t = u64;      // physical address
using pfn_t = unsigned long;  // page frame number

inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr unsigned long PAGE_SIZE = 1UL << PAGE_SHIFT;
inline constexpr unsigned long PAGE_MASK = ~(PAGE_SIZE - 1);

// Buddy orders: 0..MAX_PAGE_ORDER inclusive (Linux >= 6.8 naming).
inline constexpr unsigned MAX_PAGE_ORDER = 10;
inline constexpr unsigned NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
inline constexpr unsigned PAGE_ALLOC_COSTLY_ORDER = 3;
inline constexpr unsigned pageblock_order = 9;
inline constexpr unsigned long pageblock_nr_pages = 1UL << pageblock_order;

inline constexpr int NUMA_NO_NODE = -1;
inline constexpr int MAX_NUMNODES = 32;  // fits the 5 node bits of a pageblock's info byte
inline constexpr int NR_CPUS = 256;

constexpr phys_addr_t pfn_phys(pfn_t pfn) { return phys_addr_t(pfn) << PAGE_SHIFT; }
constexpr pfn_t phys_pfn(phys_addr_t pa) { return pfn_t(pa >> PAGE_SHIFT); }
constexpr pfn_t pfn_up(phys_addr_t pa) { return pfn_t((pa + PAGE_SIZE - 1) >> PAGE_SHIFT); }
constexpr pfn_t pfn_down(phys_addr_t pa) { return pfn_t(pa >> PAGE_SHIFT); }

inline constexpr u64 SZ_1K = 1ULL << 10;
inline constexpr u64 SZ_1M = 1ULL << 20;
inline constexpr u64 SZ_1G = 1ULL << 30;

}  // namespace kmem
