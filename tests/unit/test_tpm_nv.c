// SPDX-License-Identifier: MIT
/*
 * NV index commands (tpm/cmd_nv.c, tpm/nv.c): define/undefine, read/write, counters, bit fields,
 * extend indices, locks across Startup, persistence and failed commits.
 *
 * Expected codes, attribute words and Names marked "libtpms" were taken from libtpms 0.9.2
 * (TPMLIB_Process) running the same command sequences.
 */
#include <string.h>

#include "../../tpm/internal.h"
#include "tpm_harness.h"
#include "unit.h"

#define IDX   0x01500000u
#define NT(n) ((uint32_t)(n) << TPMA_NV_TPM_NT_SHIFT)
#define RW    (TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD)
#define PP    (TPMA_NV_PPWRITE | TPMA_NV_PPREAD | TPMA_NV_PLATFORMCREATE)

/* ---- command helpers --------------------------------------------------------------------- */

static tpm_rc define_ex(struct tpmh *h, uint32_t auth_h, const char *auth, size_t alen,
			uint32_t handle, uint16_t alg, uint32_t attrs, uint16_t plen, uint16_t size)
{
	struct tpmh_cmd c;
	uint8_t pol[80];
	size_t m;

	memset(pol, 0xAB, sizeof(pol));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tpmh_u32(&c, auth_h);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, auth, alen);
	m = tpm_put_size16_begin(&c.w);
	tpmh_u32(&c, handle);
	tpmh_u16(&c, alg);
	tpmh_u32(&c, attrs);
	tpmh_2b(&c, pol, plen);
	tpmh_u16(&c, size);
	tpm_put_size16_end(&c.w, m);
	return tpmh_send(h, &c);
}

static tpm_rc define(struct tpmh *h, uint32_t handle, uint32_t attrs, uint16_t size)
{
	return define_ex(h, TPM_RH_OWNER, "", 0, handle, TPM_ALG_SHA256, attrs, 0, size);
}

static tpm_rc define_pw(struct tpmh *h, uint32_t handle, uint32_t attrs, uint16_t size,
			const char *pw)
{
	return define_ex(h, TPM_RH_OWNER, pw, strlen(pw), handle, TPM_ALG_SHA256, attrs, 0, size);
}

/* NV_DefineSpace by the owner with an empty auth and raw bytes for publicInfo. */
static tpm_rc define_raw(struct tpmh *h, const void *pub, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 0);
	tpmh_bytes(&c, pub, n);
	return tpmh_send(h, &c);
}

static tpm_rc nv_write_pw(struct tpmh *h, uint32_t auth_h, const char *pw, uint32_t idx,
			  const void *d, size_t n, uint16_t off)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tpmh_u32(&c, auth_h);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_2b(&c, d, n);
	tpmh_u16(&c, off);
	return tpmh_send(h, &c);
}

static tpm_rc nv_write(struct tpmh *h, uint32_t idx, const void *d, size_t n, uint16_t off)
{
	return nv_write_pw(h, TPM_RH_OWNER, "", idx, d, n, off);
}

/* NV_Read; on success the data (exactly size bytes) goes to out when out is not NULL. */
static tpm_rc nv_read_pw(struct tpmh *h, uint32_t auth_h, const char *pw, uint32_t idx,
			 uint16_t size, uint16_t off, uint8_t *out)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t n = 0;
	tpm_rc rc;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tpmh_u32(&c, auth_h);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, pw, strlen(pw));
	tpmh_u16(&c, size);
	tpmh_u16(&c, off);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	r = tpmh_params(h, false);
	ASSERT(tpm_get_u16(&r, &n) == TPM_RC_SUCCESS);
	ASSERT(n == size && r.left == size);
	if (out != NULL)
		memcpy(out, r.p, n);
	return rc;
}

static tpm_rc nv_read(struct tpmh *h, uint32_t idx, uint16_t size, uint16_t off, uint8_t *out)
{
	return nv_read_pw(h, TPM_RH_OWNER, "", idx, size, off, out);
}

/* A command whose handles are (auth_h, idx) and which has no parameters. */
static tpm_rc nv_cmd(struct tpmh *h, uint32_t cc, uint32_t auth_h, uint32_t idx)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, cc);
	tpmh_u32(&c, auth_h);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, "", 0);
	return tpmh_send(h, &c);
}

static tpm_rc nv_undefine(struct tpmh *h, uint32_t auth_h, uint32_t idx)
{
	return nv_cmd(h, TPM_CC_NV_UndefineSpace, auth_h, idx);
}

static tpm_rc nv_extend(struct tpmh *h, uint32_t idx, const void *d, size_t n)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Extend);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, d, n);
	return tpmh_send(h, &c);
}

static tpm_rc nv_setbits(struct tpmh *h, uint32_t idx, uint64_t bits)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_SetBits);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, idx);
	tpmh_pw(&c, "", 0);
	tpmh_u64(&c, bits);
	return tpmh_send(h, &c);
}

static tpm_rc global_lock(struct tpmh *h, uint32_t auth_h)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_GlobalWriteLock);
	tpmh_u32(&c, auth_h);
	tpmh_pw(&c, "", 0);
	return tpmh_send(h, &c);
}

static uint64_t read_u64(struct tpmh *h, uint32_t idx)
{
	uint8_t b[8];

	ASSERT(nv_read(h, idx, 8, 0, b) == TPM_RC_SUCCESS);
	return (uint64_t)tpm_ld32(b) << 32 | tpm_ld32(b + 4);
}

struct nv_pub {
	uint32_t handle;
	uint16_t alg;
	uint32_t attrs;
	uint16_t policy_size;
	uint16_t size;
	uint16_t name_size;
	uint8_t name[2 + 64];
};

/* NV_ReadPublic, checking the response's own structure. */
static tpm_rc read_public(struct tpmh *h, uint32_t idx, struct nv_pub *p)
{
	struct tpmh_cmd c;
	struct tpm_rd r;
	uint16_t size = 0;
	uint8_t policy[64];
	size_t left;
	tpm_rc rc;

	memset(p, 0, sizeof(*p));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
	tpmh_u32(&c, idx);
	rc = tpmh_send(h, &c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	r = tpmh_params(h, false);
	ASSERT(tpm_get_u16(&r, &size) == TPM_RC_SUCCESS);
	left = r.left;
	ASSERT(tpm_get_u32(&r, &p->handle) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u16(&r, &p->alg) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u32(&r, &p->attrs) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_2b(&r, policy, sizeof(policy), &p->policy_size) == TPM_RC_SUCCESS);
	ASSERT(tpm_get_u16(&r, &p->size) == TPM_RC_SUCCESS);
	ASSERT(left - r.left == size);
	ASSERT(tpm_get_2b(&r, p->name, sizeof(p->name), &p->name_size) == TPM_RC_SUCCESS);
	ASSERT(r.left == 0);
	return rc;
}

static uint32_t attrs_of(struct tpmh *h, uint32_t idx)
{
	struct nv_pub p;

	ASSERT(read_public(h, idx, &p) == TPM_RC_SUCCESS);
	return p.attrs;
}

static void shutdown(struct tpmh *h, uint16_t su)
{
	struct tpmh_cmd c;

	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
	tpmh_u16(&c, su);
	ASSERT(tpmh_send(h, &c) == TPM_RC_SUCCESS);
}

/* The arena holds exactly the data of the defined indices, without gaps or overlaps. */
static bool arena_packed(const struct tpm_perm *p)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *a = &p->nv[i];

		if (a->handle == 0)
			continue;
		if (a->data_off + a->data_size > p->nv_data_used)
			return false;
		sum += a->data_size;
		for (unsigned j = i + 1; j < TPM_NV_INDICES_MAX; j++) {
			const struct tpm_nv_index *b = &p->nv[j];

			if (b->handle == 0 || a->data_size == 0 || b->data_size == 0)
				continue;
			if (a->data_off < b->data_off + b->data_size &&
			    b->data_off < a->data_off + a->data_size)
				return false;
		}
	}
	return sum == p->nv_data_used;
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

/* ---- DefineSpace / ReadPublic / Write / Read ------------------------------------------- */

UNIT_TEST(tpm_nv_define_write_read_and_name)
{
	static const uint8_t name_unwritten[] = {
		0x00, 0x0b, 0xee, 0x13, 0x4c, 0xe6, 0xef, 0x2c, 0x9a, 0xcb, 0xf5, 0x6d,
		0xc6, 0x6d, 0x40, 0x62, 0x55, 0x50, 0x42, 0x3c, 0xa7, 0x35, 0x3f, 0xb1,
		0x12, 0x64, 0xab, 0x85, 0x4c, 0x5f, 0xe6, 0x6a, 0xd4, 0x68};
	static const uint8_t name_written[] = {0x00, 0x0b, 0xf6, 0x7a, 0xec, 0x49, 0xff, 0xa1, 0x2a,
					       0x0b, 0x79, 0x59, 0xd8, 0x8c, 0x84, 0x21, 0x16, 0x42,
					       0x31, 0xc7, 0x5b, 0x23, 0x73, 0xac, 0xc7, 0x59, 0x81,
					       0x89, 0x73, 0xb7, 0x1f, 0x7d, 0x57, 0x41};
	static const uint8_t expect[16] = {0xff, 'a',  'b',  'c',  0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct tpmh h;
	struct nv_pub p;
	uint8_t buf[16];

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW, 16), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX, &p), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(p.handle, IDX);
	EXPECT_EQ_U64(p.alg, TPM_ALG_SHA256);
	EXPECT_EQ_U64(p.attrs, RW);
	EXPECT_EQ_U64(p.policy_size, 0);
	EXPECT_EQ_U64(p.size, 16);
	EXPECT_EQ_U64(p.name_size, sizeof(name_unwritten));
	EXPECT_MEM_EQ(p.name, name_unwritten, sizeof(name_unwritten)); /* libtpms */

	EXPECT_EQ_U64(nv_read(&h, IDX, 4, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_write(&h, IDX, "abc", 3, 1), TPM_RC_SUCCESS);
	/* bytes never written read as erased (0xFF), as in libtpms */
	EXPECT_EQ_U64(nv_read(&h, IDX, 16, 0, buf), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(buf, expect, 16);
	EXPECT_EQ_U64(nv_read(&h, IDX, 2, 2, buf), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(buf, "bc", 2);
	EXPECT_EQ_U64(nv_read(&h, IDX, 0, 16, NULL), TPM_RC_SUCCESS);

	/* the first write SETs WRITTEN, which changes the Name */
	EXPECT_EQ_U64(read_public(&h, IDX, &p), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(p.attrs, RW | TPMA_NV_WRITTEN);
	EXPECT_MEM_EQ(p.name, name_written, sizeof(name_written)); /* libtpms */
	/* the engine names the index the same way (cpHash of HMAC sessions) */
	{
		uint8_t n[2 + TPM_MAX_DIGEST];
		uint16_t ns = 0;

		EXPECT(tpm_entity_name(h.tpm, IDX, n, &ns));
		EXPECT_EQ_U64(ns, p.name_size);
		EXPECT_MEM_EQ(n, p.name, ns);
	}

	/* the index's own password (AUTHWRITE/AUTHREAD) */
	EXPECT_EQ_U64(nv_write_pw(&h, IDX, "", IDX, "Z", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read_pw(&h, IDX, "", IDX, 1, 0, buf), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(buf[0], 'Z');
	/* an empty write to a fresh index still makes it written (libtpms) */
	EXPECT_EQ_U64(define(&h, IDX + 1, RW, 16), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "", 0, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(attrs_of(&h, IDX + 1), RW | TPMA_NV_WRITTEN);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_read_public_other_algs_and_errors)
{
	static const uint8_t name_sha1[] = {0x00, 0x04, 0x88, 0xfb, 0x14, 0x13, 0x3d, 0x36,
					    0x82, 0x12, 0xc0, 0xe1, 0x7c, 0xc1, 0xa9, 0x00,
					    0x58, 0x93, 0x37, 0x31, 0x20, 0x9d};
	struct tpmh h;
	struct tpmh_cmd c;
	struct nv_pub p;

	tpmh_init(&h);
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, "", 0, IDX + 1, TPM_ALG_SHA1,
				RW | NT(TPM_NT_EXTEND), 0, 20),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX + 1, &p), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(p.name, name_sha1, sizeof(name_sha1)); /* libtpms */
	/* policy digests of every implemented size round-trip */
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, "", 0, IDX + 2, TPM_ALG_SHA384, RW, 48, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX + 2, &p), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(p.policy_size, 48);
	EXPECT_EQ_U64(p.name_size, 2 + 48);
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, "", 0, IDX + 3, TPM_ALG_SHA512, RW, 64, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX + 3, &p), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(p.policy_size, 64);

	EXPECT_EQ_U64(read_public(&h, IDX + 9, &p), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(read_public(&h, 0x81000000, &p), TPM_RCH(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
	tpmh_u32(&c, IDX + 1);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* an owner index is out of reach while the storage hierarchy is disabled */
	h.tpm->sh_enable = false;
	EXPECT_EQ_U64(read_public(&h, IDX + 1, &p), TPM_RCH(TPM_RC_HANDLE, 1));
	h.tpm->sh_enable = true;
	tpmh_destroy(&h);
}

struct define_row {
	const char *what;
	uint32_t auth_h;
	uint32_t handle;
	uint16_t alg;
	uint32_t attrs;
	uint16_t plen;
	uint16_t size;
	uint16_t alen;
	tpm_rc rc;
};

UNIT_TEST(tpm_nv_define_rejects_bad_public_areas)
{
	static const struct define_row rows[] = {
		/* unmarshalling of TPMS_NV_PUBLIC */
		{"persistent handle", TPM_RH_OWNER, 0x81000000, TPM_ALG_SHA256, RW, 0, 16, 0,
		 TPM_RCP(TPM_RC_VALUE, 2)},
		{"past the NV range", TPM_RH_OWNER, 0x02000000, TPM_ALG_SHA256, RW, 0, 16, 0,
		 TPM_RCP(TPM_RC_VALUE, 2)},
		{"unknown hash", TPM_RH_OWNER, IDX, 0x0099, RW, 0, 16, 0, TPM_RCP(TPM_RC_HASH, 2)},
		{"NULL hash", TPM_RH_OWNER, IDX, TPM_ALG_NULL, RW, 0, 16, 0,
		 TPM_RCP(TPM_RC_HASH, 2)},
		{"SM3", TPM_RH_OWNER, IDX, 0x0012, RW, 0, 16, 0, TPM_RCP(TPM_RC_HASH, 2)},
		{"reserved bit 8", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | 0x100, 0, 16, 0,
		 TPM_RCP(TPM_RC_RESERVED_BITS, 2)},
		{"reserved bit 24", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | 0x01000000, 0, 16, 0,
		 TPM_RCP(TPM_RC_RESERVED_BITS, 2)},
		{"policy > TPMU_HA", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 65, 16, 0,
		 TPM_RCP(TPM_RC_SIZE, 2)},
		{"index > NV_INDEX_MAX", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 0, 2049, 0,
		 TPM_RCP(TPM_RC_SIZE, 2)},
		{"size 0xFFFF", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 0, 0xFFFF, 0,
		 TPM_RCP(TPM_RC_SIZE, 2)},
		{"auth > TPMU_HA", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 0, 16, 65,
		 TPM_RCP(TPM_RC_SIZE, 1)},
		/* consistency (libtpms order and codes) */
		{"policy not a digest", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 20, 16, 0,
		 TPM_RCP(TPM_RC_SIZE, 2)},
		{"policy of SHA-512 size", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 64, 16, 0,
		 TPM_RCP(TPM_RC_SIZE, 2)},
		{"auth > nameAlg digest", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW, 0, 16, 33,
		 TPM_RCP(TPM_RC_SIZE, 1)},
		{"auth > SHA-1 digest", TPM_RH_OWNER, IDX, TPM_ALG_SHA1, RW, 0, 16, 21,
		 TPM_RCP(TPM_RC_SIZE, 1)},
		{"type 3", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | NT(3), 0, 16, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"type 15", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | NT(15), 0, 16, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"PIN_FAIL (not offered)", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_NO_DA | NT(TPM_NT_PIN_FAIL), 0, 8,
		 0, TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"PIN_PASS (not offered)", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | NT(TPM_NT_PIN_PASS), 0, 8, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"counter of 4 bytes", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | NT(TPM_NT_COUNTER),
		 0, 4, 0, TPM_RCP(TPM_RC_SIZE, 2)},
		{"bits of 16 bytes", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | NT(TPM_NT_BITS), 0, 16,
		 0, TPM_RCP(TPM_RC_SIZE, 2)},
		{"extend not digest sized", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 RW | NT(TPM_NT_EXTEND), 0, 20, 0, TPM_RCP(TPM_RC_SIZE, 2)},
		{"counter with CLEAR_STCLEAR", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 RW | NT(TPM_NT_COUNTER) | TPMA_NV_CLEAR_STCLEAR, 0, 8, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"WRITTEN", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | TPMA_NV_WRITTEN, 0, 16, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"WRITELOCKED", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | TPMA_NV_WRITELOCKED, 0, 16,
		 0, TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"READLOCKED", TPM_RH_OWNER, IDX, TPM_ALG_SHA256, RW | TPMA_NV_READLOCKED, 0, 16, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"no way to read", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE, 0, 16, 0, TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"no way to write", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD, 0, 16, 0, TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"CLEAR_STCLEAR with WRITEDEFINE", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 RW | TPMA_NV_CLEAR_STCLEAR | TPMA_NV_WRITEDEFINE, 0, 16, 0,
		 TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"PLATFORMCREATE by owner", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 RW | TPMA_NV_PLATFORMCREATE, 0, 16, 0, TPM_RCH(TPM_RC_ATTRIBUTES, 1)},
		{"platform without PLATFORMCREATE", TPM_RH_PLATFORM, IDX, TPM_ALG_SHA256, RW, 0, 16,
		 0, TPM_RCH(TPM_RC_ATTRIBUTES, 1)},
		{"POLICY_DELETE by owner", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 RW | TPMA_NV_POLICY_DELETE, 0, 16, 0, TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		/* (departure: no NV_UndefineSpaceSpecial, so such an index could not be deleted) */
		{"POLICY_DELETE by platform", TPM_RH_PLATFORM, IDX, TPM_ALG_SHA256,
		 PP | TPMA_NV_POLICY_DELETE, 0, 16, 0, TPM_RCP(TPM_RC_ATTRIBUTES, 2)},
		{"WRITEALL > NV_BUFFER_MAX", TPM_RH_OWNER, IDX, TPM_ALG_SHA256,
		 RW | TPMA_NV_WRITEALL, 0, 1025, 0, TPM_RCP(TPM_RC_SIZE, 2)},
		/* the hierarchy is checked by the engine */
		{"endorsement", TPM_RH_ENDORSEMENT, IDX, TPM_ALG_SHA256, RW, 0, 16, 0,
		 TPM_RCH(TPM_RC_VALUE, 1)},
	};
	struct tpmh h;
	char auth[80];
	struct nv_pub p;

	memset(auth, 'a', sizeof(auth));
	tpmh_init(&h);
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct define_row *r = &rows[i];

		EXPECTF(define_ex(&h, r->auth_h, auth, r->alen, r->handle, r->alg, r->attrs,
				  r->plen, r->size) == r->rc,
			"%s: got 0x%x", r->what,
			(unsigned)define_ex(&h, r->auth_h, auth, r->alen, r->handle, r->alg,
					    r->attrs, r->plen, r->size));
	}
	/* nothing was defined, nothing committed besides */
	EXPECT_EQ_U64(read_public(&h, IDX, &p), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, 0);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_define_accepts_edge_cases)
{
	struct tpmh h;
	char auth[34];
	uint8_t b[8];

	memset(auth, 'a', sizeof(auth));
	auth[32] = 0;
	auth[33] = 0;
	tpmh_init(&h);
	/* trailing zeros do not count against the digest size, and are not kept */
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, auth, 34, IDX, TPM_ALG_SHA256, RW, 0, 16),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(tpm_nv_find(h.tpm, IDX)->auth_size, 32);
	EXPECT_EQ_U64(nv_write_pw(&h, IDX, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", IDX, "x", 1, 0),
		      TPM_RC_SUCCESS);
	/* sizes and attributes libtpms accepts */
	EXPECT_EQ_U64(define(&h, IDX + 1, RW, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 2, RW | TPMA_NV_WRITEALL, 1024), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 3, RW | NT(TPM_NT_COUNTER) | TPMA_NV_WRITEALL, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 4, RW | NT(TPM_NT_BITS) | TPMA_NV_CLEAR_STCLEAR, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 5, RW | NT(TPM_NT_COUNTER) | TPMA_NV_WRITEDEFINE, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 6, RW, 2048), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, 0x01FFFFFF, RW, 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, 0x01000000, RW, 1), TPM_RC_SUCCESS);
	/* the owner may define in ranges the registry gives the platform (libtpms does) */
	EXPECT_EQ_U64(define(&h, 0x01C00002, RW, 1), TPM_RC_SUCCESS);
	/* the platform, with PLATFORMCREATE */
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_PLATFORM, "", 0, IDX + 7, TPM_ALG_SHA256, PP, 0, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write_pw(&h, TPM_RH_PLATFORM, "", IDX + 7, "12345678", 8, 0),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read_pw(&h, TPM_RH_PLATFORM, "", IDX + 7, 8, 0, b), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(b, "12345678", 8);
	/* twice: NV_DEFINED, after every other check */
	EXPECT_EQ_U64(define(&h, IDX, RW, 16), TPM_RC_NV_DEFINED);
	EXPECT_EQ_U64(define(&h, IDX, RW | TPMA_NV_WRITTEN, 16), TPM_RCP(TPM_RC_ATTRIBUTES, 2));
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_define_malformed_public_info)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t pub[64];
	struct tpm_wr w;

	tpmh_init(&h);
	/* a well-formed TPMS_NV_PUBLIC of 14 bytes after its size */
	w = tpm_wr_init(pub, sizeof(pub));
	tpm_put_u16(&w, 14);
	tpm_put_u32(&w, IDX);
	tpm_put_u16(&w, TPM_ALG_SHA256);
	tpm_put_u32(&w, RW);
	tpm_put_u16(&w, 0);
	tpm_put_u16(&w, 16);
	/* size field too small, too large (with a spare byte to read), zero */
	tpm_be16(pub, 13);
	EXPECT_EQ_U64(define_raw(&h, pub, w.len), TPM_RCP(TPM_RC_SIZE, 2));
	tpm_be16(pub, 15);
	EXPECT_EQ_U64(define_raw(&h, pub, w.len), TPM_RCP(TPM_RC_SIZE, 2));
	pub[w.len] = 0;
	EXPECT_EQ_U64(define_raw(&h, pub, w.len + 1), TPM_RCP(TPM_RC_SIZE, 2));
	tpm_be16(pub, 0);
	EXPECT_EQ_U64(define_raw(&h, pub, 2), TPM_RCP(TPM_RC_SIZE, 2));
	/* truncated inside the structure, and missing altogether */
	tpm_be16(pub, 14);
	EXPECT_EQ_U64(define_raw(&h, pub, w.len - 1), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	EXPECT_EQ_U64(define_raw(&h, pub, 0), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	/* a size beyond the command: the contents are decoded first (libtpms: VALUE for handle 0) */
	{
		uint8_t big[12] = {0x00, 0x40};

		EXPECT_EQ_U64(define_raw(&h, big, sizeof(big)), TPM_RCP(TPM_RC_VALUE, 2));
	}
	/* trailing bytes after the parameters */
	pub[w.len] = 0;
	tpm_be16(pub, 14);
	EXPECT_EQ_U64(define_raw(&h, pub, w.len + 1), TPM_RC_SIZE);
	/* auth truncated */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 4);
	tpmh_u8(&c, 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	/* and the good one */
	EXPECT_EQ_U64(define_raw(&h, pub, w.len), TPM_RC_SUCCESS);
	EXPECT(tpm_nv_find(h.tpm, IDX) != NULL);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_define_space_limits_and_hierarchies)
{
	struct tpmh h;
	unsigned n = 0;

	tpmh_init(&h);
	/* 32 indices of 2048 bytes fill the 64 KiB arena exactly */
	for (unsigned i = 0; i < TPM_NV_DATA_MAX / TPM_NV_INDEX_MAX; i++, n++)
		EXPECT_EQ_U64(define(&h, IDX + n, RW, TPM_NV_INDEX_MAX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, TPM_NV_DATA_MAX);
	EXPECT_EQ_U64(define(&h, IDX + n, RW, 1), TPM_RC_NV_SPACE);
	/* the slots run out too */
	while (n < TPM_NV_INDICES_MAX) {
		EXPECT_EQ_U64(define(&h, IDX + n, RW, 0), TPM_RC_SUCCESS);
		n++;
	}
	EXPECT_EQ_U64(define(&h, IDX + n, RW, 0), TPM_RC_NV_SPACE);
	/* the whole state still commits and comes back */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, TPM_NV_DATA_MAX);
	EXPECT(arena_packed(&h.tpm->perm));
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + 3), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + n, RW, 2048), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + n + 1, RW, 0), TPM_RC_NV_SPACE);
	tpmh_destroy(&h);

	/* the platform cannot define while phEnableNV is CLEAR */
	tpmh_init(&h);
	h.tpm->ph_enable_nv = false;
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_PLATFORM, "", 0, IDX, TPM_ALG_SHA256, PP, 0, 8),
		      TPM_RCH(TPM_RC_HIERARCHY, 1));
	h.tpm->ph_enable_nv = true;
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_PLATFORM, "", 0, IDX, TPM_ALG_SHA256, PP, 0, 8),
		      TPM_RC_SUCCESS);
	/* and its indices disappear from view with it */
	h.tpm->ph_enable_nv = false;
	EXPECT_EQ_U64(nv_write_pw(&h, TPM_RH_PLATFORM, "", IDX, "x", 1, 0),
		      TPM_RCH(TPM_RC_HANDLE, 2));
	h.tpm->ph_enable_nv = true;
	tpmh_destroy(&h);
}

/* ---- UndefineSpace --------------------------------------------------------------------- */

UNIT_TEST(tpm_nv_undefine_rules)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct nv_pub p;

	tpmh_init(&h);
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_PLATFORM, "", 0, IDX, TPM_ALG_SHA256, PP | RW, 0, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, RW, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 2, RW, 8), TPM_RC_SUCCESS);
	/* the owner may not delete what the platform created */
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX), TPM_RC_NV_AUTHORIZATION);
	/* the platform deletes both kinds */
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_PLATFORM, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_PLATFORM, IDX + 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX, &p), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(read_public(&h, IDX + 1, &p), TPM_RCH(TPM_RC_HANDLE, 1));
	/* gone, never there, wrong kinds of handle */
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + 1), TPM_RCH(TPM_RC_HANDLE, 2));
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_ENDORSEMENT, IDX + 2), TPM_RCH(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(nv_undefine(&h, IDX + 2, IDX + 2), TPM_RCH(TPM_RC_VALUE, 1));
	/* trailing bytes */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_UndefineSpace);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX + 2);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* POLICY_DELETE indices go only through NV_UndefineSpaceSpecial. None can be defined
	 * yet (see tpm_nv_define_rejects_bad_public_areas): plant one. */
	tpm_nv_find(h.tpm, IDX + 2)->attrs |= TPMA_NV_POLICY_DELETE;
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + 2), TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	tpm_nv_find(h.tpm, IDX + 2)->attrs &= ~TPMA_NV_POLICY_DELETE;
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, 0);
	/* the handle can be defined again, fresh */
	EXPECT_EQ_U64(define(&h, IDX + 2, RW, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 2, 8, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_undefine_compacts_the_arena)
{
	static const uint16_t sizes[6] = {16, 100, 7, 33, 2048, 1};
	struct tpmh h;
	uint8_t want[2048];
	uint8_t got[1024];
	bool gone[6] = {false};
	static const unsigned order[] = {1, 4, 0};

	tpmh_init(&h);
	for (unsigned i = 0; i < 6; i++) {
		EXPECT_EQ_U64(define(&h, IDX + i, RW, sizes[i]), TPM_RC_SUCCESS);
		fill(want, sizes[i], (uint8_t)(i * 31 + 1));
		for (unsigned off = 0; off < sizes[i]; off += 1024) {
			uint16_t n = (uint16_t)(sizes[i] - off > 1024 ? 1024 : sizes[i] - off);

			EXPECT_EQ_U64(nv_write(&h, IDX + i, want + off, n, (uint16_t)off),
				      TPM_RC_SUCCESS);
		}
	}
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, 16 + 100 + 7 + 33 + 2048 + 1);
	for (unsigned k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		uint32_t used = h.tpm->perm.nv_data_used;

		EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + order[k]), TPM_RC_SUCCESS);
		gone[order[k]] = true;
		EXPECT_EQ_U64(h.tpm->perm.nv_data_used, used - sizes[order[k]]);
		EXPECT(arena_packed(&h.tpm->perm));
		/* the space after the used part is clean (no stale data left behind) */
		for (uint32_t b = h.tpm->perm.nv_data_used; b < used; b++)
			EXPECTF(h.tpm->perm.nv_data[b] == 0, "byte %u", (unsigned)b);
		for (unsigned i = 0; i < 6; i++) {
			if (gone[i])
				continue;
			fill(want, sizes[i], (uint8_t)(i * 31 + 1));
			for (unsigned off = 0; off < sizes[i]; off += 1024) {
				uint16_t n =
					(uint16_t)(sizes[i] - off > 1024 ? 1024 : sizes[i] - off);

				EXPECT_EQ_U64(nv_read(&h, IDX + i, n, (uint16_t)off, got),
					      TPM_RC_SUCCESS);
				EXPECTF(memcmp(got, want + off, n) == 0, "index %u after %u", i, k);
			}
		}
	}
	/* a new index takes the freed space; the survivors are still intact after a reload */
	EXPECT_EQ_U64(define(&h, IDX + 10, RW, 2048), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 10, "new", 3, 2045), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(arena_packed(&h.tpm->perm));
	fill(want, 33, 3 * 31 + 1);
	EXPECT_EQ_U64(nv_read(&h, IDX + 3, 33, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want, 33);
	EXPECT_EQ_U64(nv_read(&h, IDX + 10, 3, 2045, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "new", 3);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_first_write_starts_from_erased_data)
{
	struct tpmh h;
	uint8_t got[8];

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW | TPMA_NV_ORDERLY, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, RW | TPMA_NV_CLEAR_STCLEAR, 8), TPM_RC_SUCCESS);
	/* erased is 0xFF, or zeros for ORDERLY indices (libtpms keeps those in RAM) */
	EXPECT_EQ_U64(nv_write(&h, IDX, "a", 1, 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "\0a\0\0\0\0\0\0", 8);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "a", 1, 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got,
		      "\xff"
		      "a\xff\xff\xff\xff\xff\xff",
		      8);
	/* once Startup made them unwritten, the old contents do not show through (libtpms) */
	EXPECT_EQ_U64(nv_write(&h, IDX, "abcdefgh", 8, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "abcdefgh", 8, 0), TPM_RC_SUCCESS);
	shutdown(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, got), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_write(&h, IDX, "X", 1, 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "\0X\0\0\0\0\0\0", 8);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "X", 1, 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got,
		      "\xff"
		      "X\xff\xff\xff\xff\xff\xff",
		      8);
	/* later writes keep what is there */
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "Y", 1, 7), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got,
		      "\xff"
		      "X\xff\xff\xff\xff\xff"
		      "Y",
		      8);
	tpmh_destroy(&h);
}

/* ---- Write / Read errors --------------------------------------------------------------- */

UNIT_TEST(tpm_nv_write_errors)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t big[1025];

	memset(big, 'b', sizeof(big));
	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW, 16), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD, 16),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 2, TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD, 16),
		      TPM_RC_SUCCESS);
	/* who may write */
	EXPECT_EQ_U64(nv_write_pw(&h, TPM_RH_PLATFORM, "", IDX, "a", 1, 0),
		      TPM_RC_NV_AUTHORIZATION);
	EXPECT_EQ_U64(nv_write(&h, IDX + 2, "a", 1, 0), TPM_RC_NV_AUTHORIZATION);
	EXPECT_EQ_U64(nv_write_pw(&h, IDX + 1, "", IDX + 1, "a", 1, 0), TPM_RC_AUTH_UNAVAILABLE);
	/* another index's authorization does not do */
	EXPECT_EQ_U64(nv_write_pw(&h, IDX, "", IDX + 2, "a", 1, 0), TPM_RC_NV_AUTHORIZATION);
	EXPECT_EQ_U64(nv_write_pw(&h, IDX + 2, "", IDX + 2, "a", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write_pw(&h, TPM_RH_ENDORSEMENT, "", IDX, "a", 1, 0),
		      TPM_RCH(TPM_RC_VALUE, 1));
	/* where */
	EXPECT_EQ_U64(nv_write(&h, IDX, "", 0, 17), TPM_RCP(TPM_RC_VALUE, 2));
	EXPECT_EQ_U64(nv_write(&h, IDX, "abcde", 5, 12), TPM_RC_NV_RANGE);
	EXPECT_EQ_U64(nv_write(&h, IDX, big, 17, 0), TPM_RC_NV_RANGE);
	EXPECT_EQ_U64(nv_write(&h, IDX, big, 1025, 0), TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(nv_write(&h, IDX, "", 0, 16), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "abcd", 4, 12), TPM_RC_SUCCESS);
	/* malformed */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX);
	tpmh_pw(&c, "", 0);
	tpmh_u16(&c, 5);
	tpmh_bytes(&c, "ab", 2);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX);
	tpmh_pw(&c, "", 0);
	tpmh_2b(&c, "a", 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	tpmh_u16(&c, 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);

	/* WRITEALL: all of it in one go */
	EXPECT_EQ_U64(define(&h, IDX + 3, RW | TPMA_NV_WRITEALL, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 3, "1234567", 7, 0), TPM_RC_NV_RANGE);
	EXPECT_EQ_U64(nv_write(&h, IDX + 3, "1234567", 7, 1), TPM_RC_NV_RANGE);
	EXPECT_EQ_U64(nv_read(&h, IDX + 3, 8, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_write(&h, IDX + 3, "12345678", 8, 0), TPM_RC_SUCCESS);

	/* only ordinary indices (libtpms answers without a handle number) */
	EXPECT_EQ_U64(define(&h, IDX + 4, RW | NT(TPM_NT_COUNTER), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 5, RW | NT(TPM_NT_BITS), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 6, RW | NT(TPM_NT_EXTEND), 32), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 4, "12345678", 8, 0), TPM_RC_ATTRIBUTES);
	EXPECT_EQ_U64(nv_write(&h, IDX + 5, "12345678", 8, 0), TPM_RC_ATTRIBUTES);
	EXPECT_EQ_U64(nv_write(&h, IDX + 6, big, 32, 0), TPM_RC_ATTRIBUTES);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_read_errors)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW, 16), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, TPMA_NV_OWNERWRITE | TPMA_NV_AUTHREAD, 16),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 2, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD, 16),
		      TPM_RC_SUCCESS);
	/* authorization comes before WRITTEN */
	EXPECT_EQ_U64(nv_read_pw(&h, TPM_RH_PLATFORM, "", IDX, 1, 0, NULL),
		      TPM_RC_NV_AUTHORIZATION);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_read(&h, IDX, 17, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_write(&h, IDX, "0123456789abcdef", 16, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "x", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 2, "x", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, 1, 0, NULL), TPM_RC_NV_AUTHORIZATION);
	EXPECT_EQ_U64(nv_read_pw(&h, IDX + 1, "", IDX + 1, 1, 0, NULL), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read_pw(&h, IDX + 2, "", IDX + 2, 1, 0, NULL), TPM_RC_AUTH_UNAVAILABLE);
	EXPECT_EQ_U64(nv_read_pw(&h, IDX + 1, "", IDX, 1, 0, NULL), TPM_RC_NV_AUTHORIZATION);
	/* where */
	EXPECT_EQ_U64(nv_read(&h, IDX, 1025, 0, NULL), TPM_RCP(TPM_RC_VALUE, 1));
	EXPECT_EQ_U64(nv_read(&h, IDX, 0, 17, NULL), TPM_RCP(TPM_RC_VALUE, 2));
	EXPECT_EQ_U64(nv_read(&h, IDX, 5, 12, NULL), TPM_RC_NV_RANGE);
	EXPECT_EQ_U64(nv_read(&h, IDX, 17, 0, NULL), TPM_RC_NV_RANGE);
	EXPECT_EQ_U64(nv_read(&h, IDX, 4, 12, NULL), TPM_RC_SUCCESS);
	/* malformed */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_u16(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 2));
	tpmh_u16(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* no authorization at all */
	tpmh_begin(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_Read);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX);
	tpmh_u16(&c, 1);
	tpmh_u16(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_AUTH_MISSING);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_index_password_and_dictionary_attack)
{
	struct tpmh h;

	tpmh_init(&h);
	EXPECT_EQ_U64(define_pw(&h, IDX, RW, 8, "pw"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define_pw(&h, IDX + 1, RW | TPMA_NV_NO_DA, 8, "pw"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write_pw(&h, IDX, "pw", IDX, "a", 1, 0), TPM_RC_SUCCESS);
	/* a NO_DA index: BAD_AUTH, no count */
	for (unsigned i = 0; i < 5; i++)
		EXPECT_EQ_U64(nv_write_pw(&h, IDX + 1, "x", IDX + 1, "a", 1, 0),
			      TPM_RCS(TPM_RC_BAD_AUTH, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 0);
	/* a DA-protected index: AUTH_FAIL counts; after maxTries (3) the TPM is in lockout */
	for (unsigned i = 0; i < 3; i++)
		EXPECT_EQ_U64(nv_write_pw(&h, IDX, "x", IDX, "a", 1, 0),
			      TPM_RCS(TPM_RC_AUTH_FAIL, 1));
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 3);
	EXPECT_EQ_U64(nv_write_pw(&h, IDX, "pw", IDX, "a", 1, 0), TPM_RC_LOCKOUT);
	EXPECT_EQ_U64(nv_read_pw(&h, IDX, "pw", IDX, 1, 0, NULL), TPM_RC_LOCKOUT);
	/* the count was committed */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(h.tpm->perm.da_failed_tries, 3);
	EXPECT_EQ_U64(nv_read_pw(&h, IDX, "pw", IDX, 1, 0, NULL), TPM_RC_LOCKOUT);
	/* the NO_DA index and owner authorization still work */
	EXPECT_EQ_U64(nv_write_pw(&h, IDX + 1, "pw", IDX + 1, "a", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1, 0, NULL), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

/* ---- persistence ------------------------------------------------------------------------ */

UNIT_TEST(tpm_nv_large_index_in_two_chunks_survives_power_cycle)
{
	struct tpmh h;
	static uint8_t want[2048];
	uint8_t got[1024];

	tpmh_init(&h);
	fill(want, sizeof(want), 5);
	EXPECT_EQ_U64(define(&h, IDX, RW, 2048), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, want, 1024, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, want + 1024, 1024, 1024), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1024, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want, 1024);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1024, 1024, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want + 1024, 1024);
	/* power loss without Shutdown, then with */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(attrs_of(&h, IDX), RW | TPMA_NV_WRITTEN);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1024, 1024, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want + 1024, 1024);
	shutdown(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1024, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want, 1024);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1024, 1024, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want + 1024, 1024);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_failed_commit_changes_nothing)
{
	struct tpmh h;
	struct tpmh_cmd c;
	struct nv_pub before, after;
	uint8_t got[8];
	static uint8_t blob[TPM_NV_BLOB_MAX];
	size_t blob_len;

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, RW | NT(TPM_NT_COUNTER), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX, &before), TPM_RC_SUCCESS);
	blob_len = h.mp.nv_len;
	memcpy(blob, h.mp.nv, blob_len);

	/* first write of an index: neither the data nor WRITTEN (nor the Name) change */
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(nv_write(&h, IDX, "abcdefgh", 8, 0), TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(read_public(&h, IDX, &after), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(after.attrs, RW);
	EXPECT_MEM_EQ(after.name, before.name, before.name_size);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(h.mp.nv_len, blob_len);
	EXPECT(memcmp(h.mp.nv, blob, blob_len) == 0);
	/* an overwrite */
	EXPECT_EQ_U64(nv_write(&h, IDX, "abcdefgh", 8, 0), TPM_RC_SUCCESS);
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(nv_write(&h, IDX, "ABCD", 4, 2), TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "abcdefgh", 8);
	/* a counter */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX + 1), TPM_RC_SUCCESS);
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX + 1),
		      TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(read_u64(&h, IDX + 1), 1);
	/* define and undefine */
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(define(&h, IDX + 2, RW, 100), TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(read_public(&h, IDX + 2, &after), TPM_RCH(TPM_RC_HANDLE, 1));
	EXPECT_EQ_U64(h.tpm->perm.nv_data_used, 16);
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX), TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "abcdefgh", 8);
	/* a lock */
	EXPECT_EQ_U64(define(&h, IDX + 3, RW | TPMA_NV_WRITE_STCLEAR, 8), TPM_RC_SUCCESS);
	h.mp.fail_commits = 1;
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX + 3),
		      TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(nv_write(&h, IDX + 3, "x", 1, 0), TPM_RC_SUCCESS);
	/* what the platform holds is what the TPM shows */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "abcdefgh", 8);
	EXPECT_EQ_U64(read_u64(&h, IDX + 1), 1);
	EXPECT_EQ_U64(read_public(&h, IDX + 2, &after), TPM_RCH(TPM_RC_HANDLE, 1));
	/* the global lock too */
	EXPECT_EQ_U64(define(&h, IDX + 4, RW | TPMA_NV_GLOBALLOCK, 8), TPM_RC_SUCCESS);
	h.mp.fail_commits = 1;
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_GlobalWriteLock);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_NV_UNAVAILABLE);
	EXPECT_EQ_U64(nv_write(&h, IDX + 4, "x", 1, 0), TPM_RC_SUCCESS);
	tpmh_destroy(&h);
}

/* ---- counters, extend, bits --------------------------------------------------------------- */

UNIT_TEST(tpm_nv_counters)
{
	struct tpmh h;
	struct tpmh_cmd c;
	const uint32_t cnt = RW | NT(TPM_NT_COUNTER);

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, cnt, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 1);
	EXPECT_EQ_U64(attrs_of(&h, IDX), cnt | TPMA_NV_WRITTEN);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, IDX, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 2);
	/* other counters in existence do not matter (libtpms) */
	EXPECT_EQ_U64(define(&h, IDX + 1, cnt, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX + 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX + 1), 1);
	/* a deleted counter's value is a floor for every later counter, across power cycles */
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.nv_max_counter, 2);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(h.tpm->perm.nv_max_counter, 2);
	EXPECT_EQ_U64(define(&h, IDX, cnt, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 3);
	/* an unwritten counter leaves no trace */
	EXPECT_EQ_U64(define(&h, IDX + 2, cnt, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_undefine(&h, TPM_RH_OWNER, IDX + 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(h.tpm->perm.nv_max_counter, 2);
	/* counters survive, and keep counting after a reset */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 4);
	/* errors: not a counter, no write access, trailing bytes, locked */
	EXPECT_EQ_U64(define(&h, IDX + 3, RW, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX + 3),
		      TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_PLATFORM, IDX),
		      TPM_RC_NV_AUTHORIZATION);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Increment);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	EXPECT_EQ_U64(define(&h, IDX + 4, cnt | TPMA_NV_WRITE_STCLEAR, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX + 4), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX + 4), TPM_RC_NV_LOCKED);
	/* WRITEALL is allowed on a counter and changes nothing */
	EXPECT_EQ_U64(define(&h, IDX + 5, cnt | TPMA_NV_WRITEALL, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_Increment, TPM_RH_OWNER, IDX + 5), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX + 5), 3);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_extend_known_answers)
{
	/* libtpms */
	static const uint8_t sha256_abc[32] = {0x36, 0x5a, 0xa7, 0xd8, 0xf7, 0xf9, 0x40, 0x2c,
					       0x4b, 0x94, 0x34, 0x50, 0x2b, 0x4c, 0xc8, 0x9d,
					       0xdb, 0x09, 0xfe, 0x50, 0xd7, 0xcd, 0x95, 0xb4,
					       0x93, 0xb8, 0x34, 0xc6, 0x2d, 0x5a, 0x53, 0x70};
	static const uint8_t sha1_abc_def[20] = {0xe7, 0xd3, 0x33, 0x29, 0x26, 0x53, 0x95,
						 0x9c, 0xb3, 0x67, 0xb7, 0x76, 0xae, 0xe8,
						 0x00, 0x5b, 0x3b, 0xda, 0xc0, 0xac};
	static const uint8_t sha384_abc_head[8] = {0xb1, 0xc1, 0x6e, 0xb7, 0x63, 0x41, 0x12, 0xb7};
	struct tpmh h;
	uint8_t in[64 + 3];
	uint8_t want[64];
	uint8_t got[64];
	static uint8_t big[1025];

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW | NT(TPM_NT_EXTEND), 32), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 32, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	/* new = H(old || data), old = zeros when unwritten */
	EXPECT_EQ_U64(nv_extend(&h, IDX, "abc", 3), TPM_RC_SUCCESS);
	memset(in, 0, 32);
	memcpy(in + 32, "abc", 3);
	EXPECT(tpm_hash(TPM_ALG_SHA256, in, 35, want));
	EXPECT_EQ_U64(nv_read(&h, IDX, 32, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want, 32);
	EXPECT_MEM_EQ(got, sha256_abc, 32);
	EXPECT_EQ_U64(attrs_of(&h, IDX), RW | NT(TPM_NT_EXTEND) | TPMA_NV_WRITTEN);
	/* chained, with the largest and the empty buffer */
	memset(big, 'q', sizeof(big));
	EXPECT_EQ_U64(nv_extend(&h, IDX, big, 1024), TPM_RC_SUCCESS);
	{
		struct tpm_hash_ctx hc;

		EXPECT(tpm_hash_start(&hc, TPM_ALG_SHA256));
		tpm_hash_update(&hc, sha256_abc, 32);
		tpm_hash_update(&hc, big, 1024);
		tpm_hash_finish(&hc, want);
	}
	EXPECT_EQ_U64(nv_read(&h, IDX, 32, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want, 32);
	EXPECT_EQ_U64(nv_extend(&h, IDX, "", 0), TPM_RC_SUCCESS);
	memcpy(in, want, 32);
	EXPECT(tpm_hash(TPM_ALG_SHA256, in, 32, want));
	EXPECT_EQ_U64(nv_read(&h, IDX, 32, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, want, 32);

	/* other name algorithms */
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, "", 0, IDX + 1, TPM_ALG_SHA1,
				RW | NT(TPM_NT_EXTEND), 0, 20),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_extend(&h, IDX + 1, "abc", 3), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_extend(&h, IDX + 1, "def", 3), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 1, 20, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, sha1_abc_def, 20);
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, "", 0, IDX + 2, TPM_ALG_SHA384,
				RW | NT(TPM_NT_EXTEND), 0, 48),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_extend(&h, IDX + 2, "abc", 3), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 2, 48, 0, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, sha384_abc_head, 8);

	/* errors */
	EXPECT_EQ_U64(nv_extend(&h, IDX, big, 1025), TPM_RCP(TPM_RC_SIZE, 1));
	EXPECT_EQ_U64(define(&h, IDX + 3, RW, 32), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_extend(&h, IDX + 3, "abc", 3), TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	EXPECT_EQ_U64(
		define(&h, IDX + 4, TPMA_NV_AUTHWRITE | TPMA_NV_OWNERREAD | NT(TPM_NT_EXTEND), 32),
		TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_extend(&h, IDX + 4, "abc", 3), TPM_RC_NV_AUTHORIZATION);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_set_bits)
{
	struct tpmh h;
	struct tpmh_cmd c;
	uint8_t got[4];

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW | NT(TPM_NT_BITS), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX, 8, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_setbits(&h, IDX, 0x11), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 0x11);
	EXPECT_EQ_U64(nv_setbits(&h, IDX, 0x1000000000000002ull), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 0x1000000000000013ull);
	/* bits are only ever set */
	EXPECT_EQ_U64(nv_setbits(&h, IDX, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX), 0x1000000000000013ull);
	/* part of it, big-endian */
	EXPECT_EQ_U64(nv_read(&h, IDX, 4, 2, got), TPM_RC_SUCCESS);
	EXPECT_MEM_EQ(got, "\0\0\0\0", 4);
	EXPECT_EQ_U64(nv_read(&h, IDX, 1, 7, got), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(got[0], 0x13);
	/* SetBits(0) on a fresh index writes zero */
	EXPECT_EQ_U64(define(&h, IDX + 1, RW | NT(TPM_NT_BITS), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_setbits(&h, IDX + 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_u64(&h, IDX + 1), 0);
	/* errors */
	EXPECT_EQ_U64(define(&h, IDX + 2, RW | NT(TPM_NT_COUNTER), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_setbits(&h, IDX + 2, 1), TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_SetBits);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX);
	tpmh_pw(&c, "", 0);
	tpmh_bytes(&c, "\0\0\0", 3);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_SetBits, TPM_RH_PLATFORM, IDX),
		      TPM_RCP(TPM_RC_INSUFFICIENT, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_SetBits);
	tpmh_u32(&c, TPM_RH_PLATFORM);
	tpmh_u32(&c, IDX);
	tpmh_pw(&c, "", 0);
	tpmh_u64(&c, 1);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_NV_AUTHORIZATION);
	tpmh_destroy(&h);
}

/* ---- locks -------------------------------------------------------------------------------- */

/* Attribute words of IDX..IDX+7 in the sequence below, as libtpms 0.9.2 reports them. */
static const uint32_t locks_after_setup[8] = {0x20062806, 0x20064806, 0xb0060006, 0x20068806,
					      0x28060006, 0x24060006, 0x00062806, 0x20068006};
static const uint32_t locks_after_restart[8] = {0x20062806, 0x20064006, 0xa0060006, 0x20068006,
						0x08060006, 0x24060006, 0x00062006, 0x20068006};
static const uint32_t locks_after_reset[8] = {0x20062806, 0x20064006, 0xa0060006, 0x20068006,
					      0x08060006, 0x04060006, 0x20062006, 0x20068006};

static void expect_attrs(struct tpmh *h, const uint32_t *want, const char *when)
{
	for (unsigned i = 0; i < 8; i++) {
		uint32_t a = attrs_of(h, IDX + i);

		EXPECTF(a == want[i], "%s: index %u has 0x%08x, want 0x%08x", when, i, (unsigned)a,
			(unsigned)want[i]);
	}
}

UNIT_TEST(tpm_nv_locks_across_startup)
{
	static const uint32_t kinds[7] = {
		TPMA_NV_WRITEDEFINE, TPMA_NV_WRITE_STCLEAR, TPMA_NV_READ_STCLEAR,
		TPMA_NV_GLOBALLOCK,  TPMA_NV_CLEAR_STCLEAR, TPMA_NV_ORDERLY,
		TPMA_NV_WRITEDEFINE,
	};
	struct tpmh h;
	struct nv_pub before, after;

	tpmh_init(&h);
	for (unsigned i = 0; i < 7; i++)
		EXPECT_EQ_U64(define(&h, IDX + i, RW | kinds[i], 16), TPM_RC_SUCCESS);
	/* an unwritten WRITEDEFINE index can be locked (until the next Startup(CLEAR)) */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX + 6), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 6, "a", 1, 0), TPM_RC_NV_LOCKED);
	for (unsigned i = 0; i < 6; i++)
		EXPECT_EQ_U64(nv_write(&h, IDX + i, "x", 1, 0), TPM_RC_SUCCESS);
	/* a lock changes the Name */
	EXPECT_EQ_U64(read_public(&h, IDX, &before), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(read_public(&h, IDX, &after), TPM_RC_SUCCESS);
	EXPECT(memcmp(before.name, after.name, before.name_size) != 0);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX + 1), TPM_RC_SUCCESS);
	/* locking a locked index succeeds, even for a hierarchy that could not write it */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_PLATFORM, IDX + 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "x", 1, 0), TPM_RC_NV_LOCKED);
	/* read lock: reads refused, writes allowed */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, TPM_RH_OWNER, IDX + 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, TPM_RH_OWNER, IDX + 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, TPM_RH_PLATFORM, IDX + 2), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_read(&h, IDX + 2, 1, 0, NULL), TPM_RC_NV_LOCKED);
	EXPECT_EQ_U64(nv_write(&h, IDX + 2, "x", 1, 0), TPM_RC_SUCCESS);
	/* global lock: the GLOBALLOCK indices that exist now */
	EXPECT_EQ_U64(global_lock(&h, TPM_RH_OWNER), TPM_RC_SUCCESS);
	EXPECT(h.tpm->nv_global_write_locked);
	EXPECT_EQ_U64(nv_write(&h, IDX + 3, "z", 1, 0), TPM_RC_NV_LOCKED);
	EXPECT_EQ_U64(define(&h, IDX + 7, RW | TPMA_NV_GLOBALLOCK, 16), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 7, "x", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX + 3), TPM_RC_SUCCESS);
	expect_attrs(&h, locks_after_setup, "setup");

	/* TPM Resume: every lock stays */
	shutdown(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_STATE);
	expect_attrs(&h, locks_after_setup, "resume");
	EXPECT_EQ_U64(nv_write(&h, IDX + 3, "z", 1, 0), TPM_RC_NV_LOCKED);
	EXPECT_EQ_U64(nv_read(&h, IDX + 2, 1, 0, NULL), TPM_RC_NV_LOCKED);

	/* TPM Restart: only a written WRITEDEFINE lock stays; CLEAR_STCLEAR is unwritten */
	shutdown(&h, TPM_SU_STATE);
	tpmh_restart(&h, TPM_SU_CLEAR);
	expect_attrs(&h, locks_after_restart, "restart");
	EXPECT_EQ_U64(nv_write(&h, IDX, "x", 1, 0), TPM_RC_NV_LOCKED);
	for (unsigned i = 1; i < 7; i++)
		EXPECTF(nv_write(&h, IDX + i, "x", 1, 0) == TPM_RC_SUCCESS, "index %u", i);
	EXPECT_EQ_U64(nv_read(&h, IDX + 2, 1, 0, NULL), TPM_RC_SUCCESS);

	/* TPM Reset: ORDERLY (non-counter) indices are unwritten too */
	shutdown(&h, TPM_SU_CLEAR);
	tpmh_restart(&h, TPM_SU_CLEAR);
	expect_attrs(&h, locks_after_reset, "reset");
	EXPECT_EQ_U64(nv_read(&h, IDX + 5, 1, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_read(&h, IDX + 4, 1, 0, NULL), TPM_RC_NV_UNINITIALIZED);
	EXPECT_EQ_U64(nv_write(&h, IDX, "x", 1, 0), TPM_RC_NV_LOCKED);
	/* a power loss without Shutdown is a TPM Reset as well */
	EXPECT_EQ_U64(nv_write(&h, IDX + 5, "x", 1, 0), TPM_RC_SUCCESS);
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT_EQ_U64(attrs_of(&h, IDX + 5), RW | TPMA_NV_ORDERLY);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_lock_errors)
{
	struct tpmh h;
	struct tpmh_cmd c;

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, RW | TPMA_NV_READ_STCLEAR, 8), TPM_RC_SUCCESS);
	/* no lock attribute */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_OWNER, IDX),
		      TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, TPM_RH_OWNER, IDX),
		      TPM_RCH(TPM_RC_ATTRIBUTES, 2));
	/* authorization is checked before the attributes */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, TPM_RH_PLATFORM, IDX),
		      TPM_RC_NV_AUTHORIZATION);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, TPM_RH_PLATFORM, IDX + 1),
		      TPM_RC_NV_AUTHORIZATION);
	/* an unwritten index can be read-locked */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, TPM_RH_OWNER, IDX + 1), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(attrs_of(&h, IDX + 1), 0x90060006); /* libtpms */
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, IDX + 1, IDX + 1), TPM_RC_SUCCESS);
	/* the index's own authValue needs AUTHREAD / AUTHWRITE */
	EXPECT_EQ_U64(define(&h, IDX + 2,
			     TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_READ_STCLEAR |
				     TPMA_NV_WRITE_STCLEAR,
			     8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_ReadLock, IDX + 2, IDX + 2), TPM_RC_AUTH_UNAVAILABLE);
	EXPECT_EQ_U64(nv_cmd(&h, TPM_CC_NV_WriteLock, IDX + 2, IDX + 2), TPM_RC_AUTH_UNAVAILABLE);
	/* trailing bytes */
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_WriteLock);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX + 2);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_ReadLock);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_u32(&c, IDX + 2);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	/* GlobalWriteLock: provisioning hierarchies only, no parameters */
	EXPECT_EQ_U64(global_lock(&h, TPM_RH_ENDORSEMENT), TPM_RCH(TPM_RC_VALUE, 1));
	tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_GlobalWriteLock);
	tpmh_u32(&c, TPM_RH_OWNER);
	tpmh_pw(&c, "", 0);
	tpmh_u8(&c, 0);
	EXPECT_EQ_U64(tpmh_send(&h, &c), TPM_RC_SIZE);
	EXPECT(!h.tpm->nv_global_write_locked);
	EXPECT_EQ_U64(global_lock(&h, TPM_RH_PLATFORM), TPM_RC_SUCCESS);
	EXPECT(h.tpm->nv_global_write_locked);
	tpmh_destroy(&h);
}

UNIT_TEST(tpm_nv_global_lock_ends_at_startup_clear)
{
	struct tpmh h;

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW | TPMA_NV_GLOBALLOCK, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, RW, 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 2, RW | TPMA_NV_GLOBALLOCK | TPMA_NV_WRITEDEFINE, 8),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 2, "x", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(global_lock(&h, TPM_RH_OWNER), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX, "x", 1, 0), TPM_RC_NV_LOCKED);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "x", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 2, "x", 1, 0), TPM_RC_NV_LOCKED);
	EXPECT_EQ_U64(global_lock(&h, TPM_RH_OWNER), TPM_RC_SUCCESS);
	/* a written WRITEDEFINE index that the global lock caught stays locked (libtpms) */
	tpmh_restart(&h, TPM_SU_CLEAR);
	EXPECT(!h.tpm->nv_global_write_locked);
	EXPECT_EQ_U64(nv_write(&h, IDX, "x", 1, 0), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 2, "x", 1, 0), TPM_RC_NV_LOCKED);
	tpmh_destroy(&h);
}

/* ---- the NV blob -------------------------------------------------------------------------- */

UNIT_TEST(tpm_nv_state_roundtrip)
{
	struct tpmh h;
	static struct tpm_perm a, scratch;
	static uint8_t blob[TPM_NV_BLOB_MAX];
	size_t len;
	size_t off;
	bool cut = false;

	tpmh_init(&h);
	EXPECT_EQ_U64(define_pw(&h, IDX, RW | TPMA_NV_NO_DA, 8, "secret"), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define_ex(&h, TPM_RH_OWNER, "", 0, IDX + 1, TPM_ALG_SHA384, RW, 48, 3),
		      TPM_RC_SUCCESS);
	EXPECT_EQ_U64(nv_write(&h, IDX + 1, "xyz", 3, 0), TPM_RC_SUCCESS);
	h.tpm->perm.nv_max_counter = 0x0123456789abcdefull;	   /* as NV_UndefineSpace would */
	EXPECT_EQ_U64(define(&h, IDX + 2, RW, 1), TPM_RC_SUCCESS); /* commits it */
	EXPECT_EQ_U64(tpm_state_parse(h.mp.nv, h.mp.nv_len, &a, &scratch), TPM_OK);
	EXPECT_EQ_U64(a.nv_max_counter, 0x0123456789abcdefull);
	EXPECT_EQ_U64(a.nv_data_used, 8 + 3 + 1);
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *x = &a.nv[i];
		const struct tpm_nv_index *y = tpm_nv_find(h.tpm, x->handle);

		if (x->handle == 0)
			continue;
		ASSERT(y != NULL);
		EXPECT_EQ_U64(x->attrs, y->attrs);
		EXPECT_EQ_U64(x->name_alg, y->name_alg);
		EXPECT_EQ_U64(x->auth_size, y->auth_size);
		EXPECT_MEM_EQ(x->auth, y->auth, x->auth_size);
		EXPECT_EQ_U64(x->policy_size, y->policy_size);
		EXPECT_MEM_EQ(x->policy, y->policy, x->policy_size);
		EXPECT_EQ_U64(x->data_size, y->data_size);
		EXPECT_MEM_EQ(a.nv_data + x->data_off, h.tpm->perm.nv_data + y->data_off,
			      x->data_size);
	}

	/* a blob without the max-counter record (an older writer) still loads, with 0 */
	len = h.mp.nv_len;
	memcpy(blob, h.mp.nv, len);
	off = 16;
	while (off + 6 <= len - 32) {
		uint16_t tag = tpm_ld16(blob + off);
		uint32_t rlen = tpm_ld32(blob + off + 2);

		if (tag == 10) {
			memmove(blob + off, blob + off + 6 + rlen, len - (off + 6 + rlen));
			len -= 6 + rlen;
			cut = true;
			break;
		}
		off += 6 + rlen;
	}
	ASSERT(cut);
	tpm_be32(blob + 12, (uint32_t)len);
	EXPECT(tpm_hash(TPM_ALG_SHA256, blob, len - 32, blob + len - 32));
	EXPECT_EQ_U64(tpm_state_parse(blob, len, &a, &scratch), TPM_OK);
	EXPECT_EQ_U64(a.nv_max_counter, 0);
	EXPECT_EQ_U64(a.nv_data_used, 8 + 3 + 1);
	tpmh_destroy(&h);
}

/*
 * A blob may only hold indices NV_DefineSpace could have made: counter, bit-field and PIN
 * indices of 8 bytes, extend indices of one digest, known types. Found by fuzz/fuzz_tpm_state.c:
 * the parser accepted a 2-byte counter, on which NV_Increment wrote 8 bytes over the next
 * index's data (or past the arena), and a short extend index, on which NV_Extend entered
 * failure mode.
 */
UNIT_TEST(tpm_nv_state_rejects_index_type_size_mismatch)
{
	static const struct {
		const char *what;
		unsigned slot;
		uint32_t nt;
		uint16_t size;
	} cases[] = {
		{"2-byte counter", 0, TPM_NT_COUNTER, 2},
		{"empty counter", 0, TPM_NT_COUNTER, 0},
		{"16-byte bit field", 1, TPM_NT_BITS, 16},
		{"SHA-256 extend index of 20 bytes", 2, TPM_NT_EXTEND, 20},
		{"4-byte PIN pass index", 3, TPM_NT_PIN_PASS, 4},
		{"unknown type 3", 3, 3, 8},
		{"unknown type 15", 3, 15, 8},
	};
	struct tpmh h;
	static struct tpm_perm a, bad, scratch;
	static uint8_t blob[TPM_NV_BLOB_MAX];
	size_t len;

	tpmh_init(&h);
	EXPECT_EQ_U64(define(&h, IDX, RW | NT(TPM_NT_COUNTER), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 1, RW | NT(TPM_NT_BITS), 8), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 2, RW | NT(TPM_NT_EXTEND), 32), TPM_RC_SUCCESS);
	EXPECT_EQ_U64(define(&h, IDX + 3, RW, 8), TPM_RC_SUCCESS);
	ASSERT(tpm_state_parse(h.mp.nv, h.mp.nv_len, &a, &scratch) == TPM_OK);
	ASSERT(a.nv[0].handle == IDX && a.nv[3].handle == IDX + 3);
	/* the engine's own blob, serialized again, loads */
	len = tpm_state_serialize(&a, blob, sizeof(blob));
	ASSERT(len != 0);
	EXPECT_EQ_U64(tpm_state_parse(blob, len, &bad, &scratch), TPM_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tpm_nv_index *x = NULL;

		memcpy(&bad, &a, sizeof(bad));
		x = &bad.nv[cases[i].slot];
		x->attrs = (x->attrs & ~TPMA_NV_TPM_NT_MASK) | NT(cases[i].nt);
		x->data_size = cases[i].size;
		len = tpm_state_serialize(&bad, blob, sizeof(blob));
		ASSERT(len != 0);
		EXPECTF(tpm_state_parse(blob, len, &bad, &scratch) == TPM_ERR_CORRUPT, "%s",
			cases[i].what);
	}
	/* and the TPM does not power on from such a blob */
	memcpy(h.mp.nv, blob, len);
	h.mp.nv_len = len;
	tpm_power_off(h.tpm);
	EXPECT_EQ_U64(tpm_power_on(h.tpm), TPM_ERR_CORRUPT);
	tpmh_destroy(&h);
}
