/* SPDX-License-Identifier: MIT */
/*
 * PVALIDATE and RMPADJUST by GPA, and the RMP recipes the SVSM protocols use (facts 5.6).
 * The instructions take a virtual address, so each GPA is mapped for the one instruction; a
 * GPA the SVSM cannot map is reported the way the hardware reports a bad address, FAIL_INPUT.
 */
#include "snp_internal.h"

static bool pgsize_ok(enum snp_pgsize sz)
{
	return sz == SNP_PAGE_4K || sz == SNP_PAGE_2M;
}

uint32_t snp_pvalidate_va(vaddr_t va, enum snp_pgsize sz, bool validate, bool *no_change)
{
	bool cf = false;
	uint32_t rc = snp_hw_pvalidate(va, sz, validate, &cf);

	*no_change = rc == SNP_RMP_OK && cf;
	return rc;
}

uint32_t snp_pvalidate(gpa_t gpa, enum snp_pgsize sz, bool validate, bool *no_change)
{
	vaddr_t va = va_init(0);
	uint32_t rc = 0;

	*no_change = false;
	if (!pgsize_ok(sz) || !snp_hw_map(gpa, sz, &va))
		return SNP_RMP_FAIL_INPUT;
	rc = snp_pvalidate_va(va, sz, validate, no_change);
	snp_hw_unmap(va, sz);
	return rc;
}

uint32_t snp_rmpadjust(gpa_t gpa, enum snp_pgsize sz, uint64_t attrs)
{
	vaddr_t va = va_init(0);
	uint32_t rc = 0;

	if (!pgsize_ok(sz) || !snp_hw_map(gpa, sz, &va))
		return SNP_RMP_FAIL_INPUT;
	rc = snp_hw_rmpadjust(va, sz, attrs);
	snp_hw_unmap(va, sz);
	return rc;
}

/*
 * Every VMPL below the SVSM loses all access. Also clears the VMSA bit: RMPADJUST from VMPL0
 * writes the bit as given (facts 5.6), here 0.
 */
uint32_t snp_revoke_guest_access(gpa_t gpa, enum snp_pgsize sz)
{
	for (unsigned int vmpl = 1; vmpl <= SNP_VMPL_MAX; vmpl++) {
		uint32_t rc = snp_rmpadjust(gpa, sz, vmpl);

		if (rc != SNP_RMP_OK)
			return rc;
	}
	return SNP_RMP_OK;
}

/* VMPLs 1..vmpl get RWX: the caller's VMPL and every more privileged one (facts 2.2). */
uint32_t snp_grant_guest_access(gpa_t gpa, enum snp_pgsize sz, unsigned int vmpl)
{
	if (vmpl == 0 || vmpl > SNP_VMPL_MAX)
		return SNP_RMP_FAIL_INPUT;
	for (unsigned int v = 1; v <= vmpl; v++) {
		uint32_t rc = snp_rmpadjust(gpa, sz, v | SNP_PERM_RWX);

		if (rc != SNP_RMP_OK)
			return rc;
	}
	return SNP_RMP_OK;
}

/*
 * Revoke, then the VMSA bit with read access for the vCPU's VMPL (facts 5.6). A VMSA page is
 * always a 4 KiB page (and never 2 MiB aligned, which the caller checks).
 */
uint32_t snp_make_guest_vmsa(gpa_t gpa, unsigned int vmpl)
{
	uint32_t rc = 0;

	if (vmpl == 0 || vmpl > SNP_VMPL_MAX)
		return SNP_RMP_FAIL_INPUT;
	rc = snp_revoke_guest_access(gpa, SNP_PAGE_4K);
	if (rc != SNP_RMP_OK)
		return rc;
	return snp_rmpadjust(gpa, SNP_PAGE_4K, vmpl | SNP_PERM_READ | SNP_RMPADJ_VMSA);
}

/* Revoke (which clears the VMSA bit), then the guest's normal access again (facts 2.4). */
uint32_t snp_clear_guest_vmsa(gpa_t gpa, unsigned int vmpl)
{
	uint32_t rc = 0;

	if (vmpl == 0 || vmpl > SNP_VMPL_MAX)
		return SNP_RMP_FAIL_INPUT;
	rc = snp_revoke_guest_access(gpa, SNP_PAGE_4K);
	if (rc != SNP_RMP_OK)
		return rc;
	return snp_grant_guest_access(gpa, SNP_PAGE_4K, vmpl);
}
