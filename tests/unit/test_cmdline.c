/* SPDX-License-Identifier: MIT */
/*
 * kernel/core/cmdline.c: whole-word key matching (a key that is a prefix of another is not
 * found in it), key=value and bare keys, value truncation to the caller's buffer, and command
 * lines longer than BOOT_CMDLINE_MAX - 1 cut there.
 */
#include <stdint.h>
#include <string.h>

#include "unit.h"

#include <boot/boot_info.h>
#include <copra/cmdline.h>

/* cmdline_get into a fresh buffer; returns the buffer or NULL when the key is absent. */
static const char *get(const char *key)
{
	static char buf[BOOT_CMDLINE_MAX];

	memset(buf, 'X', sizeof(buf));
	return cmdline_get(key, buf, sizeof(buf)) ? buf : NULL;
}

UNIT_TEST(cmdline_key_value_and_bare)
{
	cmdline_init("log=debug exit  vtpm=off quiet");
	EXPECT_STR_EQ(get("log"), "debug");
	EXPECT_STR_EQ(get("vtpm"), "off");
	EXPECT(cmdline_has("exit"));
	EXPECT_STR_EQ(get("exit"), "");
	EXPECT(cmdline_has("quiet"));
	EXPECT_STR_EQ(get("quiet"), "");
	EXPECT(cmdline_has("log"));
	EXPECT(!cmdline_has("debug")); /* a value is not a key */
	EXPECT(!cmdline_has("off"));
	EXPECT(!cmdline_has("missing"));
	EXPECT_STR_EQ(get("missing"), NULL);

	/* Empty value, a value containing '=', the first of repeated keys. */
	cmdline_init("a= b=c=d k=1 k=2");
	EXPECT_STR_EQ(get("a"), "");
	EXPECT_STR_EQ(get("b"), "c=d");
	EXPECT_STR_EQ(get("k"), "1");
	EXPECT(!cmdline_has("c"));

	/* Leading, trailing and repeated spaces. */
	cmdline_init("   x=1    y   ");
	EXPECT_STR_EQ(get("x"), "1");
	EXPECT(cmdline_has("y"));
	EXPECT_STR_EQ(get("y"), "");
	EXPECT(!cmdline_has("z"));
}

UNIT_TEST(cmdline_prefix_keys)
{
	cmdline_init("exit_on_ready");
	EXPECT(cmdline_has("exit_on_ready"));
	EXPECT(!cmdline_has("exit"));
	EXPECT(!cmdline_has("exit_on_ready_now"));
	EXPECT_STR_EQ(get("exit"), NULL);

	cmdline_init("exit_on_ready=1 exit");
	EXPECT(cmdline_has("exit"));
	EXPECT_STR_EQ(get("exit"), "");
	EXPECT_STR_EQ(get("exit_on_ready"), "1");

	cmdline_init("exit_on_ready=1 exit=7");
	EXPECT_STR_EQ(get("exit"), "7");

	cmdline_init("exitx=1 exi=2");
	EXPECT(!cmdline_has("exit"));
	EXPECT_STR_EQ(get("exi"), "2");

	/* A key hidden in another word's value is not found. */
	cmdline_init("opt=exit");
	EXPECT(!cmdline_has("exit"));
	cmdline_init("opt=a=exit");
	EXPECT(!cmdline_has("exit"));
}

UNIT_TEST(cmdline_value_truncation)
{
	char buf[8];

	cmdline_init("k=abcdefghij next=1");
	memset(buf, 'X', sizeof(buf));
	EXPECT(cmdline_get("k", buf, 4));
	EXPECT_STR_EQ(buf, "abc");
	EXPECT(buf[4] == 'X'); /* nothing written past len */
	memset(buf, 'X', sizeof(buf));
	EXPECT(cmdline_get("k", buf, 1));
	EXPECT_STR_EQ(buf, "");
	EXPECT(buf[1] == 'X');
	memset(buf, 'X', sizeof(buf));
	EXPECT(cmdline_get("next", buf, 2));
	EXPECT_STR_EQ(buf, "1");
	memset(buf, 'X', sizeof(buf));
	EXPECT(cmdline_get("k", buf, sizeof(buf)));
	EXPECT_STR_EQ(buf, "abcdefg");

	/* len 0: nothing can be written, so not even the terminator. */
	memset(buf, 'X', sizeof(buf));
	EXPECT(!cmdline_get("k", buf, 0));
	EXPECT(buf[0] == 'X');
	EXPECT(!cmdline_get("k", NULL, 0));
}

UNIT_TEST(cmdline_empty)
{
	cmdline_init("");
	EXPECT(!cmdline_has("a"));
	EXPECT_STR_EQ(get("a"), NULL);
	cmdline_init("    ");
	EXPECT(!cmdline_has("a"));
	EXPECT_STR_EQ(get("a"), NULL);
}

UNIT_TEST(cmdline_too_long_is_cut)
{
	char s[BOOT_CMDLINE_MAX * 2];
	const size_t keep = BOOT_CMDLINE_MAX - 1;

	/* Filler, then "k=value" whose value is cut after 3 characters; then a word past it. */
	memset(s, 'f', sizeof(s));
	s[keep - 10] = ' ';
	memcpy(s + keep - 9, "k=valuevalue x=1", 16);
	s[sizeof(s) - 1] = '\0';
	cmdline_init(s);
	EXPECT_STR_EQ(get("k"), "valueva");
	EXPECT(!cmdline_has("x"));

	/* A key cut in the middle is gone. */
	memset(s, 'f', sizeof(s));
	s[keep - 3] = ' ';
	memcpy(s + keep - 2, "long_key", 8);
	s[sizeof(s) - 1] = '\0';
	cmdline_init(s);
	EXPECT(!cmdline_has("long_key"));
	EXPECT(cmdline_has("lo"));

	/* Exactly BOOT_CMDLINE_MAX - 1 characters are kept whole. */
	memset(s, 'f', sizeof(s));
	s[keep - 4] = ' ';
	memcpy(s + keep - 3, "end", 3);
	s[keep] = '\0';
	cmdline_init(s);
	EXPECT(cmdline_has("end"));
	/* The source need not be terminated past BOOT_CMDLINE_MAX - 1 (strnlen bound). */
	{
		char raw[BOOT_CMDLINE_MAX - 1];

		memset(raw, 'r', sizeof(raw));
		raw[10] = ' ';
		cmdline_init(raw);
		EXPECT(cmdline_has("rrrrrrrrrr"));
		EXPECT_EQ_U64(strlen(get("rrrrrrrrrr")), 0);
	}
}
