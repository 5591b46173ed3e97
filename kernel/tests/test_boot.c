/* SPDX-License-Identifier: MIT */
/* What the loader handed over, and the protections and layout the kernel set up from it. */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <copra/cpu.h>
#include <copra/mm.h>
#include <copra/test.h>
#include <copra/trap.h>
#include <lib/printf.h>
#include <lib/string.h>

extern const struct boot_info *boot_info;
extern char __text_start[], __rodata_start[], __data_start[];
extern uintptr_t __stack_chk_guard;
void kernel_main(const struct boot_info *bi);

TEST(boot_info_is_consistent)
{
	const struct boot_info *bi = boot_info;
	bool in_usable = false;

	EXPECT_EQ(bi->magic, BOOT_INFO_MAGIC);
	EXPECT_EQ(bi->svsm_size, SVSM_REGION_SIZE);
	EXPECT_EQ(bi->svsm_base % SVSM_REGION_ALIGN, 0);
	EXPECT(bi->kernel_phys_end > bi->svsm_base);
	EXPECT(bi->heap_phys_start >= bi->kernel_phys_end);
	EXPECT(bi->heap_phys_start < bi->svsm_base + bi->svsm_size);
	for (uint32_t i = 0; i < bi->e820_count; i++) {
		const struct boot_e820_entry *e = &bi->e820[i];

		if (e->type == E820_USABLE && bi->svsm_base >= e->addr &&
		    bi->svsm_base + bi->svsm_size <= e->addr + e->size)
			in_usable = true;
	}
	EXPECT(in_usable);
}

TEST(boot_kernel_is_wx)
{
	paddr_t pa;
	uint64_t f = 0;

	ASSERT(ktranslate(va_from_ptr(__text_start), &pa, &f) == 0);
	EXPECT(!(f & PTE_W));
	EXPECT(!(f & PTE_NX));
	ASSERT(ktranslate(va_from_ptr(__rodata_start), &pa, &f) == 0);
	EXPECT(!(f & PTE_W));
	EXPECT(!cpu_feat.nx || (f & PTE_NX));
	ASSERT(ktranslate(va_from_ptr(__data_start), &pa, &f) == 0);
	EXPECT(f & PTE_W);
	EXPECT(!cpu_feat.nx || (f & PTE_NX));
	/* The loader's ROM alias is gone once the kernel runs. */
	EXPECT(!kaddr_mapped(ROM_VOFF + boot_info->rom_phys));
	/* So is the AP trampoline's identity mapping. */
	EXPECT(!kaddr_mapped(SMP_TRAMPOLINE_PHYS));
}

TEST(boot_cpu_protections_enabled)
{
	uint64_t cr4 = read_cr4();

	EXPECT(read_cr0() & CR0_WP);
	EXPECT_EQ(!!(cr4 & CR4_SMEP), cpu_feat.smep);
	EXPECT_EQ(!!(cr4 & CR4_SMAP), cpu_feat.smap);
	EXPECT_EQ(!!(cr4 & CR4_UMIP), cpu_feat.umip);
	EXPECT_EQ(!!(rdmsr(MSR_EFER) & EFER_NXE), cpu_feat.nx);
	EXPECT(__stack_chk_guard != 0);
}

TEST(boot_symbols_resolve)
{
	uint64_t off = 1;
	const char *name = symbolize((uint64_t)(uintptr_t)&kernel_main, &off);

	ASSERT(name != NULL);
	EXPECT(strcmp(name, "kernel_main") == 0);
	EXPECT_EQ(off, 0);
	name = symbolize((uint64_t)(uintptr_t)&cpu_detect + 3, &off);
	ASSERT(name != NULL);
	EXPECT(strcmp(name, "cpu_detect") == 0);
	EXPECT_EQ(off, 3);
}

TEST(boot_printf_in_kernel)
{
	char buf[32];

	EXPECT_EQ(lib_snprintf(buf, sizeof(buf), "%d-%x-%s", -5, 0xbeefu, "ok"), 10);
	EXPECT(strcmp(buf, "-5-beef-ok") == 0);
}
