/* SPDX-License-Identifier: MIT */
/*
 * Run-length-encoded bitmap (include/lib/rle_bitmap.h). Both updates have the same shape: find
 * by binary search the runs [i, j) the range affects, compute the 0-2 runs that replace them,
 * then replace() grows the array if the run count rises (the only step that can fail) before
 * it moves anything. Loops copy element by element so WP needs no memmove contract.
 */
#include <lib/checked.h>
#include <lib/rle_bitmap.h>

/* First k with runs[k].end > x, or nruns. Ends are strictly increasing. */
static size_t first_end_above(const struct rle_bitmap *r, uint64_t x)
{
	size_t lo = 0;
	size_t hi = r->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->runs[mid].end > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* First k with runs[k].start > x, or nruns. Starts are strictly increasing. */
static size_t first_start_above(const struct rle_bitmap *r, uint64_t x)
{
	size_t lo = 0;
	size_t hi = r->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->runs[mid].start > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Moves the storage to a new array of newcap runs, keeping runs[0 .. nruns). The caller
 * ensures newcap >= nruns and newcap > 0. On RLE_ENOMEM r is unchanged.
 */
static int resize(struct rle_bitmap *r, size_t newcap)
{
	struct rle_run *runs = NULL;
	size_t bytes = 0;

	if (MUL_OVERFLOW(newcap, sizeof(struct rle_run), &bytes))
		return RLE_ENOMEM;
	runs = r->alloc.alloc(r->alloc.ctx, bytes);
	if (runs == NULL)
		return RLE_ENOMEM;
	for (size_t k = 0; k < r->nruns; k++)
		runs[k] = r->runs[k];
	if (r->runs != NULL)
		r->alloc.free(r->alloc.ctx, r->runs, r->cap * sizeof(struct rle_run));
	r->runs = runs;
	r->cap = newcap;
	return RLE_OK;
}

/* Makes room for need runs; the caller ensures need <= cap + 1, so one doubling suffices. */
static int reserve(struct rle_bitmap *r, size_t need)
{
	size_t newcap = 0;

	if (need <= r->cap)
		return RLE_OK;
	if (MUL_OVERFLOW(r->cap, 2, &newcap))
		return RLE_ENOMEM;
	if (newcap < RLE_MIN_CAP)
		newcap = RLE_MIN_CAP;
	return resize(r, newcap);
}

/* Moves runs[from .. nruns) to begin at index to; the caller ensures the result fits in cap. */
static void move_tail(struct rle_bitmap *r, size_t from, size_t to)
{
	size_t n = r->nruns - from;

	if (to < from) {
		for (size_t k = 0; k < n; k++)
			r->runs[to + k] = r->runs[from + k];
	} else if (to > from) {
		for (size_t k = n; k > 0; k--)
			r->runs[to + k - 1] = r->runs[from + k - 1];
	}
}

/*
 * Replaces runs [i, j) (i <= j <= nruns) by pieces[0 .. npieces), which the caller has made
 * sorted, disjoint and non-adjacent to their new neighbours, with npieces <= j - i + 1.
 * Returns RLE_ENOMEM, with r unchanged, when the array had to grow and could not.
 */
static int replace(struct rle_bitmap *r, size_t i, size_t j, const struct rle_run *pieces,
		   size_t npieces)
{
	size_t newn = r->nruns - (j - i) + npieces;
	int err = reserve(r, newn);

	if (err != RLE_OK)
		return err;
	move_tail(r, j, i + npieces);
	for (size_t k = 0; k < npieces; k++)
		r->runs[i + k] = pieces[k];
	r->nruns = newn;
	return RLE_OK;
}

void rle_init(struct rle_bitmap *r, const struct rle_alloc *a)
{
	r->runs = NULL;
	r->nruns = 0;
	r->cap = 0;
	r->alloc = *a;
}

void rle_destroy(struct rle_bitmap *r)
{
	if (r->runs != NULL)
		r->alloc.free(r->alloc.ctx, r->runs, r->cap * sizeof(struct rle_run));
	r->runs = NULL;
	r->nruns = 0;
	r->cap = 0;
}

int rle_set(struct rle_bitmap *r, uint64_t start, uint64_t count)
{
	struct rle_run merged = {start, 0};
	size_t i = 0;
	size_t j = 0;

	if (count == 0 || ADD_OVERFLOW(start, count, &merged.end))
		return RLE_EINVAL;
	/* Runs [i, j) overlap or touch [start, end): run.end >= start and run.start <= end. */
	i = start == 0 ? 0 : first_end_above(r, start - 1);
	j = first_start_above(r, merged.end);
	if (i < j) {
		if (r->runs[i].start < merged.start)
			merged.start = r->runs[i].start;
		if (r->runs[j - 1].end > merged.end)
			merged.end = r->runs[j - 1].end;
	}
	return replace(r, i, j, &merged, 1);
}

int rle_clear(struct rle_bitmap *r, uint64_t start, uint64_t count)
{
	struct rle_run pieces[2] = {{0, 0}, {0, 0}};
	size_t npieces = 0;
	uint64_t end = 0;
	size_t i = 0;
	size_t j = 0;

	if (count == 0 || ADD_OVERFLOW(start, count, &end))
		return RLE_EINVAL;
	/* Runs [i, j) overlap [start, end): run.end > start and run.start < end (end >= 1). */
	i = first_end_above(r, start);
	j = first_start_above(r, end - 1);
	if (i == j)
		return RLE_OK;
	/* What survives of the first and last overlapped runs (the same run when j == i + 1). */
	if (r->runs[i].start < start) {
		pieces[npieces].start = r->runs[i].start;
		pieces[npieces].end = start;
		npieces++;
	}
	if (r->runs[j - 1].end > end) {
		pieces[npieces].start = end;
		pieces[npieces].end = r->runs[j - 1].end;
		npieces++;
	}
	return replace(r, i, j, pieces, npieces);
}

bool rle_test(const struct rle_bitmap *r, uint64_t idx)
{
	size_t i = first_end_above(r, idx);

	return i < r->nruns && r->runs[i].start <= idx;
}

bool rle_test_all(const struct rle_bitmap *r, uint64_t start, uint64_t count)
{
	uint64_t end = 0;
	size_t i = 0;

	if (ADD_OVERFLOW(start, count, &end))
		return false;
	if (count == 0)
		return true;
	/* Runs never touch, so a fully set range lies inside a single run. */
	i = first_end_above(r, start);
	return i < r->nruns && r->runs[i].start <= start && r->runs[i].end >= end;
}

bool rle_test_any(const struct rle_bitmap *r, uint64_t start, uint64_t count)
{
	uint64_t end = 0;
	size_t i = 0;

	if (count == 0 || ADD_OVERFLOW(start, count, &end))
		return false;
	i = first_end_above(r, start);
	return i < r->nruns && r->runs[i].start < end;
}

/*
 * Cannot overflow: after k runs, total <= runs[k - 1].end, because the first k runs are
 * disjoint subsets of [0, runs[k - 1].end); and runs[k].start > runs[k - 1].end, so adding
 * runs[k].end - runs[k].start keeps total <= runs[k].end <= UINT64_MAX.
 */
uint64_t rle_count(const struct rle_bitmap *r)
{
	uint64_t total = 0;

	for (size_t k = 0; k < r->nruns; k++)
		total += r->runs[k].end - r->runs[k].start;
	return total;
}

bool rle_next_run(const struct rle_bitmap *r, size_t *cursor, uint64_t *start, uint64_t *end)
{
	if (*cursor >= r->nruns)
		return false;
	*start = r->runs[*cursor].start;
	*end = r->runs[*cursor].end;
	*cursor += 1;
	return true;
}

void rle_compact(struct rle_bitmap *r)
{
	size_t newcap = 0;

	if (r->nruns == 0) {
		rle_destroy(r);
		return;
	}
	if (r->cap <= RLE_MIN_CAP || r->cap / 4 < r->nruns)
		return;
	newcap = 2 * r->nruns; /* <= cap / 2: no overflow */
	if (newcap < RLE_MIN_CAP)
		newcap = RLE_MIN_CAP;
	(void)resize(r, newcap); /* on failure the larger array simply stays */
}
