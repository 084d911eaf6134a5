/* SPDX-License-Identifier: MIT */
/*
 * <linux/align.h>: rounding to a power-of-two alignment a. The result has the
 * type of x (GCC/Clang __typeof__, accepted in C11 and C++ modes alike).
 */
#ifndef KMEM_COMPAT_LINUX_ALIGN_H
#define KMEM_COMPAT_LINUX_ALIGN_H

#define KMEM_ALIGN_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define ALIGN(x, a) KMEM_ALIGN_MASK(x, (__typeof__(x))(a)-1)
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
#define PTR_ALIGN_DOWN(p, a) ((__typeof__(p))ALIGN_DOWN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#endif /* KMEM_COMPAT_LINUX_ALIGN_H */
