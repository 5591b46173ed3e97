/* SPDX-License-Identifier: MIT */
/*
 * SVSM_CORE_DEPOSIT_MEM and SVSM_CORE_WITHDRAW_MEM (SPEC §6.5 Table 7 / §6.6 Table 8, facts
 * 2.5 / 2.6). The reference design answers both with UNSUPPORTED_CALL; Copra implements them.
 *
 * A deposited page is a validated guest page that the guest hands over: every guest VMPL loses
 * access to it (RMPADJUST), it is recorded in svsm_state.deposited and from then on is
 * SVSM-private (PVALIDATE, CREATE_VCPU and every guest copy refuse it). WITHDRAW hands pages
 * back, lowest first, with full access for the caller's VMPL and the more privileged ones.
 * Copra does not yet draw on deposited memory itself (it never asks for memory with a
 * 0x4000_0000 result), so every deposited page stays withdrawable and SVSM_MEM_AVAILABLE in the
 * startup vCPU's calling area is 1 exactly while some page is deposited.
 *
 * Page granularity: the set is kept in 4 KiB frames and WITHDRAW returns 4 KiB GPAs, so a 2 MiB
 * entry is deposited as 512 4 KiB RMPADJUSTs. A range the RMP holds as one 2 MiB entry then
 * answers 0x8000_1006 (size mismatch) and the guest deposits it otherwise.
 *
 * Both hold s->lock for writing (they change page ownership).
 */
#include <copra/panic.h>

#include "svsm_internal.h"

/* DEPOSIT_MEM entry bits (SPEC §6.5 Table 7). */
#define DEP_SIZE_MASK 0x3ull
#define DEP_RSVD_MASK 0xFFCull /* bits 11:2 */
#define DEP_GPA_MASK  (~0xFFFull)

/* WITHDRAW_MEM list header (SPEC §6.6 Table 8). */
struct withdraw_hdr {
	uint16_t count;
	uint8_t unused[6];
} __packed;
_Static_assert(sizeof(struct withdraw_hdr) == 8, "SPEC Table 8: 8-byte header");
_Static_assert(__builtin_offsetof(struct withdraw_hdr, count) == 0, "SPEC Table 8");

struct dep_entry {
	uint64_t pfn;
	uint64_t n; /* frames */
};

static uint64_t raw_at(const uint8_t *raw, unsigned int i)
{
	uint64_t v = 0;

	__builtin_memcpy(&v, raw + (size_t)i * SVSM_LIST_ENTRY_SIZE, sizeof(v));
	return v;
}

/* Pure decode and check of one entry against the current ownership; s->lock held. */
static uint32_t dep_decode(struct svsm_state *s, uint64_t raw, struct dep_entry *e)
{
	uint64_t size = raw & DEP_SIZE_MASK;
	uint64_t gpa = raw & DEP_GPA_MASK;
	bool validated = false;

	if (size > SNP_PAGE_2M || (raw & DEP_RSVD_MASK))
		return SVSM_ERR_INVALID_PARAMETER;
	if (size == SNP_PAGE_2M && (gpa & (SVSM_2M_SIZE - 1)))
		return SVSM_ERR_INVALID_PARAMETER;
	e->pfn = gpa / SVSM_PAGE_SIZE;
	e->n = size == SNP_PAGE_2M ? SVSM_2M_PAGES : 1;
	/* Not SVSM memory, a VMSA, a calling area or deposited already (SPEC §6.5). */
	if (svsm_range_use(s, gpa, e->n * SVSM_PAGE_SIZE, NULL) != SVSM_USE_GUEST)
		return SVSM_ERR_INVALID_ADDRESS;
	/* Only validated memory can be RMPADJUSTed and used by the SVSM. */
	spin_lock(&s->pages_lock);
	validated = rle_test_all(&s->validated, e->pfn, e->n);
	spin_unlock(&s->pages_lock);
	return validated ? SVSM_SUCCESS : SVSM_ERR_INVALID_ADDRESS;
}

/* Gives frames [pfn, pfn + n) back to the caller's VMPL (undo of a partial deposit). */
static void regrant(uint64_t pfn, uint64_t n, unsigned int vmpl)
{
	for (uint64_t i = 0; i < n; i++)
		(void)svsm_give_to_guest(gpa_init((pfn + i) * SVSM_PAGE_SIZE), SNP_PAGE_4K, vmpl);
}

/* Deposits one decoded entry: recorded first, then revoked; all or nothing. */
static uint32_t dep_one(struct svsm_state *s, const struct dep_entry *e, unsigned int vmpl)
{
	if (rle_set(&s->deposited, e->pfn, e->n) != RLE_OK)
		return SVSM_ERR_INVALID_REQUEST;
	for (uint64_t i = 0; i < e->n; i++) {
		uint32_t eax = snp_revoke_guest_access(gpa_init((e->pfn + i) * SVSM_PAGE_SIZE),
						       SNP_PAGE_4K);

		if (eax != SNP_RMP_OK) {
			regrant(e->pfn, i + 1, vmpl);
			/* The exact inverse of the set above needs no memory. */
			CHECK(rle_clear(&s->deposited, e->pfn, e->n) == RLE_OK);
			return svsm_rmp_code(eax);
		}
	}
	return SVSM_SUCCESS;
}

/*
 * DEPOSIT_MEM: RCX = 8-byte aligned list, same header, `next` and page rules as PVALIDATE.
 * Every entry from `next` is decoded and checked before the first is carried out; the first
 * failure stops the list with `next` pointing at it (a partial deposit when next > start).
 */
uint32_t svsm_core_deposit_mem(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	struct svsm_scratch *sc = svsm_scratch(s, c);
	struct svsm_list_hdr hdr = {0};
	const uint8_t *raw = sc->a + sizeof(hdr);
	uint64_t list = r->rcx;
	unsigned int bad = 0;
	unsigned int i = 0;
	uint32_t bad_code = SVSM_SUCCESS;
	uint32_t rc = SVSM_SUCCESS;
	uint16_t next = 0;

	if (list & (SVSM_LIST_ENTRY_SIZE - 1) || svsm_list_capacity(list) == 0)
		return SVSM_ERR_INVALID_PARAMETER;
	rw_write_lock(&s->lock);
	rc = svsm_gread_locked(s, list, sc->a, SVSM_PAGE_SIZE - (list & SVSM_PAGE_MASK));
	if (rc != SVSM_SUCCESS)
		goto out;
	__builtin_memcpy(&hdr, sc->a, sizeof(hdr));
	if (hdr.entries == 0 || hdr.entries > svsm_list_capacity(list) || hdr.next >= hdr.entries) {
		rc = SVSM_ERR_INVALID_PARAMETER;
		goto out;
	}
	bad = hdr.entries;
	for (i = hdr.next; i < hdr.entries; i++) {
		struct dep_entry e = {0};

		bad_code = dep_decode(s, raw_at(raw, i), &e);
		if (bad_code != SVSM_SUCCESS) {
			bad = i;
			break;
		}
	}
	for (i = hdr.next; i < bad; i++) {
		struct dep_entry e = {0};

		/* Decoded again: an earlier entry of this list may have deposited the same page. */
		rc = dep_decode(s, raw_at(raw, i), &e);
		if (rc == SVSM_SUCCESS)
			rc = dep_one(s, &e, c->rec.vmpl);
		if (rc != SVSM_SUCCESS)
			break;
	}
	if (rc == SVSM_SUCCESS && bad < hdr.entries)
		rc = bad_code;
	next = (uint16_t)i;
	(void)svsm_gwrite_locked(s, list + __builtin_offsetof(struct svsm_list_hdr, next), &next,
				 sizeof(next));
	svsm_update_mem_available(s);
out:
	rw_write_unlock(&s->lock);
	return rc;
}

/*
 * WITHDRAW_MEM: RCX = 8-byte aligned buffer the SVSM fills with up to as many 4 KiB GPAs as fit
 * before the end of its page (none fit: INVALID_PARAMETER). Never INCOMPLETE: SUCCESS with the
 * count (0 when nothing is deposited). Pages leave the set from its lowest frame, so each clear
 * shortens the first run and never needs memory. A page whose access cannot be granted back
 * (the host changed its RMP entry) stays deposited and ends the list early.
 */
uint32_t svsm_core_withdraw_mem(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	struct svsm_scratch *sc = svsm_scratch(s, c);
	uint64_t *gpas = (uint64_t *)(void *)(sc->a + sizeof(struct withdraw_hdr));
	struct withdraw_hdr hdr = {0};
	uint64_t buf = r->rcx;
	unsigned int cap = 0;
	uint16_t count = 0;
	uint32_t rc = SVSM_SUCCESS;

	if (buf & (SVSM_LIST_ENTRY_SIZE - 1))
		return SVSM_ERR_INVALID_PARAMETER;
	cap = svsm_list_capacity(buf);
	if (cap == 0)
		return SVSM_ERR_INVALID_PARAMETER;
	rw_write_lock(&s->lock);
	rc = svsm_arg_range_ok(s, buf, sizeof(hdr) + (uint64_t)cap * SVSM_LIST_ENTRY_SIZE);
	if (rc != SVSM_SUCCESS)
		goto out;
	while (count < cap) {
		size_t cursor = 0;
		uint64_t start = 0;
		uint64_t end = 0;
		gpa_t gpa;

		if (!rle_next_run(&s->deposited, &cursor, &start, &end))
			break;
		gpa = gpa_init(start * SVSM_PAGE_SIZE);
		if (svsm_give_to_guest(gpa, SNP_PAGE_4K, c->rec.vmpl) != SNP_RMP_OK) {
			(void)snp_revoke_guest_access(gpa, SNP_PAGE_4K);
			break;
		}
		CHECK(rle_clear(&s->deposited, start, 1) == RLE_OK);
		gpas[count++] = gpa_addr(gpa);
	}
	hdr.count = count;
	__builtin_memcpy(sc->a, &hdr, sizeof(hdr));
	rc = svsm_gwrite_locked(s, buf, sc->a, sizeof(hdr) + (size_t)count * sizeof(uint64_t));
	svsm_update_mem_available(s);
out:
	rw_write_unlock(&s->lock);
	return rc;
}
