/* SPDX-License-Identifier: MIT */
/*
 * Host-test harness for the TPM engine: an in-memory platform (NV blob with injectable commit
 * failures, a settable clock, deterministic entropy) and a command builder.
 *
 *   struct tpmh h;  tpmh_init(&h);                 manufactured, powered, Startup(CLEAR) done
 *   struct tpmh_cmd c;
 *   tpmh_begin(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
 *   tpmh_u32(&c, TPM_RH_OWNER); tpmh_u32(&c, index);     handles
 *   tpmh_pw(&c, "", 0);                                  one password session
 *   tpmh_u16(&c, 8); tpmh_u16(&c, 0);                    parameters
 *   rc = tpmh_send(&h, &c);                              the response code
 *   struct tpm_rd r = tpmh_params(&h, false);            the response parameters
 */
#ifndef UNIT_TPM_HARNESS_H
#define UNIT_TPM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tpm/tpm.h>
#include <tpm/tpm_types.h>

#include "../../tpm/marshal.h"
#include "../tpm_mem_platform.h"

struct tpmh {
	struct tpm *tpm;
	struct tpm_mem_platform mp; /* NV blob, clock (mp.now_ms), failing commits, ... */
	uint16_t last_tag;	    /* of the last command sent */
	uint8_t rsp[TPM_MAX_RESPONSE_SIZE];
	size_t rsp_len;
};

struct tpmh_cmd {
	uint8_t buf[TPM_MAX_COMMAND_SIZE + 64];
	struct tpm_wr w;
	size_t auth_mark; /* offset of the authorization size field, 0 when none */
};

/* Manufacture, power on and Startup(CLEAR); ASSERTs on failure. */
void tpmh_init(struct tpmh *h);
/* Power off and on again from the NV blob, then Startup(su) unless su is 0xFFFF. */
void tpmh_restart(struct tpmh *h, uint16_t su);
void tpmh_destroy(struct tpmh *h);

void tpmh_begin(struct tpmh_cmd *c, uint16_t tag, uint32_t cc);
void tpmh_u8(struct tpmh_cmd *c, uint8_t v);
void tpmh_u16(struct tpmh_cmd *c, uint16_t v);
void tpmh_u32(struct tpmh_cmd *c, uint32_t v);
void tpmh_u64(struct tpmh_cmd *c, uint64_t v);
void tpmh_bytes(struct tpmh_cmd *c, const void *p, size_t n);
void tpmh_2b(struct tpmh_cmd *c, const void *p, size_t n);
/* An authorization area with one password session (call after the handles). */
void tpmh_pw(struct tpmh_cmd *c, const void *pw, size_t n);
/* Finish (patch sizes) and execute; returns the response code. */
tpm_rc tpmh_send(struct tpmh *h, struct tpmh_cmd *c);
/* Execute raw bytes; returns the response code (0xFFFFFFFF if the response is malformed). */
tpm_rc tpmh_raw(struct tpmh *h, const void *cmd, size_t len);
/* The response parameters (after the handle, if has_handle, and the parameter size). */
struct tpm_rd tpmh_params(const struct tpmh *h, bool has_handle);
/* The response handle (responses with one). */
uint32_t tpmh_rsp_handle(const struct tpmh *h);

#endif
