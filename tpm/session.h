/* SPDX-License-Identifier: MIT */
/* HMAC sessions: authorization HMACs and nonces (TCG Part 1, 19.6). */
#ifndef TPM_SESSION_H
#define TPM_SESSION_H

#include "internal.h"

/* sessionKey || authValue: the longest HMAC or encryption key a session uses. */
#define TPM_SESSION_VALUE_MAX (TPM_MAX_DIGEST + TPM_MAX_AUTH)

/*
 * Does the authValue of entity h (trimmed: auth) enter the session's keys? HMAC sessions: unless
 * bound to h (Part 1, 19.6.11); policy sessions: after PolicyAuthValue.
 */
bool tpm_session_uses_auth(struct tpm *t, const struct tpm_session *s, uint32_t h,
			   const uint8_t *auth, uint16_t auth_size);
/* sessionValue = sessionKey || (authValue if include_auth) into out (TPM_SESSION_VALUE_MAX). */
size_t tpm_session_value(const struct tpm_session *s, bool include_auth, const uint8_t *auth,
			 uint16_t auth_size, uint8_t *out);
/* Check a command HMAC over cpHash; extra: the nonceTPMs of other sessions that decrypt or
 * encrypt, which the first session's HMAC covers (Part 1, 19.6.5). */
bool tpm_session_check_hmac(const struct tpm_session *s, bool include_auth, const uint8_t *auth,
			    uint16_t auth_size, const uint8_t *cp_hash, const uint8_t *nonce_caller,
			    uint16_t nonce_size, const uint8_t *extra, size_t extra_len,
			    uint8_t attrs, const uint8_t *hmac, uint16_t hmac_size);
/* A fresh nonceTPM for the response. */
bool tpm_session_roll_nonce(struct tpm *t, struct tpm_session *s);
/* The response HMAC over rpHash = H(TPM_RC_SUCCESS || cc || rp). */
void tpm_session_response_hmac(const struct tpm_session *s, bool include_auth, const uint8_t *auth,
			       uint16_t auth_size, uint32_t cc, const uint8_t *rp, size_t rp_len,
			       const uint8_t *nonce_caller, uint16_t nonce_size, uint8_t attrs,
			       uint8_t *out);
/* Encrypt (response) or decrypt (command) the first parameter's buffer of n bytes with the
 * session's symmetric definition (Part 1, 21): AES-CFB or XOR, keyed with sessionValue and the
 * nonces (newer first). scratch: n bytes for the XOR mask. false on an internal failure. */
bool tpm_session_crypt(const struct tpm_session *s, const uint8_t *value, size_t value_len,
		       const uint8_t *newer, uint16_t newer_size, const uint8_t *older,
		       uint16_t older_size, bool encrypt, uint8_t *buf, size_t n, uint8_t *scratch);
/* policy.c: a policy session's state back to StartAuthSession's */
void tpm_policy_reset(struct tpm_session *s);
/*
 * policy.c: may session s authorize command cc, sent at this locality, for the entity with
 * this handle and authPolicy? cp_hash and name_hash are the command's (when the session bound
 * one). TPM_RC_ATTRIBUTES (trial session), TPM_RC_POLICY_FAIL, TPM_RC_EXPIRED,
 * TPM_RC_POLICY_CC, TPM_RC_PCR_CHANGED, TPM_RC_LOCALITY, without numbers.
 */
tpm_rc tpm_policy_check(struct tpm *t, const struct tpm_session *s, uint32_t cc, uint32_t entity,
			uint8_t locality, const uint8_t *policy, uint16_t policy_size,
			const uint8_t *cp_hash, const uint8_t *name_hash);

#endif
