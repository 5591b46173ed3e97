/* SPDX-License-Identifier: MIT */
/*
 * SVSM_CORE_CREATE_VCPU and SVSM_CORE_DELETE_VCPU (SPEC §6.3 / §6.4, facts 2.3 / 2.4): guest
 * VMSAs become SVSM-private RMP VMSA pages, and back. Both hold s->lock for writing, so no
 * PVALIDATE list or guest copy runs between the ownership checks and the RMP changes.
 */
#include <copra/snp_vmsa.h>

#include "svsm_internal.h"

static int free_vcpu_slot(const struct svsm_state *s)
{
	for (unsigned int i = 0; i < SVSM_MAX_VCPUS; i++) {
		if (!s->vcpus[i].used)
			return (int)i;
	}
	return -1;
}

static int cpu_of_apic(const struct svsm_state *s, uint32_t apic_id)
{
	for (unsigned int i = 0; i < s->ncpus; i++) {
		if (s->cpus[i].apic_id == apic_id)
			return (int)i;
	}
	return -1;
}

static bool page_validated(struct svsm_state *s, uint64_t gpa)
{
	bool v = false;

	spin_lock(&s->pages_lock);
	v = rle_test(&s->validated, gpa / SVSM_PAGE_SIZE);
	spin_unlock(&s->pages_lock);
	return v;
}

/*
 * Checks that need the table: the VMSA page is plain validated guest memory; the calling area
 * is validated guest memory or the calling area of a VMSA of the same APIC ID (Linux re-uses a
 * CPU's area for the VMSA that replaces the old one, facts 2.3). s->lock held for writing.
 */
static uint32_t check_pages(struct svsm_state *s, uint64_t vmsa, uint64_t caa, uint32_t apic)
{
	uint32_t owner = 0;

	if (svsm_range_use(s, vmsa, SVSM_PAGE_SIZE, NULL) != SVSM_USE_GUEST)
		return SVSM_ERR_INVALID_ADDRESS;
	switch (svsm_range_use(s, caa, SVSM_PAGE_SIZE, &owner)) {
	case SVSM_USE_GUEST:
		break;
	case SVSM_USE_CA:
		if (owner == apic)
			break;
		/* fall through */
	default:
		return SVSM_ERR_INVALID_ADDRESS;
	}
	/* RMPADJUST needs a validated page; the calling area must be readable. */
	if (!page_validated(s, vmsa) || !page_validated(s, caa))
		return SVSM_ERR_INVALID_ADDRESS;
	return SVSM_SUCCESS;
}

/*
 * CREATE_VCPU: RCX = VMSA, RDX = calling area (both 4 KiB aligned), R8[31:0] = APIC ID.
 * Order: decode the registers, check the pages, revoke the guest's access to the VMSA page (so
 * its contents can no longer change), copy it in and check it, then make it an RMP VMSA page.
 * Any refusal after the revoke gives the page back (svsm_give_to_guest).
 */
uint32_t svsm_core_create_vcpu(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	uint64_t vmsa = r->rcx;
	uint64_t caa = r->rdx;
	uint32_t apic = (uint32_t)r->r8;
	struct svsm_scratch *sc = svsm_scratch(s, c);
	enum snp_vmsa_verdict verdict = SNP_VMSA_OK;
	uint32_t rc = SVSM_SUCCESS;
	uint32_t eax = 0;
	unsigned int vmpl = 0;
	int cpu = -1;
	int slot = -1;

	if ((vmsa | caa) & SVSM_PAGE_MASK)
		return SVSM_ERR_INVALID_PARAMETER;
	/* A 2 MiB-aligned VMSA hits an SNP erratum (facts 5.6): Linux and OVMF never use one. */
	if (vmsa == caa || !(vmsa & (SVSM_2M_SIZE - 1)))
		return SVSM_ERR_INVALID_ADDRESS;
	cpu = cpu_of_apic(s, apic);
	if (cpu < 0)
		return SVSM_ERR_INVALID_PARAMETER;

	rw_write_lock(&s->lock);
	rc = check_pages(s, vmsa, caa, apic);
	if (rc != SVSM_SUCCESS)
		goto out;
	slot = free_vcpu_slot(s);
	if (slot < 0) {
		rc = SVSM_ERR_INVALID_REQUEST;
		goto out;
	}
	eax = snp_revoke_guest_access(gpa_init(vmsa), SNP_PAGE_4K);
	if (eax != SNP_RMP_OK) {
		rc = SVSM_ERR_INVALID_ADDRESS;
		goto restore;
	}
	if (guest_read(gpa_init(vmsa), sc->a, SNP_VMSA_SIZE) != GUEST_OK) {
		rc = SVSM_ERR_INVALID_ADDRESS;
		goto restore;
	}
	verdict = snp_vmsa_check(sc->a, c->rec.vmpl, c->rec.sev_features);
	if (verdict != SNP_VMSA_OK) {
		rc = SVSM_ERR_INVALID_PARAMETER;
		goto restore;
	}
	vmpl = sc->a[SNP_VMSA_VMPL];
	eax = snp_make_guest_vmsa(gpa_init(vmsa), vmpl);
	if (eax != SNP_RMP_OK) {
		rc = SVSM_ERR_INVALID_ADDRESS; /* the restore's revoke clears the VMSA bit too */
		goto restore;
	}
	s->vcpus[slot] = (struct svsm_vcpu){
		.used = true,
		.apic_id = apic,
		.vmsa = gpa_init(vmsa),
		.caa = gpa_init(caa),
		.vmpl = (uint8_t)vmpl,
		.sev_features = snp_vmsa_get64(sc->a, SNP_VMSA_SEV_FEATURES),
	};
	/* The host runs the newest VMSA of an APIC ID; the old one stays until DELETE_VCPU. */
	s->cpus[cpu].cur = slot;
	goto out;

restore:
	(void)svsm_give_to_guest(gpa_init(vmsa), SNP_PAGE_4K, c->rec.vmpl);
out:
	rw_write_unlock(&s->lock);
	return rc;
}

static int find_vmsa(const struct svsm_state *s, uint64_t vmsa)
{
	for (unsigned int i = 0; i < SVSM_MAX_VCPUS; i++) {
		if (s->vcpus[i].used && gpa_addr(s->vcpus[i].vmsa) == vmsa)
			return (int)i;
	}
	return -1;
}

/*
 * DELETE_VCPU: RCX = a VMSA CREATE_VCPU registered. The startup vCPU and VMSAs more privileged
 * than the caller are refused; a VMSA that is running cannot lose SVME and answers FAIL_INUSE.
 * Afterwards the page is a normal page again with the caller's access, and neither it nor its
 * calling area is touched again. Deleting the caller's own VMSA returns no result.
 */
uint32_t svsm_core_delete_vcpu(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	uint64_t vmsa = r->rcx;
	uint32_t rc = SVSM_SUCCESS;
	struct svsm_vcpu *v = NULL;
	int slot = -1;
	int err = 0;

	if (vmsa & SVSM_PAGE_MASK)
		return SVSM_ERR_INVALID_PARAMETER;
	rw_write_lock(&s->lock);
	slot = find_vmsa(s, vmsa);
	if (slot < 0) {
		rc = SVSM_ERR_INVALID_PARAMETER;
		goto out;
	}
	v = &s->vcpus[slot];
	if (v->startup || v->vmpl < c->rec.vmpl) {
		rc = SVSM_ERR_INVALID_PARAMETER;
		goto out;
	}
	err = snp_vmsa_disable(v->vmsa);
	if (err == SNP_EBUSY) {
		rc = SVSM_ERR_FAIL_INUSE;
		goto out;
	}
	if (err != SNP_OK || snp_clear_guest_vmsa(v->vmsa, c->rec.vmpl) != SNP_RMP_OK) {
		/* Still an SVSM-private VMSA page: keep the record so it stays protected. */
		rc = SVSM_ERR_INVALID_ADDRESS;
		goto out;
	}
	for (unsigned int i = 0; i < s->ncpus; i++) {
		if (s->cpus[i].cur == slot)
			s->cpus[i].cur = -1;
	}
	*v = (struct svsm_vcpu){0};
	if (slot == c->vcpu)
		c->self_deleted = true;
out:
	rw_write_unlock(&s->lock);
	return rc;
}
