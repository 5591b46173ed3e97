/* SPDX-License-Identifier: MIT */
/*
 * mkimage: builds Copra's flat boot image for QEMU -bios.
 *
 *   [kernel ELF][symbol table] ... [image header @ size - 256 KiB - 4 KiB][loader + stage1]
 *
 * The output depends only on the inputs (no time stamps), so builds are reproducible.
 * Usage: mkimage --loader LOADER.bin --kernel KERNEL.elf --size BYTES -o OUT [--no-check]
 * --no-check skips kernel validation and symbols: only for building bad-input test images.
 */
#include <boot/image.h>
#include <boot/layout.h>
#include <lib/checked.h>
#include <lib/compiler.h>
#include <lib/crc32c.h>
#include <lib/elf.h>
#include <lib/symtab.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHT_SYMTAB 2
#define STT_NOTYPE 0
#define STT_FUNC   2
#define SHN_UNDEF  0
#define SHN_ABS	   0xfff1

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

struct buf {
	uint8_t *data;
	size_t size;
};

static __printf(1, 2) __noreturn void die(const char *fmt, ...)
{
	va_list ap;

	(void)fprintf(stderr, "mkimage: ");
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	exit(1);
}

static struct buf read_file(const char *path)
{
	struct buf b = {NULL, 0};
	FILE *f = fopen(path, "rb");
	long n = 0;

	if (!f)
		die("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		die("cannot size %s", path);
	b.size = (size_t)n;
	b.data = malloc(b.size ? b.size : 1);
	if (!b.data || fread(b.data, 1, b.size, f) != b.size)
		die("cannot read %s", path);
	(void)fclose(f); /* read-only: nothing to flush */
	return b;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct symtab_entry *x = a;
	const struct symtab_entry *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->size < y->size) - (x->size > y->size); /* sized (functions) first */
}

/* Builds the lib/symtab.h table from the ELF's .symtab: functions and code labels only. */
static struct buf build_symtab(const struct buf *k)
{
	const struct elf64_ehdr *eh = (const void *)k->data;
	const struct elf64_shdr *sh = NULL;
	struct symtab_entry *ents = NULL;
	char *strs = NULL;
	size_t nents = 0, strsz = 0, strcap = 0;
	struct buf out = {NULL, 0};
	struct symtab_header hdr;

	if (eh->e_shentsize != sizeof(*sh) ||
	    !range_within(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(*sh), 0, k->size))
		die("%s", "kernel ELF has no usable section headers");
	sh = (const void *)(k->data + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const struct elf64_shdr *st = &sh[i];
		const struct elf64_shdr *str = NULL;

		if (st->sh_type != SHT_SYMTAB)
			continue;
		if (ents)
			die("%s", "kernel ELF has more than one .symtab");
		if (st->sh_link >= eh->e_shnum || st->sh_entsize != sizeof(struct elf64_sym) ||
		    !range_within(st->sh_offset, st->sh_size, 0, k->size))
			die("%s", "bad .symtab");
		str = &sh[st->sh_link];
		if (!range_within(str->sh_offset, str->sh_size, 0, k->size) || str->sh_size == 0)
			die("%s", "bad .strtab");
		ents = calloc(st->sh_size / sizeof(struct elf64_sym) + 1, sizeof(*ents));
		if (!ents)
			die("%s", "out of memory");
		for (uint64_t j = 0; j < st->sh_size / sizeof(struct elf64_sym); j++) {
			const struct elf64_sym *s =
				(const void *)(k->data + st->sh_offset + j * sizeof(*s));
			const char *name = NULL;
			size_t len = 0;
			unsigned int type = s->st_info & 0xf;

			if ((type != STT_FUNC && type != STT_NOTYPE) || s->st_shndx == SHN_UNDEF ||
			    s->st_shndx == SHN_ABS || s->st_value < KERNEL_VBASE ||
			    s->st_name >= str->sh_size)
				continue;
			name = (const char *)k->data + str->sh_offset + s->st_name;
			len = strnlen(name, str->sh_size - s->st_name);
			if (len == 0 || len == str->sh_size - s->st_name || name[0] == '.' ||
			    (s->st_shndx < eh->e_shnum && !(sh[s->st_shndx].sh_flags & 4 /* X */)))
				continue;
			if (strsz + len + 1 > strcap) {
				char *grown = NULL;

				strcap = (strsz + len + 1) * 2;
				grown = realloc(strs, strcap);
				if (!grown)
					die("%s", "out of memory");
				strs = grown;
			}
			ents[nents].addr = s->st_value;
			ents[nents].size = (uint32_t)(s->st_size > UINT32_MAX ? 0 : s->st_size);
			ents[nents].name = (uint32_t)strsz;
			memcpy(strs + strsz, name, len + 1);
			strsz += len + 1;
			nents++;
		}
	}
	if (!ents || nents == 0)
		die("%s", "kernel ELF has no symbols");
	qsort(ents, nents, sizeof(*ents), sym_cmp);
	hdr.magic = SYMTAB_MAGIC;
	hdr.count = (uint32_t)nents;
	hdr.strtab_size = (uint32_t)strsz;
	hdr.reserved = 0;
	out.size = sizeof(hdr) + nents * sizeof(*ents) + strsz;
	out.data = calloc(1, out.size);
	if (!out.data)
		die("%s", "out of memory");
	memcpy(out.data, &hdr, sizeof(hdr));
	memcpy(out.data + sizeof(hdr), ents, nents * sizeof(*ents));
	memcpy(out.data + sizeof(hdr) + nents * sizeof(*ents), strs, strsz);
	if (!symtab_check(out.data, out.size))
		die("%s", "internal error: symbol table fails its own check");
	free(ents);
	free(strs);
	return out;
}

int main(int argc, char **argv)
{
	const char *loader_path = NULL, *kernel_path = NULL, *out_path = NULL;
	unsigned long long size = 0x200000;
	int check = 1;
	struct buf loader, kernel, syms = {NULL, 0};
	struct image_header h;
	uint8_t *img = NULL;
	uint64_t payload_end = 0;
	FILE *f = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--loader") && i + 1 < argc)
			loader_path = argv[++i];
		else if (!strcmp(argv[i], "--kernel") && i + 1 < argc)
			kernel_path = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out_path = argv[++i];
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--no-check"))
			check = 0;
		else
			die("unknown argument %s", argv[i]);
	}
	if (!loader_path || !kernel_path || !out_path)
		die("%s", "usage: mkimage --loader L --kernel K --size N -o OUT [--no-check]");
	if (size % IMAGE_ALIGN != 0 || size < LOADER_ROM_SIZE + 0x10000 || size > (1ull << 30))
		die("%s", "--size must be a multiple of 64 KiB between 320 KiB and 1 GiB");

	loader = read_file(loader_path);
	kernel = read_file(kernel_path);
	if (loader.size != LOADER_ROM_SIZE)
		die("%s: loader must be exactly 256 KiB", loader_path);
	if (check) {
		struct elf_image ei;
		enum elf_err e = elf_parse(kernel.data, kernel.size, KERNEL_VBASE,
					   KERNEL_VBASE + KERNEL_MAX_SIZE, &ei);

		if (e != ELF_OK)
			die("kernel ELF rejected: %s", elf_strerror(e));
		syms = build_symtab(&kernel);
	}

	payload_end = size - LOADER_ROM_SIZE - PAGE_SIZE_4K;
	memset(&h, 0, sizeof(h));
	h.magic = IMAGE_MAGIC;
	h.version = IMAGE_VERSION;
	h.header_size = sizeof(h);
	h.image_size = size;
	h.kernel_offset = 0;
	h.kernel_size = kernel.size;
	h.symtab_offset = ALIGN_UP(kernel.size, 16);
	h.symtab_size = syms.size;
	if (h.symtab_offset + h.symtab_size > payload_end)
		die("%s", "kernel and symbols do not fit: raise IMAGE_SIZE");
	h.kernel_crc32 = crc32c_update(0, kernel.data, kernel.size);
	h.symtab_crc32 = syms.size ? crc32c_update(0, syms.data, syms.size) : 0;
	h.header_crc32 = crc32c_update(0, &h, sizeof(h));

	img = calloc(1, size);
	if (!img)
		die("%s", "out of memory");
	memcpy(img + h.kernel_offset, kernel.data, kernel.size);
	if (syms.size)
		memcpy(img + h.symtab_offset, syms.data, syms.size);
	memcpy(img + payload_end, &h, sizeof(h));
	memcpy(img + size - LOADER_ROM_SIZE, loader.data, loader.size);

	f = fopen(out_path, "wb");
	if (!f)
		die("cannot create %s", out_path);
	if (fwrite(img, 1, size, f) != size) {
		(void)fclose(f);
		die("cannot write %s", out_path);
	}
	if (fclose(f) != 0)
		die("cannot write %s", out_path);
	free(img);
	free(syms.data);
	free(kernel.data);
	free(loader.data);
	return 0;
}
