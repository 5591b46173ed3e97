/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP machine model: a host-side stand-in for SNP hardware, the hypervisor and the PSP,
 * so kernel/platform/snp/ (and everything above it) runs and is tested on the host. It
 * implements the instruction seam kernel/platform/snp/snp_hw.h and guest_read/guest_write of
 * copra/guest.h. One machine exists at a time; tests create it, act, and look inside it.
 *
 * What is modelled (details in tests/snp/README.md):
 *   - guest RAM: a host buffer, 2 MiB aligned; SVSM VAs are host pointers into it
 *   - the RMP, one entry per 4 KiB page: assigned (private), validated, 2 MiB entry, VMSA,
 *     per-VMPL permissions for VMPL1..3 (VMPL0 always has all), PVALIDATE and RMPADJUST rules
 *   - a hypervisor that answers the GHCB MSR protocol and the GHCB events, and that can be
 *     told to lie (model_lie)
 *   - a PSP holding VMPCK0..3 that checks and answers guest messages (reports signed with a
 *     known ECDSA P-384 test key, derived keys by HKDF, see README)
 *   - vCPUs: each test thread binds itself to one (model_bind_cpu); the SVSM runs at VMPL0
 *
 * Thread safety: every function may be called from any bound thread; the model serialises
 * itself with one lock. model_create/model_destroy only while no other thread uses the model.
 *
 * The model also provides, for host tests linking it: panic() and panic_in_progress()
 * (copra/panic.h; panic prints and ends the current unit test as a failure through
 * unit_abort_test), and guest_read()/guest_write() (copra/guest.h) over model RAM with the
 * kernel's own range rules (guest_range_check: RAM is [0, ram_size) minus the SVSM region).
 */
#ifndef SNP_MODEL_H
#define SNP_MODEL_H

#include <copra/snp.h>
#include <lib/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_CPUS 16
#define MODEL_PAGE     4096u
#define MODEL_2M       0x200000u

struct model_config {
	uint64_t ram_size;	 /* bytes of guest RAM at GPA 0, multiple of 2 MiB */
	uint64_t svsm_base;	 /* the SVSM region, 2 MiB aligned, inside RAM */
	uint64_t svsm_size;	 /* multiple of 2 MiB */
	unsigned int ncpus;	 /* 1..MODEL_MAX_CPUS */
	unsigned int guest_vmpl; /* 1..3: the VMPL the guest OS runs at */
	uint64_t sev_status;	 /* the SEV_STATUS MSR the SVSM sees (facts 5.1) */
};

/*
 * Defaults: 64 MiB RAM, SVSM region 48..64 MiB, 4 vCPUs, guest VMPL 2, SEV_STATUS = SEV | ES |
 * SNP | RestrictedInjection (the IGVM VMSA's features, facts 5.7).
 */
void model_default_config(struct model_config *cfg);

/*
 * Creates the machine (destroying any previous one), launched the way an IGVM launch leaves it:
 *   - every page assigned (private), 4 KiB RMP entries; the SVSM region validated, the rest not
 *   - VMPL1..3 have no access to the SVSM region and all access elsewhere
 *   - the SVSM's secrets page at model_secrets_gpa() (VMPCK0..3 from a fixed seed, SVSM area 0)
 *     and a valid CPUID page (3 entries) at model_cpuid_gpa(), both in the SVSM region
 *   - the calling thread bound to vCPU 0, every GHCB MSR 0, the hypervisor honest
 * Returns 0, or -1 for a bad config.
 */
int model_create(const struct model_config *cfg);
void model_destroy(void);
/* model_create (cfg NULL = defaults), then snp_platform_setup() on vCPU 0; 0 on success. */
int model_boot(const struct model_config *cfg);
const struct model_config *model_config(void);

/* Fixed pages in the SVSM region. */
gpa_t model_secrets_gpa(void);
gpa_t model_cpuid_gpa(void);

/* Host pointer to [gpa, gpa + len) of guest RAM (no RMP check), NULL outside RAM. */
void *model_ram(gpa_t gpa, size_t len);

/* ---- RMP ---- */
struct model_rmp {
	bool assigned;	  /* guest-owned (private); false = shared with the hypervisor */
	bool validated;	  /* PVALIDATEd */
	bool page_2m;	  /* covered by a 2 MiB entry (the 512 pages of the 2 MiB range agree) */
	bool vmsa;	  /* a VMSA page */
	uint16_t perm[4]; /* per-VMPL SNP_PERM_* bits (8..11); perm[0] is always SNP_PERM_RWX */
};
/* The RMP entry of the page holding gpa; false outside RAM. */
bool model_rmp_get(gpa_t gpa, struct model_rmp *out);
/*
 * Sets the RMP entry of the 4 KiB page at gpa directly (to arrange a test). page_2m is not
 * honoured here: use model_rmp_set_2m for a 2 MiB entry. false outside RAM or misaligned.
 */
bool model_rmp_set(gpa_t gpa, const struct model_rmp *e);
/* Sets the 512 entries of the 2 MiB range at gpa as one 2 MiB entry (page_2m = true). */
bool model_rmp_set_2m(gpa_t gpa, const struct model_rmp *e);

/* ---- vCPUs ---- */
/* Binds the calling thread to vCPU cpu (< ncpus); snp_hw_cpu_index() then answers cpu. */
void model_bind_cpu(unsigned int cpu);
unsigned int model_current_cpu(void);
/* The GHCB MSR value of vCPU cpu (what the SVSM last wrote, or the hypervisor answered). */
uint64_t model_ghcb_msr(unsigned int cpu);
/* The GHCB GPA the hypervisor registered for cpu (MSR 0x012), or ~0 when none. */
uint64_t model_ghcb_registered(unsigned int cpu);

/*
 * A VMSA page's running flag: while set, RMPADJUST of the page fails with SNP_RMP_FAIL_INUSE
 * and snp_vmsa_disable answers SNP_EBUSY. The model sets it itself while the guest runner
 * (below) runs the VMSA.
 */
void model_vmsa_set_running(gpa_t vmsa, bool running);
bool model_vmsa_running(gpa_t vmsa);

/*
 * Run VMPL (MSR 0x016 or GHCB event 0x8000_0018) calls fn on the vCPU's thread with the VMSA
 * the hypervisor holds for (apic id = cpu index, vmpl) from AP creation; the VMSA is "running"
 * meanwhile. fn plays the guest: it edits the VMSA and the calling area in model RAM, and
 * returns when the guest would VMGEXIT (it should set GUEST_EXIT_CODE 0x403 then). Without a
 * runner, or with no VMSA for that VMPL, the hypervisor answers error 1 (invalid VMPL).
 */
typedef void (*model_guest_fn)(unsigned int cpu, unsigned int vmpl, gpa_t vmsa, void *arg);
void model_set_guest_runner(model_guest_fn fn, void *arg);
/* The VMSA GPA that AP creation registered for (apic_id, vmpl), or false. */
bool model_ap_vmsa(uint32_t apic_id, unsigned int vmpl, gpa_t *vmsa);
/* How many AP creation events the hypervisor accepted. */
unsigned int model_ap_events(void);

/* ---- the hypervisor ---- */
enum model_lie {
	MODEL_LIE_MSR_CODE,	    /* MSR protocol: a wrong response code in [11:0] */
	MODEL_LIE_MSR_ERROR,	    /* MSR protocol: error field [63:32] = arg (PSC, Run VMPL) */
	MODEL_LIE_SEV_INFO,	    /* SEV information: GHCB versions 3..4 only */
	MODEL_LIE_HV_FEATURES,	    /* hypervisor features: bitmap = arg */
	MODEL_LIE_GHCB_GFN,	    /* register GHCB: answers GFN + 1 (and registers nothing) */
	MODEL_LIE_EXITINFO1,	    /* GHCB event: SW_EXITINFO1 = arg, nothing done */
	MODEL_LIE_VALID_BITMAP,	    /* GHCB event: done, but output registers not marked valid */
	MODEL_LIE_PSC_BACKWARDS,    /* PSC: cur_entry moved back by one after the first event */
	MODEL_LIE_PSC_BEYOND_END,   /* PSC: cur_entry = end_entry + 2 */
	MODEL_LIE_PSC_STALL,	    /* PSC: returns success without any progress */
	MODEL_LIE_PSC_ERROR,	    /* PSC: SW_EXITINFO2 = arg, nothing done */
	MODEL_LIE_GREQ_BUSY,	    /* guest request: BUSY (2 << 32), not forwarded to the PSP */
	MODEL_LIE_GREQ_INVALID_LEN, /* guest request: INVALID_LEN (1 << 32), RBX = arg pages */
	MODEL_LIE_GREQ_FW_ERROR,    /* guest request: SW_EXITINFO2 = arg, not forwarded */
	MODEL_LIE_GREQ_CORRUPT,	    /* guest request: forwarded; response byte arg flipped */
	MODEL_LIE_GREQ_DROP,	    /* guest request: success, response page left as it was */
	MODEL_HONEST_PSC_BATCH,	    /* not a lie: PSC handles at most arg entries per event */
	MODEL_LIE_COUNT
};
/* The next `times` events of that kind lie with arg (MODEL_ALWAYS: every one; 0: stop). */
#define MODEL_ALWAYS UINT32_MAX
void model_lie(enum model_lie lie, uint32_t times, uint64_t arg);
/* Back to honest for every kind. */
void model_honest(void);
/* How many lies of that kind were told so far. */
uint32_t model_lies_told(enum model_lie lie);

/* The certificate blob the hypervisor returns for extended guest requests (len 0 = none). */
void model_hv_set_certs(const void *certs, size_t len);
/* The hypervisor's I/O ports: a read answers the port's value, a write stores it. */
void model_hv_io_set(uint16_t port, uint32_t val);
uint32_t model_hv_io_get(uint16_t port);
/* The hypervisor's MSRs for the MSR event (0 unless set or written). */
void model_hv_msr_set(uint32_t msr, uint64_t val);
uint64_t model_hv_msr_get(uint32_t msr);
/* An emulated MMIO window of MODEL_MMIO_SIZE bytes at model_mmio_gpa() (above RAM). */
#define MODEL_MMIO_SIZE 4096u
gpa_t model_mmio_gpa(void);
uint8_t *model_mmio(void);
/* The termination request seen (MSR 0x100): true and set/code once the SVSM asked for it. */
bool model_terminated(unsigned int *set, unsigned int *code);
/*
 * SVSM mistakes the model noticed (0 in a correct run): a GHCB or guest-message page that is
 * not shared, a shared page the SVSM still maps encrypted, an unmap of a VA never mapped, ...
 * model_fault_text() describes the last one.
 */
unsigned int model_faults(void);
const char *model_fault_text(void);

/* ---- the PSP ---- */
/* VMPCKi (i < 4) as the PSP holds it; a test playing the guest at VMPL i uses it. */
void model_psp_vmpck(unsigned int i, uint8_t key[32]);
/* The PSP's expected next request sequence number for VMPCKi (starts at 1). */
uint64_t model_psp_seqno(unsigned int i);
struct model_psp_stats {
	uint64_t requests;   /* messages the PSP received */
	uint64_t reports;    /* reports it signed */
	uint64_t keys;	     /* keys it derived */
	uint64_t rejected;   /* messages it refused (bad tag, seqno, header) */
	uint64_t bad_params; /* well-formed requests answered with a non-zero status */
};
void model_psp_stats(struct model_psp_stats *out);
/* Launch values the PSP reports and mixes into derived keys (defaults: fixed test values). */
struct model_launch {
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint8_t measurement[48];
	uint32_t guest_svn;
	uint64_t tcb_version; /* also the committed TCB and the report's platform_version */
	uint8_t host_data[32];
	uint8_t chip_id[64];
};
void model_psp_get_launch(struct model_launch *out);
void model_psp_set_launch(const struct model_launch *in);
/* The ECDSA P-384 test key's public point: X and Y, 48 bytes each, big-endian. */
void model_psp_pubkey(uint8_t x[48], uint8_t y[48]);
/*
 * Verifies an ATTESTATION_REPORT's signature (r, s little-endian at 0x2A0 / 0x2E8, over bytes
 * 0x0..0x29F with SHA-384) against the test key: true when it holds.
 */
bool model_verify_report(const uint8_t *report, size_t len);
/*
 * The key the PSP derives for a MSG_KEY_REQ from a requester at vmpck (documented in
 * tests/snp/README.md), for tests that compare; false when the PSP would refuse the request.
 */
bool model_psp_derive(unsigned int vmpck, const struct snp_key_request *req, uint8_t key[32]);
/*
 * Points mbedTLS's (global) allocator at libc's calloc/free. The TPM engine moves it to its own
 * platform and back to nothing (tpm/crypto.c); the model calls this before each use of mbedTLS,
 * and host tests that call allocating mbedTLS functions themselves should too.
 */
void model_use_libc_allocator(void);

#endif
