/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quickstart: the README's example, whole. On the simulator port: make a
 * protected VM, load six instructions of guest code into it measured,
 * run its vCPU and serve its exits (a UART write, then PSCI SYSTEM_OFF),
 * then tear it down. The part between the README markers is what the
 * README shows; tests/lint/readme_example.sh keeps the two the same.
 */
#include <libpvm/attest.h>
#include <libpvm/pvm.h>
#include <libpvm/sim.h>
#include <libpvm/sim_vcpu.h>

#include <stdio.h>
#include <string.h>

#define MiB	  (1ull << 20)
#define RAM	  PVM_SIM_RAM_BASE_DEFAULT
#define GUEST_RAM 0x80000000ull
#define UART	  0x09000000ull

/* The guest: store '!' to the UART, then PSCI SYSTEM_OFF through HVC. */
static const uint32_t guest_code[] = {
	0xd2a12001, /* movz x1, #0x0900, lsl #16 */
	0x52800422, /* movz w2, #'!' */
	0xb9000022, /* str  w2, [x1] */
	0xd2800100, /* movz x0, #0x0008 */
	0xf2b08000, /* movk x0, #0x8400, lsl #16: PSCI_SYSTEM_OFF */
	0xd4000002, /* hvc  #0 */
};

static struct pvm_hyp *hyp;
static uint64_t next_page = RAM; /* the host's own pages, handed out in order */

static pvm_paddr_t host_pages(uint64_t n, uint64_t align)
{
	next_page = (next_page + align - 1) & ~(align - 1);
	next_page += n * PVM_PAGE_SIZE;
	return pvm_pa(next_page - n * PVM_PAGE_SIZE);
}

/* A host page holding a copy of @len bytes (at most a page). */
static pvm_paddr_t host_copy(const void *bytes, size_t len)
{
	pvm_paddr_t pa = host_pages(1, PVM_PAGE_SIZE);

	memcpy(pvm_sim_ram(pa, len), bytes, len);
	return pa;
}

static int fail(const char *what, pvm_status_t ret)
{
	fprintf(stderr, "quickstart: %s: %s\n", what, pvm_strerror(ret));
	return 1;
}

/* Every call returns a status: on anything but PVM_OK, say which call and stop. */
#define TRY(call)                                                                                  \
	do {                                                                                       \
		pvm_status_t ret_ = (call);                                                        \
		if (ret_)                                                                          \
			return fail(#call, ret_);                                                  \
	} while (0)

int main(void)
{
	struct pvm_sim_config sc = {.ram_base = RAM, .ram_size = 64 * MiB};
	struct pvm_hyp_config mc = {.ram_base = RAM,
				    .ram_size = 64 * MiB,
				    .hyp_base = RAM + 60 * MiB, /* the hypervisor's carve-out */
				    .hyp_size = 4 * MiB,
				    .pa_bits = 40};
	TRY(pvm_sim_init(&sc));
	TRY(pvm_hyp_init(&mc, &hyp, NULL));
	/* README-BEGIN */
	struct pvm_vm_config cfg = {
		.ipa_bits = 36, .protected_vm = true, .ram_base = GUEST_RAM, .ram_size = 2 * MiB};
	uint64_t n = pvm_vm_create_pages(36), left;
	pvm_paddr_t code = host_copy(guest_code, sizeof(guest_code));
	struct pvm_exit exit = {0};
	unsigned vm, vcpu;
	TRY(pvm_vm_create(hyp, &cfg, host_pages(n, n * PVM_PAGE_SIZE), n, &vm, NULL));
	TRY(pvm_vcpu_create(hyp, vm, host_pages(1, PVM_PAGE_SIZE), &vcpu, NULL));
	TRY(pvm_vm_load_measured(hyp, vm, code, pvm_ipa(GUEST_RAM), 1, PVM_MEASURE_CODE, NULL));
	TRY(pvm_vcpu_boot(hyp, vm, vcpu, pvm_ipa(GUEST_RAM), 0));
	TRY(pvm_sim_vcpu_attach_unicorn(vm, vcpu));
	do {
		TRY(pvm_vcpu_run(hyp, vm, vcpu, &exit));
		if (exit.kind == PVM_EXIT_MMIO && exit.mmio.write && exit.mmio.ipa == UART)
			putchar((int)exit.mmio.data);
	} while (exit.kind == PVM_EXIT_MMIO);
	TRY(pvm_vm_teardown_start(hyp, vm));
	TRY(pvm_vm_reclaim(hyp, vm, UINT64_MAX, &left, NULL));
	TRY(pvm_vm_teardown_finish(hyp, vm));
	/* README-END */
	if (exit.kind != PVM_EXIT_PSCI || exit.psci.fn != PSCI_SYSTEM_OFF)
		return fail("the guest's last exit is not PSCI SYSTEM_OFF", PVM_E_STATE);
	printf("\nquickstart: the protected VM ran and was torn down\n");
	pvm_sim_vcpu_detach(vm, vcpu);
	pvm_sim_fini();
	return 0;
}
