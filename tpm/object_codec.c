// SPDX-License-Identifier: MIT
/*
 * A loaded key object in Copra's own serialization, for the persistent-object records of the NV
 * state (state.c) and the plaintext of context blobs (context.c); not a TCG format:
 *
 *   u32 hierarchy | TPM2B(TPMT_PUBLIC) | TPM2B(qualifiedName) | u8 publicOnly | TPMT_SENSITIVE
 *
 * Decoding checks everything as a command would (public.c's unmarshalling, the sensitive sizes
 * for that public area, the hierarchy handle); the Name is recomputed, never stored.
 */
#include <lib/string.h>

#include "object.h"

void tpm_object_put(struct tpm_wr *w, const struct tpm_object *o)
{
	size_t mark;

	tpm_put_u32(w, o->key.hierarchy);
	mark = tpm_put_size16_begin(w);
	tpm_public_put(w, &o->key.pub);
	tpm_put_size16_end(w, mark);
	tpm_put_2b(w, o->key.qname, o->key.qname_size);
	tpm_put_u8(w, o->key.public_only ? 1 : 0);
	tpm_sensitive_put(w, o);
}

bool tpm_object_get(struct tpm_rd *r, struct tpm_object *o)
{
	struct tpm_key *k = &o->key;
	const uint8_t *raw = NULL;
	uint16_t raw_size = 0;

	memset(o, 0, sizeof(*o));
	if (tpm_get_u32(r, &k->hierarchy) != TPM_RC_SUCCESS)
		return false;
	if (k->hierarchy != TPM_RH_OWNER && k->hierarchy != TPM_RH_ENDORSEMENT &&
	    k->hierarchy != TPM_RH_PLATFORM && k->hierarchy != TPM_RH_NULL)
		return false;
	if (tpm_public_get_2b(r, &k->pub, false, &raw, &raw_size) != TPM_RC_SUCCESS ||
	    tpm_get_2b(r, k->qname, sizeof(k->qname), &k->qname_size) != TPM_RC_SUCCESS ||
	    !tpm_public_name(&k->pub, k->name, &k->name_size) || k->qname_size != k->name_size ||
	    tpm_ld16(k->qname) != k->pub.name_alg)
		return false;
	if (tpm_get_bool(r, &k->public_only) != TPM_RC_SUCCESS)
		return false;
	/* a public-only object has an empty sensitive area (of its type) */
	if (k->public_only) {
		uint16_t type = 0;

		if (tpm_get_u16(r, &type) != TPM_RC_SUCCESS || type != k->pub.type)
			return false;
		for (unsigned i = 0; i < 3; i++) {
			uint16_t n = 1;

			if (tpm_get_u16(r, &n) != TPM_RC_SUCCESS || n != 0)
				return false;
		}
	} else if (tpm_sensitive_get(r, o) != TPM_RC_SUCCESS) {
		return false;
	}
	o->kind = TPM_OBJ_KEY;
	return true;
}
