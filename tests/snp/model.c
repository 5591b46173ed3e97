/* SPDX-License-Identifier: MIT */
/*
 * The machine model: its lifecycle, guest RAM, the RMP as the tests see it, vCPU binding and
 * the hypervisor's configuration. The instruction semantics are in model_hw.c, the hypervisor
 * in model_hv.c, the PSP in model_psp.c.
 */
#include "model_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/platform/snp/snp_internal.h"

pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;
struct model *M;
static __thread unsigned int this_cpu_index;

void model_lock_take(void)
{
	pthread_mutex_lock(&model_lock);
}

void model_lock_drop(void)
{
	pthread_mutex_unlock(&model_lock);
}

uint64_t model_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void model_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t model_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void model_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void model_default_config(struct model_config *cfg)
{
	cfg->ram_size = 64ull << 20;
	cfg->svsm_base = 48ull << 20;
	cfg->svsm_size = 16ull << 20;
	cfg->ncpus = 4;
	cfg->guest_vmpl = 2;
	/* SEV | SEV-ES | SNP | RestrictedInjection (bits 0, 1, 2, 5; facts 5.1). */
	cfg->sev_status = 0x27;
}

static bool config_ok(const struct model_config *c)
{
	return c->ram_size != 0 && c->ram_size % MODEL_2M == 0 && c->ram_size <= (1ull << 32) &&
	       c->svsm_base % MODEL_2M == 0 && c->svsm_size % MODEL_2M == 0 && c->svsm_size != 0 &&
	       c->svsm_base + c->svsm_size <= c->ram_size && c->ncpus >= 1 &&
	       c->ncpus <= MODEL_MAX_CPUS && c->guest_vmpl >= 1 && c->guest_vmpl <= 3;
}

static void free_machine(void)
{
	if (!M)
		return;
	free(M->ram);
	free(M->rmp);
	free(M->certs);
	free(M);
	M = NULL;
}

void model_destroy(void)
{
	model_lock_take();
	free_machine();
	model_lock_drop();
	snp_platform_forget();
}

static void write_cpuid_page(uint8_t *p)
{
	/* {eax_in, ecx_in, xcr0_in, xss_in, eax, ebx, ecx, edx, rsvd}: 48-byte entries. */
	static const uint32_t leaves[3][5] = {
		{0x0, 0x10, 0x68747541, 0x444d4163, 0x69746e65}, /* "AuthenticAMD" */
		{0x1, 0x00a00f11, 0x00000800, 0x7ed8320b, 0x178bfbff},
		{0x8000001f, 0x0001007f, 0x00000173, 0x0000000f, 0x00000000},
	};

	memset(p, 0, MODEL_PAGE);
	model_put32(p, 3);
	for (int i = 0; i < 3; i++) {
		uint8_t *e = p + 16 + 48 * i;

		model_put32(e, leaves[i][0]);
		model_put32(e + 24, leaves[i][1]);
		model_put32(e + 28, leaves[i][2]);
		model_put32(e + 32, leaves[i][3]);
		model_put32(e + 36, leaves[i][4]);
	}
}

int model_create(const struct model_config *cfg)
{
	struct model_config def;
	struct model *m = NULL;

	if (!cfg) {
		model_default_config(&def);
		cfg = &def;
	}
	if (!config_ok(cfg))
		return -1;
	model_destroy();
	m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->cfg = *cfg;
	m->npages = cfg->ram_size / MODEL_PAGE;
	m->ram = aligned_alloc(MODEL_2M, cfg->ram_size);
	m->rmp = calloc(m->npages, sizeof(*m->rmp));
	m->certs = calloc(1, MODEL_CERTS_MAX);
	if (!m->ram || !m->rmp || !m->certs)
		abort();
	memset(m->ram, 0, cfg->ram_size);
	for (size_t i = 0; i < m->npages; i++) {
		uint64_t gpa = (uint64_t)i * MODEL_PAGE;
		bool svsm = gpa >= cfg->svsm_base && gpa < cfg->svsm_base + cfg->svsm_size;
		struct model_page *p = &m->rmp[i];

		p->assigned = true;
		p->validated = svsm;
		p->perm[0] = SNP_PERM_RWX;
		for (int v = 1; v < 4; v++)
			p->perm[v] = svsm ? 0 : SNP_PERM_RWX;
	}
	for (unsigned int c = 0; c < MODEL_MAX_CPUS; c++)
		m->cpu[c].ghcb_gpa = ~0ull;
	m->alloc_top = cfg->svsm_base + cfg->svsm_size;
	model_lock_take();
	M = m;
	model_psp_init();
	/* The secrets page: version, then VMPCK0..3 (facts 5.8); the SVSM area stays 0. */
	model_put32(m->ram + cfg->svsm_base, 3);
	for (unsigned int i = 0; i < 4; i++)
		memcpy(m->ram + cfg->svsm_base + 0x20 + 32 * i, m->vmpck[i], 32);
	write_cpuid_page(m->ram + cfg->svsm_base + MODEL_PAGE);
	model_lock_drop();
	this_cpu_index = 0;
	return 0;
}

int model_boot(const struct model_config *cfg)
{
	if (model_create(cfg) != 0)
		return -1;
	return snp_platform_setup(model_secrets_gpa()) == SNP_OK ? 0 : -1;
}

const struct model_config *model_config(void)
{
	return &M->cfg;
}

gpa_t model_secrets_gpa(void)
{
	return gpa_init(M->cfg.svsm_base);
}

gpa_t model_cpuid_gpa(void)
{
	return gpa_init(M->cfg.svsm_base + MODEL_PAGE);
}

void *model_ram(gpa_t gpa, size_t len)
{
	uint64_t g = gpa_addr(gpa);

	if (!M || g > M->cfg.ram_size || len > M->cfg.ram_size - g)
		return NULL;
	return M->ram + g;
}

struct model_page *model_page(uint64_t gpa)
{
	if (!M || gpa >= M->cfg.ram_size)
		return NULL;
	return &M->rmp[gpa / MODEL_PAGE];
}

void model_fault(const char *fmt, ...)
{
	va_list ap;

	M->faults++;
	va_start(ap, fmt);
	vsnprintf(M->fault_text, sizeof(M->fault_text), fmt, ap);
	va_end(ap);
}

unsigned int model_faults(void)
{
	unsigned int n = 0;

	model_lock_take();
	n = M ? M->faults : 0;
	model_lock_drop();
	return n;
}

const char *model_fault_text(void)
{
	return M ? M->fault_text : "";
}

bool model_rmp_get(gpa_t gpa, struct model_rmp *out)
{
	struct model_page *p = NULL;

	model_lock_take();
	p = model_page(gpa_addr(gpa));
	if (p) {
		out->assigned = p->assigned;
		out->validated = p->validated;
		out->page_2m = p->page_2m;
		out->vmsa = p->vmsa;
		memcpy(out->perm, p->perm, sizeof(out->perm));
	}
	model_lock_drop();
	return p != NULL;
}

static void set_page(struct model_page *p, const struct model_rmp *e, bool page_2m)
{
	p->assigned = e->assigned;
	p->validated = e->validated;
	p->page_2m = page_2m;
	p->vmsa = e->vmsa;
	memcpy(p->perm, e->perm, sizeof(p->perm));
	p->perm[0] = SNP_PERM_RWX;
}

bool model_rmp_set(gpa_t gpa, const struct model_rmp *e)
{
	struct model_page *p = NULL;

	if (gpa_addr(gpa) % MODEL_PAGE)
		return false;
	model_lock_take();
	p = model_page(gpa_addr(gpa));
	if (p)
		set_page(p, e, false);
	model_lock_drop();
	return p != NULL;
}

bool model_rmp_set_2m(gpa_t gpa, const struct model_rmp *e)
{
	struct model_page *p = NULL;

	if (gpa_addr(gpa) % MODEL_2M)
		return false;
	model_lock_take();
	p = model_page(gpa_addr(gpa));
	if (p)
		for (unsigned int i = 0; i < 512; i++)
			set_page(p + i, e, true);
	model_lock_drop();
	return p != NULL;
}

void model_bind_cpu(unsigned int cpu)
{
	if (!M || cpu >= M->cfg.ncpus)
		abort();
	this_cpu_index = cpu;
}

unsigned int model_current_cpu(void)
{
	return this_cpu_index;
}

uint64_t model_ghcb_msr(unsigned int cpu)
{
	return cpu < MODEL_MAX_CPUS ? M->cpu[cpu].ghcb_msr : 0;
}

uint64_t model_ghcb_registered(unsigned int cpu)
{
	return cpu < MODEL_MAX_CPUS ? M->cpu[cpu].ghcb_gpa : ~0ull;
}

void model_vmsa_set_running(gpa_t vmsa, bool running)
{
	struct model_page *p = NULL;

	model_lock_take();
	p = model_page(gpa_addr(vmsa));
	if (p)
		p->running = running;
	model_lock_drop();
}

bool model_vmsa_running(gpa_t vmsa)
{
	struct model_page *p = NULL;
	bool r = false;

	model_lock_take();
	p = model_page(gpa_addr(vmsa));
	r = p && p->running;
	model_lock_drop();
	return r;
}

void model_set_guest_runner(model_guest_fn fn, void *arg)
{
	model_lock_take();
	M->runner = fn;
	M->runner_arg = arg;
	model_lock_drop();
}

bool model_ap_vmsa(uint32_t apic_id, unsigned int vmpl, gpa_t *vmsa)
{
	bool found = false;

	model_lock_take();
	for (unsigned int i = 0; i < MODEL_MAX_APS && !found; i++) {
		if (M->aps[i].used && M->aps[i].apic_id == apic_id && M->aps[i].vmpl == vmpl) {
			*vmsa = gpa_init(M->aps[i].vmsa);
			found = true;
		}
	}
	model_lock_drop();
	return found;
}

unsigned int model_ap_events(void)
{
	return M->ap_events;
}

void model_lie(enum model_lie lie, uint32_t times, uint64_t arg)
{
	if ((unsigned int)lie >= MODEL_LIE_COUNT)
		abort();
	model_lock_take();
	M->lie[lie].times = times;
	M->lie[lie].arg = arg;
	model_lock_drop();
}

void model_honest(void)
{
	model_lock_take();
	for (unsigned int i = 0; i < MODEL_LIE_COUNT; i++) {
		M->lie[i].times = 0;
		M->lie[i].arg = 0;
	}
	model_lock_drop();
}

uint32_t model_lies_told(enum model_lie lie)
{
	return (unsigned int)lie < MODEL_LIE_COUNT ? M->lie[lie].told : 0;
}

bool model_lying(enum model_lie lie, uint64_t *arg)
{
	struct model_lie_state *l = &M->lie[lie];

	if (l->times == 0)
		return false;
	if (l->times != MODEL_ALWAYS)
		l->times--;
	l->told++;
	if (arg)
		*arg = l->arg;
	return true;
}

void model_hv_set_certs(const void *certs, size_t len)
{
	if (len > MODEL_CERTS_MAX)
		abort();
	model_lock_take();
	memcpy(M->certs, certs, len);
	M->certs_len = len;
	model_lock_drop();
}

void model_hv_io_set(uint16_t port, uint32_t val)
{
	M->io[port] = val;
}

uint32_t model_hv_io_get(uint16_t port)
{
	return M->io[port];
}

uint64_t *model_msr_slot(uint32_t msr, bool create)
{
	for (unsigned int i = 0; i < M->nmsrs; i++)
		if (M->msrs[i].msr == msr)
			return &M->msrs[i].val;
	if (!create || M->nmsrs == MODEL_MAX_MSRS)
		return NULL;
	M->msrs[M->nmsrs].msr = msr;
	M->msrs[M->nmsrs].val = 0;
	return &M->msrs[M->nmsrs++].val;
}

void model_hv_msr_set(uint32_t msr, uint64_t val)
{
	uint64_t *slot = NULL;

	model_lock_take();
	slot = model_msr_slot(msr, true);
	if (slot)
		*slot = val;
	model_lock_drop();
}

uint64_t model_hv_msr_get(uint32_t msr)
{
	uint64_t *slot = NULL;
	uint64_t v = 0;

	model_lock_take();
	slot = model_msr_slot(msr, false);
	v = slot ? *slot : 0;
	model_lock_drop();
	return v;
}

gpa_t model_mmio_gpa(void)
{
	return gpa_init(M->cfg.ram_size);
}

uint8_t *model_mmio(void)
{
	return M->mmio;
}

bool model_terminated(unsigned int *set, unsigned int *code)
{
	if (M->terminated) {
		*set = M->term_set;
		*code = M->term_code;
	}
	return M->terminated;
}
