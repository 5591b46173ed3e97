// SPDX-License-Identifier: MIT
/*
 * Constant-time check of tpm/p256.c: under valgrind's memcheck the scalar is marked undefined
 * (VALGRIND_MAKE_MEM_UNDEFINED), so a conditional jump, a memory index or a division that
 * depends on it is reported as a use of an uninitialised value, and valgrind exits non-zero
 * (--error-exitcode). p256.c, built with COPRA_CT_CHECK, declares only what is public: whether
 * the scalar and point are valid and whether the result is infinity. The outputs are marked
 * defined again before they are compared, so each run also checks the answer.
 *
 * Compiled with the optimization of the engine's builds (-O2, as copra-tpmd, and -Os/-O1 as
 * given on the command line): the compiler decides whether masks stay masks.
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "p256.h"

void tpm_wipe(void *p, size_t n);
void tpm_wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* 2G, 3G (SEC 2 / well-known multiples, checked against p256_mul_base(2), (3) below). */
static const char *const SCALARS[] = {
	"0000000000000000000000000000000000000000000000000000000000000001",
	"0000000000000000000000000000000000000000000000000000000000000002",
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", /* n - 1 */
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f", /* n - 2 */
	"8000000000000000000000000000000000000000000000000000000000000000",
	"7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"c51e4753afdec1e6b6c6a5b992f43f8dd0c7a8933072708b6522468b2ffb06fd",
	"00000000000000000000000000000000ffffffffffffffffffffffffffffffff",
};

static void unhex(const char *s, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

int main(void)
{
	unsigned passed = 0, failed = 0;
	uint8_t gx[32], gy[32], one[32] = {0};

	one[31] = 1;
	if (p256_mul_base(gx, gy, one) != 0) {
		printf("p256-ct: 0 passed, 1 failed (1*G refused)\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(SCALARS) / sizeof(SCALARS[0]); i++) {
		uint8_t k[32], bx[32], by[32], px[32], py[32];
		int rb, rp;

		unhex(SCALARS[i], k);
		VALGRIND_MAKE_MEM_UNDEFINED(k, sizeof(k));
		rb = p256_mul_base(bx, by, k);
		rp = p256_mul(px, py, k, gx, gy);
		VALGRIND_MAKE_MEM_DEFINED(k, sizeof(k));
		VALGRIND_MAKE_MEM_DEFINED(bx, sizeof(bx));
		VALGRIND_MAKE_MEM_DEFINED(by, sizeof(by));
		VALGRIND_MAKE_MEM_DEFINED(px, sizeof(px));
		VALGRIND_MAKE_MEM_DEFINED(py, sizeof(py));
		/* k*G by the fixed-base table and by the variable-point ladder must agree */
		if (rb == 0 && rp == 0 && memcmp(bx, px, 32) == 0 && memcmp(by, py, 32) == 0) {
			passed++;
		} else {
			failed++;
			printf("p256-ct: scalar %zu: k*G differs between the two algorithms\n", i);
		}
	}
	printf("p256-ct: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
