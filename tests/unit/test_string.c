/* SPDX-License-Identifier: MIT */
/*
 * lib/string.c (built as lib_<name>) against the host libc: every length 0..300 at every
 * alignment, overlapping moves in both directions, and guard bytes around each destination.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Declare lib/string.c under its lib_ names, then give the standard names back to libc. */
#include "rename_string.h"

#include <lib/string.h>

#include "unrename_string.h"

#define MAX_LEN	  300
#define ALIGNS	  16
#define GUARD	  16
#define BUF_SIZE  (GUARD + ALIGNS + MAX_LEN + GUARD)
#define GUARD_VAL 0xA5

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)unit_rand64();
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

UNIT_TEST(string_memcpy_all_alignments)
{
	static unsigned char src[BUF_SIZE], got[BUF_SIZE], want[BUF_SIZE];

	fill_random(src, sizeof(src));
	for (size_t da = 0; da < ALIGNS; da++) {
		for (size_t sa = 0; sa < ALIGNS; sa++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memset(got, GUARD_VAL, sizeof(got));
				memset(want, GUARD_VAL, sizeof(want));
				void *r = lib_memcpy(got + GUARD + da, src + GUARD + sa, n);
				memcpy(want + GUARD + da, src + GUARD + sa, n);
				EXPECT(r == got + GUARD + da);
				if (!EXPECT_MEM_EQ(got, want, sizeof(got)))
					return;
			}
		}
	}
}

/* Moves n bytes within one buffer from offset s to offset d, checked against libc memmove. */
static bool check_memmove(const unsigned char *init, size_t d, size_t s, size_t n)
{
	static unsigned char got[2 * BUF_SIZE], want[2 * BUF_SIZE];

	memcpy(got, init, sizeof(got));
	memcpy(want, init, sizeof(want));
	void *r = lib_memmove(got + d, got + s, n);
	memmove(want + d, want + s, n);
	return EXPECT(r == got + d) &&
	       EXPECTF(memcmp(got, want, sizeof(got)) == 0, "dst %zu src %zu len %zu", d, s, n);
}

UNIT_TEST(string_memmove_overlap_both_directions)
{
	static unsigned char init[2 * BUF_SIZE];

	fill_random(init, sizeof(init));
	for (size_t d = 0; d < 2 * ALIGNS + 1; d++) {
		for (size_t s = 0; s < 2 * ALIGNS + 1; s++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				if (!check_memmove(init, GUARD + d, GUARD + s, n))
					return;
			}
		}
	}
}

UNIT_TEST(string_memmove_random_distances)
{
	static unsigned char init[2 * BUF_SIZE];

	fill_random(init, sizeof(init));
	for (int i = 0; i < 20000; i++) {
		size_t n = unit_rand64() % (MAX_LEN + 1);
		size_t d = GUARD + unit_rand64() % (2 * BUF_SIZE - 2 * GUARD - n);
		size_t s = GUARD + unit_rand64() % (2 * BUF_SIZE - 2 * GUARD - n);

		if (!check_memmove(init, d, s, n))
			return;
	}
}

UNIT_TEST(string_memmove_same_pointer)
{
	unsigned char buf[64];
	unsigned char copy[64];

	fill_random(buf, sizeof(buf));
	memcpy(copy, buf, sizeof(buf));
	EXPECT(lib_memmove(buf + 3, buf + 3, 50) == buf + 3);
	EXPECT_MEM_EQ(buf, copy, sizeof(buf));
}

UNIT_TEST(string_memset_all_alignments)
{
	static unsigned char got[BUF_SIZE], want[BUF_SIZE];
	const int values[] = {0, 0xff, 0x5a, 0x100 + 0x12, -1, -0x80};

	for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
		for (size_t a = 0; a < ALIGNS; a++) {
			for (size_t n = 0; n <= MAX_LEN; n++) {
				memset(got, GUARD_VAL, sizeof(got));
				memset(want, GUARD_VAL, sizeof(want));
				void *r = lib_memset(got + GUARD + a, values[v], n);
				memset(want + GUARD + a, values[v], n);
				EXPECT(r == got + GUARD + a);
				if (!EXPECT_MEM_EQ(got, want, sizeof(got)))
					return;
			}
		}
	}
}

UNIT_TEST(string_memcmp_sign_and_high_bytes)
{
	static unsigned char a[BUF_SIZE], b[BUF_SIZE];

	for (int i = 0; i < 20000; i++) {
		size_t n = unit_rand64() % (MAX_LEN + 1);
		size_t oa = unit_rand64() % ALIGNS;
		size_t ob = unit_rand64() % ALIGNS;

		fill_random(a + oa, n);
		memcpy(b + ob, a + oa, n);
		if (n > 0 && unit_rand64() % 4 != 0)
			b[ob + unit_rand64() % n] = (unsigned char)unit_rand64();
		int got = lib_memcmp(a + oa, b + ob, n);
		int want = memcmp(a + oa, b + ob, n);
		if (!EXPECTF(sign(got) == sign(want), "n %zu: got %d want %d", n, got, want))
			return;
	}
	EXPECT(lib_memcmp("\x80", "\x7f", 1) > 0);
	EXPECT(lib_memcmp("\x01", "\xff", 1) < 0);
	EXPECT(lib_memcmp("abc", "abd", 0) == 0);
}

UNIT_TEST(string_memchr)
{
	unsigned char buf[MAX_LEN];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7);
	for (int c = -300; c < 600; c++) {
		for (size_t n = 0; n <= sizeof(buf); n += 37)
			EXPECT(lib_memchr(buf, c, n) == memchr(buf, c, n));
	}
	EXPECT(lib_memchr(buf, 0, 0) == NULL);
	EXPECT(lib_memchr(buf, 7, sizeof(buf)) == buf + 1);
	EXPECT(lib_memchr(buf, 7 + 256, sizeof(buf)) == buf + 1);
}

/* Random NUL-terminated strings over a tiny alphabet incl. high bytes, so matches are common. */
static void random_str(char *s, size_t cap)
{
	static const char alpha[] = {'a', 'b', '\x80', '\xff'};
	size_t n = unit_rand64() % cap;

	for (size_t i = 0; i < n; i++)
		s[i] = alpha[unit_rand64() % sizeof(alpha)];
	s[n] = '\0';
}

UNIT_TEST(string_strlen_strnlen)
{
	static char buf[BUF_SIZE];

	for (size_t a = 0; a < ALIGNS; a++) {
		for (size_t n = 0; n <= MAX_LEN; n++) {
			memset(buf, 'x', sizeof(buf));
			buf[a + n] = '\0';
			EXPECT_EQ_U64(lib_strlen(buf + a), n);
			EXPECT_EQ_U64(lib_strnlen(buf + a, n), n);
			EXPECT_EQ_U64(lib_strnlen(buf + a, n + 1), n);
			EXPECT_EQ_U64(lib_strnlen(buf + a, SIZE_MAX), n);
			if (n > 0)
				EXPECT_EQ_U64(lib_strnlen(buf + a, n - 1), n - 1);
		}
	}
	EXPECT_EQ_U64(lib_strlen(""), 0);
	EXPECT_EQ_U64(lib_strnlen("abc", 0), 0);
}

UNIT_TEST(string_strnlen_reads_no_further)
{
	/* Exactly-sized heap block without a terminator: ASan reports any read past it. */
	char *p = malloc(8);

	ASSERT(p != NULL);
	memset(p, 'z', 8);
	EXPECT_EQ_U64(lib_strnlen(p, 8), 8);
	EXPECT_EQ_U64(lib_strncmp(p, "zzzzzzzzq", 8), 0);
	free(p);
}

UNIT_TEST(string_strcmp_strncmp_random)
{
	char a[24];
	char b[24];

	for (int i = 0; i < 50000; i++) {
		random_str(a, sizeof(a));
		if (unit_rand64() % 3 == 0)
			memcpy(b, a, sizeof(b));
		else
			random_str(b, sizeof(b));
		size_t n = unit_rand64() % 26;
		int got = lib_strcmp(a, b);
		int want = strcmp(a, b);
		int ngot = lib_strncmp(a, b, n);
		int nwant = strncmp(a, b, n);

		EXPECTF(sign(got) == sign(want), "strcmp(\"%s\", \"%s\")", a, b);
		if (!EXPECTF(sign(ngot) == sign(nwant), "strncmp(\"%s\", \"%s\", %zu)", a, b, n))
			return;
	}
	EXPECT(lib_strcmp("", "") == 0);
	EXPECT(lib_strcmp("a", "") > 0);
	EXPECT(lib_strcmp("", "a") < 0);
	EXPECT(lib_strcmp("\x80", "\x7f") > 0);
	EXPECT(lib_strncmp("abcx", "abcy", 3) == 0);
	EXPECT(lib_strncmp("abcx", "abcy", 4) < 0);
	EXPECT(lib_strncmp("ab", "ab", 100) == 0);
}

UNIT_TEST(string_strchr)
{
	const char *s = "hello, world\x80!";

	for (int c = -300; c < 600; c++)
		EXPECTF(lib_strchr(s, c) == strchr(s, c), "c = %d", c);
	EXPECT(lib_strchr(s, '\0') == s + strlen(s));
	EXPECT(lib_strchr(s, 'o') == s + 4);
	EXPECT(lib_strchr("", 'a') == NULL);
	EXPECT(lib_strchr("", '\0') != NULL);
}
