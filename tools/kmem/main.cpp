// SPDX-License-Identifier: MIT
// kmem: the command-line front end of the kmem library.
//
//   kmem run [--cmdline "mem=1G cpus=4"] [--out DIR]
//   kmem proc NAME [--cmdline ...]
//   kmem options [--markdown]
#include <cstdio>
#include <exception>

#include "cli.h"

int main(int argc, char** argv) {
  CLI::App app{"kmem: the Linux kernel memory allocator as a library, and tools around it", "kmem"};
  app.require_subcommand(1);
  app.footer(
      "Run 'kmem SUBCOMMAND --help' for a subcommand's options, and 'kmem options' for the\n"
      "kernel command-line options a machine accepts (--cmdline).");

  kmem::cli::Commands commands;
  kmem::cli::add_run_command(app, commands);
  kmem::cli::add_proc_command(app, commands);
  kmem::cli::add_options_command(app, commands);

  CLI11_PARSE(app, argc, argv);

  try {
    for (auto& c : commands) {
      if (c.app->parsed()) return c.run();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kmem: error: %s\n", e.what());
    return kmem::cli::EXIT_IO_ERROR;
  }
  return 0;
}
