/* SPDX-License-Identifier: MIT */
/*
 * Machine control (kmem/kmem.h) and the console: the default machine,
 * kmem_machine_boot(), /proc views, CPU binding, NUMA nodes, printk, WARN.
 * Run with KMEM_CMDLINE unset.
 */
#include <errno.h>

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/topology.h>

#include "check.h"

static char buf[1 << 16];

int main(void) {
  /* The first call boots the default machine: mem=1G cpus=4. */
  CHECK(kmem_machine_current() != NULL);
  CHECK(totalram_pages() > 200000 && totalram_pages() <= 262144);
  CHECK(cpu_to_node(3) == 0 && cpu_to_node(4) == NUMA_NO_NODE && cpu_to_node(-1) == NUMA_NO_NODE);

  long n = kmem_proc_read("buddyinfo", buf, sizeof buf);
  CHECK(n > 0 && (size_t)n == strlen(buf));
  CHECK(strstr(buf, "Node 0, zone") != NULL);
  n = kmem_proc_read("meminfo", buf, sizeof buf);
  CHECK(n > 0 && strstr(buf, "MemTotal:") != NULL);
  char small[8];
  n = kmem_proc_read("e820", small, sizeof small);
  CHECK(n > 7 && strlen(small) == 7);
  CHECK(kmem_proc_read("e820", NULL, 0) == n);
  CHECK(kmem_proc_read("no-such-file", buf, sizeof buf) == -ENOENT);
  CHECK(kmem_last_error()[0] != '\0');

  /* A bad command line leaves the current machine in place. */
  struct kmem_machine *before = kmem_machine_current();
  CHECK(kmem_machine_boot("mem=banana") == -EINVAL);
  CHECK(strlen(kmem_last_error()) > 0);
  CHECK(kmem_machine_current() == before);
  struct page *p = alloc_page(GFP_KERNEL);
  CHECK(p != NULL);
  if (p) __free_page(p);

  /* A small machine with two CPUs. */
  CHECK(kmem_machine_boot("mem=256M cpus=2") == 0);
  CHECK(kmem_last_error()[0] == '\0');
  CHECK(totalram_pages() > 50000 && totalram_pages() <= 65536);
  CHECK(kmem_bind_cpu(1) == 0);
  CHECK(kmem_bind_cpu(2) == -EINVAL);
  CHECK(numa_node_id() == 0 && numa_mem_id() == 0);

  /* Two nodes: alloc_pages_node honours the node. */
  if (kmem_machine_boot("mem=1G cpus=4 numa=2") == 0) {
    for (int nid = 0; nid < 2; nid++) {
      struct page *np = alloc_pages_node(nid, GFP_KERNEL | __GFP_THISNODE, 1);
      CHECK(np != NULL);
      if (np) {
        CHECK(page_to_nid(np) == nid);
        __free_pages(np, 1);
      }
    }
    struct page *any = alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 0);
    CHECK(any != NULL);
    if (any) __free_page(any);
    unsigned long w = kmem_bug_count(KMEM_BUG_WARN);
    CHECK(__alloc_pages_node(7, GFP_KERNEL, 0) == NULL);
    CHECK(__alloc_pages_node(NUMA_NO_NODE, GFP_KERNEL, 0) == NULL);
    CHECK(kmem_bug_count(KMEM_BUG_WARN) == w + 2);
  } else {
    fprintf(stderr, "numa=2 did not boot: %s\n", kmem_last_error());
    CHECK(0);
  }

  /* printk levels and continuation lines. */
  take_log();
  pr_info("hello %d\n", 42);
  printk(KERN_INFO "part one, ");
  pr_cont("part two\n");
  printk("no level\n");
  pr_debug("not printed %d\n", 1);
  const char *log = take_log();
  CHECK(strstr(log, "hello 42\n") != NULL);
  CHECK(strstr(log, "part one, part two\n") != NULL);
  CHECK(strstr(log, "no level\n") != NULL);
  CHECK(strstr(log, "not printed") == NULL);
  CHECK(strchr(log, '\001') == NULL);

  /* WARN_ON evaluates to the condition and counts each report. */
  unsigned long w0 = kmem_bug_count(KMEM_BUG_WARN);
  CHECK(WARN_ON(0) == 0);
  CHECK(WARN_ON(1 + 1 == 2) == 1);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == w0 + 1);
  log = take_log();
  CHECK(strstr(log, "WARNING: CPU:") != NULL);
  CHECK(strstr(log, __FILE__) != NULL);
  for (int i = 0; i < 3; i++) WARN_ON_ONCE(i >= 0);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == w0 + 2);
  if (WARN(1, "value %d is odd\n", 7)) CHECK(strstr(take_log(), "value 7 is odd") != NULL);
  CHECK(kmem_bug_count(KMEM_BUG_WARN) == w0 + 3);

  /* memblock is gone once the machine is up. */
  CHECK(memblock_alloc(64, SMP_CACHE_BYTES) == NULL);
  CHECK(memblock_alloc_raw(PAGE_SIZE, PAGE_SIZE) == NULL);
  take_log();

  /* alloc_pages_bulk fills the empty slots only. */
  struct page *arr[16] = {0};
  arr[3] = alloc_page(GFP_KERNEL);
  struct page *kept = arr[3];
  CHECK(alloc_pages_bulk(GFP_KERNEL, 16, arr) == 16);
  CHECK(arr[3] == kept);
  for (int i = 0; i < 16; i++) {
    CHECK(arr[i] != NULL);
    for (int j = 0; j < i; j++) CHECK(arr[i] != arr[j]);
  }
  for (int i = 0; i < 16; i++)
    if (arr[i]) __free_page(arr[i]);
  CHECK_INVARIANTS();

  /* After shutdown the next call boots the default machine again. */
  kmem_machine_shutdown();
  kmem_machine_shutdown(); /* harmless */
  p = alloc_page(GFP_KERNEL);
  CHECK(p != NULL);
  CHECK(totalram_pages() > 200000);
  if (p) __free_page(p);
  return check_done("compat_machine");
}
