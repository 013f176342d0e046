/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file uart.h
 * @brief Console output of the sample guests: the PL011 at
 *        ::PVM_LAYOUT_UART_BASE, written one byte per 32-bit store to UARTDR.
 *
 * No line discipline: `\n` goes out as it is. Nothing here is locked; a line
 * is written by consecutive stores, so two vCPUs printing at once may
 * interleave. Callers that must print from several vCPUs arrange not to.
 */
#ifndef GUEST_UART_H
#define GUEST_UART_H

/**
 * @brief Write one byte.
 * @param c The byte.
 */
void uart_putc(char c);

/**
 * @brief Write a NUL-terminated string, one uart_putc() per byte.
 * @param s The string.
 */
void uart_puts(const char *s);

/**
 * @brief Write a value in hexadecimal: `0x` and the digits, without leading
 *        zeros (`0x0` for zero).
 * @param v The value.
 */
void uart_puthex(unsigned long v);

/**
 * @brief Write a signed value in decimal (`-3`, `0`, `4096`).
 * @param v The value.
 */
void uart_putdec(long v);

#endif /* GUEST_UART_H */
