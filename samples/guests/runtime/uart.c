/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console. UARTFR.TXFF is not polled: the UART is emulated by the VMM,
 * which takes each byte synchronously on the MMIO exit and never reports a
 * full FIFO (nor does QEMU's PL011), so each byte is one MMIO exit and no
 * more, which keeps the exit sequence the tests compare short.
 */
#include "uart.h"

#include "mmio.h"
#include "pvm_layout.h"

void uart_putc(char c)
{
	mmio_write32(PVM_LAYOUT_UART_BASE + PVM_LAYOUT_UART_DR, (unsigned char)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_puthex(unsigned long v)
{
	int shift = 60;

	uart_puts("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void uart_putdec(long v)
{
	/* Negate as unsigned: -LONG_MIN does not fit in a long. */
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	char digits[20];
	int n = 0;

	if (v < 0)
		uart_putc('-');
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		uart_putc(digits[--n]);
}
