// SPDX-License-Identifier: MIT
/*
 * Crypto with loaded keys (TCG Part 3, 14-15): RSA_Encrypt, RSA_Decrypt (RSAES-PKCS1-v1_5,
 * OAEP, or raw with a NULL scheme), ECDH_KeyGen, ECDH_ZGen, EncryptDecrypt and
 * EncryptDecrypt2 (AES in CFB, CBC, CTR, OFB, ECB) and HMAC. Checks follow the reference's
 * order; every decryption works on a copy and wipes it.
 */
#include <lib/string.h>

#include <mbedtls/aes.h>
#include <mbedtls/ecp.h>
#include <mbedtls/rsa.h>

#include "commands.h"
#include "ecc_p256.h"
#include "object.h"
#include "p256.h"
#include "sign.h"

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

static mbedtls_md_type_t md_of(uint16_t alg)
{
	return alg == TPM_ALG_SHA1     ? MBEDTLS_MD_SHA1
	       : alg == TPM_ALG_SHA384 ? MBEDTLS_MD_SHA384
	       : alg == TPM_ALG_SHA512 ? MBEDTLS_MD_SHA512
				       : MBEDTLS_MD_SHA256;
}

/* ---- RSA ----------------------------------------------------------------------------------- */

/* TPMT_RSA_DECRYPT (Part 2, 11.2.4.4): RSAES, OAEP with a hash, or NULL (TPM_RC_VALUE). */
static tpm_rc get_rsa_decrypt(struct tpm_rd *r, struct tpm_scheme *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->scheme);

	s->hash = 0;
	if (rc != TPM_RC_SUCCESS || s->scheme == TPM_ALG_NULL || s->scheme == TPM_ALG_RSAES)
		return rc;
	if (s->scheme != TPM_ALG_OAEP)
		return TPM_RC_VALUE;
	rc = tpm_get_u16(r, &s->hash);
	if (rc == TPM_RC_SUCCESS && tpm_hash_size(s->hash) == 0)
		rc = TPM_RC_HASH;
	return rc;
}

/* The key's scheme unless NULL (the caller may only repeat it), else the caller's; false when
 * they disagree or the key's is a signing scheme (the reference's CryptRsaSelectScheme). */
static bool rsa_select(const struct tpm_key *k, const struct tpm_scheme *in, struct tpm_scheme *out)
{
	const struct tpm_scheme *ks = &k->pub.scheme;

	if (ks->scheme == TPM_ALG_NULL) {
		*out = *in;
		return true;
	}
	if (ks->scheme != TPM_ALG_RSAES && ks->scheme != TPM_ALG_OAEP)
		return false;
	if (in->scheme != TPM_ALG_NULL && (in->scheme != ks->scheme || in->hash != ks->hash))
		return false;
	*out = *ks;
	return true;
}

/* A label is empty or ends with its terminating zero (the reference's IsLabelProperlyFormatted). */
static bool label_ok(const uint8_t *l, uint16_t n)
{
	return n == 0 || l[n - 1] == 0;
}

struct rsa_args {
	const uint8_t *in;
	uint16_t in_size;
	struct tpm_scheme scheme;
	uint8_t label[TPM_MAX_OUTSIDE_INFO];
	uint16_t label_size;
};

static tpm_rc get_rsa_args(struct tpm_cmd *c, struct rsa_args *a)
{
	tpm_rc rc = tpm_get_u16(&c->in, &a->in_size);

	if (rc == TPM_RC_SUCCESS && a->in_size > TPM_MAX_RSA_BYTES)
		rc = TPM_RC_SIZE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_view(&c->in, a->in_size, &a->in);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = get_rsa_decrypt(&c->in, &a->scheme);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b(&c->in, a->label, sizeof(a->label), &a->label_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	return tpm_params_done(c);
}

static tpm_rc rsa_public_ctx(const struct tpm_key *k, mbedtls_rsa_context *rsa)
{
	mbedtls_mpi n, e;
	int err = 0;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	CHK(mbedtls_mpi_read_binary(&n, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_lset(&e, k->pub.exponent != 0 ? (mbedtls_mpi_sint)k->pub.exponent : 65537));
	CHK(mbedtls_rsa_import(rsa, &n, NULL, NULL, NULL, &e));
	CHK(mbedtls_rsa_complete(rsa));
cleanup:
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&n);
	return mem_or(err, err != 0 ? TPM_RC_KEY : TPM_RC_SUCCESS);
}

_Static_assert(2u * TPM_MAX_RSA_BYTES <= TPM_MAX_COMMAND_SIZE, "RSA_Encrypt's scratch use fits");

/* Handles: keyHandle (no authorization). Parameters: message, inScheme, label. */
TPM_HANDLER(RSA_Encrypt)
{
	struct tpm *t = c->t;
	const struct tpm_key *k = tpm_object_key(t, c->h[0]);
	struct rsa_args a;
	struct tpm_scheme s;
	mbedtls_rsa_context rsa;
	uint8_t *out = t->scratch; /* the output, then the padded raw message: kernel frames */
	uint8_t *m = t->scratch + TPM_MAX_RSA_BYTES;
	size_t n;
	int err = 0;
	tpm_rc rc = get_rsa_args(c, &a);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (k == NULL || k->pub.type != TPM_ALG_RSA)
		return TPM_RCH(TPM_RC_KEY, 1);
	if (!(k->pub.attrs & TPMA_OBJECT_DECRYPT))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if (!label_ok(a.label, a.label_size))
		return TPM_RCP(TPM_RC_VALUE, 3);
	if (!rsa_select(k, &a.scheme, &s))
		return TPM_RCP(TPM_RC_SCHEME, 2);
	n = k->pub.unique_size;
	mbedtls_rsa_init(&rsa,
			 s.scheme == TPM_ALG_OAEP ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15,
			 md_of(s.hash));
	rc = rsa_public_ctx(k, &rsa);
	if (rc == TPM_RC_SUCCESS) {
		if (s.scheme == TPM_ALG_OAEP)
			err = mbedtls_rsa_rsaes_oaep_encrypt(&rsa, rng, t, MBEDTLS_RSA_PUBLIC,
							     a.label, a.label_size, a.in_size, a.in,
							     out);
		else if (s.scheme == TPM_ALG_RSAES)
			err = mbedtls_rsa_rsaes_pkcs1_v15_encrypt(&rsa, rng, t, MBEDTLS_RSA_PUBLIC,
								  a.in_size, a.in, out);
		else if (a.in_size > n)
			err = MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
		else {
			/* raw RSA: the message as a number below n, left-padded with zeros */
			memset(m, 0, n);
			memcpy(m + n - a.in_size, a.in, a.in_size);
			err = mbedtls_rsa_public(&rsa, m, out);
		}
		/* too long for the padding, or a raw number not below n */
		if (err != 0)
			rc = mem_or(err, TPM_RCP(TPM_RC_VALUE, 1));
	}
	mbedtls_rsa_free(&rsa);
	if (rc == TPM_RC_SUCCESS)
		tpm_put_2b(c->out, out, n);
	return rc;
}

/* Handles: keyHandle (USER). Parameters: cipherText, inScheme, label. */
TPM_HANDLER(RSA_Decrypt)
{
	struct tpm *t = c->t;
	const struct tpm_key *k = tpm_object_key(t, c->h[0]);
	struct rsa_args a;
	struct tpm_scheme s;
	mbedtls_rsa_context rsa;
	uint8_t *out = t->scratch;
	size_t n, olen = 0;
	int err;
	tpm_rc rc = get_rsa_args(c, &a);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (k == NULL || k->pub.type != TPM_ALG_RSA)
		return TPM_RCH(TPM_RC_KEY, 1);
	if (!(k->pub.attrs & TPMA_OBJECT_DECRYPT) || (k->pub.attrs & TPMA_OBJECT_RESTRICTED))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if (!label_ok(a.label, a.label_size))
		return TPM_RCP(TPM_RC_VALUE, 3);
	if (!rsa_select(k, &a.scheme, &s))
		return TPM_RCP(TPM_RC_SCHEME, 2);
	n = k->pub.unique_size;
	if (a.in_size != n)
		return TPM_RCP(TPM_RC_SIZE, 1);
	mbedtls_rsa_init(&rsa,
			 s.scheme == TPM_ALG_OAEP ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15,
			 md_of(s.hash));
	err = tpm_rsa_private(k, &rsa);
	if (err == 0) {
		if (s.scheme == TPM_ALG_OAEP)
			err = mbedtls_rsa_rsaes_oaep_decrypt(&rsa, rng, t, MBEDTLS_RSA_PRIVATE,
							     a.label, a.label_size, &olen, a.in,
							     out, TPM_MAX_RSA_BYTES);
		else if (s.scheme == TPM_ALG_RSAES)
			err = mbedtls_rsa_rsaes_pkcs1_v15_decrypt(&rsa, rng, t, MBEDTLS_RSA_PRIVATE,
								  &olen, a.in, out,
								  TPM_MAX_RSA_BYTES);
		else {
			err = mbedtls_rsa_private(&rsa, rng, t, a.in, out);
			olen = n;
		}
	}
	mbedtls_rsa_free(&rsa);
	if (err != 0)
		rc = mem_or(err, TPM_RCP(TPM_RC_VALUE, 1));
	else
		tpm_put_2b(c->out, out, olen);
	tpm_wipe(out, TPM_MAX_RSA_BYTES);
	return rc;
}

/* ---- ECDH ---------------------------------------------------------------------------------- */

static tpm_rc put_point(struct tpm_wr *w, const mbedtls_ecp_point *p, size_t csize)
{
	uint8_t x[TPM_MAX_ECC_BYTES], y[TPM_MAX_ECC_BYTES];
	size_t mark;

	if (mbedtls_mpi_write_binary(&p->X, x, csize) != 0 ||
	    mbedtls_mpi_write_binary(&p->Y, y, csize) != 0)
		return TPM_RC_FAILURE;
	mark = tpm_put_size16_begin(w);
	tpm_put_2b(w, x, csize);
	tpm_put_2b(w, y, csize);
	tpm_put_size16_end(w, mark);
	return TPM_RC_SUCCESS;
}

/* A TPM2B_ECC_POINT of two 32-byte coordinates (P-256). */
static void put_xy(struct tpm_wr *w, const uint8_t x[32], const uint8_t y[32])
{
	size_t mark = tpm_put_size16_begin(w);

	tpm_put_2b(w, x, 32);
	tpm_put_2b(w, y, 32);
	tpm_put_size16_end(w, mark);
}

/* ECDH_KeyGen on P-256 through ecc_p256.c. */
static tpm_rc p256_keygen(struct tpm *t, const struct tpm_key *k, struct tpm_wr *w)
{
	uint8_t qx[32], qy[32], de[32], ex[32], ey[32], zx[32], zy[32];
	tpm_rc rc;

	if (!tpm_p256_fit(k->pub.unique, k->pub.unique_size, qx) ||
	    !tpm_p256_fit(k->pub.unique_y, k->pub.unique_y_size, qy) || p256_on_curve(qx, qy) != 0)
		return TPM_RCH(TPM_RC_KEY,
			       1); /* a public area loaded from outside, off the curve */
	rc = tpm_p256_keygen(t, de, ex, ey);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_p256_ecdh(de, sizeof(de), qx, qy, zx, zy);
	tpm_wipe(de, sizeof(de));
	if (rc == TPM_RC_SUCCESS) {
		put_xy(w, zx, zy);
		put_xy(w, ex, ey);
	}
	tpm_wipe(zx, sizeof(zx));
	tpm_wipe(zy, sizeof(zy));
	return rc == TPM_RC_ECC_POINT ? TPM_RC_FAILURE : rc;
}

static mbedtls_ecp_group_id group_of(const struct tpm_key *k)
{
	return k->pub.curve == TPM_ECC_NIST_P256 ? MBEDTLS_ECP_DP_SECP256R1
						 : MBEDTLS_ECP_DP_SECP384R1;
}

/* Handles: keyHandle (no authorization). An ephemeral d_e: zPoint = d_e Q, pubPoint = d_e G. */
TPM_HANDLER(ECDH_KeyGen)
{
	struct tpm *t = c->t;
	const struct tpm_key *k = tpm_object_key(t, c->h[0]);
	size_t csize;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q, z, pub;
	mbedtls_mpi d;
	int err = 0;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (k == NULL || k->pub.type != TPM_ALG_ECC)
		return TPM_RCH(TPM_RC_KEY, 1);
	if (k->pub.curve == TPM_ECC_NIST_P256) {
		rc = p256_keygen(t, k, c->out);
		if (rc == TPM_RC_FAILURE)
			tpm_fail(t, "ECDH_KeyGen failed");
		return rc;
	}
	csize = 48u;
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&z);
	mbedtls_ecp_point_init(&pub);
	mbedtls_mpi_init(&d);
	CHK(mbedtls_ecp_group_load(&grp, group_of(k)));
	CHK(mbedtls_mpi_read_binary(&q.X, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_read_binary(&q.Y, k->pub.unique_y, k->pub.unique_y_size));
	CHK(mbedtls_mpi_lset(&q.Z, 1));
	if (mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
		rc = TPM_RCH(TPM_RC_KEY, 1); /* a public area loaded from outside, off the curve */
		goto cleanup;
	}
	CHK(mbedtls_ecp_gen_keypair(&grp, &d, &pub, rng, t));
	CHK(mbedtls_ecp_mul(&grp, &z, &d, &q, rng, t));
	rc = put_point(c->out, &z, csize);
	if (rc == TPM_RC_SUCCESS)
		rc = put_point(c->out, &pub, csize);
cleanup:
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&pub);
	mbedtls_ecp_point_free(&z);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	if (err != 0)
		rc = mem_or(err, TPM_RC_FAILURE);
	if (rc == TPM_RC_FAILURE)
		tpm_fail(t, "ECDH_KeyGen failed");
	return rc;
}

/* Handles: keyHandle (USER). Parameters: inPoint. outPoint = d inPoint. */
TPM_HANDLER(ECDH_ZGen)
{
	struct tpm *t = c->t;
	const struct tpm_key *k = tpm_object_key(t, c->h[0]);
	uint8_t x[TPM_MAX_ECC_BYTES], y[TPM_MAX_ECC_BYTES];
	uint16_t xn = 0, yn = 0, size = 0;
	size_t left;
	mbedtls_ecp_group grp;
	mbedtls_ecp_point p, z;
	mbedtls_mpi d;
	int err = 0;
	tpm_rc rc = tpm_get_u16(&c->in, &size);

	left = c->in.left;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_2b(&c->in, x, sizeof(x), &xn);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_2b(&c->in, y, sizeof(y), &yn);
	if (rc == TPM_RC_SUCCESS && left - c->in.left != size)
		rc = TPM_RC_SIZE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (k == NULL || k->pub.type != TPM_ALG_ECC)
		return TPM_RCH(TPM_RC_KEY, 1);
	if ((k->pub.attrs & TPMA_OBJECT_RESTRICTED) || !(k->pub.attrs & TPMA_OBJECT_DECRYPT))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if (k->pub.scheme.scheme != TPM_ALG_NULL && k->pub.scheme.scheme != TPM_ALG_ECDH)
		return TPM_RCH(TPM_RC_SCHEME, 1);
	if (k->pub.curve == TPM_ECC_NIST_P256) {
		uint8_t px[32], py[32], zx[32], zy[32];

		/* an invalid-curve point would leak the private key: p256_mul refuses it */
		if (xn == 0 || yn == 0 || !tpm_p256_fit(x, xn, px) || !tpm_p256_fit(y, yn, py))
			return TPM_RCP(TPM_RC_ECC_POINT, 1);
		rc = tpm_p256_ecdh(k->sens, k->sens_size, px, py, zx, zy);
		if (rc == TPM_RC_SUCCESS)
			put_xy(c->out, zx, zy);
		tpm_wipe(zx, sizeof(zx));
		tpm_wipe(zy, sizeof(zy));
		return rc == TPM_RC_SUCCESS ? rc : TPM_RCP(TPM_RC_ECC_POINT, 1);
	}
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&p);
	mbedtls_ecp_point_init(&z);
	mbedtls_mpi_init(&d);
	rc = TPM_RCP(TPM_RC_ECC_POINT, 1);
	CHK(mbedtls_ecp_group_load(&grp, group_of(k)));
	CHK(mbedtls_mpi_read_binary(&p.X, x, xn));
	CHK(mbedtls_mpi_read_binary(&p.Y, y, yn));
	CHK(mbedtls_mpi_lset(&p.Z, 1));
	/* an invalid-curve point would leak the private key */
	if (xn == 0 || yn == 0 || mbedtls_ecp_check_pubkey(&grp, &p) != 0)
		goto cleanup;
	CHK(mbedtls_mpi_read_binary(&d, k->sens, k->sens_size));
	CHK(mbedtls_ecp_mul(&grp, &z, &d, &p, rng, t));
	rc = put_point(c->out, &z, k->pub.curve == TPM_ECC_NIST_P256 ? 32u : 48u);
cleanup:
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&z);
	mbedtls_ecp_point_free(&p);
	mbedtls_ecp_group_free(&grp);
	if (err != 0)
		rc = mem_or(err, TPM_RCP(TPM_RC_ECC_POINT, 1));
	return rc;
}

/* ---- symmetric ----------------------------------------------------------------------------- */

struct sym_args {
	uint8_t decrypt;
	uint16_t mode;
	uint8_t iv[16];
	uint16_t iv_size;
	const uint8_t *data;
	uint16_t data_size;
};

/* The parameter numbers of EncryptDecrypt (1-4) and EncryptDecrypt2 (inData first). */
struct sym_params {
	unsigned decrypt, mode, iv, data;
};

static tpm_rc get_mode(struct tpm_rd *r, uint16_t *mode)
{
	tpm_rc rc = tpm_get_u16(r, mode);

	if (rc == TPM_RC_SUCCESS && *mode != TPM_ALG_NULL && *mode != TPM_ALG_CFB &&
	    *mode != TPM_ALG_CBC && *mode != TPM_ALG_CTR && *mode != TPM_ALG_OFB &&
	    *mode != TPM_ALG_ECB)
		rc = TPM_RC_MODE;
	return rc;
}

static tpm_rc get_data(struct tpm_rd *r, const uint8_t **p, uint16_t *n)
{
	return tpm_get_2b_view(r, TPM_MAX_DIGEST_BUFFER, p, n);
}

static tpm_rc crypt_sym(struct tpm_cmd *c, const struct sym_args *a, const struct sym_params *pn)
{
	struct tpm *t = c->t;
	const struct tpm_key *k = tpm_object_key(t, c->h[0]);
	uint16_t mode;
	uint8_t iv[16];
	uint8_t *out = t->scratch;
	mbedtls_aes_context aes;
	size_t off = 0;
	uint8_t stream[16];
	int err;

	if (k == NULL || k->pub.type != TPM_ALG_SYMCIPHER)
		return TPM_RCH(TPM_RC_KEY, 1);
	if ((k->pub.attrs & TPMA_OBJECT_RESTRICTED) ||
	    !(k->pub.attrs & (a->decrypt ? TPMA_OBJECT_DECRYPT : TPMA_OBJECT_SIGN_ENCRYPT)))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	mode = k->pub.sym.mode;
	if (mode == TPM_ALG_NULL)
		mode = a->mode;
	else if (a->mode != TPM_ALG_NULL && a->mode != mode)
		return TPM_RCP(TPM_RC_MODE, pn->mode);
	if (mode == TPM_ALG_NULL)
		return TPM_RCP(TPM_RC_MODE, pn->mode);
	if ((mode == TPM_ALG_ECB && a->iv_size != 0) || (mode != TPM_ALG_ECB && a->iv_size != 16))
		return TPM_RCP(TPM_RC_SIZE, pn->iv);
	if ((mode == TPM_ALG_CBC || mode == TPM_ALG_ECB) && a->data_size % 16 != 0)
		return TPM_RCP(TPM_RC_SIZE, pn->data);

	memcpy(iv, a->iv, a->iv_size);
	mbedtls_aes_init(&aes);
	/* CFB, CTR and OFB run the cipher forwards either way; ECB and CBC decrypt backwards. */
	if (a->decrypt && (mode == TPM_ALG_ECB || mode == TPM_ALG_CBC))
		err = mbedtls_aes_setkey_dec(&aes, k->sens, k->pub.sym.bits);
	else
		err = mbedtls_aes_setkey_enc(&aes, k->sens, k->pub.sym.bits);
	for (size_t i = 0; err == 0 && mode == TPM_ALG_ECB && i < a->data_size; i += 16)
		err = mbedtls_aes_crypt_ecb(&aes,
					    a->decrypt ? MBEDTLS_AES_DECRYPT : MBEDTLS_AES_ENCRYPT,
					    a->data + i, out + i);
	if (err == 0 && mode == TPM_ALG_CBC)
		err = mbedtls_aes_crypt_cbc(&aes,
					    a->decrypt ? MBEDTLS_AES_DECRYPT : MBEDTLS_AES_ENCRYPT,
					    a->data_size, iv, a->data, out);
	else if (err == 0 && mode == TPM_ALG_CFB)
		err = mbedtls_aes_crypt_cfb128(
			&aes, a->decrypt ? MBEDTLS_AES_DECRYPT : MBEDTLS_AES_ENCRYPT, a->data_size,
			&off, iv, a->data, out);
	else if (err == 0 && mode == TPM_ALG_CTR)
		err = mbedtls_aes_crypt_ctr(&aes, a->data_size, &off, iv, stream, a->data, out);
	else if (err == 0 && mode == TPM_ALG_OFB)
		err = mbedtls_aes_crypt_ofb(&aes, a->data_size, &off, iv, a->data, out);
	mbedtls_aes_free(&aes);
	tpm_wipe(stream, sizeof(stream));
	if (err != 0) {
		tpm_fail(t, "AES failed on checked input");
		return TPM_RC_FAILURE;
	}
	/* outData, then ivOut: the chaining value to continue with (empty for ECB) */
	tpm_put_2b(c->out, out, a->data_size);
	tpm_put_2b(c->out, iv, mode == TPM_ALG_ECB ? 0 : 16);
	tpm_wipe(out, a->data_size);
	return TPM_RC_SUCCESS;
}

/* Parameters: decrypt, mode, ivIn, inData. */
TPM_HANDLER(EncryptDecrypt)
{
	static const struct sym_params pn = {1, 2, 3, 4};
	struct sym_args a;
	tpm_rc rc = tpm_get_u8(&c->in, &a.decrypt);

	if (rc == TPM_RC_SUCCESS && a.decrypt > 1)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = get_mode(&c->in, &a.mode);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b(&c->in, a.iv, sizeof(a.iv), &a.iv_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = get_data(&c->in, &a.data, &a.data_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	rc = tpm_params_done(c);
	return rc != TPM_RC_SUCCESS ? rc : crypt_sym(c, &a, &pn);
}

/* Parameters: inData, decrypt, mode, ivIn (inData first, so that it can be encrypted). */
TPM_HANDLER(EncryptDecrypt2)
{
	static const struct sym_params pn = {2, 3, 4, 1};
	struct sym_args a;
	tpm_rc rc = get_data(&c->in, &a.data, &a.data_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u8(&c->in, &a.decrypt);
	if (rc == TPM_RC_SUCCESS && a.decrypt > 1)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = get_mode(&c->in, &a.mode);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_get_2b(&c->in, a.iv, sizeof(a.iv), &a.iv_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	rc = tpm_params_done(c);
	return rc != TPM_RC_SUCCESS ? rc : crypt_sym(c, &a, &pn);
}

/* Handles: handle (USER). Parameters: buffer, hashAlg (TPM_ALG_NULL: the key's). */
tpm_rc tpm_get_mac_alg(struct tpm_rd *r, uint16_t *alg)
{
	tpm_rc rc = tpm_get_u16(r, alg);

	if (rc == TPM_RC_SUCCESS && *alg != TPM_ALG_NULL && tpm_hash_size(*alg) == 0)
		rc = TPM_RC_SYMMETRIC;
	return rc;
}

tpm_rc tpm_hmac_key_alg(const struct tpm_key *k, uint16_t alg, uint16_t *use)
{
	if (k == NULL || k->pub.type != TPM_ALG_KEYEDHASH)
		return TPM_RCH(TPM_RC_TYPE, 1);
	if (k->pub.attrs & TPMA_OBJECT_RESTRICTED)
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if (!(k->pub.attrs & TPMA_OBJECT_SIGN_ENCRYPT))
		return TPM_RCH(TPM_RC_KEY, 1);
	*use = alg;
	if (k->pub.scheme.scheme != TPM_ALG_NULL) {
		*use = k->pub.scheme.hash;
		if (alg != TPM_ALG_NULL && alg != *use)
			*use = TPM_ALG_NULL;
	}
	if (*use == TPM_ALG_NULL)
		return TPM_RCP(TPM_RC_VALUE, 2);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(HMAC)
{
	const struct tpm_key *k = tpm_object_key(c->t, c->h[0]);
	const uint8_t *data = NULL;
	uint16_t n = 0;
	uint16_t alg = 0;
	uint16_t use;
	struct tpm_hmac_ctx m;
	uint8_t mac[TPM_MAX_DIGEST];
	tpm_rc rc = get_data(&c->in, &data, &n);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_mac_alg(&c->in, &alg);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_hmac_key_alg(k, alg, &use);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	(void)tpm_hmac_start(&m, use, k->sens, k->sens_size);
	tpm_hmac_update(&m, data, n);
	tpm_hmac_finish(&m, mac);
	tpm_put_2b(c->out, mac, tpm_hash_size(use));
	return TPM_RC_SUCCESS;
}
