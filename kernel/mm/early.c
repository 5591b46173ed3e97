/* SPDX-License-Identifier: MIT */
/*
 * Early kernel memory: pages from the SVSM region after what the loader used (a bump
 * allocator until the buddy allocator lands), the kernel page tables, guarded stack slots and
 * MMIO windows. Lock order: kpt_lock only (never held while taking another lock).
 */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <copra/cpu.h>
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/smp.h>
#include <copra/spinlock.h>
#include <lib/string.h>

static struct spinlock page_lock = SPINLOCK_INIT;
static uint64_t next_page, region_end;

static struct spinlock kpt_lock = SPINLOCK_INIT;
static struct pgtable kpt;

static uint32_t next_stack_slot = 1; /* slot 0 is the boot stack */
static uint64_t next_mmio = KMAP_VBASE;

paddr_t page_alloc(void)
{
	uint64_t flags = spin_lock_irqsave(&page_lock);
	uint64_t pa = next_page;

	if (region_end - next_page < PAGE_SIZE)
		panic("out of memory: no free page left in the SVSM region (%llu KiB region)",
		      (unsigned long long)(region_end >> 10));
	next_page += PAGE_SIZE;
	spin_unlock_irqrestore(&page_lock, flags);
	memset(phys_to_virt(pa_init(pa)), 0, PAGE_SIZE);
	return pa_init(pa);
}

uint64_t mm_free_pages(void)
{
	return (region_end - next_page) / PAGE_SIZE;
}

static void *kpt_table_va(paddr_t pa)
{
	return phys_to_virt(pa);
}

static bool kpt_alloc(void *ctx, paddr_t *out)
{
	*out = page_alloc();
	return true;
}

void mm_init(const struct boot_info *bi)
{
	next_page = bi->heap_phys_start;
	region_end = bi->svsm_base + bi->svsm_size;
	CHECK(next_page >= bi->kernel_phys_end && next_page <= region_end);
	kpt.root = pa_init(bi->pml4_phys);
	kpt.nx_mask = (bi->flags & BOOT_FLAG_NX) ? PTE_NX : 0;
	kpt.table_va = kpt_table_va;
	kpt.alloc_table = kpt_alloc;
	kpt.ctx = NULL;
	/* The loader's ROM mapping was only for the hand-off. */
	CHECK(kunmap(va_init(ROM_VOFF + bi->rom_phys), bi->rom_size) == 0);
	pr_info("mm: %llu KiB free of the %llu KiB SVSM region\n",
		(unsigned long long)(mm_free_pages() * 4),
		(unsigned long long)(bi->svsm_size >> 10));
}

int kmap(vaddr_t va, paddr_t pa, uint64_t size, uint64_t flags)
{
	uint64_t f = spin_lock_irqsave(&kpt_lock);
	int err = pgtable_map(&kpt, va, pa, size, flags);

	spin_unlock_irqrestore(&kpt_lock, f);
	return err;
}

/*
 * Unmaps and flushes every CPU's TLB before returning, so the caller may reuse the VA or
 * the pages. The shootdown runs after the page-table lock is dropped (lock order, smp.c).
 */
int kunmap(vaddr_t va, uint64_t size)
{
	uint64_t f = spin_lock_irqsave(&kpt_lock);
	int err = pgtable_unmap(&kpt, va, size);

	spin_unlock_irqrestore(&kpt_lock, f);
	if (!err)
		tlb_shootdown(va_addr(va), size);
	return err;
}

uint64_t *kpte(vaddr_t va)
{
	uint64_t f = spin_lock_irqsave(&kpt_lock);
	uint64_t *pte = pgtable_pte(&kpt, va, true);

	spin_unlock_irqrestore(&kpt_lock, f);
	CHECK(pte != NULL);
	return pte;
}

int ktranslate(vaddr_t va, paddr_t *pa, uint64_t *flags)
{
	return pgtable_translate(&kpt, va, pa, flags);
}

bool kaddr_mapped(uint64_t va)
{
	paddr_t pa;
	uint64_t flags = 0;

	return ktranslate(va_init(va), &pa, &flags) == 0;
}

void stack_alloc(uint64_t *bottom, uint64_t *top)
{
	uint32_t slot = __atomic_fetch_add(&next_stack_slot, 1, __ATOMIC_RELAXED);
	uint64_t base = 0;

	if (slot >= KSTACK_SLOTS)
		panic("out of kernel stack slots (%llu)", (unsigned long long)KSTACK_SLOTS);
	base = KSTACK_VBASE + (uint64_t)slot * KSTACK_SLOT + PAGE_SIZE; /* guard below */
	for (uint64_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE)
		CHECK(kmap(va_init(base + off), page_alloc(), PAGE_SIZE, PTE_W | PTE_NX) == 0);
	*bottom = base;
	*top = base + KSTACK_SIZE;
}

void *kmap_mmio(paddr_t pa, uint64_t size)
{
	uint64_t len = ALIGN_UP(size, PAGE_SIZE);
	uint64_t va = __atomic_fetch_add(&next_mmio, len, __ATOMIC_RELAXED);

	CHECK(va + len <= KMAP_VBASE + KMAP_SIZE);
	CHECK(kmap(va_init(va), pa, len, PTE_W | PTE_NX | PTE_PCD | PTE_PWT) == 0);
	return (void *)va;
}
