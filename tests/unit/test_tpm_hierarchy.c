// SPDX-License-Identifier: MIT
/*
 * Hierarchy and dictionary-attack commands (tpm/cmd_hierarchy.c) and the engine's authorization
 * code (tpm/engine.c, tpm/session.c): password and HMAC sessions, the authorization area's
 * errors, dictionary-attack lockout.
 *
 * Session HMACs are checked against an independent model of TCG Part 1, 19.6 written here on
 * mbedTLS's generic md layer (not the engine's crypto.c or session.c). Response codes marked
 * "libtpms" were read from libtpms 0.9.2 (TPMLIB_Process) with the same command bytes.
 */
#include <string.h>

#include <mbedtls/md.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "unit.h"

#define IDX   0x01600000u
#define NV_RW (TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD)
#define NV_PP                                                                      \
	(TPMA_NV_PPWRITE | TPMA_NV_PPREAD | TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD | \
	 TPMA_NV_PLATFORMCREATE)
#define CONT TPMA_SESSION_CONTINUESESSION
#define SEC  1000u /* ms */

/* ---- an independent model of Part 1 session HMACs ----------------------------------------- */

static const mbedtls_md_info_t *sha256_info(void)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

	ASSERT(md != NULL);
	return md;
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	ASSERT(mbedtls_md(sha256_info(), p, n, out) == 0);
}

static void hmac256(const void *k, size_t kn, const void *m, size_t mn, uint8_t out[32])
{
	static const uint8_t none[1];

	ASSERT(mbedtls_md_hmac(sha256_info(), kn != 0 ? k : none, kn, m, mn, out) == 0);
}

static size_t put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* KDFa (Part 1, 11.4.10.2) with SHA-256 for 256 bits: one counter-mode block. */
static void kdfa256(const void *key, size_t kn, const char *label, const uint8_t *u, size_t un,
		    const uint8_t *v, size_t vn, uint8_t out[32])
{
	uint8_t m[256];
	size_t n = 0;

	n += put_be32(m + n, 1);
	memcpy(m + n, label, strlen(label) + 1);
	n += strlen(label) + 1;
	memcpy(m + n, u, un);
	n += un;
	memcpy(m + n, v, vn);
	n += vn;
	n += put_be32(m + n, 256);
	hmac256(key, kn, m, n, out);
}

/* A session as the caller tracks it. */
struct tsess {
	uint32_t handle;
	uint8_t nonce_tpm[32];
	uint8_t nonce_caller[32];
	uint8_t key[32]; /* sessionKey */
	size_t key_size;
};

/* StartAuthSession(tpmKey NULL, bind, 32-byte nonce, no salt, HMAC, no symmetric, SHA-256). */
static tpm_rc start_session(struct tpmh *h, struct tsess *s, uint32_t bind, const char *bind_auth)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t n = 0;
	tpm_rc rc;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < sizeof(s->nonce_caller); i++)
		s->nonce_caller[i] = (uint8_t)unit_rand64();
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, bind);
	tpmh_2b(&c, s->nonce_caller, sizeof(s->nonce_caller));
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_HMAC);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	s->handle = tpmh_rsp_handle(h);
	r = tpmh_params(h, true);
	ASSERT(tpm_get_u16(&r, &n) == TPM_RC_SUCCESS && n == 32 && r.left == 32);
	memcpy(s->nonce_tpm, r.p, 32);
	/* sessionKey = KDFa(SHA-256, bindAuth, "ATH", nonceTPM, nonceCaller) when bound. */
	if (bind != TPM_RH_NULL && bind_auth != NULL && bind_auth[0] != 0) {
		kdfa256(bind_auth, strlen(bind_auth), "ATH", s->nonce_tpm, 32, s->nonce_caller, 32,
			s->key);
		s->key_size = 32;
	}
	return rc;
}

/* HMAC(sessionKey || authValue, a || b || c || attrs) with authValue NULL meaning "left out". */
static void session_hmac(const struct tsess *s, const char *auth, const uint8_t digest[32],
			 const uint8_t *n1, const uint8_t *n2, uint8_t attrs, uint8_t out[32])
{
	uint8_t key[32 + 64];
	uint8_t m[32 + 32 + 32 + 1];
	size_t kn = s->key_size;

	memcpy(key, s->key, s->key_size);
	if (auth != NULL) {
		memcpy(key + kn, auth, strlen(auth));
		kn += strlen(auth);
	}
	memcpy(m, digest, 32);
	memcpy(m + 32, n1, 32);
	memcpy(m + 64, n2, 32);
	m[96] = attrs;
	hmac256(key, kn, m, sizeof(m), out);
}

/* One command authorized by an HMAC session: what to send and what to expect back. */
struct hreq {
	uint32_t cc;
	uint32_t h[2];
	unsigned nh;
	const uint8_t *names; /* the handles' Names concatenated; NULL: each handle's 4 bytes */
	size_t names_len;
	const void *par;
	size_t plen;
	const char *auth; /* authValue of h[0] in the command HMAC key; NULL: bound, left out */
	uint8_t attrs;
	uint8_t attrs_xor; /* attributes in the HMAC differ from those sent by these bits */
	bool corrupt;	   /* flip a bit of the HMAC */
	bool empty_hmac;   /* send an empty HMAC */
	const char *rauth; /* authValue in the response HMAC key; NULL: left out */
	bool rhandle;	   /* the response carries a handle */
};

/*
 * Send q authorized by s. On success check the response session: a new nonceTPM (which the TPM
 * keeps for the next command), the attributes echoed and the response HMAC over
 * rpHash = SHA-256(0 || cc || parameters); s->nonce_tpm then rolls to the new nonce.
 */
static tpm_rc hsend(struct tpmh *h, struct tsess *s, const struct hreq *q)
{
	struct tpmh_cmd c;
	uint8_t m[1024];
	uint8_t cph[32];
	uint8_t hm[32];
	size_t n = 0;
	size_t mark;
	tpm_rc rc;

	/* cpHash = SHA-256(commandCode || Names || parameters) */
	n += put_be32(m, q->cc);
	if (q->names != NULL) {
		memcpy(m + n, q->names, q->names_len);
		n += q->names_len;
	} else {
		for (unsigned i = 0; i < q->nh; i++)
			n += put_be32(m + n, q->h[i]);
	}
	ASSERT(n + q->plen <= sizeof(m));
	if (q->plen != 0)
		memcpy(m + n, q->par, q->plen);
	n += q->plen;
	sha256(m, n, cph);
	session_hmac(s, q->auth, cph, s->nonce_caller, s->nonce_tpm, q->attrs ^ q->attrs_xor, hm);
	if (q->corrupt)
		hm[5] ^= 0x40;

	tpmh_begin(&c, TPM_ST_SESSIONS, q->cc);
	for (unsigned i = 0; i < q->nh; i++)
		tpmh_u32(&c, q->h[i]);
	mark = tpm_put_size32_begin(&c.w);
	tpmh_u32(&c, s->handle);
	tpmh_2b(&c, s->nonce_caller, sizeof(s->nonce_caller));
	tpmh_u8(&c, q->attrs);
	tpmh_2b(&c, hm, q->empty_hmac ? 0 : sizeof(hm));
	tpm_put_size32_end(&c.w, mark);
	tpmh_bytes(&c, q->par, q->plen);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	/* response: header, [handle], parameterSize, parameters, nonceTPM, attributes, HMAC */
	{
		size_t off = 10 + (q->rhandle ? 4 : 0);
		uint32_t psize = tpm_ld32(h->rsp + off);
		const uint8_t *rp = h->rsp + off + 4;
		struct tpm_rd r = tpm_rd_init(rp + psize, h->rsp_len - (off + 4 + psize));
		const uint8_t *nonce = NULL;
		const uint8_t *rh = NULL;
		uint16_t nn = 0;
		uint16_t hn = 0;
		uint8_t attrs = 0;
		uint8_t rph[32];
		uint8_t want[32];
		const struct tpm_session *ts = tpm_session_find(h->tpm, s->handle);

		ASSERT(off + 4 + psize <= h->rsp_len);
		ASSERT(tpm_get_u16(&r, &nn) == TPM_RC_SUCCESS && nn == 32);
		ASSERT(tpm_get_view(&r, nn, &nonce) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u8(&r, &attrs) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_u16(&r, &hn) == TPM_RC_SUCCESS);
		ASSERT(tpm_get_view(&r, hn, &rh) == TPM_RC_SUCCESS && r.left == 0);
		EXPECT_EQ_U64(attrs, q->attrs);
		EXPECT(memcmp(nonce, s->nonce_tpm, 32) != 0);
		if (q->attrs & CONT) {
			ASSERT(ts != NULL);
			EXPECT_MEM_EQ(ts->nonce_tpm, nonce, 32);
		} else {
			EXPECT(ts == NULL);
		}
		memcpy(s->nonce_tpm, nonce, 32);
		n = put_be32(m, TPM_RC_SUCCESS);
		n += put_be32(m + n, q->cc);
		ASSERT(n + psize <= sizeof(m));
		memcpy(m + n, rp, psize);
		sha256(m, n + psize, rph);
		session_hmac(s, q->rauth, rph, s->nonce_tpm, s->nonce_caller, attrs, want);
		if (q->empty_hmac && s->key_size == 0 && (q->rauth == NULL || q->rauth[0] == 0)) {
			EXPECT_EQ_U64(hn, 0);
		} else {
			EXPECT_EQ_U64(hn, 32);
			if (hn == 32)
				EXPECT_MEM_EQ(rh, want, 32);
		}
	}
	return rc;
}

/* HierarchyChangeAuth(handle, newAuth) authorized by session s (parameters only, for hreq). */
static size_t hca_params(uint8_t *out, const char *new_auth)
{
	size_t n = strlen(new_auth);

	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	memcpy(out + 2, new_auth, n);
	return 2 + n;
}

/* ---- password-authorized command helpers ------------------------------------------------- */

static tpm_rc change_auth(struct tpmh *h, uint32_t handle, const char *pw, const void *na,
			  size_t nan)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tpmh_u32(&c, handle);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, na, nan);
	return tpmh_send(h, &c);
}

static tpm_rc set_auth(struct tpmh *h, uint32_t handle, const char *pw, const char *na)
{
	return change_auth(h, handle, pw, na, strlen(na));
}

static tpm_rc hier_control(struct tpmh *h, uint32_t auth_h, uint32_t enable, uint8_t state)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyControl);
	tpmh_u32(&c, auth_h);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, enable);
	tpmh_u8(&c, state);
	return tpmh_send(h, &c);
}

static tpm_rc clear(struct tpmh *h, uint32_t auth_h, const char *pw)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Clear);
	tpmh_u32(&c, auth_h);
	tpmh_pw(&c, pw, strlen(pw));
	return tpmh_send(h, &c);
}

static tpm_rc clear_control(struct tpmh *h, uint32_t auth_h, uint8_t disable)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_ClearControl);
	tpmh_u32(&c, auth_h);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, disable);
	return tpmh_send(h, &c);
}

static tpm_rc lock_reset(struct tpmh *h, const char *pw)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackLockReset);
	tpmh_u32(&c, TPM_RH_LOCKOUT);
	tpmh_pw(&c, pw, strlen(pw));
	return tpmh_send(h, &c);
}

static tpm_rc da_params(struct tpmh *h, const char *pw, uint32_t max, uint32_t rec, uint32_t lrec)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackParameters);
	tpmh_u32(&c, TPM_RH_LOCKOUT);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_u32(&c, max);
	tpmh_u32(&c, rec);
	tpmh_u32(&c, lrec);
	return tpmh_send(h, &c);
}

static tpm_rc nv_define(struct tpmh *h, uint32_t auth_h, uint32_t idx, uint32_t attrs,
			uint16_t size, const char *auth)
{
	struct tpmh_cmd c;
	size_t m;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tpmh_u32(&c, auth_h);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, auth, strlen(auth));
	m = tpm_put_size16_begin(&c.w);
	tpmh_u32(&c, idx);
	tpmh_u16(&c, TPM_ALG_SHA256);
	tpmh_u32(&c, attrs);
	tpmh_2b(&c, NULL, 0);
	tpmh_u16(&c, size);
	tpm_put_size16_end(&c.w, m);
	return tpmh_send(h, &c);
}

/* NV_Write(idx, idx) with the index's own authValue as password. */
static tpm_rc nv_write(struct tpmh *h, uint32_t idx, const char *pw, const void *d, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tpmh_u32(&c, idx);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, d, n);
	tpmh_u16(&c, 0);
	return tpmh_send(h, &c);
}

/* NV_Read(idx, idx) of n bytes into out (if not NULL). */
static tpm_rc nv_read(struct tpmh *h, uint32_t idx, const char *pw, uint16_t n, uint8_t *out)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t got = 0;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tpmh_u32(&c, idx);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_u16(&c, n);
	tpmh_u16(&c, 0);
	rc = tpmh_send(h, &c);
	if (rc == TPM_RC_SUCCESS) {
		r = tpmh_params(h, false);
		ASSERT(tpm_get_u16(&r, &got) == TPM_RC_SUCCESS && got == n && r.left == n);
		if (out != NULL)
			memcpy(out, r.p, n);
	}
	return rc;
}

static void shutdown(struct tpmh *h, uint16_t su)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, su);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

static tpm_rc flush(struct tpmh *h, uint32_t handle)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, handle);
	return tpmh_send(h, &c);
}

/* ---- HierarchyChangeAuth ----------------------------------------------------------------- */

UNIT_TEST(tpm_hier_change_auth)
{
	struct tpmh h;
	uint8_t big[65];
	struct tpmh_cmd c;

	memset(big, 'x', sizeof(big));
	tpmh_init(&h);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", "own"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_ENDORSEMENT, "", "end"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", "lck"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "", "plt"), TPM_RC_SUCCESS);
	/* the old values no longer work: BAD_AUTH+S1 (hierarchies are DA-exempt; libtpms 0x9A2) */
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", "x"), 0x9A2);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_ENDORSEMENT, "", "x"), 0x9A2);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "", "x"), 0x9A2);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	/* trailing zeros of a password do not matter */
	EXPECT_EQ_U64(change_auth(&h, TPM_RH_OWNER, "own", "own\0\0", 5), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.owner.auth_size, 3);
	{
		struct tpmh_cmd d;

		tpmh_begin(&d, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
		tpmh_u32(&d, TPM_RH_OWNER);
		tpmh_pw(&d, "own\0\0\0", 6);
		tpmh_2b(&d, "own", 3);
		EXPECT_EQ_U64(tpmh_send(&h, &d), TPM_RC_SUCCESS);
	}
	/* newAuth: at most 64 bytes (libtpms 0x1D5); stored without trailing zeros */
	EXPECT_EQ_U64(change_auth(&h, TPM_RH_OWNER, "own", big, 65), TPM_RCP(TPM_RC_SIZE, 1));
	{
		uint8_t z[64] = {'a'};

		EXPECT_EQ_U64(change_auth(&h, TPM_RH_OWNER, "own", z, 64), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(h.tpm->perm.owner.auth_size, 1);
		EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "a", "own"), TPM_RC_SUCCESS);
	}
	EXPECT_EQ_U64(change_auth(&h, TPM_RH_OWNER, "own", big, 64), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(change_auth(&h, TPM_RH_OWNER, "", "x", 1), 0x9A2);
	{
		struct tpmh_cmd d;

		tpmh_begin(&d, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
		tpmh_u32(&d, TPM_RH_OWNER);
		tpmh_pw(&d, big, 64);
		tpmh_2b(&d, "own", 3);
		EXPECT_EQ_U64(tpmh_send(&h, &d), TPM_RC_SUCCESS);
	}
	/* parameter errors: truncated, trailing bytes */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "own", 3);
	tpmh_u16(&c, 4);
	tpmh_u8(&c, 'a');
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "own", 3);
	tpmh_2b(&c, "b", 1);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* a handle that is no hierarchy (libtpms 0x184: VALUE+H1) */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, NULL, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_VALUE, 1));

	/* owner, endorsement, lockout persist; platformAuth is reset by every Startup */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "plt", "x"), 0x9A2);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "own", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_ENDORSEMENT, "end", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "lck", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.owner.auth_size, 0);
	tpmh_destroy(&h);
}

/* platformAuth changed after Shutdown(STATE) voids the saved state, as in the reference. */
UNIT_TEST(tpm_hier_volatile_change_after_shutdown_voids_orderly)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	shutdown(&h, TPM_SU_STATE);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", "own"), TPM_RC_SUCCESS);
	EXPECT(h.tpm->perm.state_saved); /* owner auth is persistent state: no effect */
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "", "plt"), TPM_RC_SUCCESS);
	EXPECT(!h.tpm->perm.state_saved);
	EXPECT(!h.tpm->perm.orderly);
	tpmh_restart(&h, 0xFFFF);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
	tpmh_u16(&c, TPM_SU_STATE);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_VALUE, 1));
	tpmh_destroy(&h);
}

/* ---- HierarchyControl -------------------------------------------------------------------- */

UNIT_TEST(tpm_hier_control_rules)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	/* parameter errors (libtpms: 0x1C4, 0x1C4, 0x2C4, 0x095, 0x2DA) */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_LOCKOUT, 0),
		      TPM_RCP(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_NULL, 0), TPM_RCP(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_OWNER, 2), TPM_RCP(TPM_RC_VALUE, 2));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyControl);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u8(&c, 1);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyControl);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, TPM_RH_OWNER);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	/* authHandle lockout is no TPMI_RH_HIERARCHY (0x184) */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_LOCKOUT, TPM_RH_OWNER, 0), TPM_RCH(TPM_RC_VALUE, 1));
	/* owner/endorsement may not touch others' (0x124, unnumbered) */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_ENDORSEMENT, 0), TPM_RC_AUTH_TYPE);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_PLATFORM, 0), TPM_RC_AUTH_TYPE);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_PLATFORM_NV, 0), TPM_RC_AUTH_TYPE);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_ENDORSEMENT, TPM_RH_OWNER, 0), TPM_RC_AUTH_TYPE);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM, 1), TPM_RC_AUTH_TYPE);
	/* enabling what is enabled: a no-op, allowed */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_OWNER, 1), TPM_RC_SUCCESS);
	/* owner disables itself: the owner handle is then refused (0x185) */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_OWNER, 0), TPM_RC_SUCCESS);
	EXPECT(!h.tpm->sh_enable);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_OWNER, 1),
		      TPM_RCH(TPM_RC_HIERARCHY, 1));
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", ""), TPM_RCH(TPM_RC_HIERARCHY, 1));
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_OWNER, 1), TPM_RC_SUCCESS);
	EXPECT(h.tpm->sh_enable);
	/* endorsement the same way */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_ENDORSEMENT, TPM_RH_ENDORSEMENT, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_ENDORSEMENT, "", ""), TPM_RCH(TPM_RC_HIERARCHY, 1));
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_ENDORSEMENT, 1), TPM_RC_SUCCESS);
	EXPECT(h.tpm->eh_enable);
	/* a disabled hierarchy comes back at the next Startup */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_OWNER, 0), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(h.tpm->sh_enable);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hier_control_platform_and_nv)
{
	struct tpmh h;
	uint8_t d[4] = {0};

	tpmh_init(&h);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_PLATFORM, IDX, NV_PP, 4, "p"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX + 1, NV_RW, 4, "o"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "p", "abcd", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "o", "efgh", 4), TPM_RC_SUCCESS);
	/* phEnableNV off: platform indices vanish (HANDLE+H1), owner ones stay */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM_NV, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "p", 4, d), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, "o", 4, d), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM_NV, 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "p", 4, d), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(d, "abcd", 4);
	/* shEnable off: owner indices vanish */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_OWNER, TPM_RH_OWNER, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, "o", 4, d), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_OWNER, 1), TPM_RC_SUCCESS);
	/* phEnable off: platformAuth is unusable until the next Startup */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM, 0), TPM_RC_SUCCESS);
	EXPECT(!h.tpm->ph_enable);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM, 1),
		      TPM_RCH(TPM_RC_HIERARCHY, 1));
	EXPECT_EQ_U64(clear(&h, TPM_RH_PLATFORM, ""), TPM_RCH(TPM_RC_HIERARCHY, 1));
	/* phEnableNV is independent of phEnable */
	EXPECT_EQ_U64(nv_read(&h, IDX, "p", 4, d), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(h.tpm->ph_enable);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM, 1), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

/* shEnable/ehEnable/phEnableNV survive TPM Resume (through the NV blob), not Restart/Reset. */
UNIT_TEST(tpm_hier_enables_across_resume)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_OWNER, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_ENDORSEMENT, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM_NV, 0), TPM_RC_SUCCESS);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, TPM_SU_STATE);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_STATE);
	EXPECT(h.tpm->ph_enable);
	EXPECT(!h.tpm->sh_enable);
	EXPECT(!h.tpm->eh_enable);
	EXPECT(!h.tpm->ph_enable_nv);
	/* Shutdown(STATE) then Startup(CLEAR) is a TPM Restart: all set again */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, TPM_SU_STATE);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(h.tpm->sh_enable && h.tpm->eh_enable && h.tpm->ph_enable_nv);
	/* a disorderly power loss: TPM Reset, all set */
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_OWNER, 0), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(h.tpm->sh_enable);
	tpmh_destroy(&h);
}

/* ---- Clear and ClearControl -------------------------------------------------------------- */

UNIT_TEST(tpm_hier_clear_control)
{
	struct tpmh h;

	tpmh_init(&h);
	/* lockoutAuth may set disableClear but not clear it (libtpms: 0x08E, unnumbered) */
	EXPECT_EQ_U64(clear_control(&h, TPM_RH_LOCKOUT, 0), TPM_RC_AUTH_FAIL);
	EXPECT_EQ_U64(clear_control(&h, TPM_RH_LOCKOUT, 2), TPM_RCP(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(clear_control(&h, TPM_RH_OWNER, 1), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(clear_control(&h, TPM_RH_LOCKOUT, 1), TPM_RC_SUCCESS);
	EXPECT(h.tpm->perm.disable_clear);
	/* persistent; Clear is then refused by both (0x120) */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(h.tpm->perm.disable_clear);
	EXPECT_EQ_U64(clear(&h, TPM_RH_LOCKOUT, ""), TPM_RC_DISABLED);
	EXPECT_EQ_U64(clear(&h, TPM_RH_PLATFORM, ""), TPM_RC_DISABLED);
	EXPECT_EQ_U64(clear_control(&h, TPM_RH_PLATFORM, 0), TPM_RC_SUCCESS);
	EXPECT(!h.tpm->perm.disable_clear);
	EXPECT_EQ_U64(clear(&h, TPM_RH_OWNER, ""), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(clear(&h, TPM_RH_LOCKOUT, ""), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hier_clear_effects)
{
	struct tpmh h;
	static struct tpm_perm before;
	uint8_t d[8] = {0};
	uint32_t pcr_counter;

	tpmh_init(&h);
	/* owner indices around a platform one, so that the platform data has to move */
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX, NV_RW, 8, "a"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_PLATFORM, IDX + 1, NV_PP, 8, "b"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX + 2,
				NV_RW | TPMA_NV_NO_DA |
					((uint32_t)TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT),
				8, "c"),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "a", "AAAAAAAA", 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "b", "BBBBBBBB", 8), TPM_RC_SUCCESS);
	{
		struct tpmh_cmd c;

		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Increment);
		tpmh_u32(&c, IDX + 2);
		tpmh_u32(&c, IDX + 2);
		tpmh_pw(&c, "c", 1);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SUCCESS);
	}
	EXPECT_EQ_U64(da_params(&h, "", 5, 7, 9), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_ENDORSEMENT, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", "o"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "", "p"), TPM_RC_SUCCESS);
	/* a failure on a DA-protected index, and a blocked lockoutAuth */
	EXPECT_EQ_U64(nv_read(&h, IDX, "bad", 8, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 1);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", "l"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(lock_reset(&h, "bad"), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT(h.tpm->perm.lockout_auth_locked);
	h.mp.now_ms += 5 * SEC;
	EXPECT(tpm_clock(h.tpm) >= 5 * SEC);
	memcpy(&before, &h.tpm->perm, sizeof(before));
	pcr_counter = h.tpm->pcr_update_counter;

	EXPECT_EQ_U64(clear(&h, TPM_RH_PLATFORM, ""), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(clear(&h, TPM_RH_PLATFORM, "p"), TPM_RC_SUCCESS);
	/* new storage seed and proofs; the endorsement and platform seeds stay */
	EXPECT(memcmp(h.tpm->perm.sps, before.sps, TPM_SEED_SIZE) != 0);
	EXPECT(memcmp(h.tpm->perm.sh_proof, before.sh_proof, TPM_SEED_SIZE) != 0);
	EXPECT(memcmp(h.tpm->perm.eh_proof, before.eh_proof, TPM_SEED_SIZE) != 0);
	EXPECT_MEM_EQ(h.tpm->perm.eps, before.eps, TPM_SEED_SIZE);
	EXPECT_MEM_EQ(h.tpm->perm.pps, before.pps, TPM_SEED_SIZE);
	EXPECT_MEM_EQ(h.tpm->perm.ph_proof, before.ph_proof, TPM_SEED_SIZE);
	/* authValues empty, policies none; platformAuth kept */
	EXPECT_EQ_U64(h.tpm->perm.owner.auth_size, 0);
	EXPECT_EQ_U64(h.tpm->perm.owner.policy_alg, TPM_ALG_NULL);
	EXPECT_EQ_U64(h.tpm->perm.endorsement.policy_alg, TPM_ALG_NULL);
	EXPECT_EQ_U64(h.tpm->perm.lockout.policy_alg, TPM_ALG_NULL);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "p", "p"), TPM_RC_SUCCESS);
	/* the endorsement hierarchy is enabled again */
	EXPECT(h.tpm->eh_enable && h.tpm->sh_enable);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_ENDORSEMENT, "", ""), TPM_RC_SUCCESS);
	/* owner indices gone, the platform one intact in a packed arena */
	EXPECT_EQ_U64(nv_read(&h, IDX, "a", 8, NULL), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(nv_read(&h, IDX + 2, "c", 8, NULL), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, "b", 8, d), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(d, "BBBBBBBB", 8);
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, 8);
	ASSERT(tpm_nv_find(h.tpm, IDX + 1) != NULL);
	EXPECT_EQ_U64(tpm_nv_find(h.tpm, IDX + 1)->data_off, 0);
	/* the deleted counter raised the floor of later counters */
	EXPECT(h.tpm->perm.nv_max_counter >= 1);
	/* DA back to the defaults, no failures, lockoutAuth usable */
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	EXPECT_EQ_U64(h.tpm->perm.da_max_tries, 3);
	EXPECT_EQ_U64(h.tpm->perm.da_recovery_s, 1000);
	EXPECT_EQ_U64(h.tpm->perm.da_lockout_recovery_s, 1000);
	EXPECT(!h.tpm->perm.lockout_auth_locked);
	EXPECT_EQ_U64(lock_reset(&h, ""), TPM_RC_SUCCESS);
	/* Clock, resetCount and restartCount restart at 0 */
	EXPECT(tpm_clock(h.tpm) < SEC);
	EXPECT_EQ_U64(h.tpm->perm.reset_count, 0);
	EXPECT_EQ_U64(h.tpm->perm.restart_count, 0);
	EXPECT_EQ_U64(h.tpm->perm.clear_count, before.clear_count + 1);
	EXPECT_EQ_U64(h.tpm->pcr_update_counter, pcr_counter + 1);
	/* all of it committed */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(memcmp(h.tpm->perm.sps, before.sps, TPM_SEED_SIZE) != 0);
	EXPECT_EQ_U64(h.tpm->perm.reset_count, 1);
	EXPECT(tpm_clock(h.tpm) < SEC);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, "b", 8, d), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "a", 8, NULL), TPM_RCH(TPM_RC_HANDLE, 1));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_hier_clear_by_lockout_and_failed_commit)
{
	struct tpmh h;
	static struct tpm_perm before;

	tpmh_init(&h);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", "l"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX, NV_RW, 8, ""), TPM_RC_SUCCESS);
	memcpy(&before, &h.tpm->perm, sizeof(before));
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(clear(&h, TPM_RH_LOCKOUT, "l"), TPM_RC_NV_UNAVAILABLE);
	EXPECT_MEM_EQ(h.tpm->perm.sps, before.sps, TPM_SEED_SIZE);
	EXPECT(tpm_nv_find(h.tpm, IDX) != NULL);
	EXPECT_EQ_U64(h.tpm->perm.lockout.auth_size, 1);
	EXPECT_EQ_U64(clear(&h, TPM_RH_LOCKOUT, "l"), TPM_RC_SUCCESS);
	EXPECT(tpm_nv_find(h.tpm, IDX) == NULL);
	EXPECT_EQ_U64(h.tpm->perm.lockout.auth_size, 0);
	tpmh_destroy(&h);
}

/* ---- dictionary attack ------------------------------------------------------------------- */

UNIT_TEST(tpm_da_parameters_and_lock_reset)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	EXPECT_EQ_U64(da_params(&h, "", 7, 60, 120), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.da_max_tries, 7);
	EXPECT_EQ_U64(h.tpm->perm.da_recovery_s, 60);
	EXPECT_EQ_U64(h.tpm->perm.da_lockout_recovery_s, 120);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(h.tpm->perm.da_max_tries, 7);
	EXPECT_EQ_U64(h.tpm->perm.da_lockout_recovery_s, 120);
	/* parameter errors (libtpms: short 0x3DA; owner handle 0x184) */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackParameters);
	tpmh_u32(&c, TPM_RH_LOCKOUT);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 1);
	tpmh_u32(&c, 2);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 3));
	tpmh_u32(&c, 3);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackParameters);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 1);
	tpmh_u32(&c, 2);
	tpmh_u32(&c, 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackLockReset);
	tpmh_u32(&c, TPM_RH_LOCKOUT);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	EXPECT_EQ_U64(h.tpm->perm.da_max_tries, 7);
	tpmh_destroy(&h);
}

/* Part 1, 19.8.6: a lockoutAuth failure blocks it for lockoutRecovery seconds of Clock. */
UNIT_TEST(tpm_da_lockout_auth)
{
	struct tpmh h;

	tpmh_init(&h);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", "l"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(da_params(&h, "l", 3, 10, 60), TPM_RC_SUCCESS);
	/* libtpms: 0x98E then 0x921, the right password included */
	EXPECT_EQ_U64(lock_reset(&h, "x"), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT(h.tpm->perm.lockout_auth_locked);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(lock_reset(&h, "x"), TPM_RC_LOCKOUT);
	/* other hierarchies are not affected */
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", ""), TPM_RC_SUCCESS);
	/* blocked state is persistent: a power cycle (TPM Reset) does not help */
	h.mp.now_ms += 30 * SEC;
	shutdown(&h, TPM_SU_CLEAR); /* saves Clock */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	/* Clock runs only while powered: the time spent off does not count */
	tpm_power_off(h.tpm);
	h.mp.now_ms += 3600 * SEC;
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	h.mp.now_ms += 30 * SEC - 1;
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	h.mp.now_ms += 1;
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_SUCCESS);
	EXPECT(!h.tpm->perm.lockout_auth_locked);
	/* a wrong HMAC through an unbound session counts the same */
	{
		struct tsess s;
		uint8_t par[8];
		struct hreq q = {
			.cc = TPM_CC_HierarchyChangeAuth,
			.h = {TPM_RH_LOCKOUT},
			.nh = 1,
			.par = par,
			.plen = hca_params(par, "l"),
			.auth = "l",
			.attrs = CONT,
			.corrupt = true,
		};

		ASSERT(start_session(&h, &s, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
		q.corrupt = false;
		EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_LOCKOUT);
		h.mp.now_ms += 60 * SEC;
		q.rauth = "l";
		EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	}
	/* lockoutRecovery 0: blocked until the next TPM Reset */
	EXPECT_EQ_U64(da_params(&h, "l", 3, 10, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(lock_reset(&h, ""), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	h.mp.now_ms += 100000 * SEC;
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	shutdown(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_STATE);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_da_nv_counting_and_self_healing)
{
	struct tpmh h;

	tpmh_init(&h);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX, NV_RW, 4, "pw"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX + 1, NV_RW | TPMA_NV_NO_DA, 4, "pw"),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "pw", "abcd", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "pw", "abcd", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(da_params(&h, "", 3, 10, 10), TPM_RC_SUCCESS);
	/* NO_DA: BAD_AUTH, not counted (libtpms 0x9A2) */
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, "x", 4, NULL), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	/*
	 * DA-protected: AUTH_FAIL counts (libtpms 0x98E). libtpms answers the first DA-protected
	 * authorization after Startup with TPM_RC_RETRY (its USE_DA_USED bookkeeping); the engine
	 * has no such step.
	 */
	for (unsigned i = 0; i < 3; i++) {
		EXPECT_EQ_U64(nv_read(&h, IDX, "x", 4, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
		h.mp.now_ms += 4 * SEC;
	}
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 3);
	/* lockout: every DA-protected authorization (0x921), other entities are unaffected */
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, "pw", 4, NULL), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", ""), TPM_RC_SUCCESS);
	/* self-healing counts from the last failure: 6 s after it nothing is forgiven yet */
	h.mp.now_ms += 2 * SEC;
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	h.mp.now_ms += 4 * SEC;
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 2);
	/* a failure restarts the interval */
	EXPECT_EQ_U64(nv_read(&h, IDX, "x", 4, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	h.mp.now_ms += 9 * SEC;
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	/* counters and their timing persist */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	h.mp.now_ms += 25 * SEC;
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 1);
	h.mp.now_ms += 10 * SEC;
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	/* DictionaryAttackLockReset forgives everything at once */
	for (unsigned i = 0; i < 3; i++)
		EXPECT_EQ_U64(nv_read(&h, IDX, "x", 4, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(lock_reset(&h, ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	/* lowering maxTries to failedTries locks out at once (failedTries kept, libtpms) */
	EXPECT_EQ_U64(nv_read(&h, IDX, "x", 4, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(da_params(&h, "", 1, 10, 10), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 1);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(da_params(&h, "", 10, 10, 10), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

/* The zero values of DictionaryAttackParameters, as libtpms reads them. */
UNIT_TEST(tpm_da_zero_parameters)
{
	struct tpmh h;

	tpmh_init(&h);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX, NV_RW, 4, "pw"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "pw", "abcd", 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "x", 4, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 1);
	/* recoveryTime 0: counting off, the counter is cleared; failures still answer AUTH_FAIL */
	EXPECT_EQ_U64(da_params(&h, "", 1, 0, 10), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	for (unsigned i = 0; i < 5; i++)
		EXPECT_EQ_U64(nv_read(&h, IDX, "x", 4, NULL), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	/* maxTries 0: always in lockout, with or without recoveryTime (libtpms 0x921) */
	EXPECT_EQ_U64(da_params(&h, "", 0, 0, 10), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(da_params(&h, "", 0, 5, 10), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	h.mp.now_ms += 1000 * SEC;
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(da_params(&h, "", 3, 5, 10), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, "pw", 4, NULL), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

/* A failed authorization is committed even though the command fails. */
UNIT_TEST(tpm_da_failure_is_committed)
{
	struct tpmh h;
	unsigned commits;

	tpmh_init(&h);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", "l"), TPM_RC_SUCCESS);
	commits = h.mp.commits;
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "bad", ""), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(h.mp.commits, commits); /* BAD_AUTH: nothing to remember */
	EXPECT_EQ_U64(lock_reset(&h, "bad"), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.mp.commits, commits + 1);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	tpmh_destroy(&h);
}

/* ---- HMAC sessions ------------------------------------------------------------------------ */

UNIT_TEST(tpm_auth_hmac_unbound_change_auth)
{
	struct tpmh h;
	struct tsess s;
	uint8_t par[70];
	uint8_t nonce_before[32];
	struct hreq q = {
		.cc = TPM_CC_HierarchyChangeAuth,
		.h = {TPM_RH_OWNER},
		.nh = 1,
		.par = par,
		.attrs = CONT,
	};

	tpmh_init(&h);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", "old"), TPM_RC_SUCCESS);
	ASSERT(start_session(&h, &s, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
	q.plen = hca_params(par, "new1");
	/* wrong authValue in the key: BAD_AUTH+S1 (owner is DA-exempt; libtpms 0x9A2) */
	q.auth = "wrong";
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	q.auth = "old";
	q.corrupt = true;
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	/* a failed command leaves the session as it was: the same nonce works */
	memcpy(nonce_before, s.nonce_tpm, 32);
	EXPECT_MEM_EQ(tpm_session_find(h.tpm, s.handle)->nonce_tpm, nonce_before, 32);
	q.corrupt = false;
	/* the response HMAC uses the new authValue (libtpms and ESAPI agree) */
	q.rauth = "new1";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	EXPECT(memcmp(s.nonce_tpm, nonce_before, 32) != 0);
	EXPECT_EQ_U64(h.tpm->perm.owner.auth_size, 4);
	/* the rolled nonce works; a replay of the old one does not */
	q.plen = hca_params(par, "new2");
	q.auth = "new1";
	q.rauth = "new2";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	memcpy(nonce_before, s.nonce_tpm, 32);
	memset(s.nonce_tpm, 0, 32);
	q.auth = "new2";
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	memcpy(s.nonce_tpm, nonce_before, 32);
	/* the attributes enter the HMAC: an HMAC over other attributes fails */
	{
		struct hreq r = q;

		r.attrs_xor = CONT;
		EXPECT_EQ_U64(hsend(&h, &s, &r), 0x9A2);
	}
	/* continueSession clear: the session ends with the successful command */
	q.attrs = 0;
	q.auth = "new2";
	q.plen = hca_params(par, "");
	q.rauth = "";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	EXPECT(tpm_session_find(h.tpm, s.handle) == NULL);
	EXPECT_EQ_U64(flush(&h, s.handle), TPM_RCP(TPM_RC_HANDLE, 1));
	/* and a closed session is unknown: REFERENCE_S0 (libtpms 0x918) */
	q.attrs = CONT;
	q.auth = "";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_REFERENCE_S0);
	tpmh_destroy(&h);
}

/* A failed command does not end a session without continueSession. */
UNIT_TEST(tpm_auth_hmac_failure_keeps_session)
{
	struct tpmh h;
	struct tsess s;
	uint8_t par[16];
	struct hreq q = {
		.cc = TPM_CC_HierarchyChangeAuth,
		.h = {TPM_RH_PLATFORM},
		.nh = 1,
		.par = par,
		.auth = "",
		.attrs = 0,
		.corrupt = true,
	};

	tpmh_init(&h);
	q.plen = hca_params(par, "p");
	ASSERT(start_session(&h, &s, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	EXPECT(tpm_session_find(h.tpm, s.handle) != NULL);
	/* a parameter error after a good authorization: no nonce roll, session kept */
	{
		struct hreq r = q;
		uint8_t bad[70];

		memset(bad, 'x', sizeof(bad));
		bad[0] = 0;
		bad[1] = 65;
		r.par = bad;
		r.plen = 67;
		r.corrupt = false;
		EXPECT_EQ_U64(hsend(&h, &s, &r), TPM_RCP(TPM_RC_SIZE, 1));
		EXPECT(tpm_session_find(h.tpm, s.handle) != NULL);
	}
	q.corrupt = false;
	q.rauth = "p";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	EXPECT(tpm_session_find(h.tpm, s.handle) == NULL);
	tpmh_destroy(&h);
}

/* Unbound, unsalted, empty authValue: the HMAC key is empty and an empty HMAC is accepted. */
UNIT_TEST(tpm_auth_hmac_empty_key)
{
	struct tpmh h;
	struct tsess s;
	uint8_t par[16];
	struct hreq q = {
		.cc = TPM_CC_HierarchyChangeAuth,
		.h = {TPM_RH_PLATFORM},
		.nh = 1,
		.par = par,
		.auth = "",
		.attrs = CONT,
		.empty_hmac = true,
		.rauth = "",
	};

	tpmh_init(&h);
	q.plen = hca_params(par, "");
	ASSERT(start_session(&h, &s, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
	/* libtpms: success, response nonce 32 bytes, attributes 01, empty HMAC */
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* a full HMAC with the empty key works too */
	q.empty_hmac = false;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* the new authValue is not empty: the response HMAC is full even for an empty one */
	q.plen = hca_params(par, "p");
	q.empty_hmac = true;
	q.rauth = "p";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* with a non-empty authValue an empty HMAC is a failure */
	q.auth = "p";
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	/* an HMAC of the wrong size too (libtpms 0x9A2 for 20 bytes) */
	{
		struct tpmh_cmd c;
		uint8_t hm[20] = {0};
		size_t m;

		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
		tpmh_u32(&c, TPM_RH_PLATFORM);
		m = tpm_put_size32_begin(&c.w);
		tpmh_u32(&c, s.handle);
		tpmh_2b(&c, s.nonce_caller, 32);
		tpmh_u8(&c, CONT);
		tpmh_2b(&c, hm, sizeof(hm));
		tpm_put_size32_end(&c.w, m);
		tpmh_2b(&c, NULL, 0);
		EXPECT_EQ_U64(tpmh_send(&h, &c), 0x9A2);
	}
	tpmh_destroy(&h);
}

/*
 * A session bound to owner: sessionKey = KDFa(SHA-256, ownerAuth, "ATH", nonceTPM, nonceCaller);
 * for the bind entity itself the authValue stays out of the HMAC key (Part 1, 19.6.11), for any
 * other entity it goes in.
 */
UNIT_TEST(tpm_auth_hmac_bound_session)
{
	struct tpmh h;
	struct tsess s;
	uint8_t par[16];
	struct hreq q = {
		.cc = TPM_CC_HierarchyChangeAuth,
		.h = {TPM_RH_OWNER},
		.nh = 1,
		.par = par,
		.attrs = CONT,
	};

	tpmh_init(&h);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", "owner-pw"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_PLATFORM, "", "plat"), TPM_RC_SUCCESS);
	ASSERT(start_session(&h, &s, TPM_RH_OWNER, "owner-pw") == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(tpm_session_find(h.tpm, s.handle)->session_key_size, 32);
	EXPECT_MEM_EQ(tpm_session_find(h.tpm, s.handle)->session_key, s.key, 32);
	/* authorizing owner: key = sessionKey; including the authValue is wrong */
	q.plen = hca_params(par, "owner-pw");
	q.auth = "owner-pw";
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	q.auth = NULL;
	q.rauth = NULL;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* authorizing platform: key = sessionKey || platformAuth */
	q.h[0] = TPM_RH_PLATFORM;
	q.plen = hca_params(par, "plat");
	q.auth = NULL;
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	q.auth = "plat";
	q.rauth = "plat";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/*
	 * Changing the bind entity's authValue through the bound session: the response key is
	 * sessionKey || newAuth, as tpm2-tss ESAPI computes it (the session is no longer bound to
	 * an owner with that authValue). libtpms keeps the command's key (sessionKey alone) here.
	 */
	q.h[0] = TPM_RH_OWNER;
	q.plen = hca_params(par, "o2");
	q.auth = NULL;
	q.rauth = "o2";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* from now on owner is just another entity for this session */
	q.plen = hca_params(par, "o3");
	EXPECT_EQ_U64(hsend(&h, &s, &q), 0x9A2);
	q.auth = "o2";
	q.rauth = "o3";
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* bound to an entity with an empty authValue: no sessionKey, the key is the authValue */
	{
		struct tsess e;

		ASSERT(start_session(&h, &e, TPM_RH_ENDORSEMENT, "") == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(tpm_session_find(h.tpm, e.handle)->session_key_size, 0);
		q.plen = hca_params(par, "o4");
		q.auth = "o3";
		q.rauth = "o4";
		EXPECT_EQ_U64(hsend(&h, &e, &q), TPM_RC_SUCCESS);
	}
	tpmh_destroy(&h);
}

/* cpHash covers the Names of all handles: an NV index's Name is nameAlg || H(TPMS_NV_PUBLIC). */
UNIT_TEST(tpm_auth_hmac_nv_names)
{
	struct tpmh h;
	struct tsess s;
	uint8_t pub[14];
	uint8_t names[2 * 34];
	uint8_t par[4] = {0, 4, 0, 0}; /* size 4, offset 0 */
	uint32_t attrs = NV_RW | TPMA_NV_WRITTEN;
	struct hreq q = {
		.cc = TPM_CC_NV_Read,
		.h = {IDX, IDX},
		.nh = 2,
		.names = names,
		.names_len = sizeof(names),
		.par = par,
		.plen = sizeof(par),
		.auth = "nvpw",
		.attrs = CONT,
		.rauth = "nvpw",
	};

	tpmh_init(&h);
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX, NV_RW, 4, "nvpw"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "nvpw", "wxyz", 4), TPM_RC_SUCCESS);
	/* TPMS_NV_PUBLIC: index, nameAlg, attributes (now WRITTEN), empty policy, dataSize */
	put_be32(pub, IDX);
	pub[4] = 0;
	pub[5] = 0x0B;
	put_be32(pub + 6, attrs);
	pub[10] = 0;
	pub[11] = 0;
	pub[12] = 0;
	pub[13] = 4;
	names[0] = 0;
	names[1] = 0x0B;
	sha256(pub, sizeof(pub), names + 2);
	memcpy(names + 34, names, 34);
	ASSERT(start_session(&h, &s, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(h.rsp + 16, "wxyz", 4);
	/* the handles' bare values are not the Names */
	q.names = NULL;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 1);
	tpmh_destroy(&h);
}

/*
 * Sessions bound to a DA-protected entity are subject to DA however they are used (the
 * reference's isDaBound/isLockoutBound): a failure counts even for an exempt entity, against
 * lockoutAuth for a session bound to lockout, and the session is refused during that lockout.
 */
UNIT_TEST(tpm_auth_da_bound_sessions)
{
	struct tpmh h;
	struct tsess s;
	uint8_t par[16];
	struct hreq q = {
		.cc = TPM_CC_HierarchyChangeAuth,
		.h = {TPM_RH_PLATFORM},
		.nh = 1,
		.par = par,
		.auth = "",
		.attrs = CONT,
		.rauth = "",
	};

	tpmh_init(&h);
	q.plen = hca_params(par, "");
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_LOCKOUT, "", "l"), TPM_RC_SUCCESS);
	ASSERT(start_session(&h, &s, TPM_RH_LOCKOUT, "l") == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* a wrong HMAC for platform: AUTH_FAIL and lockoutAuth blocked (libtpms 0x98E, 0x921) */
	q.corrupt = true;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT(h.tpm->perm.lockout_auth_locked);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_LOCKOUT);
	q.corrupt = false;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_LOCKOUT);
	/* an unbound session for platform is not affected */
	{
		struct tsess u;

		ASSERT(start_session(&h, &u, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(hsend(&h, &u, &q), TPM_RC_SUCCESS);
		EXPECT_EQ_U64(flush(&h, u.handle), TPM_RC_SUCCESS);
	}
	h.mp.now_ms += 1000 * SEC;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(flush(&h, s.handle), TPM_RC_SUCCESS);

	/* bound to a DA-protected NV index: failures for owner count in failedTries */
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX, NV_RW, 4, "nv"), TPM_RC_SUCCESS);
	ASSERT(start_session(&h, &s, IDX, "nv") == TPM_RC_SUCCESS);
	q.h[0] = TPM_RH_OWNER;
	q.corrupt = true;
	for (unsigned i = 0; i < 3; i++)
		EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 3);
	/* in lockout the session is refused even for owner; owner by password still works */
	q.corrupt = false;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(set_auth(&h, TPM_RH_OWNER, "", ""), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(lock_reset(&h, "l"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RC_SUCCESS);
	/* bound to a NO_DA index: BAD_AUTH, nothing counted */
	EXPECT_EQ_U64(nv_define(&h, TPM_RH_OWNER, IDX + 1, NV_RW | TPMA_NV_NO_DA, 4, "nv"),
		      TPM_RC_SUCCESS);
	ASSERT(start_session(&h, &s, IDX + 1, "nv") == TPM_RC_SUCCESS);
	q.corrupt = true;
	EXPECT_EQ_U64(hsend(&h, &s, &q), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	tpmh_destroy(&h);
}

/* ---- the authorization area: errors, compared with libtpms ------------------------------ */

/* One raw session (handle, nonce, attributes, hmac) appended to out. */
static size_t sess_bytes(uint8_t *out, uint32_t handle, const void *nonce, size_t nn, uint8_t attrs,
			 const void *hm, size_t hn)
{
	size_t n = put_be32(out, handle);

	out[n++] = (uint8_t)(nn >> 8);
	out[n++] = (uint8_t)nn;
	if (nn != 0)
		memcpy(out + n, nonce, nn);
	n += nn;
	out[n++] = attrs;
	out[n++] = (uint8_t)(hn >> 8);
	out[n++] = (uint8_t)hn;
	if (hn != 0)
		memcpy(out + n, hm, hn);
	return n + hn;
}

/* HierarchyChangeAuth(handle) with the raw bytes `area` (authorizationSize included) and an
 * empty newAuth. */
static tpm_rc hca_raw(struct tpmh *h, uint32_t handle, const uint8_t *area, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tpmh_u32(&c, handle);
	tpmh_bytes(&c, area, n);
	tpmh_2b(&c, NULL, 0);
	return tpmh_send(h, &c);
}

/* ... with the sessions in s (authorizationSize computed). */
static tpm_rc hca_sessions(struct tpmh *h, uint32_t handle, const uint8_t *s, size_t n)
{
	uint8_t area[600];

	ASSERT(n + 4 <= sizeof(area));
	put_be32(area, (uint32_t)n);
	memcpy(area + 4, s, n);
	return hca_raw(h, handle, area, n + 4);
}

UNIT_TEST(tpm_auth_password_session_errors)
{
	struct tpmh h;
	uint8_t s[600];
	uint8_t big[80];
	size_t n;
	static const struct {
		uint8_t attrs;
		size_t nonce;
		tpm_rc rc;
	} cases[] = {
		/* libtpms answers, byte for byte */
		{CONT, 1, 0x98F},			 /* nonce: NONCE+S1 */
		{CONT | TPMA_SESSION_DECRYPT, 1, 0x982}, /* attributes before the nonce */
		{CONT | TPMA_SESSION_DECRYPT, 0, 0x982},
		{CONT | TPMA_SESSION_ENCRYPT, 0, 0x982},
		{CONT | TPMA_SESSION_AUDIT, 0, 0x982},
		{CONT | TPMA_SESSION_AUDITEXCLUSIVE, 0, 0x982},
		{CONT | TPMA_SESSION_AUDITRESET, 0, 0x982},
		{CONT | 0x08, 0, 0x9A1}, /* reserved bits: RESERVED_BITS+S1 */
		{CONT | 0x10, 0, 0x9A1},
		{CONT | 0x08, 1, 0x9A1},
		{CONT, 65, 0x995}, /* a nonce beyond 64 bytes: SIZE+S1 */
	};

	memset(big, 'n', sizeof(big));
	tpmh_init(&h);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = sess_bytes(s, TPM_RS_PW, big, cases[i].nonce, cases[i].attrs, NULL, 0);
		EXPECTF(hca_sessions(&h, TPM_RH_OWNER, s, n) == cases[i].rc, "case %u", i);
	}
	/* a password beyond 64 bytes: SIZE+S1 */
	n = sess_bytes(s, TPM_RS_PW, NULL, 0, CONT, big, 65);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x995);
	/* continueSession clear: the response sets it anyway (libtpms) */
	n = sess_bytes(s, TPM_RS_PW, NULL, 0, 0, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.rsp_len, 19);
	EXPECT_EQ_U64(h.rsp[16], CONT);
	/* two password sessions for one handle: the second authorizes nothing (HANDLE+S2) */
	n = sess_bytes(s, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	n += sess_bytes(s + n, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0xA8B);
	/* four sessions: SIZE+S4 */
	n = 0;
	for (unsigned i = 0; i < 4; i++)
		n += sess_bytes(s + n, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0xC95);
	/* bad passwords: BAD_AUTH for DA-exempt hierarchies, AUTH_FAIL for lockout */
	n = sess_bytes(s, TPM_RS_PW, NULL, 0, CONT, "wrong", 5);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x9A2);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_ENDORSEMENT, s, n), 0x9A2);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0x9A2);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_LOCKOUT, s, n), 0x98E);
	n = sess_bytes(s, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_LOCKOUT, s, n), 0x921);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_auth_area_errors)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t s[200];
	uint8_t area[64];
	size_t n;

	tpmh_init(&h);
	/* session handles: unloaded (REFERENCE_S0+n), not a session (VALUE+Sn) */
	n = sess_bytes(s, 0x02000005, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x918);
	n = sess_bytes(s, 0x03000005, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x918);
	n = sess_bytes(s, 0x80000000, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x984);
	n = sess_bytes(s, TPM_RH_OWNER, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x984);
	n = sess_bytes(s, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	n += sess_bytes(s + n, 0x02000007, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_OWNER, s, n), 0x919);

	/* authorizationSize (libtpms: SIZE unnumbered; a short session: INSUFFICIENT+Sn) */
	n = sess_bytes(area + 4, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	put_be32(area, 0);
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4), TPM_RC_SIZE);
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4 + n), TPM_RC_SIZE);
	put_be32(area, 8);
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4 + n), TPM_RC_SIZE);
	put_be32(area, 200);
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4 + n), TPM_RC_SIZE);
	put_be32(area, 10); /* one byte of newAuth becomes a second session */
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4 + n), 0xA9A);
	put_be32(area, 9);
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4 + n), TPM_RC_SUCCESS);
	/* a session whose HMAC runs past authorizationSize */
	n = sess_bytes(area + 4, TPM_RS_PW, NULL, 0, CONT, "abc", 3);
	put_be32(area, (uint32_t)n - 2);
	EXPECT_EQ_U64(hca_raw(&h, TPM_RH_OWNER, area, 4 + n), 0x99A);
	/* no authorizationSize at all */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetRandom);
	tpmh_u16(&c, 8);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_INSUFFICIENT);

	/* tags and commands */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HierarchyChangeAuth);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_2b(&c, NULL, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetRandom);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 8);
	EXPECT_EQ_U64(tpmh_send(&h, &c), 0x98B);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Shutdown);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, TPM_SU_CLEAR);
	EXPECT_EQ_U64(tpmh_send(&h, &c), 0x98B);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, s, 16);
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_HMAC);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	EXPECT_EQ_U64(tpmh_send(&h, &c), 0x98B);
	/* commands that take no sessions at all: AUTH_CONTEXT */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_FlushContext);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, 0x02000000);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_CONTEXT);
	tpmh_restart(&h, 0xFFFF);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Startup);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, TPM_SU_CLEAR);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_CONTEXT);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_auth_hmac_session_area_errors)
{
	struct tpmh h;
	struct tsess s1;
	struct tsess s2;
	uint8_t s[300];
	uint8_t big[80];
	size_t n;

	memset(big, 'z', sizeof(big));
	tpmh_init(&h);
	ASSERT(start_session(&h, &s1, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
	ASSERT(start_session(&h, &s2, TPM_RH_NULL, NULL) == TPM_RC_SUCCESS);
	/* the same session twice: HANDLE+S2 */
	n = sess_bytes(s, s1.handle, s1.nonce_caller, 32, CONT, NULL, 0);
	n += sess_bytes(s + n, s1.handle, s1.nonce_caller, 32, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0xA8B);
	/* a second session that authorizes nothing and neither audits nor encrypts */
	n = sess_bytes(s, s1.handle, s1.nonce_caller, 32, CONT, NULL, 0);
	n += sess_bytes(s + n, s2.handle, s2.nonce_caller, 32, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0xA82);
	n = sess_bytes(s, s1.handle, s1.nonce_caller, 32, CONT, NULL, 0);
	n += sess_bytes(s + n, TPM_RS_PW, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0xA8B);
	/* reserved bits, decrypt without a symmetric algorithm, sizes */
	n = sess_bytes(s, s1.handle, s1.nonce_caller, 32, CONT | 0x08, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0x9A1);
	n = sess_bytes(s, s1.handle, s1.nonce_caller, 32, CONT | TPMA_SESSION_DECRYPT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0x996);
	n = sess_bytes(s, s1.handle, big, 65, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0x995);
	n = sess_bytes(s, s1.handle, NULL, 0, CONT, big, 65);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), 0x995);
	/* any nonceCaller size up to 64 is accepted in a command, even 0 (empty key, empty HMAC) */
	n = sess_bytes(s, s1.handle, big, 8, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), TPM_RC_SUCCESS);
	n = sess_bytes(s, s1.handle, NULL, 0, CONT, NULL, 0);
	EXPECT_EQ_U64(hca_sessions(&h, TPM_RH_PLATFORM, s, n), TPM_RC_SUCCESS);
	/* a session on a command without authorized handles: ATTRIBUTES+S1 */
	{
		struct tpmh_cmd c;
		size_t m;

		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_GetRandom);
		m = tpm_put_size32_begin(&c.w);
		tpmh_bytes(&c, s, sess_bytes(s, s1.handle, s1.nonce_caller, 32, CONT, NULL, 0));
		tpm_put_size32_end(&c.w, m);
		tpmh_u16(&c, 8);
		EXPECT_EQ_U64(tpmh_send(&h, &c), 0x982);
	}
	tpmh_destroy(&h);
}
