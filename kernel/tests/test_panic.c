/* SPDX-License-Identifier: MIT */
/*
 * Deliberate, uncaught crashes for the panic-path checks in tests/qemu (they boot the test
 * image with `ktest.crash=KIND` and expect the panic report and exit status). Without that
 * option this file does nothing.
 */
#include <copra/cmdline.h>
#include <copra/kmalloc.h>
#include <copra/panic.h>
#include <copra/test.h>
#include <lib/string.h>

static __attribute__((noinline, noipa)) void crash_oom(void)
{
	for (;;)
		(void)kmalloc(1u << 20);
}

static __attribute__((noinline, noipa)) void crash_double_free(void)
{
	void *p = kmalloc(64);

	kfree(p);
	kfree(p); // NOLINT(clang-analyzer-unix.Malloc): the double free is the point of this crash
}

void ktest_early_hook(void);

static __attribute__((noinline, noipa)) void crash_pf(void)
{
	*(volatile uint64_t *)0xffffff7fdead0000ull = 1;
}

static __attribute__((noinline, noipa)) void crash_ud(void)
{
	__asm__ __volatile__("ud2");
}

static __attribute__((noinline, noipa)) uint64_t crash_overflow(uint64_t d)
{
	volatile uint8_t pad[512];

	pad[0] = (uint8_t)d;
	if (d == UINT64_MAX) /* never true; keeps gcc from calling the recursion infinite */
		return 0;
	return crash_overflow(d + 1) + pad[0];
}

void ktest_early_hook(void)
{
	char kind[16];

	if (!cmdline_get("ktest.crash", kind, sizeof(kind)))
		return;
	pr_info("ktest: crashing on purpose (%s)\n", kind);
	if (strcmp(kind, "pf") == 0)
		crash_pf();
	else if (strcmp(kind, "ud") == 0)
		crash_ud();
	else if (strcmp(kind, "overflow") == 0)
		crash_overflow(0);
	else if (strcmp(kind, "oom") == 0)
		crash_oom();
	else if (strcmp(kind, "double_free") == 0)
		crash_double_free();
	else if (strcmp(kind, "check") == 0)
		CHECK(kind[0] == 'x');
	pr_err("ktest: unknown crash kind %s\n", kind);
}
