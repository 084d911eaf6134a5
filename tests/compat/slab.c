/* SPDX-License-Identifier: MIT */
/*
 * The slab API through <linux/slab.h>, <linux/overflow.h> and
 * <linux/string.h>, the way driver code uses it: caches in all three
 * kmem_cache_create() forms and KMEM_CACHE(), constructors, bulk calls, the
 * kmalloc family's edge cases (kmalloc(0), overflow, krealloc's rules), the
 * string helpers, kvmalloc and /proc/slabinfo.
 */
#include <limits.h>
#include <stdint.h>

#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "check.h"

struct widget {
  unsigned long id;
  char name[24];
  unsigned int magic;
};

struct packet {
  unsigned int len;
  unsigned char data[];
};

static int ctor_calls;
static void widget_ctor(void *p) {
  struct widget *w = p;
  w->magic = 0x5eedu;
  ctor_calls++;
}

static int all_bytes(const void *p, int byte, size_t n) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++)
    if (c[i] != (unsigned char)byte) return 0;
  return 1;
}

static int log_has(const char *needle) { return strstr(take_log(), needle) != NULL; }

static void test_cache_forms(void) {
  /* Legacy form: (name, size, align, flags, ctor). */
  struct kmem_cache *legacy =
      kmem_cache_create("compat_legacy", sizeof(struct widget), 0, SLAB_HWCACHE_ALIGN, widget_ctor);
  CHECK(legacy != NULL);
  CHECK(kmem_cache_size(legacy) == sizeof(struct widget));
  ctor_calls = 0;
  struct widget *w = kmem_cache_alloc(legacy, GFP_KERNEL);
  CHECK(w != NULL && w->magic == 0x5eedu);
  CHECK(ctor_calls >= 1); /* once per object of the new slab */
  CHECK(((uintptr_t)w % 32) == 0);
  kmem_cache_free(legacy, w);

  /* 6.12+ form with struct kmem_cache_args. */
  struct kmem_cache_args args = {.align = 128, .ctor = widget_ctor};
  struct kmem_cache *withargs = kmem_cache_create("compat_args", 200, &args, 0);
  CHECK(withargs != NULL);
  void *objs[8];
  for (int i = 0; i < 8; i++) {
    objs[i] = kmem_cache_alloc(withargs, GFP_KERNEL);
    CHECK(objs[i] != NULL && ((uintptr_t)objs[i] % 128) == 0);
    CHECK(objs[i] != NULL && ((struct widget *)objs[i])->magic == 0x5eedu);
  }
  for (int i = 0; i < 8; i++) kmem_cache_free(withargs, objs[i]);

  /* NULL args: every default. */
  struct kmem_cache *defaults = kmem_cache_create("compat_defaults", 40, NULL, SLAB_NO_MERGE);
  CHECK(defaults != NULL);
  unsigned char *z = kmem_cache_zalloc(defaults, GFP_KERNEL);
  CHECK(z != NULL && all_bytes(z, 0, 40));
  if (z) memset(z, 0xab, 40);
  kmem_cache_free(defaults, z);
  void *n0 = kmem_cache_alloc_node(defaults, GFP_KERNEL, 0);
  CHECK(n0 != NULL);
  kmem_cache_free(defaults, n0);

  /* KMEM_CACHE and KMEM_CACHE_USERCOPY: named after the struct. */
  struct kmem_cache *kc = KMEM_CACHE(widget, SLAB_NO_MERGE);
  CHECK(kc != NULL);
  struct kmem_cache *kcu = KMEM_CACHE_USERCOPY(packet, SLAB_NO_MERGE, len);
  CHECK(kcu != NULL);
  char buf[1 << 16];
  long len = kmem_proc_read("slabinfo", buf, sizeof buf);
  CHECK(len > 0 && len < (long)sizeof buf);
  CHECK(strncmp(buf, "slabinfo - version: 2.1\n", 24) == 0);
  CHECK(strstr(buf, "\nwidget ") != NULL);
  CHECK(strstr(buf, "\ncompat_defaults ") != NULL);
  CHECK(strstr(buf, "\nkmalloc-96 ") != NULL);

  /* Bulk: all or nothing. */
  void *bulk[100];
  CHECK(kmem_cache_alloc_bulk(kc, GFP_KERNEL, 100, bulk) == 100);
  for (int i = 0; i < 100; i++) CHECK(bulk[i] != NULL);
  kmem_cache_free_bulk(kc, 100, bulk);
  CHECK(kmem_cache_shrink(kc) == 0);

  /* Creation failures: NULL and Linux's message. */
  take_log();
  CHECK(kmem_cache_create("compat_too_big", (unsigned)KMALLOC_MAX_SIZE + 1, NULL, 0) == NULL);
  CHECK(log_has("__kmem_cache_create_args(compat_too_big) failed with error -22"));
  CHECK(kmem_cache_create(NULL, 32, NULL, 0) == NULL);

  /* Destroying a cache with live objects: reported, cache leaked. */
  void *leak = kmem_cache_alloc(defaults, GFP_KERNEL);
  CHECK(leak != NULL);
  take_log();
  kmem_cache_destroy(defaults);
  CHECK(log_has("Slab cache still has objects"));

  kmem_cache_destroy(NULL);
  kmem_cache_destroy(legacy);
  kmem_cache_destroy(withargs);
  kmem_cache_destroy(kc);
  kmem_cache_destroy(kcu);
}

static void test_kmalloc(void) {
  CHECK(kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR);
  CHECK(ZERO_OR_NULL_PTR(ZERO_SIZE_PTR) && ZERO_OR_NULL_PTR(NULL));
  kfree(NULL);
  kfree(ZERO_SIZE_PTR);
  CHECK(ksize(NULL) == 0 && ksize(ZERO_SIZE_PTR) == 0);

  static const size_t sizes[] = {1, 8, 9, 64, 65, 96, 100, 129, 192, 193, 1000, 4096, 8192};
  static const size_t buckets[] = {8, 8, 16, 64, 96, 96, 128, 192, 192, 256, 1024, 4096, 8192};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    unsigned char *p = kmalloc(sizes[i], GFP_KERNEL);
    CHECK(p != NULL);
    if (p == NULL) continue;
    memset(p, 0x5a, sizes[i]);
    CHECK(ksize(p) == buckets[i]);
    CHECK(kmalloc_size_roundup(sizes[i]) == buckets[i]);
    /* Power-of-two buckets are naturally aligned (kmalloc-8k too: the direct
     * map starts on a 1 GiB boundary); the others to 8 at least. */
    size_t align = (buckets[i] & (buckets[i] - 1)) == 0 ? buckets[i] : ARCH_KMALLOC_MINALIGN;
    CHECK(((uintptr_t)p % align) == 0);
    kfree(p);
  }
  CHECK(kmalloc_size_roundup(0) == 0);
  CHECK(kmalloc_size_roundup(9000) == 16384);
  CHECK(kmalloc_size_roundup(KMALLOC_MAX_SIZE + 1) == KMALLOC_MAX_SIZE + 1);

  /* Large kmalloc: pages, up to KMALLOC_MAX_SIZE. */
  void *big = kmalloc(100000, GFP_KERNEL);
  CHECK(big != NULL && ksize(big) == 131072);
  kfree(big);
  void *max = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
  CHECK(max != NULL);
  kfree(max);
  CHECK(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN) == NULL);

  unsigned char *zp = kzalloc(300, GFP_KERNEL);
  CHECK(zp != NULL && all_bytes(zp, 0, 300));
  kfree(zp);
  zp = kzalloc_node(300, GFP_KERNEL, NUMA_NO_NODE);
  CHECK(zp != NULL && all_bytes(zp, 0, 300));
  kfree(zp);
  void *kn = kmalloc_node(64, GFP_KERNEL, 0);
  CHECK(kn != NULL);
  kfree(kn);
  void *tc = kmalloc_track_caller(24, GFP_KERNEL);
  CHECK(tc != NULL && ksize(tc) == 32);
  kfree(tc);

  /* kmalloc_array / kcalloc: overflow is NULL, without a warning. */
  unsigned long warns = kmem_bug_count(KMEM_BUG_WARN);
  CHECK(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL) == NULL);
  CHECK(kcalloc(SIZE_MAX / 8 + 1, 16, GFP_KERNEL) == NULL);
  CHECK(kmalloc_array_node(SIZE_MAX, 2, GFP_KERNEL, NUMA_NO_NODE) == NULL);
  CHECK(kcalloc_node(2, SIZE_MAX, GFP_KERNEL, NUMA_NO_NODE) == NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns);
  int *arr = kcalloc(100, sizeof(int), GFP_KERNEL);
  CHECK(arr != NULL && all_bytes(arr, 0, 100 * sizeof(int)));
  kfree(arr);
  arr = kmalloc_array(10, sizeof(int), GFP_KERNEL);
  CHECK(arr != NULL && ksize(arr) == 64);
  kfree(arr);

  /* kfree_bulk: objects of any kmalloc cache. */
  void *mixed[4] = {kmalloc(8, GFP_KERNEL), kmalloc(200, GFP_KERNEL), kmalloc(3000, GFP_KERNEL),
                    kmalloc(16, GFP_KERNEL)};
  for (int i = 0; i < 4; i++) CHECK(mixed[i] != NULL);
  kfree_bulk(4, mixed);

  /* kfree_sensitive: the whole bucket is zeroed (seen when this CPU's
   * sheaf hands the same object back). */
  unsigned char *secret = kmalloc(50, GFP_KERNEL);
  CHECK(secret != NULL);
  if (secret) memset(secret, 0xee, 64);
  kfree_sensitive(secret);
  unsigned char *again = kmalloc(50, GFP_KERNEL);
  if (again == secret) CHECK(all_bytes(again, 0, 64));
  kfree(again);
  kfree_sensitive(NULL);

  /* A pointer inside an object is reported as a bad free, not followed. */
  char *obj = kmalloc(64, GFP_KERNEL);
  take_log();
  unsigned long bad_before = kmem_bug_count(KMEM_BUG_BAD_FREE);
  kfree(obj + 8);
  const char *log = take_log();
  CHECK(strstr(log, "slab kmalloc-64: Invalid object pointer") != NULL);
  CHECK(kmem_bug_count(KMEM_BUG_BAD_FREE) == bad_before + 1);
  kfree(obj);
}

static void test_krealloc(void) {
  /* NULL: kmalloc. */
  char *p = krealloc(NULL, 20, GFP_KERNEL);
  CHECK(p != NULL && ksize(p) == 32);
  if (p == NULL) return;
  memcpy(p, "0123456789abcdefghi", 20);
  /* Fits the bucket: the same object. */
  char *q = krealloc(p, 30, GFP_KERNEL);
  CHECK(q == p);
  q = krealloc(q, 10, GFP_KERNEL);
  CHECK(q == p && memcmp(q, "0123456789", 10) == 0);
  /* Grows: a new object with the contents. */
  char *r = krealloc(q, 1000, GFP_KERNEL);
  CHECK(r != NULL && ksize(r) == 1024 && memcmp(r, "0123456789abcdefghi", 20) == 0);
  /* Grows into a large kmalloc and back down. */
  char *s = krealloc(r, 20000, GFP_KERNEL);
  CHECK(s != NULL && ksize(s) == 32768 && memcmp(s, "0123456789", 10) == 0);
  char *t = krealloc(s, 100, GFP_KERNEL);
  CHECK(t == s); /* still fits */
  /* Fails: NULL, the old object untouched. */
  char *u = krealloc(t, KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
  CHECK(u == NULL && memcmp(t, "0123456789", 10) == 0);
  /* Size 0: freed, ZERO_SIZE_PTR. */
  CHECK(krealloc(t, 0, GFP_KERNEL) == ZERO_SIZE_PTR);

  /* krealloc_array: overflow is NULL and p stays. */
  int *a = krealloc_array(NULL, 4, sizeof(int), GFP_KERNEL);
  CHECK(a != NULL);
  if (a) a[3] = 77;
  CHECK(krealloc_array(a, SIZE_MAX / 2, sizeof(int), GFP_KERNEL) == NULL);
  int *b = krealloc_array(a, 100, sizeof(int), GFP_KERNEL);
  CHECK(b != NULL && b[3] == 77);
  kfree(b);
}

static void test_overflow(void) {
  size_t d;
  CHECK(check_mul_overflow((size_t)SIZE_MAX, (size_t)2, &d));
  CHECK(!check_mul_overflow((size_t)1000, (size_t)1000, &d) && d == 1000000);
  CHECK(check_add_overflow((size_t)SIZE_MAX, (size_t)1, &d) && d == 0);
  unsigned int u;
  CHECK(check_sub_overflow(1u, 2u, &u));
  CHECK(size_mul(SIZE_MAX, 2) == SIZE_MAX && size_mul(3, 4) == 12);
  CHECK(size_add(SIZE_MAX, 1) == SIZE_MAX && size_add(3, 4) == 7);
  CHECK(size_sub(3, 4) == SIZE_MAX && size_sub(SIZE_MAX, 1) == SIZE_MAX && size_sub(4, 3) == 1);
  CHECK(array_size(SIZE_MAX / 2, 3) == SIZE_MAX && array3_size(2, 3, 4) == 24);
  struct packet *pk = NULL;
  CHECK(struct_size(pk, data, 10) == sizeof(struct packet) + 10);
  CHECK(flex_array_size(pk, data, 10) == 10);
  CHECK(struct_size_t(struct packet, data, 5) == sizeof(struct packet) + 5);
  CHECK(struct_size(pk, data, SIZE_MAX) == SIZE_MAX);
  /* A saturated size makes kmalloc fail. */
  CHECK(kmalloc(struct_size(pk, data, SIZE_MAX), GFP_KERNEL | __GFP_NOWARN) == NULL);
  pk = kmalloc(struct_size(pk, data, 100), GFP_KERNEL);
  CHECK(pk != NULL && ksize(pk) >= sizeof(*pk) + 100);
  kfree(pk);
}

static void test_strings(void) {
  static const char msg[] = "hello, kmem";
  char *s = kstrdup(msg, GFP_KERNEL);
  CHECK(s != NULL && s != msg && strcmp(s, msg) == 0 && ksize(s) == 16);
  kfree(s);
  CHECK(kstrdup(NULL, GFP_KERNEL) == NULL);
  s = kstrndup(msg, 5, GFP_KERNEL);
  CHECK(s != NULL && strcmp(s, "hello") == 0);
  kfree(s);
  s = kstrndup(msg, 100, GFP_KERNEL);
  CHECK(s != NULL && strcmp(s, msg) == 0);
  kfree(s);
  CHECK(kstrndup(NULL, 3, GFP_KERNEL) == NULL);
  s = kmemdup_nul("abcdef", 3, GFP_KERNEL);
  CHECK(s != NULL && strcmp(s, "abc") == 0);
  kfree(s);
  CHECK(kmemdup_nul(NULL, 3, GFP_KERNEL) == NULL);
  int src[5] = {1, 2, 3, 4, 5};
  int *dup = kmemdup(src, sizeof src, GFP_KERNEL);
  CHECK(dup != NULL && memcmp(dup, src, sizeof src) == 0);
  kfree(dup);
  dup = kmemdup_array(src, 5, sizeof(int), GFP_KERNEL);
  CHECK(dup != NULL && memcmp(dup, src, sizeof src) == 0);
  kfree(dup);
  CHECK(kmemdup_array(src, SIZE_MAX, 2, GFP_KERNEL | __GFP_NOWARN) == NULL);

  /* kstrdup_const always copies in kmem; kfree_const frees that copy and
   * leaves any pointer outside the machine alone. */
  unsigned long bad = kmem_bug_count(KMEM_BUG_BAD_FREE);
  const char *c = kstrdup_const(msg, GFP_KERNEL);
  CHECK(c != NULL && strcmp(c, msg) == 0);
  kfree_const(c);
  kfree_const(msg);
  kfree_const("a literal");
  kfree_const(NULL);
  CHECK(kmem_bug_count(KMEM_BUG_BAD_FREE) == bad);
  CHECK(kstrdup_const(NULL, GFP_KERNEL) == NULL);
}

static void test_kvmalloc(void) {
  char *small = kvmalloc(100, GFP_KERNEL);
  CHECK(small != NULL && ksize(small) == 128);
  kvfree(small);
  char *big = kvmalloc(64 * 1024, GFP_KERNEL);
  CHECK(big != NULL && ksize(big) == 64 * 1024);
  if (big) memset(big, 0x11, 64 * 1024);
  /* kvrealloc keeps the contents. */
  char *bigger = kvrealloc(big, 200 * 1024, GFP_KERNEL);
  CHECK(bigger != NULL && all_bytes(bigger, 0x11, 64 * 1024));
  kvfree(bigger);
  char *z = kvzalloc(20000, GFP_KERNEL);
  CHECK(z != NULL && all_bytes(z, 0, 20000));
  kvfree_sensitive(z, 20000);
  z = kvzalloc_node(5000, GFP_KERNEL, 0);
  CHECK(z != NULL && all_bytes(z, 0, 5000));
  kvfree(z);
  z = kvmalloc_node(5000, GFP_KERNEL, NUMA_NO_NODE);
  CHECK(z != NULL);
  kvfree(z);
  int *arr = kvcalloc(1000, sizeof(int), GFP_KERNEL);
  CHECK(arr != NULL && all_bytes(arr, 0, 1000 * sizeof(int)));
  kvfree(arr);
  arr = kvmalloc_array(1000, sizeof(int), GFP_KERNEL);
  CHECK(arr != NULL);
  kvfree(arr);
  CHECK(kvmalloc_array(SIZE_MAX, 2, GFP_KERNEL) == NULL);
  CHECK(kvcalloc(SIZE_MAX / 4, 8, GFP_KERNEL) == NULL);
  CHECK(kvmalloc_array_node(SIZE_MAX, 2, GFP_KERNEL, 0) == NULL);
  CHECK(kvcalloc_node(3, SIZE_MAX, GFP_KERNEL, 0) == NULL);
  CHECK(kvrealloc(NULL, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
  kvfree_sensitive(NULL, 10);

  /* Sizes above INT_MAX: refused, with one WARNING unless __GFP_NOWARN. */
  unsigned long warns = kmem_bug_count(KMEM_BUG_WARN);
  CHECK(kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL | __GFP_NOWARN) == NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns);
  CHECK(kvmalloc((size_t)INT_MAX + 1, GFP_KERNEL) == NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns + 1);
  /* Above KMALLOC_MAX_SIZE Linux would vmalloc; kmem has no vmalloc yet. */
  warns = kmem_bug_count(KMEM_BUG_WARN);
  CHECK(kvmalloc(8 << 20, GFP_KERNEL) == NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == warns);
}

int main(void) {
  test_cache_forms();
  test_kmalloc();
  test_krealloc();
  test_overflow();
  test_strings();
  test_kvmalloc();
  return check_done("compat_slab");
}
