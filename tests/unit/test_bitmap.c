/* SPDX-License-Identifier: MIT */
/*
 * lib/bitmap.c: every API edge (empty bitmap, bit 0/1, the 63/64/65 word boundary, sizes that
 * are not a multiple of 64, full and empty maps, bad ranges, alignments, double frees), an
 * exhaustive range sweep, and thousands of random operations against a bool-array model
 * that also checks the padding bits of the last word stay zero.
 */
#include <stdint.h>
#include <string.h>

#include "unit.h"

#include <lib/bitmap.h>

#define MAXBITS	 1000
#define MAXWORDS BITMAP_WORDS(MAXBITS)

/* A bitmap plus a bool-per-bit model of what it should hold. */
struct fixture {
	struct bitmap b;
	uint64_t words[MAXWORDS + 1]; /* one guard word past the end */
	bool model[MAXBITS];
};

#define GUARD 0x5a5a5a5a5a5a5a5aull

static void fx_init(struct fixture *f, size_t nbits)
{
	ASSERT(nbits <= MAXBITS);
	memset(f->words, 0xa5, sizeof(f->words));
	f->words[BITMAP_WORDS(nbits)] = GUARD;
	memset(f->model, 0, sizeof(f->model));
	bitmap_init(&f->b, f->words, nbits);
}

/* Whole-state check: every bit, padding bits, the guard word and bitmap_count. */
static bool fx_check(const struct fixture *f)
{
	size_t nbits = f->b.nbits;
	size_t nwords = BITMAP_WORDS(nbits);
	size_t n = 0;

	for (size_t i = 0; i < nbits; i++) {
		if (!EXPECTF(bitmap_test(&f->b, i) == f->model[i], "bit %zu of %zu", i, nbits))
			return false;
		n += f->model[i];
	}
	if ((nbits & 63) != 0 &&
	    !EXPECTF((f->words[nwords - 1] >> (nbits & 63)) == 0, "padding of %zu bits", nbits))
		return false;
	if (!EXPECT_EQ_U64(f->words[nwords], GUARD))
		return false;
	return EXPECT_EQ_U64(bitmap_count(&f->b), n);
}

static size_t model_find(const struct fixture *f, size_t from, bool want)
{
	for (size_t i = from; i < f->b.nbits; i++)
		if (f->model[i] == want)
			return i;
	return f->b.nbits;
}

static void model_fill(struct fixture *f, size_t start, size_t count, bool v)
{
	for (size_t i = start; i < start + count; i++)
		f->model[i] = v;
}

/* Lowest aligned start of `count` zero bits, by brute force; false when none. */
static bool model_alloc(const struct fixture *f, size_t count, size_t align, size_t *start)
{
	for (size_t s = 0; s + count <= f->b.nbits; s += align) {
		size_t k = 0;

		while (k < count && !f->model[s + k])
			k++;
		if (k == count) {
			*start = s;
			return true;
		}
	}
	return false;
}

UNIT_TEST(bitmap_words_macro)
{
	EXPECT_EQ_U64(BITMAP_WORDS(0), 0);
	EXPECT_EQ_U64(BITMAP_WORDS(1), 1);
	EXPECT_EQ_U64(BITMAP_WORDS(63), 1);
	EXPECT_EQ_U64(BITMAP_WORDS(64), 1);
	EXPECT_EQ_U64(BITMAP_WORDS(65), 2);
	EXPECT_EQ_U64(BITMAP_WORDS(128), 2);
	EXPECT_EQ_U64(BITMAP_WORDS((size_t)SIZE_MAX), SIZE_MAX / 64 + 1);
}

UNIT_TEST(bitmap_init_clears)
{
	static struct fixture f;
	struct bitmap empty;
	size_t start = 77;

	for (size_t nbits = 0; nbits <= 200; nbits++) {
		fx_init(&f, nbits);
		EXPECT_EQ_U64(f.b.nbits, nbits);
		for (size_t i = 0; i < BITMAP_WORDS(nbits); i++)
			EXPECT_EQ_U64(f.words[i], 0);
		if (!fx_check(&f))
			break;
	}
	/* A zero-bit map needs no storage at all. */
	bitmap_init(&empty, NULL, 0);
	EXPECT(!bitmap_test(&empty, 0));
	bitmap_set(&empty, 0);
	bitmap_clear(&empty, 0);
	EXPECT_EQ_U64(bitmap_count(&empty), 0);
	EXPECT_EQ_U64(bitmap_find_first_zero(&empty, 0), 0);
	EXPECT_EQ_U64(bitmap_find_first_set(&empty, 0), 0);
	EXPECT(bitmap_set_range(&empty, 0, 0));
	EXPECT(!bitmap_set_range(&empty, 0, 1));
	EXPECT(bitmap_clear_range(&empty, 0, 0));
	EXPECT(!bitmap_clear_range(&empty, 1, 0));
	EXPECT(!bitmap_alloc_range(&empty, 1, 1, &start));
	EXPECT_EQ_U64(start, 77);
	EXPECT(!bitmap_free_range(&empty, 0, 1));
}

UNIT_TEST(bitmap_single_bits_at_word_edges)
{
	static const size_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 200};
	static const size_t bits[] = {0, 1, 62, 63, 64, 65, 127, 128, 129, 199};
	static struct fixture f;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		fx_init(&f, sizes[s]);
		for (size_t k = 0; k < ARRAY_SIZE(bits); k++) {
			size_t bit = bits[k];

			if (bit >= sizes[s])
				continue;
			bitmap_set(&f.b, bit);
			f.model[bit] = true;
			EXPECT(bitmap_test(&f.b, bit));
			EXPECT_EQ_U64(f.words[bit / 64], (uint64_t)1 << (bit % 64));
			EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 0), bit);
			EXPECT_EQ_U64(bitmap_find_first_set(&f.b, bit), bit);
			EXPECT_EQ_U64(bitmap_find_first_set(&f.b, bit + 1), sizes[s]);
			bitmap_set(&f.b, bit); /* idempotent */
			EXPECT_EQ_U64(bitmap_count(&f.b), 1);
			bitmap_clear(&f.b, bit);
			f.model[bit] = false;
			bitmap_clear(&f.b, bit);
			EXPECT(!bitmap_test(&f.b, bit));
			if (!fx_check(&f))
				break;
		}
	}
}

/* bit >= nbits is ignored, even inside the last word's padding. */
UNIT_TEST(bitmap_out_of_range_bits_ignored)
{
	static const size_t sizes[] = {1, 63, 64, 65, 100};
	static struct fixture f;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t nbits = sizes[s];
		const size_t bad[] = {nbits, nbits + 1, (nbits | 63), 64 * MAXWORDS, SIZE_MAX};

		fx_init(&f, nbits);
		for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
			bitmap_set(&f.b, bad[k]);
			EXPECT(!bitmap_test(&f.b, bad[k]));
		}
		fx_check(&f);
		bitmap_set_range(&f.b, 0, nbits);
		model_fill(&f, 0, nbits, true);
		for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
			bitmap_clear(&f.b, bad[k]);
			EXPECT(!bitmap_test(&f.b, bad[k]));
		}
		fx_check(&f);
	}
}

UNIT_TEST(bitmap_range_bounds)
{
	static struct fixture f;
	uint64_t snap[MAXWORDS + 1];

	fx_init(&f, 130);
	EXPECT(bitmap_set_range(&f.b, 3, 5));
	model_fill(&f, 3, 5, true);
	memcpy(snap, f.words, sizeof(snap));

	const struct {
		size_t start, count;
	} bad[] = {
		{131, 0},
		{130, 1},
		{0, 131},
		{129, 2},
		{1, 130},
		{SIZE_MAX, 1},
		{1, SIZE_MAX},
		{SIZE_MAX, SIZE_MAX},
		{64, SIZE_MAX - 63}, /* start + count wraps to 0 */
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		EXPECTF(!bitmap_set_range(&f.b, bad[k].start, bad[k].count), "case %zu", k);
		EXPECTF(!bitmap_clear_range(&f.b, bad[k].start, bad[k].count), "case %zu", k);
		EXPECTF(!bitmap_free_range(&f.b, bad[k].start, bad[k].count), "case %zu", k);
		EXPECT_MEM_EQ(snap, f.words, sizeof(snap));
	}
	/* Empty ranges anywhere up to nbits are valid no-ops. */
	EXPECT(bitmap_set_range(&f.b, 0, 0));
	EXPECT(bitmap_set_range(&f.b, 130, 0));
	EXPECT(bitmap_clear_range(&f.b, 4, 0));
	EXPECT(bitmap_clear_range(&f.b, 130, 0));
	EXPECT_MEM_EQ(snap, f.words, sizeof(snap));
	/* The whole map, and ranges that end exactly at nbits. */
	EXPECT(bitmap_set_range(&f.b, 0, 130));
	model_fill(&f, 0, 130, true);
	fx_check(&f);
	EXPECT(bitmap_clear_range(&f.b, 65, 65));
	model_fill(&f, 65, 65, false);
	fx_check(&f);
	EXPECT(bitmap_clear_range(&f.b, 0, 130));
	model_fill(&f, 0, 130, false);
	fx_check(&f);
}

/* Every (start, count) on a 130-bit map, set then clear on top of a full and an empty map. */
UNIT_TEST(bitmap_range_exhaustive)
{
	static struct fixture f;
	const size_t nbits = 130;
	bool ok = true;

	for (size_t start = 0; start <= nbits && ok; start++) {
		for (size_t count = 0; start + count <= nbits && ok; count++) {
			fx_init(&f, nbits);
			ok = EXPECT(bitmap_set_range(&f.b, start, count));
			model_fill(&f, start, count, true);
			ok = ok && fx_check(&f);
			ok = ok &&
			     EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 0), count ? start : nbits);
			ok = ok &&
			     EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, start), start + count);

			EXPECT(bitmap_set_range(&f.b, 0, nbits));
			model_fill(&f, 0, nbits, true);
			ok = ok && EXPECT(bitmap_clear_range(&f.b, start, count));
			model_fill(&f, start, count, false);
			ok = ok && fx_check(&f);
			ok = ok &&
			     EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, 0), count ? start : nbits);
			ok = ok && EXPECT_EQ_U64(bitmap_find_first_set(&f.b, start), start + count);
			if (!ok)
				EXPECTF(false, "start %zu count %zu", start, count);
		}
	}
}

UNIT_TEST(bitmap_count_full_and_empty)
{
	static const size_t sizes[] = {1, 63, 64, 65, 127, 128, 129, 1000};
	static struct fixture f;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t nbits = sizes[s];

		fx_init(&f, nbits);
		EXPECT_EQ_U64(bitmap_count(&f.b), 0);
		EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, 0), 0);
		EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 0), nbits);
		EXPECT(bitmap_set_range(&f.b, 0, nbits));
		EXPECT_EQ_U64(bitmap_count(&f.b), nbits);
		/* A full map's padding bits must not be reported as zeros. */
		EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, 0), nbits);
		EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, nbits - 1), nbits);
		EXPECT_EQ_U64(bitmap_find_first_set(&f.b, nbits - 1), nbits - 1);
		EXPECT_EQ_U64(bitmap_find_first_set(&f.b, nbits), nbits);
		EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, nbits), nbits);
		EXPECT_EQ_U64(bitmap_find_first_set(&f.b, SIZE_MAX), nbits);
		EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, SIZE_MAX), nbits);
		model_fill(&f, 0, nbits, true);
		fx_check(&f);
	}
}

UNIT_TEST(bitmap_find_within_words)
{
	static struct fixture f;

	fx_init(&f, 200);
	bitmap_set(&f.b, 5);
	bitmap_set(&f.b, 63);
	bitmap_set(&f.b, 64);
	bitmap_set(&f.b, 199);
	EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 0), 5);
	EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 6), 63);
	EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 64), 64);
	EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 65), 199);
	EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 199), 199);
	EXPECT_EQ_U64(bitmap_find_first_set(&f.b, 200), 200);
	EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, 5), 6);
	EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, 63), 65);
	EXPECT_EQ_U64(bitmap_find_first_zero(&f.b, 199), 200);
	/* Every single-bit position in every word, from every earlier start. */
	for (size_t bit = 0; bit < 200; bit++) {
		fx_init(&f, 200);
		bitmap_set(&f.b, bit);
		for (size_t from = 0; from <= bit; from += 7)
			EXPECTF(bitmap_find_first_set(&f.b, from) == bit, "bit %zu from %zu", bit,
				from);
		bitmap_set_range(&f.b, 0, 200);
		bitmap_clear(&f.b, bit);
		for (size_t from = 0; from <= bit; from += 7)
			EXPECTF(bitmap_find_first_zero(&f.b, from) == bit, "bit %zu from %zu", bit,
				from);
	}
}

UNIT_TEST(bitmap_alloc_basic)
{
	static struct fixture f;
	size_t s = 0;

	fx_init(&f, 130);
	EXPECT(bitmap_alloc_range(&f.b, 1, 1, &s));
	EXPECT_EQ_U64(s, 0);
	EXPECT(bitmap_alloc_range(&f.b, 3, 1, &s));
	EXPECT_EQ_U64(s, 1);
	EXPECT(bitmap_alloc_range(&f.b, 4, 4, &s)); /* 4 is the next multiple of 4 */
	EXPECT_EQ_U64(s, 4);
	EXPECT(bitmap_alloc_range(&f.b, 1, 64, &s));
	EXPECT_EQ_U64(s, 64);
	EXPECT(bitmap_alloc_range(&f.b, 56, 8, &s)); /* [8, 64) */
	EXPECT_EQ_U64(s, 8);
	EXPECT(bitmap_alloc_range(&f.b, 65, 1, &s)); /* [65, 130): ends exactly at nbits */
	EXPECT_EQ_U64(s, 65);
	EXPECT_EQ_U64(bitmap_count(&f.b), 130);
	s = 12345;
	EXPECT(!bitmap_alloc_range(&f.b, 1, 1, &s));
	EXPECT_EQ_U64(s, 12345);

	/* Invalid requests change nothing. */
	fx_init(&f, 130);
	EXPECT(!bitmap_alloc_range(&f.b, 0, 1, &s));
	EXPECT(!bitmap_alloc_range(&f.b, 1, 0, &s));
	EXPECT(!bitmap_alloc_range(&f.b, 1, 3, &s));
	EXPECT(!bitmap_alloc_range(&f.b, 1, 96, &s));
	EXPECT(!bitmap_alloc_range(&f.b, 131, 1, &s));
	EXPECT(!bitmap_alloc_range(&f.b, SIZE_MAX, 1, &s));
	EXPECT_EQ_U64(s, 12345);
	fx_check(&f);
	EXPECT(bitmap_alloc_range(&f.b, 130, 1, &s));
	EXPECT_EQ_U64(s, 0);
	EXPECT(bitmap_free_range(&f.b, 0, 130));
	fx_check(&f);
}

UNIT_TEST(bitmap_alloc_alignment)
{
	static struct fixture f;
	size_t s = 0;

	/* Alignment larger than the map: only start 0 is possible. */
	fx_init(&f, 100);
	EXPECT(bitmap_alloc_range(&f.b, 10, (size_t)1 << 40, &s));
	EXPECT_EQ_U64(s, 0);
	EXPECT(!bitmap_alloc_range(&f.b, 1, 128, &s));
	EXPECT(!bitmap_alloc_range(&f.b, 1, (size_t)1 << 63, &s));
	EXPECT(bitmap_alloc_range(&f.b, 1, 64, &s));
	EXPECT_EQ_U64(s, 64);
	/* An aligned start that exists but whose run would pass nbits. */
	EXPECT(!bitmap_alloc_range(&f.b, 37, 32, &s));
	EXPECT(bitmap_alloc_range(&f.b, 35, 1, &s)); /* [10, 45) */
	EXPECT_EQ_U64(s, 10);
	EXPECT(bitmap_alloc_range(&f.b, 35, 1, &s)); /* [45, 64) is too short: [65, 100) */
	EXPECT_EQ_U64(s, 65);
	EXPECT(!bitmap_alloc_range(&f.b, 20, 1, &s));
	EXPECT(bitmap_alloc_range(&f.b, 19, 1, &s));
	EXPECT_EQ_U64(s, 45);
	EXPECT_EQ_U64(bitmap_count(&f.b), 100);

	/* A hole that is big enough but misaligned is skipped. */
	fx_init(&f, 256);
	EXPECT(bitmap_set_range(&f.b, 0, 256));
	EXPECT(bitmap_clear_range(&f.b, 60, 40));  /* [60, 100): aligned 32 only at 64 */
	EXPECT(bitmap_clear_range(&f.b, 130, 70)); /* [130, 200) */
	EXPECT(bitmap_alloc_range(&f.b, 32, 32, &s));
	EXPECT_EQ_U64(s, 64);
	EXPECT(!bitmap_alloc_range(&f.b, 64, 64, &s)); /* [128, 192) has bits 128, 129 set */
	EXPECT(bitmap_alloc_range(&f.b, 60, 2, &s));
	EXPECT_EQ_U64(s, 130);
	EXPECT(bitmap_alloc_range(&f.b, 4, 4, &s));
	EXPECT_EQ_U64(s, 60);
	EXPECT(bitmap_alloc_range(&f.b, 4, 1, &s));
	EXPECT_EQ_U64(s, 96);
	EXPECT(bitmap_alloc_range(&f.b, 10, 1, &s));
	EXPECT_EQ_U64(s, 190);
	EXPECT_EQ_U64(bitmap_count(&f.b), 256);
}

UNIT_TEST(bitmap_free_double_free)
{
	static struct fixture f;
	uint64_t snap[MAXWORDS + 1];
	size_t a = 0;
	size_t b = 0;

	fx_init(&f, 200);
	EXPECT(bitmap_alloc_range(&f.b, 70, 1, &a));
	EXPECT(bitmap_alloc_range(&f.b, 10, 1, &b));
	EXPECT_EQ_U64(a, 0);
	EXPECT_EQ_U64(b, 70);
	memcpy(snap, f.words, sizeof(snap));
	EXPECT(!bitmap_free_range(&f.b, 0, 0));	    /* empty */
	EXPECT(!bitmap_free_range(&f.b, 0, 81));    /* one bit too many */
	EXPECT(!bitmap_free_range(&f.b, 75, 10));   /* runs past the allocation */
	EXPECT(!bitmap_free_range(&f.b, 199, 1));   /* never allocated */
	EXPECT(!bitmap_free_range(&f.b, 199, 2));   /* out of range */
	EXPECT_MEM_EQ(snap, f.words, sizeof(snap)); /* no partial clearing */
	EXPECT(bitmap_free_range(&f.b, a, 70));
	EXPECT(!bitmap_free_range(&f.b, a, 70)); /* double free */
	EXPECT(!bitmap_free_range(&f.b, 63, 2));
	EXPECT(bitmap_test(&f.b, 70));
	EXPECT(bitmap_free_range(&f.b, 70, 1)); /* frees may split allocations */
	EXPECT(bitmap_free_range(&f.b, 71, 9));
	EXPECT(!bitmap_free_range(&f.b, 79, 1));
	EXPECT_EQ_U64(bitmap_count(&f.b), 0);
	fx_check(&f);
}

static size_t rand_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(unit_rand64() % n);
}

/* A random (start, count); mostly in range, sometimes not. */
static void rand_range(size_t nbits, size_t *start, size_t *count)
{
	*start = rand_below(nbits + 2);
	*count = rand_below(unit_rand64() % 4 == 0 ? nbits + 2 : 80);
}

/* One random operation on f, checked against the model; false when a check failed. */
static bool random_op(struct fixture *f)
{
	size_t nbits = f->b.nbits;
	size_t start = 0;
	size_t count = 0;
	size_t align = 0;
	size_t want = 0;
	bool fits = false;
	bool all = true;

	rand_range(nbits, &start, &count);
	fits = start <= nbits && count <= nbits - start;
	switch (unit_rand64() % 8) {
	case 0:
		bitmap_set(&f->b, start);
		if (start < nbits)
			f->model[start] = true;
		return true;
	case 1:
		bitmap_clear(&f->b, start);
		if (start < nbits)
			f->model[start] = false;
		return true;
	case 2:
		if (!EXPECT(bitmap_set_range(&f->b, start, count) == fits))
			return false;
		if (fits)
			model_fill(f, start, count, true);
		return true;
	case 3:
		if (!EXPECT(bitmap_clear_range(&f->b, start, count) == fits))
			return false;
		if (fits)
			model_fill(f, start, count, false);
		return true;
	case 4:
	case 5:
		align = (size_t)1 << rand_below(8);
		count = 1 + rand_below(unit_rand64() % 8 == 0 ? nbits : 40);
		fits = model_alloc(f, count, align, &want);
		start = SIZE_MAX;
		if (!EXPECTF(bitmap_alloc_range(&f->b, count, align, &start) == fits,
			     "alloc %zu align %zu", count, align))
			return false;
		if (!fits)
			return EXPECT_EQ_U64(start, SIZE_MAX);
		model_fill(f, want, count, true);
		return EXPECT_EQ_U64(start, want);
	case 6:
		for (size_t i = start; fits && i < start + count; i++)
			all = all && f->model[i];
		fits = fits && count > 0 && all;
		if (!EXPECTF(bitmap_free_range(&f->b, start, count) == fits, "free %zu+%zu", start,
			     count))
			return false;
		if (fits)
			model_fill(f, start, count, false);
		return true;
	default:
		return EXPECT_EQ_U64(bitmap_find_first_zero(&f->b, start),
				     model_find(f, start, false)) &&
		       EXPECT_EQ_U64(bitmap_find_first_set(&f->b, start),
				     model_find(f, start, true));
	}
}

UNIT_TEST(bitmap_random_against_model)
{
	static const size_t sizes[] = {1, 2, 63, 64, 65, 127, 128, 129, 333, 1000};
	static struct fixture f;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		fx_init(&f, sizes[s]);
		for (int op = 0; op < 3000; op++) {
			if (!random_op(&f) || !fx_check(&f)) {
				EXPECTF(false, "nbits %zu, op %d", sizes[s], op);
				return;
			}
		}
	}
}
