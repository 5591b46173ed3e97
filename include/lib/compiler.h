/* SPDX-License-Identifier: MIT */
/*
 * Compiler helpers shared by every Copra build (kernel, loader, host tools and tests).
 */
#ifndef LIB_COMPILER_H
#define LIB_COMPILER_H

#define __packed	     __attribute__((packed))
#define __aligned(x)	     __attribute__((aligned(x)))
#define __noreturn	     __attribute__((noreturn))
#define __unused	     __attribute__((unused))
#define __used		     __attribute__((used))
#define __section(s)	     __attribute__((section(s)))
#define __printf(a, b)	     __attribute__((format(printf, a, b)))
#define __must_check	     __attribute__((warn_unused_result))
#define __no_stack_protector __attribute__((no_stack_protector))

#define likely(x)	     __builtin_expect(!!(x), 1)
#define unlikely(x)	     __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a)	     (sizeof(a) / sizeof((a)[0]))

/* Round up/down to a power-of-two alignment; the caller guarantees no overflow. */
#define ALIGN_DOWN(x, a)		((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)			ALIGN_DOWN((x) + ((__typeof__(x))(a)-1), (a))
#define IS_ALIGNED(x, a)		(((x) & ((__typeof__(x))(a)-1)) == 0)

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define READ_ONCE(x)			(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)		(*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()			__asm__ __volatile__("" ::: "memory")

#endif
