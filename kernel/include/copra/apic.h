/* SPDX-License-Identifier: MIT */
/* Local APIC, x2APIC (MSRs) when the CPU has it, xAPIC (MMIO) otherwise. */
#ifndef COPRA_APIC_H
#define COPRA_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define ICR_FIXED	 (0u << 8)
#define ICR_NMI		 (4u << 8)
#define ICR_INIT	 (5u << 8)
#define ICR_STARTUP	 (6u << 8)
#define ICR_ASSERT	 (1u << 14)
#define ICR_LEVEL	 (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)

void apic_init(void);
bool apic_is_x2(void);
uint32_t apic_id(void);
void apic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);
void apic_eoi(void);

#endif
