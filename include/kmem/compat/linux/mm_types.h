/* SPDX-License-Identifier: MIT */
/*
 * <linux/mm_types.h>: struct page.
 *
 * To C code struct page is an incomplete type: a handle that the page
 * allocator hands out and that the functions of <linux/mm.h> take. Its
 * fields are private to the library (kmem::Page, one 64-byte descriptor per
 * page frame, all of them in one array per machine, so page_to_pfn() and
 * pfn_to_page() are pointer arithmetic). Pointer comparison and arithmetic
 * on descriptors of one allocation are not available; use page_to_pfn().
 */
#ifndef KMEM_COMPAT_LINUX_MM_TYPES_H
#define KMEM_COMPAT_LINUX_MM_TYPES_H

#include <linux/types.h>

struct page;

#endif /* KMEM_COMPAT_LINUX_MM_TYPES_H */
