/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness: trap decoding (libpvm/esr.h), the pure functions the
 * run loop acts on for every trap a guest takes.
 *
 * The input is read as four 64-bit values a, b, c, d in the host's byte
 * order (the seeds are little-endian; missing bytes are zero): a and b are
 * syndromes, each also the bits to flip in the other; c is a CPU's ID
 * register value and an IPA; d is a FAR, the fields of a data abort for
 * pvm_esr_dabt() and the CRm/Op2 of an ID register. Oracles (each aborts
 * with a message on stderr), all from the header's documentation and the
 * Arm ARM encodings it names:
 *   - pvm_esr_decode() answers PVM_OK and writes every field whatever was
 *     there before (two decodes over different garbage agree), and
 *     PVM_E_INVAL for a NULL info;
 *   - the class follows EC alone, as the header's table of classes says;
 *     HVC/SMC carry ISS 15:0, WFx is WFE exactly when TI is 1 or 3, a
 *     sysreg trap carries ISS bit 0 (read), 9:5 (Rt) and an id that
 *     depends on ISS 21:10 and 4:1, all of them and nothing else;
 *   - an abort's fault type and level follow its FSC; a data abort with
 *     ISV has a size of 1, 2, 4 or 8 and a register of at most 31, and
 *     without ISV bits 23:14 change nothing (RES0: esr.c does not read them);
 *   - pvm_esr_dabt() of fuzzed fields decodes back to exactly those fields;
 *   - pvm_sysreg_trap_policy() is UNDEF for any EC but 0x18, and for EC
 *     0x18 exactly what its documentation lists (checked both ways: every
 *     listed register gets its answer, and every answer but UNDEF is for a
 *     listed register);
 *   - pvm_sysreg_id_value() never shows a hidden feature field, zeroes the
 *     registers it says it zeroes, and passes every other bit through;
 *   - pvm_hpfar_ipa() and pvm_hpfar_from_ipa() are inverse for page-aligned
 *     IPAs below 2^52, and HPFAR_EL2 has nothing outside FIPA (43:4).
 */
#include <libpvm/esr.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, uint64_t x, uint64_t y)
{
	fprintf(stderr, "fuzz_trap: %s (0x%llx, 0x%llx)\n", what, (unsigned long long)x,
		(unsigned long long)y);
	abort();
}

static int same_info(const struct pvm_esr_info *x, const struct pvm_esr_info *y)
{
	return x->cls == y->cls && x->imm16 == y->imm16 && x->fault == y->fault &&
	       x->fault_level == y->fault_level && x->isv == y->isv && x->write == y->write &&
	       x->s1ptw == y->s1ptw && x->sse == y->sse && x->sf == y->sf && x->cm == y->cm &&
	       x->size == y->size && x->srt == y->srt && x->sys_read == y->sys_read &&
	       x->sys_rt == y->sys_rt && x->sys_id == y->sys_id;
}

/* Decode into garbage twice (two patterns): both must agree, field by field. */
static void decode(uint64_t esr, struct pvm_esr_info *info)
{
	struct pvm_esr_info other;

	memset(info, 0xa5, sizeof(*info));
	memset(&other, 0x5a, sizeof(other));
	if (pvm_esr_decode(esr, info) != PVM_OK || pvm_esr_decode(esr, &other) != PVM_OK)
		die("decode is not PVM_OK", esr, 0);
	if (!same_info(info, &other))
		die("decode leaves a field unwritten", esr, 0);
}

/* The class each EC decodes as (the header's enum pvm_trap_class). */
static enum pvm_trap_class ec_class(uint64_t esr)
{
	switch (PVM_ESR_EC(esr)) {
	case PVM_EC_HVC64:
		return PVM_TC_HVC;
	case PVM_EC_SMC64:
		return PVM_TC_SMC;
	case PVM_EC_WFX:
		/* TI: 0 WFI, 1 WFE, 2 WFIT, 3 WFET. */
		return (esr & PVM_ISS_WFX_TI_MASK) == 1 || (esr & PVM_ISS_WFX_TI_MASK) == 3
			       ? PVM_TC_WFE
			       : PVM_TC_WFI;
	case PVM_EC_SYS64:
		return PVM_TC_SYSREG;
	case PVM_EC_DABT_LOW:
		return PVM_TC_DABT;
	case PVM_EC_IABT_LOW:
		return PVM_TC_IABT;
	case PVM_EC_HVC32:
	case PVM_EC_SMC32:
		return PVM_TC_AARCH32;
	default:
		return PVM_TC_UNHANDLED;
	}
}

static enum pvm_fault_type fsc_fault(unsigned fsc)
{
	switch (fsc & PVM_FSC_TYPE_MASK) {
	case PVM_FSC_ADDR_SIZE_ANY:
		return PVM_FT_ADDR_SIZE;
	case PVM_FSC_TRANS_ANY:
		return PVM_FT_TRANSLATION;
	case PVM_FSC_AF_ANY:
		return PVM_FT_ACCESS_FLAG;
	case PVM_FSC_PERM_ANY:
		return PVM_FT_PERMISSION;
	default:
		return PVM_FT_OTHER;
	}
}

/* The ISS bits of an MSR/MRS that name the register: Op0, Op2, Op1, CRn (21:10), CRm (4:1). */
#define SYS_ID_BITS 0x3ffc1eull

static void check_decode(uint64_t esr, uint64_t flip)
{
	struct pvm_esr_info info, again;
	enum pvm_trap_class cls = ec_class(esr);
	unsigned iss = (unsigned)(esr & PVM_ESR_ISS_MASK);

	if (pvm_esr_decode(esr, NULL) != PVM_E_INVAL)
		die("decode into NULL is not PVM_E_INVAL", esr, 0);
	decode(esr, &info);
	if (info.cls != cls)
		die("class does not follow EC", esr, info.cls);
	switch (cls) {
	case PVM_TC_HVC:
	case PVM_TC_SMC:
		if (info.imm16 != (iss & 0xffffu))
			die("HVC/SMC immediate is not ISS 15:0", esr, info.imm16);
		break;
	case PVM_TC_SYSREG:
		if (info.sys_read != (iss & PVM_ISS_SYS_READ) || info.sys_rt != ((iss >> 5) & 31u))
			die("MSR/MRS direction or Rt", esr, info.sys_rt);
		/* The id depends on the register's bits, on all of them and nothing else. */
		decode(esr ^ (flip & ~SYS_ID_BITS & PVM_ESR_ISS_MASK), &again);
		if (again.sys_id != info.sys_id)
			die("sysreg id depends on bits that do not name the register", esr, flip);
		if (flip & SYS_ID_BITS) {
			decode(esr ^ (flip & SYS_ID_BITS), &again);
			if (again.sys_id == info.sys_id)
				die("two registers with one sysreg id", esr, flip);
		}
		break;
	case PVM_TC_DABT:
	case PVM_TC_IABT:
		if (info.fault != fsc_fault(iss) || info.fault_level > 3 ||
		    (info.fault != PVM_FT_OTHER && info.fault_level != (iss & 3u)))
			die("fault type or level does not follow FSC", esr, info.fault);
		if (info.s1ptw != !!(iss & PVM_ISS_S1PTW))
			die("S1PTW", esr, 0);
		if (cls == PVM_TC_IABT)
			break;
		if (info.write != !!(iss & PVM_ISS_WNR) || info.cm != !!(iss & PVM_ISS_CM) ||
		    info.isv != !!(iss & PVM_ISS_ISV))
			die("WnR, CM or ISV", esr, 0);
		if (info.isv) {
			if ((info.size != 1 && info.size != 2 && info.size != 4 &&
			     info.size != 8) ||
			    info.srt > 31)
				die("data abort access size or register out of range", esr,
				    (uint64_t)info.size << 8 | info.srt);
			if (info.size != 1u << ((iss >> PVM_ISS_SAS_SHIFT) & 3u) ||
			    info.srt != ((iss >> PVM_ISS_SRT_SHIFT) & 31u) ||
			    info.sse != !!(iss & PVM_ISS_SSE) || info.sf != !!(iss & PVM_ISS_SF))
				die("instruction syndrome decoded wrong", esr, 0);
		} else {
			/* Without ISV, bits 23:14 are RES0: they must change nothing. */
			decode(esr ^ (flip & 0xffc000ull), &again);
			if (!same_info(&info, &again))
				die("bits 23:14 of a data abort without ISV change its decode", esr,
				    flip);
		}
		break;
	default:
		break;
	}
}

/* pvm_esr_dabt() of fields taken from x, decoded: the same fields. */
static void check_dabt(uint64_t x)
{
	unsigned fsc = x & PVM_ISS_FSC_MASK, size = 1u << ((x >> 6) & 3u);
	unsigned srt = (x >> 8) & 63u; /* 32..63: no instruction syndrome */
	bool write = x >> 14 & 1, sse = x >> 15 & 1, sf = x >> 16 & 1;
	uint64_t esr;
	struct pvm_esr_info info;

	if (srt > 32)
		srt = 32;
	esr = pvm_esr_dabt(fsc, write, size, srt, sse, sf);
	decode(esr, &info);
	if (info.cls != PVM_TC_DABT || info.write != write || info.isv != (srt < 32) ||
	    info.s1ptw || info.cm || info.fault != fsc_fault(fsc) ||
	    (info.fault != PVM_FT_OTHER && info.fault_level != (fsc & 3u)))
		die("a built data abort does not decode to its fields", x, esr);
	if (srt < 32 && (info.size != size || info.srt != srt || info.sse != sse || info.sf != sf))
		die("a built instruction syndrome does not decode to its fields", x, esr);
}

/* The documented policy (esr.h, pvm_sysreg_trap_policy()), for EC 0x18. */
static void check_policy(uint64_t esr)
{
	enum pvm_sysreg_policy got = pvm_sysreg_trap_policy(esr);
	unsigned iss = (unsigned)(esr & PVM_ESR_ISS_MASK);
	unsigned op0 = (iss >> 20) & 3u, op2 = (iss >> 17) & 7u, op1 = (iss >> 14) & 7u;
	unsigned crn = (iss >> 10) & 15u, crm = (iss >> 1) & 15u;
	bool read = iss & PVM_ISS_SYS_READ;
	bool debug = op0 == 2;
	/* The PMU's: CRn 9 with CRm 12..14 (any Op1 accepted), CRn 14 with Op1 3 and CRm 8..15. */
	bool pmu_any = op0 == 3 && ((crn == 9 && crm >= 12 && crm <= 14) ||
				    (op1 == 3 && crn == 14 && crm >= 8));
	/* ... of which those named in sysreg_trap.c (Op1 0 or 3 for CRn 9) must be RAZ/WI. */
	bool pmu = pmu_any && (crn == 14 || op1 == 0 || op1 == 3);
	bool id = read && op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7;
	bool sgi = !read && op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 == 5;

	if (PVM_ESR_EC(esr) != PVM_EC_SYS64) {
		if (got != PVM_SYSREG_UNDEF)
			die("sysreg policy for a syndrome that is not EC 0x18", esr, got);
		return;
	}
	if ((debug || pmu) && got != PVM_SYSREG_RAZ_WI)
		die("a debug or PMU register is not RAZ/WI", esr, got);
	if (got == PVM_SYSREG_RAZ_WI && !debug && !pmu_any)
		die("RAZ/WI for a register that is neither debug nor PMU", esr, got);
	if (id != (got == PVM_SYSREG_ID_REG))
		die("ID register policy is not exactly MRS of Op0 3 Op1 0 CRn 0 CRm 1..7", esr,
		    got);
	if (sgi != (got == PVM_SYSREG_SGI))
		die("SGI policy is not exactly MSR ICC_SGI1R_EL1", esr, got);
}

#define FIELD(shift) (0xfull << (shift))

/* The fields of each ID register the documentation says guests do not get. */
static uint64_t hidden(unsigned crm, unsigned op2)
{
	switch (crm << 3 | op2) {
	case 1 << 3 | 2: /* ID_DFR0_EL1: CopTrc, MMapTrc, MProfDbg, PerfMon, TraceFilt */
		return FIELD(12) | FIELD(16) | FIELD(20) | FIELD(24) | FIELD(28);
	case 4 << 3 | 0: /* ID_AA64PFR0_EL1: SVE, MPAM, AMU */
		return FIELD(32) | FIELD(40) | FIELD(44);
	case 4 << 3 | 1: /* ID_AA64PFR1_EL1: MTE, MPAM_frac, SME, MTE_frac, GCS */
		return FIELD(8) | FIELD(16) | FIELD(24) | FIELD(40) | FIELD(44);
	case 4 << 3 | 4: /* ID_AA64ZFR0_EL1 */
	case 4 << 3 | 5: /* ID_AA64SMFR0_EL1 */
	case 5 << 3 | 1: /* ID_AA64DFR1_EL1 */
	case 5 << 3 | 4: /* ID_AA64AFR0_EL1 */
	case 5 << 3 | 5: /* ID_AA64AFR1_EL1 */
		return ~0ull;
	case 5 << 3 | 0: /* ID_AA64DFR0_EL1: TraceVer, PMUVer, PMSVer, TraceFilt,
			    TraceBuffer, MTPMU, BRBE, PMU's HPMN0 */
		return FIELD(4) | FIELD(8) | FIELD(32) | FIELD(40) | FIELD(44) | FIELD(48) |
		       FIELD(52) | FIELD(60);
	default:
		return 0;
	}
}

static void check_id_value(uint64_t sel, uint64_t hw)
{
	unsigned crm = 1 + (unsigned)(sel % 7), op2 = (unsigned)(sel >> 8) & 7u;
	uint64_t got = pvm_sysreg_id_value(crm, op2, hw);

	if (got & hidden(crm, op2))
		die("an ID register shows a hidden feature", crm << 3 | op2, got);
	if (got != (hw & ~hidden(crm, op2)))
		die("an ID register does not pass the CPU's other fields through", crm << 3 | op2,
		    got);
}

#define FIPA 0x00000ffffffffff0ull

static void check_hpfar(uint64_t ipa, uint64_t far)
{
	uint64_t page = ipa & ((1ull << 52) - 1) & ~0xfffull, hpfar = pvm_hpfar_from_ipa(page);

	if (hpfar & ~FIPA)
		die("HPFAR_EL2 with bits outside FIPA", page, hpfar);
	if (pvm_hpfar_ipa(hpfar, far) != (page | (far & 0xfffull)))
		die("HPFAR round trip loses the IPA", page, far);
	/* The other way: any HPFAR, its FIPA back. */
	if (pvm_hpfar_from_ipa(pvm_hpfar_ipa(ipa, far)) != (ipa & FIPA))
		die("HPFAR round trip loses FIPA", ipa, far);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v[4] = {0};

	memcpy(v, data, size < sizeof(v) ? size : sizeof(v));
	check_decode(v[0], v[1]);
	check_decode(v[1], v[0]);
	check_policy(v[0]);
	check_policy(v[1]);
	check_dabt(v[3]);
	check_id_value(v[3], v[2]);
	check_hpfar(v[2], v[3]);
	return 0;
}
