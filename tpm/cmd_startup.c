// SPDX-License-Identifier: MIT
/*
 * Startup, Shutdown and the self tests (TCG Part 3, 9 and 10; Part 1, "TPM operational states").
 *
 *   Shutdown(CLEAR) then Startup(CLEAR)   TPM Reset: resetCount+1, new NULL seed, PCRs reset
 *   Shutdown(STATE) then Startup(CLEAR)   TPM Restart: restartCount+1, PCRs reset
 *   Shutdown(STATE) then Startup(STATE)   TPM Resume: restartCount+1, saved PCRs restored
 *   no Shutdown     then Startup(CLEAR)   TPM Reset (not orderly: Clock may have lost time)
 */
#include <lib/string.h>

#include "commands.h"

/* Known-answer self test of every hash (FIPS 180 "abc" vectors, first 8 bytes each). */
static bool self_test(void)
{
	static const struct {
		uint16_t alg;
		uint8_t head[8];
	} kat[] = {
		{TPM_ALG_SHA1, {0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a}},
		{TPM_ALG_SHA256, {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea}},
		{TPM_ALG_SHA384, {0xcb, 0x00, 0x75, 0x3f, 0x45, 0xa3, 0x5e, 0x8b}},
		{TPM_ALG_SHA512, {0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba}},
	};
	uint8_t d[TPM_MAX_DIGEST];

	for (unsigned i = 0; i < sizeof(kat) / sizeof(kat[0]); i++)
		if (!tpm_hash(kat[i].alg, "abc", 3, d) || memcmp(d, kat[i].head, 8) != 0)
			return false;
	return true;
}

TPM_HANDLER(Startup)
{
	struct tpm *t = c->t;
	uint16_t su = 0;
	tpm_rc rc = tpm_get_u16(&c->in, &su);
	bool resume;
	bool reset;
	struct tpm_perm *p;

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (su != TPM_SU_CLEAR && su != TPM_SU_STATE)
		return TPM_RCP(TPM_RC_VALUE, 1);
	resume = su == TPM_SU_STATE;
	if (resume && !(t->perm.orderly && t->perm.state_saved))
		return TPM_RCP(TPM_RC_VALUE, 1);
	reset = !resume && !(t->perm.orderly && t->perm.state_saved);
	if (!self_test()) {
		tpm_fail(t, "hash self test failed");
		return TPM_RC_FAILURE;
	}

	/*
	 * The NULL hierarchy's seed and proof are new at every TPM Reset (Part 1, "Null
	 * hierarchy"); Restart and Resume take the ones Shutdown(STATE) saved (a blob from before
	 * they were saved has none: then they are new too).
	 */
	if (!reset && t->perm.saved_null_valid) {
		memcpy(t->null_seed, t->perm.saved_null_seed, TPM_SEED_SIZE);
		memcpy(t->null_proof, t->perm.saved_null_proof, TPM_SEED_SIZE);
	} else if (!tpm_random(t, t->null_seed, TPM_SEED_SIZE) ||
		   !tpm_random(t, t->null_proof, TPM_SEED_SIZE)) {
		return TPM_RC_FAILURE;
	}
	tpm_primary_seeds_changed(t);
	p = tpm_perm_w(t);
	/* The saved copy is spent: a later power loss without Shutdown(STATE) is a TPM Reset. */
	p->saved_null_valid = false;
	tpm_wipe(p->saved_null_seed, TPM_SEED_SIZE);
	tpm_wipe(p->saved_null_proof, TPM_SEED_SIZE);
	if (reset) {
		p->reset_count++;
		p->restart_count = 0;
		/* lockoutRecovery 0 holds lockoutAuth until a TPM Reset. */
		if (p->da_lockout_recovery_s == 0)
			p->lockout_auth_locked = false;
		p->pcr_alloc = p->pcr_alloc_pending;
	} else {
		p->restart_count++;
	}
	/* platformAuth and its policy are reset and phEnable set by every Startup; shEnable,
	 * ehEnable and phEnableNV are state-clear data that TPM Resume restores (Part 1,
	 * "Startup"; libtpms agrees: tests/tpm/diff). */
	memset(&t->platform, 0, sizeof(t->platform));
	t->platform.policy_alg = TPM_ALG_NULL;
	t->ph_enable = true;
	t->sh_enable = resume ? p->saved_sh_enable : true;
	t->eh_enable = resume ? p->saved_eh_enable : true;
	t->ph_enable_nv = resume ? p->saved_ph_enable_nv : true;
	tpm_pcr_startup(t, resume);
	tpm_nv_startup(t, !resume);
	t->nv_global_write_locked = false;
	/* Until the next orderly Shutdown, a power loss is disorderly. */
	p->orderly = false;
	p->state_saved = false;
	memset(p->saved_pcr, 0, sizeof(p->saved_pcr));
	t->started = true;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(Shutdown)
{
	struct tpm *t = c->t;
	uint16_t su = 0;
	tpm_rc rc = tpm_get_u16(&c->in, &su);
	struct tpm_perm *p;

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (su != TPM_SU_CLEAR && su != TPM_SU_STATE)
		return TPM_RCP(TPM_RC_VALUE, 1);
	/* A pending PCR_Allocate needs a TPM Reset: a state save would resume the old banks. */
	if (su == TPM_SU_STATE && t->perm.pcr_alloc != t->perm.pcr_alloc_pending)
		return TPM_RCP(TPM_RC_TYPE, 1);
	p = tpm_perm_w(t);
	p->orderly = true;
	p->state_saved = su == TPM_SU_STATE;
	if (p->state_saved) {
		memcpy(p->saved_pcr, t->pcr, sizeof(p->saved_pcr));
		p->saved_ph_enable_nv = t->ph_enable_nv;
		p->saved_sh_enable = t->sh_enable;
		p->saved_eh_enable = t->eh_enable;
		p->saved_null_valid = true;
		memcpy(p->saved_null_seed, t->null_seed, TPM_SEED_SIZE);
		memcpy(p->saved_null_proof, t->null_proof, TPM_SEED_SIZE);
	}
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(SelfTest)
{
	bool full = false;
	tpm_rc rc = tpm_get_bool(&c->in, &full);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!self_test()) {
		tpm_fail(c->t, "hash self test failed");
		return TPM_RC_FAILURE;
	}
	return TPM_RC_SUCCESS;
}

/* TPML_ALG in, TPML_ALG of what still needs testing out: everything is tested at Startup. */
TPM_HANDLER(IncrementalSelfTest)
{
	uint32_t count = 0;
	tpm_rc rc = tpm_get_u32(&c->in, &count);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	if (count > 64) /* MAX_ALG_LIST_SIZE */
		return TPM_RCP(TPM_RC_SIZE, 1);
	for (uint32_t i = 0; i < count; i++) {
		uint16_t alg = 0;

		rc = tpm_get_u16(&c->in, &alg);
		if (rc != TPM_RC_SUCCESS)
			return TPM_RCP(rc, 1);
	}
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	tpm_put_u32(c->out, 0);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(GetTestResult)
{
	const char *why = c->t->failure_reason;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (c->t->failure_mode) {
		size_t n = why != NULL ? strlen(why) : 0;

		tpm_put_2b(c->out, why, n);
		tpm_put_u32(c->out, TPM_RC_FAILURE);
	} else {
		tpm_put_u16(c->out, 0);
		tpm_put_u32(c->out, TPM_RC_SUCCESS);
	}
	return TPM_RC_SUCCESS;
}
