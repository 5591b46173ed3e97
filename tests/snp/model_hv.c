/* SPDX-License-Identifier: MIT */
/*
 * The model hypervisor: answers the GHCB MSR protocol (facts 5.2) and the GHCB events (facts
 * 5.3-5.5, 5.10) on the vCPU that executed VMGEXIT, and lies when a test told it to (model.h).
 * It is written from the hypervisor's side: it trusts nothing the SVSM puts in the GHCB either,
 * and answers invalid input the way the protocol says (EXITINFO1 = 2, EXITINFO2 = GHCB_ERR_*).
 */
#include "model_internal.h"

#include <string.h>

/* MSR protocol codes (facts 5.2). */
#define MSR_SEV_INFO_REQ 0x002u
#define MSR_CPUID_REQ	 0x004u
#define MSR_REG_GPA_REQ	 0x012u
#define MSR_PSC_REQ	 0x014u
#define MSR_VMPL_REQ	 0x016u
#define MSR_HV_FT_REQ	 0x080u
#define MSR_TERM_REQ	 0x100u
/* SNP, AP creation, multi-VMPL (facts 5.2). */
#define MODEL_HV_FEATURES 0x23ull
#define MODEL_CBIT	  51u

/* GHCB_ERR_* in EXITINFO2 with EXITINFO1 = 2 (facts 5.3). */
#define ERR_NOT_REGISTERED  1u
#define ERR_INVALID_USAGE   2u
#define ERR_INVALID_SCRATCH 3u
#define ERR_MISSING_INPUT   4u
#define ERR_INVALID_INPUT   5u
#define ERR_INVALID_EVENT   6u

/* The PSC error the model reports in EXITINFO2 (facts 5.4: 0x100 << 32 is "generic"). */
#define PSC_ERR_GENERIC (0x100ull << 32)
#define PSC_MAX		253u

/* Guest request errors in EXITINFO2 [63:32] (facts 5.10). */
#define GREQ_INVALID_LEN (1ull << 32)
#define GREQ_BUSY	 (2ull << 32)

/* ---- RMP changes the hypervisor makes (RMPUPDATE / PSMASH on its side) ---- */

/* Assigning or sharing a page resets it: not validated, no VMSA, no access below VMPL0. */
static void page_state(struct model_page *p, bool private_)
{
	p->assigned = private_;
	p->validated = false;
	p->vmsa = false;
	p->perm[1] = p->perm[2] = p->perm[3] = 0;
}

/* A 4 KiB change inside a 2 MiB entry splits it first (the hypervisor's PSMASH). */
static void smash(uint64_t gpa)
{
	struct model_page *p = model_page(gpa & ~(uint64_t)(MODEL_2M - 1));

	if (p && model_page(gpa)->page_2m)
		for (unsigned int i = 0; i < 512; i++)
			p[i].page_2m = false;
}

/* op 1 private, 2 shared, 3 PSMASH, 4 UNSMASH (facts 5.4); false for a bad entry. */
static bool psc_apply(uint64_t gfn, unsigned int op, bool huge)
{
	uint64_t gpa = gfn * MODEL_PAGE;
	uint64_t size = huge ? MODEL_2M : MODEL_PAGE;
	struct model_page *p = model_page(gpa);

	if (!p || gpa % size || size > M->cfg.ram_size - gpa)
		return false;
	switch (op) {
	case 1:
	case 2:
		if (!huge)
			smash(gpa);
		for (uint64_t i = 0; i < size / MODEL_PAGE; i++) {
			page_state(p + i, op == 1);
			p[i].page_2m = huge;
		}
		return true;
	case 3:
		if (!huge)
			return false;
		for (unsigned int i = 0; i < 512; i++)
			p[i].page_2m = false;
		return true;
	case 4:
		if (!huge)
			return false;
		for (unsigned int i = 1; i < 512; i++)
			if (p[i].assigned != p[0].assigned || p[i].validated != p[0].validated)
				return false;
		for (unsigned int i = 0; i < 512; i++)
			p[i].page_2m = true;
		return true;
	default:
		return false;
	}
}

/* ---- Run VMPL: play the guest through the test's runner ---- */

static struct model_ap *ap_find(uint32_t apic_id, unsigned int vmpl)
{
	for (unsigned int i = 0; i < MODEL_MAX_APS; i++)
		if (M->aps[i].used && M->aps[i].apic_id == apic_id && M->aps[i].vmpl == vmpl)
			return &M->aps[i];
	return NULL;
}

/*
 * Called with the lock held; drops it while the runner plays the guest. Returns the error the
 * hypervisor reports (0 ok, 1 invalid VMPL / nothing to run, 2 VMSA not runnable).
 */
static uint32_t run_vmpl(unsigned int cpu, unsigned int vmpl)
{
	struct model_ap *ap = NULL;
	model_guest_fn fn = M->runner;
	void *arg = M->runner_arg;
	struct model_page *page = NULL;
	uint64_t vmsa = 0;

	if (vmpl == 0 || vmpl > 3 || !fn)
		return 1;
	ap = ap_find(cpu, vmpl);
	if (!ap)
		return 1;
	vmsa = ap->vmsa;
	page = model_page(vmsa);
	/* VMRUN needs a VMSA page with EFER.SVME (bit 12 of the qword at 0xD0) set. */
	if (!page || !page->vmsa || !(model_get64(M->ram + vmsa + 0xD0) & (1ull << 12)))
		return 2;
	page->running = true;
	model_lock_drop();
	fn(cpu, vmpl, gpa_init(vmsa), arg);
	model_lock_take();
	page = model_page(vmsa);
	if (page)
		page->running = false;
	return 0;
}

/* ---- The MSR protocol ---- */

static uint32_t cpuid_value(uint32_t fn, unsigned int reg)
{
	if (fn == 0x8000001f && reg == 0)
		return 0x0001007f;
	if (fn == 0x8000001f && reg == 1)
		return MODEL_CBIT | (1u << 12);
	return 0;
}

static uint64_t msr_protocol(unsigned int cpu, uint64_t req)
{
	uint64_t arg = 0;
	uint64_t resp = 0;
	unsigned int code = (unsigned int)(req & 0xFFF);

	switch (code) {
	case MSR_SEV_INFO_REQ: {
		uint64_t min = 1;
		uint64_t max = 2;

		if (model_lying(MODEL_LIE_SEV_INFO, NULL)) {
			min = 3;
			max = 4;
		}
		resp = 0x001 | (uint64_t)MODEL_CBIT << 24 | min << 32 | max << 48;
		break;
	}
	case MSR_CPUID_REQ:
		resp = 0x005 |
		       (uint64_t)cpuid_value((uint32_t)(req >> 32), (unsigned int)(req >> 30) & 3)
			       << 32;
		break;
	case MSR_REG_GPA_REQ: {
		uint64_t gfn = req >> 12;

		if (model_lying(MODEL_LIE_GHCB_GFN, NULL)) {
			resp = 0x013 | (gfn + 1) << 12;
			break;
		}
		if (model_page(gfn * MODEL_PAGE))
			M->cpu[cpu].ghcb_gpa = gfn * MODEL_PAGE;
		else
			gfn = 0xFFFFFFFFFFFFFull; /* not RAM: refused */
		resp = 0x013 | gfn << 12;
		break;
	}
	case MSR_PSC_REQ: {
		uint64_t err = 0;

		if (model_lying(MODEL_LIE_MSR_ERROR, &arg))
			err = arg;
		else if (!psc_apply((req >> 12) & ((1ull << 40) - 1), (req >> 52) & 0xF, false) ||
			 ((req >> 52) & 0xF) > 2)
			err = 1;
		resp = 0x015 | err << 32;
		break;
	}
	case MSR_VMPL_REQ: {
		uint64_t err = run_vmpl(cpu, (unsigned int)(req >> 32) & 0xFF);

		if (model_lying(MODEL_LIE_MSR_ERROR, &arg))
			err = arg;
		resp = 0x017 | err << 32;
		break;
	}
	case MSR_HV_FT_REQ: {
		uint64_t ft = MODEL_HV_FEATURES;

		if (model_lying(MODEL_LIE_HV_FEATURES, &arg))
			ft = arg;
		resp = 0x081 | ft << 12;
		break;
	}
	case MSR_TERM_REQ:
		M->terminated = true;
		M->term_set = (unsigned int)(req >> 12) & 0xF;
		M->term_code = (unsigned int)(req >> 16) & 0xFF;
		return req;
	default:
		return 0;
	}
	if (model_lying(MODEL_LIE_MSR_CODE, NULL))
		resp ^= 0x100; /* a different response code, same data */
	return resp;
}

/* ---- The GHCB page ---- */

struct ghcb_ctx {
	uint8_t *g; /* the GHCB page in model RAM */
	uint64_t gpa;
	unsigned int cpu;
	bool hide_valid;      /* MODEL_LIE_VALID_BITMAP */
	uint8_t in_valid[16]; /* the SVSM's valid bitmap: which inputs it supplied */
};

static bool valid(const struct ghcb_ctx *c, unsigned int off)
{
	unsigned int bit = off / 8;

	return (c->in_valid[bit / 8] >> (bit % 8)) & 1;
}

static bool get(const struct ghcb_ctx *c, unsigned int off, uint64_t *v)
{
	if (!valid(c, off))
		return false;
	*v = model_get64(c->g + off);
	return true;
}

/* Writes an output register; marks it valid unless the hypervisor is lying about that. */
static void put(struct ghcb_ctx *c, unsigned int off, uint64_t v)
{
	unsigned int bit = off / 8;

	model_put64(c->g + off, v);
	if (!c->hide_valid)
		c->g[M_GHCB_VALID + bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void result(struct ghcb_ctx *c, uint64_t info1, uint64_t info2)
{
	model_put64(c->g + M_GHCB_EXIT_INFO1, info1);
	model_put64(c->g + M_GHCB_EXIT_INFO2, info2);
}

static void invalid(struct ghcb_ctx *c, unsigned int err)
{
	result(c, 2, err);
}

/* SW_SCRATCH must point at len bytes inside this GHCB's shared buffer. */
static uint8_t *scratch(struct ghcb_ctx *c, uint64_t len)
{
	uint64_t s = 0;

	if (!get(c, M_GHCB_SCRATCH, &s) || s < c->gpa + M_GHCB_BUF || len > M_GHCB_BUF_END ||
	    s - c->gpa > M_GHCB_BUF_END - len)
		return NULL;
	return c->g + (s - c->gpa);
}

static void ev_ioio(struct ghcb_ctx *c, uint64_t info1)
{
	unsigned int port = (unsigned int)(info1 >> 16) & 0xFFFF;
	unsigned int szbits = (unsigned int)(info1 >> 4) & 7;
	uint32_t mask = szbits == 1 ? 0xFF : szbits == 2 ? 0xFFFF : 0xFFFFFFFF;
	uint64_t rax = 0;

	if ((szbits != 1 && szbits != 2 && szbits != 4) || (info1 & 0xC)) { /* no string/rep */
		invalid(c, ERR_INVALID_INPUT);
		return;
	}
	if (info1 & 1) {
		put(c, M_GHCB_RAX, M->io[port] & mask);
	} else {
		if (!get(c, M_GHCB_RAX, &rax)) {
			invalid(c, ERR_MISSING_INPUT);
			return;
		}
		M->io[port] = (uint32_t)rax & mask;
	}
	result(c, 0, 0);
}

static void ev_msr(struct ghcb_ctx *c, uint64_t info1)
{
	uint64_t rcx = 0, rax = 0, rdx = 0;
	uint64_t *slot = NULL;

	if (!get(c, M_GHCB_RCX, &rcx) || info1 > 1) {
		invalid(c, ERR_MISSING_INPUT);
		return;
	}
	if (info1 == 1) {
		if (!get(c, M_GHCB_RAX, &rax) || !get(c, M_GHCB_RDX, &rdx)) {
			invalid(c, ERR_MISSING_INPUT);
			return;
		}
		slot = model_msr_slot((uint32_t)rcx, true);
		if (!slot) {
			result(c, 1, 0x0D | (1ull << 31)); /* #GP: no room for another MSR */
			return;
		}
		*slot = (rdx << 32) | (uint32_t)rax;
	} else {
		slot = model_msr_slot((uint32_t)rcx, false);
		put(c, M_GHCB_RAX, slot ? (uint32_t)*slot : 0);
		put(c, M_GHCB_RDX, slot ? *slot >> 32 : 0);
	}
	result(c, 0, 0);
}

static void ev_mmio(struct ghcb_ctx *c, uint64_t info1, uint64_t info2, bool write)
{
	uint8_t *buf = scratch(c, info2);
	uint64_t base = M->cfg.ram_size;

	if (!buf || info2 == 0 || info2 > 8 || info1 < base ||
	    info1 - base > MODEL_MMIO_SIZE - info2) {
		invalid(c, buf ? ERR_INVALID_INPUT : ERR_INVALID_SCRATCH);
		return;
	}
	if (write)
		memcpy(M->mmio + (info1 - base), buf, info2);
	else
		memcpy(buf, M->mmio + (info1 - base), info2);
	result(c, 0, 0);
}

static void ev_psc(struct ghcb_ctx *c)
{
	uint8_t *buf = scratch(c, 8);
	uint64_t arg = 0;
	unsigned int cur = 0, end = 0, batch = PSC_MAX + 1;

	if (!buf) {
		invalid(c, ERR_INVALID_SCRATCH);
		return;
	}
	cur = buf[0] | buf[1] << 8;
	end = buf[2] | buf[3] << 8;
	if (end >= PSC_MAX || cur > end + 1 || !scratch(c, 8 + 8ull * (end + 1))) {
		invalid(c, ERR_INVALID_INPUT);
		return;
	}
	if (model_lying(MODEL_LIE_PSC_ERROR, &arg)) {
		result(c, 0, arg);
		return;
	}
	if (model_lying(MODEL_LIE_PSC_STALL, NULL)) {
		result(c, 0, 0);
		return;
	}
	if (model_lying(MODEL_LIE_PSC_BEYOND_END, NULL)) {
		buf[0] = (uint8_t)(end + 2);
		buf[1] = (uint8_t)((end + 2) >> 8);
		result(c, 0, 0);
		return;
	}
	/* Going backwards needs progress first: one honest entry, then the lie. */
	if (M->lie[MODEL_LIE_PSC_BACKWARDS].times && cur > 0) {
		model_lying(MODEL_LIE_PSC_BACKWARDS, NULL);
		buf[0] = (uint8_t)(cur - 1);
		buf[1] = (uint8_t)((cur - 1) >> 8);
		result(c, 0, 0);
		return;
	}
	if (M->lie[MODEL_LIE_PSC_BACKWARDS].times)
		batch = 1;
	else if (model_lying(MODEL_HONEST_PSC_BATCH, &arg))
		batch = (unsigned int)arg;
	for (unsigned int done = 0; cur <= end && done < batch; cur++, done++) {
		uint64_t e = model_get64(buf + 8 + 8 * cur);

		if (!psc_apply((e >> 12) & ((1ull << 40) - 1), (e >> 52) & 0xF, (e >> 56) & 1)) {
			buf[0] = (uint8_t)cur;
			buf[1] = (uint8_t)(cur >> 8);
			result(c, 0, PSC_ERR_GENERIC);
			return;
		}
	}
	buf[0] = (uint8_t)cur;
	buf[1] = (uint8_t)(cur >> 8);
	result(c, 0, 0);
}

/* A page the PSP or the hypervisor may touch: in RAM, page aligned, shared. */
static bool shared_page(uint64_t gpa, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		struct model_page *p = model_page(gpa + i * MODEL_PAGE);

		if (gpa % MODEL_PAGE || !p || p->assigned)
			return false;
	}
	return true;
}

static void ev_guest_request(struct ghcb_ctx *c, uint64_t req, uint64_t resp, bool ext)
{
	uint64_t arg = 0, certs = 0, npages = 0;
	uint32_t fw = 0;

	if (!shared_page(req, 1) || !shared_page(resp, 1)) {
		model_fault("guest request pages %#llx/%#llx not shared", (unsigned long long)req,
			    (unsigned long long)resp);
		invalid(c, ERR_INVALID_INPUT);
		return;
	}
	if (ext && (!get(c, M_GHCB_RAX, &certs) || !get(c, M_GHCB_RBX, &npages))) {
		invalid(c, ERR_MISSING_INPUT);
		return;
	}
	if (model_lying(MODEL_LIE_GREQ_BUSY, NULL)) {
		result(c, 0, GREQ_BUSY);
		return;
	}
	if (model_lying(MODEL_LIE_GREQ_INVALID_LEN, &arg)) {
		put(c, M_GHCB_RBX, arg);
		result(c, 0, GREQ_INVALID_LEN);
		return;
	}
	if (model_lying(MODEL_LIE_GREQ_FW_ERROR, &arg)) {
		result(c, 0, arg);
		return;
	}
	if (model_lying(MODEL_LIE_GREQ_DROP, NULL)) {
		result(c, 0, 0);
		return;
	}
	if (ext) {
		uint64_t need = (M->certs_len + MODEL_PAGE - 1) / MODEL_PAGE;

		if (npages < need) {
			put(c, M_GHCB_RBX, need);
			result(c, 0, GREQ_INVALID_LEN);
			return;
		}
		if (npages > 4096 || !shared_page(certs, npages)) {
			invalid(c, ERR_INVALID_INPUT);
			return;
		}
		memset(M->ram + certs, 0, npages * MODEL_PAGE);
		memcpy(M->ram + certs, M->certs, M->certs_len);
	}
	fw = model_psp_request(M->ram + req, M->ram + resp);
	if (fw) {
		result(c, 0, fw);
		return;
	}
	if (model_lying(MODEL_LIE_GREQ_CORRUPT, &arg))
		M->ram[resp + arg % MODEL_PAGE] ^= 0x01;
	result(c, 0, 0);
}

static void ev_ap_creation(struct ghcb_ctx *c, uint64_t info1, uint64_t vmsa)
{
	unsigned int req = (unsigned int)(info1 & 0xFFFF);
	unsigned int vmpl = (unsigned int)(info1 >> 16) & 0xF;
	uint32_t apic = (uint32_t)(info1 >> 32);
	struct model_ap *ap = ap_find(apic, vmpl);
	struct model_page *p = model_page(vmsa);
	uint64_t features = 0;

	if (req > 2 || vmpl > 3 || apic >= M->cfg.ncpus) {
		invalid(c, ERR_INVALID_INPUT);
		return;
	}
	if (req == 2) {
		if (ap)
			ap->used = false;
		M->ap_events++;
		result(c, 0, 0);
		return;
	}
	if (!get(c, M_GHCB_RAX, &features)) {
		invalid(c, ERR_MISSING_INPUT);
		return;
	}
	/* The VMSA page must be a VMSA page (RMPADJUST VMSA bit) carrying these features. */
	if (!p || vmsa % MODEL_PAGE || !p->vmsa || model_get64(M->ram + vmsa + 0x3B0) != features) {
		invalid(c, ERR_INVALID_INPUT);
		return;
	}
	for (unsigned int i = 0; !ap && i < MODEL_MAX_APS; i++)
		if (!M->aps[i].used)
			ap = &M->aps[i];
	if (!ap) {
		invalid(c, ERR_INVALID_INPUT);
		return;
	}
	ap->used = true;
	ap->apic_id = apic;
	ap->vmpl = vmpl;
	ap->vmsa = vmsa;
	M->ap_events++;
	result(c, 0, 0);
}

static void ghcb_event(struct ghcb_ctx *c)
{
	uint64_t code = 0, info1 = 0, info2 = 0, arg = 0;

	if (model_get32(c->g + M_GHCB_USAGE) != 0 ||
	    (c->g[M_GHCB_VERSION] | c->g[M_GHCB_VERSION + 1] << 8) != 2) {
		invalid(c, ERR_INVALID_USAGE);
		return;
	}
	if (!get(c, M_GHCB_EXIT_CODE, &code) || !get(c, M_GHCB_EXIT_INFO1, &info1) ||
	    !get(c, M_GHCB_EXIT_INFO2, &info2)) {
		invalid(c, ERR_MISSING_INPUT);
		return;
	}
	/* The hypervisor answers in the bitmap: from here on it holds only its outputs. */
	memcpy(c->in_valid, c->g + M_GHCB_VALID, 16);
	memset(c->g + M_GHCB_VALID, 0, 16);
	if (model_lying(MODEL_LIE_EXITINFO1, &arg)) {
		result(c, arg, 0);
		return;
	}
	c->hide_valid = model_lying(MODEL_LIE_VALID_BITMAP, NULL);
	switch (code) {
	case 0x7B:
		ev_ioio(c, info1);
		break;
	case 0x7C:
		ev_msr(c, info1);
		break;
	case 0x80000001:
	case 0x80000002:
		ev_mmio(c, info1, info2, code == 0x80000002);
		break;
	case 0x80000010:
		ev_psc(c);
		break;
	case 0x80000011:
	case 0x80000012:
		ev_guest_request(c, info1, info2, code == 0x80000012);
		break;
	case 0x80000013:
		ev_ap_creation(c, info1, info2);
		break;
	case 0x80000018:
		result(c, run_vmpl(c->cpu, (unsigned int)info1 & 0xFF) ? 2 : 0, 0);
		break;
	default:
		invalid(c, ERR_INVALID_EVENT);
		break;
	}
}

void model_hv_vmgexit(void)
{
	unsigned int cpu = model_current_cpu();
	struct model_cpu *mc = NULL;
	struct model_page *p = NULL;
	struct ghcb_ctx c;

	model_lock_take();
	mc = &M->cpu[cpu];
	if (mc->ghcb_msr & 0xFFF) {
		mc->ghcb_msr = msr_protocol(cpu, mc->ghcb_msr);
		model_lock_drop();
		return;
	}
	p = model_page(mc->ghcb_msr);
	if (!p || p->assigned || !p->decrypted) {
		/* A real hypervisor would read ciphertext here: the SVSM's mistake. */
		model_fault("VMGEXIT with GHCB %#llx that is %s", (unsigned long long)mc->ghcb_msr,
			    !p		  ? "not RAM"
			    : p->assigned ? "private"
					  : "mapped encrypted");
		model_lock_drop();
		return;
	}
	c.g = M->ram + mc->ghcb_msr;
	c.gpa = mc->ghcb_msr;
	c.cpu = cpu;
	c.hide_valid = false;
	memcpy(c.in_valid, c.g + M_GHCB_VALID, 16);
	if (mc->ghcb_gpa != mc->ghcb_msr)
		invalid(&c, ERR_NOT_REGISTERED);
	else
		ghcb_event(&c);
	model_lock_drop();
}
