// SPDX-License-Identifier: MIT
// kmem run: boots a machine and prints its summary and memory reports.
//
// For now this is the boot half of the main job (DESIGN.md "The main job");
// the built-in workload comes with the slab, vmalloc and context layers.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.h"

namespace kmem::cli {
namespace {

// The reports `kmem run` prints; --out writes every Machine::proc_files().
constexpr const char* kPrintedReports[] = {"buddyinfo", "pagetypeinfo", "zoneinfo", "meminfo"};

struct RunArgs {
  std::string cmdline;
  std::string out_dir;
};

// Writes every proc file under dir/proc. Returns false (after a message) on
// an I/O error.
bool write_proc_files(const Machine& m, const std::filesystem::path& dir) {
  const std::filesystem::path proc_dir = dir / "proc";
  std::error_code ec;
  std::filesystem::create_directories(proc_dir, ec);
  if (ec) {
    std::fprintf(stderr, "kmem: cannot create %s: %s\n", proc_dir.c_str(), ec.message().c_str());
    return false;
  }
  for (const std::string& name : Machine::proc_files()) {
    const std::filesystem::path file = proc_dir / proc_file_name(name);
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    f << m.proc(name);
    f.close();
    if (!f) {
      std::fprintf(stderr, "kmem: cannot write %s\n", file.c_str());
      return false;
    }
  }
  return true;
}

int run(const RunArgs& args) {
  auto m = boot_machine(args.cmdline);
  if (!m) return EXIT_BOOT_ERROR;
  std::cout << machine_summary(*m);
  for (const char* name : kPrintedReports) {
    std::cout << "\n==> /proc/" << name << " <==\n" << m->proc(name);
  }
  const std::string log = m->take_log();
  if (!log.empty()) std::cout << "\n==> console <==\n" << log;
  std::cout.flush();
  if (!args.out_dir.empty()) {
    if (!write_proc_files(*m, args.out_dir)) return EXIT_IO_ERROR;
    std::fprintf(stderr, "kmem: wrote %zu files to %s/proc\n", Machine::proc_files().size(),
                 args.out_dir.c_str());
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, Commands& out) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* sub =
      app.add_subcommand("run", "Boot a machine and print its summary and /proc memory reports");
  add_cmdline_option(*sub, args->cmdline);
  sub->add_option("--out", args->out_dir,
                  "Also write every /proc file to DIR/proc/<name> ('/' in a name becomes '_')");
  out.push_back({sub, [args] { return run(*args); }});
}

}  // namespace kmem::cli
