/* SPDX-License-Identifier: MIT */
/* Loader-internal interfaces. */
#ifndef BOOT_LOADER_H
#define BOOT_LOADER_H

#include <boot/boot_info.h>
#include <lib/compiler.h>
#include <stddef.h>
#include <stdint.h>

void lprintf(const char *fmt, ...) __printf(1, 2);
__noreturn void loader_fail(const char *fmt, ...) __printf(1, 2);

/* Physical memory below 4 GiB as the loader sees it (stage1's physmap). */
static inline void *phys_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)(0xffff800000000000ull + pa);
}

/* fw_cfg (QEMU's firmware configuration interface, docs/specs/fw_cfg.rst). */
int fw_cfg_probe(void);
int fw_cfg_find(const char *name, uint16_t *select, uint32_t *size);
void fw_cfg_read(uint16_t select, void *buf, uint32_t len);
uint32_t fw_cfg_cpu_count(void);

/* Reads the e820 map into bi->e820; fails the boot on a malformed map. */
void loader_read_e820(struct boot_info *bi);
void loader_read_cmdline(struct boot_info *bi);

/* Loads the kernel from the image into the SVSM region and builds its page tables. */
struct kernel_load {
	uint64_t entry;
	uint64_t pml4;
	uint64_t boot_info_va;
	uint64_t stack_top;
};
void loader_load_kernel(struct boot_info *staged, struct kernel_load *out);

void loader_handoff(uint64_t pml4, uint64_t stack_top, uint64_t entry, uint64_t boot_info);

#endif
