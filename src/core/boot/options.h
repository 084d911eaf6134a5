// SPDX-License-Identifier: MIT
// Boot options, parsed from a kernel-style command line.
#pragma once

#include "base/format.h"
#include "base/types.h"

namespace kmem {

enum class Profile : u8 { x86_64, i386 };
enum class BugAction : u8 { report, count, panic };

// e820 range types (arch/x86/include/asm/e820/types.h values).
enum class E820Type : u32 {
  ram = 1,
  reserved = 2,
  acpi = 3,
  nvs = 4,
  unusable = 5,
  pmem = 7,
  persistent = 12
};

struct MemmapEntry {
  u64 start;
  u64 size;
  E820Type type;
};

inline constexpr unsigned MAX_MEMMAP_ENTRIES = 16;

struct Options {
  u64 mem = 1ULL << 30;
  u64 cpus = 4;
  u64 numa = 1;
  Profile profile = Profile::x86_64;
  MemmapEntry memmap[MAX_MEMMAP_ENTRIES] = {};
  unsigned nr_memmap = 0;
  u64 min_free_kbytes = 0;
  u64 watermark_scale_factor = 10;
  bool mobility_grouping = true;
  bool pcp = true;
  BugAction bug_action = BugAction::report;
  bool debug_atomic_sleep = true;
  bool kswapd = true;
  u64 panic_on_oom = 0;
  u64 oom_wait_ms = 1000;
  char slub_debug[256] = {};  // the slub_debug= string, parsed by the slab layer
  bool slab_nomerge = false;
  u64 slub_min_order = 0;
  u64 slub_max_order = 3;  // PAGE_ALLOC_COSTLY_ORDER
  u64 slub_min_objects = 0;
};

struct CmdlineError {
  char message[256] = {};
};

// Parses a command line ("mem=2G cpus=8 memmap=64M$256M") on top of the
// defaults. Unknown options, malformed values and out-of-range values are
// errors; the message names the option and the offending text.
[[nodiscard]] bool parse_cmdline(const char* cmdline, Options& out, CmdlineError& err);

// Parses a memparse size ("512M", "4G", "0x1000", "64k") into bytes.
[[nodiscard]] bool parse_size(const char* s, size_t len, u64& out);

// Writes the option table: one entry per option with its default and help.
// markdown selects docs/cmdline.md's table layout instead of --help's.
void describe_options(Seq& out, bool markdown);

// Renders the effective options as a command line.
void print_cmdline(Seq& out, const Options& o);

const char* profile_name(Profile p);
const char* bug_action_name(BugAction a);

}  // namespace kmem
