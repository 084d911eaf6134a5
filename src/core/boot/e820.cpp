// SPDX-License-Identifier: MIT
#include "boot/e820.h"

#include "base/bits.h"

namespace kmem {

namespace {
constexpr u64 kLowRamLimit = 3 * SZ_1G;  // start of the PCI hole
constexpr u64 k4G = 4 * SZ_1G;
}  // namespace

const char* e820_type_name(E820Type t) {
  switch (t) {
    case E820Type::ram: return "usable";
    case E820Type::reserved: return "reserved";
    case E820Type::acpi: return "ACPI data";
    case E820Type::nvs: return "ACPI NVS";
    case E820Type::unusable: return "unusable";
    case E820Type::pmem: return "persistent (type 7)";
    case E820Type::persistent: return "persistent (type 12)";
  }
  return "unknown";
}

void E820Table::add(u64 addr, u64 size, E820Type type) {
  if (size == 0 || nr_ == MAX_ENTRIES) return;
  entries_[nr_++] = E820Entry{addr, size, type};
}

void E820Table::sort() {
  for (unsigned i = 1; i < nr_; ++i)
    for (unsigned j = i; j > 0 && entries_[j].addr < entries_[j - 1].addr; --j) {
      E820Entry t = entries_[j];
      entries_[j] = entries_[j - 1];
      entries_[j - 1] = t;
    }
}

//  An entry [a, b) and the update range [s, e):
//
//     a--------------------b          old entry
//           s-------e                 update
//     a-----s                         left remainder keeps the old type
//                   e------b          right remainder keeps the old type
//           s-------e                 added once, with the updated type
void E820Table::update(u64 s, u64 size, E820Type type) {
  u64 e = s + size;
  unsigned n = nr_;
  for (unsigned i = 0; i < n; ++i) {
    E820Entry cur = entries_[i];
    if (cur.end() <= s || cur.addr >= e || cur.type == type) continue;
    entries_[i].size = 0;  // removed; remainders are re-added
    if (cur.addr < s) add(cur.addr, s - cur.addr, cur.type);
    if (cur.end() > e) add(e, cur.end() - e, cur.type);
  }
  add(s, size, type);
  // Compact out removed entries.
  unsigned w = 0;
  for (unsigned i = 0; i < nr_; ++i)
    if (entries_[i].size != 0) entries_[w++] = entries_[i];
  nr_ = w;
  sort();
}

bool E820Table::build(const Options& o, CmdlineError& err) {
  nr_ = 0;
  u64 low = min_t<u64>(o.mem, kLowRamLimit);
  add(0, 0x9fc00, E820Type::ram);
  add(0x9fc00, 0x400, E820Type::reserved);
  add(0xf0000, 0x10000, E820Type::reserved);
  if (low > SZ_1M) add(SZ_1M, low - SZ_1M, E820Type::ram);
  if (o.mem > kLowRamLimit) add(k4G, o.mem - kLowRamLimit, E820Type::ram);
  sort();
  for (unsigned i = 0; i < o.nr_memmap; ++i) {
    const MemmapEntry& m = o.memmap[i];
    if (m.start + m.size > max_ram_end() || m.start + m.size < m.start) {
      format(err.message, sizeof err.message,
             "memmap=%lluK$0x%llx: range ends beyond the last RAM address 0x%llx",
             (unsigned long long)(m.size >> 10), (unsigned long long)m.start,
             (unsigned long long)max_ram_end());
      return false;
    }
    update(m.start, m.size, m.type);
  }
  if (ram_bytes() < 8 * SZ_1M) {
    format(err.message, sizeof err.message, "less than 8 MiB of usable RAM left in the memory map");
    return false;
  }
  return true;
}

u64 E820Table::ram_bytes() const {
  u64 total = 0;
  for (unsigned i = 0; i < nr_; ++i)
    if (entries_[i].type == E820Type::ram) total += entries_[i].size;
  return total;
}

u64 E820Table::max_ram_end() const {
  u64 end = 0;
  for (unsigned i = 0; i < nr_; ++i)
    if (entries_[i].type == E820Type::ram) end = max_t(end, entries_[i].end());
  return align_down(end, PAGE_SIZE);
}

void E820Table::print(Seq& out) const {
  for (unsigned i = 0; i < nr_; ++i) {
    const E820Entry& e = entries_[i];
    out.print("BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n", (unsigned long long)e.addr,
              (unsigned long long)(e.end() - 1), e820_type_name(e.type));
  }
}

}  // namespace kmem
