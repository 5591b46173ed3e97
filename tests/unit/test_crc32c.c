/* SPDX-License-Identifier: MIT */
/*
 * crc32c_update: published check values, zlib-compatible chaining, and incremental updates
 * over every split point equal to the one-shot CRC.
 */
#include <stdint.h>
#include <string.h>

#include "unit.h"

#include <lib/crc32c.h>

/* Bit-at-a-time reference straight from the definition (reflected, init and xorout ~0). */
static uint32_t crc32c_bitwise(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return ~c;
}

UNIT_TEST(crc32c_known_vectors)
{
	static const unsigned char zeros[32];
	static const unsigned char ones[32] = {[0 ... 31] = 0xFF};

	EXPECT_EQ_U64(crc32c_update(0, "123456789", 9), 0xE3069283u);
	EXPECT_EQ_U64(crc32c_update(0, "", 0), 0);
	EXPECT_EQ_U64(crc32c_update(0, NULL, 0), 0);
	EXPECT_EQ_U64(crc32c_update(0x12345678u, NULL, 0), 0x12345678u);
	EXPECT_EQ_U64(crc32c_update(0, "a", 1), 0xC1D04330u);
	EXPECT_EQ_U64(crc32c_update(0, "abc", 3), 0x364B3FB7u);
	EXPECT_EQ_U64(crc32c_update(0, "The quick brown fox jumps over the lazy dog", 43),
		      0x22620404u);
	/* RFC 3720 B.4 test patterns. */
	EXPECT_EQ_U64(crc32c_update(0, zeros, sizeof(zeros)), 0x8A9136AAu);
	EXPECT_EQ_U64(crc32c_update(0, ones, sizeof(ones)), 0x62A8AB43u);
}

UNIT_TEST(crc32c_matches_bitwise_reference)
{
	unsigned char buf[1024];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)unit_rand64();
	for (size_t n = 0; n <= sizeof(buf); n += 13)
		EXPECT_EQ_U64(crc32c_update(0, buf, n), crc32c_bitwise(buf, n));
	for (unsigned int b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;

		EXPECT_EQ_U64(crc32c_update(0, &c, 1), crc32c_bitwise(&c, 1));
	}
}

UNIT_TEST(crc32c_incremental_equals_one_shot)
{
	unsigned char buf[300];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)unit_rand64();
	uint32_t whole = crc32c_update(0, buf, sizeof(buf));

	for (size_t cut = 0; cut <= sizeof(buf); cut++) {
		uint32_t part = crc32c_update(0, buf, cut);

		EXPECT_EQ_U64(crc32c_update(part, buf + cut, sizeof(buf) - cut), whole);
	}
	/* Three pieces at random cuts, and byte by byte. */
	for (int i = 0; i < 1000; i++) {
		size_t a = unit_rand64() % (sizeof(buf) + 1);
		size_t b = a + unit_rand64() % (sizeof(buf) - a + 1);
		uint32_t c = crc32c_update(0, buf, a);

		c = crc32c_update(c, buf + a, b - a);
		EXPECT_EQ_U64(crc32c_update(c, buf + b, sizeof(buf) - b), whole);
	}
	uint32_t c = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		c = crc32c_update(c, buf + i, 1);
	EXPECT_EQ_U64(c, whole);
}
