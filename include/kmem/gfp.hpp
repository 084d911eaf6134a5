// SPDX-License-Identifier: MIT
// GFP flags for C++ users of kmem: kmem::gfp::KERNEL, kmem::gfp::ATOMIC, ...
// with Linux 6.18's values (kmem/gfp_bits.h has them bit by bit).
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
inline constexpr gfp_t RECLAIM = KMEM_GFP_RECLAIM;
inline constexpr gfp_t ZONEMASK = KMEM_GFP_ZONEMASK;

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
}  // namespace gfp

}  // namespace kmem
