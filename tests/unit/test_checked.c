/* SPDX-License-Identifier: MIT */
/*
 * include/lib/checked.h: range_within / range_overlaps at the edges (empty ranges, adjacency,
 * the top of the 64-bit space, wrap-around) and against a 128-bit reference model, plus the
 * ADD/SUB/MUL_OVERFLOW wrappers.
 */
#include <stdint.h>

#include "unit.h"

#include <lib/checked.h>

typedef unsigned __int128 u128;

#define MAX UINT64_MAX

/* Reference: the same contract computed without overflow. */
static bool ref_within(uint64_t base, uint64_t len, uint64_t lo, uint64_t size)
{
	u128 end = (u128)base + len;
	u128 lim = (u128)lo + size;

	if (end > MAX || lim > MAX)
		return false;
	return base >= lo && end <= lim;
}

static bool ref_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	u128 aend = (u128)a + alen;
	u128 bend = (u128)b + blen;

	if (alen == 0 || blen == 0)
		return false;
	if (aend > MAX || bend > MAX)
		return true;
	return a < bend && b < aend;
}

UNIT_TEST(checked_range_within_edges)
{
	EXPECT(range_within(0, 0, 0, 0));
	EXPECT(range_within(0x1000, 0x1000, 0x1000, 0x1000));
	EXPECT(range_within(0x1000, 0, 0x1000, 0x1000));
	EXPECT(range_within(0x2000, 0, 0x1000, 0x1000)); /* empty, at the end: inside */
	EXPECT(!range_within(0x2001, 0, 0x1000, 0x1000));
	EXPECT(!range_within(0xfff, 0, 0x1000, 0x1000));
	EXPECT(!range_within(0xfff, 1, 0x1000, 0x1000));
	EXPECT(!range_within(0x1fff, 2, 0x1000, 0x1000));
	EXPECT(range_within(0x1fff, 1, 0x1000, 0x1000));
	EXPECT(!range_within(0x1000, 0x1001, 0x1000, 0x1000));

	/* The top of the address space: ending exactly at 2^64 is a wrap and refused. */
	EXPECT(range_within(MAX - 1, 1, 0, MAX));
	EXPECT(range_within(MAX, 0, 0, MAX));
	EXPECT(!range_within(MAX, 1, 0, MAX));
	EXPECT(!range_within(MAX - 0xff, 0x100, MAX - 0xff, 0x100));
	EXPECT(range_within(MAX - 0xff, 0xff, MAX - 0xff, 0xff));

	/* Wrapping ranges: base + len past 2^64 would otherwise look small and inside. */
	EXPECT(!range_within(0x1800, MAX, 0x1000, 0x1000));
	EXPECT(!range_within(0x1000, MAX - 0xfff + 0x10, 0x1000, 0x1000));
	EXPECT(!range_within(MAX, MAX, 0, MAX));
	EXPECT(!range_within(0x10, 1, 1, MAX)); /* the window itself wraps */
	EXPECT(!range_within(0, 0, 1, MAX));
	EXPECT(range_within(0, MAX, 0, MAX));
}

UNIT_TEST(checked_range_overlaps_edges)
{
	EXPECT(!range_overlaps(0, 0x10, 0x10, 0x10)); /* adjacent */
	EXPECT(!range_overlaps(0x10, 0x10, 0, 0x10));
	EXPECT(range_overlaps(0, 0x11, 0x10, 0x10));
	EXPECT(range_overlaps(0x10, 0x10, 0, 0x11));
	EXPECT(range_overlaps(0, 0x100, 0x10, 0x10)); /* contained */
	EXPECT(range_overlaps(0x10, 0x10, 0, 0x100));
	EXPECT(range_overlaps(0x10, 0x10, 0x10, 0x10)); /* identical */
	EXPECT(!range_overlaps(0x10, 0, 0x10, 0x10));	/* empty never overlaps */
	EXPECT(!range_overlaps(0x10, 0x10, 0x18, 0));
	EXPECT(!range_overlaps(0, 0, 0, 0));

	EXPECT(range_overlaps(MAX - 1, 1, MAX - 1, 1));
	EXPECT(!range_overlaps(MAX - 1, 1, 0, MAX - 1));
	EXPECT(range_overlaps(0, MAX, MAX - 1, 1));
	/* Wrapping ranges are refused as overlapping everything. */
	EXPECT(range_overlaps(MAX, 1, 0, 1));
	EXPECT(range_overlaps(MAX, 2, 0x1000, 1));
	EXPECT(range_overlaps(0x1000, 1, 0x10, MAX));
}

/* Values clustered where the bugs live: near 0, near 2^64, and random. */
static uint64_t edge_value(void)
{
	switch (unit_rand64() % 4) {
	case 0:
		return unit_rand64() % 8;
	case 1:
		return MAX - unit_rand64() % 8;
	case 2:
		return 0x1000 + unit_rand64() % 16 - 8;
	default:
		return unit_rand64() >> (unit_rand64() % 64);
	}
}

UNIT_TEST(checked_ranges_match_reference)
{
	for (int i = 0; i < 200000; i++) {
		uint64_t a = edge_value(), b = edge_value(), c = edge_value(), d = edge_value();

		if (!EXPECTF(range_within(a, b, c, d) == ref_within(a, b, c, d),
			     "range_within(%#llx, %#llx, %#llx, %#llx)", (unsigned long long)a,
			     (unsigned long long)b, (unsigned long long)c, (unsigned long long)d))
			return;
		if (!EXPECTF(range_overlaps(a, b, c, d) == ref_overlaps(a, b, c, d),
			     "range_overlaps(%#llx, %#llx, %#llx, %#llx)", (unsigned long long)a,
			     (unsigned long long)b, (unsigned long long)c, (unsigned long long)d))
			return;
		EXPECT(range_overlaps(a, b, c, d) == range_overlaps(c, d, a, b));
	}
}

UNIT_TEST(checked_overflow_wrappers)
{
	uint64_t u = 0;
	uint32_t u32 = 0;
	int64_t s = 0;
	int si = 0;

	EXPECT(!ADD_OVERFLOW(MAX - 1, (uint64_t)1, &u));
	EXPECT_EQ_U64(u, MAX);
	EXPECT(ADD_OVERFLOW(MAX, (uint64_t)1, &u));
	EXPECT(ADD_OVERFLOW(MAX, MAX, &u));
	EXPECT(!ADD_OVERFLOW((uint64_t)0, (uint64_t)0, &u));
	EXPECT_EQ_U64(u, 0);

	/* The result type decides: a sum that fits 64 bits can still overflow a 32-bit out. */
	EXPECT(ADD_OVERFLOW((uint64_t)0xFFFFFFFF, (uint64_t)1, &u32));
	EXPECT(!ADD_OVERFLOW((uint64_t)0xFFFFFFFE, (uint64_t)1, &u32));
	EXPECT_EQ_U64(u32, 0xFFFFFFFFu);
	EXPECT(ADD_OVERFLOW((uint64_t)1, (int)-2, &u)); /* negative result in unsigned */
	EXPECT(ADD_OVERFLOW(INT64_MAX, (int64_t)1, &s));
	EXPECT(!ADD_OVERFLOW(INT64_MIN, (int64_t)INT64_MAX, &s));
	EXPECT_EQ_U64((uint64_t)s, (uint64_t)-1);
	EXPECT(ADD_OVERFLOW(INT32_MAX, 1, &si));

	EXPECT(SUB_OVERFLOW((uint64_t)0, (uint64_t)1, &u));
	EXPECT(!SUB_OVERFLOW((uint64_t)5, (uint64_t)5, &u));
	EXPECT_EQ_U64(u, 0);
	EXPECT(SUB_OVERFLOW(INT64_MIN, (int64_t)1, &s));

	EXPECT(!MUL_OVERFLOW((uint64_t)0x100000000, (uint64_t)0xFFFFFFFF, &u));
	EXPECT_EQ_U64(u, 0xFFFFFFFF00000000ull);
	EXPECT(MUL_OVERFLOW((uint64_t)0x100000000, (uint64_t)0x100000000, &u));
	EXPECT(MUL_OVERFLOW(MAX, (uint64_t)2, &u));
	EXPECT(!MUL_OVERFLOW(MAX, (uint64_t)1, &u));
	EXPECT(!MUL_OVERFLOW(MAX, (uint64_t)0, &u));
	EXPECT_EQ_U64(u, 0);
	EXPECT(MUL_OVERFLOW((uint64_t)0x10000, (uint64_t)0x10000, &u32));
	EXPECT(MUL_OVERFLOW(INT64_MIN, (int64_t)-1, &s));
	EXPECT(MUL_OVERFLOW((uint64_t)4096, (uint64_t)0x0010000000000000ull, &u));

	for (int i = 0; i < 100000; i++) {
		uint64_t a = edge_value(), b = edge_value();
		u128 sum = (u128)a + b;
		u128 prod = (u128)a * b;

		EXPECT(ADD_OVERFLOW(a, b, &u) == (sum > MAX));
		if (sum <= MAX)
			EXPECT_EQ_U64(u, (uint64_t)sum);
		EXPECT(MUL_OVERFLOW(a, b, &u) == (prod > MAX));
		if (prod <= MAX)
			EXPECT_EQ_U64(u, (uint64_t)prod);
		EXPECT(SUB_OVERFLOW(a, b, &u) == (a < b));
	}
}
