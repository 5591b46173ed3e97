/* SPDX-License-Identifier: MIT */
/*
 * Device access through the GHCB (facts 5.3): port I/O (IOIO, 0x7B), MSRs (0x7C) and MMIO
 * (0x8000_0001/2). What comes back is whatever the hypervisor says the device says: the only
 * checks possible are the protocol's (result code, valid bits, sizes), and they are all made.
 */
#include "snp_internal.h"
#include <lib/string.h>

/* IOIO EXITINFO1 (AMD APM vol. 2, "IOIO intercept"): type, operand size, address size, port. */
#define IOIO_TYPE_IN (1ull << 0)
#define IOIO_SZ8     (1ull << 4)
#define IOIO_SZ16    (1ull << 5)
#define IOIO_SZ32    (1ull << 6)
#define IOIO_A16     (1ull << 7)
#define IOIO_PORT(p) ((uint64_t)(p) << 16)

static bool ioio_size(unsigned int size, uint64_t *bits, uint32_t *mask)
{
	switch (size) {
	case 1:
		*bits = IOIO_SZ8;
		*mask = 0xFFu;
		return true;
	case 2:
		*bits = IOIO_SZ16;
		*mask = 0xFFFFu;
		return true;
	case 4:
		*bits = IOIO_SZ32;
		*mask = 0xFFFFFFFFu;
		return true;
	default:
		return false;
	}
}

int snp_io_read(uint16_t port, unsigned int size, uint32_t *val)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);
	uint64_t szbits = 0;
	uint32_t mask = 0;
	uint64_t rax = 0;
	int err = SNP_OK;

	if (!g)
		return SNP_EIO;
	if (!ioio_size(size, &szbits, &mask))
		return SNP_EINVAL;
	snp_ghcb_clear(g);
	err = snp_ghcb_call(g, gpa, SVM_EXIT_IOIO,
			    IOIO_PORT(port) | IOIO_A16 | szbits | IOIO_TYPE_IN, 0, NULL);
	if (err != SNP_OK)
		return err;
	if (!snp_ghcb_get(g, GHCB_OFF(rax), &rax))
		return SNP_EIO;
	*val = (uint32_t)rax & mask;
	return SNP_OK;
}

int snp_io_write(uint16_t port, unsigned int size, uint32_t val)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);
	uint64_t szbits = 0;
	uint32_t mask = 0;

	if (!g)
		return SNP_EIO;
	if (!ioio_size(size, &szbits, &mask))
		return SNP_EINVAL;
	snp_ghcb_clear(g);
	snp_ghcb_set(g, GHCB_OFF(rax), val & mask);
	return snp_ghcb_call(g, gpa, SVM_EXIT_IOIO, IOIO_PORT(port) | IOIO_A16 | szbits, 0, NULL);
}

/* MSR event: EXITINFO1 0 = read, 1 = write; RCX the MSR, EDX:EAX the value (facts 5.3). */
int snp_msr_read(uint32_t msr, uint64_t *val)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);
	uint64_t rax = 0;
	uint64_t rdx = 0;
	int err = SNP_OK;

	if (!g)
		return SNP_EIO;
	snp_ghcb_clear(g);
	snp_ghcb_set(g, GHCB_OFF(rcx), msr);
	err = snp_ghcb_call(g, gpa, SVM_EXIT_MSR, 0, 0, NULL);
	if (err != SNP_OK)
		return err;
	if (!snp_ghcb_get(g, GHCB_OFF(rax), &rax) || !snp_ghcb_get(g, GHCB_OFF(rdx), &rdx))
		return SNP_EIO;
	*val = (rdx << 32) | (uint32_t)rax;
	return SNP_OK;
}

int snp_msr_write(uint32_t msr, uint64_t val)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);

	if (!g)
		return SNP_EIO;
	snp_ghcb_clear(g);
	snp_ghcb_set(g, GHCB_OFF(rcx), msr);
	snp_ghcb_set(g, GHCB_OFF(rax), (uint32_t)val);
	snp_ghcb_set(g, GHCB_OFF(rdx), val >> 32);
	return snp_ghcb_call(g, gpa, SVM_EXIT_MSR, 1, 0, NULL);
}

/*
 * MMIO: EXITINFO1 = the device GPA, EXITINFO2 = the length, SW_SCRATCH = the GPA of the data in
 * the GHCB's shared buffer (the only place the hypervisor may read or write it).
 */
static int mmio(gpa_t dev, void *buf, size_t len, bool write)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);
	int err = SNP_OK;

	if (!g)
		return SNP_EIO;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return SNP_EINVAL;
	snp_ghcb_clear(g);
	if (write)
		memcpy(g->shared_buffer, buf, len);
	snp_ghcb_set(g, GHCB_OFF(sw_scratch), gpa_addr(gpa) + GHCB_SHARED_BUF_OFF);
	err = snp_ghcb_call(g, gpa, write ? SVM_VMGEXIT_MMIO_WRITE : SVM_VMGEXIT_MMIO_READ,
			    gpa_addr(dev), len, NULL);
	if (err == SNP_OK && !write)
		memcpy(buf, g->shared_buffer, len);
	return err;
}

int snp_mmio_read(gpa_t gpa, void *buf, size_t len)
{
	return mmio(gpa, buf, len, false);
}

int snp_mmio_write(gpa_t gpa, const void *buf, size_t len)
{
	return mmio(gpa, (void *)(uintptr_t)buf, len, true);
}
