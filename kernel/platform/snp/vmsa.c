/* SPDX-License-Identifier: MIT */
/*
 * VMSA images (facts 5.7): field access, the check of a guest-supplied VMSA (facts 2.3), the
 * guest firmware's initial BSP VMSA, and taking a VMSA out of service (facts 2.4).
 */
#include "snp_internal.h"
#include <copra/snp_vmsa.h>
#include <lib/string.h>

struct vmsa_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
} __packed;

/* The layout the offsets in copra/snp_vmsa.h come from (facts 5.7 table). */
struct vmsa_layout {
	struct vmsa_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x000 */
	uint64_t pl0_ssp, pl1_ssp, pl2_ssp, pl3_ssp, u_cet;	      /* 0x0A0 */
	uint8_t rsvd0[2];
	uint8_t vmpl; /* 0x0CA */
	uint8_t cpl;  /* 0x0CB */
	uint8_t rsvd1[4];
	uint64_t efer; /* 0x0D0 */
	uint8_t rsvd2[0x140 - 0x0D8];
	uint64_t xss, cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x140 */
	uint8_t rsvd3[0x1D8 - 0x180];
	uint64_t rsp, s_cet, ssp, isst_addr, rax; /* 0x1D8 */
	uint8_t rsvd4[0x268 - 0x200];
	uint64_t g_pat; /* 0x268 */
	uint8_t rsvd5[0x308 - 0x270];
	uint64_t rcx, rdx, rbx; /* 0x308 */
	uint8_t rsvd6[0x340 - 0x320];
	uint64_t r8, r9; /* 0x340 */
	uint8_t rsvd7[0x390 - 0x350];
	uint64_t exitinfo1, exitinfo2; /* 0x390 */
	uint8_t rsvd8[0x3B0 - 0x3A0];
	uint64_t sev_features, vintr_ctrl, guest_exit_code; /* 0x3B0 */
	uint8_t rsvd9[0x3E8 - 0x3C8];
	uint64_t xcr0; /* 0x3E8 */
	uint8_t rsvd10[0x408 - 0x3F0];
	uint32_t mxcsr;	  /* 0x408 */
	uint16_t x87_ftw; /* 0x40C */
	uint8_t rsvd11[2];
	uint16_t x87_fcw; /* 0x410 */
	uint8_t rsvd12[SNP_VMSA_SIZE - 0x412];
} __packed;

#define VMSA_OFF(f) __builtin_offsetof(struct vmsa_layout, f)
_Static_assert(sizeof(struct vmsa_layout) == SNP_VMSA_SIZE, "facts 5.7: 4096 bytes");
_Static_assert(sizeof(struct vmsa_seg) == 16, "facts 5.7: segment registers are 16 bytes");
_Static_assert(VMSA_OFF(cs) == SNP_VMSA_CS && VMSA_OFF(ss) == SNP_VMSA_SS &&
		       VMSA_OFF(ds) == SNP_VMSA_DS && VMSA_OFF(fs) == SNP_VMSA_FS &&
		       VMSA_OFF(gs) == SNP_VMSA_GS && VMSA_OFF(gdtr) == SNP_VMSA_GDTR &&
		       VMSA_OFF(ldtr) == SNP_VMSA_LDTR && VMSA_OFF(idtr) == SNP_VMSA_IDTR &&
		       VMSA_OFF(tr) == SNP_VMSA_TR,
	       "facts 5.7: segments");
_Static_assert(VMSA_OFF(pl0_ssp) == 0x0A0 && VMSA_OFF(u_cet) == 0x0C0, "facts 5.7");
_Static_assert(VMSA_OFF(vmpl) == SNP_VMSA_VMPL && VMSA_OFF(cpl) == SNP_VMSA_CPL, "facts 5.7");
_Static_assert(VMSA_OFF(efer) == SNP_VMSA_EFER, "facts 5.7");
_Static_assert(VMSA_OFF(xss) == SNP_VMSA_XSS && VMSA_OFF(cr4) == SNP_VMSA_CR4 &&
		       VMSA_OFF(cr3) == SNP_VMSA_CR3 && VMSA_OFF(cr0) == SNP_VMSA_CR0 &&
		       VMSA_OFF(dr7) == SNP_VMSA_DR7 && VMSA_OFF(dr6) == SNP_VMSA_DR6 &&
		       VMSA_OFF(rflags) == SNP_VMSA_RFLAGS && VMSA_OFF(rip) == SNP_VMSA_RIP,
	       "facts 5.7: control registers");
_Static_assert(VMSA_OFF(rsp) == SNP_VMSA_RSP && VMSA_OFF(s_cet) == 0x1E0 &&
		       VMSA_OFF(rax) == SNP_VMSA_RAX,
	       "facts 5.7");
_Static_assert(VMSA_OFF(g_pat) == SNP_VMSA_G_PAT, "facts 5.7");
_Static_assert(VMSA_OFF(rcx) == SNP_VMSA_RCX && VMSA_OFF(rdx) == SNP_VMSA_RDX &&
		       VMSA_OFF(rbx) == SNP_VMSA_RBX && VMSA_OFF(r8) == SNP_VMSA_R8 &&
		       VMSA_OFF(r9) == SNP_VMSA_R9,
	       "facts 5.7 / 1.4: GPRs");
_Static_assert(VMSA_OFF(exitinfo1) == SNP_VMSA_EXITINFO1 &&
		       VMSA_OFF(exitinfo2) == SNP_VMSA_EXITINFO2,
	       "facts 5.7");
_Static_assert(VMSA_OFF(sev_features) == SNP_VMSA_SEV_FEATURES &&
		       VMSA_OFF(guest_exit_code) == SNP_VMSA_GUEST_EXIT_CODE,
	       "facts 5.7 / 1.4");
_Static_assert(VMSA_OFF(xcr0) == SNP_VMSA_XCR0 && VMSA_OFF(mxcsr) == SNP_VMSA_MXCSR &&
		       VMSA_OFF(x87_ftw) == SNP_VMSA_X87_FTW &&
		       VMSA_OFF(x87_fcw) == SNP_VMSA_X87_FCW,
	       "facts 5.7: x87/SSE state");

uint64_t snp_vmsa_get64(const uint8_t *vmsa, unsigned int off)
{
	uint64_t v = 0;

	CHECK(off <= SNP_VMSA_SIZE - 8);
	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)vmsa[off + i] << (8 * i);
	return v;
}

void snp_vmsa_set64(uint8_t *vmsa, unsigned int off, uint64_t v)
{
	CHECK(off <= SNP_VMSA_SIZE - 8);
	for (unsigned int i = 0; i < 8; i++)
		vmsa[off + i] = (uint8_t)(v >> (8 * i));
}

enum snp_vmsa_verdict snp_vmsa_check(const uint8_t vmsa[SNP_VMSA_SIZE], unsigned int caller_vmpl,
				     uint64_t caller_features)
{
	unsigned int vmpl = vmsa[SNP_VMSA_VMPL];
	uint64_t efer = snp_vmsa_get64(vmsa, SNP_VMSA_EFER);
	uint64_t features = snp_vmsa_get64(vmsa, SNP_VMSA_SEV_FEATURES);

	if (vmpl == 0)
		return SNP_VMSA_VMPL0;
	if (vmpl > SNP_VMPL_MAX)
		return SNP_VMSA_VMPL_RANGE;
	if (vmpl < caller_vmpl)
		return SNP_VMSA_VMPL_BELOW_CALLER;
	if (!(efer & SNP_EFER_SVME))
		return SNP_VMSA_NO_SVME;
	if (features != caller_features)
		return SNP_VMSA_FEATURES_DIFFER;
	if ((features & SNP_FEAT_UNSAFE) || (features & ~SNP_FEAT_KNOWN) ||
	    !(features & SNP_FEAT_SNP))
		return SNP_VMSA_FEATURES_UNSAFE;
	return SNP_VMSA_OK;
}

static void seg(struct vmsa_seg *s, uint16_t sel, uint16_t attrib, uint64_t base)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = 0xFFFF;
	s->base = base;
}

/* Reset values: facts 5.7 (the architectural real-mode reset state). */
void snp_vmsa_init_guest(uint8_t vmsa[SNP_VMSA_SIZE], uint64_t rip, unsigned int vmpl,
			 uint64_t svsm_features)
{
	/* Built in place: a packed struct, so any buffer alignment will do. */
	struct vmsa_layout *v = (struct vmsa_layout *)vmsa;

	CHECK(vmpl >= 1 && vmpl <= SNP_VMPL_MAX);
	memset(v, 0, sizeof(*v));
	seg(&v->cs, 0xF000, 0x9B, rip & 0xFFFF0000u);
	seg(&v->es, 0, 0x93, 0);
	seg(&v->ss, 0, 0x93, 0);
	seg(&v->ds, 0, 0x93, 0);
	seg(&v->fs, 0, 0x93, 0);
	seg(&v->gs, 0, 0x93, 0);
	seg(&v->gdtr, 0, 0, 0);
	seg(&v->idtr, 0, 0, 0);
	seg(&v->ldtr, 0, 0x82, 0);
	seg(&v->tr, 0, 0x8B, 0);
	v->rip = rip & 0xFFFF;
	v->vmpl = (uint8_t)vmpl;
	v->efer = SNP_EFER_SVME;
	v->cr0 = 0x60000010;
	v->rflags = 0x2;
	v->dr6 = 0xFFFF0FF0;
	v->dr7 = 0x400;
	v->g_pat = 0x0007040600070406ull;
	v->xcr0 = 1;
	v->mxcsr = 0x1F80;
	v->x87_ftw = 0x5555;
	v->x87_fcw = 0x0040;
	/* Restricted injection does not work with guest VMPL execution (facts 5.7). */
	v->sev_features = svsm_features & ~(SNP_FEAT_RESTRICTED_INJ | SNP_FEAT_DEBUG_SWAP);
}

/*
 * A VMSA in use by a running vCPU cannot be changed: RMPADJUST of the page answers FAIL_INUSE
 * (the SPEC's 0x8000_1003 for DELETE_VCPU is 0x8000_1000 + that EAX, facts 1.5). The probe
 * re-applies exactly what snp_make_guest_vmsa gave the page, so it changes nothing.
 */
static uint32_t vmsa_probe(vaddr_t va, unsigned int vmpl)
{
	return snp_hw_rmpadjust(va, SNP_PAGE_4K, vmpl | SNP_PERM_READ | SNP_RMPADJ_VMSA);
}

/*
 * The caller guarantees vmsa is a page made by snp_make_guest_vmsa. SVME is cleared between
 * two probes: a vCPU running at the second probe may have saved its state over the write, so
 * the answer is then SNP_EBUSY and the caller tries again.
 */
int snp_vmsa_disable(gpa_t vmsa)
{
	vaddr_t va = va_init(0);
	unsigned int vmpl = 0;
	uint32_t rc = 0;
	int err = SNP_OK;

	if (!IS_ALIGNED(gpa_addr(vmsa), SNP_PAGE_SIZE) || !snp_hw_map(vmsa, SNP_PAGE_4K, &va))
		return SNP_EINVAL;
	vmpl = READ_ONCE(((const uint8_t *)va_ptr(va))[SNP_VMSA_VMPL]);
	if (vmpl == 0 || vmpl > SNP_VMPL_MAX) {
		err = SNP_EINVAL;
		goto out;
	}
	rc = vmsa_probe(va, vmpl);
	if (rc == SNP_RMP_OK) {
		__atomic_fetch_and((uint64_t *)((uint8_t *)va_ptr(va) + SNP_VMSA_EFER),
				   ~SNP_EFER_SVME, __ATOMIC_SEQ_CST);
		rc = vmsa_probe(va, vmpl);
	}
	if (rc == SNP_RMP_FAIL_INUSE)
		err = SNP_EBUSY;
	else if (rc != SNP_RMP_OK)
		err = SNP_EINVAL;
out:
	snp_hw_unmap(va, SNP_PAGE_4K);
	return err;
}

/*
 * Request-loop entry (facts 1.4 step 1): SVME is cleared before anything is read, so a host
 * that tries to run the VMSA again meanwhile fails instead of racing the SVSM; the registers
 * are read after the clear. The caller guarantees vmsa is a registered VMSA page.
 */
int snp_vmsa_stop(gpa_t vmsa, uint64_t *exit_code, struct snp_vmsa_gprs *regs)
{
	vaddr_t va = va_init(0);
	uint8_t *p = NULL;

	if (!IS_ALIGNED(gpa_addr(vmsa), SNP_PAGE_SIZE) || !snp_hw_map(vmsa, SNP_PAGE_4K, &va))
		return SNP_EINVAL;
	p = va_ptr(va);
	__atomic_fetch_and((uint64_t *)(p + SNP_VMSA_EFER), ~SNP_EFER_SVME, __ATOMIC_SEQ_CST);
	*exit_code = snp_vmsa_get64(p, SNP_VMSA_GUEST_EXIT_CODE);
	regs->rax = snp_vmsa_get64(p, SNP_VMSA_RAX);
	regs->rcx = snp_vmsa_get64(p, SNP_VMSA_RCX);
	regs->rdx = snp_vmsa_get64(p, SNP_VMSA_RDX);
	regs->r8 = snp_vmsa_get64(p, SNP_VMSA_R8);
	regs->r9 = snp_vmsa_get64(p, SNP_VMSA_R9);
	snp_hw_unmap(va, SNP_PAGE_4K);
	return SNP_OK;
}

/*
 * Request-loop exit (facts 1.4 step 4): the registers first, then SVME with a sequentially
 * consistent read-modify-write, so the host can run the VMSA only once the results are there.
 */
int snp_vmsa_resume(gpa_t vmsa, const struct snp_vmsa_gprs *regs)
{
	vaddr_t va = va_init(0);
	uint8_t *p = NULL;

	if (!IS_ALIGNED(gpa_addr(vmsa), SNP_PAGE_SIZE) || !snp_hw_map(vmsa, SNP_PAGE_4K, &va))
		return SNP_EINVAL;
	p = va_ptr(va);
	if (regs) {
		snp_vmsa_set64(p, SNP_VMSA_RAX, regs->rax);
		snp_vmsa_set64(p, SNP_VMSA_RCX, regs->rcx);
		snp_vmsa_set64(p, SNP_VMSA_RDX, regs->rdx);
		snp_vmsa_set64(p, SNP_VMSA_R8, regs->r8);
		snp_vmsa_set64(p, SNP_VMSA_R9, regs->r9);
	}
	__atomic_fetch_or((uint64_t *)(p + SNP_VMSA_EFER), SNP_EFER_SVME, __ATOMIC_SEQ_CST);
	snp_hw_unmap(va, SNP_PAGE_4K);
	return SNP_OK;
}
