// SPDX-License-Identifier: MIT
// slub_debug reports: red zones, poison, double and invalid frees, tracks,
// SLAB_TRACE, validate, leaked objects, and the exact report layout.
#include "helpers.h"

namespace kmem_test {
namespace {

using SlabDebug = SlabDebugTest;

// Object layout of test_cache (64 bytes, FZPU): left red zone 8, object 64,
// right red zone 8, free pointer 8, two tracks, one debug word.
TEST_F(SlabDebug, Layout) {
  KmemCache* s = create("test_cache", 64);
  EXPECT_EQ(s->flags & SLAB_DEBUG_FLAGS,
            SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER);
  EXPECT_TRUE(s->flags & SLAB_OBJECT_POISON);
  EXPECT_EQ(s->red_left_pad, 8u);
  EXPECT_EQ(s->inuse, 72u);
  EXPECT_EQ(s->offset, 72u);
  EXPECT_EQ(s->size, 8u + 72u + 8u + 2u * sizeof(SlabTrack) + 8u);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(offset_in_slab(p) % s->size, s->red_left_pad);
  // Allocated: red zones SLUB_RED_ACTIVE, contents still poisoned.
  for (int i = -8; i < 0; ++i) EXPECT_EQ(p[i], SLUB_RED_ACTIVE) << i;
  for (int i = 0; i < 63; ++i) EXPECT_EQ(p[i], POISON_FREE) << i;
  EXPECT_EQ(p[63], POISON_END);
  for (int i = 64; i < 72; ++i) EXPECT_EQ(p[i], SLUB_RED_ACTIVE) << i;
  k().kmem_cache_free(s, p);
  // Free: SLUB_RED_INACTIVE and poison.
  for (int i = -8; i < 0; ++i) EXPECT_EQ(p[i], SLUB_RED_INACTIVE) << i;
  for (int i = 64; i < 72; ++i) EXPECT_EQ(p[i], SLUB_RED_INACTIVE) << i;
  EXPECT_EQ(p[0], POISON_FREE);
  EXPECT_EQ(p[63], POISON_END);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
  EXPECT_EQ(m().take_log(), "");
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, RightRedzoneOverwrittenReportedAtFree) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  p[64] = 0x12;
  p[66] = 0x34;
  k().kmem_cache_free(s, p);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, overwritten("Right Redzone", p + 64, p + 66, 0x12, 0xcc))) << log;
  EXPECT_TRUE(contains(log, "BUG test_cache (Not tainted): Object corrupt\n")) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "Right Redzone", p + 64, p + 66, 0xcc))) << log;
  EXPECT_TRUE(contains(log, "FIX test_cache: Object at " + hex16(p) + " not freed\n")) << log;
  EXPECT_EQ(bugs(), 1u);
  // Restored, and (as Linux) not freed: the object is still allocated.
  EXPECT_EQ(p[64], SLUB_RED_ACTIVE);
  EXPECT_EQ(p[66], SLUB_RED_ACTIVE);
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  k().kmem_cache_free(s, p);  // now clean
  EXPECT_EQ(bugs(), 1u) << m().take_log();
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, LeftRedzoneOverwritten) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  p[-1] = 0x77;
  k().kmem_cache_free(s, p);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, overwritten("Left Redzone", p - 1, p - 1, 0x77, 0xcc))) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "Left Redzone", p - 1, p - 1, 0xcc))) << log;
  EXPECT_EQ(bugs(), 1u);
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, KmallocRedzoneOverwritten) {
  auto* p = static_cast<u8*>(k().kmalloc(60, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(k().virt_to_cache(p), k().kmalloc_slab(64, gfp::KERNEL));
  for (int i = 60; i < 64; ++i) EXPECT_EQ(p[i], SLUB_RED_ACTIVE) << i;
  p[60] = 0x41;
  k().kfree(p);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, overwritten("kmalloc Redzone", p + 60, p + 60, 0x41, 0xcc))) << log;
  EXPECT_TRUE(contains(log, "BUG kmalloc-64 (Not tainted): Object corrupt\n")) << log;
  EXPECT_TRUE(contains(log, restoring("kmalloc-64", "kmalloc Redzone", p + 60, p + 60, 0xcc)))
      << log;
  EXPECT_EQ(bugs(), 1u);
  k().kfree(p);
  EXPECT_EQ(bugs(), 1u) << m().take_log();
}

TEST_F(SlabDebug, KmallocFullSizeIsNotARedzoneError) {
  auto* p = static_cast<u8*>(k().kmalloc(64, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  std::memset(p, 0x11, 64);
  k().kfree(p);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
}

// Linux zeroes only the request (slab_post_alloc_hook's zero_size) so that
// the kmalloc red zone survives __GFP_ZERO.
TEST_F(SlabDebug, KzallocKeepsTheKmallocRedzone) {
  auto* p = static_cast<u8*>(k().kmalloc(60, gfp::KERNEL | gfp::ZERO));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(p[i], 0) << i;
  for (int i = 60; i < 64; ++i) EXPECT_EQ(p[i], SLUB_RED_ACTIVE) << i;
  k().kfree(p);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
}

// ksize() hands out the whole object: Linux's __ksize forgets the request
// size (skip_orig_size_check), so writing up to ksize() is not reported.
TEST_F(SlabDebug, KsizeWidensTheRequest) {
  auto* p = static_cast<u8*>(k().kmalloc(60, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  const size_t n = k().ksize(p);
  EXPECT_EQ(n, 64u);
  std::memset(p, 0, n);
  k().kfree(p);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
}

TEST_F(SlabDebug, UseAfterFreeFoundAtNextAllocation) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  k().kmem_cache_free(s, p);
  p[10] = 0x00;  // use after free
  p[11] = 0x00;
  // LIFO: the next allocation from this slab is p again; it is found corrupt,
  // reported and not handed out (the slab is marked full).
  auto* q = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(q, nullptr);
  EXPECT_NE(q, p);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, overwritten("Poison", p + 10, p + 11, 0x00, 0x6b))) << log;
  EXPECT_TRUE(contains(log, "BUG test_cache (Not tainted): Object corrupt\n")) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "Poison", p + 10, p + 11, 0x6b))) << log;
  EXPECT_TRUE(contains(log, "FIX test_cache: Marking all objects used\n")) << log;
  EXPECT_TRUE(contains(log, "Freed in 0x")) << log;
  EXPECT_EQ(bugs(), 1u);
  k().kmem_cache_free(s, q);
}

TEST_F(SlabDebug, UseAfterFreeFoundByValidate) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  k().kmem_cache_free(s, p);
  p[63] = 0x00;                         // the last byte: "End Poison"
  EXPECT_EQ(k().slab_validate(s), 2u);  // the corruption and its FIX, as KUnit counts
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, overwritten("End Poison", p + 63, p + 63, 0x00, 0xa5))) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "End Poison", p + 63, p + 63, 0xa5))) << log;
  EXPECT_EQ(bugs(), 1u);
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bugs(), 1u) << m().take_log();
}

TEST_F(SlabDebug, DoubleFree) {
  KmemCache* s = create("test_cache", 64);
  void* keep = k().kmem_cache_alloc(s, gfp::KERNEL);
  void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k().kmem_cache_free(s, p);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
  k().kmem_cache_free(s, p);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "BUG test_cache (Not tainted): Object already free\n")) << log;
  EXPECT_TRUE(contains(log, "Object " + hex16(p) + " @offset=")) << log;
  EXPECT_TRUE(contains(log, "FIX test_cache: Object at " + hex16(p) + " not freed\n")) << log;
  EXPECT_EQ(bugs(), 1u);
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  k().kmem_cache_free(s, keep);
  k().kmem_cache_destroy(s);
  EXPECT_EQ(bugs(), 1u) << m().take_log();
}

TEST_F(SlabDebug, FreeOfAPointerIntoAnObject) {
  auto* p = static_cast<u8*>(k().kmalloc(64, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  k().kfree(p + 8);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "BUG kmalloc-64 (Not tainted): Invalid object pointer 0x")) << log;
  EXPECT_TRUE(contains(log, "Slab 0x")) << log;
  EXPECT_EQ(bugs(), 1u);
  k().kfree(p);
  EXPECT_EQ(bugs(), 1u) << m().take_log();
}

TEST_F(SlabDebug, ValidateCleanCache) {
  KmemCache* s = create("test_cache", 64);
  std::vector<void*> objs;
  for (int i = 0; i < 100; ++i) objs.push_back(k().kmem_cache_alloc(s, gfp::KERNEL));
  for (size_t i = 0; i < objs.size(); i += 2) k().kmem_cache_free(s, objs[i]);
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  for (size_t i = 1; i < objs.size(); i += 2) k().kmem_cache_free(s, objs[i]);
  EXPECT_EQ(k().slab_validate(s), 0u) << m().take_log();
  std::vector<void*> km;
  for (int i = 0; i < 50; ++i) km.push_back(k().kmalloc(33 + i % 32, gfp::KERNEL));
  EXPECT_EQ(k().slab_validate(k().kmalloc_slab(64, gfp::KERNEL)), 0u) << m().take_log();
  for (void* p : km) k().kfree(p);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
  EXPECT_EQ(m().take_log(), "");
  char msg[512];
  EXPECT_TRUE(k().slab_check_invariants(msg, sizeof msg)) << msg;
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, TracksRecordCallerCpuPid) {
  KmemCache* s = create("test_cache", 64);
  void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  const SlabTrack* a = get_track(s, p, 0);
  EXPECT_NE(a->addr, 0u);
  EXPECT_EQ(a->pid, k().current_pid());
  EXPECT_EQ(unsigned(a->cpu), k().current_cpu());
  EXPECT_EQ(get_track(s, p, 1)->addr, 0u);  // never freed
  k().kmem_cache_free(s, p);
  const SlabTrack* f = get_track(s, p, 1);
  EXPECT_NE(f->addr, 0u);
  EXPECT_EQ(f->pid, k().current_pid());
  EXPECT_GE(f->when, a->when);
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, CacheWithoutDebugIsUnaffected) {
  KmemCache* s = create("plain_cache", 64);
  EXPECT_EQ(s->flags & SLAB_DEBUG_FLAGS, 0u);
  EXPECT_FALSE(s->bypass_sheaves);
  EXPECT_EQ(s->red_left_pad, 0u);
  EXPECT_EQ(s->size, 64u);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  std::memset(p, 0x5a, 64);
  k().kmem_cache_free(s, p);
  auto* q = static_cast<u8*>(k().kmalloc(100, gfp::KERNEL));  // kmalloc-128: no debug
  q[100] = 1;
  k().kfree(q);
  EXPECT_EQ(bugs(), 0u);
  EXPECT_EQ(m().take_log(), "");
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, ReportsAreCountedAndTaint) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  auto* q = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  p[64] = 1;
  q[64] = 1;
  k().kmem_cache_free(s, p);
  k().kmem_cache_free(s, q);
  const std::string log = m().take_log();
  EXPECT_EQ(bugs(), 2u);
  EXPECT_TRUE(contains(log, "BUG test_cache (Not tainted): Object corrupt")) << log;
  EXPECT_TRUE(contains(log, "BUG test_cache (Tainted: G    B   W): Object corrupt")) << log;
  k().kmem_cache_free(s, p);
  k().kmem_cache_free(s, q);
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, SeveralCorruptAreasOneReport) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  p[-8] = 0x01;  // left red zone
  p[71] = 0x02;  // right red zone
  k().kmem_cache_free(s, p);
  const std::string log = m().take_log();
  EXPECT_EQ(bugs(), 1u) << log;
  const auto left = log.find("[Left Redzone overwritten]");
  const auto bug = log.find("BUG test_cache");
  const auto right = log.find("[Right Redzone overwritten]");
  ASSERT_NE(left, std::string::npos) << log;
  ASSERT_NE(right, std::string::npos) << log;
  EXPECT_LT(left, bug);
  EXPECT_LT(bug, right);
  // Only the first corrupt area dumps the object.
  EXPECT_EQ(log.find("BUG test_cache", bug + 1), std::string::npos) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "Left Redzone", p - 8, p - 8, 0xcc))) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "Right Redzone", p + 71, p + 71, 0xcc))) << log;
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

// The whole report, line by line, against Linux 6.18's print_trailer().
TEST_F(SlabDebug, ReportLayout) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  p[64] = 0x12;
  k().kmem_cache_free(s, p);
  const std::string log = m().take_log();
  const std::vector<std::string> l = lines_of(log);
  ASSERT_GE(l.size(), 20u) << log;
  Page* slab = slab_of(p);
  size_t i = 0;
  EXPECT_EQ(l[i++], overwritten("Right Redzone", p + 64, p + 64, 0x12, 0xcc));
  EXPECT_EQ(l[i++], std::string(77, '='));
  EXPECT_EQ(l[i++], "BUG test_cache (Not tainted): Object corrupt");
  EXPECT_EQ(l[i++], std::string(77, '-'));
  EXPECT_EQ(l[i++], "");
  EXPECT_EQ(l[i].rfind("Allocated in 0x", 0), 0u) << l[i];
  char want[256];
  std::snprintf(want, sizeof want, " cpu=%u pid=%d", k().current_cpu(), k().current_pid());
  EXPECT_TRUE(contains(l[i], " age=")) << l[i];
  EXPECT_TRUE(contains(l[i], want)) << l[i];
  ++i;
  std::snprintf(want, sizeof want, "Slab %s objects=%u used=%u fp=%s flags=%#x(",
                hex16(slab).c_str(), slab_objects(slab), slab_inuse(slab),
                hex16(slab_freelist(slab)).c_str(), slab->flags);
  EXPECT_EQ(l[i].rfind(want, 0), 0u) << l[i] << "\nwant " << want;
  EXPECT_TRUE(contains(l[i], "node=0|zone=")) << l[i];
  ++i;
  std::snprintf(want, sizeof want, "Object %s @offset=%lu fp=%s", hex16(p).c_str(),
                offset_in_slab(p), hex16(get_freepointer(s, p)).c_str());
  EXPECT_EQ(l[i++], want);
  EXPECT_EQ(l[i++], "");
  auto dump = [&](const char* prefix, const u8* at, const u8* a, unsigned n) {
    std::string hex, ascii;
    char b[8];
    for (unsigned j = 0; j < n; ++j) {
      std::snprintf(b, sizeof b, j ? " %02x" : "%02x", a[j]);
      hex += b;
      ascii += (a[j] >= 0x20 && a[j] < 0x7f) ? char(a[j]) : '.';
    }
    hex.resize(49, ' ');
    std::snprintf(want, sizeof want, "%s%016lx: ", prefix,
                  static_cast<unsigned long>(reinterpret_cast<uintptr_t>(at)));
    return std::string(want) + hex + ascii;
  };
  // The dump shows the bytes before the FIX restored them.
  u8 right[8];
  std::memcpy(right, p + 64, 8);
  right[0] = 0x12;
  EXPECT_EQ(l[i++], dump("Redzone  ", p - 8, p - 8, 8));
  for (unsigned off = 0; off < 64; off += 16)
    EXPECT_EQ(l[i++], dump("Object   ", p + off, p + off, 16));
  EXPECT_EQ(l[i++], dump("Redzone  ", p + 64, right, 8));
  // Padding: the debug word after the tracks.
  const unsigned pad = 72 + 8 + 2 * sizeof(SlabTrack);
  EXPECT_EQ(l[i++], dump("Padding  ", p + pad, p + pad, 8));
  EXPECT_EQ(l[i++], "------------[ cut here ]------------");
  EXPECT_EQ(l[i].rfind("WARNING: CPU: ", 0), 0u) << l[i];
  EXPECT_TRUE(contains(l[i], " at mm/slub.c:")) << l[i];
  EXPECT_TRUE(contains(l[i], " object_err+")) << l[i];
  while (i < l.size() && l[i].rfind("---[ end trace", 0) != 0) ++i;
  ASSERT_LT(i + 2, l.size()) << log;
  ++i;
  EXPECT_EQ(l[i++], restoring("test_cache", "Right Redzone", p + 64, p + 64, 0xcc));
  EXPECT_EQ(l[i++], "FIX test_cache: Object at " + hex16(p) + " not freed");
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, PaddingAtTheEndOfTheSlab) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  Page* slab = slab_of(p);
  const unsigned bytes = unsigned(PAGE_SIZE << slab->order);
  ASSERT_NE(bytes % s->size, 0u) << "needs a slab with a tail";
  u8* tail = slab_base(p) + bytes - 1;
  EXPECT_EQ(*tail, POISON_INUSE);
  *tail = 0x00;
  k().slab_validate(s);
  const std::string log = m().take_log();
  char want[200];
  std::snprintf(want, sizeof want,
                "BUG test_cache (Not tainted): Padding overwritten. %s-%s @offset=%u\n",
                hex16(tail).c_str(), hex16(tail).c_str(), bytes - 1);
  EXPECT_TRUE(contains(log, want)) << log;
  EXPECT_TRUE(contains(log, "\nPadding ")) << log;
  EXPECT_TRUE(contains(log, restoring("test_cache", "slab padding", tail, tail, 0x5a))) << log;
  EXPECT_EQ(*tail, POISON_INUSE);
  EXPECT_EQ(bugs(), 1u);
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

TEST_F(SlabDebug, LeakedObjectsListedAtDestroy) {
  KmemCache* s = create("test_cache", 64);
  void* p = k().kmem_cache_alloc(s, gfp::KERNEL);
  ASSERT_NE(p, nullptr);
  k().kmem_cache_destroy(s);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "BUG test_cache (")) << log;
  EXPECT_TRUE(contains(log, "Objects remaining")) << log;
  char want[128];
  std::snprintf(want, sizeof want, "Object %s @offset=%lu\nAllocated in 0x", hex16(p).c_str(),
                offset_in_slab(p));
  EXPECT_TRUE(contains(log, want)) << log;
}

// A 4 KiB object's report is longer than the report buffer: it goes out in
// pieces but whole, and counts once.
TEST_F(SlabDebug, LongReportIsComplete) {
  KmemCache* s = create("test_cache", 4096);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  p[4096] = 0x01;
  k().kmem_cache_free(s, p);
  const std::string log = m().take_log();
  EXPECT_EQ(bugs(), 1u);
  size_t object_lines = 0;
  for (const std::string& l : lines_of(log)) object_lines += l.rfind("Object   ", 0) == 0;
  EXPECT_EQ(object_lines, 4096u / 16) << log;
  const auto header = log.find("BUG test_cache (Not tainted): Object corrupt");
  const auto fix = log.find(restoring("test_cache", "Right Redzone", p + 4096, p + 4096, 0xcc));
  ASSERT_NE(header, std::string::npos) << log;
  ASSERT_NE(fix, std::string::npos) << log;
  EXPECT_LT(header, fix);
  EXPECT_TRUE(contains(log, "FIX test_cache: Object at " + hex16(p) + " not freed\n")) << log;
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

// Debug caches under concurrent use: the checks run under list_lock and find
// nothing wrong.
TEST_F(SlabDebug, ConcurrentUseStaysClean) {
  KmemCache* s = create("test_cache", 48);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 4; ++t)
    threads.emplace_back([this, s, t] {
      if (t < 2) Machine::bind_current_thread(t);
      std::vector<void*> held;
      for (int i = 0; i < 4000; ++i) {
        void* a = k().kmem_cache_alloc(s, gfp::KERNEL);
        void* b = k().kmalloc(40 + i % 24, gfp::KERNEL);
        std::memset(a, int(t), 48);
        std::memset(b, int(t), 40);
        held.push_back(a);
        k().kfree(b);
        if (held.size() > 64) {
          k().kmem_cache_free(s, held.front());
          held.erase(held.begin());
        }
      }
      for (void* a : held) k().kmem_cache_free(s, a);
    });
  for (int i = 0; i < 20; ++i) EXPECT_EQ(k().slab_validate(s), 0u);
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(k().slab_validate(s), 0u);
  EXPECT_EQ(k().slab_validate(k().kmalloc_slab(64, gfp::KERNEL)), 0u);
  EXPECT_EQ(bugs(), 0u) << m().take_log();
  char msg[512];
  EXPECT_TRUE(k().slab_check_invariants(msg, sizeof msg)) << msg;
  k().kmem_cache_destroy(s);
}

class SlabDebugTrace : public SlabDebugTest {
  const char* cmdline() const override { return "mem=256M cpus=2 slub_debug=T,test_cache"; }
};

TEST_F(SlabDebugTrace, TraceLines) {
  KmemCache* s = create("test_cache", 32);
  EXPECT_EQ(s->flags & SLAB_DEBUG_FLAGS, SLAB_TRACE);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  ASSERT_NE(p, nullptr);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "TRACE test_cache alloc " + hex16(p) + " inuse=1 fp=0x")) << log;
  std::memset(p, 'A', 32);
  k().kmem_cache_free(s, p);
  log = m().take_log();
  EXPECT_TRUE(contains(log, "TRACE test_cache free " + hex16(p) + " inuse=1 fp=0x")) << log;
  char want[128];
  std::snprintf(want, sizeof want, "Object %016lx: 41 41 41 41",
                static_cast<unsigned long>(reinterpret_cast<uintptr_t>(p)));
  EXPECT_TRUE(contains(log, want)) << log;
  EXPECT_TRUE(contains(log, "  AAAAAAAAAAAAAAAA")) << log;
  EXPECT_EQ(bugs(), 0u);
  k().kmem_cache_destroy(s);
}

class SlabDebugCount : public SlabDebugTest {
  const char* cmdline() const override {
    return "mem=256M cpus=2 bug_action=count slub_debug=FZPU,test_cache";
  }
};

TEST_F(SlabDebugCount, CountedSilently) {
  KmemCache* s = create("test_cache", 64);
  auto* p = static_cast<u8*>(k().kmem_cache_alloc(s, gfp::KERNEL));
  p[64] = 0;
  k().kmem_cache_free(s, p);
  EXPECT_EQ(bugs(), 1u);
  EXPECT_EQ(p[64], SLUB_RED_ACTIVE) << "restored even when not printed";
  EXPECT_EQ(m().take_log(), "");
  k().kmem_cache_free(s, p);
  k().kmem_cache_destroy(s);
}

}  // namespace
}  // namespace kmem_test
