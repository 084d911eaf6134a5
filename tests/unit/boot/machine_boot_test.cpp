// SPDX-License-Identifier: MIT
// Whole-machine boots: sizes from 16 MiB to 16 GiB come up quickly and touch
// little host memory; a bad command line is a BootError naming the option.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "kernel.h"
#include "kmem/machine.hpp"

namespace {

// Resident set size of this process in bytes (/proc/self/statm, field 2).
long rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long size = 0, resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * sysconf(_SC_PAGESIZE) : -1;
}

double boot_limit_seconds() { return kmem::kChecked ? 10.0 : 2.0; }

class MachineBoot : public ::testing::TestWithParam<const char*> {};

TEST_P(MachineBoot, BootsQuicklyWithSmallFootprint) {
  std::string line = std::string(GetParam()) + " cpus=2";
  long rss_before = rss_bytes();
  auto t0 = std::chrono::steady_clock::now();
  {
    kmem::Machine m(line);
    auto t1 = std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(t1 - t0).count();
    long rss_after = rss_bytes();
    kmem::Kernel& k = m.kernel();
    EXPECT_TRUE(k.booted());
    EXPECT_LT(secs, boot_limit_seconds()) << line;
    EXPECT_LT(rss_after - rss_before, 400L << 20)
        << line << ": booting touched " << ((rss_after - rss_before) >> 20) << " MiB";
    // Managed memory is the RAM less the first MiB and what memblock kept;
    // memblock keeps little (mem_map is 64 bytes per 4 KiB page, 1/64).
    kmem::u64 ram_pages = k.e820().ram_bytes() >> kmem::PAGE_SHIFT;
    EXPECT_LE(k.totalram_pages(), ram_pages);
    EXPECT_GE(k.totalram_pages(), ram_pages - ram_pages / 32 - 512) << line;
    EXPECT_EQ(k.global_free_pages(), k.boot_free_pages()) << "nothing allocated since boot";
    EXPECT_GT(k.boot_free_pages(), k.totalram_pages() - 64)
        << "the slab boot caches take a few pages";
    EXPECT_EQ(k.max_pfn(), k.e820().max_ram_end() >> kmem::PAGE_SHIFT);
    char msg[512] = {};
    EXPECT_TRUE(k.check_invariants(msg, sizeof msg)) << msg;
    std::printf("%-10s boot %.1f ms, rss +%ld MiB, managed %lu pages\n", GetParam(), secs * 1e3,
                (rss_after - rss_before) >> 20, k.totalram_pages());
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, MachineBoot,
                         ::testing::Values("mem=16M", "mem=64M", "mem=1G", "mem=3G", "mem=4G",
                                           "mem=6G", "mem=16G", "mem=2G profile=i386",
                                           "mem=4G numa=2"));

TEST(MachineBoot, SixteenGigabytesLeavesMemoryUntouched) {
  long before = rss_bytes();
  kmem::Machine m("mem=16G cpus=2");
  // Allocate and free a little: touching a few pages must not fault in the rest.
  kmem::Page* p = m.alloc_pages(kmem::gfp::KERNEL, 0);
  ASSERT_NE(p, nullptr);
  m.free_pages(p, 0);
  long after = rss_bytes();
  EXPECT_LT(after - before, 400L << 20) << ((after - before) >> 20) << " MiB";
}

TEST(MachineBoot, SeveralMachinesSideBySide) {
  kmem::Machine a("mem=64M cpus=2");
  kmem::Machine b("mem=128M cpus=1");
  EXPECT_NE(a.kernel().direct_map(), b.kernel().direct_map());
  EXPECT_LT(a.kernel().totalram_pages(), b.kernel().totalram_pages());
  kmem::Page* pa = a.alloc_pages(kmem::gfp::KERNEL, 0);
  kmem::Page* pb = b.alloc_pages(kmem::gfp::KERNEL, 0);
  ASSERT_TRUE(pa && pb);
  EXPECT_TRUE(a.kernel().is_page(pa));
  EXPECT_FALSE(a.kernel().is_page(pb));
  a.free_pages(pa, 0);
  b.free_pages(pb, 0);
}

TEST(MachineBoot, DefaultCmdline) {
  kmem::Machine m;
  EXPECT_EQ(m.kernel().options().mem, kmem::SZ_1G);
  EXPECT_EQ(m.kernel().nr_cpus(), 4u);
  EXPECT_NE(m.cmdline().find("mem=1024M"), std::string::npos) << m.cmdline();
}

TEST(MachineBoot, InvalidCmdlineThrowsBootErrorNamingOption) {
  struct Case {
    const char* line;
    const char* option;
  };
  for (Case c : {Case{"mem=lots", "mem=lots"}, Case{"cpus=0", "cpus=0"}, Case{"bogus=1", "bogus"},
                 Case{"mem=64M memmap=64M$1G", "memmap="}, Case{"profile=sparc", "profile=sparc"},
                 Case{"pcp=2", "pcp=2"}}) {
    try {
      kmem::Machine m(c.line);
      ADD_FAILURE() << c.line << " booted";
    } catch (const kmem::BootError& e) {
      EXPECT_NE(std::string(e.what()).find(c.option), std::string::npos)
          << c.line << " -> " << e.what();
    }
    std::string err;
    EXPECT_EQ(kmem::Machine::create(c.line, &err), nullptr);
    EXPECT_NE(err.find(c.option), std::string::npos) << c.line << " -> " << err;
  }
}

}  // namespace
