/* SPDX-License-Identifier: MIT */
/*
 * <linux/compiler.h>: branch hints and the few attributes kernel-style C code
 * uses, for GCC and Clang (other compilers get no-op fallbacks).
 */
#ifndef KMEM_COMPAT_LINUX_COMPILER_H
#define KMEM_COMPAT_LINUX_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __maybe_unused __attribute__((__unused__))
#define __must_check __attribute__((__warn_unused_result__))
#define __printf(a, b) __attribute__((__format__(__printf__, a, b)))
#define __cold __attribute__((__cold__))
#else
#define likely(x) (!!(x))
#define unlikely(x) (!!(x))
#define __maybe_unused
#define __must_check
#define __printf(a, b)
#define __cold
#endif

/* Functions the headers declare with C linkage. */
#ifdef __cplusplus
#define KMEM_C_BEGIN extern "C" {
#define KMEM_C_END }
#define KMEM_NORETURN [[noreturn]]
#else
#define KMEM_C_BEGIN
#define KMEM_C_END
#define KMEM_NORETURN _Noreturn
#endif

#endif /* KMEM_COMPAT_LINUX_COMPILER_H */
