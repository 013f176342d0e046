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
 * Lifecycle: pvm_vm_create() → (transitions, vCPUs: pvm_vm_load() /
 * pvm_vm_put() around each run) → pvm_vm_teardown_start() →
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

struct pvm_vcpu;

/** @brief vCPUs per VM. The vCPU index is its MPIDR affinity 0 (Aff1..3 zero). */
#define PVM_VCPU_MAX 8u

/** @brief MMIO granules a VM enrolled in MMIO guard may open to the host. */
#define PVM_MMIO_GUARD_MAX 16u

/**
 * @brief Bytes of a VM's measurements and keys kept in ::pvm_vm (its layout
 *        and its secrets are private to the core, src/attest).
 */
#define PVM_VM_ATTEST_BYTES 704u

/**
 * @brief A VM. Lives in its last donated page; fields are private.
 */
struct pvm_vm {
	pvm_lock_t lock;      /**< Protects s2 and the vCPUs' power state; after the memory lock. */
	struct pvm_stage2 s2; /**< The guest's stage-2. */
	pvm_paddr_t donated;  /**< First donated page (the root comes first). */
	uint64_t ndonated;    /**< Donated pages (root pages + 1). */
	uint64_t pages;	      /**< Pages mapped in s2 (owned or borrowed). */
	uint64_t reclaim_from; /**< IPA where the next reclaim looks first. */
	uint32_t refs;	       /**< Loaded vCPUs (pvm_vm_load()). */
	uint16_t handle;       /**< Index in pvm_mem::vms. */
	uint8_t state;	       /**< enum pvm_vm_state */
	bool protected_vm;     /**< The host may not see its memory. */
	bool ran;	   /**< A vCPU has run: no more vCPUs, no more boot for protected VMs. */
	bool off;	   /**< The guest called PSCI SYSTEM_OFF or SYSTEM_RESET. */
	bool mmio_guard;   /**< Enrolled in MMIO guard. */
	uint8_t nvcpus;	   /**< vCPUs created. */
	uint8_t nguard;	   /**< Entries of mmio_guard_ipa in use. */
	uint64_t ram_base; /**< Guest RAM: faults here ask the VMM for memory. */
	uint64_t ram_size; /**< Bytes of guest RAM (0: none; every fault is MMIO). */
	struct pvm_vcpu *vcpus[PVM_VCPU_MAX];	     /**< vCPUs, in pages of their own. */
	uint64_t mmio_guard_ipa[PVM_MMIO_GUARD_MAX]; /**< Granules open to the host. */
	/** Measurements and keys (opaque; holds secrets). */
	union {
		uint8_t bytes[PVM_VM_ATTEST_BYTES]; /**< Its storage. */
		uint64_t align;			    /**< 8-byte alignment. */
	} attest_storage;
};

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
 * @param mem    Memory.
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
pvm_status_t pvm_vm_create(struct pvm_mem *mem, const struct pvm_vm_config *cfg, pvm_paddr_t pages,
			   uint64_t npages, unsigned *handle, size_t *need);

/**
 * @brief Take a reference on an active VM for running its vCPUs.
 * @param mem Memory. @param handle VM handle. @param[out] vm The VM.
 * @return ::PVM_OK; ::PVM_E_NOENT (no such VM); ::PVM_E_STATE (tearing down).
 */
pvm_status_t pvm_vm_load(struct pvm_mem *mem, unsigned handle, struct pvm_vm **vm);

/**
 * @brief Drop a reference taken by pvm_vm_load().
 * @param mem Memory. @param vm The VM.
 */
void pvm_vm_put(struct pvm_mem *mem, struct pvm_vm *vm);

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
 * @param mem Memory. @param handle VM handle. @param[out] info The VM.
 * @return ::PVM_OK; ::PVM_E_NOENT; ::PVM_E_INVAL for NULL.
 */
pvm_status_t pvm_vm_info(struct pvm_mem *mem, unsigned handle, struct pvm_vm_info *info);

/**
 * @brief Start tearing a VM down: no transition into it, no vCPU, from now on.
 * @param mem Memory. @param handle VM handle.
 * @return ::PVM_OK; ::PVM_E_NOENT; ::PVM_E_STATE (already dying);
 *         ::PVM_E_BUSY (a vCPU is loaded).
 */
pvm_status_t pvm_vm_teardown_start(struct pvm_mem *mem, unsigned handle);

/**
 * @brief Reclaim pages of a dying VM: zero and clean what it owned, unshare
 *        what it borrowed, give them to the host.
 * @param mem Memory. @param handle VM handle.
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
pvm_status_t pvm_vm_reclaim(struct pvm_mem *mem, unsigned handle, uint64_t max, uint64_t *left,
			    size_t *need);

/**
 * @brief Finish a teardown: free the VM's tables and give its own pages back, zeroed.
 * @param mem Memory. @param handle VM handle.
 * @return ::PVM_OK; ::PVM_E_NOENT; ::PVM_E_STATE (not dying, or pages left
 *         to reclaim).
 */
pvm_status_t pvm_vm_teardown_finish(struct pvm_mem *mem, unsigned handle);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_VM_H */
