/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file runtime.h
 * @brief The sample guest runtime: what `start.S` calls and provides.
 *
 * The guests run at EL1 with the MMU off (VA = IPA, every data access
 * Device-nGnRnE): code built for them uses no FP/SIMD registers and no
 * unaligned accesses, and avoids exclusives and atomics (which Device memory
 * need not support). There is no C library: GCC may still emit calls to
 * `memcpy`/`memset` for large aggregate copies, which then fail to link;
 * copy with loops instead.
 *
 * Boot: vCPU 0 enters `_start` with x0 = the IPA of the device tree; the
 * runtime masks interrupts, selects SP_EL1, takes the first of
 * ::RUNTIME_MAX_CPUS stacks, zeroes `.bss`, installs the exception vectors,
 * calls main() and then PSCI SYSTEM_OFF. A secondary vCPU started by PSCI
 * CPU_ON at `_start_secondary` with context id `n` (1 <= n <
 * ::RUNTIME_MAX_CPUS) takes stack `n`, installs the vectors, calls
 * secondary_main(n) and then PSCI CPU_OFF; with any other context id it
 * calls CPU_OFF at once.
 *
 * Every synchronous exception or SError vector prints
 * `guest: exception <n> esr=<hex> far=<hex> elr=<hex>` (n the vector index,
 * 0..15, in decimal; 4 is a synchronous exception from EL1 itself), then
 * resumes at ELR_EL1 + 4: an abort injected for a bad access skips the
 * access. The IRQ vectors call irq_handle() and resume where the interrupt
 * came (ELR_EL1 unchanged). Interrupts stay masked unless a guest unmasks
 * them itself (the `irq` guest, which defines irq_handle()).
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

/** How many vCPUs the runtime has stacks for (context ids 0..3). */
#define RUNTIME_MAX_CPUS 4

/**
 * @brief The guest's program, run on vCPU 0. Each guest defines it.
 * @param dtb IPA of the flattened device tree the VMM passed in x0.
 * @return Ignored: the runtime calls PSCI SYSTEM_OFF when it returns.
 */
int main(unsigned long dtb);

/**
 * @brief What a secondary vCPU runs. The runtime's weak default returns at
 *        once; a guest that starts secondaries defines its own.
 * @param cpu The context id given to PSCI CPU_ON (1..3).
 */
void secondary_main(unsigned long cpu);

/**
 * @brief The C half of every exception vector (called by `start.S`).
 * @param vector Index of the vector taken, 0..15.
 */
void exception_handle(unsigned long vector);

/**
 * @brief What an IRQ runs (vectors 1, 5, 9, 13), with IRQs masked. A guest
 *        that unmasks them defines it: it acknowledges the interrupt
 *        (ICC_IAR1_EL1), handles it and ends it (ICC_EOIR1_EL1). The
 *        runtime's weak default prints `guest: interrupt with no handler`
 *        and returns with IRQs masked.
 */
void irq_handle(void);

/** How many exceptions this VM has taken, on any vCPU. */
extern volatile unsigned long exception_count;

/**
 * VBAR_EL1 as each secondary vCPU found it when it entered
 * `_start_secondary`, before the runtime installed its vectors, by context
 * id. A vCPU started by CPU_ON is in its reset state, so this is 0 every
 * time, even when the vCPU ran (and set it) before it switched off.
 */
extern volatile unsigned long secondary_entry_vbar[RUNTIME_MAX_CPUS];

/** Entry point of secondary vCPUs, for PSCI CPU_ON (x2). */
extern const char _start_secondary[];

#endif /* GUEST_RUNTIME_H */
