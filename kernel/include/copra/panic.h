/* SPDX-License-Identifier: MIT */
/*
 * panic() and CHECK(): for broken internal invariants only. Input from outside (guest, host,
 * disk) never reaches these: it gets an error code instead (docs/architecture.md, "Errors").
 */
#ifndef COPRA_PANIC_H
#define COPRA_PANIC_H

#include <lib/compiler.h>
#include <stdbool.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
bool panic_in_progress(void);

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (unlikely(!(cond)))                                                \
			panic("CHECK failed: %s (%s:%d)", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
