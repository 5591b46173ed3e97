/* SPDX-License-Identifier: MIT */
/*
 * The kernel's platform for the vTPM service (struct tpm_platform, tpm/include/tpm/tpm.h):
 *   entropy   RDSEED, else RDRAND, each with bounded retries; an error when neither exists or
 *             both keep failing (the engine then refuses to start or answers TPM_RC_FAILURE)
 *   clock     milliseconds from the TSC (kernel/arch/x86/tsc.c)
 *   memory    the kernel heap, fallible (the engine's sizes follow the guest's commands)
 *   NV        one blob in RAM: lost at every reset. Persistence on virtio-blk comes later.
 */
#ifndef SERVICES_VTPM_PLATFORM_H
#define SERVICES_VTPM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tpm/tpm.h>

#include "vtpm.h"

/* Fills *p with the kernel platform (its NV blob is a single kernel-wide one). */
void vtpm_platform_kernel(struct tpm_platform *p);
/* This CPU has RDSEED or RDRAND (without either the vTPM cannot start). */
bool vtpm_hw_entropy_present(void);
/* len bytes of hardware entropy (the platform's entropy callback); 0 or -1. */
int vtpm_hw_entropy(void *buf, size_t len);
/*
 * Starts the vTPM service v on the kernel platform (vtpm_init) and logs the outcome, saying
 * that NV lives in RAM. 0 or a negative enum tpm_err.
 */
int vtpm_kernel_start(struct vtpm *v);

#endif
