/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks: FIFO, so no CPU starves. spin_lock_irqsave also masks interrupts on this
 * CPU, for locks an interrupt handler may take.
 */
#ifndef COPRA_SPINLOCK_H
#define COPRA_SPINLOCK_H

#include <arch/x86/cpu.h>
#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t next;
	volatile uint32_t owner;
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t expect = owner;

	return __atomic_compare_exchange_n(&l->next, &expect, owner + 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = read_rflags();

	irq_disable();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	if (flags & RFLAGS_IF)
		irq_enable();
}

#endif
