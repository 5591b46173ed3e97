/* SPDX-License-Identifier: MIT */
/*
 * Loader + stage1 link: code and read-only data execute in place from the ROM's higher-half
 * alias; .data/.bss/stack live in low RAM (LOADER_RAM_PHYS) seen through LOWRAM_VBASE; stage1
 * and the reset vector sit at their physical addresses in the image's last page.
 * objcopy -O binary turns this into exactly LOADER_ROM_SIZE bytes ending at 4 GiB.
 */
#include <boot/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
ENTRY(stage1_reset)

/* Sections in ascending address order; .data's initial image sits in the page below stage1. */
#define DATA_LMA (STAGE1_PHYS - 0x1000)

SECTIONS
{
	.stage1 STAGE1_PHYS : AT(STAGE1_PHYS) {
		*(.stage1)
	}
	ASSERT(STAGE1_PHYS + SIZEOF(.stage1) <= 0xfffffff0, "stage1 overlaps the reset vector")
	.reset 0xfffffff0 : AT(0xfffffff0) {
		*(.reset)
	}

	.data (LOWRAM_VBASE + LOADER_RAM_PHYS) : AT(DATA_LMA) {
		__data_start = .;
		*(.data .data.*)
		. = ALIGN(16);
		__data_end = .;
	}
	__data_load = DATA_LMA + ROM_VOFF;
	ASSERT(SIZEOF(.data) <= 0x1000, "loader .data too large")

	.bss (NOLOAD) : {
		__bss_start = .;
		*(.bss .bss.* COMMON)
		. = ALIGN(4096);
		loader_stack_bottom = .;
		. += 0x8000;
		loader_stack_top = .;
		__bss_end = .;
	}
	ASSERT(__bss_end <= LOWRAM_VBASE + LOADER_RAM_END, "loader RAM overflow")

	.text (LOADER_ROM_BASE + ROM_VOFF) : AT(LOADER_ROM_BASE) {
		*(.text.entry)
		*(.text .text.*)
	}
	.rodata ALIGN(16) : AT(ADDR(.rodata) - ROM_VOFF) {
		*(.rodata .rodata.*)
	}
	ASSERT(ADDR(.rodata) + SIZEOF(.rodata) <= DATA_LMA + ROM_VOFF, "loader does not fit in its ROM")

	/DISCARD/ : {
		*(.note .note.*)
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
	}
}
