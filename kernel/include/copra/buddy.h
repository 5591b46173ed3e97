/* SPDX-License-Identifier: MIT */
/*
 * Buddy page allocator over one contiguous region of `npages` 4 KiB pages, numbered 0..npages-1
 * relative to the region. Blocks of 2^order pages, order 0..BUDDY_MAX_ORDER (4 KiB .. 2 MiB),
 * are aligned to their size relative to page 0, so a region that starts on a 2 MiB boundary
 * yields naturally aligned blocks.
 *
 * Pure code: no locking (the caller serialises every call on one `struct buddy`), no pointers
 * in the metadata (links are 32-bit page indices, so the array works at any virtual address),
 * no recursion, no allocation. Each call costs O(BUDDY_MAX_ORDER) list and merge steps;
 * buddy_alloc/buddy_free of an order-k block also rewrite its 2^k - 1 tail entries (511 for
 * 2 MiB), buddy_init is linear in npages and buddy_release in the range.
 *
 * Misuse (double free, freeing a page that is not an allocated block head, wrong order,
 * out-of-range or misaligned page, releasing a page that is not reserved) is reported through
 * the `violation` callback given to buddy_init, and the call then returns without changing any
 * state. The kernel's callback panics; host tests record the report.
 */
#ifndef COPRA_BUDDY_H
#define COPRA_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_PAGE_SHIFT 12
#define BUDDY_PAGE_SIZE	 (1ull << BUDDY_PAGE_SHIFT)
#define BUDDY_MAX_ORDER	 9
#define BUDDY_NORDERS	 (BUDDY_MAX_ORDER + 1)

/* End-of-list marker for the 32-bit page links; also bounds the region size. */
#define BUDDY_NONE	0xffffffffu
#define BUDDY_MAX_PAGES ((uint64_t)BUDDY_NONE)

/* buddy_page.owner when nobody has claimed an allocated block (set on every alloc and free). */
#define BUDDY_OWNER_NONE 0

enum buddy_state {
	BUDDY_RESERVED = 0, /* not managed: never released, or metadata, or a hole */
	BUDDY_FREE_HEAD,    /* first page of a free block of 2^order pages, on free list `order` */
	BUDDY_FREE_TAIL,    /* any other page of a free block */
	BUDDY_ALLOC_HEAD,   /* first page of an allocated block of 2^order pages */
	BUDDY_ALLOC_TAIL,   /* any other page of an allocated block */
};

/*
 * Per-page metadata, one entry per page of the region, in an array the caller provides
 * (buddy_meta_bytes). 16 bytes:
 *
 *   offset 0  u32 next        free-list successor (page index) or BUDDY_NONE  } FREE_HEAD only
 *   offset 4  u32 prev        free-list predecessor or BUDDY_NONE             }
 *   offset 8  u32 owner_data  free for the owner of an allocated block        } ALLOC_HEAD only,
 *   offset 12 u16 owner       owner tag, BUDDY_OWNER_NONE when unclaimed      } reset on alloc/free
 *   offset 14 u8  state       enum buddy_state
 *   offset 15 u8  order       block order; meaningful in head entries only
 *
 * Only the allocator writes next/prev/state/order; an owner (the slab layer) may read and
 * write owner/owner_data of the head of a block it allocated, directly or with buddy_set_owner.
 */
struct buddy_page {
	uint32_t next;
	uint32_t prev;
	uint32_t owner_data;
	uint16_t owner;
	uint8_t state;
	uint8_t order;
};

_Static_assert(sizeof(struct buddy_page) == 16, "buddy_page layout is documented as 16 bytes");

/* Receives (ctx, description, page, order) of a misuse; the call that detected it changes nothing. */
typedef void (*buddy_violation_fn)(void *ctx, const char *what, uint64_t page, unsigned order);

struct buddy {
	struct buddy_page *meta;
	uint64_t npages;
	uint64_t free_pages;
	uint32_t free_head[BUDDY_NORDERS];   /* LIFO doubly linked lists of free block heads */
	uint64_t free_blocks[BUDDY_NORDERS]; /* length of each list */
	buddy_violation_fn violation;
	void *ctx;
};

/*
 * ACSL model (proofs/run.sh proves kernel/mm/buddy.c against it). buddy_links_ok is what
 * buddy_init is proved to establish and every other call to keep: the metadata array is valid
 * and apart from the struct, and every list link (free_head, next, prev of every page) is
 * BUDDY_NONE or a page in range.
 * buddy_blocks_ok is the part of the block-structure invariant that buddy_alloc needs for its
 * memory safety (a free list's blocks lie inside the region); it is assumed, not proved to be
 * kept (docs/assurance.md).
 */
/*@ lemma buddy_pow_pos: \forall integer o; 0 <= o <= BUDDY_MAX_ORDER ==> 1 <= (1 << o) <= 512;
    lemma buddy_pow_succ: \forall integer o;
      0 <= o < BUDDY_MAX_ORDER ==> (1 << (o + 1)) == 2 * (1 << o) && (2 << o) == (1 << (o + 1));
    logic integer buddy_clamp(integer npages) =
      npages <= BUDDY_MAX_PAGES ? npages : BUDDY_MAX_PAGES;
    predicate buddy_link_ok(integer l, integer npages) = l == BUDDY_NONE || 0 <= l < npages;
    predicate buddy_links_ok{L}(struct buddy *b) =
      \valid(b) && b->npages <= BUDDY_MAX_PAGES &&
      \valid(b->meta + (0 .. b->npages - 1)) && \separated(b, b->meta + (0 .. b->npages - 1)) &&
      (\forall integer o; 0 <= o < BUDDY_NORDERS ==> buddy_link_ok(b->free_head[o], b->npages)) &&
      (\forall integer i; 0 <= i < b->npages ==>
         buddy_link_ok(b->meta[i].next, b->npages) && buddy_link_ok(b->meta[i].prev, b->npages));
    predicate buddy_blocks_ok{L}(struct buddy *b) =
      (\forall integer o; 0 <= o < BUDDY_NORDERS ==> b->free_head[o] != BUDDY_NONE ==>
         b->meta[b->free_head[o]].state == BUDDY_FREE_HEAD &&
         b->meta[b->free_head[o]].order == o) &&
      (\forall integer i; 0 <= i < b->npages ==> b->meta[i].state == BUDDY_FREE_HEAD ==>
         b->meta[i].order <= BUDDY_MAX_ORDER && i + (1 << b->meta[i].order) <= b->npages &&
         (b->meta[i].next == BUDDY_NONE ||
          (b->meta[b->meta[i].next].state == BUDDY_FREE_HEAD &&
           b->meta[b->meta[i].next].order == b->meta[i].order)));
 */

/* What buddy_page_info reports about one page. */
struct buddy_page_info {
	enum buddy_state state;
	unsigned order; /* order of the block containing the page (0 for reserved pages) */
	uint64_t head;	/* first page of that block (the page itself for heads and reserved) */
	uint16_t owner; /* owner tag and data of the block's head (0 unless allocated) */
	uint32_t owner_data;
};

/* Bytes of metadata (the `meta` array) that a region of npages needs. */
size_t buddy_meta_bytes(uint64_t npages);

/*
 * Sets up an allocator whose pages are all BUDDY_RESERVED. `meta` must hold
 * buddy_meta_bytes(npages) bytes and stay valid and untouched by anyone else while the
 * allocator lives. npages above BUDDY_MAX_PAGES is reported and clamped. `violation` may be
 * NULL (misuse is then refused silently, which only tests should want).
 */
void buddy_init(struct buddy *b, struct buddy_page *meta, uint64_t npages,
		buddy_violation_fn violation, void *ctx);

/*
 * Hands reserved pages [first, first + count) to the allocator as the largest aligned blocks
 * that fit, merged with free neighbours. The whole range must be in bounds and reserved,
 * otherwise nothing is released and a violation is reported.
 */
void buddy_release(struct buddy *b, uint64_t first, uint64_t count);

/*
 * Allocates a block of 2^order pages (splitting a larger one if needed) and stores its first
 * page in *page. Returns false, changing nothing, when no free block of that order or above
 * exists; order > BUDDY_MAX_ORDER is a violation. The block's owner fields start at zero.
 */
bool buddy_alloc(struct buddy *b, unsigned order, uint64_t *page);

/*
 * Frees the block of 2^order pages at `page`, which buddy_alloc returned with the same order,
 * and merges it with free buddies. Anything else is reported and ignored.
 */
void buddy_free(struct buddy *b, uint64_t page, unsigned order);

/*
 * Sets the owner tag and data of the allocated block headed by `page`; false (and a violation)
 * when `page` is not the head of an allocated block.
 */
bool buddy_set_owner(struct buddy *b, uint64_t page, uint16_t owner, uint32_t owner_data);

uint64_t buddy_free_pages(const struct buddy *b);

/* Free blocks of exactly this order (0 for order > BUDDY_MAX_ORDER). */
uint64_t buddy_free_blocks(const struct buddy *b, unsigned order);

/* Describes one page; false for a page out of range (not a violation: this is a query). */
bool buddy_page_info(const struct buddy *b, uint64_t page, struct buddy_page_info *out);

#endif
