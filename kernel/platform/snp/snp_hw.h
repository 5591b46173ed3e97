/* SPDX-License-Identifier: MIT */
/*
 * The SNP instruction seam: the only thing that differs between SEV-SNP hardware and the host
 * machine model (tests/snp/). Everything else in kernel/platform/snp/ is the same code on both.
 *
 * Addresses: the SVSM reaches memory through virtual addresses (vaddr_t); PVALIDATE and
 * RMPADJUST take a VA (facts 5.6); the hypervisor and the RMP speak guest-physical (gpa_t).
 * Only snp_hw_map() turns one into the other.
 */
#ifndef SNP_HW_H
#define SNP_HW_H

#include <copra/snp.h>
#include <lib/types.h>

/* The GHCB MSR (facts 5.1). */
#define SNP_MSR_GHCB 0xC0010130u

/*
 * Maps the page (4 KiB or 2 MiB, naturally aligned) at gpa, encrypted (C-bit set), for one
 * operation on this CPU. Returns false when gpa is misaligned or not memory the SVSM can map;
 * *va is then unchanged. Every successful map is followed by snp_hw_unmap() on the same CPU.
 */
bool snp_hw_map(gpa_t gpa, enum snp_pgsize sz, vaddr_t *va);
void snp_hw_unmap(vaddr_t va, enum snp_pgsize sz);

/* PVALIDATE (F2 0F 01 FF): returns EAX, *cf = EFLAGS.CF (facts 5.6). */
uint32_t snp_hw_pvalidate(vaddr_t va, enum snp_pgsize sz, bool validate, bool *cf);
/* RMPADJUST (F3 0F 01 FE): returns EAX (facts 5.6). */
uint32_t snp_hw_rmpadjust(vaddr_t va, enum snp_pgsize sz, uint64_t attrs);

/* RDMSR / WRMSR of SNP_MSR_GHCB on this CPU. */
uint64_t snp_hw_ghcb_msr_read(void);
void snp_hw_ghcb_msr_write(uint64_t val);
/* VMGEXIT (rep; vmmcall): hand the GHCB MSR / GHCB page of this CPU to the hypervisor. */
void snp_hw_vmgexit(void);

/*
 * Kernel only (the model has no CPUID): whether this CPU runs under SEV-SNP. SEV_STATUS is read
 * only when CPUID 0x8000001F announces SEV, else *sev_status = 0. Returns the C-bit mask
 * (1 << CPUID 0x8000001F EBX[5:0]) when SEV_STATUS says SNP is active, else 0; from then on
 * every mapping snp_hw_* makes carries it.
 */
uint64_t snp_hw_probe(uint64_t *sev_status);

/* RDMSR SEV_STATUS (0xC0010131, facts 5.1): not intercepted, the hardware answers. */
uint64_t snp_hw_sev_status(void);

/* This CPU's index, 0 .. SNP_MAX_CPUS - 1. */
#define SNP_MAX_CPUS 64
unsigned int snp_hw_cpu_index(void);

/*
 * npages physically contiguous, page-aligned pages of SVSM memory, validated and private,
 * mapped (encrypted) for the SVSM's lifetime at *va. Boot-time only; false when none is left.
 */
bool snp_hw_alloc_pages(size_t npages, vaddr_t *va, gpa_t *gpa);
/*
 * Sets the C-bit of the SVSM's long-lived mapping of [va, va + npages * 4 KiB): a page made
 * shared with the hypervisor must be reached unencrypted, and encrypted again once private.
 */
void snp_hw_set_encrypted(vaddr_t va, size_t npages, bool encrypted);

#endif
