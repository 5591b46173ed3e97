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

#endif
