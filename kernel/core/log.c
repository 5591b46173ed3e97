/* SPDX-License-Identifier: MIT */
#include <copra/log.h>
#include <copra/spinlock.h>
#include <copra/uart.h>
#include <lib/printf.h>
#include <lib/string.h>

static struct spinlock console_lock = SPINLOCK_INIT;
static enum log_level current_level = COPRA_LOGLEVEL;
static volatile int panic_mode;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_init(void)
{
	uart_init();
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_parse_level(const char *s, enum log_level *out)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 1;
		}
	}
	return 0;
}

void log_enter_panic(void)
{
	panic_mode = 1;
}

void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	char buf[192];
	int n = 0;
	uint64_t flags = 0;
	bool locked = false;

	if (level > current_level)
		return;
	n = lib_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	flags = read_rflags();
	irq_disable();
	if (!panic_mode) {
		spin_lock(&console_lock);
		locked = true;
	}
	uart_write(buf, (size_t)n);
	if (locked)
		spin_unlock(&console_lock);
	if (flags & RFLAGS_IF)
		irq_enable();
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}
