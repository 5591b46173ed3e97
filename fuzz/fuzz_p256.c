/* SPDX-License-Identifier: MIT */
/*
 * tpm/p256.c (the engine's own P-256 scalar multiplication) against mbedTLS's, differentially.
 *
 * Input: a mode byte, then 32-byte big-endian fields (zero where the input runs dry):
 *   mode % 3 == 0  k: p256_mul_base(k) against mbedtls_ecp_mul(k, G)
 *   mode % 3 == 1  k, s: P = s*G (by mbedTLS), then p256_mul(k, P) against mbedtls_ecp_mul(k, P)
 *   mode % 3 == 2  k, x, y: p256_on_curve(x, y) against mbedtls_ecp_check_pubkey, and on a
 *                  valid point p256_mul(k, (x, y)) against mbedTLS; on an invalid one p256_mul
 *                  must refuse and leave its outputs alone
 * Bit 7 of the mode replaces k by n - (k's low byte) - 1 (scalars near the order, where the
 * window arithmetic has its special cases). Whenever mbedTLS refuses k (0 or >= n), so must
 * p256.c, leaving its outputs untouched; otherwise both must give the same affine point.
 */
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/platform.h>

#include "fuzz.h"
#include "p256.h"

/* p256.c's only dependency outside itself (tpm/crypto.c, not linked here). */
void tpm_wipe(void *p, size_t n);
void tpm_wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static const uint8_t N_MINUS_1[32] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
	0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x50,
};

static mbedtls_ecp_group grp;

static int no_rng(void *ctx, unsigned char *out, size_t n)
{
	(void)ctx;
	memset(out, 0x5A, n); /* blinding only: any value gives the same result */
	return 0;
}

static void field(struct fuzz_in *in, uint8_t out[32])
{
	size_t got = 0;
	const uint8_t *p = fuzz_bytes(in, 32, &got);

	memset(out, 0, 32);
	memcpy(out, p, got);
}

/* k*P by mbedTLS (P = G when px is NULL); false when mbedTLS refuses k. */
static bool ref_mul(const uint8_t k[32], const uint8_t *px, const uint8_t *py, uint8_t ox[32],
		    uint8_t oy[32])
{
	mbedtls_ecp_point p, q;
	mbedtls_mpi m;
	bool ok;

	mbedtls_ecp_point_init(&p);
	mbedtls_ecp_point_init(&q);
	mbedtls_mpi_init(&m);
	FUZZ_CHECK(mbedtls_mpi_read_binary(&m, k, 32) == 0);
	if (px != NULL) {
		FUZZ_CHECK(mbedtls_mpi_read_binary(&p.X, px, 32) == 0);
		FUZZ_CHECK(mbedtls_mpi_read_binary(&p.Y, py, 32) == 0);
		FUZZ_CHECK(mbedtls_mpi_lset(&p.Z, 1) == 0);
	} else {
		FUZZ_CHECK(mbedtls_ecp_copy(&p, &grp.G) == 0);
	}
	ok = mbedtls_ecp_check_privkey(&grp, &m) == 0;
	if (ok) {
		FUZZ_CHECK(mbedtls_ecp_mul(&grp, &q, &m, &p, no_rng, NULL) == 0);
		FUZZ_CHECK(mbedtls_mpi_write_binary(&q.X, ox, 32) == 0);
		FUZZ_CHECK(mbedtls_mpi_write_binary(&q.Y, oy, 32) == 0);
	}
	mbedtls_mpi_free(&m);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_point_free(&p);
	return ok;
}

static bool ref_on_curve(const uint8_t x[32], const uint8_t y[32])
{
	mbedtls_ecp_point p;
	bool ok;

	mbedtls_ecp_point_init(&p);
	FUZZ_CHECK(mbedtls_mpi_read_binary(&p.X, x, 32) == 0);
	FUZZ_CHECK(mbedtls_mpi_read_binary(&p.Y, y, 32) == 0);
	FUZZ_CHECK(mbedtls_mpi_lset(&p.Z, 1) == 0);
	ok = mbedtls_ecp_check_pubkey(&grp, &p) == 0;
	mbedtls_ecp_point_free(&p);
	return ok;
}

/* Compare p256.c's answer (rc, outputs) with the reference's (ok, wx, wy). */
static void agree(int rc, const uint8_t ox[32], const uint8_t oy[32], bool ok, const uint8_t wx[32],
		  const uint8_t wy[32])
{
	static const uint8_t untouched[32] = {0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE,
					      0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE,
					      0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE,
					      0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE};

	FUZZ_CHECK((rc == 0) == ok);
	if (ok) {
		FUZZ_CHECK(memcmp(ox, wx, 32) == 0);
		FUZZ_CHECK(memcmp(oy, wy, 32) == 0);
	} else {
		FUZZ_CHECK(memcmp(ox, untouched, 32) == 0);
		FUZZ_CHECK(memcmp(oy, untouched, 32) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t mode = fuzz_u8(&in);
	uint8_t k[32], a[32], b[32], px[32], py[32], ox[32], oy[32], wx[32], wy[32];
	bool ok;

	if (grp.id == MBEDTLS_ECP_DP_NONE) {
		/* the engine's mbedTLS config leaves the allocator to be set at run time */
		FUZZ_CHECK(mbedtls_platform_set_calloc_free(calloc, free) == 0);
		FUZZ_CHECK(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0);
	}
	field(&in, k);
	field(&in, a);
	field(&in, b);
	if (mode & 0x80) {
		/* k = (n - 1) - k[31] */
		unsigned borrow = k[31];

		memcpy(k, N_MINUS_1, 32);
		for (int i = 31; i >= 0; i--) {
			unsigned v = k[i];

			k[i] = (uint8_t)(v - borrow);
			borrow = v < borrow ? 1u : 0u;
		}
	}
	memset(ox, 0xEE, 32);
	memset(oy, 0xEE, 32);
	switch ((mode & 0x7F) % 3) {
	case 0:
		ok = ref_mul(k, NULL, NULL, wx, wy);
		agree(p256_mul_base(ox, oy, k), ox, oy, ok, wx, wy);
		break;
	case 1:
		if (!ref_mul(a, NULL, NULL, px, py))
			return 0; /* s out of range: no point to multiply */
		ok = ref_mul(k, px, py, wx, wy);
		agree(p256_mul(ox, oy, k, px, py), ox, oy, ok, wx, wy);
		break;
	default:
		ok = ref_on_curve(a, b);
		FUZZ_CHECK((p256_on_curve(a, b) == 0) == ok);
		if (ok)
			ok = ref_mul(k, a, b, wx, wy);
		agree(p256_mul(ox, oy, k, a, b), ox, oy, ok, wx, wy);
		break;
	}
	return 0;
}
