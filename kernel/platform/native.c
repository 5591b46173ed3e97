/* SPDX-License-Identifier: MIT */
/*
 * The native platform: a plain (non-confidential) VM under QEMU. Exit goes through
 * isa-debug-exit; APs start with INIT-SIPI-SIPI.
 */
#include <arch/x86/cpu.h>
#include <boot/exit.h>
#include <copra/apic.h>
#include <copra/cpu.h>
#include <copra/platform.h>

void platform_init(const struct boot_info *bi)
{
	(void)bi;
}

const char *platform_name(void)
{
	return "native";
}

void platform_exit(uint32_t code)
{
	outb(COPRA_EXIT_PORT, (uint8_t)code);
	/* No isa-debug-exit device: stay stopped. */
	cpu_halt_forever();
}

/*
 * INIT, then two STARTUPs to every other CPU (Intel SDM vol. 3A, 9.4.4.1). The waits matter
 * on hardware only; under a hypervisor they are skipped.
 */
void platform_start_aps(uint32_t trampoline_phys)
{
	uint32_t vector = trampoline_phys >> 12;
	bool hw = !cpu_feat.hypervisor;

	apic_send_ipi(0, ICR_INIT | ICR_ASSERT | ICR_ALL_BUT_SELF);
	if (hw)
		udelay(10000);
	for (int i = 0; i < 2; i++) {
		apic_send_ipi(0, ICR_STARTUP | ICR_ASSERT | ICR_ALL_BUT_SELF | vector);
		if (hw)
			udelay(200);
	}
}
