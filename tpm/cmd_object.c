// SPDX-License-Identifier: MIT
/*
 * Object commands: CreatePrimary (TCG Part 3, 24.1), ReadPublic (12.4) and Unseal (12.7).
 *
 * CreatePrimary decodes every parameter, checks the template (public.c), derives the object
 * from the hierarchy's seed (primary.c) in t->staging and only then takes a transient slot.
 * Objects live until FlushContext (object.c), a Clear or HierarchyControl that removes their
 * hierarchy, or power loss; there is no ContextSave/Load or EvictControl yet.
 */
#include <lib/string.h>

#include "commands.h"
#include "object.h"

/* TPMS_SENSITIVE_CREATE (Part 2, 11.1.15) in its TPM2B: a size of 0 or one that is not exactly
 * the two buffers is TPM_RC_SIZE. */
tpm_rc tpm_get_sensitive_create(struct tpm_rd *r, uint8_t *auth, uint16_t *auth_size, uint8_t *data,
				uint16_t *data_size)
{
	uint16_t size = 0;
	size_t left;
	tpm_rc rc = tpm_get_u16(r, &size);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (size == 0)
		return TPM_RC_SIZE;
	left = r->left;
	rc = tpm_get_2b(r, auth, TPM_MAX_AUTH, auth_size);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_2b(r, data, TPM_MAX_SYM_DATA, data_size);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	return left - r->left == size ? TPM_RC_SUCCESS : TPM_RC_SIZE;
}

/*
 * What key generation finds (Part 3, 24.1), answered without a parameter number as libtpms
 * does (it finds them while generating): a given symmetric key not of keyBits
 * (TPM_RC_KEY_SIZE), a given HMAC key longer than a block of its hash (TPM_RC_SIZE: HMAC would
 * hash it down), an RSA exponent that is not supported (TPM_RC_RANGE).
 */
tpm_rc tpm_check_generation(const struct tpm_public *p, uint16_t data_size)
{
	bool given = (p->attrs & TPMA_OBJECT_SENSITIVEDATAORIGIN) == 0;

	if (p->type == TPM_ALG_RSA && !tpm_public_exponent_ok(p->exponent))
		return TPM_RC_RANGE;
	if (!given)
		return TPM_RC_SUCCESS;
	if (p->type == TPM_ALG_SYMCIPHER && data_size != p->sym.bits / 8u)
		return TPM_RC_KEY_SIZE;
	if (p->type == TPM_ALG_KEYEDHASH &&
	    (p->attrs & (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT)) != 0) {
		uint16_t alg = p->scheme.scheme == TPM_ALG_HMAC ? p->scheme.hash : p->name_alg;

		if (data_size > tpm_hash_block(alg))
			return TPM_RC_SIZE;
	}
	return TPM_RC_SUCCESS;
}

/* qualifiedName of a primary: nameAlg || H_nameAlg(hierarchy handle || Name) (Part 1, 16). */
static void primary_qname(struct tpm_key *k)
{
	uint8_t be[4];

	tpm_be32(be, k->hierarchy);
	tpm_key_qname(k, be, 4);
}

/*
 * creationData, creationHash and creationTicket (Part 2, 15.1 TPMS_CREATION_DATA and 10.7.3
 * TPMT_TK_CREATION): the PCRs selected (unallocated banks filtered out) and their digest with
 * nameAlg, the locality, the parent (a hierarchy, parent NULL: nameAlg TPM_ALG_NULL, Name and
 * qualifiedName its handle; an object: its nameAlg, Name and qualifiedName), outsideInfo; creationHash = H_nameAlg(TPMS_CREATION_DATA); the ticket
 * HMAC(proof, TPM_ST_CREATION || Name || creationHash) with the hierarchy's proof.
 */
void tpm_put_creation(struct tpm_cmd *c, const struct tpm_key *k, const struct tpm_key *parent,
		      struct tpm_pcr_selection *sel, const uint8_t *outside, uint16_t outside_size)
{
	struct tpm_wr *w = c->out;
	uint16_t alg = k->pub.name_alg;
	unsigned dsize = tpm_hash_size(alg);
	uint8_t digest[TPM_MAX_DIGEST];
	uint8_t mac[TPM_MAX_DIGEST];
	uint8_t hdr[2];
	struct tpm_hmac_ctx m;
	size_t mark;
	size_t start;

	(void)tpm_pcr_digest(c->t, alg, sel, digest);
	mark = tpm_put_size16_begin(w);
	start = w->len;
	tpm_put_pcr_selection(w, sel);
	tpm_put_2b(w, digest, dsize);
	tpm_put_u8(w, (uint8_t)(TPMA_LOCALITY_LOC_ZERO << c->locality));
	if (parent == NULL) {
		tpm_put_u16(w, TPM_ALG_NULL);
		tpm_put_u16(w, 4);
		tpm_put_u32(w, k->hierarchy);
		tpm_put_u16(w, 4);
		tpm_put_u32(w, k->hierarchy);
	} else {
		tpm_put_u16(w, parent->pub.name_alg);
		tpm_put_2b(w, parent->name, parent->name_size);
		tpm_put_2b(w, parent->qname, parent->qname_size);
	}
	tpm_put_2b(w, outside, outside_size);
	tpm_put_size16_end(w, mark);
	if (w->overflow)
		return;
	(void)tpm_hash(alg, w->p + start, w->len - start, digest);
	tpm_put_2b(w, digest, dsize);

	tpm_be16(hdr, TPM_ST_CREATION);
	(void)tpm_hmac_start(&m, TPM_TICKET_HMAC_ALG, tpm_hierarchy_proof(c->t, k->hierarchy),
			     TPM_SEED_SIZE);
	tpm_hmac_update(&m, hdr, sizeof(hdr));
	tpm_hmac_update(&m, k->name, k->name_size);
	tpm_hmac_update(&m, digest, dsize);
	tpm_hmac_finish(&m, mac);
	tpm_put_u16(w, TPM_ST_CREATION);
	tpm_put_u32(w, k->hierarchy);
	tpm_put_2b(w, mac, tpm_hash_size(TPM_TICKET_HMAC_ALG));
}

bool tpm_object_has_free_slot(const struct tpm *t)
{
	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		if (t->objects[i].kind == TPM_OBJ_FREE)
			return true;
	return false;
}

void tpm_put_public_2b(struct tpm_wr *w, const struct tpm_public *p)
{
	size_t mark = tpm_put_size16_begin(w);

	tpm_public_put(w, p);
	tpm_put_size16_end(w, mark);
}

tpm_rc tpm_get_create_in(struct tpm_cmd *c, struct tpm_object *o, struct tpm_create_in *in,
			 bool creation)
{
	tpm_rc rc;

	memset(in, 0, sizeof(*in));
	memset(o, 0, sizeof(*o));
	rc = tpm_get_sensitive_create(&c->in, o->auth, &o->auth_size, in->data, &in->data_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_public_get_2b(&c->in, &c->t->tmpl, false, &in->raw, &in->raw_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	if (creation) {
		rc = tpm_get_2b(&c->in, in->outside, sizeof(in->outside), &in->outside_size);
		if (rc != TPM_RC_SUCCESS)
			return TPM_RCP(rc, 3);
		rc = tpm_get_pcr_selection(&c->in, &in->sel);
		if (rc != TPM_RC_SUCCESS)
			return TPM_RCP(rc, 4);
	}
	return tpm_params_done(c);
}

tpm_rc tpm_check_create_in(struct tpm *t, struct tpm_object *o, const struct tpm_create_in *in,
			   bool primary)
{
	/* The template, then the authValue, trailing zeros removed: at most a nameAlg digest. */
	tpm_rc rc = tpm_public_check_create(&t->tmpl, in->data_size, primary);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	while (o->auth_size > 0 && o->auth[o->auth_size - 1] == 0)
		o->auth_size--;
	if (o->auth_size > tpm_hash_size(t->tmpl.name_alg))
		return TPM_RCP(TPM_RC_SIZE, 1);
	return TPM_RC_SUCCESS;
}

tpm_rc tpm_make_primary(struct tpm_cmd *c, struct tpm_object *o, const struct tpm_create_in *in)
{
	struct tpm *t = c->t;
	const uint8_t *seed = tpm_primary_seed(t, c->h[0]);
	tpm_rc rc;

	if (seed == NULL) {
		tpm_fail(t, "CreatePrimary: no seed for an accepted hierarchy");
		return TPM_RC_FAILURE;
	}
	if (!tpm_object_has_free_slot(t))
		return TPM_RC_OBJECT_MEMORY;
	rc = tpm_check_generation(&t->tmpl, in->data_size);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_primary_derive(t, c->h[0], seed, &t->tmpl, in->raw, in->raw_size, in->data,
				in->data_size, &o->key);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!tpm_public_name(&o->key.pub, o->key.name, &o->key.name_size)) {
		tpm_fail(t, "CreatePrimary: cannot name the object");
		return TPM_RC_FAILURE;
	}
	primary_qname(&o->key);
	return TPM_RC_SUCCESS;
}

struct tpm_object *tpm_object_install(struct tpm_cmd *c, struct tpm_object *o)
{
	struct tpm_object *slot = tpm_object_alloc(c->t);

	if (slot == NULL) {
		tpm_fail(c->t, "the free object slot went away");
		return NULL;
	}
	o->handle = slot->handle;
	o->kind = TPM_OBJ_KEY;
	memcpy(slot, o, sizeof(*slot));
	tpm_put_u32(c->out_h, slot->handle);
	return slot;
}

TPM_HANDLER(CreatePrimary)
{
	struct tpm *t = c->t;
	struct tpm_object *o = &t->staging;
	struct tpm_create_in in;
	tpm_rc rc = tpm_get_create_in(c, o, &in, true);

	if (rc == TPM_RC_SUCCESS)
		rc = tpm_check_create_in(t, o, &in, true);
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_make_primary(c, o, &in);
	if (rc == TPM_RC_SUCCESS && tpm_object_install(c, o) == NULL)
		rc = TPM_RC_FAILURE;
	if (rc == TPM_RC_SUCCESS) {
		tpm_put_public_2b(c->out, &o->key.pub);
		tpm_put_creation(c, &o->key, NULL, &in.sel, in.outside, in.outside_size);
		tpm_put_2b(c->out, o->key.name, o->key.name_size);
	}
	tpm_wipe(o, sizeof(*o));
	tpm_wipe(&in, sizeof(in));
	return rc;
}

TPM_HANDLER(ReadPublic)
{
	const struct tpm_key *k = tpm_object_key(c->t, c->h[0]);
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* A sequence object has no public area to read (Part 3, 12.4). */
	if (k == NULL)
		return TPM_RC_SEQUENCE;
	tpm_put_public_2b(c->out, &k->pub);
	tpm_put_2b(c->out, k->name, k->name_size);
	tpm_put_2b(c->out, k->qname, k->qname_size);
	return TPM_RC_SUCCESS;
}

/* Part 3, 12.7: only a data object (KEYEDHASH that neither signs, decrypts nor is restricted). */
TPM_HANDLER(Unseal)
{
	const struct tpm_key *k = tpm_object_key(c->t, c->h[0]);
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (k == NULL || k->pub.type != TPM_ALG_KEYEDHASH)
		return TPM_RCH(TPM_RC_TYPE, 1);
	if (k->pub.attrs &
	    (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_RESTRICTED))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	tpm_put_2b(c->out, k->sens, k->sens_size);
	return TPM_RC_SUCCESS;
}
