/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: the buddy + slab core (kernel/mm/buddy.c, slab.c) over the whole SVSM
 * region, with one lock and the allocation policy of kmalloc.h. Page index i of the heap is
 * physical svsm_base + i * 4 KiB, seen at DIRECTMAP_VBASE + that address; only pages the
 * loader left free are released to it (the kernel image and the loader's allocations stay
 * reserved), and the buddy metadata sits at the top of the region, also reserved.
 * Lock order: heap_lock is a leaf (nothing else is taken while holding it).
 */
#include <copra/kmalloc.h>
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/slab.h>
#include <copra/spinlock.h>
#include <copra/trap.h>
#include <lib/string.h>

static struct heap kheap;
static struct spinlock heap_lock = SPINLOCK_INIT;
static uint64_t heap_base_pa;

/* Misuse (double free, foreign pointer, wrong order) is an invariant violation: panic. */
static void heap_violation(void *ctx, const char *what, uint64_t page, unsigned int order)
{
	panic("heap violation: %s (page %#llx = pa %#llx, order %u)", what,
	      (unsigned long long)page, (unsigned long long)(heap_base_pa + page * PAGE_SIZE_4K),
	      order);
}

void heap_setup(const struct boot_info *bi)
{
	uint64_t npages = bi->svsm_size / PAGE_SIZE_4K;
	uint64_t meta_pages = heap_meta_pages(npages);
	uint64_t meta_pa = bi->svsm_base + bi->svsm_size - meta_pages * PAGE_SIZE_4K;
	uint64_t first = (bi->heap_phys_start - bi->svsm_base) / PAGE_SIZE_4K;

	CHECK(bi->heap_phys_start % PAGE_SIZE_4K == 0 && meta_pa > bi->heap_phys_start);
	heap_base_pa = bi->svsm_base;
	heap_init(&kheap, (void *)(uintptr_t)(DIRECTMAP_VBASE + bi->svsm_base), npages,
		  phys_to_virt(pa_init(meta_pa)), heap_violation, NULL);
	buddy_release(&kheap.buddy, first, (meta_pa - bi->heap_phys_start) / PAGE_SIZE_4K);
}

static __noreturn void oom(size_t size, void *caller)
{
	struct heap_stats st;
	uint64_t off = 0;
	const char *sym = symbolize((uint64_t)caller, &off);

	heap_stats(&kheap, &st);
	log_enter_panic();
	pr_err("out of memory: %zu bytes requested by %p %s+%#llx\n", size, caller, sym ? sym : "?",
	       (unsigned long long)off);
	pr_err("  free pages %llu; free blocks per order:", (unsigned long long)st.free_pages);
	for (unsigned int o = 0; o < BUDDY_NORDERS; o++)
		pr_err(" %u:%llu", o, (unsigned long long)st.free_blocks[o]);
	pr_err("\n");
	panic("out of memory");
}

void *kmalloc_try(size_t size)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);
	void *p = heap_alloc(&kheap, size);

	spin_unlock_irqrestore(&heap_lock, f);
	return p;
}

void *kmalloc(size_t size)
{
	void *p = kmalloc_try(size);

	CHECK(size != 0);
	if (!p)
		oom(size, __builtin_return_address(0));
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc_try(size);

	CHECK(size != 0);
	if (!p)
		oom(size, __builtin_return_address(0));
	memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	uint64_t f = 0;

	if (!p)
		return;
	f = spin_lock_irqsave(&heap_lock);
	heap_free(&kheap, p);
	spin_unlock_irqrestore(&heap_lock, f);
}

bool pages_alloc_try(unsigned int order, paddr_t *out)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);
	void *p = heap_alloc_pages(&kheap, order);

	spin_unlock_irqrestore(&heap_lock, f);
	if (!p)
		return false;
	memset(p, 0, PAGE_SIZE_4K << order);
	*out = pa_init((uint64_t)(uintptr_t)p - DIRECTMAP_VBASE);
	return true;
}

paddr_t pages_alloc(unsigned int order)
{
	paddr_t pa = {0};

	if (!pages_alloc_try(order, &pa))
		oom(PAGE_SIZE_4K << order, __builtin_return_address(0));
	return pa;
}

void pages_free(paddr_t pa, unsigned int order)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);

	heap_free_pages(&kheap, phys_to_virt(pa), order);
	spin_unlock_irqrestore(&heap_lock, f);
}

uint64_t heap_free_pages_total(void)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);
	uint64_t n = buddy_free_pages(&kheap.buddy);

	spin_unlock_irqrestore(&heap_lock, f);
	return n;
}

void heap_log_stats(void)
{
	struct heap_stats st;
	uint64_t f = spin_lock_irqsave(&heap_lock);
	int largest = -1;

	heap_stats(&kheap, &st);
	spin_unlock_irqrestore(&heap_lock, f);
	for (int o = BUDDY_MAX_ORDER; o >= 0 && largest < 0; o--)
		if (st.free_blocks[o])
			largest = o;
	pr_info("heap: %llu KiB free, largest free block order %d\n",
		(unsigned long long)(st.free_pages * 4), largest);
}
