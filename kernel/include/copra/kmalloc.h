/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap (docs/memory.md). Allocation policy, decided upstream:
 *   - kmalloc / kzalloc / page_alloc are INFALLIBLE: running out of memory is a panic with a
 *     report (size, caller, free blocks per order). Use them for sizes Copra itself decides.
 *   - kmalloc_try / page_alloc_try are FALLIBLE (NULL / false): use them for large sizes and for
 *     every size that comes from outside (guest, host, disk, TPM client) — never let an
 *     outsider turn a request into a panic.
 * Objects up to 2048 bytes come from slab caches (naturally aligned to their size class),
 * through a per-CPU object cache; larger ones (up to 2 MiB) are whole buddy blocks. kfree
 * needs no size and may run on any CPU. Memory held by the per-CPU caches never makes an
 * allocation fail: every CPU's cache is drained and empty slabs are given back first.
 */
#ifndef COPRA_KMALLOC_H
#define COPRA_KMALLOC_H

#include <boot/boot_info.h>
#include <lib/types.h>
#include <stddef.h>

void heap_setup(const struct boot_info *bi);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kmalloc_try(size_t size);
void kfree(void *p);

/* 2^order contiguous zeroed pages (physical). */
paddr_t pages_alloc(unsigned int order);
bool pages_alloc_try(unsigned int order, paddr_t *out);
void pages_free(paddr_t pa, unsigned int order);

/* Gives every CPU's cached objects, and then empty slabs, back to the page allocator. */
void heap_reclaim_all(void);

/* Pages free in the page allocator (not counting what heap_reclaim_all would give back). */
uint64_t heap_free_pages_total(void);
void heap_log_stats(void);

#endif
