// SPDX-License-Identifier: MIT
/*
 * GetCapability, TestParms and ReadClock (tpm/cmd_capability.c): the shape of every capability,
 * start/count/moreData handling (as libtpms answers), the values clients depend on (census §5,
 * §9.6) and the error codes.
 */
#include <string.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "unit.h"

/* GetCapability; on success r is left after moreData and the (checked) capability. */
static tpm_rc getcap(struct tpmh *h, uint32_t cap, uint32_t prop, uint32_t count, uint8_t *more,
		     struct tpm_rd *r)
{
	struct tpmh_cmd c;
	uint32_t got = 0xFFFFFFFFu;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u32(&c, cap);
	tpmh_u32(&c, prop);
	tpmh_u32(&c, count);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	*r = tpmh_params(h, false);
	ASSERT(tpm_get_u8(r, more) == TPM_RC_SUCCESS);
	ASSERT(*more == TPM_YES || *more == TPM_NO);
	ASSERT(tpm_get_u32(r, &got) == TPM_RC_SUCCESS);
	ASSERT(got == cap);
	return rc;
}

/* A list of u32 entries (TPML_HANDLE, TPML_CCA, TPML_CC): count, then the whole response. */
static uint32_t get_u32_list(struct tpm_rd *r, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;

	ASSERT(tpm_get_u32(r, &n) == TPM_RC_SUCCESS);
	ASSERT(n <= max);
	for (uint32_t i = 0; i < n; i++)
		ASSERT(tpm_get_u32(r, &out[i]) == TPM_RC_SUCCESS);
	ASSERT(r->left == 0);
	return n;
}

static uint32_t get_handles(struct tpmh *h, uint32_t start, uint32_t count, uint8_t *more,
			    uint32_t *out, uint32_t max)
{
	struct tpm_rd r;

	ASSERT(getcap(h, TPM_CAP_HANDLES, start, count, more, &r) == TPM_RC_SUCCESS);
	return get_u32_list(&r, out, max);
}

/* TPML_TAGGED_TPM_PROPERTY into pt[]/val[]. */
static uint32_t get_props(struct tpmh *h, uint32_t start, uint32_t count, uint8_t *more,
			  uint32_t *pt, uint32_t *val, uint32_t max)
{
	struct tpm_rd r;
	uint32_t n = 0;

	ASSERT(getcap(h, TPM_CAP_TPM_PROPERTIES, start, count, more, &r) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n <= max);
	for (uint32_t i = 0; i < n; i++) {
		ASSERT(tpm_get_u32(&r, &pt[i]) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u32(&r, &val[i]) == TPM_RC_SUCCESS);
	}
	ASSERT(r.left == 0);
	return n;
}

/* The value of one property, asked alone (the way FAPI and tpm2-tools ask). */
static uint32_t prop(struct tpmh *h, uint32_t pt)
{
	uint32_t p[1] = {0}, v[1] = {0};
	uint8_t more = 0;

	ASSERT(get_props(h, pt, 1, &more, p, v, 1) == 1);
	ASSERT(p[0] == pt);
	return v[0];
}

static uint32_t start_session(struct tpmh *h)
{
	struct tpmh_cmd c;
	uint8_t nonce[16] = {7};

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_2b(&c, nonce, sizeof(nonce));
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_HMAC);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	return tpmh_rsp_handle(h);
}

static void flush(struct tpmh *h, uint32_t handle)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, handle);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

static void shutdown(struct tpmh *h, uint16_t su)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, su);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

UNIT_TEST(tpm_cap_bad_parameters)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint8_t more = 0;
	static const uint32_t bad_caps[] = {0x0A, 0x0B, 0x100, 0x80000000u, 0xFFFFFFFFu};

	tpmh_init(&h);
	for (unsigned i = 0; i < sizeof(bad_caps) / sizeof(bad_caps[0]); i++)
		EXPECTF(getcap(&h, bad_caps[i], 0, 1, &more, &r) == TPM_RCP(TPM_RC_VALUE, 1),
			"cap %#x", bad_caps[i]);
	/* truncated: the first missing parameter is named */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u16(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u32(&c, TPM_CAP_TPM_PROPERTIES);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u32(&c, TPM_CAP_TPM_PROPERTIES);
	tpmh_u32(&c, TPM_PT_FIXED);
	tpmh_u16(&c, 0);
	tpmh_u8(&c, 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 3));
	/* a bad capability is named before missing parameters (checked as it is decoded) */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u32(&c, 0x0B);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	/* trailing bytes */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u32(&c, TPM_CAP_TPM_PROPERTIES);
	tpmh_u32(&c, TPM_PT_FIXED);
	tpmh_u32(&c, 1);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* properties that cannot start a list of their capability */
	EXPECT_EQ_U64(getcap(&h, TPM_CAP_PCRS, 1, 1, &more, &r), TPM_RCP(TPM_RC_VALUE, 2));
	EXPECT_EQ_U64(getcap(&h, TPM_CAP_AUTH_POLICIES, 0, 1, &more, &r), TPM_RCP(TPM_RC_VALUE, 2));
	EXPECT_EQ_U64(getcap(&h, TPM_CAP_AUTH_POLICIES, TPM_HR_PERSISTENT, 1, &more, &r),
		      TPM_RCP(TPM_RC_VALUE, 2));
	EXPECT_EQ_U64(getcap(&h, TPM_CAP_HANDLES, 0x05000000u, 1, &more, &r),
		      TPM_RCP(TPM_RC_HANDLE, 2));
	EXPECT_EQ_U64(getcap(&h, TPM_CAP_HANDLES, 0x90000000u, 1, &more, &r),
		      TPM_RCP(TPM_RC_HANDLE, 2));
	EXPECT_EQ_U64(getcap(&h, TPM_CAP_HANDLES, 0xFF000000u, 1, &more, &r),
		      TPM_RCP(TPM_RC_HANDLE, 2));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_algs)
{
	static const struct {
		uint16_t alg;
		uint32_t attrs;
	} want[] = {
		{TPM_ALG_RSA, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_OBJECT},
		{TPM_ALG_SHA1, TPMA_ALGORITHM_HASH},
		{TPM_ALG_HMAC, TPMA_ALGORITHM_HASH | TPMA_ALGORITHM_SIGNING},
		{TPM_ALG_AES, TPMA_ALGORITHM_SYMMETRIC},
		{TPM_ALG_KEYEDHASH, TPMA_ALGORITHM_HASH | TPMA_ALGORITHM_OBJECT |
					    TPMA_ALGORITHM_SIGNING | TPMA_ALGORITHM_ENCRYPTING},
		{TPM_ALG_SHA256, TPMA_ALGORITHM_HASH},
		{TPM_ALG_SHA384, TPMA_ALGORITHM_HASH},
		{TPM_ALG_SHA512, TPMA_ALGORITHM_HASH},
		{TPM_ALG_RSASSA, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_SIGNING},
		{TPM_ALG_RSAES, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_ENCRYPTING},
		{TPM_ALG_RSAPSS, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_SIGNING},
		{TPM_ALG_OAEP, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_ENCRYPTING},
		{TPM_ALG_ECDSA, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_SIGNING},
		{TPM_ALG_ECDH, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_METHOD},
		{TPM_ALG_ECC, TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_OBJECT},
		{TPM_ALG_SYMCIPHER, TPMA_ALGORITHM_OBJECT},
		{TPM_ALG_CFB, TPMA_ALGORITHM_SYMMETRIC | TPMA_ALGORITHM_ENCRYPTING},
	};
	struct tpmh h;
	struct tpm_rd r;
	uint8_t more = 0;
	uint32_t n = 0;

	tpmh_init(&h);
	/* tpm2-tools' query before every StartAuthSession */
	ASSERT(getcap(&h, TPM_CAP_ALGS, 0, 127, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n == sizeof(want) / sizeof(want[0]));
	for (uint32_t i = 0; i < n; i++) {
		uint16_t alg = 0;
		uint32_t attrs = 0;

		ASSERT(tpm_get_u16(&r, &alg) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u32(&r, &attrs) == TPM_RC_SUCCESS);
		EXPECTF(alg == want[i].alg && attrs == want[i].attrs, "entry %u: %#x %#x", i, alg,
			attrs);
	}
	EXPECT_EQ_U64(r.left, 0);

	/* start inside the list, count-limited: moreData */
	ASSERT(getcap(&h, TPM_CAP_ALGS, TPM_ALG_SHA256 - 1, 2, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 2);
	EXPECT_EQ_U64(tpm_ld16(r.p), TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpm_ld16(r.p + 6), TPM_ALG_SHA384);
	EXPECT_EQ_U64(r.left, 12);
	/* exactly the rest: no moreData */
	ASSERT(getcap(&h, TPM_CAP_ALGS, TPM_ALG_SYMCIPHER, 2, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 2);
	/* `tpm2_getcap algorithms` starts at RSA */
	ASSERT(getcap(&h, TPM_CAP_ALGS, TPM_ALG_RSA, 127, &more, &r) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, sizeof(want) / sizeof(want[0]));
	/* TPM_ALG_NULL is not listed (as libtpms) */
	ASSERT(getcap(&h, TPM_CAP_ALGS, TPM_ALG_SHA512 + 1, 1, &more, &r) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld16(r.p), TPM_ALG_RSASSA);
	/* past the end: empty */
	ASSERT(getcap(&h, TPM_CAP_ALGS, TPM_ALG_CFB + 1, 127, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	EXPECT_EQ_U64(r.left, 0);
	/* the property is a TPM_ALG_ID: only its low 16 bits count (as libtpms) */
	ASSERT(getcap(&h, TPM_CAP_ALGS, 0x10000u, 1, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld16(r.p), TPM_ALG_RSA);
	/* count 0: nothing, but there is more */
	ASSERT(getcap(&h, TPM_CAP_ALGS, 0, 0, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_commands_complete_in_one_response)
{
	struct tpmh h;
	struct tpm_rd r;
	uint8_t more = 0;
	uint32_t total;
	uint32_t cca[256];
	uint32_t n;
	bool seen_getcap = false;

	tpmh_init(&h);
	/* the Linux probe: TOTAL_COMMANDS, then exactly that many TPMA_CC in one response */
	total = prop(&h, TPM_PT_TOTAL_COMMANDS);
	EXPECT_EQ_U64(total, tpm_cc_count);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LIBRARY_COMMANDS), tpm_cc_count);
	EXPECT_EQ_U64(prop(&h, TPM_PT_VENDOR_COMMANDS), 0);
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, TPM_CC_NV_UndefineSpaceSpecial, total, &more, &r) ==
	       TPM_RC_SUCCESS);
	n = get_u32_list(&r, cca, 256);
	EXPECT_EQ_U64(n, total);
	EXPECT_EQ_U64(more, TPM_NO);
	for (uint32_t i = 0; i < n && i < tpm_cc_count; i++) {
		EXPECT_EQ_U64(cca[i], tpm_cc_attrs(&tpm_cc_table[i]));
		EXPECTF((cca[i] & TPMA_CC_COMMANDINDEX) == tpm_cc_table[i].cc, "entry %u", i);
		EXPECT_EQ_U64((cca[i] >> TPMA_CC_CHANDLES_SHIFT) & 7, tpm_cc_table[i].nhandles);
		if (i > 0)
			EXPECT((cca[i] & TPMA_CC_COMMANDINDEX) >
			       (cca[i - 1] & TPMA_CC_COMMANDINDEX));
		if ((cca[i] & TPMA_CC_COMMANDINDEX) == TPM_CC_GetCapability) {
			seen_getcap = true;
			EXPECT_EQ_U64(cca[i], TPM_CC_GetCapability);
		}
	}
	EXPECT(seen_getcap);
	/* tpm2_getcap asks 256 from the first code: the same list */
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, TPM_CC_NV_UndefineSpaceSpecial, 256, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), total);
	EXPECT_EQ_U64(more, TPM_NO);
	/* one short: moreData; from 0 (below every code) it starts at the first command */
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, 0, total - 1, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), total - 1);
	EXPECT_EQ_U64(more, TPM_YES);
	EXPECT_EQ_U64(cca[0], tpm_cc_attrs(&tpm_cc_table[0]));
	/* from the last command: one entry */
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, tpm_cc_table[tpm_cc_count - 1].cc, 10, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), 1);
	EXPECT_EQ_U64(more, TPM_NO);
	/* beyond: empty; vendor (V bit) and codes wider than 16 bits: none implemented */
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, tpm_cc_table[tpm_cc_count - 1].cc + 1, 10, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), 0);
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, TPMA_CC_V | TPM_CC_NV_UndefineSpaceSpecial, 10, &more,
		      &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, 0x10000u, 10, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), 0);
	/* count 0 */
	ASSERT(getcap(&h, TPM_CAP_COMMANDS, 0, 0, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cca, 256), 0);
	EXPECT_EQ_U64(more, TPM_YES);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_pp_and_audit_commands_empty)
{
	struct tpmh h;
	struct tpm_rd r;
	uint8_t more = 1;
	uint32_t cc[4];

	tpmh_init(&h);
	ASSERT(getcap(&h, TPM_CAP_PP_COMMANDS, 0, 100, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cc, 4), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(getcap(&h, TPM_CAP_AUDIT_COMMANDS, TPM_CC_NV_UndefineSpaceSpecial, 100, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(get_u32_list(&r, cc, 4), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	tpmh_destroy(&h);
}

/* TPML_PCR_SELECTION of GetCapability(PCRS): every bank, select all or nothing. */
static void check_pcrs(struct tpmh *h, uint8_t alloc)
{
	struct tpm_rd r;
	uint8_t more = 1;
	uint32_t n = 0;

	ASSERT(getcap(h, TPM_CAP_PCRS, 0, 1, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n == TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		uint16_t alg = 0;
		uint8_t size = 0;
		uint8_t sel[3] = {0};
		uint8_t want = (alloc >> b) & 1 ? 0xFF : 0x00;

		ASSERT(tpm_get_u16(&r, &alg) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u8(&r, &size) == TPM_RC_SUCCESS);
		ASSERT(size == 3);
		ASSERT(tpm_get_bytes(&r, sel, 3) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(alg, tpm_banks[b]);
		EXPECTF(sel[0] == want && sel[1] == want && sel[2] == want, "bank %u", b);
	}
	EXPECT_EQ_U64(r.left, 0);
}

UNIT_TEST(tpm_cap_pcrs)
{
	struct tpmh h;
	struct tpm_rd r;
	uint8_t more = 0;
	uint32_t n = 1;

	tpmh_init(&h);
	EXPECT_EQ_U64(tpm_banks[0], TPM_ALG_SHA1);
	EXPECT_EQ_U64(tpm_banks[1], TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpm_banks[2], TPM_ALG_SHA384);
	check_pcrs(&h, 0x7);
	/* an unallocated bank is listed with an empty selection (as libtpms) */
	h.tpm->perm.pcr_alloc = 0x2;
	check_pcrs(&h, 0x2);
	/* a pending PCR_Allocate does not show before the TPM Reset */
	h.tpm->perm.pcr_alloc_pending = 0x7;
	check_pcrs(&h, 0x2);
	/* count 0: empty, moreData */
	ASSERT(getcap(&h, TPM_CAP_PCRS, 0, 0, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	EXPECT_EQ_U64(r.left, 0);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_handles_pcr_and_permanent)
{
	static const uint32_t perm[] = {TPM_RH_OWNER,	   TPM_RH_NULL,	       TPM_RS_PW,
					TPM_RH_LOCKOUT,	   TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM,
					TPM_RH_PLATFORM_NV};
	struct tpmh h;
	uint32_t l[300];
	uint8_t more = 0;
	uint32_t n;

	tpmh_init(&h);
	n = get_handles(&h, TPM_HR_PERMANENT, 254, &more, l, 300);
	ASSERT(n == sizeof(perm) / sizeof(perm[0]));
	EXPECT(memcmp(l, perm, sizeof(perm)) == 0);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_handles(&h, TPM_RH_OWNER + 1, 2, &more, l, 300);
	ASSERT(n == 2);
	EXPECT_EQ_U64(l[0], TPM_RH_NULL);
	EXPECT_EQ_U64(l[1], TPM_RS_PW);
	EXPECT_EQ_U64(more, TPM_YES);
	n = get_handles(&h, TPM_RH_PLATFORM_NV, 1, &more, l, 300);
	ASSERT(n == 1);
	EXPECT_EQ_U64(l[0], TPM_RH_PLATFORM_NV);
	EXPECT_EQ_U64(more, TPM_NO);
	EXPECT_EQ_U64(get_handles(&h, TPM_RH_PLATFORM_NV + 1, 5, &more, l, 300), 0);
	EXPECT_EQ_U64(more, TPM_NO);

	n = get_handles(&h, 0, 100, &more, l, 300);
	ASSERT(n == TPM_NUM_PCRS);
	for (uint32_t i = 0; i < n; i++)
		EXPECT_EQ_U64(l[i], i);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_handles(&h, 20, 3, &more, l, 300);
	ASSERT(n == 3);
	EXPECT_EQ_U64(l[0], 20);
	EXPECT_EQ_U64(l[2], 22);
	EXPECT_EQ_U64(more, TPM_YES);
	n = get_handles(&h, 23, 1, &more, l, 300);
	ASSERT(n == 1);
	EXPECT_EQ_U64(more, TPM_NO);
	EXPECT_EQ_U64(get_handles(&h, 24, 1, &more, l, 300), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	EXPECT_EQ_U64(get_handles(&h, 0, 0, &more, l, 300), 0);
	EXPECT_EQ_U64(more, TPM_YES);
	/* no persistent objects yet: FAPI's "is the SRK there?" gets an empty list */
	EXPECT_EQ_U64(get_handles(&h, TPM_HR_PERSISTENT + 1, 1, &more, l, 300), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	EXPECT_EQ_U64(get_handles(&h, TPM_HR_PERSISTENT, 254, &more, l, 300), 0);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_handles_sessions_objects_nv)
{
	struct tpmh h;
	uint32_t s[3];
	uint32_t l[300];
	uint8_t more = 0;
	uint32_t n;
	struct tpm_object *o1, *o2;
	static const uint32_t nv[] = {0x01C0000Au, 0x01000001u, 0x01C00002u, 0x01800000u};

	tpmh_init(&h);
	EXPECT_EQ_U64(get_handles(&h, TPM_HR_HMAC_SESSION, 254, &more, l, 300), 0);
	for (unsigned i = 0; i < 3; i++)
		s[i] = start_session(&h);
	flush(&h, s[1]);
	/* loaded sessions (TPM_HT_LOADED_SESSION = 0x02), by index */
	n = get_handles(&h, TPM_HR_HMAC_SESSION, 254, &more, l, 300);
	ASSERT(n == 2);
	EXPECT_EQ_U64(l[0], s[0]);
	EXPECT_EQ_U64(l[1], s[2]);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_handles(&h, TPM_HR_HMAC_SESSION, 1, &more, l, 300);
	ASSERT(n == 1);
	EXPECT_EQ_U64(l[0], s[0]);
	EXPECT_EQ_U64(more, TPM_YES);
	n = get_handles(&h, s[0] + 1, 10, &more, l, 300);
	ASSERT(n == 1);
	EXPECT_EQ_U64(l[0], s[2]);
	/* TPM_HT_SAVED_SESSION (0x03): saved contexts, none */
	EXPECT_EQ_U64(get_handles(&h, TPM_HR_POLICY_SESSION, 254, &more, l, 300), 0);
	EXPECT_EQ_U64(more, TPM_NO);

	/* transient objects (hash sequences are the only ones so far) */
	EXPECT_EQ_U64(get_handles(&h, TPM_HR_TRANSIENT, 254, &more, l, 300), 0);
	o1 = tpm_object_alloc(h.tpm);
	ASSERT(o1 != NULL);
	o1->kind = TPM_OBJ_HASH_SEQ;
	o2 = tpm_object_alloc(h.tpm);
	ASSERT(o2 != NULL);
	o2->kind = TPM_OBJ_EVENT_SEQ;
	n = get_handles(&h, TPM_HR_TRANSIENT, 254, &more, l, 300);
	ASSERT(n == 2);
	EXPECT_EQ_U64(l[0], o1->handle);
	EXPECT_EQ_U64(l[1], o2->handle);
	EXPECT(l[0] < l[1]);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS - 2);
	n = get_handles(&h, o1->handle + 1, 254, &more, l, 300);
	ASSERT(n == 1);
	EXPECT_EQ_U64(l[0], o2->handle);
	tpm_object_free(o1);
	tpm_object_free(o2);

	/* NV indices, sorted by handle whatever their slots */
	for (unsigned i = 0; i < sizeof(nv) / sizeof(nv[0]); i++)
		h.tpm->perm.nv[10 + 7 * i].handle = nv[i];
	n = get_handles(&h, TPM_HR_NV_INDEX, 254, &more, l, 300);
	ASSERT(n == 4);
	EXPECT_EQ_U64(l[0], 0x01000001u);
	EXPECT_EQ_U64(l[1], 0x01800000u);
	EXPECT_EQ_U64(l[2], 0x01C00002u);
	EXPECT_EQ_U64(l[3], 0x01C0000Au);
	EXPECT_EQ_U64(more, TPM_NO);
	/* FAPI's EK certificate search */
	n = get_handles(&h, 0x01C00000u, 254, &more, l, 300);
	ASSERT(n == 2);
	EXPECT_EQ_U64(l[0], 0x01C00002u);
	n = get_handles(&h, 0x01C00002u, 1, &more, l, 300);
	ASSERT(n == 1);
	EXPECT_EQ_U64(l[0], 0x01C00002u);
	EXPECT_EQ_U64(more, TPM_YES);
	EXPECT_EQ_U64(get_handles(&h, 0x01C0000Bu, 254, &more, l, 300), 0);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_NV_INDEX), 4);
	/* every index slot in use still fits one response */
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++)
		h.tpm->perm.nv[i].handle = TPM_HR_NV_INDEX | (TPM_NV_INDICES_MAX - i);
	n = get_handles(&h, TPM_HR_NV_INDEX, 0xFFFFFFFFu, &more, l, 300);
	ASSERT(n == TPM_NV_INDICES_MAX);
	for (uint32_t i = 0; i < n; i++)
		EXPECT_EQ_U64(l[i], TPM_HR_NV_INDEX | (i + 1));
	EXPECT_EQ_U64(more, TPM_NO);
	memset(h.tpm->perm.nv, 0, sizeof(h.tpm->perm.nv));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_tpm_properties_groups)
{
	struct tpmh h;
	uint32_t pt[128], v[128];
	uint8_t more = 0;
	uint32_t n;

	tpmh_init(&h);
	/* the fixed group: every property 0x100..0x12E but the reserved 0x115, in order */
	n = get_props(&h, TPM_PT_FIXED, 127, &more, pt, v, 128);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(n == TPM_PT_MAX_CAP_BUFFER - TPM_PT_FIXED);
	for (uint32_t i = 0, want = TPM_PT_FIXED; i < n; i++, want++) {
		if (want == 0x115)
			want++;
		EXPECT_EQ_U64(pt[i], want);
	}
	EXPECT_EQ_U64(v[0], 0x322E3000u); /* "2.0" */
	/* the variable group 0x200..0x214, not reached from the fixed group */
	n = get_props(&h, TPM_PT_VAR, 127, &more, pt, v, 128);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(n == TPM_PT_AUDIT_COUNTER_1 - TPM_PT_VAR + 1);
	for (uint32_t i = 0; i < n; i++)
		EXPECT_EQ_U64(pt[i], TPM_PT_VAR + i);
	/* 64 at a time (IBM TSS, pytss) */
	n = get_props(&h, TPM_PT_FIXED, 64, &more, pt, v, 128);
	EXPECT_EQ_U64(n, 46);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_props(&h, TPM_PT_FIXED, 10, &more, pt, v, 128);
	EXPECT_EQ_U64(n, 10);
	EXPECT_EQ_U64(more, TPM_YES);

	/* single-property queries: moreData as libtpms (YES while the group has more) */
	n = get_props(&h, TPM_PT_FAMILY_INDICATOR, 1, &more, pt, v, 1);
	EXPECT(n == 1 && pt[0] == TPM_PT_FAMILY_INDICATOR);
	EXPECT_EQ_U64(more, TPM_YES);
	n = get_props(&h, TPM_PT_MAX_CAP_BUFFER, 1, &more, pt, v, 1);
	EXPECT(n == 1 && pt[0] == TPM_PT_MAX_CAP_BUFFER);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_props(&h, TPM_PT_MAX_CAP_BUFFER, 2, &more, pt, v, 2);
	EXPECT_EQ_U64(n, 1);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_props(&h, TPM_PT_AUDIT_COUNTER_1, 1, &more, pt, v, 1);
	EXPECT(n == 1 && pt[0] == TPM_PT_AUDIT_COUNTER_1);
	EXPECT_EQ_U64(more, TPM_NO);
	n = get_props(&h, TPM_PT_PERMANENT, 1, &more, pt, v, 1);
	EXPECT(n == 1 && pt[0] == TPM_PT_PERMANENT);
	EXPECT_EQ_U64(more, TPM_YES);
	/* below PT_FIXED starts at PT_FIXED; an undefined property starts at the next one */
	n = get_props(&h, 0, 1, &more, pt, v, 1);
	EXPECT(n == 1 && pt[0] == TPM_PT_FAMILY_INDICATOR);
	EXPECT_EQ_U64(more, TPM_YES);
	n = get_props(&h, 0x115, 1, &more, pt, v, 1);
	EXPECT(n == 1 && pt[0] == TPM_PT_NV_COUNTERS_MAX);
	EXPECT_EQ_U64(more, TPM_YES);
	/* past a group's end, or past the variable group: empty */
	EXPECT_EQ_U64(get_props(&h, TPM_PT_MAX_CAP_BUFFER + 1, 5, &more, pt, v, 5), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	EXPECT_EQ_U64(get_props(&h, TPM_PT_AUDIT_COUNTER_1 + 1, 5, &more, pt, v, 5), 0);
	EXPECT_EQ_U64(get_props(&h, 0x300, 5, &more, pt, v, 5), 0);
	EXPECT_EQ_U64(get_props(&h, 0xFFFFFFFFu, 5, &more, pt, v, 5), 0);
	EXPECT_EQ_U64(more, TPM_NO);
	/* count 0 */
	EXPECT_EQ_U64(get_props(&h, TPM_PT_FIXED, 0, &more, pt, v, 1), 0);
	EXPECT_EQ_U64(more, TPM_YES);
	/* a huge count is capped at what one capability buffer holds */
	n = get_props(&h, TPM_PT_FIXED, 0xFFFFFFFFu, &more, pt, v, 128);
	EXPECT_EQ_U64(n, 46);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_tpm_properties_values)
{
	struct tpmh h;

	tpmh_init(&h);
	EXPECT_EQ_U64(prop(&h, TPM_PT_FAMILY_INDICATOR), 0x322E3000u);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LEVEL), 0);
	EXPECT_EQ_U64(prop(&h, TPM_PT_REVISION), 164);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MANUFACTURER), 0x43505241u);    /* "CPRA" */
	EXPECT_EQ_U64(prop(&h, TPM_PT_VENDOR_STRING_1), 0x436F7072u); /* "Copr" */
	EXPECT_EQ_U64(prop(&h, TPM_PT_INPUT_BUFFER), TPM_MAX_DIGEST_BUFFER);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_MIN), TPM_MAX_OBJECTS);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_LOADED_MIN), TPM_MAX_SESSIONS);
	EXPECT_EQ_U64(prop(&h, TPM_PT_ACTIVE_SESSIONS_MAX), TPM_MAX_ACTIVE);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_PERSISTENT_MIN), TPM_MAX_PERSISTENT);
	EXPECT_EQ_U64(prop(&h, TPM_PT_PCR_COUNT), 24);
	EXPECT_EQ_U64(prop(&h, TPM_PT_PCR_SELECT_MIN), 3);
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_INDEX_MAX), TPM_NV_INDEX_MAX);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MAX_COMMAND_SIZE), 4096);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MAX_RESPONSE_SIZE), 4096);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MAX_DIGEST), 64);
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_BUFFER_MAX), 1024);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MAX_CAP_BUFFER), 1024);
	EXPECT_EQ_U64(prop(&h, TPM_PT_PS_FAMILY_INDICATOR), 1); /* TPM_PS_PC */
	EXPECT_EQ_U64(prop(&h, TPM_PT_CONTEXT_HASH), TPM_ALG_SHA256);
	EXPECT_EQ_U64(prop(&h, TPM_PT_CONTEXT_SYM), TPM_ALG_AES);
	EXPECT_EQ_U64(prop(&h, TPM_PT_CONTEXT_SYM_SIZE), 256);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MAX_OBJECT_CONTEXT), TPM_CONTEXT_MAX);
	/* variable: DA parameters as manufactured */
	EXPECT_EQ_U64(prop(&h, TPM_PT_MAX_AUTH_FAIL), h.tpm->perm.da_max_tries);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_INTERVAL), h.tpm->perm.da_recovery_s);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_RECOVERY), h.tpm->perm.da_lockout_recovery_s);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_COUNTER), 0);
	h.tpm->perm.da_failed_tries = 2;
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_COUNTER), 2);
	h.tpm->perm.da_failed_tries = 0;
	/* sessions */
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_LOADED), 0);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_LOADED_AVAIL), TPM_MAX_SESSIONS);
	(void)start_session(&h);
	(void)start_session(&h);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_LOADED), 2);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_ACTIVE), 2);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_LOADED_AVAIL), TPM_MAX_SESSIONS - 2);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_ACTIVE_AVAIL), TPM_MAX_ACTIVE - 2);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_PERSISTENT), 0);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_PERSISTENT_AVAIL), TPM_MAX_PERSISTENT);
	/* NV counters: one counter and one ordinary index */
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_COUNTERS), 0);
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_COUNTERS_AVAIL), TPM_NV_INDICES_MAX);
	h.tpm->perm.nv[3].handle = 0x01000010u;
	h.tpm->perm.nv[3].attrs = TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT;
	h.tpm->perm.nv[4].handle = 0x01000011u;
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_NV_INDEX), 2);
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_COUNTERS), 1);
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_COUNTERS_AVAIL), TPM_NV_INDICES_MAX - 2);
	/* ... bounded by the free index data too */
	h.tpm->perm.nv_data_used = TPM_NV_DATA_MAX - 20;
	EXPECT_EQ_U64(prop(&h, TPM_PT_NV_COUNTERS_AVAIL), 2);
	h.tpm->perm.nv_data_used = 0;
	memset(h.tpm->perm.nv, 0, sizeof(h.tpm->perm.nv));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_permanent_and_startup_clear_bits)
{
	struct tpmh h;
	struct tpm_perm *p;
	uint32_t all_enabled = TPMA_STARTUP_CLEAR_PHENABLE | TPMA_STARTUP_CLEAR_SHENABLE |
			       TPMA_STARTUP_CLEAR_EHENABLE | TPMA_STARTUP_CLEAR_PHENABLENV;

	tpmh_init(&h);
	p = &h.tpm->perm;
	/* a fresh TPM: no auth set, the TPM generated the EPS */
	EXPECT_EQ_U64(prop(&h, TPM_PT_PERMANENT), TPMA_PERMANENT_TPMGENERATEDEPS);
	p->owner.auth_size = 4;
	EXPECT_EQ_U64(prop(&h, TPM_PT_PERMANENT),
		      TPMA_PERMANENT_TPMGENERATEDEPS | TPMA_PERMANENT_OWNERAUTHSET);
	p->owner.auth_size = 0;
	p->endorsement.auth_size = 1;
	p->lockout.auth_size = 1;
	p->disable_clear = true;
	EXPECT_EQ_U64(prop(&h, TPM_PT_PERMANENT),
		      TPMA_PERMANENT_TPMGENERATEDEPS | TPMA_PERMANENT_ENDORSEMENTAUTHSET |
			      TPMA_PERMANENT_LOCKOUTAUTHSET | TPMA_PERMANENT_DISABLECLEAR);
	p->endorsement.auth_size = 0;
	p->lockout.auth_size = 0;
	p->disable_clear = false;
	/* inLockout: failedTries reached maxTries (whatever recoveryTime is, as libtpms) */
	p->da_failed_tries = p->da_max_tries;
	p->da_last_decrement_ms = h.mp.now_ms + 1000000; /* keep da_update from forgiving */
	EXPECT_EQ_U64(prop(&h, TPM_PT_PERMANENT),
		      TPMA_PERMANENT_TPMGENERATEDEPS | TPMA_PERMANENT_INLOCKOUT);
	/* recoveryTime 0: the engine forgives every failure at once (engine.c da_update) */
	p->da_recovery_s = 0;
	EXPECT_EQ_U64(prop(&h, TPM_PT_PERMANENT), TPMA_PERMANENT_TPMGENERATEDEPS);
	EXPECT_EQ_U64(p->da_failed_tries, 0);
	p->da_recovery_s = 1000;
	p->da_failed_tries = p->da_max_tries - 1;
	EXPECT_EQ_U64(prop(&h, TPM_PT_PERMANENT), TPMA_PERMANENT_TPMGENERATEDEPS);
	p->da_failed_tries = 0;

	/* STARTUP_CLEAR: a new TPM counts as orderly (as libtpms) */
	EXPECT_EQ_U64(prop(&h, TPM_PT_STARTUP_CLEAR), all_enabled | TPMA_STARTUP_CLEAR_ORDERLY);
	h.tpm->sh_enable = false;
	h.tpm->ph_enable_nv = false;
	EXPECT_EQ_U64(prop(&h, TPM_PT_STARTUP_CLEAR), TPMA_STARTUP_CLEAR_PHENABLE |
							      TPMA_STARTUP_CLEAR_EHENABLE |
							      TPMA_STARTUP_CLEAR_ORDERLY);
	/* a power-on without a Shutdown before it is not orderly */
	h.tpm->sh_enable = true;
	h.tpm->ph_enable_nv = true;
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(prop(&h, TPM_PT_STARTUP_CLEAR), all_enabled);
	/* orderly after Shutdown(CLEAR) + Startup(CLEAR), and after Shutdown(STATE) + Resume */
	shutdown(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(prop(&h, TPM_PT_STARTUP_CLEAR), all_enabled | TPMA_STARTUP_CLEAR_ORDERLY);
	shutdown(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_STATE);
	EXPECT_EQ_U64(prop(&h, TPM_PT_STARTUP_CLEAR), all_enabled | TPMA_STARTUP_CLEAR_ORDERLY);
	/* a power loss without Shutdown clears it */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(prop(&h, TPM_PT_STARTUP_CLEAR), all_enabled);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_pcr_properties)
{
	static const struct {
		uint32_t tag;
		uint8_t sel[3];
	} want[] = {
		/* PC Client profile, as libtpms reports it */
		{TPM_PT_PCR_SAVE, {0xFF, 0xFF, 0x00}},
		{TPM_PT_PCR_EXTEND_L0, {0xFF, 0xFF, 0x81}},
		{TPM_PT_PCR_RESET_L0, {0x00, 0x00, 0x81}},
		{TPM_PT_PCR_EXTEND_L1, {0xFF, 0xFF, 0x91}},
		{TPM_PT_PCR_RESET_L1, {0x00, 0x00, 0x81}},
		{TPM_PT_PCR_EXTEND_L2, {0xFF, 0xFF, 0xFF}},
		{TPM_PT_PCR_RESET_L2, {0x00, 0x00, 0xF1}},
		{TPM_PT_PCR_EXTEND_L3, {0xFF, 0xFF, 0x9F}},
		{TPM_PT_PCR_RESET_L3, {0x00, 0x00, 0x81}},
		{TPM_PT_PCR_EXTEND_L4, {0xFF, 0xFF, 0x87}},
		{TPM_PT_PCR_RESET_L4, {0x00, 0x00, 0x7E}},
		{TPM_PT_PCR_NO_INCREMENT, {0x00, 0x00, 0xE1}},
		{TPM_PT_PCR_DRTM_RESET, {0x00, 0x00, 0x7E}},
	};
	struct tpmh h;
	struct tpm_rd r;
	uint8_t more = 0;
	uint32_t n = 0;

	tpmh_init(&h);
	ASSERT(getcap(&h, TPM_CAP_PCR_PROPERTIES, 0, 127, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n == sizeof(want) / sizeof(want[0]));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tag = 0;
		uint8_t size = 0;
		uint8_t sel[3] = {0};

		ASSERT(tpm_get_u32(&r, &tag) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u8(&r, &size) == TPM_RC_SUCCESS && size == 3);
		ASSERT(tpm_get_bytes(&r, sel, 3) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(tag, want[i].tag);
		EXPECTF(memcmp(sel, want[i].sel, 3) == 0, "tag %#x: %02x%02x%02x", tag, sel[0],
			sel[1], sel[2]);
	}
	EXPECT_EQ_U64(r.left, 0);
	/* start/count */
	ASSERT(getcap(&h, TPM_CAP_PCR_PROPERTIES, TPM_PT_PCR_RESET_L4, 1, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld32(r.p), TPM_PT_PCR_RESET_L4);
	ASSERT(getcap(&h, TPM_CAP_PCR_PROPERTIES, TPM_PT_PCR_RESET_L4 + 1, 1, &more, &r) ==
	       TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld32(r.p), TPM_PT_PCR_NO_INCREMENT);
	ASSERT(getcap(&h, TPM_CAP_PCR_PROPERTIES, TPM_PT_PCR_DRTM_RESET, 1, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(getcap(&h, TPM_CAP_PCR_PROPERTIES, TPM_PT_PCR_POLICY, 10, &more, &r) ==
	       TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(getcap(&h, TPM_CAP_PCR_PROPERTIES, 0xFFFFFFFFu, 10, &more, &r) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_ecc_curves_and_auth_policies)
{
	struct tpmh h;
	struct tpm_rd r;
	uint8_t more = 1;
	uint32_t n = 1;
	static const uint32_t hier[] = {TPM_RH_OWNER, TPM_RH_LOCKOUT, TPM_RH_ENDORSEMENT,
					TPM_RH_PLATFORM};
	uint8_t digest[32];

	tpmh_init(&h);
	/* NIST P-256 and P-384 (tpm2_getcap ecc-curves asks from P-192 on) */
	ASSERT(getcap(&h, TPM_CAP_ECC_CURVES, TPM_ECC_NIST_P192, 508, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n == 2 && r.left == 4);
	EXPECT_EQ_U64(tpm_ld16(r.p), TPM_ECC_NIST_P256);
	EXPECT_EQ_U64(tpm_ld16(r.p + 2), TPM_ECC_NIST_P384);
	ASSERT(getcap(&h, TPM_CAP_ECC_CURVES, TPM_ECC_NIST_P256, 1, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld16(r.p), TPM_ECC_NIST_P256);
	ASSERT(getcap(&h, TPM_CAP_ECC_CURVES, TPM_ECC_NIST_P384 + 1, 8, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOADED_CURVES), 2);

	/* the four hierarchy policies, none set: TPM_ALG_NULL and no digest */
	ASSERT(getcap(&h, TPM_CAP_AUTH_POLICIES, TPM_HR_PERMANENT, 100, &more, &r) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n == 4);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t handle = 0;
		uint16_t alg = 0;

		ASSERT(tpm_get_u32(&r, &handle) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u16(&r, &alg) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(handle, hier[i]);
		EXPECT_EQ_U64(alg, TPM_ALG_NULL);
	}
	EXPECT_EQ_U64(r.left, 0);
	/* a SHA-256 owner policy is listed with its digest */
	for (unsigned i = 0; i < sizeof(digest); i++)
		digest[i] = (uint8_t)(i + 1);
	h.tpm->perm.owner.policy_alg = TPM_ALG_SHA256;
	h.tpm->perm.owner.policy_size = sizeof(digest);
	memcpy(h.tpm->perm.owner.policy, digest, sizeof(digest));
	ASSERT(getcap(&h, TPM_CAP_AUTH_POLICIES, TPM_HR_PERMANENT, 1, &more, &r) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	ASSERT(r.left == 4 + 2 + 32);
	EXPECT_EQ_U64(tpm_ld32(r.p), TPM_RH_OWNER);
	EXPECT_EQ_U64(tpm_ld16(r.p + 4), TPM_ALG_SHA256);
	EXPECT(memcmp(r.p + 6, digest, 32) == 0);
	/* start/count */
	ASSERT(getcap(&h, TPM_CAP_AUTH_POLICIES, TPM_RH_OWNER + 1, 1, &more, &r) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld32(r.p), TPM_RH_LOCKOUT);
	EXPECT_EQ_U64(more, TPM_YES);
	ASSERT(getcap(&h, TPM_CAP_AUTH_POLICIES, TPM_RH_PLATFORM, 1, &more, &r) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(tpm_ld32(r.p), TPM_RH_PLATFORM);
	EXPECT_EQ_U64(more, TPM_NO);
	ASSERT(getcap(&h, TPM_CAP_AUTH_POLICIES, TPM_RH_PLATFORM_NV, 1, &more, &r) ==
	       TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 0);
	EXPECT_EQ_U64(more, TPM_NO);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_cap_works_in_failure_mode)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	tpm_fail(h.tpm, "test");
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tpmh_u16(&c, 8);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_FAILURE);
	EXPECT_EQ_U64(prop(&h, TPM_PT_MANUFACTURER), 0x43505241u);
	EXPECT_EQ_U64(prop(&h, TPM_PT_TOTAL_COMMANDS), tpm_cc_count);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_testparms_never_crashes)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t junk[64];

	tpmh_init(&h);
	/* RSA-2048 storage parameters */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	tpmh_u16(&c, TPM_ALG_RSA);
	tpmh_u16(&c, TPM_ALG_AES);
	tpmh_u16(&c, 128);
	tpmh_u16(&c, TPM_ALG_CFB);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, 2048);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	/* not a public type at all */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	tpmh_u16(&c, TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_TYPE, 1));
	/* truncated */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	/* random input of every length */
	for (unsigned len = 0; len <= sizeof(junk); len++) {
		tpm_rc rc;

		for (unsigned i = 0; i < len; i++)
			junk[i] = (uint8_t)unit_rand64();
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
		tpmh_bytes(&c, junk, len);
		rc = tpmh_send(&h, &c);
		/* random type words are almost never a public type */
		EXPECTF(rc == TPM_RCP(TPM_RC_TYPE, 1) || rc == TPM_RCP(TPM_RC_INSUFFICIENT, 1),
			"len %u: %#x", len, rc);
	}
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_COUNTER), 0); /* still answering */
	tpmh_destroy(&h);
}

struct time_info {
	uint64_t time, clock;
	uint32_t reset, restart;
	uint8_t safe;
};

static struct time_info read_clock(struct tpmh *h)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	struct time_info ti = {0};

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(h, false);
	ASSERT(r.left == 8 + 8 + 4 + 4 + 1);
	ASSERT(tpm_get_u64(&r, &ti.time) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u64(&r, &ti.clock) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &ti.reset) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &ti.restart) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u8(&r, &ti.safe) == TPM_RC_SUCCESS);
	return ti;
}

UNIT_TEST(tpm_readclock_follows_the_platform_clock)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct time_info a, b;

	tpmh_init(&h);
	a = read_clock(&h);
	EXPECT_EQ_U64(a.time, 0);
	EXPECT_EQ_U64(a.reset, h.tpm->perm.reset_count);
	EXPECT_EQ_U64(a.restart, 0);
	EXPECT_EQ_U64(a.safe, TPM_YES); /* a new TPM has lost no time */
	h.mp.now_ms += 1500;
	b = read_clock(&h);
	EXPECT_EQ_U64(b.time, a.time + 1500);
	EXPECT_EQ_U64(b.clock, a.clock + 1500);
	/* a platform clock going backwards does not move either back */
	h.mp.now_ms -= 2000; /* below the power-on reading */
	b = read_clock(&h);
	EXPECT_EQ_U64(b.time, 0);
	EXPECT_EQ_U64(b.clock, a.clock);
	h.mp.now_ms += 2000;
	/* trailing bytes */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);

	/* Shutdown(STATE) + Resume: restartCount+1, Clock carries on, time restarts, safe */
	h.mp.now_ms += 500;
	a = read_clock(&h);
	shutdown(&h, TPM_SU_STATE);
	h.mp.now_ms += 10000; /* powered off: neither Clock nor time runs */
	tpmh_restart(&h, TPM_SU_STATE);
	b = read_clock(&h);
	EXPECT_EQ_U64(b.time, 0);
	EXPECT_EQ_U64(b.clock, a.clock);
	EXPECT_EQ_U64(b.reset, a.reset);
	EXPECT_EQ_U64(b.restart, a.restart + 1);
	EXPECT_EQ_U64(b.safe, TPM_YES);
	h.mp.now_ms += 250;
	b = read_clock(&h);
	EXPECT_EQ_U64(b.time, 250);
	EXPECT_EQ_U64(b.clock, a.clock + 250);
	/* Shutdown(CLEAR) + Startup(CLEAR): TPM Reset */
	shutdown(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	b = read_clock(&h);
	EXPECT_EQ_U64(b.reset, a.reset + 1);
	EXPECT_EQ_U64(b.restart, 0);
	EXPECT_EQ_U64(b.safe, TPM_YES);
	tpmh_destroy(&h);
}
