/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests only: undoes tests/unit/rename_string.h after <lib/string.h> has declared the
 * lib_<name> functions, so the standard names refer to the host libc again.
 */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
