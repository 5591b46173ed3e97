/* SPDX-License-Identifier: MIT */
/*
 * Key and data objects: the public area (public.c), primary-key derivation (primary.c) and what
 * the object commands share (cmd_object.c). See docs/tpm.md, "Objects and primary keys".
 */
#ifndef TPM_OBJECT_H
#define TPM_OBJECT_H

#include "internal.h"

/* The largest marshalled TPMT_PUBLIC: an RSA-3072 key with a SHA-512 policy (public.c). */
#define TPM_PUBLIC_MAX 512u

/* ---- public.c ------------------------------------------------------------------------------ */

/*
 * Decode a TPMT_PUBLIC as the spec's unmarshalling does (Part 2, 12.2.4): an unimplemented type
 * is TPM_RC_TYPE, nameAlg TPM_RC_HASH (TPM_ALG_NULL only when allow_null_name), reserved
 * attribute bits TPM_RC_RESERVED_BITS, then the type's parameters and unique field (see
 * get_parms in public.c for their codes). Codes carry no parameter number.
 */
tpm_rc tpm_public_get(struct tpm_rd *r, struct tpm_public *p, bool allow_null_name);
/*
 * TPM2B_PUBLIC around a TPMT_PUBLIC: a size of 0, or one that differs from what the structure
 * used, is TPM_RC_SIZE. *raw / *raw_size: the TPMT_PUBLIC bytes as received.
 */
tpm_rc tpm_public_get_2b(struct tpm_rd *r, struct tpm_public *p, bool allow_null_name,
			 const uint8_t **raw, uint16_t *raw_size);
/* TPMT_PUBLIC_PARMS (TestParms): the type and its parameters only. */
tpm_rc tpm_public_get_parms(struct tpm_rd *r, struct tpm_public *p);
/* Marshal a decoded TPMT_PUBLIC; equal to the bytes it was decoded from. */
void tpm_public_put(struct tpm_wr *w, const struct tpm_public *p);
/*
 * The template checks of TPM2_Create/CreatePrimary (Part 3, 12.1 and 24.1; Part 2, 8.3
 * TPMA_OBJECT) for an object whose sensitive data the caller gives data_size bytes of.
 * primary: the parent is a hierarchy (implied fixedTPM, restricted decrypt). Codes carry no
 * parameter number (they are about inPublic).
 */
tpm_rc tpm_public_check_create(const struct tpm_public *p, size_t data_size, bool primary);
/* The same checks for TPM2_Load, without those about the origin of the sensitive data. */
tpm_rc tpm_public_check_load(const struct tpm_public *p);
/*
 * An RSA public exponent the TPM creates keys with: 0 (meaning 65537) or a prime of at least
 * 65537 (Part 3, 12.1: TPM_RC_RANGE otherwise, found when the key is generated).
 */
bool tpm_public_exponent_ok(uint32_t e);
/* Name = nameAlg || H_nameAlg(TPMT_PUBLIC) (Part 1, 16); false if nameAlg is no hash. */
bool tpm_public_name(const struct tpm_public *p, uint8_t *name, uint16_t *size);
/* Is this an implemented TPMI_ALG_HASH (SHA-1/256/384/512)? */
static inline bool tpm_is_hash(uint16_t alg)
{
	return tpm_hash_size(alg) != 0;
}

/* ---- primary.c ----------------------------------------------------------------------------- */

/*
 * Derive the primary object described by tmpl from a hierarchy's seed (docs/tpm.md, "Primary
 * keys"): fills key->pub (tmpl with its unique field computed), key->seed and key->sens.
 * tmpl_raw is the TPMT_PUBLIC as received and data the inSensitive.data; both enter the
 * derivation. The template must have passed tpm_public_check_create(). Returns TPM_RC_SUCCESS,
 * TPM_RC_MEMORY (the allocator failed), TPM_RC_CANCELED, TPM_RC_NO_RESULT (no prime within the
 * search bound, for practical purposes never) or TPM_RC_FAILURE (failure mode was entered).
 */
tpm_rc tpm_primary_derive(struct tpm *t, uint32_t hierarchy, const uint8_t *seed,
			  const struct tpm_public *tmpl, const uint8_t *tmpl_raw, size_t tmpl_size,
			  const uint8_t *data, size_t data_size, struct tpm_key *key);
/* The hierarchy's primary seed (EPS, SPS, PPS, the NULL seed); NULL for other handles. */
const uint8_t *tpm_primary_seed(const struct tpm *t, uint32_t hierarchy);

/*
 * An ordinary object (TPM2_Create): the generator of tpm_primary_derive() run from a fresh
 * DRBG seed, so children use the same, tested key generation as primaries. Same returns.
 */
tpm_rc tpm_object_generate(struct tpm *t, const struct tpm_public *tmpl, const uint8_t *tmpl_raw,
			   size_t tmpl_size, const uint8_t *data, size_t data_size,
			   struct tpm_key *key);

/* ---- sensitive.c: the sensitive area and its protection under a parent ------------------ */

/* The largest TPM2B_PRIVATE buffer this TPM makes or takes (integrity, sizes, TPMT_SENSITIVE). */
#define TPM_PRIVATE_MAX 512u

/* A parent for Create/Load: an RSA or ECC restricted decryption key with AES and a seedValue. */
bool tpm_is_storage_parent(const struct tpm_key *k);
/* qualifiedName = nameAlg || H_nameAlg(parent qualifiedName || Name) (Part 1, 16). */
void tpm_key_qname(struct tpm_key *k, const uint8_t *parent_qname, uint16_t parent_qname_size);
/* TPMT_SENSITIVE (Part 2, 12.3.2.5) of a key object: type, authValue, seedValue, sensitive. */
void tpm_sensitive_put(struct tpm_wr *w, const struct tpm_object *o);
/*
 * Decode a TPMT_SENSITIVE for the public area already in o->key.pub into o->auth, seed and
 * sens: TPM_RC_TYPE (another type), TPM_RC_SIZE (a field too big, authValue over a nameAlg
 * digest), TPM_RC_KEY_SIZE (a parent's seedValue not a nameAlg digest, a key of the wrong size).
 */
tpm_rc tpm_sensitive_get(struct tpm_rd *r, struct tpm_object *o);
/*
 * An outer wrap (Part 1, 23.4-23.5): symKey = KDFa(alg, seed, "STORAGE", Name, -, sym_bits),
 * hmacKey = KDFa(alg, seed, "INTEGRITY", -, -, digest bits); the data AES-CFB encrypted with
 * IV 0 and integrity = HMAC(hmacKey, ciphertext || Name). Private areas (seed: the parent's
 * seedValue) and credential blobs (seed: the secret's) both use it.
 */
struct tpm_outer {
	uint16_t alg;
	const uint8_t *seed;
	uint16_t seed_size;
	uint16_t sym_bits;
};
/* Encrypt buf (n bytes) in place and write its integrity (an alg digest); false on failure. */
bool tpm_outer_protect(const struct tpm_outer *o, const uint8_t *name, uint16_t name_size,
		       uint8_t *integrity, uint8_t *buf, size_t n);
/* Check and decrypt blob = TPM2B_DIGEST integrity || ciphertext into scratch (*n bytes):
 * TPM_RC_INTEGRITY, with nothing decrypted, unless the HMAC holds. */
tpm_rc tpm_outer_open(const struct tpm_outer *o, const uint8_t *name, uint16_t name_size,
		      const uint8_t *blob, uint16_t size, uint8_t *scratch, size_t *n);
/* Write the TPM2B_PRIVATE of o (Name set) protected under parent; false on overflow. */
bool tpm_private_wrap(const struct tpm_key *parent, const struct tpm_object *o, struct tpm_wr *w);
/*
 * Check and decrypt a TPM2B_PRIVATE buffer for o (o->key.pub and its Name set), filling the
 * sensitive fields: TPM_RC_INTEGRITY (sizes or HMAC wrong: nothing was decrypted), then
 * TPM_RC_SENSITIVE or the codes of tpm_sensitive_get(). scratch: priv_size bytes, wiped.
 */
tpm_rc tpm_private_unwrap(const struct tpm_key *parent, const uint8_t *priv, uint16_t priv_size,
			  struct tpm_object *o, uint8_t *scratch);
/* The sensitive area matches the public one (RSA: p divides n; ECC: dG = Q; others: unique =
 * H(seedValue || key)); TPM_RC_BINDING if not, TPM_RC_MEMORY if mbedTLS could not allocate. */
tpm_rc tpm_key_check_binding(const struct tpm_key *k);

/* ---- secret.c: secrets encrypted to a TPM key (Part 1, 24) ---------------------------- */

/*
 * Decrypt a seed sent to key k (RSA: OAEP with the key's nameAlg and label; ECC: ECDH with a
 * TPMS_ECC_POINT and KDFe): TPM_RC_VALUE (RSA: wrong size or padding), TPM_RC_ECC_POINT (not a
 * point on the key's curve), TPM_RC_KEY (another key type), TPM_RC_MEMORY. seed: a nameAlg
 * digest. Codes carry no parameter number.
 */
tpm_rc tpm_secret_decrypt(struct tpm *t, const struct tpm_key *k, const char *label,
			  const uint8_t *in, uint16_t in_size, uint8_t *seed, uint16_t *seed_size);
/*
 * The other direction (MakeCredential): a fresh seed (a nameAlg digest) encrypted to k, the
 * TPM2B_ENCRYPTED_SECRET written to w. TPM_RC_KEY (k cannot receive secrets), TPM_RC_MEMORY.
 */
tpm_rc tpm_secret_encrypt(struct tpm *t, const struct tpm_key *k, const char *label, uint8_t *seed,
			  uint16_t *seed_size, struct tpm_wr *w);
struct mbedtls_rsa_context;
/* The mbedTLS private key of an RSA key object (initialized by the caller); mbedTLS error. */
int tpm_rsa_private(const struct tpm_key *k, struct mbedtls_rsa_context *rsa);

/* ---- object_codec.c: Copra's serialization of a key object (NV, contexts) -------------- */
void tpm_object_put(struct tpm_wr *w, const struct tpm_object *o);
/* false for anything that would not decode as a command's input does. */
bool tpm_object_get(struct tpm_rd *r, struct tpm_object *o);

/* ---- cmd_object.c: what the object commands share ------------------------------------- */

/* TPM2B_SENSITIVE_CREATE (Part 2, 11.1.16): TPM_RC_SIZE unless the size is exactly the two
 * buffers; no parameter number. */
tpm_rc tpm_get_sensitive_create(struct tpm_rd *r, uint8_t *auth, uint16_t *auth_size, uint8_t *data,
				uint16_t *data_size);
/* What key generation finds about a template and the given data (cmd_object.c). */
tpm_rc tpm_check_generation(const struct tpm_public *p, uint16_t data_size);
bool tpm_object_has_free_slot(const struct tpm *t);
void tpm_put_public_2b(struct tpm_wr *w, const struct tpm_public *p);
/* creationData, creationHash and creationTicket of k; parent NULL for a primary. */
void tpm_put_creation(struct tpm_cmd *c, const struct tpm_key *k, const struct tpm_key *parent,
		      struct tpm_pcr_selection *sel, const uint8_t *outside, uint16_t outside_size);

/* The parameters TPM2_CreatePrimary, Create and CreateLoaded share (Part 3, 12.1, 12.9, 24.1). */
struct tpm_create_in {
	const uint8_t *raw; /* inPublic's TPMT_PUBLIC as received (decoded into t->tmpl) */
	uint16_t raw_size;
	uint8_t data[TPM_MAX_SYM_DATA]; /* inSensitive.data */
	uint16_t data_size;
	uint8_t outside[TPM_MAX_OUTSIDE_INFO]; /* outsideInfo and creationPCR: with creation data */
	uint16_t outside_size;
	struct tpm_pcr_selection sel;
};
/* Decode inSensitive (authValue into o->auth), inPublic and, with creation, outsideInfo and
 * creationPCR; codes carry their parameter numbers. */
tpm_rc tpm_get_create_in(struct tpm_cmd *c, struct tpm_object *o, struct tpm_create_in *in,
			 bool creation);
/* The template checks, then the authValue's size (trailing zeros removed from o->auth). */
tpm_rc tpm_check_create_in(struct tpm *t, struct tpm_object *o, const struct tpm_create_in *in,
			   bool primary);
/* Derive the primary of hierarchy c->h[0] into o (a free slot is checked first). */
tpm_rc tpm_make_primary(struct tpm_cmd *c, struct tpm_object *o, const struct tpm_create_in *in);
/* Move the finished object o into a free slot and answer its handle; NULL (failure mode) if
 * the slot checked for went away. */
struct tpm_object *tpm_object_install(struct tpm_cmd *c, struct tpm_object *o);

#endif
