// SPDX-License-Identifier: MIT
/* Bounds-checked TPM wire reading and writing (see marshal.h). */
#include <lib/string.h>

#include "marshal.h"

tpm_rc tpm_rc_param(tpm_rc rc, unsigned n)
{
	/* Only format-one codes (bit 7) carry a number; keep an existing number. */
	if ((rc & TPM_RC_FMT1) == 0 || (rc & 0xF40u) != 0 || n == 0 || n > 15)
		return rc;
	return TPM_RCP(rc, n);
}

tpm_rc tpm_get_view(struct tpm_rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return TPM_RC_INSUFFICIENT;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return TPM_RC_SUCCESS;
}

tpm_rc tpm_get_bytes(struct tpm_rd *r, void *buf, size_t n)
{
	const uint8_t *src = NULL;
	tpm_rc rc = tpm_get_view(r, n, &src);

	if (rc == TPM_RC_SUCCESS && n != 0)
		memcpy(buf, src, n);
	return rc;
}

tpm_rc tpm_get_u8(struct tpm_rd *r, uint8_t *v)
{
	const uint8_t *p = NULL;
	tpm_rc rc = tpm_get_view(r, 1, &p);

	if (rc == TPM_RC_SUCCESS)
		*v = p[0];
	return rc;
}

tpm_rc tpm_get_u16(struct tpm_rd *r, uint16_t *v)
{
	const uint8_t *p = NULL;
	tpm_rc rc = tpm_get_view(r, 2, &p);

	if (rc == TPM_RC_SUCCESS)
		*v = tpm_ld16(p);
	return rc;
}

tpm_rc tpm_get_u32(struct tpm_rd *r, uint32_t *v)
{
	const uint8_t *p = NULL;
	tpm_rc rc = tpm_get_view(r, 4, &p);

	if (rc == TPM_RC_SUCCESS)
		*v = tpm_ld32(p);
	return rc;
}

tpm_rc tpm_get_u64(struct tpm_rd *r, uint64_t *v)
{
	const uint8_t *p = NULL;
	tpm_rc rc = tpm_get_view(r, 8, &p);

	if (rc == TPM_RC_SUCCESS)
		*v = (uint64_t)tpm_ld32(p) << 32 | tpm_ld32(p + 4);
	return rc;
}

tpm_rc tpm_get_2b(struct tpm_rd *r, void *buf, size_t max, uint16_t *size)
{
	uint16_t n = 0;
	tpm_rc rc = tpm_get_u16(r, &n);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (n > max)
		return TPM_RC_SIZE;
	rc = tpm_get_bytes(r, buf, n);
	if (rc == TPM_RC_SUCCESS)
		*size = n;
	return rc;
}

tpm_rc tpm_get_bool(struct tpm_rd *r, bool *v)
{
	uint8_t b = 0;
	tpm_rc rc = tpm_get_u8(r, &b);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (b > 1)
		return TPM_RC_VALUE;
	*v = b != 0;
	return TPM_RC_SUCCESS;
}

/* Claims the next n bytes: a pointer to them, or NULL (and overflow set) when they do not fit. */
/*@ requires wr_ok(w);
    assigns w->len, w->overflow;
    ensures wr_ok(w);
    behavior room:
      assumes !w->overflow && n <= w->cap - w->len;
      ensures \result == w->p + \old(w->len) && \valid(\result + (0 .. n - 1));
      ensures !w->overflow && w->len == \old(w->len) + n;
    behavior full:
      assumes w->overflow || n > w->cap - w->len;
      assigns w->overflow;
      ensures \result == \null && w->overflow && w->len == \old(w->len);
    complete behaviors;
    disjoint behaviors;
 */
static uint8_t *wr_room(struct tpm_wr *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return NULL;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

void tpm_put_bytes(struct tpm_wr *w, const void *buf, size_t n)
{
	uint8_t *p = wr_room(w, n);

	if (p != NULL && n != 0)
		memcpy(p, buf, n);
}

void tpm_put_u8(struct tpm_wr *w, uint8_t v)
{
	tpm_put_bytes(w, &v, 1);
}

void tpm_put_u16(struct tpm_wr *w, uint16_t v)
{
	uint8_t b[2];

	tpm_be16(b, v);
	tpm_put_bytes(w, b, 2);
}

void tpm_put_u32(struct tpm_wr *w, uint32_t v)
{
	uint8_t b[4];

	tpm_be32(b, v);
	tpm_put_bytes(w, b, 4);
}

void tpm_put_u64(struct tpm_wr *w, uint64_t v)
{
	tpm_put_u32(w, (uint32_t)(v >> 32));
	tpm_put_u32(w, (uint32_t)v);
}

void tpm_put_2b(struct tpm_wr *w, const void *buf, size_t n)
{
	if (n > UINT16_MAX) {
		w->overflow = true;
		return;
	}
	tpm_put_u16(w, (uint16_t)n);
	tpm_put_bytes(w, buf, n);
}

size_t tpm_put_size16_begin(struct tpm_wr *w)
{
	size_t mark = w->len;

	tpm_put_u16(w, 0);
	return mark;
}

void tpm_put_size16_end(struct tpm_wr *w, size_t mark)
{
	size_t n;

	/* A mark from tpm_put_size16_begin always passes while overflow is clear. */
	if (w->overflow || mark > w->len || w->len - mark < 2) {
		w->overflow = true;
		return;
	}
	n = w->len - mark - 2;
	if (n > UINT16_MAX) {
		w->overflow = true;
		return;
	}
	tpm_be16(w->p + mark, (uint16_t)n);
}

size_t tpm_put_size32_begin(struct tpm_wr *w)
{
	size_t mark = w->len;

	tpm_put_u32(w, 0);
	return mark;
}

void tpm_put_size32_end(struct tpm_wr *w, size_t mark)
{
	/* A mark from tpm_put_size32_begin always passes while overflow is clear. */
	if (w->overflow || mark > w->len || w->len - mark < 4) {
		w->overflow = true;
		return;
	}
	tpm_be32(w->p + mark, (uint32_t)(w->len - mark - 4));
}

void tpm_patch_u32(struct tpm_wr *w, size_t off, uint32_t v)
{
	if (w->overflow || off > w->len || w->len - off < 4) {
		w->overflow = true;
		return;
	}
	tpm_be32(w->p + off, v);
}
