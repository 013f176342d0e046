/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two attacks of issue 12 at EL2: tests that pass because the attack
 * fails (the simulator's side: tests/unit/test_attest_seal.c). The host
 * builds attest VMs as guest.c does for test "attest" and changes what an
 * attacker would; each VM is sealed by the host under a name ("el2-attack:
 * seal NAME"), after which the hypervisor prints its evidence for the
 * boot's challenge (ports/el2/attest.c), and then runs. What the host sees
 * itself it checks here; the identities (the RIM and the VM's attestation
 * key from pvm-verify, the guests' "fingerprint" lines) the test script
 * compares (tests/integration/el2/attack.sh).
 *
 * attack_unmeasured, in this order:
 * - genuine: the attest VM, pvm-run's RIM (docs/attestation.md §1.3);
 * - evil: the same image and device tree, plus one page of the host's code
 *   (evil_guest.S: it would print "EVIL" and power off) given with plain
 *   PVM_HC_DONATE_GUEST at ATTACK_EXTRA_IPA, and vCPU 0 booted there. The
 *   hypervisor zeroes the page: the vCPU's first instruction is 0, UDF #0,
 *   undefined; the exception goes to the guest's own vector, VBAR_EL1 (0 at
 *   reset) + 0x200, outside its RAM; that fetch traps and the hypervisor
 *   injects an instruction abort: the host sees a guest-fault exit, "iabt
 *   ipa=0x200", and ends the run there (the guest can only fault again).
 *   Not one byte reaches its UART;
 * - evil_entry: the same VM booted at the genuine entry: the attest guest
 *   runs, with the extra page in its RIM (another RIM, key, fingerprint);
 * - control: the page given with PVM_HC_VM_LOAD_MEASURED instead, booted
 *   there: the code runs and prints "EVIL", so its silence in "evil" is the
 *   hypervisor's doing, not a broken attack.
 *
 * attack_seal_keys: three attest VMs, "a" (the attest image), "b" (the
 * same plus one measured data page at ATTACK_EXTRA_IPA: another RIM) and
 * "a_again" (a's image again), each printing its sealing-key fingerprint.
 */
#include <libpvm/abi.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "print.h"
#include "pvm_layout.h"

/* 4 MiB into guest RAM: far from the attest guest's image, data and stacks, and the tree. */
#define ATTACK_EXTRA_IPA (PVM_LAYOUT_RAM_BASE + 0x400000ull)
#define FAULT_IABT	 1 /* PVM_FAULT_IABT */
#define MEASURE_CODE	 1 /* PVM_MEASURE_CODE */
#define MEASURE_DATA	 2 /* PVM_MEASURE_DATA */

extern const char host_evil_guest[], host_evil_guest_end[];

static uint8_t page[PAGE];

static void cpus_up(void)
{
	for (unsigned c = 1; c < HOST_CPUS; c++)
		CHECK(host_cpu_up(c), "CPU %u did not come up", c);
}

/* The host's code, in page (the rest zero). */
static const uint8_t *evil_page(void)
{
	size_t n = (size_t)(host_evil_guest_end - host_evil_guest), i;

	CHECK(n && n <= PAGE, "the host's code is %zu bytes", n);
	for (i = 0; i < PAGE; i++)
		page[i] = i < n ? (uint8_t)host_evil_guest[i] : 0;
	return page;
}

/*
 * The attest VM named role; with the host's page, given with extra_kind
 * (0: plain DONATE_GUEST) at ATTACK_EXTRA_IPA, when extra is not NULL.
 * (Plans are not copied: the host has no memcpy for struct copies.)
 */
static void attest_vm(const char *role, const uint8_t *extra, unsigned extra_kind, bool boot_extra,
		      bool until_fault, struct guest_result *r)
{
	struct guest_plan p = {
		.name = "attest",
		.role = role,
		.extra = extra,
		.extra_ipa = ATTACK_EXTRA_IPA,
		.extra_kind = extra_kind,
		.boot_extra = boot_extra,
		.until_fault = until_fault,
		.result = r,
	};

	guest_run(&p);
}

void test_attack_unmeasured(void)
{
	struct guest_result r;

	cpus_up();
	attest_vm("genuine", NULL, 0, false, false, &r);
	CHECK(!r.faulted && r.uart_bytes, "the genuine attest guest printed nothing");

	attest_vm("evil", evil_page(), 0, true, true, &r);
	CHECK(!r.uart_bytes, "the host's unmeasured code ran: %u bytes on the guest's UART",
	      r.uart_bytes);
	CHECK(r.faulted && r.fault_kind == FAULT_IABT && r.fault_ipa == 0x200,
	      "vCPU 0 at the donated page: %s %lu at IPA 0x%lx, want an instruction abort at "
	      "0x200 (UDF #0, then the guest's vector outside RAM)",
	      r.faulted ? "guest fault" : "no guest fault", r.fault_kind, r.fault_ipa);
	print("el2-attack: evil: vCPU 0 ran zeroes, not the host's code: UDF #0, then an "
	      "instruction abort at its vector, IPA 0x200 (guest-fault exit); nothing on its "
	      "UART\n");

	attest_vm("evil_entry", evil_page(), 0, false, false, &r);
	CHECK(!r.faulted && r.uart_bytes, "the attest guest with the extra page printed nothing");

	attest_vm("control", evil_page(), MEASURE_CODE, true, false, &r);
	CHECK(r.uart_bytes == 5, "the control's code wrote %u bytes to its UART, want \"EVIL\\n\"",
	      r.uart_bytes);
	print("el2-attack: control: the same page loaded measured runs and prints\n");
}

void test_attack_seal_keys(void)
{
	static const char *const roles[] = {"a", "b", "a_again"};
	struct guest_result r;

	for (size_t i = 0; i < PAGE; i++)
		page[i] =
			(uint8_t)(i * 7 + 1); /* data the guest never reads: only its RIM changes */
	cpus_up();
	for (unsigned v = 0; v < 3; v++) {
		attest_vm(roles[v], v == 1 ? page : NULL, MEASURE_DATA, false, false, &r);
		CHECK(!r.faulted && r.uart_bytes, "VM %s printed nothing", roles[v]);
	}
}
