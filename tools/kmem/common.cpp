// SPDX-License-Identifier: MIT
// Helpers shared by the subcommands: booting a machine from --cmdline and
// describing it.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "cli.h"
#include "kernel.h"

namespace kmem::cli {

void add_cmdline_option(CLI::App& sub, std::string& cmdline) {
  sub.add_option("--cmdline", cmdline,
                 "Kernel command line of the machine, e.g. \"mem=1G cpus=4\" "
                 "(see `kmem options`)");
}

std::unique_ptr<Machine> boot_machine(const std::string& cmdline) {
  std::string error;
  auto m = Machine::create(cmdline, &error);
  if (!m) std::fprintf(stderr, "kmem: cannot boot '%s': %s\n", cmdline.c_str(), error.c_str());
  return m;
}

namespace {

// Pages to KiB, as /proc/meminfo counts.
unsigned long long kib(unsigned long long pages) { return pages * (PAGE_SIZE / 1024); }

std::string mib(unsigned long long pages) {
  return fmt::format("{:.1f} MiB", double(pages) * double(PAGE_SIZE) / (1024.0 * 1024.0));
}

}  // namespace

std::string machine_summary(Machine& m) {
  Kernel& k = m.kernel();
  const Options& o = k.options();
  std::string s;
  s += fmt::format("kmem: booted '{}'\n", m.cmdline());
  s += fmt::format("  profile {}, {} CPU{}, {} node{}, max_pfn {:#x}\n", profile_name(o.profile),
                   k.nr_cpus(), k.nr_cpus() == 1 ? "" : "s", k.nr_node_ids(),
                   k.nr_node_ids() == 1 ? "" : "s", k.max_pfn());
  s += fmt::format("  {:>4} {:<8} {:>10} {:>10} {:>10} {:>16}  {}\n", "node", "zone", "present",
                   "managed", "free", "min/low/high", "pfns");
  unsigned long long present = 0;
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    Node* node = k.node_data(nid);
    for (unsigned z = 0; z < MAX_NR_ZONES; ++z) {
      Zone& zone = node->zones[z];
      if (!zone.configured || zone.spanned_pages == 0) continue;
      present += zone.present_pages;
      std::string wm = fmt::format("{}/{}/{}", zone.wmark(WMARK_MIN), zone.wmark(WMARK_LOW),
                                   zone.wmark(WMARK_HIGH));
      s += fmt::format("  {:>4} {:<8} {:>10} {:>10} {:>10} {:>16}  {:#x}-{:#x} ({} managed)\n", nid,
                       zone.name(), zone.present_pages, zone.managed(),
                       std::max(zone.free_pages(), 0L), wm, zone.zone_start_pfn,
                       zone.zone_end_pfn(), mib(zone.managed()));
    }
  }
  const unsigned long total = k.totalram_pages();
  const unsigned long free = k.global_free_pages();
  s += fmt::format(
      "  Memory: {}K/{}K available ({}K reserved, of which memmap {}K), {}K free ({})\n",
      kib(total), kib(present), kib(present - total), kib(k.memmap_pages()), kib(free), mib(free));
  s += fmt::format("  min_free_kbytes {}, totalreserve_pages {}\n", k.min_free_kbytes(),
                   k.totalreserve_pages());
  return s;
}

std::string proc_file_name(const std::string& name) {
  std::string out = name;
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

}  // namespace kmem::cli
