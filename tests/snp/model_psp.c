/* SPDX-License-Identifier: MIT */
/*
 * The model PSP: holds VMPCK0..3 and one sequence counter per key, opens guest messages the
 * way the firmware does (header, sequence number, AES-256-GCM tag), and answers
 * MSG_REPORT_REQ and MSG_KEY_REQ (facts 5.10). Written from the firmware's side with its own
 * offsets, so a layout mistake in kernel/platform/snp/ shows up as a refused message.
 *
 * Model choices (README.md): every refused message gets firmware error 0x16 in EXITINFO2 and
 * leaves the counter alone; reports are signed with a fixed ECDSA P-384 test key; derived keys
 * are HKDF-SHA-256 (see model_psp_derive).
 */
#include "model_internal.h"

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform.h>
#include <mbedtls/sha512.h>
#include <stdlib.h>
#include <string.h>

#define FW_INVALID_PARAM 0x16u
#define FW_INVALID_KEY	 0x27u

/* Message header offsets (facts 5.10). */
#define H_TAG	  0x00u
#define H_SEQNO	  0x20u
#define H_ALGO	  0x30u
#define H_HDRVER  0x31u
#define H_HDRSIZE 0x32u
#define H_TYPE	  0x34u
#define H_MSGVER  0x35u
#define H_MSGSIZE 0x36u
#define H_VMPCK	  0x3Cu
#define H_SIZE	  0x60u

/* ATTESTATION_REPORT offsets (facts 5.10). */
#define R_SIZE	     0x4A0u
#define R_SIGNED_LEN 0x2A0u
#define R_SIG_R	     0x2A0u
#define R_SIG_S	     0x2E8u
#define R_SIG_LEN    72u

/* The test signing key: a fixed P-384 scalar (any value in [1, n-1] would do). */
static const uint8_t test_key_d[48] = {
	0x3c, 0x51, 0x9a, 0x07, 0xe2, 0x44, 0x1b, 0x8d, 0x90, 0x6f, 0x21, 0xc5,
	0x7a, 0x13, 0xe8, 0x5b, 0x02, 0xd9, 0x66, 0x4f, 0xa1, 0x38, 0xcb, 0x74,
	0x19, 0x8e, 0x55, 0xf0, 0x2d, 0x61, 0xb7, 0x0a, 0xc3, 0x4e, 0x97, 0x12,
	0x6d, 0xf8, 0x25, 0xb0, 0x8a, 0x33, 0xde, 0x47, 0x1c, 0x69, 0xe5, 0x02,
};

static const uint8_t root_vcek[32] = "copra-model-root-secret-vcek-001";
static const uint8_t root_vmrk[32] = "copra-model-root-secret-vmrk-001";

static struct {
	bool ready;
	mbedtls_ecdsa_context key;
	mbedtls_ctr_drbg_context drbg;
	uint64_t drbg_counter;
} sig;

/* Deterministic "entropy": the model signs reproducibly (a fresh nonce per signature still). */
static int model_entropy(void *ctx, unsigned char *out, size_t len)
{
	uint64_t *counter = ctx;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)((*counter)++ * 0x9d + 0x41);
	return 0;
}

static void sig_init(void)
{
	if (sig.ready)
		return;
	model_use_libc_allocator();
	mbedtls_ecdsa_init(&sig.key);
	mbedtls_ctr_drbg_init(&sig.drbg);
	if (mbedtls_ctr_drbg_seed(&sig.drbg, model_entropy, &sig.drbg_counter,
				  (const unsigned char *)"copra-model-psp", 15) != 0 ||
	    mbedtls_ecp_group_load(&sig.key.grp, MBEDTLS_ECP_DP_SECP384R1) != 0 ||
	    mbedtls_mpi_read_binary(&sig.key.d, test_key_d, sizeof(test_key_d)) != 0 ||
	    mbedtls_ecp_mul(&sig.key.grp, &sig.key.Q, &sig.key.d, &sig.key.grp.G,
			    mbedtls_ctr_drbg_random, &sig.drbg) != 0)
		abort();
	sig.ready = true;
}

void model_psp_init(void)
{
	struct model_launch *l = &M->launch;

	for (unsigned int i = 0; i < 4; i++) {
		for (unsigned int j = 0; j < 32; j++)
			M->vmpck[i][j] = (uint8_t)(0x5a ^ (i * 0x3b + j * 0x0d + 1));
		M->seqno[i] = 1;
	}
	l->policy = 0x30000; /* SMT allowed, reserved bit 17 */
	memset(l->family_id, 0xfa, sizeof(l->family_id));
	memset(l->image_id, 0x1d, sizeof(l->image_id));
	for (unsigned int i = 0; i < sizeof(l->measurement); i++)
		l->measurement[i] = (uint8_t)(0x80 + i);
	l->guest_svn = 3;
	l->tcb_version = 0x1500000000000004ull;
	memset(l->host_data, 0x4b, sizeof(l->host_data));
	memset(l->chip_id, 0xc1, sizeof(l->chip_id));
	sig_init();
}

void model_use_libc_allocator(void)
{
	/* Global and moved by the TPM engine (tpm/crypto.c): take it back for each use. */
	(void)mbedtls_platform_set_calloc_free(calloc, free);
}

static void iv_of(uint64_t seqno, uint8_t iv[12])
{
	memset(iv, 0, 12);
	model_put64(iv, seqno);
}

/* SHA-384, then ECDSA with the test key; r and s little-endian, zero-padded to 72 bytes. */
static void sign_report(uint8_t *r)
{
	uint8_t hash[64]; /* SHA-384 output in a SHA-512-sized buffer */
	mbedtls_mpi sr, ss;

	mbedtls_mpi_init(&sr);
	mbedtls_mpi_init(&ss);
	if (mbedtls_sha512_ret(r, R_SIGNED_LEN, hash, 1) != 0 ||
	    mbedtls_ecdsa_sign(&sig.key.grp, &sr, &ss, &sig.key.d, hash, 48,
			       mbedtls_ctr_drbg_random, &sig.drbg) != 0 ||
	    mbedtls_mpi_write_binary_le(&sr, r + R_SIG_R, R_SIG_LEN) != 0 ||
	    mbedtls_mpi_write_binary_le(&ss, r + R_SIG_S, R_SIG_LEN) != 0)
		abort();
	mbedtls_mpi_free(&sr);
	mbedtls_mpi_free(&ss);
}

/* MSG_REPORT_REQ -> MSG_REPORT_RSP (0x20 + 0x4A0 bytes). */
static void do_report(unsigned int vmpck, const uint8_t *req, uint8_t *rsp)
{
	const struct model_launch *l = &M->launch;
	uint32_t vmpl = model_get32(req + 0x40);
	uint32_t flags = model_get32(req + 0x44);
	uint8_t *r = rsp + 0x20;
	static const uint8_t zero[24];

	memset(rsp, 0, 0x20 + R_SIZE);
	if (vmpl < vmpck || vmpl > 3 || (flags & ~3u) || memcmp(req + 0x48, zero, 24) != 0) {
		model_put32(rsp, FW_INVALID_PARAM);
		M->stats.bad_params++;
		return;
	}
	if ((flags & 3) > 1) { /* no VLEK installed in the model */
		model_put32(rsp, FW_INVALID_KEY);
		M->stats.bad_params++;
		return;
	}
	model_put32(rsp + 4, R_SIZE);
	model_put32(r + 0x00, 2); /* version */
	model_put32(r + 0x04, l->guest_svn);
	model_put64(r + 0x08, l->policy);
	memcpy(r + 0x10, l->family_id, 16);
	memcpy(r + 0x20, l->image_id, 16);
	model_put32(r + 0x30, vmpl);
	model_put32(r + 0x34, 1); /* ECDSA P-384 with SHA-384 */
	model_put64(r + 0x38, l->tcb_version);
	memcpy(r + 0x50, req, 64);
	memcpy(r + 0x90, l->measurement, 48);
	memcpy(r + 0xC0, l->host_data, 32);
	memset(r + 0x140, 0x2e, 32); /* report_id */
	memset(r + 0x160, 0xff, 32); /* report_id_ma: none */
	model_put64(r + 0x180, l->tcb_version);
	memcpy(r + 0x1A0, l->chip_id, 64);
	sign_report(r);
	M->stats.reports++;
}

static bool derive(unsigned int vmpck, const uint8_t *req, uint8_t key[32])
{
	const struct model_launch *l = &M->launch;
	uint32_t root = model_get32(req);
	uint64_t fields = model_get64(req + 0x08);
	uint32_t vmpl = model_get32(req + 0x10);
	uint32_t svn = model_get32(req + 0x14);
	uint64_t tcb = model_get64(req + 0x18);
	uint8_t info[8 + 8 + 8 + 16 + 16 + 48 + 4 + 8];
	size_t n = 0;

	if ((root & ~1u) || model_get32(req + 4) || (fields & ~0x3Full) || vmpl < vmpck ||
	    vmpl > 3 || svn > l->guest_svn || tcb > l->tcb_version)
		return false;
	model_put32(info + n, vmpl);
	n += 4;
	model_put64(info + n, fields);
	n += 8;
	if (fields & 1) {
		model_put64(info + n, l->policy);
		n += 8;
	}
	if (fields & 2) {
		memcpy(info + n, l->image_id, 16);
		n += 16;
	}
	if (fields & 4) {
		memcpy(info + n, l->family_id, 16);
		n += 16;
	}
	if (fields & 8) {
		memcpy(info + n, l->measurement, 48);
		n += 48;
	}
	if (fields & 16) {
		model_put32(info + n, svn);
		n += 4;
	}
	if (fields & 32) {
		model_put64(info + n, tcb);
		n += 8;
	}
	if (mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
			 (const unsigned char *)"copra-snp-model-kdf", 19,
			 root ? root_vmrk : root_vcek, 32, info, n, key, 32) != 0)
		abort();
	return true;
}

/* MSG_KEY_REQ -> MSG_KEY_RSP (64 bytes). */
static void do_key(unsigned int vmpck, const uint8_t *req, uint8_t *rsp)
{
	memset(rsp, 0, 64);
	if (!derive(vmpck, req, rsp + 0x20)) {
		model_put32(rsp, FW_INVALID_PARAM);
		M->stats.bad_params++;
		return;
	}
	M->stats.keys++;
}

static uint32_t reject(void)
{
	M->stats.rejected++;
	return FW_INVALID_PARAM;
}

uint32_t model_psp_request(const uint8_t *req, uint8_t *resp)
{
	static const uint8_t zero[32];
	uint8_t plain[4096 - H_SIZE];
	uint8_t out[4096 - H_SIZE];
	uint8_t iv[12];
	unsigned int vmpck = req[H_VMPCK];
	unsigned int type = req[H_TYPE];
	size_t size = req[H_MSGSIZE] | (size_t)req[H_MSGSIZE + 1] << 8;
	size_t out_size = 0;
	uint64_t seqno = model_get64(req + H_SEQNO);
	mbedtls_gcm_context gcm;
	int rc = 0;

	M->stats.requests++;
	model_use_libc_allocator();
	if (vmpck > 3 || memcmp(M->vmpck[vmpck], zero, 32) == 0 || req[H_ALGO] != 1 ||
	    req[H_HDRVER] != 1 || (req[H_HDRSIZE] | req[H_HDRSIZE + 1] << 8) != H_SIZE ||
	    req[H_MSGVER] != 1 || size > sizeof(plain) || seqno != M->seqno[vmpck])
		return reject();
	mbedtls_gcm_init(&gcm);
	iv_of(seqno, iv);
	rc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, M->vmpck[vmpck], 256);
	if (rc == 0)
		rc = mbedtls_gcm_auth_decrypt(&gcm, size, iv, 12, req + H_ALGO, H_SIZE - H_ALGO,
					      req + H_TAG, 16, req + H_SIZE, plain);
	if (rc != 0) {
		mbedtls_gcm_free(&gcm);
		return reject();
	}
	if (type == 5 && size == 96) {
		do_report(vmpck, plain, out);
		out_size = 0x20 + R_SIZE;
	} else if (type == 3 && size == 32) {
		do_key(vmpck, plain, out);
		out_size = 64;
	} else {
		mbedtls_gcm_free(&gcm);
		return reject();
	}
	memset(resp, 0, 4096);
	model_put64(resp + H_SEQNO, seqno + 1);
	resp[H_ALGO] = 1;
	resp[H_HDRVER] = 1;
	resp[H_HDRSIZE] = H_SIZE;
	resp[H_TYPE] = (uint8_t)(type + 1);
	resp[H_MSGVER] = 1;
	resp[H_MSGSIZE] = (uint8_t)out_size;
	resp[H_MSGSIZE + 1] = (uint8_t)(out_size >> 8);
	resp[H_VMPCK] = (uint8_t)vmpck;
	iv_of(seqno + 1, iv);
	if (mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, out_size, iv, 12, resp + H_ALGO,
				      H_SIZE - H_ALGO, out, resp + H_SIZE, 16, resp + H_TAG) != 0)
		abort();
	mbedtls_gcm_free(&gcm);
	M->seqno[vmpck] = seqno + 2;
	return 0;
}

void model_psp_vmpck(unsigned int i, uint8_t key[32])
{
	memcpy(key, M->vmpck[i & 3], 32);
}

uint64_t model_psp_seqno(unsigned int i)
{
	return M->seqno[i & 3];
}

void model_psp_stats(struct model_psp_stats *out)
{
	model_lock_take();
	*out = M->stats;
	model_lock_drop();
}

void model_psp_get_launch(struct model_launch *out)
{
	model_lock_take();
	*out = M->launch;
	model_lock_drop();
}

void model_psp_set_launch(const struct model_launch *in)
{
	model_lock_take();
	M->launch = *in;
	model_lock_drop();
}

void model_psp_pubkey(uint8_t x[48], uint8_t y[48])
{
	model_lock_take();
	if (mbedtls_mpi_write_binary(&sig.key.Q.X, x, 48) != 0 ||
	    mbedtls_mpi_write_binary(&sig.key.Q.Y, y, 48) != 0)
		abort();
	model_lock_drop();
}

bool model_verify_report(const uint8_t *report, size_t len)
{
	uint8_t hash[64]; /* SHA-384 output in a SHA-512-sized buffer */
	mbedtls_mpi r, s;
	bool ok = false;

	if (len < R_SIZE)
		return false;
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	model_lock_take();
	model_use_libc_allocator();
	ok = mbedtls_sha512_ret(report, R_SIGNED_LEN, hash, 1) == 0 &&
	     mbedtls_mpi_read_binary_le(&r, report + R_SIG_R, R_SIG_LEN) == 0 &&
	     mbedtls_mpi_read_binary_le(&s, report + R_SIG_S, R_SIG_LEN) == 0 &&
	     mbedtls_ecdsa_verify(&sig.key.grp, hash, 48, &sig.key.Q, &r, &s) == 0;
	model_lock_drop();
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ok;
}

bool model_psp_derive(unsigned int vmpck, const struct snp_key_request *req, uint8_t key[32])
{
	uint8_t wire[32];
	bool ok = false;

	memset(wire, 0, sizeof(wire));
	model_put32(wire, req->root_key_select);
	model_put64(wire + 0x08, req->guest_field_select);
	model_put32(wire + 0x10, req->vmpl);
	model_put32(wire + 0x14, req->guest_svn);
	model_put64(wire + 0x18, req->tcb_version);
	model_lock_take();
	model_use_libc_allocator();
	ok = derive(vmpck, wire, key);
	model_lock_drop();
	return ok;
}
