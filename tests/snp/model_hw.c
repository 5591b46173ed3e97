/* SPDX-License-Identifier: MIT */
/*
 * The instruction seam (kernel/platform/snp/snp_hw.h) on the model: SVSM virtual addresses are
 * host pointers into model RAM, PVALIDATE and RMPADJUST act on the model's RMP with the rules
 * below, VMGEXIT calls the model hypervisor.
 *
 * RMP rules modelled (facts 5.6, plus the choices README.md lists):
 *   PVALIDATE  FAIL_INPUT: VA outside RAM, misaligned for the size, page not assigned.
 *              FAIL_SIZEMISMATCH: 2 MiB on 4 KiB entries, or 4 KiB inside a 2 MiB entry (no
 *              implicit split: the hypervisor's PSMASH is the PSC event's operation 3).
 *              CF=1 and no change when the validated bit already has the requested value.
 *   RMPADJUST  FAIL_INPUT: VA outside RAM, misaligned, reserved attribute bits, target VMPL > 3,
 *              page not assigned, VMSA bit on a page not validated or on a 2 MiB page.
 *              FAIL_PERMISSION: target VMPL not numerically greater than the current (0).
 *              FAIL_SIZEMISMATCH as for PVALIDATE. FAIL_INUSE: a VMSA page a vCPU is running.
 *              Effect: perm[target] = attrs[11:8]; VMSA bit = attrs[16] (from VMPL0).
 */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "../../kernel/platform/snp/snp_hw.h"

#define ATTR_PERMS    0xF00ull
#define ATTR_VMSA     (1ull << 16)
#define ATTR_RESERVED (~(0xFFull | ATTR_PERMS | ATTR_VMSA))

/* The GPA behind an SVSM VA, or false when the VA is not in model RAM. */
static bool va_to_gpa(vaddr_t va, uint64_t *gpa)
{
	uintptr_t p = (uintptr_t)va_ptr(va);
	uintptr_t base = (uintptr_t)M->ram;

	if (p < base || p - base >= M->cfg.ram_size)
		return false;
	*gpa = p - base;
	return true;
}

bool snp_hw_map(gpa_t gpa, enum snp_pgsize sz, vaddr_t *va)
{
	uint64_t size = sz == SNP_PAGE_2M ? MODEL_2M : MODEL_PAGE;
	uint64_t g = gpa_addr(gpa);
	bool ok = false;

	model_lock_take();
	ok = M && g % size == 0 && g < M->cfg.ram_size && size <= M->cfg.ram_size - g;
	if (ok) {
		*va = va_from_ptr(M->ram + g);
		M->cpu[model_current_cpu()].maps++;
	}
	model_lock_drop();
	return ok;
}

void snp_hw_unmap(vaddr_t va, enum snp_pgsize sz)
{
	uint64_t gpa = 0;

	model_lock_take();
	if (!va_to_gpa(va, &gpa) || M->cpu[model_current_cpu()].maps == 0)
		model_fault("unmap of %p that was never mapped", va_ptr(va));
	else
		M->cpu[model_current_cpu()].maps--;
	model_lock_drop();
}

/* Locates [gpa, gpa + size) for an RMP instruction; returns 0 or the EAX failure. */
static uint32_t rmp_range(vaddr_t va, enum snp_pgsize sz, uint64_t *gpa, unsigned int *n)
{
	uint64_t size = sz == SNP_PAGE_2M ? MODEL_2M : MODEL_PAGE;

	if ((sz != SNP_PAGE_4K && sz != SNP_PAGE_2M) || !va_to_gpa(va, gpa) || *gpa % size ||
	    size > M->cfg.ram_size - *gpa)
		return SNP_RMP_FAIL_INPUT;
	*n = (unsigned int)(size / MODEL_PAGE);
	for (unsigned int i = 0; i < *n; i++)
		if (!M->rmp[*gpa / MODEL_PAGE + i].assigned)
			return SNP_RMP_FAIL_INPUT;
	for (unsigned int i = 0; i < *n; i++)
		if (M->rmp[*gpa / MODEL_PAGE + i].page_2m != (sz == SNP_PAGE_2M))
			return SNP_RMP_FAIL_SIZEMISMATCH;
	return SNP_RMP_OK;
}

uint32_t snp_hw_pvalidate(vaddr_t va, enum snp_pgsize sz, bool validate, bool *cf)
{
	struct model_page *p = NULL;
	uint64_t gpa = 0;
	unsigned int n = 0;
	uint32_t rc = 0;

	*cf = false;
	model_lock_take();
	rc = rmp_range(va, sz, &gpa, &n);
	if (rc == SNP_RMP_OK) {
		p = &M->rmp[gpa / MODEL_PAGE];
		if (p->validated == validate)
			*cf = true;
		else
			for (unsigned int i = 0; i < n; i++)
				p[i].validated = validate;
	}
	model_lock_drop();
	return rc;
}

uint32_t snp_hw_rmpadjust(vaddr_t va, enum snp_pgsize sz, uint64_t attrs)
{
	unsigned int target = attrs & 0xFF;
	struct model_page *p = NULL;
	uint64_t gpa = 0;
	unsigned int n = 0;
	uint32_t rc = 0;

	model_lock_take();
	if ((attrs & ATTR_RESERVED) || target > 3) {
		rc = SNP_RMP_FAIL_INPUT;
		goto out;
	}
	if (target == 0) { /* not more privileged than VMPL0: the current level is 0 */
		rc = SNP_RMP_FAIL_PERMISSION;
		goto out;
	}
	rc = rmp_range(va, sz, &gpa, &n);
	if (rc != SNP_RMP_OK)
		goto out;
	p = &M->rmp[gpa / MODEL_PAGE];
	for (unsigned int i = 0; i < n; i++) {
		if ((attrs & ATTR_VMSA) && (!p[i].validated || sz != SNP_PAGE_4K)) {
			rc = SNP_RMP_FAIL_INPUT;
			goto out;
		}
		if (p[i].vmsa && p[i].running) {
			rc = SNP_RMP_FAIL_INUSE;
			goto out;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		p[i].perm[target] = (uint16_t)(attrs & ATTR_PERMS);
		p[i].vmsa = (attrs & ATTR_VMSA) != 0;
	}
out:
	model_lock_drop();
	return rc;
}

uint64_t snp_hw_ghcb_msr_read(void)
{
	uint64_t v = 0;

	model_lock_take();
	v = M->cpu[model_current_cpu()].ghcb_msr;
	model_lock_drop();
	return v;
}

void snp_hw_ghcb_msr_write(uint64_t val)
{
	model_lock_take();
	M->cpu[model_current_cpu()].ghcb_msr = val;
	model_lock_drop();
}

void snp_hw_vmgexit(void)
{
	model_hv_vmgexit();
}

uint64_t snp_hw_sev_status(void)
{
	return M->cfg.sev_status;
}

unsigned int snp_hw_cpu_index(void)
{
	return model_current_cpu();
}

/* A bump allocator down from the top of the SVSM region, above its two fixed pages. */
bool snp_hw_alloc_pages(size_t npages, vaddr_t *va, gpa_t *gpa)
{
	uint64_t bytes = (uint64_t)npages * MODEL_PAGE;
	bool ok = false;

	model_lock_take();
	ok = npages != 0 && bytes <= M->alloc_top - (M->cfg.svsm_base + 2 * MODEL_PAGE);
	if (ok) {
		M->alloc_top -= bytes;
		*gpa = gpa_init(M->alloc_top);
		*va = va_from_ptr(M->ram + M->alloc_top);
		memset(M->ram + M->alloc_top, 0, bytes);
	}
	model_lock_drop();
	return ok;
}

void snp_hw_set_encrypted(vaddr_t va, size_t npages, bool encrypted)
{
	uint64_t gpa = 0;

	model_lock_take();
	if (!va_to_gpa(va, &gpa) || npages > (M->cfg.ram_size - gpa) / MODEL_PAGE) {
		model_fault("set_encrypted outside RAM");
	} else {
		for (size_t i = 0; i < npages; i++)
			M->rmp[gpa / MODEL_PAGE + i].decrypted = !encrypted;
	}
	model_lock_drop();
}
