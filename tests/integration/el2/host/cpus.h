/* SPDX-License-Identifier: Apache-2.0 */
/* How many CPUs the host program runs on (smp.c), for C and assembly (start.S). */
#ifndef PVM_EL2_HOST_CPUS_H
#define PVM_EL2_HOST_CPUS_H

/* CPU n has MPIDR affinity n (QEMU's virt machine: one cluster). */
#define HOST_CPUS 2

#endif /* PVM_EL2_HOST_CPUS_H */
