// SPDX-License-Identifier: MIT
/* Hashes, HMAC, KDFa and the DRBG of the TPM engine (see crypto.h). */
#include <lib/string.h>
#include <tpm/tpm.h>
#include <tpm/tpm_types.h>

#include <mbedtls/aes.h>
#include <mbedtls/platform.h>

#include "crypto.h"
#include "marshal.h"

unsigned tpm_hash_size(uint16_t alg)
{
	switch (alg) {
	case TPM_ALG_SHA1:
		return 20;
	case TPM_ALG_SHA256:
		return 32;
	case TPM_ALG_SHA384:
		return 48;
	case TPM_ALG_SHA512:
		return 64;
	default:
		return 0;
	}
}

unsigned tpm_hash_block(uint16_t alg)
{
	return alg == TPM_ALG_SHA384 || alg == TPM_ALG_SHA512 ? 128 : 64;
}

bool tpm_hash_start(struct tpm_hash_ctx *h, uint16_t alg)
{
	memset(h, 0, sizeof(*h));
	switch (alg) {
	case TPM_ALG_SHA1:
		mbedtls_sha1_init(&h->u.sha1);
		(void)mbedtls_sha1_starts_ret(&h->u.sha1);
		break;
	case TPM_ALG_SHA256:
		mbedtls_sha256_init(&h->u.sha256);
		(void)mbedtls_sha256_starts_ret(&h->u.sha256, 0);
		break;
	case TPM_ALG_SHA384:
	case TPM_ALG_SHA512:
		mbedtls_sha512_init(&h->u.sha512);
		(void)mbedtls_sha512_starts_ret(&h->u.sha512, alg == TPM_ALG_SHA384);
		break;
	default:
		return false;
	}
	h->alg = alg;
	return true;
}

/* The _ret functions of these software hashes cannot fail once started (mbedTLS 2.28). */
void tpm_hash_update(struct tpm_hash_ctx *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	switch (h->alg) {
	case TPM_ALG_SHA1:
		(void)mbedtls_sha1_update_ret(&h->u.sha1, b, n);
		break;
	case TPM_ALG_SHA256:
		(void)mbedtls_sha256_update_ret(&h->u.sha256, b, n);
		break;
	case TPM_ALG_SHA384:
	case TPM_ALG_SHA512:
		(void)mbedtls_sha512_update_ret(&h->u.sha512, b, n);
		break;
	default:
		break;
	}
}

void tpm_hash_finish(struct tpm_hash_ctx *h, uint8_t *out)
{
	uint8_t full[64];

	switch (h->alg) {
	case TPM_ALG_SHA1:
		(void)mbedtls_sha1_finish_ret(&h->u.sha1, out);
		break;
	case TPM_ALG_SHA256:
		(void)mbedtls_sha256_finish_ret(&h->u.sha256, out);
		break;
	case TPM_ALG_SHA384:
	case TPM_ALG_SHA512:
		/* mbedTLS writes 64 bytes even for SHA-384. */
		(void)mbedtls_sha512_finish_ret(&h->u.sha512, full);
		memcpy(out, full, tpm_hash_size(h->alg));
		tpm_wipe(full, sizeof(full));
		break;
	default:
		break;
	}
	tpm_wipe(h, sizeof(*h));
}

void tpm_hash_copy(struct tpm_hash_ctx *dst, const struct tpm_hash_ctx *src)
{
	/* The software contexts hold no pointers: a byte copy is a full clone. */
	memcpy(dst, src, sizeof(*dst));
}

bool tpm_hash(uint16_t alg, const void *p, size_t n, uint8_t *out)
{
	struct tpm_hash_ctx h;

	if (!tpm_hash_start(&h, alg))
		return false;
	tpm_hash_update(&h, p, n);
	tpm_hash_finish(&h, out);
	return true;
}

bool tpm_hmac_start(struct tpm_hmac_ctx *m, uint16_t alg, const void *key, size_t key_len)
{
	uint8_t k[TPM_MAX_HASH_BLOCK];
	uint8_t ipad[TPM_MAX_HASH_BLOCK];
	unsigned block = tpm_hash_block(alg);

	if (tpm_hash_size(alg) == 0)
		return false;
	memset(k, 0, sizeof(k));
	if (key_len > block)
		(void)tpm_hash(alg, key, key_len, k);
	else if (key_len != 0)
		memcpy(k, key, key_len);
	for (unsigned i = 0; i < block; i++) {
		ipad[i] = k[i] ^ 0x36;
		m->opad[i] = k[i] ^ 0x5c;
	}
	(void)tpm_hash_start(&m->h, alg);
	tpm_hash_update(&m->h, ipad, block);
	tpm_wipe(k, sizeof(k));
	tpm_wipe(ipad, sizeof(ipad));
	return true;
}

void tpm_hmac_update(struct tpm_hmac_ctx *m, const void *p, size_t n)
{
	tpm_hash_update(&m->h, p, n);
}

void tpm_hmac_finish(struct tpm_hmac_ctx *m, uint8_t *out)
{
	uint8_t inner[TPM_MAX_DIGEST];
	uint16_t alg = m->h.alg;
	struct tpm_hash_ctx o;

	tpm_hash_finish(&m->h, inner);
	(void)tpm_hash_start(&o, alg);
	tpm_hash_update(&o, m->opad, tpm_hash_block(alg));
	tpm_hash_update(&o, inner, tpm_hash_size(alg));
	tpm_hash_finish(&o, out);
	tpm_wipe(inner, sizeof(inner));
	tpm_wipe(m, sizeof(*m));
}

bool tpm_kdfa(uint16_t alg, const void *key, size_t key_len, const char *label, const void *ctx_u,
	      size_t u_len, const void *ctx_v, size_t v_len, uint32_t bits, uint8_t *out)
{
	unsigned dsize = tpm_hash_size(alg);
	size_t bytes = ((size_t)bits + 7) / 8;
	uint8_t block[TPM_MAX_DIGEST];
	uint8_t be[4];
	size_t done = 0;

	if (dsize == 0 || bits == 0)
		return false;
	for (uint32_t counter = 1; done < bytes; counter++) {
		struct tpm_hmac_ctx m;
		size_t n = bytes - done < dsize ? bytes - done : dsize;

		(void)tpm_hmac_start(&m, alg, key, key_len);
		tpm_be32(be, counter);
		tpm_hmac_update(&m, be, 4);
		/* The label includes its terminating zero octet (Part 1, 11.4.10.2). */
		tpm_hmac_update(&m, label, strlen(label) + 1);
		tpm_hmac_update(&m, ctx_u, u_len);
		tpm_hmac_update(&m, ctx_v, v_len);
		tpm_be32(be, bits);
		tpm_hmac_update(&m, be, 4);
		tpm_hmac_finish(&m, block);
		memcpy(out + done, block, n);
		done += n;
	}
	/* Mask the unused high bits of the first octet when bits is not a multiple of 8. */
	if (bits % 8 != 0)
		out[0] &= (uint8_t)((1u << (bits % 8)) - 1);
	tpm_wipe(block, sizeof(block));
	return true;
}

bool tpm_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(x[i] ^ y[i]);
	return diff == 0;
}

void tpm_wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = 0;
}

bool tpm_drbg_init(struct tpm_drbg *d, tpm_entropy_fn f, void *ctx, const void *pers,
		   size_t pers_len)
{
	mbedtls_ctr_drbg_init(&d->ctr);
	d->ready = mbedtls_ctr_drbg_seed(&d->ctr, f, ctx, pers, pers_len) == 0;
	return d->ready;
}

bool tpm_drbg_generate(struct tpm_drbg *d, void *buf, size_t n)
{
	uint8_t *b = buf;

	if (!d->ready)
		return false;
	while (n != 0) {
		size_t chunk = n < MBEDTLS_CTR_DRBG_MAX_REQUEST ? n : MBEDTLS_CTR_DRBG_MAX_REQUEST;

		if (mbedtls_ctr_drbg_random(&d->ctr, b, chunk) != 0)
			return false;
		b += chunk;
		n -= chunk;
	}
	return true;
}

bool tpm_drbg_stir(struct tpm_drbg *d, const void *p, size_t n)
{
	if (!d->ready)
		return false;
	return mbedtls_ctr_drbg_update_ret(&d->ctr, p, n) == 0;
}

void tpm_drbg_free(struct tpm_drbg *d)
{
	mbedtls_ctr_drbg_free(&d->ctr);
	d->ready = false;
}

/* The platform whose allocator mbedTLS uses (the engine that ran a command last). */
static const struct tpm_platform *alloc_plat;

static void *mbed_calloc(size_t n, size_t size)
{
	const struct tpm_platform *p = alloc_plat;

	if (p == NULL || (size != 0 && n > SIZE_MAX / size))
		return NULL;
	/* The platform allocator returns zeroed memory, as calloc must. */
	return p->alloc(p->ctx, n * size != 0 ? n * size : 1);
}

static void mbed_free(void *ptr)
{
	const struct tpm_platform *p = alloc_plat;

	if (ptr != NULL && p != NULL)
		p->free(p->ctx, ptr);
}

void tpm_crypto_use_allocator(const struct tpm_platform *plat)
{
	alloc_plat = plat;
	/* Again every time: a program may have installed another allocator meanwhile. */
	(void)mbedtls_platform_set_calloc_free(mbed_calloc, mbed_free);
}

void tpm_crypto_release_allocator(const struct tpm_platform *plat)
{
	if (alloc_plat == plat)
		alloc_plat = NULL;
}

bool tpm_aes_cfb(const uint8_t *key, unsigned bits, uint8_t iv[16], bool encrypt, uint8_t *buf,
		 size_t n)
{
	mbedtls_aes_context aes;
	size_t off = 0;
	int err;

	if (bits != 128 && bits != 256)
		return false;
	mbedtls_aes_init(&aes);
	/* CFB runs the block cipher forwards in both directions. */
	err = mbedtls_aes_setkey_enc(&aes, key, bits);
	if (err == 0)
		err = mbedtls_aes_crypt_cfb128(&aes,
					       encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT,
					       n, &off, iv, buf, buf);
	mbedtls_aes_free(&aes);
	return err == 0;
}

bool tpm_kdfe(uint16_t alg, const void *z, size_t z_len, const char *label, const void *u,
	      size_t u_len, const void *v, size_t v_len, uint32_t bits, uint8_t *out)
{
	unsigned dsize = tpm_hash_size(alg);
	size_t bytes = ((size_t)bits + 7) / 8;
	uint8_t block[TPM_MAX_DIGEST];
	uint8_t be[4];
	size_t done = 0;

	if (dsize == 0 || bits == 0)
		return false;
	for (uint32_t counter = 1; done < bytes; counter++) {
		struct tpm_hash_ctx h;
		size_t n = bytes - done < dsize ? bytes - done : dsize;

		(void)tpm_hash_start(&h, alg);
		tpm_be32(be, counter);
		tpm_hash_update(&h, be, 4);
		tpm_hash_update(&h, z, z_len);
		/* As in KDFa, the label includes its terminating zero octet. */
		tpm_hash_update(&h, label, strlen(label) + 1);
		tpm_hash_update(&h, u, u_len);
		tpm_hash_update(&h, v, v_len);
		tpm_hash_finish(&h, block);
		memcpy(out + done, block, n);
		done += n;
	}
	if (bits % 8 != 0)
		out[0] &= (uint8_t)((1u << (bits % 8)) - 1);
	tpm_wipe(block, sizeof(block));
	return true;
}
