/* SPDX-License-Identifier: MIT */
/* <linux/cache.h>: cache-line size (x86-64: 64 bytes). */
#ifndef KMEM_COMPAT_LINUX_CACHE_H
#define KMEM_COMPAT_LINUX_CACHE_H

#define L1_CACHE_SHIFT 6
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES L1_CACHE_BYTES

#endif /* KMEM_COMPAT_LINUX_CACHE_H */
