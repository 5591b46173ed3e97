/* SPDX-License-Identifier: MIT */
/*
 * Which GPA ranges are guest RAM. Pure code (host-tested in tests/unit/test_guest_range.c):
 * the e820 map is untrusted, so entries are sanitised into sorted, merged ranges once, and
 * every access is checked against them with overflow-safe arithmetic.
 */
#include <copra/guest.h>
#include <lib/checked.h>

/* Inserts [s, e) keeping the table sorted and merged; drops it when the table is full. */
/*@ requires \valid(g) && g->n <= GUEST_RAM_MAX;
    assigns g->n, g->r[0 .. GUEST_RAM_MAX - 1];
    ensures g->n <= GUEST_RAM_MAX;
 */
static void insert_range(struct guest_ram *g, uint64_t s, uint64_t e)
{
	unsigned int i = 0;
	unsigned int j = 0;

	/*@ loop invariant 0 <= i <= g->n;
	    loop assigns i;
	    loop variant g->n - i;
	 */
	while (i < g->n && g->r[i].end < s)
		i++;
	/* r[i] is the first range that could touch [s, e); merge every range that does. */
	j = i;
	/*@ loop invariant i <= j <= g->n;
	    loop assigns j, s, e;
	    loop variant g->n - j;
	 */
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
		/*@ loop invariant i <= k <= g->n;
		    loop assigns k, g->r[i + 1 .. g->n];
		    loop variant k;
		 */
		for (unsigned int k = g->n; k > i; k--)
			g->r[k] = g->r[k - 1];
		g->n++;
	} else if (j > i + 1) {
		unsigned int gone = j - i - 1;

		/*@ loop invariant i + 1 <= k <= g->n - gone;
		    loop assigns k, g->r[i + 1 .. g->n - 1];
		    loop variant g->n - k;
		 */
		for (unsigned int k = i + 1; k + gone < g->n; k++)
			g->r[k] = g->r[k + gone];
		g->n -= gone;
	}
	g->r[i].start = s;
	g->r[i].end = e;
}

/*@ requires \valid(g) && \valid_read(map + (0 .. n - 1)) && \separated(g, map + (0 .. n - 1));
    assigns *g;
    ensures g->n <= GUEST_RAM_MAX;
 */
void guest_ram_init(struct guest_ram *g, const struct boot_e820_entry *map, unsigned int n,
		    uint64_t svsm_base, uint64_t svsm_size)
{
	g->n = 0;
	g->svsm_start = svsm_base;
	g->svsm_end = svsm_base + svsm_size; /* the loader chose it: cannot wrap */
	/*@ loop invariant 0 <= i <= n && g->n <= GUEST_RAM_MAX;
	    loop assigns i, g->n, g->r[0 .. GUEST_RAM_MAX - 1];
	    loop variant n - i;
	 */
	for (unsigned int i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type != E820_USABLE || map[i].size == 0 ||
		    ADD_OVERFLOW(map[i].addr, map[i].size, &end))
			continue;
		insert_range(g, map[i].addr, end);
	}
}

/*@ requires \valid_read(g) && guest_ram_sorted(g);
    assigns \nothing;
    ensures \result == GUEST_OK || \result == GUEST_EINVAL || \result == GUEST_EOVERFLOW ||
            \result == GUEST_ESVSM || \result == GUEST_ERANGE;
    ensures \result == GUEST_OK ==> len != 0 && gpa + len <= UINT64_MAX &&
            !guest_hits_svsm(g, gpa, len) && guest_in_ram(g, gpa, len);
    ensures len != 0 && gpa + len <= UINT64_MAX && g->svsm_start <= g->svsm_end &&
            !guest_hits_svsm(g, gpa, len) && guest_in_ram(g, gpa, len) ==> \result == GUEST_OK;
    ensures len == 0 <==> \result == GUEST_EINVAL;
    ensures len != 0 && gpa + len > UINT64_MAX <==> \result == GUEST_EOVERFLOW;
 */
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
	/*@ loop invariant 0 <= lo <= hi <= g->n;
	    loop invariant \forall integer k; 0 <= k < lo ==> g->r[k].end <= gpa;
	    loop invariant \forall integer k; hi <= k < g->n ==> g->r[k].end > gpa;
	    loop assigns lo, hi;
	    loop variant hi - lo;
	 */
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
