/* SPDX-License-Identifier: MIT */
/*
 * <linux/types.h> for kmem's Linux-compatible C API: the kernel's scalar
 * vocabulary (u8..u64, s8..s64, gfp_t, phys_addr_t, dma_addr_t, pgoff_t) on
 * top of the C library's <stddef.h>, <stdint.h> and <stdbool.h>.
 *
 * On a Linux host, a system header such as <sys/prctl.h> includes the UAPI
 * <linux/types.h>; with include/kmem/compat on the include path it finds this
 * file instead. As in the kernel, where linux/types.h includes its UAPI
 * counterpart, this file pulls in the system one too (for __u32, __le16,
 * ...), so both kinds of user see what they expect.
 *
 * Every kmem compat header compiles as C11 and as C++ (C++ sees the same
 * names in the global namespace).
 */
#ifndef KMEM_COMPAT_LINUX_TYPES_H
#define KMEM_COMPAT_LINUX_TYPES_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif
#if defined(__has_include)
#if __has_include(<sys/types.h>)
#include <sys/types.h> /* ssize_t, off_t */
#define KMEM_HAVE_SSIZE_T 1
#endif
#endif
#ifndef KMEM_HAVE_SSIZE_T
typedef ptrdiff_t ssize_t;
#endif

/* Sparse annotations: no meaning to a compiler. */
#ifndef __bitwise
#define __bitwise
#endif
#ifndef __force
#define __force
#endif

/* Fixed-width kernel types (asm-generic/int-ll64.h: u64 is unsigned long long). */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef signed short s16;
typedef signed int s32;
typedef signed long long s64;

/* A GFP mask (see <linux/gfp_types.h>). */
typedef unsigned int __bitwise gfp_t;
/* Physical and bus addresses are 64-bit (CONFIG_PHYS_ADDR_T_64BIT). */
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef phys_addr_t resource_size_t;
/* Page index within a file or mapping. */
typedef unsigned long pgoff_t;

/* A counter the kernel updates atomically (struct tasklet_struct's count). */
typedef struct {
  int counter;
} atomic_t;
#define ATOMIC_INIT(i) \
  { (i) }

/* The host's UAPI <linux/types.h>, last: the pragma makes GCC treat the
 * rest of this file as a system header, so that -Wpedantic accepts
 * #include_next (a GNU extension) without touching the definitions above. */
#if defined(__linux__) && defined(__has_include_next)
#if __has_include_next(<linux/types.h>)
#pragma GCC system_header
#include_next <linux/types.h>
#endif
#endif

#endif /* KMEM_COMPAT_LINUX_TYPES_H */
