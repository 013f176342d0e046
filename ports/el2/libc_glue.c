/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What Debian's arm64 libfdt.a expects from glibc and picolibc does not
 * provide: the stack protector's guard and failure handler (libfdt is built
 * with -fstack-protector-strong). Everything else it calls (mem*, str*,
 * strtoul) comes from picolibc's libc.a.
 */
#include <stdint.h>

#include "el2.h"

/* Set from the counter at boot (main.c) before libfdt first runs. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ull;

void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	el2_panic("stack protector: a stack buffer overflow in a libfdt function");
}
