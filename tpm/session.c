// SPDX-License-Identifier: MIT
/*
 * HMAC sessions (TCG Part 1, 19.6; Part 3, StartAuthSession): unsalted sessions, bound or
 * unbound, without parameter encryption. Salted sessions, parameter encryption and policy
 * sessions arrive with TPM part 2.
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"
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

bool tpm_session_uses_auth(struct tpm *t, const struct tpm_session *s, uint32_t h,
			   const uint8_t *auth, uint16_t auth_size)
{
	/* Policy sessions: only after PolicyAuthValue (Part 1, 19.7.10). */
	if (s->type != TPM_SE_HMAC)
		return (s->policy_flags & TPM_POLICY_AUTH_VALUE) != 0;
	return !bound_to(t, s, h, auth, auth_size);
}

size_t tpm_session_value(const struct tpm_session *s, bool include_auth, const uint8_t *auth,
			 uint16_t auth_size, uint8_t *out)
{
	size_t n = s->session_key_size;

	memcpy(out, s->session_key, n);
	if (include_auth) {
		memcpy(out + n, auth, auth_size);
		n += auth_size;
	}
	return n;
}

static void hmac_key_start(struct tpm_hmac_ctx *m, const struct tpm_session *s, bool include,
			   const uint8_t *auth, uint16_t auth_size)
{
	uint8_t key[TPM_SESSION_VALUE_MAX];
	size_t n = tpm_session_value(s, include, auth, auth_size, key);

	(void)tpm_hmac_start(m, s->hash_alg, key, n);
	tpm_wipe(key, sizeof(key));
}

bool tpm_session_check_hmac(const struct tpm_session *s, bool include_auth, const uint8_t *auth,
			    uint16_t auth_size, const uint8_t *cp_hash, const uint8_t *nonce_caller,
			    uint16_t nonce_size, const uint8_t *extra, size_t extra_len,
			    uint8_t attrs, const uint8_t *hmac, uint16_t hmac_size)
{
	struct tpm_hmac_ctx m;
	uint8_t expect[TPM_MAX_DIGEST];
	unsigned dsize = tpm_hash_size(s->hash_alg);
	bool ok;

	if (hmac_size != dsize)
		return false;
	hmac_key_start(&m, s, include_auth, auth, auth_size);
	tpm_hmac_update(&m, cp_hash, dsize);
	tpm_hmac_update(&m, nonce_caller, nonce_size);
	tpm_hmac_update(&m, s->nonce_tpm, s->nonce_size);
	tpm_hmac_update(&m, extra, extra_len);
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

void tpm_session_response_hmac(const struct tpm_session *s, bool include_auth, const uint8_t *auth,
			       uint16_t auth_size, uint32_t cc, const uint8_t *rp, size_t rp_len,
			       const uint8_t *nonce_caller, uint16_t nonce_size, uint8_t attrs,
			       uint8_t *out)
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

	hmac_key_start(&m, s, include_auth, auth, auth_size);
	tpm_hmac_update(&m, rp_hash, dsize);
	tpm_hmac_update(&m, s->nonce_tpm, s->nonce_size);
	tpm_hmac_update(&m, nonce_caller, nonce_size);
	tpm_hmac_update(&m, &attrs, 1);
	tpm_hmac_finish(&m, out);
}

/*
 * TPMT_SYM_DEF+ (Part 2, 11.1.6) for parameter encryption: TPM_ALG_NULL, AES-128/256 in CFB
 * mode, or XOR with an implemented hash (Part 1, 21).
 */
static tpm_rc get_sym_def(struct tpm_rd *r, uint16_t *alg, uint16_t *bits, uint16_t *mode)
{
	tpm_rc rc = tpm_get_u16(r, alg);

	if (rc != TPM_RC_SUCCESS || *alg == TPM_ALG_NULL)
		return rc;
	if (*alg != TPM_ALG_AES && *alg != TPM_ALG_XOR)
		return TPM_RC_SYMMETRIC;
	rc = tpm_get_u16(r, bits);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (*alg == TPM_ALG_XOR)
		return tpm_hash_size(*bits) != 0 ? TPM_RC_SUCCESS : TPM_RC_HASH;
	if (*bits != 128 && *bits != 256)
		return TPM_RC_VALUE;
	/* Any implemented mode unmarshals; the command wants CFB (checked after the salt). */
	rc = tpm_get_u16(r, mode);
	if (rc == TPM_RC_SUCCESS && *mode != TPM_ALG_CFB && *mode != TPM_ALG_CBC &&
	    *mode != TPM_ALG_CTR && *mode != TPM_ALG_OFB && *mode != TPM_ALG_ECB)
		rc = TPM_RC_MODE;
	return rc;
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
	uint16_t sym_alg = 0, sym_bits = 0, sym_mode = 0;
	const struct tpm_key *key = NULL;
	uint8_t seed[TPM_MAX_AUTH + TPM_MAX_DIGEST]; /* bindAuth || salt */
	uint16_t salt_len = 0;
	uint16_t auth_len = 0;
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
	rc = get_sym_def(&c->in, &sym_alg, &sym_bits, &sym_mode);
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

	/* Semantics, in the reference's order. */
	if (nonce_size < 16 || nonce_size > tpm_hash_size(hash_alg))
		return TPM_RCP(TPM_RC_SIZE, 1);
	if (tpm_key != TPM_RH_NULL) {
		/* A salt encrypted to a loaded decryption key (Part 1, 24). */
		key = tpm_object_key(t, tpm_key);
		if (key == NULL || (key->pub.type != TPM_ALG_RSA && key->pub.type != TPM_ALG_ECC) ||
		    key->public_only)
			return TPM_RCH(TPM_RC_KEY, 1);
		if (salt_size == 0)
			return TPM_RCP(TPM_RC_VALUE, 2);
		if (!(key->pub.attrs & TPMA_OBJECT_DECRYPT))
			return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
		rc = tpm_secret_decrypt(t, key, "SECRET", salt, salt_size, seed + TPM_MAX_AUTH,
					&salt_len);
		if (rc != TPM_RC_SUCCESS) {
			tpm_wipe(seed, sizeof(seed));
			/* every decryption failure is the salt's VALUE, as the reference answers */
			return rc == TPM_RC_MEMORY || rc == TPM_RC_FAILURE
				       ? rc
				       : TPM_RCP(TPM_RC_VALUE, 2);
		}
	} else if (salt_size != 0) {
		return TPM_RCP(TPM_RC_VALUE, 2);
	}
	rc = TPM_RC_SUCCESS;
	if (sym_alg == TPM_ALG_AES && sym_mode != TPM_ALG_CFB)
		rc = TPM_RCP(TPM_RC_MODE, 4);
	for (slot = 0; rc == TPM_RC_SUCCESS && slot < TPM_MAX_SESSIONS; slot++)
		if (t->sessions[slot].handle == 0)
			break;
	if (rc == TPM_RC_SUCCESS && slot == TPM_MAX_SESSIONS)
		rc = TPM_RC_SESSION_MEMORY;
	handle = tpm_session_new_handle(t, type == TPM_SE_HMAC ? TPM_HR_HMAC_SESSION
							       : TPM_HR_POLICY_SESSION);
	if (rc == TPM_RC_SUCCESS && handle == 0)
		rc = TPM_RC_SESSION_HANDLES;
	/* seed = bindAuth || salt */
	if (rc == TPM_RC_SUCCESS && bind != TPM_RH_NULL &&
	    !tpm_entity_auth(t, bind, seed, &auth_len))
		rc = TPM_RCH(TPM_RC_HANDLE, 2);
	if (rc != TPM_RC_SUCCESS) {
		tpm_wipe(seed, sizeof(seed));
		return rc;
	}
	memmove(seed + auth_len, seed + TPM_MAX_AUTH, salt_len);

	s = &t->sessions[slot];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->hash_alg = hash_alg;
	s->digest_size = (uint16_t)tpm_hash_size(hash_alg);
	s->nonce_size = nonce_size;
	s->sym_alg = sym_alg;
	s->sym_bits = sym_bits;
	s->start_ms = tpm_clock(t);
	memcpy(s->nonce_caller, nonce_caller, nonce_size);
	if (!tpm_random(t, s->nonce_tpm, nonce_size)) {
		tpm_session_free(s);
		tpm_wipe(seed, sizeof(seed));
		return TPM_RC_FAILURE;
	}
	if (bind != TPM_RH_NULL) {
		(void)tpm_entity_name(t, bind, s->bind_name, &s->bind_name_size);
		s->bind_handle = bind;
		s->bind_auth_size = auth_len;
		memcpy(s->bind_auth, seed, auth_len);
	}
	/* sessionKey = KDFa(authHash, bindAuth || salt, "ATH", nonceTPM, nonceCaller): none when
	 * both are empty (Part 1, 19.6.8). */
	if (auth_len + salt_len != 0) {
		(void)tpm_kdfa(hash_alg, seed, auth_len + salt_len, "ATH", s->nonce_tpm, nonce_size,
			       nonce_caller, nonce_size, s->digest_size * 8u, s->session_key);
		s->session_key_size = s->digest_size;
	}
	tpm_wipe(seed, sizeof(seed));
	s->handle = handle;
	tpm_put_u32(c->out_h, s->handle);
	tpm_put_2b(c->out, s->nonce_tpm, s->nonce_size);
	return TPM_RC_SUCCESS;
}

bool tpm_session_crypt(const struct tpm_session *s, const uint8_t *value, size_t value_len,
		       const uint8_t *newer, uint16_t newer_size, const uint8_t *older,
		       uint16_t older_size, bool encrypt, uint8_t *buf, size_t n, uint8_t *scratch)
{
	if (n == 0)
		return true;
	if (s->sym_alg == TPM_ALG_AES) {
		/* KDFa(sessionAlg, sessionValue, "CFB", newer, older, keyBits + 128): key || IV */
		uint8_t kiv[32 + 16];
		size_t kbytes = s->sym_bits / 8u;
		bool ok = tpm_kdfa(s->hash_alg, value, value_len, "CFB", newer, newer_size, older,
				   older_size, s->sym_bits + 128u, kiv) &&
			  tpm_aes_cfb(kiv, s->sym_bits, kiv + kbytes, encrypt, buf, n);

		tpm_wipe(kiv, sizeof(kiv));
		return ok;
	}
	if (s->sym_alg == TPM_ALG_XOR) {
		/* mask = KDFa(hashAlg, sessionValue, "XOR", newer, older, n * 8) */
		if (!tpm_kdfa(s->sym_bits, value, value_len, "XOR", newer, newer_size, older,
			      older_size, (uint32_t)n * 8u, scratch))
			return false;
		for (size_t i = 0; i < n; i++)
			buf[i] ^= scratch[i];
		tpm_wipe(scratch, n);
		return true;
	}
	return false;
}
