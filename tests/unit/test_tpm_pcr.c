// SPDX-License-Identifier: MIT
/*
 * TPM PCR commands: PCR_Read, PCR_Extend, PCR_Event, PCR_Reset, PCR_Allocate, the PC Client
 * locality table and PCR reset/restore at Startup. Expected response codes and values were
 * taken from libtpms 0.9.2 (the reference implementation) driven with the same commands.
 */
#include <string.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "unit.h"

#define SEL(a, b, c) (uint32_t)((a) | (b) << 8 | (c) << 16)

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i] != 0; i++) {
		unsigned v = 0;

		for (unsigned k = 0; k < 2; k++) {
			char ch = s[2 * i + k];

			v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
}

/* Send at a given locality (the harness always uses locality 0). */
static tpm_rc send_loc(struct tpmh *h, struct tpmh_cmd *c, uint8_t loc)
{
	ASSERT(!c->w.overflow);
	tpm_patch_u32(&c->w, 2, (uint32_t)c->w.len);
	h->rsp_len = tpm_execute(h->tpm, loc, c->buf, c->w.len, h->rsp, sizeof(h->rsp));
	ASSERT(h->rsp_len >= 10 && tpm_ld32(h->rsp + 2) == h->rsp_len);
	return tpm_ld32(h->rsp + 6);
}

/* PCR_Extend of one bank with a digest of that bank's size. */
static tpm_rc extend(struct tpmh *h, uint8_t loc, uint32_t pcr, uint16_t alg, const uint8_t *d)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, pcr);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, alg);
	tpmh_bytes(&c, d, tpm_hash_size(alg));
	return send_loc(h, &c, loc);
}

static tpm_rc reset(struct tpmh *h, uint8_t loc, uint32_t pcr)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
	tpmh_u32(&c, pcr);
	tpmh_pw(&c, "", 0);
	return send_loc(h, &c, loc);
}

/* PCR_Read of one PCR of one bank: its value (true) or nothing read (false). */
static bool read1(struct tpmh *h, uint16_t alg, uint32_t pcr, uint8_t *out, uint32_t *counter)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	struct tpm_pcr_selection sel;
	uint32_t n = 0;
	uint16_t size = 0;
	uint32_t ctr = 0;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, alg);
	tpmh_u8(&c, 3);
	tpmh_u8(&c, (uint8_t)(pcr < 8 ? 1u << pcr : 0));
	tpmh_u8(&c, (uint8_t)(pcr >= 8 && pcr < 16 ? 1u << (pcr - 8) : 0));
	tpmh_u8(&c, (uint8_t)(pcr >= 16 ? 1u << (pcr - 16) : 0));
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(h, false);
	ASSERT(tpm_get_u32(&r, &ctr) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_pcr_selection(&r, &sel) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS);
	if (counter != NULL)
		*counter = ctr;
	if (n == 0) {
		EXPECT(tpm_rd_done(&r));
		EXPECT_EQ_U64(sel.s[0].select[0] | sel.s[0].select[1] | sel.s[0].select[2], 0);
		return false;
	}
	ASSERT(n == 1);
	ASSERT(tpm_get_u16(&r, &size) == TPM_RC_SUCCESS);
	ASSERT(size == tpm_hash_size(alg));
	ASSERT(tpm_get_bytes(&r, out, size) == TPM_RC_SUCCESS);
	EXPECT(tpm_rd_done(&r));
	return true;
}

static uint32_t counter(struct tpmh *h)
{
	uint8_t d[TPM_MAX_DIGEST];
	uint32_t ctr = 0;

	(void)read1(h, TPM_ALG_SHA256, 0, d, &ctr);
	return ctr;
}

static void expect_fill(struct tpmh *h, uint32_t pcr, uint8_t fill)
{
	uint8_t d[TPM_MAX_DIGEST];
	uint8_t want[TPM_MAX_DIGEST];

	memset(want, fill, sizeof(want));
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		EXPECTF(read1(h, tpm_banks[b], pcr, d, NULL), "bank %u pcr %u", b, pcr);
		EXPECTF(memcmp(d, want, tpm_hash_size(tpm_banks[b])) == 0, "bank %u pcr %u", b,
			pcr);
	}
}

static const uint8_t zero[TPM_MAX_DIGEST];

UNIT_TEST(tpm_pcr_startup_values)
{
	struct tpmh h;

	tpmh_init(&h);
	for (uint32_t pcr = 0; pcr < TPM_NUM_PCRS; pcr++)
		expect_fill(&h, pcr, pcr >= 17 && pcr <= 22 ? 0xFF : 0x00);
	/* every PCR reset at Startup counted, but the no-increment ones (libtpms: 20) */
	EXPECT_EQ_U64(counter(&h), 20);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_pcr_extend_known_answer)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t d[TPM_MAX_DIGEST];
	uint8_t want[TPM_MAX_DIGEST];
	uint8_t buf[2 * TPM_MAX_DIGEST];
	uint8_t dig[TPM_NUM_BANKS][TPM_MAX_DIGEST];

	tpmh_init(&h);
	/* SHA-256 PCR 16 extended with 32 zero bytes (libtpms / hashlib) */
	EXPECT_EQ_U64(extend(&h, 0, 16, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	unhex("f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", want);
	EXPECT(read1(&h, TPM_ALG_SHA256, 16, d, NULL));
	EXPECT_MEM_EQ(d, want, 32);
	/* the other banks are untouched; PCR 16 changes do not count */
	EXPECT(read1(&h, TPM_ALG_SHA1, 16, d, NULL));
	EXPECT_MEM_EQ(d, zero, 20);
	EXPECT_EQ_U64(counter(&h), 20);
	/* PCR 0 counts, once per bank extended */
	EXPECT_EQ_U64(extend(&h, 0, 0, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(counter(&h), 21);

	/* the kernel's form: every bank in one command (PCR 10), checked against H(0 || d) */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 10);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		for (unsigned i = 0; i < TPM_MAX_DIGEST; i++)
			dig[b][i] = (uint8_t)(b * 64 + i);
		tpmh_u16(&c, tpm_banks[b]);
		tpmh_bytes(&c, dig[b], tpm_hash_size(tpm_banks[b]));
	}
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(counter(&h), 21 + TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		unsigned n = tpm_hash_size(tpm_banks[b]);

		memset(buf, 0, n);
		memcpy(buf + n, dig[b], n);
		ASSERT(tpm_hash(tpm_banks[b], buf, 2 * n, want));
		EXPECT(read1(&h, tpm_banks[b], 10, d, NULL));
		EXPECTF(memcmp(d, want, n) == 0, "bank %u", b);
	}

	/* the same bank twice extends twice, in order */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 23);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 2);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, zero, 32);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, zero, 32);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	unhex("f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", buf);
	memset(buf + 32, 0, 32);
	ASSERT(tpm_hash(TPM_ALG_SHA256, buf, 64, want));
	EXPECT(read1(&h, TPM_ALG_SHA256, 23, d, NULL));
	EXPECT_MEM_EQ(d, want, 32);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_pcr_extend_bad_inputs)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t before[TPM_NUM_BANKS][TPM_NUM_PCRS][TPM_MAX_DIGEST];
	static const uint16_t bad_algs[] = {TPM_ALG_NULL, TPM_ALG_RSA, 0x1234, TPM_ALG_HMAC};

	tpmh_init(&h);
	memcpy(before, h.tpm->pcr, sizeof(before));
	/* more digests than implemented hashes */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, TPM_HASH_COUNT + 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	/* not a hash */
	for (unsigned i = 0; i < sizeof(bad_algs) / sizeof(bad_algs[0]); i++) {
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
		tpmh_u32(&c, 16);
		tpmh_pw(&c, "", 0);
		tpmh_u32(&c, 1);
		tpmh_u16(&c, bad_algs[i]);
		tpmh_bytes(&c, zero, 32);
		EXPECTF(tpmh_send(&h, &c) == TPM_RCP(TPM_RC_HASH, 1), "alg %#x", bad_algs[i]);
	}
	/* a digest shorter than its algorithm's, then a missing count */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, zero, 31);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	/* a second digest set valid but trailing bytes */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_SHA1);
	tpmh_bytes(&c, zero, 21);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* no authorization area, a handle beyond the PCRs, a non-PCR handle */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	EXPECT_EQ_U64(extend(&h, 0, TPM_NUM_PCRS, TPM_ALG_SHA256, zero), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(extend(&h, 0, TPM_RH_OWNER, TPM_ALG_SHA256, zero), TPM_RCH(TPM_RC_VALUE, 1));
	/* nothing changed so far */
	EXPECT(memcmp(before, h.tpm->pcr, sizeof(before)) == 0);

	/* accepted without effect: the NULL handle, no digest, a hash that is no bank */
	EXPECT_EQ_U64(extend(&h, 0, TPM_RH_NULL, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(extend(&h, 0, 16, TPM_ALG_SHA512, zero), TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	EXPECT(memcmp(before, h.tpm->pcr, sizeof(before)) == 0);
	EXPECT_EQ_U64(counter(&h), 20);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_pcr_extend_password_session)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint32_t psize = 0;
	uint16_t nonce = 1;
	uint8_t attrs = 0;
	uint16_t hmac = 1;

	tpmh_init(&h);
	/* PCRs have an empty authValue: an empty password, or zeros only, is right */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "\0\0", 2);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, zero, 32);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	/* response: parameterSize 0, then the password session's {nonce, attrs, hmac} */
	EXPECT_EQ_U64(tpm_ld16(h.rsp), TPM_ST_SESSIONS);
	r = tpm_rd_init(h.rsp + 10, h.rsp_len - 10);
	EXPECT(tpm_get_u32(&r, &psize) == TPM_RC_SUCCESS && psize == 0);
	EXPECT(tpm_get_u16(&r, &nonce) == TPM_RC_SUCCESS && nonce == 0);
	EXPECT(tpm_get_u8(&r, &attrs) == TPM_RC_SUCCESS && attrs == TPMA_SESSION_CONTINUESESSION);
	EXPECT(tpm_get_u16(&r, &hmac) == TPM_RC_SUCCESS && hmac == 0);
	EXPECT(tpm_rd_done(&r));
	/* a wrong password: BAD_AUTH on session 1, the PCR is unchanged, no DA count */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "x", 1);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, zero, 32);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	{
		uint8_t d[TPM_MAX_DIGEST];
		uint8_t want[32];

		unhex("f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", want);
		EXPECT(read1(&h, TPM_ALG_SHA256, 16, d, NULL));
		EXPECT_MEM_EQ(d, want, 32);
	}
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_pcr_locality_rules)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t d[TPM_MAX_DIGEST];
	uint8_t want[TPM_MAX_DIGEST];

	tpmh_init(&h);
	/* DRTM PCRs: extend 17 needs locality 2-4; at locality 3 it extends the all-ones value */
	EXPECT_EQ_U64(extend(&h, 0, 17, TPM_ALG_SHA256, zero), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(extend(&h, 1, 17, TPM_ALG_SHA256, zero), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(extend(&h, 3, 17, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	unhex("a5de9b714accd8afaaabf1cbd6e1014c9d07ff95c2ae154d91ec68485b31e7b5", want);
	EXPECT(read1(&h, TPM_ALG_SHA256, 17, d, NULL));
	EXPECT_MEM_EQ(d, want, 32);
	EXPECT_EQ_U64(extend(&h, 2, 21, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(extend(&h, 3, 21, TPM_ALG_SHA256, zero), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(extend(&h, 4, 19, TPM_ALG_SHA256, zero), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(extend(&h, 4, 0, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);

	/* PCR_Reset: never PCR 0-15; 16 and 23 at 0-3; 20-22 at locality 2; never at 4 */
	EXPECT_EQ_U64(reset(&h, 0, 0), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(reset(&h, 3, 15), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(extend(&h, 0, 16, TPM_ALG_SHA1, zero), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(reset(&h, 4, 16), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(reset(&h, 4, 17), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(reset(&h, 2, 17), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(reset(&h, 0, 20), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(counter(&h), 22);
	EXPECT_EQ_U64(reset(&h, 3, 16), TPM_RC_SUCCESS);
	expect_fill(&h, 16, 0);
	EXPECT_EQ_U64(counter(&h), 22); /* 16 does not count */
	EXPECT_EQ_U64(reset(&h, 2, 20), TPM_RC_SUCCESS);
	expect_fill(&h, 20, 0);
	EXPECT_EQ_U64(counter(&h), 23);
	EXPECT_EQ_U64(reset(&h, 2, 21), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(counter(&h), 23); /* 21 does not count */
	EXPECT_EQ_U64(reset(&h, 0, 23), TPM_RC_SUCCESS);
	/* handle and parameter checks */
	EXPECT_EQ_U64(reset(&h, 0, TPM_RH_NULL), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(reset(&h, 0, TPM_NUM_PCRS), TPM_RCH(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Reset);
	tpmh_u32(&c, 16);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	tpmh_destroy(&h);
}

/* The attribute table against GetCapability(PCR_PROPERTIES) of libtpms 0.9.2. */
UNIT_TEST(tpm_pcr_properties_match_libtpms)
{
	static const struct {
		uint32_t prop;
		uint32_t sel;
	} want[] = {
		{TPM_PT_PCR_SAVE, SEL(0xff, 0xff, 0x00)},
		{TPM_PT_PCR_EXTEND_L0, SEL(0xff, 0xff, 0x81)},
		{TPM_PT_PCR_RESET_L0, SEL(0x00, 0x00, 0x81)},
		{TPM_PT_PCR_EXTEND_L1, SEL(0xff, 0xff, 0x91)},
		{TPM_PT_PCR_RESET_L1, SEL(0x00, 0x00, 0x81)},
		{TPM_PT_PCR_EXTEND_L2, SEL(0xff, 0xff, 0xff)},
		{TPM_PT_PCR_RESET_L2, SEL(0x00, 0x00, 0xf1)},
		{TPM_PT_PCR_EXTEND_L3, SEL(0xff, 0xff, 0x9f)},
		{TPM_PT_PCR_RESET_L3, SEL(0x00, 0x00, 0x81)},
		{TPM_PT_PCR_EXTEND_L4, SEL(0xff, 0xff, 0x87)},
		{TPM_PT_PCR_RESET_L4, SEL(0x00, 0x00, 0x7e)},
		{TPM_PT_PCR_NO_INCREMENT, SEL(0x00, 0x00, 0xe1)},
		{TPM_PT_PCR_DRTM_RESET, SEL(0x00, 0x00, 0x7e)},
	};
	uint8_t s[TPM_PCR_SELECT_MIN];

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT(tpm_pcr_property(want[i].prop, s));
		EXPECTF((uint32_t)(s[0] | s[1] << 8 | s[2] << 16) == want[i].sel, "property %#x",
			want[i].prop);
	}
	/* PCR policies and authValues (0x13, 0x14) are not offered */
	EXPECT(!tpm_pcr_property(0x0B, s));
	EXPECT(!tpm_pcr_property(0x13, s));
	EXPECT(!tpm_pcr_property(0x14, s));
	/* the command checks agree with the table; locality 4 never resets */
	for (uint32_t pcr = 0; pcr < TPM_NUM_PCRS; pcr++)
		for (uint8_t loc = 0; loc <= 4; loc++) {
			uint8_t e[TPM_PCR_SELECT_MIN];
			uint8_t r[TPM_PCR_SELECT_MIN];
			bool ext;
			bool rst;

			ASSERT(tpm_pcr_property(TPM_PT_PCR_EXTEND_L0 + 2u * loc, e));
			ASSERT(tpm_pcr_property(TPM_PT_PCR_RESET_L0 + 2u * loc, r));
			ext = (e[pcr / 8] >> (pcr % 8)) & 1;
			rst = (r[pcr / 8] >> (pcr % 8)) & 1;
			EXPECTF(tpm_pcr_extend_allowed(pcr, loc) == ext, "pcr %u loc %u", pcr, loc);
			EXPECTF(tpm_pcr_reset_allowed(pcr, loc) == (rst && loc != 4),
				"pcr %u loc %u", pcr, loc);
		}
	EXPECT(!tpm_pcr_extend_allowed(0, 5));
	EXPECT(!tpm_pcr_extend_allowed(TPM_NUM_PCRS, 0));
}

UNIT_TEST(tpm_pcr_read_selection_rules)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	struct tpm_pcr_selection sel;
	uint32_t ctr = 0;
	uint32_t n = 0;

	tpmh_init(&h);
	/* sizeofSelect must be 3 (libtpms: PCR_SELECT_MIN = PCR_SELECT_MAX = 3) */
	for (uint8_t size = 0; size <= 5; size++) {
		if (size == 3)
			continue;
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
		tpmh_u32(&c, 1);
		tpmh_u16(&c, TPM_ALG_SHA256);
		tpmh_u8(&c, size);
		tpmh_bytes(&c, "\x01\x00\x00\x00\x00", size);
		EXPECTF(tpmh_send(&h, &c) == TPM_RCP(TPM_RC_VALUE, 1), "size %u", size);
	}
	/* not a hash */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_bytes(&c, "\x03\x01\x00\x00", 4);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_HASH, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_RSA);
	tpmh_bytes(&c, "\x03\x01\x00\x00", 4);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_HASH, 1));
	/* too many selections, truncated, trailing bytes */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, TPM_HASH_COUNT + 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, "\x03\x01\x00", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u16(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);

	/* an empty selection reads nothing */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.rsp_len, 10 + 4 + 4 + 4);

	/* SHA-512 is a hash but no bank: its selection comes back cleared, nothing read */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 2);
	tpmh_u16(&c, TPM_ALG_SHA512);
	tpmh_bytes(&c, "\x03\xff\xff\xff", 4);
	tpmh_u16(&c, TPM_ALG_SHA1);
	tpmh_bytes(&c, "\x03\x01\x00\x00", 4);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &ctr) == TPM_RC_SUCCESS && ctr == 20);
	EXPECT(tpm_get_pcr_selection(&r, &sel) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(sel.count, 2);
	EXPECT_EQ_U64(sel.s[0].hash, TPM_ALG_SHA512);
	EXPECT_EQ_U64(SEL(sel.s[0].select[0], sel.s[0].select[1], sel.s[0].select[2]), 0);
	EXPECT_EQ_U64(SEL(sel.s[1].select[0], sel.s[1].select[1], sel.s[1].select[2]), 1);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	EXPECT_EQ_U64(r.left, 2 + 20);

	/* at most 8 digests: SHA-1 all + SHA-256 all reads SHA-1 0-7 (as libtpms) */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 2);
	tpmh_u16(&c, TPM_ALG_SHA1);
	tpmh_bytes(&c, "\x03\xff\xff\xff", 4);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, "\x03\xff\xff\xff", 4);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &ctr) == TPM_RC_SUCCESS);
	EXPECT(tpm_get_pcr_selection(&r, &sel) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(SEL(sel.s[0].select[0], sel.s[0].select[1], sel.s[0].select[2]), 0xff);
	EXPECT_EQ_U64(SEL(sel.s[1].select[0], sel.s[1].select[1], sel.s[1].select[2]), 0);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 8);
	EXPECT_EQ_U64(r.left, 8 * (2 + 20));
	/* SHA-1 {0,1,2} + SHA-256 {0..7}: SHA-256 0-4 */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 2);
	tpmh_u16(&c, TPM_ALG_SHA1);
	tpmh_bytes(&c, "\x03\x07\x00\x00", 4);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, "\x03\xff\x00\x00", 4);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &ctr) == TPM_RC_SUCCESS);
	EXPECT(tpm_get_pcr_selection(&r, &sel) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(SEL(sel.s[0].select[0], sel.s[0].select[1], sel.s[0].select[2]), 0x07);
	EXPECT_EQ_U64(SEL(sel.s[1].select[0], sel.s[1].select[1], sel.s[1].select[2]), 0x1f);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 8);
	EXPECT_EQ_U64(r.left, 3 * (2 + 20) + 5 * (2 + 32));
	/* 8 digests exactly in the first selection: the second comes back empty */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
	tpmh_u32(&c, 2);
	tpmh_u16(&c, TPM_ALG_SHA384);
	tpmh_bytes(&c, "\x03\x00\x00\xff", 4);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_bytes(&c, "\x03\x00\x00\x01", 4);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &ctr) == TPM_RC_SUCCESS);
	EXPECT(tpm_get_pcr_selection(&r, &sel) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(SEL(sel.s[0].select[0], sel.s[0].select[1], sel.s[0].select[2]), 0xff0000);
	EXPECT_EQ_U64(SEL(sel.s[1].select[0], sel.s[1].select[1], sel.s[1].select[2]), 0);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 8);
	EXPECT_EQ_U64(r.left, 8 * (2 + 48));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_pcr_event)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	static uint8_t big[1025];
	static const char *const abc[TPM_NUM_BANKS] = {
		"a9993e364706816aba3e25717850c26c9cd0d89d",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		"8086072ba1e7cc2358baeca134c825a7",
	};
	static const char *const pcr16[2] = {
		"ccd5bd41458de644ac34a2478b58ff819bef5acf",
		"589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d",
	};
	uint8_t d[TPM_MAX_DIGEST];
	uint8_t want[TPM_MAX_DIGEST];
	uint32_t n = 0;

	tpmh_init(&h);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "abc", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		uint16_t alg = 0;

		EXPECT(tpm_get_u16(&r, &alg) == TPM_RC_SUCCESS && alg == tpm_banks[b]);
		ASSERT(tpm_get_bytes(&r, d, tpm_hash_size(alg)) == TPM_RC_SUCCESS);
		unhex(abc[b], want);
		EXPECTF(memcmp(d, want, tpm_hash_size(alg)) == 0, "bank %u", b);
	}
	EXPECT(tpm_rd_done(&r));
	/* PCR 16 = H(0 || H("abc")) in each bank (libtpms values for SHA-1 and SHA-256) */
	for (unsigned b = 0; b < 2; b++) {
		EXPECT(read1(&h, tpm_banks[b], 16, d, NULL));
		unhex(pcr16[b], want);
		EXPECTF(memcmp(d, want, tpm_hash_size(tpm_banks[b])) == 0, "bank %u", b);
	}

	/* the NULL handle: digests only; the largest event; too large; locality; trailing */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, big, 1024);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == TPM_NUM_BANKS);
	EXPECT_EQ_U64(r.left, 3 * 2 + 20 + 32 + 48);
	EXPECT(read1(&h, TPM_ALG_SHA1, 16, d, NULL));
	unhex(pcr16[0], want);
	EXPECT_MEM_EQ(d, want, 20);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, big, 1025);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 17);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "abc", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(send_loc(&h, &c, 2), TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "abc", 3);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 4);
	tpmh_bytes(&c, "abc", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_destroy(&h);
}

static void shutdown(struct tpmh *h, uint16_t su)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, su);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

UNIT_TEST(tpm_pcr_resume_restores_0_to_15)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t v0[TPM_NUM_BANKS][TPM_MAX_DIGEST];
	uint8_t d[TPM_MAX_DIGEST];

	tpmh_init(&h);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		EXPECT_EQ_U64(extend(&h, 0, 0, tpm_banks[b], zero), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(extend(&h, 0, 15, tpm_banks[b], zero), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(extend(&h, 0, 16, tpm_banks[b], zero), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(extend(&h, 0, 23, tpm_banks[b], zero), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(extend(&h, 3, 17, tpm_banks[b], zero), TPM_RC_SUCCESS);
		EXPECT(read1(&h, tpm_banks[b], 0, v0[b], NULL));
	}
	/* Resume: PCR 0-15 come back, 16 and 23 are zero, 17-22 all ones */
	shutdown(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_STATE);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		EXPECT(read1(&h, tpm_banks[b], 0, d, NULL));
		EXPECTF(memcmp(d, v0[b], tpm_hash_size(tpm_banks[b])) == 0, "bank %u", b);
		EXPECT(read1(&h, tpm_banks[b], 15, d, NULL));
		EXPECTF(memcmp(d, v0[b], tpm_hash_size(tpm_banks[b])) == 0, "bank %u", b);
	}
	expect_fill(&h, 16, 0);
	expect_fill(&h, 23, 0);
	expect_fill(&h, 17, 0xFF);
	expect_fill(&h, 22, 0xFF);
	/* the reset PCRs 16-23 counted, but 16, 21, 22, 23 */
	EXPECT_EQ_U64(counter(&h), 4);

	/* Restart (Shutdown(STATE) + Startup(CLEAR)) resets everything */
	shutdown(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_CLEAR);
	expect_fill(&h, 0, 0);
	expect_fill(&h, 17, 0xFF);

	/* a saved PCR changed after Shutdown(STATE) voids the save: Startup(STATE) refused */
	EXPECT_EQ_U64(extend(&h, 0, 1, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	shutdown(&h, TPM_SU_STATE);
	EXPECT_EQ_U64(extend(&h, 0, 16, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	EXPECT(h.tpm->perm.state_saved);
	EXPECT_EQ_U64(extend(&h, 0, 1, TPM_ALG_SHA256, zero), TPM_RC_SUCCESS);
	EXPECT(!h.tpm->perm.state_saved);
	tpmh_restart(&h, 0xFFFF);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_CLEAR);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	expect_fill(&h, 1, 0);
	tpmh_destroy(&h);
}

static tpm_rc allocate(struct tpmh *h, uint32_t count, const uint16_t *algs, const uint32_t *sels,
		       uint8_t *success, uint32_t *need)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint32_t max_pcr = 0;
	uint32_t avail = 0;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, count);
	for (uint32_t i = 0; i < count; i++) {
		tpmh_u16(&c, algs[i]);
		tpmh_u8(&c, 3);
		tpmh_u8(&c, (uint8_t)sels[i]);
		tpmh_u8(&c, (uint8_t)(sels[i] >> 8));
		tpmh_u8(&c, (uint8_t)(sels[i] >> 16));
	}
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	r = tpmh_params(h, false);
	ASSERT(tpm_get_u8(&r, success) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &max_pcr) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, need) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &avail) == TPM_RC_SUCCESS);
	EXPECT(tpm_rd_done(&r));
	EXPECT_EQ_U64(max_pcr, 24);
	EXPECT_EQ_U64(avail, 24 * (20 + 32 + 48));
	return rc;
}

UNIT_TEST(tpm_pcr_allocate)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t ok = 0;
	uint32_t need = 0;
	uint8_t d[TPM_MAX_DIGEST];
	uint32_t n = 0;
	static const uint16_t all_algs[] = {TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384,
					    TPM_ALG_SHA512};
	static const uint32_t only256[] = {0, 0xffffff, 0, 0};
	static const uint32_t none[] = {0, 0, 0, 0};
	static const uint32_t full[] = {0xffffff, 0xffffff, 0xffffff, 0};

	tpmh_init(&h);
	/* SHA-256 only: accepted, pending until the next TPM Reset */
	EXPECT_EQ_U64(allocate(&h, 4, all_algs, only256, &ok, &need), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(ok, 1);
	EXPECT_EQ_U64(need, 24 * 32);
	EXPECT_EQ_U64(h.tpm->perm.pcr_alloc_pending, 1u << 1);
	EXPECT_EQ_U64(h.tpm->perm.pcr_alloc, 7);
	EXPECT(read1(&h, TPM_ALG_SHA1, 0, d, NULL));
	/* requests merge with the current allocation, not the pending one (as libtpms) */
	EXPECT_EQ_U64(allocate(&h, 0, all_algs, none, &ok, &need), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(ok, 1);
	EXPECT_EQ_U64(need, 24 * (20 + 32 + 48));
	EXPECT_EQ_U64(allocate(&h, 4, all_algs, only256, &ok, &need), TPM_RC_SUCCESS);

	/* a pending allocation refuses Shutdown(STATE) (as libtpms); a TPM Reset applies it */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_TYPE, 1));
	EXPECT(read1(&h, TPM_ALG_SHA1, 0, d, NULL));
	shutdown(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(h.tpm->perm.pcr_alloc, 1u << 1);
	EXPECT(!read1(&h, TPM_ALG_SHA1, 0, d, NULL));
	EXPECT(!read1(&h, TPM_ALG_SHA384, 17, d, NULL));
	EXPECT(read1(&h, TPM_ALG_SHA256, 17, d, NULL));
	/* an unallocated bank is not extended; PCR_Event still hashes with every bank */
	EXPECT_EQ_U64(extend(&h, 0, 16, TPM_ALG_SHA1, zero), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(counter(&h), 20);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 0);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "abc", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	{
		struct tpm_rd r = tpmh_params(&h, false);

		EXPECT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == TPM_NUM_BANKS);
	}
	EXPECT_EQ_U64(counter(&h), 21); /* one bank extended */

	/* refusals that change nothing */
	EXPECT_EQ_U64(allocate(&h, 4, all_algs, none, &ok, &need), TPM_RC_PCR);
	{
		/* PCR 0 and 17 kept, but only part of the SHA-1 bank: not representable here */
		static const uint16_t a1[] = {TPM_ALG_SHA1, TPM_ALG_SHA256};
		static const uint32_t s1[] = {0x020001, 0};
		static const uint16_t a2[] = {TPM_ALG_SHA512};
		static const uint32_t s2[] = {0x000001};
		static const uint32_t s3[] = {0xffffff, 0x000001};

		EXPECT_EQ_U64(allocate(&h, 2, a1, s1, &ok, &need), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(ok, 0);
		EXPECT_EQ_U64(need, 2 * 20);
		/* a bank this TPM does not have (with the current SHA-256 bank kept) */
		EXPECT_EQ_U64(allocate(&h, 1, a2, s2, &ok, &need), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(ok, 0);
		EXPECT_EQ_U64(need, 24 * 32 + 64);
		/* a PCR selected in the SHA-256 bank without all others */
		EXPECT_EQ_U64(allocate(&h, 2, a1, s3, &ok, &need), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(ok, 0);
	}
	EXPECT_EQ_U64(h.tpm->perm.pcr_alloc_pending, 1u << 1);
	/* bad parameters and handles */
	{
		static const uint16_t anull[] = {TPM_ALG_NULL};
		static const uint32_t sfull[] = {0xffffff};

		EXPECT_EQ_U64(allocate(&h, 1, anull, sfull, &ok, &need), TPM_RCP(TPM_RC_HASH, 1));
	}
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, TPM_HASH_COUNT + 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 1);
	tpmh_u16(&c, TPM_ALG_SHA1);
	tpmh_bytes(&c, "\x02\xff\xff", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Allocate);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	EXPECT_EQ_U64(h.tpm->perm.pcr_alloc_pending, 1u << 1);

	/* back to every bank; survives a power cycle (committed) and applies after the reset */
	EXPECT_EQ_U64(allocate(&h, 3, all_algs, full, &ok, &need), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(ok, 1);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(h.tpm->perm.pcr_alloc, 7);
	expect_fill(&h, 0, 0);
	expect_fill(&h, 18, 0xFF);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_pcr_digest_helper)
{
	struct tpmh h;
	struct tpm_pcr_selection sel;
	uint8_t got[TPM_MAX_DIGEST];
	uint8_t want[TPM_MAX_DIGEST];
	uint8_t buf[20 + 32];

	tpmh_init(&h);
	ASSERT(extend(&h, 0, 16, TPM_ALG_SHA256, zero) == TPM_RC_SUCCESS);
	/* SHA-256 digest of SHA-1 PCR 17 then SHA-256 PCR 16; the SHA-512 selection drops out */
	memset(&sel, 0, sizeof(sel));
	sel.count = 3;
	sel.s[0].hash = TPM_ALG_SHA1;
	sel.s[0].select[2] = 0x02;
	sel.s[1].hash = TPM_ALG_SHA512;
	sel.s[1].select[0] = 0x01;
	sel.s[2].hash = TPM_ALG_SHA256;
	sel.s[2].select[2] = 0x01;
	ASSERT(tpm_pcr_digest(h.tpm, TPM_ALG_SHA256, &sel, got));
	memset(buf, 0xFF, 20);
	unhex("f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b", buf + 20);
	ASSERT(tpm_hash(TPM_ALG_SHA256, buf, sizeof(buf), want));
	EXPECT_MEM_EQ(got, want, 32);
	EXPECT_EQ_U64(sel.s[1].select[0], 0);
	EXPECT_EQ_U64(sel.s[0].select[2], 0x02);
	EXPECT(!tpm_pcr_digest(h.tpm, TPM_ALG_NULL, &sel, got));
	tpmh_destroy(&h);
}
