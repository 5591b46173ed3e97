// SPDX-License-Identifier: MIT
/*
 * Hierarchy and dictionary-attack commands (TCG Part 3, 24 "Hierarchy Commands" and 25
 * "Dictionary Attack Functions"; Part 1, 19.8.6 for the DA rules, which engine.c applies).
 *
 * The engine has authorized the handle before a handler runs. Everything the reference keeps
 * in its persistent data goes through tpm_perm_w() (committed after the handler, rolled back if
 * the commit fails); platformAuth and the hierarchy enables are volatile (struct tpm), as the
 * reference's state-clear data.
 *
 * Transient objects of a disabled hierarchy (HierarchyControl) or of the cleared storage and
 * endorsement hierarchies (Clear) are flushed (Part 3, 24.2 and 24.6); hash and event sequences
 * belong to no hierarchy and stay.
 */
#include <lib/string.h>

#include "commands.h"

/* The reference's DA parameters at manufacture, which TPM2_Clear restores (lifecycle.c). */
#define DA_DEFAULT_MAX_TRIES	      3u
#define DA_DEFAULT_RECOVERY_S	      1000u
#define DA_DEFAULT_LOCKOUT_RECOVERY_S 1000u

/*
 * A change to volatile state after Shutdown voids the orderly shutdown recorded (the reference's
 * g_clearOrderly): the next Startup(STATE) is refused and Startup(CLEAR) is a TPM Reset.
 */
static void clear_orderly(struct tpm *t)
{
	struct tpm_perm *p;

	if (!t->perm.orderly && !t->perm.state_saved)
		return;
	p = tpm_perm_w(t);
	p->orderly = false;
	p->state_saved = false;
	memset(p->saved_pcr, 0, sizeof(p->saved_pcr));
}

/* Part 3, 24.8: newAuth (TPM2B_AUTH, at most the largest digest) for any hierarchy's authValue. */
TPM_HANDLER(HierarchyChangeAuth)
{
	struct tpm *t = c->t;
	uint8_t auth[TPM_MAX_AUTH];
	uint16_t size = 0;
	struct tpm_hier_auth *ha;
	tpm_rc rc = tpm_get_2b(&c->in, auth, sizeof(auth), &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		goto out;
	/* Stored without trailing zeros, as the reference (MemoryRemoveTrailingZeros). */
	while (size > 0 && auth[size - 1] == 0)
		size--;
	if (c->h[0] == TPM_RH_PLATFORM) {
		clear_orderly(t);
		ha = &t->platform;
	} else {
		(void)tpm_perm_w(t);
		ha = tpm_hier(t, c->h[0]);
	}
	if (ha == NULL) {
		tpm_fail(t, "HierarchyChangeAuth: handle is no hierarchy");
		rc = TPM_RC_FAILURE;
		goto out;
	}
	tpm_wipe(ha->auth, sizeof(ha->auth));
	memcpy(ha->auth, auth, size);
	ha->auth_size = size;
	/* The engine computes the response HMAC with the new authValue (engine.c). */
out:
	tpm_wipe(auth, sizeof(auth));
	return rc;
}

/*
 * Part 3, 24.2 (the reference's rules): platformAuth may enable or disable any hierarchy;
 * ownerAuth and endorsementAuth may only disable their own (enabling it again takes
 * platformAuth): TPM_RC_AUTH_TYPE otherwise. A cleared phEnable comes back only at the next
 * Startup, since platformAuth cannot be used while it is clear.
 */
TPM_HANDLER(HierarchyControl)
{
	struct tpm *t = c->t;
	uint32_t auth_h = c->h[0];
	uint32_t enable = 0;
	bool state = false;
	bool *sel;
	tpm_rc rc = tpm_get_u32(&c->in, &enable);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	/* TPMI_RH_ENABLES without TPM_RH_NULL. */
	if (enable != TPM_RH_OWNER && enable != TPM_RH_ENDORSEMENT && enable != TPM_RH_PLATFORM &&
	    enable != TPM_RH_PLATFORM_NV)
		return TPM_RCP(TPM_RC_VALUE, 1);
	rc = tpm_get_bool(&c->in, &state);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	switch (enable) {
	case TPM_RH_PLATFORM:
	case TPM_RH_PLATFORM_NV:
		if (auth_h != TPM_RH_PLATFORM)
			return TPM_RC_AUTH_TYPE;
		sel = enable == TPM_RH_PLATFORM ? &t->ph_enable : &t->ph_enable_nv;
		break;
	case TPM_RH_OWNER:
		if (auth_h != TPM_RH_PLATFORM && auth_h != TPM_RH_OWNER)
			return TPM_RC_AUTH_TYPE;
		if (!t->sh_enable && state && auth_h != TPM_RH_PLATFORM)
			return TPM_RC_AUTH_TYPE;
		sel = &t->sh_enable;
		break;
	default: /* TPM_RH_ENDORSEMENT */
		if (auth_h != TPM_RH_PLATFORM && auth_h != TPM_RH_ENDORSEMENT)
			return TPM_RC_AUTH_TYPE;
		if (!t->eh_enable && state && auth_h != TPM_RH_PLATFORM)
			return TPM_RC_AUTH_TYPE;
		sel = &t->eh_enable;
		break;
	}
	if (*sel != state) {
		clear_orderly(t);
		*sel = state;
	}
	if (!state && enable != TPM_RH_PLATFORM_NV)
		tpm_object_flush_hierarchy(t, enable);
	return TPM_RC_SUCCESS;
}

/*
 * Delete the index in slot i (as NV_UndefineSpace does in cmd_nv.c): its data leaves the packed
 * arena, the indices behind it move down, and a written counter raises the floor of later
 * counters (Part 1, "NV Counters"). False if the index is inconsistent with the arena.
 */
static bool nv_delete(struct tpm_perm *p, unsigned i)
{
	struct tpm_nv_index *nv = &p->nv[i];
	uint32_t off = nv->data_off;
	uint32_t size = nv->data_size;
	uint32_t type = (nv->attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;

	if (off > p->nv_data_used || size > p->nv_data_used - off)
		return false;
	if (type == TPM_NT_COUNTER && (nv->attrs & TPMA_NV_WRITTEN) && size == 8) {
		const uint8_t *d = p->nv_data + off;
		uint64_t v = (uint64_t)tpm_ld32(d) << 32 | tpm_ld32(d + 4);

		if (v > p->nv_max_counter)
			p->nv_max_counter = v;
	}
	memmove(p->nv_data + off, p->nv_data + off + size, p->nv_data_used - off - size);
	p->nv_data_used -= size;
	memset(p->nv_data + p->nv_data_used, 0, size);
	for (unsigned j = 0; j < TPM_NV_INDICES_MAX; j++)
		if (p->nv[j].handle != 0 && p->nv[j].data_off > off)
			p->nv[j].data_off -= size;
	tpm_wipe(nv, sizeof(*nv));
	return true;
}

static void hier_reset(struct tpm_hier_auth *ha)
{
	tpm_wipe(ha, sizeof(*ha));
	ha->policy_alg = TPM_ALG_NULL;
}

/*
 * Part 3, 24.6, with the reference's effects: new storage primary seed, shProof and ehProof (the
 * endorsement seed, platform seed and NULL seed stay); owner, endorsement and lockout authValues
 * empty and policies none; every NV index the owner created deleted; DA parameters back to their
 * defaults with no failures and lockoutAuth usable; shEnable and ehEnable set; Clock,
 * resetCount and restartCount zero. platformAuth is not touched.
 *
 * Objects of the storage and endorsement hierarchies are flushed and cached primaries dropped.
 * The volatile effects (enables, Clock base, flushed objects) are not undone if the commit fails.
 */
TPM_HANDLER(Clear)
{
	struct tpm *t = c->t;
	uint8_t *fresh = t->scratch; /* 3 seeds' worth of DRBG output */
	struct tpm_perm *p;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (t->perm.disable_clear)
		return TPM_RC_DISABLED;
	/* The randomness first: a DRBG failure changes nothing. */
	if (!tpm_random(t, fresh, (size_t)3 * TPM_SEED_SIZE))
		return TPM_RC_FAILURE;

	p = tpm_perm_w(t);
	memcpy(p->sps, fresh, TPM_SEED_SIZE);
	tpm_primary_seeds_changed(t);
	tpm_object_flush_hierarchy(t, TPM_RH_OWNER);
	tpm_object_flush_hierarchy(t, TPM_RH_ENDORSEMENT);
	tpm_persistent_clear(t);
	memcpy(p->sh_proof, fresh + TPM_SEED_SIZE, TPM_SEED_SIZE);
	memcpy(p->eh_proof, fresh + (size_t)2 * TPM_SEED_SIZE, TPM_SEED_SIZE);
	tpm_wipe(fresh, (size_t)3 * TPM_SEED_SIZE);
	hier_reset(&p->owner);
	hier_reset(&p->endorsement);
	hier_reset(&p->lockout);
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		if (p->nv[i].handle == 0 || (p->nv[i].attrs & TPMA_NV_PLATFORMCREATE))
			continue;
		if (!nv_delete(p, i)) {
			tpm_fail(t, "Clear: NV index data outside the arena");
			return TPM_RC_FAILURE;
		}
	}
	p->da_max_tries = DA_DEFAULT_MAX_TRIES;
	p->da_recovery_s = DA_DEFAULT_RECOVERY_S;
	p->da_lockout_recovery_s = DA_DEFAULT_LOCKOUT_RECOVERY_S;
	p->da_failed_tries = 0;
	p->lockout_auth_locked = false;
	p->da_lockout_auth_fail_ms = 0;
	p->da_last_decrement_ms = 0;
	/*
	 * Clock restarts at 0 (Part 2, TPMS_CLOCK_INFO); state.c commits tpm_clock(). The reference
	 * also sets clockSafe; clock_safe here also answers TPMA_STARTUP_CLEAR.orderly (the last
	 * power cycle followed a Shutdown), which Clear does not change, so it is left alone.
	 */
	t->power_on_ms = t->plat.clock_ms(t->plat.ctx);
	t->clock_at_power_on = 0;
	p->clock_ms = 0;
	p->reset_count = 0;
	p->restart_count = 0;
	p->clear_count++;
	t->sh_enable = true;
	t->eh_enable = true;
	/* The reference bumps the PCR update counter (its PCRChanged after PCR_ClearAuth). */
	t->pcr_update_counter++;
	clear_orderly(t);
	return TPM_RC_SUCCESS;
}

/*
 * Part 3, 24.7: disableClear. lockoutAuth may only set it; clearing it takes platformAuth (the
 * reference answers TPM_RC_AUTH_FAIL, without a number, to lockoutAuth trying).
 */
TPM_HANDLER(ClearControl)
{
	struct tpm *t = c->t;
	bool disable = false;
	tpm_rc rc = tpm_get_bool(&c->in, &disable);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (c->h[0] == TPM_RH_LOCKOUT && !disable)
		return TPM_RC_AUTH_FAIL;
	if (t->perm.disable_clear != disable)
		tpm_perm_w(t)->disable_clear = disable;
	return TPM_RC_SUCCESS;
}

/* Part 3, 25.2: forget every failed authorization (lockoutAuth itself is not affected). */
TPM_HANDLER(DictionaryAttackLockReset)
{
	struct tpm *t = c->t;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (t->perm.da_failed_tries != 0)
		tpm_perm_w(t)->da_failed_tries = 0;
	return TPM_RC_SUCCESS;
}

/*
 * Part 3, 25.3. The values are taken as they are, as the reference does (failedTries is kept,
 * so lowering maxTries to it or below puts the TPM in lockout at once). How engine.c reads them:
 *   newMaxTries 0         every DA-protected authValue is locked out (failedTries >= 0)
 *   newRecoveryTime 0     DA counting is off: failures are not counted, failedTries is cleared
 *                         at the next command (a maxTries of 0 still locks out)
 *   lockoutRecovery 0     after a lockoutAuth failure, lockoutAuth is blocked until the next
 *                         TPM Reset instead of for lockoutRecovery seconds of Clock
 */
TPM_HANDLER(DictionaryAttackParameters)
{
	uint32_t max_tries = 0;
	uint32_t recovery = 0;
	uint32_t lockout_recovery = 0;
	struct tpm_perm *p;
	tpm_rc rc = tpm_get_u32(&c->in, &max_tries);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u32(&c->in, &recovery);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_u32(&c->in, &lockout_recovery);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	p = tpm_perm_w(c->t);
	p->da_max_tries = max_tries;
	p->da_recovery_s = recovery;
	p->da_lockout_recovery_s = lockout_recovery;
	return TPM_RC_SUCCESS;
}
