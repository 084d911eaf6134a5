/* SPDX-License-Identifier: MIT */
/*
 * <linux/kernel.h>: the small helpers most kernel C files expect (and
 * might_sleep()), plus <linux/printk.h>, <linux/bug.h>, <linux/align.h> and
 * <linux/compiler.h>.
 *
 * Deliberately absent: min()/max() and friends (as macros they would break
 * std::min in C++ code including this header; use your own).
 *
 * On a Linux host, system headers (<sys/sysinfo.h>) include the UAPI
 * <linux/kernel.h>; this file pulls it in too, as the kernel's does.
 */
#ifndef KMEM_COMPAT_LINUX_KERNEL_H
#define KMEM_COMPAT_LINUX_KERNEL_H

#include <stddef.h>

#include <linux/align.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/types.h>

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* might_sleep(): this place may sleep. In atomic context (in_atomic() or
 * irqs_disabled(), see <linux/preempt.h>) the current machine prints "BUG:
 * sleeping function called from invalid context at FILE:LINE" (at most once
 * a second) and counts KMEM_BUG_ATOMIC_SLEEP (every time); debug_atomic_sleep=0
 * turns the check off. cond_resched() is in <linux/sched.h>. */
KMEM_C_BEGIN
void __might_sleep(const char *file, int line);
KMEM_C_END
#define might_sleep() __might_sleep(__FILE__, __LINE__)
#define might_sleep_if(cond) \
  do {                       \
    if (cond) might_sleep(); \
  } while (0)

/* The host's UAPI <linux/kernel.h>, last: the pragma makes GCC treat the
 * rest of this file as a system header, so that -Wpedantic accepts
 * #include_next (a GNU extension) without touching the definitions above. */
#if defined(__linux__) && defined(__has_include_next)
#if __has_include_next(<linux/kernel.h>)
#pragma GCC system_header
#include_next <linux/kernel.h>
#endif
#endif

#endif /* KMEM_COMPAT_LINUX_KERNEL_H */
