// SPDX-License-Identifier: MIT
// What the execution-context checks cost the allocation fast path
// (Google Benchmark): every alloc_pages() applies the memalloc scopes
// (current_gfp_context) and tests for atomic context (might_alloc). Goal
// (issue 3): under 1 ns per allocation.
//
//   BM_ContextCheck            the check alone, as the fast path inlines it
//   BM_Order0_Pcp_Kernel       order-0 pair, GFP_KERNEL, task context
//   BM_Order0_Pcp_NofsScope    the same inside memalloc_nofs_save()
//   BM_Order0_Pcp_AtomicLocked GFP_ATOMIC under a spinlock_t (atomic context)
//
// Compare BM_Order0_Pcp_Kernel with bench_page_alloc's BM_Order0_Pcp built
// from a commit before the context layer (docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

using kmem::Kernel;
using kmem::Machine;
using kmem::Page;
namespace gfp = kmem::gfp;

void BM_ContextCheck(benchmark::State& state) {
  kmem::gfp_t g = gfp::KERNEL;
  unsigned reports = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(g);
    const kmem::TaskContext& cur = kmem::current_ctx();
    kmem::gfp_t eff = kmem::gfp_context_of(cur.flags, g);
    if (__builtin_expect((cur.preempt_count | cur.irqs_disabled) != 0, 0) &&
        (eff & gfp::DIRECT_RECLAIM))
      ++reports;
    benchmark::DoNotOptimize(eff);
  }
  benchmark::DoNotOptimize(reports);
}
BENCHMARK(BM_ContextCheck);

template <typename Around>
void pair(benchmark::State& state, kmem::gfp_t g, Around around) {
  Machine::bind_current_thread(0);
  Machine m("mem=1G cpus=1 kswapd=0");
  Kernel& k = m.kernel();
  k.free_pages(k.alloc_pages(g, 0), 0);
  around([&] {
    for (auto _ : state) {
      Page* p = k.alloc_pages(g, 0);
      benchmark::DoNotOptimize(p);
      k.free_pages(p, 0);
    }
  });
  state.counters["ns/pair"] = benchmark::Counter(
      double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Order0_Pcp_Kernel(benchmark::State& s) {
  pair(s, gfp::KERNEL, [](auto loop) { loop(); });
}
void BM_Order0_Pcp_NofsScope(benchmark::State& s) {
  pair(s, gfp::KERNEL, [](auto loop) {
    unsigned f = kmem::memalloc_nofs_save();
    loop();
    kmem::memalloc_nofs_restore(f);
  });
}
void BM_Order0_Pcp_AtomicLocked(benchmark::State& s) {
  pair(s, gfp::ATOMIC, [](auto loop) {
    kmem::KSpinlock lock;
    kmem::spin_lock(&lock);
    loop();
    kmem::spin_unlock(&lock);
  });
}
BENCHMARK(BM_Order0_Pcp_Kernel);
BENCHMARK(BM_Order0_Pcp_NofsScope);
BENCHMARK(BM_Order0_Pcp_AtomicLocked);

}  // namespace

BENCHMARK_MAIN();
