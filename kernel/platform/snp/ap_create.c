/* SPDX-License-Identifier: MIT */
/*
 * AP Creation NAE (facts 5.5): tells the hypervisor which VMSA page to run for (APIC ID, VMPL).
 * The VMSA itself is made and checked by the caller (snp_make_guest_vmsa, snp_vmsa_check);
 * this only carries the request and checks the answer.
 */
#include "snp_internal.h"

int snp_ap_create(enum snp_ap_request req, uint32_t apic_id, unsigned int vmpl, gpa_t vmsa,
		  uint64_t sev_features)
{
	gpa_t gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&gpa);
	uint64_t info1 = 0;

	if (!g)
		return SNP_EIO;
	if (req != SNP_AP_CREATE_ON_INIT && req != SNP_AP_CREATE && req != SNP_AP_DESTROY)
		return SNP_EINVAL;
	if (vmpl > SNP_VMPL_MAX || !IS_ALIGNED(gpa_addr(vmsa), SNP_PAGE_SIZE))
		return SNP_EINVAL;
	/* EXITINFO1 = APIC ID [63:32] | VMPL [19:16] | request [15:0]. */
	info1 = ((uint64_t)apic_id << 32) | ((uint64_t)(vmpl & 0xF) << 16) | (uint64_t)req;
	snp_ghcb_clear(g);
	if (req != SNP_AP_DESTROY)
		snp_ghcb_set(g, GHCB_OFF(rax), sev_features);
	return snp_ghcb_call(g, gpa, SVM_VMGEXIT_AP_CREATION, info1, gpa_addr(vmsa), NULL);
}
