// SPDX-License-Identifier: MIT
// kmem options: prints the kernel command-line options table, the same table
// the parser uses (src/core/boot/options.def). --markdown gives the layout of
// docs/cmdline.md.
#include <iostream>
#include <string>

#include "boot/options.h"
#include "cli.h"

namespace kmem::cli {
namespace {

void append_to_string(void* ctx, const char* data, size_t len) {
  static_cast<std::string*>(ctx)->append(data, len);
}

std::string render_options(bool markdown) {
  std::string out;
  char buf[4096];
  {
    Seq seq(buf, sizeof buf, &append_to_string, &out);
    describe_options(seq, markdown);
  }  // ~Seq flushes
  return out;
}

}  // namespace

void add_options_command(CLI::App& app, Commands& out) {
  auto markdown = std::make_shared<bool>(false);
  CLI::App* sub =
      app.add_subcommand("options", "Print the kernel command-line options kmem accepts");
  sub->add_flag("--markdown", *markdown, "Print a Markdown table (docs/cmdline.md)");
  out.push_back({sub, [markdown] {
                   std::cout << render_options(*markdown);
                   std::cout.flush();
                   return 0;
                 }});
}

}  // namespace kmem::cli
