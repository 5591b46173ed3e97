/* SPDX-License-Identifier: MIT */
/*
 * The GHCB MSR protocol (kernel/platform/snp/msr_protocol.c) and the platform set-up on the
 * machine model: an honest hypervisor, then each lie, which must give an error and leave the
 * machine as it was.
 */
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <pthread.h>
#include <string.h>

#include "../../kernel/platform/snp/snp_internal.h"
#include "../snp/model.h"
#include "unit.h"

#define VMSA_GPA 0x203000ull /* never 2 MiB aligned (facts 5.6 erratum) */

UNIT_TEST(snp_setup_honest)
{
	struct model_rmp e;
	uint64_t ghcb = 0;

	ASSERT(model_boot(NULL) == 0);
	ghcb = model_ghcb_registered(0);
	ASSERT(ghcb != ~0ull);
	EXPECT_EQ_U64(model_ghcb_msr(0), ghcb); /* the MSR is left holding the GHCB GPA */
	ASSERT(model_rmp_get(gpa_init(ghcb), &e));
	EXPECT(!e.assigned && !e.validated); /* rescinded, then shared */
	EXPECT(ghcb >= model_config()->svsm_base);
	EXPECT_EQ_U64(snp_sev_features(), model_config()->sev_status >> 2);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

/* Each lie during set-up makes it fail, and no GHCB gets registered or used. */
static void setup_fails_with(enum model_lie lie, uint64_t arg)
{
	ASSERT(model_create(NULL) == 0);
	model_lie(lie, MODEL_ALWAYS, arg);
	EXPECTF(snp_platform_setup(model_secrets_gpa()) == SNP_EIO, "lie %d", lie);
	EXPECTF(model_lies_told(lie) >= 1, "lie %d never told", lie);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

UNIT_TEST(snp_setup_refuses_lies)
{
	setup_fails_with(MODEL_LIE_SEV_INFO, 0);
	setup_fails_with(MODEL_LIE_MSR_CODE, 0);
	setup_fails_with(MODEL_LIE_HV_FEATURES, 0x1);  /* SNP only: no AP creation, no VMPLs */
	setup_fails_with(MODEL_LIE_HV_FEATURES, 0x21); /* no AP creation */
	setup_fails_with(MODEL_LIE_GHCB_GFN, 0);
	setup_fails_with(MODEL_LIE_MSR_ERROR, 1); /* the GHCB's page-state change */
}

UNIT_TEST(snp_setup_wrong_gfn_registers_nothing)
{
	ASSERT(model_create(NULL) == 0);
	model_lie(MODEL_LIE_GHCB_GFN, 1, 0);
	EXPECT_EQ_U64(snp_platform_setup(model_secrets_gpa()), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(model_ghcb_registered(0), ~0ull);
	model_honest();
	/* Nothing half-done is trusted: GHCB services stay unavailable on this CPU. */
	EXPECT_EQ_U64(snp_msr_write(0x10, 1), (uint64_t)SNP_EIO);
	model_destroy();
}

UNIT_TEST(snp_msr_cpuid_and_terminate)
{
	uint32_t v = 0;
	unsigned int set = 0, code = 0;

	ASSERT(model_boot(NULL) == 0);
	EXPECT_EQ_U64(snp_msr_cpuid(0x8000001f, 0, &v), SNP_OK);
	EXPECT_EQ_U64(v, 0x0001007f);
	EXPECT_EQ_U64(snp_msr_cpuid(0x8000001f, 4, &v), (uint64_t)SNP_EINVAL);
	model_lie(MODEL_LIE_MSR_CODE, 1, 0);
	v = 0x1234;
	EXPECT_EQ_U64(snp_msr_cpuid(0x8000001f, 0, &v), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(v, 0x1234);
	/* The MSR protocol saves and restores the GHCB GPA around each exchange. */
	EXPECT_EQ_U64(model_ghcb_msr(0), model_ghcb_registered(0));
	EXPECT(!model_terminated(&set, &code));
	snp_msr_term_request(1, 7);
	EXPECT(model_terminated(&set, &code));
	EXPECT_EQ_U64(set, 1);
	EXPECT_EQ_U64(code, 7);
	model_destroy();
}

UNIT_TEST(snp_msr_psc_one_page)
{
	struct model_rmp e;

	ASSERT(model_boot(NULL) == 0);
	EXPECT_EQ_U64(snp_msr_psc(gpa_init(0x5000), true), SNP_OK);
	ASSERT(model_rmp_get(gpa_init(0x5000), &e));
	EXPECT(!e.assigned);
	EXPECT_EQ_U64(snp_msr_psc(gpa_init(0x5000), false), SNP_OK);
	ASSERT(model_rmp_get(gpa_init(0x5000), &e));
	EXPECT(e.assigned && !e.validated);
	EXPECT_EQ_U64(snp_msr_psc(gpa_init(0x5008), true), (uint64_t)SNP_EINVAL);
	model_lie(MODEL_LIE_MSR_ERROR, 1, 5);
	EXPECT_EQ_U64(snp_msr_psc(gpa_init(0x5000), true), (uint64_t)SNP_EIO);
	ASSERT(model_rmp_get(gpa_init(0x5000), &e));
	EXPECT(e.assigned); /* the lying host did nothing */
	model_destroy();
}

struct runner_log {
	unsigned int calls;
	unsigned int cpu, vmpl;
	uint64_t vmsa;
	bool running_seen;
};

/* Plays the guest: notes what it was given and makes a VMGEXIT with RAX = 0x42. */
static void guest_runner(unsigned int cpu, unsigned int vmpl, gpa_t vmsa, void *arg)
{
	struct runner_log *log = arg;
	uint8_t *p = model_ram(vmsa, SNP_VMSA_SIZE);

	log->calls++;
	log->cpu = cpu;
	log->vmpl = vmpl;
	log->vmsa = gpa_addr(vmsa);
	log->running_seen = model_vmsa_running(vmsa);
	snp_vmsa_set64(p, SNP_VMSA_RAX, 0x42);
	snp_vmsa_set64(p, SNP_VMSA_GUEST_EXIT_CODE, SNP_EXIT_VMGEXIT);
}

/* The guest BSP's VMSA: a validated guest page, made a VMSA, registered with the host. */
static void register_guest_bsp(void)
{
	struct model_rmp e;
	uint8_t *p = model_ram(gpa_init(VMSA_GPA), SNP_VMSA_SIZE);

	memset(&e, 0, sizeof(e));
	e.assigned = e.validated = true;
	ASSERT(model_rmp_set(gpa_init(VMSA_GPA), &e));
	snp_vmsa_init_guest(p, 0xFFFFFFF0, 2, snp_sev_features());
	ASSERT(snp_make_guest_vmsa(gpa_init(VMSA_GPA), 2) == SNP_RMP_OK);
	ASSERT(snp_ap_create(SNP_AP_CREATE_ON_INIT, 0, 2, gpa_init(VMSA_GPA),
			     snp_vmsa_get64(p, SNP_VMSA_SEV_FEATURES)) == SNP_OK);
}

UNIT_TEST(snp_run_vmpl)
{
	struct runner_log log;
	uint8_t *p = NULL;

	memset(&log, 0, sizeof(log));
	ASSERT(model_boot(NULL) == 0);
	EXPECT_EQ_U64(snp_run_vmpl(2), (uint64_t)SNP_EIO); /* nothing to run yet */
	register_guest_bsp();
	model_set_guest_runner(guest_runner, &log);
	EXPECT_EQ_U64(snp_run_vmpl(2), SNP_OK);
	EXPECT_EQ_U64(log.calls, 1);
	EXPECT_EQ_U64(log.cpu, 0);
	EXPECT_EQ_U64(log.vmpl, 2);
	EXPECT_EQ_U64(log.vmsa, VMSA_GPA);
	EXPECT(log.running_seen);
	EXPECT(!model_vmsa_running(gpa_init(VMSA_GPA)));
	p = model_ram(gpa_init(VMSA_GPA), SNP_VMSA_SIZE);
	EXPECT_EQ_U64(snp_vmsa_get64(p, SNP_VMSA_RAX), 0x42);
	EXPECT_EQ_U64(model_ghcb_msr(0), model_ghcb_registered(0));
	/* Bad arguments never reach the host. */
	EXPECT_EQ_U64(snp_run_vmpl(0), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(snp_run_vmpl(4), (uint64_t)SNP_EINVAL);
	EXPECT_EQ_U64(log.calls, 1);
	/* An error, a wrong response code: errors. */
	model_lie(MODEL_LIE_MSR_ERROR, 1, 1);
	EXPECT_EQ_U64(snp_run_vmpl(2), (uint64_t)SNP_EIO);
	model_lie(MODEL_LIE_MSR_CODE, 1, 0);
	EXPECT_EQ_U64(snp_run_vmpl(2), (uint64_t)SNP_EIO);
	/* A VMSA with SVME clear is not runnable. */
	EXPECT_EQ_U64(snp_vmsa_disable(gpa_init(VMSA_GPA)), SNP_OK);
	log.calls = 0;
	EXPECT_EQ_U64(snp_run_vmpl(2), (uint64_t)SNP_EIO);
	EXPECT_EQ_U64(log.calls, 0);
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}

struct ap_arg {
	unsigned int cpu;
	int err;
};

static void *ap_thread(void *p)
{
	struct ap_arg *a = p;

	model_bind_cpu(a->cpu);
	a->err = snp_cpu_setup();
	return NULL;
}

UNIT_TEST(snp_cpu_setup_per_cpu_ghcb)
{
	struct ap_arg args[3];
	pthread_t t[3];

	ASSERT(model_boot(NULL) == 0);
	for (unsigned int i = 0; i < 3; i++) {
		args[i].cpu = i + 1;
		args[i].err = 1;
		ASSERT(pthread_create(&t[i], NULL, ap_thread, &args[i]) == 0);
	}
	for (unsigned int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ_U64(args[i].err, SNP_OK);
		EXPECT(model_ghcb_registered(i + 1) != ~0ull);
		EXPECT(model_ghcb_registered(i + 1) != model_ghcb_registered(0));
		for (unsigned int j = 0; j < i; j++)
			EXPECT(model_ghcb_registered(i + 1) != model_ghcb_registered(j + 1));
	}
	EXPECT_EQ_U64(model_faults(), 0);
	model_destroy();
}
