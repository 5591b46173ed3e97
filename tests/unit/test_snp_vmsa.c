/* SPDX-License-Identifier: MIT */
/*
 * VMSA images (kernel/platform/snp/vmsa.c): the guest BSP's reset state and the check of a
 * guest-supplied VMSA, one row per rule of facts 2.3.
 */
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <string.h>

#include "unit.h"

/* The IGVM VMSA's features for the SVSM: SNP, RestrictedInjection, DebugSwap, SecureTSC. */
#define SVSM_FEATURES \
	(SNP_FEAT_SNP | SNP_FEAT_RESTRICTED_INJ | SNP_FEAT_DEBUG_SWAP | SNP_FEAT_SECURE_TSC)
#define GUEST_FEATURES (SNP_FEAT_SNP | SNP_FEAT_SECURE_TSC)

static uint8_t v[SNP_VMSA_SIZE];

static uint64_t le(unsigned int off, unsigned int n)
{
	uint64_t x = 0;

	for (unsigned int i = n; i-- > 0;)
		x = x << 8 | v[off + i];
	return x;
}

UNIT_TEST(snp_vmsa_init_guest_reset_state)
{
	memset(v, 0xEE, sizeof(v));
	snp_vmsa_init_guest(v, 0xFFFFFFF0, 2, SVSM_FEATURES);
	EXPECT_EQ_U64(le(SNP_VMSA_CS, 2), 0xF000);	   /* selector */
	EXPECT_EQ_U64(le(SNP_VMSA_CS + 2, 2), 0x9B);	   /* attrib */
	EXPECT_EQ_U64(le(SNP_VMSA_CS + 4, 4), 0xFFFF);	   /* limit */
	EXPECT_EQ_U64(le(SNP_VMSA_CS + 8, 8), 0xFFFF0000); /* base */
	EXPECT_EQ_U64(le(SNP_VMSA_RIP, 8), 0xFFF0);
	EXPECT_EQ_U64(le(SNP_VMSA_DS + 2, 2), 0x93);
	EXPECT_EQ_U64(le(SNP_VMSA_SS + 2, 2), 0x93);
	EXPECT_EQ_U64(le(SNP_VMSA_LDTR + 2, 2), 0x82);
	EXPECT_EQ_U64(le(SNP_VMSA_TR + 2, 2), 0x8B);
	EXPECT_EQ_U64(v[SNP_VMSA_VMPL], 2);
	EXPECT_EQ_U64(le(SNP_VMSA_EFER, 8), SNP_EFER_SVME);
	EXPECT_EQ_U64(le(SNP_VMSA_CR0, 8), 0x60000010);
	EXPECT_EQ_U64(le(SNP_VMSA_RFLAGS, 8), 0x2);
	EXPECT_EQ_U64(le(SNP_VMSA_DR6, 8), 0xFFFF0FF0);
	EXPECT_EQ_U64(le(SNP_VMSA_DR7, 8), 0x400);
	EXPECT_EQ_U64(le(SNP_VMSA_G_PAT, 8), 0x0007040600070406ull);
	EXPECT_EQ_U64(le(SNP_VMSA_XCR0, 8), 1);
	EXPECT_EQ_U64(le(SNP_VMSA_MXCSR, 4), 0x1F80);
	EXPECT_EQ_U64(le(SNP_VMSA_X87_FTW, 2), 0x5555);
	EXPECT_EQ_U64(le(SNP_VMSA_X87_FCW, 2), 0x0040);
	/* Minus RestrictedInjection and DebugSwap (facts 5.7). */
	EXPECT_EQ_U64(le(SNP_VMSA_SEV_FEATURES, 8), GUEST_FEATURES);
	EXPECT_EQ_U64(le(SNP_VMSA_RAX, 8), 0); /* everything else is zero */
	EXPECT_EQ_U64(v[SNP_VMSA_SIZE - 1], 0);
	/* The BSP the SVSM builds passes its own check. */
	EXPECT_EQ_U64(snp_vmsa_check(v, 2, GUEST_FEATURES), SNP_VMSA_OK);
	snp_vmsa_init_guest(v, 0x12345, 3, SVSM_FEATURES);
	EXPECT_EQ_U64(le(SNP_VMSA_CS + 8, 8), 0x10000);
	EXPECT_EQ_U64(le(SNP_VMSA_RIP, 8), 0x2345);
}

UNIT_TEST(snp_vmsa_get_set)
{
	memset(v, 0, sizeof(v));
	snp_vmsa_set64(v, SNP_VMSA_RCX, 0x1122334455667788ull);
	EXPECT_EQ_U64(v[SNP_VMSA_RCX], 0x88);
	EXPECT_EQ_U64(v[SNP_VMSA_RCX + 7], 0x11);
	EXPECT_EQ_U64(snp_vmsa_get64(v, SNP_VMSA_RCX), 0x1122334455667788ull);
	snp_vmsa_set64(v, SNP_VMSA_SIZE - 8, 1);
	EXPECT_EQ_U64(snp_vmsa_get64(v, SNP_VMSA_SIZE - 8), 1);
}

struct row {
	unsigned int vmpl;
	uint64_t efer;
	uint64_t features;
	unsigned int caller_vmpl;
	uint64_t caller_features;
	enum snp_vmsa_verdict want;
};

UNIT_TEST(snp_vmsa_check_rows)
{
	const uint64_t f = GUEST_FEATURES;
	const uint64_t svme = SNP_EFER_SVME | 0x1000 | (1u << 8);
	static const uint64_t unknown = 1ull << 20;
	const struct row rows[] = {
		{2, svme, f, 2, f, SNP_VMSA_OK},
		{3, svme, f, 2, f, SNP_VMSA_OK}, /* less privileged than the caller: fine */
		{1, svme, f, 1, f, SNP_VMSA_OK},
		{0, svme, f, 2, f, SNP_VMSA_VMPL0},
		{4, svme, f, 2, f, SNP_VMSA_VMPL_RANGE},
		{0xFF, svme, f, 2, f, SNP_VMSA_VMPL_RANGE},
		{1, svme, f, 2, f, SNP_VMSA_VMPL_BELOW_CALLER},
		{2, 0x500, f, 2, f, SNP_VMSA_NO_SVME},
		{2, 0, f, 2, f, SNP_VMSA_NO_SVME},
		{2, svme, f | SNP_FEAT_DEBUG_SWAP, 2, f, SNP_VMSA_FEATURES_DIFFER},
		{2, svme, SNP_FEAT_SNP, 2, f, SNP_VMSA_FEATURES_DIFFER},
		{2, svme, f | SNP_FEAT_VTOM, 2, f | SNP_FEAT_VTOM, SNP_VMSA_FEATURES_UNSAFE},
		{2, svme, f | SNP_FEAT_RESTRICTED_INJ, 2, f | SNP_FEAT_RESTRICTED_INJ,
		 SNP_VMSA_FEATURES_UNSAFE},
		{2, svme, f | SNP_FEAT_VMSA_REG_PROT, 2, f | SNP_FEAT_VMSA_REG_PROT,
		 SNP_VMSA_FEATURES_UNSAFE},
		{2, svme, f | unknown, 2, f | unknown, SNP_VMSA_FEATURES_UNSAFE},
		{2, svme, SNP_FEAT_SECURE_TSC, 2, SNP_FEAT_SECURE_TSC, SNP_VMSA_FEATURES_UNSAFE},
		{2, svme, f | SNP_FEAT_ALTERNATE_INJ, 2, f | SNP_FEAT_ALTERNATE_INJ, SNP_VMSA_OK},
	};

	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		memset(v, 0, sizeof(v));
		v[SNP_VMSA_VMPL] = (uint8_t)r->vmpl;
		snp_vmsa_set64(v, SNP_VMSA_EFER, r->efer);
		snp_vmsa_set64(v, SNP_VMSA_SEV_FEATURES, r->features);
		EXPECTF(snp_vmsa_check(v, r->caller_vmpl, r->caller_features) == r->want,
			"row %u: got %d want %d", i,
			snp_vmsa_check(v, r->caller_vmpl, r->caller_features), r->want);
	}
}
