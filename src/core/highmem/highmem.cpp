// SPDX-License-Identifier: MIT
// kmap()/kunmap() through the PKMAP window and kmap_local_page()/
// kunmap_local() through per-thread stacks of KMAP_LOCAL slots (Linux's
// mm/highmem.c); the model and the locking are described in highmem.h.
#include "highmem/highmem.h"

#include <stdarg.h>

#include "kernel.h"

namespace kmem {

namespace {

// Where Linux has the calls and checks reported here (mm/highmem.c lines as
// of 6.12; the file barely changed since), so that reports name the place a
// kernel developer would look.
constexpr const char* kHighmemC = "mm/highmem.c";
constexpr const char* kHighmemInternalH = "include/linux/highmem-internal.h";
constexpr int kLineKmapMightSleep = 44;    // kmap(): might_sleep()
constexpr int kLineKunmapMightSleep = 55;  // kunmap(): might_sleep()
constexpr int kLineKunmapNotMapped = 370;  // kunmap_high(): BUG_ON(!vaddr)
constexpr int kLineKunmapUnused = 380;     // kunmap_high(): the count reached 0
constexpr int kLineLocalPush = 479;        // kmap_local_idx_push(): idx >= KM_MAX_IDX
constexpr int kLineLocalPop = 491;         // kmap_local_idx_pop(): idx < 0
constexpr int kLineLocalBadAddr = 616;     // kunmap_local_indexed(): not a kernel address
constexpr int kLineLocalOrder = 622;       // kunmap_local_indexed(): not the top mapping

}  // namespace

// ---- boot and shutdown ----------------------------------------------------------

void HighmemState::init(Kernel& k, pfn_t max_low_pfn) {
  max_low_pfn_ = max_low_pfn;
  for (u16& h : hash_head_) h = kNoSlot16;
  const PlatformOps& ops = k.platform();
  if (ops.reserve_virtual == nullptr || ops.release_virtual == nullptr ||
      ops.map_virtual == nullptr || ops.unmap_virtual == nullptr) {
    k.printk(LogLevel::warning,
             "highmem: the platform cannot map pages; kmap() gives direct-map aliases");
    return;
  }
  pkmap_base_ = static_cast<u8*>(ops.reserve_virtual(ops.ctx, u64(LAST_PKMAP) * PAGE_SIZE));
  local_base_ = static_cast<u8*>(ops.reserve_virtual(ops.ctx, u64(KMAP_LOCAL_SLOTS) * PAGE_SIZE));
  if (pkmap_base_ == nullptr || local_base_ == nullptr) {
    release(k);
    k.printk(LogLevel::warning,
             "highmem: cannot reserve the kmap windows; kmap() gives direct-map aliases");
  }
}

void HighmemState::release(Kernel& k) {
  const PlatformOps& ops = k.platform();
  if (pkmap_base_ != nullptr)
    ops.release_virtual(ops.ctx, pkmap_base_, u64(LAST_PKMAP) * PAGE_SIZE);
  if (local_base_ != nullptr)
    ops.release_virtual(ops.ctx, local_base_, u64(KMAP_LOCAL_SLOTS) * PAGE_SIZE);
  pkmap_base_ = local_base_ = nullptr;
}

bool HighmemState::page_is_highmem(const Kernel& k, const Page* page) const {
  return k.page_to_pfn(page) >= max_low_pfn_;
}

// ---- reports ------------------------------------------------------------------------

void HighmemState::report(Kernel& k, bool bug, const char* file, int line, const char* func,
                          const char* fmt, ...) {
  char buf[768];
  FixedSeq fs(buf, sizeof buf);
  Seq& s = fs.seq();
  char comm[32];
  k.current_comm(comm, sizeof comm);
  va_list ap;
  va_start(ap, fmt);
  s.puts("------------[ cut here ]------------\n");
  if (bug) {
    s.print("kernel BUG at %s:%d!\n", file, line);
    s.vprint(fmt, ap);
    s.puts("\nOops: invalid opcode: 0000 [#1] SMP\n");
  } else {
    // WARN(cond, fmt): the message comes first.
    s.vprint(fmt, ap);
    s.print("\nWARNING: CPU: %u PID: %d at %s:%d %s\n", k.current_cpu(), k.current_pid(), file,
            line, func);
  }
  va_end(ap);
  s.puts("Modules linked in:\n");
  s.print("CPU: %u UID: 0 PID: %d Comm: %s Tainted: %s (kmem)\n", k.current_cpu(), k.current_pid(),
          comm, bug ? "G" : "G        W");
  if (bug) s.print("EIP: %s+0x0/0x0\n", func);
  s.puts("---[ end trace 0000000000000000 ]---\n");
  k.report_bug(BUG_WARN, fs.c_str(), fs.length());
}

bool HighmemState::check_page(Kernel& k, const Page* page, const char* func) {
  if (__builtin_expect(k.is_page(page), 1)) return true;
  report(k, false, "src/core/highmem/highmem.cpp", __LINE__, func,
         "%s(%p): not a struct page of this machine", func, static_cast<const void*>(page));
  return false;
}

// ---- the page_address hash (kmap_lock held) ---------------------------------------------

unsigned HighmemState::hash_of(const Page* page) {
  u64 x = u64(reinterpret_cast<uintptr_t>(page) >> 6) * 0x9e3779b97f4a7c15ull;
  return unsigned(x >> (64 - PA_HASH_ORDER));
}

int HighmemState::lookup_locked(const Page* page) const {
  for (u16 s = hash_head_[hash_of(page)]; s != kNoSlot16; s = hash_next_[s])
    if (pkmap_page_[s] == page) return s;
  return -1;
}

void HighmemState::hash_add_locked(unsigned slot, Page* page) {
  const unsigned b = hash_of(page);
  pkmap_page_[slot] = page;
  hash_next_[slot] = hash_head_[b];
  hash_head_[b] = u16(slot);
  nr_hashed_.fetch_add(1, std::memory_order_relaxed);
}

void HighmemState::hash_del_locked(unsigned slot) {
  u16* link = &hash_head_[hash_of(pkmap_page_[slot])];
  while (*link != slot) {
    MM_ASSERT(*link != kNoSlot16, "pkmap slot %u missing from its hash chain", slot);
    link = &hash_next_[*link];
  }
  *link = hash_next_[slot];
  pkmap_page_[slot] = nullptr;
  nr_hashed_.fetch_sub(1, std::memory_order_relaxed);
}

void* HighmemState::page_address(const Page* page) const {
  if (nr_hashed_.load(std::memory_order_relaxed) == 0) return nullptr;
  SpinGuard g(kmap_lock_);
  int s = lookup_locked(page);
  return s < 0 ? nullptr : pkmap_addr(unsigned(s));
}

// ---- PKMAP: kmap() / kunmap() ---------------------------------------------------------

// Unmaps every slot left with no users (count 1), in runs of neighbours so
// that the platform sees one call per run.
void HighmemState::flush_all_zero_pkmaps(Kernel& k) {
  const PlatformOps& ops = k.platform();
  unsigned run = 0;  // count-1 slots just before i
  bool flushed = false;
  for (unsigned i = 0; i <= LAST_PKMAP; ++i) {
    if (i < LAST_PKMAP && pkmap_count_[i] == 1) {
      pkmap_count_[i] = 0;
      hash_del_locked(i);
      ++run;
      continue;
    }
    if (run == 0) continue;
    ops.unmap_virtual(ops.ctx, pkmap_addr(i - run), u64(run) * PAGE_SIZE);
    run = 0;
    flushed = true;
  }
  if (flushed) pkmap_flushes_.fetch_add(1, std::memory_order_relaxed);
}

void HighmemState::kmap_flush_unused(Kernel& k) {
  if (pkmap_base_ == nullptr) return;
  SpinGuard g(kmap_lock_);
  flush_all_zero_pkmaps(k);
}

// One lap of the cursor round the window, flushing when it wraps; a free
// slot or -1 when every slot is in use.
int HighmemState::find_free_pkmap_locked(Kernel& k) {
  unsigned count = LAST_PKMAP;
  for (;;) {
    last_pkmap_nr_ = (last_pkmap_nr_ + 1) & (LAST_PKMAP - 1);
    if (last_pkmap_nr_ == 0) {
      flush_all_zero_pkmaps(k);
      count = LAST_PKMAP;
    }
    if (pkmap_count_[last_pkmap_nr_] == 0) return int(last_pkmap_nr_);
    if (--count == 0) return -1;
  }
}

// A slot for page, which has none: maps it (count 1). Sleeps while every
// slot is in use. Called and returns with kmap_lock held; -1 if the
// platform failed to map.
int HighmemState::map_new_virtual(Kernel& k, Page* page) {
  for (;;) {
    int slot = find_free_pkmap_locked(k);
    if (slot >= 0) {
      const PlatformOps& ops = k.platform();
      if (!ops.map_virtual(ops.ctx, pkmap_addr(unsigned(slot)), k.page_to_phys(page), PAGE_SIZE)) {
        if (first_warning(warned_map_failed_))
          k.printk(LogLevel::err, "highmem: the platform failed to map a kmap() slot");
        return -1;
      }
      pkmap_maps_.fetch_add(1, std::memory_order_relaxed);
      pkmap_count_[slot] = 1;
      hash_add_locked(unsigned(slot), page);
      return slot;
    }
    // A whole lap found every slot in use. Register as a waiter before
    // looking again under the lock: a kunmap() after that look sees the
    // waiter and wakes it (see Kernel::prepare_to_wait).
    const u32 gen = unmap_gen_;
    kmap_lock_.unlock();
    const u32 seen = k.prepare_to_wait(pkmap_wait_);
    kmap_lock_.lock();
    if (unmap_gen_ == gen) {
      kmap_lock_.unlock();
      k.wait_event(pkmap_wait_, seen, 0);
      kmap_lock_.lock();
    }
    k.finish_wait(pkmap_wait_);
    // Somebody else may have mapped the page while we slept.
    slot = lookup_locked(page);
    if (slot >= 0) return slot;
  }
}

void* HighmemState::kmap_high(Kernel& k, Page* page) {
  kmap_lock_.lock();
  int slot = lookup_locked(page);
  if (slot < 0) slot = map_new_virtual(k, page);
  if (slot < 0) {
    kmap_lock_.unlock();
    return k.page_to_virt_raw(page);
  }
  ++pkmap_count_[slot];
  MM_ASSERT(pkmap_count_[slot] >= 2, "pkmap slot %d count %d", slot, pkmap_count_[slot]);
  kmap_lock_.unlock();
  return pkmap_addr(unsigned(slot));
}

void HighmemState::kunmap_high(Kernel& k, Page* page) {
  kmap_lock_.lock();
  const int slot = lookup_locked(page);
  const int count = slot < 0 ? 0 : pkmap_count_[slot];
  bool wake = false;
  if (count >= 2 && --pkmap_count_[slot] == 1) {
    ++unmap_gen_;
    wake = true;
  }
  kmap_lock_.unlock();
  if (slot < 0) {
    report(k, true, kHighmemC, kLineKunmapNotMapped, "kunmap_high",
           "kunmap(): page %p (pfn %#lx) is not mapped by kmap()", static_cast<void*>(page),
           k.page_to_pfn(page));
  } else if (count < 2) {
    // Linux decrements to 0 and BUGs; the count stays at 1 here.
    report(k, true, kHighmemC, kLineKunmapUnused, "kunmap_high",
           "kunmap(): page %p (pfn %#lx) has no kmap() left to undo", static_cast<void*>(page),
           k.page_to_pfn(page));
  } else if (wake) {
    k.wake_up_all(pkmap_wait_);
  }
}

void* HighmemState::kmap(Kernel& k, Page* page) {
  k.might_sleep(kHighmemInternalH, kLineKmapMightSleep);
  if (!check_page(k, page, "kmap")) return nullptr;
  if (!page_is_highmem(k, page)) return k.page_address(page);
  if (pkmap_base_ == nullptr) return k.page_to_virt_raw(page);
  return kmap_high(k, page);
}

void HighmemState::kunmap(Kernel& k, Page* page) {
  k.might_sleep(kHighmemInternalH, kLineKunmapMightSleep);
  if (!check_page(k, page, "kunmap")) return;
  if (!page_is_highmem(k, page) || pkmap_base_ == nullptr) return;
  kunmap_high(k, page);
}

// ---- KMAP_LOCAL: kmap_local_page() / kunmap_local() ---------------------------------

// Takes a free slot, preferred first (a thread tends to get the same slot
// for the same depth, whose cached mapping may already be the one wanted).
int HighmemState::claim_local_slot(unsigned preferred) {
  const unsigned w0 = preferred / 64;
  const u64 bit = 1ull << (preferred % 64);
  if (!(local_bitmap_[w0].fetch_or(bit, std::memory_order_acquire) & bit)) return int(preferred);
  for (unsigned i = 0; i < kLocalWords; ++i) {
    const unsigned wi = (w0 + i) % kLocalWords;
    std::atomic<u64>& w = local_bitmap_[wi];
    u64 v = w.load(std::memory_order_relaxed);
    while (~v != 0) {
      const unsigned b = unsigned(__builtin_ctzll(~v));
      if (w.compare_exchange_weak(v, v | (1ull << b), std::memory_order_acquire,
                                  std::memory_order_relaxed))
        return int(wi * 64 + b);
    }
  }
  return -1;
}

void HighmemState::release_local_slot(unsigned slot) {
  local_bitmap_[slot / 64].fetch_and(~(1ull << (slot % 64)), std::memory_order_release);
}

// No slot to be had: the page's direct-map alias (which the hosted platform
// can always reach), with a stack entry so that LIFO order still holds.
void* HighmemState::push_fallback(Kernel& k, Page* page, TaskContext& c) {
  c.kmap_local_slot[c.kmap_local_depth++] = kNoLocalSlot;
  return k.page_to_virt_raw(page);
}

void* HighmemState::kmap_local_page(Kernel& k, Page* page) {
  if (!check_page(k, page, "kmap_local_page")) return nullptr;
  if (!page_is_highmem(k, page)) return k.page_address(page);
  TaskContext& c = current_ctx();
  if (c.kmap_local_depth >= MAX_KMAP_LOCAL) {
    // Linux BUGs. The alias keeps the caller going; its kunmap_local() is a no-op.
    report(k, true, kHighmemC, kLineLocalPush, "kmap_local_idx_push",
           "kmap_local_page(): more than %u nested mappings on this thread", MAX_KMAP_LOCAL);
    return k.page_to_virt_raw(page);
  }
  if (local_base_ == nullptr) return push_fallback(k, page, c);
  const int slot =
      claim_local_slot((k.current_cpu() * MAX_KMAP_LOCAL + c.kmap_local_depth) % KMAP_LOCAL_SLOTS);
  if (slot < 0) {
    if (first_warning(warned_no_slot_))
      report(k, false, kHighmemC, kLineLocalPush, "kmap_local_idx_push",
             "kmap_local_page(): all %u kmap_local slots of the machine are in use",
             KMAP_LOCAL_SLOTS);
    return push_fallback(k, page, c);
  }
  const pfn_t want = k.page_to_pfn(page) + 1;
  std::atomic<pfn_t>& cached = local_pfn_[slot];
  if (cached.load(std::memory_order_relaxed) != want) {
    const PlatformOps& ops = k.platform();
    if (!ops.map_virtual(ops.ctx, local_addr(unsigned(slot)), k.page_to_phys(page), PAGE_SIZE)) {
      cached.store(0, std::memory_order_relaxed);
      release_local_slot(unsigned(slot));
      if (first_warning(warned_map_failed_))
        k.printk(LogLevel::err, "highmem: the platform failed to map a kmap_local slot");
      return push_fallback(k, page, c);
    }
    cached.store(want, std::memory_order_relaxed);
    local_maps_.fetch_add(1, std::memory_order_relaxed);
  }
  c.kmap_local_slot[c.kmap_local_depth++] = u32(slot);
  return local_addr(unsigned(slot));
}

// kunmap_local() of a slot below the top of this thread's stack: Linux
// warns once and leaves its stack in disorder; here the entry is taken out
// wherever it is, so that the rest still unmaps cleanly.
void HighmemState::unmap_local_slot_out_of_order(Kernel& k, TaskContext& c, unsigned slot,
                                                 const void* addr) {
  if (first_warning(warned_out_of_order_)) {
    const u32 top = c.kmap_local_slot[c.kmap_local_depth - 1];
    report(k, false, kHighmemC, kLineLocalOrder, "kunmap_local_indexed",
           "kunmap_local(%p): not the last kmap_local_page() of this thread (that is %p)", addr,
           top == kNoLocalSlot ? nullptr : local_addr(top));
  }
  for (u32 i = c.kmap_local_depth; i-- > 0;) {
    if (c.kmap_local_slot[i] != slot) continue;
    for (u32 j = i + 1; j < c.kmap_local_depth; ++j)
      c.kmap_local_slot[j - 1] = c.kmap_local_slot[j];
    --c.kmap_local_depth;
    release_local_slot(slot);
    return;
  }
  // Not a mapping of this thread: its owner still uses the slot.
}

void HighmemState::kunmap_local(Kernel& k, const void* addr) {
  TaskContext& c = current_ctx();
  if (is_kmap_local_addr(addr)) {
    const auto a = reinterpret_cast<uintptr_t>(addr) & PAGE_MASK;
    const auto slot = unsigned((a - reinterpret_cast<uintptr_t>(local_base_)) >> PAGE_SHIFT);
    if (c.kmap_local_depth == 0) {
      report(k, true, kHighmemC, kLineLocalPop, "kunmap_local_indexed",
             "kunmap_local(%p): this thread has no kmap_local_page() mapping", addr);
      return;
    }
    if (c.kmap_local_slot[c.kmap_local_depth - 1] != slot) {
      unmap_local_slot_out_of_order(k, c, slot, addr);
      return;
    }
    --c.kmap_local_depth;
    release_local_slot(slot);
    return;
  }
  const u8* p = static_cast<const u8*>(addr);
  if (p >= k.direct_map() && p < k.direct_map() + pfn_phys(k.max_pfn())) {
    // A lowmem page's own address (nothing was taken), or the alias of a
    // fallback mapping, which pops its stack entry.
    if (page_is_highmem(k, k.virt_to_page(addr)) && c.kmap_local_depth > 0 &&
        c.kmap_local_slot[c.kmap_local_depth - 1] == kNoLocalSlot)
      --c.kmap_local_depth;
    return;
  }
  if (is_kmap_addr(addr)) return;  // a kmap() address: Linux lets it pass too
  if (first_warning(warned_bad_addr_))
    report(k, false, kHighmemC, kLineLocalBadAddr, "kunmap_local_indexed",
           "kunmap_local(%p): not an address kmap_local_page() returned", addr);
}

// ---- lookups ------------------------------------------------------------------------

Page* HighmemState::kmap_to_page(Kernel& k, const void* addr) {
  const auto a = reinterpret_cast<uintptr_t>(addr);
  if (is_kmap_addr(addr)) {
    SpinGuard g(kmap_lock_);
    return pkmap_page_[(a - reinterpret_cast<uintptr_t>(pkmap_base_)) >> PAGE_SHIFT];
  }
  if (is_kmap_local_addr(addr)) {
    pfn_t v = local_pfn_[(a - reinterpret_cast<uintptr_t>(local_base_)) >> PAGE_SHIFT].load(
        std::memory_order_relaxed);
    return v != 0 ? k.pfn_to_page(v - 1) : nullptr;
  }
  return k.virt_to_page(addr);
}

int HighmemState::pkmap_count_at(const void* addr) const {
  if (!is_kmap_addr(addr)) return -1;
  SpinGuard g(kmap_lock_);
  return pkmap_count_[(reinterpret_cast<uintptr_t>(addr) -
                       reinterpret_cast<uintptr_t>(pkmap_base_)) >>
                      PAGE_SHIFT];
}

unsigned HighmemState::nr_pkmap_in_use() const {
  SpinGuard g(kmap_lock_);
  unsigned n = 0;
  for (int c : pkmap_count_) n += c >= 2;
  return n;
}

unsigned HighmemState::nr_local_in_use() const {
  unsigned n = 0;
  for (const auto& w : local_bitmap_)  // no __builtin_popcount: it may need libgcc
    for (u64 v = w.load(std::memory_order_relaxed); v != 0; v &= v - 1) ++n;
  return n;
}

// ---- Kernel's entry points ----------------------------------------------------------

void* Kernel::kmap(Page* page) { return highmem_.kmap(*this, page); }
void Kernel::kunmap(Page* page) { highmem_.kunmap(*this, page); }
void* Kernel::kmap_local_page(Page* page) { return highmem_.kmap_local_page(*this, page); }
void Kernel::kunmap_local(const void* addr) { highmem_.kunmap_local(*this, addr); }

}  // namespace kmem
