/* SPDX-License-Identifier: MIT */
/*
 * The pages the firmware gave the SVSM and the guest firmware needs its own copy of: the
 * secrets page (facts 5.8, with the SVSM area of facts 1.1) and the CPUID page (facts 5.9).
 * Pure functions over buffers: the caller reads and writes the pages.
 */
#include "snp_internal.h"
#include <lib/checked.h>
#include <lib/string.h>

/* Secrets page layout (facts 5.8 / 1.1). */
_Static_assert(SNP_SECRETS_VMPCK(0) == 0x20 && SNP_SECRETS_VMPCK(3) == 0x80, "facts 5.8");
_Static_assert(SNP_SECRETS_SVSM_BASE == 0x140 && SNP_SECRETS_SVSM_SIZE == 0x148 &&
		       SNP_SECRETS_SVSM_CAA == 0x150 && SNP_SECRETS_SVSM_MAX_VERSION == 0x158 &&
		       SNP_SECRETS_SVSM_GUEST_VMPL == 0x15C,
	       "facts 1.1 table: SVSM area of the secrets page");

#define SVSM_AREA_END 0x160u
/* The core protocol versions Copra implements (facts 2: version 1 only). */
#define SVSM_CORE_VERSION_MAX 1u

/* CPUID page (facts 5.9): {u32 count; u32 rsvd; u64 rsvd;} then 48-byte entries. */
#define CPUID_HDR_SIZE	 16u
#define CPUID_ENTRY_SIZE 48u
_Static_assert(CPUID_HDR_SIZE + SNP_CPUID_MAX * CPUID_ENTRY_SIZE == 3088,
	       "facts 5.9: 16 + 64 * 48 bytes");

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool area_ok(const struct snp_svsm_area *a)
{
	uint64_t end = 0;

	return a->vmpl >= 1 && a->vmpl <= SNP_VMPL_MAX && a->size != 0 &&
	       IS_ALIGNED(a->base, SNP_PAGE_SIZE) && IS_ALIGNED(a->size, SNP_PAGE_SIZE) &&
	       IS_ALIGNED(a->caa, SNP_PAGE_SIZE) && !ADD_OVERFLOW(a->base, a->size, &end) &&
	       !range_overlaps(a->caa, SNP_PAGE_SIZE, a->base, a->size);
}

/*
 * The guest must not hold any VMPCK of a VMPL more privileged than its own (VMPCK0 above all:
 * it is the SVSM's channel to the PSP, facts 1.1), and finds the SVSM through the SVSM area.
 */
int snp_secrets_for_guest(const uint8_t svsm[SNP_SECRETS_SIZE], const struct snp_svsm_area *area,
			  uint8_t out[SNP_SECRETS_SIZE])
{
	if (!area_ok(area))
		return SNP_EINVAL;
	memmove(out, svsm, SNP_SECRETS_SIZE);
	for (unsigned int i = 0; i < area->vmpl; i++)
		memset(out + SNP_SECRETS_VMPCK(i), 0, 32);
	memset(out + SNP_SECRETS_SVSM_BASE, 0, SVSM_AREA_END - SNP_SECRETS_SVSM_BASE);
	put_le(out + SNP_SECRETS_SVSM_BASE, area->base, 8);
	put_le(out + SNP_SECRETS_SVSM_SIZE, area->size, 8);
	put_le(out + SNP_SECRETS_SVSM_CAA, area->caa, 8);
	put_le(out + SNP_SECRETS_SVSM_MAX_VERSION, SVSM_CORE_VERSION_MAX, 4);
	out[SNP_SECRETS_SVSM_GUEST_VMPL] = (uint8_t)area->vmpl;
	return SNP_OK;
}

/* Linux refuses a CPUID table with count 0 or above 64 (facts 5.9): so does the SVSM. */
int snp_cpuid_copy(const uint8_t src[SNP_CPUID_PAGE_SIZE], uint8_t dst[SNP_CPUID_PAGE_SIZE])
{
	uint32_t count = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16 |
			 (uint32_t)src[3] << 24;

	if (count == 0 || count > SNP_CPUID_MAX)
		return SNP_EINVAL;
	memmove(dst, src, SNP_CPUID_PAGE_SIZE);
	return SNP_OK;
}
