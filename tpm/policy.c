// SPDX-License-Identifier: MIT
/*
 * Policy commands (TCG Part 3, 23) on policy and trial sessions, and what a policy session
 * demands when it authorizes (tpm_policy_check, called by the engine; Part 1, 19.7).
 *
 * Every command extends the session's policyDigest the spec's way,
 *   policyDigest' = H_session(policyDigest || commandCode || arguments)
 * and, on a policy (not trial) session, first checks its assertion: a failed assertion leaves
 * the session unchanged. Deferred checks (command code, PCR counter, cpHash, nameHash,
 * expiration, authValue or password) are recorded in the session and checked at use.
 * PolicyPhysicalPresence and PolicyTemplate are not offered (TPM_RC_COMMAND_CODE).
 */
#include <lib/string.h>

#include "commands.h"
#include "session.h"
#include "sign.h"

/* The policy session behind handle i (the engine checked it is a loaded policy session). */
static struct tpm_session *policy_session(struct tpm_cmd *c, unsigned i)
{
	struct tpm_session *s = tpm_session_find(c->t, c->h[i]);

	if (s == NULL || (s->type != TPM_SE_POLICY && s->type != TPM_SE_TRIAL)) {
		tpm_fail(c->t, "a policy session vanished after the handle check");
		return NULL;
	}
	return s;
}

/* No parameters left over (tpm_params_done), then the policy session behind handle i. */
static tpm_rc params_then_session(struct tpm_cmd *c, unsigned i, struct tpm_session **s)
{
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	*s = policy_session(c, i);
	return *s != NULL ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
}

static bool trial(const struct tpm_session *s)
{
	return s->type == TPM_SE_TRIAL;
}

/* policyDigest' = H(policyDigest || cc || a || b): most commands extend with one or two parts. */
static void extend(struct tpm_session *s, uint32_t cc, const void *a, size_t an, const void *b,
		   size_t bn)
{
	struct tpm_hash_ctx h;
	uint8_t be[4];

	tpm_be32(be, cc);
	(void)tpm_hash_start(&h, s->hash_alg);
	tpm_hash_update(&h, s->policy_digest, s->digest_size);
	tpm_hash_update(&h, be, 4);
	tpm_hash_update(&h, a, an);
	tpm_hash_update(&h, b, bn);
	tpm_hash_finish(&h, s->policy_digest);
}

/* PolicyUpdate (Part 3, 23.2.3): extend with cc || name, then again with policyRef alone. */
static void policy_update(struct tpm_session *s, uint32_t cc, const uint8_t *name,
			  uint16_t name_size, const uint8_t *ref, uint16_t ref_size)
{
	struct tpm_hash_ctx h;

	extend(s, cc, name, name_size, NULL, 0);
	(void)tpm_hash_start(&h, s->hash_alg);
	tpm_hash_update(&h, s->policy_digest, s->digest_size);
	tpm_hash_update(&h, ref, ref_size);
	tpm_hash_finish(&h, s->policy_digest);
}

void tpm_policy_reset(struct tpm_session *s)
{
	memset(s->policy_digest, 0, sizeof(s->policy_digest));
	s->policy_flags = 0;
	s->policy_cc = 0;
	s->policy_pcr_counter = 0;
	memset(s->policy_cp_hash, 0, sizeof(s->policy_cp_hash));
	s->policy_timeout_ms = 0;
	s->policy_locality = 0;
	s->policy_nv_written = false;
}

/* Is locality (0-4, or an extended one from 32) in the TPMA_LOCALITY set? */
static bool locality_allowed(uint8_t set, uint8_t locality)
{
	if (set < 32)
		return locality < 5 && ((set >> locality) & 1u) != 0;
	return locality == set;
}

/* ---- at use ---------------------------------------------------------------------------- */

tpm_rc tpm_policy_check(struct tpm *t, const struct tpm_session *s, uint32_t cc, uint32_t entity,
			uint8_t locality, const uint8_t *policy, uint16_t policy_size,
			const uint8_t *cp_hash, const uint8_t *name_hash)
{
	if (s->type == TPM_SE_TRIAL)
		return TPM_RC_ATTRIBUTES;
	if (policy_size != s->digest_size || !tpm_ct_equal(policy, s->policy_digest, policy_size))
		return TPM_RC_POLICY_FAIL;
	if ((s->policy_flags & TPM_POLICY_TIMEOUT) && tpm_clock(t) > s->policy_timeout_ms)
		return TPM_RC_EXPIRED;
	if ((s->policy_flags & TPM_POLICY_CC) && s->policy_cc != cc)
		return TPM_RC_POLICY_CC;
	if ((s->policy_flags & TPM_POLICY_PCR) && s->policy_pcr_counter != t->pcr_update_counter)
		return TPM_RC_PCR_CHANGED;
	if ((s->policy_flags & TPM_POLICY_LOCALITY) &&
	    !locality_allowed(s->policy_locality, locality))
		return TPM_RC_LOCALITY;
	if ((s->policy_flags & TPM_POLICY_CPHASH) &&
	    !tpm_ct_equal(cp_hash, s->policy_cp_hash, s->digest_size))
		return TPM_RC_POLICY_FAIL;
	if ((s->policy_flags & TPM_POLICY_NAMEHASH) &&
	    !tpm_ct_equal(name_hash, s->policy_cp_hash, s->digest_size))
		return TPM_RC_POLICY_FAIL;
	if (s->policy_flags & TPM_POLICY_NV_WRITTEN) {
		/* only an NV index has a written state to assert */
		const struct tpm_nv_index *nv =
			(entity >> TPM_HR_SHIFT) == TPM_HT_NV_INDEX ? tpm_nv_find(t, entity) : NULL;

		if (nv == NULL || ((nv->attrs & TPMA_NV_WRITTEN) != 0) != s->policy_nv_written)
			return TPM_RC_POLICY_FAIL;
	}
	return TPM_RC_SUCCESS;
}

/* ---- commands without assertions -------------------------------------------------------- */

TPM_HANDLER(PolicyRestart)
{
	struct tpm_session *s;
	tpm_rc rc = params_then_session(c, 0, &s);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	tpm_policy_reset(s);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(PolicyGetDigest)
{
	struct tpm_session *s;
	tpm_rc rc = params_then_session(c, 0, &s);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	tpm_put_2b(c->out, s->policy_digest, s->digest_size);
	return TPM_RC_SUCCESS;
}

/* PolicyAuthValue and PolicyPassword extend alike (with TPM_CC_PolicyAuthValue, Part 3, 23.18). */
static tpm_rc auth_value(struct tpm_cmd *c, uint16_t set, uint16_t clear)
{
	struct tpm_session *s;
	tpm_rc rc = params_then_session(c, 0, &s);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	extend(s, TPM_CC_PolicyAuthValue, NULL, 0, NULL, 0);
	s->policy_flags = (uint16_t)((s->policy_flags & ~clear) | set);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(PolicyAuthValue)
{
	return auth_value(c, TPM_POLICY_AUTH_VALUE, TPM_POLICY_PASSWORD);
}

TPM_HANDLER(PolicyPassword)
{
	return auth_value(c, TPM_POLICY_PASSWORD, TPM_POLICY_AUTH_VALUE);
}

TPM_HANDLER(PolicyCommandCode)
{
	struct tpm_session *s;
	uint32_t code = 0;
	uint8_t be[4];
	tpm_rc rc = tpm_get_u32(&c->in, &code);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* One command per session; an unimplemented one could never be authorized. */
	if ((s->policy_flags & TPM_POLICY_CC) && s->policy_cc != code)
		return TPM_RCP(TPM_RC_VALUE, 1);
	if (tpm_cc_find(code) == NULL)
		return TPM_RCP(TPM_RC_POLICY_CC, 1);
	tpm_be32(be, code);
	extend(s, TPM_CC_PolicyCommandCode, be, 4, NULL, 0);
	s->policy_flags |= TPM_POLICY_CC;
	s->policy_cc = code;
	return TPM_RC_SUCCESS;
}

/* PolicyCpHash and PolicyNameHash: one digest of the session's size, bound once. */
static tpm_rc digest_binding(struct tpm_cmd *c, uint16_t flag)
{
	struct tpm_session *s;
	uint8_t d[TPM_MAX_DIGEST];
	uint16_t n = 0;
	tpm_rc rc = tpm_get_2b(&c->in, d, sizeof(d), &n);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (n != s->digest_size)
		return TPM_RCP(TPM_RC_SIZE, 1);
	/* A session binds either a cpHash or a nameHash, and that one only once. */
	if (s->policy_flags & (TPM_POLICY_CPHASH | TPM_POLICY_NAMEHASH)) {
		if (!(s->policy_flags & flag) || !tpm_ct_equal(d, s->policy_cp_hash, n))
			return TPM_RC_CPHASH;
	}
	extend(s, c->cc, d, n, NULL, 0);
	memcpy(s->policy_cp_hash, d, n);
	s->policy_flags |= flag;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(PolicyCpHash)
{
	return digest_binding(c, TPM_POLICY_CPHASH);
}

TPM_HANDLER(PolicyNameHash)
{
	return digest_binding(c, TPM_POLICY_NAMEHASH);
}

/* ---- assertions ------------------------------------------------------------------------ */

TPM_HANDLER(PolicyPCR)
{
	struct tpm *t = c->t;
	struct tpm_session *s;
	uint8_t given[TPM_MAX_DIGEST];
	uint16_t given_size = 0;
	uint8_t now[TPM_MAX_DIGEST];
	uint8_t sel_bytes[4 + TPM_HASH_COUNT * (3 + TPM_PCR_SELECT_MIN)];
	struct tpm_wr w = tpm_wr_init(sel_bytes, sizeof(sel_bytes));
	struct tpm_pcr_selection sel;
	const uint8_t *digest;
	uint16_t digest_size;
	tpm_rc rc = tpm_get_2b(&c->in, given, sizeof(given), &given_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_pcr_selection(&c->in, &sel);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* The digest of the selected PCRs now (the selection filtered to allocated banks, as the
	 * reference does before hashing it into the policy). */
	(void)tpm_pcr_digest(t, s->hash_alg, &sel, now);
	if (!trial(s) && given_size != 0 &&
	    (given_size != s->digest_size || !tpm_ct_equal(given, now, given_size)))
		return TPM_RCP(TPM_RC_VALUE, 1);
	/* A trial session takes the caller's digest as given (a policy for other PCR values). */
	digest = trial(s) && given_size != 0 ? given : now;
	digest_size = trial(s) && given_size != 0 ? given_size : s->digest_size;
	tpm_put_pcr_selection(&w, &sel);
	if (w.overflow) {
		tpm_fail(t, "PolicyPCR: the selection does not fit");
		return TPM_RC_FAILURE;
	}
	extend(s, TPM_CC_PolicyPCR, sel_bytes, w.len, digest, digest_size);
	if (!trial(s)) {
		s->policy_flags |= TPM_POLICY_PCR;
		s->policy_pcr_counter = t->pcr_update_counter;
	}
	return TPM_RC_SUCCESS;
}

/* TPML_DIGEST (Part 2, 10.9.2) of 2 to 8 digests (Part 3, 23.6). */
TPM_HANDLER(PolicyOR)
{
	struct tpm_session *s;
	uint8_t list[8][TPM_MAX_DIGEST];
	uint16_t sizes[8];
	uint32_t count = 0;
	bool match = false;
	struct tpm_hash_ctx h;
	uint8_t be[4];
	tpm_rc rc = tpm_get_u32(&c->in, &count);

	if (rc == TPM_RC_SUCCESS && count > 8)
		rc = TPM_RC_SIZE;
	for (uint32_t i = 0; rc == TPM_RC_SUCCESS && i < count; i++)
		rc = tpm_get_2b(&c->in, list[i], TPM_MAX_DIGEST, &sizes[i]);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (count < 2)
		return TPM_RCP(TPM_RC_SIZE, 1);
	/* Entries are hashed as given (the reference checks no sizes); only one of the
	 * session's size can match. */
	for (uint32_t i = 0; i < count; i++)
		match = match || (sizes[i] == s->digest_size &&
				  tpm_ct_equal(list[i], s->policy_digest, s->digest_size));
	if (!trial(s) && !match)
		return TPM_RCP(TPM_RC_VALUE, 1);
	/* policyDigest' = H(0...0 || TPM_CC_PolicyOR || digests) */
	tpm_be32(be, TPM_CC_PolicyOR);
	memset(s->policy_digest, 0, s->digest_size);
	(void)tpm_hash_start(&h, s->hash_alg);
	tpm_hash_update(&h, s->policy_digest, s->digest_size);
	tpm_hash_update(&h, be, 4);
	for (uint32_t i = 0; i < count; i++)
		tpm_hash_update(&h, list[i], sizes[i]);
	tpm_hash_finish(&h, s->policy_digest);
	return TPM_RC_SUCCESS;
}

/* ---- authorizations by a secret, a signature or a ticket (Part 3, 23.3, 23.4, 23.5) ------ */

/* The parameters PolicySecret, PolicySigned and PolicyTicket share, and their numbers. */
struct auth_args {
	uint8_t nonce[TPM_MAX_NONCE];
	uint8_t cp[TPM_MAX_DIGEST];
	uint8_t ref[TPM_MAX_NONCE];
	uint16_t nonce_size, cp_size, ref_size;
	uint64_t timeout; /* absolute Clock in ms; 0 = none */
	unsigned p_nonce, p_cp, p_time;
};

/* Bit 63 of a TPM2B_TIMEOUT: the authorization was not bound to a session's nonceTPM. */
#define TIMEOUT_NO_NONCE (1ull << 63)

/*
 * The timeout an expiration (seconds, either sign) sets, as an absolute Clock in ms (Part 3,
 * 23.3; the reference's ComputeAuthTimeout): with a nonceTPM it counts from the session's
 * start; without one the authorization is bound to no session, so the expiration is an
 * absolute TPM Time (here Clock since power-on), plus the sub-second part of the time now as
 * the reference adds it. Capped below TIMEOUT_NO_NONCE (Clock cannot get there; a larger value
 * could not be told apart from the flag).
 */
static uint64_t auth_timeout(struct tpm *t, const struct tpm_session *s, int32_t exp,
			     uint16_t nonce_size)
{
	uint64_t secs = exp < 0 ? (uint64_t)(-(int64_t)exp) : (uint64_t)exp;
	uint64_t limit = TIMEOUT_NO_NONCE - 1u;
	uint64_t base = s->start_ms;

	if (exp == 0)
		return 0;
	if (nonce_size == 0)
		base = t->clock_at_power_on + (tpm_clock(t) - t->clock_at_power_on) % 1000u;
	/* secs * 1000 < 2^42: only the sum can pass the cap */
	return base > limit - secs * 1000u ? limit : base + secs * 1000u;
}

/*
 * What the three check before they act (the reference's PolicyParameterChecks): a nonceTPM,
 * if given, is the session's (TPM_RC_NONCE); a cpHashA, if given, has the session's digest
 * size (TPM_RC_SIZE) and agrees with a cpHash already bound (TPM_RC_CPHASH); the timeout has
 * not passed (TPM_RC_EXPIRED). A trial session checks nothing.
 */
static tpm_rc auth_checks(struct tpm *t, const struct tpm_session *s, const struct auth_args *a)
{
	if (trial(s))
		return TPM_RC_SUCCESS;
	if (a->nonce_size != 0 && (a->nonce_size != s->nonce_size ||
				   !tpm_ct_equal(a->nonce, s->nonce_tpm, a->nonce_size)))
		return TPM_RCP(TPM_RC_NONCE, a->p_nonce);
	if (a->cp_size != 0) {
		if (a->cp_size != s->digest_size)
			return TPM_RCP(TPM_RC_SIZE, a->p_cp);
		if ((s->policy_flags & (TPM_POLICY_CPHASH | TPM_POLICY_NAMEHASH)) &&
		    (!(s->policy_flags & TPM_POLICY_CPHASH) ||
		     !tpm_ct_equal(a->cp, s->policy_cp_hash, a->cp_size)))
			return TPM_RC_CPHASH; /* a format-zero code: no parameter number */
	}
	if (a->timeout != 0 && tpm_clock(t) > a->timeout)
		return TPM_RCP(TPM_RC_EXPIRED, a->p_time);
	return TPM_RC_SUCCESS;
}

/*
 * The reference's PolicyContextUpdate: policyDigest' = PolicyUpdate(cc, authName, policyRef);
 * on a policy session the cpHash is bound and the earliest timeout kept.
 */
static void auth_update(struct tpm_session *s, uint32_t cc, const uint8_t *name, uint16_t name_size,
			const struct auth_args *a)
{
	if (!trial(s) && a->timeout != 0) {
		if (!(s->policy_flags & TPM_POLICY_TIMEOUT) || a->timeout < s->policy_timeout_ms)
			s->policy_timeout_ms = a->timeout;
		s->policy_flags |= TPM_POLICY_TIMEOUT;
	}
	if (!trial(s) && a->cp_size != 0) {
		memcpy(s->policy_cp_hash, a->cp, a->cp_size);
		s->policy_flags |= TPM_POLICY_CPHASH;
	}
	policy_update(s, cc, name, name_size, a->ref, a->ref_size);
}

/* The hierarchy an entity belongs to (the reference's EntityGetHierarchy), for tickets. */
static uint32_t entity_hierarchy(struct tpm *t, uint32_t h)
{
	const struct tpm_key *k;
	const struct tpm_nv_index *nv;

	switch (h >> TPM_HR_SHIFT) {
	case TPM_HT_PERMANENT:
		if (h == TPM_RH_PLATFORM || h == TPM_RH_ENDORSEMENT || h == TPM_RH_NULL)
			return h;
		return TPM_RH_OWNER;
	case TPM_HT_NV_INDEX:
		nv = tpm_nv_find(t, h);
		return nv != NULL && (nv->attrs & TPMA_NV_PLATFORMCREATE) ? TPM_RH_PLATFORM
									  : TPM_RH_OWNER;
	case TPM_HT_TRANSIENT:
	case TPM_HT_PERSISTENT:
		k = tpm_object_key(t, h);
		return k != NULL ? k->hierarchy : TPM_RH_NULL;
	default:
		return TPM_RH_OWNER;
	}
}

static void be64(uint8_t *p, uint64_t v)
{
	tpm_be32(p, (uint32_t)(v >> 32));
	tpm_be32(p + 4, (uint32_t)v);
}

static void mac_2b(struct tpm_hmac_ctx *m, const uint8_t *p, uint16_t n)
{
	uint8_t be[2];

	tpm_be16(be, n);
	tpm_hmac_update(m, be, 2);
	tpm_hmac_update(m, p, n);
}

/*
 * TPMT_TK_AUTH's HMAC. Only this TPM checks it, so the layout is Copra's (Part 2, 10.7.5 leaves
 * it to the TPM): the hierarchy's proof keys HMAC-SHA-512 over tag || hierarchy || cpHashA ||
 * policyRef || authName (each with its size) || timeout || resetCount || restartCount. The
 * counts make every ticket die at the next Startup, as the reference's time epoch does; a Clear
 * changes the proof.
 */
static bool auth_ticket_mac(struct tpm *t, uint16_t tag, uint32_t hier, const uint8_t *name,
			    uint16_t name_size, const struct auth_args *a, uint8_t *mac)
{
	const uint8_t *proof = tpm_hierarchy_proof(t, hier);
	struct tpm_hmac_ctx m;
	uint8_t b[18];

	if (proof == NULL)
		return false;
	(void)tpm_hmac_start(&m, TPM_TICKET_HMAC_ALG, proof, TPM_SEED_SIZE);
	tpm_be16(b, tag);
	tpm_be32(b + 2, hier);
	tpm_hmac_update(&m, b, 6);
	mac_2b(&m, a->cp, a->cp_size);
	mac_2b(&m, a->ref, a->ref_size);
	mac_2b(&m, name, name_size);
	be64(b, a->timeout);
	tpm_be32(b + 8, t->perm.reset_count);
	tpm_be32(b + 12, t->perm.restart_count);
	tpm_hmac_update(&m, b, 16);
	tpm_hmac_finish(&m, mac);
	return true;
}

/*
 * The response of PolicySecret and PolicySigned: timeout and policyTicket. A negative
 * expiration on a policy session asks for a ticket (and the timeout it carries, with bit 63
 * set when no nonceTPM bound the authorization); otherwise both are empty (the NULL ticket).
 */
static void put_auth_ticket(struct tpm_cmd *c, const struct tpm_session *s, int32_t exp,
			    uint16_t tag, uint32_t hier, const uint8_t *name, uint16_t name_size,
			    const struct auth_args *a)
{
	uint8_t mac[TPM_MAX_DIGEST];

	if (exp >= 0 || trial(s) || !auth_ticket_mac(c->t, tag, hier, name, name_size, a, mac)) {
		tpm_put_u16(c->out, 0);
		tpm_put_u16(c->out, tag);
		tpm_put_u32(c->out, TPM_RH_NULL);
		tpm_put_u16(c->out, 0);
		return;
	}
	tpm_put_u16(c->out, 8);
	tpm_put_u64(c->out, a->timeout | (a->nonce_size == 0 ? TIMEOUT_NO_NONCE : 0));
	tpm_put_u16(c->out, tag);
	tpm_put_u32(c->out, hier);
	tpm_put_2b(c->out, mac, tpm_hash_size(TPM_TICKET_HMAC_ALG));
}

/* nonceTPM, cpHashA, policyRef and expiration: parameters 1-4 of PolicySecret and -Signed. */
static tpm_rc get_auth_args(struct tpm_cmd *c, struct auth_args *a, int32_t *exp)
{
	uint32_t e = 0;
	tpm_rc rc = tpm_get_2b(&c->in, a->nonce, sizeof(a->nonce), &a->nonce_size);

	a->p_nonce = 1;
	a->p_cp = 2;
	a->p_time = 4;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, a->cp, sizeof(a->cp), &a->cp_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b(&c->in, a->ref, sizeof(a->ref), &a->ref_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_get_u32(&c->in, &e);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	*exp = (int32_t)e;
	return TPM_RC_SUCCESS;
}

/*
 * PolicySecret (Part 3, 23.4): the command itself carries the authorization of authHandle.
 * nonceTPM (when given) must be the session's; cpHashA binds the session's cpHash; expiration
 * sets a timeout relative to the session's start (its absolute value in seconds); a negative
 * one asks for a ticket for PolicyTicket.
 */
TPM_HANDLER(PolicySecret)
{
	struct tpm *t = c->t;
	struct tpm_session *s;
	struct auth_args a;
	uint8_t name[TPM_MAX_NAME + 4];
	uint16_t name_size = 0;
	int32_t exp = 0;
	tpm_rc rc = get_auth_args(c, &a, &exp);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = params_then_session(c, 1, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	a.timeout = auth_timeout(t, s, exp, a.nonce_size);
	rc = auth_checks(t, s, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!tpm_entity_name(t, c->h[0], name, &name_size))
		return TPM_RCH(TPM_RC_HANDLE, 1);
	auth_update(s, TPM_CC_PolicySecret, name, name_size, &a);
	put_auth_ticket(c, s, exp, TPM_ST_AUTH_SECRET, entity_hierarchy(t, c->h[0]), name,
			name_size, &a);
	return TPM_RC_SUCCESS;
}

/*
 * PolicySigned (Part 3, 23.3): authObject signed
 *   aHash = H_sigHash(nonceTPM || expiration || cpHashA || policyRef)
 * (a policy session verifies the signature: parameter 5). Then as PolicySecret, with the key's
 * Name; tickets are TPM_ST_AUTH_SIGNED in the key's hierarchy.
 */
TPM_HANDLER(PolicySigned)
{
	struct tpm *t = c->t;
	struct tpm_session *s;
	struct auth_args a;
	struct tpm_signature *sig = (struct tpm_signature *)(void *)t->scratch;
	const struct tpm_key *k;
	int32_t exp = 0;
	tpm_rc rc = get_auth_args(c, &a, &exp);

	_Static_assert(sizeof(struct tpm_signature) <= sizeof(t->scratch), "fits the scratch");
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_get_signature(&c->in, sig);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 5);
	rc = params_then_session(c, 1, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	k = tpm_object_key(t, c->h[0]);
	if (k == NULL)
		return TPM_RCH(TPM_RC_HANDLE, 1);
	a.timeout = auth_timeout(t, s, exp, a.nonce_size);
	rc = auth_checks(t, s, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!trial(s)) {
		struct tpm_hash_ctx h;
		uint8_t ahash[TPM_MAX_DIGEST];
		uint8_t be[4];

		if (tpm_hash_size(sig->hash) == 0)
			return TPM_RCP(TPM_RC_SCHEME, 5);
		(void)tpm_hash_start(&h, sig->hash);
		tpm_hash_update(&h, a.nonce, a.nonce_size);
		tpm_be32(be, (uint32_t)exp);
		tpm_hash_update(&h, be, 4);
		tpm_hash_update(&h, a.cp, a.cp_size);
		tpm_hash_update(&h, a.ref, a.ref_size);
		tpm_hash_finish(&h, ahash);
		/* an HMAC needs the key itself, which a public-only object lacks */
		if (k->public_only && k->pub.type == TPM_ALG_KEYEDHASH)
			return TPM_RCP(TPM_RC_SIGNATURE, 5);
		rc = tpm_verify(k, sig, ahash, tpm_hash_size(sig->hash));
		if (rc == TPM_RC_MEMORY)
			return rc;
		if (rc != TPM_RC_SUCCESS)
			return TPM_RCP(rc, 5);
	}
	auth_update(s, TPM_CC_PolicySigned, k->name, k->name_size, &a);
	put_auth_ticket(c, s, exp, TPM_ST_AUTH_SIGNED, k->hierarchy, k->name, k->name_size, &a);
	return TPM_RC_SUCCESS;
}

/*
 * PolicyTicket (Part 3, 23.5): a ticket from PolicySecret or PolicySigned stands in for that
 * authorization on a policy session (a trial session: TPM_RC_ATTRIBUTES, it proves nothing).
 * The ticket must be this TPM's for exactly these timeout, cpHashA, policyRef and authName
 * (TPM_RC_TICKET); its timeout must not have passed.
 */
TPM_HANDLER(PolicyTicket)
{
	struct tpm *t = c->t;
	struct tpm_session *s;
	struct auth_args a;
	uint8_t tb[8], name[TPM_MAX_NAME], tk[TPM_MAX_DIGEST], mac[TPM_MAX_DIGEST];
	uint16_t tn = 0, nn = 0, tkn = 0, tag = 0;
	uint32_t hier = 0;
	tpm_rc rc = tpm_get_2b(&c->in, tb, sizeof(tb), &tn);

	memset(&a, 0, sizeof(a));
	a.p_cp = 2;
	a.p_time = 1;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, a.cp, sizeof(a.cp), &a.cp_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b(&c->in, a.ref, sizeof(a.ref), &a.ref_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_get_2b(&c->in, name, sizeof(name), &nn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	/* TPMT_TK_AUTH: tag AUTH_SIGNED or AUTH_SECRET, TPMI_RH_HIERARCHY+, the HMAC */
	rc = tpm_get_ticket(&c->in, TPM_ST_AUTH_SIGNED, TPM_ST_AUTH_SECRET, &tag, &hier, tk, &tkn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 5);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (trial(s))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if (tn != 8)
		return TPM_RCP(TPM_RC_SIZE, 1);
	a.timeout = ((uint64_t)tpm_ld32(tb) << 32 | tpm_ld32(tb + 4)) & ~TIMEOUT_NO_NONCE;
	rc = auth_checks(t, s, &a);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!auth_ticket_mac(t, tag, hier, name, nn, &a, mac) ||
	    tkn != tpm_hash_size(TPM_TICKET_HMAC_ALG) || !tpm_ct_equal(mac, tk, tkn))
		return TPM_RCP(TPM_RC_TICKET, 5);
	auth_update(s, tag == TPM_ST_AUTH_SIGNED ? TPM_CC_PolicySigned : TPM_CC_PolicySecret, name,
		    nn, &a);
	return TPM_RC_SUCCESS;
}

/* ---- comparisons: PolicyNV and PolicyCounterTimer (Part 3, 23.9-23.10) ------------------ */

enum {
	EO_EQ = 0,
	EO_NEQ,
	EO_SIGNED_GT,
	EO_UNSIGNED_GT,
	EO_SIGNED_LT,
	EO_UNSIGNED_LT,
	EO_SIGNED_GE,
	EO_UNSIGNED_GE,
	EO_SIGNED_LE,
	EO_UNSIGNED_LE,
	EO_BITSET,
	EO_BITCLEAR,
};

/* a OP b over n big-endian bytes (TPM_EO); false for an unknown operation. */
static bool compare(const uint8_t *a, const uint8_t *b, size_t n, uint16_t op, bool *result)
{
	int cmp = 0;
	int scmp;
	bool all = true;
	bool none = true;

	for (size_t i = 0; i < n && cmp == 0; i++)
		cmp = a[i] < b[i] ? -1 : a[i] > b[i];
	/* Signed: a difference of sign bits decides, else the unsigned order holds. */
	scmp = cmp;
	if (n > 0 && (a[0] & 0x80) != (b[0] & 0x80))
		scmp = (a[0] & 0x80) ? -1 : 1;
	for (size_t i = 0; i < n; i++) {
		all = all && (a[i] & b[i]) == b[i];
		none = none && (a[i] & b[i]) == 0;
	}
	switch (op) {
	case EO_EQ:
		*result = cmp == 0;
		break;
	case EO_NEQ:
		*result = cmp != 0;
		break;
	case EO_SIGNED_GT:
		*result = scmp > 0;
		break;
	case EO_UNSIGNED_GT:
		*result = cmp > 0;
		break;
	case EO_SIGNED_LT:
		*result = scmp < 0;
		break;
	case EO_UNSIGNED_LT:
		*result = cmp < 0;
		break;
	case EO_SIGNED_GE:
		*result = scmp >= 0;
		break;
	case EO_UNSIGNED_GE:
		*result = cmp >= 0;
		break;
	case EO_SIGNED_LE:
		*result = scmp <= 0;
		break;
	case EO_UNSIGNED_LE:
		*result = cmp <= 0;
		break;
	case EO_BITSET:
		*result = all;
		break;
	case EO_BITCLEAR:
		*result = none;
		break;
	default:
		return false;
	}
	return true;
}

struct operand {
	uint8_t b[TPM_MAX_DIGEST];
	uint16_t size;
	uint16_t offset;
	uint16_t op;
};

static tpm_rc get_operand(struct tpm_cmd *c, struct operand *o)
{
	tpm_rc rc = tpm_get_2b(&c->in, o->b, sizeof(o->b), &o->size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u16(&c->in, &o->offset);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_u16(&c->in, &o->op);
	if (rc == TPM_RC_SUCCESS && o->op > EO_BITCLEAR)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	return tpm_params_done(c);
}

/* argHash = H(operandB || offset || operation) */
static void arg_hash(const struct tpm_session *s, const struct operand *o, uint8_t *out)
{
	struct tpm_hash_ctx h;
	uint8_t be[4];

	tpm_be16(be, o->offset);
	tpm_be16(be + 2, o->op);
	(void)tpm_hash_start(&h, s->hash_alg);
	tpm_hash_update(&h, o->b, o->size);
	tpm_hash_update(&h, be, 4);
	tpm_hash_finish(&h, out);
}

/* Handles: authHandle (authorized), nvIndex, policySession. */
TPM_HANDLER(PolicyNV)
{
	struct tpm *t = c->t;
	struct operand o;
	struct tpm_session *s;
	const struct tpm_nv_index *nv;
	uint8_t args[TPM_MAX_DIGEST];
	uint8_t name[TPM_MAX_NAME];
	uint16_t name_size = 0;
	bool ok = false;
	tpm_rc rc = get_operand(c, &o);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	s = policy_session(c, 2);
	nv = tpm_nv_of(c, 1);
	if (s == NULL || nv == NULL)
		return TPM_RC_FAILURE;
	if (!trial(s)) {
		rc = tpm_nv_read_access(nv, c->h[0]);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		if (o.offset > nv->data_size)
			return TPM_RCP(TPM_RC_VALUE, 2);
		if (nv->data_size - o.offset < o.size)
			return TPM_RCP(TPM_RC_SIZE, 1);
		(void)compare(t->perm.nv_data + nv->data_off + o.offset, o.b, o.size, o.op, &ok);
		if (!ok)
			return TPM_RC_POLICY;
	}
	if (!tpm_entity_name(t, c->h[1], name, &name_size))
		return TPM_RCH(TPM_RC_HANDLE, 2);
	arg_hash(s, &o, args);
	extend(s, TPM_CC_PolicyNV, args, s->digest_size, name, name_size);
	return TPM_RC_SUCCESS;
}

/* TPMS_TIME_INFO (Part 2, 10.11.6): time, clock, resetCount, restartCount, safe. */
TPM_HANDLER(PolicyCounterTimer)
{
	struct tpm *t = c->t;
	struct operand o;
	struct tpm_session *s;
	uint8_t info[25];
	struct tpm_wr w = tpm_wr_init(info, sizeof(info));
	uint8_t args[TPM_MAX_DIGEST];
	bool ok = false;
	tpm_rc rc = get_operand(c, &o);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	s = policy_session(c, 0);
	if (s == NULL)
		return TPM_RC_FAILURE;
	if (!trial(s)) {
		uint64_t clock = tpm_clock(t);

		tpm_put_u64(&w, clock - t->clock_at_power_on); /* as ReadClock answers */
		tpm_put_u64(&w, clock);
		tpm_put_u32(&w, t->perm.reset_count);
		tpm_put_u32(&w, t->perm.restart_count);
		tpm_put_u8(&w, t->clock_safe ? 1 : 0);
		if ((uint32_t)o.offset + o.size > w.len)
			return TPM_RC_RANGE;
		(void)compare(info + o.offset, o.b, o.size, o.op, &ok);
		if (!ok)
			return TPM_RC_POLICY;
	}
	arg_hash(s, &o, args);
	extend(s, TPM_CC_PolicyCounterTimer, args, s->digest_size, NULL, 0);
	return TPM_RC_SUCCESS;
}

/*
 * PolicyAuthorizeNV (Part 3, 23.22): the NV index holds the approved policy as a TPMT_HA; on a
 * policy session the digest so far must equal it. Then policyDigest' = H(0 || cc || nvName).
 * Handles: authHandle (authorized for reading), nvIndex, policySession.
 */
TPM_HANDLER(PolicyAuthorizeNV)
{
	struct tpm *t = c->t;
	struct tpm_session *s;
	const struct tpm_nv_index *nv;
	uint8_t name[TPM_MAX_NAME];
	uint16_t name_size = 0;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	s = policy_session(c, 2);
	nv = tpm_nv_of(c, 1);
	if (s == NULL || nv == NULL)
		return TPM_RC_FAILURE;
	if (!trial(s)) {
		const uint8_t *d = t->perm.nv_data + nv->data_off;

		rc = tpm_nv_read_access(nv, c->h[0]);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		if ((nv->attrs & TPMA_NV_TPM_NT_MASK) != 0)
			return TPM_RCH(TPM_RC_ATTRIBUTES, 2);
		if (nv->data_size < 2 || tpm_ld16(d) != s->hash_alg ||
		    nv->data_size - 2u < s->digest_size)
			return TPM_RCH(TPM_RC_HASH, 2);
		if (!tpm_ct_equal(d + 2, s->policy_digest, s->digest_size))
			return TPM_RC_VALUE;
	}
	if (!tpm_entity_name(t, c->h[1], name, &name_size))
		return TPM_RCH(TPM_RC_HANDLE, 2);
	memset(s->policy_digest, 0, s->digest_size);
	extend(s, TPM_CC_PolicyAuthorizeNV, name, name_size, NULL, 0);
	return TPM_RC_SUCCESS;
}

/*
 * PolicyAuthorize (Part 3, 23.16): a policy approved by a signing key. On a policy session the
 * digest so far must be approvedPolicy (TPM_RC_VALUE, parameter 1) and checkTicket the
 * VerifySignature ticket for aHash = H_keyNameAlg(approvedPolicy || policyRef) by keySign
 * (TPM_RC_VALUE, parameter 4). Then policyDigest' = PolicyUpdate(0, cc, keySign, policyRef).
 */
TPM_HANDLER(PolicyAuthorize)
{
	struct tpm *t = c->t;
	struct tpm_session *s;
	uint8_t approved[TPM_MAX_DIGEST], ref[TPM_MAX_NONCE], name[TPM_MAX_NAME];
	uint8_t tk[TPM_MAX_DIGEST], ahash[TPM_MAX_DIGEST], mac[TPM_MAX_DIGEST];
	uint16_t an = 0, rn = 0, nn = 0, tkn = 0, tag = 0, alg;
	uint32_t hier = 0;
	struct tpm_hash_ctx h;
	tpm_rc rc = tpm_get_2b(&c->in, approved, sizeof(approved), &an);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, ref, sizeof(ref), &rn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_2b(&c->in, name, sizeof(name), &nn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_get_ticket(&c->in, TPM_ST_VERIFIED, TPM_ST_VERIFIED, &tag, &hier, tk, &tkn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 4);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* keySign: a Name, whose algorithm says how to hash aHash */
	alg = nn >= 2 ? tpm_ld16(name) : 0;
	if (tpm_hash_size(alg) == 0)
		return TPM_RCP(TPM_RC_HASH, 3);
	if (nn != 2u + tpm_hash_size(alg))
		return TPM_RCP(TPM_RC_SIZE, 3);
	if (!trial(s)) {
		if (an != s->digest_size || !tpm_ct_equal(approved, s->policy_digest, an))
			return TPM_RCP(TPM_RC_VALUE, 1);
		(void)tpm_hash_start(&h, alg);
		tpm_hash_update(&h, approved, an);
		tpm_hash_update(&h, ref, rn);
		tpm_hash_finish(&h, ahash);
		tpm_verified_mac(t, hier, ahash, tpm_hash_size(alg), name, nn, mac);
		if (tkn != tpm_hash_size(TPM_TICKET_HMAC_ALG) || !tpm_ct_equal(mac, tk, tkn))
			return TPM_RCP(TPM_RC_VALUE, 4);
	}
	memset(s->policy_digest, 0, s->digest_size);
	policy_update(s, TPM_CC_PolicyAuthorize, name, nn, ref, rn);
	return TPM_RC_SUCCESS;
}

/*
 * PolicyLocality (Part 3, 23.8): the command must come at one of these localities (a TPMA_LOCALITY:
 * bits for 0-4, or one extended locality from 32). Repeated, the sets of 0-4 intersect and an
 * extended one must be the same; zero, a mix of the two kinds or an empty intersection is
 * TPM_RC_RANGE. The digest takes the locality given.
 */
TPM_HANDLER(PolicyLocality)
{
	struct tpm_session *s;
	uint8_t loc = 0, prev, set;
	tpm_rc rc = tpm_get_u8(&c->in, &loc);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	prev = (s->policy_flags & TPM_POLICY_LOCALITY) ? s->policy_locality : 0;
	if (loc == 0 || (prev != 0 && (prev < 32) != (loc < 32)))
		return TPM_RCP(TPM_RC_RANGE, 1);
	if (loc < 32) {
		set = (uint8_t)((prev != 0 ? prev : 0x1Fu) & loc);
		if (set == 0)
			return TPM_RCP(TPM_RC_RANGE, 1);
	} else {
		if (prev != 0 && prev != loc)
			return TPM_RCP(TPM_RC_RANGE, 1);
		set = loc;
	}
	extend(s, TPM_CC_PolicyLocality, &loc, 1, NULL, 0);
	s->policy_locality = set;
	s->policy_flags |= TPM_POLICY_LOCALITY;
	return TPM_RC_SUCCESS;
}

/*
 * PolicyNvWritten (Part 3, 23.20): the session may only authorize for an NV index whose
 * TPMA_NV_WRITTEN is writtenSet (checked at use: TPM_RC_POLICY_FAIL). A second call must ask the
 * same (TPM_RC_VALUE); writtenSet is a TPMI_YES_NO (TPM_RC_VALUE).
 */
TPM_HANDLER(PolicyNvWritten)
{
	struct tpm_session *s;
	uint8_t yes = 0;
	tpm_rc rc = tpm_get_u8(&c->in, &yes);

	if (rc == TPM_RC_SUCCESS && yes > 1)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if ((s->policy_flags & TPM_POLICY_NV_WRITTEN) && s->policy_nv_written != (yes == 1))
		return TPM_RCP(TPM_RC_VALUE, 1);
	extend(s, TPM_CC_PolicyNvWritten, &yes, 1, NULL, 0);
	s->policy_nv_written = yes == 1;
	s->policy_flags |= TPM_POLICY_NV_WRITTEN;
	return TPM_RC_SUCCESS;
}

/*
 * PolicyDuplicationSelect (Part 3, 23.15): the policy allows Duplicate of objectName (when
 * includeObject) to newParentName. Binds a nameHash of both Names (checked at use against the
 * Duplicate's handles) and the command code; refused when either is already bound.
 */
TPM_HANDLER(PolicyDuplicationSelect)
{
	struct tpm_session *s;
	uint8_t obj[TPM_MAX_NAME], np[TPM_MAX_NAME];
	uint16_t on = 0, nn = 0;
	uint8_t include = 0;
	uint8_t tail[TPM_MAX_NAME + 1];
	struct tpm_hash_ctx h;
	tpm_rc rc = tpm_get_2b(&c->in, obj, sizeof(obj), &on);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_2b(&c->in, np, sizeof(np), &nn);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_u8(&c->in, &include);
	if (rc == TPM_RC_SUCCESS && include > 1)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = params_then_session(c, 0, &s);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (s->policy_flags & (TPM_POLICY_CPHASH | TPM_POLICY_NAMEHASH))
		return TPM_RC_CPHASH;
	if (s->policy_flags & TPM_POLICY_CC)
		return TPM_RC_COMMAND_CODE;
	/* nameHash = H(objectName || newParentName) */
	(void)tpm_hash_start(&h, s->hash_alg);
	tpm_hash_update(&h, obj, on);
	tpm_hash_update(&h, np, nn);
	tpm_hash_finish(&h, s->policy_cp_hash);
	/* policyDigest' = H(policyDigest || cc || [objectName] || newParentName || includeObject) */
	memcpy(tail, np, nn);
	tail[nn] = include;
	extend(s, TPM_CC_PolicyDuplicationSelect, obj, include ? on : 0, tail, nn + 1u);
	s->policy_flags |= TPM_POLICY_NAMEHASH | TPM_POLICY_CC;
	s->policy_cc = TPM_CC_Duplicate;
	return TPM_RC_SUCCESS;
}
