/* SPDX-License-Identifier: MIT */
/* <linux/numa.h>: node-number limits. */
#ifndef KMEM_COMPAT_LINUX_NUMA_H
#define KMEM_COMPAT_LINUX_NUMA_H

/* kmem machines have at most 32 nodes (numa=N on the command line). */
#define NODES_SHIFT 5
#define MAX_NUMNODES (1 << NODES_SHIFT)

/* "Any node": alloc_pages_node() then uses the calling CPU's node. */
#define NUMA_NO_NODE (-1)

#endif /* KMEM_COMPAT_LINUX_NUMA_H */
