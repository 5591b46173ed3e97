/* SPDX-License-Identifier: MIT */
#ifndef COPRA_SMP_H
#define COPRA_SMP_H

#include <boot/boot_info.h>
#include <stdint.h>

void smp_boot_aps(const struct boot_info *bi);
uint32_t smp_cpus_online(void);

/* Runs fn(arg) on CPU `index` (an AP or this CPU) and waits until it returns. */
void smp_call(uint32_t index, void (*fn)(void *), void *arg);
/* Runs fn(arg) on every online CPU at once, this one included, and waits for all. */
void smp_call_all(void (*fn)(void *), void *arg);
void smp_call_handle(void);

/* Invalidates [va, va + size) in every online CPU's TLB (this one included) and waits. */
void tlb_shootdown(uint64_t va, uint64_t size);

/* Stops the other CPUs (NMI) for panic; returns how many confirmed. */
uint32_t smp_stop_others(void);
void smp_stopped_here(void);

#endif
