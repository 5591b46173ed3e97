// SPDX-License-Identifier: MIT
/*
 * Signatures (TCG Part 1, "Signing"; Part 2, 11.2-11.3 TPMT_SIG_SCHEME, TPMT_SIGNATURE):
 * RSASSA-PKCS1-v1_5 and RSASSA-PSS (salt: the hash size, as the reference; verification takes
 * any salt length), ECDSA on P-256/P-384 (k from the DRBG), and HMAC with KEYEDHASH signing
 * keys. Signing resolves the scheme the spec's way (the key's unless NULL, then the caller's).
 */
#include <lib/string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/rsa.h>

#include "ecc_p256.h"
#include "object.h"
#include "sign.h"

#define CHK(call)                     \
	do {                          \
		err = (call);         \
		if (err != 0)         \
			goto cleanup; \
	} while (0)

static int rng(void *ctx, unsigned char *out, size_t n)
{
	return tpm_random(ctx, out, n) ? 0 : MBEDTLS_ERR_ECP_RANDOM_FAILED;
}

static mbedtls_md_type_t md_of(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return MBEDTLS_MD_SHA1;
	case TPM_ALG_SHA384:
		return MBEDTLS_MD_SHA384;
	case TPM_ALG_SHA512:
		return MBEDTLS_MD_SHA512;
	default:
		return MBEDTLS_MD_SHA256;
	}
}

static tpm_rc mbed_rc(int err, tpm_rc other)
{
	if (err == MBEDTLS_ERR_MPI_ALLOC_FAILED || err == MBEDTLS_ERR_ECP_ALLOC_FAILED)
		return TPM_RC_MEMORY;
	return other;
}

tpm_rc tpm_get_ticket(struct tpm_rd *r, uint16_t tag_a, uint16_t tag_b, uint16_t *tag,
		      uint32_t *hier, uint8_t *d, uint16_t *n)
{
	tpm_rc rc = tpm_get_u16(r, tag);

	if (rc == TPM_RC_SUCCESS && *tag != tag_a && *tag != tag_b)
		return TPM_RC_TAG;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_u32(r, hier);
	if (rc == TPM_RC_SUCCESS && *hier != TPM_RH_OWNER && *hier != TPM_RH_ENDORSEMENT &&
	    *hier != TPM_RH_PLATFORM && *hier != TPM_RH_NULL)
		return TPM_RC_VALUE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_2b(r, d, TPM_MAX_DIGEST, n);
	return rc;
}

tpm_rc tpm_get_sig_scheme(struct tpm_rd *r, struct tpm_scheme *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->scheme);

	s->hash = 0;
	if (rc != TPM_RC_SUCCESS || s->scheme == TPM_ALG_NULL)
		return rc;
	if (s->scheme != TPM_ALG_RSASSA && s->scheme != TPM_ALG_RSAPSS &&
	    s->scheme != TPM_ALG_ECDSA && s->scheme != TPM_ALG_HMAC)
		return TPM_RC_SCHEME;
	rc = tpm_get_u16(r, &s->hash);
	if (rc == TPM_RC_SUCCESS && tpm_hash_size(s->hash) == 0)
		rc = TPM_RC_HASH;
	return rc;
}

/* Is scheme s one that keys of k's type sign with? */
static bool scheme_fits(const struct tpm_key *k, uint16_t s)
{
	switch (k->pub.type) {
	case TPM_ALG_RSA:
		return s == TPM_ALG_RSASSA || s == TPM_ALG_RSAPSS;
	case TPM_ALG_ECC:
		return s == TPM_ALG_ECDSA;
	case TPM_ALG_KEYEDHASH:
		return s == TPM_ALG_HMAC;
	default:
		return false;
	}
}

tpm_rc tpm_sign_scheme(const struct tpm_key *k, const struct tpm_scheme *in, struct tpm_scheme *out)
{
	if (k->pub.scheme.scheme != TPM_ALG_NULL) {
		/* The key decides; the caller may only repeat it. */
		if (in->scheme != TPM_ALG_NULL &&
		    (in->scheme != k->pub.scheme.scheme || in->hash != k->pub.scheme.hash))
			return TPM_RC_SCHEME;
		*out = k->pub.scheme;
	} else {
		if (in->scheme == TPM_ALG_NULL)
			return TPM_RC_SCHEME;
		*out = *in;
	}
	return scheme_fits(k, out->scheme) ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
}

static tpm_rc sign_rsa(struct tpm *t, const struct tpm_key *k, const struct tpm_scheme *s,
		       const uint8_t *digest, unsigned dlen, struct tpm_wr *w)
{
	mbedtls_rsa_context rsa;
	uint8_t sig[TPM_MAX_RSA_BYTES];
	size_t n = k->pub.unique_size;
	int err;

	mbedtls_rsa_init(&rsa,
			 s->scheme == TPM_ALG_RSAPSS ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15,
			 md_of(s->hash));
	err = tpm_rsa_private(k, &rsa);
	if (err == 0 && s->scheme == TPM_ALG_RSAPSS)
		err = mbedtls_rsa_rsassa_pss_sign(&rsa, rng, t, MBEDTLS_RSA_PRIVATE, md_of(s->hash),
						  dlen, digest, sig);
	else if (err == 0)
		err = mbedtls_rsa_rsassa_pkcs1_v15_sign(&rsa, rng, t, MBEDTLS_RSA_PRIVATE,
							md_of(s->hash), dlen, digest, sig);
	mbedtls_rsa_free(&rsa);
	if (err != 0) {
		tpm_wipe(sig, sizeof(sig));
		return mbed_rc(err, TPM_RC_FAILURE);
	}
	tpm_put_u16(w, s->scheme);
	tpm_put_u16(w, s->hash);
	tpm_put_2b(w, sig, n);
	return TPM_RC_SUCCESS;
}

static mbedtls_ecp_group_id group_of(const struct tpm_key *k)
{
	return k->pub.curve == TPM_ECC_NIST_P256 ? MBEDTLS_ECP_DP_SECP256R1
						 : MBEDTLS_ECP_DP_SECP384R1;
}

static tpm_rc sign_ecdsa(struct tpm *t, const struct tpm_key *k, const struct tpm_scheme *s,
			 const uint8_t *digest, unsigned dlen, struct tpm_wr *w)
{
	size_t csize = k->pub.curve == TPM_ECC_NIST_P256 ? 32u : 48u;
	mbedtls_ecp_group grp;
	mbedtls_mpi d, r, sv;
	uint8_t rb[TPM_MAX_ECC_BYTES], sb[TPM_MAX_ECC_BYTES];
	int err = 0;

	if (k->pub.curve == TPM_ECC_NIST_P256 && k->sens_size <= 32) {
		uint8_t priv[32] = {0};
		tpm_rc rc;

		/* ecc_p256.c: several times faster than mbedTLS's P-256 */
		memcpy(priv + 32 - k->sens_size, k->sens, k->sens_size);
		rc = tpm_p256_sign(t, priv, digest, dlen, rb, sb);
		tpm_wipe(priv, sizeof(priv));
		if (rc != TPM_RC_SUCCESS)
			return rc;
		tpm_put_u16(w, s->scheme);
		tpm_put_u16(w, s->hash);
		tpm_put_2b(w, rb, 32);
		tpm_put_2b(w, sb, 32);
		return TPM_RC_SUCCESS;
	}
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&sv);
	CHK(mbedtls_ecp_group_load(&grp, group_of(k)));
	CHK(mbedtls_mpi_read_binary(&d, k->sens, k->sens_size));
	/* mbedTLS truncates a digest longer than the order, as ECDSA requires */
	CHK(mbedtls_ecdsa_sign(&grp, &r, &sv, &d, digest, dlen, rng, t));
	CHK(mbedtls_mpi_write_binary(&r, rb, csize));
	CHK(mbedtls_mpi_write_binary(&sv, sb, csize));
	tpm_put_u16(w, s->scheme);
	tpm_put_u16(w, s->hash);
	tpm_put_2b(w, rb, csize);
	tpm_put_2b(w, sb, csize);
cleanup:
	mbedtls_mpi_free(&sv);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_group_free(&grp);
	return err != 0 ? mbed_rc(err, TPM_RC_FAILURE) : TPM_RC_SUCCESS;
}

static void hmac_sig(const struct tpm_key *k, uint16_t hash, const uint8_t *digest, unsigned dlen,
		     uint8_t *out)
{
	struct tpm_hmac_ctx m;

	(void)tpm_hmac_start(&m, hash, k->sens, k->sens_size);
	tpm_hmac_update(&m, digest, dlen);
	tpm_hmac_finish(&m, out);
}

tpm_rc tpm_sign(struct tpm *t, const struct tpm_key *k, const struct tpm_scheme *s,
		const uint8_t *digest, unsigned dlen, struct tpm_wr *w)
{
	uint8_t mac[TPM_MAX_DIGEST];
	tpm_rc rc;

	switch (s->scheme) {
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
		rc = sign_rsa(t, k, s, digest, dlen, w);
		break;
	case TPM_ALG_ECDSA:
		rc = sign_ecdsa(t, k, s, digest, dlen, w);
		break;
	case TPM_ALG_HMAC:
		hmac_sig(k, s->hash, digest, dlen, mac);
		tpm_put_u16(w, TPM_ALG_HMAC);
		tpm_put_u16(w, s->hash);
		tpm_put_bytes(w, mac, tpm_hash_size(s->hash));
		rc = TPM_RC_SUCCESS;
		break;
	default:
		rc = TPM_RC_SCHEME;
		break;
	}
	if (rc == TPM_RC_FAILURE && !t->failure_mode)
		tpm_fail(t, "signing failed");
	return rc;
}

/* ---- verification ---------------------------------------------------------------------- */

static tpm_rc verify_rsa(const struct tpm_key *k, uint16_t scheme, uint16_t hash,
			 const uint8_t *digest, unsigned dlen, const uint8_t *sig, uint16_t n)
{
	mbedtls_rsa_context rsa;
	mbedtls_mpi mn, e;
	int err = 0;
	tpm_rc rc = TPM_RC_SIGNATURE;

	if (n != k->pub.unique_size)
		return TPM_RC_SIGNATURE;
	mbedtls_rsa_init(&rsa,
			 scheme == TPM_ALG_RSAPSS ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15,
			 md_of(hash));
	mbedtls_mpi_init(&mn);
	mbedtls_mpi_init(&e);
	CHK(mbedtls_mpi_read_binary(&mn, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_lset(&e, k->pub.exponent != 0 ? (mbedtls_mpi_sint)k->pub.exponent : 65537));
	CHK(mbedtls_rsa_import(&rsa, &mn, NULL, NULL, NULL, &e));
	CHK(mbedtls_rsa_complete(&rsa));
	if (scheme == TPM_ALG_RSAPSS)
		err = mbedtls_rsa_rsassa_pss_verify_ext(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
							md_of(hash), dlen, digest, md_of(hash),
							MBEDTLS_RSA_SALT_LEN_ANY, sig);
	else
		err = mbedtls_rsa_rsassa_pkcs1_v15_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
							  md_of(hash), dlen, digest, sig);
	if (err == 0)
		rc = TPM_RC_SUCCESS;
cleanup:
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&mn);
	mbedtls_rsa_free(&rsa);
	return mbed_rc(err, rc);
}

static tpm_rc verify_ecdsa(const struct tpm_key *k, const uint8_t *digest, unsigned dlen,
			   const uint8_t *rb, uint16_t rn, const uint8_t *sb, uint16_t sn)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi r, s;
	int err = 0;
	tpm_rc rc = TPM_RC_SIGNATURE;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	CHK(mbedtls_ecp_group_load(&grp, group_of(k)));
	CHK(mbedtls_mpi_read_binary(&q.X, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_read_binary(&q.Y, k->pub.unique_y, k->pub.unique_y_size));
	CHK(mbedtls_mpi_lset(&q.Z, 1));
	CHK(mbedtls_mpi_read_binary(&r, rb, rn));
	CHK(mbedtls_mpi_read_binary(&s, sb, sn));
	/* A public area loaded from outside may hold a point off the curve: refuse, not crash. */
	if (mbedtls_ecp_check_pubkey(&grp, &q) != 0)
		goto cleanup;
	if (mbedtls_ecdsa_verify(&grp, digest, dlen, &q, &r, &s) == 0)
		rc = TPM_RC_SUCCESS;
cleanup:
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return mbed_rc(err, rc);
}

tpm_rc tpm_get_signature(struct tpm_rd *r, struct tpm_signature *sig)
{
	tpm_rc rc;

	memset(sig, 0, sizeof(*sig));
	rc = tpm_get_u16(r, &sig->alg);
	if (rc != TPM_RC_SUCCESS || sig->alg == TPM_ALG_NULL)
		return rc;
	if (sig->alg != TPM_ALG_RSASSA && sig->alg != TPM_ALG_RSAPSS && sig->alg != TPM_ALG_ECDSA &&
	    sig->alg != TPM_ALG_HMAC)
		return TPM_RC_SCHEME;
	rc = tpm_get_u16(r, &sig->hash);
	if (rc == TPM_RC_SUCCESS && tpm_hash_size(sig->hash) == 0)
		rc = TPM_RC_HASH;
	if (rc != TPM_RC_SUCCESS)
		return rc;
	switch (sig->alg) {
	case TPM_ALG_HMAC:
		sig->a_size = (uint16_t)tpm_hash_size(sig->hash);
		return tpm_get_bytes(r, sig->a, sig->a_size);
	case TPM_ALG_ECDSA:
		rc = tpm_get_2b(r, sig->a, TPM_MAX_ECC_BYTES, &sig->a_size);
		if (rc == TPM_RC_SUCCESS)
			rc = tpm_get_2b(r, sig->b, TPM_MAX_ECC_BYTES, &sig->b_size);
		return rc;
	default:
		return tpm_get_2b(r, sig->a, TPM_MAX_RSA_BYTES, &sig->a_size);
	}
}

tpm_rc tpm_verify(const struct tpm_key *k, const struct tpm_signature *sig, const uint8_t *digest,
		  unsigned dlen)
{
	if (!scheme_fits(k, sig->alg))
		return TPM_RC_SCHEME;
	switch (sig->alg) {
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
		return verify_rsa(k, sig->alg, sig->hash, digest, dlen, sig->a, sig->a_size);
	case TPM_ALG_ECDSA:
		return verify_ecdsa(k, digest, dlen, sig->a, sig->a_size, sig->b, sig->b_size);
	default: {
		uint8_t mac[TPM_MAX_DIGEST];

		/* a key with a scheme verifies only with it: no weaker hash (the reference's
		 * CryptHMACVerifySignature) */
		if (k->pub.scheme.scheme != TPM_ALG_NULL &&
		    (k->pub.scheme.scheme != sig->alg || k->pub.scheme.hash != sig->hash))
			return TPM_RC_SIGNATURE;
		hmac_sig(k, sig->hash, digest, dlen, mac);
		return tpm_ct_equal(mac, sig->a, sig->a_size) ? TPM_RC_SUCCESS : TPM_RC_SIGNATURE;
	}
	}
}
