/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file abi.h
 * @brief Hypercall function IDs and register conventions, shared by the
 *        hypervisor and by guest and host code.
 *
 * This header has no dependency beyond `<stdint.h>`, so bare-metal guests
 * and the EL2 host program include it as it is.
 *
 * All calls follow the SMC Calling Convention (SMCCC 1.1, Arm DEN 0028):
 * the function ID in w0, arguments in x1..x17, results in x0..x3; `HVC #0`
 * is the conduit (a trapped `SMC #0` is accepted too). Function IDs encode
 * the call type (bit 31: fast), the convention (bit 30: SMC64) and the
 * owning service (bits 29:24).
 *
 * Three families of calls reach the hypervisor:
 *  - **Guest calls, standard**: SMCCC arch calls and PSCI 1.1 with the IDs
 *    of their specifications.
 *  - **Guest calls, vendor hypervisor service (owner 6)**: pKVM's IDs, so
 *    guest code written for pKVM (Linux's `arm-smccc` pKVM drivers) works
 *    unmodified, plus libpvm's own calls in a separate range
 *    (`PVM_GUEST_CALL_BASE` upwards).
 *  - **Host calls** (`PVM_HC_BASE` upwards): what the host kernel or VMM
 *    asks of the hypervisor; they reach pvm_host_call() and never come from
 *    a guest.
 */
#ifndef LIBPVM_ABI_H
#define LIBPVM_ABI_H

#include <stdint.h>

/** @name SMCCC return values (w0 of a standard or vendor call) */
/**@{*/
#define SMCCC_RET_SUCCESS	0    /**< Success. */
#define SMCCC_RET_NOT_SUPPORTED (-1) /**< Unknown or unimplemented call. */
#define SMCCC_RET_NOT_REQUIRED	(-2) /**< The workaround is not needed on this CPU. */
/** An argument is wrong (libpvm: the call changed nothing). */
#define SMCCC_RET_INVALID_PARAMETER (-3)
/**@}*/

/** @name SMCCC arch calls (owner 0, 32-bit fast) */
/**@{*/
#define SMCCC_VERSION	    0x80000000u /**< Returns the version (1.1 = 0x10001). */
#define SMCCC_ARCH_FEATURES 0x80000001u /**< x1: a function ID; 0 if implemented. */
#define SMCCC_ARCH_SOC_ID   0x80000002u /**< Not implemented: NOT_SUPPORTED. */
#define SMCCC_ARCH_WORKAROUND_1                                                                    \
	0x80008000u /**< Spectre-v2 workaround: NOT_SUPPORTED (see docs/abi.md). */
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu /**< SSBD: NOT_SUPPORTED. */
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu /**< Spectre-BHB: NOT_SUPPORTED. */
#define SMCCC_VERSION_1_1	0x10001u    /**< What ::SMCCC_VERSION returns. */
/**@}*/

/** @name PSCI 1.1 (Arm DEN 0022), standard secure service (owner 4) */
/**@{*/
#define PSCI_VERSION	       0x84000000u /**< PSCI version. */
#define PSCI_CPU_SUSPEND       0x84000001u /**< Standby: a WFI exit, then SUCCESS. */
#define PSCI_CPU_SUSPEND64     0xc4000001u /**< As ::PSCI_CPU_SUSPEND, 64-bit arguments. */
#define PSCI_CPU_OFF	       0x84000002u /**< Power the calling vCPU off. */
#define PSCI_CPU_ON	       0x84000003u /**< x1 target MPIDR, x2 entry, x3 context id (SMC32). */
#define PSCI_CPU_ON64	       0xc4000003u /**< As ::PSCI_CPU_ON, 64-bit arguments. */
#define PSCI_AFFINITY_INFO     0x84000004u /**< x1 target MPIDR, x2 lowest affinity level (0). */
#define PSCI_AFFINITY_INFO64   0xc4000004u /**< As ::PSCI_AFFINITY_INFO, 64-bit arguments. */
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u /**< Returns ::PSCI_MIGRATE_NONE. */
#define PSCI_SYSTEM_OFF	       0x84000008u /**< Turn the VM off. */
#define PSCI_SYSTEM_RESET      0x84000009u /**< Reset the VM (the VMM decides what that means). */
#define PSCI_FEATURES	       0x8400000au /**< x1 a function ID: 0 if implemented. */
#define PSCI_VERSION_1_1       0x10001u	   /**< What ::PSCI_VERSION returns. */

#define PSCI_RET_SUCCESS	    0	 /**< Success. */
#define PSCI_RET_NOT_SUPPORTED	    (-1) /**< Not implemented. */
#define PSCI_RET_INVALID_PARAMETERS (-2) /**< No such CPU, or a bad argument. */
#define PSCI_RET_DENIED		    (-3) /**< Refused. */
#define PSCI_RET_ALREADY_ON	    (-4) /**< CPU_ON of a CPU that is on. */
#define PSCI_RET_ON_PENDING	    (-5) /**< CPU_ON of a CPU already being started. */
#define PSCI_RET_INTERNAL_FAILURE   (-6) /**< Internal failure. */
#define PSCI_RET_NOT_PRESENT	    (-7) /**< CPU not present. */
#define PSCI_RET_DISABLED	    (-8) /**< CPU disabled. */
#define PSCI_RET_INVALID_ADDRESS    (-9) /**< Entry point outside the guest's memory. */

/** AFFINITY_INFO results. */
#define PSCI_AFF_ON	    0 /**< AFFINITY_INFO: on. */
#define PSCI_AFF_OFF	    1 /**< AFFINITY_INFO: off. */
#define PSCI_AFF_ON_PENDING 2 /**< AFFINITY_INFO: being started. */
/** MIGRATE_INFO_TYPE: no Trusted OS, migration not required. */
#define PSCI_MIGRATE_NONE 2 /**< No Trusted OS; migration not required. */
/**@}*/

/** @name Vendor hypervisor service (owner 6): discovery, as KVM answers it */
/**@{*/
#define ARM_SMCCC_VENDOR_HYP_CALL_UID	  0x8600ff01u /**< Returns the UID in w0..w3. */
#define ARM_SMCCC_VENDOR_HYP_KVM_FEATURES 0x86000000u /**< Bitmap of calls in w0. */
/** KVM's vendor-hyp UID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74, as w0..w3. */
#define ARM_SMCCC_VENDOR_HYP_UID_KVM_W0 0xb66fb428u /**< First word of KVM's UID. */
#define ARM_SMCCC_VENDOR_HYP_UID_KVM_W1 0xe911c52eu /**< Second word of KVM's UID. */
#define ARM_SMCCC_VENDOR_HYP_UID_KVM_W2 0x564bcaa9u /**< Third word of KVM's UID. */
#define ARM_SMCCC_VENDOR_HYP_UID_KVM_W3 0x743a004du /**< Fourth word of KVM's UID. */
/**@}*/

/**
 * @name pKVM protected-guest calls (64-bit fast, owner 6), pKVM's IDs
 *
 * The feature bit of each in ::ARM_SMCCC_VENDOR_HYP_KVM_FEATURES is its
 * function number (the low 16 bits).
 */
/**@{*/
/** Returns the granule size (4096) in x0. */
#define ARM_SMCCC_KVM_FUNC_HYP_MEMINFO 0xc6000002u
/** x1: IPA of one page (granule aligned); x2, x3: 0. The guest shares it with the host. */
#define ARM_SMCCC_KVM_FUNC_MEM_SHARE 0xc6000003u
/** x1: IPA of a page shared by ::ARM_SMCCC_KVM_FUNC_MEM_SHARE; x2, x3: 0. */
#define ARM_SMCCC_KVM_FUNC_MEM_UNSHARE 0xc6000004u
/** Returns the MMIO guard granule (4096) in x0. */
#define ARM_SMCCC_KVM_FUNC_MMIO_GUARD_INFO 0xc6000005u
/** Enrols the VM in MMIO guard: from now on only mapped MMIO IPAs exit to the host. */
#define ARM_SMCCC_KVM_FUNC_MMIO_GUARD_ENROLL 0xc6000006u
/** x1: IPA of one MMIO granule the guest allows to exit to the host. */
#define ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP 0xc6000007u
/** x1: IPA of an MMIO granule mapped by ::ARM_SMCCC_KVM_FUNC_MMIO_GUARD_MAP. */
#define ARM_SMCCC_KVM_FUNC_MMIO_GUARD_UNMAP 0xc6000008u
/** x1: IPA of one page the guest gives back to the host (its content is lost). */
#define ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH 0xc6000009u
/**@}*/

/**
 * @name libpvm's own guest calls (64-bit fast, owner 6)
 *
 * Above pKVM's range so the two never collide. Discoverable through
 * ::PVM_GUEST_CALL_FEATURES.
 */
/**@{*/
#define PVM_GUEST_CALL_BASE 0xc6000100u /**< First of libpvm's own guest calls. */
/** Returns in x0 a bitmap of the libpvm guest calls implemented (bit n: BASE + n). */
#define PVM_GUEST_CALL_FEATURES (PVM_GUEST_CALL_BASE + 0u)
/**
 * Evidence for a challenge (docs/attestation.md §6), written into guest
 * memory. x1: IPA of the challenge, x2: its length (1-64), x3: IPA of the
 * buffer, x4: its size. Returns x0 0 and x1 the evidence length; or x0
 * INVALID_PARAMETER, with x1 the size needed when only the buffer was too
 * small. The buffers must be mapped in the guest's stage-2 (the output
 * writable); they may cross pages.
 */
#define PVM_GUEST_CALL_ATTEST (PVM_GUEST_CALL_BASE + 1u)
/** x1: REM index (0-3), x2: IPA of the data, x3: its length (1-2048). REM = H(REM ‖ data). */
#define PVM_GUEST_CALL_REM_EXTEND (PVM_GUEST_CALL_BASE + 2u)
/**
 * A sealing key: x1 IPA of a 32-byte output, x2 IPA of a context, x3 its
 * length (0-64). The key depends on the VM's authority and mode, not on its
 * code (docs/attestation.md §2).
 */
#define PVM_GUEST_CALL_SEAL_KEY (PVM_GUEST_CALL_BASE + 3u)
/**@}*/

/**
 * @name Host calls (64-bit fast, owner 6), dispatched by pvm_host_call()
 *
 * Register convention: x0 the function ID on entry and a ::pvm_status_t on
 * return (0 or negative); arguments in x1..x7; results in x1..x7. Every
 * argument is validated; an invalid call changes nothing.
 */
/**@{*/
#define PVM_HC_BASE 0xc6001000u /**< First host call. */
/** x1: libpvm ABI version out (::PVM_HC_ABI_VERSION). */
#define PVM_HC_VERSION (PVM_HC_BASE + 0u)
/** x1: PA of the first page, x2: pages. Donates pages to the hypervisor's pool
 * (::pvm_mem_topup()). x1 out: pages needed on ::PVM_E_NOMEM. */
#define PVM_HC_TOPUP (PVM_HC_BASE + 1u)
/** x1: PA, x2: pages. ::pvm_host_share_hyp(). x1 out: pages needed on ::PVM_E_NOMEM. */
#define PVM_HC_SHARE_HYP (PVM_HC_BASE + 2u)
/** x1: PA, x2: pages. ::pvm_host_unshare_hyp(). x1 out: pages needed on ::PVM_E_NOMEM. */
#define PVM_HC_UNSHARE_HYP (PVM_HC_BASE + 3u)
/** x1: PA, x2: pages. ::pvm_host_donate_hyp(). x1 out: pages needed on ::PVM_E_NOMEM. */
#define PVM_HC_DONATE_HYP (PVM_HC_BASE + 4u)
/** x1: PA, x2: pages. ::pvm_hyp_donate_host(). x1 out: pages needed on ::PVM_E_NOMEM. */
#define PVM_HC_RECLAIM_HYP (PVM_HC_BASE + 5u)
/** x1: VM handle, x2: PA, x3: IPA, x4: pages. ::pvm_host_share_guest(). x1 out: pages needed. */
#define PVM_HC_SHARE_GUEST (PVM_HC_BASE + 6u)
/** x1: VM handle, x2: IPA, x3: pages. ::pvm_host_unshare_guest(). */
#define PVM_HC_UNSHARE_GUEST (PVM_HC_BASE + 7u)
/** x1: VM handle, x2: PA, x3: IPA, x4: pages. ::pvm_host_donate_guest(). x1 out: pages needed. */
#define PVM_HC_DONATE_GUEST (PVM_HC_BASE + 8u)
/**
 * x1: flags (bit 0 protected), x2: IPA bits, x3: PA of the VM's pages,
 * x4: pages, x5: RAM base IPA, x6: RAM size. ::pvm_vm_create(). x1 out: the
 * handle, or the pages needed on ::PVM_E_NOMEM.
 */
#define PVM_HC_VM_CREATE (PVM_HC_BASE + 9u)
/** x1: handle, x2: PA of one page. ::pvm_vcpu_create(). x1 out: the vCPU index. */
#define PVM_HC_VCPU_CREATE (PVM_HC_BASE + 10u)
/** x1: handle, x2: vCPU, x3: entry IPA, x4: x0 at entry. ::pvm_vcpu_boot(). */
#define PVM_HC_VCPU_BOOT (PVM_HC_BASE + 11u)
/**
 * x1: handle, x2: vCPU, x3: completion flags (::PVM_HC_RUN_F_ABORT), x4..x7:
 * completion data (an MMIO read's value in x4; a forwarded call's results
 * x0..x3 in x4..x7). ::pvm_vcpu_run(). Out: x1 the exit kind, x2..x7 the
 * exit, packed as pvm_exit_pack() documents.
 */
#define PVM_HC_VCPU_RUN (PVM_HC_BASE + 12u)
/** x1: handle, x2: vCPU, x3: INTID. ::pvm_vcpu_inject_irq(). */
#define PVM_HC_VCPU_IRQ (PVM_HC_BASE + 13u)
/** x1: handle. ::pvm_vm_teardown_start(). */
#define PVM_HC_VM_TEARDOWN (PVM_HC_BASE + 14u)
/** x1: handle, x2: most pages. ::pvm_vm_reclaim(). x1 out: pages left (or needed). */
#define PVM_HC_VM_RECLAIM (PVM_HC_BASE + 15u)
/** x1: handle. ::pvm_vm_teardown_finish(). */
#define PVM_HC_VM_FINISH (PVM_HC_BASE + 16u)
/**
 * x1: handle, x2: PA, x3: IPA, x4: pages, x5: flags (::PVM_MEASURE_CODE,
 * ::PVM_MEASURE_DATA). ::pvm_vm_load_measured(): DONATE_GUEST that also
 * extends the VM's RIM. x1 out: pages needed on ::PVM_E_NOMEM.
 */
#define PVM_HC_VM_LOAD_MEASURED (PVM_HC_BASE + 17u)
/**
 * x1: handle, x2: 0, or the PA of a struct pvm_vm_authority (attest.h: the
 * 65-byte key, then the 64-byte signature) inside one host-owned page.
 * ::pvm_vm_seal() (x2 = 0) or ::pvm_vm_seal_signed(): the RIM is final, the
 * VM's keys derived.
 */
#define PVM_HC_VM_SEAL (PVM_HC_BASE + 18u)
/** One past the last host call. */
#define PVM_HC_END (PVM_HC_BASE + 19u)

/** Completion flag of ::PVM_HC_VCPU_RUN: the MMIO access failed; inject an abort. */
#define PVM_HC_RUN_F_ABORT (1u << 0)
/** What ::PVM_HC_VERSION returns: major << 16 | minor. */
#define PVM_HC_ABI_VERSION 0x00010004u
/**@}*/

#endif /* LIBPVM_ABI_H */
