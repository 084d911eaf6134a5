// SPDX-License-Identifier: MIT
// kmem::Machine -- one simulated machine in this process: its physical memory
// (a memfd), its page descriptors, zones and allocators. Several machines may
// live side by side; each is independent.
//
//   auto m = kmem::Machine::create("mem=2G cpus=4 numa=2");
//   kmem::Page* p = m->alloc_pages(kmem::gfp::KERNEL, 2);
//   std::memset(m->page_address(p), 0, 4 * 4096);
//   m->free_pages(p, 2);
//   std::cout << m->proc("buddyinfo");
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kmem/gfp.hpp"

namespace kmem {

class Kernel;
struct Page;

// Thrown by the Machine constructor for a command line that does not boot.
class BootError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Machine {
 public:
  // Boots a machine from a kernel command line ("" = defaults: mem=1G cpus=4).
  // Throws BootError naming the bad option.
  explicit Machine(std::string_view cmdline = {});
  // Same, without exceptions: nullptr and *error on failure.
  static std::unique_ptr<Machine> create(std::string_view cmdline, std::string* error = nullptr);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // The freestanding core behind this machine (white-box access).
  Kernel& kernel();
  const Kernel& kernel() const;
  std::string cmdline() const;

  // ---- page allocator (Linux names and semantics) ----
  Page* alloc_pages(gfp_t gfp, unsigned order, int nid = -1);
  void free_pages(Page* page, unsigned order);
  unsigned long get_free_pages(gfp_t gfp, unsigned order);
  unsigned long get_zeroed_page(gfp_t gfp);
  void free_pages(unsigned long addr, unsigned order);
  void* alloc_pages_exact(std::size_t size, gfp_t gfp);
  void free_pages_exact(void* virt, std::size_t size);
  void* page_address(const Page* page) const;
  Page* virt_to_page(const void* addr) const;
  unsigned long page_to_pfn(const Page* page) const;
  Page* pfn_to_page(unsigned long pfn) const;
  std::uint64_t virt_to_phys(const void* addr) const;
  void* phys_to_virt(std::uint64_t phys) const;

  // ---- reports ----
  // The text of a /proc or debugfs file: "buddyinfo", "pagetypeinfo",
  // "zoneinfo", "meminfo", "vmstat", "unusable_index", "extfrag_index",
  // "e820", "memblock/memory", "memblock/reserved". Throws std::invalid_argument
  // for an unknown name.
  std::string proc(std::string_view name) const;
  static std::vector<std::string> proc_files();

  // ---- console ----
  // Everything the kernel printed since the last call (reports, warnings).
  std::string take_log();
  // Also write console output to stderr as it happens (default: off unless
  // the environment variable KMEM_CONSOLE=1).
  void set_console_echo(bool on);

  // ---- CPUs ----
  // Binds the calling thread to CPU slot cpu (per thread, for every machine).
  static void bind_current_thread(unsigned cpu);

  struct Impl;

 private:
  explicit Machine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kmem
