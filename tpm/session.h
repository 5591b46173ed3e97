/* SPDX-License-Identifier: MIT */
/* HMAC sessions: authorization HMACs and nonces (TCG Part 1, 19.6). */
#ifndef TPM_SESSION_H
#define TPM_SESSION_H

#include "internal.h"

/* Check a command HMAC for entity h (whose trimmed authValue is auth). */
bool tpm_session_check_hmac(struct tpm *t, const struct tpm_session *s, uint32_t h,
			    const uint8_t *auth, uint16_t auth_size, const uint8_t *cp_hash,
			    const uint8_t *nonce_caller, uint16_t nonce_size, uint8_t attrs,
			    const uint8_t *hmac, uint16_t hmac_size);
/* A fresh nonceTPM for the response. */
bool tpm_session_roll_nonce(struct tpm *t, struct tpm_session *s);
/* The response HMAC over rpHash = H(TPM_RC_SUCCESS || cc || rp). */
void tpm_session_response_hmac(struct tpm *t, const struct tpm_session *s, uint32_t h,
			       const uint8_t *auth, uint16_t auth_size, uint32_t cc,
			       const uint8_t *rp, size_t rp_len, const uint8_t *nonce_caller,
			       uint16_t nonce_size, uint8_t attrs, uint8_t *out);

#endif
