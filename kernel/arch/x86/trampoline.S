/* SPDX-License-Identifier: MIT */
/*
 * AP start trampoline, copied to SMP_TRAMPOLINE_PHYS (SIPI vector 0x08) by smp.c, which also
 * fills in tramp_cr3/tramp_efer/tramp_entry. Same path as stage1: real mode -> 32-bit with the
 * GDT in RAM -> long mode -> two instructions at the identity address -> ap_entry64 in the
 * higher half. Descriptors are pre-marked accessed: the page is mapped read-only later.
 */
#include <boot/layout.h>

#define T(x) (SMP_TRAMPOLINE_PHYS + ((x) - smp_tramp_start))

	.section .rodata.trampoline, "a"
	.globl	smp_tramp_start, smp_tramp_end, tramp_cr3, tramp_efer, tramp_entry
	.code16
smp_tramp_start:
	cli
	cld
	xorw	%ax, %ax
	movw	%ax, %ds
	lgdtl	T(tramp_gdtr)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x10, $T(tramp_pm32)

	.code32
tramp_pm32:
	movl	$0x18, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	T(tramp_cr3), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	T(tramp_efer), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80010000, %eax	/* PG | WP */
	movl	%eax, %cr0
	ljmpl	$0x08, $T(tramp_low64)

	.code64
tramp_low64:
	movq	T(tramp_entry), %rax
	jmpq	*%rax

	.balign	8
tramp_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf9b000000ffff	/* 0x10: 32-bit code */
	.quad	0x00cf93000000ffff	/* 0x18: data */
tramp_gdtr:
	.word	tramp_gdtr - tramp_gdt - 1
	.long	T(tramp_gdt)
	.balign	8
tramp_cr3:
	.long	0
tramp_efer:
	.long	0
tramp_entry:
	.quad	0
smp_tramp_end:
