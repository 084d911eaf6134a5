// SPDX-License-Identifier: MIT
// The platform contract: everything the freestanding core needs from the
// world it runs in. A platform is a class satisfying the Platform concept
// below; make_platform_ops() erases it into PlatformOps, a table of plain
// function pointers, so that the core is compiled once, as ordinary object
// files, and never sees the platform's type.
//
// Every function must be callable from any thread, must not call back into
// the core, and must not allocate from the core.
#pragma once

#include <atomic>
#include <concepts>

#include "base/types.h"

namespace kmem {

inline constexpr unsigned CPU_SHARED = 1u << 31;

enum class LogLevel : int { emerg = 0, alert, crit, err, warning, notice, info, debug };

struct PlatformOps {
  void* ctx = nullptr;

  // Physical memory. map_physical() makes [0, bytes) of physical memory
  // addressable and returns the virtual address of physical address 0 (the
  // direct map), or nullptr on failure. Post: the range reads as zeroes when
  // physical_memory_zeroed is set. It may be lazily backed: the core touches
  // a page frame only when it hands it out or writes its descriptor.
  void* (*map_physical)(void* ctx, u64 bytes) = nullptr;
  void (*unmap_physical)(void* ctx, void* base, u64 bytes) = nullptr;
  bool physical_memory_zeroed = false;

  // The console: one call per complete line or report, without a trailing NUL.
  void (*log)(void* ctx, LogLevel level, const char* text, size_t len) = nullptr;

  // Identity of the calling thread: the CPU slot it runs on, its pid and its
  // command name (NUL-terminated, at most n bytes).
  //
  // current_cpu() returns the slot number (< the nr_cpus passed to
  // set_nr_cpus), with CPU_SHARED set when the thread does not own the slot
  // exclusively (another live thread owns it). Only an exclusive owner may
  // enter the slot's per-CPU data without an atomic instruction.
  unsigned (*current_cpu)(void* ctx) = nullptr;
  void (*set_nr_cpus)(void* ctx, unsigned nr) = nullptr;

  // An asymmetric full barrier (membarrier(2)): on return, every thread of
  // the process that was running has executed a full memory barrier. Returns
  // false when unsupported; the core then uses locks on its per-CPU paths.
  bool (*heavy_barrier)(void* ctx) = nullptr;
  int (*current_pid)(void* ctx) = nullptr;
  void (*current_comm)(void* ctx, char* buf, size_t n) = nullptr;

  // Monotonic time in nanoseconds.
  u64 (*now_ns)(void* ctx) = nullptr;

  // Sleeping (futex-style). wait() blocks while *word == expected, until a
  // wake() on word or timeout_ns (0 = no timeout) passes; it may return
  // early (spuriously). wake() wakes up to n waiters on word.
  void (*wait)(void* ctx, const std::atomic<u32>* word, u32 expected, u64 timeout_ns) = nullptr;
  void (*wake)(void* ctx, const std::atomic<u32>* word, int n) = nullptr;

  // Threads of the core's own (kswapd). start_thread() runs fn(arg) on a new
  // thread that owns no CPU slot, and returns a handle (nullptr on failure);
  // join_thread() waits for it to return and frees the handle.
  void* (*start_thread)(void* ctx, void (*fn)(void*), void* arg, const char* name) = nullptr;
  void (*join_thread)(void* ctx, void* handle) = nullptr;

  // Kernel virtual address space outside the direct map (kmap, vmalloc).
  // reserve_virtual() sets aside bytes of address space that fault when
  // touched, and returns its start (nullptr on failure); map_virtual()
  // makes [va, va + bytes) show physical [pa, pa + bytes) (aliasing the
  // direct map), unmap_virtual() makes it fault again. All page aligned.
  void* (*reserve_virtual)(void* ctx, u64 bytes) = nullptr;
  void (*release_virtual)(void* ctx, void* va, u64 bytes) = nullptr;
  bool (*map_virtual)(void* ctx, void* va, u64 pa, u64 bytes) = nullptr;
  void (*unmap_virtual)(void* ctx, void* va, u64 bytes) = nullptr;
};

template <typename P>
concept Platform = requires(P& p, u64 bytes, void* base, LogLevel lvl, const char* text, size_t len,
                            char* buf, const std::atomic<u32>* word, void (*fn)(void*)) {
  { p.map_physical(bytes) } -> std::same_as<void*>;
  { p.unmap_physical(base, bytes) } -> std::same_as<void>;
  { P::physical_memory_zeroed } -> std::convertible_to<bool>;
  { p.log(lvl, text, len) } -> std::same_as<void>;
  { p.current_cpu() } -> std::same_as<unsigned>;
  { p.set_nr_cpus(len) } -> std::same_as<void>;
  { p.heavy_barrier() } -> std::same_as<bool>;
  { p.current_pid() } -> std::same_as<int>;
  { p.current_comm(buf, len) } -> std::same_as<void>;
  { p.now_ns() } -> std::same_as<u64>;
  { p.wait(word, u32(0), bytes) } -> std::same_as<void>;
  { p.wake(word, int(0)) } -> std::same_as<void>;
  { p.start_thread(fn, base, text) } -> std::same_as<void*>;
  { p.join_thread(base) } -> std::same_as<void>;
  { p.reserve_virtual(bytes) } -> std::same_as<void*>;
  { p.release_virtual(base, bytes) } -> std::same_as<void>;
  { p.map_virtual(base, bytes, bytes) } -> std::same_as<bool>;
  { p.unmap_virtual(base, bytes) } -> std::same_as<void>;
};

template <Platform P>
PlatformOps make_platform_ops(P& p) {
  PlatformOps ops;
  ops.ctx = &p;
  ops.map_physical = [](void* c, u64 b) { return static_cast<P*>(c)->map_physical(b); };
  ops.unmap_physical = [](void* c, void* base, u64 b) {
    static_cast<P*>(c)->unmap_physical(base, b);
  };
  ops.physical_memory_zeroed = P::physical_memory_zeroed;
  ops.log = [](void* c, LogLevel l, const char* t, size_t n) { static_cast<P*>(c)->log(l, t, n); };
  ops.current_cpu = [](void* c) { return static_cast<P*>(c)->current_cpu(); };
  ops.set_nr_cpus = [](void* c, unsigned n) { static_cast<P*>(c)->set_nr_cpus(n); };
  ops.heavy_barrier = [](void* c) { return static_cast<P*>(c)->heavy_barrier(); };
  ops.current_pid = [](void* c) { return static_cast<P*>(c)->current_pid(); };
  ops.current_comm = [](void* c, char* b, size_t n) { static_cast<P*>(c)->current_comm(b, n); };
  ops.now_ns = [](void* c) { return static_cast<P*>(c)->now_ns(); };
  ops.wait = [](void* c, const std::atomic<u32>* w, u32 e, u64 t) {
    static_cast<P*>(c)->wait(w, e, t);
  };
  ops.wake = [](void* c, const std::atomic<u32>* w, int n) { static_cast<P*>(c)->wake(w, n); };
  ops.start_thread = [](void* c, void (*f)(void*), void* a, const char* name) {
    return static_cast<P*>(c)->start_thread(f, a, name);
  };
  ops.join_thread = [](void* c, void* h) { static_cast<P*>(c)->join_thread(h); };
  ops.reserve_virtual = [](void* c, u64 b) { return static_cast<P*>(c)->reserve_virtual(b); };
  ops.release_virtual = [](void* c, void* va, u64 b) {
    static_cast<P*>(c)->release_virtual(va, b);
  };
  ops.map_virtual = [](void* c, void* va, u64 pa, u64 b) {
    return static_cast<P*>(c)->map_virtual(va, pa, b);
  };
  ops.unmap_virtual = [](void* c, void* va, u64 b) { static_cast<P*>(c)->unmap_virtual(va, b); };
  return ops;
}

}  // namespace kmem
