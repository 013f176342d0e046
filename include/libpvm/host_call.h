/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file host_call.h
 * @brief The host-call ABI: one dispatcher taking the host's HVC registers.
 *
 * This is what a port installs as the host's HVC handler (the EL2 port) or
 * what a VMM calls to play the host (the simulator, fuzzers). Function IDs
 * and register conventions are in abi.h (`PVM_HC_BASE` and following).
 * Every register is untrusted: each is validated by the operation it
 * reaches, and a refused call changes nothing.
 */
#ifndef LIBPVM_HOST_CALL_H
#define LIBPVM_HOST_CALL_H

#include <libpvm/vcpu.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Dispatch one host call.
 * @param hyp  The hypervisor.
 * @param regs x0..x7 of the host's HVC: in, the function ID and
 *             arguments; out, x0 the ::pvm_status_t (sign-extended) and
 *             results in x1..x7. Registers a call does not define as
 *             results are left as they were.
 *
 * An unknown function ID returns ::PVM_E_NOTSUP in x0. Host path.
 */
void pvm_host_call(struct pvm_hyp *hyp, uint64_t regs[8]);

/**
 * @brief Pack an exit into registers x1..x7 of ::PVM_HC_VCPU_RUN.
 * @param exit The exit.
 * @param x    Out: x[1] the kind; x[2..7] per kind:
 *             MMIO x2 IPA, x3 data, x4 size | write << 8;
 *             MEM_FAULT x2 IPA, x3 write | exec << 1;
 *             PSCI x2 function, x3 target vCPU;
 *             HVC x2..x7 the call's x0..x5;
 *             MEM_SHARE x2 IPA, x3 pages, x4 op;
 *             GUEST_FAULT x2 reason, x3 IPA;
 *             INTERNAL x2 status, x3 ESR;
 *             NEED_PAGES x2 pages;
 *             WFI x2 the guest's timer deadline (::PVM_WFI_NO_DEADLINE: none);
 *             IPI x2 the target vCPUs (a bitmap), x3 the SGI's INTID.
 *
 * Pure function; any caller.
 */
void pvm_exit_pack(const struct pvm_exit *exit, uint64_t x[8]);

/**
 * @brief The inverse of pvm_exit_pack(), for the host side of the ABI.
 * @param x    Registers x1..x7 after ::PVM_HC_VCPU_RUN (x[0] ignored).
 * @param exit Out: the exit.
 * @return ::PVM_OK; ::PVM_E_INVAL for an unknown kind or NULL.
 */
pvm_status_t pvm_exit_unpack(const uint64_t x[8], struct pvm_exit *exit);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_HOST_CALL_H */
