/* SPDX-License-Identifier: MIT */
/*
 * kernel/mm/buddy.c + kernel/mm/slab.c: the kernel heap driven by a valid operation stream on
 * a 4 MiB, 2 MiB-aligned arena laid out as in copra/slab.h (buddy metadata in the top pages).
 *
 * Input: one set-up byte (bit 0: keep pages [4 * b1, 4 * b1 + b2 % 64) reserved, a hole the
 * buddy must work around), then operations, each an opcode byte and its operands:
 *   0  heap_alloc, size one byte (0..255)        1  heap_alloc, size two bytes (0..65535)
 *   2  heap_alloc, size three bytes (0..16 MiB)   3  heap_free of live allocation #byte
 *                                                    (or of NULL when nothing is live)
 *   4  heap_alloc_pages, order byte % 10           5  heap_free_pages of live page block #byte
 *   6  heap_usable_size, buddy_page_info and pattern check of #byte
 *   7  heap_trim (bit 3) or heap_stats checks
 * With bit 4 set the opcode is a deliberate misuse instead, kind = bits 5-7, with an operand
 * byte (and a second one for some kinds): 0 free of an interior pointer; 1 double free, then
 * heap_usable_size of the freed pointer; 2 heap_free / heap_free_pages mixed up;
 * 3 heap_free_pages with the wrong order; 4 a pointer outside the region; 5 any granule of the
 * region where no live allocation starts (free pages, slab or record pages, metadata, the
 * hole) to heap_free, heap_free_pages and heap_usable_size; 6 heap_alloc_pages above
 * BUDDY_MAX_ORDER; 7 buddy-level misuse (misaligned or out-of-range buddy_free, buddy_release
 * of a range that is not reserved, buddy_set_owner out of range). Each must report exactly one
 * violation and change nothing (the heap, the buddy metadata and the slab record pages are
 * compared byte for byte). Outside a misuse the violation callback must never run (it aborts).
 *
 * Every allocation is filled with its own pattern over its usable size and verified before it
 * is freed; a shadow map of 32-byte granules refuses any overlap with a live allocation, the
 * metadata or the hole. Checked besides: alignment (objects to their class size, blocks to
 * their size), usable sizes, NULL only when copra/slab.h allows it, page accounting in
 * heap_stats (free + large + page blocks + slabs + record pages = released pages), and, after
 * freeing everything and heap_trim, every released page back in the buddy.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <copra/slab.h>

#define MIB	    (1024ull * 1024ull)
#define ARENA_BYTES (4 * MIB)
#define NPAGES	    (ARENA_BYTES / BUDDY_PAGE_SIZE)
#define GRANULE	    32
#define NGRANULES   (ARENA_BYTES / GRANULE)
#define MAX_OPS	    4096
#define OWNER_FIXED 0xffff /* metadata and hole pages in the shadow */

struct alloc {
	uint8_t *p;
	size_t size;   /* asked for (heap_alloc) */
	size_t usable; /* bytes filled with the pattern */
	unsigned order;
	bool pages; /* from heap_alloc_pages */
	uint16_t id;
};

static uint8_t *arena;
static uint16_t shadow[NGRANULES];
static const uint16_t zeros[NGRANULES];

static struct heap heap;
static struct alloc live[MAX_OPS];
static unsigned int nlive;
static uint16_t next_id;
static uint64_t released;

static bool expecting;	      /* a misuse is under way */
static unsigned int reported; /* violations seen during it */

static void violation(void *ctx, const char *what, uint64_t page, unsigned order)
{
	if (expecting) {
		reported++;
		return;
	}
	fprintf(stderr, "heap violation on a valid op stream: %s (page %llu, order %u)\n", what,
		(unsigned long long)page, order);
	abort();
}

static uint8_t pattern(uint16_t id)
{
	return (uint8_t)(id * 29u + 0x41u);
}

static void shadow_mark(const uint8_t *p, size_t bytes, uint16_t id)
{
	size_t g0 = (size_t)(p - arena) / GRANULE;
	size_t g1 = ((size_t)(p - arena) + bytes + GRANULE - 1) / GRANULE;

	FUZZ_CHECK(p >= arena && bytes <= ARENA_BYTES &&
		   (size_t)(p - arena) <= ARENA_BYTES - bytes);
	if (id == 0) {
		memset(&shadow[g0], 0, (g1 - g0) * sizeof(*shadow));
		return;
	}
	/* Marking: nothing live or reserved may be there yet. */
	FUZZ_CHECK(memcmp(&shadow[g0], zeros, (g1 - g0) * sizeof(*shadow)) == 0);
	shadow[g0] = id;
	for (size_t done = 1; done < g1 - g0; done *= 2) {
		size_t n = done < g1 - g0 - done ? done : g1 - g0 - done;

		memcpy(&shadow[g0 + done], &shadow[g0], n * sizeof(*shadow));
	}
}

/* Every byte equals the first, and the first is the pattern (memcmp keeps 2 MiB cheap). */
static void verify(const struct alloc *a)
{
	FUZZ_CHECK(a->p[0] == pattern(a->id));
	FUZZ_CHECK(memcmp(a->p, a->p + 1, a->usable - 1) == 0);
}

static unsigned order_for(size_t size)
{
	unsigned o = 0;

	while ((BUDDY_PAGE_SIZE << o) < size)
		o++;
	return o;
}

static void take(uint8_t *p, size_t size, size_t usable, unsigned order, bool pages)
{
	struct alloc *a = &live[nlive++];

	*a = (struct alloc){p, size, usable, order, pages, ++next_id};
	shadow_mark(p, usable, a->id);
	memset(p, pattern(a->id), usable);
}

static bool any_block(const struct heap_stats *st, unsigned order)
{
	for (unsigned o = order; o <= BUDDY_MAX_ORDER; o++)
		if (st->free_blocks[o])
			return true;
	return false;
}

static void do_alloc(size_t size)
{
	uint8_t *p = heap_alloc(&heap, size);
	struct heap_stats st;

	if (size == 0 || size > HEAP_MAX_ALLOC) {
		FUZZ_CHECK(p == NULL);
		return;
	}
	if (p == NULL) {
		/* A refused allocation changes nothing, so the stats describe the state it saw. */
		heap_stats(&heap, &st);
		if (size <= SLAB_MAX_SIZE) {
			unsigned c = 0;

			while ((32u << c) < size)
				c++;
			FUZZ_CHECK(st.cls[c].free == 0);
			FUZZ_CHECK(st.free_pages == 0 ||
				   (st.free_pages == 1 && st.records_free == 0));
		} else {
			FUZZ_CHECK(!any_block(&st, order_for(size)));
		}
		return;
	}
	if (size <= SLAB_MAX_SIZE) {
		size_t cls = 32;

		while (cls < size)
			cls <<= 1;
		FUZZ_CHECK(((uintptr_t)p & (cls - 1)) == 0);
		FUZZ_CHECK(heap_usable_size(&heap, p) == cls);
		take(p, size, cls, 0, false);
	} else {
		unsigned o = order_for(size);
		size_t bytes = BUDDY_PAGE_SIZE << o;

		FUZZ_CHECK(((uintptr_t)p & (bytes - 1)) == 0);
		FUZZ_CHECK(heap_usable_size(&heap, p) == bytes);
		take(p, size, bytes, o, false);
	}
}

static void do_alloc_pages(unsigned order)
{
	uint8_t *p = heap_alloc_pages(&heap, order);
	size_t bytes = BUDDY_PAGE_SIZE << order;
	struct heap_stats st;

	if (p == NULL) {
		heap_stats(&heap, &st);
		FUZZ_CHECK(!any_block(&st, order));
		return;
	}
	FUZZ_CHECK(((uintptr_t)p & (bytes - 1)) == 0);
	FUZZ_CHECK(heap_usable_size(&heap, p) == bytes);
	take(p, 0, bytes, order, true);
}

/* Index of the idx-th live allocation of the kind asked for, or -1. */
FUZZ_NO_COVERAGE static long pick(unsigned int idx, bool pages)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nlive; i++)
		n += live[i].pages == pages;
	if (n == 0)
		return -1;
	idx %= n;
	for (unsigned int i = 0; i < nlive; i++) {
		if (live[i].pages != pages)
			continue;
		if (idx-- == 0)
			return i;
	}
	return -1;
}

static void release(long i)
{
	struct alloc a = live[i];

	verify(&a);
	shadow_mark(a.p, a.usable, 0);
	live[i] = live[--nlive];
	if (a.pages)
		heap_free_pages(&heap, a.p, a.order);
	else
		heap_free(&heap, a.p);
}

/* buddy_page_info agrees with what we know of a live allocation's pages. */
static void check_page_info(const struct alloc *a)
{
	uint64_t page = (uint64_t)(a->p - arena) / BUDDY_PAGE_SIZE;
	uint64_t last = page + (a->usable > BUDDY_PAGE_SIZE ? (1ull << a->order) - 1 : 0);
	struct buddy_page_info pi;
	uint16_t owner = 0;

	if (a->pages)
		owner = HEAP_OWNER_PAGES;
	else if (a->usable > SLAB_MAX_SIZE)
		owner = HEAP_OWNER_LARGE;
	FUZZ_CHECK(buddy_page_info(&heap.buddy, page, &pi));
	FUZZ_CHECK(pi.state == BUDDY_ALLOC_HEAD && pi.head == page);
	if (owner) {
		FUZZ_CHECK(pi.owner == owner && pi.order == a->order);
	} else {
		FUZZ_CHECK(pi.order == 0 && pi.owner >= HEAP_OWNER_SLAB &&
			   pi.owner < HEAP_OWNER_SLAB + SLAB_NCLASSES &&
			   (32u << (pi.owner - HEAP_OWNER_SLAB)) == a->usable);
	}
	if (last != page) {
		FUZZ_CHECK(buddy_page_info(&heap.buddy, last, &pi));
		FUZZ_CHECK(pi.state == BUDDY_ALLOC_TAIL && pi.head == page && pi.order == a->order);
		FUZZ_CHECK(pi.owner == owner);
	}
	FUZZ_CHECK(!buddy_page_info(&heap.buddy, NPAGES, &pi));
}

/* What a misuse must leave alone: the heap, the buddy metadata and the slab record pages. */
#define SNAP_REC_PAGES 16
static struct {
	struct heap heap;
	struct buddy_page meta[NPAGES];
	uint64_t rec_page[SNAP_REC_PAGES];
	unsigned int nrec;
	uint8_t rec[SNAP_REC_PAGES][BUDDY_PAGE_SIZE];
} snap;

FUZZ_NO_COVERAGE static void snapshot(void)
{
	memcpy(&snap.heap, &heap, sizeof(heap));
	memcpy(snap.meta, heap.buddy.meta, sizeof(snap.meta));
	snap.nrec = 0;
	for (uint64_t i = 0; i < NPAGES && snap.nrec < SNAP_REC_PAGES; i++) {
		const struct buddy_page *m = &heap.buddy.meta[i];

		if (m->state == BUDDY_ALLOC_HEAD && m->owner == HEAP_OWNER_SLABREC) {
			snap.rec_page[snap.nrec] = i;
			memcpy(snap.rec[snap.nrec++], arena + i * BUDDY_PAGE_SIZE, BUDDY_PAGE_SIZE);
		}
	}
	expecting = true;
	reported = 0;
}

FUZZ_NO_COVERAGE static void unchanged(void)
{
	FUZZ_CHECK(reported == 1);
	expecting = false;
	FUZZ_CHECK(memcmp(&snap.heap, &heap, sizeof(heap)) == 0);
	FUZZ_CHECK(memcmp(snap.meta, heap.buddy.meta, sizeof(snap.meta)) == 0);
	for (unsigned int i = 0; i < snap.nrec; i++)
		FUZZ_CHECK(memcmp(snap.rec[i], arena + snap.rec_page[i] * BUDDY_PAGE_SIZE,
				  BUDDY_PAGE_SIZE) == 0);
}

static void release(long i);
static long pick(unsigned int idx, bool pages);

/* Frees (or measures) something that is not a live allocation: one violation, no change. */
static void bad_free(void *p, bool pages, unsigned order)
{
	snapshot();
	if (pages)
		heap_free_pages(&heap, p, order);
	else
		heap_free(&heap, p);
	unchanged();
}

static void misuse(unsigned kind, struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	uint8_t b2 = 0;
	long i = pick(b, (kind == 3) || (b & 0x80));
	struct alloc a;
	uint8_t *p = NULL;
	size_t g = 0;

	switch (kind) {
	case 0: /* interior pointer */
		b2 = fuzz_u8(in);
		if (i >= 0) {
			a = live[i];
			bad_free(a.p + 1 + b2 % (a.usable < 256 ? a.usable - 1 : 255), a.pages,
				 a.order);
		}
		break;
	case 1: /* double free, and the size of what was just freed (the class's hot object) */
		if (i >= 0) {
			a = live[i];
			release(i);
			bad_free(a.p, a.pages, a.order);
			snapshot();
			FUZZ_CHECK(heap_usable_size(&heap, a.p) == 0);
			unchanged();
		}
		break;
	case 2: /* the other free function */
		if (i >= 0)
			bad_free(live[i].p, !live[i].pages, live[i].order);
		break;
	case 3: /* wrong order */
		b2 = fuzz_u8(in);
		if (i >= 0 && live[i].pages)
			bad_free(live[i].p, true, (live[i].order + 1 + b2 % 9) % 10);
		break;
	case 4: /* outside the region */
		p = (uint8_t *)((uintptr_t)arena + ARENA_BYTES + (uintptr_t)b * BUDDY_PAGE_SIZE);
		bad_free(b & 1 ? (uint8_t *)((uintptr_t)arena - BUDDY_PAGE_SIZE) : p, b & 2,
			 b % 10);
		break;
	case 5: /* a granule where no live allocation starts */
		g = ((size_t)b | (size_t)fuzz_u8(in) << 8 | (size_t)(fuzz_u8(in) & 1) << 16);
		p = arena + g * GRANULE;
		for (unsigned int k = 0; k < nlive; k++)
			if (live[k].p == p)
				return;
		bad_free(p, false, 0);
		bad_free(p, true, b % 10);
		snapshot();
		FUZZ_CHECK(heap_usable_size(&heap, p) == 0);
		unchanged();
		break;
	case 6:
		snapshot();
		FUZZ_CHECK(heap_alloc_pages(&heap, BUDDY_MAX_ORDER + 1 + b % 200) == NULL);
		unchanged();
		break;
	default:
		snapshot();
		switch (b % 5) {
		case 0:
			buddy_free(&heap.buddy, 2ull * (b % 64) + 1,
				   1 + (b >> 3) % BUDDY_MAX_ORDER);
			break;
		case 1:
			buddy_free(&heap.buddy, NPAGES + b, 0);
			break;
		case 2:
			buddy_release(&heap.buddy, b, NPAGES);
			break;
		case 3:
			/* Every released page is free or allocated, never reserved. */
			buddy_release(&heap.buddy, 0, NPAGES - heap_meta_pages(NPAGES));
			break;
		default:
			FUZZ_CHECK(!buddy_set_owner(&heap.buddy, NPAGES + b, 1, 2));
			break;
		}
		unchanged();
		break;
	}
}

FUZZ_NO_COVERAGE static void check_stats(void)
{
	struct heap_stats st;
	uint64_t in_use[SLAB_NCLASSES] = {0};
	uint64_t large = 0, large_pages = 0, pages = 0, page_pages = 0;
	uint64_t slabs = 0, fp = 0;

	heap_stats(&heap, &st);
	for (unsigned int i = 0; i < nlive; i++) {
		const struct alloc *a = &live[i];

		if (a->pages) {
			pages++;
			page_pages += 1ull << a->order;
		} else if (a->usable > SLAB_MAX_SIZE) {
			large++;
			large_pages += 1ull << a->order;
		} else {
			unsigned c = 0;

			while ((32u << c) < a->usable)
				c++;
			in_use[c]++;
		}
	}
	for (unsigned c = 0; c < SLAB_NCLASSES; c++) {
		FUZZ_CHECK(st.cls[c].size == 32u << c);
		FUZZ_CHECK(st.cls[c].in_use == in_use[c]);
		FUZZ_CHECK(st.cls[c].free + st.cls[c].in_use ==
			   st.cls[c].slabs * (4096u >> (5 + c)));
		slabs += st.cls[c].slabs;
	}
	FUZZ_CHECK(st.large_allocs == large && st.large_pages == large_pages);
	FUZZ_CHECK(st.page_allocs == pages && st.page_pages == page_pages);
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		fp += st.free_blocks[o] << o;
	FUZZ_CHECK(fp == st.free_pages);
	FUZZ_CHECK(st.free_pages + large_pages + page_pages + slabs + st.record_pages == released);
	FUZZ_CHECK(st.records_free <= st.record_pages * 128);
}

static void setup(struct fuzz_in *in)
{
	uint64_t mp = heap_meta_pages(NPAGES);
	uint64_t top = NPAGES - mp;
	uint8_t flags = fuzz_u8(in);
	uint64_t hs = top;
	uint64_t hl = 0;

	if (!arena) {
		arena = aligned_alloc(2 * MIB, ARENA_BYTES);
		FUZZ_CHECK(arena != NULL);
	}
	nlive = 0;
	next_id = 0;
	if (flags & 1) {
		hs = 4ull * fuzz_u8(in);
		hl = fuzz_u8(in) % 64;
		if (hs > top)
			hs = top;
		if (hl > top - hs)
			hl = top - hs;
	}
	heap_init(&heap, arena, NPAGES, (struct buddy_page *)(arena + top * BUDDY_PAGE_SIZE),
		  violation, NULL);
	if (hs > 0)
		buddy_release(&heap.buddy, 0, hs);
	if (hs + hl < top)
		buddy_release(&heap.buddy, hs + hl, top - hs - hl);
	released = top - hl;
	shadow_mark(arena + top * BUDDY_PAGE_SIZE, mp * BUDDY_PAGE_SIZE, OWNER_FIXED);
	if (hl)
		shadow_mark(arena + hs * BUDDY_PAGE_SIZE, hl * BUDDY_PAGE_SIZE, OWNER_FIXED);
	FUZZ_CHECK(buddy_free_pages(&heap.buddy) == released);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	long i = 0;

	setup(&in);
	for (unsigned int ops = 0; !fuzz_empty(&in) && ops < MAX_OPS; ops++) {
		uint8_t op = fuzz_u8(&in);

		if (op & 0x10) {
			misuse(op >> 5, &in);
			continue;
		}
		switch (op & 7) {
		case 0:
			do_alloc(fuzz_u8(&in));
			break;
		case 1:
			do_alloc(fuzz_uint(&in, 2));
			break;
		case 2:
			do_alloc(fuzz_uint(&in, 3));
			break;
		case 3:
			i = pick(fuzz_u8(&in), false);
			if (i >= 0)
				release(i);
			else
				heap_free(&heap, NULL);
			break;
		case 4:
			do_alloc_pages(fuzz_u8(&in) % (BUDDY_MAX_ORDER + 1));
			break;
		case 5:
			i = pick(fuzz_u8(&in), true);
			if (i >= 0)
				release(i);
			break;
		case 6:
			i = pick(fuzz_u8(&in), (op & 8) != 0);
			if (i >= 0) {
				verify(&live[i]);
				FUZZ_CHECK(heap_usable_size(&heap, live[i].p) == live[i].usable);
				check_page_info(&live[i]);
			}
			break;
		default:
			if (op & 8)
				heap_trim(&heap);
			check_stats();
			break;
		}
	}
	check_stats();
	while (nlive > 0)
		release((long)nlive - 1);
	heap_trim(&heap);
	check_stats();
	FUZZ_CHECK(buddy_free_pages(&heap.buddy) == released);
	/* Leave the shadow clear for the next input: only the fixed marks remain. */
	shadow_mark(arena, ARENA_BYTES, 0);
	return 0;
}
