// SPDX-License-Identifier: MIT
/*
 * Persistent objects (handles 0x81xxxxxx) and TPM2_EvictControl (TCG Part 3, 28.5).
 *
 * A persistent object is a key object kept in the NV state (tpm_perm.persistent, written by
 * state.c as Copra's object serialization): it is used in place, like a loaded object, while
 * its hierarchy is enabled, and survives power loss; Clear removes those of the storage and
 * endorsement hierarchies. Owner authorization uses handles 0x81000000-0x817FFFFF, platform
 * authorization 0x81800000-0x81FFFFFF (Part 2, 7.5 "Persistent handles").
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"

#define PLATFORM_PERSISTENT 0x81800000u

bool tpm_hierarchy_enabled(const struct tpm *t, uint32_t hier)
{
	switch (hier) {
	case TPM_RH_OWNER:
		return t->sh_enable;
	case TPM_RH_ENDORSEMENT:
		return t->eh_enable;
	case TPM_RH_PLATFORM:
		return t->ph_enable;
	default:
		return hier == TPM_RH_NULL;
	}
}

struct tpm_object *tpm_persistent_find(struct tpm *t, uint32_t handle)
{
	for (unsigned i = 0; i < TPM_MAX_PERSISTENT; i++) {
		struct tpm_object *o = &t->perm.persistent[i];

		if (o->kind == TPM_OBJ_KEY && o->handle == handle)
			return tpm_hierarchy_enabled(t, o->key.hierarchy) ? o : NULL;
	}
	return NULL;
}

unsigned tpm_persistent_count(const struct tpm *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TPM_MAX_PERSISTENT; i++)
		n += t->perm.persistent[i].kind == TPM_OBJ_KEY;
	return n;
}

void tpm_persistent_clear(struct tpm *t)
{
	for (unsigned i = 0; i < TPM_MAX_PERSISTENT; i++) {
		const struct tpm_object *o = &t->perm.persistent[i];

		if (o->kind == TPM_OBJ_KEY && o->key.hierarchy != TPM_RH_PLATFORM)
			tpm_wipe(&tpm_perm_w(t)->persistent[i], sizeof(*o));
	}
}

/* Is handle h (any hierarchy, enabled or not) taken? */
static int slot_of(const struct tpm *t, uint32_t h)
{
	for (unsigned i = 0; i < TPM_MAX_PERSISTENT; i++)
		if (t->perm.persistent[i].kind == TPM_OBJ_KEY && t->perm.persistent[i].handle == h)
			return (int)i;
	return -1;
}

TPM_HANDLER(EvictControl)
{
	struct tpm *t = c->t;
	uint32_t auth = c->h[0];
	uint32_t obj = c->h[1];
	uint32_t ph = 0;
	bool platform_range;
	tpm_rc rc = tpm_get_u32(&c->in, &ph);

	if (rc == TPM_RC_SUCCESS && (ph >> TPM_HR_SHIFT) != TPM_HT_PERSISTENT)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	platform_range = ph >= PLATFORM_PERSISTENT;

	if ((obj >> TPM_HR_SHIFT) == TPM_HT_PERSISTENT) {
		int i = slot_of(t, obj);

		/* Remove: the same handle, within the authorizing hierarchy's range. */
		if (ph != obj)
			return TPM_RCP(TPM_RC_HANDLE, 1);
		if (auth == TPM_RH_OWNER && platform_range)
			return TPM_RCH(TPM_RC_HIERARCHY, 2);
		if (auth == TPM_RH_PLATFORM && !platform_range)
			return TPM_RCP(TPM_RC_RANGE, 1);
		if (i < 0) {
			tpm_fail(t, "EvictControl: a checked persistent handle vanished");
			return TPM_RC_FAILURE;
		}
		tpm_wipe(&tpm_perm_w(t)->persistent[i], sizeof(struct tpm_object));
		return TPM_RC_SUCCESS;
	}

	/* Make persistent: a key object, not stClear, of the authorizing hierarchy. */
	{
		const struct tpm_object *o = tpm_object_find(t, obj);
		int free_slot = -1;

		if (o == NULL || o->kind != TPM_OBJ_KEY || o->key.public_only ||
		    (o->key.pub.attrs & TPMA_OBJECT_STCLEAR) != 0)
			return TPM_RCH(TPM_RC_ATTRIBUTES, 2);
		if (o->key.hierarchy == TPM_RH_NULL ||
		    (auth == TPM_RH_OWNER && o->key.hierarchy == TPM_RH_PLATFORM))
			return TPM_RCH(TPM_RC_HIERARCHY, 2);
		if (platform_range != (auth == TPM_RH_PLATFORM))
			return TPM_RCP(TPM_RC_RANGE, 1);
		if (slot_of(t, ph) >= 0)
			return TPM_RC_NV_DEFINED;
		for (unsigned i = 0; i < TPM_MAX_PERSISTENT && free_slot < 0; i++)
			if (t->perm.persistent[i].kind == TPM_OBJ_FREE)
				free_slot = (int)i;
		if (free_slot < 0)
			return TPM_RC_NV_SPACE;
		{
			struct tpm_object *p = &tpm_perm_w(t)->persistent[free_slot];

			memcpy(p, o, sizeof(*p));
			p->handle = ph;
		}
	}
	return TPM_RC_SUCCESS;
}
