/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file esr.h
 * @brief Exception syndromes (ESR_ELx) and HPFAR_EL2, as the Arm
 *        Architecture Reference Manual (D17.2.37, D17.2.63) encodes them.
 *
 * The core decodes traps with pvm_esr_decode(); ports that synthesise traps
 * (the simulator's guests) build syndromes with the same constants, so the
 * encodings are written down once.
 */
#ifndef LIBPVM_ESR_H
#define LIBPVM_ESR_H

#include <libpvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name ESR_ELx fields */
/**@{*/
#define PVM_ESR_EC_SHIFT 26			       /**< Position of EC. */
#define PVM_ESR_EC_MASK	 (0x3full << PVM_ESR_EC_SHIFT) /**< EC, bits 31:26. */
#define PVM_ESR_IL	 (1ull << 25)		       /**< A 32-bit instruction trapped. */
#define PVM_ESR_ISS_MASK 0x1ffffffull		       /**< ISS, bits 24:0. */
/** Exception class of a syndrome. */
#define PVM_ESR_EC(esr) ((unsigned)(((esr) >> PVM_ESR_EC_SHIFT) & 0x3f))
/**@}*/

/** @name Exception classes (EC) */
/**@{*/
#define PVM_EC_UNKNOWN	0x00u /**< Unknown reason (e.g. an undefined instruction). */
#define PVM_EC_WFX	0x01u /**< WFI/WFE. */
#define PVM_EC_HVC32	0x12u /**< HVC from AArch32. */
#define PVM_EC_SMC32	0x13u /**< SMC from AArch32. */
#define PVM_EC_HVC64	0x16u /**< HVC from AArch64. */
#define PVM_EC_SMC64	0x17u /**< SMC from AArch64 (trapped by HCR_EL2.TSC). */
#define PVM_EC_SYS64	0x18u /**< MSR, MRS or system instruction. */
#define PVM_EC_IABT_LOW 0x20u /**< Instruction abort from a lower EL. */
#define PVM_EC_IABT_CUR 0x21u /**< Instruction abort from the same EL. */
#define PVM_EC_DABT_LOW 0x24u /**< Data abort from a lower EL. */
#define PVM_EC_DABT_CUR 0x25u /**< Data abort from the same EL. */
/**@}*/

/** @name ISS of data and instruction aborts */
/**@{*/
#define PVM_ISS_ISV	      (1u << 24) /**< Bits 23:14 hold a valid instruction syndrome. */
#define PVM_ISS_SAS_SHIFT     22	 /**< Access size: 1 << SAS bytes. */
#define PVM_ISS_SSE	      (1u << 21) /**< Sign-extend the loaded value. */
#define PVM_ISS_SRT_SHIFT     16	 /**< Register transferred (31: XZR). */
#define PVM_ISS_SF	      (1u << 15) /**< 64-bit register (else W). */
#define PVM_ISS_AR	      (1u << 14) /**< Acquire/release semantics. */
#define PVM_ISS_EA	      (1u << 9)	 /**< External abort. */
#define PVM_ISS_CM	      (1u << 8) /**< Cache maintenance or address translation instruction. */
#define PVM_ISS_S1PTW	      (1u << 7) /**< Stage-2 fault on a stage-1 table walk. */
#define PVM_ISS_WNR	      (1u << 6) /**< A write (data aborts). */
#define PVM_ISS_FSC_MASK      0x3fu	/**< Fault status code. */
#define PVM_FSC_TYPE_MASK     0x3cu	/**< FSC without its level. */
#define PVM_FSC_ADDR_SIZE_ANY 0x00u	/**< Address size fault, any level. */
#define PVM_FSC_TRANS_ANY     0x04u	/**< Translation fault, any level. */
#define PVM_FSC_AF_ANY	      0x08u	/**< Access flag fault, any level. */
#define PVM_FSC_PERM_ANY      0x0cu	/**< Permission fault, any level. */
#define PVM_FSC_EXTABT	      0x10u /**< Synchronous external abort (what an injected abort says). */
/**@}*/

/** @name ISS of WFx traps */
/**@{*/
#define PVM_ISS_WFX_TI_MASK 0x3u /**< 0: WFI, 1: WFE, 2: WFIT, 3: WFET. */
/**@}*/

/** @name ISS of trapped MSR/MRS/system instructions (EC 0x18) */
/**@{*/
#define PVM_ISS_SYS_READ 1u /**< Direction: MRS (read). */
/**@}*/

/**
 * @brief IPA of a stage-2 abort from HPFAR_EL2 and FAR_EL2.
 * @param hpfar HPFAR_EL2.
 * @param far   FAR_EL2.
 * @return The faulting IPA.
 *
 * HPFAR_EL2.FIPA (bits 43:4) holds IPA bits 51:12; the page offset comes
 * from FAR_EL2 (meaningful unless S1PTW).
 */
static inline uint64_t pvm_hpfar_ipa(uint64_t hpfar, uint64_t far)
{
	return ((hpfar & 0x00000ffffffffff0ull) << 8) | (far & 0xfffull);
}

/**
 * @brief The HPFAR_EL2 value hardware reports for a stage-2 abort.
 * @param ipa The faulting IPA.
 * @return HPFAR_EL2.
 */
static inline uint64_t pvm_hpfar_from_ipa(uint64_t ipa)
{
	return (ipa >> 8) & 0x00000ffffffffff0ull;
}

/** @brief What a trap is, decoded from its syndrome. */
enum pvm_trap_class {
	PVM_TC_UNHANDLED = 0, /**< Nothing the hypervisor emulates: inject UNDEF. */
	PVM_TC_HVC,	      /**< HVC64 (the SMCCC conduit). */
	PVM_TC_SMC,	      /**< SMC64 trapped by HCR_EL2.TSC (also an SMCCC conduit). */
	PVM_TC_WFI,	      /**< WFI (or WFIT). */
	PVM_TC_WFE,	      /**< WFE (or WFET). */
	PVM_TC_SYSREG,	      /**< A trapped MSR/MRS/SYS. */
	PVM_TC_DABT,	      /**< A stage-2 data abort from the guest. */
	PVM_TC_IABT,	      /**< A stage-2 instruction abort from the guest. */
	PVM_TC_AARCH32,	      /**< An AArch32 HVC/SMC: libpvm guests are AArch64 only. */
};

/** @brief Kind of the stage-2 fault of an abort. */
enum pvm_fault_type {
	PVM_FT_TRANSLATION = 0, /**< Nothing mapped at the IPA. */
	PVM_FT_PERMISSION,	/**< Mapped, but not for this access. */
	PVM_FT_ADDR_SIZE,	/**< IPA beyond the configured IPA size. */
	PVM_FT_ACCESS_FLAG,	/**< AF clear (libpvm sets AF on every mapping). */
	PVM_FT_OTHER,		/**< External abort, TLB conflict, ...: not emulated. */
};

/** @brief A decoded trap. */
struct pvm_esr_info {
	enum pvm_trap_class cls; /**< What it is. */
	uint16_t imm16;		 /**< HVC/SMC immediate. */
	/* Aborts. */
	enum pvm_fault_type fault; /**< Fault type (aborts). */
	uint8_t fault_level;	   /**< Level of the fault (0-3). */
	bool isv;		   /**< An instruction syndrome is present. */
	bool write;		   /**< WnR (data aborts). */
	bool s1ptw;		   /**< Stage-2 fault on the guest's stage-1 walk. */
	bool sse;		   /**< Sign-extend (ISV only). */
	bool sf;		   /**< 64-bit register (ISV only). */
	bool cm;		   /**< Cache maintenance (data aborts). */
	uint8_t size;		   /**< Access size in bytes (ISV only). */
	uint8_t srt;		   /**< Register number, 31 = XZR (ISV only). */
	/* System register traps. */
	bool sys_read;	 /**< MRS (read) rather than MSR. */
	uint8_t sys_rt;	 /**< Rt. */
	uint32_t sys_id; /**< Op0:Op1:CRn:CRm:Op2 as in the ISS (bits 21:10 and 4:1 packed). */
};

/**
 * @brief Decode a syndrome taken to EL2 from a guest.
 * @param esr  ESR_EL2.
 * @param info Out: the decoded trap. Always fully written.
 * @return ::PVM_OK; ::PVM_E_INVAL (@p info NULL). A syndrome libpvm does not
 *         handle is not an error: it decodes as ::PVM_TC_UNHANDLED.
 *
 * Pure function; any caller.
 */
pvm_status_t pvm_esr_decode(uint64_t esr, struct pvm_esr_info *info);

/** @brief What a protected guest gets for a trapped MSR/MRS: pvm_sysreg_trap_policy(). */
enum pvm_sysreg_policy {
	PVM_SYSREG_UNDEF = 0, /**< An undefined-instruction exception in the guest. */
	PVM_SYSREG_RAZ_WI,    /**< Reads as zero, writes ignored; the guest goes on. */
	PVM_SYSREG_ID_REG,    /**< An ID register read: pvm_sysreg_id_value(). */
	PVM_SYSREG_SGI,	      /**< An MSR ICC_SGI1R_EL1: an IPI to vCPUs of the VM. */
};

/**
 * @brief What a protected guest reads from an AArch64 ID register
 *        (Op0 3, Op1 0, CRn 0, CRm 1..7, Op2 0..7: those HCR_EL2.TID3 traps).
 * @param crm CRm (1..7).
 * @param op2 Op2 (0..7).
 * @param hw  The CPU's value (pvm_port_id_reg()).
 * @return @p hw with the features guests do not get hidden, as pKVM
 *         sanitises them for protected guests: SVE, SME (no Z, P or ZA
 *         state is switched), MTE, AMU, MPAM, GCS, and of the debug
 *         features the PMU, SPE, trace and the branch record buffer (their
 *         registers are trapped: read-as-zero, writes ignored); zero for
 *         ID_AA64ZFR0_EL1, ID_AA64SMFR0_EL1, ID_AA64DFR1_EL1 and the
 *         auxiliary ID_AA64AFR<n>_EL1. Everything else as the CPU has it.
 *
 * Pure function; any caller.
 */
uint64_t pvm_sysreg_id_value(unsigned crm, unsigned op2, uint64_t hw);

/**
 * @brief The core's answer to a guest's trapped MSR/MRS (EC 0x18).
 * @param esr ESR_EL2 of the trap.
 * @return ::PVM_SYSREG_RAZ_WI for the debug registers (Op0 = 2) and the
 *         PMU's (Op0 = 3: CRn = 9 with CRm = 12..14, CRn = 14 with Op1 = 3
 *         and CRm = 8..15), which the port traps so that they are neither
 *         the host's nor the guest's (as pKVM has them for protected
 *         guests); ::PVM_SYSREG_ID_REG for an MRS of an ID register of
 *         the group HCR_EL2.TID3 traps (Op0 3, Op1 0, CRn 0, CRm 1..7);
 *         ::PVM_SYSREG_SGI for an MSR ICC_SGI1R_EL1 (which traps with
 *         HCR_EL2.IMO: the core delivers the SGI, ::PVM_EXIT_IPI);
 *         ::PVM_SYSREG_UNDEF for every other register, and for a syndrome
 *         that is not EC 0x18.
 *
 * Pure function; any caller.
 */
enum pvm_sysreg_policy pvm_sysreg_trap_policy(uint64_t esr);

/**
 * @brief Build the ESR of a stage-2 data abort, as hardware reports it.
 * @param fsc   Fault status code (e.g. ::PVM_FSC_TRANS_ANY | level).
 * @param write A store.
 * @param size  Access size in bytes (1, 2, 4, 8) when @p srt < 32, else ignored.
 * @param srt   Register (0-31) for an instruction syndrome, or 32 for none (ISV clear).
 * @param sse   Sign-extend (loads).
 * @param sf    64-bit register.
 * @return ESR_EL2.
 *
 * For ports that synthesise traps (the simulator). Pure function.
 */
uint64_t pvm_esr_dabt(unsigned fsc, bool write, unsigned size, unsigned srt, bool sse, bool sf);

#ifdef __cplusplus
}
#endif

#endif /* LIBPVM_ESR_H */
