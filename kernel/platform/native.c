/* SPDX-License-Identifier: MIT */
/*
 * The native platform: a plain (non-confidential) VM under QEMU. Exit goes through
 * isa-debug-exit; APs start with INIT-SIPI-SIPI.
 */
#include <arch/x86/cpu.h>
#include <boot/exit.h>
#include <copra/apic.h>
#include <copra/cpu.h>
#include <copra/log.h>
#include <copra/panic.h>
#include <copra/platform.h>
#include <copra/snp.h>

#include "snp/snp_hw.h"

/*
 * Native is the only platform Copra boots on yet. Under SEV-SNP the boot path (IGVM launch,
 * GHCB, the guest's VMSA) is not there: refuse clearly rather than run native code (port I/O,
 * INIT-SIPI) that would fault there.
 */
void platform_init(const struct boot_info *bi)
{
	uint64_t sev_status = 0;

	(void)bi;
	if (snp_hw_probe(&sev_status) != 0)
		panic("SEV-SNP is active (SEV_STATUS %#llx) but Copra's SNP boot path does not "
		      "exist yet",
		      (unsigned long long)sev_status);
	pr_info("platform: native (%s)\n",
		sev_status ? "SEV without SNP: not used" : "CPUID announces no SEV");
}

const char *platform_name(void)
{
	return "native";
}

/* Native holds no VMPCK, but the SNP guest-message layer is linked in: wiping it is harmless. */
void platform_wipe_secrets(void)
{
	snp_wipe_vmpcks();
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
