/* SPDX-License-Identifier: Apache-2.0 */
/* System register access and barriers, for the hypervisor and the host program. */
#ifndef PVM_EL2_SYSREG_H
#define PVM_EL2_SYSREG_H

#include <stdint.h>

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                                       \
		__v;                                                                               \
	})
#define write_sysreg(v, r) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)))
#define isb()		   __asm__ volatile("isb" : : : "memory")
#define dsb(opt)	   __asm__ volatile("dsb " #opt : : : "memory")

#endif /* PVM_EL2_SYSREG_H */
