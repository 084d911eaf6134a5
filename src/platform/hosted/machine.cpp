// SPDX-License-Identifier: MIT
#include "kmem/machine.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "kernel.h"
#include "kmem/slab.hpp"
#include "platform/hosted/hosted_platform.h"
#include "report/report.h"

namespace kmem {

// A shrinker registered through the C++ API: its callbacks, kept host-side,
// behind the core Shrinker whose private_data points here.
struct HostShrinker {
  Machine::ShrinkCount count;
  Machine::ShrinkScan scan;
  Shrinker* core = nullptr;
};

struct Machine::Impl {
  hosted::HostedPlatform platform;
  // Declared before kernel, so destroyed after it (and after kswapd, which
  // may call them, has stopped).
  std::mutex shrinker_mu;
  std::map<int, std::unique_ptr<HostShrinker>> shrinkers;
  int next_shrinker_id = 1;
  Kernel kernel;
};

namespace {

void append_to_string(void* ctx, const char* data, size_t len) {
  static_cast<std::string*>(ctx)->append(data, len);
}

template <typename Fn>
std::string render(Fn&& fn) {
  std::string out;
  char buf[4096];
  {
    Seq seq(buf, sizeof buf, &append_to_string, &out);
    fn(seq);
  }
  return out;
}

}  // namespace

std::unique_ptr<Machine> Machine::create(std::string_view cmdline, std::string* error) {
  Options opts;
  CmdlineError err;
  std::string line(cmdline);
  if (!parse_cmdline(line.c_str(), opts, err)) {
    if (error) *error = err.message;
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  if (!impl->kernel.boot(opts, make_platform_ops(impl->platform), err)) {
    if (error) *error = err.message;
    return nullptr;
  }
  return std::unique_ptr<Machine>(new Machine(std::move(impl)));
}

Machine::Machine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Machine::Machine(std::string_view cmdline) {
  std::string error;
  auto m = create(cmdline, &error);
  if (!m) throw BootError("kmem: cannot boot '" + std::string(cmdline) + "': " + error);
  impl_ = std::move(m->impl_);
}

Machine::~Machine() = default;

Kernel& Machine::kernel() { return impl_->kernel; }
const Kernel& Machine::kernel() const { return impl_->kernel; }

std::string Machine::cmdline() const {
  return render([&](Seq& s) { print_cmdline(s, impl_->kernel.options()); });
}

Page* Machine::alloc_pages(gfp_t gfp, unsigned order, int nid) {
  return impl_->kernel.alloc_pages(gfp, order, nid);
}
void Machine::free_pages(Page* page, unsigned order) { impl_->kernel.free_pages(page, order); }
unsigned long Machine::get_free_pages(gfp_t gfp, unsigned order) {
  return impl_->kernel.get_free_pages(gfp, order);
}
unsigned long Machine::get_zeroed_page(gfp_t gfp) {
  return impl_->kernel.get_free_pages(gfp | KMEM_GFP_ZERO, 0);
}
void Machine::free_pages(unsigned long addr, unsigned order) {
  impl_->kernel.free_pages_addr(addr, order);
}
void* Machine::alloc_pages_exact(std::size_t size, gfp_t gfp) {
  return impl_->kernel.alloc_pages_exact(size, gfp);
}
void Machine::free_pages_exact(void* virt, std::size_t size) {
  impl_->kernel.free_pages_exact(virt, size);
}
void* Machine::page_address(const Page* page) const { return impl_->kernel.page_address(page); }
Page* Machine::virt_to_page(const void* addr) const { return impl_->kernel.virt_to_page(addr); }
unsigned long Machine::page_to_pfn(const Page* page) const {
  return impl_->kernel.page_to_pfn(page);
}
Page* Machine::pfn_to_page(unsigned long pfn) const { return impl_->kernel.pfn_to_page(pfn); }
std::uint64_t Machine::virt_to_phys(const void* addr) const {
  return impl_->kernel.virt_to_phys(addr);
}
void* Machine::phys_to_virt(std::uint64_t phys) const { return impl_->kernel.phys_to_virt(phys); }

void* Machine::kmap(Page* page) { return impl_->kernel.kmap(page); }
void Machine::kunmap(Page* page) { impl_->kernel.kunmap(page); }
void* Machine::kmap_local_page(Page* page) { return impl_->kernel.kmap_local_page(page); }
void Machine::kunmap_local(const void* addr) { impl_->kernel.kunmap_local(addr); }

// ---- slab caches and kmalloc ------------------------------------------------------------

static_assert(slab::CONSISTENCY_CHECKS == SLAB_CONSISTENCY_CHECKS &&
              slab::RED_ZONE == SLAB_RED_ZONE && slab::POISON == SLAB_POISON &&
              slab::HWCACHE_ALIGN == SLAB_HWCACHE_ALIGN && slab::CACHE_DMA == SLAB_CACHE_DMA &&
              slab::CACHE_DMA32 == SLAB_CACHE_DMA32 && slab::STORE_USER == SLAB_STORE_USER &&
              slab::PANIC == SLAB_PANIC && slab::TYPESAFE_BY_RCU == SLAB_TYPESAFE_BY_RCU &&
              slab::TRACE == SLAB_TRACE && slab::DEBUG_OBJECTS == SLAB_DEBUG_OBJECTS &&
              slab::NOLEAKTRACE == SLAB_NOLEAKTRACE && slab::NO_MERGE == SLAB_NO_MERGE &&
              slab::FAILSLAB == SLAB_FAILSLAB && slab::ACCOUNT == SLAB_ACCOUNT &&
              slab::NO_USER_FLAGS == SLAB_NO_USER_FLAGS &&
              slab::RECLAIM_ACCOUNT == SLAB_RECLAIM_ACCOUNT && slab::TEMPORARY == SLAB_TEMPORARY);

namespace {

void check_nid(const Kernel& k, int nid, const char* fn) {
  if (nid < -1 || nid >= k.nr_node_ids())
    throw std::invalid_argument(std::string("kmem: ") + fn + ": no node " + std::to_string(nid));
}

}  // namespace

void* Machine::kmalloc(std::size_t size, gfp_t gfp, int nid) {
  check_nid(impl_->kernel, nid, "kmalloc");
  return impl_->kernel.kmalloc_impl(size, gfp, nid, __builtin_return_address(0));
}
void* Machine::kzalloc(std::size_t size, gfp_t gfp, int nid) {
  check_nid(impl_->kernel, nid, "kzalloc");
  return impl_->kernel.kmalloc_impl(size, gfp | gfp::ZERO, nid, __builtin_return_address(0));
}
void Machine::kfree(const void* p) { impl_->kernel.kfree(p); }
void* Machine::krealloc(const void* p, std::size_t new_size, gfp_t gfp) {
  return impl_->kernel.krealloc(p, new_size, gfp);
}
std::size_t Machine::ksize(const void* p) { return impl_->kernel.ksize(p); }
KmemCache* Machine::kmem_cache_create(std::string_view name, unsigned size, unsigned align,
                                      std::uint32_t flags, void (*ctor)(void*)) {
  KmemCacheArgs args{};
  args.align = align;
  args.ctor = ctor;
  return impl_->kernel.kmem_cache_create(std::string(name).c_str(), size, &args, flags);
}
void Machine::kmem_cache_destroy(KmemCache* s) { impl_->kernel.kmem_cache_destroy(s); }
int Machine::kmem_cache_shrink(KmemCache* s) {
  if (s == nullptr) throw std::invalid_argument("kmem: kmem_cache_shrink(nullptr)");
  return impl_->kernel.kmem_cache_shrink(s);
}
void* Machine::kmem_cache_alloc(KmemCache* s, gfp_t gfp, int nid) {
  if (s == nullptr) throw std::invalid_argument("kmem: kmem_cache_alloc(nullptr)");
  check_nid(impl_->kernel, nid, "kmem_cache_alloc");
  return impl_->kernel.kmem_cache_alloc_node(s, gfp, nid);
}
void Machine::kmem_cache_free(KmemCache* s, void* obj) { impl_->kernel.kmem_cache_free(s, obj); }
int Machine::kmem_cache_alloc_bulk(KmemCache* s, gfp_t gfp, std::size_t n, void** p) {
  if (s == nullptr) throw std::invalid_argument("kmem: kmem_cache_alloc_bulk(nullptr)");
  return impl_->kernel.kmem_cache_alloc_bulk(s, gfp, n, p);
}
void Machine::kmem_cache_free_bulk(KmemCache* s, std::size_t n, void** p) {
  impl_->kernel.kmem_cache_free_bulk(s, n, p);
}
unsigned long Machine::slab_validate(KmemCache* s) {
  if (s == nullptr) throw std::invalid_argument("kmem: slab_validate(nullptr)");
  return impl_->kernel.slab_validate(s);
}
bool Machine::slab_check_invariants(std::string* why) {
  char msg[256] = "";
  const bool ok = impl_->kernel.slab_check_invariants(msg, sizeof msg);
  if (why != nullptr) *why = ok ? std::string() : std::string(msg);
  return ok;
}

std::vector<std::string> Machine::proc_files() {
  return {"buddyinfo", "pagetypeinfo",    "zoneinfo",          "meminfo",
          "vmstat",    "slabinfo",        "unusable_index",    "extfrag_index",
          "e820",      "memblock/memory", "memblock/reserved", "slab_stats"};
}

std::string Machine::proc(std::string_view name) const {
  Kernel& k = impl_->kernel;
  return render([&](Seq& s) {
    if (name == "buddyinfo") report::buddyinfo(k, s);
    else if (name == "pagetypeinfo") report::pagetypeinfo(k, s);
    else if (name == "zoneinfo") report::zoneinfo(k, s);
    else if (name == "meminfo") report::meminfo(k, s);
    else if (name == "vmstat") report::vmstat(k, s);
    else if (name == "slabinfo") report::slabinfo(k, s);
    else if (name == "slab_stats") report::slab_stats(k, s);
    else if (name == "unusable_index") report::unusable_index(k, s);
    else if (name == "extfrag_index") report::extfrag_index(k, s);
    else if (name == "e820") k.e820().print(s);
    else if (name == "memblock/memory") Memblock::print(s, k.memblock().memory);
    else if (name == "memblock/reserved") Memblock::print(s, k.memblock().reserved);
    else throw std::invalid_argument("kmem: no such proc file '" + std::string(name) + "'");
  });
}

std::string Machine::take_log() { return impl_->platform.take_log(); }
void Machine::set_console_echo(bool on) { impl_->platform.set_echo(on); }
void Machine::bind_current_thread(unsigned cpu) {
  hosted::HostedPlatform::bind_current_thread(cpu);
}

// ---- OOM tasks -----------------------------------------------------------------------

Task* Machine::create_task(std::string_view name, int oom_score_adj, TaskKillFn on_kill,
                           void* arg) {
  auto* t = new Task{};
  t->on_kill = on_kill;
  t->kill_arg = arg;
  std::string comm(name);
  impl_->kernel.task_init(t, comm.c_str(), oom_score_adj);
  return t;
}
void Machine::destroy_task(Task* task) {
  if (task == nullptr) return;
  impl_->kernel.task_exit(task);
  delete task;
}
Page* Machine::task_alloc_pages(Task* task, gfp_t gfp, unsigned order) {
  Page* p = impl_->kernel.alloc_pages(gfp, order);
  if (p != nullptr) impl_->kernel.task_charge(task, p, order);
  return p;
}
void Machine::task_free_pages(Task* task, Page* page, unsigned order) {
  if (impl_->kernel.task_uncharge(task, page, order)) impl_->kernel.free_pages(page, order);
}
bool Machine::task_killed(const Task* task) {
  return task->state.load(std::memory_order_acquire) & TASK_OOM_VICTIM;
}
unsigned long Machine::task_rss(const Task* task) {
  return task->rss.load(std::memory_order_relaxed);
}
int Machine::task_pid(const Task* task) { return task->pid; }
void Machine::attach_task(Task* task) { current_ctx().task = task; }
void Machine::detach_task() { current_ctx().task = nullptr; }

// ---- interrupts and reclaim ------------------------------------------------------------

static_assert(Machine::kIrqShared == IRQF_SHARED && Machine::kShrinkStop == SHRINK_STOP &&
              Machine::kShrinkEmpty == SHRINK_EMPTY &&
              Machine::kShrinkerNumaAware == SHRINKER_NUMA_AWARE &&
              Machine::kShrinkerFs == SHRINKER_FS);
static_assert(std::is_same_v<Machine::IrqHandler, irq_handler_t>);

int Machine::request_irq(unsigned irq, IrqHandler handler, unsigned long flags, const char* name,
                         void* dev_id) {
  return impl_->kernel.request_irq(irq, handler, flags, name, dev_id);
}
const char* Machine::free_irq(unsigned irq, void* dev_id) {
  return impl_->kernel.free_irq(irq, dev_id);
}
int Machine::generic_handle_irq(unsigned irq) { return impl_->kernel.generic_handle_irq(irq); }

namespace {

// The core's callbacks for a HostShrinker. An exception cannot cross the
// core: noexcept turns one into std::terminate.
unsigned long host_count(Shrinker* s, ShrinkControl* sc) noexcept {
  auto* h = static_cast<HostShrinker*>(s->private_data);
  const Machine::ShrinkRequest req{sc->gfp_mask, sc->nid, sc->nr_to_scan, sc->nr_scanned};
  return h->count(req);
}

unsigned long host_scan(Shrinker* s, ShrinkControl* sc) noexcept {
  auto* h = static_cast<HostShrinker*>(s->private_data);
  Machine::ShrinkRequest req{sc->gfp_mask, sc->nid, sc->nr_to_scan, sc->nr_scanned};
  const unsigned long ret = h->scan(req);
  sc->nr_scanned = req.nr_scanned;
  return ret;
}

}  // namespace

int Machine::register_shrinker(std::string_view name, ShrinkCount count, ShrinkScan scan,
                               unsigned flags, int seeks, long batch) {
  if (!count || !scan) throw std::invalid_argument("kmem: register_shrinker needs count and scan");
  auto h = std::make_unique<HostShrinker>();
  h->count = std::move(count);
  h->scan = std::move(scan);
  Kernel& k = impl_->kernel;
  Shrinker* s = k.shrinker_alloc(flags, std::string(name).c_str());
  if (s == nullptr) return -1;
  s->count_objects = &host_count;
  s->scan_objects = &host_scan;
  s->seeks = seeks;
  s->batch = batch;
  s->private_data = h.get();
  h->core = s;
  int id;
  {
    std::lock_guard<std::mutex> g(impl_->shrinker_mu);
    id = impl_->next_shrinker_id++;
    impl_->shrinkers.emplace(id, std::move(h));
  }
  k.shrinker_register(s);
  return id;
}

void Machine::unregister_shrinker(int id) {
  std::unique_ptr<HostShrinker> h;
  {
    std::lock_guard<std::mutex> g(impl_->shrinker_mu);
    auto it = impl_->shrinkers.find(id);
    if (it == impl_->shrinkers.end()) return;
    h = std::move(it->second);
    impl_->shrinkers.erase(it);
  }
  impl_->kernel.shrinker_free(h->core);  // waits for callbacks still running
}

unsigned long Machine::drop_slab() { return impl_->kernel.drop_slab(); }

std::uint64_t Machine::bug_count(unsigned kind) const {
  return kind < NR_BUG_KINDS ? impl_->kernel.bug_count(BugKind(kind)) : 0;
}
// ---- end of interrupts and reclaim ----

}  // namespace kmem
