/* SPDX-License-Identifier: MIT */
/*
 * <linux/sched.h>: the scheduler calls kernel code makes, as far as kmem
 * models them.
 *
 *   cond_resched()      a point where a long loop lets others run. It may
 *                       sleep: in atomic context it is reported like
 *                       might_sleep() (at the caller's FILE:LINE) and
 *                       returns 0; otherwise the thread yields and it
 *                       returns 1
 *   might_sleep(), might_sleep_if(cond)
 *                       see <linux/kernel.h> (included)
 *   PF_MEMALLOC* and the memalloc scopes: <linux/sched/mm.h>
 *
 * On a Linux host the UAPI <linux/sched.h> (CLONE_* flags) is included
 * too, as the kernel's own header does.
 */
#ifndef KMEM_COMPAT_LINUX_SCHED_H
#define KMEM_COMPAT_LINUX_SCHED_H

#include <linux/compiler.h>
#include <linux/kernel.h>

KMEM_C_BEGIN
/* What cond_resched() calls. */
int kmem_cond_resched(const char *file, int line);
KMEM_C_END

#define cond_resched() kmem_cond_resched(__FILE__, __LINE__)

/* The host's UAPI <linux/sched.h>, last: the pragma makes GCC treat the
 * rest of this file as a system header, so that -Wpedantic accepts
 * #include_next (a GNU extension) without touching the definitions above. */
#if defined(__linux__) && defined(__has_include_next)
#if __has_include_next(<linux/sched.h>)
#pragma GCC system_header
#include_next <linux/sched.h>
#endif
#endif

#endif /* KMEM_COMPAT_LINUX_SCHED_H */
