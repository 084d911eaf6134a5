// SPDX-License-Identifier: MIT
// slub_debug: the slab layer's debug checks with Linux 6.18's semantics and
// report texts (mm/slub.c, CONFIG_SLUB_DEBUG): the slub_debug= parser, red
// zones, poisoning, owner tracks, SLAB_TRACE, the alloc/free consistency
// checks, validate, and the "BUG <cache> (...): <reason>" reports.
//
// Locks: the hooks run under the node's list_lock (slub.cpp). A report is
// assembled in one static buffer under g_report_lock, taken inside list_lock
// (and taken only once something is wrong); while it is held nothing else is
// locked except what Kernel::report_bug needs to print.
#include <stdarg.h>

#include "base/bits.h"
#include "base/format.h"
#include "base/string.h"
#include "slab/internal.h"

namespace kmem {

namespace {

// slub_debug without flags (DEBUG_DEFAULT_FLAGS).
constexpr slab_flags_t DEBUG_DEFAULT_FLAGS =
    SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
// The kmalloc request size of a SLAB_KMALLOC | SLAB_STORE_USER cache: one
// word after the two tracks (an unsigned long since 6.18's "ensure all
// metadata in slab object are word-aligned"; kmem stores 32 bits in it).
constexpr unsigned ORIG_SIZE_BYTES = sizeof(unsigned long);
constexpr unsigned MAX_OBJS_PER_PAGE = 32767;
constexpr u64 NS_PER_JIFFY = 1000000000ULL / 250;  // HZ=250

// ---- report assembly ---------------------------------------------------------------------

constexpr size_t REPORT_BYTES = 16 * 1024;
constinit SpinLock g_report_lock;
char g_report_buf[REPORT_BYTES];

// One report is one Kernel::report_bug(BUG_SLAB) call: the lines Linux prints
// from one slab_bug() header up to the next (the "[... overwritten]" line
// before the header, the FIX lines after it). The buffer lock is taken at
// the first line and held until finish(). A report longer than the buffer
// (a big object's dump) goes out in pieces: the first through report_bug
// (counted once), the rest straight to the console unless bug_action=count.
class Reporter {
 public:
  explicit Reporter(Kernel& k) : k_(k) {}
  ~Reporter() { finish(); }
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  Kernel& kernel() { return k_; }
  // Starts a new report; the one under way goes out first.
  void begin() {
    flush();
    if (!locked_) {
      g_report_lock.lock();
      locked_ = true;
    }
    active_ = true;
    counted_ = false;
    len_ = 0;
  }
  // Adds text to the report under way (starts one if there is none).
  void print(const char* fmt, ...) KMEM_PRINTF(2, 3) {
    if (!active_) begin();
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    size_t room = REPORT_BYTES - len_;
    size_t n = vformat(g_report_buf + len_, room, fmt, ap);
    if (n >= room && len_ > 0) {  // does not fit: send what is there, start over
      emit();
      room = REPORT_BYTES;
      n = vformat(g_report_buf, room, fmt, again);
    }
    va_end(again);
    va_end(ap);
    len_ += n < room ? n : room - 1;
  }
  void finish() {
    flush();
    if (locked_) {
      g_report_lock.unlock();
      locked_ = false;
    }
  }

  // Errors as Linux's KUnit slab test counts them (slab_add_kunit_errors):
  // one per report, per corrupted area, per FIX.
  unsigned long errors = 0;

 private:
  void emit() {
    if (!counted_) {
      k_.report_bug(BUG_SLAB, g_report_buf, len_);
      counted_ = true;
    } else if (k_.options().bug_action != BugAction::count) {
      k_.log_text(LogLevel::alert, g_report_buf, len_);
    }
    len_ = 0;
  }
  void flush() {
    if (!active_) return;
    active_ = false;
    emit();
  }

  Kernel& k_;
  bool locked_ = false;
  bool active_ = false;
  bool counted_ = false;
  size_t len_ = 0;
};

uintptr_t addr_of(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// print_tainted(): 'B' once a slab or bad-page report went out, 'W' once a
// WARN did (every slab report ends with one).
void print_tainted(Kernel& k, char* buf, size_t n) {
  const bool b = k.bug_count(BUG_SLAB) + k.bug_count(BUG_BAD_PAGE) > 0;
  const bool w = k.bug_count(BUG_WARN) + k.bug_count(BUG_SLAB) > 0;
  if (!b && !w) {
    format(buf, n, "Not tainted");
    return;
  }
  format(buf, n, "Tainted: G    %s", w ? (b ? "B   W" : "    W") : "B");
}

// One line of print_hex_dump(DUMP_PREFIX_ADDRESS, rowsize 16, groupsize 1,
// ascii): "xx xx ... xx", padded to column 49, then the printable bytes.
void hex_line(char* out, const u8* p, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned x = 0;
  for (unsigned i = 0; i < n; ++i) {
    out[x++] = kHex[p[i] >> 4];
    out[x++] = kHex[p[i] & 15];
    out[x++] = ' ';
  }
  if (n != 0) --x;
  while (x < 16 * 2 + 16 + 1) out[x++] = ' ';
  for (unsigned i = 0; i < n; ++i) out[x++] = (p[i] >= 0x20 && p[i] < 0x7f) ? char(p[i]) : '.';
  out[x] = 0;
}

void print_section(Reporter& r, const char* text, const u8* addr, unsigned len) {
  char line[80];
  for (unsigned off = 0; off < len; off += 16) {
    unsigned n = min_t(16u, len - off);
    hex_line(line, addr + off, n);
    r.print("%s%016lx: %s\n", text, addr_of(addr + off), line);
  }
}

u64 jiffies(const Kernel& k) {
  const PlatformOps& ops = k.platform();
  return ops.now_ns ? ops.now_ns(ops.ctx) / NS_PER_JIFFY : 0;
}

// ---- object geometry (slab.h's layout) ----------------------------------------------------

u8* slab_address(Kernel& k, const Page* slab) { return static_cast<u8*>(k.page_to_virt_raw(slab)); }
unsigned slab_size(const Page* slab) { return unsigned(PAGE_SIZE << slab->order); }
unsigned order_objects(unsigned order, unsigned size) {
  return unsigned((PAGE_SIZE << order) / size);
}
bool freeptr_outside_object(const KmemCache* s) { return s->offset >= s->inuse; }
unsigned get_info_end(const KmemCache* s) {
  return freeptr_outside_object(s) ? s->inuse + unsigned(sizeof(void*)) : s->inuse;
}
bool slub_debug_orig_size(const KmemCache* s) {
  return (s->flags & SLAB_STORE_USER) && (s->flags & SLAB_KMALLOC);
}
unsigned size_from_object(const KmemCache* s) {
  return (s->flags & SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}
// The end of the metadata after the object: free pointer, tracks, request size.
unsigned metadata_end(const KmemCache* s) {
  unsigned off = get_info_end(s);
  if (s->flags & SLAB_STORE_USER) {
    off += 2 * unsigned(sizeof(SlabTrack));
    if (s->flags & SLAB_KMALLOC) off += ORIG_SIZE_BYTES;
  }
  return off;
}
unsigned* orig_size_slot(const KmemCache* s, void* obj) {
  return reinterpret_cast<unsigned*>(static_cast<u8*>(obj) + get_info_end(s) +
                                     2 * sizeof(SlabTrack));
}
unsigned get_orig_size(const KmemCache* s, void* obj) {
  return slub_debug_orig_size(s) ? *orig_size_slot(s, obj) : s->object_size;
}
void set_orig_size(const KmemCache* s, void* obj, unsigned orig_size) {
  if (slub_debug_orig_size(s)) *orig_size_slot(s, obj) = orig_size;
}

// check_valid_pointer: null, or the start of an object of this slab.
bool check_valid_pointer(Kernel& k, const KmemCache* s, const Page* slab, const void* object) {
  if (object == nullptr) return true;
  const uintptr_t base = addr_of(slab_address(k, slab));
  const uintptr_t p = addr_of(object) - s->red_left_pad;
  return p >= base && p < base + uintptr_t(slab_objects(slab)) * s->size &&
         (p - base) % s->size == 0;
}

// Slab counters (slab.h): inuse in Page::spare1 bits 0-15, the object count
// and node in Page::slab_objects and slab_nid. The node's free_objects and
// total_objects follow every change.
CacheNode* slab_node(const KmemCache* s, const Page* slab) { return s->node[slab->slab_nid]; }
void fix_inuse(const KmemCache* s, Page* slab, unsigned inuse) {
  CacheNode* n = slab_node(s, slab);
  n->free_objects = n->free_objects + slab_inuse(slab) - inuse;
  slab->spare1 = (slab->spare1 & ~uintptr_t(0xffff)) | inuse;
}
void fix_objects(const KmemCache* s, Page* slab, unsigned objects) {
  CacheNode* n = slab_node(s, slab);
  n->total_objects = n->total_objects + objects - slab_objects(slab);
  n->free_objects = n->free_objects + objects - slab_objects(slab);
  slab->slab_objects = u16(objects);
}

// ---- report pieces -------------------------------------------------------------------------

void print_track(Reporter& r, const char* what, const SlabTrack* t, u64 now) {
  if (t->addr == 0) return;
  r.print("%s in 0x%lx age=%lu cpu=%u pid=%d\n", what, static_cast<unsigned long>(t->addr),
          static_cast<unsigned long>(now - t->when), unsigned(t->cpu), t->pid);
}

void print_tracking(Reporter& r, const KmemCache* s, void* object) {
  if (!(s->flags & SLAB_STORE_USER)) return;
  const u64 now = jiffies(r.kernel());
  print_track(r, "Allocated", get_track(s, object, 0), now);
  print_track(r, "Freed", get_track(s, object, 1), now);
}

// %pGp of the slab's head page: the raw flags, the flag names, node and zone.
// (In 6.18 "slab" is a page type, not a flag, so it is not named.)
void print_slab_info(Reporter& r, const Page* slab) {
  Kernel& k = r.kernel();
  const u32 f = slab->flags_relaxed();
  char names[64];
  format(names, sizeof names, "%s%s%s", (f & PG_reserved) ? "reserved|" : "",
         (f & PG_head) ? "head|" : "", (f & PG_movable) ? "lru|" : "");
  const Zone* z = k.page_zone(slab);
  r.print("Slab 0x%016lx objects=%u used=%u fp=0x%016lx flags=%#x(%snode=%d|zone=%d)\n",
          addr_of(slab), slab_objects(slab), slab_inuse(slab), addr_of(slab_freelist(slab)), f,
          names, z ? z->pgdat->node_id : 0, z ? int(z->idx) : 0);
}

// The "=====" / "BUG <cache> (<taint>): <reason>" / "-----" header.
void slab_bug_v(Reporter& r, const KmemCache* s, const char* fmt, va_list ap) {
  char reason[256];
  vformat(reason, sizeof reason, fmt, ap);
  char taint[32];
  print_tainted(r.kernel(), taint, sizeof taint);
  r.print(
      "=============================================================================\n"
      "BUG %s (%s): %s\n"
      "-----------------------------------------------------------------------------\n\n",
      s ? s->name : "<unknown>", taint, reason);
}

void slab_bug(Reporter& r, const KmemCache* s, const char* fmt, ...) KMEM_PRINTF(3, 4);
void slab_bug(Reporter& r, const KmemCache* s, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  slab_bug_v(r, s, fmt, ap);
  va_end(ap);
}

// WARN_ON(1) at the end of object_err and __slab_err (6.18): the taint
// already has 'B'.
void print_warn(Reporter& r, int line, const char* fn) {
  Kernel& k = r.kernel();
  char comm[32];
  k.current_comm(comm, sizeof comm);
  const bool warned = k.bug_count(BUG_WARN) + k.bug_count(BUG_SLAB) > 0;
  r.print(
      "------------[ cut here ]------------\n"
      "WARNING: CPU: %u PID: %d at mm/slub.c:%d %s+0x0/0x0\n"
      "Modules linked in:\n"
      "CPU: %u UID: 0 PID: %d Comm: %s Tainted: G    B%s (kmem)\n"
      "---[ end trace 0000000000000000 ]---\n",
      k.current_cpu(), k.current_pid(), line, fn, k.current_cpu(), k.current_pid(), comm,
      warned ? "   W" : "");
}

void slab_fix(Reporter& r, const KmemCache* s, const char* fmt, ...) KMEM_PRINTF(3, 4);
void slab_fix(Reporter& r, const KmemCache* s, const char* fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vformat(what, sizeof what, fmt, ap);
  va_end(ap);
  r.print("FIX %s: %s\n", s->name, what);
  ++r.errors;
}

void print_trailer(Reporter& r, const KmemCache* s, const Page* slab, u8* p) {
  u8* addr = slab_address(r.kernel(), slab);
  print_tracking(r, s, p);
  print_slab_info(r, slab);
  r.print("Object 0x%016lx @offset=%lu fp=0x%016lx\n\n", addr_of(p),
          static_cast<unsigned long>(p - addr), addr_of(get_freepointer(s, p)));
  if (s->flags & SLAB_RED_ZONE) print_section(r, "Redzone  ", p - s->red_left_pad, s->red_left_pad);
  else if (p > addr + 16) print_section(r, "Bytes b4 ", p - 16, 16);
  print_section(r, "Object   ", p, min_t(unsigned(PAGE_SIZE), s->object_size));
  if (s->flags & SLAB_RED_ZONE)
    print_section(r, "Redzone  ", p + s->object_size, s->inuse - s->object_size);
  const unsigned off = metadata_end(s);
  if (off < size_from_object(s)) print_section(r, "Padding  ", p + off, size_from_object(s) - off);
}

// The body of object_err() after the caller started the report.
void object_err_body(Reporter& r, const KmemCache* s, const Page* slab, const void* object,
                     const char* reason) {
  slab_bug(r, s, "%s", reason);
  if (object == nullptr || !check_valid_pointer(r.kernel(), s, slab, object)) {
    print_slab_info(r, slab);
    r.print("Invalid pointer 0x%016lx\n", addr_of(object));
  } else {
    print_trailer(r, s, slab, static_cast<u8*>(const_cast<void*>(object)));
  }
  print_warn(r, 1120, "object_err");
  ++r.errors;
}

void object_err_r(Reporter& r, const KmemCache* s, const Page* slab, const void* object,
                  const char* reason) {
  r.begin();
  object_err_body(r, s, slab, object, reason);
}

// __slab_err: the slab line and the WARN after a slab_bug() header.
void slab_err_tail(Reporter& r, const Page* slab) {
  print_slab_info(r, slab);
  print_warn(r, 1140, "__slab_err");
}

void slab_err_r(Reporter& r, const KmemCache* s, const Page* slab, const char* fmt, ...)
    KMEM_PRINTF(4, 5);
void slab_err_r(Reporter& r, const KmemCache* s, const Page* slab, const char* fmt, ...) {
  r.begin();
  va_list ap;
  va_start(ap, fmt);
  slab_bug_v(r, s, fmt, ap);
  va_end(ap);
  slab_err_tail(r, slab);
  ++r.errors;
}

void restore_bytes(Reporter& r, const KmemCache* s, const char* message, u8 data, u8* from,
                   u8* to) {
  slab_fix(r, s, "Restoring %s 0x%016lx-0x%016lx=0x%x", message, addr_of(from), addr_of(to - 1),
           data);
  mem_set(from, data, size_t(to - from));
}

u8* memchr_inv(u8* p, u8 value, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    if (p[i] != value) return p + i;
  return nullptr;
}

// check_bytes_and_report: the first byte in [start, start + bytes) that is
// not value starts the "[what overwritten]" line; the object is dumped for
// the first corrupted area of a check only (print_object); the bytes are
// restored either way.
bool check_bytes_and_report(Reporter& r, const KmemCache* s, const Page* slab, u8* object,
                            const char* what, u8* start, u8 value, unsigned bytes,
                            bool print_object) {
  u8* fault = memchr_inv(start, value, bytes);
  if (fault == nullptr) return true;
  u8* end = start + bytes;
  while (end > fault && end[-1] == value) --end;
  u8* addr = slab_address(r.kernel(), slab);
  if (print_object) r.begin();
  r.print("[%s overwritten] 0x%016lx-0x%016lx @offset=%lu. First byte 0x%x instead of 0x%x\n", what,
          addr_of(fault), addr_of(end - 1), static_cast<unsigned long>(fault - addr), fault[0],
          value);
  ++r.errors;
  if (print_object) {
    object_err_body(r, s, slab, object, "Object corrupt");
    --r.errors;  // counted once with the line above, as KUnit does
  }
  restore_bytes(r, s, what, value, fault, end);
  return false;
}

bool check_pad_bytes(Reporter& r, const KmemCache* s, const Page* slab, u8* p) {
  const unsigned off = metadata_end(s);
  if (size_from_object(s) <= off) return true;
  return check_bytes_and_report(r, s, slab, p, "Object padding", p + off, POISON_INUSE,
                                size_from_object(s) - off, true);
}

// The bytes after the last object of the slab (POISON_INUSE with SLAB_POISON).
void slab_pad_check(Reporter& r, const KmemCache* s, const Page* slab) {
  if (!(s->flags & SLAB_POISON)) return;
  u8* start = slab_address(r.kernel(), slab);
  const unsigned length = slab_size(slab);
  const unsigned remainder = length % s->size;
  if (remainder == 0) return;
  u8* end = start + length;
  u8* pad = end - remainder;
  u8* fault = memchr_inv(pad, POISON_INUSE, remainder);
  if (fault == nullptr) return;
  while (end > fault && end[-1] == POISON_INUSE) --end;
  r.begin();
  slab_bug(r, s, "Padding overwritten. 0x%016lx-0x%016lx @offset=%lu", addr_of(fault),
           addr_of(end - 1), static_cast<unsigned long>(fault - start));
  print_section(r, "Padding ", pad, remainder);
  slab_err_tail(r, slab);
  restore_bytes(r, s, "slab padding", POISON_INUSE, fault, end);
}

// init_object: red zones and poison of a free (SLUB_RED_INACTIVE) or
// allocated (SLUB_RED_ACTIVE) object; an allocated kmalloc object's bytes
// past the request are red zone too.
void init_object(const KmemCache* s, void* object, u8 val) {
  u8* p = static_cast<u8*>(object);
  unsigned poison_size = s->object_size;
  if (s->flags & SLAB_RED_ZONE) {
    mem_set(p - s->red_left_pad, val, s->red_left_pad);
    if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE) poison_size = get_orig_size(s, object);
  }
  if ((s->flags & SLAB_OBJECT_POISON) && poison_size != 0) {
    mem_set(p, POISON_FREE, poison_size - 1);
    p[poison_size - 1] = POISON_END;
  }
  if (s->flags & SLAB_RED_ZONE) mem_set(p + poison_size, val, s->inuse - poison_size);
}

bool check_object(Reporter& r, const KmemCache* s, const Page* slab, void* object, u8 val) {
  u8* p = static_cast<u8*>(object);
  u8* endobject = p + s->object_size;
  bool ret = true;
  if (s->flags & SLAB_RED_ZONE) {
    if (!check_bytes_and_report(r, s, slab, p, "Left Redzone", p - s->red_left_pad, val,
                                s->red_left_pad, ret))
      ret = false;
    if (!check_bytes_and_report(r, s, slab, p, "Right Redzone", endobject, val,
                                s->inuse - s->object_size, ret))
      ret = false;
    if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE) {
      const unsigned orig_size = get_orig_size(s, object);
      if (s->object_size > orig_size &&
          !check_bytes_and_report(r, s, slab, p, "kmalloc Redzone", p + orig_size, val,
                                  s->object_size - orig_size, ret))
        ret = false;
    }
  } else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
    if (!check_bytes_and_report(r, s, slab, p, "Alignment padding", endobject, POISON_INUSE,
                                s->inuse - s->object_size, ret))
      ret = false;
  }
  if (s->flags & SLAB_POISON) {
    if (val != SLUB_RED_ACTIVE && (s->flags & SLAB_OBJECT_POISON)) {
      if (s->object_size > 1 &&
          !check_bytes_and_report(r, s, slab, p, "Poison", p, POISON_FREE, s->object_size - 1, ret))
        ret = false;
      if (!check_bytes_and_report(r, s, slab, p, "End Poison", p + s->object_size - 1, POISON_END,
                                  1, ret))
        ret = false;
    }
    if (!check_pad_bytes(r, s, slab, p)) ret = false;
  }
  // An allocated object's free pointer is user data when it lives inside.
  if ((freeptr_outside_object(s) || val != SLUB_RED_ACTIVE) &&
      !check_valid_pointer(r.kernel(), s, slab, get_freepointer(s, p))) {
    object_err_r(r, s, slab, p, "Freepointer corrupt");
    // The rest of this slab's free objects are lost with it.
    set_freepointer(s, p, nullptr);
    ret = false;
  }
  return ret;
}

bool check_slab(Reporter& r, const KmemCache* s, Page* slab) {
  const unsigned maxobj = order_objects(slab->order, s->size);
  if (slab_objects(slab) > maxobj) {
    slab_err_r(r, s, slab, "objects %u > max %u", slab_objects(slab), maxobj);
    return false;
  }
  if (slab_inuse(slab) > slab_objects(slab)) {
    slab_err_r(r, s, slab, "inuse %u > max %u", slab_inuse(slab), slab_objects(slab));
    return false;
  }
  slab_pad_check(r, s, slab);
  return true;
}

// on_freelist: whether search is on the slab's freelist; walking it checks
// (and repairs) the chain and the counters. search == nullptr: a check of
// the whole slab, true unless the freelist had to be cleared.
bool on_freelist(Reporter& r, const KmemCache* s, Page* slab, void* search) {
  Kernel& k = r.kernel();
  unsigned nr = 0;
  void* object = nullptr;
  void* fp = slab_freelist(slab);
  while (fp != nullptr && nr <= slab_objects(slab)) {
    if (fp == search) return true;
    if (!check_valid_pointer(k, s, slab, fp)) {
      if (object != nullptr) {
        object_err_r(r, s, slab, object, "Freechain corrupt");
        set_freepointer(s, object, nullptr);
        break;
      }
      slab_err_r(r, s, slab, "Freepointer corrupt");
      slab->private_ = 0;
      fix_inuse(s, slab, slab_objects(slab));
      slab_fix(r, s, "Freelist cleared");
      return false;
    }
    object = fp;
    fp = get_freepointer(s, object);
    ++nr;
  }
  if (nr > slab_objects(slab)) {
    slab_err_r(r, s, slab, "Freelist cycle detected");
    slab->private_ = 0;
    fix_inuse(s, slab, slab_objects(slab));
    slab_fix(r, s, "Freelist cleared");
    return false;
  }
  const unsigned max_objects = min_t(order_objects(slab->order, s->size), MAX_OBJS_PER_PAGE);
  if (slab_objects(slab) != max_objects) {
    slab_err_r(r, s, slab, "Wrong number of objects. Found %d but should be %d",
               int(slab_objects(slab)), int(max_objects));
    fix_objects(s, slab, max_objects);
    slab_fix(r, s, "Number of objects adjusted");
  }
  if (slab_inuse(slab) != slab_objects(slab) - nr) {
    slab_err_r(r, s, slab, "Wrong object count. Counter is %d but counted were %d",
               int(slab_inuse(slab)), int(slab_objects(slab) - nr));
    fix_inuse(s, slab, slab_objects(slab) - nr);
    slab_fix(r, s, "Object count adjusted");
  }
  return search == nullptr;
}

// SLAB_TRACE: one info line per operation, and the object's bytes on free.
void trace(Kernel& k, const KmemCache* s, void* object, bool alloc, unsigned inuse, void* fp) {
  if (!(s->flags & SLAB_TRACE)) return;
  k.printk(LogLevel::info, "TRACE %s %s 0x%016lx inuse=%u fp=0x%016lx", s->name,
           alloc ? "alloc" : "free", addr_of(object), inuse, addr_of(fp));
  if (alloc) return;
  char line[80];
  const u8* p = static_cast<const u8*>(object);
  for (unsigned off = 0; off < s->object_size; off += 16) {
    hex_line(line, p + off, min_t(16u, s->object_size - off));
    k.printk(LogLevel::info, "Object %016lx: %s", addr_of(p + off), line);
  }
}

void set_track(Kernel& k, const KmemCache* s, void* object, int which, uintptr_t caller) {
  SlabTrack* t = get_track(s, object, which);
  t->addr = caller;
  t->cpu = int(k.current_cpu());
  t->pid = k.current_pid();
  t->when = jiffies(k);
}

// Free objects of slab as a bitmap (after on_freelist() checked the chain).
constexpr unsigned MAP_WORDS = (MAX_OBJS_PER_PAGE + 64) / 64;
void fill_map(Kernel& k, const KmemCache* s, const Page* slab, u64* map) {
  const u8* base = slab_address(k, slab) + s->red_left_pad;
  const unsigned words = (slab_objects(slab) + 63) / 64;
  for (unsigned i = 0; i < words; ++i) map[i] = 0;
  for (void* p = slab_freelist(slab); p != nullptr; p = get_freepointer(s, p)) {
    unsigned idx = obj_to_index(s, base, p);
    map[idx / 64] |= u64(1) << (idx % 64);
  }
}
bool map_test(const u64* map, unsigned idx) { return (map[idx / 64] >> (idx % 64)) & 1; }

void validate_slab(Reporter& r, const KmemCache* s, Page* slab, u64* map) {
  Kernel& k = r.kernel();
  if (!(slab->flags_relaxed() & PG_slab)) {
    slab_err_r(r, s, slab, "Not a valid slab page");
    return;
  }
  if (!check_slab(r, s, slab) || !on_freelist(r, s, slab, nullptr)) return;
  fill_map(k, s, slab, map);
  u8* p = slab_address(k, slab) + s->red_left_pad;
  for (unsigned i = 0; i < slab_objects(slab); ++i, p += s->size) {
    const u8 val = map_test(map, i) ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE;
    if (!check_object(r, s, slab, p, val)) break;
  }
}

// ---- slub_debug= ----------------------------------------------------------------------------

struct DebugBlock {
  slab_flags_t flags;
  const char* list;  // the cache names after the flags; nullptr: the block has none
  bool higher_order_disable;
};

using UnknownFlagFn = void (*)(char c, void* ctx);

// parse_slub_debug_flags: one ';'-separated block "<flags>[,<cache>,...]".
// Returns where the next block starts, nullptr after the last.
const char* parse_block(const char* str, DebugBlock& b, UnknownFlagFn unknown, void* ctx) {
  b = DebugBlock{0, nullptr, false};
  while (*str == ';') ++str;
  if (*str == ',') {
    b.flags = DEBUG_DEFAULT_FLAGS;  // no flags but a cache list: full debugging
  } else {
    for (; *str && *str != ',' && *str != ';'; ++str) {
      char c = (*str >= 'A' && *str <= 'Z') ? char(*str - 'A' + 'a') : *str;
      switch (c) {
        case '-': b.flags = 0; break;
        case 'f': b.flags |= SLAB_CONSISTENCY_CHECKS; break;
        case 'z': b.flags |= SLAB_RED_ZONE; break;
        case 'p': b.flags |= SLAB_POISON; break;
        case 'u': b.flags |= SLAB_STORE_USER; break;
        case 't': b.flags |= SLAB_TRACE; break;
        case 'a': b.flags |= SLAB_FAILSLAB; break;
        case 'o': b.higher_order_disable = true; break;
        default:
          if (unknown != nullptr) unknown(*str, ctx);
      }
    }
  }
  if (*str == ',') b.list = ++str;
  while (*str && *str != ';') ++str;
  while (*str == ';') ++str;
  return *str ? str : nullptr;
}

struct DebugConfig {
  slab_flags_t global;  // flags for caches no block names
  bool lists;           // some block names caches
  bool higher_order_disable;
};

// setup_slub_debug: the last block without a cache list sets the flags of
// every cache; with cache lists only, other caches get none.
DebugConfig parse_config(const char* str, UnknownFlagFn unknown, void* ctx) {
  DebugConfig c{0, false, false};
  if (str == nullptr || *str == 0) return c;  // no slub_debug option
  c.global = DEBUG_DEFAULT_FLAGS;
  bool changed = false;
  DebugBlock b;
  for (const char* p = str; p != nullptr;) {
    p = parse_block(p, b, unknown, ctx);
    if (b.list == nullptr) {
      c.global = b.flags;
      changed = true;
    } else {
      c.lists = true;
    }
    c.higher_order_disable |= b.higher_order_disable;
  }
  if (c.lists && !changed) c.global = 0;
  return c;
}

// One item of a cache list, [item, end): a name, or a prefix ending in '*'.
bool name_matches(const char* name, const char* item, const char* end) {
  const size_t len = str_len(name);
  for (const char* g = item; g < end; ++g)
    if (*g == '*') {
      const size_t n = size_t(g - item);
      return len >= n && mem_cmp(name, item, n) == 0;
    }
  return len == size_t(end - item) && mem_cmp(name, item, len) == 0;
}

void print_unknown_flag(char c, void* ctx) {
  static_cast<Kernel*>(ctx)->printk(LogLevel::err, "slab_debug option '%c' unknown. skipped", c);
}

void note_unknown_flag(char c, void* ctx) {
  char* first = static_cast<char*>(ctx);
  if (*first == 0) *first = c;
}

}  // namespace

// ---- the interface in slab.h ---------------------------------------------------------------

slab_flags_t slab_debug_flags_for(const Kernel& k, const char* name) {
  const char* str = k.options().slub_debug;
  const DebugConfig c = parse_config(str, nullptr, nullptr);
  if (c.lists) {
    DebugBlock b;
    for (const char* p = str; p != nullptr;) {
      p = parse_block(p, b, nullptr, nullptr);
      if (b.list == nullptr) continue;
      for (const char* it = b.list; *it && *it != ';';) {
        const char* end = it;
        while (*end && *end != ',' && *end != ';') ++end;
        if (name_matches(name, it, end)) return b.flags;
        if (*end != ',') break;
        it = end + 1;
      }
    }
  }
  return c.global;
}

bool slab_debug_higher_order_disabled(const Kernel& k) {
  return parse_config(k.options().slub_debug, nullptr, nullptr).higher_order_disable;
}

bool slab_debug_parse_ok(const char* str, char* msg, size_t n) {
  char bad = 0;
  parse_config(str, note_unknown_flag, &bad);
  if (bad == 0) {
    if (n > 0) msg[0] = 0;
    return true;
  }
  format(msg, n, "slab_debug option '%c' unknown. skipped", bad);
  return false;
}

void slab_debug_boot_report(Kernel& k) {
  parse_config(k.options().slub_debug, print_unknown_flag, &k);
}

void slab_debug_init_slab(Kernel&, KmemCache* s, Page* slab, void* base) {
  u8* b = static_cast<u8*>(base);
  if (s->flags & SLAB_POISON) mem_set(b, POISON_INUSE, slab_size(slab));
  if (!(s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE | SLAB_OBJECT_POISON))) return;
  const unsigned objects = slab_objects(slab);
  for (unsigned i = 0; i < objects; ++i) {
    void* p = b + size_t(i) * s->size + s->red_left_pad;
    init_object(s, p, SLUB_RED_INACTIVE);
    if (s->flags & SLAB_STORE_USER) mem_set(get_track(s, p, 0), 0, 2 * sizeof(SlabTrack));
  }
}

bool slab_debug_alloc(Kernel& k, KmemCache* s, Page* slab, void* obj, uintptr_t caller,
                      unsigned orig_size) {
  // The hook runs before slub.cpp takes obj off the freelist: what TRACE
  // shows is the slab after the allocation, as Linux prints it.
  void* next = check_valid_pointer(k, s, slab, obj) ? get_freepointer(s, obj) : nullptr;
  if (s->flags & SLAB_CONSISTENCY_CHECKS) {
    Reporter r(k);
    bool ok = check_slab(r, s, slab);
    if (ok && !check_valid_pointer(k, s, slab, obj)) {
      object_err_r(r, s, slab, obj, "Freelist Pointer check fails");
      ok = false;
    }
    if (ok && !check_object(r, s, slab, obj, SLUB_RED_INACTIVE)) ok = false;
    if (!ok) {
      // slub.cpp marks the slab's objects used.
      slab_fix(r, s, "Marking all objects used");
      return false;
    }
  }
  trace(k, s, obj, true, slab_inuse(slab) + 1, next);
  if (s->flags & SLAB_STORE_USER) set_track(k, s, obj, 0, caller);
  if (orig_size == 0 || orig_size > s->object_size) orig_size = s->object_size;
  set_orig_size(s, obj, orig_size);
  init_object(s, obj, SLUB_RED_ACTIVE);
  return true;
}

bool slab_debug_free(Kernel& k, KmemCache* s, Page* slab, void* obj, uintptr_t caller) {
  if (s->flags & SLAB_CONSISTENCY_CHECKS) {
    Reporter r(k);
    bool ok = check_slab(r, s, slab);
    if (ok) {
      if (!check_valid_pointer(k, s, slab, obj)) {
        slab_err_r(r, s, slab, "Invalid object pointer 0x%016lx", addr_of(obj));
        ok = false;
      } else if (on_freelist(r, s, slab, obj)) {
        object_err_r(r, s, slab, obj, "Object already free");
        ok = false;
      } else if (!check_object(r, s, slab, obj, SLUB_RED_ACTIVE)) {
        ok = false;
      } else if (slab_cache(slab) != s) {
        if (slab_cache(slab) == nullptr)
          slab_err_r(r, nullptr, slab, "No slab cache for object 0x%016lx", addr_of(obj));
        else object_err_r(r, s, slab, obj, "page slab pointer corrupt.");
        ok = false;
      }
    }
    if (!ok) {
      slab_fix(r, s, "Object at 0x%016lx not freed", addr_of(obj));
      return false;
    }
  }
  if (s->flags & SLAB_STORE_USER) set_track(k, s, obj, 1, caller);
  trace(k, s, obj, false, slab_inuse(slab), slab_freelist(slab));
  // The free pointer is outside the object whenever init_object() poisons it.
  init_object(s, obj, SLUB_RED_INACTIVE);
  return true;
}

unsigned long slab_debug_validate(Kernel& k, KmemCache* s) {
  u64 map[MAP_WORDS];  // object_map, one slab at a time
  Reporter r(k);
  for (int nid = 0; nid < k.nr_node_ids(); ++nid) {
    CacheNode* n = s->node[nid];
    n->list_lock.lock();
    unsigned long count = 0;
    for (ListHead* l = n->partial.next; l != &n->partial; l = l->next) {
      validate_slab(r, s, lru_to_page(l), map);
      ++count;
    }
    if (count != n->nr_partial) {
      r.begin();
      r.print("SLUB %s: %lu partial slabs counted but counter=%lu\n", s->name, count,
              n->nr_partial);
      ++r.errors;
    }
    for (ListHead* l = n->full.next; l != &n->full; l = l->next) {
      validate_slab(r, s, lru_to_page(l), map);
      ++count;
    }
    if (count != n->nr_slabs) {
      r.begin();
      r.print("SLUB: %s %lu slabs counted but counter=%lu\n", s->name, count, n->nr_slabs);
      ++r.errors;
    }
    r.finish();
    n->list_lock.unlock();
  }
  return r.errors;
}

void slab_err(Kernel& k, const KmemCache* s, const Page* slab, const char* fmt, ...) {
  Reporter r(k);
  r.begin();
  va_list ap;
  va_start(ap, fmt);
  slab_bug_v(r, s, fmt, ap);
  va_end(ap);
  slab_err_tail(r, slab);
}

void object_err(Kernel& k, const KmemCache* s, const Page* slab, const void* obj,
                const char* reason) {
  Reporter r(k);
  object_err_r(r, s, slab, obj, reason);
}

void slab_report_leaked_objects(Kernel& k, KmemCache* s, Page* slab) {
  u64 map[MAP_WORDS];
  Reporter r(k);
  r.begin();
  slab_bug(r, s, "Objects remaining on __kmem_cache_shutdown()");
  fill_map(k, s, slab, map);
  u8* addr = slab_address(k, slab);
  u8* p = addr + s->red_left_pad;
  for (unsigned i = 0; i < slab_objects(slab); ++i, p += s->size) {
    if (map_test(map, i)) continue;
    r.print("Object 0x%016lx @offset=%lu\n", addr_of(p), static_cast<unsigned long>(p - addr));
    print_tracking(r, s, p);
  }
  slab_err_tail(r, slab);
}

}  // namespace kmem
