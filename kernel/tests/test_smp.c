/* SPDX-License-Identifier: MIT */
/* SMP: every announced vCPU is online with its own per-CPU area; cross-CPU calls; spinlocks. */
#include <copra/percpu.h>
#include <copra/smp.h>
#include <copra/spinlock.h>
#include <copra/test.h>

extern const struct boot_info *boot_info;

TEST(smp_all_cpus_online)
{
	EXPECT_EQ(smp_cpus_online(), boot_info->cpu_count);
	for (uint32_t i = 0; i < smp_cpus_online(); i++) {
		EXPECT(percpu_area[i].online);
		EXPECT_EQ(percpu_area[i].index, i);
		for (uint32_t j = 0; j < i; j++)
			EXPECT(percpu_area[i].apic_id != percpu_area[j].apic_id);
	}
}

static void record_cpu(void *arg)
{
	uint64_t *out = arg;

	out[this_cpu()->index] = (uint64_t)this_cpu()->self;
}

TEST(smp_call_runs_on_each_cpu)
{
	uint64_t seen[MAX_CPUS] = {0};

	for (uint32_t i = 0; i < smp_cpus_online(); i++) {
		smp_call(i, record_cpu, seen);
		EXPECT_EQ(seen[i], (uint64_t)&percpu_area[i]);
	}
}

#define LOCK_ROUNDS 2000

static struct spinlock test_lock = SPINLOCK_INIT;
static volatile uint64_t shared_counter;

static void hammer(void *arg)
{
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		spin_lock(&test_lock);
		/* A read-modify-write split in two: lost updates show without the lock. */
		uint64_t v = shared_counter;
		cpu_relax();
		shared_counter = v + 1;
		spin_unlock(&test_lock);
	}
}

TEST(smp_spinlock_under_contention)
{
	shared_counter = 0;
	smp_call_all(hammer, NULL);
	EXPECT_EQ(shared_counter, (uint64_t)LOCK_ROUNDS * smp_cpus_online());
	EXPECT(!spin_is_locked(&test_lock));
}
