// SPDX-License-Identifier: MIT
/*
 * Secrets sent to the TPM encrypted to one of its keys (TCG Part 1, 24 "Secret sharing"): the
 * salt of StartAuthSession, and later credential and import seeds.
 *
 *   RSA  seed = RSAES-OAEP-Decrypt(key, in), hash = the key's nameAlg, label = label || 0
 *   ECC  in = TPMS_ECC_POINT Qe; Z = (d Qe).x; seed = KDFe(nameAlg, Z, label, Qe.x, Qkey.x,
 *        nameAlg digest bits)
 *
 * Both answer a seed of the key's nameAlg digest size. The RSA private key is rebuilt from the
 * public modulus and the stored prime p (q = n / p).
 */
#include <lib/string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include "ecc_p256.h"
#include "object.h"
#include "p256.h"

#define CHK(call)                     \
	do {                          \
		err = (call);         \
		if (err != 0)         \
			goto cleanup; \
	} while (0)

static int rng(void *ctx, unsigned char *out, size_t n)
{
	return tpm_random(ctx, out, n) ? 0 : MBEDTLS_ERR_RSA_RNG_FAILED;
}

static tpm_rc mem_or(int err, tpm_rc other)
{
	if (err == MBEDTLS_ERR_MPI_ALLOC_FAILED || err == MBEDTLS_ERR_ECP_ALLOC_FAILED)
		return TPM_RC_MEMORY;
	return other;
}

int tpm_rsa_private(const struct tpm_key *k, mbedtls_rsa_context *rsa)
{
	mbedtls_mpi n, p, q, e, r;
	uint32_t ev = k->pub.exponent != 0 ? k->pub.exponent : 65537u;
	int err = 0;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&q);
	mbedtls_mpi_init(&e);
	mbedtls_mpi_init(&r);
	CHK(mbedtls_mpi_read_binary(&n, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_read_binary(&p, k->sens, k->sens_size));
	CHK(mbedtls_mpi_lset(&e, (mbedtls_mpi_sint)ev));
	CHK(mbedtls_mpi_div_mpi(&q, &r, &n, &p));
	if (mbedtls_mpi_cmp_int(&r, 0) != 0) {
		err = MBEDTLS_ERR_RSA_KEY_CHECK_FAILED; /* Load checked the binding: a bug */
		goto cleanup;
	}
	CHK(mbedtls_rsa_import(rsa, &n, &p, &q, NULL, &e));
	CHK(mbedtls_rsa_complete(rsa));
cleanup:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&q);
	mbedtls_mpi_free(&p);
	mbedtls_mpi_free(&n);
	return err;
}

static tpm_rc rsa_secret(struct tpm *t, const struct tpm_key *k, const char *label,
			 const uint8_t *in, uint16_t in_size, uint8_t *seed, uint16_t *seed_size)
{
	mbedtls_rsa_context rsa;
	mbedtls_md_type_t md = k->pub.name_alg == TPM_ALG_SHA1	   ? MBEDTLS_MD_SHA1
			       : k->pub.name_alg == TPM_ALG_SHA384 ? MBEDTLS_MD_SHA384
			       : k->pub.name_alg == TPM_ALG_SHA512 ? MBEDTLS_MD_SHA512
								   : MBEDTLS_MD_SHA256;
	uint8_t out[TPM_MAX_RSA_BYTES];
	size_t olen = 0;
	tpm_rc rc = TPM_RC_VALUE;
	int err;

	if (in_size != k->pub.unique_size)
		return TPM_RC_VALUE;
	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, md);
	err = tpm_rsa_private(k, &rsa);
	if (err == 0)
		err = mbedtls_rsa_rsaes_oaep_decrypt(
			&rsa, rng, t, MBEDTLS_RSA_PRIVATE, (const unsigned char *)label,
			strlen(label) + 1, &olen, in, out, sizeof(out));
	if (err == 0 && olen == tpm_hash_size(k->pub.name_alg)) {
		memcpy(seed, out, olen);
		*seed_size = (uint16_t)olen;
		rc = TPM_RC_SUCCESS;
	} else if (err != 0) {
		rc = mem_or(err, TPM_RC_VALUE);
	}
	tpm_wipe(out, sizeof(out));
	mbedtls_rsa_free(&rsa);
	return rc;
}

static tpm_rc ecc_secret(struct tpm *t, const struct tpm_key *k, const char *label,
			 const uint8_t *in, uint16_t in_size, uint8_t *seed, uint16_t *seed_size)
{
	struct tpm_rd r = tpm_rd_init(in, in_size);
	size_t csize = k->pub.curve == TPM_ECC_NIST_P256 ? 32u : 48u;
	uint8_t x[TPM_MAX_ECC_BYTES], y[TPM_MAX_ECC_BYTES], z[TPM_MAX_ECC_BYTES];
	uint16_t xn = 0, yn = 0;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point qe, zp;
	mbedtls_mpi d;
	tpm_rc rc = TPM_RC_ECC_POINT;
	int err = 0;

	/* TPMS_ECC_POINT, nothing after it */
	if (tpm_get_2b(&r, x, sizeof(x), &xn) != TPM_RC_SUCCESS ||
	    tpm_get_2b(&r, y, sizeof(y), &yn) != TPM_RC_SUCCESS || !tpm_rd_done(&r) || xn == 0 ||
	    yn == 0)
		return TPM_RC_ECC_POINT;
	if (k->pub.curve == TPM_ECC_NIST_P256) {
		uint8_t px[32], py[32];

		/* ecc_p256.c: the same Z, without loading mbedTLS's group */
		if (!tpm_p256_fit(x, xn, px) || !tpm_p256_fit(y, yn, py))
			return TPM_RC_ECC_POINT;
		rc = tpm_p256_ecdh(k->sens, k->sens_size, px, py, z, NULL);
		if (rc == TPM_RC_SUCCESS) {
			*seed_size = (uint16_t)tpm_hash_size(k->pub.name_alg);
			if (!tpm_kdfe(k->pub.name_alg, z, 32, label, px, 32, k->pub.unique,
				      k->pub.unique_size, *seed_size * 8u, seed))
				rc = TPM_RC_ECC_POINT;
		}
		tpm_wipe(z, sizeof(z));
		return rc == TPM_RC_FAILURE ? TPM_RC_ECC_POINT : rc;
	}
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&qe);
	mbedtls_ecp_point_init(&zp);
	mbedtls_mpi_init(&d);
	CHK(mbedtls_ecp_group_load(&grp, k->pub.curve == TPM_ECC_NIST_P256
						 ? MBEDTLS_ECP_DP_SECP256R1
						 : MBEDTLS_ECP_DP_SECP384R1));
	CHK(mbedtls_mpi_read_binary(&qe.X, x, xn));
	CHK(mbedtls_mpi_read_binary(&qe.Y, y, yn));
	CHK(mbedtls_mpi_lset(&qe.Z, 1));
	/* A point off the curve would leak d through an invalid-curve attack. */
	if (mbedtls_ecp_check_pubkey(&grp, &qe) != 0)
		goto cleanup;
	CHK(mbedtls_mpi_read_binary(&d, k->sens, k->sens_size));
	CHK(mbedtls_ecp_mul(&grp, &zp, &d, &qe, rng, t));
	CHK(mbedtls_mpi_write_binary(&zp.X, z, csize));
	CHK(mbedtls_mpi_write_binary(&qe.X, x, csize));
	*seed_size = (uint16_t)tpm_hash_size(k->pub.name_alg);
	if (!tpm_kdfe(k->pub.name_alg, z, csize, label, x, csize, k->pub.unique, k->pub.unique_size,
		      *seed_size * 8u, seed))
		goto cleanup;
	rc = TPM_RC_SUCCESS;
cleanup:
	if (err != 0)
		rc = mem_or(err, TPM_RC_ECC_POINT);
	tpm_wipe(z, sizeof(z));
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&zp);
	mbedtls_ecp_point_free(&qe);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

tpm_rc tpm_secret_decrypt(struct tpm *t, const struct tpm_key *k, const char *label,
			  const uint8_t *in, uint16_t in_size, uint8_t *seed, uint16_t *seed_size)
{
	if (k->pub.type == TPM_ALG_RSA)
		return rsa_secret(t, k, label, in, in_size, seed, seed_size);
	if (k->pub.type == TPM_ALG_ECC)
		return ecc_secret(t, k, label, in, in_size, seed, seed_size);
	return TPM_RC_KEY;
}

/* ---- the other direction: a seed encrypted to a key (MakeCredential) ---------------------- */

static tpm_rc rsa_encrypt_seed(struct tpm *t, const struct tpm_key *k, const char *label,
			       const uint8_t *seed, uint16_t seed_size, struct tpm_wr *w)
{
	mbedtls_rsa_context rsa;
	mbedtls_mpi n, e;
	uint8_t out[TPM_MAX_RSA_BYTES];
	int err = 0;

	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21,
			 k->pub.name_alg == TPM_ALG_SHA1     ? MBEDTLS_MD_SHA1
			 : k->pub.name_alg == TPM_ALG_SHA384 ? MBEDTLS_MD_SHA384
			 : k->pub.name_alg == TPM_ALG_SHA512 ? MBEDTLS_MD_SHA512
							     : MBEDTLS_MD_SHA256);
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	CHK(mbedtls_mpi_read_binary(&n, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_lset(&e, k->pub.exponent != 0 ? (mbedtls_mpi_sint)k->pub.exponent : 65537));
	CHK(mbedtls_rsa_import(&rsa, &n, NULL, NULL, NULL, &e));
	CHK(mbedtls_rsa_complete(&rsa));
	CHK(mbedtls_rsa_rsaes_oaep_encrypt(&rsa, rng, t, MBEDTLS_RSA_PUBLIC,
					   (const unsigned char *)label, strlen(label) + 1,
					   seed_size, seed, out));
	tpm_put_2b(w, out, k->pub.unique_size);
cleanup:
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&n);
	mbedtls_rsa_free(&rsa);
	return err != 0 ? mem_or(err, TPM_RC_KEY) : TPM_RC_SUCCESS;
}

/* ecc_encrypt_seed on P-256 through ecc_p256.c: the same seed and point, no mbedTLS group. */
static tpm_rc p256_encrypt_seed(struct tpm *t, const struct tpm_key *k, const char *label,
				uint8_t *seed, uint16_t *seed_size, struct tpm_wr *w)
{
	uint8_t qx[32], qy[32], de[32], ex[32], ey[32], z[32];
	size_t mark;
	tpm_rc rc;

	if (!tpm_p256_fit(k->pub.unique, k->pub.unique_size, qx) ||
	    !tpm_p256_fit(k->pub.unique_y, k->pub.unique_y_size, qy) || p256_on_curve(qx, qy) != 0)
		return TPM_RC_KEY;
	/* an ephemeral key: Z = de Q, seed = KDFe(nameAlg, Z.x, label, Qe.x, Q.x) */
	rc = tpm_p256_keygen(t, de, ex, ey);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_p256_ecdh(de, sizeof(de), qx, qy, z, NULL);
	tpm_wipe(de, sizeof(de));
	if (rc != TPM_RC_SUCCESS) {
		tpm_wipe(z, sizeof(z));
		return rc == TPM_RC_ECC_POINT ? TPM_RC_KEY : rc;
	}
	*seed_size = (uint16_t)tpm_hash_size(k->pub.name_alg);
	rc = tpm_kdfe(k->pub.name_alg, z, 32, label, ex, 32, k->pub.unique, k->pub.unique_size,
		      *seed_size * 8u, seed)
		     ? TPM_RC_SUCCESS
		     : TPM_RC_KEY;
	tpm_wipe(z, sizeof(z));
	if (rc != TPM_RC_SUCCESS)
		return rc;
	mark = tpm_put_size16_begin(w); /* TPM2B_ENCRYPTED_SECRET of a TPMS_ECC_POINT */
	tpm_put_2b(w, ex, 32);
	tpm_put_2b(w, ey, 32);
	tpm_put_size16_end(w, mark);
	return TPM_RC_SUCCESS;
}

static tpm_rc ecc_encrypt_seed(struct tpm *t, const struct tpm_key *k, const char *label,
			       uint8_t *seed, uint16_t *seed_size, struct tpm_wr *w)
{
	size_t csize = k->pub.curve == TPM_ECC_NIST_P256 ? 32u : 48u;
	uint8_t x[TPM_MAX_ECC_BYTES], y[TPM_MAX_ECC_BYTES], z[TPM_MAX_ECC_BYTES];
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q, qe, zp;
	mbedtls_mpi d;
	size_t mark;
	tpm_rc rc = TPM_RC_KEY;
	int err = 0;

	if (k->pub.curve == TPM_ECC_NIST_P256)
		return p256_encrypt_seed(t, k, label, seed, seed_size, w);
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&qe);
	mbedtls_ecp_point_init(&zp);
	mbedtls_mpi_init(&d);
	CHK(mbedtls_ecp_group_load(&grp, k->pub.curve == TPM_ECC_NIST_P256
						 ? MBEDTLS_ECP_DP_SECP256R1
						 : MBEDTLS_ECP_DP_SECP384R1));
	CHK(mbedtls_mpi_read_binary(&q.X, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_read_binary(&q.Y, k->pub.unique_y, k->pub.unique_y_size));
	CHK(mbedtls_mpi_lset(&q.Z, 1));
	if (mbedtls_ecp_check_pubkey(&grp, &q) != 0)
		goto cleanup;
	/* an ephemeral key: Z = de Q, seed = KDFe(nameAlg, Z.x, label, Qe.x, Q.x) */
	CHK(mbedtls_ecp_gen_keypair(&grp, &d, &qe, rng, t));
	CHK(mbedtls_ecp_mul(&grp, &zp, &d, &q, rng, t));
	CHK(mbedtls_mpi_write_binary(&zp.X, z, csize));
	CHK(mbedtls_mpi_write_binary(&qe.X, x, csize));
	CHK(mbedtls_mpi_write_binary(&qe.Y, y, csize));
	*seed_size = (uint16_t)tpm_hash_size(k->pub.name_alg);
	if (!tpm_kdfe(k->pub.name_alg, z, csize, label, x, csize, k->pub.unique, k->pub.unique_size,
		      *seed_size * 8u, seed))
		goto cleanup;
	mark = tpm_put_size16_begin(w); /* TPM2B_ENCRYPTED_SECRET of a TPMS_ECC_POINT */
	tpm_put_2b(w, x, csize);
	tpm_put_2b(w, y, csize);
	tpm_put_size16_end(w, mark);
	rc = TPM_RC_SUCCESS;
cleanup:
	if (err != 0)
		rc = mem_or(err, TPM_RC_KEY);
	tpm_wipe(z, sizeof(z));
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&zp);
	mbedtls_ecp_point_free(&qe);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	return rc;
}

tpm_rc tpm_secret_encrypt(struct tpm *t, const struct tpm_key *k, const char *label, uint8_t *seed,
			  uint16_t *seed_size, struct tpm_wr *w)
{
	if (k->pub.type == TPM_ALG_RSA) {
		*seed_size = (uint16_t)tpm_hash_size(k->pub.name_alg);
		if (!tpm_random(t, seed, *seed_size))
			return TPM_RC_FAILURE;
		return rsa_encrypt_seed(t, k, label, seed, *seed_size, w);
	}
	if (k->pub.type == TPM_ALG_ECC)
		return ecc_encrypt_seed(t, k, label, seed, seed_size, w);
	return TPM_RC_KEY;
}
