/* SPDX-License-Identifier: MIT */
/*
 * Shared by the files of kernel/protocols/ and nothing else: the wire formats every protocol
 * uses, page-ownership checks, checked guest copies, and the handlers' signatures.
 */
#ifndef PROTOCOLS_SVSM_INTERNAL_H
#define PROTOCOLS_SVSM_INTERNAL_H

#include <copra/snp.h>
#include <copra/svsm.h>
#include <lib/compiler.h>
#include <lib/types.h>

#define SVSM_PAGE_SIZE 4096u
#define SVSM_PAGE_MASK (SVSM_PAGE_SIZE - 1)
#define SVSM_2M_SIZE   0x200000u
#define SVSM_2M_PAGES  512u

/* Calling area header (facts 1.2, SPEC §5 Table 2). */
struct svsm_ca_hdr {
	uint8_t call_pending;
	uint8_t mem_available;
	uint8_t rsvd[6];
} __packed;
_Static_assert(sizeof(struct svsm_ca_hdr) == 8, "SPEC Table 2: CA header is 8 bytes");
_Static_assert(__builtin_offsetof(struct svsm_ca_hdr, call_pending) == 0x0, "SPEC Table 2");
_Static_assert(__builtin_offsetof(struct svsm_ca_hdr, mem_available) == 0x1, "SPEC Table 2");

/* The header of a PVALIDATE (SPEC §6.2 Table 6) or DEPOSIT_MEM (§6.5 Table 7) list. */
struct svsm_list_hdr {
	uint16_t entries;
	uint16_t next;
	uint8_t rsvd[4];
} __packed;
_Static_assert(sizeof(struct svsm_list_hdr) == 8, "SPEC Tables 6/7: list header is 8 bytes");
_Static_assert(__builtin_offsetof(struct svsm_list_hdr, entries) == 0x0, "SPEC Tables 6/7");
_Static_assert(__builtin_offsetof(struct svsm_list_hdr, next) == 0x2, "SPEC Tables 6/7");
#define SVSM_LIST_ENTRY_SIZE 8u

/* Entries that fit between gpa (8-byte aligned) and the end of its page (SPEC §6.2). */
static inline unsigned int svsm_list_capacity(uint64_t gpa)
{
	return (unsigned int)((SVSM_PAGE_SIZE - (gpa & SVSM_PAGE_MASK) -
			       sizeof(struct svsm_list_hdr)) /
			      SVSM_LIST_ENTRY_SIZE);
}

/* What a guest-physical range is to the SVSM (the first that applies). */
enum svsm_use {
	SVSM_USE_GUEST,	    /* ordinary guest memory */
	SVSM_USE_NOT_RAM,   /* not wholly guest RAM, or it wraps */
	SVSM_USE_SVSM,	    /* touches the SVSM region */
	SVSM_USE_VMSA,	    /* touches a registered VMSA */
	SVSM_USE_DEPOSITED, /* touches a deposited page */
	SVSM_USE_CA,	    /* touches a calling area (guest memory the SVSM also uses) */
};

/*
 * Classifies [gpa, gpa + len) (len > 0). *apic_id, when not NULL, receives the owner's APIC
 * ID for SVSM_USE_VMSA / SVSM_USE_CA. Caller holds s->lock (either mode).
 */
enum svsm_use svsm_range_use(const struct svsm_state *s, uint64_t gpa, uint64_t len,
			     uint32_t *apic_id);

/*
 * Copies for a request: the range (len > 0) must be guest memory or a calling area (never
 * SVSM-private) and validated. SVSM_SUCCESS or SVSM_ERR_INVALID_ADDRESS. The _locked forms need
 * s->lock held (either mode) and pages_lock not held; the others take s->lock for reading
 * around the check and the copy, so a page cannot become a VMSA between the two. Either way
 * the validation check and the copy run under pages_lock.
 */
uint32_t svsm_gread_locked(struct svsm_state *s, uint64_t gpa, void *buf, size_t len);
uint32_t svsm_gwrite_locked(struct svsm_state *s, uint64_t gpa, const void *buf, size_t len);
uint32_t svsm_gread(struct svsm_state *s, uint64_t gpa, void *buf, size_t len);
uint32_t svsm_gwrite(struct svsm_state *s, uint64_t gpa, const void *buf, size_t len);
/* The same checks without a copy (a buffer checked before work that will fill it). */
uint32_t svsm_arg_range_ok(struct svsm_state *s, uint64_t gpa, uint64_t len);

/* 0x8000_1000 + EAX, or 0x8000_1011 when EAX is beyond 0xF (facts 1.5). */
static inline uint32_t svsm_rmp_code(uint32_t eax)
{
	return eax <= 0xFu ? SVSM_ERR_PVALIDATE_BASE + eax : SVSM_ERR_PVALIDATE_FAIL_BADEAX;
}

/*
 * The permissions every guest page the SVSM hands to the guest ends up with: the caller's VMPL
 * and every more privileged guest VMPL get read/write/execute, less privileged VMPLs nothing
 * (what a freshly assigned RMP entry has on hardware; the caller can delegate further with its
 * own RMPADJUST). Used after PVALIDATE, and to give a page back after a refused request, so a
 * refusal restores exactly this state. Returns 0 or the first failing RMPADJUST's EAX.
 */
static inline uint32_t svsm_give_to_guest(gpa_t gpa, enum snp_pgsize sz, unsigned int vmpl)
{
	uint32_t eax = snp_revoke_guest_access(gpa, sz);

	return eax != SNP_RMP_OK ? eax : snp_grant_guest_access(gpa, sz, vmpl);
}

/* Writes mem_available into the startup vCPU's calling area; s->lock held for writing. */
void svsm_update_mem_available(struct svsm_state *s);

/* The scratch buffers of the calling CPU. */
static inline struct svsm_scratch *svsm_scratch(struct svsm_state *s, const struct svsm_caller *c)
{
	return s->cpus[c->cpu].scratch;
}

/* Handlers: one per protocol, each decoding the call number itself. */
uint32_t svsm_core_call(struct svsm_state *s, struct svsm_caller *c, uint32_t call,
			struct svsm_regs *regs);
uint32_t svsm_attest_call(struct svsm_state *s, struct svsm_caller *c, uint32_t call,
			  struct svsm_regs *regs);
uint32_t svsm_vtpm_call(struct svsm_state *s, struct svsm_caller *c, uint32_t call,
			struct svsm_regs *regs);

/* Core calls in their own files. */
uint32_t svsm_core_pvalidate(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r);
uint32_t svsm_core_create_vcpu(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r);
uint32_t svsm_core_delete_vcpu(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r);
uint32_t svsm_core_deposit_mem(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r);
uint32_t svsm_core_withdraw_mem(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *r);

/* Whether a protocol is offered, and its version range (QUERY_PROTOCOL, dispatch). */
bool svsm_protocol_offered(const struct svsm_state *s, uint32_t proto);

/*
 * The services manifest (SPEC §7.1 Table 12) for every offered service into buf; returns its
 * length, 0 when cap is too small.
 */
size_t svsm_services_manifest(const struct svsm_state *s, uint8_t *buf, size_t cap);

enum svsm_service_err {
	SVSM_SERVICE_OK = 0,
	SVSM_SERVICE_UNKNOWN = -1, /* no offered service has that GUID */
	SVSM_SERVICE_VERSION = -2, /* the service has no manifest of that version */
	SVSM_SERVICE_NOSPACE = -3, /* cap too small */
};
/* One service's own manifest (SPEC §7.2 ATTEST_SINGLE_SERVICE): *len bytes into buf. */
int svsm_service_manifest(const struct svsm_state *s, const uint8_t guid[16], uint32_t version,
			  uint8_t *buf, size_t cap, size_t *len);

#endif
