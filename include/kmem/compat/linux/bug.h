/* SPDX-License-Identifier: MIT */
/*
 * <linux/bug.h>: BUG() and WARN().
 *
 *   BUG() / BUG_ON(cond)     print "kernel BUG at FILE:LINE!" to the current
 *                            machine's console and panic (the process ends)
 *   WARN_ON(cond)            if cond holds, print a WARNING report with the
 *                            place (file, line, function) and count it in the machine's bug
 *                            counters (kmem_bug_count(KMEM_BUG_WARN)); the
 *                            machine's bug_action= decides whether to go on.
 *                            Evaluates to !!cond, so `if (WARN_ON(x))` works.
 *   WARN(cond, fmt, ...)     the same with a message
 *   WARN_ON_ONCE, WARN_ONCE  report only the first time at this place
 *
 * These are expressions (no statement expressions), so they are valid C11
 * and C++.
 */
#ifndef KMEM_COMPAT_LINUX_BUG_H
#define KMEM_COMPAT_LINUX_BUG_H

#include <linux/compiler.h>

KMEM_C_BEGIN

/* What the macros below call; func names the function in the report. */
KMEM_NORETURN void kmem_bug(const char *file, int line);
void kmem_warn(const char *file, int line, const char *func);
void kmem_warn_fmt(const char *file, int line, const char *func, const char *fmt, ...)
    __printf(4, 5);
/* The same, but only for the first call from this file and line. */
void kmem_warn_once(const char *file, int line, const char *func);
void kmem_warn_once_fmt(const char *file, int line, const char *func, const char *fmt, ...)
    __printf(4, 5);

KMEM_C_END

#define BUG() kmem_bug(__FILE__, __LINE__)
#define BUG_ON(condition)           \
  do {                              \
    if (unlikely(condition)) BUG(); \
  } while (0)

#define WARN_ON(condition) (unlikely(condition) ? (kmem_warn(__FILE__, __LINE__, __func__), 1) : 0)
#define WARN_ON_ONCE(condition) \
  (unlikely(condition) ? (kmem_warn_once(__FILE__, __LINE__, __func__), 1) : 0)
#define WARN(condition, fmt, ...) \
  (unlikely(condition) ? (kmem_warn_fmt(__FILE__, __LINE__, __func__, fmt, ##__VA_ARGS__), 1) : 0)
#define WARN_ONCE(condition, fmt, ...)                                                             \
  (unlikely(condition) ? (kmem_warn_once_fmt(__FILE__, __LINE__, __func__, fmt, ##__VA_ARGS__), 1) \
                       : 0)

#endif /* KMEM_COMPAT_LINUX_BUG_H */
