/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A protected VM made through the KVM port's API, and what the kernel then
 * enforces on it: run inside the kernels of tests/integration/kvm.
 *
 * One protected libpvm VM (pvm_kvm_vm_attach(): pKVM-protected where the
 * kernel offers the type, ordinary elsewhere) whose guest writes a marker
 * into its data page and powers off. The program then reads that page
 * through each view a VMM process has of it: libpvm's own (the one KVM's
 * memslots map), the VMM's (pvm_kvm_ram()), and both from a child made by
 * fork(); tears the VM down through libpvm, reads the page again, and
 * attaches a non-protected VM for comparison. pvm_mem_check() holds after
 * every step.
 *
 *   pvm-kvm-port-vm [attach]
 *
 * (boot.sh passes a mode word to every table program; this one has none to
 * choose: pvm_kvm_vm_attach() picks the VM type.)
 *
 * Output: one line per observation (compared with the table of
 * tests/integration/kvm/port-vm/ for the kernel: what the kernel does is
 * decided there, not here), a PASS/FAIL line per mechanic, then `END ok` or
 * `END failed`.
 */
#define _GNU_SOURCE
#include <libpvm/abi.h>
#include <libpvm/attest.h>
#include <libpvm/kvm.h>
#include <libpvm/mem.h>
#include <libpvm/port.h>
#include <libpvm/vcpu.h>
#include <libpvm/vm.h>

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB	  (1024ull * 1024)
#define RAM	  0x40000000ull
#define RAM_SIZE  (32 * MiB)
#define HYP_SIZE  (4 * MiB)
#define HYP_BASE  (RAM + RAM_SIZE - HYP_SIZE)
#define IPA_BITS  36
#define GUEST_IPA 0x80000000ull /* the code page, then the data page */
#define PAGE	  PVM_PAGE_SIZE
#define MARKER	  0x56781234ull

/* The guest: the marker into its data page, then PSCI SYSTEM_OFF. */
static const uint32_t code[] = {
	0xd2b00009, /* movz x9, #0x8000, lsl #16 */
	0x91400529, /* add x9, x9, #0x1, lsl #12 */
	0xd2824681, /* movz x1, #0x1234 */
	0xf2aacf01, /* movk x1, #0x5678, lsl #16 */
	0xf9000121, /* str x1, [x9] */
	0xd2800100, /* movz x0, #0x0008 */
	0xf2b08000, /* movk x0, #0x8400, lsl #16 */
	0xd4000002, /* hvc #0 */
	0xd503207f, /* 1: wfi */
	0x17ffffff, /* b 1b */
};

static struct pvm_hyp *hyp;
static uint64_t next_pa = RAM;
static int failed;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	failed |= !ok;
}

static void mem_ok(const char *after)
{
	struct pvm_mem_report rep = {0};
	char what[128];

	snprintf(what, sizeof(what), "pvm_mem_check after %s", after);
	check(pvm_mem_check(hyp, &rep) == PVM_OK, what);
}

static uint64_t take(uint64_t n, uint64_t align)
{
	uint64_t pa = (next_pa + align - 1) & ~(align - 1);

	next_pa = pa + n * PAGE;
	return pa;
}

static sigjmp_buf jb;

static void on_segv(int sig)
{
	siglongjmp(jb, sig);
}

/* What a read of the first word at @p finds. */
static const char *read_word(const volatile uint64_t *p)
{
	static volatile uint64_t v;

	if (sigsetjmp(jb, 1))
		return "faults";
	v = *p;
	return v == MARKER ? "holds the marker" : v ? "other data" : "reads zero";
}

/* The same read, by a child of this process (fork()). */
static const char *child_reads(const volatile uint64_t *p)
{
	static const char *const what[] = {"holds the marker", "reads zero", "other data",
					   "faults"};
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		const char *r = read_word(p);
		unsigned i;

		for (i = 0; i < 4; i++)
			if (!strcmp(r, what[i]))
				_exit((int)i);
		_exit(9);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 3)
		return "could not be tried";
	return what[WEXITSTATUS(st)];
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static bool run_to_off(unsigned vm, unsigned vcpu)
{
	struct pvm_exit e;
	unsigned i;

	for (i = 0; i < 16; i++) {
		memset(&e, 0, sizeof(e));
		if (pvm_vcpu_run(hyp, vm, vcpu, &e))
			return false;
		if (e.kind == PVM_EXIT_PSCI)
			return e.psci.fn == PSCI_SYSTEM_OFF;
		if (e.kind != PVM_EXIT_INTERRUPTED)
			return false;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct pvm_kvm_config kc = {.ram_base = RAM, .ram_size = RAM_SIZE, .ipa_bits = IPA_BITS};
	struct pvm_hyp_config mc = {.ram_base = RAM,
				    .ram_size = RAM_SIZE,
				    .hyp_base = HYP_BASE,
				    .hyp_size = HYP_SIZE,
				    .pa_bits = 40};
	struct pvm_vm_config vc = {
		.ipa_bits = IPA_BITS, .protected_vm = true, .ram_base = GUEST_IPA, .ram_size = MiB};
	uint64_t n = pvm_vm_create_pages(IPA_BITS), cpage, dpage, left = 1;
	struct pvm_kvm_vm_caps caps = {0};
	unsigned vm, vm2, vcpu;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "attach"))) {
		fprintf(stderr, "usage: %s [attach]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGSEGV, on_segv);
	if (pvm_kvm_init(&kc, NULL) || pvm_hyp_init(&mc, &hyp, NULL) ||
	    pvm_mem_topup(hyp, pvm_pa(take(512, 2 * MiB)), 512, NULL) ||
	    pvm_vm_create(hyp, &vc, pvm_pa(take(n, 2 * MiB)), n, &vm, NULL) ||
	    pvm_vcpu_create(hyp, vm, pvm_pa(take(1, PAGE)), &vcpu, NULL)) {
		printf("FAIL: setup\nEND failed\n");
		return 1;
	}
	check(pvm_kvm_vm_attach(hyp, vm, &caps) == PVM_OK &&
		      pvm_kvm_vcpu_attach(vm, vcpu) == PVM_OK,
	      "a KVM VM and vCPU for the protected VM");
	printf("VM protected: kernel-protected %s, guest calls to libpvm %s, memory faults %s\n",
	       yes(caps.kernel_protected), yes(caps.guest_calls), yes(caps.mem_faults));
	cpage = take(1, PAGE);
	dpage = take(1, PAGE);
	memcpy(pvm_kvm_ram(pvm_pa(cpage), sizeof(code)), code, sizeof(code));
	check(!pvm_vm_load_measured(hyp, vm, pvm_pa(cpage), pvm_ipa(GUEST_IPA), 1, PVM_MEASURE_CODE,
				    NULL) &&
		      !pvm_host_donate_guest(hyp, vm, pvm_pa(dpage), pvm_ipa(GUEST_IPA + PAGE), 1,
					     NULL) &&
		      !pvm_vcpu_boot(hyp, vm, vcpu, pvm_ipa(GUEST_IPA), 0),
	      "code and data pages donated, vCPU booted");
	mem_ok("the donations");
	check(run_to_off(vm, vcpu), "the guest wrote its marker and powered off");
	mem_ok("the run");

	printf("READ libpvm's own view (KVM's memslot): %s\n",
	       read_word(pvm_port_phys_to_virt(pvm_pa(dpage))));
	printf("READ the VMM's view (pvm_kvm_ram): %s\n",
	       read_word(pvm_kvm_ram(pvm_pa(dpage), PAGE)));
	printf("READ a child (fork), libpvm's own view: %s\n",
	       child_reads(pvm_port_phys_to_virt(pvm_pa(dpage))));
	printf("READ a child (fork), the VMM's view: %s\n",
	       child_reads(pvm_kvm_ram(pvm_pa(dpage), PAGE)));

	check(!pvm_vm_teardown_start(hyp, vm), "teardown_start");
	while (left && !pvm_vm_reclaim(hyp, vm, 64, &left, NULL))
		;
	check(!left && !pvm_vm_teardown_finish(hyp, vm), "reclaim everything, teardown_finish");
	mem_ok("the teardown");
	printf("TEARDOWN then the VMM's view: %s\n", read_word(pvm_kvm_ram(pvm_pa(dpage), PAGE)));
	printf("TEARDOWN then libpvm's own view: %s\n",
	       read_word(pvm_port_phys_to_virt(pvm_pa(dpage))));
	pvm_kvm_vm_detach(vm);

	vc.protected_vm = false;
	check(!pvm_vm_create(hyp, &vc, pvm_pa(take(n, 2 * MiB)), n, &vm2, NULL) &&
		      !pvm_kvm_vm_attach(hyp, vm2, &caps),
	      "a KVM VM for a non-protected VM");
	printf("VM non-protected: kernel-protected %s, guest calls to libpvm %s, memory faults "
	       "%s\n",
	       yes(caps.kernel_protected), yes(caps.guest_calls), yes(caps.mem_faults));
	pvm_kvm_vm_detach(vm2);
	pvm_kvm_fini();
	printf("END %s\n", failed ? "failed" : "ok");
	return failed;
}
