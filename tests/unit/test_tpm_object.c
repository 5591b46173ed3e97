// SPDX-License-Identifier: MIT
/*
 * Objects: KDFa, CreatePrimary (derivation known answers, template checks, creation data),
 * ReadPublic, Unseal (password and HMAC sessions), FlushContext of objects, transient slots,
 * TestParms, and mbedTLS allocating through the engine's platform.
 *
 * The known answers of the derivation come from tests/tpm/primary_model.py, an independent
 * Python model of docs/tpm.md ("Primary keys"): `primary_model.py --check` compares them with
 * the values pinned here.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>

#include "../../tpm/internal.h"
#include "../../tpm/object.h"
#include "tpm_harness.h"
#include "tpm_templates.h"
#include "unit.h"

#define P2(rc) TPM_RCP(rc, 2)

/* ---- independent hashing (mbedTLS md, not the engine's code) ------------------------------ */

static void md(mbedtls_md_type_t type, const void *p, size_t n, uint8_t *out)
{
	ASSERT(mbedtls_md(mbedtls_md_info_from_type(type), p, n, out) == 0);
}

static void hmac_md(mbedtls_md_type_t type, const void *k, size_t kn, const void *m, size_t mn,
		    uint8_t *out)
{
	static const uint8_t none[1];

	ASSERT(mbedtls_md_hmac(mbedtls_md_info_from_type(type), kn != 0 ? k : none, kn, m, mn,
			       out) == 0);
}

static void hexbytes(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char ch = hex[2 * i + (size_t)j];

			v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
		}
		out[i] = (uint8_t)v;
	}
}

/* ---- KDFa ------------------------------------------------------------------------------------ */

/* Known answers computed with Python's hmac module (tests/tpm/primary_model.py's kdfa()). */
UNIT_TEST(tpm_kdfa_known_answers)
{
	static const struct {
		uint16_t alg;
		const char *key;
		size_t key_len;
		const char *label;
		const char *u;
		size_t ulen;
		const char *v;
		size_t vlen;
		uint32_t bits;
		const char *want;
	} kat[] = {
		{TPM_ALG_SHA256, "key", 3, "ATH",
		 "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", 16,
		 "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
		 "\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f",
		 32, 256, "605de75418b9d35ceffb8a76c22b8f83bf5711177712459f24605d7b407842a6"},
		{TPM_ALG_SHA1,
		 "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa",
		 20, "STORAGE", "name", 4, "", 0, 600,
		 "fec76d67a03907bb9f5141e263951f4dc731a585ba1a33604db550fcc4c3c5b2a0fbb9faa4b4cccd"
		 "77d18708ffadd07f168e884c01a5d7a453c6a439886a5dbebbd1eeb10e57b4254a23ba"},
		{TPM_ALG_SHA384, "k", 1, "CFB", "u", 1, "v", 1, 12, "06e1"},
	};
	uint8_t out[128];
	uint8_t want[128];
	uint8_t key[200];

	for (unsigned i = 0; i < ARRAY_SIZE(kat); i++) {
		size_t n = (kat[i].bits + 7) / 8;

		memset(out, 0xEE, sizeof(out));
		ASSERT(tpm_kdfa(kat[i].alg, kat[i].key, kat[i].key_len, kat[i].label, kat[i].u,
				kat[i].ulen, kat[i].v, kat[i].vlen, kat[i].bits, out));
		hexbytes(kat[i].want, want, n);
		EXPECTF(memcmp(out, want, n) == 0, "KDFa case %u", i);
		EXPECTF(out[n] == 0xEE, "KDFa case %u wrote past its output", i);
	}
	/* SHA-512 with a key longer than the block (hashed first), an empty label, 1024 bits */
	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	ASSERT(tpm_kdfa(TPM_ALG_SHA512, key, sizeof(key), "", "context", 7, NULL, 0, 1024, out));
	hexbytes("843ac2b845cfd246be90e5f71251d5b63e259608b86f6e75f8e510c3d89fe9c11d37927ff3039fe9"
		 "1a879bcb04352f149ffe4cfa2e210294404e8e31126a752ac19ee7eb869fc054b83c1141b624ade8"
		 "12079acd6de727f027600961c51eb314fa7db78757fb4ab09d9f73bd1562aa55a7535be61f2631cb"
		 "06a74010852fb7a6",
		 want, 128);
	EXPECT_MEM_EQ(out, want, 128);
	/* refused: no output, unknown hash */
	EXPECT(!tpm_kdfa(TPM_ALG_SHA256, "k", 1, "L", NULL, 0, NULL, 0, 0, out));
	EXPECT(!tpm_kdfa(TPM_ALG_NULL, "k", 1, "L", NULL, 0, NULL, 0, 8, out));
}

/* ---- templates ------------------------------------------------------------------------------ */

static const struct spec RSA2048 = {.type = TPM_ALG_RSA,
				    .name_alg = TPM_ALG_SHA256,
				    .attrs = OA_STORAGE,
				    .sym = TPM_ALG_AES,
				    .sym_bits = 128,
				    .sym_mode = TPM_ALG_CFB,
				    .scheme = TPM_ALG_NULL,
				    .bits = 2048};
static const struct spec ECC256 = {.type = TPM_ALG_ECC,
				   .name_alg = TPM_ALG_SHA256,
				   .attrs = OA_STORAGE,
				   .sym = TPM_ALG_AES,
				   .sym_bits = 128,
				   .sym_mode = TPM_ALG_CFB,
				   .scheme = TPM_ALG_NULL,
				   .curve = TPM_ECC_NIST_P256,
				   .kdf = TPM_ALG_NULL};
static const struct spec SEALED = {.type = TPM_ALG_KEYEDHASH,
				   .name_alg = TPM_ALG_SHA256,
				   .attrs = OA_SEAL,
				   .scheme = TPM_ALG_NULL};
static const struct spec HMACKEY = {.type = TPM_ALG_KEYEDHASH,
				    .name_alg = TPM_ALG_SHA256,
				    .attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER |
					     OA_SIGN,
				    .scheme = TPM_ALG_HMAC,
				    .scheme_hash = TPM_ALG_SHA256};
static const struct spec AES128 = {.type = TPM_ALG_SYMCIPHER,
				   .name_alg = TPM_ALG_SHA256,
				   .attrs = OA_STORAGE,
				   .sym = TPM_ALG_AES,
				   .sym_bits = 128,
				   .sym_mode = TPM_ALG_CFB};

/* CreatePrimary's inputs besides the hierarchy and template. */
struct cp_in {
	const char *hier_auth;
	const void *auth;
	size_t auth_len;
	const void *data;
	size_t data_len;
	const void *outside;
	size_t outside_len;
	const uint8_t *pcrs; /* a TPML_PCR_SELECTION, NULL: empty */
	size_t pcrs_len;
};

static tpm_rc create_raw(struct tpmh *h, uint32_t hier, const void *tmpl, size_t tn,
			 const struct cp_in *in)
{
	static const struct cp_in none;
	static const uint8_t empty_sel[4];
	struct tpmh_cmd c;
	size_t m;

	if (in == NULL)
		in = &none;
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tpmh_u32(&c, hier);
	tpmh_pw(&c, in->hier_auth != NULL ? in->hier_auth : "",
		in->hier_auth != NULL ? strlen(in->hier_auth) : 0);
	m = tpm_put_size16_begin(&c.w);
	tpmh_2b(&c, in->auth, in->auth_len);
	tpmh_2b(&c, in->data, in->data_len);
	tpm_put_size16_end(&c.w, m);
	tpmh_2b(&c, tmpl, tn);
	tpmh_2b(&c, in->outside, in->outside_len);
	if (in->pcrs != NULL)
		tpmh_bytes(&c, in->pcrs, in->pcrs_len);
	else
		tpmh_bytes(&c, empty_sel, sizeof(empty_sel));
	return tpmh_send(h, &c);
}

static tpm_rc create(struct tpmh *h, uint32_t hier, const struct spec *s, const struct cp_in *in)
{
	struct tpl t = tpl_build(s);

	return create_raw(h, hier, t.b, t.n, in);
}

/* CreatePrimary's response, copied out of the harness. */
struct created {
	uint32_t handle;
	uint8_t pub[TPM_PUBLIC_MAX];
	uint16_t pub_size;
	uint8_t cdata[512];
	uint16_t cdata_size;
	uint8_t chash[64];
	uint16_t chash_size;
	uint16_t tk_tag;
	uint32_t tk_hier;
	uint8_t tk[64];
	uint16_t tk_size;
	uint8_t name[66];
	uint16_t name_size;
};

static void parse_created(const struct tpmh *h, struct created *o)
{
	struct tpm_rd r = tpmh_params(h, true);

	memset(o, 0, sizeof(*o));
	o->handle = tpmh_rsp_handle(h);
	ASSERT(tpm_get_2b(&r, o->pub, sizeof(o->pub), &o->pub_size) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, o->cdata, sizeof(o->cdata), &o->cdata_size) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, o->chash, sizeof(o->chash), &o->chash_size) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u16(&r, &o->tk_tag) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &o->tk_hier) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, o->tk, sizeof(o->tk), &o->tk_size) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, o->name, sizeof(o->name), &o->name_size) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(r.left, 0);
}

/* The unique field of a public area created from template t of spec s (its prefix is kept). */
static void unique_of(const struct created *o, const struct tpl *t, const struct spec *s,
		      uint8_t *u, size_t *un)
{
	struct tpm_rd r;
	uint16_t n = 0;
	uint16_t type = s->type;
	size_t prefix =
		t->n - 2 - s->unique_size - (type == TPM_ALG_ECC ? 2 + s->unique_y_size : 0);

	ASSERT(o->pub_size > prefix);
	EXPECT_MEM_EQ(o->pub, t->b, prefix);
	r = tpm_rd_init(o->pub + prefix, o->pub_size - prefix);
	ASSERT(tpm_get_2b(&r, u, 128 * 4, &n) == TPM_RC_SUCCESS);
	*un = n;
	if (type == TPM_ALG_ECC) {
		ASSERT(tpm_get_2b(&r, u + n, 128, &n) == TPM_RC_SUCCESS);
		*un += n;
	}
	EXPECT_EQ_U64(r.left, 0);
}

static tpm_rc flush(struct tpmh *h, uint32_t handle)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
	tpmh_u32(&c, handle);
	return tpmh_send(h, &c);
}

static uint32_t prop(struct tpmh *h, uint32_t pt)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint32_t n = 0, tag = 0, v = 0;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
	tpmh_u32(&c, TPM_CAP_TPM_PROPERTIES);
	tpmh_u32(&c, pt);
	tpmh_u32(&c, 1);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	r = tpmh_params(h, false);
	r.p += 5;
	r.left -= 5;
	ASSERT(tpm_get_u32(&r, &n) == TPM_RC_SUCCESS && n == 1);
	ASSERT(tpm_get_u32(&r, &tag) == TPM_RC_SUCCESS && tag == pt);
	ASSERT(tpm_get_u32(&r, &v) == TPM_RC_SUCCESS);
	return v;
}

/* Create, return the unique field's SHA-256 and flush. */
static void unique_digest(struct tpmh *h, uint32_t hier, const struct spec *s,
			  const struct cp_in *in, uint8_t out[32])
{
	static uint8_t u[1024];
	struct tpl t = tpl_build(s);
	struct created o;
	size_t un = 0;

	ASSERT(create_raw(h, hier, t.b, t.n, in) == TPM_RC_SUCCESS);
	parse_created(h, &o);
	unique_of(&o, &t, s, u, &un);
	md(MBEDTLS_MD_SHA256, u, un, out);
	ASSERT(flush(h, o.handle) == TPM_RC_SUCCESS);
}

/* ---- the derivation's known answers ------------------------------------------------------- */

/*
 * SHA-256 of the unique field each template gives with the seed 00 01 .. 3f, as
 * tests/tpm/primary_model.py computes it from docs/tpm.md. These pin the derivation: a change
 * of the engine or of mbedTLS that changes a primary key fails here.
 */
static const struct {
	const char *name;
	const char *digest;
} primary_kat[] = {
	{"rsa2048", "82ecc6a22f35375c4b8cdb24cc9254fd207b09752a10517e57fbcc50b76b8f19"},
	{"rsa3072", "768e4c95f9297a64ea45b04572c38c8eac7d7e7210febe71c0105ad1274aa88d"},
	{"ecc256", "c9de69e9ae308da4061bfdbe4c9f4a5da88461507953e475700424fe6ce54a00"},
	{"ecc384", "5b2c94e14479c21279bcf95edac6a0e328cde3aefa3f845504771814ace1184f"},
	{"hmac", "23e1a7e69ac1b62500c415590bd5cc5bca04d1768dcba9a28976b40a3af03e5b"},
	{"aes128", "25b1591fb1442021193ada8da768ff50ba17c8aa29de4c76bc4481d4af03d700"},
	{"sealed", "c9bdcabf9f942bf36bc82962b9ab420a6d13cd43143c6599e2c2ec658b93b936"},
};

static void set_test_seed(uint8_t *seed)
{
	for (unsigned i = 0; i < TPM_SEED_SIZE; i++)
		seed[i] = (uint8_t)i;
}

UNIT_TEST(tpm_object_primary_known_answers)
{
	struct tpmh h;
	struct spec specs[ARRAY_SIZE(primary_kat)];
	struct cp_in sealed_in = {
		.auth = "pw", .auth_len = 2, .data = "sealed secret", .data_len = 13};
	uint8_t d[32];
	uint8_t want[32];

	specs[0] = RSA2048;
	specs[1] = RSA2048;
	specs[1].bits = 3072;
	specs[2] = ECC256;
	specs[3] = ECC256;
	specs[3].curve = TPM_ECC_NIST_P384;
	specs[4] = HMACKEY;
	specs[4].attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER | OA_SIGN;
	specs[5] = AES128;
	specs[6] = SEALED;
	specs[6].attrs = OA_USER | OA_FIXEDPARENT | OA_FIXEDTPM;
	tpmh_init(&h);
	set_test_seed(h.tpm->perm.sps);
	set_test_seed(h.tpm->null_seed);
	tpm_primary_seeds_changed(h.tpm);
	for (unsigned i = 0; i < ARRAY_SIZE(primary_kat); i++) {
		hexbytes(primary_kat[i].digest, want, 32);
		unique_digest(&h, TPM_RH_OWNER, &specs[i], i == 6 ? &sealed_in : NULL, d);
		EXPECTF(memcmp(d, want, 32) == 0, "%s under the owner", primary_kat[i].name);
		/* the seed, not the hierarchy, decides */
		if (i == 2 || i == 6) {
			unique_digest(&h, TPM_RH_NULL, &specs[i], i == 6 ? &sealed_in : NULL, d);
			EXPECTF(memcmp(d, want, 32) == 0, "%s under NULL", primary_kat[i].name);
		}
	}
	tpmh_destroy(&h);
}

/* ---- CreatePrimary's outputs ------------------------------------------------------------------ */

UNIT_TEST(tpm_object_create_primary_outputs)
{
	struct tpmh h;
	struct tpl t = tpl_build(&ECC256);
	struct created o;
	struct tpm_wr w;
	uint8_t want[512];
	uint8_t d[64];
	uint8_t m[256];
	size_t n;

	tpmh_init(&h);
	ASSERT(create_raw(&h, TPM_RH_OWNER, t.b, t.n, NULL) == TPM_RC_SUCCESS);
	parse_created(&h, &o);
	EXPECT_EQ_U64(o.handle, TPM_HR_TRANSIENT);
	/* the public area: the template with a P-256 point */
	EXPECT_EQ_U64(o.pub_size, t.n + 64);
	EXPECT_MEM_EQ(o.pub, t.b, t.n - 4);
	EXPECT_EQ_U64(tpm_ld16(o.pub + t.n - 4), 32);
	EXPECT_EQ_U64(tpm_ld16(o.pub + t.n - 2 + 32), 32);
	/* Name = SHA-256 || SHA-256(public area) */
	ASSERT(o.name_size == 34);
	EXPECT_EQ_U64(tpm_ld16(o.name), TPM_ALG_SHA256);
	md(MBEDTLS_MD_SHA256, o.pub, o.pub_size, d);
	EXPECT_MEM_EQ(o.name + 2, d, 32);
	/* creationData: no PCRs, their digest (of nothing), locality 0, the hierarchy as parent */
	w = tpm_wr_init(want, sizeof(want));
	tpm_put_u32(&w, 0);
	md(MBEDTLS_MD_SHA256, "", 0, d);
	tpm_put_2b(&w, d, 32);
	tpm_put_u8(&w, 1);
	tpm_put_u16(&w, TPM_ALG_NULL);
	tpm_put_u16(&w, 4);
	tpm_put_u32(&w, TPM_RH_OWNER);
	tpm_put_u16(&w, 4);
	tpm_put_u32(&w, TPM_RH_OWNER);
	tpm_put_u16(&w, 0);
	ASSERT(o.cdata_size == w.len);
	EXPECT_MEM_EQ(o.cdata, want, w.len);
	/* creationHash = SHA-256(creationData) */
	ASSERT(o.chash_size == 32);
	md(MBEDTLS_MD_SHA256, o.cdata, o.cdata_size, d);
	EXPECT_MEM_EQ(o.chash, d, 32);
	/* the ticket: HMAC-SHA-512(shProof, TPM_ST_CREATION || Name || creationHash) */
	EXPECT_EQ_U64(o.tk_tag, TPM_ST_CREATION);
	EXPECT_EQ_U64(o.tk_hier, TPM_RH_OWNER);
	ASSERT(o.tk_size == 64);
	n = 0;
	m[n++] = 0x80;
	m[n++] = 0x21;
	memcpy(m + n, o.name, o.name_size);
	n += o.name_size;
	memcpy(m + n, o.chash, 32);
	n += 32;
	hmac_md(MBEDTLS_MD_SHA512, h.tpm->perm.sh_proof, TPM_SEED_SIZE, m, n, d);
	EXPECT_MEM_EQ(o.tk, d, 64);
	/* ReadPublic gives the same public area and Name, and the qualifiedName */
	{
		struct tpmh_cmd c;
		struct tpm_rd r;
		uint16_t sz = 0;
		const uint8_t *p = NULL;

		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
		tpmh_u32(&c, o.handle);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		r = tpmh_params(&h, false);
		ASSERT(tpm_get_u16(&r, &sz) == TPM_RC_SUCCESS && sz == o.pub_size);
		ASSERT(tpm_get_view(&r, sz, &p) == TPM_RC_SUCCESS);
		EXPECT_MEM_EQ(p, o.pub, sz);
		ASSERT(tpm_get_u16(&r, &sz) == TPM_RC_SUCCESS && sz == o.name_size);
		ASSERT(tpm_get_view(&r, sz, &p) == TPM_RC_SUCCESS);
		EXPECT_MEM_EQ(p, o.name, sz);
		/* qualifiedName = SHA-256 || SHA-256(TPM_RH_OWNER || Name) */
		ASSERT(tpm_get_u16(&r, &sz) == TPM_RC_SUCCESS && sz == 34);
		ASSERT(tpm_get_view(&r, sz, &p) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(r.left, 0);
		tpm_be32(m, TPM_RH_OWNER);
		memcpy(m + 4, o.name, 34);
		md(MBEDTLS_MD_SHA256, m, 38, d);
		EXPECT_EQ_U64(tpm_ld16(p), TPM_ALG_SHA256);
		EXPECT_MEM_EQ(p + 2, d, 32);
		/* trailing bytes, a sequence object, a flushed object, a persistent handle */
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
		tpmh_u32(&c, o.handle);
		tpmh_u8(&c, 0);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
		tpmh_2b(&c, NULL, 0);
		tpmh_u16(&c, TPM_ALG_SHA256);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
		tpmh_u32(&c, tpmh_rsp_handle(&h));
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SEQUENCE);
		ASSERT(flush(&h, o.handle) == TPM_RC_SUCCESS);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
		tpmh_u32(&c, o.handle);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_REFERENCE_H0);
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
		tpmh_u32(&c, 0x81000001u);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCH(TPM_RC_HANDLE, 1));
		EXPECT_EQ_U64(flush(&h, o.handle), TPM_RCP(TPM_RC_HANDLE, 1));
	}
	tpmh_destroy(&h);
}

/* Every hierarchy and type: the ticket names the hierarchy and uses its proof. */
UNIT_TEST(tpm_object_every_type_and_hierarchy)
{
	static const uint32_t hiers[] = {TPM_RH_OWNER, TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM,
					 TPM_RH_NULL};
	struct cp_in sealed = {.data = "x", .data_len = 1};
	struct cp_in given_key = {.data = "0123456789abcdef", .data_len = 16};
	struct spec specs[7];
	struct tpmh h;

	specs[0] = RSA2048;
	specs[1] = ECC256;
	specs[2] = ECC256;
	specs[2].curve = TPM_ECC_NIST_P384;
	specs[2].name_alg = TPM_ALG_SHA384;
	specs[3] = SEALED;
	specs[4] = HMACKEY;
	specs[5] = AES128;
	specs[6] = AES128;
	specs[6].attrs = OA_USER | OA_DECRYPT | OA_SIGN;
	tpmh_init(&h);
	for (unsigned i = 0; i < ARRAY_SIZE(hiers); i++) {
		for (unsigned j = 0; j < ARRAY_SIZE(specs); j++) {
			struct created o;
			uint8_t d[64];
			uint8_t m[2 + 66 + 64];
			const uint8_t *proof = tpm_hierarchy_proof(h.tpm, hiers[i]);
			unsigned hs = j == 2 ? 48 : 32;

			ASSERT(create(&h, hiers[i], &specs[j],
				      j == 3   ? &sealed
				      : j == 6 ? &given_key
					       : NULL) == TPM_RC_SUCCESS);
			parse_created(&h, &o);
			EXPECT_EQ_U64(o.tk_hier, hiers[i]);
			ASSERT(o.chash_size == hs && o.name_size == 2 + hs);
			m[0] = 0x80;
			m[1] = 0x21;
			memcpy(m + 2, o.name, o.name_size);
			memcpy(m + 2 + o.name_size, o.chash, hs);
			hmac_md(MBEDTLS_MD_SHA512, proof, TPM_SEED_SIZE, m, 2 + 2u * hs + 2, d);
			EXPECTF(o.tk_size == 64 && memcmp(o.tk, d, 64) == 0, "ticket %u/%u", i, j);
			ASSERT(flush(&h, o.handle) == TPM_RC_SUCCESS);
		}
	}
	tpmh_destroy(&h);
}

/* ---- determinism, the cache and seed changes ------------------------------------------------ */

static tpm_rc clear_tpm(struct tpmh *h)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Clear);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_pw(&c, "", 0);
	return tpmh_send(h, &c);
}

static unsigned cached(const struct tpmh *h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TPM_PRIMARY_CACHE; i++)
		n += h->tpm->primary_cache[i].used;
	return n;
}

UNIT_TEST(tpm_object_primary_deterministic)
{
	struct tpmh h;
	struct spec s = RSA2048;
	struct spec e = ECC256;
	struct cp_in auth = {.auth = "secret", .auth_len = 6};
	struct cp_in data = {.data = "entropy", .data_len = 7};
	uint8_t a[32], b[32], own[32], endo[32], plat[32], nul[32];

	tpmh_init(&h);
	/* the same template: the same key, the second time from the cache */
	unique_digest(&h, TPM_RH_OWNER, &s, NULL, a);
	EXPECT_EQ_U64(cached(&h), 1);
	unique_digest(&h, TPM_RH_OWNER, &s, NULL, b);
	EXPECT_MEM_EQ(a, b, 32);
	EXPECT_EQ_U64(cached(&h), 1);
	memcpy(own, a, 32);
	/* the authValue does not enter the key; the data does; so do unique and the hierarchy */
	unique_digest(&h, TPM_RH_OWNER, &s, &auth, b);
	EXPECT_MEM_EQ(a, b, 32);
	unique_digest(&h, TPM_RH_OWNER, &s, &data, b);
	EXPECT(memcmp(a, b, 32) != 0);
	s.unique_size = 1;
	unique_digest(&h, TPM_RH_OWNER, &s, NULL, b);
	EXPECT(memcmp(a, b, 32) != 0);
	s.unique_size = 0;
	unique_digest(&h, TPM_RH_ENDORSEMENT, &e, NULL, endo);
	unique_digest(&h, TPM_RH_PLATFORM, &e, NULL, plat);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, nul);
	unique_digest(&h, TPM_RH_OWNER, &e, NULL, a);
	EXPECT(memcmp(a, endo, 32) != 0 && memcmp(a, plat, 32) != 0 && memcmp(a, nul, 32) != 0);
	/* a power loss (TPM Reset): the cache is gone, the keys are not (but the NULL seed is new) */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(cached(&h), 0);
	unique_digest(&h, TPM_RH_OWNER, &s, NULL, b);
	EXPECT_MEM_EQ(own, b, 32);
	unique_digest(&h, TPM_RH_ENDORSEMENT, &e, NULL, b);
	EXPECT_MEM_EQ(endo, b, 32);
	unique_digest(&h, TPM_RH_PLATFORM, &e, NULL, b);
	EXPECT_MEM_EQ(plat, b, 32);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, b);
	EXPECT(memcmp(nul, b, 32) != 0);
	/* Clear: a new storage seed, the cache emptied; the endorsement and platform keys stay */
	EXPECT_EQ_U64(cached(&h), 1);
	ASSERT(clear_tpm(&h) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(cached(&h), 0);
	unique_digest(&h, TPM_RH_OWNER, &s, NULL, b);
	EXPECT(memcmp(own, b, 32) != 0);
	unique_digest(&h, TPM_RH_ENDORSEMENT, &e, NULL, b);
	EXPECT_MEM_EQ(endo, b, 32);
	unique_digest(&h, TPM_RH_PLATFORM, &e, NULL, b);
	EXPECT_MEM_EQ(plat, b, 32);
	tpmh_destroy(&h);
}

static void shutdown_su(struct tpmh *h, uint16_t su)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, su);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

/* The NULL seed: kept by TPM Resume and TPM Restart (saved by Shutdown(STATE)), new at Reset. */
UNIT_TEST(tpm_object_null_seed_lifetime)
{
	struct tpmh h;
	struct spec e = ECC256;
	uint8_t nul[32], b[32];

	tpmh_init(&h);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, nul);
	shutdown_su(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_STATE);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, b);
	EXPECT_MEM_EQ(nul, b, 32);
	shutdown_su(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_CLEAR);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, b);
	EXPECT_MEM_EQ(nul, b, 32);
	/* Shutdown(CLEAR) + Startup(CLEAR): a TPM Reset */
	shutdown_su(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, b);
	EXPECT(memcmp(nul, b, 32) != 0);
	memcpy(nul, b, 32);
	/* a power loss after a Resume: the saved copy was spent, so a TPM Reset */
	shutdown_su(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_CLEAR);
	unique_digest(&h, TPM_RH_NULL, &e, NULL, b);
	EXPECT(memcmp(nul, b, 32) != 0);
	EXPECT(!h.tpm->perm.saved_null_valid);
	tpmh_destroy(&h);
}

/* A cancelled RSA prime search answers TPM_RC_CANCELED and loads nothing. */
UNIT_TEST(tpm_object_rsa_cancel)
{
	struct tpmh h;

	tpmh_init(&h);
	tpm_set_cancel(h.tpm, 1);
	EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &RSA2048, NULL), TPM_RC_CANCELED);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS);
	EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &ECC256, NULL), TPM_RC_SUCCESS);
	tpm_set_cancel(h.tpm, 0);
	EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &RSA2048, NULL), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

/* ---- template checks --------------------------------------------------------------------- */

struct bad_case {
	const char *what;
	struct spec s;
	size_t auth_len;
	size_t data_len;
	tpm_rc rc;
};

static void run_cases(struct tpmh *h, const struct bad_case *cases, size_t n)
{
	uint8_t bytes[256];

	/* not zeros: an authValue's trailing zeros do not count */
	memset(bytes, 0x55, sizeof(bytes));
	for (size_t i = 0; i < n; i++) {
		struct cp_in in = {.auth = bytes,
				   .auth_len = cases[i].auth_len,
				   .data = bytes,
				   .data_len = cases[i].data_len};
		tpm_rc rc = create(h, TPM_RH_OWNER, &cases[i].s, &in);

		EXPECTF(rc == cases[i].rc, "%s: %#x, want %#x", cases[i].what, rc, cases[i].rc);
		if (rc == TPM_RC_SUCCESS)
			ASSERT(flush(h, tpmh_rsp_handle(h)) == TPM_RC_SUCCESS);
	}
}

/* A copy of a spec with one field changed (the cases below nest them). */
#define SETTER(field)                                             \
	static struct spec set_##field(struct spec s, uint32_t v) \
	{                                                         \
		s.field = (__typeof__(s.field))v;                 \
		return s;                                         \
	}
SETTER(type)
SETTER(name_alg)
SETTER(attrs)
SETTER(policy_size)
SETTER(sym)
SETTER(sym_bits)
SETTER(sym_mode)
SETTER(scheme)
SETTER(scheme_hash)
SETTER(bits)
SETTER(exponent)
SETTER(curve)
SETTER(kdf)
SETTER(unique_size)
#undef SETTER

/* Spec-derived checks, each code and parameter number confirmed against libtpms (tests/tpm/diff). */
UNIT_TEST(tpm_object_template_errors)
{
#define S(base, field, value) set_##field((base), (value))
#define A(base, value)	      S(base, attrs, value)
	const struct spec ecc_sign = {.type = TPM_ALG_ECC,
				      .name_alg = TPM_ALG_SHA256,
				      .attrs = OA_SDO | OA_USER | OA_SIGN,
				      .sym = TPM_ALG_NULL,
				      .scheme = TPM_ALG_ECDSA,
				      .scheme_hash = TPM_ALG_SHA256,
				      .curve = TPM_ECC_NIST_P256,
				      .kdf = TPM_ALG_NULL};
	const struct spec rsa_sign = {.type = TPM_ALG_RSA,
				      .name_alg = TPM_ALG_SHA256,
				      .attrs = OA_SDO | OA_USER | OA_SIGN,
				      .sym = TPM_ALG_NULL,
				      .scheme = TPM_ALG_RSASSA,
				      .scheme_hash = TPM_ALG_SHA256,
				      .bits = 2048};
	const struct bad_case cases[] = {
		/* unmarshalling: type, nameAlg, attributes, policy */
		{"type SHA-256", S(ECC256, type, TPM_ALG_SHA256), 0, 0, P2(TPM_RC_TYPE)},
		{"nameAlg NULL", S(ECC256, name_alg, TPM_ALG_NULL), 0, 0, P2(TPM_RC_HASH)},
		{"nameAlg SM3", S(ECC256, name_alg, TPM_ALG_SM3_256), 0, 0, P2(TPM_RC_HASH)},
		{"reserved bit 0", A(ECC256, OA_STORAGE | 1), 0, 0, P2(TPM_RC_RESERVED_BITS)},
		{"reserved bit 31", A(ECC256, OA_STORAGE | 0x80000000u), 0, 0,
		 P2(TPM_RC_RESERVED_BITS)},
		{"policy of 65", S(ECC256, policy_size, 65), 0, 0, P2(TPM_RC_SIZE)},
		{"policy of 20 for SHA-256", S(ECC256, policy_size, 20), 0, 0, P2(TPM_RC_SIZE)},
		{"policy of 32", S(ECC256, policy_size, 32), 0, 0, TPM_RC_SUCCESS},
		/* parameters */
		{"RSA-1024", S(RSA2048, bits, 1024), 0, 0, P2(TPM_RC_VALUE)},
		{"RSA-4096", S(RSA2048, bits, 4096), 0, 0, P2(TPM_RC_VALUE)},
		{"P-521", S(ECC256, curve, TPM_ECC_NIST_P521), 0, 0, P2(TPM_RC_CURVE)},
		{"AES-192", S(ECC256, sym_bits, 192), 0, 0, P2(TPM_RC_VALUE)},
		{"SM4", S(ECC256, sym, TPM_ALG_SM4), 0, 0, P2(TPM_RC_SYMMETRIC)},
		{"CBC (as libtpms: any implemented mode)", S(ECC256, sym_mode, TPM_ALG_CBC), 0, 0,
		 TPM_RC_SUCCESS},
		{"mode 0x99", S(ECC256, sym_mode, 0x0099), 0, 0, P2(TPM_RC_MODE)},
		{"mode NULL", S(ECC256, sym_mode, TPM_ALG_NULL), 0, 0, TPM_RC_SUCCESS},
		{"RSA scheme ECDSA", S(rsa_sign, scheme, TPM_ALG_ECDSA), 0, 0, P2(TPM_RC_VALUE)},
		{"RSASSA without hash", S(rsa_sign, scheme_hash, TPM_ALG_NULL), 0, 0,
		 P2(TPM_RC_HASH)},
		{"ECC scheme ECDAA", S(ecc_sign, scheme, TPM_ALG_ECDAA), 0, 0, P2(TPM_RC_SCHEME)},
		{"ECC kdf KDF2", S(ECC256, kdf, TPM_ALG_KDF2), 0, 0, P2(TPM_RC_KDF)},
		{"KEYEDHASH XOR", S(HMACKEY, scheme, TPM_ALG_XOR), 0, 0, P2(TPM_RC_VALUE)},
		{"SYMCIPHER NULL", S(AES128, sym, TPM_ALG_NULL), 0, 0, P2(TPM_RC_SYMMETRIC)},
		{"RSA unique 385", S(RSA2048, unique_size, 385), 0, 0, P2(TPM_RC_SIZE)},
		{"RSA unique 384", S(RSA2048, unique_size, 384), 0, 0, TPM_RC_SUCCESS},
		{"ECC x of 49", S(ECC256, unique_size, 49), 0, 0, P2(TPM_RC_SIZE)},
		{"KEYEDHASH unique 65", S(HMACKEY, unique_size, 65), 0, 0, P2(TPM_RC_SIZE)},
		/* attributes */
		{"fixedTPM without fixedParent", A(ECC256, OA_STORAGE & ~OA_FIXEDPARENT), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"fixedParent without fixedTPM", A(ECC256, OA_STORAGE & ~OA_FIXEDTPM), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"duplicable primary", A(ECC256, OA_STORAGE & ~(OA_FIXEDTPM | OA_FIXEDPARENT)), 0,
		 0, TPM_RC_SUCCESS},
		{"encryptedDuplication with fixedTPM", A(ECC256, OA_STORAGE | OA_ENCDUP), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"encryptedDuplication, duplicable",
		 A(ECC256, (OA_STORAGE & ~(OA_FIXEDTPM | OA_FIXEDPARENT)) | OA_ENCDUP), 0, 0,
		 TPM_RC_SUCCESS},
		{"restricted sign and decrypt", A(ECC256, OA_STORAGE | OA_SIGN), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"restricted neither", A(ECC256, OA_STORAGE & ~OA_DECRYPT), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"ECC neither sign nor decrypt", A(ecc_sign, OA_SDO | OA_USER), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"SYMCIPHER neither", A(AES128, OA_SDO | OA_USER), 0, 0, P2(TPM_RC_ATTRIBUTES)},
		{"SYMCIPHER encrypt only", A(AES128, OA_SDO | OA_USER | OA_SIGN), 0, 0,
		 TPM_RC_SUCCESS},
		{"x509sign is not checked", A(ECC256, OA_STORAGE | TPMA_OBJECT_X509SIGN), 0, 0,
		 TPM_RC_SUCCESS},
		/* sensitiveDataOrigin against inSensitive.data */
		{"RSA given no data", A(RSA2048, OA_STORAGE & ~OA_SDO), 0, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		{"ECC given data", A(ECC256, OA_STORAGE & ~OA_SDO), 0, 4, P2(TPM_RC_ATTRIBUTES)},
		{"ECC with extra data", ECC256, 0, 4, TPM_RC_SUCCESS},
		{"sealed without data", SEALED, 0, 0, P2(TPM_RC_ATTRIBUTES)},
		{"sealed by the TPM", A(SEALED, OA_SEAL | OA_SDO), 0, 8, P2(TPM_RC_ATTRIBUTES)},
		{"restricted HMAC key given",
		 A(HMACKEY, OA_FIXEDTPM | OA_FIXEDPARENT | OA_SIGN | OA_RESTRICTED), 0, 32,
		 P2(TPM_RC_ATTRIBUTES)},
		{"storage SYMCIPHER given", A(AES128, OA_STORAGE & ~OA_SDO), 0, 16,
		 P2(TPM_RC_ATTRIBUTES)},
		{"duplicable storage SYMCIPHER given",
		 A(AES128, OA_STORAGE & ~(OA_SDO | OA_FIXEDTPM | OA_FIXEDPARENT)), 0, 16,
		 TPM_RC_SUCCESS},
		/* symmetric and schemes against the attributes */
		{"storage without symmetric", S(ECC256, sym, TPM_ALG_NULL), 0, 0,
		 P2(TPM_RC_SYMMETRIC)},
		{"storage with a scheme",
		 S(S(ECC256, scheme, TPM_ALG_ECDH), scheme_hash, TPM_ALG_SHA256), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"storage scheme without hash", S(ECC256, scheme, TPM_ALG_ECDH), 0, 0,
		 P2(TPM_RC_HASH)},
		{"RSA storage with OAEP",
		 S(S(RSA2048, scheme, TPM_ALG_OAEP), scheme_hash, TPM_ALG_SHA256), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"signing key with symmetric", S(ecc_sign, sym, TPM_ALG_AES), 0, 0,
		 P2(TPM_RC_VALUE)},
		{"signing key with ECDH", S(ecc_sign, scheme, TPM_ALG_ECDH), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"decryption key with ECDSA", A(ecc_sign, OA_SDO | OA_USER | OA_DECRYPT), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"restricted signing key without scheme",
		 S(A(ecc_sign, OA_SDO | OA_SIGN | OA_RESTRICTED), scheme, TPM_ALG_NULL), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"unrestricted signing key without scheme", S(ecc_sign, scheme, TPM_ALG_NULL), 0, 0,
		 TPM_RC_SUCCESS},
		{"sign and decrypt with a scheme", A(rsa_sign, OA_SDO | OA_SIGN | OA_DECRYPT), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"RSA decryption with OAEP",
		 S(A(rsa_sign, OA_SDO | OA_USER | OA_DECRYPT), scheme, TPM_ALG_OAEP), 0, 0,
		 TPM_RC_SUCCESS},
		{"HMAC key without scheme", S(HMACKEY, scheme, TPM_ALG_NULL), 0, 0,
		 P2(TPM_RC_SCHEME)},
		{"sealed data with HMAC",
		 S(S(SEALED, scheme, TPM_ALG_HMAC), scheme_hash, TPM_ALG_SHA256), 0, 1,
		 P2(TPM_RC_SCHEME)},
		{"KEYEDHASH decrypt", A(S(HMACKEY, scheme, TPM_ALG_NULL), OA_SDO | OA_DECRYPT), 0,
		 0, P2(TPM_RC_SCHEME)},
		{"KEYEDHASH sign and decrypt",
		 A(S(HMACKEY, scheme, TPM_ALG_NULL), OA_SDO | OA_SIGN | OA_DECRYPT), 0, 0,
		 TPM_RC_SUCCESS},
		/* the sensitive area */
		{"userAuth longer than a digest", ECC256, 33, 0, TPM_RCP(TPM_RC_SIZE, 1)},
		{"userAuth of a digest", ECC256, 32, 0, TPM_RC_SUCCESS},
		{"data of 129", SEALED, 0, 129, TPM_RCP(TPM_RC_SIZE, 1)},
		{"template before userAuth", A(ECC256, OA_STORAGE & ~OA_FIXEDPARENT), 33, 0,
		 P2(TPM_RC_ATTRIBUTES)},
		/* found while generating: no parameter number (as libtpms) */
		{"AES-128 key of 15", A(AES128, OA_USER | OA_DECRYPT), 0, 15, TPM_RC_KEY_SIZE},
		{"AES-128 key of 16", A(AES128, OA_USER | OA_DECRYPT), 0, 16, TPM_RC_SUCCESS},
		{"HMAC key over a block", A(HMACKEY, OA_USER | OA_SIGN), 0, 65, TPM_RC_SIZE},
		{"HMAC key of a block", A(HMACKEY, OA_USER | OA_SIGN), 0, 64, TPM_RC_SUCCESS},
		{"exponent 3", S(RSA2048, exponent, 3), 0, 0, TPM_RC_RANGE},
		{"exponent 65541", S(RSA2048, exponent, 65541), 0, 0, TPM_RC_RANGE},
		{"exponent 2^32-1", S(RSA2048, exponent, 0xFFFFFFFFu), 0, 0, TPM_RC_RANGE},
		{"exponent 65539", S(RSA2048, exponent, 65539), 0, 0, TPM_RC_SUCCESS},
	};
#undef A
#undef S
	struct tpmh h;

	tpmh_init(&h);
	run_cases(&h, cases, ARRAY_SIZE(cases));
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS);
	tpmh_destroy(&h);
}

/* The framing of CreatePrimary's parameters and its handle. */
UNIT_TEST(tpm_object_create_primary_framing)
{
	static const uint8_t zero4[4];
	struct tpmh h;
	struct tpmh_cmd c;
	struct tpl t = tpl_build(&ECC256);
	uint8_t sel5[4 + 5 * 6];
	struct cp_in in = {0};
	uint8_t big[67] = {0};

	tpmh_init(&h);
	/* inSensitive: empty, too long, too short for what it holds */
	for (unsigned v = 0; v < 3; v++) {
		static const uint16_t sizes[] = {0, 5, 3};

		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
		tpmh_u32(&c, TPM_RH_OWNER);
		tpmh_pw(&c, "", 0);
		tpmh_u16(&c, sizes[v]);
		if (v != 0)
			tpmh_bytes(&c, zero4, 4);
		tpmh_2b(&c, t.b, t.n);
		tpmh_2b(&c, NULL, 0);
		tpmh_u32(&c, 0);
		EXPECTF(tpmh_send(&h, &c) == TPM_RCP(TPM_RC_SIZE, 1), "inSensitive size %u",
			sizes[v]);
	}
	/* inPublic: empty, shorter or longer than its content */
	EXPECT_EQ_U64(create_raw(&h, TPM_RH_OWNER, t.b, 0, NULL), P2(TPM_RC_SIZE));
	/* (the structure goes on into the next parameters, so it is not what `size` said) */
	EXPECT_EQ_U64(create_raw(&h, TPM_RH_OWNER, t.b, t.n - 1, NULL), P2(TPM_RC_SIZE));
	t.b[t.n] = 0;
	EXPECT_EQ_U64(create_raw(&h, TPM_RH_OWNER, t.b, t.n + 1, NULL), P2(TPM_RC_SIZE));
	/* outsideInfo of 67 bytes, bad PCR selections */
	in.outside = big;
	in.outside_len = sizeof(big);
	EXPECT_EQ_U64(create_raw(&h, TPM_RH_OWNER, t.b, t.n, &in), TPM_RCP(TPM_RC_SIZE, 3));
	memset(&in, 0, sizeof(in));
	memset(sel5, 0, sizeof(sel5));
	sel5[3] = 5;
	for (unsigned i = 0; i < 5; i++) {
		sel5[4 + 6 * i + 1] = TPM_ALG_SHA256;
		sel5[4 + 6 * i + 2] = 3;
	}
	in.pcrs = sel5;
	in.pcrs_len = sizeof(sel5);
	EXPECT_EQ_U64(create_raw(&h, TPM_RH_OWNER, t.b, t.n, &in), TPM_RCP(TPM_RC_SIZE, 4));
	sel5[3] = 1;
	sel5[5] = 0x99;
	in.pcrs_len = 10;
	EXPECT_EQ_U64(create_raw(&h, TPM_RH_OWNER, t.b, t.n, &in), TPM_RCP(TPM_RC_HASH, 4));
	/* trailing byte, missing creationPCR */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 4);
	tpmh_u32(&c, 0);
	tpmh_2b(&c, t.b, t.n);
	tpmh_2b(&c, NULL, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 4));
	tpmh_u32(&c, 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* handles: not a hierarchy; a disabled one; authorization */
	EXPECT_EQ_U64(create(&h, TPM_RH_LOCKOUT, &ECC256, NULL), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(create(&h, TPM_RH_PLATFORM_NV, &ECC256, NULL), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(create(&h, TPM_HR_TRANSIENT, &ECC256, NULL), TPM_RCH(TPM_RC_VALUE, 1));
	in.pcrs = NULL;
	in.hier_auth = "wrong";
	EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &ECC256, &in), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(create(&h, TPM_RH_NULL, &ECC256, &in), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_CreatePrimary);
	tpmh_u32(&c, TPM_RH_OWNER);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS);
	tpmh_destroy(&h);
}

/* ---- slots, flushing with hierarchies ------------------------------------------------------- */

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

static bool loaded(struct tpmh *h, uint32_t handle)
{
	return tpm_object_find(h->tpm, handle) != NULL;
}

UNIT_TEST(tpm_object_slots_and_hierarchies)
{
	static const uint32_t hiers[] = {TPM_RH_OWNER, TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM,
					 TPM_RH_NULL};
	struct tpmh h;
	struct tpmh_cmd c;
	uint32_t handles[TPM_MAX_OBJECTS];
	uint32_t seq;

	_Static_assert(TPM_MAX_OBJECTS >= 3, "TPM_PT_HR_TRANSIENT_MIN is at least 3");
	tpmh_init(&h);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_MIN), TPM_MAX_OBJECTS);
	/* a sequence takes a slot too */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
	tpmh_2b(&c, NULL, 0);
	tpmh_u16(&c, TPM_ALG_SHA256);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	seq = tpmh_rsp_handle(&h);
	for (unsigned i = 0; i + 1 < TPM_MAX_OBJECTS; i++) {
		ASSERT(create(&h, hiers[i % 4], &ECC256, NULL) == TPM_RC_SUCCESS);
		handles[i] = tpmh_rsp_handle(&h);
		EXPECT_EQ_U64(handles[i] >> TPM_HR_SHIFT, TPM_HT_TRANSIENT);
		EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS - 2 - i);
	}
	EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &ECC256, NULL), TPM_RC_OBJECT_MEMORY);
	EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &RSA2048, NULL), TPM_RC_OBJECT_MEMORY);
	/* a bad template is refused as bad, not for the memory */
	{
		struct spec s = ECC256;

		s.attrs |= OA_SIGN;
		EXPECT_EQ_U64(create(&h, TPM_RH_OWNER, &s, NULL), P2(TPM_RC_ATTRIBUTES));
	}
	/* disabling the endorsement hierarchy flushes its objects only */
	ASSERT(hier_control(&h, TPM_RH_ENDORSEMENT, TPM_RH_ENDORSEMENT, 0) == TPM_RC_SUCCESS);
	for (unsigned i = 0; i + 1 < TPM_MAX_OBJECTS; i++)
		EXPECTF(loaded(&h, handles[i]) == (hiers[i % 4] != TPM_RH_ENDORSEMENT), "object %u",
			i);
	EXPECT_EQ_U64(create(&h, TPM_RH_ENDORSEMENT, &ECC256, NULL), TPM_RCH(TPM_RC_HIERARCHY, 1));
	ASSERT(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_ENDORSEMENT, 1) == TPM_RC_SUCCESS);
	/* Clear flushes the storage hierarchy's objects; platform, NULL and sequences stay */
	ASSERT(clear_tpm(&h) == TPM_RC_SUCCESS);
	for (unsigned i = 0; i + 1 < TPM_MAX_OBJECTS; i++)
		EXPECTF(loaded(&h, handles[i]) ==
				(hiers[i % 4] == TPM_RH_PLATFORM || hiers[i % 4] == TPM_RH_NULL),
			"object %u after Clear", i);
	EXPECT(loaded(&h, seq));
	/* the platform hierarchy's objects go with phEnable */
	ASSERT(hier_control(&h, TPM_RH_PLATFORM, TPM_RH_PLATFORM, 0) == TPM_RC_SUCCESS);
	for (unsigned i = 0; i + 1 < TPM_MAX_OBJECTS; i++)
		EXPECTF(loaded(&h, handles[i]) == (hiers[i % 4] == TPM_RH_NULL), "object %u", i);
	/* a power cycle loses every object */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS);
	tpmh_destroy(&h);
}

/* ---- creation data -------------------------------------------------------------------------- */

UNIT_TEST(tpm_object_creation_pcrs_and_locality)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct created o;
	struct cp_in in = {0};
	/* SHA-256 {0, 1, 16}, SHA-1 {7}, SHA-512 {0} (no such bank: filtered out) */
	static const uint8_t sel[] = {0,    0, 0,    3, 0x00, 0x0b, 3,	  0x03, 0x00, 0x01, 0x00,
				      0x04, 3, 0x80, 0, 0,    0x00, 0x0d, 3,	0x01, 0,    0};
	uint8_t outside[66];
	uint8_t buf[4 * 48];
	uint8_t d[32];
	size_t n = 0;

	for (unsigned i = 0; i < sizeof(outside); i++)
		outside[i] = (uint8_t)(i + 1);
	tpmh_init(&h);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
	tpmh_u32(&c, 16);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "measured", 8);
	ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
	in.outside = outside;
	in.outside_len = sizeof(outside);
	in.pcrs = sel;
	in.pcrs_len = sizeof(sel);
	h.last_tag = 0;
	{
		/* locality 3 */
		struct tpl t = tpl_build(&ECC256);
		struct tpmh_cmd cc;
		size_t m;

		tpmh_begin(&cc, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
		tpmh_u32(&cc, TPM_RH_OWNER);
		tpmh_pw(&cc, "", 0);
		m = tpm_put_size16_begin(&cc.w);
		tpmh_2b(&cc, NULL, 0);
		tpmh_2b(&cc, NULL, 0);
		tpm_put_size16_end(&cc.w, m);
		tpmh_2b(&cc, t.b, t.n);
		tpmh_2b(&cc, outside, sizeof(outside));
		tpmh_bytes(&cc, sel, sizeof(sel));
		tpm_patch_u32(&cc.w, 2, (uint32_t)cc.w.len);
		h.rsp_len = tpm_execute(h.tpm, 3, cc.buf, cc.w.len, h.rsp, sizeof(h.rsp));
		ASSERT(tpm_ld32(h.rsp + 6) == TPM_RC_SUCCESS);
	}
	parse_created(&h, &o);
	/* the PCR digest: SHA-256 over SHA-256 PCRs 0, 1, 16 then SHA-1 PCR 7 */
	memcpy(buf + n, h.tpm->pcr[1][0], 32);
	n += 32;
	memcpy(buf + n, h.tpm->pcr[1][1], 32);
	n += 32;
	memcpy(buf + n, h.tpm->pcr[1][16], 32);
	n += 32;
	memcpy(buf + n, h.tpm->pcr[0][7], 20);
	n += 20;
	md(MBEDTLS_MD_SHA256, buf, n, d);
	ASSERT(o.cdata_size == sizeof(sel) + 2 + 32 + 1 + 2 + 6 + 6 + 2 + sizeof(outside));
	/* the selection as given, the SHA-512 bank's bits cleared */
	EXPECT_MEM_EQ(o.cdata, sel, sizeof(sel) - 3);
	EXPECT(o.cdata[sizeof(sel) - 3] == 0 && o.cdata[sizeof(sel) - 2] == 0);
	EXPECT_MEM_EQ(o.cdata + sizeof(sel) + 2, d, 32);
	EXPECT_EQ_U64(o.cdata[sizeof(sel) + 34], 1u << 3); /* TPMA_LOCALITY: locality 3 */
	EXPECT_MEM_EQ(o.cdata + o.cdata_size - sizeof(outside), outside, sizeof(outside));
	(void)in;
	tpmh_destroy(&h);
}

/* ---- Unseal --------------------------------------------------------------------------------- */

static tpm_rc unseal_pw(struct tpmh *h, uint32_t handle, const void *pw, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tpmh_u32(&c, handle);
	tpmh_pw(&c, pw, n);
	return tpmh_send(h, &c);
}

static void expect_unsealed(struct tpmh *h, const void *data, size_t n)
{
	struct tpm_rd r = tpmh_params(h, false);
	uint16_t sz = 0;

	ASSERT(tpm_get_u16(&r, &sz) == TPM_RC_SUCCESS && sz == n && r.left == n);
	EXPECT_MEM_EQ(r.p, data, n);
}

UNIT_TEST(tpm_object_unseal_password)
{
	struct tpmh h;
	struct cp_in in = {.auth = "pw", .auth_len = 2, .data = "sealed secret", .data_len = 13};
	struct spec s = SEALED;
	uint32_t obj;

	tpmh_init(&h);
	ASSERT(create(&h, TPM_RH_OWNER, &s, &in) == TPM_RC_SUCCESS);
	obj = tpmh_rsp_handle(&h);
	EXPECT_EQ_U64(unseal_pw(&h, obj, "pw", 2), TPM_RC_SUCCESS);
	expect_unsealed(&h, "sealed secret", 13);
	EXPECT_EQ_U64(unseal_pw(&h, obj, "pw\0\0", 4), TPM_RC_SUCCESS); /* trailing zeros */
	/* DA-protected: a wrong password counts */
	EXPECT_EQ_U64(unseal_pw(&h, obj, "wrong", 5), TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_COUNTER), 1);
	/* noDA: BAD_AUTH, not counted */
	s.attrs |= OA_NODA;
	ASSERT(create(&h, TPM_RH_NULL, &s, &in) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_pw(&h, tpmh_rsp_handle(&h), "wrong", 5), TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_COUNTER), 1);
	/* userWithAuth CLEAR: a password cannot authorize USER actions */
	s.attrs = OA_FIXEDTPM | OA_FIXEDPARENT | OA_ADMIN | OA_NODA;
	ASSERT(create(&h, TPM_RH_OWNER, &s, &in) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_pw(&h, tpmh_rsp_handle(&h), "pw", 2), TPM_RC_AUTH_UNAVAILABLE);
	/* what cannot be unsealed */
	ASSERT(create(&h, TPM_RH_OWNER, &HMACKEY, NULL) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_pw(&h, tpmh_rsp_handle(&h), "", 0), TPM_RCH(TPM_RC_ATTRIBUTES, 1));
	ASSERT(create(&h, TPM_RH_OWNER, &ECC256, NULL) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_pw(&h, tpmh_rsp_handle(&h), "", 0), TPM_RCH(TPM_RC_TYPE, 1));
	{
		struct tpmh_cmd c;

		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
		tpmh_2b(&c, NULL, 0);
		tpmh_u16(&c, TPM_ALG_SHA256);
		ASSERT(tpmh_send(&h, &c) == TPM_RC_SUCCESS);
		EXPECT_EQ_U64(unseal_pw(&h, tpmh_rsp_handle(&h), "", 0), TPM_RCH(TPM_RC_TYPE, 1));
		/* without authorization, with a parameter, an absent object */
		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Unseal);
		tpmh_u32(&c, obj);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
		tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
		tpmh_u32(&c, obj);
		tpmh_pw(&c, "pw", 2);
		tpmh_u8(&c, 0);
		EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	}
	ASSERT(flush(&h, obj) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_pw(&h, obj, "pw", 2), TPM_RC_REFERENCE_H0);
	/* a sealed object of the largest size */
	{
		uint8_t big[TPM_MAX_SYM_DATA];
		struct cp_in bin = {.data = big, .data_len = sizeof(big)};

		for (unsigned i = 0; i < sizeof(big); i++)
			big[i] = (uint8_t)(0xA0 ^ i);
		ASSERT(create(&h, TPM_RH_OWNER, &SEALED, &bin) == TPM_RC_SUCCESS);
		ASSERT(unseal_pw(&h, tpmh_rsp_handle(&h), "", 0) == TPM_RC_SUCCESS);
		expect_unsealed(&h, big, sizeof(big));
	}
	tpmh_destroy(&h);
}

/* An HMAC session (SHA-256, unsalted), unbound or bound to the object, as ESAPI computes it. */
struct hsess {
	uint32_t handle;
	uint8_t nonce_tpm[32];
	uint8_t nonce_caller[32];
	uint8_t key[32];
	size_t key_size;
};

static void start_hsess(struct tpmh *h, struct hsess *s, uint32_t bind, const char *bind_auth)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t n = 0;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i < 32; i++)
		s->nonce_caller[i] = (uint8_t)(7 * i + 1);
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
	tpmh_u32(&c, TPM_RH_NULL);
	tpmh_u32(&c, bind);
	tpmh_2b(&c, s->nonce_caller, 32);
	tpmh_2b(&c, NULL, 0);
	tpmh_u8(&c, TPM_SE_HMAC);
	tpmh_u16(&c, TPM_ALG_NULL);
	tpmh_u16(&c, TPM_ALG_SHA256);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
	s->handle = tpmh_rsp_handle(h);
	r = tpmh_params(h, true);
	ASSERT(tpm_get_u16(&r, &n) == TPM_RC_SUCCESS && n == 32);
	memcpy(s->nonce_tpm, r.p, 32);
	if (bind != TPM_RH_NULL && bind_auth[0] != 0) {
		/* sessionKey = KDFa(SHA-256, bindAuth, "ATH", nonceTPM, nonceCaller, 256) */
		uint8_t m[4 + 4 + 32 + 32 + 4] = {0, 0, 0, 1, 'A', 'T', 'H', 0};

		memcpy(m + 8, s->nonce_tpm, 32);
		memcpy(m + 40, s->nonce_caller, 32);
		tpm_be32(m + 72, 256);
		hmac_md(MBEDTLS_MD_SHA256, bind_auth, strlen(bind_auth), m, sizeof(m), s->key);
		s->key_size = 32;
	}
}

/* Unseal(handle, Name) with s; auth: the object's authValue in the HMAC key (NULL: bound). */
static tpm_rc unseal_hmac(struct tpmh *h, struct hsess *s, uint32_t handle, const uint8_t *name,
			  size_t name_len, const char *auth, const char *want, bool corrupt)
{
	struct tpmh_cmd c;
	uint8_t m[256];
	uint8_t key[96];
	uint8_t cph[32], hm[32];
	size_t kn = s->key_size;
	size_t mark;
	tpm_rc rc;

	tpm_be32(m, TPM_CC_Unseal);
	memcpy(m + 4, name, name_len);
	md(MBEDTLS_MD_SHA256, m, 4 + name_len, cph);
	memcpy(key, s->key, s->key_size);
	if (auth != NULL) {
		memcpy(key + kn, auth, strlen(auth));
		kn += strlen(auth);
	}
	memcpy(m, cph, 32);
	memcpy(m + 32, s->nonce_caller, 32);
	memcpy(m + 64, s->nonce_tpm, 32);
	m[96] = TPMA_SESSION_CONTINUESESSION;
	hmac_md(MBEDTLS_MD_SHA256, key, kn, m, 97, hm);
	hm[0] ^= corrupt ? 1 : 0;
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
	tpmh_u32(&c, handle);
	mark = tpm_put_size32_begin(&c.w);
	tpmh_u32(&c, s->handle);
	tpmh_2b(&c, s->nonce_caller, 32);
	tpmh_u8(&c, TPMA_SESSION_CONTINUESESSION);
	tpmh_2b(&c, hm, 32);
	tpm_put_size32_end(&c.w, mark);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	{
		/* outData, then the session: new nonceTPM, attributes, HMAC over rpHash */
		uint32_t psize = tpm_ld32(h->rsp + 10);
		const uint8_t *rp = h->rsp + 14;
		const uint8_t *ra = rp + psize;
		uint8_t rph[32], want_hmac[32];

		ASSERT(psize == 2 + strlen(want) && tpm_ld16(rp) == strlen(want));
		EXPECT_MEM_EQ(rp + 2, want, strlen(want));
		ASSERT(tpm_ld16(ra) == 32);
		memcpy(s->nonce_tpm, ra + 2, 32);
		EXPECT_EQ_U64(ra[34], TPMA_SESSION_CONTINUESESSION);
		ASSERT(tpm_ld16(ra + 35) == 32);
		tpm_be32(m, TPM_RC_SUCCESS);
		tpm_be32(m + 4, TPM_CC_Unseal);
		memcpy(m + 8, rp, psize);
		md(MBEDTLS_MD_SHA256, m, 8 + psize, rph);
		memcpy(m, rph, 32);
		memcpy(m + 32, s->nonce_tpm, 32);
		memcpy(m + 64, s->nonce_caller, 32);
		m[96] = TPMA_SESSION_CONTINUESESSION;
		hmac_md(MBEDTLS_MD_SHA256, key, kn, m, 97, want_hmac);
		EXPECT_MEM_EQ(ra + 37, want_hmac, 32);
	}
	return rc;
}

UNIT_TEST(tpm_object_unseal_hmac_sessions)
{
	struct tpmh h;
	struct hsess s;
	struct cp_in in = {.auth = "objpw", .auth_len = 5, .data = "hmac secret", .data_len = 11};
	struct created o;
	uint32_t obj;

	tpmh_init(&h);
	ASSERT(create(&h, TPM_RH_OWNER, &SEALED, &in) == TPM_RC_SUCCESS);
	parse_created(&h, &o);
	obj = o.handle;
	/* unbound: the HMAC key is the object's authValue; the cpHash names it by its Name */
	start_hsess(&h, &s, TPM_RH_NULL, "");
	EXPECT_EQ_U64(unseal_hmac(&h, &s, obj, o.name, o.name_size, "objpw", "hmac secret", false),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_hmac(&h, &s, obj, o.name, o.name_size, "objpw", "hmac secret", false),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(unseal_hmac(&h, &s, obj, o.name, o.name_size, "objpw", "", true),
		      TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	/* a Name of the handle (as for sequences) is not the object's Name */
	{
		uint8_t hn[4];

		tpm_be32(hn, obj);
		EXPECT_EQ_U64(unseal_hmac(&h, &s, obj, hn, 4, "objpw", "", false),
			      TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	}
	/* bound to the object: the authValue is left out of the key */
	start_hsess(&h, &s, obj, "objpw");
	EXPECT_EQ_U64(unseal_hmac(&h, &s, obj, o.name, o.name_size, NULL, "hmac secret", false),
		      TPM_RC_SUCCESS);
	/* bound to something else: sessionKey || authValue */
	start_hsess(&h, &s, TPM_RH_OWNER, "");
	EXPECT_EQ_U64(unseal_hmac(&h, &s, obj, o.name, o.name_size, "objpw", "hmac secret", false),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(prop(&h, TPM_PT_LOCKOUT_COUNTER), 2);
	tpmh_destroy(&h);
}

/* ---- TestParms ------------------------------------------------------------------------------ */

UNIT_TEST(tpm_object_testparms)
{
	static const struct {
		const char *what;
		uint8_t p[16];
		size_t n;
		tpm_rc rc;
	} cases[] = {
		{"RSA-2048 storage",
		 {0, 1, 0, 6, 0, 128, 0, 0x43, 0, 0x10, 8, 0, 0, 0, 0, 0},
		 16,
		 0},
		{"RSA-3072 RSASSA", {0, 1, 0, 0x10, 0, 0x14, 0, 0x0b, 0x0c, 0, 0, 1, 0, 1}, 14, 0},
		{"RSA-1024",
		 {0, 1, 0, 0x10, 0, 0x10, 4, 0, 0, 0, 0, 0},
		 12,
		 TPM_RCP(TPM_RC_VALUE, 1)},
		{"ECC P-384 ECDSA", {0, 0x23, 0, 0x10, 0, 0x18, 0, 0x0c, 0, 4, 0, 0x10}, 12, 0},
		{"ECC P-521",
		 {0, 0x23, 0, 0x10, 0, 0x10, 0, 5, 0, 0x10},
		 10,
		 TPM_RCP(TPM_RC_CURVE, 1)},
		{"ECC kdf",
		 {0, 0x23, 0, 0x10, 0, 0x10, 0, 3, 0, 0x21, 0, 0x0b},
		 12,
		 TPM_RCP(TPM_RC_KDF, 1)},
		{"KEYEDHASH HMAC", {0, 8, 0, 5, 0, 0x0b}, 6, 0},
		{"KEYEDHASH XOR", {0, 8, 0, 0x0a, 0, 0x0b, 0, 0x22}, 8, TPM_RCP(TPM_RC_VALUE, 1)},
		{"SYMCIPHER AES-256 CFB", {0, 0x25, 0, 6, 1, 0, 0, 0x43}, 8, 0},
		{"SYMCIPHER CTR", {0, 0x25, 0, 6, 0, 128, 0, 0x40}, 8, 0},
		{"SYMCIPHER mode 0x99",
		 {0, 0x25, 0, 6, 0, 128, 0, 0x99},
		 8,
		 TPM_RCP(TPM_RC_MODE, 1)},
		{"SYMCIPHER NULL", {0, 0x25, 0, 0x10}, 4, TPM_RCP(TPM_RC_SYMMETRIC, 1)},
		{"trailing byte", {0, 8, 0, 0x10, 0}, 5, TPM_RC_SIZE},
		{"truncated", {0, 0x23, 0, 0x10}, 4, TPM_RCP(TPM_RC_INSUFFICIENT, 1)},
	};
	struct tpmh h;

	tpmh_init(&h);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tpmh_cmd c;
		tpm_rc rc;

		tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
		tpmh_bytes(&c, cases[i].p, cases[i].n);
		rc = tpmh_send(&h, &c);
		EXPECTF(rc == cases[i].rc, "%s: %#x, want %#x", cases[i].what, rc, cases[i].rc);
	}
	tpmh_destroy(&h);
}

/* ---- mbedTLS allocates through the platform -------------------------------------------------- */

static unsigned allocs, frees, fail_after;

static void *count_alloc(void *ctx, size_t n)
{
	(void)ctx;
	if (fail_after != 0 && allocs + 1 >= fail_after)
		return NULL;
	allocs++;
	return calloc(1, n);
}

static void count_free(void *ctx, void *p)
{
	(void)ctx;
	if (p != NULL)
		frees++;
	free(p);
}

UNIT_TEST(tpm_object_mbedtls_uses_the_platform_allocator)
{
	struct tpmh h;

	tpmh_init(&h);
	allocs = frees = fail_after = 0;
	h.tpm->plat.alloc = count_alloc;
	h.tpm->plat.free = count_free;
	ASSERT(create(&h, TPM_RH_OWNER, &ECC256, NULL) == TPM_RC_SUCCESS);
	EXPECT(allocs > 0);
	EXPECT_EQ_U64(frees, allocs); /* nothing outlives the command */
	ASSERT(create(&h, TPM_RH_OWNER, &RSA2048, NULL) == TPM_RC_SUCCESS);
	EXPECT_EQ_U64(frees, allocs);
	/* the allocator fails: TPM_RC_MEMORY, nothing loaded, nothing leaked */
	allocs = frees = 0;
	fail_after = 3;
	EXPECT_EQ_U64(create(&h, TPM_RH_ENDORSEMENT, &ECC256, NULL), TPM_RC_MEMORY);
	EXPECT_EQ_U64(frees, allocs);
	fail_after = 0;
	EXPECT_EQ_U64(prop(&h, TPM_PT_HR_TRANSIENT_AVAIL), TPM_MAX_OBJECTS - 2);
	EXPECT_EQ_U64(create(&h, TPM_RH_ENDORSEMENT, &ECC256, NULL), TPM_RC_SUCCESS);
	h.tpm->plat.alloc = h.mp.plat.alloc;
	h.tpm->plat.free = h.mp.plat.free;
	tpmh_destroy(&h);
}
