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
/*@ requires rle_ok(r);
    assigns \nothing;
    ensures 0 <= \result <= r->nruns;
    ensures \forall integer k; 0 <= k < \result ==> r->runs[k].end <= x;
    ensures \forall integer k; \result <= k < r->nruns ==> r->runs[k].end > x;
 */
static size_t first_end_above(const struct rle_bitmap *r, uint64_t x)
{
	size_t lo = 0;
	size_t hi = r->nruns;

	/*@ loop invariant 0 <= lo <= hi <= r->nruns;
	    loop invariant \forall integer k; 0 <= k < lo ==> r->runs[k].end <= x;
	    loop invariant \forall integer k; hi <= k < r->nruns ==> r->runs[k].end > x;
	    loop assigns lo, hi;
	    loop variant hi - lo;
	 */
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
/*@ requires rle_ok(r);
    assigns \nothing;
    ensures 0 <= \result <= r->nruns;
    ensures \forall integer k; 0 <= k < \result ==> r->runs[k].start <= x;
    ensures \forall integer k; \result <= k < r->nruns ==> r->runs[k].start > x;
 */
static size_t first_start_above(const struct rle_bitmap *r, uint64_t x)
{
	size_t lo = 0;
	size_t hi = r->nruns;

	/*@ loop invariant 0 <= lo <= hi <= r->nruns;
	    loop invariant \forall integer k; 0 <= k < lo ==> r->runs[k].start <= x;
	    loop invariant \forall integer k; hi <= k < r->nruns ==> r->runs[k].start > x;
	    loop assigns lo, hi;
	    loop variant hi - lo;
	 */
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
/*@ requires rle_mem_ok(r) && rle_alloc_model(r) && r->nruns <= newcap && newcap > 0;
    assigns r->runs, r->cap, \at(r->runs, Post)[0 .. \at(r->cap, Post) - 1];
    ensures \result == RLE_OK || \result == RLE_ENOMEM;
    ensures rle_mem_ok(r) && rle_alloc_model(r);
    ensures \result == RLE_OK ==> r->cap == newcap;
    ensures \forall integer k; 0 <= k < r->nruns ==>
              r->runs[k].start == \old(r->runs[k].start) && r->runs[k].end == \old(r->runs[k].end);
    ensures \result != RLE_OK ==> r->runs == \old(r->runs) && r->cap == \old(r->cap);
 */
static int resize(struct rle_bitmap *r, size_t newcap)
{
	struct rle_run *runs = NULL;
	size_t bytes = 0;

	if (MUL_OVERFLOW(newcap, sizeof(struct rle_run), &bytes))
		return RLE_ENOMEM;
	/*@ calls rle_model_alloc; */
	runs = r->alloc.alloc(r->alloc.ctx, bytes);
	if (runs == NULL)
		return RLE_ENOMEM;
	/*@ loop invariant 0 <= k <= r->nruns;
	    loop invariant \forall integer m; 0 <= m < k ==>
	      runs[m].start == r->runs[m].start && runs[m].end == r->runs[m].end;
	    loop assigns k, runs[0 .. r->nruns - 1];
	    loop variant r->nruns - k;
	 */
	for (size_t k = 0; k < r->nruns; k++)
		runs[k] = r->runs[k];
	if (r->runs != NULL) {
		/*@ calls rle_model_free; */
		r->alloc.free(r->alloc.ctx, r->runs, r->cap * sizeof(struct rle_run));
	}
	r->runs = runs;
	r->cap = newcap;
	return RLE_OK;
}

/* Makes room for need runs; the caller ensures need <= cap + 1, so one doubling suffices. */
/*@ requires rle_mem_ok(r) && rle_alloc_model(r) && need <= r->cap + 1;
    assigns r->runs, r->cap, \at(r->runs, Post)[0 .. \at(r->cap, Post) - 1];
    ensures \result == RLE_OK || \result == RLE_ENOMEM;
    ensures rle_mem_ok(r) && rle_alloc_model(r);
    ensures \result == RLE_OK ==> need <= r->cap;
    ensures \forall integer k; 0 <= k < r->nruns ==>
              r->runs[k].start == \old(r->runs[k].start) && r->runs[k].end == \old(r->runs[k].end);
    ensures \result != RLE_OK ==> r->runs == \old(r->runs) && r->cap == \old(r->cap);
 */
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
/*@ requires rle_mem_ok(r) && from <= r->nruns && to + (r->nruns - from) <= r->cap;
    assigns r->runs[to .. to + (r->nruns - from) - 1];
 */
static void move_tail(struct rle_bitmap *r, size_t from, size_t to)
{
	size_t n = r->nruns - from;

	if (to < from) {
		/*@ loop invariant 0 <= k <= n;
		    loop assigns k, r->runs[to .. to + n - 1];
		    loop variant n - k;
		 */
		for (size_t k = 0; k < n; k++)
			r->runs[to + k] = r->runs[from + k];
	} else if (to > from) {
		/*@ loop invariant 0 <= k <= n;
		    loop assigns k, r->runs[to .. to + n - 1];
		    loop variant k;
		 */
		for (size_t k = n; k > 0; k--)
			r->runs[to + k - 1] = r->runs[from + k - 1];
	}
}

/*
 * Replaces runs [i, j) (i <= j <= nruns) by pieces[0 .. npieces), which the caller has made
 * sorted, disjoint and non-adjacent to their new neighbours, with npieces <= j - i + 1.
 * Returns RLE_ENOMEM, with r unchanged, when the array had to grow and could not.
 */
/*@ requires rle_mem_ok(r) && rle_alloc_model(r);
    requires i <= j <= r->nruns && npieces <= 2 && npieces <= j - i + 1;
    requires \valid_read(pieces + (0 .. npieces - 1));
    requires \separated(pieces + (0 .. npieces - 1), r, r->runs + (0 .. r->cap - 1));
    assigns r->runs, r->cap, r->nruns, r->runs[0 .. r->cap - 1],
            \at(r->runs, Post)[0 .. \at(r->cap, Post) - 1];
    ensures \result == RLE_OK || \result == RLE_ENOMEM;
    ensures rle_mem_ok(r) && rle_alloc_model(r);
    ensures \result != RLE_OK ==> r->runs == \old(r->runs) && r->nruns == \old(r->nruns);
 */
static int replace(struct rle_bitmap *r, size_t i, size_t j, const struct rle_run *pieces,
		   size_t npieces)
{
	size_t newn = r->nruns - (j - i) + npieces;
	int err = reserve(r, newn);

	if (err != RLE_OK)
		return err;
	move_tail(r, j, i + npieces);
	/*@ loop invariant 0 <= k <= npieces;
	    loop invariant rle_mem_ok(r) && rle_alloc_model(r) && i + npieces <= r->cap;
	    loop invariant r->nruns == \at(r->nruns, Pre) && newn <= r->cap;
	    loop assigns k, r->runs[i .. i + npieces - 1];
	    loop variant npieces - k;
	 */
	for (size_t k = 0; k < npieces; k++)
		r->runs[i + k] = pieces[k];
	r->nruns = newn;
	return RLE_OK;
}

/*@ requires \valid(r) && \valid_read(a) && \separated(r, a);
    assigns *r;
    ensures rle_ok(r) && r->nruns == 0 && r->cap == 0 && r->runs == \null;
    ensures r->alloc.alloc == a->alloc && r->alloc.free == a->free && r->alloc.ctx == a->ctx;
 */
void rle_init(struct rle_bitmap *r, const struct rle_alloc *a)
{
	r->runs = NULL;
	r->nruns = 0;
	r->cap = 0;
	r->alloc = *a;
}

/*@ requires rle_mem_ok(r) && rle_alloc_model(r);
    assigns r->runs, r->nruns, r->cap;
    ensures rle_ok(r) && rle_alloc_model(r) && r->nruns == 0 && r->cap == 0 && r->runs == \null;
 */
void rle_destroy(struct rle_bitmap *r)
{
	if (r->runs != NULL) {
		/*@ calls rle_model_free; */
		r->alloc.free(r->alloc.ctx, r->runs, r->cap * sizeof(struct rle_run));
	}
	r->runs = NULL;
	r->nruns = 0;
	r->cap = 0;
}

/*@ requires rle_ok(r) && rle_alloc_model(r);
    assigns r->runs, r->cap, r->nruns, r->runs[0 .. r->cap - 1],
            \at(r->runs, Post)[0 .. \at(r->cap, Post) - 1];
    ensures \result == RLE_OK || \result == RLE_EINVAL || \result == RLE_ENOMEM;
    ensures \result == RLE_EINVAL <==> count == 0 || start + count > UINT64_MAX;
    ensures rle_mem_ok(r) && rle_alloc_model(r);
    ensures \result != RLE_OK ==> r->runs == \old(r->runs) && r->nruns == \old(r->nruns);
 */
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
	/*@ assert j < i ==> r->runs[j].end <= start - 1 && r->runs[j].start > merged.end; */
	/*@ assert i <= j; */
	if (i < j) {
		if (r->runs[i].start < merged.start)
			merged.start = r->runs[i].start;
		if (r->runs[j - 1].end > merged.end)
			merged.end = r->runs[j - 1].end;
	}
	return replace(r, i, j, &merged, 1);
}

/*@ requires rle_ok(r) && rle_alloc_model(r);
    assigns r->runs, r->cap, r->nruns, r->runs[0 .. r->cap - 1],
            \at(r->runs, Post)[0 .. \at(r->cap, Post) - 1];
    ensures \result == RLE_OK || \result == RLE_EINVAL || \result == RLE_ENOMEM;
    ensures \result == RLE_EINVAL <==> count == 0 || start + count > UINT64_MAX;
    ensures rle_mem_ok(r) && rle_alloc_model(r);
    ensures \result != RLE_OK ==> r->runs == \old(r->runs) && r->nruns == \old(r->nruns);
 */
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
	/*@ assert j < i ==> r->runs[j].end <= start && r->runs[j].start > end - 1; */
	/*@ assert i <= j; */
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

/*@ requires rle_ok(r);
    assigns \nothing;
    ensures \result <==> rle_bit(r, idx);
 */
bool rle_test(const struct rle_bitmap *r, uint64_t idx)
{
	size_t i = first_end_above(r, idx);

	return i < r->nruns && r->runs[i].start <= idx;
}

/*@ requires rle_ok(r);
    assigns \nothing;
    ensures \result <==> start + count <= UINT64_MAX &&
            (count == 0 || \exists integer k; 0 <= k < r->nruns &&
               r->runs[k].start <= start && start + count <= r->runs[k].end);
    ensures \result ==> \forall integer x; start <= x < start + count ==> rle_bit(r, x);
 */
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

/*@ requires rle_ok(r);
    assigns \nothing;
    ensures \result <==> count != 0 && start + count <= UINT64_MAX &&
            (\exists integer k; 0 <= k < r->nruns &&
               r->runs[k].start < start + count && start < r->runs[k].end);
 */
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
/*@ requires rle_ok(r);
    assigns \nothing;
 */
uint64_t rle_count(const struct rle_bitmap *r)
{
	uint64_t total = 0;

	/*@ loop invariant 0 <= k <= r->nruns;
	    loop assigns k, total;
	    loop variant r->nruns - k;
	 */
	for (size_t k = 0; k < r->nruns; k++)
		total += r->runs[k].end - r->runs[k].start;
	return total;
}

/*@ requires rle_mem_ok(r) && \valid(cursor) && \valid(start) && \valid(end);
    requires \separated(cursor, start, end, r, r->runs + (0 .. r->cap - 1));
    assigns *cursor, *start, *end;
    ensures \result <==> \old(*cursor) < r->nruns;
    ensures \result ==> *cursor == \old(*cursor) + 1 &&
            *start == r->runs[\old(*cursor)].start && *end == r->runs[\old(*cursor)].end;
 */
bool rle_next_run(const struct rle_bitmap *r, size_t *cursor, uint64_t *start, uint64_t *end)
{
	if (*cursor >= r->nruns)
		return false;
	*start = r->runs[*cursor].start;
	*end = r->runs[*cursor].end;
	*cursor += 1;
	return true;
}

/*@ requires rle_mem_ok(r) && rle_alloc_model(r);
    assigns r->runs, r->nruns, r->cap, \at(r->runs, Post)[0 .. \at(r->cap, Post) - 1];
    ensures rle_mem_ok(r) && rle_alloc_model(r);
 */
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
