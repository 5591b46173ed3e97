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

/*
 * Assumed, not proved: the violation callback does not touch the allocator (the kernel's
 * panics; the host tests' records the report elsewhere).
 */
/*@ assigns \nothing; */
static void report(const struct buddy *b, const char *what, uint64_t page, unsigned order)
{
	if (b->violation)
		b->violation(b->ctx, what, page, order);
}

/*@ assigns \nothing; */
size_t buddy_meta_bytes(uint64_t npages)
{
	if (npages > BUDDY_MAX_PAGES)
		npages = BUDDY_MAX_PAGES;
	return (size_t)npages * sizeof(struct buddy_page);
}

/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[order], b->free_blocks[order],
            b->free_pages;
    ensures buddy_links_ok(b);
    ensures b->meta[page].state == BUDDY_FREE_HEAD && b->meta[page].order == order;
    ensures b->free_head[order] == page;
    exits \false;
 */
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
/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[order], b->free_blocks[order],
            b->free_pages;
    ensures buddy_links_ok(b);
    exits \false;
 */
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

/*@ requires buddy_links_ok(b) && order <= BUDDY_MAX_ORDER;
    requires page + (1 << order) <= b->npages;
    assigns b->meta[0 .. b->npages - 1];
    ensures buddy_links_ok(b);
    exits \false;
 */
static void set_tails(struct buddy *b, uint64_t page, unsigned order, uint8_t state)
{
	uint64_t end = page + (1ull << order);

	/*@ loop invariant page + 1 <= i <= end || i == page + 1;
	    loop invariant buddy_links_ok(b);
	    loop assigns i, b->meta[0 .. b->npages - 1];
	    loop variant end - i;
	 */
	for (uint64_t i = page + 1; i < end; i++)
		b->meta[i].state = state;
}

/*
 * Puts the block [page, page + 2^order), whose tails are already FREE_TAIL and whose head is
 * not on any list, onto the free lists, merging with free buddies as far as they go.
 */
/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
    ensures buddy_links_ok(b);
    exits \false;
 */
static void insert_merge(struct buddy *b, uint64_t page, unsigned order)
{
	/*@ loop invariant buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
	    loop assigns page, order, b->meta[0 .. b->npages - 1],
	                 b->free_head[0 .. BUDDY_MAX_ORDER], b->free_blocks[0 .. BUDDY_MAX_ORDER],
	                 b->free_pages;
	    loop variant BUDDY_MAX_ORDER - order;
	 */
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

/*@ requires \valid(b) && \valid(meta + (0 .. buddy_clamp(npages) - 1));
    requires \separated(b, meta + (0 .. buddy_clamp(npages) - 1));
    assigns *b, meta[0 .. buddy_clamp(npages) - 1];
    ensures b->meta == meta && b->npages == buddy_clamp(npages);
    ensures \forall integer o; 0 <= o < BUDDY_NORDERS ==> b->free_head[o] == BUDDY_NONE;
 */
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
	/*@ loop invariant 0 <= o <= BUDDY_NORDERS;
	    loop invariant \forall integer k; 0 <= k < o ==> b->free_head[k] == BUDDY_NONE;
	    loop assigns o, b->free_head[0 .. BUDDY_MAX_ORDER],
	                 b->free_blocks[0 .. BUDDY_MAX_ORDER];
	    loop variant BUDDY_NORDERS - o;
	 */
	for (unsigned o = 0; o < BUDDY_NORDERS; o++) {
		b->free_head[o] = BUDDY_NONE;
		b->free_blocks[o] = 0;
	}
	/*@ loop invariant 0 <= i <= npages;
	    loop assigns i, meta[0 .. npages - 1];
	    loop variant npages - i;
	 */
	for (uint64_t i = 0; i < npages; i++) {
		meta[i] = (struct buddy_page){
			.next = BUDDY_NONE,
			.prev = BUDDY_NONE,
			.state = BUDDY_RESERVED,
		};
	}
}

/* The largest order whose block starting at `page` is aligned and ends by `end`. */
/*@ requires page < end;
    assigns \nothing;
    ensures \result <= BUDDY_MAX_ORDER && (1 << \result) <= end - page;
    exits \false;
 */
static unsigned fit_order(uint64_t page, uint64_t end)
{
	unsigned order = 0;

	/*@ loop invariant order <= BUDDY_MAX_ORDER && (1 << order) <= end - page;
	    loop assigns order;
	    loop variant BUDDY_MAX_ORDER - order;
	 */
	while (order < BUDDY_MAX_ORDER) {
		uint64_t size = 2ull << order;

		if (!IS_ALIGNED(page, size) || end - page < size)
			break;
		order++;
	}
	return order;
}

/*@ requires buddy_links_ok(b);
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
    ensures buddy_links_ok(b);
 */
void buddy_release(struct buddy *b, uint64_t first, uint64_t count)
{
	uint64_t end = first;

	if (!range_within(first, count, 0, b->npages)) {
		report(b, "buddy_release: range outside the region", first, 0);
		return;
	}
	end = first + count;
	/*@ loop invariant first <= i <= end;
	    loop assigns i;
	    loop variant end - i;
	 */
	for (uint64_t i = first; i < end; i++) {
		if (b->meta[i].state != BUDDY_RESERVED) {
			report(b, "buddy_release: page is not reserved", i, 0);
			return;
		}
	}
	/*@ loop invariant buddy_links_ok(b) && end <= b->npages && first <= end;
	    loop assigns first, b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
	                 b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
	    loop variant end - first;
	 */
	while (first < end) {
		unsigned order = fit_order(first, end);

		set_tails(b, first, order, BUDDY_FREE_TAIL);
		insert_merge(b, first, order);
		first += 1ull << order;
	}
}

/*@ requires buddy_links_ok(b) && buddy_blocks_ok(b) && \valid(page);
    requires \separated(page, b, b->meta + (0 .. b->npages - 1));
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages, *page;
    ensures buddy_links_ok(b);
    ensures \result ==> order <= BUDDY_MAX_ORDER && *page + (1 << order) <= b->npages;
    ensures order > BUDDY_MAX_ORDER ==> !\result;
 */
bool buddy_alloc(struct buddy *b, unsigned order, uint64_t *page)
{
	unsigned o = order;
	uint64_t head = 0;
	struct buddy_page *p = NULL;

	if (order > BUDDY_MAX_ORDER) {
		report(b, "buddy_alloc: order above BUDDY_MAX_ORDER", 0, order);
		return false;
	}
	/*@ loop invariant order <= o <= BUDDY_MAX_ORDER + 1;
	    loop assigns o;
	    loop variant BUDDY_MAX_ORDER + 1 - o;
	 */
	while (o <= BUDDY_MAX_ORDER && b->free_head[o] == BUDDY_NONE)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return false;
	head = b->free_head[o];
	list_remove(b, head, o);
	/* Split: keep the lower half, return upper halves to the lists. */
	/*@ loop invariant order <= o <= BUDDY_MAX_ORDER && buddy_links_ok(b);
	    loop invariant head + (1 << o) <= b->npages;
	    loop assigns o, b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
	                 b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
	    loop variant o;
	 */
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
/*@ requires buddy_links_ok(b);
    assigns \nothing;
    ensures \result == \null ==> order <= BUDDY_MAX_ORDER && page < b->npages &&
            page + (1 << order) <= b->npages;
    exits \false;
 */
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

/*@ requires buddy_links_ok(b);
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
    ensures buddy_links_ok(b);
 */
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

/*@ requires buddy_links_ok(b);
    assigns b->meta[page].owner, b->meta[page].owner_data;
    ensures buddy_links_ok(b);
 */
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

/*@ requires \valid_read(b);
    assigns \nothing;
 */
uint64_t buddy_free_pages(const struct buddy *b)
{
	return b->free_pages;
}

/*@ requires \valid_read(b);
    assigns \nothing;
 */
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
