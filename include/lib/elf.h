/* SPDX-License-Identifier: MIT */
/*
 * ELF64 executables: the structures (System V gABI, "ELF-64 Object File Format" 1.5) and a
 * strict validator used by the loader for the kernel and by tools/mkimage. The validator reads
 * only inside the buffer it is given, whatever the bytes are.
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

#define EI_NIDENT	 16
#define ELFCLASS64	 2
#define ELFDATA2LSB	 1
#define EV_CURRENT	 1
#define ET_EXEC		 2
#define EM_X86_64	 62
#define PT_NULL		 0
#define PT_LOAD		 1
#define PT_DYNAMIC	 2
#define PT_INTERP	 3
#define PT_GNU_STACK	 0x6474e551
#define PF_X		 1
#define PF_W		 2
#define PF_R		 4

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 spec, figure 2");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 spec, figure 6");

struct elf_segment {
	uint64_t vaddr; /* page aligned */
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct elf_image {
	uint64_t entry;
	uint64_t vaddr_end; /* page-rounded end of the highest segment */
	unsigned int nsegments;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

enum elf_err {
	ELF_OK = 0,
	ELF_ETRUNC,   /* the file ends before a header or a segment does */
	ELF_EMAGIC,   /* not an ELF file */
	ELF_ECLASS,   /* not 64-bit little-endian version 1 */
	ELF_ETYPE,    /* not an x86-64 executable */
	ELF_EPHDR,    /* bad program header table */
	ELF_ESEGMENT, /* a segment is malformed (sizes, alignment, overflow) */
	ELF_ERANGE,   /* a segment lies outside the allowed virtual range */
	ELF_EOVERLAP, /* two segments share a page */
	ELF_EWX,      /* a segment is both writable and executable */
	ELF_EDYNAMIC, /* needs an interpreter or dynamic linking */
	ELF_ENOLOAD,  /* no loadable segment */
	ELF_EENTRY,   /* entry point not in an executable segment */
	ELF_ETOOMANY, /* more than ELF_MAX_SEGMENTS loadable segments */
};

/*
 * Validates an x86-64 ET_EXEC image of `size` bytes whose loadable segments must lie in
 * [vmin, vmax). On ELF_OK, *out describes every PT_LOAD segment; on error *out is unspecified.
 */
enum elf_err elf_parse(const void *buf, size_t size, uint64_t vmin, uint64_t vmax,
		       struct elf_image *out);

const char *elf_strerror(enum elf_err err);

#endif
