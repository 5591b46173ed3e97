/* SPDX-License-Identifier: MIT */
/*
 * Host unit-test runner: runs every registered UNIT_TEST in registration order (link order,
 * then order within a file), or only those whose name contains one of the argv substrings.
 * Prints "ok   name" or "FAIL name" per test, failure details above the FAIL line, and closes
 * with "N passed, N failed". Exit status 0 only when nothing failed.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* Reports per test before the rest are only counted (random tests can fail thousands of times). */
#define MAX_REPORTS 20
#define RAND_SEED   0x436f707261u /* "Copra" */

static struct unit_test *tests;
static struct unit_test **tests_tail = &tests;

static jmp_buf abort_jmp;
static unsigned long failures;
static uint64_t rand_state;

void unit_register(struct unit_test *t)
{
	t->next = NULL;
	*tests_tail = t;
	tests_tail = &t->next;
}

/* splitmix64: small, fast and well distributed; not for anything but test inputs. */
uint64_t unit_rand64(void)
{
	uint64_t z = (rand_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Counts a failure and prints "file:line: what"; true when its details should follow. */
static __printf(3, 4) bool failure(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failures++;
	if (failures > MAX_REPORTS)
		return false;
	printf("  %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return true;
}

bool unit_check(bool ok, const char *file, int line, const char *expr)
{
	if (!ok)
		failure(file, line, "%s", expr);
	return ok;
}

bool unit_checkf(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	if (ok || !failure(file, line, "%s", expr))
		return ok;
	printf("    ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return ok;
}

bool unit_check_u64(uint64_t a, uint64_t b, const char *file, int line, const char *ea,
		    const char *eb)
{
	if (a == b || !failure(file, line, "EXPECT_EQ_U64(%s, %s)", ea, eb))
		return a == b;
	printf("    %s = 0x%" PRIx64 " (%" PRIu64 ")\n", ea, a, a);
	printf("    %s = 0x%" PRIx64 " (%" PRIu64 ")\n", eb, b, b);
	return false;
}

bool unit_check_str(const char *a, const char *b, const char *file, int line, const char *ea,
		    const char *eb)
{
	bool ok = (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;

	if (ok || !failure(file, line, "EXPECT_STR_EQ(%s, %s)", ea, eb))
		return ok;
	printf("    %s = %s%s%s\n", ea, a ? "\"" : "", a ? a : "NULL", a ? "\"" : "");
	printf("    %s = %s%s%s\n", eb, b ? "\"" : "", b ? b : "NULL", b ? "\"" : "");
	return false;
}

static void dump_around(const char *label, const unsigned char *p, size_t n, size_t at)
{
	size_t from = at >= 8 ? at - 8 : 0;
	size_t to = at + 8 < n ? at + 8 : n;

	printf("    %s [%zu..%zu):", label, from, to);
	for (size_t i = from; i < to; i++)
		printf(i == at ? " [%02x]" : " %02x", p[i]);
	printf("\n");
}

bool unit_check_mem(const void *a, const void *b, size_t n, const char *file, int line,
		    const char *ea, const char *eb)
{
	const unsigned char *x = a;
	const unsigned char *y = b;
	size_t i = 0;

	while (i < n && x[i] == y[i])
		i++;
	if (i == n || !failure(file, line, "EXPECT_MEM_EQ(%s, %s, %zu)", ea, eb, n))
		return i == n;
	printf("    first difference at offset %zu of %zu\n", i, n);
	dump_around(ea, x, n, i);
	dump_around(eb, y, n, i);
	return false;
}

void unit_abort_test(const char *file, int line, const char *expr)
{
	failure(file, line, "ASSERT(%s), test ended", expr);
	longjmp(abort_jmp, 1);
}

static bool selected(const struct unit_test *t, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++) {
		if (strstr(t->name, argv[i]) != NULL)
			return true;
	}
	return false;
}

/* Runs one test from a clean state; true when it passed. */
static bool run_one(const struct unit_test *t)
{
	failures = 0;
	rand_state = RAND_SEED;
	if (setjmp(abort_jmp) == 0)
		t->fn();
	if (failures > MAX_REPORTS)
		printf("  ... %lu more failures not shown\n", failures - MAX_REPORTS);
	return failures == 0;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0;
	unsigned int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (const struct unit_test *t = tests; t != NULL; t = t->next) {
		if (!selected(t, argc, argv))
			continue;
		if (run_one(t)) {
			passed++;
			printf("ok   %s\n", t->name);
		} else {
			failed++;
			printf("FAIL %s\n", t->name);
		}
	}
	if (passed + failed == 0 && argc > 1)
		fprintf(stderr, "unit-tests: no test name contains the given filter\n");
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
