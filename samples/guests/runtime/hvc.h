/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file hvc.h
 * @brief Hypervisor calls from the sample guests: SMCCC 1.1 over `HVC #0`.
 *
 * The function IDs are those of `<libpvm/abi.h>`, which the guests include
 * as it is.
 */
#ifndef GUEST_HVC_H
#define GUEST_HVC_H

#include <stdint.h>

/**
 * @brief The result registers of an SMCCC call, x0..x3.
 *
 * A 32-bit call (bit 30 of the function ID clear) returns its results in
 * w0..w3 only: read them through `(int32_t)` or `(uint32_t)`. A 64-bit call
 * returns a negative status sign-extended to all of x0: read it through
 * `(long)`. PSCI defines its status as a 32-bit integer even for the SMC64
 * functions, so PSCI results are read through `(int32_t)`, as Linux does.
 */
struct smccc_res {
	unsigned long a0;
	unsigned long a1;
	unsigned long a2;
	unsigned long a3;
};

/**
 * @brief Make one SMCCC call with `HVC #0`.
 *
 * Unused arguments should be 0: several calls require their reserved
 * arguments to be zero.
 *
 * @param fn     The function ID (goes in w0).
 * @param a1..a5 The arguments (x1..x5).
 * @return x0..x3 after the call. SMCCC 1.1 preserves x4..x17 (and the
 *         callee-saved registers), so nothing else changes.
 */
struct smccc_res smccc_hvc(uint32_t fn, unsigned long a1, unsigned long a2, unsigned long a3,
			   unsigned long a4, unsigned long a5);

/**
 * @brief PSCI CPU_OFF: switch the calling vCPU off. Called by the runtime
 *        when `secondary_main()` returns.
 *
 * Completes the vCPU's memory accesses first (`dsb sy`), so whatever it wrote
 * is visible to a vCPU that sees it OFF through AFFINITY_INFO. If the call
 * returns (it must not), the vCPU waits in `wfi` forever.
 */
__attribute__((noreturn)) void psci_cpu_off(void);

/**
 * @brief PSCI SYSTEM_OFF: end the VM. Called by the runtime when `main()`
 *        returns. If the call returns (it must not), the vCPU waits in `wfi`
 *        forever.
 */
__attribute__((noreturn)) void psci_system_off(void);

/**
 * ::PSCI_CPU_OFF, for `start.S`: a secondary started with a context id the
 * runtime has no stack for switches itself off before it can run C code,
 * and assembly cannot include `<libpvm/abi.h>` (it includes `<stdint.h>`).
 */
extern const uint32_t psci_cpu_off_id;

#endif /* GUEST_HVC_H */
