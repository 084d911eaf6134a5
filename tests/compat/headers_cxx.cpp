// SPDX-License-Identifier: MIT
// Every compat header in one C++ translation unit, followed by the C++ API:
// the Linux names (macros included) must not break kmem::Machine, and the C
// and C++ views of one machine agree.
#include <asm/io.h>
#include <asm/page.h>
#include <linux/align.h>
#include <linux/bottom_half.h>
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/gfp.h>
#include <linux/gfp_types.h>
#include <linux/hardirq.h>
#include <linux/highmem.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/numa.h>
#include <linux/oom.h>
#include <linux/overflow.h>
#include <linux/pfn.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/types.h>

#include <kmem/kmem.h>
#include <kmem/task.h>
#include <kmem/machine.hpp>
#include <kmem/slab.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>

static_assert(GFP_KERNEL == 0xcc0u && GFP_ATOMIC == 0x820u && GFP_NOWAIT == 0x2800u);
static_assert(GFP_NOFS == 0xc40u && GFP_NOIO == 0xc00u && GFP_USER == 0x100cc0u);
static_assert(GFP_HIGHUSER_MOVABLE == 0x100ccau && GFP_TRANSHUGE_LIGHT == 0x1c20cau);
static_assert(GFP_TRANSHUGE == 0x1c24cau && GFP_KERNEL_ACCOUNT == 0x400cc0u);
static_assert(__GFP_BITS_SHIFT == 24 && __GFP_BITS_MASK == 0xffffffu);
static_assert(GFP_ZONEMASK == 0xfu && __GFP_RECLAIM == 0xc00u);
static_assert(sizeof(gfp_t) == 4 && sizeof(phys_addr_t) == 8 && sizeof(u64) == 8);
static_assert(PAGE_SIZE == 4096 && MAX_PAGE_ORDER == 10 && NR_PAGE_ORDERS == 11);
static_assert(ARRAY_SIZE("abc") == 4 && DIV_ROUND_UP(5, 2) == 3 && ALIGN(5u, 4) == 8u);
static_assert(IS_ALIGNED(64ul, SMP_CACHE_BYTES) && SZ_4G == 0x100000000ull);
static_assert(DMA_BIT_MASK(24) == 0xffffffull && DMA_BIT_MASK(64) == ~0ull);

static int failures;
#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                                   \
    }                                                                               \
  } while (0)

int main() {
  CHECK(std::min(1, 2) == 1);  // no min/max macros

  struct page *pg = alloc_pages(GFP_KERNEL, 1);
  CHECK(pg != nullptr);
  if (pg != nullptr) {
    kmem::Machine *m = kmem::current_machine();
    auto *kp = reinterpret_cast<kmem::Page *>(pg);
    CHECK(m->page_to_pfn(kp) == page_to_pfn(pg));
    CHECK(m->page_address(kp) == page_address(pg));
    CHECK(m->virt_to_page(page_address(pg)) == kp);
    CHECK(virt_to_page(page_address(pg)) == pg);
    CHECK(virt_to_page(reinterpret_cast<unsigned long>(page_address(pg))) == pg);
    CHECK(virt_addr_valid(page_address(pg)));
    CHECK(page_to_phys(pg) == m->virt_to_phys(page_address(pg)));
    std::memset(page_address(pg), 0x3c, 2 * PAGE_SIZE);
    __free_pages(pg, 1);
  }
  unsigned long a = __get_free_page(GFP_KERNEL);
  CHECK(a != 0);
  free_page(a);
  if (WARN_ON(false)) failures++;

  // <linux/slab.h> in C++: kmem_cache_create's three forms are overloads, and
  // the C and C++ APIs see the same caches and objects.
  {
    struct kmem_cache_args args = {};
    args.align = 32;
    struct kmem_cache *a = kmem_cache_create("hdr_cxx_args", 48, &args, SLAB_NO_MERGE);
    struct kmem_cache *b = kmem_cache_create("hdr_cxx_null", 48, NULL, SLAB_NO_MERGE);
    struct kmem_cache *c = kmem_cache_create("hdr_cxx_legacy", 48, 16, SLAB_NO_MERGE, nullptr);
    CHECK(a != nullptr && b != nullptr && c != nullptr);
    CHECK(kmem_cache_size(a) == 48);
    void *o = kmem_cache_zalloc(a, GFP_KERNEL);
    CHECK(o != nullptr && reinterpret_cast<uintptr_t>(o) % 32 == 0);
    kmem::Machine *m = kmem::current_machine();
    m->kmem_cache_free(reinterpret_cast<kmem::KmemCache *>(a), o);  // the C++ view of a C cache
    void *k = m->kmalloc(100, GFP_KERNEL);
    CHECK(ksize(k) == 128);
    kfree(k);
    CHECK(size_mul(SIZE_MAX, 2) == SIZE_MAX && kmalloc_array(SIZE_MAX, 2, GFP_KERNEL) == nullptr);
    char *dup = kstrdup("headers", GFP_KERNEL);
    CHECK(dup != nullptr && std::strcmp(dup, "headers") == 0);
    kfree(dup);
    kmem_cache_destroy(a);
    kmem_cache_destroy(b);
    kmem_cache_destroy(c);
  }
  pr_info("headers_cxx: %s\n", "ok");

  char msg[256];
  CHECK(kmem_check_invariants(msg, sizeof msg) == 1);
  if (failures) {
    std::fprintf(stderr, "compat_headers_cxx: %d check(s) failed\n", failures);
    return 1;
  }
  std::printf("compat_headers_cxx: all checks passed\n");
  return 0;
}
