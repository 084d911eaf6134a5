// SPDX-License-Identifier: MIT
// The three tiers of checks.
//
//   MM_CHECK(cond, fmt...)    always on: misuse and corruption that must never
//                             pass silently. Failing panics with file, line, the
//                             condition and the formatted values.
//   MM_ASSERT(cond, fmt...)   internal consistency, compiled only in the
//                             checked flavour (KMEM_CHECKED=1).
//   MM_EXPENSIVE(stmt)        a full walk (an invariant checker), run only in
//                             the checked flavour.
//
// Misuse by a caller that Linux reports and survives (a bad page free, a
// sleeping allocation in atomic context) does not go through these: it goes
// through debug/report.h, whose configured action decides what happens.
#pragma once

#include "base/format.h"

#ifndef KMEM_CHECKED
#define KMEM_CHECKED 0
#endif

namespace kmem {

inline constexpr bool kChecked = KMEM_CHECKED != 0;

// Where a failed check or a panic ends. The platform installs a hook that
// prints the message and terminates the process (hosted) or halts (bare
// metal). The hook must not return; if none is set, the CPU traps.
using PanicHook = void (*)(const char* message);
extern constinit PanicHook g_panic_hook;

[[noreturn]] void panic(const char* fmt, ...) KMEM_PRINTF(1, 2);
[[noreturn]] void check_failed(const char* file, int line, const char* cond);
[[noreturn]] void check_failed(const char* file, int line, const char* cond, const char* fmt, ...)
    KMEM_PRINTF(4, 5);

}  // namespace kmem

#define MM_CHECK(cond, ...)                                                       \
  do {                                                                            \
    if (__builtin_expect(!(cond), 0))                                             \
      ::kmem::check_failed(__FILE__, __LINE__, #cond __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)

#define MM_ASSERT(cond, ...)                                                   \
  do {                                                                         \
    if constexpr (::kmem::kChecked) MM_CHECK(cond __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)

#define MM_EXPENSIVE(stmt)            \
  do {                                \
    if constexpr (::kmem::kChecked) { \
      stmt;                           \
    }                                 \
  } while (0)
