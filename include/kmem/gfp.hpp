// SPDX-License-Identifier: MIT
// GFP flags for C++ users of kmem: kmem::gfp::KERNEL, kmem::gfp::ATOMIC, ...
// with Linux 6.18's values (kmem/gfp_bits.h has them bit by bit, and
// docs/gfp.md says what kmem does with each). The Linux name drops its
// GFP_ or __GFP_ prefix: __GFP_NOWARN is gfp::NOWARN, GFP_KERNEL is
// gfp::KERNEL, GFP_RECLAIM_MASK is gfp::RECLAIM_MASK. GFP_DMA and GFP_DMA32
// are the bits gfp::DMA and gfp::DMA32.
//
// SKIP_ZERO, SKIP_KASAN, NOLOCKDEP and NO_OBJ_EXT are 0, as in a kernel
// built without KASAN_HW_TAGS, LOCKDEP and SLAB_OBJ_EXT.
#pragma once

#include <stdint.h>

#include "kmem/gfp_bits.h"

namespace kmem {

using gfp_t = unsigned int;

namespace gfp {
inline constexpr gfp_t DMA = KMEM_GFP_DMA;
inline constexpr gfp_t HIGHMEM = KMEM_GFP_HIGHMEM;
inline constexpr gfp_t DMA32 = KMEM_GFP_DMA32;
inline constexpr gfp_t MOVABLE = KMEM_GFP_MOVABLE;
inline constexpr gfp_t RECLAIMABLE = KMEM_GFP_RECLAIMABLE;
inline constexpr gfp_t HIGH = KMEM_GFP_HIGH;
inline constexpr gfp_t IO = KMEM_GFP_IO;
inline constexpr gfp_t FS = KMEM_GFP_FS;
inline constexpr gfp_t ZERO = KMEM_GFP_ZERO;
inline constexpr gfp_t DIRECT_RECLAIM = KMEM_GFP_DIRECT_RECLAIM;
inline constexpr gfp_t KSWAPD_RECLAIM = KMEM_GFP_KSWAPD_RECLAIM;
inline constexpr gfp_t WRITE = KMEM_GFP_WRITE;
inline constexpr gfp_t NOWARN = KMEM_GFP_NOWARN;
inline constexpr gfp_t RETRY_MAYFAIL = KMEM_GFP_RETRY_MAYFAIL;
inline constexpr gfp_t NOFAIL = KMEM_GFP_NOFAIL;
inline constexpr gfp_t NORETRY = KMEM_GFP_NORETRY;
inline constexpr gfp_t MEMALLOC = KMEM_GFP_MEMALLOC;
inline constexpr gfp_t COMP = KMEM_GFP_COMP;
inline constexpr gfp_t NOMEMALLOC = KMEM_GFP_NOMEMALLOC;
inline constexpr gfp_t HARDWALL = KMEM_GFP_HARDWALL;
inline constexpr gfp_t THISNODE = KMEM_GFP_THISNODE;
inline constexpr gfp_t ACCOUNT = KMEM_GFP_ACCOUNT;
inline constexpr gfp_t ZEROTAGS = KMEM_GFP_ZEROTAGS;
inline constexpr gfp_t SKIP_ZERO = KMEM_GFP_SKIP_ZERO;
inline constexpr gfp_t SKIP_KASAN = KMEM_GFP_SKIP_KASAN;
inline constexpr gfp_t NOLOCKDEP = KMEM_GFP_NOLOCKDEP;
inline constexpr gfp_t NO_OBJ_EXT = KMEM_GFP_NO_OBJ_EXT;
inline constexpr gfp_t RECLAIM = KMEM_GFP_RECLAIM;
inline constexpr gfp_t ZONEMASK = KMEM_GFP_ZONEMASK;
inline constexpr unsigned BITS_SHIFT = KMEM_GFP_BITS_SHIFT;
inline constexpr gfp_t BITS_MASK = KMEM_GFP_BITS_MASK;

inline constexpr gfp_t ATOMIC = KMEM_GFP_ATOMIC_MASK;
inline constexpr gfp_t KERNEL = KMEM_GFP_KERNEL_MASK;
inline constexpr gfp_t KERNEL_ACCOUNT = KMEM_GFP_KERNEL_ACCOUNT_MASK;
inline constexpr gfp_t NOWAIT = KMEM_GFP_NOWAIT_MASK;
inline constexpr gfp_t NOIO = KMEM_GFP_NOIO_MASK;
inline constexpr gfp_t NOFS = KMEM_GFP_NOFS_MASK;
inline constexpr gfp_t USER = KMEM_GFP_USER_MASK;
inline constexpr gfp_t HIGHUSER = KMEM_GFP_HIGHUSER_MASK;
inline constexpr gfp_t HIGHUSER_MOVABLE = KMEM_GFP_HIGHUSER_MOVABLE_MASK;
inline constexpr gfp_t TRANSHUGE_LIGHT = KMEM_GFP_TRANSHUGE_LIGHT_MASK;
inline constexpr gfp_t TRANSHUGE = KMEM_GFP_TRANSHUGE_MASK;

// The allocator's internal masks (mm/internal.h, include/linux/gfp.h).
inline constexpr gfp_t RECLAIM_MASK = KMEM_GFP_RECLAIM_MASK;
inline constexpr gfp_t BOOT_MASK = KMEM_GFP_BOOT_MASK;
inline constexpr gfp_t CONSTRAINT_MASK = KMEM_GFP_CONSTRAINT_MASK;
inline constexpr gfp_t SLAB_BUG_MASK = KMEM_GFP_SLAB_BUG_MASK;
inline constexpr gfp_t MOVABLE_MASK = KMEM_GFP_MOVABLE_MASK;
inline constexpr unsigned MOVABLE_SHIFT = KMEM_GFP_MOVABLE_SHIFT;
}  // namespace gfp

}  // namespace kmem
