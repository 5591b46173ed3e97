/* SPDX-License-Identifier: MIT */
/*
 * kernel/mm/slab.c on the host: a heap over a malloc'd, 2 MiB aligned arena with its buddy
 * metadata inside the arena at the top. Covers size classes and alignment, slab caching and
 * trimming, exhaustion exactly when the buddy says nothing fits, every misuse reported with
 * the whole arena unchanged, and long random sequences that write a pattern over every byte
 * handed out and check it on free, with a shadow map that refuses any overlap. The per-CPU
 * caches run as several "CPUs" on one thread, with hooks that check the lock protocol: refill
 * and flush at their boundaries, frees on another CPU, misuse through any CPU, exhaustion only
 * once every cache is drained, and the random sequences again through random CPUs.
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

/*
 * The lock protocol of copra/slab.h (struct heap_sync), checked: the shared state is not taken
 * twice, a cache is never taken while the shared state or another cache is held, and every
 * unlock matches. The test plays the caller: it "holds" cache i around each per-CPU call.
 */
struct sync_check {
	bool shared;
	int held; /* cache index, -1: none */
	unsigned locks;
	unsigned errors;
	const char *error;
};

static void sync_error(struct sync_check *s, const char *what)
{
	s->errors++;
	s->error = what;
}

static void check_lock(void *ctx, unsigned who)
{
	struct sync_check *s = ctx;

	s->locks++;
	if (who == HEAP_SYNC_SHARED) {
		if (s->shared)
			sync_error(s, "shared state taken twice");
		s->shared = true;
		return;
	}
	if (s->shared)
		sync_error(s, "a cache taken while holding the shared state");
	if (s->held >= 0)
		sync_error(s, "two caches held at once");
	s->held = (int)who;
}

static void check_unlock(void *ctx, unsigned who)
{
	struct sync_check *s = ctx;

	if (who == HEAP_SYNC_SHARED) {
		if (!s->shared)
			sync_error(s, "shared state released but not held");
		s->shared = false;
		return;
	}
	if (s->held != (int)who)
		sync_error(s, "a cache released but not held");
	s->held = -1;
}

struct fixture {
	struct heap h;
	uint8_t *arena;
	size_t arena_bytes;
	uint64_t npages;
	uint64_t usable; /* pages released to the buddy */
	struct violations v;
	struct heap_cpu *cpus; /* fx_add_cpus */
	unsigned ncpus;
	struct sync_check sync;
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

/* Gives the heap n per-CPU caches with the checking hooks. */
static void fx_add_cpus(struct fixture *f, unsigned n)
{
	struct heap_sync hooks = {check_lock, check_unlock, &f->sync};

	f->cpus = calloc(n, sizeof(*f->cpus));
	ASSERT(f->cpus);
	f->ncpus = n;
	f->sync = (struct sync_check){.held = -1};
	heap_set_cpus(&f->h, f->cpus, n, &hooks);
}

static void fx_teardown(struct fixture *f)
{
	free(f->arena);
	free(f->cpus);
	f->arena = NULL;
	f->cpus = NULL;
}

/* Around every per-CPU call: the caller holds its cache; the call leaves the locks balanced. */
static void cpu_enter(struct fixture *f, unsigned cpu)
{
	ASSERT(cpu < f->ncpus);
	check_lock(&f->sync, cpu);
}

static void cpu_leave(struct fixture *f, unsigned cpu)
{
	check_unlock(&f->sync, cpu);
	ASSERT(EXPECTF(f->sync.errors == 0 && f->sync.held == -1 && !f->sync.shared,
		       "lock protocol: %s", f->sync.error ? f->sync.error : "unbalanced"));
}

static void *c_alloc(struct fixture *f, unsigned cpu, size_t size)
{
	void *p = NULL;

	cpu_enter(f, cpu);
	p = heap_cpu_alloc(&f->h, &f->cpus[cpu], size);
	cpu_leave(f, cpu);
	return p;
}

static void c_free(struct fixture *f, unsigned cpu, void *p)
{
	cpu_enter(f, cpu);
	heap_cpu_free(&f->h, &f->cpus[cpu], p);
	cpu_leave(f, cpu);
}

static void *c_alloc_pages(struct fixture *f, unsigned cpu, unsigned order)
{
	void *p = NULL;

	cpu_enter(f, cpu);
	p = heap_cpu_alloc_pages(&f->h, &f->cpus[cpu], order);
	cpu_leave(f, cpu);
	return p;
}

static void c_free_pages(struct fixture *f, unsigned cpu, void *p, unsigned order)
{
	cpu_enter(f, cpu);
	heap_cpu_free_pages(&f->h, &f->cpus[cpu], p, order);
	cpu_leave(f, cpu);
}

/* heap_reclaim from the owner of cache `cpu`, or (cpu >= ncpus) from a caller holding none. */
static void c_reclaim(struct fixture *f, unsigned cpu)
{
	if (cpu >= f->ncpus) {
		heap_reclaim(&f->h, NULL);
		ASSERT(f->sync.errors == 0 && f->sync.held == -1 && !f->sync.shared);
		return;
	}
	cpu_enter(f, cpu);
	heap_reclaim(&f->h, &f->cpus[cpu]);
	cpu_leave(f, cpu);
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

/* Snapshot of everything the heap owns: its struct, the whole arena, the per-CPU caches. */
struct snapshot {
	struct heap h;
	uint8_t *arena;
	struct heap_cpu *cpus;
};

static void snap_take(struct snapshot *s, const struct fixture *f)
{
	s->h = f->h;
	s->arena = malloc(f->arena_bytes);
	ASSERT(s->arena);
	memcpy(s->arena, f->arena, f->arena_bytes);
	s->cpus = NULL;
	if (f->ncpus) {
		s->cpus = malloc(f->ncpus * sizeof(*f->cpus));
		ASSERT(s->cpus);
		memcpy(s->cpus, f->cpus, f->ncpus * sizeof(*f->cpus));
	}
}

static bool snap_same(const struct snapshot *s, const struct fixture *f)
{
	return memcmp(&s->h, &f->h, sizeof(s->h)) == 0 &&
	       memcmp(s->arena, f->arena, f->arena_bytes) == 0 &&
	       (!f->ncpus || memcmp(s->cpus, f->cpus, f->ncpus * sizeof(*f->cpus)) == 0);
}

static void snap_drop(struct snapshot *s)
{
	free(s->arena);
	free(s->cpus);
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
	snap_drop(&s);
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

/* Whether an allocation of `size` (0: pages of `order`) fits what st describes. */
static bool model_fits(const struct heap_stats *st, size_t size, unsigned order)
{
	if (size == 0)
		return buddy_fits(st, order);
	if (size <= SLAB_MAX_SIZE)
		return st->cls[class_of(size)].free > 0 ||
		       st->free_pages >= (st->records_free ? 1u : 2u);
	return buddy_fits(st, order_of(size));
}

/*
 * Core calls must fail exactly when the model says nothing fits. Per-CPU calls (through a
 * random CPU) may succeed where the core would not, by draining the caches first; when they
 * fail, every cache has been drained and nothing fits any more.
 */
static void model_alloc(struct rmodel *m, unsigned op)
{
	struct fixture *f = m->f;
	struct heap *h = &f->h;
	struct heap_stats st;
	bool pages = unit_rand64() % 20 == 0;
	size_t size = pages ? 0 : random_size();
	unsigned order = pages ? (unsigned)(unit_rand64() % 4) : ~0u;
	unsigned cpu = f->ncpus ? (unsigned)(unit_rand64() % f->ncpus) : 0;
	bool fits = false;
	struct live l = {0};

	heap_stats(h, &st);
	fits = model_fits(&st, size, order);
	if (f->ncpus)
		l.ptr = pages ? c_alloc_pages(f, cpu, order) : c_alloc(f, cpu, size);
	else
		l.ptr = pages ? heap_alloc_pages(h, order) : heap_alloc(h, size);
	if (pages)
		l.usable = 4096ull << order;
	else if (size <= SLAB_MAX_SIZE)
		l.usable = 32u << class_of(size);
	else
		l.usable = 4096ull << order_of(size);
	if (f->ncpus && !l.ptr) {
		heap_stats(h, &st);
		for (unsigned c = 0; c < SLAB_NCLASSES; c++)
			EXPECTF(st.cls[c].cached == 0, "op %u: class %u keeps %llu cached", op, c,
				(unsigned long long)st.cls[c].cached);
		fits = model_fits(&st, size, order);
		ASSERT(EXPECTF(!fits, "op %u cpu %u size %zu order %d: NULL, but it fits", op, cpu,
			       size, (int)order));
		return;
	}
	if (!f->ncpus)
		ASSERT(EXPECTF((l.ptr != NULL) == fits, "op %u size %zu order %d: got %p, model %d",
			       op, size, (int)order, (void *)l.ptr, fits));
	if (!l.ptr)
		return;
	l.size = pages ? l.usable : size;
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
	if (m->f->ncpus) {
		unsigned cpu = (unsigned)(unit_rand64() % m->f->ncpus);

		if (l.order == ~0u)
			c_free(m->f, cpu, l.ptr);
		else
			c_free_pages(m->f, cpu, l.ptr, l.order);
	} else if (l.order == ~0u) {
		heap_free(&m->f->h, l.ptr);
	} else {
		heap_free_pages(&m->f->h, l.ptr, l.order);
	}
	if (l.order == ~0u && l.size <= SLAB_MAX_SIZE)
		m->class_live[class_of(l.size)]--;
	m->live[k] = m->live[--m->nlive];
}

/* Field by field: heap_class_stats has padding. */
static bool stats_equal(const struct heap_stats *a, const struct heap_stats *b)
{
	for (unsigned c = 0; c < SLAB_NCLASSES; c++)
		if (a->cls[c].in_use != b->cls[c].in_use || a->cls[c].slabs != b->cls[c].slabs ||
		    a->cls[c].free != b->cls[c].free || a->cls[c].cached != b->cls[c].cached)
			return false;
	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		if (a->free_blocks[o] != b->free_blocks[o])
			return false;
	return a->record_pages == b->record_pages && a->records_free == b->records_free &&
	       a->large_allocs == b->large_allocs && a->large_pages == b->large_pages &&
	       a->page_allocs == b->page_allocs && a->page_pages == b->page_pages &&
	       a->free_pages == b->free_pages;
}

/*
 * Frees the most recent live slab object through one CPU, then again through another: the
 * second free is reported and changes no counter.
 */
static void model_double_free(struct rmodel *m, unsigned op)
{
	struct fixture *f = m->f;
	struct heap_stats before, after;
	unsigned k = m->nlive;
	unsigned reports = f->v.count;
	uint8_t *p = NULL;

	while (k > 0 && (m->live[k - 1].order != ~0u || m->live[k - 1].size > SLAB_MAX_SIZE))
		k--;
	if (k == 0)
		return;
	p = m->live[k - 1].ptr;
	model_free(m, k - 1, op);
	heap_stats(&f->h, &before);
	c_free(f, (unsigned)(unit_rand64() % f->ncpus), p);
	heap_stats(&f->h, &after);
	EXPECTF(f->v.count == reports + 1, "op %u: double free of %p: %u reports", op, (void *)p,
		f->v.count - reports);
	EXPECTF(stats_equal(&before, &after), "op %u: double free changed stats", op);
	f->v.count = reports;
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

/* ncpus 0: core calls; otherwise per-CPU calls through random CPUs, reclaims, double frees. */
static void random_run(uint64_t npages, unsigned ops, unsigned ncpus)
{
	struct fixture f;
	struct rmodel m = {0};
	struct heap_stats st0, st;
	unsigned fails = 0;

	fx_setup(&f, npages);
	if (ncpus)
		fx_add_cpus(&f, ncpus);
	heap_stats(&f.h, &st0);
	m.f = &f;
	m.shadow = calloc(npages * BUDDY_PAGE_SIZE / 32, sizeof(*m.shadow));
	m.cap = (unsigned)(npages * 128);
	m.live = calloc(m.cap, sizeof(*m.live));
	ASSERT(m.shadow && m.live);

	for (unsigned op = 0; op < ops; op++) {
		bool alloc_phase = (op / 3000) % 2 == 0;
		unsigned r = (unsigned)(unit_rand64() % 1000);

		if (ncpus && r < 3) {
			c_reclaim(&f, (unsigned)(unit_rand64() % (ncpus + 1)));
		} else if (ncpus && r < 6) {
			model_double_free(&m, op);
		} else if (m.nlive == 0 || unit_rand64() % 100 < (alloc_phase ? 70u : 30u)) {
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
	if (ncpus)
		c_reclaim(&f, ncpus);
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
	random_run(1100, 40000, 0);
	random_run(777, 20000, 0);
	random_run(2600, 20000, 0);
}

/* The same through three and through five CPUs' caches (1024 objects of a class per CPU). */
UNIT_TEST(heap_cpu_random_vs_model)
{
	random_run(1100, 40000, 3);
	random_run(2600, 30000, 5);
}

/* Objects one refill brings (slab.c: a slab's worth, at least 8, at most half the magazine). */
static unsigned refill_of(unsigned c)
{
	unsigned n = 128u >> c < 8 ? 8 : 128u >> c;

	return n < HEAP_MAG_CAP(c) / 2 ? n : HEAP_MAG_CAP(c) / 2;
}

static uint64_t cached_total(struct fixture *f)
{
	struct heap_stats st;
	uint64_t n = 0;

	heap_stats(&f->h, &st);
	for (unsigned c = 0; c < SLAB_NCLASSES; c++)
		n += st.cls[c].cached;
	return n;
}

/*
 * One CPU, every class: a refill brings refill_of(c) objects, in address order within a slab;
 * frees fill the hot slot, then the magazine up to HEAP_MAG_CAP(c); the next free gives the
 * older half back to the slabs; allocations take the hot object, then the newest in the
 * magazine; an empty cache refills again; heap_reclaim empties it and every page comes back.
 */
UNIT_TEST(heap_cpu_refill_and_flush_boundaries)
{
	struct fixture f;
	struct heap_stats st;

	fx_setup(&f, 1100);
	fx_add_cpus(&f, 1);
	for (unsigned c = 0; c < SLAB_NCLASSES; c++) {
		size_t size = 32u << c;
		unsigned cap = HEAP_MAG_CAP(c);
		unsigned n = cap + 2;
		unsigned r = refill_of(c);
		unsigned left = cap - cap / 2 + 2; /* cached after the flush */
		uint64_t free_before = 0, slabs_before = 0;
		void **objs = calloc(n, sizeof(*objs));
		void **again = calloc(left + 1, sizeof(*again));

		ASSERT(objs && again);
		objs[0] = c_alloc(&f, 0, size - 1);
		ASSERT(objs[0]);
		heap_stats(&f.h, &st);
		EXPECTF(st.cls[c].cached == r - 1, "class %zu: %llu cached after the first refill",
			size, (unsigned long long)st.cls[c].cached);
		EXPECT_EQ_U64(st.cls[c].in_use, 1);
		for (unsigned i = 1; i < n; i++) {
			objs[i] = c_alloc(&f, 0, size);
			ASSERT(objs[i]);
			if (i < r && ((uintptr_t)objs[i] & ~(uintptr_t)4095) ==
					     ((uintptr_t)objs[i - 1] & ~(uintptr_t)4095))
				EXPECTF((uint8_t *)objs[i] == (uint8_t *)objs[i - 1] + size,
					"class %zu: object %u out of address order", size, i);
			if (i == r - 1)
				EXPECT_EQ_U64(cached_total(&f), 0);
			if (i == r) /* the second refill */
				EXPECT_EQ_U64(cached_total(&f), r - 1);
		}
		/* Start the frees from an empty cache. */
		c_reclaim(&f, 0);
		EXPECT_EQ_U64(cached_total(&f), 0);
		for (unsigned i = 0; i < cap + 1; i++) {
			c_free(&f, 0, objs[i]);
			EXPECT_EQ_U64(cached_total(&f), i + 1);
		}
		heap_stats(&f.h, &st);
		free_before = st.cls[c].free;
		slabs_before = st.cls[c].slabs;
		c_free(&f, 0, objs[cap + 1]); /* full: the older half goes back */
		heap_stats(&f.h, &st);
		EXPECTF(st.cls[c].cached == left, "class %zu: %llu cached after a flush", size,
			(unsigned long long)st.cls[c].cached);
		EXPECT_EQ_U64(st.cls[c].in_use, 0);
		/* the flushed half is free in its slabs, or went back with its emptied slab */
		EXPECT_EQ_U64(st.cls[c].free + st.cls[c].cached, st.cls[c].slabs * (4096 / size));
		EXPECT(st.cls[c].slabs < slabs_before || st.cls[c].free >= free_before + cap / 2);
		/* Hot first (the first object freed), then last in, first out. */
		for (unsigned i = 0; i < left; i++) {
			again[i] = c_alloc(&f, 0, size);
			ASSERT(again[i]);
		}
		EXPECT(again[0] == objs[0]);
		EXPECT(again[1] == objs[cap + 1]);
		EXPECT(again[2] == objs[cap]);
		EXPECT_EQ_U64(cached_total(&f), 0);
		again[left] = c_alloc(&f, 0, size); /* refills from the flushed objects */
		EXPECT(again[left] != NULL);
		EXPECT_EQ_U64(cached_total(&f), r - 1);
		for (unsigned i = 0; i <= left; i++)
			c_free(&f, 0, again[i]);
		c_reclaim(&f, 0);
		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.cls[c].cached, 0);
		EXPECT_EQ_U64(st.cls[c].in_use, 0);
		EXPECT_EQ_U64(st.cls[c].slabs, 0);
		EXPECT_EQ_U64(st.free_pages, f.usable);
		free(objs);
		free(again);
	}
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/*
 * Misuse through the per-CPU calls, with objects in every state a free can find them in: the
 * hot slot, a magazine, another CPU's cache, back in the slab. Each is reported once and
 * changes nothing (heap, arena, caches); the lock protocol holds on the refusing paths too.
 */
UNIT_TEST(heap_cpu_misuse_reported_state_unchanged)
{
	struct fixture f;
	struct snapshot s;
	struct heap_cpu foreign;
	uint8_t *a = NULL, *b = NULL, *in_slab = NULL, *keeper = NULL, *hot = NULL, *mag = NULL;
	uint8_t *other = NULL, *large = NULL, *pages = NULL, *rec_page = NULL, *free_page = NULL;
	uint8_t *fresh = NULL;
	uint64_t local = 0;
	unsigned reports = 0;
	struct buddy_page_info info;

	fx_setup(&f, 1100);
	fx_add_cpus(&f, 3);
	/* A 128-byte object back in its slab (kept by a live neighbour), a class not used below. */
	in_slab = c_alloc(&f, 0, 128);
	keeper = c_alloc(&f, 0, 128);
	ASSERT(in_slab && keeper);
	c_free(&f, 2, in_slab);
	c_reclaim(&f, 3);
	a = c_alloc(&f, 0, 64);
	b = c_alloc(&f, 0, 64);
	hot = c_alloc(&f, 0, 64);
	mag = c_alloc(&f, 0, 64);
	other = c_alloc(&f, 0, 64);
	large = c_alloc(&f, 0, 3 * 4096);
	pages = c_alloc_pages(&f, 0, 1);
	fresh = heap_alloc(&f.h, 256); /* its slab's other objects were never handed out */
	ASSERT(a && b && hot && mag && other && large && pages && fresh);
	/* Refills go out in address order: the next object is still in cpu 0's magazine. */
	ASSERT(b == a + 64 && other == a + 4 * 64 && ((uintptr_t)other & 4095) < 4096 - 64);
	c_free(&f, 0, hot);   /* cpu 0's hot slot was empty */
	c_free(&f, 0, mag);   /* into the magazine */
	c_free(&f, 1, other); /* cpu 1's hot slot */
	for (uint64_t p = 0; p < f.usable && !rec_page; p++) {
		ASSERT(buddy_page_info(&f.h.buddy, p, &info));
		if (info.state == BUDDY_ALLOC_HEAD && info.owner == HEAP_OWNER_SLABREC)
			rec_page = f.arena + p * BUDDY_PAGE_SIZE;
	}
	ASSERT(rec_page && f.h.buddy.free_head[BUDDY_MAX_ORDER] != BUDDY_NONE);
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

	for (unsigned cpu = 0; cpu < 3; cpu++) {
		MISUSE(c_free(&f, cpu, hot), PG(hot));
		MISUSE(c_free(&f, cpu, mag), PG(mag));
		MISUSE(c_free(&f, cpu, other), PG(other));
		MISUSE(c_free(&f, cpu, in_slab), PG(in_slab));
		MISUSE(c_free(&f, cpu, other + 64), PG(other));	 /* cached, never handed out */
		MISUSE(c_free(&f, cpu, fresh + 256), PG(fresh)); /* in a slab, never handed out */
	}
	MISUSE(heap_free(&f.h, mag), PG(mag)); /* the core call sees the caches too */
	MISUSE(heap_free(&f.h, other), PG(other));
	MISUSE(c_free(&f, 1, a + 8), PG(a));
	MISUSE(c_free(&f, 1, a + 32), PG(a));
	MISUSE(c_free(&f, 2, &local), (uintptr_t)&local);
	MISUSE(c_free(&f, 2, f.arena + f.npages * 4096), (uintptr_t)(f.arena + f.npages * 4096));
	MISUSE(c_free(&f, 0, f.arena + (f.npages - 1) * BUDDY_PAGE_SIZE), f.npages - 1);
	MISUSE(c_free(&f, 0, free_page), PG(free_page));
	MISUSE(c_free(&f, 0, rec_page + 64), PG(rec_page));
	MISUSE(c_free(&f, 0, large + 4096), PG(large) + 1);
	MISUSE(c_free(&f, 0, large + 64), PG(large));
	MISUSE(c_free(&f, 0, pages), PG(pages));
	MISUSE(c_free_pages(&f, 1, large, 2), PG(large));
	MISUSE(c_free_pages(&f, 1, a, 0), PG(a));
	MISUSE(c_free_pages(&f, 1, hot, 0), PG(hot));
	MISUSE(c_free_pages(&f, 1, pages, 0), PG(pages));
	MISUSE(c_alloc_pages(&f, 2, BUDDY_MAX_ORDER + 1), 0);
	MISUSE(heap_usable_size(&f.h, hot), PG(hot));
	MISUSE(heap_usable_size(&f.h, mag), PG(mag));
	MISUSE(heap_usable_size(&f.h, other), PG(other));
	MISUSE(heap_usable_size(&f.h, in_slab), PG(in_slab));
	/* A cache that is not one of the heap's, where a call needs to know which it is. */
	memset(&foreign, 0, sizeof(foreign));
	MISUSE(heap_reclaim(&f.h, &foreign), (uintptr_t)&foreign);
	MISUSE(heap_cpu_free(&f.h, &foreign, hot), (uintptr_t)&foreign);
#undef MISUSE
#undef PG
	/* Sizes from outside are no misuse: NULL, nothing reported. */
	reports = f.v.count;
	EXPECT(c_alloc(&f, 1, 0) == NULL && c_alloc(&f, 1, HEAP_MAX_ALLOC + 1) == NULL);
	EXPECT_EQ_U64(f.v.count, reports);

	/* A live object that happens to hold its tag value is freed normally, on any CPU. */
	{
		uint64_t word = HEAP_FREE_TAG ^ (uint64_t)(uintptr_t)b;
		unsigned before = f.v.count;

		memcpy(b + 8, &word, sizeof(word));
		c_free(&f, 2, b);
		EXPECT_EQ_U64(f.v.count, before);
		EXPECT(c_alloc(&f, 2, 64) == b);
		memcpy(b + 8, &word, sizeof(word));
		c_free(&f, 0, b);
		EXPECT_EQ_U64(f.v.count, before);
	}
	/* The real frees still work, and a second free of each is caught. */
	f.v.count = 0;
	c_free(&f, 0, keeper);
	c_free(&f, 1, fresh);
	c_free(&f, 1, a);
	c_free(&f, 2, large);
	c_free_pages(&f, 0, pages, 1);
	c_free(&f, 0, a);
	c_free(&f, 0, large);
	c_free_pages(&f, 2, pages, 1);
	EXPECT_EQ_U64(f.v.count, 3);
	c_reclaim(&f, 1);
	{
		struct heap_stats st;

		heap_stats(&f.h, &st);
		EXPECT_EQ_U64(st.free_pages, f.usable);
	}
	snap_drop(&s);
	fx_teardown(&f);
}

/*
 * Objects allocated on one CPU and freed on others land in the freeing CPU's cache and are
 * handed out there next; the accounting sees them as cached, not in use.
 */
UNIT_TEST(heap_cpu_frees_on_other_cpus)
{
	struct fixture f;
	struct heap_stats st;
	void *objs[300];
	void *p = NULL;

	fx_setup(&f, 1100);
	fx_add_cpus(&f, 4);
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = c_alloc(&f, 0, 100);
		ASSERT(objs[i]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(objs); i++)
		c_free(&f, 1 + i % 3, objs[i]);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.cls[2].in_use, 0);
	EXPECT_EQ_U64(st.cls[2].cached + st.cls[2].free, st.cls[2].slabs * 32);
	EXPECT(st.cls[2].cached >= ARRAY_SIZE(objs));
	/* cpu 2's hot object is objs[1], the first it freed; then its newest, objs[298]. */
	EXPECT(c_alloc(&f, 2, 128) == objs[1]);
	EXPECT(c_alloc(&f, 2, 97) == objs[298]);
	p = c_alloc(&f, 3, 128);
	EXPECT(p == objs[2]);
	c_free(&f, 0, p);
	c_free(&f, 0, objs[1]);
	c_free(&f, 0, objs[298]);
	c_reclaim(&f, 2);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.cls[2].cached, 0);
	EXPECT_EQ_U64(st.cls[2].in_use, 0);
	EXPECT_EQ_U64(st.free_pages, f.usable);
	EXPECT_EQ_U64(f.v.count, 0);
	fx_teardown(&f);
}

/* Allocates `size` through cpu until NULL; returns how many (kept in out[], up to max). */
static unsigned fill(struct fixture *f, unsigned cpu, size_t size, void **out, unsigned max)
{
	unsigned n = 0;
	void *p = NULL;

	while ((p = c_alloc(f, cpu, size)) != NULL) {
		ASSERT(n < max);
		out[n++] = p;
	}
	return n;
}

/*
 * The per-CPU calls fail only when the memory is really gone: objects and empty slabs held by
 * any CPU's cache are given back first. Exactly as many objects of each size fit after
 * another CPU's cache (and this CPU's other classes) held objects as on a fresh heap.
 */
UNIT_TEST(heap_cpu_exhaustion_drains_caches)
{
	struct fixture f, fresh;
	struct heap_stats st;
	unsigned max = 64 * 128;
	void **objs = calloc(max, sizeof(*objs));
	unsigned n32 = 0, n2048 = 0, want2048 = 0, npages = 0;

	ASSERT(objs);
	fx_setup(&fresh, 65);
	while (heap_alloc(&fresh.h, 2048))
		want2048++;
	fx_teardown(&fresh);

	fx_setup(&f, 65);
	fx_add_cpus(&f, 3);
	n32 = fill(&f, 0, 32, objs, max);
	EXPECT(n32 > 0);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(st.free_pages, 0);
	EXPECT_EQ_U64(cached_total(&f), 0);
	EXPECT_EQ_U64(st.cls[0].in_use, n32);
	/* cpu 1 keeps up to 1025 of them, pinning slabs all over the region */
	for (unsigned i = 0; i < n32; i++)
		c_free(&f, 1, objs[(i * 7919u) % n32]);
	EXPECT(cached_total(&f) > HEAP_MAG_CAP(0) / 2 && cached_total(&f) <= HEAP_MAG_CAP(0) + 1);
	heap_stats(&f.h, &st);
	EXPECT(st.free_pages < f.usable / 2);
	n2048 = fill(&f, 2, 2048, objs, max);
	EXPECT_EQ_U64(n2048, want2048);
	EXPECT_EQ_U64(cached_total(&f), 0);
	/* Now cpu 0 caches 2048-byte objects and cpu 2 asks for every page, then a 2 MiB block. */
	for (unsigned i = 0; i < n2048; i++)
		c_free(&f, 0, objs[i]);
	EXPECT(cached_total(&f) > 0);
	while ((objs[npages] = c_alloc_pages(&f, 2, 0)) != NULL)
		npages++;
	EXPECT_EQ_U64(npages, f.usable);
	EXPECT_EQ_U64(cached_total(&f), 0);
	for (unsigned i = 0; i < npages; i++)
		c_free_pages(&f, 1, objs[i], 0);
	ASSERT(f.usable < 512);
	EXPECT(c_alloc(&f, 1, 2049) != NULL); /* a 4 KiB block */
	EXPECT(c_alloc(&f, 0, HEAP_MAX_ALLOC) == NULL);
	heap_stats(&f.h, &st);
	EXPECT_EQ_U64(cached_total(&f), 0);
	EXPECT_EQ_U64(f.v.count, 0);
	free(objs);
	fx_teardown(&f);
}
