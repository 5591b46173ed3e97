/* SPDX-License-Identifier: MIT */
/*
 * An in-memory struct tpm_platform for the TPM engine's unit tests (tests/unit/tpm_harness.c),
 * its fuzz harnesses (fuzz/fuzz_tpm.c, fuzz_tpm_state.c) and the differential test
 * (tests/tpm/diff/tpm_diff.c): deterministic entropy (xorshift64 from a fixed seed) and clock,
 * one NV blob in memory, calloc/free, and failing commits on request. Header-only: the
 * callbacks are static, one copy per program that includes it.
 */
#ifndef TESTS_TPM_MEM_PLATFORM_H
#define TESTS_TPM_MEM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <tpm/tpm.h>

struct tpm_mem_platform {
	struct tpm_platform plat; /* ctx is this structure */
	uint8_t nv[TPM_NV_BLOB_MAX];
	size_t nv_len;
	bool nv_has;	       /* false: nv_load answers TPM_ERR_NO_STATE */
	unsigned commits;      /* successful commits so far */
	unsigned fail_commits; /* the next N commits fail */
	uint64_t rng;
	uint64_t now_ms;
	uint64_t clock_step; /* added to now_ms at every reading (0: it moves only when told) */
};

static int tpm_mem_entropy(void *ctx, void *buf, size_t len)
{
	struct tpm_mem_platform *m = ctx;
	uint8_t *b = buf;

	/* Deterministic: users must not depend on the values, only on their use. */
	for (size_t i = 0; i < len; i++) {
		m->rng ^= m->rng << 13;
		m->rng ^= m->rng >> 7;
		m->rng ^= m->rng << 17;
		b[i] = (uint8_t)m->rng;
	}
	return 0;
}

static int tpm_mem_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	struct tpm_mem_platform *m = ctx;

	if (!m->nv_has)
		return TPM_ERR_NO_STATE;
	if (m->nv_len > cap)
		return TPM_ERR_PLATFORM;
	memcpy(buf, m->nv, m->nv_len);
	*len = m->nv_len;
	return 0;
}

static int tpm_mem_nv_commit(void *ctx, const void *buf, size_t len)
{
	struct tpm_mem_platform *m = ctx;

	if (m->fail_commits > 0) {
		m->fail_commits--;
		return -1;
	}
	if (len > sizeof(m->nv))
		return -1;
	memcpy(m->nv, buf, len);
	m->nv_len = len;
	m->nv_has = true;
	m->commits++;
	return 0;
}

static uint64_t tpm_mem_clock(void *ctx)
{
	struct tpm_mem_platform *m = ctx;

	m->now_ms += m->clock_step;
	return m->now_ms;
}

static void *tpm_mem_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return calloc(1, n);
}

static void tpm_mem_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

/* Entropy and clock back to where every test or input starts. */
static inline void tpm_mem_platform_reset(struct tpm_mem_platform *m)
{
	m->rng = 0x9E3779B97F4A7C15ull;
	m->now_ms = 1000;
}

/* The callbacks, no NV state, no failures, a still clock at its start. */
static inline void tpm_mem_platform_init(struct tpm_mem_platform *m)
{
	m->plat = (struct tpm_platform){
		.ctx = m,
		.entropy = tpm_mem_entropy,
		.nv_load = tpm_mem_nv_load,
		.nv_commit = tpm_mem_nv_commit,
		.clock_ms = tpm_mem_clock,
		.alloc = tpm_mem_alloc,
		.free = tpm_mem_free,
	};
	m->nv_len = 0;
	m->nv_has = false;
	m->commits = 0;
	m->fail_commits = 0;
	m->clock_step = 0;
	tpm_mem_platform_reset(m);
}

#endif
