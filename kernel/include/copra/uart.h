/* SPDX-License-Identifier: MIT */
/* 16550 UART on COM1, polled; used by the loader and the kernel console. */
#ifndef COPRA_UART_H
#define COPRA_UART_H

#include <stddef.h>

void uart_init(void);
void uart_write(const char *s, size_t len);

#endif
