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

/*
 * The functional contracts below use these ACSL definitions (the model itself is in
 * copra/buddy.h). Block alignment is stated as `page % (1 << order) == 0` inline rather than as
 * a predicate: WP's simplifier only folds `1 << order` to a constant, once the `wp:range` tactic
 * has split `order` into its ten values, where it can see it.
 *
 * buddy_free_block: h heads a free block of order o.
 * buddy_freeable: what buddy_free accepts (free_refusal returns NULL exactly then).
 * buddy_linked_at: the list links around `page` are those of a well-formed doubly linked list
 * `order` (its neighbours point back at it, and it is the head exactly when it has no
 * predecessor). This is local to one node; the proofs do not show it for every node at once
 * (docs/assurance.md, "Proofs", where the buddy proof stops).
 * buddy_fields_kept: between L1 and L2 no page's state, order or owner fields changed.
 * buddy_unlinked: what list_unlink did to the links around `page` between L1 and L2.
 */
/*@ predicate buddy_free_block{L}(struct buddy *b, integer h, integer o) =
      0 <= h < b->npages && b->meta[h].state == BUDDY_FREE_HEAD && b->meta[h].order == o;
    predicate buddy_freeable{L}(struct buddy *b, integer page, integer order) =
      order <= BUDDY_MAX_ORDER && page + (1 << order) <= b->npages &&
      page % (1 << order) == 0 &&
      b->meta[page].state == BUDDY_ALLOC_HEAD && b->meta[page].order == order;
    predicate buddy_linked_at{L}(struct buddy *b, integer page, integer order) =
      b->meta[page].next != page && b->meta[page].prev != page &&
      (b->meta[page].prev == BUDDY_NONE <==> b->free_head[order] == page) &&
      (b->meta[page].prev != BUDDY_NONE ==> b->meta[b->meta[page].prev].next == page) &&
      (b->meta[page].next != BUDDY_NONE ==> b->meta[b->meta[page].next].prev == page);
    predicate buddy_fields_kept{L1, L2}(struct buddy *b) =
      \forall integer i; 0 <= i < \at(b->npages, L1) ==>
        \at(b->meta[i].state, L2) == \at(b->meta[i].state, L1) &&
        \at(b->meta[i].order, L2) == \at(b->meta[i].order, L1) &&
        \at(b->meta[i].owner, L2) == \at(b->meta[i].owner, L1) &&
        \at(b->meta[i].owner_data, L2) == \at(b->meta[i].owner_data, L1);
    predicate buddy_unlinked{L1, L2}(struct buddy *b, integer page, integer order) =
      \let p = \at(b->meta[page].prev, L1); \let n = \at(b->meta[page].next, L1);
      (p != BUDDY_NONE ==>
         \at(b->meta[p].next, L2) == n &&
         \at(b->free_head[order], L2) == \at(b->free_head[order], L1)) &&
      (p == BUDDY_NONE ==> \at(b->free_head[order], L2) == n) &&
      (n != BUDDY_NONE ==> \at(b->meta[n].prev, L2) == p) &&
      (buddy_linked_at{L1}(b, page, order) ==>
         \at(b->free_head[order], L2) != page &&
         (p != BUDDY_NONE ==> \at(b->meta[p].next, L2) != page) &&
         (n != BUDDY_NONE ==> \at(b->meta[n].prev, L2) != page));
 */

/* Whether `page` may head a block of 2^order pages: blocks are aligned to their size. */
/*@ requires order <= BUDDY_MAX_ORDER + 1;
    assigns \nothing;
    ensures \result <==> page % (1 << order) == 0;
    exits \false;
 */
static bool block_aligned(uint64_t page, unsigned order)
{
	return page % (1ull << order) == 0;
}

/*
 * The buddy of the order-`order` block at `page`: the other half of the order + 1 block that
 * contains it. For an aligned page this is page ^ 2^order, written as a sum so that the proof
 * can relate it to block positions.
 */
/*@ requires order < BUDDY_MAX_ORDER && page < BUDDY_MAX_PAGES && page % (1 << order) == 0;
    assigns \nothing;
    ensures page % (1 << (order + 1)) == 0 ==> \result == page + (1 << order);
    ensures page % (1 << (order + 1)) != 0 ==>
            \result == page - (1 << order) && \result % (1 << (order + 1)) == 0;
    exits \false;
 */
static uint64_t buddy_of(uint64_t page, unsigned order)
{
	uint64_t size = 1ull << order;

	return block_aligned(page, order + 1) ? page + size : page - size;
}

/*@ assigns \nothing;
    ensures \result == buddy_clamp(npages) * sizeof(struct buddy_page);
 */
size_t buddy_meta_bytes(uint64_t npages)
{
	if (npages > BUDDY_MAX_PAGES)
		npages = BUDDY_MAX_PAGES;
	return (size_t)npages * sizeof(struct buddy_page);
}

/*
 * The list surgery of list_push and list_remove, apart from their bookkeeping so that their
 * callers' proofs need not carry these contracts. list_link puts `page` at the front of list
 * `order`; list_unlink takes it out, touching only its neighbours' links and the list head.
 * Neither changes anything but next/prev links and free_head[order].
 */
/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[order];
    ensures buddy_links_ok(b);
    ensures b->free_head[order] == page;
    ensures b->meta[page].next == \old(b->free_head[order]);
    ensures \old(b->free_head[order]) != page ==> b->meta[page].prev == BUDDY_NONE;
    ensures \old(b->free_head[order]) != BUDDY_NONE ==>
            b->meta[\old(b->free_head[order])].prev == page;
    ensures \old(b->free_head[order]) != page ==> buddy_linked_at(b, page, order);
    ensures buddy_fields_kept{Old, Here}(b);
    exits \false;
 */
static void list_link(struct buddy *b, uint64_t page, unsigned order)
{
	struct buddy_page *p = &b->meta[page];
	uint32_t old = b->free_head[order];

	p->prev = BUDDY_NONE;
	p->next = old;
	if (old != BUDDY_NONE)
		b->meta[old].prev = (uint32_t)page;
	b->free_head[order] = (uint32_t)page;
}

/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[order];
    ensures buddy_links_ok(b);
    ensures buddy_unlinked{Old, Here}(b, page, order);
    ensures buddy_fields_kept{Old, Here}(b);
    exits \false;
 */
static void list_unlink(struct buddy *b, uint64_t page, unsigned order)
{
	struct buddy_page *p = &b->meta[page];

	if (p->prev != BUDDY_NONE)
		b->meta[p->prev].next = p->next;
	else
		b->free_head[order] = p->next;
	if (p->next != BUDDY_NONE)
		b->meta[p->next].prev = p->prev;
}

/*
 * Makes `page` a FREE_HEAD of `order` at the front of list `order` (list_link). The counts
 * change by exactly one block (modulo 2^64: that they never wrap needs the global invariant).
 */
/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[order], b->free_blocks[order],
            b->free_pages;
    ensures buddy_links_ok(b);
    ensures b->meta[page].state == BUDDY_FREE_HEAD && b->meta[page].order == order;
    ensures b->meta[page].owner == BUDDY_OWNER_NONE && b->meta[page].owner_data == 0;
    ensures b->free_head[order] == page;
    ensures b->free_blocks[order] == (uint64_t)(\old(b->free_blocks[order]) + 1);
    ensures b->free_pages == (uint64_t)(\old(b->free_pages) + (1 << order));
    exits \false;
 */
static void list_push(struct buddy *b, uint64_t page, unsigned order)
{
	struct buddy_page *p = &b->meta[page];

	p->state = BUDDY_FREE_HEAD;
	p->order = (uint8_t)order;
	p->owner = BUDDY_OWNER_NONE;
	p->owner_data = 0;
	list_link(b, page, order);
	b->free_blocks[order]++;
	b->free_pages += 1ull << order;
}

/*
 * Takes a FREE_HEAD of `order` off its list (list_unlink); the caller rewrites its state. The
 * counts drop by exactly one block (modulo 2^64).
 */
/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    assigns b->meta[0 .. b->npages - 1], b->free_head[order], b->free_blocks[order],
            b->free_pages;
    ensures buddy_links_ok(b);
    ensures b->free_blocks[order] == (uint64_t)(\old(b->free_blocks[order]) - 1);
    ensures b->free_pages == (uint64_t)(\old(b->free_pages) - (1 << order));
    exits \false;
 */
static void list_remove(struct buddy *b, uint64_t page, unsigned order)
{
	list_unlink(b, page, order);
	b->free_blocks[order]--;
	b->free_pages -= 1ull << order;
}

/* Sets the state of the tails (every page but the head) of the block [page, page + 2^order). */
/*@ requires buddy_links_ok(b) && order <= BUDDY_MAX_ORDER;
    requires page + (1 << order) <= b->npages;
    assigns b->meta[page + 1 .. page + (1 << order) - 1];
    ensures buddy_links_ok(b);
    ensures \forall integer i; page < i < page + (1 << order) ==> b->meta[i].state == state;
    exits \false;
 */
static void set_tails(struct buddy *b, uint64_t page, unsigned order, uint8_t state)
{
	uint64_t end = page + (1ull << order);

	/*@ loop invariant page + 1 <= i <= end || i == page + 1;
	    loop invariant buddy_links_ok(b);
	    loop invariant \forall integer j; page < j < i ==> b->meta[j].state == state;
	    loop assigns i, b->meta[page + 1 .. end - 1];
	    loop variant end - i;
	 */
	for (uint64_t i = page + 1; i < end; i++)
		b->meta[i].state = state;
}

/*
 * Puts the block [page, page + 2^order), whose tails are already FREE_TAIL and whose head is
 * not on any list, onto the free lists, merging with free buddies as far as they go. Proved:
 * the block ends up inside a free block of at least its order that heads its list, aligned to
 * its size.
 */
/*@ requires buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
    requires page % (1 << order) == 0;
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
    ensures buddy_links_ok(b);
    ensures \exists integer o; \old(order) <= o <= BUDDY_MAX_ORDER &&
            buddy_free_block(b, b->free_head[o], o) && b->free_head[o] % (1 << o) == 0 &&
            b->free_head[o] <= \old(page) < b->free_head[o] + (1 << o);
    exits \false;
 */
static void insert_merge(struct buddy *b, uint64_t page, unsigned order)
{
	/*@ loop invariant buddy_links_ok(b) && page < b->npages && order <= BUDDY_MAX_ORDER;
	    loop invariant \at(order, Pre) <= order && page % (1 << order) == 0;
	    loop invariant page <= \at(page, Pre) < page + (1 << order);
	    loop assigns page, order, b->meta[0 .. b->npages - 1],
	                 b->free_head[0 .. BUDDY_MAX_ORDER], b->free_blocks[0 .. BUDDY_MAX_ORDER],
	                 b->free_pages;
	    loop variant BUDDY_MAX_ORDER - order;
	 */
	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy = buddy_of(page, order);
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
    ensures b->violation == violation && b->ctx == ctx;
    ensures \forall integer o; 0 <= o < BUDDY_NORDERS ==> b->free_head[o] == BUDDY_NONE;
    ensures \forall integer o; 0 <= o < BUDDY_NORDERS ==> b->free_blocks[o] == 0;
    ensures b->free_pages == 0;
    ensures \forall integer i; 0 <= i < b->npages ==>
            b->meta[i].state == BUDDY_RESERVED && b->meta[i].next == BUDDY_NONE &&
            b->meta[i].prev == BUDDY_NONE;
    ensures buddy_links_ok(b);
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
	    loop invariant \forall integer k; 0 <= k < o ==> b->free_blocks[k] == 0;
	    loop assigns o, b->free_head[0 .. BUDDY_MAX_ORDER],
	                 b->free_blocks[0 .. BUDDY_MAX_ORDER];
	    loop variant BUDDY_NORDERS - o;
	 */
	for (unsigned o = 0; o < BUDDY_NORDERS; o++) {
		b->free_head[o] = BUDDY_NONE;
		b->free_blocks[o] = 0;
	}
	/*@ loop invariant 0 <= i <= npages;
	    loop invariant \forall integer k; 0 <= k < i ==>
	                   meta[k].state == BUDDY_RESERVED && meta[k].next == BUDDY_NONE &&
	                   meta[k].prev == BUDDY_NONE;
	    loop assigns i, meta[0 .. npages - 1];
	    loop variant npages - i;
	 */
	for (uint64_t i = 0; i < npages; i++) {
		/* Field by field: WP does not track the values of a compound-literal copy. */
		meta[i].next = BUDDY_NONE;
		meta[i].prev = BUDDY_NONE;
		meta[i].owner_data = 0;
		meta[i].owner = BUDDY_OWNER_NONE;
		meta[i].state = BUDDY_RESERVED;
		meta[i].order = 0;
	}
}

/* The largest order whose block starting at `page` is aligned and ends by `end`. */
/*@ requires page < end;
    assigns \nothing;
    ensures \result <= BUDDY_MAX_ORDER && (1 << \result) <= end - page;
    ensures page % (1 << \result) == 0;
    ensures \result == BUDDY_MAX_ORDER || page % (1 << (\result + 1)) != 0 ||
            end - page < (1 << (\result + 1));
    exits \false;
 */
static unsigned fit_order(uint64_t page, uint64_t end)
{
	unsigned order = 0;

	/*@ loop invariant order <= BUDDY_MAX_ORDER && (1 << order) <= end - page;
	    loop invariant page % (1 << order) == 0;
	    loop assigns order;
	    loop variant BUDDY_MAX_ORDER - order;
	 */
	while (order < BUDDY_MAX_ORDER) {
		uint64_t size = 2ull << order;

		if (!block_aligned(page, order + 1) || end - page < size)
			break;
		order++;
	}
	return order;
}

/* The first page of [first, end) that is not BUDDY_RESERVED, or `end` if there is none. */
/*@ requires buddy_links_ok(b) && first <= end <= b->npages;
    assigns \nothing;
    ensures first <= \result <= end;
    ensures \forall integer k; first <= k < \result ==> b->meta[k].state == BUDDY_RESERVED;
    ensures \result < end ==> b->meta[\result].state != BUDDY_RESERVED;
    exits \false;
 */
static uint64_t first_unreserved(const struct buddy *b, uint64_t first, uint64_t end)
{
	uint64_t i = first;

	/*@ loop invariant first <= i <= end;
	    loop invariant \forall integer k; first <= k < i ==> b->meta[k].state == BUDDY_RESERVED;
	    loop assigns i;
	    loop variant end - i;
	 */
	while (i < end && b->meta[i].state == BUDDY_RESERVED)
		i++;
	return i;
}

/*@ requires buddy_links_ok(b);
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
    ensures buddy_links_ok(b);
    behavior refused:
      assumes first + count > b->npages ||
              (\exists integer i; first <= i < first + count &&
                 b->meta[i].state != BUDDY_RESERVED);
      assigns \nothing;
 */
void buddy_release(struct buddy *b, uint64_t first, uint64_t count)
{
	uint64_t end = first;
	uint64_t bad = 0;

	if (!range_within(first, count, 0, b->npages)) {
		report(b, "buddy_release: range outside the region", first, 0);
		return;
	}
	end = first + count;
	bad = first_unreserved(b, first, end);
	if (bad < end) {
		report(b, "buddy_release: page is not reserved", bad, 0);
		return;
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

/* The smallest order at or above `order` whose free list is not empty; BUDDY_NORDERS if none. */
/*@ requires \valid_read(b) && order <= BUDDY_MAX_ORDER;
    assigns \nothing;
    ensures order <= \result <= BUDDY_NORDERS;
    ensures \forall integer k; order <= k < \result ==> b->free_head[k] == BUDDY_NONE;
    ensures \result < BUDDY_NORDERS ==> b->free_head[\result] != BUDDY_NONE;
    exits \false;
 */
static unsigned first_nonempty(const struct buddy *b, unsigned order)
{
	unsigned o = order;

	/*@ loop invariant order <= o <= BUDDY_NORDERS;
	    loop invariant \forall integer k; order <= k < o ==> b->free_head[k] == BUDDY_NONE;
	    loop assigns o;
	    loop variant BUDDY_NORDERS - o;
	 */
	while (o < BUDDY_NORDERS && b->free_head[o] == BUDDY_NONE)
		o++;
	return o;
}

/*
 * Splits the order-`o` block at `head`, already off the lists, down to order `order`: keeps
 * the lower half each time and returns the upper half to the free lists.
 */
/*@ requires buddy_links_ok(b) && order <= o <= BUDDY_MAX_ORDER;
    requires head + (1 << o) <= b->npages;
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages;
    ensures buddy_links_ok(b);
    exits \false;
 */
static void split_block(struct buddy *b, uint64_t head, unsigned o, unsigned order)
{
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
}

/*@ requires buddy_links_ok(b) && buddy_blocks_ok(b) && \valid(page);
    requires \separated(page, b, b->meta + (0 .. b->npages - 1));
    assigns b->meta[0 .. b->npages - 1], b->free_head[0 .. BUDDY_MAX_ORDER],
            b->free_blocks[0 .. BUDDY_MAX_ORDER], b->free_pages, *page;
    ensures buddy_links_ok(b);
    ensures \result ==> order <= BUDDY_MAX_ORDER && *page + (1 << order) <= b->npages;
    ensures !\result ==> order > BUDDY_MAX_ORDER ||
            (\forall integer o; order <= o <= BUDDY_MAX_ORDER ==>
               \old(b->free_head[o]) == BUDDY_NONE);
    ensures \result ==>
            b->meta[*page].state == BUDDY_ALLOC_HEAD && b->meta[*page].order == order &&
            b->meta[*page].owner == BUDDY_OWNER_NONE && b->meta[*page].owner_data == 0;
    ensures \result ==> \forall integer i; *page < i < *page + (1 << order) ==>
            b->meta[i].state == BUDDY_ALLOC_TAIL;
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
	o = first_nonempty(b, order);
	if (o > BUDDY_MAX_ORDER)
		return false;
	head = b->free_head[o];
	list_remove(b, head, o);
	split_block(b, head, o, order);
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
    ensures \result == \null <==> buddy_freeable(b, page, order);
    exits \false;
 */
static const char *free_refusal(const struct buddy *b, uint64_t page, unsigned order)
{
	const struct buddy_page *p = NULL;

	if (order > BUDDY_MAX_ORDER)
		return "buddy_free: order above BUDDY_MAX_ORDER";
	if (page >= b->npages || b->npages - page < (1ull << order))
		return "buddy_free: page out of range";
	if (!block_aligned(page, order))
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
    behavior refused:
      assumes !buddy_freeable(b, page, order);
      assigns \nothing;
    behavior freed:
      assumes buddy_freeable(b, page, order);
      ensures \exists integer o; order <= o <= BUDDY_MAX_ORDER &&
              buddy_free_block(b, b->free_head[o], o) && b->free_head[o] % (1 << o) == 0 &&
              b->free_head[o] <= page < b->free_head[o] + (1 << o);
    complete behaviors;
    disjoint behaviors;
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
    behavior refused:
      assumes page >= b->npages || b->meta[page].state != BUDDY_ALLOC_HEAD;
      assigns \nothing;
      ensures !\result;
    behavior owned:
      assumes page < b->npages && b->meta[page].state == BUDDY_ALLOC_HEAD;
      ensures \result && b->meta[page].owner == owner && b->meta[page].owner_data == owner_data;
    complete behaviors;
    disjoint behaviors;
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
    ensures \result == b->free_pages;
 */
uint64_t buddy_free_pages(const struct buddy *b)
{
	return b->free_pages;
}

/*@ requires \valid_read(b);
    assigns \nothing;
    ensures \result == (order > BUDDY_MAX_ORDER ? 0 : b->free_blocks[order]);
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
