/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through GS (gs:0 holds the area's own address). CPU 0 is the boot CPU;
 * APs get indices in the order they arrive.
 */
#ifndef COPRA_PERCPU_H
#define COPRA_PERCPU_H

#include <lib/compiler.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CPUS 64

/* AMD APM vol. 2, figure 12-8: the 64-bit TSS. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss64) == 104, "AMD APM vol. 2, 12.2.5");

struct fault_catch;

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads gs:0 */
	uint32_t index;
	uint32_t apic_id;
	uint64_t stack_bottom; /* this CPU's main kernel stack */
	uint64_t stack_top;
	uint64_t ist_top[3]; /* #DF, NMI, #MC */
	uint64_t gdt[7] __aligned(16);
	struct tss64 tss __aligned(16);
	struct fault_catch *catcher; /* armed by fault_catch_arm(), see trap.h */
	uint64_t window_va;	     /* this CPU's temporary mapping window (guest.c) */
	uint64_t *window_pte;
	volatile uint32_t online;
	/* smp_call mailbox */
	void (*volatile call_fn)(void *arg);
	void *volatile call_arg;
	volatile uint32_t call_done;
};

extern struct percpu percpu_area[MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	struct percpu *p = NULL;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_early_init(void);
void percpu_setup(struct percpu *pc, uint32_t index);

/* Whole kernel-stack range check for backtraces and overflow reports. */
int percpu_stack_contains(uint64_t addr, uint64_t *lo, uint64_t *hi);

#endif
