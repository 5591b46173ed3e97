/* SPDX-License-Identifier: MIT */
/*
 * AES-256-GCM after NIST SP 800-38D (section 6 and 7): GCTR over the AES block cipher, GHASH
 * with the bit-serial multiplication of Algorithm 1. The multiplication uses masks, not
 * branches, on secret bits; speed does not matter (a few messages per boot).
 */
#include "aes_gcm.h"
#include <lib/string.h>

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* X = X * H in GF(2^128) with GCM's bit order (SP 800-38D Algorithm 1). */
static void gf_mul(uint64_t *xh, uint64_t *xl, uint64_t hh, uint64_t hl)
{
	uint64_t zh = 0, zl = 0, vh = hh, vl = hl;

	for (unsigned int i = 0; i < 128; i++) {
		uint64_t bit = i < 64 ? (*xh >> (63 - i)) & 1 : (*xl >> (127 - i)) & 1;
		uint64_t m = 0 - bit;
		uint64_t lsb = vl & 1;

		zh ^= vh & m;
		zl ^= vl & m;
		vl = (vl >> 1) | (vh << 63);
		vh = (vh >> 1) ^ (0xE100000000000000ull & (0 - lsb));
	}
	*xh = zh;
	*xl = zl;
}

struct ghash {
	uint64_t hi, lo;
};

/* Absorbs data, the last block zero-padded (the AAD and the ciphertext are padded apart). */
static void ghash_update(const struct snp_gcm *g, struct ghash *s, const uint8_t *data, size_t len)
{
	while (len > 0) {
		uint8_t block[16];
		size_t n = len < 16 ? len : 16;

		memset(block, 0, sizeof(block));
		memcpy(block, data, n);
		s->hi ^= be64(block);
		s->lo ^= be64(block + 8);
		gf_mul(&s->hi, &s->lo, g->h_hi, g->h_lo);
		data += n;
		len -= n;
	}
}

/* S = GHASH(A || pad || C || pad || [len(A)]64 || [len(C)]64), then T = E(K, J0) ^ S. */
static void gcm_tag(struct snp_gcm *g, const uint8_t j0[16], const uint8_t *aad, size_t aad_len,
		    const uint8_t *c, size_t len, uint8_t tag[16])
{
	struct ghash s = {0, 0};
	uint8_t lens[16];
	uint8_t ek[16];

	ghash_update(g, &s, aad, aad_len);
	ghash_update(g, &s, c, len);
	put_be64(lens, (uint64_t)aad_len * 8);
	put_be64(lens + 8, (uint64_t)len * 8);
	ghash_update(g, &s, lens, sizeof(lens));
	(void)mbedtls_aes_crypt_ecb(&g->aes, MBEDTLS_AES_ENCRYPT, j0, ek);
	put_be64(tag, s.hi ^ be64(ek));
	put_be64(tag + 8, s.lo ^ be64(ek + 8));
	memset(ek, 0, sizeof(ek));
}

/* GCTR from inc32(J0): counter blocks IV || 32-bit big-endian counter starting at 2. */
static void gctr(struct snp_gcm *g, const uint8_t j0[16], const uint8_t *in, uint8_t *out,
		 size_t len)
{
	uint8_t cb[16];
	uint8_t ks[16];
	uint32_t ctr = 2;

	memcpy(cb, j0, 12);
	while (len > 0) {
		size_t n = len < 16 ? len : 16;

		cb[12] = (uint8_t)(ctr >> 24);
		cb[13] = (uint8_t)(ctr >> 16);
		cb[14] = (uint8_t)(ctr >> 8);
		cb[15] = (uint8_t)ctr;
		(void)mbedtls_aes_crypt_ecb(&g->aes, MBEDTLS_AES_ENCRYPT, cb, ks);
		for (size_t i = 0; i < n; i++)
			out[i] = in[i] ^ ks[i];
		ctr++;
		in += n;
		out += n;
		len -= n;
	}
	memset(ks, 0, sizeof(ks));
}

static void j0_of(const uint8_t iv[12], uint8_t j0[16])
{
	memcpy(j0, iv, 12);
	j0[12] = 0;
	j0[13] = 0;
	j0[14] = 0;
	j0[15] = 1;
}

bool snp_gcm_init(struct snp_gcm *g, const uint8_t key[32])
{
	static const uint8_t zero[16];
	uint8_t h[16];

	mbedtls_aes_init(&g->aes);
	if (mbedtls_aes_setkey_enc(&g->aes, key, 256) != 0 ||
	    mbedtls_aes_crypt_ecb(&g->aes, MBEDTLS_AES_ENCRYPT, zero, h) != 0) {
		snp_gcm_free(g);
		return false;
	}
	g->h_hi = be64(h);
	g->h_lo = be64(h + 8);
	memset(h, 0, sizeof(h));
	return true;
}

void snp_gcm_free(struct snp_gcm *g)
{
	mbedtls_aes_free(&g->aes); /* zeroises the key schedule */
	g->h_hi = 0;
	g->h_lo = 0;
}

void snp_gcm_seal(struct snp_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
		  const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16])
{
	uint8_t j0[16];

	j0_of(iv, j0);
	gctr(g, j0, in, out, len);
	gcm_tag(g, j0, aad, aad_len, out, len, tag);
}

bool snp_gcm_open(struct snp_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
		  const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16])
{
	uint8_t j0[16];
	uint8_t want[16];
	uint8_t diff = 0;

	j0_of(iv, j0);
	gcm_tag(g, j0, aad, aad_len, in, len, want);
	for (unsigned int i = 0; i < sizeof(want); i++)
		diff |= (uint8_t)(want[i] ^ tag[i]);
	if (diff != 0)
		return false;
	gctr(g, j0, in, out, len);
	return true;
}
