/* SPDX-License-Identifier: MIT */
/* Guest-memory access through the per-CPU windows, and its refusals. */
#include <copra/guest.h>
#include <copra/mm.h>
#include <copra/percpu.h>
#include <copra/smp.h>
#include <copra/test.h>
#include <lib/string.h>

extern const struct boot_info *boot_info;

/* Low RAM the kernel does not use (the loader's area ends at 0x80000; the SVSM region is high). */
#define SCRATCH_GPA 0x300000ull

TEST(guest_write_read_across_pages)
{
	uint8_t out[300], in[300];

	for (unsigned int i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	/* Straddles the page boundary at SCRATCH_GPA + 0x1000. */
	ASSERT(guest_write(gpa_init(SCRATCH_GPA + 0x1000 - 100), out, sizeof(out)) == GUEST_OK);
	memset(in, 0, sizeof(in));
	ASSERT(guest_read(gpa_init(SCRATCH_GPA + 0x1000 - 100), in, sizeof(in)) == GUEST_OK);
	EXPECT(memcmp(in, out, sizeof(in)) == 0);
	/* The window is unmapped again afterwards. */
	EXPECT(!kaddr_mapped(this_cpu()->window_va));
}

TEST(guest_refuses_bad_ranges)
{
	const struct boot_info *bi = boot_info;
	uint8_t b[16] = {0};

	EXPECT_EQ(guest_read(gpa_init(bi->svsm_base), b, 1), GUEST_ESVSM);
	EXPECT_EQ(guest_read(gpa_init(bi->svsm_base - 8), b, 16), GUEST_ESVSM);
	EXPECT_EQ(guest_write(gpa_init(bi->svsm_base + bi->svsm_size - 1), b, 1), GUEST_ESVSM);
	EXPECT_EQ(guest_read(gpa_init(0xfffffffffffffff8ull), b, 16), GUEST_EOVERFLOW);
	EXPECT_EQ(guest_read(gpa_init(0x4000000000ull), b, 1), GUEST_ERANGE); /* beyond RAM */
	EXPECT_EQ(guest_read(gpa_init(SCRATCH_GPA), b, 0), GUEST_EINVAL);
}

static void window_probe(void *arg)
{
	uint64_t *ok = arg;
	uint64_t v = 0;

	if (guest_read(gpa_init(SCRATCH_GPA), &v, sizeof(v)) == GUEST_OK && v == 0x1122334455667788)
		__atomic_fetch_add(ok, 1, __ATOMIC_RELAXED);
}

TEST(guest_windows_work_on_every_cpu)
{
	uint64_t v = 0x1122334455667788, ok = 0;

	ASSERT(guest_write(gpa_init(SCRATCH_GPA), &v, sizeof(v)) == GUEST_OK);
	smp_call_all(window_probe, &ok);
	EXPECT_EQ(ok, smp_cpus_online());
}
