/* SPDX-License-Identifier: MIT */
/*
 * ctx_save / ctx_restore: setjmp/longjmp for the kernel (struct jmp_ctx in trap.h), used to
 * resume after an expected fault. ctx_restore may be called from an exception handler; it
 * restores RFLAGS too, so the interrupt flag is what it was at ctx_save.
 */
	.text
	.globl	ctx_save
ctx_save:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax
	movq	%rax, 48(%rdi)
	movq	(%rsp), %rax
	movq	%rax, 56(%rdi)
	pushfq
	popq	%rax
	movq	%rax, 64(%rdi)
	xorl	%eax, %eax
	ret

	.globl	ctx_restore
ctx_restore:
	movl	%esi, %eax
	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	pushq	64(%rdi)
	popfq
	jmpq	*56(%rdi)

/*
 * uint64_t call_on_stack(uint64_t (*fn)(void *), void *arg, uint64_t stack_top)
 * Runs fn(arg) on another stack and returns its result (tests of stack guard pages).
 */
	.globl	call_on_stack
call_on_stack:
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rdx, %rsp
	movq	%rdi, %rax
	movq	%rsi, %rdi
	callq	*%rax
	movq	%rbp, %rsp
	popq	%rbp
	ret
