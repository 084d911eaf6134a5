// SPDX-License-Identifier: MIT
// The hosted platform: a Linux process. Physical memory is a memfd mapped
// once as the direct map; the console is a buffer (and optionally stderr);
// a CPU is a slot bound to a thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "platform.h"

namespace kmem::hosted {

class HostedPlatform {
 public:
  HostedPlatform();
  ~HostedPlatform();
  HostedPlatform(const HostedPlatform&) = delete;
  HostedPlatform& operator=(const HostedPlatform&) = delete;

  // Platform concept.
  static constexpr bool physical_memory_zeroed = true;
  void* map_physical(u64 bytes);
  void unmap_physical(void* base, u64 bytes);
  void log(LogLevel level, const char* text, size_t len);
  unsigned current_cpu();
  void set_nr_cpus(unsigned nr) { nr_cpus_ = nr == 0 ? 1 : nr; }
  bool heavy_barrier();
  int current_pid();
  void current_comm(char* buf, size_t n);
  u64 now_ns();
  void wait(const std::atomic<u32>* word, u32 expected, u64 timeout_ns);
  void wake(const std::atomic<u32>* word, int n);
  void* start_thread(void (*fn)(void*), void* arg, const char* name);
  void join_thread(void* handle);
  void* reserve_virtual(u64 bytes);
  void release_virtual(void* va, u64 bytes);
  bool map_virtual(void* va, u64 pa, u64 bytes);
  void unmap_virtual(void* va, u64 bytes);

  int memfd() const { return fd_; }
  std::string take_log();
  void set_echo(bool on) { echo_ = on; }

  // Binds the calling thread to a CPU slot number for every machine in the
  // process; it gives up the slots it owns and claims cpu on next use.
  static void bind_current_thread(unsigned cpu);

  // Gives up every slot owned by the thread whose token this is (thread exit).
  void release_slots_of(const void* token);

 private:
  unsigned claim_slot(const void* token, unsigned hint);

  u64 generation_;
  unsigned nr_cpus_ = 1;
  std::atomic<unsigned> next_slot_{0};
  // Which thread owns each CPU slot exclusively (its token), or null.
  std::atomic<const void*> slot_owner_[NR_CPUS] = {};
  int fd_ = -1;
  std::mutex log_mu_;
  std::string log_;
  std::atomic<bool> echo_{false};
  // Handles of the core's threads, reachable from here (not only from
  // machine memory) until joined.
  std::mutex threads_mu_;
  std::vector<void*> threads_;
};

static_assert(Platform<HostedPlatform>);

// Installs the process-wide panic and yield hooks (idempotent).
void install_process_hooks();

}  // namespace kmem::hosted
