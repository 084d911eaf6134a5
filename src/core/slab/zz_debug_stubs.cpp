// TEMPORARY weak stand-ins until slab_debug.cpp lands (lead removes this file).
#include "slab/internal.h"
namespace kmem {
[[gnu::weak]] slab_flags_t slab_debug_flags_for(const Kernel&, const char*) { return 0; }
[[gnu::weak]] bool slab_debug_parse_ok(const char*, char*, size_t) { return true; }
[[gnu::weak]] void slab_debug_init_slab(Kernel&, KmemCache*, Page*, void*) {}
[[gnu::weak]] bool slab_debug_alloc(Kernel&, KmemCache*, Page*, void*, uintptr_t, unsigned) { return true; }
[[gnu::weak]] bool slab_debug_free(Kernel&, KmemCache*, Page*, void*, uintptr_t) { return true; }
[[gnu::weak]] unsigned long slab_debug_validate(Kernel&, KmemCache*) { return 0; }
[[gnu::weak]] void slab_err(Kernel& k, const KmemCache* s, const Page*, const char* fmt, ...) { k.printk(LogLevel::err, "BUG %s: %s", s->name, fmt); }
[[gnu::weak]] void object_err(Kernel&, const KmemCache*, const Page*, const void*, const char*) {}
[[gnu::weak]] void slab_report_leaked_objects(Kernel&, KmemCache*, Page*) {}
[[gnu::weak]] void slab_debug_boot_report(Kernel&) {}
}
