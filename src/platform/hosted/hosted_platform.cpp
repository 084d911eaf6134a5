// SPDX-License-Identifier: MIT
#include "platform/hosted/hosted_platform.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/checks.h"
#include "base/spinlock.h"

namespace kmem::hosted {

namespace {

constexpr unsigned kUnbound = ~0u;
thread_local unsigned tls_cpu = kUnbound;
std::atomic<unsigned> next_cpu{0};

[[noreturn]] void hosted_panic(const char* msg) {
  std::fprintf(stderr, "%s\n", msg);
  std::fflush(stderr);
  std::abort();
}

void hosted_yield() { sched_yield(); }

}  // namespace

void install_process_hooks() {
  g_panic_hook = &hosted_panic;
  g_yield_hook = &hosted_yield;
}

HostedPlatform::HostedPlatform() {
  install_process_hooks();
  const char* echo = std::getenv("KMEM_CONSOLE");
  echo_ = echo != nullptr && std::strcmp(echo, "1") == 0;
}

HostedPlatform::~HostedPlatform() {
  if (fd_ >= 0) close(fd_);
}

void* HostedPlatform::map_physical(u64 bytes) {
  fd_ = memfd_create("kmem-physical-memory", MFD_CLOEXEC);
  if (fd_ < 0) return nullptr;
  if (ftruncate(fd_, off_t(bytes)) != 0) return nullptr;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd_, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void HostedPlatform::unmap_physical(void* base, u64 bytes) {
  if (base != nullptr) munmap(base, bytes);
}

void HostedPlatform::log(LogLevel level, const char* text, size_t len) {
  {
    std::lock_guard<std::mutex> g(log_mu_);
    log_.append(text, len);
    if (len == 0 || text[len - 1] != '\n') log_.push_back('\n');
  }
  if (echo_.load(std::memory_order_relaxed)) {
    std::fwrite(text, 1, len, stderr);
    if (len == 0 || text[len - 1] != '\n') std::fputc('\n', stderr);
  }
}

std::string HostedPlatform::take_log() {
  std::lock_guard<std::mutex> g(log_mu_);
  std::string out;
  out.swap(log_);
  return out;
}

unsigned HostedPlatform::current_cpu() {
  if (__builtin_expect(tls_cpu == kUnbound, 0))
    tls_cpu = next_cpu.fetch_add(1, std::memory_order_relaxed);
  return tls_cpu;
}

void HostedPlatform::bind_current_thread(unsigned cpu) { tls_cpu = cpu; }

int HostedPlatform::current_pid() { return int(gettid()); }

void HostedPlatform::current_comm(char* buf, size_t n) {
  char name[17] = {};
  if (prctl(PR_GET_NAME, name) != 0) std::strcpy(name, "kmem");
  std::snprintf(buf, n, "%s", name);
}

u64 HostedPlatform::now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return u64(ts.tv_sec) * 1000000000ull + u64(ts.tv_nsec);
}

}  // namespace kmem::hosted
