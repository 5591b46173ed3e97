// SPDX-License-Identifier: MIT
/*
 * The vTPM protocol (SPEC §8, facts 4) on the SNP model: the request and response bytes exactly
 * as Linux tpm_svsm (and OVMF) lay them out, and a TPM round trip through the engine.
 */
#include <mbedtls/sha256.h>
#include <string.h>

#include "proto_harness.h"
#include "unit.h"

#define VBUF (PENV_BUF + 0x40010) /* any alignment: Linux uses a page, OVMF a page too */

/*
 * struct svsm_vtpm_request {u32 cmd; u8 locality; u32 buf_size; u8 buf[];} __packed; only the
 * header when tpm is NULL (len may then lie).
 */
static void put_request(uint64_t gpa, uint32_t cmd, uint8_t locality, const uint8_t *tpm,
			uint32_t len)
{
	uint8_t hdr[9];

	memcpy(hdr, &cmd, 4);
	hdr[4] = locality;
	memcpy(hdr + 5, &len, 4);
	penv_wr(gpa, hdr, sizeof(hdr));
	if (tpm)
		penv_wr(gpa + 9, tpm, len);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Sends one TPM command as Linux does; returns the TPM response code, copies the response. */
static uint32_t tpm_cmd(struct proto_env *e, unsigned int cpu, const uint8_t *cmd, uint32_t len,
			uint8_t *rsp, uint32_t *rsp_len)
{
	uint32_t size = 0;

	put_request(VBUF, 8, 0, cmd, len);
	ASSERT(penv_call5(e, cpu, SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD, VBUF, 0, 0, 0, NULL) ==
	       SVSM_SUCCESS);
	penv_rd(VBUF, &size, 4);
	/* Linux tpm_svsm recv(): the size must fit its 4096 - 4 byte buffer. */
	ASSERT(size >= 10 && size <= 4092);
	penv_rd(VBUF + 4, rsp, size);
	ASSERT(be32(rsp + 2) == size);
	*rsp_len = size;
	return be32(rsp + 6);
}

UNIT_TEST(proto_vtpm_query)
{
	struct proto_env e;
	struct svsm_regs r;

	penv_init(&e, NULL);
	EXPECT_EQ_U64(penv_call5(&e, 0, SVSM_VTPM_PROTOCOL, SVSM_VTPM_QUERY, 5, 6, 7, 8, &r),
		      SVSM_SUCCESS);
	EXPECT_EQ_U64(r.rcx, 1u << 8); /* TPM_SEND_COMMAND only; Linux probes bit 8 */
	EXPECT_EQ_U64(r.rdx, 0);       /* no vTPM features in version 1 */
	EXPECT_EQ_U64(r.r8, 7);
	penv_fini(&e);
}

UNIT_TEST(proto_vtpm_round_trip)
{
	static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
	static const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16};
	static const uint8_t pcr_read[] = {0x80, 0x01, 0, 0, 0,	   20,	 0, 0, 0x01, 0x7E,
					   0,	 0,    0, 1, 0x00, 0x0B, 3, 0, 0,    1};
	uint8_t extend[65] = {0x80, 0x02, 0, 0,	 0,    65,  0, 0, 0x01, 0x82, /* PCR_Extend */
			      0,    0,	  0, 16,			      /* PCR 16 */
			      0,    0,	  0, 9,	 0x40, 0,   0, 9, 0,	0,
			      0,    0,	  0,		      /* password */
			      0,    0,	  0, 1,	 0x00, 0x0B}; /* SHA-256 */
	static uint8_t rsp[4096];
	uint8_t zeros_d[64] = {0};
	uint8_t want[32];
	uint32_t len = 0;
	struct proto_env e;

	penv_init(&e, NULL);
	/* The guest sends Startup itself (TPM_OPS_AUTO_STARTUP); the SVSM only powered on. */
	EXPECT_EQ_U64(tpm_cmd(&e, 0, startup, sizeof(startup), rsp, &len), 0);
	EXPECT_EQ_U64(tpm_cmd(&e, 0, get_random, sizeof(get_random), rsp, &len), 0);
	EXPECT_EQ_U64(len, 28);
	EXPECT_EQ_U64(rsp[10] << 8 | rsp[11], 16);
	for (unsigned int i = 0; i < 32; i++)
		extend[33 + i] = (uint8_t)(i + 1);
	EXPECT_EQ_U64(tpm_cmd(&e, 0, extend, sizeof(extend), rsp, &len), 0);
	EXPECT_EQ_U64(tpm_cmd(&e, 0, pcr_read, sizeof(pcr_read), rsp, &len), 0);
	EXPECT_EQ_U64(len, 30 + 32);
	memcpy(zeros_d + 32, extend + 33, 32);
	ASSERT(mbedtls_sha256_ret(zeros_d, sizeof(zeros_d), want, 0) == 0);
	EXPECT_MEM_EQ(rsp + 30, want, 32);
	/* A TPM-level error is a TPM response inside a successful call (facts 4.2). */
	EXPECT_EQ_U64(tpm_cmd(&e, 0, startup, sizeof(startup), rsp, &len), 0x100);
	/* The same TPM from another vCPU's calling area. */
	penv_make_vmsa(&e, penv_ap_vmsa(1, 0), 2, e.features);
	ASSERT(penv_call5(&e, 0, 0, SVSM_CORE_CREATE_VCPU, penv_ap_vmsa(1, 0), penv_ap_caa(1), 1, 0,
			  NULL) == SVSM_SUCCESS);
	EXPECT_EQ_U64(tpm_cmd(&e, 1, pcr_read, sizeof(pcr_read), rsp, &len), 0);
	EXPECT_MEM_EQ(rsp + 30, want, 32);
	penv_fini(&e);
}

static void expect_refused(struct proto_env *e, uint64_t rcx, uint32_t code)
{
	struct svsm_regs r = {SVSM_CALL(SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD), rcx, 0, 0, 0};
	bool same = false;
	uint32_t got = penv_call_unchanged(e, 0, &r, &same);

	EXPECTF(got == code, "RCX %#llx: got %#x, want %#x", (unsigned long long)rcx, got, code);
	EXPECT(same);
}

UNIT_TEST(proto_vtpm_bad)
{
	static const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16};
	struct proto_env e;

	penv_init(&e, NULL);
	/* Known MSSIM platform commands other than TPM_SEND_COMMAND: unsupported. */
	static const uint32_t known[] = {1, 2, 3, 7, 9, 11, 17, 18, 20, 21, 25, 26, 30, 35, 36};
	for (unsigned int i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		put_request(VBUF, known[i], 0, get_random, sizeof(get_random));
		expect_refused(&e, VBUF, SVSM_ERR_UNSUPPORTED_CALL);
	}
	/* Numbers MSSIM does not define. */
	static const uint32_t unknown[] = {0, 19, 22, 24, 27, 31, 34, 37, 0x108, 0xFFFFFFFFu};
	for (unsigned int i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		put_request(VBUF, unknown[i], 0, get_random, sizeof(get_random));
		expect_refused(&e, VBUF, SVSM_ERR_INVALID_PARAMETER);
	}
	/* Locality other than 0; a size beyond 4096 - 9. */
	put_request(VBUF, 8, 1, get_random, sizeof(get_random));
	expect_refused(&e, VBUF, SVSM_ERR_INVALID_PARAMETER);
	put_request(VBUF, 8, 0, NULL, 4088);
	expect_refused(&e, VBUF, SVSM_ERR_INVALID_PARAMETER);
	put_request(VBUF, 8, 0, NULL, 0xFFFFFFFFu);
	expect_refused(&e, VBUF, SVSM_ERR_INVALID_PARAMETER);
	/* The 4096-byte buffer must be guest memory, wholly. */
	put_request(PENV_SVSM_BASE - 0x800, 8, 0, get_random, sizeof(get_random));
	expect_refused(&e, PENV_SVSM_BASE - 0x800, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, PENV_SVSM_BASE, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, PENV_RAM_SIZE, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, 0xFFFFFFFFFFFFF800ull, SVSM_ERR_INVALID_ADDRESS);
	expect_refused(&e, PENV_BOOT_VMSA - 0x10, SVSM_ERR_INVALID_ADDRESS);
	put_request(PENV_PAGES, 8, 0, get_random, sizeof(get_random)); /* never validated */
	expect_refused(&e, PENV_PAGES, SVSM_ERR_INVALID_ADDRESS);
	put_request(PENV_BUF + PENV_BUF_SIZE - 0x800, 8, 0, get_random, sizeof(get_random));
	expect_refused(&e, PENV_BUF + PENV_BUF_SIZE - 0x800, SVSM_ERR_INVALID_ADDRESS);
	/* The largest command that fits is carried to the TPM (which refuses it itself). */
	put_request(VBUF, 8, 0, get_random, sizeof(get_random));
	penv_wr(VBUF + 5, &(uint32_t){4087}, 4);
	EXPECT_EQ_U64(penv_call5(&e, 0, SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD, VBUF, 0, 0, 0, NULL),
		      SVSM_SUCCESS);
	/* An empty command too: the TPM answers with an error response. */
	put_request(VBUF, 8, 0, NULL, 0);
	EXPECT_EQ_U64(penv_call5(&e, 0, SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD, VBUF, 0, 0, 0, NULL),
		      SVSM_SUCCESS);
	EXPECT_EQ_U64(penv_rd16(VBUF), 10);
	penv_fini(&e);

	penv_init(&e, &(struct penv_opts){.no_vtpm = true});
	put_request(VBUF, 8, 0, get_random, sizeof(get_random));
	expect_refused(&e, VBUF, SVSM_ERR_UNSUPPORTED_PROTOCOL);
	penv_fini(&e);
}
