// SPDX-License-Identifier: MIT
// vformat() against the C library's snprintf for every conversion the core
// uses, plus the %p form (the kernel's %px: always 16 hex digits) and the two
// sinks, Seq and FixedSeq.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/format.h"

namespace {

// Formats the same arguments with kmem::format and snprintf and compares the
// text and the returned length. Both functions carry the printf attribute, so
// the compiler checks every call below.
#define EXPECT_LIKE_SNPRINTF(...)                            \
  do {                                                       \
    char ours[512];                                          \
    char libc[512];                                          \
    size_t n = kmem::format(ours, sizeof ours, __VA_ARGS__); \
    int m = std::snprintf(libc, sizeof libc, __VA_ARGS__);   \
    EXPECT_STREQ(ours, libc) << "format: " << #__VA_ARGS__;  \
    EXPECT_EQ(n, size_t(m)) << "format: " << #__VA_ARGS__;   \
  } while (0)

TEST(Format, UnsignedWidths) {
  for (unsigned long v : {0UL, 1UL, 9UL, 10UL, 12345UL, 999999UL, 1234567UL, ULONG_MAX}) {
    EXPECT_LIKE_SNPRINTF("%6lu", v);
    EXPECT_LIKE_SNPRINTF("%-6lu|", v);
    EXPECT_LIKE_SNPRINTF("%06lu", v);
    EXPECT_LIKE_SNPRINTF("%lu", v);
    EXPECT_LIKE_SNPRINTF("%8lu kB", v);
  }
  for (unsigned long long v : {0ULL, 42ULL, 1ULL << 32, 1ULL << 63, ULLONG_MAX}) {
    EXPECT_LIKE_SNPRINTF("%llu", v);
    EXPECT_LIKE_SNPRINTF("%20llu", v);
    EXPECT_LIKE_SNPRINTF("%-22llu|", v);
    EXPECT_LIKE_SNPRINTF("%llx", v);
    EXPECT_LIKE_SNPRINTF("%016llx", v);
    EXPECT_LIKE_SNPRINTF("%#llx", v);
    EXPECT_LIKE_SNPRINTF("%llo", v);
  }
}

TEST(Format, SignedWidths) {
  for (int v : {0, 1, -1, 7, -7, 42, -42, 12345, -12345, INT_MAX, INT_MIN}) {
    EXPECT_LIKE_SNPRINTF("%d", v);
    EXPECT_LIKE_SNPRINTF("%5d", v);
    EXPECT_LIKE_SNPRINTF("%-5d|", v);
    EXPECT_LIKE_SNPRINTF("%05d", v);
    EXPECT_LIKE_SNPRINTF("%+d", v);
    EXPECT_LIKE_SNPRINTF("% d", v);
    EXPECT_LIKE_SNPRINTF("%i", v);
    EXPECT_LIKE_SNPRINTF("%2d.%03d ", v / 1000, int((v < 0 ? -(long long)v : v) % 1000));
  }
  for (long long v : {0LL, -1LL, LLONG_MIN, LLONG_MAX, 1LL << 40}) {
    EXPECT_LIKE_SNPRINTF("%lld", v);
    EXPECT_LIKE_SNPRINTF("%24lld", v);
  }
  for (long v : {0L, -5L, LONG_MIN, LONG_MAX}) EXPECT_LIKE_SNPRINTF("%8ld", v);
}

TEST(Format, Hex) {
  for (unsigned v : {0u, 1u, 0xau, 0xffu, 0x1234u, 0xdeadbeefu, UINT_MAX}) {
    EXPECT_LIKE_SNPRINTF("%x", v);
    EXPECT_LIKE_SNPRINTF("%X", v);
    EXPECT_LIKE_SNPRINTF("%#x", v);
    EXPECT_LIKE_SNPRINTF("%#X", v);
    EXPECT_LIKE_SNPRINTF("%8x", v);
    EXPECT_LIKE_SNPRINTF("%08x", v);
    EXPECT_LIKE_SNPRINTF("%-8x|", v);
    EXPECT_LIKE_SNPRINTF("%#10x", v);
    EXPECT_LIKE_SNPRINTF("%o", v);
  }
}

TEST(Format, LengthModifiers) {
  EXPECT_LIKE_SNPRINTF("%hhu", (unsigned char)200);
  EXPECT_LIKE_SNPRINTF("%hhd", (signed char)-100);
  EXPECT_LIKE_SNPRINTF("%hu", (unsigned short)65535);
  EXPECT_LIKE_SNPRINTF("%hd", (short)-32768);
  EXPECT_LIKE_SNPRINTF("%zu", size_t(1) << 40);
  EXPECT_LIKE_SNPRINTF("%zx", ~size_t(0));
  EXPECT_LIKE_SNPRINTF("%ju", uintmax_t(123456789012345ULL));
  EXPECT_LIKE_SNPRINTF("%jd", intmax_t(-123456789012345LL));
  EXPECT_LIKE_SNPRINTF("%td", ptrdiff_t(-4096));
}

TEST(Format, Strings) {
  for (const char* s : {"", "a", "Normal", "DMA32", "kmalloc-192", "a rather long string here"}) {
    EXPECT_LIKE_SNPRINTF("%s", s);
    EXPECT_LIKE_SNPRINTF("%8s", s);
    EXPECT_LIKE_SNPRINTF("%-12s|", s);
    EXPECT_LIKE_SNPRINTF("%.3s", s);
    EXPECT_LIKE_SNPRINTF("%10.2s|", s);
    EXPECT_LIKE_SNPRINTF("Node %d, zone %8s ", 0, s);
  }
  const char* text = "memmap=64M$256M";
  for (int prec = 0; prec <= 15; ++prec) {
    EXPECT_LIKE_SNPRINTF("%.*s", prec, text);
    EXPECT_LIKE_SNPRINTF("[%*s]", prec, "ab");
    EXPECT_LIKE_SNPRINTF("[%-*s]", prec, "ab");
  }
  EXPECT_LIKE_SNPRINTF("[%*d]", -6, 42);  // negative '*' width means left-justify
  EXPECT_LIKE_SNPRINTF("%c%c%c", 'k', 'm', 'm');
  EXPECT_LIKE_SNPRINTF("%3c|%-3c|", 'x', 'y');
  EXPECT_LIKE_SNPRINTF("100%%");
  EXPECT_LIKE_SNPRINTF("%s=%lu %s", "nr_free_pages", 123UL, "x");
}

TEST(Format, NumberPrecision) {
  for (int v : {0, 5, -5, 123456}) {
    EXPECT_LIKE_SNPRINTF("%.3d", v);
    EXPECT_LIKE_SNPRINTF("%8.3d", v);
    EXPECT_LIKE_SNPRINTF("%.0d|", v);
  }
  EXPECT_LIKE_SNPRINTF("%.4x", 0xabu);
}

TEST(Format, PointerIsPxStyle) {
  char buf[64];
  int x = 0;
  void* p = &x;
  char expect[64];
  std::snprintf(expect, sizeof expect, "0x%016llx", (unsigned long long)(uintptr_t)p);
  kmem::format(buf, sizeof buf, "%p", p);
  EXPECT_STREQ(buf, expect);
  kmem::format(buf, sizeof buf, "%p", nullptr);
  EXPECT_STREQ(buf, "0x0000000000000000");
  kmem::format(buf, sizeof buf, "%p", reinterpret_cast<void*>(uintptr_t(0xffff888012345000ULL)));
  EXPECT_STREQ(buf, "0xffff888012345000");
}

TEST(Format, TruncatesAndReturnsFullLength) {
  char buf[8];
  std::memset(buf, 'X', sizeof buf);
  size_t n = kmem::format(buf, sizeof buf, "%s-%d", "abcdefgh", 12345);
  EXPECT_EQ(n, std::strlen("abcdefgh-12345"));
  EXPECT_STREQ(buf, "abcdefg");
  // size 0: nothing written, length still computed.
  char one = 'Z';
  EXPECT_EQ(kmem::format(&one, 0, "%d", 1234), 4u);
  EXPECT_EQ(one, 'Z');
  // size 1: only the terminator.
  EXPECT_EQ(kmem::format(&one, 1, "abc"), 3u);
  EXPECT_EQ(one, '\0');
}

// ---- Seq and FixedSeq ---------------------------------------------------------

struct Collected {
  std::string text;
  int flushes = 0;
};

void collect(void* ctx, const char* data, size_t len) {
  auto* c = static_cast<Collected*>(ctx);
  c->text.append(data, len);
  ++c->flushes;
}

TEST(Seq, FlushesWhenFullAndOnDestruction) {
  Collected c;
  char buf[16];
  std::string expect;
  {
    kmem::Seq s(buf, sizeof buf, &collect, &c);
    for (int i = 0; i < 50; ++i) {
      s.print("%d,", i);
      expect += std::to_string(i) + ",";
    }
    s.puts("end");
    s.putc('!');
    s.write("xyz", 3);
    expect += "end!xyz";
    EXPECT_EQ(s.total(), expect.size());
  }
  EXPECT_EQ(c.text, expect);
  EXPECT_GT(c.flushes, 1);
}

TEST(Seq, LongWriteSpansSeveralFlushes) {
  Collected c;
  char buf[8];
  std::string big(1000, 'q');
  {
    kmem::Seq s(buf, sizeof buf, &collect, &c);
    s.write(big.data(), big.size());
    s.flush();
    EXPECT_EQ(s.total(), big.size());
  }
  EXPECT_EQ(c.text, big);
}

TEST(Seq, RecordLongerThanBufferIsTruncatedNotOverflowed) {
  Collected c;
  char guard_before[8];
  char buf[16];
  char guard_after[8];
  std::memset(guard_before, 0x5a, sizeof guard_before);
  std::memset(guard_after, 0x5a, sizeof guard_after);
  {
    kmem::Seq s(buf, sizeof buf, &collect, &c);
    s.print("%s", "this record is much longer than sixteen bytes");
  }
  for (char g : guard_before) EXPECT_EQ(g, 0x5a);
  for (char g : guard_after) EXPECT_EQ(g, 0x5a);
  EXPECT_EQ(c.text, std::string("this record is much longer than sixteen bytes").substr(0, 15));
}

TEST(FixedSeq, AccumulatesAndTruncates) {
  char out[32];
  kmem::FixedSeq f(out, sizeof out);
  f.seq().print("%s %d", "hello", 42);
  EXPECT_STREQ(f.c_str(), "hello 42");
  EXPECT_EQ(f.length(), 8u);
  EXPECT_FALSE(f.truncated());
  for (int i = 0; i < 10; ++i) f.seq().print("%05d", i);
  EXPECT_EQ(f.length(), sizeof out - 1);
  EXPECT_TRUE(f.truncated());
  EXPECT_EQ(std::strlen(f.c_str()), sizeof out - 1);
  EXPECT_EQ(std::string(f.c_str()).substr(0, 18), "hello 420000000001");
}

TEST(FixedSeq, LargeOutputThroughSmallStage) {
  static char out[4096];
  kmem::FixedSeq f(out, sizeof out);
  std::string expect;
  for (int i = 0; i < 200; ++i) {
    f.seq().print("%4d:%-6s\n", i, i % 2 ? "odd" : "even");
    char line[32];
    std::snprintf(line, sizeof line, "%4d:%-6s\n", i, i % 2 ? "odd" : "even");
    expect += line;
  }
  EXPECT_FALSE(f.truncated());
  EXPECT_EQ(std::string(f.c_str()), expect);
}

}  // namespace
