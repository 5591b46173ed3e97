/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: sizes and alignment, both allocation APIs at exhaustion (with objects held
 * in every CPU's cache), all CPUs at once, objects freed on another CPU than their own.
 */
#include <copra/kmalloc.h>
#include <copra/mm.h>
#include <copra/percpu.h>
#include <copra/smp.h>
#include <copra/test.h>
#include <lib/string.h>

static bool filled(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

TEST(heap_sizes_and_alignment)
{
	static const size_t sizes[] = {1,   16,	  32,	33,   64,   100,  128,	 256,	500,
				       512, 1024, 2000, 2048, 2049, 4096, 10000, 65536, 2u << 20};
	void *p[ARRAY_SIZE(sizes)];

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t align = sizes[i] <= 16 ? 16 : sizes[i] <= 2048 ? 32 : 4096;

		p[i] = kmalloc(sizes[i]);
		ASSERT(p[i] != NULL);
		EXPECT((uintptr_t)p[i] % align == 0);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT(filled(p[i], sizes[i], (uint8_t)(i + 1)));
		kfree(p[i]);
	}
	kfree(NULL);
	EXPECT(filled(kzalloc(300), 300, 0));
}

TEST(heap_fallible_api_at_exhaustion)
{
	void *blocks[64];
	unsigned int n = 0;
	uint64_t before = 0;

	/* A failing allocation drains the per-CPU caches: start from drained ones. */
	heap_reclaim_all();
	before = heap_free_pages_total();

	EXPECT(kmalloc_try(0) == NULL);
	EXPECT(kmalloc_try((2u << 20) + 1) == NULL); /* above the largest size */
	/* Take every 2 MiB block there is: the fallible API says no instead of panicking. */
	while (n < ARRAY_SIZE(blocks) && (blocks[n] = kmalloc_try(2u << 20)) != NULL)
		n++;
	EXPECT(n > 0 && n < ARRAY_SIZE(blocks));
	EXPECT(kmalloc_try(2u << 20) == NULL);
	/* Smaller allocations still work from what is left. */
	void *small = kmalloc_try(4096);
	EXPECT(small != NULL);
	kfree(small);
	while (n > 0)
		kfree(blocks[--n]);
	EXPECT_EQ(heap_free_pages_total(), before);
	blocks[0] = kmalloc_try(2u << 20);
	EXPECT(blocks[0] != NULL);
	kfree(blocks[0]);
}

/* Objects of every class, freed again into this CPU's cache, pinning slab pages. */
static void hold_in_cache(void *arg)
{
	void *p[70];

	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = kmalloc(32u << (i % 7));
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++)
		kfree(p[ARRAY_SIZE(p) - 1 - i]);
}

static unsigned int take_all_2m(void **blocks, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && (blocks[n] = kmalloc_try(2u << 20)) != NULL)
		n++;
	return n;
}

/* What every CPU's cache holds does not make the fallible API fail: it is drained first. */
TEST(heap_fallible_api_drains_every_cache)
{
	void *blocks[64];
	unsigned int n0 = 0, n1 = 0;

	heap_reclaim_all();
	n0 = take_all_2m(blocks, ARRAY_SIZE(blocks));
	for (unsigned int i = 0; i < n0; i++)
		kfree(blocks[i]);
	EXPECT(n0 > 0 && n0 < ARRAY_SIZE(blocks));
	smp_call_all(hold_in_cache, NULL);
	n1 = take_all_2m(blocks, ARRAY_SIZE(blocks));
	for (unsigned int i = 0; i < n1; i++)
		kfree(blocks[i]);
	EXPECT_EQ(n1, n0);
}

#define ROUNDS 400

static void churn(void *arg)
{
	void *live[16] = {NULL};
	size_t len[16] = {0};
	uint32_t *bad = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (this_cpu()->index + 1);

	for (int r = 0; r < ROUNDS; r++) {
		unsigned int slot = 0;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		slot = (seed >> 33) % 16;
		if (live[slot]) {
			if (!filled(live[slot], len[slot], (uint8_t)(slot + this_cpu()->index)))
				__atomic_fetch_add(bad, 1, __ATOMIC_RELAXED);
			kfree(live[slot]);
		}
		len[slot] = 1 + (seed >> 40) % 3000;
		live[slot] = kmalloc(len[slot]);
		memset(live[slot], (int)(slot + this_cpu()->index), len[slot]);
	}
	for (unsigned int s = 0; s < 16; s++)
		kfree(live[s]);
}

TEST(heap_all_cpus_at_once)
{
	uint32_t bad = 0;

	smp_call_all(churn, &bad);
	EXPECT_EQ(bad, 0);
}

#define XFER_OBJS 96

struct xfer {
	uint8_t *obj[XFER_OBJS];
	size_t len[XFER_OBJS];
	uint32_t ncpus;
	uint32_t bad;
};

/* Each CPU checks and frees its share of what CPU 0 allocated, then allocates and frees. */
static void free_share(void *arg)
{
	struct xfer *x = arg;
	uint32_t me = this_cpu()->index;

	for (unsigned int i = me; i < XFER_OBJS; i += x->ncpus) {
		if (!filled(x->obj[i], x->len[i], (uint8_t)i))
			__atomic_fetch_add(&x->bad, 1, __ATOMIC_RELAXED);
		kfree(x->obj[i]);
	}
	for (unsigned int i = me; i < XFER_OBJS; i += x->ncpus) {
		void *p = kmalloc(x->len[i]);

		memset(p, 0xee, x->len[i]);
		kfree(p);
	}
}

TEST(heap_frees_on_other_cpus)
{
	static struct xfer x;

	x.ncpus = smp_cpus_online();
	x.bad = 0;
	for (unsigned int i = 0; i < XFER_OBJS; i++) {
		x.len[i] = 8 + (i * 37u) % 2100;
		x.obj[i] = kmalloc(x.len[i]);
		memset(x.obj[i], (int)i, x.len[i]);
	}
	smp_call_all(free_share, &x);
	EXPECT_EQ(x.bad, 0);
	/* Every CPU's cache now holds objects of CPU 0's: handing them out again stays sound. */
	smp_call_all(hold_in_cache, NULL);
	heap_reclaim_all();
}

TEST(heap_stacks_are_freed_and_reused)
{
	uint64_t b1 = 0, t1 = 0, b2 = 0, t2 = 0;
	uint64_t before = 0;

	/* Warm up: the first stack in a fresh 2 MiB of VA also allocates a page table. */
	stack_alloc(&b1, &t1);
	stack_free(b1);
	before = heap_free_pages_total();
	stack_alloc(&b1, &t1);
	*(volatile uint64_t *)(t1 - 8) = 1;
	stack_free(b1);
	EXPECT(!kaddr_mapped(b1));
	EXPECT_EQ(heap_free_pages_total(), before);
	stack_alloc(&b2, &t2);
	EXPECT_EQ(b2, b1); /* the lowest free slot again */
	stack_free(b2);
}
