// SPDX-License-Identifier: MIT
/*
 * TPM2_MakeCredential and TPM2_ActivateCredential (TCG Part 3, 12.5-12.6; Part 1, 24 "Credential
 * protection"). A credential (at most a nameAlg digest) travels to the TPM that holds the
 * restricted decryption key (an EK) as
 *
 *   secret         = a seed encrypted to the key with label "IDENTITY" (secret.c)
 *   credentialBlob = outer wrap (object_codec's tpm_outer: the key's nameAlg and AES key size,
 *                    the seed, the Name of the object to activate) of TPM2B_DIGEST credential
 *
 * and ActivateCredential gives it back only for an object of that Name loaded on that TPM.
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"

/* An asymmetric restricted decryption key: what may protect or receive credentials. */
static const struct tpm_key *protector(struct tpm *t, uint32_t h)
{
	const struct tpm_key *k = tpm_object_key(t, h);
	uint32_t need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;

	if (k == NULL || (k->pub.type != TPM_ALG_RSA && k->pub.type != TPM_ALG_ECC) ||
	    (k->pub.attrs & need) != need || k->pub.sym.alg != TPM_ALG_AES)
		return NULL;
	return k;
}

static struct tpm_outer outer_of(const struct tpm_key *k, const uint8_t *seed, uint16_t n)
{
	struct tpm_outer o = {k->pub.name_alg, seed, n, k->pub.sym.bits};

	return o;
}

/* Handles: handle (no authorization). Parameters: credential, objectName. */
TPM_HANDLER(MakeCredential)
{
	struct tpm *t = c->t;
	const struct tpm_key *k;
	uint8_t cred[TPM_MAX_DIGEST], name[TPM_MAX_NAME], seed[TPM_MAX_DIGEST];
	uint8_t blob[2 + TPM_MAX_DIGEST + 2 + TPM_MAX_DIGEST];
	uint16_t cred_n = 0, name_n = 0, seed_n = 0;
	struct tpm_outer o;
	size_t mark;
	uint16_t dsize;
	tpm_rc rc = tpm_get_2b(&c->in, cred, sizeof(cred), &cred_n);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, name, sizeof(name), &name_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	k = protector(t, c->h[0]);
	if (k == NULL)
		return TPM_RCH(TPM_RC_TYPE, 1);
	dsize = (uint16_t)tpm_hash_size(k->pub.name_alg);
	if (cred_n > dsize)
		return TPM_RCP(TPM_RC_SIZE, 1);

	/* credentialBlob first (TPM2B_ID_OBJECT: integrity, then the encrypted credential),
	 * built aside because the secret comes with the seed it protects */
	mark = tpm_put_size16_begin(c->out);
	{
		struct tpm_wr sw = tpm_wr_init(t->scratch, 2 + TPM_MAX_RSA_BYTES + 4);

		rc = tpm_secret_encrypt(t, k, "IDENTITY", seed, &seed_n, &sw);
		if (rc != TPM_RC_SUCCESS) {
			tpm_wipe(seed, sizeof(seed));
			return rc == TPM_RC_KEY ? TPM_RCH(TPM_RC_TYPE, 1) : rc;
		}
		o = outer_of(k, seed, seed_n);
		tpm_be16(blob, dsize);
		tpm_be16(blob + 2 + dsize, cred_n);
		memcpy(blob + 4 + dsize, cred, cred_n);
		if (!tpm_outer_protect(&o, name, name_n, blob + 2, blob + 2 + dsize, 2u + cred_n)) {
			tpm_wipe(seed, sizeof(seed));
			tpm_fail(t, "MakeCredential: the outer wrap failed");
			return TPM_RC_FAILURE;
		}
		tpm_put_bytes(c->out, blob, 4u + dsize + cred_n);
		tpm_put_size16_end(c->out, mark);
		tpm_put_bytes(c->out, t->scratch, sw.len);
	}
	tpm_wipe(seed, sizeof(seed));
	tpm_wipe(blob, sizeof(blob));
	return TPM_RC_SUCCESS;
}

/*
 * Handles: activateHandle (ADMIN), keyHandle (USER). Parameters: credentialBlob, secret. The
 * secret's failures answer parameter 2, the blob's (TPM_RC_INTEGRITY first) parameter 1.
 */
TPM_HANDLER(ActivateCredential)
{
	struct tpm *t = c->t;
	const struct tpm_object *act = tpm_object_find(t, c->h[0]);
	const struct tpm_key *k;
	const uint8_t *blob = NULL, *secret = NULL;
	uint16_t blob_n = 0, secret_n = 0, seed_n = 0;
	uint8_t seed[TPM_MAX_DIGEST];
	uint8_t name[TPM_MAX_NAME];
	uint16_t name_n = 0;
	struct tpm_outer o;
	size_t n = 0;
	tpm_rc rc =
		tpm_get_2b_view(&c->in, 2u + TPM_MAX_DIGEST + 2u + TPM_MAX_DIGEST, &blob, &blob_n);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b_view(&c->in, 2u + TPM_MAX_RSA_BYTES, &secret, &secret_n);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	k = protector(t, c->h[1]);
	if (k == NULL)
		return TPM_RCH(TPM_RC_TYPE, 2);
	if (act == NULL || !tpm_entity_name(t, c->h[0], name, &name_n))
		return TPM_RCH(TPM_RC_HANDLE, 1);
	rc = tpm_secret_decrypt(t, k, "IDENTITY", secret, secret_n, seed, &seed_n);
	if (rc != TPM_RC_SUCCESS)
		return rc == TPM_RC_MEMORY ? rc : TPM_RCP(rc, 2);
	o = outer_of(k, seed, seed_n);
	rc = tpm_outer_open(&o, name, name_n, blob, blob_n, t->scratch, &n);
	tpm_wipe(seed, sizeof(seed));
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	/* the plaintext is a TPM2B_DIGEST of at most the key's nameAlg digest */
	if (n < 2 || tpm_ld16(t->scratch) != n - 2 || n - 2 > tpm_hash_size(k->pub.name_alg)) {
		tpm_wipe(t->scratch, n);
		return TPM_RCP(TPM_RC_SIZE, 1);
	}
	tpm_put_bytes(c->out, t->scratch, n);
	tpm_wipe(t->scratch, n);
	return TPM_RC_SUCCESS;
}
