/* SPDX-License-Identifier: MIT */
/* The boot command line (fw_cfg opt/copra/cmdline): space-separated key or key=value words. */
#ifndef COPRA_CMDLINE_H
#define COPRA_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

void cmdline_init(const char *s);
/* Copies the value of `key` into buf (NUL-terminated); false when the key is absent. */
bool cmdline_get(const char *key, char *buf, size_t len);
bool cmdline_has(const char *key);

#endif
