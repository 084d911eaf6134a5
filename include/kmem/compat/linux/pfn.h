/* SPDX-License-Identifier: MIT */
/* <linux/pfn.h>: converting between addresses and page frame numbers. */
#ifndef KMEM_COMPAT_LINUX_PFN_H
#define KMEM_COMPAT_LINUX_PFN_H

#include <asm/page.h>
#include <linux/types.h>

/* Round an address up to the next page boundary. */
#define PFN_ALIGN(x) (((unsigned long)(x) + (PAGE_SIZE - 1)) & PAGE_MASK)
/* The first frame at or above address x / the frame containing x. */
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
/* Frame number <-> physical address of its first byte. */
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))

#endif /* KMEM_COMPAT_LINUX_PFN_H */
