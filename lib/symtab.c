/* SPDX-License-Identifier: MIT */
#include <lib/checked.h>
#include <lib/string.h>
#include <lib/symtab.h>

static const struct symtab_entry *entries(const void *blob)
{
	return (const struct symtab_entry *)((const uint8_t *)blob + sizeof(struct symtab_header));
}

static const struct symtab_header *header_of(const void *blob, size_t size)
{
	const struct symtab_header *h = blob;
	uint64_t need = 0;

	if (!blob || size < sizeof(*h) || ((uintptr_t)blob & 7) != 0)
		return NULL;
	if (h->magic != SYMTAB_MAGIC)
		return NULL;
	if (MUL_OVERFLOW((uint64_t)h->count, (uint64_t)sizeof(struct symtab_entry), &need) ||
	    ADD_OVERFLOW(need, (uint64_t)sizeof(*h) + h->strtab_size, &need) || need != size)
		return NULL;
	if (h->strtab_size == 0 || ((const char *)blob)[size - 1] != '\0')
		return NULL;
	return h;
}

int symtab_check(const void *blob, size_t size)
{
	const struct symtab_header *h = header_of(blob, size);

	if (!h)
		return 0;
	for (uint32_t i = 0; i < h->count; i++) {
		if (entries(blob)[i].name >= h->strtab_size)
			return 0;
		if (i > 0 && entries(blob)[i].addr < entries(blob)[i - 1].addr)
			return 0;
	}
	return 1;
}

const char *symtab_lookup(const void *blob, size_t size, uint64_t addr, uint64_t *offset)
{
	const struct symtab_header *h = header_of(blob, size);
	const struct symtab_entry *e = NULL;
	const char *strtab = NULL;
	uint32_t lo = 0;
	uint32_t hi = 0;

	if (!h || h->count == 0)
		return NULL;
	e = entries(blob);
	strtab = (const char *)(e + h->count);
	/* Last entry with e.addr <= addr. */
	hi = h->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	e = &e[lo - 1];
	if (e->name >= h->strtab_size)
		return NULL;
	if (e->size != 0 && addr - e->addr >= e->size)
		return NULL;
	*offset = addr - e->addr;
	return strtab + e->name;
}
