/* SPDX-License-Identifier: MIT */
/*
 * The GHCB MSR protocol (facts 5.2): a request in the GHCB MSR, VMGEXIT, a response in the same
 * MSR. It works before any GHCB page exists (boot, page sharing for the GHCB itself) and is the
 * transport for Run VMPL. Each exchange saves and restores the MSR, so a registered GHCB GPA
 * survives it. Every response is the hypervisor's word: its code, its reserved bits and its
 * echoed values are all checked before anything is believed.
 */
#include "snp_internal.h"

/* One request/response; returns the response (the caller checks it). */
static uint64_t msr_exchange(uint64_t req)
{
	uint64_t saved = snp_hw_ghcb_msr_read();
	uint64_t resp = 0;

	snp_hw_ghcb_msr_write(req);
	snp_hw_vmgexit();
	resp = snp_hw_ghcb_msr_read();
	snp_hw_ghcb_msr_write(saved);
	return resp;
}

/* SEV information: GHCB protocol version 2 must lie in the hypervisor's [min, max]. */
int snp_msr_sev_info(uint8_t *cbit)
{
	uint64_t resp = msr_exchange(GHCB_MSR_SEV_INFO_REQ);
	uint16_t max = (uint16_t)(resp >> 48);
	uint16_t min = (uint16_t)(resp >> 32);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_SEV_INFO_RESP)
		return SNP_EIO;
	if (min > GHCB_PROTOCOL_VERSION || max < GHCB_PROTOCOL_VERSION)
		return SNP_EIO;
	*cbit = (uint8_t)(resp >> 24);
	return SNP_OK;
}

/* CPUID through the hypervisor: an untrusted value, for information only (facts 5.2). */
int snp_msr_cpuid(uint32_t fn, unsigned int reg, uint32_t *val)
{
	uint64_t resp = 0;

	if (reg > 3)
		return SNP_EINVAL;
	resp = msr_exchange(GHCB_MSR_CPUID_REQ | ((uint64_t)reg << 30) | ((uint64_t)fn << 32));
	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_CPUID_RESP)
		return SNP_EIO;
	*val = (uint32_t)(resp >> 32);
	return SNP_OK;
}

/*
 * Registers the GHCB GPA (mandatory under SNP before the page is used). The response must
 * echo exactly the GFN asked for. On success the MSR is left holding the GHCB GPA.
 */
int snp_msr_register_ghcb(gpa_t ghcb)
{
	uint64_t gfn = gpa_addr(ghcb) >> 12;
	uint64_t resp = 0;

	if (!IS_ALIGNED(gpa_addr(ghcb), SNP_PAGE_SIZE) || gfn > SNP_GFN_MAX)
		return SNP_EINVAL;
	resp = msr_exchange(GHCB_MSR_REG_GPA_REQ | (gfn << 12));
	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_REG_GPA_RESP || (resp >> 12) != gfn)
		return SNP_EIO;
	snp_hw_ghcb_msr_write(gpa_addr(ghcb));
	return SNP_OK;
}

/* Page-state change of one 4 KiB page; the error field [63:32] must be 0. */
int snp_msr_psc(gpa_t gpa, bool to_shared)
{
	uint64_t gfn = gpa_addr(gpa) >> 12;
	uint64_t op = to_shared ? GHCB_PSC_OP_SHARED : GHCB_PSC_OP_PRIVATE;
	uint64_t resp = 0;

	if (!IS_ALIGNED(gpa_addr(gpa), SNP_PAGE_SIZE) || gfn > SNP_GFN_MAX)
		return SNP_EINVAL;
	resp = msr_exchange(GHCB_MSR_PSC_REQ | (op << 52) | (gfn << 12));
	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_PSC_RESP || (resp >> 32) != 0)
		return SNP_EIO;
	return SNP_OK;
}

int snp_msr_hv_features(uint64_t *features)
{
	uint64_t resp = msr_exchange(GHCB_MSR_HV_FT_REQ);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_HV_FT_RESP)
		return SNP_EIO;
	*features = resp >> 12;
	return SNP_OK;
}

/*
 * Run VMPL (facts 1.3 / 5.2): the hypervisor runs this vCPU's VMSA for vmpl and comes back when
 * it exits. The response must be 0x017 with the error field and the reserved bits [31:12] 0.
 */
int snp_run_vmpl(unsigned int vmpl)
{
	uint64_t resp = 0;

	if (vmpl == 0 || vmpl > SNP_VMPL_MAX)
		return SNP_EINVAL;
	resp = msr_exchange(GHCB_MSR_VMPL_REQ | ((uint64_t)vmpl << 32));
	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_VMPL_RESP || (resp >> 12) != 0)
		return SNP_EIO;
	return SNP_OK;
}

void snp_msr_term_request(unsigned int reason_set, unsigned int reason_code)
{
	snp_hw_ghcb_msr_write(GHCB_MSR_TERM_REQ | ((uint64_t)(reason_set & 0xF) << 12) |
			      ((uint64_t)(reason_code & 0xFF) << 16));
	snp_hw_vmgexit();
}

/* A hypervisor that returns from a termination request is ignored: ask again, forever. */
void snp_terminate(unsigned int reason_set, unsigned int reason_code)
{
	for (;;)
		snp_msr_term_request(reason_set, reason_code);
}
