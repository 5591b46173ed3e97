/* SPDX-License-Identifier: MIT */
/*
 * Freestanding memory and string functions with the standard C names and semantics.
 *
 * The kernel and loader link lib/string.c as their only memcpy/memset/..., and gcc may emit
 * calls to memcpy, memmove, memset and memcmp on its own (struct copies, zeroing), so the names
 * must stay the standard ones. Host unit tests build lib/string.c with every name renamed to
 * lib_<name> (tests/unit/rename_string.h) so it can be compared against the host libc.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
