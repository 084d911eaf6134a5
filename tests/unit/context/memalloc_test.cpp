// SPDX-License-Identifier: MIT
// Memory-allocation scopes (include/linux/sched/mm.h): what each strips
// from a gfp mask, nesting, and that the scope is the thread's.
#include "context_helpers.h"

namespace kmem_test {
namespace {

using Memalloc = ContextTest;

TEST_F(Memalloc, NofsStripsFs) {
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::KERNEL);
  unsigned f = memalloc_nofs_save();
  EXPECT_EQ(f, 0u);
  EXPECT_TRUE(current_ctx().flags & PF_MEMALLOC_NOFS);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::NOFS);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL | gfp::ZERO), gfp::NOFS | gfp::ZERO);
  EXPECT_EQ(current_gfp_context(gfp::NOIO), gfp::NOIO);
  EXPECT_EQ(current_gfp_context(gfp::ATOMIC), gfp::ATOMIC);  // no FS bit to take
  memalloc_nofs_restore(f);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::KERNEL);
}

TEST_F(Memalloc, NoioStripsIoAndFs) {
  unsigned f = memalloc_noio_save();
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::NOIO);
  EXPECT_EQ(current_gfp_context(gfp::NOFS), gfp::NOIO);
  EXPECT_EQ(current_gfp_context(gfp::USER), gfp::USER & ~(gfp::IO | gfp::FS));
  memalloc_noio_restore(f);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::KERNEL);
}

TEST_F(Memalloc, NestingRestoresTheOuterScope) {
  unsigned outer = memalloc_nofs_save();
  unsigned inner = memalloc_nofs_save();  // already in a NOFS scope
  EXPECT_NE(inner, 0u);
  memalloc_nofs_restore(inner);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::NOFS) << "the inner end ended the outer scope";
  unsigned noio = memalloc_noio_save();
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::NOIO);  // NOIO wins over NOFS
  memalloc_noio_restore(noio);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::NOFS);
  memalloc_nofs_restore(outer);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::KERNEL);
}

TEST_F(Memalloc, PinStripsMovable) {
  unsigned f = memalloc_pin_save();
  EXPECT_EQ(current_gfp_context(gfp::HIGHUSER_MOVABLE), gfp::HIGHUSER);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::KERNEL);
  unsigned nofs = memalloc_nofs_save();
  EXPECT_EQ(current_gfp_context(gfp::HIGHUSER_MOVABLE), gfp::HIGHUSER & ~gfp::FS);
  memalloc_nofs_restore(nofs);
  memalloc_pin_restore(f);
  EXPECT_EQ(current_gfp_context(gfp::HIGHUSER_MOVABLE), gfp::HIGHUSER_MOVABLE);
}

TEST_F(Memalloc, NoreclaimMarksTheThreadAsReclaim) {
  unsigned f = memalloc_noreclaim_save();
  EXPECT_TRUE(current_ctx().flags & PF_MEMALLOC);
  unsigned g = memalloc_noreclaim_save();
  memalloc_noreclaim_restore(g);
  EXPECT_TRUE(current_ctx().flags & PF_MEMALLOC);
  memalloc_noreclaim_restore(f);
  EXPECT_FALSE(current_ctx().flags & PF_MEMALLOC);
  EXPECT_EQ(current_gfp_context(gfp::KERNEL), gfp::KERNEL);  // the mask is unchanged
}

TEST_F(Memalloc, TheScopeIsTheThreads) {
  unsigned f = memalloc_noio_save();
  gfp_t other = 0;
  std::thread([&] { other = current_gfp_context(gfp::KERNEL); }).join();
  EXPECT_EQ(other, gfp::KERNEL);
  memalloc_noio_restore(f);
}

TEST_F(Memalloc, AScopeStillSleepsSoItIsStillReportedInAtomicContext) {
  // NOFS takes __GFP_FS away, not __GFP_DIRECT_RECLAIM: a GFP_KERNEL
  // allocation in a NOFS scope may still sleep.
  Machine m(kSmall);
  Kernel& k = m.kernel();
  unsigned f = memalloc_nofs_save();
  KSpinlock lock;
  spin_lock(&lock);
  Page* p = k.alloc_pages(gfp::KERNEL, 0);
  spin_unlock(&lock);
  memalloc_nofs_restore(f);
  ASSERT_NE(p, nullptr);
  k.free_pages(p, 0);
  EXPECT_EQ(k.bug_count(BUG_ATOMIC_SLEEP), 1u);
}

}  // namespace
}  // namespace kmem_test
