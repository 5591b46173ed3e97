/* SPDX-License-Identifier: MIT */
/*
 * The SVSM protocol entry: set-up of the protocol state, one guest entry on a vCPU (facts 1.4)
 * and the dispatch of a call to its protocol (facts 1.3, 1.6).
 *
 * Lock order (also in copra/svsm.h and docs/protocols.md): s->lock (rwlock) before
 * s->pages_lock; the vTPM lock and the platform's guest-message lock are leaves taken with
 * neither held.
 */
#include <copra/panic.h>
#include <lib/string.h>

#include "svsm_internal.h"

static int cpu_index(const struct svsm_state *s, uint32_t apic_id)
{
	for (unsigned int i = 0; i < s->ncpus; i++) {
		if (s->cpus[i].apic_id == apic_id)
			return (int)i;
	}
	return -1;
}

int svsm_note_validated(struct svsm_state *s, gpa_t gpa, uint64_t npages)
{
	int rc = 0;

	spin_lock(&s->pages_lock);
	rc = rle_set(&s->validated, gpa_addr(gpa) / SVSM_PAGE_SIZE, npages);
	spin_unlock(&s->pages_lock);
	return rc;
}

static bool config_ok(const struct svsm_config *cfg)
{
	uint64_t vmsa = gpa_addr(cfg->boot_vmsa);
	uint64_t caa = gpa_addr(cfg->boot_caa);

	if (cfg->guest_vmpl < 1 || cfg->guest_vmpl > SNP_VMPL_MAX || !cfg->ram || cfg->ncpus < 1 ||
	    cfg->ncpus > SVSM_MAX_CPUS || !cfg->apic_ids || !cfg->alloc.alloc || !cfg->alloc.free)
		return false;
	if ((vmsa | caa) & SVSM_PAGE_MASK || vmsa == caa)
		return false;
	for (unsigned int i = 0; i < cfg->ncpus; i++) {
		for (unsigned int j = 0; j < i; j++) {
			if (cfg->apic_ids[i] == cfg->apic_ids[j])
				return false;
		}
	}
	return true;
}

int svsm_init(struct svsm_state *s, const struct svsm_config *cfg)
{
	int boot = -1;

	memset(s, 0, sizeof(*s));
	if (!config_ok(cfg))
		return SVSM_INIT_EINVAL;
	s->guest_vmpl = cfg->guest_vmpl;
	s->ram = *cfg->ram;
	s->ncpus = cfg->ncpus;
	s->attest = cfg->attest;
	s->vtpm = cfg->vtpm;
	s->alloc = cfg->alloc;
	rle_init(&s->validated, &cfg->alloc);
	rle_init(&s->deposited, &cfg->alloc);
	for (unsigned int i = 0; i < s->ncpus; i++) {
		s->cpus[i].apic_id = cfg->apic_ids[i];
		s->cpus[i].cur = -1;
	}
	boot = cpu_index(s, cfg->boot_apic_id);
	if (boot < 0 ||
	    guest_range_check(&s->ram, gpa_addr(cfg->boot_vmsa), SVSM_PAGE_SIZE) != GUEST_OK ||
	    guest_range_check(&s->ram, gpa_addr(cfg->boot_caa), SVSM_PAGE_SIZE) != GUEST_OK)
		goto err_inval;
	for (unsigned int i = 0; i < s->ncpus; i++) {
		s->cpus[i].scratch = s->alloc.alloc(s->alloc.ctx, sizeof(struct svsm_scratch));
		if (!s->cpus[i].scratch)
			goto err_nomem;
	}
	s->vcpus[0] = (struct svsm_vcpu){
		.used = true,
		.startup = true,
		.apic_id = cfg->boot_apic_id,
		.vmsa = cfg->boot_vmsa,
		.caa = cfg->boot_caa,
		.vmpl = (uint8_t)cfg->guest_vmpl,
		.sev_features = cfg->boot_sev_features,
	};
	s->cpus[boot].cur = 0;
	if (svsm_note_validated(s, cfg->boot_vmsa, 1) != RLE_OK ||
	    svsm_note_validated(s, cfg->boot_caa, 1) != RLE_OK)
		goto err_nomem;
	return SVSM_INIT_OK;

err_nomem:
	svsm_fini(s);
	return SVSM_INIT_ENOMEM;
err_inval:
	svsm_fini(s);
	return SVSM_INIT_EINVAL;
}

void svsm_fini(struct svsm_state *s)
{
	for (unsigned int i = 0; i < s->ncpus; i++) {
		if (s->cpus[i].scratch)
			s->alloc.free(s->alloc.ctx, s->cpus[i].scratch,
				      sizeof(struct svsm_scratch));
		s->cpus[i].scratch = NULL;
	}
	rle_destroy(&s->deposited);
	rle_destroy(&s->validated);
}

bool svsm_caller_get(struct svsm_state *s, uint32_t apic_id, struct svsm_caller *c)
{
	int cpu = cpu_index(s, apic_id);
	bool ok = false;

	if (cpu < 0)
		return false;
	rw_read_lock(&s->lock);
	if (s->cpus[cpu].cur >= 0) {
		*c = (struct svsm_caller){
			.cpu = (unsigned int)cpu,
			.vcpu = s->cpus[cpu].cur,
			.rec = s->vcpus[s->cpus[cpu].cur],
		};
		ok = true;
	}
	rw_read_unlock(&s->lock);
	return ok;
}

bool svsm_vcpu_vmsa(struct svsm_state *s, uint32_t apic_id, gpa_t *vmsa)
{
	struct svsm_caller c = {0};

	if (!svsm_caller_get(s, apic_id, &c))
		return false;
	*vmsa = c.rec.vmsa;
	return true;
}

bool svsm_protocol_offered(const struct svsm_state *s, uint32_t proto)
{
	switch (proto) {
	case SVSM_CORE_PROTOCOL:
		return true;
	case SVSM_ATTEST_PROTOCOL:
		return s->attest;
	case SVSM_VTPM_PROTOCOL:
		return s->vtpm != NULL;
	default:
		return false;
	}
}

void svsm_update_mem_available(struct svsm_state *s)
{
	uint8_t avail = rle_count(&s->deposited) != 0;

	for (unsigned int i = 0; i < SVSM_MAX_VCPUS; i++) {
		const struct svsm_vcpu *v = &s->vcpus[i];

		/* A calling area that is gone or unreadable just does not learn it (SPEC §6.6). */
		if (v->used && v->startup)
			(void)svsm_gwrite_locked(s, gpa_addr(v->caa) + 1, &avail, 1);
	}
}

uint32_t svsm_dispatch(struct svsm_state *s, struct svsm_caller *c, struct svsm_regs *regs)
{
	uint32_t proto = (uint32_t)(regs->rax >> 32);
	uint32_t call = (uint32_t)regs->rax;

	if (!svsm_protocol_offered(s, proto))
		return SVSM_ERR_UNSUPPORTED_PROTOCOL;
	switch (proto) {
	case SVSM_CORE_PROTOCOL:
		return svsm_core_call(s, c, call, regs);
	case SVSM_ATTEST_PROTOCOL:
		return svsm_attest_call(s, c, call, regs);
	case SVSM_VTPM_PROTOCOL:
		return svsm_vtpm_call(s, c, call, regs);
	default:
		return SVSM_ERR_UNSUPPORTED_PROTOCOL;
	}
}

enum svsm_entry svsm_vcpu_entry(struct svsm_state *s, uint32_t apic_id, struct svsm_regs *regs)
{
	struct svsm_caller c = {0};

	if (!svsm_caller_get(s, apic_id, &c))
		return SVSM_ENTRY_SPURIOUS;
	return svsm_caller_entry(s, &c, regs);
}

enum svsm_entry svsm_caller_entry(struct svsm_state *s, struct svsm_caller *c,
				  struct svsm_regs *regs)
{
	uint64_t caa = gpa_addr(c->rec.caa);
	uint8_t pending = 0;
	uint32_t result = SVSM_SUCCESS;

	/* An unreadable calling area cannot hold a call: the guest sees call_pending still set. */
	if (svsm_gread(s, caa, &pending, 1) != SVSM_SUCCESS || pending == 0)
		return SVSM_ENTRY_SPURIOUS;
	if (pending != 1)
		result = SVSM_ERR_INVALID_FORMAT;
	else
		result = svsm_dispatch(s, c, regs);
	if (c->self_deleted)
		return SVSM_ENTRY_GONE;
	regs->rax = (uint64_t)result;
	pending = 0;
	/* The calling area read at entry, even after REMAP_CA (SPEC §6.1: the old one). */
	(void)svsm_gwrite(s, caa, &pending, 1);
	return SVSM_ENTRY_DONE;
}
