/* SPDX-License-Identifier: MIT */
/*
 * kernel/arch/x86/pgtable.c on the host: table pages live in a malloc'd arena that stands in for
 * physical memory (page i at "physical" 0x1000 * (i + 1), so 0 is never a table), handed out by
 * an allocator that can be told to fail. Covers map/translate, argument checks, all-or-nothing
 * map and unmap, intermediate user bits, large pages written by hand, and random sequences
 * against a model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <arch/x86/paging.h>

#define ARENA_PAGES 256u
#define FLAG_BITS   (~PTE_ADDR_MASK)

static uint64_t *arena;

/* The fake physmap: only arena pages are tables; anything else is a walker bug. */
static void *fake_table_va(paddr_t pa)
{
	uint64_t p = pa_addr(pa);

	ASSERT(p % PAGE_SIZE == 0 && p >= PAGE_SIZE && p <= ARENA_PAGES * PAGE_SIZE);
	return arena + (p / PAGE_SIZE - 1) * PT_ENTRIES;
}

struct fake_alloc {
	unsigned int used;
	unsigned int limit; /* allocations allowed in total, root included */
};

static bool fake_alloc_table(void *ctx, paddr_t *out)
{
	struct fake_alloc *a = ctx;

	if (a->used >= a->limit || a->used >= ARENA_PAGES)
		return false;
	memset(arena + (size_t)a->used * PT_ENTRIES, 0, PAGE_SIZE);
	*out = pa_init(PAGE_SIZE * (a->used + 1));
	a->used++;
	return true;
}

/* Fresh arena and tables with a root; `limit` allocations in all (root included). */
static void pt_setup(struct pgtable *pt, struct fake_alloc *a, unsigned int limit, uint64_t nx)
{
	paddr_t root = {0};

	if (!arena) {
		arena = aligned_alloc(PAGE_SIZE, ARENA_PAGES * PAGE_SIZE);
		ASSERT(arena);
	}
	memset(arena, 0xa5, ARENA_PAGES * PAGE_SIZE); /* unallocated pages are garbage */
	a->used = 0;
	a->limit = limit;
	ASSERT(fake_alloc_table(a, &root));
	pt->root = root;
	pt->nx_mask = nx;
	pt->table_va = fake_table_va;
	pt->alloc_table = fake_alloc_table;
	pt->ctx = a;
}

static int map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	return pgtable_map(pt, va_init(va), pa_init(pa), size, flags);
}

static int unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
	return pgtable_unmap(pt, va_init(va), size);
}

/* translate() as one call: the PA (or ~0 when the result is not OK) and the flags. */
static int xlate(const struct pgtable *pt, uint64_t va, uint64_t *pa, uint64_t *flags)
{
	paddr_t p = {~0ull};
	uint64_t f = 0;
	int err = pgtable_translate(pt, va_init(va), &p, &f);

	*pa = err == PGTABLE_OK ? pa_addr(p) : ~0ull;
	if (flags)
		*flags = err == PGTABLE_OK ? f : 0;
	return err;
}

static bool mapped_as(const struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t got = 0;
	uint64_t f = 0;

	return xlate(pt, va, &got, &f) == PGTABLE_OK && got == pa && f == flags;
}

static bool unmapped(const struct pgtable *pt, uint64_t va)
{
	uint64_t got = 0;

	return xlate(pt, va, &got, NULL) == PGTABLE_ENOENT;
}

/* The entry at `level` (3 = PML4) on the way to va; 0 when a table above is missing. */
static uint64_t entry_at(const struct pgtable *pt, uint64_t va, int level)
{
	uint64_t *table = pt->table_va(pt->root);

	for (int l = 3; l > level; l--) {
		uint64_t e = table[pt_index(va, l)];

		if (!(e & PTE_P) || (e & PTE_PS))
			return 0;
		table = pt->table_va(pa_init(e & PTE_ADDR_MASK));
	}
	return table[pt_index(va, level)];
}

#define KVA 0xffffffff80200000ull
#define UVA 0x00007f0000000000ull

UNIT_TEST(pgtable_map_translate)
{
	struct pgtable pt;
	struct fake_alloc a;
	uint64_t pa = 0;
	uint64_t f = 0;

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	ASSERT(map(&pt, KVA, 0x5000000, 4 * PAGE_SIZE, PTE_W | PTE_NX) == PGTABLE_OK);
	for (uint64_t i = 0; i < 4; i++) {
		EXPECT_EQ_U64(xlate(&pt, KVA + i * PAGE_SIZE + 0x123, &pa, &f), PGTABLE_OK);
		EXPECT_EQ_U64(pa, 0x5000000 + i * PAGE_SIZE + 0x123);
		EXPECT_EQ_U64(f, PTE_P | PTE_W | PTE_NX);
	}
	EXPECT(unmapped(&pt, KVA - PAGE_SIZE));
	EXPECT(unmapped(&pt, KVA + 4 * PAGE_SIZE));
	/* One PDPT, one PD, one PT below the root. */
	EXPECT_EQ_U64(a.used, 4);

	/* Flags pass through; P is forced; address bits in flags are dropped (PS asks for 2 MiB). */
	ASSERT(map(&pt, KVA + 0x10000, 0x6000000, PAGE_SIZE,
		   PTE_PWT | PTE_PCD | PTE_G | PTE_A | PTE_D | 0x0000000012345000ull) ==
	       PGTABLE_OK);
	EXPECT(mapped_as(&pt, KVA + 0x10000, 0x6000000,
			 PTE_P | PTE_PWT | PTE_PCD | PTE_G | PTE_A | PTE_D));

	/* Read-only, no NX. */
	ASSERT(map(&pt, KVA + 0x20000, 0x7000000, PAGE_SIZE, 0) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, KVA + 0x20000, 0x7000000, PTE_P));

	/* The highest page of the address space and the lowest user page. */
	ASSERT(map(&pt, 0xfffffffffffff000ull, 0x8000000, PAGE_SIZE, PTE_W) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, 0xfffffffffffff000ull, 0x8000000, PTE_P | PTE_W));
	ASSERT(map(&pt, 0, 0, PAGE_SIZE, PTE_U) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, 0, 0, PTE_P | PTE_U));
	ASSERT(map(&pt, 0x00007ffffffff000ull, 0x000ffffffffff000ull, PAGE_SIZE, 0) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, 0x00007ffffffff000ull, 0x000ffffffffff000ull, PTE_P));

	/* A 2 MiB-crossing range spans two page tables. */
	ASSERT(map(&pt, UVA + 0x1ff000, 0x9000000, 2 * PAGE_SIZE, PTE_W) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, UVA + 0x1ff000, 0x9000000, PTE_P | PTE_W));
	EXPECT(mapped_as(&pt, UVA + 0x200000, 0x9001000, PTE_P | PTE_W));
}

UNIT_TEST(pgtable_nx_stripped_without_nxe)
{
	struct pgtable pt;
	struct fake_alloc a;

	pt_setup(&pt, &a, ARENA_PAGES, 0);
	ASSERT(map(&pt, KVA, 0x5000000, PAGE_SIZE, PTE_W | PTE_NX) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, KVA, 0x5000000, PTE_P | PTE_W));
	EXPECT((entry_at(&pt, KVA, 0) & PTE_NX) == 0);
}

UNIT_TEST(pgtable_einval)
{
	struct pgtable pt;
	struct fake_alloc a;
	uint64_t pa = 0;
	static const struct {
		uint64_t va, size;
	} bad[] = {
		{KVA + 1, PAGE_SIZE},
		{KVA + 0x800, PAGE_SIZE},
		{KVA, 0},
		{KVA, 0x800},
		{KVA, PAGE_SIZE + 1},
		{0x0000800000000000ull, PAGE_SIZE},		/* first non-canonical page */
		{0xffff7ffffffff000ull, PAGE_SIZE},		/* last non-canonical page */
		{0x00007ffffffff000ull, 2 * PAGE_SIZE},		/* runs into the hole */
		{0xffff7ffffffff000ull, 2 * PAGE_SIZE},		/* starts in the hole */
		{0x00007ffffffff000ull, 0xffff800000001000ull}, /* jumps the hole */
		{0xfffffffffffff000ull, 2 * PAGE_SIZE},		/* wraps */
		{0xfffffffffffff000ull, 0xfffffffffffff000ull}, /* wraps far */
		{0, 0xfffffffffffff000ull},			/* covers the hole */
	};

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECTF(map(&pt, bad[i].va, 0x100000, bad[i].size, PTE_W) == PGTABLE_EINVAL,
			"map va %#llx size %#llx", (unsigned long long)bad[i].va,
			(unsigned long long)bad[i].size);
		EXPECTF(unmap(&pt, bad[i].va, bad[i].size) == PGTABLE_EINVAL,
			"unmap va %#llx size %#llx", (unsigned long long)bad[i].va,
			(unsigned long long)bad[i].size);
	}
	/* Bad physical addresses: unaligned, beyond 52 bits, wrapping. */
	EXPECT(map(&pt, KVA, 0x100800, PAGE_SIZE, 0) == PGTABLE_EINVAL);
	EXPECT(map(&pt, KVA, 0x0010000000000000ull, PAGE_SIZE, 0) == PGTABLE_EINVAL);
	EXPECT(map(&pt, KVA, 0x000ffffffffff000ull, 2 * PAGE_SIZE, 0) == PGTABLE_EINVAL);
	EXPECT(map(&pt, KVA, 0xfffffffffffff000ull, 2 * PAGE_SIZE, 0) == PGTABLE_EINVAL);
	/* Nothing was allocated or mapped by any of these. */
	EXPECT_EQ_U64(a.used, 1);
	EXPECT(unmapped(&pt, KVA));
	/* translate refuses non-canonical addresses. */
	EXPECT(xlate(&pt, 0x0000800000000000ull, &pa, NULL) == PGTABLE_EINVAL);
	EXPECT(xlate(&pt, 0x8000000000000000ull, &pa, NULL) == PGTABLE_EINVAL);
}

UNIT_TEST(pgtable_eexist_rolls_back)
{
	struct pgtable pt;
	struct fake_alloc a;

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	ASSERT(map(&pt, KVA + 2 * PAGE_SIZE, 0x7000000, PAGE_SIZE, PTE_NX) == PGTABLE_OK);
	/* Pages 0 and 1 are mapped by this call before page 2 fails. */
	EXPECT_EQ_U64(map(&pt, KVA, 0x5000000, 4 * PAGE_SIZE, PTE_W), (uint64_t)PGTABLE_EEXIST);
	EXPECT(unmapped(&pt, KVA));
	EXPECT(unmapped(&pt, KVA + PAGE_SIZE));
	EXPECT(unmapped(&pt, KVA + 3 * PAGE_SIZE));
	EXPECT(mapped_as(&pt, KVA + 2 * PAGE_SIZE, 0x7000000, PTE_P | PTE_NX));

	/* Conflict on the first page; and a range straddling two tables, conflict in the second. */
	EXPECT_EQ_U64(map(&pt, KVA + 2 * PAGE_SIZE, 0x5000000, 2 * PAGE_SIZE, 0),
		      (uint64_t)PGTABLE_EEXIST);
	EXPECT(unmapped(&pt, KVA + 3 * PAGE_SIZE));
	ASSERT(map(&pt, KVA + 0x200000, 0x7100000, PAGE_SIZE, 0) == PGTABLE_OK);
	EXPECT_EQ_U64(map(&pt, KVA + 0x1f0000, 0x5000000, 0x11000, 0), (uint64_t)PGTABLE_EEXIST);
	for (uint64_t off = 0x1f0000; off < 0x200000; off += PAGE_SIZE)
		EXPECTF(unmapped(&pt, KVA + off), "page %#llx", (unsigned long long)off);
	EXPECT(mapped_as(&pt, KVA + 0x200000, 0x7100000, PTE_P));

	/* After the rollback the same range can be mapped cleanly around the existing page. */
	EXPECT(map(&pt, KVA, 0x5000000, 2 * PAGE_SIZE, PTE_W) == PGTABLE_OK);
	EXPECT(mapped_as(&pt, KVA + PAGE_SIZE, 0x5001000, PTE_P | PTE_W));
}

UNIT_TEST(pgtable_enomem_rolls_back)
{
	struct pgtable pt;
	struct fake_alloc a;

	/* Root + PDPT + PD + PT for the first page; the second page needs another PT. */
	pt_setup(&pt, &a, 4, PTE_NX);
	EXPECT_EQ_U64(map(&pt, UVA + 0x1ff000, 0x5000000, 2 * PAGE_SIZE, PTE_W),
		      (uint64_t)PGTABLE_ENOMEM);
	EXPECT(unmapped(&pt, UVA + 0x1ff000));
	EXPECT(unmapped(&pt, UVA + 0x200000));
	/* With nothing to allocate at all. */
	pt_setup(&pt, &a, 1, PTE_NX);
	EXPECT_EQ_U64(map(&pt, KVA, 0x5000000, PAGE_SIZE, 0), (uint64_t)PGTABLE_ENOMEM);
	EXPECT(unmapped(&pt, KVA));

	/*
	 * A range over three page tables, two page directories and two PDPTs (it crosses a
	 * 512 GiB boundary), failing after every possible number of allocations.
	 */
	for (unsigned int limit = 1; limit <= 12; limit++) {
		const uint64_t base = 0x0000008000000000ull - 0x201000; /* below 512 GiB */
		const uint64_t size = 0x203000;
		int err = 0;

		pt_setup(&pt, &a, limit, PTE_NX);
		err = map(&pt, base, 0x5000000, size, PTE_W);
		/* Root, PDPT, PD and PT for the first page, a PT, then PDPT, PD and PT again. */
		EXPECTF((err == PGTABLE_OK) == (limit >= 8), "limit %u: err %d", limit, err);
		if (err == PGTABLE_OK) {
			for (uint64_t off = 0; off < size; off += PAGE_SIZE)
				EXPECT(mapped_as(&pt, base + off, 0x5000000 + off, PTE_P | PTE_W));
			continue;
		}
		EXPECTF(err == PGTABLE_ENOMEM, "limit %u: err %d", limit, err);
		for (uint64_t off = 0; off < size; off += PAGE_SIZE)
			EXPECTF(unmapped(&pt, base + off), "limit %u page %#llx", limit,
				(unsigned long long)off);
	}
}

UNIT_TEST(pgtable_unmap_all_or_nothing)
{
	struct pgtable pt;
	struct fake_alloc a;

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	ASSERT(map(&pt, KVA, 0x5000000, 2 * PAGE_SIZE, PTE_W) == PGTABLE_OK);
	ASSERT(map(&pt, KVA + 3 * PAGE_SIZE, 0x5003000, PAGE_SIZE, PTE_W) == PGTABLE_OK);
	EXPECT_EQ_U64(unmap(&pt, KVA, 4 * PAGE_SIZE), (uint64_t)PGTABLE_ENOENT);
	EXPECT(mapped_as(&pt, KVA, 0x5000000, PTE_P | PTE_W));
	EXPECT(mapped_as(&pt, KVA + PAGE_SIZE, 0x5001000, PTE_P | PTE_W));
	EXPECT(mapped_as(&pt, KVA + 3 * PAGE_SIZE, 0x5003000, PTE_P | PTE_W));

	/* A hole made of a missing page table rather than a missing entry. */
	ASSERT(map(&pt, KVA + 0x1ff000, 0x51ff000, PAGE_SIZE, 0) == PGTABLE_OK);
	EXPECT_EQ_U64(unmap(&pt, KVA + 0x1ff000, 2 * PAGE_SIZE), (uint64_t)PGTABLE_ENOENT);
	EXPECT(mapped_as(&pt, KVA + 0x1ff000, 0x51ff000, PTE_P));
	EXPECT_EQ_U64(unmap(&pt, UVA, PAGE_SIZE), (uint64_t)PGTABLE_ENOENT);

	/* Unmapping what is there works, once. */
	EXPECT(unmap(&pt, KVA, 2 * PAGE_SIZE) == PGTABLE_OK);
	EXPECT(unmapped(&pt, KVA));
	EXPECT(unmapped(&pt, KVA + PAGE_SIZE));
	EXPECT(mapped_as(&pt, KVA + 3 * PAGE_SIZE, 0x5003000, PTE_P | PTE_W));
	EXPECT_EQ_U64(unmap(&pt, KVA, PAGE_SIZE), (uint64_t)PGTABLE_ENOENT);
	/* Unmap never allocates. */
	EXPECT_EQ_U64(a.used, 4);
}

UNIT_TEST(pgtable_user_bit_on_intermediates)
{
	struct pgtable pt;
	struct fake_alloc a;

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	ASSERT(map(&pt, KVA, 0x5000000, PAGE_SIZE, PTE_W) == PGTABLE_OK);
	ASSERT(map(&pt, UVA, 0x6000000, PAGE_SIZE, PTE_W | PTE_U) == PGTABLE_OK);
	for (int level = 3; level >= 1; level--) {
		uint64_t k = entry_at(&pt, KVA, level);
		uint64_t u = entry_at(&pt, UVA, level);

		EXPECTF((k & (PTE_P | PTE_W | PTE_U)) == (PTE_P | PTE_W), "kernel level %d: %#llx",
			level, (unsigned long long)k);
		EXPECTF((u & (PTE_P | PTE_W | PTE_U)) == (PTE_P | PTE_W | PTE_U),
			"user level %d: %#llx", level, (unsigned long long)u);
		EXPECT((k & PTE_NX) == 0 && (u & PTE_NX) == 0);
	}
	EXPECT(mapped_as(&pt, UVA, 0x6000000, PTE_P | PTE_W | PTE_U));
	/* A user page added under existing kernel-only tables marks the path to it user. */
	ASSERT(map(&pt, KVA + PAGE_SIZE, 0x5001000, PAGE_SIZE, PTE_U) == PGTABLE_OK);
	for (int level = 3; level >= 1; level--)
		EXPECTF(entry_at(&pt, KVA, level) & PTE_U, "level %d", level);
	EXPECT(mapped_as(&pt, KVA, 0x5000000, PTE_P | PTE_W));
}

UNIT_TEST(pgtable_large_pages_by_hand)
{
	struct pgtable pt;
	struct fake_alloc a;
	uint64_t pa = 0;
	uint64_t f = 0;
	uint64_t *pd = NULL;
	uint64_t *pdpt = NULL;
	const uint64_t big = KVA + 0x200000; /* the next 2 MiB slot in the same PD */

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	ASSERT(map(&pt, KVA, 0x5000000, PAGE_SIZE, PTE_W) == PGTABLE_OK);
	pd = pt.table_va(pa_init(entry_at(&pt, KVA, 2) & PTE_ADDR_MASK));
	pd[pt_index(big, 1)] = 0x40000000ull | PTE_P | PTE_W | PTE_PS | PTE_NX;

	EXPECT_EQ_U64(xlate(&pt, big + 0x12345, &pa, &f), PGTABLE_OK);
	EXPECT_EQ_U64(pa, 0x40012345);
	EXPECT_EQ_U64(f, PTE_P | PTE_W | PTE_PS | PTE_NX);
	EXPECT_EQ_U64(xlate(&pt, big + 0x1fffff, &pa, &f), PGTABLE_OK);
	EXPECT_EQ_U64(pa, 0x401fffff);
	/* The small page next to it is unaffected. */
	EXPECT(mapped_as(&pt, KVA, 0x5000000, PTE_P | PTE_W | 0));

	/* Mapping or unmapping 4 KiB inside the large page is refused and changes nothing. */
	EXPECT_EQ_U64(map(&pt, big + 0x3000, 0x6000000, PAGE_SIZE, 0), (uint64_t)PGTABLE_EEXIST);
	EXPECT(unmap(&pt, big + 0x3000, PAGE_SIZE) != PGTABLE_OK);
	EXPECT_EQ_U64(pd[pt_index(big, 1)], 0x40000000ull | PTE_P | PTE_W | PTE_PS | PTE_NX);
	/* A range running from small pages into the large one rolls back. */
	EXPECT_EQ_U64(map(&pt, big - 0x2000, 0x6000000, 0x3000, 0), (uint64_t)PGTABLE_EEXIST);
	EXPECT(unmapped(&pt, big - 0x2000));
	EXPECT(unmapped(&pt, big - 0x1000));

	/* A 1 GiB page in the PDPT. */
	pdpt = pt.table_va(pa_init(entry_at(&pt, KVA, 3) & PTE_ADDR_MASK));
	ASSERT(pt_index(KVA, 2) != 0);
	pdpt[0] = 0x80000000ull | PTE_P | PTE_PS;
	{
		uint64_t gva = KVA & ~((1ull << 39) - 1); /* PDPT slot 0 of KVA's PML4 slot */

		EXPECT_EQ_U64(xlate(&pt, gva + 0x3456789, &pa, &f), PGTABLE_OK);
		EXPECT_EQ_U64(pa, 0x83456789);
		EXPECT_EQ_U64(f, PTE_P | PTE_PS);
		EXPECT_EQ_U64(map(&pt, gva + 0x1000, 0x6000000, PAGE_SIZE, 0),
			      (uint64_t)PGTABLE_EEXIST);
	}
	/* Address bits below the large-page alignment (PAT for 2 MiB) are not part of the PA. */
	pd[pt_index(big, 1)] = 0x40000000ull | (1ull << 12) | PTE_P | PTE_PS;
	EXPECT_EQ_U64(xlate(&pt, big + 0x10, &pa, &f), PGTABLE_OK);
	EXPECT_EQ_U64(pa, 0x40000010);
}

/* 2 MiB pages: mapped with PTE_PS, translated, unmapped only whole, refused over tables. */
UNIT_TEST(pgtable_large_pages)
{
	struct pgtable pt;
	struct fake_alloc a;
	uint64_t pa = 0;
	uint64_t f = 0;
	const uint64_t base = KVA + 0x400000; /* 2 MiB aligned, PD slot 2 */

	pt_setup(&pt, &a, ARENA_PAGES, PTE_NX);
	EXPECT_EQ_U64(map(&pt, base + 0x1000, 0x40000000, 0x200000, PTE_PS),
		      (uint64_t)PGTABLE_EINVAL);
	EXPECT_EQ_U64(map(&pt, base, 0x40001000, 0x200000, PTE_PS), (uint64_t)PGTABLE_EINVAL);
	EXPECT_EQ_U64(map(&pt, base, 0x40000000, 0x1000, PTE_PS), (uint64_t)PGTABLE_EINVAL);
	ASSERT(map(&pt, base, 0x40000000, 0x400000, PTE_PS | PTE_W | PTE_NX) == PGTABLE_OK);
	EXPECT_EQ_U64(xlate(&pt, base + 0x212345, &pa, &f), PGTABLE_OK);
	EXPECT_EQ_U64(pa, 0x40212345);
	EXPECT_EQ_U64(f, PTE_P | PTE_W | PTE_PS | PTE_NX);
	/* Splitting a large page is refused; a whole one can go. */
	EXPECT_EQ_U64(unmap(&pt, base + 0x1000, 0x1000), (uint64_t)PGTABLE_EINVAL);
	EXPECT_EQ_U64(unmap(&pt, base, 0x300000), (uint64_t)PGTABLE_EINVAL);
	EXPECT_EQ_U64(xlate(&pt, base + 0x200000, &pa, &f), PGTABLE_OK);
	ASSERT(unmap(&pt, base + 0x200000, 0x200000) == PGTABLE_OK);
	EXPECT(unmapped(&pt, base + 0x200000));
	EXPECT_EQ_U64(xlate(&pt, base, &pa, &f), PGTABLE_OK);
	/* A 2 MiB map over a slot that already has a page table, or a 4 KiB page, fails whole. */
	ASSERT(map(&pt, base + 0x600000, 0x7000000, 0x1000, PTE_W) == PGTABLE_OK);
	EXPECT_EQ_U64(map(&pt, base + 0x200000, 0x50000000, 0x600000, PTE_PS),
		      (uint64_t)PGTABLE_EEXIST);
	EXPECT(unmapped(&pt, base + 0x200000));
	EXPECT(unmapped(&pt, base + 0x400000));
	EXPECT(mapped_as(&pt, base + 0x600000, 0x7000000, PTE_P | PTE_W));
	/* Mixed unmap across a large page and small pages. */
	ASSERT(map(&pt, base + 0x200000, 0x50000000, 0x200000, PTE_PS) == PGTABLE_OK);
	EXPECT_EQ_U64(unmap(&pt, base, 0x400000), (uint64_t)PGTABLE_OK);
	EXPECT(unmapped(&pt, base));
	EXPECT(unmapped(&pt, base + 0x200000));
}

/* Random map/unmap over two small windows (user and kernel) against a per-page model. */
#define WPAGES 768u

struct model_page {
	bool mapped;
	uint64_t pa;
	uint64_t flags;
};

static uint64_t page_va(unsigned int i)
{
	/* Window 0 straddles a 1 GiB boundary; window 1 is in the kernel half. */
	return i < WPAGES / 2 ? 0x00000000bff00000ull + (uint64_t)i * PAGE_SIZE
			      : KVA - 0x100000 + (uint64_t)(i - WPAGES / 2) * PAGE_SIZE;
}

static void random_ops(uint64_t nx)
{
	static struct model_page model[WPAGES];
	static const uint64_t choices[] = {PTE_W, PTE_U,  PTE_PWT, PTE_PCD,
					   PTE_G, PTE_NX, PTE_A,   PTE_D};
	struct pgtable pt;
	struct fake_alloc a;

	memset(model, 0, sizeof(model));
	pt_setup(&pt, &a, ARENA_PAGES, nx);
	for (int op = 0; op < 6000; op++) {
		uint64_t r = unit_rand64();
		unsigned int half = (r & 1) ? WPAGES / 2 : 0;
		unsigned int n = 1 + (unsigned int)((r >> 1) % 12);
		unsigned int start = half + (unsigned int)((r >> 8) % (WPAGES / 2 - n + 1));
		bool any = false;
		bool all = true;
		int err = 0;

		for (unsigned int i = start; i < start + n; i++) {
			any |= model[i].mapped;
			all &= model[i].mapped;
		}
		if ((r >> 32) % 5 < 3) {
			uint64_t pa = ((r >> 40) % 0x100000) * PAGE_SIZE;
			uint64_t flags = 0;

			for (unsigned int b = 0; b < 8; b++)
				if (unit_rand64() & 1)
					flags |= choices[b];
			err = map(&pt, page_va(start), pa, (uint64_t)n * PAGE_SIZE, flags);
			flags = (flags & ~PTE_NX) | (flags & nx) | PTE_P;
			if (!EXPECTF(err == (any ? PGTABLE_EEXIST : PGTABLE_OK),
				     "op %d map %u+%u: err %d", op, start, n, err))
				break;
			for (unsigned int i = start; i < start + n && !any; i++)
				model[i] = (struct model_page){true, pa + (i - start) * PAGE_SIZE,
							       flags};
		} else {
			err = unmap(&pt, page_va(start), (uint64_t)n * PAGE_SIZE);
			if (!EXPECTF(err == (all ? PGTABLE_OK : PGTABLE_ENOENT),
				     "op %d unmap %u+%u: err %d", op, start, n, err))
				break;
			for (unsigned int i = start; i < start + n && all; i++)
				model[i].mapped = false;
		}
		/* Spot-check the neighbourhood of the change. */
		for (unsigned int i = start > 2 ? start - 2 : 0; i < start + n + 2 && i < WPAGES;
		     i++) {
			if (model[i].mapped)
				EXPECTF(mapped_as(&pt, page_va(i), model[i].pa, model[i].flags),
					"op %d page %u", op, i);
			else
				EXPECTF(unmapped(&pt, page_va(i)), "op %d page %u", op, i);
		}
	}
	for (unsigned int i = 0; i < WPAGES; i++) {
		if (model[i].mapped)
			EXPECTF(mapped_as(&pt, page_va(i), model[i].pa, model[i].flags), "page %u",
				i);
		else
			EXPECTF(unmapped(&pt, page_va(i)), "page %u", i);
	}
}

UNIT_TEST(pgtable_random_vs_model)
{
	random_ops(PTE_NX);
}

UNIT_TEST(pgtable_random_vs_model_no_nx)
{
	random_ops(0);
}
