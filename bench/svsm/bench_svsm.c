// SPDX-License-Identifier: MIT
/*
 * Host cost of the SVSM protocol layer on the SNP machine model (`make bench-svsm`): one
 * dispatched QUERY_PROTOCOL, one vTPM GetRandom through SVSM_VTPM_CMD, and validating (then
 * rescinding) 2 MiB as 512 4 KiB PVALIDATE entries against one 2 MiB entry. Built with -O2 and
 * no sanitizers. The model's PVALIDATE/RMPADJUST are function calls, not instructions, so the
 * figures measure Copra's own work (decoding, checks, bitmap, zeroing, locking), not the
 * hardware's. Nothing is asserted about time; only correctness failures stop the run.
 */
#include <copra/snp.h>
#include <copra/snp_vmsa.h>
#include <copra/svsm.h>
#include <lib/compiler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../../kernel/services/vtpm.h"
#include "../../tests/snp/model.h"

#define RAM	  (16ull << 20)
#define SVSM_BASE (12ull << 20)
#define SVSM_SIZE (4ull << 20)
#define BOOT_VMSA 0x101000ull
#define BOOT_CAA  0x102000ull
#define LIST	  0x103000ull /* page-aligned: room for 511 entries */
#define VBUF	  0x104000ull
#define RANGE	  0x200000ull /* the 2 MiB range validated and rescinded */
#define PAGE	  4096u

#define DIE(...)                                             \
	do {                                                 \
		fprintf(stderr, "bench-svsm: " __VA_ARGS__); \
		fprintf(stderr, "\n");                       \
		exit(1);                                     \
	} while (0)
#define NEED(cond)                                                          \
	do {                                                                \
		if (!(cond))                                                \
			DIE("%s:%d: %s failed", __FILE__, __LINE__, #cond); \
	} while (0)

/* The model's panic ends a unit test; here it ends the run. */
__noreturn void unit_abort_test(const char *file, int line, const char *expr);
__noreturn void unit_abort_test(const char *file, int line, const char *expr)
{
	DIE("%s:%d: %s", file, line, expr);
}

static uint8_t nv[TPM_NV_BLOB_MAX];
static size_t nv_len;
static bool nv_has;

static int b_entropy(void *ctx, void *buf, size_t len)
{
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static int b_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	if (!nv_has)
		return TPM_ERR_NO_STATE;
	memcpy(buf, nv, nv_len);
	*len = nv_len;
	return 0;
}

static int b_nv_commit(void *ctx, const void *buf, size_t len)
{
	memcpy(nv, buf, len);
	nv_len = len;
	nv_has = true;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t b_clock(void *ctx)
{
	return now_ns() / 1000000;
}

static void *b_alloc(void *ctx, size_t n)
{
	return calloc(1, n);
}

static void b_free(void *ctx, void *p)
{
	free(p);
}

static void *s_alloc(void *ctx, size_t n)
{
	return malloc(n);
}

static void s_free(void *ctx, void *p, size_t n)
{
	free(p);
}

static struct svsm_state S;
static struct vtpm V;

static uint8_t *gmem(uint64_t gpa, size_t len)
{
	uint8_t *p = model_ram(gpa_init(gpa), len);

	NEED(p != NULL);
	return p;
}

static void give(uint64_t gpa)
{
	bool cf = false;

	NEED(snp_pvalidate(gpa_init(gpa), SNP_PAGE_4K, true, &cf) == SNP_RMP_OK);
	NEED(snp_revoke_guest_access(gpa_init(gpa), SNP_PAGE_4K) == SNP_RMP_OK);
	NEED(snp_grant_guest_access(gpa_init(gpa), SNP_PAGE_4K, 2) == SNP_RMP_OK);
}

static void setup(void)
{
	static const uint32_t apic[1] = {0};
	static const struct tpm_platform plat = {
		NULL, b_entropy, b_nv_load, b_nv_commit, b_clock, b_alloc, b_free,
	};
	static struct guest_ram ram;
	struct boot_e820_entry map = {0, RAM, E820_USABLE, 0};
	struct model_config cfg;
	struct svsm_config sc;
	uint8_t *vmsa = NULL;

	model_default_config(&cfg);
	cfg.ram_size = RAM;
	cfg.svsm_base = SVSM_BASE;
	cfg.svsm_size = SVSM_SIZE;
	cfg.ncpus = 1;
	NEED(model_boot(&cfg) == 0);
	vmsa = gmem(BOOT_VMSA, SNP_VMSA_SIZE);
	snp_vmsa_init_guest(vmsa, 0xFFFFFFF0ull, 2, snp_sev_features());
	give(BOOT_VMSA);
	NEED(snp_make_guest_vmsa(gpa_init(BOOT_VMSA), 2) == SNP_RMP_OK);
	give(BOOT_CAA);
	give(LIST);
	give(VBUF);
	NEED(vtpm_init(&V, &plat) == TPM_OK);
	guest_ram_init(&ram, &map, 1, SVSM_BASE, SVSM_SIZE);
	sc = (struct svsm_config){
		.guest_vmpl = 2,
		.ram = &ram,
		.apic_ids = apic,
		.ncpus = 1,
		.boot_vmsa = gpa_init(BOOT_VMSA),
		.boot_caa = gpa_init(BOOT_CAA),
		.boot_sev_features = snp_vmsa_get64(vmsa, SNP_VMSA_SEV_FEATURES),
		.attest = true,
		.vtpm = &V,
		.alloc = {s_alloc, s_free, NULL},
	};
	NEED(svsm_init(&S, &sc) == SVSM_INIT_OK);
	NEED(svsm_note_validated(&S, gpa_init(LIST), 2) == RLE_OK);
}

/* One guest call through the entry path; returns RAX. */
static uint32_t call(uint32_t proto, uint32_t id, uint64_t rcx)
{
	struct svsm_regs r = {SVSM_CALL(proto, id), rcx, 0, 0, 0};

	gmem(BOOT_CAA, 1)[0] = 1;
	NEED(svsm_vcpu_entry(&S, 0, &r) == SVSM_ENTRY_DONE);
	return (uint32_t)r.rax;
}

static void tpm_send(const uint8_t *cmd, uint32_t len)
{
	uint8_t hdr[9] = {8, 0, 0, 0, 0};

	memcpy(hdr + 5, &len, 4);
	memcpy(gmem(VBUF, 9), hdr, 9);
	memcpy(gmem(VBUF + 9, len), cmd, len);
	NEED(call(SVSM_VTPM_PROTOCOL, SVSM_VTPM_CMD, VBUF) == SVSM_SUCCESS);
	NEED(gmem(VBUF + 4 + 6, 4)[3] == 0 && gmem(VBUF + 4 + 9, 1)[0] == 0); /* TPM_RC_SUCCESS */
}

/* A PVALIDATE list of n entries from `first` (4 KiB pages, or one 2 MiB page). */
static uint32_t pvalidate(uint64_t first, unsigned int n, bool two_m, bool validate)
{
	uint8_t *l = gmem(LIST, PAGE);
	uint16_t hdr[4] = {(uint16_t)n, 0, 0, 0};

	memcpy(l, hdr, sizeof(hdr));
	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = (first + (uint64_t)i * PAGE) | (two_m ? 1 : 0) | (validate ? 4 : 0);

		memcpy(l + 8 + 8 * i, &e, 8);
	}
	return call(SVSM_CORE_PROTOCOL, SVSM_CORE_PVALIDATE, LIST);
}

static void report(const char *what, uint64_t ns, unsigned int n)
{
	printf("  %-44s %10.2f us  (%u runs)\n", what, (double)ns / n / 1000.0, n);
}

int main(void)
{
	static const uint8_t startup[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
	static const uint8_t get_random[] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 32};
	struct model_rmp m;
	uint64_t t = 0;
	uint64_t val = 0;
	uint64_t inval = 0;
	const unsigned int nq = 200000;
	const unsigned int nt = 5000;
	const unsigned int np = 50;

	setup();
	printf("bench-svsm: host cost per SVSM call on the SNP model (-O2, no sanitizers)\n");

	t = now_ns();
	for (unsigned int i = 0; i < nq; i++)
		NEED(call(SVSM_CORE_PROTOCOL, SVSM_CORE_QUERY_PROTOCOL, SVSM_CALL(0, 1)) ==
		     SVSM_SUCCESS);
	report("QUERY_PROTOCOL (entry + dispatch)", now_ns() - t, nq);

	tpm_send(startup, sizeof(startup));
	t = now_ns();
	for (unsigned int i = 0; i < nt; i++)
		tpm_send(get_random, sizeof(get_random));
	report("VTPM_CMD TPM2_GetRandom(32)", now_ns() - t, nt);

	/* 512 x 4 KiB: two calls, as Linux batches them (the list holds at most 511 here). */
	for (unsigned int i = 0; i < np; i++) {
		t = now_ns();
		NEED(pvalidate(RANGE, 511, false, true) == SVSM_SUCCESS);
		NEED(pvalidate(RANGE + 511ull * PAGE, 1, false, true) == SVSM_SUCCESS);
		val += now_ns() - t;
		t = now_ns();
		NEED(pvalidate(RANGE, 511, false, false) == SVSM_SUCCESS);
		NEED(pvalidate(RANGE + 511ull * PAGE, 1, false, false) == SVSM_SUCCESS);
		inval += now_ns() - t;
	}
	report("PVALIDATE 2 MiB as 512 x 4 KiB: validate", val, np);
	report("PVALIDATE 2 MiB as 512 x 4 KiB: rescind", inval, np);

	/* The host hands out a 2 MiB RMP entry (as after a 2 MiB page-state change). */
	NEED(model_rmp_get(gpa_init(RANGE), &m));
	NEED(model_rmp_set_2m(gpa_init(RANGE), &m));
	val = inval = 0;
	for (unsigned int i = 0; i < np; i++) {
		t = now_ns();
		NEED(pvalidate(RANGE, 1, true, true) == SVSM_SUCCESS);
		val += now_ns() - t;
		t = now_ns();
		NEED(pvalidate(RANGE, 1, true, false) == SVSM_SUCCESS);
		inval += now_ns() - t;
	}
	report("PVALIDATE 2 MiB as one 2 MiB entry: validate", val, np);
	report("PVALIDATE 2 MiB as one 2 MiB entry: rescind", inval, np);

	svsm_fini(&S);
	vtpm_fini(&V);
	model_destroy();
	return 0;
}
