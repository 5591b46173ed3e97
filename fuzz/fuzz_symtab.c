/* SPDX-License-Identifier: MIT */
/*
 * lib/symtab.c symtab_check and symtab_lookup on an untrusted table (the kernel reads it from
 * the image, which the host supplies).
 *
 * Input: one byte whose low 3 bits give k, then the table, then k trailing 8-byte lookup
 * addresses (when the input is long enough for them). The table is copied into an 8-aligned
 * buffer of exactly its size (ASan sees any read past it); lookups run at the trailing
 * addresses and at the edges of every entry the table claims to have (when they lie inside).
 * Every returned name must be NUL-terminated inside the buffer; for a table symtab_check
 * accepts, the answer must equal a linear search (the last entry with addr <= a, refused when
 * its non-zero size does not reach a). A misaligned copy is always refused.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <lib/symtab.h>

/* What symtab_lookup must answer on a table symtab_check accepted: entry index or -1. */
FUZZ_NO_COVERAGE static long linear_lookup(const uint8_t *blob, uint64_t addr)
{
	const struct symtab_header *h = (const void *)blob;
	const struct symtab_entry *e = (const void *)(blob + sizeof(*h));
	long found = -1;

	for (uint32_t i = 0; i < h->count; i++)
		if (e[i].addr <= addr)
			found = i;
	if (found >= 0 && e[found].size != 0 && addr - e[found].addr >= e[found].size)
		found = -1;
	return found;
}

static void lookup(const uint8_t *blob, size_t size, bool ok, uint64_t addr)
{
	uint64_t off = 0xdeadbeef;
	const char *name = symtab_lookup(blob, size, addr, &off);
	const struct symtab_header *h = (const void *)blob;
	long want = 0;

	if (name) {
		FUZZ_CHECK((const uint8_t *)name >= blob && (const uint8_t *)name < blob + size);
		FUZZ_CHECK(memchr(name, '\0', (size_t)(blob + size - (const uint8_t *)name)) !=
			   NULL);
	}
	if (!ok)
		return;
	want = linear_lookup(blob, addr);
	if (want < 0) {
		FUZZ_CHECK(name == NULL);
		return;
	}
	const struct symtab_entry *e = (const void *)(blob + sizeof(*h));
	const char *strtab = (const char *)(e + h->count);

	FUZZ_CHECK(name == strtab + e[want].name);
	FUZZ_CHECK(off == addr - e[want].addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned int k = fuzz_u8(&in) & 7;
	size_t tsize = in.n >= 8 * k ? in.n - 8 * k : in.n;
	const uint8_t *addrs = in.p + tsize;
	unsigned int naddrs = in.n >= 8 * k ? k : 0;
	/* malloc is at least 16-byte aligned; +1 for the misaligned copy below. */
	uint8_t *blob = malloc(tsize ? tsize : 1);
	uint8_t *odd = malloc(tsize + 1);
	bool ok = false;

	FUZZ_CHECK(blob != NULL && odd != NULL && ((uintptr_t)blob & 7) == 0);
	memcpy(blob, in.p, tsize);
	memcpy(odd + 1, in.p, tsize);
	ok = symtab_check(blob, tsize) != 0;
	FUZZ_CHECK(symtab_check(odd + 1, tsize) == 0);
	FUZZ_CHECK(symtab_lookup(odd + 1, tsize, 0, &(uint64_t){0}) == NULL);

	for (unsigned int i = 0; i < naddrs; i++) {
		uint64_t a = 0;

		memcpy(&a, addrs + 8 * i, 8);
		lookup(blob, tsize, ok, a);
	}
	if (tsize >= sizeof(struct symtab_header)) {
		const struct symtab_header *h = (const void *)blob;
		uint64_t count = h->count;
		uint64_t room = (tsize - sizeof(*h)) / sizeof(struct symtab_entry);

		if (count > room)
			count = room;
		for (uint64_t i = 0; i < count && i < 64; i++) {
			struct symtab_entry e;

			memcpy(&e, blob + sizeof(*h) + i * sizeof(e), sizeof(e));
			lookup(blob, tsize, ok, e.addr);
			lookup(blob, tsize, ok, e.addr - 1);
			lookup(blob, tsize, ok, e.addr + e.size);
			lookup(blob, tsize, ok, e.addr + e.size - 1);
		}
	}
	lookup(blob, tsize, ok, 0);
	lookup(blob, tsize, ok, UINT64_MAX);
	free(odd);
	free(blob);
	return 0;
}
