/* SPDX-License-Identifier: MIT */
/*
 * The guest's copy of the secrets page and the CPUID page copy (kernel/platform/snp/secrets.c),
 * on the pages the model's launch left in the SVSM region.
 */
#include <copra/snp.h>
#include <string.h>

#include "../snp/model.h"
#include "unit.h"

static uint8_t svsm[SNP_SECRETS_SIZE], guest[SNP_SECRETS_SIZE];

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

UNIT_TEST(snp_secrets_for_guest_vmpl2)
{
	struct snp_svsm_area a = {48ull << 20, 16ull << 20, 0x9000, 2};
	uint8_t key[32];

	ASSERT(model_create(NULL) == 0);
	memcpy(svsm, model_ram(model_secrets_gpa(), SNP_SECRETS_SIZE), SNP_SECRETS_SIZE);
	svsm[0x15D] = 0xEE; /* reserved bytes the SVSM must clear */
	svsm[0x200] = 0x5A; /* beyond the SVSM area: copied as is */
	memset(guest, 0xCC, sizeof(guest));
	ASSERT(snp_secrets_for_guest(svsm, &a, guest) == SNP_OK);
	EXPECT(all_zero(guest + SNP_SECRETS_VMPCK(0), 32));
	EXPECT(all_zero(guest + SNP_SECRETS_VMPCK(1), 32));
	model_psp_vmpck(2, key);
	EXPECT_MEM_EQ(guest + SNP_SECRETS_VMPCK(2), key, 32);
	model_psp_vmpck(3, key);
	EXPECT_MEM_EQ(guest + SNP_SECRETS_VMPCK(3), key, 32);
	EXPECT_EQ_U64(le(guest + 0x140, 8), 48ull << 20);
	EXPECT_EQ_U64(le(guest + 0x148, 8), 16ull << 20);
	EXPECT_EQ_U64(le(guest + 0x150, 8), 0x9000);
	EXPECT_EQ_U64(le(guest + 0x158, 4), 1);
	EXPECT_EQ_U64(guest[0x15C], 2);
	EXPECT(all_zero(guest + 0x15D, 3));
	EXPECT_MEM_EQ(guest, svsm, 0x20);
	EXPECT_MEM_EQ(guest + 0xA0, svsm + 0xA0, 0x140 - 0xA0);
	EXPECT_MEM_EQ(guest + 0x160, svsm + 0x160, SNP_SECRETS_SIZE - 0x160);
	/* The source is never changed. */
	model_psp_vmpck(0, key);
	EXPECT_MEM_EQ(svsm + SNP_SECRETS_VMPCK(0), key, 32);
	model_destroy();
}

UNIT_TEST(snp_secrets_for_guest_vmpl1_and_3)
{
	struct snp_svsm_area a = {0x3000000, 0x1000000, 0x9000, 1};

	ASSERT(model_create(NULL) == 0);
	memcpy(svsm, model_ram(model_secrets_gpa(), SNP_SECRETS_SIZE), SNP_SECRETS_SIZE);
	ASSERT(snp_secrets_for_guest(svsm, &a, guest) == SNP_OK);
	EXPECT(all_zero(guest + SNP_SECRETS_VMPCK(0), 32));
	EXPECT_MEM_EQ(guest + SNP_SECRETS_VMPCK(1), svsm + SNP_SECRETS_VMPCK(1), 96);
	EXPECT_EQ_U64(guest[0x15C], 1);
	a.vmpl = 3;
	ASSERT(snp_secrets_for_guest(svsm, &a, guest) == SNP_OK);
	EXPECT(all_zero(guest + SNP_SECRETS_VMPCK(0), 96));
	EXPECT_MEM_EQ(guest + SNP_SECRETS_VMPCK(3), svsm + SNP_SECRETS_VMPCK(3), 32);
	model_destroy();
}

UNIT_TEST(snp_secrets_for_guest_refuses_bad_areas)
{
	static const struct snp_svsm_area bad[] = {
		{0x3000000, 0x1000000, 0x9000, 0},	    /* VMPL 0 is the SVSM's */
		{0x3000000, 0x1000000, 0x9000, 4},	    /* no VMPL 4 */
		{0x3000000, 0, 0x9000, 2},		    /* size 0 means "no SVSM" */
		{0x3000800, 0x1000000, 0x9000, 2},	    /* base misaligned */
		{0x3000000, 0x1000800, 0x9000, 2},	    /* size misaligned */
		{0x3000000, 0x1000000, 0x9008, 2},	    /* CAA misaligned */
		{0x3000000, 0x1000000, 0x3005000, 2},	    /* CAA inside the SVSM */
		{0xFFFFFFFFFFFFF000ull, 0x2000, 0x9000, 2}, /* wraps */
	};

	memset(svsm, 0x11, sizeof(svsm));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(guest, 0xCC, sizeof(guest));
		EXPECTF(snp_secrets_for_guest(svsm, &bad[i], guest) == SNP_EINVAL, "row %u", i);
		EXPECTF(guest[0x20] == 0xCC, "row %u wrote the output", i);
	}
}

UNIT_TEST(snp_cpuid_copy_count_rule)
{
	static uint8_t src[SNP_CPUID_PAGE_SIZE], dst[SNP_CPUID_PAGE_SIZE];
	static const uint32_t counts[] = {0, 1, 3, 64, 65, 0xFFFFFFFF, 0x100};
	static const bool ok[] = {false, true, true, true, false, false, false};

	ASSERT(model_create(NULL) == 0);
	memcpy(src, model_ram(model_cpuid_gpa(), SNP_CPUID_PAGE_SIZE), sizeof(src));
	EXPECT_EQ_U64(snp_cpuid_copy(src, dst), SNP_OK);
	EXPECT_MEM_EQ(dst, src, sizeof(src));
	for (unsigned int i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		memset(dst, 0xCC, sizeof(dst));
		src[0] = (uint8_t)counts[i];
		src[1] = (uint8_t)(counts[i] >> 8);
		src[2] = (uint8_t)(counts[i] >> 16);
		src[3] = (uint8_t)(counts[i] >> 24);
		EXPECTF((snp_cpuid_copy(src, dst) == SNP_OK) == ok[i], "count %u", counts[i]);
		EXPECTF(ok[i] ? memcmp(dst, src, sizeof(src)) == 0 : dst[0] == 0xCC, "count %u",
			counts[i]);
	}
	model_destroy();
}
