// SPDX-License-Identifier: MIT
#include "kmem/machine.hpp"

#include <cstdlib>
#include <cstring>

#include "kernel.h"
#include "platform/hosted/hosted_platform.h"
#include "report/report.h"

namespace kmem {

struct Machine::Impl {
  hosted::HostedPlatform platform;
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

std::vector<std::string> Machine::proc_files() {
  return {"buddyinfo",      "pagetypeinfo",  "zoneinfo", "meminfo",         "vmstat",
          "unusable_index", "extfrag_index", "e820",     "memblock/memory", "memblock/reserved"};
}

std::string Machine::proc(std::string_view name) const {
  Kernel& k = impl_->kernel;
  return render([&](Seq& s) {
    if (name == "buddyinfo") report::buddyinfo(k, s);
    else if (name == "pagetypeinfo") report::pagetypeinfo(k, s);
    else if (name == "zoneinfo") report::zoneinfo(k, s);
    else if (name == "meminfo") report::meminfo(k, s);
    else if (name == "vmstat") report::vmstat(k, s);
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

}  // namespace kmem
