/* SPDX-License-Identifier: MIT */
/*
 * kernel/core/cmdline.c on an untrusted command line (fw_cfg opt/copra/cmdline, supplied by the
 * host) and keys from the input.
 *
 * Input: NUL-separated fields. The first is the command line: passed NUL-terminated when it is
 * shorter than BOOT_CMDLINE_MAX - 1 bytes, else in an exact-size buffer without a terminator
 * (cmdline_init reads at most BOOT_CMDLINE_MAX - 1 bytes). Each further field is a buffer-size
 * byte followed by a key. cmdline_has and cmdline_get run on every key with an exact-size
 * output buffer (ASan catches a write past it); a successful get must NUL-terminate inside it.
 *
 * For keys that are a plain word (non-empty, no separator, no '='), the answers are compared
 * with an independent tokenizer: the first word that is the key, or starts with key '=',
 * gives the value (after that '=', up to the word's end, cut to the buffer).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include <boot/boot_info.h>
#include <copra/cmdline.h>

static bool sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool plain_key(const char *k, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sep(k[i]) || k[i] == '=')
			return false;
	return true;
}

/* The value of key in line (the kernel's copy), or NULL; *vlen gets its length. */
FUZZ_NO_COVERAGE static const char *model_get(const char *line, const char *key, size_t klen,
					      size_t *vlen)
{
	size_t i = 0;

	while (line[i]) {
		size_t w = i;
		size_t wl = 0;

		while (line[w] && sep(line[w]))
			w++;
		while (line[w + wl] && !sep(line[w + wl]))
			wl++;
		if (wl >= klen && memcmp(line + w, key, klen) == 0 &&
		    (wl == klen || line[w + klen] == '=')) {
			size_t skip = wl == klen ? klen : klen + 1;

			*vlen = wl - skip;
			return line + w + skip;
		}
		i = w + wl;
	}
	return NULL;
}

static void one_key(const char *line, const uint8_t *f, size_t flen)
{
	size_t blen = flen ? f[0] : 0;
	size_t klen = flen ? flen - 1 : 0;
	char *key = malloc(klen + 1);
	char *buf = malloc(blen ? blen : 1);
	bool has = false;
	bool got = false;

	FUZZ_CHECK(key && buf);
	memcpy(key, f + (flen ? 1 : 0), klen);
	key[klen] = '\0';
	has = cmdline_has(key);
	got = cmdline_get(key, blen ? buf : NULL, blen);
	/* With no room (NULL buffer) nothing may be written. */
	if (blen) {
		FUZZ_CHECK(got == has);
		if (got)
			FUZZ_CHECK(memchr(buf, '\0', blen) != NULL);
	}
	if (plain_key(key, klen)) {
		size_t vlen = 0;
		const char *v = model_get(line, key, klen, &vlen);

		FUZZ_CHECK(has == (v != NULL));
		if (got && blen) {
			size_t want = vlen < blen - 1 ? vlen : blen - 1;

			FUZZ_CHECK(strlen(buf) == want && memcmp(buf, v, want) == 0);
		}
	}
	free(buf);
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t llen = nul ? (size_t)(nul - data) : size;
	bool terminated = llen < BOOT_CMDLINE_MAX - 1;
	char *arg = malloc(llen + (terminated ? 1 : 0));
	char line[BOOT_CMDLINE_MAX];
	const uint8_t *p = nul ? nul + 1 : end;

	FUZZ_CHECK(arg != NULL);
	memcpy(arg, data, llen);
	if (terminated)
		arg[llen] = '\0';
	cmdline_init(arg);
	/* What the kernel should have kept: at most BOOT_CMDLINE_MAX - 1 bytes. */
	memcpy(line, data, llen < sizeof(line) - 1 ? llen : sizeof(line) - 1);
	line[llen < sizeof(line) - 1 ? llen : sizeof(line) - 1] = '\0';
	free(arg);

	for (unsigned int keys = 0; p < end && keys < 64; keys++) {
		const uint8_t *q = memchr(p, '\0', (size_t)(end - p));
		size_t flen = q ? (size_t)(q - p) : (size_t)(end - p);

		one_key(line, p, flen);
		p = q ? q + 1 : end;
	}
	return 0;
}
