/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bad input through the host API, one table for every port (issue 7): bad
 * handles, a second mapping at a mapped IPA, memory donated twice, a torn
 * down VM run. Built on the simulator (CTest api.sim.bad_input) and, static,
 * on the KVM port (run inside the kernels of tests/integration/kvm): both
 * must return the statuses in the table, which are the simulator's as
 * include/libpvm/{vm,hyp,vcpu}.h document them. One `PASS`/`FAIL` line per
 * row, then `END ok` or `END failed`; exit 0 only if every row passed.
 */
#include <libpvm/mem.h>
#include <libpvm/vcpu.h>
#include <libpvm/vm.h>
#ifdef PVM_BAD_INPUT_KVM
#include <libpvm/kvm.h>
#else
#include <libpvm/sim.h>
#endif

#include <stdio.h>
#include <string.h>

#define MiB	   (1024ull * 1024)
#define RAM_BASE   0x40000000ull
#define RAM_SIZE   (64 * MiB)
#define HYP_SIZE   (8 * MiB)
#define BLOCK	   (2 * MiB)
#define IPA_BITS   36
#define GUEST_RAM  0x80000000ull
#define GUEST_SIZE (16 * MiB)
#define BAD_HANDLE (PVM_VM_MAX + 3u)
#define BAD_VCPU   (PVM_VCPU_MAX + 1u)

static struct pvm_hyp *hyp;
static uint64_t next_pa = RAM_BASE;
static unsigned vm, vcpu;
static uint64_t page_a, page_b, page_c;
static int failed;

static uint64_t host_pages(uint64_t n, uint64_t align)
{
	uint64_t pa = (next_pa + align - 1) & ~(align - 1);

	next_pa = pa + n * PVM_PAGE_SIZE;
	return pa;
}

static int port_init(void)
{
#ifdef PVM_BAD_INPUT_KVM
	struct pvm_kvm_config c = {
		.ram_base = RAM_BASE, .ram_size = RAM_SIZE, .ipa_bits = IPA_BITS};

	return pvm_kvm_init(&c, NULL) ? -1 : 0;
#else
	struct pvm_sim_config c = {.ram_base = RAM_BASE, .ram_size = RAM_SIZE};

	return pvm_sim_init(&c) ? -1 : 0;
#endif
}

static void port_fini(void)
{
#ifdef PVM_BAD_INPUT_KVM
	pvm_kvm_vm_detach(vm);
	pvm_kvm_fini();
#else
	pvm_sim_fini();
#endif
}

/* The core's calls need a machine: one protected VM with one vCPU (its KVM vCPU too). */
static int setup(void)
{
	struct pvm_hyp_config mc = {.ram_base = RAM_BASE,
				    .ram_size = RAM_SIZE,
				    .hyp_base = RAM_BASE + RAM_SIZE - HYP_SIZE,
				    .hyp_size = HYP_SIZE,
				    .pa_bits = 40};
	struct pvm_vm_config vc = {.ipa_bits = IPA_BITS,
				   .protected_vm = true,
				   .ram_base = GUEST_RAM,
				   .ram_size = GUEST_SIZE};
	uint64_t n = pvm_vm_create_pages(IPA_BITS);
	size_t need = 0;

	if (port_init() || pvm_hyp_init(&mc, &hyp, NULL) ||
	    pvm_mem_topup(hyp, pvm_pa(host_pages(4 * BLOCK / PVM_PAGE_SIZE, BLOCK)),
			  4 * BLOCK / PVM_PAGE_SIZE, NULL) ||
	    pvm_vm_create(hyp, &vc, pvm_pa(host_pages(n, BLOCK)), n, &vm, &need) ||
	    pvm_vcpu_create(hyp, vm, pvm_pa(host_pages(1, PVM_PAGE_SIZE)), &vcpu, &need))
		return -1;
#ifdef PVM_BAD_INPUT_KVM
	if (pvm_kvm_vm_attach(hyp, vm, NULL) || pvm_kvm_vcpu_attach(vm, vcpu))
		return -1;
#endif
	page_a = host_pages(1, PVM_PAGE_SIZE);
	page_b = host_pages(1, PVM_PAGE_SIZE);
	page_c = host_pages(2, PVM_PAGE_SIZE);
	return 0;
}

static pvm_status_t reclaim_all(void)
{
	uint64_t left = 1;
	size_t need = 0;
	pvm_status_t ret = PVM_OK;

	while (!ret && left)
		ret = pvm_vm_reclaim(hyp, vm, 4096, &left, &need);
	return ret ? ret : pvm_vm_teardown_finish(hyp, vm);
}

static pvm_status_t run(unsigned h, unsigned i)
{
	struct pvm_exit e;

	memset(&e, 0, sizeof(e));
	return pvm_vcpu_run(hyp, h, i, &e);
}

static pvm_status_t info(unsigned h)
{
	struct pvm_vm_info inf;

	return pvm_vm_info(hyp, h, &inf);
}

static pvm_status_t donate(uint64_t pa, uint64_t ipa, uint64_t n)
{
	return pvm_host_donate_guest(hyp, vm, pvm_pa(pa), pvm_ipa(ipa), n, NULL);
}

static pvm_status_t boot_bad_vcpu(void)
{
	return pvm_vcpu_boot(hyp, vm, BAD_VCPU, pvm_ipa(GUEST_RAM), 0);
}

static pvm_status_t create_vcpu_bad_vm(void)
{
	unsigned idx;

	return pvm_vcpu_create(hyp, BAD_HANDLE, pvm_pa(host_pages(1, PVM_PAGE_SIZE)), &idx, NULL);
}

/* In order: each row may rely on the ones before it (state, operation) -> status. */
enum op {
	INFO_BAD_HANDLE,
	RUN_BAD_HANDLE,
	RUN_BAD_VCPU,
	BOOT_BAD_VCPU,
	VCPU_CREATE_BAD_HANDLE,
	DONATE_BAD_HANDLE,
	DONATE_A,
	DONATE_A_TWICE,
	DONATE_B_OVER_A,
	DONATE_RANGE_OVERLAPPING_A,
	DONATE_MISALIGNED,
	DONATE_OUTSIDE_IPA,
	SHARE_TO_PROTECTED,
	TEARDOWN_START,
	RUN_TORN_DOWN,
	DONATE_TORN_DOWN,
	TEARDOWN_START_TWICE,
	TEARDOWN_FINISH,
	RUN_FINISHED,
	INFO_FINISHED,
};

static const struct row {
	enum op op;
	const char *what;
	pvm_status_t want;
} table[] = {
	{INFO_BAD_HANDLE, "vm_info on a handle never given", PVM_E_NOENT},
	{RUN_BAD_HANDLE, "vcpu_run on a handle never given", PVM_E_NOENT},
	{RUN_BAD_VCPU, "vcpu_run on a vCPU index out of range", PVM_E_NOENT},
	{BOOT_BAD_VCPU, "vcpu_boot on a vCPU index out of range", PVM_E_NOENT},
	{VCPU_CREATE_BAD_HANDLE, "vcpu_create in a VM never created", PVM_E_NOENT},
	{DONATE_BAD_HANDLE, "donate_guest to a VM never created", PVM_E_NOENT},
	{DONATE_A, "donate_guest page A at RAM+0", PVM_OK},
	{DONATE_A_TWICE, "donate_guest page A again at RAM+1p", PVM_E_STATE},
	{DONATE_B_OVER_A, "donate_guest page B at RAM+0, mapped", PVM_E_EXISTS},
	{DONATE_RANGE_OVERLAPPING_A, "donate_guest 2 pages at RAM-1p..RAM+0", PVM_E_EXISTS},
	{DONATE_MISALIGNED, "donate_guest a misaligned PA", PVM_E_INVAL},
	{DONATE_OUTSIDE_IPA, "donate_guest beyond the IPA size", PVM_E_RANGE},
	{SHARE_TO_PROTECTED, "share_guest to a protected VM", PVM_E_PERM},
	{TEARDOWN_START, "teardown_start", PVM_OK},
	{RUN_TORN_DOWN, "vcpu_run on a VM being torn down", PVM_E_STATE},
	{DONATE_TORN_DOWN, "donate_guest to a VM being torn down", PVM_E_STATE},
	{TEARDOWN_START_TWICE, "teardown_start twice", PVM_E_STATE},
	{TEARDOWN_FINISH, "reclaim all, teardown_finish", PVM_OK},
	{RUN_FINISHED, "vcpu_run on a torn-down VM", PVM_E_NOENT},
	{INFO_FINISHED, "vm_info on a torn-down VM", PVM_E_NOENT},
};

static pvm_status_t call(enum op op)
{
	switch (op) {
	case INFO_BAD_HANDLE:
		return info(BAD_HANDLE);
	case RUN_BAD_HANDLE:
		return run(BAD_HANDLE, 0);
	case RUN_BAD_VCPU:
		return run(vm, BAD_VCPU);
	case BOOT_BAD_VCPU:
		return boot_bad_vcpu();
	case VCPU_CREATE_BAD_HANDLE:
		return create_vcpu_bad_vm();
	case DONATE_BAD_HANDLE:
		return pvm_host_donate_guest(hyp, BAD_HANDLE, pvm_pa(page_b), pvm_ipa(GUEST_RAM), 1,
					     NULL);
	case DONATE_A:
		return donate(page_a, GUEST_RAM, 1);
	case DONATE_A_TWICE:
		return donate(page_a, GUEST_RAM + PVM_PAGE_SIZE, 1);
	case DONATE_B_OVER_A:
		return donate(page_b, GUEST_RAM, 1);
	case DONATE_RANGE_OVERLAPPING_A:
		return donate(page_c, GUEST_RAM - PVM_PAGE_SIZE, 2);
	case DONATE_MISALIGNED:
		return donate(page_b + 8, GUEST_RAM + 2 * PVM_PAGE_SIZE, 1);
	case DONATE_OUTSIDE_IPA:
		return donate(page_b, 1ull << IPA_BITS, 1);
	case SHARE_TO_PROTECTED:
		return pvm_host_share_guest(hyp, vm, pvm_pa(page_b),
					    pvm_ipa(GUEST_RAM + 2 * PVM_PAGE_SIZE), 1, PVM_PROT_R,
					    NULL);
	case TEARDOWN_START:
	case TEARDOWN_START_TWICE:
		return pvm_vm_teardown_start(hyp, vm);
	case RUN_TORN_DOWN:
		return run(vm, vcpu);
	case DONATE_TORN_DOWN:
		return donate(page_b, GUEST_RAM + 3 * PVM_PAGE_SIZE, 1);
	case TEARDOWN_FINISH:
		return reclaim_all();
	case RUN_FINISHED:
		return run(vm, vcpu);
	case INFO_FINISHED:
		return info(vm);
	}
	return PVM_E_INVAL;
}

int main(void)
{
	unsigned i;

	if (setup()) {
		printf("FAIL setup: cannot create the machine, the VM or its vCPU\nEND failed\n");
		return 1;
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		pvm_status_t got = call(table[i].op);

		if (got == table[i].want) {
			printf("PASS %s: %s\n", table[i].what, pvm_strerror(got));
		} else {
			printf("FAIL %s: %s, expected %s\n", table[i].what, pvm_strerror(got),
			       pvm_strerror(table[i].want));
			failed = 1;
		}
	}
	port_fini();
	printf("END %s\n", failed ? "failed" : "ok");
	return failed;
}
