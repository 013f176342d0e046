/* SPDX-License-Identifier: Apache-2.0 */
#include "hvc.h"

#include <libpvm/abi.h>

const uint32_t psci_cpu_off_id = PSCI_CPU_OFF;

struct smccc_res smccc_hvc(uint32_t fn, unsigned long a1, unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5)
{
	register unsigned long x0 asm("x0") = fn;
	register unsigned long x1 asm("x1") = a1;
	register unsigned long x2 asm("x2") = a2;
	register unsigned long x3 asm("x3") = a3;
	register unsigned long x4 asm("x4") = a4;
	register unsigned long x5 asm("x5") = a5;

	/*
	 * SMCCC 1.1: results in x0..x3, x4..x17 preserved, so x4 and x5 are
	 * inputs only and there is no register clobber. "memory": the call
	 * may make the host read or lose access to guest memory (MEM_SHARE,
	 * MEM_UNSHARE) or start a vCPU that reads it (CPU_ON), so every store
	 * before it must be emitted before it.
	 */
	asm volatile("hvc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     : "r"(x4), "r"(x5)
		     : "memory");
	return (struct smccc_res){x0, x1, x2, x3};
}

static __attribute__((noreturn)) void wait_forever(void)
{
	for (;;)
		asm volatile("wfi");
}

void psci_cpu_off(void)
{
	asm volatile("dsb sy" : : : "memory");
	smccc_hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
	wait_forever();
}

void psci_system_off(void)
{
	asm volatile("dsb sy" : : : "memory");
	smccc_hvc(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0);
	wait_forever();
}
