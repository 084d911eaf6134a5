/* SPDX-License-Identifier: MIT */
/*
 * <asm/page.h>: page size, get_order() and the direct map.
 *
 * Every page frame of a kmem machine's lowmem is mapped once, at a fixed
 * offset, in the direct map: __va()/__pa() and virt_to_page() are offset
 * arithmetic. They are valid only for direct-map addresses -- what
 * page_address(), __get_free_pages() and the slab allocator return -- not for
 * vmalloc addresses (use vmalloc_to_page()) nor for ordinary process memory.
 * virt_addr_valid() says whether an address is in the direct map.
 *
 * virt_to_page() and virt_addr_valid() accept a pointer or an unsigned long,
 * as Linux's macros do.
 */
#ifndef KMEM_COMPAT_ASM_PAGE_H
#define KMEM_COMPAT_ASM_PAGE_H

#include <linux/compiler.h>
#include <linux/mm_types.h>
#include <linux/types.h>

#ifndef PAGE_SHIFT
#define PAGE_SHIFT 12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif

KMEM_C_BEGIN

/* Direct map: kernel virtual address <-> physical address. */
phys_addr_t virt_to_phys(const volatile void *address);
void *phys_to_virt(phys_addr_t address);

/* Page frame number <-> descriptor. pfn_to_page() needs pfn_valid(pfn). */
struct page *pfn_to_page(unsigned long pfn);
unsigned long page_to_pfn(const struct page *page);
int pfn_valid(unsigned long pfn);

/* What virt_to_page() and virt_addr_valid() call. */
struct page *kmem_virt_to_page(const volatile void *kaddr);
bool kmem_virt_addr_valid(const volatile void *kaddr);

KMEM_C_END

#define __pa(x) virt_to_phys((const volatile void *)(x))
#define __va(x) phys_to_virt((phys_addr_t)(x))
#define pfn_to_kaddr(pfn) __va((phys_addr_t)(pfn) << PAGE_SHIFT)

#ifdef __cplusplus
/* Functions, not macros, in C++: a macro would also rewrite members of the
 * same name (kmem::Machine::virt_to_page). */
template <typename T>
inline struct page *virt_to_page(T kaddr) {
  return kmem_virt_to_page((const volatile void *)kaddr);
}
template <typename T>
inline bool virt_addr_valid(T kaddr) {
  return kmem_virt_addr_valid((const volatile void *)kaddr);
}
#else
#define virt_to_page(kaddr) kmem_virt_to_page((const volatile void *)(kaddr))
#define virt_addr_valid(kaddr) kmem_virt_addr_valid((const volatile void *)(kaddr))
#endif

/*
 * get_order(size): the smallest order whose block holds size bytes:
 * get_order(1..4096) == 0, get_order(4097) == 1, get_order(5 * 4096) == 3.
 * As in Linux, get_order(0) is 64 - PAGE_SHIFT (an order no allocation has).
 */
static inline int get_order(unsigned long size) {
  int order = 0;
  size = (size - 1) >> PAGE_SHIFT;
#if defined(__GNUC__) || defined(__clang__)
  if (size) order = (int)(8 * sizeof(long)) - __builtin_clzl(size);
#else
  while (size) {
    order++;
    size >>= 1;
  }
#endif
  return order;
}

#endif /* KMEM_COMPAT_ASM_PAGE_H */
