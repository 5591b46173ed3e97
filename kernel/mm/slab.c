/* SPDX-License-Identifier: MIT */
/*
 * Slab caches, per-CPU object caches and the heap on top of the buddy allocator (interface and
 * locking contract in copra/slab.h).
 *
 * Class c holds objects of 32 << c bytes, 128 >> c of them per one-page slab. A slab's state
 * lives in a 32-byte record outside the page: a bitmap of free objects (bit set = free), the
 * free count, the page and links for the class's partial list. Allocation takes the head of
 * the partial list and the lowest set bit of its bitmap (two words at most), so neither path
 * scans; the bitmap is also what refuses a double free of an object back in its slab.
 *
 * Every free object, in its slab or in a per-CPU cache, holds a tag in its word 1 (bytes
 * 8..15): HEAP_FREE_TAG ^ its address; an object loses it when it is handed out. That is the
 * only allocator state kept in object memory (no free lists run through objects, so a stray
 * write into a free object cannot corrupt the allocator: at worst it hides a later double free
 * of that very object from the per-CPU fast path). The per-CPU free fast path checks the
 * region, the page's owner tag (one load from its buddy entry) and the object boundary, then
 * the tag word: only when it holds the tag does it consult the slab bitmap and the caches,
 * which tell a double free from a live object that merely contains that value.
 *
 * Per-CPU caches (heap_cpu_*): per class a hot slot, then a magazine (a stack of slots). The
 * fast paths take the hot object or pop the magazine / fill the hot slot or push onto it, and
 * touch nothing shared but the page's buddy entry, read to validate a free (for a live object
 * it cannot change meanwhile: its slab stays allocated). They take no lock and keep no
 * counters; refill, flush, blocks, reclaim and every refusal are separate, out-of-line
 * functions, which take the shared lock through the hooks.
 *
 * Invariants:
 *  - a class's partial list holds exactly its slabs with nfree > 0;
 *  - a slab whose objects are all free is kept only while it is the only slab on its partial
 *    list, so each class caches at most one empty slab (a slab that becomes empty while other
 *    slabs have free objects goes back to the buddy at once);
 *  - a record is either on the free-record list (cls == REC_FREE) or describes one slab page
 *    whose buddy head carries owner HEAP_OWNER_SLAB + cls and owner_data = record id;
 *  - a record page's buddy owner_data counts its records in use; at most one record page with
 *    none in use is kept (rec_spare);
 *  - an object in a per-CPU cache is marked allocated in its slab and is held once, by one
 *    cache; every free object (slab or cache) holds its tag.
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

/* The heap's one access to object memory: the tag word of free objects. */
typedef uint64_t __attribute__((may_alias)) heap_word;

_Static_assert(SLAB_NCLASSES == 7, "the per-class tables below have 7 entries");

/* Magazine capacity per class, and where each class's magazine starts in heap_cpu.slot. */
#define CAPS_BELOW(c)                                                        \
	(((c) > 0 ? HEAP_MAG_CAP(0) : 0) + ((c) > 1 ? HEAP_MAG_CAP(1) : 0) + \
	 ((c) > 2 ? HEAP_MAG_CAP(2) : 0) + ((c) > 3 ? HEAP_MAG_CAP(3) : 0) + \
	 ((c) > 4 ? HEAP_MAG_CAP(4) : 0) + ((c) > 5 ? HEAP_MAG_CAP(5) : 0) + \
	 ((c) > 6 ? HEAP_MAG_CAP(6) : 0))
static const uint16_t mag_cap[SLAB_NCLASSES] = {
	HEAP_MAG_CAP(0), HEAP_MAG_CAP(1), HEAP_MAG_CAP(2), HEAP_MAG_CAP(3),
	HEAP_MAG_CAP(4), HEAP_MAG_CAP(5), HEAP_MAG_CAP(6),
};
static const uint16_t mag_base[SLAB_NCLASSES] = {
	CAPS_BELOW(0), CAPS_BELOW(1), CAPS_BELOW(2), CAPS_BELOW(3),
	CAPS_BELOW(4), CAPS_BELOW(5), CAPS_BELOW(6),
};

_Static_assert(CAPS_BELOW(SLAB_NCLASSES) == HEAP_MAG_SLOTS, "the magazines fill heap_cpu.slot");

/* Offset bits that must be clear in a class-c object's address (relative to the region). */
static const uint16_t obj_mask[SLAB_NCLASSES] = {31, 63, 127, 255, 511, 1023, 2047};

/*
 * A slab page's buddy head read as one 32-bit word (owner, state, order; little endian, as in
 * the layout copra/buddy.h documents): SLAB_HEAD + class for every slab page.
 */
typedef uint32_t __attribute__((may_alias)) head_word;
#define SLAB_HEAD ((uint32_t)HEAP_OWNER_SLAB | (uint32_t)BUDDY_ALLOC_HEAD << 16)
_Static_assert(__builtin_offsetof(struct buddy_page, owner) == 12 &&
		       __builtin_offsetof(struct buddy_page, state) == 14 &&
		       __builtin_offsetof(struct buddy_page, order) == 15,
	       "owner, state and order form the last word of a buddy_page");

static inline uint64_t free_tag(uintptr_t p)
{
	return HEAP_FREE_TAG ^ (uint64_t)p;
}

/*
 * The tag sits in word 1, like glibc's tcache key: a caller's last store before a free is
 * likeliest in word 0, and a load of a word that a narrower store is still writing stalls.
 */
static inline bool tagged(const void *p)
{
	return ((const heap_word *)p)[1] == free_tag((uintptr_t)p);
}

static inline void tag_set(uintptr_t p)
{
	((heap_word *)p)[1] = free_tag(p);
}

static inline void tag_clear(uintptr_t p)
{
	((heap_word *)p)[1] = 0;
}

/* A magazine slot and the object it names. */
static inline uintptr_t slot_obj(const struct heap *h, uint32_t slot)
{
	return h->base + ((uintptr_t)slot << SLAB_MIN_SHIFT);
}

static inline uint32_t obj_slot(const struct heap *h, uintptr_t p)
{
	return (uint32_t)((p - h->base) >> SLAB_MIN_SHIFT);
}

static inline void sync_lock(const struct heap *h, unsigned who)
{
	if (h->sync.lock)
		h->sync.lock(h->sync.ctx, who);
}

static inline void sync_unlock(const struct heap *h, unsigned who)
{
	if (h->sync.unlock)
		h->sync.unlock(h->sync.ctx, who);
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
	for (unsigned i = 0; i < per; i++)
		tag_set(h->base + ((uintptr_t)page << BUDDY_PAGE_SHIFT) +
			((uintptr_t)i << (SLAB_MIN_SHIFT + cls)));
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
	h->cpus = NULL;
	h->ncpus = 0;
	h->sync = (struct heap_sync){.lock = NULL};
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
	uintptr_t p = 0;
	unsigned idx =
		w ? (unsigned)__builtin_ctzll(w) : 64 + (unsigned)__builtin_ctzll(r->free_map[1]);

	r->free_map[idx / 64] &= ~(1ull << (idx % 64));
	if (unlikely(--r->nfree == 0)) {
		h->cache[cls].partial = r->next;
		if (r->next != BUDDY_NONE)
			rec(h, r->next)->prev = BUDDY_NONE;
	}
	p = h->base + ((uintptr_t)r->page << BUDDY_PAGE_SHIFT) +
	    ((uintptr_t)idx << (SLAB_MIN_SHIFT + cls));
	tag_clear(p);
	return (void *)p;
}

/*
 * Moves up to `want` (> 0) free objects of class `cls` out of its slabs, growing new slabs
 * while none has a free object, and stores them as magazine slots (offsets in 32-byte units)
 * from out[want - 1] down, lowest address first within a slab. Returns how many; fewer than
 * `want` only when the buddy cannot supply another slab. Free objects keep their tags.
 */
static unsigned slab_take_many(struct heap *h, unsigned cls, uint32_t *out, unsigned want)
{
	struct slab_cache *c = &h->cache[cls];
	unsigned got = 0;

	while (got < want) {
		struct slab_rec *r = NULL;
		uint32_t first = 0; /* slot of the slab's object 0 */
		unsigned took = 0;

		if (c->partial == BUDDY_NONE && !slab_grow(h, cls))
			break;
		r = rec(h, c->partial);
		first = r->page << (BUDDY_PAGE_SHIFT - SLAB_MIN_SHIFT);
		for (unsigned w = 0; w < OBJS_MAX / 64 && got + took < want; w++) {
			uint64_t bits = r->free_map[w];

			while (bits && got + took < want) {
				unsigned idx = w * 64 + (unsigned)__builtin_ctzll(bits);

				bits &= bits - 1;
				out[want - 1 - got - took++] = first + (idx << cls);
			}
			r->free_map[w] = bits;
		}
		got += took;
		r->nfree = (uint16_t)(r->nfree - took);
		if (r->nfree == 0) {
			c->partial = r->next;
			if (r->next != BUDDY_NONE)
				rec(h, r->next)->prev = BUDDY_NONE;
		}
	}
	return got;
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
	id = h->cache[cls].partial;
	if (unlikely(id == BUDDY_NONE))
		return alloc_grow(h, cls);
	return slab_take(h, cls, id);
}

/* Whether cache c holds p among its class-cls objects. */
static bool cache_holds(const struct heap *h, const struct heap_cpu *c, unsigned cls, uintptr_t p)
{
	const uint32_t *mag = &c->slot[mag_base[cls]];
	uint32_t slot = obj_slot(h, p);

	if (c->hot[cls] == p)
		return true;
	for (uint32_t i = 0; i < c->count[cls]; i++)
		if (mag[i] == slot)
			return true;
	return false;
}

/* Whether any per-CPU cache holds p; core calls only (every cache is quiet). */
static bool cached_anywhere(const struct heap *h, unsigned cls, uintptr_t p)
{
	for (uint32_t i = 0; i < h->ncpus; i++)
		if (cache_holds(h, &h->cpus[i], cls, p))
			return true;
	return false;
}

/*
 * Whether any per-CPU cache holds p, for the owner of cache `me`: the others are searched one
 * at a time through the hooks, own cache released meanwhile (the hooks' lock order).
 */
static bool cached_anywhere_locked(const struct heap *h, unsigned me, unsigned cls, uintptr_t p)
{
	bool found = cache_holds(h, &h->cpus[me], cls, p);

	if (found || h->ncpus == 1)
		return found;
	sync_unlock(h, me);
	for (uint32_t i = 0; i < h->ncpus && !found; i++) {
		if (i == me)
			continue;
		sync_lock(h, i);
		found = cache_holds(h, &h->cpus[i], cls, p);
		sync_unlock(h, i);
	}
	sync_lock(h, me);
	return found;
}

/*
 * Resolves a pointer that should be live: NULL and *out filled in, or why it is not. The
 * report's page argument goes to *bad (the pointer itself when it lies outside the region).
 * An object held by a per-CPU cache counts as live here (callers check the tag).
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

/*
 * The class of ptr when it points at an object of a slab (free or not: every free one holds
 * its tag), or false. What the per-CPU free checks before it looks at the tag.
 */
static inline __attribute__((always_inline)) bool slab_class(const struct heap *h, const void *ptr,
							     unsigned *cls_out)
{
	uint64_t off = (uintptr_t)ptr - h->base;
	unsigned cls = 0;

	/* NULL lies outside the region too: heap_init refuses a NULL base. */
	if (unlikely(off >= h->bytes))
		return false;
	/* One compare checks the state, the order (0) and a slab owner tag. */
	cls = *(const head_word *)&h->buddy.meta[off >> BUDDY_PAGE_SHIFT].owner - SLAB_HEAD;
	if (unlikely(cls >= SLAB_NCLASSES || (off & obj_mask[cls])))
		return false;
	*cls_out = cls;
	return true;
}

/*
 * Returns the slab object's class, slab record and bit when ptr is an object of a slab that
 * is not free in it (it may be held by a per-CPU cache: see tagged()).
 */
static inline __attribute__((always_inline)) bool slab_object(const struct heap *h, const void *ptr,
							      unsigned *cls_out, uint32_t *id_out,
							      unsigned *idx_out)
{
	uint64_t off = (uintptr_t)ptr - h->base;
	const struct buddy_page *m = NULL;
	unsigned cls = 0;
	unsigned idx = 0;
	const struct slab_rec *r = NULL;

	/* NULL lies outside the region too: heap_init refuses a NULL base. */
	if (unlikely(off >= h->bytes))
		return false;
	m = &h->buddy.meta[off >> BUDDY_PAGE_SHIFT];
	/* One compare checks the state, the order (0) and a slab owner tag. */
	cls = *(const head_word *)&m->owner - SLAB_HEAD;
	if (unlikely(cls >= SLAB_NCLASSES))
		return false;
	if (unlikely(off & obj_mask[cls]))
		return false;
	idx = (unsigned)((off & PAGE_OFFSET_MASK) >> (SLAB_MIN_SHIFT + cls));
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

	if (unlikely(!slab_object(h, ptr, &cls, &id, &idx))) {
		free_slow(h, ptr);
		return;
	}
	if (unlikely(tagged(ptr)) && cached_anywhere(h, cls, (uintptr_t)ptr)) {
		report(h, "heap: object is already free (double free)",
		       ((uintptr_t)ptr - h->base) >> BUDDY_PAGE_SHIFT, 0);
		return;
	}
	tag_set((uintptr_t)ptr);
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

	if (!why && loc.kind == KIND_SLAB && tagged(ptr) &&
	    cached_anywhere(h, loc.cls, (uintptr_t)ptr))
		why = "heap: object is free";
	if (why) {
		report(h, why, bad, loc.order);
		return 0;
	}
	if (loc.kind == KIND_SLAB)
		return (size_t)1 << (SLAB_MIN_SHIFT + loc.cls);
	return (size_t)BUDDY_PAGE_SIZE << loc.order;
}

void heap_trim(struct heap *h)
{
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
		uint64_t cached = 0;

		for (uint32_t id = c->partial; id != BUDDY_NONE; id = rec(h, id)->next)
			free += rec(h, id)->nfree;
		for (uint32_t i = 0; i < h->ncpus; i++)
			cached += h->cpus[i].count[cls] + (h->cpus[i].hot[cls] != 0);
		out->cls[cls] = (struct heap_class_stats){
			.size = 1u << (SLAB_MIN_SHIFT + cls),
			.in_use = c->slabs * objs_per_slab(cls) - free - cached,
			.slabs = c->slabs,
			.free = free,
			.cached = cached,
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

/* --- Per-CPU caches ------------------------------------------------------------------- */

void heap_set_cpus(struct heap *h, struct heap_cpu *cpus, uint32_t ncpus,
		   const struct heap_sync *sync)
{
	if (ncpus && !cpus) {
		report(h, "heap_set_cpus: no caches given, per-CPU calls refused", ncpus, 0);
		ncpus = 0;
	}
	for (uint32_t i = 0; i < ncpus; i++) {
		for (unsigned cls = 0; cls < SLAB_NCLASSES; cls++) {
			cpus[i].hot[cls] = 0;
			cpus[i].count[cls] = 0;
		}
	}
	h->cpus = ncpus ? cpus : NULL;
	h->ncpus = ncpus;
	h->sync = sync ? *sync : (struct heap_sync){.lock = NULL};
}

/* Index of cache c in h->cpus; h->ncpus, reported, when c is not one of them. */
static unsigned cpu_index(const struct heap *h, const struct heap_cpu *c)
{
	uintptr_t off = (uintptr_t)c - (uintptr_t)h->cpus;

	if (!h->cpus || off % sizeof(*c) || off / sizeof(*c) >= h->ncpus) {
		report(h, "heap: per-CPU call with a cache that is not one of the heap's",
		       (uintptr_t)c, 0);
		return h->ncpus;
	}
	return (unsigned)(off / sizeof(*c));
}

/* Gives the object at p, held by a per-CPU cache, back to its slab (under the shared lock). */
static void cached_put(struct heap *h, uintptr_t p)
{
	unsigned cls = 0;
	unsigned idx = 0;
	uint32_t id = 0;

	if (likely(slab_object(h, (const void *)p, &cls, &id, &idx)))
		slab_put(h, cls, id, idx);
	else
		report(h, "heap: internal error, bad object in a per-CPU cache", p, 0);
}

/*
 * Gives back to their slabs the n class-cls magazine objects at slots (under the shared lock):
 * cached_put for a known class, in one loop, as every overflowing magazine runs it.
 */
static void mag_flush(struct heap *h, unsigned cls, const uint32_t *slots, unsigned n)
{
	unsigned shift = SLAB_MIN_SHIFT + cls;

	for (unsigned i = 0; i < n; i++) {
		uint64_t off = (uint64_t)slots[i] << SLAB_MIN_SHIFT;
		const struct buddy_page *m = &h->buddy.meta[off >> BUDDY_PAGE_SHIFT];
		unsigned idx = (unsigned)((off & PAGE_OFFSET_MASK) >> shift);

		if (unlikely(off >= h->bytes || *(const head_word *)&m->owner != SLAB_HEAD + cls ||
			     (off & obj_mask[cls]) ||
			     (rec(h, m->owner_data)->free_map[idx / 64] & (1ull << (idx % 64))))) {
			report(h, "heap: internal error, bad object in a per-CPU cache",
			       h->base + off, 0);
			continue;
		}
		slab_put(h, cls, m->owner_data, idx);
	}
}

/* Empties cache c into the slabs; the caller holds c and the shared lock. */
static void cpu_drain(struct heap *h, struct heap_cpu *c)
{
	for (unsigned cls = 0; cls < SLAB_NCLASSES; cls++) {
		if (c->hot[cls])
			cached_put(h, c->hot[cls]);
		mag_flush(h, cls, &c->slot[mag_base[cls]], c->count[cls]);
		c->hot[cls] = 0;
		c->count[cls] = 0;
	}
}

void heap_reclaim(struct heap *h, struct heap_cpu *own)
{
	unsigned me = own ? cpu_index(h, own) : h->ncpus;

	if (own && me >= h->ncpus)
		return;
	if (own)
		sync_unlock(h, me);
	for (uint32_t i = 0; i < h->ncpus; i++) {
		sync_lock(h, i);
		sync_lock(h, HEAP_SYNC_SHARED);
		cpu_drain(h, &h->cpus[i]);
		sync_unlock(h, HEAP_SYNC_SHARED);
		sync_unlock(h, i);
	}
	sync_lock(h, HEAP_SYNC_SHARED);
	heap_trim(h);
	sync_unlock(h, HEAP_SYNC_SHARED);
	if (own)
		sync_lock(h, me);
}

/* Objects one refill takes: a slab's worth, at least 8, at most half the magazine. */
static inline unsigned refill_count(unsigned cls)
{
	unsigned n = objs_per_slab(cls) < 8 ? 8 : objs_per_slab(cls);

	return n < mag_cap[cls] / 2u ? n : mag_cap[cls] / 2u;
}

/*
 * Class cls of cache c has no object: refills its magazine from the slabs (reclaiming first
 * when they and the buddy have nothing) and returns one object, or NULL.
 */
static __attribute__((noinline)) void *cpu_refill(struct heap *h, struct heap_cpu *c, unsigned cls)
{
	uint32_t *mag = &c->slot[mag_base[cls]];
	unsigned want = refill_count(cls);
	unsigned got = 0;
	uintptr_t p = 0;

	for (int attempt = 0; attempt < 2 && !got; attempt++) {
		if (attempt)
			heap_reclaim(h, c);
		sync_lock(h, HEAP_SYNC_SHARED);
		got = slab_take_many(h, cls, mag, want);
		sync_unlock(h, HEAP_SYNC_SHARED);
	}
	if (!got)
		return NULL;
	/* Slots were filled from the top: close the gap a short refill left. */
	for (unsigned i = 0; got < want && i < got; i++)
		mag[i] = mag[want - got + i];
	c->count[cls] = got - 1;
	p = slot_obj(h, mag[got - 1]);
	tag_clear(p);
	return (void *)p;
}

/* heap_cpu_alloc outside the slab classes: blocks, and the sizes that get NULL. */
static __attribute__((noinline)) void *cpu_alloc_slow(struct heap *h, struct heap_cpu *c,
						      size_t size)
{
	void *p = NULL;

	if (size == 0 || size > HEAP_MAX_ALLOC)
		return NULL;
	sync_lock(h, HEAP_SYNC_SHARED);
	p = alloc_large(h, size);
	sync_unlock(h, HEAP_SYNC_SHARED);
	if (p)
		return p;
	heap_reclaim(h, c);
	sync_lock(h, HEAP_SYNC_SHARED);
	p = alloc_large(h, size);
	sync_unlock(h, HEAP_SYNC_SHARED);
	return p;
}

/*
 * The two fast paths start on a cache line: short functions called back to back, whose speed
 * otherwise varies by 10-20% with where the linker puts them. No likely() on the hot slot:
 * alternating alloc/free takes it, bursts take the magazine, and both matter.
 */
__attribute__((aligned(64))) void *heap_cpu_alloc(struct heap *h, struct heap_cpu *c, size_t size)
{
	unsigned cls = 0;
	uint32_t n = 0;
	uintptr_t p = 0;

	if (unlikely(size - 1 >= SLAB_MAX_SIZE))
		return cpu_alloc_slow(h, c, size);
	cls = size_class(size);
	p = c->hot[cls];
	if (p) {
		c->hot[cls] = 0;
	} else {
		n = c->count[cls];
		if (unlikely(n == 0))
			return cpu_refill(h, c, cls);
		c->count[cls] = --n;
		p = slot_obj(h, c->slot[mag_base[cls] + n]);
	}
	tag_clear(p);
	return (void *)p;
}

/*
 * Puts a live object of class cls into cache c; a full magazine first gives its older half
 * back to the slabs.
 */
static __attribute__((noinline)) void cpu_put_slow(struct heap *h, struct heap_cpu *c, unsigned cls,
						   void *ptr)
{
	uint32_t *mag = &c->slot[mag_base[cls]];
	unsigned n = c->count[cls];
	unsigned half = n / 2;

	if (!c->hot[cls]) {
		c->hot[cls] = (uintptr_t)ptr;
		tag_set((uintptr_t)ptr);
		return;
	}
	if (n >= mag_cap[cls]) {
		sync_lock(h, HEAP_SYNC_SHARED);
		mag_flush(h, cls, mag, half);
		sync_unlock(h, HEAP_SYNC_SHARED);
		for (unsigned i = half; i < n; i++)
			mag[i - half] = mag[i];
		n -= half;
	}
	mag[n] = obj_slot(h, (uintptr_t)ptr);
	c->count[cls] = n + 1;
	tag_set((uintptr_t)ptr);
}

/* A free the per-CPU fast path did not finish: tagged objects, blocks, every refusal. */
static __attribute__((noinline)) void cpu_free_slow(struct heap *h, struct heap_cpu *c, void *ptr)
{
	unsigned cls = 0;
	unsigned idx = 0;
	uint32_t id = 0;
	unsigned me = 0;

	if (!ptr)
		return;
	sync_lock(h, HEAP_SYNC_SHARED);
	if (!slab_object(h, ptr, &cls, &id, &idx)) {
		free_slow(h, ptr); /* a block, or refused (free in its slab, not an object...) */
		sync_unlock(h, HEAP_SYNC_SHARED);
		return;
	}
	sync_unlock(h, HEAP_SYNC_SHARED);
	/* A live slab object with the tag: freed already, unless no cache holds it after all. */
	me = cpu_index(h, c);
	if (me >= h->ncpus)
		return;
	if (cached_anywhere_locked(h, me, cls, (uintptr_t)ptr))
		report(h, "heap: object is already free (double free)",
		       ((uintptr_t)ptr - h->base) >> BUDDY_PAGE_SHIFT, 0);
	else
		cpu_put_slow(h, c, cls, ptr);
}

__attribute__((aligned(64))) void heap_cpu_free(struct heap *h, struct heap_cpu *c, void *ptr)
{
	unsigned cls = 0;
	uint32_t n = 0;

	if (unlikely(!slab_class(h, ptr, &cls) || tagged(ptr))) {
		cpu_free_slow(h, c, ptr);
		return;
	}
	if (!c->hot[cls]) {
		c->hot[cls] = (uintptr_t)ptr;
	} else {
		n = c->count[cls];
		if (unlikely(n >= mag_cap[cls])) {
			cpu_put_slow(h, c, cls, ptr);
			return;
		}
		c->slot[mag_base[cls] + n] = obj_slot(h, (uintptr_t)ptr);
		c->count[cls] = n + 1;
	}
	tag_set((uintptr_t)ptr);
}

void *heap_cpu_alloc_pages(struct heap *h, struct heap_cpu *c, unsigned order)
{
	void *p = NULL;

	sync_lock(h, HEAP_SYNC_SHARED);
	p = heap_alloc_pages(h, order);
	sync_unlock(h, HEAP_SYNC_SHARED);
	if (p || order > BUDDY_MAX_ORDER)
		return p;
	heap_reclaim(h, c);
	sync_lock(h, HEAP_SYNC_SHARED);
	p = heap_alloc_pages(h, order);
	sync_unlock(h, HEAP_SYNC_SHARED);
	return p;
}

void heap_cpu_free_pages(struct heap *h, struct heap_cpu *c, void *ptr, unsigned order)
{
	sync_lock(h, HEAP_SYNC_SHARED);
	heap_free_pages(h, ptr, order);
	sync_unlock(h, HEAP_SYNC_SHARED);
}
