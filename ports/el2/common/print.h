/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small printf for the console, shared by the hypervisor and the host
 * program: %s %c %d %i %u %x %p with the l/ll/z length modifiers, a field
 * width, '0' padding and '-'. Nothing else: no floating point, no libc.
 */
#ifndef PVM_EL2_PRINT_H
#define PVM_EL2_PRINT_H

#include <stdarg.h>

/* Print to the PL011 console (pl011.h). */
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list. */
void vprint(const char *fmt, va_list ap);
/* Hold the console across several prints (one line); recursive for the holder. */
void print_lock(void);
void print_unlock(void);

#endif /* PVM_EL2_PRINT_H */
