/* SPDX-License-Identifier: MIT */
/*
 * The loader (stage2): discovers memory, picks the SVSM region, loads the kernel ELF from the
 * image with W^X page tables and hands over one struct boot_info. Everything it reads (fw_cfg,
 * the image) is checked; a bad input stops the boot with a message, never a triple fault.
 */
#include <arch/x86/cpu.h>
#include <boot/exit.h>
#include <boot/layout.h>
#include <copra/uart.h>
#include <lib/e820.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <stdarg.h>

#include "loader.h"

/* Staged here (loader RAM) until the SVSM region exists. */
static struct boot_info staged;
static uint8_t raw_map[BOOT_E820_MAX * 20];

static void lvprintf(const char *fmt, va_list ap)
{
	char buf[160];
	int n = lib_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	uart_write(buf, (size_t)n);
}

void lprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lvprintf(fmt, ap);
	va_end(ap);
}

void loader_fail(const char *fmt, ...)
{
	va_list ap;

	uart_write("copra loader: FATAL: ", 21);
	va_start(ap, fmt);
	lvprintf(fmt, ap);
	va_end(ap);
	uart_write("\ncopra loader: boot stopped\n", 28);
	outb(COPRA_EXIT_PORT, COPRA_EXIT_BOOT_ERROR);
	cpu_halt_forever();
}

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	loader_fail("stack protector: corrupted stack in the loader");
}

void loader_read_e820(struct boot_info *bi)
{
	/* QEMU's wire format: packed { u64 address; u64 length; u32 type; } */
	uint8_t raw[20];
	uint16_t sel = 0;
	uint32_t size = 0;

	if (!fw_cfg_find("etc/e820", &sel, &size))
		loader_fail("fw_cfg has no etc/e820 memory map");
	if (size == 0 || size % sizeof(raw) != 0)
		loader_fail("fw_cfg etc/e820 has a bad size (%u bytes)", size);
	if (size / sizeof(raw) > BOOT_E820_MAX)
		loader_fail("fw_cfg etc/e820 has %u entries; at most %u are supported",
			    (unsigned int)(size / sizeof(raw)), BOOT_E820_MAX);
	bi->e820_count = size / sizeof(raw);
	fw_cfg_read(sel, raw_map, size);
	for (uint32_t i = 0; i < bi->e820_count; i++) {
		struct boot_e820_entry *e = &bi->e820[i];

		memcpy(raw, raw_map + i * sizeof(raw), sizeof(raw));
		memcpy(&e->addr, raw, 8);
		memcpy(&e->size, raw + 8, 8);
		memcpy(&e->type, raw + 16, 4);
		e->reserved = 0;
	}
}

void loader_read_cmdline(struct boot_info *bi)
{
	uint16_t sel = 0;
	uint32_t size = 0;

	memset(bi->cmdline, 0, sizeof(bi->cmdline));
	if (!fw_cfg_find("opt/copra/cmdline", &sel, &size))
		return;
	if (size >= sizeof(bi->cmdline)) {
		lprintf("copra loader: command line of %u bytes truncated to %u\n", size,
			(unsigned int)sizeof(bi->cmdline) - 1);
		size = sizeof(bi->cmdline) - 1;
	}
	fw_cfg_read(sel, bi->cmdline, size);
	bi->cmdline[size] = '\0';
}

static void choose_region(struct boot_info *bi)
{
	struct e820_choice c;
	enum e820_err err = e820_choose_region(bi->e820, bi->e820_count, SVSM_REGION_SIZE,
					       SVSM_REGION_ALIGN, LOW_MEMORY_END, IMAGE_TOP, &c);

	if (err == E820_ETOOSMALL)
		loader_fail("not enough memory: the SVSM region needs %llu MiB of usable RAM "
			    "between 1 MiB and 4 GiB; the largest usable range there is %llu KiB "
			    "(total %llu KiB)",
			    (unsigned long long)(SVSM_REGION_SIZE >> 20),
			    (unsigned long long)(c.largest_range >> 10),
			    (unsigned long long)(c.usable_total >> 10));
	if (err != E820_OK)
		loader_fail("%s", e820_strerror(err));
	bi->svsm_base = c.base;
	bi->svsm_size = SVSM_REGION_SIZE;
}

void loader_main(void);
void loader_main(void)
{
	struct kernel_load kl;

	uart_init();
	lprintf("copra loader: started\n");
	if (!fw_cfg_probe())
		loader_fail("no QEMU fw_cfg device: cannot discover memory");

	staged.magic = BOOT_INFO_MAGIC;
	staged.version = BOOT_INFO_VERSION;
	staged.size = sizeof(staged);
	staged.platform = BOOT_PLATFORM_NATIVE;
	loader_read_e820(&staged);
	loader_read_cmdline(&staged);
	staged.cpu_count = fw_cfg_cpu_count();
	if (staged.cpu_count == 0)
		staged.cpu_count = 1;
	for (uint32_t i = 0; i < staged.e820_count; i++)
		lprintf("copra loader: e820 %016llx-%016llx type %u\n",
			(unsigned long long)staged.e820[i].addr,
			(unsigned long long)(staged.e820[i].addr + staged.e820[i].size),
			staged.e820[i].type);
	choose_region(&staged);
	lprintf("copra loader: SVSM region %llx-%llx, %u vCPUs\n",
		(unsigned long long)staged.svsm_base,
		(unsigned long long)(staged.svsm_base + staged.svsm_size), staged.cpu_count);

	loader_load_kernel(&staged, &kl);
	lprintf("copra loader: entering kernel at %llx\n", (unsigned long long)kl.entry);
	loader_handoff(kl.pml4, kl.stack_top, kl.entry, kl.boot_info_va);
}
