// SPDX-License-Identifier: MIT
#include "base/format.h"

namespace kmem {
namespace {

struct Out {
  char* buf;
  size_t size;
  size_t pos = 0;
  void put(char c) {
    if (pos + 1 < size) buf[pos] = c;
    ++pos;
  }
  void repeat(char c, int n) {
    for (int i = 0; i < n; ++i) put(c);
  }
};

struct Spec {
  bool left = false, zero = false, plus = false, space = false, alt = false;
  int width = 0;
  int precision = -1;
};

// Renders an unsigned magnitude in base into tmp (reversed) and returns its length.
int render_digits(u64 v, unsigned base, bool upper, char* tmp) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int n = 0;
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v != 0);
  return n;
}

void emit_number(Out& o, const Spec& s, u64 mag, bool negative, unsigned base, bool upper) {
  char tmp[24];
  int nd = (mag == 0 && s.precision == 0) ? 0 : render_digits(mag, base, upper, tmp);
  const char* prefix = "";
  if (negative) prefix = "-";
  else if (s.plus) prefix = "+";
  else if (s.space) prefix = " ";
  if (s.alt && mag != 0 && base == 16) prefix = upper ? "0X" : "0x";
  if (s.alt && base == 8 && (nd == 0 || tmp[nd - 1] != '0')) prefix = "0";
  int plen = 0;
  while (prefix[plen]) ++plen;
  int zeros = s.precision > nd ? s.precision - nd : 0;
  int body = plen + zeros + nd;
  int pad = s.width > body ? s.width - body : 0;
  if (s.zero && !s.left && s.precision < 0) {
    zeros += pad;
    pad = 0;
  }
  if (!s.left) o.repeat(' ', pad);
  for (int i = 0; i < plen; ++i) o.put(prefix[i]);
  o.repeat('0', zeros);
  while (nd > 0) o.put(tmp[--nd]);
  if (s.left) o.repeat(' ', pad);
}

void emit_string(Out& o, const Spec& s, const char* str) {
  if (str == nullptr) str = "(null)";
  int len = 0;
  while (str[len] && (s.precision < 0 || len < s.precision)) ++len;
  int pad = s.width > len ? s.width - len : 0;
  if (!s.left) o.repeat(' ', pad);
  for (int i = 0; i < len; ++i) o.put(str[i]);
  if (s.left) o.repeat(' ', pad);
}

enum class Len { none, hh, h, l, ll, z, j, t };

u64 fetch_unsigned(va_list& ap, Len len) {
  switch (len) {
    case Len::hh: return static_cast<unsigned char>(va_arg(ap, unsigned));
    case Len::h: return static_cast<unsigned short>(va_arg(ap, unsigned));
    case Len::l: return va_arg(ap, unsigned long);
    case Len::ll: return va_arg(ap, unsigned long long);
    case Len::z: return va_arg(ap, size_t);
    case Len::j: return va_arg(ap, uintmax_t);
    case Len::t: return static_cast<u64>(va_arg(ap, ptrdiff_t));
    case Len::none: break;
  }
  return va_arg(ap, unsigned);
}

s64 fetch_signed(va_list& ap, Len len) {
  switch (len) {
    case Len::hh: return static_cast<signed char>(va_arg(ap, int));
    case Len::h: return static_cast<short>(va_arg(ap, int));
    case Len::l: return va_arg(ap, long);
    case Len::ll: return va_arg(ap, long long);
    case Len::z: return static_cast<s64>(va_arg(ap, size_t));
    case Len::j: return va_arg(ap, intmax_t);
    case Len::t: return va_arg(ap, ptrdiff_t);
    case Len::none: break;
  }
  return va_arg(ap, int);
}

const char* parse_spec(const char* f, Spec& s, va_list& ap) {
  for (;; ++f) {
    if (*f == '-') s.left = true;
    else if (*f == '0') s.zero = true;
    else if (*f == '+') s.plus = true;
    else if (*f == ' ') s.space = true;
    else if (*f == '#') s.alt = true;
    else break;
  }
  if (*f == '*') {
    s.width = va_arg(ap, int);
    if (s.width < 0) {
      s.left = true;
      s.width = -s.width;
    }
    ++f;
  } else {
    while (*f >= '0' && *f <= '9') s.width = s.width * 10 + (*f++ - '0');
  }
  if (*f == '.') {
    ++f;
    s.precision = 0;
    if (*f == '*') {
      s.precision = va_arg(ap, int);
      ++f;
    } else {
      while (*f >= '0' && *f <= '9') s.precision = s.precision * 10 + (*f++ - '0');
    }
  }
  return f;
}

const char* parse_length(const char* f, Len& len) {
  switch (*f) {
    case 'h':
      if (f[1] == 'h') {
        len = Len::hh;
        return f + 2;
      }
      len = Len::h;
      return f + 1;
    case 'l':
      if (f[1] == 'l') {
        len = Len::ll;
        return f + 2;
      }
      len = Len::l;
      return f + 1;
    case 'z': len = Len::z; return f + 1;
    case 'j': len = Len::j; return f + 1;
    case 't': len = Len::t; return f + 1;
    default: return f;
  }
}

}  // namespace

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap_in) {
  Out o{buf, size};
  va_list ap;
  va_copy(ap, ap_in);
  for (const char* f = fmt; *f; ++f) {
    if (*f != '%') {
      o.put(*f);
      continue;
    }
    ++f;
    if (*f == '%') {
      o.put('%');
      continue;
    }
    Spec s;
    Len len = Len::none;
    f = parse_length(parse_spec(f, s, ap), len);
    switch (*f) {
      case 'd':
      case 'i': {
        s64 v = fetch_signed(ap, len);
        u64 mag = v < 0 ? u64(0) - u64(v) : u64(v);
        emit_number(o, s, mag, v < 0, 10, false);
        break;
      }
      case 'u': emit_number(o, s, fetch_unsigned(ap, len), false, 10, false); break;
      case 'x': emit_number(o, s, fetch_unsigned(ap, len), false, 16, false); break;
      case 'X': emit_number(o, s, fetch_unsigned(ap, len), false, 16, true); break;
      case 'o': emit_number(o, s, fetch_unsigned(ap, len), false, 8, false); break;
      case 'c': {
        Spec c = s;
        char str[2] = {char(va_arg(ap, int)), 0};
        emit_string(o, c, str);
        break;
      }
      case 's': emit_string(o, s, va_arg(ap, const char*)); break;
      case 'p': {
        Spec p;
        p.alt = false;
        p.zero = true;
        p.width = 16;
        o.put('0');
        o.put('x');
        emit_number(o, p, reinterpret_cast<uintptr_t>(va_arg(ap, void*)), false, 16, false);
        break;
      }
      case '\0': --f; break;  // a lone '%' at the end prints nothing
      default:
        o.put('%');
        o.put(*f);
        break;
    }
  }
  va_end(ap);
  if (size > 0) buf[o.pos < size ? o.pos : size - 1] = '\0';
  return o.pos;
}

size_t format(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = vformat(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

void Seq::vprint(const char* fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  size_t room = cap_ - len_;
  size_t n = vformat(buf_ + len_, room, fmt, ap);
  if (n < room) {
    len_ += n;
  } else {
    flush();
    n = vformat(buf_, cap_, fmt, again);
    len_ = n < cap_ ? n : cap_ - 1;
  }
  va_end(again);
}

void Seq::print(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
}

void Seq::write(const char* s, size_t n) {
  while (n > 0) {
    if (len_ == cap_) flush();
    size_t take = cap_ - len_ < n ? cap_ - len_ : n;
    for (size_t i = 0; i < take; ++i) buf_[len_ + i] = s[i];
    len_ += take;
    s += take;
    n -= take;
  }
}

void Seq::puts(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  write(s, n);
}

void Seq::putc(char c) { write(&c, 1); }

void Seq::flush() {
  if (len_ == 0) return;
  if (fn_ != nullptr) fn_(ctx_, buf_, len_);
  flushed_ += len_;
  len_ = 0;
}

FixedSeq::FixedSeq(char* buf, size_t cap)
    : buf_(buf), cap_(cap), seq_(stage_, sizeof stage_, &FixedSeq::append, this) {
  if (cap_ > 0) buf_[0] = '\0';
}

void FixedSeq::append(void* ctx, const char* data, size_t len) {
  auto* self = static_cast<FixedSeq*>(ctx);
  if (self->cap_ == 0) return;
  size_t room = self->cap_ - 1 - self->used_;
  if (len > room) {
    len = room;
    self->truncated_ = true;
  }
  for (size_t i = 0; i < len; ++i) self->buf_[self->used_ + i] = data[i];
  self->used_ += len;
  self->buf_[self->used_] = '\0';
}

}  // namespace kmem
