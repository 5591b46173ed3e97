/* SPDX-License-Identifier: MIT */
/*
 * lib_vsnprintf / lib_snprintf (include/lib/printf.h).
 *
 * Output goes through struct out, which counts every byte the full result would have and
 * stores only those that fit before the terminator, so truncation needs no special cases.
 * Stack use is one 24-byte digit buffer; nothing here touches floating point.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lib/printf.h>

enum {
	F_LEFT = 1u << 0,  /* '-' */
	F_ZERO = 1u << 1,  /* '0' */
	F_PLUS = 1u << 2,  /* '+' */
	F_SPACE = 1u << 3, /* ' ' */
	F_ALT = 1u << 4,   /* '#' */
};

enum len_mod {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_T,
	LEN_J,
};

struct out {
	char *buf;
	size_t size;
	size_t len; /* length of the complete output so far, stored or not */
};

struct spec {
	unsigned int flags;
	int width; /* >= 0 */
	int prec;  /* < 0 when absent */
	enum len_mod len;
	char conv;
};

/* <limits.h> is not available to the freestanding build. */
#define INT_MAX __INT_MAX__
#define INT_MIN (-__INT_MAX__ - 1)

/* 64-bit octal needs 22 digits. */
#define DIGITS_MAX 24

_Static_assert(sizeof(size_t) == sizeof(long), "%z fetches size_t's signed twin as long");
_Static_assert(sizeof(intmax_t) == sizeof(uint64_t), "integers are formatted as 64-bit");

/* Counts c and stores it only if it fits before the byte reserved for the terminator. */
static void out_char(struct out *o, char c)
{
	if (o->size > 0 && o->len < o->size - 1)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, long n)
{
	for (; n > 0; n--)
		out_char(o, c);
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses a decimal number at *fmt, saturating at INT_MAX instead of overflowing. */
static int parse_num(const char **fmt)
{
	int v = 0;

	while (is_digit(**fmt)) {
		int d = **fmt - '0';

		if (v > (INT_MAX - d) / 10)
			v = INT_MAX;
		else
			v = v * 10 + d;
		(*fmt)++;
	}
	return v;
}

/* Consumes any run of flag characters, in any order and repetition (C11 7.21.6.1p6). */
static void parse_flags(const char **fmt, struct spec *sp)
{
	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-':
			sp->flags |= F_LEFT;
			break;
		case '0':
			sp->flags |= F_ZERO;
			break;
		case '+':
			sp->flags |= F_PLUS;
			break;
		case ' ':
			sp->flags |= F_SPACE;
			break;
		case '#':
			sp->flags |= F_ALT;
			break;
		default:
			return;
		}
	}
}

/* A negative '*' width means '-' plus its magnitude (C11 7.21.6.1p5). */
static void parse_width(const char **fmt, struct spec *sp, va_list *ap)
{
	if (**fmt != '*') {
		sp->width = parse_num(fmt);
		return;
	}
	(*fmt)++;
	int w = va_arg(*ap, int);
	if (w < 0) {
		sp->flags |= F_LEFT;
		w = w == INT_MIN ? INT_MAX : -w;
	}
	sp->width = w;
}

/* A bare '.' means precision 0; a negative '*' precision means none (C11 7.21.6.1p5). */
static void parse_prec(const char **fmt, struct spec *sp, va_list *ap)
{
	sp->prec = -1;
	if (**fmt != '.')
		return;
	(*fmt)++;
	if (**fmt != '*') {
		sp->prec = parse_num(fmt);
		return;
	}
	(*fmt)++;
	int p = va_arg(*ap, int);
	sp->prec = p < 0 ? -1 : p;
}

/* Consumes a length modifier if there is one; "L", "q" and others are left for the conversion. */
static enum len_mod parse_len(const char **fmt)
{
	char c = **fmt;

	switch (c) {
	case 'h':
	case 'l':
		(*fmt)++;
		if (**fmt != c)
			return c == 'h' ? LEN_H : LEN_L;
		(*fmt)++;
		return c == 'h' ? LEN_HH : LEN_LL;
	case 'z':
		(*fmt)++;
		return LEN_Z;
	case 't':
		(*fmt)++;
		return LEN_T;
	case 'j':
		(*fmt)++;
		return LEN_J;
	default:
		return LEN_NONE;
	}
}

/*
 * Parses everything after '%' up to and including the conversion character, consuming the
 * int arguments of '*'. On return *fmt points past the conversion, or at the terminator when
 * the format ended inside the specification (sp->conv is then '\0').
 */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){0};
	parse_flags(fmt, sp);
	parse_width(fmt, sp, ap);
	parse_prec(fmt, sp, ap);
	sp->len = parse_len(fmt);
	sp->conv = **fmt;
	if (sp->conv != '\0')
		(*fmt)++;
}

/* Fetches a signed integer argument; returns its magnitude (exact for INTMAX_MIN), sign in *neg. */
static uint64_t fetch_signed(va_list *ap, enum len_mod len, bool *neg)
{
	intmax_t v = 0;

	switch (len) {
	case LEN_HH:
		/* %hhd: C11 7.21.6.1 says the argument is converted to signed char. */
		// NOLINTNEXTLINE(bugprone-signed-char-misuse,cert-str34-c): that is the intent
		v = (signed char)va_arg(*ap, int);
		break;
	case LEN_H:
		v = (short)va_arg(*ap, int);
		break;
	case LEN_L:
		v = va_arg(*ap, long);
		break;
	case LEN_LL:
		v = va_arg(*ap, long long);
		break;
	case LEN_Z:
		v = va_arg(*ap, long);
		break;
	case LEN_T:
		v = va_arg(*ap, ptrdiff_t);
		break;
	case LEN_J:
		v = va_arg(*ap, intmax_t);
		break;
	default:
		v = va_arg(*ap, int);
		break;
	}
	*neg = v < 0;
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/* Fetches an unsigned integer argument; hh and h truncate the promoted int (C11 7.21.6.1p7). */
static uint64_t fetch_unsigned(va_list *ap, enum len_mod len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (uint64_t)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Writes the digits of v right-aligned into buf[DIGITS_MAX]; returns how many. */
static int to_digits(char *buf, uint64_t v, unsigned int base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		buf[DIGITS_MAX - 1 - n] = set[v % base];
		v /= base;
		n++;
	} while (v != 0);
	return n;
}

static unsigned int conv_base(char conv)
{
	switch (conv) {
	case 'o':
		return 8;
	case 'x':
	case 'X':
	case 'p':
		return 16;
	default:
		return 10;
	}
}

/* Fills pre[] with the sign and/or radix prefix for an integer conversion; returns its length. */
static int int_prefix(char *pre, const struct spec *sp, uint64_t mag, bool neg)
{
	int n = 0;

	if (sp->conv == 'd' || sp->conv == 'i') {
		if (neg)
			pre[n++] = '-';
		else if (sp->flags & F_PLUS)
			pre[n++] = '+';
		else if (sp->flags & F_SPACE)
			pre[n++] = ' ';
	} else if (sp->conv == 'p' ||
		   ((sp->flags & F_ALT) && mag != 0 && sp->conv != 'o' && sp->conv != 'u')) {
		pre[n++] = '0';
		pre[n++] = sp->conv == 'X' ? 'X' : 'x';
	}
	return n;
}

/*
 * Emits one integer conversion (d i u o x X, and p as a 16-digit x) with C99 padding rules:
 * precision gives the minimum digit count and turns the '0' flag off; value 0 with precision 0
 * prints no digits, except that '#' with o always prints at least one leading 0.
 */
static void emit_int(struct out *o, const struct spec *sp, uint64_t mag, bool neg)
{
	char digits[DIGITS_MAX] = {0};
	char pre[2] = {0};
	unsigned int base = conv_base(sp->conv);
	int ndig = (mag == 0 && sp->prec == 0) ? 0 : to_digits(digits, mag, base, sp->conv == 'X');
	int npre = int_prefix(pre, sp, mag, neg);
	long zeros = sp->prec > ndig ? (long)sp->prec - ndig : 0;

	if (sp->conv == 'o' && (sp->flags & F_ALT) && zeros == 0 &&
	    (ndig == 0 || digits[DIGITS_MAX - ndig] != '0'))
		zeros = 1;
	if (sp->prec < 0 && (sp->flags & (F_ZERO | F_LEFT)) == F_ZERO &&
	    sp->width - npre - ndig > zeros)
		zeros = (long)sp->width - npre - ndig;

	long pad = (long)sp->width - npre - zeros - ndig;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, pre, (size_t)npre);
	out_repeat(o, '0', zeros);
	out_mem(o, digits + DIGITS_MAX - ndig, (size_t)ndig);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Emits n bytes of s padded with spaces to the width ('0' is ignored, as glibc does). */
static void emit_padded(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	long pad = (size_t)sp->width > n ? (long)((size_t)sp->width - n) : 0;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Emits %s: reads at most prec bytes of s, so s need not be terminated within them. */
static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t n = 0;

	if (s == NULL)
		s = "(null)";
	while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n] != '\0')
		n++;
	emit_padded(o, sp, s, n);
}

/* Emits one parsed conversion, fetching its argument; unknown ones are copied from start. */
static void emit_conv(struct out *o, struct spec *sp, const char *start, const char *end,
		      va_list *ap)
{
	bool neg = false;
	uint64_t mag = 0;
	char c = 0;

	switch (sp->conv) {
	case 'd':
	case 'i':
		mag = fetch_signed(ap, sp->len, &neg);
		emit_int(o, sp, mag, neg);
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		emit_int(o, sp, fetch_unsigned(ap, sp->len), false);
		break;
	case 'p':
		sp->prec = 16;
		sp->flags &= F_LEFT;
		emit_int(o, sp, (uintptr_t)va_arg(*ap, void *), false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_padded(o, sp, &c, 1);
		break;
	case 's':
		emit_str(o, sp, va_arg(*ap, const char *));
		break;
	case '%':
		out_char(o, '%');
		break;
	default:
		out_mem(o, start, (size_t)(end - start));
		break;
	}
}

/* See include/lib/printf.h for the contract. */
int lib_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {.buf = buf, .size = size, .len = 0};
	struct spec sp = {0};
	va_list aq;

	va_copy(aq, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		const char *start = fmt++;
		parse_spec(&fmt, &sp, &aq);
		emit_conv(&o, &sp, start, fmt, &aq);
	}
	va_end(aq);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}

int lib_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	n = lib_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
