// SPDX-License-Identifier: MIT
// mempool (mm/mempool.c, Linux 6.18): a reserve of pre-allocated elements
// that keeps an allocation path making progress when the backing allocator
// cannot. See mempool.h for the API and the lock rules: pool->lock (a
// spinlock_t taken irqsave) guards the reserve and is never held across an
// alloc/free callback or a sleep.
//
// Not modelled: element poisoning under CONFIG_SLUB_DEBUG_ON, KASAN hooks,
// kmemleak's trace update.
#include "mempool/mempool.h"

#include <new>

#include "base/format.h"
#include "base/string.h"
#include "kernel.h"

namespace kmem {

namespace {

// The machine whose pool is calling an alloc/free callback on this thread:
// how mempool_kmalloc() and friends, which get only (gfp, pool_data) as in
// Linux, find their machine. Saved and restored, so callbacks may nest.
__thread Kernel* t_callback_kernel = nullptr;

class CallbackScope {
 public:
  explicit CallbackScope(Kernel* k) : saved_(t_callback_kernel) { t_callback_kernel = k; }
  ~CallbackScope() { t_callback_kernel = saved_; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  Kernel* saved_;
};

void* call_alloc(Mempool* pool, gfp_t gfp) {
  CallbackScope scope(pool->kernel);
  return pool->alloc(gfp, pool->pool_data);
}

void call_free(Mempool* pool, void* element) {
  CallbackScope scope(pool->kernel);
  pool->free(element, pool->pool_data);
}

// curr_nr and min_nr change under the lock and are read without it by
// mempool_free() (READ_ONCE in Linux): atomic accesses on both sides.
int read_curr_nr(const Mempool* pool) { return __atomic_load_n(&pool->curr_nr, __ATOMIC_RELAXED); }
void write_curr_nr(Mempool* pool, int v) { __atomic_store_n(&pool->curr_nr, v, __ATOMIC_RELAXED); }
int read_min_nr(const Mempool* pool) { return __atomic_load_n(&pool->min_nr, __ATOMIC_RELAXED); }
void write_min_nr(Mempool* pool, int v) { __atomic_store_n(&pool->min_nr, v, __ATOMIC_RELAXED); }

// WARN report in Linux's shape ("WARNING: ... at FILE:LINE FUNC"), with an
// optional message line.
void warn(Kernel& k, const char* where, const char* fn, const char* fmt, ...) KMEM_PRINTF(4, 5);
void warn(Kernel& k, const char* where, const char* fn, const char* fmt, ...) {
  char text[512];
  size_t n = format(text, sizeof text,
                    "------------[ cut here ]------------\n"
                    "WARNING: CPU: %u PID: %d at %s %s+0x0/0x0\n",
                    k.current_cpu(), k.current_pid(), where, fn);
  if (fmt != nullptr && n < sizeof text) {
    va_list ap;
    va_start(ap, fmt);
    n += vformat(text + n, sizeof text - n, fmt, ap);
    va_end(ap);
  }
  if (n >= sizeof text) n = sizeof text - 1;
  k.report_bug(BUG_WARN, text, n);
}

// BUG_ON() in mempool code: reported ("kernel BUG at"), never fatal here.
void bug(Kernel& k, const char* where, const char* why) {
  char text[256];
  size_t n = format(text, sizeof text,
                    "------------[ cut here ]------------\n"
                    "kernel BUG at %s!\n"
                    "CPU: %u PID: %d Comm: kmem (%s)\n",
                    where, k.current_cpu(), k.current_pid(), why);
  if (n >= sizeof text) n = sizeof text - 1;
  k.report_bug(BUG_WARN, text, n);
}

// Pushes element on the reserve. The caller holds the lock and has checked
// that there is room (curr_nr < max(1, min_nr)).
void add_element(Mempool* pool, void* element) {
  int nr = pool->curr_nr;
  pool->elements[nr] = element;
  write_curr_nr(pool, nr + 1);
}

// Pops the reserve's top element; the caller holds the lock, curr_nr > 0.
void* remove_element(Mempool* pool) {
  int nr = pool->curr_nr - 1;
  void* element = pool->elements[nr];
  write_curr_nr(pool, nr);
  return element;
}

// kmalloc_array(n, sizeof(void*)) with the overflow check.
void** alloc_element_array(Kernel& k, int n, gfp_t gfp, int nid) {
  if (n <= 0 || size_t(n) > ~size_t(0) / sizeof(void*)) return nullptr;
  return static_cast<void**>(k.kmalloc_node(size_t(n) * sizeof(void*), gfp, nid));
}

void count_out(Mempool* pool) { pool->outstanding.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

Kernel* mempool_callback_kernel() { return t_callback_kernel; }

// ---- creation and teardown ------------------------------------------------------------------

int mempool_init_node(Kernel& k, Mempool* pool, int min_nr, mempool_alloc_t* alloc_fn,
                      mempool_free_t* free_fn, void* pool_data, gfp_t gfp, int nid) {
  ::new (pool) Mempool();
  pool->min_nr = min_nr;
  pool->curr_nr = 0;
  pool->pool_data = pool_data;
  pool->alloc = alloc_fn;
  pool->free = free_fn;
  pool->kernel = &k;
  // A zero-minimum pool still gets one slot and keeps one element (Linux's
  // 2025 fix): otherwise mempool_free() would never refill it and a sleeper
  // in mempool_alloc() would only ever be woken by its timeout.
  const int slots = min_nr > 1 ? min_nr : 1;
  pool->elements = alloc_element_array(k, slots, gfp, nid);
  if (pool->elements == nullptr) return -MEMPOOL_ENOMEM;
  while (pool->curr_nr < slots) {
    void* element = call_alloc(pool, gfp);
    if (element == nullptr) {
      mempool_exit(pool);
      return -MEMPOOL_ENOMEM;
    }
    add_element(pool, element);
  }
  return 0;
}

int mempool_init(Kernel& k, Mempool* pool, int min_nr, mempool_alloc_t* alloc_fn,
                 mempool_free_t* free_fn, void* pool_data) {
  return mempool_init_node(k, pool, min_nr, alloc_fn, free_fn, pool_data, gfp::KERNEL,
                           NUMA_NO_NODE);
}

void mempool_exit(Mempool* pool) {
  Kernel* k = pool->kernel;
  if (k == nullptr) return;  // zero-filled, never initialised
  long out = pool->outstanding.load(std::memory_order_relaxed);
  if (out > 0 && pool->elements != nullptr) {
    warn(*k, "mm/mempool.c:0", "mempool_exit",
         "mempool %p: %ld element(s) still allocated from the pool\n", static_cast<void*>(pool),
         out);
  }
  while (pool->curr_nr > 0) call_free(pool, remove_element(pool));
  k->kfree(pool->elements);
  pool->elements = nullptr;
}

Mempool* mempool_create_node(Kernel& k, int min_nr, mempool_alloc_t* alloc_fn,
                             mempool_free_t* free_fn, void* pool_data, gfp_t gfp, int nid) {
  void* mem = k.kmalloc_node(sizeof(Mempool), gfp | gfp::ZERO, nid);
  if (mem == nullptr) return nullptr;
  auto* pool = static_cast<Mempool*>(mem);
  if (mempool_init_node(k, pool, min_nr, alloc_fn, free_fn, pool_data, gfp, nid) != 0) {
    k.kfree(pool);
    return nullptr;
  }
  return pool;
}

Mempool* mempool_create(Kernel& k, int min_nr, mempool_alloc_t* alloc_fn, mempool_free_t* free_fn,
                        void* pool_data) {
  return mempool_create_node(k, min_nr, alloc_fn, free_fn, pool_data, gfp::KERNEL, NUMA_NO_NODE);
}

void mempool_destroy(Mempool* pool) {
  if (pool == nullptr) return;
  Kernel* k = pool->kernel;
  mempool_exit(pool);
  if (k != nullptr) k->kfree(pool);
}

// ---- resizing -------------------------------------------------------------------------------

int mempool_resize(Mempool* pool, int new_min_nr) {
  Kernel& k = *pool->kernel;
  if (new_min_nr <= 0) {
    bug(k, "mm/mempool.c:0", "mempool_resize: new_min_nr <= 0");
    return -MEMPOOL_EINVAL;
  }
  k.might_sleep("mm/mempool.c", 0);

  unsigned long flags = spin_lock_irqsave(&pool->lock);
  if (new_min_nr <= pool->min_nr) {
    // Shrink: free what the smaller reserve does not keep, the lock dropped
    // around each free callback.
    while (new_min_nr < pool->curr_nr) {
      void* element = remove_element(pool);
      spin_unlock_irqrestore(&pool->lock, flags);
      call_free(pool, element);
      flags = spin_lock_irqsave(&pool->lock);
    }
    write_min_nr(pool, new_min_nr);
    spin_unlock_irqrestore(&pool->lock, flags);
    return 0;
  }
  spin_unlock_irqrestore(&pool->lock, flags);

  // Grow: a bigger element array first (may sleep), then refill.
  void** new_elements = alloc_element_array(k, new_min_nr, gfp::KERNEL, NUMA_NO_NODE);
  if (new_elements == nullptr) return -MEMPOOL_ENOMEM;

  flags = spin_lock_irqsave(&pool->lock);
  if (new_min_nr <= pool->min_nr) {
    // A concurrent resize got there first and did the work.
    spin_unlock_irqrestore(&pool->lock, flags);
    k.kfree(new_elements);
    return 0;
  }
  mem_copy(new_elements, pool->elements, size_t(pool->curr_nr) * sizeof(void*));
  void** old = pool->elements;
  pool->elements = new_elements;
  write_min_nr(pool, new_min_nr);
  spin_unlock_irqrestore(&pool->lock, flags);
  k.kfree(old);

  for (;;) {
    flags = spin_lock_irqsave(&pool->lock);
    bool room = pool->curr_nr < pool->min_nr;
    spin_unlock_irqrestore(&pool->lock, flags);
    if (!room) break;
    void* element = call_alloc(pool, gfp::KERNEL);
    if (element == nullptr) break;  // later frees refill it
    flags = spin_lock_irqsave(&pool->lock);
    if (pool->curr_nr < pool->min_nr) {
      add_element(pool, element);
      spin_unlock_irqrestore(&pool->lock, flags);
    } else {
      spin_unlock_irqrestore(&pool->lock, flags);
      call_free(pool, element);  // raced with frees that filled it
      break;
    }
  }
  return 0;
}

// ---- allocation and free ------------------------------------------------------------------

void* mempool_alloc(Mempool* pool, gfp_t gfp) {
  Kernel& k = *pool->kernel;
  if (__builtin_expect(gfp & gfp::ZERO, 0) &&
      pool->warned.fetch_or(1, std::memory_order_relaxed) == 0) {
    // VM_WARN_ON_ONCE: reserved elements are not zeroed (once per pool here).
    warn(k, "mm/mempool.c:0", "mempool_alloc_noprof", nullptr);
  }
  if (gfpflags_allow_blocking(gfp)) k.might_sleep("include/linux/sched/mm.h", 321);

  gfp |= gfp::NOMEMALLOC;  // the reserve is the pool's, not the emergency reserves
  gfp |= gfp::NORETRY;     // no looping in the page allocator: the pool is the fallback
  gfp |= gfp::NOWARN;      // failures are expected
  // First round: no direct reclaim and no I/O, so that a pool with elements
  // in reserve answers quickly under pressure.
  gfp_t gfp_temp = gfp & ~(gfp::DIRECT_RECLAIM | gfp::IO);

  for (;;) {
    void* element = call_alloc(pool, gfp_temp);
    if (__builtin_expect(element != nullptr, 1)) {
      count_out(pool);
      return element;
    }

    unsigned long flags = spin_lock_irqsave(&pool->lock);
    if (__builtin_expect(pool->curr_nr > 0, 1)) {
      element = remove_element(pool);
      spin_unlock_irqrestore(&pool->lock, flags);
      // Pairs with the acquire fence in mempool_free() (see there).
      std::atomic_thread_fence(std::memory_order_release);
      count_out(pool);
      return element;
    }

    // The reserve is empty: retry the allocator at once with the full mask.
    if (gfp_temp != gfp) {
      spin_unlock_irqrestore(&pool->lock, flags);
      gfp_temp = gfp;
      continue;
    }

    // No sleeping without __GFP_DIRECT_RECLAIM.
    if (!(gfp & gfp::DIRECT_RECLAIM)) {
      spin_unlock_irqrestore(&pool->lock, flags);
      return nullptr;
    }

    // Wait for mempool_free() to return an element. Registering under the
    // lock means a free that refills the reserve after we unlock sees us
    // waiting and wakes us. io_schedule_timeout(5 * HZ): the timeout is
    // Linux's (a workaround from 2.6.18) and re-polls the allocator.
    u32 seen = k.prepare_to_wait(pool->wait);
    spin_unlock_irqrestore(&pool->lock, flags);
    k.wait_event(pool->wait, seen, 5ULL * 1000 * 1000 * 1000);
    k.finish_wait(pool->wait);
  }
}

void* mempool_alloc_preallocated(Mempool* pool) {
  unsigned long flags = spin_lock_irqsave(&pool->lock);
  if (__builtin_expect(pool->curr_nr > 0, 1)) {
    void* element = remove_element(pool);
    spin_unlock_irqrestore(&pool->lock, flags);
    std::atomic_thread_fence(std::memory_order_release);  // as in mempool_alloc()
    count_out(pool);
    return element;
  }
  spin_unlock_irqrestore(&pool->lock, flags);
  return nullptr;
}

void mempool_free(void* element, Mempool* pool) {
  if (__builtin_expect(element == nullptr, 0)) return;
  pool->outstanding.fetch_sub(1, std::memory_order_relaxed);

  // Ordering. The unlocked curr_nr test below must see a value from after
  // the allocation of element: if element reached this thread without a
  // barrier (another thread spinning until a shared pointer became
  // non-null, say), a stale curr_nr from before the allocation could make
  // us free an element the reserve needs. The release fence after taking
  // from the reserve in mempool_alloc() and this acquire fence pair up for
  // that case.
  std::atomic_thread_fence(std::memory_order_acquire);

  // Why an unlocked test is enough: any task that took the reserve below
  // min_nr is guaranteed to see curr_nr < min_nr here unless the reserve
  // was refilled to min_nr since -- in which case later allocations carry
  // the same guarantee. Sleepers exist only while curr_nr is 0, so some
  // free will refill and wake them.
  const int curr = read_curr_nr(pool);
  const int min_nr = read_min_nr(pool);
  if (__builtin_expect(curr < min_nr, 0)) {
    unsigned long flags = spin_lock_irqsave(&pool->lock);
    if (__builtin_expect(pool->curr_nr < pool->min_nr, 1)) {
      add_element(pool, element);
      spin_unlock_irqrestore(&pool->lock, flags);
      pool->kernel->wake_up_all(pool->wait);
      return;
    }
    spin_unlock_irqrestore(&pool->lock, flags);
  } else if (__builtin_expect(min_nr == 0 && curr == 0, 0)) {
    // A zero-minimum pool: curr_nr < min_nr never holds, so refill its one
    // slot here, or its sleepers would never be woken by a free.
    unsigned long flags = spin_lock_irqsave(&pool->lock);
    if (__builtin_expect(pool->curr_nr == 0, 1)) {
      add_element(pool, element);
      spin_unlock_irqrestore(&pool->lock, flags);
      pool->kernel->wake_up_all(pool->wait);
      return;
    }
    spin_unlock_irqrestore(&pool->lock, flags);
  }
  call_free(pool, element);
}

// ---- the usual callbacks ------------------------------------------------------------------

void* mempool_alloc_slab(gfp_t gfp, void* pool_data) {
  auto* s = static_cast<KmemCache*>(pool_data);
  return s->kernel->kmem_cache_alloc(s, gfp);
}

void mempool_free_slab(void* element, void* pool_data) {
  auto* s = static_cast<KmemCache*>(pool_data);
  s->kernel->kmem_cache_free(s, element);
}

void* mempool_kmalloc(gfp_t gfp, void* pool_data) {
  Kernel* k = t_callback_kernel;
  if (k == nullptr) return nullptr;
  return k->kmalloc(reinterpret_cast<size_t>(pool_data), gfp);
}

void mempool_kfree(void* element, void* /*pool_data*/) {
  Kernel* k = t_callback_kernel;
  if (k != nullptr) k->kfree(element);
}

void* mempool_alloc_pages(gfp_t gfp, void* pool_data) {
  Kernel* k = t_callback_kernel;
  if (k == nullptr) return nullptr;
  return k->alloc_pages(gfp, unsigned(reinterpret_cast<uintptr_t>(pool_data)));
}

void mempool_free_pages(void* element, void* pool_data) {
  Kernel* k = t_callback_kernel;
  if (k != nullptr)
    k->free_pages(static_cast<Page*>(element), unsigned(reinterpret_cast<uintptr_t>(pool_data)));
}

Mempool* mempool_create_slab_pool(Kernel& k, int min_nr, KmemCache* cache) {
  return mempool_create(k, min_nr, mempool_alloc_slab, mempool_free_slab, cache);
}

Mempool* mempool_create_kmalloc_pool(Kernel& k, int min_nr, size_t size) {
  return mempool_create(k, min_nr, mempool_kmalloc, mempool_kfree, reinterpret_cast<void*>(size));
}

Mempool* mempool_create_page_pool(Kernel& k, int min_nr, unsigned order) {
  return mempool_create(k, min_nr, mempool_alloc_pages, mempool_free_pages,
                        reinterpret_cast<void*>(uintptr_t(order)));
}

int mempool_init_slab_pool(Kernel& k, Mempool* pool, int min_nr, KmemCache* cache) {
  return mempool_init(k, pool, min_nr, mempool_alloc_slab, mempool_free_slab, cache);
}

int mempool_init_kmalloc_pool(Kernel& k, Mempool* pool, int min_nr, size_t size) {
  return mempool_init(k, pool, min_nr, mempool_kmalloc, mempool_kfree,
                      reinterpret_cast<void*>(size));
}

int mempool_init_page_pool(Kernel& k, Mempool* pool, int min_nr, unsigned order) {
  return mempool_init(k, pool, min_nr, mempool_alloc_pages, mempool_free_pages,
                      reinterpret_cast<void*>(uintptr_t(order)));
}

}  // namespace kmem
