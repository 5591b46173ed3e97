// SPDX-License-Identifier: MIT
/*
 * NV index commands (TCG Part 3, 31; Part 1, "NV Memory"; Part 2, 13). Storage layout and the
 * Startup effects are in nv.c.
 *
 * Check order and response codes follow the reference implementation (libtpms 0.9), which is
 * what clients are tested against. Departures:
 *   - PIN_PASS / PIN_FAIL indices are refused at NV_DefineSpace (TPM_RC_ATTRIBUTES): their
 *     authorization rules (PolicySecret counting) are not implemented.
 *   - POLICY_DELETE is refused at NV_DefineSpace while NV_UndefineSpaceSpecial is not in the
 *     command table (as the reference does when that command is compiled out): such an index
 *     could never be deleted.
 *   - ORDERLY indices are committed at every change like the others and share the arena (the
 *     reference keeps them in a small RAM area and answers TPM_RC_NV_SPACE when it is full).
 *     What is kept of the attribute: unwritten after a TPM Reset, erased contents read as zeros.
 *     Orderly counters never jump after a disorderly shutdown: their value is always exact.
 *   - No TPM_RC_NV_RATE and no TPM_RC_RETRY: every change is committed by the engine and a
 *     failed commit answers TPM_RC_NV_UNAVAILABLE with nothing changed.
 */
#include <lib/string.h>

#include "commands.h"

static uint32_t nv_type(const struct tpm_nv_index *nv)
{
	return (nv->attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
}

static uint64_t ld64(const uint8_t *p)
{
	return (uint64_t)tpm_ld32(p) << 32 | tpm_ld32(p + 4);
}

static void st64(uint8_t *p, uint64_t v)
{
	tpm_be32(p, (uint32_t)(v >> 32));
	tpm_be32(p + 4, (uint32_t)v);
}

/*
 * What the bytes of an unwritten index hold, as the reference shows them after a partial first
 * NV_Write: erased flash (0xFF), or zeros for ORDERLY indices (RAM-backed there).
 */
static uint8_t nv_erased(const struct tpm_nv_index *nv)
{
	return (nv->attrs & TPMA_NV_ORDERLY) ? 0x00 : 0xFF;
}

/*
 * The index handle i names. The engine checked that it exists, and its data lies in the arena
 * (state.c on load, this file since): a violation is an engine bug, NULL after tpm_fail().
 */
struct tpm_nv_index *tpm_nv_of(struct tpm_cmd *c, unsigned i)
{
	struct tpm_nv_index *nv = tpm_nv_find(c->t, c->h[i]);
	uint32_t used = c->t->perm.nv_data_used;

	if (nv == NULL) {
		tpm_fail(c->t, "NV handle vanished after the handle check");
		return NULL;
	}
	if (nv->data_off > used || nv->data_size > used - nv->data_off) {
		tpm_fail(c->t, "NV index data outside the arena");
		return NULL;
	}
	return nv;
}

/*
 * May auth_h write the index (Part 3, 31.3.1 NvWriteAccessChecks)? An index authorizing itself
 * needs AUTHWRITE (authValue) or POLICYWRITE (policy session); the engine has already refused
 * an authValue without AUTHWRITE (TPM_RC_AUTH_UNAVAILABLE), this is defence in depth.
 */
static tpm_rc write_access(const struct tpm_nv_index *nv, uint32_t auth_h)
{
	if (nv->attrs & TPMA_NV_WRITELOCKED)
		return TPM_RC_NV_LOCKED;
	if (auth_h == TPM_RH_OWNER) {
		if (!(nv->attrs & TPMA_NV_OWNERWRITE))
			return TPM_RC_NV_AUTHORIZATION;
	} else if (auth_h == TPM_RH_PLATFORM) {
		if (!(nv->attrs & TPMA_NV_PPWRITE))
			return TPM_RC_NV_AUTHORIZATION;
	} else if (auth_h != nv->handle ||
		   !(nv->attrs & (TPMA_NV_AUTHWRITE | TPMA_NV_POLICYWRITE))) {
		return TPM_RC_NV_AUTHORIZATION;
	}
	return TPM_RC_SUCCESS;
}

/* The read counterpart (NvReadAccessChecks): authorization before WRITTEN, for NV_ReadLock. */
tpm_rc tpm_nv_read_access(const struct tpm_nv_index *nv, uint32_t auth_h)
{
	if (nv->attrs & TPMA_NV_READLOCKED)
		return TPM_RC_NV_LOCKED;
	if (auth_h == TPM_RH_OWNER) {
		if (!(nv->attrs & TPMA_NV_OWNERREAD))
			return TPM_RC_NV_AUTHORIZATION;
	} else if (auth_h == TPM_RH_PLATFORM) {
		if (!(nv->attrs & TPMA_NV_PPREAD))
			return TPM_RC_NV_AUTHORIZATION;
	} else if (auth_h != nv->handle || !(nv->attrs & (TPMA_NV_AUTHREAD | TPMA_NV_POLICYREAD))) {
		return TPM_RC_NV_AUTHORIZATION;
	}
	if (!(nv->attrs & TPMA_NV_WRITTEN))
		return TPM_RC_NV_UNINITIALIZED;
	return TPM_RC_SUCCESS;
}

/* A TPM2B_MAX_NV_BUFFER as a view into the command. */
static tpm_rc get_nv_buffer(struct tpm_rd *r, const uint8_t **p, uint16_t *n)
{
	tpm_rc rc = tpm_get_u16(r, n);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (*n > TPM_NV_BUFFER_MAX)
		return TPM_RC_SIZE;
	return tpm_get_view(r, *n, p);
}

/*
 * TPM2B_NV_PUBLIC (Part 2, 13.6 and 13.5) into nv: the unmarshalling checks of the reference,
 * unnumbered (the caller adds the parameter number). The size field must be non-zero and equal
 * the bytes of the TPMS_NV_PUBLIC it announces.
 */
static tpm_rc get_nv_public(struct tpm_rd *r, struct tpm_nv_index *nv)
{
	uint16_t size = 0;
	size_t left;
	tpm_rc rc = tpm_get_u16(r, &size);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (size == 0)
		return TPM_RC_SIZE;
	left = r->left;
	rc = tpm_get_u32(r, &nv->handle);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if ((nv->handle >> TPM_HR_SHIFT) != TPM_HT_NV_INDEX)
		return TPM_RC_VALUE; /* TPMI_RH_NV_INDEX */
	rc = tpm_get_u16(r, &nv->name_alg);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (tpm_hash_size(nv->name_alg) == 0)
		return TPM_RC_HASH; /* TPMI_ALG_HASH, no NULL */
	rc = tpm_get_u32(r, &nv->attrs);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (nv->attrs & TPMA_NV_RESERVED)
		return TPM_RC_RESERVED_BITS;
	rc = tpm_get_2b(r, nv->policy, TPM_MAX_DIGEST, &nv->policy_size);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = tpm_get_u16(r, &nv->data_size);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (nv->data_size > TPM_NV_INDEX_MAX)
		return TPM_RC_SIZE;
	if (left - r->left != size)
		return TPM_RC_SIZE;
	return TPM_RC_SUCCESS;
}

/* Part 2, 13.4 and Part 3, 31.3: is the new index consistent (in the reference's order)? */
static tpm_rc check_new_index(const struct tpm *t, uint32_t auth_h, const struct tpm_nv_index *nv)
{
	uint32_t a = nv->attrs;
	uint32_t nt = (a & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
	unsigned digest = tpm_hash_size(nv->name_alg);

	if (nv->policy_size != 0 && nv->policy_size != digest)
		return TPM_RCP(TPM_RC_SIZE, 2);
	if (nv->auth_size > digest)
		return TPM_RCP(TPM_RC_SIZE, 1);
	if (auth_h == TPM_RH_PLATFORM && !t->ph_enable_nv)
		return TPM_RCH(TPM_RC_HIERARCHY, 1);
	switch (nt) {
	case TPM_NT_ORDINARY:
		break; /* the size limit is checked with the structure */
	case TPM_NT_EXTEND:
		if (nv->data_size != digest)
			return TPM_RCP(TPM_RC_SIZE, 2);
		break;
	case TPM_NT_COUNTER:
	case TPM_NT_BITS:
	case TPM_NT_PIN_FAIL:
	case TPM_NT_PIN_PASS:
		if (nv->data_size != 8)
			return TPM_RCP(TPM_RC_SIZE, 2);
		break;
	default:
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	}
	if (nt == TPM_NT_COUNTER && (a & TPMA_NV_CLEAR_STCLEAR))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	/* PIN indices: a PIN_FAIL index is NO_DA; neither may be written with its authValue (it
	 * is only usable once written) nor locked by GLOBALLOCK / WRITEDEFINE. */
	if (nt == TPM_NT_PIN_FAIL && !(a & TPMA_NV_NO_DA))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if ((nt == TPM_NT_PIN_FAIL || nt == TPM_NT_PIN_PASS) &&
	    (a & (TPMA_NV_AUTHWRITE | TPMA_NV_GLOBALLOCK | TPMA_NV_WRITEDEFINE)))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if (a & (TPMA_NV_WRITTEN | TPMA_NV_WRITELOCKED | TPMA_NV_READLOCKED))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if (!(a & (TPMA_NV_OWNERREAD | TPMA_NV_PPREAD | TPMA_NV_AUTHREAD | TPMA_NV_POLICYREAD)))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if (!(a & (TPMA_NV_OWNERWRITE | TPMA_NV_PPWRITE | TPMA_NV_AUTHWRITE | TPMA_NV_POLICYWRITE)))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if ((a & TPMA_NV_CLEAR_STCLEAR) && (a & TPMA_NV_WRITEDEFINE))
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	/* The creator must be able to delete it: PLATFORMCREATE exactly when platform defines. */
	if (((a & TPMA_NV_PLATFORMCREATE) != 0) != (auth_h == TPM_RH_PLATFORM))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 1);
	if ((a & TPMA_NV_POLICY_DELETE) && auth_h != TPM_RH_PLATFORM)
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	/* WRITEALL must be writable in one NV_Write. */
	if ((a & TPMA_NV_WRITEALL) && nv->data_size > TPM_NV_BUFFER_MAX)
		return TPM_RCP(TPM_RC_SIZE, 2);
	/* Departures last, so every index the reference refuses gets the reference's code. */
	if (nt == TPM_NT_PIN_FAIL || nt == TPM_NT_PIN_PASS)
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	if ((a & TPMA_NV_POLICY_DELETE) && tpm_cc_find(TPM_CC_NV_UndefineSpaceSpecial) == NULL)
		return TPM_RCP(TPM_RC_ATTRIBUTES, 2);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_DefineSpace)
{
	struct tpm *t = c->t;
	struct tpm_nv_index nv;
	struct tpm_perm *p;
	unsigned slot = TPM_NV_INDICES_MAX;
	tpm_rc rc;

	memset(&nv, 0, sizeof(nv));
	rc = tpm_get_2b(&c->in, nv.auth, TPM_MAX_AUTH, &nv.auth_size);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = get_nv_public(&c->in, &nv);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* The authValue is kept without trailing zeros (Part 1, 19.6.4.3). */
	while (nv.auth_size > 0 && nv.auth[nv.auth_size - 1] == 0)
		nv.auth_size--;
	rc = check_new_index(t, c->h[0], &nv);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (tpm_nv_find(t, nv.handle) != NULL)
		return TPM_RC_NV_DEFINED;
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX && slot == TPM_NV_INDICES_MAX; i++)
		if (t->perm.nv[i].handle == 0)
			slot = i;
	if (slot == TPM_NV_INDICES_MAX || nv.data_size > TPM_NV_DATA_MAX - t->perm.nv_data_used)
		return TPM_RC_NV_SPACE;

	p = tpm_perm_w(t);
	nv.data_off = p->nv_data_used;
	memset(p->nv_data + nv.data_off, nv_erased(&nv), nv.data_size);
	p->nv_data_used += nv.data_size;
	p->nv[slot] = nv;
	tpm_wipe(&nv, sizeof(nv));
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_UndefineSpace)
{
	struct tpm *t = c->t;
	struct tpm_nv_index *nv;
	struct tpm_perm *p;
	uint32_t off;
	uint32_t size;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	nv = tpm_nv_of(c, 1);
	if (nv == NULL)
		return TPM_RC_FAILURE;
	/* Such an index goes only through NV_UndefineSpaceSpecial (a policy). */
	if (nv->attrs & TPMA_NV_POLICY_DELETE)
		return TPM_RCH(TPM_RC_ATTRIBUTES, 2);
	/* The owner may not delete what the platform created; the platform may delete both. */
	if (c->h[0] == TPM_RH_OWNER && (nv->attrs & TPMA_NV_PLATFORMCREATE))
		return TPM_RC_NV_AUTHORIZATION;
	off = nv->data_off;
	size = nv->data_size;

	p = tpm_perm_w(t);
	/* A later counter starts above every counter deleted (Part 1, "NV Counters"). */
	if (nv_type(nv) == TPM_NT_COUNTER && (nv->attrs & TPMA_NV_WRITTEN)) {
		uint64_t v = ld64(p->nv_data + off);

		if (v > p->nv_max_counter)
			p->nv_max_counter = v;
	}
	/* Keep the arena packed: the data behind this index moves down. */
	memmove(p->nv_data + off, p->nv_data + off + size, p->nv_data_used - off - size);
	p->nv_data_used -= size;
	memset(p->nv_data + p->nv_data_used, 0, size);
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++)
		if (p->nv[i].handle != 0 && p->nv[i].data_off > off)
			p->nv[i].data_off -= size;
	tpm_wipe(nv, sizeof(*nv));
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_ReadPublic)
{
	struct tpm *t = c->t;
	const struct tpm_nv_index *nv;
	uint8_t name[2 + TPM_MAX_DIGEST];
	uint16_t name_size = 0;
	size_t m;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	nv = tpm_nv_of(c, 0);
	if (nv == NULL || !tpm_entity_name(t, nv->handle, name, &name_size))
		return TPM_RC_FAILURE;
	m = tpm_put_size16_begin(c->out);
	tpm_nv_marshal_public(nv, c->out);
	tpm_put_size16_end(c->out, m);
	tpm_put_2b(c->out, name, name_size);
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_Write)
{
	struct tpm *t = c->t;
	struct tpm_nv_index *nv;
	const uint8_t *data = NULL;
	uint16_t size = 0;
	uint16_t offset = 0;
	tpm_rc rc = get_nv_buffer(&c->in, &data, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u16(&c->in, &offset);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	nv = tpm_nv_of(c, 1);
	if (nv == NULL)
		return TPM_RC_FAILURE;
	rc = write_access(nv, c->h[0]);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* Counters, bit fields and extend indices have their own commands (the reference answers
	 * without a handle number here). */
	if (nv_type(nv) != TPM_NT_ORDINARY)
		return TPM_RC_ATTRIBUTES;
	if (offset > nv->data_size)
		return TPM_RCP(TPM_RC_VALUE, 2);
	if (size > nv->data_size - offset)
		return TPM_RC_NV_RANGE;
	/* WRITEALL: size == dataSize (offset is then 0 by the check above). */
	if ((nv->attrs & TPMA_NV_WRITEALL) && size < nv->data_size)
		return TPM_RC_NV_RANGE;

	(void)tpm_perm_w(t); /* nv points into t->perm: snapshot before changing it */
	/* The first write after define or after Startup made the index unwritten starts from
	 * erased data: what an earlier life of the index held does not show through. */
	if (!(nv->attrs & TPMA_NV_WRITTEN))
		memset(t->perm.nv_data + nv->data_off, nv_erased(nv), nv->data_size);
	memcpy(t->perm.nv_data + nv->data_off + offset, data, size);
	nv->attrs |= TPMA_NV_WRITTEN;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_Read)
{
	struct tpm *t = c->t;
	const struct tpm_nv_index *nv;
	uint16_t size = 0;
	uint16_t offset = 0;
	tpm_rc rc = tpm_get_u16(&c->in, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_get_u16(&c->in, &offset);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	nv = tpm_nv_of(c, 1);
	if (nv == NULL)
		return TPM_RC_FAILURE;
	rc = tpm_nv_read_access(nv, c->h[0]);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (size > TPM_NV_BUFFER_MAX)
		return TPM_RCP(TPM_RC_VALUE, 1);
	if (offset > nv->data_size)
		return TPM_RCP(TPM_RC_VALUE, 2);
	if (size > nv->data_size - offset)
		return TPM_RC_NV_RANGE;
	tpm_put_2b(c->out, t->perm.nv_data + nv->data_off + offset, size);
	return TPM_RC_SUCCESS;
}

/* Common start of Increment, Extend and SetBits: write access, then the index type. */
static tpm_rc typed_write(struct tpm_cmd *c, uint32_t type, struct tpm_nv_index **out)
{
	struct tpm_nv_index *nv = tpm_nv_of(c, 1);
	tpm_rc rc;

	if (nv == NULL)
		return TPM_RC_FAILURE;
	rc = write_access(nv, c->h[0]);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (nv_type(nv) != type)
		return TPM_RCH(TPM_RC_ATTRIBUTES, 2);
	*out = nv;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_Increment)
{
	struct tpm *t = c->t;
	struct tpm_nv_index *nv = NULL;
	uint64_t v;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = typed_write(c, TPM_NT_COUNTER, &nv);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	/* A first increment starts above every counter ever deleted (Part 1, "NV Counters"). */
	if (nv->attrs & TPMA_NV_WRITTEN)
		v = ld64(t->perm.nv_data + nv->data_off);
	else
		v = t->perm.nv_max_counter;
	(void)tpm_perm_w(t);
	st64(t->perm.nv_data + nv->data_off, v + 1);
	nv->attrs |= TPMA_NV_WRITTEN;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_Extend)
{
	struct tpm *t = c->t;
	struct tpm_nv_index *nv = NULL;
	struct tpm_hash_ctx h;
	uint8_t old[TPM_MAX_DIGEST];
	const uint8_t *data = NULL;
	uint16_t size = 0;
	tpm_rc rc = get_nv_buffer(&c->in, &data, &size);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = typed_write(c, TPM_NT_EXTEND, &nv);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (nv->data_size != tpm_hash_size(nv->name_alg)) {
		tpm_fail(t, "extend index of the wrong size");
		return TPM_RC_FAILURE;
	}
	/* new = H_nameAlg(old || data); an unwritten index starts from zeros. */
	if (nv->attrs & TPMA_NV_WRITTEN)
		memcpy(old, t->perm.nv_data + nv->data_off, nv->data_size);
	else
		memset(old, 0, nv->data_size);
	if (!tpm_hash_start(&h, nv->name_alg)) {
		tpm_fail(t, "extend index hash unavailable");
		return TPM_RC_FAILURE;
	}
	tpm_hash_update(&h, old, nv->data_size);
	tpm_hash_update(&h, data, size);
	(void)tpm_perm_w(t);
	tpm_hash_finish(&h, t->perm.nv_data + nv->data_off);
	nv->attrs |= TPMA_NV_WRITTEN;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_SetBits)
{
	struct tpm *t = c->t;
	struct tpm_nv_index *nv = NULL;
	uint64_t bits = 0;
	uint64_t v = 0;
	tpm_rc rc = tpm_get_u64(&c->in, &bits);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	rc = typed_write(c, TPM_NT_BITS, &nv);
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (nv->attrs & TPMA_NV_WRITTEN)
		v = ld64(t->perm.nv_data + nv->data_off);
	(void)tpm_perm_w(t);
	st64(t->perm.nv_data + nv->data_off, v | bits);
	nv->attrs |= TPMA_NV_WRITTEN;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_WriteLock)
{
	struct tpm_nv_index *nv;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	nv = tpm_nv_of(c, 1);
	if (nv == NULL)
		return TPM_RC_FAILURE;
	rc = write_access(nv, c->h[0]);
	if (rc == TPM_RC_NV_LOCKED)
		return TPM_RC_SUCCESS; /* already locked: nothing to do */
	if (rc != TPM_RC_SUCCESS)
		return rc;
	if (!(nv->attrs & (TPMA_NV_WRITEDEFINE | TPMA_NV_WRITE_STCLEAR)))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 2);
	(void)tpm_perm_w(c->t);
	nv->attrs |= TPMA_NV_WRITELOCKED;
	return TPM_RC_SUCCESS;
}

TPM_HANDLER(NV_ReadLock)
{
	struct tpm_nv_index *nv;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	nv = tpm_nv_of(c, 1);
	if (nv == NULL)
		return TPM_RC_FAILURE;
	/* An unwritten index may be read-locked; a locked one stays locked. */
	rc = tpm_nv_read_access(nv, c->h[0]);
	if (rc == TPM_RC_NV_LOCKED)
		return TPM_RC_SUCCESS;
	if (rc != TPM_RC_SUCCESS && rc != TPM_RC_NV_UNINITIALIZED)
		return rc;
	if (!(nv->attrs & TPMA_NV_READ_STCLEAR))
		return TPM_RCH(TPM_RC_ATTRIBUTES, 2);
	(void)tpm_perm_w(c->t);
	nv->attrs |= TPMA_NV_READLOCKED;
	return TPM_RC_SUCCESS;
}

/*
 * Part 3, 31.6: WRITELOCKED is SET on every index with GLOBALLOCK. Indices defined later are not
 * locked; the locks end at the next Startup(CLEAR) (nv.c) and survive a Resume, as in the
 * reference. t->nv_global_write_locked only records that the command ran since Startup (it is
 * volatile and not rolled back should the commit fail); the WRITELOCKED bits are the lock.
 */
TPM_HANDLER(NV_GlobalWriteLock)
{
	struct tpm *t = c->t;
	tpm_rc rc = tpm_params_done(c);

	if (rc != TPM_RC_SUCCESS)
		return rc;
	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *nv = &t->perm.nv[i];

		if (nv->handle != 0 && (nv->attrs & TPMA_NV_GLOBALLOCK) &&
		    !(nv->attrs & TPMA_NV_WRITELOCKED))
			tpm_perm_w(t)->nv[i].attrs |= TPMA_NV_WRITELOCKED;
	}
	t->nv_global_write_locked = true;
	return TPM_RC_SUCCESS;
}
