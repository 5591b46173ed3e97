/* SPDX-License-Identifier: MIT */
/*
 * The stack-protector canary (-mstack-protector-guard=global reads __stack_chk_guard). It is
 * set once at entry, before any protected function runs, from RDRAND when the CPU has it and
 * from the TSC otherwise. Linked into both the loader and the kernel.
 */
#include <arch/x86/cpu.h>
#include <lib/compiler.h>

uintptr_t __stack_chk_guard;

void canary_init(void);

__no_stack_protector void canary_init(void)
{
	uint64_t v = rdtsc() * 0x9e3779b97f4a7c15ull;
	struct cpuid_regs r = cpuid(1, 0);

	if (r.ecx & (1u << 30)) {
		for (int i = 0; i < 10; i++) {
			uint64_t x = 0;
			uint8_t ok = 0;

			__asm__ __volatile__("rdrand %0; setc %1" : "=r"(x), "=qm"(ok));
			if (ok) {
				v ^= x;
				break;
			}
		}
	}
	/* A zero byte first stops string overflows from reproducing the canary. */
	__stack_chk_guard = (uintptr_t)(v & ~0xffull);
}
