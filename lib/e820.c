/* SPDX-License-Identifier: MIT */
/*
 * Choosing the SVSM region. Usable RAM is the union of the usable entries (they may touch or
 * overlap) minus every other entry. The maps are small (BOOT_E820_MAX entries), so plain
 * quadratic scans keep this simple enough to review and to test against a brute force.
 */
#include <lib/checked.h>
#include <lib/compiler.h>
#include <lib/e820.h>

const char *e820_strerror(enum e820_err err)
{
	switch (err) {
	case E820_OK:
		return "ok";
	case E820_EEMPTY:
		return "the e820 memory map is empty";
	case E820_ENOUSABLE:
		return "the e820 memory map has no usable RAM";
	case E820_ETOOSMALL:
		return "no usable RAM range is large enough for the SVSM region";
	}
	return "unknown e820 error";
}

/* End of entry e; false for empty or wrapping entries, which are ignored. */
static bool entry_end(const struct boot_e820_entry *e, uint64_t *end)
{
	return e->size != 0 && !ADD_OVERFLOW(e->addr, e->size, end);
}

/* Extends p through the usable entries that cover it; returns where coverage ends. */
static uint64_t covered_until(const struct boot_e820_entry *map, size_t n, uint64_t p)
{
	for (size_t round = 0; round <= n; round++) {
		uint64_t next = p;

		for (size_t i = 0; i < n; i++) {
			uint64_t end = 0;

			if (map[i].type == E820_USABLE && entry_end(&map[i], &end) &&
			    map[i].addr <= p && end > next)
				next = end;
		}
		if (next == p)
			break;
		p = next;
	}
	return p;
}

static bool conflicts(const struct boot_e820_entry *map, size_t n, uint64_t base, uint64_t size)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type != E820_USABLE && entry_end(&map[i], &end) &&
		    range_overlaps(base, size, map[i].addr, map[i].size))
			return true;
	}
	return false;
}

/* Is the region below `top` a valid choice? Sets *base when it is. */
static bool try_top(const struct boot_e820_entry *map, size_t n, uint64_t top, uint64_t size,
		    uint64_t align, uint64_t min, uint64_t *base)
{
	uint64_t b = 0;

	if (top < min || top - min < size)
		return false;
	b = ALIGN_DOWN(top - size, align);
	if (b < min || covered_until(map, n, b) < b + size || conflicts(map, n, b, size))
		return false;
	*base = b;
	return true;
}

/* Usable runs inside [min, max): their total and the largest, for diagnostics. */
static void measure(const struct boot_e820_entry *map, size_t n, uint64_t min, uint64_t max,
		    struct e820_choice *out)
{
	uint64_t pos = min;

	for (size_t run = 0; run <= n && pos < max; run++) {
		uint64_t start = max;
		uint64_t end = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t e = 0;
			uint64_t s = map[i].addr > pos ? map[i].addr : pos;

			if (map[i].type == E820_USABLE && entry_end(&map[i], &e) && e > pos &&
			    s < start)
				start = s;
		}
		if (start >= max)
			break;
		end = covered_until(map, n, start);
		if (end > max)
			end = max;
		out->usable_total += end - start;
		if (end - start > out->largest_range)
			out->largest_range = end - start;
		pos = end;
	}
}

/*
 * The best region ends at a "barrier": the end of a usable entry, the start of another entry,
 * or max. (Take the optimum and the first barrier at or above its end: nothing between them
 * stops coverage or starts a conflict, so aligning down from that barrier is no lower.)
 */
enum e820_err e820_choose_region(const struct boot_e820_entry *map, size_t n, uint64_t size,
				 uint64_t align, uint64_t min, uint64_t max,
				 struct e820_choice *out)
{
	bool any_usable = false;
	bool found = false;

	out->base = 0;
	out->usable_total = 0;
	out->largest_range = 0;
	if (n == 0)
		return E820_EEMPTY;
	for (size_t i = 0; i < n; i++) {
		uint64_t end = 0;

		if (map[i].type == E820_USABLE && entry_end(&map[i], &end))
			any_usable = true;
	}
	if (!any_usable)
		return E820_ENOUSABLE;
	if (size == 0 || align == 0 || (align & (align - 1)) != 0 || min >= max)
		return E820_ETOOSMALL;
	measure(map, n, min, max, out);

	for (size_t i = 0; i <= n; i++) {
		uint64_t end = 0;
		uint64_t top = max;
		uint64_t base = 0;

		if (i < n) {
			if (!entry_end(&map[i], &end))
				continue;
			top = map[i].type == E820_USABLE ? end : map[i].addr;
		}
		if (top > max)
			top = max;
		if (try_top(map, n, top, size, align, min, &base) && (!found || base > out->base)) {
			out->base = base;
			found = true;
		}
	}
	return found ? E820_OK : E820_ETOOSMALL;
}
