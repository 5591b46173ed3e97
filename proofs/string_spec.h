/* SPDX-License-Identifier: MIT */
/*
 * Force-included (after prelude.h) in proof units that call memcpy (tpm/marshal.c). WP cannot
 * look into lib/string.c's byte loop from another unit, so memcpy is declared here with the
 * contract ISO C gives it: dst and src valid for n bytes and not overlapping; exactly
 * dst[0 .. n) is written, with src's bytes; the result is dst. include/lib/string.h declares
 * the same prototype without a contract, and Frama-C merges the two. This contract is an
 * assumption of every unit that includes this file (lib/string.c is tested against the host
 * libc by tests/unit, not proved).
 */
#ifndef PROOFS_STRING_SPEC_H
#define PROOFS_STRING_SPEC_H

#include <stddef.h>

/*@ requires \valid((unsigned char *)dst + (0 .. n - 1));
    requires \valid_read((const unsigned char *)src + (0 .. n - 1));
    requires \separated((unsigned char *)dst + (0 .. n - 1),
                        (const unsigned char *)src + (0 .. n - 1));
    assigns ((unsigned char *)dst)[0 .. n - 1] \from ((const unsigned char *)src)[0 .. n - 1];
    assigns \result \from dst;
    ensures \forall integer i; 0 <= i < n ==>
              ((unsigned char *)dst)[i] == \old(((const unsigned char *)src)[i]);
    ensures \result == dst;
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

#endif
