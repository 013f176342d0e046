/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated machine the ABI harnesses (fuzz_host_call, fuzz_guest_call)
 * start every input from, the decoding of an input into registers, and the
 * oracles of a host call.
 *
 * The machine: RAM at 0x40000000, the hypervisor in a carve-out at its top,
 * attestation on, VM 0 protected and VM 1 not (32-bit IPA, guest RAM
 * FZ_GUEST_RAM), each with pages donated or shared at FZ_GUEST_RAM and
 * vCPUs booted there. It is built once; fz_restore() puts it back (the
 * copy-on-write journal of snapshot.h).
 *
 * Built with FUZZ_BIG the RAM is 1 GiB + 32 MiB: the first GiB is left to
 * the host as one 1 GiB block of its stage-2 (the set-up happens above it),
 * so that a donation or share there makes the hypervisor split the block,
 * which needs pool pages (PVM_E_NOMEM with the pages needed, then the
 * top-up). pvm_mem_check() costs time in proportion to the RAM, so that
 * variant runs it once after the last call of an input, not after each.
 */
#ifndef PVM_FUZZ_MACHINE_H
#define PVM_FUZZ_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#define FZ_MiB	     (1ull << 20)
#define FZ_RAM	     0x40000000ull
#define FZ_GUEST_RAM 0x80000000ull /* guest RAM IPA, both VMs */
#define FZ_MMIO	     0x09000000ull /* an IPA outside guest RAM: a device */
#define FZ_IPA_BITS  32		   /* the VMs' IPA size */
#ifdef FUZZ_BIG
/* Guest RAM [FZ_GUEST_RAM, + 2 MiB) is the set-up's; the next 2 MiB block is free. */
#define FZ_GUEST_RAM_SIZE (4 * FZ_MiB)
#define FZ_RAM_SIZE	  (1024 * FZ_MiB + 32 * FZ_MiB)
#define FZ_SETUP	  (FZ_RAM + 1024 * FZ_MiB) /* where the set-up takes its pages */
#else
#define FZ_GUEST_RAM_SIZE (2 * FZ_MiB)
#define FZ_RAM_SIZE	  (4 * FZ_MiB)
#define FZ_SETUP	  FZ_RAM
#endif

/* The VMs of the set-up: VM 0 protected with FZ_VCPUS vCPUs, VM 1 not, with one. */
#define FZ_VCPUS 2

/* The hypervisor. */
extern struct pvm_hyp *fz_hyp;

/* Build the machine (first call) or put it back as built (later calls). */
void fz_restore(void);

/* Report a broken oracle and abort (libFuzzer saves the input). */
void fz_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* An input, consumed a byte at a time (zeroes once it runs out). */
struct fz_input {
	const uint8_t *p;
	size_t left;
};

uint8_t fz_byte(struct fz_input *in);
/* n bytes, little-endian. */
uint64_t fz_bytes(struct fz_input *in, unsigned n);
/* A host-call register: a selector byte, then what it selects (a managed
 * page, a small number, a guest IPA, a count, an INTID, 8 raw bytes). */
uint64_t fz_reg(struct fz_input *in);

/*
 * One host call with its oracles: x0 the function, x1..x7 its arguments;
 * the results come back in x. A refused call (x0 negative) must have
 * changed no byte of the machine. pvm_mem_check() must hold after a call
 * that changed a hypervisor page other than a vCPU's: at once after a host
 * memory call, at fz_end() after VCPU_RUN (a run changes its VM's structure
 * on every exit) and, with FUZZ_BIG (the check's cost grows with the RAM),
 * at fz_end() for every call.
 */
void fz_host_call(uint64_t x[8]);

/* The end of an input: the checks deferred to it. */
void fz_end(void);

/* pvm_mem_check() now; `after` says what ran before it. */
void fz_check(const char *after);

#endif /* PVM_FUZZ_MACHINE_H */
