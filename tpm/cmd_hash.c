// SPDX-License-Identifier: MIT
/*
 * Hash commands (TCG Part 3, 15.4 Hash; 17 "Hash/HMAC/Event Sequences"): Hash,
 * HashSequenceStart, HMAC_Start, SequenceUpdate, SequenceComplete, EventSequenceComplete.
 *
 * Sequences live in transient object slots (object.c): a hash sequence uses hash[0], an event
 * sequence one context per PCR bank, an HMAC sequence hmac (keyed when it starts, so the key
 * object may be flushed meanwhile). Completing a sequence flushes it.
 */
#include <lib/string.h>

#include "commands.h"
#include "sign.h"

#define TPM_GENERATED_VALUE 0xFF544347u

/*
 * A hash sequence must remember whether its first block could start with TPM_GENERATED_VALUE
 * (then no ticket: the digest might be of a TPM-generated structure, Part 1, "Ticket"). A hash
 * sequence uses only hash[0], so the record lives in hash[1].alg (zero from tpm_object_alloc).
 */
enum {
	SEQ_FIRST_PENDING = 0,
	SEQ_TICKET_SAFE = 1,
	SEQ_TICKET_UNSAFE = 2
};

/* TPMI_RH_HIERARCHY+ (Part 2, 9.13); enabled or not (libtpms does not check). */
static tpm_rc get_hierarchy(struct tpm_rd *r, uint32_t *h)
{
	tpm_rc rc = tpm_get_u32(r, h);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	switch (*h) {
	case TPM_RH_OWNER:
	case TPM_RH_ENDORSEMENT:
	case TPM_RH_PLATFORM:
	case TPM_RH_NULL:
		return TPM_RC_SUCCESS;
	default:
		return TPM_RC_VALUE;
	}
}

/* TPM2B_MAX_BUFFER as a view into the command. */
static tpm_rc get_buffer(struct tpm_rd *r, const uint8_t **p, uint16_t *n)
{
	return tpm_get_2b_view(r, TPM_MAX_DIGEST_BUFFER, p, n);
}

static bool starts_generated(const uint8_t *p, uint16_t n)
{
	return n >= 4 && tpm_ld32(p) == TPM_GENERATED_VALUE;
}

bool tpm_hashcheck_mac(struct tpm *t, uint32_t hierarchy, uint16_t alg, const uint8_t *digest,
		       uint8_t *mac)
{
	/* TPM_RH_NULL asks for no ticket: the NULL ticket, not one with the NULL proof. */
	const uint8_t *proof = hierarchy == TPM_RH_NULL ? NULL : tpm_hierarchy_proof(t, hierarchy);
	struct tpm_hmac_ctx m;
	uint8_t hdr[4];

	if (proof == NULL)
		return false;
	tpm_be16(hdr, TPM_ST_HASHCHECK);
	tpm_be16(hdr + 2, alg);
	(void)tpm_hmac_start(&m, TPM_TICKET_HMAC_ALG, proof, TPM_SEED_SIZE);
	tpm_hmac_update(&m, hdr, sizeof(hdr));
	tpm_hmac_update(&m, digest, tpm_hash_size(alg));
	tpm_hmac_finish(&m, mac);
	return true;
}

/*
 * TPMT_TK_HASHCHECK (Part 2, 10.7.6): HMAC(proof, TPM_ST_HASHCHECK || hashAlg || digest) as
 * libtpms TicketComputeHashCheck(); the NULL ticket {HASHCHECK, TPM_RH_NULL, empty} when no
 * hierarchy was asked for or the data is not safe to vouch for.
 */
static void put_hashcheck(struct tpm_cmd *c, uint32_t hierarchy, bool safe, uint16_t alg,
			  const uint8_t *digest)
{
	/* TPM_RH_NULL asks for no ticket: the NULL ticket, not one with the NULL proof. */
	uint8_t mac[TPM_MAX_DIGEST];

	tpm_put_u16(c->out, TPM_ST_HASHCHECK);
	if (!safe || !tpm_hashcheck_mac(c->t, hierarchy, alg, digest, mac)) {
		tpm_put_u32(c->out, TPM_RH_NULL);
		tpm_put_u16(c->out, 0);
		return;
	}
	tpm_put_u32(c->out, hierarchy);
	tpm_put_2b(c->out, mac, tpm_hash_size(TPM_TICKET_HMAC_ALG));
}

/* ---- Hash --------------------------------------------------------------------------------- */

TPM_HANDLER(Hash)
{
	const uint8_t *data = NULL;
	uint16_t size = 0;
	uint16_t alg = 0;
	uint32_t hierarchy = 0;
	uint8_t d[TPM_MAX_DIGEST];
	tpm_rc rc = get_buffer(&c->in, &data, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u16(&c->in, &alg);
	if (rc == TPM_RC_SUCCESS && tpm_hash_size(alg) == 0)
		rc = TPM_RC_HASH;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = get_hierarchy(&c->in, &hierarchy);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	(void)tpm_hash(alg, data, size, d);
	tpm_put_2b(c->out, d, tpm_hash_size(alg));
	/* Data shorter than TPM_GENERATED_VALUE cannot start with it: a ticket is safe. */
	put_hashcheck(c, hierarchy, !starts_generated(data, size), alg, d);
	return TPM_RC_SUCCESS;
}

/* ---- sequences ---------------------------------------------------------------------------- */

/*
 * The first block of a hash sequence decides its ticket: unsafe when shorter than
 * TPM_GENERATED_VALUE (it could be the start of one) or starting with it (libtpms TicketIsSafe).
 */
static void seq_first_block(struct tpm_object *o, const uint8_t *p, uint16_t n)
{
	if (o->hash[1].alg != SEQ_FIRST_PENDING)
		return;
	o->hash[1].alg = (n >= 4 && !starts_generated(p, n)) ? SEQ_TICKET_SAFE : SEQ_TICKET_UNSAFE;
}

/*
 * A free object slot for a sequence with this authValue (kept as given: authorization trims
 * trailing zeros, engine.c), or NULL when none is free. The caller's copy (TPM_MAX_AUTH bytes)
 * is wiped either way.
 */
static struct tpm_object *seq_alloc(struct tpm *t, uint8_t *auth, uint16_t auth_size)
{
	struct tpm_object *o = tpm_object_alloc(t);

	if (o != NULL) {
		o->auth_size = auth_size;
		memcpy(o->auth, auth, auth_size);
	}
	tpm_wipe(auth, TPM_MAX_AUTH);
	return o;
}

TPM_HANDLER(HashSequenceStart)
{
	struct tpm *t = c->t;
	uint8_t auth[TPM_MAX_AUTH];
	uint16_t auth_size = 0;
	uint16_t alg = 0;
	struct tpm_object *o;
	tpm_rc rc = tpm_get_2b(&c->in, auth, sizeof(auth), &auth_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u16(&c->in, &alg);
	if (rc == TPM_RC_SUCCESS && alg != TPM_ALG_NULL && tpm_hash_size(alg) == 0)
		rc = TPM_RC_HASH;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	o = seq_alloc(t, auth, auth_size);
	if (o == NULL)
		return TPM_RC_OBJECT_MEMORY;
	if (alg == TPM_ALG_NULL) {
		o->kind = TPM_OBJ_EVENT_SEQ;
		for (unsigned b = 0; b < TPM_NUM_BANKS; b++)
			(void)tpm_hash_start(&o->hash[b], tpm_banks[b]);
	} else {
		o->kind = TPM_OBJ_HASH_SEQ;
		(void)tpm_hash_start(&o->hash[0], alg);
	}
	tpm_put_u32(c->out_h, o->handle);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(HMAC_Start)
{
	struct tpm *t = c->t;
	const struct tpm_key *k = tpm_object_key(t, c->h[0]);
	uint8_t auth[TPM_MAX_AUTH];
	uint16_t auth_size = 0;
	uint16_t alg = 0;
	uint16_t use = 0;
	struct tpm_object *o;
	tpm_rc rc = tpm_get_2b(&c->in, auth, sizeof(auth), &auth_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_mac_alg(&c->in, &alg);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_hmac_key_alg(k, alg, &use);
	if (rc != TPM_RC_SUCCESS) {
		tpm_wipe(auth, sizeof(auth));
		return rc;
	}
	o = seq_alloc(t, auth, auth_size);
	if (o == NULL)
		return TPM_RC_OBJECT_MEMORY;
	o->kind = TPM_OBJ_HMAC_SEQ;
	(void)tpm_hmac_start(&o->hmac, use, k->sens, k->sens_size);
	tpm_put_u32(c->out_h, o->handle);
	return TPM_RC_SUCCESS;
}

static bool is_sequence(uint8_t kind)
{
	return kind == TPM_OBJ_HASH_SEQ || kind == TPM_OBJ_EVENT_SEQ || kind == TPM_OBJ_HMAC_SEQ;
}

/*
 * The sequence object behind a handle the engine found loaded; NULL if it is no sequence or
 * not of the kinds asked for (a mask of 1 << kind; 0 = any sequence).
 */
static struct tpm_object *seq_object(struct tpm_cmd *c, uint32_t h, unsigned kinds)
{
	struct tpm_object *o = tpm_object_find(c->t, h);

	if (o == NULL || !is_sequence(o->kind) || (kinds != 0 && !(kinds & (1u << o->kind))))
		return NULL;
	return o;
}

TPM_HANDLER(SequenceUpdate)
{
	const uint8_t *data = NULL;
	uint16_t size = 0;
	struct tpm_object *o;
	tpm_rc rc = get_buffer(&c->in, &data, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* Any sequence; other objects are TPM_RC_MODE. */
	o = seq_object(c, c->h[0], 0);
	if (o == NULL)
		return TPM_RCH(TPM_RC_MODE, 1);
	if (o->kind == TPM_OBJ_HMAC_SEQ) {
		tpm_hmac_update(&o->hmac, data, size);
		return TPM_RC_SUCCESS;
	}
	if (o->kind == TPM_OBJ_EVENT_SEQ) {
		for (unsigned b = 0; b < TPM_NUM_BANKS; b++)
			tpm_hash_update(&o->hash[b], data, size);
		return TPM_RC_SUCCESS;
	}
	seq_first_block(o, data, size);
	tpm_hash_update(&o->hash[0], data, size);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(SequenceComplete)
{
	const uint8_t *data = NULL;
	uint16_t size = 0;
	uint32_t hierarchy = 0;
	struct tpm_object *o;
	uint16_t alg;
	uint8_t d[TPM_MAX_DIGEST];
	tpm_rc rc = get_buffer(&c->in, &data, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = get_hierarchy(&c->in, &hierarchy);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* An event sequence ends with EventSequenceComplete only. */
	o = seq_object(c, c->h[0], 1u << TPM_OBJ_HASH_SEQ | 1u << TPM_OBJ_HMAC_SEQ);
	if (o == NULL)
		return TPM_RCH(TPM_RC_MODE, 1);
	if (o->kind == TPM_OBJ_HMAC_SEQ) {
		/* No ticket for an HMAC (Part 3, SequenceComplete): the NULL ticket. */
		alg = o->hmac.h.alg;
		tpm_hmac_update(&o->hmac, data, size);
		tpm_hmac_finish(&o->hmac, d);
		tpm_put_2b(c->out, d, tpm_hash_size(alg));
		put_hashcheck(c, TPM_RH_NULL, false, alg, d);
		tpm_object_free(o);
		return TPM_RC_SUCCESS;
	}

	alg = o->hash[0].alg;
	seq_first_block(o, data, size);
	tpm_hash_update(&o->hash[0], data, size);
	tpm_hash_finish(&o->hash[0], d);
	tpm_put_2b(c->out, d, tpm_hash_size(alg));
	put_hashcheck(c, hierarchy, o->hash[1].alg == SEQ_TICKET_SAFE, alg, d);
	tpm_object_free(o);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(EventSequenceComplete)
{
	struct tpm *t = c->t;
	uint32_t pcr = c->h[0];
	const uint8_t *data = NULL;
	uint16_t size = 0;
	struct tpm_object *o;
	uint8_t d[TPM_MAX_DIGEST];
	tpm_rc rc = get_buffer(&c->in, &data, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	o = seq_object(c, c->h[1], 1u << TPM_OBJ_EVENT_SEQ);
	if (o == NULL)
		return TPM_RCH(TPM_RC_MODE, 2);
	if (pcr != TPM_RH_NULL && !tpm_pcr_extend_allowed(pcr, c->locality))
		return TPM_RC_LOCALITY;

	/* One digest per bank, allocated or not; allocated banks of the PCR are extended. */
	tpm_put_u32(c->out, TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		tpm_hash_update(&o->hash[b], data, size);
		tpm_hash_finish(&o->hash[b], d);
		tpm_put_u16(c->out, tpm_banks[b]);
		tpm_put_bytes(c->out, d, tpm_hash_size(tpm_banks[b]));
		if (pcr != TPM_RH_NULL)
			tpm_pcr_extend(t, pcr, b, d);
	}
	tpm_object_free(o);
	return TPM_RC_SUCCESS;
}
