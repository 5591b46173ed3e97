/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the libFuzzer harnesses in fuzz/ (see fuzz/module.mk and
 * docs/assurance.md "Fuzzing"): a reader that decodes little-endian fields from the input and
 * yields zeros once it runs dry, and FUZZ_CHECK, which reports a broken property and aborts so
 * that libFuzzer saves the input.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * For the harness's own bookkeeping loops: no coverage instrumentation, so they neither slow
 * the run down with comparison tracing nor feed libFuzzer features that say nothing about the
 * code under test.
 */
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                       \
			abort();                                                              \
		}                                                                             \
	} while (0)

/* Consumes the input front to back; reads past the end give zero bytes. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fuzz_empty(const struct fuzz_in *in)
{
	return in->n == 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n > 0) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

/* n (<= 8) bytes, little-endian. */
static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_uint(in, 8);
}

/* Up to n bytes: stores how many were available in *got and returns where they start. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	if (n > in->n)
		n = in->n;
	in->p += n;
	in->n -= n;
	*got = n;
	return p;
}

#endif
