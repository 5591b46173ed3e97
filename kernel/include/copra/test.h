/* SPDX-License-Identifier: MIT */
/*
 * In-Copra tests. TEST(name) { ... } registers a test in the .ktests section; the test image
 * runs them all after boot, prints one line per test and `N passed, N failed`, and ends QEMU.
 */
#ifndef COPRA_TEST_H
#define COPRA_TEST_H

#include <copra/log.h>
#include <lib/compiler.h>
#include <stdint.h>

struct ktest_ctx {
	const char *name;
	unsigned int failures;
};

/* 16 bytes, 16-aligned: the linker script lays the entries out as an array. */
struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
};

_Static_assert(sizeof(struct ktest) == 16, "kernel.ld.S .ktests layout");

void ktest_fail(struct ktest_ctx *t, const char *file, int line, const char *what);
void ktest_fail_u64(struct ktest_ctx *t, const char *file, int line, const char *a, const char *b,
		    uint64_t va, uint64_t vb);
int ktest_run_all(void);

#define TEST(tname)                                                  \
	static void ktest_fn_##tname(struct ktest_ctx *t);           \
	static const struct ktest ktest_##tname __section(".ktests") \
		__used __aligned(16) = {#tname, ktest_fn_##tname};   \
	static void ktest_fn_##tname(struct ktest_ctx *t)

#define EXPECT(cond)                                              \
	do {                                                      \
		if (!(cond))                                      \
			ktest_fail(t, __FILE__, __LINE__, #cond); \
	} while (0)

#define EXPECT_EQ(a, b)                                                          \
	do {                                                                     \
		uint64_t ea_ = (uint64_t)(a), eb_ = (uint64_t)(b);               \
		if (ea_ != eb_)                                                  \
			ktest_fail_u64(t, __FILE__, __LINE__, #a, #b, ea_, eb_); \
	} while (0)

#define ASSERT(cond)                                              \
	do {                                                      \
		if (!(cond)) {                                    \
			ktest_fail(t, __FILE__, __LINE__, #cond); \
			return;                                   \
		}                                                 \
	} while (0)

#endif
