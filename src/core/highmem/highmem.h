// SPDX-License-Identifier: MIT
// HighMem: temporary kernel mappings of page frames that have no direct-map
// address (the i386 profile's ZONE_HIGHMEM, above 896 MiB) -- Linux's
// mm/highmem.c and include/linux/highmem-internal.h.
//
// Two windows of kernel virtual address space are reserved from the
// platform at boot, in profiles with HighMem only:
//
//   PKMAP       LAST_PKMAP page slots for kmap(): shared by all threads,
//               refcounted, persistent until a flush; kmap() sleeps when
//               every slot is busy
//   KMAP_LOCAL  KMAP_LOCAL_SLOTS page slots for kmap_local_page() and
//               kmap_atomic(): each thread holds at most MAX_KMAP_LOCAL
//               (KM_MAX_IDX) of them, released in LIFO order; never sleeps
//
// A lowmem page needs neither: kmap() and kmap_local_page() return its
// direct-map address and take no slot.
//
// pkmap_count[slot] (Linux's "virtual count"):
//
//   0     unmapped since the last flush: free
//   1     still mapped but unused: page_address() of the page still gives
//         the slot's address and a kmap() of the page takes it again, but
//         a new page gets it only after flush_all_zero_pkmaps() unmapped it
//   n+1   n users (kmap() calls not yet matched by kunmap())
//
// The slot cursor (last_pkmap_nr) moves round the window; each time it
// wraps to 0 every count-1 slot is flushed (unmapped, back to 0). A full
// lap with no free slot puts the caller to sleep until a kunmap() brings a
// count down to 1.
//
// kmap_local slots come from one machine-wide pool (an atomic bitmap); a
// thread's stack of them lives in its TaskContext (kmap_local_depth,
// kmap_local_slot[]). A slot keeps its last mapping after kunmap_local()
// and is remapped only for a different page: each map is a system call in
// the hosted platform (Linux clears the PTE at once; see docs/deviations.md).
//
// Locking: kmap_lock protects pkmap_count, pkmap_page, the page_address
// hash and the cursor, and is held across the platform's map/unmap calls
// for the PKMAP window. Nothing nests inside it. The KMAP_LOCAL pool needs
// no lock: a thread owns a slot (and its local_pfn entry) from setting its
// bit to clearing it.
#pragma once

#include <atomic>

#include "base/format.h"
#include "base/spinlock.h"
#include "base/types.h"
#include "context/context.h"
#include "context/sync.h"

namespace kmem {

class Kernel;
struct Page;

inline constexpr unsigned LAST_PKMAP = 1024;  // i386 without PAE
inline constexpr unsigned KMAP_LOCAL_SLOTS = 1024;
inline constexpr unsigned PA_HASH_ORDER = 7;  // buckets of the page_address hash

class HighmemState {
 public:
  // Reserves the two windows (lowmem ends at max_low_pfn). Without the
  // platform's virtual-mapping calls, or when they fail, HighMem pages are
  // "mapped" at their direct-map alias instead, with a warning at boot.
  void init(Kernel& k, pfn_t max_low_pfn);
  // Gives the windows back (Kernel's destructor).
  void release(Kernel& k);
  bool windows_reserved() const { return pkmap_base_ != nullptr; }

  // ---- the API (Kernel forwards to these) ----
  void* kmap(Kernel& k, Page* page);
  void kunmap(Kernel& k, Page* page);
  void* kmap_local_page(Kernel& k, Page* page);
  void kunmap_local(Kernel& k, const void* addr);
  // Unmaps every slot with no users (kmap_flush_unused()).
  void kmap_flush_unused(Kernel& k);
  // The page behind a kmap(), kmap_local_page() or direct-map address.
  Page* kmap_to_page(Kernel& k, const void* addr);
  // page_address() of a HighMem page: its kmap() address while a PKMAP slot
  // maps it (users or not), else nullptr.
  void* page_address(const Page* page) const;
  bool page_is_highmem(const Kernel& k, const Page* page) const;

  // ---- introspection (tests, reports) ----
  bool is_kmap_addr(const void* addr) const { return in_window(pkmap_base_, LAST_PKMAP, addr); }
  bool is_kmap_local_addr(const void* addr) const {
    return in_window(local_base_, KMAP_LOCAL_SLOTS, addr);
  }
  // pkmap_count of the slot that maps addr (-1 outside the PKMAP window).
  int pkmap_count_at(const void* addr) const;
  // Slots with at least one user.
  unsigned nr_pkmap_in_use() const;
  // Threads asleep in kmap() waiting for a slot.
  u32 nr_pkmap_waiters() const { return pkmap_wait_.waiters.load(std::memory_order_relaxed); }
  // Platform map calls made for each window, and PKMAP flushes.
  u64 nr_pkmap_maps() const { return pkmap_maps_.load(std::memory_order_relaxed); }
  u64 nr_local_maps() const { return local_maps_.load(std::memory_order_relaxed); }
  u64 nr_pkmap_flushes() const { return pkmap_flushes_.load(std::memory_order_relaxed); }
  // kmap_local slots taken now, by all threads.
  unsigned nr_local_in_use() const;

 private:
  static constexpr u16 kNoSlot16 = 0xffff;
  static constexpr u32 kNoLocalSlot = ~0u;  // a stack entry with no slot (fallback)
  static constexpr unsigned kHashSize = 1u << PA_HASH_ORDER;
  static constexpr unsigned kLocalWords = KMAP_LOCAL_SLOTS / 64;

  static bool in_window(const u8* base, unsigned slots, const void* addr) {
    auto a = reinterpret_cast<uintptr_t>(addr), b = reinterpret_cast<uintptr_t>(base);
    return base != nullptr && a - b < uintptr_t(slots) * PAGE_SIZE;
  }
  static unsigned hash_of(const Page* page);
  void* pkmap_addr(unsigned slot) const { return pkmap_base_ + uintptr_t(slot) * PAGE_SIZE; }
  void* local_addr(unsigned slot) const { return local_base_ + uintptr_t(slot) * PAGE_SIZE; }

  // PKMAP (kmap_lock held).
  int lookup_locked(const Page* page) const;
  void hash_add_locked(unsigned slot, Page* page);
  void hash_del_locked(unsigned slot);
  int map_new_virtual(Kernel& k, Page* page);
  int find_free_pkmap_locked(Kernel& k);
  void flush_all_zero_pkmaps(Kernel& k);
  void* kmap_high(Kernel& k, Page* page);
  void kunmap_high(Kernel& k, Page* page);

  // KMAP_LOCAL.
  int claim_local_slot(unsigned preferred);
  void release_local_slot(unsigned slot);
  void* push_fallback(Kernel& k, Page* page, TaskContext& c);
  void unmap_local_slot_out_of_order(Kernel& k, TaskContext& c, unsigned slot, const void* addr);

  // Reports, counted as BUG_WARN: a "kernel BUG at" (after which the
  // machine goes on) or a WARNING. first_warning() makes a WARN_ON_ONCE.
  void report(Kernel& k, bool bug, const char* file, int line, const char* func, const char* fmt,
              ...) KMEM_PRINTF(7, 8);
  static bool first_warning(std::atomic<bool>& flag) { return !flag.exchange(true); }
  // page is a descriptor of this machine (else a WARNING).
  bool check_page(Kernel& k, const Page* page, const char* func);

  pfn_t max_low_pfn_ = ~pfn_t(0);  // every page is lowmem until init()

  // ---- PKMAP ----
  u8* pkmap_base_ = nullptr;
  mutable SpinLock kmap_lock_;
  int pkmap_count_[LAST_PKMAP] = {};
  Page* pkmap_page_[LAST_PKMAP] = {};  // what the slot maps (Linux reads the PTE)
  u16 hash_head_[kHashSize] = {};      // page_address hash: chains of slots
  u16 hash_next_[LAST_PKMAP] = {};
  std::atomic<unsigned> nr_hashed_{0};  // page_address() skips the lock at 0
  unsigned last_pkmap_nr_ = 0;
  u32 unmap_gen_ = 0;  // bumped when a kunmap() leaves a slot unused
  WaitEvent pkmap_wait_;

  // ---- KMAP_LOCAL ----
  u8* local_base_ = nullptr;
  std::atomic<u64> local_bitmap_[kLocalWords] = {};
  std::atomic<pfn_t> local_pfn_[KMAP_LOCAL_SLOTS] = {};  // pfn + 1 mapped there, 0 = none

  std::atomic<u64> pkmap_maps_{0}, local_maps_{0}, pkmap_flushes_{0};
  std::atomic<bool> warned_out_of_order_{false}, warned_bad_addr_{false}, warned_no_slot_{false},
      warned_map_failed_{false};
};

}  // namespace kmem
