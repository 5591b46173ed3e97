/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: slab caches for 32..2048-byte objects and whole-page allocations, both on
 * one buddy allocator (copra/buddy.h) over a region mapped at `base_va`, page i at
 * base_va + i * 4096, with an optional per-CPU object cache in front of the slabs.
 *
 * Two kinds of call, with different locking contracts (the heap takes no lock itself):
 *  - core calls (heap_alloc, heap_free, heap_alloc_pages, heap_free_pages, heap_usable_size,
 *    heap_trim, heap_stats): the caller serialises each one with every other call on the heap,
 *    per-CPU calls included (host tests, or the kernel before per-CPU caches exist);
 *  - per-CPU calls (heap_cpu_*, heap_reclaim): the caller owns its CPU's cache for the duration
 *    of the call (the kernel: interrupts off and that cache's lock held); what they touch
 *    beyond that cache is guarded through the `struct heap_sync` hooks given to heap_set_cpus.
 * No recursion, no allocation outside the region. Misuse (freeing something that heap_alloc
 * did not return, double free, a pointer outside the region or off an object boundary, mixing
 * heap_free and heap_free_pages, a cache that is not one of the heap's) goes to the buddy's
 * violation callback and changes nothing. For heap-level reports the callback's `page`
 * argument is the page index of the pointer within the region, or the pointer (or cache)
 * value itself when the description says it lies outside the region (is not the heap's);
 * `order` is the page order involved (0 for slab objects).
 *
 * Layout. Every slab is one 4 KiB page holding exactly 4096 / size objects, each aligned to
 * its size. The page's buddy entry says who owns it (owner = HEAP_OWNER_SLAB + class) and
 * where its 32-byte slab record lives (owner_data = record id). Records (free-object bitmap,
 * free count, list links) are packed 128 to a "record page", also taken from the buddy, so
 * record id r sits at base_va + r * 32. The only allocator state inside a slab page is a tag
 * in every free object: bytes 8..15 hold HEAP_FREE_TAG ^ its address (cleared when the
 * object is handed out). Pages given out whole carry HEAP_OWNER_LARGE (heap_alloc above 2048
 * bytes) or HEAP_OWNER_PAGES (heap_alloc_pages), and each must go back through the matching
 * free.
 *
 * Per-CPU caches. Each CPU's struct heap_cpu keeps, per class, a hot slot and a magazine of
 * up to HEAP_MAG_CAP(class) free objects, all still marked allocated in their slabs' bitmaps.
 * A per-CPU allocation takes the hot object or pops the magazine; a per-CPU free validates the
 * pointer (region, the page's owner tag, object boundary) and, unless the object holds its tag,
 * fills the hot slot or pushes: nothing shared is written. An empty magazine is refilled from
 * the slabs with a slab's worth (at least 8, at most half the magazine), a full one gives its
 * older half back, both under the shared lock. A free of an object that holds its tag takes
 * the slow path, which looks at the slab bitmap and searches every cache: a double free is
 * reported, a live object that only happens to hold that value is freed. Objects may be freed
 * on any CPU. Before a per-CPU allocation reports exhaustion it drains every cache back into
 * the slabs and gives empty slabs back to the buddy (heap_reclaim), so cached memory never
 * makes it fail.
 *
 * Region set-up with the metadata inside the region, at its top:
 *
 *	uint64_t mp = heap_meta_pages(npages);            // npages > mp
 *	struct buddy_page *meta = (void *)((char *)base_va + (npages - mp) * 4096);
 *	heap_init(h, base_va, npages, meta, violation, ctx);
 *	buddy_release(&h->buddy, 0, npages - mp);          // minus any other reserved pages
 *	heap_set_cpus(h, caches, ncpus, &sync);             // optional: per-CPU caches
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
 * them from the slabs and the per-CPU caches.
 */
struct slab_cache {
	uint32_t partial; /* slabs with at least one free object */
	uint32_t pad;
	uint64_t slabs; /* slab pages held */
};

/*
 * Objects one CPU keeps per class besides the hot one: 1024 of 32 and of 64 bytes, 32 KiB
 * worth of each bigger class; at most 256 KiB per CPU, all of it given back by heap_reclaim.
 */
#define HEAP_MAG_CAP(c) ((c) < 2 ? 1024u : 32768u >> (SLAB_MIN_SHIFT + (c)))
#define HEAP_MAG_SLOTS                                                                             \
	(HEAP_MAG_CAP(0) + HEAP_MAG_CAP(1) + HEAP_MAG_CAP(2) + HEAP_MAG_CAP(3) + HEAP_MAG_CAP(4) + \
	 HEAP_MAG_CAP(5) + HEAP_MAG_CAP(6))

/* `who` of the heap_sync hooks for the state shared by all CPUs (slabs, records, buddy). */
#define HEAP_SYNC_SHARED 0xffffffffu

/* Word 1 (bytes 8..15) of a free slab object: this, XORed with the object's address. */
#define HEAP_FREE_TAG 0x9e3779b97f4a7c15ull

/*
 * One CPU's object cache. Per class c: hot[c], one object that an allocation takes first and
 * a free fills when it is empty (0: none; an alloc-free pair then updates no count), then a
 * magazine of count[c] objects in slot[], a stack with the most recently freed last, each as
 * its offset from base_va in 32-byte units. Touched only by the per-CPU calls that own it and by
 * heap_reclaim (which takes it through the hooks). About 10 KiB.
 */
struct heap_cpu {
	uintptr_t hot[SLAB_NCLASSES];
	uint32_t count[SLAB_NCLASSES];
	uint32_t slot[HEAP_MAG_SLOTS];
};

/*
 * How per-CPU calls reach what they do not own. lock(ctx, HEAP_SYNC_SHARED) must exclude every
 * other holder of the shared state; lock(ctx, i) must give the caller cache i the way the
 * owner of a per-CPU call holds it. The heap follows one order: a cache, then the shared
 * state; never two caches at once, never a cache while holding the shared state (a per-CPU
 * call releases its own cache through unlock(ctx, cpu) before it takes another, and takes it
 * back before it returns). NULL hooks: the caller runs every call on one thread.
 */
struct heap_sync {
	void (*lock)(void *ctx, unsigned who);
	void (*unlock)(void *ctx, unsigned who);
	void *ctx;
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
	struct heap_cpu *cpus;		    /* per-CPU caches (heap_set_cpus), or NULL */
	uint32_t ncpus;
	struct heap_sync sync;
};

struct heap_class_stats {
	uint32_t size;
	uint64_t in_use; /* objects allocated (handed out and not freed) */
	uint64_t slabs;	 /* pages held by the class, including the cached empty one */
	uint64_t free;	 /* free objects in those slabs, not counting... */
	uint64_t cached; /* ...free objects held by per-CPU caches */
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

/*
 * Returns cached empty slabs and the spare record page to the buddy (walks the partial lists).
 * Objects in per-CPU caches stay there (heap_reclaim drains them).
 */
void heap_trim(struct heap *h);

/* A snapshot of the counters; walks the partial lists to count free objects. */
void heap_stats(const struct heap *h, struct heap_stats *out);

/*
 * Installs `ncpus` per-CPU caches (emptied here) at `cpus`, which must stay valid for the
 * heap's life, and the hooks per-CPU calls use (copied; a NULL hook is skipped). A core call:
 * nothing else may run on the heap meanwhile.
 */
void heap_set_cpus(struct heap *h, struct heap_cpu *cpus, uint32_t ncpus,
		   const struct heap_sync *sync);

/*
 * The per-CPU calls. `c` is the caller's cache, one of those given to heap_set_cpus; the fast
 * paths trust it, the others refuse (and report) anything else.
 *
 * heap_cpu_alloc is heap_alloc through cache c: the same sizes, alignment and NULL results,
 * except that it fails only after heap_reclaim, that is when the request cannot be met even
 * with every per-CPU cache drained and every empty slab given back.
 */
void *heap_cpu_alloc(struct heap *h, struct heap_cpu *c, size_t size);

/* heap_free through cache c; the object may have been allocated on any CPU. */
void heap_cpu_free(struct heap *h, struct heap_cpu *c, void *ptr);

/* heap_alloc_pages (reclaiming before it fails) and heap_free_pages for the owner of c. */
void *heap_cpu_alloc_pages(struct heap *h, struct heap_cpu *c, unsigned order);
void heap_cpu_free_pages(struct heap *h, struct heap_cpu *c, void *ptr, unsigned order);

/*
 * Gives every per-CPU cache's objects back to their slabs and then trims (heap_trim). `own` is
 * the cache the caller holds (released and taken back around the work), or NULL; the caller
 * must not hold the shared state.
 */
void heap_reclaim(struct heap *h, struct heap_cpu *own);

#endif
