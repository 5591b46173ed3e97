/* SPDX-License-Identifier: MIT */
/*
 * Copra's mbedTLS 2.28 configuration (replaces mbedtls/config.h through
 * -DMBEDTLS_CONFIG_FILE="copra_mbedtls_config.h"; see mk/mbedtls.mk and docs/dependencies.md).
 *
 * Only what the TPM 2.0 engine (tpm/) and, later, SNP guest messages need: hashes and HMAC,
 * HKDF, AES in the TPM's symmetric modes plus GCM, RSA with PKCS#1 v1.5 and v2.1, NIST P-256 and
 * P-384 with ECDSA and ECDH, and one DRBG. No TLS, X.509, PK, PSA, filesystem, network, clock,
 * threading, entropy collection, self-tests or error strings.
 *
 * One configuration serves both builds of the library:
 *   host  hosted (libc), $(MBEDTLS_HOST_LIB): host tools, unit tests, fuzzers;
 *   kern  freestanding, $(MBEDTLS_KERN_LIB): linked into the kernel. Its only outside symbols
 *         are memcpy/memmove/memset/memcmp/strlen/strcmp and the stack protector's
 *         (`make mbedtls-freestanding-check`).
 * The freestanding build is recognised by COPRA_FREESTANDING (set by mk/mbedtls.mk) or by the
 * compiler itself (-ffreestanding makes __STDC_HOSTED__ 0), so kernel code that includes mbedTLS
 * headers sees the same configuration as the library it links against.
 *
 * Every option name below is documented in mbedtls/config.h of the pinned source.
 */
#ifndef COPRA_MBEDTLS_CONFIG_H
#define COPRA_MBEDTLS_CONFIG_H

#if defined(COPRA_FREESTANDING) || !__STDC_HOSTED__
#define COPRA_MBEDTLS_FREESTANDING 1
#endif

/* --- System ----------------------------------------------------------------------------------- */

/*
 * Inline assembly for the bignum multiply-accumulate loop (bn_mul.h, x86-64 `mulq`): general
 * registers only, so it is fine under -mgeneral-regs-only, and it keeps RSA key generation and
 * ECC fast enough.
 */
#define MBEDTLS_HAVE_ASM
/*
 * No 128-by-64-bit division: gcc would call libgcc's __udivti3, which the kernel does not link.
 * bignum.c then divides with 64-bit arithmetic only.
 */
#define MBEDTLS_NO_UDBL_DIVISION
/* Deprecated (non-_ret) entry points are compiled out: new code must not use them. */
#define MBEDTLS_DEPRECATED_REMOVED
/*
 * Deliberately off: MBEDTLS_HAVE_TIME(_DATE) (the engine has its own clock), MBEDTLS_FS_IO,
 * MBEDTLS_NET_C, MBEDTLS_TIMING_C, MBEDTLS_THREADING_C (the engine serialises its commands),
 * MBEDTLS_AESNI_C and MBEDTLS_PADLOCK_C (SIMD state is not saved in the kernel),
 * MBEDTLS_CHECK_PARAMS (would need mbedtls_param_failed()), MBEDTLS_SELF_TEST, MBEDTLS_ERROR_C,
 * MBEDTLS_VERSION_C and MBEDTLS_DEBUG_C (code size; unit tests cover known answers).
 */

/* --- Platform layer --------------------------------------------------------------------------- */

/*
 * All allocation goes through mbedtls_calloc/mbedtls_free, set at run time with
 * mbedtls_platform_set_calloc_free(): the engine passes its platform allocator. Until then the
 * freestanding build's calloc returns NULL (the hosted one defaults to libc's calloc/free).
 */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
/*
 * Entropy is not collected by mbedTLS (MBEDTLS_ENTROPY_C is off): the engine seeds the DRBG
 * itself from its platform's entropy callback. Set anyway so that enabling ENTROPY_C by mistake
 * cannot pull in /dev/urandom or getrandom().
 */
#define MBEDTLS_NO_PLATFORM_ENTROPY

#if defined(COPRA_MBEDTLS_FREESTANDING)
/* No libc: platform.h must not include <stdio.h>/<stdlib.h> or name printf, exit, time, ... */
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
/*
 * oid.c's mbedtls_oid_get_numeric_string() (only used to print X.509 names) calls
 * mbedtls_snprintf. As a run-time settable pointer it defaults to a stub returning 0, so the
 * function fails cleanly (MBEDTLS_ERR_OID_BUF_TOO_SMALL) instead of needing snprintf.
 */
#define MBEDTLS_PLATFORM_SNPRINTF_ALT
#endif

/* --- Hashes, HMAC, HKDF ----------------------------------------------------------------------- */

/*
 * The TPM's hash algorithms: TPM_ALG_SHA1, TPM_ALG_SHA256, TPM_ALG_SHA384 and TPM_ALG_SHA512
 * (SHA512_C provides SHA-384 too). The generic md layer gives HMAC (TPM2_HMAC, KDFa, session
 * HMACs) and is what RSA-OAEP/PSS, HKDF and the PKCS#1 v1.5 DigestInfo use.
 */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
/* RFC 5869 HKDF (on the md layer): key derivation for the engine's own keys. */
#define MBEDTLS_HKDF_C

/* --- Symmetric ciphers ------------------------------------------------------------------------ */

/*
 * AES for TPM_ALG_AES with the TPM's modes: ECB (always present), CBC, CFB (the mode of TPM
 * parameter encryption and of the TPM2B_PRIVATE sensitive area), CTR and OFB (EncryptDecrypt).
 * AES_ROM_TABLES keeps the tables const in .rodata: no lazily generated, writable,
 * unsynchronised tables in .bss.
 */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_CIPHER_MODE_CFB
#define MBEDTLS_CIPHER_MODE_CTR
#define MBEDTLS_CIPHER_MODE_OFB
/* AES-GCM: SNP guest messages to the PSP are AES-256-GCM (SEV-SNP firmware ABI). */
#define MBEDTLS_GCM_C
/*
 * The generic cipher layer, required by GCM and used by the engine to pick a mode at run time.
 * No CBC padding scheme is enabled: TPM CBC data is block-aligned (MBEDTLS_PADDING_NONE, the
 * default without MBEDTLS_CIPHER_PADDING_*).
 */
#define MBEDTLS_CIPHER_C

/* --- Big numbers and RSA ---------------------------------------------------------------------- */

/* Multi-precision integers for RSA and ECC; GENPRIME for TPM2_Create/CreatePrimary of RSA keys. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_GENPRIME
/*
 * Largest usable number: 512 bytes, RSA up to 4096 bits (the TPM needs 2048, 3072 at most)
 * instead of the default 8192. rsa.c keeps buffers of this size on the stack: with the default,
 * OAEP/PKCS#1 v1.5 decryption and PSS verification need over 1 KiB of frame, more than the
 * kernel's stack budget (STACK_LIMIT in mk/targets.mk).
 */
#define MBEDTLS_MPI_MAX_SIZE 512
/*
 * TPM_ALG_RSA with TPM_ALG_RSASSA and TPM_ALG_RSAES (PKCS#1 v1.5), TPM_ALG_RSAPSS and
 * TPM_ALG_OAEP (PKCS#1 v2.1).
 */
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
/*
 * PKCS#1 v1.5 signatures encode the hash in a DER DigestInfo: oid.c maps the md to its OID and
 * rsa.c writes the ASN.1 (RSA_C requires OID_C). ECDSA needs ASN.1 parse/write for its DER
 * signature helpers.
 */
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

/* --- Elliptic curves -------------------------------------------------------------------------- */

/*
 * TPM_ECC_NIST_P256 and TPM_ECC_NIST_P384 (the PC Client profile's curves), with the fast NIST
 * reductions. ECP_MAX_BITS sized to the largest enabled curve keeps the on-stack buffers small.
 */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_MAX_BITS 384
/*
 * Point multiplication is blinded with the caller's RNG (the engine's DRBG) instead of an
 * internal DRBG seeded from the secret: every ecp/ecdsa/ecdh call must pass f_rng.
 */
#define MBEDTLS_ECP_NO_INTERNAL_RNG
/* TPM_ALG_ECDSA signatures and TPM_ALG_ECDH (TPM2_ECDH_KeyGen/ZGen, salted sessions). */
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDH_C

/* --- Random bit generator --------------------------------------------------------------------- */

/*
 * NIST SP 800-90A CTR_DRBG with AES-256, the DRBG of the TPM 2.0 reference implementation. The
 * engine seeds and reseeds it through its own entropy callback (mbedtls_ctr_drbg_seed()).
 */
#define MBEDTLS_CTR_DRBG_C

#include "mbedtls/check_config.h"

#endif
