// SPDX-License-Identifier: MIT
// kmem/context.hpp: the C++ API of execution contexts, forwarding to the
// core's per-thread context (context/context.h, irq.h, sync.h).
//
// The public functions have the core's names (kmem::preempt_disable() is
// both an inline helper of the core and, in the inline namespace kmem::api,
// the exported function). A translation unit that sees both cannot name
// the core's unambiguously once the public header is in, so the core's are
// captured first, below, under other names: a function body binds the
// names it calls where it is defined.
#include <cstddef>
#include <new>
#include <type_traits>

#include "base/format.h"
#include "context/context.h"
#include "context/irq.h"
#include "context/sync.h"
#include "kernel.h"

namespace kmem::core_ctx {
inline void preempt_disable() { kmem::preempt_disable(); }
inline void preempt_enable() { kmem::preempt_enable(); }
inline u32 preempt_count() { return kmem::preempt_count(); }
inline bool in_nmi() { return kmem::in_nmi(); }
inline bool in_hardirq() { return kmem::in_hardirq(); }
inline bool in_softirq() { return kmem::in_softirq(); }
inline bool in_serving_softirq() { return kmem::in_serving_softirq(); }
inline bool in_interrupt() { return kmem::in_interrupt(); }
inline bool in_task() { return kmem::in_task(); }
inline bool in_atomic() { return kmem::in_atomic(); }
inline bool irqs_disabled() { return kmem::irqs_disabled(); }
inline bool atomic_context() { return kmem::atomic_context(); }
inline void local_irq_disable() { kmem::local_irq_disable(); }
inline void local_irq_enable() { kmem::local_irq_enable(); }
inline unsigned long local_irq_save() { return kmem::local_irq_save(); }
inline void local_irq_restore(unsigned long f) { kmem::local_irq_restore(f); }
inline void local_bh_disable() { kmem::local_bh_disable(); }
inline void local_bh_enable() { kmem::local_bh_enable(); }
inline void irq_enter() { kmem::irq_enter(); }
inline void irq_exit() { kmem::irq_exit(); }
inline void nmi_enter() { kmem::nmi_enter(); }
inline void nmi_exit() { kmem::nmi_exit(); }
inline unsigned memalloc_nofs_save() { return kmem::memalloc_nofs_save(); }
inline void memalloc_nofs_restore(unsigned f) { kmem::memalloc_nofs_restore(f); }
inline unsigned memalloc_noio_save() { return kmem::memalloc_noio_save(); }
inline void memalloc_noio_restore(unsigned f) { kmem::memalloc_noio_restore(f); }
inline unsigned memalloc_noreclaim_save() { return kmem::memalloc_noreclaim_save(); }
inline void memalloc_noreclaim_restore(unsigned f) { kmem::memalloc_noreclaim_restore(f); }
inline unsigned memalloc_pin_save() { return kmem::memalloc_pin_save(); }
inline void memalloc_pin_restore(unsigned f) { kmem::memalloc_pin_restore(f); }
inline gfp_t current_gfp_context(gfp_t g) { return kmem::current_gfp_context(g); }

// The field of preempt_count that mask selects holds at least val.
inline bool holds(u32 val, u32 mask) { return (kmem::preempt_count() & mask) >= val; }

inline constexpr u32 kPreemptOffset = PREEMPT_OFFSET, kPreemptMask = PREEMPT_MASK;
inline constexpr u32 kSoftirqDisableOffset = SOFTIRQ_DISABLE_OFFSET, kSoftirqMask = SOFTIRQ_MASK;
inline constexpr u32 kHardirqOffset = HARDIRQ_OFFSET, kHardirqMask = HARDIRQ_MASK;
inline constexpr u32 kNmiOffset = NMI_OFFSET, kNmiMask = NMI_MASK;
}  // namespace kmem::core_ctx

#include "kmem/context.hpp"
#include "kmem/machine.hpp"

namespace kmem {

static_assert(sizeof(api::spinlock) == sizeof(KSpinlock) &&
              alignof(api::spinlock) == alignof(KSpinlock));
static_assert(sizeof(Tasklet) == 40 && alignof(Tasklet) <= 8, "tasklet::core_ holds a Tasklet");

namespace {

namespace c = core_ctx;

KSpinlock* spin_of(api::spinlock* l) { return reinterpret_cast<KSpinlock*>(l); }

// api::mutex begins with the library's mutex (its first two members).
struct MutexView {
  std::atomic<unsigned> state;
  std::atomic<int> owner;
};
static_assert(sizeof(MutexView) == sizeof(KMutex) &&
              offsetof(MutexView, state) == offsetof(KMutex, state) &&
              offsetof(MutexView, owner) == offsetof(KMutex, owner));

}  // namespace

inline namespace api {

// ---- preemption and context ----------------------------------------------------------

void preempt_disable() noexcept { c::preempt_disable(); }
void preempt_enable() noexcept {
  if (c::holds(c::kPreemptOffset, c::kPreemptMask)) c::preempt_enable();
}
unsigned preempt_count() noexcept { return c::preempt_count(); }
bool in_nmi() noexcept { return c::in_nmi(); }
bool in_hardirq() noexcept { return c::in_hardirq(); }
bool in_softirq() noexcept { return c::in_softirq(); }
bool in_serving_softirq() noexcept { return c::in_serving_softirq(); }
bool in_interrupt() noexcept { return c::in_interrupt(); }
bool in_task() noexcept { return c::in_task(); }
bool in_atomic() noexcept { return c::in_atomic(); }

// ---- interrupts and bottom halves ----------------------------------------------------

void local_irq_disable() noexcept { c::local_irq_disable(); }
void local_irq_enable() noexcept { c::local_irq_enable(); }
unsigned long local_irq_save() noexcept { return c::local_irq_save(); }
void local_irq_restore(unsigned long flags) noexcept { c::local_irq_restore(flags); }
bool irqs_disabled() noexcept { return c::irqs_disabled(); }
void local_bh_disable() noexcept { c::local_bh_disable(); }
void local_bh_enable() noexcept {
  if (c::holds(c::kSoftirqDisableOffset, c::kSoftirqMask)) c::local_bh_enable();
}
void irq_enter() noexcept { c::irq_enter(); }
void irq_exit() noexcept {
  if (c::holds(c::kHardirqOffset, c::kHardirqMask)) c::irq_exit();
}
void nmi_enter() noexcept { c::nmi_enter(); }
void nmi_exit() noexcept {
  if (c::holds(c::kNmiOffset, c::kNmiMask)) c::nmi_exit();
}

// ---- memory-allocation scopes --------------------------------------------------------

unsigned memalloc_nofs_save() noexcept { return c::memalloc_nofs_save(); }
void memalloc_nofs_restore(unsigned flags) noexcept { c::memalloc_nofs_restore(flags); }
unsigned memalloc_noio_save() noexcept { return c::memalloc_noio_save(); }
void memalloc_noio_restore(unsigned flags) noexcept { c::memalloc_noio_restore(flags); }
unsigned memalloc_noreclaim_save() noexcept { return c::memalloc_noreclaim_save(); }
void memalloc_noreclaim_restore(unsigned flags) noexcept { c::memalloc_noreclaim_restore(flags); }
unsigned memalloc_pin_save() noexcept { return c::memalloc_pin_save(); }
void memalloc_pin_restore(unsigned flags) noexcept { c::memalloc_pin_restore(flags); }
gfp_t current_gfp_context(gfp_t gfp) noexcept { return c::current_gfp_context(gfp); }

// ---- sleeping --------------------------------------------------------------------------

void might_sleep(Machine& m, const char* file, int line) { m.kernel().might_sleep(file, line); }

bool cond_resched(Machine& m, const char* file, int line) {
  m.kernel().might_sleep(file, line);
  if (c::atomic_context()) return false;
  if (g_yield_hook) g_yield_hook();
  return true;
}

// ---- spinlock ----------------------------------------------------------------------------

void spinlock::lock() noexcept { spin_lock(spin_of(this)); }
bool spinlock::try_lock() noexcept { return spin_trylock(spin_of(this)); }
void spinlock::unlock() noexcept {
  if (is_locked()) spin_unlock(spin_of(this));
}
void spinlock::lock_bh() noexcept { spin_lock_bh(spin_of(this)); }
void spinlock::unlock_bh() noexcept {
  if (is_locked()) spin_unlock_bh(spin_of(this));
}
void spinlock::lock_irq() noexcept { spin_lock_irq(spin_of(this)); }
void spinlock::unlock_irq() noexcept {
  if (is_locked()) spin_unlock_irq(spin_of(this));
}
unsigned long spinlock::lock_irqsave() noexcept { return spin_lock_irqsave(spin_of(this)); }
void spinlock::unlock_irqrestore(unsigned long flags) noexcept {
  if (is_locked()) spin_unlock_irqrestore(spin_of(this), flags);
}

// ---- mutex ---------------------------------------------------------------------------------

namespace {
KMutex* mutex_of(api::mutex* m) {
  static_assert(std::is_standard_layout_v<api::mutex>);
  return reinterpret_cast<KMutex*>(m);
}
}  // namespace

void mutex::lock() noexcept { mutex_lock(machine_->kernel(), mutex_of(this)); }
bool mutex::try_lock() noexcept { return mutex_trylock(mutex_of(this)); }

void mutex::unlock() noexcept {
  Kernel& k = machine_->kernel();
  if (!is_locked()) {
    char comm[32];
    k.current_comm(comm, sizeof comm);
    char text[256];
    size_t n = format(text, sizeof text,
                      "WARNING: CPU: %u PID: %d Comm: %s at kmem::mutex::unlock\n"
                      "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)\n",
                      k.current_cpu(), k.current_pid(), comm);
    k.report_bug(BUG_WARN, text, n);
    return;
  }
  mutex_unlock(k, mutex_of(this));
}

// ---- tasklet ---------------------------------------------------------------------------------

namespace {
Tasklet* tasklet_of(unsigned char* storage) {
  return std::launder(reinterpret_cast<Tasklet*>(storage));
}
}  // namespace

tasklet::tasklet(std::function<void()> fn) : fn_(std::move(fn)) {
  Tasklet* t = ::new (core_) Tasklet();
  tasklet_init(t, &tasklet::run, reinterpret_cast<unsigned long>(this));
}

tasklet::~tasklet() {
  kill();
  tasklet_of(core_)->~Tasklet();
}

void tasklet::run(unsigned long self) {
  auto* t = reinterpret_cast<tasklet*>(self);
  if (t->fn_) t->fn_();
}

void tasklet::schedule() noexcept { tasklet_schedule(tasklet_of(core_)); }
void tasklet::disable() noexcept { tasklet_disable(tasklet_of(core_)); }
void tasklet::enable() noexcept { tasklet_enable(tasklet_of(core_)); }
void tasklet::kill() noexcept { tasklet_kill(tasklet_of(core_)); }

bool tasklet::scheduled() const noexcept {
  const auto* t = std::launder(reinterpret_cast<const Tasklet*>(core_));
  return t->state.load(std::memory_order_acquire) & TASKLET_STATE_SCHED;
}

}  // namespace api
}  // namespace kmem
