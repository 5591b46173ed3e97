/* SPDX-License-Identifier: MIT */
/*
 * 4-level page-table edits shared by the loader and the kernel (AMD APM vol. 2, 5.3). Pages
 * are 4 KiB, or 2 MiB when the caller passes PTE_PS. Callers own locking and TLB invalidation.
 * A map or unmap either changes every page it was asked to or none: leaves are checked or
 * written first and rolled back on failure; empty intermediate tables a failed call created
 * stay linked (they are reused).
 */
#include <arch/x86/paging.h>

#define CANONICAL_MASK 0xffff800000000000ull
#define LARGE_SIZE     (1ull << 21)

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
 * Returns the entry for va at `level` (0: PTE, 1: PDE), creating intermediate tables when
 * `create` is set, or NULL (with *err) when a table is missing or a large page is in the way.
 */
static uint64_t *walk(struct pgtable *pt, uint64_t va, int level, bool create, bool user, int *err)
{
	uint64_t *table = pt->table_va(pt->root);

	for (int l = 3; l > level; l--) {
		uint64_t *e = &table[pt_index(va, l)];

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
	return &table[pt_index(va, level)];
}

/* The leaf mapping va: a PTE (level 0) or a large PDE (level 1); NULL when nothing maps it. */
static uint64_t *find_leaf(const struct pgtable *pt, uint64_t va, int *level)
{
	uint64_t *table = pt->table_va(pt->root);

	for (int l = 3; l >= 0; l--) {
		uint64_t *e = &table[pt_index(va, l)];

		if (!(*e & PTE_P))
			return NULL;
		if (l == 0 || (*e & PTE_PS)) {
			*level = l;
			return e;
		}
		table = table_at(pt, *e);
	}
	return NULL;
}

static int check_range(uint64_t va, uint64_t size, uint64_t page)
{
	uint64_t last = va + size - 1;

	if (size == 0 || va % page != 0 || size % page != 0 || last < va)
		return PGTABLE_EINVAL;
	if (!canonical(va) || !canonical(last) || (va ^ last) & CANONICAL_MASK)
		return PGTABLE_EINVAL;
	return PGTABLE_OK;
}

int pgtable_map(struct pgtable *pt, vaddr_t va, paddr_t pa, uint64_t size, uint64_t flags)
{
	uint64_t v = va_addr(va);
	uint64_t p = pa_addr(pa);
	bool large = (flags & PTE_PS) != 0;
	uint64_t page = large ? LARGE_SIZE : PAGE_SIZE;
	int level = large ? 1 : 0;
	uint64_t done = 0;
	int err = check_range(v, size, page);

	if (err)
		return err;
	if (p % page != 0 || ((p + size - 1) & ~(PTE_ADDR_MASK | 0xfffull)) != 0 ||
	    p + size - 1 < p)
		return PGTABLE_EINVAL;
	flags = (flags & ~(PTE_NX | PTE_ADDR_MASK)) | (flags & pt->nx_mask) | PTE_P;

	/* User access is granted on the upper levels only once every leaf is in place. */
	for (done = 0; done < size; done += page) {
		uint64_t *leaf = walk(pt, v + done, level, true, false, &err);

		if (!leaf)
			break;
		if (*leaf & PTE_P) {
			err = PGTABLE_EEXIST;
			break;
		}
		*leaf = (p + done) | flags;
	}
	if (done == size) {
		for (uint64_t off = 0; (flags & PTE_U) && off < size; off += page)
			walk(pt, v + off, level, false, true, &err);
		return PGTABLE_OK;
	}
	/* Roll back what this call mapped; those entries exist, so this cannot fail. */
	for (uint64_t off = 0; off < done; off += page) {
		int e2 = 0;
		uint64_t *leaf = walk(pt, v + off, level, false, false, &e2);

		if (leaf)
			*leaf = 0;
	}
	return err;
}

/*
 * Unmaps [va, va + size). Every page must be mapped, and a large page only as a whole: a
 * range that would split one is refused (PGTABLE_EINVAL) and nothing changes.
 */
int pgtable_unmap(struct pgtable *pt, vaddr_t va, uint64_t size)
{
	uint64_t v = va_addr(va);
	int err = check_range(v, size, PAGE_SIZE);
	uint64_t off = 0;

	if (err)
		return err;
	while (off < size) {
		int level = 0;
		uint64_t *leaf = find_leaf(pt, v + off, &level);
		uint64_t span = level ? LARGE_SIZE : PAGE_SIZE;

		if (!leaf)
			return PGTABLE_ENOENT;
		if ((v + off) % span != 0 || size - off < span)
			return PGTABLE_EINVAL;
		off += span;
	}
	for (off = 0; off < size;) {
		int level = 0;
		uint64_t *leaf = find_leaf(pt, v + off, &level);

		*leaf = 0;
		off += level ? LARGE_SIZE : PAGE_SIZE;
	}
	return PGTABLE_OK;
}

uint64_t *pgtable_pte(struct pgtable *pt, vaddr_t va, bool create)
{
	int err = 0;

	if (!canonical(va_addr(va)))
		return NULL;
	return walk(pt, va_addr(va), 0, create, false, &err);
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
