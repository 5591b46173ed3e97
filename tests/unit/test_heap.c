/* SPDX-License-Identifier: MIT */
/*
 * kernel/mm/slab.c on the host: a heap over a malloc'd, 2 MiB aligned arena with its buddy
 * metadata inside the arena at the top. Covers size classes and alignment, slab caching and
 * trimming, exhaustion exactly when the buddy says nothing fits, every misuse reported with
 * the whole arena unchanged, and long random sequences that write a pattern over every byte
 * handed out and check it on free, with a shadow map that refuses any overlap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <copra/slab.h>

#define MIB (1024u * 1024u)

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

struct fixture {
	struct heap h;
	uint8_t *arena;
	size_t arena_bytes;
	uint64_t npages;
	uint64_t usable; /* pages released to the buddy */
	struct violations v;
};

/* A heap over npages with the metadata in the top heap_meta_pages(npages) pages. */
static void fx_setup(struct fixture *f, uint64_t npages)
{
	uint64_t mp = heap_meta_pages(npages);

	memset(f, 0, sizeof(*f));
	f->npages = npages;
	f->arena_bytes = (npages * BUDDY_PAGE_SIZE + 2 * MIB - 1) & ~(size_t)(2 * MIB - 1);
	f->arena = aligned_alloc(2 * MIB, f->arena_bytes);
	ASSERT(f->arena);
	memset(f->arena, 0x5a, f->arena_bytes);
	ASSERT(npages > mp);
	heap_init(&f->h, f->arena, npages,
		  (struct buddy_page *)(f->arena + (npages - mp) * BUDDY_PAGE_SIZE),
		  record_violation, &f->v);
	buddy_release(&f->h.buddy, 0, npages - mp);
	f->usable = npages - mp;
	ASSERT(f->v.count == 0);
}

static void fx_teardown(struct fixture *f)
{
	free(f->arena);
	f->arena = NULL;
}

static unsigned class_of(size_t size)
{
	unsigned c = 0;

	while ((32u << c) < size)
		c++;
	return c;
}

UNIT_TEST(heap_meta_pages_and_layout)
{
	struct fixture f;
	struct heap_stats st;

	EXPECT_EQ_U64(heap_meta_pages(0), 0);
	EXPECT_EQ_U64(heap_meta_pages(1), 1);
	EXPECT_EQ_U64(heap_meta_pages(256), 1);
	EXPECT_EQ_U64(heap_meta_pages(257), 2);
	EXPECT_EQ_U64(heap_meta_pages(4096), 16);

	fx_setup(&f, 1000);
	EXPECT_EQ_U64(heap_meta_pages(1000), 4);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.free_pages, 996);
	for (unsigned c = 0; c < SLAB_NCLASSES; c++) {
		EXPECT_EQ_U64(st.cls[c].size, 32u << c);
		EXPECT_EQ_U64(st.cls[c].in_use, 0);
		EXPECT_EQ_U64(st.cls[c].slabs, 0);
	}
	EXPECT_EQ_U64(st.record_pages, 0);
	fx_teardown(&f);
}

/* Every size maps to the smallest fitting class, aligned to it, inside the region. */
UNIT_TEST(heap_size_classes)
{
	struct fixture f;
	static const size_t sizes[] = {1,    2,	   15,	 16,   17,   31,    32,	  33,	48,
				       63,   64,   65,	 100,  128,  129,   255,  256,	257,
				       511,  512,  513,	 1000, 1024, 1025,  2047, 2048, 2049,
				       4095, 4096, 4097, 8192, 8193, 65536, 65537};

	fx_setup(&f, 600);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		uint8_t *p = heap_alloc(&f.h, size);
		size_t want = size <= SLAB_MAX_SIZE ? 32u << class_of(size) : 4096;
		size_t align = want;

		while (want < size)
			want *= 2;
		if (size > SLAB_MAX_SIZE)
			align = 4096;
		ASSERT(EXPECTF(p != NULL, "size %zu", size));
		EXPECTF(heap_usable_size(&f.h, p) == want, "size %zu: usable %zu, want %zu", size,
			heap_usable_size(&f.h, p), want);
		EXPECTF(((uintptr_t)p & (align - 1)) == 0, "size %zu at %p", size, (void *)p);
		EXPECT(p >= f.arena && p + size <= f.arena + f.usable * BUDDY_PAGE_SIZE);
		memset(p, 0xab, size);
		heap_free(&f.h, p);
	}
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

UNIT_TEST(heap_bad_sizes)
{
	struct fixture f;

	fx_setup(&f, 1100);
	EXPECT(heap_alloc(&f.h, 0) == NULL);
	EXPECT(heap_alloc(&f.h, HEAP_MAX_ALLOC + 1) == NULL);
	EXPECT(heap_alloc(&f.h, SIZE_MAX) == NULL);
	EXPECT(heap_alloc(&f.h, SIZE_MAX - 4095) == NULL);
	heap_free(&f.h, NULL);
	EXPECT_EQ_U64(f.v.count, 0);
	{
		void *p = heap_alloc(&f.h, HEAP_MAX_ALLOC);

		ASSERT(p);
		EXPECT(((uintptr_t)p & (2 * MIB - 1)) == 0);
		EXPECT_EQ_U64(heap_usable_size(&f.h, p), HEAP_MAX_ALLOC);
		memset(p, 1, HEAP_MAX_ALLOC);
		heap_free(&f.h, p);
	}
	EXPECT(heap_alloc_pages(&f.h, BUDDY_MAX_ORDER + 1) == NULL);
	EXPECT_EQ_U64(f.v.count, 1);
	EXPECT_EQ_U64(f.v.order, BUDDY_MAX_ORDER + 1);
	fx_teardown(&f);
}

/* One slab holds exactly 4096 / size objects, contiguous and distinct; one empty slab stays. */
UNIT_TEST(heap_slab_fill_and_cache)
{
	struct fixture f;
	struct heap_stats st;
	void *objs[129];

	fx_setup(&f, 64);
	for (unsigned c = 0; c < SLAB_NCLASSES; c++) {
		size_t size = 32u << c;
		unsigned per = 4096 / (unsigned)size;
		uint8_t *page = NULL;

		for (unsigned i = 0; i <= per; i++) {
			objs[i] = heap_alloc(&f.h, size);
			ASSERT(objs[i]);
		}
		/* The first `per` objects fill one page, the last one starts a second slab. */
		page = (uint8_t *)((uintptr_t)objs[0] & ~(uintptr_t)4095);
		for (unsigned i = 0; i < per; i++)
			EXPECTF(objs[i] == page + i * size, "class %zu object %u", size, i);
		EXPECT(((uintptr_t)objs[per] & 4095) == 0 && objs[per] != page);
		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.cls[c].in_use, per + 1);
		EXPECT_EQ_U64(st.cls[c].slabs, 2);
		EXPECT_EQ_U64(st.cls[c].free, per - 1);

		/* Free all: one empty slab is cached, the other page goes back to the buddy. */
		for (unsigned i = 0; i <= per; i++)
			heap_free(&f.h, objs[i]);
		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.cls[c].in_use, 0);
		EXPECT_EQ_U64(st.cls[c].slabs, 1);

		/* Alloc/free one object repeatedly: the cached slab is reused, nothing moves. */
		for (unsigned i = 0; i < 100; i++) {
			void *p = heap_alloc(&f.h, size);

			ASSERT(p);
			heap_free(&f.h, p);
		}
		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.cls[c].slabs, 1);
	}
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.record_pages, 1);
	EXPECT_EQ_U64(st.free_pages, f.usable - 1 - SLAB_NCLASSES);
	heap_trim(&f.h);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.record_pages, 0);
	EXPECT_EQ_U64(st.free_pages, f.usable);
	for (unsigned c = 0; c < SLAB_NCLASSES; c++)
		EXPECT_EQ_U64(st.cls[c].slabs, 0);
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/* More slabs than one record page describes: a second record page comes and goes. */
UNIT_TEST(heap_record_pages)
{
	struct fixture f;
	struct heap_stats st0, st;
	void *objs[2 * 200];

	fx_setup(&f, 300);
	heap_stats(&f.h, &st0);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = heap_alloc(&f.h, 2048);
		ASSERT(objs[i]);
	}
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.cls[6].slabs, 200);
	EXPECT_EQ_U64(st.record_pages, 2);
	EXPECT_EQ_U64(st.records_free, 2 * 128 - 200);
	EXPECT_EQ_U64(st.free_pages, f.usable - 202);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		heap_free(&f.h, objs[i]);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.cls[6].slabs, 1);
	/* The first record page describes the cached slab; the second is the spare. */
	EXPECT_EQ_U64(st.record_pages, 2);

	/* New slabs take records from the spare too: it is no longer spare and trim keeps it. */
	for (unsigned i = 0; i < 2 * 140; i++) {
		objs[i] = heap_alloc(&f.h, 2048);
		ASSERT(objs[i]);
	}
	heap_trim(&f.h);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.record_pages, 2);
	EXPECT_EQ_U64(st.cls[6].slabs, 140);
	EXPECT_EQ_U64(st.records_free, 2 * 128 - 140);
	for (unsigned i = 0; i < 2 * 140; i++)
		heap_free(&f.h, objs[i]);
	heap_trim(&f.h);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.record_pages, 0);
	EXPECT_EQ_U64(st.free_pages, f.usable);
	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		EXPECT_EQ_U64(st.free_blocks[o], st0.free_blocks[o]);
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/* Exhaustion: the exact number of 2048-byte objects fits, then NULL; a free makes room. */
UNIT_TEST(heap_oom_small)
{
	struct fixture f;
	void *objs[64];
	unsigned n = 0;

	fx_setup(&f, 21); /* 1 metadata page, 20 usable: 1 record page + 19 slabs of 2 */
	while (n < ARRAY_SIZE(objs) && (objs[n] = heap_alloc(&f.h, 2048)) != NULL)
		n++;
	EXPECT_EQ_U64(n, 38);
	EXPECT(heap_alloc(&f.h, 32) == NULL);
	EXPECT(heap_alloc(&f.h, 4096) == NULL);
	EXPECT(heap_alloc_pages(&f.h, 0) == NULL);
	heap_free(&f.h, objs[5]);
	EXPECT(heap_alloc(&f.h, 32) == NULL); /* the half-free slab is class 2048's */
	objs[5] = heap_alloc(&f.h, 2000);
	EXPECT(objs[5] != NULL);
	heap_free(&f.h, objs[5]);
	heap_free(&f.h, objs[4]); /* objects 4 and 5 share a slab, which is now empty and cached */
	EXPECT(heap_alloc(&f.h, 32) == NULL);
	heap_free(&f.h, objs[6]);
	heap_free(&f.h, objs[7]); /* a second empty slab: its page goes back */
	objs[4] = heap_alloc(&f.h, 32);
	EXPECT(objs[4] != NULL);
	EXPECT(heap_alloc_pages(&f.h, 0) == NULL);
	heap_free(&f.h, objs[4]);
	for (unsigned i = 8; i < n; i++)
		heap_free(&f.h, objs[i]);
	for (unsigned i = 0; i < 4; i++)
		heap_free(&f.h, objs[i]);
	heap_trim(&f.h);
	{
		struct heap_stats st;

		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.free_pages, 20);
	}
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/* A base that is not page aligned is refused and leaves an empty heap. */
UNIT_TEST(heap_init_misaligned_base)
{
	struct heap h;
	struct violations v = {0};
	struct buddy_page meta[4];
	static uint8_t region[5 * 4096];
	void *base = (void *)(((uintptr_t)region + 4095) & ~(uintptr_t)4095);

	heap_init(&h, (uint8_t *)base + 16, 4, meta, record_violation, &v);
	EXPECT_EQ_U64(v.count, 1);
	EXPECT_EQ_U64(v.page, (uintptr_t)base + 16);
	buddy_release(&h.buddy, 0, 4);
	EXPECT_EQ_U64(v.count, 2);
	EXPECT(heap_alloc(&h, 32) == NULL);
}

/* Snapshot of everything the heap owns: its struct and the whole arena (records, metadata). */
struct snapshot {
	struct heap h;
	uint8_t *arena;
};

static void snap_take(struct snapshot *s, const struct fixture *f)
{
	s->h = f->h;
	s->arena = malloc(f->arena_bytes);
	ASSERT(s->arena);
	memcpy(s->arena, f->arena, f->arena_bytes);
}

static bool snap_same(const struct snapshot *s, const struct fixture *f)
{
	return memcmp(&s->h, &f->h, sizeof(s->h)) == 0 &&
	       memcmp(s->arena, f->arena, f->arena_bytes) == 0;
}

UNIT_TEST(heap_misuse_reported_state_unchanged)
{
	struct fixture f;
	struct snapshot s;
	uint8_t *a64 = NULL, *b64 = NULL, *freed64 = NULL, *large = NULL, *pages = NULL;
	uint8_t *meta_page = NULL, *free_page = NULL, *rec_page = NULL;
	uint64_t local = 0;
	struct buddy_page_info info;

	fx_setup(&f, 1100);
	a64 = heap_alloc(&f.h, 64);
	b64 = heap_alloc(&f.h, 64);
	freed64 = heap_alloc(&f.h, 64);
	large = heap_alloc(&f.h, 3 * 4096); /* order 2 */
	pages = heap_alloc_pages(&f.h, 1);
	ASSERT(a64 && b64 && freed64 && large && pages);
	heap_free(&f.h, freed64);
	meta_page = f.arena + (f.npages - 1) * BUDDY_PAGE_SIZE;
	for (uint64_t p = 0; p < f.usable && !rec_page; p++) {
		ASSERT(buddy_page_info(&f.h.buddy, p, &info));
		if (info.state == BUDDY_ALLOC_HEAD && info.owner == HEAP_OWNER_SLABREC)
			rec_page = f.arena + p * BUDDY_PAGE_SIZE;
	}
	ASSERT(rec_page);
	ASSERT(f.h.buddy.free_head[BUDDY_MAX_ORDER] != BUDDY_NONE);
	free_page = f.arena + (uint64_t)f.h.buddy.free_head[BUDDY_MAX_ORDER] * BUDDY_PAGE_SIZE;
	ASSERT(f.v.count == 0);
	snap_take(&s, &f);

#define PG(p) ((uint64_t)((uint8_t *)(p)-f.arena) / BUDDY_PAGE_SIZE)
#define MISUSE(call, want_page)                                                                \
	do {                                                                                   \
		unsigned before = f.v.count;                                                   \
		call;                                                                          \
		EXPECTF(f.v.count == before + 1, "%s: %u reports", #call, f.v.count - before); \
		EXPECTF(f.v.page == (want_page), "%s: page %#llx (%s)", #call,                 \
			(unsigned long long)f.v.page, f.v.what ? f.v.what : "-");              \
		EXPECTF(snap_same(&s, &f), "%s changed the heap", #call);                      \
	} while (0)

	MISUSE(heap_free(&f.h, freed64), PG(freed64));	    /* double free */
	MISUSE(heap_free(&f.h, a64 + 8), PG(a64));	    /* inside an object */
	MISUSE(heap_free(&f.h, a64 + 32), PG(a64));	    /* 32-aligned, not 64 */
	MISUSE(heap_free(&f.h, &local), (uintptr_t)&local); /* outside the region */
	MISUSE(heap_free(&f.h, f.arena - 64), (uintptr_t)(f.arena - 64));
	MISUSE(heap_free(&f.h, f.arena + f.npages * 4096), (uintptr_t)(f.arena + f.npages * 4096));
	MISUSE(heap_free(&f.h, meta_page), f.npages - 1);  /* reserved metadata */
	MISUSE(heap_free(&f.h, free_page), PG(free_page)); /* free page */
	MISUSE(heap_free(&f.h, rec_page), PG(rec_page));   /* slab records */
	MISUSE(heap_free(&f.h, rec_page + 32), PG(rec_page));
	MISUSE(heap_free(&f.h, large + 4096), PG(large) + 1); /* tail page */
	MISUSE(heap_free(&f.h, large + 64), PG(large));	      /* not the start */
	MISUSE(heap_free(&f.h, pages), PG(pages));	      /* from heap_alloc_pages */
	MISUSE(heap_free_pages(&f.h, large, 2), PG(large));   /* from heap_alloc */
	MISUSE(heap_free_pages(&f.h, a64, 0), PG(a64));	      /* a slab object */
	MISUSE(heap_free_pages(&f.h, pages, 0), PG(pages));   /* wrong order */
	MISUSE(heap_free_pages(&f.h, pages, 2), PG(pages));   /* wrong order */
	MISUSE(heap_free_pages(&f.h, pages + 4096, 0), PG(pages) + 1);
	MISUSE(heap_free_pages(&f.h, free_page, 0), PG(free_page));
	MISUSE(heap_free_pages(&f.h, NULL, 0), 0);
	MISUSE(heap_usable_size(&f.h, freed64), PG(freed64));
	MISUSE(heap_usable_size(&f.h, a64 + 1), PG(a64));
	MISUSE(heap_alloc_pages(&f.h, 10), 0);
#undef MISUSE
#undef PG
	EXPECT_EQ_U64(heap_usable_size(&f.h, freed64), 0);

	/* The real frees still work, and a second free of each is caught. */
	heap_free(&f.h, a64);
	heap_free(&f.h, b64);
	heap_free(&f.h, large);
	heap_free_pages(&f.h, pages, 1);
	f.v.count = 0;
	heap_free(&f.h, a64);
	heap_free(&f.h, large);
	heap_free_pages(&f.h, pages, 1);
	EXPECT_EQ_U64(f.v.count, 3);
	heap_trim(&f.h);
	{
		struct heap_stats st;

		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.free_pages, f.usable);
	}
	free(s.arena);
	fx_teardown(&f);
}

/*
 * Random sequences against a model. Every live allocation owns its granules (32 bytes) in a
 * shadow map, so an overlap with another live one fails at once; every requested byte gets a
 * pattern derived from the allocation's serial number, checked on free.
 */
struct live {
	uint8_t *ptr;
	size_t size;	/* bytes requested (heap_alloc) or block bytes (pages) */
	size_t usable;	/* bytes owned */
	unsigned order; /* heap_alloc_pages order; ~0u for heap_alloc */
	uint32_t serial;
};

struct rmodel {
	struct fixture *f;
	uint32_t *shadow; /* serial + 1 of the owner of each 32-byte granule, 0 when free */
	struct live *live;
	unsigned nlive, cap;
	uint32_t serial;
	uint64_t class_live[SLAB_NCLASSES];
};

static uint8_t pattern(uint32_t serial, size_t i)
{
	return (uint8_t)(serial * 131u + (i >> 5) * 7u + i);
}

static void shadow_claim(struct rmodel *m, const struct live *l)
{
	size_t g0 = (size_t)(l->ptr - m->f->arena) / 32;

	for (size_t g = g0; g < g0 + l->usable / 32; g++) {
		ASSERT(EXPECTF(m->shadow[g] == 0, "granule %zu of serial %u already owned by %u", g,
			       l->serial, m->shadow[g] - 1));
		m->shadow[g] = l->serial + 1;
	}
}

static void shadow_release(struct rmodel *m, const struct live *l)
{
	size_t g0 = (size_t)(l->ptr - m->f->arena) / 32;

	for (size_t g = g0; g < g0 + l->usable / 32; g++)
		m->shadow[g] = 0;
}

/* A size: mostly small objects of every class, sometimes pages or multi-page blocks. */
static size_t random_size(void)
{
	unsigned r = (unsigned)(unit_rand64() % 1000);

	if (r < 850)
		return 1 + (size_t)(unit_rand64() % (32u << (unit_rand64() % SLAB_NCLASSES)));
	if (r < 990)
		return 2049 + (size_t)(unit_rand64() % (4 * 4096));
	return 1 + (size_t)(unit_rand64() % HEAP_MAX_ALLOC);
}

/* The heap can serve a block of `order` exactly when the buddy has one of that order or above. */
static bool buddy_fits(const struct heap_stats *st, unsigned order)
{
	for (unsigned o = order; o < BUDDY_NORDERS; o++)
		if (st->free_blocks[o])
			return true;
	return false;
}

static unsigned order_of(size_t size)
{
	unsigned o = 0;

	while ((4096ull << o) < size)
		o++;
	return o;
}

static void model_alloc(struct rmodel *m, unsigned op)
{
	struct heap *h = &m->f->h;
	struct heap_stats st;
	bool pages = unit_rand64() % 20 == 0;
	size_t size = pages ? 0 : random_size();
	unsigned order = pages ? (unsigned)(unit_rand64() % 4) : ~0u;
	bool fits = false;
	struct live l = {0};

	heap_stats(h, &st);
	if (pages) {
		fits = buddy_fits(&st, order);
		l.ptr = heap_alloc_pages(h, order);
		size = 4096ull << order;
		l.usable = size;
	} else if (size <= SLAB_MAX_SIZE) {
		unsigned c = class_of(size);

		fits = st.cls[c].free > 0 || st.free_pages >= (st.records_free ? 1u : 2u);
		l.ptr = heap_alloc(h, size);
		l.usable = 32u << c;
	} else {
		fits = buddy_fits(&st, order_of(size));
		l.ptr = heap_alloc(h, size);
		l.usable = 4096ull << order_of(size);
	}
	ASSERT(EXPECTF((l.ptr != NULL) == fits, "op %u size %zu order %d: got %p, model %d", op,
		       size, (int)order, (void *)l.ptr, fits));
	if (!l.ptr)
		return;
	l.size = size;
	l.order = order;
	l.serial = m->serial++;
	ASSERT(EXPECTF(heap_usable_size(h, l.ptr) == l.usable, "op %u: usable %zu, want %zu", op,
		       heap_usable_size(h, l.ptr), l.usable));
	ASSERT(((uintptr_t)l.ptr & ((l.usable < 4096 ? l.usable : 4096) - 1)) == 0);
	shadow_claim(m, &l);
	for (size_t i = 0; i < l.size; i++)
		l.ptr[i] = pattern(l.serial, i);
	if (order == ~0u && size <= SLAB_MAX_SIZE)
		m->class_live[class_of(size)]++;
	ASSERT(m->nlive < m->cap);
	m->live[m->nlive++] = l;
}

static void model_free(struct rmodel *m, unsigned k, unsigned op)
{
	struct live l = m->live[k];
	size_t bad = SIZE_MAX;

	for (size_t i = 0; i < l.size && bad == SIZE_MAX; i++)
		if (l.ptr[i] != pattern(l.serial, i))
			bad = i;
	ASSERT(EXPECTF(bad == SIZE_MAX, "op %u: serial %u size %zu: byte %zu clobbered", op,
		       l.serial, l.size, bad));
	shadow_release(m, &l);
	if (l.order == ~0u) {
		heap_free(&m->f->h, l.ptr);
		if (l.size <= SLAB_MAX_SIZE)
			m->class_live[class_of(l.size)]--;
	} else {
		heap_free_pages(&m->f->h, l.ptr, l.order);
	}
	m->live[k] = m->live[--m->nlive];
}

/* Pages are all accounted for: free + slabs + record pages + large + page blocks. */
static void model_check(struct rmodel *m)
{
	struct heap_stats st;
	uint64_t held = 0, sum = 0;

	heap_stats(&m->f->h, &st);
	for (unsigned c = 0; c < SLAB_NCLASSES; c++) {
		EXPECT_EQ_U64(st.cls[c].in_use, m->class_live[c]);
		held += st.cls[c].slabs;
	}
	held += st.record_pages + st.large_pages + st.page_pages;
	EXPECT_EQ_U64(st.free_pages + held, m->f->usable);
	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		sum += st.free_blocks[o] << o;
	EXPECT_EQ_U64(sum, st.free_pages);
}

static void random_run(uint64_t npages, unsigned ops)
{
	struct fixture f;
	struct rmodel m = {0};
	struct heap_stats st0, st;
	unsigned fails = 0;

	fx_setup(&f, npages);
	heap_stats(&f.h, &st0);
	m.f = &f;
	m.shadow = calloc(npages * BUDDY_PAGE_SIZE / 32, sizeof(*m.shadow));
	m.cap = (unsigned)(npages * 128);
	m.live = calloc(m.cap, sizeof(*m.live));
	ASSERT(m.shadow && m.live);

	for (unsigned op = 0; op < ops; op++) {
		bool alloc_phase = (op / 3000) % 2 == 0;

		if (m.nlive == 0 || unit_rand64() % 100 < (alloc_phase ? 70u : 30u)) {
			unsigned before = m.nlive;

			model_alloc(&m, op);
			fails += m.nlive == before;
		} else {
			model_free(&m, (unsigned)(unit_rand64() % m.nlive), op);
		}
		if (op % 500 == 0)
			model_check(&m);
	}
	model_check(&m);
	EXPECTF(fails > 0, "the run never hit exhaustion");
	while (m.nlive)
		model_free(&m, m.nlive - 1, ops);
	model_check(&m);
	heap_trim(&f.h);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.free_pages, st0.free_pages);
	EXPECT_EQ_U64(st.record_pages, 0);
	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		EXPECTF(st.free_blocks[o] == st0.free_blocks[o],
			"order %u: %llu free, at start %llu", o,
			(unsigned long long)st.free_blocks[o],
			(unsigned long long)st0.free_blocks[o]);
	EXPECT_EQ_U64(f.v.count, 0);
	free(m.shadow);
	free(m.live);
	fx_teardown(&f);
}

UNIT_TEST(heap_random_vs_model)
{
	random_run(1100, 40000);
	random_run(777, 20000);
	random_run(2600, 20000);
}
