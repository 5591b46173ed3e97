/* SPDX-License-Identifier: MIT */
/*
 * The in-memory struct tpm_platform of the TPM harnesses (fuzz_tpm.c, fuzz_tpm_state.c):
 * deterministic entropy (xorshift64) and clock, one NV blob in memory, calloc/free. Every
 * input starts from fuzz_tpm_platform_reset(), so a run does not depend on earlier inputs.
 */
#ifndef FUZZ_TPM_PLATFORM_H
#define FUZZ_TPM_PLATFORM_H

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <tpm/tpm.h>

struct fuzz_tpm_platform {
	struct tpm_platform plat; /* ctx is this structure */
	uint8_t nv[TPM_NV_BLOB_MAX];
	size_t nv_len;
	bool nv_has; /* false: nv_load answers TPM_ERR_NO_STATE */
	uint64_t rng;
	uint64_t now_ms;
};

static int fuzz_p_entropy(void *ctx, void *buf, size_t len)
{
	struct fuzz_tpm_platform *f = ctx;
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 7;
		f->rng ^= f->rng << 17;
		b[i] = (uint8_t)f->rng;
	}
	return 0;
}

static int fuzz_p_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	struct fuzz_tpm_platform *f = ctx;

	if (!f->nv_has)
		return TPM_ERR_NO_STATE;
	if (f->nv_len > cap)
		return TPM_ERR_PLATFORM;
	memcpy(buf, f->nv, f->nv_len);
	*len = f->nv_len;
	return 0;
}

static int fuzz_p_nv_commit(void *ctx, const void *buf, size_t len)
{
	struct fuzz_tpm_platform *f = ctx;

	FUZZ_CHECK(len <= sizeof(f->nv));
	memcpy(f->nv, buf, len);
	f->nv_len = len;
	f->nv_has = true;
	return 0;
}

static uint64_t fuzz_p_clock(void *ctx)
{
	return ((struct fuzz_tpm_platform *)ctx)->now_ms;
}

static void *fuzz_p_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return calloc(1, n);
}

static void fuzz_p_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

/* Entropy and clock back to where every input starts. */
static inline void fuzz_tpm_platform_reset(struct fuzz_tpm_platform *f)
{
	f->rng = 0x9E3779B97F4A7C15ull;
	f->now_ms = 1000;
}

/* The callbacks, no NV state yet, entropy and clock reset. */
static inline void fuzz_tpm_platform_init(struct fuzz_tpm_platform *f)
{
	f->plat = (struct tpm_platform){
		.ctx = f,
		.entropy = fuzz_p_entropy,
		.nv_load = fuzz_p_nv_load,
		.nv_commit = fuzz_p_nv_commit,
		.clock_ms = fuzz_p_clock,
		.alloc = fuzz_p_alloc,
		.free = fuzz_p_free,
	};
	f->nv_len = 0;
	f->nv_has = false;
	fuzz_tpm_platform_reset(f);
}

#endif
