// SPDX-License-Identifier: MIT
/*
 * The NV blob: struct tpm_perm in a versioned, self-describing, checksummed format.
 *
 *   magic "CPRTPMNV" | u32 version | u32 length of the whole blob | records | SHA-256 of all before
 *   record: u16 tag | u32 length | value          (all integers big-endian)
 *
 * A reader rejects a blob whose magic, length or digest is wrong (TPM_ERR_CORRUPT), whose
 * version is newer than its own (TPM_ERR_VERSION), or that carries an unknown record without the
 * OPTIONAL bit (TPM_ERR_VERSION); unknown OPTIONAL records are skipped, so a later format can add
 * information older readers may ignore. Every field is range-checked: the platform's storage is
 * as untrusted as any other input.
 */
#include <lib/string.h>

#include "internal.h"
#include "object.h"

#define STATE_MAGIC   "CPRTPMNV"
#define STATE_VERSION 1u
#define STATE_HDR     16u
#define STATE_DIGEST  32u
#define REC_OPTIONAL  0x8000u

enum {
	REC_SEEDS = 1,
	REC_OWNER = 2,
	REC_ENDORSEMENT = 3,
	REC_LOCKOUT = 4,
	REC_FLAGS = 5,
	REC_DA = 6,
	REC_TIME = 7,
	REC_SAVED_PCRS = 8,
	REC_NV_INDEX = 9,
	REC_NV_MAX_COUNTER = 10, /* absent in older blobs: 0 */
	REC_SAVED_ENABLES = 11,	 /* with REC_SAVED_PCRS; absent in older blobs: both set */
	REC_SAVED_NULL = 12,	 /* with REC_SAVED_PCRS; absent in older blobs: new ones */
	REC_PERSISTENT = 13,	 /* one per persistent object (object_codec.c) */
};

static void put_hier(struct tpm_wr *w, const struct tpm_hier_auth *h)
{
	tpm_put_2b(w, h->auth, h->auth_size);
	tpm_put_u16(w, h->policy_alg);
	tpm_put_2b(w, h->policy, h->policy_size);
}

size_t tpm_state_serialize(const struct tpm_perm *p, uint8_t *buf, size_t cap)
{
	struct tpm_wr w = tpm_wr_init(buf, cap);
	size_t m;

	tpm_put_bytes(&w, STATE_MAGIC, 8);
	tpm_put_u32(&w, STATE_VERSION);
	tpm_put_u32(&w, 0); /* length, patched */

	tpm_put_u16(&w, REC_SEEDS);
	m = tpm_put_size32_begin(&w);
	tpm_put_bytes(&w, p->eps, TPM_SEED_SIZE);
	tpm_put_bytes(&w, p->sps, TPM_SEED_SIZE);
	tpm_put_bytes(&w, p->pps, TPM_SEED_SIZE);
	tpm_put_bytes(&w, p->sh_proof, TPM_SEED_SIZE);
	tpm_put_bytes(&w, p->eh_proof, TPM_SEED_SIZE);
	tpm_put_bytes(&w, p->ph_proof, TPM_SEED_SIZE);
	tpm_put_size32_end(&w, m);

	const struct tpm_hier_auth *hs[3] = {&p->owner, &p->endorsement, &p->lockout};
	for (unsigned i = 0; i < 3; i++) {
		tpm_put_u16(&w, (uint16_t)(REC_OWNER + i));
		m = tpm_put_size32_begin(&w);
		put_hier(&w, hs[i]);
		tpm_put_size32_end(&w, m);
	}

	tpm_put_u16(&w, REC_FLAGS);
	m = tpm_put_size32_begin(&w);
	tpm_put_u8(&w, p->disable_clear);
	tpm_put_u8(&w, p->orderly);
	tpm_put_u8(&w, p->state_saved);
	tpm_put_u8(&w, p->saved_ph_enable_nv);
	tpm_put_u8(&w, p->pcr_alloc);
	tpm_put_u8(&w, p->pcr_alloc_pending);
	tpm_put_size32_end(&w, m);

	tpm_put_u16(&w, REC_DA);
	m = tpm_put_size32_begin(&w);
	tpm_put_u32(&w, p->da_max_tries);
	tpm_put_u32(&w, p->da_recovery_s);
	tpm_put_u32(&w, p->da_lockout_recovery_s);
	tpm_put_u32(&w, p->da_failed_tries);
	tpm_put_u8(&w, p->lockout_auth_locked);
	tpm_put_u64(&w, p->da_lockout_auth_fail_ms);
	tpm_put_u64(&w, p->da_last_decrement_ms);
	tpm_put_size32_end(&w, m);

	tpm_put_u16(&w, REC_TIME);
	m = tpm_put_size32_begin(&w);
	tpm_put_u64(&w, p->clock_ms);
	tpm_put_u32(&w, p->reset_count);
	tpm_put_u32(&w, p->restart_count);
	tpm_put_u32(&w, p->clear_count);
	tpm_put_size32_end(&w, m);

	if (p->state_saved) {
		tpm_put_u16(&w, REC_SAVED_PCRS);
		m = tpm_put_size32_begin(&w);
		for (unsigned b = 0; b < TPM_NUM_BANKS; b++)
			for (unsigned i = 0; i < TPM_NUM_PCRS; i++)
				tpm_put_bytes(&w, p->saved_pcr[b][i], tpm_hash_size(tpm_banks[b]));
		tpm_put_size32_end(&w, m);
		tpm_put_u16(&w, REC_SAVED_ENABLES);
		m = tpm_put_size32_begin(&w);
		tpm_put_u8(&w, p->saved_sh_enable);
		tpm_put_u8(&w, p->saved_eh_enable);
		tpm_put_size32_end(&w, m);
		if (p->saved_null_valid) {
			tpm_put_u16(&w, REC_SAVED_NULL);
			m = tpm_put_size32_begin(&w);
			tpm_put_bytes(&w, p->saved_null_seed, TPM_SEED_SIZE);
			tpm_put_bytes(&w, p->saved_null_proof, TPM_SEED_SIZE);
			tpm_put_size32_end(&w, m);
		}
	}

	tpm_put_u16(&w, REC_NV_MAX_COUNTER);
	m = tpm_put_size32_begin(&w);
	tpm_put_u64(&w, p->nv_max_counter);
	tpm_put_size32_end(&w, m);

	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *nv = &p->nv[i];

		if (nv->handle == 0)
			continue;
		tpm_put_u16(&w, REC_NV_INDEX);
		m = tpm_put_size32_begin(&w);
		tpm_put_u32(&w, nv->handle);
		tpm_put_u16(&w, nv->name_alg);
		tpm_put_u32(&w, nv->attrs);
		tpm_put_2b(&w, nv->policy, nv->policy_size);
		tpm_put_2b(&w, nv->auth, nv->auth_size);
		tpm_put_2b(&w, p->nv_data + nv->data_off, nv->data_size);
		tpm_put_size32_end(&w, m);
	}

	for (unsigned i = 0; i < TPM_MAX_PERSISTENT; i++) {
		const struct tpm_object *o = &p->persistent[i];

		if (o->kind != TPM_OBJ_KEY)
			continue;
		tpm_put_u16(&w, REC_PERSISTENT);
		m = tpm_put_size32_begin(&w);
		tpm_put_u32(&w, o->handle);
		tpm_object_put(&w, o);
		tpm_put_size32_end(&w, m);
	}

	tpm_patch_u32(&w, 12, (uint32_t)(w.len + STATE_DIGEST));
	if (w.overflow || w.len + STATE_DIGEST > cap)
		return 0;
	(void)tpm_hash(TPM_ALG_SHA256, buf, w.len, buf + w.len);
	return w.len + STATE_DIGEST;
}

/* ---- parsing ---------------------------------------------------------------------------- */

static bool get_hier(struct tpm_rd *r, struct tpm_hier_auth *h)
{
	if (tpm_get_2b(r, h->auth, TPM_MAX_AUTH, &h->auth_size) != TPM_RC_SUCCESS ||
	    tpm_get_u16(r, &h->policy_alg) != TPM_RC_SUCCESS ||
	    tpm_get_2b(r, h->policy, TPM_MAX_DIGEST, &h->policy_size) != TPM_RC_SUCCESS)
		return false;
	if (h->policy_alg == TPM_ALG_NULL)
		return h->policy_size == 0;
	return tpm_hash_size(h->policy_alg) == h->policy_size;
}

static bool get_flag(struct tpm_rd *r, bool *v)
{
	return tpm_get_bool(r, v) == TPM_RC_SUCCESS;
}

/*
 * The index's type is one NV_DefineSpace accepts, with the data size that type has there
 * (cmd_nv.c check_new_index): the handlers rely on it, e.g. NV_Increment and NV_SetBits
 * read and write 8 bytes, NV_Extend a digest of the name algorithm.
 */
static bool nv_type_size_ok(uint32_t attrs, uint16_t name_alg, uint16_t size)
{
	switch ((attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT) {
	case TPM_NT_ORDINARY:
		return true;
	case TPM_NT_EXTEND:
		return size == tpm_hash_size(name_alg);
	case TPM_NT_COUNTER:
	case TPM_NT_BITS:
	case TPM_NT_PIN_FAIL:
	case TPM_NT_PIN_PASS:
		return size == 8;
	default:
		return false;
	}
}

static bool get_nv_index(struct tpm_rd *r, struct tpm_perm *p)
{
	struct tpm_nv_index nv;
	uint16_t size = 0;
	unsigned slot;

	memset(&nv, 0, sizeof(nv));
	if (tpm_get_u32(r, &nv.handle) != TPM_RC_SUCCESS ||
	    tpm_get_u16(r, &nv.name_alg) != TPM_RC_SUCCESS ||
	    tpm_get_u32(r, &nv.attrs) != TPM_RC_SUCCESS ||
	    tpm_get_2b(r, nv.policy, TPM_MAX_DIGEST, &nv.policy_size) != TPM_RC_SUCCESS ||
	    tpm_get_2b(r, nv.auth, TPM_MAX_AUTH, &nv.auth_size) != TPM_RC_SUCCESS ||
	    tpm_get_u16(r, &size) != TPM_RC_SUCCESS)
		return false;
	if ((nv.handle >> TPM_HR_SHIFT) != TPM_HT_NV_INDEX || tpm_hash_size(nv.name_alg) == 0 ||
	    size > TPM_NV_INDEX_MAX || size > TPM_NV_DATA_MAX - p->nv_data_used)
		return false;
	if (nv.policy_size != 0 && nv.policy_size != tpm_hash_size(nv.name_alg))
		return false;
	if (!nv_type_size_ok(nv.attrs, nv.name_alg, size))
		return false;
	for (slot = 0; slot < TPM_NV_INDICES_MAX; slot++) {
		if (p->nv[slot].handle == nv.handle)
			return false; /* duplicate */
		if (p->nv[slot].handle == 0)
			break;
	}
	if (slot == TPM_NV_INDICES_MAX)
		return false;
	nv.data_size = size;
	nv.data_off = p->nv_data_used;
	if (tpm_get_bytes(r, p->nv_data + nv.data_off, size) != TPM_RC_SUCCESS)
		return false;
	p->nv_data_used += size;
	p->nv[slot] = nv;
	return true;
}

static bool get_persistent(struct tpm_rd *r, struct tpm_perm *p)
{
	uint32_t h = 0;
	unsigned slot;

	if (tpm_get_u32(r, &h) != TPM_RC_SUCCESS || (h >> TPM_HR_SHIFT) != TPM_HT_PERSISTENT)
		return false;
	for (slot = 0; slot < TPM_MAX_PERSISTENT; slot++) {
		if (p->persistent[slot].kind == TPM_OBJ_FREE)
			break;
		if (p->persistent[slot].handle == h)
			return false; /* duplicate */
	}
	/* On failure the whole blob is refused: the half-decoded slot goes with the scratch copy. */
	if (slot == TPM_MAX_PERSISTENT || !tpm_object_get(r, &p->persistent[slot]) ||
	    p->persistent[slot].key.hierarchy == TPM_RH_NULL)
		return false;
	p->persistent[slot].handle = h;
	return true;
}

static int parse_record(uint16_t tag, struct tpm_rd *r, struct tpm_perm *p, unsigned *seen)
{
	bool ok = true;

	switch (tag) {
	case REC_SEEDS:
		ok = tpm_get_bytes(r, p->eps, TPM_SEED_SIZE) == TPM_RC_SUCCESS &&
		     tpm_get_bytes(r, p->sps, TPM_SEED_SIZE) == TPM_RC_SUCCESS &&
		     tpm_get_bytes(r, p->pps, TPM_SEED_SIZE) == TPM_RC_SUCCESS &&
		     tpm_get_bytes(r, p->sh_proof, TPM_SEED_SIZE) == TPM_RC_SUCCESS &&
		     tpm_get_bytes(r, p->eh_proof, TPM_SEED_SIZE) == TPM_RC_SUCCESS &&
		     tpm_get_bytes(r, p->ph_proof, TPM_SEED_SIZE) == TPM_RC_SUCCESS;
		break;
	case REC_OWNER:
		ok = get_hier(r, &p->owner);
		break;
	case REC_ENDORSEMENT:
		ok = get_hier(r, &p->endorsement);
		break;
	case REC_LOCKOUT:
		ok = get_hier(r, &p->lockout);
		break;
	case REC_FLAGS:
		ok = get_flag(r, &p->disable_clear) && get_flag(r, &p->orderly) &&
		     get_flag(r, &p->state_saved) && get_flag(r, &p->saved_ph_enable_nv) &&
		     tpm_get_u8(r, &p->pcr_alloc) == TPM_RC_SUCCESS &&
		     tpm_get_u8(r, &p->pcr_alloc_pending) == TPM_RC_SUCCESS &&
		     p->pcr_alloc < (1u << TPM_NUM_BANKS) &&
		     p->pcr_alloc_pending < (1u << TPM_NUM_BANKS);
		break;
	case REC_DA:
		ok = tpm_get_u32(r, &p->da_max_tries) == TPM_RC_SUCCESS &&
		     tpm_get_u32(r, &p->da_recovery_s) == TPM_RC_SUCCESS &&
		     tpm_get_u32(r, &p->da_lockout_recovery_s) == TPM_RC_SUCCESS &&
		     tpm_get_u32(r, &p->da_failed_tries) == TPM_RC_SUCCESS &&
		     get_flag(r, &p->lockout_auth_locked) &&
		     tpm_get_u64(r, &p->da_lockout_auth_fail_ms) == TPM_RC_SUCCESS &&
		     tpm_get_u64(r, &p->da_last_decrement_ms) == TPM_RC_SUCCESS;
		break;
	case REC_TIME:
		ok = tpm_get_u64(r, &p->clock_ms) == TPM_RC_SUCCESS &&
		     tpm_get_u32(r, &p->reset_count) == TPM_RC_SUCCESS &&
		     tpm_get_u32(r, &p->restart_count) == TPM_RC_SUCCESS &&
		     tpm_get_u32(r, &p->clear_count) == TPM_RC_SUCCESS;
		break;
	case REC_SAVED_PCRS:
		for (unsigned b = 0; ok && b < TPM_NUM_BANKS; b++)
			for (unsigned i = 0; ok && i < TPM_NUM_PCRS; i++)
				ok = tpm_get_bytes(r, p->saved_pcr[b][i],
						   tpm_hash_size(tpm_banks[b])) == TPM_RC_SUCCESS;
		break;
	case REC_NV_INDEX:
		ok = get_nv_index(r, p);
		break;
	case REC_PERSISTENT:
		ok = get_persistent(r, p);
		break;
	case REC_NV_MAX_COUNTER:
		ok = tpm_get_u64(r, &p->nv_max_counter) == TPM_RC_SUCCESS;
		break;
	case REC_SAVED_ENABLES:
		ok = get_flag(r, &p->saved_sh_enable) && get_flag(r, &p->saved_eh_enable);
		break;
	case REC_SAVED_NULL:
		ok = tpm_get_bytes(r, p->saved_null_seed, TPM_SEED_SIZE) == TPM_RC_SUCCESS &&
		     tpm_get_bytes(r, p->saved_null_proof, TPM_SEED_SIZE) == TPM_RC_SUCCESS;
		p->saved_null_valid = ok;
		break;
	default:
		if (tag & REC_OPTIONAL)
			return TPM_OK;
		return TPM_ERR_VERSION;
	}
	if (!ok || !tpm_rd_done(r))
		return TPM_ERR_CORRUPT;
	if (tag < 32 && tag != REC_NV_INDEX && tag != REC_PERSISTENT) {
		if (*seen & (1u << tag))
			return TPM_ERR_CORRUPT; /* a singleton record twice */
		*seen |= 1u << tag;
	}
	return TPM_OK;
}

int tpm_state_parse(const uint8_t *buf, size_t len, struct tpm_perm *p, struct tpm_perm *scratch)
{
	uint8_t digest[STATE_DIGEST];
	struct tpm_rd r;
	uint32_t version;
	uint32_t total;
	unsigned seen = 0;
	const unsigned required = 1u << REC_SEEDS | 1u << REC_OWNER | 1u << REC_ENDORSEMENT |
				  1u << REC_LOCKOUT | 1u << REC_FLAGS | 1u << REC_DA |
				  1u << REC_TIME;

	if (len < STATE_HDR + STATE_DIGEST || memcmp(buf, STATE_MAGIC, 8) != 0)
		return TPM_ERR_CORRUPT;
	version = tpm_ld32(buf + 8);
	total = tpm_ld32(buf + 12);
	if (total != len)
		return TPM_ERR_CORRUPT;
	(void)tpm_hash(TPM_ALG_SHA256, buf, len - STATE_DIGEST, digest);
	if (memcmp(digest, buf + len - STATE_DIGEST, STATE_DIGEST) != 0)
		return TPM_ERR_CORRUPT;
	if (version > STATE_VERSION)
		return TPM_ERR_VERSION;
	if (version == 0)
		return TPM_ERR_CORRUPT;

	memset(scratch, 0, sizeof(*scratch));
	scratch->saved_sh_enable = true;
	scratch->saved_eh_enable = true;
	r = tpm_rd_init(buf + STATE_HDR, len - STATE_HDR - STATE_DIGEST);
	while (!tpm_rd_done(&r)) {
		uint16_t tag = 0;
		uint32_t rlen = 0;
		const uint8_t *val = NULL;
		struct tpm_rd rec;
		int err;

		if (tpm_get_u16(&r, &tag) != TPM_RC_SUCCESS ||
		    tpm_get_u32(&r, &rlen) != TPM_RC_SUCCESS ||
		    tpm_get_view(&r, rlen, &val) != TPM_RC_SUCCESS)
			return TPM_ERR_CORRUPT;
		rec = tpm_rd_init(val, rlen);
		err = parse_record(tag, &rec, scratch, &seen);
		if (err != TPM_OK)
			return err;
	}
	if ((seen & required) != required)
		return TPM_ERR_CORRUPT;
	if (scratch->state_saved != ((seen & (1u << REC_SAVED_PCRS)) != 0))
		return TPM_ERR_CORRUPT;
	if (!scratch->state_saved && (seen & (1u << REC_SAVED_ENABLES | 1u << REC_SAVED_NULL)) != 0)
		return TPM_ERR_CORRUPT;
	memcpy(p, scratch, sizeof(*p));
	return TPM_OK;
}

int tpm_state_commit(struct tpm *t)
{
	size_t len;

	t->perm.clock_ms = tpm_clock(t);
	len = tpm_state_serialize(&t->perm, t->nv_blob, sizeof(t->nv_blob));
	if (len == 0) {
		tpm_fail(t, "NV state does not fit the blob");
		return TPM_ERR_STATE;
	}
	if (t->plat.nv_commit(t->plat.ctx, t->nv_blob, len) != 0)
		return TPM_ERR_PLATFORM;
	return TPM_OK;
}
