// SPDX-License-Identifier: MIT
/*
 * Signing, attestation and credentials: signatures checked with mbedTLS's public-key side,
 * Quote's TPMS_ATTEST parsed and its PCR digest recomputed, the ticket that restricted keys
 * need, privacy obfuscation of owner keys' attestations, MakeCredential/ActivateCredential and
 * their refusals, public-only objects. Byte-exact agreement with libtpms for the deterministic
 * commands (EncryptDecrypt, HMAC, raw RSA, LoadExternal Names) is tests/tpm/diff's stream
 * "crypto"; real clients are tests/tpm/clients.py.
 */
#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>
#include <mbedtls/rsa.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "tpm_templates.h"
#include "unit.h"

static void sha256(const void *p, size_t n, uint8_t *out)
{
	mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), p, n, out);
}

static uint32_t primary(struct tpmh *h, uint32_t hier, const struct spec *sp)
{
	static const uint8_t no_pcrs[4];
	struct tpl t = tpl_build(sp);
	struct tpmh_cmd c;
	size_t m;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tpmh_u32(&c, hier);
	tpmh_pw(&c, "", 0);
	m = tpm_put_size16_begin(&c.w);
	tpmh_2b(&c, NULL, 0);
	tpmh_2b(&c, NULL, 0);
	tpm_put_size16_end(&c.w, m);
	tpmh_2b(&c, t.b, t.n);
	tpmh_2b(&c, NULL, 0);
	tpmh_bytes(&c, no_pcrs, sizeof(no_pcrs));
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	return tpmh_rsp_handle(h);
}

static const struct spec ECC_AK = {.type = TPM_ALG_ECC,
				   .name_alg = TPM_ALG_SHA256,
				   .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					    OA_SIGN | OA_RESTRICTED | OA_NODA,
				   .sym = TPM_ALG_NULL,
				   .scheme = TPM_ALG_ECDSA,
				   .scheme_hash = TPM_ALG_SHA256,
				   .curve = TPM_ECC_NIST_P256,
				   .kdf = TPM_ALG_NULL};
static const struct spec RSA_SIGN = {.type = TPM_ALG_RSA,
				     .name_alg = TPM_ALG_SHA256,
				     .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					      OA_SIGN | OA_NODA,
				     .sym = TPM_ALG_NULL,
				     .scheme = TPM_ALG_NULL,
				     .bits = 2048};
static const struct spec ECC_EK = {.type = TPM_ALG_ECC,
				   .name_alg = TPM_ALG_SHA256,
				   .attrs = OA_STORAGE | OA_NODA,
				   .sym = TPM_ALG_AES,
				   .sym_bits = 128,
				   .sym_mode = TPM_ALG_CFB,
				   .scheme = TPM_ALG_NULL,
				   .curve = TPM_ECC_NIST_P256,
				   .kdf = TPM_ALG_NULL};

static void null_ticket(struct tpmh_cmd *c)
{
	tpmh_u16(c, TPM_ST_HASHCHECK);
	tpmh_u32(c, TPM_RH_NULL);
	tpmh_2b(c, NULL, 0);
}

static tpm_rc sign(struct tpmh *h, uint32_t key, const uint8_t *digest, size_t dn, uint16_t scheme,
		   const uint8_t *ticket, size_t tn)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
	tpmh_u32(&c, key);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, digest, dn);
	tpmh_u16(&c, scheme);
	if (scheme != TPM_ALG_NULL)
		tpmh_u16(&c, TPM_ALG_SHA256);
	if (ticket != NULL)
		tpmh_bytes(&c, ticket, tn);
	else
		null_ticket(&c);
	return tpmh_send(h, &c);
}

/* Verify the ECDSA signature at r (TPMT_SIGNATURE) over digest with key's public point. */
static void expect_ecdsa_ok(struct tpmh *h, uint32_t key, struct tpm_rd *r, const uint8_t *digest)
{
	const struct tpm_key *k = tpm_object_key(h->tpm, key);
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;
	mbedtls_mpi rr, ss;
	uint16_t alg = 0, hash = 0, n = 0;
	uint8_t buf[48];

	ASSERT(k != NULL);
	ASSERT(tpm_get_u16(r, &alg) == 0 && alg == TPM_ALG_ECDSA);
	ASSERT(tpm_get_u16(r, &hash) == 0 && hash == TPM_ALG_SHA256);
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&rr);
	mbedtls_mpi_init(&ss);
	ASSERT(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0);
	ASSERT(mbedtls_mpi_read_binary(&q.X, k->pub.unique, 32) == 0);
	ASSERT(mbedtls_mpi_read_binary(&q.Y, k->pub.unique_y, 32) == 0);
	ASSERT(mbedtls_mpi_lset(&q.Z, 1) == 0);
	ASSERT(tpm_get_2b(r, buf, sizeof(buf), &n) == 0 && n == 32);
	ASSERT(mbedtls_mpi_read_binary(&rr, buf, n) == 0);
	ASSERT(tpm_get_2b(r, buf, sizeof(buf), &n) == 0 && n == 32);
	ASSERT(mbedtls_mpi_read_binary(&ss, buf, n) == 0);
	EXPECT(mbedtls_ecdsa_verify(&grp, digest, 32, &q, &rr, &ss) == 0);
	mbedtls_mpi_free(&ss);
	mbedtls_mpi_free(&rr);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
}

UNIT_TEST(tpm_crypto_sign_and_verify)
{
	struct tpmh h;
	uint8_t digest[32];
	uint32_t ecc, rsa;
	struct tpm_rd r;

	tpmh_init(&h);
	sha256("message", 7, digest);
	ecc = primary(&h, TPM_RH_OWNER, &TPL_ECC_SIGN);
	ASSERT(sign(&h, ecc, digest, 32, TPM_ALG_NULL, NULL, 0) == TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	expect_ecdsa_ok(&h, ecc, &r, digest);
	/* the key's scheme may be repeated, not replaced; digest of the scheme's size */
	EXPECT_EQ_U64(sign(&h, ecc, digest, 32, TPM_ALG_ECDSA, NULL, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(sign(&h, ecc, digest, 32, TPM_ALG_RSASSA, NULL, 0),
		      TPM_RCP(TPM_RC_SCHEME, 2));
	EXPECT_EQ_U64(sign(&h, ecc, digest, 20, TPM_ALG_NULL, NULL, 0), TPM_RCP(TPM_RC_SIZE, 1));
	/* an RSA key without a scheme: the caller's, checked by mbedTLS's public side */
	rsa = primary(&h, TPM_RH_OWNER, &RSA_SIGN);
	EXPECT_EQ_U64(sign(&h, rsa, digest, 32, TPM_ALG_NULL, NULL, 0), TPM_RCP(TPM_RC_SCHEME, 2));
	for (uint16_t s = TPM_ALG_RSASSA; s <= TPM_ALG_RSAPSS; s += 2) {
		const struct tpm_key *k = tpm_object_key(h.tpm, rsa);
		mbedtls_rsa_context ctx;
		mbedtls_mpi n, e;
		uint16_t alg = 0, hash = 0, sn = 0;
		uint8_t sig[256];

		ASSERT(sign(&h, rsa, digest, 32, s, NULL, 0) == TPM_RC_SUCCESS);
		r = tpmh_params(&h, false);
		ASSERT(tpm_get_u16(&r, &alg) == 0 && alg == s);
		ASSERT(tpm_get_u16(&r, &hash) == 0 && hash == TPM_ALG_SHA256);
		ASSERT(tpm_get_2b(&r, sig, sizeof(sig), &sn) == 0 && sn == 256);
		mbedtls_rsa_init(&ctx,
				 s == TPM_ALG_RSAPSS ? MBEDTLS_RSA_PKCS_V21 : MBEDTLS_RSA_PKCS_V15,
				 MBEDTLS_MD_SHA256);
		mbedtls_mpi_init(&n);
		mbedtls_mpi_init(&e);
		ASSERT(mbedtls_mpi_read_binary(&n, k->pub.unique, 256) == 0);
		ASSERT(mbedtls_mpi_lset(&e, 65537) == 0);
		ASSERT(mbedtls_rsa_import(&ctx, &n, NULL, NULL, NULL, &e) == 0);
		ASSERT(mbedtls_rsa_complete(&ctx) == 0);
		EXPECTF((s == TPM_ALG_RSAPSS ? mbedtls_rsa_rsassa_pss_verify(
						       &ctx, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						       MBEDTLS_MD_SHA256, 32, digest, sig)
					     : mbedtls_rsa_rsassa_pkcs1_v15_verify(
						       &ctx, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						       MBEDTLS_MD_SHA256, 32, digest, sig)) == 0,
			"scheme %#x", s);
		/* VerifySignature of the same, and of a changed digest */
		{
			struct tpmh_cmd c;
			uint8_t other[32];

			memcpy(other, digest, 32);
			other[0] ^= 1;
			for (unsigned v = 0; v < 2; v++) {
				tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
				tpmh_u32(&c, rsa);
				tpmh_2b(&c, v == 0 ? digest : other, 32);
				tpmh_u16(&c, s);
				tpmh_u16(&c, TPM_ALG_SHA256);
				tpmh_2b(&c, sig, 256);
				EXPECT_EQ_U64(tpmh_send(&h, &c),
					      v == 0 ? TPM_RC_SUCCESS
						     : TPM_RCP(TPM_RC_SIGNATURE, 2));
			}
		}
		mbedtls_mpi_free(&e);
		mbedtls_mpi_free(&n);
		mbedtls_rsa_free(&ctx);
	}
	tpmh_destroy(&h);
}

/* A restricted key signs only TPM-hashed data that cannot pose as an attestation. */
UNIT_TEST(tpm_crypto_restricted_sign_needs_a_ticket)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint32_t ak;
	uint8_t digest[32], ticket[2 + 4 + 2 + 64];
	uint16_t dn = 0;
	static const uint8_t posing[] = {0xFF, 'T', 'C', 'G', 1, 2, 3};

	tpmh_init(&h);
	ak = primary(&h, TPM_RH_OWNER, &ECC_AK);
	sha256("data", 4, digest);
	EXPECT_EQ_U64(sign(&h, ak, digest, 32, TPM_ALG_NULL, NULL, 0), TPM_RCP(TPM_RC_TICKET, 3));
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *data = i == 0 ? (const uint8_t *)"data" : posing;
		size_t n = i == 0 ? 4 : sizeof(posing);
		size_t tn;

		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
		tpmh_2b(&c, data, n);
		tpmh_u16(&c, TPM_ALG_SHA256);
		tpmh_u32(&c, TPM_RH_OWNER);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		r = tpmh_params(&h, false);
		ASSERT(tpm_get_2b(&r, digest, sizeof(digest), &dn) == 0 && dn == 32);
		tn = r.left;
		ASSERT(tn <= sizeof(ticket));
		memcpy(ticket, r.p, tn);
		/* data that starts like TPM_GENERATED_VALUE gets the NULL ticket: refused */
		EXPECT_EQ_U64(sign(&h, ak, digest, 32, TPM_ALG_NULL, ticket, tn),
			      i == 0 ? TPM_RC_SUCCESS : TPM_RCP(TPM_RC_TICKET, 3));
		if (i == 0) {
			ticket[tn - 1] ^= 1; /* a forged ticket */
			EXPECT_EQ_U64(sign(&h, ak, digest, 32, TPM_ALG_NULL, ticket, tn),
				      TPM_RCP(TPM_RC_TICKET, 3));
		}
	}
	tpmh_destroy(&h);
}

static tpm_rc quote(struct tpmh *h, uint32_t key)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Quote);
	tpmh_u32(&c, key);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "nonce", 5);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u32(&c, 1); /* sha256: PCR 16 */
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_u8(&c, 3);
	tpmh_u8(&c, 0);
	tpmh_u8(&c, 0);
	tpmh_u8(&c, 1);
	return tpmh_send(h, &c);
}

UNIT_TEST(tpm_crypto_quote)
{
	struct tpmh h;
	uint32_t keys[2];
	uint32_t reset_seen[2];

	tpmh_init(&h);
	keys[0] = primary(&h, TPM_RH_ENDORSEMENT, &ECC_AK);
	keys[1] = primary(&h, TPM_RH_OWNER, &ECC_AK);
	for (unsigned i = 0; i < 2; i++) {
		const struct tpm_key *k = tpm_object_key(h.tpm, keys[i]);
		struct tpm_rd r, a;
		uint8_t attest[256], digest[32], want_pcr[32], pcr16[32] = {0};
		uint16_t n = 0, u16v = 0;
		uint32_t magic = 0;

		ASSERT(quote(&h, keys[i]) == TPM_RC_SUCCESS);
		r = tpmh_params(&h, false);
		ASSERT(tpm_get_2b(&r, attest, sizeof(attest), &n) == 0);
		sha256(attest, n, digest);
		expect_ecdsa_ok(&h, keys[i], &r, digest);
		EXPECT_EQ_U64(r.left, 0);
		/* TPMS_ATTEST: magic, type, qualifiedSigner, extraData, clockInfo, fw, quote info */
		a = tpm_rd_init(attest, n);
		ASSERT(tpm_get_u32(&a, &magic) == 0 && magic == 0xFF544347u);
		ASSERT(tpm_get_u16(&a, &u16v) == 0 && u16v == TPM_ST_ATTEST_QUOTE);
		ASSERT(tpm_get_u16(&a, &u16v) == 0 && u16v == k->qname_size);
		EXPECT_MEM_EQ(a.p, k->qname, k->qname_size);
		a.p += u16v;
		a.left -= u16v;
		ASSERT(tpm_get_u16(&a, &u16v) == 0 && u16v == 5);
		EXPECT_MEM_EQ(a.p, "nonce", 5);
		a.p += 5 + 8; /* extraData, clock */
		a.left -= 5 + 8;
		ASSERT(tpm_get_u32(&a, &reset_seen[i]) == 0);
		a.p += 4 + 1 + 8; /* restartCount, safe, firmwareVersion */
		a.left -= 4 + 1 + 8;
		/* the selection, then H(PCR 16) */
		a.p += 4 + 2 + 1 + 3;
		a.left -= 4 + 2 + 1 + 3;
		ASSERT(tpm_get_2b(&a, want_pcr, 32, &n) == 0 && n == 32);
		sha256(pcr16, 32, digest);
		EXPECT_MEM_EQ(want_pcr, digest, 32);
		EXPECT_EQ_U64(a.left, 0);
	}
	/* the endorsement key sees the real resetCount; the owner key an offset one */
	EXPECT_EQ_U64(reset_seen[0], h.tpm->perm.reset_count);
	EXPECT(reset_seen[1] != h.tpm->perm.reset_count);
	/* a storage key does not sign; TPM_RH_NULL is refused as libtpms does */
	EXPECT_EQ_U64(quote(&h, primary(&h, TPM_RH_OWNER, &ECC_EK)), TPM_RCH(TPM_RC_KEY, 1));
	EXPECT_EQ_U64(quote(&h, TPM_RH_NULL), TPM_RCP(TPM_RC_SCHEME, 2));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_crypto_credentials)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint32_t ek, ak;
	const struct tpm_key *akk;
	uint8_t blob[200], secret[200], out[64];
	uint16_t bn = 0, sn = 0, on = 0;

	tpmh_init(&h);
	ek = primary(&h, TPM_RH_ENDORSEMENT, &ECC_EK);
	ak = primary(&h, TPM_RH_ENDORSEMENT, &ECC_AK);
	akk = tpm_object_key(h.tpm, ak);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_MakeCredential);
	tpmh_u32(&c, ek);
	tpmh_2b(&c, "the credential", 14);
	tpmh_2b(&c, akk->name, akk->name_size);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	ASSERT(tpm_get_2b(&r, blob, sizeof(blob), &bn) == 0);
	ASSERT(tpm_get_2b(&r, secret, sizeof(secret), &sn) == 0);
	for (unsigned v = 0; v < 4; v++) {
		uint8_t b2[200], s2[200];

		memcpy(b2, blob, bn);
		memcpy(s2, secret, sn);
		if (v == 1)
			b2[bn - 1] ^= 1; /* the credential changed */
		if (v == 2)
			s2[5] ^= 1; /* the ephemeral point moved off the curve */
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_ActivateCredential);
		tpmh_u32(&c, v == 3 ? ek : ak); /* v 3: another object than the credential's */
		tpmh_u32(&c, ek);
		tpm_put_u32(&c.w, 0); /* authorization area: two password sessions */
		{
			size_t at = c.w.len - 4;
			size_t start = c.w.len;

			for (unsigned i = 0; i < 2; i++) {
				tpmh_u32(&c, TPM_RS_PW);
				tpmh_2b(&c, NULL, 0);
				tpmh_u8(&c, 1);
				tpmh_2b(&c, NULL, 0);
			}
			tpm_patch_u32(&c.w, at, (uint32_t)(c.w.len - start));
		}
		tpmh_2b(&c, b2, bn);
		tpmh_2b(&c, s2, sn);
		if (v == 0) {
			ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
			r = tpmh_params(&h, false);
			ASSERT(tpm_get_2b(&r, out, sizeof(out), &on) == 0);
			EXPECT_EQ_U64(on, 14);
			EXPECT_MEM_EQ(out, "the credential", 14);
		} else {
			EXPECT_EQ_U64(tpmh_send(&h, &c), v == 2 ? TPM_RCP(TPM_RC_ECC_POINT, 2)
								: TPM_RCP(TPM_RC_INTEGRITY, 1));
		}
	}
	/* MakeCredential needs a restricted decryption key, and a credential of a digest */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_MakeCredential);
	tpmh_u32(&c, ak);
	tpmh_2b(&c, "x", 1);
	tpmh_2b(&c, akk->name, akk->name_size);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_TYPE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_MakeCredential);
	tpmh_u32(&c, ek);
	tpmh_2b(&c, blob, 33);
	tpmh_2b(&c, akk->name, akk->name_size);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_SIZE, 1));
	tpmh_destroy(&h);
}

/* A public area alone: verifies and encrypts, cannot be authorized or persisted. */
UNIT_TEST(tpm_crypto_public_only_objects)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint32_t key, ext;
	uint8_t digest[32];
	struct tpl t = tpl_build(&TPL_ECC_SIGN);
	const struct tpm_key *k;

	tpmh_init(&h);
	key = primary(&h, TPM_RH_OWNER, &TPL_ECC_SIGN);
	k = tpm_object_key(h.tpm, key);
	/* the created key's public area, unique included */
	{
		uint8_t pub[TPM_PUBLIC_MAX];
		struct tpm_wr w = tpm_wr_init(pub, sizeof(pub));

		tpm_public_put(&w, &k->pub);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_LoadExternal);
		tpmh_2b(&c, NULL, 0);
		tpmh_2b(&c, pub, w.len);
		tpmh_u32(&c, TPM_RH_OWNER);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		ext = tpmh_rsp_handle(&h);
	}
	(void)t;
	EXPECT(tpm_object_key(h.tpm, ext)->public_only);
	sha256("m", 1, digest);
	EXPECT_EQ_U64(sign(&h, ext, digest, 32, TPM_ALG_NULL, NULL, 0), TPM_RC_AUTH_UNAVAILABLE);
	ASSERT(sign(&h, key, digest, 32, TPM_ALG_NULL, NULL, 0) == TPM_RC_SUCCESS);
	{
		/* the external copy verifies what the key signed */
		struct tpm_rd r = tpmh_params(&h, false);
		uint8_t sig[200];
		size_t n = r.left;

		memcpy(sig, r.p, n);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
		tpmh_u32(&c, ext);
		tpmh_2b(&c, digest, 32);
		tpmh_bytes(&c, sig, n);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	}
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, ext);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 0x81000003);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	tpmh_destroy(&h);
}

/* ---- HMAC sequences ------------------------------------------------------------------------- */

static const struct spec HMAC_KEY = {.type = TPM_ALG_KEYEDHASH,
				     .name_alg = TPM_ALG_SHA256,
				     .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					      OA_SIGN | OA_NODA,
				     .scheme = TPM_ALG_HMAC,
				     .scheme_hash = TPM_ALG_SHA256};
/* Signing and decrypting: no scheme (check_keyedhash_scheme), so HMAC_Start names the hash. */
static const struct spec HMAC_ANY = {.type = TPM_ALG_KEYEDHASH,
				     .name_alg = TPM_ALG_SHA256,
				     .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					      OA_SIGN | OA_DECRYPT | OA_NODA,
				     .scheme = TPM_ALG_NULL};

static tpm_rc hmac_start(struct tpmh *h, uint32_t key, const char *auth, uint16_t alg)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HMAC_Start);
	tpmh_u32(&c, key);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, auth, strlen(auth));
	tpmh_u16(&c, alg);
	return tpmh_send(h, &c);
}

static tpm_rc seq_send(struct tpmh *h, uint32_t cc, uint32_t seq, const char *pw, const char *data)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, cc);
	tpmh_u32(&c, seq);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, data, strlen(data));
	if (cc == TPM_CC_SequenceComplete)
		tpmh_u32(&c, TPM_RH_OWNER);
	return tpmh_send(h, &c);
}

/* SequenceComplete's result, which must come with the NULL ticket although OWNER was asked. */
static void expect_hmac_result(struct tpmh *h, const uint8_t *want, uint16_t n)
{
	struct tpm_rd r = tpmh_params(h, false);
	uint8_t got[TPM_MAX_DIGEST];
	uint16_t gn = 0, tag = 0, tk = 1;
	uint32_t hier = 0;

	ASSERT(tpm_get_2b(&r, got, sizeof(got), &gn) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u16(&r, &tag) == TPM_RC_SUCCESS && tag == TPM_ST_HASHCHECK);
	ASSERT(tpm_get_u32(&r, &hier) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u16(&r, &tk) == TPM_RC_SUCCESS);
	EXPECT(tpm_rd_done(&r));
	EXPECT_EQ_U64(hier, TPM_RH_NULL);
	EXPECT_EQ_U64(tk, 0);
	EXPECT_EQ_U64(gn, n);
	EXPECT_MEM_EQ(got, want, n);
}

/* HMAC over "abc" || "defg" || "hij" with the key's secret, computed by mbedTLS directly. */
static void want_hmac(struct tpmh *h, uint32_t key, mbedtls_md_type_t md, uint8_t *out)
{
	const struct tpm_key *k = tpm_object_key(h->tpm, key);

	ASSERT(k != NULL && k->sens_size > 0);
	ASSERT(mbedtls_md_hmac(mbedtls_md_info_from_type(md), k->sens, k->sens_size,
			       (const uint8_t *)"abcdefghij", 10, out) == 0);
}

UNIT_TEST(tpm_crypto_hmac_sequence)
{
	struct tpmh h;
	uint8_t want[TPM_MAX_DIGEST], want384[TPM_MAX_DIGEST];
	uint8_t ctx[TPM_CONTEXT_MAX];
	size_t ctx_n;
	uint32_t key, any, seq, seq2;
	struct tpmh_cmd c;

	tpmh_init(&h);
	key = primary(&h, TPM_RH_OWNER, &HMAC_KEY);
	any = primary(&h, TPM_RH_OWNER, &HMAC_ANY);
	want_hmac(&h, key, MBEDTLS_MD_SHA256, want);
	want_hmac(&h, any, MBEDTLS_MD_SHA384, want384);

	/* The key's scheme decides; the caller may repeat it. */
	ASSERT(hmac_start(&h, key, "sq", TPM_ALG_NULL) == TPM_RC_SUCCESS);
	seq = tpmh_rsp_handle(&h);
	EXPECT_EQ_U64(seq & 0xFF000000u, 0x80000000u);
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceUpdate, seq, "sq", "abc"), TPM_RC_SUCCESS);
	/* The sequence holds its own keyed state: flushing the key does not end it. */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, key);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	/* Wrong sequence auth (sequences are not DA-protected): nothing absorbed. */
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceUpdate, seq, "xx", "zzz"),
		      TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceUpdate, seq, "sq", "defg"), TPM_RC_SUCCESS);
	/* An HMAC sequence is not an event sequence. */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_EventSequenceComplete);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, seq);
	{
		size_t m = tpm_put_size32_begin(&c.w);

		for (unsigned i = 0; i < 2; i++) {
			tpm_put_u32(&c.w, TPM_RS_PW);
			tpm_put_u16(&c.w, 0);
			tpm_put_u8(&c.w, TPMA_SESSION_CONTINUESESSION);
			tpm_put_2b(&c.w, i == 1 ? "sq" : "", i == 1 ? 2 : 0);
		}
		tpm_put_size32_end(&c.w, m);
	}
	tpmh_2b(&c, NULL, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_MODE, 2));

	/* Save and reload it halfway: the state survives the context round trip. */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
	tpmh_u32(&c, seq);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	ctx_n = h.rsp_len - 10;
	ASSERT(ctx_n <= sizeof(ctx));
	memcpy(ctx, h.rsp + 10, ctx_n);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, seq);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
	tpmh_bytes(&c, ctx, ctx_n);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	seq2 = tpmh_rsp_handle(&h);
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceComplete, seq2, "sq", "hij"), TPM_RC_SUCCESS);
	expect_hmac_result(&h, want, 32);
	/* Completing flushed it. */
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceUpdate, seq2, "sq", "x"), TPM_RC_REFERENCE_H0);

	/* A key without a scheme takes the caller's hash, and needs one. */
	EXPECT_EQ_U64(hmac_start(&h, any, "", TPM_ALG_NULL), TPM_RCP(TPM_RC_VALUE, 2));
	ASSERT(hmac_start(&h, any, "", TPM_ALG_SHA384) == TPM_RC_SUCCESS);
	seq = tpmh_rsp_handle(&h);
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceUpdate, seq, "", "abcdefg"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(seq_send(&h, TPM_CC_SequenceComplete, seq, "", "hij"), TPM_RC_SUCCESS);
	expect_hmac_result(&h, want384, 48);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_crypto_hmac_start_refusals)
{
	struct tpmh h;
	uint32_t key, ecc, stor;
	unsigned used = 0;

	tpmh_init(&h);
	key = primary(&h, TPM_RH_OWNER, &HMAC_KEY);
	ecc = primary(&h, TPM_RH_OWNER, &TPL_ECC_SIGN);
	stor = primary(&h, TPM_RH_OWNER, &ECC_EK);
	/* Not a KEYEDHASH key; a restricted one; a hash other than the key's scheme. */
	EXPECT_EQ_U64(hmac_start(&h, ecc, "", TPM_ALG_NULL), TPM_RCH(TPM_RC_TYPE, 1));
	EXPECT_EQ_U64(hmac_start(&h, stor, "", TPM_ALG_NULL), TPM_RCH(TPM_RC_TYPE, 1));
	EXPECT_EQ_U64(hmac_start(&h, key, "", TPM_ALG_SHA1), TPM_RCP(TPM_RC_VALUE, 2));
	EXPECT_EQ_U64(hmac_start(&h, key, "", 0x7777), TPM_RCP(TPM_RC_SYMMETRIC, 2));
	/* Object memory runs out cleanly; no refusal left a sequence behind. */
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++) {
		tpm_rc rc = hmac_start(&h, key, "", TPM_ALG_NULL);

		if (rc == TPM_RC_OBJECT_MEMORY)
			break;
		EXPECT_EQ_U64(rc, TPM_RC_SUCCESS);
		used++;
	}
	EXPECT_EQ_U64(used, TPM_MAX_OBJECTS - 3);
	tpmh_destroy(&h);
}
