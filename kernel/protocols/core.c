/* SPDX-License-Identifier: MIT */
/*
 * The core protocol (SPEC §6, facts 2): its call table, and the three small calls REMAP_CA,
 * QUERY_PROTOCOL and CONFIGURE_VTOM. PVALIDATE, the vCPU calls and the memory calls have their
 * own files.
 */
#include "svsm_internal.h"

/*
 * REMAP_CA (SPEC §6.1, facts 2.1): RCX = the new calling area, 4 KiB aligned. It must be
 * validated guest memory that is no VMSA, no deposited page and no other vCPU's calling area.
 * The new area's call_pending is set to 0 so a spurious host entry cannot look like a call;
 * the old area's is cleared by svsm_vcpu_entry after the call. Holds s->lock for writing so no
 * PVALIDATE or CREATE_VCPU sees the table half-changed.
 */
static uint32_t core_remap_ca(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	uint64_t gpa = r->rcx;
	uint32_t owner = 0;
	uint32_t rc = SVSM_SUCCESS;
	struct svsm_ca_hdr hdr = {0};
	struct svsm_vcpu *me = NULL;
	bool validated = false;

	if (gpa & SVSM_PAGE_MASK)
		return SVSM_ERR_INVALID_PARAMETER;
	rw_write_lock(&s->lock);
	me = &s->vcpus[c->vcpu];
	/* The record can have been replaced by CREATE_VCPU from another vCPU meanwhile. */
	if (!me->used || gpa_addr(me->vmsa) != gpa_addr(c->rec.vmsa)) {
		rc = SVSM_ERR_INVALID_REQUEST;
		goto out;
	}
	switch (svsm_range_use(s, gpa, SVSM_PAGE_SIZE, &owner)) {
	case SVSM_USE_GUEST:
		break;
	case SVSM_USE_CA:
		/* Remapping onto the current area is a no-op; another vCPU's area is refused. */
		if (owner == me->apic_id)
			break;
		/* fall through */
	default:
		rc = SVSM_ERR_INVALID_ADDRESS;
		goto out;
	}
	spin_lock(&s->pages_lock);
	validated = rle_test(&s->validated, gpa / SVSM_PAGE_SIZE);
	spin_unlock(&s->pages_lock);
	if (!validated) {
		rc = SVSM_ERR_INVALID_ADDRESS;
		goto out;
	}
	if (gpa == gpa_addr(me->caa))
		goto out;
	/* The startup vCPU's area also says whether deposited memory can be withdrawn. */
	hdr.mem_available = me->startup && rle_count(&s->deposited) != 0;
	rc = svsm_gwrite_locked(s, gpa, &hdr, 2);
	if (rc != SVSM_SUCCESS)
		goto out;
	me->caa = gpa_init(gpa);
	c->rec.caa = me->caa;
out:
	rw_write_unlock(&s->lock);
	return rc;
}

/*
 * QUERY_PROTOCOL (SPEC §6.7, facts 2.7): RCX = protocol << 32 | version. Always SUCCESS; RCX =
 * max << 32 | min when the protocol is offered at that version, else 0.
 */
static uint32_t core_query_protocol(struct svsm_state *s, struct svsm_regs *r)
{
	uint32_t proto = (uint32_t)(r->rcx >> 32);
	uint32_t version = (uint32_t)r->rcx;

	if (svsm_protocol_offered(s, proto) && version >= SVSM_PROTOCOL_VERSION &&
	    version <= SVSM_PROTOCOL_VERSION)
		r->rcx = ((uint64_t)SVSM_PROTOCOL_VERSION << 32) | SVSM_PROTOCOL_VERSION;
	else
		r->rcx = 0;
	return SVSM_SUCCESS;
}

/* CONFIGURE_VTOM RCX bits (SPEC §6.8 Table 9). */
#define VTOM_QUERY     (1ull << 0)
#define VTOM_ENABLE    (1ull << 1)
#define VTOM_RSVD_CONF (0x7Full << 5) /* bits 11:5 */
#define VTOM_ADDR_MASK (~0xFFFull)

/*
 * CONFIGURE_VTOM (SPEC §6.8, facts 2.8). Copra does not support vTOM: a query (RCX = 1 exactly)
 * answers SUCCESS with RCX = 0 ("not supported"; RDX/R8 are defined only when supported, so
 * they are left alone). A configure request with reserved bits 11:5 set, or a disable that
 * names a vTOM, is malformed (INVALID_PARAMETER); any well-formed configure request answers
 * INVALID_REQUEST, the SPEC's "cannot reconfigure" code, and changes nothing.
 */
static uint32_t core_configure_vtom(struct svsm_regs *r)
{
	uint64_t rcx = r->rcx;

	if (rcx & VTOM_QUERY) {
		if (rcx != VTOM_QUERY)
			return SVSM_ERR_INVALID_PARAMETER;
		r->rcx = 0;
		return SVSM_SUCCESS;
	}
	if (rcx & VTOM_RSVD_CONF)
		return SVSM_ERR_INVALID_PARAMETER;
	if (!(rcx & VTOM_ENABLE) && (rcx & VTOM_ADDR_MASK))
		return SVSM_ERR_INVALID_PARAMETER;
	return SVSM_ERR_INVALID_REQUEST;
}

uint32_t svsm_core_call(struct svsm_state *s, struct svsm_caller *c, uint32_t call,
			struct svsm_regs *regs)
{
	switch (call) {
	case SVSM_CORE_REMAP_CA:
		return core_remap_ca(s, c, regs);
	case SVSM_CORE_PVALIDATE:
		return svsm_core_pvalidate(s, c, regs);
	case SVSM_CORE_CREATE_VCPU:
		return svsm_core_create_vcpu(s, c, regs);
	case SVSM_CORE_DELETE_VCPU:
		return svsm_core_delete_vcpu(s, c, regs);
	case SVSM_CORE_DEPOSIT_MEM:
		return svsm_core_deposit_mem(s, c, regs);
	case SVSM_CORE_WITHDRAW_MEM:
		return svsm_core_withdraw_mem(s, c, regs);
	case SVSM_CORE_QUERY_PROTOCOL:
		return core_query_protocol(s, regs);
	case SVSM_CORE_CONFIGURE_VTOM:
		return core_configure_vtom(regs);
	default:
		return SVSM_ERR_UNSUPPORTED_CALL;
	}
}
