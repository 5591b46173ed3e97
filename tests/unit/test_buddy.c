/* SPDX-License-Identifier: MIT */
/*
 * kernel/mm/buddy.c on the host: release into maximal blocks, splitting and merging, page
 * info, every misuse reported with the allocator unchanged, fragmentation, and long random
 * alloc/free sequences against a model (which page belongs to which live block) that also
 * decides exactly when an allocation must fail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <copra/buddy.h>

struct violations {
	unsigned count;
	const char *what;
	uint64_t page;
	unsigned order;
};

static void record_violation(void *ctx, const char *what, uint64_t page, unsigned order)
{
	struct violations *v = ctx;

	v->count++;
	v->what = what;
	v->page = page;
	v->order = order;
}

/* An allocator over npages with its metadata on the heap, optionally all released. */
struct fixture {
	struct buddy b;
	struct buddy_page *meta;
	struct violations v;
};

static void fx_setup(struct fixture *f, uint64_t npages, bool release)
{
	memset(f, 0, sizeof(*f));
	f->meta = malloc(buddy_meta_bytes(npages) + 1);
	ASSERT(f->meta);
	buddy_init(&f->b, f->meta, npages, record_violation, &f->v);
	if (release)
		buddy_release(&f->b, 0, npages);
	ASSERT(f->v.count == 0);
}

static void fx_teardown(struct fixture *f)
{
	free(f->meta);
	f->meta = NULL;
}

/* Free blocks per order after releasing [first, end) into an empty allocator: greedy fit. */
static void greedy_blocks(uint64_t first, uint64_t end, uint64_t counts[BUDDY_NORDERS])
{
	memset(counts, 0, sizeof(uint64_t) * BUDDY_NORDERS);
	while (first < end) {
		unsigned o = 0;

		while (o < BUDDY_MAX_ORDER && first % (2ull << o) == 0 &&
		       end - first >= (2ull << o))
			o++;
		counts[o]++;
		first += 1ull << o;
	}
}

static bool blocks_equal(const struct buddy *b, const uint64_t counts[BUDDY_NORDERS])
{
	bool ok = true;

	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		ok &= EXPECTF(buddy_free_blocks(b, o) == counts[o],
			      "order %u: %llu free, expected %llu", o,
			      (unsigned long long)buddy_free_blocks(b, o),
			      (unsigned long long)counts[o]);
	return ok;
}

/* Snapshot of everything the allocator owns, to prove a refused call changed nothing. */
struct snapshot {
	struct buddy b;
	struct buddy_page *meta;
	size_t bytes;
};

static void snap_take(struct snapshot *s, const struct fixture *f)
{
	s->b = f->b;
	s->bytes = buddy_meta_bytes(f->b.npages);
	s->meta = malloc(s->bytes + 1);
	ASSERT(s->meta);
	memcpy(s->meta, f->meta, s->bytes);
}

static bool snap_same(const struct snapshot *s, const struct fixture *f)
{
	return memcmp(&s->b, &f->b, sizeof(s->b)) == 0 && memcmp(s->meta, f->meta, s->bytes) == 0;
}

UNIT_TEST(buddy_meta_layout)
{
	EXPECT_EQ_U64(sizeof(struct buddy_page), 16);
	EXPECT_EQ_U64(offsetof(struct buddy_page, next), 0);
	EXPECT_EQ_U64(offsetof(struct buddy_page, prev), 4);
	EXPECT_EQ_U64(offsetof(struct buddy_page, owner_data), 8);
	EXPECT_EQ_U64(offsetof(struct buddy_page, owner), 12);
	EXPECT_EQ_U64(offsetof(struct buddy_page, state), 14);
	EXPECT_EQ_U64(offsetof(struct buddy_page, order), 15);
	EXPECT_EQ_U64(buddy_meta_bytes(0), 0);
	EXPECT_EQ_U64(buddy_meta_bytes(1000), 16000);
}

UNIT_TEST(buddy_init_all_reserved)
{
	struct fixture f;
	struct buddy_page_info info;
	uint64_t page = 77;

	fx_setup(&f, 700, false);
	EXPECT_EQ_U64(buddy_free_pages(&f.b), 0);
	for (unsigned o = 0; o < BUDDY_NORDERS; o++) {
		EXPECT_EQ_U64(buddy_free_blocks(&f.b, o), 0);
		EXPECT(!buddy_alloc(&f.b, o, &page));
	}
	EXPECT_EQ_U64(page, 77);
	EXPECT_EQ_U64(buddy_free_blocks(&f.b, BUDDY_NORDERS), 0);
	for (uint64_t i = 0; i < 700; i++) {
		ASSERT(buddy_page_info(&f.b, i, &info));
		EXPECT_EQ_U64(info.state, BUDDY_RESERVED);
		EXPECT_EQ_U64(info.head, i);
	}
	EXPECT(!buddy_page_info(&f.b, 700, &info));
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

UNIT_TEST(buddy_empty_and_single_page)
{
	struct fixture f;
	uint64_t page = 0;

	fx_setup(&f, 0, true);
	EXPECT(!buddy_alloc(&f.b, 0, &page));
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);

	fx_setup(&f, 1, true);
	EXPECT_EQ_U64(buddy_free_blocks(&f.b, 0), 1);
	EXPECT(!buddy_alloc(&f.b, 1, &page));
	ASSERT(buddy_alloc(&f.b, 0, &page));
	EXPECT_EQ_U64(page, 0);
	EXPECT(!buddy_alloc(&f.b, 0, &page));
	buddy_free(&f.b, 0, 0);
	EXPECT_EQ_U64(buddy_free_pages(&f.b), 1);
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/* Region sizes that are not powers of two nor multiples of 512, released whole or from an offset. */
UNIT_TEST(buddy_release_maximal_blocks)
{
	static const uint64_t sizes[] = {1, 3, 511, 512, 513, 1000, 1536, 2049, 4099};
	uint64_t want[BUDDY_NORDERS];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t n = sizes[i];
		struct fixture f;

		fx_setup(&f, n, true);
		greedy_blocks(0, n, want);
		EXPECTF(blocks_equal(&f.b, want), "npages %llu", (unsigned long long)n);
		EXPECT_EQ_U64(buddy_free_pages(&f.b), n);
		fx_teardown(&f);

		/* The same region with the first 3 pages kept reserved (e.g. metadata). */
		fx_setup(&f, n, false);
		buddy_release(&f.b, n > 3 ? 3 : n, n > 3 ? n - 3 : 0);
		greedy_blocks(n > 3 ? 3 : n, n, want);
		EXPECTF(blocks_equal(&f.b, want), "npages %llu from 3", (unsigned long long)n);
		EXPECT_EQ_U64(f.v.count, 0);
		fx_teardown(&f);
	}
}

/* Releasing one page at a time, in random order, merges into the same blocks as one release. */
UNIT_TEST(buddy_release_piecewise_merges)
{
	const uint64_t n = 1500;
	uint64_t want[BUDDY_NORDERS];
	uint64_t *order = malloc(n * sizeof(*order));
	struct fixture f;

	ASSERT(order);
	for (uint64_t i = 0; i < n; i++)
		order[i] = i;
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = unit_rand64() % (i + 1);
		uint64_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	fx_setup(&f, n, false);
	for (uint64_t i = 0; i < n; i++)
		buddy_release(&f.b, order[i], 1);
	greedy_blocks(0, n, want);
	EXPECT(blocks_equal(&f.b, want));
	EXPECT_EQ_U64(buddy_free_pages(&f.b), n);
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
	free(order);
}

UNIT_TEST(buddy_split_and_merge)
{
	struct fixture f;
	struct buddy_page_info info;
	uint64_t page = 0;
	uint64_t want[BUDDY_NORDERS];

	fx_setup(&f, 512, true);
	ASSERT(buddy_alloc(&f.b, 0, &page));
	EXPECT_EQ_U64(page, 0);
	/* One free block of each order 0..8 is left: 1, 2-3, 4-7, ... 256-511. */
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		EXPECT_EQ_U64(buddy_free_blocks(&f.b, o), 1);
	EXPECT_EQ_U64(buddy_free_blocks(&f.b, BUDDY_MAX_ORDER), 0);
	EXPECT_EQ_U64(buddy_free_pages(&f.b), 511);

	/* The next order-2 block is the free one at 4. */
	ASSERT(buddy_alloc(&f.b, 2, &page));
	EXPECT_EQ_U64(page, 4);
	ASSERT(buddy_page_info(&f.b, 6, &info));
	EXPECT_EQ_U64(info.state, BUDDY_ALLOC_TAIL);
	EXPECT_EQ_U64(info.head, 4);
	EXPECT_EQ_U64(info.order, 2);
	ASSERT(buddy_page_info(&f.b, 300, &info));
	EXPECT_EQ_U64(info.state, BUDDY_FREE_TAIL);
	EXPECT_EQ_U64(info.head, 256);
	EXPECT_EQ_U64(info.order, 8);

	buddy_free(&f.b, 0, 0);
	buddy_free(&f.b, 4, 2);
	greedy_blocks(0, 512, want);
	EXPECT(blocks_equal(&f.b, want));
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

UNIT_TEST(buddy_owner_fields)
{
	struct fixture f;
	struct buddy_page_info info;
	uint64_t page = 0;

	fx_setup(&f, 64, true);
	ASSERT(buddy_alloc(&f.b, 3, &page));
	ASSERT(buddy_page_info(&f.b, page, &info));
	EXPECT_EQ_U64(info.state, BUDDY_ALLOC_HEAD);
	EXPECT_EQ_U64(info.owner, BUDDY_OWNER_NONE);
	EXPECT(buddy_set_owner(&f.b, page, 0x1234, 0xdeadbeef));
	ASSERT(buddy_page_info(&f.b, page + 5, &info));
	EXPECT_EQ_U64(info.owner, 0x1234);
	EXPECT_EQ_U64(info.owner_data, 0xdeadbeef);
	EXPECT_EQ_U64(f.meta[page].owner, 0x1234);

	/* Only an allocated head can be claimed. */
	EXPECT(!buddy_set_owner(&f.b, page + 1, 1, 1));
	EXPECT(!buddy_set_owner(&f.b, 40, 1, 1));
	EXPECT(!buddy_set_owner(&f.b, 64, 1, 1));
	EXPECT_EQ_U64(f.v.count, 3);

	/* Free and allocate again: the owner starts at zero. */
	buddy_free(&f.b, page, 3);
	ASSERT(buddy_page_info(&f.b, page, &info));
	EXPECT_EQ_U64(info.owner, 0);
	ASSERT(buddy_alloc(&f.b, 3, &page));
	EXPECT_EQ_U64(f.meta[page].owner, 0);
	EXPECT_EQ_U64(f.meta[page].owner_data, 0);
	fx_teardown(&f);
}

/* Allocate every page, free every other: no order-1 block; free the rest: back to order 9. */
UNIT_TEST(buddy_fragmentation)
{
	struct fixture f;
	uint64_t page = 0;
	uint8_t seen[1024] = {0};
	uint64_t want[BUDDY_NORDERS];

	fx_setup(&f, 1024, true);
	for (unsigned i = 0; i < 1024; i++) {
		ASSERT(buddy_alloc(&f.b, 0, &page));
		ASSERT(page < 1024 && !seen[page]);
		seen[page] = 1;
	}
	EXPECT(!buddy_alloc(&f.b, 0, &page));
	for (uint64_t p = 0; p < 1024; p += 2)
		buddy_free(&f.b, p, 0);
	EXPECT_EQ_U64(buddy_free_pages(&f.b), 512);
	EXPECT_EQ_U64(buddy_free_blocks(&f.b, 0), 512);
	for (unsigned o = 1; o < BUDDY_NORDERS; o++) {
		EXPECT_EQ_U64(buddy_free_blocks(&f.b, o), 0);
		EXPECT(!buddy_alloc(&f.b, o, &page));
	}
	for (uint64_t p = 1; p < 1024; p += 2)
		buddy_free(&f.b, p, 0);
	greedy_blocks(0, 1024, want);
	EXPECT(blocks_equal(&f.b, want));
	EXPECT_EQ_U64(buddy_free_blocks(&f.b, BUDDY_MAX_ORDER), 2);
	ASSERT(buddy_alloc(&f.b, BUDDY_MAX_ORDER, &page));
	ASSERT(buddy_alloc(&f.b, BUDDY_MAX_ORDER, &page));
	EXPECT(!buddy_alloc(&f.b, 0, &page));
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/* Each misuse is reported once, with its page and order, and leaves every byte unchanged. */
UNIT_TEST(buddy_misuse_reported_state_unchanged)
{
	struct fixture f;
	struct snapshot s;
	uint64_t p0 = 0, p2 = 0, p9 = 0, dummy = 0;

	/* 1100 pages, the first 8 reserved; an order-0, an order-2 and an order-9 block live. */
	fx_setup(&f, 1100, false);
	buddy_release(&f.b, 8, 1092);
	ASSERT(buddy_alloc(&f.b, 0, &p0));
	ASSERT(buddy_alloc(&f.b, 2, &p2));
	ASSERT(buddy_alloc(&f.b, 9, &p9));
	buddy_free(&f.b, p0, 0);
	ASSERT(buddy_alloc(&f.b, 0, &p0)); /* the same page again, so p0 was freed once before */
	ASSERT(f.v.count == 0);
	snap_take(&s, &f);

#define MISUSE(call, want_page, want_order)                                                    \
	do {                                                                                   \
		unsigned before = f.v.count;                                                   \
		call;                                                                          \
		EXPECTF(f.v.count == before + 1, "%s: %u reports", #call, f.v.count - before); \
		EXPECTF(f.v.page == (want_page) && f.v.order == (want_order),                  \
			"%s: page %llu order %u (%s)", #call, (unsigned long long)f.v.page,    \
			f.v.order, f.v.what ? f.v.what : "-");                                 \
		EXPECTF(snap_same(&s, &f), "%s changed the allocator", #call);                 \
	} while (0)

	/* Free a free block (double free): first take a free page from the lists. */
	uint64_t free_page = f.b.free_head[0] != BUDDY_NONE ? f.b.free_head[0] : f.b.free_head[3];
	MISUSE(buddy_free(&f.b, free_page, 0), free_page, 0);
	MISUSE(buddy_free(&f.b, 0, 0), 0, 0);			 /* reserved */
	MISUSE(buddy_free(&f.b, 7, 0), 7, 0);			 /* reserved */
	MISUSE(buddy_free(&f.b, p2 + 1, 0), p2 + 1, 0);		 /* tail page */
	MISUSE(buddy_free(&f.b, p9 + 256, 8), p9 + 256, 8);	 /* tail page, aligned */
	MISUSE(buddy_free(&f.b, p2, 1), p2, 1);			 /* wrong order, smaller */
	MISUSE(buddy_free(&f.b, p2, 3), p2, 3);			 /* wrong order, larger */
	MISUSE(buddy_free(&f.b, p0, 1), p0, 1);			 /* misaligned or wrong */
	MISUSE(buddy_free(&f.b, p2 + 2, 1), p2 + 2, 1);		 /* inside a block */
	MISUSE(buddy_free(&f.b, 1100, 0), 1100, 0);		 /* out of range */
	MISUSE(buddy_free(&f.b, ~0ull, 0), ~0ull, 0);		 /* far out of range */
	MISUSE(buddy_free(&f.b, 1096, 3), 1096, 3);		 /* runs past the end */
	MISUSE(buddy_free(&f.b, 3, 2), 3, 2);			 /* misaligned */
	MISUSE(buddy_free(&f.b, p9, 10), p9, 10);		 /* order too large */
	MISUSE(buddy_alloc(&f.b, 10, &dummy), 0, 10);		 /* order too large */
	MISUSE(buddy_release(&f.b, 4, 8), 8, 0);		 /* page 8 is not reserved */
	MISUSE(buddy_release(&f.b, 1095, 10), 1095, 0);		 /* past the end */
	MISUSE(buddy_release(&f.b, ~0ull - 1, 4), ~0ull - 1, 0); /* wraps */
	MISUSE(buddy_set_owner(&f.b, p2 + 1, 1, 1), p2 + 1, 0);	 /* tail */
#undef MISUSE

	/* The legitimate frees still work afterwards. */
	buddy_free(&f.b, p0, 0);
	buddy_free(&f.b, p2, 2);
	buddy_free(&f.b, p9, 9);
	EXPECT_EQ_U64(buddy_free_pages(&f.b), 1092);
	buddy_free(&f.b, p2, 2); /* now a double free */
	EXPECT_EQ_U64(f.v.page, p2);
	EXPECT_EQ_U64(buddy_free_pages(&f.b), 1092);
	free(s.meta);
	fx_teardown(&f);
}

/*
 * The model: owner[p] is 0 for a free page, the block's index + 1 for an allocated one, and
 * RESV for pages never released. A buddy with complete merging can serve order o exactly when
 * some 2^o-aligned run of 2^o model-free pages exists.
 */
#define RESV 0xffffffffu

struct model_block {
	uint64_t page;
	unsigned order;
};

static bool model_fits(const uint32_t *owner, uint64_t n, unsigned order)
{
	uint64_t size = 1ull << order;

	for (uint64_t a = 0; a + size <= n; a += size) {
		uint64_t i = 0;

		while (i < size && owner[a + i] == 0)
			i++;
		if (i == size)
			return true;
	}
	return false;
}

/* Every page's state and block agree with the model; the free count adds up. */
static void model_check(const struct fixture *f, const uint32_t *owner,
			const struct model_block *blocks, uint64_t n)
{
	uint64_t free_pages = 0, sum = 0;
	struct buddy_page_info info;

	for (uint64_t p = 0; p < n; p++) {
		ASSERT(buddy_page_info(&f->b, p, &info));
		if (owner[p] == RESV) {
			EXPECTF(info.state == BUDDY_RESERVED, "page %llu", (unsigned long long)p);
		} else if (owner[p] == 0) {
			free_pages++;
			EXPECTF(info.state == BUDDY_FREE_HEAD || info.state == BUDDY_FREE_TAIL,
				"page %llu state %u", (unsigned long long)p, info.state);
		} else {
			const struct model_block *m = &blocks[owner[p] - 1];

			EXPECTF(info.head == m->page && info.order == m->order &&
					info.state == (p == m->page ? BUDDY_ALLOC_HEAD
								    : BUDDY_ALLOC_TAIL),
				"page %llu: head %llu order %u, model %llu/%u",
				(unsigned long long)p, (unsigned long long)info.head, info.order,
				(unsigned long long)m->page, m->order);
		}
	}
	EXPECT_EQ_U64(buddy_free_pages(&f->b), free_pages);
	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		sum += buddy_free_blocks(&f->b, o) << o;
	EXPECT_EQ_U64(sum, free_pages);
}

/*
 * Random alloc/free against the model on a region with a reserved hole. Phases alternate
 * between mostly allocating (to run into exhaustion) and mostly freeing.
 */
static void random_run(uint64_t n, uint64_t hole_first, uint64_t hole_count, unsigned ops)
{
	struct fixture f;
	uint32_t *owner = calloc(n, sizeof(*owner));
	struct model_block *blocks = calloc(n, sizeof(*blocks));
	uint32_t *live = calloc(n, sizeof(*live)); /* indices of live blocks */
	uint32_t nlive = 0, nblocks = 0;
	uint64_t want[BUDDY_NORDERS];
	unsigned fails = 0;

	ASSERT(owner && blocks && live);
	fx_setup(&f, n, false);
	buddy_release(&f.b, 0, hole_first);
	buddy_release(&f.b, hole_first + hole_count, n - hole_first - hole_count);
	for (uint64_t p = hole_first; p < hole_first + hole_count; p++)
		owner[p] = RESV;

	for (unsigned op = 0; op < ops; op++) {
		bool alloc_phase = (op / 2000) % 2 == 0;
		bool do_alloc = nlive == 0 || unit_rand64() % 100 < (alloc_phase ? 75u : 25u);

		if (do_alloc) {
			/* Mostly small orders, sometimes large ones. */
			unsigned r = (unsigned)(unit_rand64() % 100);
			unsigned order = r < 60	  ? 0
					 : r < 90 ? (unsigned)(unit_rand64() % 4)
						  : (unsigned)(unit_rand64() % BUDDY_NORDERS);
			uint64_t page = ~0ull;
			bool fits = model_fits(owner, n, order);
			bool ok = buddy_alloc(&f.b, order, &page);

			ASSERT(EXPECTF(ok == fits, "op %u order %u: alloc %d, model %d", op, order,
				       ok, fits));
			if (!ok) {
				fails++;
				continue;
			}
			ASSERT(EXPECTF(page % (1ull << order) == 0 && page + (1ull << order) <= n,
				       "op %u: page %llu order %u", op, (unsigned long long)page,
				       order));
			ASSERT(nblocks < n);
			blocks[nblocks] = (struct model_block){page, order};
			for (uint64_t p = page; p < page + (1ull << order); p++) {
				ASSERT(EXPECTF(owner[p] == 0, "op %u: page %llu already %u", op,
					       (unsigned long long)p, owner[p]));
				owner[p] = nblocks + 1;
			}
			live[nlive++] = nblocks++;
		} else {
			uint32_t k = (uint32_t)(unit_rand64() % nlive);
			struct model_block *m = &blocks[live[k]];

			buddy_free(&f.b, m->page, m->order);
			for (uint64_t p = m->page; p < m->page + (1ull << m->order); p++)
				owner[p] = 0;
			live[k] = live[--nlive];
		}
		/* Block slots are reused once nothing points at them any more. */
		if (nlive == 0)
			nblocks = 0;
		if (op % 1000 == 0)
			model_check(&f, owner, blocks, n);
		if (nblocks == n) {
			/* Out of slots: compact by freeing everything. */
			while (nlive) {
				struct model_block *m = &blocks[live[--nlive]];

				buddy_free(&f.b, m->page, m->order);
				for (uint64_t p = m->page; p < m->page + (1ull << m->order); p++)
					owner[p] = 0;
			}
			nblocks = 0;
		}
	}
	model_check(&f, owner, blocks, n);
	EXPECTF(fails > 0, "the run never hit exhaustion");

	/* Free everything: back to the blocks of the initial release. */
	while (nlive) {
		struct model_block *m = &blocks[live[--nlive]];

		buddy_free(&f.b, m->page, m->order);
	}
	{
		uint64_t tail[BUDDY_NORDERS];

		greedy_blocks(0, hole_first, want);
		greedy_blocks(hole_first + hole_count, n, tail);
		for (unsigned o = 0; o < BUDDY_NORDERS; o++)
			want[o] += tail[o];
	}
	EXPECT(blocks_equal(&f.b, want));
	EXPECT_EQ_U64(buddy_free_pages(&f.b), n - hole_count);
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
	free(owner);
	free(blocks);
	free(live);
}

UNIT_TEST(buddy_random_vs_model)
{
	random_run(1000, 0, 0, 30000);
	random_run(1536, 700, 5, 20000);
	random_run(2053, 1, 2, 20000);
	random_run(517, 512, 3, 10000);
}
