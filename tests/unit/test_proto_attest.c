// SPDX-License-Identifier: MIT
/* The attestation protocol (SPEC §7, facts 3) on the SNP model, with an honest and a lying host. */
#include <mbedtls/sha512.h>
#include <string.h>

#include "proto_harness.h"
#include "unit.h"

#define OP	 (PENV_BOOT_CAA + 8) /* Linux puts the operation in the calling area */
#define REPORT	 (PENV_BUF + 0x10000)
#define MANIFEST (PENV_BUF + 0x11000)
#define CERTS	 (PENV_BUF + 0x12000) /* 16 KiB */
#define NONCE	 (PENV_BUF + 0x17000)

/* Table 11 / Table 13 as a guest writes them. */
struct op {
	uint64_t report_gpa;
	uint32_t report_size, rsvd0;
	uint64_t nonce_gpa;
	uint32_t nonce_size; /* Linux: u32 len + u8[4] */
	uint32_t rsvd1;
	uint64_t manifest_gpa;
	uint32_t manifest_size, rsvd2;
	uint64_t certs_gpa;
	uint32_t certs_size, rsvd3;
	uint8_t guid[16];
	uint32_t version, rsvd4;
};
_Static_assert(sizeof(struct op) == 0x58, "Table 13");

static const uint8_t vtpm_guid[16] = {0xeb, 0xf1, 0x76, 0xc4, 0x23, 0x01, 0xa5, 0x45,
				      0x96, 0x41, 0xb4, 0xe7, 0xdd, 0xe5, 0xbf, 0xe3};
static const uint8_t manifest_guid[16] = {0xbb, 0x9e, 0x84, 0x63, 0x92, 0x3d, 0x70, 0x46,
					  0xa1, 0xff, 0x58, 0xf9, 0xc9, 0x4b, 0x87, 0xbb};

static struct op default_op(void)
{
	struct op o;

	memset(&o, 0, sizeof(o));
	o.report_gpa = REPORT;
	o.report_size = 4096;
	o.nonce_gpa = NONCE;
	o.nonce_size = 64;
	o.manifest_gpa = MANIFEST;
	o.manifest_size = 4096;
	o.certs_gpa = CERTS;
	o.certs_size = 0x4000;
	memcpy(o.guid, vtpm_guid, 16);
	return o;
}

/* A certificate table with one entry of len bytes of data (GHCB spec: entries, zero entry). */
static size_t make_certs(uint8_t *buf, size_t len)
{
	memset(buf, 0, 48 + len);
	memset(buf, 0x11, 16);
	buf[16] = 48;
	buf[20] = (uint8_t)len;
	buf[21] = (uint8_t)(len >> 8);
	for (size_t i = 0; i < len; i++)
		buf[48 + i] = (uint8_t)(i * 7 + 1);
	return 48 + len;
}

static void put_nonce(uint8_t nonce[64])
{
	for (unsigned int i = 0; i < 64; i++)
		nonce[i] = (uint8_t)(0xA0 + i);
	penv_wr(NONCE, nonce, 64);
}

static uint32_t attest(struct proto_env *e, uint32_t call, const struct op *o, struct svsm_regs *r)
{
	penv_wr(OP, o, sizeof(*o));
	return penv_call5(e, 0, SVSM_ATTEST_PROTOCOL, call, OP, ~0ull, ~0ull, 0, r);
}

static void expect_refused(struct proto_env *e, uint32_t call, const struct op *o, uint64_t rcx,
			   uint32_t code)
{
	struct svsm_regs r = {SVSM_CALL(SVSM_ATTEST_PROTOCOL, call), rcx, ~0ull, ~0ull, 0};
	bool same = false;
	uint32_t got = 0;

	penv_wr(OP, o, sizeof(*o));
	got = penv_call_unchanged(e, 0, &r, &same);
	EXPECTF(got == code, "got %#x, want %#x", got, code);
	EXPECT(same);
}

static void sha512_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[64])
{
	mbedtls_sha512_context c;

	mbedtls_sha512_init(&c);
	ASSERT(mbedtls_sha512_starts_ret(&c, 0) == 0);
	ASSERT(mbedtls_sha512_update_ret(&c, a, alen) == 0);
	ASSERT(mbedtls_sha512_update_ret(&c, b, blen) == 0);
	ASSERT(mbedtls_sha512_finish_ret(&c, out) == 0);
	mbedtls_sha512_free(&c);
}

UNIT_TEST(proto_attest_services)
{
	struct proto_env e;
	struct op o = default_op();
	struct svsm_regs r;
	static uint8_t certs[0x1000];
	uint8_t nonce[64];
	uint8_t rd[64];
	uint8_t m[48];
	size_t clen = make_certs(certs, 300);
	const uint8_t *report = NULL;

	penv_init(&e, NULL);
	model_hv_set_certs(certs, clen);
	put_nonce(nonce);
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.r8, SNP_REPORT_SIZE);
	EXPECT_EQ_U64(r.rcx, 48);
	EXPECT(r.rdx >= clen && r.rdx <= 0x4000);
	/* The manifest: Table 12 with one entry, the vTPM, whose data is empty. */
	penv_rd(MANIFEST, m, sizeof(m));
	EXPECT_MEM_EQ(m, manifest_guid, 16);
	EXPECT_EQ_U64(m[16] | m[17] << 8, 48);
	EXPECT_EQ_U64(m[20], 1);
	EXPECT_MEM_EQ(m + 24, vtpm_guid, 16);
	EXPECT_EQ_U64(m[40], 48);
	EXPECT_EQ_U64(m[44] | m[45] | m[46] | m[47], 0);
	/* The report: signed by the PSP, at VMPL0, over SHA-512(nonce || manifest). */
	report = penv_ram(REPORT, SNP_REPORT_SIZE);
	EXPECT(model_verify_report(report, SNP_REPORT_SIZE));
	EXPECT_EQ_U64(report[0x30], 0);
	sha512_2(nonce, 64, m, 48, rd);
	EXPECT_MEM_EQ(report + 0x50, rd, 64);
	EXPECT_MEM_EQ(penv_ram(CERTS, clen), certs, clen);
	penv_fini(&e);
}

UNIT_TEST(proto_attest_single_vtpm)
{
	struct proto_env e;
	struct op o = default_op();
	struct svsm_regs r;
	uint8_t nonce[64];
	uint8_t rd[64];

	penv_init(&e, NULL);
	put_nonce(nonce);
	o.certs_size = 0; /* no certificates wanted: the plain report request */
	o.certs_gpa = 0;
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, &r), SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 0); /* the vTPM's manifest is empty (docs/protocols.md) */
	EXPECT_EQ_U64(r.rdx, 0);
	EXPECT_EQ_U64(r.r8, SNP_REPORT_SIZE);
	sha512_2(nonce, 64, "", 0, rd);
	EXPECT(model_verify_report(penv_ram(REPORT, SNP_REPORT_SIZE), SNP_REPORT_SIZE));
	EXPECT_MEM_EQ((uint8_t *)penv_ram(REPORT, SNP_REPORT_SIZE) + 0x50, rd, 64);
	penv_fini(&e);
}

UNIT_TEST(proto_attest_sizes)
{
	struct proto_env e;
	struct op o = default_op();
	struct svsm_regs r;
	static uint8_t certs[0x3000];
	uint8_t nonce[64];
	size_t clen = make_certs(certs, 0x2000);
	struct penv_snap sn;

	penv_init(&e, NULL);
	put_nonce(nonce);
	model_hv_set_certs(certs, clen);
	/* Each buffer too small: INVALID_PARAMETER with every size in RCX/RDX/R8 (facts 3.1). */
	o.report_size = 0x400;
	penv_snap(&e, &sn);
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_ERR_INVALID_PARAMETER);
	EXPECT_EQ_U64(r.rcx, 48);
	EXPECT_EQ_U64(r.r8, SNP_REPORT_SIZE);
	EXPECT(r.rdx >= clen);
	sn.ram[OP - 8] = 0;
	memcpy(sn.ram + OP, &o, sizeof(o));
	EXPECT(penv_same(&e, &sn));
	penv_snap_free(&sn);
	o = default_op();
	o.manifest_size = 47;
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_ERR_INVALID_PARAMETER);
	EXPECT_EQ_U64(r.rcx, 48);
	o = default_op();
	o.manifest_size = 0;
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_ERR_INVALID_PARAMETER);
	EXPECT_EQ_U64(r.rcx, 48);
	/* The host's certificates need more than the guest's 4 KiB: RDX says how much. */
	o = default_op();
	o.certs_size = 0x1000;
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_ERR_INVALID_PARAMETER);
	EXPECT(r.rdx >= clen);
	EXPECT_EQ_U64(r.r8, SNP_REPORT_SIZE);
	/* Linux grows the buffer to PAGE_ALIGN(RDX) and retries. */
	o.certs_size = (uint32_t)((r.rdx + 0xFFF) & ~0xFFFull);
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_SUCCESS);
	EXPECT_MEM_EQ(penv_ram(CERTS, clen), certs, clen);
	penv_fini(&e);
}

UNIT_TEST(proto_attest_bad)
{
	struct proto_env e;
	struct op o;
	uint8_t nonce[64];

	penv_init(&e, NULL);
	put_nonce(nonce);
#define BAD(field, value, code)                                               \
	do {                                                                  \
		o = default_op();                                             \
		o.field = value;                                              \
		expect_refused(&e, SVSM_ATTEST_SERVICES, &o, OP, code);       \
		expect_refused(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, OP, code); \
	} while (0)
	BAD(rsvd0, 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(rsvd1, 0x100, SVSM_ERR_INVALID_PARAMETER);
	BAD(rsvd2, 1, SVSM_ERR_INVALID_PARAMETER);
	BAD(rsvd3, 0x80000000u, SVSM_ERR_INVALID_PARAMETER);
	BAD(nonce_size, 32, SVSM_ERR_INVALID_PARAMETER);
	BAD(nonce_size, 65, SVSM_ERR_INVALID_PARAMETER);
	BAD(nonce_size, 0, SVSM_ERR_INVALID_PARAMETER);
	BAD(nonce_size, 64 | 0x10000, SVSM_ERR_INVALID_PARAMETER);	/* a reserved byte */
	BAD(nonce_gpa, PENV_BUF + 0x17FC8, SVSM_ERR_INVALID_PARAMETER); /* crosses a page */
	BAD(nonce_gpa, PENV_SVSM_BASE, SVSM_ERR_INVALID_ADDRESS);
	BAD(nonce_gpa, PENV_RAM_SIZE + 64, SVSM_ERR_INVALID_ADDRESS);
	BAD(nonce_gpa, PENV_BOOT_VMSA, SVSM_ERR_INVALID_ADDRESS);
	BAD(report_gpa, REPORT + 0x800, SVSM_ERR_INVALID_PARAMETER);
	BAD(manifest_gpa, MANIFEST + 8, SVSM_ERR_INVALID_PARAMETER);
	BAD(certs_gpa, CERTS + 0x10, SVSM_ERR_INVALID_PARAMETER);
	BAD(report_gpa, PENV_SVSM_BASE, SVSM_ERR_INVALID_ADDRESS);
	BAD(report_gpa, PENV_BOOT_VMSA, SVSM_ERR_INVALID_ADDRESS);
	BAD(manifest_gpa, PENV_RAM_SIZE, SVSM_ERR_INVALID_ADDRESS);
	BAD(certs_gpa, PENV_SVSM_BASE - 0x1000, SVSM_ERR_INVALID_ADDRESS); /* runs into it */
	BAD(report_size, 0xFFFFFFFFu, SVSM_ERR_INVALID_ADDRESS);
	BAD(report_gpa, PENV_PAGES, SVSM_ERR_INVALID_ADDRESS); /* never validated */
	BAD(nonce_gpa, PENV_PAGES + 0x100, SVSM_ERR_INVALID_ADDRESS);
#undef BAD
	/* Single service: unknown GUID, unknown manifest version, reserved field. */
	o = default_op();
	o.guid[0] ^= 1;
	expect_refused(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, OP, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	o = default_op();
	o.version = 1;
	expect_refused(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, OP, SVSM_ERR_INVALID_PARAMETER);
	o = default_op();
	o.rsvd4 = 1;
	expect_refused(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, OP, SVSM_ERR_INVALID_PARAMETER);
	/* RCX itself. */
	o = default_op();
	expect_refused(&e, SVSM_ATTEST_SERVICES, &o, OP + 4, SVSM_ERR_INVALID_PARAMETER);
	expect_refused(&e, SVSM_ATTEST_SERVICES, &o, PENV_SVSM_BASE, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, SVSM_ATTEST_SERVICES, &o, PENV_RAM_SIZE - 0x20,
		       SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, PENV_BOOT_VMSA,
		       SVSM_ERR_INVALID_ADDRESS);
	/* No vTPM: the single-service GUID is unknown, the services manifest has no entry. */
	penv_fini(&e);
	penv_init(&e, &(struct penv_opts){.no_vtpm = true});
	put_nonce(nonce);
	o = default_op();
	expect_refused(&e, SVSM_ATTEST_SINGLE_SERVICE, &o, OP, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	{
		struct svsm_regs r;

		EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_SUCCESS);
		EXPECT_EQ_U64(r.rcx, 24);
	}
	penv_fini(&e);
}

/* A host that answers the guest request with nonsense: INVALID_REQUEST, guest memory kept. */
static void lie_case(enum model_lie lie, uint32_t times, uint64_t arg, bool certs)
{
	struct proto_env e;
	struct op o = default_op();
	uint8_t nonce[64];

	penv_init(&e, NULL);
	put_nonce(nonce);
	if (!certs)
		o.certs_size = 0;
	model_lie(lie, times, arg);
	expect_refused(&e, SVSM_ATTEST_SERVICES, &o, OP, SVSM_ERR_INVALID_REQUEST);
	EXPECTF(model_lies_told(lie) > 0, "lie %d was never told", lie);
	model_honest();
	/* After a failed exchange VMPCK0 is gone: every later report is refused as well. */
	expect_refused(&e, SVSM_ATTEST_SERVICES, &o, OP, SVSM_ERR_INVALID_REQUEST);
	EXPECT_EQ_U64(model_faults(), 0);
	penv_fini(&e);
}

UNIT_TEST(proto_attest_lying_host)
{
	lie_case(MODEL_LIE_GREQ_FW_ERROR, 1, 0x16, true);
	lie_case(MODEL_LIE_GREQ_FW_ERROR, 1, 0x16, false);
	lie_case(MODEL_LIE_GREQ_CORRUPT, 1, 0x70, false);
	lie_case(MODEL_LIE_GREQ_DROP, 1, 0, true);
	lie_case(MODEL_LIE_EXITINFO1, 1, 2, false);
	lie_case(MODEL_LIE_GREQ_INVALID_LEN, 1, 4, false);
}

UNIT_TEST(proto_attest_busy_host)
{
	struct proto_env e;
	struct op o = default_op();
	struct svsm_regs r;
	uint8_t nonce[64];

	penv_init(&e, NULL);
	put_nonce(nonce);
	o.certs_size = 0;
	/* A few BUSY answers are retried with the same sealed message. */
	model_lie(MODEL_LIE_GREQ_BUSY, 2, 0);
	EXPECT_EQ_U64(attest(&e, SVSM_ATTEST_SERVICES, &o, &r), SVSM_SUCCESS);
	/* Endless BUSY: a bounded number of tries, then INVALID_REQUEST (never BUSY to Linux). */
	model_lie(MODEL_LIE_GREQ_BUSY, MODEL_ALWAYS, 0);
	expect_refused(&e, SVSM_ATTEST_SERVICES, &o, OP, SVSM_ERR_INVALID_REQUEST);
	model_honest();
	penv_fini(&e);
}
