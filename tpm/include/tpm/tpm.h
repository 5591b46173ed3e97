/* SPDX-License-Identifier: MIT */
/*
 * Copra's TPM 2.0 engine: the public interface.
 *
 * The engine is a library with no kernel or libc dependency beyond memcpy/memmove/memset/memcmp/
 * strlen/strcmp (and mbedTLS, built with Copra's own config). It reaches the outside only through
 * struct tpm_platform: entropy, one atomically replaced NV blob, a millisecond clock and an
 * allocator. The same code runs hosted (copra-tpmd, tests, fuzzers) and inside the kernel.
 *
 * Life cycle:
 *   tpm_create()        allocate an engine bound to a platform
 *   tpm_manufacture()   first start: fresh seeds and default NV state, committed; refuses when
 *                       the platform already holds a state (TPM_ERR_EXISTS)
 *   tpm_power_on()      restore NV state from the platform (TPM_ERR_NO_STATE when there is none,
 *                       TPM_ERR_CORRUPT when it fails its checks: never silently re-manufactured)
 *   tpm_execute()       one command in, one response out (after power-on; Startup first)
 *   tpm_power_off()     drop volatile state (what was not saved by Shutdown(STATE) is lost)
 *   tpm_destroy()
 */
#ifndef TPM_TPM_H
#define TPM_TPM_H

#include <stddef.h>
#include <stdint.h>

/* Errors of the library interface (not TPM response codes, which travel in responses). */
enum tpm_err {
	TPM_OK = 0,
	TPM_ERR_NOMEM = -1,    /* the allocator callback returned NULL */
	TPM_ERR_PLATFORM = -2, /* a platform callback failed (entropy, NV I/O) */
	TPM_ERR_NO_STATE = -3, /* tpm_power_on: the platform holds no NV state */
	TPM_ERR_CORRUPT = -4,  /* tpm_power_on: the NV state fails its checks */
	TPM_ERR_EXISTS = -5,   /* tpm_manufacture: a state already exists */
	TPM_ERR_STATE = -6,    /* call out of order (e.g. execute before power-on) */
	TPM_ERR_VERSION = -7,  /* the NV state was written by a newer format */
};

/* The largest command and response the engine accepts / produces (TPM_PT_MAX_COMMAND_SIZE). */
#define TPM_MAX_COMMAND_SIZE  4096u
#define TPM_MAX_RESPONSE_SIZE 4096u
/* The largest NV blob the engine commits (all NV indices, persistent state, counters). */
#define TPM_NV_BLOB_MAX (128u * 1024u)

struct tpm_platform {
	void *ctx; /* passed back to every callback */
	/* Fill buf with len bytes from a good entropy source. 0 on success. */
	int (*entropy)(void *ctx, void *buf, size_t len);
	/*
	 * Read the NV blob last committed. 0 and *len on success, TPM_ERR_NO_STATE when nothing was
	 * ever committed, another negative value on I/O failure. cap is TPM_NV_BLOB_MAX.
	 */
	int (*nv_load)(void *ctx, void *buf, size_t cap, size_t *len);
	/*
	 * Replace the NV blob atomically: after a crash or power cut the platform holds either the
	 * old or the new blob, never a mix. 0 on success; on failure the old blob must remain.
	 */
	int (*nv_commit)(void *ctx, const void *buf, size_t len);
	/* Milliseconds since an arbitrary origin; never goes backwards while powered. */
	uint64_t (*clock_ms)(void *ctx);
	/* Zeroed memory or NULL; free(NULL) is allowed. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p);
};

struct tpm;

int tpm_create(const struct tpm_platform *plat, struct tpm **out);
void tpm_destroy(struct tpm *tpm);
int tpm_manufacture(struct tpm *tpm);
int tpm_power_on(struct tpm *tpm);
void tpm_power_off(struct tpm *tpm);

/*
 * Execute one command. cmd/cmd_len are untrusted; the response (always a well-formed TPM
 * response, an error response when the command is malformed) is written to rsp, whose capacity
 * must be at least TPM_MAX_RESPONSE_SIZE; returns its length. locality is 0..4.
 */
size_t tpm_execute(struct tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
		   uint8_t *rsp, size_t rsp_cap);

/* Cancel flag (platform "cancel on/off"): long commands may answer TPM_RC_CANCELED. */
void tpm_set_cancel(struct tpm *tpm, int on);

/* True when the TPM has received a successful Startup since power-on. */
int tpm_is_started(const struct tpm *tpm);

#endif
