/* SPDX-License-Identifier: MIT */
/*
 * The GHCB page (facts 5.3): one per CPU, shared with the hypervisor, used by that CPU only.
 * The hypervisor may rewrite any byte of it at any time, so every field it answers in is read
 * once (READ_ONCE) into a local before it is checked, and only registers it marked valid are
 * believed.
 */
#include "snp_internal.h"
#include <lib/string.h>

_Static_assert(sizeof(struct snp_ghcb) == 4096, "facts 5.3: the GHCB is one 4 KiB page");
_Static_assert(GHCB_OFF(cpl) == 0x0CB, "facts 5.3");
_Static_assert(GHCB_OFF(xss) == 0x140, "facts 5.3");
_Static_assert(GHCB_OFF(dr7) == 0x160, "facts 5.3");
_Static_assert(GHCB_OFF(rax) == 0x1F8, "facts 5.3");
_Static_assert(GHCB_OFF(rcx) == 0x308, "facts 5.3");
_Static_assert(GHCB_OFF(rdx) == 0x310, "facts 5.3");
_Static_assert(GHCB_OFF(rbx) == 0x318, "facts 5.3");
_Static_assert(GHCB_OFF(rbp) == 0x328, "facts 5.3");
_Static_assert(GHCB_OFF(rdi) == 0x338, "facts 5.3");
_Static_assert(GHCB_OFF(r8_r15) == 0x340, "facts 5.3");
_Static_assert(GHCB_OFF(sw_exit_code) == 0x390, "facts 5.3");
_Static_assert(GHCB_OFF(sw_exit_info1) == 0x398, "facts 5.3");
_Static_assert(GHCB_OFF(sw_exit_info2) == 0x3A0, "facts 5.3");
_Static_assert(GHCB_OFF(sw_scratch) == 0x3A8, "facts 5.3");
_Static_assert(GHCB_OFF(xcr0) == 0x3E8, "facts 5.3");
_Static_assert(GHCB_OFF(valid_bitmap) == 0x3F0, "facts 5.3");
_Static_assert(GHCB_OFF(x87_state_gpa) == 0x400, "facts 5.3");
_Static_assert(GHCB_OFF(shared_buffer) == GHCB_SHARED_BUF_OFF, "facts 5.3");
_Static_assert(sizeof(((struct snp_ghcb *)0)->shared_buffer) == GHCB_SHARED_BUF_SIZE,
	       "facts 5.3: 2032 bytes");
_Static_assert(GHCB_OFF(protocol_version) == 0xFFA, "facts 5.3");
_Static_assert(GHCB_OFF(ghcb_usage) == 0xFFC, "facts 5.3");

/* Return convention of SW_EXITINFO1[31:0] (facts 5.3). */
#define GHCB_RESULT_OK	      0u
#define GHCB_RESULT_EXCEPTION 1u
#define GHCB_RESULT_INVALID   2u

struct snp_cpu_ghcb {
	struct snp_ghcb *ghcb;
	gpa_t gpa;
};

/* Written once per CPU by that CPU in snp_ghcb_setup_this_cpu(), read only by it afterwards. */
static struct snp_cpu_ghcb cpu_ghcbs[SNP_MAX_CPUS];

struct snp_ghcb *snp_ghcb_this_cpu(gpa_t *gpa)
{
	unsigned int cpu = snp_hw_cpu_index();

	CHECK(cpu < SNP_MAX_CPUS);
	*gpa = cpu_ghcbs[cpu].gpa;
	return cpu_ghcbs[cpu].ghcb;
}

/*
 * This CPU's GHCB: a fresh SVSM page, made shared (PVALIDATE rescind, then page-state change
 * to shared through the MSR protocol since no GHCB exists yet, facts 5.4 order), mapped
 * unencrypted, zeroed and registered (facts 5.2: mandatory under SNP).
 */
int snp_ghcb_setup_this_cpu(void)
{
	unsigned int cpu = snp_hw_cpu_index();
	vaddr_t va = va_init(0);
	gpa_t gpa = gpa_init(0);
	bool no_change = false;
	int err = SNP_OK;

	CHECK(cpu < SNP_MAX_CPUS);
	if (cpu_ghcbs[cpu].ghcb)
		return SNP_OK;
	if (!snp_hw_alloc_pages(1, &va, &gpa))
		return SNP_EIO;
	if (snp_pvalidate_va(va, SNP_PAGE_4K, false, &no_change) != SNP_RMP_OK || no_change)
		return SNP_EIO;
	err = snp_msr_psc(gpa, true);
	if (err != SNP_OK)
		return err;
	snp_hw_set_encrypted(va, 1, false);
	memset(va_ptr(va), 0, SNP_PAGE_SIZE);
	err = snp_msr_register_ghcb(gpa);
	if (err != SNP_OK)
		return err;
	cpu_ghcbs[cpu].gpa = gpa;
	cpu_ghcbs[cpu].ghcb = va_ptr(va);
	return SNP_OK;
}

#ifdef COPRA_HOST
void snp_ghcb_forget(void)
{
	memset(cpu_ghcbs, 0, sizeof(cpu_ghcbs));
}
#endif

void snp_ghcb_clear(struct snp_ghcb *g)
{
	/* Everything below the shared buffer: registers, exit fields, valid bitmap. */
	memset(g, 0, GHCB_SHARED_BUF_OFF);
}

void snp_ghcb_set(struct snp_ghcb *g, unsigned int off, uint64_t v)
{
	unsigned int bit = off / 8;

	CHECK(IS_ALIGNED(off, 8) && bit < 128);
	WRITE_ONCE(*(uint64_t *)((uint8_t *)g + off), v);
	g->valid_bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

bool snp_ghcb_get(const struct snp_ghcb *g, unsigned int off, uint64_t *v)
{
	unsigned int bit = off / 8;
	uint8_t byte = 0;

	CHECK(IS_ALIGNED(off, 8) && bit < 128);
	byte = READ_ONCE(g->valid_bitmap[bit / 8]);
	if (!(byte & (1u << (bit % 8))))
		return false;
	*v = READ_ONCE(*(const uint64_t *)((const uint8_t *)g + off));
	return true;
}

int snp_ghcb_call(struct snp_ghcb *g, gpa_t gpa, uint64_t exit_code, uint64_t info1, uint64_t info2,
		  uint64_t *out_info2)
{
	uint64_t result = 0;

	snp_ghcb_set(g, GHCB_OFF(sw_exit_code), exit_code);
	snp_ghcb_set(g, GHCB_OFF(sw_exit_info1), info1);
	snp_ghcb_set(g, GHCB_OFF(sw_exit_info2), info2);
	WRITE_ONCE(g->protocol_version, GHCB_PROTOCOL_VERSION);
	WRITE_ONCE(g->ghcb_usage, 0);
	snp_hw_ghcb_msr_write(gpa_addr(gpa));
	snp_hw_vmgexit();
	/* The exit fields are always answers: they need no valid bit, only a sane value. */
	result = READ_ONCE(g->sw_exit_info1);
	switch ((uint32_t)result) {
	case GHCB_RESULT_OK:
		break;
	case GHCB_RESULT_EXCEPTION: /* the hypervisor wants an exception injected: refuse */
	case GHCB_RESULT_INVALID:   /* it refused our input: nothing was done */
	default:		    /* not part of the protocol at all */
		return SNP_EIO;
	}
	if (out_info2)
		*out_info2 = READ_ONCE(g->sw_exit_info2);
	return SNP_OK;
}
