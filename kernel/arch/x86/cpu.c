/* SPDX-License-Identifier: MIT */
/*
 * CPU feature detection (CPUID) and the protections Copra turns on from it: CR0.WP,
 * EFER.NXE, CR4.SMEP/SMAP/UMIP. AMD APM vol. 3, appendix E (CPUID); Intel SDM vol. 2A.
 */
#include <arch/x86/cpu.h>
#include <copra/cpu.h>
#include <copra/log.h>
#include <copra/panic.h>
#include <lib/string.h>

struct cpu_features cpu_feat;

void cpu_detect(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	struct cpu_features *f = &cpu_feat;

	f->max_leaf = r.eax;
	memcpy(f->vendor, &r.ebx, 4);
	memcpy(f->vendor + 4, &r.edx, 4);
	memcpy(f->vendor + 8, &r.ecx, 4);
	f->vendor[12] = '\0';
	r = cpuid(1, 0);
	f->x2apic = r.ecx & (1u << 21);
	f->rdrand = r.ecx & (1u << 30);
	f->hypervisor = r.ecx & (1u << 31);
	f->pge = r.edx & (1u << 13);
	if (f->max_leaf >= 7) {
		r = cpuid(7, 0);
		f->smep = r.ebx & (1u << 7);
		f->smap = r.ebx & (1u << 20);
		f->umip = r.ecx & (1u << 2);
		f->shstk = r.ecx & (1u << 7);
	}
	r = cpuid(0x80000000, 0);
	f->max_ext_leaf = r.eax;
	if (f->max_ext_leaf >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		f->nx = r.edx & (1u << 20);
		f->pdpe1gb = r.edx & (1u << 26);
	}
}

void cpu_enable_protections(void)
{
	uint64_t cr4 = read_cr4();

	write_cr0(read_cr0() | CR0_WP);
	if (cpu_feat.nx && !(rdmsr(MSR_EFER) & EFER_NXE))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (cpu_feat.smep)
		cr4 |= CR4_SMEP;
	if (cpu_feat.smap)
		cr4 |= CR4_SMAP;
	if (cpu_feat.umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
}

void cpu_log_features(void)
{
	pr_info("cpu: %s%s, NX %s, SMEP %s, SMAP %s, UMIP %s, x2APIC %s, shadow stacks %s\n",
		cpu_feat.vendor, cpu_feat.hypervisor ? " (hypervisor)" : "",
		cpu_feat.nx ? "on" : "absent", cpu_feat.smep ? "on" : "absent",
		cpu_feat.smap ? "on" : "absent", cpu_feat.umip ? "on" : "absent",
		cpu_feat.x2apic ? "yes" : "no", cpu_feat.shstk ? "present" : "absent");
}
