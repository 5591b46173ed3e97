/* SPDX-License-Identifier: MIT */
/*
 * struct boot_info: the one block the loader hands to the kernel (pointer in RDI at entry).
 * One definition for loader, kernel and tools. All addresses are physical unless named _va.
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC	  0x4f464e49544f4f42ULL /* "BOOTINFO" */
#define BOOT_INFO_VERSION 1
#define BOOT_E820_MAX	  128
#define BOOT_CMDLINE_MAX  256

enum boot_platform {
	BOOT_PLATFORM_NATIVE = 1,
	BOOT_PLATFORM_SNP = 2,
};

/* e820 types as QEMU reports them in fw_cfg etc/e820. */
enum boot_e820_type {
	E820_USABLE = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
};

#define BOOT_FLAG_NX (1u << 0) /* EFER.NXE is on and page tables use the NX bit */

struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct boot_info) as the loader knew it */
	uint32_t platform;
	uint32_t cpu_count; /* vCPUs the VMM reported, 1 if it did not say */
	uint32_t flags;
	uint32_t e820_count;
	uint64_t svsm_base; /* the SVSM region [svsm_base, svsm_base + svsm_size) */
	uint64_t svsm_size;
	uint64_t kernel_phys_end; /* the kernel image is [svsm_base, kernel_phys_end) */
	uint64_t heap_phys_start; /* first page of the region the loader did not use */
	uint64_t pml4_phys;
	uint64_t stack_bottom_va; /* boot stack of the BSP; the page below is a guard */
	uint64_t stack_top_va;
	uint64_t symtab_va; /* symbol table (lib/symtab.h format), 0 if none */
	uint64_t symtab_size;
	uint64_t rom_phys; /* the loader's ROM, still mapped at ROM_VOFF + rom_phys */
	uint64_t rom_size;
	uint64_t reserved0;
	struct boot_e820_entry e820[BOOT_E820_MAX];
	char cmdline[BOOT_CMDLINE_MAX];
};

_Static_assert(sizeof(struct boot_e820_entry) == 24, "boot ABI");
_Static_assert(__builtin_offsetof(struct boot_info, e820) == 128, "boot ABI");
_Static_assert(sizeof(struct boot_info) == 128 + 24 * BOOT_E820_MAX + BOOT_CMDLINE_MAX, "boot ABI");

#endif
