/* SPDX-License-Identifier: MIT */
/*
 * tpm/state.c: the parser of the TPM engine's NV blob (tpm_state_parse), the platform's storage
 * read at tpm_power_on, and what the engine then does with an accepted state.
 *
 * Input: a control byte, then the blob:
 *   bit 0  raw: the rest is the whole blob as the platform holds it, length field and SHA-256
 *          trailer as given (so the length and digest checks themselves are fuzzed)
 *   bit 1  (not raw) keep the length field (bytes 12..15) as given; otherwise it is patched to
 *          the blob's final length
 *   bit 2  Startup(STATE) instead of Startup(CLEAR) after power-on
 * Unless raw, the rest is the blob without its trailer and the harness appends the SHA-256 of
 * it, so mutations get past the checksum (state.c: magic | version | length | records | digest).
 *
 * Checked for every input:
 *  - tpm_state_parse on an exact-size heap copy (ASan sees any read past the blob) returns
 *    TPM_OK, TPM_ERR_CORRUPT or TPM_ERR_VERSION, and on error leaves its output untouched;
 *  - tpm_power_on through the platform gives the same answer and, on success, the same state;
 *  - an accepted state is one the NV commands can work on: every index's data lies in the packed
 *    arena, handles are distinct NV handles, every index has a type NV_DefineSpace knows,
 *    counter/bits/PIN indices hold 8 bytes and extend indices a digest of their name algorithm
 *    (what NV_DefineSpace guarantees and cmd_nv.c relies on);
 *  - it serializes again (fits TPM_NV_BLOB_MAX) and that blob parses to the identical state;
 *  - the engine then runs Startup, GetCapability, PCR_Read, ReadClock and, for each NV index,
 *    NV_ReadPublic, NV_Read and the write its type allows, then Shutdown(STATE), a power cycle
 *    and Startup(STATE): every response is well formed, the engine never enters failure mode
 *    (an internal invariant broke), and what it committed powers on again.
 *
 * Seeds: with FUZZ_TPM_STATE_SEEDS=DIR in the environment the harness writes its seed corpus
 * (blobs of a manufactured engine after NV, PCR, hierarchy and shutdown commands, and near
 * misses) into DIR and exits; fuzz/make_seeds.py --tpm-state-gen BIN runs that.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/tpm_mem_platform.h"
#include "fuzz.h"

#include "internal.h"

#define STATE_HDR      16u /* magic, version, length */
#define STATE_DIGEST   32u /* SHA-256 trailer */

#define CTL_RAW	       0x01u
#define CTL_KEEP_LEN   0x02u
#define CTL_SU_STATE   0x04u
#define NV_CMD_INDICES 8u /* NV commands run on the first this many indices */

static struct tpm *tpm;
static struct tpm_mem_platform fp;

/* tpm_state_parse outputs: the state, its scratch, the pattern an error must leave. */
static struct tpm_perm parsed, scratch, again, pattern;
static uint8_t reblob[TPM_NV_BLOB_MAX];

static void init_once(void)
{
	tpm_mem_platform_init(&fp);
	FUZZ_CHECK(tpm_create(&fp.plat, &tpm) == TPM_OK);
	memset(&pattern, 0x5A, sizeof(pattern));
}

/* ---- commands --------------------------------------------------------------------------- */

struct cmd {
	uint8_t buf[TPM_MAX_COMMAND_SIZE];
	struct tpm_wr w;
	size_t auth_mark;
};

static void cmd_begin(struct cmd *c, bool sessions, uint32_t cc)
{
	c->w = tpm_wr_init(c->buf, sizeof(c->buf));
	c->auth_mark = 0;
	tpm_put_u16(&c->w, sessions ? TPM_ST_SESSIONS : TPM_ST_NO_SESSIONS);
	tpm_put_u32(&c->w, 0); /* size, patched by cmd_send */
	tpm_put_u32(&c->w, cc);
}

/* One password session with the given authValue (after the handles). */
static void cmd_pw(struct cmd *c, const void *pw, size_t n)
{
	tpm_put_u32(&c->w, (uint32_t)(9u + n));
	tpm_put_u32(&c->w, TPM_RS_PW);
	tpm_put_u16(&c->w, 0); /* nonce */
	tpm_put_u8(&c->w, 1);  /* continueSession */
	tpm_put_2b(&c->w, pw, n);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Execute; the response must be well formed and the engine out of failure mode. */
static uint32_t cmd_send(struct cmd *c)
{
	static uint8_t rsp[TPM_MAX_RESPONSE_SIZE];
	size_t n = 0;
	uint16_t tag = 0;
	uint32_t rc = 0;

	FUZZ_CHECK(!c->w.overflow);
	tpm_patch_u32(&c->w, 2, (uint32_t)c->w.len);
	fp.now_ms += 7;
	n = tpm_execute(tpm, 0, c->buf, c->w.len, rsp, sizeof(rsp));
	if (tpm->failure_mode) {
		fprintf(stderr, "fuzz_tpm_state: failure mode: %s\n",
			tpm->failure_reason ? tpm->failure_reason : "?");
		abort();
	}
	FUZZ_CHECK(n >= 10 && n <= TPM_MAX_RESPONSE_SIZE && be32(rsp + 2) == n);
	tag = be16(rsp);
	rc = be32(rsp + 6);
	FUZZ_CHECK(tag == TPM_ST_NO_SESSIONS || tag == TPM_ST_SESSIONS);
	FUZZ_CHECK(rc == TPM_RC_SUCCESS || n == 10);
	return rc;
}

static uint32_t startup(uint16_t su)
{
	struct cmd c;

	cmd_begin(&c, false, TPM_CC_Startup);
	tpm_put_u16(&c.w, su);
	return cmd_send(&c);
}

static uint32_t shutdown(uint16_t su)
{
	struct cmd c;

	cmd_begin(&c, false, TPM_CC_Shutdown);
	tpm_put_u16(&c.w, su);
	return cmd_send(&c);
}

static uint32_t get_capability(uint32_t cap, uint32_t prop, uint32_t count)
{
	struct cmd c;

	cmd_begin(&c, false, TPM_CC_GetCapability);
	tpm_put_u32(&c.w, cap);
	tpm_put_u32(&c.w, prop);
	tpm_put_u32(&c.w, count);
	return cmd_send(&c);
}

/* PCR_Read of PCRs [first, first + 8) in every bank the engine implements. */
static uint32_t pcr_read(unsigned first)
{
	struct cmd c;

	cmd_begin(&c, false, TPM_CC_PCR_Read);
	tpm_put_u32(&c.w, TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		tpm_put_u16(&c.w, tpm_banks[b]);
		tpm_put_u8(&c.w, TPM_PCR_SELECT_MIN);
		for (unsigned i = 0; i < TPM_PCR_SELECT_MIN; i++)
			tpm_put_u8(&c.w, i == first / 8 ? 0xFF : 0);
	}
	return cmd_send(&c);
}

static uint32_t pcr_extend(uint32_t pcr)
{
	static const uint8_t digest[32] = {1, 2, 3, 4};
	struct cmd c;

	cmd_begin(&c, true, TPM_CC_PCR_Extend);
	tpm_put_u32(&c.w, pcr);
	cmd_pw(&c, "", 0);
	tpm_put_u32(&c.w, 1);
	tpm_put_u16(&c.w, TPM_ALG_SHA256);
	tpm_put_bytes(&c.w, digest, sizeof(digest));
	return cmd_send(&c);
}

static uint32_t nv_read_public(uint32_t index)
{
	struct cmd c;

	cmd_begin(&c, false, TPM_CC_NV_ReadPublic);
	tpm_put_u32(&c.w, index);
	return cmd_send(&c);
}

/* The handle that authorizes reading (write: writing) an index, as its attributes allow. */
static uint32_t nv_auth_handle(const struct tpm_nv_index *x, bool write)
{
	if (x->attrs & (write ? TPMA_NV_AUTHWRITE : TPMA_NV_AUTHREAD))
		return x->handle;
	if (x->attrs & (write ? TPMA_NV_OWNERWRITE : TPMA_NV_OWNERREAD))
		return TPM_RH_OWNER;
	return TPM_RH_PLATFORM;
}

/* NV_Read of the whole index (up to TPM_NV_BUFFER_MAX bytes) with an empty password. */
static uint32_t nv_read(const struct tpm_nv_index *x)
{
	struct cmd c;
	uint16_t size = x->data_size < TPM_NV_BUFFER_MAX ? x->data_size : TPM_NV_BUFFER_MAX;

	cmd_begin(&c, true, TPM_CC_NV_Read);
	tpm_put_u32(&c.w, nv_auth_handle(x, false));
	tpm_put_u32(&c.w, x->handle);
	cmd_pw(&c, "", 0);
	tpm_put_u16(&c.w, size);
	tpm_put_u16(&c.w, 0);
	return cmd_send(&c);
}

/* The write the index's type allows, with an empty password. */
static uint32_t nv_write(const struct tpm_nv_index *x)
{
	static const uint8_t data[16] = "copra fuzz data";
	uint32_t type = (x->attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
	struct cmd c;
	uint32_t cc = TPM_CC_NV_Write;

	if (type == TPM_NT_COUNTER)
		cc = TPM_CC_NV_Increment;
	else if (type == TPM_NT_BITS)
		cc = TPM_CC_NV_SetBits;
	else if (type == TPM_NT_EXTEND)
		cc = TPM_CC_NV_Extend;
	cmd_begin(&c, true, cc);
	tpm_put_u32(&c.w, nv_auth_handle(x, true));
	tpm_put_u32(&c.w, x->handle);
	cmd_pw(&c, "", 0);
	if (cc == TPM_CC_NV_Write) {
		tpm_put_2b(&c.w, data, x->data_size < sizeof(data) ? x->data_size : sizeof(data));
		tpm_put_u16(&c.w, 0);
	} else if (cc == TPM_CC_NV_SetBits) {
		tpm_put_u64(&c.w, 0x8000000000000001ull);
	} else if (cc == TPM_CC_NV_Extend) {
		tpm_put_2b(&c.w, data, sizeof(data));
	}
	return cmd_send(&c);
}

/* ---- checks ----------------------------------------------------------------------------- */

/* What NV_DefineSpace guarantees about an index and cmd_nv.c relies on. */
static void check_perm(const struct tpm_perm *p)
{
	uint32_t end = 0;

	FUZZ_CHECK(p->nv_data_used <= TPM_NV_DATA_MAX);
	FUZZ_CHECK(p->pcr_alloc < (1u << TPM_NUM_BANKS));
	FUZZ_CHECK(p->pcr_alloc_pending < (1u << TPM_NUM_BANKS));
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *x = &p->nv[i];
		uint32_t type = (x->attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
		unsigned digest = tpm_hash_size(x->name_alg);

		if (x->handle == 0)
			continue;
		FUZZ_CHECK((x->handle >> TPM_HR_SHIFT) == TPM_HT_NV_INDEX);
		FUZZ_CHECK(digest != 0);
		FUZZ_CHECK(x->policy_size == 0 || x->policy_size == digest);
		FUZZ_CHECK(x->data_size <= TPM_NV_INDEX_MAX);
		/* Packed in slot order. */
		FUZZ_CHECK(x->data_off == end);
		end += x->data_size;
		FUZZ_CHECK(end <= p->nv_data_used);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(p->nv[j].handle != x->handle);
		if (type == TPM_NT_COUNTER || type == TPM_NT_BITS || type == TPM_NT_PIN_FAIL ||
		    type == TPM_NT_PIN_PASS)
			FUZZ_CHECK(x->data_size == 8);
		else if (type == TPM_NT_EXTEND)
			FUZZ_CHECK(x->data_size == digest);
		else
			FUZZ_CHECK(type == TPM_NT_ORDINARY);
	}
	FUZZ_CHECK(end == p->nv_data_used);
}

/* An accepted state serializes again, and that blob parses to the same state. */
static void check_round_trip(const struct tpm_perm *p)
{
	size_t len = tpm_state_serialize(p, reblob, sizeof(reblob));

	FUZZ_CHECK(len != 0);
	FUZZ_CHECK(tpm_state_parse(reblob, len, &again, &scratch) == TPM_OK);
	FUZZ_CHECK(memcmp(&again, p, sizeof(*p)) == 0);
}

static void power_on_ok(void)
{
	int rc = tpm_power_on(tpm);

	if (rc != TPM_OK) {
		fprintf(stderr, "fuzz_tpm_state: the committed NV blob does not power on: %d\n",
			rc);
		abort();
	}
}

/* The engine on an accepted state (see the top of the file). */
static void exercise(uint8_t ctl)
{
	static const uint32_t caps[][3] = {
		{TPM_CAP_HANDLES, (uint32_t)TPM_HT_NV_INDEX << TPM_HR_SHIFT, 64},
		{TPM_CAP_TPM_PROPERTIES, TPM_PT_FIXED, 64},
		{TPM_CAP_TPM_PROPERTIES, TPM_PT_VAR, 64},
		{TPM_CAP_PCRS, 0, 1},
	};
	uint32_t handles[NV_CMD_INDICES];
	unsigned n = 0;

	if (startup((ctl & CTL_SU_STATE) ? TPM_SU_STATE : TPM_SU_CLEAR) != TPM_RC_SUCCESS &&
	    startup(TPM_SU_CLEAR) != TPM_RC_SUCCESS)
		return; /* nothing runs before a Startup */
	for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		(void)get_capability(caps[i][0], caps[i][1], caps[i][2]);
	for (unsigned first = 0; first < TPM_NUM_PCRS; first += 8)
		(void)pcr_read(first);
	{
		struct cmd c;

		cmd_begin(&c, false, TPM_CC_ReadClock);
		(void)cmd_send(&c);
	}
	/* Handles, not pointers: a command may move indices around. */
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX && n < NV_CMD_INDICES; i++)
		if (tpm->perm.nv[i].handle != 0)
			handles[n++] = tpm->perm.nv[i].handle;
	for (unsigned i = 0; i < n; i++) {
		struct tpm_nv_index *x = tpm_nv_find(tpm, handles[i]);

		(void)nv_read_public(handles[i]);
		if (x != NULL)
			(void)nv_read(x);
		x = tpm_nv_find(tpm, handles[i]);
		if (x != NULL)
			(void)nv_write(x);
	}
	(void)pcr_extend(16);
	/* An orderly shutdown saves the state; it must come back. */
	if (shutdown(TPM_SU_STATE) == TPM_RC_SUCCESS) {
		tpm_power_off(tpm);
		power_on_ok();
		(void)startup(TPM_SU_STATE);
		(void)pcr_read(16);
	}
}

/* ---- the blob ----------------------------------------------------------------------------- */

/* The blob the platform holds for this input (see the top of the file); its length. */
static size_t make_blob(uint8_t ctl, const uint8_t *data, size_t size, uint8_t *out)
{
	size_t len = 0;

	if (ctl & CTL_RAW) {
		len = size < TPM_NV_BLOB_MAX ? size : TPM_NV_BLOB_MAX;
		memcpy(out, data, len);
		return len;
	}
	len = size < TPM_NV_BLOB_MAX - STATE_DIGEST ? size : TPM_NV_BLOB_MAX - STATE_DIGEST;
	memcpy(out, data, len);
	if (!(ctl & CTL_KEEP_LEN) && len >= STATE_HDR)
		tpm_be32(out + 12, (uint32_t)(len + STATE_DIGEST));
	FUZZ_CHECK(tpm_hash(TPM_ALG_SHA256, out, len, out + len));
	return len + STATE_DIGEST;
}

static void make_seeds(const char *dir);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_TPM_STATE_SEEDS");

	(void)argc;
	(void)argv;
	if (dir != NULL) {
		make_seeds(dir);
		exit(0);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t blob[TPM_NV_BLOB_MAX];
	uint8_t ctl = 0;
	uint8_t *copy = NULL;
	size_t len = 0;
	int rc = 0;
	int rc_on = 0;

	if (size == 0)
		return 0;
	if (tpm == NULL)
		init_once();
	ctl = data[0];
	len = make_blob(ctl, data + 1, size - 1, blob);

	/* The parser itself, on an exact-size copy. */
	copy = malloc(len + (len == 0));
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, blob, len);
	memcpy(&parsed, &pattern, sizeof(parsed));
	rc = tpm_state_parse(copy, len, &parsed, &scratch);
	free(copy);
	FUZZ_CHECK(rc == TPM_OK || rc == TPM_ERR_CORRUPT || rc == TPM_ERR_VERSION);
	if (rc != TPM_OK)
		FUZZ_CHECK(memcmp(&parsed, &pattern, sizeof(parsed)) == 0);

	/* The public path: the platform hands the blob to tpm_power_on. */
	tpm_power_off(tpm);
	tpm_mem_platform_reset(&fp);
	memcpy(fp.nv, blob, len);
	fp.nv_len = len;
	fp.nv_has = true;
	rc_on = tpm_power_on(tpm);
	FUZZ_CHECK(rc_on == rc);
	if (rc != TPM_OK)
		return 0;
	FUZZ_CHECK(memcmp(&tpm->perm, &parsed, sizeof(parsed)) == 0);
	check_perm(&parsed);
	check_round_trip(&parsed);

	exercise(ctl);
	/* Whatever was committed must come back. */
	tpm_power_off(tpm);
	power_on_ok();
	check_perm(&tpm->perm);
	tpm_power_off(tpm);
	return 0;
}

/* ---- seeds ------------------------------------------------------------------------------- */

#define SEED_MAX (1u + TPM_NV_BLOB_MAX)

static uint8_t seed[SEED_MAX];

static void write_seed(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f = NULL;

	FUZZ_CHECK(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "fuzz_tpm_state: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	FUZZ_CHECK(fwrite(p, 1, n, f) == n);
	FUZZ_CHECK(fclose(f) == 0);
}

/* The committed blob as a seed: the control byte, then the blob without its trailer. */
static size_t seed_of_blob(uint8_t ctl)
{
	FUZZ_CHECK(fp.nv_has && fp.nv_len >= STATE_HDR + STATE_DIGEST);
	seed[0] = ctl;
	memcpy(seed + 1, fp.nv, fp.nv_len - STATE_DIGEST);
	return 1 + fp.nv_len - STATE_DIGEST;
}

/* Offset in seed[] of the first record with this tag (0 if none). */
static size_t find_record(size_t n, uint16_t tag)
{
	size_t off = 1 + STATE_HDR;

	while (off + 6 <= n) {
		if (tpm_ld16(seed + off) == tag)
			return off;
		off += 6u + tpm_ld32(seed + off + 2);
	}
	return 0;
}

/* Append a record to the seed in seed[0 .. n); the new length. */
static size_t append_record(size_t n, uint16_t tag, const void *val, uint32_t len)
{
	FUZZ_CHECK(n + 6 + len <= sizeof(seed));
	tpm_be16(seed + n, tag);
	tpm_be32(seed + n + 2, len);
	memcpy(seed + n + 6, val, len);
	return n + 6 + len;
}

/* Remove the first record with this tag from the seed in seed[0 .. n); the new length. */
static size_t remove_record(size_t n, uint16_t tag)
{
	size_t off = find_record(n, tag);
	size_t rlen = 0;

	FUZZ_CHECK(off != 0);
	rlen = 6u + tpm_ld32(seed + off + 2);
	memmove(seed + off, seed + off + rlen, n - off - rlen);
	return n - rlen;
}

/* A new engine: manufactured, powered on, Startup(CLEAR). */
static void fresh(void)
{
	tpm_power_off(tpm);
	fp.nv_has = false;
	fp.nv_len = 0;
	tpm_mem_platform_reset(&fp);
	FUZZ_CHECK(tpm_manufacture(tpm) == TPM_OK);
	power_on_ok();
	FUZZ_CHECK(startup(TPM_SU_CLEAR) == TPM_RC_SUCCESS);
}

static uint32_t nv_define(uint32_t index, uint32_t attrs, uint16_t size, const char *auth,
			  size_t policy)
{
	static const uint8_t pol[32] = {0xAA, 0x55};
	struct cmd c;
	size_t m = 0;

	cmd_begin(&c, true, TPM_CC_NV_DefineSpace);
	tpm_put_u32(&c.w, TPM_RH_OWNER);
	cmd_pw(&c, "", 0);
	tpm_put_2b(&c.w, auth, strlen(auth));
	m = tpm_put_size16_begin(&c.w);
	tpm_put_u32(&c.w, index);
	tpm_put_u16(&c.w, TPM_ALG_SHA256);
	tpm_put_u32(&c.w, attrs);
	tpm_put_2b(&c.w, pol, policy);
	tpm_put_u16(&c.w, size);
	tpm_put_size16_end(&c.w, m);
	return cmd_send(&c);
}

static uint32_t nv_write_at(uint32_t index, const void *p, size_t n, uint16_t off)
{
	struct cmd c;

	cmd_begin(&c, true, TPM_CC_NV_Write);
	tpm_put_u32(&c.w, index);
	tpm_put_u32(&c.w, index);
	cmd_pw(&c, "", 0);
	tpm_put_2b(&c.w, p, n);
	tpm_put_u16(&c.w, off);
	return cmd_send(&c);
}

static uint32_t hier_change_auth(uint32_t h, const char *auth)
{
	struct cmd c;

	cmd_begin(&c, true, TPM_CC_HierarchyChangeAuth);
	tpm_put_u32(&c.w, h);
	cmd_pw(&c, "", 0);
	tpm_put_2b(&c.w, auth, strlen(auth));
	return cmd_send(&c);
}

static uint32_t simple(uint32_t cc, uint32_t h, bool auth)
{
	struct cmd c;

	cmd_begin(&c, auth, cc);
	tpm_put_u32(&c.w, h);
	if (auth)
		cmd_pw(&c, "", 0);
	return cmd_send(&c);
}

static void make_seeds(const char *dir)
{
	const uint32_t rw = TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE | TPMA_NV_OWNERREAD |
			    TPMA_NV_AUTHREAD | TPMA_NV_NO_DA;
	const uint32_t ord = 0x01500010, ctr = 0x01500011, bits = 0x01500012, ext = 0x01500013;
	static const uint8_t big[1024] = {0xC0, 0xFF, 0xEE};
	static const uint8_t opt[4] = {1, 2, 3, 4};
	size_t n = 0;
	size_t off = 0;

	init_once();

	/* 01: a freshly manufactured TPM, as it first powers on. */
	tpm_power_off(tpm);
	fp.nv_has = false;
	tpm_mem_platform_reset(&fp);
	FUZZ_CHECK(tpm_manufacture(tpm) == TPM_OK);
	n = seed_of_blob(0);
	write_seed(dir, "01-manufactured", seed, n);
	/* Near misses of it: raw with its real trailer, raw with a broken one, wrong length. */
	seed[0] = CTL_RAW;
	memcpy(seed + 1, fp.nv, fp.nv_len);
	write_seed(dir, "02-raw", seed, 1 + fp.nv_len);
	seed[fp.nv_len] ^= 1;
	write_seed(dir, "03-raw-bad-digest", seed, 1 + fp.nv_len);
	n = seed_of_blob(CTL_KEEP_LEN);
	tpm_be32(seed + 1 + 12, (uint32_t)fp.nv_len + 1);
	write_seed(dir, "04-wrong-length", seed, n);
	n = seed_of_blob(0);
	tpm_be32(seed + 1 + 8, 2);
	write_seed(dir, "05-version-2", seed, n);

	/* 06: NV indices of every type the engine defines, written, one with auth and policy. */
	fresh();
	FUZZ_CHECK(nv_define(ord, rw, 32, "", 0) == TPM_RC_SUCCESS);
	FUZZ_CHECK(nv_define(ctr, rw | (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT), 8, "", 0) ==
		   TPM_RC_SUCCESS);
	FUZZ_CHECK(nv_define(bits, rw | (TPM_NT_BITS << TPMA_NV_TPM_NT_SHIFT), 8, "", 32) ==
		   TPM_RC_SUCCESS);
	FUZZ_CHECK(nv_define(ext, rw | (TPM_NT_EXTEND << TPMA_NV_TPM_NT_SHIFT), 32, "pw", 0) ==
		   TPM_RC_SUCCESS);
	FUZZ_CHECK(nv_write_at(ord, "hello, world", 12, 4) == TPM_RC_SUCCESS);
	{
		const struct tpm_nv_index *x = tpm_nv_find(tpm, ctr);

		FUZZ_CHECK(x != NULL && nv_write(x) == TPM_RC_SUCCESS);
		x = tpm_nv_find(tpm, bits);
		FUZZ_CHECK(x != NULL && nv_write(x) == TPM_RC_SUCCESS);
	}
	n = seed_of_blob(0);
	write_seed(dir, "06-nv", seed, n);
	/* Near misses: an unknown OPTIONAL record (skipped), an unknown required one, a second
	 * owner record, no time record, a duplicate index. */
	write_seed(dir, "07-optional-record", seed, append_record(n, 0x8042, opt, sizeof(opt)));
	write_seed(dir, "08-unknown-record", seed, append_record(n, 0x0042, opt, sizeof(opt)));
	off = find_record(n, 2);
	FUZZ_CHECK(off != 0);
	{
		uint32_t rlen = tpm_ld32(seed + off + 2);
		static uint8_t rec[6 + 256];

		FUZZ_CHECK(6 + rlen <= sizeof(rec));
		memcpy(rec, seed + off, 6 + rlen);
		FUZZ_CHECK(n + 6 + rlen <= sizeof(seed));
		memcpy(seed + n, rec, 6 + rlen);
		write_seed(dir, "09-duplicate-owner", seed, n + 6 + rlen);
	}
	off = find_record(n, 9);
	FUZZ_CHECK(off != 0);
	{
		uint32_t rlen = tpm_ld32(seed + off + 2);

		FUZZ_CHECK(n + 6 + rlen <= sizeof(seed));
		memmove(seed + n, seed + off, 6 + rlen);
		write_seed(dir, "10-duplicate-index", seed, n + 6 + rlen);
	}
	write_seed(dir, "11-no-time", seed, remove_record(n, 7));

	/* 12: hierarchy auths and policies, DA parameters, a failed authorization. */
	fresh();
	FUZZ_CHECK(hier_change_auth(TPM_RH_ENDORSEMENT, "endorsement") == TPM_RC_SUCCESS);
	{
		struct cmd c;

		cmd_begin(&c, true, TPM_CC_DictionaryAttackParameters);
		tpm_put_u32(&c.w, TPM_RH_LOCKOUT);
		cmd_pw(&c, "", 0);
		tpm_put_u32(&c.w, 5);
		tpm_put_u32(&c.w, 10);
		tpm_put_u32(&c.w, 20);
		FUZZ_CHECK(cmd_send(&c) == TPM_RC_SUCCESS);
	}
	FUZZ_CHECK(nv_define(ord, TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD, 8, "secret", 0) ==
		   TPM_RC_SUCCESS);
	FUZZ_CHECK(nv_write_at(ord, "12345678", 8, 0) != TPM_RC_SUCCESS); /* wrong password */
	FUZZ_CHECK(hier_change_auth(TPM_RH_OWNER, "owner") == TPM_RC_SUCCESS);
	n = seed_of_blob(0);
	write_seed(dir, "12-hierarchy-da", seed, n);
	/* The engine has no SetPrimaryPolicy yet: a lockout record with a SHA-384 policy. */
	{
		static uint8_t rec[2 + 8 + 2 + 2 + 48] = {0,   8,   'l', 'o', 'c',
							  'k', 'o', 'u', 't', '!'};

		tpm_be16(rec + 10, TPM_ALG_SHA384);
		tpm_be16(rec + 12, 48);
		memset(rec + 14, 0x5C, 48);
		n = remove_record(n, 4);
		write_seed(dir, "13-lockout-policy", seed, append_record(n, 4, rec, sizeof(rec)));
	}

	/* 14: PCR_Allocate pending, ClearControl, after a Clear. */
	fresh();
	FUZZ_CHECK(simple(TPM_CC_Clear, TPM_RH_PLATFORM, true) == TPM_RC_SUCCESS);
	{
		struct cmd c;

		cmd_begin(&c, true, TPM_CC_PCR_Allocate);
		tpm_put_u32(&c.w, TPM_RH_PLATFORM);
		cmd_pw(&c, "", 0);
		tpm_put_u32(&c.w, 1);
		tpm_put_u16(&c.w, TPM_ALG_SHA256);
		tpm_put_u8(&c.w, 3);
		tpm_put_u8(&c.w, 0xFF);
		tpm_put_u8(&c.w, 0xFF);
		tpm_put_u8(&c.w, 0xFF);
		FUZZ_CHECK(cmd_send(&c) == TPM_RC_SUCCESS);
		cmd_begin(&c, true, TPM_CC_ClearControl);
		tpm_put_u32(&c.w, TPM_RH_PLATFORM);
		cmd_pw(&c, "", 0);
		tpm_put_u8(&c.w, 1);
		FUZZ_CHECK(cmd_send(&c) == TPM_RC_SUCCESS);
	}
	n = seed_of_blob(0);
	write_seed(dir, "14-allocate-clear", seed, n);

	/* 15: Shutdown(STATE): saved PCRs; started again with Startup(STATE). */
	fresh();
	FUZZ_CHECK(pcr_extend(0) == TPM_RC_SUCCESS);
	FUZZ_CHECK(pcr_extend(16) == TPM_RC_SUCCESS);
	FUZZ_CHECK(shutdown(TPM_SU_STATE) == TPM_RC_SUCCESS);
	n = seed_of_blob(CTL_SU_STATE);
	write_seed(dir, "15-shutdown-state", seed, n);
	/* Near miss: saved PCRs without the state_saved flag (flags record, third byte). */
	off = find_record(n, 5);
	FUZZ_CHECK(off != 0);
	seed[off + 6 + 2] = 0;
	write_seed(dir, "16-saved-pcrs-unflagged", seed, n);

	/* 17: Shutdown(CLEAR), an NV counter deleted (nv_max_counter), a big index. */
	fresh();
	FUZZ_CHECK(nv_define(ctr, rw | (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT), 8, "", 0) ==
		   TPM_RC_SUCCESS);
	{
		const struct tpm_nv_index *x = tpm_nv_find(tpm, ctr);

		FUZZ_CHECK(x != NULL && nv_write(x) == TPM_RC_SUCCESS);
	}
	{
		struct cmd c;

		cmd_begin(&c, true, TPM_CC_NV_UndefineSpace);
		tpm_put_u32(&c.w, TPM_RH_OWNER);
		tpm_put_u32(&c.w, ctr);
		cmd_pw(&c, "", 0);
		FUZZ_CHECK(cmd_send(&c) == TPM_RC_SUCCESS);
	}
	FUZZ_CHECK(nv_define(ord, rw, 2048, "", 0) == TPM_RC_SUCCESS);
	FUZZ_CHECK(nv_write_at(ord, big, sizeof(big), 1024) == TPM_RC_SUCCESS);
	FUZZ_CHECK(shutdown(TPM_SU_CLEAR) == TPM_RC_SUCCESS);
	n = seed_of_blob(0);
	write_seed(dir, "17-shutdown-clear-big", seed, n);
	tpm_power_off(tpm);
}
