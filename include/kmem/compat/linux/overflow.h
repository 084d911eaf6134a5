/* SPDX-License-Identifier: MIT */
/*
 * <linux/overflow.h>: arithmetic that notices overflow, for sizes.
 *
 *   check_add_overflow(a, b, &d)   d = a + b; true if the exact result
 *   check_sub_overflow(a, b, &d)   does not fit d's type (d then holds the
 *   check_mul_overflow(a, b, &d)   wrapped value). Any integer types.
 *
 *   size_mul(a, b), size_add(a, b), size_sub(a, b)
 *                                  size_t arithmetic that saturates at
 *                                  SIZE_MAX (size_sub also when either
 *                                  operand is SIZE_MAX): a saturated size
 *                                  makes kmalloc() and friends fail, so
 *                                  kmalloc(size_mul(n, sz), gfp) is safe
 *   array_size(a, b)               size_mul(a, b)
 *   array3_size(a, b, c)           size_mul(size_mul(a, b), c)
 *   flex_array_size(p, member, n)  bytes of n elements of p's flexible
 *                                  array member
 *   struct_size(p, member, n)      sizeof(*p) plus those bytes: the size of
 *                                  an object of p's type with n elements
 *   struct_size_t(type, member, n) the same from a type name
 *
 * Linux 6.18 semantics; the check_*_overflow() macros are GCC's and Clang's
 * __builtin_*_overflow, which Linux uses too.
 */
#ifndef KMEM_COMPAT_LINUX_OVERFLOW_H
#define KMEM_COMPAT_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

#include <linux/compiler.h>
#include <linux/types.h>

#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

static inline size_t __must_check size_mul(size_t factor1, size_t factor2) {
  size_t bytes;
  if (check_mul_overflow(factor1, factor2, &bytes)) return SIZE_MAX;
  return bytes;
}

static inline size_t __must_check size_add(size_t addend1, size_t addend2) {
  size_t bytes;
  if (check_add_overflow(addend1, addend2, &bytes)) return SIZE_MAX;
  return bytes;
}

static inline size_t __must_check size_sub(size_t minuend, size_t subtrahend) {
  size_t bytes;
  if (minuend == SIZE_MAX || subtrahend == SIZE_MAX ||
      check_sub_overflow(minuend, subtrahend, &bytes))
    return SIZE_MAX;
  return bytes;
}

#define array_size(a, b) size_mul(a, b)
#define array3_size(a, b, c) size_mul(size_mul(a, b), c)

#define flex_array_size(p, member, count) size_mul((size_t)(count), sizeof(*(p)->member))
#define struct_size(p, member, count) size_add(sizeof(*(p)), flex_array_size(p, member, count))
#define struct_size_t(type, member, count) struct_size((type *)NULL, member, count)

#endif /* KMEM_COMPAT_LINUX_OVERFLOW_H */
