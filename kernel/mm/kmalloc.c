/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: the buddy + slab core (kernel/mm/buddy.c, slab.c) over the whole SVSM
 * region, one object cache per CPU in front of it, and the allocation policy of kmalloc.h.
 * Page index i of the heap is physical svsm_base + i * 4 KiB, seen at DIRECTMAP_VBASE + that
 * address; only pages the loader left free are released to it (the kernel image and the
 * loader's allocations stay reserved), and the buddy metadata sits at the top of the region,
 * also reserved.
 *
 * Every call runs with interrupts masked and this CPU's cache lock held (cache_enter), so the
 * common kmalloc/kfree touches only this CPU's cache and its lock's cache line; the core takes
 * heap_lock, through the hooks below, only to refill or flush a cache and for blocks and pages.
 * Another CPU takes a cache's lock only to drain it (heap_reclaim, before an allocation fails)
 * or to search it for a suspected double free.
 * Lock order: a CPU's cache_lock, then heap_lock; never two cache_locks at once (the core
 * releases its own before it takes another: copra/slab.h, struct heap_sync). Both are leaves
 * otherwise: nothing else is taken while holding them.
 */
#include <copra/kmalloc.h>
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/slab.h>
#include <copra/spinlock.h>
#include <copra/trap.h>
#include <lib/string.h>

/* A cache lock per CPU, each on its own cache line. */
struct cache_lock {
	struct spinlock lock;
} __aligned(64);

static struct heap kheap;
static struct spinlock heap_lock = SPINLOCK_INIT;
static struct cache_lock cache_lock[MAX_CPUS];
static struct heap_cpu *caches; /* one per CPU the VMM announced, from the heap itself */
static uint32_t ncaches;
static uint64_t heap_base_pa;

/* Misuse (double free, foreign pointer, wrong order) is an invariant violation: panic. */
static void heap_violation(void *ctx, const char *what, uint64_t page, unsigned int order)
{
	panic("heap violation: %s (page %#llx = pa %#llx, order %u)", what,
	      (unsigned long long)page, (unsigned long long)(heap_base_pa + page * PAGE_SIZE_4K),
	      order);
}

static struct spinlock *sync_target(unsigned int who)
{
	if (who == HEAP_SYNC_SHARED)
		return &heap_lock;
	CHECK(who < ncaches);
	return &cache_lock[who].lock;
}

/* The core's hooks; interrupts are already masked (cache_enter). */
static void sync_lock(void *ctx, unsigned int who)
{
	spin_lock(sync_target(who));
}

static void sync_unlock(void *ctx, unsigned int who)
{
	spin_unlock(sync_target(who));
}

static const struct heap_sync heap_sync = {sync_lock, sync_unlock, NULL};

void heap_setup(const struct boot_info *bi)
{
	uint64_t npages = bi->svsm_size / PAGE_SIZE_4K;
	uint64_t meta_pages = heap_meta_pages(npages);
	uint64_t meta_pa = bi->svsm_base + bi->svsm_size - meta_pages * PAGE_SIZE_4K;
	uint64_t first = (bi->heap_phys_start - bi->svsm_base) / PAGE_SIZE_4K;
	uint32_t ncpus = bi->cpu_count < MAX_CPUS ? bi->cpu_count : MAX_CPUS;

	CHECK(bi->heap_phys_start % PAGE_SIZE_4K == 0 && meta_pa > bi->heap_phys_start);
	heap_base_pa = bi->svsm_base;
	heap_init(&kheap, (void *)(uintptr_t)(DIRECTMAP_VBASE + bi->svsm_base), npages,
		  phys_to_virt(pa_init(meta_pa)), heap_violation, NULL);
	buddy_release(&kheap.buddy, first, (meta_pa - bi->heap_phys_start) / PAGE_SIZE_4K);
	/* Before any other CPU runs: the core calls may still be made without locks. */
	caches = heap_alloc(&kheap, ncpus * sizeof(*caches));
	CHECK(ncpus > 0 && caches != NULL);
	ncaches = ncpus;
	heap_set_cpus(&kheap, caches, ncpus, &heap_sync);
}

/* Masks interrupts and takes this CPU's cache; *flags gets what cache_leave restores. */
static struct heap_cpu *cache_enter(uint64_t *flags)
{
	uint32_t me = 0;

	*flags = read_rflags();
	irq_disable();
	me = this_cpu()->index;
	CHECK(me < ncaches);
	spin_lock(&cache_lock[me].lock);
	return &caches[me];
}

static void cache_leave(struct heap_cpu *c, uint64_t flags)
{
	spin_unlock(&cache_lock[c - caches].lock);
	if (flags & RFLAGS_IF)
		irq_enable();
}

/*
 * Reports an allocation that failed after every cache was drained, and panics. Reads the buddy
 * counters without heap_lock: this CPU holds no lock here and the report is about to stop all.
 */
static __noreturn void oom(size_t size, void *caller)
{
	uint64_t off = 0;
	const char *sym = symbolize((uint64_t)caller, &off);

	log_enter_panic();
	pr_err("out of memory: %zu bytes requested by %p %s+%#llx\n", size, caller, sym ? sym : "?",
	       (unsigned long long)off);
	pr_err("  free pages %llu; free blocks per order:",
	       (unsigned long long)buddy_free_pages(&kheap.buddy));
	for (unsigned int o = 0; o < BUDDY_NORDERS; o++)
		pr_err(" %u:%llu", o, (unsigned long long)buddy_free_blocks(&kheap.buddy, o));
	pr_err("\n");
	panic("out of memory");
}

void *kmalloc_try(size_t size)
{
	uint64_t f = 0;
	struct heap_cpu *c = cache_enter(&f);
	void *p = heap_cpu_alloc(&kheap, c, size);

	cache_leave(c, f);
	return p;
}

void *kmalloc(size_t size)
{
	void *p = kmalloc_try(size);

	CHECK(size != 0);
	if (!p)
		oom(size, __builtin_return_address(0));
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc_try(size);

	CHECK(size != 0);
	if (!p)
		oom(size, __builtin_return_address(0));
	memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	uint64_t f = 0;
	struct heap_cpu *c = NULL;

	if (!p)
		return;
	c = cache_enter(&f);
	heap_cpu_free(&kheap, c, p);
	cache_leave(c, f);
}

bool pages_alloc_try(unsigned int order, paddr_t *out)
{
	uint64_t f = 0;
	struct heap_cpu *c = cache_enter(&f);
	void *p = heap_cpu_alloc_pages(&kheap, c, order);

	cache_leave(c, f);
	if (!p)
		return false;
	memset(p, 0, PAGE_SIZE_4K << order);
	*out = pa_init((uint64_t)(uintptr_t)p - DIRECTMAP_VBASE);
	return true;
}

paddr_t pages_alloc(unsigned int order)
{
	paddr_t pa = {0};

	if (!pages_alloc_try(order, &pa))
		oom(PAGE_SIZE_4K << order, __builtin_return_address(0));
	return pa;
}

void pages_free(paddr_t pa, unsigned int order)
{
	uint64_t f = 0;
	struct heap_cpu *c = cache_enter(&f);

	heap_cpu_free_pages(&kheap, c, phys_to_virt(pa), order);
	cache_leave(c, f);
}

void heap_reclaim_all(void)
{
	uint64_t f = 0;
	struct heap_cpu *c = cache_enter(&f);

	heap_reclaim(&kheap, c);
	cache_leave(c, f);
}

uint64_t heap_free_pages_total(void)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);
	uint64_t n = buddy_free_pages(&kheap.buddy);

	spin_unlock_irqrestore(&heap_lock, f);
	return n;
}

void heap_log_stats(void)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);
	uint64_t free_pages = buddy_free_pages(&kheap.buddy);
	int largest = -1;

	for (int o = BUDDY_MAX_ORDER; o >= 0 && largest < 0; o--)
		if (buddy_free_blocks(&kheap.buddy, (unsigned int)o))
			largest = o;
	spin_unlock_irqrestore(&heap_lock, f);
	pr_info("heap: %llu KiB free, largest free block order %d\n",
		(unsigned long long)(free_pages * 4), largest);
}
