/* SPDX-License-Identifier: MIT */
/*
 * <linux/memblock.h>: the boot-time allocator.
 *
 * memblock exists only while a machine boots; a kmem machine's boot runs
 * inside kmem_machine_boot() (or the first C call), before any of its
 * callers' code. Called afterwards, as in Linux once the buddy allocator is
 * up, these functions print a warning and return NULL. They are here so that
 * boot-style code compiles; allocate with the page or slab allocator instead.
 *
 *   memblock_alloc(size, align)       zeroed memory, or NULL
 *   memblock_alloc_raw(size, align)   the same, not zeroed
 *   memblock_alloc_node(size, align, nid)  from node nid
 */
#ifndef KMEM_COMPAT_LINUX_MEMBLOCK_H
#define KMEM_COMPAT_LINUX_MEMBLOCK_H

#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/numa.h>
#include <linux/types.h>

KMEM_C_BEGIN

void *memblock_alloc(phys_addr_t size, phys_addr_t align);
void *memblock_alloc_raw(phys_addr_t size, phys_addr_t align);
void *memblock_alloc_node(phys_addr_t size, phys_addr_t align, int nid);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_MEMBLOCK_H */
