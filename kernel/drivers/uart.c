/* SPDX-License-Identifier: MIT */
#include <arch/x86/cpu.h>
#include <copra/uart.h>

#define COM1	      0x3f8
#define UART_THR      0
#define UART_IER      1
#define UART_DLL      0
#define UART_DLM      1
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define LSR_THR_EMPTY 0x20
#define LCR_DLAB      0x80
#define LCR_8N1	      0x03

/* 115200 8N1, FIFOs on, no interrupts. */
void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);
	outb(COM1 + UART_MCR, 0x03);
}

#define UART_FIFO 16

/* Bytes the transmit FIFO can still take; callers serialise (console lock, or one CPU). */
static unsigned int fifo_room;

static void uart_putc(char c)
{
	/*
	 * An empty THR means an empty 16-byte FIFO: poll once per 16 bytes, not per byte (each
	 * port access is a VM exit). Bounded: a missing UART reads 0xff (empty), and a stuck one
	 * must not hang a panic.
	 */
	if (fifo_room == 0) {
		for (unsigned int i = 0; i < 100000; i++) {
			if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
				break;
			cpu_relax();
		}
		fifo_room = UART_FIFO;
	}
	outb(COM1 + UART_THR, (uint8_t)c);
	fifo_room--;
}

void uart_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
