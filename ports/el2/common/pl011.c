/* SPDX-License-Identifier: Apache-2.0 */
#include "pl011.h"

#define UARTDR	    0x00
#define UARTFR	    0x18
#define UARTFR_TXFF (1u << 5) /* transmit FIFO full */

static volatile uint32_t *uart;

void pl011_init(uintptr_t base)
{
	uart = (volatile uint32_t *)base;
}

static void tx(char c)
{
	while (uart[UARTFR / 4] & UARTFR_TXFF)
		;
	uart[UARTDR / 4] = (uint32_t)(unsigned char)c;
}

void pl011_putc(char c)
{
	/* Before the device tree named the UART there is no console at all. */
	if (!uart)
		return;
	if (c == '\n')
		tx('\r');
	tx(c);
}
