/* SPDX-License-Identifier: MIT */
/*
 * The C library's <limits.h> for freestanding code that includes mbedTLS (the kern library and
 * kernel callers; check_config.h and bignum.c include <limits.h>). gcc's own limits.h defines
 * every standard limit but first chains to the C library's (#include_next from syslimits.h),
 * which -nostdinc leaves nowhere to be found. This file is what it finds instead, through
 * -idirafter (MBEDTLS_CFLAGS): there is nothing to add, so it defines nothing. Hosted builds
 * find libc's limits.h first and never see it.
 */
#ifndef COPRA_MBEDTLS_SHIM_LIMITS_H
#define COPRA_MBEDTLS_SHIM_LIMITS_H

#ifndef _GCC_NEXT_LIMITS_H
#error "shim limits.h reached directly: gcc's include directory must come before the shims"
#endif

#endif
