// SPDX-License-Identifier: MIT
// The OOM killer (mm/oom_kill.c): tasks and their charged pages, victim
// selection by badness, the notifier chain, Linux's report, the reaping of
// the victim's memory, and an allocation that only succeeds because the OOM
// killer freed a task's memory.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "../page_alloc/helpers.h"

namespace kmem_test {
namespace {

// A GFP_KERNEL allocation's way to the OOM killer: reclaim retries with
// throttling first, then out_of_memory(). oom_wait_ms=0: when nothing can
// be killed the allocation fails at once instead of waiting for frees.
constexpr const char* kCmdline = "mem=64M cpus=2 oom_wait_ms=0";

// Filling allocations: never reach the OOM killer, never warn.
constexpr gfp_t kFill = gfp::HIGHUSER_MOVABLE | gfp::NORETRY | gfp::NOWARN;

struct KillCount {
  std::atomic<int> calls{0};
  Task* last = nullptr;
};

void count_kill(Task* t, void* arg) {
  auto* kc = static_cast<KillCount*>(arg);
  kc->last = t;
  kc->calls.fetch_add(1);
}

// Charges order-0 pages to t until the allocator refuses (or max pages).
unsigned long charge_until_full(Machine& m, Task* t, unsigned long max = ~0UL) {
  unsigned long n = 0;
  while (n < max && m.task_alloc_pages(t, kFill, 0) != nullptr) ++n;
  return n;
}

// Uncharged order-0 pages until the allocator refuses.
std::vector<Page*> fill(Kernel& k, gfp_t mask) {
  std::vector<Page*> held;
  while (Page* p = k.alloc_pages(mask | gfp::NOWARN, 0)) held.push_back(p);
  return held;
}

void release(Kernel& k, std::vector<Page*>& held) {
  for (Page* p : held) k.free_pages(p, 0);
  held.clear();
}

OomControl oom_control(gfp_t gfp = gfp::KERNEL, int order = 0) {
  return OomControl{gfp, order, 0, 0, nullptr, 0};
}

bool dead(const Task* t) { return t->state.load() & TASK_DEAD; }

class Oom : public ::testing::Test {
 protected:
  void SetUp() override {
    m_ = std::make_unique<Machine>(kCmdline);
    m_->take_log();
  }
  Kernel& k() { return m_->kernel(); }
  Machine& m() { return *m_; }
  unsigned long free_now() {
    k().drain_all_pages();
    return k().global_free_pages();
  }
  std::unique_ptr<Machine> m_;
};

// ---- tasks and charges ---------------------------------------------------------

TEST_F(Oom, TaskInitGivesPidsNamesAndClampsAdj) {
  Task* a = m().create_task("first", 0);
  Task* b = m().create_task("a-very-long-task-name", 5000);
  Task* c = m().create_task("low", -7000);
  EXPECT_EQ(Machine::task_pid(b), Machine::task_pid(a) + 1);
  EXPECT_EQ(Machine::task_pid(c), Machine::task_pid(a) + 2);
  EXPECT_STREQ(a->comm, "first");
  EXPECT_STREQ(b->comm, "a-very-long-tas");  // TASK_COMM_LEN 16
  EXPECT_EQ(b->oom_score_adj, OOM_SCORE_ADJ_MAX);
  EXPECT_EQ(c->oom_score_adj, OOM_SCORE_ADJ_MIN);
  EXPECT_EQ(a->state.load(), 0u);
  EXPECT_EQ(Machine::task_rss(a), 0u);
  m().destroy_task(a);
  m().destroy_task(b);
  m().destroy_task(c);
}

TEST_F(Oom, ChargeUnchargeAndExitFreeEachBlockOnce) {
  const unsigned long before = free_now();
  Task* t = m().create_task("worker", 0);
  std::vector<std::pair<Page*, unsigned>> blocks;
  for (unsigned order : {0u, 1u, 3u, 0u, 2u}) {
    Page* p = m().task_alloc_pages(t, gfp::KERNEL, order);
    ASSERT_NE(p, nullptr);
    blocks.push_back({p, order});
  }
  EXPECT_EQ(Machine::task_rss(t), 1u + 2 + 8 + 1 + 4);
  // Uncharge hands the block back: the caller frees it.
  ASSERT_TRUE(k().task_uncharge(t, blocks[2].first, 3));
  EXPECT_EQ(Machine::task_rss(t), 8u);
  k().free_pages(blocks[2].first, 3);
  m().task_free_pages(t, blocks[0].first, 0);
  EXPECT_EQ(Machine::task_rss(t), 7u);
  // Exit frees the rest.
  m().destroy_task(t);
  EXPECT_EQ(free_now(), before);
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_EQ(k().bug_count(BUG_WARN), 0u);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_F(Oom, MisusedChargesWarnAndChangeNothing) {
  Task* t = m().create_task("worker", 0);
  Task* u = m().create_task("other", 0);
  Page* p = k().alloc_pages(gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  // Not charged: uncharge refuses (the caller still owns the page).
  EXPECT_FALSE(k().task_uncharge(t, p, 0));
  EXPECT_EQ(k().bug_count(BUG_WARN), 1u);
  k().task_charge(t, p, 0);
  // Charged to t: another task cannot take it.
  k().task_charge(u, p, 0);
  EXPECT_EQ(k().bug_count(BUG_WARN), 2u);
  EXPECT_FALSE(k().task_uncharge(u, p, 0));
  EXPECT_EQ(k().bug_count(BUG_WARN), 3u);
  EXPECT_EQ(Machine::task_rss(t), 1u);
  EXPECT_EQ(Machine::task_rss(u), 0u);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "WARNING: CPU:")) << log;
  EXPECT_TRUE(contains(log, "is not charged to it")) << log;
  EXPECT_TRUE(contains(log, "already has an owner")) << log;
  m().destroy_task(u);
  m().destroy_task(t);  // frees p
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_TRUE(invariants_ok(k()));
}

// ---- badness and selection -------------------------------------------------------

TEST_F(Oom, BadnessIsRssPlusAdjInThousandthsOfRam) {
  Task t{};
  k().task_init(&t, "t", 0);
  t.rss = 100;
  const unsigned long total = 16000;
  EXPECT_EQ(oom_badness(&t, total), 100);
  t.oom_score_adj = 500;
  EXPECT_EQ(oom_badness(&t, total), 100 + 500 * 16);
  t.oom_score_adj = -500;
  EXPECT_EQ(oom_badness(&t, total), 100 - 500 * 16);
  t.oom_score_adj = OOM_SCORE_ADJ_MIN;
  EXPECT_EQ(oom_badness(&t, total), OOM_BADNESS_INELIGIBLE);
  t.oom_score_adj = 0;
  t.state = TASK_OOM_VICTIM | TASK_DEAD;
  EXPECT_EQ(oom_badness(&t, total), OOM_BADNESS_INELIGIBLE);
  t.rss = 0;
  k().task_exit(&t);
}

TEST_F(Oom, LargestRssIsKilled) {
  KillCount kc;
  Task* small = m().create_task("small", 0, count_kill, &kc);
  Task* big = m().create_task("big", 0, count_kill, &kc);
  Task* mid = m().create_task("mid", 0, count_kill, &kc);
  charge_until_full(m(), small, 10);
  charge_until_full(m(), big, 100);
  charge_until_full(m(), mid, 50);
  OomControl oc = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc));
  EXPECT_EQ(oc.chosen, big);
  EXPECT_EQ(oc.totalpages, k().totalram_pages());
  EXPECT_EQ(oc.chosen_points, long(100 * 1000 / oc.totalpages));
  EXPECT_TRUE(dead(big));
  EXPECT_TRUE(Machine::task_killed(big));
  EXPECT_FALSE(Machine::task_killed(small) || Machine::task_killed(mid));
  EXPECT_EQ(Machine::task_rss(big), 0u);
  EXPECT_EQ(Machine::task_rss(mid), 50u);
  EXPECT_EQ(kc.calls.load(), 1);
  EXPECT_EQ(kc.last, big);
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 1u);
  // A reaped victim is not chosen again: the next biggest is.
  OomControl oc2 = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc2));
  EXPECT_EQ(oc2.chosen, mid);
  EXPECT_EQ(kc.calls.load(), 2);
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 2u);
  for (Task* t : {small, big, mid}) m().destroy_task(t);
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_F(Oom, OomScoreAdjShiftsTheChoice) {
  // totalpages / 1000 is about 15 on this machine: +500 outweighs 100 pages.
  Task* big = m().create_task("big", 0);
  Task* favoured = m().create_task("favoured", 500);
  charge_until_full(m(), big, 100);
  charge_until_full(m(), favoured, 10);
  OomControl oc = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc));
  EXPECT_EQ(oc.chosen, favoured);
  EXPECT_FALSE(Machine::task_killed(big));
  // A negative adj protects the biggest task.
  Task* protect = m().create_task("protected", -500);
  charge_until_full(m(), protect, 200);
  OomControl oc2 = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc2));
  EXPECT_EQ(oc2.chosen, big);
  for (Task* t : {big, favoured, protect}) m().destroy_task(t);
}

TEST_F(Oom, TiesGoToTheFirstTask) {
  Task* a = m().create_task("a", 0);
  Task* b = m().create_task("b", 0);
  charge_until_full(m(), a, 20);
  charge_until_full(m(), b, 20);
  OomControl oc = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc));
  EXPECT_EQ(oc.chosen, a);
  m().destroy_task(a);
  m().destroy_task(b);
}

TEST_F(Oom, OomScoreAdjMinIsNeverKilled) {
  Task* immune = m().create_task("immune", OOM_SCORE_ADJ_MIN);
  charge_until_full(m(), immune, 1000);
  OomControl oc = oom_control();
  EXPECT_FALSE(k().out_of_memory(oc));
  EXPECT_EQ(oc.chosen, nullptr);
  EXPECT_FALSE(Machine::task_killed(immune));
  EXPECT_EQ(Machine::task_rss(immune), 1000u);
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 0u);
  std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "Out of memory and no killable processes...")) << log;
  // The table lists it anyway, as Linux's dump_tasks does.
  EXPECT_TRUE(contains(log, "         -1000 immune\n")) << log;
  // A task of any other adj, however small, is chosen over it.
  Task* tiny = m().create_task("tiny", 0);
  OomControl oc2 = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc2));
  EXPECT_EQ(oc2.chosen, tiny);
  m().destroy_task(immune);
  m().destroy_task(tiny);
}

TEST_F(Oom, ADyingVictimStopsTheScan) {
  Task* a = m().create_task("a", 0);
  Task* b = m().create_task("b", 0);
  charge_until_full(m(), b, 10);
  a->state = TASK_OOM_VICTIM;  // chosen, not reaped yet
  OomControl oc = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc));
  EXPECT_EQ(oc.chosen, nullptr);
  EXPECT_FALSE(Machine::task_killed(b));
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 0u);
  a->state = 0;
  m().destroy_task(a);
  m().destroy_task(b);
}

// ---- the report -----------------------------------------------------------------

TEST_F(Oom, ReportHasLinuxLayout) {
  Task* victim = m().create_task("hog", 250);
  charge_until_full(m(), victim, 64);
  const int pid = Machine::task_pid(victim);
  Task* caller = m().create_task("caller", -17);
  Machine::attach_task(caller);
  OomControl oc = oom_control(gfp::KERNEL, 2);
  EXPECT_TRUE(k().out_of_memory(oc));
  Machine::detach_task();
  std::string log = m().take_log();
  auto has = [&](const std::string& s) { return log.find(s) != std::string::npos; };
  EXPECT_TRUE(
      has("caller invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=2, "
          "oom_score_adj=-17\n"))
      << log;
  EXPECT_TRUE(has("COMPACTION is disabled!!!\n")) << log;
  EXPECT_TRUE(has("Comm: caller")) << log;
  EXPECT_TRUE(has("Call Trace:\n <TASK>\n")) << log;
  EXPECT_TRUE(has(" out_of_memory+")) << log;
  EXPECT_TRUE(has("Mem-Info:\n")) << log;
  EXPECT_TRUE(
      has("Tasks state (memory values in pages):\n"
          "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
          "pgtables_bytes swapents oom_score_adj name\n"))
      << log;
  char row[160];
  std::snprintf(row, sizeof row,
                "[%7d]     0 %5d       64       64       64        0         0 "
                "       0        0           250 hog\n",
                pid, pid);
  EXPECT_TRUE(has(row)) << row << "\n" << log;
  EXPECT_TRUE(
      has("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
          "global_oom,task_memcg=/,task=hog,pid=" +
          std::to_string(pid) + ",uid=0\n"))
      << log;
  EXPECT_TRUE(has("Out of memory: Killed process " + std::to_string(pid) +
                  " (hog) total-vm:256kB, anon-rss:256kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
                  "pgtables:0kB oom_score_adj:250\n"))
      << log;
  EXPECT_TRUE(has("oom_reaper: reaped process " + std::to_string(pid) +
                  " (hog), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"))
      << log;
  // The summary and the kill line come after the table, as in Linux.
  EXPECT_LT(log.find("Tasks state"), log.find("oom-kill:constraint"));
  EXPECT_LT(log.find("oom-kill:constraint"), log.find("Out of memory: Killed process"));
  EXPECT_LT(log.find("Out of memory: Killed process"), log.find("oom_reaper:"));
  m().destroy_task(victim);
  m().destroy_task(caller);
}

TEST_F(Oom, HeaderIsRateLimitedKillLineIsNot) {
  std::vector<Task*> tasks;
  for (int i = 0; i < 14; ++i) {
    tasks.push_back(m().create_task("t" + std::to_string(i), 0));
    charge_until_full(m(), tasks.back(), 1);
  }
  for (int i = 0; i < 14; ++i) {
    OomControl oc = oom_control();
    ASSERT_TRUE(k().out_of_memory(oc));
  }
  std::string log = m().take_log();
  size_t headers = 0, kills = 0;
  for (size_t p = 0; (p = log.find("invoked oom-killer", p)) != std::string::npos; ++p) ++headers;
  for (size_t p = 0; (p = log.find("Killed process", p)) != std::string::npos; ++p) ++kills;
  EXPECT_EQ(kills, 14u);
  EXPECT_EQ(headers, 10u);  // oom_rs: 10 per 5 s
  for (Task* t : tasks) m().destroy_task(t);
}

// ---- notifiers --------------------------------------------------------------------

struct Recorder {
  NotifierBlock nb{};
  std::vector<int>* order = nullptr;
  int id = 0;
  unsigned long frees = 0;
  int ret = NOTIFY_OK;
};

int record(NotifierBlock* nb, unsigned long action, void* data) {
  auto* r = reinterpret_cast<Recorder*>(nb);
  EXPECT_EQ(action, 0u);
  r->order->push_back(r->id);
  *static_cast<unsigned long*>(data) += r->frees;
  return r->ret;
}

TEST_F(Oom, NotifiersRunByPriorityAndCanStopTheChain) {
  std::vector<int> order;
  Recorder r[4];
  const int prio[4] = {0, 10, -5, 10};
  for (int i = 0; i < 4; ++i) {
    r[i].nb.notifier_call = record;
    r[i].nb.priority = prio[i];
    r[i].order = &order;
    r[i].id = i;
    EXPECT_EQ(k().register_oom_notifier(&r[i].nb), 0);
  }
  EXPECT_EQ(k().register_oom_notifier(&r[0].nb), -EEXIST);
  EXPECT_EQ(k().bug_count(BUG_WARN), 1u);
  OomControl oc = oom_control();
  EXPECT_FALSE(k().out_of_memory(oc));  // nothing freed, nobody to kill
  EXPECT_EQ(order, (std::vector<int>{1, 3, 0, 2}));
  // A stop ends the walk.
  order.clear();
  r[3].ret = NOTIFY_OK | NOTIFY_STOP_MASK;
  k().out_of_memory(oc);
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
  EXPECT_EQ(k().unregister_oom_notifier(&r[3].nb), 0);
  EXPECT_EQ(k().unregister_oom_notifier(&r[3].nb), -ENOENT);
  order.clear();
  k().out_of_memory(oc);
  EXPECT_EQ(order, (std::vector<int>{1, 0, 2}));
  for (int i : {0, 1, 2}) EXPECT_EQ(k().unregister_oom_notifier(&r[i].nb), 0);
}

// A notifier that gives back pages the test held: the OOM killer then kills
// nobody.
struct Balloon {
  NotifierBlock nb{};
  Kernel* k = nullptr;
  std::vector<Page*> pages;
  std::atomic<int> calls{0};
};

int deflate(NotifierBlock* nb, unsigned long, void* data) {
  auto* b = reinterpret_cast<Balloon*>(nb);
  b->calls.fetch_add(1);
  unsigned long n = 0;
  for (int i = 0; i < 64 && !b->pages.empty(); ++i, ++n) {
    b->k->free_pages(b->pages.back(), 0);
    b->pages.pop_back();
  }
  *static_cast<unsigned long*>(data) += n;
  return NOTIFY_OK;
}

TEST_F(Oom, NotifierThatFreesMemoryPreventsTheKill) {
  KillCount kc;
  Task* big = m().create_task("big", 0, count_kill, &kc);
  Balloon b;
  b.k = &k();
  b.nb.notifier_call = deflate;
  for (int i = 0; i < 256; ++i) b.pages.push_back(k().alloc_pages(gfp::KERNEL, 0));
  ASSERT_EQ(k().register_oom_notifier(&b.nb), 0);
  const unsigned long charged = charge_until_full(m(), big);
  ASSERT_GT(charged, 1000u);
  Page* p = nullptr;
  std::thread th([&] { p = k().alloc_pages(gfp::KERNEL, 0); });
  th.join();
  EXPECT_NE(p, nullptr);
  EXPECT_GE(b.calls.load(), 1);
  EXPECT_FALSE(Machine::task_killed(big));
  EXPECT_EQ(Machine::task_rss(big), charged);
  EXPECT_EQ(kc.calls.load(), 0);
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 0u);
  std::string log = m().take_log();
  EXPECT_FALSE(contains(log, "invoked oom-killer")) << log;
  EXPECT_EQ(k().unregister_oom_notifier(&b.nb), 0);
  if (p) k().free_pages(p, 0);
  release(k(), b.pages);
  m().destroy_task(big);
  EXPECT_TRUE(invariants_ok(k()));
}

// ---- end to end: an allocation rescued by the OOM killer ----------------------------

TEST_F(Oom, KernelAllocationKillsTheBiggestTask) {
  KillCount kc;
  Task* small = m().create_task("small", 0, count_kill, &kc);
  Task* big = m().create_task("big", 0, count_kill, &kc);
  ASSERT_EQ(charge_until_full(m(), small, 32), 32u);
  const unsigned long charged = charge_until_full(m(), big);
  ASSERT_GT(charged, k().totalram_pages() * 3 / 4);
  const unsigned long free_before = free_now();
  m().take_log();

  Page* p = nullptr;
  std::thread th([&] { p = k().alloc_pages(gfp::KERNEL, 0); });
  th.join();
  ASSERT_NE(p, nullptr);

  EXPECT_TRUE(dead(big));
  EXPECT_TRUE(Machine::task_killed(big));
  EXPECT_EQ(Machine::task_rss(big), 0u);
  EXPECT_FALSE(Machine::task_killed(small));
  EXPECT_EQ(Machine::task_rss(small), 32u);
  EXPECT_EQ(kc.calls.load(), 1);
  EXPECT_EQ(kc.last, big);
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 1u);
  EXPECT_GE(free_now() + 1, free_before + charged);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0")) << log;
  const std::string killed =
      "Out of memory: Killed process " + std::to_string(Machine::task_pid(big)) + " (big)";
  EXPECT_TRUE(contains(log, killed.c_str())) << log;
  EXPECT_FALSE(contains(log, "page allocation failure")) << log;

  k().free_pages(p, 0);
  m().destroy_task(big);
  m().destroy_task(small);
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_TRUE(invariants_ok(k()));
}

TEST_F(Oom, NoTaskToKillFailsTheAllocation) {
  std::vector<Page*> held = fill(k(), kFill);
  m().take_log();
  Page* p = reinterpret_cast<Page*>(1);
  std::thread th([&] { p = k().alloc_pages(gfp::KERNEL, 0); });
  th.join();
  EXPECT_EQ(p, nullptr);
  const std::string log = m().take_log();
  EXPECT_TRUE(contains(log, "invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0")) << log;
  EXPECT_TRUE(contains(log, "Out of memory and no killable processes...")) << log;
  EXPECT_TRUE(contains(log, "page allocation failure")) << log;
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 0u);
  release(k(), held);
  EXPECT_TRUE(invariants_ok(k()));
}

// A thread running as the killed task may dig into the OOM reserve (half of
// min) that other threads' allocations may not touch.
TEST_F(Oom, VictimThreadGetsTheOomReserve) {
  Task* victim = m().create_task("victim", 0);
  charge_until_full(m(), victim, 16);
  OomControl oc = oom_control();
  ASSERT_TRUE(k().out_of_memory(oc));
  ASSERT_EQ(oc.chosen, victim);
  std::vector<Page*> held = fill(k(), gfp::NOWAIT);
  constexpr gfp_t kTry = gfp::KERNEL | gfp::NORETRY | gfp::NOWARN;
  Page* other = reinterpret_cast<Page*>(1);
  std::thread t1([&] { other = k().alloc_pages(kTry, 0); });
  t1.join();
  EXPECT_EQ(other, nullptr);
  Page* mine = nullptr;
  std::thread t2([&] {
    Machine::attach_task(victim);
    mine = k().alloc_pages(kTry, 0);
    Machine::detach_task();
  });
  t2.join();
  EXPECT_NE(mine, nullptr);
  if (mine) k().free_pages(mine, 0);
  release(k(), held);
  m().destroy_task(victim);
}

// ---- races and re-entry ------------------------------------------------------------

// A thread gives its pages back while the OOM killer reaps them: every block
// is freed exactly once.
TEST_F(Oom, UnchargeRacingWithTheReaperFreesEachBlockOnce) {
  const unsigned long before = free_now();
  for (int round = 0; round < 4; ++round) {
    Task* t = m().create_task("racer", 0);
    std::vector<Page*> pages;
    for (int i = 0; i < 2000; ++i) pages.push_back(m().task_alloc_pages(t, gfp::KERNEL, 0));
    std::atomic<bool> go{false};
    std::thread freer([&] {
      while (!go.load()) std::this_thread::yield();
      for (Page* p : pages) m().task_free_pages(t, p, 0);
    });
    go = true;
    for (int i = 0; i < 200 * round; ++i) std::this_thread::yield();
    OomControl oc = oom_control();
    k().out_of_memory(oc);
    freer.join();
    m().destroy_task(t);
  }
  EXPECT_EQ(free_now(), before);
  EXPECT_EQ(k().bug_count(BUG_BAD_PAGE), 0u);
  EXPECT_EQ(k().bug_count(BUG_BAD_FREE), 0u);
  EXPECT_EQ(k().bug_count(BUG_WARN), 0u);
  EXPECT_TRUE(invariants_ok(k()));
}

// on_kill and the notifiers run under the OOM lock; the task and notifier
// calls they make must not deadlock on it.
struct Reentry {
  Machine* m;
  Task* other;
  Task* created = nullptr;
};

TEST_F(Oom, KillCallbackMayDestroyAndCreateTasks) {
  Reentry r{&m(), m().create_task("bystander", 0)};
  Task* t = m().create_task(
      "self-destruct", 0,
      [](Task* task, void* arg) {
        auto* re = static_cast<Reentry*>(arg);
        re->m->destroy_task(task);
        re->m->destroy_task(re->other);
        re->created = re->m->create_task("respawned", OOM_SCORE_ADJ_MIN);
      },
      &r);
  charge_until_full(m(), t, 8);
  OomControl oc = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc));
  ASSERT_NE(r.created, nullptr);
  // Both gone from the task list, the new one immune: nothing to kill.
  OomControl oc2 = oom_control();
  EXPECT_FALSE(k().out_of_memory(oc2));
  m().destroy_task(r.created);
  EXPECT_TRUE(invariants_ok(k()));
}

struct OneShot {
  NotifierBlock nb{};
  Machine* m = nullptr;
  Task* task = nullptr;
  int calls = 0;
};

int one_shot(NotifierBlock* nb, unsigned long, void* data) {
  auto* o = reinterpret_cast<OneShot*>(nb);
  ++o->calls;
  // Ends its task itself (its pages count as freed) and leaves the chain.
  *static_cast<unsigned long*>(data) += Machine::task_rss(o->task);
  o->m->destroy_task(o->task);
  EXPECT_EQ(o->m->kernel().unregister_oom_notifier(nb), 0);
  return NOTIFY_OK;
}

TEST_F(Oom, NotifierMayExitATaskAndUnregisterItself) {
  OneShot o;
  o.nb.notifier_call = one_shot;
  o.m = &m();
  o.task = m().create_task("cache", 0);
  charge_until_full(m(), o.task, 32);
  ASSERT_EQ(k().register_oom_notifier(&o.nb), 0);
  OomControl oc = oom_control();
  EXPECT_TRUE(k().out_of_memory(oc));
  EXPECT_EQ(o.calls, 1);
  EXPECT_EQ(k().sum_vm_event(OOM_KILL), 0u);
  OomControl oc2 = oom_control();
  EXPECT_FALSE(k().out_of_memory(oc2));
  EXPECT_EQ(o.calls, 1);
  EXPECT_TRUE(invariants_ok(k()));
}

// ---- panic_on_oom ------------------------------------------------------------------

void oom_with_panic(const char* cmdline) {
  Machine m(cmdline);
  m.set_console_echo(true);
  Task* t = m.create_task("victim", 0);
  m.task_alloc_pages(t, gfp::KERNEL, 0);
  OomControl oc = oom_control();
  m.kernel().out_of_memory(oc);
}

TEST(OomDeath, PanicOnOomPanicsInsteadOfKilling) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(oom_with_panic("mem=64M cpus=2 panic_on_oom=1"),
               "invoked oom-killer.*Kernel panic - not syncing: Out of memory: system-wide "
               "panic_on_oom is enabled");
  EXPECT_DEATH(oom_with_panic("mem=64M cpus=2 panic_on_oom=2"),
               "Out of memory: compulsory panic_on_oom is enabled");
}

}  // namespace
}  // namespace kmem_test
