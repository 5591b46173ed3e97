/* SPDX-License-Identifier: MIT */
/*
 * Kernel address space: the kernel page tables, guarded stack slots and MMIO windows; pages
 * come from the heap (kmalloc.c). Lock order: kpt_lock, slot_lock and heap_lock are leaves;
 * kpt_lock is dropped before a TLB shootdown (smp.c).
 */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <copra/cpu.h>
#include <copra/kmalloc.h>
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/smp.h>
#include <copra/spinlock.h>
#include <lib/bitmap.h>
#include <lib/string.h>

static struct spinlock kpt_lock = SPINLOCK_INIT;
static struct pgtable kpt;

/* Stack slots (slot 0 is the boot stack); a bitmap so stacks can be freed and reused. */
static struct spinlock slot_lock = SPINLOCK_INIT;
static uint64_t slot_words[BITMAP_WORDS(KSTACK_SLOTS)];
static struct bitmap slots;
static uint64_t next_mmio = KMAP_VBASE;

paddr_t page_alloc(void)
{
	return pages_alloc(0);
}

static void *kpt_table_va(paddr_t pa)
{
	return phys_to_virt(pa);
}

/* Fallible: a map that runs out of table pages fails with PGTABLE_ENOMEM, changing nothing. */
static bool kpt_alloc(void *ctx, paddr_t *out)
{
	return pages_alloc_try(0, out);
}

void mm_init(const struct boot_info *bi)
{
	CHECK(bi->heap_phys_start >= bi->kernel_phys_end &&
	      bi->heap_phys_start < bi->svsm_base + bi->svsm_size);
	heap_setup(bi);
	bitmap_init(&slots, slot_words, KSTACK_SLOTS);
	bitmap_set(&slots, 0);
	kpt.root = pa_init(bi->pml4_phys);
	kpt.nx_mask = (bi->flags & BOOT_FLAG_NX) ? PTE_NX : 0;
	kpt.table_va = kpt_table_va;
	kpt.alloc_table = kpt_alloc;
	kpt.ctx = NULL;
	/* The loader's ROM mapping was only for the hand-off. */
	CHECK(kunmap(va_init(ROM_VOFF + bi->rom_phys), bi->rom_size) == 0);
	pr_info("mm: %llu KiB free of the %llu KiB SVSM region\n",
		(unsigned long long)(heap_free_pages_total() * 4),
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
	uint64_t f = spin_lock_irqsave(&slot_lock);
	size_t slot = 0;
	bool ok = bitmap_alloc_range(&slots, 1, 1, &slot);
	uint64_t base = 0;

	spin_unlock_irqrestore(&slot_lock, f);
	if (!ok)
		panic("out of kernel stack slots (%llu)", (unsigned long long)KSTACK_SLOTS);
	base = KSTACK_VBASE + (uint64_t)slot * KSTACK_SLOT + PAGE_SIZE; /* guard below */
	CHECK(kmap(va_init(base), pages_alloc(KSTACK_ORDER), KSTACK_SIZE, PTE_W | PTE_NX) == 0);
	*bottom = base;
	*top = base + KSTACK_SIZE;
}

void stack_free(uint64_t bottom)
{
	uint64_t slot = (bottom - KSTACK_VBASE) / KSTACK_SLOT;
	paddr_t pa = {0};
	uint64_t flags = 0;
	uint64_t f = 0;

	CHECK(bottom == KSTACK_VBASE + slot * KSTACK_SLOT + PAGE_SIZE && slot != 0 &&
	      slot < KSTACK_SLOTS);
	CHECK(ktranslate(va_init(bottom), &pa, &flags) == 0);
	CHECK(kunmap(va_init(bottom), KSTACK_SIZE) == 0);
	pages_free(pa, KSTACK_ORDER);
	f = spin_lock_irqsave(&slot_lock);
	CHECK(bitmap_free_range(&slots, slot, 1));
	spin_unlock_irqrestore(&slot_lock, f);
}

void *kmap_mmio(paddr_t pa, uint64_t size)
{
	uint64_t len = ALIGN_UP(size, PAGE_SIZE);
	uint64_t va = __atomic_fetch_add(&next_mmio, len, __ATOMIC_RELAXED);

	CHECK(va + len <= KMAP_VBASE + KMAP_SIZE);
	CHECK(kmap(va_init(va), pa, len, PTE_W | PTE_NX | PTE_PCD | PTE_PWT) == 0);
	return (void *)va;
}
