/* SPDX-License-Identifier: MIT */
/* <linux/topology.h>: which NUMA node a CPU belongs to. */
#ifndef KMEM_COMPAT_LINUX_TOPOLOGY_H
#define KMEM_COMPAT_LINUX_TOPOLOGY_H

#include <linux/compiler.h>
#include <linux/numa.h>

KMEM_C_BEGIN

/* The node of the CPU the calling thread is bound to (kmem_bind_cpu()). */
int numa_node_id(void);
/* The nearest node with memory; every kmem node has memory. */
int numa_mem_id(void);
/* The node of CPU cpu, or NUMA_NO_NODE for a CPU the machine does not have. */
int cpu_to_node(int cpu);

KMEM_C_END

#endif /* KMEM_COMPAT_LINUX_TOPOLOGY_H */
