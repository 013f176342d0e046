/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interrupts through the KVM port's API, as a table of (state, operation)
 * -> status, in order: attaching the KVM VM (pvm_kvm_vm_attach()) with bad
 * arguments and before it, the in-kernel GICv3's creation with bad and good
 * layouts, KVM_IRQ_LINE for each kind of INTID, pvm_vcpu_inject_irq() on
 * this port (an edge on an SPI; SGIs and PPIs refused), the vCPU set
 * fixed once the vGIC is set up, and a first run
 * that must initialise the vGIC and reach the guest's PSCI SYSTEM_OFF.
 * Static, run inside the kernels of tests/integration/kvm (linux_guest.sh,
 * PVM_KVM_IRQ_TEST). One `PASS`/`FAIL` line per row, then `END ok` or
 * `END failed`; exit 0 only if every row passed.
 */
#include <libpvm/abi.h>
#include <libpvm/attest.h>
#include <libpvm/kvm.h>
#include <libpvm/mem.h>
#include <libpvm/vcpu.h>
#include <libpvm/vm.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MiB	  (1024ull * 1024)
#define RAM_BASE  0x40000000ull
#define RAM_SIZE  (64 * MiB)
#define HYP_SIZE  (8 * MiB)
#define BLOCK	  (2 * MiB)
#define IPA_BITS  36
#define GUEST_RAM 0x80000000ull
#define SPI	  40u /* an SPI below PVM_KVM_GIC_NR_IRQS */

static struct pvm_hyp *hyp;
static uint64_t next_pa = RAM_BASE;
static unsigned vm, vcpu;

static uint64_t host_pages(uint64_t n, uint64_t align)
{
	uint64_t pa = (next_pa + align - 1) & ~(align - 1);

	next_pa = pa + n * PVM_PAGE_SIZE;
	return pa;
}

/* One protected VM, one vCPU, one page of code: PSCI SYSTEM_OFF by HVC. */
static int setup(void)
{
	static const uint32_t code[] = {
		0xd2800100, /* movz x0, #0x0008 */
		0xf2b08000, /* movk x0, #0x8400, lsl #16: PSCI_SYSTEM_OFF */
		0xd4000002, /* hvc #0 */
	};
	struct pvm_kvm_config kc = {
		.ram_base = RAM_BASE, .ram_size = RAM_SIZE, .ipa_bits = IPA_BITS};
	struct pvm_hyp_config mc = {.ram_base = RAM_BASE,
				    .ram_size = RAM_SIZE,
				    .hyp_base = RAM_BASE + RAM_SIZE - HYP_SIZE,
				    .hyp_size = HYP_SIZE,
				    .pa_bits = 40};
	struct pvm_vm_config vc = {.ipa_bits = IPA_BITS,
				   .protected_vm = true,
				   .ram_base = GUEST_RAM,
				   .ram_size = BLOCK};
	uint64_t n = pvm_vm_create_pages(IPA_BITS), page;
	size_t need = 0;

	if (pvm_kvm_init(&kc, NULL) || pvm_hyp_init(&mc, &hyp, NULL) ||
	    pvm_mem_topup(hyp, pvm_pa(host_pages(4 * BLOCK / PVM_PAGE_SIZE, BLOCK)),
			  4 * BLOCK / PVM_PAGE_SIZE, NULL) ||
	    pvm_vm_create(hyp, &vc, pvm_pa(host_pages(n, BLOCK)), n, &vm, &need) ||
	    pvm_vcpu_create(hyp, vm, pvm_pa(host_pages(1, PVM_PAGE_SIZE)), &vcpu, &need) ||
	    pvm_kvm_vm_attach(hyp, vm, NULL) || pvm_kvm_vcpu_attach(vm, vcpu))
		return -1;
	page = host_pages(1, PVM_PAGE_SIZE);
	memcpy(pvm_kvm_ram(pvm_pa(page), sizeof(code)), code, sizeof(code));
	/* Loaded measured: a plain donation would give the guest a zeroed page. */
	return pvm_vm_load_measured(hyp, vm, pvm_pa(page), pvm_ipa(GUEST_RAM), 1, PVM_MEASURE_CODE,
				    &need) ||
			       pvm_vcpu_boot(hyp, vm, vcpu, pvm_ipa(GUEST_RAM), 0)
		       ? -1
		       : 0;
}

static pvm_status_t gic(uint64_t dist, uint64_t redist, unsigned nr)
{
	struct pvm_kvm_gic g = {.dist_base = dist, .redist_base = redist, .nr_irqs = nr};

	return pvm_kvm_vm_gic(vm, &g);
}

/* The first run: PVM_OK only if the guest's SYSTEM_OFF came back as its exit. */
static pvm_status_t run_to_off(void)
{
	struct pvm_exit e;
	pvm_status_t ret;

	memset(&e, 0, sizeof(e));
	ret = pvm_vcpu_run(hyp, vm, vcpu, &e);
	if (ret)
		return ret;
	return e.kind == PVM_EXIT_PSCI && e.psci.fn == PSCI_SYSTEM_OFF ? PVM_OK : PVM_E_STATE;
}

enum op {
	VM_ATTACH_NO_HYP,
	VM_ATTACH_BAD_VM,
	VM_ATTACH_NO_VM,
	VM_ATTACH_TWICE,
	VCPU_ATTACH_NO_KVM_VM,
	GIC_NO_KVM_VM,
	LINE_NO_GIC,
	INJECT_NO_GIC,
	GIC_NULL,
	GIC_BAD_VM,
	GIC_MISALIGNED,
	GIC_BAD_NR,
	GIC_OVERLAP,
	GIC_BEYOND_IPA,
	GIC_QEMU_LAYOUT,
	GIC_TWICE,
	LINE_SGI,
	LINE_PPI_UP,
	LINE_PPI_DOWN,
	LINE_PPI_NO_VCPU,
	ATTACH_FROZEN,
	LINE_SPI_UP,
	LINE_SPI_DOWN,
	LINE_BEYOND_GIC,
	INJECT_SGI,
	INJECT_PPI,
	INJECT_SPI,
	INJECT_OUT_OF_RANGE,
	RUN,
};

static const struct row {
	enum op op;
	const char *what;
	pvm_status_t want;
} table[] = {
	{VM_ATTACH_NO_HYP, "vm_attach with no hypervisor", PVM_E_INVAL},
	{VM_ATTACH_BAD_VM, "vm_attach of a handle out of range", PVM_E_INVAL},
	{VM_ATTACH_NO_VM, "vm_attach of a VM never created", PVM_E_NOENT},
	{VM_ATTACH_TWICE, "vm_attach a second time", PVM_E_EXISTS},
	{VCPU_ATTACH_NO_KVM_VM, "vcpu_attach to a VM not attached", PVM_E_STATE},
	{GIC_NO_KVM_VM, "vm_gic of a VM not attached", PVM_E_STATE},
	{LINE_NO_GIC, "irq_line before the VM has a GIC", PVM_E_STATE},
	{INJECT_NO_GIC, "inject_irq of an SPI, no GIC", PVM_E_NOTSUP},
	{GIC_NULL, "vm_gic with no layout", PVM_E_INVAL},
	{GIC_BAD_VM, "vm_gic on a handle out of range", PVM_E_INVAL},
	{GIC_MISALIGNED, "vm_gic with a distributor not 64 KiB aligned", PVM_E_INVAL},
	{GIC_BAD_NR, "vm_gic with 48 IRQs (not a multiple of 32)", PVM_E_INVAL},
	{GIC_OVERLAP, "vm_gic with redistributors over the distributor", PVM_E_RANGE},
	{GIC_BEYOND_IPA, "vm_gic beyond the 36-bit IPA space", PVM_E_RANGE},
	{GIC_QEMU_LAYOUT, "vm_gic at QEMU virt's layout", PVM_OK},
	{GIC_TWICE, "vm_gic a second time", PVM_E_EXISTS},
	{LINE_SGI, "irq_line of SGI 1", PVM_E_NOTSUP},
	{LINE_PPI_UP, "irq_line PPI 27 of vCPU 0 up", PVM_OK},
	{LINE_PPI_DOWN, "irq_line PPI 27 of vCPU 0 down", PVM_OK},
	{LINE_PPI_NO_VCPU, "irq_line PPI 27 of a vCPU never attached", PVM_E_NOENT},
	{ATTACH_FROZEN, "vcpu_attach once a line was raised (vGIC set up)", PVM_E_STATE},
	{LINE_SPI_UP, "irq_line SPI 40 up", PVM_OK},
	{LINE_SPI_DOWN, "irq_line SPI 40 down", PVM_OK},
	{LINE_BEYOND_GIC, "irq_line of INTID 200 (the GIC has 128)", PVM_E_INVAL},
	{INJECT_SGI, "inject_irq of SGI 1", PVM_E_NOTSUP},
	{INJECT_PPI, "inject_irq of PPI 27 (KVM's PPIs are level only)", PVM_E_NOTSUP},
	{INJECT_SPI, "inject_irq of SPI 40 (an edge)", PVM_OK},
	{INJECT_OUT_OF_RANGE, "inject_irq of INTID 128", PVM_E_INVAL},
	{RUN, "first run: vGIC initialised, the guest's SYSTEM_OFF", PVM_OK},
};

static pvm_status_t call(enum op op)
{
	switch (op) {
	case VM_ATTACH_NO_HYP:
		return pvm_kvm_vm_attach(NULL, vm, NULL);
	case VM_ATTACH_BAD_VM:
		return pvm_kvm_vm_attach(hyp, PVM_VM_MAX, NULL);
	case VM_ATTACH_NO_VM:
		return pvm_kvm_vm_attach(hyp, vm + 1, NULL);
	case VM_ATTACH_TWICE:
		return pvm_kvm_vm_attach(hyp, vm, NULL);
	case VCPU_ATTACH_NO_KVM_VM:
		return pvm_kvm_vcpu_attach(vm + 1, 0);
	case GIC_NO_KVM_VM: {
		struct pvm_kvm_gic g = {PVM_KVM_GIC_DIST_BASE, PVM_KVM_GIC_REDIST_BASE,
					PVM_KVM_GIC_NR_IRQS};

		return pvm_kvm_vm_gic(vm + 1, &g);
	}
	case LINE_NO_GIC:
		return pvm_kvm_irq_line(vm, vcpu, SPI, true);
	case INJECT_NO_GIC:
		return pvm_vcpu_inject_irq(hyp, vm, vcpu, SPI);
	case GIC_NULL:
		return pvm_kvm_vm_gic(vm, NULL);
	case GIC_BAD_VM: {
		struct pvm_kvm_gic g = {PVM_KVM_GIC_DIST_BASE, PVM_KVM_GIC_REDIST_BASE,
					PVM_KVM_GIC_NR_IRQS};

		return pvm_kvm_vm_gic(PVM_VM_MAX, &g);
	}
	case GIC_MISALIGNED:
		return gic(PVM_KVM_GIC_DIST_BASE + 0x1000, PVM_KVM_GIC_REDIST_BASE,
			   PVM_KVM_GIC_NR_IRQS);
	case GIC_BAD_NR:
		return gic(PVM_KVM_GIC_DIST_BASE, PVM_KVM_GIC_REDIST_BASE, 48);
	case GIC_OVERLAP:
		return gic(PVM_KVM_GIC_DIST_BASE, PVM_KVM_GIC_DIST_BASE, PVM_KVM_GIC_NR_IRQS);
	case GIC_BEYOND_IPA:
		return gic(1ull << IPA_BITS, PVM_KVM_GIC_REDIST_BASE, PVM_KVM_GIC_NR_IRQS);
	case GIC_QEMU_LAYOUT:
	case GIC_TWICE:
		return gic(PVM_KVM_GIC_DIST_BASE, PVM_KVM_GIC_REDIST_BASE, PVM_KVM_GIC_NR_IRQS);
	case LINE_SGI:
		return pvm_kvm_irq_line(vm, vcpu, 1, true);
	case LINE_PPI_UP:
	case LINE_PPI_DOWN:
		return pvm_kvm_irq_line(vm, vcpu, 27, op == LINE_PPI_UP);
	case LINE_PPI_NO_VCPU:
		return pvm_kvm_irq_line(vm, vcpu + 1, 27, true);
	case ATTACH_FROZEN:
		return pvm_kvm_vcpu_attach(vm, vcpu + 1);
	case LINE_SPI_UP:
	case LINE_SPI_DOWN:
		return pvm_kvm_irq_line(vm, vcpu, SPI, op == LINE_SPI_UP);
	case LINE_BEYOND_GIC:
		return pvm_kvm_irq_line(vm, vcpu, 200, true);
	case INJECT_SGI:
		return pvm_vcpu_inject_irq(hyp, vm, vcpu, 1);
	case INJECT_PPI:
		return pvm_vcpu_inject_irq(hyp, vm, vcpu, 27);
	case INJECT_SPI:
		return pvm_vcpu_inject_irq(hyp, vm, vcpu, SPI);
	case INJECT_OUT_OF_RANGE:
		return pvm_vcpu_inject_irq(hyp, vm, vcpu, 128);
	case RUN:
		return run_to_off();
	}
	return PVM_E_INVAL;
}

int main(void)
{
	int failed = 0;
	unsigned i;

	/* A guest that never exits must fail the table, not hang its kernel's test. */
	alarm(120);
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
	pvm_kvm_vm_detach(vm);
	pvm_kvm_fini();
	printf("END %s\n", failed ? "failed" : "ok");
	return failed;
}
