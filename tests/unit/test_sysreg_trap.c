/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's answer to a protected guest's trapped MSR/MRS, as a table:
 * system register encodings (Op0, Op1, CRn, CRm, Op2 from the Arm ARM's
 * register descriptions, not from the code under test), read or write →
 * read-as-zero/writes-ignored or UNDEFINED. The debug and PMU registers an
 * unmodified Linux touches at boot (MDSCR_EL1, OSLAR_EL1, PMUSERENR_EL0)
 * must not be UNDEFINED; the EL1 physical timer, SVE's ZCR_EL1 and the
 * GIC's and hypervisor's registers must stay so. Then the sanitised ID
 * registers (what a guest must not see: SVE, SME, MTE, the PMU...) and
 * whom a guest's ICC_SGI1R_EL1 reaches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libpvm/esr.h>
#include <libpvm/vm.h>

#include "vcpu_internal.h"

/* ESR_EL2 of an MSR (write) or MRS (read) of (op0, op1, CRn, CRm, op2) with Rt = 5. */
static uint64_t esr_sys(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
			int read)
{
	uint64_t iss = (uint64_t)op0 << 20 | (uint64_t)op2 << 17 | (uint64_t)op1 << 14 |
		       (uint64_t)crn << 10 | 5u << 5 | (uint64_t)crm << 1 | (read ? 1u : 0u);

	return 0x18ull << 26 | 1ull << 25 | iss;
}

/* An MRS's answer when it differs from the MSR's (0 in the table: the same). */
#define MRS(p) ((unsigned)(p) + 1)

static const struct {
	const char *name;
	unsigned op0, op1, crn, crm, op2;
	enum pvm_sysreg_policy want; /* MSR, and MRS unless ... */
	unsigned want_mrs;	     /* ... MRS(p) says otherwise */
} table[] = {
	/* Debug (Op0 = 2). */
	{"MDSCR_EL1", 2, 0, 0, 2, 2, PVM_SYSREG_RAZ_WI},
	{"MDCCINT_EL1", 2, 0, 0, 2, 0, PVM_SYSREG_RAZ_WI},
	{"OSLAR_EL1", 2, 0, 1, 0, 4, PVM_SYSREG_RAZ_WI},
	{"OSLSR_EL1", 2, 0, 1, 1, 4, PVM_SYSREG_RAZ_WI},
	{"OSDLR_EL1", 2, 0, 1, 3, 4, PVM_SYSREG_RAZ_WI},
	{"DBGBVR0_EL1", 2, 0, 0, 0, 4, PVM_SYSREG_RAZ_WI},
	{"DBGBCR5_EL1", 2, 0, 0, 5, 5, PVM_SYSREG_RAZ_WI},
	{"DBGWVR3_EL1", 2, 0, 0, 3, 6, PVM_SYSREG_RAZ_WI},
	{"DBGWCR15_EL1", 2, 0, 0, 15, 7, PVM_SYSREG_RAZ_WI},
	{"DBGPRCR_EL1", 2, 0, 1, 4, 4, PVM_SYSREG_RAZ_WI},
	{"DBGCLAIMSET_EL1", 2, 0, 7, 8, 6, PVM_SYSREG_RAZ_WI},
	{"MDRAR_EL1", 2, 0, 1, 0, 0, PVM_SYSREG_RAZ_WI},
	{"MDCCSR_EL0", 2, 3, 0, 1, 0, PVM_SYSREG_RAZ_WI},
	/* PMU. */
	{"PMCR_EL0", 3, 3, 9, 12, 0, PVM_SYSREG_RAZ_WI},
	{"PMCNTENSET_EL0", 3, 3, 9, 12, 1, PVM_SYSREG_RAZ_WI},
	{"PMOVSCLR_EL0", 3, 3, 9, 12, 3, PVM_SYSREG_RAZ_WI},
	{"PMSELR_EL0", 3, 3, 9, 12, 5, PVM_SYSREG_RAZ_WI},
	{"PMCCNTR_EL0", 3, 3, 9, 13, 0, PVM_SYSREG_RAZ_WI},
	{"PMXEVTYPER_EL0", 3, 3, 9, 13, 1, PVM_SYSREG_RAZ_WI},
	{"PMUSERENR_EL0", 3, 3, 9, 14, 0, PVM_SYSREG_RAZ_WI},
	{"PMOVSSET_EL0", 3, 3, 9, 14, 3, PVM_SYSREG_RAZ_WI},
	{"PMINTENSET_EL1", 3, 0, 9, 14, 1, PVM_SYSREG_RAZ_WI},
	{"PMINTENCLR_EL1", 3, 0, 9, 14, 2, PVM_SYSREG_RAZ_WI},
	{"PMMIR_EL1", 3, 0, 9, 14, 6, PVM_SYSREG_RAZ_WI},
	{"PMEVCNTR0_EL0", 3, 3, 14, 8, 0, PVM_SYSREG_RAZ_WI},
	{"PMEVTYPER30_EL0", 3, 3, 14, 15, 6, PVM_SYSREG_RAZ_WI},
	{"PMCCFILTR_EL0", 3, 3, 14, 15, 7, PVM_SYSREG_RAZ_WI},
	/* Everything else that traps: UNDEFINED. */
	{"CNTP_CTL_EL0", 3, 3, 14, 2, 1, PVM_SYSREG_UNDEF},
	{"CNTP_CVAL_EL0", 3, 3, 14, 2, 2, PVM_SYSREG_UNDEF},
	{"CNTPS_CTL_EL1", 3, 7, 14, 2, 1, PVM_SYSREG_UNDEF},
	{"ZCR_EL1", 3, 0, 1, 2, 0, PVM_SYSREG_UNDEF},
	{"ICC_ASGI1R_EL1", 3, 0, 12, 11, 6, PVM_SYSREG_UNDEF},
	{"MIDR_EL1 (not TID3's)", 3, 0, 0, 0, 0, PVM_SYSREG_UNDEF},
	{"HCR_EL2", 3, 4, 1, 1, 0, PVM_SYSREG_UNDEF},
	{"MDCR_EL2", 3, 4, 1, 1, 1, PVM_SYSREG_UNDEF},
	{"PMSCR_EL1 (SPE)", 3, 0, 9, 9, 0, PVM_SYSREG_UNDEF},
	{"TRBLIMITR_EL1 (TRBE)", 3, 0, 9, 11, 0, PVM_SYSREG_UNDEF},
	{"S3_3_C9_C15_0 (CRm 15: not the PMU's)", 3, 3, 9, 15, 0, PVM_SYSREG_UNDEF},
	{"S3_0_C0_C8_0 (CRm 8: not TID3's)", 3, 0, 0, 8, 0, PVM_SYSREG_UNDEF},
	{"S3_0_C0_C15_7 (CRm 15: not TID3's)", 3, 0, 0, 15, 7, PVM_SYSREG_UNDEF},
	{"APIAKeyLo_EL1", 3, 0, 2, 1, 0, PVM_SYSREG_UNDEF},
	/* Emulated: the IPI (write-only), the ID registers (read-only). */
	{"ICC_SGI1R_EL1", 3, 0, 12, 11, 5, PVM_SYSREG_SGI, MRS(PVM_SYSREG_UNDEF)},
	{"ID_AA64PFR0_EL1", 3, 0, 0, 4, 0, PVM_SYSREG_UNDEF, MRS(PVM_SYSREG_ID_REG)},
	{"ID_AA64ZFR0_EL1", 3, 0, 0, 4, 4, PVM_SYSREG_UNDEF, MRS(PVM_SYSREG_ID_REG)},
	{"ID_AA64ISAR1_EL1", 3, 0, 0, 6, 1, PVM_SYSREG_UNDEF, MRS(PVM_SYSREG_ID_REG)},
	{"ID_PFR0_EL1", 3, 0, 0, 1, 0, PVM_SYSREG_UNDEF, MRS(PVM_SYSREG_ID_REG)},
	{"ID_AA64DFR0_EL1", 3, 0, 0, 5, 0, PVM_SYSREG_UNDEF, MRS(PVM_SYSREG_ID_REG)},
};

static const char *const names[] = {"UNDEF", "RAZ/WI", "ID", "SGI"};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		for (int read = 0; read < 2; read++) {
			uint64_t esr = esr_sys(table[i].op0, table[i].op1, table[i].crn,
					       table[i].crm, table[i].op2, read);
			enum pvm_sysreg_policy got = pvm_sysreg_trap_policy(esr);
			enum pvm_sysreg_policy want =
				read && table[i].want_mrs
					? (enum pvm_sysreg_policy)(table[i].want_mrs - 1)
					: table[i].want;

			if (got != want)
				fail_msg("%s (%s): %s, want %s", table[i].name,
					 read ? "MRS" : "MSR", names[got], names[want]);
		}
	}
}

/* The same ISS under another exception class is not a register access. */
static void test_other_classes(void **state)
{
	uint64_t mdscr = esr_sys(2, 0, 0, 2, 2, 0) & 0x3ffffffull;

	(void)state;
	assert_int_equal(pvm_sysreg_trap_policy(0x00ull << 26 | mdscr), PVM_SYSREG_UNDEF);
	assert_int_equal(pvm_sysreg_trap_policy(0x16ull << 26 | mdscr), PVM_SYSREG_UNDEF);
	assert_int_equal(pvm_sysreg_trap_policy(0x24ull << 26 | mdscr), PVM_SYSREG_UNDEF);
	assert_int_equal(pvm_sysreg_trap_policy(0x18ull << 26 | mdscr), PVM_SYSREG_RAZ_WI);
}

#define F(shift, v) ((uint64_t)(v) << (shift))

/* (CRm, Op2, the CPU's value) → the guest's: fields by the Arm ARM's ID register layouts. */
static void test_id_values(void **state)
{
	static const struct {
		const char *name;
		unsigned crm, op2;
		uint64_t hw, want;
	} t[] = {
		/* ID_AA64PFR0_EL1: EL0..EL3 (3:0..15:12), FP, AdvSIMD, GIC (27:24) stay;
		   SVE (35:32), MPAM (43:40), AMU (47:44) go. */
		{"PFR0", 4, 0, F(0, 2) | F(4, 2) | F(24, 1) | F(32, 1) | F(40, 1) | F(44, 1),
		 F(0, 2) | F(4, 2) | F(24, 1)},
		/* ID_AA64PFR1_EL1: BT (3:0), SSBS (7:4) stay; MTE (11:8), SME (27:24) go. */
		{"PFR1", 4, 1, F(0, 1) | F(4, 2) | F(8, 2) | F(24, 1), F(0, 1) | F(4, 2)},
		{"ZFR0", 4, 4, ~0ull, 0},
		{"SMFR0", 4, 5, ~0ull, 0},
		/* ID_AA64DFR0_EL1: DebugVer (3:0), BRPs (15:12), WRPs (23:20) stay; TraceVer
		   (7:4), PMUVer (11:8), PMSVer (35:32), TraceBuffer (47:44) go. */
		{"DFR0", 5, 0,
		 F(0, 9) | F(4, 1) | F(8, 7) | F(12, 5) | F(20, 3) | F(32, 3) | F(44, 1),
		 F(0, 9) | F(12, 5) | F(20, 3)},
		{"DFR1", 5, 1, ~0ull, 0},
		/* ID_AA64ISAR1_EL1 (PAC: APA 7:4, GPA 27:24) and MMFR0 as the CPU has them. */
		{"ISAR1", 6, 1, F(4, 5) | F(24, 1), F(4, 5) | F(24, 1)},
		{"MMFR0", 7, 0, 0x1122334455667788ull, 0x1122334455667788ull},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (pvm_sysreg_id_value(t[i].crm, t[i].op2, t[i].hw) != t[i].want)
			fail_msg("%s: 0x%llx, want 0x%llx", t[i].name,
				 (unsigned long long)pvm_sysreg_id_value(t[i].crm, t[i].op2,
									 t[i].hw),
				 (unsigned long long)t[i].want);
}

/* ICC_SGI1R_EL1 values (TargetList 15:0, Aff1 23:16, INTID 27:24, Aff2 39:32, IRM 40,
   RS 47:44, Aff3 55:48) → the vCPUs of a 3-vCPU VM they reach, sent by vCPU 1. */
static void test_sgi_targets(void **state)
{
	static const struct {
		uint64_t val, want;
	} t[] = {
		{F(24, 1) | 0x1, 0x1},	/* SGI 1 to Aff0 0 */
		{F(24, 15) | 0x6, 0x6}, /* to 1 and 2: itself too */
		{0xffff, 0x7},		/* only the vCPUs there are */
		{F(40, 1), 0x5},	/* IRM: all but the sender */
		{F(16, 1) | 0x1, 0},	/* Aff1 1: no such cluster */
		{F(32, 1) | 0x1, 0},	/* Aff2 1 */
		{F(48, 1) | 0x1, 0},	/* Aff3 1 */
		{F(44, 1) | 0x1, 0},	/* RS 1: Aff0 16 */
		{0, 0},			/* nobody */
	};
	struct pvm_vm vm = {.nvcpus = 3};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (vcpu_sgi_targets(&vm, 1, t[i].val) != t[i].want)
			fail_msg("0x%llx: 0x%llx, want 0x%llx", (unsigned long long)t[i].val,
				 (unsigned long long)vcpu_sgi_targets(&vm, 1, t[i].val),
				 (unsigned long long)t[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_other_classes),
		cmocka_unit_test(test_id_values),
		cmocka_unit_test(test_sgi_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
