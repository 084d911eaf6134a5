// SPDX-License-Identifier: MIT
#include "base/string.h"

#include "base/spinlock.h"

namespace kmem {

constinit YieldHook g_yield_hook = nullptr;

bool str_eq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

bool str_eq_n(const char* a, size_t alen, const char* b) {
  for (size_t i = 0; i < alen; ++i)
    if (b[i] == '\0' || a[i] != b[i]) return false;
  return b[alen] == '\0';
}

void str_copy(char* dst, size_t cap, const char* src, size_t n) {
  if (cap == 0) return;
  size_t i = 0;
  for (; i < n && i + 1 < cap && src[i]; ++i) dst[i] = src[i];
  dst[i] = '\0';
}

}  // namespace kmem
