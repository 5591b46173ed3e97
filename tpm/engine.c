// SPDX-License-Identifier: MIT
/*
 * Command execution: framing, handle validation, the authorization area, dispatch, NV commit and
 * the response (TCG Part 1, 18 "Command/Response Structure" and 19 "Authorizations").
 *
 * Order (decode before acting): header → command code → handles (existence, hierarchy) →
 * sessions (parse all, then check every authorization) → handler (decodes all parameters, then
 * acts) → commit of persistent state → response handles, parameters and authorization area.
 * A failure at any step answers a 10-byte error response and leaves state as it was, except the
 * dictionary-attack counter, which an authorization failure must raise and persist.
 */
#include <lib/string.h>

#include "internal.h"
#include "session.h"

#define HDR_SIZE	     10u
#define MAX_SESSIONS_PER_CMD 3u

struct auth_slot {
	uint32_t handle; /* TPM_RS_PW or a session handle */
	struct tpm_session *s;
	uint16_t nonce_size;
	const uint8_t *nonce;
	uint8_t attrs;
	uint16_t hmac_size;
	const uint8_t *hmac;
	/* for the response */
	uint32_t entity; /* the handle this session authorizes, 0 when none */
	uint16_t auth_size;
	uint8_t auth[TPM_MAX_AUTH];
	bool include_auth; /* the authValue enters the HMAC and encryption keys */
};

struct exec {
	struct tpm *t;
	const struct tpm_cc_desc *d;
	uint32_t cc;
	uint16_t tag;
	uint32_t h[3];
	unsigned nsess;
	struct auth_slot sess[MAX_SESSIONS_PER_CMD];
	const uint8_t *cp; /* parameter area */
	size_t cp_len;
	int dec, enc; /* the sessions that decrypt the command / encrypt the response, or -1 */
	uint8_t locality;
};

static size_t error_response(uint8_t *rsp, tpm_rc rc)
{
	/* A TPM 1.2-style tag gets a TPM 1.2-style answer (Part 1, 18.9: BAD_TAG). */
	tpm_be16(rsp, rc == TPM_RC_BAD_TAG ? TPM_ST_RSP_COMMAND : TPM_ST_NO_SESSIONS);
	tpm_be32(rsp + 2, HDR_SIZE);
	tpm_be32(rsp + 6, rc);
	return HDR_SIZE;
}

void tpm_fail(struct tpm *t, const char *why)
{
	t->failure_mode = true;
	if (t->failure_reason == NULL)
		t->failure_reason = why;
}

struct tpm_perm *tpm_perm_w(struct tpm *t)
{
	if (!t->perm_dirty) {
		memcpy(&t->perm_backup, &t->perm, sizeof(t->perm));
		t->perm_dirty = true;
	}
	return &t->perm;
}

uint64_t tpm_clock(struct tpm *t)
{
	uint64_t now = t->plat.clock_ms(t->plat.ctx);

	/* A platform clock that goes backwards must not move Clock backwards. */
	if (now < t->power_on_ms)
		now = t->power_on_ms;
	return t->clock_at_power_on + (now - t->power_on_ms);
}

bool tpm_random(struct tpm *t, void *buf, size_t n)
{
	if (!tpm_drbg_generate(&t->drbg, buf, n)) {
		tpm_fail(t, "DRBG failed");
		return false;
	}
	return true;
}

struct tpm_hier_auth *tpm_hier(struct tpm *t, uint32_t handle)
{
	switch (handle) {
	case TPM_RH_OWNER:
		return &t->perm.owner;
	case TPM_RH_ENDORSEMENT:
		return &t->perm.endorsement;
	case TPM_RH_LOCKOUT:
		return &t->perm.lockout;
	case TPM_RH_PLATFORM:
		return &t->platform;
	default:
		return NULL;
	}
}

const uint8_t *tpm_hierarchy_proof(const struct tpm *t, uint32_t hierarchy)
{
	switch (hierarchy) {
	case TPM_RH_OWNER:
		return t->perm.sh_proof;
	case TPM_RH_ENDORSEMENT:
		return t->perm.eh_proof;
	case TPM_RH_PLATFORM:
		return t->perm.ph_proof;
	case TPM_RH_NULL:
		return t->null_proof;
	default:
		return NULL;
	}
}

bool tpm_entity_name(struct tpm *t, uint32_t handle, uint8_t *name, uint16_t *size)
{
	uint8_t ht = (uint8_t)(handle >> TPM_HR_SHIFT);

	if (ht == TPM_HT_NV_INDEX) {
		const struct tpm_nv_index *nv = tpm_nv_find(t, handle);
		uint8_t pub[sizeof(struct tpm_nv_index)];
		struct tpm_wr w = tpm_wr_init(pub, sizeof(pub));

		if (nv == NULL)
			return false;
		tpm_nv_marshal_public(nv, &w);
		if (w.overflow) {
			tpm_fail(t, "NV public area does not fit");
			return false;
		}
		tpm_be16(name, nv->name_alg);
		if (!tpm_hash(nv->name_alg, pub, w.len, name + 2))
			return false;
		*size = (uint16_t)(2 + tpm_hash_size(nv->name_alg));
		return true;
	}
	if (tpm_is_object_handle(handle)) {
		const struct tpm_key *k = tpm_object_key(t, handle);

		if (k != NULL) {
			memcpy(name, k->name, k->name_size);
			*size = k->name_size;
			return true;
		}
		/*
		 * A sequence object has no public area and no nameAlg: its Name is the Empty
		 * Buffer, as the reference and tpm2-tss ESAPI have it (found with tpm2_hmac under
		 * an HMAC session: ESAPI's cpHash has no Name for the sequence handle).
		 */
		if (tpm_object_find(t, handle) != NULL) {
			*size = 0;
			return true;
		}
	}
	/* PCRs, sessions and permanent handles are named by their handle. */
	tpm_be32(name, handle);
	*size = 4;
	return true;
}

/* ---- handles --------------------------------------------------------------------------- */

static uint16_t handle_kind(uint32_t h)
{
	switch (h >> TPM_HR_SHIFT) {
	case TPM_HT_PCR:
		return TPM_HK_PCR;
	case TPM_HT_NV_INDEX:
		return TPM_HK_NV;
	case TPM_HT_HMAC_SESSION:
		return TPM_HK_SESSION;
	case TPM_HT_POLICY_SESSION:
		return TPM_HK_POLICY;
	case TPM_HT_TRANSIENT:
		return TPM_HK_TRANSIENT;
	case TPM_HT_PERSISTENT:
		return TPM_HK_PERSISTENT;
	default:
		break;
	}
	switch (h) {
	case TPM_RH_OWNER:
		return TPM_HK_OWNER;
	case TPM_RH_ENDORSEMENT:
		return TPM_HK_ENDORSEMENT;
	case TPM_RH_PLATFORM:
		return TPM_HK_PLATFORM;
	case TPM_RH_LOCKOUT:
		return TPM_HK_LOCKOUT;
	case TPM_RH_NULL:
		return TPM_HK_NULL;
	case TPM_RH_PLATFORM_NV:
		return TPM_HK_PLATFORM_NV;
	default:
		return 0;
	}
}

/* Part 1, 15 "Handles": the handle must be of an accepted kind, exist and be enabled. */
static tpm_rc check_handle(struct tpm *t, uint32_t h, uint16_t kinds, unsigned n)
{
	uint16_t kind = handle_kind(h);

	if ((kind & kinds) == 0)
		return TPM_RCH(TPM_RC_VALUE, n);
	switch (kind) {
	case TPM_HK_PCR:
		if (h >= TPM_NUM_PCRS)
			return TPM_RCH(TPM_RC_VALUE, n);
		return TPM_RC_SUCCESS;
	case TPM_HK_NV: {
		const struct tpm_nv_index *nv = tpm_nv_find(t, h);

		if (nv == NULL || !tpm_nv_accessible(t, nv))
			return TPM_RCH(TPM_RC_HANDLE, n);
		return TPM_RC_SUCCESS;
	}
	case TPM_HK_SESSION:
	case TPM_HK_POLICY:
		if (tpm_session_find(t, h) == NULL)
			return TPM_RC_REFERENCE_H0 + n - 1;
		return TPM_RC_SUCCESS;
	case TPM_HK_TRANSIENT:
		if (tpm_object_find(t, h) == NULL)
			return TPM_RC_REFERENCE_H0 + n - 1;
		return TPM_RC_SUCCESS;
	case TPM_HK_PERSISTENT:
		/* Absent, or its hierarchy disabled (tpm_object_find hides it then). */
		if (tpm_object_find(t, h) == NULL)
			return TPM_RCH(TPM_RC_HANDLE, n);
		return TPM_RC_SUCCESS;
	case TPM_HK_OWNER:
		return t->sh_enable ? TPM_RC_SUCCESS : TPM_RCH(TPM_RC_HIERARCHY, n);
	case TPM_HK_ENDORSEMENT:
		return t->eh_enable ? TPM_RC_SUCCESS : TPM_RCH(TPM_RC_HIERARCHY, n);
	case TPM_HK_PLATFORM:
	case TPM_HK_PLATFORM_NV:
		return t->ph_enable ? TPM_RC_SUCCESS : TPM_RCH(TPM_RC_HIERARCHY, n);
	default:
		return TPM_RC_SUCCESS;
	}
}

/* ---- authorization --------------------------------------------------------------------- */

/* authValue of an entity with trailing zero octets removed (Part 1, 19.6.4.3). */
bool tpm_entity_auth(struct tpm *t, uint32_t h, uint8_t *auth, uint16_t *size)
{
	const uint8_t *src = NULL;
	uint16_t n = 0;
	const struct tpm_hier_auth *ha = tpm_hier(t, h);

	if (ha != NULL) {
		src = ha->auth;
		n = ha->auth_size;
	} else if ((h >> TPM_HR_SHIFT) == TPM_HT_NV_INDEX) {
		const struct tpm_nv_index *nv = tpm_nv_find(t, h);

		if (nv == NULL)
			return false;
		src = nv->auth;
		n = nv->auth_size;
	} else if (tpm_is_object_handle(h)) {
		const struct tpm_object *o = tpm_object_find(t, h);

		if (o == NULL)
			return false;
		src = o->auth;
		n = o->auth_size;
	} else {
		/* PCRs have empty authValues (PCR_SetAuthValue is not offered). */
		n = 0;
	}
	while (n > 0 && src[n - 1] == 0)
		n--;
	if (n != 0)
		memcpy(auth, src, n);
	*size = n;
	return true;
}

/*
 * Is the entity exempt from dictionary-attack protection (Part 1, 19.8.6; the reference's
 * IsDAExempted)? Every permanent handle but lockout, PCRs, NV indices with NO_DA, objects with
 * noDA and sequence objects (created with noDA) are.
 */
static bool da_exempt(struct tpm *t, uint32_t h)
{
	if ((h >> TPM_HR_SHIFT) == TPM_HT_NV_INDEX) {
		const struct tpm_nv_index *nv = tpm_nv_find(t, h);

		return nv == NULL || (nv->attrs & TPMA_NV_NO_DA) != 0;
	}
	if (tpm_is_object_handle(h)) {
		const struct tpm_key *k = tpm_object_key(t, h);

		return k == NULL || (k->pub.attrs & TPMA_OBJECT_NODA) != 0;
	}
	return h != TPM_RH_LOCKOUT;
}

/*
 * A session bound to a DA-protected entity is subject to DA however it is used (the reference's
 * isDaBound/isLockoutBound): while that entity's lockout holds the session is refused, and its
 * failures count (against lockoutAuth for a session bound to lockout). Derived from the bind
 * handle at use: NV attributes other than the state bits never change, and a bind index deleted
 * since then counts as exempt (the reference remembers the flag from StartAuthSession).
 */
static bool session_da_bound(struct tpm *t, const struct tpm_session *s)
{
	return s != NULL && s->bind_handle != 0 && !da_exempt(t, s->bind_handle);
}

/*
 * Self-healing (the reference's DASelfHeal): one failure is forgiven per recoveryTime of Clock
 * since the last failure or forgiveness. recoveryTime 0 disables DA counting: the counter is
 * cleared and failures are not counted.
 */
static void da_update(struct tpm *t)
{
	uint64_t now;
	uint64_t period;
	uint64_t steps;
	struct tpm_perm *p;

	if (t->perm.da_failed_tries == 0)
		return;
	if (t->perm.da_recovery_s == 0) {
		tpm_perm_w(t)->da_failed_tries = 0;
		return;
	}
	now = tpm_clock(t);
	period = (uint64_t)t->perm.da_recovery_s * 1000u;
	if (now < t->perm.da_last_decrement_ms + period)
		return;
	steps = (now - t->perm.da_last_decrement_ms) / period;
	p = tpm_perm_w(t);
	if (steps >= p->da_failed_tries) {
		p->da_failed_tries = 0;
		p->da_last_decrement_ms = now;
	} else {
		p->da_failed_tries -= (uint32_t)steps;
		p->da_last_decrement_ms += steps * period;
	}
}

/* failedTries reached maxTries (maxTries 0: always, even with recoveryTime 0, as the reference). */
static bool in_lockout(const struct tpm *t)
{
	return t->perm.da_failed_tries >= t->perm.da_max_tries;
}

static bool lockout_auth_blocked(struct tpm *t)
{
	struct tpm_perm *p;

	if (!t->perm.lockout_auth_locked)
		return false;
	/* lockoutRecovery 0: blocked until the next TPM Reset (Startup clears it). */
	if (t->perm.da_lockout_recovery_s == 0)
		return true;
	if (tpm_clock(t) <
	    t->perm.da_lockout_auth_fail_ms + (uint64_t)t->perm.da_lockout_recovery_s * 1000u)
		return true;
	p = tpm_perm_w(t);
	p->lockout_auth_locked = false;
	return false;
}

/* May an authValue guarded by DA be tried now (the reference's CheckLockedOut)? */
static tpm_rc check_locked_out(struct tpm *t, bool lockout_auth)
{
	if (lockout_auth ? lockout_auth_blocked(t) : in_lockout(t))
		return TPM_RC_LOCKOUT;
	return TPM_RC_SUCCESS;
}

/*
 * Record a failed authorization of entity h through session s (NULL: password) and return the
 * code to answer with (the reference's IncrementLockout): TPM_RC_BAD_AUTH when DA applies
 * neither to h nor to the session's bind entity, else TPM_RC_AUTH_FAIL after blocking
 * lockoutAuth or counting the failure (not counted while recoveryTime is 0).
 */
static tpm_rc auth_failed(struct tpm *t, uint32_t h, const struct tpm_session *s, unsigned n)
{
	struct tpm_perm *p;
	bool da_bound = session_da_bound(t, s);

	if (da_bound && s->bind_handle == TPM_RH_LOCKOUT)
		h = TPM_RH_LOCKOUT;
	if (!da_bound && da_exempt(t, h))
		return TPM_RCS(TPM_RC_BAD_AUTH, n);
	if (h == TPM_RH_LOCKOUT) {
		p = tpm_perm_w(t);
		p->lockout_auth_locked = true;
		p->da_lockout_auth_fail_ms = tpm_clock(t);
	} else if (t->perm.da_recovery_s != 0) {
		p = tpm_perm_w(t);
		if (p->da_failed_tries < UINT32_MAX)
			p->da_failed_tries++;
		/* Every failure restarts the self-healing interval (the reference's DARegisterFailure). */
		p->da_last_decrement_ms = tpm_clock(t);
	}
	return TPM_RCS(TPM_RC_AUTH_FAIL, n);
}

/* cpHash = H(commandCode || names of every handle || parameters) (Part 1, 18.7). */
static bool cp_hash(struct exec *e, uint16_t alg, uint8_t *out)
{
	struct tpm_hash_ctx h;
	uint8_t be[4];
	uint8_t name[2 + TPM_MAX_DIGEST];
	uint16_t name_size = 0;

	if (!tpm_hash_start(&h, alg))
		return false;
	tpm_be32(be, e->cc);
	tpm_hash_update(&h, be, 4);
	for (unsigned i = 0; i < e->d->nhandles; i++) {
		if (!tpm_entity_name(e->t, e->h[i], name, &name_size)) {
			tpm_wipe(&h, sizeof(h));
			return false;
		}
		tpm_hash_update(&h, name, name_size);
	}
	tpm_hash_update(&h, e->cp, e->cp_len);
	tpm_hash_finish(&h, out);
	return true;
}

/* nameHash = H(names of every handle) (Part 3, PolicyNameHash). */
static bool name_hash(struct exec *e, uint16_t alg, uint8_t *out)
{
	struct tpm_hash_ctx h;
	uint8_t name[2 + TPM_MAX_DIGEST];
	uint16_t name_size = 0;

	if (!tpm_hash_start(&h, alg))
		return false;
	for (unsigned i = 0; i < e->d->nhandles; i++) {
		if (!tpm_entity_name(e->t, e->h[i], name, &name_size)) {
			tpm_wipe(&h, sizeof(h));
			return false;
		}
		tpm_hash_update(&h, name, name_size);
	}
	tpm_hash_finish(&h, out);
	return true;
}

/* The authPolicy of an entity (empty when it has none, or one of another hash than alg). */
static void entity_policy(struct tpm *t, uint32_t h, uint16_t alg, const uint8_t **p, uint16_t *n)
{
	const struct tpm_hier_auth *ha = tpm_hier(t, h);

	*p = NULL;
	*n = 0;
	if (ha != NULL) {
		if (ha->policy_alg == alg) {
			*p = ha->policy;
			*n = ha->policy_size;
		}
	} else if ((h >> TPM_HR_SHIFT) == TPM_HT_NV_INDEX) {
		const struct tpm_nv_index *nv = tpm_nv_find(t, h);

		if (nv != NULL && nv->name_alg == alg) {
			*p = nv->policy;
			*n = nv->policy_size;
		}
	} else if (tpm_is_object_handle(h)) {
		const struct tpm_key *k = tpm_object_key(t, h);

		if (k != NULL && k->pub.name_alg == alg) {
			*p = k->pub.policy;
			*n = k->pub.policy_size;
		}
	}
}

/*
 * nonceTPMdecrypt || nonceTPMencrypt (Part 1, 19.6.5): the first session's HMAC covers the
 * nonceTPM of the session that decrypts and of the one that encrypts, when they are other
 * sessions (the encrypting one once, if it also decrypts), so that no one can strip their
 * attributes on the way.
 */
static size_t encryption_nonces(const struct exec *e, uint8_t *out)
{
	size_t n = 0;

	if (e->dec > 0) {
		const struct tpm_session *s = e->sess[e->dec].s;

		memcpy(out, s->nonce_tpm, s->nonce_size);
		n += s->nonce_size;
	}
	if (e->enc > 0 && e->enc != e->dec) {
		const struct tpm_session *s = e->sess[e->enc].s;

		memcpy(out + n, s->nonce_tpm, s->nonce_size);
		n += s->nonce_size;
	}
	return n;
}

/* A policy session's deferred checks against this command (policy.c, tpm_policy_check). */
static tpm_rc check_policy(struct exec *e, const struct auth_slot *a, uint32_t h, unsigned n)
{
	const struct tpm_session *s = a->s;
	uint8_t cph[TPM_MAX_DIGEST] = {0};
	uint8_t nh[TPM_MAX_DIGEST] = {0};
	const uint8_t *policy;
	uint16_t policy_size;
	tpm_rc rc;

	entity_policy(e->t, h, s->hash_alg, &policy, &policy_size);
	if (((s->policy_flags & TPM_POLICY_CPHASH) && !cp_hash(e, s->hash_alg, cph)) ||
	    ((s->policy_flags & TPM_POLICY_NAMEHASH) && !name_hash(e, s->hash_alg, nh)))
		return TPM_RC_FAILURE;
	rc = tpm_policy_check(e->t, s, e->cc, h, e->locality, policy, policy_size, cph, nh);
	/* a session number goes only into format-one codes (PCR_CHANGED, LOCALITY stay bare) */
	if (rc == TPM_RC_SUCCESS || !(rc & TPM_RC_FMT1))
		return rc;
	return TPM_RCS(rc, n);
}

/*
 * Authorize handle i with session i (the reference's CheckAuthSession). Order: lockout, session
 * type, availability of the authValue, then the password or HMAC itself. Not inlined: with its
 * cpHash state tpm_execute's frame would pass 1 KiB (kernel stacks are small).
 */
static __attribute__((noinline)) tpm_rc check_one_auth(struct exec *e, unsigned i)
{
	struct tpm *t = e->t;
	struct auth_slot *a = &e->sess[i];
	uint32_t h = e->h[i];
	uint8_t ht = (uint8_t)(h >> TPM_HR_SHIFT);
	uint8_t role = e->d->auth_role[i];
	unsigned n = i + 1;
	bool policy = a->s != NULL && a->s->type != TPM_SE_HMAC;
	bool uses_auth = !policy ||
			 (a->s->policy_flags & (TPM_POLICY_AUTH_VALUE | TPM_POLICY_PASSWORD)) != 0;
	uint8_t cph[TPM_MAX_DIGEST];
	uint8_t extra[2 * TPM_MAX_NONCE];
	size_t extra_len;
	tpm_rc rc;

	a->entity = h;
	/*
	 * The reference checks the lockout only when the authValue is used, i.e. unless the session
	 * is bound to h; but a session bound to a DA-protected h is DA-bound and was checked in
	 * check_session, so checking every DA-protected h gives the same answers. A policy that
	 * does not use the authValue is not subject to the lockout.
	 */
	if (uses_auth && !da_exempt(t, h) &&
	    check_locked_out(t, h == TPM_RH_LOCKOUT) != TPM_RC_SUCCESS)
		return TPM_RC_LOCKOUT;
	if (tpm_is_object_handle(h)) {
		const struct tpm_key *k = tpm_object_key(t, h);

		/* A public area alone has no authValue to prove and nothing secret to use. */
		if (k != NULL && k->public_only)
			return TPM_RC_AUTH_UNAVAILABLE;
	}
	if (!policy) {
		/* ADMIN (except for objects without adminWithPolicy) and DUP need a policy. */
		if (role == TPM_AUTH_DUP || (role == TPM_AUTH_ADMIN && !tpm_is_object_handle(h)))
			return TPM_RC_AUTH_TYPE;
		if (tpm_is_object_handle(h)) {
			const struct tpm_key *k = tpm_object_key(t, h);

			/* Part 2, 8.3: adminWithPolicy demands a policy for ADMIN, a clear
			 * userWithAuth for USER (sequences act as userWithAuth SET,
			 * adminWithPolicy CLEAR). */
			if (k != NULL && role == TPM_AUTH_ADMIN &&
			    (k->pub.attrs & TPMA_OBJECT_ADMINWITHPOLICY))
				return TPM_RC_AUTH_TYPE;
			if (k != NULL && role == TPM_AUTH_USER &&
			    !(k->pub.attrs & TPMA_OBJECT_USERWITHAUTH))
				return TPM_RC_AUTH_UNAVAILABLE;
		}
		if (ht == TPM_HT_NV_INDEX) {
			const struct tpm_nv_index *nv = tpm_nv_find(t, h);

			/* AUTHREAD/AUTHWRITE decide whether the index's authValue may be used. */
			if (nv == NULL)
				return TPM_RCH(TPM_RC_HANDLE, n);
			if (!tpm_nv_auth_value_allowed(nv, e->cc))
				return TPM_RC_AUTH_UNAVAILABLE;
		}
	}
	if (!tpm_entity_auth(t, h, a->auth, &a->auth_size))
		return TPM_RCH(TPM_RC_HANDLE, n);
	if (policy) {
		rc = check_policy(e, a, h, n);
		if (rc != TPM_RC_SUCCESS)
			return rc;
	}

	if (a->s == NULL || (policy && (a->s->policy_flags & TPM_POLICY_PASSWORD))) {
		/* Password (or PolicyPassword): the HMAC field carries the authValue itself (Part 1,
		 * 19.6.3). */
		uint16_t m = a->hmac_size;

		while (m > 0 && a->hmac[m - 1] == 0)
			m--;
		if (m != a->auth_size || !tpm_ct_equal(a->hmac, a->auth, m))
			return auth_failed(t, h, a->s, n);
		return TPM_RC_SUCCESS;
	}
	a->include_auth = tpm_session_uses_auth(t, a->s, h, a->auth, a->auth_size);
	/*
	 * An empty HMAC key (no sessionKey, no authValue in the key) admits an empty HMAC (the
	 * reference's ComputeCommandHMAC); the response HMAC is then empty too.
	 */
	if (a->hmac_size == 0 && a->s->session_key_size == 0 &&
	    (!a->include_auth || a->auth_size == 0))
		return TPM_RC_SUCCESS;
	if (!cp_hash(e, a->s->hash_alg, cph))
		return TPM_RC_FAILURE;
	extra_len = i == 0 ? encryption_nonces(e, extra) : 0;
	if (!tpm_session_check_hmac(a->s, a->include_auth, a->auth, a->auth_size, cph, a->nonce,
				    a->nonce_size, extra, extra_len, a->attrs, a->hmac,
				    a->hmac_size))
		return auth_failed(t, h, a->s, n);
	return TPM_RC_SUCCESS;
}

/*
 * Session i after the whole area was parsed (the reference's ParseSessionBuffer loop): a password
 * session must authorize a handle; a DA-bound session is refused during its lockout; a session
 * beyond the handles needing authorization must encrypt or decrypt (audit is not offered).
 */
static tpm_rc check_session(struct exec *e, unsigned i)
{
	struct auth_slot *a = &e->sess[i];
	unsigned n = i + 1;

	if (a->s == NULL && i >= e->d->nauth)
		return TPM_RCS(TPM_RC_HANDLE, n);
	if (session_da_bound(e->t, a->s) &&
	    check_locked_out(e->t, a->s->bind_handle == TPM_RH_LOCKOUT) != TPM_RC_SUCCESS)
		return TPM_RC_LOCKOUT;
	if (i < e->d->nauth)
		return check_one_auth(e, i);
	if (a->attrs & (TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT))
		return TPM_RC_SUCCESS;
	return TPM_RCS(TPM_RC_ATTRIBUTES, n);
}

/* ---- parsing --------------------------------------------------------------------------- */

/* Commands whose tag must be TPM_ST_NO_SESSIONS (the reference's NO_SESSIONS attribute). */
static bool sessions_allowed(uint32_t cc)
{
	return cc != TPM_CC_Startup && cc != TPM_CC_FlushContext && cc != TPM_CC_ContextSave &&
	       cc != TPM_CC_ContextLoad;
}

/*
 * One TPMS_AUTH_COMMAND (Part 2, 10.13.2), numbered n, checked as far as it can be on its own
 * (the reference's RetrieveSessionData): unmarshalling errors (TPM_RC_INSUFFICIENT, TPM_RC_SIZE,
 * TPM_RC_VALUE for a handle that cannot name a session, TPM_RC_RESERVED_BITS) carry the session
 * number; then the rules of password sessions, or the session must be loaded and not repeated.
 */
static tpm_rc parse_one_session(struct exec *e, struct tpm_rd *ar, struct auth_slot *a, unsigned n)
{
	tpm_rc rc = tpm_get_u32(ar, &a->handle);
	uint8_t ht = (uint8_t)(a->handle >> TPM_HR_SHIFT);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCS(rc, n);
	if (a->handle != TPM_RS_PW && ht != TPM_HT_HMAC_SESSION && ht != TPM_HT_POLICY_SESSION)
		return TPM_RCS(TPM_RC_VALUE, n);
	rc = tpm_get_u16(ar, &a->nonce_size);
	if (rc == TPM_RC_SUCCESS && a->nonce_size > TPM_MAX_NONCE)
		rc = TPM_RC_SIZE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_view(ar, a->nonce_size, &a->nonce);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_u8(ar, &a->attrs);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCS(rc, n);
	if (a->attrs & TPMA_SESSION_RESERVED)
		return TPM_RCS(TPM_RC_RESERVED_BITS, n);
	rc = tpm_get_u16(ar, &a->hmac_size);
	if (rc == TPM_RC_SUCCESS && a->hmac_size > TPM_MAX_AUTH)
		rc = TPM_RC_SIZE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_view(ar, a->hmac_size, &a->hmac);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCS(rc, n);

	if (a->handle == TPM_RS_PW) {
		if (a->attrs &
		    (TPMA_SESSION_AUDIT | TPMA_SESSION_AUDITEXCLUSIVE | TPMA_SESSION_AUDITRESET |
		     TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT))
			return TPM_RCS(TPM_RC_ATTRIBUTES, n);
		if (a->nonce_size != 0)
			return TPM_RCS(TPM_RC_NONCE, n);
		return TPM_RC_SUCCESS;
	}
	a->s = tpm_session_find(e->t, a->handle);
	if (a->s == NULL)
		return TPM_RC_REFERENCE_S0 + n - 1;
	for (unsigned j = 0; j < e->nsess; j++)
		if (e->sess[j].handle == a->handle)
			return TPM_RCS(TPM_RC_HANDLE, n);
	/*
	 * Parameter encryption (Part 1, 21): a session with a symmetric definition, one session
	 * each way, and only where the first parameter is a TPM2B. Audit is not offered.
	 */
	if ((a->attrs & (TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT)) &&
	    a->s->sym_alg == TPM_ALG_NULL)
		return TPM_RCS(TPM_RC_SYMMETRIC, n);
	if (a->attrs & TPMA_SESSION_DECRYPT) {
		if (e->dec >= 0 || !tpm_cc_decrypts(e->cc))
			return TPM_RCS(TPM_RC_ATTRIBUTES, n);
		e->dec = (int)(n - 1);
	}
	if (a->attrs & TPMA_SESSION_ENCRYPT) {
		if (e->enc >= 0 || !tpm_cc_encrypts(e->cc))
			return TPM_RCS(TPM_RC_ATTRIBUTES, n);
		e->enc = (int)(n - 1);
	}
	if (a->attrs & TPMA_SESSION_AUDIT)
		return TPM_RCS(TPM_RC_ATTRIBUTES, n);
	return TPM_RC_SUCCESS;
}

/*
 * The authorization area (Part 1, 18.6): authorizationSize (TPM_RC_INSUFFICIENT when missing,
 * TPM_RC_SIZE below one session or beyond the command, as the reference answers), then up to
 * three sessions, each parsed before the next is read; TPM_RC_AUTH_MISSING when fewer than the
 * handles needing authorization. No session is checked before the whole area parsed.
 */
static tpm_rc parse_sessions(struct exec *e, struct tpm_rd *r)
{
	uint32_t auth_size = 0;
	struct tpm_rd ar;
	const uint8_t *area = NULL;

	if (tpm_get_u32(r, &auth_size) != TPM_RC_SUCCESS)
		return TPM_RC_INSUFFICIENT;
	/* The smallest session is 9 bytes (handle, two empty TPM2Bs, attributes). */
	if (auth_size < 9 || auth_size > r->left)
		return TPM_RC_SIZE;
	(void)tpm_get_view(r, auth_size, &area);
	if (!sessions_allowed(e->cc))
		return TPM_RC_AUTH_CONTEXT;
	ar = tpm_rd_init(area, auth_size);
	while (!tpm_rd_done(&ar)) {
		struct auth_slot *a;
		unsigned n = e->nsess + 1;
		tpm_rc rc;

		if (e->nsess == MAX_SESSIONS_PER_CMD)
			return TPM_RCS(TPM_RC_SIZE, n);
		a = &e->sess[e->nsess];
		memset(a, 0, sizeof(*a));
		rc = parse_one_session(e, &ar, a, n);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		e->nsess++;
	}
	if (e->nsess < e->d->nauth)
		return TPM_RC_AUTH_MISSING;
	return TPM_RC_SUCCESS;
}

/* ---- parameter encryption and response authorization ------------------------------- */

/*
 * Encrypt or decrypt the first parameter (a TPM2B: size, then buffer) in place with session i.
 * Command: nonceCaller is newer; response: the new nonceTPM is. TPM_RC_SIZE when the size field
 * claims more than the parameters hold.
 */
static tpm_rc crypt_first_param(struct exec *e, unsigned i, bool command, uint8_t *p, size_t len)
{
	struct auth_slot *a = &e->sess[i];
	const struct tpm_session *s = a->s;
	uint8_t value[TPM_SESSION_VALUE_MAX];
	size_t vn;
	size_t n;
	bool ok;

	if (len < 2)
		return TPM_RC_SUCCESS; /* nothing sent: nothing to hide */
	n = tpm_ld16(p);
	if (n > len - 2)
		return TPM_RCS(TPM_RC_SIZE, i + 1);
	vn = tpm_session_value(s, a->include_auth, a->auth, a->auth_size, value);
	if (command)
		ok = tpm_session_crypt(s, value, vn, a->nonce, a->nonce_size, s->nonce_tpm,
				       s->nonce_size, false, p + 2, n, e->t->scratch);
	else
		ok = tpm_session_crypt(s, value, vn, s->nonce_tpm, s->nonce_size, a->nonce,
				       a->nonce_size, true, p + 2, n, e->t->scratch);
	tpm_wipe(value, sizeof(value));
	if (!ok) {
		tpm_fail(e->t, "parameter encryption failed");
		return TPM_RC_FAILURE;
	}
	return TPM_RC_SUCCESS;
}

/*
 * After the command: every session's authValue as it is now (HierarchyChangeAuth may have
 * changed it, or the entity be gone), whether it enters the keys, and a new nonceTPM. Bound or
 * not is decided again with the new authValue: a session bound to the entity whose authValue
 * changed is no longer bound to it, so the new authValue enters the key. That is what tpm2-tss
 * ESAPI computes (iesys_compute_session_value after HierarchyChangeAuth); the reference keeps
 * the command's decision (key = sessionKey).
 */
static bool prepare_response_sessions(struct exec *e)
{
	struct tpm *t = e->t;

	for (unsigned i = 0; i < e->nsess; i++) {
		struct auth_slot *a = &e->sess[i];

		if (a->s == NULL)
			continue;
		if (a->entity != 0) {
			(void)tpm_entity_auth(t, a->entity, a->auth, &a->auth_size);
			a->include_auth =
				tpm_session_uses_auth(t, a->s, a->entity, a->auth, a->auth_size);
		}
		if (!tpm_session_roll_nonce(t, a->s))
			return false;
	}
	return true;
}

/*
 * Per session: the new nonceTPM, the attributes and the HMAC (Part 1, 18.8 and 19.6). A password
 * session answers with continueSession set whatever was sent (as the reference does); so does
 * PolicyPassword's empty HMAC.
 */
static void build_response_auth(struct exec *e, struct tpm_wr *w, const uint8_t *rp, size_t rp_len)
{
	for (unsigned i = 0; i < e->nsess; i++) {
		struct auth_slot *a = &e->sess[i];
		uint8_t hmac[TPM_MAX_DIGEST] = {0};
		unsigned hsize;

		if (a->s == NULL) {
			tpm_put_u16(w, 0);
			tpm_put_u8(w, TPMA_SESSION_CONTINUESESSION);
			tpm_put_u16(w, 0);
			continue;
		}
		hsize = tpm_hash_size(a->s->hash_alg);
		if ((a->hmac_size == 0 && a->s->session_key_size == 0 &&
		     (!a->include_auth || a->auth_size == 0)) ||
		    (a->s->type != TPM_SE_HMAC && (a->s->policy_flags & TPM_POLICY_PASSWORD) &&
		     a->entity != 0))
			hsize = 0;
		else
			tpm_session_response_hmac(a->s, a->include_auth, a->auth, a->auth_size,
						  e->cc, rp, rp_len, a->nonce, a->nonce_size,
						  a->attrs, hmac);
		tpm_put_2b(w, a->s->nonce_tpm, a->s->nonce_size);
		tpm_put_u8(w, a->attrs);
		tpm_put_2b(w, hmac, hsize);
		tpm_wipe(hmac, sizeof(hmac));
	}
}

/* ---- the command ----------------------------------------------------------------------- */

static tpm_rc execute(struct exec *e, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
		      uint8_t *rsp, size_t *rsp_len)
{
	struct tpm *t = e->t;
	struct tpm_rd r = tpm_rd_init(cmd, cmd_len);
	uint32_t size = 0;
	tpm_rc rc;

	e->locality = locality;
	/* A header field that cannot be read at all is INSUFFICIENT (as the reference answers). */
	if (tpm_get_u16(&r, &e->tag) != TPM_RC_SUCCESS)
		return TPM_RC_INSUFFICIENT;
	if (e->tag != TPM_ST_NO_SESSIONS && e->tag != TPM_ST_SESSIONS)
		return TPM_RC_BAD_TAG;
	if (tpm_get_u32(&r, &size) != TPM_RC_SUCCESS)
		return TPM_RC_INSUFFICIENT;
	if (size != cmd_len || cmd_len > TPM_MAX_COMMAND_SIZE)
		return TPM_RC_COMMAND_SIZE;
	if (tpm_get_u32(&r, &e->cc) != TPM_RC_SUCCESS)
		return TPM_RC_INSUFFICIENT;
	e->d = tpm_cc_find(e->cc);
	if (e->d == NULL)
		return TPM_RC_COMMAND_CODE;
	if (t->failure_mode && e->cc != TPM_CC_GetTestResult && e->cc != TPM_CC_GetCapability)
		return TPM_RC_FAILURE;
	if (!t->started && e->cc != TPM_CC_Startup)
		return TPM_RC_INITIALIZE;
	if (t->started && e->cc == TPM_CC_Startup)
		return TPM_RC_INITIALIZE;

	for (unsigned i = 0; i < e->d->nhandles; i++) {
		if (tpm_get_u32(&r, &e->h[i]) != TPM_RC_SUCCESS)
			return TPM_RCH(TPM_RC_INSUFFICIENT, i + 1);
		rc = check_handle(t, e->h[i], e->d->kinds[i], i + 1);
		if (rc != TPM_RC_SUCCESS)
			return rc;
	}
	if (e->tag == TPM_ST_SESSIONS) {
		rc = parse_sessions(e, &r);
		if (rc != TPM_RC_SUCCESS)
			return rc;
	} else if (e->d->nauth != 0) {
		return TPM_RC_AUTH_MISSING;
	}
	e->cp = r.p;
	e->cp_len = r.left;

	da_update(t);
	for (unsigned i = 0; i < e->nsess; i++) {
		rc = check_session(e, i);
		if (rc != TPM_RC_SUCCESS)
			return rc;
	}
	/* Authorized over the parameters as sent; the handler sees them decrypted (a copy). */
	if (e->dec >= 0) {
		memcpy(t->params, e->cp, e->cp_len);
		rc = crypt_first_param(e, (unsigned)e->dec, true, t->params, e->cp_len);
		if (rc != TPM_RC_SUCCESS)
			return rc;
		e->cp = t->params;
	}

	/* Response layout: header, [handle], [parameterSize], parameters, [sessions]. */
	size_t off_h = HDR_SIZE;
	size_t off_p = off_h + (e->d->rhandle ? 4u : 0u) + (e->tag == TPM_ST_SESSIONS ? 4u : 0u);
	struct tpm_wr wh = tpm_wr_init(rsp + off_h, e->d->rhandle ? 4u : 0u);
	struct tpm_wr wp = tpm_wr_init(rsp + off_p, TPM_MAX_RESPONSE_SIZE - off_p);
	struct tpm_cmd c = {
		.t = t,
		.cc = e->cc,
		.locality = locality,
		.nhandles = e->d->nhandles,
		.in = tpm_rd_init(e->cp, e->cp_len),
		.out_h = &wh,
		.out = &wp,
	};

	memcpy(c.h, e->h, sizeof(c.h));
	rc = e->d->fn(&c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (wh.overflow || wp.overflow || wh.len != wh.cap) {
		tpm_fail(t, "response does not fit its buffer");
		return TPM_RC_FAILURE;
	}
	if (t->perm_dirty) {
		if (tpm_state_commit(t) != TPM_OK) {
			/* The platform still holds the old state: so must we. */
			memcpy(&t->perm, &t->perm_backup, sizeof(t->perm));
			t->perm_dirty = false;
			return TPM_RC_NV_UNAVAILABLE;
		}
		t->perm_dirty = false;
	}

	struct tpm_wr w = tpm_wr_init(rsp, TPM_MAX_RESPONSE_SIZE);

	tpm_put_u16(&w, e->tag);
	tpm_put_u32(&w, 0); /* size, patched below */
	tpm_put_u32(&w, TPM_RC_SUCCESS);
	w.len += wh.len;
	if (e->tag == TPM_ST_SESSIONS)
		tpm_put_u32(&w, (uint32_t)wp.len);
	w.len += wp.len;
	if (e->tag == TPM_ST_SESSIONS) {
		if (!prepare_response_sessions(e))
			return TPM_RC_FAILURE;
		if (e->enc >= 0) {
			rc = crypt_first_param(e, (unsigned)e->enc, false, rsp + off_p, wp.len);
			if (rc != TPM_RC_SUCCESS)
				return rc;
		}
		build_response_auth(e, &w, rsp + off_p, wp.len);
	}
	if (w.overflow) {
		tpm_fail(t, "response authorization does not fit");
		return TPM_RC_FAILURE;
	}
	tpm_patch_u32(&w, 2, (uint32_t)w.len);
	/*
	 * Sessions without continueSession end with a successful command (Part 1, 19.6.2); a
	 * policy session that authorized and continues starts over (the reference resets its
	 * policy data after every use).
	 */
	for (unsigned i = 0; i < e->nsess; i++) {
		struct tpm_session *s = e->sess[i].s;

		if (s == NULL)
			continue;
		if (!(e->sess[i].attrs & TPMA_SESSION_CONTINUESESSION))
			tpm_session_free(s);
		else if (s->type != TPM_SE_HMAC && i < e->d->nauth)
			tpm_policy_reset(s);
	}
	*rsp_len = w.len;
	return TPM_RC_SUCCESS;
}

size_t tpm_execute(struct tpm *t, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
		   uint8_t *rsp, size_t rsp_cap)
{
	struct exec e;
	size_t len = 0;
	tpm_rc rc;

	if (rsp_cap < TPM_MAX_RESPONSE_SIZE)
		return 0;
	if (!t->powered)
		return error_response(rsp, TPM_RC_FAILURE);
	memset(&e, 0, sizeof(e));
	e.t = t;
	e.dec = -1;
	e.enc = -1;
	tpm_crypto_use_allocator(&t->plat);
	rc = execute(&e, locality, cmd, cmd_len, rsp, &len);
	if (rc != TPM_RC_SUCCESS) {
		/* Only a DA counter change may survive a failed command; commit it. */
		if (t->perm_dirty) {
			if (tpm_state_commit(t) != TPM_OK)
				memcpy(&t->perm, &t->perm_backup, sizeof(t->perm));
			t->perm_dirty = false;
		}
		len = error_response(rsp, rc);
	}
	tpm_wipe(&e, sizeof(e));
	return len;
}

void tpm_set_cancel(struct tpm *t, int on)
{
	t->cancel = on != 0;
}

int tpm_is_started(const struct tpm *t)
{
	return t->started;
}
