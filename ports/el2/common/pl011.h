/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PL011 UART, transmit only: the console of the hypervisor and of the
 * host program. Polled, no interrupts, no FIFO setup beyond what firmware
 * (or QEMU) left: only UARTDR and UARTFR are touched.
 */
#ifndef PVM_EL2_PL011_H
#define PVM_EL2_PL011_H

#include <stdint.h>

/* Use the PL011 at @base (0: drop everything printed until a real one is set). */
void pl011_init(uintptr_t base);
/* Write one character; "\n" goes out as "\r\n". */
void pl011_putc(char c);

#endif /* PVM_EL2_PL011_H */
