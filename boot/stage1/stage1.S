/* SPDX-License-Identifier: MIT */
/*
 * stage1: from the reset vector to 64-bit code in the higher half.
 *
 * Real mode -> 32-bit protected mode with a GDT copied to RAM (this machine's KVM refuses a
 * GDT in ROM) -> paging with PAE + EFER.LME -> compatibility mode -> a two-instruction 64-bit
 * step at the identity address -> the loader, which runs in the higher-half alias of the ROM
 * (the same KVM cannot run 64-bit supervisor code at low addresses for long).
 *
 * Page tables built here (7 pages at STAGE1_PT_PHYS, all 2 MiB pages, W=1):
 *   PML4[0]   -> PDPT_A  identity map of 0..4 GiB (only for the step out of compat mode)
 *   PML4[256] -> PDPT_A  PHYSMAP_VBASE + pa for 0..4 GiB
 *   PML4[511] -> PDPT_B  [510] -> PD0: LOWRAM_VBASE + pa for 0..1 GiB
 *                        [511] -> PD3: ROM_VOFF + pa for 3..4 GiB (the image)
 * The loader replaces all of this with the kernel's tables before the kernel runs.
 */
#include <boot/layout.h>

#define SEL_CODE64 0x08
#define SEL_CODE32 0x10
#define SEL_DATA   0x18

#define PT_PML4	  (STAGE1_PT_PHYS)
#define PT_PDPT_A (STAGE1_PT_PHYS + 0x1000)
#define PT_PDPT_B (STAGE1_PT_PHYS + 0x2000)
#define PT_PD0	  (STAGE1_PT_PHYS + 0x3000)
#define PT_PD3	  (STAGE1_PT_PHYS + 0x6000)

#define RESET_CS_BASE 0xffff0000

	.section .stage1, "ax"
	.code16
	.globl stage1_real
stage1_real:
	cli
	cld
	xorl	%eax, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	/* Copy the GDT to RAM; after reset %cs has base 0xffff0000, so the ROM's top 64 KiB is
	   reachable through it. */
	movw	$(stage1_gdt - RESET_CS_BASE), %si
	movw	$STAGE1_GDT_PHYS, %di
	movw	$(stage1_gdt_end - stage1_gdt), %cx
1:	movb	%cs:(%si), %al
	movb	%al, (%di)
	incw	%si
	incw	%di
	loop	1b
	/* The GDTR image lives right after the copied GDT. */
	movw	$(stage1_gdt_end - stage1_gdt - 1), STAGE1_GDT_PHYS + 0x100
	movl	$STAGE1_GDT_PHYS, STAGE1_GDT_PHYS + 0x102
	lgdtl	STAGE1_GDT_PHYS + 0x100
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $stage1_pm32

	.code32
stage1_pm32:
	movl	$SEL_DATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs

	/* Zero the page-table pages. */
	movl	$STAGE1_PT_PHYS, %edi
	movl	$(STAGE1_PT_PAGES * 0x1000 / 4), %ecx
	xorl	%eax, %eax
	rep stosl

	movl	$(PT_PDPT_A | 3), PT_PML4
	movl	$(PT_PDPT_A | 3), PT_PML4 + 256 * 8
	movl	$(PT_PDPT_B | 3), PT_PML4 + 511 * 8
	movl	$(PT_PD0 | 3), PT_PDPT_A
	movl	$((PT_PD0 + 0x1000) | 3), PT_PDPT_A + 8
	movl	$((PT_PD0 + 0x2000) | 3), PT_PDPT_A + 16
	movl	$(PT_PD3 | 3), PT_PDPT_A + 24
	movl	$(PT_PD0 | 3), PT_PDPT_B + 510 * 8
	movl	$(PT_PD3 | 3), PT_PDPT_B + 511 * 8

	/* 2048 PD entries (PD0..PD3 are contiguous) mapping 0..4 GiB: P | W | PS. */
	movl	$PT_PD0, %edi
	movl	$0x83, %eax
	movl	$2048, %ecx
2:	movl	%eax, (%edi)
	movl	$0, 4(%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	2b

	movl	$PT_PML4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4

	/* EFER.LME, plus NXE when the CPU has NX (the loader's page tables rely on it then). */
	xorl	%esi, %esi
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	3f
	movl	$0x80000001, %eax
	cpuid
	btl	$20, %edx
	jnc	3f
	movl	$0x800, %esi		/* EFER.NXE */
3:	movl	$0xc0000080, %ecx
	rdmsr
	orl	$0x100, %eax		/* EFER.LME */
	orl	%esi, %eax
	wrmsr

	movl	%cr0, %eax
	orl	$0x80010000, %eax	/* PG | WP */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $stage1_low64

	.code64
stage1_low64:
	/* Two instructions at a low address, then the higher half for good. */
	movabsq	$loader_entry64, %rax
	jmpq	*%rax

	/* Descriptors are marked accessed so the CPU never writes them back. */
	.balign	16
stage1_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad	0x00cf9b000000ffff	/* 0x10: 32-bit code */
	.quad	0x00cf93000000ffff	/* 0x18: data */
stage1_gdt_end:

	.section .reset, "ax"
	.code16
	.globl stage1_reset
stage1_reset:
	jmp	stage1_real
	.balign	16, 0xf4
