/* SPDX-License-Identifier: MIT */
/* Exceptions and interrupts: the trap frame, reporting, and expected-fault catching. */
#ifndef COPRA_TRAP_H
#define COPRA_TRAP_H

#include <copra/log.h>
#include <stdbool.h>
#include <stdint.h>

/* Built by isr_common in kernel/arch/x86/isr.S: GPRs, vector, error code, CPU frame. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "isr.S pushes 22 quadwords");

#define VEC_DE	     0
#define VEC_NMI	     2
#define VEC_BP	     3
#define VEC_UD	     6
#define VEC_DF	     8
#define VEC_GP	     13
#define VEC_PF	     14
#define VEC_MC	     18
#define VEC_CALL     0xf0 /* smp_call IPI */
#define VEC_SPURIOUS 0xff

#define IST_DF	     1
#define IST_NMI	     2
#define IST_MC	     3

/* Saved callee state for resuming after a caught fault (kernel/arch/x86/jmp.S). */
struct jmp_ctx {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};

int ctx_save(struct jmp_ctx *ctx) __attribute__((returns_twice));
__noreturn void ctx_restore(struct jmp_ctx *ctx, int value);

/*
 * Catching an expected fault (tests of the fault path). Use as:
 *   struct fault_catch fc;
 *   if (fault_catch_arm(&fc, VEC_PF) == 0) { ...code that faults...; fault_catch_disarm(); }
 *   else { fc.cr2, fc.error, fc.rip describe the fault, which was reported like a panic }
 * Only this CPU and only the named vector are caught.
 */
struct fault_catch {
	struct jmp_ctx ctx;
	uint64_t vector;
	uint64_t error;
	uint64_t rip;
	uint64_t cr2;
	bool hit;
};

#define fault_catch_arm(fc, vec) (fault_catch_prepare((fc), (vec)), ctx_save(&(fc)->ctx))
void fault_catch_prepare(struct fault_catch *fc, uint64_t vector);
void fault_catch_disarm(void);

void idt_init(void);
void idt_load(void);
void trap_dispatch(struct trap_frame *f);
void trap_report(const struct trap_frame *f, enum log_level level);
const char *trap_name(uint64_t vector);

/* rsp: the faulting stack pointer, for a leaf function's caller; 0 when not from a trap. */
void backtrace_print(enum log_level level, uint64_t rip, uint64_t rbp, uint64_t rsp);
const char *symbolize(uint64_t addr, uint64_t *offset);
void symbols_init(uint64_t va, uint64_t size);

uint64_t call_on_stack(uint64_t (*fn)(void *), void *arg, uint64_t stack_top);

#endif
