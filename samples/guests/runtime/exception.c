/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime.h"

#include "uart.h"

#define PSTATE_I (1ul << 7)

volatile unsigned long exception_count;
volatile unsigned long secondary_entry_vbar[RUNTIME_MAX_CPUS];

/*
 * The default for guests that never unmask interrupts: say so, and return
 * with IRQs masked (in SPSR_EL1) rather than take the same interrupt
 * forever.
 */
__attribute__((weak)) void irq_handle(void)
{
	unsigned long spsr;

	uart_puts("guest: interrupt with no handler\n");
	asm volatile("mrs %0, spsr_el1" : "=r"(spsr));
	asm volatile("msr spsr_el1, %0" : : "r"(spsr | PSTATE_I));
}

void exception_handle(unsigned long vector)
{
	unsigned long esr, far, elr;

	/*
	 * An IRQ (vectors 1, 5, 9, 13) is not an instruction's fault: ELR_EL1 is
	 * the next instruction to run, which the ERET resumes unchanged.
	 */
	if ((vector & 3) == 1) {
		irq_handle();
		return;
	}

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
	 * the guests provoke aborts on purpose and go on.
	 */
	asm volatile("msr elr_el1, %0" : : "r"(elr + 4));
}
