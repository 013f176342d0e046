/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The KVM VM behind a libpvm VM: made pKVM-protected or ordinary
 * (pvm_kvm_vm_attach()), destroyed with its VM (pvm_kvm_vm_detach()), or
 * earlier, under the core, when a pKVM-protected VM loses a page
 * (kvm_vm_retire()).
 *
 * Upstream pKVM (Linux 7.1 on, kvm-arm.mode=protected) takes each page of
 * a protected VM from the host at the guest's first access and gives them
 * back only when the VM is destroyed; its memslots cannot be dropped once
 * it has run. The core's model has pages leave a guest one by one, each
 * unmapped and invalidated before the core zeroes it and gives it to the
 * host. On such a VM the port turns the first of those invalidations into
 * the end of the KVM VM: no vCPU of it is loaded then (the core's teardown
 * takes no loaded VM, and nothing else of a running pKVM-protected VM's
 * stage-2 changes: its MEM_SHARE and MEM_UNSHARE never reach libpvm), and
 * when the last reference to the VM goes, the kernel tears it down and
 * gives every page back before returning to this process, so the core's
 * zeroing that follows touches host pages only.
 */
#define _GNU_SOURCE
#include <libpvm/abi.h>
#include <libpvm/vm.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_internal.h"

/* KVM_ARM_VM_SMCCC_FILTER (Linux 6.4); the 6.1 UAPI headers lack it. */
#ifndef KVM_SMCCC_FILTER_FWD_TO_USER
struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#define KVM_SMCCC_FILTER_FWD_TO_USER 2
#endif

/*
 * Route the calls libpvm serves to this process: pKVM's protected-guest
 * calls and libpvm's own (0xc6000000-0xc6001fff), the vendor-hyp UID and
 * feature calls, so a guest sees libpvm's answers there, not KVM's, and
 * PSCI (SMC32 and SMC64 function numbers 0-0x1f): the core's PSCI checks
 * CPU_ON's entry point against a protected VM's memory, which KVM's does
 * not, and keeps vCPU power state where the VMM's exits come from.
 * False if KVM refused a range (the VM then has none of them).
 */
static bool set_filter(struct kvm_vm_port *v)
{
	static const struct {
		uint32_t base, n;
	} ranges[] = {{ARM_SMCCC_VENDOR_HYP_KVM_FEATURES, 1},
		      {ARM_SMCCC_VENDOR_HYP_CALL_UID, 1},
		      {0xc6000000u, 0x2000u},
		      {0x84000000u, 0x20u},
		      {0xc4000000u, 0x20u}};
	unsigned i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct kvm_smccc_filter f = {.base = ranges[i].base,
					     .nr_functions = ranges[i].n,
					     .action = KVM_SMCCC_FILTER_FWD_TO_USER};
		struct kvm_device_attr a = {.group = 0 /* KVM_ARM_VM_SMCCC_CTRL */,
					    .attr = 0 /* KVM_ARM_VM_SMCCC_FILTER */,
					    .addr = (uint64_t)(uintptr_t)&f};

		if (ioctl(v->fd, KVM_SET_DEVICE_ATTR, &a)) {
			fprintf(stderr, "libpvm-kvm: SMCCC filter 0x%x: %s\n", ranges[i].base,
				strerror(errno));
			return false;
		}
	}
	return true;
}

struct kvm_vm_port *kvm_vm_get(unsigned vm)
{
	return vm < PVM_VM_MAX ? __atomic_load_n(&kvm_port.vms[vm], __ATOMIC_ACQUIRE) : NULL;
}

/* KVM_VM_TYPE_ARM_PROTECTED (linux/kvm.h from 7.1; kvm.c probes it). */
#define VM_TYPE_ARM_PROTECTED (1ul << 31)

static pvm_status_t create(struct kvm_vm_port *v, bool protected_vm)
{
	struct kvm_enable_cap cap = {.cap = KVM_CAP_ARM_NISV_TO_USER};
	unsigned long type =
		kvm_port.caps.max_ipa_bits ? KVM_VM_TYPE_ARM_IPA_SIZE(kvm_port.ipa_bits) : 0;

	v->kprot = protected_vm && kvm_port.caps.protected_vm;
	v->fd = ioctl(kvm_port.kvm_fd, KVM_CREATE_VM,
		      type | (v->kprot ? VM_TYPE_ARM_PROTECTED : 0));
	if (v->fd < 0) {
		fprintf(stderr, "libpvm-kvm: KVM_CREATE_VM%s: %s\n", v->kprot ? " (protected)" : "",
			strerror(errno));
		return errno == ENOMEM ? PVM_E_NOMEM : PVM_E_NOTSUP;
	}
	/* Without it an abort KVM cannot decode kills KVM_RUN with ENOSYS. */
	v->mem_faults = kvm_port.caps.nisv_to_user && ioctl(v->fd, KVM_ENABLE_CAP, &cap) == 0;
	if (kvm_port.caps.nisv_to_user && !v->mem_faults && !v->kprot)
		fprintf(stderr, "libpvm-kvm: KVM_CAP_ARM_NISV_TO_USER: %s\n", strerror(errno));
	/*
	 * KVM refuses the filter on a pKVM-protected VM (EINVAL, measured on
	 * 7.3: docs/porting.md, "Upstream pKVM's protected VMs"): KVM and
	 * pKVM's hypervisor answer its calls.
	 */
	v->guest_calls = kvm_port.caps.smccc_filter && !v->kprot && set_filter(v);
	return PVM_OK;
}

pvm_status_t pvm_kvm_vm_attach(struct pvm_hyp *hyp, unsigned vm, struct pvm_kvm_vm_caps *caps)
{
	struct pvm_vm_info info;
	struct kvm_vm_port *v;
	pvm_status_t ret;

	if (!hyp || vm >= PVM_VM_MAX || kvm_port.kvm_fd < 0)
		return PVM_E_INVAL;
	ret = pvm_vm_info(hyp, vm, &info);
	if (ret)
		return ret;
	if (info.state != PVM_VM_ACTIVE)
		return PVM_E_STATE;
	v = calloc(1, sizeof(*v));
	if (!v)
		return PVM_E_NOMEM;
	v->gic_fd = -1;
	v->resync = true;
	pthread_mutex_init(&v->gic_lock, NULL);
	pthread_mutex_lock(&kvm_port.slot_lock);
	if (kvm_port.vms[vm])
		ret = PVM_E_EXISTS;
	else
		ret = create(v, info.protected_vm);
	if (!ret)
		__atomic_store_n(&kvm_port.vms[vm], v, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&kvm_port.slot_lock);
	if (ret) {
		pthread_mutex_destroy(&v->gic_lock);
		free(v);
		return ret;
	}
	if (caps)
		*caps = (struct pvm_kvm_vm_caps){.kernel_protected = v->kprot,
						 .guest_calls = v->guest_calls,
						 .mem_faults = v->mem_faults};
	return PVM_OK;
}

/*
 * Replace the file behind @fd with @spare's, keeping the number: KVM's
 * reference goes, and a racing ioctl of another thread on the number gets
 * ENOTTY from an eventfd rather than reaching whatever file the number
 * would name next. Without a spare, close it.
 */
static void drop_file(int *fd, int spare)
{
	if (*fd < 0)
		return;
	if (spare >= 0 && dup3(spare, *fd, O_CLOEXEC) >= 0)
		return;
	close(*fd);
	__atomic_store_n(fd, -1, __ATOMIC_RELEASE);
}

void kvm_vm_retire(struct kvm_vm_port *v)
{
	int spare = eventfd(0, EFD_CLOEXEC);
	unsigned i;

	if (__atomic_load_n(&v->retired, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&v->retired, true, __ATOMIC_RELEASE);
	for (i = 0; i < PVM_VCPU_MAX; i++) {
		struct kvm_vcpu_port *c = v->vcpus[i];

		if (!c)
			continue;
		/*
		 * The run page maps the vCPU's file: an anonymous page in its
		 * place lets go of it, and a kick still finds memory there.
		 */
		if (c->run && mmap(c->run, c->run_size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			fprintf(stderr, "libpvm-kvm: vCPU %u's run page: %s\n", i, strerror(errno));
		drop_file(&c->fd, spare);
	}
	drop_file(&v->gic_fd, spare);
	drop_file(&v->fd, spare); /* the last reference: KVM destroys the VM here */
	if (spare >= 0)
		close(spare);
	memset(v->slots, 0, sizeof(v->slots));
}

void pvm_kvm_vm_detach(unsigned vm)
{
	struct kvm_vm_port *v;
	unsigned i;

	if (vm >= PVM_VM_MAX || !(v = kvm_port.vms[vm]))
		return;
	__atomic_store_n(&kvm_port.vms[vm], NULL, __ATOMIC_RELEASE);
	for (i = 0; i < PVM_VCPU_MAX; i++) {
		struct kvm_vcpu_port *c = v->vcpus[i];

		if (!c)
			continue;
		munmap(c->run, c->run_size);
		if (c->fd >= 0)
			close(c->fd);
		free(c);
	}
	if (v->gic_fd >= 0)
		close(v->gic_fd);
	if (v->fd >= 0)
		close(v->fd); /* KVM frees the memslots with the VM */
	pthread_mutex_destroy(&v->gic_lock);
	free(v);
}
