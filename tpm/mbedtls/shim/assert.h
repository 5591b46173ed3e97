/* SPDX-License-Identifier: MIT */
/*
 * <assert.h> for freestanding builds of mbedTLS (mk/mbedtls.mk). library/common.h includes it
 * for static_assert, which the enabled modules never use, and MBEDTLS_CHECK_PARAMS (the only
 * user of assert()) is off. So it defines nothing: a future use of assert() fails to compile
 * instead of silently doing nothing.
 */
#ifndef COPRA_MBEDTLS_SHIM_ASSERT_H
#define COPRA_MBEDTLS_SHIM_ASSERT_H

#endif
