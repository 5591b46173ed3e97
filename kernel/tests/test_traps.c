/* SPDX-License-Identifier: MIT */
/*
 * The exception path: deliberate faults are caught, reported (the same report a panic prints)
 * and survived; protections (NX, WP on rodata and text) really fault; a kernel stack overflow
 * hits the guard page and arrives as #DF on its IST stack.
 */
#include <arch/x86/cpu.h>
#include <copra/cpu.h>
#include <copra/mm.h>
#include <copra/test.h>
#include <copra/trap.h>

static const uint64_t rodata_word __section(".rodata") = 0x1234;
static volatile uint8_t data_code[16] __aligned(16) = {0xc3}; /* ret */

TEST(trap_ud_is_caught_and_reported)
{
	struct fault_catch fc;

	if (fault_catch_arm(&fc, VEC_UD) == 0) {
		__asm__ __volatile__("ud2");
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT_EQ(fc.error, 0);
	EXPECT(fc.rip >= (uint64_t)__builtin_frame_address(0) || fc.rip >= KERNEL_VBASE);
}

TEST(trap_pf_on_unmapped_address)
{
	struct fault_catch fc;
	volatile uint64_t *p = (volatile uint64_t *)(KMAP_VBASE + KMAP_SIZE - PAGE_SIZE_4K);

	if (fault_catch_arm(&fc, VEC_PF) == 0) {
		(void)*p;
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT_EQ(fc.cr2, (uint64_t)p);
	EXPECT_EQ(fc.error & 0x7, 0); /* not-present, read, kernel */
}

/* (No int3 test: this machine's KVM turns a guest int3 into a debug exit to QEMU.) */
TEST(trap_de_is_caught)
{
	struct fault_catch fc;
	volatile uint64_t zero = 0;
	volatile uint64_t r = 1;

	if (fault_catch_arm(&fc, VEC_DE) == 0) {
		r = r / zero; // NOLINT(clang-analyzer-core.DivideZero): the #DE is the test
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
}

TEST(trap_rodata_is_read_only)
{
	struct fault_catch fc;

	if (fault_catch_arm(&fc, VEC_PF) == 0) {
		*(volatile uint64_t *)(uintptr_t)&rodata_word = 1;
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT_EQ(fc.cr2, (uint64_t)&rodata_word);
	EXPECT_EQ(fc.error & 0x3, 0x3); /* protection violation on write */
	EXPECT_EQ(*(const volatile uint64_t *)&rodata_word, 0x1234);
}

TEST(trap_text_is_read_only)
{
	struct fault_catch fc;
	volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)&cpu_detect;
	uint8_t before = *code;

	if (fault_catch_arm(&fc, VEC_PF) == 0) {
		*code = 0xcc;
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT_EQ(fc.error & 0x3, 0x3);
	EXPECT_EQ(*code, before);
}

TEST(trap_data_is_not_executable)
{
	struct fault_catch fc;
	void (*fn)(void) = (void (*)(void))(uintptr_t)data_code;

	ASSERT(cpu_feat.nx); /* every CPU model Copra is tested on has NX */
	if (fault_catch_arm(&fc, VEC_PF) == 0) {
		fn();
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT_EQ(fc.cr2, (uint64_t)data_code);
	EXPECT(fc.error & 0x10); /* instruction fetch */
}

static __attribute__((noinline, noipa)) uint64_t recurse(uint64_t depth)
{
	volatile uint8_t pad[256];

	pad[0] = (uint8_t)depth;
	if (depth > 100000)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static uint64_t overflow_entry(void *arg)
{
	return recurse((uint64_t)(uintptr_t)arg);
}

TEST(trap_stack_overflow_hits_guard_page)
{
	struct fault_catch fc;
	uint64_t bottom = 0, top = 0;

	stack_alloc(&bottom, &top);
	EXPECT(!kaddr_mapped(bottom - 1));
	EXPECT(kaddr_mapped(bottom));
	/* The #PF for the guard page cannot be pushed on the full stack: it becomes #DF. */
	if (fault_catch_arm(&fc, VEC_DF) == 0) {
		call_on_stack(overflow_entry, (void *)1, top);
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT(fc.cr2 >= bottom - PAGE_SIZE_4K && fc.cr2 < bottom);
}
