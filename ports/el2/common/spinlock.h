/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test-and-set spin lock on a 32-bit word (0: free), for the hypervisor
 * (pvm_port_lock(), the console, mbedtls's allocator) and the host program
 * (its console and its shared state): load-acquire exclusive, store
 * exclusive. WFE sleeps until the holder's release (a store to the
 * monitored word clears the exclusive monitor and so wakes the waiter);
 * SEVL makes the first WFE fall through. The word must be in Normal
 * memory: the host's (MMU off) is, through HCR_EL2.DC.
 */
#ifndef PVM_EL2_SPINLOCK_H
#define PVM_EL2_SPINLOCK_H

#include <stdint.h>

static inline void spin_lock(uint32_t *word)
{
	uint32_t tmp, fail;

	__asm__ volatile("	sevl\n"
			 "1:	wfe\n"
			 "2:	ldaxr	%w0, %2\n"
			 "	cbnz	%w0, 1b\n"
			 "	stxr	%w1, %w3, %2\n"
			 "	cbnz	%w1, 2b\n"
			 : "=&r"(tmp), "=&r"(fail), "+Q"(*word)
			 : "r"(1u)
			 : "memory");
}

static inline void spin_unlock(uint32_t *word)
{
	__asm__ volatile("stlr wzr, %0" : "=Q"(*word) : : "memory");
}

#endif /* PVM_EL2_SPINLOCK_H */
