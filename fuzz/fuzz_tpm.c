/* SPDX-License-Identifier: MIT */
/*
 * tpm/: the TPM 2.0 engine's command path (tpm_execute) on untrusted command streams, against
 * one TPM with an in-memory platform (deterministic entropy and clock).
 *
 * Input: a sequence of commands, each
 *   a control byte: bits 0-2 the locality (5-7 mean 0); bit 3 power-cycle the TPM before the
 *                   command (volatile state lost, NV kept), then Startup(CLEAR) unless bit 5;
 *                   bit 4 patch the command's size field to its real length (so mutations
 *                   get past the framing); bits 6-7 ignored
 *   a little-endian u16 length n (more than TPM_MAX_COMMAND_SIZE + 16 is cut to that)
 *   n command bytes (fewer when the input ends)
 * Every input starts from the same TPM: manufactured once at start-up (its NV blob kept),
 * each input puts that blob back, powers on and sends Startup(CLEAR). Once MAX_PRIMARIES
 * CreatePrimary commands of an input succeeded, later ones are skipped: an RSA-3072 primary's
 * prime search takes about a second in this build, and libFuzzer's -timeout is 10 s.
 *
 * Checked after every command: the response is well formed, i.e. at least 10 bytes and at most
 * TPM_MAX_RESPONSE_SIZE, its size field equal to its length, its tag TPM_ST_NO_SESSIONS or
 * TPM_ST_SESSIONS (TPM_ST_RSP_COMMAND only with TPM_RC_BAD_TAG); an error response is exactly
 * the 10-byte header; a success carries the command's tag, and with sessions a parameterSize
 * that fits and an authorization area that parses into at most three sessions ending exactly
 * at the end. The engine never enters failure mode (an internal invariant broke), and after
 * the input the NV blob it committed powers on again (never TPM_ERR_CORRUPT).
 */
#include <stdlib.h>
#include <string.h>

#include "../tests/tpm_mem_platform.h"
#include "fuzz.h"

#include "internal.h"

#define MAX_CMD	      (TPM_MAX_COMMAND_SIZE + 16u)
#define MAX_PRIMARIES 3u

static struct tpm *tpm;
static struct tpm_mem_platform fp;
static uint8_t pristine[TPM_NV_BLOB_MAX];
static size_t pristine_len;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The response to cmd[0..len) is well formed (see the top of the file). */
static void check_response(const uint8_t *cmd, size_t len, const uint8_t *rsp, size_t n)
{
	uint16_t tag = 0;
	uint32_t rc = 0;

	FUZZ_CHECK(n >= 10 && n <= TPM_MAX_RESPONSE_SIZE);
	FUZZ_CHECK(be32(rsp + 2) == n);
	tag = be16(rsp);
	rc = be32(rsp + 6);
	if (tag == TPM_ST_RSP_COMMAND) {
		FUZZ_CHECK(rc == TPM_RC_BAD_TAG && n == 10);
		return;
	}
	FUZZ_CHECK(tag == TPM_ST_NO_SESSIONS || tag == TPM_ST_SESSIONS);
	if (rc != TPM_RC_SUCCESS) {
		FUZZ_CHECK(n == 10 && tag == TPM_ST_NO_SESSIONS);
		return;
	}
	/* Success: the command was framed well enough to be executed. */
	FUZZ_CHECK(len >= 10 && be16(cmd) == tag);
	if (tag == TPM_ST_SESSIONS) {
		const struct tpm_cc_desc *d = tpm_cc_find(be32(cmd + 6));
		size_t off = 10;
		uint32_t psize = 0;
		unsigned nsess = 0;

		FUZZ_CHECK(d != NULL);
		off += d->rhandle ? 4u : 0u;
		FUZZ_CHECK(off + 4 <= n);
		psize = be32(rsp + off);
		FUZZ_CHECK(psize <= n - off - 4);
		off += 4 + psize;
		while (off < n) {
			uint16_t sz = 0;

			FUZZ_CHECK(++nsess <= 3);
			FUZZ_CHECK(off + 2 <= n);
			sz = be16(rsp + off); /* nonceTPM */
			off += 2u + sz;
			FUZZ_CHECK(off + 3 <= n); /* attributes, hmac size */
			off += 1;
			sz = be16(rsp + off);
			off += 2u + sz;
			FUZZ_CHECK(off <= n);
		}
		FUZZ_CHECK(nsess > 0);
	}
}

/* Execute and check one command; returns its response code. */
static uint32_t execute(uint8_t locality, const uint8_t *cmd, size_t len)
{
	static uint8_t rsp[TPM_MAX_RESPONSE_SIZE];
	size_t n = 0;

	fp.now_ms += 7;
	n = tpm_execute(tpm, locality, cmd, len, rsp, sizeof(rsp));
	if (tpm->failure_mode) {
		fprintf(stderr, "fuzz_tpm: failure mode: %s\n",
			tpm->failure_reason ? tpm->failure_reason : "?");
		abort();
	}
	check_response(cmd, len, rsp, n);
	return be32(rsp + 6);
}

static void startup_clear(void)
{
	static const uint8_t cmd[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
	static uint8_t rsp[TPM_MAX_RESPONSE_SIZE];
	size_t n = tpm_execute(tpm, 0, cmd, sizeof(cmd), rsp, sizeof(rsp));

	FUZZ_CHECK(n == 10 && be32(rsp + 6) == TPM_RC_SUCCESS);
}

static void power_cycle(bool start)
{
	int rc = 0;

	tpm_power_off(tpm);
	rc = tpm_power_on(tpm);
	if (rc != TPM_OK) {
		fprintf(stderr, "fuzz_tpm: the committed NV blob does not power on: %d\n", rc);
		abort();
	}
	if (start)
		startup_clear();
}

static void init_once(void)
{
	tpm_mem_platform_init(&fp);
	FUZZ_CHECK(tpm_create(&fp.plat, &tpm) == TPM_OK);
	FUZZ_CHECK(tpm_manufacture(tpm) == TPM_OK);
	FUZZ_CHECK(fp.nv_has && fp.nv_len <= sizeof(pristine));
	memcpy(pristine, fp.nv, fp.nv_len);
	pristine_len = fp.nv_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned primaries = 0;

	if (tpm == NULL)
		init_once();
	/* The same TPM for every input: its manufactured NV, powered on, started. */
	tpm_power_off(tpm);
	memcpy(fp.nv, pristine, pristine_len);
	fp.nv_len = pristine_len;
	fp.nv_has = true;
	tpm_mem_platform_reset(&fp);
	FUZZ_CHECK(tpm_power_on(tpm) == TPM_OK);
	startup_clear();

	while (!fuzz_empty(&in)) {
		uint8_t ctl = fuzz_u8(&in);
		size_t want = (size_t)fuzz_uint(&in, 2);
		size_t got = 0;
		const uint8_t *p = NULL;
		uint8_t *cmd = NULL;
		uint8_t locality = ctl & 7;

		if (want > MAX_CMD)
			want = MAX_CMD;
		p = fuzz_bytes(&in, want, &got);
		/* An exact-size copy: ASan sees any read past the command's end. */
		cmd = malloc(got + (got == 0));
		FUZZ_CHECK(cmd != NULL);
		memcpy(cmd, p, got);
		if ((ctl & 0x10) && got >= 6) {
			cmd[2] = (uint8_t)(got >> 24);
			cmd[3] = (uint8_t)(got >> 16);
			cmd[4] = (uint8_t)(got >> 8);
			cmd[5] = (uint8_t)got;
		}
		if (ctl & 0x08)
			power_cycle(!(ctl & 0x20));
		if (got >= 10 && be32(cmd + 6) == TPM_CC_CreatePrimary) {
			if (primaries < MAX_PRIMARIES &&
			    execute(locality > 4 ? 0 : locality, cmd, got) == TPM_RC_SUCCESS)
				primaries++;
		} else {
			execute(locality > 4 ? 0 : locality, cmd, got);
		}
		free(cmd);
	}
	/* Whatever was committed must come back. */
	power_cycle(false);
	return 0;
}
