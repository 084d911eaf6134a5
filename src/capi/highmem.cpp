// SPDX-License-Identifier: MIT
// <linux/highmem.h>: kmap(), kmap_local_page(), kmap_atomic() and the page
// copy helpers built on them, for the current machine. The mappings
// themselves are the core's (src/core/highmem/).
#include <cstring>

#include "capi/current.h"

#include <linux/bug.h>
#include <linux/highmem.h>

namespace {

inline kmem::Page* to_page(struct page* p) { return reinterpret_cast<kmem::Page*>(p); }
inline struct page* to_c(kmem::Page* p) { return reinterpret_cast<struct page*>(p); }

// Linux's VM_BUG_ON(offset + len > PAGE_SIZE) of the copy helpers, as a
// WARNING that skips the copy.
bool range_ok(size_t offset, size_t len, const char* func) {
  if (offset <= PAGE_SIZE && len <= PAGE_SIZE - offset) return true;
  kmem_warn_fmt(__FILE__, __LINE__, func, "%s: offset %zu + len %zu beyond the page\n", func,
                offset, len);
  return false;
}

}  // namespace

using kmem::capi::current_kernel;

extern "C" {

void* kmap(struct page* page) { return current_kernel().kmap(to_page(page)); }

void kunmap(struct page* page) { current_kernel().kunmap(to_page(page)); }

void* kmap_local_page(struct page* page) { return current_kernel().kmap_local_page(to_page(page)); }

void __kunmap_local(const void* addr) { current_kernel().kunmap_local(addr); }

void* kmap_atomic(struct page* page) {
  kmem::Kernel& k = current_kernel();
  kmem::preempt_disable();  // pagefault_disable() is not modelled
  return k.kmap_local_page(to_page(page));
}

void __kunmap_atomic(const void* addr) {
  current_kernel().kunmap_local(addr);
  kmem::preempt_enable();
}

void kmap_flush_unused(void) {
  kmem::Kernel& k = current_kernel();
  k.highmem().kmap_flush_unused(k);
}

struct page* kmap_to_page(void* addr) {
  kmem::Kernel& k = current_kernel();
  return to_c(k.highmem().kmap_to_page(k, addr));
}

void clear_highpage(struct page* page) {
  kmem::Kernel& k = current_kernel();
  void* va = k.kmap_local_page(to_page(page));
  if (va == nullptr) return;
  std::memset(va, 0, PAGE_SIZE);
  k.kunmap_local(va);
}

void copy_highpage(struct page* to, struct page* from) {
  kmem::Kernel& k = current_kernel();
  char* src = static_cast<char*>(k.kmap_local_page(to_page(from)));
  char* dst = static_cast<char*>(k.kmap_local_page(to_page(to)));
  if (src != nullptr && dst != nullptr) std::memcpy(dst, src, PAGE_SIZE);
  if (dst != nullptr) k.kunmap_local(dst);
  if (src != nullptr) k.kunmap_local(src);
}

void memcpy_from_page(char* to, struct page* page, size_t offset, size_t len) {
  if (!range_ok(offset, len, "memcpy_from_page")) return;
  kmem::Kernel& k = current_kernel();
  char* from = static_cast<char*>(k.kmap_local_page(to_page(page)));
  if (from == nullptr) return;
  std::memcpy(to, from + offset, len);
  k.kunmap_local(from);
}

void memcpy_to_page(struct page* page, size_t offset, const char* from, size_t len) {
  if (!range_ok(offset, len, "memcpy_to_page")) return;
  kmem::Kernel& k = current_kernel();
  char* to = static_cast<char*>(k.kmap_local_page(to_page(page)));
  if (to == nullptr) return;
  std::memcpy(to + offset, from, len);
  k.kunmap_local(to);
}

void memcpy_page(struct page* dst_page, size_t dst_off, struct page* src_page, size_t src_off,
                 size_t len) {
  if (!range_ok(dst_off, len, "memcpy_page") || !range_ok(src_off, len, "memcpy_page")) return;
  kmem::Kernel& k = current_kernel();
  char* dst = static_cast<char*>(k.kmap_local_page(to_page(dst_page)));
  char* src = static_cast<char*>(k.kmap_local_page(to_page(src_page)));
  if (dst != nullptr && src != nullptr) std::memmove(dst + dst_off, src + src_off, len);
  if (src != nullptr) k.kunmap_local(src);
  if (dst != nullptr) k.kunmap_local(dst);
}

void memzero_page(struct page* page, size_t offset, size_t len) {
  if (!range_ok(offset, len, "memzero_page")) return;
  kmem::Kernel& k = current_kernel();
  char* va = static_cast<char*>(k.kmap_local_page(to_page(page)));
  if (va == nullptr) return;
  std::memset(va + offset, 0, len);
  k.kunmap_local(va);
}

unsigned long nr_free_highpages(void) {
  kmem::Kernel& k = current_kernel();
  unsigned long n = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    long f = k.node_data(nid)->zones[kmem::ZONE_HIGHMEM].free_pages();
    if (f > 0) n += (unsigned long)f;
  }
  return n;
}

unsigned long totalhigh_pages(void) {
  kmem::Kernel& k = current_kernel();
  unsigned long n = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid)
    n += k.node_data(nid)->zones[kmem::ZONE_HIGHMEM].managed();
  return n;
}

}  // extern "C"
