/* SPDX-License-Identifier: Apache-2.0 */
/* The host's ways into the hypervisor: HVC #0 with x0..x7 (SMCCC), and its trapped SMC #0. */
#ifndef PVM_EL2_HOST_HVC_H
#define PVM_EL2_HOST_HVC_H

#include <stdint.h>

/* x[0] the function ID and x[1..7] the arguments in; x0..x7 as returned out. */
void host_hvc(uint64_t x[8]);
/* The same with up to seven arguments; returns x0 (a pvm_status_t for host calls). */
int64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
	    uint64_t a6, uint64_t *x1_out);

/* A PSCI call through SMC #0, as the device tree's conduit says (trapped to the hypervisor). */
int64_t host_psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

#endif /* PVM_EL2_HOST_HVC_H */
