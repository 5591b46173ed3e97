/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked reading and writing of TPM wire data (big-endian, TCG Part 2 marshalling).
 *
 * Reading: struct tpm_rd is a cursor over untrusted bytes. Every get returns TPM_RC_SUCCESS or
 * TPM_RC_INSUFFICIENT (not enough bytes left) / TPM_RC_SIZE (a TPM2B size beyond its buffer);
 * on error the cursor and outputs are unspecified and the caller stops decoding. Callers turn
 * codes into parameter-numbered ones with TPM_RCP().
 *
 * Writing: struct tpm_wr appends to a fixed buffer. Running out of room is an engine bug (the
 * engine sizes every response below TPM_MAX_RESPONSE_SIZE), so puts only set `overflow`; the
 * engine checks it once and enters failure mode instead of sending a truncated response.
 */
#ifndef TPM_MARSHAL_H
#define TPM_MARSHAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tpm/tpm_types.h>

struct tpm_rd {
	const uint8_t *p;
	size_t left;
};

struct tpm_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

/*
 * ACSL (Frama-C WP, proofs/run.sh unit tpm_marshal; docs/assurance.md "Proofs"). A reader may
 * read r->p[0 .. left) and nothing else; a writer may write w->p[0 .. cap) and nothing else, has
 * filled w->p[0 .. len) so far, and its buffer does not overlap the cursor struct itself.
 */
/*@ predicate rd_ok{L}(struct tpm_rd *r) =
      \valid(r) && \valid_read(r->p + (0 .. r->left - 1)) &&
      \separated(r, r->p + (0 .. r->left - 1));
    predicate wr_ok{L}(struct tpm_wr *w) =
      \valid(w) && w->len <= w->cap && \valid(w->p + (0 .. w->cap - 1)) &&
      \separated(w, w->p + (0 .. w->cap - 1));
 */

/* Format-one code with a parameter / handle / session number (1-based), as Part 2 6.6.3. */
#define TPM_RCP(rc, n) ((rc) | TPM_RC_P | ((uint32_t)(n) << TPM_RC_N_SHIFT))
#define TPM_RCH(rc, n) ((rc) | TPM_RC_H | ((uint32_t)(n) << TPM_RC_N_SHIFT))
#define TPM_RCS(rc, n) ((rc) | TPM_RC_S | ((uint32_t)(n) << TPM_RC_N_SHIFT))

/* Add a parameter number to a format-one code; format-zero codes and warnings pass unchanged. */
/*@ assigns \nothing;
    behavior keep:
      assumes (rc & TPM_RC_FMT1) == 0 || (rc & 0xF40) != 0 || n == 0 || n > 15;
      ensures \result == rc;
    behavior number:
      assumes (rc & TPM_RC_FMT1) != 0 && (rc & 0xF40) == 0 && 1 <= n <= 15;
      ensures \result == (uint32_t)(rc | TPM_RC_P | (n << TPM_RC_N_SHIFT));
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_rc_param(tpm_rc rc, unsigned n);

/*@ assigns \nothing;
    ensures \result.p == (uint8_t *)p && \result.left == len;
 */
static inline struct tpm_rd tpm_rd_init(const void *p, size_t len)
{
	struct tpm_rd r = {(const uint8_t *)p, len};

	return r;
}

/*@ assigns \nothing;
    ensures \result.p == (uint8_t *)p && \result.cap == cap && \result.len == 0;
    ensures !\result.overflow;
 */
static inline struct tpm_wr tpm_wr_init(void *p, size_t cap)
{
	struct tpm_wr w = {(uint8_t *)p, cap, 0, false};

	return w;
}

/*
 * Contracts of the gets, for any input bytes: only r->p[0 .. left) is read. A get that needs
 * more bytes than are left returns TPM_RC_INSUFFICIENT and leaves the cursor where it was (a
 * TPM2B's body: just after its size field); otherwise the cursor advances by exactly the bytes
 * consumed and the value is the big-endian one of those bytes, written in the same shift/or
 * form as tpm_ld16/tpm_ld32 (the form the provers match; the casts change nothing).
 */
/*@ requires rd_ok(r) && \valid(v) && \separated(v, r);
    assigns r->p, r->left, *v;
    ensures rd_ok(r);
    behavior ok:
      assumes r->left >= 1;
      ensures \result == TPM_RC_SUCCESS && *v == \old(r->p[0]);
      ensures r->p == \old(r->p) + 1 && r->left == \old(r->left) - 1;
    behavior short:
      assumes r->left < 1;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_u8(struct tpm_rd *r, uint8_t *v);
/*@ requires rd_ok(r) && \valid(v) && \separated(v, r);
    assigns r->p, r->left, *v;
    ensures rd_ok(r);
    behavior ok:
      assumes r->left >= 2;
      ensures \result == TPM_RC_SUCCESS;
      ensures *v == (uint16_t)((\old(r->p[0]) << 8) | \old(r->p[1]));
      ensures r->p == \old(r->p) + 2 && r->left == \old(r->left) - 2;
    behavior short:
      assumes r->left < 2;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_u16(struct tpm_rd *r, uint16_t *v);
/*@ requires rd_ok(r) && \valid(v) && \separated(v, r);
    assigns r->p, r->left, *v;
    ensures rd_ok(r);
    behavior ok:
      assumes r->left >= 4;
      ensures \result == TPM_RC_SUCCESS;
      ensures *v == (uint32_t)((\old(r->p[0]) << 24) | (\old(r->p[1]) << 16) |
                               (\old(r->p[2]) << 8) | \old(r->p[3]));
      ensures r->p == \old(r->p) + 4 && r->left == \old(r->left) - 4;
    behavior short:
      assumes r->left < 4;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_u32(struct tpm_rd *r, uint32_t *v);
/*@ requires rd_ok(r) && \valid(v) && \separated(v, r);
    assigns r->p, r->left, *v;
    ensures rd_ok(r);
    behavior ok:
      assumes r->left >= 8;
      ensures \result == TPM_RC_SUCCESS;
      ensures \let hi = (uint32_t)((\old(r->p[0]) << 24) | (\old(r->p[1]) << 16) |
                                   (\old(r->p[2]) << 8) | \old(r->p[3]));
              \let lo = (uint32_t)((\old(r->p[4]) << 24) | (\old(r->p[5]) << 16) |
                                   (\old(r->p[6]) << 8) | \old(r->p[7]));
              *v == (uint64_t)((hi << 32) | lo);
      ensures r->p == \old(r->p) + 8 && r->left == \old(r->left) - 8;
    behavior short:
      assumes r->left < 8;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_u64(struct tpm_rd *r, uint64_t *v);
/* n raw bytes. */
/*@ requires rd_ok(r) && \valid((uint8_t *)buf + (0 .. n - 1));
    requires \separated((uint8_t *)buf + (0 .. n - 1), r);
    requires n <= r->left ==> \separated((uint8_t *)buf + (0 .. n - 1), r->p + (0 .. n - 1));
    assigns r->p, r->left, ((uint8_t *)buf)[0 .. n - 1];
    ensures rd_ok(r);
    behavior ok:
      assumes n <= r->left;
      ensures \result == TPM_RC_SUCCESS;
      ensures \forall integer i; 0 <= i < n ==> ((uint8_t *)buf)[i] == \old(r->p[i]);
      ensures r->p == \old(r->p) + n && r->left == \old(r->left) - n;
    behavior short:
      assumes n > r->left;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_bytes(struct tpm_rd *r, void *buf, size_t n);
/* A view of the next n bytes without copying (*out points into the command). */
/*@ requires rd_ok(r) && \valid(out) && \separated(out, r);
    assigns r->p, r->left, *out;
    ensures rd_ok(r);
    behavior ok:
      assumes n <= r->left;
      ensures \result == TPM_RC_SUCCESS && *out == \old(r->p);
      ensures \valid_read(*out + (0 .. n - 1));
      ensures r->p == \old(r->p) + n && r->left == \old(r->left) - n;
    behavior short:
      assumes n > r->left;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_view(struct tpm_rd *r, size_t n, const uint8_t **out);
/* TPM2B: u16 size then size bytes; TPM_RC_SIZE when size > max. */
/*@ requires rd_ok(r) && \valid((uint8_t *)buf + (0 .. max - 1)) && \valid(size);
    requires \separated((uint8_t *)buf + (0 .. max - 1), r, size);
    requires \separated((uint8_t *)buf + (0 .. max - 1), r->p + (0 .. r->left - 1));
    requires \separated(size, r);
    assigns r->p, r->left, *size, ((uint8_t *)buf)[0 .. max - 1];
    ensures rd_ok(r);
    behavior short_size:
      assumes r->left < 2;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    behavior too_big:
      assumes r->left >= 2 && (uint16_t)((r->p[0] << 8) | r->p[1]) > max;
      ensures \result == TPM_RC_SIZE;
      ensures r->p == \old(r->p) + 2 && r->left == \old(r->left) - 2;
    behavior short_body:
      assumes r->left >= 2;
      assumes (uint16_t)((r->p[0] << 8) | r->p[1]) <= max;
      assumes (uint16_t)((r->p[0] << 8) | r->p[1]) > r->left - 2;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) + 2 && r->left == \old(r->left) - 2;
    behavior ok:
      assumes r->left >= 2;
      assumes (uint16_t)((r->p[0] << 8) | r->p[1]) <= max;
      assumes (uint16_t)((r->p[0] << 8) | r->p[1]) <= r->left - 2;
      ensures \result == TPM_RC_SUCCESS;
      ensures *size == (uint16_t)((\old(r->p[0]) << 8) | \old(r->p[1]));
      ensures \forall integer i; 0 <= i < *size ==> ((uint8_t *)buf)[i] == \old(r->p[2 + i]);
      ensures r->p == \old(r->p) + 2 + *size && r->left == \old(r->left) - 2 - *size;
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_2b(struct tpm_rd *r, void *buf, size_t max, uint16_t *size);
/* TPMI_YES_NO: TPM_RC_VALUE unless 0 or 1. */
/*@ requires rd_ok(r) && \valid(v) && \separated(v, r);
    assigns r->p, r->left, *v;
    ensures rd_ok(r);
    behavior short:
      assumes r->left < 1;
      ensures \result == TPM_RC_INSUFFICIENT;
      ensures r->p == \old(r->p) && r->left == \old(r->left);
    behavior bad:
      assumes r->left >= 1 && r->p[0] > 1;
      ensures \result == TPM_RC_VALUE;
      ensures r->p == \old(r->p) + 1 && r->left == \old(r->left) - 1;
    behavior ok:
      assumes r->left >= 1 && r->p[0] <= 1;
      ensures \result == TPM_RC_SUCCESS && *v == \old(r->p[0]);
      ensures r->p == \old(r->p) + 1 && r->left == \old(r->left) - 1;
    complete behaviors;
    disjoint behaviors;
 */
tpm_rc tpm_get_bool(struct tpm_rd *r, bool *v);
/* True when every byte was consumed (commands must not carry trailing bytes). */
/*@ requires \valid_read(r);
    assigns \nothing;
    ensures \result <==> r->left == 0;
 */
static inline bool tpm_rd_done(const struct tpm_rd *r)
{
	return r->left == 0;
}

/*
 * Contracts of the puts: nothing is written outside w->p[len .. cap) (the size ends and the
 * patch: outside the bytes already written, w->p[0 .. len)). A put that does not fit sets
 * overflow, which stays set, so every later put writes nothing; with room, len grows by exactly
 * the bytes written and they are the big-endian bytes of the value.
 */
/*@ requires wr_ok(w);
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len;
    behavior room:
      assumes !w->overflow && 1 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 1;
      ensures w->p[\old(w->len)] == v;
    behavior full:
      assumes w->overflow || 1 > w->cap - w->len;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_u8(struct tpm_wr *w, uint8_t v);
/*@ requires wr_ok(w);
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len;
    behavior room:
      assumes !w->overflow && 2 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 2;
      ensures w->p[\old(w->len)] == (uint8_t)(v >> 8);
      ensures w->p[\old(w->len) + 1] == (uint8_t)v;
    behavior full:
      assumes w->overflow || 2 > w->cap - w->len;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_u16(struct tpm_wr *w, uint16_t v);
/*@ requires wr_ok(w);
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len;
    behavior room:
      assumes !w->overflow && 4 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 4;
      ensures w->p[\old(w->len)] == (uint8_t)(v >> 24);
      ensures w->p[\old(w->len) + 1] == (uint8_t)(v >> 16);
      ensures w->p[\old(w->len) + 2] == (uint8_t)(v >> 8);
      ensures w->p[\old(w->len) + 3] == (uint8_t)v;
    behavior full:
      assumes w->overflow || 4 > w->cap - w->len;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_u32(struct tpm_wr *w, uint32_t v);
/* The high half first; when only it fits, it is written and overflow is set. */
/*@ requires wr_ok(w);
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len;
    behavior room:
      assumes !w->overflow && 8 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 8;
      ensures \let hi = (uint32_t)(v >> 32);
              w->p[\old(w->len)] == (uint8_t)(hi >> 24) &&
              w->p[\old(w->len) + 1] == (uint8_t)(hi >> 16) &&
              w->p[\old(w->len) + 2] == (uint8_t)(hi >> 8) &&
              w->p[\old(w->len) + 3] == (uint8_t)hi;
      ensures \let lo = (uint32_t)v;
              w->p[\old(w->len) + 4] == (uint8_t)(lo >> 24) &&
              w->p[\old(w->len) + 5] == (uint8_t)(lo >> 16) &&
              w->p[\old(w->len) + 6] == (uint8_t)(lo >> 8) &&
              w->p[\old(w->len) + 7] == (uint8_t)lo;
    behavior full:
      assumes w->overflow || 8 > w->cap - w->len;
      ensures w->overflow;
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_u64(struct tpm_wr *w, uint64_t v);
/*@ requires wr_ok(w) && \valid_read((uint8_t *)buf + (0 .. n - 1));
    requires \separated((uint8_t *)buf + (0 .. n - 1), w, w->p + (0 .. w->cap - 1));
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len;
    behavior room:
      assumes !w->overflow && n <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + n;
      ensures \forall integer i; 0 <= i < n ==>
                w->p[\old(w->len) + i] == \old(((uint8_t *)buf)[i]);
    behavior full:
      assumes w->overflow || n > w->cap - w->len;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_bytes(struct tpm_wr *w, const void *buf, size_t n);
/* TPM2B from a buffer; n must fit a u16 (else overflow is set). */
/*@ requires wr_ok(w) && \valid_read((uint8_t *)buf + (0 .. n - 1));
    requires \separated((uint8_t *)buf + (0 .. n - 1), w, w->p + (0 .. w->cap - 1));
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len;
    behavior room:
      assumes !w->overflow && n <= 65535 && n + 2 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 2 + n;
      ensures w->p[\old(w->len)] == (uint8_t)(n >> 8);
      ensures w->p[\old(w->len) + 1] == (uint8_t)n;
      ensures \forall integer i; 0 <= i < n ==>
                w->p[\old(w->len) + 2 + i] == \old(((uint8_t *)buf)[i]);
    behavior full:
      assumes w->overflow || n > 65535 || n + 2 > w->cap - w->len;
      ensures w->overflow;
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_2b(struct tpm_wr *w, const void *buf, size_t n);
/*
 * Reserve a u16/u32 size field and fill it later with the bytes written since. An end whose
 * mark does not leave room for the field before len (a mark not from the matching begin) sets
 * overflow and writes nothing.
 */
/*@ requires wr_ok(w);
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len && \result == \old(w->len);
    behavior room:
      assumes !w->overflow && 2 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 2;
      ensures w->p[\result] == 0 && w->p[\result + 1] == 0;
    behavior full:
      assumes w->overflow || 2 > w->cap - w->len;
      ensures w->overflow;
    complete behaviors;
    disjoint behaviors;
 */
size_t tpm_put_size16_begin(struct tpm_wr *w);
/*@ requires wr_ok(w);
    assigns w->overflow, w->p[mark .. mark + 1];
    ensures wr_ok(w);
    behavior fill:
      assumes !w->overflow && mark <= w->len && w->len - mark >= 2;
      assumes w->len - mark - 2 <= 65535;
      ensures !w->overflow;
      ensures w->p[mark] == (uint8_t)((w->len - mark - 2) >> 8);
      ensures w->p[mark + 1] == (uint8_t)(w->len - mark - 2);
    behavior fail:
      assumes w->overflow || mark > w->len || w->len - mark < 2 || w->len - mark - 2 > 65535;
      assigns w->overflow;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_size16_end(struct tpm_wr *w, size_t mark);
/*@ requires wr_ok(w);
    assigns w->len, w->overflow, w->p[w->len .. w->cap - 1];
    ensures wr_ok(w) && \old(w->len) <= w->len && \result == \old(w->len);
    behavior room:
      assumes !w->overflow && 4 <= w->cap - w->len;
      ensures !w->overflow && w->len == \old(w->len) + 4;
      ensures w->p[\result] == 0 && w->p[\result + 1] == 0;
      ensures w->p[\result + 2] == 0 && w->p[\result + 3] == 0;
    behavior full:
      assumes w->overflow || 4 > w->cap - w->len;
      ensures w->overflow;
    complete behaviors;
    disjoint behaviors;
 */
size_t tpm_put_size32_begin(struct tpm_wr *w);
/* The size is stored modulo 2^32 (the engine's buffers are far smaller). */
/*@ requires wr_ok(w);
    assigns w->overflow, w->p[mark .. mark + 3];
    ensures wr_ok(w);
    behavior fill:
      assumes !w->overflow && mark <= w->len && w->len - mark >= 4;
      ensures !w->overflow;
      ensures \let n = (uint32_t)(w->len - mark - 4);
              w->p[mark] == (uint8_t)(n >> 24) && w->p[mark + 1] == (uint8_t)(n >> 16) &&
              w->p[mark + 2] == (uint8_t)(n >> 8) && w->p[mark + 3] == (uint8_t)n;
    behavior fail:
      assumes w->overflow || mark > w->len || w->len - mark < 4;
      assigns w->overflow;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_put_size32_end(struct tpm_wr *w, size_t mark);
/* Overwrite a u32 at an earlier offset (response header fields). */
/*@ requires wr_ok(w);
    assigns w->overflow, w->p[off .. off + 3];
    ensures wr_ok(w);
    behavior fill:
      assumes !w->overflow && off <= w->len && w->len - off >= 4;
      ensures !w->overflow;
      ensures w->p[off] == (uint8_t)(v >> 24) && w->p[off + 1] == (uint8_t)(v >> 16) &&
              w->p[off + 2] == (uint8_t)(v >> 8) && w->p[off + 3] == (uint8_t)v;
    behavior fail:
      assumes w->overflow || off > w->len || w->len - off < 4;
      assigns w->overflow;
      ensures w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
void tpm_patch_u32(struct tpm_wr *w, size_t off, uint32_t v);

/* Big-endian helpers for code that builds byte strings (hash inputs). */
/*@ requires \valid(p + (0 .. 1));
    assigns p[0 .. 1];
    ensures p[0] == (uint8_t)(v >> 8) && p[1] == (uint8_t)v;
 */
static inline void tpm_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*@ requires \valid(p + (0 .. 3));
    assigns p[0 .. 3];
    ensures p[0] == (uint8_t)(v >> 24) && p[1] == (uint8_t)(v >> 16);
    ensures p[2] == (uint8_t)(v >> 8) && p[3] == (uint8_t)v;
 */
static inline void tpm_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*@ requires \valid_read(p + (0 .. 1));
    assigns \nothing;
    ensures \result == (uint16_t)((p[0] << 8) | p[1]);
 */
static inline uint16_t tpm_ld16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/*@ requires \valid_read(p + (0 .. 3));
    assigns \nothing;
    ensures \result == (uint32_t)((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]);
 */
static inline uint32_t tpm_ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
