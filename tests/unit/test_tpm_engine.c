// SPDX-License-Identifier: MIT
/* TPM engine core: framing, Startup/Shutdown, GetRandom, sessions, the NV blob. */
#include <string.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "unit.h"

UNIT_TEST(tpm_cc_table_sorted)
{
	for (unsigned i = 1; i < tpm_cc_count; i++)
		EXPECTF(tpm_cc_table[i - 1].cc < tpm_cc_table[i].cc, "entry %u", i);
	for (unsigned i = 0; i < tpm_cc_count; i++) {
		const struct tpm_cc_desc *d = &tpm_cc_table[i];

		EXPECT(tpm_cc_find(d->cc) == d);
		EXPECT(d->nauth <= d->nhandles && d->nhandles <= 3);
	}
	EXPECT(tpm_cc_find(0x0000) == NULL);
	EXPECT(tpm_cc_find(0xFFFFFFFF) == NULL);
}

UNIT_TEST(tpm_framing_errors)
{
	struct tpmh h;
	static const uint8_t good[] = {0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 8};
	uint8_t cmd[sizeof(good)];

	tpmh_init(&h);
	EXPECT_EQ_U64(tpmh_raw(&h, good, sizeof(good)), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.rsp_len, 10 + 2 + 8);
	/* too short for a header */
	EXPECT_EQ_U64(tpmh_raw(&h, good, 0), TPM_RC_INSUFFICIENT);
	EXPECT_EQ_U64(tpmh_raw(&h, good, 9), TPM_RC_COMMAND_SIZE); /* size readable, wrong */
	/* bad tag: TPM 1.2 style answer */
	memcpy(cmd, good, sizeof(cmd));
	cmd[1] = 0xC1;
	EXPECT_EQ_U64(tpmh_raw(&h, cmd, sizeof(cmd)), TPM_RC_BAD_TAG);
	EXPECT_EQ_U64(tpm_ld16(h.rsp), TPM_ST_RSP_COMMAND);
	/* size field disagrees with the length, both ways */
	EXPECT_EQ_U64(tpmh_raw(&h, good, sizeof(good) - 1), TPM_RC_COMMAND_SIZE);
	memcpy(cmd, good, sizeof(cmd));
	cmd[5] = 0x0b;
	EXPECT_EQ_U64(tpmh_raw(&h, cmd, sizeof(cmd)), TPM_RC_COMMAND_SIZE);
	/* unknown command code */
	memcpy(cmd, good, sizeof(cmd));
	cmd[9] = 0x87; /* 0x187 PolicyPhysicalPresence: not offered */
	EXPECT_EQ_U64(tpmh_raw(&h, cmd, sizeof(cmd)), TPM_RC_COMMAND_CODE);
	cmd[8] = 0x20;
	EXPECT_EQ_U64(tpmh_raw(&h, cmd, sizeof(cmd)), TPM_RC_COMMAND_CODE);
	/* parameters short and long */
	memcpy(cmd, good, sizeof(cmd));
	cmd[5] = 0x0b;
	EXPECT_EQ_U64(tpmh_raw(&h, cmd, 11), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	{
		uint8_t longer[13];

		memcpy(longer, good, sizeof(good));
		longer[5] = 13;
		longer[12] = 0;
		EXPECT_EQ_U64(tpmh_raw(&h, longer, sizeof(longer)), TPM_RC_SIZE);
	}
	/* the TPM still works */
	EXPECT_EQ_U64(tpmh_raw(&h, good, sizeof(good)), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_getrandom_caps_at_one_digest)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t n = 0;

	tpmh_init(&h);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tpmh_u16(&c, 1000);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	EXPECT(tpm_get_u16(&r, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, 64);
	EXPECT_EQ_U64(r.left, 64);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_startup_rules)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	/* already started: INITIALIZE (clients send Startup on every connection) */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_CLEAR);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_INITIALIZE);
	/* after power-on, everything but Startup answers INITIALIZE */
	tpmh_restart(&h, 0xFFFF);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
	tpmh_u16(&c, 8);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_INITIALIZE);
	/* Startup(STATE) without Shutdown(STATE) is refused; bad values too */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, 7);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_CLEAR);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.reset_count, 2);

	/* Shutdown(STATE) + Startup(STATE) = Resume: restartCount counts, resetCount does not */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_STATE);
	EXPECT_EQ_U64(h.tpm->perm.reset_count, 2);
	EXPECT_EQ_U64(h.tpm->perm.restart_count, 1);
	/* the saved state is used up: a second Startup(STATE) after a power cycle is refused */
	tpmh_restart(&h, 0xFFFF);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_state_blob_roundtrip_and_corruption)
{
	struct tpmh h;
	static struct tpm_perm a, scratch;
	uint8_t saved[TPM_NV_BLOB_MAX];
	size_t len;

	tpmh_init(&h);
	len = h.mp.nv_len;
	memcpy(saved, h.mp.nv, len);
	EXPECT_EQ_U64(tpm_state_parse(saved, len, &a, &scratch), TPM_OK);
	EXPECT(memcmp(a.eps, h.tpm->perm.eps, sizeof(a.eps)) == 0);
	EXPECT_EQ_U64(a.da_max_tries, 3);
	/* every single flipped bit is detected */
	for (size_t i = 0; i < len; i += 7) {
		saved[i] ^= 0x10;
		EXPECTF(tpm_state_parse(saved, len, &a, &scratch) != TPM_OK, "byte %zu", i);
		saved[i] ^= 0x10;
	}
	/* truncation */
	for (size_t n = 0; n < len; n += 13)
		EXPECTF(tpm_state_parse(saved, n, &a, &scratch) == TPM_ERR_CORRUPT, "len %zu", n);
	/* a corrupt blob refuses power-on and is not replaced */
	h.mp.nv[20] ^= 1;
	tpm_power_off(h.tpm);
	EXPECT_EQ_U64(tpm_power_on(h.tpm), TPM_ERR_CORRUPT);
	EXPECT_EQ_U64(tpm_manufacture(h.tpm), TPM_ERR_EXISTS);
	h.mp.nv[20] ^= 1;
	EXPECT_EQ_U64(tpm_power_on(h.tpm), TPM_OK);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_failed_commit_keeps_old_state)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t before[TPM_NV_BLOB_MAX];
	size_t before_len;

	tpmh_init(&h);
	before_len = h.mp.nv_len;
	memcpy(before, h.mp.nv, before_len);
	h.mp.fail_commits = 1;
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_NV_UNAVAILABLE);
	EXPECT(!h.tpm->perm.state_saved);
	EXPECT(!h.tpm->perm.orderly);
	EXPECT_EQ_U64(h.mp.nv_len, before_len);
	EXPECT(memcmp(h.mp.nv, before, before_len) == 0);
	/* a retry succeeds */
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	EXPECT(h.tpm->perm.state_saved);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_sessions_start_and_flush)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t nonce[32] = {1, 2, 3};
	uint32_t handles[TPM_MAX_SESSIONS];

	tpmh_init(&h);
	for (unsigned i = 0; i < TPM_MAX_SESSIONS; i++) {
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
		tpmh_u32(&c, TPM_RH_NULL);
		tpmh_u32(&c, TPM_RH_NULL);
		tpmh_2b(&c, nonce, sizeof(nonce));
		tpmh_2b(&c, NULL, 0);
		tpmh_u8(&c, TPM_SE_HMAC);
		tpmh_u16(&c, TPM_ALG_NULL);
		tpmh_u16(&c, TPM_ALG_SHA256);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
		handles[i] = tpmh_rsp_handle(&h);
		EXPECT_EQ_U64(handles[i] >> 24, TPM_HT_HMAC_SESSION);
	}
	/* slots exhausted */
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SESSION_MEMORY);
	/* nonce too short / longer than the digest */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_2b(&c, nonce, 15);
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_HMAC);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	/* flush all; flushing again is TPM_RC_HANDLE on parameter 1 */
	for (unsigned i = 0; i < TPM_MAX_SESSIONS; i++) {
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
		tpmh_u32(&c, handles[i]);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	}
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, handles[0]);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_HANDLE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, TPM_RH_OWNER);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_destroy(&h);
}
