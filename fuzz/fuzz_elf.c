/* SPDX-License-Identifier: MIT */
/*
 * lib/elf.c elf_parse on arbitrary bytes, as the loader and tools/mkimage call it on the kernel
 * image: the input is the file. It is parsed as given (libFuzzer's exact-size copy, so ASan
 * sees any read past the end) and again from an odd address (the buffer need not be aligned),
 * against both kernel windows in use: mkimage's [KERNEL_VBASE, +KERNEL_MAX_SIZE) and the
 * loader's default [KERNEL_VBASE, +SVSM_REGION_SIZE / 2). On ELF_OK every promise of
 * include/lib/elf.h is checked: segments inside the window, inside the file, page aligned,
 * disjoint at page granularity, not W+X, entry in an executable segment, vaddr_end exact.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <boot/layout.h>
#include <lib/elf.h>

#define PAGE 4096ull

static void check_image(const struct elf_image *im, size_t size, uint64_t vmin, uint64_t vmax)
{
	uint64_t top = 0;
	bool entry_ok = false;

	FUZZ_CHECK(im->nsegments >= 1 && im->nsegments <= ELF_MAX_SEGMENTS);
	for (unsigned int i = 0; i < im->nsegments; i++) {
		const struct elf_segment *s = &im->seg[i];
		uint64_t end = 0;
		uint64_t fend = 0;

		FUZZ_CHECK(s->vaddr % PAGE == 0);
		FUZZ_CHECK(s->memsz != 0 && s->filesz <= s->memsz);
		FUZZ_CHECK(!__builtin_add_overflow(s->vaddr, s->memsz, &end));
		FUZZ_CHECK(!__builtin_add_overflow(end, PAGE - 1, &end));
		end &= ~(PAGE - 1);
		FUZZ_CHECK(s->vaddr >= vmin && end <= vmax);
		/* The file bytes the loader copies lie inside the input. */
		FUZZ_CHECK(!__builtin_add_overflow(s->offset, s->filesz, &fend));
		FUZZ_CHECK(fend <= size);
		FUZZ_CHECK((s->flags & ~(uint32_t)(PF_R | PF_W | PF_X)) == 0);
		FUZZ_CHECK(!((s->flags & PF_W) && (s->flags & PF_X)));
		for (unsigned int j = 0; j < i; j++) {
			const struct elf_segment *o = &im->seg[j];
			uint64_t oend = (o->vaddr + o->memsz + PAGE - 1) & ~(PAGE - 1);

			FUZZ_CHECK(end <= o->vaddr || oend <= s->vaddr);
		}
		if (end > top)
			top = end;
		if ((s->flags & PF_X) && im->entry >= s->vaddr && im->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	FUZZ_CHECK(im->vaddr_end == top);
	FUZZ_CHECK(entry_ok);
}

static enum elf_err parse_checked(const uint8_t *buf, size_t size, uint64_t vmax,
				  struct elf_image *im)
{
	enum elf_err err = elf_parse(buf, size, KERNEL_VBASE, vmax, im);

	FUZZ_CHECK(elf_strerror(err) != NULL);
	if (err == ELF_OK) {
		check_image(im, size, KERNEL_VBASE, vmax);
		/* Touch every byte the loader would copy. */
		for (unsigned int i = 0; i < im->nsegments; i++) {
			volatile uint8_t sink = 0;

			for (uint64_t k = 0; k < im->seg[i].filesz; k += 64)
				sink ^= buf[im->seg[i].offset + k];
			if (im->seg[i].filesz)
				sink ^= buf[im->seg[i].offset + im->seg[i].filesz - 1];
			(void)sink;
		}
	}
	return err;
}

/* The answer does not depend on where the bytes sit (fields only: padding is unspecified). */
static void same_image(const struct elf_image *a, const struct elf_image *b)
{
	FUZZ_CHECK(a->entry == b->entry && a->vaddr_end == b->vaddr_end);
	FUZZ_CHECK(a->nsegments == b->nsegments);
	for (unsigned int i = 0; i < a->nsegments; i++) {
		const struct elf_segment *x = &a->seg[i];
		const struct elf_segment *y = &b->seg[i];

		FUZZ_CHECK(x->vaddr == y->vaddr && x->memsz == y->memsz);
		FUZZ_CHECK(x->offset == y->offset && x->filesz == y->filesz);
		FUZZ_CHECK(x->flags == y->flags);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t windows[] = {
		KERNEL_VBASE + KERNEL_MAX_SIZE,
		KERNEL_VBASE + SVSM_REGION_SIZE / 2,
	};
	struct elf_image a;
	struct elf_image b;
	uint8_t *odd = malloc(size + 1);

	FUZZ_CHECK(odd != NULL);
	memcpy(odd + 1, data, size);
	for (unsigned int w = 0; w < 2; w++) {
		enum elf_err ea = parse_checked(data, size, windows[w], &a);
		enum elf_err eb = parse_checked(odd + 1, size, windows[w], &b);

		FUZZ_CHECK(ea == eb);
		if (ea == ELF_OK)
			same_image(&a, &b);
	}
	free(odd);
	return 0;
}
