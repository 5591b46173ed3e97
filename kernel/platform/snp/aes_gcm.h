/* SPDX-License-Identifier: MIT */
/*
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit IV and a 128-bit tag, for the VMPCK0 channel.
 *
 * Why not mbedtls_gcm: its key set-up allocates (mbedtls_cipher_setup), and in the kernel the
 * only mbedTLS allocator is the TPM engine's, installed while the engine runs a command and
 * NULL otherwise (tpm/crypto.c). The channel must work at boot, before the engine, and on its
 * own. So the mode is built here on mbedTLS's AES block cipher, which never allocates; the unit
 * tests cross-check it against mbedtls_gcm, and the model PSP uses mbedtls_gcm.
 */
#ifndef SNP_AES_GCM_H
#define SNP_AES_GCM_H

#include <lib/types.h>
#include <mbedtls/aes.h>

struct snp_gcm {
	mbedtls_aes_context aes;
	uint64_t h_hi, h_lo; /* the hash key H = AES_K(0^128) */
};

/* Expands key (32 bytes); false only if mbedTLS refuses the key. */
bool snp_gcm_init(struct snp_gcm *g, const uint8_t key[32]);
/* Zeroises the key schedule and H. */
void snp_gcm_free(struct snp_gcm *g);
/* Encrypts len bytes of in to out (may be the same buffer) and computes the tag. */
void snp_gcm_seal(struct snp_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
		  const uint8_t *in, uint8_t *out, size_t len, uint8_t tag[16]);
/*
 * Checks the tag over aad and in, then decrypts in to out (may be the same buffer). On a bad
 * tag returns false and out is not written.
 */
bool snp_gcm_open(struct snp_gcm *g, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
		  const uint8_t *in, uint8_t *out, size_t len, const uint8_t tag[16]);

#endif
