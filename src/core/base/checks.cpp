// SPDX-License-Identifier: MIT
#include "base/checks.h"

namespace kmem {

constinit PanicHook g_panic_hook = nullptr;

namespace {
[[noreturn]] void die(const char* msg) {
  if (g_panic_hook != nullptr) g_panic_hook(msg);
  __builtin_trap();
}
}  // namespace

void panic(const char* fmt, ...) {
  char buf[4096];
  size_t n = format(buf, sizeof buf, "Kernel panic - not syncing: ");
  va_list ap;
  va_start(ap, fmt);
  vformat(buf + n, sizeof buf - n, fmt, ap);
  va_end(ap);
  die(buf);
}

void check_failed(const char* file, int line, const char* cond) {
  char buf[512];
  format(buf, sizeof buf, "kernel BUG at %s:%d!\ncheck failed: %s", file, line, cond);
  die(buf);
}

void check_failed(const char* file, int line, const char* cond, const char* fmt, ...) {
  char buf[768];
  size_t n = format(buf, sizeof buf, "kernel BUG at %s:%d!\ncheck failed: %s: ", file, line, cond);
  va_list ap;
  va_start(ap, fmt);
  if (n < sizeof buf) vformat(buf + n, sizeof buf - n, fmt, ap);
  va_end(ap);
  die(buf);
}

}  // namespace kmem
