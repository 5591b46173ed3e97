// SPDX-License-Identifier: MIT
/*
 * The per-vCPU request loop (kernel/protocols/loop.c, facts 1.4) on the SNP model: the model's
 * guest runner plays the guest firmware's BSP, which makes calls through its calling area
 * exactly as Linux does (registers in the VMSA, call_pending = 1, VMGEXIT), plus spurious
 * entries, exits that are not VMGEXIT, and a hypervisor that fails Run VMPL.
 */
#include <string.h>

#include "proto_harness.h"
#include "unit.h"

#define LOOP_LIST (PENV_BOOT_CAA + 8) /* Linux and OVMF put the PVALIDATE list in the CA */
#define LOOP_VBUF (PENV_BUF + 0x1000) /* the vTPM request / response buffer */
#define EXIT_INTR 0x60ull	      /* an exit code that is not VMGEXIT (0x403) */
#define MAX_STEPS 16

/* What the guest does before it stops, and what it finds when it runs again. */
struct step {
	uint64_t exit_code;
	uint8_t pending;
	struct svsm_regs in;
};
struct seen {
	struct svsm_regs out;
	uint8_t pending;
	bool svme;
};
struct guest {
	const struct step *steps;
	unsigned int n, next;
	unsigned int runs;
	struct seen seen[MAX_STEPS];
};

static void put_regs(uint8_t *v, const struct svsm_regs *r)
{
	snp_vmsa_set64(v, SNP_VMSA_RAX, r->rax);
	snp_vmsa_set64(v, SNP_VMSA_RCX, r->rcx);
	snp_vmsa_set64(v, SNP_VMSA_RDX, r->rdx);
	snp_vmsa_set64(v, SNP_VMSA_R8, r->r8);
	snp_vmsa_set64(v, SNP_VMSA_R9, r->r9);
}

static void get_regs(const uint8_t *v, struct svsm_regs *r)
{
	r->rax = snp_vmsa_get64(v, SNP_VMSA_RAX);
	r->rcx = snp_vmsa_get64(v, SNP_VMSA_RCX);
	r->rdx = snp_vmsa_get64(v, SNP_VMSA_RDX);
	r->r8 = snp_vmsa_get64(v, SNP_VMSA_R8);
	r->r9 = snp_vmsa_get64(v, SNP_VMSA_R9);
}

/*
 * The model's Run VMPL: record what the previous step left in the VMSA and the calling area,
 * then play the next step. Once the script is done the guest only VMGEXITs with nothing pending.
 */
static void guest_runner(unsigned int cpu, unsigned int vmpl, gpa_t vmsa, void *arg)
{
	struct guest *g = arg;
	uint8_t *v = model_ram(vmsa, SNP_VMSA_SIZE);
	uint8_t *caa = model_ram(gpa_init(PENV_BOOT_CAA), 1);

	(void)cpu;
	(void)vmpl;
	g->runs++;
	if (g->next > 0 && g->next <= MAX_STEPS) {
		struct seen *s = &g->seen[g->next - 1];

		get_regs(v, &s->out);
		s->pending = *caa;
		s->svme = (snp_vmsa_get64(v, SNP_VMSA_EFER) & SNP_EFER_SVME) != 0;
	}
	if (g->next >= g->n) {
		*caa = 0;
		snp_vmsa_set64(v, SNP_VMSA_GUEST_EXIT_CODE, SNP_EXIT_VMGEXIT);
		g->next++;
		return;
	}
	put_regs(v, &g->steps[g->next].in);
	*caa = g->steps[g->next].pending;
	snp_vmsa_set64(v, SNP_VMSA_GUEST_EXIT_CODE, g->steps[g->next].exit_code);
	g->next++;
}

/* The host learns the startup VMSA by AP creation, as the SVSM's boot will tell it. */
static void loop_env(struct proto_env *e, struct guest *g)
{
	penv_init(e, NULL);
	ASSERT(snp_ap_create(SNP_AP_CREATE_ON_INIT, 0, e->s.guest_vmpl, gpa_init(PENV_BOOT_VMSA),
			     e->features) == SNP_OK);
	model_set_guest_runner(guest_runner, g);
}

static void loop_env_fini(struct proto_env *e)
{
	model_set_guest_runner(NULL, NULL);
	penv_fini(e);
}

static void put_vtpm_startup(uint64_t gpa)
{
	/* {u32 cmd = 8 (TPM_SEND_COMMAND), u8 locality, u32 size, TPM2_Startup(CLEAR)} */
	static const uint8_t req[] = {8, 0, 0, 0,  0, 12, 0,	0,    0, 0x80, 0x01,
				      0, 0, 0, 12, 0, 0,  0x01, 0x44, 0, 0};

	penv_wr(gpa, req, sizeof(req));
}

UNIT_TEST(snp_loop_serves_calls)
{
	static const uint64_t pval = PENV_PAGES | 4u; /* 4 KiB, validate */
	const struct step steps[] = {
		/* 0 */ {SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
		/* 1 */
		{SNP_EXIT_VMGEXIT,
		 1,
		 {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), (2ull << 32) | 1, 0, 0, 0}},
		/* 2 */
		{SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(0, SVSM_CORE_PVALIDATE), LOOP_LIST, 0, 0, 0}},
		/* 3: spurious (host-initiated) */ {SNP_EXIT_VMGEXIT, 0, {0x1234, 5, 6, 7, 8}},
		/* 4: a call pending, but the guest stopped elsewhere */
		{EXIT_INTR, 1, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
		/* 5: the same call at its VMGEXIT */
		{SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
		/* 6 */ {SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(2, SVSM_VTPM_QUERY), 0, 0, 0, 0}},
		/* 7 */ {SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(2, SVSM_VTPM_CMD), LOOP_VBUF, 0, 0, 0}},
		/* 8: unknown protocol */ {SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(7, 0), 1, 2, 3, 4}},
		/* 9: reserved call_pending value */
		{SNP_EXIT_VMGEXIT, 2, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
	};
	unsigned int n = sizeof(steps) / sizeof(steps[0]);
	static struct proto_env e;
	static struct guest g;
	struct svsm_loop l;
	uint8_t rsp[14] = {0};
	const uint8_t *v = NULL;

	memset(&g, 0, sizeof(g));
	g.steps = steps;
	g.n = n;
	loop_env(&e, &g);
	penv_list(LOOP_LIST, 1, 0, &pval);
	put_vtpm_startup(LOOP_VBUF);
	ASSERT(!penv_rmp_validated(PENV_PAGES));

	svsm_loop_init(&l, &e.s, 0);
	l.max_rounds = n + 1; /* the last round records what step n - 1 left */
	EXPECT_EQ_U64(svsm_request_loop(&l), SVSM_LOOP_ROUNDS_DONE);
	EXPECT_EQ_U64(g.runs, n + 1);
	EXPECT_EQ_U64(l.stats.rounds, n + 1);
	EXPECT_EQ_U64(l.stats.calls, 8);
	EXPECT_EQ_U64(l.stats.spurious, 2);
	EXPECT_EQ_U64(l.stats.other_exits, 1);
	EXPECT_EQ_U64(l.stats.run_failures, 0);
	for (unsigned int i = 0; i < n; i++) {
		EXPECTF(g.seen[i].svme, "step %u: SVME not set again", i);
		/* Only step 4 (not at VMGEXIT) leaves call_pending set. */
		EXPECTF(g.seen[i].pending == (i == 4), "step %u: call_pending %u", i,
			g.seen[i].pending);
	}
	EXPECT_EQ_U64(g.seen[0].out.rax, SVSM_SUCCESS);
	EXPECT_EQ_U64(g.seen[0].out.rcx, (1ull << 32) | 1);
	EXPECT_EQ_U64(g.seen[1].out.rax, SVSM_SUCCESS);
	EXPECT_EQ_U64(g.seen[1].out.rcx, (1ull << 32) | 1);
	EXPECT_EQ_U64(g.seen[2].out.rax, SVSM_SUCCESS);
	EXPECT(penv_rmp_validated(PENV_PAGES) && penv_bm_validated(&e, PENV_PAGES));
	EXPECT_EQ_U64(penv_rd16(LOOP_LIST + 2), 1); /* next = entries processed */
	/* Spurious and non-VMGEXIT entries change no register. */
	EXPECT_EQ_U64(g.seen[3].out.rax, 0x1234);
	EXPECT_EQ_U64(g.seen[3].out.r9, 8);
	EXPECT_EQ_U64(g.seen[4].out.rax, SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL));
	EXPECT_EQ_U64(g.seen[4].out.rcx, 1);
	EXPECT_EQ_U64(g.seen[5].out.rax, SVSM_SUCCESS);
	EXPECT_EQ_U64(g.seen[5].out.rcx, (1ull << 32) | 1);
	EXPECT_EQ_U64(g.seen[6].out.rax, SVSM_SUCCESS);
	EXPECT_EQ_U64(g.seen[6].out.rcx, 1u << 8);
	EXPECT_EQ_U64(g.seen[7].out.rax, SVSM_SUCCESS);
	penv_rd(LOOP_VBUF, rsp, sizeof(rsp));
	EXPECT_EQ_U64(rsp[0] | rsp[1] << 8 | rsp[2] << 16 | (uint32_t)rsp[3] << 24, 10);
	EXPECT_EQ_U64(rsp[4] << 8 | rsp[5], 0x8001);		 /* TPM_ST_NO_SESSIONS */
	EXPECT_EQ_U64(rsp[10] | rsp[11] | rsp[12] | rsp[13], 0); /* TPM_RC_SUCCESS */
	/* Zero-extended results (Linux compares all 64 bits, facts 1.3). */
	EXPECT_EQ_U64(g.seen[8].out.rax, 0x0000000080000001ull);
	EXPECT_EQ_U64(g.seen[8].out.rcx, 1); /* untouched */
	EXPECT_EQ_U64(g.seen[9].out.rax, 0x0000000080000004ull);
	v = model_ram(gpa_init(PENV_BOOT_VMSA), SNP_VMSA_SIZE);
	EXPECT(snp_vmsa_get64(v, SNP_VMSA_EFER) & SNP_EFER_SVME);
	EXPECT_EQ_U64(model_faults(), 0);
	loop_env_fini(&e);
}

UNIT_TEST(snp_loop_survives_a_failing_run_vmpl)
{
	const struct step steps[] = {
		/* 0: the host runs the guest but answers an error: the call is not served */
		{SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
		/* 1: a wrong response code: the same */
		{SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
		/* 2: honest again */
		{SNP_EXIT_VMGEXIT, 1, {SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL), 1, 0, 0, 0}},
	};
	static struct proto_env e;
	static struct guest g;
	struct svsm_loop l;

	memset(&g, 0, sizeof(g));
	g.steps = steps;
	g.n = 3;
	loop_env(&e, &g);
	svsm_loop_init(&l, &e.s, 0);

	model_lie(MODEL_LIE_MSR_ERROR, 1, 1);
	EXPECT_EQ_U64(svsm_loop_round(&l), SVSM_ROUND_RUN_FAILED);
	model_lie(MODEL_LIE_MSR_CODE, 1, 0);
	EXPECT_EQ_U64(svsm_loop_round(&l), SVSM_ROUND_RUN_FAILED);
	EXPECT_EQ_U64(svsm_loop_round(&l), SVSM_ROUND_CALL);
	EXPECT_EQ_U64(svsm_loop_round(&l), SVSM_ROUND_SPURIOUS);
	EXPECT_EQ_U64(g.runs, 4);
	/* The failed rounds left the guest's call alone: still pending, RAX still the call. */
	EXPECT_EQ_U64(g.seen[0].pending, 1);
	EXPECT_EQ_U64(g.seen[0].out.rax, SVSM_CALL(0, SVSM_CORE_QUERY_PROTOCOL));
	EXPECT_EQ_U64(g.seen[1].pending, 1);
	EXPECT_EQ_U64(g.seen[2].pending, 0);
	EXPECT_EQ_U64(g.seen[2].out.rax, SVSM_SUCCESS);
	EXPECT_EQ_U64(g.seen[2].out.rcx, (1ull << 32) | 1);
	EXPECT_EQ_U64(l.stats.run_failures, 2);
	EXPECT_EQ_U64(l.stats.calls, 1);

	/* A host that never runs the guest: the loop gives up after the limit. */
	model_lie(MODEL_LIE_MSR_ERROR, MODEL_ALWAYS, 1);
	l.stats = (struct svsm_loop_stats){0};
	l.max_rounds = 1000;
	EXPECT_EQ_U64(svsm_request_loop(&l), SVSM_LOOP_HOST_FAILED);
	EXPECT_EQ_U64(l.stats.run_failures, SVSM_LOOP_MAX_RUN_FAILURES);
	EXPECT_EQ_U64(l.stats.calls + l.stats.spurious, 0);
	model_honest();
	/* A failure in between resets the count: the loop keeps going. */
	l.stats = (struct svsm_loop_stats){0};
	l.max_rounds = 2 * SVSM_LOOP_MAX_RUN_FAILURES;
	model_lie(MODEL_LIE_MSR_ERROR, SVSM_LOOP_MAX_RUN_FAILURES - 1, 1);
	EXPECT_EQ_U64(svsm_request_loop(&l), SVSM_LOOP_ROUNDS_DONE);
	EXPECT_EQ_U64(l.stats.run_failures, SVSM_LOOP_MAX_RUN_FAILURES - 1);
	EXPECT_EQ_U64(model_faults(), 0);
	loop_env_fini(&e);
}

static void count_idle(void *ctx)
{
	(*(unsigned int *)ctx)++;
}

UNIT_TEST(snp_loop_idles_without_a_vmsa)
{
	static struct proto_env e;
	static struct guest g;
	struct svsm_loop l;
	unsigned int idles = 0;

	memset(&g, 0, sizeof(g));
	loop_env(&e, &g);
	/* vCPU 1 has no guest VMSA yet (no CREATE_VCPU): nothing is run there. */
	model_bind_cpu(1);
	svsm_loop_init(&l, &e.s, 1);
	l.max_rounds = 3;
	l.idle = count_idle;
	l.ctx = &idles;
	EXPECT_EQ_U64(svsm_request_loop(&l), SVSM_LOOP_ROUNDS_DONE);
	EXPECT_EQ_U64(idles, 3);
	EXPECT_EQ_U64(l.stats.idle, 3);
	EXPECT_EQ_U64(g.runs, 0);
	model_bind_cpu(0);
	loop_env_fini(&e);
}
