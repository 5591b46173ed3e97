/* SPDX-License-Identifier: MIT */
/*
 * lib/rle_bitmap.c driven by an operation stream, against a plain sorted-interval model and an
 * allocator that fails on demand.
 *
 * Input: a sequence of operations, each an opcode byte followed by its operands.
 *   bits 0-2  0 set, 1 clear, 2 test, 3 test_all, 4 test_any, 5 count + next_run walk,
 *             6 compact, 7 destroy
 *   bits 3-4  how `start` is encoded: 0 one byte, 1 two bytes, 2 eight bytes,
 *             3 UINT64_MAX - one byte (the top of the index space)
 *   bits 5-6  how `count` is encoded: 0 one byte, 1 two bytes, 2 eight bytes,
 *             3 (UINT64_MAX - start) - one byte (ranges ending at or just below the top)
 *   bit 7     every allocation made during this operation fails
 * Checked after every operation: the documented invariants (non-empty, sorted, disjoint,
 * non-adjacent runs, nruns <= cap, runs NULL exactly when cap == 0), the runs equal the model's,
 * queries equal the model's answers, RLE_EINVAL exactly for empty or overflowing ranges,
 * RLE_ENOMEM exactly when the run count had to exceed cap and the allocation failed, and then
 * an unchanged bitmap; growth doubles from RLE_MIN_CAP; rle_compact shrinks exactly as
 * documented. The allocator checks that every free names a live block with its size, and
 * nothing is left allocated at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <lib/rle_bitmap.h>

#define MAX_OPS	 4096
#define MAX_LIVE 4

struct heap_ctx {
	bool fail;
	unsigned int failed;   /* allocations refused during the current operation */
	unsigned int attempts; /* allocations asked for during the current operation */
	struct {
		void *p;
		size_t bytes;
	} live[MAX_LIVE];
};

static void *t_alloc(void *ctx, size_t bytes)
{
	struct heap_ctx *h = ctx;
	void *p = NULL;

	h->attempts++;
	FUZZ_CHECK(bytes > 0 && bytes % sizeof(struct rle_run) == 0);
	if (h->fail) {
		h->failed++;
		return NULL;
	}
	p = malloc(bytes); /* exact size: ASan catches a write past cap */
	FUZZ_CHECK(p != NULL);
	for (unsigned int i = 0; i < MAX_LIVE; i++) {
		if (h->live[i].p == NULL) {
			h->live[i].p = p;
			h->live[i].bytes = bytes;
			return p;
		}
	}
	FUZZ_CHECK(!"too many live allocations");
	return NULL;
}

static void t_free(void *ctx, void *p, size_t bytes)
{
	struct heap_ctx *h = ctx;

	for (unsigned int i = 0; i < MAX_LIVE; i++) {
		if (h->live[i].p == p && p != NULL) {
			FUZZ_CHECK(h->live[i].bytes == bytes);
			h->live[i].p = NULL;
			free(p);
			return;
		}
	}
	FUZZ_CHECK(!"free of a block that is not live");
}

/* The model: sorted, merged runs, updated by linear scans. */
struct model {
	struct rle_run *r;
	size_t n;
	struct rle_run *tmp;
};

FUZZ_NO_COVERAGE static size_t model_set(const struct model *m, uint64_t s, uint64_t e,
					 struct rle_run *out)
{
	size_t k = 0;
	size_t i = 0;

	while (i < m->n && m->r[i].end < s)
		out[k++] = m->r[i++];
	for (; i < m->n && m->r[i].start <= e; i++) {
		if (m->r[i].start < s)
			s = m->r[i].start;
		if (m->r[i].end > e)
			e = m->r[i].end;
	}
	out[k++] = (struct rle_run){s, e};
	while (i < m->n)
		out[k++] = m->r[i++];
	return k;
}

FUZZ_NO_COVERAGE static size_t model_clear(const struct model *m, uint64_t s, uint64_t e,
					   struct rle_run *out)
{
	size_t k = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct rle_run x = m->r[i];

		if (x.end <= s || x.start >= e) {
			out[k++] = x;
			continue;
		}
		if (x.start < s)
			out[k++] = (struct rle_run){x.start, s};
		if (x.end > e)
			out[k++] = (struct rle_run){e, x.end};
	}
	return k;
}

FUZZ_NO_COVERAGE static bool model_test(const struct model *m, uint64_t idx)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].start <= idx && idx < m->r[i].end)
			return true;
	return false;
}

FUZZ_NO_COVERAGE static void check_state(const struct rle_bitmap *b, const struct model *m)
{
	FUZZ_CHECK(b->nruns <= b->cap);
	FUZZ_CHECK((b->runs == NULL) == (b->cap == 0));
	FUZZ_CHECK(b->nruns == m->n);
	for (size_t k = 0; k < b->nruns; k++) {
		FUZZ_CHECK(b->runs[k].start < b->runs[k].end);
		if (k > 0)
			FUZZ_CHECK(b->runs[k - 1].end < b->runs[k].start);
		FUZZ_CHECK(b->runs[k].start == m->r[k].start && b->runs[k].end == m->r[k].end);
	}
}

struct snapshot {
	struct rle_run *runs;
	size_t nruns, cap;
	struct rle_run copy[MAX_OPS + 1];
};

FUZZ_NO_COVERAGE static void take(struct snapshot *s, const struct rle_bitmap *b)
{
	s->runs = b->runs;
	s->nruns = b->nruns;
	s->cap = b->cap;
	for (size_t k = 0; k < b->nruns; k++)
		s->copy[k] = b->runs[k];
}

FUZZ_NO_COVERAGE static void unchanged(const struct snapshot *s, const struct rle_bitmap *b)
{
	FUZZ_CHECK(b->runs == s->runs && b->nruns == s->nruns && b->cap == s->cap);
	for (size_t k = 0; k < b->nruns; k++)
		FUZZ_CHECK(b->runs[k].start == s->copy[k].start &&
			   b->runs[k].end == s->copy[k].end);
}

static uint64_t read_start(struct fuzz_in *in, unsigned int mode)
{
	switch (mode) {
	case 0:
		return fuzz_u8(in);
	case 1:
		return fuzz_uint(in, 2);
	case 2:
		return fuzz_u64(in);
	default:
		return UINT64_MAX - fuzz_u8(in);
	}
}

static uint64_t read_count(struct fuzz_in *in, unsigned int mode, uint64_t start)
{
	switch (mode) {
	case 0:
		return fuzz_u8(in);
	case 1:
		return fuzz_uint(in, 2);
	case 2:
		return fuzz_u64(in);
	default:
		return (UINT64_MAX - start) - fuzz_u8(in);
	}
}

/* rle_set or rle_clear, with every documented outcome checked; updates the model on success. */
static void update(struct rle_bitmap *b, struct model *m, struct heap_ctx *h, struct snapshot *s,
		   bool set, uint64_t start, uint64_t count)
{
	uint64_t end = 0;
	bool bad = count == 0 || __builtin_add_overflow(start, count, &end);
	size_t newn = 0;
	size_t oldcap = b->cap;
	int err = 0;

	if (!bad)
		newn = set ? model_set(m, start, end, m->tmp) : model_clear(m, start, end, m->tmp);
	take(s, b);
	err = set ? rle_set(b, start, count) : rle_clear(b, start, count);
	if (bad) {
		FUZZ_CHECK(err == RLE_EINVAL && h->attempts == 0);
		unchanged(s, b);
		return;
	}
	if (newn <= oldcap) {
		/* No growth needed: no allocation, no failure, capacity kept. */
		FUZZ_CHECK(err == RLE_OK && h->attempts == 0 && b->cap == oldcap);
	} else if (h->fail) {
		FUZZ_CHECK(err == RLE_ENOMEM && h->failed == 1);
		unchanged(s, b);
		return;
	} else {
		size_t want = oldcap * 2 < RLE_MIN_CAP ? RLE_MIN_CAP : oldcap * 2;

		FUZZ_CHECK(err == RLE_OK && h->attempts == 1 && b->cap == want);
	}
	memcpy(m->r, m->tmp, newn * sizeof(*m->r));
	m->n = newn;
}

static void queries(const struct rle_bitmap *b, const struct model *m, uint64_t start,
		    uint64_t count)
{
	uint64_t end = 0;
	bool wraps = __builtin_add_overflow(start, count, &end);
	bool all = !wraps;
	bool any = false;

	FUZZ_CHECK(rle_test(b, start) == model_test(m, start));
	FUZZ_CHECK(rle_test(b, start - 1) == model_test(m, start - 1));
	FUZZ_CHECK(rle_test(b, start + count) == model_test(m, start + count));
	FUZZ_CHECK(rle_test(b, UINT64_MAX) == false);
	if (!wraps && count != 0) {
		all = false;
		for (size_t i = 0; i < m->n; i++) {
			if (m->r[i].start <= start && end <= m->r[i].end)
				all = true;
			if (m->r[i].start < end && start < m->r[i].end)
				any = true;
		}
	}
	FUZZ_CHECK(rle_test_all(b, start, count) == all);
	FUZZ_CHECK(rle_test_any(b, start, count) == any);
}

static void walk(const struct rle_bitmap *b, const struct model *m)
{
	size_t cursor = 0;
	uint64_t s = 0;
	uint64_t e = 0;
	uint64_t total = 0;
	size_t k = 0;

	while (rle_next_run(b, &cursor, &s, &e)) {
		FUZZ_CHECK(k < m->n && s == m->r[k].start && e == m->r[k].end);
		total += e - s;
		k++;
		FUZZ_CHECK(cursor == k);
	}
	FUZZ_CHECK(k == m->n);
	FUZZ_CHECK(rle_count(b) == total);
}

static void compact(struct rle_bitmap *b, const struct heap_ctx *h)
{
	size_t n = b->nruns;
	size_t cap = b->cap;
	struct rle_run *runs = b->runs;

	rle_compact(b);
	FUZZ_CHECK(b->nruns == n);
	if (n == 0) {
		FUZZ_CHECK(b->cap == 0 && b->runs == NULL && h->attempts == 0);
	} else if (cap <= RLE_MIN_CAP || cap / 4 < n) {
		FUZZ_CHECK(b->cap == cap && b->runs == runs && h->attempts == 0);
	} else if (h->fail) {
		FUZZ_CHECK(b->cap == cap && b->runs == runs && h->failed == 1);
	} else {
		FUZZ_CHECK(b->cap == (2 * n < RLE_MIN_CAP ? RLE_MIN_CAP : 2 * n));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct heap_ctx h;
	struct rle_alloc a = {t_alloc, t_free, &h};
	struct rle_bitmap b;
	struct model m = {NULL, 0, NULL};
	struct snapshot *snap = malloc(sizeof(*snap));

	memset(&h, 0, sizeof(h));
	m.r = malloc((MAX_OPS + 1) * sizeof(*m.r));
	m.tmp = malloc((MAX_OPS + 1) * sizeof(*m.tmp));
	FUZZ_CHECK(snap && m.r && m.tmp);
	rle_init(&b, &a);
	check_state(&b, &m);
	for (unsigned int ops = 0; !fuzz_empty(&in) && ops < MAX_OPS; ops++) {
		uint8_t op = fuzz_u8(&in);
		uint64_t start = read_start(&in, (op >> 3) & 3);
		uint64_t count = read_count(&in, (op >> 5) & 3, start);

		h.fail = (op & 0x80) != 0;
		h.failed = 0;
		h.attempts = 0;
		switch (op & 7) {
		case 0:
		case 1:
			update(&b, &m, &h, snap, (op & 7) == 0, start, count);
			break;
		case 2:
		case 3:
		case 4:
			queries(&b, &m, start, count);
			break;
		case 5:
			walk(&b, &m);
			break;
		case 6:
			compact(&b, &h);
			break;
		default:
			rle_destroy(&b);
			m.n = 0;
			FUZZ_CHECK(b.runs == NULL && b.cap == 0 && b.nruns == 0);
			break;
		}
		check_state(&b, &m);
	}
	walk(&b, &m);
	h.fail = false;
	rle_destroy(&b);
	for (unsigned int i = 0; i < MAX_LIVE; i++)
		FUZZ_CHECK(h.live[i].p == NULL);
	free(m.tmp);
	free(m.r);
	free(snap);
	return 0;
}
