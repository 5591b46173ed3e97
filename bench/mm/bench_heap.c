/* SPDX-License-Identifier: MIT */
/*
 * Copra heap (kernel/mm/buddy.c + kernel/mm/slab.c built for the host) against glibc
 * malloc/free on the same machine, in one run. Prints alloc+free pairs per second:
 *
 *   alloc-free   allocate one object, write a byte, free it; repeat
 *   batch-rand   allocate 1000 objects (a byte written to each), free them in a random order
 *                (the same precomputed orders for both allocators); repeat
 *
 * for every slab size 32..2048 and for 4 KiB and 2 MiB pages (aligned_alloc for glibc; page
 * contents are not touched, so glibc's mmap'd 2 MiB blocks are not faulted in). Copra is
 * called as the kernel's kmalloc/kfree/pages_alloc call it: heap_cpu_alloc, heap_cpu_free,
 * heap_cpu_alloc_pages and heap_cpu_free_pages with one CPU's cache; what the kernel adds
 * around them (masking interrupts, that CPU's uncontended cache lock) is not measured here.
 * Each figure is the best of REPEATS timed runs of RUN_SECONDS each, Copra and glibc
 * alternating, after a warm-up run, one row after the other; a run's rate is over this
 * thread's CPU time, so time the scheduler gives other work on the shared cores is not
 * counted. About 12 s in all.
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
#define REPEATS	    15
#define RUN_SECONDS 0.02

static struct heap heap;
static struct heap_cpu cpu0;
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

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Elapsed time (cheap to read, from the vDSO): when a timed run stops. */
static double now(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

/* This thread's CPU time (a system call): what a timed run's rate is computed over. */
static double cpu_now(void)
{
	return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

static uint64_t rng_state = 0x436f707261ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * One allocator as the benchmark sees it: size-or-order in, pointer out. The loops below are
 * inlined into one function per allocator and pattern, so each allocation and free is a direct
 * call, as in the kernel (kmalloc) and in a C program (malloc); an indirect call per operation
 * would cost about as much as the allocators themselves (see docs/benchmarks.md).
 */
typedef void *(*alloc_fn)(size_t arg);
typedef void (*free_fn)(void *p, size_t arg);

static inline void *heap_obj_alloc(size_t size)
{
	return heap_cpu_alloc(&heap, &cpu0, size);
}

static inline void heap_obj_free(void *p, size_t size)
{
	heap_cpu_free(&heap, &cpu0, p);
}

static inline void *glibc_obj_alloc(size_t size)
{
	return malloc(size);
}

static inline void glibc_obj_free(void *p, size_t size)
{
	free(p);
}

static inline void *heap_pg_alloc(size_t order)
{
	return heap_cpu_alloc_pages(&heap, &cpu0, (unsigned)order);
}

static inline void heap_pg_free(void *p, size_t order)
{
	heap_cpu_free_pages(&heap, &cpu0, p, (unsigned)order);
}

static inline void *glibc_pg_alloc(size_t order)
{
	size_t bytes = (size_t)4096 << order;

	return aligned_alloc(bytes, bytes);
}

static inline void glibc_pg_free(void *p, size_t order)
{
	free(p);
}

static inline __attribute__((always_inline)) void
run_single(alloc_fn alloc, free_fn release, int touch, size_t arg, unsigned long pairs)
{
	for (unsigned long i = 0; i < pairs; i++) {
		char *p = alloc(arg);

		if (!p) {
			fprintf(stderr, "allocation failed\n");
			exit(1);
		}
		if (touch)
			*(volatile char *)p = (char)i;
		escape(p);
		release(p, arg);
	}
}

static inline __attribute__((always_inline)) void run_batch(alloc_fn alloc, free_fn release,
							    int touch, size_t arg,
							    unsigned long pairs, unsigned batch)
{
	for (unsigned long done = 0, round = 0; done < pairs; done += batch, round++) {
		const uint32_t *perm = perms[round % NPERMS];

		for (unsigned i = 0; i < batch; i++) {
			char *p = alloc(arg);

			if (!p) {
				fprintf(stderr, "allocation failed\n");
				exit(1);
			}
			if (touch)
				*(volatile char *)p = (char)i;
			escape(p);
			slots[i] = p;
		}
		/* perm is a permutation of 0..BATCH-1: take the entries below `batch`. */
		for (unsigned i = 0; i < BATCH; i++)
			if (perm[i] < batch)
				release(slots[perm[i]], arg);
	}
}

/* Runs `pairs` alloc+free pairs: one at a time, or in batches freed in random order. */
struct alloc_ops {
	void (*single)(size_t arg, unsigned long pairs);
	void (*batch)(size_t arg, unsigned long pairs, unsigned batch);
};

/* Each allocator's loops start on a cache line, so code placement favours neither. */
#define ALLOC_OPS(name, touch)                                                                  \
	static __attribute__((aligned(64))) void name##_single(size_t arg, unsigned long pairs) \
	{                                                                                       \
		run_single(name##_alloc, name##_free, touch, arg, pairs);                       \
	}                                                                                       \
	static __attribute__((aligned(64))) void name##_batch(size_t arg, unsigned long pairs,  \
							      unsigned batch)                   \
	{                                                                                       \
		run_batch(name##_alloc, name##_free, touch, arg, pairs, batch);                 \
	}                                                                                       \
	static const struct alloc_ops name = {name##_single, name##_batch}

ALLOC_OPS(heap_obj, 1);
ALLOC_OPS(glibc_obj, 1);
ALLOC_OPS(heap_pg, 0);
ALLOC_OPS(glibc_pg, 0);

/* One line of the table: a size or page order and a pattern, run for both allocators. */
struct bench_row {
	char name[16];
	const struct alloc_ops *mine, *glibc;
	size_t arg;
	unsigned long chunk;
	unsigned batch;
	double best_mine, best_glibc;
};

#define MAX_ROWS (2 * (SLAB_NCLASSES + 2))

static struct bench_row rows[MAX_ROWS];
static unsigned nrows;

static void add_row(const char *name, const struct alloc_ops *mine, const struct alloc_ops *glibc,
		    size_t arg, unsigned long chunk, unsigned batch)
{
	struct bench_row *r = &rows[nrows++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->mine = mine;
	r->glibc = glibc;
	r->arg = arg;
	r->chunk = chunk;
	r->batch = batch;
}

/*
 * Pairs per second (in millions) of this thread's CPU time, over one run of `chunk` pairs
 * (whole batches when batch > 0) repeated for `seconds` of elapsed time.
 */
static double timed_run(const struct alloc_ops *ops, size_t arg, unsigned long chunk,
			unsigned batch, double seconds)
{
	double t0 = now();
	double c0 = cpu_now();
	unsigned long pairs = 0;

	do {
		if (batch)
			ops->batch(arg, chunk, batch);
		else
			ops->single(arg, chunk);
		pairs += chunk;
	} while (now() - t0 < seconds);
	return (double)pairs / (cpu_now() - c0) / 1e6;
}

/*
 * Row i: REPEATS runs for Copra and for glibc, alternating so that both see the same machine
 * (the cores are shared), after one short untimed warm-up run of each; each figure is the best
 * of its runs. Rows run one after the other, in table order: glibc's figures for big objects
 * depend on what it did before (docs/benchmarks.md), so the order is part of the method.
 */
static void run_row(unsigned i)
{
	struct bench_row *r = &rows[i];

	timed_run(r->mine, r->arg, r->chunk, r->batch, RUN_SECONDS / 4);
	timed_run(r->glibc, r->arg, r->chunk, r->batch, RUN_SECONDS / 4);
	for (int rep = 0; rep < REPEATS; rep++) {
		double m = timed_run(r->mine, r->arg, r->chunk, r->batch, RUN_SECONDS);
		double g = timed_run(r->glibc, r->arg, r->chunk, r->batch, RUN_SECONDS);

		r->best_mine = m > r->best_mine ? m : r->best_mine;
		r->best_glibc = g > r->best_glibc ? g : r->best_glibc;
	}
}

/* Prints the table and the summary of the slab rows. */
static void print_rows(void)
{
	double log_sum = 0, min_ratio = 1e9;
	int nslab = 0;

	for (unsigned i = 0; i < nrows; i++) {
		const struct bench_row *r = &rows[i];
		double ratio = r->best_mine / r->best_glibc;

		printf("%-8s %-12s %12.2f %12.2f %8.2fx\n", r->name,
		       r->batch ? "batch-rand" : "alloc-free", r->best_mine, r->best_glibc, ratio);
		if (r->mine == &heap_obj) {
			log_sum += __builtin_log(ratio);
			nslab++;
			min_ratio = ratio < min_ratio ? ratio : min_ratio;
		}
	}
	printf("slab sizes: geometric mean ratio %.2fx, lowest %.2fx (target >= 2x)\n",
	       __builtin_exp(log_sum / nslab), min_ratio);
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
	heap_set_cpus(&heap, &cpu0, 1, NULL); /* one CPU, no locks: the kernel's per-CPU calls */
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
		add_row(name, &heap_obj, &glibc_obj, size, BATCH, 0);
		add_row(name, &heap_obj, &glibc_obj, size, BATCH, BATCH);
	}
	add_row("4K", &heap_pg, &glibc_pg, 0, BATCH, 0);
	add_row("4K", &heap_pg, &glibc_pg, 0, BATCH, BATCH);
	/* 2 MiB: batches of 16 blocks (32 MiB, half the arena). */
	add_row("2M", &heap_pg, &glibc_pg, 9, 16, 0);
	add_row("2M", &heap_pg, &glibc_pg, 9, 16, 16);
	for (unsigned i = 0; i < nrows; i++)
		run_row(i);
	print_rows();
	printf("total %.1f s, %lu heap violations\n", now() - t_start, violations);
	free(arena);
	return violations ? 1 : 0;
}
