/* SPDX-License-Identifier: MIT */
/*
 * <linux/highmem.h>: temporary kernel mappings of pages.
 *
 * On an i386-profile machine (profile=i386) pages above 896 MiB are in
 * ZONE_HIGHMEM and have no permanent kernel address: page_address() is NULL
 * for them. Kernel code reaches their contents through a temporary mapping.
 * On other machines, and for lowmem pages, every function here returns the
 * page's direct-map address and maps nothing.
 *
 *   kmap(page)              a mapping in the PKMAP window (1024 slots for the
 *                           whole machine), valid on every thread until the
 *                           matching kunmap(page). Concurrent kmap()s of one
 *                           page share the address (refcounted). May sleep:
 *                           when every slot is in use it waits for a
 *                           kunmap(). While the page is kmapped,
 *                           page_address() returns that address.
 *   kunmap(page)            undoes one kmap(); of a page that is not kmapped,
 *                           a "kernel BUG at mm/highmem.c" report
 *   kmap_local_page(page)   a mapping valid on the calling thread only, until
 *                           kunmap_local(); at most 16 nested per thread,
 *                           undone in the reverse order (else a WARNING).
 *                           Never sleeps; usable in any context.
 *   kunmap_local(addr)      takes the address (any address inside the page),
 *                           not the page; passing the page fails to compile
 *   kmap_atomic(page)       kmap_local_page() with preemption disabled (the
 *   kunmap_atomic(addr)     caller may not sleep until kunmap_atomic());
 *                           deprecated in Linux in favour of kmap_local_page()
 *   kmap_flush_unused()     unmaps the kmap() slots no one uses any more
 *   kmap_to_page(addr)      the page behind a kmap/kmap_local/direct address
 *
 *   clear_highpage(page), copy_highpage(to, from), memcpy_from_page(),
 *   memcpy_to_page(), memcpy_page(), memzero_page(): the usual helpers, each
 *   through kmap_local_page(); a range past the end of the page is a WARNING
 *   and nothing is copied.
 *
 *   nr_free_highpages(), totalhigh_pages(): free and managed HighMem pages.
 *
 * Also brings in <linux/mm.h> (page_address(), PageHighMem()).
 */
#ifndef KMEM_COMPAT_LINUX_HIGHMEM_H
#define KMEM_COMPAT_LINUX_HIGHMEM_H

#include <linux/compiler.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/types.h>

KMEM_C_BEGIN

void *kmap(struct page *page);
void kunmap(struct page *page);
void *kmap_local_page(struct page *page);
void *kmap_atomic(struct page *page);
/* What kunmap_local() and kunmap_atomic() call, after their type check. */
void __kunmap_local(const void *addr);
void __kunmap_atomic(const void *addr);
void kmap_flush_unused(void);
struct page *kmap_to_page(void *addr);

void clear_highpage(struct page *page);
void copy_highpage(struct page *to, struct page *from);
void memcpy_from_page(char *to, struct page *page, size_t offset, size_t len);
void memcpy_to_page(struct page *page, size_t offset, const char *from, size_t len);
void memcpy_page(struct page *dst_page, size_t dst_off, struct page *src_page, size_t src_off,
                 size_t len);
void memzero_page(struct page *page, size_t offset, size_t len);

unsigned long nr_free_highpages(void);
unsigned long totalhigh_pages(void);

KMEM_C_END

/* A zone index whose pages need kmap() (ZONE_HIGHMEM). */
static inline bool is_highmem_idx(enum zone_type idx) { return idx == ZONE_HIGHMEM; }

/*
 * kunmap_local() and kunmap_atomic() refuse a struct page pointer, the
 * classic mistake of passing what kunmap() takes (Linux:
 * BUILD_BUG_ON(__same_type(addr, struct page *))). In C they are macros,
 * as in Linux; in C++ functions with a deleted overload, so that no macro
 * captures a C++ member of the same name (kmem::Machine::kunmap_local).
 */
#ifdef __cplusplus
inline void kunmap_local(const void *addr) { __kunmap_local(addr); }
inline void kunmap_atomic(const void *addr) { __kunmap_atomic(addr); }
void kunmap_local(const struct page *page) = delete;
void kunmap_atomic(const struct page *page) = delete;
#else
#define KMEM_NOT_A_PAGE(addr)                                                                \
  _Static_assert(!_Generic((addr), struct page * : 1, const struct page * : 1, default : 0), \
                 "kunmap_local()/kunmap_atomic() take the mapped address, "                  \
                 "not the struct page")
#define kunmap_local(addr) \
  do {                     \
    KMEM_NOT_A_PAGE(addr); \
    __kunmap_local(addr);  \
  } while (0)
#define kunmap_atomic(addr) \
  do {                      \
    KMEM_NOT_A_PAGE(addr);  \
    __kunmap_atomic(addr);  \
  } while (0)
#endif

#endif /* KMEM_COMPAT_LINUX_HIGHMEM_H */
