/* SPDX-License-Identifier: MIT */
/*
 * x86-64 4-level paging: entry bits and the page-table walker shared by the loader (which
 * builds the kernel's tables) and the kernel (which edits them). AMD APM vol. 2, 5.3.
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <lib/compiler.h>
#include <lib/types.h>

#define PTE_P	      (1ull << 0)
#define PTE_W	      (1ull << 1)
#define PTE_U	      (1ull << 2)
#define PTE_PWT	      (1ull << 3)
#define PTE_PCD	      (1ull << 4)
#define PTE_A	      (1ull << 5)
#define PTE_D	      (1ull << 6)
#define PTE_PS	      (1ull << 7)
#define PTE_G	      (1ull << 8)
#define PTE_NX	      (1ull << 63)

#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PT_ENTRIES    512
#define PAGE_SIZE     4096ull

static inline unsigned int pt_index(uint64_t va, int level)
{
	return (unsigned int)(va >> (12 + 9 * level)) & 0x1ff;
}

/*
 * A set of page tables plus the means to reach and grow them. The loader reaches table pages
 * through its physmap; the kernel through the direct map. alloc_table returns a zeroed page
 * or false when none is left.
 */
struct pgtable {
	paddr_t root;
	uint64_t nx_mask; /* PTE_NX when EFER.NXE is on, else 0 */
	void *(*table_va)(paddr_t pa);
	bool (*alloc_table)(void *ctx, paddr_t *out);
	void *ctx;
};

enum pgtable_err {
	PGTABLE_OK = 0,
	PGTABLE_ENOMEM = -1,
	PGTABLE_EEXIST = -2, /* something is already mapped there */
	PGTABLE_ENOENT = -3, /* nothing is mapped there */
	PGTABLE_EINVAL = -4, /* unaligned or non-canonical address */
};

int pgtable_map(struct pgtable *pt, vaddr_t va, paddr_t pa, uint64_t size, uint64_t flags);
int pgtable_unmap(struct pgtable *pt, vaddr_t va, uint64_t size);
/*
 * The 4 KiB PTE slot for va (creating the tables above it when `create`), for callers that
 * own a window and rewrite its PTE directly; NULL when a table is missing or a large page
 * covers va.
 */
uint64_t *pgtable_pte(struct pgtable *pt, vaddr_t va, bool create);
int pgtable_translate(const struct pgtable *pt, vaddr_t va, paddr_t *pa, uint64_t *flags);

#endif
