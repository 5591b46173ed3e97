/* SPDX-License-Identifier: MIT */
/*
 * NIST P-256 (secp256r1) scalar multiplication, constant time in the scalar, written for the
 * engine's ECC commands (mbedTLS's portable code is several times slower). Byte strings are
 * big-endian, 32 bytes. Every function returns 0 on success and -1 on bad input.
 */
#ifndef TPM_P256_H
#define TPM_P256_H

#include <stdint.h>

/*
 * (out_x, out_y) = k * (px, py). -1 when k is 0 or >= n, when (px, py) is not a point of the
 * curve (a coordinate >= p counts as not), or when the result is the point at infinity; the
 * outputs are then left untouched.
 */
int p256_mul(uint8_t out_x[32], uint8_t out_y[32], const uint8_t k[32], const uint8_t px[32],
	     const uint8_t py[32]);
/* (out_x, out_y) = k * G, the same rules. */
int p256_mul_base(uint8_t out_x[32], uint8_t out_y[32], const uint8_t k[32]);
/* 0 when (x, y) is an affine point of the curve with both coordinates below p, else -1. */
int p256_on_curve(const uint8_t x[32], const uint8_t y[32]);

#endif
