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
};

template <typename P>
concept Platform = requires(P& p, u64 bytes, void* base, LogLevel lvl, const char* text, size_t len,
                            char* buf) {
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
  return ops;
}

}  // namespace kmem
