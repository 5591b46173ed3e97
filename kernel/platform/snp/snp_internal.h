/* SPDX-License-Identifier: MIT */
/*
 * Declarations shared by the files of kernel/platform/snp/ and nothing else: the GHCB MSR
 * protocol, the GHCB page and its per-CPU state, the guest-message channel.
 */
#ifndef SNP_INTERNAL_H
#define SNP_INTERNAL_H

#include "snp_hw.h"
#include <copra/panic.h>
#include <copra/snp.h>
#include <lib/compiler.h>
#include <lib/types.h>

#define SNP_PAGE_SIZE 4096u
#define SNP_2M_SIZE   0x200000u

/* ---- GHCB MSR protocol (facts 5.2) ---- */
#define GHCB_MSR_INFO_MASK     0xFFFull
#define GHCB_MSR_SEV_INFO_REQ  0x002ull
#define GHCB_MSR_SEV_INFO_RESP 0x001ull
#define GHCB_MSR_CPUID_REQ     0x004ull
#define GHCB_MSR_CPUID_RESP    0x005ull
#define GHCB_MSR_REG_GPA_REQ   0x012ull
#define GHCB_MSR_REG_GPA_RESP  0x013ull
#define GHCB_MSR_PSC_REQ       0x014ull
#define GHCB_MSR_PSC_RESP      0x015ull
#define GHCB_MSR_VMPL_REQ      0x016ull
#define GHCB_MSR_VMPL_RESP     0x017ull
#define GHCB_MSR_HV_FT_REQ     0x080ull
#define GHCB_MSR_HV_FT_RESP    0x081ull
#define GHCB_MSR_TERM_REQ      0x100ull

#define GHCB_PROTOCOL_VERSION  2u
#define GHCB_PSC_OP_PRIVATE    1u
#define GHCB_PSC_OP_SHARED     2u

/* Hypervisor feature bits (facts 5.2) Copra needs: SNP, AP creation, multi-VMPL. */
#define GHCB_HV_FT_SNP	       (1ull << 0)
#define GHCB_HV_FT_AP_CREATION (1ull << 1)
#define GHCB_HV_FT_MULTI_VMPL  (1ull << 5)
#define GHCB_HV_FT_REQUIRED    (GHCB_HV_FT_SNP | GHCB_HV_FT_AP_CREATION | GHCB_HV_FT_MULTI_VMPL)

/* GFNs are 40 bits wide in the MSR page-state request and the PSC entry (facts 5.2 / 5.4). */
#define SNP_GFN_MAX ((1ull << 40) - 1)

int snp_msr_sev_info(uint8_t *cbit);
int snp_msr_cpuid(uint32_t fn, unsigned int reg, uint32_t *val);
int snp_msr_register_ghcb(gpa_t ghcb);
int snp_msr_psc(gpa_t gpa, bool to_shared);
int snp_msr_hv_features(uint64_t *features);
/* The raw termination request; returns only when the hypervisor ignores it. */
void snp_msr_term_request(unsigned int reason_set, unsigned int reason_code);

/* ---- The GHCB page (facts 5.3) ---- */
struct snp_ghcb {
	uint8_t rsvd0[0x0CB];
	uint8_t cpl; /* 0x0CB */
	uint8_t rsvd1[0x140 - 0x0CC];
	uint64_t xss; /* 0x140 */
	uint8_t rsvd2[0x160 - 0x148];
	uint64_t dr7; /* 0x160 */
	uint8_t rsvd3[0x1F8 - 0x168];
	uint64_t rax; /* 0x1F8 */
	uint8_t rsvd4[0x308 - 0x200];
	uint64_t rcx; /* 0x308 */
	uint64_t rdx; /* 0x310 */
	uint64_t rbx; /* 0x318 */
	uint8_t rsvd5[0x328 - 0x320];
	uint64_t rbp;	    /* 0x328 */
	uint64_t rsi;	    /* 0x330 */
	uint64_t rdi;	    /* 0x338 */
	uint64_t r8_r15[8]; /* 0x340 .. 0x378 */
	uint8_t rsvd6[0x390 - 0x380];
	uint64_t sw_exit_code;	/* 0x390 */
	uint64_t sw_exit_info1; /* 0x398 */
	uint64_t sw_exit_info2; /* 0x3A0 */
	uint64_t sw_scratch;	/* 0x3A8 */
	uint8_t rsvd7[0x3E8 - 0x3B0];
	uint64_t xcr0;		  /* 0x3E8 */
	uint8_t valid_bitmap[16]; /* 0x3F0: bit i <=> the qword at 8 * i */
	uint64_t x87_state_gpa;	  /* 0x400 */
	uint8_t rsvd8[0x800 - 0x408];
	uint8_t shared_buffer[0x7F0]; /* 0x800 */
	uint8_t rsvd9[0xFFA - 0xFF0];
	uint16_t protocol_version; /* 0xFFA */
	uint32_t ghcb_usage;	   /* 0xFFC */
} __packed;

#define GHCB_SHARED_BUF_OFF  0x800u
#define GHCB_SHARED_BUF_SIZE 0x7F0u

/* NAE exit codes (facts 5.3). */
#define SVM_EXIT_IOIO		  0x7Bull
#define SVM_EXIT_MSR		  0x7Cull
#define SVM_VMGEXIT_MMIO_READ	  0x80000001ull
#define SVM_VMGEXIT_MMIO_WRITE	  0x80000002ull
#define SVM_VMGEXIT_PSC		  0x80000010ull
#define SVM_VMGEXIT_GUEST_REQ	  0x80000011ull
#define SVM_VMGEXIT_EXT_GUEST_REQ 0x80000012ull
#define SVM_VMGEXIT_AP_CREATION	  0x80000013ull

/* The offset of a GHCB field, for the valid bitmap. */
#define GHCB_OFF(field) __builtin_offsetof(struct snp_ghcb, field)

/* This CPU's GHCB, or NULL before snp_cpu_setup() succeeded on it. */
struct snp_ghcb *snp_ghcb_this_cpu(gpa_t *gpa);
/* Allocates, shares and registers this CPU's GHCB (setup.c). */
int snp_ghcb_setup_this_cpu(void);
/* Clears the save area and the valid bitmap before an event is built. */
void snp_ghcb_clear(struct snp_ghcb *g);
/* Writes a qword field at off and marks it valid. */
void snp_ghcb_set(struct snp_ghcb *g, unsigned int off, uint64_t v);
/* True when the hypervisor marked the qword at off valid; *v is then its (single) read. */
bool snp_ghcb_get(const struct snp_ghcb *g, unsigned int off, uint64_t *v);
/*
 * Runs one NAE event on this CPU's GHCB g (at gpa): SW_EXITCODE/INFO1/INFO2 are set, then
 * VMGEXIT. SNP_OK when SW_EXITINFO1[31:0] is 0 (then *info2 = SW_EXITINFO2, when info2 is not
 * NULL); SNP_EIO for an exception (1), invalid input (2) or any other value.
 */
int snp_ghcb_call(struct snp_ghcb *g, gpa_t gpa, uint64_t exit_code, uint64_t info1, uint64_t info2,
		  uint64_t *out_info2);

/* ---- PVALIDATE over a mapped range, used by page sharing (rmp.c) ---- */
uint32_t snp_pvalidate_va(vaddr_t va, enum snp_pgsize sz, bool validate, bool *no_change);

/* ---- Guest messages (guest_msg.c) ---- */
/* Message types (facts 5.10). */
#define SNP_MSG_KEY_REQ	   3u
#define SNP_MSG_KEY_RSP	   4u
#define SNP_MSG_REPORT_REQ 5u
#define SNP_MSG_REPORT_RSP 6u
/* A message is one 4 KiB page: the 96-byte header and up to 4000 payload bytes. */
#define SNP_MSG_PAYLOAD_MAX (SNP_PAGE_SIZE - 0x60u)
/* The shared area the hypervisor writes an extended request's certificates into. */
#define SNP_CERTS_PAGES 4u

/* Reads VMPCK0 from the secrets page; allocates and shares the message pages. */
int snp_msg_setup(gpa_t secrets);

/* Takes the opened response payload (len bytes, authentic) while the channel is locked. */
typedef int (*snp_msg_consume_fn)(const uint8_t *payload, size_t len, void *ctx);
/* The caller's certificate buffer for an extended request. */
struct snp_msg_certs {
	uint8_t *buf;
	size_t cap;
	size_t len; /* out: bytes of the table, or bytes needed with SNP_ENOSPC */
};
/*
 * One exchange: seals req (req_len bytes) as message `type`, delivers it (extended when certs
 * is not NULL), opens the response of type + 1 which must carry exactly rsp_len bytes, and
 * hands it to consume. SNP_EDISABLED when the channel is closed; SNP_EIO when the exchange
 * failed (the channel is then closed for good); otherwise consume's result, or SNP_ENOSPC /
 * SNP_EIO for the certificates (the channel stays open: they are unauthenticated host data).
 */
int snp_msg_exchange(uint8_t type, const void *req, size_t req_len, size_t rsp_len,
		     snp_msg_consume_fn consume, void *ctx, struct snp_msg_certs *certs);

/*
 * The length of the certificate table at buf (GHCB spec 56421, extended guest request: 24-byte
 * entries {GUID, u32 offset, u32 length} ended by an all-zero entry): the end of the furthest
 * certificate or of the table, whichever is later; 0 for an empty table. false when the table
 * or a certificate does not fit in size bytes.
 */
bool snp_certs_table_len(const uint8_t *buf, size_t size, size_t *len);

#ifdef COPRA_HOST
/*
 * Host tests only (the model calls these when it builds a new machine): forget every CPU's
 * GHCB and the guest-message channel, as if the platform had never been set up; and move the
 * channel's sequence number (to test its 2^32 bound).
 */
void snp_platform_forget(void);
void snp_ghcb_forget(void);
void snp_msg_forget(void);
void snp_msg_set_seqno(uint64_t seqno);
#endif

#endif
