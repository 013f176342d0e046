/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offsets in struct pvm_vcpu_regs (libpvm/vcpu.h) that the assembly half of
 * the world switch (world.S) uses; world.c checks them against the C layout.
 */
#ifndef PVM_EL2_WORLD_H
#define PVM_EL2_WORLD_H

#define WORLD_X0     0	 /* x[0..30] */
#define WORLD_SP_EL0 248 /* sp_el0 */
#define WORLD_PC     256 /* pc, then pstate at +8 */

/* Callee-saved registers of the hypervisor and the regs pointer, pushed around a guest run. */
#define WORLD_HYP_FRAME 112
#define WORLD_HYP_REGS	96 /* where in that frame regs is */

#endif /* PVM_EL2_WORLD_H */
