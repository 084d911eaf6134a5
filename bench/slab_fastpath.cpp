// SPDX-License-Identifier: MIT
// The two per-CPU fast-path designs of SLUB, measured side by side on the
// same objects (docs/slab.md, "Why sheaves"):
//
//   sheaf     6.18's sheaves: a LIFO array of object pointers per CPU.
//             Alloc pops, free pushes; object memory is never read.
//   freelist  the classic per-CPU slab freelist: alloc reads the next
//             pointer stored (obfuscated) inside the free object; free
//             writes it. Three ways to make it safe against another
//             context on the same CPU:
//               _slot      kmem's CPU-slot protocol (a plain store and load),
//               _cmpxchg16b  Linux's this_cpu_cmpxchg_double: cmpxchg16b on
//                          {freelist, tid} without the lock prefix,
//               _locked    the same with the lock prefix, as a user-space
//                          allocator needs when a structure is not owned.
//
// Each benchmark also runs on the real kmem (Kernel::kmem_cache_alloc/free)
// for reference. Patterns: "pair" (alloc then free, hot) and "batch"
// (1000 allocations then 1000 frees: the freelist must read each object).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

constexpr unsigned kObjSize = 64;
constexpr unsigned kObjects = 4096;
constexpr uintptr_t kKey = 0x5bd1e9955bd1e995ULL;

struct alignas(64) Slot {
  std::atomic<unsigned> busy{0};
  std::atomic<bool> lock{false};
};

struct Arena {
  std::vector<unsigned char> mem = std::vector<unsigned char>(size_t(kObjSize) * kObjects + 64);
  unsigned char* obj(unsigned i) {
    auto base = reinterpret_cast<uintptr_t>(mem.data() + 63) & ~uintptr_t(63);
    return reinterpret_cast<unsigned char*>(base) + size_t(i) * kObjSize;
  }
};

inline void enter(Slot& s) {
  s.busy.store(1, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (s.lock.load(std::memory_order_acquire)) std::abort();  // never taken here
}
inline void leave(Slot& s) { s.busy.store(0, std::memory_order_release); }

// ---- sheaf ---------------------------------------------------------------------------
struct Sheaf {
  unsigned size = 0;
  void* objects[kObjects];
};

// ---- classic freelist ------------------------------------------------------------------
inline void* decode(uintptr_t stored, uintptr_t slot) {
  return reinterpret_cast<void*>(stored ^ kKey ^ __builtin_bswap64(slot));
}
inline uintptr_t encode(void* p, uintptr_t slot) {
  return reinterpret_cast<uintptr_t>(p) ^ kKey ^ __builtin_bswap64(slot);
}
inline void* get_fp(void* obj) {
  auto slot = reinterpret_cast<uintptr_t>(obj) + kObjSize / 2;
  return decode(*reinterpret_cast<uintptr_t*>(slot), slot);
}
inline void set_fp(void* obj, void* next) {
  auto slot = reinterpret_cast<uintptr_t>(obj) + kObjSize / 2;
  *reinterpret_cast<uintptr_t*>(slot) = encode(next, slot);
}

struct alignas(16) CpuFreelist {
  void* freelist;
  uintptr_t tid;
};

template <bool Locked>
inline bool cmpxchg16b(CpuFreelist* p, CpuFreelist old, CpuFreelist nw) {
  bool ok;
  if constexpr (Locked)
    __asm__ __volatile__("lock cmpxchg16b %1"
                         : "=@ccz"(ok), "+m"(*p), "+a"(old.freelist), "+d"(old.tid)
                         : "b"(nw.freelist), "c"(nw.tid)
                         : "memory");
  else
    __asm__ __volatile__("cmpxchg16b %1"
                         : "=@ccz"(ok), "+m"(*p), "+a"(old.freelist), "+d"(old.tid)
                         : "b"(nw.freelist), "c"(nw.tid)
                         : "memory");
  return ok;
}

enum class Mode { sheaf, freelist_slot, freelist_cmpxchg16b, freelist_locked };

template <Mode M>
struct Model {
  Arena arena;
  Slot slot;
  Sheaf sheaf;
  CpuFreelist cpu{nullptr, 0};
  Model() {
    for (unsigned i = 0; i < kObjects; ++i) free(arena.obj(kObjects - 1 - i));
  }
  [[gnu::always_inline]] void* alloc() {
    if constexpr (M == Mode::sheaf) {
      enter(slot);
      void* o = sheaf.objects[--sheaf.size];
      leave(slot);
      return o;
    } else if constexpr (M == Mode::freelist_slot) {
      enter(slot);
      void* o = cpu.freelist;
      cpu.freelist = get_fp(o);
      leave(slot);
      return o;
    } else {
      for (;;) {
        CpuFreelist old = cpu;
        void* o = old.freelist;
        CpuFreelist nw{get_fp(o), old.tid + 1};
        if (cmpxchg16b<M == Mode::freelist_locked>(&cpu, old, nw)) return o;
      }
    }
  }
  [[gnu::always_inline]] void free(void* o) {
    if constexpr (M == Mode::sheaf) {
      enter(slot);
      sheaf.objects[sheaf.size++] = o;
      leave(slot);
    } else if constexpr (M == Mode::freelist_slot) {
      enter(slot);
      set_fp(o, cpu.freelist);
      cpu.freelist = o;
      leave(slot);
    } else {
      for (;;) {
        CpuFreelist old = cpu;
        set_fp(o, old.freelist);
        if (cmpxchg16b<M == Mode::freelist_locked>(&cpu, old, CpuFreelist{o, old.tid + 1})) return;
      }
    }
  }
};

template <Mode M>
void BM_Pair(benchmark::State& state) {
  auto* m = new Model<M>();
  for (auto _ : state) {
    void* p = m->alloc();
    benchmark::DoNotOptimize(p);
    m->free(p);
  }
  delete m;
}

template <Mode M>
void BM_Batch1000(benchmark::State& state) {
  auto* m = new Model<M>();
  void* objs[1000];
  for (auto _ : state) {
    for (auto& o : objs) o = m->alloc();
    benchmark::ClobberMemory();
    for (auto& o : objs) m->free(o);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 1000);
  delete m;
}

BENCHMARK(BM_Pair<Mode::sheaf>)->Name("pair/sheaf");
BENCHMARK(BM_Pair<Mode::freelist_slot>)->Name("pair/freelist_slot");
BENCHMARK(BM_Pair<Mode::freelist_cmpxchg16b>)->Name("pair/freelist_cmpxchg16b");
BENCHMARK(BM_Pair<Mode::freelist_locked>)->Name("pair/freelist_locked");
BENCHMARK(BM_Batch1000<Mode::sheaf>)->Name("batch1000/sheaf");
BENCHMARK(BM_Batch1000<Mode::freelist_slot>)->Name("batch1000/freelist_slot");
BENCHMARK(BM_Batch1000<Mode::freelist_cmpxchg16b>)->Name("batch1000/freelist_cmpxchg16b");
BENCHMARK(BM_Batch1000<Mode::freelist_locked>)->Name("batch1000/freelist_locked");

// The real thing, for reference.
void BM_KmemPair(benchmark::State& state) {
  kmem::Machine m("mem=256M cpus=2");
  kmem::Machine::bind_current_thread(0);
  kmem::Kernel& k = m.kernel();
  kmem::KmemCache* c = k.kmem_cache_create("bench64", kObjSize, nullptr, 0);
  for (auto _ : state) {
    void* p = k.kmem_cache_alloc(c, kmem::gfp::KERNEL);
    benchmark::DoNotOptimize(p);
    k.kmem_cache_free(c, p);
  }
  k.kmem_cache_destroy(c);
}
BENCHMARK(BM_KmemPair)->Name("pair/kmem_cache");

void BM_KmemBatch1000(benchmark::State& state) {
  kmem::Machine m("mem=256M cpus=2");
  kmem::Machine::bind_current_thread(0);
  kmem::Kernel& k = m.kernel();
  kmem::KmemCache* c = k.kmem_cache_create("bench64", kObjSize, nullptr, 0);
  void* objs[1000];
  for (auto _ : state) {
    for (auto& o : objs) o = k.kmem_cache_alloc(c, kmem::gfp::KERNEL);
    benchmark::ClobberMemory();
    for (auto& o : objs) k.kmem_cache_free(c, o);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 1000);
  k.kmem_cache_destroy(c);
}
BENCHMARK(BM_KmemBatch1000)->Name("batch1000/kmem_cache");

}  // namespace

BENCHMARK_MAIN();
