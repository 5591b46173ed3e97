// SPDX-License-Identifier: MIT
/*
 * The SVSM entry path, dispatch and the small core calls (REMAP_CA, QUERY_PROTOCOL,
 * CONFIGURE_VTOM, DEPOSIT_MEM, WITHDRAW_MEM) on the SNP model. PVALIDATE and the vCPU calls
 * have their own files.
 */
#include <string.h>

#include "proto_harness.h"
#include "unit.h"

#define CORE SVSM_CORE_PROTOCOL

static uint32_t core(struct proto_env *e, uint32_t call, uint64_t rcx, struct svsm_regs *out)
{
	return penv_call5(e, 0, CORE, call, rcx, 0x1111, 0x2222, 0x3333, out);
}

/* A call that must answer `code` and change nothing but call_pending. */
static void expect_refused(struct proto_env *e, unsigned int cpu, uint64_t rax, uint64_t rcx,
			   uint64_t rdx, uint64_t r8, uint32_t code)
{
	struct svsm_regs r = {rax, rcx, rdx, r8, 0x4444};
	bool same = false;
	uint32_t got = penv_call_unchanged(e, cpu, &r, &same);

	EXPECTF(got == code, "RAX %#llx RCX %#llx: got %#x, want %#x", (unsigned long long)rax,
		(unsigned long long)rcx, got, code);
	EXPECTF(same, "RAX %#llx RCX %#llx changed state", (unsigned long long)rax,
		(unsigned long long)rcx);
}

UNIT_TEST(proto_query_protocol)
{
	struct proto_env e;
	struct svsm_regs r;

	penv_init(&e, NULL);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(0, 1), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, (1ull << 32) | 1);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(1, 1), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, (1ull << 32) | 1);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(2, 1), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, (1ull << 32) | 1);
	/* Unknown version or protocol: still SUCCESS, RCX = 0 (SPEC §6.7). */
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(0, 2), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(0, 0), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(3, 1), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(0x80000000u, 1), &r),
		      SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	/* RDX, R8 are no outputs of this call. */
	EXPECT_EQ_U64(r.rdx, 0x1111);
	EXPECT_EQ_U64(r.r8, 0x2222);
	penv_fini(&e);

	penv_init(&e, &(struct penv_opts){.no_vtpm = true, .no_attest = true});
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(2, 1), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(1, 1), &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	penv_fini(&e);
}

UNIT_TEST(proto_unknown_protocol_and_call)
{
	struct proto_env e;

	penv_init(&e, NULL);
	expect_refused(&e, 0, SVSM_CALL(3, 0), 0, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	expect_refused(&e, 0, SVSM_CALL(4, 0), 0, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	expect_refused(&e, 0, SVSM_CALL(0xFFFFFFFFu, 1), 0, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	expect_refused(&e, 0, SVSM_CALL(0, 8), 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL);
	expect_refused(&e, 0, SVSM_CALL(0, 0xFFFFFFFFu), 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL);
	expect_refused(&e, 0, SVSM_CALL(1, 2), 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL);
	expect_refused(&e, 0, SVSM_CALL(2, 2), 0, 0, 0, SVSM_ERR_UNSUPPORTED_CALL);
	penv_fini(&e);

	penv_init(&e, &(struct penv_opts){.no_vtpm = true, .no_attest = true});
	expect_refused(&e, 0, SVSM_CALL(1, 0), PENV_BUF, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	expect_refused(&e, 0, SVSM_CALL(2, 0), 0, 0, 0, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	penv_fini(&e);
}

UNIT_TEST(proto_entry_spurious_and_format)
{
	struct proto_env e;
	struct svsm_regs r = {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 7, 8, 9, 10};
	struct svsm_regs before = r;
	uint8_t *pending = NULL;

	penv_init(&e, NULL);
	pending = penv_ram(PENV_BOOT_CAA, 1);
	/* call_pending 0: a spurious (host-initiated) entry changes nothing (facts 1.4). */
	*pending = 0;
	EXPECT_EQ_U64(svsm_vcpu_entry(&e.s, 0, &r), SVSM_ENTRY_SPURIOUS);
	EXPECT_MEM_EQ(&r, &before, sizeof(r));
	/* A reserved call_pending value: INVALID_FORMAT, and the flag cleared. */
	*pending = 2;
	EXPECT_EQ_U64(svsm_vcpu_entry(&e.s, 0, &r), SVSM_ENTRY_DONE);
	EXPECT_EQ_U64(r.rax, SVSM_ERR_INVALID_FORMAT);
	EXPECT_EQ_U64(r.rcx, 7);
	EXPECT_EQ_U64(*pending, 0);
	/* An APIC ID with no vCPU: nothing to do. */
	r = before;
	EXPECT_EQ_U64(svsm_vcpu_entry(&e.s, 99, &r), SVSM_ENTRY_SPURIOUS);
	EXPECT_EQ_U64(svsm_vcpu_entry(&e.s, 1, &r), SVSM_ENTRY_SPURIOUS);
	EXPECT_MEM_EQ(&r, &before, sizeof(r));
	/* Error codes come back zero-extended: Linux compares all 64 bits (facts 1.3). */
	r = (struct svsm_regs){SVSM_CALL(9, 0), 0, 0, 0, 0};
	*pending = 1;
	EXPECT_EQ_U64(svsm_vcpu_entry(&e.s, 0, &r), SVSM_ENTRY_DONE);
	EXPECT_EQ_U64(r.rax, 0x80000001ull);
	penv_fini(&e);
}

UNIT_TEST(proto_configure_vtom)
{
	struct proto_env e;
	struct svsm_regs r;

	penv_init(&e, NULL);
	/* Query: supported bit clear; RDX and R8 are not written (defined only when supported). */
	EXPECT_EQ_U64(core(&e, SVSM_CORE_CONFIGURE_VTOM, 1, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0);
	EXPECT_EQ_U64(r.rdx, 0x1111);
	EXPECT_EQ_U64(r.r8, 0x2222);
	expect_refused(&e, 0, SVSM_CALL(0, 7), 3, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, SVSM_CALL(0, 7), 1ull << 40 | 1, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	/* Configure: reserved bits 11:5 → INVALID_PARAMETER, otherwise INVALID_REQUEST. */
	expect_refused(&e, 0, SVSM_CALL(0, 7), 1u << 5, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, SVSM_CALL(0, 7), 1u << 11, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, SVSM_CALL(0, 7), 0x1000, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, SVSM_CALL(0, 7), 0x40000000ull | 2 | 4, 0, 0,
		       SVSM_ERR_INVALID_REQUEST);
	expect_refused(&e, 0, SVSM_CALL(0, 7), 0, 0, 0, SVSM_ERR_INVALID_REQUEST);
	penv_fini(&e);
}

UNIT_TEST(proto_remap_ca)
{
	struct proto_env e;
	struct svsm_caller c;
	struct svsm_regs r = {SVSM_CALL(0, SVSM_CORE_REMAP_CA), PENV_BUF + 0x3000, 0, 0, 0};
	uint8_t *old_ca = NULL;
	uint8_t *new_ca = NULL;

	penv_init(&e, NULL);
	old_ca = penv_ram(PENV_BOOT_CAA, 8);
	new_ca = penv_ram(PENV_BUF + 0x3000, 8);
	memset(new_ca, 0xAA, 8);
	/* Remapping to the current area is a no-op. */
	EXPECT_EQ_U64(core(&e, SVSM_CORE_REMAP_CA, PENV_BOOT_CAA, NULL), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_call(&e, 0, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(old_ca[0], 0);
	EXPECT_EQ_U64(new_ca[0], 0);
	EXPECT_EQ_U64(new_ca[1], 0); /* nothing deposited */
	EXPECT_EQ_U64(new_ca[2], 0xAA);
	ASSERT(svsm_caller_get(&e.s, 0, &c));
	EXPECT_EQ_U64(gpa_addr(c.rec.caa), PENV_BUF + 0x3000);
	/* The next call is read from the new area; the old one is never looked at again. */
	old_ca[0] = 1;
	EXPECT_EQ_U64(core(&e, SVSM_CORE_QUERY_PROTOCOL, 0, NULL), SVSM_SUCCESS);
	EXPECT_EQ_U64(old_ca[0], 1);
	old_ca[0] = 0;
	/* The old area is plain guest memory again: the guest may PVALIDATE it away. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_BOOT_CAA, false, false, false), SVSM_SUCCESS);
	penv_fini(&e);
}

UNIT_TEST(proto_remap_ca_bad)
{
	struct proto_env e;
	uint64_t remap = SVSM_CALL(0, SVSM_CORE_REMAP_CA);

	penv_init(&e, NULL);
	/* vCPU 1 exists so its calling area is someone else's. */
	penv_make_vmsa(&e, penv_ap_vmsa(1, 0), 2, e.features);
	EXPECT_EQ_U64(penv_call5(&e, 0, CORE, SVSM_CORE_CREATE_VCPU, penv_ap_vmsa(1, 0),
				 penv_ap_caa(1), 1, 0, NULL),
		      SVSM_SUCCESS);
	expect_refused(&e, 0, remap, PENV_BUF + 8, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, remap, PENV_BUF + 0x800, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, remap, PENV_RAM_SIZE + 0x10000, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, remap, 0xFFFFFFFFFFFFF000ull, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, remap, PENV_SVSM_BASE, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, remap, PENV_SVSM_BASE + 0x5000, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, remap, PENV_BOOT_VMSA, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, remap, penv_ap_vmsa(1, 0), 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, remap, penv_ap_caa(1), 0, 0, SVSM_ERR_INVALID_ADDRESS);
	/* Never validated: the SVSM could not use it. */
	expect_refused(&e, 0, remap, PENV_PAGES, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	penv_fini(&e);
}

/* ---- DEPOSIT_MEM / WITHDRAW_MEM ---- */

static void validate_pages(struct proto_env *e, uint64_t gpa, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ASSERT(penv_pval1(e, 0, gpa + i * 0x1000ull, false, true, false) == SVSM_SUCCESS);
}

static bool guest_has_access(uint64_t gpa, unsigned int vmpl)
{
	struct model_rmp m;

	ASSERT(model_rmp_get(gpa_init(gpa), &m));
	return m.perm[vmpl] == SNP_PERM_RWX;
}

static bool guest_no_access(uint64_t gpa)
{
	struct model_rmp m;

	ASSERT(model_rmp_get(gpa_init(gpa), &m));
	return m.perm[1] == 0 && m.perm[2] == 0 && m.perm[3] == 0;
}

UNIT_TEST(proto_deposit_withdraw)
{
	struct proto_env e;
	uint64_t list = PENV_BUF + 0x1000;
	uint64_t out = PENV_BUF + 0x2000;
	uint64_t ent[3] = {PENV_PAGES + 0x3000, PENV_PAGES + 0x1000, PENV_PAGES + 0x2000};
	uint8_t *avail = NULL;
	struct svsm_regs r;

	penv_init(&e, NULL);
	avail = penv_ram(PENV_BOOT_CAA + 1, 1);
	validate_pages(&e, PENV_PAGES, 4);
	penv_list(list, 3, 0, ent);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_DEPOSIT_MEM, list, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(list + 2), 3);
	EXPECT_EQ_U64(*avail, 1);
	for (unsigned int i = 1; i < 4; i++) {
		EXPECT(guest_no_access(PENV_PAGES + i * 0x1000ull));
		EXPECT(penv_rmp_validated(PENV_PAGES + i * 0x1000ull));
	}
	/* Deposited pages are the SVSM's: PVALIDATE and guest copies refuse them. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_PAGES + 0x1000, false, false, false),
		      SVSM_ERR_INVALID_ADDRESS);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_WITHDRAW_MEM, PENV_PAGES + 0x1000, NULL),
		      SVSM_ERR_INVALID_ADDRESS);
	/* Depositing one twice. */
	penv_list(list, 1, 0, &ent[1]);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_DEPOSIT_MEM, list, NULL), SVSM_ERR_INVALID_ADDRESS);
	EXPECT_EQ_U64(penv_rd16(list + 2), 0);

	/* Withdraw into a buffer with room for two: the two lowest come back. */
	EXPECT_EQ_U64(core(&e, SVSM_CORE_WITHDRAW_MEM, out + 0x1000 - 24, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(out + 0x1000 - 24), 2);
	EXPECT_EQ_U64(penv_rd64(out + 0x1000 - 16), PENV_PAGES + 0x1000);
	EXPECT_EQ_U64(penv_rd64(out + 0x1000 - 8), PENV_PAGES + 0x2000);
	EXPECT(guest_has_access(PENV_PAGES + 0x1000, 1) &&
	       guest_has_access(PENV_PAGES + 0x1000, 2));
	EXPECT(guest_no_access(PENV_PAGES + 0x3000));
	EXPECT_EQ_U64(*avail, 1);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_WITHDRAW_MEM, out, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(out), 1);
	EXPECT_EQ_U64(penv_rd64(out + 8), PENV_PAGES + 0x3000);
	EXPECT_EQ_U64(*avail, 0);
	/* Nothing left: SUCCESS with 0 entries, never INCOMPLETE (SPEC §6.6). */
	EXPECT_EQ_U64(core(&e, SVSM_CORE_WITHDRAW_MEM, out, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(out), 0);
	/* The guest can use (and invalidate) what it got back. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, PENV_PAGES + 0x1000, false, false, false), SVSM_SUCCESS);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_deposit_2m_and_partial)
{
	struct proto_env e;
	uint64_t list = PENV_BUF + 0x1000;
	uint64_t ent[3];

	penv_init(&e, NULL);
	/* A 2 MiB range validated as 512 4 KiB pages deposits as one 2 MiB entry. */
	for (unsigned int chunk = 0; chunk < 2; chunk++) {
		static uint64_t many[256];

		for (unsigned int i = 0; i < 256; i++)
			many[i] = pval_entry(PENV_2M_A + (chunk * 256 + i) * 0x1000ull, false, true,
					     false);
		penv_list(list, 256, 0, many);
		ASSERT(core(&e, SVSM_CORE_PVALIDATE, list, NULL) == SVSM_SUCCESS);
	}
	validate_pages(&e, PENV_PAGES, 1);
	/* Entry 0 deposits, entry 1 has a reserved bit, entry 2 would be fine: stops at 1. */
	ent[0] = PENV_2M_A | 1;
	ent[1] = PENV_PAGES | 0x10;
	ent[2] = PENV_PAGES;
	penv_list(list, 3, 0, ent);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_DEPOSIT_MEM, list, NULL), SVSM_ERR_INVALID_PARAMETER);
	EXPECT_EQ_U64(penv_rd16(list + 2), 1);
	EXPECT(guest_no_access(PENV_2M_A) && guest_no_access(PENV_2M_A + 0x1FF000));
	EXPECT(!guest_no_access(PENV_PAGES));
	EXPECT_EQ_U64(rle_count(&e.s.deposited), 512);
	/* Resumed at next with the entry fixed. */
	ent[1] = PENV_PAGES;
	penv_list(list, 2, 1, ent);
	EXPECT_EQ_U64(core(&e, SVSM_CORE_DEPOSIT_MEM, list, NULL), SVSM_SUCCESS);
	EXPECT_EQ_U64(rle_count(&e.s.deposited), 513);
	penv_fini(&e);
}

UNIT_TEST(proto_deposit_withdraw_bad)
{
	struct proto_env e;
	uint64_t list = PENV_BUF + 0x1000;
	uint64_t dep = SVSM_CALL(0, SVSM_CORE_DEPOSIT_MEM);
	uint64_t wd = SVSM_CALL(0, SVSM_CORE_WITHDRAW_MEM);
	uint64_t ent = 0;

	penv_init(&e, NULL);
	validate_pages(&e, PENV_PAGES, 1);
	ent = PENV_PAGES;
	penv_list(list, 1, 0, &ent);
	expect_refused(&e, 0, dep, list + 4, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, dep, PENV_RAM_SIZE, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, dep, PENV_SVSM_BASE + 0x100, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	penv_list(list, 0, 0, NULL);
	expect_refused(&e, 0, dep, list, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	penv_list(list, 1, 1, &ent);
	expect_refused(&e, 0, dep, list, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	penv_list(list + 0xFF8, 1, 0, &ent); /* no room for its entry in the page */
	expect_refused(&e, 0, dep, list + 0xFF8, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	static const uint64_t bad[] = {
		PENV_PAGES | 2,	    PENV_PAGES | 3,	PENV_PAGES | 4,
		PENV_PAGES | 0x800, PENV_2M_A | 0x1001, /* 2 MiB entry not 2 MiB aligned */
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		penv_list(list, 1, 0, &bad[i]);
		expect_refused(&e, 0, dep, list, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	}
	static const uint64_t badaddr[] = {
		PENV_PAGES + 0x1000, /* never validated */
		PENV_BOOT_VMSA,	     PENV_BOOT_CAA,	    PENV_SVSM_BASE,
		PENV_RAM_SIZE,	     0xFFFFFFFFFFFFF000ull,
	};
	for (unsigned int i = 0; i < sizeof(badaddr) / sizeof(badaddr[0]); i++) {
		penv_list(list, 1, 0, &badaddr[i]);
		expect_refused(&e, 0, dep, list, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	}
	/* WITHDRAW: no room for one entry, misaligned, not guest memory. */
	expect_refused(&e, 0, wd, PENV_BUF + 0xFF8, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, wd, PENV_BUF + 0x104, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, 0, wd, PENV_SVSM_BASE, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, wd, PENV_BOOT_VMSA, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0, wd, PENV_RAM_SIZE + 0x1000, 0, 0, SVSM_ERR_INVALID_ADDRESS);
	penv_fini(&e);
}
