/* SPDX-License-Identifier: MIT */
/*
 * A run-length-encoded bitmap over the 64-bit index space (used to record which guest page
 * frame numbers the guest has validated: typically a few runs covering millions of pages).
 *
 * Representation: runs[0 .. nruns) is an array of half-open runs [start, end), each set index
 * lying in exactly one run. Invariants, kept by every function here:
 *   - every run is non-empty: start < end (so end >= 1 and start <= UINT64_MAX - 1);
 *   - runs are sorted, disjoint and non-adjacent: runs[k].end < runs[k + 1].start, i.e. two
 *     runs that would touch or overlap are always merged into one;
 *   - nruns <= cap; runs is NULL exactly when cap == 0, else it was obtained from alloc for
 *     cap * sizeof(struct rle_run) bytes.
 *
 * Top of the index space: since end is a uint64_t, no run can contain index UINT64_MAX, so that
 * single index can never be set. rle_set/rle_clear reject a range reaching it (start + count
 * overflowing) with RLE_EINVAL; rle_test(UINT64_MAX) is always false. Ranges ending exactly
 * at UINT64_MAX (exclusive) are fine. In exchange the set indices form a subset of
 * [0, UINT64_MAX), which has UINT64_MAX elements, so rle_count cannot overflow.
 *
 * Errors: rle_set/rle_clear return RLE_OK, RLE_EINVAL (count == 0 or start + count overflows)
 * or RLE_ENOMEM (the run array must grow and alloc returned NULL). On any error nothing has
 * changed: the resulting run count is computed first, the array grown if needed, and only then
 * are runs rewritten. Growth doubles the capacity (from RLE_MIN_CAP); only rle_compact and
 * rle_destroy shrink it.
 *
 * Complexity (n = nruns): rle_test/rle_test_all/rle_test_any O(log n); rle_set/rle_clear
 * O(log n) to locate plus O(n) to shift the tail (and O(n) copy when growing); rle_count O(n);
 * rle_next_run O(1). Not thread-safe: the caller serialises access.
 */
#ifndef LIB_RLE_BITMAP_H
#define LIB_RLE_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Capacity of the first allocation, and the floor rle_compact shrinks to. */
#define RLE_MIN_CAP 4

enum rle_err {
	RLE_OK = 0,
	RLE_EINVAL = -1, /* empty range, or start + count overflows */
	RLE_ENOMEM = -2, /* the run array had to grow and the allocator failed */
};

/* Half-open run [start, end), start < end. */
struct rle_run {
	uint64_t start;
	uint64_t end;
};

/*
 * Storage callbacks. alloc returns bytes of storage suitably aligned for struct rle_run, or
 * NULL; free receives the pointer and the same byte count it was allocated with.
 */
struct rle_alloc {
	void *(*alloc)(void *ctx, size_t bytes);
	void (*free)(void *ctx, void *p, size_t bytes);
	void *ctx;
};

struct rle_bitmap {
	struct rle_run *runs;
	size_t nruns;
	size_t cap;
	struct rle_alloc alloc; /* a copy of what rle_init was given */
};

/*
 * ACSL model (proofs/run.sh proves lib/rle_bitmap.c against it). rle_runs_ok is the run-array
 * invariant above, stated pairwise (k < l ==> runs[k].end < runs[l].start gives sorted,
 * disjoint and non-adjacent at once); rle_mem_ok is the storage invariant (cap runs are
 * allocated, so cap * sizeof(struct rle_run) does not overflow); rle_bit says idx is set.
 */
/*@ predicate rle_runs_ok{L}(struct rle_bitmap *r) =
      (\forall integer k; 0 <= k < r->nruns ==> r->runs[k].start < r->runs[k].end) &&
      (\forall integer k, l; 0 <= k < l < r->nruns ==> r->runs[k].end < r->runs[l].start);
    predicate rle_mem_ok{L}(struct rle_bitmap *r) =
      \valid(r) && r->nruns <= r->cap && r->cap <= SIZE_MAX / sizeof(struct rle_run) &&
      \valid(r->runs + (0 .. r->cap - 1)) &&
      \separated(r, r->runs + (0 .. r->cap - 1));
    predicate rle_ok{L}(struct rle_bitmap *r) = rle_mem_ok(r) && rle_runs_ok(r);
    predicate rle_bit{L}(struct rle_bitmap *r, integer x) =
      \exists integer k; 0 <= k < r->nruns && r->runs[k].start <= x < r->runs[k].end;
 */

/* Makes r empty, with no storage yet; *a is copied. Never fails. */
void rle_init(struct rle_bitmap *r, const struct rle_alloc *a);

/* Frees the storage and leaves r empty (and usable again, with the same allocator). */
void rle_destroy(struct rle_bitmap *r);

/* Sets / clears [start, start + count). Returns RLE_OK or a negative enum rle_err. */
int rle_set(struct rle_bitmap *r, uint64_t start, uint64_t count);
int rle_clear(struct rle_bitmap *r, uint64_t start, uint64_t count);

/* Whether index idx is set. */
bool rle_test(const struct rle_bitmap *r, uint64_t idx);

/*
 * Whether every / any index of [start, start + count) is set. An empty range gives true for
 * rle_test_all and false for rle_test_any; a range whose end overflows gives false for both.
 */
bool rle_test_all(const struct rle_bitmap *r, uint64_t start, uint64_t count);
bool rle_test_any(const struct rle_bitmap *r, uint64_t start, uint64_t count);

/* Number of set indices; exact (never saturates), see "Top of the index space" above. */
uint64_t rle_count(const struct rle_bitmap *r);

/*
 * Iteration in increasing order: start with *cursor = 0; each call stores the next run in
 * *start and *end (half-open), advances *cursor and returns true, or returns false at the end.
 * Modifying r invalidates the cursor.
 */
bool rle_next_run(const struct rle_bitmap *r, size_t *cursor, uint64_t *start, uint64_t *end);

/*
 * Gives back unused storage: frees it entirely when nruns == 0; otherwise, when
 * cap > RLE_MIN_CAP and cap >= 4 * nruns, moves the runs to a new array of
 * max(2 * nruns, RLE_MIN_CAP). If that allocation fails the old array is kept. The set indices
 * never change.
 */
void rle_compact(struct rle_bitmap *r);

#endif
