/* SPDX-License-Identifier: MIT */
/*
 * The platform interface: the only place that knows whether Copra runs on a plain VM
 * ("native") or under SEV-SNP. Everything above calls these.
 */
#ifndef COPRA_PLATFORM_H
#define COPRA_PLATFORM_H

#include <boot/boot_info.h>
#include <lib/compiler.h>
#include <stdint.h>

void platform_init(const struct boot_info *bi);
const char *platform_name(void);
/* Ends the VM with a COPRA_EXIT_* code where the platform can; halts this CPU otherwise. */
__noreturn void platform_exit(uint32_t code);
/*
 * Wipes the secrets the platform holds (SNP: the VMPCKs of the secrets page) so that nothing
 * after a panic can use them; safe from any CPU at any time, idempotent.
 */
void platform_wipe_secrets(void);
/* Starts the application processors (native: INIT-SIPI-SIPI). */
void platform_start_aps(uint32_t trampoline_phys);

#endif
