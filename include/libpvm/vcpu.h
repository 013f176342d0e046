/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file vcpu.h
 * @brief Virtual CPUs and the run loop: enter a guest, handle its traps,
 *        return typed exits to the VMM.
 *
 * A vCPU lives in one page the host donates (pvm_vcpu_create()). The VMM
 * runs it with pvm_vcpu_run(), which enters the guest through the port
 * (pvm_port_vcpu_enter()), decodes each trap from ESR_EL2/FAR_EL2/HPFAR_EL2,
 * handles in the hypervisor what belongs there (SMCCC and PSCI calls, pKVM's
 * protected-guest calls, WFE, a fault on a page the guest already owns) and
 * returns to the VMM only with a ::pvm_exit.
 *
 * **Protected VMs.** The host never sees a protected guest's registers or
 * memory: an exit carries only what that exit needs (an MMIO write's data;
 * the data of an MMIO read travels the other way, in the completion), and
 * pvm_vcpu_get_regs() / pvm_vcpu_set_regs() are refused.
 *
 * **Completions.** The ::pvm_exit is in/out, as KVM's `kvm_run`: after an
 * MMIO read exit the VMM stores the value in `mmio.data` (or sets
 * ::PVM_EXIT_F_ABORT in `flags`) and passes the same structure to the next pvm_vcpu_run();
 * after a forwarded hypercall it stores the results in `hvc.x[0..3]`. Only
 * the fields of the exit the hypervisor is waiting for are read; everything
 * else the host writes there is ignored.
 *
 * **Locking.** pvm_vcpu_run() takes a reference on the VM (so teardown is
 * refused while a vCPU runs) and marks the vCPU running (a second concurrent
 * run of it is refused with ::PVM_E_BUSY). Different vCPUs of a VM may run
 * concurrently on different CPUs/threads.
 */
#ifndef LIBPVM_VCPU_H
#define LIBPVM_VCPU_H

#include <libpvm/vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief EL1 system registers saved and restored across a world switch. */
enum pvm_sysreg {
	PVM_SYS_SP_EL1,
	PVM_SYS_ELR_EL1,
	PVM_SYS_SPSR_EL1,
	PVM_SYS_ESR_EL1,
	PVM_SYS_FAR_EL1,
	PVM_SYS_VBAR_EL1,
	PVM_SYS_SCTLR_EL1,
	PVM_SYS_TTBR0_EL1,
	PVM_SYS_TTBR1_EL1,
	PVM_SYS_TCR_EL1,
	PVM_SYS_MAIR_EL1,
	PVM_SYS_AMAIR_EL1,
	PVM_SYS_CONTEXTIDR_EL1,
	PVM_SYS_TPIDR_EL0,
	PVM_SYS_TPIDRRO_EL0,
	PVM_SYS_TPIDR_EL1,
	PVM_SYS_CPACR_EL1,
	PVM_SYS_CNTKCTL_EL1,
	PVM_SYS_PAR_EL1,
	PVM_SYS_AFSR0_EL1,
	PVM_SYS_AFSR1_EL1,
	PVM_SYS_CNTV_CTL_EL0,
	PVM_SYS_CNTV_CVAL_EL0,
	PVM_SYS_MPIDR_EL1, /**< Written to VMPIDR_EL2; read-only for the guest. */
	PVM_SYS_NR
};

/** @brief The guest's register file, as the world switch saves it. */
struct pvm_vcpu_regs {
	uint64_t x[31];		  /**< x0..x30. */
	uint64_t sp_el0;	  /**< SP_EL0. */
	uint64_t pc;		  /**< ELR_EL2: where the guest resumes. */
	uint64_t pstate;	  /**< SPSR_EL2: the guest's PSTATE. */
	uint64_t sys[PVM_SYS_NR]; /**< EL1 system registers, by ::pvm_sysreg. */
	uint64_t fp[64];	  /**< V0..V31 (two words each). */
	uint64_t fpsr;		  /**< FPSR. */
	uint64_t fpcr;		  /**< FPCR. */
	/**
	 * The pointer-authentication keys, APIAKey, APIBKey, APDAKey, APDBKey,
	 * APGAKey, each as its _EL1 Lo then Hi register: the guest's own
	 * (HCR_EL2.API/APK set for it), switched by ports on CPUs with PAC.
	 */
	uint64_t pauth[10];
};

/** @brief Guest PSTATE at reset and at exception entry: EL1h with D, A, I, F masked. */
#define PVM_PSTATE_EL1H_MASKED 0x3c5ull

/**
 * @brief What a world switch hands back to the core: the syndrome of the
 *        exception that ended the guest's run.
 *
 * Filled by pvm_port_vcpu_enter() exactly as the hardware reports it.
 */
struct pvm_trap {
	uint32_t kind;	/**< ::pvm_trap_kind. */
	uint64_t esr;	/**< ESR_EL2 (synchronous exceptions). */
	uint64_t far;	/**< FAR_EL2 (aborts). */
	uint64_t hpfar; /**< HPFAR_EL2 (stage-2 aborts). */
};

/** @brief Why the guest stopped running. */
enum pvm_trap_kind {
	PVM_TRAP_SYNC = 0,   /**< A synchronous exception to EL2: see ESR_EL2. */
	PVM_TRAP_IRQ = 1,    /**< A physical IRQ for the host; the guest is simply resumed later. */
	PVM_TRAP_FIQ = 2,    /**< A physical FIQ (as IRQ). */
	PVM_TRAP_SERROR = 3, /**< An SError while the guest ran: reported as an internal error. */
	PVM_TRAP_HALT =
		4, /**< The port cannot run this vCPU any more (e.g. a simulated guest ended). */
};

/** @brief The most list registers a GICv3 CPU interface has (ICH_VTR_EL2.ListRegs < 16). */
#define PVM_VGIC_LR_MAX 16

/**
 * @brief A vCPU's GICv3 virtual CPU interface, for ports that give the guest
 *        one (the EL2 port's list registers).
 *
 * What the hardware holds while the guest runs and the port keeps while it
 * does not: the list registers that were still pending or active when the
 * guest stopped (an interrupt the guest has acknowledged but not yet
 * deactivated stays in its list register across runs), ICH_VMCR_EL2 (the
 * guest's priority mask and group enables) and the active-priority
 * registers. The core only zeroes it at vCPU reset. The simulator's binary
 * guests keep their emulated GICv3 CPU interface here in the same formats
 * (vmcr, ap1r[0], and in lr[] the interrupts acknowledged and not yet
 * deactivated); KVM keeps it in the kernel and does not use it.
 */
struct pvm_vgic_state {
	uint64_t lr[PVM_VGIC_LR_MAX]; /**< ICH_LR<n>_EL2 values in use, lr[0..nr_lr). */
	uint32_t nr_lr;		      /**< How many of lr[] hold an interrupt. */
	uint32_t vmcr;		      /**< ICH_VMCR_EL2. */
	uint32_t ap0r[4];	      /**< ICH_AP0R<n>_EL2. */
	uint32_t ap1r[4];	      /**< ICH_AP1R<n>_EL2. */
};

/**
 * @brief What the guest-facing side of the port needs to run a vCPU:
 *        handed to pvm_port_vcpu_enter().
 */
struct pvm_vcpu_ctx {
	struct pvm_vcpu_regs regs; /**< Loaded on entry, saved on exit. */
	uint64_t vttbr;		   /**< VTTBR_EL2 of the VM. */
	uint64_t vtcr;		   /**< VTCR_EL2 of the VM. */
	/** HCR_EL2 for this guest (VI set: a virtual IRQ is pending; ports with list registers
	 *  deliver through those instead and ignore VI). */
	uint64_t hcr;
	uint32_t virq[4]; /**< Pending virtual INTIDs 0..127 (a bitmap, list-register source). */
	struct pvm_vgic_state vgic; /**< The GIC virtual CPU interface (ports with one). */
	uint16_t vm;		    /**< The VM's handle. */
	uint16_t index;		    /**< The vCPU's index in its VM. */
	/**
	 * Counts the core's resets of the vCPU to its architectural reset
	 * state (pvm_vcpu_create(), pvm_vcpu_boot(), a guest's PSCI CPU_ON):
	 * a port that keeps CPU state outside @ref regs (KVM keeps the EL1
	 * system registers) resets it too when the count has moved.
	 */
	uint32_t resets;
};

/** @brief Kinds of ::pvm_exit. */
enum pvm_exit_kind {
	PVM_EXIT_NONE = 0,	  /**< No exit (only as input: nothing to complete). */
	PVM_EXIT_MMIO = 1,	  /**< An access to an IPA that is not memory: emulate it. */
	PVM_EXIT_MEM_FAULT = 2,	  /**< An access to guest RAM not backed yet: donate and rerun. */
	PVM_EXIT_WFI = 3,	  /**< The guest waits for an interrupt. */
	PVM_EXIT_HVC = 4,	  /**< A hypercall for the VMM (non-protected VMs only). */
	PVM_EXIT_PSCI = 5,	  /**< A PSCI power event the VMM must act on. */
	PVM_EXIT_MEM_SHARE = 6,	  /**< The guest shared, unshared or relinquished pages. */
	PVM_EXIT_GUEST_FAULT = 7, /**< The hypervisor injected an exception into the guest. */
	PVM_EXIT_INTERNAL = 8,	  /**< The vCPU cannot run any more (see internal.status). */
	PVM_EXIT_NEED_PAGES = 9, /**< The pool ran dry in a guest call: donate need.pages, rerun. */
	PVM_EXIT_INTERRUPTED = 10, /**< A physical interrupt (or a kick) for the host: rerun. */
	PVM_EXIT_IPI = 11, /**< The guest sent an SGI to vCPUs that may wait in WFI: run them. */
};

/** @brief ::PVM_EXIT_MEM_SHARE operations. */
enum pvm_share_op {
	PVM_SHARE_OP_SHARE = 0,	  /**< Guest share host: the host may now access the pages. */
	PVM_SHARE_OP_UNSHARE = 1, /**< Guest unshare host: the host lost access. */
	PVM_SHARE_OP_RELINQUISH =
		2, /**< Guest relinquish: the pages are the host's again, zeroed. */
};

/** @brief ::PVM_EXIT_GUEST_FAULT reasons. */
enum pvm_fault_reason {
	PVM_FAULT_DABT = 0,  /**< A data abort was injected (bad access). */
	PVM_FAULT_IABT = 1,  /**< An instruction abort was injected. */
	PVM_FAULT_UNDEF = 2, /**< An undefined-instruction exception was injected. */
};

/**
 * @brief A typed exit of pvm_vcpu_run(), and the completion of the previous
 *        one (in/out).
 */
struct pvm_exit {
	uint32_t kind;	/**< ::pvm_exit_kind. */
	uint32_t flags; /**< In: ::PVM_EXIT_F_ABORT. */
	union {
		/** ::PVM_EXIT_MMIO. */
		struct {
			uint64_t data; /**< Write: the data. Read: the VMM stores the value here. */
			uint64_t ipa;  /**< Address accessed. */
			uint8_t size;  /**< Bytes: 1, 2, 4 or 8. */
			bool write;    /**< Store (true) or load. */
		} mmio;
		/** ::PVM_EXIT_MEM_FAULT. */
		struct {
			uint64_t ipa; /**< Faulting IPA, page aligned. */
			bool write;   /**< A store faulted. */
			bool exec;    /**< An instruction fetch faulted. */
		} mem_fault;
		/** ::PVM_EXIT_PSCI. */
		struct {
			uint32_t fn; /**< PSCI_CPU_ON(64), PSCI_CPU_OFF, PSCI_SYSTEM_OFF or _RESET.
				      */
			uint32_t target; /**< CPU_ON: the vCPU index now ON_PENDING. */
		} psci;
		/** ::PVM_EXIT_HVC. */
		struct {
			uint64_t x[6]; /**< Out: x0..x5 of the call. In: results in x[0..3]. */
		} hvc;
		/** ::PVM_EXIT_MEM_SHARE. */
		struct {
			uint64_t ipa;	/**< First page. */
			uint64_t pages; /**< Pages. */
			uint32_t op;	/**< ::pvm_share_op. */
		} share;
		/** ::PVM_EXIT_GUEST_FAULT. */
		struct {
			uint32_t reason; /**< ::pvm_fault_reason. */
			uint64_t ipa;	 /**< The address of the access, when there is one. */
		} fault;
		/** ::PVM_EXIT_WFI. */
		struct {
			/**
			 * When the guest's virtual timer fires, as CNTV_CVAL_EL0 (in the
			 * guest's virtual count, which is the physical count on the EL2
			 * port), if it is enabled and unmasked; ::PVM_WFI_NO_DEADLINE if
			 * not. A VMM waits until then, or until it injects an interrupt,
			 * and runs the vCPU again (pKVM's host, too, learns a blocked
			 * vCPU's timer to wake it).
			 */
			uint64_t deadline;
		} wfi;
		/**
		 * ::PVM_EXIT_IPI: the guest's ICC_SGI1R_EL1 write made SGI @c intid
		 * pending in these vCPUs (already: nothing for the VMM to inject); a
		 * VMM whose vCPU among them waits after a WFI exit runs it again.
		 */
		struct {
			uint64_t targets; /**< Bit n: vCPU n. */
			uint32_t intid;	  /**< The SGI, 0..15. */
		} ipi;
		/** ::PVM_EXIT_NEED_PAGES: the call is replayed on the next run. */
		struct {
			uint64_t pages; /**< Pages to donate to the pool (pvm_mem_topup()). */
		} need;
		/** ::PVM_EXIT_INTERNAL. */
		struct {
			int32_t status; /**< A ::pvm_status_t. */
			uint64_t esr;	/**< The syndrome that could not be handled, if any. */
		} internal;
	};
};

/** @brief ::PVM_EXIT_WFI's deadline when the guest's virtual timer will not wake it. */
#define PVM_WFI_NO_DEADLINE UINT64_MAX

/** @brief Completion flag: the MMIO access failed; the guest gets a data abort. */
#define PVM_EXIT_F_ABORT (1u << 0)

/** @brief Power state of a vCPU, as PSCI AFFINITY_INFO reports it. */
enum pvm_vcpu_power {
	PVM_VCPU_OFF = 0,	 /**< Not running; CPU_ON may start it. */
	PVM_VCPU_ON = 1,	 /**< Running (or runnable). */
	PVM_VCPU_ON_PENDING = 2, /**< Started by CPU_ON; the VMM has not run it yet. */
};

/**
 * @brief Create a vCPU of a VM in one donated page.
 * @param hyp    The hypervisor.
 * @param vm     The VM's handle.
 * @param page   A host-owned page; it becomes the hypervisor's until the VM
 *               is torn down (pvm_vm_teardown_finish() gives it back zeroed).
 * @param index  Out: the vCPU's index (0, 1, ... in creation order).
 * @param need   Out, optional: pages the pool lacks on ::PVM_E_NOMEM.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL, misaligned page); ::PVM_E_RANGE
 *         (page outside managed memory); ::PVM_E_NOENT (no such VM);
 *         ::PVM_E_STATE (VM dying, or the page is not the host's to give);
 *         ::PVM_E_BUSY (already ::PVM_VCPU_MAX vCPUs, or the VM has run);
 *         ::PVM_E_NOMEM.
 *
 * vCPUs are created before the VM first runs. vCPU 0 starts OFF until
 * pvm_vcpu_boot(); others until a guest's PSCI CPU_ON. Host path.
 */
pvm_status_t pvm_vcpu_create(struct pvm_hyp *hyp, unsigned vm, pvm_paddr_t page, unsigned *index,
			     size_t *need);

/**
 * @brief Give a vCPU its boot entry point and x0 (e.g. a device tree IPA).
 * @param hyp   The hypervisor.
 * @param vm    The VM's handle.
 * @param index The vCPU.
 * @param entry Entry IPA (4-byte aligned).
 * @param x0    Value of x0 at entry.
 * @return ::PVM_OK; ::PVM_E_INVAL (misaligned entry); ::PVM_E_NOENT (no such
 *         VM or vCPU); ::PVM_E_RANGE (entry outside the VM's RAM);
 *         ::PVM_E_STATE (the vCPU is not OFF, or, for a protected VM, a vCPU
 *         of it has already run: the host boots a protected VM once).
 *
 * The vCPU is reset (EL1h, interrupts masked, MMU off) and becomes ON.
 * Host path.
 */
pvm_status_t pvm_vcpu_boot(struct pvm_hyp *hyp, unsigned vm, unsigned index, pvm_ipa_t entry,
			   uint64_t x0);

/**
 * @brief Run a vCPU until an exit the VMM must see.
 * @param hyp   The hypervisor.
 * @param vm    The VM's handle.
 * @param index The vCPU.
 * @param exit  In: the previous exit with its completion filled in (or
 *              kind ::PVM_EXIT_NONE). Out: the new exit.
 * @return ::PVM_OK with @p exit filled; ::PVM_E_INVAL (NULL);
 *         ::PVM_E_NOENT (no such VM or vCPU); ::PVM_E_STATE (VM dying or
 *         powered off, vCPU OFF); ::PVM_E_BUSY (the vCPU is already running).
 *
 * A vCPU that the guest has powered off, or whose VM the guest turned off,
 * returns ::PVM_E_STATE. Host path.
 */
pvm_status_t pvm_vcpu_run(struct pvm_hyp *hyp, unsigned vm, unsigned index, struct pvm_exit *exit);

/**
 * @brief Make a virtual interrupt pending for a vCPU.
 * @param hyp   The hypervisor.
 * @param vm    The VM's handle.
 * @param index The vCPU.
 * @param intid INTID 0..127 (SGI, PPI or the first SPIs).
 * @return ::PVM_OK; ::PVM_E_INVAL (INTID out of range); ::PVM_E_NOENT;
 *         ::PVM_E_STATE (VM dying); ::PVM_E_NOTSUP (the port cannot
 *         deliver this INTID: on the KVM port SGIs and PPIs, or any INTID
 *         when the VM has no in-kernel GIC; see libpvm/kvm.h).
 *
 * The interrupt is delivered when the guest next runs with interrupts
 * unmasked (a list register on the EL2 port, the emulated GICv3 CPU
 * interface of the simulator's binary guests, HCR_EL2.VI for its C-function
 * guests), and the pending bit is cleared when delivered (acknowledged,
 * with a CPU interface: Group 1, priority 0xa0). On the KVM port it is an edge
 * on the SPI's line of KVM's vGIC, raised at once (pvm_port_vcpu_irq()).
 * Host path.
 */
pvm_status_t pvm_vcpu_inject_irq(struct pvm_hyp *hyp, unsigned vm, unsigned index, unsigned intid);

/**
 * @brief Read a non-protected vCPU's registers.
 * @param hyp   The hypervisor.
 * @param vm    The VM's handle.
 * @param index The vCPU.
 * @param regs  Out: the registers.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL); ::PVM_E_NOENT; ::PVM_E_PERM (a
 *         protected VM); ::PVM_E_BUSY (the vCPU is running). Host path.
 */
pvm_status_t pvm_vcpu_get_regs(struct pvm_hyp *hyp, unsigned vm, unsigned index,
			       struct pvm_vcpu_regs *regs);

/**
 * @brief Write a non-protected vCPU's registers (MPIDR_EL1 is kept).
 * @param hyp   The hypervisor.
 * @param vm    The VM's handle.
 * @param index The vCPU.
 * @param regs  The registers.
 * @return As pvm_vcpu_get_regs(). Host path.
 */
pvm_status_t pvm_vcpu_set_regs(struct pvm_hyp *hyp, unsigned vm, unsigned index,
			       const struct pvm_vcpu_regs *regs);

/**
 * @brief Power state of a vCPU.
 * @param hyp   The hypervisor.
 * @param vm    The VM's handle.
 * @param index The vCPU.
 * @param power Out: its state.
 * @return ::PVM_OK; ::PVM_E_INVAL (NULL); ::PVM_E_NOENT. Host path.
 */
pvm_status_t pvm_vcpu_power(struct pvm_hyp *hyp, unsigned vm, unsigned index,
			    enum pvm_vcpu_power *power);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_VCPU_H */
