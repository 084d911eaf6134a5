// SPDX-License-Identifier: MIT
// The slab allocator: SLUB's design with Linux 6.18's semantics and 6.18's
// per-CPU "sheaves" as the fast path (docs/slab.md says why).
//
// Layers, top down:
//
//   per-CPU sheaves   CacheCpu.main / .spare: LIFO arrays of object pointers.
//                     Alloc pops, free pushes, inside the CPU slot
//                     (Kernel::cpu_enter): no atomic instruction, no lock
//                     shared between CPUs.
//   per-node barn     CacheNode.barn_*: full and empty sheaves traded with
//                     the CPUs under barn_lock (at most MAX_BARN_SHEAVES each).
//   slabs             compound pages from the page allocator, objects
//                     threaded on an (obfuscated, randomised) freelist;
//                     per node on the partial and full lists under list_lock.
//
// Lock order (outermost first):
//   caches_lock_ (the cache list)  ->  CPU slot  ->  barn_lock  ->  list_lock
//   -> zone locks (page allocator).
// The slab layer never calls the page allocator with a CPU slot, a barn lock
// or a list lock held; it never enters a CPU slot with list_lock held.
//
// A slab's head page (struct Page) carries:
//   flags     PG_slab (| PG_head for order > 0); tail pages have PG_slab too
//   owner     the KmemCache (on tail pages too)
//   lru       link on the node's partial or full list (or an RCU head while
//             a SLAB_TYPESAFE_BY_RCU slab waits for its grace period)
//   private_  the slab's freelist (first free object, raw pointer; the
//             links inside the objects are obfuscated)
//   spare1    counters, under list_lock: inuse (bits 0-15), on-list state
//             (bits 32-33: SLAB_ON_NONE, SLAB_ON_PARTIAL, SLAB_ON_FULL)
//   slab_objects, slab_nid   objects in the slab and its node; set before
//             the slab is published, then read without locks (free path);
//             tail pages carry slab_nid too
//
// Object layout (s->size bytes per object, from the slab's start):
//
//   [left red zone: red_left_pad, SLAB_RED_ZONE]
//   [object: object_size bytes; the free pointer lives inside, at offset,
//    unless it must be outside (ctor, SLAB_POISON, SLAB_TYPESAFE_BY_RCU)]
//   [right red zone up to inuse (at least one word with SLAB_RED_ZONE)]
//   [free pointer, when outside the object]
//   [alloc and free tracks, SLAB_STORE_USER; then the kmalloc request size
//    for kmalloc caches]
//   [one debug word, SLAB_RED_ZONE]
//   [padding to align]
//
// Poison and red-zone bytes (include/linux/poison.h):
//   0x6b POISON_FREE   free object's bytes (SLAB_POISON), 0xa5 POISON_END
//   its last byte; 0x5a POISON_INUSE slab tail and padding; 0xbb
//   SLUB_RED_INACTIVE red zones of free objects, 0xcc SLUB_RED_ACTIVE of
//   allocated ones (and a kmalloc object's bytes beyond the request).
#pragma once

#include <atomic>

#include "base/base.h"
#include "base/list.h"
#include "base/spinlock.h"
#include "page_alloc/gfp.h"
#include "page_alloc/page.h"
#include "page_alloc/vmstat.h"

namespace kmem {

class Kernel;
struct Page;

using slab_flags_t = u32;

// SLAB_* values of Linux 6.18 (enum _slab_flag_bits) in a distribution
// kernel's configuration (Debian's: SLUB_DEBUG, MEMCG, FAILSLAB and KFENCE
// on; DEBUG_OBJECTS and KASAN off, so their flags are 0).
enum : slab_flags_t {
  SLAB_CONSISTENCY_CHECKS = 1u << 0,
  SLAB_RED_ZONE = 1u << 1,
  SLAB_POISON = 1u << 2,
  SLAB_KMALLOC = 1u << 3,
  SLAB_HWCACHE_ALIGN = 1u << 4,
  SLAB_CACHE_DMA = 1u << 5,
  SLAB_CACHE_DMA32 = 1u << 6,
  SLAB_STORE_USER = 1u << 7,
  SLAB_PANIC = 1u << 8,
  SLAB_TYPESAFE_BY_RCU = 1u << 9,
  SLAB_TRACE = 1u << 10,
  SLAB_DEBUG_OBJECTS = 0,
  SLAB_NOLEAKTRACE = 1u << 11,
  SLAB_NO_MERGE = 1u << 12,
  SLAB_FAILSLAB = 1u << 13,
  SLAB_ACCOUNT = 1u << 14,
  SLAB_KASAN = 0,
  SLAB_NO_USER_FLAGS = 1u << 15,
  SLAB_SKIP_KFENCE = 1u << 16,
  SLAB_RECLAIM_ACCOUNT = 1u << 17,
  SLAB_TEMPORARY = SLAB_RECLAIM_ACCOUNT,
  SLAB_OBJECT_POISON = 1u << 18,  // __OBJECT_POISON: poison objects (internal)
};

// Debug flags: such a cache bypasses the sheaves and never merges.
inline constexpr slab_flags_t SLAB_DEBUG_FLAGS =
    SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | SLAB_CONSISTENCY_CHECKS;
inline constexpr slab_flags_t SLAB_NEVER_MERGE = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER |
                                                 SLAB_TRACE | SLAB_TYPESAFE_BY_RCU |
                                                 SLAB_NOLEAKTRACE | SLAB_FAILSLAB | SLAB_NO_MERGE;
inline constexpr slab_flags_t SLAB_MERGE_SAME =
    SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_ACCOUNT;
// Flags a caller may pass to kmem_cache_create (CACHE_CREATE_MASK).
inline constexpr slab_flags_t SLAB_CREATE_MASK =
    SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA |
    SLAB_CACHE_DMA32 | SLAB_STORE_USER | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_TRACE |
    SLAB_DEBUG_OBJECTS | SLAB_NOLEAKTRACE | SLAB_NO_MERGE | SLAB_FAILSLAB | SLAB_ACCOUNT |
    SLAB_NO_USER_FLAGS | SLAB_RECLAIM_ACCOUNT | SLAB_KMALLOC | SLAB_SKIP_KFENCE;

// struct kmem_cache_args (include/linux/slab.h, 6.18).
struct KmemCacheArgs {
  unsigned align;
  unsigned useroffset;
  unsigned usersize;
  unsigned freeptr_offset;
  bool use_freeptr_offset;
  void (*ctor)(void*);
  unsigned sheaf_capacity;  // 0: kmem's default by object size
};

// Poison bytes (include/linux/poison.h).
inline constexpr u8 POISON_INUSE = 0x5a;
inline constexpr u8 POISON_FREE = 0x6b;
inline constexpr u8 POISON_END = 0xa5;
inline constexpr u8 SLUB_RED_INACTIVE = 0xbb;
inline constexpr u8 SLUB_RED_ACTIVE = 0xcc;

// kmalloc geometry with 4 KiB pages.
inline constexpr unsigned KMALLOC_SHIFT_LOW = 3;
inline constexpr unsigned KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1;  // kmalloc-8k
inline constexpr size_t KMALLOC_MAX_CACHE_SIZE = size_t(1) << KMALLOC_SHIFT_HIGH;
inline constexpr size_t KMALLOC_MAX_SIZE = size_t(1) << (MAX_PAGE_ORDER + PAGE_SHIFT);  // 4 MiB
inline constexpr size_t KMALLOC_MIN_SIZE = 8;
inline void* const ZERO_SIZE_PTR = reinterpret_cast<void*>(16);
inline bool zero_or_null_ptr(const void* p) { return reinterpret_cast<uintptr_t>(p) <= 16; }

enum KmallocType : unsigned { KMALLOC_NORMAL, KMALLOC_RECLAIM, KMALLOC_DMA, NR_KMALLOC_TYPES };

// kmalloc_type(): the family for gfp. DMA > RECLAIMABLE; __GFP_ACCOUNT alone
// stays NORMAL (no memcg, so no kmalloc-cg-*).
inline KmallocType kmalloc_type(gfp_t gfp) {
  if (__builtin_expect((gfp & (gfp::RECLAIMABLE | gfp::DMA)) == 0, 1)) return KMALLOC_NORMAL;
  return (gfp & gfp::DMA) ? KMALLOC_DMA : KMALLOC_RECLAIM;
}

// Index of the kmalloc cache for size (1..KMALLOC_MAX_CACHE_SIZE), as
// Linux's kmalloc_index: 96 and 192 are indices 1 and 2.
inline unsigned kmalloc_index(size_t size) {
  static constexpr u8 small[24] = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1,
                                   7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};
  if (size <= 192) return small[(size - 1) / 8];
  return 64u - unsigned(__builtin_clzll(u64(size - 1)));
}

inline constexpr unsigned NR_KMALLOC_INDEX = KMALLOC_SHIFT_HIGH + 1;  // 0..13

// Per-cache statistics (a subset of CONFIG_SLUB_STATS's stat_item).
enum SlabStatItem : unsigned {
  ALLOC_FASTPATH,  // from the CPU's main sheaf
  ALLOC_SLOWPATH,  // anything else
  FREE_FASTPATH,   // into the CPU's main sheaf
  FREE_SLOWPATH,
  SHEAF_REFILL,  // sheaf filled from slabs
  SHEAF_FLUSH,   // objects flushed from a sheaf to slabs
  BARN_GET,
  BARN_GET_FAIL,
  BARN_PUT,
  BARN_PUT_FAIL,
  ALLOC_SLAB,  // new slab from the page allocator
  FREE_SLAB,   // slab returned to the page allocator
  ORDER_FALLBACK,
  NR_SLAB_STAT_ITEMS
};

// A sheaf: LIFO array of free objects of one cache (struct slab_sheaf).
// Allocated from the machine's sheaf pool in SHEAF_BYTES chunks.
//
//   0 next | 8 size (+ fast-path op count) | 16 capacity | 20 0 | 24 objects[0] ...
//
// size: bits 0-15 are the number of objects. While the sheaf is a CPU's
// main sheaf, bits 16-63 count the inline fast paths' pops and pushes since
// the slow path last took stock (take_stock() in slub.cpp turns them into
// the ALLOC_FASTPATH/FREE_FASTPATH statistics, which therefore cost the fast
// paths nothing: the count rides on the size store they do anyway). Outside
// the inline paths the high bits are zero, and code reads size as a plain
// number. 48 bits of count wrap after 2.8e14 operations without a slow path
// on one CPU (days of a tight loop); the statistics would then be off.
//
// capacity and the zero after it form the word right before objects[0], so
// that sheaf_top() of an empty sheaf reads a small integer, never an object
// address: the free fast path's double-free check relies on it.
struct Sheaf {
  Sheaf* next;  // on a barn list or the pool's free list
  u64 size;
  u32 capacity;
  u32 zero_;  // always 0 (see above)
  void* objects[];
};
static_assert(__builtin_offsetof(Sheaf, objects) == __builtin_offsetof(Sheaf, capacity) + 8);
inline constexpr u64 SHEAF_SIZE_MASK = 0xffff;
inline constexpr u64 SHEAF_OP = u64(1) << 16;  // one fast-path operation in Sheaf::size

// objects[size - 1], or for size == 0 the capacity word (see Sheaf).
inline const void* sheaf_top(const Sheaf* m, u64 size) {
  using aliasing_ptr [[gnu::may_alias]] = const void*;
  return *reinterpret_cast<const aliasing_ptr*>(reinterpret_cast<const u8*>(m) + 16 +
                                                size_t(size) * sizeof(void*));
}
inline constexpr unsigned SHEAF_BYTES = 512;
inline constexpr unsigned SHEAF_MAX_CAPACITY = (SHEAF_BYTES - 24) / sizeof(void*);  // 61
inline constexpr unsigned MAX_BARN_SHEAVES = 10;  // MAX_FULL_SHEAVES, MAX_EMPTY_SHEAVES
inline constexpr unsigned PCS_BATCH_MAX = 32;

// Per CPU of a cache (struct slub_percpu_sheaves + stats). Written only
// inside the CPU's slot.
struct alignas(64) CacheCpu {
  Sheaf* main;   // never null: the machine's empty sheaf when there is none
  Sheaf* spare;  // null or a sheaf
  // main's size when the slow path last took stock: with the op count in
  // main->size it gives how many of those operations were pops and pushes.
  u64 stock_size;
  EventCounter stat[NR_SLAB_STAT_ITEMS];
};

// Per node of a cache (struct kmem_cache_node + the barn).
struct CacheNode {
  SpinLock list_lock;
  ListHead partial;  // slabs with free objects (empty ones too, up to min_partial)
  ListHead full;     // slabs with no free object
  unsigned long nr_partial;
  unsigned long nr_full;
  unsigned long nr_slabs;       // under list_lock
  unsigned long total_objects;  // under list_lock
  unsigned long free_objects;   // objects free in this node's slabs (on freelists)

  SpinLock barn_lock;
  Sheaf* barn_full;
  Sheaf* barn_empty;
  unsigned nr_barn_full;
  unsigned nr_barn_empty;
};

// Alloc/free tracking record (struct track), SLAB_STORE_USER.
struct SlabTrack {
  uintptr_t addr;  // caller
  int cpu;
  int pid;
  u64 when;  // jiffies
};

inline constexpr unsigned SLAB_NAME_MAX = 48;

// struct kmem_cache.
struct KmemCache {
  // Hot: read on every alloc and free.
  slab_flags_t flags;
  unsigned size;         // stride between objects
  unsigned object_size;  // what the user asked for
  unsigned offset;       // free pointer offset in the object
  u32 reciprocal_size;   // ceil(2^32 / size): object index by multiplication
  unsigned red_left_pad;
  bool bypass_sheaves;  // debug caches take the slab path for every object
  // size - 1 when every size-aligned address in a slab is an object start
  // (size a power of two, no left red zone, slabs filled exactly): kfree's
  // object check is then one AND. 0: the full check (Kernel::slab_object_ok).
  uintptr_t free_mask;
  uintptr_t random;  // freelist pointer obfuscation key
  CacheCpu* cpu;     // [nr_cpus]
  CacheNode* node[MAX_NUMNODES];

  // Geometry.
  unsigned inuse;  // offset of the metadata after the object
  unsigned align;
  unsigned order;        // oo: preferred slab order ...
  unsigned objects;      // ... and objects per slab at that order
  unsigned min_order;    // s->min: smallest order holding one object
  unsigned min_objects;  // objects per slab at min_order
  unsigned long min_partial;
  unsigned sheaf_capacity;
  gfp_t allocflags;  // added to every slab page allocation
  unsigned useroffset, usersize;
  void (*ctor)(void*);

  // Identity.
  char name[SLAB_NAME_MAX];
  int refcount;    // merged aliases keep it alive
  bool leaked;     // destroyed with live objects: off the list, kept forever
  ListHead list;   // on Kernel's cache list
  Kernel* kernel;  // the machine (RCU callbacks and shrinkers start from a cache)
};

// The per-CPU array sits right after the KmemCache in the same allocation
// (slub.cpp's cache_bytes()); computing its address saves the fast paths a
// dependent load of s->cpu.
inline constexpr size_t CACHE_CPU_OFFSET = (sizeof(KmemCache) + 63) & ~size_t(63);
inline constexpr size_t slab_cache_cpu_offset(unsigned cpu) {
  return CACHE_CPU_OFFSET + size_t(cpu) * sizeof(CacheCpu);
}
inline CacheCpu& cache_cpu(KmemCache* s, unsigned cpu) {
  return reinterpret_cast<CacheCpu*>(reinterpret_cast<u8*>(s) + CACHE_CPU_OFFSET)[cpu];
}

// Slab counters in Page::spare1.
inline constexpr unsigned SLAB_ON_NONE = 0, SLAB_ON_PARTIAL = 1, SLAB_ON_FULL = 2;

// ---- helpers shared by slub.cpp, kmalloc.cpp and slab_debug.cpp -----------------
struct SlabOps;  // Kernel's slab internals (slub.cpp)

// Object index of p inside a slab starting at base (no range check).
inline unsigned obj_to_index(const KmemCache* s, const void* base, const void* p) {
  u64 off = u64(static_cast<const u8*>(p) - static_cast<const u8*>(base));
  return unsigned((off * s->reciprocal_size) >> 32);
}

// The free pointer stored in a free object, obfuscated as
// CONFIG_SLAB_FREELIST_HARDENED does: ptr ^ random ^ bswap(slot address).
inline uintptr_t freeptr_encode(const KmemCache* s, void* ptr, uintptr_t slot) {
  return reinterpret_cast<uintptr_t>(ptr) ^ s->random ^ __builtin_bswap64(slot);
}
inline void* freeptr_decode(const KmemCache* s, uintptr_t stored, uintptr_t slot) {
  return reinterpret_cast<void*>(stored ^ s->random ^ __builtin_bswap64(slot));
}
inline void* get_freepointer(const KmemCache* s, void* object) {
  uintptr_t slot = reinterpret_cast<uintptr_t>(object) + s->offset;
  return freeptr_decode(s, *reinterpret_cast<uintptr_t*>(slot), slot);
}
inline void set_freepointer(const KmemCache* s, void* object, void* fp) {
  uintptr_t slot = reinterpret_cast<uintptr_t>(object) + s->offset;
  *reinterpret_cast<uintptr_t*>(slot) = freeptr_encode(s, fp, slot);
}

// Slab page accessors (see the head-page fields above).
inline KmemCache* slab_cache(const Page* slab) { return static_cast<KmemCache*>(slab->owner); }
inline void* slab_freelist(const Page* slab) { return reinterpret_cast<void*>(slab->private_); }
inline unsigned slab_inuse(const Page* slab) { return unsigned(slab->spare1 & 0xffff); }
inline unsigned slab_objects(const Page* slab) { return slab->slab_objects; }
inline unsigned slab_on_list(const Page* slab) { return unsigned((slab->spare1 >> 32) & 3); }
// Where the debug checks keep an object's tracks and kmalloc request size.
inline SlabTrack* get_track(const KmemCache* s, void* obj, int which /* 0 alloc, 1 free */) {
  unsigned off = s->offset >= s->inuse ? s->inuse + unsigned(sizeof(void*)) : s->inuse;
  return reinterpret_cast<SlabTrack*>(static_cast<u8*>(obj) + off) + which;
}

// ---- slab_debug.cpp: slub_debug= and the debug checks -------------------------------
// Debug caches (s->flags & SLAB_DEBUG_FLAGS) take every alloc and free
// through the slab lists under list_lock, where these hooks run.
//
// Flags slub_debug= asks for on the cache called name (0 when none).
slab_flags_t slab_debug_flags_for(const Kernel& k, const char* name);
// Whether the slub_debug= string parses; on failure writes why into msg.
bool slab_debug_parse_ok(const char* str, char* msg, size_t n);
// A new slab: poison its tail (POISON_INUSE) and set every object up as
// free (red zones SLUB_RED_INACTIVE, poison, empty tracks).
void slab_debug_init_slab(Kernel& k, KmemCache* s, Page* slab, void* base);
// An object leaves a debug slab's freelist for a caller: checks it (poison,
// red zones, free pointer) and marks it allocated (SLUB_RED_ACTIVE, alloc
// track, kmalloc request size orig_size). False: the object is corrupt;
// the report is printed and the caller must not hand it out (Linux marks
// the slab unusable).
bool slab_debug_alloc(Kernel& k, KmemCache* s, Page* slab, void* obj, uintptr_t caller,
                      unsigned orig_size);
// An object comes back: checks it is a valid, allocated object of this slab
// (not already free: walks the freelist with F) and its red zones; then
// poisons it and records the free track. False: do not free it (reported).
bool slab_debug_free(Kernel& k, KmemCache* s, Page* slab, void* obj, uintptr_t caller);
// Walks every slab of the cache (validate_slab_cache); returns the number
// of errors found, printing reports for each.
unsigned long slab_debug_validate(Kernel& k, KmemCache* s);
// "BUG <cache> (Not tainted): <reason>" slab error with the slab info line.
void slab_err(Kernel& k, const KmemCache* s, const Page* slab, const char* fmt, ...)
    KMEM_PRINTF(4, 5);
// Object report: reason, tracks, slab line, object line and hex dumps.
void object_err(Kernel& k, const KmemCache* s, const Page* slab, const void* obj,
                const char* reason);

// The machine's slab state (Kernel::slab_).
struct SlabState {
  bool up;                // kmem_cache_init() done
  SpinLock caches_lock;   // slab_mutex: the cache list, refcounts, merging
  ListHead caches;        // newest first, as Linux's slab_caches
  KmemCache* kmem_cache;  // the cache of KmemCache objects (bootstrap)
  KmemCache* kmalloc_caches[NR_KMALLOC_TYPES][NR_KMALLOC_INDEX];
  SpinLock sheaf_lock;                                // the sheaf pool
  Sheaf* sheaf_free;                                  // free SHEAF_BYTES chunks
  unsigned long sheaf_pages;                          // pages carved into sheaves (never returned)
  alignas(16) u8 empty_sheaf_storage[sizeof(Sheaf)];  // capacity-0 sheaf every empty main points at
  std::atomic<u64> seed;                              // freelist randomisation and obfuscation keys
  struct Shrinker* shrinker;                          // "slab" shrinker: barns and empty slabs
  std::atomic<u64> last_nomem_warn_ns;
  std::atomic<bool> warned_ctor_zero;  // WARN_ON_ONCE(s->ctor && __GFP_ZERO)
  unsigned min_objects;                // slub_min_objects or the default from nr_cpus
  void* rcu_waiting;                   // TYPESAFE_BY_RCU slabs waiting for a grace period
};

// Prints an "Object 0x... @offset=N" line (and its alloc track with
// SLAB_STORE_USER) for every allocated object of slab (kmem_cache_destroy).
void slab_report_leaked_objects(Kernel& k, KmemCache* s, Page* slab);
// Boot-time messages about slub_debug= (unknown flags); called once.
void slab_debug_boot_report(Kernel& k);
// slub_debug=O: drop SLAB_RED_ZONE, SLAB_POISON and SLAB_STORE_USER from a cache
// whose debug metadata would raise its minimum slab order (kmem_cache_open).
bool slab_debug_higher_order_disabled(const Kernel& k);

// ---- report/slabinfo.cpp ---------------------------------------------------------------
struct SlabInfo {
  unsigned long active_objs, num_objs, active_slabs, num_slabs, nr_partial, nr_full;
  unsigned long objects_in_sheaves;
  unsigned objsize, objperslab, pagesperslab;
  u64 stat[NR_SLAB_STAT_ITEMS];
};

}  // namespace kmem
