/* SPDX-License-Identifier: MIT */
/*
 * TSC frequency, for delays and timeouts: CPUID leaf 0x15/0x16 when the CPU reports it,
 * otherwise measured once against the PIT (1.193182 MHz) over a short window.
 */
#include <arch/x86/cpu.h>
#include <copra/cpu.h>
#include <copra/log.h>

#define PIT_HZ		1193182u
#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define CALIBRATE_TICKS (PIT_HZ / 1000) /* 1 ms: 0.1% is plenty for timeouts and logs */

static uint64_t khz;

static uint16_t pit_read(void)
{
	uint8_t lo = 0;
	uint8_t hi = 0;

	outb(PIT_CMD, 0x00); /* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

static uint64_t calibrate_pit(void)
{
	uint16_t prev = 0;
	uint32_t elapsed = 0;
	uint64_t t0 = 0;

	/* Channel 0, lobyte/hibyte, mode 2 (rate generator), full 16-bit count. */
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	prev = pit_read();
	t0 = rdtsc();
	for (uint32_t spins = 0; elapsed < CALIBRATE_TICKS; spins++) {
		uint16_t now = pit_read();

		elapsed += (uint16_t)(prev - now);
		prev = now;
		if (spins > 50000000u)
			return 0; /* no PIT */
	}
	return (rdtsc() - t0) * PIT_HZ / elapsed / 1000;
}

uint64_t tsc_khz(void)
{
	struct cpuid_regs r;

	if (khz)
		return khz;
	if (cpu_feat.max_leaf >= 0x15) {
		r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			khz = (uint64_t)r.ecx * r.ebx / r.eax / 1000;
	}
	if (!khz && cpu_feat.max_leaf >= 0x16) {
		r = cpuid(0x16, 0);
		if (r.eax & 0xffff)
			khz = (uint64_t)(r.eax & 0xffff) * 1000;
	}
	if (!khz)
		khz = calibrate_pit();
	if (!khz) {
		pr_warn("tsc: no way to measure the TSC; assuming 1 GHz\n");
		khz = 1000000;
	}
	pr_debug("tsc: %llu kHz\n", (unsigned long long)khz);
	return khz;
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz() / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
