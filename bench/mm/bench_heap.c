/* SPDX-License-Identifier: MIT */
/*
 * Copra heap (kernel/mm/buddy.c + kernel/mm/slab.c built for the host) against glibc
 * malloc/free on the same machine, in one run. Prints alloc+free pairs per second:
 *
 *   alloc-free   allocate one object, write a byte, free it; repeat
 *   batch-rand   allocate 1000 objects (a byte written to each), free them in a random order
 *                (the same precomputed orders for both allocators); repeat
 *
 * for every slab size 32..2048 (heap_alloc vs malloc) and for 4 KiB and 2 MiB pages
 * (heap_alloc_pages vs aligned_alloc; page contents are not touched, so glibc's mmap'd 2 MiB
 * blocks are not faulted in). Each figure is the best of REPEATS timed runs of at least
 * RUN_SECONDS each, Copra and glibc alternating, after a warm-up run; the whole program takes
 * about 10 s.
 * Build and run with bench/mm/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <copra/slab.h>

#define MIB	    (1024ul * 1024ul)
#define REGION	    (64 * MIB) /* the heap's arena */
#define BATCH	    1000
#define NPERMS	    16
#define REPEATS	    5
#define RUN_SECONDS 0.045

static struct heap heap;
static uint32_t perms[NPERMS][BATCH];
static void *slots[BATCH];
static unsigned long violations;

static void on_violation(void *ctx, const char *what, uint64_t page, unsigned order)
{
	fprintf(stderr, "heap violation: %s (page %#llx, order %u)\n", what,
		(unsigned long long)page, order);
	violations++;
}

/* Keeps the compiler from dropping allocations whose result is unused. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x436f707261ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One allocator as the benchmark sees it: size-or-order in, pointer out. */
struct alloc_ops {
	void *(*alloc)(size_t arg);
	void (*free)(void *p, size_t arg);
	int touch; /* write a byte into each allocation */
};

static void *heap_obj_alloc(size_t size)
{
	return heap_alloc(&heap, size);
}

static void heap_obj_free(void *p, size_t size)
{
	heap_free(&heap, p);
}

static void *glibc_obj_alloc(size_t size)
{
	return malloc(size);
}

static void glibc_obj_free(void *p, size_t size)
{
	free(p);
}

static void *heap_pg_alloc(size_t order)
{
	return heap_alloc_pages(&heap, (unsigned)order);
}

static void heap_pg_free(void *p, size_t order)
{
	heap_free_pages(&heap, p, (unsigned)order);
}

static void *glibc_pg_alloc(size_t order)
{
	size_t bytes = (size_t)4096 << order;

	return aligned_alloc(bytes, bytes);
}

static void glibc_pg_free(void *p, size_t order)
{
	free(p);
}

static const struct alloc_ops heap_obj = {heap_obj_alloc, heap_obj_free, 1};
static const struct alloc_ops glibc_obj = {glibc_obj_alloc, glibc_obj_free, 1};
static const struct alloc_ops heap_pg = {heap_pg_alloc, heap_pg_free, 0};
static const struct alloc_ops glibc_pg = {glibc_pg_alloc, glibc_pg_free, 0};

static void run_single(const struct alloc_ops *ops, size_t arg, unsigned long pairs)
{
	for (unsigned long i = 0; i < pairs; i++) {
		char *p = ops->alloc(arg);

		if (!p) {
			fprintf(stderr, "allocation failed\n");
			exit(1);
		}
		if (ops->touch)
			*(volatile char *)p = (char)i;
		escape(p);
		ops->free(p, arg);
	}
}

static void run_batch(const struct alloc_ops *ops, size_t arg, unsigned long pairs, unsigned batch)
{
	for (unsigned long done = 0, round = 0; done < pairs; done += batch, round++) {
		const uint32_t *perm = perms[round % NPERMS];

		for (unsigned i = 0; i < batch; i++) {
			char *p = ops->alloc(arg);

			if (!p) {
				fprintf(stderr, "allocation failed\n");
				exit(1);
			}
			if (ops->touch)
				*(volatile char *)p = (char)i;
			escape(p);
			slots[i] = p;
		}
		/* perm is a permutation of 0..BATCH-1: take the entries below `batch`. */
		for (unsigned i = 0; i < BATCH; i++)
			if (perm[i] < batch)
				ops->free(slots[perm[i]], arg);
	}
}

static double log_sum;
static int nslab;
static double min_ratio = 1e9;

static void row(const char *size, const char *pattern, double mine, double glibc)
{
	printf("%-8s %-12s %12.2f %12.2f %8.2fx\n", size, pattern, mine, glibc, mine / glibc);
}

/* Pairs per second (in millions) of one run of `chunk` pairs repeated for `seconds`. */
static double timed_run(const struct alloc_ops *ops, size_t arg, unsigned long chunk,
			unsigned batch, double seconds)
{
	double t0 = now();
	double t = 0;
	unsigned long pairs = 0;

	do {
		if (batch)
			run_batch(ops, arg, chunk, batch);
		else
			run_single(ops, arg, chunk);
		pairs += chunk;
		t = now() - t0;
	} while (t < seconds);
	return (double)pairs / t / 1e6;
}

/*
 * Best of REPEATS runs for Copra and for glibc, alternating so that both see the same machine
 * (the cores are shared), after one short untimed warm-up run of each. A run repeats `chunk`
 * pairs (whole batches when batch > 0) until RUN_SECONDS have passed. Prints the row.
 */
static void compare(const char *size, const struct alloc_ops *mine, const struct alloc_ops *glibc,
		    size_t arg, unsigned long chunk, unsigned batch)
{
	double best_mine = 0, best_glibc = 0;

	timed_run(mine, arg, chunk, batch, RUN_SECONDS / 4);
	timed_run(glibc, arg, chunk, batch, RUN_SECONDS / 4);
	for (int r = 0; r < REPEATS; r++) {
		double m = timed_run(mine, arg, chunk, batch, RUN_SECONDS);
		double g = timed_run(glibc, arg, chunk, batch, RUN_SECONDS);

		best_mine = m > best_mine ? m : best_mine;
		best_glibc = g > best_glibc ? g : best_glibc;
	}
	row(size, batch ? "batch-rand" : "alloc-free", best_mine, best_glibc);
	if (mine == &heap_obj) {
		log_sum += __builtin_log(best_mine / best_glibc);
		nslab++;
		if (best_mine / best_glibc < min_ratio)
			min_ratio = best_mine / best_glibc;
	}
}

int main(void)
{
	uint64_t npages = REGION / 4096;
	uint64_t mp = heap_meta_pages(npages);
	char *arena = aligned_alloc(2 * MIB, REGION);
	double t_start = now();

	if (!arena) {
		fprintf(stderr, "no arena\n");
		return 1;
	}
	memset(arena, 0, REGION); /* fault the arena in: the kernel's region is always mapped */
	heap_init(&heap, arena, npages, (struct buddy_page *)(arena + (npages - mp) * 4096),
		  on_violation, NULL);
	buddy_release(&heap.buddy, 0, npages - mp);
	for (int k = 0; k < NPERMS; k++) {
		for (uint32_t i = 0; i < BATCH; i++)
			perms[k][i] = i;
		for (uint32_t i = BATCH - 1; i > 0; i--) {
			uint32_t j = (uint32_t)(rng() % (i + 1));
			uint32_t t = perms[k][i];

			perms[k][i] = perms[k][j];
			perms[k][j] = t;
		}
	}

	printf("alloc+free pairs per second, millions (best of %d); ratio = copra / glibc\n",
	       REPEATS);
	printf("%-8s %-12s %12s %12s %9s\n", "size", "pattern", "copra", "glibc", "ratio");
	for (unsigned shift = SLAB_MIN_SHIFT; shift <= SLAB_MAX_SHIFT; shift++) {
		size_t size = (size_t)1 << shift;
		char name[16];

		snprintf(name, sizeof(name), "%zu", size);
		compare(name, &heap_obj, &glibc_obj, size, BATCH, 0);
		compare(name, &heap_obj, &glibc_obj, size, BATCH, BATCH);
	}
	compare("4K", &heap_pg, &glibc_pg, 0, BATCH, 0);
	compare("4K", &heap_pg, &glibc_pg, 0, BATCH, BATCH);
	/* 2 MiB: batches of 16 blocks (32 MiB, half the arena). */
	compare("2M", &heap_pg, &glibc_pg, 9, 16, 0);
	compare("2M", &heap_pg, &glibc_pg, 9, 16, 16);
	printf("slab sizes: geometric mean ratio %.2fx, lowest %.2fx (target >= 2x)\n",
	       __builtin_exp(log_sum / nslab), min_ratio);
	printf("total %.1f s, %lu heap violations\n", now() - t_start, violations);
	free(arena);
	return violations ? 1 : 0;
}
