/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The port hooks of libpvm/port.h on the hardware, at EL2 (non-VHE:
 * HCR_EL2.E2H = 0). docs/porting.md says what each must guarantee.
 */
#include <libpvm/port.h>

#include "el2.h"
#include "print.h"
#include "spinlock.h"

/* The hypervisor's stage-1 is an identity map of RAM (mmu.c). */
void *pvm_port_phys_to_virt(pvm_paddr_t pa)
{
	return (void *)(uintptr_t)pvm_pa_val(pa);
}

pvm_paddr_t pvm_port_virt_to_phys(const void *va)
{
	return pvm_pa((uint64_t)(uintptr_t)va);
}

/*
 * TLBI IPAS2E1IS and VMALLS12E1IS act on the VMID in VTTBR_EL2 at the time:
 * load the one asked for, invalidate, put the current one back. Interrupts
 * are masked at EL2 (nothing unmasks them), so nothing runs in between.
 */
static uint64_t vmid_load(uint16_t vmid)
{
	uint64_t old = read_sysreg(vttbr_el2);

	write_sysreg((uint64_t)vmid << 48, vttbr_el2);
	isb();
	return old;
}

static void vmid_restore(uint64_t vttbr)
{
	write_sysreg(vttbr, vttbr_el2);
	isb();
}

/*
 * The level hint is not used for the TTL field (FEAT_TTL): the core passes
 * the level of the entry it changed, which can be a table entry whose
 * subtree's leaves sit lower, and a TTL naming the wrong leaf level makes
 * the invalidation miss them. Without TTL every level is invalidated.
 */
/*
 * The TTL field of a TLBI by IPA (operand bits 47:44), with FEAT_TTL
 * (ID_AA64MMFR2_EL1.TTL, bits 51:48): 0b01 for the 4 KiB granule, then the
 * level of the leaf that changed, so the CPU may skip the other levels.
 * Stage-2 leaves are at levels 1 to 3; anything else gives no hint (0).
 */
static uint64_t ttl_hint(unsigned level)
{
	static int have_ttl = -1; /* every CPU reads the same value: a race is harmless */

	if (have_ttl < 0)
		have_ttl = ((read_sysreg(id_aa64mmfr2_el1) >> 48) & 0xf) != 0;
	if (!have_ttl || level < 1 || level > 3)
		return 0;
	return (uint64_t)(0x4u | level) << 44;
}

void pvm_port_tlbi_ipa(uint16_t vmid, pvm_ipa_t ipa, unsigned level)
{
	uint64_t old;

	dsb(ishst); /* the descriptor write reaches the walker before the TLBI */
	old = vmid_load(vmid);
	__asm__ volatile("tlbi ipas2e1is, %0"
			 :
			 : "r"((pvm_ipa_val(ipa) >> 12) | ttl_hint(level))
			 : "memory");
	dsb(ish);
	/* Combined stage-1+2 entries are not tagged by IPA: drop the VMID's stage-1 ones. */
	__asm__ volatile("tlbi vmalle1is" : : : "memory");
	dsb(ish);
	vmid_restore(old);
}

void pvm_port_tlbi_vmid(uint16_t vmid)
{
	uint64_t old;

	dsb(ishst);
	old = vmid_load(vmid);
	__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	dsb(ish);
	vmid_restore(old);
}

/* The host runs on the host stage-2 itself (VTTBR_EL2 when it runs): nothing to follow. */
void pvm_port_host_access(pvm_paddr_t pa, uint64_t size, pvm_prot_t prot)
{
	(void)pa;
	(void)size;
	(void)prot;
}

/*
 * Data cache maintenance by VA over [va, va + size), by the smallest data
 * cache line (CTR_EL0.DminLine, log2 of words): earlier stores to the range
 * are ordered before (DSB ISH) and the maintenance completes before
 * anything after (DSB SY).
 */
#define DC_RANGE(op, va, size)                                                                     \
	do {                                                                                       \
		uint64_t line_ = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);                     \
		uint64_t a_ = (uint64_t)(uintptr_t)(va) & ~(line_ - 1);                            \
		uint64_t end_ = (uint64_t)(uintptr_t)(va) + (size);                                \
		if (!(size))                                                                       \
			break;                                                                     \
		dsb(ish);                                                                          \
		for (; a_ < end_; a_ += line_)                                                     \
			__asm__ volatile("dc " op ", %0" : : "r"(a_) : "memory");                  \
		dsb(sy);                                                                           \
	} while (0)

void pvm_port_dcache_clean_poc(void *va, size_t size)
{
	DC_RANGE("cvac", va, size);
}

void pvm_port_dcache_clean_inval_poc(void *va, size_t size)
{
	DC_RANGE("civac", va, size);
}

/*
 * CTR_EL0.DIC (bit 29) set: instruction caches need no invalidation for
 * coherence with data. Otherwise IC IVAU by the smallest instruction line
 * (CTR_EL0.IminLine), broadcast to the Inner Shareable domain, then DSB and
 * ISB. The instructions reached the PoC already (the clean before this).
 */
void pvm_port_icache_inval_pou(void *va, size_t size)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uint64_t line = 4ull << (ctr & 0xf);
	uint64_t a = (uint64_t)(uintptr_t)va & ~(line - 1), end = (uint64_t)(uintptr_t)va + size;

	if (!size || (ctr & (1ull << 29)))
		return;
	for (; a < end; a += line)
		__asm__ volatile("ic ivau, %0" : : "r"(a) : "memory");
	dsb(ish);
	__asm__ volatile("isb" : : : "memory");
}

/* common/spinlock.h: LDAXR/STXR with WFE, released by STLR. */
void pvm_port_lock(pvm_lock_t *lock)
{
	spin_lock(&lock->word);
}

void pvm_port_unlock(pvm_lock_t *lock)
{
	spin_unlock(&lock->word);
}

/* The word says only that someone holds it, not which CPU. */
bool pvm_port_lock_held(const pvm_lock_t *lock)
{
	return __atomic_load_n(&lock->word, __ATOMIC_RELAXED) != 0;
}

/* The console line, then PSCI SYSTEM_OFF: no CPU runs on with half a state. */
_Noreturn void pvm_port_panic(const char *why)
{
	el2_panic("libpvm: panic: %s", why);
}

/* The world switch takes virtual IRQs from the core's bitmap: queue them all. */
pvm_status_t pvm_port_vcpu_irq(unsigned vm, unsigned index, unsigned intid, bool *queue)
{
	(void)vm;
	(void)index;
	(void)intid;
	*queue = true;
	return PVM_OK;
}

/* One MRS per encoding: the register is part of the instruction. */
#define ID_REG(crm, op2)                                                                           \
	case crm << 3 | op2:                                                                       \
		return read_sysreg(S3_0_C0_C##crm##_##op2);
#define ID_REGS(crm)                                                                               \
	ID_REG(crm, 0)                                                                             \
	ID_REG(crm, 1)                                                                             \
	ID_REG(crm, 2)                                                                             \
	ID_REG(crm, 3)                                                                             \
	ID_REG(crm, 4) ID_REG(crm, 5) ID_REG(crm, 6) ID_REG(crm, 7)

uint64_t pvm_port_id_reg(unsigned crm, unsigned op2)
{
	switch (crm << 3 | op2) {
		ID_REGS(1)
		ID_REGS(2)
		ID_REGS(3)
		ID_REGS(4)
		ID_REGS(5)
		ID_REGS(6)
		ID_REGS(7)
	default:
		return 0;
	}
}
