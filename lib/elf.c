/* SPDX-License-Identifier: MIT */
#include <lib/checked.h>
#include <lib/compiler.h>
#include <lib/elf.h>
#include <lib/string.h>

#define ELF_PAGE 4096ull

static const char *const elf_errors[] = {
	[ELF_OK] = "ok",
	[ELF_ETRUNC] = "file is truncated",
	[ELF_EMAGIC] = "not an ELF file",
	[ELF_ECLASS] = "not ELF64 little-endian version 1",
	[ELF_ETYPE] = "not an x86-64 executable",
	[ELF_EPHDR] = "bad program header table",
	[ELF_ESEGMENT] = "malformed loadable segment",
	[ELF_ERANGE] = "segment outside the allowed address range",
	[ELF_EOVERLAP] = "segments overlap",
	[ELF_EWX] = "segment is both writable and executable",
	[ELF_EDYNAMIC] = "dynamic executables are not supported",
	[ELF_ENOLOAD] = "no loadable segment",
	[ELF_EENTRY] = "entry point outside executable code",
	[ELF_ETOOMANY] = "too many loadable segments",
};

const char *elf_strerror(enum elf_err err)
{
	if ((unsigned int)err >= ARRAY_SIZE(elf_errors) || !elf_errors[err])
		return "unknown ELF error";
	return elf_errors[err];
}

static enum elf_err check_header(const struct elf64_ehdr *eh, size_t size)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	uint64_t phsize = 0;

	if (memcmp(eh->e_ident, magic, sizeof(magic)) != 0)
		return ELF_EMAGIC;
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_ident[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return ELF_ECLASS;
	if (eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64)
		return ELF_ETYPE;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0)
		return ELF_EPHDR;
	if (MUL_OVERFLOW((uint64_t)eh->e_phnum, (uint64_t)sizeof(struct elf64_phdr), &phsize) ||
	    !range_within(eh->e_phoff, phsize, 0, size))
		return ELF_ETRUNC;
	if (eh->e_phoff % 8 != 0)
		return ELF_EPHDR;
	return ELF_OK;
}

/* Checks one PT_LOAD header and appends it to out; pages of segments must not be shared. */
static enum elf_err add_segment(const struct elf64_phdr *ph, size_t size, uint64_t vmin,
				uint64_t vmax, struct elf_image *out)
{
	struct elf_segment *s = NULL;
	uint64_t end = 0;

	if (ph->p_memsz == 0)
		return ELF_OK; /* occupies nothing */
	if (ph->p_filesz > ph->p_memsz || ph->p_vaddr % ELF_PAGE != 0)
		return ELF_ESEGMENT;
	if (!range_within(ph->p_offset, ph->p_filesz, 0, size))
		return ELF_ETRUNC;
	if (ADD_OVERFLOW(ph->p_vaddr, ph->p_memsz, &end) || ADD_OVERFLOW(end, ELF_PAGE - 1, &end))
		return ELF_ESEGMENT;
	end &= ~(ELF_PAGE - 1);
	if (ph->p_vaddr < vmin || end > vmax)
		return ELF_ERANGE;
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return ELF_EWX;
	for (unsigned int i = 0; i < out->nsegments; i++) {
		const struct elf_segment *o = &out->seg[i];

		if (range_overlaps(ph->p_vaddr, end - ph->p_vaddr, o->vaddr,
				   ALIGN_UP(o->memsz, ELF_PAGE)))
			return ELF_EOVERLAP;
	}
	if (out->nsegments == ELF_MAX_SEGMENTS)
		return ELF_ETOOMANY;
	s = &out->seg[out->nsegments++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->flags = ph->p_flags & (PF_R | PF_W | PF_X);
	if (end > out->vaddr_end)
		out->vaddr_end = end;
	return ELF_OK;
}

enum elf_err elf_parse(const void *buf, size_t size, uint64_t vmin, uint64_t vmax,
		       struct elf_image *out)
{
	struct elf64_ehdr eh;
	enum elf_err err = ELF_OK;

	memset(out, 0, sizeof(*out));
	if (size < sizeof(eh))
		return ELF_ETRUNC;
	/* Copy headers out: the buffer need not be aligned. */
	memcpy(&eh, buf, sizeof(eh));
	err = check_header(&eh, size);
	if (err != ELF_OK)
		return err;

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, (const uint8_t *)buf + eh.e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			return ELF_EDYNAMIC;
		if (ph.p_type != PT_LOAD)
			continue;
		err = add_segment(&ph, size, vmin, vmax, out);
		if (err != ELF_OK)
			return err;
	}
	if (out->nsegments == 0)
		return ELF_ENOLOAD;
	for (unsigned int i = 0; i < out->nsegments; i++) {
		const struct elf_segment *s = &out->seg[i];

		if ((s->flags & PF_X) && eh.e_entry >= s->vaddr &&
		    eh.e_entry - s->vaddr < s->memsz) {
			out->entry = eh.e_entry;
			return ELF_OK;
		}
	}
	return ELF_EENTRY;
}
