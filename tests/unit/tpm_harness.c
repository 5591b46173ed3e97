// SPDX-License-Identifier: MIT
/* Host-test harness for the TPM engine (see tpm_harness.h). */
#include <stdlib.h>
#include <string.h>

#include "tpm_harness.h"
#include "unit.h"

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
	tpm_mem_platform_init(&h->mp);
	ASSERT(tpm_create(&h->mp.plat, &h->tpm) == TPM_OK);
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
