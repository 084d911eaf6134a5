// Boots a small machine through the installed C++ API, allocates and frees a
// few pages, and prints /proc/buddyinfo.
#include <cstdio>
#include <cstring>
#include <string>

#include <kmem/machine.hpp>

int main() {
  std::string error;
  auto m = kmem::Machine::create("mem=128M cpus=2", &error);
  if (!m) {
    std::fprintf(stderr, "consumer: cannot boot: %s\n", error.c_str());
    return 1;
  }
  kmem::Page* page = m->alloc_pages(KMEM_GFP_KERNEL_MASK, 2);
  if (!page) {
    std::fprintf(stderr, "consumer: alloc_pages failed\n");
    return 1;
  }
  std::memset(m->page_address(page), 0x5a, 4 * 4096);
  m->free_pages(page, 2);
  const std::string buddyinfo = m->proc("buddyinfo");
  if (buddyinfo.find("Node 0") == std::string::npos) {
    std::fprintf(stderr, "consumer: unexpected buddyinfo:\n%s", buddyinfo.c_str());
    return 1;
  }
  std::printf("consumer_cpp: ok\n%s", buddyinfo.c_str());
  return 0;
}
