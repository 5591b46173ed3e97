/* SPDX-License-Identifier: MIT */
/*
 * panic: report, stop every other CPU (NMI), end the VM with COPRA_EXIT_PANIC. A second
 * panic (another CPU, or a fault inside panic) only stops the CPU it happens on.
 */
#include <arch/x86/cpu.h>
#include <boot/exit.h>
#include <copra/log.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/platform.h>
#include <copra/smp.h>
#include <copra/trap.h>

static volatile uint32_t panicking;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	uint32_t stopped = 0;

	irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL)) {
		/* Someone else is panicking (or we faulted inside panic): just stop. */
		smp_stopped_here();
	}
	/* First, before anything else can go wrong: no guest message after a panic (SNP). */
	platform_wipe_secrets();
	log_enter_panic();
	log_printf(LOG_ERR, "\nPANIC on cpu %u: ", this_cpu()->index);
	va_start(ap, fmt);
	log_vprintf(LOG_ERR, fmt, ap);
	va_end(ap);
	log_printf(LOG_ERR, "\n");
	/* Start at panic's caller: its return address and the frame it saved. */
	backtrace_print(LOG_ERR, (uint64_t)__builtin_return_address(0),
			*(const uint64_t *)__builtin_frame_address(0), 0);
	stopped = smp_stop_others();
	log_printf(LOG_ERR, "panic: stopped %u other CPU(s); exiting\n", stopped);
	platform_exit(COPRA_EXIT_PANIC);
}

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack protector: corrupted stack frame in %p",
	      __builtin_extract_return_addr(__builtin_return_address(0)));
}
