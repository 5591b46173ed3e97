// SPDX-License-Identifier: MIT
/* TPM2_Sign (Part 3, 20.2) and TPM2_VerifySignature (20.1). */
#include <lib/string.h>

#include "commands.h"
#include "sign.h"

/* A key object that signs (Part 2, 8.3: sign attribute; sequences are not keys). */
static const struct tpm_key *signing_key(struct tpm *t, uint32_t h)
{
	const struct tpm_key *k = tpm_object_key(t, h);

	return k != NULL && (k->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT) &&
			       k->pub.type != TPM_ALG_SYMCIPHER
		       ? k
		       : NULL;
}

/* TPMT_TK_HASHCHECK (Part 2, 10.7.6): tag, hierarchy (TPMI_RH_HIERARCHY+), digest. */
static tpm_rc get_hashcheck(struct tpm_rd *r, uint32_t *hier, uint8_t *d, uint16_t *n)
{
	uint16_t tag = 0;

	return tpm_get_ticket(r, TPM_ST_HASHCHECK, TPM_ST_HASHCHECK, &tag, hier, d, n);
}

TPM_HANDLER(Sign)
{
	struct tpm *t = c->t;
	const struct tpm_key *k;
	uint8_t digest[TPM_MAX_DIGEST], tk[TPM_MAX_DIGEST], mac[TPM_MAX_DIGEST];
	uint16_t dn = 0, tkn = 0;
	uint32_t tk_hier = 0;
	struct tpm_scheme in, s;
	tpm_rc rc = tpm_get_2b(&c->in, digest, sizeof(digest), &dn);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_sig_scheme(&c->in, &in);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = get_hashcheck(&c->in, &tk_hier, tk, &tkn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	k = signing_key(t, c->h[0]);
	if (k == NULL)
		return TPM_RCH(TPM_RC_KEY, 1);
	rc = tpm_sign_scheme(k, &in, &s);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	if (dn != tpm_hash_size(s.hash))
		return TPM_RCP(TPM_RC_SIZE, 1);
	/*
	 * A restricted key signs only digests the TPM computed from data that does not pose as a
	 * TPM attestation: the Hash/SequenceComplete ticket says so (Part 1, "Restricted keys").
	 */
	if (k->pub.attrs & TPMA_OBJECT_RESTRICTED) {
		if (tk_hier == TPM_RH_NULL || tkn != tpm_hash_size(TPM_TICKET_HMAC_ALG) ||
		    !tpm_hashcheck_mac(t, tk_hier, s.hash, digest, mac) ||
		    !tpm_ct_equal(mac, tk, tkn))
			return TPM_RCP(TPM_RC_TICKET, 3);
	}
	return tpm_sign(t, k, &s, digest, dn, c->out);
}

void tpm_verified_mac(struct tpm *t, uint32_t hierarchy, const uint8_t *digest, size_t dn,
		      const uint8_t *name, size_t name_n, uint8_t *mac)
{
	struct tpm_hmac_ctx m;
	uint8_t tag[2];

	tpm_be16(tag, TPM_ST_VERIFIED);
	(void)tpm_hmac_start(&m, TPM_TICKET_HMAC_ALG, tpm_hierarchy_proof(t, hierarchy),
			     TPM_SEED_SIZE);
	tpm_hmac_update(&m, tag, 2);
	tpm_hmac_update(&m, digest, dn);
	tpm_hmac_update(&m, name, name_n);
	tpm_hmac_finish(&m, mac);
}

TPM_HANDLER(VerifySignature)
{
	struct tpm *t = c->t;
	const struct tpm_key *k;
	struct tpm_signature *sig = (struct tpm_signature *)(void *)t->scratch;
	uint8_t digest[TPM_MAX_DIGEST];
	uint16_t dn = 0;
	tpm_rc rc = tpm_get_2b(&c->in, digest, sizeof(digest), &dn);

	_Static_assert(sizeof(struct tpm_signature) <= sizeof(t->scratch), "fits the scratch");
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_signature(&c->in, sig);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	k = signing_key(t, c->h[0]);
	/* an HMAC needs the key itself, which a public-only object lacks */
	if (k == NULL || (k->public_only && k->pub.type == TPM_ALG_KEYEDHASH))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	rc = tpm_verify(k, sig, digest, dn);
	if (rc == TPM_RC_MEMORY)
		return rc;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	/* TPMT_TK_VERIFIED: HMAC(proof, TPM_ST_VERIFIED || digest || keyName) (Part 2, 10.7.4) */
	tpm_put_u16(c->out, TPM_ST_VERIFIED);
	if (k->hierarchy == TPM_RH_NULL) {
		tpm_put_u32(c->out, TPM_RH_NULL);
		tpm_put_u16(c->out, 0);
	} else {
		uint8_t mac[TPM_MAX_DIGEST];

		tpm_verified_mac(t, k->hierarchy, digest, dn, k->name, k->name_size, mac);
		tpm_put_u32(c->out, k->hierarchy);
		tpm_put_2b(c->out, mac, tpm_hash_size(TPM_TICKET_HMAC_ALG));
	}
	return TPM_RC_SUCCESS;
}
