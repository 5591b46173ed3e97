/* SPDX-License-Identifier: MIT */
/*
 * lib/rle_bitmap.c: merging and splitting at every neighbour position, the top of the index
 * space (index UINT64_MAX cannot be set, a run may end at UINT64_MAX), exact counts near
 * 2^64, growth and compaction, random operations against a plain bitmap over three windows
 * (near 0, in the middle, ending at UINT64_MAX) with the representation checked after every
 * operation, and allocator failure injected at every allocation of a script: the bitmap must be
 * unchanged on RLE_ENOMEM, and every allocation must be freed by rle_destroy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <lib/rle_bitmap.h>

/* A counting allocator that can fail on its Nth call, or on every call. */
struct talloc {
	size_t calls;	/* alloc calls so far, failed ones included */
	size_t fail_on; /* 1-based number of the call that fails; 0 for none */
	bool fail_all;
	size_t live; /* allocations not yet freed */
	struct {
		void *p;
		size_t bytes;
	} tab[4];
};

static void *t_alloc(void *ctx, size_t bytes)
{
	struct talloc *t = ctx;
	void *p = NULL;

	t->calls++;
	if (t->fail_all || t->calls == t->fail_on)
		return NULL;
	ASSERT(bytes > 0 && bytes % sizeof(struct rle_run) == 0);
	for (size_t k = 0; k < ARRAY_SIZE(t->tab); k++) {
		if (t->tab[k].p == NULL) {
			p = malloc(bytes);
			ASSERT(p != NULL);
			memset(p, 0xa5, bytes); /* no reliance on zeroed storage */
			t->tab[k].p = p;
			t->tab[k].bytes = bytes;
			t->live++;
			return p;
		}
	}
	ASSERT(!"more live allocations than expected");
	return NULL;
}

static void t_free(void *ctx, void *p, size_t bytes)
{
	struct talloc *t = ctx;

	for (size_t k = 0; k < ARRAY_SIZE(t->tab); k++) {
		if (t->tab[k].p == p) {
			EXPECT_EQ_U64(bytes, t->tab[k].bytes);
			free(p);
			t->tab[k].p = NULL;
			t->live--;
			return;
		}
	}
	ASSERT(!"free of a pointer that was not allocated");
}

static void t_setup(struct rle_bitmap *r, struct talloc *t)
{
	struct rle_alloc a = {t_alloc, t_free, t};

	memset(t, 0, sizeof(*t));
	rle_init(r, &a);
}

/* rle_destroy, then no allocation may be left. */
static void t_teardown(struct rle_bitmap *r, struct talloc *t)
{
	rle_destroy(r);
	EXPECT(r->runs == NULL && r->nruns == 0 && r->cap == 0);
	EXPECT_EQ_U64(t->live, 0);
}

/* The representation invariants of include/lib/rle_bitmap.h. */
static bool invariants(const struct rle_bitmap *r)
{
	if (!EXPECTF(r->nruns <= r->cap, "nruns %zu cap %zu", r->nruns, r->cap) ||
	    !EXPECT((r->runs == NULL) == (r->cap == 0)))
		return false;
	for (size_t k = 0; k < r->nruns; k++) {
		if (!EXPECTF(r->runs[k].start < r->runs[k].end, "run %zu empty", k))
			return false;
		if (k > 0 && !EXPECTF(r->runs[k - 1].end < r->runs[k].start,
				      "runs %zu and %zu touch or overlap", k - 1, k))
			return false;
	}
	return true;
}

/* Exactly these runs (and the invariants). */
static bool runs_are(const struct rle_bitmap *r, const struct rle_run *want, size_t n)
{
	if (!invariants(r) || !EXPECT_EQ_U64(r->nruns, n))
		return false;
	for (size_t k = 0; k < n; k++) {
		if (!EXPECT_EQ_U64(r->runs[k].start, want[k].start) ||
		    !EXPECT_EQ_U64(r->runs[k].end, want[k].end))
			return false;
	}
	return true;
}

#define RUNS_ARE(r, ...)                                     \
	runs_are((r), (const struct rle_run[]){__VA_ARGS__}, \
		 sizeof((const struct rle_run[]){__VA_ARGS__}) / sizeof(struct rle_run))

/* A copy of the whole state, to show an operation changed nothing. */
#define SNAP_MAX 1024

struct snap {
	struct rle_run *runs;
	size_t nruns;
	size_t cap;
	struct rle_run copy[SNAP_MAX];
};

static void snap_take(struct snap *s, const struct rle_bitmap *r)
{
	ASSERT(r->nruns <= SNAP_MAX);
	s->runs = r->runs;
	s->nruns = r->nruns;
	s->cap = r->cap;
	for (size_t k = 0; k < r->nruns; k++)
		s->copy[k] = r->runs[k];
}

static bool snap_same(const struct snap *s, const struct rle_bitmap *r)
{
	return EXPECT(r->runs == s->runs) && EXPECT_EQ_U64(r->nruns, s->nruns) &&
	       EXPECT_EQ_U64(r->cap, s->cap) &&
	       (s->nruns == 0 || EXPECT_MEM_EQ(r->runs, s->copy, s->nruns * sizeof(s->copy[0])));
}

UNIT_TEST(rle_empty)
{
	struct rle_bitmap r;
	struct talloc t;
	size_t cursor = 0;
	uint64_t s = 1;
	uint64_t e = 2;

	t_setup(&r, &t);
	EXPECT(!rle_test(&r, 0));
	EXPECT(!rle_test(&r, UINT64_MAX));
	EXPECT_EQ_U64(rle_count(&r), 0);
	EXPECT(rle_test_all(&r, 5, 0));
	EXPECT(!rle_test_all(&r, 5, 1));
	EXPECT(!rle_test_any(&r, 0, UINT64_MAX));
	EXPECT(!rle_test_any(&r, 5, 0));
	EXPECT(!rle_next_run(&r, &cursor, &s, &e));
	EXPECT_EQ_U64(cursor, 0);
	EXPECT_EQ_U64(s, 1);
	EXPECT_EQ_U64(e, 2);
	/* Clearing nothing needs no storage. */
	EXPECT(rle_clear(&r, 0, 100) == RLE_OK);
	rle_compact(&r);
	EXPECT_EQ_U64(t.calls, 0);
	t_teardown(&r, &t);
}

UNIT_TEST(rle_set_merges)
{
	struct rle_bitmap r;
	struct talloc t;

	t_setup(&r, &t);
	EXPECT(rle_set(&r, 10, 10) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {10, 20}));
	EXPECT(rle_set(&r, 30, 10) == RLE_OK);
	EXPECT(rle_set(&r, 50, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {10, 20}, {30, 40}, {50, 51}));
	/* Already set: nothing changes. */
	EXPECT(rle_set(&r, 12, 3) == RLE_OK);
	EXPECT(rle_set(&r, 10, 10) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {10, 20}, {30, 40}, {50, 51}));
	/* Touching on the left, on the right, and filling a gap exactly. */
	EXPECT(rle_set(&r, 5, 5) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {5, 20}, {30, 40}, {50, 51}));
	EXPECT(rle_set(&r, 40, 2) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {5, 20}, {30, 42}, {50, 51}));
	EXPECT(rle_set(&r, 20, 10) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {5, 42}, {50, 51}));
	/* A new run between two, touching neither; one before all; one after all. */
	EXPECT(rle_set(&r, 44, 2) == RLE_OK);
	EXPECT(rle_set(&r, 0, 3) == RLE_OK);
	EXPECT(rle_set(&r, 60, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 3}, {5, 42}, {44, 46}, {50, 51}, {60, 61}));
	/* Overlapping several runs at once, partially on both ends. */
	EXPECT(rle_set(&r, 40, 15) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 3}, {5, 55}, {60, 61}));
	/* Covering everything. */
	EXPECT(rle_set(&r, 0, 1000) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 1000}));
	EXPECT_EQ_U64(rle_count(&r), 1000);
	t_teardown(&r, &t);
}

UNIT_TEST(rle_clear_splits)
{
	struct rle_bitmap r;
	struct talloc t;

	t_setup(&r, &t);
	EXPECT(rle_set(&r, 0, 100) == RLE_OK);
	EXPECT(rle_clear(&r, 10, 10) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 10}, {20, 100}));
	EXPECT(rle_clear(&r, 0, 10) == RLE_OK); /* a whole run */
	EXPECT(RUNS_ARE(&r, {20, 100}));
	EXPECT(rle_clear(&r, 99, 1) == RLE_OK); /* the last index */
	EXPECT(rle_clear(&r, 20, 1) == RLE_OK); /* the first index */
	EXPECT(RUNS_ARE(&r, {21, 99}));
	/* Clearing what is clear, right next to a run, changes nothing. */
	EXPECT(rle_clear(&r, 99, 50) == RLE_OK);
	EXPECT(rle_clear(&r, 0, 21) == RLE_OK);
	EXPECT(rle_clear(&r, 1000, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {21, 99}));
	/* Across several runs, cutting the first and last. */
	EXPECT(rle_set(&r, 110, 10) == RLE_OK);
	EXPECT(rle_set(&r, 130, 10) == RLE_OK);
	EXPECT(rle_set(&r, 150, 10) == RLE_OK);
	EXPECT(rle_clear(&r, 50, 105) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {21, 50}, {155, 160}));
	/* Across several runs, removing them whole. */
	EXPECT(rle_set(&r, 170, 10) == RLE_OK);
	EXPECT(rle_clear(&r, 21, 139) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {170, 180}));
	EXPECT(rle_clear(&r, 0, UINT64_MAX) == RLE_OK);
	EXPECT(runs_are(&r, NULL, 0));
	EXPECT_EQ_U64(rle_count(&r), 0);
	t_teardown(&r, &t);
}

UNIT_TEST(rle_einval_changes_nothing)
{
	struct rle_bitmap r;
	struct talloc t;
	static struct snap s;

	t_setup(&r, &t);
	EXPECT(rle_set(&r, 0, 0) == RLE_EINVAL);
	EXPECT(rle_clear(&r, 0, 0) == RLE_EINVAL);
	EXPECT(rle_set(&r, UINT64_MAX, 1) == RLE_EINVAL);
	EXPECT(rle_set(&r, 1, UINT64_MAX) == RLE_EINVAL);
	EXPECT_EQ_U64(t.calls, 0);
	EXPECT(rle_set(&r, 100, 10) == RLE_OK);
	EXPECT(rle_set(&r, 200, 10) == RLE_OK);
	snap_take(&s, &r);
	EXPECT(rle_set(&r, 150, 0) == RLE_EINVAL);
	EXPECT(rle_clear(&r, 105, 0) == RLE_EINVAL);
	EXPECT(rle_set(&r, UINT64_MAX, 1) == RLE_EINVAL);
	EXPECT(rle_clear(&r, UINT64_MAX, 1) == RLE_EINVAL);
	EXPECT(rle_set(&r, 2, UINT64_MAX - 1) == RLE_EINVAL);
	EXPECT(rle_clear(&r, 105, UINT64_MAX) == RLE_EINVAL);
	EXPECT(rle_set(&r, UINT64_MAX, UINT64_MAX) == RLE_EINVAL);
	EXPECT(rle_clear(&r, UINT64_MAX, UINT64_MAX) == RLE_EINVAL);
	snap_same(&s, &r);
	t_teardown(&r, &t);
}

/* Index UINT64_MAX cannot be set; a run may end at UINT64_MAX (exclusive). */
UNIT_TEST(rle_top_of_index_space)
{
	const uint64_t M = UINT64_MAX;
	struct rle_bitmap r;
	struct talloc t;

	t_setup(&r, &t);
	EXPECT(rle_set(&r, M - 1, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {M - 1, M}));
	EXPECT(rle_test(&r, M - 1));
	EXPECT(!rle_test(&r, M));
	EXPECT(!rle_test(&r, M - 2));
	EXPECT(rle_test_all(&r, M - 1, 1));
	EXPECT(!rle_test_all(&r, M - 1, 2)); /* would reach index M: overflow */
	EXPECT(!rle_test_any(&r, M - 1, 2));
	EXPECT(!rle_test_any(&r, M, 1));
	EXPECT(rle_test_any(&r, 0, M));
	EXPECT(!rle_test_all(&r, 0, M));
	EXPECT_EQ_U64(rle_count(&r), 1);

	/* Everything that can be set: [0, M), M indices. */
	EXPECT(rle_set(&r, 0, M) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, M}));
	EXPECT_EQ_U64(rle_count(&r), M);
	EXPECT(rle_test(&r, 0));
	EXPECT(rle_test(&r, M - 1));
	EXPECT(!rle_test(&r, M));
	EXPECT(rle_test_all(&r, 0, M));
	EXPECT(rle_test_all(&r, 1, M - 1));
	EXPECT(!rle_test_all(&r, 1, M));

	/* Split the full space at both edges and in the middle. */
	EXPECT(rle_clear(&r, 0, 1) == RLE_OK);
	EXPECT(rle_clear(&r, M - 1, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {1, M - 1}));
	EXPECT_EQ_U64(rle_count(&r), M - 2);
	EXPECT(rle_clear(&r, 1ull << 63, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {1, 1ull << 63}, {(1ull << 63) + 1, M - 1}));
	EXPECT_EQ_U64(rle_count(&r), M - 3);
	EXPECT(rle_set(&r, 0, 1) == RLE_OK);
	EXPECT(rle_set(&r, M - 1, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 1ull << 63}, {(1ull << 63) + 1, M}));
	EXPECT_EQ_U64(rle_count(&r), M - 1);
	EXPECT(rle_set(&r, 1ull << 63, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, M}));
	EXPECT(rle_clear(&r, 1, M - 2) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 1}, {M - 1, M}));
	EXPECT_EQ_U64(rle_count(&r), 2);
	EXPECT(!rle_test_any(&r, 1, M - 2));
	EXPECT(rle_test_any(&r, 1, M - 1));
	t_teardown(&r, &t);
}

UNIT_TEST(rle_test_all_any_edges)
{
	struct rle_bitmap r;
	struct talloc t;

	t_setup(&r, &t);
	EXPECT(rle_set(&r, 100, 50) == RLE_OK); /* [100, 150) */
	EXPECT(rle_set(&r, 200, 1) == RLE_OK);	/* [200, 201) */
	EXPECT(rle_test_all(&r, 100, 50));
	EXPECT(rle_test_all(&r, 120, 30));
	EXPECT(!rle_test_all(&r, 99, 2));
	EXPECT(!rle_test_all(&r, 149, 2));
	EXPECT(!rle_test_all(&r, 100, 101)); /* spans the gap */
	EXPECT(rle_test_all(&r, 200, 1));
	EXPECT(rle_test_all(&r, 7, 0));
	EXPECT(!rle_test_all(&r, 7, UINT64_MAX));

	EXPECT(!rle_test_any(&r, 0, 100));
	EXPECT(rle_test_any(&r, 0, 101));
	EXPECT(rle_test_any(&r, 149, 1));
	EXPECT(!rle_test_any(&r, 150, 50));
	EXPECT(rle_test_any(&r, 150, 51));
	EXPECT(!rle_test_any(&r, 201, UINT64_MAX - 201));
	EXPECT(!rle_test_any(&r, 120, 0));
	EXPECT(!rle_test_any(&r, 120, UINT64_MAX)); /* overflow */

	EXPECT(!rle_test(&r, 99));
	EXPECT(rle_test(&r, 100));
	EXPECT(rle_test(&r, 149));
	EXPECT(!rle_test(&r, 150));
	EXPECT(!rle_test(&r, 199));
	EXPECT(rle_test(&r, 200));
	EXPECT(!rle_test(&r, 201));
	t_teardown(&r, &t);
}

UNIT_TEST(rle_iteration)
{
	struct rle_bitmap r;
	struct talloc t;
	size_t cursor = 0;
	uint64_t s = 0;
	uint64_t e = 0;
	size_t n = 0;

	t_setup(&r, &t);
	for (uint64_t k = 0; k < 50; k++)
		EXPECT(rle_set(&r, k * 10, k + 1 < 10 ? k + 1 : 9) == RLE_OK);
	while (rle_next_run(&r, &cursor, &s, &e)) {
		EXPECT_EQ_U64(s, n * 10);
		EXPECT_EQ_U64(e, n * 10 + (n + 1 < 10 ? n + 1 : 9));
		n++;
	}
	EXPECT_EQ_U64(n, 50);
	EXPECT_EQ_U64(cursor, 50);
	EXPECT(!rle_next_run(&r, &cursor, &s, &e));
	cursor = 1000;
	EXPECT(!rle_next_run(&r, &cursor, &s, &e));
	EXPECT_EQ_U64(cursor, 1000);
	t_teardown(&r, &t);
}

UNIT_TEST(rle_growth_policy)
{
	struct rle_bitmap r;
	struct talloc t;
	static struct snap s;

	t_setup(&r, &t);
	EXPECT(rle_set(&r, 0, 1) == RLE_OK);
	EXPECT_EQ_U64(r.cap, RLE_MIN_CAP);
	EXPECT_EQ_U64(t.calls, 1);
	for (uint64_t k = 1; k < 4; k++)
		EXPECT(rle_set(&r, 2 * k, 1) == RLE_OK);
	EXPECT_EQ_U64(r.cap, 4);
	EXPECT_EQ_U64(t.calls, 1);
	/* Full: a merge or an in-place change needs no storage... */
	EXPECT(rle_set(&r, 1, 1) == RLE_OK);
	EXPECT(rle_set(&r, 3, 1) == RLE_OK);
	EXPECT(rle_clear(&r, 6, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 5}));
	for (uint64_t k = 1; k < 4; k++)
		EXPECT(rle_set(&r, 10 * k, 5) == RLE_OK);
	EXPECT_EQ_U64(r.nruns, 4);
	EXPECT_EQ_U64(t.calls, 1);
	/* ...but a split of a full array does, and fails cleanly without it. */
	t.fail_all = true;
	snap_take(&s, &r);
	EXPECT(rle_clear(&r, 2, 1) == RLE_ENOMEM);
	EXPECT(rle_set(&r, 100, 1) == RLE_ENOMEM);
	snap_same(&s, &r);
	EXPECT(rle_set(&r, 5, 5) == RLE_OK); /* merges [0,5) and [10,15): no allocation */
	EXPECT(RUNS_ARE(&r, {0, 15}, {20, 25}, {30, 35}));
	t.fail_all = false;
	EXPECT(rle_clear(&r, 2, 1) == RLE_OK);
	EXPECT(rle_set(&r, 100, 1) == RLE_OK);
	EXPECT_EQ_U64(r.cap, 8);
	for (uint64_t k = 0; k < 100; k++)
		EXPECT(rle_set(&r, 1000 + 2 * k, 1) == RLE_OK);
	EXPECT_EQ_U64(r.nruns, 105);
	EXPECT_EQ_U64(r.cap, 128);
	EXPECT_EQ_U64(t.live, 1);
	t_teardown(&r, &t);
}

UNIT_TEST(rle_compact_shrinks)
{
	struct rle_bitmap r;
	struct talloc t;
	static struct snap s;

	t_setup(&r, &t);
	for (uint64_t k = 0; k < 100; k++)
		EXPECT(rle_set(&r, 2 * k, 1) == RLE_OK);
	EXPECT_EQ_U64(r.cap, 128);
	rle_compact(&r); /* 100 runs in 128: nothing to gain */
	EXPECT_EQ_U64(r.cap, 128);
	EXPECT(rle_clear(&r, 6, 1000) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {0, 1}, {2, 3}, {4, 5}));
	/* A failed shrink keeps the old array and its contents. */
	t.fail_all = true;
	snap_take(&s, &r);
	rle_compact(&r);
	snap_same(&s, &r);
	t.fail_all = false;
	rle_compact(&r);
	EXPECT_EQ_U64(r.cap, 6);
	EXPECT(RUNS_ARE(&r, {0, 1}, {2, 3}, {4, 5}));
	EXPECT_EQ_U64(t.live, 1);
	rle_compact(&r); /* 6 < 4 * 3: stays */
	EXPECT_EQ_U64(r.cap, 6);
	EXPECT(rle_clear(&r, 2, 4) == RLE_OK);
	rle_compact(&r); /* never below RLE_MIN_CAP while runs remain */
	EXPECT_EQ_U64(r.cap, RLE_MIN_CAP);
	EXPECT(RUNS_ARE(&r, {0, 1}));
	rle_compact(&r);
	EXPECT_EQ_U64(r.cap, RLE_MIN_CAP);
	/* An empty bitmap gives its storage back. */
	EXPECT(rle_clear(&r, 0, 1) == RLE_OK);
	rle_compact(&r);
	EXPECT(r.runs == NULL && r.cap == 0);
	EXPECT_EQ_U64(t.live, 0);
	/* And grows again from scratch. */
	EXPECT(rle_set(&r, 5, 5) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {5, 10}));
	t_teardown(&r, &t);
}

UNIT_TEST(rle_destroy_and_reuse)
{
	struct rle_bitmap r;
	struct talloc t;

	t_setup(&r, &t);
	rle_destroy(&r); /* never allocated */
	EXPECT_EQ_U64(t.calls, 0);
	for (uint64_t k = 0; k < 20; k++)
		EXPECT(rle_set(&r, 3 * k, 2) == RLE_OK);
	rle_destroy(&r);
	EXPECT_EQ_U64(t.live, 0);
	EXPECT_EQ_U64(rle_count(&r), 0);
	EXPECT(!rle_test(&r, 0));
	EXPECT(rle_set(&r, 7, 1) == RLE_OK);
	EXPECT(RUNS_ARE(&r, {7, 8}));
	t_teardown(&r, &t);
}

/*
 * The model: a plain bitmap over three windows of WIN indices, at 0, in the middle of the
 * space, and ending at UINT64_MAX. Operations stay inside one window (or, in the top window,
 * overflow on purpose), so the expected runs can be derived from the windows alone.
 */
#define WIN  192
#define NWIN 3

struct model {
	bool bit[NWIN][WIN];
};

static uint64_t win_base(size_t w)
{
	static const uint64_t base[NWIN] = {0, 1ull << 40, UINT64_MAX - WIN};

	return base[w];
}

static size_t rand_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(unit_rand64() % n);
}

enum op_kind {
	OP_SET,
	OP_CLEAR,
	OP_COMPACT,
	OP_QUERY,
};

struct op {
	enum op_kind kind;
	size_t w;
	size_t off;   /* start = win_base(w) + off */
	uint64_t len; /* may be 0, or run past the top window to overflow */
};

static struct op rand_op(void)
{
	struct op op = {OP_SET, 0, 0, 0};
	uint64_t r = unit_rand64() % 100;

	op.kind = r < 45 ? OP_SET : r < 88 ? OP_CLEAR : r < 92 ? OP_COMPACT : OP_QUERY;
	op.w = rand_below(NWIN);
	op.off = rand_below(WIN);
	/* Mostly short ranges, so many runs form; sometimes to the window end; rarely invalid. */
	switch (unit_rand64() % 16) {
	case 0:
		op.len = WIN - op.off;
		break;
	case 1:
		op.len = 0;
		break;
	case 2:
		op.len = op.w == NWIN - 1 ? WIN - op.off + 1 + rand_below(3) : WIN - op.off;
		break;
	default:
		op.len = 1 + rand_below(unit_rand64() % 4 == 0 ? WIN - op.off : 6);
		if (op.len > WIN - op.off)
			op.len = WIN - op.off;
		break;
	}
	return op;
}

/* What rle_set/rle_clear must return for op, and the model after it when it succeeds. */
static int model_apply(struct model *m, const struct op *op)
{
	if (op->len == 0 || op->len > UINT64_MAX - (win_base(op->w) + op->off))
		return RLE_EINVAL;
	for (size_t i = op->off; i < op->off + op->len; i++)
		m->bit[op->w][i] = op->kind == OP_SET;
	return RLE_OK;
}

static uint64_t model_count(const struct model *m)
{
	uint64_t n = 0;

	for (size_t w = 0; w < NWIN; w++)
		for (size_t i = 0; i < WIN; i++)
			n += m->bit[w][i];
	return n;
}

/* The runs must be exactly the maximal runs of the model, and every query must agree. */
static bool model_matches(const struct rle_bitmap *r, const struct model *m)
{
	size_t k = 0;

	if (!invariants(r) || !EXPECT_EQ_U64(rle_count(r), model_count(m)))
		return false;
	for (size_t w = 0; w < NWIN; w++) {
		uint64_t base = win_base(w);

		for (size_t i = 0; i < WIN; i++) {
			size_t j = i;

			if (!EXPECTF(rle_test(r, base + i) == m->bit[w][i], "window %zu index %zu",
				     w, i))
				return false;
			if (!m->bit[w][i] || (i > 0 && m->bit[w][i - 1]))
				continue;
			while (j < WIN && m->bit[w][j])
				j++;
			if (!EXPECTF(k < r->nruns && r->runs[k].start == base + i &&
					     r->runs[k].end == base + j,
				     "run %zu should be window %zu [%zu, %zu)", k, w, i, j))
				return false;
			k++;
		}
		if (!EXPECT(!rle_test(r, base + WIN)) ||
		    (base > 0 && !EXPECT(!rle_test(r, base - 1))))
			return false;
	}
	return EXPECT_EQ_U64(r->nruns, k);
}

static bool model_query(const struct rle_bitmap *r, const struct model *m, const struct op *op)
{
	uint64_t start = win_base(op->w) + op->off;
	bool valid = op->len <= UINT64_MAX - start;
	bool all = valid;
	bool any = false;

	for (size_t i = op->off; valid && i < op->off + op->len; i++) {
		all = all && m->bit[op->w][i];
		any = any || m->bit[op->w][i];
	}
	return EXPECTF(rle_test_all(r, start, op->len) == all, "all %zu+%llu", op->off,
		       (unsigned long long)op->len) &&
	       EXPECTF(rle_test_any(r, start, op->len) == any, "any %zu+%llu", op->off,
		       (unsigned long long)op->len);
}

/*
 * Runs op on r and the model. An RLE_ENOMEM result (only possible when t fails) must leave r
 * exactly as it was. Returns false when a check failed.
 */
static bool run_op(struct rle_bitmap *r, struct model *m, struct talloc *t, const struct op *op)
{
	static struct snap s;
	struct model next = *m;
	uint64_t start = win_base(op->w) + op->off;
	size_t calls = t->calls;
	int want = 0;
	int got = 0;

	snap_take(&s, r);
	switch (op->kind) {
	case OP_QUERY:
		return model_query(r, m, op);
	case OP_COMPACT:
		rle_compact(r);
		if (t->calls != calls && r->nruns != 0 && r->runs == s.runs)
			return snap_same(&s, r); /* the shrink failed: nothing moved */
		return EXPECT(r->cap <= s.cap) && model_matches(r, m);
	case OP_SET:
	case OP_CLEAR:
		break;
	}
	want = model_apply(&next, op);
	got = op->kind == OP_SET ? rle_set(r, start, op->len) : rle_clear(r, start, op->len);
	if (got == RLE_ENOMEM && want == RLE_OK) {
		/* Only the allocator's own failure may cause this. */
		return EXPECT(t->fail_all || t->calls == t->fail_on) && snap_same(&s, r) &&
		       invariants(r);
	}
	if (!EXPECTF(got == want, "%s window %zu %zu+%llu: got %d want %d",
		     op->kind == OP_SET ? "set" : "clear", op->w, op->off,
		     (unsigned long long)op->len, got, want))
		return false;
	if (want != RLE_OK)
		return snap_same(&s, r);
	*m = next;
	return model_matches(r, m);
}

UNIT_TEST(rle_random_against_model)
{
	struct rle_bitmap r;
	struct talloc t;
	static struct model m;

	memset(&m, 0, sizeof(m));
	t_setup(&r, &t);
	for (int i = 0; i < 6000; i++) {
		struct op op = rand_op();

		if (!run_op(&r, &m, &t, &op)) {
			EXPECTF(false, "operation %d", i);
			break;
		}
	}
	t_teardown(&r, &t);
}

/* With every allocation failing, each operation either needs none or changes nothing. */
UNIT_TEST(rle_enomem_always)
{
	struct rle_bitmap r;
	struct talloc t;
	static struct model m;

	memset(&m, 0, sizeof(m));
	t_setup(&r, &t);
	for (int i = 0; i < 300; i++) {
		struct op op = rand_op();

		ASSERT(run_op(&r, &m, &t, &op));
	}
	t.fail_all = true;
	for (int i = 0; i < 3000; i++) {
		struct op op = rand_op();

		if (!run_op(&r, &m, &t, &op)) {
			EXPECTF(false, "operation %d", i);
			break;
		}
	}
	t.fail_all = false;
	t_teardown(&r, &t);
}

/*
 * A fixed script is run once to count its allocations, then once per allocation N with the
 * Nth one failing: the operation that hit it must report RLE_ENOMEM (or, for rle_compact, keep
 * its array) and change nothing; the rest of the script then runs on and must still match
 * the model, and rle_destroy must free everything.
 */
#define SCRIPT_LEN 400

UNIT_TEST(rle_enomem_at_every_allocation)
{
	static struct op script[SCRIPT_LEN];
	static struct model m;
	struct rle_bitmap r;
	struct talloc t;
	size_t total = 0;

	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < SCRIPT_LEN; i++) {
			script[i] = rand_op();
			/* Isolated single indices first, so the array grows through many sizes. */
			if (i < SCRIPT_LEN / 2 && script[i].kind != OP_COMPACT) {
				script[i].kind = round % 2 == 0 || i % 4 != 0 ? OP_SET : OP_CLEAR;
				script[i].off = 2 * rand_below(WIN / 2);
				script[i].len = 1;
			}
		}
		memset(&m, 0, sizeof(m));
		t_setup(&r, &t);
		for (size_t i = 0; i < SCRIPT_LEN; i++)
			ASSERT(run_op(&r, &m, &t, &script[i]));
		total = t.calls;
		t_teardown(&r, &t);
		EXPECTF(total >= 6, "round %d: only %zu allocations", round, total);

		for (size_t n = 1; n <= total; n++) {
			bool hit = false;

			memset(&m, 0, sizeof(m));
			t_setup(&r, &t);
			t.fail_on = n;
			for (size_t i = 0; i < SCRIPT_LEN; i++) {
				size_t before = t.calls;

				if (!run_op(&r, &m, &t, &script[i])) {
					EXPECTF(false, "round %d, failing allocation %zu, op %zu",
						round, n, i);
					break;
				}
				hit = hit || (before < n && t.calls >= n);
			}
			EXPECTF(hit, "round %d: allocation %zu never happened", round, n);
			model_matches(&r, &m);
			t_teardown(&r, &t);
		}
	}
}
