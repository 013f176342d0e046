/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hypervisor's boot, once boot.S and el2_mmu_boot() have a stack, a
 * clean BSS and the MMU on: read the device tree, open the console, map
 * RAM and devices, hand managed memory to the core (pvm_hyp_init()), start
 * the host. Also the exception dispatcher and the fatal-error path.
 */
#include <libpvm/stage2.h>
#include <libpvm/abi.h>

#include <string.h>

#include "bootargs.h"
#include "el2.h"
#include "pl011.h"
#include "print.h"

/* Pool pages in the carve-out beyond the hypervisor object, the metadata and the host's root. */
#define CARVEOUT_POOL_PAGES 256

struct pvm_hyp *el2_hyp;
struct pvm_hyp_config el2_hyp_cfg;
extern uintptr_t __stack_chk_guard;

void el2_panic(const char *fmt, ...)
{
	va_list ap;

	print_lock();
	print("el2: FAIL: ");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	print("\n");
	print_unlock();
	/* Stop the machine: power off (QEMU exits), or wait forever if that fails. */
	el2_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfe");
}

void el2_exception(unsigned kind, struct el2_frame *f)
{
	static const char *const where[] = {"EL2 (SP_EL0)", "EL2", "the host (AArch64)",
					    "the host (AArch32)"};
	static const char *const what[] = {"synchronous exception", "IRQ", "FIQ", "SError"};

	if (kind == 8) {
		el2_host_sync(f);
		return;
	}
	/*
	 * The host takes its interrupts at its own EL1 (HCR_EL2.IMO/FMO clear),
	 * a guest's stop it through world.S's vectors: nothing else comes here.
	 */
	el2_panic("unexpected %s from %s: ESR_EL2=0x%lx FAR_EL2=0x%lx ELR_EL2=0x%lx "
		  "SPSR_EL2=0x%lx HPFAR_EL2=0x%lx",
		  what[kind & 3], where[(kind >> 2) & 3], read_sysreg(esr_el2),
		  read_sysreg(far_el2), read_sysreg(elr_el2), read_sysreg(spsr_el2),
		  read_sysreg(hpfar_el2));
}

static unsigned pa_bits(void)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48};
	uint64_t r = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return r < 6 ? bits[r] : 48; /* 52-bit PAs (FEAT_LPA) not used */
}

/*
 * Managed memory: the RAM bank above the image (2 MiB aligned, so that the
 * host's stage-2 starts with blocks); the carve-out at its top. RAM below
 * the image (QEMU's DTB for an ELF boot) is nobody's: not managed, not in
 * the host's stage-2.
 */
static void mem_init(const struct el2_platform *p)
{
	uint64_t base = ((uint64_t)(uintptr_t)__image_end + SZ_2M - 1) & ~(SZ_2M - 1);
	uint64_t end = p->ram_base + p->ram_size, carve;
	unsigned bits = pa_bits();
	size_t need = 0;
	pvm_status_t ret;

	if ((end & (PVM_PAGE_SIZE - 1)) || end <= base + 4 * SZ_2M || (end - 1) >> bits)
		el2_panic("RAM [0x%lx, 0x%lx) is too small, misaligned or beyond %u PA bits",
			  p->ram_base, end, bits);
	carve = pvm_hyp_carveout_pages(end - base, bits);
	carve = (carve + CARVEOUT_POOL_PAGES) * PVM_PAGE_SIZE;
	carve = (carve + SZ_2M - 1) & ~(SZ_2M - 1);
	el2_hyp_cfg = (struct pvm_hyp_config){
		.ram_base = base,
		.ram_size = end - base,
		.hyp_base = (end - carve) & ~(SZ_2M - 1),
		.hyp_size = end - ((end - carve) & ~(SZ_2M - 1)),
		.pa_bits = bits,
	};
	ret = pvm_hyp_init(&el2_hyp_cfg, &el2_hyp, &need);
	if (ret)
		el2_panic("pvm_hyp_init: %s (need %zu pages)", pvm_strerror(ret), need);
	print("el2: managed RAM [0x%lx, 0x%lx), carve-out [0x%lx, 0x%lx), PA bits %u, "
	      "host stage-2 VTTBR 0x%lx VTCR 0x%lx\n",
	      el2_hyp_cfg.ram_base, end, el2_hyp_cfg.hyp_base, end, bits,
	      pvm_mem_host_vttbr(el2_hyp), pvm_mem_host_vtcr(el2_hyp));
}

void el2_main(const void *fdt)
{
	struct el2_platform plat = {0};
	uint8_t uds[32];
	bool provisioned;
	int bad;

	/* Not a secret (the counter is guessable): it catches accidents, not attacks. */
	__stack_chk_guard ^= read_sysreg(cntpct_el0) * 0x9e3779b97f4a7c15ull;
	bad = el2_fdt_parse(fdt, &plat);
	if (!plat.uart || el2_mmu_map(plat.uart, PVM_PAGE_SIZE, true))
		el2_panic("device tree: %s", plat.error); /* no console: silent */
	pl011_init((uintptr_t)plat.uart);
	print("\nel2: libpvm EL2 port, CurrentEL %lu, image [%p, %p), device tree at %p\n",
	      read_sysreg(CurrentEL) >> 2, (void *)__image_start, (void *)__image_end, fdt);
	if (bad)
		el2_panic("device tree: %s", plat.error);
	/* Before the boot arguments are printed: this hides the secret in them. */
	provisioned = el2_attest_uds(plat.bootargs, uds);
	print("el2: RAM [0x%lx, 0x%lx), PL011 at 0x%lx, GICv3 distributor 0x%lx, "
	      "redistributors 0x%lx, bootargs \"%s\"\n",
	      plat.ram_base, plat.ram_base + plat.ram_size, plat.uart, plat.gicd, plat.gicr,
	      plat.bootargs);
	if (el2_mmu_map(plat.ram_base, plat.ram_size, false) ||
	    el2_mmu_map(plat.gicd, plat.gicd_size, true) ||
	    el2_mmu_map(plat.gicr, plat.gicr_size, true))
		el2_panic("EL2 stage-1: cannot map RAM and devices (VA 39 bits, 16 tables)");
	mem_init(&plat);
	el2_cpus_init(&plat);
	el2_attest_init(plat.bootargs, uds, provisioned);
	el2_host_start(&plat);
}
