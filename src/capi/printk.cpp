// SPDX-License-Identifier: MIT
// printk() and the BUG/WARN reports of the C API (<linux/printk.h>,
// <linux/bug.h>), written to the current machine's console.
//
// A printk() without a trailing newline is held per thread, as Linux holds
// an unfinished record: KERN_CONT text is appended to it, and any other
// message (or a report, or kmem_log_read()) ends it first.
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "capi/current.h"

#include <linux/bug.h>
#include <linux/printk.h>

namespace kmem::capi {
namespace {

constexpr int kDefaultLoglevel = LOGLEVEL_WARNING;  // MESSAGE_LOGLEVEL_DEFAULT

struct PendingLine {
  std::string text;
  int level = kDefaultLoglevel;

  void emit() {
    if (text.empty()) return;
    size_t n = text.size();
    if (text[n - 1] == '\n') n--;
    if (Kernel* k = g_kernel.load(std::memory_order_acquire))
      k->log_text(LogLevel(level), text.data(), n);
    text.clear();
  }
  ~PendingLine() { emit(); }
};

thread_local PendingLine t_pending;

// Splits a KERN_<LEVEL> prefix off fmt: the level, or -1 for none, or -2 for
// KERN_CONT.
int take_level(const char*& fmt) {
  if (fmt[0] != KERN_SOH_ASCII || fmt[1] == '\0') return -1;
  char c = fmt[1];
  if (c >= '0' && c <= '7') {
    fmt += 2;
    return c - '0';
  }
  if (c == 'c') {
    fmt += 2;
    return -2;
  }
  if (c == 'd') fmt += 2;  // the old KERN_DEFAULT
  return -1;
}

std::string vformat_string(const char* fmt, va_list ap) {
  char small[256];
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(small, sizeof small, fmt, ap2);
  va_end(ap2);
  if (n < 0) return std::string();
  if (size_t(n) < sizeof small) return std::string(small, size_t(n));
  std::string out(size_t(n) + 1, '\0');
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  out.resize(size_t(n));
  return out;
}

// "CPU: 1 UID: 0 PID: 1234 Comm: name Tainted: G        W (kmem)": the
// identity line of a Linux report, in the core's layout. The taint string
// has Linux's fixed columns: B (bad page) at 5, W (warning) at 9.
std::string identity(Kernel& k, bool warned) {
  char comm[32];
  k.current_comm(comm, sizeof comm);
  std::string taint = "G";
  if (warned || k.bug_count(BUG_WARN) > 0) taint = "G        W";
  if (k.bug_count(BUG_BAD_PAGE) > 0) taint[5] = 'B';
  char line[160];
  std::snprintf(line, sizeof line, "CPU: %u UID: 0 PID: %d Comm: %s Tainted: %s (kmem)",
                k.current_cpu(), k.current_pid(), comm, taint.c_str());
  return line;
}

// A WARNING report in Linux's order: the message, the place, the identity.
void warn_report(const char* file, int line, const char* func, const std::string& message) {
  Kernel& k = current_kernel();
  flush_pending_line();
  std::string text = "------------[ cut here ]------------\n";
  text += message;
  if (!message.empty() && message.back() != '\n') text += '\n';
  char place[64];
  std::snprintf(place, sizeof place, "WARNING: CPU: %u PID: %d at ", k.current_cpu(),
                k.current_pid());
  text += place;
  text += file;
  text += ':' + std::to_string(line);
  if (func != nullptr && *func != '\0') text += std::string(" ") + func;
  text += "\nModules linked in:\n";
  text += identity(k, true) + '\n';
  text += "---[ end trace 0000000000000000 ]---";
  k.report_bug(BUG_WARN, text.data(), text.size());
}

// True the first time a (file, line) place asks.
bool first_time_at(const char* file, int line) {
  static std::mutex mu;
  static auto* seen = new std::set<std::pair<std::string, int>>;  // never freed
  std::lock_guard<std::mutex> g(mu);
  return seen->emplace(file, line).second;
}

}  // namespace

void flush_pending_line() { t_pending.emit(); }

}  // namespace kmem::capi

using kmem::capi::current_kernel;

extern "C" {

int vprintk(const char* fmt, va_list args) {
  using namespace kmem::capi;
  current_kernel();
  int level = take_level(fmt);
  std::string text = vformat_string(fmt, args);
  PendingLine& p = t_pending;
  if (level == -2 && !p.text.empty()) {
    p.text += text;
  } else {
    p.emit();
    p.text = std::move(text);
    p.level = level >= 0 ? level : kDefaultLoglevel;
  }
  int n = int(p.text.size());
  if (!p.text.empty() && p.text.back() == '\n') p.emit();
  return n;
}

int printk(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintk(fmt, ap);
  va_end(ap);
  return n;
}

void kmem_warn(const char* file, int line, const char* func) {
  kmem::capi::warn_report(file, line, func, std::string());
}

void kmem_warn_fmt(const char* file, int line, const char* func, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string msg = kmem::capi::vformat_string(fmt, ap);
  va_end(ap);
  kmem::capi::warn_report(file, line, func, msg);
}

void kmem_warn_once(const char* file, int line, const char* func) {
  if (kmem::capi::first_time_at(file, line)) kmem_warn(file, line, func);
}

void kmem_warn_once_fmt(const char* file, int line, const char* func, const char* fmt, ...) {
  if (!kmem::capi::first_time_at(file, line)) return;
  va_list ap;
  va_start(ap, fmt);
  std::string msg = kmem::capi::vformat_string(fmt, ap);
  va_end(ap);
  kmem::capi::warn_report(file, line, func, msg);
}

void kmem_bug(const char* file, int line) {
  kmem::Kernel& k = current_kernel();
  kmem::capi::flush_pending_line();
  std::string text = "------------[ cut here ]------------\nkernel BUG at ";
  text += file;
  text += ':' + std::to_string(line) + "!\nModules linked in:\n";
  text += kmem::capi::identity(k, false);
  k.log_text(kmem::LogLevel::emerg, text.data(), text.size());
  kmem::panic("kernel BUG at %s:%d!", file, line);
}

}  // extern "C"
