/* SPDX-License-Identifier: MIT */
/*
 * Kernel memory: early page allocation from the SVSM region, the kernel page tables, guarded
 * kernel stacks and device mappings. (The buddy allocator and heap come with the memory issue.)
 */
#ifndef COPRA_MM_H
#define COPRA_MM_H

#include <boot/boot_info.h>
#include <boot/layout.h>
#include <lib/types.h>

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(DIRECTMAP_VBASE + pa_addr(pa));
}

void mm_init(const struct boot_info *bi);

/* A zeroed page; panics with a report when the heap is exhausted (kmalloc.h for more). */
paddr_t page_alloc(void);

/* Kernel page-table edits (all CPUs share them). Return PGTABLE_* codes. */
int kmap(vaddr_t va, paddr_t pa, uint64_t size, uint64_t flags);
int kunmap(vaddr_t va, uint64_t size);
int ktranslate(vaddr_t va, paddr_t *pa, uint64_t *flags);
bool kaddr_mapped(uint64_t va);

/* The PTE slot of a kernel VA (tables created), for per-CPU windows. */
uint64_t *kpte(vaddr_t va);

#define KSTACK_ORDER 2 /* KSTACK_SIZE = 4 pages */
_Static_assert((PAGE_SIZE_4K << KSTACK_ORDER) == KSTACK_SIZE, "stack order");

/* A KSTACK_SIZE kernel stack with an unmapped guard page below it (and unmapped above). */
void stack_alloc(uint64_t *bottom, uint64_t *top);
/* Unmaps (with TLB shootdown) and frees a stack from stack_alloc; bottom as returned. */
void stack_free(uint64_t bottom);

/* Maps device memory (uncached, NX) and returns its virtual address. */
void *kmap_mmio(paddr_t pa, uint64_t size);

#endif
