/* SPDX-License-Identifier: MIT */
/*
 * The SVSM protocols (AMD 58019) as the rest of Copra sees them: result codes, protocol and
 * call numbers, the register file of a call, the vCPU records and the state the protocol layer
 * keeps, and the two entry points, svsm_vcpu_entry() (one guest entry on one vCPU) and
 * svsm_dispatch() (one decoded call). The handlers live in kernel/protocols/ (docs/protocols.md).
 *
 * Facts: ../shared/spec/svsm-snp-igvm-facts.md sections 1 to 4.
 *
 * Locks (owned by kernel/protocols/dispatch.c, order outer to inner; never taken the other way):
 *   1. svsm_state.lock (rwlock)      the vCPU table, the deposited set, and the ownership of
 *                                    every guest page (VMSA, calling area, deposited, guest).
 *                                    Write: REMAP_CA, CREATE_VCPU, DELETE_VCPU, DEPOSIT_MEM,
 *                                    WITHDRAW_MEM. Read: a whole PVALIDATE list, and every copy
 *                                    to or from guest memory made for a request (the check that
 *                                    a GPA is not SVSM-private and the copy happen under it).
 *   2. svsm_state.pages_lock         the validated-page bitmap together with the RMP state of
 *                                    the pages it describes (one PVALIDATE entry at a time).
 * Leaf locks of other layers, never taken with 1 or 2 held:
 *      vtpm.lock (services/vtpm.c)   the TPM engine, one command at a time.
 *      msg.lock (platform/snp)       the VMPCK0 guest-message channel (attestation reports).
 */
#ifndef COPRA_SVSM_H
#define COPRA_SVSM_H

#include <copra/guest.h>
#include <copra/rwlock.h>
#include <copra/spinlock.h>
#include <lib/rle_bitmap.h>
#include <lib/types.h>

/* ---- Result codes (facts 1.5, SPEC §5 Table 4). RAX carries them zero-extended. ---- */
#define SVSM_SUCCESS		      0x00000000u
#define SVSM_ERR_INCOMPLETE	      0x80000000u
#define SVSM_ERR_UNSUPPORTED_PROTOCOL 0x80000001u
#define SVSM_ERR_UNSUPPORTED_CALL     0x80000002u
#define SVSM_ERR_INVALID_ADDRESS      0x80000003u
#define SVSM_ERR_INVALID_FORMAT	      0x80000004u
#define SVSM_ERR_INVALID_PARAMETER    0x80000005u
#define SVSM_ERR_INVALID_REQUEST      0x80000006u
#define SVSM_ERR_BUSY		      0x80000007u
/* Protocol-defined (SPEC §6.2 / §6.4): PVALIDATE or RMPADJUST returned EAX = 1..0xF. */
#define SVSM_ERR_PVALIDATE_BASE		     0x80001000u
#define SVSM_ERR_PVALIDATE_FAIL_INPUT	     0x80001001u
#define SVSM_ERR_FAIL_INUSE		     0x80001003u /* DELETE_VCPU: the VMSA is running */
#define SVSM_ERR_PVALIDATE_FAIL_SIZEMISMATCH 0x80001006u
#define SVSM_ERR_PVALIDATE_FAIL_NOCHANGE     0x80001010u /* CF = 1 and ignore_cf clear */
#define SVSM_ERR_PVALIDATE_FAIL_BADEAX	     0x80001011u /* EAX outside 0..0xF */

/* ---- Protocols (facts 1.6) and calls (facts 2, 3, 4). ---- */
#define SVSM_CORE_PROTOCOL	   0u
#define SVSM_ATTEST_PROTOCOL	   1u
#define SVSM_VTPM_PROTOCOL	   2u

#define SVSM_CORE_REMAP_CA	   0u
#define SVSM_CORE_PVALIDATE	   1u
#define SVSM_CORE_CREATE_VCPU	   2u
#define SVSM_CORE_DELETE_VCPU	   3u
#define SVSM_CORE_DEPOSIT_MEM	   4u
#define SVSM_CORE_WITHDRAW_MEM	   5u
#define SVSM_CORE_QUERY_PROTOCOL   6u
#define SVSM_CORE_CONFIGURE_VTOM   7u

#define SVSM_ATTEST_SERVICES	   0u
#define SVSM_ATTEST_SINGLE_SERVICE 1u

#define SVSM_VTPM_QUERY		   0u
#define SVSM_VTPM_CMD		   1u

/* RAX of a call: protocol in [63:32], call in [31:0] (facts 1.3). */
#define SVSM_CALL(proto, call) (((uint64_t)(proto) << 32) | (uint32_t)(call))

/* Every protocol Copra implements is at version 1 only (facts 2, 3, 4: versions 1..1). */
#define SVSM_PROTOCOL_VERSION 1u

/* The registers of a call (facts 1.3): inputs on entry, outputs where the call defines them. */
struct svsm_regs {
	uint64_t rax, rcx, rdx, r8, r9;
};

/* Sizes of the tables below. */
#define SVSM_MAX_CPUS 64u
/* Linux creates an AP's new VMSA before it deletes the old one (facts 2.3): two per CPU. */
#define SVSM_MAX_VCPUS (2u * SVSM_MAX_CPUS)
/* The largest certificate table an attestation request can carry (facts 3.4). */
#define SVSM_CERTS_MAX 0x4000u

/*
 * One guest VMSA the SVSM knows: the startup vCPU's (from the launch) or one CREATE_VCPU
 * registered. Its VMSA page is SVSM-private until DELETE_VCPU.
 */
struct svsm_vcpu {
	bool used;
	bool startup; /* the launch vCPU: never deleted (facts 2.4) */
	uint32_t apic_id;
	gpa_t vmsa;   /* 4 KiB, an RMP VMSA page */
	gpa_t caa;    /* its calling area, 4 KiB */
	uint8_t vmpl; /* the VMPL the VMSA runs at */
	uint64_t sev_features;
};

/* Per-request buffers of one CPU, so no handler needs more than a small stack frame. */
struct svsm_scratch {
	uint8_t a[4096]; /* PVALIDATE / DEPOSIT / WITHDRAW lists, the vTPM command, manifests */
	uint8_t b[4096]; /* the vTPM response, the attestation report */
	uint8_t certs[SVSM_CERTS_MAX];
};

/* One CPU (APIC ID) of the platform. */
struct svsm_cpu {
	uint32_t apic_id;
	int cur; /* vcpus[] index of the VMSA the host runs for this APIC ID, -1 when none */
	struct svsm_scratch *scratch;
};

struct vtpm;

struct svsm_state {
	struct rwlock lock; /* lock order: see the top of this file */
	struct spinlock pages_lock;
	unsigned int guest_vmpl;
	struct guest_ram ram; /* guest RAM and the SVSM region */
	unsigned int ncpus;
	struct svsm_cpu cpus[SVSM_MAX_CPUS];
	struct svsm_vcpu vcpus[SVSM_MAX_VCPUS];
	/*
	 * Page frame numbers whose RMP entry is validated on the guest's behalf (PVALIDATE, or the
	 * SVSM's own boot-time validation noted with svsm_note_validated). Equal to the RMP's
	 * validated bit for every guest page outside the SVSM region. Under pages_lock.
	 */
	struct rle_bitmap validated;
	/* Frames the guest gave with DEPOSIT_MEM: validated, SVSM-only. Under lock. */
	struct rle_bitmap deposited;
	bool attest;	   /* the attestation protocol is offered */
	struct vtpm *vtpm; /* the vTPM protocol is offered when not NULL */
	struct rle_alloc alloc;
};

/* What svsm_init needs from the platform. */
struct svsm_config {
	unsigned int guest_vmpl;     /* 1..3 */
	const struct guest_ram *ram; /* guest RAM and the SVSM region (copied) */
	const uint32_t *apic_ids;    /* the platform's CPUs */
	unsigned int ncpus;	     /* 1..SVSM_MAX_CPUS */
	/* The startup vCPU (the guest firmware's BSP) as the launch created it. */
	uint32_t boot_apic_id;
	gpa_t boot_vmsa;
	gpa_t boot_caa;
	uint64_t boot_sev_features;
	bool attest;
	struct vtpm *vtpm;
	/* Storage for the bitmaps and the per-CPU scratch buffers (fallible). */
	struct rle_alloc alloc;
};

enum svsm_init_err {
	SVSM_INIT_OK = 0,
	SVSM_INIT_EINVAL = -1, /* a bad configuration */
	SVSM_INIT_ENOMEM = -2,
};

/*
 * Sets s up from cfg; the startup vCPU becomes the first VMSA record (its VMSA SVSM-private).
 * The boot VMSA and calling-area pages are noted as validated. Returns enum svsm_init_err.
 */
int svsm_init(struct svsm_state *s, const struct svsm_config *cfg);
void svsm_fini(struct svsm_state *s);

/*
 * Records npages frames from gpa as validated for the guest by the SVSM itself (boot-time
 * validation of firmware memory, the calling area, the secrets and CPUID copies). 0 or
 * RLE_ENOMEM / RLE_EINVAL.
 */
int svsm_note_validated(struct svsm_state *s, gpa_t gpa, uint64_t npages);

/* The calling vCPU as the handlers see it: a snapshot of its record taken at entry. */
struct svsm_caller {
	unsigned int cpu; /* index into svsm_state.cpus */
	int vcpu;	  /* index into svsm_state.vcpus */
	struct svsm_vcpu rec;
	bool self_deleted; /* DELETE_VCPU removed the caller's own VMSA: answer nothing */
};

/* The caller record for the vCPU the host runs on apic_id; false when there is none. */
bool svsm_caller_get(struct svsm_state *s, uint32_t apic_id, struct svsm_caller *c);

/*
 * Decodes RAX (protocol << 32 | call), runs the call with RCX/RDX/R8/R9 as inputs and writes
 * the outputs the call defines (and only those) back to regs; RAX itself is left to the caller.
 * Returns the result code. One call at a time per caller CPU (the scratch buffers are its).
 */
uint32_t svsm_dispatch(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *regs);

enum svsm_entry {
	SVSM_ENTRY_SPURIOUS, /* no call pending (or no readable calling area): regs untouched */
	SVSM_ENTRY_DONE,     /* handled: RAX = result (zero-extended), call_pending cleared */
	SVSM_ENTRY_GONE,     /* the caller deleted its own VMSA: no result, never resume it */
};

/*
 * One guest entry into the SVSM on the vCPU with apic_id (facts 1.4). The request loop has
 * already cleared the VMSA's EFER.SVME, checked that it stopped at VMGEXIT and copied RAX, RCX,
 * RDX, R8, R9 into regs; afterwards it copies regs back and sets SVME again. Here: read the
 * calling area's call_pending; 0 is a spurious entry; a value other than 1 answers
 * INVALID_FORMAT; otherwise dispatch. Then RAX = result zero-extended (Linux compares all 64
 * bits, facts 1.3) and call_pending of the calling area read at entry is cleared. The vCPU is
 * stopped meanwhile, so the read and the later clear act as the SPEC's exchange.
 */
enum svsm_entry svsm_vcpu_entry(struct svsm_state *s, uint32_t apic_id, struct svsm_regs *regs);

/* The VMSA the host runs for apic_id (for the request loop); false when none. */
bool svsm_vcpu_vmsa(struct svsm_state *s, uint32_t apic_id, gpa_t *vmsa);
/*
 * svsm_vcpu_entry for a caller record the request loop took with svsm_caller_get (the record
 * whose VMSA it stopped), so the call is served with exactly that VMSA's VMPL and calling area.
 */
enum svsm_entry svsm_caller_entry(struct svsm_state *s, struct svsm_caller *c,
				  struct svsm_regs *regs);

/* ---- The per-vCPU request loop (facts 1.4; kernel/protocols/loop.c) ---- */

/* What one round of the loop did. */
enum svsm_round {
	SVSM_ROUND_CALL,       /* a call was served: results in the VMSA, call_pending cleared */
	SVSM_ROUND_SPURIOUS,   /* VMGEXIT without call_pending (host-initiated): nothing done */
	SVSM_ROUND_OTHER_EXIT, /* the guest stopped for something else than VMGEXIT: ignored */
	SVSM_ROUND_GONE,       /* the caller deleted its own VMSA: not resumed */
	SVSM_ROUND_IDLE,       /* no VMSA is registered for this APIC ID: nothing was run */
	SVSM_ROUND_RUN_FAILED, /* the hypervisor refused or botched Run VMPL */
};

/* Consecutive Run VMPL failures after which the loop gives up (the caller terminates). */
#define SVSM_LOOP_MAX_RUN_FAILURES 16u

struct svsm_loop_stats {
	uint64_t rounds, calls, spurious, other_exits, gone, idle, run_failures;
};

/*
 * One vCPU's loop. svsm_loop_init fills the defaults: run for ever (max_rounds 0), give up after
 * SVSM_LOOP_MAX_RUN_FAILURES consecutive Run VMPL failures, no idle hook. Host tests bound
 * max_rounds; the logic is the same.
 */
struct svsm_loop {
	struct svsm_state *s;
	uint32_t apic_id;	       /* the vCPU this loop runs on (the caller's own) */
	uint64_t max_rounds;	       /* 0: no bound */
	unsigned int max_run_failures; /* >= 1 */
	/* Called after an idle round or a failed Run VMPL (e.g. pause or halt); may be NULL. */
	void (*idle)(void *ctx);
	void *ctx;
	struct svsm_loop_stats stats;
};

enum svsm_loop_end {
	SVSM_LOOP_ROUNDS_DONE, /* max_rounds rounds ran */
	SVSM_LOOP_HOST_FAILED, /* max_run_failures Run VMPL failures in a row */
};

void svsm_loop_init(struct svsm_loop *l, struct svsm_state *s, uint32_t apic_id);
/*
 * One round on this vCPU: Run VMPL for the VMSA registered for l->apic_id, then (facts 1.4)
 * clear its EFER.SVME, ignore an exit other than VMGEXIT, serve the call the calling area
 * announces, write RAX (zero-extended), RCX, RDX, R8, R9 back, clear call_pending and set SVME
 * again. Must run on the vCPU whose APIC ID is l->apic_id.
 */
enum svsm_round svsm_loop_round(struct svsm_loop *l);
/* Rounds until max_rounds (when not 0) or until the host fails Run VMPL too often. */
enum svsm_loop_end svsm_request_loop(struct svsm_loop *l);

#endif
