/* SPDX-License-Identifier: MIT */
/* CPU features found with CPUID and the protections turned on from them. */
#ifndef COPRA_CPU_H
#define COPRA_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
	bool nx, smep, smap, umip, x2apic, rdrand, pge, pdpe1gb, hypervisor, shstk;
	uint32_t max_leaf, max_ext_leaf;
	char vendor[13];
};

extern struct cpu_features cpu_feat;

void cpu_detect(void);
/* Enables WP, NX, SMEP, SMAP, UMIP (those present) on the calling CPU. */
void cpu_enable_protections(void);
void cpu_log_features(void);

uint64_t tsc_khz(void);
void udelay(uint64_t us);

#endif
