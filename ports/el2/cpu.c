/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The physical CPUs. A vendor hypervisor has to de-privilege every CPU of
 * the host, as pKVM does, so each CPU the host starts comes up in the
 * hypervisor first: the host's PSCI CPU_ON (trapped, psci.c) is forwarded
 * to the firmware with the hypervisor's entry point (boot.S,
 * el2_secondary_entry) and this CPU's struct el2_cpu as the context id.
 * The new CPU loads the boot CPU's EL2 translation, takes its own stack
 * and TPIDR_EL2, and el2_cpu_main() sets up what is per CPU — its GIC
 * virtual CPU interface and redistributor, the EL2 registers that run the
 * host behind its stage-2 (the same tables on every CPU), its timer — and
 * only then drops to the host's entry point at EL1 with the host's context
 * id in x0. The resume from a power-down CPU_SUSPEND takes the same path.
 *
 * Per-CPU state lives here (struct el2_cpu) or on the CPU's EL2 stack
 * (the world switch's saved host, world.c); what every CPU shares is the
 * core's (under its locks), the EL2 page tables (written only at boot),
 * the console (print_lock()) and mbedtls's arena (crypto_heap.c).
 */
#include <libpvm/port.h>

#include "el2.h"
#include "print.h"

#define STACK_SIZE 16384
#define AFF_MASK   0xff00ffffffull /* MPIDR_EL1's Aff3..Aff0 */

struct el2_cpu el2_cpus[EL2_CPUS_MAX];
unsigned el2_ncpus;
extern char el2_stack_top[]; /* boot.S: the boot CPU's */
static uint8_t stacks[EL2_CPUS_MAX][STACK_SIZE] __attribute__((aligned(16), section(".bss.pages")));
static uint64_t gicr_base, gicr_size;

struct el2_cpu *el2_cpu_by_mpidr(uint64_t mpidr)
{
	for (unsigned i = 0; i < el2_ncpus; i++)
		if (el2_cpus[i].mpidr == mpidr)
			return &el2_cpus[i];
	return NULL;
}

void el2_cpus_init(const struct el2_platform *p)
{
	struct el2_cpu *me;
	unsigned i;

	gicr_base = p->gicr;
	gicr_size = p->gicr_size;
	el2_ncpus = p->ncpus;
	for (i = 0; i < el2_ncpus; i++) {
		el2_cpus[i].mpidr = p->mpidr[i];
		el2_cpus[i].index = i;
		el2_cpus[i].stack_top = (uint64_t)(uintptr_t)(stacks[i] + STACK_SIZE);
	}
	me = el2_cpu_by_mpidr(read_sysreg(mpidr_el1) & AFF_MASK);
	if (!me)
		el2_panic("the boot CPU (MPIDR 0x%lx) is not among the first %u of /cpus",
			  read_sysreg(mpidr_el1), el2_ncpus);
	/* The boot CPU stays on boot.S's stack: its own is never used. */
	me->stack_top = (uint64_t)(uintptr_t)el2_stack_top;
	write_sysreg((uint64_t)(uintptr_t)me, tpidr_el2);
	/* Read by the other CPUs with their MMU and caches off (boot.S). */
	pvm_port_dcache_clean_poc(&el2_mmu_regs, sizeof(el2_mmu_regs));
	el2_vgic_init(me, gicr_base, gicr_size);
	print("el2: %u CPUs in the device tree (up to %u used), booted on CPU %u (MPIDR 0x%lx)\n",
	      p->ncpus, EL2_CPUS_MAX, me->index, me->mpidr);
}

void el2_cpu_main(struct el2_cpu *c)
{
	uint64_t entry, ctx;

	el2_vgic_init(c, gicr_base, gicr_size);
	el2_host_cpu_init();
	if (c->suspending) {
		entry = c->suspend_entry;
		ctx = c->suspend_ctx;
		c->suspending = false;
	} else {
		entry = c->on_entry;
		ctx = c->on_ctx;
		/* The record is taken: the next CPU_ON of this CPU may write it. */
		__atomic_store_n(&c->boot_lock, 0, __ATOMIC_RELEASE);
	}
	print("el2: CPU %u (MPIDR 0x%lx) up at EL2, entering the host at 0x%lx (x0 0x%lx)\n",
	      c->index, c->mpidr, entry, ctx);
	el2_eret_host(entry, ctx, 0, 0, 0, 0);
}
