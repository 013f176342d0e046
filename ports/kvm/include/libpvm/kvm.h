/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file kvm.h
 * @brief The KVM port: libpvm's core in a VMM process on Linux/arm64, with
 *        guests run by `/dev/kvm`.
 *
 * The port defines every hook of libpvm/port.h for an ordinary Linux
 * process:
 *  - **Physical memory** is one `memfd`; libpvm's "physical addresses" are
 *    offsets into it from the configured base. The core's pools, stage-2
 *    tables and vCPU pages live there, as does all guest RAM. It is mapped
 *    twice (see Memory isolation): libpvm's own view
 *    (pvm_port_phys_to_virt(), and KVM's memslots) and the VMM's
 *    (pvm_kvm_ram()).
 *  - **Stage-2** tables of the core are bookkeeping: the translation the
 *    CPU uses is KVM's. The port keeps KVM's memslots equal to the valid
 *    leaves of each VM's core stage-2 (IPA, the memfd page behind it,
 *    read-only or writable), so the core's ownership state machine stays
 *    the single source of truth: a page the core maps for a guest is
 *    put in a memslot when the guest first touches it (or at the next entry
 *    after a change), a page the core unmaps leaves KVM before the core's
 *    TLB invalidation returns. Execute permissions are not expressible in
 *    memslots and are not enforced.
 *  - **TLB invalidation** has no hardware to act on: KVM owns the real
 *    stage-2 and its TLBs. pvm_port_tlbi_ipa() and pvm_port_tlbi_vmid()
 *    instead remove the affected memslots, which makes KVM unmap and
 *    invalidate.
 *  - **World switch**: pvm_port_vcpu_enter() is `KVM_RUN`. Its exits are
 *    turned into the syndromes the core decodes: `KVM_EXIT_MMIO` becomes a
 *    data abort with a valid instruction syndrome, `KVM_EXIT_ARM_NISV` one
 *    without, `KVM_EXIT_SYSTEM_EVENT` the guest's PSCI SYSTEM_OFF/RESET and
 *    `KVM_EXIT_HYPERCALL` (Linux 6.4+, SMCCC filter) an `HVC #0`.
 *  - **Interrupts** are KVM's in-kernel GICv3 (pvm_kvm_vm_gic()): the
 *    guest's distributor and redistributors are emulated by KVM, its arch
 *    timer interrupts (virtual timer PPI 27, physical PPI 30) are raised by
 *    KVM itself, and the VMM raises device interrupts with `KVM_IRQ_LINE`
 *    (pvm_kvm_irq_line()). Both Debian 12's 6.1 and Debian 13's 6.12 offer
 *    it, with the same behaviour.
 *
 * **Memory isolation.** The VMM's view of memory, pvm_kvm_ram(), follows
 * the host stage-2 of the core page by page (pvm_port_host_access()): a
 * page the host owns or borrows is readable and writable there; a page
 * donated to a guest or to libpvm (its carve-out, its pool, VM and vCPU
 * pages) is `PROT_NONE`, and a read or write of it through this view is a
 * `SIGSEGV`, as a host access is a stage-2 fault on the other ports. A page
 * a guest shares (MEM_SHARE) becomes accessible when the core commits the
 * share, and inaccessible again at MEM_UNSHARE; pages that come back from
 * a guest (MEM_RELINQUISH, teardown) or from the pool are zeroed by the
 * core, punched out of the memfd (which frees them) and then accessible,
 * reading zero. The view is never executable. The memfd's size is sealed
 * and its fd closed once both views exist.
 *
 * **Trust.** pvm_kvm_init() probes for the protected-VM machine type
 * (`KVM_CREATE_VM` with bit 31 of the type: upstream pKVM's
 * `KVM_VM_TYPE_ARM_PROTECTED`, Linux 7.1 on, booted with
 * `kvm-arm.mode=protected`) and reports it in pvm_kvm_caps::protected_vm.
 * Where the kernel offers it, a protected libpvm VM gets a pKVM-protected
 * KVM VM (pvm_kvm_vm_attach()): the kernel's hypervisor takes each guest
 * page from the host at the guest's first access, and no route of this
 * process or of the host kernel reaches it then (docs/porting.md has the
 * table per kernel). pKVM does not protect the vCPU's registers. Both
 * views of memory are excluded from `fork()` (`MADV_DONTFORK`): a child
 * would otherwise be handed copies of guest pages.
 * Elsewhere (Debian 12's 6.1, Debian 13's 6.12, a non-protected libpvm VM)
 * the KVM VM is an ordinary one. What the VMM's view protects then:
 * guests, from the VMM's own code (a device model or loader bug, a stale
 * pointer, an address a guest supplied) going through pvm_kvm_ram(). What
 * it does not: the host kernel can read and write guest memory (it is
 * trusted in this mode); and libpvm's own view of every page (which KVM's
 * memslots need, to fault guest pages in) is in the same process, as are
 * `/proc/self/mem` and ptrace: code of this process that goes around
 * pvm_kvm_ram() on purpose is not stopped. pvm_kvm_init() says all this on
 * stderr.
 *
 * **Guest calls.** On kernels without the SMCCC filter (before 6.4, e.g.
 * Debian 12's 6.1), and on a pKVM-protected VM (KVM refuses the filter
 * there), KVM answers every hypercall it does not know with NOT_SUPPORTED
 * in the kernel: libpvm's own calls (attestation) are then unavailable to
 * guests, and so are pKVM's protected-guest calls (MEM_SHARE, MEM_UNSHARE,
 * MEM_RELINQUISH, MMIO guard) on an ordinary VM; on a pKVM-protected VM
 * pKVM's hypervisor serves MEM_SHARE, MEM_UNSHARE and HYP_MEMINFO itself,
 * unseen by libpvm (pvm_kvm_vm_caps::guest_calls says which). PSCI is
 * then handled by KVM itself: CPU_ON starts a vCPU inside the kernel, with
 * no exit and no check of the entry point against the VM's memory, so a
 * VMM must boot every vCPU in the core (pvm_vcpu_boot()) and keep a thread
 * in pvm_vcpu_run() for each from the start; a secondary's KVM_RUN blocks
 * until the guest's CPU_ON. With the filter, PSCI (0x84000000-0x8400001f,
 * 0xc4000000-0xc400001f) is routed to libpvm: the core's PSCI runs and
 * reports CPU_ON, CPU_OFF and SYSTEM_OFF as on the other ports.
 */
#ifndef LIBPVM_KVM_H
#define LIBPVM_KVM_H

#include <libpvm/types.h>

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pvm_hyp;

/** @brief The machine the port provides. */
struct pvm_kvm_config {
	uint64_t ram_base; /**< First "physical" address (page aligned). */
	uint64_t ram_size; /**< Bytes of physical memory (a memfd of this size). */
	unsigned ipa_bits; /**< Guest IPA size asked of KVM (KVM_VM_TYPE_ARM_IPA_SIZE). */
};

/** @brief What the host kernel offers, as probed by pvm_kvm_init(). */
struct pvm_kvm_caps {
	unsigned max_ipa_bits; /**< KVM_CAP_ARM_VM_IPA_SIZE (0: only 40 bits). */
	bool smccc_filter;     /**< KVM_ARM_VM_SMCCC_FILTER: guest calls reach libpvm. */
	bool protected_vm;     /**< KVM_CREATE_VM accepts the protected-VM type (bit 31). */
	bool nisv_to_user;     /**< KVM_CAP_ARM_NISV_TO_USER. */
	bool guest_memfd;      /**< KVM_CAP_GUEST_MEMFD (not used by the port yet). */
	bool gic_v3; /**< KVM_DEV_TYPE_ARM_VGIC_V3: an in-kernel GICv3 (pvm_kvm_vm_gic()). */
};

/** @name The GICv3 layout of QEMU's virt machine, a good guest layout */
/**@{*/
#define PVM_KVM_GIC_DIST_BASE	0x08000000ull /**< GICD (64 KiB). */
#define PVM_KVM_GIC_REDIST_BASE 0x080a0000ull /**< First GICR (128 KiB per vCPU). */
#define PVM_KVM_GIC_NR_IRQS	128u	      /**< SGIs, PPIs and 96 SPIs. */
/**@}*/
/** @brief Bytes of the distributor's frame. */
#define PVM_KVM_GIC_DIST_SIZE 0x10000ull
/** @brief Bytes of one vCPU's redistributor (RD_base and SGI_base frames). */
#define PVM_KVM_GIC_REDIST_STRIDE 0x20000ull

/** @brief The in-kernel GICv3 of a VM, as the guest sees it. */
struct pvm_kvm_gic {
	uint64_t dist_base;   /**< IPA of the distributor (64 KiB aligned). */
	uint64_t redist_base; /**< IPA of vCPU 0's redistributor (64 KiB aligned); vCPU n's is
				 n * ::PVM_KVM_GIC_REDIST_STRIDE above. ::PVM_VCPU_MAX of them
				 are reserved. */
	unsigned nr_irqs;     /**< INTIDs 0..nr_irqs-1: a multiple of 32, 64 to 1024. */
};

/**
 * @brief Open `/dev/kvm`, probe it and create the physical memory.
 * @param cfg  The machine.
 * @param caps Out, optional: what the kernel offers.
 * @return ::PVM_OK; ::PVM_E_INVAL (bad @p cfg); ::PVM_E_NOTSUP (no usable
 *         `/dev/kvm`, or fewer IPA bits than asked); ::PVM_E_NOMEM.
 * Prints to stderr which guest calls are unavailable and that the host
 * kernel is trusted. Call once, before anything else of libpvm.
 */
pvm_status_t pvm_kvm_init(const struct pvm_kvm_config *cfg, struct pvm_kvm_caps *caps);

/** @brief Release every KVM VM, vCPU and the physical memory. */
void pvm_kvm_fini(void);

/**
 * @brief The VMM's view of physical memory.
 * @param pa  A physical address.
 * @param len Bytes from @p pa.
 * @return A pointer, or NULL if the range is not all inside the memory.
 *
 * Only pages the host stage-2 maps are accessible through it (read-write,
 * never executable); touching any other page faults with `SIGSEGV` (see
 * Memory isolation). The pointer stays valid: a page that comes back to
 * the host becomes accessible at the same address.
 */
void *pvm_kvm_ram(pvm_paddr_t pa, size_t len);

/** @brief What the KVM VM behind a libpvm VM is (pvm_kvm_vm_attach()). */
struct pvm_kvm_vm_caps {
	/**
	 * A pKVM-protected VM (`KVM_VM_TYPE_ARM_PROTECTED`): the kernel's own
	 * hypervisor takes each page of guest memory from the host at the
	 * guest's first access, so neither this process nor the host kernel
	 * can read it from then on. False: an ordinary KVM VM, whose memory
	 * the host kernel can reach (it is trusted).
	 */
	bool kernel_protected;
	/**
	 * The SMCCC filter brings the guest's calls to libpvm: pKVM's
	 * MEM_SHARE, MEM_UNSHARE, MEM_RELINQUISH and MMIO guard, libpvm's own
	 * (attestation) and PSCI. False: the kernel answers them (KVM's PSCI;
	 * on a pKVM-protected VM pKVM's hypervisor serves MEM_SHARE and
	 * MEM_UNSHARE; every other call of libpvm's gets `NOT_SUPPORTED`), and
	 * the VMM must boot every vCPU up front (pvm_vcpu_boot()) and keep a
	 * thread in pvm_vcpu_run() for each.
	 */
	bool guest_calls;
	/**
	 * Every guest load or store to an IPA the VM's stage-2 does not map
	 * comes out of pvm_vcpu_run() (as ::PVM_EXIT_MEM_FAULT for guest RAM):
	 * KVM hands this process the aborts it cannot decode
	 * (`KVM_CAP_ARM_NISV_TO_USER`). False (a pKVM-protected VM on 7.3:
	 * KVM refuses the capability there): such an access (a load or store
	 * pair, one with writeback) does not, so the VMM must donate the
	 * guest's RAM before it runs rather than on its faults. Instruction
	 * fetches never do on this port (KVM injects an abort into the guest).
	 */
	bool mem_faults;
};

/**
 * @brief Give libpvm VM @p vm its KVM VM: pKVM-protected if the libpvm VM
 *        is protected and the kernel offers the type, ordinary otherwise.
 * @param hyp  The hypervisor that holds the VM.
 * @param vm   The libpvm VM handle (pvm_vm_create()).
 * @param caps Out, optional: what the KVM VM is.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL @p hyp, @p vm out of range, or
 *         pvm_kvm_init() not done); ::PVM_E_NOENT (no such VM in @p hyp);
 *         ::PVM_E_STATE (the VM is being torn down); ::PVM_E_EXISTS (it has
 *         its KVM VM); ::PVM_E_NOTSUP (KVM refused: see stderr);
 *         ::PVM_E_NOMEM.
 *
 * Call once per VM, after pvm_vm_create() and before pvm_kvm_vcpu_attach()
 * and pvm_kvm_vm_gic(). A VMM that needs the kernel's protection refuses to
 * go on when @p caps says it did not get it.
 *
 * On a pKVM-protected VM, memslots cannot be dropped once it has run
 * (Linux's pkvm.rst): the first stage-2 change the core makes after that,
 * which in libpvm's model is the teardown's reclaim (the guest's own
 * MEM_SHARE and MEM_UNSHARE never reach libpvm there), destroys the KVM
 * VM, its vCPUs and its GIC, and the kernel gives every page back to the
 * host before the core zeroes it. Host path.
 */
pvm_status_t pvm_kvm_vm_attach(struct pvm_hyp *hyp, unsigned vm, struct pvm_kvm_vm_caps *caps);

/**
 * @brief Give a libpvm vCPU a KVM vCPU to run on.
 * @param vm    The libpvm VM handle, attached (pvm_kvm_vm_attach()).
 * @param index The vCPU index (pvm_vcpu_create()).
 * @return ::PVM_OK; ::PVM_E_INVAL (out of range); ::PVM_E_EXISTS;
 *         ::PVM_E_STATE (the VM is not attached, or has run or raised an
 *         interrupt: its vCPUs are fixed); ::PVM_E_NOTSUP (KVM refused: see
 *         stderr); ::PVM_E_NOMEM.
 * The KVM vCPU is initialised with KVM's preferred target and PSCI 0.2;
 * without guest calls (pvm_kvm_vm_caps::guest_calls), vCPUs other than 0
 * start powered off in KVM (its in-kernel CPU_ON starts them). Host path.
 */
pvm_status_t pvm_kvm_vcpu_attach(unsigned vm, unsigned index);

/**
 * @brief Make a running (or the next) pvm_vcpu_run() of a vCPU return
 *        ::PVM_EXIT_INTERRUPTED.
 * @param vm    The libpvm VM handle.
 * @param index The vCPU.
 */
void pvm_kvm_vcpu_kick(unsigned vm, unsigned index);

/**
 * @brief Give libpvm VM @p vm an in-kernel GICv3 (and so the arch timer's
 *        interrupts).
 * @param vm  The libpvm VM handle.
 * @param gic Where the guest finds the distributor and redistributors
 *            (e.g. ::PVM_KVM_GIC_DIST_BASE, ::PVM_KVM_GIC_REDIST_BASE,
 *            ::PVM_KVM_GIC_NR_IRQS: QEMU virt's layout).
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL, misaligned bases, bad @p nr_irqs);
 *         ::PVM_E_RANGE (the frames overlap each other or lie beyond the IPA
 *         size); ::PVM_E_EXISTS (the VM has one); ::PVM_E_STATE (the VM is
 *         not attached (pvm_kvm_vm_attach()), or a vCPU of it has run); ::PVM_E_NOTSUP (no vGICv3
 * in this kernel, or KVM refused: see stderr).
 *
 * Call before the VM's first run, before or after attaching its vCPUs. The
 * GIC is initialised (`KVM_DEV_ARM_VGIC_CTRL_INIT`) at the first entry of
 * any of the VM's vCPUs or the first interrupt raised (pvm_kvm_irq_line(),
 * pvm_vcpu_inject_irq()), whichever comes first; KVM accepts no new vCPU
 * after that, and pvm_kvm_vcpu_attach() answers ::PVM_E_STATE (the core's
 * pvm_vcpu_create() refuses once the VM has run). The frames must
 * not overlap guest RAM or the VMM's MMIO devices: accesses to them never
 * reach the VMM. Host path.
 */
pvm_status_t pvm_kvm_vm_gic(unsigned vm, const struct pvm_kvm_gic *gic);

/**
 * @brief Set the level of an interrupt line of the VM's GIC
 *        (`KVM_IRQ_LINE`), as a device wired to it would.
 * @param vm    The libpvm VM handle.
 * @param index The vCPU whose PPI it is (INTIDs 16-31); ignored for SPIs.
 * @param intid 16-31 (a PPI of vCPU @p index) or 32 up to the GIC's
 *              nr_irqs - 1 (an SPI).
 * @param level Asserted or not.
 * @return ::PVM_OK; ::PVM_E_INVAL (INTID out of range); ::PVM_E_NOENT (no
 *         such vCPU for a PPI); ::PVM_E_NOTSUP (an SGI, INTIDs 0-15: only
 *         the guest raises those, by ICC_SGI1R_EL1; or KVM refused);
 *         ::PVM_E_STATE (the VM has no GIC).
 *
 * The first line raised initialises the VM's GIC (pvm_kvm_vm_gic()): no
 * vCPU can be attached after.
 *
 * Level-sensitive interrupts stay pending while the line is asserted; an
 * edge-triggered one (an SPI the guest configured so in GICD_ICFGR) is
 * latched on the rising edge. KVM keeps every PPI level-sensitive.
 * Any thread. pvm_vcpu_inject_irq() on this port is an edge on this line.
 */
pvm_status_t pvm_kvm_irq_line(unsigned vm, unsigned index, unsigned intid, bool level);

/**
 * @brief Destroy the KVM VM behind libpvm VM @p vm and its vCPUs.
 * @param vm The libpvm VM handle; its vCPUs must not be running.
 */
void pvm_kvm_vm_detach(unsigned vm);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_KVM_H */
