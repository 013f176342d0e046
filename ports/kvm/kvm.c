/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KVM port: physical memory, locks, TLB hooks and memslots. The world
 * switch (KVM_RUN) is in kvm_vcpu.c. See libpvm/kvm.h for the model.
 */
#define _GNU_SOURCE
#include <libpvm/kvm.h>
#include <libpvm/port.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_internal.h"

struct kvm_port kvm_port = {.kvm_fd = -1};

/*
 * The core's TLB maintenance says "this VMID's stage-2 lost or changed an
 * entry". The CPU's stage-2 here is KVM's, built from memslots: dropping the
 * memslots that may cover the entry makes KVM unmap it and invalidate its
 * TLBs before the ioctl returns, which is what the core needs before it
 * reuses the page. Mappings come back from the core's tables on the next
 * fault or entry (kvm_s2_sync()). VMID 0 is the host's identity stage-2,
 * which has no memslots: the VMM's view of memory follows it through
 * pvm_port_host_access() instead (kvm_view.c).
 */
void pvm_port_tlbi_ipa(uint16_t vmid, pvm_ipa_t ipa, unsigned level)
{
	(void)level;
	if (vmid && vmid <= PVM_VM_MAX)
		kvm_s2_drop(vmid - 1u, pvm_ipa_val(ipa), false);
}

void pvm_port_tlbi_vmid(uint16_t vmid)
{
	if (vmid && vmid <= PVM_VM_MAX)
		kvm_s2_drop(vmid - 1u, 0, true);
}

/*
 * No-ops: this process only ever sees the memfd through cacheable mappings,
 * and KVM cleans (and, for executable mappings, invalidates the I-cache of)
 * a page itself when it maps it for a guest, unless the CPU has FWB, which
 * makes that unnecessary. pvm_port_dcache_clean_poc() is in kvm_view.c.
 */
void pvm_port_dcache_clean_inval_poc(void *va, size_t size)
{
	(void)va;
	(void)size;
}

void pvm_port_icache_inval_pou(void *va, size_t size)
{
	(void)va;
	(void)size;
}

/*
 * A spin lock with a yield: the core holds its locks for short, bounded
 * sections, but vCPU threads here are preemptible host threads, so a
 * waiter gives its CPU to the holder rather than burn it.
 */
void pvm_port_lock(pvm_lock_t *lock)
{
	unsigned spins = 0;

	while (__atomic_exchange_n(&lock->word, 1u, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&lock->word, __ATOMIC_RELAXED))
			if (++spins % 64 == 0)
				sched_yield();
	}
}

void pvm_port_unlock(pvm_lock_t *lock)
{
	__atomic_store_n(&lock->word, 0u, __ATOMIC_RELEASE);
}

/* The word says only that someone holds it, not which thread. */
bool pvm_port_lock_held(const pvm_lock_t *lock)
{
	return __atomic_load_n(&lock->word, __ATOMIC_RELAXED) != 0;
}

/* The VMM is the machine here: stop every vCPU thread with it. */
_Noreturn void pvm_port_panic(const char *why)
{
	fprintf(stderr, "libpvm: panic: %s\n", why);
	fflush(stderr);
	abort();
}

/* KVM_CAP_GUEST_MEMFD (Linux 6.8): not in 6.1's UAPI headers. */
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif

/* KVM_ARM_VM_SMCCC_CTRL / _FILTER (Linux 6.4): not in 6.1's UAPI headers. */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL	0
#define KVM_ARM_VM_SMCCC_FILTER 0
#endif

/* What a VM of this kernel can have: the SMCCC filter, an in-kernel GICv3. */
static void probe_vm(struct pvm_kvm_caps *caps)
{
	struct kvm_device_attr a = {.group = KVM_ARM_VM_SMCCC_CTRL,
				    .attr = KVM_ARM_VM_SMCCC_FILTER};
	struct kvm_create_device gic = {.type = KVM_DEV_TYPE_ARM_VGIC_V3,
					.flags = KVM_CREATE_DEVICE_TEST};
	int vm = ioctl(kvm_port.kvm_fd, KVM_CREATE_VM, 0);

	if (vm < 0)
		return;
	caps->smccc_filter = ioctl(vm, KVM_HAS_DEVICE_ATTR, &a) == 0;
	caps->gic_v3 = ioctl(vm, KVM_CREATE_DEVICE, &gic) == 0;
	close(vm);
}

/*
 * The protected-VM machine type: bit 31 of KVM_CREATE_VM's type, as
 * Android's pKVM kernels and upstream from 7.1 define it. A kernel without
 * it, or with it but not booted in protected mode, refuses the type with
 * EINVAL: creating (and dropping) one VM is the probe (kvm_vm.c uses it).
 */
#define PVM_KVM_VM_TYPE_ARM_PROTECTED (1ul << 31)

static bool probe_protected_type(unsigned long ipa_type)
{
	int vm = ioctl(kvm_port.kvm_fd, KVM_CREATE_VM, ipa_type | PVM_KVM_VM_TYPE_ARM_PROTECTED);

	if (vm < 0)
		return false;
	close(vm);
	return true;
}

pvm_status_t pvm_kvm_init(const struct pvm_kvm_config *cfg, struct pvm_kvm_caps *caps)
{
	struct kvm_port *p = &kvm_port;
	int r;

	if (!cfg || (cfg->ram_base | cfg->ram_size) & (PVM_PAGE_SIZE - 1) || !cfg->ram_size ||
	    cfg->ipa_bits < 32 || cfg->ipa_bits > 52)
		return PVM_E_INVAL;
	p->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (p->kvm_fd < 0) {
		fprintf(stderr, "libpvm-kvm: /dev/kvm: %s\n", strerror(errno));
		return PVM_E_NOTSUP;
	}
	if (ioctl(p->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "libpvm-kvm: unexpected KVM API version\n");
		goto notsup;
	}
	r = ioctl(p->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	p->caps.max_ipa_bits = r > 0 ? (unsigned)r : 0;
	if ((r <= 0 && cfg->ipa_bits != 40) || (r > 0 && cfg->ipa_bits > (unsigned)r)) {
		fprintf(stderr, "libpvm-kvm: %u-bit IPAs not offered (the kernel: %d)\n",
			cfg->ipa_bits, r);
		goto notsup;
	}
	p->ipa_bits = cfg->ipa_bits;
	p->caps.nisv_to_user = ioctl(p->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_NISV_TO_USER) > 0;
	probe_vm(&p->caps);
	p->caps.protected_vm =
		probe_protected_type(r > 0 ? KVM_VM_TYPE_ARM_IPA_SIZE(cfg->ipa_bits) : 0);
	p->caps.guest_memfd = ioctl(p->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD) > 0;
	if (kvm_view_init(cfg->ram_size)) {
		pvm_kvm_fini();
		return PVM_E_NOMEM;
	}
	p->base = cfg->ram_base;
	pthread_mutex_init(&p->slot_lock, NULL);
	if (p->caps.protected_vm)
		fprintf(stderr, "libpvm-kvm: the kernel offers pKVM-protected VMs: a protected VM "
				"is one (the kernel's hypervisor keeps its memory from the host); "
				"a non-protected VM is an ordinary KVM VM\n");
	else
		fprintf(stderr, "libpvm-kvm: no protected-VM type in this kernel: VMs are ordinary "
				"KVM VMs and the host kernel is trusted with guest memory\n");
	fprintf(stderr,
		"libpvm-kvm: the VMM's view of memory (pvm_kvm_ram) follows the host stage-2: a "
		"page donated to a guest or to libpvm faults there; libpvm's and KVM's view "
		"in this process still map it%s\n",
		p->caps.protected_vm ? " until a pKVM-protected guest touches it" : "");
	if (!p->caps.smccc_filter)
		fprintf(stderr,
			"libpvm-kvm: no SMCCC filter (Linux < 6.4): unavailable to guests: "
			"HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE, MEM_RELINQUISH, MMIO_GUARD_*, "
			"libpvm's attestation calls (KVM answers NOT_SUPPORTED)\n");
	if (!p->caps.gic_v3)
		fprintf(stderr, "libpvm-kvm: no in-kernel GICv3: guests get no interrupts\n");
	if (caps)
		*caps = p->caps;
	return PVM_OK;
notsup:
	pvm_kvm_fini();
	return PVM_E_NOTSUP;
}

void pvm_kvm_fini(void)
{
	struct kvm_port *p = &kvm_port;
	unsigned vm;

	for (vm = 0; vm < PVM_VM_MAX; vm++)
		pvm_kvm_vm_detach(vm);
	kvm_view_fini();
	if (p->kvm_fd >= 0)
		close(p->kvm_fd);
	p->kvm_fd = -1;
}
