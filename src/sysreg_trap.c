/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a protected guest gets for a trapped MSR/MRS (EC 0x18): the debug
 * and PMU registers read as zero and ignore writes, as pKVM gives them to
 * protected guests; everything else is UNDEFINED.
 *
 * The port traps a guest's accesses to the debug registers (MDCR_EL2.TDA,
 * TDOSA, TDRA) and the PMU (TPM, TPMCR) so that neither the host's values
 * nor the guest's ever sit in the hardware registers while the other runs.
 * An unmodified kernel touches some of them whatever it means to use:
 * Linux's early CPU set-up writes MDSCR_EL1 and OSLAR_EL1, and, when
 * ID_AA64DFR0_EL1 says there is a PMUv3, PMUSERENR_EL0. An UNDEFINED
 * exception there stops it before its console. Read-as-zero is what a CPU
 * with nothing armed and the OS lock clear shows: no breakpoint, no
 * watchpoint, no counter, and writes that change nothing. The host's
 * values stay where they are, unread and unwritten.
 *
 * The encodings (Arm ARM, C5.3 and D23): Op0 = 2 is the debug register
 * space (MDSCR_EL1, MDCCINT_EL1, OSLAR_EL1, OSLSR_EL1, OSDLR_EL1,
 * DBGB{V,C}R<n>_EL1, DBGW{V,C}R<n>_EL1, DBGPRCR_EL1, DBGCLAIM*_EL1,
 * DBGAUTHSTATUS_EL1, MDRAR_EL1, and the DCC's MDCCSR_EL0, DBGDTR*_EL0);
 * the PMU is Op0 = 3, CRn = 9, CRm = 12..14 (PMCR_EL0 .. PMUSERENR_EL0,
 * PMINTEN{SET,CLR}_EL1, PMMIR_EL1) and Op0 = 3, Op1 = 3, CRn = 14,
 * CRm = 8..15 (PMEVCNTR<n>_EL0, PMEVTYPER<n>_EL0, PMCCFILTR_EL0).
 * MRS/MSR of anything else that traps (the EL1 physical timer, the
 * hypervisor's own registers, SVE's ZCR_EL1...) stays UNDEFINED.
 *
 * The ID registers (HCR_EL2.TID3 traps their reads): what the CPU has,
 * less what guests do not get, as pKVM sanitises them. Linux believes
 * ID_AA64PFR0_EL1: with SVE there it reads ZCR_EL1 at boot, which traps
 * (CPTR_EL2.TZ) and is UNDEFINED; the same for SME, and a PMU it sees it
 * would drive through registers that read as zero.
 */
#include <libpvm/esr.h>

/* Fields of ESR_EL2.ISS for EC 0x18. */
#define ISS_OP0(i) (((i) >> 20) & 3u)
#define ISS_OP1(i) (((i) >> 14) & 7u)
#define ISS_CRN(i) (((i) >> 10) & 15u)
#define ISS_CRM(i) (((i) >> 1) & 15u)
#define ISS_OP2(i) (((i) >> 17) & 7u)

enum pvm_sysreg_policy pvm_sysreg_trap_policy(uint64_t esr)
{
	uint32_t iss = (uint32_t)(esr & 0x1ffffffu);
	unsigned op0 = ISS_OP0(iss), op1 = ISS_OP1(iss), crn = ISS_CRN(iss), crm = ISS_CRM(iss);

	if (PVM_ESR_EC(esr) != PVM_EC_SYS64)
		return PVM_SYSREG_UNDEF;
	if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && ISS_OP2(iss) == 5 &&
	    !(iss & PVM_ISS_SYS_READ))
		return PVM_SYSREG_SGI; /* ICC_SGI1R_EL1 */
	if (op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7 && (iss & PVM_ISS_SYS_READ))
		return PVM_SYSREG_ID_REG; /* ID registers, trapped by HCR_EL2.TID3 */
	if (op0 == 2)
		return PVM_SYSREG_RAZ_WI; /* debug */
	if (op0 == 3 && crn == 9 && crm >= 12 && crm <= 14 && (op1 == 0 || op1 == 3))
		return PVM_SYSREG_RAZ_WI; /* PMU: control, counters' enables, PMUSERENR, PMMIR */
	if (op0 == 3 && op1 == 3 && crn == 14 && crm >= 8)
		return PVM_SYSREG_RAZ_WI; /* PMU: event counters and types, PMCCFILTR */
	return PVM_SYSREG_UNDEF;
}

/* A field of four bits at @shift set to zero (feature not implemented). */
#define HIDE(shift) (0xfull << (shift))

uint64_t pvm_sysreg_id_value(unsigned crm, unsigned op2, uint64_t hw)
{
	switch (crm << 3 | op2) {
	case 4 << 3 | 0: /* ID_AA64PFR0_EL1: SVE, MPAM, AMU */
		return hw & ~(HIDE(32) | HIDE(40) | HIDE(44));
	case 4 << 3 | 1: /* ID_AA64PFR1_EL1: MTE, MPAM_frac, SME, MTE_frac, GCS */
		return hw & ~(HIDE(8) | HIDE(16) | HIDE(24) | HIDE(40) | HIDE(44));
	case 4 << 3 | 4: /* ID_AA64ZFR0_EL1 */
	case 4 << 3 | 5: /* ID_AA64SMFR0_EL1 */
	case 5 << 3 | 1: /* ID_AA64DFR1_EL1 */
	case 5 << 3 | 4: /* ID_AA64AFR0_EL1 */
	case 5 << 3 | 5: /* ID_AA64AFR1_EL1 */
		return 0;
	case 5 << 3 | 0: /* ID_AA64DFR0_EL1: TraceVer, PMUVer, PMSVer, TraceFilt, TraceBuffer,
			    MTPMU, BRBE, HPMN0 */
		return hw & ~(HIDE(4) | HIDE(8) | HIDE(32) | HIDE(40) | HIDE(44) | HIDE(48) |
			      HIDE(52) | HIDE(60));
	case 1 << 3 | 2: /* ID_DFR0_EL1 (AArch32 view): PerfMon, TraceFilt, MProfDbg, CopTrc */
		return hw & ~(HIDE(24) | HIDE(28) | HIDE(20) | HIDE(12) | HIDE(16));
	default:
		return hw;
	}
}
