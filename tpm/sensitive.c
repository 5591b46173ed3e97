// SPDX-License-Identifier: MIT
/*
 * The sensitive area of an object and its protection under a storage parent (TCG Part 1, 22-23
 * "Protected storage"; Part 2, 12.3 TPMT_SENSITIVE and 12.4 TPM2B_PRIVATE):
 *
 *   symKey   = KDFa(parent nameAlg, parent seedValue, "STORAGE", Name, -, parent keyBits)
 *   hmacKey  = KDFa(parent nameAlg, parent seedValue, "INTEGRITY", -, -, digest bits)
 *   encSens  = AES-CFB(symKey, IV 0, u16 size || TPMT_SENSITIVE)
 *   private  = TPM2B_DIGEST(HMAC(hmacKey, encSens || Name)) || encSens
 *
 * This is the format every TPM uses, so a private area wrapped by software (tpm2_import,
 * duplication) loads here too. The object's Name enters both the key and the HMAC: a private
 * area cannot be paired with another public area.
 */
#include <lib/string.h>

#include <mbedtls/ecp.h>

#include "object.h"

bool tpm_is_storage_parent(const struct tpm_key *k)
{
	uint32_t a = k->pub.attrs;

	return (k->pub.type == TPM_ALG_RSA || k->pub.type == TPM_ALG_ECC) &&
	       (a & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT)) ==
		       (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT) &&
	       k->pub.sym.alg == TPM_ALG_AES && k->seed_size == tpm_hash_size(k->pub.name_alg);
}

void tpm_key_qname(struct tpm_key *k, const uint8_t *parent_qname, uint16_t parent_qname_size)
{
	struct tpm_hash_ctx h;

	(void)tpm_hash_start(&h, k->pub.name_alg);
	tpm_hash_update(&h, parent_qname, parent_qname_size);
	tpm_hash_update(&h, k->name, k->name_size);
	tpm_be16(k->qname, k->pub.name_alg);
	tpm_hash_finish(&h, k->qname + 2);
	k->qname_size = k->name_size;
}

void tpm_sensitive_put(struct tpm_wr *w, const struct tpm_object *o)
{
	tpm_put_u16(w, o->key.pub.type);
	tpm_put_2b(w, o->auth, o->auth_size);
	tpm_put_2b(w, o->key.seed, o->key.seed_size);
	tpm_put_2b(w, o->key.sens, o->key.sens_size);
}

/* The size of the sensitive value a public area calls for; 0 when any size up to max goes. */
static uint16_t sens_size_for(const struct tpm_public *p, uint16_t *max)
{
	switch (p->type) {
	case TPM_ALG_RSA:
		*max = (uint16_t)(p->key_bits / 16u);
		return *max; /* one prime */
	case TPM_ALG_ECC:
		*max = p->curve == TPM_ECC_NIST_P256 ? 32u : 48u;
		return 0; /* leading zeros may be dropped */
	case TPM_ALG_SYMCIPHER:
		*max = (uint16_t)(p->sym.bits / 8u);
		return *max;
	default:
		*max = TPM_MAX_SYM_DATA;
		return 0;
	}
}

tpm_rc tpm_sensitive_get(struct tpm_rd *r, struct tpm_object *o)
{
	const struct tpm_public *p = &o->key.pub;
	uint16_t dsize = (uint16_t)tpm_hash_size(p->name_alg);
	uint16_t type = 0;
	uint16_t max = 0;
	uint16_t want = sens_size_for(p, &max);
	/* parents' seeds protect children; KEYEDHASH/SYMCIPHER ones obfuscate the key in unique */
	bool parent = (p->attrs & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)) ==
			      (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT) ||
		      p->type == TPM_ALG_KEYEDHASH || p->type == TPM_ALG_SYMCIPHER;

	if (tpm_get_u16(r, &type) != TPM_RC_SUCCESS || type != p->type)
		return TPM_RC_TYPE;
	if (tpm_get_2b(r, o->auth, TPM_MAX_AUTH, &o->auth_size) != TPM_RC_SUCCESS ||
	    tpm_get_2b(r, o->key.seed, TPM_MAX_DIGEST, &o->key.seed_size) != TPM_RC_SUCCESS ||
	    tpm_get_2b(r, o->key.sens, max, &o->key.sens_size) != TPM_RC_SUCCESS)
		return TPM_RC_SIZE;
	while (o->auth_size > 0 && o->auth[o->auth_size - 1] == 0)
		o->auth_size--;
	if (o->auth_size > dsize)
		return TPM_RC_SIZE;
	/* exactly a nameAlg digest (Part 1, 22.3; libtpms answers KEY_SIZE otherwise) */
	if (o->key.seed_size > dsize || (parent && o->key.seed_size != dsize))
		return TPM_RC_KEY_SIZE;
	if ((want != 0 && o->key.sens_size != want) ||
	    (want == 0 && p->type == TPM_ALG_ECC && o->key.sens_size == 0))
		return TPM_RC_KEY_SIZE;
	return TPM_RC_SUCCESS;
}

/* symKey and hmacKey of an outer wrap for a Name (Part 1, 23.4-23.5). */
static bool outer_keys(const struct tpm_outer *o, const uint8_t *name, uint16_t name_size,
		       uint8_t *sym, uint8_t *hmac_key)
{
	return tpm_kdfa(o->alg, o->seed, o->seed_size, "STORAGE", name, name_size, NULL, 0,
			o->sym_bits, sym) &&
	       tpm_kdfa(o->alg, o->seed, o->seed_size, "INTEGRITY", NULL, 0, NULL, 0,
			tpm_hash_size(o->alg) * 8u, hmac_key);
}

static void outer_hmac(const struct tpm_outer *o, const uint8_t *hmac_key, const uint8_t *enc,
		       size_t enc_size, const uint8_t *name, uint16_t name_size, uint8_t *out)
{
	struct tpm_hmac_ctx m;

	(void)tpm_hmac_start(&m, o->alg, hmac_key, tpm_hash_size(o->alg));
	tpm_hmac_update(&m, enc, enc_size);
	tpm_hmac_update(&m, name, name_size);
	tpm_hmac_finish(&m, out);
}

bool tpm_outer_protect(const struct tpm_outer *o, const uint8_t *name, uint16_t name_size,
		       uint8_t *integrity, uint8_t *buf, size_t n)
{
	uint8_t sym[32], hmac_key[TPM_MAX_DIGEST], iv[16] = {0};
	bool ok = outer_keys(o, name, name_size, sym, hmac_key) &&
		  tpm_aes_cfb(sym, o->sym_bits, iv, true, buf, n);

	if (ok)
		outer_hmac(o, hmac_key, buf, n, name, name_size, integrity);
	tpm_wipe(sym, sizeof(sym));
	tpm_wipe(hmac_key, sizeof(hmac_key));
	return ok;
}

tpm_rc tpm_outer_open(const struct tpm_outer *o, const uint8_t *name, uint16_t name_size,
		      const uint8_t *blob, uint16_t size, uint8_t *scratch, size_t *n)
{
	uint16_t dsize = (uint16_t)tpm_hash_size(o->alg);
	struct tpm_rd r = tpm_rd_init(blob, size);
	uint8_t sym[32], hmac_key[TPM_MAX_DIGEST], mac[TPM_MAX_DIGEST], iv[16] = {0};
	uint16_t mac_size = 0;
	tpm_rc rc = TPM_RC_INTEGRITY;

	*n = 0;
	/* integrity: a digest of nameAlg, then at least a size field */
	if (tpm_get_u16(&r, &mac_size) != TPM_RC_SUCCESS || mac_size != dsize ||
	    r.left < (size_t)dsize + 2u)
		return TPM_RC_INTEGRITY;
	if (!outer_keys(o, name, name_size, sym, hmac_key))
		goto out;
	outer_hmac(o, hmac_key, r.p + dsize, r.left - dsize, name, name_size, mac);
	if (!tpm_ct_equal(mac, r.p, dsize))
		goto out;
	/* Authentic: decrypt a copy (the caller's buffer stays as received). */
	memcpy(scratch, r.p + dsize, r.left - dsize);
	if (!tpm_aes_cfb(sym, o->sym_bits, iv, false, scratch, r.left - dsize)) {
		tpm_wipe(scratch, r.left - dsize);
		goto out;
	}
	*n = r.left - dsize;
	rc = TPM_RC_SUCCESS;
out:
	tpm_wipe(sym, sizeof(sym));
	tpm_wipe(hmac_key, sizeof(hmac_key));
	return rc;
}

static struct tpm_outer parent_outer(const struct tpm_key *parent)
{
	struct tpm_outer o = {parent->pub.name_alg, parent->seed, parent->seed_size,
			      parent->pub.sym.bits};

	return o;
}

bool tpm_private_wrap(const struct tpm_key *parent, const struct tpm_object *o, struct tpm_wr *w)
{
	struct tpm_outer outer = parent_outer(parent);
	uint16_t dsize = (uint16_t)tpm_hash_size(parent->pub.name_alg);
	size_t whole = tpm_put_size16_begin(w);
	size_t digest_at;
	size_t enc_at;
	size_t mark;

	/* Reserve the integrity HMAC, marshal the sensitive area after it, then fill both in. */
	tpm_put_u16(w, dsize);
	digest_at = w->len;
	for (unsigned i = 0; i < dsize; i++)
		tpm_put_u8(w, 0);
	enc_at = w->len;
	mark = tpm_put_size16_begin(w);
	tpm_sensitive_put(w, o);
	tpm_put_size16_end(w, mark);
	tpm_put_size16_end(w, whole);
	return !w->overflow && tpm_outer_protect(&outer, o->key.name, o->key.name_size,
						 w->p + digest_at, w->p + enc_at, w->len - enc_at);
}

tpm_rc tpm_private_unwrap(const struct tpm_key *parent, const uint8_t *priv, uint16_t priv_size,
			  struct tpm_object *o, uint8_t *scratch)
{
	struct tpm_outer outer = parent_outer(parent);
	uint16_t sens_size = 0;
	size_t n = 0;
	struct tpm_rd s;
	tpm_rc rc =
		tpm_outer_open(&outer, o->key.name, o->key.name_size, priv, priv_size, scratch, &n);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	s = tpm_rd_init(scratch, n);
	rc = TPM_RC_SENSITIVE;
	if (tpm_get_u16(&s, &sens_size) == TPM_RC_SUCCESS && sens_size == s.left) {
		rc = tpm_sensitive_get(&s, o);
		if (rc == TPM_RC_SUCCESS && !tpm_rd_done(&s))
			rc = TPM_RC_SENSITIVE;
	}
	tpm_wipe(scratch, n);
	return rc;
}

/* ---- binding: does the sensitive area belong to the public one? ------------------------- */

#define CHK(call)                     \
	do {                          \
		err = (call);         \
		if (err != 0)         \
			goto cleanup; \
	} while (0)

static tpm_rc binding_rsa(const struct tpm_key *k)
{
	mbedtls_mpi n, p, rem;
	int err = 0;
	tpm_rc rc = TPM_RC_BINDING;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&rem);
	CHK(mbedtls_mpi_read_binary(&n, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_read_binary(&p, k->sens, k->sens_size));
	/* p is a proper factor of n: 1 < p < n and n mod p = 0. */
	if (mbedtls_mpi_cmp_int(&p, 1) <= 0 || mbedtls_mpi_cmp_mpi(&p, &n) >= 0)
		goto cleanup;
	CHK(mbedtls_mpi_mod_mpi(&rem, &n, &p));
	if (mbedtls_mpi_cmp_int(&rem, 0) == 0)
		rc = TPM_RC_SUCCESS;
cleanup:
	mbedtls_mpi_free(&rem);
	mbedtls_mpi_free(&p);
	mbedtls_mpi_free(&n);
	if (err == MBEDTLS_ERR_MPI_ALLOC_FAILED)
		return TPM_RC_MEMORY;
	return rc;
}

static int no_rng(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	memset(out, 0x5a, n); /* blinding only; the result does not depend on it */
	return 0;
}

static tpm_rc binding_ecc(const struct tpm_key *k)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi d, x, y;
	int err = 0;
	tpm_rc rc = TPM_RC_BINDING;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&x);
	mbedtls_mpi_init(&y);
	CHK(mbedtls_ecp_group_load(&grp, k->pub.curve == TPM_ECC_NIST_P256
						 ? MBEDTLS_ECP_DP_SECP256R1
						 : MBEDTLS_ECP_DP_SECP384R1));
	CHK(mbedtls_mpi_read_binary(&d, k->sens, k->sens_size));
	CHK(mbedtls_mpi_read_binary(&x, k->pub.unique, k->pub.unique_size));
	CHK(mbedtls_mpi_read_binary(&y, k->pub.unique_y, k->pub.unique_y_size));
	/* 1 <= d < n, and d G is the public point. */
	if (mbedtls_ecp_check_privkey(&grp, &d) != 0)
		goto cleanup;
	CHK(mbedtls_ecp_mul(&grp, &q, &d, &grp.G, no_rng, NULL));
	if (mbedtls_mpi_cmp_mpi(&q.X, &x) == 0 && mbedtls_mpi_cmp_mpi(&q.Y, &y) == 0)
		rc = TPM_RC_SUCCESS;
cleanup:
	mbedtls_mpi_free(&y);
	mbedtls_mpi_free(&x);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
	if (err == MBEDTLS_ERR_MPI_ALLOC_FAILED || err == MBEDTLS_ERR_ECP_ALLOC_FAILED)
		return TPM_RC_MEMORY;
	return rc;
}

tpm_rc tpm_key_check_binding(const struct tpm_key *k)
{
	uint8_t digest[TPM_MAX_DIGEST];
	struct tpm_hash_ctx h;
	unsigned dsize = tpm_hash_size(k->pub.name_alg);

	switch (k->pub.type) {
	case TPM_ALG_RSA:
		return binding_rsa(k);
	case TPM_ALG_ECC:
		return binding_ecc(k);
	default:
		/* KEYEDHASH and SYMCIPHER: unique = H_nameAlg(seedValue || key). */
		(void)tpm_hash_start(&h, k->pub.name_alg);
		tpm_hash_update(&h, k->seed, k->seed_size);
		tpm_hash_update(&h, k->sens, k->sens_size);
		tpm_hash_finish(&h, digest);
		return k->pub.unique_size == dsize && tpm_ct_equal(digest, k->pub.unique, dsize)
			       ? TPM_RC_SUCCESS
			       : TPM_RC_BINDING;
	}
}
