/* SPDX-License-Identifier: MIT */
/*
 * <linux/printk.h>: the kernel log.
 *
 * printk() formats with the C library's printf rules (the kernel's %p
 * extensions such as %pGg are not understood) and writes to the current
 * machine's console: kmem_log_read() returns it, and KMEM_CONSOLE=1 echoes it
 * to stderr. A message may start with a KERN_<LEVEL> prefix; without one it
 * gets the default level, KERN_WARNING. A message without a trailing newline
 * is held until the next printk() from the same thread: pr_cont() (KERN_CONT)
 * appends to it, anything else ends it.
 *
 * pr_debug() prints only where DEBUG is defined before the include, but its
 * arguments are always type-checked. Define pr_fmt(fmt) before the include
 * to prefix every pr_*() message (e.g. KBUILD_MODNAME ": " fmt).
 */
#ifndef KMEM_COMPAT_LINUX_PRINTK_H
#define KMEM_COMPAT_LINUX_PRINTK_H

#include <stdarg.h>

#include <linux/compiler.h>

#define KERN_SOH "\001" /* start of header */
#define KERN_SOH_ASCII '\001'
#define KERN_EMERG KERN_SOH "0"   /* system is unusable */
#define KERN_ALERT KERN_SOH "1"   /* action must be taken immediately */
#define KERN_CRIT KERN_SOH "2"    /* critical conditions */
#define KERN_ERR KERN_SOH "3"     /* error conditions */
#define KERN_WARNING KERN_SOH "4" /* warning conditions */
#define KERN_NOTICE KERN_SOH "5"  /* normal but significant condition */
#define KERN_INFO KERN_SOH "6"    /* informational */
#define KERN_DEBUG KERN_SOH "7"   /* debug-level messages */
#define KERN_DEFAULT ""           /* the default level */
#define KERN_CONT KERN_SOH "c"    /* continues the previous line */

#define LOGLEVEL_SCHED -2
#define LOGLEVEL_DEFAULT -1
#define LOGLEVEL_EMERG 0
#define LOGLEVEL_ALERT 1
#define LOGLEVEL_CRIT 2
#define LOGLEVEL_ERR 3
#define LOGLEVEL_WARNING 4
#define LOGLEVEL_NOTICE 5
#define LOGLEVEL_INFO 6
#define LOGLEVEL_DEBUG 7

KMEM_C_BEGIN

/* Returns the number of characters written to the log (prefix excluded). */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list args) __printf(1, 0);

KMEM_C_END

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)

/* Type-checks the arguments and prints nothing. */
#define no_printk(fmt, ...) ((void)(0 && printk(fmt, ##__VA_ARGS__)))

#ifdef DEBUG
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#else
#define pr_debug(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif

#endif /* KMEM_COMPAT_LINUX_PRINTK_H */
