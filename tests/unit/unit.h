/* SPDX-License-Identifier: MIT */
/*
 * Minimal host unit-test harness (tests/unit/main.c runs the tests).
 *
 *   UNIT_TEST(name) { ... }    defines and registers a test; names must be unique C identifiers
 *   EXPECT(cond)               on failure record file:line and the condition, keep going
 *   EXPECTF(cond, fmt, ...)    EXPECT with a printf-style note (say which input failed)
 *   EXPECT_EQ_U64(a, b)        compares as uint64_t, prints both values in hex and decimal
 *   EXPECT_STR_EQ(a, b)        compares C strings (NULL allowed), prints both
 *   EXPECT_MEM_EQ(a, b, n)     compares n bytes, prints the first difference with context
 *   ASSERT(cond)               EXPECT, and on failure end the current test at once (also from
 *                              helper functions: it longjmps back to the runner)
 *
 * Each EXPECT* evaluates its arguments exactly once and yields true when the check passed.
 * unit_rand64() is a PRNG reseeded identically before every test, so a test's random inputs
 * do not depend on which other tests ran.
 */
#ifndef UNIT_UNIT_H
#define UNIT_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lib/compiler.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);

bool unit_check(bool ok, const char *file, int line, const char *expr);
bool unit_checkf(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
	__printf(5, 6);
bool unit_check_u64(uint64_t a, uint64_t b, const char *file, int line, const char *ea,
		    const char *eb);
bool unit_check_str(const char *a, const char *b, const char *file, int line, const char *ea,
		    const char *eb);
bool unit_check_mem(const void *a, const void *b, size_t n, const char *file, int line,
		    const char *ea, const char *eb);
__noreturn void unit_abort_test(const char *file, int line, const char *expr);

uint64_t unit_rand64(void);

#define UNIT_TEST(name)                                                           \
	static void unit_fn_##name(void);                                         \
	static struct unit_test unit_desc_##name = {#name, unit_fn_##name, NULL}; \
	__attribute__((constructor)) static void unit_reg_##name(void)            \
	{                                                                         \
		unit_register(&unit_desc_##name);                                 \
	}                                                                         \
	static void unit_fn_##name(void)

#define EXPECT(cond)	       unit_check(!!(cond), __FILE__, __LINE__, #cond)
#define EXPECTF(cond, ...)     unit_checkf(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define EXPECT_EQ_U64(a, b)    unit_check_u64((a), (b), __FILE__, __LINE__, #a, #b)
#define EXPECT_STR_EQ(a, b)    unit_check_str((a), (b), __FILE__, __LINE__, #a, #b)
#define EXPECT_MEM_EQ(a, b, n) unit_check_mem((a), (b), (n), __FILE__, __LINE__, #a, #b)

#define ASSERT(cond)                                                \
	do {                                                        \
		if (!(cond))                                        \
			unit_abort_test(__FILE__, __LINE__, #cond); \
	} while (0)

#endif
