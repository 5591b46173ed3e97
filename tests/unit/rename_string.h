/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests only: maps the standard string names onto lib_<name> so lib/string.c can be
 * linked next to the host libc and compared against it. Forced into the host build of
 * lib/string.c with -include (tests/module.mk); tests/unit/unrename_string.h undoes it.
 */
#ifndef UNIT_RENAME_STRING_H
#define UNIT_RENAME_STRING_H

#define memcpy	lib_memcpy
#define memmove lib_memmove
#define memset	lib_memset
#define memcmp	lib_memcmp
#define memchr	lib_memchr
#define strlen	lib_strlen
#define strnlen lib_strnlen
#define strcmp	lib_strcmp
#define strncmp lib_strncmp
#define strchr	lib_strchr

#endif
