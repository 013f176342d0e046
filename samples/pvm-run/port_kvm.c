/* SPDX-License-Identifier: Apache-2.0 */
/* pvm-run on the KVM port (pvm-run-kvm): guest CPUs are KVM vCPUs. */
#include <libpvm/kvm.h>

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vmm.h"

const char vmm_port_name[] = "kvm";

static struct pvm_kvm_caps caps;

int vmm_port_init(uint64_t ram_base, uint64_t ram_size)
{
	/* The sample guests' layout fits 36-bit IPAs (pvm-run's VMs use IPA_BITS 36). */
	struct pvm_kvm_config cfg = {.ram_base = ram_base, .ram_size = ram_size, .ipa_bits = 36};
	pvm_status_t ret = pvm_kvm_init(&cfg, &caps);

	if (ret)
		fprintf(stderr, "pvm-run: KVM port: %s\n", pvm_strerror(ret));
	return ret ? -1 : 0;
}

/* What the VM's KVM VM is: one VM per pvm-run. */
static struct pvm_kvm_vm_caps vm_caps;

pvm_status_t vmm_port_vm_attach(struct pvm_hyp *hyp, unsigned vm)
{
	pvm_status_t ret = pvm_kvm_vm_attach(hyp, vm, &vm_caps);

	if (!ret)
		fprintf(stderr, "pvm-run: KVM VM: %s, guest calls %s, memory %s\n",
			vm_caps.kernel_protected ? "pKVM-protected" : "ordinary",
			vm_caps.guest_calls ? "to libpvm" : "answered by the kernel",
			vm_caps.mem_faults ? "backed on its faults" : "backed before it runs");
	return ret;
}

/* Without guest calls (no SMCCC filter: Linux < 6.4, a pKVM-protected VM) KVM runs PSCI. */
bool vmm_port_psci_in_kernel(void)
{
	return !vm_caps.guest_calls;
}

bool vmm_port_back_up_front(void)
{
	return !vm_caps.mem_faults;
}

void vmm_port_fini(void)
{
	pvm_kvm_fini();
}

void *vmm_port_ram(uint64_t pa, size_t len)
{
	return pvm_kvm_ram(pvm_pa(pa), len);
}

pvm_status_t vmm_port_vcpu_attach(unsigned vm, unsigned index)
{
	return pvm_kvm_vcpu_attach(vm, index);
}

void vmm_port_vcpu_kick(unsigned vm, unsigned index)
{
	pvm_kvm_vcpu_kick(vm, index);
}

void vmm_port_vm_detach(unsigned vm, unsigned nvcpus)
{
	(void)nvcpus;
	pvm_kvm_vm_detach(vm);
}

/*
 * KVM's in-kernel GICv3 at QEMU virt's addresses, clear of pvm-run's UART
 * (0x09000000) and mailbox (0x09010000): the distributor's 64 KiB at
 * 0x08000000, then one 128 KiB redistributor per vCPU from 0x080a0000.
 */
int vmm_port_vm_gic(unsigned vm, unsigned nvcpus, struct vmm_gic *gic)
{
	struct pvm_kvm_gic kg = {.dist_base = PVM_KVM_GIC_DIST_BASE,
				 .redist_base = PVM_KVM_GIC_REDIST_BASE,
				 .nr_irqs = PVM_KVM_GIC_NR_IRQS};
	pvm_status_t ret;

	if (!caps.gic_v3)
		return 1;
	ret = pvm_kvm_vm_gic(vm, &kg);
	if (ret) {
		fprintf(stderr, "pvm-run: KVM's GICv3: %s\n", pvm_strerror(ret));
		return -1;
	}
	gic->dist_base = kg.dist_base;
	gic->dist_size = PVM_KVM_GIC_DIST_SIZE;
	gic->redist_base = kg.redist_base;
	gic->redist_size = nvcpus * PVM_KVM_GIC_REDIST_STRIDE;
	return 0;
}

/* KVM handles a guest's WFI in the kernel: no WFI exit should come here. */
bool vmm_port_deadline_ns(uint64_t count, uint64_t *ns)
{
	(void)count;
	(void)ns;
	return false;
}

/*
 * A host read (or write) is a plain access through the VMM's view of
 * memory, whose protections follow the host stage-2 (libpvm/kvm.h, Memory
 * isolation): a page the guest has not shared is not mapped there, and the
 * access takes a SIGSEGV. The handler turns a fault inside the range into a
 * "faulted" answer, as the host's stage-2 abort is on the EL2 port; any
 * other SIGSEGV is a bug of this process and kills it as usual.
 */
/* volatile: stores the compiler must not drop or move past the guarded reads. */
static __thread sigjmp_buf *volatile read_jb;
static __thread const volatile uint8_t *volatile read_lo, *volatile read_hi;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	const uint8_t *a = si->si_addr;

	(void)uc;
	if (read_jb && a >= read_lo && a < read_hi)
		siglongjmp(*read_jb, 1);
	signal(sig, SIG_DFL); /* returns to the faulting access: it faults again, fatally */
}

static void install_segv(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

/* One guarded copy in the VMM's view of memory at @pa: into @rd, or from @wr. */
static bool host_copy(uint64_t pa, uint8_t *rd, const uint8_t *wr, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	volatile uint8_t *mem = pvm_kvm_ram(pvm_pa(pa), len);
	sigjmp_buf jb;
	size_t i;

	if (!mem)
		return false;
	pthread_once(&once, install_segv);
	if (sigsetjmp(jb, 1)) {
		read_jb = NULL;
		return false;
	}
	read_lo = mem;
	read_hi = mem + len;
	read_jb = &jb;
	for (i = 0; i < len; i++) {
		if (wr)
			mem[i] = wr[i];
		else
			rd[i] = mem[i];
	}
	read_jb = NULL;
	return true;
}

bool vmm_port_host_read(struct vmm *v, uint64_t pa, void *out, size_t len)
{
	(void)v;
	return host_copy(pa, out, NULL, len);
}

/* The same guard: a write to a page the guest has not shared faults, and fails. */
bool vmm_port_host_write(struct vmm *v, uint64_t pa, const void *data, size_t len)
{
	(void)v;
	return host_copy(pa, NULL, data, len);
}
