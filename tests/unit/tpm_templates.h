/* SPDX-License-Identifier: MIT */
/* TPMT_PUBLIC templates for the TPM unit tests, described field by field. */
#ifndef UNIT_TPM_TEMPLATES_H
#define UNIT_TPM_TEMPLATES_H

#include <stddef.h>
#include <stdint.h>

#include <tpm/tpm_types.h>

#include "../../tpm/object.h"

#define OA_FIXEDTPM    TPMA_OBJECT_FIXEDTPM
#define OA_FIXEDPARENT TPMA_OBJECT_FIXEDPARENT
#define OA_SDO	       TPMA_OBJECT_SENSITIVEDATAORIGIN
#define OA_USER	       TPMA_OBJECT_USERWITHAUTH
#define OA_ADMIN       TPMA_OBJECT_ADMINWITHPOLICY
#define OA_NODA	       TPMA_OBJECT_NODA
#define OA_ENCDUP      TPMA_OBJECT_ENCRYPTEDDUPLICATION
#define OA_RESTRICTED  TPMA_OBJECT_RESTRICTED
#define OA_DECRYPT     TPMA_OBJECT_DECRYPT
#define OA_SIGN	       TPMA_OBJECT_SIGN_ENCRYPT
#define OA_STORAGE     (OA_FIXEDTPM | OA_FIXEDPARENT | OA_SDO | OA_USER | OA_RESTRICTED | OA_DECRYPT)
#define OA_SEAL	       (OA_FIXEDTPM | OA_FIXEDPARENT | OA_USER)

/* A TPMT_PUBLIC described field by field; tpl_build() marshals it. */
struct spec {
	uint16_t type;
	uint16_t name_alg;
	uint32_t attrs;
	uint16_t policy_size;
	uint16_t sym, sym_bits, sym_mode;
	uint16_t scheme, scheme_hash;
	uint16_t bits;
	uint32_t exponent;
	uint16_t curve;
	uint16_t kdf;
	uint16_t unique_size, unique_y_size;
};

struct tpl {
	uint8_t b[TPM_PUBLIC_MAX + 256];
	size_t n;
};

/* An unrestricted ECDSA-SHA256 P-256 signing key (fixedTPM, fixedParent, userWithAuth, noDA). */
extern const struct spec TPL_ECC_SIGN;

/* Marshal s; the unique field is zeros of the sizes given. */
struct tpl tpl_build(const struct spec *s);

#endif
