/* SPDX-License-Identifier: MIT */
/*
 * mbedTLS as Copra builds it (tpm/mbedtls/copra_mbedtls_config.h, the hosted $(MBEDTLS_HOST_LIB)):
 * published known answers for every hash, HMAC, HKDF, AES-CFB128 and AES-GCM, and round trips
 * for ECDSA P-256, ECDH P-384 and RSA-2048 (keygen, OAEP, PKCS#1 v1.5 and PSS signatures) driven
 * by a CTR_DRBG seeded from a fixed pattern, so every run computes the same keys. Allocation goes
 * through mbedtls_platform_set_calloc_free(), as in the engine, here onto libc under ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <mbedtls/aes.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform.h>
#include <mbedtls/rsa.h>

/* mbedTLS returns 0 or a negative code; print it as its headers spell them (-0xNNNN). */
static bool expect_ok_at(int ret, const char *file, int line, const char *expr)
{
	return unit_checkf(ret == 0, file, line, expr, "returned -0x%04x", (unsigned int)-ret);
}
#define EXPECT_OK(call) expect_ok_at((call), __FILE__, __LINE__, #call)

/* Decodes a hex string (as the test vectors are printed) into out; returns the byte count. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	ASSERT(strlen(hex) % 2 == 0 && n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int byte = 0;

		for (int j = 0; j < 2; j++) {
			char c = hex[2 * i + j];

			ASSERT((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
			byte = byte * 16 + (unsigned int)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		out[i] = (uint8_t)byte;
	}
	return n;
}

static void use_libc_allocator(void)
{
	mbedtls_platform_set_calloc_free(calloc, free);
}

/* A stand-in entropy source: 0, 1, 2, ... so the DRBG, and every key drawn from it, is fixed. */
static int pattern_entropy(void *ctx, unsigned char *buf, size_t len)
{
	uint8_t *next = ctx;

	for (size_t i = 0; i < len; i++)
		buf[i] = (*next)++;
	return 0;
}

/* Seeds an initialised drbg from the pattern, starting at 0. */
static bool drbg_setup(mbedtls_ctr_drbg_context *drbg, uint8_t *pattern, const char *pers)
{
	*pattern = 0;
	return EXPECT_OK(mbedtls_ctr_drbg_seed(drbg, pattern_entropy, pattern,
					       (const unsigned char *)pers, strlen(pers)));
}

/* FIPS 180-4 example "abc" for each hash, through the md layer the engine uses. */
UNIT_TEST(mbedtls_sha_abc)
{
	static const struct {
		mbedtls_md_type_t type;
		const char *digest;
	} v[] = {
		{MBEDTLS_MD_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{MBEDTLS_MD_SHA256,
		 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{MBEDTLS_MD_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
				    "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
		{MBEDTLS_MD_SHA512,
		 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	};

	use_libc_allocator();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const mbedtls_md_info_t *md = mbedtls_md_info_from_type(v[i].type);
		uint8_t want[MBEDTLS_MD_MAX_SIZE], got[MBEDTLS_MD_MAX_SIZE];
		size_t n = unhex(v[i].digest, want, sizeof(want));

		if (!EXPECTF(md != NULL, "md type %d", (int)v[i].type))
			continue;
		EXPECT_EQ_U64(mbedtls_md_get_size(md), n);
		EXPECT_OK(mbedtls_md(md, (const unsigned char *)"abc", 3, got));
		EXPECT_MEM_EQ(got, want, n);
	}
}

/* RFC 4231 section 4.3, test case 2 (a key shorter than the block). */
UNIT_TEST(mbedtls_hmac_sha256_rfc4231_case2)
{
	static const char data[] = "what do ya want for nothing?";
	uint8_t want[32], got[32];

	use_libc_allocator();
	unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want,
	      sizeof(want));
	EXPECT_OK(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
				  (const unsigned char *)"Jefe", 4, (const unsigned char *)data,
				  strlen(data), got));
	EXPECT_MEM_EQ(got, want, sizeof(want));
}

/* RFC 5869 appendix A.1, test case 1 (HKDF-SHA256). */
UNIT_TEST(mbedtls_hkdf_sha256_rfc5869_case1)
{
	uint8_t ikm[22], salt[13], info[10], want[42], got[42];

	use_libc_allocator();
	unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", ikm, sizeof(ikm));
	unhex("000102030405060708090a0b0c", salt, sizeof(salt));
	unhex("f0f1f2f3f4f5f6f7f8f9", info, sizeof(info));
	unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b88718586"
	      "5",
	      want, sizeof(want));
	EXPECT_OK(mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), salt, sizeof(salt),
			       ikm, sizeof(ikm), info, sizeof(info), got, sizeof(got)));
	EXPECT_MEM_EQ(got, want, sizeof(want));
}

/* NIST SP 800-38A F.3.13 (CFB128-AES128.Encrypt), and decryption back to the plaintext. */
UNIT_TEST(mbedtls_aes128_cfb128_sp800_38a)
{
	uint8_t key[16], iv0[16], iv[16], pt[64], ct[64], out[64];
	mbedtls_aes_context aes;
	size_t off = 0;

	use_libc_allocator();
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, sizeof(key));
	unhex("000102030405060708090a0b0c0d0e0f", iv0, sizeof(iv0));
	unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	      pt, sizeof(pt));
	unhex("3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
	      "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6",
	      ct, sizeof(ct));

	mbedtls_aes_init(&aes);
	/* CFB uses the forward cipher in both directions. */
	EXPECT_OK(mbedtls_aes_setkey_enc(&aes, key, 128));
	memcpy(iv, iv0, sizeof(iv));
	EXPECT_OK(
		mbedtls_aes_crypt_cfb128(&aes, MBEDTLS_AES_ENCRYPT, sizeof(pt), &off, iv, pt, out));
	EXPECT_MEM_EQ(out, ct, sizeof(ct));

	off = 0;
	memcpy(iv, iv0, sizeof(iv));
	EXPECT_OK(
		mbedtls_aes_crypt_cfb128(&aes, MBEDTLS_AES_DECRYPT, sizeof(ct), &off, iv, ct, out));
	EXPECT_MEM_EQ(out, pt, sizeof(pt));
	mbedtls_aes_free(&aes);
}

/* The GCM specification's test case 2 (AES-128, zero key, IV and one zero block). */
UNIT_TEST(mbedtls_aes128_gcm_case2)
{
	static const uint8_t zero[16];
	uint8_t want_ct[16], want_tag[16], ct[16], tag[16], out[16];
	mbedtls_gcm_context gcm;

	use_libc_allocator();
	unhex("0388dace60b6a392f328c2b971b2fe78", want_ct, sizeof(want_ct));
	unhex("ab6e47d42cec13bdf53a67b21257bddf", want_tag, sizeof(want_tag));

	mbedtls_gcm_init(&gcm);
	if (!EXPECT_OK(mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, zero, 128)))
		goto out;
	EXPECT_OK(mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, sizeof(zero), zero, 12, NULL,
					    0, zero, ct, sizeof(tag), tag));
	EXPECT_MEM_EQ(ct, want_ct, sizeof(ct));
	EXPECT_MEM_EQ(tag, want_tag, sizeof(tag));
	EXPECT_OK(mbedtls_gcm_auth_decrypt(&gcm, sizeof(ct), zero, 12, NULL, 0, tag, sizeof(tag),
					   ct, out));
	EXPECT_MEM_EQ(out, zero, sizeof(out));
	tag[0] ^= 1;
	EXPECT_EQ_U64(mbedtls_gcm_auth_decrypt(&gcm, sizeof(ct), zero, 12, NULL, 0, tag,
					       sizeof(tag), ct, out),
		      MBEDTLS_ERR_GCM_AUTH_FAILED);
out:
	mbedtls_gcm_free(&gcm);
}

/* The same seed gives the same stream: the round trips below are reproducible. */
UNIT_TEST(mbedtls_ctr_drbg_is_deterministic)
{
	mbedtls_ctr_drbg_context a, b;
	uint8_t pa, pb, out_a[64], out_b[64];

	use_libc_allocator();
	mbedtls_ctr_drbg_init(&a);
	mbedtls_ctr_drbg_init(&b);
	if (drbg_setup(&a, &pa, "copra") && drbg_setup(&b, &pb, "copra")) {
		EXPECT_OK(mbedtls_ctr_drbg_random(&a, out_a, sizeof(out_a)));
		EXPECT_OK(mbedtls_ctr_drbg_random(&b, out_b, sizeof(out_b)));
		EXPECT_MEM_EQ(out_a, out_b, sizeof(out_a));
	}
	mbedtls_ctr_drbg_free(&b);
	mbedtls_ctr_drbg_free(&a);
}

/* P-256 key generation, raw (r, s) and DER signatures, and a changed hash rejected. */
UNIT_TEST(mbedtls_ecdsa_p256_sign_verify)
{
	uint8_t hash[32], sig[MBEDTLS_ECDSA_MAX_LEN], pattern;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ecdsa_context key;
	mbedtls_mpi r, s;
	size_t sig_len = 0;

	use_libc_allocator();
	mbedtls_ecdsa_init(&key);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mbedtls_ctr_drbg_init(&drbg);
	if (!drbg_setup(&drbg, &pattern, "ecdsa p-256"))
		goto out;
	EXPECT_OK(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
			     (const unsigned char *)"abc", 3, hash));
	if (!EXPECT_OK(mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random,
					    &drbg)))
		goto out;
	EXPECT_OK(mbedtls_ecp_check_pubkey(&key.grp, &key.Q));

	if (EXPECT_OK(mbedtls_ecdsa_sign(&key.grp, &r, &s, &key.d, hash, sizeof(hash),
					 mbedtls_ctr_drbg_random, &drbg))) {
		EXPECT_OK(mbedtls_ecdsa_verify(&key.grp, hash, sizeof(hash), &key.Q, &r, &s));
		hash[0] ^= 1;
		EXPECT_EQ_U64(mbedtls_ecdsa_verify(&key.grp, hash, sizeof(hash), &key.Q, &r, &s),
			      MBEDTLS_ERR_ECP_VERIFY_FAILED);
		hash[0] ^= 1;
	}

	if (EXPECT_OK(mbedtls_ecdsa_write_signature(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash),
						    sig, &sig_len, mbedtls_ctr_drbg_random,
						    &drbg))) {
		EXPECT_OK(mbedtls_ecdsa_read_signature(&key, hash, sizeof(hash), sig, sig_len));
		hash[31] ^= 0x80;
		EXPECT_EQ_U64(mbedtls_ecdsa_read_signature(&key, hash, sizeof(hash), sig, sig_len),
			      MBEDTLS_ERR_ECP_VERIFY_FAILED);
	}
out:
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_ecdsa_free(&key);
}

/* P-384 ECDH: both sides derive the same shared secret. */
UNIT_TEST(mbedtls_ecdh_p384_agree)
{
	mbedtls_mpi d_a, d_b, z_a, z_b;
	mbedtls_ecp_point q_a, q_b;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ecp_group grp;
	uint8_t pattern;

	use_libc_allocator();
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d_a);
	mbedtls_mpi_init(&d_b);
	mbedtls_mpi_init(&z_a);
	mbedtls_mpi_init(&z_b);
	mbedtls_ecp_point_init(&q_a);
	mbedtls_ecp_point_init(&q_b);
	mbedtls_ctr_drbg_init(&drbg);
	if (!drbg_setup(&drbg, &pattern, "ecdh p-384") ||
	    !EXPECT_OK(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP384R1)) ||
	    !EXPECT_OK(mbedtls_ecdh_gen_public(&grp, &d_a, &q_a, mbedtls_ctr_drbg_random, &drbg)) ||
	    !EXPECT_OK(mbedtls_ecdh_gen_public(&grp, &d_b, &q_b, mbedtls_ctr_drbg_random, &drbg)))
		goto out;
	EXPECT_EQ_U64(grp.pbits, 384);
	EXPECT_OK(mbedtls_ecdh_compute_shared(&grp, &z_a, &q_b, &d_a, mbedtls_ctr_drbg_random,
					      &drbg));
	EXPECT_OK(mbedtls_ecdh_compute_shared(&grp, &z_b, &q_a, &d_b, mbedtls_ctr_drbg_random,
					      &drbg));
	EXPECT(mbedtls_mpi_cmp_mpi(&z_a, &z_b) == 0);
	EXPECT(mbedtls_mpi_cmp_int(&z_a, 0) != 0);
out:
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_ecp_point_free(&q_b);
	mbedtls_ecp_point_free(&q_a);
	mbedtls_mpi_free(&z_b);
	mbedtls_mpi_free(&z_a);
	mbedtls_mpi_free(&d_b);
	mbedtls_mpi_free(&d_a);
	mbedtls_ecp_group_free(&grp);
}

/*
 * One RSA-2048 key (generation is the slow part): OAEP-SHA256 with a label round trip, a wrong
 * label refused, then PKCS#1 v1.5 (DigestInfo through oid/asn1) and PSS signatures.
 */
UNIT_TEST(mbedtls_rsa2048_keygen_oaep_and_signatures)
{
	static const char msg[] = "Copra vTPM seed";
	static const char label[] = "DUPLICATE";
	uint8_t ct[256], out[256], hash[32], sig[256], pattern;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_rsa_context rsa;
	size_t out_len = 0;

	use_libc_allocator();
	mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	mbedtls_ctr_drbg_init(&drbg);
	if (!drbg_setup(&drbg, &pattern, "rsa-2048") ||
	    !EXPECT_OK(mbedtls_rsa_gen_key(&rsa, mbedtls_ctr_drbg_random, &drbg, 2048, 65537)))
		goto out;
	EXPECT_EQ_U64(mbedtls_rsa_get_len(&rsa), 256);
	EXPECT_OK(mbedtls_rsa_check_privkey(&rsa));

	if (EXPECT_OK(mbedtls_rsa_rsaes_oaep_encrypt(
		    &rsa, mbedtls_ctr_drbg_random, &drbg, MBEDTLS_RSA_PUBLIC,
		    (const unsigned char *)label, strlen(label), sizeof(msg),
		    (const unsigned char *)msg, ct))) {
		EXPECT_OK(mbedtls_rsa_rsaes_oaep_decrypt(
			&rsa, mbedtls_ctr_drbg_random, &drbg, MBEDTLS_RSA_PRIVATE,
			(const unsigned char *)label, strlen(label), &out_len, ct, out,
			sizeof(out)));
		EXPECT_EQ_U64(out_len, sizeof(msg));
		EXPECT_MEM_EQ(out, msg, sizeof(msg));
		EXPECT_EQ_U64(mbedtls_rsa_rsaes_oaep_decrypt(&rsa, mbedtls_ctr_drbg_random, &drbg,
							     MBEDTLS_RSA_PRIVATE,
							     (const unsigned char *)"OTHER", 5,
							     &out_len, ct, out, sizeof(out)),
			      MBEDTLS_ERR_RSA_INVALID_PADDING);
	}

	EXPECT_OK(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
			     (const unsigned char *)msg, sizeof(msg), hash));
	mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_NONE);
	if (EXPECT_OK(mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &drbg,
					     MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256, sizeof(hash),
					     hash, sig))) {
		EXPECT_OK(mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						   MBEDTLS_MD_SHA256, sizeof(hash), hash, sig));
		sig[100] ^= 1;
		EXPECT(mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						MBEDTLS_MD_SHA256, sizeof(hash), hash, sig) != 0);
	}

	mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
	if (EXPECT_OK(mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &drbg,
					     MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256, sizeof(hash),
					     hash, sig))) {
		EXPECT_OK(mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						   MBEDTLS_MD_SHA256, sizeof(hash), hash, sig));
		hash[0] ^= 1;
		EXPECT(mbedtls_rsa_pkcs1_verify(&rsa, NULL, NULL, MBEDTLS_RSA_PUBLIC,
						MBEDTLS_MD_SHA256, sizeof(hash), hash, sig) != 0);
	}
out:
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_rsa_free(&rsa);
}
