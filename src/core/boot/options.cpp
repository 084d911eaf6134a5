// SPDX-License-Identifier: MIT
#include "boot/options.h"

#include "base/string.h"

namespace kmem {
namespace {

struct Token {
  const char* p;
  size_t n;
};

enum class Kind { Size, Uint, Bool, Profile, Memmap, BugAction, Flag, String };

struct OptionDesc {
  const char* name;
  Kind kind;
  const char* def;
  const char* help;
};

constexpr OptionDesc kOptions[] = {
#define KMEM_OPTION(name, kind, def, help) {#name, Kind::kind, def, help},
#include "boot/options.def"
#undef KMEM_OPTION
};

bool fail(CmdlineError& err, const char* fmt, Token name, Token value) {
  format(err.message, sizeof err.message, fmt, int(name.n), name.p, int(value.n), value.p);
  return false;
}

bool parse_uint(Token t, u64& out) {
  if (t.n == 0) return false;
  u64 base = 10;
  size_t i = 0;
  if (t.n > 2 && t.p[0] == '0' && (t.p[1] == 'x' || t.p[1] == 'X')) base = 16, i = 2;
  u64 v = 0;
  for (; i < t.n; ++i) {
    char c = t.p[i];
    u64 d;
    if (c >= '0' && c <= '9') d = u64(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = u64(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = u64(c - 'A' + 10);
    else return false;
    if (v > (~0ULL - d) / base) return false;
    v = v * base + d;
  }
  out = v;
  return true;
}

bool parse_bool(Token t, bool& out) {
  const char* yes[] = {"1", "y", "Y", "yes", "on", "true"};
  const char* no[] = {"0", "n", "N", "no", "off", "false"};
  for (const char* s : yes)
    if (str_eq_n(t.p, t.n, s)) return out = true, true;
  for (const char* s : no)
    if (str_eq_n(t.p, t.n, s)) return out = false, true;
  return false;
}

// memmap=nn[KMG]$ss[KMG] and friends (Documentation/admin-guide/kernel-parameters.txt).
bool parse_memmap(Token t, MemmapEntry& e) {
  size_t sep = 0;
  while (sep < t.n && t.p[sep] != '$' && t.p[sep] != '#' && t.p[sep] != '!') ++sep;
  if (sep == t.n) return false;
  if (!parse_size(t.p, sep, e.size) || !parse_size(t.p + sep + 1, t.n - sep - 1, e.start))
    return false;
  e.type = t.p[sep] == '$'   ? E820Type::reserved
           : t.p[sep] == '#' ? E820Type::acpi
                             : E820Type::persistent;
  return e.size != 0;
}

bool set_uint(Token name, Token value, u64& field, u64 lo, u64 hi, CmdlineError& err) {
  u64 v;
  if (!parse_uint(value, v)) return fail(err, "%.*s=%.*s: not a number", name, value);
  if (v < lo || v > hi) {
    format(err.message, sizeof err.message, "%.*s=%.*s: out of range (%llu..%llu)", int(name.n),
           name.p, int(value.n), value.p, (unsigned long long)lo, (unsigned long long)hi);
    return false;
  }
  field = v;
  return true;
}

bool apply(Token name, Token value, Options& o, CmdlineError& err) {
  auto is = [&](const char* s) { return str_eq_n(name.p, name.n, s); };
  if (is("mem")) {
    if (!parse_size(value.p, value.n, o.mem))
      return fail(err, "%.*s=%.*s: not a size (use e.g. 512M, 4G)", name, value);
    if (o.mem < 16 * SZ_1M || o.mem > (1ULL << 46))
      return fail(err, "%.*s=%.*s: out of range (16M..64T)", name, value);
    return true;
  }
  if (is("cpus")) return set_uint(name, value, o.cpus, 1, NR_CPUS, err);
  if (is("numa")) return set_uint(name, value, o.numa, 1, MAX_NUMNODES, err);
  if (is("min_free_kbytes")) return set_uint(name, value, o.min_free_kbytes, 0, 1ULL << 32, err);
  if (is("watermark_scale_factor"))
    return set_uint(name, value, o.watermark_scale_factor, 1, 3000, err);
  if (is("oom_wait_ms")) return set_uint(name, value, o.oom_wait_ms, 0, 3600000, err);
  if (is("panic_on_oom")) return set_uint(name, value, o.panic_on_oom, 0, 2, err);
  if (is("mobility_grouping") || is("pcp") || is("debug_atomic_sleep") || is("kswapd")) {
    bool& field = is("pcp")                  ? o.pcp
                  : is("debug_atomic_sleep") ? o.debug_atomic_sleep
                  : is("kswapd")             ? o.kswapd
                                             : o.mobility_grouping;
    if (!parse_bool(value, field)) return fail(err, "%.*s=%.*s: expected 0 or 1", name, value);
    return true;
  }
  if (is("profile")) {
    if (str_eq_n(value.p, value.n, "x86_64")) o.profile = Profile::x86_64;
    else if (str_eq_n(value.p, value.n, "i386")) o.profile = Profile::i386;
    else return fail(err, "%.*s=%.*s: unknown profile (x86_64, i386)", name, value);
    return true;
  }
  if (is("bug_action")) {
    if (str_eq_n(value.p, value.n, "report")) o.bug_action = BugAction::report;
    else if (str_eq_n(value.p, value.n, "count")) o.bug_action = BugAction::count;
    else if (str_eq_n(value.p, value.n, "panic")) o.bug_action = BugAction::panic;
    else return fail(err, "%.*s=%.*s: expected report, count or panic", name, value);
    return true;
  }
  if (is("slub_debug") || is("slab_debug")) {
    if (value.n >= sizeof o.slub_debug) return fail(err, "%.*s=%.*s: too long", name, value);
    for (size_t i = 0; i < value.n; ++i) o.slub_debug[i] = value.p[i];
    o.slub_debug[value.n] = 0;
    return true;
  }
  if (is("slub_min_order") || is("slab_min_order"))
    return set_uint(name, value, o.slub_min_order, 0, 3, err);
  if (is("slub_max_order") || is("slab_max_order"))
    return set_uint(name, value, o.slub_max_order, 0, 10, err);
  if (is("slub_min_objects") || is("slab_min_objects"))
    return set_uint(name, value, o.slub_min_objects, 0, 32767, err);
  if (is("memmap")) {
    if (o.nr_memmap == MAX_MEMMAP_ENTRIES)
      return fail(err, "%.*s=%.*s: too many memmap= options", name, value);
    if (!parse_memmap(value, o.memmap[o.nr_memmap]))
      return fail(err, "%.*s=%.*s: expected nn[KMG]$ss[KMG]", name, value);
    ++o.nr_memmap;
    return true;
  }
  return fail(err, "unknown option '%.*s'%.*s", name, Token{"", 0});
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool parse_size(const char* s, size_t len, u64& out) {
  if (len == 0) return false;
  u64 shift = 0;
  switch (s[len - 1]) {
    case 'K':
    case 'k': shift = 10; break;
    case 'M':
    case 'm': shift = 20; break;
    case 'G':
    case 'g': shift = 30; break;
    case 'T':
    case 't': shift = 40; break;
    case 'P':
    case 'p': shift = 50; break;
    default: break;
  }
  if (shift != 0) --len;
  u64 v;
  if (!parse_uint(Token{s, len}, v)) return false;
  if (shift != 0 && v > (~0ULL >> shift)) return false;
  out = v << shift;
  return true;
}

bool parse_cmdline(const char* cmdline, Options& out, CmdlineError& err) {
  Options o = out;
  const char* p = cmdline == nullptr ? "" : cmdline;
  while (*p) {
    while (is_space(*p)) ++p;
    if (!*p) break;
    const char* start = p;
    while (*p && !is_space(*p)) ++p;
    Token word{start, size_t(p - start)};
    size_t eq = 0;
    while (eq < word.n && word.p[eq] != '=') ++eq;
    Token name{word.p, eq};
    if (eq == word.n &&
        (str_eq_n(word.p, word.n, "slab_nomerge") || str_eq_n(word.p, word.n, "slub_nomerge"))) {
      o.slab_nomerge = true;
      continue;
    }
    if (eq == word.n && str_eq_n(word.p, word.n, "slab_merge")) {
      o.slab_nomerge = false;
      continue;
    }
    if (eq == word.n &&
        (str_eq_n(word.p, word.n, "slub_debug") || str_eq_n(word.p, word.n, "slab_debug"))) {
      o.slub_debug[0] = 'F', o.slub_debug[1] = 'Z', o.slub_debug[2] = 'P', o.slub_debug[3] = 'U';
      o.slub_debug[4] = 0;
      continue;
    }
    if (eq == word.n || eq == 0 || eq + 1 == word.n) {
      bool known = false;
      for (const OptionDesc& d : kOptions) known |= str_eq_n(name.p, name.n, d.name);
      if (!known) return fail(err, "unknown option '%.*s'%.*s", word, Token{"", 0});
      return fail(err, "%.*s: missing value (expected %.*s=VALUE)", word, name);
    }
    if (!apply(name, Token{word.p + eq + 1, word.n - eq - 1}, o, err)) return false;
  }
  if (o.numa > o.cpus) {
    format(err.message, sizeof err.message, "numa=%llu: more nodes than cpus=%llu",
           (unsigned long long)o.numa, (unsigned long long)o.cpus);
    return false;
  }
  out = o;
  return true;
}

void describe_options(Seq& out, bool markdown) {
  if (markdown) {
    out.puts("| option | default | meaning |\n|---|---|---|\n");
    for (const OptionDesc& d : kOptions)
      out.print("| `%s=` | `%s` | %s |\n", d.name, d.def[0] ? d.def : "(none)", d.help);
    return;
  }
  for (const OptionDesc& d : kOptions)
    out.print("  %-24s %s (default: %s)\n", d.name, d.help, d.def[0] ? d.def : "none");
}

const char* profile_name(Profile p) { return p == Profile::i386 ? "i386" : "x86_64"; }

const char* bug_action_name(BugAction a) {
  return a == BugAction::count ? "count" : a == BugAction::panic ? "panic" : "report";
}

void print_cmdline(Seq& out, const Options& o) {
  out.print("mem=%lluM cpus=%llu numa=%llu profile=%s", (unsigned long long)(o.mem >> 20),
            (unsigned long long)o.cpus, (unsigned long long)o.numa, profile_name(o.profile));
  for (unsigned i = 0; i < o.nr_memmap; ++i) {
    const MemmapEntry& e = o.memmap[i];
    char sep = e.type == E820Type::reserved ? '$' : e.type == E820Type::acpi ? '#' : '!';
    out.print(" memmap=%lluK%c0x%llx", (unsigned long long)(e.size >> 10), sep,
              (unsigned long long)e.start);
  }
  if (o.min_free_kbytes) out.print(" min_free_kbytes=%llu", (unsigned long long)o.min_free_kbytes);
  if (o.watermark_scale_factor != 10)
    out.print(" watermark_scale_factor=%llu", (unsigned long long)o.watermark_scale_factor);
  if (!o.mobility_grouping) out.puts(" mobility_grouping=0");
  if (!o.pcp) out.puts(" pcp=0");
  if (o.bug_action != BugAction::report) out.print(" bug_action=%s", bug_action_name(o.bug_action));
  if (!o.debug_atomic_sleep) out.puts(" debug_atomic_sleep=0");
  if (!o.kswapd) out.puts(" kswapd=0");
  if (o.oom_wait_ms != 1000) out.print(" oom_wait_ms=%llu", (unsigned long long)o.oom_wait_ms);
  if (o.panic_on_oom) out.print(" panic_on_oom=%llu", (unsigned long long)o.panic_on_oom);
  if (o.slub_debug[0]) out.print(" slub_debug=%s", o.slub_debug);
  if (o.slab_nomerge) out.puts(" slab_nomerge");
  if (o.slub_min_order) out.print(" slub_min_order=%llu", (unsigned long long)o.slub_min_order);
  if (o.slub_max_order != 3)
    out.print(" slub_max_order=%llu", (unsigned long long)o.slub_max_order);
  if (o.slub_min_objects)
    out.print(" slub_min_objects=%llu", (unsigned long long)o.slub_min_objects);
}

}  // namespace kmem
