// SPDX-License-Identifier: MIT
/*
 * HMAC sessions (TCG Part 1, 19.6; Part 3, StartAuthSession): unsalted sessions, bound or
 * unbound, without parameter encryption. Salted sessions, parameter encryption and policy
 * sessions arrive with TPM part 2.
 */
#include <lib/string.h>

#include "commands.h"
#include "session.h"

struct tpm_session *tpm_session_find(struct tpm *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM_MAX_SESSIONS; i++)
		if (t->sessions[i].handle != 0 && t->sessions[i].handle == handle)
			return &t->sessions[i];
	return NULL;
}

void tpm_session_free(struct tpm_session *s)
{
	tpm_wipe(s, sizeof(*s));
}

/*
 * A session bound to the entity it authorizes leaves the authValue out of the HMAC key
 * (Part 1, 19.6.11): the bind already mixed it into sessionKey. "The same entity" means the same
 * handle, Name and authValue as at StartAuthSession.
 */
static bool bound_to(struct tpm *t, const struct tpm_session *s, uint32_t h, const uint8_t *auth,
		     uint16_t auth_size)
{
	uint8_t name[2 + TPM_MAX_DIGEST];
	uint16_t name_size = 0;

	if (s->bind_handle == 0 || s->bind_handle != h)
		return false;
	if (!tpm_entity_name(t, h, name, &name_size) || name_size != s->bind_name_size ||
	    memcmp(name, s->bind_name, name_size) != 0)
		return false;
	return auth_size == s->bind_auth_size && tpm_ct_equal(auth, s->bind_auth, auth_size);
}

static void hmac_key_start(struct tpm_hmac_ctx *m, const struct tpm_session *s, bool bound,
			   const uint8_t *auth, uint16_t auth_size)
{
	uint8_t key[TPM_MAX_DIGEST + TPM_MAX_AUTH];
	size_t n = s->session_key_size;

	memcpy(key, s->session_key, n);
	if (!bound) {
		memcpy(key + n, auth, auth_size);
		n += auth_size;
	}
	(void)tpm_hmac_start(m, s->hash_alg, key, n);
	tpm_wipe(key, sizeof(key));
}

bool tpm_session_check_hmac(struct tpm *t, const struct tpm_session *s, uint32_t h,
			    const uint8_t *auth, uint16_t auth_size, const uint8_t *cp_hash,
			    const uint8_t *nonce_caller, uint16_t nonce_size, uint8_t attrs,
			    const uint8_t *hmac, uint16_t hmac_size)
{
	struct tpm_hmac_ctx m;
	uint8_t expect[TPM_MAX_DIGEST];
	unsigned dsize = tpm_hash_size(s->hash_alg);
	bool ok;

	if (hmac_size != dsize)
		return false;
	hmac_key_start(&m, s, bound_to(t, s, h, auth, auth_size), auth, auth_size);
	tpm_hmac_update(&m, cp_hash, dsize);
	tpm_hmac_update(&m, nonce_caller, nonce_size);
	tpm_hmac_update(&m, s->nonce_tpm, s->nonce_size);
	tpm_hmac_update(&m, &attrs, 1);
	tpm_hmac_finish(&m, expect);
	ok = tpm_ct_equal(expect, hmac, dsize);
	tpm_wipe(expect, sizeof(expect));
	return ok;
}

bool tpm_session_roll_nonce(struct tpm *t, struct tpm_session *s)
{
	return tpm_random(t, s->nonce_tpm, s->nonce_size);
}

void tpm_session_response_hmac(struct tpm *t, const struct tpm_session *s, uint32_t h,
			       const uint8_t *auth, uint16_t auth_size, uint32_t cc,
			       const uint8_t *rp, size_t rp_len, const uint8_t *nonce_caller,
			       uint16_t nonce_size, uint8_t attrs, uint8_t *out)
{
	struct tpm_hash_ctx hc;
	struct tpm_hmac_ctx m;
	uint8_t rp_hash[TPM_MAX_DIGEST];
	uint8_t be[8];
	unsigned dsize = tpm_hash_size(s->hash_alg);

	/* rpHash = H(responseCode || commandCode || parameters) (Part 1, 18.8). */
	tpm_be32(be, TPM_RC_SUCCESS);
	tpm_be32(be + 4, cc);
	(void)tpm_hash_start(&hc, s->hash_alg);
	tpm_hash_update(&hc, be, 8);
	tpm_hash_update(&hc, rp, rp_len);
	tpm_hash_finish(&hc, rp_hash);

	hmac_key_start(&m, s, bound_to(t, s, h, auth, auth_size), auth, auth_size);
	tpm_hmac_update(&m, rp_hash, dsize);
	tpm_hmac_update(&m, s->nonce_tpm, s->nonce_size);
	tpm_hmac_update(&m, nonce_caller, nonce_size);
	tpm_hmac_update(&m, &attrs, 1);
	tpm_hmac_finish(&m, out);
}

/* TPMT_SYM_DEF+ (Part 2, 11.1.6): only TPM_ALG_NULL until parameter encryption exists. */
static tpm_rc get_sym_def(struct tpm_rd *r)
{
	uint16_t alg = 0;
	tpm_rc rc = tpm_get_u16(r, &alg);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (alg == TPM_ALG_NULL)
		return TPM_RC_SUCCESS;
	return TPM_RC_SYMMETRIC;
}

TPM_HANDLER(StartAuthSession)
{
	struct tpm *t = c->t;
	uint32_t tpm_key = c->h[0];
	uint32_t bind = c->h[1];
	uint8_t nonce_caller[TPM_MAX_NONCE];
	uint16_t nonce_size = 0;
	uint8_t *salt = c->t->scratch; /* TPM2B_ENCRYPTED_SECRET: up to 512 bytes */
	uint16_t salt_size = 0;
	uint8_t type = 0;
	uint16_t hash_alg = 0;
	struct tpm_session *s = NULL;
	unsigned slot;
	uint32_t handle;
	tpm_rc rc;

	/* Decode every parameter first (Part 3, 11.1). */
	rc = tpm_get_2b(&c->in, nonce_caller, sizeof(nonce_caller), &nonce_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, salt, 512, &salt_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_u8(&c->in, &type);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	if (type != TPM_SE_HMAC && type != TPM_SE_POLICY && type != TPM_SE_TRIAL)
		return TPM_RCP(TPM_RC_VALUE, 3);
	rc = get_sym_def(&c->in);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	rc = tpm_get_u16(&c->in, &hash_alg);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 5);
	if (tpm_hash_size(hash_alg) == 0)
		return TPM_RCP(TPM_RC_HASH, 5);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	/* Semantics. */
	if (tpm_key != TPM_RH_NULL)
		return TPM_RCH(TPM_RC_HANDLE, 1); /* salted sessions: TPM part 2 */
	if (salt_size != 0)
		return TPM_RCP(TPM_RC_VALUE, 2);
	if (type != TPM_SE_HMAC)
		return TPM_RCP(TPM_RC_VALUE, 3); /* policy and trial sessions: TPM part 2 */
	if (nonce_size < 16 || nonce_size > tpm_hash_size(hash_alg))
		return TPM_RCP(TPM_RC_SIZE, 1);
	for (slot = 0; slot < TPM_MAX_SESSIONS; slot++)
		if (t->sessions[slot].handle == 0)
			break;
	if (slot == TPM_MAX_SESSIONS)
		return TPM_RC_SESSION_MEMORY;
	handle = tpm_session_new_handle(t, TPM_HR_HMAC_SESSION);
	if (handle == 0)
		return TPM_RC_SESSION_HANDLES;

	s = &t->sessions[slot];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->hash_alg = hash_alg;
	s->digest_size = (uint16_t)tpm_hash_size(hash_alg);
	s->nonce_size = nonce_size;
	memcpy(s->nonce_caller, nonce_caller, nonce_size);
	if (!tpm_random(t, s->nonce_tpm, nonce_size)) {
		tpm_session_free(s);
		return TPM_RC_FAILURE;
	}
	if (bind != TPM_RH_NULL) {
		uint8_t auth[TPM_MAX_AUTH];
		uint16_t auth_size = 0;

		/* sessionKey = KDFa(authHash, bindAuth || salt, "ATH", nonceTPM, nonceCaller). */
		if (!tpm_entity_auth(t, bind, auth, &auth_size) ||
		    !tpm_entity_name(t, bind, s->bind_name, &s->bind_name_size)) {
			tpm_session_free(s);
			return TPM_RCH(TPM_RC_HANDLE, 2);
		}
		s->bind_handle = bind;
		s->bind_auth_size = auth_size;
		memcpy(s->bind_auth, auth, auth_size);
		if (auth_size != 0) {
			(void)tpm_kdfa(hash_alg, auth, auth_size, "ATH", s->nonce_tpm, nonce_size,
				       nonce_caller, nonce_size, s->digest_size * 8u,
				       s->session_key);
			s->session_key_size = s->digest_size;
		}
		tpm_wipe(auth, sizeof(auth));
	}
	s->handle = handle;
	tpm_put_u32(c->out_h, s->handle);
	tpm_put_2b(c->out, s->nonce_tpm, s->nonce_size);
	return TPM_RC_SUCCESS;
}
