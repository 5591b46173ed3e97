// SPDX-License-Identifier: MIT
/*
 * The engine's hot NIST P-256 operations over p256.c's point multiplication: the public point
 * of a derived private scalar (CreatePrimary), ECDSA signing (Sign, Quote, ...), ECDH (salts,
 * seeds sent to a key, ECDH_ZGen) and ephemeral key pairs (ECDH_KeyGen). Loading
 * mbedTLS's P-256 group alone costs about 0.3 ms a command and its portable multiplication
 * another 0.25 ms, against 25 us here (docs/benchmarks.md). The arithmetic modulo the group
 * order n stays with mbedTLS's bignums (a few microseconds).
 */
#include <lib/string.h>
#include <mbedtls/bignum.h>

#include "ecc_p256.h"
#include "p256.h"

/* The group order n of P-256 (SEC 2, 2.4.2; FIPS 186-4, D.1.2.3). */
static const uint8_t P256_N[32] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17,
	0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
};

/* A signature that needs more fresh nonces than this means a broken DRBG, not bad luck. */
#define SIGN_TRIES 16

#define CHK(call)                     \
	do {                          \
		err = (call);         \
		if (err != 0)         \
			goto cleanup; \
	} while (0)

static tpm_rc err_rc(int err)
{
	return err == MBEDTLS_ERR_MPI_ALLOC_FAILED ? TPM_RC_MEMORY : TPM_RC_FAILURE;
}

tpm_rc tpm_p256_derive(const uint8_t *c, size_t cn, uint8_t d[32], uint8_t x[32], uint8_t y[32])
{
	mbedtls_mpi n, v;
	int err = 0;
	tpm_rc rc = TPM_RC_SUCCESS;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&v);
	/* d = (c mod (n - 1)) + 1: in [1, n - 1] (FIPS 186-4 B.4.1) */
	CHK(mbedtls_mpi_read_binary(&n, P256_N, sizeof(P256_N)));
	CHK(mbedtls_mpi_sub_int(&n, &n, 1));
	CHK(mbedtls_mpi_read_binary(&v, c, cn));
	CHK(mbedtls_mpi_mod_mpi(&v, &v, &n));
	CHK(mbedtls_mpi_add_int(&v, &v, 1));
	CHK(mbedtls_mpi_write_binary(&v, d, 32));
	if (p256_mul_base(x, y, d) != 0)
		rc = TPM_RC_FAILURE; /* d is in range: cannot happen */
cleanup:
	mbedtls_mpi_free(&v);
	mbedtls_mpi_free(&n);
	return err != 0 ? err_rc(err) : rc;
}

/*
 * One attempt (FIPS 186-4, 6.4): a fresh k in [1, n - 1], r = x(k*G) mod n,
 * s = k^-1 (e + r d) mod n. The inverse is of k*b for a random blinding b (mbedTLS's inverse is
 * not constant time), then multiplied by b. *again when r or s came out 0, or k was out of range.
 */
static int sign_once(struct tpm *t, const mbedtls_mpi *n, const mbedtls_mpi *d,
		     const mbedtls_mpi *e, uint8_t r[32], uint8_t s[32], bool *again)
{
	mbedtls_mpi k, b, rr, ss, u;
	uint8_t kb[32], bb[32], x[32], y[32];
	int err = 0;

	*again = true;
	mbedtls_mpi_init(&k);
	mbedtls_mpi_init(&b);
	mbedtls_mpi_init(&rr);
	mbedtls_mpi_init(&ss);
	mbedtls_mpi_init(&u);
	if (!tpm_random(t, kb, sizeof(kb)) || !tpm_random(t, bb, sizeof(bb))) {
		err = MBEDTLS_ERR_MPI_BAD_INPUT_DATA;
		goto cleanup;
	}
	/* p256_mul_base refuses k = 0 and k >= n: draw again (probability 2^-32) */
	if (p256_mul_base(x, y, kb) != 0)
		goto cleanup;
	CHK(mbedtls_mpi_read_binary(&k, kb, sizeof(kb)));
	CHK(mbedtls_mpi_read_binary(&rr, x, sizeof(x)));
	CHK(mbedtls_mpi_mod_mpi(&rr, &rr, n));
	CHK(mbedtls_mpi_read_binary(&b, bb, sizeof(bb)));
	CHK(mbedtls_mpi_mod_mpi(&b, &b, n));
	if (mbedtls_mpi_cmp_int(&rr, 0) == 0 || mbedtls_mpi_cmp_int(&b, 0) == 0)
		goto cleanup;
	/* u = (e + r d) b mod n */
	CHK(mbedtls_mpi_mul_mpi(&u, &rr, d));
	CHK(mbedtls_mpi_add_mpi(&u, &u, e));
	CHK(mbedtls_mpi_mod_mpi(&u, &u, n));
	CHK(mbedtls_mpi_mul_mpi(&u, &u, &b));
	CHK(mbedtls_mpi_mod_mpi(&u, &u, n));
	/* s = (k b)^-1 u mod n */
	CHK(mbedtls_mpi_mul_mpi(&ss, &k, &b));
	CHK(mbedtls_mpi_mod_mpi(&ss, &ss, n));
	CHK(mbedtls_mpi_inv_mod(&ss, &ss, n));
	CHK(mbedtls_mpi_mul_mpi(&ss, &ss, &u));
	CHK(mbedtls_mpi_mod_mpi(&ss, &ss, n));
	if (mbedtls_mpi_cmp_int(&ss, 0) == 0)
		goto cleanup;
	CHK(mbedtls_mpi_write_binary(&rr, r, 32));
	CHK(mbedtls_mpi_write_binary(&ss, s, 32));
	*again = false;
cleanup:
	tpm_wipe(kb, sizeof(kb));
	tpm_wipe(bb, sizeof(bb));
	tpm_wipe(x, sizeof(x)); /* k*G */
	tpm_wipe(y, sizeof(y));
	mbedtls_mpi_free(&u);
	mbedtls_mpi_free(&ss);
	mbedtls_mpi_free(&rr);
	mbedtls_mpi_free(&b);
	mbedtls_mpi_free(&k);
	return err;
}

tpm_rc tpm_p256_sign(struct tpm *t, const uint8_t d[32], const uint8_t *digest, size_t dlen,
		     uint8_t r[32], uint8_t s[32])
{
	mbedtls_mpi n, dd, e;
	bool again = true;
	int err = 0;

	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&dd);
	mbedtls_mpi_init(&e);
	CHK(mbedtls_mpi_read_binary(&n, P256_N, sizeof(P256_N)));
	CHK(mbedtls_mpi_read_binary(&dd, d, 32));
	/* e: the leftmost 256 bits of the digest (SEC 1, 4.1.3 step 5) */
	CHK(mbedtls_mpi_read_binary(&e, digest, dlen < 32 ? dlen : 32));
	for (unsigned i = 0; i < SIGN_TRIES && again; i++)
		CHK(sign_once(t, &n, &dd, &e, r, s, &again));
cleanup:
	mbedtls_mpi_free(&e);
	mbedtls_mpi_free(&dd);
	mbedtls_mpi_free(&n);
	if (err != 0)
		return err_rc(err);
	return again ? TPM_RC_FAILURE : TPM_RC_SUCCESS;
}

bool tpm_p256_fit(const uint8_t *src, size_t n, uint8_t out[32])
{
	size_t lead = 0;

	/* leading zero octets beyond 32 carry no value */
	while (n - lead > 32 && src[lead] == 0)
		lead++;
	if (n - lead > 32)
		return false;
	memset(out, 0, 32);
	memcpy(out + 32 - (n - lead), src + lead, n - lead);
	return true;
}

tpm_rc tpm_p256_ecdh(const uint8_t *d, size_t dn, const uint8_t x[32], const uint8_t y[32],
		     uint8_t zx[32], uint8_t *zy)
{
	uint8_t k[32], ty[32];
	int ok;

	if (!tpm_p256_fit(d, dn, k))
		return TPM_RC_FAILURE;
	/* p256_mul refuses a point off the curve (an invalid-curve point would leak d) */
	ok = p256_mul(zx, ty, k, x, y);
	if (ok == 0 && zy != NULL)
		memcpy(zy, ty, 32);
	tpm_wipe(k, sizeof(k));
	tpm_wipe(ty, sizeof(ty));
	return ok == 0 ? TPM_RC_SUCCESS : TPM_RC_ECC_POINT;
}

tpm_rc tpm_p256_keygen(struct tpm *t, uint8_t d[32], uint8_t x[32], uint8_t y[32])
{
	/* p256_mul_base refuses d = 0 and d >= n: draw again (probability 2^-32 each) */
	for (unsigned i = 0; i < SIGN_TRIES; i++) {
		if (!tpm_random(t, d, 32))
			break;
		if (p256_mul_base(x, y, d) == 0)
			return TPM_RC_SUCCESS;
	}
	tpm_wipe(d, 32);
	return TPM_RC_FAILURE;
}
