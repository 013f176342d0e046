/* SPDX-License-Identifier: Apache-2.0 */
#include "hvc.h"

void host_hvc(uint64_t x[8])
{
	register uint64_t r0 __asm__("x0") = x[0];
	register uint64_t r1 __asm__("x1") = x[1];
	register uint64_t r2 __asm__("x2") = x[2];
	register uint64_t r3 __asm__("x3") = x[3];
	register uint64_t r4 __asm__("x4") = x[4];
	register uint64_t r5 __asm__("x5") = x[5];
	register uint64_t r6 __asm__("x6") = x[6];
	register uint64_t r7 __asm__("x7") = x[7];

	__asm__ volatile("hvc #0"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
			   "+r"(r7)
			 :
			 : "memory");
	x[0] = r0;
	x[1] = r1;
	x[2] = r2;
	x[3] = r3;
	x[4] = r4;
	x[5] = r5;
	x[6] = r6;
	x[7] = r7;
}

int64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
	    uint64_t a6, uint64_t *x1_out)
{
	uint64_t x[8] = {fn, a1, a2, a3, a4, a5, a6, 0};

	host_hvc(x);
	if (x1_out)
		*x1_out = x[1];
	return (int64_t)x[0];
}

int64_t host_psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t r0 __asm__("x0") = fn;
	register uint64_t r1 __asm__("x1") = a1;
	register uint64_t r2 __asm__("x2") = a2;
	register uint64_t r3 __asm__("x3") = a3;

	/* SMC #0: HCR_EL2.TSC traps it to the hypervisor (EC 0x17), which answers. */
	__asm__ volatile("smc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory");
	return (int64_t)r0;
}
