/* SPDX-License-Identifier: MIT */
/*
 * Force-included (cpp -include) before every proof unit. Frama-C 25 does not know GCC's
 * type-generic overflow builtins, so they are declared here with the meaning GCC documents,
 * specialised to the one type Copra passes them (uint64_t and size_t are both unsigned long on
 * x86_64): the result is the operation modulo 2^64 and the return value says whether the
 * mathematical result did not fit. This contract is an assumption of every proof.
 */
#ifndef PROOFS_PRELUDE_H
#define PROOFS_PRELUDE_H

/*@ requires \valid(res);
    assigns *res \from a, b;
    ensures *res == (unsigned long)(a + b);
    ensures \result <==> a + b > 18446744073709551615;
 */
_Bool __builtin_add_overflow(unsigned long a, unsigned long b, unsigned long *res);

/*@ requires \valid(res);
    assigns *res \from a, b;
    ensures *res == (unsigned long)(a - b);
    ensures \result <==> a < b;
 */
_Bool __builtin_sub_overflow(unsigned long a, unsigned long b, unsigned long *res);

/*@ requires \valid(res);
    assigns *res \from a, b;
    ensures *res == (unsigned long)(a * b);
    ensures \result <==> a * b > 18446744073709551615;
 */
_Bool __builtin_mul_overflow(unsigned long a, unsigned long b, unsigned long *res);

#endif
