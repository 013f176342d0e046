/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file sim_vcpu.h
 * @brief Guest CPUs of the simulated machine: what pvm_port_vcpu_enter()
 *        resumes.
 *
 * Each vCPU of a VM (by VM handle and vCPU index) is backed by one of:
 *  - a **C-function guest**: a C function running on a stack of its own
 *    whose loads, stores, HVCs and WFIs are calls below. Each goes through
 *    the simulated MMU and TLB with the VM's stage-2 and, when it would
 *    trap on hardware, traps with exactly the syndrome hardware reports
 *    (ESR_EL2, FAR_EL2, HPFAR_EL2). Deterministic; for unit tests.
 *  - a **binary guest** run by the Unicorn AArch64 engine at EL1, its
 *    memory mirrored from the stage-2 tables; stage-2 misses become aborts
 *    with a syndrome decoded from the instruction, `HVC` an HVC64 trap.
 *
 * The simulated guest CPU has the MMU off (VA = IPA), so FAR_EL2 is the IPA.
 * A backend is attached before the vCPU first runs and stays until
 * pvm_sim_vcpu_detach() or pvm_sim_fini().
 */
#ifndef LIBPVM_SIM_VCPU_H
#define LIBPVM_SIM_VCPU_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A C-function guest's view of its CPU (opaque). */
struct pvm_sim_cpu;

/**
 * @brief Body of a C-function guest.
 * @param cpu Its CPU: pass it to every pvm_sim_cpu_*() call.
 * @param arg What pvm_sim_vcpu_attach_fn() was given.
 *
 * Returning from it stops the vCPU for good (the port reports
 * ::PVM_TRAP_HALT): a guest should end with PSCI CPU_OFF or SYSTEM_OFF.
 */
typedef void (*pvm_sim_guest_fn)(struct pvm_sim_cpu *cpu, void *arg);

/**
 * @brief Back a vCPU with a C-function guest.
 * @param vm    VM handle.
 * @param index vCPU index.
 * @param fn    The guest's body.
 * @param arg   Passed to @p fn.
 * @return ::PVM_OK; ::PVM_E_INVAL (fn NULL, handle or index out of range);
 *         ::PVM_E_EXISTS (already attached); ::PVM_E_NOMEM.
 */
pvm_status_t pvm_sim_vcpu_attach_fn(unsigned vm, unsigned index, pvm_sim_guest_fn fn, void *arg);

/**
 * @brief Back a vCPU with the Unicorn AArch64 engine (a binary guest).
 * @param vm    VM handle.
 * @param index vCPU index.
 * @return As pvm_sim_vcpu_attach_fn(); ::PVM_E_NOTSUP if Unicorn cannot
 *         create an AArch64 engine.
 *
 * The engine starts from the vCPU's registers (pvm_vcpu_boot() or PSCI
 * CPU_ON set them) and reads guest memory through the VM's stage-2.
 */
pvm_status_t pvm_sim_vcpu_attach_unicorn(unsigned vm, unsigned index);

/**
 * @brief Remove a vCPU's backend (it must not be running).
 * @param vm    VM handle.
 * @param index vCPU index.
 */
void pvm_sim_vcpu_detach(unsigned vm, unsigned index);

/**
 * @brief Ask a running vCPU to return to the host soon.
 * @param vm    VM handle.
 * @param index vCPU index.
 *
 * The vCPU stops at its next instruction boundary with a physical IRQ
 * (::PVM_TRAP_IRQ, so pvm_vcpu_run() returns ::PVM_EXIT_INTERRUPTED),
 * as an IPI would make it on hardware. Any thread may call it.
 */
void pvm_sim_vcpu_kick(unsigned vm, unsigned index);

/** @name Inside a C-function guest: its instructions */
/**@{*/

/**
 * @brief A load (`LDR{B,H,} W1/X1, [ipa]`).
 * @param cpu   The guest's CPU.
 * @param ipa   Address (MMU off: the IPA); @p size aligned.
 * @param size  1, 2, 4 or 8 bytes.
 * @param fault Out, optional: set when the access took an exception the
 *              hypervisor injected (the value is then 0).
 * @return The value loaded.
 *
 * Memory mapped by the stage-2 is read directly; otherwise the load traps
 * (a data abort with ISV, SRT = 1) and is completed by the hypervisor or
 * the VMM (MMIO), or retried after the VMM donates memory.
 */
uint64_t pvm_sim_cpu_read(struct pvm_sim_cpu *cpu, uint64_t ipa, unsigned size, bool *fault);

/**
 * @brief A store (`STR{B,H,} W1/X1, [ipa]`).
 * @param cpu   The guest's CPU.
 * @param ipa   Address; @p size aligned.
 * @param size  1, 2, 4 or 8 bytes.
 * @param value The data (its low @p size bytes).
 * @return true if it completed, false if the hypervisor injected an exception.
 */
bool pvm_sim_cpu_write(struct pvm_sim_cpu *cpu, uint64_t ipa, unsigned size, uint64_t value);

/**
 * @brief `HVC #0` with x0..x7 from @p x; x0..x3 of the result written back.
 * @param cpu The guest's CPU.
 * @param x   In: the call's x0..x7. Out: x0..x3 the results.
 */
void pvm_sim_cpu_hvc(struct pvm_sim_cpu *cpu, uint64_t x[8]);

/**
 * @brief `WFI`. Returns when the hypervisor resumes the vCPU.
 * @param cpu The guest's CPU.
 */
void pvm_sim_cpu_wfi(struct pvm_sim_cpu *cpu);

/**
 * @brief Unmask IRQs (clear PSTATE.I) and take a pending virtual interrupt.
 * @param cpu The guest's CPU.
 * @return The INTID of the interrupt taken (acknowledged), or -1 if none
 *         is pending.
 */
int pvm_sim_cpu_take_irq(struct pvm_sim_cpu *cpu);

/**
 * @brief Execute an instruction that traps to EL2 with a given syndrome
 *        (for table tests of trap handling).
 * @param cpu   The guest's CPU.
 * @param esr   ESR_EL2 the "hardware" reports.
 * @param far   FAR_EL2.
 * @param hpfar HPFAR_EL2.
 * @return Where the guest resumed: 0 at the next instruction (the
 *         hypervisor completed or skipped it), 1 at the same instruction
 *         (to be executed again), 2 at an exception vector (an exception
 *         was injected; the vector's handler returned past the instruction).
 *
 * The PC of the trapping instruction is the vCPU's current PC.
 */
int pvm_sim_cpu_trap(struct pvm_sim_cpu *cpu, uint64_t esr, uint64_t far, uint64_t hpfar);

/**
 * @brief This vCPU's index (MPIDR Aff0).
 * @param cpu The guest's CPU.
 * @return The index.
 */
unsigned pvm_sim_cpu_index(const struct pvm_sim_cpu *cpu);

/**
 * @brief x0 at entry (the boot argument, or CPU_ON's context id).
 * @param cpu The guest's CPU.
 * @return x0 when the guest started.
 */
uint64_t pvm_sim_cpu_boot_arg(const struct pvm_sim_cpu *cpu);

/**
 * @brief The entry point the vCPU was started at (pvm_vcpu_boot(), CPU_ON).
 * @param cpu The guest's CPU.
 * @return The entry IPA.
 */
uint64_t pvm_sim_cpu_entry(const struct pvm_sim_cpu *cpu);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_SIM_VCPU_H */
