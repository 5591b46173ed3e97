/* SPDX-License-Identifier: MIT */
/*
 * VMPCK0 guest messages (kernel/platform/snp/guest_msg.c, attest.c, certs.c) against the model
 * PSP: reports signed and verifiable, derived keys, sequence numbers, BUSY, and the rule that
 * any other failure closes the channel for good.
 */
#include <copra/snp.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/gcm.h>
#include <mbedtls/sha512.h>
#include <pthread.h>
#include <string.h>

#include "../../kernel/platform/snp/aes_gcm.h"
#include "../../kernel/platform/snp/snp_internal.h"
#include "../snp/model.h"
#include "unit.h"

static uint8_t report[SNP_REPORT_SIZE];

static void boot(void)
{
	ASSERT(model_boot(NULL) == 0);
}

static void nonce(uint8_t data[64], uint8_t seed)
{
	for (unsigned int i = 0; i < 64; i++)
		data[i] = (uint8_t)(seed + 3 * i);
}

static uint64_t psp_requests(void)
{
	struct model_psp_stats s;

	model_psp_stats(&s);
	return s.requests;
}

/* The report's signature checked here with mbedTLS, independently of the model's helper. */
static bool verify_independently(const uint8_t *r)
{
	uint8_t x[48], y[48], hash[64];
	mbedtls_ecdsa_context ctx;
	mbedtls_mpi sr, ss;
	bool ok = false;

	model_psp_pubkey(x, y);
	model_use_libc_allocator();
	mbedtls_ecdsa_init(&ctx);
	mbedtls_mpi_init(&sr);
	mbedtls_mpi_init(&ss);
	ok = mbedtls_ecp_group_load(&ctx.grp, MBEDTLS_ECP_DP_SECP384R1) == 0 &&
	     mbedtls_mpi_read_binary(&ctx.Q.X, x, 48) == 0 &&
	     mbedtls_mpi_read_binary(&ctx.Q.Y, y, 48) == 0 && mbedtls_mpi_lset(&ctx.Q.Z, 1) == 0 &&
	     mbedtls_ecp_check_pubkey(&ctx.grp, &ctx.Q) == 0 &&
	     mbedtls_sha512_ret(r, 0x2A0, hash, 1) == 0 &&
	     mbedtls_mpi_read_binary_le(&sr, r + 0x2A0, 72) == 0 &&
	     mbedtls_mpi_read_binary_le(&ss, r + 0x2E8, 72) == 0 &&
	     mbedtls_ecdsa_verify(&ctx.grp, hash, 48, &ctx.Q, &sr, &ss) == 0;
	mbedtls_mpi_free(&sr);
	mbedtls_mpi_free(&ss);
	mbedtls_ecdsa_free(&ctx);
	return ok;
}

UNIT_TEST(snp_msg_report_signed_and_carries_report_data)
{
	struct model_launch l;
	uint8_t data[64];
	size_t len = 0;

	boot();
	nonce(data, 7);
	EXPECT_EQ_U64(model_psp_seqno(0), 1);
	ASSERT(snp_get_report(data, report, sizeof(report), &len) == SNP_OK);
	EXPECT_EQ_U64(len, SNP_REPORT_SIZE);
	EXPECT_MEM_EQ(report + 0x50, data, 64);
	EXPECT_EQ_U64(report[0x30], 0); /* VMPL 0 */
	model_psp_get_launch(&l);
	EXPECT_MEM_EQ(report + 0x90, l.measurement, 48);
	EXPECT(verify_independently(report));
	EXPECT(model_verify_report(report, len));
	/* A changed byte breaks the signature: the check can fail. */
	report[0x50] ^= 1;
	EXPECT(!verify_independently(report));
	EXPECT(!model_verify_report(report, len));
	/* Sequence numbers: request 1 / response 2, then 3 / 4. */
	EXPECT_EQ_U64(model_psp_seqno(0), 3);
	ASSERT(snp_get_report(data, report, sizeof(report), &len) == SNP_OK);
	EXPECT_EQ_U64(model_psp_seqno(0), 5);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

UNIT_TEST(snp_msg_report_small_buffer_sends_nothing)
{
	uint8_t data[64] = {0};
	size_t len = 0;

	boot();
	EXPECT_EQ_U64(snp_get_report(data, report, SNP_REPORT_SIZE - 1, &len),
		      (uint64_t)SNP_ENOSPC);
	EXPECT_EQ_U64(len, SNP_REPORT_SIZE);
	EXPECT_EQ_U64(psp_requests(), 0);
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), SNP_OK);
	model_destroy();
}

UNIT_TEST(snp_msg_derived_key)
{
	struct snp_key_request req = {0, 0x3F, 0, 3, 0x1500000000000004ull};
	uint8_t k1[32], k2[32], k3[32], expect[32];
	struct model_launch l;

	boot();
	ASSERT(snp_get_derived_key(&req, k1) == SNP_OK);
	ASSERT(snp_get_derived_key(&req, k2) == SNP_OK);
	EXPECT_MEM_EQ(k1, k2, 32); /* deterministic */
	ASSERT(model_psp_derive(0, &req, expect));
	EXPECT_MEM_EQ(k1, expect, 32);
	req.guest_field_select = 0x08; /* the measurement only */
	ASSERT(snp_get_derived_key(&req, k3) == SNP_OK);
	EXPECT(memcmp(k1, k3, 32) != 0);
	req.vmpl = 2;
	ASSERT(snp_get_derived_key(&req, k2) == SNP_OK);
	EXPECT(memcmp(k2, k3, 32) != 0);
	req.root_key_select = 1;
	ASSERT(snp_get_derived_key(&req, k1) == SNP_OK);
	EXPECT(memcmp(k1, k2, 32) != 0);
	/* A different measurement gives a different key for the same request. */
	req.root_key_select = 0;
	req.vmpl = 0;
	model_psp_get_launch(&l);
	l.measurement[0] ^= 0xFF;
	model_psp_set_launch(&l);
	ASSERT(snp_get_derived_key(&req, k1) == SNP_OK);
	EXPECT(memcmp(k1, k3, 32) != 0);
	EXPECT_EQ_U64(model_psp_seqno(0), 1 + 2 * 6);
	model_destroy();
}

UNIT_TEST(snp_msg_derived_key_refusals)
{
	struct snp_key_request req = {0, 0x10, 0, 3, 0};
	uint8_t k[32];

	boot();
	memset(k, 0x77, sizeof(k));
	/* Refused by the PSP (SVN above the launch SVN): an error for this call only. */
	req.guest_svn = 4;
	EXPECT_EQ_U64(snp_get_derived_key(&req, k), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(k[0], 0x77);
	EXPECT_EQ_U64(model_psp_seqno(0), 3);
	req.guest_svn = 3;
	EXPECT_EQ_U64(snp_get_derived_key(&req, k), SNP_OK);
	/* Refused before sending: bad fields never reach the PSP. */
	req.guest_field_select = 1ull << 6;
	EXPECT_EQ_U64(snp_get_derived_key(&req, k), (uint64_t)SNP_EINVAL);
	req.guest_field_select = 0;
	req.root_key_select = 2;
	EXPECT_EQ_U64(snp_get_derived_key(&req, k), (uint64_t)SNP_EINVAL);
	req.root_key_select = 0;
	req.vmpl = 4;
	EXPECT_EQ_U64(snp_get_derived_key(&req, k), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(psp_requests(), 2);
	model_destroy();
}

UNIT_TEST(snp_msg_busy_resends_the_same_message)
{
	uint8_t data[64] = {1};
	size_t len = 0;

	boot();
	model_lie(MODEL_LIE_GREQ_BUSY, 3, 0);
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), SNP_OK);
	EXPECT_EQ_U64(model_lies_told(MODEL_LIE_GREQ_BUSY), 3);
	EXPECT_EQ_U64(psp_requests(), 1);
	EXPECT_EQ_U64(model_psp_seqno(0), 3); /* one exchange, one pair of numbers */
	EXPECT(model_verify_report(report, len));
	model_destroy();
}

/* A failure closes the channel: this call SNP_EIO, every later one SNP_EDISABLED. */
static void msg_failure(enum model_lie lie, uint32_t times, uint64_t arg)
{
	struct snp_key_request req = {0, 0, 0, 0, 0};
	uint8_t data[64] = {2};
	uint8_t k[32];
	size_t len = 0;
	uint64_t before = 0;

	boot();
	model_lie(lie, times, arg);
	EXPECTF(snp_get_report(data, report, sizeof(report), &len) == SNP_EIO, "lie %d", lie);
	EXPECTF(model_lies_told(lie) >= 1, "lie %d never told", lie);
	model_honest();
	before = psp_requests();
	EXPECTF(snp_get_report(data, report, sizeof(report), &len) == SNP_EDISABLED, "lie %d", lie);
	EXPECTF(snp_get_derived_key(&req, k) == SNP_EDISABLED, "lie %d", lie);
	EXPECTF(psp_requests() == before, "lie %d: a message after the wipe", lie);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

UNIT_TEST(snp_msg_failures_close_the_channel)
{
	msg_failure(MODEL_LIE_GREQ_BUSY, MODEL_ALWAYS, 0);
	msg_failure(MODEL_LIE_GREQ_CORRUPT, 1, 0);     /* the tag */
	msg_failure(MODEL_LIE_GREQ_CORRUPT, 1, 0x20);  /* the sequence number */
	msg_failure(MODEL_LIE_GREQ_CORRUPT, 1, 0x34);  /* the message type */
	msg_failure(MODEL_LIE_GREQ_CORRUPT, 1, 0x36);  /* the message size */
	msg_failure(MODEL_LIE_GREQ_CORRUPT, 1, 0x3C);  /* the VMPCK number */
	msg_failure(MODEL_LIE_GREQ_CORRUPT, 1, 0x400); /* the payload */
	msg_failure(MODEL_LIE_GREQ_FW_ERROR, 1, 0x16);
	msg_failure(MODEL_LIE_GREQ_FW_ERROR, 1, 3ull << 32);
	msg_failure(MODEL_LIE_GREQ_INVALID_LEN, 1, 1); /* not an extended request */
	msg_failure(MODEL_LIE_GREQ_DROP, 1, 0);	       /* no response: a stale page */
	msg_failure(MODEL_LIE_EXITINFO1, 1, 2);
	msg_failure(MODEL_LIE_EXITINFO1, 1, 5);
}

UNIT_TEST(snp_msg_wipe_and_seqno_bound)
{
	uint8_t data[64] = {3};
	size_t len = 0;

	boot();
	snp_wipe_vmpcks();
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), (uint64_t)SNP_EDISABLED);
	boot();
	snp_msg_set_seqno(UINT32_MAX - 1);
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), (uint64_t)SNP_EDISABLED);
	EXPECT_EQ_U64(psp_requests(), 0);
	/* Zero VMPCK0 in the secrets page: the channel never opens. */
	ASSERT(model_create(NULL) == 0);
	memset(model_ram(gpa_init(gpa_addr(model_secrets_gpa()) + 0x20), 32), 0, 32);
	ASSERT(snp_platform_setup(model_secrets_gpa()) == SNP_OK);
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), (uint64_t)SNP_EDISABLED);
	model_destroy();
}

/* A certificate table of two entries followed by their bytes. */
static size_t make_certs(uint8_t *buf, size_t cert_len)
{
	size_t off = 3 * 24;

	memset(buf, 0, off + 2 * cert_len);
	for (unsigned int i = 0; i < 2; i++) {
		uint8_t *e = buf + 24 * i;

		memset(e, 0x10 + i, 16);
		e[16] = (uint8_t)(off + i * cert_len);
		e[17] = (uint8_t)((off + i * cert_len) >> 8);
		e[20] = (uint8_t)cert_len;
		e[21] = (uint8_t)(cert_len >> 8);
		memset(buf + off + i * cert_len, 0xC0 + i, cert_len);
	}
	return off + 2 * cert_len;
}

UNIT_TEST(snp_msg_ext_report)
{
	static uint8_t certs[6 * 4096], got[6 * 4096];
	uint8_t data[64] = {4};
	size_t len = 0, clen = 0, total = make_certs(certs, 1200);

	boot();
	/* No certificates: an empty table. */
	EXPECT_EQ_U64(
		snp_get_ext_report(data, report, sizeof(report), &len, got, sizeof(got), &clen),
		SNP_OK);
	EXPECT_EQ_U64(clen, 0);
	model_hv_set_certs(certs, total);
	memset(got, 0, sizeof(got));
	EXPECT_EQ_U64(
		snp_get_ext_report(data, report, sizeof(report), &len, got, sizeof(got), &clen),
		SNP_OK);
	EXPECT_EQ_U64(clen, total);
	EXPECT_MEM_EQ(got, certs, total);
	EXPECT(model_verify_report(report, len));
	/* The caller's buffer too small: SNP_ENOSPC with the size; the channel is fine. */
	EXPECT_EQ_U64(snp_get_ext_report(data, report, sizeof(report), &len, got, 100, &clen),
		      (uint64_t)SNP_ENOSPC);
	EXPECT_EQ_U64(clen, total);
	EXPECT_EQ_U64(model_psp_seqno(0), 7);
	/* More than the SVSM's 4 pages: INVALID_LEN, re-sent plain so the number is used up. */
	total = make_certs(certs, 9000);
	model_hv_set_certs(certs, total);
	EXPECT_EQ_U64(
		snp_get_ext_report(data, report, sizeof(report), &len, got, sizeof(got), &clen),
		(uint64_t)SNP_ENOSPC);
	EXPECT_EQ_U64(clen, 5 * 4096);
	EXPECT_EQ_U64(model_psp_seqno(0), 9);
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), SNP_OK);
	/* A host that claims to need fewer pages than it got is lying: closed. */
	model_hv_set_certs(certs, 0);
	model_lie(MODEL_LIE_GREQ_INVALID_LEN, 1, 2);
	EXPECT_EQ_U64(
		snp_get_ext_report(data, report, sizeof(report), &len, got, sizeof(got), &clen),
		(uint64_t)SNP_EIO);
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), (uint64_t)SNP_EDISABLED);
	model_destroy();
}

UNIT_TEST(snp_msg_ext_report_bad_table)
{
	static uint8_t certs[4096], got[4 * 4096];
	uint8_t data[64] = {5};
	size_t len = 0, clen = 0;

	boot();
	/* An entry pointing past the area: the report stands, the table is refused. */
	memset(certs, 0, sizeof(certs));
	memset(certs, 0x33, 16);
	certs[16] = 0x00;
	certs[19] = 0x01; /* offset 16 MiB */
	certs[20] = 0x10;
	model_hv_set_certs(certs, sizeof(certs));
	EXPECT_EQ_U64(
		snp_get_ext_report(data, report, sizeof(report), &len, got, sizeof(got), &clen),
		(uint64_t)SNP_EIO);
	EXPECT(model_verify_report(report, len));
	EXPECT_EQ_U64(snp_get_report(data, report, sizeof(report), &len), SNP_OK);
	model_destroy();
}

UNIT_TEST(snp_certs_table_len_rows)
{
	static uint8_t t[4096];
	size_t len = 99;

	memset(t, 0, sizeof(t));
	EXPECT(snp_certs_table_len(t, sizeof(t), &len) && len == 0);
	EXPECT(!snp_certs_table_len(t, 10, &len)); /* no room for a terminator */
	memset(t, 1, 16);
	t[16] = 48; /* offset 48, length 0: the table's own end counts */
	EXPECT(snp_certs_table_len(t, sizeof(t), &len) && len == 48);
	t[20] = 100;
	EXPECT(snp_certs_table_len(t, sizeof(t), &len) && len == 148);
	t[23] = 0xFF; /* length 0xFF000064: past the area */
	EXPECT(!snp_certs_table_len(t, sizeof(t), &len));
	memset(t, 0xFF, sizeof(t)); /* never terminated */
	EXPECT(!snp_certs_table_len(t, sizeof(t), &len));
}

struct msg_thread {
	unsigned int cpu;
	int errs;
};

static void *report_thread(void *p)
{
	struct msg_thread *a = p;
	uint8_t r[SNP_REPORT_SIZE];
	uint8_t data[64];
	size_t len = 0;

	model_bind_cpu(a->cpu);
	if (snp_cpu_setup() != SNP_OK)
		a->errs++;
	for (unsigned int i = 0; i < 5; i++) {
		nonce(data, (uint8_t)(a->cpu * 16 + i));
		if (snp_get_report(data, r, sizeof(r), &len) != SNP_OK ||
		    memcmp(r + 0x50, data, 64) != 0 || !model_verify_report(r, len))
			a->errs++;
	}
	return NULL;
}

UNIT_TEST(snp_msg_concurrent_cpus)
{
	struct msg_thread a[3];
	pthread_t t[3];

	boot();
	for (unsigned int i = 0; i < 3; i++) {
		a[i].cpu = i + 1;
		a[i].errs = 0;
		ASSERT(pthread_create(&t[i], NULL, report_thread, &a[i]) == 0);
	}
	for (unsigned int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ_U64(a[i].errs, 0);
	}
	EXPECT_EQ_U64(model_psp_seqno(0), 1 + 2 * 15);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

/* The channel's own AES-256-GCM against mbedTLS's, on random keys, IVs, AAD and lengths. */
UNIT_TEST(snp_gcm_matches_mbedtls)
{
	static uint8_t pt[4000], ct[4000], ref[4000], back[4000];
	uint8_t key[32], iv[12], aad[48], tag[16], reftag[16];
	static const size_t lens[] = {0, 1, 15, 16, 17, 32, 96, 1216, 3999, 4000};
	struct snp_gcm g;
	mbedtls_gcm_context m;

	for (unsigned int t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
		size_t len = lens[t];

		for (size_t i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)unit_rand64();
		for (size_t i = 0; i < sizeof(iv); i++)
			iv[i] = (uint8_t)unit_rand64();
		for (size_t i = 0; i < sizeof(aad); i++)
			aad[i] = (uint8_t)unit_rand64();
		for (size_t i = 0; i < len; i++)
			pt[i] = (uint8_t)unit_rand64();
		ASSERT(snp_gcm_init(&g, key));
		snp_gcm_seal(&g, iv, aad, sizeof(aad), pt, ct, len, tag);
		model_use_libc_allocator();
		mbedtls_gcm_init(&m);
		ASSERT(mbedtls_gcm_setkey(&m, MBEDTLS_CIPHER_ID_AES, key, 256) == 0);
		ASSERT(mbedtls_gcm_crypt_and_tag(&m, MBEDTLS_GCM_ENCRYPT, len, iv, 12, aad,
						 sizeof(aad), pt, ref, 16, reftag) == 0);
		mbedtls_gcm_free(&m);
		EXPECTF(memcmp(ct, ref, len) == 0, "ciphertext, length %zu", len);
		EXPECTF(memcmp(tag, reftag, 16) == 0, "tag, length %zu", len);
		memset(back, 0, sizeof(back));
		EXPECT(snp_gcm_open(&g, iv, aad, sizeof(aad), ct, back, len, tag));
		EXPECTF(memcmp(back, pt, len) == 0, "round trip, length %zu", len);
		/* In place, then any flipped bit of tag, AAD or ciphertext is refused. */
		memcpy(back, ct, len);
		EXPECT(snp_gcm_open(&g, iv, aad, sizeof(aad), back, back, len, tag));
		EXPECT(memcmp(back, pt, len) == 0);
		tag[t % 16] ^= 0x80;
		memset(back, 0xEE, sizeof(back));
		EXPECT(!snp_gcm_open(&g, iv, aad, sizeof(aad), ct, back, len, tag));
		EXPECT_EQ_U64(back[0], 0xEE);
		tag[t % 16] ^= 0x80;
		aad[47] ^= 1;
		EXPECT(!snp_gcm_open(&g, iv, aad, sizeof(aad), ct, back, len, tag));
		aad[47] ^= 1;
		if (len) {
			ct[len - 1] ^= 4;
			EXPECT(!snp_gcm_open(&g, iv, aad, sizeof(aad), ct, back, len, tag));
		}
		snp_gcm_free(&g);
	}
}

/* NIST GCM specification test case 14: AES-256, zero key, zero IV, one zero block. */
UNIT_TEST(snp_gcm_known_answer)
{
	static const uint8_t want_c[16] = {0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e,
					   0x07, 0x4e, 0xc5, 0xd3, 0xba, 0xf3, 0x9d, 0x18};
	static const uint8_t want_t[16] = {0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0,
					   0x26, 0x5b, 0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19};
	uint8_t key[32] = {0}, iv[12] = {0}, p[16] = {0}, c[16], t[16];
	struct snp_gcm g;

	ASSERT(snp_gcm_init(&g, key));
	snp_gcm_seal(&g, iv, NULL, 0, p, c, sizeof(p), t);
	EXPECT_MEM_EQ(c, want_c, 16);
	EXPECT_MEM_EQ(t, want_t, 16);
	snp_gcm_free(&g);
}
