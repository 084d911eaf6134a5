/* SPDX-License-Identifier: MIT */
/*
 * <kmem/kmem.h>: machine control for the C API.
 *
 * The Linux-compatible C API (<linux/gfp.h>, <linux/mm.h>, ...) works on
 * the process's *current machine*. There is at most one at a time:
 *
 *   - The first C call that needs a machine boots a default one from the
 *     environment variable KMEM_CMDLINE (a kernel command line, e.g.
 *     "mem=2G cpus=8 numa=2"; unset means "mem=1G cpus=4"). This happens
 *     once, even when several threads make their first call together. If
 *     KMEM_CMDLINE does not boot, the process prints
 *     "kmem: KMEM_CMDLINE: <reason>" to stderr and exits with status 2.
 *   - kmem_machine_boot() replaces the current machine with a new one;
 *     kmem_machine_shutdown() destroys it (the next C call boots a default
 *     one again). Pages, addresses and struct page pointers of a destroyed
 *     machine are invalid. Neither may run while another thread is inside a
 *     C API call.
 *
 * Every function here may be called from any thread.
 */
#ifndef KMEM_KMEM_H
#define KMEM_KMEM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A machine. In C++ it is a kmem::Machine (see kmem::current_machine()). */
struct kmem_machine;

/* Boots a machine from cmdline and makes it current, destroying the
 * previous one. cmdline NULL means KMEM_CMDLINE or its default. Returns 0,
 * or -EINVAL (the current machine is unchanged) with the reason in
 * kmem_last_error(). */
int kmem_machine_boot(const char* cmdline);

/* The current machine, booting the default one if there is none. */
struct kmem_machine* kmem_machine_current(void);

/* Destroys the current machine, if any. */
void kmem_machine_shutdown(void);

/* The message of the calling thread's last failed kmem_* call ("" if none).
 * Valid until that thread's next kmem_* call. */
const char* kmem_last_error(void);

/* Copies the text of a /proc-style view of the current machine into buf
 * (NUL-terminated, truncated to len - 1 bytes) and returns its full length,
 * like snprintf(). Names: "buddyinfo", "pagetypeinfo", "zoneinfo",
 * "meminfo", "vmstat", "unusable_index", "extfrag_index", "e820",
 * "memblock/memory", "memblock/reserved". -ENOENT for another name. */
long kmem_proc_read(const char* name, char* buf, size_t len);

/* Takes everything the current machine printed to its console since the
 * last call (printk(), warnings, bug reports): copies it into buf like
 * kmem_proc_read() and returns its full length. What does not fit is lost. */
long kmem_log_read(char* buf, size_t len);

/* Also write the console to stderr as it is printed (default: off, or
 * on when the environment variable KMEM_CONSOLE=1). */
void kmem_console_echo(int on);

/* Binds the calling thread to CPU slot cpu (for every machine: the per-CPU
 * lists it uses and its NUMA node). Returns 0, or -EINVAL if cpu is not a
 * CPU of the current machine (or, with no machine yet, cpu >= 256). */
int kmem_bind_cpu(unsigned int cpu);

/* Misuse the current machine detected and reported, by kind. */
enum kmem_bug_kind {
  KMEM_BUG_BAD_PAGE,     /* a page in a bad state at alloc or free */
  KMEM_BUG_BAD_FREE,     /* a free of something not allocated */
  KMEM_BUG_WARN,         /* a WARN_ON() that fired, the library's or the caller's */
  KMEM_BUG_ATOMIC_SLEEP, /* a call that may sleep made in atomic context
                            ("BUG: sleeping function called from invalid
                            context"; counted every time, printed at most once
                            a second) */
  KMEM_BUG_SLAB          /* a slab error: slub_debug's "BUG <cache>: ..."
                            reports (corruption, double free, leaks at
                            kmem_cache_destroy) */
};
unsigned long kmem_bug_count(enum kmem_bug_kind kind);

/* echo 2 > /proc/sys/vm/drop_caches: calls the current machine's shrinkers
 * (<linux/shrinker.h>) at the lowest priority until they free (almost)
 * nothing more. Returns the objects they freed. */
unsigned long kmem_drop_slab(void);

/* Walks the current machine's free lists and counters. Returns 1 when every
 * invariant holds; otherwise 0 with a description in msg (when len > 0). */
int kmem_check_invariants(char* msg, size_t len);

#ifdef __cplusplus
} /* extern "C" */

namespace kmem {
class Machine;
/* The current machine as the C++ API's type. */
inline Machine* current_machine() { return reinterpret_cast<Machine*>(kmem_machine_current()); }
}  // namespace kmem
#endif

#endif /* KMEM_KMEM_H */
