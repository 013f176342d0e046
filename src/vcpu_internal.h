/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vCPU object and what the run loop's parts share; not installed.
 */
#ifndef PVM_VCPU_INTERNAL_H
#define PVM_VCPU_INTERNAL_H

#include <libpvm/esr.h>
#include <libpvm/vcpu.h>

#include "vm_internal.h"

/* What the hypervisor waits for from the VMM before the vCPU runs again. */
enum vcpu_pending {
	PEND_NONE = 0,
	PEND_MMIO_READ,	 /* the value of a load: into x[srt] */
	PEND_MMIO_WRITE, /* only whether the store failed */
	PEND_HVC,	 /* x0..x3 of a forwarded call */
};

struct pvm_vcpu {
	struct pvm_vcpu_ctx ctx;
	uint8_t power;	 /* enum pvm_vcpu_power; under vm->lock */
	bool running;	 /* under hyp->lock */
	uint8_t pending; /* enum vcpu_pending */
	uint8_t pend_srt;
	uint8_t pend_size;
	bool pend_sse, pend_sf;
	uint64_t pend_far; /* FAR of the access, for an abort the VMM asks for */
	/*
	 * Staging for the vCPU's own calls that move data between guest memory
	 * and the hypervisor (evidence out, measured data in): in the vCPU's
	 * page, so the hypervisor's stack stays small. Only its running thread
	 * uses it.
	 */
	uint8_t scratch[2048];
};

/* A trap handler's verdict: back into the guest, or out to the VMM. */
enum vcpu_verdict {
	V_RESUME = 0,
	V_EXIT = 1,
};

/* Put the vCPU in its architectural reset state at @entry with x0 = @x0. */
void vcpu_reset(struct pvm_vcpu *vcpu, uint64_t entry, uint64_t x0);

/* Take a synchronous exception to the guest's EL1 vector (UNDEF, aborts). */
void vcpu_inject_sync(struct pvm_vcpu *vcpu, uint64_t esr_el1, uint64_t far);

/* A WFI exit (WFI, PSCI CPU_SUSPEND), with the guest's timer deadline that ends the wait. */
void vcpu_exit_wfi(const struct pvm_vcpu *vcpu, struct pvm_exit *exit);

/* Handle an HVC/SMC following SMCCC: results in x0..x3, or an exit. */
enum vcpu_verdict smccc_handle(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
			       struct pvm_exit *exit);

/* Is [ipa, ipa + size) inside the VM's RAM? */
static inline bool vm_in_ram(const struct pvm_vm *vm, uint64_t ipa, uint64_t size)
{
	return ipa >= vm->ram_base && size <= vm->ram_size &&
	       ipa - vm->ram_base <= vm->ram_size - size;
}

/*
 * Copy between the hypervisor and guest memory at a guest IPA range, which
 * the guest's stage-2 must map as normal memory (writable, for a copy to the
 * guest). PVM_E_PERM if any page is not; PVM_E_RANGE beyond the IPA space.
 * A refused copy touches nothing. Takes vm->lock.
 */
pvm_status_t vm_copy_from_guest(struct pvm_vm *vm, uint64_t ipa, void *buf, size_t len);
pvm_status_t vm_copy_to_guest(struct pvm_vm *vm, uint64_t ipa, const void *buf, size_t len);

/* libpvm's attestation calls (guest_attest.c): true if @fn was one of them. */
bool guest_attest_call(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu, uint32_t fn,
		       const uint64_t *a);

/*
 * A write of ICC_SGI1R_EL1 (vcpu_sgi.c): the vCPUs of @vm it names (bit
 * n: vCPU n) when vCPU @self writes @val; then vcpu_sgi() makes the SGI
 * pending in each and exits with PVM_EXIT_IPI (or resumes: nobody named).
 */
uint64_t vcpu_sgi_targets(const struct pvm_vm *vm, unsigned self, uint64_t val);
enum vcpu_verdict vcpu_sgi(struct pvm_hyp *hyp, struct pvm_vm *vm, struct pvm_vcpu *vcpu,
			   uint64_t val, struct pvm_exit *exit);

/* The vCPU whose MPIDR is @mpidr, or NULL. Aff1..Aff3 must be zero. */
struct pvm_vcpu *vm_vcpu_by_mpidr(struct pvm_vm *vm, uint64_t mpidr);

#endif
