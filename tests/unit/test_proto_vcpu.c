// SPDX-License-Identifier: MIT
/* SVSM_CORE_CREATE_VCPU and SVSM_CORE_DELETE_VCPU (SPEC §6.3 / §6.4) on the SNP model. */
#include "proto_harness.h"
#include "unit.h"

static uint32_t create(struct proto_env *e, unsigned int cpu, uint64_t vmsa, uint64_t caa,
		       uint64_t apic)
{
	return penv_call5(e, cpu, SVSM_CORE_PROTOCOL, SVSM_CORE_CREATE_VCPU, vmsa, caa, apic, 0,
			  NULL);
}

static uint32_t delete (struct proto_env *e, unsigned int cpu, uint64_t vmsa)
{
	return penv_call5(e, cpu, SVSM_CORE_PROTOCOL, SVSM_CORE_DELETE_VCPU, vmsa, 0, 0, 0, NULL);
}

static struct model_rmp rmp(uint64_t gpa)
{
	struct model_rmp m;

	ASSERT(model_rmp_get(gpa_init(gpa), &m));
	return m;
}

static void expect_refused(struct proto_env *e, uint32_t call, uint64_t rcx, uint64_t rdx,
			   uint64_t r8, uint32_t code)
{
	struct svsm_regs r = {SVSM_CALL(0, call), rcx, rdx, r8, 0};
	bool same = false;
	uint32_t got = penv_call_unchanged(e, 0, &r, &same);

	EXPECTF(got == code, "call %u (%#llx, %#llx, %#llx): got %#x, want %#x", call,
		(unsigned long long)rcx, (unsigned long long)rdx, (unsigned long long)r8, got,
		code);
	EXPECTF(same, "call %u (%#llx, %#llx, %#llx) changed state", call, (unsigned long long)rcx,
		(unsigned long long)rdx, (unsigned long long)r8);
}

UNIT_TEST(proto_create_delete_vcpu)
{
	struct proto_env e;
	struct svsm_regs r;
	gpa_t vmsa;
	uint64_t v0 = penv_ap_vmsa(1, 0);
	uint64_t v1 = penv_ap_vmsa(1, 1);

	penv_init(&e, NULL);
	penv_make_vmsa(&e, v0, 2, e.features);
	EXPECT_EQ_U64(create(&e, 0, v0, penv_ap_caa(1), 1), SVSM_SUCCESS);
	EXPECT(rmp(v0).vmsa);
	EXPECT_EQ_U64(rmp(v0).perm[1], 0);
	EXPECT_EQ_U64(rmp(v0).perm[2], SNP_PERM_READ);
	ASSERT(svsm_vcpu_vmsa(&e.s, 1, &vmsa));
	EXPECT_EQ_U64(gpa_addr(vmsa), v0);
	/* vCPU 1 now calls through its own calling area. */
	EXPECT_EQ_U64(penv_call5(&e, 1, 0, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(0, 1), 0, 0, 0, &r),
		      SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, (1ull << 32) | 1);
	/* The VMSA and its calling area are no longer the guest's to PVALIDATE. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, v0, false, false, false), SVSM_ERR_INVALID_ADDRESS);
	EXPECT_EQ_U64(penv_pval1(&e, 0, penv_ap_caa(1), false, false, false),
		      SVSM_ERR_INVALID_ADDRESS);

	/* Linux's AP restart: a new VMSA with the same calling area, then the old one deleted. */
	penv_make_vmsa(&e, v1, 2, e.features);
	EXPECT_EQ_U64(create(&e, 0, v1, penv_ap_caa(1), 1), SVSM_SUCCESS);
	ASSERT(svsm_vcpu_vmsa(&e.s, 1, &vmsa));
	EXPECT_EQ_U64(gpa_addr(vmsa), v1);
	EXPECT_EQ_U64(delete (&e, 0, v0), SVSM_SUCCESS);
	EXPECT(!rmp(v0).vmsa);
	EXPECT_EQ_U64(rmp(v0).perm[2], SNP_PERM_RWX);
	ASSERT(svsm_vcpu_vmsa(&e.s, 1, &vmsa));
	EXPECT_EQ_U64(gpa_addr(vmsa), v1);
	/* The old VMSA page is plain guest memory again. */
	EXPECT_EQ_U64(penv_pval1(&e, 0, v0, false, false, false), SVSM_SUCCESS);

	/* A vCPU deleting its own VMSA gets no result (SPEC §6.4). */
	{
		struct svsm_regs d = {SVSM_CALL(0, SVSM_CORE_DELETE_VCPU), v1, 0, 0, 0};
		enum svsm_entry entry = SVSM_ENTRY_DONE;

		penv_call_quiet(&e, 1, &d, &entry);
		EXPECT_EQ_U64(entry, SVSM_ENTRY_GONE);
		EXPECT_EQ_U64(d.rax, SVSM_CALL(0, SVSM_CORE_DELETE_VCPU));
		EXPECT(!svsm_vcpu_vmsa(&e.s, 1, &vmsa));
		EXPECT(!rmp(v1).vmsa);
	}
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_create_vcpu_bad)
{
	struct proto_env e;
	uint64_t v = penv_ap_vmsa(2, 0);
	uint64_t ca = penv_ap_caa(2);
	unsigned int create_call = SVSM_CORE_CREATE_VCPU;

	penv_init(&e, NULL);
	penv_make_vmsa(&e, penv_ap_vmsa(1, 0), 2, e.features);
	ASSERT(create(&e, 0, penv_ap_vmsa(1, 0), penv_ap_caa(1), 1) == SVSM_SUCCESS);
	penv_make_vmsa(&e, v, 2, e.features);
	/* Registers. */
	expect_refused(&e, create_call, v + 8, ca, 2, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, create_call, v, ca + 0x10, 2, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, create_call, v, v, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, ca, 9, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, create_call, v, ca, 0xFFFFFFFFull, SVSM_ERR_INVALID_PARAMETER);
	/* Addresses: out of RAM, the SVSM's, a 2 MiB-aligned VMSA, unvalidated pages. */
	expect_refused(&e, create_call, PENV_RAM_SIZE + 0x1000, ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, PENV_RAM_SIZE + 0x1000, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, PENV_SVSM_BASE + 0x1000, ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, PENV_SVSM_BASE + 0x1000, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, PENV_2M_A, ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, PENV_PAGES + 0x1000, ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, PENV_PAGES + 0x1000, 2, SVSM_ERR_INVALID_ADDRESS);
	/* Collisions: an active VMSA, an active calling area of another vCPU. */
	expect_refused(&e, create_call, PENV_BOOT_VMSA, ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, penv_ap_vmsa(1, 0), ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, PENV_BOOT_CAA, ca, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, PENV_BOOT_CAA, 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, penv_ap_caa(1), 2, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, create_call, v, PENV_BOOT_VMSA, 2, SVSM_ERR_INVALID_ADDRESS);
	/* The VMSA's contents (facts 2.3); each refusal gives the page back to the guest. */
	static const struct {
		unsigned int vmpl;
		uint64_t features;
	} bad[] = {
		{0, 0},			     /* VMPL 0 */
		{1, 0},			     /* more privileged than the caller (2) */
		{4, 0},			     /* no such VMPL */
		{2, SNP_FEAT_DEBUG_SWAP},    /* features differ from the caller's */
		{2, SNP_FEAT_VMSA_REG_PROT}, /* an unsafe feature */
		{2, SNP_FEAT_VTOM},	     /* an unsafe feature */
		{2, 1ull << 20},	     /* a feature nobody knows */
		{2, ~0ull},		     /* everything */
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		penv_make_vmsa(&e, v, bad[i].vmpl, e.features | bad[i].features);
		expect_refused(&e, create_call, v, ca, 2, SVSM_ERR_INVALID_PARAMETER);
		EXPECT_EQ_U64(rmp(v).perm[2], SNP_PERM_RWX);
	}
	penv_make_vmsa(&e, v, 2, e.features);
	snp_vmsa_set64(penv_ram(v, SNP_VMSA_SIZE), SNP_VMSA_EFER, 0);
	expect_refused(&e, create_call, v, ca, 2, SVSM_ERR_INVALID_PARAMETER);
	/* Fixed: accepted. */
	penv_make_vmsa(&e, v, 2, e.features);
	EXPECT_EQ_U64(create(&e, 0, v, ca, 2), SVSM_SUCCESS);
	/* A less privileged VMPL than the caller's is allowed (SPEC: VMPL >= caller's). */
	penv_make_vmsa(&e, penv_ap_vmsa(3, 0), 3, e.features);
	EXPECT_EQ_U64(create(&e, 0, penv_ap_vmsa(3, 0), penv_ap_caa(3), 3), SVSM_SUCCESS);
	EXPECT(penv_bitmap_matches_rmp(&e));
	penv_fini(&e);
}

UNIT_TEST(proto_delete_vcpu_bad)
{
	struct proto_env e;
	uint64_t v = penv_ap_vmsa(1, 0);
	unsigned int del = SVSM_CORE_DELETE_VCPU;

	penv_init(&e, NULL);
	penv_make_vmsa(&e, v, 2, e.features);
	ASSERT(create(&e, 0, v, penv_ap_caa(1), 1) == SVSM_SUCCESS);
	expect_refused(&e, del, v + 0x800, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, del, penv_ap_vmsa(2, 0), 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, del, penv_ap_caa(1), 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, del, PENV_SVSM_BASE, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, del, PENV_BOOT_VMSA, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	/* A running VMSA keeps SVME: FAIL_INUSE, nothing changed. */
	model_vmsa_set_running(gpa_init(v), true);
	expect_refused(&e, del, v, 0, 0, SVSM_ERR_FAIL_INUSE);
	model_vmsa_set_running(gpa_init(v), false);
	EXPECT_EQ_U64(delete (&e, 0, v), SVSM_SUCCESS);
	/* Gone: deleting again is an unknown VMSA. */
	expect_refused(&e, del, v, 0, 0, SVSM_ERR_INVALID_PARAMETER);
	penv_fini(&e);
}

/* A VMSA more privileged than the caller cannot be deleted by it. */
UNIT_TEST(proto_delete_vcpu_privilege)
{
	struct proto_env e;
	uint64_t v2 = penv_ap_vmsa(1, 0);
	uint64_t v3 = penv_ap_vmsa(2, 0);
	struct svsm_regs r = {SVSM_CALL(0, SVSM_CORE_DELETE_VCPU), v2, 0, 0, 0};

	penv_init(&e, NULL);
	penv_make_vmsa(&e, v2, 2, e.features);
	ASSERT(create(&e, 0, v2, penv_ap_caa(1), 1) == SVSM_SUCCESS);
	penv_make_vmsa(&e, v3, 3, e.features);
	ASSERT(create(&e, 0, v3, penv_ap_caa(2), 2) == SVSM_SUCCESS);
	/* vCPU 2 runs at VMPL3: it may not delete vCPU 1's VMPL2 VMSA. */
	EXPECT_EQ_U64(penv_call(&e, 2, &r), SVSM_ERR_INVALID_PARAMETER);
	EXPECT(rmp(v2).vmsa);
	penv_fini(&e);
}
