// SPDX-License-Identifier: MIT
/* Host-test harness for the SVSM protocol layer on the SNP model (see proto_harness.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "proto_harness.h"
#include "unit.h"

/* ---- the vTPM's platform: in-memory NV, the host's entropy and clock ---- */

static int p_entropy(void *ctx, void *buf, size_t len)
{
	uint8_t *b = buf;

	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(b, len, 0);

		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int p_nv_load(void *ctx, void *buf, size_t cap, size_t *len)
{
	struct proto_env *e = ctx;

	if (!e->nv_has)
		return TPM_ERR_NO_STATE;
	if (e->nv_len > cap)
		return TPM_ERR_PLATFORM;
	memcpy(buf, e->nv, e->nv_len);
	*len = e->nv_len;
	return 0;
}

static int p_nv_commit(void *ctx, const void *buf, size_t len)
{
	struct proto_env *e = ctx;

	if (len > TPM_NV_BLOB_MAX)
		return -1;
	memcpy(e->nv, buf, len);
	e->nv_len = len;
	e->nv_has = true;
	return 0;
}

static uint64_t p_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *p_alloc(void *ctx, size_t n)
{
	(void)ctx;
	return calloc(1, n);
}

static void p_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

/* ---- the protocol state's allocator, with an optional failure budget ---- */

static void *s_alloc(void *ctx, size_t bytes)
{
	struct proto_env *e = ctx;

	if (e->alloc_budget == 0)
		return NULL;
	if (e->alloc_budget != UINT64_MAX)
		e->alloc_budget--;
	return malloc(bytes);
}

static void s_free(void *ctx, void *p, size_t bytes)
{
	(void)ctx;
	(void)bytes;
	free(p);
}

/* ---- guest memory ---- */

void *penv_ram(uint64_t gpa, size_t len)
{
	void *p = model_ram(gpa_init(gpa), len);

	ASSERT(p != NULL);
	return p;
}

void penv_wr(uint64_t gpa, const void *p, size_t len)
{
	memcpy(penv_ram(gpa, len), p, len);
}

void penv_rd(uint64_t gpa, void *p, size_t len)
{
	memcpy(p, penv_ram(gpa, len), len);
}

uint64_t penv_rd64(uint64_t gpa)
{
	uint64_t v = 0;

	penv_rd(gpa, &v, sizeof(v));
	return v;
}

uint16_t penv_rd16(uint64_t gpa)
{
	uint16_t v = 0;

	penv_rd(gpa, &v, sizeof(v));
	return v;
}

void penv_prevalidate(struct proto_env *e, uint64_t gpa, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		gpa_t g = gpa_init(gpa + i * MODEL_PAGE);
		bool cf = false;

		ASSERT(snp_pvalidate(g, SNP_PAGE_4K, true, &cf) == SNP_RMP_OK && !cf);
		ASSERT(snp_revoke_guest_access(g, SNP_PAGE_4K) == SNP_RMP_OK);
		ASSERT(snp_grant_guest_access(g, SNP_PAGE_4K, e->s.guest_vmpl) == SNP_RMP_OK);
	}
	ASSERT(svsm_note_validated(&e->s, gpa_init(gpa), npages) == RLE_OK);
}

void penv_make_vmsa(struct proto_env *e, uint64_t gpa, unsigned int vmpl, uint64_t features)
{
	static uint8_t v[SNP_VMSA_SIZE];

	snp_vmsa_init_guest(v, 0xFFFFFFF0ull, vmpl >= 1 && vmpl <= 3 ? vmpl : 1, e->features);
	v[SNP_VMSA_VMPL] = (uint8_t)vmpl;
	snp_vmsa_set64(v, SNP_VMSA_EFER, snp_vmsa_get64(v, SNP_VMSA_EFER) | SNP_EFER_SVME);
	snp_vmsa_set64(v, SNP_VMSA_SEV_FEATURES, features);
	penv_wr(gpa, v, sizeof(v));
}

void penv_init(struct proto_env *e, const struct penv_opts *opts)
{
	static const struct penv_opts none;
	struct model_config cfg;
	struct boot_e820_entry map = {0, PENV_RAM_SIZE, E820_USABLE, 0};
	struct tpm_platform plat;
	struct svsm_config scfg;
	static uint8_t vmsa[SNP_VMSA_SIZE];
	bool cf = false;
	unsigned int vmpl = 0;

	if (!opts)
		opts = &none;
	memset(e, 0, sizeof(*e));
	e->alloc_budget = UINT64_MAX;
	model_default_config(&cfg);
	cfg.ram_size = PENV_RAM_SIZE;
	cfg.svsm_base = PENV_SVSM_BASE;
	cfg.svsm_size = PENV_SVSM_SIZE;
	cfg.ncpus = PENV_NCPUS;
	vmpl = cfg.guest_vmpl;
	ASSERT(model_boot(&cfg) == 0);
	for (unsigned int cpu = 1; cpu < PENV_NCPUS; cpu++) {
		model_bind_cpu(cpu);
		ASSERT(snp_cpu_setup() == SNP_OK);
	}
	model_bind_cpu(0);

	/* What the SVSM's boot does for the guest firmware's BSP: a VMSA page and a CA. */
	snp_vmsa_init_guest(vmsa, 0xFFFFFFF0ull, vmpl, snp_sev_features());
	e->features = snp_vmsa_get64(vmsa, SNP_VMSA_SEV_FEATURES);
	ASSERT(snp_pvalidate(gpa_init(PENV_BOOT_VMSA), SNP_PAGE_4K, true, &cf) == SNP_RMP_OK);
	penv_wr(PENV_BOOT_VMSA, vmsa, sizeof(vmsa));
	ASSERT(snp_make_guest_vmsa(gpa_init(PENV_BOOT_VMSA), vmpl) == SNP_RMP_OK);
	ASSERT(snp_pvalidate(gpa_init(PENV_BOOT_CAA), SNP_PAGE_4K, true, &cf) == SNP_RMP_OK);
	ASSERT(snp_revoke_guest_access(gpa_init(PENV_BOOT_CAA), SNP_PAGE_4K) == SNP_RMP_OK);
	ASSERT(snp_grant_guest_access(gpa_init(PENV_BOOT_CAA), SNP_PAGE_4K, vmpl) == SNP_RMP_OK);
	memset(penv_ram(PENV_BOOT_CAA, MODEL_PAGE), 0, MODEL_PAGE);

	guest_ram_init(&e->ram, &map, 1, PENV_SVSM_BASE, PENV_SVSM_SIZE);
	for (unsigned int i = 0; i < PENV_NCPUS; i++)
		e->apic_ids[i] = i;

	if (!opts->no_vtpm) {
		e->nv = calloc(1, TPM_NV_BLOB_MAX);
		ASSERT(e->nv != NULL);
		plat = (struct tpm_platform){
			.ctx = e,
			.entropy = p_entropy,
			.nv_load = p_nv_load,
			.nv_commit = p_nv_commit,
			.clock_ms = p_clock,
			.alloc = p_alloc,
			.free = p_free,
		};
		ASSERT(vtpm_init(&e->vtpm, &plat) == TPM_OK);
	}
	scfg = (struct svsm_config){
		.guest_vmpl = vmpl,
		.ram = &e->ram,
		.apic_ids = e->apic_ids,
		.ncpus = PENV_NCPUS,
		.boot_apic_id = 0,
		.boot_vmsa = gpa_init(PENV_BOOT_VMSA),
		.boot_caa = gpa_init(PENV_BOOT_CAA),
		.boot_sev_features = e->features,
		.attest = !opts->no_attest,
		.vtpm = opts->no_vtpm ? NULL : &e->vtpm,
		.alloc = {s_alloc, s_free, e},
	};
	ASSERT(svsm_init(&e->s, &scfg) == SVSM_INIT_OK);
	penv_prevalidate(e, PENV_BUF, PENV_BUF_SIZE / MODEL_PAGE);
	penv_prevalidate(e, PENV_VMSA_AREA, 0x30);
}

void penv_fini(struct proto_env *e)
{
	svsm_fini(&e->s);
	if (e->s.vtpm)
		vtpm_fini(&e->vtpm);
	free(e->nv);
	e->nv = NULL;
	model_destroy();
}

/* ---- calls ---- */

static uint32_t call_at(struct proto_env *e, unsigned int cpu, struct svsm_regs *r,
			enum svsm_entry *entry, uint64_t *caa)
{
	struct svsm_caller c;

	model_bind_cpu(cpu);
	*caa = 0;
	if (!svsm_caller_get(&e->s, e->apic_ids[cpu], &c)) {
		*entry = SVSM_ENTRY_SPURIOUS;
		return UINT32_MAX;
	}
	*caa = gpa_addr(c.rec.caa);
	*(volatile uint8_t *)model_ram(c.rec.caa, 1) = 1;
	*entry = svsm_vcpu_entry(&e->s, e->apic_ids[cpu], r);
	return (uint32_t)r->rax;
}

uint32_t penv_call_quiet(struct proto_env *e, unsigned int cpu, struct svsm_regs *r,
			 enum svsm_entry *entry)
{
	uint64_t caa = 0;

	return call_at(e, cpu, r, entry, &caa);
}

uint32_t penv_call(struct proto_env *e, unsigned int cpu, struct svsm_regs *r)
{
	enum svsm_entry entry = SVSM_ENTRY_SPURIOUS;
	uint64_t caa = 0;
	uint32_t rax = call_at(e, cpu, r, &entry, &caa);

	EXPECT_EQ_U64(entry, SVSM_ENTRY_DONE);
	EXPECTF(r->rax >> 32 == 0, "RAX %#llx not zero-extended", (unsigned long long)r->rax);
	if (caa)
		EXPECTF(*(uint8_t *)penv_ram(caa, 1) == 0, "call_pending left set at %#llx",
			(unsigned long long)caa);
	return rax;
}

uint32_t penv_call5(struct proto_env *e, unsigned int cpu, uint32_t proto, uint32_t call,
		    uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9, struct svsm_regs *out)
{
	struct svsm_regs r = {SVSM_CALL(proto, call), rcx, rdx, r8, r9};
	uint32_t rax = penv_call(e, cpu, &r);

	if (out)
		*out = r;
	return rax;
}

void penv_list(uint64_t gpa, uint16_t n, uint16_t next, const uint64_t *entries)
{
	uint8_t hdr[8] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)next, (uint8_t)(next >> 8)};

	penv_wr(gpa, hdr, sizeof(hdr));
	if (n && entries)
		penv_wr(gpa + 8, entries, (size_t)n * 8);
}

uint32_t penv_pval1(struct proto_env *e, unsigned int cpu, uint64_t gpa, bool two_m, bool validate,
		    bool ignore_cf)
{
	struct svsm_caller c;
	uint64_t ent = pval_entry(gpa, two_m, validate, ignore_cf);
	uint64_t list = 0;

	ASSERT(svsm_caller_get(&e->s, e->apic_ids[cpu], &c));
	list = gpa_addr(c.rec.caa) + 8;
	penv_list(list, 1, 0, &ent);
	return penv_call5(e, cpu, SVSM_CORE_PROTOCOL, SVSM_CORE_PVALIDATE, list, 0, 0, 0, NULL);
}

/* ---- state checks ---- */

bool penv_rmp_validated(uint64_t gpa)
{
	struct model_rmp m;

	ASSERT(model_rmp_get(gpa_init(gpa), &m));
	return m.validated;
}

bool penv_bm_validated(struct proto_env *e, uint64_t gpa)
{
	return rle_test(&e->s.validated, gpa / MODEL_PAGE);
}

bool penv_bitmap_matches_rmp(struct proto_env *e)
{
	bool ok = true;

	for (uint64_t gpa = 0; gpa < PENV_RAM_SIZE; gpa += MODEL_PAGE) {
		if (gpa >= PENV_SVSM_BASE && gpa < PENV_SVSM_BASE + PENV_SVSM_SIZE)
			continue;
		if (penv_rmp_validated(gpa) != penv_bm_validated(e, gpa)) {
			EXPECTF(false, "page %#llx: RMP validated %d, bitmap %d",
				(unsigned long long)gpa, penv_rmp_validated(gpa),
				penv_bm_validated(e, gpa));
			ok = false;
			break;
		}
	}
	return ok;
}

static struct rle_run *copy_runs(const struct rle_bitmap *b, size_t *n)
{
	struct rle_run *runs = calloc(b->nruns + 1, sizeof(*runs));
	size_t cur = 0;

	ASSERT(runs != NULL);
	*n = 0;
	while (rle_next_run(b, &cur, &runs[*n].start, &runs[*n].end))
		(*n)++;
	return runs;
}

void penv_snap(struct proto_env *e, struct penv_snap *sn)
{
	size_t pages = PENV_RAM_SIZE / MODEL_PAGE;

	/* One buffer reused by every snapshot (at most one is live): no page faults per call. */
	static struct model_rmp rmp_copy[PENV_RAM_SIZE / MODEL_PAGE];
	static uint8_t ram_copy[PENV_RAM_SIZE];

	sn->rmp = rmp_copy;
	sn->ram = ram_copy;
	for (size_t i = 0; i < pages; i++)
		ASSERT(model_rmp_get(gpa_init(i * MODEL_PAGE), &sn->rmp[i]));
	memcpy(sn->ram, penv_ram(0, PENV_RAM_SIZE), PENV_RAM_SIZE);
	sn->val = copy_runs(&e->s.validated, &sn->nval);
	sn->dep = copy_runs(&e->s.deposited, &sn->ndep);
	memcpy(sn->vcpus, e->s.vcpus, sizeof(sn->vcpus));
}

bool penv_same(struct proto_env *e, const struct penv_snap *sn)
{
	size_t pages = PENV_RAM_SIZE / MODEL_PAGE;
	const uint8_t *ram = penv_ram(0, PENV_RAM_SIZE);
	size_t nval = 0;
	size_t ndep = 0;
	struct rle_run *val = copy_runs(&e->s.validated, &nval);
	struct rle_run *dep = copy_runs(&e->s.deposited, &ndep);
	bool same = true;

	for (size_t i = 0; i < pages; i++) {
		struct model_rmp m;

		ASSERT(model_rmp_get(gpa_init(i * MODEL_PAGE), &m));
		if (memcmp(&m, &sn->rmp[i], sizeof(m)) != 0) {
			EXPECTF(false, "RMP entry of page %#zx changed", i * MODEL_PAGE);
			same = false;
			break;
		}
	}
	/* Guest memory only: the SVSM's own pages (GHCB, messages) are its business. */
	if (memcmp(ram, sn->ram, PENV_SVSM_BASE) != 0) {
		for (size_t i = 0; i < PENV_SVSM_BASE; i++) {
			if (ram[i] != sn->ram[i]) {
				EXPECTF(false, "guest byte at %#zx changed", i);
				break;
			}
		}
		same = false;
	}
	if (nval != sn->nval || memcmp(val, sn->val, nval * sizeof(*val)) != 0 ||
	    ndep != sn->ndep || memcmp(dep, sn->dep, ndep * sizeof(*dep)) != 0) {
		EXPECTF(false, "a page bitmap changed");
		same = false;
	}
	if (memcmp(sn->vcpus, e->s.vcpus, sizeof(sn->vcpus)) != 0) {
		EXPECTF(false, "the vCPU table changed");
		same = false;
	}
	free(val);
	free(dep);
	return same;
}

void penv_snap_free(struct penv_snap *sn)
{
	free(sn->val);
	free(sn->dep);
	memset(sn, 0, sizeof(*sn));
}

uint32_t penv_call_unchanged(struct proto_env *e, unsigned int cpu, struct svsm_regs *r, bool *same)
{
	struct penv_snap sn;
	struct svsm_caller c;
	uint32_t rax = 0;

	ASSERT(svsm_caller_get(&e->s, e->apic_ids[cpu], &c));
	penv_snap(e, &sn);
	/* penv_call sets call_pending and the SVSM clears it: the snapshot expects 0 there. */
	sn.ram[gpa_addr(c.rec.caa)] = 0;
	rax = penv_call(e, cpu, r);
	*same = penv_same(e, &sn);
	penv_snap_free(&sn);
	return rax;
}
