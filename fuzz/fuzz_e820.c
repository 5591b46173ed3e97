/* SPDX-License-Identifier: MIT */
/*
 * lib/e820.c e820_choose_region on an untrusted e820 map, checked against a brute-force
 * oracle written independently of the barrier argument the code relies on.
 *
 * Input: one mode byte. Mode bit 0 clear: the loader's parameters (SVSM_REGION_SIZE,
 * SVSM_REGION_ALIGN, [LOW_MEMORY_END, IMAGE_TOP)). Set: size (u64), an align byte (bit 7 set:
 * a raw u64 follows, possibly not a power of two; else 1 << (byte % 64)), min (u64), max (u64).
 * The rest is an array of struct boot_e820_entry (24 bytes each; a short tail is dropped), at
 * most BOOT_E820_MAX entries as the loader allows.
 *
 * Oracle: cut the address space at every entry boundary and at min and max; an elementary
 * piece is free when a usable entry covers it and no other-type entry touches it (empty and
 * wrapping entries ignored, as documented). The answer must be the highest aligned base of the
 * free runs inside [min, max); usable_total and largest_range are the touching-merged usable
 * runs clipped to [min, max). On E820_OK the region is also checked directly (aligned, inside
 * [min, max), covered by usable entries, overlapping no other entry).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <boot/layout.h>
#include <lib/e820.h>

struct ival {
	uint64_t s, e;
};

static bool valid_entry(const struct boot_e820_entry *m, uint64_t *end)
{
	return m->size != 0 && !__builtin_add_overflow(m->addr, m->size, end);
}

FUZZ_NO_COVERAGE static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Is [s, e) inside some valid entry of the kind asked for (usable) / touched by one (other)? */
FUZZ_NO_COVERAGE static bool covered_by_one(const struct boot_e820_entry *map, size_t n, uint64_t s,
					    uint64_t e)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type == E820_USABLE && valid_entry(&map[i], &end) && map[i].addr <= s &&
		    e <= end)
			return true;
	}
	return false;
}

FUZZ_NO_COVERAGE static bool touches_other(const struct boot_e820_entry *map, size_t n, uint64_t s,
					   uint64_t e)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type != E820_USABLE && valid_entry(&map[i], &end) && map[i].addr < e &&
		    s < end)
			return true;
	}
	return false;
}

/* Sorted distinct cut points: every valid entry's start and end, min and max. */
FUZZ_NO_COVERAGE static size_t cut_points(const struct boot_e820_entry *map, size_t n, uint64_t min,
					  uint64_t max, uint64_t *pts)
{
	size_t k = 0;
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (!valid_entry(&map[i], &end))
			continue;
		pts[k++] = map[i].addr;
		pts[k++] = end;
	}
	pts[k++] = min;
	pts[k++] = max;
	qsort(pts, k, sizeof(*pts), cmp_u64);
	for (size_t i = 0; i < k; i++)
		if (u == 0 || pts[u - 1] != pts[i])
			pts[u++] = pts[i];
	return u;
}

/*
 * Maximal runs inside [min, max) of pieces that are usable (and, when free_only, touched by no
 * other entry); consecutive pieces merge, so touching usable entries form one run.
 */
FUZZ_NO_COVERAGE static size_t runs(const struct boot_e820_entry *map, size_t n, uint64_t min,
				    uint64_t max, bool free_only, const uint64_t *pts, size_t npts,
				    struct ival *out)
{
	size_t k = 0;

	for (size_t i = 0; i + 1 < npts; i++) {
		uint64_t s = pts[i];
		uint64_t e = pts[i + 1];

		if (s < min || e > max || !covered_by_one(map, n, s, e))
			continue;
		if (free_only && touches_other(map, n, s, e))
			continue;
		if (k > 0 && out[k - 1].e == s)
			out[k - 1].e = e;
		else
			out[k++] = (struct ival){s, e};
	}
	return k;
}

/* [s, e) wholly covered by the union of valid usable entries (pieces between cut points). */
FUZZ_NO_COVERAGE static bool union_covers(const struct boot_e820_entry *map, size_t n,
					  const uint64_t *pts, size_t npts, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i + 1 < npts; i++) {
		uint64_t a = pts[i] > s ? pts[i] : s;
		uint64_t b = pts[i + 1] < e ? pts[i + 1] : e;

		if (a < b && !covered_by_one(map, n, a, b))
			return false;
	}
	return true;
}

static void check(const struct boot_e820_entry *map, size_t n, uint64_t size, uint64_t align,
		  uint64_t min, uint64_t max)
{
	struct e820_choice c = {1, 2, 3};
	enum e820_err err = e820_choose_region(map, n, size, align, min, max, &c);
	uint64_t pts[2 * BOOT_E820_MAX + 2];
	struct ival r[2 * BOOT_E820_MAX + 2];
	bool any_usable = false;
	bool found = false;
	uint64_t best = 0;
	uint64_t total = 0;
	uint64_t largest = 0;
	size_t npts = 0;
	size_t nr = 0;

	FUZZ_CHECK(e820_strerror(err) != NULL);
	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type == E820_USABLE && valid_entry(&map[i], &end))
			any_usable = true;
	}
	if (n == 0) {
		FUZZ_CHECK(err == E820_EEMPTY);
		return;
	}
	if (!any_usable) {
		FUZZ_CHECK(err == E820_ENOUSABLE);
		return;
	}
	if (size == 0 || align == 0 || (align & (align - 1)) != 0 || min >= max) {
		FUZZ_CHECK(err == E820_ETOOSMALL);
		return;
	}
	FUZZ_CHECK(err == E820_OK || err == E820_ETOOSMALL);

	npts = cut_points(map, n, min, max, pts);
	nr = runs(map, n, min, max, false, pts, npts, r);
	for (size_t i = 0; i < nr; i++) {
		total += r[i].e - r[i].s;
		if (r[i].e - r[i].s > largest)
			largest = r[i].e - r[i].s;
	}
	FUZZ_CHECK(c.usable_total == total);
	FUZZ_CHECK(c.largest_range == largest);

	nr = runs(map, n, min, max, true, pts, npts, r);
	for (size_t i = 0; i < nr; i++) {
		uint64_t b = 0;

		if (r[i].e - r[i].s < size)
			continue;
		b = (r[i].e - size) & ~(align - 1);
		if (b >= r[i].s && (!found || b > best)) {
			best = b;
			found = true;
		}
	}
	FUZZ_CHECK(found == (err == E820_OK));
	if (err != E820_OK)
		return;
	FUZZ_CHECK(c.base == best);

	/* Direct check of the promise, independent of the runs above. */
	FUZZ_CHECK((c.base & (align - 1)) == 0);
	FUZZ_CHECK(c.base >= min && c.base <= max && max - c.base >= size);
	FUZZ_CHECK(union_covers(map, n, pts, npts, c.base, c.base + size));
	FUZZ_CHECK(!touches_other(map, n, c.base, c.base + size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t mode = fuzz_u8(&in);
	uint64_t rsize = SVSM_REGION_SIZE;
	uint64_t align = SVSM_REGION_ALIGN;
	uint64_t min = LOW_MEMORY_END;
	uint64_t max = IMAGE_TOP;
	struct boot_e820_entry *map = NULL;
	size_t n = 0;

	if (mode & 1) {
		uint8_t a = 0;

		rsize = fuzz_u64(&in);
		a = fuzz_u8(&in);
		align = (a & 0x80) ? fuzz_u64(&in) : 1ull << (a % 64);
		min = fuzz_u64(&in);
		max = fuzz_u64(&in);
	}
	n = in.n / sizeof(*map);
	if (n > BOOT_E820_MAX)
		n = BOOT_E820_MAX;
	/* Exact size, so ASan catches a read past the last entry (malloc(0) may give NULL). */
	map = malloc(n * sizeof(*map) + (n == 0));
	FUZZ_CHECK(map != NULL);
	memcpy(map, in.p, n * sizeof(*map));
	check(n ? map : NULL, n, rsize, align, min, max);
	free(map);
	return 0;
}
