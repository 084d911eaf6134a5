/* SPDX-License-Identifier: MIT */
/*
 * <linux/string.h>: the C library's string functions (<string.h>) and the
 * kernel's duplicating helpers, which kmalloc on the current kmem machine
 * (free the result with kfree(), see <linux/slab.h>):
 *
 *   kmemdup(src, len, gfp)          len bytes copied into a new object
 *   kmemdup_array(src, n, sz, gfp)  n * sz bytes (NULL on overflow)
 *   kmemdup_nul(s, len, gfp)        len bytes of s and a '\0' (NULL if s is)
 *   kstrdup(s, gfp)                 a copy of the string (NULL if s is)
 *   kstrndup(s, max, gfp)           at most max characters of it, and '\0'
 *   kstrdup_const(s, gfp)           Linux returns s itself when it lies in
 *                                   the kernel's .rodata; kmem always copies
 *                                   (docs/deviations.md). Free with
 *   kfree_const(p)                  which frees p when it is memory of the
 *                                   machine and ignores any other pointer
 *                                   (a string kstrdup_const() would have
 *                                   returned as is)
 *
 * The call site recorded for each allocation (slub_debug=U) is the caller of
 * these helpers, as kmalloc_track_caller() does in Linux.
 *
 * On a Linux host a few system headers include the UAPI <linux/string.h>,
 * which only includes <string.h>; this file does that too.
 */
#ifndef KMEM_COMPAT_LINUX_STRING_H
#define KMEM_COMPAT_LINUX_STRING_H

#include <stddef.h>
#include <string.h>

#include <linux/compiler.h>
#include <linux/types.h>

KMEM_C_BEGIN

void *kmemdup(const void *src, size_t len, gfp_t gfp);
void *kmemdup_array(const void *src, size_t count, size_t element_size, gfp_t gfp);
char *kmemdup_nul(const char *s, size_t len, gfp_t gfp);
char *kstrdup(const char *s, gfp_t gfp);
char *kstrndup(const char *s, size_t max, gfp_t gfp);
const char *kstrdup_const(const char *s, gfp_t gfp);
void kfree_const(const void *x);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_STRING_H */
