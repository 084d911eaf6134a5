// SPDX-License-Identifier: MIT
// bench_slab_peers -- kmem's slab allocator and kmalloc side by side with the
// user-space allocators: glibc malloc, tcmalloc (gperftools, minimal),
// jemalloc and mimalloc. Workloads (docs/benchmarks.md, "Slab and kmalloc
// against the peers"; W1-W5 of the reference harness):
//   W1 pair      alloc + free of one object, one byte written, for every
//                kmalloc class 8 B .. 8 KiB
//   W2 batch     1000 allocations, then 1000 frees in LIFO order, 64 B and
//                1 KiB; kmem_cache also runs kmem_cache_alloc_bulk/free_bulk
//                (the peers' figure on that row is their loop's)
//   W3 churn     a 64K-slot table, random slot replaced by a random size
//                8..4096 B (fixed seed); ns/op, peak RSS, requested bytes
//                against ksize()/malloc_usable_size() bytes
//   W4 prodcons  one thread allocates 64 B objects and hands them in batches
//                of 64 through a bounded ring (mutex + condition variable, no
//                spinning) to a second thread that frees them
//   W5 larson    2 threads, each with an array of chunks 8..1000 B replaced
//                at random; the arrays pass to the next generation of threads
//
// Each (run, workload, allocator) is its own child process: the program
// executes itself again (/proc/self/exe) with the hidden argument
// --child=<allocator> --workload=<w>, and for a peer with LD_PRELOAD=<its .so>
// (glibc: no preload). The child runs the workload with plain malloc/free, or
// for kmem on a kmem::Machine ("mem=1G cpus=2", its threads bound to CPU
// slots 0 and 1, GFP_KERNEL) with kmem_cache_alloc/free on a cache of the
// exact size or kmalloc/kfree, and writes its figures to stdout, which is a
// pipe to the parent. One child per workload makes the peak RSS (getrusage
// ru_maxrss) that workload's. Runs are interleaved allocator by allocator; the
// table gives the median and the minimum over the runs (5 runs with 50 ms
// measurements; --quick: 3 runs, 3 ms measurements and smaller W3-W5).
//
//   bench_slab_peers [--quick] [--json FILE] [--reps N] [--no-peers]
//                    [--workloads pair,batch,churn,prodcons,larson]
//                    [--allocators kmem_cache,kmalloc,glibc,tcmalloc,jemalloc,mimalloc]
//
// A peer's library comes from KMEM_BENCH_<NAME>_SO in the environment (NAME =
// TCMALLOC, JEMALLOC, MIMALLOC), else the path CMake found at configure time,
// else a search of the usual library directories; without one its column
// stays empty.
#include <dlfcn.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if __has_include("slab/slab.h") && !defined(KMEM_BENCH_NO_KMEM)
#define KMEM_BENCH_HAVE_SLAB 1
#include "kernel.h"
#include "kmem/machine.hpp"
#include "slab/slab.h"
#else
#define KMEM_BENCH_HAVE_SLAB 0
#endif

#ifndef KMEM_BENCH_TCMALLOC_SO
#define KMEM_BENCH_TCMALLOC_SO ""
#endif
#ifndef KMEM_BENCH_JEMALLOC_SO
#define KMEM_BENCH_JEMALLOC_SO ""
#endif
#ifndef KMEM_BENCH_MIMALLOC_SO
#define KMEM_BENCH_MIMALLOC_SO ""
#endif

namespace {

using u64 = std::uint64_t;

// ---- allocators and workloads ---------------------------------------------------

enum Alloc : int { KMEM_CACHE, KMALLOC, GLIBC, TCMALLOC, JEMALLOC, MIMALLOC, NR_ALLOCS };
constexpr const char* ALLOC_NAMES[NR_ALLOCS] = {"kmem_cache", "kmalloc",  "glibc",
                                                "tcmalloc",   "jemalloc", "mimalloc"};
constexpr bool is_kmem(int a) { return a == KMEM_CACHE || a == KMALLOC; }
constexpr int FIRST_PEER = GLIBC;

enum Workload : int { W_PAIR, W_BATCH, W_CHURN, W_PRODCONS, W_LARSON, NR_WORKLOADS };
constexpr const char* WORKLOAD_NAMES[NR_WORKLOADS] = {"pair", "batch", "churn", "prodcons",
                                                      "larson"};
constexpr const char* WORKLOAD_TAGS[NR_WORKLOADS] = {"W1", "W2", "W3", "W4", "W5"};

// kmem_cache has no variable-size API: W3 and W5 are kmalloc-only for kmem.
constexpr bool runs(int a, int w) { return !(a == KMEM_CACHE && (w == W_CHURN || w == W_LARSON)); }

constexpr unsigned PAIR_SIZES[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
constexpr unsigned BATCH_SIZES[] = {64, 1024};
constexpr unsigned BATCH_OBJECTS = 1000;
constexpr unsigned PC_SIZE = 64, PC_BATCH = 64, PC_RING = 16;
constexpr unsigned CHURN_MIN = 8, CHURN_MAX = 4096;
constexpr unsigned LARSON_MIN = 8, LARSON_MAX = 1000, LARSON_THREADS = 2;

struct Params {
  double target_ns;  // W1/W2: minimum time of one measurement
  unsigned churn_slots;
  u64 churn_ops;
  u64 pc_objects;
  unsigned larson_chunks;  // per thread
  u64 larson_ops;          // per thread per generation
  unsigned larson_generations;
};
constexpr Params FULL = {50e6, 65536, 2000000, 2000000, 5000, 200000, 5};
constexpr Params QUICK = {3e6, 16384, 200000, 200000, 5000, 30000, 3};

// One table row: what the child prints as "R <id> <ns/op>".
struct Row {
  std::string id, label;
  int workload;
};

std::vector<Row> all_rows() {
  std::vector<Row> rows;
  char id[64], label[64];
  for (unsigned s : PAIR_SIZES) {
    std::snprintf(id, sizeof id, "pair.%u", s);
    std::snprintf(label, sizeof label, "W1 pair %u B", s);
    rows.push_back({id, label, W_PAIR});
  }
  for (unsigned s : BATCH_SIZES) {
    std::snprintf(id, sizeof id, "batch.lifo.%u", s);
    std::snprintf(label, sizeof label, "W2 1000x%u B LIFO", s);
    rows.push_back({id, label, W_BATCH});
  }
  for (unsigned s : BATCH_SIZES) {
    std::snprintf(id, sizeof id, "batch.bulk.%u", s);
    std::snprintf(label, sizeof label, "W2 bulk 1000x%u B", s);
    rows.push_back({id, label, W_BATCH});
  }
  rows.push_back({"churn", "W3 churn 8-4096 B", W_CHURN});
  rows.push_back({"prodcons.64", "W4 1P1C 64 B x64", W_PRODCONS});
  rows.push_back({"larson", "W5 larson 2T 8-1000", W_LARSON});
  return rows;
}

// ---- small tools ----------------------------------------------------------------

inline void escape(void* p) { asm volatile("" : : "r"(p) : "memory"); }
inline void touch(void* p, u64 i) {
  *static_cast<char*>(p) = char(i);
  escape(p);
}

double now_ns() {
  return double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count());
}

// xorshift64*: fixed seeds, a few instructions per number.
struct Rng {
  u64 s;
  explicit Rng(u64 seed) : s(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  u64 next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  unsigned range(unsigned lo, unsigned hi) { return lo + unsigned(next() % (hi - lo + 1)); }
};

long rss_now_kb() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

long rss_peak_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Runs body(n) with growing n until one run lasts target_ns; returns ns per
// op of that run (the shorter runs before it are the warm-up).
template <class Body>
double measure(Body&& body, double ops_per_iter, double target_ns) {
  u64 n = 16;
  body(n);
  for (;;) {
    double t0 = now_ns();
    body(n);
    double dt = now_ns() - t0;
    if (dt >= target_ns || n >= (u64(1) << 40)) return dt / (double(n) * ops_per_iter);
    double want = double(n) * target_ns * 1.15 / std::max(dt, 1.0);
    n = u64(std::clamp(want, double(n) * 2, double(n) * 100));
  }
}

void report(const char* id, double ns) { std::printf("R %s %.3f\n", id, ns); }

// ---- allocator front ends -------------------------------------------------------
// Fixed-size front ends (W1, W2, W4): alloc() / free(p). Variable-size ones
// (W3, W5): alloc(n) / free(p) / usable(p).

// Every front end is forced inline: GCC otherwise keeps some of them as
// out-of-line clones (CacheFixed::free was one), and the measurement would
// include a call layer the API itself does not have.
#define KMEM_BENCH_INLINE [[gnu::always_inline]] inline

struct MallocFixed {
  std::size_t size;
  KMEM_BENCH_INLINE void* alloc() { return std::malloc(size); }
  KMEM_BENCH_INLINE void free(void* p) { std::free(p); }
};
struct MallocVar {
  KMEM_BENCH_INLINE void* alloc(std::size_t n) { return std::malloc(n); }
  KMEM_BENCH_INLINE void free(void* p) { std::free(p); }
  KMEM_BENCH_INLINE std::size_t usable(void* p) { return malloc_usable_size(p); }
};

#if KMEM_BENCH_HAVE_SLAB
constexpr kmem::gfp_t GFP = kmem::gfp::KERNEL;

struct CacheFixed {
  kmem::Kernel* k;
  kmem::KmemCache* c;
  KMEM_BENCH_INLINE void* alloc() { return k->kmem_cache_alloc(c, GFP); }
  KMEM_BENCH_INLINE void free(void* p) { k->kmem_cache_free(c, p); }
};
struct KmallocFixed {
  kmem::Kernel* k;
  std::size_t size;
  KMEM_BENCH_INLINE void* alloc() { return k->kmalloc(size, GFP); }
  KMEM_BENCH_INLINE void free(void* p) { k->kfree(p); }
};
struct KmallocVar {
  kmem::Kernel* k;
  KMEM_BENCH_INLINE void* alloc(std::size_t n) { return k->kmalloc(n, GFP); }
  KMEM_BENCH_INLINE void free(void* p) { k->kfree(p); }
  KMEM_BENCH_INLINE std::size_t usable(void* p) { return k->ksize(p); }
};
#endif

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "bench_slab_peers: %s\n", what);
  std::fflush(stdout);
  std::_Exit(3);
}
inline void* check(void* p) {
  if (__builtin_expect(p == nullptr, 0)) die("allocation failed");
  return p;
}

// Thread binding: kmem threads own a CPU slot each; peers ignore it.
// owns_slot() reports (a "W" line, an error in the parent) a kmem thread
// that ended up sharing a slot, i.e. ran kmem's shared slow paths.
struct Binder {
  void* kernel;  // kmem::Kernel*, or nullptr for a peer
  void bind(unsigned cpu) const {
#if KMEM_BENCH_HAVE_SLAB
    if (kernel != nullptr) kmem::Machine::bind_current_thread(cpu);
#else
    (void)cpu;
#endif
  }
  void owns_slot(const char* who) const {
#if KMEM_BENCH_HAVE_SLAB
    if (kernel != nullptr && !static_cast<kmem::Kernel*>(kernel)->this_cpu().exclusive)
      std::printf("W %s ran on a shared CPU slot\n", who);
#else
    (void)who;
#endif
  }
};

// ---- W1: pair ---------------------------------------------------------------------

template <class A>
double w1_pair(A a, double target) {
  return measure(
      [&](u64 n) {
        for (u64 i = 0; i < n; ++i) {
          void* p = check(a.alloc());
          touch(p, i);
          a.free(p);
        }
      },
      1, target);
}

// ---- W2: batch --------------------------------------------------------------------

template <class A>
double w2_batch(A a, double target) {
  void* ptrs[BATCH_OBJECTS];
  return measure(
      [&](u64 n) {
        for (u64 i = 0; i < n; ++i) {
          for (unsigned j = 0; j < BATCH_OBJECTS; ++j) {
            ptrs[j] = check(a.alloc());
            touch(ptrs[j], j);
          }
          escape(ptrs);
          for (unsigned j = BATCH_OBJECTS; j-- > 0;) a.free(ptrs[j]);
        }
      },
      BATCH_OBJECTS, target);
}

// ---- W3: churn --------------------------------------------------------------------

template <class A>
void w3_churn(A a, const Params& P) {
  std::vector<void*> slot(P.churn_slots);
  std::vector<unsigned> req(P.churn_slots);
  Rng rng(0x5EED0003);
  for (unsigned i = 0; i < P.churn_slots; ++i) {
    req[i] = rng.range(CHURN_MIN, CHURN_MAX);
    slot[i] = check(a.alloc(req[i]));
    touch(slot[i], i);
  }
  const unsigned mask = P.churn_slots - 1;  // a power of two
  double t0 = now_ns();
  for (u64 i = 0; i < P.churn_ops; ++i) {
    u64 r = rng.next();
    unsigned s = unsigned(r) & mask;
    unsigned n = CHURN_MIN + unsigned((r >> 32) % (CHURN_MAX - CHURN_MIN + 1));
    a.free(slot[s]);
    slot[s] = check(a.alloc(n));
    req[s] = n;
    touch(slot[s], i);
  }
  double dt = now_ns() - t0;
  report("churn", dt / double(P.churn_ops));
  u64 requested = 0, usable = 0;
  for (unsigned i = 0; i < P.churn_slots; ++i) {
    requested += req[i];
    usable += a.usable(slot[i]);
  }
  std::printf("F %llu %llu\n", (unsigned long long)requested, (unsigned long long)usable);
  for (void* p : slot) a.free(p);
}

// ---- W4: producer/consumer --------------------------------------------------------

// A bounded ring of batches with blocking hand-off: each side sleeps on its
// condition variable and is woken only when it is actually waiting.
struct Ring {
  void* items[PC_RING][PC_BATCH];
  unsigned head = 0, tail = 0;  // tail - head batches in the ring
  bool done = false;
  std::mutex mu;
  std::condition_variable not_full, not_empty;
  bool producer_waits = false, consumer_waits = false;
};

template <class A>
void w4_prodcons(A a, const Params& P, Binder b) {
  Ring ring;
  const u64 batches = P.pc_objects / PC_BATCH;
  std::atomic<bool> started{false};
  std::thread consumer([&] {
    b.bind(1);
    started.store(true);
    for (;;) {
      void** batch;
      {
        std::unique_lock<std::mutex> g(ring.mu);
        while (ring.head == ring.tail && !ring.done) {
          ring.consumer_waits = true;
          ring.not_empty.wait(g);
          ring.consumer_waits = false;
        }
        if (ring.head == ring.tail) return;
        batch = ring.items[ring.head % PC_RING];
      }
      for (unsigned j = 0; j < PC_BATCH; ++j) a.free(batch[j]);
      if (ring.head == 0) b.owns_slot("W4 consumer");
      std::unique_lock<std::mutex> g(ring.mu);
      ++ring.head;
      if (ring.producer_waits) ring.not_full.notify_one();
    }
  });
  while (!started.load()) std::this_thread::yield();
  double t0 = now_ns();
  for (u64 i = 0; i < batches; ++i) {
    void** batch;
    {
      std::unique_lock<std::mutex> g(ring.mu);
      while (ring.tail - ring.head == PC_RING) {
        ring.producer_waits = true;
        ring.not_full.wait(g);
        ring.producer_waits = false;
      }
      batch = ring.items[ring.tail % PC_RING];
    }
    for (unsigned j = 0; j < PC_BATCH; ++j) {
      batch[j] = check(a.alloc());
      touch(batch[j], j);
    }
    std::unique_lock<std::mutex> g(ring.mu);
    ++ring.tail;
    if (ring.consumer_waits) ring.not_empty.notify_one();
  }
  {
    std::unique_lock<std::mutex> g(ring.mu);
    ring.done = true;
    ring.not_empty.notify_one();
  }
  consumer.join();
  double dt = now_ns() - t0;
  b.owns_slot("W4 producer");
  report("prodcons.64", dt / double(batches * PC_BATCH));
}

// ---- W5: larson -------------------------------------------------------------------

template <class A>
void w5_larson(A a, const Params& P, Binder b) {
  const unsigned n = P.larson_chunks;
  std::vector<std::vector<void*>> arrays(LARSON_THREADS, std::vector<void*>(n));
  {
    Rng rng(0x5EED0005);
    for (auto& arr : arrays)
      for (unsigned i = 0; i < n; ++i) {
        arr[i] = check(a.alloc(rng.range(LARSON_MIN, LARSON_MAX)));
        touch(arr[i], i);
      }
  }
  // The main thread gives its CPU slot up while the workers run (kmem: a
  // rebind releases the slot until the thread next calls into the machine).
  b.bind(0);
  double t0 = now_ns();
  for (unsigned gen = 0; gen < P.larson_generations; ++gen) {
    std::thread th[LARSON_THREADS];
    for (unsigned t = 0; t < LARSON_THREADS; ++t)
      th[t] = std::thread([&, t, gen] {
        b.bind(t);
        std::vector<void*>& arr = arrays[t];
        Rng rng(0x1A450000ull + gen * 131 + t);
        for (u64 i = 0; i < P.larson_ops; ++i) {
          u64 r = rng.next();
          unsigned s = unsigned(r % n);
          unsigned sz = LARSON_MIN + unsigned((r >> 32) % (LARSON_MAX - LARSON_MIN + 1));
          a.free(arr[s]);
          arr[s] = check(a.alloc(sz));
          touch(arr[s], i);
        }
        b.owns_slot("W5 worker");
      });
    for (auto& t : th) t.join();
    // Bleeding: the next generation's thread t works on the array of t + 1.
    std::rotate(arrays.begin(), arrays.begin() + 1, arrays.end());
  }
  double dt = now_ns() - t0;
  report("larson", dt / double(u64(P.larson_generations) * LARSON_THREADS * P.larson_ops));
  b.bind(0);
  for (auto& arr : arrays)
    for (void* p : arr) a.free(p);
}

// ---- the child ----------------------------------------------------------------------

void run_peer_workload(int w, const Params& P) {
  Binder nob{nullptr};
  switch (w) {
    case W_PAIR:
      for (unsigned s : PAIR_SIZES) {
        char id[32];
        std::snprintf(id, sizeof id, "pair.%u", s);
        report(id, w1_pair(MallocFixed{s}, P.target_ns));
      }
      break;
    case W_BATCH:
      for (unsigned s : BATCH_SIZES) {
        char id[32];
        double ns = w2_batch(MallocFixed{s}, P.target_ns);
        std::snprintf(id, sizeof id, "batch.lifo.%u", s);
        report(id, ns);
        std::snprintf(id, sizeof id, "batch.bulk.%u", s);  // the peers' "bulk" is their loop
        report(id, ns);
      }
      break;
    case W_CHURN: w3_churn(MallocVar{}, P); break;
    case W_PRODCONS: w4_prodcons(MallocFixed{PC_SIZE}, P, nob); break;
    case W_LARSON: w5_larson(MallocVar{}, P, nob); break;
  }
}

#if KMEM_BENCH_HAVE_SLAB
// Cache names must outlive the caches.
const char* cache_name(unsigned size) {
  static char names[32][24];
  static unsigned used = 0;
  char* s = names[used++ % 32];
  std::snprintf(s, sizeof names[0], "bench-%u", size);
  return s;
}

kmem::KmemCache* make_cache(kmem::Kernel& k, unsigned size) {
  kmem::KmemCache* c = k.kmem_cache_create(cache_name(size), size, nullptr, 0);
  if (c == nullptr) die("kmem_cache_create failed");
  return c;
}

double w2_bulk(kmem::Kernel& k, kmem::KmemCache* c, double target) {
  void* ptrs[BATCH_OBJECTS];
  return measure(
      [&](u64 n) {
        for (u64 i = 0; i < n; ++i) {
          if (k.kmem_cache_alloc_bulk(c, GFP, BATCH_OBJECTS, ptrs) != int(BATCH_OBJECTS))
            die("kmem_cache_alloc_bulk failed");
          for (unsigned j = 0; j < BATCH_OBJECTS; ++j) touch(ptrs[j], j);
          escape(ptrs);
          k.kmem_cache_free_bulk(c, BATCH_OBJECTS, ptrs);
        }
      },
      BATCH_OBJECTS, target);
}

void run_kmem_workload(kmem::Kernel& k, int a, int w, const Params& P) {
  Binder kb{&k};
  const bool cache = a == KMEM_CACHE;
  char id[32];
  switch (w) {
    case W_PAIR:
      for (unsigned s : PAIR_SIZES) {
        std::snprintf(id, sizeof id, "pair.%u", s);
        if (cache) {
          kmem::KmemCache* c = make_cache(k, s);
          report(id, w1_pair(CacheFixed{&k, c}, P.target_ns));
          k.kmem_cache_destroy(c);
        } else {
          report(id, w1_pair(KmallocFixed{&k, s}, P.target_ns));
        }
      }
      break;
    case W_BATCH:
      for (unsigned s : BATCH_SIZES) {
        std::snprintf(id, sizeof id, "batch.lifo.%u", s);
        if (cache) {
          kmem::KmemCache* c = make_cache(k, s);
          report(id, w2_batch(CacheFixed{&k, c}, P.target_ns));
          std::snprintf(id, sizeof id, "batch.bulk.%u", s);
          report(id, w2_bulk(k, c, P.target_ns));
          k.kmem_cache_destroy(c);
        } else {
          report(id, w2_batch(KmallocFixed{&k, s}, P.target_ns));
        }
      }
      break;
    case W_CHURN: w3_churn(KmallocVar{&k}, P); break;
    case W_PRODCONS:
      if (cache) {
        kmem::KmemCache* c = make_cache(k, PC_SIZE);
        w4_prodcons(CacheFixed{&k, c}, P, kb);
        k.kmem_cache_destroy(c);
      } else {
        w4_prodcons(KmallocFixed{&k, PC_SIZE}, P, kb);
      }
      break;
    case W_LARSON: w5_larson(KmallocVar{&k}, P, kb); break;
  }
}
#endif

int child_main(int a, int w, bool quick) {
  const Params& P = quick ? QUICK : FULL;
  alarm(quick ? 120 : 600);  // a hung child dies and the parent reports it
  // Which library serves malloc here (checks that LD_PRELOAD took).
  Dl_info info{};
  void* (*volatile m)(std::size_t) = &std::malloc;
  if (dladdr(reinterpret_cast<void*>(m), &info) != 0 && info.dli_fname != nullptr)
    std::printf("A %s\n", info.dli_fname);
  if (!is_kmem(a)) {
    std::printf("B %ld\n", rss_now_kb());
    run_peer_workload(w, P);
  } else {
#if KMEM_BENCH_HAVE_SLAB
    kmem::Machine::bind_current_thread(0);
    kmem::Machine machine("mem=1G cpus=2");
    kmem::Kernel& k = machine.kernel();
    machine.take_log();  // the boot messages
    std::printf("B %ld\n", rss_now_kb());
    run_kmem_workload(k, a, w, P);
    std::string log = machine.take_log();
    if (!log.empty())
      std::fprintf(stderr, "kmem log (%s, %s):\n%s", ALLOC_NAMES[a], WORKLOAD_NAMES[w],
                   log.c_str());
#else
    std::printf("U kmem built without src/core/slab/slab.h\n");
    std::fflush(stdout);
    return 0;
#endif
  }
  std::printf("M %ld\n", rss_peak_kb());
  std::fflush(stdout);
  return 0;
}

// ---- the parent -------------------------------------------------------------------

struct Lib {
  const char* env;
  const char* compiled;
  const char* names[3];
};
constexpr Lib PEER_LIBS[NR_ALLOCS] = {
    {},
    {},
    {},
    {"KMEM_BENCH_TCMALLOC_SO",
     KMEM_BENCH_TCMALLOC_SO,
     {"libtcmalloc_minimal.so.4", "libtcmalloc_minimal.so", nullptr}},
    {"KMEM_BENCH_JEMALLOC_SO",
     KMEM_BENCH_JEMALLOC_SO,
     {"libjemalloc.so.2", "libjemalloc.so", nullptr}},
    {"KMEM_BENCH_MIMALLOC_SO",
     KMEM_BENCH_MIMALLOC_SO,
     {"libmimalloc.so.2", "libmimalloc.so", nullptr}},
};

bool readable(const std::string& p) { return !p.empty() && access(p.c_str(), R_OK) == 0; }

// "" for glibc and the kmem children (no preload); "-" when not found.
std::string find_lib(int a) {
  if (a < TCMALLOC) return "";
  const Lib& l = PEER_LIBS[a];
  if (const char* e = std::getenv(l.env); e != nullptr && *e != '\0') return readable(e) ? e : "-";
  if (readable(l.compiled)) return l.compiled;
  static const char* const dirs[] = {"/usr/lib/x86_64-linux-gnu",
                                     "/usr/lib/aarch64-linux-gnu",
                                     "/usr/lib64",
                                     "/usr/lib",
                                     "/usr/local/lib",
                                     "/lib64"};
  for (const char* d : dirs)
    for (const char* n : l.names)
      if (n != nullptr && readable(std::string(d) + "/" + n)) return std::string(d) + "/" + n;
  return "-";
}

struct ChildResult {
  bool ok = false;
  bool unsupported = false;
  std::string served_by, error;
  std::vector<std::string> warnings;
  std::map<std::string, double> ns;
  long base_kb = 0, peak_kb = 0;
  u64 requested = 0, usable = 0;
};

ChildResult spawn(const std::string& self, int a, int w, bool quick, const std::string& lib) {
  ChildResult r;
  int fd[2];
  if (pipe(fd) != 0) {
    r.error = "pipe failed";
    return r;
  }
  std::string child_arg = std::string("--child=") + ALLOC_NAMES[a];
  std::string wl_arg = std::string("--workload=") + WORKLOAD_NAMES[w];
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    r.error = "fork failed";
    close(fd[0]);
    close(fd[1]);
    return r;
  }
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    if (lib.empty()) unsetenv("LD_PRELOAD");
    else setenv("LD_PRELOAD", lib.c_str(), 1);
    const char* argv[] = {self.c_str(), child_arg.c_str(), wl_arg.c_str(),
                          quick ? "--quick" : nullptr, nullptr};
    execv(self.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  close(fd[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd[0], buf, sizeof buf);
    if (n > 0) {
      out.append(buf, size_t(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(fd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() < 2) continue;
    const char* rest = line.c_str() + 2;
    switch (line[0]) {
      case 'A': r.served_by = rest; break;
      case 'B': r.base_kb = std::atol(rest); break;
      case 'M': r.peak_kb = std::atol(rest); break;
      case 'U': r.unsupported = true; break;
      case 'W': r.warnings.push_back(rest); break;
      case 'F': {
        unsigned long long q = 0, u = 0;
        if (std::sscanf(rest, "%llu %llu", &q, &u) == 2) r.requested = q, r.usable = u;
        break;
      }
      case 'R': {
        char id[64];
        double v = 0;
        if (std::sscanf(rest, "%63s %lf", id, &v) == 2) r.ns[id] = v;
        break;
      }
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    r.ok = !r.unsupported;
  } else {
    char e[64];
    if (WIFSIGNALED(status)) std::snprintf(e, sizeof e, "killed by signal %d", WTERMSIG(status));
    else std::snprintf(e, sizeof e, "exit status %d", WEXITSTATUS(status));
    r.error = e;
  }
  return r;
}

struct Stat {
  std::vector<double> v;
  double median() const {
    if (v.empty()) return 0;
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    size_t n = s.size();
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
  double min() const { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
};

struct Results {
  // row id -> allocator -> ns/op over the runs
  std::map<std::string, Stat> ns[NR_ALLOCS];
  Stat peak_kb[NR_WORKLOADS][NR_ALLOCS], growth_kb[NR_WORKLOADS][NR_ALLOCS];
  Stat frag_req[NR_ALLOCS], frag_usable[NR_ALLOCS];
  std::string served_by[NR_ALLOCS];
  std::vector<std::string> errors;
};

std::string fmt_ns(double v) {
  char b[32];
  if (v >= 1000) std::snprintf(b, sizeof b, "%.0f", v);
  else if (v >= 100) std::snprintf(b, sizeof b, "%.1f", v);
  else std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string cell(const Stat* s) {
  if (s == nullptr || s->v.empty()) return "-";
  return fmt_ns(s->median()) + " (" + fmt_ns(s->min()) + ")";
}

const Stat* find_stat(const Results& res, int a, const std::string& id) {
  auto it = res.ns[a].find(id);
  return it == res.ns[a].end() || it->second.v.empty() ? nullptr : &it->second;
}

void json_string(FILE* f, const std::string& s) {
  std::fputc('"', f);
  for (char c : s) {
    if (c == '"' || c == '\\') std::fprintf(f, "\\%c", c);
    else if (static_cast<unsigned char>(c) < 0x20) std::fprintf(f, "\\u%04x", c);
    else std::fputc(c, f);
  }
  std::fputc('"', f);
}

void json_stat(FILE* f, const Stat& s) {
  std::fprintf(f, "{\"median\": %.3f, \"min\": %.3f, \"runs\": [", s.median(), s.min());
  for (size_t i = 0; i < s.v.size(); ++i) std::fprintf(f, "%s%.3f", i ? ", " : "", s.v[i]);
  std::fprintf(f, "]}");
}

bool write_json(const std::string& path, const Results& res, const std::vector<Row>& rows,
                const bool* use_w, const bool* use_a, const std::string* libs, bool quick,
                int reps) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f, "{\n  \"benchmark\": \"bench_slab_peers\",\n  \"mode\": \"%s\",\n",
               quick ? "quick" : "full");
  std::fprintf(f, "  \"reps\": %d,\n  \"cpus\": %ld,\n  \"unit\": \"ns/op\",\n", reps,
               sysconf(_SC_NPROCESSORS_ONLN));
  std::fprintf(f, "  \"allocators\": {");
  bool first = true;
  for (int a = 0; a < NR_ALLOCS; ++a) {
    if (!use_a[a]) continue;
    std::fprintf(f, "%s\n    \"%s\": {\"preload\": ", first ? "" : ",", ALLOC_NAMES[a]);
    json_string(f, libs[a]);
    std::fprintf(f, ", \"malloc_from\": ");
    json_string(f, res.served_by[a]);
    std::fprintf(f, "}");
    first = false;
  }
  std::fprintf(f, "\n  },\n  \"rows\": [");
  first = true;
  for (const Row& r : rows) {
    if (!use_w[r.workload]) continue;
    std::fprintf(f,
                 "%s\n    {\"id\": \"%s\", \"label\": \"%s\", \"workload\": \"%s\", \"results\": {",
                 first ? "" : ",", r.id.c_str(), r.label.c_str(), WORKLOAD_TAGS[r.workload]);
    bool f2 = true;
    for (int a = 0; a < NR_ALLOCS; ++a) {
      const Stat* s = find_stat(res, a, r.id);
      if (s == nullptr) continue;
      std::fprintf(f, "%s\"%s\": ", f2 ? "" : ", ", ALLOC_NAMES[a]);
      json_stat(f, *s);
      f2 = false;
    }
    std::fprintf(f, "}}");
    first = false;
  }
  std::fprintf(f, "\n  ],\n  \"peak_rss_kb\": {");
  first = true;
  for (int w = 0; w < NR_WORKLOADS; ++w) {
    if (!use_w[w]) continue;
    std::fprintf(f, "%s\n    \"%s\": {", first ? "" : ",", WORKLOAD_NAMES[w]);
    bool f2 = true;
    for (int a = 0; a < NR_ALLOCS; ++a) {
      if (res.peak_kb[w][a].v.empty()) continue;
      std::fprintf(f, "%s\"%s\": {\"peak\": ", f2 ? "" : ", ", ALLOC_NAMES[a]);
      json_stat(f, res.peak_kb[w][a]);
      std::fprintf(f, ", \"growth\": ");
      json_stat(f, res.growth_kb[w][a]);
      std::fprintf(f, "}");
      f2 = false;
    }
    std::fprintf(f, "}");
    first = false;
  }
  std::fprintf(f, "\n  },\n  \"churn_bytes\": {");
  first = true;
  for (int a = 0; a < NR_ALLOCS; ++a) {
    if (res.frag_req[a].v.empty()) continue;
    std::fprintf(f, "%s\n    \"%s\": {\"requested\": %.0f, \"usable\": %.0f}", first ? "" : ",",
                 ALLOC_NAMES[a], res.frag_req[a].median(), res.frag_usable[a].median());
    first = false;
  }
  std::fprintf(f, "\n  },\n  \"errors\": [");
  for (size_t i = 0; i < res.errors.size(); ++i) {
    std::fprintf(f, "%s", i ? ", " : "");
    json_string(f, res.errors[i]);
  }
  std::fprintf(f, "]\n}\n");
  return std::fclose(f) == 0;
}

void print_tables(const Results& res, const std::vector<Row>& rows, const bool* use_w,
                  const bool* use_a, bool quick, int reps) {
  const int LW = 22, CW = 16;
  std::printf("\nns per op (alloc+free of one object), median of %d runs (min); %s mode\n", reps,
              quick ? "quick" : "full");
  std::printf("%-*s", LW, "workload");
  for (int a = 0; a < NR_ALLOCS; ++a)
    if (use_a[a]) std::printf(" %*s", CW, ALLOC_NAMES[a]);
  std::printf("\n");
  for (const Row& r : rows) {
    if (!use_w[r.workload]) continue;
    std::printf("%-*s", LW, r.label.c_str());
    for (int a = 0; a < NR_ALLOCS; ++a)
      if (use_a[a]) std::printf(" %*s", CW, cell(find_stat(res, a, r.id)).c_str());
    std::printf("\n");
  }

  bool any_peer = false;
  for (int a = FIRST_PEER; a < NR_ALLOCS; ++a) any_peer |= use_a[a];
  if (any_peer && (use_a[KMEM_CACHE] || use_a[KMALLOC])) {
    std::printf("\nratio to the fastest peer (medians; < 1 = kmem faster)\n");
    std::printf("%-*s %12s %12s %22s\n", LW, "workload", "kmem_cache", "kmalloc",
                "fastest peer (ns)");
    for (const Row& r : rows) {
      if (!use_w[r.workload]) continue;
      int best = -1;
      double best_ns = 0;
      for (int a = FIRST_PEER; a < NR_ALLOCS; ++a) {
        const Stat* s = use_a[a] ? find_stat(res, a, r.id) : nullptr;
        if (s != nullptr && (best < 0 || s->median() < best_ns)) best = a, best_ns = s->median();
      }
      if (best < 0) continue;
      char c1[16] = "-", c2[16] = "-", bp[40];
      if (const Stat* s = use_a[KMEM_CACHE] ? find_stat(res, KMEM_CACHE, r.id) : nullptr)
        std::snprintf(c1, sizeof c1, "%.2fx", s->median() / best_ns);
      if (const Stat* s = use_a[KMALLOC] ? find_stat(res, KMALLOC, r.id) : nullptr)
        std::snprintf(c2, sizeof c2, "%.2fx", s->median() / best_ns);
      std::snprintf(bp, sizeof bp, "%s %s", ALLOC_NAMES[best], fmt_ns(best_ns).c_str());
      std::printf("%-*s %12s %12s %22s\n", LW, r.label.c_str(), c1, c2, bp);
    }
  }

  std::printf(
      "\npeak RSS per workload in MiB, median of %d runs (growth over the child's RSS "
      "before the workload; kmem's includes its machine's mem_map)\n",
      reps);
  std::printf("%-*s", LW, "workload");
  for (int a = 0; a < NR_ALLOCS; ++a)
    if (use_a[a]) std::printf(" %*s", CW, ALLOC_NAMES[a]);
  std::printf("\n");
  for (int w = 0; w < NR_WORKLOADS; ++w) {
    if (!use_w[w]) continue;
    char label[40];
    std::snprintf(label, sizeof label, "%s %s", WORKLOAD_TAGS[w], WORKLOAD_NAMES[w]);
    std::printf("%-*s", LW, label);
    for (int a = 0; a < NR_ALLOCS; ++a) {
      if (!use_a[a]) continue;
      char c[40] = "-";
      if (!res.peak_kb[w][a].v.empty())
        std::snprintf(c, sizeof c, "%.1f (+%.1f)", res.peak_kb[w][a].median() / 1024,
                      res.growth_kb[w][a].median() / 1024);
      std::printf(" %*s", CW, c);
    }
    std::printf("\n");
  }

  bool any_frag = false;
  for (int a = 0; a < NR_ALLOCS; ++a) any_frag |= !res.frag_req[a].v.empty();
  if (any_frag) {
    std::printf(
        "\nW3 churn, live objects at the end: requested MiB / usable MiB "
        "(ksize or malloc_usable_size) = internal fragmentation\n");
    for (int a = 0; a < NR_ALLOCS; ++a) {
      if (res.frag_req[a].v.empty()) continue;
      double q = res.frag_req[a].median(), u = res.frag_usable[a].median();
      std::printf("  %-10s %8.1f / %8.1f  = %4.1f%% of usable bytes unrequested\n", ALLOC_NAMES[a],
                  q / 1048576, u / 1048576, u > 0 ? 100 * (1 - q / u) : 0.0);
    }
  }
}

int usage(const char* prog) {
  std::fprintf(stderr,
               "usage: %s [--quick] [--json FILE] [--reps N] [--no-peers]\n"
               "          [--workloads pair,batch,churn,prodcons,larson]\n"
               "          [--allocators kmem_cache,kmalloc,glibc,tcmalloc,jemalloc,mimalloc]\n",
               prog);
  return 2;
}

// Parses a comma list of names (or W1..W5 for workloads) into flags.
bool parse_list(const std::string& list, const char* const* names, const char* const* tags,
                int count, bool* out) {
  std::fill(out, out + count, false);
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    bool found = false;
    for (int i = 0; i < count; ++i)
      if (item == names[i] || (tags != nullptr && strcasecmp(item.c_str(), tags[i]) == 0))
        out[i] = found = true;
    if (!found) {
      std::fprintf(stderr, "bench_slab_peers: unknown name '%s'\n", item.c_str());
      return false;
    }
  }
  return true;
}

int index_of(const char* name, const char* const* names, int count) {
  for (int i = 0; i < count; ++i)
    if (std::strcmp(name, names[i]) == 0) return i;
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int reps = 0;
  std::string json;
  bool use_w[NR_WORKLOADS], use_a[NR_ALLOCS];
  std::fill(use_w, use_w + NR_WORKLOADS, true);
  std::fill(use_a, use_a + NR_ALLOCS, true);
  int child = -1, child_w = -1;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](const char* opt) -> const char* {
      size_t n = std::strlen(opt);
      if (s.compare(0, n, opt) == 0 && s.size() > n && s[n] == '=') return argv[i] + n + 1;
      if (s == opt && i + 1 < argc) return argv[++i];
      return nullptr;
    };
    const char* v = nullptr;
    if (s == "--quick") {
      quick = true;
    } else if (s == "--no-peers") {
      for (int a = FIRST_PEER; a < NR_ALLOCS; ++a) use_a[a] = false;
    } else if (s.rfind("--child=", 0) == 0) {
      child = index_of(argv[i] + 8, ALLOC_NAMES, NR_ALLOCS);
      if (child < 0) return usage(argv[0]);
    } else if (s.rfind("--workload=", 0) == 0) {
      child_w = index_of(argv[i] + 11, WORKLOAD_NAMES, NR_WORKLOADS);
      if (child_w < 0) return usage(argv[0]);
    } else if ((v = value("--json")) != nullptr) {
      json = v;
    } else if ((v = value("--reps")) != nullptr) {
      reps = std::atoi(v);
      if (reps < 1) return usage(argv[0]);
    } else if ((v = value("--workloads")) != nullptr) {
      if (!parse_list(v, WORKLOAD_NAMES, WORKLOAD_TAGS, NR_WORKLOADS, use_w)) return usage(argv[0]);
    } else if ((v = value("--allocators")) != nullptr) {
      if (!parse_list(v, ALLOC_NAMES, nullptr, NR_ALLOCS, use_a)) return usage(argv[0]);
    } else if (s.rfind("--benchmark_", 0) == 0) {
      // `make bench` passes Google Benchmark flags to every bench_* program.
      std::fprintf(stderr, "bench_slab_peers: ignoring %s\n", argv[i]);
    } else if (s == "--help" || s == "-h") {
      usage(argv[0]);
      return 0;
    } else {
      return usage(argv[0]);
    }
  }
  if (child >= 0) {
    if (child_w < 0) return usage(argv[0]);
    return child_main(child, child_w, quick);
  }
  if (reps == 0) reps = quick ? 3 : 5;

  char self_buf[4096];
  ssize_t n = readlink("/proc/self/exe", self_buf, sizeof self_buf - 1);
  if (n <= 0) {
    std::fprintf(stderr, "bench_slab_peers: cannot read /proc/self/exe\n");
    return 1;
  }
  const std::string self(self_buf, size_t(n));

  std::string libs[NR_ALLOCS];
  for (int a = 0; a < NR_ALLOCS; ++a) {
    if (!use_a[a]) continue;
    libs[a] = find_lib(a);
    if (libs[a] == "-") {
      std::fprintf(stderr, "bench_slab_peers: no library for %s (set %s); its column is empty\n",
                   ALLOC_NAMES[a], PEER_LIBS[a].env);
    }
  }
  std::printf("bench_slab_peers: %s mode, %d runs, %ld CPUs\n", quick ? "quick" : "full", reps,
              sysconf(_SC_NPROCESSORS_ONLN));
  for (int a = 0; a < NR_ALLOCS; ++a)
    if (use_a[a])
      std::printf("  %-10s %s\n", ALLOC_NAMES[a],
                  is_kmem(a)        ? "kmem::Machine mem=1G cpus=2, GFP_KERNEL"
                  : libs[a] == "-"  ? "not found"
                  : libs[a].empty() ? "libc malloc (no preload)"
                                    : ("LD_PRELOAD=" + libs[a]).c_str());

  Results res;
  const std::vector<Row> rows = all_rows();
  double t_start = now_ns();
  for (int rep = 0; rep < reps; ++rep) {
    for (int w = 0; w < NR_WORKLOADS; ++w) {
      if (!use_w[w]) continue;
      // Interleave: each run starts the allocator order one further along.
      for (int k = 0; k < NR_ALLOCS; ++k) {
        int a = (k + rep) % NR_ALLOCS;
        if (!use_a[a] || libs[a] == "-" || !runs(a, w)) continue;
        ChildResult r = spawn(self, a, w, quick, libs[a]);
        if (r.unsupported) {
          if (rep == 0 && w == 0)
            std::fprintf(stderr, "bench_slab_peers: %s: kmem built without the slab API\n",
                         ALLOC_NAMES[a]);
          continue;
        }
        if (!r.ok) {
          char e[160];
          std::snprintf(e, sizeof e, "%s %s run %d: %s", ALLOC_NAMES[a], WORKLOAD_NAMES[w], rep + 1,
                        r.error.c_str());
          std::fprintf(stderr, "bench_slab_peers: %s\n", e);
          res.errors.push_back(e);
          continue;
        }
        if (!libs[a].empty() && r.served_by != libs[a] && res.served_by[a].empty()) {
          char e[600];
          std::snprintf(e, sizeof e, "%s: malloc comes from %s, not %s", ALLOC_NAMES[a],
                        r.served_by.c_str(), libs[a].c_str());
          // A symlink or a different spelling of the same file is fine.
          char p1[4096], p2[4096];
          if (realpath(r.served_by.c_str(), p1) == nullptr ||
              realpath(libs[a].c_str(), p2) == nullptr || std::strcmp(p1, p2) != 0) {
            std::fprintf(stderr, "bench_slab_peers: warning: %s\n", e);
            res.errors.push_back(e);
          }
        }
        for (const std::string& wtext : r.warnings) {
          std::string e = std::string(ALLOC_NAMES[a]) + " " + WORKLOAD_NAMES[w] + ": " + wtext;
          std::fprintf(stderr, "bench_slab_peers: %s\n", e.c_str());
          res.errors.push_back(e);
        }
        res.served_by[a] = r.served_by;
        for (auto& [id, v] : r.ns) res.ns[a][id].v.push_back(v);
        res.peak_kb[w][a].v.push_back(double(r.peak_kb));
        res.growth_kb[w][a].v.push_back(double(std::max(0L, r.peak_kb - r.base_kb)));
        if (w == W_CHURN && r.usable != 0) {
          res.frag_req[a].v.push_back(double(r.requested));
          res.frag_usable[a].v.push_back(double(r.usable));
        }
      }
    }
    std::fprintf(stderr, "bench_slab_peers: run %d/%d done (%.1f s)\n", rep + 1, reps,
                 (now_ns() - t_start) / 1e9);
  }
  print_tables(res, rows, use_w, use_a, quick, reps);
  if (!res.errors.empty()) {
    std::printf("\nerrors:\n");
    for (const std::string& e : res.errors) std::printf("  %s\n", e.c_str());
  }
  std::printf("\ntotal %.1f s\n", (now_ns() - t_start) / 1e9);
  if (!json.empty() && !write_json(json, res, rows, use_w, use_a, libs, quick, reps)) {
    std::fprintf(stderr, "bench_slab_peers: cannot write %s\n", json.c_str());
    return 1;
  }
  return res.errors.empty() ? 0 : 1;
}
