/* SPDX-License-Identifier: MIT */
/*
 * guest_ram_init / guest_range_check (kernel/mm/guest_range.c): the checks every guest-memory
 * access passes before anything is mapped. Includes a brute-force comparison on random maps.
 */
#include <copra/guest.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define MiB (1ull << 20)

static const struct boot_e820_entry qemu_map[] = {
	{0, 256 * MiB, E820_USABLE, 0},
	{0xfd00000000ull, 0x300000000ull, E820_RESERVED, 0},
};

UNIT_TEST(guest_range_qemu_map)
{
	struct guest_ram g;

	guest_ram_init(&g, qemu_map, 2, 240 * MiB, 16 * MiB);
	EXPECT_EQ_U64(g.n, 1);
	EXPECT_EQ_U64(guest_range_check(&g, 0x1000, 4096), GUEST_OK);
	EXPECT_EQ_U64(guest_range_check(&g, 0, 240 * MiB), GUEST_OK);
	EXPECT_EQ_U64(guest_range_check(&g, 0, 240 * MiB + 1), GUEST_ESVSM);
	EXPECT_EQ_U64(guest_range_check(&g, 240 * MiB - 1, 2), GUEST_ESVSM);
	EXPECT_EQ_U64(guest_range_check(&g, 255 * MiB, 1), GUEST_ESVSM);
	EXPECT_EQ_U64(guest_range_check(&g, 256 * MiB, 1), GUEST_ERANGE);
	EXPECT_EQ_U64(guest_range_check(&g, 0xfd00000000ull, 8), GUEST_ERANGE);
	EXPECT_EQ_U64(guest_range_check(&g, UINT64_MAX, 1), GUEST_EOVERFLOW); /* ends at 2^64 */
	EXPECT_EQ_U64(guest_range_check(&g, UINT64_MAX, 2), GUEST_EOVERFLOW);
	EXPECT_EQ_U64(guest_range_check(&g, 0x1000, 0), GUEST_EINVAL);
	EXPECT_EQ_U64(guest_range_check(&g, 0x1000, UINT64_MAX), GUEST_EOVERFLOW);
}

UNIT_TEST(guest_range_merges_touching_and_overlapping)
{
	static const struct boot_e820_entry map[] = {
		{64 * MiB, 32 * MiB, E820_USABLE, 0},	{0, 16 * MiB, E820_USABLE, 0},
		{16 * MiB, 16 * MiB, E820_USABLE, 0},	/* touches the first */
		{8 * MiB, 4 * MiB, E820_USABLE, 0},	/* inside */
		{90 * MiB, 20 * MiB, E820_USABLE, 0},	/* overlaps the 64 MiB one */
		{200 * MiB, 0, E820_USABLE, 0},		/* empty: ignored */
		{UINT64_MAX - 10, 100, E820_USABLE, 0}, /* wraps: ignored */
		{120 * MiB, 8 * MiB, E820_RESERVED, 0}, /* not RAM */
	};
	struct guest_ram g;

	guest_ram_init(&g, map, sizeof(map) / sizeof(map[0]), 500 * MiB, 16 * MiB);
	ASSERT(g.n == 2);
	EXPECT_EQ_U64(g.r[0].start, 0);
	EXPECT_EQ_U64(g.r[0].end, 32 * MiB);
	EXPECT_EQ_U64(g.r[1].start, 64 * MiB);
	EXPECT_EQ_U64(g.r[1].end, 110 * MiB);
	EXPECT_EQ_U64(guest_range_check(&g, 15 * MiB, 2 * MiB), GUEST_OK); /* across entries */
	EXPECT_EQ_U64(guest_range_check(&g, 31 * MiB, 2 * MiB), GUEST_ERANGE);
	EXPECT_EQ_U64(guest_range_check(&g, 120 * MiB, 1), GUEST_ERANGE);
	EXPECT_EQ_U64(guest_range_check(&g, UINT64_MAX - 5, 1), GUEST_ERANGE);
}

UNIT_TEST(guest_range_table_full_drops_extra)
{
	static struct boot_e820_entry map[GUEST_RAM_MAX + 10];
	struct guest_ram g;

	for (unsigned int i = 0; i < GUEST_RAM_MAX + 10; i++) {
		map[i].addr = (uint64_t)i * 2 * MiB;
		map[i].size = MiB;
		map[i].type = E820_USABLE;
	}
	guest_ram_init(&g, map, GUEST_RAM_MAX + 10, 1ull << 40, 16 * MiB);
	EXPECT_EQ_U64(g.n, GUEST_RAM_MAX);
	for (unsigned int i = 1; i < g.n; i++)
		EXPECT(g.r[i - 1].end < g.r[i].start);
}

/* Random small maps on a 64-page space, against a per-page model. */
UNIT_TEST(guest_range_random_vs_model)
{
	for (int iter = 0; iter < 3000; iter++) {
		struct boot_e820_entry map[8];
		bool ram[64] = {false};
		unsigned int n = 1 + unit_rand64() % 8;
		uint64_t svsm = 8 * (unit_rand64() % 8), svsm_len = 8;
		struct guest_ram g;

		for (unsigned int i = 0; i < n; i++) {
			map[i].addr = unit_rand64() % 64;
			map[i].size = unit_rand64() % 16;
			if (map[i].addr + map[i].size > 64)
				map[i].size = 64 - map[i].addr;
			map[i].type = (unit_rand64() % 4) ? E820_USABLE : E820_RESERVED;
			for (uint64_t p = map[i].addr;
			     map[i].type == E820_USABLE && p < map[i].addr + map[i].size; p++)
				ram[p] = true;
		}
		guest_ram_init(&g, map, n, svsm, svsm_len);
		for (uint64_t a = 0; a < 64; a++) {
			for (uint64_t len = 1; a + len <= 66; len++) {
				enum guest_err want = GUEST_OK;

				for (uint64_t p = a; p < a + len && want == GUEST_OK; p++)
					if (p >= svsm && p < svsm + svsm_len)
						want = GUEST_ESVSM;
				for (uint64_t p = a; p < a + len && want == GUEST_OK; p++)
					if (p >= 64 || !ram[p])
						want = GUEST_ERANGE;
				if (!EXPECTF(guest_range_check(&g, a, len) == want,
					     "iter %d gpa %llu len %llu", iter,
					     (unsigned long long)a, (unsigned long long)len))
					return;
			}
		}
	}
}
