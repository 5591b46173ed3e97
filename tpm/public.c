// SPDX-License-Identifier: MIT
/*
 * The public area of an object: TPMT_PUBLIC decoding and marshalling (TCG Part 2, 12.2) and the
 * template checks of object creation (Part 3, 12.1 TPM2_Create and 24.1 TPM2_CreatePrimary;
 * Part 2, 8.3 TPMA_OBJECT).
 *
 * What the engine implements (everything else is refused where the spec's unmarshalling refuses
 * an unimplemented value):
 *   types      RSA (2048, 3072 bits), ECC (NIST P-256, P-384), KEYEDHASH, SYMCIPHER
 *   symmetric  AES-128 and AES-256 in CFB mode (storage parents, SYMCIPHER objects)
 *   schemes    RSA: RSASSA, RSAPSS, RSAES, OAEP; ECC: ECDSA, ECDH; KEYEDHASH: HMAC; ECC kdf: none
 */
#include <lib/string.h>

#include "object.h"

/* The largest TPMT_PUBLIC: type, nameAlg, attributes, policy, RSA parameters, modulus. */
_Static_assert(2 + 2 + 4 + (2 + TPM_MAX_DIGEST) + (6 + 4 + 2 + 4) + (2 + TPM_MAX_RSA_BYTES) <=
		       TPM_PUBLIC_MAX,
	       "TPM_PUBLIC_MAX too small for an RSA-3072 public area");

#define RSA_DEFAULT_EXPONENT 65537u

/* ---- algorithm sets ------------------------------------------------------------------------ */

static bool is_sign_scheme(uint16_t type, uint16_t scheme)
{
	if (type == TPM_ALG_RSA)
		return scheme == TPM_ALG_RSASSA || scheme == TPM_ALG_RSAPSS;
	return scheme == TPM_ALG_ECDSA;
}

static bool is_decrypt_scheme(uint16_t type, uint16_t scheme)
{
	if (type == TPM_ALG_RSA)
		return scheme == TPM_ALG_RSAES || scheme == TPM_ALG_OAEP;
	return scheme == TPM_ALG_ECDH;
}

/* TPMI_ALG_HASH (+ TPM_ALG_NULL when allow_null). */
static tpm_rc get_hash(struct tpm_rd *r, uint16_t *alg, bool allow_null)
{
	tpm_rc rc = tpm_get_u16(r, alg);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (tpm_is_hash(*alg) || (allow_null && *alg == TPM_ALG_NULL))
		return TPM_RC_SUCCESS;
	return TPM_RC_HASH;
}

/*
 * TPMT_SYM_DEF_OBJECT(+) (Part 2, 11.1.7): TPMI_ALG_SYM_OBJECT (TPM_RC_SYMMETRIC),
 * TPMI_AES_KEY_BITS (TPM_RC_VALUE), TPMI_ALG_SYM_MODE+ (TPM_RC_MODE).
 */
static tpm_rc get_sym_def(struct tpm_rd *r, struct tpm_sym_def *s, bool allow_null)
{
	tpm_rc rc = tpm_get_u16(r, &s->alg);

	s->bits = 0;
	s->mode = 0;
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (s->alg == TPM_ALG_NULL && allow_null)
		return TPM_RC_SUCCESS;
	if (s->alg != TPM_ALG_AES)
		return TPM_RC_SYMMETRIC;
	rc = tpm_get_u16(r, &s->bits);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (s->bits != 128 && s->bits != 256)
		return TPM_RC_VALUE;
	rc = tpm_get_u16(r, &s->mode);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* Every implemented mode unmarshals; a storage key's must be CFB (tpm_public_check_*). */
	if (s->mode != TPM_ALG_CFB && s->mode != TPM_ALG_CBC && s->mode != TPM_ALG_CTR &&
	    s->mode != TPM_ALG_OFB && s->mode != TPM_ALG_ECB && s->mode != TPM_ALG_NULL)
		return TPM_RC_MODE;
	return TPM_RC_SUCCESS;
}

/* TPMT_RSA_SCHEME+ (Part 2, 11.2.4.2): TPMI_ALG_RSA_SCHEME is TPM_RC_VALUE when unknown. */
static tpm_rc get_rsa_scheme(struct tpm_rd *r, struct tpm_scheme *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->scheme);

	s->hash = 0;
	if (rc != TPM_RC_SUCCESS)
		return rc;
	switch (s->scheme) {
	case TPM_ALG_NULL:
	case TPM_ALG_RSAES:
		return TPM_RC_SUCCESS;
	case TPM_ALG_RSASSA:
	case TPM_ALG_RSAPSS:
	case TPM_ALG_OAEP:
		return get_hash(r, &s->hash, false);
	default:
		return TPM_RC_VALUE;
	}
}

/* TPMT_ECC_SCHEME+ (Part 2, 11.2.5.6): TPMI_ALG_ECC_SCHEME is TPM_RC_SCHEME when unknown. */
static tpm_rc get_ecc_scheme(struct tpm_rd *r, struct tpm_scheme *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->scheme);

	s->hash = 0;
	if (rc != TPM_RC_SUCCESS)
		return rc;
	switch (s->scheme) {
	case TPM_ALG_NULL:
		return TPM_RC_SUCCESS;
	case TPM_ALG_ECDSA:
	case TPM_ALG_ECDH:
		return get_hash(r, &s->hash, false);
	default:
		return TPM_RC_SCHEME;
	}
}

/* TPMT_KEYEDHASH_SCHEME+ (Part 2, 11.1.23): HMAC or none (no XOR objects yet: TPM_RC_VALUE). */
static tpm_rc get_keyedhash_scheme(struct tpm_rd *r, struct tpm_scheme *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->scheme);

	s->hash = 0;
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (s->scheme == TPM_ALG_NULL)
		return TPM_RC_SUCCESS;
	if (s->scheme == TPM_ALG_HMAC)
		return get_hash(r, &s->hash, false);
	return TPM_RC_VALUE;
}

/* TPMT_KDF_SCHEME+ of ECC parameters: no KDF is implemented, only TPM_ALG_NULL (TPM_RC_KDF). */
static tpm_rc get_kdf(struct tpm_rd *r, struct tpm_scheme *s)
{
	tpm_rc rc = tpm_get_u16(r, &s->scheme);

	s->hash = 0;
	if (rc != TPM_RC_SUCCESS)
		return rc;
	return s->scheme == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_KDF;
}

/* TPMU_PUBLIC_PARMS [type] (Part 2, 12.2.3.7). */
static tpm_rc get_parms(struct tpm_rd *r, struct tpm_public *p)
{
	tpm_rc rc;

	switch (p->type) {
	case TPM_ALG_KEYEDHASH:
		return get_keyedhash_scheme(r, &p->scheme);
	case TPM_ALG_SYMCIPHER:
		return get_sym_def(r, &p->sym, false);
	case TPM_ALG_RSA:
		rc = get_sym_def(r, &p->sym, true);
		if (rc == TPM_RC_SUCCESS)
			rc = get_rsa_scheme(r, &p->scheme);
		if (rc == TPM_RC_SUCCESS)
			rc = tpm_get_u16(r, &p->key_bits);
		if (rc == TPM_RC_SUCCESS && p->key_bits != 2048 && p->key_bits != 3072)
			rc = TPM_RC_VALUE; /* TPMI_RSA_KEY_BITS */
		if (rc == TPM_RC_SUCCESS)
			rc = tpm_get_u32(r, &p->exponent);
		return rc;
	case TPM_ALG_ECC:
		rc = get_sym_def(r, &p->sym, true);
		if (rc == TPM_RC_SUCCESS)
			rc = get_ecc_scheme(r, &p->scheme);
		if (rc == TPM_RC_SUCCESS)
			rc = tpm_get_u16(r, &p->curve);
		if (rc == TPM_RC_SUCCESS && p->curve != TPM_ECC_NIST_P256 &&
		    p->curve != TPM_ECC_NIST_P384)
			rc = TPM_RC_CURVE; /* TPMI_ECC_CURVE */
		if (rc == TPM_RC_SUCCESS)
			rc = get_kdf(r, &p->kdf);
		return rc;
	default:
		return TPM_RC_TYPE;
	}
}

/* TPMI_ALG_PUBLIC (Part 2, 12.2.2). */
static tpm_rc get_type(struct tpm_rd *r, uint16_t *type)
{
	tpm_rc rc = tpm_get_u16(r, type);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	switch (*type) {
	case TPM_ALG_RSA:
	case TPM_ALG_KEYEDHASH:
	case TPM_ALG_ECC:
	case TPM_ALG_SYMCIPHER:
		return TPM_RC_SUCCESS;
	default:
		return TPM_RC_TYPE;
	}
}

/* TPMU_PUBLIC_ID [type] (Part 2, 12.2.3.2): only the TPM2B maxima are checked. */
static tpm_rc get_unique(struct tpm_rd *r, struct tpm_public *p)
{
	tpm_rc rc;

	switch (p->type) {
	case TPM_ALG_RSA:
		return tpm_get_2b(r, p->unique, TPM_MAX_RSA_BYTES, &p->unique_size);
	case TPM_ALG_ECC:
		rc = tpm_get_2b(r, p->unique, TPM_MAX_ECC_BYTES, &p->unique_size);
		if (rc == TPM_RC_SUCCESS)
			rc = tpm_get_2b(r, p->unique_y, TPM_MAX_ECC_BYTES, &p->unique_y_size);
		return rc;
	default:
		return tpm_get_2b(r, p->unique, TPM_MAX_DIGEST, &p->unique_size);
	}
}

tpm_rc tpm_public_get_parms(struct tpm_rd *r, struct tpm_public *p)
{
	tpm_rc rc;

	memset(p, 0, sizeof(*p));
	rc = get_type(r, &p->type);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	return get_parms(r, p);
}

tpm_rc tpm_public_get(struct tpm_rd *r, struct tpm_public *p, bool allow_null_name)
{
	tpm_rc rc;

	memset(p, 0, sizeof(*p));
	rc = get_type(r, &p->type);
	if (rc == TPM_RC_SUCCESS)
		rc = get_hash(r, &p->name_alg, allow_null_name);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_u32(r, &p->attrs);
	if (rc == TPM_RC_SUCCESS && (p->attrs & TPMA_OBJECT_RESERVED) != 0)
		rc = TPM_RC_RESERVED_BITS;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_2b(r, p->policy, sizeof(p->policy), &p->policy_size);
	if (rc == TPM_RC_SUCCESS)
		rc = get_parms(r, p);
	if (rc == TPM_RC_SUCCESS)
		rc = get_unique(r, p);
	return rc;
}

tpm_rc tpm_public_get_2b(struct tpm_rd *r, struct tpm_public *p, bool allow_null_name,
			 const uint8_t **raw, uint16_t *raw_size)
{
	uint16_t size = 0;
	const uint8_t *start;
	size_t left;
	tpm_rc rc = tpm_get_u16(r, &size);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* A TPM2B of a structure may not be empty (Part 2, 12.2.5). */
	if (size == 0)
		return TPM_RC_SIZE;
	/* The structure is read from everything that follows, then must have used `size`. */
	start = r->p;
	left = r->left;
	rc = tpm_public_get(r, p, allow_null_name);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (left - r->left != size)
		return TPM_RC_SIZE;
	*raw = start;
	*raw_size = size;
	return TPM_RC_SUCCESS;
}

/* ---- marshalling ---------------------------------------------------------------------------- */

static void put_sym_def(struct tpm_wr *w, const struct tpm_sym_def *s)
{
	tpm_put_u16(w, s->alg);
	if (s->alg == TPM_ALG_NULL)
		return;
	tpm_put_u16(w, s->bits);
	tpm_put_u16(w, s->mode);
}

static void put_scheme(struct tpm_wr *w, const struct tpm_scheme *s)
{
	tpm_put_u16(w, s->scheme);
	/* Every implemented non-NULL scheme but RSAES has exactly a hash as details. */
	if (s->scheme != TPM_ALG_NULL && s->scheme != TPM_ALG_RSAES)
		tpm_put_u16(w, s->hash);
}

void tpm_public_put(struct tpm_wr *w, const struct tpm_public *p)
{
	tpm_put_u16(w, p->type);
	tpm_put_u16(w, p->name_alg);
	tpm_put_u32(w, p->attrs);
	tpm_put_2b(w, p->policy, p->policy_size);
	switch (p->type) {
	case TPM_ALG_KEYEDHASH:
		put_scheme(w, &p->scheme);
		tpm_put_2b(w, p->unique, p->unique_size);
		break;
	case TPM_ALG_SYMCIPHER:
		put_sym_def(w, &p->sym);
		tpm_put_2b(w, p->unique, p->unique_size);
		break;
	case TPM_ALG_RSA:
		put_sym_def(w, &p->sym);
		put_scheme(w, &p->scheme);
		tpm_put_u16(w, p->key_bits);
		tpm_put_u32(w, p->exponent);
		tpm_put_2b(w, p->unique, p->unique_size);
		break;
	case TPM_ALG_ECC:
		put_sym_def(w, &p->sym);
		put_scheme(w, &p->scheme);
		tpm_put_u16(w, p->curve);
		put_scheme(w, &p->kdf);
		tpm_put_2b(w, p->unique, p->unique_size);
		tpm_put_2b(w, p->unique_y, p->unique_y_size);
		break;
	default:
		/* Only decoded public areas reach here: an unknown type cannot. */
		w->overflow = true;
		break;
	}
}

bool tpm_public_name(const struct tpm_public *p, uint8_t *name, uint16_t *size)
{
	uint8_t buf[TPM_PUBLIC_MAX];
	struct tpm_wr w = tpm_wr_init(buf, sizeof(buf));
	bool ok;

	if (!tpm_is_hash(p->name_alg))
		return false;
	tpm_public_put(&w, p);
	if (w.overflow)
		return false;
	tpm_be16(name, p->name_alg);
	ok = tpm_hash(p->name_alg, buf, w.len, name + 2);
	*size = (uint16_t)(2 + tpm_hash_size(p->name_alg));
	return ok;
}

/* ---- creation checks ------------------------------------------------------------------------ */

/* Deterministic Miller-Rabin for 32-bit n (bases 2, 7, 61 decide every n < 4759123141). */
static bool u32_is_prime(uint32_t n)
{
	static const uint32_t bases[] = {2, 7, 61};
	uint32_t d = n - 1;
	unsigned s = 0;

	if (n < 2)
		return false;
	for (uint32_t q = 2; q < 8; q++)
		if (n % q == 0)
			return n == q;
	while ((d & 1) == 0) {
		d >>= 1;
		s++;
	}
	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		uint64_t x = 1;
		uint64_t b = bases[i] % n;
		uint32_t e = d;
		bool witness = true;

		if (b == 0)
			continue;
		while (e != 0) {
			if (e & 1)
				x = x * b % n;
			b = b * b % n;
			e >>= 1;
		}
		if (x == 1 || x == n - 1)
			continue;
		for (unsigned j = 1; j < s && witness; j++) {
			x = x * x % n;
			if (x == n - 1)
				witness = false;
		}
		if (witness)
			return false;
	}
	return true;
}

/*
 * TPMA_OBJECT consistency (Part 2, 8.3; Part 1, 27 "Object attributes"): a fixedTPM object
 * cannot have a parent that may change, nor need an inner wrapper for a duplication it never
 * undergoes (encryptedDuplication); a primary's parent (the hierarchy) is fixedTPM, so a
 * fixedParent primary is fixedTPM too; a restricted key signs or decrypts, not both, not
 * neither; a key other than KEYEDHASH (whose data objects do neither) signs or decrypts.
 * x509sign is not checked (libtpms ignores it too; CertifyX509 is not implemented).
 */
static tpm_rc check_attributes(const struct tpm_public *p, bool primary)
{
	uint32_t a = p->attrs;
	bool sign = (a & TPMA_OBJECT_SIGN_ENCRYPT) != 0;
	bool decrypt = (a & TPMA_OBJECT_DECRYPT) != 0;

	if ((a & TPMA_OBJECT_FIXEDTPM) &&
	    (!(a & TPMA_OBJECT_FIXEDPARENT) || (a & TPMA_OBJECT_ENCRYPTEDDUPLICATION)))
		return TPM_RC_ATTRIBUTES;
	if (primary && (a & TPMA_OBJECT_FIXEDPARENT) && !(a & TPMA_OBJECT_FIXEDTPM))
		return TPM_RC_ATTRIBUTES;
	if ((a & TPMA_OBJECT_RESTRICTED) && sign == decrypt)
		return TPM_RC_ATTRIBUTES;
	if (p->type != TPM_ALG_KEYEDHASH && !sign && !decrypt)
		return TPM_RC_ATTRIBUTES;
	return TPM_RC_SUCCESS;
}

/*
 * Who provides the sensitive data (Part 3, 12.1 / 24.1, TPM_RC_ATTRIBUTES): sensitiveDataOrigin
 * CLEAR means the caller gives it, so it cannot be empty; asymmetric keys are always
 * TPM-generated; sealed data (a KEYEDHASH that neither signs nor decrypts) always comes from the
 * caller. For an ordinary object, TPM-generated data excludes given data; for a primary the
 * given data is an input of the derivation. A restricted symmetric key that stays in this
 * hierarchy must be TPM-generated.
 */
static tpm_rc check_origin(const struct tpm_public *p, size_t data_size, bool primary)
{
	uint32_t a = p->attrs;
	bool sdo = (a & TPMA_OBJECT_SENSITIVEDATAORIGIN) != 0;
	bool sign = (a & TPMA_OBJECT_SIGN_ENCRYPT) != 0;
	bool decrypt = (a & TPMA_OBJECT_DECRYPT) != 0;

	if (!sdo && data_size == 0)
		return TPM_RC_ATTRIBUTES;
	if (!primary && sdo && data_size != 0)
		return TPM_RC_ATTRIBUTES;
	if (p->type == TPM_ALG_RSA || p->type == TPM_ALG_ECC)
		return sdo ? TPM_RC_SUCCESS : TPM_RC_ATTRIBUTES;
	if (p->type == TPM_ALG_KEYEDHASH && !sign && !decrypt && sdo)
		return TPM_RC_ATTRIBUTES;
	if ((a & TPMA_OBJECT_RESTRICTED) && !sdo &&
	    (a & (TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_FIXEDTPM)))
		return TPM_RC_ATTRIBUTES;
	return TPM_RC_SUCCESS;
}

/*
 * KEYEDHASH schemes against the attributes (TPM_RC_SCHEME): a data object or a key that signs
 * and decrypts has none; a signing key has HMAC; a decryption key would have XOR, which no
 * object implements yet (public.c refuses it), so no decrypt-only KEYEDHASH can be created.
 */
static tpm_rc check_keyedhash_scheme(const struct tpm_public *p)
{
	bool sign = (p->attrs & TPMA_OBJECT_SIGN_ENCRYPT) != 0;
	bool decrypt = (p->attrs & TPMA_OBJECT_DECRYPT) != 0;
	uint16_t s = p->scheme.scheme;

	if (sign == decrypt)
		return s == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
	if (sign)
		return s == TPM_ALG_HMAC ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
	return TPM_RC_SCHEME;
}

/*
 * RSA and ECC keys (Part 3, 12.1, TPM_RC_SCHEME and TPM_RC_SYMMETRIC): a storage key
 * (restricted decrypt) has no scheme and a symmetric algorithm for its children; every other
 * key has no symmetric algorithm. A key that signs and decrypts has no scheme; a signing key
 * has a signing scheme (unrestricted: or none, chosen at use), a decryption key a decryption
 * scheme or none. A storage key's mode may be TPM_ALG_NULL (CFB is then used), as libtpms.
 */
static tpm_rc check_asym_scheme(const struct tpm_public *p)
{
	bool sign = (p->attrs & TPMA_OBJECT_SIGN_ENCRYPT) != 0;
	bool decrypt = (p->attrs & TPMA_OBJECT_DECRYPT) != 0;
	bool restricted = (p->attrs & TPMA_OBJECT_RESTRICTED) != 0;
	uint16_t s = p->scheme.scheme;

	if (restricted && decrypt) {
		if (s != TPM_ALG_NULL)
			return TPM_RC_SCHEME;
		return p->sym.alg == TPM_ALG_NULL ? TPM_RC_SYMMETRIC : TPM_RC_SUCCESS;
	}
	if (p->sym.alg != TPM_ALG_NULL)
		return TPM_RC_SYMMETRIC;
	if (sign == decrypt)
		return s == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
	if (sign) {
		if (is_sign_scheme(p->type, s) || (s == TPM_ALG_NULL && !restricted))
			return TPM_RC_SUCCESS;
		return TPM_RC_SCHEME;
	}
	return is_decrypt_scheme(p->type, s) || s == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
}

static tpm_rc check_public(const struct tpm_public *p, size_t data_size, bool primary, bool load)
{
	tpm_rc rc;

	/* authPolicy is empty or a digest of nameAlg (Part 3, TPM_RC_SIZE). */
	if (p->policy_size != 0 && p->policy_size != tpm_hash_size(p->name_alg))
		return TPM_RC_SIZE;
	rc = check_attributes(p, primary);
	/* Where the sensitive data came from matters only when it is made. */
	if (rc == TPM_RC_SUCCESS && !load)
		rc = check_origin(p, data_size, primary);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	switch (p->type) {
	case TPM_ALG_KEYEDHASH:
		return check_keyedhash_scheme(p);
	case TPM_ALG_SYMCIPHER:
		return TPM_RC_SUCCESS;
	default:
		return check_asym_scheme(p);
	}
}

bool tpm_public_exponent_ok(uint32_t e)
{
	return e == 0 || (e >= RSA_DEFAULT_EXPONENT && u32_is_prime(e));
}

tpm_rc tpm_public_check_create(const struct tpm_public *p, size_t data_size, bool primary)
{
	return check_public(p, data_size, primary, false);
}

tpm_rc tpm_public_check_load(const struct tpm_public *p)
{
	return check_public(p, 0, false, true);
}
