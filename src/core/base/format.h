// SPDX-License-Identifier: MIT
// printf-style formatting into caller-owned buffers, and Seq, a seq_file-like
// text sink. The core prints every report and /proc file through these: no
// heap, no locale, no libc.
//
// Supported conversions: %d %i %u %x %X %o %c %s %p %%, with flags "-0+ #",
// width and precision (numbers or '*'), and length modifiers hh h l ll z j t.
// %p prints 0x followed by 16 hex digits, as the kernel's %px does.
#pragma once

#include <stdarg.h>

#include "base/types.h"

#define KMEM_PRINTF(fmt_idx, arg_idx) __attribute__((format(printf, fmt_idx, arg_idx)))

namespace kmem {

// Formats into buf (always NUL-terminated when size > 0) and returns the
// length the full output would have had, like snprintf.
size_t vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t format(char* buf, size_t size, const char* fmt, ...) KMEM_PRINTF(3, 4);

// A buffered text sink. Output accumulates in a caller-owned buffer and is
// handed to flush_fn whenever the buffer fills and on flush(). One formatted
// record longer than the buffer is truncated (never overflows).
class Seq {
 public:
  using FlushFn = void (*)(void* ctx, const char* data, size_t len);

  Seq(char* buf, size_t cap, FlushFn fn, void* ctx) : buf_(buf), cap_(cap), fn_(fn), ctx_(ctx) {}
  Seq(const Seq&) = delete;
  Seq& operator=(const Seq&) = delete;
  ~Seq() { flush(); }

  void print(const char* fmt, ...) KMEM_PRINTF(2, 3);
  void vprint(const char* fmt, va_list ap);
  void puts(const char* s);
  void putc(char c);
  void write(const char* s, size_t n);
  void flush();

  // Bytes handed to flush_fn so far plus those still buffered.
  size_t total() const { return flushed_ + len_; }

 private:
  char* buf_;
  size_t cap_;
  size_t len_ = 0;
  size_t flushed_ = 0;
  FlushFn fn_;
  void* ctx_;
};

// A Seq that appends into one fixed buffer and never flushes elsewhere; the
// text is truncated (and truncated() says so) when it does not fit.
class FixedSeq {
 public:
  FixedSeq(char* buf, size_t cap);
  Seq& seq() { return seq_; }
  const char* c_str() {
    seq_.flush();
    return buf_;
  }
  size_t length() {
    seq_.flush();
    return used_;
  }
  bool truncated() const { return truncated_; }

 private:
  static void append(void* ctx, const char* data, size_t len);
  char* buf_;
  size_t cap_;
  size_t used_ = 0;
  bool truncated_ = false;
  char stage_[256];
  Seq seq_;
};

}  // namespace kmem
