/* SPDX-License-Identifier: MIT */
/*
 * kernel/mm/guest_range.c guest_ram_init on an untrusted e820 map and guest_range_check on
 * guest-supplied (gpa, len) ranges, cross-checked against the raw map.
 *
 * Input: an entry-count byte (up to 255: guest_ram_init takes any n, the loader passes at most
 * BOOT_E820_MAX), svsm_base and svsm_size (u64 each; the size is cut so the region cannot wrap,
 * as the loader guarantees), that many struct boot_e820_entry (24 bytes; fewer if the input
 * ends), then (gpa, len) queries of 16 bytes each. Queries are also made at the edges of every
 * entry and of the SVSM region.
 *
 * Checked: the table is sorted, disjoint, non-adjacent and non-empty; with at most
 * GUEST_RAM_MAX entries (nothing can be dropped) it is exactly the union of the valid usable
 * entries. Every answer is a true reason (EINVAL: len 0, EOVERFLOW: wraps, ESVSM: touches the
 * SVSM region, ERANGE: not wholly in usable RAM), and OK means the range is wholly inside the
 * union of valid usable entries and clear of the SVSM region; with at most GUEST_RAM_MAX
 * entries, a range that qualifies must get OK.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <copra/guest.h>

struct ival {
	uint64_t s, e;
};

FUZZ_NO_COVERAGE static int cmp_ival(const void *a, const void *b)
{
	const struct ival *x = a;
	const struct ival *y = b;

	return x->s < y->s ? -1 : x->s > y->s;
}

/* The union of the valid usable entries as sorted, merged (touching included) ranges. */
FUZZ_NO_COVERAGE static size_t usable_union(const struct boot_e820_entry *map, size_t n,
					    struct ival *u)
{
	size_t k = 0;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type == E820_USABLE && map[i].size != 0 &&
		    !__builtin_add_overflow(map[i].addr, map[i].size, &end))
			u[k++] = (struct ival){map[i].addr, end};
	}
	qsort(u, k, sizeof(*u), cmp_ival);
	for (size_t i = 0; i < k; i++) {
		if (m > 0 && u[i].s <= u[m - 1].e) {
			if (u[i].e > u[m - 1].e)
				u[m - 1].e = u[i].e;
		} else {
			u[m++] = u[i];
		}
	}
	return m;
}

struct ctx {
	const struct guest_ram *g;
	const struct ival *u;
	size_t nu;
	bool complete; /* nothing could have been dropped */
};

static void query(const struct ctx *c, uint64_t gpa, uint64_t len)
{
	enum guest_err err = guest_range_check(c->g, gpa, len);
	uint64_t end = 0;
	bool wraps = __builtin_add_overflow(gpa, len, &end);
	bool svsm = false;
	bool inside = false;

	if (!wraps && len != 0) {
		svsm = c->g->svsm_end > c->g->svsm_start && gpa < c->g->svsm_end &&
		       c->g->svsm_start < end;
		for (size_t i = 0; i < c->nu; i++)
			if (c->u[i].s <= gpa && end <= c->u[i].e)
				inside = true;
	}
	switch (err) {
	case GUEST_OK:
		FUZZ_CHECK(len != 0 && !wraps && !svsm && inside);
		break;
	case GUEST_EINVAL:
		FUZZ_CHECK(len == 0);
		break;
	case GUEST_EOVERFLOW:
		FUZZ_CHECK(wraps);
		break;
	case GUEST_ESVSM:
		FUZZ_CHECK(svsm);
		break;
	case GUEST_ERANGE:
		FUZZ_CHECK(len != 0 && !wraps && (!inside || !c->complete));
		break;
	default:
		FUZZ_CHECK(!"unknown guest_err");
	}
	if (c->complete && len != 0 && !wraps && !svsm && inside)
		FUZZ_CHECK(err == GUEST_OK);
}

FUZZ_NO_COVERAGE static void check_table(const struct guest_ram *g, const struct ival *u, size_t nu,
					 bool complete)
{
	FUZZ_CHECK(g->n <= GUEST_RAM_MAX);
	for (unsigned int i = 0; i < g->n; i++) {
		FUZZ_CHECK(g->r[i].start < g->r[i].end);
		if (i > 0)
			FUZZ_CHECK(g->r[i - 1].end < g->r[i].start);
	}
	if (!complete)
		return;
	FUZZ_CHECK(g->n == nu);
	for (unsigned int i = 0; i < g->n; i++)
		FUZZ_CHECK(g->r[i].start == u[i].s && g->r[i].end == u[i].e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned int n = fuzz_u8(&in);
	uint64_t svsm_base = fuzz_u64(&in);
	uint64_t svsm_size = fuzz_u64(&in);
	struct boot_e820_entry *map = NULL;
	struct ival *u = NULL;
	struct guest_ram *g = NULL;
	struct ctx c;

	if (svsm_size > UINT64_MAX - svsm_base)
		svsm_size = UINT64_MAX - svsm_base;
	if (n > in.n / sizeof(*map))
		n = (unsigned int)(in.n / sizeof(*map));
	map = malloc(n * sizeof(*map) + 1);
	u = malloc(n * sizeof(*u) + 1);
	g = malloc(sizeof(*g));
	FUZZ_CHECK(map && u && g);
	memcpy(map, in.p, n * sizeof(*map));
	in.p += n * sizeof(*map);
	in.n -= n * sizeof(*map);

	guest_ram_init(g, map, n, svsm_base, svsm_size);
	c.g = g;
	c.u = u;
	c.nu = usable_union(map, n, u);
	c.complete = n <= GUEST_RAM_MAX;
	check_table(g, u, c.nu, c.complete);
	FUZZ_CHECK(g->svsm_start == svsm_base && g->svsm_end == svsm_base + svsm_size);

	while (in.n >= 16) {
		uint64_t gpa = fuzz_u64(&in);
		uint64_t len = fuzz_u64(&in);

		query(&c, gpa, len);
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t a = map[i].addr;
		uint64_t s = map[i].size;

		query(&c, a, s);
		query(&c, a, s + 1);
		query(&c, a - 1, s);
		query(&c, a - 1, 2);
		query(&c, a + s - 1, 1);
		query(&c, a + s - 1, 2);
		query(&c, a + s, 1);
	}
	query(&c, svsm_base - 1, 1);
	query(&c, svsm_base - 1, 2);
	query(&c, svsm_base + svsm_size, 1);
	query(&c, svsm_base + svsm_size - 1, 1);
	free(g);
	free(u);
	free(map);
	return 0;
}
