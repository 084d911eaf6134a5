// SPDX-License-Identifier: MIT
// slub_debug= parsing: flags, cache lists, globs, several blocks, '-',
// unknown letters (Linux's setup_slub_debug and kmem_cache_flags).
#include "helpers.h"

namespace kmem_test {
namespace {

constexpr slab_flags_t F = SLAB_CONSISTENCY_CHECKS, Z = SLAB_RED_ZONE, P = SLAB_POISON,
                       U = SLAB_STORE_USER, T = SLAB_TRACE, A = SLAB_FAILSLAB;
constexpr slab_flags_t FZPU = F | Z | P | U;

struct Booted {
  explicit Booted(const std::string& cmdline) : m("mem=64M cpus=2 " + cmdline) {}
  slab_flags_t flags(const char* name) { return slab_debug_flags_for(m.kernel(), name); }
  Machine m;
};

TEST(SlabDebugParse, NoOptionMeansNoDebugging) {
  Booted b("");
  EXPECT_EQ(b.flags("kmalloc-64"), 0u);
  EXPECT_EQ(b.flags("anything"), 0u);
  const KmemCache* s = b.m.kernel().kmalloc_slab(64, gfp::KERNEL);
  EXPECT_EQ(s->flags & SLAB_DEBUG_FLAGS, 0u);
  EXPECT_FALSE(s->bypass_sheaves);
}

TEST(SlabDebugParse, BareOptionIsFzpuForEveryCache) {
  Booted b("slub_debug");
  EXPECT_EQ(b.flags("kmalloc-64"), FZPU);
  EXPECT_EQ(b.flags("dentry"), FZPU);
  const KmemCache* s = b.m.kernel().kmalloc_slab(8, gfp::KERNEL);
  EXPECT_EQ(s->flags & SLAB_DEBUG_FLAGS, FZPU);
  EXPECT_TRUE(s->bypass_sheaves);
}

TEST(SlabDebugParse, FlagsWithoutListApplyToAll) {
  Booted b("slub_debug=FZ");
  EXPECT_EQ(b.flags("kmalloc-64"), F | Z);
  EXPECT_EQ(b.flags("x"), F | Z);
  Booted c("slab_debug=pu");  // the new spelling; letters in either case
  EXPECT_EQ(c.flags("x"), P | U);
}

TEST(SlabDebugParse, ListSelectsCaches) {
  Booted b("slub_debug=FZPU,kmalloc-64,test_cache");
  EXPECT_EQ(b.flags("kmalloc-64"), FZPU);
  EXPECT_EQ(b.flags("test_cache"), FZPU);
  EXPECT_EQ(b.flags("kmalloc-128"), 0u);
  EXPECT_EQ(b.flags("kmalloc-6"), 0u);
  EXPECT_EQ(b.flags("kmalloc-640"), 0u);
  EXPECT_EQ(b.flags("test_cache2"), 0u);
  EXPECT_EQ(b.flags("test"), 0u);
  Kernel& k = b.m.kernel();
  EXPECT_EQ(k.kmalloc_slab(64, gfp::KERNEL)->flags & SLAB_DEBUG_FLAGS, FZPU);
  EXPECT_EQ(k.kmalloc_slab(128, gfp::KERNEL)->flags & SLAB_DEBUG_FLAGS, 0u);
}

TEST(SlabDebugParse, EmptyFlagsBeforeListMeanFzpu) {
  Booted b("slub_debug=,kmalloc-*");
  EXPECT_EQ(b.flags("kmalloc-8"), FZPU);
  EXPECT_EQ(b.flags("kmalloc-rcl-64"), FZPU);
  EXPECT_EQ(b.flags("kmalloc-"), FZPU);
  EXPECT_EQ(b.flags("kmalloc"), 0u);
  EXPECT_EQ(b.flags("dma-kmalloc-64"), 0u);
}

TEST(SlabDebugParse, GlobIgnoresWhatFollowsTheStar) {
  Booted b("slub_debug=U,dm*xyz");
  EXPECT_EQ(b.flags("dma-kmalloc-8"), U);
  EXPECT_EQ(b.flags("d"), 0u);
}

TEST(SlabDebugParse, SeveralBlocks) {
  Booted b("slub_debug=Z;P,foo;U,bar*,baz");
  EXPECT_EQ(b.flags("foo"), P);
  EXPECT_EQ(b.flags("bar"), U);
  EXPECT_EQ(b.flags("barn"), U);
  EXPECT_EQ(b.flags("baz"), U);
  EXPECT_EQ(b.flags("other"), Z);
}

TEST(SlabDebugParse, FirstMatchingBlockWins) {
  Booted b("slub_debug=F,foo;Z,foo*");
  EXPECT_EQ(b.flags("foo"), F);
  EXPECT_EQ(b.flags("food"), Z);
  EXPECT_EQ(b.flags("fo"), 0u);
}

TEST(SlabDebugParse, DashTurnsDebuggingOff) {
  Booted b("slub_debug=FZ;-,foo");
  EXPECT_EQ(b.flags("foo"), 0u);
  EXPECT_EQ(b.flags("bar"), F | Z);
  Booted c("slub_debug=-");
  EXPECT_EQ(c.flags("bar"), 0u);
  Booted d("slub_debug=F-Z,foo");  // '-' clears what came before it
  EXPECT_EQ(d.flags("foo"), Z);
}

TEST(SlabDebugParse, ListOnlyBlocksLeaveOtherCachesAlone) {
  Booted b("slub_debug=F,foo;Z,bar");
  EXPECT_EQ(b.flags("baz"), 0u);
  Booted c("slub_debug=F,foo;Z");  // the block without a list sets the rest
  EXPECT_EQ(c.flags("baz"), Z);
  EXPECT_EQ(c.flags("foo"), F);
}

TEST(SlabDebugParse, EmptyBlocksAreSkipped) {
  Booted b("slub_debug=;;T,foo;;");
  EXPECT_EQ(b.flags("foo"), T);
  EXPECT_EQ(b.flags("bar"), 0u);
}

TEST(SlabDebugParse, TraceFailslabAndHigherOrder) {
  Booted b("slub_debug=TA,foo");
  EXPECT_EQ(b.flags("foo"), T | A);
  EXPECT_FALSE(slab_debug_higher_order_disabled(b.m.kernel()));
  Booted c("slub_debug=FO");
  EXPECT_EQ(c.flags("x"), F);
  EXPECT_TRUE(slab_debug_higher_order_disabled(c.m.kernel()));
}

TEST(SlabDebugParse, UnknownLettersAreReportedAtBootAndSkipped) {
  Booted b("slub_debug=xFq,foo;!Z");
  EXPECT_EQ(b.flags("foo"), F);
  EXPECT_EQ(b.flags("bar"), Z);
  const std::string log = b.m.take_log();
  EXPECT_TRUE(contains(log, "slab_debug option 'x' unknown. skipped")) << log;
  EXPECT_TRUE(contains(log, "slab_debug option 'q' unknown. skipped")) << log;
  EXPECT_TRUE(contains(log, "slab_debug option '!' unknown. skipped")) << log;
  // Once, at boot, not for every cache created.
  const std::string::size_type first = log.find("option 'x'");
  EXPECT_EQ(log.find("option 'x'", first + 1), std::string::npos) << log;
}

TEST(SlabDebugParse, ParseOk) {
  char msg[128];
  EXPECT_TRUE(slab_debug_parse_ok("FZPU,kmalloc-*;-,foo", msg, sizeof msg));
  EXPECT_STREQ(msg, "");
  EXPECT_TRUE(slab_debug_parse_ok("", msg, sizeof msg));
  EXPECT_FALSE(slab_debug_parse_ok("FK,foo", msg, sizeof msg));
  EXPECT_STREQ(msg, "slab_debug option 'K' unknown. skipped");
  // The cache names are not flags.
  EXPECT_TRUE(slab_debug_parse_ok("F,kmalloc-64,Xyz", msg, sizeof msg));
}

TEST(SlabDebugParse, CreatedCacheGetsTheFlags) {
  Booted b("slub_debug=ZU,test_cache");
  Kernel& k = b.m.kernel();
  KmemCache* s = k.kmem_cache_create("test_cache", 40, nullptr, 0);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->flags & SLAB_DEBUG_FLAGS, Z | U);
  EXPECT_TRUE(s->bypass_sheaves);
  EXPECT_NE(s->red_left_pad, 0u);
  KmemCache* plain = k.kmem_cache_create("plain_cache", 40, nullptr, 0);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->flags & SLAB_DEBUG_FLAGS, 0u);
  // SLAB_NO_USER_FLAGS: slub_debug= does not apply.
  KmemCache* nouser = k.kmem_cache_create("test_cache", 40, nullptr, SLAB_NO_USER_FLAGS);
  ASSERT_NE(nouser, nullptr);
  EXPECT_EQ(nouser->flags & SLAB_DEBUG_FLAGS, 0u);
  k.kmem_cache_destroy(nouser);
  k.kmem_cache_destroy(plain);
  k.kmem_cache_destroy(s);
}

}  // namespace
}  // namespace kmem_test
