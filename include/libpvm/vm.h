/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file vm.h
 * @brief Guest VMs as components of the ownership state machine.
 *
 * A VM is a handle (0 to ::PVM_VM_MAX - 1), a VMID (handle + 1; the host
 * uses VMID 0), its own stage-2 and whether it is protected. Its structure
 * and its stage-2 root live in pages the host donates at creation; its
 * other table pages come from the hypervisor's pool (mem.h).
 *
 * Lifecycle: pvm_vm_create() → (transitions, vCPUs; each running vCPU holds
 * a reference on its VM, so teardown waits for it) → pvm_vm_teardown_start() →
 * pvm_vm_reclaim() until nothing is left → pvm_vm_teardown_finish().
 * Protected or not, every page the guest owned is zeroed and cleaned to
 * the Point of Coherency before the host gets it back.
 */
#ifndef LIBPVM_VM_H
#define LIBPVM_VM_H

#include <libpvm/mem.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Lifecycle state of a VM. */
enum pvm_vm_state {
	PVM_VM_ACTIVE = 0, /**< Created; transitions and vCPUs allowed. */
	PVM_VM_DYING = 1,  /**< Teardown started: only reclaim and finish. */
};

/** @brief vCPUs per VM. The vCPU index is its MPIDR affinity 0 (Aff1..3 zero). */
#define PVM_VCPU_MAX 8u

/** @brief MMIO granules a VM enrolled in MMIO guard may open to the host. */
#define PVM_MMIO_GUARD_MAX 16u

/** @brief Parameters of pvm_vm_create(). */
struct pvm_vm_config {
	unsigned ipa_bits; /**< Guest IPA size, 32 up to the PA size. */
	bool protected_vm; /**< A protected VM (memory donated) or not (memory lent). */
	uint64_t ram_base; /**< IPA of guest RAM (page aligned). */
	uint64_t ram_size; /**< Bytes of guest RAM (page multiple; 0: none). An unbacked
			      access inside RAM is a memory fault, outside it MMIO. */
	uint8_t rpv[64];   /**< Personalization value reported in tokens (zeroes if unused). */
};

/**
 * @brief Pages the host must donate to create a VM.
 * @param ipa_bits Guest IPA size.
 * @return Root table pages + 1 (for the VM structure), or 0 for a bad size.
 *         The pages must be contiguous and aligned to the root size
 *         (pvm_stage2_root_pages() pages).
 */
uint64_t pvm_vm_create_pages(unsigned ipa_bits);

/**
 * @brief Create a VM.
 * @param hyp    The hypervisor.
 * @param cfg    IPA size and kind.
 * @param pages  First of pvm_vm_create_pages() host-owned pages, aligned as said there.
 * @param npages Must equal pvm_vm_create_pages().
 * @param[out] handle The new VM's handle.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return ::PVM_OK; ::PVM_E_INVAL (bad configuration, count or alignment);
 *         ::PVM_E_RANGE (pages outside managed memory); ::PVM_E_STATE (a page
 *         is not host OWNED); ::PVM_E_BUSY (::PVM_VM_MAX VMs exist);
 *         ::PVM_E_NOMEM when taking the pages out of the host's stage-2
 *         splits a block and the pool lacks the table pages (@p need
 *         says how many; top it up with pvm_mem_topup() and call again). On success the
 *         pages are the hypervisor's; on error nothing changed.
 */
pvm_status_t pvm_vm_create(struct pvm_hyp *hyp, const struct pvm_vm_config *cfg, pvm_paddr_t pages,
			   uint64_t npages, unsigned *handle, size_t *need);

/** @brief What pvm_vm_info() reports. */
struct pvm_vm_info {
	uint16_t vmid;		 /**< VMID of the guest's stage-2. */
	unsigned ipa_bits;	 /**< Guest IPA size. */
	bool protected_vm;	 /**< Protected or not. */
	enum pvm_vm_state state; /**< Lifecycle state. */
	uint64_t pages;		 /**< Pages mapped in the guest's stage-2. */
	uint64_t vtcr;		 /**< VTCR_EL2 for the guest's stage-2. */
	uint64_t vttbr;		 /**< VTTBR_EL2 for the guest's stage-2. */
};

/**
 * @brief Describe a VM.
 * @param hyp The hypervisor. @param handle VM handle. @param[out] info The VM.
 * @return ::PVM_OK; ::PVM_E_NOENT; ::PVM_E_INVAL for NULL.
 */
pvm_status_t pvm_vm_info(struct pvm_hyp *hyp, unsigned handle, struct pvm_vm_info *info);

/**
 * @brief Start tearing a VM down: no transition into it, no vCPU, from now on.
 * @param hyp The hypervisor. @param handle VM handle.
 * @return ::PVM_OK; ::PVM_E_NOENT; ::PVM_E_STATE (already dying);
 *         ::PVM_E_BUSY (a vCPU is loaded).
 */
pvm_status_t pvm_vm_teardown_start(struct pvm_hyp *hyp, unsigned handle);

/**
 * @brief Reclaim pages of a dying VM: zero and clean what it owned, unshare
 *        what it borrowed, give them to the host.
 * @param hyp The hypervisor. @param handle VM handle.
 * @param max Most pages to reclaim in this call (bounded work).
 * @param[out] left Pages still mapped in the VM afterwards (may be NULL).
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return ::PVM_OK when it reclaimed at least one page or nothing was left
 *         (check @p left); ::PVM_E_NOENT; ::PVM_E_STATE (not dying);
 *         ::PVM_E_INVAL (max is 0); ::PVM_E_NOMEM when not even the first
 *         page could be reclaimed (nothing changed; top the pool up).
 *
 * Work is bounded and incremental: pages reclaimed stay reclaimed, so a
 * caller loops until @p left is 0.
 */
pvm_status_t pvm_vm_reclaim(struct pvm_hyp *hyp, unsigned handle, uint64_t max, uint64_t *left,
			    size_t *need);

/**
 * @brief Finish a teardown: free the VM's tables and give its own pages back, zeroed.
 * @param hyp The hypervisor. @param handle VM handle.
 * @return ::PVM_OK; ::PVM_E_NOENT; ::PVM_E_STATE (not dying, or pages left
 *         to reclaim).
 */
pvm_status_t pvm_vm_teardown_finish(struct pvm_hyp *hyp, unsigned handle);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_VM_H */
