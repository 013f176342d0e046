/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host: started at EL1 behind its identity stage-2 (built by
 * pvm_hyp_init()), and served here when it traps to EL2. It reaches the
 * hypervisor only through HVC (or SMC, trapped by HCR_EL2.TSC); a stage-2
 * fault means it touched memory it does not own, and it gets a synchronous
 * external abort, as pKVM gives a host touching a protected page.
 */
#include <libpvm/abi.h>
#include <libpvm/arch.h>
#include <libpvm/esr.h>
#include <libpvm/host_call.h>
#include <libpvm/stage2.h>

#include <string.h>

#include "el2.h"
#include "print.h"

#define CPTR_EL2_RES1	 0x33ffull /* TFP (10) and TTA (20) clear: FP/SIMD not trapped */
#define CNTHCTL_EL1PCTEN (1ull << 0)
#define CNTHCTL_EL1PCEN	 (1ull << 1)

/* The first 16 bytes of the host binary: a branch, then its size (its start.S says so too). */
struct host_header {
	uint32_t branch, reserved;
	uint64_t size; /* bytes from the start to the end of its BSS */
};

extern const char el2_host_blob[], el2_host_blob_end[];

/* Memory the host owns: managed RAM outside the carve-out. */
static bool host_owned(uint64_t base, uint64_t size)
{
	uint64_t lo = el2_hyp_cfg.ram_base, hi = el2_hyp_cfg.hyp_base;

	return base >= lo && base <= hi && size <= hi - base;
}

static bool has_pauth(void)
{
	uint64_t isar1 = read_sysreg(id_aa64isar1_el1);

	/* APA (7:4), API (11:4), GPA (27:24), GPI (31:28). */
	return (isar1 & 0xff000ff0ull) != 0;
}

static void host_mmio(uint64_t base, uint64_t size, const char *what)
{
	size_t need = 0;
	pvm_status_t ret;

	size = (size + PVM_PAGE_SIZE - 1) & ~(uint64_t)(PVM_PAGE_SIZE - 1);
	ret = pvm_mem_host_mmio_map(el2_hyp, pvm_pa(base), size, &need);
	if (ret)
		el2_panic("host stage-2: cannot map %s: %s", what, pvm_strerror(ret));
}

/*
 * Run the host on this CPU (the boot CPU before the host starts, each
 * other CPU before it enters the host's CPU_ON entry point): its identity
 * stage-2, its traps, its timer and counter, its MPIDR.
 */
void el2_host_cpu_init(void)
{
	uint64_t hcr;

	/*
	 * IMO/FMO clear: the host's physical interrupts are taken at its EL1
	 * and its ICC_* accesses reach the physical CPU interface; guests run
	 * with them set (the core's HCR_EL2).
	 */
	hcr = PVM_HCR_VM | PVM_HCR_SWIO | PVM_HCR_AMO | PVM_HCR_DC | PVM_HCR_TSC | PVM_HCR_RW;
	if (has_pauth())
		hcr |= PVM_HCR_APK | PVM_HCR_API;
	write_sysreg(pvm_mem_host_vtcr(el2_hyp), vtcr_el2);
	write_sysreg(pvm_mem_host_vttbr(el2_hyp), vttbr_el2);
	write_sysreg(hcr, hcr_el2);
	write_sysreg(CPTR_EL2_RES1, cptr_el2);
	write_sysreg(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, cnthctl_el2);
	write_sysreg(0, cntvoff_el2);
	write_sysreg(read_sysreg(midr_el1), vpidr_el2);
	write_sysreg(read_sysreg(mpidr_el1), vmpidr_el2);
	/* HPMN = all counters for EL1; nothing else trapped. */
	write_sysreg((read_sysreg(pmcr_el0) >> 11) & 0x1f, mdcr_el2);
	write_sysreg(PVM_SCTLR_EL1_RESET, sctlr_el1); /* MMU and caches off */
	write_sysreg(0, cpacr_el1);
	write_sysreg(0, vbar_el1);
	isb();
	/* This CPU's TLB entries of the host's VMID, from whatever ran before. */
	__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh\n\tisb" : : : "memory");
}

void el2_host_start(const struct el2_platform *p)
{
	const struct host_header *h = (const void *)el2_host_blob;
	uint64_t blob = (uint64_t)(el2_host_blob_end - el2_host_blob);
	void *dst = (void *)(uintptr_t)PVM_EL2_HOST_ADDR;
	size_t args = strlen(p->bootargs) + 1;

	if (blob < sizeof(*h) || h->size < blob || !host_owned(PVM_EL2_HOST_ADDR, h->size + args))
		el2_panic("host program [0x%llx, +0x%lx) is not in host memory [0x%lx, 0x%lx)",
			  PVM_EL2_HOST_ADDR, h->size + args, el2_hyp_cfg.ram_base,
			  el2_hyp_cfg.hyp_base);
	memcpy(dst, el2_host_blob, blob);
	/*
	 * The boot arguments, for the host (the challenge of its tests): a copy
	 * after its BSS, since the DTB is not in its stage-2. The device secret
	 * in them is already masked (el2_attest_uds()).
	 */
	memcpy((char *)dst + h->size, p->bootargs, args);
	/* The host starts with its MMU off: its code must be in memory, not just in our cache. */
	pvm_port_dcache_clean_poc(dst, h->size + args);
	__asm__ volatile("ic iallu" : : : "memory");
	dsb(ish);
	isb();

	/*
	 * The host's MMIO windows: its console, and the GIC's distributor and
	 * redistributors, which the host owns as in pKVM. Port policy, not an
	 * ownership transition (pvm_mem_check() does not know host MMIO yet).
	 */
	host_mmio(p->uart, PVM_PAGE_SIZE, "the UART");
	host_mmio(p->gicd, p->gicd_size, "the GIC distributor");
	host_mmio(p->gicr, p->gicr_size, "the GIC redistributors");
	el2_psci_init();
	el2_host_cpu_init();
	print("el2: starting the host at EL1, 0x%llx, HCR_EL2 0x%lx\n", PVM_EL2_HOST_ADDR,
	      read_sysreg(hcr_el2));
	el2_eret_host(PVM_EL2_HOST_ADDR, 0, p->uart, PVM_EL2_HOST_ADDR + h->size, p->gicd, p->gicr);
}

/*
 * Deliver a synchronous exception to the host's EL1, as the CPU would: the
 * port's twin of the core's vcpu_inject_sync() for guests.
 */
static void host_inject(uint64_t esr_el1, uint64_t far)
{
	uint64_t spsr = read_sysreg(spsr_el2);
	unsigned off = pvm_arch_el1_vector(spsr);

	esr_el1 = pvm_arch_el1_esr(esr_el1, off);
	write_sysreg(esr_el1, esr_el1);
	write_sysreg(far, far_el1);
	write_sysreg(read_sysreg(elr_el2), elr_el1);
	write_sysreg(spsr, spsr_el1);
	write_sysreg(read_sysreg(vbar_el1) + off, elr_el2);
	write_sysreg(PVM_PSTATE_EL1H_MASKED, spsr_el2);
}

static void host_abort(uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2);
	uint64_t ipa = pvm_hpfar_ipa(read_sysreg(hpfar_el2), far);
	bool iabt = PVM_ESR_EC(esr) == PVM_EC_IABT_LOW;
	unsigned fsc = esr & PVM_FSC_TYPE_MASK;
	pvm_prot_t access = iabt ? PVM_PROT_X : (esr & PVM_ISS_WNR) ? PVM_PROT_W : PVM_PROT_R;
	struct pvm_page_info info;
	int owner = -1;

	/*
	 * A stage-2 fault on an access the host's stage-2 grants (once the
	 * memory lock is free) raced a transition on another CPU, whose
	 * break-before-make left the entry invalid for a moment: the host
	 * runs the instruction again (ELR_EL2 still points at it).
	 */
	if ((fsc == PVM_FSC_TRANS_ANY || fsc == PVM_FSC_AF_ANY || fsc == PVM_FSC_PERM_ANY) &&
	    pvm_mem_host_fault(el2_hyp, pvm_pa(ipa), access) == PVM_OK)
		return;
	if (!pvm_mem_page(el2_hyp, pvm_pa(ipa), &info))
		owner = (int)info.owner;
	print("el2: host %s abort at IPA 0x%lx (page owner %d): injecting a synchronous external "
	      "abort\n",
	      iabt ? "instruction" : "data", ipa, owner);
	host_inject(((uint64_t)(iabt ? PVM_EC_IABT_LOW : PVM_EC_DABT_LOW) << PVM_ESR_EC_SHIFT) |
			    (esr & PVM_ESR_IL) | PVM_FSC_EXTABT | (iabt ? 0 : esr & PVM_ISS_WNR),
		    far);
}

/* An SMCCC call from the host, through HVC #0 or a trapped SMC #0. */
static void host_call(struct el2_frame *f)
{
	uint64_t fn = f->x[0];

	if (fn >= PVM_HC_BASE && fn < PVM_HC_END) {
		uint64_t vm = f->x[1];

		pvm_host_call(el2_hyp, f->x);
		if (fn == PVM_HC_VM_SEAL && f->x[0] == PVM_OK)
			el2_attest_sealed((unsigned)vm);
	} else if (fn == SMCCC_VERSION) {
		f->x[0] = SMCCC_VERSION_1_1;
	} else if (!el2_psci_host_call(f)) {
		/* Nothing else reaches the firmware (psci.c says why). */
		f->x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
	}
}

void el2_host_sync(struct el2_frame *f)
{
	uint64_t esr = read_sysreg(esr_el2);
	unsigned ec = PVM_ESR_EC(esr);

	switch (ec) {
	case PVM_EC_SMC64:
		/* A trapped SMC returns to the SMC itself: step over it, then as HVC. */
		write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
		__attribute__((fallthrough));
	case PVM_EC_HVC64:
		/* SMCCC uses immediate 0; ELR_EL2 is past the HVC. */
		if ((esr & 0xffff) == 0)
			host_call(f);
		else
			f->x[0] = (uint64_t)(int64_t)SMCCC_RET_NOT_SUPPORTED;
		return;
	case PVM_EC_DABT_LOW:
	case PVM_EC_IABT_LOW:
		host_abort(esr);
		return;
	default:
		print("el2: host trap ESR_EL2 0x%lx at 0x%lx: injecting an undefined instruction\n",
		      esr, read_sysreg(elr_el2));
		host_inject(PVM_ESR_IL, 0);
		return;
	}
}
