/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP platform as the layers above see it (kernel/platform/snp/). Everything here is
 * expressed in guest-physical addresses and hardware result codes; how a GPA is mapped for an
 * instruction, how the GHCB is reached and how guest messages are sealed stays inside
 * platform/snp. The same code runs on hardware and, in host tests, on the SNP machine model
 * (tests/snp/): only the instruction seam (kernel/platform/snp/snp_hw.h) differs.
 *
 * Facts: ../shared/spec/svsm-snp-igvm-facts.md sections 5.2-5.10 (GHCB MSR protocol, GHCB page,
 * PVALIDATE/RMPADJUST, VMSA, secrets page, guest requests).
 */
#ifndef COPRA_SNP_H
#define COPRA_SNP_H

#include <lib/types.h>

enum snp_pgsize {
	SNP_PAGE_4K = 0,
	SNP_PAGE_2M = 1,
};

/* PVALIDATE / RMPADJUST results in EAX (facts 5.6). */
#define SNP_RMP_OK		  0u
#define SNP_RMP_FAIL_INPUT	  1u
#define SNP_RMP_FAIL_PERMISSION	  2u
#define SNP_RMP_FAIL_SIZEMISMATCH 6u

/* RMPADJUST attributes (RDX): [7:0] target VMPL, then permission bits and the VMSA bit. */
#define SNP_PERM_READ	(1u << 8)
#define SNP_PERM_WRITE	(1u << 9)
#define SNP_PERM_XUSER	(1u << 10)
#define SNP_PERM_XSUPER (1u << 11)
#define SNP_PERM_RWX	(SNP_PERM_READ | SNP_PERM_WRITE | SNP_PERM_XUSER | SNP_PERM_XSUPER)
#define SNP_RMPADJ_VMSA (1u << 16)
#define SNP_VMPL_MAX	3u

/*
 * PVALIDATE the page at gpa (2 MiB pages must be 2 MiB aligned). Returns EAX; *no_change is
 * EFLAGS.CF (the validated bit already had the requested value).
 */
uint32_t snp_pvalidate(gpa_t gpa, enum snp_pgsize sz, bool validate, bool *no_change);
/* RMPADJUST the page at gpa with attrs (target VMPL | permissions | VMSA bit); returns EAX. */
uint32_t snp_rmpadjust(gpa_t gpa, enum snp_pgsize sz, uint64_t attrs);

/* Recipes (facts 5.6). Each returns 0 or the first failing RMPADJUST code. */
/* Every VMPL 1..3 loses all access to the page. */
uint32_t snp_revoke_guest_access(gpa_t gpa, enum snp_pgsize sz);
/* VMPLs 1..vmpl get read/write/execute (VMPL0 always has it). */
uint32_t snp_grant_guest_access(gpa_t gpa, enum snp_pgsize sz, unsigned int vmpl);
/* Turn a guest page into a VMSA page for a vCPU running at vmpl, and back. */
uint32_t snp_make_guest_vmsa(gpa_t gpa, unsigned int vmpl);
uint32_t snp_clear_guest_vmsa(gpa_t gpa, unsigned int vmpl);

/* Errors of the calls below (not hardware codes). */
enum snp_err {
	SNP_OK = 0,
	SNP_EIO = -1,	    /* the hypervisor or the PSP failed or answered nonsense */
	SNP_ENOSPC = -2,    /* the caller's buffer is too small; *len says how much is needed */
	SNP_EDISABLED = -3, /* VMPCK0 was wiped after an earlier failure: no more guest messages */
	SNP_EINVAL = -4,    /* a bad argument from the caller of this API */
	SNP_EBUSY = -5,	    /* the VMSA is running (DELETE_VCPU answers FAIL_INUSE) */
};

/* The size of an SNP ATTESTATION_REPORT (facts 5.10). */
#define SNP_REPORT_SIZE 0x4A0u

/*
 * An attestation report at VMPL0 with REPORT_DATA = report_data, through a VMPCK0-sealed
 * MSG_REPORT_REQ. The raw report (without the MSG_REPORT_RSP header) goes to report.
 */
int snp_get_report(const uint8_t report_data[64], uint8_t *report, size_t cap, size_t *len);
/*
 * The same through the extended guest request, with the host's certificate table in certs
 * (*certs_len = 0 when the host has none). SNP_ENOSPC with *certs_len = bytes needed when
 * certs_cap is too small.
 */
int snp_get_ext_report(const uint8_t report_data[64], uint8_t *report, size_t cap, size_t *len,
		       uint8_t *certs, size_t certs_cap, size_t *certs_len);

/* MSG_KEY_REQ (facts 5.10). */
struct snp_key_request {
	uint32_t root_key_select; /* bit 0: 0 VCEK, 1 VMRK */
	uint64_t guest_field_select;
	uint32_t vmpl;
	uint32_t guest_svn;
	uint64_t tcb_version;
};
int snp_get_derived_key(const struct snp_key_request *req, uint8_t key[32]);

/* Wipes the VMPCKs the SVSM holds (panic path; also after any guest-message failure). */
void snp_wipe_vmpcks(void);

/*
 * Clears EFER.SVME in the VMSA at vmsa so the host cannot run it any more; SNP_EBUSY while the
 * vCPU is running (the caller may retry or answer FAIL_INUSE).
 */
int snp_vmsa_disable(gpa_t vmsa);

/*
 * The request loop's access to a guest VMSA (facts 1.4, offsets facts 5.7). The caller
 * guarantees vmsa is an RMP VMSA page the SVSM registered (snp_make_guest_vmsa) and that the
 * host has just returned from running it on this vCPU.
 */
struct snp_vmsa_gprs {
	uint64_t rax, rcx, rdx, r8, r9; /* the SVSM call registers (facts 1.3) */
};
/*
 * Clears EFER.SVME (the host cannot run the VMSA until snp_vmsa_resume), then reads
 * GUEST_EXIT_CODE into *exit_code and RAX, RCX, RDX, R8, R9 into *regs. SNP_OK, or SNP_EINVAL
 * when the page cannot be mapped (nothing changed).
 */
int snp_vmsa_stop(gpa_t vmsa, uint64_t *exit_code, struct snp_vmsa_gprs *regs);
/*
 * Writes *regs (none when regs is NULL) into the VMSA and only then sets EFER.SVME again
 * (facts 1.4 step 4: SVME last). SNP_OK or SNP_EINVAL (nothing changed).
 */
int snp_vmsa_resume(gpa_t vmsa, const struct snp_vmsa_gprs *regs);

/* ---------------------------------------------------------------------------------------- */
/* Added by platform/snp: set-up, the GHCB services and helpers the protocol layer uses.    */

/*
 * RMPADJUST on a VMSA page that a vCPU is running (the SPEC's DELETE_VCPU FAIL_INUSE result,
 * 0x8000_1003 = 0x8000_1000 + EAX, facts 1.5).
 */
#define SNP_RMP_FAIL_INUSE 3u

/* SEV_FEATURES bits (VMSA 0x3B0 == SEV_STATUS >> 2; facts 5.1). */
#define SNP_FEAT_SNP		  (1ull << 0)
#define SNP_FEAT_VTOM		  (1ull << 1)
#define SNP_FEAT_REFLECT_VC	  (1ull << 2)
#define SNP_FEAT_RESTRICTED_INJ	  (1ull << 3)
#define SNP_FEAT_ALTERNATE_INJ	  (1ull << 4)
#define SNP_FEAT_DEBUG_SWAP	  (1ull << 5)
#define SNP_FEAT_PREVENT_HOST_IBS (1ull << 6)
#define SNP_FEAT_BTB_ISOLATION	  (1ull << 7)
#define SNP_FEAT_VMPL_SSS	  (1ull << 8)
#define SNP_FEAT_SECURE_TSC	  (1ull << 9)
#define SNP_FEAT_VMSA_REG_PROT	  (1ull << 14)
#define SNP_FEAT_SMT_PROT	  (1ull << 15)

/*
 * Boot CPU set-up, once: SEV information (GHCB protocol version 2 must be in range), the
 * hypervisor features (SNP, AP creation, multi-VMPL), this CPU's GHCB (shared, registered),
 * VMPCK0 read from the SVSM's secrets page at secrets, and the shared guest-message pages.
 * SNP_OK or SNP_EIO (the caller terminates).
 */
int snp_platform_setup(gpa_t secrets);
/* Every other CPU, on itself: its own GHCB. */
int snp_cpu_setup(void);
/* SEV_STATUS >> 2 as the platform read it at set-up (0 before). */
uint64_t snp_sev_features(void);

/*
 * GHCB MSR protocol Run VMPL (0x016/0x017, facts 5.2 / 1.3): the hypervisor runs this vCPU's
 * VMSA for vmpl and returns when it exits. SNP_OK, SNP_EINVAL (vmpl 0 or > 3), SNP_EIO.
 */
int snp_run_vmpl(unsigned int vmpl);
/* GHCB MSR protocol termination request (facts 5.2); never returns. */
__attribute__((noreturn)) void snp_terminate(unsigned int reason_set, unsigned int reason_code);

/* GHCB services (facts 5.3): SNP_OK, SNP_EINVAL (bad argument) or SNP_EIO (hostile host). */
int snp_io_read(uint16_t port, unsigned int size, uint32_t *val); /* size 1, 2 or 4 */
int snp_io_write(uint16_t port, unsigned int size, uint32_t val);
int snp_msr_read(uint32_t msr, uint64_t *val);
int snp_msr_write(uint32_t msr, uint64_t val);
int snp_mmio_read(gpa_t gpa, void *buf, size_t len); /* len 1, 2, 4 or 8 */
int snp_mmio_write(gpa_t gpa, const void *buf, size_t len);

/*
 * Page-state change of npages 4 KiB pages from gpa through the GHCB PSC event (facts 5.4),
 * without PVALIDATE: the caller orders it (private: PSC then validate; shared: rescind then
 * PSC). SNP_EIO when the host fails or lies; pages before the failure may have changed.
 */
int snp_psc(gpa_t gpa, size_t npages, bool to_shared);
/*
 * Shares npages SVSM pages (already mapped at va) with the hypervisor: PVALIDATE rescind, PSC
 * to shared, mapping unencrypted; snp_unshare_pages undoes it (PSC private, PVALIDATE, zero).
 */
int snp_share_pages(vaddr_t va, gpa_t gpa, size_t npages);
int snp_unshare_pages(vaddr_t va, gpa_t gpa, size_t npages);

/* AP Creation NAE (facts 5.5). */
enum snp_ap_request {
	SNP_AP_CREATE_ON_INIT = 0,
	SNP_AP_CREATE = 1,
	SNP_AP_DESTROY = 2,
};
int snp_ap_create(enum snp_ap_request req, uint32_t apic_id, unsigned int vmpl, gpa_t vmsa,
		  uint64_t sev_features);

/* Secrets page (facts 5.8) and the SVSM area in it (facts 1.1). */
#define SNP_SECRETS_SIZE	     4096u
#define SNP_SECRETS_VMPCK(i)	     (0x20u + 32u * (i))
#define SNP_SECRETS_SVSM_BASE	     0x140u
#define SNP_SECRETS_SVSM_SIZE	     0x148u
#define SNP_SECRETS_SVSM_CAA	     0x150u
#define SNP_SECRETS_SVSM_MAX_VERSION 0x158u
#define SNP_SECRETS_SVSM_GUEST_VMPL  0x15Cu

struct snp_svsm_area {
	uint64_t base;	   /* SVSM region GPA, 4 KiB aligned */
	uint64_t size;	   /* bytes, 4 KiB multiple, non-zero */
	uint64_t caa;	   /* the BSP's calling area GPA, 4 KiB aligned */
	unsigned int vmpl; /* the guest's VMPL, 1..3 */
};
/*
 * The guest's copy of the secrets page: svsm's page with every VMPCK i < area->vmpl zeroed and
 * the SVSM area filled (max version 1). SNP_EINVAL when area is not acceptable.
 */
int snp_secrets_for_guest(const uint8_t svsm[SNP_SECRETS_SIZE], const struct snp_svsm_area *area,
			  uint8_t out[SNP_SECRETS_SIZE]);

/* SNP CPUID page (facts 5.9): copies src to dst when its count is 1..64, else SNP_EINVAL. */
#define SNP_CPUID_PAGE_SIZE 4096u
#define SNP_CPUID_MAX	    64u
int snp_cpuid_copy(const uint8_t src[SNP_CPUID_PAGE_SIZE], uint8_t dst[SNP_CPUID_PAGE_SIZE]);

#endif
