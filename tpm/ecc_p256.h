/* SPDX-License-Identifier: MIT */
/* ECDSA and key derivation on NIST P-256 over p256.c (ecc_p256.c). */
#ifndef TPM_ECC_P256_H
#define TPM_ECC_P256_H

#include "internal.h"

/*
 * The private scalar d = (c mod (n - 1)) + 1 of the cn bytes c (a KDF's output, 64 bits longer
 * than n) and its public point (x, y) = d*G. TPM_RC_MEMORY, or TPM_RC_FAILURE.
 */
tpm_rc tpm_p256_derive(const uint8_t *c, size_t cn, uint8_t d[32], uint8_t x[32], uint8_t y[32]);

/*
 * ECDSA signature (r, s) over a digest of dlen bytes with the private scalar d (in [1, n - 1]),
 * k from the TPM's DRBG. TPM_RC_MEMORY, or TPM_RC_FAILURE (the DRBG failed).
 */
tpm_rc tpm_p256_sign(struct tpm *t, const uint8_t d[32], const uint8_t *digest, size_t dlen,
		     uint8_t r[32], uint8_t s[32]);

/* The n-byte big-endian src as 32 bytes (leading zeros dropped or added); false if too large. */
bool tpm_p256_fit(const uint8_t *src, size_t n, uint8_t out[32]);

/*
 * Z = d*(x, y) (ECDH; d of dn bytes, a loaded key's scalar): its x, and its y unless zy is
 * NULL. TPM_RC_ECC_POINT when (x, y) is not a point of the curve (or Z would be infinity),
 * TPM_RC_FAILURE when d does not fit.
 */
tpm_rc tpm_p256_ecdh(const uint8_t *d, size_t dn, const uint8_t x[32], const uint8_t y[32],
		     uint8_t zx[32], uint8_t *zy);

/* An ephemeral key pair: d in [1, n - 1] from the DRBG, (x, y) = d*G. TPM_RC_FAILURE. */
tpm_rc tpm_p256_keygen(struct tpm *t, uint8_t d[32], uint8_t x[32], uint8_t y[32]);

#endif
