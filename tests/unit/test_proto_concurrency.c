// SPDX-License-Identifier: MIT
/*
 * Several model vCPUs (threads) calling the SVSM at once: PVALIDATE on private and shared
 * pages, CREATE_VCPU/DELETE_VCPU and DEPOSIT/WITHDRAW of pages another vCPU keeps trying to
 * validate, and vTPM commands. Checks: every answer is one the spec allows for the moment it
 * ran, no update is lost (each private page ends as its owner left it), the bitmap equals the
 * RMP, and the run ends (a deadlock trips the alarm). Worker threads never use EXPECT (the
 * harness is single-threaded); they count and the main thread checks.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "proto_harness.h"
#include "unit.h"

#define PRIV_PAGES 16u
#define SHARED	   (PENV_PAGES + 0x80000)
#define SHARED_N   8u
#define DEP_PAGE   (PENV_PAGES + 0xA0000)
#define ROUNDS	   400u

struct worker {
	struct proto_env *e;
	unsigned int cpu;
	uint64_t priv; /* first private page */
	bool priv_state[PRIV_PAGES];
	unsigned int calls;
	unsigned int bad;   /* answers the spec does not allow */
	uint32_t first_bad; /* the first such answer */
	const char *first_what;
	uint64_t rng;
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static void note(struct worker *w, bool ok, uint32_t rc, const char *what)
{
	w->calls++;
	if (ok)
		return;
	if (w->bad++ == 0) {
		w->first_bad = rc;
		w->first_what = what;
	}
}

static uint32_t call(struct worker *w, uint32_t proto, uint32_t id, uint64_t rcx, uint64_t rdx,
		     uint64_t r8)
{
	struct svsm_regs r = {SVSM_CALL(proto, id), rcx, rdx, r8, 0};
	enum svsm_entry entry = SVSM_ENTRY_SPURIOUS;
	uint32_t rc = penv_call_quiet(w->e, w->cpu, &r, &entry);

	if (entry != SVSM_ENTRY_DONE || (r.rax >> 32) != 0)
		note(w, false, rc, "entry");
	return rc;
}

static uint32_t pval(struct worker *w, uint64_t gpa, bool validate, bool ignore_cf)
{
	uint64_t list = penv_ap_caa(w->cpu) + 8;
	uint64_t ent = pval_entry(gpa, false, validate, ignore_cf);

	penv_list(list, 1, 0, &ent);
	return call(w, SVSM_CORE_PROTOCOL, SVSM_CORE_PVALIDATE, list, 0, 0);
}

static void get_random(struct worker *w)
{
	static const uint8_t cmd[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 16};
	uint64_t buf = PENV_BUF + 0x50000 + w->cpu * 0x2000ull;
	uint8_t hdr[9] = {8, 0, 0, 0, 0, sizeof(cmd), 0, 0, 0};
	uint8_t rsp[14];
	uint32_t rc = 0;

	penv_wr(buf, hdr, sizeof(hdr));
	penv_wr(buf + 9, cmd, sizeof(cmd));
	rc = call(w, SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD, buf, 0, 0);
	penv_rd(buf, rsp, sizeof(rsp));
	note(w, rc == SVSM_SUCCESS && rsp[0] == 28 && rsp[4 + 5] == 28 && rsp[4 + 9] == 0, rc,
	     "vtpm");
}

/* Private pages (exact answers), shared pages (ignore_cf: always SUCCESS), and pages that
 * another vCPU turns into VMSAs or deposits (never handed out: INVALID_ADDRESS or NOCHANGE). */
static void *pval_worker(void *arg)
{
	struct worker *w = arg;

	model_bind_cpu(w->cpu);
	for (unsigned int i = 0; i < ROUNDS; i++) {
		unsigned int k = (unsigned int)(rnd(w) % PRIV_PAGES);
		bool v = !w->priv_state[k];
		uint32_t rc = pval(w, w->priv + k * 0x1000ull, v, false);
		uint64_t hot = 0;

		note(w, rc == SVSM_SUCCESS, rc, "private page");
		if (rc == SVSM_SUCCESS)
			w->priv_state[k] = v;
		rc = pval(w, SHARED + (rnd(w) % SHARED_N) * 0x1000, rnd(w) & 1, true);
		note(w, rc == SVSM_SUCCESS, rc, "shared page");
		hot = (rnd(w) & 1) ? penv_ap_vmsa(4 + (unsigned int)(rnd(w) & 1), 0) : DEP_PAGE;
		rc = pval(w, hot, true, false);
		note(w, rc == SVSM_ERR_INVALID_ADDRESS || rc == SVSM_ERR_PVALIDATE_FAIL_NOCHANGE,
		     rc, "SVSM page");
		if (i % 8 == 0)
			get_random(w);
	}
	return NULL;
}

/* CREATE_VCPU/DELETE_VCPU of vCPUs 4 and 5, DEPOSIT/WITHDRAW of one page, vTPM. */
static void *vcpu_worker(void *arg)
{
	struct worker *w = arg;
	uint64_t list = penv_ap_caa(w->cpu) + 8;
	uint64_t out = PENV_BUF + 0x60000;

	model_bind_cpu(w->cpu);
	for (unsigned int i = 0; i < ROUNDS / 3; i++) {
		unsigned int apic = 4 + (i & 1);
		uint64_t vmsa = penv_ap_vmsa(apic, 0);
		uint64_t dep = DEP_PAGE;
		uint8_t *img = penv_ram(vmsa, SNP_VMSA_SIZE);
		uint32_t rc = 0;

		/* DELETE_VCPU cleared EFER.SVME: the guest makes the VMSA runnable again. */
		snp_vmsa_set64(img, SNP_VMSA_EFER,
			       snp_vmsa_get64(img, SNP_VMSA_EFER) | SNP_EFER_SVME);
		rc = call(w, SVSM_CORE_PROTOCOL, SVSM_CORE_CREATE_VCPU, vmsa, penv_ap_caa(apic),
			  apic);

		note(w, rc == SVSM_SUCCESS, rc, "create");
		rc = call(w, SVSM_CORE_PROTOCOL, SVSM_CORE_DELETE_VCPU, vmsa, 0, 0);
		note(w, rc == SVSM_SUCCESS, rc, "delete");
		penv_list(list, 1, 0, &dep);
		rc = call(w, SVSM_CORE_PROTOCOL, SVSM_CORE_DEPOSIT_MEM, list, 0, 0);
		note(w, rc == SVSM_SUCCESS, rc, "deposit");
		rc = call(w, SVSM_CORE_PROTOCOL, SVSM_CORE_WITHDRAW_MEM, out, 0, 0);
		note(w, rc == SVSM_SUCCESS && penv_rd16(out) == 1 && penv_rd64(out + 8) == DEP_PAGE,
		     rc, "withdraw");
		get_random(w);
	}
	return NULL;
}

static void alarm_handler(int sig)
{
	static const char msg[] = "proto_concurrency: no progress in 300 s (deadlock?)\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(3);
}

UNIT_TEST(proto_concurrency)
{
	static const uint8_t startup[] = {8, 0, 0, 0,  0, 12, 0,    0,	  0, 0x80, 0x01,
					  0, 0, 0, 12, 0, 0,  0x01, 0x44, 0, 0};
	struct proto_env e;
	struct worker w[3];
	pthread_t t[3];

	signal(SIGALRM, alarm_handler);
	alarm(300);
	penv_init(&e, NULL);
	penv_wr(PENV_BUF + 0x70000, startup, sizeof(startup));
	ASSERT(penv_call5(&e, 0, SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD, PENV_BUF + 0x70000, 0, 0, 0,
			  NULL) == SVSM_SUCCESS);
	for (unsigned int cpu = 1; cpu <= 3; cpu++) {
		penv_make_vmsa(&e, penv_ap_vmsa(cpu, 0), 2, e.features);
		ASSERT(penv_call5(&e, 0, 0, SVSM_CORE_CREATE_VCPU, penv_ap_vmsa(cpu, 0),
				  penv_ap_caa(cpu), cpu, 0, NULL) == SVSM_SUCCESS);
	}
	for (unsigned int apic = 4; apic <= 5; apic++)
		penv_make_vmsa(&e, penv_ap_vmsa(apic, 0), 2, e.features);
	ASSERT(penv_pval1(&e, 0, DEP_PAGE, false, true, false) == SVSM_SUCCESS);

	memset(w, 0, sizeof(w));
	for (unsigned int i = 0; i < 3; i++) {
		w[i].e = &e;
		w[i].cpu = i + 1;
		w[i].priv = PENV_PAGES + i * PRIV_PAGES * 0x1000ull;
		w[i].rng = 0x9E3779B97F4A7C15ull * (i + 1);
	}
	ASSERT(pthread_create(&t[0], NULL, pval_worker, &w[0]) == 0);
	ASSERT(pthread_create(&t[1], NULL, pval_worker, &w[1]) == 0);
	ASSERT(pthread_create(&t[2], NULL, vcpu_worker, &w[2]) == 0);
	for (unsigned int i = 0; i < 3; i++)
		ASSERT(pthread_join(t[i], NULL) == 0);
	model_bind_cpu(0);

	for (unsigned int i = 0; i < 3; i++) {
		EXPECTF(w[i].bad == 0, "vCPU %u: %u of %u answers wrong, first %#x (%s)", w[i].cpu,
			w[i].bad, w[i].calls, w[i].first_bad,
			w[i].first_what ? w[i].first_what : "");
		EXPECT(w[i].calls > 0);
	}
	/* No lost update: every private page is as its owner left it. */
	for (unsigned int i = 0; i < 2; i++) {
		for (unsigned int k = 0; k < PRIV_PAGES; k++) {
			uint64_t gpa = w[i].priv + k * 0x1000ull;

			EXPECTF(penv_rmp_validated(gpa) == w[i].priv_state[k] &&
					penv_bm_validated(&e, gpa) == w[i].priv_state[k],
				"page %#llx", (unsigned long long)gpa);
		}
	}
	EXPECT(penv_bitmap_matches_rmp(&e));
	EXPECT_EQ_U64(rle_count(&e.s.deposited), 0);
	EXPECT(!svsm_vcpu_vmsa(&e.s, 4, &(gpa_t){0}));
	EXPECT_EQ_U64(model_faults(), 0);
	penv_fini(&e);
	alarm(0);
}
