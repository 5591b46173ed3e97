/* SPDX-License-Identifier: MIT */
/*
 * The boot-time floor: an image of Copra's size whose reset vector ends QEMU at once through
 * isa-debug-exit (status 33, like Copra's exit_on_ready). What QEMU itself costs to start, load
 * an image and stop is everything this image measures.
 */
	.section .reset, "ax"
	.code16
	.globl floor_reset
floor_reset:
	movb	$0x10, %al
	outb	%al, $0xf4
1:	hlt
	jmp	1b
