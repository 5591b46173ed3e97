// SPDX-License-Identifier: MIT
/*
 * tpm-diff: differential test of Copra's TPM engine against libtpms (the TCG reference code as
 * Debian packages it), both in this process, fed the same command streams.
 *
 *   tpm-diff [-v] STREAM...
 *
 * Streams are written by tests/tpm/diff/streams.py (the readable source of every command).
 * One record per line; '#' starts a comment:
 *   N                    fresh TPMs: both manufactured from empty NV, powered on, not started
 *   R                    power cycle both: volatile state lost, NV kept (Startup comes next)
 *   L n                  locality n (0..4) for the commands that follow
 *   T name               the test case the following commands belong to
 *   C MODE [FLAG...] : HEX...
 *                        one command; "$var" in the hex stands for a 4-byte handle captured
 *                        from an earlier response of the same TPM (set=var)
 *     MODE  rc           response code and tag equal
 *           full         every response byte equal
 *           len          response code and length equal (random output)
 *           mask=O+N,..  every byte equal but bytes [O, O+N) (e.g. a ticket HMAC)
 *           cap          GetCapability: the same capability shape (compare_cap())
 *           capv         cap, plus equal values for the properties both TPMs fix alike
 *           object       CreatePrimary / ReadPublic: every byte equal but what each TPM's own
 *                        seeds and proofs decide (object_masks()): the unique field of the
 *                        public area, the digests of Names and qualifiedNames (their
 *                        algorithm compared) and the creation ticket's HMAC
 *     FLAG  set=var      capture the response handle; only its type byte is compared
 *           known=ID     a documented difference (tests/tpm/diff/README): a mismatch counts
 *                        as known, not failed; a match is reported so the entry can go
 *
 * Both TPMs run from memory: Copra through an in-memory struct tpm_platform (deterministic
 * entropy and clock), libtpms through its NV callbacks (TPMLIB_RegisterCallbacks), which keep
 * its "permall"/"volatilestate"/"savestate" blobs in memory; a load that finds nothing answers
 * TPM_RETRY, which makes libtpms manufacture a fresh TPM, as swtpm does.
 *
 * Prints every mismatch with both responses, then "tpm-diff: N passed, N failed" (and the known
 * differences); exits 1 when anything failed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <tpm/tpm.h>

#include "../../tpm_mem_platform.h"

#define RSP_MAX	  8192u
#define CMD_MAX	  8192u
#define MAX_VARS  32u
#define MAX_KNOWN 128u

/* TCG Part 2 values this program reads (kept local: libtpms's headers are TPM 1.2 flavoured). */
enum {
	RC_SUCCESS = 0x000,
	RC_COMMAND_CODE = 0x143,
	RC_RETRY = 0x922,
	CC_GET_CAPABILITY = 0x17A,
	CC_CREATE_PRIMARY = 0x131,
	CC_READ_PUBLIC = 0x173,
	ST_SESSIONS = 0x8002,
	ALG_KEYEDHASH = 0x0008,
	ALG_SYMCIPHER = 0x0025,
	ALG_RSA = 0x0001,
	ALG_ECC = 0x0023,
	ALG_NULL = 0x0010,
	ALG_RSAES = 0x0015,
	ALG_ECDAA = 0x001A,
	ALG_XOR = 0x000A,
	CAP_ALGS = 0,
	CAP_HANDLES = 1,
	CAP_COMMANDS = 2,
	CAP_PP_COMMANDS = 3,
	CAP_AUDIT_COMMANDS = 4,
	CAP_PCRS = 5,
	CAP_TPM_PROPERTIES = 6,
	CAP_PCR_PROPERTIES = 7,
	CAP_ECC_CURVES = 8,
};

/* ---- in-memory platform for Copra ------------------------------------------------------- */

struct copra_side {
	struct tpm *tpm;
	struct tpm_mem_platform mp; /* its clock moves a millisecond at every reading */
	uint8_t locality;
};

static struct copra_side copra;

static int copra_fresh(void)
{
	int rc = 0;

	if (copra.tpm)
		tpm_destroy(copra.tpm);
	copra.tpm = NULL;
	tpm_mem_platform_init(&copra.mp);
	copra.mp.clock_step = 1; /* deterministic: every reading a millisecond later */
	rc = tpm_create(&copra.mp.plat, &copra.tpm);
	if (rc == TPM_OK)
		rc = tpm_manufacture(copra.tpm);
	if (rc == TPM_OK)
		rc = tpm_power_on(copra.tpm);
	if (rc != TPM_OK)
		(void)fprintf(stderr, "tpm-diff: Copra engine does not come up (error %d)\n", rc);
	return rc == TPM_OK ? 0 : -1;
}

static int copra_restart(void)
{
	int rc = 0;

	tpm_power_off(copra.tpm);
	rc = tpm_power_on(copra.tpm);
	if (rc != TPM_OK)
		(void)fprintf(stderr, "tpm-diff: Copra engine power-on failed (error %d)\n", rc);
	return rc == TPM_OK ? 0 : -1;
}

static size_t copra_exec(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	return tpm_execute(copra.tpm, copra.locality, cmd, len, rsp, RSP_MAX);
}

/* ---- libtpms with in-memory NV ---------------------------------------------------------- */

struct blob {
	char name[32];
	unsigned char *data;
	uint32_t len;
};

static struct blob lt_blobs[8];
static uint32_t lt_locality;
static bool lt_running;
static unsigned char *lt_rsp;
static uint32_t lt_rsp_size;

static struct blob *lt_blob(const char *name, bool create)
{
	for (size_t i = 0; i < sizeof(lt_blobs) / sizeof(lt_blobs[0]); i++)
		if (lt_blobs[i].data && strcmp(lt_blobs[i].name, name) == 0)
			return &lt_blobs[i];
	if (!create)
		return NULL;
	for (size_t i = 0; i < sizeof(lt_blobs) / sizeof(lt_blobs[0]); i++) {
		if (!lt_blobs[i].data) {
			(void)snprintf(lt_blobs[i].name, sizeof(lt_blobs[i].name), "%s", name);
			return &lt_blobs[i];
		}
	}
	return NULL;
}

static TPM_RESULT lt_nvram_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT lt_nvram_load(unsigned char **data, uint32_t *length, uint32_t tpm_number,
				const char *name)
{
	struct blob *b = lt_blob(name, false);

	(void)tpm_number;
	if (!b)
		return TPM_RETRY; /* nothing stored: libtpms manufactures */
	*data = malloc(b->len ? b->len : 1);
	if (!*data)
		return TPM_FAIL;
	memcpy(*data, b->data, b->len);
	*length = b->len;
	return TPM_SUCCESS;
}

static TPM_RESULT lt_nvram_store(const unsigned char *data, uint32_t length, uint32_t tpm_number,
				 const char *name)
{
	struct blob *b = lt_blob(name, true);
	unsigned char *copy = malloc(length ? length : 1);

	(void)tpm_number;
	if (!b || !copy) {
		free(copy);
		return TPM_FAIL;
	}
	memcpy(copy, data, length);
	free(b->data);
	b->data = copy;
	b->len = length;
	return TPM_SUCCESS;
}

static TPM_RESULT lt_nvram_delete(uint32_t tpm_number, const char *name, TPM_BOOL must_exist)
{
	struct blob *b = lt_blob(name, false);

	(void)tpm_number;
	if (!b)
		return must_exist ? TPM_FAIL : TPM_SUCCESS;
	free(b->data);
	memset(b, 0, sizeof(*b));
	return TPM_SUCCESS;
}

static TPM_RESULT lt_io_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT lt_get_locality(TPM_MODIFIER_INDICATOR *loc, uint32_t tpm_number)
{
	(void)tpm_number;
	*loc = lt_locality;
	return TPM_SUCCESS;
}

static TPM_RESULT lt_get_pp(TPM_BOOL *pp, uint32_t tpm_number)
{
	(void)tpm_number;
	*pp = 0;
	return TPM_SUCCESS;
}

static struct libtpms_callbacks lt_callbacks = {
	.sizeOfStruct = sizeof(struct libtpms_callbacks),
	.tpm_nvram_init = lt_nvram_init,
	.tpm_nvram_loaddata = lt_nvram_load,
	.tpm_nvram_storedata = lt_nvram_store,
	.tpm_nvram_deletename = lt_nvram_delete,
	.tpm_io_init = lt_io_init,
	.tpm_io_getlocality = lt_get_locality,
	.tpm_io_getphysicalpresence = lt_get_pp,
};

static int lt_start(void)
{
	TPM_RESULT rc = TPMLIB_MainInit();

	if (rc != TPM_SUCCESS) {
		(void)fprintf(stderr, "tpm-diff: TPMLIB_MainInit failed: 0x%x\n", rc);
		return -1;
	}
	lt_running = true;
	return 0;
}

static int lt_restart(void)
{
	if (lt_running)
		TPMLIB_Terminate();
	lt_running = false;
	return lt_start();
}

static int lt_fresh(void)
{
	if (lt_running)
		TPMLIB_Terminate();
	lt_running = false;
	for (size_t i = 0; i < sizeof(lt_blobs) / sizeof(lt_blobs[0]); i++) {
		free(lt_blobs[i].data);
		memset(&lt_blobs[i], 0, sizeof(lt_blobs[i]));
	}
	return lt_start();
}

static size_t lt_exec(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	static unsigned char buf[CMD_MAX];
	uint32_t rlen = 0;
	TPM_RESULT rc = 0;

	memcpy(buf, cmd, len);
	rc = TPMLIB_Process(&lt_rsp, &rlen, &lt_rsp_size, buf, (uint32_t)len);
	if (rc != TPM_SUCCESS || rlen > RSP_MAX)
		return 0;
	memcpy(rsp, lt_rsp, rlen);
	return rlen;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static int hexval(int ch);

/* Decode a hex string (blanks allowed) into out; returns the length. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (const char *s = hex; s[0] && s[1] && n < cap;) {
		if (*s == ' ') {
			s++;
			continue;
		}
		out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		s += 2;
	}
	return n;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rsp_rc(const uint8_t *r, size_t n)
{
	return n >= 10 ? be32(r + 6) : 0xFFFFFFFFu;
}

static bool verbose;

struct ctx {
	const char *file;
	unsigned line;
	char test[96];
	unsigned passed, failed, known, known_fixed, retries;
	/* captured handles: name -> value per TPM */
	char var_name[MAX_VARS][16];
	uint32_t var_copra[MAX_VARS];
	uint32_t var_lt[MAX_VARS];
	unsigned nvars;
	bool broken; /* a directive failed: the rest of the stream is skipped */
};

static int var_find(struct ctx *x, const char *name, size_t n)
{
	for (unsigned i = 0; i < x->nvars; i++)
		if (strlen(x->var_name[i]) == n && strncmp(x->var_name[i], name, n) == 0)
			return (int)i;
	return -1;
}

static void dump(const char *who, const uint8_t *r, size_t n)
{
	size_t show = n < 96 || getenv("TPM_DIFF_FULL") ? n : 96;

	(void)printf("      %-8s %4zu bytes:", who, n);
	for (size_t i = 0; i < show; i++)
		(void)printf("%s%02x",
			     (i % 32 == 0 && i) ? "\n                          "
						: (i % 4 == 0 ? " " : ""),
			     r[i]);
	(void)printf("%s\n", show < n ? " ..." : "");
}

/* ---- capability shapes ------------------------------------------------------------------ */

struct rd {
	const uint8_t *p;
	size_t n;
	bool bad;
};

static uint32_t rd_n(struct rd *r, unsigned size)
{
	uint32_t v = 0;

	if (r->bad || r->n < size) {
		r->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		v = v << 8 | r->p[i];
	r->p += size;
	r->n -= size;
	return v;
}

struct cap {
	uint8_t more;
	uint32_t cap;
	uint32_t count;
	struct rd body; /* after count */
};

static bool cap_parse(const uint8_t *rsp, size_t n, struct cap *c)
{
	struct rd r = {rsp, n, false};

	(void)rd_n(&r, 2);
	if (rd_n(&r, 4) != n || rd_n(&r, 4) != RC_SUCCESS)
		return false;
	c->more = (uint8_t)rd_n(&r, 1);
	c->cap = rd_n(&r, 4);
	c->count = rd_n(&r, 4);
	c->body = r;
	return !r.bad;
}

/* Properties whose values Copra and libtpms set alike (spec-fixed or configured the same). */
static bool prop_deterministic(uint32_t tag)
{
	switch (tag) {
	case 0x100: /* FAMILY_INDICATOR */
	case 0x101: /* LEVEL */
	case 0x10D: /* INPUT_BUFFER */
	case 0x112: /* PCR_COUNT */
	case 0x113: /* PCR_SELECT_MIN */
	case 0x117: /* NV_INDEX_MAX */
	case 0x11E: /* MAX_COMMAND_SIZE */
	case 0x11F: /* MAX_RESPONSE_SIZE */
	case 0x12C: /* NV_BUFFER_MAX */
	case 0x200: /* PERMANENT (tpmGeneratedEPS masked) */
	case 0x201: /* STARTUP_CLEAR */
	case 0x202: /* HR_NV_INDEX */
	case 0x203: /* HR_LOADED */
	case 0x205: /* HR_ACTIVE */
	case 0x208: /* HR_PERSISTENT */
	case 0x20A: /* NV_COUNTERS */
	case 0x20C: /* ALGORITHM_SET */
	case 0x20E: /* LOCKOUT_COUNTER */
	case 0x20F: /* MAX_AUTH_FAIL */
	case 0x210: /* LOCKOUT_INTERVAL */
	case 0x211: /* LOCKOUT_RECOVERY */
		return true;
	default:
		return false;
	}
}

static uint32_t prop_mask(uint32_t tag)
{
	/* TPMA_PERMANENT.tpmGeneratedEPS says how the EPS was made: a manufacturing choice. */
	return tag == 0x200 ? ~(1u << 10) : 0xFFFFFFFFu;
}

/* Fixed-size list entries: Copra's must be a subset of libtpms's, common ones equal. */
static bool cap_subset(struct cap *a, struct cap *b, unsigned key, unsigned val, char *why,
		       size_t wsz)
{
	unsigned esz = key + val;

	if (a->body.n < (size_t)a->count * esz || b->body.n < (size_t)b->count * esz) {
		(void)snprintf(why, wsz, "list shorter than its count");
		return false;
	}
	for (uint32_t i = 0; i < a->count; i++) {
		struct rd ea = {a->body.p + (size_t)i * esz, esz, false};
		uint32_t ka = rd_n(&ea, key);
		uint32_t va = val ? rd_n(&ea, val) : 0;
		bool found = false;

		if (key == 4 && val == 0 && a->cap == CAP_COMMANDS) {
			/* TPMA_CC: the command index (and V bit) is the key, the rest the value. */
			va = ka;
			ka &= 0x2000FFFFu;
		}
		for (uint32_t j = 0; j < b->count && !found; j++) {
			struct rd eb = {b->body.p + (size_t)j * esz, esz, false};
			uint32_t kb = rd_n(&eb, key);
			uint32_t vb = val ? rd_n(&eb, val) : 0;

			if (key == 4 && val == 0 && a->cap == CAP_COMMANDS) {
				vb = kb;
				kb &= 0x2000FFFFu;
			}
			if (kb != ka)
				continue;
			found = true;
			if (va != vb) {
				(void)snprintf(why, wsz, "entry 0x%x: copra 0x%x, libtpms 0x%x", ka,
					       va, vb);
				return false;
			}
		}
		if (!found) {
			(void)snprintf(why, wsz, "copra lists 0x%x, libtpms does not", ka);
			return false;
		}
	}
	return true;
}

static bool cap_props(struct cap *a, struct cap *b, bool values, char *why, size_t wsz)
{
	if (a->count != b->count || a->more != b->more) {
		(void)snprintf(why, wsz, "copra %u properties (more %u), libtpms %u (more %u)",
			       a->count, a->more, b->count, b->more);
		/* Name the first tag that differs, it is the useful part. */
		for (uint32_t i = 0; i < a->count || i < b->count; i++) {
			uint32_t ta = i < a->count && a->body.n >= (i + 1) * 8u
					      ? be32(a->body.p + i * 8u)
					      : 0;
			uint32_t tb = i < b->count && b->body.n >= (i + 1) * 8u
					      ? be32(b->body.p + i * 8u)
					      : 0;

			if (ta != tb) {
				size_t l = strlen(why);

				(void)snprintf(
					why + l, wsz - l,
					"; first difference at #%u: copra 0x%x, libtpms 0x%x", i,
					ta, tb);
				break;
			}
		}
		return false;
	}
	if (a->body.n < a->count * 8u || b->body.n < b->count * 8u) {
		(void)snprintf(why, wsz, "property list shorter than its count");
		return false;
	}
	for (uint32_t i = 0; i < a->count; i++) {
		uint32_t ta = be32(a->body.p + i * 8u);
		uint32_t tb = be32(b->body.p + i * 8u);
		uint32_t va = be32(a->body.p + i * 8u + 4);
		uint32_t vb = be32(b->body.p + i * 8u + 4);

		if (ta != tb) {
			(void)snprintf(why, wsz, "property #%u: copra 0x%x, libtpms 0x%x", i, ta,
				       tb);
			return false;
		}
		if (values && prop_deterministic(ta) && ((va ^ vb) & prop_mask(ta)) != 0) {
			(void)snprintf(why, wsz, "property 0x%x: copra 0x%x, libtpms 0x%x", ta, va,
				       vb);
			return false;
		}
	}
	return true;
}

/*
 * Compare two successful GetCapability responses by shape:
 *   ALGS, COMMANDS, PP/AUDIT_COMMANDS, ECC_CURVES  what Copra lists, libtpms lists too, with the
 *                     same attributes (libtpms implements far more: only the intersection)
 *   HANDLES, PCRS, PCR_PROPERTIES                  identical (moreData included)
 *   TPM_PROPERTIES    the same property tags in the same order and moreData; with capv also
 *                     the values of prop_deterministic() properties
 */
static bool compare_cap(const uint8_t *ra, size_t na, const uint8_t *rb, size_t nb, bool values,
			char *why, size_t wsz)
{
	struct cap a, b;

	if (rsp_rc(ra, na) != rsp_rc(rb, nb)) {
		(void)snprintf(why, wsz, "response codes differ");
		return false;
	}
	if (rsp_rc(ra, na) != RC_SUCCESS)
		return na == nb && memcmp(ra, rb, na) == 0;
	if (!cap_parse(ra, na, &a) || !cap_parse(rb, nb, &b)) {
		(void)snprintf(why, wsz, "malformed GetCapability response");
		return false;
	}
	if (a.cap != b.cap) {
		(void)snprintf(why, wsz, "capability 0x%x vs 0x%x", a.cap, b.cap);
		return false;
	}
	switch (a.cap) {
	case CAP_ALGS:
		return cap_subset(&a, &b, 2, 4, why, wsz);
	case CAP_COMMANDS:
	case CAP_PP_COMMANDS:
	case CAP_AUDIT_COMMANDS:
		return cap_subset(&a, &b, 4, 0, why, wsz);
	case CAP_ECC_CURVES:
		return cap_subset(&a, &b, 2, 0, why, wsz);
	case CAP_TPM_PROPERTIES:
		return cap_props(&a, &b, values, why, wsz);
	case CAP_HANDLES:
	case CAP_PCRS:
	case CAP_PCR_PROPERTIES:
	default:
		if (na != nb || memcmp(ra, rb, na) != 0) {
			(void)snprintf(why, wsz, "capability data differ");
			return false;
		}
		return true;
	}
}

/* ---- fresh TPMs ------------------------------------------------------------------------- */

/*
 * Both TPMs freshly manufactured, then given the same history: Startup(CLEAR), Shutdown(CLEAR),
 * power cycle. libtpms additionally gets Copra's PCR banks in between (it allocates SHA-512 as
 * well by default; PCR_Allocate takes effect at the next TPM Reset). After this both are
 * powered on and waiting for Startup.
 */
static int fresh_tpms(void)
{
	static const char *const startup = "8001 0000000c 00000144 0000";
	static const char *const shutdown = "8001 0000000c 00000145 0000";
	/* PCR_Allocate(TPM_RH_PLATFORM, password "", {SHA-1, SHA-256, SHA-384: all; SHA-512: none}) */
	static const char *const allocate =
		"8002 00000037 0000012b 4000000c 00000009 40000009 0000 01 "
		"0000 00000004 0004 03 ffffff 000b 03 ffffff 000c 03 ffffff "
		"000d 03 000000";
	static uint8_t cmd[64], rsp[RSP_MAX];
	const char *step = "Startup";
	size_t n = 0, r = 0;

	if (copra_fresh() != 0 || lt_fresh() != 0)
		return -1;
	n = unhex(startup, cmd, sizeof(cmd));
	if ((r = copra_exec(cmd, n, rsp), rsp_rc(rsp, r)) != RC_SUCCESS ||
	    (r = lt_exec(cmd, n, rsp), rsp_rc(rsp, r)) != RC_SUCCESS)
		goto fail;
	step = "PCR_Allocate";
	n = unhex(allocate, cmd, sizeof(cmd));
	r = lt_exec(cmd, n, rsp);
	/* response: header, parameterSize, allocationSuccess, ... */
	if (rsp_rc(rsp, r) != RC_SUCCESS || r < 15 || rsp[14] != 1)
		goto fail;
	step = "Shutdown";
	n = unhex(shutdown, cmd, sizeof(cmd));
	if ((r = copra_exec(cmd, n, rsp), rsp_rc(rsp, r)) != RC_SUCCESS ||
	    (r = lt_exec(cmd, n, rsp), rsp_rc(rsp, r)) != RC_SUCCESS)
		goto fail;
	return copra_restart() == 0 && lt_restart() == 0 ? 0 : -1;
fail:
	(void)printf("FAIL tpm-diff: cannot prepare fresh TPMs: %s answered 0x%x\n", step,
		     rsp_rc(rsp, r));
	dump("response", rsp, r);
	return -1;
}

/* ---- the stream ------------------------------------------------------------------------- */

enum mode {
	M_RC,
	M_FULL,
	M_LEN,
	M_MASK,
	M_CAP,
	M_CAPV,
	M_OBJECT
};

#define MAX_MASKS 12u

struct cmdline {
	enum mode mode;
	unsigned nmask;
	size_t mask_off[MAX_MASKS], mask_len[MAX_MASKS];
	char set[16];
	char known[32];
};

static int parse_mode(struct ctx *x, char *tok, struct cmdline *cl)
{
	if (strcmp(tok, "rc") == 0) {
		cl->mode = M_RC;
	} else if (strcmp(tok, "full") == 0) {
		cl->mode = M_FULL;
	} else if (strcmp(tok, "len") == 0) {
		cl->mode = M_LEN;
	} else if (strcmp(tok, "cap") == 0) {
		cl->mode = M_CAP;
	} else if (strcmp(tok, "capv") == 0) {
		cl->mode = M_CAPV;
	} else if (strcmp(tok, "object") == 0) {
		cl->mode = M_OBJECT;
	} else if (strncmp(tok, "mask=", 5) == 0) {
		char *s = tok + 5;

		cl->mode = M_MASK;
		while (*s && cl->nmask < MAX_MASKS) {
			char *end = NULL;

			cl->mask_off[cl->nmask] = strtoul(s, &end, 0);
			if (*end != '+')
				goto bad;
			cl->mask_len[cl->nmask] = strtoul(end + 1, &end, 0);
			cl->nmask++;
			if (*end == ',')
				end++;
			else if (*end)
				goto bad;
			s = end;
		}
	} else if (strncmp(tok, "set=", 4) == 0) {
		(void)snprintf(cl->set, sizeof(cl->set), "%s", tok + 4);
	} else if (strncmp(tok, "known=", 6) == 0) {
		(void)snprintf(cl->known, sizeof(cl->known), "%s", tok + 6);
	} else {
		goto bad;
	}
	return 0;
bad:
	(void)printf("FAIL %s:%u: bad mode or flag '%s'\n", x->file, x->line, tok);
	return -1;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Assemble the command for one TPM (copra: which == 0). */
static int assemble(struct ctx *x, const char *hex, int which, uint8_t *out, size_t *len)
{
	size_t n = 0;
	const char *s = hex;

	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			s++;
			continue;
		}
		if (*s == '$') {
			size_t l = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
			int v = var_find(x, s + 1, l);
			uint32_t h = 0;

			if (v < 0) {
				(void)printf("FAIL %s:%u: unknown handle variable\n", x->file,
					     x->line);
				return -1;
			}
			h = which == 0 ? x->var_copra[v] : x->var_lt[v];
			if (n + 4 > CMD_MAX)
				return -1;
			out[n++] = (uint8_t)(h >> 24);
			out[n++] = (uint8_t)(h >> 16);
			out[n++] = (uint8_t)(h >> 8);
			out[n++] = (uint8_t)h;
			s += 1 + l;
			continue;
		}
		if (hexval(s[0]) < 0 || hexval(s[1]) < 0 || n >= CMD_MAX) {
			(void)printf("FAIL %s:%u: bad hex\n", x->file, x->line);
			return -1;
		}
		out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
		s += 2;
	}
	*len = n;
	return 0;
}

/* ---- objects ---------------------------------------------------------------------------- */

static void add_mask(struct cmdline *cl, size_t off, size_t len)
{
	if (cl->nmask < MAX_MASKS && len != 0) {
		cl->mask_off[cl->nmask] = off;
		cl->mask_len[cl->nmask] = len;
		cl->nmask++;
	}
}

/* A scheme with its details: the hash (XOR: and a KDF; ECDAA: and a count) unless NULL. */
static void skip_scheme(struct rd *r)
{
	uint32_t alg = rd_n(r, 2);

	if (alg == ALG_NULL || alg == ALG_RSAES)
		return;
	(void)rd_n(r, 2);
	if (alg == ALG_XOR || alg == ALG_ECDAA)
		(void)rd_n(r, 2);
}

static void skip_sym(struct rd *r)
{
	if (rd_n(r, 2) != ALG_NULL)
		(void)rd_n(r, 4);
}

/* Mask the body of a TPM2B at r's position (its size stays compared); base: r's offset. */
static void mask_2b(struct rd *r, const uint8_t *base, struct cmdline *cl)
{
	uint32_t n = rd_n(r, 2);

	if (r->bad || r->n < n) {
		r->bad = true;
		return;
	}
	add_mask(cl, (size_t)(r->p - base), n);
	r->p += n;
	r->n -= n;
}

/* A TPM2B_NAME: its algorithm compared, the digest masked. */
static void mask_name(struct rd *r, const uint8_t *base, struct cmdline *cl)
{
	uint32_t n = rd_n(r, 2);

	if (r->bad || n < 2 || r->n < n) {
		r->bad = true;
		return;
	}
	add_mask(cl, (size_t)(r->p - base) + 2, n - 2);
	r->p += n;
	r->n -= n;
}

/* TPM2B_PUBLIC: everything but the unique field's bytes. */
static void mask_public(struct rd *r, const uint8_t *base, struct cmdline *cl)
{
	uint32_t size = rd_n(r, 2);
	uint32_t type = rd_n(r, 2);
	size_t left = r->n;

	(void)rd_n(r, 2 + 4);
	(void)rd_n(r, rd_n(r, 2)); /* authPolicy */
	switch (type) {
	case ALG_KEYEDHASH:
		skip_scheme(r);
		break;
	case ALG_SYMCIPHER:
		skip_sym(r);
		break;
	case ALG_RSA:
		skip_sym(r);
		skip_scheme(r);
		(void)rd_n(r, 2 + 4);
		break;
	case ALG_ECC:
		skip_sym(r);
		skip_scheme(r);
		(void)rd_n(r, 2);
		skip_scheme(r);
		mask_2b(r, base, cl);
		break;
	default:
		r->bad = true;
		return;
	}
	mask_2b(r, base, cl);
	if (left + 2 - r->n != size)
		r->bad = true;
}

/*
 * The masks of an object response (M_OBJECT): CreatePrimary: outPublic, creationData and
 * creationHash compared, the ticket's HMAC and the Name's digest masked; ReadPublic: outPublic,
 * name and qualifiedName. False when the response does not parse.
 */
static bool object_masks(uint32_t cc, const uint8_t *rsp, size_t n, struct cmdline *cl)
{
	struct rd r = {rsp, n, false};

	(void)rd_n(&r, 10);
	if (cc == CC_CREATE_PRIMARY)
		(void)rd_n(&r, 4);
	if (be16(rsp) == ST_SESSIONS)
		(void)rd_n(&r, 4);
	mask_public(&r, rsp, cl);
	if (cc == CC_CREATE_PRIMARY) {
		(void)rd_n(&r, rd_n(&r, 2)); /* creationData */
		(void)rd_n(&r, rd_n(&r, 2)); /* creationHash */
		(void)rd_n(&r, 2 + 4);	     /* ticket tag, hierarchy */
		mask_2b(&r, rsp, cl);
		mask_name(&r, rsp, cl);
	} else {
		mask_name(&r, rsp, cl);
		mask_name(&r, rsp, cl);
	}
	return !r.bad;
}

static bool compare(struct cmdline *cl, uint32_t cc, const uint8_t *ra, size_t na,
		    const uint8_t *rb, size_t nb, char *why, size_t wsz)
{
	why[0] = '\0';
	if (na < 10 || nb < 10 || be32(ra + 2) != na || be32(rb + 2) != nb) {
		(void)snprintf(why, wsz, "malformed response");
		return false;
	}
	if (cl->mode == M_CAP || cl->mode == M_CAPV)
		return compare_cap(ra, na, rb, nb, cl->mode == M_CAPV, why, wsz);
	if (be16(ra) != be16(rb) || rsp_rc(ra, na) != rsp_rc(rb, nb)) {
		(void)snprintf(why, wsz, "response code copra 0x%03x, libtpms 0x%03x%s",
			       rsp_rc(ra, na), rsp_rc(rb, nb),
			       rsp_rc(ra, na) == RC_COMMAND_CODE
				       ? " (copra: command not implemented)"
				       : "");
		return false;
	}
	if (cl->mode == M_RC)
		return true;
	if (cl->mode == M_OBJECT && rsp_rc(ra, na) == RC_SUCCESS) {
		struct cmdline lt = *cl;

		if (!object_masks(cc, ra, na, cl) || !object_masks(cc, rb, nb, &lt)) {
			(void)snprintf(why, wsz, "object response does not parse");
			return false;
		}
		if (lt.nmask != cl->nmask ||
		    memcmp(lt.mask_off, cl->mask_off, sizeof(lt.mask_off)) != 0 ||
		    memcmp(lt.mask_len, cl->mask_len, sizeof(lt.mask_len)) != 0) {
			(void)snprintf(why, wsz, "object responses differ in shape");
			return false;
		}
	}
	if (na != nb) {
		(void)snprintf(why, wsz, "length copra %zu, libtpms %zu", na, nb);
		return false;
	}
	if (cl->mode == M_LEN)
		return true;
	for (size_t i = 0; i < na; i++) {
		bool masked = false;

		/* A captured handle: its type byte counts, its number is each TPM's choice. */
		if (cl->set[0] && i >= 11 && i < 14)
			masked = true;
		for (unsigned m = 0; m < cl->nmask; m++)
			if (i >= cl->mask_off[m] && i < cl->mask_off[m] + cl->mask_len[m])
				masked = true;
		if (!masked && ra[i] != rb[i]) {
			(void)snprintf(why, wsz, "byte %zu differs", i);
			return false;
		}
	}
	return true;
}

static void run_command(struct ctx *x, char *line)
{
	static uint8_t cmd_a[CMD_MAX], cmd_b[CMD_MAX], ra[RSP_MAX], rb[RSP_MAX];
	struct cmdline cl;
	char *colon = strchr(line, ':');
	char *tok = NULL;
	char *save = NULL;
	size_t la = 0, lb = 0, na = 0, nb = 0;
	char why[256];
	bool same = false;

	memset(&cl, 0, sizeof(cl));
	cl.mode = M_FULL;
	if (!colon) {
		(void)printf("FAIL %s:%u: command without ':'\n", x->file, x->line);
		x->failed++;
		return;
	}
	*colon = '\0';
	for (tok = strtok_r(line + 1, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (parse_mode(x, tok, &cl) != 0) {
			x->failed++;
			return;
		}
	}
	if (assemble(x, colon + 1, 0, cmd_a, &la) != 0 ||
	    assemble(x, colon + 1, 1, cmd_b, &lb) != 0) {
		x->failed++;
		return;
	}
	na = copra_exec(cmd_a, la, ra);
	nb = lt_exec(cmd_b, lb, rb);
	/*
	 * libtpms answers TPM_RC_RETRY to the first authorization of a DA-protected entity after
	 * a Startup (it must commit the end of its orderly state first); a TSS sends the command
	 * again, and so does this program (README: da-retry).
	 */
	for (int i = 0; i < 3 && rsp_rc(rb, nb) == RC_RETRY && rsp_rc(ra, na) != RC_RETRY; i++) {
		x->retries++;
		nb = lt_exec(cmd_b, lb, rb);
	}
	same = compare(&cl, la >= 10 ? be32(cmd_a + 6) : 0, ra, na, rb, nb, why, sizeof(why));
	if (cl.set[0] && na >= 14 && nb >= 14) {
		int v = var_find(x, cl.set, strlen(cl.set));

		if (v < 0 && x->nvars < MAX_VARS) {
			v = (int)x->nvars++;
			(void)snprintf(x->var_name[v], sizeof(x->var_name[v]), "%s", cl.set);
		}
		if (v >= 0) {
			x->var_copra[v] = be32(ra + 10);
			x->var_lt[v] = be32(rb + 10);
		}
	}
	if (same && cl.known[0]) {
		x->passed++;
		x->known_fixed++;
		printf("NOTE %s:%u [%s] known difference %s no longer differs: drop it from the "
		       "README\n",
		       x->file, x->line, x->test, cl.known);
	} else if (same) {
		x->passed++;
		if (verbose)
			printf("ok   %s:%u [%s] cc 0x%x\n", x->file, x->line, x->test,
			       la >= 10 ? be32(cmd_a + 6) : 0);
	} else if (cl.known[0]) {
		x->known++;
		if (verbose)
			printf("KNOWN %s:%u [%s] %s: %s\n", x->file, x->line, x->test, cl.known,
			       why);
	} else {
		x->failed++;
		printf("FAIL %s:%u [%s] cc 0x%x: %s\n", x->file, x->line, x->test,
		       la >= 10 ? be32(cmd_a + 6) : 0, why);
		dump("command", cmd_a, la);
		dump("copra", ra, na);
		dump("libtpms", rb, nb);
	}
}

static int run_stream(struct ctx *x, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got = 0;

	if (!f) {
		(void)fprintf(stderr, "tpm-diff: %s: %s\n", path, strerror(errno));
		return -1;
	}
	x->file = path;
	x->line = 0;
	x->nvars = 0;
	x->broken = false;
	(void)snprintf(x->test, sizeof(x->test), "-");
	while (!x->broken && (got = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		x->line++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		switch (*s) {
		case '\0':
		case '#':
			break;
		case 'N':
			copra.locality = 0;
			lt_locality = 0;
			x->nvars = 0;
			if (fresh_tpms() != 0)
				x->broken = true;
			break;
		case 'R':
			if (copra_restart() != 0 || lt_restart() != 0)
				x->broken = true;
			break;
		case 'L':
			copra.locality = (uint8_t)strtoul(s + 1, NULL, 0);
			lt_locality = copra.locality;
			break;
		case 'T':
			s++;
			while (*s == ' ')
				s++;
			(void)snprintf(x->test, sizeof(x->test), "%s", s);
			break;
		case 'C':
			run_command(x, s);
			break;
		default:
			(void)printf("FAIL %s:%u: unknown record\n", path, x->line);
			x->broken = true;
			break;
		}
	}
	free(line);
	(void)fclose(f);
	if (x->broken) {
		(void)printf("FAIL tpm-diff: %s:%u: stream abandoned\n", path, x->line);
		x->failed++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct ctx x;
	int first = 1;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		first = 2;
	}
	if (first >= argc) {
		(void)fprintf(stderr, "usage: tpm-diff [-v] STREAM...\n");
		return 2;
	}
	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) != TPM_SUCCESS ||
	    TPMLIB_RegisterCallbacks(&lt_callbacks) != TPM_SUCCESS) {
		(void)fprintf(stderr, "tpm-diff: libtpms refuses TPM 2.0 or the callbacks\n");
		return 1;
	}
	for (int i = first; i < argc; i++)
		if (run_stream(&x, argv[i]) != 0)
			x.failed++;
	if (lt_running)
		TPMLIB_Terminate();
	if (copra.tpm)
		tpm_destroy(copra.tpm);
	printf("tpm-diff: %u passed, %u failed (%u known differences, %u libtpms retries%s)\n",
	       x.passed, x.failed, x.known, x.retries,
	       x.known_fixed ? "; some known differences are gone: see NOTE lines" : "");
	return x.failed ? 1 : 0;
}
