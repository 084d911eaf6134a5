// SPDX-License-Identifier: MIT
// Readers and writers at once, with a fixed seed: readers dereference
// RCU-protected pointers (plain, nested, _bh, from a hardirq handler, on
// threads that own their CPU slot and on threads that share one) while
// writers replace the objects and retire the old ones through call_rcu()
// (which poisons them and puts them back in a pool for reuse),
// synchronize_rcu() or kfree_rcu. A reader that ever sees a poisoned or torn
// object has caught a grace period that ended too early; under
// ThreadSanitizer the plain accesses also show any missing ordering.
// RCU_STRESS_NO_KMALLOC=1 leaves kfree_rcu (and so the slab layer) out.
#include <cstdlib>
#include <mutex>
#include <vector>

#include "rcu_helpers.h"

namespace kmem_test {
namespace {

using Stress = RcuTest;

constexpr u64 kLive = 0x4c6976654f626a21ull;    // "LiveObj!"
constexpr u64 kPoison = 0x6b6b6b6b6b6b6b6bull;  // POISON_FREE
#ifdef KMEM_SANITIZED
constexpr int kWritesPerWriter = 1500;
#else
constexpr int kWritesPerWriter = 15000;
#endif
constexpr int kSlots = 8;
constexpr int kReaders = 6;
constexpr int kWriters = 2;
constexpr size_t kPoolSize = 2048;

struct Node;

struct World {
  Kernel* k;
  std::atomic<Node*> slot[kSlots];
  std::mutex pool_mu;
  std::vector<Node*> pool;
  std::atomic<u64> errors{0};
  std::atomic<u64> reads{0};
  std::atomic<bool> stop{false};
};

struct Node {
  u64 magic;
  u64 value;
  u64 check;  // ~value
  bool from_kmalloc;
  World* world;
  RcuHead rh;
};

// 32-bit xorshift, seeded per thread.
struct Rng {
  u32 s;
  u32 next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
};

void poison_and_recycle(RcuHead* h) {
  Node* n = reinterpret_cast<Node*>(reinterpret_cast<char*>(h) - offsetof(Node, rh));
  n->magic = kPoison;
  n->value = kPoison;
  n->check = kPoison;
  World* w = n->world;
  std::lock_guard<std::mutex> g(w->pool_mu);
  w->pool.push_back(n);
}

Node* pool_get(World& w) {
  for (;;) {
    {
      std::lock_guard<std::mutex> g(w.pool_mu);
      if (!w.pool.empty()) {
        Node* n = w.pool.back();
        w.pool.pop_back();
        return n;
      }
    }
    w.k->rcu_barrier();  // everything retired comes back
  }
}

// One read of a random slot: the object must be live and consistent for the
// whole section.
void read_one(World& w, Rng& rng) {
  Node* n = w.slot[rng.next() % kSlots].load(std::memory_order_acquire);
  const int rounds = 1 + int(rng.next() % 16);
  for (int i = 0; i < rounds; ++i) {
    if (n->magic != kLive || n->check != ~n->value) w.errors.fetch_add(1);
  }
  w.reads.fetch_add(1, std::memory_order_relaxed);
}

int irq_reader(int, void* dev) {
  auto* w = static_cast<World*>(dev);
  static thread_local Rng rng{0x1234567u};
  w->k->rcu_read_lock();
  read_one(*w, rng);
  w->k->rcu_read_unlock();
  return IRQ_HANDLED;
}

void reader(World& w, int id) {
  Kernel& k = *w.k;
  Machine::bind_current_thread(unsigned(id % 4));  // readers 4 and 5 share a slot
  Rng rng{0x9e3779b9u * u32(id + 1)};
  const unsigned irq = 40 + unsigned(id);
  EXPECT_EQ(k.request_irq(irq, irq_reader, 0, "rcu-stress", &w), 0);
  while (!w.stop.load(std::memory_order_relaxed)) {
    switch (rng.next() % 8) {
      case 0:  // nested
        k.rcu_read_lock();
        read_one(w, rng);
        k.rcu_read_lock();
        read_one(w, rng);
        k.rcu_read_unlock();
        read_one(w, rng);
        k.rcu_read_unlock();
        break;
      case 1:
        k.rcu_read_lock_bh();
        read_one(w, rng);
        k.rcu_read_unlock_bh();
        break;
      case 2:
        k.rcu_read_lock_sched();
        read_one(w, rng);
        k.rcu_read_unlock_sched();
        break;
      case 3:  // an interrupt arriving inside a section, reading too
        k.rcu_read_lock();
        read_one(w, rng);
        k.generic_handle_irq(irq);
        read_one(w, rng);
        k.rcu_read_unlock();
        break;
      case 4: k.generic_handle_irq(irq); break;
      default:
        k.rcu_read_lock();
        read_one(w, rng);
        k.rcu_read_unlock();
    }
  }
  k.free_irq(irq, &w);
}

bool use_kmalloc() {
  static const bool off = std::getenv("RCU_STRESS_NO_KMALLOC") != nullptr;
  return !off;
}

void writer(World& w, int id) {
  Kernel& k = *w.k;
  Rng rng{0x5eed0000u + u32(id)};
  for (int i = 0; i < kWritesPerWriter; ++i) {
    const u32 r = rng.next();
    Node* n = nullptr;
    if (r % 8 == 0 && use_kmalloc()) {
      n = static_cast<Node*>(k.kmalloc(sizeof(Node), gfp::KERNEL));
      if (n) n->from_kmalloc = true;
    }
    if (n == nullptr) {
      n = pool_get(w);
      n->from_kmalloc = false;
    }
    n->world = &w;
    n->value = (u64(r) << 32) | u64(i);
    n->check = ~n->value;
    n->magic = kLive;
    Node* old = w.slot[(r >> 8) % kSlots].exchange(n, std::memory_order_acq_rel);
    if (old->from_kmalloc) {
      k.kvfree_call_rcu(&old->rh, old);
    } else if ((r >> 16) % 32 == 0) {
      k.synchronize_rcu();
      poison_and_recycle(&old->rh);
    } else {
      k.call_rcu(&old->rh, poison_and_recycle);
    }
  }
}

TEST_F(Stress, ReadersNeverSeeAFreedObject) {
  Machine m(kRcuMachine);
  Kernel& k = m.kernel();
  World w;
  w.k = &k;
  std::vector<Node> storage(kPoolSize + kSlots);
  for (size_t i = 0; i < kPoolSize; ++i) {
    storage[i].magic = kPoison;
    w.pool.push_back(&storage[i]);
  }
  for (int s = 0; s < kSlots; ++s) {
    Node& n = storage[kPoolSize + size_t(s)];
    n = Node{kLive, u64(s), ~u64(s), false, &w, {nullptr, nullptr}};
    w.slot[s].store(&n);
  }
  const RcuStats before = k.rcu_stats();
  std::vector<std::thread> readers, writers;
  for (int i = 0; i < kReaders; ++i) readers.emplace_back(reader, std::ref(w), i);
  for (int i = 0; i < kWriters; ++i) writers.emplace_back(writer, std::ref(w), i);
  for (auto& t : writers) t.join();
  w.stop.store(true);
  for (auto& t : readers) t.join();
  // Retire what is left, then everything is back.
  for (int s = 0; s < kSlots; ++s) {
    Node* n = w.slot[s].exchange(nullptr);
    if (n->from_kmalloc) k.kvfree_call_rcu(&n->rh, n);
    else k.call_rcu(&n->rh, poison_and_recycle);
  }
  k.rcu_barrier();
  const RcuStats after = k.rcu_stats();
  EXPECT_EQ(w.errors.load(), 0u) << "a reader saw a freed object";
  EXPECT_GT(w.reads.load(), 1000u);
  EXPECT_EQ(after.cbs_outstanding, 0u);
  EXPECT_EQ(after.cbs_invoked - before.cbs_invoked, after.cbs_queued - before.cbs_queued);
  EXPECT_GT(after.gp_completed, before.gp_completed);
  if (use_kmalloc()) {
    EXPECT_GT(after.kvfree_invoked, before.kvfree_invoked);
  }
  EXPECT_LT(after.gp_completed - before.gp_completed, after.cbs_queued - before.cbs_queued)
      << "callbacks were not batched";
  EXPECT_EQ(w.pool.size(), kPoolSize + size_t(kSlots)) << "pool nodes lost";
  EXPECT_EQ(k.bug_count(BUG_WARN) + k.bug_count(BUG_ATOMIC_SLEEP) + k.bug_count(BUG_BAD_FREE), 0u)
      << m.take_log();
  char msg[256];
  EXPECT_TRUE(k.check_invariants(msg, sizeof msg)) << msg;
}

}  // namespace
}  // namespace kmem_test
