/* SPDX-License-Identifier: MIT */
/*
 * <stdlib.h> for freestanding builds of mbedTLS (mk/mbedtls.mk). cipher.c and rsa.c include
 * it but, with MBEDTLS_PLATFORM_MEMORY, use nothing from it: allocation goes through
 * mbedtls_calloc/mbedtls_free (copra_mbedtls_config.h). So it declares nothing beyond what
 * <stddef.h> gives; calloc, free, abort, exit and friends are deliberately absent.
 */
#ifndef COPRA_MBEDTLS_SHIM_STDLIB_H
#define COPRA_MBEDTLS_SHIM_STDLIB_H

#include <stddef.h>

#endif
