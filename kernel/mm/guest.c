/* SPDX-License-Identifier: MIT */
/*
 * guest_read / guest_write: copies through this CPU's mapping window. Each CPU owns one page
 * of VA (GUEST_WINDOW_VBASE + index * 4 KiB) and rewrites its PTE directly; only that CPU ever
 * uses it, so a local invlpg is enough. Interrupts are off while the window is in use.
 */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <copra/cpu.h>
#include <copra/guest.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <lib/string.h>

/* The top half of the KMAP range; MMIO windows grow from its bottom. */
#define GUEST_WINDOW_VBASE (KMAP_VBASE + KMAP_SIZE / 2)

static struct guest_ram guest_ram;

void guest_init(const struct boot_info *bi)
{
	guest_ram_init(&guest_ram, bi->e820, bi->e820_count, bi->svsm_base, bi->svsm_size);
}

/* Called on each CPU during bring-up. */
void guest_window_init_cpu(void)
{
	struct percpu *pc = this_cpu();

	pc->window_va = GUEST_WINDOW_VBASE + (uint64_t)pc->index * PAGE_SIZE;
	pc->window_pte = kpte(va_init(pc->window_va));
	CHECK(!(*pc->window_pte & PTE_P));
}

static enum guest_err guest_copy(uint64_t gpa, void *buf, size_t len, bool write)
{
	struct percpu *pc = NULL;
	uint64_t flags = 0;
	uint8_t *p = buf;
	enum guest_err err = guest_range_check(&guest_ram, gpa, len);

	if (err != GUEST_OK)
		return err;
	flags = read_rflags();
	irq_disable();
	pc = this_cpu();
	while (len > 0) {
		uint64_t off = gpa & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		void *win = (void *)(pc->window_va + off);

		*pc->window_pte =
			(gpa - off) | PTE_P | (cpu_feat.nx ? PTE_NX : 0) | (write ? PTE_W : 0);
		invlpg(pc->window_va);
		if (write)
			memcpy(win, p, n);
		else
			memcpy(p, win, n);
		gpa += n;
		p += n;
		len -= n;
	}
	*pc->window_pte = 0;
	invlpg(pc->window_va);
	if (flags & RFLAGS_IF)
		irq_enable();
	return GUEST_OK;
}

enum guest_err guest_read(gpa_t gpa, void *buf, size_t len)
{
	return guest_copy(gpa_addr(gpa), buf, len, false);
}

enum guest_err guest_write(gpa_t gpa, const void *buf, size_t len)
{
	return guest_copy(gpa_addr(gpa), (void *)(uintptr_t)buf, len, true);
}
