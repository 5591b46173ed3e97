/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for Copra's TPM engine, behind the same tpm.h, so copra-tpmd's protocol layer can be
 * tested before the engine exists. It is linked only into the test binary copra-tpmd-fake.
 *
 * It knows just enough TPM to exercise the server: Startup, Shutdown, GetRandom, and
 * NV_DefineSpace / NV_ReadPublic / NV_UndefineSpace over a list of index handles, which is its
 * NV state. That state is a small blob ("CPRFAKE1", count, handles, checksum) committed through
 * the platform after each change, so state-file handling and restarts can be observed. Anything
 * else gets TPM_RC_COMMAND_CODE.
 */
#include <string.h>
#include <tpm/tpm.h>

#define MAGIC		    "CPRFAKE1"
#define MAX_INDICES	    16u
#define ST_NO_SESSIONS	    0x8001u
#define ST_SESSIONS	    0x8002u
#define CC_NV_UNDEFINESPACE 0x122u
#define CC_NV_DEFINESPACE   0x12Au
#define CC_STARTUP	    0x144u
#define CC_SHUTDOWN	    0x145u
#define CC_NV_READPUBLIC    0x169u
#define CC_GETRANDOM	    0x17Bu
#define RC_SUCCESS	    0x000u
#define RC_BAD_TAG	    0x01Eu
#define RC_INITIALIZE	    0x100u
#define RC_FAILURE	    0x101u
#define RC_COMMAND_SIZE	    0x142u
#define RC_COMMAND_CODE	    0x143u
#define RC_NV_DEFINED	    0x14Cu
#define RC_HANDLE_1	    0x18Bu
#define RC_NV_SPACE	    0x14Bu
#define RC_NV_UNAVAILABLE   0x923u

struct tpm {
	const struct tpm_platform *plat;
	int powered;
	int started;
	int cancel;
	uint32_t n;
	uint32_t idx[MAX_INDICES];
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t checksum(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* Blob: magic[8] | u32 count | u32 handle * count | u32 checksum of everything before. */
static int commit(struct tpm *t)
{
	uint8_t b[8 + 4 + 4 * MAX_INDICES + 4];
	size_t len = 8;
	uint32_t i = 0;

	memcpy(b, MAGIC, sizeof(MAGIC) - 1);
	put32(b + len, t->n);
	len += 4;
	for (i = 0; i < t->n; i++, len += 4)
		put32(b + len, t->idx[i]);
	put32(b + len, checksum(b, len));
	len += 4;
	return t->plat->nv_commit(t->plat->ctx, b, len);
}

static int load(struct tpm *t)
{
	static uint8_t b[TPM_NV_BLOB_MAX];
	size_t len = 0;
	uint32_t n = 0;
	uint32_t i = 0;
	int rc = t->plat->nv_load(t->plat->ctx, b, sizeof(b), &len);

	if (rc == TPM_ERR_NO_STATE || rc == TPM_ERR_CORRUPT)
		return rc;
	if (rc != 0)
		return TPM_ERR_PLATFORM;
	if (len < 16 || memcmp(b, MAGIC, 8) != 0)
		return TPM_ERR_CORRUPT;
	n = be32(b + 8);
	if (n > MAX_INDICES || len != 16 + 4 * (size_t)n)
		return TPM_ERR_CORRUPT;
	if (be32(b + len - 4) != checksum(b, len - 4))
		return TPM_ERR_CORRUPT;
	t->n = n;
	for (i = 0; i < n; i++)
		t->idx[i] = be32(b + 12 + (size_t)4 * i);
	return 0;
}

int tpm_create(const struct tpm_platform *plat, struct tpm **out)
{
	struct tpm *t = plat->alloc(plat->ctx, sizeof(*t));

	if (!t)
		return TPM_ERR_NOMEM;
	t->plat = plat;
	*out = t;
	return 0;
}

void tpm_destroy(struct tpm *t)
{
	if (t)
		t->plat->free(t->plat->ctx, t);
}

int tpm_manufacture(struct tpm *t)
{
	static uint8_t b[TPM_NV_BLOB_MAX];
	size_t len = 0;
	int rc = t->plat->nv_load(t->plat->ctx, b, sizeof(b), &len);

	if (rc != TPM_ERR_NO_STATE)
		return rc == 0 ? TPM_ERR_EXISTS : TPM_ERR_PLATFORM;
	t->n = 0;
	return commit(t) == 0 ? 0 : TPM_ERR_PLATFORM;
}

int tpm_power_on(struct tpm *t)
{
	int rc = 0;

	if (t->powered)
		return TPM_ERR_STATE;
	rc = load(t);
	if (rc != 0)
		return rc;
	t->powered = 1;
	t->started = 0;
	return 0;
}

void tpm_power_off(struct tpm *t)
{
	t->powered = 0;
	t->started = 0;
}

void tpm_set_cancel(struct tpm *t, int on)
{
	t->cancel = on;
}

int tpm_is_started(const struct tpm *t)
{
	return t->started;
}

static size_t respond(uint8_t *rsp, uint16_t tag, uint32_t rc, size_t len)
{
	rsp[0] = (uint8_t)(tag >> 8);
	rsp[1] = (uint8_t)tag;
	put32(rsp + 2, (uint32_t)len);
	put32(rsp + 6, rc);
	return len;
}

static size_t rc_only(uint8_t *rsp, uint32_t rc)
{
	return respond(rsp, ST_NO_SESSIONS, rc, 10);
}

/* A password-session response: parameterSize 0, one empty auth (continueSession). */
static size_t session_ok(uint8_t *rsp)
{
	put32(rsp + 10, 0);
	memset(rsp + 14, 0, 5);
	rsp[16] = 1;
	return respond(rsp, ST_SESSIONS, RC_SUCCESS, 19);
}

static int find(const struct tpm *t, uint32_t h)
{
	uint32_t i = 0;

	for (i = 0; i < t->n; i++) {
		if (t->idx[i] == h)
			return (int)i;
	}
	return -1;
}

/* NV_DefineSpace: handle, authorization area, TPM2B_AUTH, TPM2B_NV_PUBLIC{nvIndex, ...}. */
static size_t nv_define(struct tpm *t, const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	size_t off = 14;
	uint32_t h = 0;

	if (len < off + 4 || be32(cmd + off) > len - off - 4)
		return rc_only(rsp, RC_COMMAND_SIZE);
	off += 4 + be32(cmd + off);
	if (len < off + 2 || be16(cmd + off) > len - off - 2)
		return rc_only(rsp, RC_COMMAND_SIZE);
	off += 2 + be16(cmd + off);
	if (len < off + 6)
		return rc_only(rsp, RC_COMMAND_SIZE);
	h = be32(cmd + off + 2);
	if (find(t, h) >= 0)
		return rc_only(rsp, RC_NV_DEFINED);
	if (t->n == MAX_INDICES)
		return rc_only(rsp, RC_NV_SPACE);
	t->idx[t->n++] = h;
	if (commit(t) != 0) {
		t->n--;
		return rc_only(rsp, RC_NV_UNAVAILABLE);
	}
	return session_ok(rsp);
}

/* NV_UndefineSpace: authHandle, nvIndex, authorization area. */
static size_t nv_undefine(struct tpm *t, const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	int i = 0;

	if (len < 18)
		return rc_only(rsp, RC_COMMAND_SIZE);
	i = find(t, be32(cmd + 14));
	if (i < 0)
		return rc_only(rsp, RC_HANDLE_1 + 0x100u); /* TPM_RC_HANDLE + TPM_RC_2 */
	t->idx[i] = t->idx[--t->n];
	if (commit(t) != 0)
		return rc_only(rsp, RC_NV_UNAVAILABLE);
	return session_ok(rsp);
}

size_t tpm_execute(struct tpm *t, uint8_t locality, const uint8_t *cmd, size_t len, uint8_t *rsp,
		   size_t rsp_cap)
{
	uint16_t tag = 0;
	uint32_t cc = 0;
	uint16_t want = 0;

	if (!t->powered)
		return rc_only(rsp, RC_FAILURE);
	if (len < 10 || be32(cmd + 2) != len)
		return rc_only(rsp, RC_COMMAND_SIZE);
	tag = be16(cmd);
	if (tag != ST_NO_SESSIONS && tag != ST_SESSIONS)
		return rc_only(rsp, RC_BAD_TAG);
	cc = be32(cmd + 6);
	if (cc == CC_STARTUP) {
		if (t->started)
			return rc_only(rsp, RC_INITIALIZE);
		t->started = 1;
		return rc_only(rsp, RC_SUCCESS);
	}
	if (!t->started)
		return rc_only(rsp, RC_INITIALIZE);
	switch (cc) {
	case CC_SHUTDOWN:
		return rc_only(rsp, commit(t) == 0 ? RC_SUCCESS : RC_NV_UNAVAILABLE);
	case CC_GETRANDOM:
		if (len < 12)
			return rc_only(rsp, RC_COMMAND_SIZE);
		want = be16(cmd + 10);
		if (want > 32)
			want = 32;
		if (t->plat->entropy(t->plat->ctx, rsp + 12, want) != 0)
			return rc_only(rsp, RC_FAILURE);
		rsp[10] = 0;
		rsp[11] = (uint8_t)want;
		return respond(rsp, ST_NO_SESSIONS, RC_SUCCESS, 12u + want);
	case CC_NV_DEFINESPACE:
		return nv_define(t, cmd, len, rsp);
	case CC_NV_UNDEFINESPACE:
		return nv_undefine(t, cmd, len, rsp);
	case CC_NV_READPUBLIC:
		if (len < 14)
			return rc_only(rsp, RC_COMMAND_SIZE);
		if (find(t, be32(cmd + 10)) < 0)
			return rc_only(rsp, RC_HANDLE_1);
		/* Empty TPM2B_NV_PUBLIC and TPM2B_NAME: the tests look at the code only. */
		memset(rsp + 10, 0, 4);
		return respond(rsp, ST_NO_SESSIONS, RC_SUCCESS, 14);
	default:
		return rc_only(rsp, RC_COMMAND_CODE);
	}
}
