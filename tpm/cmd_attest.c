// SPDX-License-Identifier: MIT
/*
 * Attestation (TCG Part 3, 18): TPM2_Quote, TPM2_Certify, TPM2_CertifyCreation, TPM2_GetTime.
 * Each builds a TPMS_ATTEST (Part 2, 10.12.12) and signs H_scheme(TPMS_ATTEST) with signHandle
 * (TPM_RH_NULL is refused with TPM_RC_SCHEME, as libtpms does).
 *
 *   magic TPM_GENERATED_VALUE | type | qualifiedSigner | extraData | clockInfo |
 *   firmwareVersion | attested (by type)
 *
 * A signer outside the endorsement and platform hierarchies sees resetCount, restartCount and
 * firmwareVersion offset by a secret value (the reference's privacy obfuscation: KDFa over the
 * storage proof and the signer's Name, "OBFUSCATE"), so that owner keys cannot track reboots.
 */
#include <lib/string.h>

#include "commands.h"
#include "sign.h"

#define TPM_GENERATED_VALUE 0xFF544347u
/* TPM_PT_FIRMWARE_VERSION_1 || _2 (cmd_capability.c) */
#define FIRMWARE_VERSION 0x0001000000000000ull

struct attest {
	const struct tpm_key *signer;
	struct tpm_scheme scheme;
	uint8_t extra[TPM_MAX_OUTSIDE_INFO];
	uint16_t extra_size;
	size_t mark; /* TPM2B_ATTEST size field */
	size_t start;
};

/* The signer (a signing key) and its scheme: the checks of every attestation. */
static tpm_rc attest_signer(struct tpm_cmd *c, uint32_t h, unsigned n, const struct tpm_scheme *in,
			    unsigned scheme_param, struct attest *a)
{
	memset(&a->scheme, 0, sizeof(a->scheme));
	a->signer = NULL;
	/* The reference selects no scheme for TPM_RH_NULL and refuses (libtpms 0.9 answers
	 * TPM_RC_SCHEME): an attestation is always signed. */
	if (h == TPM_RH_NULL)
		return TPM_RCP(TPM_RC_SCHEME, scheme_param);
	a->signer = tpm_object_key(c->t, h);
	if (a->signer == NULL || !(a->signer->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT) ||
	    a->signer->pub.type == TPM_ALG_SYMCIPHER)
		return TPM_RCH(TPM_RC_KEY, n);
	{
		tpm_rc rc = tpm_sign_scheme(a->signer, in, &a->scheme);

		return rc == TPM_RC_SUCCESS ? rc : TPM_RCP(rc, scheme_param);
	}
}

static void attest_begin(struct tpm_cmd *c, struct attest *a, uint16_t type)
{
	struct tpm *t = c->t;
	struct tpm_wr *w = c->out;
	uint64_t fw = FIRMWARE_VERSION;
	uint32_t reset = t->perm.reset_count;
	uint32_t restart = t->perm.restart_count;

	if (a->signer->hierarchy != TPM_RH_ENDORSEMENT && a->signer->hierarchy != TPM_RH_PLATFORM) {
		uint8_t ob[16];

		(void)tpm_kdfa(TPM_ALG_SHA256, t->perm.sh_proof, TPM_SEED_SIZE, "OBFUSCATE",
			       a->signer->name, a->signer->name_size, NULL, 0, 128, ob);
		fw += (uint64_t)tpm_ld32(ob) << 32 | tpm_ld32(ob + 4);
		reset += tpm_ld32(ob + 8);
		restart += tpm_ld32(ob + 12);
	}
	a->mark = tpm_put_size16_begin(w);
	a->start = w->len;
	tpm_put_u32(w, TPM_GENERATED_VALUE);
	tpm_put_u16(w, type);
	tpm_put_2b(w, a->signer->qname, a->signer->qname_size);
	tpm_put_2b(w, a->extra, a->extra_size);
	/* TPMS_CLOCK_INFO */
	tpm_put_u64(w, tpm_clock(t));
	tpm_put_u32(w, reset);
	tpm_put_u32(w, restart);
	tpm_put_u8(w, t->clock_safe ? TPM_YES : TPM_NO);
	tpm_put_u64(w, fw);
}

/* Close the TPM2B_ATTEST and sign it. */
static tpm_rc attest_finish(struct tpm_cmd *c, struct attest *a)
{
	struct tpm_wr *w = c->out;
	uint8_t digest[TPM_MAX_DIGEST];

	tpm_put_size16_end(w, a->mark);
	if (w->overflow)
		return TPM_RC_SUCCESS; /* the engine reports the overflow as a failure */
	(void)tpm_hash(a->scheme.hash, w->p + a->start, w->len - a->start, digest);
	return tpm_sign(c->t, a->signer, &a->scheme, digest, tpm_hash_size(a->scheme.hash), w);
}

/* qualifyingData (TPM2B_DATA) and inScheme, the parameters every attestation starts with. */
static tpm_rc get_common(struct tpm_cmd *c, struct attest *a, struct tpm_scheme *in, unsigned first)
{
	tpm_rc rc = tpm_get_2b(&c->in, a->extra, sizeof(a->extra), &a->extra_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, first);
	rc = tpm_get_sig_scheme(&c->in, in);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, first + 1);
	return TPM_RC_SUCCESS;
}

/* Handles: signHandle. Parameters: qualifyingData, inScheme, PCRselect. */
TPM_HANDLER(Quote)
{
	struct tpm *t = c->t;
	struct attest a;
	struct tpm_scheme in;
	struct tpm_pcr_selection sel;
	uint8_t digest[TPM_MAX_DIGEST];
	tpm_rc rc = get_common(c, &a, &in, 1);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_get_pcr_selection(&c->in, &sel);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = attest_signer(c, c->h[0], 1, &in, 2, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	attest_begin(c, &a, TPM_ST_ATTEST_QUOTE);
	/* TPMS_QUOTE_INFO: the selection (unallocated banks filtered) and the PCRs' digest with
	 * the signing scheme's hash */
	(void)tpm_pcr_digest(t, a.scheme.hash, &sel, digest);
	tpm_put_pcr_selection(c->out, &sel);
	tpm_put_2b(c->out, digest, tpm_hash_size(a.scheme.hash));
	return attest_finish(c, &a);
}

/* Handles: objectHandle (ADMIN), signHandle. Parameters: qualifyingData, inScheme. */
TPM_HANDLER(Certify)
{
	struct attest a;
	struct tpm_scheme in;
	const struct tpm_key *obj;
	tpm_rc rc = get_common(c, &a, &in, 1);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	obj = tpm_object_key(c->t, c->h[0]);
	if (obj == NULL)
		return TPM_RCH(TPM_RC_TYPE, 1); /* a sequence object has no Name to certify */
	rc = attest_signer(c, c->h[1], 2, &in, 2, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	attest_begin(c, &a, TPM_ST_ATTEST_CERTIFY);
	tpm_put_2b(c->out, obj->name, obj->name_size); /* TPMS_CERTIFY_INFO */
	tpm_put_2b(c->out, obj->qname, obj->qname_size);
	return attest_finish(c, &a);
}

/*
 * Handles: signHandle, objectHandle (no authorization). Parameters: qualifyingData,
 * creationHash, inScheme, creationTicket. The ticket must be the one Create/CreatePrimary gave
 * for this object and creationHash (TPM_RC_TICKET, parameter 4).
 */
TPM_HANDLER(CertifyCreation)
{
	struct tpm *t = c->t;
	struct attest a;
	struct tpm_scheme in;
	const struct tpm_key *obj;
	uint8_t ch[TPM_MAX_DIGEST], tk[TPM_MAX_DIGEST], mac[TPM_MAX_DIGEST];
	uint16_t chn = 0, tkn = 0, tag = 0;
	uint32_t hier = 0;
	tpm_rc rc = tpm_get_2b(&c->in, a.extra, sizeof(a.extra), &a.extra_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, ch, sizeof(ch), &chn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_sig_scheme(&c->in, &in);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_get_ticket(&c->in, TPM_ST_CREATION, TPM_ST_CREATION, &tag, &hier, tk, &tkn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	obj = tpm_object_key(t, c->h[1]);
	if (obj == NULL)
		return TPM_RCH(TPM_RC_TYPE, 2);
	rc = attest_signer(c, c->h[0], 1, &in, 3, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	{
		/* HMAC(proof, TPM_ST_CREATION || Name || creationHash), as cmd_object.c makes it */
		struct tpm_hmac_ctx m;
		const uint8_t *proof = tpm_hierarchy_proof(t, hier);
		uint8_t be[2];

		tpm_be16(be, TPM_ST_CREATION);
		if (proof == NULL || tkn != tpm_hash_size(TPM_TICKET_HMAC_ALG))
			return TPM_RCP(TPM_RC_TICKET, 4);
		(void)tpm_hmac_start(&m, TPM_TICKET_HMAC_ALG, proof, TPM_SEED_SIZE);
		tpm_hmac_update(&m, be, 2);
		tpm_hmac_update(&m, obj->name, obj->name_size);
		tpm_hmac_update(&m, ch, chn);
		tpm_hmac_finish(&m, mac);
		if (!tpm_ct_equal(mac, tk, tkn))
			return TPM_RCP(TPM_RC_TICKET, 4);
	}
	attest_begin(c, &a, TPM_ST_ATTEST_CREATION);
	tpm_put_2b(c->out, obj->name, obj->name_size); /* TPMS_CREATION_INFO */
	tpm_put_2b(c->out, ch, chn);
	return attest_finish(c, &a);
}

/* Handles: privacyAdminHandle (endorsement), signHandle. Parameters: qualifyingData, inScheme. */
TPM_HANDLER(GetTime)
{
	struct tpm *t = c->t;
	struct attest a;
	struct tpm_scheme in;
	uint64_t clock;
	tpm_rc rc = get_common(c, &a, &in, 1);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = attest_signer(c, c->h[1], 2, &in, 2, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	attest_begin(c, &a, TPM_ST_ATTEST_TIME);
	/* TPMS_TIME_ATTEST_INFO: TPMS_TIME_INFO (time, clockInfo) and firmwareVersion, in the
	 * clear: the endorsement hierarchy authorized it */
	clock = tpm_clock(t);
	tpm_put_u64(c->out, clock - t->clock_at_power_on);
	tpm_put_u64(c->out, clock);
	tpm_put_u32(c->out, t->perm.reset_count);
	tpm_put_u32(c->out, t->perm.restart_count);
	tpm_put_u8(c->out, t->clock_safe ? TPM_YES : TPM_NO);
	tpm_put_u64(c->out, FIRMWARE_VERSION);
	return attest_finish(c, &a);
}
