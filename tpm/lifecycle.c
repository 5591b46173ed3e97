// SPDX-License-Identifier: MIT
/* Engine life cycle: create, manufacture, power on/off (see tpm.h). */
#include <lib/string.h>

#include "internal.h"

/* Dictionary-attack defaults of the reference implementation (Part 1, 19.8.6). */
#define DA_DEFAULT_MAX_TRIES	      3u
#define DA_DEFAULT_RECOVERY_S	      1000u
#define DA_DEFAULT_LOCKOUT_RECOVERY_S 1000u

static int entropy_cb(void *ctx, unsigned char *buf, size_t len)
{
	const struct tpm *t = ctx;

	return t->plat.entropy(t->plat.ctx, buf, len) == 0 ? 0 : -1;
}

static bool drbg_start(struct tpm *t)
{
	static const char pers[] = "Copra TPM DRBG";

	tpm_drbg_free(&t->drbg);
	return tpm_drbg_init(&t->drbg, entropy_cb, t, pers, sizeof(pers));
}

int tpm_create(const struct tpm_platform *plat, struct tpm **out)
{
	struct tpm *t;

	*out = NULL;
	if (plat == NULL || plat->entropy == NULL || plat->nv_load == NULL ||
	    plat->nv_commit == NULL || plat->clock_ms == NULL || plat->alloc == NULL ||
	    plat->free == NULL)
		return TPM_ERR_STATE;
	t = plat->alloc(plat->ctx, sizeof(*t));
	if (t == NULL)
		return TPM_ERR_NOMEM;
	memset(t, 0, sizeof(*t));
	t->plat = *plat;
	*out = t;
	return TPM_OK;
}

void tpm_destroy(struct tpm *t)
{
	struct tpm_platform plat;

	if (t == NULL)
		return;
	plat = t->plat;
	tpm_crypto_release_allocator(&t->plat);
	tpm_drbg_free(&t->drbg);
	tpm_wipe(t, sizeof(*t));
	plat.free(plat.ctx, t);
}

int tpm_manufacture(struct tpm *t)
{
	struct tpm_perm *p = &t->perm;
	size_t len = 0;
	int err;

	if (t->powered)
		return TPM_ERR_STATE;
	err = t->plat.nv_load(t->plat.ctx, t->nv_blob, sizeof(t->nv_blob), &len);
	if (err == TPM_OK)
		return TPM_ERR_EXISTS;
	if (err != TPM_ERR_NO_STATE)
		return TPM_ERR_PLATFORM;
	if (!drbg_start(t))
		return TPM_ERR_PLATFORM;

	memset(p, 0, sizeof(*p));
	if (!tpm_drbg_generate(&t->drbg, p->eps, TPM_SEED_SIZE) ||
	    !tpm_drbg_generate(&t->drbg, p->sps, TPM_SEED_SIZE) ||
	    !tpm_drbg_generate(&t->drbg, p->pps, TPM_SEED_SIZE) ||
	    !tpm_drbg_generate(&t->drbg, p->sh_proof, TPM_SEED_SIZE) ||
	    !tpm_drbg_generate(&t->drbg, p->eh_proof, TPM_SEED_SIZE) ||
	    !tpm_drbg_generate(&t->drbg, p->ph_proof, TPM_SEED_SIZE))
		return TPM_ERR_PLATFORM;
	p->owner.policy_alg = TPM_ALG_NULL;
	p->endorsement.policy_alg = TPM_ALG_NULL;
	p->lockout.policy_alg = TPM_ALG_NULL;
	p->da_max_tries = DA_DEFAULT_MAX_TRIES;
	p->da_recovery_s = DA_DEFAULT_RECOVERY_S;
	p->da_lockout_recovery_s = DA_DEFAULT_LOCKOUT_RECOVERY_S;
	p->pcr_alloc = (1u << TPM_NUM_BANKS) - 1; /* every bank */
	p->pcr_alloc_pending = p->pcr_alloc;
	/* A new TPM has lost no time: its first Clock is safe (as the reference reports). */
	p->orderly = true;

	/* Commit needs the clock base of a powered TPM; a fresh TPM's Clock starts at 0. */
	t->power_on_ms = t->plat.clock_ms(t->plat.ctx);
	t->clock_at_power_on = 0;
	err = tpm_state_commit(t);
	memset(p, 0, sizeof(*p));
	tpm_drbg_free(&t->drbg);
	return err;
}

int tpm_power_on(struct tpm *t)
{
	size_t len = 0;
	int err;

	if (t->powered)
		return TPM_ERR_STATE;
	err = t->plat.nv_load(t->plat.ctx, t->nv_blob, sizeof(t->nv_blob), &len);
	if (err == TPM_ERR_NO_STATE)
		return TPM_ERR_NO_STATE;
	if (err != TPM_OK || len > sizeof(t->nv_blob))
		return TPM_ERR_PLATFORM;
	err = tpm_state_parse(t->nv_blob, len, &t->perm, &t->perm_backup);
	if (err != TPM_OK)
		return err;
	if (!drbg_start(t))
		return TPM_ERR_PLATFORM;
	t->power_on_ms = t->plat.clock_ms(t->plat.ctx);
	t->clock_at_power_on = t->perm.clock_ms;
	/* Clock is exact only if it was saved at an orderly shutdown (Part 2, TPMS_CLOCK_INFO). */
	t->clock_safe = t->perm.orderly;
	t->powered = true;
	t->started = false;
	t->failure_mode = false;
	t->failure_reason = NULL;
	t->perm_dirty = false;
	return TPM_OK;
}

void tpm_power_off(struct tpm *t)
{
	if (!t->powered)
		return;
	/* Volatile state is lost; NV holds what the last command committed. */
	tpm_wipe(t->sessions, sizeof(t->sessions));
	tpm_wipe(t->objects, sizeof(t->objects));
	tpm_wipe(t->saved_sessions, sizeof(t->saved_sessions));
	tpm_wipe(&t->tmpl, sizeof(t->tmpl));
	tpm_wipe(&t->staging, sizeof(t->staging));
	tpm_primary_seeds_changed(t);
	tpm_wipe(t->pcr, sizeof(t->pcr));
	tpm_wipe(&t->platform, sizeof(t->platform));
	tpm_wipe(t->null_proof, sizeof(t->null_proof));
	tpm_wipe(t->null_seed, sizeof(t->null_seed));
	tpm_wipe(&t->perm, sizeof(t->perm));
	tpm_wipe(&t->perm_backup, sizeof(t->perm_backup));
	tpm_drbg_free(&t->drbg);
	t->powered = false;
	t->started = false;
	t->cancel = false;
}
