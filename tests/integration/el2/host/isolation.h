/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the guests of tests "debug" and "lrs" (debug_guest.S, lrs_guest.S)
 * and their host side (isolation.c) agree on.
 */
#ifndef PVM_EL2_HOST_ISOLATION_H
#define PVM_EL2_HOST_ISOLATION_H

/* debug: the guest's own values, and the IPA its reports go to (not RAM: an MMIO exit). */
#define DEBUG_GUEST_BVR	     0x00001234abcd0000
#define DEBUG_GUEST_PMSELR   0x1d
#define DEBUG_GUEST_REPORT   0x10000
#define DEBUG_GUEST_READS    0x10008 /* the three reads, ORed */
#define DEBUG_GUEST_ACCESSES 5	     /* debug and PMU register accesses it makes */

/* lrs: the interrupts the host queues (SPIs), and the IPA of its reports. */
#define LRS_GUEST_FIRST	 32
#define LRS_GUEST_COUNT	 16 /* as many as a GIC can have list registers */
#define LRS_GUEST_REPORT 0x10000
#define LRS_GUEST_ROUNDS 256 /* 1/64 s spins until the host saw a time slice end: 4 s */

#ifndef __ASSEMBLER__
extern const char host_debug_guest[], host_debug_guest_end[], host_debug_guest_bp[];
extern const char host_lrs_guest[], host_lrs_guest_end[];
#endif

#endif /* PVM_EL2_HOST_ISOLATION_H */
