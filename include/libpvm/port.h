/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file port.h
 * @brief What a port must provide: link-time hooks the portable core calls.
 *
 * The core in `src/` is freestanding and knows nothing of the machine it
 * runs on. Each port (`ports/sim`, `ports/el2`, `ports/kvm`) defines every
 * function declared here; they are bound at link time, so the hot paths
 * make direct calls, never calls through a table of function pointers.
 *
 * All hooks are called by the core only. None of them may fail: a port
 * that cannot do what a hook asks has a bug, not a recoverable error.
 */
#ifndef LIBPVM_PORT_H
#define LIBPVM_PORT_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Hypervisor virtual address of a physical address.
 * @param pa A physical address of memory the hypervisor manages (a page
 *           donated to a pool, or a stage-2 table page).
 * @return The address at which the core can read and write @p pa.
 *
 * On the EL2 port this is the hypervisor's linear map; on the simulator, an
 * offset into the simulated physical memory array. It must be linear over
 * managed memory: physically contiguous pages have virtually contiguous
 * addresses (the core zeroes and cleans runs of pages in one go).
 */
void *pvm_port_phys_to_virt(pvm_paddr_t pa);

/**
 * @brief Physical address of a hypervisor virtual address.
 * @param va An address previously returned by pvm_port_phys_to_virt().
 * @return The physical address behind @p va.
 */
pvm_paddr_t pvm_port_virt_to_phys(const void *va);

/** @brief Level hint for pvm_port_tlbi_ipa() when the level of the old entry is unknown. */
#define PVM_TLBI_LEVEL_ANY 0xffu

/**
 * @brief Invalidate the stage-2 TLB entries of one IPA of one VMID.
 * @param vmid  The VMID whose translations are invalidated.
 * @param ipa   Any address inside the entry that changed.
 * @param level Level (1-3) of the leaf (block or page) entry that changed,
 *              which a port may pass on as the TTL hint (FEAT_TTL);
 *              ::PVM_TLBI_LEVEL_ANY when the entry was a table (its leaves
 *              were at other levels) or the level is unknown.
 *
 * Must make every descriptor write done before the call visible to the
 * table walker first (`DSB ISHST`), and must have completed when it returns
 * (`TLBI IPAS2E1IS; DSB ISH; TLBI VMALLE1IS; DSB ISH; ISB` on hardware,
 * since combined stage-1+2 entries are not tagged by IPA). The core calls it
 * after it has invalidated (broken) a valid descriptor and before it frees a
 * table page or writes a new valid descriptor in the same place.
 */
void pvm_port_tlbi_ipa(uint16_t vmid, pvm_ipa_t ipa, unsigned level);

/**
 * @brief Invalidate every stage-2 and combined TLB entry of one VMID.
 * @param vmid The VMID to invalidate (`TLBI VMALLS12E1IS` on hardware).
 *
 * Same barrier rules as pvm_port_tlbi_ipa(). The core uses it instead of
 * many per-IPA invalidations when a range operation touches many pages.
 */
void pvm_port_tlbi_vmid(uint16_t vmid);

/**
 * @brief Clean (write back) data cache lines to the Point of Coherency.
 * @param va   Start of the memory (a hypervisor virtual address).
 * @param size Size in bytes; any alignment.
 *
 * Used when memory changes hands (a reclaimed page has been zeroed and must
 * not be readable from memory behind the cache) and for table pages on
 * systems whose table walker is not coherent with the data cache.
 */
void pvm_port_dcache_clean_poc(void *va, size_t size);

/**
 * @brief Clean and invalidate data cache lines to the Point of Coherency.
 * @param va   Start of the memory (a hypervisor virtual address).
 * @param size Size in bytes; any alignment.
 *
 * Used when pages are mapped into a guest, after the host lost write access
 * to them (donation) and before the guest's stage-2 entry exists: a guest
 * running with its MMU off makes non-cacheable accesses that would miss
 * lines the host left dirty, and a guest that turns its MMU on later must
 * not hit stale clean lines from before its own non-cacheable writes.
 * A port whose stage-2 forces write-back attributes (FEAT_S2FWB) or whose
 * guests' memory is mapped by another hypervisor that does this itself may
 * implement it as nothing.
 */
void pvm_port_dcache_clean_inval_poc(void *va, size_t size);

/**
 * @brief Invalidate instruction cache lines to the Point of Unification.
 * @param va   Start of the memory (a hypervisor virtual address).
 * @param size Size in bytes; any alignment.
 *
 * Used when pages are mapped executable into a guest, after
 * pvm_port_dcache_clean_inval_poc() on the same range: the guest must fetch
 * the instructions the host wrote, not lines an earlier owner left in the
 * instruction cache.
 */
void pvm_port_icache_inval_pou(void *va, size_t size);

/**
 * @brief The host's stage-2 now grants @p prot on a run of physical pages.
 * @param pa   First page (page aligned).
 * @param size Bytes (a whole number of pages).
 * @param prot What the host may do there from now on: ::PVM_PROT_R,
 *             ::PVM_PROT_W, ::PVM_PROT_X bits, or 0 (the page is the
 *             hypervisor's or a guest's: a host access must fault).
 *
 * Called by the core, with the memory lock held, right after it committed
 * a change of the host's stage-2 (and once for all of memory at
 * pvm_hyp_init()), in the same order as the transition's stage-2 changes:
 * a grant of @p prot 0 comes before the page is given to anyone else. A
 * port whose host really runs on the host stage-2 (EL2, the simulator's
 * MMU) has nothing to do; a port whose host is a process with its own page
 * tables (KVM) makes that process's view of the pages follow it. Must not
 * call back into the core.
 */
void pvm_port_host_access(pvm_paddr_t pa, uint64_t size, pvm_prot_t prot);

/**
 * @brief A lock word. The port decides what it means (a spin lock on
 *        hardware, a host mutex-free spin on the simulator).
 */
typedef struct pvm_lock {
	uint32_t word; /**< Owned by the port; zero is "unlocked". */
} pvm_lock_t;

/** @brief Initialiser for an unlocked ::pvm_lock_t. */
#define PVM_LOCK_INIT                                                                              \
	{                                                                                          \
		0                                                                                  \
	}

/**
 * @brief Acquire a lock (acquire ordering). Locks are not recursive.
 * @param lock The lock; must have been initialised to ::PVM_LOCK_INIT.
 */
void pvm_port_lock(pvm_lock_t *lock);

/**
 * @brief Release a lock taken by pvm_port_lock() (release ordering).
 * @param lock The lock.
 */
void pvm_port_unlock(pvm_lock_t *lock);

/**
 * @brief Is @p lock held (by the calling CPU or thread, where the port can
 *        tell who holds it)?
 * @param lock The lock.
 * @return true if it is held.
 *
 * Only the core's lock assertions call it, in builds without `NDEBUG`: a
 * function that needs a lock checks that its caller took it (pKVM's
 * `hyp_assert_lock_held`). A port whose lock word cannot name its owner
 * answers whether anyone holds it.
 */
bool pvm_port_lock_held(const pvm_lock_t *lock);

/**
 * @brief Stop the machine: the core found one of its invariants broken.
 * @param why What broke: the source file, line and the condition that
 *            failed, as one string.
 *
 * Called when a step that cannot fail failed (a commit whose checks passed
 * and whose pages were reserved, a lock not held where it must be). The
 * core's state may be half changed, so nothing may run on: the port reports
 * @p why where its operator will see it and stops every CPU (the EL2 port
 * powers the machine off; a host process aborts). Never returns.
 */
_Noreturn void pvm_port_panic(const char *why);

struct pvm_vcpu_ctx;
struct pvm_trap;

/**
 * @brief The world switch: run a guest vCPU until it traps to EL2.
 * @param ctx  The vCPU's state: its registers are loaded before entry and
 *             saved back on exit; VTTBR/VTCR/HCR and the pending virtual
 *             interrupts are the hypervisor's settings for this run.
 * @param trap Out: why the guest stopped, with ESR_EL2, FAR_EL2 and
 *             HPFAR_EL2 exactly as the hardware reports them.
 *
 * On the EL2 port this is the assembly world switch; on the simulator it
 * resumes a simulated guest CPU (a C function or a Unicorn engine) and on
 * the KVM port it is `KVM_RUN`. A port delivers a pending virtual IRQ as
 * the hardware does (HCR_EL2.VI, list registers, or the simulator's
 * emulated GICv3 CPU interface: taken when the guest's PSTATE.I is clear)
 * and clears its bit in @p ctx once taken (or, with a CPU interface, once
 * the guest acknowledges it).
 */
void pvm_port_vcpu_enter(struct pvm_vcpu_ctx *ctx, struct pvm_trap *trap);

/**
 * @brief Route a virtual interrupt the host raises (pvm_vcpu_inject_irq()).
 * @param vm    The VM's handle.
 * @param index The vCPU (it exists; the VM is active).
 * @param intid INTID 0..127.
 * @param queue Out: true if the core is to queue it in the vCPU's
 *              ::pvm_vcpu_ctx virq bitmap for pvm_port_vcpu_enter(); false
 *              if the port made it pending itself.
 * @return ::PVM_OK; ::PVM_E_NOTSUP (the port cannot deliver this INTID to
 *         this VM: nothing is queued and the call fails with it).
 *
 * Ports whose world switch delivers the bitmap (list registers, an emulated
 * CPU interface, HCR_EL2.VI) queue everything. A port whose interrupt controller lives elsewhere
 * (KVM's in-kernel vGIC) raises the interrupt there, at once, so that a vCPU waiting for it in the
 * kernel wakes. Called with the core's memory lock held: must not block for long.
 */
pvm_status_t pvm_port_vcpu_irq(unsigned vm, unsigned index, unsigned intid, bool *queue);

/**
 * @brief The CPU's own value of an AArch64 ID register of the group
 *        HCR_EL2.TID3 traps: Op0 3, Op1 0, CRn 0, @p crm (1..7), @p op2 (0..7).
 * @param crm CRm of the register (1..7).
 * @param op2 Op2 of the register (0..7).
 * @return What an MRS of it at EL2 reads (the unallocated encodings of the
 *         group read as zero). The core hides what guests do not get
 *         (pvm_sysreg_id_value()) and gives the guest the rest.
 *
 * Called when a guest's read of one traps. A port whose guests' ID
 * registers never trap to the core (the simulator's CPUs do not implement
 * TID3; KVM keeps them in the kernel) returns 0, "not implemented".
 */
uint64_t pvm_port_id_reg(unsigned crm, unsigned op2);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_PORT_H */
