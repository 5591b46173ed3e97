/* SPDX-License-Identifier: MIT */
/*
 * Checked arithmetic for values that come from outside (guest, host, disk, image).
 * Every helper returns true when the result overflowed; *out is then unspecified.
 */
#ifndef LIB_CHECKED_H
#define LIB_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

#define ADD_OVERFLOW(a, b, out) __builtin_add_overflow((a), (b), (out))
#define SUB_OVERFLOW(a, b, out) __builtin_sub_overflow((a), (b), (out))
#define MUL_OVERFLOW(a, b, out) __builtin_mul_overflow((a), (b), (out))

/*
 * True when [base, base + len) lies inside [lo, lo + size) without wrapping.
 * An empty range (len == 0) is inside when base lies in [lo, lo + size].
 */
/*@ assigns \nothing;
    ensures \result <==> base + len <= UINT64_MAX && lo + size <= UINT64_MAX &&
                         lo <= base && base + len <= lo + size;
 */
static inline bool range_within(uint64_t base, uint64_t len, uint64_t lo, uint64_t size)
{
	uint64_t end = 0;
	uint64_t lim = 0;

	if (ADD_OVERFLOW(base, len, &end) || ADD_OVERFLOW(lo, size, &lim))
		return false;
	return base >= lo && end <= lim;
}

/* True when [a, a + alen) and [b, b + blen) share at least one byte (no wrap allowed). */
/*@ assigns \nothing;
    ensures \result <==> alen != 0 && blen != 0 &&
                         (a + alen > UINT64_MAX || b + blen > UINT64_MAX ||
                          (a < b + blen && b < a + alen));
 */
static inline bool range_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	uint64_t aend = 0;
	uint64_t bend = 0;

	if (alen == 0 || blen == 0)
		return false;
	if (ADD_OVERFLOW(a, alen, &aend) || ADD_OVERFLOW(b, blen, &bend))
		return true; /* a wrapping range overlaps everything: refuse it */
	return a < bend && b < aend;
}

#endif
