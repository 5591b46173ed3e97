// SPDX-License-Identifier: MIT
/*
 * Ordinary objects under a storage parent: TPM2_Create (Part 3, 12.1), Load (12.2),
 * ObjectChangeAuth (12.3) and CreateLoaded (12.9).
 *
 * A storage parent is an RSA or ECC restricted decryption key with an AES symmetric definition
 * (tpm_is_storage_parent); its seedValue protects the children's sensitive areas (sensitive.c).
 * Symmetric storage parents and derivation parents (CreateLoaded of a derived object) are not
 * offered: their handles answer TPM_RC_TYPE.
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"

/* The parent handle of Create/Load/ObjectChangeAuth (handle n) as a storage parent. */
static const struct tpm_key *storage_parent(struct tpm *t, uint32_t h, unsigned n, tpm_rc *rc)
{
	const struct tpm_key *k = tpm_object_key(t, h);

	if (k == NULL || !tpm_is_storage_parent(k)) {
		*rc = TPM_RCH(TPM_RC_TYPE, n);
		return NULL;
	}
	*rc = TPM_RC_SUCCESS;
	return k;
}

/* A child may be fixedTPM only under a fixedTPM parent (Part 2, 8.3.3.2). */
static tpm_rc check_with_parent(const struct tpm_public *p, const struct tpm_key *parent)
{
	if ((p->attrs & TPMA_OBJECT_FIXEDTPM) && !(parent->pub.attrs & TPMA_OBJECT_FIXEDTPM))
		return TPM_RC_ATTRIBUTES;
	return TPM_RC_SUCCESS;
}

/* Name, hierarchy and qualifiedName of a child of parent whose public area is in o. */
static bool name_child(struct tpm *t, struct tpm_object *o, const struct tpm_key *parent)
{
	if (!tpm_public_name(&o->key.pub, o->key.name, &o->key.name_size)) {
		tpm_fail(t, "cannot name an accepted public area");
		return false;
	}
	o->key.hierarchy = parent->hierarchy;
	tpm_key_qname(&o->key, parent->qname, parent->qname_size);
	return true;
}

/* Checks and generation that Create and CreateLoaded share, after decoding. */
static tpm_rc create_child(struct tpm_cmd *c, struct tpm_object *o, const struct tpm_key *parent,
			   const struct tpm_create_in *in)
{
	struct tpm *t = c->t;
	tpm_rc rc = tpm_check_create_in(t, o, in, false);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = check_with_parent(&t->tmpl, parent);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_check_generation(&t->tmpl, in->data_size);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_object_generate(t, &t->tmpl, in->raw, in->raw_size, in->data, in->data_size,
				 &o->key);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	return name_child(t, o, parent) ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
}

static tpm_rc put_private(struct tpm *t, struct tpm_wr *w, const struct tpm_key *parent,
			  const struct tpm_object *o)
{
	if (!tpm_private_wrap(parent, o, w) && !w->overflow) {
		tpm_fail(t, "cannot protect a sensitive area");
		return TPM_RC_FAILURE;
	}
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(Create)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	const struct tpm_key *parent;
	struct tpm_create_in in;
	tpm_rc rc = tpm_get_create_in(c, o, &in, true);

	if (rc != TPM_RC_SUCCESS)
		goto out;
	parent = storage_parent(t, c->h[0], 1, &rc);
	if (parent == NULL)
		goto out;
	rc = create_child(c, o, parent, &in);
	if (rc != TPM_RC_SUCCESS)
		goto out;
	rc = put_private(t, c->out, parent, o);
	if (rc != TPM_RC_SUCCESS)
		goto out;
	tpm_put_public_2b(c->out, &o->key.pub);
	tpm_put_creation(c, &o->key, parent, &in.sel, in.outside, in.outside_size);
out:
	tpm_wipe(o, sizeof(*o));
	tpm_wipe(&in, sizeof(in));
	return rc;
}

TPM_HANDLER(CreateLoaded)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	const struct tpm_key *parent = NULL;
	struct tpm_create_in in;
	bool primary = (c->h[0] >> TPM_HR_SHIFT) == TPM_HT_PERMANENT;
	tpm_rc rc = tpm_get_create_in(c, o, &in, false);

	if (rc != TPM_RC_SUCCESS)
		goto out;
	if (primary) {
		rc = tpm_check_create_in(t, o, &in, true);
		if (rc == TPM_RC_SUCCESS)
			rc = tpm_make_primary(c, o, &in);
	} else {
		parent = storage_parent(t, c->h[0], 1, &rc);
		if (parent != NULL && !tpm_object_has_free_slot(t))
			rc = TPM_RC_OBJECT_MEMORY;
		if (rc == TPM_RC_SUCCESS)
			rc = create_child(c, o, parent, &in);
	}
	if (rc != TPM_RC_SUCCESS)
		goto out;
	/* outPrivate: empty for a primary, which has no parent to protect it under. */
	if (primary)
		tpm_put_u16(c->out, 0);
	else
		rc = put_private(t, c->out, parent, o);
	if (rc != TPM_RC_SUCCESS)
		goto out;
	tpm_put_public_2b(c->out, &o->key.pub);
	tpm_put_2b(c->out, o->key.name, o->key.name_size);
	if (tpm_object_install(c, o) == NULL)
		rc = TPM_RC_FAILURE;
out:
	tpm_wipe(o, sizeof(*o));
	tpm_wipe(&in, sizeof(in));
	return rc;
}

TPM_HANDLER(Load)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	const struct tpm_key *parent;
	const uint8_t *priv = NULL;
	uint16_t priv_size = 0;
	const uint8_t *raw = NULL;
	uint16_t raw_size = 0;
	tpm_rc rc;

	memset(o, 0, sizeof(*o));
	rc = tpm_get_2b_view(&c->in, TPM_PRIVATE_MAX, &priv, &priv_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_public_get_2b(&c->in, &o->key.pub, false, &raw, &raw_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	/* Semantics (the order of the reference's TPM2_Load). */
	if (priv_size == 0)
		return TPM_RCP(TPM_RC_SIZE, 1);
	parent = storage_parent(t, c->h[0], 1, &rc);
	if (parent == NULL)
		return rc;
	rc = tpm_public_check_load(&o->key.pub);
	if (rc == TPM_RC_SUCCESS)
		rc = check_with_parent(&o->key.pub, parent);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	if (!tpm_object_has_free_slot(t))
		return TPM_RC_OBJECT_MEMORY;
	if (!name_child(t, o, parent))
		return TPM_RC_FAILURE;
	rc = tpm_private_unwrap(parent, priv, priv_size, o, t->scratch);
	if (rc != TPM_RC_SUCCESS) {
		rc = TPM_RCP(rc, 1);
		goto out;
	}
	rc = tpm_key_check_binding(&o->key);
	if (rc != TPM_RC_SUCCESS) {
		if (rc == TPM_RC_BINDING)
			rc = TPM_RCP(rc, 2);
		goto out;
	}
	if (tpm_object_install(c, o) == NULL) {
		rc = TPM_RC_FAILURE;
		goto out;
	}
	tpm_put_2b(c->out, o->key.name, o->key.name_size);
out:
	tpm_wipe(o, sizeof(*o));
	return rc;
}

/*
 * Part 3, 12.3: a new private area for the object with newAuth, protected under its parent (the
 * parent's qualifiedName must lead to the object's); the loaded object keeps its authValue.
 */
TPM_HANDLER(ObjectChangeAuth)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	const struct tpm_object *obj = tpm_object_find(t, c->h[0]);
	const struct tpm_key *parent;
	struct tpm_key *k = &o->key;
	uint8_t auth[TPM_MAX_AUTH];
	uint16_t auth_size = 0;
	tpm_rc rc = tpm_get_2b(&c->in, auth, sizeof(auth), &auth_size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (obj == NULL || obj->kind != TPM_OBJ_KEY)
		return TPM_RCH(TPM_RC_TYPE, 1);
	parent = storage_parent(t, c->h[1], 2, &rc);
	if (parent == NULL)
		return rc;
	memcpy(o, obj, sizeof(*o));
	tpm_key_qname(k, parent->qname, parent->qname_size);
	if (k->qname_size != obj->key.qname_size ||
	    memcmp(k->qname, obj->key.qname, k->qname_size) != 0) {
		rc = TPM_RCH(TPM_RC_TYPE, 2);
		goto out;
	}
	while (auth_size > 0 && auth[auth_size - 1] == 0)
		auth_size--;
	if (auth_size > tpm_hash_size(k->pub.name_alg)) {
		rc = TPM_RCP(TPM_RC_SIZE, 1);
		goto out;
	}
	memcpy(o->auth, auth, auth_size);
	o->auth_size = auth_size;
	rc = put_private(t, c->out, parent, o);
out:
	tpm_wipe(o, sizeof(*o));
	tpm_wipe(auth, sizeof(auth));
	return rc;
}

/*
 * Part 3, 12.3: a public area (with its sensitive area, only in the NULL hierarchy and neither
 * fixedTPM nor fixedParent) from outside. A public area alone loads as a public-only object,
 * which can verify and encrypt but never be authorized (TPM_RC_AUTH_UNAVAILABLE).
 */
TPM_HANDLER(LoadExternal)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	uint16_t sens_size = 0;
	const uint8_t *sens = NULL;
	const uint8_t *raw = NULL;
	uint16_t raw_size = 0;
	uint32_t hier = 0;
	tpm_rc rc;

	memset(o, 0, sizeof(*o));
	rc = tpm_get_u16(&c->in, &sens_size);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_view(&c->in, sens_size, &sens);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_public_get_2b(&c->in, &o->key.pub, false, &raw, &raw_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_u32(&c->in, &hier);
	if (rc == TPM_RC_SUCCESS && hier != TPM_RH_OWNER && hier != TPM_RH_ENDORSEMENT &&
	    hier != TPM_RH_PLATFORM && hier != TPM_RH_NULL)
		rc = TPM_RC_VALUE;
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	if (!tpm_hierarchy_enabled(t, hier))
		return TPM_RCP(TPM_RC_HIERARCHY, 3);
	if (sens_size != 0) {
		if (hier != TPM_RH_NULL)
			return TPM_RCP(TPM_RC_HIERARCHY, 3);
		if (o->key.pub.attrs & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT))
			return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	}
	rc = tpm_public_check_load(&o->key.pub);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	if (!tpm_object_has_free_slot(t))
		return TPM_RC_OBJECT_MEMORY;
	if (sens_size != 0) {
		/* TPM2B_SENSITIVE: the TPMT_SENSITIVE exactly, then its binding to the public area */
		struct tpm_rd r = tpm_rd_init(sens, sens_size);

		rc = tpm_sensitive_get(&r, o);
		if (rc == TPM_RC_SUCCESS && !tpm_rd_done(&r))
			rc = TPM_RC_SIZE;
		if (rc == TPM_RC_SUCCESS) {
			/* BINDING without a parameter number here, as libtpms answers */
			rc = tpm_key_check_binding(&o->key);
		} else {
			rc = TPM_RCP(rc, 1);
		}
		if (rc != TPM_RC_SUCCESS)
			goto out;
	} else {
		o->key.public_only = true;
	}
	if (!tpm_public_name(&o->key.pub, o->key.name, &o->key.name_size)) {
		rc = TPM_RCP(TPM_RC_HASH, 2);
		goto out;
	}
	/* an external object has no parent: its qualifiedName is its Name (as libtpms) */
	o->key.hierarchy = hier;
	memcpy(o->key.qname, o->key.name, o->key.name_size);
	o->key.qname_size = o->key.name_size;
	if (tpm_object_install(c, o) == NULL) {
		rc = TPM_RC_FAILURE;
		goto out;
	}
	tpm_put_2b(c->out, o->key.name, o->key.name_size);
out:
	tpm_wipe(o, sizeof(*o));
	return rc;
}
