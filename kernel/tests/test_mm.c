/* SPDX-License-Identifier: MIT */
/* Kernel mappings: map, access, unmap, refusal of double maps and of unmapping holes. */
#include <arch/x86/paging.h>
#include <copra/mm.h>
#include <copra/smp.h>
#include <copra/test.h>
#include <copra/trap.h>

#define TEST_VA (KMAP_VBASE + KMAP_SIZE - 16 * PAGE_SIZE_4K)

TEST(mm_map_write_unmap)
{
	struct fault_catch fc;
	paddr_t pa = page_alloc();
	volatile uint64_t *p = (volatile uint64_t *)TEST_VA;

	ASSERT(kmap(va_init(TEST_VA), pa, PAGE_SIZE_4K, PTE_W | PTE_NX) == 0);
	*p = 0x5a5a1234;
	EXPECT_EQ(*(volatile uint64_t *)phys_to_virt(pa), 0x5a5a1234);
	EXPECT_EQ(kmap(va_init(TEST_VA), pa, PAGE_SIZE_4K, PTE_W), PGTABLE_EEXIST);
	EXPECT_EQ(*p, 0x5a5a1234);
	ASSERT(kunmap(va_init(TEST_VA), PAGE_SIZE_4K) == 0);
	if (fault_catch_arm(&fc, VEC_PF) == 0) {
		(void)*p;
		fault_catch_disarm();
	}
	EXPECT(fc.hit);
	EXPECT_EQ(kunmap(va_init(TEST_VA), PAGE_SIZE_4K), PGTABLE_ENOENT);
}

TEST(mm_unmap_is_all_or_nothing)
{
	paddr_t pa = page_alloc();

	ASSERT(kmap(va_init(TEST_VA), pa, PAGE_SIZE_4K, PTE_W | PTE_NX) == 0);
	/* The second page is not mapped: nothing may change. */
	EXPECT_EQ(kunmap(va_init(TEST_VA), 2 * PAGE_SIZE_4K), PGTABLE_ENOENT);
	EXPECT(kaddr_mapped(TEST_VA));
	EXPECT(kunmap(va_init(TEST_VA), PAGE_SIZE_4K) == 0);
	EXPECT_EQ(kmap(va_init(TEST_VA + 1), pa, PAGE_SIZE_4K, 0), PGTABLE_EINVAL);
}

TEST(mm_stacks_have_guard_pages)
{
	uint64_t b1 = 0, t1 = 0, b2 = 0, t2 = 0;

	stack_alloc(&b1, &t1);
	stack_alloc(&b2, &t2);
	EXPECT_EQ(t1 - b1, KSTACK_SIZE);
	EXPECT(!kaddr_mapped(b1 - 1));
	EXPECT(!kaddr_mapped(b2 - 1));
	EXPECT(kaddr_mapped(t1 - 1));
	EXPECT(!kaddr_mapped(t1)); /* nothing above a stack either */
}

/*
 * TLB shootdown: every CPU reads a mapped page (so its TLB may hold it), the page is unmapped,
 * then every other CPU must fault on it. Under TCG a stale TLB entry really survives a PTE
 * change on another CPU, so a missing shootdown fails here.
 */
#define SHOOT_VA (KMAP_VBASE + KMAP_SIZE - 32 * PAGE_SIZE_4K)

static void touch(void *arg)
{
	(void)*(volatile uint64_t *)SHOOT_VA;
}

static void expect_fault(void *arg)
{
	uint32_t *faults = arg;
	struct fault_catch fc;

	if (fault_catch_arm(&fc, VEC_PF) == 0) {
		(void)*(volatile uint64_t *)SHOOT_VA;
		fault_catch_disarm();
	}
	if (fc.hit && fc.cr2 == SHOOT_VA)
		__atomic_fetch_add(faults, 1, __ATOMIC_RELAXED);
}

TEST(mm_unmap_shoots_down_all_cpus)
{
	uint32_t faults = 0;

	ASSERT(kmap(va_init(SHOOT_VA), page_alloc(), PAGE_SIZE_4K, PTE_W | PTE_NX) == 0);
	smp_call_all(touch, NULL);
	ASSERT(kunmap(va_init(SHOOT_VA), PAGE_SIZE_4K) == 0);
	smp_call_all(expect_fault, &faults);
	EXPECT_EQ(faults, smp_cpus_online());
}

/* A 2 MiB mapping (of low guest RAM, outside the SVSM region) reads the same bytes as 4 KiB. */
#define BIG_VA	 (KMAP_VBASE + KMAP_SIZE / 4)
#define BIG_PHYS 0x400000ull

TEST(mm_map_2m_page)
{
	paddr_t pa;
	uint64_t f = 0;
	volatile uint64_t *big = (volatile uint64_t *)BIG_VA;

	ASSERT(kmap(va_init(BIG_VA), pa_init(BIG_PHYS), PAGE_SIZE_2M, PTE_W | PTE_NX | PTE_PS) ==
	       0);
	ASSERT(ktranslate(va_init(BIG_VA + 0x12345), &pa, &f) == 0);
	EXPECT_EQ(pa_addr(pa), BIG_PHYS + 0x12345);
	EXPECT(f & PTE_PS);
	big[0x1000 / 8] = 0xabcdef;
	EXPECT_EQ(big[0x1000 / 8], 0xabcdef);
	/* Part of a large page cannot be unmapped; all of it can. */
	EXPECT_EQ(kunmap(va_init(BIG_VA + PAGE_SIZE_4K), PAGE_SIZE_4K), PGTABLE_EINVAL);
	EXPECT(kunmap(va_init(BIG_VA), PAGE_SIZE_2M) == 0);
	EXPECT(!kaddr_mapped(BIG_VA));
}
