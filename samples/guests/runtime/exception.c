/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime.h"

#include "uart.h"

volatile unsigned long exception_count;
volatile unsigned long secondary_entry_vbar[RUNTIME_MAX_CPUS];

void exception_handle(unsigned long vector)
{
	unsigned long esr, far, elr;

	asm volatile("mrs %0, esr_el1" : "=r"(esr));
	asm volatile("mrs %0, far_el1" : "=r"(far));
	asm volatile("mrs %0, elr_el1" : "=r"(elr));
	exception_count++;

	uart_puts("guest: exception ");
	uart_putdec((long)vector);
	uart_puts(" esr=");
	uart_puthex(esr);
	uart_puts(" far=");
	uart_puthex(far);
	uart_puts(" elr=");
	uart_puthex(elr);
	uart_putc('\n');

	/*
	 * Skip the instruction that faulted (A64 instructions are 4 bytes):
	 * the guests provoke aborts on purpose and go on. This would be wrong
	 * for an interrupt, whose ELR is the next instruction to run, but
	 * interrupts are never unmasked.
	 */
	asm volatile("msr elr_el1, %0" : : "r"(elr + 4));
}
