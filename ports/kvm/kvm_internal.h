/* SPDX-License-Identifier: Apache-2.0 */
/* The KVM port's shared state (not installed). */
#ifndef PVM_KVM_INTERNAL_H
#define PVM_KVM_INTERNAL_H

#include <libpvm/kvm.h>
#include <libpvm/mem.h>
#include <libpvm/vcpu.h>

#include <linux/kvm.h>
#include <pthread.h>

/* One memslot: a run of IPAs backed by a run of the memfd. */
struct kvm_slot {
	uint64_t ipa, pa, size;
	bool readonly;
	bool used;
};

#define KVM_PORT_SLOTS 512

/* What the last KVM exit left for the core to complete. */
enum kvm_pend { KP_NONE, KP_MMIO, KP_NISV };

struct kvm_vcpu_port {
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct pvm_vcpu_regs shadow; /* what KVM holds, as far as the port knows */
	uint8_t pend;
	uint64_t pend_pc;    /* ctx's PC when the exit was handed to the core */
	uint64_t pend_saved; /* x[KVM_SRT] of ctx before the port borrowed it */
	int kick;
	uint64_t thread; /* pthread_t of the thread in KVM_RUN, 0 if none */
	/*
	 * Created powered off, for KVM's in-kernel PSCI (no SMCCC filter) to
	 * start: its registers are what KVM's CPU_ON set, not what the core
	 * holds, until the first exit reads them all back.
	 */
	bool regs_from_kvm;
	/* KVM_ARM_VCPU_INIT's argument, to reset the vCPU when the core does. */
	struct kvm_vcpu_init init;
	bool entered;	  /* resets is the count of ctx at the last entry */
	uint32_t resets;  /* pvm_vcpu_ctx.resets */
	unsigned kvm_idx; /* KVM's index of the vCPU (creation order), for KVM_IRQ_LINE */
};

struct kvm_vm_port {
	int fd;
	bool resync; /* memslots may lag the core's stage-2: walk it before entry */
	/* KVM_VM_TYPE_ARM_PROTECTED (pvm_kvm_vm_caps.kernel_protected). */
	bool kprot;
	bool guest_calls; /* the SMCCC filter is set (pvm_kvm_vm_caps.guest_calls) */
	bool mem_faults;  /* KVM_CAP_ARM_NISV_TO_USER is on (pvm_kvm_vm_caps.mem_faults) */
	/* A vCPU entered KVM_RUN: a pKVM-protected VM's memslots are fixed (atomic). */
	bool ran;
	/* The KVM VM was destroyed under the core (kvm_vm_retire()): nothing runs (atomic). */
	bool retired;
	uint64_t vttbr, vtcr;
	struct kvm_slot slots[KVM_PORT_SLOTS];
	struct kvm_vcpu_port *vcpus[PVM_VCPU_MAX];
	unsigned nvcpus; /* KVM vCPUs created */
	/* The in-kernel GICv3 (kvm_gic.c): gic_fd < 0 if none. */
	int gic_fd;
	unsigned gic_nr_irqs;
	int frozen; /* a vCPU entered or a line was raised: vGIC initialised, no new vCPU (atomic)
		     */
	pthread_mutex_t gic_lock;
};

struct kvm_port {
	int kvm_fd;
	uint8_t *ram;  /* the hypervisor's view of the memfd: the core's and KVM's (kvm_view.c) */
	uint8_t *host; /* the VMM's view: follows the host stage-2 (pvm_kvm_ram()) */
	uint64_t base, size;
	unsigned ipa_bits;
	struct pvm_kvm_caps caps;
	pthread_mutex_t slot_lock; /* every VM's slots */
	struct kvm_vm_port *vms[PVM_VM_MAX];
};

extern struct kvm_port kvm_port;

/* Create the memfd and its two views of @size bytes (kvm_view.c); -1 on failure. */
int kvm_view_init(uint64_t size);
void kvm_view_fini(void);
/* VM @vm's KVM VM (pvm_kvm_vm_attach()); NULL if none. */
struct kvm_vm_port *kvm_vm_get(unsigned vm);
/*
 * Destroy @v's KVM VM, vCPUs and GIC, keeping their fd numbers (on
 * /dev/null) and run pages (anonymous) valid for the port's other threads,
 * so the kernel gives the pages of a pKVM-protected VM back to the host.
 * Under the slot lock.
 */
void kvm_vm_retire(struct kvm_vm_port *v);
/*
 * Before @v's first KVM_RUN or KVM_IRQ_LINE: initialise its vGIC (once) and
 * freeze its set of vCPUs; false if KVM refused.
 */
bool kvm_gic_ready(struct kvm_vm_port *v);

/* Forget the memslots covering @ipa (all of them with @all) of VM @vm. */
void kvm_s2_drop(unsigned vm, uint64_t ipa, bool all);
/* Make VM @vm's memslots equal its core stage-2's valid leaves. */
void kvm_s2_sync(struct kvm_vm_port *v);
/*
 * Look @ipa up in the core's stage-2 of @v: 0 if not mapped, else 1 and
 * the leaf's PA, size and writability; on a mapping, installs its memslot.
 */
int kvm_s2_fault_in(struct kvm_vm_port *v, uint64_t ipa, bool *writable);

#endif
