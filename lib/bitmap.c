/* SPDX-License-Identifier: MIT */
/*
 * Bitmap and first-fit bitmap allocator (include/lib/bitmap.h). Written for Frama-C WP: no
 * compiler builtins (the kernel links no libgcc), bit facts in shift/and form, one word touched
 * per loop step, and every range turned into per-word masks by the same helper.
 */
#include <lib/bitmap.h>

/* The word holding bit, and bit's mask inside that word. */
/*@ assigns \nothing;
    ensures \result == bit >> 6;
 */
static inline size_t word_of(size_t bit)
{
	return bit >> 6;
}

/*@ assigns \nothing;
    ensures \result == 1 << (bit & 63);
 */
static inline uint64_t bit_mask(size_t bit)
{
	return (uint64_t)1 << (bit & 63);
}

/* Bits [off, off + n) of a word; the caller ensures 1 <= n and off + n <= 64. */
/*@ requires 1 <= n && off + n <= 64;
    assigns \nothing;
 */
static uint64_t span_mask(size_t off, size_t n)
{
	if (n >= 64)
		return ~(uint64_t)0;
	return (((uint64_t)1 << n) - 1) << off;
}

/* Index of the lowest set bit of w; the caller ensures w != 0. */
/*@ requires w != 0;
    assigns \nothing;
    ensures \result < 64;
 */
static size_t lowest_set(uint64_t w)
{
	size_t n = 0;

	if ((w & 0xffffffffu) == 0) {
		n += 32;
		w >>= 32;
	}
	if ((w & 0xffffu) == 0) {
		n += 16;
		w >>= 16;
	}
	if ((w & 0xffu) == 0) {
		n += 8;
		w >>= 8;
	}
	if ((w & 0xfu) == 0) {
		n += 4;
		w >>= 4;
	}
	if ((w & 0x3u) == 0) {
		n += 2;
		w >>= 2;
	}
	if ((w & 0x1u) == 0)
		n += 1;
	return n;
}

/*@ assigns \nothing;
 */
static size_t popcount64(uint64_t w)
{
	size_t n = 0;

	/*@ loop assigns w, n;
	 */
	while (w != 0) {
		w &= w - 1; /* clears the lowest set bit */
		n++;
	}
	return n;
}

/* True when [start, start + count) lies in [0, nbits); written so nothing can overflow. */
/*@ requires \valid_read(b);
    assigns \nothing;
    ensures \result <==> start + count <= b->nbits;
 */
static bool range_ok(const struct bitmap *b, size_t start, size_t count)
{
	return start <= b->nbits && count <= b->nbits - start;
}

/*
 * The range walk shared by every range operation: the mask of the bits of [pos, end) that lie
 * in pos's word. The caller ensures pos < end; the mask covers min(64 - (pos & 63), end - pos)
 * bits, which is how far the caller then advances pos.
 */
/*@ requires pos < end;
    assigns \nothing;
    ensures 1 <= \result <= 64 - (pos & 63) && \result <= end - pos;
    ensures \result == 64 - (pos & 63) || \result == end - pos;
 */
static size_t chunk_len(size_t pos, size_t end)
{
	size_t n = 64 - (pos & 63);

	return n < end - pos ? n : end - pos;
}

enum range_op {
	RANGE_SET,
	RANGE_CLEAR,
};

/* Sets or clears [start, start + count); the caller has checked range_ok. */
/*@ requires bitmap_ok(b) && start + count <= b->nbits;
    assigns b->words[0 .. bitmap_nwords(b->nbits) - 1];
 */
static void range_apply(struct bitmap *b, size_t start, size_t count, enum range_op op)
{
	size_t end = start + count;
	size_t pos = start;

	/*@ loop invariant start <= pos <= end;
	    loop assigns pos, b->words[0 .. bitmap_nwords(\at(b->nbits, Pre)) - 1];
	    loop variant end - pos;
	 */
	while (pos < end) {
		size_t n = chunk_len(pos, end);
		uint64_t m = span_mask(pos & 63, n);

		if (op == RANGE_SET)
			b->words[word_of(pos)] |= m;
		else
			b->words[word_of(pos)] &= ~m;
		pos += n;
	}
}

/* True when every bit of [start, start + count) is set; the caller has checked range_ok. */
/*@ requires bitmap_ok(b) && start + count <= b->nbits;
    assigns \nothing;
 */
static bool range_all_set(const struct bitmap *b, size_t start, size_t count)
{
	size_t end = start + count;
	size_t pos = start;

	/*@ loop invariant start <= pos <= end;
	    loop assigns pos;
	    loop variant end - pos;
	 */
	while (pos < end) {
		size_t n = chunk_len(pos, end);
		uint64_t m = span_mask(pos & 63, n);

		if ((b->words[word_of(pos)] & m) != m)
			return false;
		pos += n;
	}
	return true;
}

/*@ requires \valid(b) && \valid(words + (0 .. bitmap_nwords(nbits) - 1));
    requires \separated(b, words + (0 .. bitmap_nwords(nbits) - 1));
    assigns *b, words[0 .. bitmap_nwords(nbits) - 1];
    ensures bitmap_ok(b) && b->words == words && b->nbits == nbits;
    ensures \forall integer k; 0 <= k < bitmap_nwords(nbits) ==> words[k] == 0;
 */
void bitmap_init(struct bitmap *b, uint64_t *words, size_t nbits)
{
	size_t nwords = BITMAP_WORDS(nbits);

	b->words = words;
	b->nbits = nbits;
	/*@ loop invariant 0 <= i <= nwords;
	    loop invariant \forall integer k; 0 <= k < i ==> words[k] == 0;
	    loop assigns i, words[0 .. nwords - 1];
	    loop variant nwords - i;
	 */
	for (size_t i = 0; i < nwords; i++)
		words[i] = 0;
}

/*@ requires bitmap_ok(b);
    assigns b->words[bit >> 6];
    behavior in_range:
      assumes bit < b->nbits;
      ensures b->words[bit >> 6] == (\old(b->words[bit >> 6]) | (1 << (bit & 63)));
      ensures bitmap_bit(b, bit);
    behavior out_of_range:
      assumes bit >= b->nbits;
      assigns \nothing;
    complete behaviors;
    disjoint behaviors;
 */
void bitmap_set(struct bitmap *b, size_t bit)
{
	if (bit < b->nbits)
		b->words[word_of(bit)] |= bit_mask(bit);
}

/*@ requires bitmap_ok(b);
    assigns b->words[bit >> 6];
    behavior in_range:
      assumes bit < b->nbits;
      ensures b->words[bit >> 6] == (\old(b->words[bit >> 6]) & (uint64_t)~(1 << (bit & 63)));
      ensures !bitmap_bit(b, bit);
    behavior out_of_range:
      assumes bit >= b->nbits;
      assigns \nothing;
    complete behaviors;
    disjoint behaviors;
 */
void bitmap_clear(struct bitmap *b, size_t bit)
{
	if (bit < b->nbits)
		b->words[word_of(bit)] &= ~bit_mask(bit);
}

/*@ requires bitmap_ok(b);
    assigns \nothing;
    ensures \result <==> bit < b->nbits && bitmap_bit(b, bit);
 */
bool bitmap_test(const struct bitmap *b, size_t bit)
{
	if (bit >= b->nbits)
		return false;
	return (b->words[word_of(bit)] & bit_mask(bit)) != 0;
}

/*@ requires bitmap_ok(b);
    assigns b->words[0 .. bitmap_nwords(b->nbits) - 1];
    ensures \result <==> start + count <= b->nbits;
    behavior fits:
      assumes start + count <= b->nbits;
    behavior does_not_fit:
      assumes start + count > b->nbits;
      assigns \nothing;
    complete behaviors;
    disjoint behaviors;
 */
bool bitmap_set_range(struct bitmap *b, size_t start, size_t count)
{
	if (!range_ok(b, start, count))
		return false;
	range_apply(b, start, count, RANGE_SET);
	return true;
}

/*@ requires bitmap_ok(b);
    assigns b->words[0 .. bitmap_nwords(b->nbits) - 1];
    ensures \result <==> start + count <= b->nbits;
    behavior fits:
      assumes start + count <= b->nbits;
    behavior does_not_fit:
      assumes start + count > b->nbits;
      assigns \nothing;
    complete behaviors;
    disjoint behaviors;
 */
bool bitmap_clear_range(struct bitmap *b, size_t start, size_t count)
{
	if (!range_ok(b, start, count))
		return false;
	range_apply(b, start, count, RANGE_CLEAR);
	return true;
}

/*@ requires bitmap_ok(b);
    assigns \nothing;
 */
size_t bitmap_count(const struct bitmap *b)
{
	size_t nwords = BITMAP_WORDS(b->nbits);
	size_t n = 0;

	/*@ loop invariant 0 <= i <= nwords;
	    loop assigns i, n;
	    loop variant nwords - i;
	 */
	for (size_t i = 0; i < nwords; i++)
		n += popcount64(b->words[i]);
	return n;
}

/*
 * Lowest index >= from whose bit equals `want`, or nbits. Words are inverted when looking for
 * zeros, so one scan serves both; padding bits past nbits may then look like hits, which the
 * final clamp to nbits removes.
 */
/*@ requires bitmap_ok(b);
    assigns \nothing;
    ensures \result <= b->nbits;
    ensures from >= b->nbits ==> \result == b->nbits;
 */
static size_t find_first(const struct bitmap *b, size_t from, bool want)
{
	uint64_t flip = want ? 0 : ~(uint64_t)0;
	size_t nwords = BITMAP_WORDS(b->nbits);
	size_t i = 0;
	uint64_t w = 0;

	if (from >= b->nbits)
		return b->nbits;
	i = word_of(from);
	/* Drop the bits below from in its word. */
	w = (b->words[i] ^ flip) & ~(bit_mask(from) - 1);
	/*@ loop invariant from >> 6 <= i < nwords;
	    loop assigns i, w;
	    loop variant nwords - i;
	 */
	while (w == 0) {
		i++;
		if (i >= nwords)
			return b->nbits;
		w = b->words[i] ^ flip;
	}
	from = (i << 6) + lowest_set(w);
	return from < b->nbits ? from : b->nbits;
}

/*@ requires bitmap_ok(b);
    assigns \nothing;
    ensures \result <= b->nbits;
    ensures from >= b->nbits ==> \result == b->nbits;
 */
size_t bitmap_find_first_zero(const struct bitmap *b, size_t from)
{
	return find_first(b, from, false);
}

/*@ requires bitmap_ok(b);
    assigns \nothing;
    ensures \result <= b->nbits;
    ensures from >= b->nbits ==> \result == b->nbits;
 */
size_t bitmap_find_first_set(const struct bitmap *b, size_t from)
{
	return find_first(b, from, true);
}

/*
 * Rounds *pos up to a multiple of align (a power of two) and returns true when the result is
 * still <= nbits; false when it would pass nbits (or overflow).
 */
/*@ requires \valid_read(b) && \valid(pos) && \separated(b, pos);
    requires *pos <= b->nbits;
    requires align != 0 && (align & (align - 1)) == 0;
    assigns *pos;
    ensures \result ==> \old(*pos) <= *pos <= b->nbits;
 */
static bool align_up_within(const struct bitmap *b, size_t *pos, size_t align)
{
	size_t rem = *pos & (align - 1);

	if (rem == 0)
		return true;
	if (align - rem > b->nbits - *pos)
		return false;
	*pos += align - rem;
	return true;
}

/*@ requires bitmap_ok(b) && \valid(start) && \separated(start, b);
    requires \separated(start, b->words + (0 .. bitmap_nwords(b->nbits) - 1));
    assigns b->words[0 .. bitmap_nwords(b->nbits) - 1], *start;
    ensures \result ==> count != 0 && *start + count <= b->nbits;
    behavior refused:
      assumes count == 0 || align == 0 || (align & (align - 1)) != 0;
      assigns \nothing;
      ensures !\result;
 */
bool bitmap_alloc_range(struct bitmap *b, size_t count, size_t align, size_t *start)
{
	size_t pos = 0;

	if (count == 0 || align == 0 || (align & (align - 1)) != 0)
		return false;
	/*
	 * Candidate starts only move forward: each failed candidate is followed by a skip past the
	 * first set bit inside it, and no lower aligned start can fit because that bit blocks it.
	 */
	/*@ loop invariant pos <= b->nbits;
	    loop assigns pos;
	 */
	while (pos < b->nbits) {
		size_t busy = 0;

		pos = bitmap_find_first_zero(b, pos);
		if (!align_up_within(b, &pos, align) || count > b->nbits - pos)
			return false;
		busy = bitmap_find_first_set(b, pos);
		if (busy - pos >= count) {
			range_apply(b, pos, count, RANGE_SET);
			*start = pos;
			return true;
		}
		pos = busy + 1;
	}
	return false;
}

/*@ requires bitmap_ok(b);
    assigns b->words[0 .. bitmap_nwords(b->nbits) - 1];
    ensures \result ==> count != 0 && start + count <= b->nbits;
    behavior refused:
      assumes count == 0 || start + count > b->nbits;
      assigns \nothing;
      ensures !\result;
 */
bool bitmap_free_range(struct bitmap *b, size_t start, size_t count)
{
	if (count == 0 || !range_ok(b, start, count) || !range_all_set(b, start, count))
		return false;
	range_apply(b, start, count, RANGE_CLEAR);
	return true;
}
