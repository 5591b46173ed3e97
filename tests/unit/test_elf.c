/* SPDX-License-Identifier: MIT */
/*
 * lib/elf.c: elf_parse on images assembled in memory. A good image is reported exactly; every
 * enum elf_err value is reached by a minimal change to it; random byte mutations and every
 * truncation length run under ASan on buffers of exactly the parsed size, so any read outside
 * the buffer is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include <lib/elf.h>

#define PG    0x1000ull
#define KBASE 0xffffffff80000000ull
#define VMIN  KBASE
#define VMAX  0xffffffffc0000000ull
#define MAXPH 24

/* The parts of an image: header, program headers (written at eh.e_phoff) and the file size. */
struct elf_build {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAXPH];
	size_t size;
};

static struct elf64_phdr load(uint64_t vaddr, uint64_t off, uint64_t filesz, uint64_t memsz,
			      uint32_t flags)
{
	struct elf64_phdr ph = {
		.p_type = PT_LOAD,
		.p_flags = flags,
		.p_offset = off,
		.p_vaddr = vaddr,
		.p_paddr = vaddr - KBASE,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = PG,
	};

	return ph;
}

/*
 * The reference image: text (R+X, 0x1800 bytes), rodata (R), data+bss (R+W, filesz 0x200,
 * memsz 0x3000) and a PT_GNU_STACK; the data segment's file bytes end the file.
 */
static void good_build(struct elf_build *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->eh.e_ident, "\177ELF", 4);
	b->eh.e_ident[4] = ELFCLASS64;
	b->eh.e_ident[5] = ELFDATA2LSB;
	b->eh.e_ident[6] = EV_CURRENT;
	b->eh.e_type = ET_EXEC;
	b->eh.e_machine = EM_X86_64;
	b->eh.e_version = EV_CURRENT;
	b->eh.e_entry = KBASE + 0x10;
	b->eh.e_phoff = sizeof(struct elf64_ehdr);
	b->eh.e_ehsize = sizeof(struct elf64_ehdr);
	b->eh.e_phentsize = sizeof(struct elf64_phdr);
	b->eh.e_phnum = 4;
	b->ph[0] = load(KBASE, 0x1000, 0x1800, 0x1800, PF_R | PF_X);
	b->ph[1] = load(KBASE + 0x2000, 0x3000, 0x100, 0x100, PF_R);
	b->ph[2] = load(KBASE + 0x4000, 0x3100, 0x200, 0x3000, PF_R | PF_W);
	b->ph[3].p_type = PT_GNU_STACK;
	b->ph[3].p_flags = PF_R | PF_W;
	b->size = 0x3300;
}

/* Assembles b into a malloc'd buffer of exactly b->size bytes (headers clipped to it). */
static uint8_t *assemble(const struct elf_build *b)
{
	uint8_t *buf = malloc(b->size ? b->size : 1);
	size_t phbytes = (size_t)b->eh.e_phnum * sizeof(struct elf64_phdr);

	ASSERT(buf);
	for (size_t i = 0; i < b->size; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memcpy(buf, &b->eh, b->size < sizeof(b->eh) ? b->size : sizeof(b->eh));
	if (phbytes > sizeof(b->ph))
		phbytes = sizeof(b->ph);
	if (b->eh.e_phoff < b->size) {
		size_t room = b->size - (size_t)b->eh.e_phoff;

		memcpy(buf + b->eh.e_phoff, b->ph, phbytes < room ? phbytes : room);
	}
	return buf;
}

static enum elf_err parse_build(const struct elf_build *b, struct elf_image *img)
{
	uint8_t *buf = assemble(b);
	enum elf_err err = elf_parse(buf, b->size, VMIN, VMAX, img);

	free(buf);
	return err;
}

/* Parses b and expects `want`; names the case on failure. */
static void expect_err(const struct elf_build *b, enum elf_err want, const char *what)
{
	struct elf_image img;
	enum elf_err got = parse_build(b, &img);

	EXPECTF(got == want, "%s: got %d (%s), want %d (%s)", what, (int)got, elf_strerror(got),
		(int)want, elf_strerror(want));
}

/* Everything an ELF_OK result promises, checked against the buffer it came from. */
static bool image_consistent(const uint8_t *buf, size_t size, const struct elf_image *img)
{
	struct elf64_ehdr eh;
	uint64_t vend = 0;
	bool entry_ok = false;

	if (size < sizeof(eh) || img->nsegments == 0 || img->nsegments > ELF_MAX_SEGMENTS)
		return false;
	memcpy(&eh, buf, sizeof(eh));
	if (img->entry != eh.e_entry)
		return false;
	for (unsigned int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t end = 0;

		if (s->memsz == 0 || s->filesz > s->memsz || s->vaddr % PG != 0)
			return false;
		if (s->offset > size || s->filesz > size - s->offset)
			return false;
		if (s->vaddr < VMIN || s->vaddr >= VMAX || s->memsz > VMAX - s->vaddr)
			return false;
		end = s->vaddr + ((s->memsz + PG - 1) & ~(PG - 1));
		if (end > VMAX)
			return false;
		if ((s->flags & PF_W) && (s->flags & PF_X))
			return false;
		if (s->flags & ~(uint32_t)(PF_R | PF_W | PF_X))
			return false;
		if (end > vend)
			vend = end;
		if ((s->flags & PF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			entry_ok = true;
		for (unsigned int j = 0; j < i; j++) {
			const struct elf_segment *o = &img->seg[j];
			uint64_t oend = o->vaddr + ((o->memsz + PG - 1) & ~(PG - 1));

			if (s->vaddr < oend && o->vaddr < end)
				return false;
		}
	}
	return entry_ok && vend == img->vaddr_end;
}

UNIT_TEST(elf_good_image)
{
	struct elf_build b;
	struct elf_image img;
	uint8_t *buf = NULL;

	good_build(&b);
	buf = assemble(&b);
	ASSERT(elf_parse(buf, b.size, VMIN, VMAX, &img) == ELF_OK);
	EXPECT_EQ_U64(img.entry, KBASE + 0x10);
	EXPECT_EQ_U64(img.vaddr_end, KBASE + 0x7000); /* 0x4000 + 0x3000, page-rounded */
	ASSERT(img.nsegments == 3);
	EXPECT_EQ_U64(img.seg[0].vaddr, KBASE);
	EXPECT_EQ_U64(img.seg[0].memsz, 0x1800);
	EXPECT_EQ_U64(img.seg[0].offset, 0x1000);
	EXPECT_EQ_U64(img.seg[0].filesz, 0x1800);
	EXPECT_EQ_U64(img.seg[0].flags, PF_R | PF_X);
	EXPECT_EQ_U64(img.seg[1].vaddr, KBASE + 0x2000);
	EXPECT_EQ_U64(img.seg[1].memsz, 0x100);
	EXPECT_EQ_U64(img.seg[1].offset, 0x3000);
	EXPECT_EQ_U64(img.seg[1].filesz, 0x100);
	EXPECT_EQ_U64(img.seg[1].flags, PF_R);
	EXPECT_EQ_U64(img.seg[2].vaddr, KBASE + 0x4000);
	EXPECT_EQ_U64(img.seg[2].memsz, 0x3000);
	EXPECT_EQ_U64(img.seg[2].offset, 0x3100);
	EXPECT_EQ_U64(img.seg[2].filesz, 0x200);
	EXPECT_EQ_U64(img.seg[2].flags, PF_R | PF_W);
	EXPECT(image_consistent(buf, b.size, &img));
	free(buf);

	/* An odd-sized last segment rounds vaddr_end up to the next page. */
	b.ph[2].p_memsz = 0x2001;
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.vaddr_end, KBASE + 0x7000);
	b.ph[2].p_memsz = 0x2000;
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.vaddr_end, KBASE + 0x6000);

	/* vaddr_end is the highest end whatever the header order. */
	good_build(&b);
	{
		struct elf64_phdr t = b.ph[0];

		b.ph[0] = b.ph[2];
		b.ph[2] = t;
	}
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.vaddr_end, KBASE + 0x7000);
	EXPECT_EQ_U64(img.seg[0].vaddr, KBASE + 0x4000);
}

UNIT_TEST(elf_flags_masked_and_bounds_inclusive)
{
	struct elf_build b;
	struct elf_image img;

	/* OS/processor-specific flag bits are dropped from the report. */
	good_build(&b);
	b.ph[1].p_flags = PF_R | 0xf0000000u | 0x00100000u;
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.seg[1].flags, PF_R);

	/* A segment starting at vmin and one ending exactly at vmax are inside. */
	good_build(&b);
	b.ph[1].p_vaddr = VMAX - 0x2000;
	b.ph[1].p_memsz = 0x2000;
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.vaddr_end, VMAX);

	/* File bytes ending exactly at the end of the file are inside. */
	good_build(&b);
	b.ph[1].p_offset = b.size - 0x100;
	EXPECT(parse_build(&b, &img) == ELF_OK);

	/* A bss-only segment with filesz 0 and offset at the very end of the file is fine. */
	good_build(&b);
	b.ph[2].p_filesz = 0;
	b.ph[2].p_offset = b.size;
	EXPECT(parse_build(&b, &img) == ELF_OK);

	/* Entry on the last byte of the executable segment. */
	good_build(&b);
	b.eh.e_entry = KBASE + 0x17ff;
	EXPECT(parse_build(&b, &img) == ELF_OK);
}

UNIT_TEST(elf_etrunc)
{
	struct elf_build b;
	struct elf_image img;
	uint8_t *buf = NULL;

	good_build(&b);
	buf = assemble(&b);
	EXPECT(elf_parse(buf, sizeof(struct elf64_ehdr) - 1, VMIN, VMAX, &img) == ELF_ETRUNC);
	EXPECT(elf_parse(buf, 0, VMIN, VMAX, &img) == ELF_ETRUNC);
	EXPECT(elf_parse(NULL, 0, VMIN, VMAX, &img) == ELF_ETRUNC);
	free(buf);

	/* Program header table one byte past the end of the file. */
	good_build(&b);
	b.size = 64 + 4 * 56 - 1;
	expect_err(&b, ELF_ETRUNC, "phdr table past end");
	good_build(&b);
	b.eh.e_phoff = b.size - 56 * 4 + 8;
	expect_err(&b, ELF_ETRUNC, "phdr table past end (phoff)");
	good_build(&b);
	b.eh.e_phoff = UINT64_MAX - 7;
	expect_err(&b, ELF_ETRUNC, "phoff wraps");
	good_build(&b);
	b.eh.e_phnum = 0xffff;
	expect_err(&b, ELF_ETRUNC, "phnum 0xffff");

	/* Segment file bytes past the end of the file, and a wrapping offset. */
	good_build(&b);
	b.ph[2].p_filesz = 0x201;
	expect_err(&b, ELF_ETRUNC, "filesz one past end");
	good_build(&b);
	b.ph[1].p_offset = b.size;
	expect_err(&b, ELF_ETRUNC, "offset at end with filesz");
	good_build(&b);
	b.ph[1].p_offset = UINT64_MAX - 0x10;
	expect_err(&b, ELF_ETRUNC, "offset wraps");
	good_build(&b);
	b.ph[2].p_filesz = UINT64_MAX;
	b.ph[2].p_memsz = UINT64_MAX;
	/* filesz <= memsz, but the file bytes do not fit (checked before vaddr + memsz). */
	expect_err(&b, ELF_ETRUNC, "filesz huge");
}

UNIT_TEST(elf_emagic_eclass_etype)
{
	struct elf_build b;

	for (int i = 0; i < 4; i++) {
		good_build(&b);
		b.eh.e_ident[i] ^= 0x20;
		expect_err(&b, ELF_EMAGIC, "magic byte");
	}
	good_build(&b);
	b.eh.e_ident[4] = 1; /* ELFCLASS32 */
	expect_err(&b, ELF_ECLASS, "class 32");
	good_build(&b);
	b.eh.e_ident[4] = 0;
	expect_err(&b, ELF_ECLASS, "class none");
	good_build(&b);
	b.eh.e_ident[5] = 2; /* big endian */
	expect_err(&b, ELF_ECLASS, "data MSB");
	good_build(&b);
	b.eh.e_ident[6] = 0;
	expect_err(&b, ELF_ECLASS, "ident version 0");
	good_build(&b);
	b.eh.e_version = 2;
	expect_err(&b, ELF_ECLASS, "e_version 2");

	good_build(&b);
	b.eh.e_type = 3; /* ET_DYN */
	expect_err(&b, ELF_ETYPE, "ET_DYN");
	good_build(&b);
	b.eh.e_type = 1; /* ET_REL */
	expect_err(&b, ELF_ETYPE, "ET_REL");
	good_build(&b);
	b.eh.e_machine = 3; /* EM_386 */
	expect_err(&b, ELF_ETYPE, "EM_386");
	good_build(&b);
	b.eh.e_machine = 183; /* EM_AARCH64 */
	expect_err(&b, ELF_ETYPE, "EM_AARCH64");
}

UNIT_TEST(elf_ephdr)
{
	struct elf_build b;

	good_build(&b);
	b.eh.e_phentsize = 32;
	expect_err(&b, ELF_EPHDR, "phentsize 32");
	good_build(&b);
	b.eh.e_phentsize = 64;
	expect_err(&b, ELF_EPHDR, "phentsize 64");
	good_build(&b);
	b.eh.e_phnum = 0;
	expect_err(&b, ELF_EPHDR, "phnum 0");
	good_build(&b);
	b.eh.e_phoff = 68;
	expect_err(&b, ELF_EPHDR, "phoff misaligned");
	good_build(&b);
	b.eh.e_phoff = 65;
	expect_err(&b, ELF_EPHDR, "phoff odd");
}

UNIT_TEST(elf_esegment_erange)
{
	struct elf_build b;

	good_build(&b);
	b.ph[1].p_filesz = 0x101;
	expect_err(&b, ELF_ESEGMENT, "filesz > memsz");
	good_build(&b);
	b.ph[1].p_vaddr += 0x800;
	expect_err(&b, ELF_ESEGMENT, "vaddr unaligned");
	good_build(&b);
	b.ph[1].p_vaddr = 0xfffffffffffff000ull;
	b.ph[1].p_memsz = 0x2000;
	expect_err(&b, ELF_ESEGMENT, "vaddr + memsz wraps");
	good_build(&b);
	b.ph[1].p_vaddr = 0xfffffffffffff000ull;
	b.ph[1].p_memsz = 0x1000;
	expect_err(&b, ELF_ESEGMENT, "segment ending at 2^64");
	good_build(&b);
	b.ph[1].p_vaddr = 0xfffffffffffff000ull;
	b.ph[1].p_memsz = 0x10;
	expect_err(&b, ELF_ESEGMENT, "page rounding wraps");

	good_build(&b);
	b.ph[1].p_vaddr = VMIN - PG;
	expect_err(&b, ELF_ERANGE, "below vmin");
	good_build(&b);
	b.ph[1].p_vaddr = 0;
	expect_err(&b, ELF_ERANGE, "at 0");
	good_build(&b);
	b.ph[1].p_vaddr = VMAX - PG;
	b.ph[1].p_memsz = PG + 1;
	expect_err(&b, ELF_ERANGE, "end above vmax");
	good_build(&b);
	b.ph[1].p_vaddr = VMAX - PG;
	b.ph[1].p_filesz = 0x10;
	b.ph[1].p_memsz = 0x10; /* rounds up to exactly vmax: fine */
	expect_err(&b, ELF_OK, "rounded end at vmax");
	good_build(&b);
	b.ph[1].p_vaddr = VMAX;
	expect_err(&b, ELF_ERANGE, "at vmax");
}

UNIT_TEST(elf_eoverlap_ewx)
{
	struct elf_build b;

	/* Text is 0x1800 bytes: its second page is shared with a segment at +0x1000. */
	good_build(&b);
	b.ph[1].p_vaddr = KBASE + 0x1000;
	expect_err(&b, ELF_EOVERLAP, "shared page");
	good_build(&b);
	b.ph[1] = b.ph[0];
	expect_err(&b, ELF_EOVERLAP, "identical segments");
	good_build(&b);
	b.ph[1].p_vaddr = KBASE + 0x5000; /* inside data+bss */
	expect_err(&b, ELF_EOVERLAP, "inside another");
	good_build(&b);
	b.ph[2].p_vaddr = KBASE + 0x2000; /* data+bss over rodata, rodata first */
	b.ph[2].p_memsz = 0x1000;
	expect_err(&b, ELF_EOVERLAP, "later covers earlier");
	good_build(&b);
	b.ph[1].p_vaddr = KBASE; /* the same page as text, listed later */
	expect_err(&b, ELF_EOVERLAP, "same start");

	/* Adjacent pages are not shared. */
	good_build(&b);
	b.ph[1].p_vaddr = KBASE + 0x2000;
	b.ph[1].p_memsz = 0x2000;
	expect_err(&b, ELF_OK, "adjacent");

	good_build(&b);
	b.ph[1].p_flags = PF_R | PF_W | PF_X;
	expect_err(&b, ELF_EWX, "RWX");
	good_build(&b);
	b.ph[0].p_flags = PF_W | PF_X;
	expect_err(&b, ELF_EWX, "WX text");
}

UNIT_TEST(elf_edynamic_enoload)
{
	struct elf_build b;

	good_build(&b);
	b.ph[3].p_type = PT_INTERP;
	expect_err(&b, ELF_EDYNAMIC, "PT_INTERP after loads");
	good_build(&b);
	b.ph[3].p_type = PT_DYNAMIC;
	expect_err(&b, ELF_EDYNAMIC, "PT_DYNAMIC after loads");
	good_build(&b);
	b.ph[0].p_type = PT_INTERP;
	expect_err(&b, ELF_EDYNAMIC, "PT_INTERP first");

	/* No PT_LOAD at all, or only empty ones. */
	good_build(&b);
	for (int i = 0; i < 3; i++)
		b.ph[i].p_type = 4; /* PT_NOTE */
	expect_err(&b, ELF_ENOLOAD, "notes only");
	good_build(&b);
	for (int i = 0; i < 3; i++)
		b.ph[i].p_memsz = 0;
	b.ph[2].p_filesz = 0;
	b.ph[0].p_filesz = 0;
	b.ph[1].p_filesz = 0;
	expect_err(&b, ELF_ENOLOAD, "memsz 0 only");
	good_build(&b);
	b.eh.e_phnum = 1;
	b.ph[0].p_type = PT_NULL;
	expect_err(&b, ELF_ENOLOAD, "one PT_NULL");
}

UNIT_TEST(elf_eentry)
{
	struct elf_build b;

	good_build(&b);
	b.eh.e_entry = KBASE + 0x2000; /* rodata: readable, not executable */
	expect_err(&b, ELF_EENTRY, "entry in R");
	good_build(&b);
	b.eh.e_entry = KBASE + 0x4000;
	expect_err(&b, ELF_EENTRY, "entry in RW");
	good_build(&b);
	b.eh.e_entry = KBASE + 0x1800; /* page tail after text's memsz */
	expect_err(&b, ELF_EENTRY, "entry just past text");
	good_build(&b);
	b.eh.e_entry = KBASE - 1;
	expect_err(&b, ELF_EENTRY, "entry below text");
	good_build(&b);
	b.eh.e_entry = 0;
	expect_err(&b, ELF_EENTRY, "entry 0");
	good_build(&b);
	b.eh.e_entry = VMAX + 0x10;
	expect_err(&b, ELF_EENTRY, "entry beyond everything");
}

/* n loadable one-page segments at consecutive pages, text first; the file is 64 KiB. */
static void many_build(struct elf_build *b, unsigned int n)
{
	good_build(b);
	ASSERT(n <= MAXPH);
	b->eh.e_phnum = (uint16_t)n;
	b->eh.e_entry = KBASE + 8;
	for (unsigned int i = 0; i < n; i++)
		b->ph[i] = load(KBASE + i * PG, 0x2000, 0x10, 0x10, i == 0 ? PF_R | PF_X : PF_R);
	b->size = 0x10000;
}

UNIT_TEST(elf_etoomany)
{
	struct elf_build b;
	struct elf_image img;

	many_build(&b, ELF_MAX_SEGMENTS);
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.nsegments, ELF_MAX_SEGMENTS);
	EXPECT_EQ_U64(img.vaddr_end, KBASE + ELF_MAX_SEGMENTS * PG);
	many_build(&b, ELF_MAX_SEGMENTS + 1);
	expect_err(&b, ELF_ETOOMANY, "17 loads");
	many_build(&b, MAXPH);
	expect_err(&b, ELF_ETOOMANY, "24 loads");

	/* 17 headers of which one is empty: still 16 segments. */
	many_build(&b, ELF_MAX_SEGMENTS + 1);
	b.ph[5].p_memsz = 0;
	b.ph[5].p_filesz = 0;
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.nsegments, ELF_MAX_SEGMENTS);
}

UNIT_TEST(elf_empty_and_foreign_headers_ignored)
{
	struct elf_build b;
	struct elf_image img;
	static const uint32_t foreign[] = {
		PT_NULL,
		4, /* PT_NOTE */
		6, /* PT_PHDR */
		7, /* PT_TLS */
		PT_GNU_STACK,
		0x6474e552, /* PT_GNU_RELRO */
		0x70000000, /* processor-specific */
	};

	/* memsz == 0 loads are skipped whatever their other fields say. */
	good_build(&b);
	b.eh.e_phnum = 5;
	b.ph[3] = load(0x123, UINT64_MAX, 0, 0, PF_R | PF_W | PF_X);
	b.ph[4] = load(KBASE, 0, 0, 0, PF_R);
	ASSERT(parse_build(&b, &img) == ELF_OK);
	EXPECT_EQ_U64(img.nsegments, 3);
	EXPECT_EQ_U64(img.vaddr_end, KBASE + 0x7000);

	/* Non-LOAD headers with nonsense fields (overlap, W+X, out of range, past EOF). */
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		good_build(&b);
		b.ph[3] = load(KBASE + 1, UINT64_MAX - 2, UINT64_MAX, 5, PF_R | PF_W | PF_X);
		b.ph[3].p_type = foreign[i];
		ASSERT(parse_build(&b, &img) == ELF_OK);
		EXPECTF(img.nsegments == 3, "type %#x", foreign[i]);
	}
}

/* Fresh good image, a few random bytes replaced, mostly in the headers. */
static void mutate(uint8_t *buf, size_t size, size_t hdr)
{
	static const uint8_t special[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x10, 0x08, 0x40};
	unsigned int k = 1 + (unsigned int)(unit_rand64() % 4);

	for (unsigned int i = 0; i < k; i++) {
		uint64_t r = unit_rand64();
		size_t at = (r & 3) ? (size_t)((r >> 8) % hdr) : (size_t)((r >> 8) % size);

		buf[at] = (r & 4) ? special[(r >> 4) % sizeof(special)] : (uint8_t)(r >> 40);
	}
}

UNIT_TEST(elf_random_mutations)
{
	struct elf_build b;
	struct elf_image img;
	uint8_t *good = NULL;
	unsigned int ok = 0;
	unsigned int hits[ELF_ETOOMANY + 1] = {0};

	good_build(&b);
	good = assemble(&b);
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *buf = malloc(b.size);
		enum elf_err err = ELF_OK;

		ASSERT(buf);
		memcpy(buf, good, b.size);
		mutate(buf, b.size, 64 + 4 * 56);
		err = elf_parse(buf, b.size, VMIN, VMAX, &img);
		ASSERT((unsigned int)err <= ELF_ETOOMANY);
		hits[err]++;
		if (err == ELF_OK) {
			ok++;
			EXPECTF(image_consistent(buf, b.size, &img), "iteration %d", iter);
		}
		free(buf);
	}
	free(good);
	/* The mutations must have exercised both acceptance and several rejections. */
	EXPECT(ok > 100);
	EXPECT(hits[ELF_EMAGIC] > 0 && hits[ELF_ETYPE] > 0 && hits[ELF_ESEGMENT] > 0);
	EXPECT(hits[ELF_ERANGE] > 0 && hits[ELF_ETRUNC] > 0);
}

UNIT_TEST(elf_random_mutations_many_segments)
{
	struct elf_build b;
	struct elf_image img;
	uint8_t *good = NULL;

	many_build(&b, ELF_MAX_SEGMENTS + 1);
	good = assemble(&b);
	for (int iter = 0; iter < 5000; iter++) {
		uint8_t *buf = malloc(b.size);
		enum elf_err err = ELF_OK;

		ASSERT(buf);
		memcpy(buf, good, b.size);
		mutate(buf, b.size, 64 + 17 * 56);
		err = elf_parse(buf, b.size, VMIN, VMAX, &img);
		ASSERT((unsigned int)err <= ELF_ETOOMANY);
		if (err == ELF_OK)
			EXPECTF(image_consistent(buf, b.size, &img), "iteration %d", iter);
		free(buf);
	}
	free(good);
}

UNIT_TEST(elf_every_truncation)
{
	struct elf_build b;
	struct elf_image img;
	uint8_t *good = NULL;

	good_build(&b);
	good = assemble(&b);
	for (size_t len = 0; len <= b.size; len++) {
		uint8_t *buf = malloc(len ? len : 1);
		enum elf_err err = ELF_OK;

		ASSERT(buf);
		memcpy(buf, good, len);
		err = elf_parse(len ? buf : NULL, len, VMIN, VMAX, &img);
		/* The data segment's file bytes end the file: only the whole file is valid. */
		EXPECTF(err == (len == b.size ? ELF_OK : ELF_ETRUNC), "len %zu: %s", len,
			elf_strerror(err));
		free(buf);
	}
	free(good);
}

UNIT_TEST(elf_strerror_total)
{
	for (int e = 0; e <= ELF_ETOOMANY; e++)
		EXPECT(strcmp(elf_strerror((enum elf_err)e), "unknown ELF error") != 0);
	EXPECT_STR_EQ(elf_strerror((enum elf_err)(ELF_ETOOMANY + 1)), "unknown ELF error");
	EXPECT_STR_EQ(elf_strerror((enum elf_err)(-1)), "unknown ELF error");
}
