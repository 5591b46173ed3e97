// SPDX-License-Identifier: MIT
/*
 * Transient object slots (handles 0x80xxxxxx) and FlushContext: hash and event sequences
 * (cmd_hash.c) and key or data objects (TPM_OBJ_KEY, cmd_object.c). A slot's handle is
 * TPM_HR_TRANSIENT + its index; there are TPM_MAX_OBJECTS (TPM_PT_HR_TRANSIENT_MIN).
 */
#include <lib/string.h>

#include "commands.h"

struct tpm_object *tpm_object_find(struct tpm *t, uint32_t handle)
{
	if ((handle >> TPM_HR_SHIFT) == TPM_HT_PERSISTENT)
		return tpm_persistent_find(t, handle);
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		if (t->objects[i].kind != TPM_OBJ_FREE && t->objects[i].handle == handle)
			return &t->objects[i];
	return NULL;
}

struct tpm_object *tpm_object_alloc(struct tpm *t)
{
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++) {
		struct tpm_object *o = &t->objects[i];

		if (o->kind == TPM_OBJ_FREE) {
			memset(o, 0, sizeof(*o));
			o->handle = TPM_HR_TRANSIENT | i;
			return o;
		}
	}
	return NULL;
}

void tpm_object_free(struct tpm_object *o)
{
	tpm_wipe(o, sizeof(*o));
}

struct tpm_key *tpm_object_key(struct tpm *t, uint32_t handle)
{
	struct tpm_object *o = tpm_object_find(t, handle);

	return o != NULL && o->kind == TPM_OBJ_KEY ? &o->key : NULL;
}

void tpm_object_flush_hierarchy(struct tpm *t, uint32_t hierarchy)
{
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++) {
		struct tpm_object *o = &t->objects[i];

		if (o->kind == TPM_OBJ_KEY && o->key.hierarchy == hierarchy)
			tpm_object_free(o);
	}
}

/* Part 3, 28.4: flushHandle is a parameter (TPMI_DH_CONTEXT), not a handle-area handle. */
TPM_HANDLER(FlushContext)
{
	uint32_t h = 0;
	tpm_rc rc = tpm_get_u32(&c->in, &h);
	uint8_t ht = (uint8_t)(h >> TPM_HR_SHIFT);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (ht == TPM_HT_TRANSIENT) {
		struct tpm_object *o = tpm_object_find(c->t, h);

		if (o == NULL)
			return TPM_RCP(TPM_RC_HANDLE, 1);
		tpm_object_free(o);
		return TPM_RC_SUCCESS;
	}
	if (ht == TPM_HT_HMAC_SESSION || ht == TPM_HT_POLICY_SESSION) {
		struct tpm_session *s = tpm_session_find(c->t, h);

		if (s != NULL)
			tpm_session_free(s);
		else if (!tpm_session_flush_saved(c->t, h))
			return TPM_RCP(TPM_RC_HANDLE, 1);
		return TPM_RC_SUCCESS;
	}
	return TPM_RCP(TPM_RC_VALUE, 1);
}
