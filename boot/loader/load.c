/* SPDX-License-Identifier: MIT */
/*
 * Loading the kernel: check the image header and CRCs, validate the ELF, copy its segments to
 * the start of the SVSM region and build the kernel's page tables:
 *   kernel segments at their link addresses (text RX, rodata R, data RW+NX),
 *   the rest of the SVSM region at DIRECTMAP_VBASE + pa (RW+NX),
 *   the BSP boot stack in stack slot 0 with an unmapped guard page below it,
 *   the loader's ROM at its current address (RX) so the hand-off survives the CR3 switch.
 * Memory for tables, stack, symbols and boot_info comes from a bump pointer after the kernel.
 */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <boot/image.h>
#include <boot/layout.h>
#include <lib/checked.h>
#include <lib/crc32c.h>
#include <lib/elf.h>
#include <lib/string.h>

#include "loader.h"

struct bump {
	uint64_t next;
	uint64_t end;
};

static struct bump bump;

static bool bump_alloc(void *ctx, paddr_t *out)
{
	struct bump *b = ctx;

	if (b->end - b->next < PAGE_SIZE)
		return false;
	*out = pa_init(b->next);
	memset(phys_ptr(b->next), 0, PAGE_SIZE);
	b->next += PAGE_SIZE;
	return true;
}

static uint64_t bump_pages(uint64_t bytes)
{
	uint64_t pa = bump.next;
	uint64_t len = ALIGN_UP(bytes, PAGE_SIZE);

	if (bump.end - bump.next < len)
		loader_fail("SVSM region too small for the kernel's boot data");
	memset(phys_ptr(pa), 0, len);
	bump.next += len;
	return pa;
}

static void *table_va(paddr_t pa)
{
	return phys_ptr(pa_addr(pa));
}

static void map_or_fail(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags,
			const char *what)
{
	int err = pgtable_map(pt, va_init(va), pa_init(pa), size, flags);

	if (err)
		loader_fail("cannot map %s (error %d)", what, err);
}

/* The header is ROM data produced by mkimage; a damaged image must stop here, cleanly. */
static void check_header(const struct image_header *h, uint64_t *image_base)
{
	struct image_header tmp = *h;
	uint64_t payload_end = 0;

	if (h->magic != IMAGE_MAGIC)
		loader_fail("no Copra image header at %llx (bad magic)",
			    (unsigned long long)IMAGE_HEADER_PHYS);
	if (h->version != IMAGE_VERSION || h->header_size != sizeof(*h))
		loader_fail("unsupported image header version %u size %u", h->version,
			    h->header_size);
	tmp.header_crc32 = 0;
	if (crc32c_update(0, &tmp, sizeof(tmp)) != h->header_crc32)
		loader_fail("image header is corrupted (CRC-32C mismatch)");
	if (h->image_size % IMAGE_ALIGN != 0 || h->image_size < LOADER_ROM_SIZE + PAGE_SIZE ||
	    h->image_size > (1ull << 30))
		loader_fail("image header has a bad image size %llx",
			    (unsigned long long)h->image_size);
	*image_base = IMAGE_TOP - h->image_size;
	payload_end = h->image_size - LOADER_ROM_SIZE - PAGE_SIZE;
	if (h->kernel_size == 0 || !range_within(h->kernel_offset, h->kernel_size, 0, payload_end))
		loader_fail("image header: kernel range is outside the image");
	if (!range_within(h->symtab_offset, h->symtab_size, 0, payload_end))
		loader_fail("image header: symbol table range is outside the image");
}

static uint64_t segment_flags(uint32_t pf)
{
	uint64_t f = PTE_P | PTE_NX;

	if (pf & PF_W)
		f |= PTE_W;
	if (pf & PF_X)
		f &= ~PTE_NX;
	return f;
}

void loader_load_kernel(struct boot_info *st, struct kernel_load *out)
{
	const struct image_header *h = phys_ptr(IMAGE_HEADER_PHYS);
	struct elf_image elf;
	struct pgtable pt;
	enum elf_err eerr = ELF_OK;
	uint64_t image_base = 0;
	const uint8_t *kernel = NULL;
	uint64_t kmax = KERNEL_MAX_SIZE;
	uint64_t kernel_end = 0;
	uint64_t crc = 0;
	uint64_t stack_pa = 0;
	uint64_t bi_pa = 0;
	uint64_t dm_large = 0;
	struct boot_info *bi = NULL;
	bool nx = (rdmsr(MSR_EFER) & EFER_NXE) != 0;

	check_header(h, &image_base);
	kernel = phys_ptr(image_base + h->kernel_offset);
	crc = crc32c_update(0, kernel, h->kernel_size);
	if (crc != h->kernel_crc32)
		loader_fail("kernel image is corrupted: CRC-32C %08x, expected %08x",
			    (unsigned int)crc, h->kernel_crc32);
	if (kmax > st->svsm_size / 2)
		kmax = st->svsm_size / 2;
	eerr = elf_parse(kernel, h->kernel_size, KERNEL_VBASE, KERNEL_VBASE + kmax, &elf);
	if (eerr != ELF_OK)
		loader_fail("kernel ELF rejected: %s", elf_strerror(eerr));

	/* Kernel image at the start of the region, every gap zeroed. */
	kernel_end = st->svsm_base + (elf.vaddr_end - KERNEL_VBASE);
	memset(phys_ptr(st->svsm_base), 0, kernel_end - st->svsm_base);
	for (unsigned int i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.seg[i];

		memcpy(phys_ptr(st->svsm_base + (s->vaddr - KERNEL_VBASE)), kernel + s->offset,
		       s->filesz);
	}
	bump.next = kernel_end;
	bump.end = st->svsm_base + st->svsm_size;

	pt.nx_mask = nx ? PTE_NX : 0;
	pt.table_va = table_va;
	pt.alloc_table = bump_alloc;
	pt.ctx = &bump;
	if (!bump_alloc(&bump, &pt.root))
		loader_fail("SVSM region too small for page tables");

	for (unsigned int i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.seg[i];

		map_or_fail(&pt, s->vaddr, st->svsm_base + (s->vaddr - KERNEL_VBASE),
			    ALIGN_UP(s->memsz, PAGE_SIZE), segment_flags(s->flags),
			    "a kernel segment");
	}

	/* Boot stack in slot 0: guard page at KSTACK_VBASE stays unmapped. */
	stack_pa = bump_pages(KSTACK_SIZE);
	map_or_fail(&pt, KSTACK_VBASE + PAGE_SIZE, stack_pa, KSTACK_SIZE, PTE_P | PTE_W | PTE_NX,
		    "the boot stack");

	/* The loader's ROM, for the hand-off; the kernel unmaps it once running. */
	map_or_fail(&pt, LOADER_ROM_BASE + ROM_VOFF, LOADER_ROM_BASE, LOADER_ROM_SIZE, PTE_P,
		    "the loader");

	bi_pa = bump_pages(sizeof(*bi));
	bi = phys_ptr(bi_pa);
	*bi = *st;
	if (h->symtab_size != 0) {
		const uint8_t *sym = phys_ptr(image_base + h->symtab_offset);
		uint64_t sym_pa = 0;

		if (crc32c_update(0, sym, h->symtab_size) != h->symtab_crc32)
			loader_fail("kernel symbol table is corrupted (CRC-32C mismatch)");
		sym_pa = bump_pages(h->symtab_size);
		memcpy(phys_ptr(sym_pa), sym, h->symtab_size);
		bi->symtab_va = DIRECTMAP_VBASE + sym_pa;
		bi->symtab_size = h->symtab_size;
	}

	/*
	 * Everything after the kernel image, including the tables being built, is direct-mapped:
	 * 4 KiB pages up to the next 2 MiB boundary, 2 MiB pages after it (the region is 2 MiB
	 * aligned in size and base), which keeps the loader's work small.
	 */
	dm_large = ALIGN_UP(kernel_end, PAGE_SIZE_2M);
	if (dm_large > kernel_end)
		map_or_fail(&pt, DIRECTMAP_VBASE + kernel_end, kernel_end, dm_large - kernel_end,
			    PTE_P | PTE_W | PTE_NX, "the direct map");
	if (st->svsm_base + st->svsm_size > dm_large)
		map_or_fail(&pt, DIRECTMAP_VBASE + dm_large, dm_large,
			    st->svsm_base + st->svsm_size - dm_large,
			    PTE_P | PTE_W | PTE_NX | PTE_PS, "the direct map");

	bi->kernel_phys_end = kernel_end;
	bi->heap_phys_start = bump.next;
	bi->pml4_phys = pa_addr(pt.root);
	bi->stack_bottom_va = KSTACK_VBASE + PAGE_SIZE;
	bi->stack_top_va = KSTACK_VBASE + PAGE_SIZE + KSTACK_SIZE;
	bi->rom_phys = LOADER_ROM_BASE;
	bi->rom_size = LOADER_ROM_SIZE;
	bi->flags = nx ? BOOT_FLAG_NX : 0;

	out->entry = elf.entry;
	out->pml4 = pa_addr(pt.root);
	out->boot_info_va = DIRECTMAP_VBASE + bi_pa;
	out->stack_top = bi->stack_top_va;
}
