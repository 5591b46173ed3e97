/* SPDX-License-Identifier: MIT */
/*
 * A fixed-size bitmap over caller-provided storage, and a first-fit range allocator on top.
 *
 * Representation: bit i lives in words[i >> 6] at position (i & 63), i.e. it is
 * ((words[i >> 6] >> (i & 63)) & 1). The storage holds BITMAP_WORDS(nbits) words.
 *
 * Invariants (established by bitmap_init, kept by every function here; the words are only
 * written through this API):
 *   - words points to BITMAP_WORDS(nbits) writable words (nbits == 0 allows words == NULL);
 *   - the padding bits of the last word (bit positions >= nbits) are zero.
 *
 * Error behaviour: a bit index >= nbits is a caller bug, but it never causes an out-of-bounds
 * access: bitmap_set/bitmap_clear ignore it and bitmap_test returns false. Range functions check
 * start <= nbits && count <= nbits - start without overflow and return false, changing
 * nothing, when the range does not fit. No function allocates or fails otherwise.
 *
 * Complexity (n = nbits, w = BITMAP_WORDS(n)): set/clear/test O(1); set_range/clear_range/
 * free_range O(count / 64 + 1); count O(w + set bits); find_first_* O(w); alloc_range O(n) in
 * the worst case (candidate starts only move forward, each failed one past a set bit). No
 * locking: the caller serialises access.
 */
#ifndef LIB_BITMAP_H
#define LIB_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITMAP_BITS_PER_WORD 64

/* Words needed for nbits bits; written without nbits + 63 so it cannot overflow. */
#define BITMAP_WORDS(nbits) (((nbits) >> 6) + (((nbits)&63) != 0))

struct bitmap {
	uint64_t *words;
	size_t nbits;
};

/*
 * ACSL model (proofs/run.sh proves lib/bitmap.c against it): a bitmap is usable when its
 * BITMAP_WORDS(nbits) words are valid and do not overlap the struct itself; bit i is the code's
 * shift/and form.
 */
/*@ axiomatic BitmapArith {
      // Trusted (WP 25 links no bitwise operator to arithmetic): the low six bits are the
      // remainder by 64. Everything else about shifts is proved (WP's Bit-Shift tactic).
      axiom bitmap_land63: \forall integer x; 0 <= x ==> (x & 63) == x % 64;
    }
    logic integer bitmap_nwords(integer nbits) = nbits / 64 + (nbits % 64 != 0 ? 1 : 0);
    lemma bitmap_nwords_code: \forall integer n;
      0 <= n ==> bitmap_nwords(n) == (n >> 6) + ((n & 63) != 0 ? 1 : 0);
    lemma bitmap_nwords_fit: \forall integer n;
      0 <= n <= 18446744073709551615 ==> bitmap_nwords(n) <= 18446744073709551615;
    lemma bitmap_word_in_range: \forall integer i, n;
      0 <= i < n ==> 0 <= (i >> 6) < bitmap_nwords(n);
    predicate bitmap_ok{L}(struct bitmap *b) =
      \valid(b) && \valid(b->words + (0 .. bitmap_nwords(b->nbits) - 1)) &&
      \separated(b, b->words + (0 .. bitmap_nwords(b->nbits) - 1));
    predicate bitmap_bit{L}(struct bitmap *b, integer i) =
      (b->words[i >> 6] & (1 << (i & 63))) != 0;
 */

/* Points b at words (BITMAP_WORDS(nbits) of them) and clears every bit. */
void bitmap_init(struct bitmap *b, uint64_t *words, size_t nbits);

/* Single bits. Out-of-range bits (bit >= nbits) are ignored; bitmap_test returns false. */
void bitmap_set(struct bitmap *b, size_t bit);
void bitmap_clear(struct bitmap *b, size_t bit);
bool bitmap_test(const struct bitmap *b, size_t bit);

/*
 * Sets/clears the bits [start, start + count). Returns false and changes nothing when the
 * range does not fit in [0, nbits). An empty range (count == 0, start <= nbits) succeeds.
 */
bool bitmap_set_range(struct bitmap *b, size_t start, size_t count);
bool bitmap_clear_range(struct bitmap *b, size_t start, size_t count);

/* Number of set bits (<= nbits). */
size_t bitmap_count(const struct bitmap *b);

/* Lowest index >= from whose bit is zero / set; nbits when there is none (or from >= nbits). */
size_t bitmap_find_first_zero(const struct bitmap *b, size_t from);
size_t bitmap_find_first_set(const struct bitmap *b, size_t from);

/*
 * Allocator: finds the lowest start that is a multiple of align such that the bits
 * [start, start + count) are all zero, sets them, stores start in *start and returns true.
 * Returns false, changing nothing (not even *start), when there is no such run, when
 * count == 0, or when align is not a power of two.
 */
bool bitmap_alloc_range(struct bitmap *b, size_t count, size_t align, size_t *start);

/*
 * Frees [start, start + count): returns true after clearing the bits when every one of them
 * was set. Returns false and changes nothing when count == 0, when the range does not fit,
 * or when any bit in it is already clear (double free or a wrong size).
 */
bool bitmap_free_range(struct bitmap *b, size_t start, size_t count);

#endif
