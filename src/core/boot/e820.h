// SPDX-License-Identifier: MIT
// The firmware memory map (e820-like): which physical ranges are RAM and which
// are holes or reserved. Built from the profile, mem= and memmap=.
//
// Layout of a PC as kmem models it (x86_64 and i386 profiles alike):
//
//   0          0x9fc00   0xa0000      0xf0000   0x100000            3 GiB    4 GiB
//   |  RAM 639K  | rsvd  |  hole (VGA) | BIOS    |  RAM ...            | PCI hole | RAM above 4G
//
// RAM below 4 GiB ends at min(mem, 3 GiB); the rest of mem= lies above 4 GiB,
// the way QEMU lays out a large guest.
#pragma once

#include "base/format.h"
#include "boot/options.h"

namespace kmem {

struct E820Entry {
  u64 addr;
  u64 size;
  E820Type type;
  u64 end() const { return addr + size; }
};

class E820Table {
 public:
  static constexpr unsigned MAX_ENTRIES = 128;

  // Builds the map for the options. Returns false (and the reason) when the
  // result holds no RAM above 1 MiB or a memmap= range is out of bounds.
  [[nodiscard]] bool build(const Options& o, CmdlineError& err);

  unsigned size() const { return nr_; }
  const E820Entry& operator[](unsigned i) const { return entries_[i]; }
  u64 ram_bytes() const;
  // End of the highest RAM range (page aligned down).
  u64 max_ram_end() const;

  // Linux's boot-time print: "BIOS-e820: [mem 0x...-0x...] usable".
  void print(Seq& out) const;

 private:
  void add(u64 addr, u64 size, E820Type type);
  // Retypes [addr, addr+size) to type, splitting entries as needed.
  void update(u64 addr, u64 size, E820Type type);
  void sort();

  E820Entry entries_[MAX_ENTRIES];
  unsigned nr_ = 0;
};

const char* e820_type_name(E820Type t);

}  // namespace kmem
