// SPDX-License-Identifier: MIT
// Byte helpers. They compile to the compiler's builtins, which a freestanding
// environment must provide (memset, memcpy, memmove, memcmp) -- no libc heap.
#pragma once

#include "base/types.h"

namespace kmem {

inline void mem_set(void* p, int c, size_t n) { __builtin_memset(p, c, n); }
inline void mem_copy(void* d, const void* s, size_t n) { __builtin_memcpy(d, s, n); }
inline int mem_cmp(const void* a, const void* b, size_t n) { return __builtin_memcmp(a, b, n); }
inline size_t str_len(const char* s) { return __builtin_strlen(s); }
bool str_eq(const char* a, const char* b);
bool str_eq_n(const char* a, size_t alen, const char* b);  // a is not NUL-terminated
void str_copy(char* dst, size_t cap, const char* src, size_t n);

}  // namespace kmem
