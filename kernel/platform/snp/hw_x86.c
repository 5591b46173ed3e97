/* SPDX-License-Identifier: MIT */
/*
 * The kernel's side of the SNP instruction seam (snp_hw.h): the instructions themselves, the
 * GHCB MSR, this CPU's mapping windows for PVALIDATE / RMPADJUST / VMSA access, boot-time pages
 * and the C-bit. The host model (tests/snp/model_hw.c) is the other side.
 *
 * Only ever called on SEV-SNP. On the native platform (the only one Copra boots on today) none
 * of this runs except snp_hw_probe(), which reads SEV_STATUS only when CPUID says SEV exists.
 *
 * Address space (inside KMAP_VBASE .. + KMAP_SIZE, whose bottom half is MMIO windows and whose
 * third quarter is guest.c's windows):
 *   SNP_WIN4K_VBASE + cpu * 4 KiB    this CPU's 4 KiB window
 *   SNP_PAGES_VBASE ..               snp_hw_alloc_pages mappings (bump-allocated, boot only)
 *   SNP_WIN2M_VBASE + cpu * 2 MiB    this CPU's 2 MiB window, mapped with 512 4 KiB PTEs
 * A window belongs to its CPU alone (one mapping at a time, snp_hw.h), so a local invlpg is
 * enough. Whether PVALIDATE of a 2 MiB page needs a 2 MiB guest mapping is not in the facts
 * (5.6 names only the VA and the page size); the 4 KiB PTEs are to be checked on hardware.
 *
 * C-bit (facts 5.2 SEV information, and CPUID 0x8000001F EBX[5:0]): the position comes from
 * CPUID when snp_hw_probe() finds SNP active; every SNP mapping made here sets it. It is 0 on
 * native, where there is no memory encryption.
 */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <boot/layout.h>
#include <copra/cpu.h>
#include <copra/kmalloc.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/spinlock.h>

#include "snp_hw.h"

#define MSR_SEV_STATUS	  0xC0010131u
#define CPUID_SEV_LEAF	  0x8000001Fu
#define CPUID_SEV_EAX_SEV (1u << 1)
#define SEV_STATUS_SNP	  (1ull << 2) /* facts 5.1 */

#define SNP_WIN4K_VBASE	  (KMAP_VBASE + KMAP_SIZE / 4 * 3)
#define SNP_PAGES_VBASE	  (SNP_WIN4K_VBASE + 0x100000ull)
#define SNP_PAGES_END	  (KMAP_VBASE + KMAP_SIZE / 8 * 7)
#define SNP_WIN2M_VBASE	  SNP_PAGES_END
#define SNP_2M		  0x200000ull
#define SNP_PTES_PER_2M	  512u

_Static_assert(SNP_MAX_CPUS <= MAX_CPUS, "one window per CPU");
_Static_assert((uint64_t)MAX_CPUS *PAGE_SIZE <= 0x100000ull, "4 KiB windows fit");
_Static_assert(SNP_WIN2M_VBASE + (uint64_t)MAX_CPUS * SNP_2M <= KMAP_VBASE + KMAP_SIZE,
	       "2 MiB windows fit in KMAP");

/* Physical addresses the PTE can hold (PTE_ADDR_MASK: bits 51:12). */
#define SNP_PA_LIMIT (1ull << 52)

static uint64_t cbit_mask; /* set once by snp_hw_probe; 0 on native */

struct snp_window {
	uint64_t *pte4k; /* the PTE of this CPU's 4 KiB window (NULL until first use) */
	uint64_t *pte2m; /* the first of the 512 PTEs of its 2 MiB window */
};
static struct snp_window windows[MAX_CPUS];

static struct spinlock pages_va_lock = SPINLOCK_INIT;
static uint64_t pages_va_next = SNP_PAGES_VBASE;

uint64_t snp_hw_probe(uint64_t *sev_status)
{
	struct cpuid_regs r;

	*sev_status = 0;
	if (cpu_feat.max_ext_leaf < CPUID_SEV_LEAF)
		return 0;
	r = cpuid(CPUID_SEV_LEAF, 0);
	if (!(r.eax & CPUID_SEV_EAX_SEV))
		return 0;
	/* SEV_STATUS exists only where CPUID announces SEV (reading it elsewhere may #GP). */
	*sev_status = rdmsr(MSR_SEV_STATUS);
	if (*sev_status & SEV_STATUS_SNP)
		cbit_mask = 1ull << (r.ebx & 0x3F);
	return cbit_mask;
}

static uint64_t pte_flags(void)
{
	return PTE_P | PTE_W | (cpu_feat.nx ? PTE_NX : 0) | cbit_mask;
}

bool snp_hw_map(gpa_t gpa, enum snp_pgsize sz, vaddr_t *va)
{
	uint64_t a = gpa_addr(gpa);
	struct snp_window *w = &windows[this_cpu()->index];
	uint64_t base = 0;

	if (sz != SNP_PAGE_4K && sz != SNP_PAGE_2M)
		return false;
	if (a >= SNP_PA_LIMIT || (a & cbit_mask) ||
	    (a & ((sz == SNP_PAGE_2M ? SNP_2M : PAGE_SIZE) - 1)))
		return false;
	if (sz == SNP_PAGE_4K) {
		base = SNP_WIN4K_VBASE + (uint64_t)this_cpu()->index * PAGE_SIZE;
		if (!w->pte4k)
			w->pte4k = kpte(va_init(base));
		CHECK(!(*w->pte4k & PTE_P)); /* one mapping at a time per CPU */
		*w->pte4k = a | pte_flags();
		invlpg(base);
	} else {
		base = SNP_WIN2M_VBASE + (uint64_t)this_cpu()->index * SNP_2M;
		if (!w->pte2m) {
			w->pte2m = kpte(va_init(base));
			/* One page table covers the aligned window: its PTEs are consecutive. */
			CHECK(kpte(va_init(base + SNP_2M - PAGE_SIZE)) ==
			      w->pte2m + SNP_PTES_PER_2M - 1);
		}
		CHECK(!(w->pte2m[0] & PTE_P));
		for (unsigned int i = 0; i < SNP_PTES_PER_2M; i++) {
			w->pte2m[i] = (a + i * PAGE_SIZE) | pte_flags();
			invlpg(base + i * PAGE_SIZE);
		}
	}
	*va = va_init(base);
	return true;
}

void snp_hw_unmap(vaddr_t va, enum snp_pgsize sz)
{
	struct snp_window *w = &windows[this_cpu()->index];
	uint64_t v = va_addr(va);

	if (sz == SNP_PAGE_4K) {
		CHECK(w->pte4k && v == SNP_WIN4K_VBASE + (uint64_t)this_cpu()->index * PAGE_SIZE);
		*w->pte4k = 0;
		invlpg(v);
		return;
	}
	CHECK(sz == SNP_PAGE_2M && w->pte2m &&
	      v == SNP_WIN2M_VBASE + (uint64_t)this_cpu()->index * SNP_2M);
	for (unsigned int i = 0; i < SNP_PTES_PER_2M; i++) {
		w->pte2m[i] = 0;
		invlpg(v + i * PAGE_SIZE);
	}
}

/* PVALIDATE: F2 0F 01 FF; RAX = VA, ECX = page size, EDX = validate; EAX and CF out (5.6). */
uint32_t snp_hw_pvalidate(vaddr_t va, enum snp_pgsize sz, bool validate, bool *cf)
{
	uint64_t rax = va_addr(va);
	bool carry = false;

	__asm__ __volatile__(".byte 0xf2, 0x0f, 0x01, 0xff"
			     : "+a"(rax), "=@ccc"(carry)
			     : "c"((uint64_t)sz), "d"((uint64_t)validate)
			     : "memory");
	*cf = carry;
	return (uint32_t)rax;
}

/* RMPADJUST: F3 0F 01 FE; RAX = VA, RCX = page size, RDX = attributes; EAX out (5.6). */
uint32_t snp_hw_rmpadjust(vaddr_t va, enum snp_pgsize sz, uint64_t attrs)
{
	uint64_t rax = va_addr(va);

	__asm__ __volatile__(".byte 0xf3, 0x0f, 0x01, 0xfe"
			     : "+a"(rax)
			     : "c"((uint64_t)sz), "d"(attrs)
			     : "memory", "cc");
	return (uint32_t)rax;
}

uint64_t snp_hw_ghcb_msr_read(void)
{
	return rdmsr(SNP_MSR_GHCB);
}

void snp_hw_ghcb_msr_write(uint64_t val)
{
	wrmsr(SNP_MSR_GHCB, val);
}

/* VMGEXIT = rep; vmmcall (F3 0F 01 D9). The host may change memory the SVSM shares. */
void snp_hw_vmgexit(void)
{
	__asm__ __volatile__(".byte 0xf3, 0x0f, 0x01, 0xd9" ::: "memory");
}

uint64_t snp_hw_sev_status(void)
{
	return rdmsr(MSR_SEV_STATUS);
}

unsigned int snp_hw_cpu_index(void)
{
	return this_cpu()->index;
}

/*
 * Boot time only. The pages come from the buddy allocator as one 2^order block (the rest of
 * the block is unused: boot allocations are few and small) and are mapped with 4 KiB PTEs at
 * a fresh VA, so snp_hw_set_encrypted can flip the C-bit page by page (the direct map may use
 * 2 MiB pages). On SNP the SVSM region is validated and private from the launch, so its pages
 * are too; a GPA is the physical address.
 */
bool snp_hw_alloc_pages(size_t npages, vaddr_t *va, gpa_t *gpa)
{
	unsigned int order = 0;
	paddr_t pa = pa_init(0);
	uint64_t v = 0;
	uint64_t f = 0;
	uint64_t bytes = (uint64_t)npages * PAGE_SIZE;

	if (npages == 0)
		return false;
	while ((1ull << order) < npages)
		order++;
	if (order > 9 || !pages_alloc_try(order, &pa))
		return false;
	f = spin_lock_irqsave(&pages_va_lock);
	if (SNP_PAGES_END - pages_va_next >= bytes) {
		v = pages_va_next;
		pages_va_next += bytes;
	}
	spin_unlock_irqrestore(&pages_va_lock, f);
	if (!v || kmap(va_init(v), pa_init(pa_addr(pa) | cbit_mask), bytes,
		       PTE_W | (cpu_feat.nx ? PTE_NX : 0)) != 0) {
		pages_free(pa, order);
		return false;
	}
	*va = va_init(v);
	*gpa = gpa_init(pa_addr(pa));
	return true;
}

/*
 * The caller's pages come from snp_hw_alloc_pages (4 KiB PTEs) and are used by this CPU only
 * while their encryption changes (GHCB and guest-message set-up), so a local invlpg suffices.
 */
void snp_hw_set_encrypted(vaddr_t va, size_t npages, bool encrypted)
{
	for (size_t i = 0; i < npages; i++) {
		uint64_t v = va_addr(va) + i * PAGE_SIZE;
		uint64_t *pte = kpte(va_init(v));

		CHECK(*pte & PTE_P);
		*pte = encrypted ? *pte | cbit_mask : *pte & ~cbit_mask;
		invlpg(v);
	}
}
