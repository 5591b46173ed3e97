/* SPDX-License-Identifier: MIT */
/*
 * The loader's 64-bit entry (reached from stage1, running in the ROM's higher-half alias) and
 * the hand-off to the kernel.
 */
#include <boot/layout.h>

	.section .text.entry, "ax"
	.code64
	.globl loader_entry64
loader_entry64:
	movl	$0x18, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
	movabsq	$loader_stack_top, %rsp
	/* Drop stage1's identity map: nothing runs at low addresses any more. */
	movabsq	$(PHYSMAP_VBASE + STAGE1_PT_PHYS), %rax
	movq	$0, (%rax)
	movq	%cr3, %rax
	movq	%rax, %cr3

	/* .data is initialised from its copy in ROM; .bss (and the stack) starts zeroed. */
	movabsq	$__data_load, %rsi
	movabsq	$__data_start, %rdi
	movabsq	$__data_end, %rcx
	subq	%rdi, %rcx
	rep movsb
	movabsq	$__bss_start, %rdi
	movabsq	$__bss_end, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb

	call	canary_init
	xorl	%ebp, %ebp
	call	loader_main
1:	cli
	hlt
	jmp	1b

/*
 * void loader_handoff(uint64_t pml4, uint64_t stack_top, uint64_t entry, uint64_t boot_info)
 * Switches to the kernel's page tables (which map this code at the same address), moves to
 * the kernel's boot stack and jumps to the kernel entry with RDI = boot_info.
 */
	.text
	.globl loader_handoff
loader_handoff:
	movq	%rdi, %cr3
	movq	%rsi, %rsp
	movq	%rcx, %rdi
	xorl	%ebp, %ebp
	pushq	$0		/* no return address: ends the kernel's backtraces */
	jmpq	*%rdx
