/* SPDX-License-Identifier: MIT */
/*
 * lib/printf.c lib_vsnprintf / lib_snprintf with a fixed table of format strings (formats are
 * never untrusted; their arguments and the buffer size are), chosen and fed from the input.
 *
 * Input: a sequence of calls, each: a table index byte, a size (two bytes, % 600), then the
 * arguments the entry's signature needs (ints 4 bytes, longs 8, '*' width/precision 2 bytes
 * mapped to -300..299, strings a length byte and that many bytes, or NULL / an unterminated
 * buffer read under a precision, chosen by a flag byte).
 *
 * Checked on every call: nothing is written at or past buf + size (the buffer is an exact-size
 * heap block, NULL when size is 0), the output is NUL-terminated at min(len, size - 1), the
 * truncated output is a prefix of the untruncated one and both return the same length, and
 * lib_snprintf agrees with lib_vsnprintf. For entries marked `cmp` (everything whose meaning
 * include/lib/printf.h does not set apart from ISO C) the result must equal glibc's vsnprintf
 * byte for byte, return value included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <lib/printf.h>

#define REF_MAX 4096

/* Every format comes from the fixed table below, never from the input. */
#pragma clang diagnostic ignored "-Wformat-security"
#pragma clang diagnostic ignored "-Wformat-nonliteral"

enum sig {
	SIG_NONE,
	SIG_I,	 /* int */
	SIG_U,	 /* unsigned int */
	SIG_L,	 /* long */
	SIG_UL,	 /* unsigned long */
	SIG_LL,	 /* long long */
	SIG_ULL, /* unsigned long long */
	SIG_Z,	 /* size_t */
	SIG_T,	 /* ptrdiff_t */
	SIG_J,	 /* intmax_t */
	SIG_UJ,	 /* uintmax_t */
	SIG_S,	 /* const char * */
	SIG_P,	 /* void * */
	SIG_WI,	 /* int (star), int */
	SIG_WPI, /* int, int, int */
	SIG_WU,	 /* int, unsigned int */
	SIG_PS,	 /* int (precision), const char * */
	SIG_WPS, /* int, int, const char * */
	SIG_W,	 /* int: a '*' whose conversion never comes */
	SIG_MIX, /* const char *, int, unsigned, unsigned long, int */
};

struct entry {
	const char *fmt;
	enum sig sig;
	bool cmp; /* same as glibc */
};

static const struct entry table[] = {
	{"plain text", SIG_NONE, true},
	{"%%", SIG_NONE, true},
	{"100%% %d", SIG_I, true},
	{"%d", SIG_I, true},
	{"%i", SIG_I, true},
	{"%+d", SIG_I, true},
	{"% d", SIG_I, true},
	{"%+ d", SIG_I, true},
	{"%-8d|", SIG_I, true},
	{"%08d", SIG_I, true},
	{"%-08d|", SIG_I, true},
	{"%0-5d|", SIG_I, true},
	{"% 05d", SIG_I, true},
	{"%+-7i|", SIG_I, true},
	{"%.0d", SIG_I, true},
	{"%.5d", SIG_I, true},
	{"%8.3d", SIG_I, true},
	{"%08.3d", SIG_I, true},
	{"%+.0i", SIG_I, true},
	{"%hhd", SIG_I, true},
	{"%hd", SIG_I, true},
	{"%+hhi", SIG_I, true},
	{"%ld", SIG_L, true},
	{"%-21ld|", SIG_L, true},
	{"%lld", SIG_LL, true},
	{"%+025lld", SIG_LL, true},
	{"%zd", SIG_L, true},
	{"%td", SIG_T, true},
	{"%jd", SIG_J, true},
	{"% .30jd", SIG_J, true},
	{"%u", SIG_U, true},
	{"%5u", SIG_U, true},
	{"%-5u|", SIG_U, true},
	{"%.3u", SIG_U, true},
	{"%+u", SIG_U, true},
	{"%hhu", SIG_U, true},
	{"%hu", SIG_U, true},
	{"%lu", SIG_UL, true},
	{"%llu", SIG_ULL, true},
	{"%zu", SIG_Z, true},
	{"%ju", SIG_UJ, true},
	{"%x", SIG_U, true},
	{"%X", SIG_U, true},
	{"%#x", SIG_U, true},
	{"%#X", SIG_U, true},
	{"%#08x", SIG_U, true},
	{"%#-10x|", SIG_U, true},
	{"%#.0x", SIG_U, true},
	{"%.0x", SIG_U, true},
	{"%#12.6x", SIG_U, true},
	{"%o", SIG_U, true},
	{"%#o", SIG_U, true},
	{"%#.0o", SIG_U, true},
	{"%.0o", SIG_U, true},
	{"%#5o", SIG_U, true},
	{"%#.3o", SIG_U, true},
	{"%#024llo", SIG_ULL, true},
	{"%lx", SIG_UL, true},
	{"%#lX", SIG_UL, true},
	{"%llX", SIG_ULL, true},
	{"%hhx", SIG_U, true},
	{"%#hx", SIG_U, true},
	{"%jx", SIG_UJ, true},
	{"%zx", SIG_Z, true},
	{"%tx", SIG_T, true},
	{"%c", SIG_I, true},
	{"%5c", SIG_I, true},
	{"%-3c|", SIG_I, true},
	{"%05c", SIG_I, true},
	{"%s", SIG_S, true},
	{"%10s", SIG_S, true},
	{"%-10s|", SIG_S, true},
	{"%05s", SIG_S, true},
	{"%.3s", SIG_S, true},
	{"%10.2s", SIG_S, true},
	{"%.0s", SIG_S, true},
	{"%.*s", SIG_PS, true},
	{"%-*.*s|", SIG_WPS, true},
	{"%*d", SIG_WI, true},
	{"%-*d|", SIG_WI, true},
	{"%0*d", SIG_WI, true},
	{"%.*d", SIG_WI, true},
	{"%*.*d", SIG_WPI, true},
	{"%0*.*i", SIG_WPI, true},
	{"%#*x", SIG_WU, true},
	{"%0*x", SIG_WU, true},
	{"%#.*o", SIG_WU, true},
	{"[%s] %d/%u 0x%08lx %c", SIG_MIX, true},
	{"%-12s=%+5d (%#x) %lu%c", SIG_MIX, true},
	/* Where include/lib/printf.h departs from ISO C or glibc: self-consistency only. */
	{"%s", SIG_S, false}, /* with NULL: "(null)" */
	{"%.3s", SIG_S, false},
	{"%p", SIG_P, false},
	{"%20p", SIG_P, false},
	{"%-20p|", SIG_P, false},
	{"%#+0 p", SIG_P, false},
	{"%.3p", SIG_P, false},
	{"%lc", SIG_I, false},
	{"%f", SIG_NONE, false},
	{"%5.2f %d", SIG_I, false},
	{"%n%q%Lf%m", SIG_NONE, false},
	{"%*q %d", SIG_WI, false},
	{"%", SIG_NONE, false},
	{"abc%", SIG_NONE, false},
	{"%-", SIG_NONE, false},
	{"%5", SIG_NONE, false},
	{"%.", SIG_NONE, false},
	{"%*", SIG_W, false},
	{"%hh", SIG_NONE, false},
	{"%ll", SIG_NONE, false},
	{"%lll", SIG_NONE, false},
	{"%zzd", SIG_NONE, false},
	{"%2147483647", SIG_NONE, false},
	{"%99999999999999999999", SIG_NONE, false},
	{"%.99999999999999999999", SIG_NONE, false},
};

static char *ref;    /* glibc's untruncated output */
static char *full;   /* lib_vsnprintf's untruncated output */
static int full_len; /* and its length */

/* Runs one call in every way and compares; the arguments follow `size`. */
static void run(const struct entry *e, size_t size, ...)
{
	va_list ap;
	char *buf = size ? malloc(size) : NULL;
	int n = 0;
	int nfull = 0;
	int nref = 0;

	FUZZ_CHECK(size == 0 || buf != NULL);
	va_start(ap, size);
	n = lib_vsnprintf(buf, size, e->fmt, ap);
	va_end(ap);
	va_start(ap, size);
	nfull = lib_vsnprintf(full, REF_MAX, e->fmt, ap);
	va_end(ap);

	FUZZ_CHECK(n >= 0 && n == nfull && n < REF_MAX);
	full_len = nfull;
	if (size > 0) {
		size_t keep = (size_t)n < size - 1 ? (size_t)n : size - 1;

		FUZZ_CHECK(buf[keep] == '\0');
		FUZZ_CHECK(memcmp(buf, full, keep) == 0);
	}
	if (e->cmp) {
		va_start(ap, size);
		nref = vsnprintf(ref, REF_MAX, e->fmt, ap);
		va_end(ap);
		if (n != nref || memcmp(full, ref, (size_t)n) != 0) {
			fprintf(stderr, "format \"%s\": lib gave %d \"%.*s\", glibc %d \"%.*s\"\n",
				e->fmt, n, n, full, nref, nref < 0 ? 0 : nref, ref);
			abort();
		}
	}
	free(buf);
}

/* lib_snprintf's result must be what lib_vsnprintf gave, as left in `full` by run(). */
static void check_sn(size_t size, int n, const char *buf)
{
	size_t keep = 0;

	FUZZ_CHECK(n == full_len);
	if (size == 0)
		return;
	keep = (size_t)n < size - 1 ? (size_t)n : size - 1;
	FUZZ_CHECK(buf[keep] == '\0' && memcmp(buf, full, keep) == 0);
}

static int star(struct fuzz_in *in)
{
	return (int)(fuzz_uint(in, 2) % 600) - 300;
}

struct str {
	char *p;   /* NULL, or a heap copy */
	size_t n;  /* bytes in the copy */
	bool term; /* the copy ends with a NUL */
};

/* Flag byte: bit 0 NULL (when allowed), bit 1 no terminator (when a precision bounds it). */
static struct str get_str(struct fuzz_in *in, bool allow_null, bool allow_unterm)
{
	uint8_t flags = fuzz_u8(in);
	size_t want = fuzz_u8(in);
	size_t got = 0;
	const uint8_t *b = fuzz_bytes(in, want, &got);
	struct str s = {NULL, got, true};

	if (allow_null && (flags & 1))
		return (struct str){NULL, 0, true};
	s.term = !(allow_unterm && (flags & 2));
	s.p = malloc(got + s.term + (got + s.term == 0));
	FUZZ_CHECK(s.p != NULL);
	memcpy(s.p, b, got);
	if (s.term)
		s.p[got] = '\0';
	return s;
}

/*
 * One call through lib_vsnprintf (run) and through lib_snprintf, with arguments decoded once
 * into locals so both see the same values.
 */
#define CALL(...)                                                                      \
	do {                                                                           \
		run(e, size, ##__VA_ARGS__);                                           \
		check_sn(size, lib_snprintf(sbuf, size, e->fmt, ##__VA_ARGS__), sbuf); \
	} while (0)

static void call(struct fuzz_in *in)
{
	const struct entry *e = &table[fuzz_u8(in) % ARRAY_SIZE(table)];
	size_t size = fuzz_uint(in, 2) % 600;
	char *sbuf = size ? malloc(size) : NULL;
	struct str s = {NULL, 0, true};
	int w = 0;
	int p = 0;
	uint64_t v = 0;
	uint64_t v2 = 0;
	uint32_t x = 0;
	uint32_t y = 0;

	FUZZ_CHECK(size == 0 || sbuf != NULL);
	switch (e->sig) {
	case SIG_NONE:
		CALL();
		break;
	case SIG_I:
		x = (uint32_t)fuzz_uint(in, 4);
		CALL((int)x);
		break;
	case SIG_U:
		x = (uint32_t)fuzz_uint(in, 4);
		CALL((unsigned int)x);
		break;
	case SIG_L:
		v = fuzz_u64(in);
		CALL((long)v);
		break;
	case SIG_UL:
		v = fuzz_u64(in);
		CALL((unsigned long)v);
		break;
	case SIG_LL:
		v = fuzz_u64(in);
		CALL((long long)v);
		break;
	case SIG_ULL:
		v = fuzz_u64(in);
		CALL((unsigned long long)v);
		break;
	case SIG_Z:
		v = fuzz_u64(in);
		CALL((size_t)v);
		break;
	case SIG_T:
		v = fuzz_u64(in);
		CALL((ptrdiff_t)v);
		break;
	case SIG_J:
		v = fuzz_u64(in);
		CALL((intmax_t)v);
		break;
	case SIG_UJ:
		v = fuzz_u64(in);
		CALL((uintmax_t)v);
		break;
	case SIG_S:
		s = get_str(in, !e->cmp, false);
		CALL((const char *)s.p);
		break;
	case SIG_P:
		v = fuzz_u64(in);
		CALL((void *)(uintptr_t)v);
		break;
	case SIG_WI:
		w = star(in);
		x = (uint32_t)fuzz_uint(in, 4);
		CALL(w, (int)x);
		break;
	case SIG_WPI:
		w = star(in);
		p = star(in);
		x = (uint32_t)fuzz_uint(in, 4);
		CALL(w, p, (int)x);
		break;
	case SIG_WU:
		w = star(in);
		x = (uint32_t)fuzz_uint(in, 4);
		CALL(w, (unsigned int)x);
		break;
	case SIG_PS:
	case SIG_WPS:
		w = star(in);
		p = star(in);
		s = get_str(in, false, true);
		/* An unterminated string is only valid under a precision within it. */
		if (!s.term)
			p = (int)((unsigned int)p % (s.n + 1));
		if (e->sig == SIG_PS)
			CALL(p, (const char *)s.p);
		else
			CALL(w, p, (const char *)s.p);
		break;
	case SIG_W:
		w = star(in);
		CALL(w);
		break;
	case SIG_MIX:
		s = get_str(in, false, false);
		x = (uint32_t)fuzz_uint(in, 4);
		y = (uint32_t)fuzz_uint(in, 4);
		v2 = fuzz_u64(in);
		v = fuzz_u8(in);
		CALL((const char *)s.p, (int)x, (unsigned int)y, (unsigned long)v2, (int)v);
		break;
	}
	free(s.p);
	free(sbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	if (!ref) {
		ref = malloc(REF_MAX);
		full = malloc(REF_MAX);
		FUZZ_CHECK(ref && full);
	}
	for (unsigned int calls = 0; !fuzz_empty(&in) && calls < 64; calls++)
		call(&in);
	return 0;
}
