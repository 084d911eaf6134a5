/* SPDX-License-Identifier: MIT */
/*
 * <linux/slab.h>: slab caches and the kmalloc family, with Linux 6.18's names
 * and semantics, on the process's current kmem machine (see <kmem/kmem.h>).
 *
 * Caches
 *   kmem_cache_create(name, size, align, flags, ctor)         the classic form
 *   kmem_cache_create(name, size, &args, flags)               6.12+: struct
 *   kmem_cache_create(name, size, NULL, flags)                kmem_cache_args
 *                          (C: a _Generic macro on the third argument, as in
 *                          Linux; C++: overloads). NULL on failure, with
 *                          "__kmem_cache_create_args(<name>) failed with
 *                          error <err>"; SLAB_PANIC panics instead. A cache
 *                          may be merged with a compatible existing one
 *                          (slab_nomerge turns that off).
 *   KMEM_CACHE(struct_name, flags)                             named after the
 *   KMEM_CACHE_USERCOPY(struct_name, flags, field)             struct, aligned
 *                                                              to its alignment
 *   kmem_cache_destroy(s)  NULL is ignored; live objects are reported and the
 *                          cache is leaked, as Linux does
 *   kmem_cache_shrink(s)   gives back empty slabs; 0 when none is left
 *   kmem_cache_alloc(s, gfp), _node(s, gfp, nid), kmem_cache_zalloc(s, gfp)
 *   kmem_cache_free(s, obj)
 *   kmem_cache_alloc_bulk(s, gfp, n, p)   all or nothing: n, or 0
 *   kmem_cache_free_bulk(s, n, p), kfree_bulk(n, p) (kmalloc objects)
 *   kmem_cache_size(s)     the object size asked for
 *
 * kmalloc
 *   kmalloc(size, gfp)     size classes 8 .. 8 KiB (with 96 and 192); above
 *                          KMALLOC_MAX_CACHE_SIZE a compound page block, up to
 *                          KMALLOC_MAX_SIZE (4 MiB). kmalloc(0) returns
 *                          ZERO_SIZE_PTR, which kfree() accepts.
 *   kzalloc, kmalloc_node, kzalloc_node
 *   kmalloc_array(n, size, gfp), kcalloc (zeroed), _node variants:
 *                          NULL, without a warning, when n * size overflows
 *   krealloc(p, size, gfp) p NULL: kmalloc; size 0: kfree(p) and
 *                          ZERO_SIZE_PTR; fits ksize(p): p itself; else a new
 *                          object with the old contents, p freed. NULL on
 *                          failure, p untouched.
 *   krealloc_array(p, n, size, gfp)   krealloc with an overflow check
 *   kfree(p)               NULL and ZERO_SIZE_PTR are ignored; bad pointers
 *                          are reported, never followed
 *   kfree_sensitive(p)     zeroes the whole bucket, then frees
 *   ksize(p)               usable size of p's bucket (0 for NULL)
 *   kmalloc_size_roundup(size)        the bucket size kmalloc would use
 *   kmalloc_track_caller(size, gfp)   kmalloc recording the caller's caller
 *                          (for helpers such as kstrdup(), <linux/string.h>)
 *
 * kvmalloc
 *   kvmalloc(size, gfp), kvzalloc, kvmalloc_node, kvzalloc_node,
 *   kvmalloc_array, kvcalloc, kvrealloc, kvfree(p), kvfree_sensitive(p, len)
 *                          Linux tries kmalloc first (above PAGE_SIZE without
 *                          direct reclaim, warnings or __GFP_NOFAIL, unless
 *                          __GFP_RETRY_MAYFAIL) and falls back to vmalloc.
 *                          kmem has no vmalloc yet: the fallback is kmalloc
 *                          with the caller's own flags, so sizes above
 *                          KMALLOC_MAX_SIZE fail (docs/deviations.md).
 *                          Sizes above INT_MAX fail with a warning (none with
 *                          __GFP_NOWARN). kvfree() is kfree().
 *
 * Context rules are the kernel's: a gfp mask with __GFP_DIRECT_RECLAIM
 * (GFP_KERNEL) may sleep; creating and destroying caches may sleep.
 */
#ifndef KMEM_COMPAT_LINUX_SLAB_H
#define KMEM_COMPAT_LINUX_SLAB_H

#include <stddef.h>

#include <asm/page.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/types.h>

/* ---- cache flags (enum _slab_flag_bits, Linux 6.18) ---- */
typedef unsigned int __bitwise slab_flags_t;

#define __SLAB_FLAG_BIT(nr) ((slab_flags_t)(1U << (nr)))
#define SLAB_CONSISTENCY_CHECKS __SLAB_FLAG_BIT(0) /* slab_debug F */
#define SLAB_RED_ZONE __SLAB_FLAG_BIT(1)           /* slab_debug Z */
#define SLAB_POISON __SLAB_FLAG_BIT(2)             /* slab_debug P */
#define SLAB_KMALLOC __SLAB_FLAG_BIT(3)            /* internal: a kmalloc cache */
#define SLAB_HWCACHE_ALIGN __SLAB_FLAG_BIT(4)      /* align objects to cache lines */
#define SLAB_CACHE_DMA __SLAB_FLAG_BIT(5)          /* slabs from ZONE_DMA */
#define SLAB_CACHE_DMA32 __SLAB_FLAG_BIT(6)        /* slabs from ZONE_DMA32 */
#define SLAB_STORE_USER __SLAB_FLAG_BIT(7)         /* slab_debug U */
#define SLAB_PANIC __SLAB_FLAG_BIT(8)              /* panic if creation fails */
#define SLAB_TYPESAFE_BY_RCU __SLAB_FLAG_BIT(9)    /* slab pages freed after a grace period */
#define SLAB_TRACE __SLAB_FLAG_BIT(10)             /* slab_debug T */
/* As a distribution kernel is configured: no DEBUG_OBJECTS, no KASAN (0). */
#define SLAB_DEBUG_OBJECTS ((slab_flags_t)0)
#define SLAB_NOLEAKTRACE __SLAB_FLAG_BIT(11)
#define SLAB_NO_MERGE __SLAB_FLAG_BIT(12)
#define SLAB_FAILSLAB __SLAB_FLAG_BIT(13) /* slab_debug A */
#define SLAB_ACCOUNT __SLAB_FLAG_BIT(14)
#define SLAB_KASAN ((slab_flags_t)0) /* no KASAN */
#define SLAB_NO_USER_FLAGS __SLAB_FLAG_BIT(15)
#define SLAB_SKIP_KFENCE __SLAB_FLAG_BIT(16)
#define SLAB_RECLAIM_ACCOUNT __SLAB_FLAG_BIT(17) /* objects reclaimable by a shrinker */
#define SLAB_TEMPORARY SLAB_RECLAIM_ACCOUNT

/* ---- kmalloc geometry (4 KiB pages) ---- */
#define KMALLOC_SHIFT_LOW 3
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)
#define KMALLOC_SHIFT_MAX (MAX_PAGE_ORDER + PAGE_SHIFT)
#define KMALLOC_MAX_SIZE (1UL << KMALLOC_SHIFT_MAX)           /* 4 MiB */
#define KMALLOC_MAX_CACHE_SIZE (1UL << KMALLOC_SHIFT_HIGH)    /* 8 KiB */
#define KMALLOC_MAX_ORDER (KMALLOC_SHIFT_MAX - PAGE_SHIFT)    /* 10 */
#define KMALLOC_MIN_SIZE (1 << KMALLOC_SHIFT_LOW)             /* 8 */
#define ARCH_KMALLOC_MINALIGN __alignof__(unsigned long long) /* 8 */
#define ARCH_SLAB_MINALIGN __alignof__(unsigned long long)

/* What kmalloc(0) returns: not NULL, and faults if used. kfree() takes it. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#ifndef _RET_IP_
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))
#endif
#ifndef sizeof_field
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#endif

/* A cache (the library's; only pointers to it are handed out). */
struct kmem_cache;

/* The optional arguments of kmem_cache_create() (6.18). Zero means default. */
struct kmem_cache_args {
  unsigned int align;          /* object alignment (0: sizeof(void *)) */
  unsigned int useroffset;     /* hardened-usercopy region: offset ... */
  unsigned int usersize;       /* ... and size (0: none) */
  unsigned int freeptr_offset; /* free pointer inside the object, with */
  bool use_freeptr_offset;     /* SLAB_TYPESAFE_BY_RCU only */
  void (*ctor)(void *);        /* runs once per object when its slab is made */
  unsigned int sheaf_capacity; /* per-CPU sheaf size (0: by object size) */
};

KMEM_C_BEGIN

/* ---- caches ---- */
/* args may be NULL (every default). */
struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int object_size,
                                            struct kmem_cache_args *args, slab_flags_t flags);
struct kmem_cache *__kmem_cache_create(const char *name, unsigned int size, unsigned int align,
                                       slab_flags_t flags, void (*ctor)(void *));
struct kmem_cache *kmem_cache_create_usercopy(const char *name, unsigned int size,
                                              unsigned int align, slab_flags_t flags,
                                              unsigned int useroffset, unsigned int usersize,
                                              void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
int kmem_cache_shrink(struct kmem_cache *s);

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags);
void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags, int node);
void kmem_cache_free(struct kmem_cache *s, void *objp);
int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags, size_t size, void **p);
/* s NULL: each object goes back to its own cache (kfree_bulk). */
void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p);
unsigned int kmem_cache_size(struct kmem_cache *s);

/* ---- kmalloc ---- */
void *kmalloc(size_t size, gfp_t flags);
void *kmalloc_node(size_t size, gfp_t flags, int node);
void *kzalloc(size_t size, gfp_t flags);
void *kzalloc_node(size_t size, gfp_t flags, int node);
void *kmalloc_array(size_t n, size_t size, gfp_t flags);
void *kmalloc_array_node(size_t n, size_t size, gfp_t flags, int node);
void *kcalloc(size_t n, size_t size, gfp_t flags);
void *kcalloc_node(size_t n, size_t size, gfp_t flags, int node);
void *__must_check krealloc(const void *objp, size_t new_size, gfp_t flags);
void *__must_check krealloc_array(void *p, size_t new_n, size_t new_size, gfp_t flags);
void kfree(const void *objp);
void kfree_sensitive(const void *objp);
size_t ksize(const void *objp);
size_t kmalloc_size_roundup(size_t size);
/* kmalloc_node() that records caller as the allocation's call site. */
void *__kmalloc_node_track_caller(size_t size, gfp_t flags, int node, unsigned long caller);

/* ---- kvmalloc ---- */
void *kvmalloc_node(size_t size, gfp_t flags, int node);
void *kvmalloc(size_t size, gfp_t flags);
void *kvzalloc(size_t size, gfp_t flags);
void *kvzalloc_node(size_t size, gfp_t flags, int node);
void *kvmalloc_array(size_t n, size_t size, gfp_t flags);
void *kvmalloc_array_node(size_t n, size_t size, gfp_t flags, int node);
void *kvcalloc(size_t n, size_t size, gfp_t flags);
void *kvcalloc_node(size_t n, size_t size, gfp_t flags, int node);
void *__must_check kvrealloc(const void *p, size_t size, gfp_t flags);
void kvfree(const void *addr);
void kvfree_sensitive(const void *addr, size_t len);

KMEM_C_END

#define kmalloc_node_track_caller(size, flags, node) \
  __kmalloc_node_track_caller((size), (flags), (node), _RET_IP_)
#define kmalloc_track_caller(size, flags) \
  __kmalloc_node_track_caller((size), (flags), NUMA_NO_NODE, _RET_IP_)

static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags) {
  return kmem_cache_alloc(s, flags | __GFP_ZERO);
}

static inline void kfree_bulk(size_t size, void **p) { kmem_cache_free_bulk(NULL, size, p); }

/* kmem_cache_create(name, size, NULL, flags): every default. Another
 * untyped pointer is a mistake: WARN and NULL (Linux: ERR_PTR(-EINVAL)). */
static inline struct kmem_cache *__kmem_cache_default_args(const char *name, unsigned int size,
                                                           void *args, slab_flags_t flags) {
  if (WARN_ON_ONCE(args != NULL)) return NULL;
  return __kmem_cache_create_args(name, size, NULL, flags);
}

#ifdef __cplusplus
/* C++ has no _Generic: the three forms are overloads (NULL and nullptr go
 * to the struct kmem_cache_args * one, which takes NULL as "defaults"). */
static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
                                                   struct kmem_cache_args *args,
                                                   slab_flags_t flags) {
  return __kmem_cache_create_args(name, size, args, flags);
}
static inline struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
                                                   unsigned int align, slab_flags_t flags,
                                                   void (*ctor)(void *)) {
  return __kmem_cache_create(name, size, align, flags, ctor);
}
#else
#define kmem_cache_create(__name, __object_size, __args, ...) \
  _Generic((__args),                                              \
      struct kmem_cache_args *: __kmem_cache_create_args,         \
      void *: __kmem_cache_default_args,                          \
      default: __kmem_cache_create)(__name, __object_size, __args, __VA_ARGS__)
#endif

/* A cache named after struct __struct, with its size and alignment. */
#define KMEM_CACHE(__struct, __flags)                                                              \
  __kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct), (__flags), \
                      NULL)

/* The same, with field as the only part that may be copied to user space. */
#define KMEM_CACHE_USERCOPY(__struct, __flags, __field)                                        \
  kmem_cache_create_usercopy(#__struct, sizeof(struct __struct), __alignof__(struct __struct), \
                             (__flags), offsetof(struct __struct, __field),                    \
                             sizeof_field(struct __struct, __field), NULL)

#endif /* KMEM_COMPAT_LINUX_SLAB_H */
