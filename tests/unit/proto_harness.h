/* SPDX-License-Identifier: MIT */
/*
 * Host-test harness for the SVSM protocol layer (kernel/protocols/) on the SNP machine model
 * (tests/snp/model.h): boots the model, sets up the startup vCPU the way the SVSM's boot would
 * (a guest BSP VMSA made an RMP VMSA page, a validated calling area), a vTPM with in-memory NV,
 * and the protocol state; then plays the guest: writes lists and buffers into model RAM, sets
 * call_pending and enters the SVSM on a vCPU.
 *
 * Guest memory layout used by the tests (16 MiB of RAM, the SVSM region at 12..16 MiB):
 *   PENV_BOOT_VMSA / PENV_BOOT_CAA   the startup vCPU's VMSA and calling area
 *   penv_ap_vmsa(cpu) / penv_ap_caa   pages for CREATE_VCPU of vCPU cpu (not 2 MiB aligned)
 *   PENV_2M_A, PENV_2M_B              2 MiB ranges for 2 MiB PVALIDATE entries
 *   PENV_PAGES                        4 KiB pages the tests validate and invalidate
 *   PENV_BUF .. + PENV_BUF_SIZE       pre-validated buffers (lists, vTPM, attestation)
 */
#ifndef UNIT_PROTO_HARNESS_H
#define UNIT_PROTO_HARNESS_H

#include <copra/guest.h>
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <copra/svsm.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../kernel/services/vtpm.h"
#include "../snp/model.h"

#define PENV_RAM_SIZE  (16ull << 20)
#define PENV_SVSM_BASE (12ull << 20)
#define PENV_SVSM_SIZE (4ull << 20)
#define PENV_NCPUS     6u

#define PENV_BOOT_VMSA 0x101000ull
#define PENV_BOOT_CAA  0x102000ull
#define PENV_2M_A      0x200000ull
#define PENV_2M_B      0x400000ull
#define PENV_PAGES     0x600000ull /* 256 pages */
#define PENV_BUF       0x800000ull
#define PENV_BUF_SIZE  0x100000ull /* 1 MiB, validated at set-up */
#define PENV_VMSA_AREA 0x110000ull /* 0x110000..0x140000, validated at set-up */

/* Per-vCPU pages for CREATE_VCPU: VMSA at an odd page, its CA right after. */
static inline uint64_t penv_ap_vmsa(unsigned int cpu, unsigned int gen)
{
	return PENV_VMSA_AREA + (uint64_t)(cpu * 4 + gen * 2) * 0x1000;
}
static inline uint64_t penv_ap_caa(unsigned int cpu)
{
	return PENV_VMSA_AREA + 0x20000 + (uint64_t)cpu * 0x1000;
}

struct penv_opts {
	bool no_vtpm;
	bool no_attest;
};

struct proto_env {
	struct svsm_state s;
	struct vtpm vtpm;
	struct guest_ram ram;
	uint32_t apic_ids[PENV_NCPUS];
	uint64_t features; /* the startup vCPU's SEV_FEATURES */
	/* In-memory NV for the vTPM. */
	uint8_t *nv;
	size_t nv_len;
	bool nv_has;
	/* svsm allocator: fail every allocation after this many more (UINT64_MAX: never). */
	uint64_t alloc_budget;
};

/* Boots the model and sets up everything above; ASSERTs on failure. */
void penv_init(struct proto_env *e, const struct penv_opts *opts);
void penv_fini(struct proto_env *e);

/* Host pointer into model RAM (ASSERTs the range is RAM). */
void *penv_ram(uint64_t gpa, size_t len);
void penv_wr(uint64_t gpa, const void *p, size_t len);
void penv_rd(uint64_t gpa, void *p, size_t len);
uint64_t penv_rd64(uint64_t gpa);
uint16_t penv_rd16(uint64_t gpa);

/* The boot-time validation the SVSM does for firmware memory: validate, grant, note. */
void penv_prevalidate(struct proto_env *e, uint64_t gpa, uint64_t npages);

/*
 * One call from vCPU cpu as the guest makes it: call_pending = 1 in the vCPU's calling area,
 * enter the SVSM, check the entry was handled, call_pending cleared and RAX zero-extended.
 * Returns RAX; *r holds every register afterwards. Binds the calling thread to cpu.
 */
uint32_t penv_call(struct proto_env *e, unsigned int cpu, struct svsm_regs *r);
/* The same without EXPECTs (for worker threads); *entry receives the entry result. */
uint32_t penv_call_quiet(struct proto_env *e, unsigned int cpu, struct svsm_regs *r,
			 enum svsm_entry *entry);
/* Shorthand: RAX = SVSM_CALL(proto, call), RCX..R9 as given. */
uint32_t penv_call5(struct proto_env *e, unsigned int cpu, uint32_t proto, uint32_t call,
		    uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9, struct svsm_regs *out);

/* PVALIDATE entry encoding (SPEC Table 6). */
static inline uint64_t pval_entry(uint64_t gpa, bool two_m, bool validate, bool ignore_cf)
{
	return gpa | (two_m ? 1u : 0u) | (validate ? 4u : 0u) | (ignore_cf ? 8u : 0u);
}
/* Writes a list {n, next, rsvd 0, entries} at gpa (only the header when entries is NULL). */
void penv_list(uint64_t gpa, uint16_t n, uint16_t next, const uint64_t *entries);
/* One-entry PVALIDATE through the calling area of cpu; returns RAX. */
uint32_t penv_pval1(struct proto_env *e, unsigned int cpu, uint64_t gpa, bool two_m, bool validate,
		    bool ignore_cf);

/* The model's view of a page, and the bitmap's. */
bool penv_rmp_validated(uint64_t gpa);
bool penv_bm_validated(struct proto_env *e, uint64_t gpa);
/* Every guest page's bitmap bit equals its RMP validated bit (the SVSM region excluded). */
bool penv_bitmap_matches_rmp(struct proto_env *e);

/* A guest VMSA for CREATE_VCPU at gpa (written to RAM): VMPL, EFER.SVME and features. */
void penv_make_vmsa(struct proto_env *e, uint64_t gpa, unsigned int vmpl, uint64_t features);

/* ---- "nothing changed" checks ---- */
/* Snapshots share one static copy of RAM and the RMP: one may be live at a time. */
struct penv_snap {
	struct model_rmp *rmp;
	uint8_t *ram;
	struct rle_run *val, *dep;
	size_t nval, ndep;
	struct svsm_vcpu vcpus[SVSM_MAX_VCPUS];
};
void penv_snap(struct proto_env *e, struct penv_snap *sn);
/* True when the RMP, guest RAM, the bitmaps and the vCPU table equal the snapshot. */
bool penv_same(struct proto_env *e, const struct penv_snap *sn);
void penv_snap_free(struct penv_snap *sn);
/*
 * penv_call with the snapshot taken after call_pending was set, so the only change allowed is
 * call_pending going back to 0. Returns RAX; *same says whether nothing else changed.
 */
uint32_t penv_call_unchanged(struct proto_env *e, unsigned int cpu, struct svsm_regs *r,
			     bool *same);

#endif
