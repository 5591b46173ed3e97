/* SPDX-License-Identifier: MIT */
/*
 * The in-Copra test runner. Tests live in the .ktests section; the production image has none,
 * so there ktest_run_all() returns -1 at once. In the test image it runs every test (or those
 * whose name contains `ktest=SUBSTRING`), prints one line per test and the closing
 * `N passed, N failed`, then ends QEMU with COPRA_EXIT_SUCCESS or COPRA_EXIT_FAILURE.
 */
#include <boot/exit.h>
#include <copra/cmdline.h>
#include <copra/platform.h>
#include <copra/test.h>
#include <lib/string.h>

extern const struct ktest __ktests_start[], __ktests_end[];

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *what)
{
	t->failures++;
	pr_err("    %s:%d: expectation failed: %s\n", file, line, what);
}

void ktest_fail_u64(struct ktest_ctx *t, const char *file, int line, const char *a, const char *b,
		    uint64_t va, uint64_t vb)
{
	t->failures++;
	pr_err("    %s:%d: expected %s == %s, got %#llx vs %#llx\n", file, line, a, b,
	       (unsigned long long)va, (unsigned long long)vb);
}

/* Substring match without strstr (lib/ has none yet). */
static bool contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return true;
	return n == 0;
}

/* Hook for tests that must crash the kernel on purpose (see kernel/tests/test_panic.c). */
__attribute__((weak)) void ktest_early_hook(void);
void ktest_early_hook(void)
{
}

int ktest_run_all(void)
{
	unsigned int passed = 0, failed = 0;
	char filter[64] = "";
	size_t count = 0;

	if ((uintptr_t)__ktests_start == (uintptr_t)__ktests_end)
		return -1;
	cmdline_get("ktest", filter, sizeof(filter));
	ktest_early_hook();
	pr_info("ktest: running in-Copra tests\n");
	count = ((uintptr_t)__ktests_end - (uintptr_t)__ktests_start) / sizeof(struct ktest);
	for (size_t i = 0; i < count; i++) {
		const struct ktest *k = &__ktests_start[i];
		struct ktest_ctx ctx = {k->name, 0};

		if (!contains(k->name, filter))
			continue;
		k->fn(&ctx);
		if (ctx.failures == 0) {
			passed++;
			pr_info("ktest: ok   %s\n", k->name);
		} else {
			failed++;
			pr_info("ktest: FAIL %s\n", k->name);
		}
	}
	pr_info("ktest: %u passed, %u failed\n", passed, failed);
	platform_exit(failed == 0 && passed > 0 ? COPRA_EXIT_SUCCESS : COPRA_EXIT_FAILURE);
}
