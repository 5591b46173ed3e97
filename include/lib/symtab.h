/* SPDX-License-Identifier: MIT */
/*
 * The kernel's symbol table as tools/mkimage stores it in the image, for backtraces.
 *   struct symtab_header, then `count` entries sorted by address, then `strtab_size` bytes of
 *   NUL-terminated names. Lookups check every offset, so a damaged table gives no name, never
 *   a fault.
 */
#ifndef LIB_SYMTAB_H
#define LIB_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

#define SYMTAB_MAGIC 0x4d595343u /* "CSYM" */

struct symtab_header {
	uint32_t magic;
	uint32_t count;
	uint32_t strtab_size;
	uint32_t reserved;
};

struct symtab_entry {
	uint64_t addr;
	uint32_t size;
	uint32_t name;
};

_Static_assert(sizeof(struct symtab_header) == 16, "symtab ABI");
_Static_assert(sizeof(struct symtab_entry) == 16, "symtab ABI");

/* True when blob holds a well-formed table (sizes consistent, entries sorted). */
int symtab_check(const void *blob, size_t size);

/*
 * Finds the function containing addr. Returns its name and sets *offset, or returns NULL when
 * addr is in no known symbol. Any bytes are safe (offsets are bounds-checked), but the answer
 * is only meaningful for a table that passed symtab_check (sorted).
 */
const char *symtab_lookup(const void *blob, size_t size, uint64_t addr, uint64_t *offset);

#endif
