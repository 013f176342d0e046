/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host program: what a host kernel does with libpvm, reduced to the
 * integration tests of the EL2 port. It runs at EL1 with its MMU off,
 * behind the hypervisor's identity stage-2, and reaches the hypervisor only
 * through HVC. Each test prints "el2-test: PASS <name>" when it is done, or
 * "el2-test: FAIL <name>: <why>" and powers the machine off.
 */
#include <libpvm/abi.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootargs.h"
#include "el2_tests.h"
#include "fpregs.h"
#include "host.h"
#include "hvc.h"
#include "pl011.h"
#include "print.h"
#include "sysreg.h"

void host_main(uint64_t unused, uintptr_t uart, const char *args, uintptr_t gicd, uintptr_t gicr);
void host_exception(unsigned kind, uint64_t *frame);

static const char *const names[] = {
#define EL2_TEST_NAME(n) #n,
	EL2_TESTS(EL2_TEST_NAME)
#undef EL2_TEST_NAME
};

static const char *current = "boot";
const char *host_bootargs = "";

/* What the last expected abort said, per CPU. */
static struct {
	volatile bool expect;
	volatile unsigned count;
	volatile uint64_t esr, far;
} aborts[HOST_CPUS];

/* Pages the tests give away: host memory, in the BSS. */
static uint8_t donated[PAGE] __attribute__((aligned(PAGE)));
static uint8_t vm_pages[16 * PAGE] __attribute__((aligned(16 * PAGE)));
static uint8_t vcpu_page[PAGE] __attribute__((aligned(PAGE)));
static uint8_t guest_page[PAGE] __attribute__((aligned(PAGE)));
#define TOPUP_PAGES 256 /* the Linux guest's 128 MiB: ~70 stage-2 tables */
static uint8_t topup_pages[TOPUP_PAGES * PAGE] __attribute__((aligned(PAGE)));
static unsigned topup_used;

static void __attribute__((noreturn)) power_off(void)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0, 0, NULL);
	for (;;)
		__asm__ volatile("wfe");
}

void fail(const char *fmt, ...)
{
	va_list ap;

	print_lock();
	print("el2-test: FAIL %s (CPU %u): ", current, host_cpu());
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	print("\n");
	print_unlock();
	power_off();
}

void host_exception(unsigned kind, uint64_t *frame)
{
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	uint64_t elr = read_sysreg(elr_el1);

	(void)frame;
	/* An IRQ at EL1 with SP_EL1 (+0x280): the host's own interrupts (gic.c). */
	if (kind == 5) {
		host_irq();
		return;
	}
	/* A synchronous exception at EL1 with SP_EL1 (+0x200): where injected aborts arrive. */
	if (kind == 4 && aborts[host_cpu()].expect && (esr >> 26) == 0x25 && (esr & 0x3f) == 0x10) {
		aborts[host_cpu()].count++;
		aborts[host_cpu()].esr = esr;
		aborts[host_cpu()].far = far;
		print("host: synchronous external abort, ESR_EL1 0x%lx FAR_EL1 0x%lx ELR_EL1 "
		      "0x%lx: "
		      "skipping the access\n",
		      esr, far, elr);
		write_sysreg(elr + 4, elr_el1);
		return;
	}
	fail("unexpected exception (vector %u): ESR_EL1 0x%lx FAR_EL1 0x%lx ELR_EL1 0x%lx", kind,
	     esr, far, elr);
}

uint64_t pa(const void *p)
{
	return (uint64_t)(uintptr_t)p; /* MMU off: addresses are physical */
}

uint64_t host_abort_esr(void)
{
	return aborts[host_cpu()].esr;
}

uint64_t host_abort_far(void)
{
	return aborts[host_cpu()].far;
}

/* One load or store that is expected to abort; returns the number of aborts it took. */
unsigned touch(volatile uint64_t *p, bool write)
{
	unsigned me = host_cpu(), before = aborts[me].count;

	aborts[me].expect = true;
	if (write)
		*p = 0x1234;
	else
		(void)*p;
	aborts[me].expect = false;
	return aborts[me].count - before;
}

bool peek8(const volatile uint8_t *p, uint8_t *out)
{
	unsigned me = host_cpu(), before = aborts[me].count;
	uint8_t v;

	aborts[me].expect = true;
	v = *p;
	aborts[me].expect = false;
	if (aborts[me].count != before)
		return false;
	*out = v;
	return true;
}

bool poke8(volatile uint8_t *p, uint8_t v)
{
	unsigned me = host_cpu(), before = aborts[me].count;

	aborts[me].expect = true;
	*p = v;
	aborts[me].expect = false;
	return aborts[me].count == before;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (((const volatile uint8_t *)p)[i] != v)
			return false;
	return true;
}

static void fill(uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		((volatile uint8_t *)p)[i] = v;
}

/* A host call that may need pool pages: donate what it asks for and retry, as pKVM's host does. */
void topup(uint64_t pages)
{
	static uint32_t lock; /* CPUs may run short at the same time */
	int64_t ret;

	spin_lock(&lock);

	CHECK(pages && topup_used + pages <= TOPUP_PAGES, "pool needs %lu pages, have %u", pages,
	      TOPUP_PAGES - topup_used);
	print("host: the hypervisor needs %lu more pool pages: PVM_HC_TOPUP\n", pages);
	ret = hvc(PVM_HC_TOPUP, pa(topup_pages + topup_used * PAGE), pages, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_TOPUP: %ld", ret);
	topup_used += (unsigned)pages;
	spin_unlock(&lock);
}

/* A host call that may need pool pages: donate what it asks for and retry, as pKVM's host does. */
int64_t hc_topup(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
		 uint64_t a6, uint64_t *x1)
{
	for (;;) {
		uint64_t out = 0;
		int64_t ret = hvc(fn, a1, a2, a3, a4, a5, a6, &out);

		if (x1)
			*x1 = out;
		if (ret != -3 /* PVM_E_NOMEM */)
			return ret;
		topup(out);
	}
}

static void test_version(void)
{
	uint64_t v = 0;
	int64_t ret = hvc(PVM_HC_VERSION, 0, 0, 0, 0, 0, 0, &v);

	CHECK(ret == 0 && v == PVM_HC_ABI_VERSION, "PVM_HC_VERSION: status %ld, version 0x%lx", ret,
	      v);
	print("host: libpvm host-call ABI version %lu.%lu\n", v >> 16, v & 0xffff);
	ret = hvc(SMCCC_VERSION, 0, 0, 0, 0, 0, 0, NULL);
	CHECK(ret == SMCCC_VERSION_1_1, "SMCCC_VERSION: 0x%lx", (uint64_t)ret);
	ret = hvc(PVM_HC_END, 0, 0, 0, 0, 0, 0, NULL);
	/* Outside the host-call range: the hypervisor's SMCCC answer, not pvm_host_call()'s. */
	CHECK(ret == SMCCC_RET_NOT_SUPPORTED, "an unknown call returned %ld", ret);
	print("host: SMCCC 1.1; unknown calls are refused\n");
}

static void test_donate(void)
{
	int64_t ret;

	fill(donated, PAGE, 0xa5);
	ret = hc_topup(PVM_HC_DONATE_HYP, pa(donated), 1, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_DONATE_HYP: %ld", ret);
	print("host: donated page 0x%lx to the hypervisor\n", pa(donated));

	CHECK(touch((volatile uint64_t *)donated, false) == 1, "reading the donated page did not "
							       "abort");
	CHECK(host_abort_far() == pa(donated) && !(host_abort_esr() & (1u << 6)),
	      "read abort: FAR 0x%lx ESR 0x%lx", host_abort_far(), host_abort_esr());
	CHECK(touch((volatile uint64_t *)(donated + 64), true) == 1,
	      "writing the donated page did not abort");
	CHECK(host_abort_far() == pa(donated) + 64 && (host_abort_esr() & (1u << 6)),
	      "write abort: FAR 0x%lx ESR 0x%lx (WnR expected)", host_abort_far(),
	      host_abort_esr());
	ret = hc_topup(PVM_HC_DONATE_HYP, pa(donated), 1, 0, 0, 0, 0, NULL);
	CHECK(ret == -6 /* PVM_E_STATE */, "donating the page twice returned %ld", ret);

	ret = hvc(PVM_HC_RECLAIM_HYP, pa(donated), 1, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_RECLAIM_HYP: %ld", ret);
	CHECK(all_bytes(donated, PAGE, 0), "the reclaimed page is not zeroed");
	fill(donated, PAGE, 0x3c);
	CHECK(all_bytes(donated, PAGE, 0x3c), "the reclaimed page does not keep what is written");
	print("host: reclaimed it: zeroed, readable and writable again\n");
}

/* IPA 40 bits: a root of 2 concatenated pages, + 1 page for the VM. */
#define VM_IPA_BITS	40
#define VM_CREATE_PAGES 3

uint64_t vm_create_kind(uint64_t ram_size, bool protected_vm)
{
	uint64_t handle = 0;
	int64_t ret;

	fill(vm_pages, 16 * PAGE, 0x11);
	ret = hc_topup(PVM_HC_VM_CREATE, protected_vm ? 1 : 0, VM_IPA_BITS, pa(vm_pages),
		       VM_CREATE_PAGES, VM_RAM_IPA, ram_size, &handle);
	CHECK(ret == 0, "PVM_HC_VM_CREATE: %ld", ret);
	print("host: created %sprotected VM %lu\n", protected_vm ? "" : "non-", handle);
	CHECK(touch((volatile uint64_t *)vm_pages, false) == 1,
	      "the VM's own pages are still readable by the host");
	return handle;
}

uint64_t vm_create(uint64_t ram_size)
{
	return vm_create_kind(ram_size, true);
}

/* Tear the VM down; every page it had comes back zeroed. */
void vm_destroy(uint64_t handle)
{
	uint64_t left = 1;
	unsigned rounds = 0;
	int64_t ret;

	ret = hvc(PVM_HC_VM_TEARDOWN, handle, 0, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VM_TEARDOWN: %ld", ret);
	while (left) {
		/* Up to 512 pages a call: the Linux guest had 32768. */
		ret = hc_topup(PVM_HC_VM_RECLAIM, handle, 512, 0, 0, 0, 0, &left);
		CHECK(ret == 0 && ++rounds < 256, "PVM_HC_VM_RECLAIM: %ld (%u rounds)", ret,
		      rounds);
	}
	ret = hvc(PVM_HC_VM_FINISH, handle, 0, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VM_FINISH: %ld", ret);
	ret = hvc(PVM_HC_VM_TEARDOWN, handle, 0, 0, 0, 0, 0, NULL);
	CHECK(ret == -5 /* PVM_E_NOENT */, "the VM still exists after teardown (%ld)", ret);
	print("host: tore VM %lu down in %u reclaim calls\n", handle, rounds);

	CHECK(all_bytes(guest_page, PAGE, 0), "the guest's page came back without being zeroed");
	CHECK(all_bytes(vm_pages, VM_CREATE_PAGES * PAGE, 0), "the VM's pages came back dirty");
	CHECK(all_bytes(vcpu_page, PAGE, 0), "the vCPU page came back dirty");
}

static void test_vm(void)
{
	const uint64_t ram_ipa = VM_RAM_IPA;
	uint64_t handle = vm_create(16 * PAGE), x[8];
	int64_t ret;

	fill(guest_page, PAGE, 0x5e); /* what the guest would find: its "secret" */
	ret = hc_topup(PVM_HC_DONATE_GUEST, handle, pa(guest_page), ram_ipa, 1, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_DONATE_GUEST: %ld", ret);
	CHECK(touch((volatile uint64_t *)guest_page, true) == 1,
	      "a page donated to the guest is still writable by the host");
	ret = hc_topup(PVM_HC_VCPU_CREATE, handle, pa(vcpu_page), 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_CREATE: %ld", ret);
	ret = hvc(PVM_HC_VCPU_BOOT, handle, 0, ram_ipa, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_BOOT: %ld", ret);
	x[0] = PVM_HC_VCPU_RUN;
	x[1] = handle;
	x[2] = 0;
	x[3] = x[4] = x[5] = x[6] = x[7] = 0;
	host_hvc(x);
	/*
	 * The guest's first instruction is the page's filler, 0x5e5e5e5e: not
	 * an instruction. The CPU takes the undefined-instruction exception to
	 * the guest's own EL1, at VBAR_EL1 (0 at reset) + 0x200, outside its
	 * RAM: that fetch traps to EL2 and the hypervisor injects an
	 * instruction abort, a guest-fault exit for IPA 0x200.
	 */
	CHECK(x[0] == 0 && x[1] == 7 /* PVM_EXIT_GUEST_FAULT */ && x[2] == 1 /* PVM_FAULT_IABT */ &&
		      x[3] == 0x200,
	      "PVM_HC_VCPU_RUN: status %ld, exit %lu, x2 %lu, x3 0x%lx", (int64_t)x[0], x[1], x[2],
	      x[3]);
	print("host: vCPU 0 ran: an undefined instruction, then its vector's fetch at IPA 0x200 "
	      "outside RAM: instruction abort injected\n");

	vm_destroy(handle);
	print("host: every page came back zeroed and readable\n");
}

/*
 * A VM loaded with measured "code" and sealed: the hypervisor prints its
 * evidence for the boot's challenge when the seal succeeds (the script
 * checks it with pvm-verify). Loads after the seal are refused.
 */
static void test_seal(void)
{
	uint64_t handle = vm_create(16 * PAGE);
	int64_t ret;

	fill(guest_page, PAGE, 0xc0); /* the guest's image, as the host loads it */
	ret = hc_topup(PVM_HC_VM_LOAD_MEASURED, handle, pa(guest_page), VM_RAM_IPA, 1, 1 /* code */,
		       0, NULL);
	CHECK(ret == 0, "PVM_HC_VM_LOAD_MEASURED: %ld", ret);
	CHECK(touch((volatile uint64_t *)guest_page, true) == 1,
	      "a page loaded into the guest is still writable by the host");
	ret = hvc(PVM_HC_VM_SEAL, handle, 0, 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VM_SEAL: %ld", ret);
	print("host: loaded 1 measured page into VM %lu and sealed it\n", handle);
	ret = hvc(PVM_HC_VM_LOAD_MEASURED, handle, pa(donated), VM_RAM_IPA + PAGE, 1, 1, 0, NULL);
	CHECK(ret == -6 /* PVM_E_STATE */, "a load after the seal returned %ld", ret);
	vm_destroy(handle);
}

/*
 * SVE and SME stay trapped for guests (world.c: CPTR_EL2.TZ, TSM; the vCPU
 * context holds no Z, P or ZA registers): the guest of sve_guest.S opens
 * them for itself and tries each; the hypervisor must answer each with an
 * undefined-instruction exception in the guest, seen by the host as a
 * guest-fault exit, and the guest then powers off.
 */
uint64_t vm_boot_code(const char *code, const char *end)
{
	size_t size = (size_t)(end - code), i;
	uint64_t handle;
	int64_t ret;

	CHECK(size <= PAGE, "a guest of %zu bytes does not fit in its page", size);
	handle = vm_create(16 * PAGE);
	for (i = 0; i < PAGE; i++)
		((volatile uint8_t *)guest_page)[i] = i < size ? (uint8_t)code[i] : 0;
	ret = hc_topup(PVM_HC_VM_LOAD_MEASURED, handle, pa(guest_page), VM_RAM_IPA, 1, 1, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VM_LOAD_MEASURED: %ld", ret);
	ret = hc_topup(PVM_HC_VCPU_CREATE, handle, pa(vcpu_page), 0, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_CREATE: %ld", ret);
	ret = hvc(PVM_HC_VCPU_BOOT, handle, 0, VM_RAM_IPA, 0, 0, 0, NULL);
	CHECK(ret == 0, "PVM_HC_VCPU_BOOT: %ld", ret);
	return handle;
}

static void test_sve(void)
{
	extern const char host_sve_guest[], host_sve_guest_end[];
	bool sve = (read_sysreg(id_aa64pfr0_el1) >> 32) & 0xf;
	bool sme = (read_sysreg(id_aa64pfr1_el1) >> 24) & 0xf;
	/*
	 * Each extension the CPU has must trap to the hypervisor and come back
	 * undefined; one it lacks is undefined at EL1 itself, with no exit:
	 * either way the guest never runs it and powers off.
	 */
	unsigned undefs = 0, want = (unsigned)sve + (unsigned)sme, runs;
	uint64_t handle, x[8];

	handle = vm_boot_code(host_sve_guest, host_sve_guest_end);
	for (runs = 0; runs < 8; runs++) {
		x[0] = PVM_HC_VCPU_RUN;
		x[1] = handle;
		x[2] = x[3] = x[4] = x[5] = x[6] = x[7] = 0;
		host_hvc(x);
		CHECK(x[0] == 0, "PVM_HC_VCPU_RUN: %ld", (int64_t)x[0]);
		if (x[1] != 7 /* PVM_EXIT_GUEST_FAULT */)
			break;
		CHECK(x[2] == 2 /* PVM_FAULT_UNDEF */, "a guest fault of reason %lu", x[2]);
		print("host: the guest's %s instruction: undefined instruction injected\n",
		      sve && !undefs ? "SVE" : "SME");
		undefs++;
	}
	CHECK(x[1] == 5 /* PVM_EXIT_PSCI */ && x[2] == PSCI_SYSTEM_OFF && undefs == want,
	      "exit %lu (x2 0x%lx) after %u undefined-instruction exits, want SYSTEM_OFF after %u",
	      x[1], x[2], undefs, want);
	print("host: the guest's SVE %s, its SME %s; it powered off\n",
	      sve ? "trapped and undefined" : "undefined (not on this CPU)",
	      sme ? "trapped and undefined" : "undefined (not on this CPU)");
	vm_destroy(handle);
}

static void (*const tests[])(void) = {
	[EL2_TEST_version] = test_version,
	[EL2_TEST_donate] = test_donate,
	[EL2_TEST_vm] = test_vm,
	[EL2_TEST_seal] = test_seal,
	[EL2_TEST_sve] = test_sve,
	[EL2_TEST_cpus] = test_cpus,
	[EL2_TEST_debug] = test_debug,
	[EL2_TEST_lrs] = test_lrs,
	[EL2_TEST_attack_unmeasured] = test_attack_unmeasured,
	[EL2_TEST_attack_seal_keys] = test_attack_seal_keys,
	/* The rest, EL2_GUESTS: test_guest(name). */
};

/* "el2-test=NAME" in the boot arguments (none: all), or EL2_TEST_NR for a name not known. */
static unsigned pick_test(const char *args)
{
	const char *p = bootarg(args, "el2-test=");
	size_t n;

	if (!p)
		return EL2_TEST_all;
	for (n = 0; p[n] && p[n] != ' '; n++)
		;
	for (unsigned i = 0; i < EL2_TEST_NR; i++) {
		size_t k;

		for (k = 0; k < n && names[i][k] == p[k]; k++)
			;
		if (k == n && !names[i][n])
			return i;
	}
	return EL2_TEST_NR;
}

void host_main(uint64_t unused, uintptr_t uart, const char *args, uintptr_t gicd, uintptr_t gicr)
{
	unsigned test;

	(void)unused; /* the hypervisor passes 0: the test is ours to pick from the arguments */
	pl011_init(uart);
	host_bootargs = args;
	test = pick_test(args);
	/* FP/SIMD on for the host itself: guest runs must keep its registers (guest.c). */
	fpregs_enable();
	host_gic_init(gicd, gicr);
	print("host: running at EL%lu, test '%s'\n", read_sysreg(CurrentEL) >> 2,
	      test < EL2_TEST_NR ? names[test] : "?");
	if (test >= EL2_TEST_NR)
		fail("no such test in the boot arguments \"%s\"", args);
	for (unsigned t = 1; t < EL2_TEST_NR; t++) {
		if (test != EL2_TEST_all ? t != test : t == EL2_TEST_linux)
			continue;
		current = names[t];
		if (t < sizeof(tests) / sizeof(tests[0]) && tests[t]) {
			tests[t]();
		} else {
			/* Guests run their vCPUs on every CPU of the host. */
			for (unsigned c = 1; c < HOST_CPUS; c++)
				CHECK(host_cpu_up(c), "CPU %u did not come up", c);
			test_guest(t == EL2_TEST_attest_np ? "attest" : names[t],
				   t != EL2_TEST_attest_np);
		}
		print("el2-test: PASS %s\n", names[t]);
	}
	if (test == EL2_TEST_all)
		print("el2-test: PASS all\n");
	power_off();
}
