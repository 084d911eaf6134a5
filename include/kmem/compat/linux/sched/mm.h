/* SPDX-License-Identifier: MIT */
/*
 * <linux/sched/mm.h>: memory-allocation scopes of the calling thread.
 *
 * A scope changes every allocation the thread makes until it ends, on
 * every machine, whatever gfp mask the callee passes (so a filesystem can
 * keep the functions it calls out of itself):
 *
 *   flags = memalloc_nofs_save()        allocations lose __GFP_FS (as if
 *   memalloc_nofs_restore(flags)        GFP_NOFS): reclaim will not call
 *                                       filesystem shrinkers (SHRINKER_FS)
 *   flags = memalloc_noio_save()        allocations lose __GFP_IO and
 *   memalloc_noio_restore(flags)        __GFP_FS (as if GFP_NOIO)
 *   flags = memalloc_noreclaim_save()   PF_MEMALLOC: the thread is reclaim
 *   memalloc_noreclaim_restore(flags)   itself, may use every reserve and
 *                                       does not recurse into reclaim
 *   flags = memalloc_pin_save()         allocations lose __GFP_MOVABLE
 *   memalloc_pin_restore(flags)         (no ZONE_MOVABLE for long-term pins)
 *
 * Scopes nest: each save returns the previous state of its flag, and the
 * matching restore puts exactly that back, so an inner scope's end does
 * not end an outer one.
 *
 *   current_gfp_context(gfp)   gfp as the scopes now in force change it
 *   might_alloc(gfp)           might_sleep_if() the mask may block
 *
 * PF_MEMALLOC* are Linux 6.18's task_struct->flags bits; kmem has no
 * task_struct (there is no `current->flags`), only these per-thread bits.
 */
#ifndef KMEM_COMPAT_LINUX_SCHED_MM_H
#define KMEM_COMPAT_LINUX_SCHED_MM_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/types.h>

#define PF_MEMALLOC 0x00000800      /* reclaim itself: reserves, no recursion */
#define PF_MEMALLOC_NOFS 0x00040000 /* every allocation inherits GFP_NOFS */
#define PF_MEMALLOC_NOIO 0x00080000 /* every allocation inherits GFP_NOIO */
#define PF_MEMALLOC_PIN 0x10000000  /* no __GFP_MOVABLE */

KMEM_C_BEGIN

unsigned int memalloc_nofs_save(void);
void memalloc_nofs_restore(unsigned int flags);
unsigned int memalloc_noio_save(void);
void memalloc_noio_restore(unsigned int flags);
unsigned int memalloc_noreclaim_save(void);
void memalloc_noreclaim_restore(unsigned int flags);
unsigned int memalloc_pin_save(void);
void memalloc_pin_restore(unsigned int flags);
gfp_t current_gfp_context(gfp_t flags);

KMEM_C_END

#define might_alloc(gfp) might_sleep_if(gfpflags_allow_blocking(gfp))

#endif /* KMEM_COMPAT_LINUX_SCHED_MM_H */
