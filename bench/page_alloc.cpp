// SPDX-License-Identifier: MIT
// Page allocator micro-benchmarks (Google Benchmark), fast flavour:
//   - an order-0 alloc+free pair through the per-CPU lists (default) and
//     straight to the buddy lists (a machine booted with pcp=0);
//   - order-3 (the largest pcp order) and order-9 (a pageblock, buddy only)
//     pairs;
//   - a batch pattern: 64 order-0 allocations, then 64 frees;
//   - boot + shutdown of mem=1G / 4G / 16G machines.
// Goals (docs/benchmarks.md): order-0 pair <= 25 ns; boot of mem=4G < 50 ms.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

using kmem::Kernel;
using kmem::Machine;
using kmem::Page;
namespace gfp = kmem::gfp;

void alloc_free_pair(benchmark::State& state, const char* cmdline, unsigned order, kmem::gfp_t g) {
  Machine::bind_current_thread(0);
  Machine m(cmdline);
  Kernel& k = m.kernel();
  // Warm the lists once so the loop measures the steady state.
  k.free_pages(k.alloc_pages(g, order), order);
  for (auto _ : state) {
    Page* p = k.alloc_pages(g, order);
    benchmark::DoNotOptimize(p);
    k.free_pages(p, order);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ns/pair"] = benchmark::Counter(
      double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Order0_Pcp(benchmark::State& s) { alloc_free_pair(s, "mem=1G cpus=1", 0, gfp::KERNEL); }
void BM_Order0_NoPcp(benchmark::State& s) {
  alloc_free_pair(s, "mem=1G cpus=1 pcp=0", 0, gfp::KERNEL);
}
void BM_Order0_Movable_Pcp(benchmark::State& s) {
  alloc_free_pair(s, "mem=1G cpus=1", 0, gfp::HIGHUSER_MOVABLE);
}
void BM_Order3_Pcp(benchmark::State& s) { alloc_free_pair(s, "mem=1G cpus=1", 3, gfp::KERNEL); }
void BM_Order3_NoPcp(benchmark::State& s) {
  alloc_free_pair(s, "mem=1G cpus=1 pcp=0", 3, gfp::KERNEL);
}
void BM_Order9(benchmark::State& s) { alloc_free_pair(s, "mem=1G cpus=1", 9, gfp::KERNEL); }
BENCHMARK(BM_Order0_Pcp);
BENCHMARK(BM_Order0_NoPcp);
BENCHMARK(BM_Order0_Movable_Pcp);
BENCHMARK(BM_Order3_Pcp);
BENCHMARK(BM_Order3_NoPcp);
BENCHMARK(BM_Order9);

// 64 allocations then 64 frees: refills and spills of the pcp lists by batch.
void batch(benchmark::State& state, const char* cmdline) {
  Machine::bind_current_thread(0);
  Machine m(cmdline);
  Kernel& k = m.kernel();
  Page* pages[64];
  for (auto _ : state) {
    for (Page*& p : pages) p = k.alloc_pages(gfp::KERNEL, 0);
    benchmark::DoNotOptimize(pages);
    for (Page* p : pages) k.free_pages(p, 0);
  }
  state.SetItemsProcessed(state.iterations() * 64);
  state.counters["ns/pair"] = benchmark::Counter(
      double(state.iterations() * 64), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void BM_Order0_Batch64_Pcp(benchmark::State& s) { batch(s, "mem=1G cpus=1"); }
void BM_Order0_Batch64_NoPcp(benchmark::State& s) { batch(s, "mem=1G cpus=1 pcp=0"); }
BENCHMARK(BM_Order0_Batch64_Pcp);
BENCHMARK(BM_Order0_Batch64_NoPcp);

// Several threads, each on a CPU slot of its own, doing order-0 pairs on one
// machine: the per-CPU path shares nothing, so the per-thread time should
// stay flat up to the host's core count; with pcp=0 every pair takes the one
// zone lock. Reported per pair per thread.
Machine* shared_machine = nullptr;

void threaded_pairs(benchmark::State& state, const char* cmdline) {
  if (state.thread_index() == 0) shared_machine = new Machine(cmdline);
  Machine::bind_current_thread(unsigned(state.thread_index()));
  // Google Benchmark starts every thread's loop together, after this setup.
  for (auto _ : state) {
    Kernel& k = shared_machine->kernel();
    Page* p = k.alloc_pages(gfp::KERNEL, 0);
    benchmark::DoNotOptimize(p);
    k.free_pages(p, 0);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete shared_machine;
    shared_machine = nullptr;
  }
}
void BM_Order0_Pcp_Threads(benchmark::State& s) { threaded_pairs(s, "mem=1G cpus=16"); }
void BM_Order0_NoPcp_Threads(benchmark::State& s) { threaded_pairs(s, "mem=1G cpus=16 pcp=0"); }
BENCHMARK(BM_Order0_Pcp_Threads)->ThreadRange(1, 16)->UseRealTime();
BENCHMARK(BM_Order0_NoPcp_Threads)->ThreadRange(1, 16)->UseRealTime();

// Machine construction + destruction.
void BM_Boot(benchmark::State& state) {
  std::string cmdline = "mem=" + std::to_string(state.range(0)) + "G cpus=4";
  for (auto _ : state) {
    auto m = std::make_unique<Machine>(cmdline);
    benchmark::DoNotOptimize(m.get());
  }
  state.SetLabel(cmdline);
}
BENCHMARK(BM_Boot)->Arg(1)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
