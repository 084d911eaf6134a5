// SPDX-License-Identifier: MIT
// kmem proc NAME: boots a machine and prints one /proc (or debugfs) file.
#include <iostream>

#include "cli.h"

namespace kmem::cli {
namespace {

struct ProcArgs {
  std::string name;
  std::string cmdline;
};

int run(const ProcArgs& args) {
  auto m = boot_machine(args.cmdline);
  if (!m) return EXIT_BOOT_ERROR;
  std::cout << m->proc(args.name);
  std::cout.flush();
  return 0;
}

}  // namespace

void add_proc_command(CLI::App& app, Commands& out) {
  auto args = std::make_shared<ProcArgs>();
  CLI::App* sub = app.add_subcommand("proc", "Boot a machine and print one /proc file");
  sub->add_option("name", args->name, "The file: buddyinfo, zoneinfo, memblock/memory, ...")
      ->required()
      ->check(CLI::IsMember(Machine::proc_files()));
  add_cmdline_option(*sub, args->cmdline);
  out.push_back({sub, [args] { return run(*args); }});
}

}  // namespace kmem::cli
