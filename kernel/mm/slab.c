/* SPDX-License-Identifier: MIT */
/*
 * Slab caches and the heap on top of the buddy allocator (interface in copra/slab.h).
 *
 * Class c holds objects of 32 << c bytes, 128 >> c of them per one-page slab. A slab's state
 * lives in a 32-byte record outside the page: a bitmap of free objects (bit set = free), the
 * free count, the page and links for the class's partial list. Allocation takes the head of
 * the partial list and the lowest set bit of its bitmap (two words at most), so neither path
 * scans; the bitmap is also what refuses a double free. Freed objects are never written, so a
 * stray write into a free object cannot corrupt the allocator. The fast paths (an object from
 * a partial slab; a free that leaves the slab neither newly partial nor empty) touch only the
 * class's list head, the page's buddy entry and the record, and keep no counters; everything
 * else is in separate, out-of-line functions.
 *
 * Invariants:
 *  - a class's partial list holds exactly its slabs with nfree > 0;
 *  - a slab whose objects are all free is kept only while it is the only slab on its partial
 *    list, so each class caches at most one empty slab (a slab that becomes empty while other
 *    slabs have free objects goes back to the buddy at once);
 *  - a record is either on the free-record list (cls == REC_FREE) or describes one slab page
 *    whose buddy head carries owner HEAP_OWNER_SLAB + cls and owner_data = record id;
 *  - a record page's buddy owner_data counts its records in use; at most one record page with
 *    none in use is kept (rec_spare).
 */
#include <copra/slab.h>
#include <lib/checked.h>
#include <lib/compiler.h>

#define REC_SHIFT	 5
#define RECS_PER_PAGE	 (BUDDY_PAGE_SIZE >> REC_SHIFT)
#define REC_FREE	 0xffff
#define OBJS_MAX	 (BUDDY_PAGE_SIZE >> SLAB_MIN_SHIFT) /* 128, the bitmap's width */
#define PAGE_OFFSET_MASK (BUDDY_PAGE_SIZE - 1)

struct slab_rec {
	uint64_t free_map[OBJS_MAX / 64];
	uint32_t next;
	uint32_t prev;
	uint32_t page;
	uint16_t nfree;
	uint16_t cls;
};

_Static_assert(sizeof(struct slab_rec) == 1u << REC_SHIFT, "records are packed 128 per page");

/* What a pointer handed to a free or a query turned out to be. */
enum heap_kind {
	KIND_SLAB,
	KIND_LARGE,
	KIND_PAGES,
};

struct heap_loc {
	uint64_t page;
	enum heap_kind kind;
	unsigned cls;	/* KIND_SLAB */
	unsigned idx;	/* KIND_SLAB: object index in the slab */
	unsigned order; /* KIND_LARGE / KIND_PAGES */
};

static void report(const struct heap *h, const char *what, uint64_t page, unsigned order)
{
	if (h->buddy.violation)
		h->buddy.violation(h->buddy.ctx, what, page, order);
}

static inline struct slab_rec *rec(const struct heap *h, uint32_t id)
{
	return (struct slab_rec *)(h->base + ((uintptr_t)id << REC_SHIFT));
}

static inline void *page_va(const struct heap *h, uint64_t page)
{
	return (void *)(h->base + (uintptr_t)(page << BUDDY_PAGE_SHIFT));
}

static inline unsigned objs_per_slab(unsigned cls)
{
	return OBJS_MAX >> cls;
}

static void list_push(struct heap *h, uint32_t *head, uint32_t id)
{
	struct slab_rec *r = rec(h, id);

	r->prev = BUDDY_NONE;
	r->next = *head;
	if (*head != BUDDY_NONE)
		rec(h, *head)->prev = id;
	*head = id;
}

static void list_unlink(struct heap *h, uint32_t *head, uint32_t id)
{
	struct slab_rec *r = rec(h, id);

	if (r->prev != BUDDY_NONE)
		rec(h, r->prev)->next = r->next;
	else
		*head = r->next;
	if (r->next != BUDDY_NONE)
		rec(h, r->next)->prev = r->prev;
}

/* Takes a record page from the buddy and puts its records on the free list. */
static bool rec_page_add(struct heap *h)
{
	uint64_t page = 0;

	if (!buddy_alloc(&h->buddy, 0, &page))
		return false;
	buddy_set_owner(&h->buddy, page, HEAP_OWNER_SLABREC, 0);
	for (uint64_t i = RECS_PER_PAGE; i-- > 0;) {
		uint32_t id = (uint32_t)(page * RECS_PER_PAGE + i);

		rec(h, id)->cls = REC_FREE;
		list_push(h, &h->rec_free, id);
	}
	h->rec_free_count += RECS_PER_PAGE;
	h->rec_pages++;
	return true;
}

static void rec_page_remove(struct heap *h, uint64_t page)
{
	for (uint64_t i = 0; i < RECS_PER_PAGE; i++)
		list_unlink(h, &h->rec_free, (uint32_t)(page * RECS_PER_PAGE + i));
	h->rec_free_count -= RECS_PER_PAGE;
	h->rec_pages--;
	buddy_free(&h->buddy, page, 0);
}

/* A free record id, or BUDDY_NONE when no page is left for a new record page. */
static uint32_t rec_alloc(struct heap *h)
{
	uint32_t id = BUDDY_NONE;
	uint64_t page = 0;

	if (h->rec_free == BUDDY_NONE && !rec_page_add(h))
		return BUDDY_NONE;
	id = h->rec_free;
	list_unlink(h, &h->rec_free, id);
	h->rec_free_count--;
	page = id / RECS_PER_PAGE;
	h->buddy.meta[page].owner_data++;
	if (page == h->rec_spare)
		h->rec_spare = BUDDY_NONE;
	return id;
}

static void rec_release(struct heap *h, uint32_t id)
{
	uint64_t page = id / RECS_PER_PAGE;

	rec(h, id)->cls = REC_FREE;
	list_push(h, &h->rec_free, id);
	h->rec_free_count++;
	if (--h->buddy.meta[page].owner_data != 0)
		return;
	if (h->rec_spare == BUDDY_NONE)
		h->rec_spare = (uint32_t)page;
	else
		rec_page_remove(h, page);
}

/*
 * A new, entirely free slab for class `cls` on its partial list, or false when the buddy
 * cannot supply its page (and a record page when no record is free); nothing changes then.
 */
static bool slab_grow(struct heap *h, unsigned cls)
{
	struct slab_cache *c = &h->cache[cls];
	unsigned per = objs_per_slab(cls);
	uint64_t need = h->rec_free == BUDDY_NONE ? 2 : 1;
	uint64_t page = 0;
	uint32_t id = BUDDY_NONE;
	struct slab_rec *r = NULL;

	if (buddy_free_pages(&h->buddy) < need)
		return false;
	id = rec_alloc(h);
	if (id == BUDDY_NONE)
		return false;
	if (!buddy_alloc(&h->buddy, 0, &page)) {
		rec_release(h, id);
		return false;
	}
	buddy_set_owner(&h->buddy, page, (uint16_t)(HEAP_OWNER_SLAB + cls), id);
	r = rec(h, id);
	r->free_map[0] = per >= 64 ? ~0ull : (1ull << per) - 1;
	r->free_map[1] = per >= 128 ? ~0ull : 0;
	r->nfree = (uint16_t)per;
	r->page = (uint32_t)page;
	r->cls = (uint16_t)cls;
	list_push(h, &c->partial, id);
	c->slabs++;
	return true;
}

/* Gives an entirely free slab, already off its partial list, back to the buddy. */
static void slab_destroy(struct heap *h, unsigned cls, uint32_t id)
{
	uint64_t page = rec(h, id)->page;

	h->cache[cls].slabs--;
	rec_release(h, id);
	buddy_free(&h->buddy, page, 0);
}

uint64_t heap_meta_pages(uint64_t npages)
{
	uint64_t bytes = buddy_meta_bytes(npages);

	return (bytes + BUDDY_PAGE_SIZE - 1) >> BUDDY_PAGE_SHIFT;
}

void heap_init(struct heap *h, void *base_va, uint64_t npages, struct buddy_page *meta,
	       buddy_violation_fn violation, void *ctx)
{
	uintptr_t base = (uintptr_t)base_va;
	uintptr_t end = 0;
	const char *why = NULL;

	if (!base || !IS_ALIGNED(base, BUDDY_PAGE_SIZE)) {
		why = "heap_init: base_va is NULL or not page aligned, heap left empty";
		npages = 0;
	} else if (npages > HEAP_MAX_PAGES) {
		why = "heap_init: region larger than HEAP_MAX_PAGES, clamped";
		npages = HEAP_MAX_PAGES;
	}
	if (ADD_OVERFLOW(base, (uintptr_t)(npages << BUDDY_PAGE_SHIFT), &end)) {
		why = "heap_init: region wraps the address space, heap left empty";
		npages = 0;
	}
	buddy_init(&h->buddy, meta, npages, violation, ctx);
	h->base = base;
	h->bytes = npages << BUDDY_PAGE_SHIFT;
	for (unsigned i = 0; i < SLAB_NCLASSES; i++)
		h->cache[i] = (struct slab_cache){.partial = BUDDY_NONE};
	h->rec_free = BUDDY_NONE;
	h->rec_spare = BUDDY_NONE;
	h->rec_free_count = 0;
	h->rec_pages = 0;
	h->large_allocs = h->large_pages = 0;
	h->page_allocs = h->page_pages = 0;
	if (why)
		report(h, why, (uint64_t)base, 0);
}

/* Class of a size in 1..SLAB_MAX_SIZE: ceil(log2(size)) - 5, at least 0, without a branch. */
static inline unsigned size_class(size_t size)
{
	uint64_t m = ((uint64_t)size - 1) | ((1u << SLAB_MIN_SHIFT) - 1);

	return 64 - (unsigned)__builtin_clzll(m) - SLAB_MIN_SHIFT;
}

static void *alloc_block(struct heap *h, unsigned order, uint16_t owner)
{
	uint64_t page = 0;

	if (!buddy_alloc(&h->buddy, order, &page))
		return NULL;
	buddy_set_owner(&h->buddy, page, owner, 0);
	if (owner == HEAP_OWNER_LARGE) {
		h->large_allocs++;
		h->large_pages += 1ull << order;
	} else {
		h->page_allocs++;
		h->page_pages += 1ull << order;
	}
	return page_va(h, page);
}

static __attribute__((noinline)) void *alloc_large(struct heap *h, size_t size)
{
	uint64_t pages_m1 = ((uint64_t)size - 1) >> BUDDY_PAGE_SHIFT;
	unsigned order = pages_m1 ? 64 - (unsigned)__builtin_clzll(pages_m1) : 0;

	if (size == 0 || size > HEAP_MAX_ALLOC)
		return NULL;
	return alloc_block(h, order, HEAP_OWNER_LARGE);
}

/* Takes the lowest free object of the slab at the head of the class's partial list. */
static inline void *slab_take(struct heap *h, unsigned cls, uint32_t id)
{
	struct slab_rec *r = rec(h, id);
	uint64_t w = r->free_map[0];
	unsigned idx =
		w ? (unsigned)__builtin_ctzll(w) : 64 + (unsigned)__builtin_ctzll(r->free_map[1]);

	r->free_map[idx / 64] &= ~(1ull << (idx % 64));
	if (unlikely(--r->nfree == 0)) {
		h->cache[cls].partial = r->next;
		if (r->next != BUDDY_NONE)
			rec(h, r->next)->prev = BUDDY_NONE;
	}
	return (void *)(h->base + ((uintptr_t)r->page << BUDDY_PAGE_SHIFT) +
			((uintptr_t)idx << (SLAB_MIN_SHIFT + cls)));
}

static __attribute__((noinline)) void *alloc_grow(struct heap *h, unsigned cls)
{
	if (!slab_grow(h, cls))
		return NULL;
	return slab_take(h, cls, h->cache[cls].partial);
}

void *heap_alloc(struct heap *h, size_t size)
{
	unsigned cls = 0;
	uint32_t id = BUDDY_NONE;

	if (unlikely(size - 1 >= SLAB_MAX_SIZE))
		return alloc_large(h, size);
	cls = size_class(size);
	if (h->cache[cls].hot) {
		void *p = (void *)h->cache[cls].hot;

		h->cache[cls].hot = 0;
		return p;
	}
	id = h->cache[cls].partial;
	if (unlikely(id == BUDDY_NONE))
		return alloc_grow(h, cls);
	return slab_take(h, cls, id);
}

/*
 * Resolves a pointer that should be live: NULL and *out filled in, or why it is not. The
 * report's page argument goes to *bad (the pointer itself when it lies outside the region).
 */
static const char *locate(const struct heap *h, const void *ptr, struct heap_loc *out,
			  uint64_t *bad)
{
	uint64_t off = (uintptr_t)ptr - h->base;
	const struct buddy_page *m = NULL;
	unsigned cls = 0;
	const struct slab_rec *r = NULL;

	*bad = (uintptr_t)ptr;
	if (off >= h->bytes)
		return "heap: pointer outside the heap region";
	out->page = off >> BUDDY_PAGE_SHIFT;
	*bad = out->page;
	m = &h->buddy.meta[out->page];
	if (m->state != BUDDY_ALLOC_HEAD)
		return "heap: pointer into a page that is not an allocated block head";
	cls = (unsigned)m->owner - HEAP_OWNER_SLAB;
	if (cls < SLAB_NCLASSES) {
		unsigned shift = SLAB_MIN_SHIFT + cls;

		if (off & ((1ull << shift) - 1))
			return "heap: pointer not at an object boundary";
		out->kind = KIND_SLAB;
		out->cls = cls;
		out->idx = (unsigned)((off & PAGE_OFFSET_MASK) >> shift);
		out->order = 0;
		r = rec(h, m->owner_data);
		if (r->free_map[out->idx / 64] & (1ull << (out->idx % 64)))
			return "heap: object is already free (double free)";
		return NULL;
	}
	out->order = m->order;
	if (m->owner == HEAP_OWNER_LARGE)
		out->kind = KIND_LARGE;
	else if (m->owner == HEAP_OWNER_PAGES)
		out->kind = KIND_PAGES;
	else
		return "heap: page holds no heap_alloc or heap_alloc_pages block";
	if (off & PAGE_OFFSET_MASK)
		return "heap: pointer inside a page allocation, not at its start";
	return NULL;
}

/* A free the fast path did not finish: large blocks and every refusal. */
static __attribute__((noinline)) void free_slow(struct heap *h, void *ptr)
{
	struct heap_loc loc = {.page = 0};
	uint64_t bad = 0;
	const char *why = NULL;

	if (!ptr)
		return;
	why = locate(h, ptr, &loc, &bad);
	if (!why && loc.kind == KIND_PAGES)
		why = "heap_free: block came from heap_alloc_pages";
	if (!why && loc.kind == KIND_SLAB && h->cache[loc.cls].hot == (uintptr_t)ptr)
		why = "heap: object is already free (double free)";
	if (!why && loc.kind == KIND_SLAB)
		why = "heap_free: internal error, live slab object refused by the fast path";
	if (why) {
		report(h, why, bad, loc.order);
		return;
	}
	h->large_allocs--;
	h->large_pages -= 1ull << loc.order;
	buddy_free(&h->buddy, loc.page, loc.order);
}

/* The slab `id` just went from full to one free object, or to all free beside other partials. */
static __attribute__((noinline)) void slab_changed(struct heap *h, unsigned cls, uint32_t id)
{
	struct slab_cache *c = &h->cache[cls];
	struct slab_rec *r = rec(h, id);

	if (r->nfree == 1) {
		list_push(h, &c->partial, id);
		return;
	}
	/* Empty, and another slab has free objects (the only one with free objects is kept). */
	list_unlink(h, &c->partial, id);
	slab_destroy(h, cls, id);
}

/* Returns the slab object's slab record and bit when ptr is a live object of a slab. */
static inline __attribute__((always_inline)) bool
slab_object(struct heap *h, const void *ptr, unsigned *cls_out, uint32_t *id_out, unsigned *idx_out)
{
	uint64_t off = (uintptr_t)ptr - h->base;
	const struct buddy_page *m = NULL;
	unsigned cls = 0;
	unsigned shift = 0;
	unsigned idx = 0;
	struct slab_rec *r = NULL;

	/* NULL lies outside the region too: heap_init refuses a NULL base. */
	if (unlikely(off >= h->bytes))
		return false;
	m = &h->buddy.meta[off >> BUDDY_PAGE_SHIFT];
	/* One unsigned compare checks both the state and a slab owner tag. */
	cls = (((unsigned)m->state << 16) | m->owner) -
	      (((unsigned)BUDDY_ALLOC_HEAD << 16) | HEAP_OWNER_SLAB);
	if (unlikely(cls >= SLAB_NCLASSES))
		return false;
	shift = SLAB_MIN_SHIFT + cls;
	if (unlikely(off & ((1ull << shift) - 1)))
		return false;
	idx = (unsigned)((off & PAGE_OFFSET_MASK) >> shift);
	r = rec(h, m->owner_data);
	if (unlikely(r->free_map[idx / 64] & (1ull << (idx % 64))))
		return false;
	*cls_out = cls;
	*id_out = m->owner_data;
	*idx_out = idx;
	return true;
}

/* Marks a live object (checked by slab_object) free in its slab. */
static inline __attribute__((always_inline)) void slab_put(struct heap *h, unsigned cls,
							   uint32_t id, unsigned idx)
{
	struct slab_rec *r = rec(h, id);

	r->free_map[idx / 64] |= 1ull << (idx % 64);
	r->nfree++;
	if (unlikely(r->nfree == 1))
		slab_changed(h, cls, id);
	else if (unlikely(r->nfree == objs_per_slab(cls)) &&
		 !(h->cache[cls].partial == id && r->next == BUDDY_NONE))
		slab_changed(h, cls, id);
}

void heap_free(struct heap *h, void *ptr)
{
	unsigned cls = 0;
	unsigned idx = 0;
	uint32_t id = 0;
	uintptr_t hot = 0;

	if (unlikely(!slab_object(h, ptr, &cls, &id, &idx))) {
		free_slow(h, ptr);
		return;
	}
	hot = h->cache[cls].hot;
	if (unlikely(hot == (uintptr_t)ptr)) {
		free_slow(h, ptr); /* reports the double free */
		return;
	}
	if (!hot) {
		h->cache[cls].hot = (uintptr_t)ptr;
		return;
	}
	slab_put(h, cls, id, idx);
}

void *heap_alloc_pages(struct heap *h, unsigned order)
{
	if (order > BUDDY_MAX_ORDER) {
		report(h, "heap_alloc_pages: order above BUDDY_MAX_ORDER", 0, order);
		return NULL;
	}
	return alloc_block(h, order, HEAP_OWNER_PAGES);
}

void heap_free_pages(struct heap *h, void *ptr, unsigned order)
{
	struct heap_loc loc = {.order = order};
	uint64_t bad = 0;
	const char *why = locate(h, ptr, &loc, &bad);

	if (!why && loc.kind != KIND_PAGES)
		why = "heap_free_pages: block did not come from heap_alloc_pages";
	else if (!why && loc.order != order)
		why = "heap_free_pages: order differs from the allocation's";
	if (why) {
		report(h, why, bad, order);
		return;
	}
	h->page_allocs--;
	h->page_pages -= 1ull << order;
	buddy_free(&h->buddy, loc.page, order);
}

size_t heap_usable_size(const struct heap *h, const void *ptr)
{
	struct heap_loc loc = {.order = 0};
	uint64_t bad = 0;
	const char *why = locate(h, ptr, &loc, &bad);

	if (!why && loc.kind == KIND_SLAB && h->cache[loc.cls].hot == (uintptr_t)ptr)
		why = "heap: object is free";
	if (why) {
		report(h, why, bad, loc.order);
		return 0;
	}
	if (loc.kind == KIND_SLAB)
		return (size_t)1 << (SLAB_MIN_SHIFT + loc.cls);
	return (size_t)BUDDY_PAGE_SIZE << loc.order;
}

/* Puts every class's hot object back into its slab. */
static void flush_hot(struct heap *h)
{
	for (unsigned cls = 0; cls < SLAB_NCLASSES; cls++) {
		void *p = (void *)h->cache[cls].hot;
		unsigned c = 0;
		unsigned idx = 0;
		uint32_t id = 0;

		if (!p)
			continue;
		h->cache[cls].hot = 0;
		if (slab_object(h, p, &c, &id, &idx))
			slab_put(h, c, id, idx);
		else
			report(h, "heap: internal error, bad hot object", (uintptr_t)p, 0);
	}
}

void heap_trim(struct heap *h)
{
	flush_hot(h);
	for (unsigned cls = 0; cls < SLAB_NCLASSES; cls++) {
		struct slab_cache *c = &h->cache[cls];
		uint32_t id = c->partial;

		while (id != BUDDY_NONE) {
			struct slab_rec *r = rec(h, id);
			uint32_t next = r->next;

			if (r->nfree == objs_per_slab(cls)) {
				list_unlink(h, &c->partial, id);
				slab_destroy(h, cls, id);
			}
			id = next;
		}
	}
	if (h->rec_spare != BUDDY_NONE) {
		uint64_t page = h->rec_spare;

		h->rec_spare = BUDDY_NONE;
		rec_page_remove(h, page);
	}
}

void heap_stats(const struct heap *h, struct heap_stats *out)
{
	for (unsigned cls = 0; cls < SLAB_NCLASSES; cls++) {
		const struct slab_cache *c = &h->cache[cls];
		uint64_t free = 0;

		for (uint32_t id = c->partial; id != BUDDY_NONE; id = rec(h, id)->next)
			free += rec(h, id)->nfree;
		free += c->hot != 0; /* the hot object is free for the caller's purposes */
		out->cls[cls] = (struct heap_class_stats){
			.size = 1u << (SLAB_MIN_SHIFT + cls),
			.in_use = c->slabs * objs_per_slab(cls) - free,
			.slabs = c->slabs,
			.free = free,
		};
	}
	out->record_pages = h->rec_pages;
	out->records_free = h->rec_free_count;
	out->large_allocs = h->large_allocs;
	out->large_pages = h->large_pages;
	out->page_allocs = h->page_allocs;
	out->page_pages = h->page_pages;
	out->free_pages = buddy_free_pages(&h->buddy);
	for (unsigned o = 0; o < BUDDY_NORDERS; o++)
		out->free_blocks[o] = buddy_free_blocks(&h->buddy, o);
}
