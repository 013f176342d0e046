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

/* What the device tree says about the machine (fdt_info.c). */
struct el2_platform {
	uint64_t ram_base, ram_size; /* the memory bank holding the image */
	uint64_t uart;		     /* PL011 base */
	uint64_t gicd, gicd_size;    /* GICv3 distributor */
	uint64_t gicr, gicr_size;    /* GICv3 redistributors */
	const char *bootargs;	     /* /chosen/bootargs, or "" */
	const char *error;	     /* why parsing failed */
};

/* The hypervisor's memory state: the one struct pvm_mem of this machine. */
extern struct pvm_mem el2_mem;
/* Managed RAM and the carve-out, as given to pvm_mem_init(). */
extern struct pvm_mem_config el2_mem_cfg;

/* mmu.c: before the MMU is on. Returns the DTB address, or 0 if there is none. */
uint64_t el2_mmu_boot(uint64_t x0);
/* mmu.c: identity-map [pa, pa+size) at EL2, Normal WB or Device-nGnRE. 0 or -1. */
int el2_mmu_map(uint64_t pa, uint64_t size, bool device);

/* fdt_info.c: read memory, UART, GIC and boot arguments. 0 or -1 (see p->error). */
int el2_fdt_parse(const void *fdt, struct el2_platform *p);

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
void el2_host_start(const struct el2_platform *p, unsigned test) __attribute__((noreturn));
void el2_host_sync(struct el2_frame *f);
/* vectors.S: drop to the host at EL1h (interrupts masked) with x0..x4 set. */
void el2_eret_host(uint64_t entry, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t x4)
	__attribute__((noreturn));

/* vgic.c: the GICv3 virtual CPU interface and the virtual timer of the world switch. */
struct pvm_vcpu_ctx;
/* At boot: ICC_SRE_EL2, the list registers; gicr is this CPU's redistributor (RD_base). */
void el2_vgic_init(uint64_t gicr);
/* Before a guest runs (its CNTV_* loaded): list registers from ctx, timer PPI 27 linked. */
void el2_vgic_load(struct pvm_vcpu_ctx *ctx);
/* After it stopped: what is left in the list registers, VMCR, active priorities. */
void el2_vgic_save(struct pvm_vcpu_ctx *ctx);
/* After a physical IRQ stopped it: true if that was only the guest's own timer. */
bool el2_vgic_timer_irq(void);

/* vectors.S -> C: kind = 4 * {cur SP0, cur SPx, lower A64, lower A32} + {sync, irq, fiq, serror} */
void el2_exception(unsigned kind, struct el2_frame *f);

#endif /* PVM_EL2_H */
