/* SPDX-License-Identifier: MIT */
/*
 * PVALIDATE and RMPADJUST on the SNP machine model (tests/snp/), the recipes of
 * kernel/platform/snp/rmp.c, and snp_vmsa_disable. Each rule of the model's RMP is exercised
 * once through the platform API and, where the API cannot produce the input (a misaligned VA),
 * through the instruction seam directly.
 */
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <string.h>

#include "../../kernel/platform/snp/snp_hw.h"
#include "../snp/model.h"
#include "unit.h"

#define GUEST_PAGE 0x100000ull /* 1 MiB: guest RAM, assigned and not validated at launch */
#define GUEST_2M   0x400000ull

static void boot(void)
{
	ASSERT(model_boot(NULL) == 0);
}

static struct model_rmp rmp(uint64_t gpa)
{
	struct model_rmp e;

	memset(&e, 0, sizeof(e));
	ASSERT(model_rmp_get(gpa_init(gpa), &e));
	return e;
}

static void set_rmp(uint64_t gpa, bool assigned, bool validated)
{
	struct model_rmp e;

	memset(&e, 0, sizeof(e));
	e.assigned = assigned;
	e.validated = validated;
	ASSERT(model_rmp_set(gpa_init(gpa), &e));
}

UNIT_TEST(snp_pvalidate_validates_then_reports_no_change)
{
	bool nc = true;

	boot();
	EXPECT(!rmp(GUEST_PAGE).validated);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_PAGE), SNP_PAGE_4K, true, &nc), SNP_RMP_OK);
	EXPECT(!nc);
	EXPECT(rmp(GUEST_PAGE).validated);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_PAGE), SNP_PAGE_4K, true, &nc), SNP_RMP_OK);
	EXPECT(nc); /* CF = 1: already validated */
	EXPECT(rmp(GUEST_PAGE).validated);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_PAGE), SNP_PAGE_4K, false, &nc), SNP_RMP_OK);
	EXPECT(!nc);
	EXPECT(!rmp(GUEST_PAGE).validated);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_PAGE), SNP_PAGE_4K, false, &nc), SNP_RMP_OK);
	EXPECT(nc);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

UNIT_TEST(snp_pvalidate_fail_input)
{
	vaddr_t va = va_init(0);
	bool nc = false;
	bool cf = false;

	boot();
	/* Misaligned GPA (refused by the map) and misaligned VA (refused by the instruction). */
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_PAGE + 0x800), SNP_PAGE_4K, true, &nc),
		      SNP_RMP_FAIL_INPUT);
	ASSERT(snp_hw_map(gpa_init(GUEST_PAGE), SNP_PAGE_4K, &va));
	EXPECT_EQ_U64(snp_hw_pvalidate(va_init(va_addr(va) + 8), SNP_PAGE_4K, true, &cf),
		      SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_hw_pvalidate(va, SNP_PAGE_2M, true, &cf), SNP_RMP_FAIL_INPUT);
	snp_hw_unmap(va, SNP_PAGE_4K);
	/* Outside RAM. */
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(1ull << 40), SNP_PAGE_4K, true, &nc),
		      SNP_RMP_FAIL_INPUT);
	/* Not assigned (shared): no change. */
	set_rmp(GUEST_PAGE, false, false);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_PAGE), SNP_PAGE_4K, true, &nc),
		      SNP_RMP_FAIL_INPUT);
	EXPECT(!rmp(GUEST_PAGE).validated && !rmp(GUEST_PAGE).assigned);
	EXPECT(!nc);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

UNIT_TEST(snp_pvalidate_size_mismatch)
{
	struct model_rmp e;
	bool nc = false;

	boot();
	/* 2 MiB on 4 KiB entries. */
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_2M), SNP_PAGE_2M, true, &nc),
		      SNP_RMP_FAIL_SIZEMISMATCH);
	EXPECT(!rmp(GUEST_2M).validated);
	/* A 2 MiB entry: 2 MiB works, 4 KiB inside it is a mismatch (no implicit PSMASH). */
	memset(&e, 0, sizeof(e));
	e.assigned = true;
	ASSERT(model_rmp_set_2m(gpa_init(GUEST_2M), &e));
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_2M), SNP_PAGE_2M, true, &nc), SNP_RMP_OK);
	EXPECT(rmp(GUEST_2M).validated && rmp(GUEST_2M + 511 * 4096).validated);
	EXPECT(rmp(GUEST_2M + 4096).page_2m);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_2M + 4096), SNP_PAGE_4K, false, &nc),
		      SNP_RMP_FAIL_SIZEMISMATCH);
	EXPECT(rmp(GUEST_2M + 4096).validated);
	/* A 2 MiB request must be 2 MiB aligned. */
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_2M + 4096), SNP_PAGE_2M, false, &nc),
		      SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_pvalidate(gpa_init(GUEST_2M), SNP_PAGE_2M, false, &nc), SNP_RMP_OK);
	EXPECT(!rmp(GUEST_2M + 300 * 4096).validated);
	model_destroy();
}

UNIT_TEST(snp_rmpadjust_rules)
{
	vaddr_t va = va_init(0);
	struct model_rmp e;

	boot();
	set_rmp(GUEST_PAGE, true, true);
	/* Target VMPL 0 is not below the current VMPL 0. */
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 0 | SNP_PERM_RWX),
		      SNP_RMP_FAIL_PERMISSION);
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 4 | SNP_PERM_READ),
		      SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 1 | (1ull << 12)),
		      SNP_RMP_FAIL_INPUT); /* reserved attribute bit */
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 1 | (1ull << 32)),
		      SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_2M), SNP_PAGE_2M, 1 | SNP_PERM_READ),
		      SNP_RMP_FAIL_SIZEMISMATCH);
	ASSERT(snp_hw_map(gpa_init(GUEST_PAGE), SNP_PAGE_4K, &va));
	EXPECT_EQ_U64(snp_hw_rmpadjust(va_init(va_addr(va) + 1), SNP_PAGE_4K, 1),
		      SNP_RMP_FAIL_INPUT);
	snp_hw_unmap(va, SNP_PAGE_4K);
	/* Nothing above changed the entry (set_rmp left VMPL1..3 without access). */
	e = rmp(GUEST_PAGE);
	EXPECT_EQ_U64(e.perm[1] | e.perm[2] | e.perm[3], 0);
	EXPECT(!e.vmsa);
	/* The effect: exactly the target VMPL's permissions. */
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 3 | SNP_PERM_READ),
		      SNP_RMP_OK);
	e = rmp(GUEST_PAGE);
	EXPECT_EQ_U64(e.perm[3], SNP_PERM_READ);
	EXPECT_EQ_U64(e.perm[1] | e.perm[2], 0);
	EXPECT_EQ_U64(e.perm[0], SNP_PERM_RWX);
	/* Not assigned, and the VMSA bit on a page that is not validated. */
	set_rmp(GUEST_PAGE + 4096, false, false);
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE + 4096), SNP_PAGE_4K, 1),
		      SNP_RMP_FAIL_INPUT);
	set_rmp(GUEST_PAGE + 4096, true, false);
	EXPECT_EQ_U64(snp_rmpadjust(gpa_init(GUEST_PAGE + 4096), SNP_PAGE_4K,
				    2 | SNP_PERM_READ | SNP_RMPADJ_VMSA),
		      SNP_RMP_FAIL_INPUT);
	EXPECT(!rmp(GUEST_PAGE + 4096).vmsa);
	model_destroy();
}

UNIT_TEST(snp_recipes_revoke_grant)
{
	struct model_rmp e;

	boot();
	set_rmp(GUEST_PAGE, true, true);
	EXPECT_EQ_U64(snp_grant_guest_access(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 2), SNP_RMP_OK);
	e = rmp(GUEST_PAGE);
	EXPECT_EQ_U64(e.perm[1], SNP_PERM_RWX);
	EXPECT_EQ_U64(e.perm[2], SNP_PERM_RWX);
	EXPECT_EQ_U64(e.perm[3], 0); /* less privileged than the caller: untouched */
	EXPECT_EQ_U64(snp_revoke_guest_access(gpa_init(GUEST_PAGE), SNP_PAGE_4K), SNP_RMP_OK);
	e = rmp(GUEST_PAGE);
	EXPECT_EQ_U64(e.perm[1] | e.perm[2] | e.perm[3], 0);
	EXPECT_EQ_U64(e.perm[0], SNP_PERM_RWX);
	EXPECT_EQ_U64(snp_grant_guest_access(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 0),
		      SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_grant_guest_access(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 4),
		      SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_grant_guest_access(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 3), SNP_RMP_OK);
	e = rmp(GUEST_PAGE);
	EXPECT_EQ_U64(e.perm[3], SNP_PERM_RWX);
	/* A shared page: the first RMPADJUST fails and its code is returned. */
	set_rmp(GUEST_PAGE + 4096, false, false);
	EXPECT_EQ_U64(snp_revoke_guest_access(gpa_init(GUEST_PAGE + 4096), SNP_PAGE_4K),
		      SNP_RMP_FAIL_INPUT);
	model_destroy();
}

UNIT_TEST(snp_recipes_vmsa)
{
	struct model_rmp e;

	boot();
	set_rmp(GUEST_PAGE, true, true);
	EXPECT_EQ_U64(snp_grant_guest_access(gpa_init(GUEST_PAGE), SNP_PAGE_4K, 3), SNP_RMP_OK);
	EXPECT_EQ_U64(snp_make_guest_vmsa(gpa_init(GUEST_PAGE), 2), SNP_RMP_OK);
	e = rmp(GUEST_PAGE);
	EXPECT(e.vmsa);
	EXPECT_EQ_U64(e.perm[1], 0);
	EXPECT_EQ_U64(e.perm[2], SNP_PERM_READ);
	EXPECT_EQ_U64(e.perm[3], 0);
	/* While the VMSA runs it cannot be changed. */
	model_vmsa_set_running(gpa_init(GUEST_PAGE), true);
	EXPECT_EQ_U64(snp_clear_guest_vmsa(gpa_init(GUEST_PAGE), 2), SNP_RMP_FAIL_INUSE);
	EXPECT(rmp(GUEST_PAGE).vmsa);
	model_vmsa_set_running(gpa_init(GUEST_PAGE), false);
	EXPECT_EQ_U64(snp_clear_guest_vmsa(gpa_init(GUEST_PAGE), 2), SNP_RMP_OK);
	e = rmp(GUEST_PAGE);
	EXPECT(!e.vmsa);
	EXPECT_EQ_U64(e.perm[1], SNP_PERM_RWX);
	EXPECT_EQ_U64(e.perm[2], SNP_PERM_RWX);
	EXPECT_EQ_U64(e.perm[3], 0);
	EXPECT_EQ_U64(snp_make_guest_vmsa(gpa_init(GUEST_PAGE), 0), SNP_RMP_FAIL_INPUT);
	EXPECT_EQ_U64(snp_clear_guest_vmsa(gpa_init(GUEST_PAGE), 4), SNP_RMP_FAIL_INPUT);
	/* Not validated: the VMSA bit is refused. */
	set_rmp(GUEST_PAGE + 4096, true, false);
	EXPECT_EQ_U64(snp_make_guest_vmsa(gpa_init(GUEST_PAGE + 4096), 2), SNP_RMP_FAIL_INPUT);
	EXPECT(!rmp(GUEST_PAGE + 4096).vmsa);
	model_destroy();
}

/* A VMSA page at gpa for VMPL 2, made the way CREATE_VCPU makes it. */
static void make_vmsa(uint64_t gpa)
{
	uint8_t *p = NULL;

	set_rmp(gpa, true, true);
	p = model_ram(gpa_init(gpa), SNP_VMSA_SIZE);
	ASSERT(p);
	snp_vmsa_init_guest(p, 0xFFFFFFF0, 2, snp_sev_features());
	ASSERT(snp_make_guest_vmsa(gpa_init(gpa), 2) == SNP_RMP_OK);
}

UNIT_TEST(snp_vmsa_disable_clears_svme_unless_running)
{
	uint8_t *p = NULL;

	boot();
	make_vmsa(GUEST_PAGE);
	p = model_ram(gpa_init(GUEST_PAGE), SNP_VMSA_SIZE);
	model_vmsa_set_running(gpa_init(GUEST_PAGE), true);
	EXPECT_EQ_U64(snp_vmsa_disable(gpa_init(GUEST_PAGE)), (uint64_t)SNP_EBUSY);
	EXPECT(snp_vmsa_get64(p, SNP_VMSA_EFER) & SNP_EFER_SVME);
	model_vmsa_set_running(gpa_init(GUEST_PAGE), false);
	EXPECT_EQ_U64(snp_vmsa_disable(gpa_init(GUEST_PAGE)), SNP_OK);
	EXPECT(!(snp_vmsa_get64(p, SNP_VMSA_EFER) & SNP_EFER_SVME));
	/* The RMP entry is what snp_make_guest_vmsa left. */
	EXPECT(rmp(GUEST_PAGE).vmsa);
	EXPECT_EQ_U64(rmp(GUEST_PAGE).perm[2], SNP_PERM_READ);
	/* Not a usable VMSA: misaligned, outside RAM, VMPL byte 0. */
	EXPECT_EQ_U64(snp_vmsa_disable(gpa_init(GUEST_PAGE + 8)), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_vmsa_disable(gpa_init(1ull << 40)), (uint64_t)SNP_EINVAL);
	p[SNP_VMSA_VMPL] = 0;
	EXPECT_EQ_U64(snp_vmsa_disable(gpa_init(GUEST_PAGE)), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}
