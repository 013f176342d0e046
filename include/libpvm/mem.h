/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file mem.h
 * @brief Memory ownership and donation: the page-state machine.
 *
 * Every page of managed memory has exactly one **owner**: the host, the
 * hypervisor (hyp) or one guest VM. The owner may lend the page to
 * **borrowers**; for each component a page is in one of four states:
 *
 * | state                   | meaning                                             |
 * |-------------------------|-----------------------------------------------------|
 * | ::PVM_PAGE_OWNED        | owned, lent to nobody                               |
 * | ::PVM_PAGE_SHARED_OWNED | owned, lent to at least one borrower                |
 * | ::PVM_PAGE_SHARED_BORROWED | borrowed from its owner                          |
 * | ::PVM_PAGE_NOPAGE       | no access                                           |
 *
 * The **host stage-2** is an identity map of every page the host owns or
 * borrows (block mappings where possible, split on demand); a page the host
 * neither owns nor borrows is absent from it, and its invalid entry carries
 * the owner's id, so a host access to it faults. Each state is also kept in
 * the software bits of the stage-2 entries (::PVM_PROT_SW of the state),
 * as pKVM does, and pvm_mem_check() proves tables and metadata agree.
 *
 * ## Transitions
 * Each is one function named initiator_verb_completer. Each checks every
 * page of its range first and then commits: a range moves whole or not at
 * all, and a failing call changes nothing (no metadata, no table entry, no
 * TLB state). Rows give the required states (for every page) → the result.
 *
 * - pvm_host_share_hyp(): host OWNED or SHARED_OWNED, hyp not borrowing →
 *   host SHARED_OWNED, hyp SHARED_BORROWED.
 * - pvm_host_unshare_hyp(): hyp borrowing, no pins → hyp NOPAGE; host OWNED
 *   if no borrower is left.
 * - pvm_hyp_pin_shared(): hyp borrowing → pin count + 1.
 * - pvm_hyp_unpin_shared(): hyp borrowing, pinned → pin count - 1.
 * - pvm_host_donate_hyp(): host OWNED → hyp OWNED, host NOPAGE.
 * - pvm_hyp_donate_host(): hyp OWNED, neither its boot carve-out nor in use
 *   (pool, tables, VM pages: those go back only through
 *   pvm_mem_reclaim_pool() and teardown) → page zeroed, host OWNED, hyp NOPAGE.
 * - pvm_host_share_guest(): non-protected VM; host OWNED or SHARED_OWNED,
 *   not lent to hyp; IPA free → host SHARED_OWNED, guest SHARED_BORROWED
 *   (counted: a page may be lent to several guests, or twice to one).
 * - pvm_host_unshare_guest(): non-protected VM; guest SHARED_BORROWED at the
 *   IPA → guest NOPAGE; host OWNED if no borrower is left.
 * - pvm_host_donate_guest(): protected VM; host OWNED; IPA free → guest
 *   OWNED, host NOPAGE. The hypervisor zeroes the pages once the host lost
 *   them: the guest gets memory, never the host's bytes (before sealing the
 *   range is recorded in the RIM as unknown contents). Images are loaded
 *   with pvm_vm_load_measured() (attest.h), which keeps and measures them.
 * - pvm_guest_share_host(): protected VM; guest OWNED → guest SHARED_OWNED,
 *   host SHARED_BORROWED (read-write, never executable).
 * - pvm_guest_unshare_host(): protected VM; guest SHARED_OWNED, host
 *   borrowing → guest OWNED, host NOPAGE.
 * - pvm_guest_relinquish_host(): protected VM; guest OWNED → page zeroed and
 *   cleaned to PoC, host OWNED, guest NOPAGE.
 *
 * Teardown (vm.h) runs in phases: start (no new transitions, no vCPU
 * running) → reclaim every page (each guest-owned page is zeroed and
 * cleaned to the Point of Coherency through the port before the host gets
 * it back; pages lent by the host are just unshared) → finalize (the VM's
 * own pages go back to the host, zeroed).
 *
 * ## Status codes (the same in every transition)
 * - ::PVM_E_INVAL: misaligned address, a page count of zero or one whose
 *   size in bytes does not fit in 64 bits, unknown protection bits, NULL.
 * - ::PVM_E_RANGE: a page outside managed memory, a range that wraps, an
 *   IPA beyond the VM's IPA size.
 * - ::PVM_E_NOENT: no such VM; or a guest IPA that is not mapped.
 * - ::PVM_E_EXISTS: the guest IPA is already mapped.
 * - ::PVM_E_PERM: the transition does not apply to this kind of VM
 *   (donating to a non-protected VM, lending host pages to a protected one,
 *   a guest-initiated call from a non-protected VM).
 * - ::PVM_E_STATE: a page is not in the required state; a guest range that
 *   reaches the same page twice (lent at two IPAs: unshare them one call
 *   each); or the VM is being torn down.
 * - ::PVM_E_BUSY: a page is pinned by the hypervisor; a VM still has a vCPU
 *   loaded.
 * - ::PVM_E_NOMEM: the hypervisor's pool lacks table pages; `*need` says how
 *   many more (donate them with pvm_mem_topup() and call again).
 *
 * When several apply, the first in this order is returned: the arguments
 * (::PVM_E_INVAL, ::PVM_E_RANGE for the pages); the VM (::PVM_E_NOENT, then
 * ::PVM_E_STATE when it is being torn down, then ::PVM_E_PERM); the guest
 * IPA range (::PVM_E_INVAL, ::PVM_E_RANGE); the pages in address order
 * (::PVM_E_STATE or ::PVM_E_BUSY; for guest-IPA calls ::PVM_E_NOENT at an
 * unmapped IPA); the guest's stage-2 (::PVM_E_EXISTS); the pool
 * (::PVM_E_NOMEM).
 *
 * ## Locking
 * One lock protects the host stage-2, the metadata and the hypervisor's
 * pool; each VM has its own lock for its stage-2. A transition that
 * involves a VM takes the memory lock first, then the VM's: always in that
 * order. Every function here takes the locks it needs itself.
 */
#ifndef LIBPVM_MEM_H
#define LIBPVM_MEM_H

#include <libpvm/hyp.h>
#include <libpvm/port.h>
#include <libpvm/stage2.h>
#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Component id of the host (it never appears as an annotation). */
#define PVM_ID_HOST 0u
/** @brief Component id of the hypervisor. */
#define PVM_ID_HYP 1u
/** @brief Component id of the VM with handle h is PVM_ID_GUEST(h). */
#define PVM_ID_GUEST(h) (2u + (unsigned)(h))
/** @brief Most VMs that can exist at once. */
#define PVM_VM_MAX 64u

/** @brief State of a page for one component (also the stage-2 software bits). */
enum pvm_page_state {
	PVM_PAGE_OWNED = 0,	      /**< Owned and lent to nobody. */
	PVM_PAGE_SHARED_OWNED = 1,    /**< Owned and lent to at least one borrower. */
	PVM_PAGE_SHARED_BORROWED = 2, /**< Borrowed from its owner. */
	PVM_PAGE_NOPAGE = 3,	      /**< No access. */
};

/** @brief Room for the hypervisor layer's certificate (docs/attestation.md §4). */
#define PVM_ATTEST_CERT_MAX 1024u

/** @brief Device ranges pvm_mem_host_mmio_map() can give the host. */
#define PVM_HOST_MMIO_MAX 16u

/**
 * @brief The host gives pages to the hypervisor's table pool.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return As pvm_host_donate_hyp().
 *
 * A host donate hyp transition followed by handing the pages to the pool;
 * the usual answer to ::PVM_E_NOMEM. The transition itself may need table
 * pages (the host blocks around the range split): when the pool cannot pay
 * for them, the donated pages that lie in those blocks do, so a top-up of
 * one page into an empty pool succeeds when the page sits in a 2 MiB block
 * (one table), and a top-up of two or more pages in the same block when it
 * sits in a 1 GiB one (two tables). Only when the donated pages inside the
 * split blocks are fewer than the tables does it fail, changing nothing,
 * with ::PVM_E_NOMEM and `*need` the pages the pool lacks: a top-up of that
 * many pages elsewhere (or of a whole aligned block) then lets it through.
 */
pvm_status_t pvm_mem_topup(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages, size_t *need);

/**
 * @brief Give the host one of its devices: map [pa, pa + size) into the
 *        host's stage-2, identity, read-write, as Device memory.
 * @param hyp  The hypervisor.
 * @param pa   First byte; page aligned.
 * @param size Bytes; a non-zero multiple of the page size.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL, misaligned, zero size);
 *         ::PVM_E_RANGE (it wraps or lies beyond the host's address space);
 *         ::PVM_E_PERM (it overlaps managed RAM: pages move only through
 *         the transitions); ::PVM_E_EXISTS (part of it is mapped already);
 *         ::PVM_E_BUSY (::PVM_HOST_MMIO_MAX ranges given already);
 *         ::PVM_E_NOMEM.
 *
 * The port's way to let the host reach its devices (a UART, an interrupt
 * controller's distributor) through the ownership layer: the range is
 * recorded, and pvm_mem_check() accepts these mappings and nothing else
 * outside managed memory. Called at boot, before the host runs; a failing
 * call changes nothing.
 */
pvm_status_t pvm_mem_host_mmio_map(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t size,
				   size_t *need);

/**
 * @brief The host's `VTCR_EL2` and `VTTBR_EL2`: what a port loads to run the
 *        host behind its stage-2.
 * @param hyp The hypervisor. (initialised).
 * @return The register's value.
 */
uint64_t pvm_mem_host_vtcr(const struct pvm_hyp *hyp);
/** @copydoc pvm_mem_host_vtcr() */
uint64_t pvm_mem_host_vttbr(const struct pvm_hyp *hyp);

/**
 * @brief Give free pool pages back to the host.
 * @param hyp The hypervisor.
 * @param max Most pages to return.
 * @return How many pages went back (zeroed), host OWNED again.
 *
 * Pages of the boot carve-out stay with the hypervisor.
 */
uint64_t pvm_mem_reclaim_pool(struct pvm_hyp *hyp, uint64_t max);

/**
 * @name Transitions
 * Host-initiated calls take physical addresses; guest-initiated ones take
 * the guest's IPAs. @p vm is a VM handle (vm.h). Status codes are those
 * listed in the file description.
 * @{
 */
/**
 * @brief Lend host pages to the hypervisor.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL):
 *             restating the host's entries splits the blocks around the range.
 * @return Status.
 */
pvm_status_t pvm_host_share_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages, size_t *need);
/**
 * @brief Take pages lent to the hypervisor back.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL):
 *             a range shared as a whole block and taken back in part splits it.
 * @return Status.
 */
pvm_status_t pvm_host_unshare_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages,
				  size_t *need);
/**
 * @brief Pin pages the hypervisor borrows, so the host cannot unshare them.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @return Status; never ::PVM_E_NOMEM: a pin lives in the metadata only and
 *         changes no stage-2 entry, so it needs no table page.
 */
pvm_status_t pvm_hyp_pin_shared(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages);
/**
 * @brief Drop one pin of each page.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @return Status; never ::PVM_E_NOMEM (as pvm_hyp_pin_shared()).
 */
pvm_status_t pvm_hyp_unpin_shared(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages);
/**
 * @brief Give host pages to the hypervisor.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL):
 *             annotating part of a host block splits it.
 * @return Status.
 */
pvm_status_t pvm_host_donate_hyp(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages,
				 size_t *need);
/**
 * @brief Give hypervisor pages (not the carve-out) to the host. Hypervisor-internal.
 * @param hyp The hypervisor. @param pa First page. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL):
 *             mapping part of a range annotated as a whole block splits it.
 * @return Status.
 */
pvm_status_t pvm_hyp_donate_host(struct pvm_hyp *hyp, pvm_paddr_t pa, uint64_t npages,
				 size_t *need);
/**
 * @brief Lend host pages to a non-protected VM at an IPA.
 * @param hyp The hypervisor. @param vm VM handle. @param pa First page. @param ipa Guest IPA.
 * @param npages Pages. @param prot Guest permissions (R/W/X; not DEVICE).
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return Status.
 */
pvm_status_t pvm_host_share_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				  uint64_t npages, pvm_prot_t prot, size_t *need);
/**
 * @brief Take pages lent to a non-protected VM back.
 * @param hyp The hypervisor. @param vm VM handle. @param ipa Guest IPA. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return Status.
 */
pvm_status_t pvm_host_unshare_guest(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa,
				    uint64_t npages, size_t *need);
/**
 * @brief Give host pages to a protected VM, mapped RWX at an IPA, zeroed.
 * @param hyp The hypervisor. @param vm VM handle. @param pa First page. @param ipa Guest IPA.
 * @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return Status.
 *
 * The pages arrive zeroed (cleaned to the Point of Coherency): a protected
 * VM runs or reads nothing of the host's that is not measured. Before the
 * VM is sealed the range extends its RIM as "unknown contents"
 * (docs/attestation.md §1.1). Host path.
 */
pvm_status_t pvm_host_donate_guest(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t pa, pvm_ipa_t ipa,
				   uint64_t npages, size_t *need);
/**
 * @brief A guest lends its pages to the host (virtio rings, bounce buffers).
 * @param hyp The hypervisor. @param vm VM handle. @param ipa Guest IPA. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return Status.
 */
pvm_status_t pvm_guest_share_host(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa, uint64_t npages,
				  size_t *need);
/**
 * @brief A guest takes pages it lent to the host back.
 * @param hyp The hypervisor. @param vm VM handle. @param ipa Guest IPA. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return Status.
 */
pvm_status_t pvm_guest_unshare_host(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa,
				    uint64_t npages, size_t *need);
/**
 * @brief A guest gives its pages back to the host; they are zeroed first.
 * @param hyp The hypervisor. @param vm VM handle. @param ipa Guest IPA. @param npages Pages.
 * @param[out] need On ::PVM_E_NOMEM, pages the pool is short (may be NULL).
 * @return Status.
 */
pvm_status_t pvm_guest_relinquish_host(struct pvm_hyp *hyp, unsigned vm, pvm_ipa_t ipa,
				       uint64_t npages, size_t *need);
/** @} */

/**
 * @brief Decide a host stage-2 fault: does the host have the access it took
 *        a fault for?
 * @param hyp    The hypervisor.
 * @param pa     The faulting address (the host's IPA is its PA).
 * @param access ::PVM_PROT_R, ::PVM_PROT_W or ::PVM_PROT_X: what the
 *               faulting access was (one bit).
 * @return ::PVM_OK if the host's stage-2 grants @p access at @p pa now:
 *         the fault raced a transition on another CPU (break-before-make
 *         leaves an entry invalid for a moment, under the memory lock) and
 *         the host should just run the instruction again; ::PVM_E_PERM if
 *         it does not (the page is the hypervisor's or a guest's, or the
 *         host may only read it): the port injects an abort into the host;
 *         ::PVM_E_INVAL for a NULL @p hyp or an @p access that is not one
 *         of the three bits; ::PVM_E_RANGE for an address beyond the host's
 *         IPA space.
 *
 * Called by a port's host abort handler (hypervisor context). Takes the
 * memory lock, so it returns only once any transition in flight is over.
 */
pvm_status_t pvm_mem_host_fault(struct pvm_hyp *hyp, pvm_paddr_t pa, pvm_prot_t access);

/** @brief What pvm_mem_page() reports about one page. */
struct pvm_page_info {
	unsigned owner;		   /**< Component id of the owner. */
	enum pvm_page_state state; /**< The owner's state. */
	bool hyp_borrows;	   /**< The hypervisor borrows it. */
	bool host_borrows;	   /**< The host borrows it (a guest page). */
	unsigned guests;	   /**< Guest mappings borrowing it (a host page). */
	unsigned pins;		   /**< Hypervisor pins. */
};

/**
 * @brief Read the metadata of one page (debug and test API).
 * @param hyp The hypervisor. @param pa Any address in the page. @param[out] info The page.
 * @return ::PVM_OK; ::PVM_E_RANGE outside managed memory; ::PVM_E_INVAL for NULL.
 */
pvm_status_t pvm_mem_page(struct pvm_hyp *hyp, pvm_paddr_t pa, struct pvm_page_info *info);

/** @brief Where pvm_mem_check() found a broken invariant. */
struct pvm_mem_report {
	uint64_t pa;	  /**< The page (or table entry) concerned. */
	unsigned vm;	  /**< VM handle concerned, or PVM_VM_MAX for none. */
	const char *what; /**< Which invariant, in words. */
};

/**
 * @brief Prove the ownership invariants (debug API; slow: walks everything).
 * @param hyp The hypervisor.
 * @param[out] report Where the first violation is described (may be NULL).
 * @return ::PVM_OK when all hold; ::PVM_E_STATE at the first violation.
 *
 * Checks: every page has one valid owner (host, hyp or an existing VM);
 * the host stage-2 maps, as an identity with the right state bits, exactly
 * the pages the host owns or borrows, and annotates every other page with
 * its owner; a guest stage-2 maps only pages the guest owns or borrows,
 * with the right state bits; hypervisor pages are in no stage-2; a page is
 * writable by two components only while shared; each page's guest-borrow
 * count equals the number of guest mappings of it; pins only on pages the
 * hypervisor borrows.
 */
pvm_status_t pvm_mem_check(struct pvm_hyp *hyp, struct pvm_mem_report *report);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_MEM_H */
