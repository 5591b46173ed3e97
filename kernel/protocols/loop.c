/* SPDX-License-Identifier: MIT */
/*
 * The per-vCPU request loop (facts 1.4): the SVSM asks the host to run the guest VMSA of this
 * vCPU (GHCB MSR protocol Run VMPL, facts 5.2), and when the guest comes back serves the call
 * its calling area announces.
 *
 * Which VMSA: the one the SVSM records as current for this APIC ID (the newest CREATE_VCPU, or
 * the startup VMSA). The hypervisor does not say which VMSA it ran; while Linux replaces an
 * AP's VMSA the old one is offline, so the newest is the one that can call.
 *
 * Locks: s->lock (read) is held only around stopping and resuming the VMSA, to check that its
 * record still exists: DELETE_VCPU on another vCPU (which takes s->lock for writing) may give
 * the page back to the guest while this vCPU serves a call, and the loop must then not write
 * into it. The call itself runs with no lock held (svsm_caller_entry takes its own).
 */
#include <copra/panic.h>
#include <copra/snp_vmsa.h>

#include "svsm_internal.h"

void svsm_loop_init(struct svsm_loop *l, struct svsm_state *s, uint32_t apic_id)
{
	*l = (struct svsm_loop){
		.s = s,
		.apic_id = apic_id,
		.max_rounds = 0,
		.max_run_failures = SVSM_LOOP_MAX_RUN_FAILURES,
	};
}

/* The caller record still names the same VMSA. Caller holds s->lock (either mode). */
static bool caller_current(const struct svsm_state *s, const struct svsm_caller *c)
{
	const struct svsm_vcpu *v = &s->vcpus[c->vcpu];

	return v->used && gpa_addr(v->vmsa) == gpa_addr(c->rec.vmsa);
}

/* false when the record is gone (nothing was touched). */
static bool vmsa_stop(struct svsm_state *s, const struct svsm_caller *c, uint64_t *exit_code,
		      struct snp_vmsa_gprs *g)
{
	bool ok = false;

	rw_read_lock(&s->lock);
	if (caller_current(s, c)) {
		/* A registered VMSA page that cannot be mapped is a broken invariant. */
		CHECK(snp_vmsa_stop(c->rec.vmsa, exit_code, g) == SNP_OK);
		ok = true;
	}
	rw_read_unlock(&s->lock);
	return ok;
}

static void vmsa_resume(struct svsm_state *s, const struct svsm_caller *c,
			const struct snp_vmsa_gprs *g)
{
	rw_read_lock(&s->lock);
	if (caller_current(s, c))
		CHECK(snp_vmsa_resume(c->rec.vmsa, g) == SNP_OK);
	rw_read_unlock(&s->lock);
}

/* Serves the exit of the VMSA in c (facts 1.4 steps 1-4). */
static enum svsm_round serve(struct svsm_state *s, struct svsm_caller *c)
{
	struct snp_vmsa_gprs g = {0};
	struct svsm_regs r = {0};
	uint64_t exit_code = 0;
	enum svsm_entry e = SVSM_ENTRY_SPURIOUS;

	if (!vmsa_stop(s, c, &exit_code, &g))
		return SVSM_ROUND_IDLE;
	/* Not at a VMGEXIT boundary (an interrupt, a host-forced exit): no call to look at. */
	if (exit_code != SNP_EXIT_VMGEXIT) {
		vmsa_resume(s, c, NULL);
		return SVSM_ROUND_OTHER_EXIT;
	}
	r = (struct svsm_regs){g.rax, g.rcx, g.rdx, g.r8, g.r9};
	e = svsm_caller_entry(s, c, &r);
	switch (e) {
	case SVSM_ENTRY_DONE:
		/* RAX is the zero-extended result; the others are the inputs unless defined. */
		g = (struct snp_vmsa_gprs){r.rax, r.rcx, r.rdx, r.r8, r.r9};
		vmsa_resume(s, c, &g);
		return SVSM_ROUND_CALL;
	case SVSM_ENTRY_GONE:
		return SVSM_ROUND_GONE;
	case SVSM_ENTRY_SPURIOUS:
	default:
		vmsa_resume(s, c, NULL);
		return SVSM_ROUND_SPURIOUS;
	}
}

enum svsm_round svsm_loop_round(struct svsm_loop *l)
{
	struct svsm_caller c = {0};
	enum svsm_round round = SVSM_ROUND_IDLE;

	l->stats.rounds++;
	if (!svsm_caller_get(l->s, l->apic_id, &c)) {
		l->stats.idle++;
		return SVSM_ROUND_IDLE;
	}
	if (snp_run_vmpl(c.rec.vmpl) != SNP_OK) {
		l->stats.run_failures++;
		return SVSM_ROUND_RUN_FAILED;
	}
	/* Another vCPU may have changed the record while the guest ran: take it again. */
	if (!svsm_caller_get(l->s, l->apic_id, &c)) {
		l->stats.idle++;
		return SVSM_ROUND_IDLE;
	}
	round = serve(l->s, &c);
	switch (round) {
	case SVSM_ROUND_CALL:
		l->stats.calls++;
		break;
	case SVSM_ROUND_SPURIOUS:
		l->stats.spurious++;
		break;
	case SVSM_ROUND_OTHER_EXIT:
		l->stats.other_exits++;
		break;
	case SVSM_ROUND_GONE:
		l->stats.gone++;
		break;
	default:
		l->stats.idle++;
		break;
	}
	return round;
}

enum svsm_loop_end svsm_request_loop(struct svsm_loop *l)
{
	unsigned int failures = 0;

	CHECK(l->max_run_failures >= 1);
	for (uint64_t n = 0; l->max_rounds == 0 || n < l->max_rounds; n++) {
		enum svsm_round round = svsm_loop_round(l);

		if (round == SVSM_ROUND_RUN_FAILED) {
			if (++failures >= l->max_run_failures)
				return SVSM_LOOP_HOST_FAILED;
		} else {
			failures = 0;
		}
		if ((round == SVSM_ROUND_IDLE || round == SVSM_ROUND_RUN_FAILED) && l->idle)
			l->idle(l->ctx);
	}
	return SVSM_LOOP_ROUNDS_DONE;
}
