/* SPDX-License-Identifier: MIT */
/*
 * Bounded formatting without floating point, safe in exception handlers: no allocation, no
 * global state, no locks, about 400 bytes of stack (gcc 12 -O2; see build/kern/lib/printf.su).
 *
 * C99 snprintf semantics: the return value is the length the whole output would have had (or
 * -1 when that exceeds INT_MAX); when size > 0 the output is cut at size - 1 bytes and always
 * NUL-terminated; no byte at or past buf + size is written. buf may be NULL when size is 0.
 *
 * Flags - 0 + space #, width and precision (digits or *), length modifiers hh h l ll z t j,
 * conversions d i u x X o c s p %. Differences from ISO C / glibc:
 *   %p     prints "0x" and exactly 16 lower-case hex digits (NULL too); honours width and '-'.
 *   %s     NULL prints "(null)", cut by the precision like any other string.
 *   %lc    prints the low byte, like %c; length modifiers are ignored for c, s and p.
 *   other  an unknown conversion (%f, %n, %q, ...) is copied verbatim, flags and all, and
 *          consumes no argument (a '*' before it has already consumed its int).
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#include <lib/compiler.h>

int lib_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int lib_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
