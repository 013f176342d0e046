/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trap decoding, as the specification of it: two tables.
 *
 * 1. pvm_esr_decode(): syndromes built from the architectural fields of
 *    ESR_EL2 (Arm ARM D17.2.37; the literals below are the manual's, not
 *    esr.h's, so a wrong constant in the header shows up here) → the
 *    decoded struct pvm_esr_info.
 * 2. The run loop: (syndrome a C guest's instruction traps with, VM kind,
 *    class of the IPA) → the exit the VMM sees (or none: handled in the
 *    hypervisor) and where the guest resumed. Then the completion of an
 *    emulated load: (access size, SSE, SF, SRT, the VMM's value) → the
 *    register afterwards.
 *
 * A guest cannot print its registers, but it can store them: an MMIO
 * store with an instruction syndrome naming Xn shows Xn to the VMM, and an
 * MMIO load naming Xn lets the VMM set it. Both work for protected VMs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libpvm/esr.h>

#include "vcpu_fixture.h"

/* ESR_EL2 from its fields (Arm ARM D17.2.37). */
#define ESR(ec, iss) (((uint64_t)(ec) << 26) | (1ull << 25) | (uint64_t)(iss))
#define EC_UNKNOWN   0x00u
#define EC_WFX	     0x01u
#define EC_FP	     0x07u
#define EC_ILLEGAL   0x0eu
#define EC_HVC32     0x12u
#define EC_SMC32     0x13u
#define EC_SVC64     0x15u
#define EC_HVC64     0x16u
#define EC_SMC64     0x17u
#define EC_SYS64     0x18u
#define EC_IABT_LOW  0x20u
#define EC_IABT_CUR  0x21u
#define EC_PC_ALIGN  0x22u
#define EC_DABT_LOW  0x24u
#define EC_DABT_CUR  0x25u
#define EC_SP_ALIGN  0x26u
#define EC_FP64	     0x2cu
#define EC_SERROR    0x2fu
#define EC_BRK	     0x3cu
/* ISS of a data abort. */
#define ISV    (1u << 24)
#define SAS(n) ((uint32_t)(n) << 22) /* 0: byte, 1: half, 2: word, 3: double */
#define SSE    (1u << 21)
#define SRT(n) ((uint32_t)(n) << 16)
#define SF     (1u << 15)
#define AR     (1u << 14)
#define CM     (1u << 8)
#define S1PTW  (1u << 7)
#define WNR    (1u << 6)
/* Fault status codes. */
#define FSC_ADDR(l)	   (0x00u + (l))
#define FSC_TRANS(l)	   (0x04u + (l))
#define FSC_AF(l)	   (0x08u + (l))
#define FSC_PERM(l)	   (0x0cu + (l))
#define FSC_EXTABT	   0x10u
#define FSC_EXTABT_WALK(l) (0x14u + (l))
#define FSC_ECC		   0x18u
#define FSC_ALIGN	   0x21u
#define FSC_TLB_CONFLICT   0x30u
/* ISS of a trapped MSR/MRS (EC 0x18): Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1,
 * dir 0. */
#define SYSID(op0, op1, crn, crm, op2)                                                             \
	(((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) | ((uint32_t)(op1) << 14) |             \
	 ((uint32_t)(crn) << 10) | ((uint32_t)(crm) << 1))
#define SYSISS(id, rt, read) ((id) | ((uint32_t)(rt) << 5) | (uint32_t)(read))
#define ICC_SGI1R	     SYSID(3, 0, 12, 11, 5)
#define CNTV_CTL	     SYSID(3, 3, 14, 3, 1)

/* ------------------------------------------------------------------ */
/* 1. pvm_esr_decode()                                                */
/* ------------------------------------------------------------------ */

struct dec_row {
	const char *rule;
	uint64_t esr;
	struct pvm_esr_info want;
};

#define DABT(iss) ESR(EC_DABT_LOW, iss)
#define IABT(iss) ESR(EC_IABT_LOW, iss)
#define TC_DABT	  .cls = PVM_TC_DABT
#define TC_IABT	  .cls = PVM_TC_IABT
/* Every level of a fault type decodes to that type and the level. */
/* clang-format off */
#define LEVEL(name, fsc, ft, l) {name, DABT(fsc(l)), {TC_DABT, .fault = (ft), .fault_level = (l)}}
#define LEVELS(name, fsc, ft)                                                                      \
	LEVEL(name " L0", fsc, ft, 0), LEVEL(name " L1", fsc, ft, 1),                              \
	LEVEL(name " L2", fsc, ft, 2), LEVEL(name " L3", fsc, ft, 3)
/* clang-format on */

static const struct dec_row dec_rows[] = {
	/* HVC64/SMC64: ISS[15:0] is the immediate. */
	{"HVC #0", ESR(EC_HVC64, 0), {.cls = PVM_TC_HVC}},
	{"HVC #1", ESR(EC_HVC64, 1), {.cls = PVM_TC_HVC, .imm16 = 1}},
	{"HVC #0xffff", ESR(EC_HVC64, 0xffff), {.cls = PVM_TC_HVC, .imm16 = 0xffff}},
	{"SMC #0", ESR(EC_SMC64, 0), {.cls = PVM_TC_SMC}},
	{"SMC #0x1234", ESR(EC_SMC64, 0x1234), {.cls = PVM_TC_SMC, .imm16 = 0x1234}},
	/* WFx: TI[1:0] 0 WFI, 1 WFE, 2 WFIT, 3 WFET; RV (bit 2) does not change the class. */
	{"WFI (TI 0)", ESR(EC_WFX, 0), {.cls = PVM_TC_WFI}},
	{"WFE (TI 1)", ESR(EC_WFX, 1), {.cls = PVM_TC_WFE}},
	{"WFIT (TI 2)", ESR(EC_WFX, 2), {.cls = PVM_TC_WFI}},
	{"WFET (TI 3)", ESR(EC_WFX, 3), {.cls = PVM_TC_WFE}},
	{"WFIT with RV and Rt 5", ESR(EC_WFX, 2 | 4 | (5u << 5)), {.cls = PVM_TC_WFI}},
	/* SYS64: direction, Rt and the Op0:Op1:CRn:CRm:Op2 fields in their ISS positions. */
	{"MRS x3, CNTV_CTL_EL0",
	 ESR(EC_SYS64, SYSISS(CNTV_CTL, 3, 1)),
	 {.cls = PVM_TC_SYSREG, .sys_read = true, .sys_rt = 3, .sys_id = CNTV_CTL}},
	{"MSR ICC_SGI1R_EL1, x0",
	 ESR(EC_SYS64, SYSISS(ICC_SGI1R, 0, 0)),
	 {.cls = PVM_TC_SYSREG, .sys_rt = 0, .sys_id = ICC_SGI1R}},
	{"MRS xzr (Rt 31)",
	 ESR(EC_SYS64, SYSISS(ICC_SGI1R, 31, 1)),
	 {.cls = PVM_TC_SYSREG, .sys_read = true, .sys_rt = 31, .sys_id = ICC_SGI1R}},
	/* Data aborts with an instruction syndrome: SAS, SSE, SRT, SF, WnR. */
	{"DABT ISV SAS 0: 1 byte",
	 DABT(ISV | SAS(0) | SRT(1) | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 1, .srt = 1}},
	{"DABT ISV SAS 1: 2 bytes",
	 DABT(ISV | SAS(1) | SRT(1) | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 2, .srt = 1}},
	{"DABT ISV SAS 2: 4 bytes",
	 DABT(ISV | SAS(2) | SRT(1) | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 4, .srt = 1}},
	{"DABT ISV SAS 3: 8 bytes",
	 DABT(ISV | SAS(3) | SRT(1) | SF | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 8, .srt = 1, .sf = true}},
	{"DABT ISV SSE (LDRSH)",
	 DABT(ISV | SAS(1) | SSE | SRT(2) | FSC_TRANS(2)),
	 {TC_DABT, .fault_level = 2, .isv = true, .size = 2, .srt = 2, .sse = true}},
	{"DABT ISV SSE SF (LDRSB Xt)",
	 DABT(ISV | SAS(0) | SSE | SF | SRT(2) | FSC_TRANS(2)),
	 {TC_DABT, .fault_level = 2, .isv = true, .size = 1, .srt = 2, .sse = true, .sf = true}},
	{"DABT ISV SRT 0",
	 DABT(ISV | SAS(2) | SRT(0) | FSC_TRANS(1)),
	 {TC_DABT, .fault_level = 1, .isv = true, .size = 4, .srt = 0}},
	{"DABT ISV SRT 17",
	 DABT(ISV | SAS(2) | SRT(17) | FSC_TRANS(1)),
	 {TC_DABT, .fault_level = 1, .isv = true, .size = 4, .srt = 17}},
	{"DABT ISV SRT 30",
	 DABT(ISV | SAS(2) | SRT(30) | FSC_TRANS(1)),
	 {TC_DABT, .fault_level = 1, .isv = true, .size = 4, .srt = 30}},
	{"DABT ISV SRT 31 (XZR)",
	 DABT(ISV | SAS(3) | SF | SRT(31) | WNR | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 8, .srt = 31, .sf = true, .write = true}},
	{"DABT ISV WnR: a store",
	 DABT(ISV | SAS(2) | SRT(4) | WNR | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 4, .srt = 4, .write = true}},
	{"DABT ISV AR (LDAR): acquire/release is not an emulation input",
	 DABT(ISV | SAS(3) | SF | SRT(7) | AR | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 8, .srt = 7, .sf = true}},
	/* ISV clear: bits 23:14 are RES0 and must not be read. */
	{"DABT no ISV: SAS/SSE/SRT/SF/AR bits ignored",
	 DABT(SAS(3) | SSE | SRT(31) | SF | AR | WNR | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .write = true}},
	{"DABT S1PTW", DABT(S1PTW | FSC_TRANS(2)), {TC_DABT, .fault_level = 2, .s1ptw = true}},
	{"DABT CM (DC IVAC), WnR set as the CPU reports it",
	 DABT(CM | WNR | FSC_TRANS(3)),
	 {TC_DABT, .fault_level = 3, .cm = true, .write = true}},
	/* Every FSC type at every level. */
	LEVELS("DABT translation", FSC_TRANS, PVM_FT_TRANSLATION),
	LEVELS("DABT permission", FSC_PERM, PVM_FT_PERMISSION),
	LEVELS("DABT access flag", FSC_AF, PVM_FT_ACCESS_FLAG),
	LEVELS("DABT address size", FSC_ADDR, PVM_FT_ADDR_SIZE),
	/* Anything else is not emulated; its "level" is not a level. */
	{"DABT external abort 0x10", DABT(FSC_EXTABT), {TC_DABT, .fault = PVM_FT_OTHER}},
	{"DABT external abort on walk L3 0x17",
	 DABT(FSC_EXTABT_WALK(3)),
	 {TC_DABT, .fault = PVM_FT_OTHER}},
	{"DABT ECC error 0x18", DABT(FSC_ECC), {TC_DABT, .fault = PVM_FT_OTHER}},
	{"DABT alignment 0x21", DABT(FSC_ALIGN), {TC_DABT, .fault = PVM_FT_OTHER}},
	{"DABT TLB conflict 0x30",
	 DABT(FSC_TLB_CONFLICT | WNR),
	 {TC_DABT, .fault = PVM_FT_OTHER, .write = true}},
	{"DABT: ISS2 (ESR bits 36:32) does not change the decode",
	 DABT(ISV | SAS(2) | SRT(3) | FSC_TRANS(3)) | (0x1full << 32),
	 {TC_DABT, .fault_level = 3, .isv = true, .size = 4, .srt = 3}},
	/* Instruction aborts: no WnR, no instruction syndrome, no CM. */
	{"IABT translation L3", IABT(FSC_TRANS(3)), {TC_IABT, .fault_level = 3}},
	{"IABT permission L2",
	 IABT(FSC_PERM(2)),
	 {TC_IABT, .fault = PVM_FT_PERMISSION, .fault_level = 2}},
	{"IABT S1PTW", IABT(S1PTW | FSC_TRANS(1)), {TC_IABT, .fault_level = 1, .s1ptw = true}},
	{"IABT: data-abort-only bits are not decoded",
	 IABT(ISV | SAS(3) | SRT(5) | SF | CM | WNR | FSC_TRANS(3)),
	 {TC_IABT, .fault_level = 3}},
	{"IABT external abort", IABT(FSC_EXTABT), {TC_IABT, .fault = PVM_FT_OTHER}},
	/* AArch32 conduits: libpvm guests are AArch64. */
	{"HVC32", ESR(EC_HVC32, 0), {.cls = PVM_TC_AARCH32}},
	{"SMC32", ESR(EC_SMC32, 0), {.cls = PVM_TC_AARCH32}},
	/* Everything else is unhandled (the guest gets an UNDEF). */
	{"EC 0x00 unknown", ESR(EC_UNKNOWN, 0), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x07 FP/SIMD access", ESR(EC_FP, 0x1e00000), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x0e illegal execution state", ESR(EC_ILLEGAL, 0), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x15 SVC64", ESR(EC_SVC64, 0x42), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x21 IABT from EL2", ESR(EC_IABT_CUR, FSC_TRANS(3)), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x22 PC alignment", ESR(EC_PC_ALIGN, 0), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x25 DABT from EL2", ESR(EC_DABT_CUR, ISV | FSC_TRANS(3)), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x26 SP alignment", ESR(EC_SP_ALIGN, 0), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x2c FP exception", ESR(EC_FP64, 0), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x2f SError", ESR(EC_SERROR, 0), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x3c BRK", ESR(EC_BRK, 0x800), {.cls = PVM_TC_UNHANDLED}},
	{"EC 0x3f (reserved)", ESR(0x3f, 0x1ffffff), {.cls = PVM_TC_UNHANDLED}},
};

static void expect_info(const char *rule, const struct pvm_esr_info *got,
			const struct pvm_esr_info *want)
{
#define FIELD(f)                                                                                   \
	if ((uint64_t)got->f != (uint64_t)want->f)                                                 \
	fail_msg("%s: " #f " is %llu, want %llu", rule, (unsigned long long)got->f,                \
		 (unsigned long long)want->f)
	FIELD(cls);
	FIELD(imm16);
	FIELD(fault);
	FIELD(fault_level);
	FIELD(isv);
	FIELD(write);
	FIELD(s1ptw);
	FIELD(sse);
	FIELD(sf);
	FIELD(cm);
	FIELD(size);
	FIELD(srt);
	FIELD(sys_read);
	FIELD(sys_rt);
	FIELD(sys_id);
#undef FIELD
}

static void t_decode_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dec_rows) / sizeof(dec_rows[0]); i++) {
		struct pvm_esr_info got;

		/* Always fully written: nothing of the previous contents survives. */
		memset(&got, 0xa5, sizeof(got));
		assert_int_equal(pvm_esr_decode(dec_rows[i].esr, &got), PVM_OK);
		expect_info(dec_rows[i].rule, &got, &dec_rows[i].want);
	}
	assert_int_equal(pvm_esr_decode(ESR(EC_HVC64, 0), NULL), PVM_E_INVAL);
}

/* pvm_esr_dabt() builds what pvm_esr_decode() reads back, for every field combination. */
static void t_dabt_roundtrip(void **state)
{
	static const unsigned fscs[] = {FSC_TRANS(0), FSC_TRANS(3), FSC_PERM(1), FSC_AF(2),
					FSC_ADDR(0)};
	static const unsigned sizes[] = {1, 2, 4, 8};
	unsigned f, s, srt, bits;

	(void)state;
	for (f = 0; f < 5; f++)
		for (s = 0; s < 4; s++)
			for (srt = 0; srt <= 32; srt++)
				for (bits = 0; bits < 8; bits++) {
					bool w = bits & 1, sse = bits & 2, sf = bits & 4;
					uint64_t esr =
						pvm_esr_dabt(fscs[f], w, sizes[s], srt, sse, sf);
					struct pvm_esr_info got, want = {TC_DABT};

					assert_int_equal(esr >> 26, EC_DABT_LOW);
					assert_true(esr &
						    (1ull << 25)); /* IL: a 32-bit instruction */
					want.fault =
						fscs[f] == FSC_TRANS(0) || fscs[f] == FSC_TRANS(3)
							? PVM_FT_TRANSLATION
						: fscs[f] == FSC_PERM(1) ? PVM_FT_PERMISSION
						: fscs[f] == FSC_AF(2)	 ? PVM_FT_ACCESS_FLAG
									 : PVM_FT_ADDR_SIZE;
					want.fault_level = (uint8_t)(fscs[f] & 3);
					want.write = w;
					if (srt < 32) {
						want.isv = true;
						want.size = (uint8_t)sizes[s];
						want.srt = (uint8_t)srt;
						want.sse = sse;
						want.sf = sf;
					}
					assert_int_equal(pvm_esr_decode(esr, &got), PVM_OK);
					expect_info("pvm_esr_dabt round trip", &got, &want);
				}
	/* FSC bits beyond the field do not leak into WnR (bit 6) or anything else. */
	assert_int_equal(pvm_esr_dabt(0x40u | FSC_TRANS(3), false, 1, 32, false, false),
			 ESR(EC_DABT_LOW, FSC_TRANS(3)));
}

/* HPFAR_EL2.FIPA (bits 43:4) holds IPA bits 51:12; the page offset comes from FAR_EL2. */
static void t_hpfar(void **state)
{
	static const struct {
		uint64_t ipa, far, hpfar;
	} rows[] = {
		{0, 0, 0},
		{0x1000, 0x1fff, 0x10},
		{0x80001000, 0x80001234, 0x800010},
		{0x09000048, 0x09000048, 0x90000},
		{0x0000fffffffff000ull, 0xfff, 0xfffffffff0ull},  /* top of 48 bits */
		{0x0000800000000000ull, 0x800, 0x8000000000ull},  /* bit 47 */
		{0x000ffffffffff000ull, 0x123, 0xffffffffff0ull}, /* 52-bit FIPA */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t ipa = rows[i].ipa & ~0xfffull;

		assert_int_equal(pvm_hpfar_from_ipa(rows[i].ipa), rows[i].hpfar);
		assert_int_equal(pvm_hpfar_ipa(rows[i].hpfar, rows[i].far),
				 ipa | (rows[i].far & 0xfff));
		/* NS (bit 63) and the RES0 bits 3:0 are not address bits; FAR's VA bits neither. */
		assert_int_equal(pvm_hpfar_ipa(rows[i].hpfar | (1ull << 63) | 0xf,
					       0xffff000000000000ull | rows[i].far),
				 ipa | (rows[i].far & 0xfff));
		assert_int_equal(pvm_hpfar_ipa(pvm_hpfar_from_ipa(rows[i].ipa), rows[i].ipa),
				 rows[i].ipa);
	}
}

/* ------------------------------------------------------------------ */
/* 2. Through the run loop                                            */
/* ------------------------------------------------------------------ */

/* The IPA classes (the simulated guest's MMU is off: FAR_EL2 is the IPA). */
enum where {
	NOWHERE = 0, /* not an abort: FAR and HPFAR are 0 */
	MAPPED,	     /* guest RAM, backed (the fixture backs FX_GUEST_RAM's first page) */
	UNMAPPED,    /* guest RAM, not backed yet */
	OUTSIDE,     /* not RAM: MMIO */
};
static const uint64_t where_ipa[] = {0, FX_GUEST_RAM + 0x48, FX_GUEST_RAM + 0x5048, FX_UART + 0x48};

/* Loads from SET_IPA let the VMM set a register; stores to GET_IPA show one to it. */
#define SET_IPA	     (FX_UART + 0x1000)
#define GET_IPA	     (FX_UART + 0x2000)
#define RAW_LOAD(n)  DABT(ISV | SAS(3) | SF | SRT(n) | FSC_TRANS(3))
#define RAW_STORE(n) DABT(ISV | SAS(3) | SF | SRT(n) | WNR | FSC_TRANS(3))
#define SENTINEL     0x5a5a5a5a5a5a5a5aull

/* Where the guest resumed (pvm_sim_cpu_trap()). */
#define NEXT   0
#define SAME   1
#define VECTOR 2

#define K_PROT	1u
#define K_NPROT 2u
#define K_BOTH	(K_PROT | K_NPROT)

struct regval {
	bool on;
	unsigned n;
	uint64_t v;
};

struct run_row {
	const char *rule;
	uint64_t esr;
	enum where where;
	struct regval set;    /* a register the VMM sets before the trap */
	struct pvm_exit want; /* kind NONE: handled in the hypervisor, no exit */
	int resumed;	      /* NEXT, SAME or VECTOR */
	struct regval get;    /* a register the VMM reads afterwards */
	unsigned kinds;	      /* 0: both */
};

#define MMIO_EXIT(sz, wr, d)                                                                       \
	{                                                                                          \
		.kind = PVM_EXIT_MMIO, .mmio = {.size = (sz), .write = (wr), .data = (d) }         \
	}
#define MEM_FAULT(w, x)                                                                            \
	{                                                                                          \
		.kind = PVM_EXIT_MEM_FAULT, .mem_fault = {.write = (w), .exec = (x) }              \
	}
#define FAULT(r)                                                                                   \
	{                                                                                          \
		.kind = PVM_EXIT_GUEST_FAULT, .fault = {.reason = (r) }                            \
	}
#define WFI_EXIT                                                                                   \
	{                                                                                          \
		.kind = PVM_EXIT_WFI                                                               \
	}
#define NO_EXIT                                                                                    \
	{                                                                                          \
		.kind = PVM_EXIT_NONE                                                              \
	}
#define X5 0x1122334455667788ull

static const struct run_row run_rows[] = {
	/* Stage-2 translation fault outside RAM, instruction syndrome: emulated MMIO. */
	{"MMIO load, 4 bytes into W1", DABT(ISV | SAS(2) | SRT(1) | FSC_TRANS(3)), OUTSIDE,
	 .want = MMIO_EXIT(4, false, 0), .resumed = NEXT},
	{"MMIO store of X5, 8 bytes: data is x5",
	 DABT(ISV | SAS(3) | SF | SRT(5) | WNR | FSC_TRANS(1)), OUTSIDE, .set = {true, 5, X5},
	 .want = MMIO_EXIT(8, true, X5), .resumed = NEXT},
	{"MMIO store of W5, 4 bytes: data is x5 masked to the size",
	 DABT(ISV | SAS(2) | SRT(5) | WNR | FSC_TRANS(2)), OUTSIDE, .set = {true, 5, X5},
	 .want = MMIO_EXIT(4, true, 0x55667788), .resumed = NEXT},
	{"MMIO store of W5, 2 bytes", DABT(ISV | SAS(1) | SRT(5) | WNR | FSC_TRANS(3)), OUTSIDE,
	 .set = {true, 5, X5}, .want = MMIO_EXIT(2, true, 0x7788), .resumed = NEXT},
	{"MMIO store of W5, 1 byte", DABT(ISV | SAS(0) | SRT(5) | WNR | FSC_TRANS(3)), OUTSIDE,
	 .set = {true, 5, X5}, .want = MMIO_EXIT(1, true, 0x88), .resumed = NEXT},
	{"MMIO store of X30", DABT(ISV | SAS(3) | SF | SRT(30) | WNR | FSC_TRANS(3)), OUTSIDE,
	 .set = {true, 30, ~X5}, .want = MMIO_EXIT(8, true, ~X5), .resumed = NEXT},
	{"MMIO store of XZR (SRT 31): data 0",
	 DABT(ISV | SAS(3) | SF | SRT(31) | WNR | FSC_TRANS(3)), OUTSIDE,
	 .want = MMIO_EXIT(8, true, 0), .resumed = NEXT},
	/* Without an instruction syndrome the access cannot be emulated: abort, as pKVM. */
	{"MMIO store without ISV: data abort", DABT(WNR | FSC_TRANS(3)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"MMIO load without ISV: data abort", DABT(FSC_TRANS(3)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	/* Guest RAM: a missing page is the VMM's to provide; the access is retried. */
	{"RAM unmapped, load: memory fault", DABT(ISV | SAS(2) | SRT(1) | FSC_TRANS(3)), UNMAPPED,
	 .want = MEM_FAULT(false, false), .resumed = SAME},
	{"RAM unmapped, store (WnR): memory fault for a write",
	 DABT(ISV | SAS(2) | SRT(1) | WNR | FSC_TRANS(2)), UNMAPPED, .want = MEM_FAULT(true, false),
	 .resumed = SAME},
	{"RAM unmapped, no ISV (LDP): memory fault all the same", DABT(FSC_TRANS(3)), UNMAPPED,
	 .want = MEM_FAULT(false, false), .resumed = SAME},
	{"RAM mapped meanwhile (another vCPU's fault served): retried, no exit",
	 DABT(ISV | SAS(2) | SRT(1) | FSC_TRANS(3)), MAPPED, .want = NO_EXIT, .resumed = SAME},
	/* Not a translation fault: the guest's own bug. */
	{"permission fault in RAM: data abort", DABT(ISV | SAS(2) | SRT(1) | WNR | FSC_PERM(3)),
	 MAPPED, .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"permission fault outside RAM: data abort", DABT(ISV | SAS(2) | SRT(1) | FSC_PERM(3)),
	 OUTSIDE, .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"access flag fault: data abort", DABT(ISV | SAS(2) | SRT(1) | FSC_AF(3)), MAPPED,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"address size fault: data abort", DABT(ISV | SAS(2) | SRT(1) | FSC_ADDR(0)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"address size fault in RAM: data abort, not a memory fault",
	 DABT(ISV | SAS(2) | SRT(1) | FSC_ADDR(1)), UNMAPPED, .want = FAULT(PVM_FAULT_DABT),
	 .resumed = VECTOR},
	{"external abort: data abort", DABT(FSC_EXTABT), MAPPED, .want = FAULT(PVM_FAULT_DABT),
	 .resumed = VECTOR},
	{"TLB conflict: data abort", DABT(FSC_TLB_CONFLICT), OUTSIDE, .want = FAULT(PVM_FAULT_DABT),
	 .resumed = VECTOR},
	/* A stage-2 fault on the guest's stage-1 walk. */
	{"S1PTW in RAM unmapped: memory fault", DABT(S1PTW | FSC_TRANS(3)), UNMAPPED,
	 .want = MEM_FAULT(false, false), .resumed = SAME},
	{"S1PTW outside RAM (page tables in MMIO): data abort even with ISV",
	 DABT(ISV | SAS(3) | SF | SRT(1) | S1PTW | FSC_TRANS(3)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	/* Cache maintenance to MMIO: nothing to emulate. */
	{"CM outside RAM: data abort", DABT(CM | WNR | FSC_TRANS(3)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"CM outside RAM, even with an (impossible) ISV: data abort",
	 DABT(ISV | SAS(3) | SF | SRT(1) | CM | WNR | FSC_TRANS(3)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_DABT), .resumed = VECTOR},
	{"CM in RAM unmapped: memory fault (WnR as reported)", DABT(CM | WNR | FSC_TRANS(3)),
	 UNMAPPED, .want = MEM_FAULT(true, false), .resumed = SAME},
	/* Instruction aborts. */
	{"IABT translation in RAM unmapped: memory fault for execution", IABT(FSC_TRANS(3)),
	 UNMAPPED, .want = MEM_FAULT(false, true), .resumed = SAME},
	{"IABT translation in RAM mapped: retried", IABT(FSC_TRANS(2)), MAPPED, .want = NO_EXIT,
	 .resumed = SAME},
	{"IABT outside RAM (executing MMIO): instruction abort", IABT(FSC_TRANS(3)), OUTSIDE,
	 .want = FAULT(PVM_FAULT_IABT), .resumed = VECTOR},
	{"IABT permission (XN) in RAM: instruction abort", IABT(FSC_PERM(3)), MAPPED,
	 .want = FAULT(PVM_FAULT_IABT), .resumed = VECTOR},
	/* WFx: ELR is the instruction; WFI waits in the VMM, WFE is a hint. */
	{"WFI: WFI exit, resumes after it", ESR(EC_WFX, 0), NOWHERE, .want = WFI_EXIT,
	 .resumed = NEXT},
	{"WFE: no exit, resumes after it", ESR(EC_WFX, 1), NOWHERE, .want = NO_EXIT,
	 .resumed = NEXT},
	{"WFIT: as WFI", ESR(EC_WFX, 2), NOWHERE, .want = WFI_EXIT, .resumed = NEXT},
	{"WFET: as WFE", ESR(EC_WFX, 3), NOWHERE, .want = NO_EXIT, .resumed = NEXT},
	/* Nothing else is emulated: UNDEFINED at the trapped instruction. */
	{"SYS64 (MRS): UNDEF", ESR(EC_SYS64, SYSISS(CNTV_CTL, 3, 1)), NOWHERE,
	 .want = FAULT(PVM_FAULT_UNDEF), .resumed = VECTOR},
	{"EC unknown: UNDEF", ESR(EC_UNKNOWN, 0), NOWHERE, .want = FAULT(PVM_FAULT_UNDEF),
	 .resumed = VECTOR},
	{"HVC32: UNDEF", ESR(EC_HVC32, 0), NOWHERE, .want = FAULT(PVM_FAULT_UNDEF),
	 .resumed = VECTOR},
	{"SMC32: UNDEF", ESR(EC_SMC32, 0), NOWHERE, .want = FAULT(PVM_FAULT_UNDEF),
	 .resumed = VECTOR},
	{"BRK: UNDEF", ESR(EC_BRK, 0), NOWHERE, .want = FAULT(PVM_FAULT_UNDEF), .resumed = VECTOR},
	{"FP access trap: UNDEF", ESR(EC_FP, 0), NOWHERE, .want = FAULT(PVM_FAULT_UNDEF),
	 .resumed = VECTOR},
	{"SVC64 (cannot reach EL2): UNDEF", ESR(EC_SVC64, 0), NOWHERE,
	 .want = FAULT(PVM_FAULT_UNDEF), .resumed = VECTOR},
	{"DABT from EL2 (EC 0x25, not a guest's): UNDEF", ESR(EC_DABT_CUR, ISV | FSC_TRANS(3)),
	 OUTSIDE, .want = FAULT(PVM_FAULT_UNDEF), .resumed = VECTOR},
	/* SMC64 (HCR_EL2.TSC): ELR is the SMC itself, the hypervisor advances it. */
	{"SMC64 SMCCC_VERSION: x0 = 1.1, resumes after the SMC", ESR(EC_SMC64, 0), NOWHERE,
	 .set = {true, 0, SMCCC_VERSION}, .want = NO_EXIT, .resumed = NEXT,
	 .get = {true, 0, SMCCC_VERSION_1_1}},
	/*
	 * HVC64: ELR is already the next instruction and must not move. Trapped
	 * here from the PC of the "instruction", the guest resumes at that same
	 * PC, which for an HVC is the one after it.
	 */
	{"HVC64 SMCCC_VERSION: ELR not advanced", ESR(EC_HVC64, 0), NOWHERE,
	 .set = {true, 0, SMCCC_VERSION}, .want = NO_EXIT, .resumed = SAME,
	 .get = {true, 0, SMCCC_VERSION_1_1}},
};

struct gstate {
	const struct run_row *row;
	int resumed;
	bool done;
};

/* Guest side: load a register from the VMM, or show one to it. */
static void g_set(struct pvm_sim_cpu *cpu, unsigned n)
{
	assert_int_equal(pvm_sim_cpu_trap(cpu, RAW_LOAD(n), SET_IPA, pvm_hpfar_from_ipa(SET_IPA)),
			 NEXT);
}

static void g_show(struct pvm_sim_cpu *cpu, unsigned n)
{
	assert_int_equal(pvm_sim_cpu_trap(cpu, RAW_STORE(n), GET_IPA, pvm_hpfar_from_ipa(GET_IPA)),
			 NEXT);
}

static void g_off(struct pvm_sim_cpu *cpu)
{
	uint64_t x[8] = {PSCI_SYSTEM_OFF};

	pvm_sim_cpu_hvc(cpu, x);
	fail_msg("SYSTEM_OFF returned");
}

static void g_run_row(struct pvm_sim_cpu *cpu, void *arg)
{
	struct gstate *st = arg;
	const struct run_row *row = st->row;
	uint64_t ipa = where_ipa[row->where];

	if (row->set.on)
		g_set(cpu, row->set.n);
	st->resumed = pvm_sim_cpu_trap(cpu, row->esr, ipa, ipa ? pvm_hpfar_from_ipa(ipa) : 0);
	if (row->get.on)
		g_show(cpu, row->get.n);
	st->done = true;
	g_off(cpu);
}

/* Host side. */
static void run(const char *rule, unsigned vm, struct pvm_exit *e)
{
	pvm_status_t ret = pvm_vcpu_run(fx_hyp, vm, 0, e);

	if (ret != PVM_OK)
		fail_msg("%s: pvm_vcpu_run() = %d", rule, ret);
	fx_check();
}

static void h_set(const char *rule, unsigned vm, struct pvm_exit *e, uint64_t v)
{
	run(rule, vm, e);
	if (e->kind != PVM_EXIT_MMIO || e->mmio.ipa != SET_IPA || e->mmio.write)
		fail_msg("%s: expected the register-setting load, got exit %u", rule, e->kind);
	e->mmio.data = v;
}

static void h_get(const char *rule, unsigned vm, struct pvm_exit *e, uint64_t v)
{
	run(rule, vm, e);
	if (e->kind != PVM_EXIT_MMIO || e->mmio.ipa != GET_IPA || !e->mmio.write)
		fail_msg("%s: expected the register-showing store, got exit %u", rule, e->kind);
	if (e->mmio.data != v)
		fail_msg("%s: register is 0x%llx, want 0x%llx", rule,
			 (unsigned long long)e->mmio.data, (unsigned long long)v);
}

static void h_off(const char *rule, unsigned vm, struct pvm_exit *e)
{
	run(rule, vm, e);
	if (e->kind != PVM_EXIT_PSCI || e->psci.fn != PSCI_SYSTEM_OFF)
		fail_msg("%s: expected SYSTEM_OFF, got exit %u", rule, e->kind);
}

static void expect_exit(const char *rule, const struct pvm_exit *got, const struct pvm_exit *want,
			uint64_t ipa)
{
	if (got->kind != want->kind)
		fail_msg("%s: exit %u, want %u", rule, got->kind, want->kind);
	switch (want->kind) {
	case PVM_EXIT_MMIO:
		if (got->mmio.ipa != ipa || got->mmio.size != want->mmio.size ||
		    got->mmio.write != want->mmio.write || got->mmio.data != want->mmio.data)
			fail_msg("%s: MMIO ipa 0x%llx size %u write %d data 0x%llx", rule,
				 (unsigned long long)got->mmio.ipa, got->mmio.size, got->mmio.write,
				 (unsigned long long)got->mmio.data);
		break;
	case PVM_EXIT_MEM_FAULT:
		if (got->mem_fault.ipa != (ipa & ~(FX_PAGE - 1)) ||
		    got->mem_fault.write != want->mem_fault.write ||
		    got->mem_fault.exec != want->mem_fault.exec)
			fail_msg("%s: MEM_FAULT ipa 0x%llx write %d exec %d", rule,
				 (unsigned long long)got->mem_fault.ipa, got->mem_fault.write,
				 got->mem_fault.exec);
		break;
	case PVM_EXIT_GUEST_FAULT:
		if (got->fault.reason != want->fault.reason ||
		    got->fault.ipa != (want->fault.reason == PVM_FAULT_UNDEF ? 0 : ipa))
			fail_msg("%s: GUEST_FAULT reason %u ipa 0x%llx", rule, got->fault.reason,
				 (unsigned long long)got->fault.ipa);
		break;
	default:
		break;
	}
}

/*
 * What the guest's EL1 sees of an injected exception (non-protected VMs
 * only: the host may read those registers): the vector for the current EL
 * with SP_ELx (the guest runs at EL1h), ESR_EL1 of a "current EL" abort
 * with an external-abort FSC, or EC 0 for UNDEF (IL is RES1 there).
 */
static void expect_injected(const char *rule, unsigned vm, const struct pvm_exit *e, uint64_t far)
{
	struct pvm_vcpu_regs r;
	uint64_t esr;

	assert_int_equal(pvm_vcpu_get_regs(fx_hyp, vm, 0, &r), PVM_OK);
	if (e->fault.reason == PVM_FAULT_DABT)
		esr = ESR(EC_DABT_CUR, FSC_EXTABT);
	else if (e->fault.reason == PVM_FAULT_IABT)
		esr = ESR(EC_IABT_CUR, FSC_EXTABT);
	else
		esr = ESR(EC_UNKNOWN, 0), far = 0;
	if (r.pc != r.sys[PVM_SYS_VBAR_EL1] + 0x200 || r.sys[PVM_SYS_ESR_EL1] != esr ||
	    r.sys[PVM_SYS_FAR_EL1] != far || r.pstate != PVM_PSTATE_EL1H_MASKED ||
	    r.sys[PVM_SYS_SPSR_EL1] != PVM_PSTATE_EL1H_MASKED)
		fail_msg("%s: injected pc 0x%llx ESR_EL1 0x%llx FAR_EL1 0x%llx", rule,
			 (unsigned long long)r.pc, (unsigned long long)r.sys[PVM_SYS_ESR_EL1],
			 (unsigned long long)r.sys[PVM_SYS_FAR_EL1]);
}

static unsigned boot_vm(bool prot, pvm_sim_guest_fn fn, void *arg)
{
	unsigned vm = fx_vm(prot, 1, fn, arg);

	fx_back(vm, FX_GUEST_RAM);
	assert_int_equal(pvm_vcpu_boot(fx_hyp, vm, 0, pvm_ipa(FX_GUEST_RAM + 0x100), 0), PVM_OK);
	return vm;
}

static void run_one(const struct run_row *row, bool prot)
{
	struct gstate st = {row, -1, false};
	struct pvm_exit e = {0};
	uint64_t ipa = where_ipa[row->where];
	unsigned vm = boot_vm(prot, g_run_row, &st);

	if (row->set.on)
		h_set(row->rule, vm, &e, row->set.v);
	if (row->want.kind != PVM_EXIT_NONE) {
		run(row->rule, vm, &e);
		/*
		 * A fault on the guest's stage-1 walk reports only the page of
		 * the IPA: FAR then holds the guest's VA, not the IPA's offset.
		 */
		expect_exit(row->rule, &e, &row->want,
			    (row->esr & S1PTW) ? ipa & ~(FX_PAGE - 1) : ipa);
		if (!prot && e.kind == PVM_EXIT_GUEST_FAULT)
			expect_injected(row->rule, vm, &e, ipa);
		if (e.kind == PVM_EXIT_MMIO && !e.mmio.write)
			e.mmio.data = 0x42;
	}
	if (row->get.on)
		h_get(row->rule, vm, &e, row->get.v);
	h_off(row->rule, vm, &e);
	if (!st.done || st.resumed != row->resumed)
		fail_msg("%s (%s VM): resumed %d, want %d", row->rule,
			 prot ? "protected" : "non-protected", st.resumed, row->resumed);
	fx_destroy(vm);
}

static void t_run_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(run_rows) / sizeof(run_rows[0]); i++) {
		unsigned kinds = run_rows[i].kinds ? run_rows[i].kinds : K_BOTH;

		if (kinds & K_PROT)
			run_one(&run_rows[i], true);
		if (kinds & K_NPROT)
			run_one(&run_rows[i], false);
	}
}

/* ------------------------------------------------------------------ */
/* MMIO load completion: the register the instruction named, and only it */
/* ------------------------------------------------------------------ */

struct done_row {
	const char *rule;
	unsigned sas;
	bool sse, sf;
	unsigned srt;
	uint64_t answer; /* what the VMM returns (more bits than the access has) */
	bool abort;	 /* the VMM fails the access instead */
	uint64_t want;	 /* Xsrt afterwards */
	int resumed;
};

static const struct done_row done_rows[] = {
	{"LDRB W1: cut to the byte, zero-extended", 0, false, false, 1, 0xffffffffffffff80ull,
	 false, 0x80, NEXT},
	{"LDRSB W1: sign-extended to 32 bits, upper half zero", 0, true, false, 1, 0x80, false,
	 0xffffff80ull, NEXT},
	{"LDRSB X1: sign-extended to 64 bits", 0, true, true, 1, 0x80, false, 0xffffffffffffff80ull,
	 NEXT},
	{"LDRSB X1, positive", 0, true, true, 1, 0x7f, false, 0x7f, NEXT},
	{"LDRSB X1: bits above the byte do not decide the sign", 0, true, true, 1,
	 0xffffffffffffff7full, false, 0x7f, NEXT},
	{"LDRH W2", 1, false, false, 2, 0xabcd8001ull, false, 0x8001, NEXT},
	{"LDRSH W2", 1, true, false, 2, 0xabcd8001ull, false, 0xffff8001ull, NEXT},
	{"LDRSH X2", 1, true, true, 2, 0x8001, false, 0xffffffffffff8001ull, NEXT},
	{"LDR W3: SF=0 keeps 32 bits", 2, false, false, 3, 0x1122334455667788ull, false, 0x55667788,
	 NEXT},
	{"LDRSW X3", 2, true, true, 3, 0x80000000ull, false, 0xffffffff80000000ull, NEXT},
	{"LDRSW X3, positive", 2, true, true, 3, 0xffffffff7fffffffull, false, 0x7fffffff, NEXT},
	{"word, SSE into W (nothing to extend)", 2, true, false, 3, 0x80000000ull, false,
	 0x80000000ull, NEXT},
	{"LDR X4", 3, false, true, 4, 0x8877665544332211ull, false, 0x8877665544332211ull, NEXT},
	{"LDR X4 with SSE (meaningless for 64 bits)", 3, true, true, 4, 0x8877665544332211ull,
	 false, 0x8877665544332211ull, NEXT},
	{"LDR X0", 3, false, true, 0, 0x0123456789abcdefull, false, 0x0123456789abcdefull, NEXT},
	{"LDR X30", 3, false, true, 30, 0xfedcba9876543210ull, false, 0xfedcba9876543210ull, NEXT},
	{"LDR XZR (SRT 31): the value is discarded, no register changes", 3, false, true, 31,
	 0xfedcba9876543210ull, false, 0, NEXT},
	{"LDRB WZR", 0, true, false, 31, 0xff, false, 0, NEXT},
	{"the VMM fails the load: abort, register untouched", 3, false, true, 6, 0x1234, true,
	 SENTINEL, VECTOR},
	{"the VMM fails a byte load: abort, register untouched", 0, true, false, 7, 0x80, true,
	 SENTINEL, VECTOR},
};

struct dstate {
	const struct done_row *row;
	int resumed;
};

static void g_done_row(struct pvm_sim_cpu *cpu, void *arg)
{
	struct dstate *st = arg;
	const struct done_row *row = st->row;
	uint64_t ipa = where_ipa[OUTSIDE];
	uint32_t iss = ISV | SAS(row->sas) | SRT(row->srt) | FSC_TRANS(3);

	if (row->srt < 31)
		g_set(cpu, row->srt);
	iss |= (row->sse ? SSE : 0) | (row->sf ? SF : 0);
	st->resumed = pvm_sim_cpu_trap(cpu, DABT(iss), ipa, pvm_hpfar_from_ipa(ipa));
	g_show(cpu, row->srt);
	g_off(cpu);
}

static void done_one(const struct done_row *row, bool prot)
{
	struct dstate st = {row, -1};
	struct pvm_vcpu_regs before, after;
	struct pvm_exit e = {0};
	unsigned vm = boot_vm(prot, g_done_row, &st), i;

	if (row->srt < 31)
		h_set(row->rule, vm, &e, SENTINEL);
	run(row->rule, vm, &e);
	if (e.kind != PVM_EXIT_MMIO || e.mmio.write || e.mmio.size != 1u << row->sas ||
	    e.mmio.ipa != where_ipa[OUTSIDE])
		fail_msg("%s: expected an MMIO load of %u bytes", row->rule, 1u << row->sas);
	if (!prot)
		assert_int_equal(pvm_vcpu_get_regs(fx_hyp, vm, 0, &before), PVM_OK);
	e.mmio.data = row->answer;
	e.flags = row->abort ? PVM_EXIT_F_ABORT : 0;
	h_get(row->rule, vm, &e, row->want);
	if (!prot && !row->abort) {
		/* One instruction later, and only the named register differs. */
		assert_int_equal(pvm_vcpu_get_regs(fx_hyp, vm, 0, &after), PVM_OK);
		assert_int_equal(after.pc, before.pc + 4);
		for (i = 0; i < 31; i++)
			if (i != row->srt && after.x[i] != before.x[i])
				fail_msg("%s: x%u changed", row->rule, i);
		after.pc = before.pc;
		if (row->srt < 31)
			after.x[row->srt] = before.x[row->srt];
		assert_memory_equal(&after, &before, sizeof(after));
	}
	h_off(row->rule, vm, &e);
	if (st.resumed != row->resumed)
		fail_msg("%s: resumed %d, want %d", row->rule, st.resumed, row->resumed);
	fx_destroy(vm);
}

static void t_mmio_completion(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(done_rows) / sizeof(done_rows[0]); i++) {
		done_one(&done_rows[i], true);
		done_one(&done_rows[i], false);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_decode_table),
		cmocka_unit_test(t_dabt_roundtrip),
		cmocka_unit_test(t_hpfar),
		cmocka_unit_test_setup_teardown(t_run_table, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(t_mmio_completion, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
