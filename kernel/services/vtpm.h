/* SPDX-License-Identifier: MIT */
/*
 * The vTPM service: Copra's TPM 2.0 engine (tpm/) behind one lock, for the SVSM vTPM protocol
 * (kernel/protocols/vtpm.c). The platform (entropy, NV storage, clock, memory) is the caller's:
 * the kernel passes the persistent store, host tests an in-memory one.
 *
 * Life cycle, as the reference design does it at SVSM start (facts 4.2): power on from the
 * stored NV state; when there is none yet, manufacture (fresh seeds) first. A stored state that
 * fails its checks is an error, never silently replaced. TPM2_Startup is left to the guest
 * (Linux sends it itself: TPM_OPS_AUTO_STARTUP, facts 4.3).
 *
 * Locking: vtpm.lock is a leaf lock; it is held for one command and nothing else is taken
 * under it.
 */
#ifndef SERVICES_VTPM_H
#define SERVICES_VTPM_H

#include <copra/spinlock.h>
#include <stddef.h>
#include <stdint.h>
#include <tpm/tpm.h>

struct vtpm {
	struct spinlock lock;
	struct tpm_platform plat; /* a copy: the engine keeps pointing at it */
	struct tpm *tpm;
	bool manufactured; /* this start created a new TPM (no NV state existed) */
};

/* Creates, manufactures if needed and powers on the engine. 0 or a negative enum tpm_err. */
int vtpm_init(struct vtpm *v, const struct tpm_platform *plat);
/* Powers off and frees the engine. */
void vtpm_fini(struct vtpm *v);

/*
 * Runs one TPM command (untrusted bytes) at locality and writes the response to rsp, whose
 * capacity must be at least TPM_MAX_RESPONSE_SIZE; returns the response length. Serialised by
 * v->lock.
 */
size_t vtpm_execute(struct vtpm *v, uint8_t locality, const uint8_t *cmd, size_t len, uint8_t *rsp,
		    size_t cap);

#endif
