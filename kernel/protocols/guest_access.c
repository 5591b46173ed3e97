/* SPDX-License-Identifier: MIT */
/*
 * Who owns a guest-physical range, and guest copies made on behalf of a request. A request may
 * name any GPA; before the SVSM reads or writes it, the range must be guest RAM outside the SVSM
 * region, and must not touch a page the SVSM made private after launch (a VMSA, a deposited
 * page): writing a guest-chosen value into a VMSA would let the guest rewrite its own VMPL.
 */
#include <copra/guest.h>
#include <lib/checked.h>

#include "svsm_internal.h"

static bool page_range_hits(uint64_t gpa, uint64_t len, gpa_t page)
{
	return range_overlaps(gpa, len, gpa_addr(page), SVSM_PAGE_SIZE);
}

enum svsm_use svsm_range_use(const struct svsm_state *s, uint64_t gpa, uint64_t len,
			     uint32_t *apic_id)
{
	uint64_t first = 0;
	uint64_t last = 0;
	uint64_t end = 0;

	switch (guest_range_check(&s->ram, gpa, len)) {
	case GUEST_OK:
		break;
	case GUEST_ESVSM:
		return SVSM_USE_SVSM;
	default:
		return SVSM_USE_NOT_RAM;
	}
	/* guest_range_check refused wrapping ranges, so gpa + len is exact. */
	end = gpa + len;
	for (unsigned int i = 0; i < SVSM_MAX_VCPUS; i++) {
		const struct svsm_vcpu *v = &s->vcpus[i];

		if (v->used && page_range_hits(gpa, len, v->vmsa)) {
			if (apic_id)
				*apic_id = v->apic_id;
			return SVSM_USE_VMSA;
		}
	}
	first = gpa / SVSM_PAGE_SIZE;
	last = (end - 1) / SVSM_PAGE_SIZE;
	if (rle_test_any(&s->deposited, first, last - first + 1))
		return SVSM_USE_DEPOSITED;
	for (unsigned int i = 0; i < SVSM_MAX_VCPUS; i++) {
		const struct svsm_vcpu *v = &s->vcpus[i];

		if (v->used && page_range_hits(gpa, len, v->caa)) {
			if (apic_id)
				*apic_id = v->apic_id;
			return SVSM_USE_CA;
		}
	}
	return SVSM_USE_GUEST;
}

/* Whether every page of [gpa, gpa + len) is validated; pages_lock held, range not wrapping. */
static bool range_validated(const struct svsm_state *s, uint64_t gpa, uint64_t len)
{
	uint64_t first = gpa / SVSM_PAGE_SIZE;
	uint64_t last = (gpa + len - 1) / SVSM_PAGE_SIZE;

	return rle_test_all(&s->validated, first, last - first + 1);
}

static bool arg_use_ok(const struct svsm_state *s, uint64_t gpa, uint64_t len)
{
	enum svsm_use use = svsm_range_use(s, gpa, len, NULL);

	return use == SVSM_USE_GUEST || use == SVSM_USE_CA;
}

uint32_t svsm_arg_range_ok(struct svsm_state *s, uint64_t gpa, uint64_t len)
{
	bool ok = arg_use_ok(s, gpa, len);

	if (ok) {
		spin_lock(&s->pages_lock);
		ok = range_validated(s, gpa, len);
		spin_unlock(&s->pages_lock);
	}
	return ok ? SVSM_SUCCESS : SVSM_ERR_INVALID_ADDRESS;
}

static uint32_t copy_locked(struct svsm_state *s, uint64_t gpa, void *buf, size_t len, bool write)
{
	bool ok = arg_use_ok(s, gpa, len);

	if (!ok)
		return SVSM_ERR_INVALID_ADDRESS;
	spin_lock(&s->pages_lock);
	ok = range_validated(s, gpa, len);
	if (ok && write)
		ok = guest_write(gpa_init(gpa), buf, len) == GUEST_OK;
	else if (ok)
		ok = guest_read(gpa_init(gpa), buf, len) == GUEST_OK;
	spin_unlock(&s->pages_lock);
	return ok ? SVSM_SUCCESS : SVSM_ERR_INVALID_ADDRESS;
}

uint32_t svsm_gread_locked(struct svsm_state *s, uint64_t gpa, void *buf, size_t len)
{
	return copy_locked(s, gpa, buf, len, false);
}

uint32_t svsm_gwrite_locked(struct svsm_state *s, uint64_t gpa, const void *buf, size_t len)
{
	return copy_locked(s, gpa, (void *)(uintptr_t)buf, len, true);
}

uint32_t svsm_gread(struct svsm_state *s, uint64_t gpa, void *buf, size_t len)
{
	uint32_t rc = SVSM_ERR_INVALID_ADDRESS;

	rw_read_lock(&s->lock);
	rc = svsm_gread_locked(s, gpa, buf, len);
	rw_read_unlock(&s->lock);
	return rc;
}

uint32_t svsm_gwrite(struct svsm_state *s, uint64_t gpa, const void *buf, size_t len)
{
	uint32_t rc = SVSM_ERR_INVALID_ADDRESS;

	rw_read_lock(&s->lock);
	rc = svsm_gwrite_locked(s, gpa, buf, len);
	rw_read_unlock(&s->lock);
	return rc;
}
