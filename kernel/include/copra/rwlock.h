/* SPDX-License-Identifier: MIT */
/*
 * Spinning reader/writer lock, writer-preferring: once a writer waits, new readers wait too, so
 * a stream of readers (PVALIDATE calls from every vCPU during guest boot) cannot starve a writer
 * (CREATE_VCPU bringing up an AP). Readers never nest: a reader that takes the lock again while
 * a writer waits would deadlock, so code that already holds it uses the *_locked variants of
 * whatever it calls (see kernel/protocols/svsm_internal.h).
 *
 * State word: bit 31 = a writer holds the lock, bit 30 = a writer waits, bits 29:0 = readers.
 * Builds unchanged for the host (tests run it on threads), since it only needs atomics and
 * cpu_relax.
 */
#ifndef COPRA_RWLOCK_H
#define COPRA_RWLOCK_H

#include <arch/x86/cpu.h>
#include <stdint.h>

#define RWLOCK_WRITER  (1u << 31)
#define RWLOCK_WAITING (1u << 30)

struct rwlock {
	uint32_t state;
};

#define RWLOCK_INIT \
	{           \
		0   \
	}

static inline void rw_read_lock(struct rwlock *l)
{
	for (;;) {
		uint32_t v = __atomic_load_n(&l->state, __ATOMIC_RELAXED);

		if (!(v & (RWLOCK_WRITER | RWLOCK_WAITING)) &&
		    __atomic_compare_exchange_n(&l->state, &v, v + 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		cpu_relax();
	}
}

static inline void rw_read_unlock(struct rwlock *l)
{
	__atomic_fetch_sub(&l->state, 1, __ATOMIC_RELEASE);
}

static inline void rw_write_lock(struct rwlock *l)
{
	for (;;) {
		uint32_t v = __atomic_load_n(&l->state, __ATOMIC_RELAXED);

		/* Free apart from (possibly our own) waiting bit: take it, clearing the bit. */
		if ((v & ~RWLOCK_WAITING) == 0 &&
		    __atomic_compare_exchange_n(&l->state, &v, RWLOCK_WRITER, true,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		/* Another writer may have cleared the bit when it won: announce ourselves again. */
		if (!(v & RWLOCK_WAITING))
			__atomic_fetch_or(&l->state, RWLOCK_WAITING, __ATOMIC_RELAXED);
		cpu_relax();
	}
}

static inline void rw_write_unlock(struct rwlock *l)
{
	/* Keeps a waiting bit set by another writer, so readers keep deferring to it. */
	__atomic_fetch_and(&l->state, ~RWLOCK_WRITER, __ATOMIC_RELEASE);
}

#endif
