/* SPDX-License-Identifier: MIT */
/*
 * Table-driven CRC-32C (include/lib/crc32c.h), one byte per step. (No SSE4.2 `crc32` path: the
 * KVM on the project's machines emulates guest code and its emulator stops on that
 * instruction, and CPUID still reports it.)
 *
 * The 256-entry table is a constant initializer computed by the preprocessor and compiler from
 * the polynomial alone: entry n is the CRC register after shifting the 8 bits of n through it,
 * i.e. eight rounds of "shift right, XOR the polynomial if the bit shifted out was 1". Nothing is
 * computed at run time, so the table lives in .rodata and needs no initialisation before use.
 */
#include <lib/crc32c.h>

#define CRC32_POLY 0x82F63B78u /* Castagnoli, reflected */

#define CRC_BIT(c) (((c) >> 1) ^ (CRC32_POLY & (0u - ((c)&1u))))
#define CRC_BYTE(n) \
	CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT((uint32_t)(n)))))))))
#define ROW4(n)	 CRC_BYTE(n), CRC_BYTE((n) + 1), CRC_BYTE((n) + 2), CRC_BYTE((n) + 3)
#define ROW16(n) ROW4(n), ROW4((n) + 4), ROW4((n) + 8), ROW4((n) + 12)
#define ROW64(n) ROW16(n), ROW16((n) + 16), ROW16((n) + 32), ROW16((n) + 48)

static const uint32_t crc32_table[256] = {ROW64(0), ROW64(64), ROW64(128), ROW64(192)};

/* Spot checks: well-known entries of the standard table; entry 0x80 is the polynomial itself. */
_Static_assert(CRC_BYTE(0) == 0, "crc32c table");
_Static_assert(CRC_BYTE(1) == 0xF26B8303u, "crc32c table");
_Static_assert(CRC_BYTE(0x80) == CRC32_POLY, "crc32c table");
_Static_assert(CRC_BYTE(0xFF) == 0xAD7D5351u, "crc32c table");

uint32_t crc32c_update(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = ~crc;

	for (size_t i = 0; i < len; i++)
		c = crc32_table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
	return ~c;
}
