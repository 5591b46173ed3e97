/* SPDX-License-Identifier: MIT */
/*
 * The SVSM's own guest messages (facts 5.10): attestation reports at VMPL0 and keys derived
 * by the PSP. Payloads are built and decoded here; sealing, sequence numbers and the rules
 * for failure live in guest_msg.c.
 */
#include "snp_internal.h"
#include <lib/string.h>

/* MSG_REPORT_REQ (facts 5.10). */
struct snp_report_req {
	uint8_t user_data[64];
	uint32_t vmpl;
	uint32_t flags;
	uint8_t rsvd[24];
} __packed;
_Static_assert(sizeof(struct snp_report_req) == 96, "facts 5.10: MSG_REPORT_REQ");
_Static_assert(__builtin_offsetof(struct snp_report_req, vmpl) == 0x40, "facts 5.10");
_Static_assert(__builtin_offsetof(struct snp_report_req, flags) == 0x44, "facts 5.10");

/* ATTESTATION_REPORT (facts 5.10, the fields the SVSM looks at). */
struct snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t sig_algo;
	uint64_t platform_version;
	uint64_t platform_info;
	uint32_t flags;
	uint32_t rsvd0;
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t rsvd1[0x1A0 - 0x188];
	uint8_t chip_id[64];
	uint8_t rsvd2[0x2A0 - 0x1E0];
	uint8_t signature[512];
} __packed;
#define REPORT_OFF(f) __builtin_offsetof(struct snp_report, f)
_Static_assert(sizeof(struct snp_report) == SNP_REPORT_SIZE, "facts 5.10: 0x4A0 bytes");
_Static_assert(REPORT_OFF(vmpl) == 0x30, "facts 5.10");
_Static_assert(REPORT_OFF(platform_version) == 0x38, "facts 5.10");
_Static_assert(REPORT_OFF(flags) == 0x48, "facts 5.10");
_Static_assert(REPORT_OFF(report_data) == 0x50, "facts 5.10");
_Static_assert(REPORT_OFF(measurement) == 0x90, "facts 5.10");
_Static_assert(REPORT_OFF(host_data) == 0xC0, "facts 5.10");
_Static_assert(REPORT_OFF(id_key_digest) == 0xE0, "facts 5.10");
_Static_assert(REPORT_OFF(author_key_digest) == 0x110, "facts 5.10");
_Static_assert(REPORT_OFF(report_id) == 0x140, "facts 5.10");
_Static_assert(REPORT_OFF(report_id_ma) == 0x160, "facts 5.10");
_Static_assert(REPORT_OFF(reported_tcb) == 0x180, "facts 5.10");
_Static_assert(REPORT_OFF(chip_id) == 0x1A0, "facts 5.10");
_Static_assert(REPORT_OFF(signature) == 0x2A0, "facts 5.10");

/* MSG_REPORT_RSP (facts 5.10): a 32-byte status header, then the report. */
struct snp_report_rsp {
	uint32_t status;
	uint32_t report_size;
	uint8_t rsvd[24];
	struct snp_report report;
} __packed;
_Static_assert(__builtin_offsetof(struct snp_report_rsp, report) == 0x20, "facts 5.10");

/* MSG_KEY_REQ / MSG_KEY_RSP (facts 5.10). */
struct snp_key_req {
	uint32_t root_key_select;
	uint32_t rsvd;
	uint64_t guest_field_select;
	uint32_t vmpl;
	uint32_t guest_svn;
	uint64_t tcb_version;
} __packed;
_Static_assert(sizeof(struct snp_key_req) == 32, "facts 5.10: MSG_KEY_REQ");
_Static_assert(__builtin_offsetof(struct snp_key_req, guest_field_select) == 0x08, "facts 5.10");
_Static_assert(__builtin_offsetof(struct snp_key_req, vmpl) == 0x10, "facts 5.10");
_Static_assert(__builtin_offsetof(struct snp_key_req, guest_svn) == 0x14, "facts 5.10");
_Static_assert(__builtin_offsetof(struct snp_key_req, tcb_version) == 0x18, "facts 5.10");

struct snp_key_rsp {
	uint32_t status;
	uint8_t rsvd[28];
	uint8_t key[32];
} __packed;
_Static_assert(sizeof(struct snp_key_rsp) == 64, "facts 5.10: MSG_KEY_RSP");
_Static_assert(__builtin_offsetof(struct snp_key_rsp, key) == 0x20, "facts 5.10");

/* Bits a version-1 MSG_KEY_REQ may set (facts 5.10: bit 6 needs MSG_VERSION 2). */
#define KEY_ROOT_SELECT_MASK 0x1u
#define KEY_FIELD_MASK	     0x3Full

struct report_ctx {
	const uint8_t *report_data;
	uint8_t *report;
	size_t *len;
};

/* The PSP's answer is authentic; it is still checked to be the report that was asked for. */
static int report_consume(const uint8_t *payload, size_t len, void *arg)
{
	struct report_ctx *ctx = arg;
	const struct snp_report_rsp *rsp = (const struct snp_report_rsp *)payload;

	CHECK(len == sizeof(*rsp));
	if (rsp->status != 0 || rsp->report_size != SNP_REPORT_SIZE || rsp->report.vmpl != 0 ||
	    memcmp(rsp->report.report_data, ctx->report_data, 64) != 0)
		return SNP_EIO;
	memcpy(ctx->report, &rsp->report, SNP_REPORT_SIZE);
	*ctx->len = SNP_REPORT_SIZE;
	return SNP_OK;
}

static int get_report(const uint8_t report_data[64], uint8_t *report, size_t cap, size_t *len,
		      struct snp_msg_certs *certs)
{
	struct snp_report_req req;
	struct report_ctx ctx = {report_data, report, len};

	if (cap < SNP_REPORT_SIZE) {
		*len = SNP_REPORT_SIZE;
		return SNP_ENOSPC;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.user_data, report_data, sizeof(req.user_data));
	req.vmpl = 0;  /* the SVSM's own VMPL */
	req.flags = 0; /* KEY_SEL 0: VLEK if installed, else VCEK */
	return snp_msg_exchange(SNP_MSG_REPORT_REQ, &req, sizeof(req),
				sizeof(struct snp_report_rsp), report_consume, &ctx, certs);
}

int snp_get_report(const uint8_t report_data[64], uint8_t *report, size_t cap, size_t *len)
{
	return get_report(report_data, report, cap, len, NULL);
}

int snp_get_ext_report(const uint8_t report_data[64], uint8_t *report, size_t cap, size_t *len,
		       uint8_t *certs, size_t certs_cap, size_t *certs_len)
{
	struct snp_msg_certs c = {certs, certs_cap, 0};
	int err = get_report(report_data, report, cap, len, &c);

	*certs_len = c.len;
	return err;
}

/* A refused key request (status 0x16, facts 5.10) is the caller's doing: SNP_EINVAL. */
static int key_consume(const uint8_t *payload, size_t len, void *arg)
{
	const struct snp_key_rsp *rsp = (const struct snp_key_rsp *)payload;

	CHECK(len == sizeof(*rsp));
	if (rsp->status != 0)
		return SNP_EINVAL;
	memcpy(arg, rsp->key, sizeof(rsp->key));
	return SNP_OK;
}

int snp_get_derived_key(const struct snp_key_request *req, uint8_t key[32])
{
	struct snp_key_req wire;
	uint8_t out[32];
	int err = SNP_OK;

	if ((req->root_key_select & ~KEY_ROOT_SELECT_MASK) != 0 ||
	    (req->guest_field_select & ~KEY_FIELD_MASK) != 0 || req->vmpl > SNP_VMPL_MAX)
		return SNP_EINVAL;
	memset(&wire, 0, sizeof(wire));
	wire.root_key_select = req->root_key_select;
	wire.guest_field_select = req->guest_field_select;
	wire.vmpl = req->vmpl;
	wire.guest_svn = req->guest_svn;
	wire.tcb_version = req->tcb_version;
	err = snp_msg_exchange(SNP_MSG_KEY_REQ, &wire, sizeof(wire), sizeof(struct snp_key_rsp),
			       key_consume, out, NULL);
	if (err == SNP_OK)
		memcpy(key, out, sizeof(out));
	memset(out, 0, sizeof(out));
	return err;
}
