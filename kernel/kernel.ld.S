/* SPDX-License-Identifier: MIT */
/*
 * Kernel link: higher half, one PT_LOAD per protection so the loader can map W^X:
 * text RX, rodata R (incl. the test registry), data+bss RW.
 */
#include <boot/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);
	rodata PT_LOAD FLAGS(4);
	data PT_LOAD FLAGS(6);
}

SECTIONS
{
	. = KERNEL_VBASE;
	__kernel_start = .;
	.text : {
		__text_start = .;
		*(.text.entry)
		*(.text .text.*)
		__text_end = .;
	} :text

	. = ALIGN(4096);
	.rodata : {
		__rodata_start = .;
		*(.rodata .rodata.*)
		. = ALIGN(16);
		__ktests_start = .;
		KEEP(*(.ktests))
		__ktests_end = .;
		__rodata_end = .;
	} :rodata

	. = ALIGN(4096);
	.data : {
		__data_start = .;
		*(.data .data.*)
	} :data
	.bss : {
		__bss_start = .;
		*(.bss .bss.* COMMON)
		__bss_end = .;
	} :data
	. = ALIGN(4096);
	__kernel_end = .;

	/DISCARD/ : {
		*(.note .note.*)
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
	}
}
