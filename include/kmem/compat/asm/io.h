/* SPDX-License-Identifier: MIT */
/*
 * <asm/io.h>: virt_to_phys(), phys_to_virt() (declared in <asm/page.h>, as
 * __pa()/__va() use them) and page_to_phys().
 */
#ifndef KMEM_COMPAT_ASM_IO_H
#define KMEM_COMPAT_ASM_IO_H

#include <asm/page.h>

/* Physical address of a page's first byte. */
#ifdef __cplusplus
inline phys_addr_t page_to_phys(const struct page *page) {
  return (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT;
}
#else
#define page_to_phys(page) ((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT)
#endif

#endif /* KMEM_COMPAT_ASM_IO_H */
