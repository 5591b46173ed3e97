/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP VMSA as the SVSM sees it (facts 5.7): the offsets it reads and writes, the check
 * of a guest-supplied VMSA (CREATE_VCPU, facts 2.3) and the initial guest BSP VMSA. A VMSA is
 * handled as 4096 bytes, read and written at these offsets (little-endian), so a guest-supplied
 * page is copied in once and then decoded; kernel/platform/snp/vmsa.c pins the offsets with
 * _Static_assert on a struct laid out from the facts table.
 */
#ifndef COPRA_SNP_VMSA_H
#define COPRA_SNP_VMSA_H

#include <copra/snp.h>
#include <lib/types.h>

#define SNP_VMSA_SIZE 4096u

/* Segment registers: 16 bytes each {u16 selector; u16 attrib; u32 limit; u64 base}. */
#define SNP_VMSA_ES		 0x000u
#define SNP_VMSA_CS		 0x010u
#define SNP_VMSA_SS		 0x020u
#define SNP_VMSA_DS		 0x030u
#define SNP_VMSA_FS		 0x040u
#define SNP_VMSA_GS		 0x050u
#define SNP_VMSA_GDTR		 0x060u
#define SNP_VMSA_LDTR		 0x070u
#define SNP_VMSA_IDTR		 0x080u
#define SNP_VMSA_TR		 0x090u
#define SNP_VMSA_VMPL		 0x0CAu /* u8 */
#define SNP_VMSA_CPL		 0x0CBu /* u8 */
#define SNP_VMSA_EFER		 0x0D0u
#define SNP_VMSA_XSS		 0x140u
#define SNP_VMSA_CR4		 0x148u
#define SNP_VMSA_CR3		 0x150u
#define SNP_VMSA_CR0		 0x158u
#define SNP_VMSA_DR7		 0x160u
#define SNP_VMSA_DR6		 0x168u
#define SNP_VMSA_RFLAGS		 0x170u
#define SNP_VMSA_RIP		 0x178u
#define SNP_VMSA_RSP		 0x1D8u
#define SNP_VMSA_RAX		 0x1F8u
#define SNP_VMSA_G_PAT		 0x268u
#define SNP_VMSA_RCX		 0x308u
#define SNP_VMSA_RDX		 0x310u
#define SNP_VMSA_RBX		 0x318u
#define SNP_VMSA_R8		 0x340u
#define SNP_VMSA_R9		 0x348u
#define SNP_VMSA_EXITINFO1	 0x390u
#define SNP_VMSA_EXITINFO2	 0x398u
#define SNP_VMSA_SEV_FEATURES	 0x3B0u
#define SNP_VMSA_GUEST_EXIT_CODE 0x3C0u
#define SNP_VMSA_XCR0		 0x3E8u
#define SNP_VMSA_MXCSR		 0x408u /* u32 */
#define SNP_VMSA_X87_FTW	 0x40Cu /* u16 */
#define SNP_VMSA_X87_FCW	 0x410u /* u16 */

#define SNP_EFER_SVME		 (1ull << 12)
#define SNP_EXIT_VMGEXIT	 0x403ull

/* Little-endian field access on a VMSA image (off + width <= SNP_VMSA_SIZE is the caller's). */
uint64_t snp_vmsa_get64(const uint8_t *vmsa, unsigned int off);
void snp_vmsa_set64(uint8_t *vmsa, unsigned int off, uint64_t v);

/* Why snp_vmsa_check refused a VMSA. */
enum snp_vmsa_verdict {
	SNP_VMSA_OK = 0,
	SNP_VMSA_VMPL0,		    /* VMPL 0 is the SVSM's */
	SNP_VMSA_VMPL_RANGE,	    /* VMPL above 3 */
	SNP_VMSA_VMPL_BELOW_CALLER, /* more privileged than the caller */
	SNP_VMSA_NO_SVME,	    /* EFER.SVME clear: not runnable */
	SNP_VMSA_FEATURES_DIFFER,   /* SEV_FEATURES differ from the caller's */
	SNP_VMSA_FEATURES_UNSAFE,   /* a feature the SVSM cannot support */
};

/*
 * The features a guest VMSA may not carry even when the caller has them: vTOM (Copra answers
 * CONFIGURE_VTOM as unsupported), RestrictedInjection (incompatible with guest VMPL execution,
 * facts 5.7), VmsaRegProt (the SPEC's own example, facts 1.1), and every bit the facts do not
 * name. SNP (bit 0) must be set.
 */
#define SNP_FEAT_KNOWN                                                                  \
	(SNP_FEAT_SNP | SNP_FEAT_VTOM | SNP_FEAT_REFLECT_VC | SNP_FEAT_RESTRICTED_INJ | \
	 SNP_FEAT_ALTERNATE_INJ | SNP_FEAT_DEBUG_SWAP | SNP_FEAT_PREVENT_HOST_IBS |     \
	 SNP_FEAT_BTB_ISOLATION | SNP_FEAT_VMPL_SSS | SNP_FEAT_SECURE_TSC |             \
	 SNP_FEAT_VMSA_REG_PROT | SNP_FEAT_SMT_PROT)
#define SNP_FEAT_UNSAFE (SNP_FEAT_VTOM | SNP_FEAT_RESTRICTED_INJ | SNP_FEAT_VMSA_REG_PROT)

/*
 * Checks a guest-supplied VMSA (a copy) for CREATE_VCPU (facts 2.3): VMPL 1..3 and not below
 * caller_vmpl, EFER.SVME set, SEV_FEATURES equal to caller_features, no unsafe feature.
 */
enum snp_vmsa_verdict snp_vmsa_check(const uint8_t vmsa[SNP_VMSA_SIZE], unsigned int caller_vmpl,
				     uint64_t caller_features);

/*
 * The guest firmware's BSP VMSA (facts 5.7 reset values): real-mode reset state with CS:IP
 * from rip, the given VMPL, SEV_FEATURES = svsm_features minus RestrictedInjection and
 * DebugSwap.
 */
void snp_vmsa_init_guest(uint8_t vmsa[SNP_VMSA_SIZE], uint64_t rip, unsigned int vmpl,
			 uint64_t svsm_features);

#endif
