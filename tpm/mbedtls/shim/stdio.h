/* SPDX-License-Identifier: MIT */
/*
 * <stdio.h> for freestanding builds of mbedTLS (mk/mbedtls.mk). oid.c includes it
 * unconditionally; its one use, mbedtls_snprintf, goes through the platform layer
 * (MBEDTLS_PLATFORM_SNPRINTF_ALT in copra_mbedtls_config.h). Nothing is declared: no FILE, no
 * printf family.
 */
#ifndef COPRA_MBEDTLS_SHIM_STDIO_H
#define COPRA_MBEDTLS_SHIM_STDIO_H

#include <stddef.h>

#endif
