/* SPDX-License-Identifier: MIT */
/*
 * Local APIC access. x2APIC (MSR 0x800 + reg/16) when CPUID says so, else xAPIC MMIO at the
 * address in IA32_APIC_BASE. Intel SDM vol. 3A, chapter 11; AMD APM vol. 2, chapter 16.
 */
#include <arch/x86/cpu.h>
#include <copra/apic.h>
#include <copra/cpu.h>
#include <copra/mm.h>
#include <copra/panic.h>

#define APIC_BASE_EN   (1ull << 11)
#define APIC_BASE_EXTD (1ull << 10)
#define REG_ID	       0x20
#define REG_TPR	       0x80
#define REG_EOI	       0xb0
#define REG_SVR	       0xf0
#define REG_ICR_LO     0x300
#define REG_ICR_HI     0x310
#define ICR_PENDING    (1u << 12)

static bool x2;
static volatile uint32_t *mmio;

static uint32_t apic_read(uint32_t reg)
{
	if (x2)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

bool apic_is_x2(void)
{
	return x2;
}

/* Per CPU; the first call (on the BSP) picks the mode and maps the xAPIC page. */
void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	x2 = cpu_feat.x2apic;
	if (x2) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
		if (!mmio)
			mmio = kmap_mmio(pa_init(base & 0xffffff000ull), PAGE_SIZE_4K);
	}
	apic_write(REG_TPR, 0);
	apic_write(REG_SVR, 0x100 | 0xff); /* software enable, spurious vector 0xff */
}

uint32_t apic_id(void)
{
	return x2 ? apic_read(REG_ID) : apic_read(REG_ID) >> 24;
}

void apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (x2) {
		wrmsr(0x830, (uint64_t)dest << 32 | icr_low);
		return;
	}
	apic_write(REG_ICR_HI, dest << 24);
	apic_write(REG_ICR_LO, icr_low);
	for (unsigned int i = 0; i < 1000000 && (apic_read(REG_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
}

void apic_eoi(void)
{
	apic_write(REG_EOI, 0);
}
