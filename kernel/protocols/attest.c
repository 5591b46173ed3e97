/* SPDX-License-Identifier: MIT */
/*
 * The attestation protocol (SPEC §7, facts 3): SVSM_ATTEST_SERVICES and
 * SVSM_ATTEST_SINGLE_SERVICE. The SVSM asks the PSP (through VMPCK0, at VMPL0) for a report
 * whose REPORT_DATA is SHA-512(nonce || manifest), and copies report, manifest and the host's
 * certificates to the guest's buffers. The platform serialises the guest messages itself (its
 * msg.lock, a leaf), so no SVSM lock is held while the PSP answers.
 *
 * Order: decode and check the operation structure, build the manifest, read the nonce, check
 * that every buffer the guest named is guest memory, ask for the report (with certificates
 * when the guest gave a certificate buffer), set RCX/RDX/R8 to the manifest, certificate and
 * report sizes, refuse buffers that are too small (INVALID_PARAMETER with those sizes, so the
 * guest can grow them and retry, facts 3.1), and only then write to the guest.
 *
 * Choices where the facts leave room (docs/protocols.md):
 *   - RCX must be 8-byte aligned (facts 9 item 8);
 *   - the certificate buffer address is checked only when its size is not 0;
 *   - an unknown service GUID answers UNSUPPORTED_PROTOCOL (the reference design's answer:
 *     a service is what a protocol offers), an unknown manifest version INVALID_PARAMETER;
 *   - a host or PSP failure (including a hypervisor answering nonsense) is INVALID_REQUEST,
 *     never BUSY, which Linux would retry without end.
 */
#include <lib/string.h>
#include <mbedtls/sha512.h>

#include "svsm_internal.h"

/* Attest Services Operation (SPEC §7 Table 11, facts 3.2). */
struct attest_op {
	uint64_t report_gpa;
	uint32_t report_size;
	uint32_t rsvd0;
	uint64_t nonce_gpa;
	uint16_t nonce_size;
	uint8_t rsvd1[6];
	uint64_t manifest_gpa;
	uint32_t manifest_size;
	uint32_t rsvd2;
	uint64_t certs_gpa;
	uint32_t certs_size;
	uint32_t rsvd3;
} __packed;
_Static_assert(sizeof(struct attest_op) == 0x40, "SPEC Table 11: 0x40 bytes");
_Static_assert(__builtin_offsetof(struct attest_op, report_gpa) == 0x00, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, report_size) == 0x08, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, nonce_gpa) == 0x10, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, nonce_size) == 0x18, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, manifest_gpa) == 0x20, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, manifest_size) == 0x28, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, certs_gpa) == 0x30, "SPEC Table 11");
_Static_assert(__builtin_offsetof(struct attest_op, certs_size) == 0x38, "SPEC Table 11");

/* Attest Single Service Operation (SPEC §7 Table 13, facts 3.3) = Table 11 plus: */
struct attest_single_op {
	struct attest_op op;
	uint8_t guid[16];
	uint32_t manifest_version;
	uint32_t rsvd4;
} __packed;
_Static_assert(sizeof(struct attest_single_op) == 0x58, "SPEC Table 13: 0x58 bytes");
_Static_assert(__builtin_offsetof(struct attest_single_op, guid) == 0x40, "SPEC Table 13");
_Static_assert(__builtin_offsetof(struct attest_single_op, manifest_version) == 0x50,
	       "SPEC Table 13");

#define ATTEST_NONCE_SIZE 64u /* facts 3.4: exactly 64, within one page */
/* A certificate table whose first 24 bytes are zero holds no certificates (facts 3.4). */
#define CERTS_EMPTY_PROBE 24u

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Checks of Table 11 that need no state: reserved fields, alignment, the nonce's shape. */
static uint32_t check_op(const struct attest_op *op)
{
	uint64_t nonce_off = op->nonce_gpa & SVSM_PAGE_MASK;

	if (op->rsvd0 || !all_zero(op->rsvd1, sizeof(op->rsvd1)) || op->rsvd2 || op->rsvd3)
		return SVSM_ERR_INVALID_PARAMETER;
	if ((op->report_gpa | op->manifest_gpa) & SVSM_PAGE_MASK)
		return SVSM_ERR_INVALID_PARAMETER;
	if (op->certs_size != 0 && (op->certs_gpa & SVSM_PAGE_MASK))
		return SVSM_ERR_INVALID_PARAMETER;
	if (op->nonce_size != ATTEST_NONCE_SIZE || nonce_off + ATTEST_NONCE_SIZE > SVSM_PAGE_SIZE)
		return SVSM_ERR_INVALID_PARAMETER;
	return SVSM_SUCCESS;
}

/* Every output buffer the guest named must be guest memory (checked before the PSP is asked). */
static uint32_t check_buffers(struct svsm_state *s, const struct attest_op *op)
{
	uint32_t rc = SVSM_SUCCESS;

	rw_read_lock(&s->lock);
	if (op->report_size != 0)
		rc = svsm_arg_range_ok(s, op->report_gpa, op->report_size);
	if (rc == SVSM_SUCCESS && op->manifest_size != 0)
		rc = svsm_arg_range_ok(s, op->manifest_gpa, op->manifest_size);
	if (rc == SVSM_SUCCESS && op->certs_size != 0)
		rc = svsm_arg_range_ok(s, op->certs_gpa, op->certs_size);
	rw_read_unlock(&s->lock);
	return rc;
}

/* REPORT_DATA = SHA-512(nonce || manifest) (facts 3.4, "page 29 of 58019 Rev 1.00"). */
static bool report_data(const uint8_t nonce[ATTEST_NONCE_SIZE], const uint8_t *manifest, size_t len,
			uint8_t out[64])
{
	mbedtls_sha512_context ctx = {0};
	int rc = 0;

	mbedtls_sha512_init(&ctx);
	rc = mbedtls_sha512_starts_ret(&ctx, 0);
	if (rc == 0)
		rc = mbedtls_sha512_update_ret(&ctx, nonce, ATTEST_NONCE_SIZE);
	if (rc == 0 && len != 0)
		rc = mbedtls_sha512_update_ret(&ctx, manifest, len);
	if (rc == 0)
		rc = mbedtls_sha512_finish_ret(&ctx, out);
	mbedtls_sha512_free(&ctx);
	return rc == 0;
}

struct attest_out {
	size_t manifest_len;
	size_t report_len;
	size_t certs_len;
};

/* Asks the PSP for the report; certificates only when the guest gave a buffer for them. */
static uint32_t fetch_report(struct svsm_state *s, struct svsm_scratch *sc,
			     const struct attest_op *op, const uint8_t rd[64],
			     struct attest_out *out)
{
	size_t certs_cap = op->certs_size < SVSM_CERTS_MAX ? op->certs_size : SVSM_CERTS_MAX;
	int err = SNP_OK;

	if (op->certs_size == 0)
		err = snp_get_report(rd, sc->b, sizeof(sc->b), &out->report_len);
	else
		err = snp_get_ext_report(rd, sc->b, sizeof(sc->b), &out->report_len, sc->certs,
					 certs_cap, &out->certs_len);
	if (err == SNP_ENOSPC) {
		/* The guest's certificate buffer is too small: say how much is needed. */
		out->report_len = SNP_REPORT_SIZE;
		return SVSM_ERR_INVALID_PARAMETER;
	}
	if (err != SNP_OK || out->report_len == 0 || out->report_len > sizeof(sc->b) ||
	    out->certs_len > certs_cap)
		return SVSM_ERR_INVALID_REQUEST;
	if (out->certs_len >= CERTS_EMPTY_PROBE && all_zero(sc->certs, CERTS_EMPTY_PROBE))
		out->certs_len = 0;
	return SVSM_SUCCESS;
}

/* Copies report, manifest and certificates to the guest. */
static uint32_t write_out(struct svsm_state *s, struct svsm_scratch *sc, const struct attest_op *op,
			  const struct attest_out *out)
{
	uint32_t rc = svsm_gwrite(s, op->report_gpa, sc->b, out->report_len);

	if (rc == SVSM_SUCCESS && out->manifest_len != 0)
		rc = svsm_gwrite(s, op->manifest_gpa, sc->a, out->manifest_len);
	if (rc == SVSM_SUCCESS && out->certs_len != 0)
		rc = svsm_gwrite(s, op->certs_gpa, sc->certs, out->certs_len);
	return rc;
}

/* Both calls once the manifest is in sc->a (out->manifest_len bytes). */
static uint32_t attest(struct svsm_state *s, struct svsm_scratch *sc, const struct attest_op *op,
		       struct attest_out *out, struct svsm_regs *r)
{
	uint8_t nonce[ATTEST_NONCE_SIZE] = {0};
	uint8_t rd[64] = {0};
	uint32_t rc = svsm_gread(s, op->nonce_gpa, nonce, sizeof(nonce));

	if (rc != SVSM_SUCCESS)
		return rc;
	rc = check_buffers(s, op);
	if (rc != SVSM_SUCCESS)
		return rc;
	if (!report_data(nonce, sc->a, out->manifest_len, rd))
		return SVSM_ERR_INVALID_REQUEST;
	rc = fetch_report(s, sc, op, rd, out);
	if (rc != SVSM_SUCCESS && rc != SVSM_ERR_INVALID_PARAMETER)
		return rc;
	r->rcx = out->manifest_len;
	r->rdx = out->certs_len;
	r->r8 = out->report_len;
	if (rc != SVSM_SUCCESS || op->report_size < out->report_len ||
	    op->manifest_size < out->manifest_len ||
	    (op->certs_size != 0 && op->certs_size < out->certs_len))
		return SVSM_ERR_INVALID_PARAMETER;
	return write_out(s, sc, op, out);
}

static uint32_t attest_services(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	struct svsm_scratch *sc = svsm_scratch(s, c);
	struct attest_op op = {0};
	struct attest_out out = {0};
	uint32_t rc = SVSM_SUCCESS;

	if (r->rcx & 7)
		return SVSM_ERR_INVALID_PARAMETER;
	rc = svsm_gread(s, r->rcx, &op, sizeof(op));
	if (rc != SVSM_SUCCESS)
		return rc;
	rc = check_op(&op);
	if (rc != SVSM_SUCCESS)
		return rc;
	out.manifest_len = svsm_services_manifest(s, sc->a, sizeof(sc->a));
	if (out.manifest_len == 0)
		return SVSM_ERR_INVALID_REQUEST;
	return attest(s, sc, &op, &out, r);
}

static uint32_t attest_single(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	struct svsm_scratch *sc = svsm_scratch(s, c);
	struct attest_single_op op = {0};
	struct attest_out out = {0};
	uint32_t rc = SVSM_SUCCESS;
	int err = 0;

	if (r->rcx & 7)
		return SVSM_ERR_INVALID_PARAMETER;
	rc = svsm_gread(s, r->rcx, &op, sizeof(op));
	if (rc != SVSM_SUCCESS)
		return rc;
	rc = check_op(&op.op);
	if (rc != SVSM_SUCCESS)
		return rc;
	if (op.rsvd4 != 0)
		return SVSM_ERR_INVALID_PARAMETER;
	err = svsm_service_manifest(s, op.guid, op.manifest_version, sc->a, sizeof(sc->a),
				    &out.manifest_len);
	if (err == SVSM_SERVICE_UNKNOWN)
		return SVSM_ERR_UNSUPPORTED_PROTOCOL;
	if (err != SVSM_SERVICE_OK)
		return SVSM_ERR_INVALID_PARAMETER;
	return attest(s, sc, &op.op, &out, r);
}

uint32_t svsm_attest_call(struct svsm_state *s, struct svsm_caller *c, uint32_t call,
			  struct svsm_regs *regs)
{
	switch (call) {
	case SVSM_ATTEST_SERVICES:
		return attest_services(s, c, regs);
	case SVSM_ATTEST_SINGLE_SERVICE:
		return attest_single(s, c, regs);
	default:
		return SVSM_ERR_UNSUPPORTED_CALL;
	}
}
