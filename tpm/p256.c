// SPDX-License-Identifier: MIT
/*
 * NIST P-256 scalar multiplication (see p256.h).
 *
 * Field elements are 4 little-endian 64-bit limbs in Montgomery form (a * 2^256 mod p), always
 * fully reduced (< p). Because p = -1 mod 2^64, the Montgomery factor -p^-1 mod 2^64 is 1, so a
 * reduction step needs no multiplication to find its quotient digit.
 *
 * Points are Jacobian (X, Y, Z) for (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.
 *
 * Constant time: no branch and no memory index depends on the scalar or on intermediate
 * points. Conditional operations use all-ones/all-zero masks; table look-ups read every entry.
 * Only the validity of the inputs (which the return value reveals anyway) is branched on.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "p256.h"
#include "p256_table.h"

typedef unsigned __int128 u128;
typedef uint64_t fe[4];

struct jac {
	fe x, y, z;
};

/* p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
static const fe P = {0xffffffffffffffffull, 0x00000000ffffffffull, 0, 0xffffffff00000001ull};
/* n, the order of G */
static const uint64_t N[4] = {0xf3b9cac2fc632551ull, 0xbce6faada7179e84ull, 0xffffffffffffffffull,
			      0xffffffff00000000ull};
/* 2^512 mod p: fe_mul(x, R2) takes x into Montgomery form. */
static const fe R2 = {0x0000000000000003ull, 0xfffffffbffffffffull, 0xfffffffffffffffeull,
		      0x00000004fffffffdull};
/* 1 in Montgomery form (2^256 mod p). */
static const fe ONE = {0x0000000000000001ull, 0xffffffff00000000ull, 0xffffffffffffffffull,
		       0x00000000fffffffeull};
/* The curve's b (y^2 = x^3 - 3x + b), in plain form (converted when used). */
static const fe B = {0x3bce3c3e27d2604bull, 0x651d06b0cc53b0f6ull, 0xb3ebbd55769886bcull,
		     0x5ac635d8aa3a93e7ull};

/*
 * Hides a mask's value from the optimizer, so it cannot turn the mask arithmetic built on it
 * back into a branch.
 */
static inline uint64_t ct_barrier(uint64_t x)
{
	__asm__("" : "+r"(x));
	return x;
}

/*
 * tests/ct/ runs this file under valgrind with the scalar marked undefined (secret): any branch
 * or memory index that depends on it is reported. Whether the inputs are valid and whether the
 * result is the point at infinity are public (the return value says so): declassified here.
 */
#ifdef COPRA_CT_CHECK
#include <valgrind/memcheck.h>
#define ct_declassify(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define ct_declassify(p, n) ((void)0)
#endif

/* All ones when x == 0, else 0. */
static inline uint64_t ct_is_zero(uint64_t x)
{
	return ct_barrier(((x | (0 - x)) >> 63) - 1);
}

/* --- Field arithmetic mod p ------------------------------------------------------------------- */

static void fe_from_bytes(fe r, const uint8_t b[32])
{
	for (int i = 0; i < 4; i++) {
		uint64_t w = 0;

		for (int j = 0; j < 8; j++)
			w = (w << 8) | b[(3 - i) * 8 + j];
		r[i] = w;
	}
}

static void fe_to_bytes(uint8_t b[32], const fe a)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			b[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

/* All ones when a < m (both 4-limb little-endian numbers), else 0. */
static uint64_t lt_mask(const uint64_t a[4], const uint64_t m[4])
{
	uint64_t borrow = 0;

	for (int i = 0; i < 4; i++) {
		u128 t = (u128)a[i] - m[i] - borrow;

		borrow = (uint64_t)(t >> 64) & 1;
	}
	return ct_barrier(0 - borrow);
}

static inline void fe_cmov(fe r, const fe a, uint64_t mask)
{
	for (int i = 0; i < 4; i++)
		r[i] = (r[i] & ~mask) | (a[i] & mask);
}

static inline uint64_t fe_is_zero(const fe a)
{
	return ct_is_zero(a[0] | a[1] | a[2] | a[3]);
}

/*
 * Limb helpers. Written out rather than looped: gcc -O2 keeps fully unrolled straight-line
 * code in registers, while the loops kept 128-bit temporaries on the stack.
 */
#define FE_INLINE static inline __attribute__((always_inline))

/* a * b + c + *carry (never above 2^128 - 1): returns the low half, the high half to *carry. */
FE_INLINE uint64_t mac(uint64_t a, uint64_t b, uint64_t c, uint64_t *carry)
{
	u128 t = (u128)a * b + c + *carry;

	*carry = (uint64_t)(t >> 64);
	return (uint64_t)t;
}

/* a + b + *carry, the carry out to *carry. */
FE_INLINE uint64_t adc(uint64_t a, uint64_t b, uint64_t *carry)
{
	u128 t = (u128)a + b + *carry;

	*carry = (uint64_t)(t >> 64);
	return (uint64_t)t;
}

/* a - b - *borrow (borrow 0 or 1), the borrow out to *borrow. */
FE_INLINE uint64_t sbb(uint64_t a, uint64_t b, uint64_t *borrow)
{
	u128 t = (u128)a - b - *borrow;

	*borrow = (uint64_t)(t >> 64) & 1;
	return (uint64_t)t;
}

/*
 * r = a0..a3 + carry * 2^256 reduced once, for a value below 2p: subtract p unless that goes
 * negative, which is when the subtraction borrowed and there was no carry.
 */
FE_INLINE void fe_reduce_once(fe r, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			      uint64_t carry)
{
	uint64_t borrow = 0, keep, d0, d1, d2, d3;

	d0 = sbb(a0, P[0], &borrow);
	d1 = sbb(a1, P[1], &borrow);
	d2 = sbb(a2, P[2], &borrow);
	d3 = sbb(a3, P[3], &borrow);
	keep = ct_barrier(0 - (borrow & (carry ^ 1)));
	r[0] = (a0 & keep) | (d0 & ~keep);
	r[1] = (a1 & keep) | (d1 & ~keep);
	r[2] = (a2 & keep) | (d2 & ~keep);
	r[3] = (a3 & keep) | (d3 & ~keep);
}

static void fe_add(fe r, const fe a, const fe b)
{
	uint64_t c = 0, s0, s1, s2, s3;

	s0 = adc(a[0], b[0], &c);
	s1 = adc(a[1], b[1], &c);
	s2 = adc(a[2], b[2], &c);
	s3 = adc(a[3], b[3], &c);
	fe_reduce_once(r, s0, s1, s2, s3, c);
}

static void fe_sub(fe r, const fe a, const fe b)
{
	uint64_t borrow = 0, c = 0, mask, d0, d1, d2, d3;

	d0 = sbb(a[0], b[0], &borrow);
	d1 = sbb(a[1], b[1], &borrow);
	d2 = sbb(a[2], b[2], &borrow);
	d3 = sbb(a[3], b[3], &borrow);
	/* On a borrow the difference is a - b + 2^256: adding p (mod 2^256) makes it a - b + p. */
	mask = ct_barrier(0 - borrow);
	r[0] = adc(d0, P[0] & mask, &c);
	r[1] = adc(d1, P[1] & mask, &c);
	r[2] = adc(d2, P[2] & mask, &c);
	r[3] = adc(d3, P[3] & mask, &c);
}

/*
 * r = t / 2^256 mod p for t = t0..t7 < p^2 (Montgomery reduction). -p^-1 mod 2^64 is 1 (p = -1
 * mod 2^64), so each round's multiplier is the low limb itself, and with p's limbs (2^64 - 1,
 * 2^32 - 1, 0, 2^64 - 2^32 + 1) adding m * p to clear limb i is: limb i gives exactly m * 2^64
 * (a carry of m), limb i + 2 only takes the carry. hi carries into the next round's top limb.
 * The result is below (p^2 + 2^256 p) / 2^256 < 2p, so one conditional subtraction finishes.
 */
FE_INLINE void redc_round(uint64_t m, uint64_t *x1, uint64_t *x2, uint64_t *x3, uint64_t *x4,
			  uint64_t *hi)
{
	uint64_t c = m;

	*x1 = mac(m, P[1], *x1, &c);
	*x2 = adc(*x2, 0, &c);
	*x3 = mac(m, P[3], *x3, &c);
	*x4 = adc(*x4, *hi, &c);
	*hi = c;
}

FE_INLINE void mont_reduce(fe r, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4,
			   uint64_t t5, uint64_t t6, uint64_t t7)
{
	uint64_t hi = 0;

	redc_round(t0, &t1, &t2, &t3, &t4, &hi);
	redc_round(t1, &t2, &t3, &t4, &t5, &hi);
	redc_round(t2, &t3, &t4, &t5, &t6, &hi);
	redc_round(t3, &t4, &t5, &t6, &t7, &hi);
	fe_reduce_once(r, t4, t5, t6, t7, hi);
}

/* r = a * b / 2^256 mod p (Montgomery product; a, b < p). r may be a or b. */
static void fe_mul(fe r, const fe a, const fe b)
{
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], bi, c;
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7;

	bi = b[0];
	c = 0;
	t0 = mac(a0, bi, 0, &c);
	t1 = mac(a1, bi, 0, &c);
	t2 = mac(a2, bi, 0, &c);
	t3 = mac(a3, bi, 0, &c);
	t4 = c;
	bi = b[1];
	c = 0;
	t1 = mac(a0, bi, t1, &c);
	t2 = mac(a1, bi, t2, &c);
	t3 = mac(a2, bi, t3, &c);
	t4 = mac(a3, bi, t4, &c);
	t5 = c;
	bi = b[2];
	c = 0;
	t2 = mac(a0, bi, t2, &c);
	t3 = mac(a1, bi, t3, &c);
	t4 = mac(a2, bi, t4, &c);
	t5 = mac(a3, bi, t5, &c);
	t6 = c;
	bi = b[3];
	c = 0;
	t3 = mac(a0, bi, t3, &c);
	t4 = mac(a1, bi, t4, &c);
	t5 = mac(a2, bi, t5, &c);
	t6 = mac(a3, bi, t6, &c);
	t7 = c;
	mont_reduce(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* r = a^2 / 2^256 mod p: the cross products once, doubled, then the squares (10 products). */
static void fe_sqr(fe r, const fe a)
{
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], c;
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7;
	u128 s;

	c = 0;
	t1 = mac(a0, a1, 0, &c);
	t2 = mac(a0, a2, 0, &c);
	t3 = mac(a0, a3, 0, &c);
	t4 = c;
	c = 0;
	t3 = mac(a1, a2, t3, &c);
	t4 = mac(a1, a3, t4, &c);
	t5 = c;
	c = 0;
	t5 = mac(a2, a3, t5, &c);
	t6 = c;

	t7 = t6 >> 63;
	t6 = (t6 << 1) | (t5 >> 63);
	t5 = (t5 << 1) | (t4 >> 63);
	t4 = (t4 << 1) | (t3 >> 63);
	t3 = (t3 << 1) | (t2 >> 63);
	t2 = (t2 << 1) | (t1 >> 63);
	t1 <<= 1;

	c = 0;
	s = (u128)a0 * a0;
	t0 = (uint64_t)s;
	t1 = adc(t1, (uint64_t)(s >> 64), &c);
	s = (u128)a1 * a1;
	t2 = adc(t2, (uint64_t)s, &c);
	t3 = adc(t3, (uint64_t)(s >> 64), &c);
	s = (u128)a2 * a2;
	t4 = adc(t4, (uint64_t)s, &c);
	t5 = adc(t5, (uint64_t)(s >> 64), &c);
	s = (u128)a3 * a3;
	t6 = adc(t6, (uint64_t)s, &c);
	t7 = adc(t7, (uint64_t)(s >> 64), &c); /* no carry out: a^2 < 2^512 */
	mont_reduce(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* r = a^(2^n), n >= 1 */
static void fe_sqr_n(fe r, const fe a, int n)
{
	fe_sqr(r, a);
	while (--n > 0)
		fe_sqr(r, r);
}

static void fe_neg(fe r, const fe a)
{
	static const fe zero;

	fe_sub(r, zero, a);
}

/*
 * r = a^(p - 2) = a^-1 (0 for a = 0), Fermat's little theorem with a fixed addition chain:
 * the exponent is public, the sequence of operations does not depend on a. x_k below is
 * a^(2^k - 1); p - 2 in binary is 32 ones, 31 zeros, a one, 96 zeros, 94 ones, 0, 1.
 */
static void fe_inv(fe r, const fe a)
{
	fe x2, x4, x8, x30, x32, t;

	fe_sqr(t, a);
	fe_mul(x2, t, a);
	fe_sqr_n(t, x2, 2);
	fe_mul(x4, t, x2);
	fe_sqr_n(t, x4, 4);
	fe_mul(x8, t, x4);
	fe_sqr_n(t, x8, 8);
	fe_mul(t, t, x8); /* x16 */
	fe_sqr_n(t, t, 8);
	fe_mul(t, t, x8); /* x24 */
	fe_sqr_n(t, t, 4);
	fe_mul(t, t, x4); /* x28 */
	fe_sqr_n(t, t, 2);
	fe_mul(x30, t, x2);
	fe_sqr_n(t, x30, 2);
	fe_mul(x32, t, x2);

	fe_sqr_n(t, x32, 32); /* 32 ones */
	fe_mul(t, t, a);      /* 31 zeros, a one */
	fe_sqr_n(t, t, 128);  /* 96 zeros, and room for 32 ones */
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 32);
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 30);
	fe_mul(t, t, x30); /* 94 ones */
	fe_sqr_n(t, t, 2);
	fe_mul(r, t, a); /* 0, 1 */
}

/* --- Points ----------------------------------------------------------------------------------- */

static void jac_cmov(struct jac *r, const struct jac *a, uint64_t mask)
{
	fe_cmov(r->x, a->x, mask);
	fe_cmov(r->y, a->y, mask);
	fe_cmov(r->z, a->z, mask);
}

/* rhs = x^3 - 3x + b, all in Montgomery form */
static void curve_rhs(fe rhs, const fe x)
{
	fe t, b;

	fe_mul(b, B, R2);
	fe_sqr(t, x);
	fe_mul(t, t, x);
	fe_sub(t, t, x);
	fe_sub(t, t, x);
	fe_sub(t, t, x);
	fe_add(rhs, t, b);
}

/*
 * r = 2a: dbl-2001-b of the Explicit-Formulas Database (a = -3), 3M + 5S. Z = 0 stays Z = 0,
 * so doubling the point at infinity needs no special case; P-256 has no point of order 2
 * (Y = 0), the one other exception of the formula. r may be a.
 */
static __attribute__((noinline)) void jac_dbl(struct jac *r, const struct jac *a)
{
	fe delta, gamma, beta, alpha, t0, t1;

	fe_sqr(delta, a->z);
	fe_sqr(gamma, a->y);
	fe_mul(beta, a->x, gamma);
	fe_sub(t0, a->x, delta);
	fe_add(t1, a->x, delta);
	fe_mul(t0, t0, t1);
	fe_add(alpha, t0, t0);
	fe_add(alpha, alpha, t0);
	/* Z3 = (Y1 + Z1)^2 - gamma - delta, before Y1 and Z1 may be overwritten */
	fe_add(t0, a->y, a->z);
	fe_sqr(t0, t0);
	fe_sub(t0, t0, gamma);
	fe_sub(r->z, t0, delta);
	/* X3 = alpha^2 - 8 beta */
	fe_add(beta, beta, beta);
	fe_add(beta, beta, beta); /* 4 beta */
	fe_sqr(t0, alpha);
	fe_add(t1, beta, beta);
	fe_sub(r->x, t0, t1);
	/* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
	fe_sub(t0, beta, r->x);
	fe_mul(t0, alpha, t0);
	fe_sqr(t1, gamma);
	fe_add(t1, t1, t1);
	fe_add(t1, t1, t1);
	fe_add(t1, t1, t1);
	fe_sub(r->y, t0, t1);
}

/*
 * r = a + b: add-2007-bl of the Explicit-Formulas Database, 11M + 5S. Either input may be the
 * point at infinity (selected around with masks). a = -b needs nothing: H = 0 makes Z3 = 0,
 * the point at infinity. a = b (H = 0 and R = 0, both finite) gives a wrong Z3 = 0: instead of
 * paying a doubling on every addition, the function returns an all-ones mask in that case and
 * the caller, which knows where that can happen at all, fixes it up (see scalar_mul()).
 * r may be a or b.
 */
static __attribute__((noinline)) uint64_t jac_add(struct jac *r, const struct jac *a,
						  const struct jac *b)
{
	fe z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
	struct jac out;
	uint64_t a_inf = fe_is_zero(a->z), b_inf = fe_is_zero(b->z), same;

	fe_sqr(z1z1, a->z);
	fe_sqr(z2z2, b->z);
	fe_mul(u1, a->x, z2z2);
	fe_mul(u2, b->x, z1z1);
	fe_mul(s1, a->y, b->z);
	fe_mul(s1, s1, z2z2);
	fe_mul(s2, b->y, a->z);
	fe_mul(s2, s2, z1z1);
	fe_sub(h, u2, u1);
	fe_add(i, h, h);
	fe_sqr(i, i);
	fe_mul(j, h, i);
	fe_sub(rr, s2, s1);
	fe_add(rr, rr, rr);
	fe_mul(v, u1, i);
	same = ct_barrier(fe_is_zero(h) & fe_is_zero(rr) & ~a_inf & ~b_inf);
	/* X3 = r^2 - J - 2V */
	fe_sqr(t, rr);
	fe_sub(t, t, j);
	fe_sub(t, t, v);
	fe_sub(out.x, t, v);
	/* Y3 = r (V - X3) - 2 S1 J */
	fe_sub(t, v, out.x);
	fe_mul(t, rr, t);
	fe_mul(s1, s1, j);
	fe_add(s1, s1, s1);
	fe_sub(out.y, t, s1);
	/* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H */
	fe_add(t, a->z, b->z);
	fe_sqr(t, t);
	fe_sub(t, t, z1z1);
	fe_sub(t, t, z2z2);
	fe_mul(out.z, t, h);

	jac_cmov(&out, a, b_inf);
	jac_cmov(&out, b, a_inf);
	*r = out;
	return same;
}

/* --- Scalar multiplication -------------------------------------------------------------------- */

/*
 * r += d where r may equal d (see scalar_mul()): the doubling is computed every time and
 * selected by mask. Its own frame keeps scalar_mul()'s under the limit.
 */
static __attribute__((noinline)) void add_last(struct jac *r, const struct jac *d)
{
	struct jac dbl;
	uint64_t same;

	jac_dbl(&dbl, r);
	same = jac_add(r, r, d);
	jac_cmov(r, &dbl, same);
	tpm_wipe(&dbl, sizeof(dbl));
}

#define WINDOWS 65 /* signed 4-bit digits d_0..d_64 of a 256-bit scalar */

/*
 * Booth recoding, window i: d_i = b(4i-1) + b(4i) + 2 b(4i+1) + 4 b(4i+2) - 8 b(4i+3), with
 * b(-1) = b(256..) = 0, so that k = sum d_i 16^i with d_i in [-8, 8]. Returns |d_i| and sets
 * *neg to all ones when d_i < 0. k has a fifth limb 0 so window 64 (b(255) alone) needs no
 * special case. i is public: only the values read are secret.
 */
static uint64_t booth_digit(const uint64_t k[5], int i, uint64_t *neg)
{
	uint64_t w, u, mneg;
	int pos = 4 * i - 1;

	if (i == 0) {
		w = (k[0] << 1) & 31;
	} else {
		int limb = pos / 64, off = pos % 64;

		w = k[limb] >> off;
		if (off > 59)
			w |= k[limb + 1] << (64 - off);
		w &= 31;
	}
	u = (w & 1) + ((w >> 1) & 7); /* 0..8 */
	mneg = ct_barrier(0 - (w >> 4));
	*neg = mneg;
	/* d = u - 8 when the top bit is set: |d| = 8 - u */
	return u ^ ((u ^ (8 - u)) & mneg);
}

/* r = table[idx - 1] for idx in 1..8 with the sign applied; (0, 0, 0) (infinity) for idx 0. */
static void select_point(struct jac *r, const struct jac table[8], uint64_t idx, uint64_t neg)
{
	fe ny;

	for (int i = 0; i < 4; i++)
		r->x[i] = r->y[i] = r->z[i] = 0;
	for (uint64_t e = 0; e < 8; e++)
		jac_cmov(r, &table[e], ct_is_zero(idx ^ (e + 1)));
	fe_neg(ny, r->y);
	fe_cmov(r->y, ny, neg);
}

/*
 * r = k * p for k in [1, n - 1] and p a finite point of the curve (so of order n), Montgomery
 * form in and out. Signed 4-bit window, Horner from the top: a table of 1p..8p (8 Jacobian
 * points, 768 bytes: a 16-entry unsigned table would not fit the kernel's 1 KiB frame limit).
 *
 * Addition special cases, why only the last addition needs the doubling fix-up: before adding
 * d_i p at step i the accumulator is M p with M = 16 (floor(k / 16^(i+1)) + b(4i+3)), a multiple
 * of 16. For i >= 1, 0 <= M <= k / 16 + 16, far below n - 8; M = 0 is the point at infinity
 * (masked in jac_add()), and otherwise M = +-d_i mod n would need M = |d_i| <= 8, not a multiple
 * of 16. So only i = 0 can add a point to itself: there M < n + 16, and M = d_0 mod n does
 * happen, e.g. k = n - 2 gives M = n - 1 and d_0 = -1. That last addition therefore also
 * computes the doubling and selects it with jac_add()'s mask. (M = -d_0 mod n would mean
 * k = 0 mod n, excluded; and jac_add() gets infinity right in that case anyway.) Building the
 * table: 2p, 4p, 6p, 8p are doublings and 3p, 5p, 7p add p to 2p, 4p, 6p, never +-p as n > 8.
 */
static __attribute__((noinline)) void scalar_mul(struct jac *r, const uint64_t k[5],
						 const struct jac *p)
{
	struct jac table[8], d;
	uint64_t idx, neg;

	table[0] = *p;
	for (int e = 1; e < 8; e += 2) {
		jac_dbl(&table[e], &table[e / 2]); /* (e + 1) p = 2 ((e + 1) / 2) p */
		if (e + 1 < 8)
			(void)jac_add(&table[e + 1], &table[e], p);
	}

	idx = booth_digit(k, WINDOWS - 1, &neg);
	select_point(r, table, idx, neg);
	for (int i = WINDOWS - 2; i >= 0; i--) {
		jac_dbl(r, r);
		jac_dbl(r, r);
		jac_dbl(r, r);
		jac_dbl(r, r);
		idx = booth_digit(k, i, &neg);
		select_point(&d, table, idx, neg);
		if (i > 0)
			(void)jac_add(r, r, &d);
		else
			add_last(r, &d);
	}
	tpm_wipe(table, sizeof(table));
	tpm_wipe(&d, sizeof(d));
}

/*
 * r = a + (x2, y2), the second operand affine: madd-2007-bl of the Explicit-Formulas Database
 * (Z2 = 1), 7M + 4S. b_inf (all ones) makes the affine operand the point at infinity; a may be
 * infinity too. Both are selected around with masks. a = +-b is not handled: the one caller
 * rules it out (see base_mul()). r may be a.
 */
static __attribute__((noinline)) void jac_madd(struct jac *r, const struct jac *a, const fe x2,
					       const fe y2, uint64_t b_inf)
{
	fe z1z1, u2, s2, h, hh, i, j, rr, v, t;
	struct jac out, b;
	uint64_t a_inf = fe_is_zero(a->z);

	fe_sqr(z1z1, a->z);
	fe_mul(u2, x2, z1z1);
	fe_mul(s2, y2, a->z);
	fe_mul(s2, s2, z1z1);
	fe_sub(h, u2, a->x);
	fe_sqr(hh, h);
	fe_add(i, hh, hh);
	fe_add(i, i, i);
	fe_mul(j, h, i);
	fe_sub(rr, s2, a->y);
	fe_add(rr, rr, rr);
	fe_mul(v, a->x, i);
	/* X3 = r^2 - J - 2V */
	fe_sqr(t, rr);
	fe_sub(t, t, j);
	fe_sub(t, t, v);
	fe_sub(out.x, t, v);
	/* Y3 = r (V - X3) - 2 Y1 J */
	fe_sub(t, v, out.x);
	fe_mul(t, rr, t);
	fe_mul(s2, a->y, j);
	fe_add(s2, s2, s2);
	fe_sub(out.y, t, s2);
	/* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
	fe_add(t, a->z, h);
	fe_sqr(t, t);
	fe_sub(t, t, z1z1);
	fe_sub(out.z, t, hh);

	for (int k = 0; k < 4; k++) {
		b.x[k] = x2[k];
		b.y[k] = y2[k];
		b.z[k] = ONE[k];
	}
	jac_cmov(&out, a, b_inf);
	/* a infinite and b finite: b. Both infinite: a, already there. */
	jac_cmov(&out, &b, a_inf & ~b_inf);
	*r = out;
}

/* (x, y) = entry idx - 1 of one window of the base table, (0, 0) for idx 0; reads all 8. */
static void select_affine(fe x, fe y, const uint64_t tab[8][8], uint64_t idx)
{
	for (int i = 0; i < 4; i++)
		x[i] = y[i] = 0;
	for (uint64_t e = 0; e < 8; e++) {
		uint64_t m = ct_is_zero(idx ^ (e + 1));

		for (int i = 0; i < 4; i++) {
			x[i] |= tab[e][i] & m;
			y[i] |= tab[e][4 + i] & m;
		}
	}
}

/*
 * r = k * G for k in [1, n - 1], from the fixed table p256_base_table[j][i - 1] = i 16^j G
 * (scripts/gen-p256-table): one mixed addition per signed 4-bit digit and no doubling at all.
 * The table has windows 0..63 only (32 KiB); window 64, the digit b(255), is kept empty by
 * working with n - k instead of k when bit 255 is set (then n - k < n - 2^255 < 2^255) and
 * negating the result, (n - k) G = -kG, both by mask.
 *
 * Why no addition meets a = +-b: windows are added from j = 0 upwards; before window j the sum
 * is S G with S = sum_{i<j} d_i 16^i = (k mod 16^j) - b(4j-1) 16^j, so |S| < 16^j, while the
 * addend is d_j 16^j G with |d_j 16^j| >= 16^j. As |S| + |d_j 16^j| < 9 * 16^63 < n, S = +-d_j
 * 16^j mod n would have to hold over the integers, which it cannot. S = 0 is the point at
 * infinity and d_j = 0 an infinite addend: jac_madd() masks both.
 */
static __attribute__((noinline)) void base_mul(struct jac *r, const uint64_t k[5])
{
	uint64_t kk[5], nk[4], borrow = 0, flip, idx, neg;
	fe x, y, ny;

	for (int i = 0; i < 4; i++)
		nk[i] = sbb(N[i], k[i], &borrow);
	flip = ct_barrier(0 - (k[3] >> 63));
	for (int i = 0; i < 4; i++)
		kk[i] = (k[i] & ~flip) | (nk[i] & flip);
	kk[4] = 0;

	for (int i = 0; i < 4; i++)
		r->x[i] = r->y[i] = r->z[i] = 0;
	for (int j = 0; j < 64; j++) {
		idx = booth_digit(kk, j, &neg);
		select_affine(x, y, p256_base_table[j], idx);
		fe_neg(ny, y);
		fe_cmov(y, ny, neg);
		jac_madd(r, r, x, y, ct_is_zero(idx));
	}
	fe_neg(ny, r->y);
	fe_cmov(r->y, ny, flip);
	tpm_wipe(kk, sizeof(kk));
	tpm_wipe(nk, sizeof(nk));
	tpm_wipe(x, sizeof(x));
	tpm_wipe(y, sizeof(y));
	tpm_wipe(ny, sizeof(ny));
}

/* Loads a scalar; 0 when it is in [1, n - 1]. */
static int load_scalar(uint64_t k[5], const uint8_t b[32])
{
	uint64_t ok;

	fe_from_bytes(k, b);
	k[4] = 0;
	ok = lt_mask(k, N) & ~fe_is_zero(k);
	ct_declassify(&ok, sizeof(ok));
	return ok ? 0 : -1;
}

/* Loads an affine point into Montgomery form; 0 when it is on the curve. */
static int load_point(struct jac *r, const uint8_t x[32], const uint8_t y[32])
{
	fe lhs, rhs;

	fe_from_bytes(r->x, x);
	fe_from_bytes(r->y, y);
	if (!lt_mask(r->x, P) || !lt_mask(r->y, P))
		return -1;
	fe_mul(r->x, r->x, R2);
	fe_mul(r->y, r->y, R2);
	for (int i = 0; i < 4; i++)
		r->z[i] = ONE[i];
	curve_rhs(rhs, r->x);
	fe_sqr(lhs, r->y);
	fe_sub(lhs, lhs, rhs);
	return fe_is_zero(lhs) ? 0 : -1;
}

/* Writes the affine coordinates of a; -1 (nothing written) for the point at infinity. */
static __attribute__((noinline)) int store_point(uint8_t x[32], uint8_t y[32], const struct jac *a)
{
	static const fe one = {1, 0, 0, 0};
	fe zi, zi2, ax, ay;
	uint64_t inf = fe_is_zero(a->z);
	int ret;

	ct_declassify(&inf, sizeof(inf));
	ret = inf ? -1 : 0;

	fe_inv(zi, a->z);
	fe_sqr(zi2, zi);
	fe_mul(ax, a->x, zi2);
	fe_mul(zi2, zi2, zi);
	fe_mul(ay, a->y, zi2);
	fe_mul(ax, ax, one); /* out of Montgomery form */
	fe_mul(ay, ay, one);
	if (ret == 0) {
		fe_to_bytes(x, ax);
		fe_to_bytes(y, ay);
	}
	tpm_wipe(zi, sizeof(zi));
	tpm_wipe(zi2, sizeof(zi2));
	tpm_wipe(ax, sizeof(ax)); /* for p256_mul: an ECDH shared secret */
	tpm_wipe(ay, sizeof(ay));
	return ret;
}

static int mul_point(uint8_t out_x[32], uint8_t out_y[32], const uint8_t k[32], const struct jac *p)
{
	uint64_t ks[5];
	struct jac q;
	int ret = -1;

	if (load_scalar(ks, k) == 0) {
		scalar_mul(&q, ks, p);
		ret = store_point(out_x, out_y, &q);
		tpm_wipe(&q, sizeof(q));
	}
	tpm_wipe(ks, sizeof(ks));
	return ret;
}

int p256_mul(uint8_t out_x[32], uint8_t out_y[32], const uint8_t k[32], const uint8_t px[32],
	     const uint8_t py[32])
{
	struct jac p;

	if (load_point(&p, px, py) != 0)
		return -1;
	return mul_point(out_x, out_y, k, &p);
}

int p256_mul_base(uint8_t out_x[32], uint8_t out_y[32], const uint8_t k[32])
{
	uint64_t ks[5];
	struct jac q;
	int ret = -1;

	if (load_scalar(ks, k) == 0) {
		base_mul(&q, ks);
		ret = store_point(out_x, out_y, &q);
		tpm_wipe(&q, sizeof(q));
	}
	tpm_wipe(ks, sizeof(ks));
	return ret;
}

int p256_on_curve(const uint8_t x[32], const uint8_t y[32])
{
	struct jac p;

	return load_point(&p, x, y);
}
