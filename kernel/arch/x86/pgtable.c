/* SPDX-License-Identifier: MIT */
/*
 * 4-level page-table edits shared by the loader and the kernel. Callers own locking and TLB
 * invalidation. A map or unmap either changes every page it was asked to or none.
 */
#include <arch/x86/paging.h>

#define CANONICAL_MASK 0xffff800000000000ull

static bool canonical(uint64_t va)
{
	uint64_t top = va & CANONICAL_MASK;

	return top == 0 || top == CANONICAL_MASK;
}

static uint64_t *table_at(const struct pgtable *pt, uint64_t entry)
{
	return pt->table_va(pa_init(entry & PTE_ADDR_MASK));
}

/*
 * Returns the level-0 entry for va, creating intermediate tables when `create` is set.
 * NULL when a table is missing (and not created) or a large page covers va.
 */
static uint64_t *walk(struct pgtable *pt, uint64_t va, bool create, bool user, int *err)
{
	uint64_t *table = pt->table_va(pt->root);

	for (int level = 3; level > 0; level--) {
		uint64_t *e = &table[pt_index(va, level)];

		if (!(*e & PTE_P)) {
			paddr_t npa = {0};

			if (!create) {
				*err = PGTABLE_ENOENT;
				return NULL;
			}
			if (!pt->alloc_table(pt->ctx, &npa)) {
				*err = PGTABLE_ENOMEM;
				return NULL;
			}
			*e = pa_addr(npa) | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			*err = PGTABLE_EEXIST;
			return NULL;
		}
		if (user)
			*e |= PTE_U;
		table = table_at(pt, *e);
	}
	return &table[pt_index(va, 0)];
}

static int check_range(uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;

	if (size == 0 || va % PAGE_SIZE != 0 || size % PAGE_SIZE != 0 || last < va)
		return PGTABLE_EINVAL;
	if (!canonical(va) || !canonical(last) || (va ^ last) & CANONICAL_MASK)
		return PGTABLE_EINVAL;
	return PGTABLE_OK;
}

int pgtable_map(struct pgtable *pt, vaddr_t va, paddr_t pa, uint64_t size, uint64_t flags)
{
	uint64_t v = va_addr(va);
	uint64_t p = pa_addr(pa);
	uint64_t done = 0;
	int err = check_range(v, size);

	if (err)
		return err;
	if (p % PAGE_SIZE != 0 || ((p + size - 1) & ~(PTE_ADDR_MASK | 0xfffull)) != 0 ||
	    p + size - 1 < p)
		return PGTABLE_EINVAL;
	flags = (flags & ~(PTE_NX | PTE_ADDR_MASK | PTE_PS)) | (flags & pt->nx_mask) | PTE_P;

	/* User access is granted on the upper levels only once every leaf is in place. */
	for (done = 0; done < size; done += PAGE_SIZE) {
		uint64_t *pte = walk(pt, v + done, true, false, &err);

		if (!pte)
			break;
		if (*pte & PTE_P) {
			err = PGTABLE_EEXIST;
			break;
		}
		*pte = (p + done) | flags;
	}
	if (done == size) {
		for (uint64_t off = 0; (flags & PTE_U) && off < size; off += PAGE_SIZE)
			walk(pt, v + off, false, true, &err);
		return PGTABLE_OK;
	}
	/* Roll back what this call mapped; those entries exist, so this cannot fail. */
	for (uint64_t off = 0; off < done; off += PAGE_SIZE) {
		int e2 = 0;
		uint64_t *pte = walk(pt, v + off, false, false, &e2);

		if (pte)
			*pte = 0;
	}
	return err;
}

int pgtable_unmap(struct pgtable *pt, vaddr_t va, uint64_t size)
{
	uint64_t v = va_addr(va);
	int err = check_range(v, size);

	if (err)
		return err;
	/* First make sure every page is mapped, then clear: all or nothing. */
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *pte = walk(pt, v + off, false, false, &err);

		if (!pte)
			return err;
		if (!(*pte & PTE_P))
			return PGTABLE_ENOENT;
	}
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		*walk(pt, v + off, false, false, &err) = 0;
	return PGTABLE_OK;
}

int pgtable_translate(const struct pgtable *pt, vaddr_t va, paddr_t *pa, uint64_t *flags)
{
	uint64_t v = va_addr(va);
	uint64_t *table = pt->table_va(pt->root);

	if (!canonical(v))
		return PGTABLE_EINVAL;
	for (int level = 3; level >= 0; level--) {
		uint64_t e = table[pt_index(v, level)];
		uint64_t span = 1ull << (12 + 9 * level);

		if (!(e & PTE_P))
			return PGTABLE_ENOENT;
		if (level == 0 || (e & PTE_PS)) {
			uint64_t base = e & PTE_ADDR_MASK & ~(span - 1);

			*pa = pa_init(base + (v & (span - 1)));
			*flags = e & ~PTE_ADDR_MASK;
			return PGTABLE_OK;
		}
		table = table_at(pt, e);
	}
	return PGTABLE_ENOENT;
}
