/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors and running work on them.
 *
 * The BSP prepares a stack and per-CPU area for every AP the VMM announced, copies the
 * trampoline to SMP_TRAMPOLINE_PHYS, maps that page at its identity address (RX) for the
 * switch to long mode, and starts the APs through the platform (INIT-SIPI-SIPI on native).
 * APs take indices in arrival order in ap_entry64, so no APIC ID list is needed.
 */
#include <arch/x86/cpu.h>
#include <arch/x86/paging.h>
#include <copra/apic.h>
#include <copra/cpu.h>
#include <copra/guest.h>
#include <copra/log.h>
#include <copra/mm.h>
#include <copra/panic.h>
#include <copra/percpu.h>
#include <copra/platform.h>
#include <copra/smp.h>
#include <copra/spinlock.h>
#include <copra/trap.h>
#include <lib/string.h>

extern const char smp_tramp_start[], smp_tramp_end[];
extern const char tramp_cr3[], tramp_efer[], tramp_entry[];
extern char ap_entry64[];

uint32_t ap_next_index = 1;
uint64_t ap_stack_tops[MAX_CPUS];

static volatile uint32_t cpus_online = 1;
static volatile uint32_t cpus_stopped;
static uint32_t cpus_expected = 1;

uint32_t smp_cpus_online(void)
{
	return cpus_online;
}

void ap_main(uint32_t index);
__noreturn void ap_main(uint32_t index)
{
	struct percpu *pc = NULL;

	if (index >= cpus_expected) {
		/* More CPUs answered than the VMM announced: park this one. */
		cpu_halt_forever();
	}
	pc = &percpu_area[index];
	pc->self = pc;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	percpu_setup(pc, index);
	guest_window_init_cpu();
	cpu_enable_protections();
	apic_init();
	pc->apic_id = apic_id();
	pr_info("smp: cpu %u online (APIC ID %u)\n", index, pc->apic_id);
	__atomic_store_n(&pc->online, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_ACQ_REL);
	for (;;) {
		/* Interrupts only ever arrive here: smp_call IPIs and the panic NMI. */
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	}
}

static void tramp_write(void *page, const char *field, const void *val, size_t len)
{
	memcpy((char *)page + (field - smp_tramp_start), val, len);
}

void smp_boot_aps(const struct boot_info *bi)
{
	uint64_t tsize = (uintptr_t)smp_tramp_end - (uintptr_t)smp_tramp_start;
	uint32_t want = bi->cpu_count;
	uint32_t cr3 = (uint32_t)read_cr3();
	uint32_t efer = cpu_feat.nx ? EFER_LME | EFER_NXE : EFER_LME;
	uint64_t entry = (uint64_t)ap_entry64;
	uint64_t deadline = 0;
	void *page = NULL;

	if (want > MAX_CPUS) {
		pr_warn("smp: %u vCPUs announced, Copra supports %u\n", want, MAX_CPUS);
		want = MAX_CPUS;
	}
	cpus_expected = want;
	if (want <= 1)
		return;
	CHECK(tsize <= PAGE_SIZE && read_cr3() < (1ull << 32));
	for (uint32_t i = 1; i < want; i++) {
		struct percpu *pc = &percpu_area[i];

		stack_alloc(&pc->stack_bottom, &pc->stack_top);
		ap_stack_tops[i] = pc->stack_top;
	}
	/* Fill the trampoline through a temporary window, then map it RX at its identity. */
	page = kmap_mmio(pa_init(SMP_TRAMPOLINE_PHYS), PAGE_SIZE);
	memcpy(page, smp_tramp_start, tsize);
	tramp_write(page, tramp_cr3, &cr3, sizeof(cr3));
	tramp_write(page, tramp_efer, &efer, sizeof(efer));
	tramp_write(page, tramp_entry, &entry, sizeof(entry));
	CHECK(kunmap(va_from_ptr(page), PAGE_SIZE) == 0);
	CHECK(kmap(va_init(SMP_TRAMPOLINE_PHYS), pa_init(SMP_TRAMPOLINE_PHYS), PAGE_SIZE, 0) == 0);

	platform_start_aps(SMP_TRAMPOLINE_PHYS);
	/* Generous: under TCG on a loaded host a vCPU thread can wait seconds for a core. */
	deadline = rdtsc() + 10000 * tsc_khz(); /* 10 s */
	while (READ_ONCE(cpus_online) < want && rdtsc() < deadline)
		cpu_relax();
	CHECK(kunmap(va_init(SMP_TRAMPOLINE_PHYS), PAGE_SIZE) == 0);
	if (READ_ONCE(cpus_online) < want)
		pr_warn("smp: only %u of %u vCPUs came online\n", cpus_online, want);
}

/*
 * Cross-CPU calls. One initiator at a time (call_lock), so mailboxes (one slot per CPU) are
 * never contended. An initiator, and a CPU spinning for call_lock, keeps serving its own
 * mailbox, so two CPUs that call each other with interrupts off cannot deadlock.
 * Lock order: call_lock is taken with no other lock held (kunmap shoots down after unlocking).
 */
static struct spinlock call_lock = SPINLOCK_INIT;

void smp_call_handle(void)
{
	struct percpu *pc = this_cpu();
	void (*fn)(void *) = __atomic_exchange_n(&pc->call_fn, NULL, __ATOMIC_ACQ_REL);

	if (!fn)
		return;
	fn(pc->call_arg);
	__atomic_store_n(&pc->call_done, 1, __ATOMIC_RELEASE);
}

static uint64_t call_begin(void)
{
	uint64_t flags = read_rflags();

	irq_disable();
	while (!spin_trylock(&call_lock)) {
		smp_call_handle();
		cpu_relax();
	}
	return flags;
}

static void call_end(uint64_t flags)
{
	spin_unlock(&call_lock);
	if (flags & RFLAGS_IF)
		irq_enable();
}

static void call_post(struct percpu *pc, void (*fn)(void *), void *arg)
{
	CHECK(pc->online);
	pc->call_done = 0;
	pc->call_arg = arg;
	__atomic_store_n(&pc->call_fn, fn, __ATOMIC_RELEASE);
	apic_send_ipi(pc->apic_id, ICR_FIXED | ICR_ASSERT | VEC_CALL);
}

static void call_wait(struct percpu *pc)
{
	uint64_t deadline = rdtsc() + 20000 * tsc_khz();

	while (!__atomic_load_n(&pc->call_done, __ATOMIC_ACQUIRE)) {
		if (rdtsc() > deadline)
			panic("smp: cpu %u did not answer a call within 20 s", pc->index);
		cpu_relax();
	}
}

void smp_call(uint32_t index, void (*fn)(void *), void *arg)
{
	uint64_t flags = 0;

	CHECK(index < cpus_expected);
	if (index == this_cpu()->index) {
		fn(arg);
		return;
	}
	flags = call_begin();
	call_post(&percpu_area[index], fn, arg);
	call_wait(&percpu_area[index]);
	call_end(flags);
}

static void call_others(void (*fn)(void *), void *arg)
{
	uint32_t me = this_cpu()->index;

	for (uint32_t i = 0; i < cpus_expected; i++)
		if (i != me && percpu_area[i].online)
			call_post(&percpu_area[i], fn, arg);
	for (uint32_t i = 0; i < cpus_expected; i++)
		if (i != me && percpu_area[i].online)
			call_wait(&percpu_area[i]);
}

void smp_call_all(void (*fn)(void *), void *arg)
{
	uint64_t flags = call_begin();

	for (uint32_t i = 0; i < cpus_expected; i++)
		if (i != this_cpu()->index && percpu_area[i].online)
			call_post(&percpu_area[i], fn, arg);
	fn(arg);
	for (uint32_t i = 0; i < cpus_expected; i++)
		if (i != this_cpu()->index && percpu_area[i].online)
			call_wait(&percpu_area[i]);
	call_end(flags);
}

struct flush_range {
	uint64_t va, size;
};

/* Few pages: invlpg each; more: reload CR3 (kernel mappings are not global, so it flushes). */
static void flush_local(void *arg)
{
	const struct flush_range *r = arg;

	if (r->size > 32 * PAGE_SIZE) {
		write_cr3(read_cr3());
		return;
	}
	for (uint64_t off = 0; off < r->size; off += PAGE_SIZE)
		invlpg(r->va + off);
}

void tlb_shootdown(uint64_t va, uint64_t size)
{
	struct flush_range r = {va, size};
	uint64_t flags = 0;

	flush_local(&r);
	if (READ_ONCE(cpus_online) <= 1)
		return;
	flags = call_begin();
	call_others(flush_local, &r);
	call_end(flags);
}

void smp_stopped_here(void)
{
	__atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_ACQ_REL);
	cpu_halt_forever();
}

uint32_t smp_stop_others(void)
{
	uint32_t others = cpus_online - 1;
	uint64_t spins = 0;

	if (others == 0)
		return 0;
	apic_send_ipi(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
	/* Bounded wait without the TSC helpers: they may be what failed. */
	while (READ_ONCE(cpus_stopped) < others && spins++ < 100000000ull)
		cpu_relax();
	return cpus_stopped;
}
