// SPDX-License-Identifier: MIT
// Shared pieces of the kmem command-line tool. Each subcommand lives in its own
// cmd_<name>.cpp and registers itself through one add_<name>_command()
// function; main.cpp parses the command line and runs the chosen one.
//
// Exit statuses (all subcommands):
//   0  success
//   1  an I/O or internal error (message on stderr)
//   2  the machine did not boot (bad --cmdline)
//   CLI11's codes (105, 106, ...) for bad arguments, with CLI11's message
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "kmem/machine.hpp"

namespace kmem::cli {

inline constexpr int EXIT_IO_ERROR = 1;
inline constexpr int EXIT_BOOT_ERROR = 2;

// A registered subcommand: CLI11 parses into the state captured by run.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

void add_run_command(CLI::App& app, Commands& out);
void add_proc_command(CLI::App& app, Commands& out);
void add_options_command(CLI::App& app, Commands& out);

// Adds the common --cmdline option to a subcommand.
void add_cmdline_option(CLI::App& sub, std::string& cmdline);

// Boots a machine; on failure prints "kmem: cannot boot '<cmdline>': <reason>"
// to stderr and returns nullptr (the caller exits with EXIT_BOOT_ERROR).
std::unique_ptr<Machine> boot_machine(const std::string& cmdline);

// A short human-readable description of a booted machine: nodes, zones with
// their sizes and watermarks, total and free memory.
std::string machine_summary(Machine& m);

// The path a /proc file gets under --out: DIR/proc/<name, '/' -> '_'>.
std::string proc_file_name(const std::string& name);

}  // namespace kmem::cli
