/* SPDX-License-Identifier: MIT */
/*
 * Page-state change through the GHCB (facts 5.4), and sharing SVSM pages with the hypervisor.
 *
 * The PSC buffer lives in the GHCB's shared buffer: a header {cur_entry, end_entry} and up to
 * 253 entries. The hypervisor may stop early and return; the guest calls again until cur_entry
 * passes end_entry. The hypervisor owns that buffer between calls, so before every call the
 * header and the entries still to do are rewritten from what the SVSM asked for (they are a
 * function of the base GFN and the index), and after every call its progress is checked: it
 * must never go backwards, past end_entry + 1, change end_entry, or stall for long.
 */
#include "snp_internal.h"
#include <lib/checked.h>
#include <lib/string.h>

struct psc_hdr {
	uint16_t cur_entry;
	uint16_t end_entry;
	uint32_t reserved;
} __packed;

/* Entry bits (facts 5.4): cur_page [11:0], gfn [51:12], operation [55:52], 2 MiB [56]. */
#define PSC_ENTRY(gfn, op) (((uint64_t)(gfn) << 12) | ((uint64_t)(op) << 52))
#define PSC_MAX_ENTRIES	   253u
/* Consecutive calls without progress tolerated before the host is declared broken. */
#define PSC_MAX_STALLS 4u

_Static_assert(sizeof(struct psc_hdr) == 8, "facts 5.4: PSC header");
_Static_assert(sizeof(struct psc_hdr) + PSC_MAX_ENTRIES * 8ul <= GHCB_SHARED_BUF_SIZE,
	       "facts 5.4: 253 entries fill the GHCB shared buffer");

/* Writes the header and entries [cur, n) of a batch into the shared buffer. */
static void psc_fill(struct snp_ghcb *g, uint64_t gfn, unsigned int cur, unsigned int n,
		     unsigned int op)
{
	struct psc_hdr h = {(uint16_t)cur, (uint16_t)(n - 1), 0};
	uint8_t *buf = g->shared_buffer;

	memcpy(buf, &h, sizeof(h));
	for (unsigned int i = cur; i < n; i++) {
		uint64_t e = PSC_ENTRY(gfn + i, op);

		memcpy(buf + sizeof(h) + (size_t)i * 8, &e, sizeof(e));
	}
}

/* One batch of n (1..253) pages from gfn, until the hypervisor has done them all. */
static int psc_batch(struct snp_ghcb *g, gpa_t ghcb_gpa, uint64_t gfn, unsigned int n,
		     unsigned int op)
{
	unsigned int cur = 0;
	unsigned int stalls = 0;

	while (cur < n) {
		struct psc_hdr h = {0, 0, 0};
		uint64_t info2 = 0;
		int err = SNP_OK;

		psc_fill(g, gfn, cur, n, op);
		snp_ghcb_clear(g);
		snp_ghcb_set(g, GHCB_OFF(sw_scratch), gpa_addr(ghcb_gpa) + GHCB_SHARED_BUF_OFF);
		err = snp_ghcb_call(g, ghcb_gpa, SVM_VMGEXIT_PSC, 0, 0, &info2);
		if (err != SNP_OK)
			return err;
		if (info2 != 0)
			return SNP_EIO; /* [63:32] the hypervisor's error, [31:0] the firmware's */
		memcpy(&h, g->shared_buffer, sizeof(h)); /* one read of the host's answer */
		if (h.end_entry != n - 1 || h.cur_entry > n || h.cur_entry < cur)
			return SNP_EIO;
		if (h.cur_entry == cur) {
			if (++stalls > PSC_MAX_STALLS)
				return SNP_EIO;
			continue;
		}
		stalls = 0;
		cur = h.cur_entry;
	}
	return SNP_OK;
}

int snp_psc(gpa_t gpa, size_t npages, bool to_shared)
{
	gpa_t ghcb_gpa = gpa_init(0);
	struct snp_ghcb *g = snp_ghcb_this_cpu(&ghcb_gpa);
	unsigned int op = to_shared ? GHCB_PSC_OP_SHARED : GHCB_PSC_OP_PRIVATE;
	uint64_t gfn = gpa_addr(gpa) >> 12;
	uint64_t last = 0;

	if (!g)
		return SNP_EIO;
	if (npages == 0 || !IS_ALIGNED(gpa_addr(gpa), SNP_PAGE_SIZE) ||
	    ADD_OVERFLOW(gfn, (uint64_t)npages - 1, &last) || last > SNP_GFN_MAX)
		return SNP_EINVAL;
	while (npages > 0) {
		unsigned int n = npages > PSC_MAX_ENTRIES ? PSC_MAX_ENTRIES : (unsigned int)npages;
		int err = psc_batch(g, ghcb_gpa, gfn, n, op);

		if (err != SNP_OK)
			return err;
		gfn += n;
		npages -= n;
	}
	return SNP_OK;
}

/*
 * Facts 5.4 order for shared: PVALIDATE rescind first, then the page-state change; the SVSM's
 * mapping goes unencrypted last. Each page must have been validated (an SVSM page).
 */
int snp_share_pages(vaddr_t va, gpa_t gpa, size_t npages)
{
	for (size_t i = 0; i < npages; i++) {
		bool no_change = false;
		uint32_t rc = snp_pvalidate_va(va_init(va_addr(va) + i * SNP_PAGE_SIZE),
					       SNP_PAGE_4K, false, &no_change);

		if (rc != SNP_RMP_OK || no_change)
			return SNP_EIO;
	}
	if (snp_psc(gpa, npages, true) != SNP_OK)
		return SNP_EIO;
	snp_hw_set_encrypted(va, npages, false);
	return SNP_OK;
}

/*
 * Facts 5.4 order for private: the page-state change first, then PVALIDATE; the contents are
 * the hypervisor's until then, so the pages are zeroed once private again.
 */
int snp_unshare_pages(vaddr_t va, gpa_t gpa, size_t npages)
{
	if (snp_psc(gpa, npages, false) != SNP_OK)
		return SNP_EIO;
	snp_hw_set_encrypted(va, npages, true);
	for (size_t i = 0; i < npages; i++) {
		bool no_change = false;
		vaddr_t p = va_init(va_addr(va) + i * SNP_PAGE_SIZE);

		if (snp_pvalidate_va(p, SNP_PAGE_4K, true, &no_change) != SNP_RMP_OK || no_change)
			return SNP_EIO;
		memset(va_ptr(p), 0, SNP_PAGE_SIZE);
	}
	return SNP_OK;
}
