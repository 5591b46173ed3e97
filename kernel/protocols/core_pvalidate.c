/* SPDX-License-Identifier: MIT */
/*
 * SVSM_CORE_PVALIDATE (SPEC §6.2 Table 6, facts 2.2): validate or rescind guest pages on the
 * guest's behalf, keeping the validated-page bitmap (svsm_state.validated) equal to the RMP.
 *
 * The list is copied in once and every entry from `next` on is decoded and checked (format,
 * RAM, ownership) before the first one is acted on. Entries are then carried out in order;
 * the first failure stops the list with `next` pointing at it. A malformed entry k is therefore
 * answered after entries next..k-1 were done, which is what the SPEC's `next` rule describes
 * ("next = entries processed; on error it points at the failing entry").
 *
 * Per entry (under pages_lock), the bitmap decides the cases where nothing would change:
 *   - validate a page already validated, or rescind one never validated: the hardware would
 *     answer CF = 1, so the answer is 0x8000_1010 unless the entry sets ignore_cf, in which
 *     case the entry succeeds and nothing at all is done (no zeroing, no RMPADJUST);
 *   - a 2 MiB entry over frames of which only some are validated: those frames were validated
 *     as 4 KiB pages, so the RMP holds 4 KiB entries there and the hardware would answer
 *     FAIL_SIZEMISMATCH; that is answered (0x8000_1006) and the guest retries as 4 KiB pages.
 * Real transitions go to the hardware, with the bitmap changed first (so an allocation
 * failure stops before the RMP changes) and changed back exactly if the hardware refuses:
 *   validate: bitmap set, PVALIDATE, zero the page, give it to the caller's VMPL (and those
 *             above; svsm_give_to_guest).
 *   rescind:  bitmap clear, revoke VMPL1..3, PVALIDATE(0) (SPEC: revoke first).
 * Reverting an exact set/clear restores a run count the array held before, so it cannot need
 * memory (lib/rle_bitmap.h grows only when the resulting count exceeds the capacity).
 */
#include <copra/panic.h>

#include "svsm_internal.h"

/* PVALIDATE entry bits (SPEC §6.2 Table 6). */
#define PVAL_SIZE_MASK 0x3ull
#define PVAL_ACTION    (1ull << 2)
#define PVAL_IGNORE_CF (1ull << 3)
#define PVAL_RSVD_MASK 0xFF0ull /* bits 11:4 */
#define PVAL_GPA_MASK  (~0xFFFull)

struct pval_entry {
	uint64_t gpa;
	enum snp_pgsize sz;
	bool validate;
	bool ignore_cf;
};

/*
 * The decoded request. The raw entries stay in the caller CPU's scratch copy (SVSM memory, out
 * of the guest's reach); every one from `next` on was decoded and checked once, and is decoded
 * again from the same copy when it is carried out (decode_entry is a pure function of the copy
 * and of the page ownership, which cannot change while s->lock is held for reading).
 */
struct pval_req {
	uint64_t list;
	unsigned int n;
	unsigned int next;
	unsigned int bad;   /* first entry that failed decoding, n when none */
	uint32_t bad_code;  /* its answer */
	const uint8_t *raw; /* the copied entries */
};

static const uint8_t zero_page[SVSM_PAGE_SIZE];

static uint64_t entry_pages(enum snp_pgsize sz)
{
	return sz == SNP_PAGE_2M ? SVSM_2M_PAGES : 1;
}

static uint64_t raw_entry(const struct pval_req *req, unsigned int i)
{
	uint64_t raw = 0;

	__builtin_memcpy(&raw, req->raw + (size_t)i * SVSM_LIST_ENTRY_SIZE, sizeof(raw));
	return raw;
}

/* Decodes one entry; SVSM_SUCCESS or the answer for it. s->lock held for reading. */
static uint32_t decode_entry(const struct svsm_state *s, uint64_t raw, struct pval_entry *e)
{
	uint64_t size = raw & PVAL_SIZE_MASK;
	uint64_t bytes = 0;

	if (size > SNP_PAGE_2M || (raw & PVAL_RSVD_MASK))
		return SVSM_ERR_INVALID_PARAMETER;
	e->gpa = raw & PVAL_GPA_MASK;
	e->sz = size == SNP_PAGE_2M ? SNP_PAGE_2M : SNP_PAGE_4K;
	e->validate = raw & PVAL_ACTION;
	e->ignore_cf = raw & PVAL_IGNORE_CF;
	bytes = entry_pages(e->sz) * SVSM_PAGE_SIZE;
	if (e->sz == SNP_PAGE_2M && (e->gpa & (SVSM_2M_SIZE - 1)))
		return SVSM_ERR_INVALID_PARAMETER;
	/* SVSM memory, VMSAs, deposited pages and calling areas are never the guest's to flip. */
	if (svsm_range_use(s, e->gpa, bytes, NULL) != SVSM_USE_GUEST)
		return SVSM_ERR_INVALID_ADDRESS;
	return SVSM_SUCCESS;
}

/*
 * Copies the list in and decodes it. SVSM_SUCCESS with req filled (req->bad < req->n when an
 * entry is malformed), or the answer for a malformed header (then nothing was done and `next`
 * is not written). s->lock held for reading.
 */
static uint32_t decode(struct svsm_state *s, uint64_t list, struct svsm_scratch *sc,
		       struct pval_req *req)
{
	struct svsm_list_hdr hdr = {0};
	unsigned int cap = 0;
	uint32_t rc = SVSM_SUCCESS;

	if (list & (SVSM_LIST_ENTRY_SIZE - 1))
		return SVSM_ERR_INVALID_PARAMETER;
	cap = svsm_list_capacity(list);
	if (cap == 0)
		return SVSM_ERR_INVALID_PARAMETER;
	/* One copy of the rest of the page: the list may not leave it (SPEC §6.2). */
	rc = svsm_gread_locked(s, list, sc->a, SVSM_PAGE_SIZE - (list & SVSM_PAGE_MASK));
	if (rc != SVSM_SUCCESS)
		return rc;
	__builtin_memcpy(&hdr, sc->a, sizeof(hdr));
	/* The header's reserved bytes are not checked: Linux does not clear them. */
	if (hdr.entries == 0 || hdr.entries > cap || hdr.next >= hdr.entries)
		return SVSM_ERR_INVALID_PARAMETER;
	req->list = list;
	req->n = hdr.entries;
	req->next = hdr.next;
	req->bad = req->n;
	req->raw = sc->a + sizeof(hdr);
	for (unsigned int i = req->next; i < req->n; i++) {
		struct pval_entry e = {0};

		rc = decode_entry(s, raw_entry(req, i), &e);
		if (rc != SVSM_SUCCESS) {
			req->bad = i;
			req->bad_code = rc;
			break;
		}
	}
	return SVSM_SUCCESS;
}

static void revert_set(struct svsm_state *s, uint64_t pfn, uint64_t n)
{
	CHECK(rle_clear(&s->validated, pfn, n) == RLE_OK);
}

static void revert_clear(struct svsm_state *s, uint64_t pfn, uint64_t n)
{
	CHECK(rle_set(&s->validated, pfn, n) == RLE_OK);
}

static bool zero_pages(uint64_t gpa, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (guest_write(gpa_init(gpa + i * SVSM_PAGE_SIZE), zero_page, SVSM_PAGE_SIZE) !=
		    GUEST_OK)
			return false;
	}
	return true;
}

/* A page not validated yet becomes validated, zeroed and the caller's. pages_lock held. */
static uint32_t do_validate(struct svsm_state *s, const struct pval_entry *e, unsigned int vmpl)
{
	uint64_t pfn = e->gpa / SVSM_PAGE_SIZE;
	uint64_t n = entry_pages(e->sz);
	bool cf = false;
	bool cf2 = false;
	uint32_t eax = 0;

	if (rle_set(&s->validated, pfn, n) != RLE_OK)
		return SVSM_ERR_INVALID_REQUEST;
	eax = snp_pvalidate(gpa_init(e->gpa), e->sz, true, &cf);
	if (eax != SNP_RMP_OK) {
		revert_set(s, pfn, n);
		return svsm_rmp_code(eax);
	}
	if (cf) {
		/* Validated already, though not by the guest through us: the RMP is the truth. */
		return e->ignore_cf ? SVSM_SUCCESS : SVSM_ERR_PVALIDATE_FAIL_NOCHANGE;
	}
	if (!zero_pages(e->gpa, n)) {
		(void)snp_pvalidate(gpa_init(e->gpa), e->sz, false, &cf2);
		revert_set(s, pfn, n);
		return SVSM_ERR_INVALID_ADDRESS;
	}
	eax = svsm_give_to_guest(gpa_init(e->gpa), e->sz, vmpl);
	if (eax != SNP_RMP_OK) {
		(void)snp_revoke_guest_access(gpa_init(e->gpa), e->sz);
		(void)snp_pvalidate(gpa_init(e->gpa), e->sz, false, &cf2);
		revert_set(s, pfn, n);
		return svsm_rmp_code(eax);
	}
	return SVSM_SUCCESS;
}

/* A validated page is taken from every guest VMPL, then rescinded. pages_lock held. */
static uint32_t do_rescind(struct svsm_state *s, const struct pval_entry *e, unsigned int vmpl)
{
	uint64_t pfn = e->gpa / SVSM_PAGE_SIZE;
	uint64_t n = entry_pages(e->sz);
	bool cf = false;
	uint32_t eax = 0;

	if (rle_clear(&s->validated, pfn, n) != RLE_OK)
		return SVSM_ERR_INVALID_REQUEST;
	eax = snp_revoke_guest_access(gpa_init(e->gpa), e->sz);
	if (eax == SNP_RMP_OK)
		eax = snp_pvalidate(gpa_init(e->gpa), e->sz, false, &cf);
	if (eax != SNP_RMP_OK) {
		(void)svsm_give_to_guest(gpa_init(e->gpa), e->sz, vmpl);
		revert_clear(s, pfn, n);
		return svsm_rmp_code(eax);
	}
	if (cf) /* the RMP said not validated after all: it is the truth */
		return e->ignore_cf ? SVSM_SUCCESS : SVSM_ERR_PVALIDATE_FAIL_NOCHANGE;
	return SVSM_SUCCESS;
}

static uint32_t do_entry(struct svsm_state *s, const struct pval_entry *e, unsigned int vmpl)
{
	uint64_t pfn = e->gpa / SVSM_PAGE_SIZE;
	uint64_t n = entry_pages(e->sz);
	bool all = false;
	bool any = false;
	uint32_t rc = SVSM_SUCCESS;

	spin_lock(&s->pages_lock);
	all = rle_test_all(&s->validated, pfn, n);
	any = rle_test_any(&s->validated, pfn, n);
	if (any && !all)
		rc = SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH;
	else if (e->validate == all)
		rc = e->ignore_cf ? SVSM_SUCCESS : SVSM_ERR_PVALIDATE_FAIL_NOCHANGE;
	else if (e->validate)
		rc = do_validate(s, e, vmpl);
	else
		rc = do_rescind(s, e, vmpl);
	spin_unlock(&s->pages_lock);
	return rc;
}

uint32_t svsm_core_pvalidate(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	struct pval_req req = {0};
	uint32_t rc = SVSM_SUCCESS;
	unsigned int i = 0;
	uint16_t next = 0;

	rw_read_lock(&s->lock);
	rc = decode(s, r->rcx, svsm_scratch(s, c), &req);
	if (rc != SVSM_SUCCESS)
		goto out;
	for (i = req.next; i < req.bad; i++) {
		struct pval_entry e = {0};

		CHECK(decode_entry(s, raw_entry(&req, i), &e) == SVSM_SUCCESS);
		rc = do_entry(s, &e, c->rec.vmpl);
		if (rc != SVSM_SUCCESS)
			break;
	}
	if (rc == SVSM_SUCCESS && req.bad < req.n)
		rc = req.bad_code;
	next = (uint16_t)i;
	/* The list page was readable a moment ago under the same lock; a failure here is moot. */
	(void)svsm_gwrite_locked(s, req.list + __builtin_offsetof(struct svsm_list_hdr, next),
				 &next, sizeof(next));
out:
	rw_read_unlock(&s->lock);
	return rc;
}
