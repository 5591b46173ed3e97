/* SPDX-License-Identifier: MIT */
/*
 * Distinct address types: a physical address, a kernel virtual address and a guest-physical
 * address are different things, so mixing them up is a compile error (after Hafnium's addr.h).
 */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t pa;
} paddr_t;

typedef struct {
	uint64_t va;
} vaddr_t;

typedef struct {
	uint64_t gpa;
} gpa_t;

static inline paddr_t pa_init(uint64_t x)
{
	return (paddr_t){x};
}

static inline uint64_t pa_addr(paddr_t p)
{
	return p.pa;
}

static inline vaddr_t va_init(uint64_t x)
{
	return (vaddr_t){x};
}

static inline uint64_t va_addr(vaddr_t v)
{
	return v.va;
}

static inline void *va_ptr(vaddr_t v)
{
	return (void *)(uintptr_t)v.va;
}

static inline vaddr_t va_from_ptr(const void *p)
{
	return (vaddr_t){(uint64_t)(uintptr_t)p};
}

static inline gpa_t gpa_init(uint64_t x)
{
	return (gpa_t){x};
}

static inline uint64_t gpa_addr(gpa_t g)
{
	return g.gpa;
}

#endif
