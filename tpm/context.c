// SPDX-License-Identifier: MIT
/*
 * TPM2_ContextSave and TPM2_ContextLoad (TCG Part 3, 28.2-28.3; Part 1, 30 "Context
 * management"), and the saved-session bookkeeping.
 *
 * The context blob (TPMS_CONTEXT.contextBlob) is Copra's own, opaque to clients:
 *
 *   integrity (TPM2B_DIGEST, HMAC-SHA-256) || salt (16 random bytes) || AES-256-CFB(body)
 *   keys      = KDFa(SHA-256, proof, "CONTEXT", salt, sequence || savedHandle || hierarchy,
 *                    256 + 128 + 256 bits) -> AES key, IV, HMAC key
 *   integrity = HMAC(sequence || savedHandle || hierarchy || resetCount [|| restartCount]
 *                    || salt || ciphertext)
 *
 * proof is the hierarchy's proof (the NULL hierarchy's for sessions and sequences), so a Clear
 * voids the contexts of its hierarchies. resetCount makes every context die at a TPM Reset, as
 * in the reference implementation (it hashes totalResetCount into every context); restartCount
 * enters for sessions and stClear objects, whose contexts die at any later Startup (stricter
 * than the spec, which keeps them over a TPM Resume).
 * The body is a key object as object_codec.c writes it, or a session or sequence object as
 * the engine holds it (volatile only: they never outlive the program that saved them).
 *
 * A saved session keeps its handle: saved_sessions[] holds (handle, sequence), so a session
 * context loads once, and only its latest save (the reference's replay protection).
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"

#define CTX_SALT      16u
#define CTX_MAC	      32u /* HMAC-SHA-256 */
#define CTX_BODY_MAX  1536u
#define CTX_BLOB_MAX  (2u + CTX_MAC + CTX_SALT + CTX_BODY_MAX)
#define SAVED_OBJECT  0x80000000u
#define SAVED_SEQ     0x80000001u
#define SAVED_STCLEAR 0x80000002u

_Static_assert(TPM_CONTEXT_MAX == 8u + 4u + 4u + 2u + CTX_BLOB_MAX, "capability matches");
_Static_assert(CTX_BLOB_MAX <= TPM_MAX_COMMAND_SIZE, "a blob fits the scratch buffer");
_Static_assert(sizeof(struct tpm_object) + 3u <= CTX_BODY_MAX, "a sequence context fits");
_Static_assert(sizeof(struct tpm_session) + 3u <= CTX_BODY_MAX, "a session context fits");

enum {
	BODY_KEY = 1,
	BODY_SEQUENCE = 2,
	BODY_SESSION = 3
};

struct ctx_keys {
	uint8_t aes[32];
	uint8_t iv[16];
	uint8_t mac[32];
};

static bool is_session(uint32_t h)
{
	uint8_t ht = (uint8_t)(h >> TPM_HR_SHIFT);

	return ht == TPM_HT_HMAC_SESSION || ht == TPM_HT_POLICY_SESSION;
}

/* Sessions and stClear objects carry the Startup epoch in their integrity. */
static bool epoch_bound(uint32_t saved_handle)
{
	return is_session(saved_handle) || saved_handle == SAVED_STCLEAR;
}

static bool ctx_derive(const struct tpm *t, uint64_t seq, uint32_t saved, uint32_t hier,
		       const uint8_t *salt, struct ctx_keys *k, uint8_t hdr[16])
{
	const uint8_t *proof = tpm_hierarchy_proof(t, hier);

	tpm_be32(hdr, (uint32_t)(seq >> 32));
	tpm_be32(hdr + 4, (uint32_t)seq);
	tpm_be32(hdr + 8, saved);
	tpm_be32(hdr + 12, hier);
	return proof != NULL && tpm_kdfa(TPM_ALG_SHA256, proof, TPM_SEED_SIZE, "CONTEXT", salt,
					 CTX_SALT, hdr, 16, sizeof(*k) * 8u, (uint8_t *)k);
}

static void ctx_mac(const struct tpm *t, const struct ctx_keys *k, const uint8_t hdr[16],
		    uint32_t saved, const uint8_t *salt_and_ct, size_t n, uint8_t *out)
{
	struct tpm_hmac_ctx m;
	uint8_t epoch[4];

	(void)tpm_hmac_start(&m, TPM_ALG_SHA256, k->mac, sizeof(k->mac));
	tpm_hmac_update(&m, hdr, 16);
	tpm_be32(epoch, t->perm.reset_count);
	tpm_hmac_update(&m, epoch, sizeof(epoch));
	if (epoch_bound(saved)) {
		tpm_be32(epoch, t->perm.restart_count);
		tpm_hmac_update(&m, epoch, sizeof(epoch));
	}
	tpm_hmac_update(&m, salt_and_ct, n);
	tpm_hmac_finish(&m, out);
}

/* ---- saved sessions ---------------------------------------------------------------------- */

static int saved_find(const struct tpm *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM_MAX_ACTIVE; i++)
		if (t->saved_sessions[i].handle == handle && handle != 0)
			return (int)i;
	return -1;
}

bool tpm_session_saved(const struct tpm *t, uint32_t handle)
{
	return saved_find(t, handle) >= 0;
}

bool tpm_session_flush_saved(struct tpm *t, uint32_t handle)
{
	int i = saved_find(t, handle);

	if (i < 0)
		return false;
	t->saved_sessions[i].handle = 0;
	t->saved_sessions[i].sequence = 0;
	return true;
}

uint32_t tpm_session_new_handle(const struct tpm *t, uint32_t type_base)
{
	/* Handles are unique among loaded and saved sessions of both types (Part 1, 15.4). */
	for (uint32_t idx = 0; idx < TPM_MAX_ACTIVE; idx++) {
		bool used = false;

		for (unsigned i = 0; i < TPM_MAX_SESSIONS && !used; i++)
			used = t->sessions[i].handle != 0 &&
			       (t->sessions[i].handle & 0xFFFFFFu) == idx;
		for (unsigned i = 0; i < TPM_MAX_ACTIVE && !used; i++)
			used = t->saved_sessions[i].handle != 0 &&
			       (t->saved_sessions[i].handle & 0xFFFFFFu) == idx;
		if (!used)
			return type_base | idx;
	}
	return 0;
}

unsigned tpm_session_saved_count(const struct tpm *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TPM_MAX_ACTIVE; i++)
		n += t->saved_sessions[i].handle != 0;
	return n;
}

/* ---- ContextSave ------------------------------------------------------------------------- */

/* The body (plaintext) of a context; false if it would not fit (an invariant). */
static bool put_body(struct tpm *t, uint32_t h, struct tpm_wr *w, uint32_t *saved, uint32_t *hier)
{
	if (is_session(h)) {
		const struct tpm_session *s = tpm_session_find(t, h);

		tpm_put_u8(w, BODY_SESSION);
		tpm_put_u16(w, (uint16_t)sizeof(*s));
		tpm_put_bytes(w, s, sizeof(*s));
		*saved = h;
		*hier = TPM_RH_NULL;
	} else {
		const struct tpm_object *o = tpm_object_find(t, h);

		if (o->kind == TPM_OBJ_KEY) {
			tpm_put_u8(w, BODY_KEY);
			tpm_object_put(w, o);
			*saved = (o->key.pub.attrs & TPMA_OBJECT_STCLEAR) ? SAVED_STCLEAR
									  : SAVED_OBJECT;
			*hier = o->key.hierarchy;
		} else {
			tpm_put_u8(w, BODY_SEQUENCE);
			tpm_put_u16(w, (uint16_t)sizeof(*o));
			tpm_put_bytes(w, o, sizeof(*o));
			*saved = SAVED_SEQ;
			*hier = TPM_RH_NULL;
		}
	}
	return !w->overflow;
}

TPM_HANDLER(ContextSave)
{
	struct tpm *t = c->t;
	uint32_t h = c->h[0];
	uint8_t *blob = t->scratch; /* salt || body, encrypted in place */
	struct tpm_wr body = tpm_wr_init(blob + CTX_SALT, CTX_BODY_MAX);
	struct ctx_keys k;
	uint8_t hdr[16];
	uint8_t mac[CTX_MAC];
	uint32_t saved = 0;
	uint32_t hier = 0;
	uint64_t seq;
	int slot = -1;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (is_session(h)) {
		for (unsigned i = 0; i < TPM_MAX_ACTIVE && slot < 0; i++)
			if (t->saved_sessions[i].handle == 0)
				slot = (int)i;
		if (slot < 0)
			return TPM_RC_TOO_MANY_CONTEXTS;
	}
	if (!put_body(t, h, &body, &saved, &hier)) {
		tpm_fail(t, "ContextSave: a context does not fit");
		return TPM_RC_FAILURE;
	}
	seq = ++t->context_sequence;
	if (!tpm_random(t, blob, CTX_SALT))
		return TPM_RC_FAILURE;
	if (!ctx_derive(t, seq, saved, hier, blob, &k, hdr) ||
	    !tpm_aes_cfb(k.aes, 256, k.iv, true, blob + CTX_SALT, body.len)) {
		tpm_fail(t, "ContextSave: cannot protect a context");
		rc = TPM_RC_FAILURE;
		goto out;
	}
	ctx_mac(t, &k, hdr, saved, blob, CTX_SALT + body.len, mac);

	tpm_put_u64(c->out, seq);
	tpm_put_u32(c->out, saved);
	tpm_put_u32(c->out, hier);
	tpm_put_u16(c->out, (uint16_t)(2u + CTX_MAC + CTX_SALT + body.len));
	tpm_put_2b(c->out, mac, CTX_MAC);
	tpm_put_bytes(c->out, blob, CTX_SALT + body.len);
	if (slot >= 0) {
		/* The session leaves its slot; its handle stays taken until loaded or flushed. */
		t->saved_sessions[slot].handle = h;
		t->saved_sessions[slot].sequence = seq;
		tpm_session_free(tpm_session_find(t, h));
	}
out:
	tpm_wipe(&k, sizeof(k));
	tpm_wipe(blob, CTX_SALT + CTX_BODY_MAX);
	return rc;
}

/* ---- ContextLoad ------------------------------------------------------------------------- */

static bool saved_handle_ok(uint32_t h)
{
	return is_session(h) || h == SAVED_OBJECT || h == SAVED_SEQ || h == SAVED_STCLEAR;
}

/* Restore a decrypted body into a session slot or object slot (checked free). */
static tpm_rc load_body(struct tpm_cmd *c, uint32_t saved, uint32_t hier, struct tpm_rd *r)
{
	struct tpm *t = c->t;
	uint8_t kind = 0;
	uint16_t size = 0;

	if (tpm_get_u8(r, &kind) != TPM_RC_SUCCESS)
		return TPM_RCP(TPM_RC_INTEGRITY, 1);
	if (kind == BODY_SESSION && is_session(saved)) {
		struct tpm_session *s = NULL;

		for (unsigned i = 0; i < TPM_MAX_SESSIONS && s == NULL; i++)
			if (t->sessions[i].handle == 0)
				s = &t->sessions[i];
		if (tpm_get_u16(r, &size) != TPM_RC_SUCCESS || size != sizeof(*s) ||
		    r->left != size || s == NULL)
			return TPM_RCP(TPM_RC_INTEGRITY, 1);
		memcpy(s, r->p, sizeof(*s)); /* s: a free slot, checked by the caller */
		if (s->handle != saved) {
			tpm_session_free(s);
			return TPM_RCP(TPM_RC_INTEGRITY, 1);
		}
		tpm_put_u32(c->out_h, saved);
		return TPM_RC_SUCCESS;
	}
	if (kind == BODY_SEQUENCE && saved == SAVED_SEQ) {
		struct tpm_object *o = &t->staging;
		uint8_t okind;

		if (tpm_get_u16(r, &size) != TPM_RC_SUCCESS || size != sizeof(*o) ||
		    r->left != size)
			return TPM_RCP(TPM_RC_INTEGRITY, 1);
		memcpy(o, r->p, sizeof(*o));
		okind = o->kind;
		if (okind != TPM_OBJ_HASH_SEQ && okind != TPM_OBJ_EVENT_SEQ &&
		    okind != TPM_OBJ_HMAC_SEQ)
			return TPM_RCP(TPM_RC_INTEGRITY, 1);
		/* install makes a key object; a sequence stays the sequence it was. */
		o = tpm_object_install(c, o);
		if (o == NULL)
			return TPM_RC_FAILURE;
		o->kind = okind;
		return TPM_RC_SUCCESS;
	}
	if (kind == BODY_KEY && (saved == SAVED_OBJECT || saved == SAVED_STCLEAR)) {
		struct tpm_object *o = &t->staging;

		if (!tpm_object_get(r, o) || !tpm_rd_done(r) || o->key.hierarchy != hier ||
		    ((o->key.pub.attrs & TPMA_OBJECT_STCLEAR) != 0) != (saved == SAVED_STCLEAR))
			return TPM_RCP(TPM_RC_INTEGRITY, 1);
		return tpm_object_install(c, o) != NULL ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
	}
	return TPM_RCP(TPM_RC_INTEGRITY, 1);
}

TPM_HANDLER(ContextLoad)
{
	struct tpm *t = c->t;
	uint8_t *blob = t->scratch;
	uint64_t seq = 0;
	uint32_t saved = 0;
	uint32_t hier = 0;
	uint16_t size = 0;
	uint8_t mac[CTX_MAC], want[CTX_MAC];
	struct ctx_keys k;
	uint8_t hdr[16];
	struct tpm_rd body;
	size_t n;
	int slot = -1;
	tpm_rc rc;

	/* TPMS_CONTEXT: every field decoded and range-checked before anything is looked up. */
	rc = tpm_get_u64(&c->in, &seq);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_u32(&c->in, &saved);
	if (rc == TPM_RC_SUCCESS && !saved_handle_ok(saved))
		rc = TPM_RC_VALUE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_u32(&c->in, &hier);
	if (rc == TPM_RC_SUCCESS && hier != TPM_RH_OWNER && hier != TPM_RH_ENDORSEMENT &&
	    hier != TPM_RH_PLATFORM && hier != TPM_RH_NULL)
		rc = TPM_RC_VALUE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_2b(&c->in, blob, CTX_BLOB_MAX, &size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	if (!tpm_hierarchy_enabled(t, hier))
		return TPM_RCP(TPM_RC_HIERARCHY, 1);
	if (size < 2u + CTX_MAC + CTX_SALT + 1u || tpm_ld16(blob) != CTX_MAC)
		return TPM_RCP(TPM_RC_INTEGRITY, 1);
	n = size - 2u - CTX_MAC;
	memcpy(mac, blob + 2, CTX_MAC);
	if (!ctx_derive(t, seq, saved, hier, blob + 2 + CTX_MAC, &k, hdr)) {
		tpm_fail(t, "ContextLoad: no proof for an accepted hierarchy");
		return TPM_RC_FAILURE;
	}
	ctx_mac(t, &k, hdr, saved, blob + 2 + CTX_MAC, n, want);
	if (!tpm_ct_equal(mac, want, CTX_MAC)) {
		rc = TPM_RCP(TPM_RC_INTEGRITY, 1);
		goto out;
	}
	/* Authentic. A session must be saved under this handle with this sequence. */
	if (is_session(saved)) {
		slot = saved_find(t, saved);
		if (slot < 0 || t->saved_sessions[slot].sequence != seq) {
			rc = TPM_RCP(TPM_RC_HANDLE, 1);
			goto out;
		}
		rc = TPM_RC_SESSION_MEMORY;
		for (unsigned i = 0; i < TPM_MAX_SESSIONS; i++)
			if (t->sessions[i].handle == 0)
				rc = TPM_RC_SUCCESS;
	} else if (!tpm_object_has_free_slot(t)) {
		rc = TPM_RC_OBJECT_MEMORY;
	}
	if (rc != TPM_RC_SUCCESS)
		goto out;
	if (!tpm_aes_cfb(k.aes, 256, k.iv, false, blob + 2 + CTX_MAC + CTX_SALT, n - CTX_SALT)) {
		tpm_fail(t, "ContextLoad: AES failed");
		rc = TPM_RC_FAILURE;
		goto out;
	}
	body = tpm_rd_init(blob + 2 + CTX_MAC + CTX_SALT, n - CTX_SALT);
	rc = load_body(c, saved, hier, &body);
	if (rc == TPM_RC_SUCCESS && slot >= 0) {
		t->saved_sessions[slot].handle = 0;
		t->saved_sessions[slot].sequence = 0;
	}
out:
	tpm_wipe(&k, sizeof(k));
	tpm_wipe(&t->staging, sizeof(t->staging));
	tpm_wipe(blob, CTX_BLOB_MAX);
	return rc;
}
