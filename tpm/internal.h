/* SPDX-License-Identifier: MIT */
/*
 * The engine's internal state and the interfaces between its files.
 *
 * State is split by lifetime (TCG Part 1, "TPM operational states"):
 *   struct tpm_perm   everything that survives power loss: seeds, hierarchy auths and policies,
 *                     DA counters, clock, PCR allocation, NV indices, the orderly-shutdown save.
 *                     It is plain data (no pointers), serialized by state.c and committed through
 *                     the platform after every command that changed it.
 *   struct tpm        adds volatile state: PCR values, sessions, transient objects, DRBG.
 *
 * Handlers never write t->perm directly: tpm_perm_w() snapshots it first, so a failed commit can
 * put back exactly what the platform still holds (engine.c).
 */
#ifndef TPM_INTERNAL_H
#define TPM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tpm/tpm.h>
#include <tpm/tpm_types.h>

#include "crypto.h"
#include "marshal.h"

/* ---- sizes the engine advertises through GetCapability ---------------------------------- */
#define TPM_NUM_PCRS	   24u
#define TPM_PCR_SELECT_MIN 3u  /* bytes in a pcrSelect bitmap */
#define TPM_NUM_BANKS	   3u  /* SHA-1, SHA-256, SHA-384 (PCR_Allocate chooses which) */
#define TPM_MAX_SESSIONS   8u  /* loaded sessions (census: clients leak some) */
#define TPM_MAX_OBJECTS	   8u  /* transient objects, incl. hash sequences */
#define TPM_MAX_ACTIVE	   64u /* loaded + saved sessions (TPM_PT_ACTIVE_SESSIONS_MAX) */
#define TPM_MAX_PERSISTENT 8u  /* persistent objects (EvictControl) */
/* The largest TPMS_CONTEXT (context.c): sequence, handle, hierarchy, a 1586-byte blob. */
#define TPM_CONTEXT_MAX	      (8u + 4u + 4u + 2u + 1586u)
#define TPM_MAX_AUTH	      64u /* TPM2B_AUTH: the largest digest */
#define TPM_MAX_NONCE	      64u
#define TPM_SEED_SIZE	      64u	    /* hierarchy seeds (SHA-512 sized, Part 1 "Seeds") */
#define TPM_NV_INDEX_MAX      2048u	    /* largest NV index data (TPM_PT_NV_INDEX_MAX) */
#define TPM_NV_BUFFER_MAX     1024u	    /* NV_Read/NV_Write chunk (TPM_PT_NV_BUFFER_MAX) */
#define TPM_NV_INDICES_MAX    64u	    /* defined indices */
#define TPM_NV_DATA_MAX	      (64u * 1024u) /* all index data together */
#define TPM_MAX_DIGEST_BUFFER 1024u	    /* TPM2B_MAX_BUFFER for Hash / SequenceUpdate */
#define TPM_MAX_RSA_BYTES     384u	    /* MAX_RSA_KEY_BYTES: RSA-3072 */
#define TPM_MAX_ECC_BYTES     48u	    /* MAX_ECC_KEY_BYTES: NIST P-384 */
#define TPM_MAX_SYM_DATA      128u	    /* TPM2B_SENSITIVE_DATA (MAX_SYM_DATA) */
#define TPM_MAX_SENSITIVE     (TPM_MAX_RSA_BYTES / 2u) /* one RSA prime, the largest secret */
#define TPM_MAX_NAME	      (2u + TPM_MAX_DIGEST)    /* TPM2B_NAME of an object */
#define TPM_MAX_OUTSIDE_INFO  (2u + TPM_MAX_DIGEST)    /* TPM2B_DATA: sizeof(TPMT_HA) */
#define TPM_PRIMARY_CACHE     4u		       /* derived RSA primaries kept (primary.c) */

/* ---- NV indices (Part 2, 13.5 TPMS_NV_PUBLIC) -------------------------------------------- */
struct tpm_nv_index {
	uint32_t handle; /* 0 = free slot */
	uint16_t name_alg;
	uint32_t attrs; /* TPMA_NV, incl. WRITTEN/WRITELOCKED/READLOCKED */
	uint16_t policy_size;
	uint8_t policy[TPM_MAX_DIGEST];
	uint16_t auth_size;
	uint8_t auth[TPM_MAX_AUTH];
	uint16_t data_size; /* the index's size */
	uint32_t data_off;  /* into tpm_perm.nv_data */
};

/* ---- volatile state ---------------------------------------------------------------------- */
struct tpm_session {
	uint32_t handle; /* 0 = free slot */
	uint8_t type;	 /* TPM_SE_* */
	uint16_t hash_alg;
	uint16_t digest_size;
	uint8_t nonce_tpm[TPM_MAX_NONCE];
	uint8_t nonce_caller[TPM_MAX_NONCE];
	uint16_t nonce_size; /* both nonces have the caller's size (Part 3, StartAuthSession) */
	uint8_t session_key[TPM_MAX_DIGEST];
	uint16_t session_key_size; /* 0: unbound and unsalted */
	/* bound sessions: the bind entity as it was at StartAuthSession */
	uint32_t bind_handle; /* 0 when unbound */
	uint16_t bind_name_size;
	uint8_t bind_name[2 + TPM_MAX_DIGEST];
	uint16_t bind_auth_size;
	uint8_t bind_auth[TPM_MAX_AUTH];
	/* parameter encryption (TPMT_SYM_DEF): TPM_ALG_NULL, AES (bits, CFB) or XOR (bits: hash) */
	uint16_t sym_alg, sym_bits;
	/* policy and trial sessions (policy.c): the policy so far and what it still demands */
	uint8_t policy_digest[TPM_MAX_DIGEST];
	uint16_t policy_flags;	     /* TPM_POLICY_* */
	uint32_t policy_cc;	     /* TPM_POLICY_CC: the only command it may authorize */
	uint32_t policy_pcr_counter; /* TPM_POLICY_PCR: pcrUpdateCounter when PolicyPCR ran */
	uint8_t policy_cp_hash[TPM_MAX_DIGEST]; /* TPM_POLICY_CPHASH / _NAMEHASH */
	uint64_t policy_timeout_ms;		/* TPM_POLICY_TIMEOUT: Clock limit */
	uint8_t policy_locality;		/* TPM_POLICY_LOCALITY: a TPMA_LOCALITY */
	bool policy_nv_written;			/* TPM_POLICY_NV_WRITTEN: WRITTEN wanted */
	uint64_t start_ms;			/* Clock at StartAuthSession (expirations) */
};

enum {
	TPM_POLICY_AUTH_VALUE = 1u << 0, /* PolicyAuthValue: HMAC keyed with the authValue */
	TPM_POLICY_PASSWORD = 1u << 1,	 /* PolicyPassword: the authValue in the clear */
	TPM_POLICY_CC = 1u << 2,
	TPM_POLICY_PCR = 1u << 3,
	TPM_POLICY_CPHASH = 1u << 4,
	TPM_POLICY_NAMEHASH = 1u << 5,
	TPM_POLICY_TIMEOUT = 1u << 6,
	TPM_POLICY_LOCALITY = 1u << 7,	 /* PolicyLocality: the command's locality */
	TPM_POLICY_NV_WRITTEN = 1u << 8, /* PolicyNvWritten: an NV index, written or not */
};

enum tpm_object_kind {
	TPM_OBJ_FREE = 0,
	TPM_OBJ_HASH_SEQ,  /* HashSequenceStart with a hash algorithm */
	TPM_OBJ_EVENT_SEQ, /* HashSequenceStart with TPM_ALG_NULL: every bank */
	TPM_OBJ_KEY,	   /* an object with a public and a sensitive area (public.c) */
	TPM_OBJ_HMAC_SEQ,  /* HMAC_Start: the keyed hash state in hmac */
};

/* TPMT_SYM_DEF_OBJECT (Part 2, 11.1.7): algorithm TPM_ALG_NULL leaves bits and mode 0. */
struct tpm_sym_def {
	uint16_t alg;
	uint16_t bits;
	uint16_t mode;
};

/*
 * A scheme with its details (TPMT_RSA_SCHEME, TPMT_ECC_SCHEME, TPMT_KEYEDHASH_SCHEME,
 * TPMT_KDF_SCHEME): scheme TPM_ALG_NULL leaves hash 0.
 */
struct tpm_scheme {
	uint16_t scheme;
	uint16_t hash;
};

/*
 * TPMT_PUBLIC (Part 2, 12.2.4), decoded. Only the fields of `type` are meaningful; unique is
 * the RSA modulus, the ECC x coordinate (y in unique_y) or the KEYEDHASH/SYMCIPHER digest.
 * public.c decodes it (checking every field as the spec's unmarshalling does) and marshals it
 * back byte for byte.
 */
struct tpm_public {
	uint16_t type;
	uint16_t name_alg;
	uint32_t attrs; /* TPMA_OBJECT */
	uint16_t policy_size;
	uint8_t policy[TPM_MAX_DIGEST];
	struct tpm_sym_def sym;	  /* RSA, ECC: symmetric; SYMCIPHER: sym */
	struct tpm_scheme scheme; /* RSA, ECC, KEYEDHASH */
	uint16_t key_bits;	  /* RSA */
	uint32_t exponent;	  /* RSA, 0 meaning 65537 */
	uint16_t curve;		  /* ECC */
	struct tpm_scheme kdf;	  /* ECC */
	uint16_t unique_size;
	uint8_t unique[TPM_MAX_RSA_BYTES];
	uint16_t unique_y_size;
	uint8_t unique_y[TPM_MAX_ECC_BYTES];
};

/* A loaded key or data object (TPM_OBJ_KEY). */
struct tpm_key {
	struct tpm_public pub;
	uint32_t hierarchy; /* TPM_RH_OWNER, _ENDORSEMENT, _PLATFORM or _NULL */
	bool public_only;   /* LoadExternal of a public area alone: no authValue, no secrets */
	uint16_t name_size;
	uint8_t name[TPM_MAX_NAME];
	uint16_t qname_size;
	uint8_t qname[TPM_MAX_NAME];
	/* TPMT_SENSITIVE: seedValue (parents: child protection; symmetric: obfuscation) */
	uint16_t seed_size;
	uint8_t seed[TPM_MAX_DIGEST];
	/* RSA: the prime p; ECC: the private scalar; KEYEDHASH: data or HMAC key; SYMCIPHER key */
	uint16_t sens_size;
	uint8_t sens[TPM_MAX_SENSITIVE];
};

struct tpm_object {
	uint32_t handle;
	uint8_t kind; /* enum tpm_object_kind */
	uint16_t auth_size;
	uint8_t auth[TPM_MAX_AUTH];
	union {
		/* sequences: [0] for a hash sequence, one per bank for events */
		struct tpm_hash_ctx hash[TPM_NUM_BANKS];
		struct tpm_hmac_ctx hmac;
		struct tpm_key key;
	};
};

/* ---- persistent state -------------------------------------------------------------------- */
struct tpm_hier_auth {
	uint16_t auth_size;
	uint8_t auth[TPM_MAX_AUTH];
	uint16_t policy_alg; /* TPM_ALG_NULL when no policy */
	uint16_t policy_size;
	uint8_t policy[TPM_MAX_DIGEST];
};

struct tpm_perm {
	uint8_t eps[TPM_SEED_SIZE];	 /* endorsement primary seed */
	uint8_t sps[TPM_SEED_SIZE];	 /* storage primary seed */
	uint8_t pps[TPM_SEED_SIZE];	 /* platform primary seed */
	uint8_t sh_proof[TPM_SEED_SIZE]; /* secret values of the hierarchies (tickets, contexts) */
	uint8_t eh_proof[TPM_SEED_SIZE];
	uint8_t ph_proof[TPM_SEED_SIZE];
	struct tpm_hier_auth owner, endorsement, lockout;
	bool disable_clear;
	/* dictionary-attack protection (Part 1, 19.8.6) */
	uint32_t da_max_tries;
	uint32_t da_recovery_s;		/* seconds per failure forgiven */
	uint32_t da_lockout_recovery_s; /* lockoutAuth retry delay */
	uint32_t da_failed_tries;
	bool lockout_auth_locked;	  /* lockoutAuth failed: wait da_lockout_recovery_s */
	uint64_t da_lockout_auth_fail_ms; /* clock of that failure */
	uint64_t da_last_decrement_ms;	  /* clock when failed_tries last dropped */
	/* time */
	uint64_t clock_ms;    /* Clock as last committed */
	uint32_t reset_count; /* TPM Resets (Startup(CLEAR) after Shutdown(CLEAR) or none) */
	uint32_t restart_count;
	uint32_t clear_count;
	/* PCR banks: bit i set = bank i of tpm_banks[] is allocated (now / after the next reset) */
	uint8_t pcr_alloc;
	uint8_t pcr_alloc_pending;
	/* orderly shutdown: Shutdown(STATE) saved what Startup(STATE) restores */
	bool orderly;	  /* the last power-off followed a Shutdown */
	bool state_saved; /* the save below is valid (Shutdown(STATE)) */
	uint8_t saved_pcr[TPM_NUM_BANKS][TPM_NUM_PCRS][TPM_MAX_DIGEST];
	bool saved_ph_enable_nv;
	bool saved_sh_enable, saved_eh_enable; /* Resume keeps the hierarchy enables */
	/* the NULL hierarchy's seed and proof survive Restart and Resume (absent in older blobs) */
	bool saved_null_valid;
	uint8_t saved_null_seed[TPM_SEED_SIZE];
	uint8_t saved_null_proof[TPM_SEED_SIZE];
	/* NV indices */
	struct tpm_nv_index nv[TPM_NV_INDICES_MAX];
	uint32_t nv_data_used;
	/* the largest value of any NV counter deleted: a new counter starts above it (cmd_nv.c) */
	uint64_t nv_max_counter;
	uint8_t nv_data[TPM_NV_DATA_MAX];
	/* persistent objects (EvictControl, persistent.c): kind TPM_OBJ_KEY when used */
	struct tpm_object persistent[TPM_MAX_PERSISTENT];
};

/*
 * Derived RSA primaries (primary.c): the primes found for (hierarchy, seed generation,
 * derivation digest), so that creating the same primary again costs no prime search.
 */
struct tpm_primary_cache_entry {
	bool used;
	uint32_t hierarchy;
	uint32_t seed_gen;
	uint8_t digest[32];
	uint32_t last_use; /* LRU stamp */
	uint16_t prime_size;
	uint8_t p[TPM_MAX_SENSITIVE];
	uint8_t q[TPM_MAX_SENSITIVE];
};

struct tpm {
	struct tpm_platform plat;
	bool powered;
	bool started;
	bool failure_mode;
	const char *failure_reason;
	bool cancel;
	/* TPMA_STARTUP_CLEAR and friends */
	bool ph_enable, sh_enable, eh_enable, ph_enable_nv;
	struct tpm_hier_auth platform;	   /* platformAuth/Policy: reset at every Startup(CLEAR) */
	uint8_t null_proof[TPM_SEED_SIZE]; /* new at every TPM Reset */
	uint8_t null_seed[TPM_SEED_SIZE];
	uint64_t power_on_ms; /* platform clock at power-on */
	uint64_t clock_at_power_on;
	bool clock_safe;
	uint8_t pcr[TPM_NUM_BANKS][TPM_NUM_PCRS][TPM_MAX_DIGEST];
	uint32_t pcr_update_counter;
	struct tpm_session sessions[TPM_MAX_SESSIONS];
	struct tpm_object objects[TPM_MAX_OBJECTS];
	/* sessions saved by ContextSave (context.c): handle 0 = free; the blob's sequence must match */
	struct {
		uint32_t handle;
		uint64_t sequence;
	} saved_sessions[TPM_MAX_ACTIVE];
	uint64_t context_sequence; /* the last TPMS_CONTEXT.sequence handed out */
	/* CreatePrimary decodes the template and builds the new object here, then moves the object
	 * into a slot (cmd_object.c): too big for kernel stack frames */
	struct tpm_public tmpl;
	struct tpm_object staging;
	/* bumped whenever a primary seed changes; primary cache entries of older ones are void */
	uint32_t seed_gen;
	uint32_t cache_clock;
	struct tpm_primary_cache_entry primary_cache[TPM_PRIMARY_CACHE];
	struct tpm_drbg drbg;
	/* NV bookkeeping */
	bool perm_dirty; /* perm_backup holds the committed state */
	struct tpm_perm perm;
	struct tpm_perm perm_backup;
	uint8_t nv_blob[TPM_NV_BLOB_MAX];
	/* global NV write lock (NV_GlobalWriteLock, cleared at Startup) */
	bool nv_global_write_locked;
	/* scratch space for handlers (kernel frames must stay small: no big locals) */
	_Alignas(8) uint8_t scratch[TPM_MAX_COMMAND_SIZE];
	/* the command parameters, decrypted when a session decrypts them (engine.c) */
	uint8_t params[TPM_MAX_COMMAND_SIZE];
};

/* ---- PCR banks -------------------------------------------------------------------------- */
extern const uint16_t tpm_banks[TPM_NUM_BANKS]; /* SHA-1, SHA-256, SHA-384 */
int tpm_bank_index(uint16_t alg);		/* -1 when not a bank algorithm */

/* Implemented hash algorithms (SHA-1/256/384/512): the most entries a TPML_PCR_SELECTION or
 * TPML_DIGEST_VALUES may carry (HASH_COUNT of the reference implementation). */
#define TPM_HASH_COUNT 4u

/* TPML_PCR_SELECTION (Part 2, 10.9.7) as decoded by tpm_get_pcr_selection(). */
struct tpm_pcr_select {
	uint16_t hash; /* an implemented hash, not necessarily a bank */
	uint8_t select[TPM_PCR_SELECT_MIN];
};

struct tpm_pcr_selection {
	uint32_t count;
	struct tpm_pcr_select s[TPM_HASH_COUNT];
};

/*
 * Decode a TPML_PCR_SELECTION: count <= TPM_HASH_COUNT (else TPM_RC_SIZE), each hash an
 * implemented hash (else TPM_RC_HASH), each sizeofSelect exactly TPM_PCR_SELECT_MIN (else
 * TPM_RC_VALUE, as libtpms with 24 PCRs). Codes carry no parameter number: add it with TPM_RCP.
 */
tpm_rc tpm_get_pcr_selection(struct tpm_rd *r, struct tpm_pcr_selection *sel);
void tpm_put_pcr_selection(struct tpm_wr *w, const struct tpm_pcr_selection *sel);
/* Clear the bits of PCRs that are not allocated (whole unallocated or unknown banks). */
void tpm_pcr_filter(const struct tpm *t, struct tpm_pcr_selection *sel);
/*
 * PCR digest for PolicyPCR / Quote (Part 1, "PCR digest"): filters sel, then hashes with alg the
 * selected PCR values in selection order. false when alg is not implemented.
 */
bool tpm_pcr_digest(const struct tpm *t, uint16_t alg, struct tpm_pcr_selection *sel, uint8_t *out);

bool tpm_pcr_bank_allocated(const struct tpm *t, unsigned bank);
/* PC Client locality rules (PCR attribute table in pcr.c); pcr < TPM_NUM_PCRS. */
bool tpm_pcr_extend_allowed(uint32_t pcr, uint8_t locality);
bool tpm_pcr_reset_allowed(uint32_t pcr, uint8_t locality);
/* Extend one bank of a PCR with a digest of the bank's size (no-op if the bank is not
 * allocated); counts in pcrUpdateCounter and invalidates a Shutdown(STATE) save of PCR 0-15. */
void tpm_pcr_extend(struct tpm *t, uint32_t pcr, unsigned bank, const uint8_t *digest);
/* PCR_Reset: zero the PCR in every bank. */
void tpm_pcr_reset(struct tpm *t, uint32_t pcr);
/* TPMS_TAGGED_PCR_SELECT bitmap of a TPM_PT_PCR property; false if not implemented. */
bool tpm_pcr_property(uint32_t property, uint8_t select[TPM_PCR_SELECT_MIN]);

/* ---- engine services for handlers ------------------------------------------------------- */
/* Writable persistent state: snapshots it on first use in a command (see engine.c). */
struct tpm_perm *tpm_perm_w(struct tpm *t);
/* Enter failure mode (an internal invariant broke); every later command answers FAILURE. */
void tpm_fail(struct tpm *t, const char *why);
/* Clock in ms (Part 2, TPMS_CLOCK_INFO.clock). */
uint64_t tpm_clock(struct tpm *t);
/* Random bytes from the engine's DRBG; false means failure mode was entered. */
bool tpm_random(struct tpm *t, void *buf, size_t n);
/* The hierarchy auth record of a permanent handle (OWNER, ENDORSEMENT, LOCKOUT, PLATFORM). */
struct tpm_hier_auth *tpm_hier(struct tpm *t, uint32_t handle);
/* Name of an entity (Part 1, 16 "Names"); false when the handle names nothing loaded. */
bool tpm_entity_name(struct tpm *t, uint32_t handle, uint8_t *name, uint16_t *size);
/* authValue of an entity, trailing zero octets removed (Part 1, 19.6.4.3); false if absent. */
bool tpm_entity_auth(struct tpm *t, uint32_t handle, uint8_t *auth, uint16_t *size);

/* ---- commands ------------------------------------------------------------------------- */
/*
 * A handler sees its handles already validated and authorized, decodes every parameter from
 * `in` (returning TPM_RCP(rc, n) on a bad one, TPM_RC_SIZE... see tpm_params_done) before
 * changing any state, then writes response handle(s) to out_h and parameters to out.
 */
struct tpm_cmd {
	struct tpm *t;
	uint32_t cc;
	uint8_t locality;
	uint8_t nhandles;
	uint32_t h[3];
	struct tpm_rd in;
	struct tpm_wr *out_h;
	struct tpm_wr *out;
	/* set by a handler that flushed the session it was authorized by (e.g. FlushContext) */
	bool auth_changed;
};

typedef tpm_rc (*tpm_handler)(struct tpm_cmd *c);

/* Which handle values a command handle accepts (a mask of these). */
enum {
	TPM_HK_PCR = 1u << 0,
	TPM_HK_NV = 1u << 1,
	TPM_HK_SESSION = 1u << 2,   /* HMAC session */
	TPM_HK_TRANSIENT = 1u << 3, /* a loaded object */
	TPM_HK_PERSISTENT = 1u << 4,
	TPM_HK_OWNER = 1u << 5,
	TPM_HK_ENDORSEMENT = 1u << 6,
	TPM_HK_PLATFORM = 1u << 7,
	TPM_HK_LOCKOUT = 1u << 8,
	TPM_HK_NULL = 1u << 9,
	TPM_HK_PLATFORM_NV = 1u << 10,
	TPM_HK_POLICY = 1u << 11, /* a policy or trial session (TPMI_SH_POLICY) */
};

/* Authorization role of a handle (Part 3, "Authorization role" column). */
enum {
	TPM_AUTH_NONE = 0,
	TPM_AUTH_USER,
	TPM_AUTH_ADMIN,
	TPM_AUTH_DUP
};

struct tpm_cc_desc {
	uint32_t cc;
	tpm_handler fn;
	uint8_t nhandles;
	uint8_t nauth; /* the first nauth handles need authorization */
	uint8_t auth_role[3];
	uint16_t kinds[3]; /* TPM_HK_* mask per handle */
	uint8_t rhandle;   /* 1 when the response carries a handle */
	uint32_t flags;	   /* TPMA_CC_NV / EXTENSIVE / FLUSHED as advertised */
};

/* Sorted by command code; tpm_cc_count entries. */
extern const struct tpm_cc_desc tpm_cc_table[];
extern const unsigned tpm_cc_count;
const struct tpm_cc_desc *tpm_cc_find(uint32_t cc);
/* Is the command's first parameter / the response's first parameter a TPM2B, which a session
 * may decrypt / encrypt (Part 1, 21; the reference's command attributes)? */
bool tpm_cc_decrypts(uint32_t cc);
bool tpm_cc_encrypts(uint32_t cc);
/* The TPMA_CC word GetCapability(COMMANDS) reports. */
uint32_t tpm_cc_attrs(const struct tpm_cc_desc *d);

/*
 * A TPM2B of at most max bytes as a view into the command (*p points into it): TPM_RC_SIZE
 * when its size field says more, TPM_RC_INSUFFICIENT when the bytes are not there.
 */
static inline tpm_rc tpm_get_2b_view(struct tpm_rd *r, size_t max, const uint8_t **p, uint16_t *n)
{
	tpm_rc rc = tpm_get_u16(r, n);

	if (rc == TPM_RC_SUCCESS && *n > max)
		return TPM_RC_SIZE;
	if (rc == TPM_RC_SUCCESS)
		rc = tpm_get_view(r, *n, p);
	return rc;
}

/* Parameters fully consumed? TPM_RC_SIZE otherwise (Part 3: trailing bytes). */
static inline tpm_rc tpm_params_done(const struct tpm_cmd *c)
{
	return tpm_rd_done(&c->in) ? TPM_RC_SUCCESS : TPM_RC_SIZE;
}

/* ---- state.c: NV blob ------------------------------------------------------------------ */
/* Serialize t->perm into buf; returns its length (0 if it does not fit). */
size_t tpm_state_serialize(const struct tpm_perm *p, uint8_t *buf, size_t cap);
/* Parse a blob into *p; TPM_OK, TPM_ERR_CORRUPT or TPM_ERR_VERSION. *p is untouched on error. */
int tpm_state_parse(const uint8_t *buf, size_t len, struct tpm_perm *p, struct tpm_perm *scratch);
/* Commit t->perm through the platform. */
int tpm_state_commit(struct tpm *t);

/* ---- sessions (session.c) -------------------------------------------------------------- */
struct tpm_session *tpm_session_find(struct tpm *t, uint32_t handle);
void tpm_session_free(struct tpm_session *s);
/* context.c: sessions saved by ContextSave keep their handles until loaded or flushed. */
bool tpm_session_saved(const struct tpm *t, uint32_t handle);
bool tpm_session_flush_saved(struct tpm *t, uint32_t handle);
unsigned tpm_session_saved_count(const struct tpm *t);
/* A handle for a new session of type_base (TPM_HR_HMAC_SESSION or _POLICY_SESSION) unused by
 * any loaded or saved session; 0 when all TPM_MAX_ACTIVE are taken. */
uint32_t tpm_session_new_handle(const struct tpm *t, uint32_t type_base);

/* ---- objects (object.c) ---------------------------------------------------------------- */
/* A loaded object: transient, or persistent with its hierarchy enabled. */
struct tpm_object *tpm_object_find(struct tpm *t, uint32_t handle);
static inline bool tpm_is_object_handle(uint32_t h)
{
	return (h >> TPM_HR_SHIFT) == TPM_HT_TRANSIENT || (h >> TPM_HR_SHIFT) == TPM_HT_PERSISTENT;
}
/* persistent.c */
struct tpm_object *tpm_persistent_find(struct tpm *t, uint32_t handle);
unsigned tpm_persistent_count(const struct tpm *t);
/* Clear: remove the persistent objects of the storage and endorsement hierarchies. */
void tpm_persistent_clear(struct tpm *t);
/* Is the hierarchy (OWNER, ENDORSEMENT, PLATFORM; NULL always) enabled? */
bool tpm_hierarchy_enabled(const struct tpm *t, uint32_t hier);
/* A free slot with a fresh handle, or NULL (TPM_RC_OBJECT_MEMORY). */
struct tpm_object *tpm_object_alloc(struct tpm *t);
void tpm_object_free(struct tpm_object *o);
/* The key object behind a loaded handle, NULL for sequences and free handles. */
struct tpm_key *tpm_object_key(struct tpm *t, uint32_t handle);
/* Flush every key object of a hierarchy (Clear, HierarchyControl). */
void tpm_object_flush_hierarchy(struct tpm *t, uint32_t hierarchy);
/* A primary seed changed (or may have): derived primaries cached so far are void. */
void tpm_primary_seeds_changed(struct tpm *t);
/* The proof of a hierarchy (tickets): sh/eh/ph proof, the NULL proof; NULL for others. */
const uint8_t *tpm_hierarchy_proof(const struct tpm *t, uint32_t hierarchy);
/* Tickets are HMACs with the hierarchy proof using SHA-512 (libtpms: CONTEXT_INTEGRITY_HASH). */
#define TPM_TICKET_HMAC_ALG TPM_ALG_SHA512

/* ---- NV indices (nv.c) ---------------------------------------------------------------- */
struct tpm_nv_index *tpm_nv_find(struct tpm *t, uint32_t handle);
/* TPMS_NV_PUBLIC of an index (Part 2, 13.5), as it enters the index's Name. */
void tpm_nv_marshal_public(const struct tpm_nv_index *nv, struct tpm_wr *w);
/* The index is usable: its hierarchy (platform or owner) is enabled. */
bool tpm_nv_accessible(const struct tpm *t, const struct tpm_nv_index *nv);
/* May cc be authorized with the index's authValue (AUTHREAD / AUTHWRITE)? */
bool tpm_nv_auth_value_allowed(const struct tpm_nv_index *nv, uint32_t cc);

/* cmd_nv.c: NvReadAccessChecks (lock, the authorizing handle's right, WRITTEN), and the index
 * behind handle i of a command with its data inside the arena (NULL after tpm_fail()). */
tpm_rc tpm_nv_read_access(const struct tpm_nv_index *nv, uint32_t auth_h);
struct tpm_nv_index *tpm_nv_of(struct tpm_cmd *c, unsigned i);

/* ---- startup hooks other files implement --------------------------------------------- */
void tpm_pcr_startup(struct tpm *t, bool restore_saved); /* pcr.c */
void tpm_nv_startup(struct tpm *t, bool clear);		 /* nv.c: STCLEAR attributes */

#endif
