/* SPDX-License-Identifier: Apache-2.0 */
/* minimal-vmm --port sim|kvm GUEST.elf (docs/vmm.md), a VMM to copy: a protected VM with one vCPU
 * runs the ELF, loaded measured, until it turns the VM off (exits on stderr, UART on stdout). */
#include <libpvm/attest.h>
#include <libpvm/pvm.h>

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MiB	  (1ull << 20)
#define RAM_BASE  0x40000000ull		/* the machine: 64 MiB of memory, of which */
#define RAM_SIZE  (64 * MiB)		/* the top 4 MiB are the hypervisor's own */
#define HYP_BASE  (RAM_BASE + 60 * MiB) /* (its carve-out) */
#define IPA_BITS  36			/* the guest's, and the sample guests' layout */
#define GUEST_RAM 0x80000000ull		/* (samples/common/include/pvm_layout.h): RAM, */
#define UART	  0x09000000ull		/* and a PL011 */

static struct pvm_hyp *hyp;
#ifdef MINVMM_PORT_KVM /* with libpvm::kvm (libpvm-kvm.pc) */
#include <libpvm/kvm.h>
#define PORT	    "kvm"
#define port_init() pvm_kvm_init(&(struct pvm_kvm_config){RAM_BASE, RAM_SIZE, IPA_BITS}, NULL)
#define port_ram    pvm_kvm_ram /* the VMM's view: a page given away is not mapped */
#define port_vm(vm) pvm_kvm_vm_attach(hyp, vm, &caps) /* a KVM VM, pKVM-protected if offered */
#define port_attach pvm_kvm_vcpu_attach		      /* a KVM vCPU */
#define port_fini   pvm_kvm_fini		      /* and every KVM VM and vCPU */
#define up_front    (!caps.mem_faults) /* RAM faults may not reach the VMM: give all RAM first */
static struct pvm_kvm_vm_caps caps;
#else /* with libpvm::sim (libpvm-sim.pc) */
#include <libpvm/sim.h>
#include <libpvm/sim_vcpu.h>
#define PORT	    "sim"
#define port_init() pvm_sim_init(&(struct pvm_sim_config){RAM_BASE, RAM_SIZE})
#define port_ram    pvm_sim_ram
#define port_vm(vm) PVM_OK			/* nothing for the VM, */
#define port_attach pvm_sim_vcpu_attach_unicorn /* an emulated CPU per vCPU */
#define port_fini   pvm_sim_fini		/* and every such CPU */
#define up_front    0
#endif

static const struct pvm_vm_config vc = {
	.ipa_bits = IPA_BITS, .protected_vm = true, .ram_base = GUEST_RAM, .ram_size = 16 * MiB};
static unsigned vm = PVM_VM_MAX, vcpu;			  /* PVM_VM_MAX: no VM yet */
static uint64_t vm_next = RAM_BASE, pool_next = HYP_BASE; /* host pages: VM's up, pool's down */

/* Say what failed and why: 1, the program's failure. */
#define fail(what, st)                                                                             \
	(fprintf(stderr, "minimal-vmm: %s: %s (%d)\n", what, pvm_strerror(st), (int)(st)), 1)

/* Top the pool up with whole 2 MiB blocks (taking one splits no table) for `need` pages. */
static pvm_status_t topup(size_t need)
{
	uint64_t bytes = (need / 512 + 1) * 2 * MiB;

	if (bytes > pool_next - vm_next)
		return PVM_E_NOMEM;
	pool_next -= bytes;
	return pvm_mem_topup(hyp, pvm_pa(pool_next), bytes / PVM_PAGE_SIZE, NULL);
}

/* Call; PVM_E_NOMEM (pool `need` pages short, nothing done): top up, retry; not OK or @ok: stop */
#define CALL_OR(call, ok)                                                                          \
	do {                                                                                       \
		size_t need = 0;                                                                   \
		pvm_status_t st_;                                                                  \
		while ((st_ = (call)) == PVM_E_NOMEM && topup(need) == PVM_OK)                     \
			(void)need;                                                                \
		if (st_ != PVM_OK && st_ != (ok))                                                  \
			return fail(#call, st_);                                                   \
	} while (0)
#define CALL(call) CALL_OR(call, PVM_OK)

/* Memory at @ipa: @len bytes measured as @flags (PVM_MEASURE_*), or with no flags a zero page. */
static int give(uint64_t ipa, const unsigned char *bytes, size_t len, unsigned flags)
{
	uint64_t n = len ? (len + PVM_PAGE_SIZE - 1) / PVM_PAGE_SIZE : 1;
	pvm_paddr_t pa = pvm_pa(vm_next);

	if (n * PVM_PAGE_SIZE > pool_next - vm_next)
		return fail("no host page left for the VM", PVM_E_RANGE);
	vm_next += n * PVM_PAGE_SIZE;
	if (flags) { /* the one way the host's bytes reach a protected VM */
		memset(port_ram(pa, n * PVM_PAGE_SIZE), 0, n * PVM_PAGE_SIZE);
		memcpy(port_ram(pa, len), bytes, len);
		CALL(pvm_vm_load_measured(hyp, vm, pa, pvm_ipa(ipa), n, flags, &need));
	} else { /* donated: zeroed once the host has lost it; EXISTS: loaded, this one unused */
		CALL_OR(pvm_host_donate_guest(hyp, vm, pa, pvm_ipa(ipa), n, &need), PVM_E_EXISTS);
	}
	return 0;
}

/* PT_LOAD segments' file bytes at their physical addresses; .bss, stacks come at faults. */
static int load_elf(const char *path, uint64_t *entry)
{
	static _Alignas(8) unsigned char img[4 * MiB]; /* the sample guests are far smaller */
	FILE *f = fopen(path, "rb");
	size_t size = f ? fread(img, 1, sizeof(img), f) : 0;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr ph;

	if (f)
		fclose(f);
	if (size < sizeof(*eh) || memcmp(img, ELFMAG, SELFMAG) || eh->e_machine != EM_AARCH64 ||
	    eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(ph))
		return fail("not a readable aarch64 ELF file", PVM_E_INVAL);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
			return fail("a segment beyond the end of the file", PVM_E_INVAL);
		if (give(ph.p_paddr, img + ph.p_offset, ph.p_filesz,
			 ph.p_flags & PF_X ? PVM_MEASURE_CODE : PVM_MEASURE_DATA))
			return 1;
	}
	*entry = eh->e_entry;
	return 0;
}

/* Run the vCPU until the guest turns the VM off, serving each exit and printing it. */
static int run(void)
{
	struct pvm_exit e = {.kind = PVM_EXIT_NONE}; /* in: the last exit's completion */

	for (;;) {
		CALL(pvm_vcpu_run(hyp, vm, vcpu, &e));
		e.flags = 0;
		switch (e.kind) {
		case PVM_EXIT_MMIO: /* a device: the UART's data register, or an abort */
			e.flags = e.mmio.write && e.mmio.ipa == UART ? 0 : PVM_EXIT_F_ABORT;
			if (!e.flags)
				putchar((int)(e.mmio.data & 0xff));
			fprintf(stderr, "exit mmio write=%d ipa=%#" PRIx64 " data=%#" PRIx64 "\n",
				e.mmio.write, e.mmio.ipa, e.mmio.data);
			break;
		case PVM_EXIT_MEM_FAULT: /* guest RAM with no page yet: give one */
			fprintf(stderr, "exit mem_fault ipa=%#" PRIx64 "\n", e.mem_fault.ipa);
			if (give(e.mem_fault.ipa, NULL, 0, 0))
				return 1;
			break;
		case PVM_EXIT_NEED_PAGES: /* a guest's call found the pool short: it runs again */
			fprintf(stderr, "exit need_pages pages=%" PRIu64 "\n", e.need.pages);
			CALL(topup(e.need.pages));
			break;
		case PVM_EXIT_PSCI: /* one vCPU: SYSTEM_OFF ends the run, as would a reset here */
			fprintf(stderr, "exit psci fn=%#x target=%u\n", e.psci.fn, e.psci.target);
			return e.psci.fn != PSCI_SYSTEM_OFF;
		case PVM_EXIT_INTERNAL:
			return fail("exit internal", e.internal.status);
		default: /* WFI (it may end at once), GUEST_FAULT, MEM_SHARE, INTERRUPTED, ... */
			fprintf(stderr, "exit kind=%u\n", e.kind); /* enum pvm_exit_kind */
		}
	}
}

/* The VM, its vCPU, the guest's image; the VM's pages first: RAM_BASE aligns them as needed. */
static int boot(const char *elf)
{
	struct pvm_hyp_config hc = {RAM_BASE, RAM_SIZE, HYP_BASE, RAM_SIZE - 60 * MiB, 40};
	uint64_t n = pvm_vm_create_pages(IPA_BITS), entry = 0;

	vm_next += (n + 1) * PVM_PAGE_SIZE;
	CALL(pvm_hyp_init(&hc, &hyp, NULL));
	CALL(pvm_vm_create(hyp, &vc, pvm_pa(RAM_BASE), n, &vm, &need)); /* vm set on success */
	CALL(pvm_vcpu_create(hyp, vm, pvm_pa(RAM_BASE + n * PVM_PAGE_SIZE), &vcpu, &need));
	CALL(port_vm(vm));
	CALL(port_attach(vm, vcpu));
	if (load_elf(elf, &entry))
		return 1;
	for (uint64_t ipa = GUEST_RAM; up_front && ipa < GUEST_RAM + vc.ram_size; ipa += 4096)
		if (give(ipa, NULL, 0, 0))
			return 1;
	CALL(pvm_vcpu_boot(hyp, vm, vcpu, pvm_ipa(entry), 0)); /* x0: no device tree */
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t left = 1;

	if (argc != 4 || strcmp(argv[1], "--port") || strcmp(argv[2], PORT)) {
		fprintf(stderr, "usage: minimal-vmm --port " PORT " GUEST.elf (this build's)\n");
		return 2;
	}
	CALL(port_init());
	int rc = boot(argv[3]) || run();
	if (vm < PVM_VM_MAX) { /* reclaim zeroes each page the guest had, gives it back */
		CALL(pvm_vm_teardown_start(hyp, vm));
		while (left)
			CALL(pvm_vm_reclaim(hyp, vm, 64, &left, &need)); /* bounded steps */
		CALL(pvm_vm_teardown_finish(hyp, vm)); /* and the VM's own pages, its vCPU's */
		CALL(pvm_mem_check(hyp, NULL));	       /* no page is a gone VM's: all are back */
		fprintf(stderr, "minimal-vmm: torn down: the %llu pages given are back\n",
			(vm_next - RAM_BASE) / PVM_PAGE_SIZE);
	}
	port_fini();
	return rc;
}
