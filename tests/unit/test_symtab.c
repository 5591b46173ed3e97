/* SPDX-License-Identifier: MIT */
/*
 * lib/symtab.c: tables built in exactly-sized malloc'd buffers (so ASan sees any read past the
 * end): symtab_check on good and damaged tables, symtab_lookup at symbol edges, against a
 * linear reference on random tables, and on randomly corrupted tables.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <lib/symtab.h>

struct sym {
	uint64_t addr;
	uint32_t size;
	const char *name;
};

/* Builds header + entries + strtab ("\0" then each name) into an exact malloc'd buffer. */
static uint8_t *build(const struct sym *syms, uint32_t n, size_t *size_out)
{
	struct symtab_header h = {SYMTAB_MAGIC, n, 1, 0};
	uint8_t *blob = NULL;
	char *str = NULL;
	size_t size = 0;

	for (uint32_t i = 0; i < n; i++)
		h.strtab_size += (uint32_t)strlen(syms[i].name) + 1;
	size = sizeof(h) + (size_t)n * sizeof(struct symtab_entry) + h.strtab_size;
	blob = malloc(size);
	ASSERT(blob);
	memcpy(blob, &h, sizeof(h));
	str = (char *)blob + sizeof(h) + (size_t)n * sizeof(struct symtab_entry);
	str[0] = '\0';
	for (uint32_t i = 0, off = 1; i < n; i++) {
		struct symtab_entry e = {syms[i].addr, syms[i].size, off};

		memcpy(blob + sizeof(h) + i * sizeof(e), &e, sizeof(e));
		strcpy(str + off, syms[i].name);
		off += (uint32_t)strlen(syms[i].name) + 1;
	}
	*size_out = size;
	return blob;
}

static struct symtab_header *hdr(uint8_t *blob)
{
	return (struct symtab_header *)blob;
}

static struct symtab_entry *ent(uint8_t *blob, uint32_t i)
{
	return (struct symtab_entry *)(blob + sizeof(struct symtab_header)) + i;
}

static const struct sym base_syms[] = {
	{0xffffffff80001000ull, 0x100, "start"},
	{0xffffffff80001100ull, 0, "nosize"},
	{0xffffffff80001200ull, 0x40, "sized"},
	{0xffffffff80001300ull, 0x80, "last"},
};

#define NBASE ((uint32_t)(sizeof(base_syms) / sizeof(base_syms[0])))

UNIT_TEST(symtab_check_good)
{
	size_t size = 0;
	uint8_t *blob = build(base_syms, NBASE, &size);
	uint8_t *empty = NULL;
	size_t esize = 0;

	EXPECT(symtab_check(blob, size) == 1);
	free(blob);

	/* No symbols, a strtab of one NUL: well-formed, finds nothing. */
	empty = build(NULL, 0, &esize);
	EXPECT_EQ_U64(esize, sizeof(struct symtab_header) + 1);
	EXPECT(symtab_check(empty, esize) == 1);
	{
		uint64_t off = 0;

		EXPECT(symtab_lookup(empty, esize, 0x1234, &off) == NULL);
	}
	free(empty);

	/* Equal addresses are sorted. */
	{
		static const struct sym dup[] = {
			{0x1000, 0, "a"}, {0x1000, 0, "b"}, {0x2000, 4, "c"}};

		blob = build(dup, 3, &size);
		EXPECT(symtab_check(blob, size) == 1);
		free(blob);
	}
}

UNIT_TEST(symtab_check_rejects)
{
	size_t size = 0;
	uint8_t *blob = build(base_syms, NBASE, &size);
	uint64_t off = 0;

	/* Bad magic. */
	hdr(blob)->magic ^= 1;
	EXPECT(symtab_check(blob, size) == 0);
	EXPECT(symtab_lookup(blob, size, base_syms[0].addr, &off) == NULL);
	hdr(blob)->magic ^= 1;
	ASSERT(symtab_check(blob, size) == 1);

	/* Size mismatch: the blob size, the count and the strtab size must agree. */
	EXPECT(symtab_check(blob, size - 1) == 0);
	EXPECT(symtab_check(blob, 0) == 0);
	EXPECT(symtab_check(blob, sizeof(struct symtab_header) - 1) == 0);
	EXPECT(symtab_check(NULL, size) == 0);
	hdr(blob)->count++;
	EXPECT(symtab_check(blob, size) == 0);
	hdr(blob)->count = UINT32_MAX;
	EXPECT(symtab_check(blob, size) == 0);
	EXPECT(symtab_lookup(blob, size, base_syms[0].addr, &off) == NULL);
	hdr(blob)->count = NBASE;
	hdr(blob)->strtab_size--;
	EXPECT(symtab_check(blob, size) == 0);
	hdr(blob)->strtab_size = UINT32_MAX;
	EXPECT(symtab_check(blob, size) == 0);
	hdr(blob)->strtab_size += 1; /* 0 */
	EXPECT(symtab_check(blob, size) == 0);
	free(blob);

	/* A larger buffer with a smaller table in front is a mismatch too. */
	{
		size_t s2 = 0;
		uint8_t *b2 = build(base_syms, NBASE, &s2);
		uint8_t *big = malloc(s2 + 8);

		ASSERT(big);
		memcpy(big, b2, s2);
		memset(big + s2, 0, 8);
		EXPECT(symtab_check(big, s2 + 8) == 0);
		free(big);
		free(b2);
	}

	/* Unsorted entries. */
	blob = build(base_syms, NBASE, &size);
	ent(blob, 2)->addr = ent(blob, 1)->addr - 1;
	EXPECT(symtab_check(blob, size) == 0);
	free(blob);

	/* A name offset at or past the end of the strtab. */
	blob = build(base_syms, NBASE, &size);
	ent(blob, 3)->name = hdr(blob)->strtab_size;
	EXPECT(symtab_check(blob, size) == 0);
	EXPECT(symtab_lookup(blob, size, base_syms[3].addr, &off) == NULL);
	ent(blob, 3)->name = UINT32_MAX;
	EXPECT(symtab_check(blob, size) == 0);
	EXPECT(symtab_lookup(blob, size, base_syms[3].addr, &off) == NULL);
	ent(blob, 3)->name = hdr(blob)->strtab_size - 1; /* the final NUL: an empty name */
	EXPECT(symtab_check(blob, size) == 1);
	free(blob);

	/* The strtab is not NUL-terminated. */
	blob = build(base_syms, NBASE, &size);
	blob[size - 1] = 'x';
	EXPECT(symtab_check(blob, size) == 0);
	EXPECT(symtab_lookup(blob, size, base_syms[3].addr, &off) == NULL);
	free(blob);
}

UNIT_TEST(symtab_misaligned_blob)
{
	size_t size = 0;
	uint8_t *blob = build(base_syms, NBASE, &size);
	uint8_t *shifted = malloc(size + 8);
	uint64_t off = 0;

	ASSERT(shifted);
	for (size_t shift = 1; shift < 8; shift++) {
		memcpy(shifted + shift, blob, size);
		EXPECTF(symtab_check(shifted + shift, size) == 0, "shift %zu", shift);
		EXPECTF(symtab_lookup(shifted + shift, size, base_syms[0].addr, &off) == NULL,
			"shift %zu", shift);
	}
	free(shifted);
	free(blob);
}

UNIT_TEST(symtab_lookup_edges)
{
	size_t size = 0;
	uint8_t *blob = build(base_syms, NBASE, &size);
	const uint64_t a0 = base_syms[0].addr;
	uint64_t off = 0xdead;

	ASSERT(symtab_check(blob, size) == 1);
	/* Exact address, inside, last byte and one past a sized symbol. */
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0, &off), "start");
	EXPECT_EQ_U64(off, 0);
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0x42, &off), "start");
	EXPECT_EQ_U64(off, 0x42);
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0xff, &off), "start");
	EXPECT_EQ_U64(off, 0xff);
	/* 0x1100 is where "nosize" starts, so "start" ends exactly there. */
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0x100, &off), "nosize");
	EXPECT_EQ_U64(off, 0);

	/* A zero-size symbol covers everything up to the next symbol. */
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0x1ff, &off), "nosize");
	EXPECT_EQ_U64(off, 0xff);
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0x200, &off), "sized");
	EXPECT_EQ_U64(off, 0);

	/* Past the end of "sized" (0x40 bytes), before "last": nothing. */
	off = 0xdead;
	EXPECT(symtab_lookup(blob, size, a0 + 0x240, &off) == NULL);
	EXPECT(symtab_lookup(blob, size, a0 + 0x2ff, &off) == NULL);
	EXPECT_EQ_U64(off, 0xdead);
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0x23f, &off), "sized");
	EXPECT_EQ_U64(off, 0x3f);

	/* The last symbol and past it; before the first symbol. */
	EXPECT_STR_EQ(symtab_lookup(blob, size, a0 + 0x37f, &off), "last");
	EXPECT_EQ_U64(off, 0x7f);
	EXPECT(symtab_lookup(blob, size, a0 + 0x380, &off) == NULL);
	EXPECT(symtab_lookup(blob, size, UINT64_MAX, &off) == NULL);
	EXPECT(symtab_lookup(blob, size, a0 - 1, &off) == NULL);
	EXPECT(symtab_lookup(blob, size, 0, &off) == NULL);
	free(blob);

	/* A single zero-size symbol covers everything above it. */
	{
		static const struct sym one[] = {{0x1000, 0, "only"}};

		blob = build(one, 1, &size);
		EXPECT(symtab_lookup(blob, size, 0xfff, &off) == NULL);
		EXPECT_STR_EQ(symtab_lookup(blob, size, UINT64_MAX, &off), "only");
		EXPECT_EQ_U64(off, UINT64_MAX - 0x1000);
		free(blob);
	}
	/* Symbols at address 0 and at the very top. */
	{
		static const struct sym ends[] = {{0, 0x10, "zero"}, {UINT64_MAX, 1, "top"}};

		blob = build(ends, 2, &size);
		EXPECT_STR_EQ(symtab_lookup(blob, size, 0, &off), "zero");
		EXPECT(symtab_lookup(blob, size, 0x10, &off) == NULL);
		EXPECT_STR_EQ(symtab_lookup(blob, size, UINT64_MAX, &off), "top");
		EXPECT_EQ_U64(off, 0);
		free(blob);
	}
}

/* Linear reference: the last entry with addr <= a (ties: the later one). */
static const struct sym *ref_lookup(const struct sym *s, uint32_t n, uint64_t a)
{
	const struct sym *best = NULL;

	for (uint32_t i = 0; i < n; i++)
		if (s[i].addr <= a)
			best = &s[i];
	if (!best || (best->size != 0 && a - best->addr >= best->size))
		return NULL;
	return best;
}

static const char *const names[] = {"a", "bb", "ccc", "d", "eeeee", "f", "gg", "h"};

UNIT_TEST(symtab_random_vs_reference)
{
	struct sym syms[40];

	for (int iter = 0; iter < 400; iter++) {
		uint32_t n = (uint32_t)(unit_rand64() % 40);
		uint64_t addr = 0x1000 + unit_rand64() % 64;
		size_t size = 0;
		uint8_t *blob = NULL;

		for (uint32_t i = 0; i < n; i++) {
			uint64_t r = unit_rand64();

			addr += (r & 3) ? r % 64 : 0; /* some duplicates */
			syms[i].addr = addr;
			syms[i].size = (r >> 8) % 3 ? (uint32_t)((r >> 16) % 80) : 0;
			syms[i].name = names[(r >> 32) % 8];
		}
		blob = build(syms, n, &size);
		ASSERT(symtab_check(blob, size) == 1);
		for (int q = 0; q < 200; q++) {
			uint64_t a = 0xff0 + unit_rand64() % (addr - 0xff0 + 0x100);
			uint64_t off = 0;
			const struct sym *want = ref_lookup(syms, n, a);
			const char *got = symtab_lookup(blob, size, a, &off);

			if (!want) {
				EXPECTF(got == NULL, "iter %d addr %#llx: got %s", iter,
					(unsigned long long)a, got);
				continue;
			}
			if (EXPECTF(got != NULL, "iter %d addr %#llx: want %s", iter,
				    (unsigned long long)a, want->name)) {
				EXPECT_STR_EQ(got, want->name);
				EXPECT_EQ_U64(off, a - want->addr);
			}
		}
		free(blob);
	}
}

UNIT_TEST(symtab_random_corruption)
{
	size_t size = 0;
	uint8_t *good = build(base_syms, NBASE, &size);
	unsigned int accepted = 0;

	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *blob = malloc(size);
		unsigned int k = 1 + (unsigned int)(unit_rand64() % 3);

		ASSERT(blob);
		memcpy(blob, good, size);
		for (unsigned int i = 0; i < k; i++) {
			uint64_t r = unit_rand64();

			blob[(r >> 8) % size] = (r & 1) ? (uint8_t)(r >> 32) : (uint8_t)(r & 0x80);
		}
		if (symtab_check(blob, size))
			accepted++;
		for (int q = 0; q < 8; q++) {
			uint64_t a = (q & 1) ? unit_rand64()
					     : base_syms[0].addr - 0x10 + unit_rand64() % 0x400;
			uint64_t off = 0;
			const char *name = symtab_lookup(blob, size, a, &off);

			if (!name)
				continue;
			/* A returned name lies in the strtab and ends inside the blob. */
			EXPECT((const uint8_t *)name >= blob + sizeof(struct symtab_header) &&
			       (const uint8_t *)name < blob + size);
			EXPECT(memchr(name, 0, (size_t)(blob + size - (const uint8_t *)name)) !=
			       NULL);
			EXPECT(off <= a);
		}
		free(blob);
	}
	free(good);
	EXPECT(accepted > 0);
}
