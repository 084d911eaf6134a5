/* SPDX-License-Identifier: MIT */
/*
 * A minimal check harness for the compat C programs: CHECK() prints what
 * failed and counts it; check_done() checks the machine's invariants and
 * returns the exit status.
 */
#ifndef KMEM_TESTS_COMPAT_CHECK_H
#define KMEM_TESTS_COMPAT_CHECK_H

#include <stdio.h>
#include <string.h>

#include <kmem/kmem.h>

static int check_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

/* The machine's free lists and counters are consistent. */
#define CHECK_INVARIANTS()                                                         \
  do {                                                                             \
    char msg_[512];                                                                \
    if (!kmem_check_invariants(msg_, sizeof msg_)) {                               \
      fprintf(stderr, "%s:%d: invariants broken: %s\n", __FILE__, __LINE__, msg_); \
      check_failures++;                                                            \
    }                                                                              \
  } while (0)

/* The console text printed since the last call (static buffer). */
static inline const char *take_log(void) {
  static char buf[1 << 20];
  long n = kmem_log_read(buf, sizeof buf);
  if (n < 0) buf[0] = '\0';
  return buf;
}

static int check_done(const char *name) {
  CHECK_INVARIANTS();
  if (check_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    return 1;
  }
  printf("%s: all checks passed\n", name);
  return 0;
}

#endif /* KMEM_TESTS_COMPAT_CHECK_H */
