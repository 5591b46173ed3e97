/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: slab caches for 32..2048-byte objects and whole-page allocations, both on
 * one buddy allocator (copra/buddy.h) over a region mapped at `base_va`, page i at
 * base_va + i * 4096.
 *
 * Pure code like the buddy: no locking (the caller serialises every call on one heap), no
 * recursion, no allocation outside the region. Misuse (freeing something that heap_alloc did
 * not return, double free, a pointer outside the region or off an object boundary, mixing
 * heap_free and heap_free_pages) goes to the buddy's violation callback and changes nothing.
 * For heap-level reports the callback's `page` argument is the page index of the pointer
 * within the region, or the pointer value itself when the description says it lies outside
 * the region; `order` is the page order involved (0 for slab objects).
 *
 * Layout. Every slab is one 4 KiB page holding exactly 4096 / size objects, each aligned to
 * its size; nothing else is stored in it. The page's buddy entry says who owns it
 * (owner = HEAP_OWNER_SLAB + class) and where its 32-byte slab record lives (owner_data =
 * record id). Records (free-object bitmap, free count, list links) are packed 128 to a "record
 * page", also taken from the buddy, so record id r sits at base_va + r * 32. Pages given out
 * whole carry HEAP_OWNER_LARGE (heap_alloc above 2048 bytes) or HEAP_OWNER_PAGES
 * (heap_alloc_pages), and each must go back through the matching free.
 *
 * Region set-up with the metadata inside the region, at its top:
 *
 *	uint64_t mp = heap_meta_pages(npages);            // npages > mp
 *	struct buddy_page *meta = (void *)((char *)base_va + (npages - mp) * 4096);
 *	heap_init(h, base_va, npages, meta, violation, ctx);
 *	buddy_release(&h->buddy, 0, npages - mp);          // minus any other reserved pages
 *
 * base_va must be non-NULL and 4 KiB aligned; 2 MiB alignment makes every order-k block
 * (4096 << k)-aligned (order 9: 2 MiB, so it can be mapped with one large page).
 */
#ifndef COPRA_SLAB_H
#define COPRA_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <copra/buddy.h>

#define SLAB_MIN_SHIFT 5  /* 32 bytes */
#define SLAB_MAX_SHIFT 11 /* 2048 bytes */
#define SLAB_NCLASSES  (SLAB_MAX_SHIFT - SLAB_MIN_SHIFT + 1)
#define SLAB_MAX_SIZE  (1u << SLAB_MAX_SHIFT)
#define HEAP_MAX_ALLOC (BUDDY_PAGE_SIZE << BUDDY_MAX_ORDER) /* 2 MiB */

/* Record ids (page * 128 + slot) are 32-bit and must stay below BUDDY_NONE: just under 128 GiB. */
#define HEAP_MAX_PAGES ((1ull << 25) - 1)

/* buddy_page.owner tags of the heap; HEAP_OWNER_SLAB + class for slab pages. */
#define HEAP_OWNER_LARGE   0x4801
#define HEAP_OWNER_PAGES   0x4802
#define HEAP_OWNER_SLABREC 0x4803
#define HEAP_OWNER_SLAB	   0x4810

/*
 * One size class. The partial list links slab record ids (BUDDY_NONE ends it), most recently
 * freed-into first. Objects in use are not counted on the fast paths; heap_stats derives
 * them from the slabs.
 */
/*
 * `hot` holds the most recently freed object of the class (0: none). It stays marked
 * allocated in its slab's bitmap, so the next heap_alloc of the class returns it without
 * touching the slab record; a second free of it, or heap_usable_size on it, is still caught
 * (one compare), and heap_trim / heap_stats account for it as free.
 */
struct slab_cache {
	uint32_t partial; /* slabs with at least one free object */
	uint32_t pad;
	uint64_t slabs; /* slab pages held */
	uintptr_t hot;	/* freed object kept for the next allocation, or 0 */
};

struct heap {
	struct buddy buddy;
	uintptr_t base;
	uint64_t bytes; /* npages * 4096 */
	struct slab_cache cache[SLAB_NCLASSES];
	uint32_t rec_free;  /* free slab records, doubly linked through their list fields */
	uint32_t rec_spare; /* an entirely free record page kept for reuse, or BUDDY_NONE */
	uint64_t rec_free_count;
	uint64_t rec_pages;
	uint64_t large_allocs, large_pages; /* heap_alloc above SLAB_MAX_SIZE */
	uint64_t page_allocs, page_pages;   /* heap_alloc_pages */
};

struct heap_class_stats {
	uint32_t size;
	uint64_t in_use; /* objects allocated */
	uint64_t slabs;	 /* pages held by the class, including the cached empty one */
	uint64_t free;	 /* free objects in those slabs */
};

struct heap_stats {
	struct heap_class_stats cls[SLAB_NCLASSES];
	uint64_t record_pages, records_free;
	uint64_t large_allocs, large_pages;
	uint64_t page_allocs, page_pages;
	uint64_t free_pages;		     /* in the buddy */
	uint64_t free_blocks[BUDDY_NORDERS]; /* per order, in the buddy */
};

/* Pages the buddy metadata of an npages region occupies (rounded up to whole pages). */
uint64_t heap_meta_pages(uint64_t npages);

/*
 * Sets up the heap over [base_va, base_va + npages * 4096) with every page reserved; hand the
 * usable pages over with buddy_release(&h->buddy, ...). `meta` holds buddy_meta_bytes(npages)
 * bytes (inside the region only on pages that stay reserved). A NULL or misaligned base or a
 * region above HEAP_MAX_PAGES is reported; the heap is then empty or clamped.
 */
void heap_init(struct heap *h, void *base_va, uint64_t npages, struct buddy_page *meta,
	       buddy_violation_fn violation, void *ctx);

/*
 * `size` bytes, or NULL when size is 0, above HEAP_MAX_ALLOC or the memory is exhausted
 * (never a violation: sizes may come from outside). Up to SLAB_MAX_SIZE the object comes from
 * the smallest class that fits and is aligned to that class size; above, it is a whole buddy
 * block of the smallest fitting order, page aligned. Contents are not initialised. A slab
 * allocation fails only when its class has no free object and the buddy has no free page (or
 * exactly one and no free slab record); a block fails when the buddy has none of its order.
 */
void *heap_alloc(struct heap *h, size_t size);

/* Frees what heap_alloc returned; NULL is ignored; anything else is a violation. */
void heap_free(struct heap *h, void *ptr);

/* 2^order pages, page aligned (see base_va above), or NULL when exhausted. */
void *heap_alloc_pages(struct heap *h, unsigned order);

/* Frees what heap_alloc_pages(h, order) returned, with the same order (NULL is a violation). */
void heap_free_pages(struct heap *h, void *ptr, unsigned order);

/* Bytes usable at ptr (the class size or the block size); 0 and a violation if not live. */
size_t heap_usable_size(const struct heap *h, const void *ptr);

/* Returns cached empty slabs and the spare record page to the buddy (walks the partial lists). */
void heap_trim(struct heap *h);

/* A snapshot of the counters; walks the partial lists to count free objects. */
void heap_stats(const struct heap *h, struct heap_stats *out);

#endif
