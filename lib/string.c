/* SPDX-License-Identifier: MIT */
/*
 * Freestanding memory and string functions (include/lib/string.h).
 *
 * Build with -fno-tree-loop-distribute-patterns (lib/module.mk, tests/module.mk): without it gcc
 * recognises the copy and fill loops below as memcpy/memset and compiles them into calls to
 * themselves.
 *
 * The bulk loops move aligned 8-byte words when source and destination share their alignment.
 * No function reads or writes a byte outside the ranges the caller named (the string functions
 * stop at the terminator), so they are safe next to guard pages and under AddressSanitizer.
 */
#include <stdint.h>

#include <lib/string.h>

typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD_SIZE sizeof(word_t)

static inline int word_offset(const void *p)
{
	return (int)((uintptr_t)p & (WORD_SIZE - 1));
}

/* Copies n bytes from low to high addresses; correct for dst <= src even when they overlap. */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (word_offset(d) == word_offset(s)) {
		while (n > 0 && word_offset(d) != 0) {
			*d++ = *s++;
			n--;
		}
		while (n >= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
			n -= WORD_SIZE;
		}
	}
	while (n > 0) {
		*d++ = *s++;
		n--;
	}
}

/* Copies n bytes from high to low addresses; correct for dst >= src even when they overlap. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (word_offset(d) == word_offset(s)) {
		while (n > 0 && word_offset(d) != 0) {
			*--d = *--s;
			n--;
		}
		while (n >= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
			n -= WORD_SIZE;
		}
	}
	while (n > 0) {
		*--d = *--s;
		n--;
	}
}

/*
 * Copies n bytes; the caller guarantees the ranges do not overlap. Returns dst.
 * On x86-64 this is `rep movsq` + `rep movsb`: few instructions for any size, which matters
 * where instructions are expensive (an emulating hypervisor) and is fast everywhere else.
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
#if defined(__x86_64__)
	void *d = dst;
	size_t words = n / 8;
	size_t bytes = n % 8;

	__asm__ __volatile__("rep movsq\n\t"
			     "movq %[bytes], %%rcx\n\t"
			     "rep movsb"
			     : "+D"(d), "+S"(src), "+c"(words)
			     : [bytes] "r"(bytes)
			     : "memory");
#else
	copy_forward(dst, src, n);
#endif
	return dst;
}

/* Copies n bytes as if through a temporary buffer, so overlapping ranges are fine. Returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst - (uintptr_t)src >= n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

/* Sets n bytes to (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;
	word_t w = (word_t)b * 0x0101010101010101ull;

#if defined(__x86_64__)
	size_t words = n / 8;
	size_t bytes = n % 8;

	/* As memcpy: `rep stosq` + `rep stosb`. */
	__asm__ __volatile__("rep stosq\n\t"
			     "movq %[bytes], %%rcx\n\t"
			     "rep stosb"
			     : "+D"(d), "+c"(words)
			     : "a"(w), [bytes] "r"(bytes)
			     : "memory");
	return dst;
#endif
	while (n > 0 && word_offset(d) != 0) {
		*d++ = b;
		n--;
	}
	while (n >= WORD_SIZE) {
		*(word_t *)d = w;
		d += WORD_SIZE;
		n -= WORD_SIZE;
	}
	while (n > 0) {
		*d++ = b;
		n--;
	}
	return dst;
}

/* Compares n bytes as unsigned char: <0, 0 or >0 as a sorts before, equal to or after b. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return (int)x[i] - (int)y[i];
	}
	return 0;
}

/* First of the n bytes equal to (unsigned char)c, or NULL; reads no byte past the match. */
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char b = (unsigned char)c;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == b)
			return (void *)(uintptr_t)(p + i);
	}
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* Length of s, but at most maxlen; reads no byte at or past s + maxlen. */
size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n] != '\0')
		n++;
	return n;
}

/* Compares as unsigned char, like memcmp, up to and including the first terminator. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;
	size_t i = 0;

	while (x[i] == y[i] && x[i] != '\0')
		i++;
	return (int)x[i] - (int)y[i];
}

/* strcmp limited to the first n bytes; reads neither string past its terminator. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return (int)x[i] - (int)y[i];
		if (x[i] == '\0')
			break;
	}
	return 0;
}

/* First occurrence of (char)c in s, or NULL; strchr(s, '\0') points at the terminator. */
char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)(uintptr_t)s;
		if (*s == '\0')
			return NULL;
	}
}
