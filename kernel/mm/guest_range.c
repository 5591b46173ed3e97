/* SPDX-License-Identifier: MIT */
/*
 * Which GPA ranges are guest RAM. Pure code (host-tested in tests/unit/test_guest_range.c):
 * the e820 map is untrusted, so entries are sanitised into sorted, merged ranges once, and
 * every access is checked against them with overflow-safe arithmetic.
 */
#include <copra/guest.h>
#include <lib/checked.h>

/* Inserts [s, e) keeping the table sorted and merged; drops it when the table is full. */
static void insert_range(struct guest_ram *g, uint64_t s, uint64_t e)
{
	unsigned int i = 0;
	unsigned int j = 0;

	while (i < g->n && g->r[i].end < s)
		i++;
	/* r[i] is the first range that could touch [s, e); merge every range that does. */
	j = i;
	while (j < g->n && g->r[j].start <= e) {
		if (g->r[j].start < s)
			s = g->r[j].start;
		if (g->r[j].end > e)
			e = g->r[j].end;
		j++;
	}
	if (j == i) {
		if (g->n == GUEST_RAM_MAX)
			return;
		for (unsigned int k = g->n; k > i; k--)
			g->r[k] = g->r[k - 1];
		g->n++;
	} else if (j > i + 1) {
		unsigned int gone = j - i - 1;

		for (unsigned int k = i + 1; k + gone < g->n; k++)
			g->r[k] = g->r[k + gone];
		g->n -= gone;
	}
	g->r[i].start = s;
	g->r[i].end = e;
}

void guest_ram_init(struct guest_ram *g, const struct boot_e820_entry *map, unsigned int n,
		    uint64_t svsm_base, uint64_t svsm_size)
{
	g->n = 0;
	g->svsm_start = svsm_base;
	g->svsm_end = svsm_base + svsm_size; /* the loader chose it: cannot wrap */
	for (unsigned int i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type != E820_USABLE || map[i].size == 0 ||
		    ADD_OVERFLOW(map[i].addr, map[i].size, &end))
			continue;
		insert_range(g, map[i].addr, end);
	}
}

enum guest_err guest_range_check(const struct guest_ram *g, uint64_t gpa, uint64_t len)
{
	uint64_t end = 0;
	unsigned int lo = 0;
	unsigned int hi = g->n;

	if (len == 0)
		return GUEST_EINVAL;
	if (ADD_OVERFLOW(gpa, len, &end))
		return GUEST_EOVERFLOW;
	if (range_overlaps(gpa, len, g->svsm_start, g->svsm_end - g->svsm_start))
		return GUEST_ESVSM;
	/* Ranges are merged, so the access must fit inside the one range that holds gpa. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (g->r[mid].end <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == g->n || g->r[lo].start > gpa || end > g->r[lo].end)
		return GUEST_ERANGE;
	return GUEST_OK;
}
