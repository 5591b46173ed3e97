/* SPDX-License-Identifier: MIT */
/*
 * <string.h> for freestanding builds of mbedTLS (mk/mbedtls.mk; hosted ones use libc's). It
 * declares exactly the functions the enabled mbedTLS modules call, which the kernel provides
 * (lib/string.c) and `make mbedtls-freestanding-check` allows:
 *   memcpy, memmove, memset, memcmp  everywhere (contexts, buffers, constant-time helpers)
 *   strlen                           bignum.c (mbedtls_mpi_read_string)
 *   strcmp                           lookups by name in md.c, cipher.c and ecp.c
 * Anything else an mbedTLS update starts to use fails to compile here instead of linking to
 * something the kernel lacks.
 */
#ifndef COPRA_MBEDTLS_SHIM_STRING_H
#define COPRA_MBEDTLS_SHIM_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
