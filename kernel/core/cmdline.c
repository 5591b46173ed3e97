/* SPDX-License-Identifier: MIT */
#include <boot/boot_info.h>
#include <copra/cmdline.h>
#include <lib/string.h>

static char cmdline[BOOT_CMDLINE_MAX];

void cmdline_init(const char *s)
{
	size_t n = strnlen(s, sizeof(cmdline) - 1);

	memcpy(cmdline, s, n);
	cmdline[n] = '\0';
}

static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Finds `key` as a whole word (followed by '=', space or end); returns the word's tail. */
static const char *find_key(const char *key)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (is_sep(*p))
			p++;
		if (strncmp(p, key, klen) == 0 && (p[klen] == '=' || is_sep(p[klen]) || !p[klen]))
			return p + klen;
		while (*p && !is_sep(*p))
			p++;
	}
	return NULL;
}

bool cmdline_has(const char *key)
{
	return find_key(key) != NULL;
}

bool cmdline_get(const char *key, char *buf, size_t len)
{
	const char *v = find_key(key);
	size_t n = 0;

	if (!v || len == 0)
		return false;
	if (*v == '=')
		v++;
	while (v[n] && !is_sep(v[n]) && n + 1 < len) {
		buf[n] = v[n];
		n++;
	}
	buf[n] = '\0';
	return true;
}
