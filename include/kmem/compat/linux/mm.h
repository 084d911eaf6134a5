/* SPDX-License-Identifier: MIT */
/*
 * <linux/mm.h>: struct page helpers and page-granular arithmetic.
 *
 *   page_address(page)     direct-map address of a lowmem page; NULL for a
 *                          HighMem page (i386 profile), which needs kmap()
 *   page_to_virt(page)     the same for a page known to be lowmem
 *   get_page / put_page    take / drop a reference; put_page() frees the
 *                          block (with the order it was allocated with) when
 *                          the count reaches zero
 *   page_count(page)       references to the page (its compound head's for a
 *                          tail page); 0 for a free page or for a tail page of
 *                          a non-compound block
 *   split_page(page, n)    turns a non-compound order-n allocation into 2^n
 *                          order-0 pages, each with one reference
 *   compound_head/_order   the head page and order of a __GFP_COMP block
 *   page_to_nid/zonenum    the node and zone a page belongs to
 *
 * Also brings in <asm/page.h> (PAGE_SIZE, get_order(), __pa(), __va(),
 * virt_to_page(), pfn_to_page(), page_to_pfn()), <asm/io.h> (virt_to_phys(),
 * phys_to_virt()), <linux/gfp.h> and <linux/mmzone.h>.
 */
#ifndef KMEM_COMPAT_LINUX_MM_H
#define KMEM_COMPAT_LINUX_MM_H

#include <asm/io.h>
#include <asm/page.h>
#include <linux/align.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/pfn.h>
#include <linux/types.h>

/* Round to page boundaries (x keeps its type). */
#define PAGE_ALIGN(addr) ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGN_DOWN(addr) ALIGN_DOWN(addr, PAGE_SIZE)
#define PAGE_ALIGNED(addr) IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)

KMEM_C_BEGIN

void *page_address(const struct page *page);

void get_page(struct page *page);
void put_page(struct page *page);
int page_count(const struct page *page);
/* The page's own reference count (0 for a tail page). */
int page_ref_count(const struct page *page);
void split_page(struct page *page, unsigned int order);

struct page *compound_head(const struct page *page);
unsigned int compound_order(const struct page *page);
bool PageCompound(const struct page *page);
bool PageHead(const struct page *page);
bool PageTail(const struct page *page);
bool PageReserved(const struct page *page);
bool PageHighMem(const struct page *page);

int page_to_nid(const struct page *page);
enum zone_type page_zonenum(const struct page *page);

/* Pages managed by the allocator (all zones of all nodes). */
unsigned long totalram_pages(void);

KMEM_C_END

#define page_to_virt(page) __va(PFN_PHYS(page_to_pfn(page)))
#define lowmem_page_address(page) page_to_virt(page)

#endif /* KMEM_COMPAT_LINUX_MM_H */
