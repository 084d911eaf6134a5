/* SPDX-License-Identifier: MIT */
/*
 * <linux/device.h>, the part the DMA API needs: a struct device with a
 * name and DMA masks, dev_name() and the dev_*() message macros.
 *
 *   static u64 mask = DMA_BIT_MASK(24);
 *   struct device dev = { .init_name = "isa-dma", .dma_mask = &mask,
 *                         .coherent_dma_mask = DMA_BIT_MASK(24) };
 *
 * or dma_set_mask_and_coherent() from <linux/dma-mapping.h>. There is no
 * driver model behind it (no bus, driver, kobject or devres): a device is
 * just this structure, owned by the caller. dev_err(dev, fmt, ...) prints
 * "<name>: <message>" at KERN_ERR (Linux puts the driver or bus name first).
 * The layout is the library's device, checked when kmem is built.
 */
#ifndef KMEM_COMPAT_LINUX_DEVICE_H
#define KMEM_COMPAT_LINUX_DEVICE_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/types.h>

struct device {
  const char *init_name; /* dev_name() */
  u64 *dma_mask;         /* streaming DMA mask, or NULL: no DMA */
  u64 coherent_dma_mask; /* dma_alloc_coherent() stays below it */
};

static inline const char *dev_name(const struct device *dev) {
  return dev->init_name ? dev->init_name : "(null)";
}

#define dev_printk(level, dev, fmt, ...) printk(level "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_emerg(dev, fmt, ...) dev_printk(KERN_EMERG, dev, fmt, ##__VA_ARGS__)
#define dev_alert(dev, fmt, ...) dev_printk(KERN_ALERT, dev, fmt, ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...) dev_printk(KERN_CRIT, dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) dev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) dev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) dev_printk(KERN_NOTICE, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) dev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) no_printk(KERN_DEBUG "%s: " fmt, dev_name(dev), ##__VA_ARGS__)

#endif /* KMEM_COMPAT_LINUX_DEVICE_H */
