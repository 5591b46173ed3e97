/* SPDX-License-Identifier: MIT */
/*
 * The vTPM protocol (SPEC §8, facts 4): SVSM_VTPM_QUERY and SVSM_VTPM_CMD with the MSSIM
 * platform-command buffer that Linux tpm_svsm and OVMF build: a 4096-byte buffer at RCX (any
 * alignment) holding a packed TPM_SEND_COMMAND request, answered in place by the response.
 * The TPM engine runs behind the vTPM service's own lock (kernel/services/vtpm.c); no SVSM lock
 * is held meanwhile, and the request and response copies each take s->lock only for the copy.
 */
#include <tpm/tpm_types.h>

#include "../services/vtpm.h"
#include "svsm_internal.h"

/* MSSIM platform commands (facts 4.1, TpmTcpProtocol.h). */
#define TPM_SEND_COMMAND 8u
#define VTPM_BUFFER_SIZE 4096u /* SVSM_VTPM_MAX_BUFFER, facts 4.2 */

/* TPM_SEND_COMMAND request (SPEC §8 Table 16) and response (Table 17). */
struct vtpm_cmd_req {
	uint32_t cmd;
	uint8_t locality;
	uint32_t size;
} __packed;
struct vtpm_cmd_rsp {
	uint32_t size;
} __packed;
_Static_assert(sizeof(struct vtpm_cmd_req) == 9, "SPEC Table 16: 9-byte header");
_Static_assert(__builtin_offsetof(struct vtpm_cmd_req, locality) == 4, "SPEC Table 16");
_Static_assert(__builtin_offsetof(struct vtpm_cmd_req, size) == 5, "SPEC Table 16");
_Static_assert(sizeof(struct vtpm_cmd_rsp) == 4, "SPEC Table 17: 4-byte header");

#define VTPM_CMD_MAX (VTPM_BUFFER_SIZE - sizeof(struct vtpm_cmd_req)) /* 4087 */
#define VTPM_RSP_MAX (VTPM_BUFFER_SIZE - sizeof(struct vtpm_cmd_rsp)) /* 4092 */
_Static_assert(VTPM_CMD_MAX <= TPM_MAX_COMMAND_SIZE, "a command always fits the engine");
_Static_assert(sizeof(((struct svsm_scratch *)0)->b) >= TPM_MAX_RESPONSE_SIZE,
	       "the engine's response buffer");

/* Whether n is a platform command MSSIM defines (facts 4.1), supported or not. */
static bool known_platform_command(uint32_t n)
{
	return (n >= 1 && n <= 18) || n == 20 || n == 21 || n == 25 || n == 26 || n == 30 ||
	       n == 35 || n == 36;
}

/* VTPM_QUERY (facts 4.1): only TPM_SEND_COMMAND; no vTPM features in version 1. */
static uint32_t vtpm_query(struct svsm_regs *r)
{
	r->rcx = 1ull << TPM_SEND_COMMAND;
	r->rdx = 0;
	return SVSM_SUCCESS;
}

/*
 * The engine can answer up to 4096 bytes but the transport carries 4092 (Table 17); such a
 * response is replaced by a TPM_RC_FAILURE response, a TPM-level error the guest understands.
 */
static size_t fit_response(uint8_t *rsp, size_t len)
{
	static const uint8_t failure[10] = {0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x01};

	_Static_assert(TPM_RC_FAILURE == 0x101u, "failure response bytes");
	if (len <= VTPM_RSP_MAX)
		return len;
	__builtin_memcpy(rsp, failure, sizeof(failure));
	return sizeof(failure);
}

/*
 * VTPM_CMD (facts 4.2): the whole 4096-byte buffer must be guest memory; then the header is
 * decoded (platform command, locality 0, size <= 4087), the command copied in once, executed,
 * and the size-prefixed response written back over the request.
 */
static uint32_t vtpm_cmd(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r)
{
	struct svsm_scratch *sc = svsm_scratch(s, c);
	struct vtpm_cmd_req req = {0};
	struct vtpm_cmd_rsp rsp = {0};
	uint64_t buf = r->rcx;
	uint32_t rc = SVSM_SUCCESS;
	size_t len = 0;

	rw_read_lock(&s->lock);
	rc = svsm_arg_range_ok(s, buf, VTPM_BUFFER_SIZE);
	if (rc == SVSM_SUCCESS)
		rc = svsm_gread_locked(s, buf, &req, sizeof(req));
	rw_read_unlock(&s->lock);
	if (rc != SVSM_SUCCESS)
		return rc;
	if (req.cmd != TPM_SEND_COMMAND)
		return known_platform_command(req.cmd) ? SVSM_ERR_UNSUPPORTED_CALL
						       : SVSM_ERR_INVALID_PARAMETER;
	if (req.locality != 0 || req.size > VTPM_CMD_MAX)
		return SVSM_ERR_INVALID_PARAMETER;
	if (req.size != 0) {
		rc = svsm_gread(s, buf + sizeof(req), sc->a, req.size);
		if (rc != SVSM_SUCCESS)
			return rc;
	}
	/* The engine wants a full TPM_MAX_RESPONSE_SIZE buffer; the size goes in front after. */
	len = vtpm_execute(s->vtpm, 0, sc->a, req.size, sc->b, sizeof(sc->b));
	len = fit_response(sc->b, len);
	rsp.size = (uint32_t)len;
	rc = svsm_gwrite(s, buf, &rsp, sizeof(rsp));
	if (rc == SVSM_SUCCESS && len != 0)
		rc = svsm_gwrite(s, buf + sizeof(rsp), sc->b, len);
	return rc;
}

uint32_t svsm_vtpm_call(struct svsm_state *s, struct svsm_caller *c, uint32_t call,
			struct svsm_regs *regs)
{
	switch (call) {
	case SVSM_VTPM_QUERY:
		return vtpm_query(regs);
	case SVSM_VTPM_CMD:
		return vtpm_cmd(s, c, regs);
	default:
		return SVSM_ERR_UNSUPPORTED_CALL;
	}
}
