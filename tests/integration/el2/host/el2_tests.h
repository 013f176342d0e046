/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The integration tests the host program can run, shared by the
 * hypervisor (which reads the test's name from the boot arguments,
 * "el2-test=NAME", and hands its number to the host in x0) and the host.
 */
#ifndef PVM_EL2_TESTS_H
#define PVM_EL2_TESTS_H

/*
 * The sample guests (samples/guests' NAME.bin) the host program embeds and
 * runs as protected VMs, each as the test of its name (host/guest.c).
 */
#define EL2_GUESTS(X) X(hello) X(share) X(smp) X(hostile) X(attest) X(fpu) X(irq)

/* The attacks of issue 12 on attest VMs (host/attack.c). */
#define EL2_ATTACKS(X) X(attack_unmeasured) X(attack_seal_keys)

/* all: every test in turn (the default when no el2-test= is given). */
/*
 * seal: a VM loaded with measured pages and sealed, whose evidence the
 * hypervisor prints (the test named attest is the attest guest's); sve: a
 * guest's SVE and SME instructions stay undefined; cpus: the host's second
 * CPU through PSCI, the hypervisor's checks of CPU_ON and the other calls;
 * debug: a guest's debug and PMU registers are neither its own nor the
 * host's window on it; lrs: a guest that holds every list register and
 * has its timer asserted cannot keep the hypervisor from the host's tick;
 * attest_np: the attest guest as a non-protected VM (its memory lent by the
 * host); attack_unmeasured and attack_seal_keys: attest VMs the host
 * builds the way an attacker would (host/attack.c; their checks are the test
 * scripts'); linux: an arm64 Linux Image as a protected guest
 * (host/linux.c; not in "all": it needs the files the test script has QEMU
 * load).
 */
/* One group a line: clang-format does not settle on this macro. */
/* clang-format off */
#define EL2_TESTS(X)                                                                               \
	X(all)                                                                                     \
	X(version)                                                                                 \
	X(donate) X(vm) X(seal) X(sve) X(cpus) X(debug) X(lrs) EL2_GUESTS(X) X(attest_np)          \
	EL2_ATTACKS(X) X(linux)
/* clang-format on */

#ifndef __ASSEMBLER__
enum el2_test {
#define EL2_TEST_ENUM(n) EL2_TEST_##n,
	EL2_TESTS(EL2_TEST_ENUM)
#undef EL2_TEST_ENUM
		EL2_TEST_NR
};
#endif

#endif /* PVM_EL2_TESTS_H */
