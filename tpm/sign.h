/* SPDX-License-Identifier: MIT */
/* Signing and verification (sign.c) and the commands that sign (cmd_sign.c, cmd_attest.c). */
#ifndef TPM_SIGN_H
#define TPM_SIGN_H

#include "internal.h"

/* TPMT_SIGNATURE (Part 2, 11.3.4), decoded: a = RSA signature, ECDSA r or HMAC; b = ECDSA s. */
struct tpm_signature {
	uint16_t alg; /* TPM_ALG_NULL, RSASSA, RSAPSS, ECDSA, HMAC */
	uint16_t hash;
	uint16_t a_size, b_size;
	uint8_t a[TPM_MAX_RSA_BYTES];
	uint8_t b[TPM_MAX_ECC_BYTES];
};

/*
 * A ticket (TPMT_TK_*, Part 2, 10.7): a tag that must be tag_a or tag_b (TPM_RC_TAG), a
 * TPMI_RH_HIERARCHY+ (TPM_RC_VALUE), a digest of at most TPM_MAX_DIGEST bytes; no numbers.
 */
tpm_rc tpm_get_ticket(struct tpm_rd *r, uint16_t tag_a, uint16_t tag_b, uint16_t *tag,
		      uint32_t *hier, uint8_t *d, uint16_t *n);
/* TPMT_SIG_SCHEME+: an unknown scheme is TPM_RC_SCHEME, its hash TPM_RC_HASH (no numbers). */
tpm_rc tpm_get_sig_scheme(struct tpm_rd *r, struct tpm_scheme *s);
/*
 * The scheme key k signs with given the caller's inScheme (Part 1, "Signing"): the key's unless
 * TPM_ALG_NULL, which the caller may only repeat; else the caller's. TPM_RC_SCHEME when they
 * disagree, both are NULL, or the scheme does not fit the key type.
 */
tpm_rc tpm_sign_scheme(const struct tpm_key *k, const struct tpm_scheme *in,
		       struct tpm_scheme *out);
/* Sign a digest of dlen bytes; writes the TPMT_SIGNATURE. TPM_RC_MEMORY, or TPM_RC_FAILURE. */
tpm_rc tpm_sign(struct tpm *t, const struct tpm_key *k, const struct tpm_scheme *s,
		const uint8_t *digest, unsigned dlen, struct tpm_wr *w);
/* TPMT_SIGNATURE: TPM_RC_SCHEME, TPM_RC_HASH, TPM_RC_SIZE/INSUFFICIENT (no numbers). */
tpm_rc tpm_get_signature(struct tpm_rd *r, struct tpm_signature *sig);
/* Does sig verify over the digest with k? TPM_RC_SIGNATURE, TPM_RC_SCHEME (wrong key type). */
tpm_rc tpm_verify(const struct tpm_key *k, const struct tpm_signature *sig, const uint8_t *digest,
		  unsigned dlen);
/* cmd_sign.c: TPMT_TK_VERIFIED's HMAC(proof, TPM_ST_VERIFIED || digest || keyName) (Part 2,
 * 10.7.4) with the hierarchy's proof (TPM_RH_NULL: the NULL proof). */
void tpm_verified_mac(struct tpm *t, uint32_t hierarchy, const uint8_t *digest, size_t dn,
		      const uint8_t *name, size_t name_n, uint8_t *mac);
/* cmd_hash.c: TPMT_TK_HASHCHECK's HMAC for (hierarchy, alg, digest); false for no proof. */
bool tpm_hashcheck_mac(struct tpm *t, uint32_t hierarchy, uint16_t alg, const uint8_t *digest,
		       uint8_t *mac);
/*
 * cmd_crypt.c: the hash an HMAC with key k uses, given the caller's hashAlg (HMAC, HMAC_Start;
 * libtpms's checks): the key must be an unrestricted signing KEYEDHASH (handle 1: TYPE,
 * ATTRIBUTES, KEY); its scheme's hash unless TPM_ALG_NULL, which the caller may only repeat,
 * else the caller's; neither, or a disagreement, is TPM_RC_VALUE on parameter 2.
 */
tpm_rc tpm_hmac_key_alg(const struct tpm_key *k, uint16_t alg, uint16_t *use);
/*
 * The hashAlg of HMAC and HMAC_Start: a hash the engine implements or TPM_ALG_NULL. Anything
 * else is TPM_RC_SYMMETRIC (no number), as TPMI_ALG_MAC_SCHEME (Part 2, 1.59, 9.35) reports it:
 * that type also admits symmetric ciphers (CMAC), which Copra does not offer.
 */
tpm_rc tpm_get_mac_alg(struct tpm_rd *r, uint16_t *alg);

#endif
