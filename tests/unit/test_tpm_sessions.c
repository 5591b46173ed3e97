// SPDX-License-Identifier: MIT
/*
 * Salted sessions, parameter encryption and policy sessions, checked against an independent
 * model of the client side written here with mbedTLS primitives (not the engine's code): the
 * salt (ECDH + KDFe, RSA-OAEP), sessionKey, command HMACs (with the nonces of other encrypting
 * sessions), AES-CFB and XOR parameter encryption both ways, and the deferred checks of policy
 * sessions. Policy digests are compared with libtpms by tests/tpm/diff (stream "policy").
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/rsa.h>

#include "../../tpm/internal.h"
#include "../../tpm/session.h"
#include "tpm_harness.h"
#include "tpm_templates.h"
#include "unit.h"

/* ---- the client's side, independently ------------------------------------------------------ */

/* memcpy that takes (NULL, 0) */
static void cpy(void *dst, const void *src, size_t n)
{
	if (n != 0)
		memcpy(dst, src, n);
}

static void sha256(const void *p, size_t n, uint8_t *out)
{
	mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), p, n, out);
}

static void hmac256(const void *k, size_t kn, const void *m, size_t mn, uint8_t *out)
{
	mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), k, kn, m, mn, out);
}

/* KDFa with SHA-256 (SP 800-108 counter mode), up to 4 blocks. */
static void kdfa(const void *key, size_t kn, const char *label, const void *u, size_t un,
		 const void *v, size_t vn, uint32_t bits, uint8_t *out)
{
	uint8_t m[512];
	uint8_t block[32];
	size_t bytes = bits / 8;
	size_t ln = strlen(label) + 1;

	for (uint32_t i = 1; (i - 1) * 32 < bytes; i++) {
		size_t off = 0;

		tpm_be32(m, i);
		off = 4;
		cpy(m + off, label, ln);
		off += ln;
		cpy(m + off, u, un);
		off += un;
		cpy(m + off, v, vn);
		off += vn;
		tpm_be32(m + off, bits);
		off += 4;
		hmac256(key, kn, m, off, block);
		cpy(out + (i - 1) * 32, block,
		    bytes - (i - 1) * 32 < 32 ? bytes - (i - 1) * 32 : 32);
	}
}

/* KDFe with SHA-256, one block. */
static void kdfe(const uint8_t *z, size_t zn, const char *label, const uint8_t *u, size_t un,
		 const uint8_t *v, size_t vn, uint8_t *out)
{
	uint8_t m[256];
	size_t off = 0;

	tpm_be32(m, 1);
	off = 4;
	cpy(m + off, z, zn);
	off += zn;
	cpy(m + off, label, strlen(label) + 1);
	off += strlen(label) + 1;
	cpy(m + off, u, un);
	off += un;
	cpy(m + off, v, vn);
	off += vn;
	sha256(m, off, out);
}

static int test_rng(void *ctx, unsigned char *out, size_t n)
{
	uint32_t *x = ctx;

	for (size_t i = 0; i < n; i++) {
		*x = *x * 1103515245u + 12345u;
		out[i] = (uint8_t)(*x >> 16);
	}
	return 0;
}

/* ---- sessions ------------------------------------------------------------------------------- */

struct sess {
	uint32_t handle;
	uint8_t nonce_tpm[32];
	uint8_t nonce_caller[32];
	uint8_t key[32]; /* sessionKey */
	size_t key_size;
	uint16_t sym; /* TPM_ALG_AES (128, CFB), TPM_ALG_XOR (SHA-256), TPM_ALG_NULL */
};

/* StartAuthSession with tpmKey and an encrypted salt (the salt, if any, in *salt). */
static tpm_rc start(struct tpmh *h, struct sess *s, uint8_t type, uint32_t tpm_key,
		    const uint8_t *enc_salt, size_t enc_n, const uint8_t *salt, uint16_t sym)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t n = 0;
	tpm_rc rc;

	memset(s, 0, sizeof(*s));
	s->sym = sym;
	for (unsigned i = 0; i < 32; i++)
		s->nonce_caller[i] = (uint8_t)(3 * i + 5);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, tpm_key);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_2b(&c, s->nonce_caller, 32);
	tpmh_2b(&c, enc_salt, enc_n);
	tpmh_u8(&c, type);
	tpmh_u16(&c, sym);
	if (sym == TPM_ALG_AES) {
		tpmh_u16(&c, 128);
		tpmh_u16(&c, TPM_ALG_CFB);
	} else if (sym == TPM_ALG_XOR) {
		tpmh_u16(&c, TPM_ALG_SHA256);
	}
	tpmh_u16(&c, TPM_ALG_SHA256);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	s->handle = tpmh_rsp_handle(h);
	r = tpmh_params(h, true);
	ASSERT(tpm_get_u16(&r, &n) == TPM_RC_SUCCESS && n == 32);
	cpy(s->nonce_tpm, r.p, 32);
	if (salt != NULL) {
		/* sessionKey = KDFa(SHA-256, salt, "ATH", nonceTPM, nonceCaller, 256) */
		kdfa(salt, 32, "ATH", s->nonce_tpm, 32, s->nonce_caller, 32, 256, s->key);
		s->key_size = 32;
	}
	return TPM_RC_SUCCESS;
}

/* AES-128-CFB / XOR of the first parameter, keyed with sessionKey || auth. */
static void crypt(const struct sess *s, const char *auth, const uint8_t *newer,
		  const uint8_t *older, bool encrypt, uint8_t *buf, size_t n)
{
	uint8_t value[96];
	size_t vn = s->key_size;

	cpy(value, s->key, s->key_size);
	if (auth != NULL) {
		cpy(value + vn, auth, strlen(auth));
		vn += strlen(auth);
	}
	if (s->sym == TPM_ALG_AES) {
		uint8_t kiv[32];
		mbedtls_aes_context aes;
		size_t off = 0;

		kdfa(value, vn, "CFB", newer, 32, older, 32, 256, kiv);
		mbedtls_aes_init(&aes);
		mbedtls_aes_setkey_enc(&aes, kiv, 128);
		mbedtls_aes_crypt_cfb128(&aes, encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT,
					 n, &off, kiv + 16, buf, buf);
		mbedtls_aes_free(&aes);
	} else {
		uint8_t mask[128];

		ASSERT(n <= sizeof(mask));
		kdfa(value, vn, "XOR", newer, 32, older, 32, (uint32_t)n * 8, mask);
		for (size_t i = 0; i < n; i++)
			buf[i] ^= mask[i];
	}
}

/* The command HMAC of session s for a command with these names and parameters. */
static void cmd_hmac(const struct sess *s, const char *auth, uint32_t cc, const uint8_t *names,
		     size_t names_n, const uint8_t *params, size_t params_n, const uint8_t *extra,
		     size_t extra_n, uint8_t attrs, uint8_t *out)
{
	uint8_t m[1024];
	uint8_t cph[32];
	uint8_t key[96];
	size_t kn = s->key_size;

	tpm_be32(m, cc);
	cpy(m + 4, names, names_n);
	cpy(m + 4 + names_n, params, params_n);
	sha256(m, 4 + names_n + params_n, cph);
	cpy(key, s->key, s->key_size);
	if (auth != NULL) {
		cpy(key + kn, auth, strlen(auth));
		kn += strlen(auth);
	}
	cpy(m, cph, 32);
	cpy(m + 32, s->nonce_caller, 32);
	cpy(m + 64, s->nonce_tpm, 32);
	cpy(m + 96, extra, extra_n);
	m[96 + extra_n] = attrs;
	hmac256(key, kn, m, 97 + extra_n, out);
}

static void put_session(struct tpmh_cmd *c, const struct sess *s, uint8_t attrs,
			const uint8_t *hmac, size_t hn)
{
	tpmh_u32(c, s->handle);
	tpmh_2b(c, s->nonce_caller, 32);
	tpmh_u8(c, attrs);
	tpmh_2b(c, hmac, hn);
}

/* The new nonceTPM of the session at offset off of the response's authorization area. */
static void take_nonce(const struct tpmh *h, size_t off, struct sess *s)
{
	ASSERT(tpm_ld16(h->rsp + off) == 32);
	cpy(s->nonce_tpm, h->rsp + off + 2, 32);
}

/* CreatePrimary in the owner hierarchy of template t; its Name into name unless NULL. */
static uint32_t primary_tpl(struct tpmh *h, const struct tpl *tp, const char *auth,
			    const char *data, uint8_t *name)
{
	static const uint8_t no_pcrs[4];
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t n = 0;
	uint8_t pub[TPM_PUBLIC_MAX];
	size_t m;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	m = tpm_put_size16_begin(&c.w);
	tpmh_2b(&c, auth, auth != NULL ? strlen(auth) : 0);
	tpmh_2b(&c, data, data != NULL ? strlen(data) : 0);
	tpm_put_size16_end(&c.w, m);
	tpmh_2b(&c, tp->b, tp->n);
	tpmh_2b(&c, NULL, 0);
	tpmh_bytes(&c, no_pcrs, sizeof(no_pcrs));
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(h, true);
	ASSERT(tpm_get_2b(&r, pub, sizeof(pub), &n) == TPM_RC_SUCCESS);
	if (name != NULL) {
		name[0] = 0x00;
		name[1] = 0x0B;
		sha256(pub, n, name + 2);
	}
	return tpmh_rsp_handle(h);
}

static uint32_t primary(struct tpmh *h, const struct spec *sp, const char *auth, const char *data,
			uint8_t *name)
{
	struct tpl t = tpl_build(sp);

	return primary_tpl(h, &t, auth, data, name);
}

static const struct spec STORAGE_ECC = {.type = TPM_ALG_ECC,
					.name_alg = TPM_ALG_SHA256,
					.attrs = OA_STORAGE | OA_NODA,
					.sym = TPM_ALG_AES,
					.sym_bits = 128,
					.sym_mode = TPM_ALG_CFB,
					.scheme = TPM_ALG_NULL,
					.curve = TPM_ECC_NIST_P256,
					.kdf = TPM_ALG_NULL};
static const struct spec STORAGE_RSA = {.type = TPM_ALG_RSA,
					.name_alg = TPM_ALG_SHA256,
					.attrs = OA_STORAGE | OA_NODA,
					.sym = TPM_ALG_AES,
					.sym_bits = 128,
					.sym_mode = TPM_ALG_CFB,
					.scheme = TPM_ALG_NULL,
					.bits = 2048};

/* An ECC salt for the storage primary key k: the ephemeral point and the salt. */
static void ecc_salt(struct tpmh *h, uint32_t k, uint8_t *enc, size_t *enc_n, uint8_t *salt)
{
	const struct tpm_key *key = tpm_object_key(h->tpm, k);
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q, qe, zp;
	mbedtls_mpi d;
	uint32_t seed = 77;
	uint8_t x[32], y[32], z[32];

	ASSERT(key != NULL && key->pub.unique_size == 32);
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&qe);
	mbedtls_ecp_point_init(&zp);
	mbedtls_mpi_init(&d);
	ASSERT(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0);
	ASSERT(mbedtls_mpi_read_binary(&q.X, key->pub.unique, 32) == 0);
	ASSERT(mbedtls_mpi_read_binary(&q.Y, key->pub.unique_y, 32) == 0);
	ASSERT(mbedtls_mpi_lset(&q.Z, 1) == 0);
	ASSERT(mbedtls_ecp_gen_keypair(&grp, &d, &qe, test_rng, &seed) == 0);
	ASSERT(mbedtls_ecp_mul(&grp, &zp, &d, &q, test_rng, &seed) == 0);
	ASSERT(mbedtls_mpi_write_binary(&zp.X, z, 32) == 0);
	ASSERT(mbedtls_mpi_write_binary(&qe.X, x, 32) == 0);
	ASSERT(mbedtls_mpi_write_binary(&qe.Y, y, 32) == 0);
	kdfe(z, 32, "SECRET", x, 32, key->pub.unique, 32, salt);
	tpm_be16(enc, 32);
	cpy(enc + 2, x, 32);
	tpm_be16(enc + 34, 32);
	cpy(enc + 36, y, 32);
	*enc_n = 68;
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&zp);
	mbedtls_ecp_point_free(&qe);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
}

static void rsa_salt(struct tpmh *h, uint32_t k, uint8_t *enc, size_t *enc_n, uint8_t *salt)
{
	const struct tpm_key *key = tpm_object_key(h->tpm, k);
	mbedtls_rsa_context rsa;
	mbedtls_mpi n, e;
	uint32_t seed = 99;

	ASSERT(key != NULL && key->pub.unique_size == 256);
	for (unsigned i = 0; i < 32; i++)
		salt[i] = (uint8_t)(0xA0 + i);
	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	ASSERT(mbedtls_mpi_read_binary(&n, key->pub.unique, 256) == 0);
	ASSERT(mbedtls_mpi_lset(&e, 65537) == 0);
	ASSERT(mbedtls_rsa_import(&rsa, &n, NULL, NULL, NULL, &e) == 0);
	ASSERT(mbedtls_rsa_complete(&rsa) == 0);
	ASSERT(mbedtls_rsa_rsaes_oaep_encrypt(&rsa, test_rng, &seed, MBEDTLS_RSA_PUBLIC,
					      (const unsigned char *)"SECRET", 7, 32, salt,
					      enc) == 0);
	*enc_n = 256;
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&n);
	mbedtls_rsa_free(&rsa);
}

/*
 * Unseal obj (Name name, authValue auth) with session s authorizing and encrypting the
 * response (encrypt attribute when enc); checks the response HMAC and decrypts the data.
 */
static tpm_rc unseal(struct tpmh *h, struct sess *s, uint32_t obj, const uint8_t *name,
		     const char *auth, bool enc, uint8_t *out, size_t *out_n)
{
	struct tpmh_cmd c;
	uint8_t attrs = TPMA_SESSION_CONTINUESESSION | (enc ? TPMA_SESSION_ENCRYPT : 0);
	uint8_t hm[32];
	size_t mark;
	tpm_rc rc;

	cmd_hmac(s, auth, TPM_CC_Unseal, name, 34, NULL, 0, NULL, 0, attrs, hm);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tpmh_u32(&c, obj);
	mark = tpm_put_size32_begin(&c.w);
	put_session(&c, s, attrs, hm, 32);
	tpm_put_size32_end(&c.w, mark);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	{
		uint32_t psize = tpm_ld32(h->rsp + 10);
		uint8_t *rp = h->rsp + 14;
		uint8_t m[300], rph[32], want[32];
		uint8_t key[96];
		size_t kn = s->key_size;

		take_nonce(h, 14 + psize, s);
		/* response HMAC over the parameters as sent (encrypted) */
		tpm_be32(m, 0);
		tpm_be32(m + 4, TPM_CC_Unseal);
		cpy(m + 8, rp, psize);
		sha256(m, 8 + psize, rph);
		cpy(m, rph, 32);
		cpy(m + 32, s->nonce_tpm, 32);
		cpy(m + 64, s->nonce_caller, 32);
		m[96] = attrs;
		cpy(key, s->key, kn);
		cpy(key + kn, auth, strlen(auth));
		kn += strlen(auth);
		hmac256(key, kn, m, 97, want);
		EXPECT_MEM_EQ(h->rsp + 14 + psize + 35 + 2, want, 32);
		*out_n = tpm_ld16(rp);
		cpy(out, rp + 2, *out_n);
		if (enc)
			crypt(s, auth, s->nonce_tpm, s->nonce_caller, false, out, *out_n);
	}
	return rc;
}

UNIT_TEST(tpm_kdfe_known_answer)
{
	/* from Python: hashlib.sha256(b"\0\0\0\1" + Z + b"SECRET\0" + U + V), Z = 00..1f,
	 * U = 20..3f, V = 40..5f */
	uint8_t z[32], u[32], v[32], out[40], want[32];
	static const char *hex = "62cf85ca3599cd915a71a6330c3885f986918e12037ba2e39578f72686417cdb";

	for (unsigned i = 0; i < 32; i++) {
		z[i] = (uint8_t)i;
		u[i] = (uint8_t)(0x20 + i);
		v[i] = (uint8_t)(0x40 + i);
	}
	for (unsigned i = 0; i < 32; i++) {
		unsigned b = 0;

		(void)sscanf(hex + 2 * i, "%2x", &b);
		want[i] = (uint8_t)b;
	}
	memset(out, 0xEE, sizeof(out));
	ASSERT(tpm_kdfe(TPM_ALG_SHA256, z, 32, "SECRET", u, 32, v, 32, 256, out));
	EXPECT_MEM_EQ(out, want, 32);
	EXPECT_EQ_U64(out[32], 0xEE);
	kdfe(z, 32, "SECRET", u, 32, v, 32, out);
	EXPECT_MEM_EQ(out, want, 32); /* the test's own model agrees */
	/* two blocks: the second continues the counter */
	ASSERT(tpm_kdfe(TPM_ALG_SHA256, z, 32, "SECRET", u, 32, v, 32, 320, out));
	EXPECT_MEM_EQ(out, want, 32);
	EXPECT(!tpm_kdfe(TPM_ALG_NULL, z, 32, "SECRET", u, 32, v, 32, 256, out));
}

UNIT_TEST(tpm_sessions_salted_and_encrypting)
{
	const struct spec *keys[] = {&STORAGE_ECC, &STORAGE_RSA};
	struct tpmh h;
	struct sess s;
	uint8_t name[34];
	uint32_t obj;
	static const struct spec SEAL = {.type = TPM_ALG_KEYEDHASH,
					 .name_alg = TPM_ALG_SHA256,
					 .attrs = OA_SEAL | OA_NODA,
					 .scheme = TPM_ALG_NULL};

	tpmh_init(&h);
	obj = primary(&h, &SEAL, "objpw", "the sealed secret", name);
	for (unsigned k = 0; k < 2; k++) {
		uint32_t key = primary(&h, keys[k], NULL, NULL, NULL);
		uint8_t enc[256], salt[32], out[64];
		size_t enc_n = 0, out_n = 0;

		if (k == 0)
			ecc_salt(&h, key, enc, &enc_n, salt);
		else
			rsa_salt(&h, key, enc, &enc_n, salt);
		for (unsigned sym = 0; sym < 2; sym++) {
			ASSERT(start(&h, &s, TPM_SE_HMAC, key, enc, enc_n, salt,
				     sym == 0 ? TPM_ALG_AES : TPM_ALG_XOR) == TPM_RC_SUCCESS);
			/* the response arrives encrypted: not the plain secret */
			ASSERT(unseal(&h, &s, obj, name, "objpw", true, out, &out_n) ==
			       TPM_RC_SUCCESS);
			EXPECT_EQ_U64(out_n, 17);
			EXPECT_MEM_EQ(out, "the sealed secret", 17);
			EXPECT(memcmp(h.rsp + 16, "the sealed secret", 17) != 0);
			/* the session goes on: the nonces rolled */
			ASSERT(unseal(&h, &s, obj, name, "objpw", true, out, &out_n) ==
			       TPM_RC_SUCCESS);
			EXPECT_MEM_EQ(out, "the sealed secret", 17);
			ASSERT(unseal(&h, &s, obj, name, "objpw", false, out, &out_n) ==
			       TPM_RC_SUCCESS);
			EXPECT_MEM_EQ(out, "the sealed secret", 17);
			/* a wrong salt gives another sessionKey: the HMAC fails */
			salt[0] ^= 1;
			ASSERT(start(&h, &s, TPM_SE_HMAC, key, enc, enc_n, salt, TPM_ALG_AES) ==
			       TPM_RC_SUCCESS);
			salt[0] ^= 1;
			EXPECT_EQ_U64(unseal(&h, &s, obj, name, "objpw", false, out, &out_n),
				      TPM_RCS(TPM_RC_BAD_AUTH, 1));
		}
		/* hostile salts: every byte changed, truncated, a point off the curve */
		for (size_t i = 0; i < enc_n; i += k == 0 ? 1 : 17) {
			tpm_rc rc;

			enc[i] ^= 0x10;
			rc = start(&h, &s, TPM_SE_HMAC, key, enc, enc_n, NULL, TPM_ALG_AES);
			enc[i] ^= 0x10;
			if (rc == TPM_RC_SUCCESS) {
				/* (an RSA salt may decrypt to another valid seed: never here) */
				EXPECTF(false, "a changed salt byte %zu was accepted", i);
				continue;
			}
			EXPECTF(rc == TPM_RCP(TPM_RC_VALUE, 2), "salt byte %zu: %#x", i, rc);
		}
		EXPECT_EQ_U64(start(&h, &s, TPM_SE_HMAC, key, enc, enc_n - 1, NULL, TPM_ALG_AES),
			      TPM_RCP(TPM_RC_VALUE, 2));
		EXPECT_EQ_U64(start(&h, &s, TPM_SE_HMAC, key, NULL, 0, NULL, TPM_ALG_AES),
			      TPM_RCP(TPM_RC_VALUE, 2));
		EXPECT_EQ_U64(start(&h, &s, TPM_SE_HMAC, obj, enc, enc_n, NULL, TPM_ALG_AES),
			      TPM_RCH(TPM_RC_KEY, 1));
	}
	/* nothing leaked: only the sessions that were flushed by no one remain (none loaded) */
	tpmh_destroy(&h);
}

/*
 * A decrypting session beside a password: NV_Write's data travels encrypted; and the first
 * session's HMAC covers the nonceTPM of another encrypting session.
 */
UNIT_TEST(tpm_sessions_command_decryption_and_extra_nonces)
{
	struct tpmh h;
	struct sess dec, auth;
	struct tpmh_cmd c;
	uint8_t data[8] = "abcdefgh";
	uint8_t name[34];
	uint8_t out[64], hm[32];
	uint32_t obj;
	size_t mark;
	struct tpm_rd r;
	uint16_t n = 0;
	static const struct spec SEAL = {.type = TPM_ALG_KEYEDHASH,
					 .name_alg = TPM_ALG_SHA256,
					 .attrs = OA_SEAL | OA_NODA,
					 .scheme = TPM_ALG_NULL};

	tpmh_init(&h);
	/* an NV index to write through a decrypting session */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, NULL, 0);
	mark = tpm_put_size16_begin(&c.w);
	tpmh_u32(&c, 0x01500001);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_u32(&c, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_NO_DA);
	tpmh_2b(&c, NULL, 0);
	tpmh_u16(&c, 8);
	tpm_put_size16_end(&c.w, mark);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	ASSERT(start(&h, &dec, TPM_SE_HMAC, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_AES) ==
	       TPM_RC_SUCCESS);
	{
		uint8_t ct[8];

		memcpy(ct, data, 8);
		crypt(&dec, NULL, dec.nonce_caller, dec.nonce_tpm, true, ct, 8);
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
		tpmh_u32(&c, TPM_RH_OWNER);
		tpmh_u32(&c, 0x01500001);
		mark = tpm_put_size32_begin(&c.w);
		tpmh_u32(&c, TPM_RS_PW);
		tpmh_2b(&c, NULL, 0);
		tpmh_u8(&c, TPMA_SESSION_CONTINUESESSION);
		tpmh_2b(&c, NULL, 0);
		put_session(&c, &dec, TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT, NULL, 0);
		tpm_put_size32_end(&c.w, mark);
		tpmh_2b(&c, ct, 8);
		tpmh_u16(&c, 0);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	}
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, 0x01500001);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 8);
	tpmh_u16(&c, 0);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	ASSERT(tpm_get_2b(&r, out, sizeof(out), &n) == TPM_RC_SUCCESS && n == 8);
	EXPECT_MEM_EQ(out, data, 8);

	/* Unseal: session 1 authorizes (HMAC), session 2 only encrypts the response */
	obj = primary(&h, &SEAL, "pw", "secret", name);
	ASSERT(start(&h, &auth, TPM_SE_HMAC, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	ASSERT(start(&h, &dec, TPM_SE_HMAC, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_AES) ==
	       TPM_RC_SUCCESS);
	for (unsigned with_extra = 0; with_extra < 2; with_extra++) {
		uint8_t attrs1 = TPMA_SESSION_CONTINUESESSION;
		uint8_t attrs2 = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_ENCRYPT;
		tpm_rc rc;

		cmd_hmac(&auth, "pw", TPM_CC_Unseal, name, 34, NULL, 0, dec.nonce_tpm,
			 with_extra ? 32 : 0, attrs1, hm);
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
		tpmh_u32(&c, obj);
		mark = tpm_put_size32_begin(&c.w);
		put_session(&c, &auth, attrs1, hm, 32);
		put_session(&c, &dec, attrs2, NULL, 0);
		tpm_put_size32_end(&c.w, mark);
		rc = tpmh_send(&h, &c);
		if (!with_extra) {
			/* without session 2's nonceTPM the HMAC does not verify */
			EXPECT_EQ_U64(rc, TPM_RCS(TPM_RC_BAD_AUTH, 1));
			continue;
		}
		ASSERT(rc == TPM_RC_SUCCESS);
		{
			uint32_t psize = tpm_ld32(h.rsp + 10);
			size_t a2 = 14 + psize + 2 + 32 + 1 + 2 + 32;

			n = tpm_ld16(h.rsp + 14);
			ASSERT(n == 6);
			memcpy(out, h.rsp + 16, n);
			take_nonce(&h, a2, &dec);
			crypt(&dec, NULL, dec.nonce_tpm, dec.nonce_caller, false, out, n);
			EXPECT_MEM_EQ(out, "secret", 6);
		}
	}
	tpmh_destroy(&h);
}

/*
 * Unseal of obj under policy session `session` sent at `locality`, with pw in its HMAC field
 * (PolicyPassword: the password in the clear; otherwise empty).
 */
static tpm_rc unseal_at(struct tpmh *h, uint8_t locality, uint32_t session, uint32_t obj,
			const char *pw)
{
	struct tpmh_cmd c;
	size_t mark;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tpmh_u32(&c, obj);
	mark = tpm_put_size32_begin(&c.w);
	tpmh_u32(&c, session);
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPMA_SESSION_CONTINUESESSION);
	tpmh_2b(&c, pw, strlen(pw));
	tpm_put_size32_end(&c.w, mark);
	tpm_patch_u32(&c.w, 2, (uint32_t)c.w.len);
	h->rsp_len = tpm_execute(h->tpm, locality, c.buf, c.w.len, h->rsp, sizeof(h->rsp));
	ASSERT(h->rsp_len >= 10);
	return tpm_ld32(h->rsp + 6);
}

/* Policy sessions: deferred checks at use, with PolicyPassword (the password in the clear). */
static tpm_rc unseal_policy(struct tpmh *h, uint32_t session, uint32_t obj, const char *pw)
{
	return unseal_at(h, 0, session, obj, pw);
}

static tpm_rc policy_cmd(struct tpmh *h, uint32_t cc, uint32_t session, const void *p, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, cc);
	tpmh_u32(&c, session);
	tpmh_bytes(&c, p, n);
	return tpmh_send(h, &c);
}

static void policy_digest(struct tpmh *h, uint32_t session, uint8_t *out)
{
	struct tpm_rd r;
	uint16_t n = 0;

	ASSERT(policy_cmd(h, TPM_CC_PolicyGetDigest, session, NULL, 0) == TPM_RC_SUCCESS);
	r = tpmh_params(h, false);
	ASSERT(tpm_get_2b(&r, out, 32, &n) == TPM_RC_SUCCESS && n == 32);
}

/*
 * A primary sealed data object (KEYEDHASH, no userWithAuth) whose authPolicy is pol, with this
 * authValue and data; its Name into name (34 bytes) unless NULL.
 */
static uint32_t policy_sealed(struct tpmh *h, const uint8_t pol[32], const char *auth,
			      const char *data, uint8_t *name)
{
	static const struct spec sp = {.type = TPM_ALG_KEYEDHASH,
				       .name_alg = TPM_ALG_SHA256,
				       .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_NODA,
				       .scheme = TPM_ALG_NULL,
				       .policy_size = 32};
	struct tpl t = tpl_build(&sp);

	/* tpl_build leaves the policy zeros: type, nameAlg, attributes, policy size, policy */
	memcpy(t.b + 10, pol, 32);
	return primary_tpl(h, &t, auth, data, name);
}

UNIT_TEST(tpm_sessions_policy_deferred_checks)
{
	struct tpmh h;
	struct sess s;
	uint8_t name[34], cp[2 + 32], nh[2 + 32], pol[32];
	uint8_t m[64];
	uint32_t obj;

	tpmh_init(&h);
	/* cpHash of Unseal(obj) needs obj's Name, which needs its policy: use nameHash-free
	 * PolicyCpHash on a template whose Name we know first, via a trial session. */
	ASSERT(start(&h, &s, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	ASSERT(policy_cmd(&h, TPM_CC_PolicyPassword, s.handle, NULL, 0) == TPM_RC_SUCCESS);
	policy_digest(&h, s.handle, pol);
	(void)pol;
	obj = policy_sealed(&h, pol, "pw", "deferred", name);
	ASSERT(policy_cmd(&h, TPM_CC_FlushContext, s.handle, NULL, 0) == TPM_RC_SUCCESS);
	/* cpHash of Unseal(obj) and nameHash of (obj) */
	tpm_be32(m, TPM_CC_Unseal);
	memcpy(m + 4, name, 34);
	tpm_be16(cp, 32);
	sha256(m, 38, cp + 2);
	tpm_be16(nh, 32);
	sha256(name, 34, nh + 2);

	/* A policy session: PolicyPassword, and checks that the object's policy does not name. */
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	/* trial-free path first: the plain policy works */
	ASSERT(policy_cmd(&h, TPM_CC_PolicyPassword, s.handle, NULL, 0) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_policy(&h, s.handle, obj, "pw"), TPM_RC_SUCCESS);
	/* used: the session starts over, so the same authorization fails now */
	EXPECT_EQ_U64(unseal_policy(&h, s.handle, obj, "pw"), TPM_RCS(TPM_RC_POLICY_FAIL, 1));
	/* a deferred cpHash that matches, then one that does not: the digest differs either
	 * way, so the check that answers first is the digest's; the session's state is kept */
	ASSERT(policy_cmd(&h, TPM_CC_PolicyCpHash, s.handle, cp, sizeof(cp)) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(policy_cmd(&h, TPM_CC_PolicyNameHash, s.handle, nh, sizeof(nh)),
		      TPM_RC_CPHASH);
	EXPECT_EQ_U64(unseal_policy(&h, s.handle, obj, "pw"), TPM_RCS(TPM_RC_POLICY_FAIL, 1));
	ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s.handle, NULL, 0) == TPM_RC_SUCCESS);
	/* A trial session never authorizes */
	{
		struct sess t;

		ASSERT(start(&h, &t, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
		       TPM_RC_SUCCESS);
		ASSERT(policy_cmd(&h, TPM_CC_PolicyPassword, t.handle, NULL, 0) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(unseal_policy(&h, t.handle, obj, "pw"),
			      TPM_RCS(TPM_RC_ATTRIBUTES, 1));
	}
	/* An HMAC session handle is not a policy session */
	{
		struct sess hs;

		ASSERT(start(&h, &hs, TPM_SE_HMAC, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
		       TPM_RC_SUCCESS);
		EXPECT_EQ_U64(policy_cmd(&h, TPM_CC_PolicyPassword, hs.handle, NULL, 0),
			      TPM_RCH(TPM_RC_VALUE, 1));
	}
	tpmh_destroy(&h);
}

/* PolicySecret's expiration: relative to the session's start, checked again at use. */
UNIT_TEST(tpm_sessions_policy_secret_expiration)
{
	struct tpmh h;
	struct sess s;
	struct tpmh_cmd c;
	struct tpm_session *ts;

	tpmh_init(&h);
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, s.handle);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, s.nonce_tpm, 32);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_u32(&c, 10); /* ten seconds */
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	ts = tpm_session_find(h.tpm, s.handle);
	ASSERT(ts != NULL);
	EXPECT(ts->policy_flags & TPM_POLICY_TIMEOUT);
	EXPECT_EQ_U64(ts->policy_timeout_ms, ts->start_ms + 10000);
	EXPECT_EQ_U64(tpm_policy_check(h.tpm, ts, TPM_CC_Unseal, 0x80000000, 0, ts->policy_digest,
				       32, NULL, NULL),
		      TPM_RC_SUCCESS);
	h.mp.now_ms += 10001;
	EXPECT_EQ_U64(tpm_policy_check(h.tpm, ts, TPM_CC_Unseal, 0x80000000, 0, ts->policy_digest,
				       32, NULL, NULL),
		      TPM_RC_EXPIRED);
	/* a nonceTPM that is not the session's */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, s.handle);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, s.nonce_caller, 32);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_u32(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_NONCE, 1));
	/* and an expiration already past */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, s.handle);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_u32(&c, 5);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_EXPIRED, 4));
	tpmh_destroy(&h);
}

/*
 * A sequence object's Name is the Empty Buffer (it has no public area): an HMAC session's
 * cpHash for SequenceUpdate holds no Name for it. tpm2_hmac (ESAPI) computes it so; a Name of
 * the handle's four bytes is refused.
 */
UNIT_TEST(tpm_sessions_sequence_name_is_empty)
{
	struct tpmh h;
	struct sess s;
	struct tpmh_cmd c;
	uint8_t params[8] = {0, 6, 'a', 'b', 'c', 'd', 'e', 'f'};
	uint8_t handle_name[4];
	uint8_t hm[32];
	uint32_t seq;
	size_t mark;

	tpmh_init(&h);
	ASSERT(start(&h, &s, TPM_SE_HMAC, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, "sa", 2);
	tpmh_u16(&c, TPM_ALG_SHA256);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	seq = tpmh_rsp_handle(&h);
	tpm_be32(handle_name, seq);
	for (unsigned round = 0; round < 2; round++) {
		/* round 0: the handle as Name (refused, nothing absorbed); round 1: empty. */
		cmd_hmac(&s, "sa", TPM_CC_SequenceUpdate, handle_name, round == 0 ? 4 : 0, params,
			 sizeof(params), NULL, 0, TPMA_SESSION_CONTINUESESSION, hm);
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
		tpmh_u32(&c, seq);
		mark = tpm_put_size32_begin(&c.w);
		put_session(&c, &s, TPMA_SESSION_CONTINUESESSION, hm, 32);
		tpm_put_size32_end(&c.w, mark);
		tpmh_bytes(&c, params, sizeof(params));
		if (round == 0) {
			EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCS(TPM_RC_BAD_AUTH, 1));
			continue;
		}
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		take_nonce(&h, 14, &s);
	}
	/* The sequence absorbed "abcdef" once. */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
	tpmh_u32(&c, seq);
	tpmh_pw(&c, "sa", 2);
	tpmh_2b(&c, NULL, 0);
	tpmh_u32(&c, TPM_RH_NULL);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	{
		uint8_t want[32];

		sha256("abcdef", 6, want);
		ASSERT(tpm_ld16(h.rsp + 14) == 32);
		EXPECT_MEM_EQ(h.rsp + 16, want, 32);
	}
	tpmh_destroy(&h);
}

/* ---- PolicySigned, PolicySecret tickets, PolicyTicket ------------------------------------- */

struct ticket {
	uint8_t timeout[8];
	uint16_t tag;
	uint32_t hier;
	uint8_t mac[64];
	uint16_t mac_size;
};

/* timeout and policyTicket of a PolicySigned/PolicySecret response (parameters at off). */
static void take_ticket(const struct tpmh *h, size_t off, struct ticket *tk)
{
	const uint8_t *p = h->rsp + off;

	ASSERT(tpm_ld16(p) == 8);
	cpy(tk->timeout, p + 2, 8);
	tk->tag = tpm_ld16(p + 10);
	tk->hier = tpm_ld32(p + 12);
	tk->mac_size = tpm_ld16(p + 16);
	ASSERT(tk->mac_size <= 64);
	cpy(tk->mac, p + 18, tk->mac_size);
}

static tpm_rc policy_ticket(struct tpmh *h, uint32_t session, const struct ticket *tk,
			    const char *ref, const uint8_t *name, size_t name_n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
	tpmh_u32(&c, session);
	tpmh_2b(&c, tk->timeout, 8);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, ref, strlen(ref));
	tpmh_2b(&c, name, name_n);
	tpmh_u16(&c, tk->tag);
	tpmh_u32(&c, tk->hier);
	tpmh_2b(&c, tk->mac, tk->mac_size);
	return tpmh_send(h, &c);
}

/* H(H(0^32 || cc || name) || ref): PolicyUpdate on a fresh session. */
static void want_update(uint32_t cc, const uint8_t *name, size_t name_n, const char *ref,
			uint8_t *out)
{
	uint8_t m[128] = {0};

	tpm_be32(m + 32, cc);
	cpy(m + 36, name, name_n);
	sha256(m, 36 + name_n, out);
	cpy(m, out, 32);
	cpy(m + 32, ref, strlen(ref));
	sha256(m, 32 + strlen(ref), out);
}

/* TPM2_Sign of a SHA-256 digest with key's own scheme: the TPMT_SIGNATURE bytes, their length. */
static size_t sign_digest(struct tpmh *h, uint32_t key, const uint8_t digest[32], uint8_t *sig,
			  size_t cap)
{
	struct tpmh_cmd c;
	size_t n;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tpmh_u32(&c, key);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, digest, 32);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ST_HASHCHECK);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_2b(&c, NULL, 0);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	n = tpm_ld32(h->rsp + 10);
	ASSERT(n <= cap);
	cpy(sig, h->rsp + 14, n);
	return n;
}

UNIT_TEST(tpm_sessions_policy_signed_and_tickets)
{
	struct tpmh h;
	struct sess s, s2;
	struct tpmh_cmd c;
	struct ticket tk, tk2;
	uint8_t name[34], ahash[32], m[64], want[32], got[32];
	uint8_t sig[200];
	size_t sig_n;
	uint32_t key;
	const struct tpm_key *k;
	const int32_t exp = -100;

	tpmh_init(&h);
	key = primary(&h, &TPL_ECC_SIGN, "", NULL, NULL);
	k = tpm_object_key(h.tpm, key);
	ASSERT(k != NULL && k->name_size == 34);
	cpy(name, k->name, 34);
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	/* aHash = H(nonceTPM || expiration || cpHashA || policyRef), signed by the key itself */
	cpy(m, s.nonce_tpm, 32);
	tpm_be32(m + 32, (uint32_t)exp);
	cpy(m + 36, "ref", 3);
	sha256(m, 39, ahash);
	sig_n = sign_digest(&h, key, ahash, sig, sizeof(sig));

	for (unsigned round = 0; round < 2; round++) {
		/* round 0: one bit of the signature flipped (refused, session unchanged) */
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
		tpmh_u32(&c, key);
		tpmh_u32(&c, s.handle);
		tpmh_2b(&c, s.nonce_tpm, 32);
		tpmh_2b(&c, NULL, 0);
		tpmh_2b(&c, "ref", 3);
		tpmh_u32(&c, (uint32_t)exp);
		sig[sig_n - 1] ^= round == 0 ? 1 : 0;
		tpmh_bytes(&c, sig, sig_n);
		sig[sig_n - 1] ^= round == 0 ? 1 : 0;
		if (round == 0) {
			EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIGNATURE, 5));
			policy_digest(&h, s.handle, got);
			EXPECT_MEM_EQ(got, (uint8_t[32]){0}, 32);
			continue;
		}
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	}
	take_ticket(&h, 10, &tk);
	EXPECT_EQ_U64(tk.tag, TPM_ST_AUTH_SIGNED);
	EXPECT_EQ_U64(tk.hier, TPM_RH_OWNER);
	EXPECT_EQ_U64(tk.mac_size, 64);
	EXPECT_EQ_U64(tpm_ld32(tk.timeout) >> 31, 0); /* bound to a nonceTPM */
	want_update(TPM_CC_PolicySigned, name, 34, "ref", want);
	policy_digest(&h, s.handle, got);
	EXPECT_MEM_EQ(got, want, 32);

	/* The ticket stands in for the signature on another session, for exactly its inputs. */
	ASSERT(start(&h, &s2, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(policy_ticket(&h, s2.handle, &tk, "reF", name, 34),
		      TPM_RCP(TPM_RC_TICKET, 5));
	tk2 = tk;
	tk2.timeout[7] ^= 1;
	EXPECT_EQ_U64(policy_ticket(&h, s2.handle, &tk2, "ref", name, 34),
		      TPM_RCP(TPM_RC_TICKET, 5));
	tk2 = tk;
	tk2.tag = TPM_ST_AUTH_SECRET;
	EXPECT_EQ_U64(policy_ticket(&h, s2.handle, &tk2, "ref", name, 34),
		      TPM_RCP(TPM_RC_TICKET, 5));
	EXPECT_EQ_U64(policy_ticket(&h, s2.handle, &tk, "ref", name, 34), TPM_RC_SUCCESS);
	policy_digest(&h, s2.handle, got);
	EXPECT_MEM_EQ(got, want, 32);
	/* ... and carries the timeout: checked at use */
	{
		struct tpm_session *ts = tpm_session_find(h.tpm, s2.handle);

		ASSERT(ts != NULL);
		EXPECT(ts->policy_flags & TPM_POLICY_TIMEOUT);
		EXPECT_EQ_U64(ts->policy_timeout_ms,
			      ((uint64_t)tpm_ld32(tk.timeout) << 32 | tpm_ld32(tk.timeout + 4)));
	}

	/* PolicySecret's ticket, without a nonceTPM: bit 63 of the timeout says so */
	ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s2.handle, NULL, 0) == TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
	tpmh_u32(&c, TPM_RH_ENDORSEMENT);
	tpmh_u32(&c, s2.handle);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, "sec", 3);
	tpmh_u32(&c, (uint32_t)-50);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	take_ticket(&h, 14, &tk2);
	EXPECT_EQ_U64(tk2.tag, TPM_ST_AUTH_SECRET);
	EXPECT_EQ_U64(tk2.hier, TPM_RH_ENDORSEMENT);
	EXPECT_EQ_U64(tpm_ld32(tk2.timeout) >> 31, 1);
	{
		uint8_t ename[4];

		tpm_be32(ename, TPM_RH_ENDORSEMENT);
		want_update(TPM_CC_PolicySecret, ename, 4, "sec", want);
		ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s2.handle, NULL, 0) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(policy_ticket(&h, s2.handle, &tk2, "sec", ename, 4), TPM_RC_SUCCESS);
		policy_digest(&h, s2.handle, got);
		EXPECT_MEM_EQ(got, want, 32);
	}
	/* A trial session cannot use a ticket. */
	{
		struct sess tr;

		ASSERT(start(&h, &tr, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
		       TPM_RC_SUCCESS);
		EXPECT_EQ_U64(policy_ticket(&h, tr.handle, &tk, "ref", name, 34),
			      TPM_RCH(TPM_RC_ATTRIBUTES, 1));
	}
	/* Past its timeout the ticket is refused. */
	h.mp.now_ms += 101000;
	ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s2.handle, NULL, 0) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(policy_ticket(&h, s2.handle, &tk, "ref", name, 34),
		      TPM_RCP(TPM_RC_EXPIRED, 1));
	tpmh_destroy(&h);
}

/* Every ticket dies at the next Startup (resetCount/restartCount are in its HMAC). */
UNIT_TEST(tpm_sessions_policy_ticket_dies_at_startup)
{
	struct tpmh h;
	struct sess s;
	struct tpmh_cmd c;
	struct ticket tk;
	uint8_t ename[4];

	tpmh_init(&h);
	tpm_be32(ename, TPM_RH_OWNER);
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, s.handle);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpmh_u32(&c, (uint32_t)-3600);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	take_ticket(&h, 14, &tk);
	ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s.handle, NULL, 0) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(policy_ticket(&h, s.handle, &tk, "", ename, 4), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(policy_ticket(&h, s.handle, &tk, "", ename, 4), TPM_RCP(TPM_RC_TICKET, 5));
	tpmh_destroy(&h);
}

/* ---- PolicyLocality, PolicyNvWritten --------------------------------------------------------- */

UNIT_TEST(tpm_sessions_policy_locality_and_nv_written)
{
	struct tpmh h;
	struct sess s;
	struct tpmh_cmd c;
	uint8_t m[37] = {0}, pol[32], got[32];
	uint8_t loc = 0x0A; /* localities 1 and 3 */
	uint32_t obj;

	tpmh_init(&h);
	/* policyDigest = H(0^32 || TPM_CC_PolicyLocality || locality) */
	tpm_be32(m + 32, TPM_CC_PolicyLocality);
	m[36] = loc;
	sha256(m, 37, pol);
	obj = policy_sealed(&h, pol, "", "local", NULL);
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	ASSERT(policy_cmd(&h, TPM_CC_PolicyLocality, s.handle, &loc, 1) == TPM_RC_SUCCESS);
	policy_digest(&h, s.handle, got);
	EXPECT_MEM_EQ(got, pol, 32);
	/* locality 0 and 2 are refused (nothing used up), 3 unseals */
	EXPECT_EQ_U64(unseal_at(&h, 0, s.handle, obj, ""), TPM_RC_LOCALITY);
	EXPECT_EQ_U64(unseal_at(&h, 2, s.handle, obj, ""), TPM_RC_LOCALITY);
	ASSERT(unseal_at(&h, 3, s.handle, obj, "") == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(tpm_ld16(h.rsp + 14), 5);
	EXPECT_MEM_EQ(h.rsp + 16, "local", 5);
	/* a narrower set, then one that leaves nothing */
	{
		uint8_t three = 0x08, zero_set = 0x02;

		ASSERT(policy_cmd(&h, TPM_CC_PolicyLocality, s.handle, &loc, 1) == TPM_RC_SUCCESS);
		ASSERT(policy_cmd(&h, TPM_CC_PolicyLocality, s.handle, &three, 1) ==
		       TPM_RC_SUCCESS);
		EXPECT_EQ_U64(policy_cmd(&h, TPM_CC_PolicyLocality, s.handle, &zero_set, 1),
			      TPM_RCP(TPM_RC_RANGE, 1));
		EXPECT_EQ_U64(tpm_session_find(h.tpm, s.handle)->policy_locality, 0x08);
	}

	/* PolicyNvWritten(YES): an index with this policy can be read only once written */
	ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s.handle, NULL, 0) == TPM_RC_SUCCESS);
	{
		uint8_t yes = 1, no = 0;
		uint8_t nvm[37] = {0}, nvpol[32];
		const uint32_t idx = 0x01500077;
		size_t mk;

		tpm_be32(nvm + 32, TPM_CC_PolicyNvWritten);
		nvm[36] = 1;
		sha256(nvm, 37, nvpol);
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
		tpmh_u32(&c, TPM_RH_OWNER);
		tpmh_pw(&c, "", 0);
		tpmh_2b(&c, NULL, 0);
		mk = tpm_put_size16_begin(&c.w);
		tpmh_u32(&c, idx);
		tpmh_u16(&c, TPM_ALG_SHA256);
		tpmh_u32(&c, TPMA_NV_AUTHWRITE | TPMA_NV_POLICYREAD | TPMA_NV_NO_DA);
		tpmh_2b(&c, nvpol, 32);
		tpmh_u16(&c, 4);
		tpm_put_size16_end(&c.w, mk);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		for (unsigned round = 0; round < 2; round++) {
			ASSERT(policy_cmd(&h, TPM_CC_PolicyNvWritten, s.handle, &yes, 1) ==
			       TPM_RC_SUCCESS);
			EXPECT_EQ_U64(policy_cmd(&h, TPM_CC_PolicyNvWritten, s.handle, &no, 1),
				      TPM_RCP(TPM_RC_VALUE, 1));
			tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
			tpmh_u32(&c, idx);
			tpmh_u32(&c, idx);
			mk = tpm_put_size32_begin(&c.w);
			tpmh_u32(&c, s.handle);
			tpmh_2b(&c, NULL, 0);
			tpmh_u8(&c, TPMA_SESSION_CONTINUESESSION);
			tpmh_2b(&c, NULL, 0);
			tpm_put_size32_end(&c.w, mk);
			tpmh_u16(&c, 4);
			tpmh_u16(&c, 0);
			if (round == 0) {
				/* not written yet: the policy fails (and stays as it was) */
				EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCS(TPM_RC_POLICY_FAIL, 1));
				ASSERT(policy_cmd(&h, TPM_CC_PolicyRestart, s.handle, NULL, 0) ==
				       TPM_RC_SUCCESS);
				tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
				tpmh_u32(&c, idx);
				tpmh_u32(&c, idx);
				tpmh_pw(&c, "", 0);
				tpmh_2b(&c, "data", 4);
				tpmh_u16(&c, 0);
				ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
				continue;
			}
			ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
			EXPECT_MEM_EQ(h.rsp + 16, "data", 4);
		}
	}
	tpmh_destroy(&h);
}

/*
 * Found in review: a PolicySigned authorization signed without a nonceTPM is bound to no
 * session, so its expiration is an absolute TPM Time (the reference's ComputeAuthTimeout), not
 * a fresh window in every new session: replayed an hour later it has expired.
 */
UNIT_TEST(tpm_sessions_policy_signed_nonceless_expiration_is_absolute)
{
	struct tpmh h;
	struct sess s;
	struct tpmh_cmd c;
	uint8_t m[64], ahash[32], sig[200];
	size_t sig_n;
	uint32_t key;
	const int32_t exp = 10; /* valid until Time = 10 s */

	tpmh_init(&h);
	key = primary(&h, &TPL_ECC_SIGN, "", NULL, NULL);
	tpm_be32(m, (uint32_t)exp);
	cpy(m + 4, "ref", 3);
	sha256(m, 7, ahash);
	sig_n = sign_digest(&h, key, ahash, sig, sizeof(sig));
	for (unsigned round = 0; round < 2; round++) {
		/* round 0: now (Time below 10 s): accepted; round 1: an hour later, a new session */
		if (round == 1)
			h.mp.now_ms += 3600u * 1000u;
		ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
		       TPM_RC_SUCCESS);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
		tpmh_u32(&c, key);
		tpmh_u32(&c, s.handle);
		tpmh_2b(&c, NULL, 0);
		tpmh_2b(&c, NULL, 0);
		tpmh_2b(&c, "ref", 3);
		tpmh_u32(&c, (uint32_t)exp);
		tpmh_bytes(&c, sig, sig_n);
		EXPECT_EQ_U64(tpmh_send(&h, &c),
			      round == 0 ? TPM_RC_SUCCESS : TPM_RCP(TPM_RC_EXPIRED, 4));
	}
	tpmh_destroy(&h);
}

/*
 * Found in review: an HMAC key with a scheme verifies only with that scheme's hash (the
 * reference's CryptHMACVerifySignature): an HMAC-SHA1 over a SHA-1 aHash does not pass
 * PolicySigned for an HMAC-SHA256 key.
 */
UNIT_TEST(tpm_sessions_policy_signed_no_hmac_hash_downgrade)
{
	static const struct spec HMAC_KEY = {.type = TPM_ALG_KEYEDHASH,
					     .name_alg = TPM_ALG_SHA256,
					     .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_USER |
						      OA_SIGN | OA_NODA,
					     .scheme = TPM_ALG_HMAC,
					     .scheme_hash = TPM_ALG_SHA256};
	struct tpmh h;
	struct sess s;
	struct tpmh_cmd c;
	uint8_t m[16] = {0}, ahash[32], mac[32];
	uint32_t key;

	tpmh_init(&h);
	key = primary(&h, &HMAC_KEY, "", "k3y", NULL);
	ASSERT(start(&h, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, TPM_ALG_NULL) ==
	       TPM_RC_SUCCESS);
	cpy(m + 4, "ref", 3);
	for (unsigned round = 0; round < 2; round++) {
		/* round 0: HMAC-SHA1 (refused); round 1: HMAC-SHA256, the key's (accepted) */
		mbedtls_md_type_t md = round == 0 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256;
		unsigned n = round == 0 ? 20 : 32;

		mbedtls_md(mbedtls_md_info_from_type(md), m, 7, ahash);
		mbedtls_md_hmac(mbedtls_md_info_from_type(md), (const uint8_t *)"k3y", 3, ahash, n,
				mac);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
		tpmh_u32(&c, key);
		tpmh_u32(&c, s.handle);
		tpmh_2b(&c, NULL, 0);
		tpmh_2b(&c, NULL, 0);
		tpmh_2b(&c, "ref", 3);
		tpmh_u32(&c, 0);
		tpmh_u16(&c, TPM_ALG_HMAC);
		tpmh_u16(&c, round == 0 ? TPM_ALG_SHA1 : TPM_ALG_SHA256);
		tpmh_bytes(&c, mac, n);
		EXPECT_EQ_U64(tpmh_send(&h, &c),
			      round == 0 ? TPM_RCP(TPM_RC_SIGNATURE, 5) : TPM_RC_SUCCESS);
	}
	tpmh_destroy(&h);
}
