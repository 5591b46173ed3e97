// SPDX-License-Identifier: MIT
/*
 * GetCapability, TestParms and ReadClock (TCG Part 3, 30.2, 30.3 and 29.1).
 *
 * GetCapability answers from the live state and follows the reference implementation (libtpms,
 * our oracle) in shape, start/count handling and moreData:
 *   - a list starts at the first entry >= `property` (permanent handles, PCR and NV handles,
 *     algorithm IDs, command codes, TPM_PT values), holds at most `propertyCount` entries and at
 *     most what fits one TPMS_CAPABILITY_DATA of TPM_PT_MAX_CAP_BUFFER bytes; moreData is YES
 *     exactly when a further entry exists that was left out;
 *   - TPM_PROPERTIES never crosses from the fixed (0x1xx) into the variable (0x2xx) group, as
 *     the reference: a client walks the groups separately;
 *   - a bad capability is TPM_RC_VALUE on parameter 1, a property that cannot start a list of
 *     that capability is TPM_RC_VALUE / TPM_RC_HANDLE on parameter 2.
 * It also answers in failure mode (engine.c lets it through); it only reads state.
 */
#include <lib/compiler.h>
#include <lib/string.h>

#include "commands.h"
#include "object.h"

/*
 * Part 2, 10.10 TPMS_CAPABILITY_DATA: one answer holds at most MAX_CAP_BUFFER bytes of
 * capability + list; the list maxima are those of the reference (MAX_CAP_DATA / entry size).
 */
#define CAP_BUFFER	    1024u
#define CAP_DATA	    (CAP_BUFFER - 4u - 4u) /* minus TPM_CAP and the list count */
#define MAX_CAP_ALGS	    (CAP_DATA / 6u)	   /* TPMS_ALG_PROPERTY */
#define MAX_CAP_HANDLES	    (CAP_DATA / 4u)
#define MAX_CAP_CC	    (CAP_DATA / 4u)
#define MAX_TPM_PROPERTIES  (CAP_DATA / 8u)				/* TPMS_TAGGED_PROPERTY */
#define MAX_PCR_PROPERTIES  (CAP_DATA / (4u + 1u + TPM_PCR_SELECT_MIN)) /* TPMS_TAGGED_PCR_SELECT */
#define MAX_TAGGED_POLICIES (CAP_DATA / (4u + 2u + TPM_MAX_DIGEST))	/* TPMS_TAGGED_POLICY */
#define MAX_ECC_CURVES	    (CAP_DATA / 2u)				/* TPM_ECC_CURVE */

#define HANDLE_INDEX_MASK   0x00FFFFFFu

/* ---- the TPM's identity (TPM_PT_FIXED) ----------------------------------------------------- */

#define STR4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/*
 * Library specification level, revision and date: those of the reference code libtpms 0.9
 * follows (revision 1.64, day 75 of 2021), because that implementation is our oracle and its
 * behaviour is what we match. Copra implements a subset of that revision's commands.
 */
#define SPEC_FAMILY	 STR4('2', '.', '0', 0)
#define SPEC_LEVEL	 0u
#define SPEC_REVISION	 164u
#define SPEC_DAY_OF_YEAR 75u
#define SPEC_YEAR	 2021u
/* Vendor ID "CPRA" (not a TCG-registered vendor ID: Copra is not a hardware vendor). */
#define MANUFACTURER STR4('C', 'P', 'R', 'A')
/* "Copra SVSM vTPM" over the four vendor strings. */
#define VENDOR_STRING_1 STR4('C', 'o', 'p', 'r')
#define VENDOR_STRING_2 STR4('a', ' ', 'S', 'V')
#define VENDOR_STRING_3 STR4('S', 'M', ' ', 'v')
#define VENDOR_STRING_4 STR4('T', 'P', 'M', 0)
#define VENDOR_TPM_TYPE 1u
/* Engine version major.minor in the high/low 16 bits (1.0: TPM part 1); VERSION_2 unused. */
#define FIRMWARE_VERSION_1 0x00010000u
#define FIRMWARE_VERSION_2 0u
/*
 * Platform-specific specification: the PC Client Platform TPM Profile, whose PCR attributes
 * (pcr.c) and locality rules the engine follows. Revision 1.05 in the historical encoding
 * 0x105; its date is not claimed (0).
 */
#define PS_FAMILY_PC 1u /* TPM_PS_PC */
#define PS_LEVEL     0u
#define PS_REVISION  0x105u
/* TPMA_MEMORY (Part 2, 8.8): NV indices and (later) persistent objects share the NV blob. */
#define MEMORY_SHARED_NV 0x2u
/* Clock goes to NV with every state commit (state.c) and at Shutdown, not on a timer. */
#define CLOCK_UPDATE_MS 4096u

/* ---- algorithms ------------------------------------------------------------------------ */

/*
 * TPM_CAP_ALGS: what the engine implements, sorted by ID, with the TPMA_ALGORITHM bits of the
 * Part 2 "TPM_ALG_ID" table (as the reference gives them): the hashes, the object types of
 * public.c, AES in CFB mode, and the schemes a template may name (the commands that use a
 * signing or decryption scheme come later; the keys exist now).
 */
#define A_ASYM TPMA_ALGORITHM_ASYMMETRIC
#define A_SYM  TPMA_ALGORITHM_SYMMETRIC
#define A_HASH TPMA_ALGORITHM_HASH
#define A_OBJ  TPMA_ALGORITHM_OBJECT
#define A_SIGN TPMA_ALGORITHM_SIGNING
#define A_ENC  TPMA_ALGORITHM_ENCRYPTING
#define A_METH TPMA_ALGORITHM_METHOD
static const struct {
	uint16_t alg;
	uint32_t attrs;
} cap_algs[] = {
	{TPM_ALG_RSA, A_ASYM | A_OBJ},
	{TPM_ALG_SHA1, A_HASH},
	{TPM_ALG_HMAC, A_HASH | A_SIGN},
	{TPM_ALG_AES, A_SYM},
	{TPM_ALG_KEYEDHASH, A_HASH | A_OBJ | A_SIGN | A_ENC},
	{TPM_ALG_SHA256, A_HASH},
	{TPM_ALG_SHA384, A_HASH},
	{TPM_ALG_SHA512, A_HASH},
	{TPM_ALG_RSASSA, A_ASYM | A_SIGN},
	{TPM_ALG_RSAES, A_ASYM | A_ENC},
	{TPM_ALG_RSAPSS, A_ASYM | A_SIGN},
	{TPM_ALG_OAEP, A_ASYM | A_ENC},
	{TPM_ALG_ECDSA, A_ASYM | A_SIGN},
	{TPM_ALG_ECDH, A_ASYM | A_METH},
	{TPM_ALG_ECC, A_ASYM | A_OBJ},
	{TPM_ALG_SYMCIPHER, A_OBJ},
	{TPM_ALG_CFB, A_SYM | A_ENC},
};

/* TPM_CAP_ECC_CURVES, sorted: the curves public.c accepts. */
static const uint16_t cap_curves[] = {TPM_ECC_NIST_P256, TPM_ECC_NIST_P384};

/* Permanent handles in the order GetCapability(HANDLES) lists them (as libtpms). */
static const uint32_t permanent_handles[] = {
	TPM_RH_OWNER,	    TPM_RH_NULL,     TPM_RS_PW,		 TPM_RH_LOCKOUT,
	TPM_RH_ENDORSEMENT, TPM_RH_PLATFORM, TPM_RH_PLATFORM_NV,
};

/* ---- list writer --------------------------------------------------------------------------- */

/*
 * moreData, capability, list count, entries. The count and moreData are patched at the end;
 * entries are added only after list_room() said yes.
 */
struct cap_list {
	struct tpm_wr *w;
	size_t more_off;
	size_t count_off;
	uint32_t n;
	uint32_t max;
	bool more;
};

static void list_begin(struct cap_list *l, struct tpm_wr *w, uint32_t cap, uint32_t count,
		       uint32_t limit)
{
	l->w = w;
	l->n = 0;
	l->max = count < limit ? count : limit;
	l->more = false;
	l->more_off = w->len;
	tpm_put_u8(w, TPM_NO);
	tpm_put_u32(w, cap);
	l->count_off = w->len;
	tpm_put_u32(w, 0);
}

/* One more entry exists: true if it goes in, false (and moreData) if the list is full. */
static bool list_room(struct cap_list *l)
{
	if (l->n < l->max) {
		l->n++;
		return true;
	}
	l->more = true;
	return false;
}

static void list_end(struct cap_list *l)
{
	tpm_patch_u32(l->w, l->count_off, l->n);
	if (!l->w->overflow)
		l->w->p[l->more_off] = l->more ? TPM_YES : TPM_NO;
}

/* ---- TPM_CAP_ALGS, TPM_CAP_COMMANDS ------------------------------------------------------- */

static void cap_algs_list(struct tpm_wr *w, uint32_t property, uint32_t count)
{
	/* TPM_ALG_ID is 16 bits: the reference takes the low half of `property`. */
	uint16_t start = (uint16_t)property;
	struct cap_list l;

	list_begin(&l, w, TPM_CAP_ALGS, count, MAX_CAP_ALGS);
	for (unsigned i = 0; i < ARRAY_SIZE(cap_algs); i++) {
		if (cap_algs[i].alg < start)
			continue;
		if (!list_room(&l))
			break;
		tpm_put_u16(w, cap_algs[i].alg);
		tpm_put_u32(w, cap_algs[i].attrs);
	}
	list_end(&l);
}

static void cap_commands(struct tpm_wr *w, uint32_t property, uint32_t count)
{
	struct cap_list l;

	list_begin(&l, w, TPM_CAP_COMMANDS, count, MAX_CAP_CC);
	/* Beyond the 16-bit index (V bit included: no vendor commands) nothing is implemented. */
	if ((property & ~TPMA_CC_COMMANDINDEX) == 0) {
		for (unsigned i = 0; i < tpm_cc_count; i++) {
			if (tpm_cc_table[i].cc < property)
				continue;
			if (!list_room(&l))
				break;
			tpm_put_u32(w, tpm_cc_attrs(&tpm_cc_table[i]));
		}
	}
	list_end(&l);
}

/* PP_COMMANDS and AUDIT_COMMANDS: TPML_CC. No command needs physical presence or is audited. */
static void cap_empty(struct tpm_wr *w, uint32_t cap)
{
	struct cap_list l;

	list_begin(&l, w, cap, 0, 0);
	list_end(&l);
}

/* ---- TPM_CAP_HANDLES --------------------------------------------------------------------- */

/*
 * The smallest existing handle of the class of `start` (its type byte) that is >= start; false
 * when there is none. Sessions are compared by index (low 24 bits) because the reference lists
 * them by slot: TPM_HT_LOADED_SESSION (= HMAC_SESSION, 0x02) lists loaded HMAC and policy
 * sessions alike, TPM_HT_SAVED_SESSION (0x03) the saved ones.
 */
static bool next_handle(struct tpm *t, uint32_t start, uint32_t *out)
{
	uint32_t idx = start & HANDLE_INDEX_MASK;
	bool found = false;

	switch (start >> TPM_HR_SHIFT) {
	case TPM_HT_PCR:
		*out = start;
		return start < TPM_NUM_PCRS;
	case TPM_HT_NV_INDEX:
		for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
			uint32_t h = t->perm.nv[i].handle;

			if (h != 0 && h >= start && (!found || h < *out)) {
				*out = h;
				found = true;
			}
		}
		return found;
	case TPM_HT_HMAC_SESSION:
		for (unsigned i = 0; i < TPM_MAX_SESSIONS; i++) {
			uint32_t h = t->sessions[i].handle;

			if (h != 0 && (h & HANDLE_INDEX_MASK) >= idx &&
			    (!found || (h & HANDLE_INDEX_MASK) < (*out & HANDLE_INDEX_MASK))) {
				*out = h;
				found = true;
			}
		}
		return found;
	case TPM_HT_POLICY_SESSION:
		for (unsigned i = 0; i < TPM_MAX_ACTIVE; i++) {
			uint32_t h = t->saved_sessions[i].handle;

			if (h != 0 && (h & HANDLE_INDEX_MASK) >= idx &&
			    (!found || (h & HANDLE_INDEX_MASK) < (*out & HANDLE_INDEX_MASK))) {
				*out = h;
				found = true;
			}
		}
		return found;
	case TPM_HT_PERSISTENT:
		for (unsigned i = 0; i < TPM_MAX_PERSISTENT; i++) {
			const struct tpm_object *o = &t->perm.persistent[i];

			if (o->kind == TPM_OBJ_KEY && o->handle >= start &&
			    tpm_hierarchy_enabled(t, o->key.hierarchy) &&
			    (!found || o->handle < *out)) {
				*out = o->handle;
				found = true;
			}
		}
		return found;
	case TPM_HT_TRANSIENT:
		for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++) {
			uint32_t h = t->objects[i].handle;

			if (t->objects[i].kind != TPM_OBJ_FREE && h >= start &&
			    (!found || h < *out)) {
				*out = h;
				found = true;
			}
		}
		return found;
	case TPM_HT_PERMANENT:
		for (unsigned i = 0; i < ARRAY_SIZE(permanent_handles); i++) {
			if (permanent_handles[i] >= start) {
				*out = permanent_handles[i];
				return true;
			}
		}
		return false;
	default:
		return false;
	}
}

/* TPML_HANDLE of one handle type, from `property` on; TPM_RC_HANDLE for other types. */
static tpm_rc cap_handles(struct tpm *t, struct tpm_wr *w, uint32_t property, uint32_t count)
{
	struct cap_list l;
	uint32_t start = property;
	uint32_t h = 0;

	switch (property >> TPM_HR_SHIFT) {
	case TPM_HT_PCR:
	case TPM_HT_NV_INDEX:
	case TPM_HT_HMAC_SESSION:
	case TPM_HT_POLICY_SESSION:
	case TPM_HT_PERMANENT:
	case TPM_HT_TRANSIENT:
	case TPM_HT_PERSISTENT:
		break;
	default:
		return TPM_RCP(TPM_RC_HANDLE, 2);
	}
	list_begin(&l, w, TPM_CAP_HANDLES, count, MAX_CAP_HANDLES);
	while (next_handle(t, start, &h)) {
		if (!list_room(&l))
			break;
		tpm_put_u32(w, h);
		if ((h & HANDLE_INDEX_MASK) == HANDLE_INDEX_MASK)
			break;
		/* one past this handle, in the class asked for (sessions: by index) */
		start = (property & ~HANDLE_INDEX_MASK) | ((h & HANDLE_INDEX_MASK) + 1u);
	}
	list_end(&l);
	return TPM_RC_SUCCESS;
}

/* ---- TPM_CAP_PCRS, TPM_CAP_PCR_PROPERTIES ---------------------------------------------------- */

/*
 * Every bank with its allocation now (not a pending PCR_Allocate): all 24 PCRs selected for an
 * allocated bank, none for the others. A count of 0 asks for nothing (moreData YES), as libtpms.
 */
static void cap_pcrs(struct tpm *t, struct tpm_wr *w, uint32_t count)
{
	static const uint8_t all[TPM_PCR_SELECT_MIN] = {0xFF, 0xFF, 0xFF};
	static const uint8_t none[TPM_PCR_SELECT_MIN];

	tpm_put_u8(w, count == 0 ? TPM_YES : TPM_NO);
	tpm_put_u32(w, TPM_CAP_PCRS);
	if (count == 0) {
		tpm_put_u32(w, 0);
		return;
	}
	tpm_put_u32(w, TPM_NUM_BANKS);
	for (unsigned b = 0; b < TPM_NUM_BANKS; b++) {
		tpm_put_u16(w, tpm_banks[b]);
		tpm_put_u8(w, TPM_PCR_SELECT_MIN);
		tpm_put_bytes(w, tpm_pcr_bank_allocated(t, b) ? all : none, TPM_PCR_SELECT_MIN);
	}
}

/* TPM_PT_PCR tags run 0 .. TPM_PT_PCR_AUTH; pcr.c says which this TPM has and their bitmaps. */
static void cap_pcr_properties(struct tpm_wr *w, uint32_t property, uint32_t count)
{
	struct cap_list l;
	uint8_t select[TPM_PCR_SELECT_MIN];

	list_begin(&l, w, TPM_CAP_PCR_PROPERTIES, count, MAX_PCR_PROPERTIES);
	for (uint32_t tag = property; tag <= TPM_PT_PCR_AUTH; tag++) {
		if (!tpm_pcr_property(tag, select))
			continue;
		if (!list_room(&l))
			break;
		tpm_put_u32(w, tag);
		tpm_put_u8(w, TPM_PCR_SELECT_MIN);
		tpm_put_bytes(w, select, TPM_PCR_SELECT_MIN);
	}
	list_end(&l);
}

/* ---- TPM_CAP_TPM_PROPERTIES ---------------------------------------------------------------- */

static uint32_t count_sessions(const struct tpm *t)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < TPM_MAX_SESSIONS; i++)
		n += t->sessions[i].handle != 0;
	return n;
}

static uint32_t count_objects(const struct tpm *t)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < TPM_MAX_OBJECTS; i++)
		n += t->objects[i].kind != TPM_OBJ_FREE;
	return n;
}

/* Defined NV indices; with counters_only, those of type TPM_NT_COUNTER. */
static uint32_t count_nv(const struct tpm *t, bool counters_only)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < TPM_NV_INDICES_MAX; i++) {
		const struct tpm_nv_index *nv = &t->perm.nv[i];

		if (nv->handle == 0)
			continue;
		if (counters_only &&
		    ((nv->attrs & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT) != TPM_NT_COUNTER)
			continue;
		n++;
	}
	return n;
}

/* A new counter needs a free index slot and 8 bytes of index data (nv.c packs the data). */
static uint32_t nv_counters_avail(const struct tpm *t)
{
	uint32_t slots = TPM_NV_INDICES_MAX - count_nv(t, false);
	uint32_t used =
		t->perm.nv_data_used < TPM_NV_DATA_MAX ? t->perm.nv_data_used : TPM_NV_DATA_MAX;
	uint32_t room = (TPM_NV_DATA_MAX - used) / 8u;

	return slots < room ? slots : room;
}

static uint32_t tpma_permanent(const struct tpm *t)
{
	const struct tpm_perm *p = &t->perm;
	uint32_t v = TPMA_PERMANENT_TPMGENERATEDEPS; /* manufacture draws the EPS from the DRBG */

	if (p->owner.auth_size != 0)
		v |= TPMA_PERMANENT_OWNERAUTHSET;
	if (p->endorsement.auth_size != 0)
		v |= TPMA_PERMANENT_ENDORSEMENTAUTHSET;
	if (p->lockout.auth_size != 0)
		v |= TPMA_PERMANENT_LOCKOUTAUTHSET;
	if (p->disable_clear)
		v |= TPMA_PERMANENT_DISABLECLEAR;
	/* The engine's rule (engine.c in_lockout): recoveryTime 0 disables DA lockout. */
	if (p->da_failed_tries >= p->da_max_tries) /* as engine.c: maxTries 0 is lockout */
		v |= TPMA_PERMANENT_INLOCKOUT;
	return v;
}

static uint32_t tpma_startup_clear(const struct tpm *t)
{
	uint32_t v = 0;

	if (t->ph_enable)
		v |= TPMA_STARTUP_CLEAR_PHENABLE;
	if (t->sh_enable)
		v |= TPMA_STARTUP_CLEAR_SHENABLE;
	if (t->eh_enable)
		v |= TPMA_STARTUP_CLEAR_EHENABLE;
	if (t->ph_enable_nv)
		v |= TPMA_STARTUP_CLEAR_PHENABLENV;
	/*
	 * orderly: the power cycle before this Startup followed a Shutdown of either type (the
	 * reference: g_prevOrderlyState != SU_NONE). clock_safe holds exactly that: power-on sets
	 * it from perm.orderly and nothing else changes it.
	 */
	if (t->clock_safe)
		v |= TPMA_STARTUP_CLEAR_ORDERLY;
	return v;
}

/* The value of TPM_PT `pt`; false when this TPM does not have the property. */
static bool tpm_property(const struct tpm *t, uint32_t pt, uint32_t *v)
{
	const struct tpm_perm *p = &t->perm;

	switch (pt) {
	/* fixed: the specification and the vendor */
	case TPM_PT_FAMILY_INDICATOR:
		*v = SPEC_FAMILY;
		break;
	case TPM_PT_LEVEL:
		*v = SPEC_LEVEL;
		break;
	case TPM_PT_REVISION:
		*v = SPEC_REVISION;
		break;
	case TPM_PT_DAY_OF_YEAR:
		*v = SPEC_DAY_OF_YEAR;
		break;
	case TPM_PT_YEAR:
		*v = SPEC_YEAR;
		break;
	case TPM_PT_MANUFACTURER:
		*v = MANUFACTURER;
		break;
	case TPM_PT_VENDOR_STRING_1:
		*v = VENDOR_STRING_1;
		break;
	case TPM_PT_VENDOR_STRING_2:
		*v = VENDOR_STRING_2;
		break;
	case TPM_PT_VENDOR_STRING_3:
		*v = VENDOR_STRING_3;
		break;
	case TPM_PT_VENDOR_STRING_4:
		*v = VENDOR_STRING_4;
		break;
	case TPM_PT_VENDOR_TPM_TYPE:
		*v = VENDOR_TPM_TYPE;
		break;
	case TPM_PT_FIRMWARE_VERSION_1:
		*v = FIRMWARE_VERSION_1;
		break;
	case TPM_PT_FIRMWARE_VERSION_2:
		*v = FIRMWARE_VERSION_2;
		break;
	/* fixed: sizes and limits */
	case TPM_PT_INPUT_BUFFER:
		*v = TPM_MAX_DIGEST_BUFFER;
		break;
	case TPM_PT_HR_TRANSIENT_MIN:
		*v = TPM_MAX_OBJECTS;
		break;
	case TPM_PT_HR_PERSISTENT_MIN:
		*v = TPM_MAX_PERSISTENT;
		break;
	case TPM_PT_HR_LOADED_MIN:
		*v = TPM_MAX_SESSIONS;
		break;
	case TPM_PT_ACTIVE_SESSIONS_MAX:
		*v = TPM_MAX_ACTIVE;
		break;
	case TPM_PT_PCR_COUNT:
		*v = TPM_NUM_PCRS;
		break;
	case TPM_PT_PCR_SELECT_MIN:
		*v = TPM_PCR_SELECT_MIN;
		break;
	case TPM_PT_CONTEXT_GAP_MAX:
		*v = 0xFFFFu; /* the reference's 16-bit context slots */
		break;
	case TPM_PT_NV_COUNTERS_MAX:
		*v = 0; /* no limit of its own: counters share the index slots and data */
		break;
	case TPM_PT_NV_INDEX_MAX:
		*v = TPM_NV_INDEX_MAX;
		break;
	case TPM_PT_MEMORY:
		*v = MEMORY_SHARED_NV;
		break;
	case TPM_PT_CLOCK_UPDATE:
		*v = CLOCK_UPDATE_MS;
		break;
	/* Context blobs (context.c): HMAC-SHA-256 and AES-256-CFB. */
	case TPM_PT_CONTEXT_HASH:
		*v = TPM_ALG_SHA256;
		break;
	case TPM_PT_CONTEXT_SYM:
		*v = TPM_ALG_AES;
		break;
	case TPM_PT_CONTEXT_SYM_SIZE:
		*v = 256;
		break;
	case TPM_PT_MAX_OBJECT_CONTEXT:
	case TPM_PT_MAX_SESSION_CONTEXT:
		*v = TPM_CONTEXT_MAX;
		break;
	case TPM_PT_ORDERLY_COUNT:
		*v = 0; /* every counter change is committed: NV never lags RAM */
		break;
	case TPM_PT_MAX_COMMAND_SIZE:
		*v = TPM_MAX_COMMAND_SIZE;
		break;
	case TPM_PT_MAX_RESPONSE_SIZE:
		*v = TPM_MAX_RESPONSE_SIZE;
		break;
	case TPM_PT_MAX_DIGEST:
		*v = TPM_MAX_DIGEST;
		break;
	case TPM_PT_PS_FAMILY_INDICATOR:
		*v = PS_FAMILY_PC;
		break;
	case TPM_PT_PS_LEVEL:
		*v = PS_LEVEL;
		break;
	case TPM_PT_PS_REVISION:
		*v = PS_REVISION;
		break;
	case TPM_PT_PS_DAY_OF_YEAR:
	case TPM_PT_PS_YEAR:
		*v = 0;
		break;
	case TPM_PT_SPLIT_MAX:
		*v = 0; /* no ECC Commit */
		break;
	case TPM_PT_TOTAL_COMMANDS:
	case TPM_PT_LIBRARY_COMMANDS:
		*v = tpm_cc_count;
		break;
	case TPM_PT_VENDOR_COMMANDS:
		*v = 0;
		break;
	case TPM_PT_NV_BUFFER_MAX:
		*v = TPM_NV_BUFFER_MAX;
		break;
	case TPM_PT_MODES:
		*v = 0; /* no FIPS 140-2 claim */
		break;
	case TPM_PT_MAX_CAP_BUFFER:
		*v = CAP_BUFFER;
		break;
	/* variable */
	case TPM_PT_PERMANENT:
		*v = tpma_permanent(t);
		break;
	case TPM_PT_STARTUP_CLEAR:
		*v = tpma_startup_clear(t);
		break;
	case TPM_PT_HR_NV_INDEX:
		*v = count_nv(t, false);
		break;
	case TPM_PT_HR_LOADED:
		*v = count_sessions(t);
		break;
	case TPM_PT_HR_ACTIVE:
		*v = count_sessions(t) + tpm_session_saved_count(t);
		break;
	case TPM_PT_HR_LOADED_AVAIL:
		*v = TPM_MAX_SESSIONS - count_sessions(t);
		break;
	case TPM_PT_HR_ACTIVE_AVAIL:
		*v = TPM_MAX_ACTIVE - count_sessions(t) - tpm_session_saved_count(t);
		break;
	case TPM_PT_HR_TRANSIENT_AVAIL:
		*v = TPM_MAX_OBJECTS - count_objects(t);
		break;
	case TPM_PT_HR_PERSISTENT:
		*v = tpm_persistent_count(t);
		break;
	case TPM_PT_HR_PERSISTENT_AVAIL:
		*v = TPM_MAX_PERSISTENT - tpm_persistent_count(t);
		break;
	case TPM_PT_NV_COUNTERS:
		*v = count_nv(t, true);
		break;
	case TPM_PT_NV_COUNTERS_AVAIL:
		*v = nv_counters_avail(t);
		break;
	case TPM_PT_ALGORITHM_SET:
		*v = 0; /* no SetAlgorithmSet */
		break;
	case TPM_PT_LOADED_CURVES:
		*v = ARRAY_SIZE(cap_curves);
		break;
	case TPM_PT_LOCKOUT_COUNTER:
		*v = p->da_failed_tries;
		break;
	case TPM_PT_MAX_AUTH_FAIL:
		*v = p->da_max_tries;
		break;
	case TPM_PT_LOCKOUT_INTERVAL:
		*v = p->da_recovery_s;
		break;
	case TPM_PT_LOCKOUT_RECOVERY:
		*v = p->da_lockout_recovery_s;
		break;
	case TPM_PT_NV_WRITE_RECOVERY:
		*v = 0; /* NV writes are not rate limited */
		break;
	case TPM_PT_AUDIT_COUNTER_0:
	case TPM_PT_AUDIT_COUNTER_1:
		*v = 0; /* no command audit */
		break;
	default:
		return false;
	}
	return true;
}

/*
 * As the reference TPMCapGetProperties: start at TPM_PT_FIXED at the earliest, never leave the
 * group `property` is in, moreData only when a defined property of that group was left out.
 */
static void cap_tpm_properties(const struct tpm *t, struct tpm_wr *w, uint32_t property,
			       uint32_t count)
{
	struct cap_list l;
	uint32_t end;

	list_begin(&l, w, TPM_CAP_TPM_PROPERTIES, count, MAX_TPM_PROPERTIES);
	if (property < TPM_PT_FIXED)
		property = TPM_PT_FIXED;
	if (property < TPM_PT_VAR + 0x100u) {
		end = (property & ~0xFFu) + 0x100u;
		for (uint32_t pt = property; pt < end; pt++) {
			uint32_t v = 0;

			if (!tpm_property(t, pt, &v))
				continue;
			if (!list_room(&l))
				break;
			tpm_put_u32(w, pt);
			tpm_put_u32(w, v);
		}
	}
	list_end(&l);
}

/* ---- TPM_CAP_ECC_CURVES, TPM_CAP_AUTH_POLICIES ------------------------------------------- */

/* TPML_ECC_CURVE from the curve `property` on (its low 16 bits, as the reference). */
static void cap_ecc_curves(struct tpm_wr *w, uint32_t property, uint32_t count)
{
	struct cap_list l;

	list_begin(&l, w, TPM_CAP_ECC_CURVES, count, MAX_ECC_CURVES);
	for (unsigned i = 0; i < ARRAY_SIZE(cap_curves); i++) {
		if (cap_curves[i] < (uint16_t)property)
			continue;
		if (!list_room(&l))
			break;
		tpm_put_u16(w, cap_curves[i]);
	}
	list_end(&l);
}

/* TPML_TAGGED_POLICY: the permanent handles that have a policy slot (hierarchies, lockout). */
static void cap_auth_policies(struct tpm *t, struct tpm_wr *w, uint32_t property, uint32_t count)
{
	struct cap_list l;

	list_begin(&l, w, TPM_CAP_AUTH_POLICIES, count, MAX_TAGGED_POLICIES);
	for (unsigned i = 0; i < ARRAY_SIZE(permanent_handles); i++) {
		uint32_t h = permanent_handles[i];
		const struct tpm_hier_auth *a;
		unsigned n;

		if (h < property)
			continue;
		a = tpm_hier(t, h);
		if (a == NULL)
			continue;
		if (!list_room(&l))
			break;
		/* TPMT_HA: the digest has the size of hashAlg (none for TPM_ALG_NULL). */
		n = a->policy_alg == TPM_ALG_NULL ? 0 : tpm_hash_size(a->policy_alg);
		tpm_put_u32(w, h);
		tpm_put_u16(w, n != 0 ? a->policy_alg : TPM_ALG_NULL);
		tpm_put_bytes(w, a->policy, n);
	}
	list_end(&l);
}

/* ---- the commands -------------------------------------------------------------------------- */

TPM_HANDLER(GetCapability)
{
	struct tpm *t = c->t;
	uint32_t cap = 0;
	uint32_t property = 0;
	uint32_t count = 0;
	tpm_rc rc;

	/* TPM_CAP is checked as it is unmarshalled, before the other parameters (reference). */
	rc = tpm_get_u32(&c->in, &cap);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	if (cap > TPM_CAP_AUTH_POLICIES)
		return TPM_RCP(TPM_RC_VALUE, 1);
	rc = tpm_get_u32(&c->in, &property);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 2);
	rc = tpm_get_u32(&c->in, &count);
	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 3);
	rc = tpm_params_done(c);
	if (rc != TPM_RC_SUCCESS)
		return rc;

	switch (cap) {
	case TPM_CAP_ALGS:
		cap_algs_list(c->out, property, count);
		break;
	case TPM_CAP_HANDLES:
		return cap_handles(t, c->out, property, count);
	case TPM_CAP_COMMANDS:
		cap_commands(c->out, property, count);
		break;
	case TPM_CAP_PP_COMMANDS:
	case TPM_CAP_AUDIT_COMMANDS:
		cap_empty(c->out, cap);
		break;
	case TPM_CAP_PCRS:
		if (property != 0)
			return TPM_RCP(TPM_RC_VALUE, 2);
		cap_pcrs(t, c->out, count);
		break;
	case TPM_CAP_TPM_PROPERTIES:
		cap_tpm_properties(t, c->out, property, count);
		break;
	case TPM_CAP_PCR_PROPERTIES:
		cap_pcr_properties(c->out, property, count);
		break;
	case TPM_CAP_ECC_CURVES:
		cap_ecc_curves(c->out, property, count);
		break;
	case TPM_CAP_AUTH_POLICIES:
		if ((property >> TPM_HR_SHIFT) != TPM_HT_PERMANENT)
			return TPM_RCP(TPM_RC_VALUE, 2);
		cap_auth_policies(t, c->out, property, count);
		break;
	default:
		return TPM_RCP(TPM_RC_VALUE, 1);
	}
	return TPM_RC_SUCCESS;
}

/*
 * TestParms(TPMT_PUBLIC_PARMS) (Part 3, 10.3): parameters the TPM can create an object with
 * decode (public.c) and the answer is success; the first that cannot is the unmarshalling code
 * on parameter 1. Decoded into t->tmpl (too big for a kernel stack frame).
 */
TPM_HANDLER(TestParms)
{
	tpm_rc rc = tpm_public_get_parms(&c->in, &c->t->tmpl);

	if (rc != TPM_RC_SUCCESS)
		return TPM_RCP(rc, 1);
	return tpm_params_done(c);
}

/*
 * ReadClock() -> TPMS_TIME_INFO (Part 2, 10.11.6): time is the milliseconds since power-on
 * (_TPM_Init), Clock the persistent clock, both from the same platform reading.
 */
TPM_HANDLER(ReadClock)
{
	struct tpm *t = c->t;
	tpm_rc rc = tpm_params_done(c);
	uint64_t clock;

	if (rc != TPM_RC_SUCCESS)
		return rc;
	clock = tpm_clock(t);
	tpm_put_u64(c->out, clock - t->clock_at_power_on);
	tpm_put_u64(c->out, clock);
	tpm_put_u32(c->out, t->perm.reset_count);
	tpm_put_u32(c->out, t->perm.restart_count);
	tpm_put_u8(c->out, t->clock_safe ? TPM_YES : TPM_NO);
	return TPM_RC_SUCCESS;
}
