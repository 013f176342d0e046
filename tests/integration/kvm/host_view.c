/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VMM's view of memory on the KVM port follows the host stage-2
 * (libpvm/kvm.h, Memory isolation). Run inside the kernels of
 * tests/integration/kvm: every ownership transition that takes a page from
 * the host or gives it back is made, and after each one this process
 * touches the page through pvm_kvm_ram() and catches the SIGSEGV (with
 * sigsetjmp, as the EL2 port's host program catches its stage-2 abort):
 * the access must fault exactly when the host stage-2 has no mapping, and
 * what the host gets back must be zero. One `PASS`/`FAIL` line per check,
 * then `END ok` or `END failed`.
 */
#define _GNU_SOURCE
#include <libpvm/attest.h>
#include <libpvm/kvm.h>
#include <libpvm/mem.h>
#include <libpvm/port.h>
#include <libpvm/vm.h>

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define MiB	  (1024ull * 1024)
#define RAM	  0x40000000ull
#define RAM_SIZE  (32 * MiB)
#define HYP_SIZE  (4 * MiB)
#define HYP_BASE  (RAM + RAM_SIZE - HYP_SIZE)
#define IPA_BITS  36
#define GUEST_IPA 0x80000000ull
#define PAGE	  PVM_PAGE_SIZE

static struct pvm_hyp *hyp;
static uint64_t next_pa = RAM;
static int failed;

static sigjmp_buf jb;
static volatile int armed;
static void *volatile fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!armed) {
		signal(sig, SIG_DFL);
		return;
	}
	fault_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* Read (or write) one byte of page pa through the VMM's view: 1 if it faulted there. */
static int faults(uint64_t pa, bool write, uint8_t *val)
{
	volatile uint8_t *p = pvm_kvm_ram(pvm_pa(pa), PAGE);

	fault_addr = NULL;
	if (sigsetjmp(jb, 1)) {
		armed = 0;
		return fault_addr == (void *)(p + 17) ? 1 : -1;
	}
	armed = 1;
	if (write)
		p[17] = *val;
	else
		*val = p[17];
	armed = 0;
	return 0;
}

static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	failed |= !ok;
}

/* The VMM may not touch the page: a read and a write both fault, at that byte. */
static void gone(uint64_t pa, const char *what)
{
	uint8_t v = 0x5a;

	check(faults(pa, false, &v) == 1 && faults(pa, true, &v) == 1, what);
}

/* The VMM reads @want at the page, and may write it. */
static void back(uint64_t pa, uint8_t want, const char *what)
{
	uint8_t v = 0, w = 0x77;

	check(faults(pa, false, &v) == 0 && v == want && faults(pa, true, &w) == 0 &&
		      faults(pa, false, &v) == 0 && v == 0x77,
	      what);
}

static uint64_t take(uint64_t n, uint64_t align)
{
	uint64_t pa = (next_pa + align - 1) & ~(align - 1);

	next_pa = pa + n * PAGE;
	return pa;
}

/* Is the page in memory at all? (mincore on libpvm's own view of it.) */
static bool resident(uint64_t pa)
{
	unsigned char v = 0;

	return mincore(pvm_port_phys_to_virt(pvm_pa(pa)), PAGE, &v) == 0 && (v & 1);
}

int main(void)
{
	struct pvm_kvm_config kc = {.ram_base = RAM, .ram_size = RAM_SIZE, .ipa_bits = IPA_BITS};
	struct pvm_hyp_config mc = {.ram_base = RAM,
				    .ram_size = RAM_SIZE,
				    .hyp_base = HYP_BASE,
				    .hyp_size = HYP_SIZE,
				    .pa_bits = 40};
	struct pvm_vm_config vc = {
		.ipa_bits = IPA_BITS, .protected_vm = true, .ram_base = GUEST_IPA, .ram_size = MiB};
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	uint64_t n = pvm_vm_create_pages(IPA_BITS), a, b, c, left = 1;
	unsigned vm;
	uint8_t v = 0xa5;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	if (pvm_kvm_init(&kc, NULL) || pvm_hyp_init(&mc, &hyp, NULL) ||
	    pvm_mem_topup(hyp, pvm_pa(take(512, 2 * MiB)), 512, NULL) ||
	    pvm_vm_create(hyp, &vc, pvm_pa(take(n, 2 * MiB)), n, &vm, NULL)) {
		printf("FAIL setup\nEND failed\n");
		return 1;
	}
	a = take(1, PAGE);
	b = take(1, PAGE);
	c = take(1, PAGE);
	gone(HYP_BASE, "libpvm's carve-out (metadata, tables): not in the VMM's view");
	gone(RAM, "a page given to libpvm's pool: not in the VMM's view");
	faults(a, true, &v);
	back(a, 0xa5, "a host page: the VMM reads and writes it");

	check(!pvm_vm_load_measured(hyp, vm, pvm_pa(a), pvm_ipa(GUEST_IPA), 1, PVM_MEASURE_DATA,
				    NULL),
	      "load page A into the protected VM (measured)");
	gone(a, "donated: the VMM's read and write of A fault");
	check(((volatile uint8_t *)pvm_port_phys_to_virt(pvm_pa(a)))[17] == 0x77,
	      "loaded: A keeps its contents for the guest (libpvm's and KVM's view)");
	check(!pvm_guest_share_host(hyp, vm, pvm_ipa(GUEST_IPA), 1, NULL),
	      "the guest shares A with the host");
	back(a, 0x77, "shared: the VMM reads A's contents and writes A");
	check(!pvm_guest_unshare_host(hyp, vm, pvm_ipa(GUEST_IPA), 1, NULL),
	      "the guest unshares A");
	gone(a, "unshared: the VMM's read and write of A fault again");
	check(!pvm_guest_relinquish_host(hyp, vm, pvm_ipa(GUEST_IPA), 1, NULL),
	      "the guest relinquishes A");
	check(!resident(a), "relinquished: A was zeroed and punched out of the memfd");
	back(a, 0, "relinquished: the VMM reads zero from A and writes it");

	faults(b, true, &v);
	check(!pvm_host_donate_guest(hyp, vm, pvm_pa(b), pvm_ipa(GUEST_IPA + PAGE), 1, NULL),
	      "donate page B");
	gone(b, "donated: the VMM's read of B faults");
	check(((volatile uint8_t *)pvm_port_phys_to_virt(pvm_pa(b)))[17] == 0,
	      "donated without a measurement: B arrives zeroed (libpvm's and KVM's view)");
	check(!pvm_vm_teardown_start(hyp, vm), "teardown_start");
	gone(b, "being torn down: B still faults");
	while (left && !pvm_vm_reclaim(hyp, vm, 64, &left, NULL))
		;
	check(!left && !pvm_vm_teardown_finish(hyp, vm), "reclaim everything, teardown_finish");
	check(!resident(b), "reclaimed: B was zeroed and punched out");
	back(b, 0, "reclaimed: the VMM reads zero from B and writes it");

	faults(c, true, &v);
	check(!pvm_mem_topup(hyp, pvm_pa(c), 1, NULL), "give page C to libpvm's pool");
	gone(c, "pool page: the VMM's read of C faults");
	check(pvm_mem_reclaim_pool(hyp, 1024) > 0, "take the pool's free pages back");
	back(c, 0, "back from the pool: C is zero and the VMM's again");

	pvm_kvm_fini();
	printf("END %s\n", failed ? "failed" : "ok");
	return failed;
}
