/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trap syndromes: ESR_EL2 decoded into what the run loop acts on, and the
 * inverse for ports that synthesise stage-2 aborts.
 *
 * Only AArch64 guests at EL1/EL0 are supported; anything else decodes as
 * unhandled and the guest gets an UNDEF, as on a CPU without the feature.
 */
#include <libpvm/esr.h>

#include <string.h>

static void decode_abort(uint32_t iss, bool data, struct pvm_esr_info *info)
{
	unsigned fsc = iss & PVM_ISS_FSC_MASK;

	info->cls = data ? PVM_TC_DABT : PVM_TC_IABT;
	info->s1ptw = !!(iss & PVM_ISS_S1PTW);
	info->fault_level = fsc & 3u;
	switch (fsc & PVM_FSC_TYPE_MASK) {
	case PVM_FSC_TRANS_ANY:
		info->fault = PVM_FT_TRANSLATION;
		break;
	case PVM_FSC_PERM_ANY:
		info->fault = PVM_FT_PERMISSION;
		break;
	case PVM_FSC_ADDR_SIZE_ANY:
		info->fault = PVM_FT_ADDR_SIZE;
		break;
	case PVM_FSC_AF_ANY:
		info->fault = PVM_FT_ACCESS_FLAG;
		break;
	default:
		info->fault = PVM_FT_OTHER;
		info->fault_level = 0;
		break;
	}
	if (!data)
		return;
	info->write = !!(iss & PVM_ISS_WNR);
	info->cm = !!(iss & PVM_ISS_CM);
	/*
	 * ISV is only meaningful for a single general-purpose register load or
	 * store; the architecture leaves bits 23:14 RES0 otherwise, so they are
	 * not read unless ISV says so.
	 */
	info->isv = !!(iss & PVM_ISS_ISV);
	if (info->isv) {
		info->size = (uint8_t)(1u << ((iss >> PVM_ISS_SAS_SHIFT) & 3u));
		info->sse = !!(iss & PVM_ISS_SSE);
		info->srt = (uint8_t)((iss >> PVM_ISS_SRT_SHIFT) & 31u);
		info->sf = !!(iss & PVM_ISS_SF);
	}
}

pvm_status_t pvm_esr_decode(uint64_t esr, struct pvm_esr_info *info)
{
	uint32_t iss = (uint32_t)(esr & PVM_ESR_ISS_MASK);

	if (!info)
		return PVM_E_INVAL;
	memset(info, 0, sizeof(*info));
	switch (PVM_ESR_EC(esr)) {
	case PVM_EC_HVC64:
		info->cls = PVM_TC_HVC;
		info->imm16 = (uint16_t)iss;
		break;
	case PVM_EC_SMC64:
		info->cls = PVM_TC_SMC;
		info->imm16 = (uint16_t)iss;
		break;
	case PVM_EC_WFX:
		/* TI[1:0]: bit 0 set means WFE/WFET, clear WFI/WFIT. */
		info->cls = (iss & 1u) ? PVM_TC_WFE : PVM_TC_WFI;
		break;
	case PVM_EC_SYS64:
		info->cls = PVM_TC_SYSREG;
		info->sys_read = !!(iss & PVM_ISS_SYS_READ);
		info->sys_rt = (uint8_t)((iss >> 5) & 31u);
		/* Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, CRm 4:1. */
		info->sys_id = (iss & 0x3ffc1eu);
		break;
	case PVM_EC_DABT_LOW:
		decode_abort(iss, true, info);
		break;
	case PVM_EC_IABT_LOW:
		decode_abort(iss, false, info);
		break;
	case PVM_EC_HVC32:
	case PVM_EC_SMC32:
		info->cls = PVM_TC_AARCH32;
		break;
	default:
		info->cls = PVM_TC_UNHANDLED;
		break;
	}
	return PVM_OK;
}

uint64_t pvm_esr_dabt(unsigned fsc, bool write, unsigned size, unsigned srt, bool sse, bool sf)
{
	uint64_t esr = ((uint64_t)PVM_EC_DABT_LOW << PVM_ESR_EC_SHIFT) | PVM_ESR_IL |
		       (fsc & PVM_ISS_FSC_MASK);
	unsigned sas = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;

	if (write)
		esr |= PVM_ISS_WNR;
	if (srt < 32) {
		esr |= PVM_ISS_ISV | ((uint64_t)sas << PVM_ISS_SAS_SHIFT) |
		       ((uint64_t)srt << PVM_ISS_SRT_SHIFT);
		if (sse)
			esr |= PVM_ISS_SSE;
		if (sf)
			esr |= PVM_ISS_SF;
	}
	return esr;
}
