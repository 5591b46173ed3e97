// SPDX-License-Identifier: MIT
/*
 * PCR commands (TCG Part 3, 22): PCR_Extend, PCR_Event, PCR_Read, PCR_Allocate, PCR_Reset.
 * Locality rules, extension and the selection coding live in pcr.c.
 */
#include <lib/string.h>

#include "commands.h"

#define TPM_MAX_EVENT 1024u /* TPM2B_EVENT */
#define PCR_READ_MAX  8u    /* TPML_DIGEST: at most 8 digests per PCR_Read */
#define PCR_HCRTM     0u    /* PCR_Allocate must keep these in some bank (libtpms */
#define PCR_DRTM      17u   /* HCRTM_PCR / DRTM_PCR): TPM_RC_PCR otherwise */

static bool selected(const uint8_t *select, uint32_t pcr)
{
	return (select[pcr / 8] >> (pcr % 8)) & 1u;
}

/* ---- PCR_Extend --------------------------------------------------------------------------- */

struct digest_values {
	uint32_t count;
	uint16_t alg[TPM_HASH_COUNT];
	const uint8_t *digest[TPM_HASH_COUNT]; /* into the command buffer */
};

/* TPML_DIGEST_VALUES: each TPMT_HA's digest is as long as its algorithm's (Part 2, 10.3.2). */
static tpm_rc get_digest_values(struct tpm_rd *r, struct digest_values *dv)
{
	tpm_rc rc = tpm_get_u32(r, &dv->count);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (dv->count > TPM_HASH_COUNT)
		return TPM_RC_SIZE;
	for (uint32_t i = 0; i < dv->count; i++) {
		unsigned n;

		rc = tpm_get_u16(r, &dv->alg[i]);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		n = tpm_hash_size(dv->alg[i]);
		if (n == 0)
			return TPM_RC_HASH;
		rc = tpm_get_view(r, n, &dv->digest[i]);
		if (rc != TPM_RC_SUCCESS)
			return rc;
	}
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(PCR_Extend)
{
	uint32_t pcr = c->h[0];
	struct digest_values dv;
	tpm_rc rc = get_digest_values(&c->in, &dv);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (pcr == TPM_RH_NULL)
		return TPM_RC_SUCCESS;
	if (!tpm_pcr_extend_allowed(pcr, c->locality))
		return TPM_RC_LOCALITY;
	/* A digest for a hash that is not an allocated bank is ignored (Part 3, 22.2.1). */
	for (uint32_t i = 0; i < dv.count; i++) {
		int bank = tpm_bank_index(dv.alg[i]);

		if (bank >= 0)
			tpm_pcr_extend(c->t, pcr, (unsigned)bank, dv.digest[i]);
	}
	return TPM_RC_SUCCESS;
}

/* ---- PCR_Event ---------------------------------------------------------------------------- */

/*
 * The event is hashed with every bank algorithm (allocated or not) and the digests returned;
 * the allocated banks of the PCR are extended with them. libtpms also returns a SHA-512 digest
 * because it has a SHA-512 bank; this engine has none.
 */
TPM_HANDLER(PCR_Event)
{
	struct tpm *t = c->t;
	uint32_t pcr = c->h[0];
	uint16_t size = 0;
	const uint8_t *data = NULL;
	uint8_t d[TPM_MAX_DIGEST];
	tpm_rc rc = tpm_get_u16(&c->in, &size);

	if (rc == TPM_RC_SUCCESS && size > TPM_MAX_EVENT)
		rc = TPM_RC_SIZE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_view(&c->in, size, &data);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (pcr != TPM_RH_NULL && !tpm_pcr_extend_allowed(pcr, c->locality))
		return TPM_RC_LOCALITY;

	tpm_put_u32(c->out, TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		if (!tpm_hash(tpm_banks[b], data, size, d)) {
			tpm_fail(t, "bank hash not implemented");
			return TPM_RC_FAILURE;
		}
		tpm_put_u16(c->out, tpm_banks[b]);
		tpm_put_bytes(c->out, d, tpm_hash_size(tpm_banks[b]));
		if (pcr != TPM_RH_NULL)
			tpm_pcr_extend(t, pcr, b, d);
	}
	return TPM_RC_SUCCESS;
}

/* ---- PCR_Read ----------------------------------------------------------------------------- */

/*
 * Reads the selected PCRs of allocated banks in selection order, at most 8; pcrSelectionOut is
 * the selection with every PCR not read cleared (unallocated banks, and all after the 8th), as
 * libtpms PCRRead().
 */
TPM_HANDLER(PCR_Read)
{
	struct tpm *t = c->t;
	struct tpm_pcr_selection sel;
	uint32_t n = 0;
	uint32_t written = 0;
	tpm_rc rc = tpm_get_pcr_selection(&c->in, &sel);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	tpm_pcr_filter(t, &sel);
	for (uint32_t i = 0; i < sel.count; i++)
		for (uint32_t pcr = 0; pcr < TPM_NUM_PCRS; pcr++) {
			if (!selected(sel.s[i].select, pcr))
				continue;
			if (n == PCR_READ_MAX)
				sel.s[i].select[pcr / 8] &= (uint8_t) ~(1u << (pcr % 8));
			else
				n++;
		}

	tpm_put_u32(c->out, t->pcr_update_counter);
	tpm_put_pcr_selection(c->out, &sel);
	tpm_put_u32(c->out, n);
	for (uint32_t i = 0; i < sel.count; i++) {
		int bank = tpm_bank_index(sel.s[i].hash);

		for (uint32_t pcr = 0; bank >= 0 && pcr < TPM_NUM_PCRS; pcr++)
			if (selected(sel.s[i].select, pcr)) {
				tpm_put_2b(c->out, t->pcr[bank][pcr], tpm_hash_size(sel.s[i].hash));
				written++;
			}
	}
	if (written != n) {
		tpm_fail(t, "PCR_Read digest count");
		return TPM_RC_FAILURE;
	}
	return TPM_RC_SUCCESS;
}

/* ---- PCR_Allocate ------------------------------------------------------------------------- */

static unsigned popcount3(const uint8_t *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TPM_PCR_SELECT_MIN * 8; i++)
		n += (s[i / 8] >> (i % 8)) & 1u;
	return n;
}

/*
 * The request is merged into the current allocation (a bank it does not name keeps its state; a
 * bank named twice takes the last selection), as libtpms PCRAllocate(). This engine allocates
 * whole banks only: a merged bank with some but not all PCRs selected, or any PCR selected in a
 * hash that is no bank here (SHA-512), answers allocationSuccess = NO and changes nothing.
 * Without PCR 0 and PCR 17 in some bank the answer is TPM_RC_PCR (so an empty allocation is
 * refused). The new allocation takes effect at the next TPM Reset (Startup).
 */
TPM_HANDLER(PCR_Allocate)
{
	struct tpm *t = c->t;
	struct tpm_pcr_selection sel;
	uint8_t merged[TPM_NUM_BANKS][TPM_PCR_SELECT_MIN];
	uint8_t other[TPM_PCR_SELECT_MIN]; /* the last selection of a non-bank hash */
	uint16_t other_alg = 0;
	uint32_t need = 0;
	uint32_t avail = 0;
	bool hcrtm = false;
	bool drtm = false;
	bool ok = true;
	uint8_t mask = 0;
	tpm_rc rc = tpm_get_pcr_selection(&c->in, &sel);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	memset(other, 0, sizeof(other));
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++)
		memset(merged[b], tpm_pcr_bank_allocated(t, b) ? 0xFF : 0x00, TPM_PCR_SELECT_MIN);
	for (uint32_t i = 0; i < sel.count; i++) {
		int bank = tpm_bank_index(sel.s[i].hash);

		if (bank >= 0) {
			memcpy(merged[bank], sel.s[i].select, TPM_PCR_SELECT_MIN);
		} else {
			memcpy(other, sel.s[i].select, TPM_PCR_SELECT_MIN);
			other_alg = sel.s[i].hash;
		}
	}
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		unsigned bits = popcount3(merged[b]);

		hcrtm = hcrtm || selected(merged[b], PCR_HCRTM);
		drtm = drtm || selected(merged[b], PCR_DRTM);
		need += bits * tpm_hash_size(tpm_banks[b]);
		avail += TPM_NUM_PCRS * tpm_hash_size(tpm_banks[b]);
		if (bits == TPM_NUM_PCRS)
			mask |= (uint8_t)(1u << b);
		else if (bits != 0)
			ok = false;
	}
	if (popcount3(other) != 0) {
		need += popcount3(other) * tpm_hash_size(other_alg);
		ok = false;
	}
	if (!hcrtm || !drtm)
		return TPM_RC_PCR;
	if (ok) {
		struct tpm_perm *p = tpm_perm_w(t);

		p->pcr_alloc_pending = mask;
	}
	tpm_put_u8(c->out, ok ? 1 : 0);
	tpm_put_u32(c->out, TPM_NUM_PCRS);
	tpm_put_u32(c->out, need);
	tpm_put_u32(c->out, avail);
	return TPM_RC_SUCCESS;
}

/* ---- PCR_Reset ---------------------------------------------------------------------------- */

TPM_HANDLER(PCR_Reset)
{
	uint32_t pcr = c->h[0];
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!tpm_pcr_reset_allowed(pcr, c->locality))
		return TPM_RC_LOCALITY;
	tpm_pcr_reset(c->t, pcr);
	return TPM_RC_SUCCESS;
}
