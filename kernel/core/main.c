/* SPDX-License-Identifier: MIT */
/*
 * kernel_main: the boot CPU's path from the loader's hand-off to `ready`.
 */
#include <arch/x86/cpu.h>
#include <boot/exit.h>
#include <copra/apic.h>
#include <copra/cmdline.h>
#include <copra/cpu.h>
#include <copra/guest.h>
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/platform.h>
#include <copra/smp.h>
#include <copra/test.h>
#include <copra/trap.h>

#ifndef COPRA_VERSION
#define COPRA_VERSION "unknown"
#endif

const struct boot_info *boot_info;

/* The loader is ours, but a mismatched loader/kernel pair must stop with a clear message. */
static void check_boot_info(const struct boot_info *bi)
{
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION ||
	    bi->size != sizeof(*bi))
		panic("boot_info mismatch (magic %llx version %u size %u): loader and kernel "
		      "differ",
		      (unsigned long long)bi->magic, bi->version, bi->size);
	if (bi->e820_count > BOOT_E820_MAX || bi->cpu_count == 0 || bi->svsm_size == 0)
		panic("boot_info is inconsistent");
}

static void apply_cmdline(const struct boot_info *bi)
{
	char val[16];
	enum log_level lv = LOG_INFO;

	cmdline_init(bi->cmdline);
	if (cmdline_get("loglevel", val, sizeof(val))) {
		if (log_parse_level(val, &lv))
			log_set_level(lv);
		else
			pr_warn("unknown loglevel '%s' ignored\n", val);
	}
}

void kernel_main(const struct boot_info *bi);
__noreturn void kernel_main(const struct boot_info *bi)
{
	struct percpu *bsp = &percpu_area[0];
	uint64_t t0 = rdtsc();

	log_init();
	boot_info = bi;
	check_boot_info(bi);
	apply_cmdline(bi);
	pr_info("Copra %s (%s platform)\n", COPRA_VERSION,
		bi->platform == BOOT_PLATFORM_SNP ? "SEV-SNP" : "native");
	if (bi->cmdline[0])
		pr_info("command line: %s\n", bi->cmdline);
	cpu_detect();
	cpu_enable_protections();
	mm_init(bi);
	guest_init(bi);
	symbols_init(bi->symtab_va, bi->symtab_size);
	idt_init();
	bsp->stack_bottom = bi->stack_bottom_va;
	bsp->stack_top = bi->stack_top_va;
	percpu_setup(bsp, 0);
	guest_window_init_cpu();
	cpu_log_features();
	platform_init(bi);
	apic_init();
	bsp->apic_id = apic_id();
	bsp->online = 1;
	pr_info("smp: cpu 0 online (APIC ID %u, %s)\n", bsp->apic_id,
		apic_is_x2() ? "x2APIC" : "xAPIC");
	smp_boot_aps(bi);
	pr_info("ready: %u CPU(s) online, boot took %llu us\n", smp_cpus_online(),
		(unsigned long long)((rdtsc() - t0) * 1000 / tsc_khz()));

	if (ktest_run_all() >= 0)
		panic("ktest_run_all returned");
	if (cmdline_has("exit_on_ready"))
		platform_exit(COPRA_EXIT_SUCCESS);
	for (;;)
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}
