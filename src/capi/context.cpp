// SPDX-License-Identifier: MIT
// The execution-context C API: <linux/preempt.h>, <linux/hardirq.h>,
// <linux/irqflags.h>, <linux/bottom_half.h>, <linux/spinlock.h>,
// <linux/mutex.h>, might_sleep() and cond_resched(), <linux/sched/mm.h>,
// <linux/interrupt.h>, <linux/shrinker.h> and kmem_drop_slab().
//
// The per-thread state (preempt_count, the interrupt flag, memalloc scopes)
// is the core's TaskContext (context/context.h); nothing here needs a
// machine except what reports, sleeps or reaches a machine's interrupt
// lines and shrinkers, which use the current one. The C structures
// (spinlock_t, struct mutex, struct tasklet_struct, struct shrinker, struct
// shrink_control) are the core's objects seen through a C declaration of the
// same layout, checked below, so every call is a reinterpret_cast and a
// forward. Misuse the core would not survive (an enable without a disable,
// unlocking an unlocked lock) is reported here and ignored, as Linux's
// DEBUG_PREEMPT and spinlock debugging do.
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <new>
#include <thread>

#include "capi/current.h"

// The core's constants and the functions whose names the compat headers
// turn into macros, captured before those headers are included.
namespace kmem::capi::ctx_core {
inline constexpr unsigned long kPreemptMask = kmem::PREEMPT_MASK;
inline constexpr unsigned long kSoftirqMask = kmem::SOFTIRQ_MASK;
inline constexpr unsigned long kHardirqMask = kmem::HARDIRQ_MASK;
inline constexpr unsigned long kNmiMask = kmem::NMI_MASK;
inline constexpr unsigned long kPreemptOffset = kmem::PREEMPT_OFFSET;
inline constexpr unsigned long kSoftirqOffset = kmem::SOFTIRQ_OFFSET;
inline constexpr unsigned long kSoftirqDisableOffset = kmem::SOFTIRQ_DISABLE_OFFSET;
inline constexpr unsigned long kHardirqOffset = kmem::HARDIRQ_OFFSET;
inline constexpr unsigned long kNmiOffset = kmem::NMI_OFFSET;
inline constexpr unsigned kPfMemalloc = kmem::PF_MEMALLOC;
inline constexpr unsigned kPfMemallocNofs = kmem::PF_MEMALLOC_NOFS;
inline constexpr unsigned kPfMemallocNoio = kmem::PF_MEMALLOC_NOIO;
inline constexpr unsigned kPfMemallocPin = kmem::PF_MEMALLOC_PIN;
inline constexpr unsigned kNrIrqs = kmem::NR_IRQS;
inline constexpr unsigned long kIrqfShared = kmem::IRQF_SHARED;
inline constexpr int kIrqNone = kmem::IRQ_NONE;
inline constexpr int kIrqHandled = kmem::IRQ_HANDLED;
inline constexpr int kIrqWakeThread = kmem::IRQ_WAKE_THREAD;
inline constexpr unsigned long kTaskletSched = kmem::TASKLET_STATE_SCHED;
inline constexpr unsigned long kTaskletRun = kmem::TASKLET_STATE_RUN;
inline constexpr unsigned long kShrinkStop = kmem::SHRINK_STOP;
inline constexpr unsigned long kShrinkEmpty = kmem::SHRINK_EMPTY;
inline constexpr int kDefaultSeeks = kmem::DEFAULT_SEEKS;
inline constexpr unsigned kShrinkerFlags[] = {kmem::SHRINKER_REGISTERED,  kmem::SHRINKER_ALLOCATED,
                                              kmem::SHRINKER_MEMCG_AWARE, kmem::SHRINKER_NUMA_AWARE,
                                              kmem::SHRINKER_NONSLAB,     kmem::SHRINKER_FS};

inline unsigned long irq_save() { return kmem::local_irq_save(); }
inline unsigned long lock_irqsave(KSpinlock* l) { return kmem::spin_lock_irqsave(l); }
inline void might_sleep_at(Kernel& k, const char* file, int line) { k.might_sleep(file, line); }
}  // namespace kmem::capi::ctx_core

#include <kmem/kmem.h>
#include <linux/bottom_half.h>
#include <linux/bug.h>
#include <linux/hardirq.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>

namespace kmem::capi {

namespace core = ctx_core;

// ---- the C headers agree with the core --------------------------------------------
static_assert(PREEMPT_MASK == core::kPreemptMask && SOFTIRQ_MASK == core::kSoftirqMask &&
              HARDIRQ_MASK == core::kHardirqMask && NMI_MASK == core::kNmiMask);
static_assert(PREEMPT_OFFSET == core::kPreemptOffset && SOFTIRQ_OFFSET == core::kSoftirqOffset &&
              SOFTIRQ_DISABLE_OFFSET == core::kSoftirqDisableOffset &&
              HARDIRQ_OFFSET == core::kHardirqOffset && NMI_OFFSET == core::kNmiOffset);
static_assert(PF_MEMALLOC == core::kPfMemalloc && PF_MEMALLOC_NOFS == core::kPfMemallocNofs &&
              PF_MEMALLOC_NOIO == core::kPfMemallocNoio && PF_MEMALLOC_PIN == core::kPfMemallocPin);
static_assert(NR_IRQS == core::kNrIrqs && IRQF_SHARED == core::kIrqfShared);
// (The C enumerators are global; unqualified, kmem's own would be found.)
static_assert(int(::IRQ_NONE) == core::kIrqNone && int(::IRQ_HANDLED) == core::kIrqHandled &&
              int(::IRQ_WAKE_THREAD) == core::kIrqWakeThread);
// The C enum has bit numbers, the core masks.
static_assert((1UL << ::TASKLET_STATE_SCHED) == core::kTaskletSched &&
              (1UL << ::TASKLET_STATE_RUN) == core::kTaskletRun);
static_assert(SHRINK_STOP == core::kShrinkStop && SHRINK_EMPTY == core::kShrinkEmpty &&
              DEFAULT_SEEKS == core::kDefaultSeeks);
static_assert(SHRINKER_REGISTERED == core::kShrinkerFlags[0] &&
              SHRINKER_ALLOCATED == core::kShrinkerFlags[1] &&
              SHRINKER_MEMCG_AWARE == core::kShrinkerFlags[2] &&
              SHRINKER_NUMA_AWARE == core::kShrinkerFlags[3] &&
              SHRINKER_NONSLAB == core::kShrinkerFlags[4] &&
              SHRINKER_FS == core::kShrinkerFlags[5]);

// Layouts: each C structure is the core's object.
static_assert(sizeof(spinlock_t) == sizeof(KSpinlock) && alignof(spinlock_t) == alignof(KSpinlock));
static_assert(sizeof(struct mutex) == sizeof(KMutex) && alignof(struct mutex) == alignof(KMutex));
static_assert(offsetof(struct mutex, kmem_state) == offsetof(KMutex, state) &&
              offsetof(struct mutex, kmem_owner) == offsetof(KMutex, owner));
static_assert(sizeof(struct tasklet_struct) == sizeof(Tasklet) &&
              alignof(struct tasklet_struct) == alignof(Tasklet));
static_assert(offsetof(struct tasklet_struct, next) == offsetof(Tasklet, next) &&
              offsetof(struct tasklet_struct, state) == offsetof(Tasklet, state) &&
              offsetof(struct tasklet_struct, count) == offsetof(Tasklet, count) &&
              offsetof(struct tasklet_struct, use_callback) == offsetof(Tasklet, use_callback) &&
              offsetof(struct tasklet_struct, func) == offsetof(Tasklet, func) &&
              offsetof(struct tasklet_struct, callback) == offsetof(Tasklet, callback) &&
              offsetof(struct tasklet_struct, data) == offsetof(Tasklet, data));
static_assert(sizeof(atomic_t) == sizeof(std::atomic<int>) &&
              sizeof(unsigned long) == sizeof(std::atomic<unsigned long>));
static_assert(sizeof(struct shrink_control) == sizeof(ShrinkControl) &&
              alignof(struct shrink_control) == alignof(ShrinkControl));
static_assert(offsetof(struct shrink_control, gfp_mask) == offsetof(ShrinkControl, gfp_mask) &&
              offsetof(struct shrink_control, nid) == offsetof(ShrinkControl, nid) &&
              offsetof(struct shrink_control, nr_to_scan) == offsetof(ShrinkControl, nr_to_scan) &&
              offsetof(struct shrink_control, nr_scanned) == offsetof(ShrinkControl, nr_scanned) &&
              offsetof(struct shrink_control, memcg) == offsetof(ShrinkControl, memcg));
static_assert(sizeof(struct shrinker) == sizeof(Shrinker) &&
              alignof(struct shrinker) == alignof(Shrinker));
static_assert(offsetof(struct shrinker, count_objects) == offsetof(Shrinker, count_objects) &&
              offsetof(struct shrinker, scan_objects) == offsetof(Shrinker, scan_objects) &&
              offsetof(struct shrinker, batch) == offsetof(Shrinker, batch) &&
              offsetof(struct shrinker, seeks) == offsetof(Shrinker, seeks) &&
              offsetof(struct shrinker, flags) == offsetof(Shrinker, flags) &&
              offsetof(struct shrinker, private_data) == offsetof(Shrinker, private_data) &&
              offsetof(struct shrinker, kmem_private) == offsetof(Shrinker, refcount));

namespace {

inline KSpinlock* to_core(spinlock_t* l) { return reinterpret_cast<KSpinlock*>(l); }
inline KMutex* to_core(struct mutex* m) { return reinterpret_cast<KMutex*>(m); }
inline Tasklet* to_core(struct tasklet_struct* t) { return reinterpret_cast<Tasklet*>(t); }
inline Shrinker* to_core(struct shrinker* s) { return reinterpret_cast<Shrinker*>(s); }

// A function pointer as another function type of the same ABI (the C
// declarations differ from the core's only in enum-for-int and
// struct-for-struct parameter types). Going through void (*)() is how GCC
// is told the cast is deliberate.
template <typename To, typename From>
To fn_cast(From f) {
  return reinterpret_cast<To>(reinterpret_cast<void (*)()>(f));
}

// DEBUG_PREEMPT's check before taking val off the field of preempt_count
// that mask selects: an enable without its disable would wrap the field
// into its neighbour (and make the thread atomic for ever). Reports and
// returns true in that case; the caller then leaves the count alone.
bool count_underflows(unsigned long val, unsigned long mask, const char* what) {
  const unsigned long pc = kmem::preempt_count();
  if ((pc & mask) >= val) return false;
  kmem_warn_fmt("src/capi/context.cpp", __LINE__, what, "%s\n",
                val > pc ? "DEBUG_LOCKS_WARN_ON(val > preempt_count())"
                         : "DEBUG_LOCKS_WARN_ON((val < PREEMPT_MASK) && "
                           "!(preempt_count() & PREEMPT_MASK))");
  return true;
}

}  // namespace

}  // namespace kmem::capi

using kmem::capi::current_kernel;
using kmem::capi::fn_cast;
using kmem::capi::to_core;

extern "C" {

// ---- linux/preempt.h ----------------------------------------------------------------

void preempt_disable(void) { kmem::preempt_disable(); }

void preempt_enable(void) {
  if (kmem::capi::count_underflows(PREEMPT_OFFSET, PREEMPT_MASK, "preempt_enable")) return;
  kmem::preempt_enable();
}

void preempt_enable_no_resched(void) { preempt_enable(); }

int preempt_count(void) { return int(kmem::preempt_count()); }
unsigned long hardirq_count(void) { return kmem::hardirq_count(); }
unsigned long softirq_count(void) { return kmem::softirq_count(); }
unsigned long irq_count(void) { return kmem::irq_count(); }
bool in_nmi(void) { return kmem::in_nmi(); }
bool in_hardirq(void) { return kmem::in_hardirq(); }
bool in_irq(void) { return kmem::in_hardirq(); }
bool in_softirq(void) { return kmem::in_softirq(); }
bool in_serving_softirq(void) { return kmem::in_serving_softirq(); }
bool in_interrupt(void) { return kmem::in_interrupt(); }
bool in_task(void) { return kmem::in_task(); }
bool in_atomic(void) { return kmem::in_atomic(); }

// ---- linux/hardirq.h, linux/irqflags.h, linux/bottom_half.h --------------------------

void irq_enter(void) { kmem::irq_enter(); }
void irq_exit(void) {
  if (kmem::capi::count_underflows(HARDIRQ_OFFSET, HARDIRQ_MASK, "irq_exit")) return;
  kmem::irq_exit();
}
void nmi_enter(void) { kmem::nmi_enter(); }
void nmi_exit(void) {
  if (kmem::capi::count_underflows(NMI_OFFSET, NMI_MASK, "nmi_exit")) return;
  kmem::nmi_exit();
}

void local_irq_disable(void) { kmem::local_irq_disable(); }
void local_irq_enable(void) { kmem::local_irq_enable(); }
unsigned long kmem_local_irq_save(void) { return kmem::capi::core::irq_save(); }
unsigned long kmem_local_save_flags(void) { return kmem::irqs_disabled() ? 1 : 0; }
void local_irq_restore(unsigned long flags) { kmem::local_irq_restore(flags); }
bool irqs_disabled(void) { return kmem::irqs_disabled(); }

void local_bh_disable(void) { kmem::local_bh_disable(); }
void local_bh_enable(void) {
  // Bottom halves are disabled in steps of SOFTIRQ_DISABLE_OFFSET; bit 8
  // alone (serving a softirq) is not a disable to undo.
  if (kmem::capi::count_underflows(SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_MASK, "local_bh_enable")) return;
  kmem::local_bh_enable();
}

// ---- linux/spinlock.h ---------------------------------------------------------------

void spin_lock_init(spinlock_t* lock) { ::new (lock) kmem::KSpinlock(); }

void spin_lock(spinlock_t* lock) { kmem::spin_lock(to_core(lock)); }

int spin_trylock(spinlock_t* lock) { return kmem::spin_trylock(to_core(lock)) ? 1 : 0; }

int spin_is_locked(spinlock_t* lock) { return to_core(lock)->raw.is_locked() ? 1 : 0; }

// spin_bug(lock, "already unlocked"): report and leave the counters alone.
static bool unlocked_by_mistake(spinlock_t* lock) {
  if (spin_is_locked(lock)) return false;
  kmem::Kernel& k = current_kernel();
  char comm[32];
  k.current_comm(comm, sizeof comm);
  char text[192];
  int n = std::snprintf(text, sizeof text,
                        "BUG: spinlock already unlocked on CPU#%u, %s/%d\n lock: %p\n",
                        k.current_cpu(), comm, k.current_pid(), static_cast<void*>(lock));
  k.report_bug(kmem::BUG_WARN, text, n > 0 ? size_t(n) : 0);
  return true;
}

void spin_unlock(spinlock_t* lock) {
  if (unlocked_by_mistake(lock)) return;
  kmem::spin_unlock(to_core(lock));
}

void spin_lock_bh(spinlock_t* lock) { kmem::spin_lock_bh(to_core(lock)); }

void spin_unlock_bh(spinlock_t* lock) {
  if (unlocked_by_mistake(lock)) return;
  kmem::spin_unlock_bh(to_core(lock));
}

void spin_lock_irq(spinlock_t* lock) { kmem::spin_lock_irq(to_core(lock)); }

void spin_unlock_irq(spinlock_t* lock) {
  if (unlocked_by_mistake(lock)) return;
  kmem::spin_unlock_irq(to_core(lock));
}

unsigned long kmem_spin_lock_irqsave(spinlock_t* lock) {
  return kmem::capi::core::lock_irqsave(to_core(lock));
}

int kmem_spin_trylock_irqsave(spinlock_t* lock, unsigned long* flags) {
  *flags = kmem::capi::core::irq_save();
  if (kmem::spin_trylock(to_core(lock))) return 1;
  kmem::local_irq_restore(*flags);
  return 0;
}

void spin_unlock_irqrestore(spinlock_t* lock, unsigned long flags) {
  if (unlocked_by_mistake(lock)) return;
  kmem::spin_unlock_irqrestore(to_core(lock), flags);
}

// ---- linux/mutex.h ------------------------------------------------------------------

void mutex_init(struct mutex* lock) { ::new (lock) kmem::KMutex(); }
void mutex_destroy(struct mutex* lock) { (void)lock; }
void mutex_lock(struct mutex* lock) { kmem::mutex_lock(current_kernel(), to_core(lock)); }

int mutex_lock_interruptible(struct mutex* lock) {
  mutex_lock(lock);
  return 0;
}

int mutex_lock_killable(struct mutex* lock) {
  mutex_lock(lock);
  return 0;
}

int mutex_trylock(struct mutex* lock) { return kmem::mutex_trylock(to_core(lock)) ? 1 : 0; }

void mutex_unlock(struct mutex* lock) {
  if (!kmem::mutex_is_locked(to_core(lock))) {
    // DEBUG_MUTEXES: the unlocking task is not the owner (nobody is).
    kmem_warn_fmt("src/capi/context.cpp", __LINE__, "mutex_unlock",
                  "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)\n");
    return;
  }
  kmem::mutex_unlock(current_kernel(), to_core(lock));
}

bool mutex_is_locked(struct mutex* lock) { return kmem::mutex_is_locked(to_core(lock)); }

// ---- linux/kernel.h, linux/sched.h --------------------------------------------------

void __might_sleep(const char* file, int line) {
  // Only atomic context needs a machine (to report on).
  if (__builtin_expect(kmem::atomic_context(), 0))
    kmem::capi::core::might_sleep_at(current_kernel(), file, line);
}

int kmem_cond_resched(const char* file, int line) {
  __might_sleep(file, line);
  if (kmem::atomic_context()) return 0;
  std::this_thread::yield();
  return 1;
}

// ---- linux/sched/mm.h ---------------------------------------------------------------

unsigned int memalloc_nofs_save(void) { return kmem::memalloc_nofs_save(); }
void memalloc_nofs_restore(unsigned int flags) { kmem::memalloc_nofs_restore(flags); }
unsigned int memalloc_noio_save(void) { return kmem::memalloc_noio_save(); }
void memalloc_noio_restore(unsigned int flags) { kmem::memalloc_noio_restore(flags); }
unsigned int memalloc_noreclaim_save(void) { return kmem::memalloc_noreclaim_save(); }
void memalloc_noreclaim_restore(unsigned int flags) { kmem::memalloc_noreclaim_restore(flags); }
unsigned int memalloc_pin_save(void) { return kmem::memalloc_pin_save(); }
void memalloc_pin_restore(unsigned int flags) { kmem::memalloc_pin_restore(flags); }
gfp_t current_gfp_context(gfp_t flags) { return kmem::current_gfp_context(flags); }

// ---- linux/interrupt.h --------------------------------------------------------------

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char* name,
                void* dev) {
  return current_kernel().request_irq(irq, fn_cast<kmem::irq_handler_t>(handler), flags, name, dev);
}

const void* free_irq(unsigned int irq, void* dev_id) {
  return current_kernel().free_irq(irq, dev_id);
}

int generic_handle_irq(unsigned int irq) { return current_kernel().generic_handle_irq(irq); }

void tasklet_init(struct tasklet_struct* t, void (*func)(unsigned long), unsigned long data) {
  kmem::tasklet_init(to_core(t), func, data);
}

void tasklet_setup(struct tasklet_struct* t, void (*callback)(struct tasklet_struct*)) {
  kmem::tasklet_setup(to_core(t), fn_cast<void (*)(kmem::Tasklet*)>(callback));
}

void tasklet_schedule(struct tasklet_struct* t) { kmem::tasklet_schedule(to_core(t)); }
void tasklet_hi_schedule(struct tasklet_struct* t) { kmem::tasklet_hi_schedule(to_core(t)); }

void tasklet_disable_nosync(struct tasklet_struct* t) {
  to_core(t)->count.fetch_add(1, std::memory_order_acq_rel);
}

void tasklet_disable(struct tasklet_struct* t) { kmem::tasklet_disable(to_core(t)); }
void tasklet_enable(struct tasklet_struct* t) { kmem::tasklet_enable(to_core(t)); }
void tasklet_kill(struct tasklet_struct* t) { kmem::tasklet_kill(to_core(t)); }

// ---- linux/shrinker.h, kmem/kmem.h -----------------------------------------------------

struct shrinker* shrinker_alloc(unsigned int flags, const char* fmt, ...) {
  char name[sizeof(kmem::Shrinker::name)] = "";
  if (fmt != nullptr) {
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
  }
  return reinterpret_cast<struct shrinker*>(current_kernel().shrinker_alloc(flags, name));
}

void shrinker_register(struct shrinker* shrinker) {
  current_kernel().shrinker_register(to_core(shrinker));
}

void shrinker_free(struct shrinker* shrinker) {
  if (shrinker != nullptr) current_kernel().shrinker_free(to_core(shrinker));
}

unsigned long kmem_drop_slab(void) { return current_kernel().drop_slab(); }

}  // extern "C"
