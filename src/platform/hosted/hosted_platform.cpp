// SPDX-License-Identifier: MIT
#include "platform/hosted/hosted_platform.h"

#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/checks.h"
#include "base/spinlock.h"
#include "context/context.h"

namespace kmem::hosted {

namespace {

constexpr unsigned kUnbound = ~0u;
constexpr unsigned kNoSlot = ~0u - 1;  // the core's own threads: never own a slot

// Every live platform, so that a thread's slots are released when the thread
// exits and none is touched after its machine is gone.
std::mutex registry_mu;
std::vector<HostedPlatform*>& registry() {
  static std::vector<HostedPlatform*> live;
  return live;
}
std::atomic<u64> next_generation{1};

// The calling thread's CPU: a one-entry cache for the machine it used last.
// Trivially destructible, so that reading it is a plain TLS load (a
// thread_local with a destructor is reached through an init-guard wrapper).
struct ThreadCpu {
  u64 generation = 0;  // of the platform the cache is for; 0 = none
  unsigned cpu_word = 0;
  unsigned hint = kUnbound;
};
thread_local ThreadCpu tls_cpu;

// Gives the thread's slots back when it exits. Constructed on the slow path
// only, the first time the thread claims a slot.
struct SlotReleaser {
  bool armed = false;
  ~SlotReleaser() {
    if (!armed) return;
    std::lock_guard<std::mutex> g(registry_mu);
    for (HostedPlatform* p : registry()) p->release_slots_of(&tls_cpu);
  }
};
thread_local SlotReleaser tls_releaser;

int membarrier(int cmd) { return int(syscall(__NR_membarrier, cmd, 0, 0)); }

// MEMBARRIER_CMD_PRIVATE_EXPEDITED needs one registration per process.
bool membarrier_ready() {
  static const bool ok = [] {
    int cmds = membarrier(MEMBARRIER_CMD_QUERY);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return false;
    if (getenv("KMEM_NO_MEMBARRIER") != nullptr) return false;
    return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
  }();
  return ok;
}

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

HostedPlatform::HostedPlatform() : generation_(next_generation.fetch_add(1)) {
  install_process_hooks();
  {
    std::lock_guard<std::mutex> g(registry_mu);
    registry().push_back(this);
  }
  const char* echo = std::getenv("KMEM_CONSOLE");
  echo_ = echo != nullptr && std::strcmp(echo, "1") == 0;
}

HostedPlatform::~HostedPlatform() {
  {
    std::lock_guard<std::mutex> g(registry_mu);
    auto& r = registry();
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i] == this) {
        r[i] = r.back();
        r.pop_back();
        break;
      }
  }
  if (fd_ >= 0) close(fd_);
}

void* HostedPlatform::map_physical(u64 bytes) {
  fd_ = memfd_create("kmem-physical-memory", MFD_CLOEXEC);
  if (fd_ < 0) return nullptr;
  if (ftruncate(fd_, off_t(bytes)) != 0) return nullptr;
  // The direct map starts on a 1 GiB boundary, as x86-64's PAGE_OFFSET
  // does, so that a block of 2^n pages is 2^n-page aligned virtually too
  // (kmalloc(8192) is 8 KiB aligned, an order-10 block 4 MiB aligned).
  // Reserve room to align, then map the memfd over the aligned part.
  constexpr u64 kAlign = u64(1) << 30;
  void* r =
      mmap(nullptr, bytes + kAlign, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (r == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(r);
  const uintptr_t aligned = (start + kAlign - 1) & ~uintptr_t(kAlign - 1);
  if (aligned > start) munmap(r, aligned - start);
  const uintptr_t tail = aligned + bytes, end = start + bytes + kAlign;
  if (end > tail) munmap(reinterpret_cast<void*>(tail), end - tail);
  void* p = mmap(reinterpret_cast<void*>(aligned), bytes, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_NORESERVE | MAP_FIXED, fd_, 0);
  if (p == MAP_FAILED) {
    munmap(reinterpret_cast<void*>(aligned), bytes);
    return nullptr;
  }
  return p;
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
  ThreadCpu& t = tls_cpu;
  if (__builtin_expect(t.generation == generation_, 1)) return t.cpu_word;
  tls_releaser.armed = true;
  t.cpu_word = claim_slot(&t, t.hint);
  t.generation = generation_;
  return t.cpu_word;
}

// A thread keeps the slot it owns; otherwise it claims its hinted slot (from
// bind_current_thread) or, unhinted, the next free one. With none free it
// shares a slot and takes the core's shared paths.
unsigned HostedPlatform::claim_slot(const void* token, unsigned hint) {
  if (hint == kNoSlot) return CPU_SHARED;
  for (unsigned c = 0; c < nr_cpus_; ++c)
    if (slot_owner_[c].load(std::memory_order_relaxed) == token) return c;
  unsigned want = hint != kUnbound ? hint % nr_cpus_ : next_slot_.fetch_add(1) % nr_cpus_;
  for (unsigned i = 0; i < nr_cpus_; ++i) {
    unsigned c = (want + i) % nr_cpus_;
    const void* expected = nullptr;
    if (slot_owner_[c].compare_exchange_strong(expected, token)) return c;
    if (hint != kUnbound) break;  // bound threads do not wander to other slots
  }
  return want | CPU_SHARED;
}

void HostedPlatform::release_slots_of(const void* token) {
  for (unsigned c = 0; c < nr_cpus_; ++c) {
    const void* expected = token;
    slot_owner_[c].compare_exchange_strong(expected, nullptr);
  }
}

void HostedPlatform::bind_current_thread(unsigned cpu) {
  ThreadCpu& t = tls_cpu;
  t.hint = cpu;
  t.generation = 0;
  current_ctx().cpu_cache_uid = 0;  // the core's cache of this thread's slot
  std::lock_guard<std::mutex> g(registry_mu);
  for (HostedPlatform* p : registry()) p->release_slots_of(&t);
}

bool HostedPlatform::heavy_barrier() {
  if (!membarrier_ready()) return false;
  return membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0;
}

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

void HostedPlatform::wait(const std::atomic<u32>* word, u32 expected, u64 timeout_ns) {
  timespec ts{};
  if (timeout_ns != 0) {
    ts.tv_sec = time_t(timeout_ns / 1000000000ull);
    ts.tv_nsec = long(timeout_ns % 1000000000ull);
  }
  syscall(SYS_futex, reinterpret_cast<const u32*>(word), FUTEX_WAIT_PRIVATE, expected,
          timeout_ns != 0 ? &ts : nullptr, nullptr, 0);
}

void HostedPlatform::wake(const std::atomic<u32>* word, int n) {
  syscall(SYS_futex, reinterpret_cast<const u32*>(word), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr,
          0);
}

namespace {

struct ThreadStart {
  void (*fn)(void*);
  void* arg;
  char name[16];
};

void* thread_trampoline(void* p) {
  ThreadStart start = *static_cast<ThreadStart*>(p);
  delete static_cast<ThreadStart*>(p);
  tls_cpu.hint = kNoSlot;
  tls_cpu.generation = 0;
  prctl(PR_SET_NAME, start.name);
  start.fn(start.arg);
  return nullptr;
}

}  // namespace

void* HostedPlatform::start_thread(void (*fn)(void*), void* arg, const char* name) {
  auto* start = new ThreadStart{fn, arg, {}};
  std::snprintf(start->name, sizeof start->name, "%s", name);
  auto* handle = new pthread_t;
  if (pthread_create(handle, nullptr, &thread_trampoline, start) != 0) {
    delete start;
    delete handle;
    return nullptr;
  }
  std::lock_guard<std::mutex> g(threads_mu_);
  threads_.push_back(handle);
  return handle;
}

void HostedPlatform::join_thread(void* handle) {
  auto* t = static_cast<pthread_t*>(handle);
  pthread_join(*t, nullptr);
  {
    std::lock_guard<std::mutex> g(threads_mu_);
    std::erase(threads_, handle);
  }
  delete t;
}

void* HostedPlatform::reserve_virtual(u64 bytes) {
  void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void HostedPlatform::release_virtual(void* va, u64 bytes) {
  if (va != nullptr) munmap(va, bytes);
}

bool HostedPlatform::map_virtual(void* va, u64 pa, u64 bytes) {
  void* p = mmap(va, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd_, off_t(pa));
  return p != MAP_FAILED;
}

void HostedPlatform::unmap_virtual(void* va, u64 bytes) {
  mmap(va, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
}

}  // namespace kmem::hosted
