// SPDX-License-Identifier: MIT
/* Host-test harness for the TPM engine (see tpm_harness.h). */
#include <stdlib.h>
#include <string.h>

#include "tpm_harness.h"
#include "unit.h"

static int h_entropy(void *ctx, void *buf, size_t len)
{
	struct tpmh *h = ctx;
	uint8_t *b = buf;

	/* Deterministic per test: tests must not depend on the values, only on their use. */
	for (size_t i = 0; i < len; i++) {
		h->rng ^= h->rng << 13;
		h->rng ^= h->rng >> 7;
		h->rng ^= h->rng << 17;
		b[i] = (uint8_t)h->rng;
	}
	return 0;
}

static int h_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	struct tpmh *h = ctx;

	if (!h->nv_has)
		return TPM_ERR_NO_STATE;
	if (h->nv_len > cap)
		return TPM_ERR_PLATFORM;
	memcpy(buf, h->nv, h->nv_len);
	*len = h->nv_len;
	return 0;
}

static int h_nv_commit(void *ctx, const void *buf, size_t len)
{
	struct tpmh *h = ctx;

	if (h->fail_commits > 0) {
		h->fail_commits--;
		return -1;
	}
	if (len > sizeof(h->nv))
		return -1;
	memcpy(h->nv, buf, len);
	h->nv_len = len;
	h->nv_has = true;
	h->commits++;
	return 0;
}

static uint64_t h_clock(void *ctx)
{
	return ((struct tpmh *)ctx)->now_ms;
}

static void *h_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return calloc(1, n);
}

static void h_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void startup(struct tpmh *h, uint16_t su)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, su);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

void tpmh_init(struct tpmh *h)
{
	memset(h, 0, sizeof(*h));
	h->rng = 0x9E3779B97F4A7C15ull;
	h->now_ms = 1000;
	h->plat = (struct tpm_platform){
		.ctx = h,
		.entropy = h_entropy,
		.nv_load = h_nv_load,
		.nv_commit = h_nv_commit,
		.clock_ms = h_clock,
		.alloc = h_alloc,
		.free = h_free,
	};
	ASSERT(tpm_create(&h->plat, &h->tpm) == TPM_OK);
	ASSERT(tpm_manufacture(h->tpm) == TPM_OK);
	ASSERT(tpm_power_on(h->tpm) == TPM_OK);
	startup(h, TPM_SU_CLEAR);
}

void tpmh_restart(struct tpmh *h, uint16_t su)
{
	tpm_power_off(h->tpm);
	ASSERT(tpm_power_on(h->tpm) == TPM_OK);
	if (su != 0xFFFF)
		startup(h, su);
}

void tpmh_destroy(struct tpmh *h)
{
	tpm_destroy(h->tpm);
	h->tpm = NULL;
}

void tpmh_begin(struct tpmh_cmd *c, uint16_t tag, uint32_t cc)
{
	c->w = tpm_wr_init(c->buf, sizeof(c->buf));
	c->auth_mark = 0;
	tpm_put_u16(&c->w, tag);
	tpm_put_u32(&c->w, 0);
	tpm_put_u32(&c->w, cc);
}

void tpmh_u8(struct tpmh_cmd *c, uint8_t v)
{
	tpm_put_u8(&c->w, v);
}

void tpmh_u16(struct tpmh_cmd *c, uint16_t v)
{
	tpm_put_u16(&c->w, v);
}

void tpmh_u32(struct tpmh_cmd *c, uint32_t v)
{
	tpm_put_u32(&c->w, v);
}

void tpmh_u64(struct tpmh_cmd *c, uint64_t v)
{
	tpm_put_u64(&c->w, v);
}

void tpmh_bytes(struct tpmh_cmd *c, const void *p, size_t n)
{
	tpm_put_bytes(&c->w, p, n);
}

void tpmh_2b(struct tpmh_cmd *c, const void *p, size_t n)
{
	tpm_put_2b(&c->w, p, n);
}

void tpmh_pw(struct tpmh_cmd *c, const void *pw, size_t n)
{
	size_t m = tpm_put_size32_begin(&c->w);

	tpm_put_u32(&c->w, TPM_RS_PW);
	tpm_put_u16(&c->w, 0);
	tpm_put_u8(&c->w, TPMA_SESSION_CONTINUESESSION);
	tpm_put_2b(&c->w, pw, n);
	tpm_put_size32_end(&c->w, m);
}

tpm_rc tpmh_raw(struct tpmh *h, const void *cmd, size_t len)
{
	h->last_tag = len >= 2 ? tpm_ld16(cmd) : 0;
	h->rsp_len = tpm_execute(h->tpm, 0, cmd, len, h->rsp, sizeof(h->rsp));
	if (h->rsp_len < 10 || tpm_ld32(h->rsp + 2) != h->rsp_len)
		return 0xFFFFFFFFu;
	return tpm_ld32(h->rsp + 6);
}

tpm_rc tpmh_send(struct tpmh *h, struct tpmh_cmd *c)
{
	ASSERT(!c->w.overflow);
	tpm_patch_u32(&c->w, 2, (uint32_t)c->w.len);
	return tpmh_raw(h, c->buf, c->w.len);
}

struct tpm_rd tpmh_params(const struct tpmh *h, bool has_handle)
{
	size_t off = 10 + (has_handle ? 4 : 0);
	size_t end = h->rsp_len;

	if (h->rsp_len < off)
		return tpm_rd_init(h->rsp, 0);
	if (tpm_ld16(h->rsp) == TPM_ST_SESSIONS) {
		uint32_t psize;

		if (h->rsp_len < off + 4)
			return tpm_rd_init(h->rsp, 0);
		psize = tpm_ld32(h->rsp + off);
		off += 4;
		if (psize > h->rsp_len - off)
			return tpm_rd_init(h->rsp, 0);
		end = off + psize;
	}
	return tpm_rd_init(h->rsp + off, end - off);
}

uint32_t tpmh_rsp_handle(const struct tpmh *h)
{
	return h->rsp_len >= 14 ? tpm_ld32(h->rsp + 10) : 0;
}
