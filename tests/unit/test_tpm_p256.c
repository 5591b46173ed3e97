// SPDX-License-Identifier: MIT
/*
 * tpm/p256.c against mbedTLS's P-256 (mbedtls_ecp_mul on MBEDTLS_ECP_DP_SECP256R1): edge
 * scalars (1, 2, 3, window and Booth-digit boundaries, n - 1 and its neighbours, powers of two,
 * runs of ones) and fixed-seed random ones, times G and times variable points; then the
 * refusals (k = 0, k >= n, points off the curve, coordinates >= p).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform.h>

#include <mbedtls/ecdsa.h>

#include "../../tpm/ecc_p256.h"
#include "../../tpm/p256.h"
#include "tpm_harness.h"
#include "unit.h"

static const uint8_t N_BYTES[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
				    0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
static const uint8_t P_BYTES[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
				    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* A fixed-seed xorshift64 for the random scalars. */
static uint64_t xs_state;

static uint64_t xorshift64(void)
{
	uint64_t x = xs_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return xs_state = x;
}

/* mbedTLS's blinding: splitmix64 from the harness, apart from the scalars' generator. */
static int blind_rng(void *ctx, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)unit_rand64();
	return 0;
}

/* Hex of 32 bytes; two buffers in turn, so one message can show two values. */
static const char *hex32(const uint8_t b[32])
{
	static char bufs[2][65];
	static int turn;
	char *s = bufs[turn ^= 1];

	for (int i = 0; i < 32; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	return s;
}

/* b = b + d (d may be negative), big-endian, modulo 2^256. */
static void add_small(uint8_t b[32], int d)
{
	int carry = d;

	for (int i = 31; i >= 0 && carry != 0; i--) {
		int v = b[i] + carry;

		b[i] = (uint8_t)(v & 0xff);
		carry = v >> 8; /* arithmetic: -1 on a borrow */
	}
}

static bool lt_n(const uint8_t k[32])
{
	return memcmp(k, N_BYTES, 32) < 0;
}

/* k * (px, py) by mbedTLS, the point given affine (NULL for G); false when mbedTLS refuses. */
static bool ref_mul(uint8_t ox[32], uint8_t oy[32], const uint8_t k[32], const uint8_t *px,
		    const uint8_t *py)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point p, q;
	mbedtls_mpi m;
	bool ok;

	mbedtls_platform_set_calloc_free(calloc, free);
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&p);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&m);
	ok = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
	     mbedtls_mpi_read_binary(&m, k, 32) == 0;
	if (ok && px != NULL)
		ok = mbedtls_mpi_read_binary(&p.X, px, 32) == 0 &&
		     mbedtls_mpi_read_binary(&p.Y, py, 32) == 0 && mbedtls_mpi_lset(&p.Z, 1) == 0;
	else if (ok)
		ok = mbedtls_ecp_copy(&p, &grp.G) == 0;
	ok = ok && mbedtls_ecp_mul(&grp, &q, &m, &p, blind_rng, NULL) == 0 &&
	     mbedtls_mpi_write_binary(&q.X, ox, 32) == 0 &&
	     mbedtls_mpi_write_binary(&q.Y, oy, 32) == 0;
	mbedtls_mpi_free(&m);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_point_free(&p);
	mbedtls_ecp_group_free(&grp);
	return ok;
}

/* The edge scalars, then `random` fixed-seed ones; calls check(k) on each. */
static void each_scalar(int random, void (*check)(const uint8_t k[32], const void *arg),
			const void *arg)
{
	static const unsigned small[] = {1,  2,	 3,  4,	 7,  8,	  9,   15,
					 16, 17, 31, 32, 33, 255, 256, 257};
	uint8_t k[32];

	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		memset(k, 0, 32);
		k[30] = (uint8_t)(small[i] >> 8);
		k[31] = (uint8_t)small[i];
		check(k, arg);
	}
	/* n - 1 .. n - 40: n - 2 is the case where the last addition doubles (see p256.c). */
	for (int d = 1; d <= 40; d++) {
		memcpy(k, N_BYTES, 32);
		add_small(k, -d);
		check(k, arg);
	}
	/* Powers of two 2^1 .. 2^255 (2^128 and 2^255 among them). */
	for (int bit = 1; bit < 256; bit++) {
		memset(k, 0, 32);
		k[31 - bit / 8] = (uint8_t)(1u << (bit % 8));
		check(k, arg);
	}
	/* Runs of ones 2^j - 1 up to 2^255 - 1 (every Booth digit -1 but the top one). */
	for (int bits = 4; bits < 256; bits += 4) {
		memset(k, 0, 32);
		for (int b = 0; b < bits; b++)
			k[31 - b / 8] |= (uint8_t)(1u << (b % 8));
		check(k, arg);
	}
	memset(k, 0xff, 32);
	k[0] = 0x7f;
	check(k, arg);
	/* n with its low half all ones: still below n. */
	memcpy(k, N_BYTES, 32);
	memset(k + 16, 0, 16);
	check(k, arg);
	/* Every byte 0x88 / 0x77: alternating Booth signs. */
	memset(k, 0x88, 32);
	check(k, arg);
	memset(k, 0x77, 32);
	check(k, arg);

	xs_state = 0x5032353621ull;
	for (int i = 0; i < random; i++) {
		for (int j = 0; j < 32; j += 8) {
			uint64_t w = xorshift64();

			for (int b = 0; b < 8; b++)
				k[j + b] = (uint8_t)(w >> (8 * b));
		}
		if (!lt_n(k))
			k[0] &= 0x7f;
		check(k, arg);
	}
}

static void check_base(const uint8_t k[32], const void *arg)
{
	uint8_t x[32], y[32], rx[32], ry[32];
	int ret;

	ASSERT(ref_mul(rx, ry, k, NULL, NULL));
	ret = p256_mul_base(x, y, k);
	EXPECTF(ret == 0 && memcmp(x, rx, 32) == 0 && memcmp(y, ry, 32) == 0,
		"p256_mul_base: k = %s (returned %d)", hex32(k), ret);
}

struct point {
	uint8_t x[32], y[32];
};

static void check_point(const uint8_t k[32], const void *arg)
{
	const struct point *p = arg;
	uint8_t x[32], y[32], rx[32], ry[32];
	int ret;

	ASSERT(ref_mul(rx, ry, k, p->x, p->y));
	ret = p256_mul(x, y, k, p->x, p->y);
	EXPECTF(ret == 0 && memcmp(x, rx, 32) == 0 && memcmp(y, ry, 32) == 0,
		"p256_mul: k = %s, P.x = %.64s (returned %d)", hex32(k), hex32(p->x), ret);
}

static void scalar_of(uint8_t k[32], unsigned v)
{
	memset(k, 0, 32);
	k[28] = (uint8_t)(v >> 24);
	k[29] = (uint8_t)(v >> 16);
	k[30] = (uint8_t)(v >> 8);
	k[31] = (uint8_t)v;
}

UNIT_TEST(tpm_p256_base_vs_mbedtls)
{
	each_scalar(200, check_base, NULL);
}

UNIT_TEST(tpm_p256_point_vs_mbedtls)
{
	struct point p;
	uint8_t k[32];

	scalar_of(k, 7);
	ASSERT(ref_mul(p.x, p.y, k, NULL, NULL));
	each_scalar(200, check_point, &p);
	/* A point from a scalar no window pattern would favour. */
	memcpy(k,
	       "\x3a\x91\x0c\x55\xe2\x17\x6b\xd4\x08\xf3\x9e\x21\x7c\xa5\x40\x6f"
	       "\x13\xcb\x88\x02\x5d\xe9\xb6\x31\x94\x0e\x7a\xf1\x26\xd8\x63\xbb",
	       32);
	ASSERT(ref_mul(p.x, p.y, k, NULL, NULL));
	each_scalar(50, check_point, &p);
}

/* k * P computed twice with the same result, and k2 * (k1 * G) = (k1 k2) * G for small k. */
UNIT_TEST(tpm_p256_consistency)
{
	struct point p;
	uint8_t k[32], x[32], y[32], rx[32], ry[32];

	scalar_of(k, 12345);
	ASSERT(p256_mul_base(p.x, p.y, k) == 0);
	scalar_of(k, 6789);
	EXPECT(p256_mul(x, y, k, p.x, p.y) == 0);
	scalar_of(k, 12345u * 6789u);
	EXPECT(p256_mul_base(rx, ry, k) == 0);
	EXPECT_MEM_EQ(x, rx, 32);
	EXPECT_MEM_EQ(y, ry, 32);
}

UNIT_TEST(tpm_p256_rejects)
{
	uint8_t k[32], gx[32], gy[32], x[32], y[32], bad[32];
	const uint8_t *refused[3];
	uint8_t one[32];

	scalar_of(one, 1);
	ASSERT(p256_mul_base(gx, gy, one) == 0);
	EXPECT(p256_on_curve(gx, gy) == 0);

	/* k = 0, k = n, k = n + 1, k = 2^256 - 1 */
	uint8_t zero[32] = {0}, n[32], n1[32], all[32];

	memcpy(n, N_BYTES, 32);
	memcpy(n1, N_BYTES, 32);
	add_small(n1, 1);
	memset(all, 0xff, 32);
	refused[0] = zero;
	refused[1] = n;
	refused[2] = all;
	for (int i = 0; i < 3; i++) {
		memset(x, 0xa5, 32);
		EXPECTF(p256_mul_base(x, y, refused[i]) == -1, "p256_mul_base: k = %s",
			hex32(refused[i]));
		EXPECTF(p256_mul(x, y, refused[i], gx, gy) == -1, "p256_mul: k = %s",
			hex32(refused[i]));
		EXPECTF(x[0] == 0xa5 && x[31] == 0xa5, "output written for k = %s",
			hex32(refused[i]));
	}
	EXPECTF(p256_mul_base(x, y, n1) == -1, "k = n + 1 = %s", hex32(n1));

	/* Off the curve: G with y + 1, and (0, 0). */
	memcpy(bad, gy, 32);
	add_small(bad, 1);
	scalar_of(k, 5);
	EXPECT(p256_mul(x, y, k, gx, bad) == -1);
	EXPECT(p256_on_curve(gx, bad) == -1);
	memset(bad, 0, 32);
	EXPECT(p256_mul(x, y, k, bad, bad) == -1);
	EXPECT(p256_on_curve(bad, bad) == -1);

	/*
	 * Coordinates >= p. (0, Y0) is on the curve, so (p, Y0) is the same point modulo p and only
	 * the range check can refuse it.
	 */
	static const uint8_t Y0[32] = {0x66, 0x48, 0x5c, 0x78, 0x0e, 0x2f, 0x83, 0xd7,
				       0x24, 0x33, 0xbd, 0x5d, 0x84, 0xa0, 0x6b, 0xb6,
				       0x54, 0x1c, 0x2a, 0xf3, 0x1d, 0xae, 0x87, 0x17,
				       0x28, 0xbf, 0x85, 0x6a, 0x17, 0x4f, 0x93, 0xf4};
	uint8_t rx[32], ry[32];

	memset(bad, 0, 32);
	EXPECT(p256_on_curve(bad, Y0) == 0);
	EXPECT(p256_mul(x, y, k, bad, Y0) == 0);
	EXPECT(ref_mul(rx, ry, k, bad, Y0));
	EXPECT_MEM_EQ(x, rx, 32);
	EXPECT_MEM_EQ(y, ry, 32);
	EXPECT(p256_on_curve(P_BYTES, Y0) == -1);
	EXPECT(p256_mul(x, y, k, P_BYTES, Y0) == -1);
	EXPECT(p256_mul(x, y, k, P_BYTES, gy) == -1);
	EXPECT(p256_mul(x, y, k, gx, P_BYTES) == -1);
	memset(bad, 0xff, 32);
	EXPECT(p256_mul(x, y, k, bad, gy) == -1);
}

/*
 * ecc_p256.c: tpm_p256_derive against mbedTLS (d = c mod (n - 1) + 1, Q = d*G), and
 * signatures from tpm_p256_sign over digests of 20, 32, 48 and 64 bytes (the longer ones
 * truncated to 256 bits) that mbedtls_ecdsa_verify accepts, and refuses once a bit is flipped.
 */
UNIT_TEST(tpm_p256_ecdsa_vs_mbedtls)
{
	static const unsigned lens[] = {20, 32, 48, 64};
	struct tpmh h;

	xs_state = 0x5eed0ecd5a11ull;
	tpmh_init(&h);
	for (unsigned i = 0; i < 40; i++) {
		uint8_t c[40], d[32], x[32], y[32], wx[32], wy[32], digest[64], r[32], sv[32];
		mbedtls_ecp_group grp;
		mbedtls_ecp_point q;
		mbedtls_mpi cm, nm1, rm, sm;
		unsigned dl = lens[i % 4];

		for (unsigned j = 0; j < sizeof(c); j++)
			c[j] = (uint8_t)xorshift64();
		for (unsigned j = 0; j < sizeof(digest); j++)
			digest[j] = (uint8_t)xorshift64();
		if (i == 0)
			memset(c, 0, sizeof(c)); /* d = 1 */
		ASSERT(tpm_p256_derive(c, sizeof(c), d, x, y) == TPM_RC_SUCCESS);
		mbedtls_ecp_group_init(&grp);
		mbedtls_ecp_point_init(&q);
		mbedtls_mpi_init(&cm);
		mbedtls_mpi_init(&nm1);
		mbedtls_mpi_init(&rm);
		mbedtls_mpi_init(&sm);
		ASSERT(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0);
		ASSERT(mbedtls_mpi_read_binary(&cm, c, sizeof(c)) == 0);
		ASSERT(mbedtls_mpi_sub_int(&nm1, &grp.N, 1) == 0);
		ASSERT(mbedtls_mpi_mod_mpi(&cm, &cm, &nm1) == 0);
		ASSERT(mbedtls_mpi_add_int(&cm, &cm, 1) == 0);
		{
			uint8_t wd[32];

			ASSERT(mbedtls_mpi_write_binary(&cm, wd, 32) == 0);
			EXPECT_MEM_EQ(d, wd, 32);
		}
		ASSERT(ref_mul(wx, wy, d, NULL, NULL));
		EXPECT_MEM_EQ(x, wx, 32);
		EXPECT_MEM_EQ(y, wy, 32);
		ASSERT(tpm_p256_sign(h.tpm, d, digest, dl, r, sv) == TPM_RC_SUCCESS);
		ASSERT(mbedtls_mpi_read_binary(&q.X, x, 32) == 0);
		ASSERT(mbedtls_mpi_read_binary(&q.Y, y, 32) == 0);
		ASSERT(mbedtls_mpi_lset(&q.Z, 1) == 0);
		ASSERT(mbedtls_mpi_read_binary(&rm, r, 32) == 0);
		ASSERT(mbedtls_mpi_read_binary(&sm, sv, 32) == 0);
		EXPECTF(mbedtls_ecdsa_verify(&grp, digest, dl, &q, &rm, &sm) == 0,
			"signature %u (digest of %u bytes) refused", i, dl);
		digest[i % (dl < 32 ? dl : 32)] ^= 0x01; /* inside the 256 bits that count */
		EXPECT(mbedtls_ecdsa_verify(&grp, digest, dl, &q, &rm, &sm) != 0);
		mbedtls_mpi_free(&sm);
		mbedtls_mpi_free(&rm);
		mbedtls_mpi_free(&nm1);
		mbedtls_mpi_free(&cm);
		mbedtls_ecp_point_free(&q);
		mbedtls_ecp_group_free(&grp);
	}
	tpmh_destroy(&h);
}
