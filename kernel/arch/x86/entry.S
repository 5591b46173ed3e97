/* SPDX-License-Identifier: MIT */
/*
 * Kernel entry from the loader: RDI = boot_info (direct-map address), RSP = top of the boot
 * stack (slot 0, guard page below), a zero return address pushed so backtraces end here.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	movq	%rdi, %r12
	/* GS points at CPU 0's per-CPU area before any C code runs (this_cpu(), panic). */
	movabsq	$percpu_area, %rax
	movq	%rax, (%rax)
	movq	%rax, %rdx
	shrq	$32, %rdx
	movl	$0xc0000101, %ecx	/* MSR_GS_BASE */
	wrmsr
	call	canary_init
	movq	%r12, %rdi
	xorl	%ebp, %ebp
	call	kernel_main
	ud2

/*
 * AP entry from the trampoline (kernel/arch/x86/trampoline.S), paging on, on the trampoline's
 * GDT and no stack: take an index, switch to that index's stack and call ap_main(index).
 */
	.text
	.globl ap_entry64
ap_entry64:
	movl	$1, %eax
	lock xaddl %eax, ap_next_index(%rip)
	cmpl	$64, %eax		/* MAX_CPUS */
	jae	1f
	movq	ap_stack_tops(, %rax, 8), %rsp
	testq	%rsp, %rsp
	jz	1f
	movl	%eax, %edi
	xorl	%ebp, %ebp
	pushq	$0
	jmp	ap_main
	/* An AP nobody prepared for: park it with interrupts off. */
1:	cli
	hlt
	jmp	1b
