// SPDX-License-Identifier: MIT
/*
 * Ordinary objects and their lifetimes: Create, Load, CreateLoaded, ObjectChangeAuth (the
 * protected private area and its binding checks), Import of an inner-wrapped duplicate,
 * ContextSave/ContextLoad of objects and sessions, and persistent objects (EvictControl, the
 * NV record, Clear).
 */
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/sha256.h>

#include "../../tpm/internal.h"
#include "../../tpm/object.h"
#include "tpm_harness.h"
#include "tpm_templates.h"
#include "unit.h"

static const struct spec STORAGE_ECC = {.type = TPM_ALG_ECC,
					.name_alg = TPM_ALG_SHA256,
					.attrs = OA_STORAGE | OA_NODA,
					.sym = TPM_ALG_AES,
					.sym_bits = 128,
					.sym_mode = TPM_ALG_CFB,
					.scheme = TPM_ALG_NULL,
					.curve = TPM_ECC_NIST_P256,
					.kdf = TPM_ALG_NULL};
static const struct spec SEAL = {.type = TPM_ALG_KEYEDHASH,
				 .name_alg = TPM_ALG_SHA256,
				 .attrs = OA_SEAL,
				 .scheme = TPM_ALG_NULL};
static const struct spec SIGN_ECC = {.type = TPM_ALG_ECC,
				     .name_alg = TPM_ALG_SHA256,
				     .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					      OA_SIGN,
				     .sym = TPM_ALG_NULL,
				     .scheme = TPM_ALG_ECDSA,
				     .scheme_hash = TPM_ALG_SHA256,
				     .curve = TPM_ECC_NIST_P256,
				     .kdf = TPM_ALG_NULL};
static const struct spec DECRYPT_RSA = {.type = TPM_ALG_RSA,
					.name_alg = TPM_ALG_SHA256,
					.attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
						 OA_DECRYPT,
					.sym = TPM_ALG_NULL,
					.scheme = TPM_ALG_NULL,
					.bits = 2048};
static const struct spec AES_KEY = {.type = TPM_ALG_SYMCIPHER,
				    .name_alg = TPM_ALG_SHA256,
				    .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					     OA_DECRYPT | OA_SIGN,
				    .sym = TPM_ALG_AES,
				    .sym_bits = 128,
				    .sym_mode = TPM_ALG_CFB};

/* ---- command helpers ------------------------------------------------------------------------ */

static void sensitive_create(struct tpmh_cmd *c, const char *auth, const void *data, size_t dn)
{
	size_t m = tpm_put_size16_begin(&c->w);

	tpmh_2b(c, auth, auth != NULL ? strlen(auth) : 0);
	tpmh_2b(c, data, dn);
	tpm_put_size16_end(&c->w, m);
}

static uint32_t primary(struct tpmh *h, uint32_t hier, const struct spec *s)
{
	static const uint8_t no_pcrs[4];
	struct tpl t = tpl_build(s);
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tpmh_u32(&c, hier);
	tpmh_pw(&c, "", 0);
	sensitive_create(&c, NULL, NULL, 0);
	tpmh_2b(&c, t.b, t.n);
	tpmh_2b(&c, NULL, 0);
	tpmh_bytes(&c, no_pcrs, sizeof(no_pcrs));
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	return tpmh_rsp_handle(h);
}

/* Create's outputs we keep: outPrivate and outPublic (as TPM2B contents). */
struct blob {
	uint8_t priv[TPM_PRIVATE_MAX];
	uint16_t priv_size;
	uint8_t pub[TPM_PUBLIC_MAX];
	uint16_t pub_size;
};

static tpm_rc create_tpl(struct tpmh *h, uint32_t parent, const uint8_t *tmpl, size_t tn,
			 const char *auth, const void *data, size_t dn, struct blob *out)
{
	static const uint8_t no_pcrs[4];
	struct tpmh_cmd c;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Create);
	tpmh_u32(&c, parent);
	tpmh_pw(&c, "", 0);
	sensitive_create(&c, auth, data, dn);
	tpmh_2b(&c, tmpl, tn);
	tpmh_2b(&c, NULL, 0);
	tpmh_bytes(&c, no_pcrs, sizeof(no_pcrs));
	rc = tpmh_send(h, &c);
	if (rc == TPM_RC_SUCCESS && out != NULL) {
		struct tpm_rd r = tpmh_params(h, false);

		ASSERT(tpm_get_2b(&r, out->priv, sizeof(out->priv), &out->priv_size) == 0);
		ASSERT(tpm_get_2b(&r, out->pub, sizeof(out->pub), &out->pub_size) == 0);
	}
	return rc;
}

static tpm_rc create(struct tpmh *h, uint32_t parent, const struct spec *s, const char *auth,
		     const void *data, size_t dn, struct blob *out)
{
	struct tpl t = tpl_build(s);

	return create_tpl(h, parent, t.b, t.n, auth, data, dn, out);
}

static tpm_rc load_raw(struct tpmh *h, uint32_t parent, const void *priv, size_t pn,
		       const void *pub, size_t un)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Load);
	tpmh_u32(&c, parent);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, priv, pn);
	tpmh_2b(&c, pub, un);
	return tpmh_send(h, &c);
}

static uint32_t load(struct tpmh *h, uint32_t parent, const struct blob *b)
{
	ASSERT(load_raw(h, parent, b->priv, b->priv_size, b->pub, b->pub_size) == TPM_RC_SUCCESS);
	return tpmh_rsp_handle(h);
}

static tpm_rc unseal(struct tpmh *h, uint32_t handle, const char *pw, uint8_t *out, uint16_t *n)
{
	struct tpmh_cmd c;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tpmh_u32(&c, handle);
	tpmh_pw(&c, pw, strlen(pw));
	rc = tpmh_send(h, &c);
	if (rc == TPM_RC_SUCCESS) {
		struct tpm_rd r = tpmh_params(h, false);

		ASSERT(tpm_get_2b(&r, out, 128, n) == TPM_RC_SUCCESS);
	}
	return rc;
}

static void expect_unseals(struct tpmh *h, uint32_t handle, const char *pw, const char *want)
{
	uint8_t got[128];
	uint16_t n = 0;

	ASSERT(unseal(h, handle, pw, got, &n) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(n, strlen(want));
	EXPECT_MEM_EQ(got, want, strlen(want));
}

static tpm_rc flush(struct tpmh *h, uint32_t handle)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, handle);
	return tpmh_send(h, &c);
}

/* Name from ReadPublic, and its independent recomputation from the public area. */
static void read_name(struct tpmh *h, uint32_t handle, uint8_t *name, uint16_t *n)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint8_t pub[TPM_PUBLIC_MAX];
	uint16_t pn = 0;
	uint8_t want[34];

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
	tpmh_u32(&c, handle);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(h, false);
	ASSERT(tpm_get_2b(&r, pub, sizeof(pub), &pn) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, name, 66, n) == TPM_RC_SUCCESS);
	want[0] = 0x00;
	want[1] = 0x0B;
	mbedtls_sha256_ret(pub, pn, want + 2, 0);
	EXPECT_EQ_U64(*n, 34);
	EXPECT_MEM_EQ(name, want, 34);
}

/* ---- Create / Load -------------------------------------------------------------------------- */

UNIT_TEST(tpm_keys_create_load_unseal)
{
	struct tpmh h;
	struct blob b;
	uint32_t parent, obj;
	uint8_t name[66], want[34];
	uint16_t n = 0;
	struct tpm_rd r;
	uint8_t got[64];
	uint16_t gn = 0;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	ASSERT(create(&h, parent, &SEAL, "pw", "disk key", 8, &b) == TPM_RC_SUCCESS);
	obj = load(&h, parent, &b);
	/* Load answers the Name: nameAlg || SHA-256(outPublic) */
	r = tpmh_params(&h, true);
	ASSERT(tpm_get_2b(&r, name, sizeof(name), &n) == TPM_RC_SUCCESS);
	want[0] = 0x00;
	want[1] = 0x0B;
	mbedtls_sha256_ret(b.pub, b.pub_size, want + 2, 0);
	EXPECT_EQ_U64(n, 34);
	EXPECT_MEM_EQ(name, want, 34);
	read_name(&h, obj, name, &n);
	expect_unseals(&h, obj, "pw", "disk key");
	EXPECT_EQ_U64(unseal(&h, obj, "nope", got, &gn), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	/* Loaded twice: two handles, one Name. */
	ASSERT(flush(&h, obj) == TPM_RC_SUCCESS);
	obj = load(&h, parent, &b);
	expect_unseals(&h, obj, "pw", "disk key");
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_keys_every_type_under_both_parents)
{
	const struct spec *kinds[] = {&SEAL, &SIGN_ECC, &AES_KEY, &STORAGE_ECC};
	struct tpmh h;
	struct blob b;
	uint32_t parents[2];
	uint8_t name[66];
	uint16_t n;

	tpmh_init(&h);
	parents[0] = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	parents[1] = primary(&h, TPM_RH_ENDORSEMENT, &STORAGE_ECC);
	for (unsigned p = 0; p < 2; p++) {
		for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			uint32_t obj;

			ASSERT(create(&h, parents[p], kinds[k], NULL,
				      kinds[k] == &SEAL ? "x" : NULL, kinds[k] == &SEAL,
				      &b) == TPM_RC_SUCCESS);
			obj = load(&h, parents[p], &b);
			read_name(&h, obj, name, &n);
			ASSERT(flush(&h, obj) == TPM_RC_SUCCESS);
		}
	}
	/* one RSA child (slow under ASan: a prime search), and a grandchild under a child */
	ASSERT(create(&h, parents[0], &DECRYPT_RSA, NULL, NULL, 0, &b) == TPM_RC_SUCCESS);
	ASSERT(flush(&h, load(&h, parents[0], &b)) == TPM_RC_SUCCESS);
	ASSERT(create(&h, parents[0], &STORAGE_ECC, NULL, NULL, 0, &b) == TPM_RC_SUCCESS);
	{
		uint32_t child = load(&h, parents[0], &b);
		uint32_t grandchild;

		ASSERT(create(&h, child, &SEAL, "g", "deep", 4, &b) == TPM_RC_SUCCESS);
		grandchild = load(&h, child, &b);
		expect_unseals(&h, grandchild, "g", "deep");
		/* the other parent cannot open it: another seed, another HMAC key */
		EXPECT_EQ_U64(load_raw(&h, parents[1], b.priv, b.priv_size, b.pub, b.pub_size),
			      TPM_RCP(TPM_RC_INTEGRITY, 1));
	}
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_keys_load_refuses_bad_private_areas)
{
	struct tpmh h;
	struct blob b, other;
	uint32_t parent, sealed;
	uint8_t buf[TPM_PRIVATE_MAX];
	unsigned objects_before;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	ASSERT(create(&h, parent, &SEAL, "pw", "secret", 6, &b) == TPM_RC_SUCCESS);
	ASSERT(create(&h, parent, &SEAL, "pw", "other", 5, &other) == TPM_RC_SUCCESS);
	objects_before = 0;
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		objects_before += h.tpm->objects[i].kind != TPM_OBJ_FREE;

	/* every single-byte change of the private area: the HMAC catches it */
	for (unsigned i = 0; i < b.priv_size; i++) {
		memcpy(buf, b.priv, b.priv_size);
		buf[i] ^= 0x01;
		EXPECTF(load_raw(&h, parent, buf, b.priv_size, b.pub, b.pub_size) ==
				(TPM_RCP(TPM_RC_INTEGRITY, 1)),
			"byte %u", i);
	}
	/* truncated, empty, one private with another public */
	EXPECT_EQ_U64(load_raw(&h, parent, b.priv, b.priv_size - 1, b.pub, b.pub_size),
		      TPM_RCP(TPM_RC_INTEGRITY, 1));
	EXPECT_EQ_U64(load_raw(&h, parent, b.priv, 4, b.pub, b.pub_size),
		      TPM_RCP(TPM_RC_INTEGRITY, 1));
	EXPECT_EQ_U64(load_raw(&h, parent, NULL, 0, b.pub, b.pub_size), TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(load_raw(&h, parent, b.priv, b.priv_size, other.pub, other.pub_size),
		      TPM_RCP(TPM_RC_INTEGRITY, 1));
	/* a public area that does not decode, or fails the template checks */
	EXPECT_EQ_U64(load_raw(&h, parent, b.priv, b.priv_size, b.pub, 3) & 0xFFFu,
		      TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	/* the parent must be a storage key */
	ASSERT(create(&h, parent, &SEAL, NULL, "s", 1, &other) == TPM_RC_SUCCESS);
	sealed = load(&h, parent, &other);
	EXPECT_EQ_U64(load_raw(&h, sealed, b.priv, b.priv_size, b.pub, b.pub_size),
		      TPM_RCH(TPM_RC_TYPE, 1));
	EXPECT_EQ_U64(create(&h, sealed, &SEAL, NULL, "x", 1, NULL), TPM_RCH(TPM_RC_TYPE, 1));
	ASSERT(flush(&h, sealed) == TPM_RC_SUCCESS);
	/* nothing was loaded by any refusal */
	{
		unsigned after = 0;

		for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
			after += h.tpm->objects[i].kind != TPM_OBJ_FREE;
		EXPECT_EQ_U64(after, objects_before);
	}
	tpmh_destroy(&h);
}

/* A private area that is authentic (wrapped with the right parent) but does not belong to its
 * public area: Load checks the binding. */
UNIT_TEST(tpm_keys_load_checks_the_binding)
{
	const struct spec *kinds[] = {&SEAL, &SIGN_ECC};
	struct tpmh h;
	uint32_t parent;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	for (unsigned k = 0; k < 2; k++) {
		struct blob b;
		struct tpm_object o;
		struct tpm_rd r;
		struct tpm_wr w;
		const uint8_t *raw = NULL;
		uint16_t raw_size = 0;
		uint8_t priv[TPM_PRIVATE_MAX + 2];
		const struct tpm_key *pk = tpm_object_key(h.tpm, parent);

		ASSERT(create(&h, parent, kinds[k], NULL, k == 0 ? "abc" : NULL, k == 0 ? 3 : 0,
			      &b) == TPM_RC_SUCCESS);
		memset(&o, 0, sizeof(o));
		r = tpm_rd_init(b.pub, b.pub_size);
		ASSERT(tpm_public_get(&r, &o.key.pub, false) == TPM_RC_SUCCESS);
		(void)raw;
		(void)raw_size;
		ASSERT(tpm_public_name(&o.key.pub, o.key.name, &o.key.name_size));
		o.key.seed_size = k == 0 ? 32 : 0;
		o.key.sens_size = k == 0 ? 3 : 32;
		memset(o.key.sens, 0x42, o.key.sens_size);
		w = tpm_wr_init(priv, sizeof(priv));
		ASSERT(tpm_private_wrap(pk, &o, &w));
		EXPECT_EQ_U64(load_raw(&h, parent, priv + 2, w.len - 2, b.pub, b.pub_size),
			      TPM_RCP(TPM_RC_BINDING, 2));
		/* a sensitive area of another type */
		o.key.pub.type = k == 0 ? TPM_ALG_ECC : TPM_ALG_KEYEDHASH;
		w = tpm_wr_init(priv, sizeof(priv));
		ASSERT(tpm_private_wrap(pk, &o, &w));
		EXPECT_EQ_U64(load_raw(&h, parent, priv + 2, w.len - 2, b.pub, b.pub_size),
			      TPM_RCP(TPM_RC_TYPE, 1));
	}
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_keys_object_change_auth_and_create_loaded)
{
	struct tpmh h;
	struct blob b, nb;
	uint32_t parent, obj, h2;
	struct tpmh_cmd c;
	struct tpl t = tpl_build(&SEAL);
	struct tpm_rd r;
	size_t m;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	ASSERT(create(&h, parent, &SEAL, "old", "data", 4, &b) == TPM_RC_SUCCESS);
	obj = load(&h, parent, &b);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_ObjectChangeAuth);
	tpmh_u32(&c, obj);
	tpmh_u32(&c, parent);
	tpmh_pw(&c, "old", 3);
	tpmh_2b(&c, "new", 3);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	ASSERT(tpm_get_2b(&r, nb.priv, sizeof(nb.priv), &nb.priv_size) == TPM_RC_SUCCESS);
	memcpy(nb.pub, b.pub, b.pub_size);
	nb.pub_size = b.pub_size;
	expect_unseals(&h, obj, "old", "data"); /* the loaded object keeps its authValue */
	h2 = load(&h, parent, &nb);
	expect_unseals(&h, h2, "new", "data");
	/* the parent handle must be the object's parent */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_ObjectChangeAuth);
	tpmh_u32(&c, obj);
	tpmh_u32(&c, obj);
	tpmh_pw(&c, "old", 3);
	tpmh_2b(&c, "new", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_TYPE, 2));

	/* CreateLoaded: under a storage parent and under a hierarchy (a primary, no private) */
	for (unsigned i = 0; i < 2; i++) {
		uint16_t pn = 0;
		uint8_t priv[TPM_PRIVATE_MAX];

		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreateLoaded);
		tpmh_u32(&c, i == 0 ? parent : TPM_RH_OWNER);
		tpmh_pw(&c, "", 0);
		m = tpm_put_size16_begin(&c.w);
		tpmh_2b(&c, "cl", 2);
		tpmh_2b(&c, "payload", 7);
		tpm_put_size16_end(&c.w, m);
		tpmh_2b(&c, t.b, t.n);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		obj = tpmh_rsp_handle(&h);
		r = tpmh_params(&h, true);
		ASSERT(tpm_get_2b(&r, priv, sizeof(priv), &pn) == TPM_RC_SUCCESS);
		EXPECT(i == 0 ? pn > 0 : pn == 0);
		expect_unseals(&h, obj, "cl", "payload");
		ASSERT(flush(&h, obj) == TPM_RC_SUCCESS);
	}
	tpmh_destroy(&h);
}

/* ---- contexts ------------------------------------------------------------------------------- */

struct ctx {
	uint8_t b[TPM_CONTEXT_MAX];
	size_t n;
};

static tpm_rc context_save(struct tpmh *h, uint32_t handle, struct ctx *out)
{
	struct tpmh_cmd c;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
	tpmh_u32(&c, handle);
	rc = tpmh_send(h, &c);
	if (rc == TPM_RC_SUCCESS) {
		struct tpm_rd r = tpmh_params(h, false);

		ASSERT(r.left <= sizeof(out->b));
		memcpy(out->b, r.p, r.left);
		out->n = r.left;
	}
	return rc;
}

static tpm_rc context_load(struct tpmh *h, const struct ctx *in)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
	tpmh_bytes(&c, in->b, in->n);
	return tpmh_send(h, &c);
}

UNIT_TEST(tpm_keys_object_contexts)
{
	struct tpmh h;
	struct ctx ctx, bad;
	struct blob b;
	uint32_t parent, obj, nul;
	uint8_t name1[66], name2[66];
	uint16_t n1 = 0, n2 = 0;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	ASSERT(create(&h, parent, &SEAL, "pw", "in a context", 12, &b) == TPM_RC_SUCCESS);
	obj = load(&h, parent, &b);
	read_name(&h, obj, name1, &n1);
	ASSERT(context_save(&h, obj, &ctx) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(tpm_ld32(ctx.b + 8), 0x80000000u);   /* savedHandle */
	EXPECT_EQ_U64(tpm_ld32(ctx.b + 12), TPM_RH_OWNER); /* hierarchy */
	ASSERT(flush(&h, obj) == TPM_RC_SUCCESS);
	ASSERT(context_load(&h, &ctx) == TPM_RC_SUCCESS);
	obj = tpmh_rsp_handle(&h);
	read_name(&h, obj, name2, &n2);
	EXPECT_MEM_EQ(name1, name2, 34);
	expect_unseals(&h, obj, "pw", "in a context");
	/* objects may be loaded from one context many times */
	ASSERT(context_load(&h, &ctx) == TPM_RC_SUCCESS);
	ASSERT(flush(&h, tpmh_rsp_handle(&h)) == TPM_RC_SUCCESS);

	/* any change to the blob or the header it is bound to */
	for (size_t i = 0; i < ctx.n; i++) {
		tpm_rc want = TPM_RCP(TPM_RC_INTEGRITY, 1);
		tpm_rc rc;

		if (i >= 16 && i < 18)
			continue; /* the blob's size field: another framing error, below */
		bad = ctx;
		bad.b[i] ^= 0x04;
		rc = context_load(&h, &bad);
		if (i >= 8 && i < 16)
			EXPECTF(rc == want || rc == (TPM_RCP(TPM_RC_VALUE, 1)), "byte %zu",
				i); /* savedHandle/hierarchy: not a saved handle or hierarchy */
		else
			EXPECTF(rc == want, "byte %zu: %#x", i, rc);
	}
	bad = ctx;
	bad.n -= 1;
	tpm_be16(bad.b + 16, (uint16_t)(tpm_ld16(bad.b + 16) - 1));
	EXPECT_EQ_U64(context_load(&h, &bad), TPM_RCP(TPM_RC_INTEGRITY, 1));
	bad = ctx;
	tpm_be32(bad.b + 8, 0x80000005u);
	EXPECT_EQ_U64(context_load(&h, &bad), TPM_RCP(TPM_RC_VALUE, 1));
	bad = ctx;
	tpm_be32(bad.b + 12, TPM_RH_LOCKOUT);
	EXPECT_EQ_U64(context_load(&h, &bad), TPM_RCP(TPM_RC_VALUE, 1));

	/* A TPM Resume keeps object contexts, a TPM Reset voids them all (the reference mixes
	 * totalResetCount into every context); an stClear object's dies at any Startup. */
	nul = primary(&h, TPM_RH_NULL, &STORAGE_ECC);
	ASSERT(context_save(&h, nul, &bad) == TPM_RC_SUCCESS);
	{
		struct tpmh_cmd c;

		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
		tpmh_u16(&c, TPM_SU_STATE);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	}
	tpmh_restart(&h, TPM_SU_STATE);
	ASSERT(context_load(&h, &ctx) == TPM_RC_SUCCESS);
	ASSERT(context_load(&h, &bad) == TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(context_load(&h, &ctx), TPM_RCP(TPM_RC_INTEGRITY, 1));
	EXPECT_EQ_U64(context_load(&h, &bad), TPM_RCP(TPM_RC_INTEGRITY, 1));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_keys_session_contexts)
{
	struct tpmh h;
	struct ctx first, second;
	struct tpmh_cmd c;
	uint32_t s, s2;
	static const uint8_t nonce[16] = {1};

	tpmh_init(&h);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_2b(&c, nonce, sizeof(nonce));
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_HMAC);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	s = tpmh_rsp_handle(&h);
	ASSERT(context_save(&h, s, &first) == TPM_RC_SUCCESS);
	EXPECT(tpm_session_find(h.tpm, s) == NULL);
	EXPECT(tpm_session_saved(h.tpm, s));
	/* a new session does not take the saved one's handle */
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	s2 = tpmh_rsp_handle(&h);
	EXPECT(s2 != s);
	ASSERT(flush(&h, s2) == TPM_RC_SUCCESS);
	/* load, save again: only the latest context loads, and only once */
	ASSERT(context_load(&h, &first) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(tpmh_rsp_handle(&h), s);
	EXPECT(tpm_session_find(h.tpm, s) != NULL);
	ASSERT(context_save(&h, s, &second) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(context_load(&h, &first), TPM_RCP(TPM_RC_HANDLE, 1));
	ASSERT(context_load(&h, &second) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(context_load(&h, &second), TPM_RCP(TPM_RC_HANDLE, 1));
	/* a flushed saved session is gone */
	ASSERT(context_save(&h, s, &second) == TPM_RC_SUCCESS);
	ASSERT(flush(&h, s) == TPM_RC_SUCCESS);
	EXPECT(!tpm_session_saved(h.tpm, s));
	EXPECT_EQ_U64(context_load(&h, &second), TPM_RCP(TPM_RC_HANDLE, 1));
	/* saved sessions die at Startup (even a Resume: stricter than the spec) */
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	ASSERT(context_save(&h, tpmh_rsp_handle(&h), &second) == TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(context_load(&h, &second), TPM_RCP(TPM_RC_INTEGRITY, 1));
	tpmh_destroy(&h);
}

/* ---- persistent objects --------------------------------------------------------------------- */

static tpm_rc evict(struct tpmh *h, uint32_t auth, uint32_t obj, uint32_t persistent)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
	tpmh_u32(&c, auth);
	tpmh_u32(&c, obj);
	tpmh_pw(&c, "", 0);
	tpmh_u32(&c, persistent);
	return tpmh_send(h, &c);
}

UNIT_TEST(tpm_keys_persistent_objects)
{
	struct tpmh h;
	struct blob b;
	uint32_t parent, obj, nul;
	uint8_t name1[66], name2[66];
	uint16_t n1 = 0, n2 = 0;
	unsigned commits;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	read_name(&h, parent, name1, &n1);
	ASSERT(evict(&h, TPM_RH_OWNER, parent, 0x81000001u) == TPM_RC_SUCCESS);
	ASSERT(flush(&h, parent) == TPM_RC_SUCCESS);
	read_name(&h, 0x81000001u, name2, &n2);
	EXPECT_MEM_EQ(name1, name2, 34);
	/* used as a parent, across power cycles */
	ASSERT(create(&h, 0x81000001u, &SEAL, "pw", "persisted", 9, &b) == TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	obj = load(&h, 0x81000001u, &b);
	expect_unseals(&h, obj, "pw", "persisted");

	/* refusals */
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, obj, 0x81000001u), TPM_RC_NV_DEFINED);
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, obj, 0x81800000u), TPM_RCP(TPM_RC_RANGE, 1));
	EXPECT_EQ_U64(evict(&h, TPM_RH_PLATFORM, obj, 0x81000002u), TPM_RCP(TPM_RC_RANGE, 1));
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, obj, 0x80000002u), TPM_RCP(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, 0x81000001u, 0x81000002u), TPM_RCP(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, 0x81000009u, 0x81000009u), TPM_RCH(TPM_RC_HANDLE, 2));
	nul = primary(&h, TPM_RH_NULL, &STORAGE_ECC);
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, nul, 0x81000003u), TPM_RCH(TPM_RC_HIERARCHY, 2));
	/* a failed commit persists nothing */
	commits = h.mp.commits;
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, obj, 0x81000002u), TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(h.mp.commits, commits);
	EXPECT(tpm_object_find(h.tpm, 0x81000002u) == NULL);
	/* fill every slot, then one more */
	for (unsigned i = 1; i < TPM_MAX_PERSISTENT; i++)
		ASSERT(evict(&h, TPM_RH_OWNER, obj, 0x81000010u + i) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(evict(&h, TPM_RH_OWNER, obj, 0x81000020u), TPM_RC_NV_SPACE);
	EXPECT_EQ_U64(tpm_persistent_count(h.tpm), TPM_MAX_PERSISTENT);
	/* remove one; a platform handle is the platform's */
	ASSERT(evict(&h, TPM_RH_OWNER, 0x81000011u, 0x81000011u) == TPM_RC_SUCCESS);
	EXPECT(tpm_object_find(h.tpm, 0x81000011u) == NULL);
	/* a disabled hierarchy hides its persistent objects */
	h.tpm->sh_enable = false;
	EXPECT(tpm_object_find(h.tpm, 0x81000001u) == NULL);
	h.tpm->sh_enable = true;
	/* Clear removes the owner's */
	{
		struct tpmh_cmd c;

		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Clear);
		tpmh_u32(&c, TPM_RH_LOCKOUT);
		tpmh_pw(&c, "", 0);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	}
	EXPECT_EQ_U64(tpm_persistent_count(h.tpm), 0);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(tpm_persistent_count(h.tpm), 0);
	tpmh_destroy(&h);
}

/* ---- Import ------------------------------------------------------------------------------ */

static tpm_rc import(struct tpmh *h, uint32_t parent, const uint8_t *enc_key, size_t ekn,
		     const uint8_t *pub, size_t pn, const uint8_t *dup, size_t dn, uint16_t sym,
		     uint16_t mode, uint8_t *priv, uint16_t *priv_n)
{
	struct tpmh_cmd c;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Import);
	tpmh_u32(&c, parent);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, enc_key, ekn);
	tpmh_2b(&c, pub, pn);
	tpmh_2b(&c, dup, dn);
	tpmh_2b(&c, NULL, 0); /* no inSymSeed: no outer wrap */
	tpmh_u16(&c, sym);
	if (sym != TPM_ALG_NULL) {
		tpmh_u16(&c, 128);
		tpmh_u16(&c, mode);
	}
	rc = tpmh_send(h, &c);
	if (rc == TPM_RC_SUCCESS && priv != NULL) {
		struct tpm_rd r = tpmh_params(h, false);

		ASSERT(tpm_get_2b(&r, priv, TPM_PRIVATE_MAX, priv_n) == TPM_RC_SUCCESS);
	}
	return rc;
}

/*
 * An inner-wrapped duplicate built here: AES-128-CFB(key, IV 0) over
 * TPM2B_DIGEST(SHA-256(TPM2B_SENSITIVE || Name)) || TPM2B_SENSITIVE; imported, loaded, unsealed.
 */
UNIT_TEST(tpm_keys_import_inner_wrap)
{
	static const uint8_t key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	static const char data[] = "imported secret";
	struct tpmh h;
	uint32_t parent, obj;
	uint8_t seed[32], unique[32], m[96], name[34], pub[128], sens[128], dup[256];
	uint8_t priv[TPM_PRIVATE_MAX];
	uint16_t priv_n = 0;
	size_t pn, sn, dn;
	struct tpm_wr w;
	uint8_t out[64];
	uint16_t on = 0;

	tpmh_init(&h);
	parent = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	/* the public area: sealed data, neither fixedTPM nor fixedParent, unique = H(seed||data) */
	memset(seed, 0x33, sizeof(seed));
	memcpy(m, seed, 32);
	memcpy(m + 32, data, sizeof(data) - 1);
	mbedtls_sha256_ret(m, 32 + sizeof(data) - 1, unique, 0);
	w = tpm_wr_init(pub, sizeof(pub));
	tpm_put_u16(&w, TPM_ALG_KEYEDHASH);
	tpm_put_u16(&w, TPM_ALG_SHA256);
	tpm_put_u32(&w, TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA);
	tpm_put_2b(&w, NULL, 0);
	tpm_put_u16(&w, TPM_ALG_NULL);
	tpm_put_2b(&w, unique, 32);
	pn = w.len;
	name[0] = 0;
	name[1] = 0x0B;
	mbedtls_sha256_ret(pub, pn, name + 2, 0);
	/* TPM2B_SENSITIVE */
	w = tpm_wr_init(sens, sizeof(sens));
	{
		size_t mk = tpm_put_size16_begin(&w);

		tpm_put_u16(&w, TPM_ALG_KEYEDHASH);
		tpm_put_2b(&w, "pw", 2);
		tpm_put_2b(&w, seed, 32);
		tpm_put_2b(&w, data, sizeof(data) - 1);
		tpm_put_size16_end(&w, mk);
	}
	sn = w.len;
	/* inner integrity, then encrypt */
	{
		mbedtls_sha256_context hc;
		mbedtls_aes_context aes;
		uint8_t iv[16] = {0};
		size_t off = 0;

		mbedtls_sha256_init(&hc);
		mbedtls_sha256_starts_ret(&hc, 0);
		mbedtls_sha256_update_ret(&hc, sens, sn);
		mbedtls_sha256_update_ret(&hc, name, 34);
		tpm_be16(dup, 32);
		mbedtls_sha256_finish_ret(&hc, dup + 2);
		mbedtls_sha256_free(&hc);
		memcpy(dup + 34, sens, sn);
		dn = 34 + sn;
		mbedtls_aes_init(&aes);
		mbedtls_aes_setkey_enc(&aes, key, 128);
		mbedtls_aes_crypt_cfb128(&aes, MBEDTLS_AES_ENCRYPT, dn, &off, iv, dup, dup);
		mbedtls_aes_free(&aes);
	}
	ASSERT(import(&h, parent, key, 16, pub, pn, dup, dn, TPM_ALG_AES, TPM_ALG_CFB, priv,
		      &priv_n) == TPM_RC_SUCCESS);
	obj = load_raw(&h, parent, priv, priv_n, pub, pn) == TPM_RC_SUCCESS ? tpmh_rsp_handle(&h)
									    : 0;
	ASSERT(obj != 0);
	ASSERT(unseal(&h, obj, "pw", out, &on) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(on, sizeof(data) - 1);
	EXPECT_MEM_EQ(out, data, on);

	/* refusals, in the reference's order */
	EXPECT_EQ_U64(
		import(&h, parent, key, 15, pub, pn, dup, dn, TPM_ALG_AES, TPM_ALG_CFB, NULL, NULL),
		TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(
		import(&h, parent, key, 16, pub, pn, dup, dn, TPM_ALG_AES, TPM_ALG_CBC, NULL, NULL),
		TPM_RCP(TPM_RC_MODE, 5));
	EXPECT_EQ_U64(import(&h, parent, key, 16, pub, pn, dup, dn, TPM_ALG_NULL, 0, NULL, NULL),
		      TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(import(&h, primary(&h, TPM_RH_OWNER, &SIGN_ECC), key, 16, pub, pn, dup, dn,
			     TPM_ALG_AES, TPM_ALG_CFB, NULL, NULL),
		      TPM_RCH(TPM_RC_TYPE, 1));
	for (size_t i = 0; i < dn; i += 7) {
		dup[i] ^= 1;
		EXPECTF(import(&h, parent, key, 16, pub, pn, dup, dn, TPM_ALG_AES, TPM_ALG_CFB,
			       NULL, NULL) == TPM_RCP(TPM_RC_INTEGRITY, 3),
			"byte %zu", i);
		dup[i] ^= 1;
	}
	pub[7] |= (uint8_t)TPMA_OBJECT_FIXEDTPM; /* attributes' low byte */
	EXPECT_EQ_U64(
		import(&h, parent, key, 16, pub, pn, dup, dn, TPM_ALG_AES, TPM_ALG_CFB, NULL, NULL),
		TPM_RCP(TPM_RC_ATTRIBUTES, 2));
	pub[7] &= (uint8_t)~TPMA_OBJECT_FIXEDTPM;
	pub[6] |= (uint8_t)(TPMA_OBJECT_ENCRYPTEDDUPLICATION >> 8);
	EXPECT_EQ_U64(import(&h, parent, NULL, 0, pub, pn, dup, dn, TPM_ALG_NULL, 0, NULL, NULL),
		      TPM_RCP(TPM_RC_SYMMETRIC, 5));
	tpmh_destroy(&h);
}

/*
 * Duplicate with an inner wrap whose key the TPM chooses, to TPM_RH_NULL (no outer wrap), and
 * Import of the result under another parent with that key (Import's inner unwrap was checked
 * against a duplicate built by this test above). DUP needs a policy session.
 */
static tpm_rc rewrap_pw(struct tpmh *h, const char *pw, uint32_t old_parent, uint32_t new_parent,
			const uint8_t *dup, size_t dn, const uint8_t *name, size_t nn,
			const uint8_t *seed, size_t sn, uint8_t *out, uint16_t *on,
			uint8_t *out_seed, size_t *osn);

static tpm_rc rewrap(struct tpmh *h, uint32_t old_parent, uint32_t new_parent, const uint8_t *dup,
		     size_t dn, const uint8_t *name, size_t nn, const uint8_t *seed, size_t sn,
		     uint8_t *out, uint16_t *on, uint8_t *out_seed, size_t *osn)
{
	return rewrap_pw(h, "", old_parent, new_parent, dup, dn, name, nn, seed, sn, out, on,
			 out_seed, osn);
}

static tpm_rc rewrap_pw(struct tpmh *h, const char *pw, uint32_t old_parent, uint32_t new_parent,
			const uint8_t *dup, size_t dn, const uint8_t *name, size_t nn,
			const uint8_t *seed, size_t sn, uint8_t *out, uint16_t *on,
			uint8_t *out_seed, size_t *osn)
{
	struct tpmh_cmd c;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Rewrap);
	tpmh_u32(&c, old_parent);
	tpmh_u32(&c, new_parent);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, dup, dn);
	tpmh_2b(&c, name, nn);
	if (seed != NULL)
		tpmh_bytes(&c, seed, sn); /* a TPM2B_ENCRYPTED_SECRET as Rewrap answered it */
	else
		tpmh_2b(&c, NULL, 0);
	rc = tpmh_send(h, &c);
	if (rc == TPM_RC_SUCCESS) {
		struct tpm_rd r = tpmh_params(h, false);
		uint16_t n = 0;

		ASSERT(tpm_get_2b(&r, out, TPM_PRIVATE_MAX, on) == TPM_RC_SUCCESS);
		/* outSymSeed kept with its size field, as Import takes it */
		ASSERT(r.left >= 2 && r.left <= 2u + TPM_MAX_RSA_BYTES);
		n = tpm_ld16(r.p);
		ASSERT(n + 2u == r.left);
		memcpy(out_seed, r.p, r.left);
		*osn = r.left;
	}
	return rc;
}

/*
 * Rewrap: an inner-wrapped duplicate without an outer wrap (dup) gets one for dst, Import
 * under dst takes it with the seed and the inner key, and Rewrap back to TPM_RH_NULL gives the
 * original bytes; a tampered blob or another Name is refused, and so are mismatched seeds and
 * non-storage parents.
 */
static void rewrap_checks(struct tpmh *h, uint32_t obj, uint32_t src, uint32_t dst,
			  const uint8_t *key, uint16_t kn, const struct blob *b, const uint8_t *dup,
			  uint16_t dn)
{
	const struct tpm_key *k = tpm_object_key(h->tpm, obj);
	uint8_t name[TPM_MAX_NAME], wrapped[TPM_PRIVATE_MAX], back[TPM_PRIVATE_MAX];
	uint8_t seed[2 + TPM_MAX_RSA_BYTES], seed2[2 + TPM_MAX_RSA_BYTES];
	uint8_t priv[TPM_PRIVATE_MAX], out[64];
	uint16_t wn = 0, bn = 0, pn = 0, on = 0, nn;
	size_t sn = 0, sn2 = 0;
	struct tpmh_cmd c;
	uint32_t copy;

	ASSERT(k != NULL);
	nn = k->name_size;
	memcpy(name, k->name, nn);
	ASSERT(rewrap(h, TPM_RH_NULL, dst, dup, dn, name, nn, NULL, 0, wrapped, &wn, seed, &sn) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(wn, dn + 34u); /* a SHA-256 integrity in front */
	EXPECT(sn > 2);
	/* Import under dst with the outer wrap (seed) and the inner key */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Import);
	tpmh_u32(&c, dst);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, key, kn);
	tpmh_2b(&c, b->pub, b->pub_size);
	tpmh_2b(&c, wrapped, wn);
	tpmh_bytes(&c, seed, sn);
	tpmh_u16(&c, TPM_ALG_AES);
	tpmh_u16(&c, 128);
	tpmh_u16(&c, TPM_ALG_CFB);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	{
		struct tpm_rd r = tpmh_params(h, false);

		ASSERT(tpm_get_2b(&r, priv, TPM_PRIVATE_MAX, &pn) == TPM_RC_SUCCESS);
	}
	ASSERT(load_raw(h, dst, priv, pn, b->pub, b->pub_size) == TPM_RC_SUCCESS);
	copy = tpmh_rsp_handle(h);
	ASSERT(unseal(h, copy, "pw", out, &on) == TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(out, "moving data", 11);
	/* and back: the outer wrap off, the original bytes */
	ASSERT(rewrap(h, dst, TPM_RH_NULL, wrapped, wn, name, nn, seed, sn, back, &bn, seed2,
		      &sn2) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(bn, dn);
	EXPECT_MEM_EQ(back, dup, dn);
	EXPECT_EQ_U64(sn2, 2); /* an empty outSymSeed */
	/* refusals */
	EXPECT_EQ_U64(
		rewrap(h, TPM_RH_NULL, dst, dup, dn, name, nn, seed, sn, back, &bn, seed2, &sn2),
		TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(rewrap(h, dst, dst, wrapped, wn, name, nn, NULL, 0, back, &bn, seed2, &sn2),
		      TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(rewrap_pw(h, "pw", copy, src, wrapped, wn, name, nn, seed, sn, back, &bn,
				seed2, &sn2),
		      TPM_RCH(TPM_RC_TYPE, 1));
	EXPECT_EQ_U64(rewrap(h, dst, copy, wrapped, wn, name, nn, seed, sn, back, &bn, seed2, &sn2),
		      TPM_RCH(TPM_RC_TYPE, 2));
	name[nn - 1] ^= 1;
	EXPECT_EQ_U64(rewrap(h, dst, src, wrapped, wn, name, nn, seed, sn, back, &bn, seed2, &sn2),
		      TPM_RCP(TPM_RC_INTEGRITY, 1));
	name[nn - 1] ^= 1;
	wrapped[wn - 1] ^= 1;
	EXPECT_EQ_U64(rewrap(h, dst, src, wrapped, wn, name, nn, seed, sn, back, &bn, seed2, &sn2),
		      TPM_RCP(TPM_RC_INTEGRITY, 1));
	wrapped[wn - 1] ^= 1;
	/* from dst to src: the wrap changes, the inside does not */
	ASSERT(rewrap(h, dst, src, wrapped, wn, name, nn, seed, sn, back, &bn, seed2, &sn2) ==
	       TPM_RC_SUCCESS);
	EXPECT_EQ_U64(bn, wn);
	EXPECT(memcmp(back, wrapped, wn) != 0);
	ASSERT(rewrap(h, src, TPM_RH_NULL, back, bn, name, nn, seed2, sn2, wrapped, &wn, seed,
		      &sn) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(wn, dn);
	EXPECT_MEM_EQ(wrapped, dup, dn);
}

UNIT_TEST(tpm_keys_duplicate_import_round_trip)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct blob b;
	struct tpm_rd r;
	uint32_t src, dst, obj, sess, copy;
	uint8_t pol[32], key[32], dup[TPM_PRIVATE_MAX], priv[TPM_PRIVATE_MAX], out[64];
	uint16_t kn = 0, dn = 0, pn = 0, on = 0, sn = 0;
	uint8_t m[36];
	struct tpl t = tpl_build(&SEAL);

	tpmh_init(&h);
	src = primary(&h, TPM_RH_OWNER, &STORAGE_ECC);
	dst = primary(&h, TPM_RH_ENDORSEMENT, &STORAGE_ECC);
	/* policy: PolicyCommandCode(Duplicate); a sealed object that may move */
	memset(m, 0, 32);
	tpm_be32(m + 32, TPM_CC_PolicyCommandCode);
	{
		uint8_t mm[40];

		memcpy(mm, m, 36);
		tpm_be32(mm + 36, TPM_CC_Duplicate);
		mbedtls_sha256_ret(mm, 40, pol, 0);
	}
	/* the SEAL template with the policy and without fixedTPM/fixedParent */
	{
		struct tpm_rd tr = tpm_rd_init(t.b, t.n);
		struct tpm_public p;
		struct tpm_wr w;

		ASSERT(tpm_public_get(&tr, &p, false) == TPM_RC_SUCCESS);
		p.attrs &= ~(TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT);
		p.policy_size = 32;
		memcpy(p.policy, pol, 32);
		w = tpm_wr_init(t.b, sizeof(t.b));
		tpm_public_put(&w, &p);
		t.n = w.len;
	}
	ASSERT(create_tpl(&h, src, t.b, t.n, "pw", "moving data", 11, &b) == TPM_RC_SUCCESS);
	obj = load(&h, src, &b);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_2b(&c, m, 16);
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_POLICY);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	sess = tpmh_rsp_handle(&h);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
	tpmh_u32(&c, sess);
	tpmh_u32(&c, TPM_CC_Duplicate);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	/* a password cannot authorize DUP */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Duplicate);
	tpmh_u32(&c, obj);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_pw(&c, "pw", 2);
	tpmh_2b(&c, NULL, 0);
	tpmh_u16(&c, TPM_ALG_AES);
	tpmh_u16(&c, 128);
	tpmh_u16(&c, TPM_ALG_CFB);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_TYPE);
	/* with the policy session (empty HMAC: no session key, no authValue in it) */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Duplicate);
	tpmh_u32(&c, obj);
	tpmh_u32(&c, TPM_RH_NULL);
	{
		size_t mk = tpm_put_size32_begin(&c.w);

		tpmh_u32(&c, sess);
		tpmh_2b(&c, NULL, 0);
		tpmh_u8(&c, TPMA_SESSION_CONTINUESESSION);
		tpmh_2b(&c, NULL, 0);
		tpm_put_size32_end(&c.w, mk);
	}
	tpmh_2b(&c, NULL, 0);
	tpmh_u16(&c, TPM_ALG_AES);
	tpmh_u16(&c, 128);
	tpmh_u16(&c, TPM_ALG_CFB);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(&h, false);
	ASSERT(tpm_get_2b(&r, key, sizeof(key), &kn) == 0 && kn == 16);
	ASSERT(tpm_get_2b(&r, dup, sizeof(dup), &dn) == 0 && dn > 34);
	ASSERT(tpm_get_2b(&r, out, sizeof(out), &sn) == 0 && sn == 0); /* no outer wrap */
	/* the inner wrap hides the data */
	for (size_t i = 0; i + 11 <= dn; i++)
		EXPECTF(memcmp(dup + i, "moving data", 11) != 0, "plain data at %zu", i);
	ASSERT(import(&h, dst, key, kn, b.pub, b.pub_size, dup, dn, TPM_ALG_AES, TPM_ALG_CFB, priv,
		      &pn) == TPM_RC_SUCCESS);
	ASSERT(load_raw(&h, dst, priv, pn, b.pub, b.pub_size) == TPM_RC_SUCCESS);
	copy = tpmh_rsp_handle(&h);
	ASSERT(unseal(&h, copy, "pw", out, &on) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(on, 11);
	EXPECT_MEM_EQ(out, "moving data", 11);
	/* the wrong inner key */
	key[0] ^= 1;
	EXPECT_EQ_U64(import(&h, dst, key, kn, b.pub, b.pub_size, dup, dn, TPM_ALG_AES, TPM_ALG_CFB,
			     NULL, NULL),
		      TPM_RCP(TPM_RC_INTEGRITY, 3));
	key[0] ^= 1;
	rewrap_checks(&h, obj, src, dst, key, kn, &b, dup, dn);
	tpmh_destroy(&h);
}
