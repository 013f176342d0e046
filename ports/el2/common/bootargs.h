/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot arguments (/chosen/bootargs, QEMU's -append): words of the form
 * KEY=VALUE, read by the hypervisor (the device secret, the test, the
 * challenge) and by the host program (the challenge), which has no libc.
 */
#ifndef PVM_EL2_BOOTARGS_H
#define PVM_EL2_BOOTARGS_H

#include <stddef.h>
#include <stdint.h>

/* The value of the word of args that starts with key ("name="); NULL if there is none. */
char *bootarg(const char *args, const char *key);

/*
 * The hex digits at value as bytes into out, their number returned: 0
 * unless they are 1 to max whole bytes that end the word (a space or the
 * end of args follows).
 */
size_t bootarg_hex(const char *value, uint8_t *out, size_t max);

#endif /* PVM_EL2_BOOTARGS_H */
