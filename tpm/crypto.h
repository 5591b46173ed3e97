/* SPDX-License-Identifier: MIT */
/*
 * The engine's hash, HMAC, KDFa and DRBG on top of mbedTLS (no allocation: contexts are plain
 * structs, so hash sequences live in object slots).
 */
#ifndef TPM_CRYPTO_H
#define TPM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#define TPM_MAX_DIGEST	   64u	/* SHA-512 */
#define TPM_MAX_HASH_BLOCK 128u /* SHA-384/512 block */

struct tpm_hash_ctx {
	uint16_t alg; /* TPM_ALG_SHA1/SHA256/SHA384/SHA512, 0 when unused */
	union {
		mbedtls_sha1_context sha1;
		mbedtls_sha256_context sha256;
		mbedtls_sha512_context sha512;
	} u;
};

struct tpm_hmac_ctx {
	struct tpm_hash_ctx h;
	uint8_t opad[TPM_MAX_HASH_BLOCK];
};

/* Digest size of a hash algorithm the engine implements, 0 for any other value. */
unsigned tpm_hash_size(uint16_t alg);
unsigned tpm_hash_block(uint16_t alg);
/* false when alg is not implemented (the context is then unusable). */
bool tpm_hash_start(struct tpm_hash_ctx *h, uint16_t alg);
void tpm_hash_update(struct tpm_hash_ctx *h, const void *p, size_t n);
/* Writes tpm_hash_size(alg) bytes and wipes the context. */
void tpm_hash_finish(struct tpm_hash_ctx *h, uint8_t *out);
void tpm_hash_copy(struct tpm_hash_ctx *dst, const struct tpm_hash_ctx *src);
bool tpm_hash(uint16_t alg, const void *p, size_t n, uint8_t *out);

bool tpm_hmac_start(struct tpm_hmac_ctx *m, uint16_t alg, const void *key, size_t key_len);
void tpm_hmac_update(struct tpm_hmac_ctx *m, const void *p, size_t n);
void tpm_hmac_finish(struct tpm_hmac_ctx *m, uint8_t *out);

/*
 * KDFa (Part 1, 11.4.10.2, SP 800-108 counter mode with HMAC): `bits` bits of output into out
 * (bits/8 rounded up bytes). label is a C string whose terminating zero is part of the input.
 */
bool tpm_kdfa(uint16_t alg, const void *key, size_t key_len, const char *label, const void *ctx_u,
	      size_t u_len, const void *ctx_v, size_t v_len, uint32_t bits, uint8_t *out);

/*
 * KDFe (Part 1, 11.4.10.3, SP 800-56A concatenation KDF): Hash(counter || Z || label || U || V)
 * blocks, the label with its terminating zero. For ECDH salts and seeds (label "SECRET").
 */
bool tpm_kdfe(uint16_t alg, const void *z, size_t z_len, const char *label, const void *u,
	      size_t u_len, const void *v, size_t v_len, uint32_t bits, uint8_t *out);

/*
 * mbedTLS allocates (big numbers, EC points and groups) through mbedtls_calloc/mbedtls_free,
 * which copra_mbedtls_config.h leaves to be set at run time (MBEDTLS_PLATFORM_MEMORY), and that
 * setting is one per program. The engine owns it: tpm_crypto_use_allocator(plat), called at the
 * start of every command, installs allocation through that platform's alloc/free callbacks,
 * and it stays installed after the command (other mbedTLS users in the program, e.g. the
 * kernel's AES-GCM, allocate through the most recently used engine's platform).
 * tpm_crypto_release_allocator(plat) (tpm_destroy) makes every later allocation fail until an
 * engine runs again, so no callback of a destroyed engine is ever called.
 */
struct tpm_platform;
void tpm_crypto_use_allocator(const struct tpm_platform *plat);
void tpm_crypto_release_allocator(const struct tpm_platform *plat);

/*
 * AES in CFB mode (128-bit feedback, Part 1, 11.4.6.3), in place over n bytes with the key of
 * `bits` (128 or 256) and the IV (16 bytes, updated). false for another key size.
 */
bool tpm_aes_cfb(const uint8_t *key, unsigned bits, uint8_t iv[16], bool encrypt, uint8_t *buf,
		 size_t n);

/* Constant-time equality of two byte strings of the same length. */
bool tpm_ct_equal(const void *a, const void *b, size_t n);
/* Wipe secrets (not optimized away). */
void tpm_wipe(void *p, size_t n);

/* CTR_DRBG (AES-256) seeded from the platform's entropy source. */
struct tpm_drbg {
	mbedtls_ctr_drbg_context ctr;
	bool ready;
};

typedef int (*tpm_entropy_fn)(void *ctx, unsigned char *buf, size_t len);
bool tpm_drbg_init(struct tpm_drbg *d, tpm_entropy_fn f, void *ctx, const void *pers,
		   size_t pers_len);
bool tpm_drbg_generate(struct tpm_drbg *d, void *buf, size_t n);
/* Mix caller data into the state (StirRandom). */
bool tpm_drbg_stir(struct tpm_drbg *d, const void *p, size_t n);
void tpm_drbg_free(struct tpm_drbg *d);

#endif
