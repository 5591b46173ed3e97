// SPDX-License-Identifier: MIT
/* SVSM_CORE_PVALIDATE (SPEC §6.2, facts 2.2) on the SNP model. */
#include <string.h>

#include "proto_harness.h"
#include "unit.h"

#define LIST (PENV_BUF + 0x1000)

static uint32_t pval_list(struct proto_env *e, uint64_t list, uint16_t n, uint16_t next,
			  const uint64_t *ent)
{
	penv_list(list, n, next, ent);
	return penv_call5(e, 0, SVSM_CORE_PROTOCOL, SVSM_CORE_PVALIDATE, list, 0xAA, 0xBB, 0xCC,
			  NULL);
}

static void expect_refused(struct proto_env *e, uint64_t rcx, uint32_t code)
{
	struct svsm_regs r = {SVSM_CALL(0, SVSM_CORE_PVALIDATE), rcx, 1, 2, 3};
	bool same = false;
	uint32_t got = penv_call_unchanged(e, 0, &r, &same);

	EXPECTF(got == code, "list %#llx: got %#x, want %#x", (unsigned long long)rcx, got, code);
	EXPECTF(same, "list %#llx changed state", (unsigned long long)rcx);
}

/* One entry that must be refused with code, nothing changed (next stays 0). */
static void expect_entry_refused(struct proto_env *e, uint64_t entry, uint32_t code)
{
	penv_list(LIST, 1, 0, &entry);
	expect_refused(e, LIST, code);
	EXPECTF(penv_rd16(LIST + 2) == 0, "entry %#llx: next moved", (unsigned long long)entry);
}

static struct model_rmp rmp(uint64_t gpa)
{
	struct model_rmp m;

	ASSERT(model_rmp_get(gpa_init(gpa), &m));
	return m;
}

UNIT_TEST(proto_pvalidate_4k)
{
	struct proto_env e;
	uint64_t page = PENV_PAGES;
	struct svsm_regs r = {SVSM_CALL(0, SVSM_CORE_PVALIDATE), LIST, 0x11, 0x22, 0x33};
	uint64_t ent = pval_entry(page, false, true, false);
	uint8_t junk[64];

	penv_init(&e, NULL);
	memset(junk, 0x5A, sizeof(junk));
	penv_wr(page + 100, junk, sizeof(junk));
	penv_list(LIST, 1, 0, &ent);
	EXPECT_EQ_U64(penv_call(&e, 0, &r), SVSM_SUCCESS);
	/* Outputs: RAX only; RCX..R9 untouched. */
	EXPECT_EQ_U64(r.rcx, LIST);
	EXPECT_EQ_U64(r.rdx, 0x11);
	EXPECT_EQ_U64(r.r8, 0x22);
	EXPECT_EQ_U64(r.r9, 0x33);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 1);
	EXPECT(rmp(page).validated);
	/* Zeroed, then the caller's VMPL and those above it get everything (SPEC §6.2). */
	EXPECT_EQ_U64(penv_rd64(page + 96), 0);
	EXPECT_EQ_U64(penv_rd64(page + 104), 0);
	EXPECT_EQ_U64(rmp(page).perm[1], SNP_PERM_RWX);
	EXPECT_EQ_U64(rmp(page).perm[2], SNP_PERM_RWX);
	EXPECT(penv_bm_validated(&e, page));

	/* Rescind: every guest VMPL loses access first, then the page is invalid. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, page, false, false, false), SVSM_SUCCESS);
	EXPECT(!rmp(page).validated);
	EXPECT_EQ_U64(rmp(page).perm[1] | rmp(page).perm[2] | rmp(page).perm[3], 0);
	EXPECT(!penv_bm_validated(&e, page));
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_no_change)
{
	struct proto_env e;
	uint64_t page = PENV_PAGES + 0x5000;
	uint64_t ent = 0;
	uint8_t mark = 0x77;

	penv_init(&e, NULL);
	/* Rescinding a page never validated: what the hardware says (CF=1), nothing done. */
	expect_entry_refused(&e, pval_entry(page, false, false, false),
			     SVSM_ERR_PVALIDATE_FAIL_NOCHANGE);
	ent = pval_entry(page, false, false, true);
	penv_list(LIST, 1, 0, &ent);
	EXPECT_EQ_U64(penv_call5(&e, 0, 0, SVSM_CORE_PVALIDATE, LIST, 0, 0, 0, NULL), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 1);
	EXPECT(!rmp(page).validated && !penv_bm_validated(&e, page));
	ASSERT(penv_pval1(&e, 0, page, false, true, false) == SVSM_SUCCESS);
	penv_wr(page, &mark, 1);
	/* Validating twice: 0x8000_1010 and the page keeps its contents. */
	expect_entry_refused(&e, pval_entry(page, false, true, false),
			     SVSM_ERR_PVALIDATE_FAIL_NOCHANGE);
	EXPECT_EQ_U64(*(uint8_t *)penv_ram(page, 1), 0x77);
	/* With ignore_cf the entry succeeds and still nothing changes (no zeroing). */
	EXPECT_EQ_U64(penv_pval1(&e, 0, page, false, true, true), SVSM_SUCCESS);
	EXPECT_EQ_U64(*(uint8_t *)penv_ram(page, 1), 0x77);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_rmp_knew_better)
{
	struct proto_env e;
	uint64_t page = PENV_PAGES + 0x9000;
	struct model_rmp m;

	penv_init(&e, NULL);
	/* A page validated behind the bitmap's back (not through the SVSM): the RMP wins. */
	m = rmp(page);
	m.validated = true;
	ASSERT(model_rmp_set(gpa_init(page), &m));
	EXPECT_EQ_U64(penv_pval1(&e, 0, page, false, true, false),
		      SVSM_ERR_PVALIDATE_FAIL_NOCHANGE);
	EXPECT(penv_bm_validated(&e, page));
	/* And the other way: the RMP entry lost its validated bit (the host reassigned it). */
	m.validated = false;
	ASSERT(model_rmp_set(gpa_init(page), &m));
	EXPECT_EQ_U64(penv_pval1(&e, 0, page, false, false, false),
		      SVSM_ERR_PVALIDATE_FAIL_NOCHANGE);
	EXPECT(!penv_bm_validated(&e, page));
	EXPECT(penv_bitmap_matches_rmp(&e));
	/* A page the host took back (shared): PVALIDATE fails with FAIL_INPUT, nothing kept. */
	m.assigned = false;
	ASSERT(model_rmp_set(gpa_init(page), &m));
	EXPECT_EQ_U64(penv_pval1(&e, 0, page, false, true, false), SVSM_ERR_PVALIDATE_FAIL_INPUT);
	EXPECT(!penv_bm_validated(&e, page));
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_2m)
{
	struct proto_env e;
	struct model_rmp m;

	penv_init(&e, NULL);
	/* The host gave a 2 MiB RMP entry: one 2 MiB entry validates it. */
	m = rmp(PENV_2M_B);
	ASSERT(model_rmp_set_2m(gpa_init(PENV_2M_B), &m));
	penv_wr(PENV_2M_B + 0x1FFFF8, &(uint64_t){~0ull}, 8);
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_2M_B, true, true, false), SVSM_SUCCESS);
	EXPECT(rmp(PENV_2M_B).validated && rmp(PENV_2M_B + 0x1FF000).validated);
	EXPECT_EQ_U64(penv_rd64(PENV_2M_B + 0x1FFFF8), 0);
	EXPECT_EQ_U64(rmp(PENV_2M_B + 0x123000).perm[2], SNP_PERM_RWX);
	EXPECT_EQ_U64(rle_count(&e.s.validated) - (PENV_BUF_SIZE / 4096 + 0x30 + 2), 512);
	EXPECT(penv_bitmap_matches_rmp(&e));
	/* A 4 KiB entry inside it: the hardware's size mismatch. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_2M_B + 0x1000, false, false, false),
		      SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH);
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_2M_B, true, false, false), SVSM_SUCCESS);
	EXPECT(!rmp(PENV_2M_B).validated);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

/* Linux/OVMF fallback (facts 2.2): a 2 MiB entry over 4 KiB RMP entries, then 512 × 4 KiB. */
UNIT_TEST(proto_pvalidate_2m_fallback)
{
	struct proto_env e;
	static uint64_t ent[511];

	penv_init(&e, NULL);
	ent[0] = pval_entry(PENV_PAGES, false, true, false);
	ent[1] = pval_entry(PENV_2M_A, true, true, false);
	ent[2] = pval_entry(PENV_PAGES + 0x1000, false, true, false);
	EXPECT_EQ_U64(pval_list(&e, LIST, 3, 0, ent), SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 1); /* points at the 2 MiB entry */
	EXPECT(rmp(PENV_PAGES).validated);
	EXPECT(!rmp(PENV_2M_A).validated);
	EXPECT(!rmp(PENV_PAGES + 0x1000).validated);
	/* The guest redoes the range as 4 KiB pages (at most 510 per call), then the rest. */
	for (unsigned int i = 0; i < 510; i++)
		ent[i] = pval_entry(PENV_2M_A + i * 0x1000ull, false, true, false);
	EXPECT_EQ_U64(pval_list(&e, LIST, 510, 0, ent), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 510);
	ent[0] = pval_entry(PENV_2M_A + 510 * 0x1000ull, false, true, false);
	ent[1] = pval_entry(PENV_2M_A + 511 * 0x1000ull, false, true, false);
	ent[2] = pval_entry(PENV_PAGES + 0x1000, false, true, false);
	EXPECT_EQ_U64(pval_list(&e, LIST, 3, 0, ent), SVSM_SUCCESS);
	EXPECT(rmp(PENV_2M_A + 0x1FF000).validated);
	/* All 512 validated as 4 KiB: a 2 MiB validate is "no change", a 2 MiB rescind is the
	 * hardware's size mismatch (the RMP entries are 4 KiB). */
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_2M_A, true, true, false),
		      SVSM_ERR_PVALIDATE_FAIL_NOCHANGE);
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_2M_A, true, false, false),
		      SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH);
	/* Half of it rescinded: the bitmap alone knows a 2 MiB entry cannot match. */
	for (unsigned int i = 0; i < 16; i++)
		ASSERT(penv_pval1(&e, 0, PENV_2M_A + i * 0x1000ull, false, false, false) ==
		       SVSM_SUCCESS);
	expect_entry_refused(&e, pval_entry(PENV_2M_A, true, true, false),
			     SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH);
	expect_entry_refused(&e, pval_entry(PENV_2M_A, true, false, false),
			     SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_next)
{
	struct proto_env e;
	uint64_t ent[5];

	penv_init(&e, NULL);
	for (unsigned int i = 0; i < 5; i++)
		ent[i] = pval_entry(PENV_PAGES + i * 0x1000ull, false, true, false);
	/* Resume at next = 3: entries 0..2 are history and are not looked at. */
	ent[0] = 0xFFFFFFFFFFFFFFFFull;
	EXPECT_EQ_U64(pval_list(&e, LIST, 5, 3, ent), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 5);
	EXPECT(!rmp(PENV_PAGES + 0x1000).validated && !rmp(PENV_PAGES + 0x2000).validated);
	EXPECT(rmp(PENV_PAGES + 0x3000).validated && rmp(PENV_PAGES + 0x4000).validated);
	/* A failing entry in the middle: entries before it done, next points at it. */
	ent[0] = pval_entry(PENV_PAGES, false, true, false);
	EXPECT_EQ_U64(pval_list(&e, LIST, 5, 0, ent), SVSM_ERR_PVALIDATE_FAIL_NOCHANGE);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 3);
	EXPECT(rmp(PENV_PAGES + 0x2000).validated);
	/* A malformed entry further on: everything before it is done first (next rule). */
	for (unsigned int i = 0; i < 5; i++)
		ent[i] = pval_entry(PENV_PAGES + i * 0x1000ull, false, false, false);
	ent[2] |= 0x100;
	EXPECT_EQ_U64(pval_list(&e, LIST, 5, 0, ent), SVSM_ERR_INVALID_PARAMETER);
	EXPECT_EQ_U64(penv_rd16(LIST + 2), 2);
	EXPECT(!rmp(PENV_PAGES).validated && !rmp(PENV_PAGES + 0x1000).validated);
	EXPECT(rmp(PENV_PAGES + 0x2000).validated);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_bad_header)
{
	struct proto_env e;
	uint64_t ent = pval_entry(PENV_PAGES, false, true, false);
	uint64_t two[2] = {ent, pval_entry(PENV_PAGES + 0x1000, false, true, false)};

	penv_init(&e, NULL);
	penv_list(LIST, 1, 0, &ent);
	expect_refused(&e, LIST + 4, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, LIST + 1, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, PENV_RAM_SIZE + 0x1000, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0xFFFFFFFFFFFFF000ull, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, PENV_SVSM_BASE + 0x1000, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, PENV_SVSM_BASE - 8, SVSM_ERR_INVALID_PARAMETER); /* no room */
	expect_refused(&e, PENV_BOOT_VMSA, SVSM_ERR_INVALID_ADDRESS);
	/* A list in a page the guest never validated would fault: INVALID_ADDRESS (SPEC §5). */
	penv_list(PENV_PAGES + 0x40, 1, 0, &ent);
	expect_refused(&e, PENV_PAGES + 0x40, SVSM_ERR_INVALID_ADDRESS);
	penv_list(LIST, 0, 0, NULL);
	expect_refused(&e, LIST, SVSM_ERR_INVALID_PARAMETER);
	penv_list(LIST, 1, 1, &ent);
	expect_refused(&e, LIST, SVSM_ERR_INVALID_PARAMETER);
	penv_list(LIST, 2, 7, two);
	expect_refused(&e, LIST, SVSM_ERR_INVALID_PARAMETER);
	/* Crossing a page: at 0xFF0 only one entry fits. */
	penv_list(LIST + 0xFF0, 2, 0, two);
	expect_refused(&e, LIST + 0xFF0, SVSM_ERR_INVALID_PARAMETER);
	/* 512 entries never fit one page. */
	penv_list(LIST, 512, 0, NULL);
	expect_refused(&e, LIST, SVSM_ERR_INVALID_PARAMETER);
	/* The header's reserved bytes are ignored (Linux leaves them as they were). */
	penv_list(LIST, 1, 0, &ent);
	penv_wr(LIST + 4, "\xde\xad\xbe\xef", 4);
	EXPECT_EQ_U64(penv_call5(&e, 0, 0, SVSM_CORE_PVALIDATE, LIST, 0, 0, 0, NULL), SVSM_SUCCESS);
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_bad_entries)
{
	struct proto_env e;

	penv_init(&e, NULL);
	/* Reserved bits 11:4, page sizes 2 and 3, a misaligned 2 MiB entry. */
	for (unsigned int bit = 4; bit < 12; bit++)
		expect_entry_refused(&e, pval_entry(PENV_PAGES, false, true, false) | 1u << bit,
				     SVSM_ERR_INVALID_PARAMETER);
	expect_entry_refused(&e, PENV_PAGES | 2 | 4, SVSM_ERR_INVALID_PARAMETER);
	expect_entry_refused(&e, PENV_PAGES | 3 | 4, SVSM_ERR_INVALID_PARAMETER);
	expect_entry_refused(&e, pval_entry(PENV_2M_A + 0x1000, true, true, false),
			     SVSM_ERR_INVALID_PARAMETER);
	/* Addresses: out of RAM, the SVSM's, VMSAs, calling areas. */
	expect_entry_refused(&e, pval_entry(PENV_RAM_SIZE, false, true, false),
			     SVSM_ERR_INVALID_ADDRESS);
	expect_entry_refused(&e, pval_entry(0xFFFFFFFFFFFFF000ull, false, true, false),
			     SVSM_ERR_INVALID_ADDRESS);
	expect_entry_refused(&e, pval_entry(PENV_SVSM_BASE, false, true, false),
			     SVSM_ERR_INVALID_ADDRESS);
	expect_entry_refused(&e, pval_entry(PENV_SVSM_BASE, true, false, true),
			     SVSM_ERR_INVALID_ADDRESS);
	/* A 2 MiB entry over 4 KiB RMP entries: the hardware's size mismatch, nothing kept. */
	expect_entry_refused(&e, pval_entry(PENV_SVSM_BASE - 0x200000, true, true, false),
			     SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH);
	expect_entry_refused(&e, pval_entry(PENV_BOOT_VMSA, false, false, false),
			     SVSM_ERR_INVALID_ADDRESS);
	expect_entry_refused(&e, pval_entry(PENV_BOOT_CAA, false, false, false),
			     SVSM_ERR_INVALID_ADDRESS);
	/* A 2 MiB entry that covers the boot VMSA and calling area. */
	expect_entry_refused(&e, pval_entry(0, true, true, false), SVSM_ERR_INVALID_ADDRESS);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_pvalidate_bitmap_enomem)
{
	struct proto_env e;
	uint64_t page = PENV_PAGES + 0x20000; /* no neighbour validated: a new run */
	uint32_t rc = 0;

	penv_init(&e, NULL);
	/* Make the run array full, then refuse to grow it. */
	while (e.s.validated.nruns < e.s.validated.cap) {
		uint64_t p = PENV_PAGES + 0x40000 + e.s.validated.nruns * 0x2000ull;

		ASSERT(penv_pval1(&e, 0, p, false, true, false) == SVSM_SUCCESS);
	}
	e.alloc_budget = 0;
	{
		struct svsm_regs r = {SVSM_CALL(0, 1), LIST, 0, 0, 0};
		uint64_t ent = pval_entry(page, false, true, false);
		bool same = false;

		penv_list(LIST, 1, 0, &ent);
		rc = penv_call_unchanged(&e, 0, &r, &same);
		EXPECT_EQ_U64(rc, SVSM_ERR_INVALID_REQUEST);
		EXPECT(same);
	}
	e.alloc_budget = UINT64_MAX;
	EXPECT_EQ_U64(penv_pval1(&e, 0, page, false, true, false), SVSM_SUCCESS);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}
