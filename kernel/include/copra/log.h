/* SPDX-License-Identifier: MIT */
/*
 * Console log with levels. The level comes from the build (COPRA_LOGLEVEL) and can be
 * overridden at boot with `loglevel=error|warn|info|debug` on the fw_cfg command line.
 * Lines from different CPUs never interleave.
 */
#ifndef COPRA_LOG_H
#define COPRA_LOG_H

#include <lib/compiler.h>
#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

#ifndef COPRA_LOGLEVEL
#define COPRA_LOGLEVEL LOG_INFO
#endif

void log_init(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_parse_level(const char *s, enum log_level *out);
void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level level, const char *fmt, va_list ap) __printf(2, 0);
/* Used by panic: stop honouring the console lock (its holder may never release it). */
void log_enter_panic(void);

#define pr_err(...)   log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
