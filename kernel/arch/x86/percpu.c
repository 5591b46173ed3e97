/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU areas and each CPU's GDT + TSS. GDT layout (selectors):
 *   0x08 kernel code64, 0x10 kernel data, 0x18 user data, 0x20 user code64, 0x28 TSS (16 bytes)
 * The user selectors are laid out for SYSRET (STAR[63:48] + 8 / + 16) for the user-mode issue.
 */
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/trap.h>
#include <lib/string.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS	  0x28

struct percpu percpu_area[MAX_CPUS];

struct __packed desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static void gdt_fill(struct percpu *pc)
{
	uint64_t tss = (uint64_t)&pc->tss;
	uint64_t limit = sizeof(pc->tss) - 1;

	pc->gdt[0] = 0;
	pc->gdt[1] = 0x00af9b000000ffffull; /* kernel code: L, P, DPL0, accessed */
	pc->gdt[2] = 0x00cf93000000ffffull; /* kernel data */
	pc->gdt[3] = 0x00cff3000000ffffull; /* user data, DPL3 */
	pc->gdt[4] = 0x00affb000000ffffull; /* user code, L, DPL3 */
	/* 64-bit TSS descriptor, AMD APM vol. 2, figure 4-22: type 9 (available), present. */
	pc->gdt[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
		     ((limit >> 16 & 0xf) << 48) | ((tss >> 24 & 0xff) << 56);
	pc->gdt[6] = tss >> 32;
}

static void gdt_load(struct percpu *pc)
{
	struct desc_ptr p = {sizeof(pc->gdt) - 1, (uint64_t)pc->gdt};

	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movw %%ax, %%ds\n\t"
			     "movw %%ax, %%es\n\t"
			     "movw %%ax, %%ss\n\t"
			     "xorl %%eax, %%eax\n\t"
			     "movw %%ax, %%fs\n\t"
			     :
			     : "m"(p), "i"(SEL_KCODE), "i"(SEL_KDATA)
			     : "rax", "memory");
	/* Loading %gs would clear GS_BASE; it was set by entry.S/ap_main and stays. */
	__asm__ __volatile__("ltr %w0" ::"r"(SEL_TSS));
}

/* Builds and loads this CPU's GDT/TSS with IST stacks (each with a guard page), and the IDT. */
void percpu_setup(struct percpu *pc, uint32_t index)
{
	pc->self = pc;
	pc->index = index;
	memset(&pc->tss, 0, sizeof(pc->tss));
	for (int i = 0; i < 3; i++) {
		uint64_t bottom = 0;

		stack_alloc(&bottom, &pc->ist_top[i]);
	}
	pc->tss.ist[IST_DF - 1] = pc->ist_top[0];
	pc->tss.ist[IST_NMI - 1] = pc->ist_top[1];
	pc->tss.ist[IST_MC - 1] = pc->ist_top[2];
	pc->tss.rsp[0] = pc->stack_top;
	pc->tss.iomap_base = sizeof(pc->tss); /* no I/O bitmap */
	gdt_fill(pc);
	gdt_load(pc);
	idt_load();
}

int percpu_stack_contains(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	uint64_t slot = 0;

	if (addr < KSTACK_VBASE || addr >= KSTACK_VBASE + KSTACK_SLOTS * KSTACK_SLOT)
		return 0;
	slot = (addr - KSTACK_VBASE) / KSTACK_SLOT;
	*lo = KSTACK_VBASE + slot * KSTACK_SLOT + PAGE_SIZE_4K;
	*hi = *lo + KSTACK_SIZE;
	return addr >= *lo && addr < *hi;
}
