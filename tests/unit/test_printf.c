/* SPDX-License-Identifier: MIT */
/*
 * lib_snprintf against the host libc's snprintf: a table of formats, random integer
 * conversions, truncation at every buffer size, and canaries after the buffer. The behaviours
 * that deliberately differ from glibc (%p, NULL %s, unknown conversions) are checked directly.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "unit.h"

#include <lib/printf.h>

#define OUT_MAX	   512
#define CANARY	   0xA5
#define CANARY_LEN 32

static bool all_canary(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] != CANARY)
			return false;
	}
	return true;
}

/*
 * Formats into a buffer of exactly `size` heap bytes (so ASan sees any overrun) and into a
 * canary-guarded copy; checks the return value, the NUL, the prefix of `want` and the canary.
 */
static bool check_truncated(int line, const char *want, int wn, size_t size, const char *fmt,
			    va_list ap)
{
	char guarded[OUT_MAX + CANARY_LEN];
	char *exact = size > 0 ? malloc(size) : NULL;
	size_t keep = size == 0 ? 0 : ((size_t)wn < size ? (size_t)wn : size - 1);
	va_list aq;
	bool ok = true;

	ASSERT(size == 0 || exact != NULL);
	memset(guarded, CANARY, sizeof(guarded));
	va_copy(aq, ap);
	int gn = lib_vsnprintf(guarded, size, fmt, aq);
	va_end(aq);
	va_copy(aq, ap);
	int en = lib_vsnprintf(exact, size, fmt, aq);
	va_end(aq);

	ok &= EXPECTF(gn == wn && en == wn, "line %d \"%s\" size %zu: returned %d/%d, want %d",
		      line, fmt, size, gn, en, wn);
	ok &= EXPECTF(all_canary(guarded + size, sizeof(guarded) - size),
		      "line %d \"%s\" size %zu: wrote past the end", line, fmt, size);
	if (size > 0) {
		ok &= EXPECTF(memcmp(guarded, want, keep) == 0 && guarded[keep] == '\0',
			      "line %d \"%s\" size %zu: bad truncated output", line, fmt, size);
		ok &= EXPECTF(memcmp(exact, want, keep) == 0 && exact[keep] == '\0',
			      "line %d \"%s\" size %zu: bad truncated output", line, fmt, size);
	}
	free(exact);
	return ok;
}

/* One table entry: same result as libc, and correct truncation at every size 0..len+2. */
static __printf(2, 3) void check_fmt(int line, const char *fmt, ...)
{
	char want[OUT_MAX];
	char got[OUT_MAX];
	va_list ap;
	va_list aq;

	va_start(ap, fmt);
	va_copy(aq, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	va_copy(aq, ap);
	int gn = lib_vsnprintf(got, sizeof(got), fmt, aq);
	va_end(aq);

	ASSERT(wn >= 0 && wn < OUT_MAX);
	if (EXPECTF(gn == wn && memcmp(got, want, (size_t)wn + 1) == 0,
		    "line %d \"%s\": got %d \"%s\", want %d \"%s\"", line, fmt, gn, got, wn,
		    want)) {
		for (size_t size = 0; size <= (size_t)wn + 2; size++) {
			if (!check_truncated(line, want, wn, size, fmt, ap))
				break;
		}
	}
	va_end(ap);
}

#define CHECK(...) check_fmt(__LINE__, __VA_ARGS__)

UNIT_TEST(printf_table_text_and_percent)
{
	CHECK("plain text");
	CHECK("%%");
	CHECK("100%% sure %%%%");
	CHECK("tab\there\nnewline");
}

static const int signed_vals[] = {0, 1, -1, 7, -7, 42, 1000000, INT_MAX, INT_MIN, INT_MIN + 1};
static const unsigned int unsigned_vals[] = {0,	 1,   7,   8,	   9,	       15,
					     16, 255, 256, 0x8000, 0xdeadbeef, UINT_MAX};

UNIT_TEST(printf_table_signed)
{
	for (size_t i = 0; i < ARRAY_SIZE(signed_vals); i++) {
		int v = signed_vals[i];

		CHECK("%d", v);
		CHECK("%i", v);
		CHECK("[%5d]", v);
		CHECK("[%-5d]", v);
		CHECK("[%05d]", v);
		CHECK("[%+d]", v);
		CHECK("[% d]", v);
		CHECK("[%+05d]", v);
		CHECK("[% 05d]", v);
		CHECK("[%-+8d]", v);
		CHECK("[%.0d]", v);
		CHECK("[%.1d]", v);
		CHECK("[%.3d]", v);
		CHECK("[%.12d]", v);
		CHECK("[%8.3d]", v);
		CHECK("[%-8.3d]", v);
		CHECK("[%+.0d]", v);
		CHECK("[% .0d]", v);
		CHECK("[%5.0d]", v);
		CHECK("[%1d]", v);
		CHECK("[%40d]", v);
		CHECK("[%*d]", 6, v);
		CHECK("[%*d]", -6, v);
		CHECK("[%-*d]", 6, v);
		CHECK("[%.*d]", 4, v);
		CHECK("[%.*d]", -4, v);
		CHECK("[%.*d]", 0, v);
		CHECK("[%*.*d]", 9, 4, v);
		CHECK("[%hhd]", v);
		CHECK("[%hd]", v);
		CHECK("[%hhi|%hi]", v, v);
	}
}

UNIT_TEST(printf_table_unsigned)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsigned_vals); i++) {
		unsigned int v = unsigned_vals[i];

		CHECK("%u %x %X %o", v, v, v, v);
		CHECK("[%#x] [%#X] [%#o]", v, v, v);
		CHECK("[%10u] [%-10x] [%010X] [%10o]", v, v, v, v);
		CHECK("[%#10x] [%#-10x] [%#010x] [%#010o]", v, v, v, v);
		CHECK("[%.0u] [%.0x] [%.0o] [%#.0x] [%#.0o]", v, v, v, v, v);
		CHECK("[%.5u] [%.5x] [%.5o] [%#.5x] [%#.5o]", v, v, v, v, v);
		CHECK("[%#.1o] [%#.2o] [%#3.1o] [%#-6.2o]", v, v, v, v);
		CHECK("[%#12.6x] [%#-12.6X]", v, v);
		CHECK("[%hhu] [%hhx] [%hho] [%#hhx]", v, v, v, v);
		CHECK("[%hu] [%hx] [%ho] [%#hX]", v, v, v, v);
		CHECK("[%*u] [%-*x] [%.*o]", 7, v, 7, v, 7, v);
	}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"

/* Valid C that gcc flags as pointless (a flag another one overrides); libc still defines them. */
UNIT_TEST(printf_table_overridden_flags)
{
	CHECK("");
	for (size_t i = 0; i < ARRAY_SIZE(signed_vals); i++) {
		int v = signed_vals[i];

		CHECK("[%+ d] [% +d] [%-08d] [%0-8d]", v, v, v, v);
		CHECK("[%08.3d] [%08.0d] [%0.0d] [%-08.3i]", v, v, v, v);
		CHECK("[%0*.*d] [%0*.*d]", 9, -1, v, 9, 2, v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unsigned_vals); i++) {
		unsigned int v = unsigned_vals[i];

		CHECK("[%+u] [% u] [%+x] [% o] [%+ X]", v, v, v, v, v);
		CHECK("[%#012.6x] [%012.0o] [%-012x] [%+010u]", v, v, v, v);
	}
}

#pragma GCC diagnostic pop

UNIT_TEST(printf_table_lengths)
{
	CHECK("%ld %ld %ld", 0L, LONG_MAX, LONG_MIN);
	CHECK("%li %lu %lx %lo %#lX", -5L, ULONG_MAX, ULONG_MAX, ULONG_MAX, 0xabcdefUL);
	CHECK("%lld %lld %lld", 0LL, LLONG_MAX, LLONG_MIN);
	CHECK("%llu %llx %llo %#llo", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX, 1ULL << 63);
	CHECK("%zu %zx %zd %zd", SIZE_MAX, (size_t)0x1234, (ssize_t)-77, (ssize_t)SSIZE_MAX);
	CHECK("%td %td %tx", (ptrdiff_t)-1, PTRDIFF_MIN, (ptrdiff_t)0x7fff);
	CHECK("%jd %jd %ju %jx", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, (uintmax_t)0xfeed);
	CHECK("[%-25lld] [%025lld] [%+25lld] [%.22llo]", LLONG_MIN, LLONG_MIN, LLONG_MAX,
	      ULLONG_MAX);
	CHECK("[%hhd] [%hhd] [%hhu] [%hd] [%hu]", 300, -129, 511, 70000, -1);
}

UNIT_TEST(printf_table_chars_and_strings)
{
	static const char *const strs[] = {"", "a", "hello", "a longer string of text"};

	CHECK("%c%c%c", 'a', 'b', 'c');
	CHECK("[%3c] [%-3c] [%1c]", 'x', 'y', 'z');
	CHECK("[%c]", 0);
	CHECK("[%c]", 0x141);
	CHECK("[%*c] [%-*c]", 4, 'q', -4, 'r');
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		const char *s = strs[i];

		CHECK("%s", s);
		CHECK("[%10s] [%-10s] [%1s]", s, s, s);
		CHECK("[%.0s] [%.1s] [%.3s] [%.100s]", s, s, s, s);
		CHECK("[%8.3s] [%-8.3s]", s, s);
		CHECK("[%*s] [%-*s] [%.*s] [%*.*s]", 12, s, 12, s, 2, s, -12, 3, s);
		CHECK("[%.*s]", -1, s);
		CHECK("pre %s mid %s post", s, s);
	}
}

UNIT_TEST(printf_table_mixed)
{
	CHECK("%s=%d (%#x) [%c]%%", "answer", 42, 42, '!');
	CHECK("%5d|%-5s|%05x|%.2s|%lld", -3, "ab", 0xbeefu, "xyz", -1LL);
	CHECK("%u%u%u%u%u%u%u%u%u%u", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	CHECK("%d %s %d %s %d %s", 1, "one", 2, "two", 3, "three");
	CHECK("%hhd %hd %d %ld %lld %zd %td %jd", 1, 2, 3, 4L, 5LL, (ssize_t)6, (ptrdiff_t)7,
	      (intmax_t)8);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* Appends a random integer conversion to fmt; reports what it needs in *star_w, *star_p, *len. */
static void random_spec(char *fmt, bool *star_w, bool *star_p, const char **len, char *conv)
{
	static const char convs[] = "diuxXo";
	static const char *const lens[] = {"", "hh", "h", "l", "ll", "z", "t", "j"};
	char *p = fmt;

	*conv = convs[unit_rand64() % (sizeof(convs) - 1)];
	*len = lens[unit_rand64() % ARRAY_SIZE(lens)];
	*p++ = '%';
	if (unit_rand64() % 4 == 0)
		*p++ = '-';
	if (unit_rand64() % 4 == 0)
		*p++ = '0';
	if (unit_rand64() % 4 == 0)
		*p++ = '+';
	if (unit_rand64() % 4 == 0)
		*p++ = ' ';
	if (strchr("xXo", *conv) != NULL && unit_rand64() % 3 == 0)
		*p++ = '#';
	*star_w = false;
	*star_p = false;
	switch (unit_rand64() % 3) {
	case 0:
		break;
	case 1:
		p += sprintf(p, "%d", (int)(unit_rand64() % 30));
		break;
	default:
		*p++ = '*';
		*star_w = true;
		break;
	}
	switch (unit_rand64() % 4) {
	case 0:
		break;
	case 1:
		*p++ = '.';
		break;
	case 2:
		p += sprintf(p, ".%d", (int)(unit_rand64() % 30));
		break;
	default:
		p += sprintf(p, ".*");
		*star_p = true;
		break;
	}
	p += sprintf(p, "%s%c", *len, *conv);
	*p = '\0';
}

/* A random 64-bit value with a random number of significant bits, so small values are common. */
static uint64_t random_value(void)
{
	return unit_rand64() >> (unit_rand64() % 64);
}

/* Calls lib_snprintf and snprintf with the same format and arguments (which differ per format). */
#define BOTH(...)                                               \
	do {                                                    \
		gn = lib_snprintf(got, size, fmt, __VA_ARGS__); \
		wn = snprintf(want, size, fmt, __VA_ARGS__);    \
	} while (0)
#define BOTH_STARS(x)                   \
	do {                            \
		if (star_w && star_p)   \
			BOTH(w, pr, x); \
		else if (star_w)        \
			BOTH(w, x);     \
		else if (star_p)        \
			BOTH(pr, x);    \
		else                    \
			BOTH(x);        \
	} while (0)

UNIT_TEST(printf_random_integers)
{
	char fmt[64];
	char got[OUT_MAX + CANARY_LEN];
	char want[OUT_MAX + CANARY_LEN];

	for (int i = 0; i < 100000; i++) {
		bool star_w = false, star_p = false;
		const char *len = "";
		char conv = 0;
		int gn = 0, wn = 0;
		int w = (int)(unit_rand64() % 61) - 30;
		int pr = (int)(unit_rand64() % 36) - 5;
		uint64_t v = random_value();
		size_t size = unit_rand64() % 2 ? OUT_MAX : unit_rand64() % 40;

		random_spec(fmt, &star_w, &star_p, &len, &conv);
		bool sgn = conv == 'd' || conv == 'i';
		if (unit_rand64() % 2)
			v = 0 - v;
		memset(got, CANARY, sizeof(got));
		memset(want, CANARY, sizeof(want));
		if (!strcmp(len, "") || !strcmp(len, "hh") || !strcmp(len, "h")) {
			if (sgn)
				BOTH_STARS((int)v);
			else
				BOTH_STARS((unsigned int)v);
		} else if (!strcmp(len, "l")) {
			if (sgn)
				BOTH_STARS((long)v);
			else
				BOTH_STARS((unsigned long)v);
		} else if (!strcmp(len, "ll")) {
			if (sgn)
				BOTH_STARS((long long)v);
			else
				BOTH_STARS((unsigned long long)v);
		} else if (!strcmp(len, "z")) {
			if (sgn)
				BOTH_STARS((ssize_t)v);
			else
				BOTH_STARS((size_t)v);
		} else if (!strcmp(len, "t")) {
			BOTH_STARS((ptrdiff_t)v);
		} else {
			if (sgn)
				BOTH_STARS((intmax_t)v);
			else
				BOTH_STARS((uintmax_t)v);
		}
		if (!EXPECTF(
			    gn == wn && memcmp(got, want, sizeof(got)) == 0,
			    "\"%s\" w %d p %d v 0x%llx size %zu: got %d \"%.*s\", want %d \"%.*s\"",
			    fmt, w, pr, (unsigned long long)v, size, gn, (int)size, got, wn,
			    (int)size, want))
			return;
		if (!EXPECTF(all_canary(got + size, sizeof(got) - size), "\"%s\" size %zu", fmt,
			     size))
			return;
	}
}

#pragma GCC diagnostic pop

/* Exact expected output for behaviour that differs from glibc or that gcc warns about. */
static __printf(3, 4) void check_exact(int line, const char *want, const char *fmt, ...)
{
	char got[OUT_MAX];
	va_list ap;

	va_start(ap, fmt);
	int gn = lib_vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	EXPECTF(gn == (int)strlen(want) && strcmp(got, want) == 0,
		"line %d \"%s\": got %d \"%s\", want \"%s\"", line, fmt, gn, got, want);
}

#define CHECK_EXACT(want, ...) check_exact(__LINE__, want, __VA_ARGS__)

UNIT_TEST(printf_pointer)
{
	CHECK_EXACT("0x0000000000000000", "%p", (void *)NULL);
	CHECK_EXACT("0x0000000000001234", "%p", (void *)0x1234);
	CHECK_EXACT("0xffffffff80001000", "%p", (void *)0xffffffff80001000ull);
	CHECK_EXACT("[  0x00000000000000ab]", "[%20p]", (void *)0xab);
	CHECK_EXACT("[0x00000000000000ab  ]", "[%-20p]", (void *)0xab);
	CHECK_EXACT("[0x00000000000000ab]", "[%5p]", (void *)0xab);
	CHECK_EXACT("a 0x00007fffdeadbeef b", "a %p b", (void *)0x7fffdeadbeefull);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-overflow"

/* gcc rejects these formats, and glibc prints "(null)" differently; lib_snprintf is defined. */
UNIT_TEST(printf_null_string)
{
	CHECK_EXACT("(null)", "%s", (char *)NULL);
	CHECK_EXACT("[  (null)]", "[%8s]", (char *)NULL);
	CHECK_EXACT("[(nu]", "[%.3s]", (char *)NULL);
}

UNIT_TEST(printf_pointer_ignores_zero_plus_alt_precision)
{
	CHECK_EXACT("[  0x00000000000000ab]", "[%020p]", (void *)0xab);
	CHECK_EXACT("[0x00000000000000ab]", "[%+#.3p]", (void *)0xab);
}

UNIT_TEST(printf_unknown_conversions_verbatim)
{
	CHECK_EXACT("%y", "%y");
	CHECK_EXACT("a %f b", "a %f b", 1.5);
	CHECK_EXACT("%-08.3q|7", "%-08.3q|%d", 7);
	CHECK_EXACT("[%n]", "[%n]");
	CHECK_EXACT("%Lf 3", "%Lf %d", 3);
	CHECK_EXACT("end %", "end %");
	CHECK_EXACT("end %-5", "end %-5");
	CHECK_EXACT("end %ll", "end %ll");
	CHECK_EXACT("[%]", "[%5%]");
}

/* Combinations ISO C leaves undefined; these are what lib_snprintf promises (glibc agrees). */
UNIT_TEST(printf_undefined_flag_combinations)
{
	CHECK_EXACT("[  ab]", "[%04s]", "ab");
	CHECK_EXACT("[   c]", "[%04c]", 'c');
	CHECK_EXACT("[5]", "[%+u]", 5u);
	CHECK_EXACT("[A]", "[%lc]", 'A' + 0x100);
}

#pragma GCC diagnostic pop

UNIT_TEST(printf_size_zero_and_null_buffer)
{
	char buf[4] = {'x', 'x', 'x', 'x'};

	EXPECT_EQ_U64(lib_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	EXPECT_EQ_U64(lib_snprintf(buf, 0, "hello"), 5);
	EXPECT_MEM_EQ(buf, "xxxx", 4);
	EXPECT_EQ_U64(lib_snprintf(buf, 1, "hello"), 5);
	EXPECT_EQ_U64(buf[0], 0);
	EXPECT_EQ_U64(buf[1], 'x');
	EXPECT_EQ_U64(lib_snprintf(buf, 4, "%s", ""), 0);
	EXPECT_STR_EQ(buf, "");
}

UNIT_TEST(printf_large_width_counts_everything)
{
	char buf[8];

	EXPECT_EQ_U64(lib_snprintf(buf, sizeof(buf), "%100000d", 1), 100000);
	EXPECT_STR_EQ(buf, "       ");
	EXPECT_EQ_U64(lib_snprintf(buf, sizeof(buf), "%-*s|", 70000, "ab"), 70001);
	EXPECT_STR_EQ(buf, "ab     ");
	EXPECT_EQ_U64(lib_snprintf(NULL, 0, "%.50000x", 1u), 50000);
}

UNIT_TEST(printf_precision_limits_string_reads)
{
	/* Not NUL-terminated: ASan flags any read past the three bytes. */
	char *p = malloc(3);

	ASSERT(p != NULL);
	memcpy(p, "abc", 3);
	char buf[16];
	EXPECT_EQ_U64(lib_snprintf(buf, sizeof(buf), "[%.3s]", p), 5);
	EXPECT_STR_EQ(buf, "[abc]");
	EXPECT_EQ_U64(lib_snprintf(buf, sizeof(buf), "[%.*s]", 2, p), 4);
	EXPECT_STR_EQ(buf, "[ab]");
	free(p);
}

UNIT_TEST(printf_smoke)
{
	char buf[32];

	EXPECT_EQ_U64(lib_snprintf(buf, sizeof(buf), "%d %s %x", -1, "two", 3u), 8);
	EXPECT_STR_EQ(buf, "-1 two 3");
}
