/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interfaces of the EL2 port: boot, the EL2 stage-1 map, the
 * platform read from the device tree, the host and its traps.
 */
#ifndef PVM_EL2_H
#define PVM_EL2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpvm/mem.h>

#include "sysreg.h"

#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)

/* Linker symbols (el2.ld.in). */
extern char __image_start[], __image_end[];

/* The registers of the interrupted context, as vectors.S saves them. */
struct el2_frame {
	uint64_t x[31]; /* x0..x30 */
	uint64_t pad;
};

/* CPUs the hypervisor can run on (the device tree may list more: ignored). */
#define EL2_CPUS_MAX 4

/* What the device tree says about the machine (fdt_info.c). */
struct el2_platform {
	uint64_t mpidr[EL2_CPUS_MAX]; /* /cpus/cpu@N "reg": the affinity of each CPU */
	unsigned ncpus;
	uint64_t ram_base, ram_size; /* the memory bank holding the image */
	uint64_t uart;		     /* PL011 base */
	uint64_t gicd, gicd_size;    /* GICv3 distributor */
	uint64_t gicr, gicr_size;    /* GICv3 redistributors */
	const char *bootargs;	     /* /chosen/bootargs, or "" */
	const char *error;	     /* why parsing failed */
};

/*
 * One physical CPU as the hypervisor sees it (cpu.c); TPIDR_EL2 points at
 * the CPU's own while it runs at EL2. Each is written only by its CPU,
 * except the CPU_ON record, which a CPU_ON call fills under boot_lock for
 * the CPU it starts (psci.c).
 */
struct el2_cpu {
	uint64_t stack_top; /* its EL2 stack */
	uint64_t mpidr;	    /* its affinity, as the device tree and PSCI name it */
	unsigned index;
	volatile uint32_t *gicr_sgi; /* its redistributor's SGI/PPI frame (vgic.c) */
	/* CPU_ON: the host's entry point and context id, taken by the started CPU. */
	uint32_t boot_lock; /* 1 from a CPU_ON's record until the started CPU took it */
	uint64_t on_entry, on_ctx;
	/* CPU_SUSPEND to a power-down state: where the host resumes, if it does here. */
	bool suspending;
	uint64_t suspend_entry, suspend_ctx;
};
extern struct el2_cpu el2_cpus[EL2_CPUS_MAX];
extern unsigned el2_ncpus;

static inline struct el2_cpu *el2_this_cpu(void)
{
	return (struct el2_cpu *)(uintptr_t)read_sysreg(tpidr_el2);
}

/* cpu.c: the CPUs of the device tree; the boot CPU's TPIDR_EL2. */
void el2_cpus_init(const struct el2_platform *p);
/* The CPU of that affinity (exactly: no other MPIDR bits), or NULL. */
struct el2_cpu *el2_cpu_by_mpidr(uint64_t mpidr);
/* boot.S: where a CPU started by the firmware for us enters, x0 = its struct el2_cpu. */
void el2_secondary_entry(void);
/* cpu.c, from boot.S with the MMU on and the CPU's stack: set it up, enter the host. */
void el2_cpu_main(struct el2_cpu *c) __attribute__((noreturn));

/* psci.c: the host's PSCI call (function ID in f->x[0]); the answer in f->x[0]. */
bool el2_psci_host_call(struct el2_frame *f);
/* At boot: what the firmware offers (its version, CPU_SUSPEND's power_state format). */
void el2_psci_init(void);

/* The hypervisor: the one struct pvm_hyp of this machine (in the carve-out). */
extern struct pvm_hyp *el2_hyp;
/* Managed RAM and the carve-out, as given to pvm_hyp_init(). */
extern struct pvm_hyp_config el2_hyp_cfg;

/* mmu.c: before the MMU is on. Returns the DTB address, or 0 if there is none. */
uint64_t el2_mmu_boot(uint64_t x0);
/*
 * mmu.c: the EL2 translation registers of the boot CPU, for the others to
 * load before their MMU is on (boot.S): cleaned to the point of coherency.
 */
struct el2_mmu_regs {
	uint64_t mair, tcr, ttbr0, sctlr;
};
extern struct el2_mmu_regs el2_mmu_regs;
/* mmu.c: identity-map [pa, pa+size) at EL2, Normal WB or Device-nGnRE. 0 or -1. */
int el2_mmu_map(uint64_t pa, uint64_t size, bool device);

/* fdt_info.c: read memory, UART, GIC and boot arguments. 0 or -1 (see p->error). */
int el2_fdt_parse(const void *fdt, struct el2_platform *p);
/*
 * 0 if the device tree's structure block is sound to walk (fdt_check.c):
 * version 17 or later, every tag inside the block and moving forward,
 * names and values inside their blocks, nodes balanced under one root,
 * FDT_END last. Call after fdt_check_header().
 */
int el2_fdt_check(const void *fdt);

/* main.c */
void el2_main(const void *fdt);
/* Print "el2: FAIL: ..." and power the machine off (never returns). */
void el2_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* A firmware call (PSCI) through SMC: QEMU's virt machine implements PSCI
 * itself with the SMC conduit when it runs EL2 (virtualization=on). */
uint64_t el2_smc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);

/* attest.c: read "pvm.uds=<hex>" from the boot arguments (false: none, UDS
 * all zero) and hide it there; then pvm_attest_init() and print the root key;
 * after the host sealed a VM, print its evidence if the boot gave a challenge. */
bool el2_attest_uds(const char *bootargs, uint8_t uds[32]);
void el2_attest_init(const char *bootargs, uint8_t uds[32], bool provisioned);
void el2_attest_sealed(unsigned vm);
/* crypto_heap.c: give mbedtls its arena (before any pvm_crypto_* call). */
void el2_crypto_heap_init(void);

/* host.c */
void el2_host_start(const struct el2_platform *p) __attribute__((noreturn));
/* This CPU's EL2 registers for running the host (its stage-2, traps, timer, GIC). */
void el2_host_cpu_init(void);
void el2_host_sync(struct el2_frame *f);
/* vectors.S: drop to the host at EL1h (interrupts masked) with x0..x4 set. */
void el2_eret_host(uint64_t entry, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x4)
	__attribute__((noreturn));

/* vgic.c: the GICv3 virtual CPU interface and the virtual timer of the world switch. */
struct pvm_vcpu_ctx;
/* On each CPU: ICC_SRE_EL2, the list registers, and this CPU's redistributor among
 * those of [gicr, gicr + size) (the one whose GICR_TYPER names its affinity). */
void el2_vgic_init(struct el2_cpu *c, uint64_t gicr, uint64_t size);
/* Before a guest runs (its CNTV_* loaded): list registers from ctx, timer PPI 27 linked. */
void el2_vgic_load(struct pvm_vcpu_ctx *ctx);
/* After it stopped: what is left in the list registers, VMCR, active priorities. */
void el2_vgic_save(struct pvm_vcpu_ctx *ctx);
/* After a physical IRQ stopped it: true if that was only the guest's own timer. */
bool el2_vgic_timer_irq(void);

/* vectors.S -> C: kind = 4 * {cur SP0, cur SPx, lower A64, lower A32} + {sync, irq, fiq, serror} */
void el2_exception(unsigned kind, struct el2_frame *f);

#endif /* PVM_EL2_H */
