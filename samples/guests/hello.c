/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hello: the smallest guest. Two lines on the UART, then SYSTEM_OFF (from
 * the runtime, when main() returns).
 */
#include "runtime.h"
#include "uart.h"

int main(unsigned long dtb)
{
	(void)dtb;
	uart_puts("hello: hello from a protected guest\n");
	uart_puts("hello: done\n");
	return 0;
}
