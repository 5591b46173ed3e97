/* SPDX-License-Identifier: MIT */
/*
 * Buddy page allocator (interface and metadata layout in copra/buddy.h).
 *
 * Invariants kept by every call that returns normally:
 *  - every page is in exactly one state; a block's head carries its order, its other pages are
 *    tails of the same kind (free or allocated);
 *  - free list `o` holds exactly the FREE_HEAD pages of order o, free_blocks[o] counts them and
 *    free_pages is the sum of their sizes;
 *  - two free buddies of the same order never coexist (they are merged on free and release).
 * Merging and splitting only rewrite head entries; allocating or freeing an order-k block also
 * flips its 2^k - 1 tails between FREE_TAIL and ALLOC_TAIL, which is what lets buddy_free
 * refuse a tail page or a wrong order with a single lookup.
 */
#include <copra/buddy.h>
#include <lib/checked.h>
#include <lib/compiler.h>

static void report(const struct buddy *b, const char *what, uint64_t page, unsigned order)
{
	if (b->violation)
		b->violation(b->ctx, what, page, order);
}

size_t buddy_meta_bytes(uint64_t npages)
{
	if (npages > BUDDY_MAX_PAGES)
		npages = BUDDY_MAX_PAGES;
	return (size_t)npages * sizeof(struct buddy_page);
}

static void list_push(struct buddy *b, uint64_t page, unsigned order)
{
	struct buddy_page *p = &b->meta[page];
	uint32_t old = b->free_head[order];

	p->state = BUDDY_FREE_HEAD;
	p->order = (uint8_t)order;
	p->owner = BUDDY_OWNER_NONE;
	p->owner_data = 0;
	p->prev = BUDDY_NONE;
	p->next = old;
	if (old != BUDDY_NONE)
		b->meta[old].prev = (uint32_t)page;
	b->free_head[order] = (uint32_t)page;
	b->free_blocks[order]++;
	b->free_pages += 1ull << order;
}

/* Takes a FREE_HEAD of `order` off its list; the caller rewrites its state. */
static void list_remove(struct buddy *b, uint64_t page, unsigned order)
{
	struct buddy_page *p = &b->meta[page];

	if (p->prev != BUDDY_NONE)
		b->meta[p->prev].next = p->next;
	else
		b->free_head[order] = p->next;
	if (p->next != BUDDY_NONE)
		b->meta[p->next].prev = p->prev;
	b->free_blocks[order]--;
	b->free_pages -= 1ull << order;
}

static void set_tails(struct buddy *b, uint64_t page, unsigned order, uint8_t state)
{
	uint64_t end = page + (1ull << order);

	for (uint64_t i = page + 1; i < end; i++)
		b->meta[i].state = state;
}

/*
 * Puts the block [page, page + 2^order), whose tails are already FREE_TAIL and whose head is
 * not on any list, onto the free lists, merging with free buddies as far as they go.
 */
static void insert_merge(struct buddy *b, uint64_t page, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy = page ^ (1ull << order);
		struct buddy_page *bp = NULL;

		if (buddy >= b->npages)
			break;
		bp = &b->meta[buddy];
		if (bp->state != BUDDY_FREE_HEAD || bp->order != order)
			break;
		list_remove(b, buddy, order);
		/* The upper half's head becomes a tail of the merged block. */
		if (buddy < page) {
			b->meta[page].state = BUDDY_FREE_TAIL;
			page = buddy;
		} else {
			bp->state = BUDDY_FREE_TAIL;
		}
		order++;
	}
	list_push(b, page, order);
}

void buddy_init(struct buddy *b, struct buddy_page *meta, uint64_t npages,
		buddy_violation_fn violation, void *ctx)
{
	b->meta = meta;
	b->violation = violation;
	b->ctx = ctx;
	if (npages > BUDDY_MAX_PAGES) {
		report(b, "buddy_init: region larger than BUDDY_MAX_PAGES, clamped", npages, 0);
		npages = BUDDY_MAX_PAGES;
	}
	b->npages = npages;
	b->free_pages = 0;
	for (unsigned o = 0; o < BUDDY_NORDERS; o++) {
		b->free_head[o] = BUDDY_NONE;
		b->free_blocks[o] = 0;
	}
	for (uint64_t i = 0; i < npages; i++) {
		meta[i] = (struct buddy_page){
			.next = BUDDY_NONE,
			.prev = BUDDY_NONE,
			.state = BUDDY_RESERVED,
		};
	}
}

/* The largest order whose block starting at `page` is aligned and ends by `end`. */
static unsigned fit_order(uint64_t page, uint64_t end)
{
	unsigned order = 0;

	while (order < BUDDY_MAX_ORDER) {
		uint64_t size = 2ull << order;

		if (!IS_ALIGNED(page, size) || end - page < size)
			break;
		order++;
	}
	return order;
}

void buddy_release(struct buddy *b, uint64_t first, uint64_t count)
{
	uint64_t end = first;

	if (!range_within(first, count, 0, b->npages)) {
		report(b, "buddy_release: range outside the region", first, 0);
		return;
	}
	end = first + count;
	for (uint64_t i = first; i < end; i++) {
		if (b->meta[i].state != BUDDY_RESERVED) {
			report(b, "buddy_release: page is not reserved", i, 0);
			return;
		}
	}
	while (first < end) {
		unsigned order = fit_order(first, end);

		set_tails(b, first, order, BUDDY_FREE_TAIL);
		insert_merge(b, first, order);
		first += 1ull << order;
	}
}

bool buddy_alloc(struct buddy *b, unsigned order, uint64_t *page)
{
	unsigned o = order;
	uint64_t head = 0;
	struct buddy_page *p = NULL;

	if (order > BUDDY_MAX_ORDER) {
		report(b, "buddy_alloc: order above BUDDY_MAX_ORDER", 0, order);
		return false;
	}
	while (o <= BUDDY_MAX_ORDER && b->free_head[o] == BUDDY_NONE)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return false;
	head = b->free_head[o];
	list_remove(b, head, o);
	/* Split: keep the lower half, return upper halves to the lists. */
	while (o > order) {
		o--;
		list_push(b, head + (1ull << o), o);
	}
	p = &b->meta[head];
	p->state = BUDDY_ALLOC_HEAD;
	p->order = (uint8_t)order;
	p->owner = BUDDY_OWNER_NONE;
	p->owner_data = 0;
	set_tails(b, head, order, BUDDY_ALLOC_TAIL);
	*page = head;
	return true;
}

/* NULL when `page` may be freed as a block of `order`; otherwise why not. */
static const char *free_refusal(const struct buddy *b, uint64_t page, unsigned order)
{
	const struct buddy_page *p = NULL;

	if (order > BUDDY_MAX_ORDER)
		return "buddy_free: order above BUDDY_MAX_ORDER";
	if (page >= b->npages || b->npages - page < (1ull << order))
		return "buddy_free: page out of range";
	if (!IS_ALIGNED(page, 1ull << order))
		return "buddy_free: page misaligned for the order";
	p = &b->meta[page];
	switch (p->state) {
	case BUDDY_RESERVED:
		return "buddy_free: page is reserved (never allocated)";
	case BUDDY_FREE_HEAD:
	case BUDDY_FREE_TAIL:
		return "buddy_free: page is already free (double free)";
	case BUDDY_ALLOC_TAIL:
		return "buddy_free: page is inside an allocated block, not its head";
	case BUDDY_ALLOC_HEAD:
		if (p->order != order)
			return "buddy_free: order differs from the allocation's";
		return NULL;
	default:
		return "buddy_free: corrupt page state";
	}
}

void buddy_free(struct buddy *b, uint64_t page, unsigned order)
{
	const char *why = free_refusal(b, page, order);

	if (why) {
		report(b, why, page, order);
		return;
	}
	set_tails(b, page, order, BUDDY_FREE_TAIL);
	insert_merge(b, page, order);
}

bool buddy_set_owner(struct buddy *b, uint64_t page, uint16_t owner, uint32_t owner_data)
{
	struct buddy_page *p = NULL;

	if (page >= b->npages || b->meta[page].state != BUDDY_ALLOC_HEAD) {
		report(b, "buddy_set_owner: page is not the head of an allocated block", page, 0);
		return false;
	}
	p = &b->meta[page];
	p->owner = owner;
	p->owner_data = owner_data;
	return true;
}

uint64_t buddy_free_pages(const struct buddy *b)
{
	return b->free_pages;
}

uint64_t buddy_free_blocks(const struct buddy *b, unsigned order)
{
	return order > BUDDY_MAX_ORDER ? 0 : b->free_blocks[order];
}

bool buddy_page_info(const struct buddy *b, uint64_t page, struct buddy_page_info *out)
{
	const struct buddy_page *p = NULL;
	const struct buddy_page *hp = NULL;
	uint64_t head = page;

	if (page >= b->npages)
		return false;
	p = &b->meta[page];
	if (p->state == BUDDY_FREE_TAIL || p->state == BUDDY_ALLOC_TAIL) {
		/*
		 * Blocks are aligned and disjoint, so the first head met on the aligned candidates
		 * below `page`, smallest alignment first, heads the block containing it.
		 */
		for (unsigned o = 1; o <= BUDDY_MAX_ORDER; o++) {
			uint64_t h = ALIGN_DOWN(page, 1ull << o);
			uint8_t s = b->meta[h].state;

			if ((s == BUDDY_FREE_HEAD || s == BUDDY_ALLOC_HEAD) &&
			    b->meta[h].order >= o) {
				head = h;
				break;
			}
		}
	}
	hp = &b->meta[head];
	*out = (struct buddy_page_info){
		.state = (enum buddy_state)p->state,
		.order = p->state == BUDDY_RESERVED ? 0 : hp->order,
		.head = head,
		.owner = hp->state == BUDDY_ALLOC_HEAD ? hp->owner : 0,
		.owner_data = hp->state == BUDDY_ALLOC_HEAD ? hp->owner_data : 0,
	};
	return true;
}
